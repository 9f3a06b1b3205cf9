/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What must not become a "ready" video: truncated and corrupted sources, a cancelled run,
 * a source that stops delivering data (the stall watchdog). Each ends with a clear error
 * and no partial output left behind.
 */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vf-error.h"
#include "vf-media-transcoder.h"
#include "vf-test-media.h"
#include "vf-test-util.h"

static gchar *tmpdir;

static gchar *
make_truncated(const gchar *name, const gchar *description)
{
	g_autofree gchar *full_name = g_strconcat("full-", name, NULL);
	g_autofree gchar *full = vf_test_media_make_clip(tmpdir, full_name, description);
	g_autofree gchar *contents = NULL;
	gchar *path = g_build_filename(tmpdir, name, NULL);
	gsize length;

	g_assert_true(g_file_get_contents(full, &contents, &length, NULL));
	g_assert_true(g_file_set_contents(path, contents, (gssize)(length / 2), NULL));
	return path;
}

static void
test_truncated(void)
{
	const gchar *clips[][2] = {
	    {"half.mp4",
	     "videotestsrc num-buffers=150 pattern=smpte ! "
	     "video/x-raw,format=I420,width=320,height=240,framerate=25/1 ! "
	     "x264enc speed-preset=ultrafast ! h264parse ! mp4mux faststart=true name=m ! "
	     "filesink OUT audiotestsrc num-buffers=300 samplesperbuffer=960 ! "
	     "audio/x-raw,rate=48000 ! avenc_aac ! aacparse ! m."},
	    {"half.mkv",
	     "videotestsrc num-buffers=150 pattern=smpte ! "
	     "video/x-raw,format=I420,width=320,height=240,framerate=25/1 ! "
	     "x264enc speed-preset=ultrafast ! h264parse ! matroskamux ! filesink OUT"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(clips); i++) {
		g_autofree gchar *clip = make_truncated(clips[i][0], clips[i][1]);
		g_autofree gchar *outdir = g_build_filename(tmpdir, "out-truncated", NULL);
		g_autoptr(VfMediaLadder) ladder = vf_test_media_load_test_ladder();
		g_autoptr(VfMediaTranscoder) transcoder = vf_media_transcoder_new(ladder);
		g_autoptr(GError) error = NULL;
		g_autoptr(VfMediaTranscodeResult) result =
		    vf_test_media_transcode(transcoder, clip, outdir, &error);

		g_test_message(
		    "%s: %s", clips[i][0], error != NULL ? error->message : "(accepted)");
		g_assert_null(result);
		g_assert_error(error, VF_ERROR, VF_ERROR_MEDIA_INVALID);
		/* either the probe saw no duration or the transcode ended early */
		g_assert_true(strstr(error->message, "ends early") != NULL ||
			      strstr(error->message, "incomplete") != NULL);
		g_assert_false(g_file_test(outdir, G_FILE_TEST_EXISTS));
	}
}

/* garbage in the middle: concealment and success, or a clear failure; never a hang */
static void
test_corrupted(void)
{
	g_autofree gchar *clip = vf_test_media_make_clip(
	    tmpdir,
	    "corrupt.mkv",
	    "videotestsrc num-buffers=150 pattern=ball ! "
	    "video/x-raw,format=I420,width=320,height=240,framerate=25/1 ! "
	    "x264enc speed-preset=ultrafast ! h264parse ! matroskamux ! filesink OUT");
	g_autofree gchar *contents = NULL;
	g_autofree gchar *outdir = g_build_filename(tmpdir, "out-corrupt", NULL);
	g_autoptr(VfMediaLadder) ladder = vf_test_media_load_test_ladder();
	g_autoptr(VfMediaTranscoder) transcoder = vf_media_transcoder_new(ladder);
	g_autoptr(GError) error = NULL;
	g_autoptr(VfMediaTranscodeResult) result = NULL;
	gsize length;
	GRand *rand = g_rand_new_with_seed(4);

	g_assert_true(g_file_get_contents(clip, &contents, &length, NULL));
	for (gsize i = length * 2 / 5; i < length * 3 / 5; i++)
		contents[i] = (gchar)g_rand_int_range(rand, 0, 256);
	g_rand_free(rand);
	g_assert_true(g_file_set_contents(clip, contents, (gssize)length, NULL));
	vf_media_transcoder_set_stall_timeout(transcoder, 10);
	result = vf_test_media_transcode(transcoder, clip, outdir, &error);
	g_test_message("corrupted: %s", error != NULL ? error->message : "completed");
	if (result == NULL) {
		g_assert_true(error->domain == VF_ERROR);
		g_assert_false(g_file_test(outdir, G_FILE_TEST_EXISTS));
	} else {
		g_autofree gchar *master = g_build_filename(outdir, "master.m3u8", NULL);
		g_assert_true(g_file_test(master, G_FILE_TEST_IS_REGULAR));
		vf_test_rm_rf(outdir);
	}
}

typedef struct {
	GCancellable *cancellable;
	guint progress;
	gdouble position;
} CancelData;

static void
cancel_on_progress_cb(VfMediaTranscoder *transcoder,
		      gdouble position,
		      gdouble duration,
		      gpointer user_data)
{
	CancelData *data = user_data;
	data->progress++;
	data->position = position;
	g_assert_cmpfloat(duration, >, 19.0);
	g_assert_cmpfloat(position, <=, duration);
	if (position > 0)
		g_cancellable_cancel(data->cancellable);
}

typedef struct {
	VfMediaTranscodeResult *result;
	GError *error;
	gboolean done;
} Wait;

static void
done_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	Wait *wait = user_data;
	wait->result =
	    vf_media_transcoder_run_finish(VF_MEDIA_TRANSCODER(source), res, &wait->error);
	wait->done = TRUE;
}

