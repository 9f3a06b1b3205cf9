/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * videoflix-worker: the transcoding node. `--nats URL` pulls jobs from JetStream
 * until SIGTERM, each run in a `--run-job` child of this same program; `--run-job`
 * reads one job (a JSON object on one line) from stdin, runs it and writes JSON event
 * lines on stdout, so a parent (this node, or videoflixd's in-process runner) can
 * drive it over a pipe; `--probe FILE` prints the probe as JSON.
 */
#include "config.h"

#include <gio/gunixinputstream.h>
#include <glib-unix.h>
#include <gst/gst.h>
#include <locale.h>
#include <stdio.h>
#include <unistd.h>

#include "vf-error.h"
#include "vf-jobs-local-queue.h"
#include "vf-jobs-nats-worker.h"
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

typedef struct {
	const gchar *url;
	const gchar *media_root;
	const gchar *name;
	const gchar *ladder;
	const gchar *child;
	gint concurrency;
	gint grace;
	gint stall_timeout;
} NodeOptions;

typedef struct {
	GMainLoop *loop;
	VfJobsNatsWorker *worker;
	guint grace;
	gboolean stopping;
} Node;

static void
node_stopped_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Node *node = user_data;
	vf_jobs_nats_worker_stop_finish(VF_JOBS_NATS_WORKER(source), result, NULL);
	g_main_loop_quit(node->loop);
}

static gboolean
node_signal_cb(gpointer user_data)
{
	Node *node = user_data;

	if (!node->stopping) {
		node->stopping = TRUE;
		g_message("stopping: no new jobs");
		vf_jobs_nats_worker_stop_async(node->worker, node->grace, node_stopped_cb, node);
	}
	return G_SOURCE_CONTINUE;
}

static int
run_node(const NodeOptions *options)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *name = g_strdup(options->name);
	g_autofree gchar *child = NULL;
	g_autofree gchar *client = NULL;
	g_autoptr(VfJobsNats) nats = NULL;
	g_autoptr(VfJobQueue) runner = NULL;
	g_autoptr(VfJobsNatsWorker) worker = NULL;
	g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
	Node node = {loop, NULL, (guint)options->grace, FALSE};
	guint sigint_id;
	guint sigterm_id;

	if (options->media_root == NULL || !g_file_test(options->media_root, G_FILE_TEST_IS_DIR)) {
		g_printerr("videoflix-worker: --media-root must name an existing folder (the "
			   "MEDIA_ROOT shared with the API node)\n");
		return 2;
	}
	if (name == NULL)
		name = g_strdup(g_get_host_name());
	child = options->child != NULL ? g_strdup(options->child)
				       : g_file_read_link("/proc/self/exe", NULL);
	if (child == NULL) {
		g_printerr("videoflix-worker: cannot find its own executable\n");
		return 1;
	}
	client = g_strdup_printf("videoflix-worker %s", name);
	nats = vf_jobs_nats_connect(options->url, client, 60, &error);
	if (nats == NULL || !vf_jobs_nats_setup(nats, NULL, &error)) {
		g_printerr("videoflix-worker: %s\n", error->message);
		return 1;
	}
	runner = vf_jobs_local_queue_new(child, options->media_root);
	vf_jobs_local_queue_set_concurrency(VF_JOBS_LOCAL_QUEUE(runner),
					    (guint)options->concurrency);
	vf_jobs_local_queue_set_max_attempts(VF_JOBS_LOCAL_QUEUE(runner), 1);
	vf_jobs_local_queue_set_cancel_grace(VF_JOBS_LOCAL_QUEUE(runner), 1000);
	if (options->stall_timeout > 0)
		vf_jobs_local_queue_set_stall_timeout(VF_JOBS_LOCAL_QUEUE(runner),
						      (guint)options->stall_timeout);
	if (options->ladder != NULL)
		vf_jobs_local_queue_set_ladder_file(VF_JOBS_LOCAL_QUEUE(runner), options->ladder);
	worker = vf_jobs_nats_worker_new(
	    nats, runner, options->media_root, name, (guint)options->concurrency);
	node.worker = worker;
	sigint_id = g_unix_signal_add(SIGINT, node_signal_cb, &node);
	sigterm_id = g_unix_signal_add(SIGTERM, node_signal_cb, &node);
	vf_jobs_nats_worker_start(worker);
	g_message("node %s: taking up to %d job(s) at once from %s (ack wait %u s, %u deliveries)",
		  name,
		  options->concurrency,
		  options->url,
		  vf_jobs_nats_get_limits(nats)->ack_wait_s,
		  vf_jobs_nats_get_limits(nats)->max_deliver);
	g_main_loop_run(loop);
	g_source_remove(sigint_id);
	g_source_remove(sigterm_id);
	g_clear_object(&worker);
	g_clear_object(&runner);
	vf_jobs_nats_close(nats);
	g_clear_object(&nats);
	nats_Close();
	g_message("stopped");
	return 0;
}

