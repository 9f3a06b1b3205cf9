/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The executables as a user and the daemon drive them: videoflix-transcode (JSON lines,
 * thumbnail, exit status, Ctrl-C) and videoflix-worker (--probe, --run-job over pipes with
 * a cancel line).
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "vf-media-job.h"
#include "vf-test-media.h"
#include "vf-test-util.h"

static gchar *tmpdir;
static gchar *short_clip;
static gchar *long_clip;

static JsonObject *
parse_line(const gchar *line)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;
	json_parser_load_from_data(parser, line, -1, &error);
	g_assert_no_error(error);
	g_assert_true(JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)));
	return json_object_ref(json_node_get_object(json_parser_get_root(parser)));
}

static GSubprocess *
spawn(GSubprocessFlags flags, const gchar *const *argv)
{
	g_autoptr(GSubprocessLauncher) launcher = vf_test_launcher_new(flags);
	g_autoptr(GError) error = NULL;
	GSubprocess *process = g_subprocess_launcher_spawnv(launcher, argv, &error);
	g_assert_no_error(error);
	return process;
}

/* reads event lines until one of kind `until` (or the end); returns the last event */
static JsonObject *
read_events(GDataInputStream *stream, const gchar *until, guint *count)
{
	JsonObject *last = NULL;
	for (;;) {
		g_autoptr(GError) error = NULL;
		g_autofree gchar *line =
		    g_data_input_stream_read_line_utf8(stream, NULL, NULL, &error);
		g_assert_no_error(error);
		if (line == NULL)
			break;
		g_test_message("event: %s", line);
		g_clear_pointer(&last, json_object_unref);
		last = parse_line(line);
		if (count != NULL)
			(*count)++;
		if (until != NULL &&
		    g_strcmp0(json_object_get_string_member(last, "event"), until) == 0)
			break;
	}
	return last;
}

static void
test_transcode_json(void)
{
	g_autofree gchar *exe = vf_test_build_path("src/bin/videoflix-transcode");
	g_autofree gchar *ladder = vf_test_source_path("tests/media/ladder-test.ini");
	g_autofree gchar *outdir = g_build_filename(tmpdir, "cli-out", NULL);
	g_autofree gchar *thumb = g_build_filename(tmpdir, "poster.jpg", NULL);
	const gchar *argv[] = {
	    exe, short_clip, outdir, "--ladder", ladder, "--thumbnail", thumb, "--json", NULL};
	g_autoptr(GSubprocess) process = spawn(G_SUBPROCESS_FLAGS_STDOUT_PIPE, argv);
	g_autoptr(GDataInputStream) stream =
	    g_data_input_stream_new(g_subprocess_get_stdout_pipe(process));
	g_autoptr(JsonObject) last = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *jpeg = NULL;
	gsize length = 0;
	guint count = 0;
	JsonArray *renditions;
	const VfTestRendition expected[] = {
	    {"144p", 256, 144}, {"240p", 426, 240}, {"360p", 640, 360}};

	last = read_events(stream, NULL, &count);
	g_subprocess_wait(process, NULL, &error);
	g_assert_no_error(error);
	g_assert_true(g_subprocess_get_if_exited(process));
	g_assert_cmpint(g_subprocess_get_exit_status(process), ==, 0);
	g_assert_cmpuint(count, >=, 2); /* probe … completed */
	g_assert_cmpstr(json_object_get_string_member(last, "event"), ==, "completed");
	g_assert_cmpstr(json_object_get_string_member(last, "thumbnail"), ==, thumb);
	renditions = json_object_get_array_member(json_object_get_object_member(last, "result"),
						  "renditions");
	g_assert_cmpuint(json_array_get_length(renditions), ==, 3);
	vf_test_media_check_ladder(outdir, short_clip, expected, 3, TRUE);

	/* a JPEG at the source's size */
	g_assert_true(g_file_get_contents(thumb, &jpeg, &length, NULL));
	g_assert_cmpuint(length, >, 1000);
	g_assert_cmpint((guint8)jpeg[0], ==, 0xff);
	g_assert_cmpint((guint8)jpeg[1], ==, 0xd8);
	{
		const gchar *args[] = {
		    "-show_entries", "stream=codec_name,width,height", thumb, NULL};
		g_autoptr(JsonNode) root = vf_test_media_ffprobe(args);
		JsonObject *s = json_array_get_object_element(
		    json_object_get_array_member(json_node_get_object(root), "streams"), 0);
		g_assert_cmpstr(json_object_get_string_member(s, "codec_name"), ==, "mjpeg");
		g_assert_cmpint(json_object_get_int_member(s, "width"), ==, 640);
		g_assert_cmpint(json_object_get_int_member(s, "height"), ==, 360);
	}
	vf_test_rm_rf(outdir);
}

