/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Helpers of the media tests (see the header). Clips are generated per test program in a
 * temp dir; ffprobe (Debian's FFmpeg) reads the output independently of GStreamer.
 */
#include "config.h"

#include "vf-test-media.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "vf-media-playlist.h"
#include "vf-test-util.h"

gchar *
vf_test_media_run(const gchar *const *argv, gchar **err)
{
	g_autoptr(GSubprocessLauncher) launcher =
	    vf_test_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
	g_autoptr(GSubprocess) process = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *out = NULL;
	g_autofree gchar *errout = NULL;

	process = g_subprocess_launcher_spawnv(launcher, argv, &error);
	g_assert_no_error(error);
	g_subprocess_communicate_utf8(process, NULL, NULL, &out, &errout, &error);
	g_assert_no_error(error);
	if (!g_subprocess_get_successful(process)) {
		g_autofree gchar *cmd = g_strjoinv(" ", (gchar **)argv);
		g_printerr("command failed: %s\n%s\n", cmd, errout);
		g_assert_not_reached();
	}
	if (err != NULL)
		*err = g_steal_pointer(&errout);
	return g_steal_pointer(&out);
}

gchar *
vf_test_media_make_clip(const gchar *dir, const gchar *name, const gchar *description)
{
	g_autofree gchar *path = g_build_filename(dir, name, NULL);
	g_autofree gchar *location = g_strdup_printf("location=%s", path);
	g_auto(GStrv) words = NULL;
	g_autoptr(GPtrArray) argv = g_ptr_array_new();
	g_autofree gchar *out = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_true(g_shell_parse_argv(description, NULL, &words, &error));
	g_ptr_array_add(argv, (gpointer) "gst-launch-1.0");
	g_ptr_array_add(argv, (gpointer) "-q");
	for (guint i = 0; words[i] != NULL; i++)
		g_ptr_array_add(argv, g_str_equal(words[i], "OUT") ? location : words[i]);
	g_ptr_array_add(argv, NULL);
	out = vf_test_media_run((const gchar *const *)argv->pdata, NULL);
	g_assert_true(g_file_test(path, G_FILE_TEST_IS_REGULAR));
	return g_steal_pointer(&path);
}

JsonNode *
vf_test_media_ffprobe(const gchar *const *args)
{
	g_autoptr(GPtrArray) argv = g_ptr_array_new();
	g_autofree gchar *out = NULL;
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;

	g_ptr_array_add(argv, (gpointer) "ffprobe");
	g_ptr_array_add(argv, (gpointer) "-v");
	g_ptr_array_add(argv, (gpointer) "error");
	g_ptr_array_add(argv, (gpointer) "-of");
	g_ptr_array_add(argv, (gpointer) "json");
	for (guint i = 0; args[i] != NULL; i++)
		g_ptr_array_add(argv, (gpointer)args[i]);
	g_ptr_array_add(argv, NULL);
	out = vf_test_media_run((const gchar *const *)argv->pdata, NULL);
	json_parser_load_from_data(parser, out, -1, &error);
	g_assert_no_error(error);
	return json_node_ref(json_parser_get_root(parser));
}

gdouble
vf_test_media_video_duration(const gchar *path)
{
	const gchar *args[] = {"-select_streams",
			       "v:0",
			       "-count_packets",
			       "-show_entries",
			       "stream=duration,nb_read_packets,r_frame_rate:format=duration",
			       path,
			       NULL};
	g_autoptr(JsonNode) root = vf_test_media_ffprobe(args);
	JsonObject *object = json_node_get_object(root);
	JsonArray *streams = json_object_get_array_member(object, "streams");
	JsonObject *stream = json_array_get_object_element(streams, 0);
	const gchar *duration =
	    json_object_get_string_member_with_default(stream, "duration", NULL);
	const gchar *rate = json_object_get_string_member(stream, "r_frame_rate");
	const gchar *packets =
	    json_object_get_string_member_with_default(stream, "nb_read_packets", NULL);
	gint num = 0, den = 1;

	if (duration != NULL)
		return g_ascii_strtod(duration, NULL);
	/* Matroska/WebM give no stream duration: frames / rate */
	g_assert_nonnull(packets);
	g_assert_cmpint(sscanf(rate, "%d/%d", &num, &den), ==, 2);
	return g_ascii_strtod(packets, NULL) * den / num;
}

VfMediaLadder *
vf_test_media_load_test_ladder(void)
{
	g_autofree gchar *path = vf_test_source_path("tests/media/ladder-test.ini");
	g_autoptr(GError) error = NULL;
	VfMediaLadder *ladder = vf_media_ladder_load_file(path, &error);
	g_assert_no_error(error);
	return ladder;
}

typedef struct {
	VfMediaTranscodeResult *result;
	GError *error;
	gboolean done;
} Wait;

static void
transcode_done_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	Wait *wait = user_data;
	wait->result =
	    vf_media_transcoder_run_finish(VF_MEDIA_TRANSCODER(source), res, &wait->error);
	wait->done = TRUE;
}

