/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GstDiscoverer probing: a good clip reports its size, rate, duration and streams; every
 * kind of bad upload is rejected at once with a reason a person understands.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "vf-error.h"
#include "vf-media-probe.h"
#include "vf-test-media.h"
#include "vf-test-util.h"

static gchar *tmpdir;

static void
test_good(void)
{
	g_autofree gchar *clip = vf_test_media_make_clip(
	    tmpdir,
	    "good.mp4",
	    "videotestsrc num-buffers=50 ! video/x-raw,width=320,height=240,framerate=25/1 ! "
	    "x264enc speed-preset=ultrafast ! h264parse ! mp4mux name=m ! filesink OUT "
	    "audiotestsrc num-buffers=50 samplesperbuffer=1764 ! audio/x-raw,rate=44100,channels=1 "
	    "! "
	    "avenc_aac ! aacparse ! m.");
	g_autoptr(GError) error = NULL;
	g_autoptr(VfMediaProbe) probe = vf_media_probe_file(clip, 30, &error);

	g_assert_no_error(error);
	g_assert_cmpuint(probe->width, ==, 320);
	g_assert_cmpuint(probe->height, ==, 240);
	g_assert_cmpuint(probe->fps_n, ==, 25);
	g_assert_cmpuint(probe->fps_d, ==, 1);
	g_assert_cmpfloat_with_epsilon(vf_media_probe_get_duration_seconds(probe), 2.0, 0.1);
	g_assert_cmpfloat_with_epsilon(vf_media_probe_get_display_aspect(probe), 4.0 / 3, 0.001);
	g_assert_true(probe->has_audio);
	g_assert_cmpuint(probe->audio_channels, ==, 1);
	g_assert_cmpuint(probe->audio_rate, ==, 44100);
}

static void
test_anamorphic(void)
{
	/* 720x576 with 16:15 pixels (PAL 4:3) → display aspect 4:3 */
	g_autofree gchar *clip = vf_test_media_make_clip(
	    tmpdir,
	    "pal.mkv",
	    "videotestsrc num-buffers=10 ! "
	    "video/x-raw,width=720,height=576,framerate=25/1,pixel-aspect-ratio=16/15 ! "
	    "x264enc speed-preset=ultrafast ! h264parse ! matroskamux ! filesink OUT");
	g_autoptr(GError) error = NULL;
	g_autoptr(VfMediaProbe) probe = vf_media_probe_file(clip, 30, &error);

	g_assert_no_error(error);
	g_assert_false(probe->has_audio);
	g_assert_cmpfloat_with_epsilon(vf_media_probe_get_display_aspect(probe), 4.0 / 3, 0.001);
}

static void
write_file(const gchar *path, const gchar *data, gsize size)
{
	g_assert_true(g_file_set_contents(path, data, (gssize)size, NULL));
}

typedef struct {
	const gchar *name;
	gint code;
	const gchar *reason;
} BadInput;

static void
test_bad(void)
{
	g_autofree gchar *empty = g_build_filename(tmpdir, "empty.mp4", NULL);
	g_autofree gchar *text = g_build_filename(tmpdir, "text.mp4", NULL);
	g_autofree gchar *audio = NULL;
	g_autofree gchar *png = NULL;
	g_autofree gchar *jpeg = NULL;
	g_autofree gchar *head = NULL;
	g_autofree gchar *full = NULL;
	g_autofree gchar *contents = NULL;
	gsize length = 0;
	const BadInput cases[] = {
	    {"empty.mp4", VF_ERROR_MEDIA_INVALID, "the file is empty"},
	    {"text.mp4", VF_ERROR_MEDIA_INVALID, "not a video: its format is not recognised"},
	    {"audio.m4a", VF_ERROR_MEDIA_INVALID, "the file has only audio, no video"},
	    {"image.png", VF_ERROR_MEDIA_INVALID, "still image"},
	    {"image.jpg", VF_ERROR_MEDIA_INVALID, "still image"},
	    /* the discoverer sometimes waits for its timeout on this one: either reason is fine */
	    {"head.mp4", VF_ERROR_MEDIA_INVALID, "damaged or not a video"},
	    {"missing.mp4", VF_ERROR_NOT_FOUND, "does not exist"},
	    {".", VF_ERROR_MEDIA_INVALID, "not a regular file"},
	};

	write_file(empty, "", 0);
	write_file(text, "Hello, this is a text file and not a video at all.\n", 51);
	audio =
	    vf_test_media_make_clip(tmpdir,
				    "audio.m4a",
				    "audiotestsrc num-buffers=50 ! avenc_aac ! aacparse ! mp4mux ! "
				    "filesink OUT");
	png =
	    vf_test_media_make_clip(tmpdir,
				    "image.png",
				    "videotestsrc num-buffers=1 ! video/x-raw,width=64,height=48 ! "
				    "pngenc ! filesink OUT");
	jpeg =
	    vf_test_media_make_clip(tmpdir,
				    "image.jpg",
				    "videotestsrc num-buffers=1 ! video/x-raw,width=64,height=48 ! "
				    "jpegenc ! filesink OUT");
	/* the first 2 kB of an MP4 whose index sits at the end */
	full = vf_test_media_make_clip(
	    tmpdir,
	    "full.mp4",
	    "videotestsrc num-buffers=50 ! video/x-raw,width=320,height=240 ! "
	    "x264enc speed-preset=ultrafast ! h264parse ! mp4mux ! filesink OUT");
	g_assert_true(g_file_get_contents(full, &contents, &length, NULL));
	head = g_build_filename(tmpdir, "head.mp4", NULL);
	write_file(head, contents, 2048);

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree gchar *path = g_build_filename(tmpdir, cases[i].name, NULL);
		g_autoptr(GError) error = NULL;
		g_autoptr(VfMediaProbe) probe = vf_media_probe_file(path, 5, &error);
		g_test_message(
		    "%s: %s", cases[i].name, error != NULL ? error->message : "(accepted)");
		g_assert_null(probe);
		g_assert_error(error, VF_ERROR, cases[i].code);
		g_assert_nonnull(strstr(error->message, cases[i].reason));
	}
}

typedef struct {
	VfMediaProbe *probe;
	GError *error;
	gboolean done;
} Wait;

static void
probe_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Wait *wait = user_data;
	wait->probe = vf_media_probe_file_finish(result, &wait->error);
	wait->done = TRUE;
}

static gboolean
is_done(gpointer data)
{
	return ((Wait *)data)->done;
}

static void
test_async(void)
{
	g_autofree gchar *text = g_build_filename(tmpdir, "async.txt", NULL);
	Wait wait = {0};

	write_file(text, "not a video\n", 12);
	vf_media_probe_file_async(text, 30, NULL, probe_done_cb, &wait);
	g_assert_true(vf_test_wait_until(is_done, &wait, 30000));
	g_assert_null(wait.probe);
	g_assert_error(wait.error, VF_ERROR, VF_ERROR_MEDIA_INVALID);
	g_clear_error(&wait.error);
}

int
main(int argc, char **argv)
{
	int status;

	vf_test_init(&argc, &argv, 110);
	gst_init(&argc, &argv);
	tmpdir = vf_test_make_tmpdir("media-probe");
	g_test_add_func("/media/probe/good", test_good);
	g_test_add_func("/media/probe/anamorphic", test_anamorphic);
	g_test_add_func("/media/probe/bad", test_bad);
	g_test_add_func("/media/probe/async", test_async);
	status = g_test_run();
	vf_test_rm_rf(tmpdir);
	g_free(tmpdir);
	return status;
}