int
main(int argc, char **argv)
{
	NodeOptions node = {NULL, NULL, NULL, NULL, NULL, 1, 30, 0};
	g_autofree gchar *url = NULL;
	g_autofree gchar *media_root = NULL;
	g_autofree gchar *name = NULL;
	g_autofree gchar *ladder = NULL;
	g_autofree gchar *child = NULL;
	g_autofree gchar *probe = NULL;
	gboolean run = FALSE;
	const GOptionEntry entries[] = {
	    {"probe",
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
	    {"nats",
	     0,
	     0,
	     G_OPTION_ARG_STRING,
	     &url,
	     "Take jobs from NATS JetStream at URL until SIGTERM",
	     "URL"},
	    {"media-root",
	     0,
	     0,
	     G_OPTION_ARG_FILENAME,
	     &media_root,
	     "The MEDIA_ROOT shared with the API node (same path)",
	     "DIR"},
	    {"concurrency",
	     0,
	     0,
	     G_OPTION_ARG_INT,
	     &node.concurrency,
	     "Jobs at once (default 1)",
	     "N"},
	    {"name",
	     0,
	     0,
	     G_OPTION_ARG_STRING,
	     &name,
	     "This node's name in the job list (default: the host name)",
	     "NODE"},
	    {"grace",
	     0,
	     0,
	     G_OPTION_ARG_INT,
	     &node.grace,
	     "On SIGTERM, seconds running jobs may finish before they are "
	     "handed back (default 30)",
	     "S"},
	    {"ladder",
	     0,
	     0,
	     G_OPTION_ARG_FILENAME,
	     &ladder,
	     "The ladder file (default: the installed pipelines/ladder.ini)",
	     "FILE"},
	    {"stall-timeout",
	     0,
	     0,
	     G_OPTION_ARG_INT,
	     &node.stall_timeout,
	     "Kill a job's process after S seconds without progress "
	     "(default 120)",
	     "S"},
	    {"child-program",
	     0,
	     G_OPTION_FLAG_HIDDEN,
	     G_OPTION_ARG_FILENAME,
	     &child,
	     "Run PATH --run-job per job instead of this program",
	     "PATH"},
	    {NULL}};
	g_autoptr(GOptionContext) context = g_option_context_new(NULL);
	g_autoptr(GError) error = NULL;

	setlocale(LC_ALL, "");
	g_option_context_add_main_entries(context, entries, NULL);
	if (!g_option_context_parse(context, &argc, &argv, &error)) {
		g_printerr("videoflix-worker: %s\n", error->message);
		return 1;
	}
	if (url != NULL) {
		if (node.concurrency < 1 || node.concurrency > 64 || node.grace < 0 ||
		    node.stall_timeout < 0) {
			g_printerr("videoflix-worker: --concurrency must be 1–64, --grace and "
				   "--stall-timeout not negative\n");
			return 2;
		}
		node.url = url;
		node.media_root = media_root;
		node.name = name;
		node.ladder = ladder;
		node.child = child;
		return run_node(&node);
	}
	gst_init(NULL, NULL);
	if (probe != NULL)
		return run_probe(probe);
	if (run)
		return run_job();
	g_printerr("videoflix-worker: give --nats URL --media-root DIR (a transcoding node), "
		   "--probe FILE or --run-job\n");
	return 2;
}