static void
test_transcode_bad_input(void)
{
	g_autofree gchar *exe = vf_test_build_path("src/bin/videoflix-transcode");
	g_autofree gchar *text = g_build_filename(tmpdir, "notes.mp4", NULL);
	g_autofree gchar *outdir = g_build_filename(tmpdir, "cli-bad", NULL);
	const gchar *argv[] = {exe, text, outdir, NULL};
	g_autoptr(GSubprocess) process = NULL;
	g_autofree gchar *out = NULL;
	g_autofree gchar *err = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_true(g_file_set_contents(text, "just some notes\n", -1, NULL));
	process = spawn(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, argv);
	g_subprocess_communicate_utf8(process, NULL, NULL, &out, &err, &error);
	g_assert_no_error(error);
	g_assert_cmpint(g_subprocess_get_exit_status(process), ==, 1);
	g_assert_nonnull(strstr(err, "the file is not a video"));
	g_assert_false(g_file_test(outdir, G_FILE_TEST_EXISTS));
}

static void
test_transcode_sigint(void)
{
	g_autofree gchar *exe = vf_test_build_path("src/bin/videoflix-transcode");
	g_autofree gchar *ladder = vf_test_source_path("tests/media/ladder-test.ini");
	g_autofree gchar *outdir = g_build_filename(tmpdir, "cli-sigint", NULL);
	const gchar *argv[] = {exe, long_clip, outdir, "--ladder", ladder, "--json", NULL};
	g_autoptr(GSubprocess) process =
	    spawn(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, argv);
	g_autoptr(GDataInputStream) stream =
	    g_data_input_stream_new(g_subprocess_get_stdout_pipe(process));
	g_autoptr(JsonObject) progress = read_events(stream, "progress", NULL);
	g_autoptr(JsonObject) last = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *err = NULL;

	g_assert_cmpstr(json_object_get_string_member(progress, "event"), ==, "progress");
	g_subprocess_send_signal(process, SIGINT);
	last = read_events(stream, NULL, NULL);
	g_assert_cmpstr(json_object_get_string_member(last, "event"), ==, "failed");
	g_assert_cmpstr(json_object_get_string_member(last, "code"), ==, "Cancelled");
	g_subprocess_wait(process, NULL, &error);
	g_assert_true(g_subprocess_get_if_exited(process));
	g_assert_cmpint(g_subprocess_get_exit_status(process), ==, 1);
	g_assert_false(g_file_test(outdir, G_FILE_TEST_EXISTS));
}