VfMediaTranscodeResult *
vf_test_media_transcode(VfMediaTranscoder *transcoder,
			const gchar *input,
			const gchar *outdir,
			GError **error)
{
	g_autoptr(VfMediaProbe) probe = vf_media_probe_file(input, 30, error);
	Wait wait = {0};

	if (probe == NULL)
		return NULL;
	vf_media_transcoder_run_async(
	    transcoder, input, probe, outdir, NULL, transcode_done_cb, &wait);
	while (!wait.done)
		g_main_context_iteration(NULL, TRUE);
	if (wait.error != NULL)
		g_propagate_error(error, wait.error);
	return wait.result;
}

static JsonObject *
first_stream(JsonNode *root)
{
	JsonArray *streams = json_object_get_array_member(json_node_get_object(root), "streams");
	if (json_array_get_length(streams) == 0)
		return NULL;
	return json_array_get_object_element(streams, 0);
}

void
vf_test_media_check_ladder(const gchar *outdir,
			   const gchar *source,
			   const VfTestRendition *renditions,
			   guint n_renditions,
			   gboolean has_audio)
{
	g_autofree gchar *master_path = g_build_filename(outdir, "master.m3u8", NULL);
	g_autofree gchar *master = NULL;
	g_auto(GStrv) lines = NULL;
	g_autoptr(GPtrArray) playlists =
	    g_ptr_array_new_with_free_func((GDestroyNotify)vf_media_playlist_free);
	gdouble source_duration = vf_test_media_video_duration(source);
	guint entries = 0;

	/* master: one entry per rendition, in order, with what it really holds */
	g_assert_true(g_file_get_contents(master_path, &master, NULL, NULL));
	g_assert_true(g_str_has_prefix(master, "#EXTM3U\n"));
	lines = g_strsplit(master, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		const VfTestRendition *r;
		g_autofree gchar *resolution = NULL;
		g_autofree gchar *uri = NULL;
		if (!g_str_has_prefix(lines[i], "#EXT-X-STREAM-INF:"))
			continue;
		g_assert_cmpuint(entries, <, n_renditions);
		r = &renditions[entries++];
		resolution = g_strdup_printf("RESOLUTION=%ux%u,", r->width, r->height);
		uri = g_strdup_printf("%s/index.m3u8", r->name);
		g_assert_nonnull(strstr(lines[i], resolution));
		g_assert_nonnull(strstr(lines[i], "BANDWIDTH="));
		g_assert_nonnull(strstr(lines[i], "AVERAGE-BANDWIDTH="));
		g_assert_nonnull(strstr(lines[i], "FRAME-RATE="));
		g_assert_nonnull(strstr(lines[i], "CODECS=\"avc1."));
		g_assert_true((strstr(lines[i], "mp4a.40.2") != NULL) == has_audio);
		g_assert_cmpstr(lines[i + 1], ==, uri);
	}
	g_assert_cmpuint(entries, ==, n_renditions);

	for (guint i = 0; i < n_renditions; i++) {
		g_autofree gchar *path =
		    g_build_filename(outdir, renditions[i].name, "index.m3u8", NULL);
		g_autofree gchar *text = NULL;
		g_autoptr(GError) error = NULL;
		VfMediaPlaylist *playlist = vf_media_playlist_load(path, &error);
		g_assert_no_error(error);
		g_ptr_array_add(playlists, playlist);
		g_assert_true(playlist->ended);
		g_assert_true(playlist->vod);
		g_assert_cmpuint(playlist->segments->len, >, 0);
		g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
		g_assert_true(g_str_has_suffix(text, "#EXT-X-ENDLIST\n"));
		/* total duration within 0.1 s of the source's video */
		g_assert_cmpfloat_with_epsilon(
		    vf_media_playlist_get_duration(playlist), source_duration, 0.1);
	}
	/* aligned: the same segment count and durations (±1 frame at 25 fps) everywhere */
	for (guint i = 1; i < n_renditions; i++) {
		VfMediaPlaylist *a = g_ptr_array_index(playlists, 0);
		VfMediaPlaylist *b = g_ptr_array_index(playlists, i);
		g_assert_cmpuint(a->segments->len, ==, b->segments->len);
		for (guint s = 0; s < a->segments->len; s++)
			g_assert_cmpfloat_with_epsilon(
			    g_array_index(a->segments, VfMediaSegment, s).duration,
			    g_array_index(b->segments, VfMediaSegment, s).duration,
			    0.041);
	}
	for (guint i = 0; i < n_renditions; i++) {
		VfMediaPlaylist *playlist = g_ptr_array_index(playlists, i);
		for (guint s = 0; s < playlist->segments->len; s++) {
			VfMediaSegment *segment =
			    &g_array_index(playlist->segments, VfMediaSegment, s);
			g_autofree gchar *file =
			    g_build_filename(outdir, renditions[i].name, segment->uri, NULL);
			const gchar *packet_args[] = {"-select_streams",
						      "v:0",
						      "-read_intervals",
						      "%+#1",
						      "-show_entries",
						      "packet=flags",
						      file,
						      NULL};
			g_autoptr(JsonNode) packets = vf_test_media_ffprobe(packet_args);
			JsonArray *array =
			    json_object_get_array_member(json_node_get_object(packets), "packets");
			g_assert_true(g_str_has_prefix(segment->uri, "seg_"));
			g_assert_cmpuint(json_array_get_length(array), >=, 1);
			/* every segment starts with a keyframe */
			g_assert_true(
			    g_str_has_prefix(json_object_get_string_member(
						 json_array_get_object_element(array, 0), "flags"),
					     "K"));
			if (s == 0) {
				const gchar *video_args[] = {
				    "-select_streams",
				    "v:0",
				    "-show_entries",
				    "stream=codec_name,width,height,sample_aspect_ratio",
				    file,
				    NULL};
				const gchar *audio_args[] = {"-select_streams",
							     "a",
							     "-show_entries",
							     "stream=codec_name,channels",
							     file,
							     NULL};
				g_autoptr(JsonNode) video = vf_test_media_ffprobe(video_args);
				g_autoptr(JsonNode) audio = vf_test_media_ffprobe(audio_args);
				JsonObject *v = first_stream(video);
				JsonObject *a = first_stream(audio);
				const gchar *sar;
				g_assert_nonnull(v);
				g_assert_cmpstr(
				    json_object_get_string_member(v, "codec_name"), ==, "h264");
				g_assert_cmpint(json_object_get_int_member(v, "width"),
						==,
						renditions[i].width);
				g_assert_cmpint(json_object_get_int_member(v, "height"),
						==,
						renditions[i].height);
				sar = json_object_get_string_member_with_default(
				    v, "sample_aspect_ratio", "1:1");
				g_assert_cmpstr(sar, ==, "1:1");
				g_assert_true((a != NULL) == has_audio);
				if (a != NULL)
					g_assert_cmpstr(
					    json_object_get_string_member(a, "codec_name"),
					    ==,
					    "aac");
			}
		}
	}
}