static gboolean
is_done(gpointer data)
{
	return ((Wait *)data)->done;
}

static void
test_cancel(void)
{
	g_autofree gchar *clip = vf_test_media_make_clip(
	    tmpdir,
	    "long.mkv",
	    "videotestsrc num-buffers=500 pattern=ball ! "
	    "video/x-raw,format=I420,width=640,height=360,framerate=25/1 ! "
	    "x264enc speed-preset=ultrafast ! h264parse ! matroskamux ! filesink OUT");
	g_autoptr(VfMediaLadder) ladder = vf_test_media_load_test_ladder();
	g_autoptr(GError) error = NULL;
	g_autoptr(VfMediaProbe) probe = vf_media_probe_file(clip, 30, &error);
	/* one output folder made by the run, one that existed before (a generation folder) */
	g_autofree gchar *fresh = g_build_filename(tmpdir, "out-cancel", "gen1", NULL);
	g_autofree gchar *existing = g_build_filename(tmpdir, "out-existing", NULL);
	const gchar *outdirs[] = {fresh, existing};

	g_assert_no_error(error);
	g_assert_cmpint(g_mkdir_with_parents(existing, 0755), ==, 0);
	for (guint i = 0; i < G_N_ELEMENTS(outdirs); i++) {
		g_autoptr(VfMediaTranscoder) transcoder = vf_media_transcoder_new(ladder);
		g_autoptr(GCancellable) cancellable = g_cancellable_new();
		g_autoptr(GDir) dir = NULL;
		CancelData data = {cancellable, 0, 0};
		Wait wait = {0};

		g_signal_connect(transcoder, "progress", G_CALLBACK(cancel_on_progress_cb), &data);
		vf_media_transcoder_run_async(
		    transcoder, clip, probe, outdirs[i], cancellable, done_cb, &wait);
		g_assert_true(vf_test_wait_until(is_done, &wait, 120000));
		g_assert_null(wait.result);
		g_assert_error(wait.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
		g_clear_error(&wait.error);
		g_assert_cmpuint(data.progress, >, 0);
		g_assert_cmpfloat(data.position, <, 19.0);
		if (i == 0) {
			g_assert_false(g_file_test(fresh, G_FILE_TEST_EXISTS));
		} else {
			dir = g_dir_open(existing, 0, NULL);
			g_assert_nonnull(dir);
			g_assert_null(g_dir_read_name(dir));
		}
	}
}

/* feeds the first half of a clip into a FIFO and then keeps it open without writing */
typedef struct {
	gchar *source;
	gchar *fifo;
	gint fd;
	GMutex lock;
	GCond cond;
	gboolean release;
} Feeder;

static gpointer
feeder_thread(gpointer user_data)
{
	Feeder *feeder = user_data;
	g_autofree gchar *contents = NULL;
	gsize length;
	gsize written = 0;

	g_assert_true(g_file_get_contents(feeder->source, &contents, &length, NULL));
	while (written < length / 2) {
		gssize n = write(feeder->fd, contents + written, length / 2 - written);
		if (n <= 0)
			break;
		written += (gsize)n;
	}
	g_mutex_lock(&feeder->lock);
	while (!feeder->release)
		g_cond_wait(&feeder->cond, &feeder->lock);
	g_mutex_unlock(&feeder->lock);
	close(feeder->fd);
	return NULL;
}

static gboolean
no_pending_teardown(gpointer data)
{
	return vf_media_transcoder_get_pending_teardowns() == 0;
}

static void
test_watchdog(void)
{
	g_autofree gchar *clip = vf_test_media_make_clip(
	    tmpdir,
	    "stream.mkv",
	    "videotestsrc num-buffers=250 pattern=ball ! "
	    "video/x-raw,format=I420,width=320,height=240,framerate=25/1 ! "
	    "x264enc speed-preset=ultrafast ! h264parse ! matroskamux ! filesink OUT");
	g_autofree gchar *fifo = g_build_filename(tmpdir, "stalled.mkv", NULL);
	g_autofree gchar *outdir = g_build_filename(tmpdir, "out-stalled", NULL);
	g_autoptr(VfMediaLadder) ladder = vf_test_media_load_test_ladder();
	g_autoptr(VfMediaTranscoder) transcoder = vf_media_transcoder_new(ladder);
	g_autoptr(GError) error = NULL;
	g_autoptr(VfMediaProbe) probe = vf_media_probe_file(clip, 30, &error);
	Feeder feeder = {clip, fifo, -1};
	GThread *thread;
	Wait wait = {0};

	g_assert_no_error(error);
	g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
	/* read-write so that neither side blocks in open() */
	feeder.fd = open(fifo, O_RDWR);
	g_assert_cmpint(feeder.fd, >=, 0);
	g_mutex_init(&feeder.lock);
	g_cond_init(&feeder.cond);
	thread = g_thread_new("feeder", feeder_thread, &feeder);

	vf_media_transcoder_set_stall_timeout(transcoder, 3);
	vf_media_transcoder_set_teardown_timeout(transcoder, 2);
	vf_media_transcoder_run_async(transcoder, fifo, probe, outdir, NULL, done_cb, &wait);
	g_assert_true(vf_test_wait_until(is_done, &wait, 60000));
	g_test_message("stalled: %s", wait.error != NULL ? wait.error->message : "(completed)");
	g_assert_null(wait.result);
	g_assert_error(wait.error, VF_ERROR, VF_ERROR_INTERNAL);
	g_assert_nonnull(strstr(wait.error->message, "stalled: no progress for 3 s"));
	g_clear_error(&wait.error);
	g_assert_false(g_file_test(outdir, G_FILE_TEST_EXISTS));

	/* end of file lets the blocked filesrc go; the teardown thread then finishes */
	g_mutex_lock(&feeder.lock);
	feeder.release = TRUE;
	g_cond_signal(&feeder.cond);
	g_mutex_unlock(&feeder.lock);
	g_thread_join(thread);
	g_assert_true(vf_test_wait_until(no_pending_teardown, NULL, 30000));
	vf_test_iterate_for(100);
	g_mutex_clear(&feeder.lock);
	g_cond_clear(&feeder.cond);
}

int
main(int argc, char **argv)
{
	int status;

	vf_test_init(&argc, &argv, 290);
	gst_init(&argc, &argv);
	tmpdir = vf_test_make_tmpdir("media-failures");
	g_test_add_func("/media/failures/truncated", test_truncated);
	g_test_add_func("/media/failures/corrupted", test_corrupted);
	g_test_add_func("/media/failures/cancel", test_cancel);
	g_test_add_func("/media/failures/watchdog", test_watchdog);
	status = g_test_run();
	vf_test_rm_rf(tmpdir);
	g_free(tmpdir);
	return status;
}