static void
test_worker_probe(void)
{
	g_autofree gchar *exe = vf_test_build_path("src/bin/videoflix-worker");
	g_autofree gchar *text = g_build_filename(tmpdir, "probe.txt", NULL);
	const gchar *good[] = {exe, "--probe", short_clip, NULL};
	const gchar *bad[] = {exe, "--probe", text, NULL};
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonObject) object = NULL;
	g_autoptr(JsonObject) failed = NULL;
	g_autofree gchar *out = vf_test_media_run(good, NULL);
	g_autoptr(GSubprocess) process = NULL;
	g_autofree gchar *bad_out = NULL;
	g_autofree gchar *bad_err = NULL;

	object = parse_line(out);
	g_assert_cmpstr(json_object_get_string_member(object, "event"), ==, "probe");
	g_assert_cmpint(json_object_get_int_member(object, "width"), ==, 640);
	g_assert_cmpint(json_object_get_int_member(object, "height"), ==, 360);
	g_assert_true(json_object_get_boolean_member(object, "has_audio"));

	g_assert_true(g_file_set_contents(text, "hello\n", -1, NULL));
	process = spawn(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, bad);
	g_subprocess_communicate_utf8(process, NULL, NULL, &bad_out, &bad_err, &error);
	g_assert_no_error(error);
	g_assert_cmpint(g_subprocess_get_exit_status(process), ==, 1);
	failed = parse_line(bad_out);
	g_assert_cmpstr(json_object_get_string_member(failed, "event"), ==, "failed");
	g_assert_cmpstr(json_object_get_string_member(failed, "code"), ==, "MediaInvalid");
	g_assert_false(json_object_get_boolean_member(failed, "retry"));
	g_assert_nonnull(strstr(json_object_get_string_member(failed, "message"), "not a video"));
}

static gchar *
job_line(const gchar *input, const gchar *output)
{
	g_autoptr(VfMediaJob) job = g_new0(VfMediaJob, 1);
	g_autoptr(JsonNode) node = NULL;
	g_autofree gchar *line = NULL;

	job->input = g_strdup(input);
	job->output = g_strdup(output);
	job->ladder = vf_test_media_load_test_ladder();
	node = vf_media_job_to_json(job);
	line = vf_media_job_event_to_line(node);
	g_assert_null(strchr(line, '\n'));
	return g_strconcat(line, "\n", NULL);
}

static void
test_worker_run_job(void)
{
	g_autofree gchar *exe = vf_test_build_path("src/bin/videoflix-worker");
	g_autofree gchar *outdir = g_build_filename(tmpdir, "worker-out", NULL);
	const gchar *argv[] = {exe, "--run-job", NULL};
	g_autoptr(GSubprocess) process =
	    spawn(G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, argv);
	g_autoptr(GDataInputStream) stream =
	    g_data_input_stream_new(g_subprocess_get_stdout_pipe(process));
	g_autofree gchar *line = job_line(short_clip, outdir);
	g_autoptr(JsonObject) last = NULL;
	g_autoptr(GError) error = NULL;
	const VfTestRendition expected[] = {
	    {"144p", 256, 144}, {"240p", 426, 240}, {"360p", 640, 360}};

	/* the job line; stdin stays open (a parent keeps it for the cancel line) */
	g_output_stream_write_all(
	    g_subprocess_get_stdin_pipe(process), line, strlen(line), NULL, NULL, &error);
	g_assert_no_error(error);
	last = read_events(stream, NULL, NULL);
	g_assert_cmpstr(json_object_get_string_member(last, "event"), ==, "completed");
	g_subprocess_wait(process, NULL, &error);
	g_assert_cmpint(g_subprocess_get_exit_status(process), ==, 0);
	vf_test_media_check_ladder(outdir, short_clip, expected, 3, TRUE);
	vf_test_rm_rf(outdir);
}

