/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * videoflix-worker: the transcoding node. `--probe FILE` prints the probe as JSON;
 * `--run-job` reads one job (a JSON object on one line) from stdin, runs it and writes
 * JSON event lines on stdout, so a parent (videoflixd's in-process runner) can drive it
 * over a pipe. The JetStream consumer loop joins here later.
 */
#include "config.h"

#include <gio/gunixinputstream.h>
#include <glib-unix.h>
#include <gst/gst.h>
#include <locale.h>
#include <stdio.h>
#include <unistd.h>

#include "vf-error.h"
#include "vf-media-job.h"
#include "vf-media-probe.h"
#include "vf-media-transcoder.h"

typedef struct {
	GMainLoop *loop;
	GCancellable *cancellable;
	GDataInputStream *input;
	VfMediaJob *job;
	gint exit_status;
} Worker;

static void
write_event(JsonNode *event)
{
	g_autofree gchar *line = vf_media_job_event_to_line(event);
	/* one write per line so a reader never sees half an event */
	g_autofree gchar *with_newline = g_strconcat(line, "\n", NULL);
	fputs(with_newline, stdout);
	fflush(stdout);
}

static int
run_probe(const gchar *path)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(VfMediaProbe) probe = vf_media_probe_file(path, 30, &error);
	g_autoptr(JsonNode) node = NULL;

	if (probe == NULL) {
		node = vf_media_job_failed_event(error);
		write_event(node);
		g_printerr("videoflix-worker: %s\n", error->message);
		return 1;
	}
	node = vf_media_probe_to_json(probe);
	json_object_set_string_member(json_node_get_object(node), "event", "probe");
	write_event(node);
	return 0;
}

static void
event_cb(JsonNode *event, gpointer user_data)
{
	write_event(event);
}

static void
done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Worker *worker = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) completed = vf_media_job_run_finish(result, &error);

	if (completed == NULL) {
		g_printerr("videoflix-worker: %s\n", error->message);
		worker->exit_status = 1;
	}
	g_main_loop_quit(worker->loop);
}

/* after the job line: "cancel" (or {"cancel": true}) cancels; end of input does not, so a
 * shell pipe works; a parent that dies should send SIGTERM (PR_SET_PDEATHSIG) */
static void
control_line_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Worker *worker = user_data;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *line =
	    g_data_input_stream_read_line_finish(G_DATA_INPUT_STREAM(source), result, NULL, &error);

	if (line == NULL)
		return;
	g_strstrip(line);
	if (g_str_equal(line, "cancel") || g_str_equal(line, "{\"cancel\":true}") ||
	    g_str_equal(line, "{\"cancel\": true}")) {
		g_cancellable_cancel(worker->cancellable);
		return;
	}
	g_data_input_stream_read_line_async(
	    worker->input, G_PRIORITY_DEFAULT, NULL, control_line_cb, worker);
}

static gboolean
signal_cb(gpointer user_data)
{
	Worker *worker = user_data;
	g_cancellable_cancel(worker->cancellable);
	return G_SOURCE_CONTINUE;
}

static int
run_job(void)
{
	g_autoptr(GInputStream) raw = g_unix_input_stream_new(STDIN_FILENO, FALSE);
	g_autoptr(GDataInputStream) input = g_data_input_stream_new(raw);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *line = NULL;
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(VfMediaJob) job = NULL;
	g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
	g_autoptr(GCancellable) cancellable = g_cancellable_new();
	Worker worker = {loop, cancellable, input, NULL, 0};
	guint sigint_id;
	guint sigterm_id;

	/* the job line is read before any loop runs: the worker has nothing else to do yet */
	line = g_data_input_stream_read_line_utf8(input, NULL, NULL, &error);
	if (line == NULL && error == NULL)
		g_set_error_literal(
		    &error, VF_ERROR, VF_ERROR_INVALID_INPUT, "no job on standard input");
	if (line != NULL && !json_parser_load_from_data(parser, line, -1, &error))
		g_prefix_error(&error, "the job is not valid JSON: ");
	if (error == NULL)
		job = vf_media_job_from_json(json_parser_get_root(parser), &error);
	if (job == NULL) {
		g_autoptr(JsonNode) event = NULL;
		if (error->domain != VF_ERROR) {
			g_autoptr(GError) wrapped =
			    g_error_new_literal(VF_ERROR, VF_ERROR_INVALID_INPUT, error->message);
			g_clear_error(&error);
			error = g_steal_pointer(&wrapped);
		}
		event = vf_media_job_failed_event(error);
		write_event(event);
		g_printerr("videoflix-worker: %s\n", error->message);
		return 1;
	}
	sigint_id = g_unix_signal_add(SIGINT, signal_cb, &worker);
	sigterm_id = g_unix_signal_add(SIGTERM, signal_cb, &worker);
	g_data_input_stream_read_line_async(
	    input, G_PRIORITY_DEFAULT, NULL, control_line_cb, &worker);
	vf_media_job_run_async(job, cancellable, event_cb, NULL, done_cb, &worker);
	g_main_loop_run(loop);
	g_source_remove(sigint_id);
	g_source_remove(sigterm_id);
	/* stop GStreamer's pooled threads so none is still exiting when the process ends
	 * (leak checkers); not while a stuck pipeline is still being torn down */
	if (vf_media_transcoder_get_pending_teardowns() == 0)
		gst_deinit();
	return worker.exit_status;
}

int
main(int argc, char **argv)
{
	g_autofree gchar *probe = NULL;
	gboolean run = FALSE;
	const GOptionEntry entries[] = {{"probe",
					 0,
					 0,
					 G_OPTION_ARG_FILENAME,
					 &probe,
					 "Probe FILE and print the result as JSON",
					 "FILE"},
					{"run-job",
					 0,
					 0,
					 G_OPTION_ARG_NONE,
					 &run,
					 "Run the JSON job read from stdin, events on stdout",
					 NULL},
					{NULL}};
	g_autoptr(GOptionContext) context = g_option_context_new(NULL);
	g_autoptr(GError) error = NULL;

	setlocale(LC_ALL, "");
	g_option_context_add_main_entries(context, entries, NULL);
	if (!g_option_context_parse(context, &argc, &argv, &error)) {
		g_printerr("videoflix-worker: %s\n", error->message);
		return 1;
	}
	gst_init(NULL, NULL);
	if (probe != NULL)
		return run_probe(probe);
	if (run)
		return run_job();
	g_printerr("videoflix-worker: give --probe FILE or --run-job (the queue consumer is not "
		   "built yet)\n");
	return 1;
}