static void
test_worker_cancel_line(void)
{
	g_autofree gchar *exe = vf_test_build_path("src/bin/videoflix-worker");
	g_autofree gchar *outdir = g_build_filename(tmpdir, "worker-cancel", NULL);
	const gchar *argv[] = {exe, "--run-job", NULL};
	g_autoptr(GSubprocess) process =
	    spawn(G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, argv);
	GOutputStream *in = g_subprocess_get_stdin_pipe(process);
	g_autoptr(GDataInputStream) stream =
	    g_data_input_stream_new(g_subprocess_get_stdout_pipe(process));
	g_autofree gchar *line = job_line(long_clip, outdir);
	g_autoptr(JsonObject) progress = NULL;
	g_autoptr(JsonObject) last = NULL;
	g_autoptr(GError) error = NULL;

	g_output_stream_write_all(in, line, strlen(line), NULL, NULL, &error);
	g_assert_no_error(error);
	progress = read_events(stream, "progress", NULL);
	g_assert_cmpstr(json_object_get_string_member(progress, "event"), ==, "progress");
	g_assert_cmpfloat(json_object_get_double_member(progress, "duration"), >, 19.0);
	g_output_stream_write_all(in, "cancel\n", 7, NULL, NULL, &error);
	g_assert_no_error(error);
	last = read_events(stream, NULL, NULL);
	g_assert_cmpstr(json_object_get_string_member(last, "event"), ==, "failed");
	g_assert_cmpstr(json_object_get_string_member(last, "code"), ==, "Cancelled");
	g_subprocess_wait(process, NULL, &error);
	g_assert_cmpint(g_subprocess_get_exit_status(process), ==, 1);
	g_assert_false(g_file_test(outdir, G_FILE_TEST_EXISTS));
}

static void
test_worker_bad_job(void)
{
	g_autofree gchar *exe = vf_test_build_path("src/bin/videoflix-worker");
	const gchar *argv[] = {exe, "--run-job", NULL};
	g_autoptr(GSubprocess) process =
	    spawn(G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
		      G_SUBPROCESS_FLAGS_STDERR_SILENCE,
		  argv);
	g_autofree gchar *out = NULL;
	g_autoptr(JsonObject) failed = NULL;
	g_autoptr(GError) error = NULL;

	g_subprocess_communicate_utf8(process, "{\"input\": 3}\n", NULL, &out, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpint(g_subprocess_get_exit_status(process), ==, 1);
	failed = parse_line(out);
	g_assert_cmpstr(json_object_get_string_member(failed, "code"), ==, "InvalidInput");
}

int
main(int argc, char **argv)
{
	int status;

	vf_test_init(&argc, &argv, 290);
	gst_init(&argc, &argv);
	tmpdir = vf_test_make_tmpdir("media-cli");
	short_clip = vf_test_media_make_clip(
	    tmpdir,
	    "short.mp4",
	    "videotestsrc num-buffers=75 pattern=smpte ! "
	    "video/x-raw,format=I420,width=640,height=360,framerate=25/1 ! "
	    "x264enc speed-preset=ultrafast ! h264parse ! mp4mux name=m ! filesink OUT "
	    "audiotestsrc num-buffers=150 samplesperbuffer=960 ! audio/x-raw,rate=48000,channels=2 "
	    "! "
	    "avenc_aac ! aacparse ! m.");
	long_clip = vf_test_media_make_clip(
	    tmpdir,
	    "long.mkv",
	    "videotestsrc num-buffers=500 pattern=ball ! "
	    "video/x-raw,format=I420,width=640,height=360,framerate=25/1 ! "
	    "x264enc speed-preset=ultrafast ! h264parse ! matroskamux ! filesink OUT");
	g_test_add_func("/media/cli/transcode-json", test_transcode_json);
	g_test_add_func("/media/cli/transcode-bad-input", test_transcode_bad_input);
	g_test_add_func("/media/cli/transcode-sigint", test_transcode_sigint);
	g_test_add_func("/media/cli/worker-probe", test_worker_probe);
	g_test_add_func("/media/cli/worker-run-job", test_worker_run_job);
	g_test_add_func("/media/cli/worker-cancel-line", test_worker_cancel_line);
	g_test_add_func("/media/cli/worker-bad-job", test_worker_bad_job);
	status = g_test_run();
	vf_test_rm_rf(tmpdir);
	g_free(tmpdir);
	g_free(short_clip);
	g_free(long_clip);
	return status;
}
