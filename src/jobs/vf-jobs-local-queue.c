/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The local queue: waiting jobs in a FIFO, one child process per running attempt.
 * An attempt ends when the child has both exited and closed its stdout; only then
 * is the outcome (its last event, its exit status, or our own kill) acted upon.
 * Main thread only; every child gets PR_SET_PDEATHSIG so none outlives the daemon.
 */
#include "config.h"

#include "vf-jobs-local-queue.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "vf-error.h"

typedef enum {
	ENTRY_WAITING,
	ENTRY_BACKOFF,
	ENTRY_RUNNING,
} EntryState;

typedef struct {
	VfJobsLocalQueue *queue; /* borrowed: the queue owns its entries */
	VfJob *job;
	gint max_attempts;
	EntryState state;
	/* the running attempt */
	GSubprocess *process;
	gchar *worker_id;
	GDataInputStream *events;
	GOutputStream *control;
	GCancellable *io; /* cancelled when the queue goes away */
	guint stall_id;
	guint kill_id;
	guint backoff_id;
	gint64 last_event;
	gdouble last_position;
	gint64 last_position_time;
	gboolean exited;
	gboolean eof;
	gboolean stalled;
	gboolean cancelled;
	JsonNode *completed; /* the "completed" event */
	gchar *failure;	     /* message of a "failed" event */
	gboolean failure_retry;
	GPtrArray *cancel_tasks; /* of GTask, completed once the entry is gone */
} Entry;

struct _VfJobsLocalQueue {
	VfJobQueue parent_instance;
	gchar *worker_path;
	gchar *media_root;
	gchar *ladder_file;
	guint concurrency;
	guint max_attempts;
	guint stall_timeout;
	guint backoff_first_ms;
	guint backoff_max_ms;
	guint cancel_grace_ms;
	GHashTable *entries; /* job id (gint64 *) → Entry, owned */
	GQueue waiting;	     /* of Entry, borrowed */
	guint running;
};

G_DEFINE_TYPE(VfJobsLocalQueue, vf_jobs_local_queue, VF_TYPE_JOB_QUEUE)

static void schedule(VfJobsLocalQueue *self);

static void
entry_free(Entry *entry)
{
	g_clear_handle_id(&entry->stall_id, g_source_remove);
	g_clear_handle_id(&entry->kill_id, g_source_remove);
	g_clear_handle_id(&entry->backoff_id, g_source_remove);
	if (entry->io != NULL)
		g_cancellable_cancel(entry->io);
	if (entry->process != NULL && !entry->exited)
		g_subprocess_force_exit(entry->process);
	g_clear_object(&entry->io);
	g_clear_object(&entry->events);
	g_clear_object(&entry->control);
	g_clear_object(&entry->process);
	g_clear_pointer(&entry->worker_id, g_free);
	g_clear_pointer(&entry->completed, json_node_unref);
	g_clear_pointer(&entry->failure, g_free);
	if (entry->cancel_tasks != NULL) {
		for (guint i = 0; i < entry->cancel_tasks->len; i++)
			g_task_return_boolean(g_ptr_array_index(entry->cancel_tasks, i), TRUE);
		g_ptr_array_unref(entry->cancel_tasks);
	}
	vf_job_free(entry->job);
	g_free(entry);
}

/* the entry leaves the table; the caller frees it */
static Entry *
steal_entry(VfJobsLocalQueue *self, gint64 job_id)
{
	Entry *entry = g_hash_table_lookup(self->entries, &job_id);

	if (entry != NULL)
		g_hash_table_steal(self->entries, &job_id);
	return entry;
}

static gchar *
absolute(VfJobsLocalQueue *self, const gchar *relative)
{
	return g_canonicalize_filename(relative, self->media_root);
}

static gchar *
job_line(VfJobsLocalQueue *self, Entry *entry)
{
	g_autoptr(JsonNode) node = vf_job_to_json(entry->job);
	JsonObject *object = json_node_get_object(node);
	g_autoptr(JsonGenerator) generator = json_generator_new();
	g_autofree gchar *input = absolute(self, entry->job->source);
	g_autofree gchar *output = absolute(self, entry->job->output);
	g_autofree gchar *text = NULL;

	/* the worker's own members (vf_media_job_from_json()) next to the job's */
	json_object_set_string_member(object, "input", input);
	json_object_set_string_member(object, "output", output);
	if (entry->job->thumbnail != NULL) {
		g_autofree gchar *thumbnail = absolute(self, entry->job->thumbnail);
		json_object_set_string_member(object, "thumbnail", thumbnail);
	}
	if (self->ladder_file != NULL)
		json_object_set_string_member(object, "ladder_file", self->ladder_file);
	json_generator_set_root(generator, node);
	text = json_generator_to_data(generator, NULL);
	return g_strconcat(text, "\n", NULL);
}

static void
child_setup(gpointer user_data)
{
	pid_t parent = (pid_t)GPOINTER_TO_INT(user_data);

	/* SIGKILL: a redelivered job clears its partial output itself */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
}

static guint
backoff_ms(VfJobsLocalQueue *self, gint failed_attempt)
{
	guint64 delay = self->backoff_first_ms;

	for (gint i = 1; i < failed_attempt && delay < self->backoff_max_ms; i++)
		delay *= 2;
	return (guint)MIN(delay, self->backoff_max_ms);
}

static gboolean
backoff_done_cb(gpointer user_data)
{
	Entry *entry = user_data;

	entry->backoff_id = 0;
	entry->state = ENTRY_WAITING;
	g_queue_push_tail(&entry->queue->waiting, entry);
	schedule(entry->queue);
	return G_SOURCE_REMOVE;
}

static gchar *
describe_exit(Entry *entry)
{
	if (entry->stalled)
		return g_strdup_printf("the worker stalled: no event for %u s",
				       entry->queue->stall_timeout);
	if (g_subprocess_get_if_signaled(entry->process))
		return g_strdup_printf("the worker was killed by signal %d",
				       g_subprocess_get_term_sig(entry->process));
	if (entry->failure != NULL)
		return g_strdup(entry->failure);
	return g_strdup_printf("the worker exited with status %d without a result",
			       g_subprocess_get_exit_status(entry->process));
}

/* both exited and stdout closed: act on the outcome */
static void
attempt_finished(Entry *entry)
{
	VfJobsLocalQueue *self = entry->queue;
	VfJobQueue *queue = VF_JOB_QUEUE(self);
	gint64 job_id = entry->job->job_id;
	g_autofree gchar *reason = NULL;

	g_clear_handle_id(&entry->stall_id, g_source_remove);
	g_clear_handle_id(&entry->kill_id, g_source_remove);
	g_assert(self->running > 0);
	self->running--;

	if (entry->cancelled) {
		g_info("job %" G_GINT64_FORMAT ": cancelled", job_id);
		entry_free(steal_entry(self, job_id));
		schedule(self);
		return;
	}
	if (entry->completed != NULL && !entry->stalled) {
		g_autoptr(JsonNode) completed = g_steal_pointer(&entry->completed);
		entry_free(steal_entry(self, job_id));
		g_info("job %" G_GINT64_FORMAT ": completed", job_id);
		vf_job_queue_emit_completed(queue, job_id, completed);
		schedule(self);
		return;
	}
	reason = describe_exit(entry);
	if (entry->failure != NULL && !entry->failure_retry && !entry->stalled) {
		entry_free(steal_entry(self, job_id));
		g_info("job %" G_GINT64_FORMAT ": failed: %s", job_id, reason);
		vf_job_queue_emit_failed(queue, job_id, reason, FALSE);
		schedule(self);
		return;
	}
	if (entry->job->attempt >= entry->max_attempts) {
		entry_free(steal_entry(self, job_id));
		g_warning("job %" G_GINT64_FORMAT ": failed for good: %s", job_id, reason);
		vf_job_queue_emit_failed(queue, job_id, reason, TRUE);
		schedule(self);
		return;
	}

	/* retry: the entry stays, without its process */
	g_warning("job %" G_GINT64_FORMAT ": attempt %d failed, retrying: %s",
		  job_id,
		  entry->job->attempt,
		  reason);
	g_clear_object(&entry->io);
	g_clear_object(&entry->events);
	g_clear_object(&entry->control);
	g_clear_object(&entry->process);
	g_clear_pointer(&entry->worker_id, g_free);
	g_clear_pointer(&entry->completed, json_node_unref);
	g_clear_pointer(&entry->failure, g_free);
	entry->exited = entry->eof = entry->stalled = FALSE;
	entry->state = ENTRY_BACKOFF;
	entry->backoff_id =
	    g_timeout_add(backoff_ms(self, entry->job->attempt), backoff_done_cb, entry);
	entry->job->attempt++;
	vf_job_queue_emit_retrying(queue, job_id, entry->job->attempt, reason);
	schedule(self);
}

static gboolean
stall_cb(gpointer user_data)
{
	Entry *entry = user_data;
	gint64 silent = g_get_monotonic_time() - entry->last_event;

	if (silent < (gint64)entry->queue->stall_timeout * G_USEC_PER_SEC)
		return G_SOURCE_CONTINUE;
	g_warning("job %" G_GINT64_FORMAT ": no event from worker %s for %u s, killing it",
		  entry->job->job_id,
		  entry->worker_id,
		  entry->queue->stall_timeout);
	entry->stalled = TRUE;
	entry->stall_id = 0;
	g_subprocess_force_exit(entry->process);
	return G_SOURCE_REMOVE;
}

static gdouble
get_double(JsonObject *object, const gchar *name)
{
	JsonNode *node = json_object_get_member(object, name);
	if (node == NULL || !JSON_NODE_HOLDS_VALUE(node))
		return 0.0;
	if (json_node_get_value_type(node) == G_TYPE_DOUBLE)
		return json_node_get_double(node);
	if (json_node_get_value_type(node) == G_TYPE_INT64)
		return (gdouble)json_node_get_int(node);
	return 0.0;
}

static void
handle_event(Entry *entry, const gchar *line)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;
	JsonNode *root;
	JsonObject *object;
	const gchar *kind;

	if (!json_parser_load_from_data(parser, line, -1, &error)) {
		g_debug("worker %s: not an event: %s", entry->worker_id, line);
		return;
	}
	root = json_parser_get_root(parser);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
		return;
	object = json_node_get_object(root);
	kind = json_object_get_string_member_with_default(object, "event", "");
	if (g_str_equal(kind, "progress")) {
		gdouble position = get_double(object, "position");
		gdouble duration = get_double(object, "duration");
		gint64 now = g_get_monotonic_time();
		gdouble speed = 0.0;

		if (entry->last_position_time > 0 && now > entry->last_position_time)
			speed = (position - entry->last_position) /
				((gdouble)(now - entry->last_position_time) / G_USEC_PER_SEC);
		entry->last_position = position;
		entry->last_position_time = now;
		if (entry->cancelled)
			return;
		vf_job_queue_emit_progress(VF_JOB_QUEUE(entry->queue),
					   entry->job->job_id,
					   duration > 0 ? CLAMP(position / duration, 0.0, 1.0)
							: 0.0,
					   MAX(speed, 0.0));
	} else if (g_str_equal(kind, "completed")) {
		g_clear_pointer(&entry->completed, json_node_unref);
		entry->completed = json_node_ref(root);
	} else if (g_str_equal(kind, "failed")) {
		g_free(entry->failure);
		entry->failure = g_strdup(
		    json_object_get_string_member_with_default(object, "message", "failed"));
		entry->failure_retry =
		    json_object_get_boolean_member_with_default(object, "retry", TRUE);
	}
}

static void
read_event_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Entry *entry = user_data;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *line = g_data_input_stream_read_line_finish_utf8(
	    G_DATA_INPUT_STREAM(source), result, NULL, &error);

	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return; /* the queue is gone, and the entry with it */
	if (line == NULL) {
		if (error != NULL)
			g_debug("worker %s: %s", entry->worker_id, error->message);
		entry->eof = TRUE;
		if (entry->exited)
			attempt_finished(entry);
		return;
	}
	entry->last_event = g_get_monotonic_time();
	handle_event(entry, line);
	g_data_input_stream_read_line_async(
	    entry->events, G_PRIORITY_DEFAULT, entry->io, read_event_cb, entry);
}

static void
wait_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Entry *entry = user_data;
	g_autoptr(GError) error = NULL;

	if (!g_subprocess_wait_finish(G_SUBPROCESS(source), result, &error) &&
	    g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	entry->exited = TRUE;
	if (entry->eof)
		attempt_finished(entry);
}

static void
write_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *text = user_data;

	/* a child that died early closes its stdin: its exit tells the story */
	if (!g_output_stream_write_all_finish(G_OUTPUT_STREAM(source), result, NULL, &error) &&
	    !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		g_debug("writing to a worker: %s", error->message);
}

static void
write_line(Entry *entry, gchar *text /* owned */)
{
	g_output_stream_write_all_async(
	    entry->control, text, strlen(text), G_PRIORITY_DEFAULT, entry->io, write_done_cb, text);
}

static void
start_entry(VfJobsLocalQueue *self, Entry *entry)
{
	g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(
	    G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
	const gchar *argv[] = {self->worker_path, "--run-job", NULL};
	g_autoptr(GError) error = NULL;
	g_autofree gchar *node = NULL;
	gint64 job_id = entry->job->job_id;

	g_subprocess_launcher_set_child_setup(
	    launcher, child_setup, GINT_TO_POINTER((gint)getpid()), NULL);
	entry->process = g_subprocess_launcher_spawnv(launcher, argv, &error);
	if (entry->process == NULL) {
		g_autofree gchar *message =
		    g_strdup_printf("cannot start the worker: %s", error->message);
		g_warning("job %" G_GINT64_FORMAT ": %s", job_id, message);
		entry_free(steal_entry(self, job_id));
		vf_job_queue_emit_failed(VF_JOB_QUEUE(self), job_id, message, TRUE);
		return;
	}
	self->running++;
	entry->state = ENTRY_RUNNING;
	entry->io = g_cancellable_new();
	entry->worker_id = g_strdup(g_subprocess_get_identifier(entry->process));
	entry->control = g_object_ref(g_subprocess_get_stdin_pipe(entry->process));
	entry->events = g_data_input_stream_new(g_subprocess_get_stdout_pipe(entry->process));
	entry->last_event = g_get_monotonic_time();
	entry->last_position = 0.0;
	entry->last_position_time = 0;
	write_line(entry, job_line(self, entry));
	g_data_input_stream_read_line_async(
	    entry->events, G_PRIORITY_DEFAULT, entry->io, read_event_cb, entry);
	g_subprocess_wait_async(entry->process, entry->io, wait_cb, entry);
	entry->stall_id = g_timeout_add_seconds(1, stall_cb, entry);
	node = g_strdup_printf("local/%s", entry->worker_id);
	g_info("job %" G_GINT64_FORMAT ": attempt %d in worker %s",
	       job_id,
	       entry->job->attempt,
	       entry->worker_id);
	vf_job_queue_emit_started(VF_JOB_QUEUE(self), job_id, entry->job->attempt, node);
}

static void
schedule(VfJobsLocalQueue *self)
{
	while (self->running < self->concurrency && !g_queue_is_empty(&self->waiting)) {
		Entry *entry = g_queue_pop_head(&self->waiting);
		start_entry(self, entry);
	}
}

static gboolean
submit(VfJobQueue *queue, const VfJob *job, GError **error)
{
	VfJobsLocalQueue *self = VF_JOBS_LOCAL_QUEUE(queue);
	Entry *entry;

	if (g_hash_table_contains(self->entries, &job->job_id)) {
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_INVALID_INPUT,
			    "job %" G_GINT64_FORMAT " is already queued",
			    job->job_id);
		return FALSE;
	}
	entry = g_new0(Entry, 1);
	entry->queue = self;
	entry->job = vf_job_copy(job);
	entry->job->attempt = MAX(entry->job->attempt, 1);
	entry->max_attempts = job->max_attempts > 0 ? job->max_attempts : (gint)self->max_attempts;
	entry->max_attempts = MAX(entry->max_attempts, entry->job->attempt);
	entry->state = ENTRY_WAITING;
	/* keyed by the entry's own job id: a steal needs no key to free */
	g_hash_table_insert(self->entries, &entry->job->job_id, entry);
	g_queue_push_tail(&self->waiting, entry);
	schedule(self);
	return TRUE;
}

static gboolean
kill_cb(gpointer user_data)
{
	Entry *entry = user_data;

	entry->kill_id = 0;
	g_warning("job %" G_GINT64_FORMAT ": worker %s ignored the cancel, killing it",
		  entry->job->job_id,
		  entry->worker_id);
	g_subprocess_force_exit(entry->process);
	return G_SOURCE_REMOVE;
}

static void
cancel_async(VfJobQueue *queue,
	     gint64 job_id,
	     GCancellable *cancellable,
	     GAsyncReadyCallback callback,
	     gpointer user_data)
{
	VfJobsLocalQueue *self = VF_JOBS_LOCAL_QUEUE(queue);
	g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
	Entry *entry = g_hash_table_lookup(self->entries, &job_id);

	g_task_set_source_tag(task, cancel_async);
	if (entry == NULL) {
		g_task_return_boolean(task, TRUE);
		return;
	}
	if (entry->state != ENTRY_RUNNING) {
		if (entry->state == ENTRY_WAITING)
			g_queue_remove(&self->waiting, entry);
		entry_free(steal_entry(self, job_id));
		g_task_return_boolean(task, TRUE);
		return;
	}
	if (entry->cancel_tasks == NULL)
		entry->cancel_tasks = g_ptr_array_new_with_free_func(g_object_unref);
	g_ptr_array_add(entry->cancel_tasks, g_steal_pointer(&task));
	if (entry->cancelled)
		return;
	/* an attempt that already exited ends quietly once its output is read */
	entry->cancelled = TRUE;
	if (entry->exited)
		return;
	/* the worker cancels on either; it then removes what it wrote */
	write_line(entry, g_strdup("cancel\n"));
	g_subprocess_send_signal(entry->process, SIGTERM);
	entry->kill_id = g_timeout_add(self->cancel_grace_ms, kill_cb, entry);
}

static gboolean
cancel_finish(VfJobQueue *queue, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, queue), FALSE);
	return g_task_propagate_boolean(G_TASK(result), error);
}

static guint
get_depth(VfJobQueue *queue)
{
	return g_hash_table_size(VF_JOBS_LOCAL_QUEUE(queue)->entries);
}

static guint
get_running(VfJobQueue *queue)
{
	return VF_JOBS_LOCAL_QUEUE(queue)->running;
}

void
vf_jobs_local_queue_set_concurrency(VfJobsLocalQueue *self, guint concurrency)
{
	g_return_if_fail(VF_IS_JOBS_LOCAL_QUEUE(self));
	self->concurrency = MAX(concurrency, 1);
	schedule(self);
}

void
vf_jobs_local_queue_set_max_attempts(VfJobsLocalQueue *self, guint max_attempts)
{
	g_return_if_fail(VF_IS_JOBS_LOCAL_QUEUE(self));
	self->max_attempts = MAX(max_attempts, 1);
}

void
vf_jobs_local_queue_set_stall_timeout(VfJobsLocalQueue *self, guint seconds)
{
	g_return_if_fail(VF_IS_JOBS_LOCAL_QUEUE(self));
	self->stall_timeout = MAX(seconds, 1);
}

void
vf_jobs_local_queue_set_backoff(VfJobsLocalQueue *self, guint first_ms, guint max_ms)
{
	g_return_if_fail(VF_IS_JOBS_LOCAL_QUEUE(self));
	self->backoff_first_ms = first_ms;
	self->backoff_max_ms = MAX(max_ms, first_ms);
}

void
vf_jobs_local_queue_set_ladder_file(VfJobsLocalQueue *self, const gchar *path)
{
	g_return_if_fail(VF_IS_JOBS_LOCAL_QUEUE(self));
	g_free(self->ladder_file);
	self->ladder_file = g_strdup(path);
}

void
vf_jobs_local_queue_set_cancel_grace(VfJobsLocalQueue *self, guint ms)
{
	g_return_if_fail(VF_IS_JOBS_LOCAL_QUEUE(self));
	self->cancel_grace_ms = ms;
}

const gchar *
vf_jobs_local_queue_get_worker_id(VfJobsLocalQueue *self, gint64 job_id)
{
	Entry *entry;

	g_return_val_if_fail(VF_IS_JOBS_LOCAL_QUEUE(self), NULL);
	entry = g_hash_table_lookup(self->entries, &job_id);
	if (entry == NULL || entry->state != ENTRY_RUNNING || entry->exited)
		return NULL;
	return entry->worker_id;
}

gchar *
vf_jobs_local_queue_find_worker(void)
{
	g_autofree gchar *self_exe = g_file_read_link("/proc/self/exe", NULL);
	g_autofree gchar *built =
	    g_build_filename(VF_BUILD_ROOT, "src", "bin", "videoflix-worker", NULL);

	if (self_exe != NULL) {
		g_autofree gchar *dir = g_path_get_dirname(self_exe);
		g_autofree gchar *beside = g_build_filename(dir, "videoflix-worker", NULL);
		if (g_file_test(beside, G_FILE_TEST_IS_EXECUTABLE))
			return g_steal_pointer(&beside);
	}
	if (g_file_test(built, G_FILE_TEST_IS_EXECUTABLE))
		return g_steal_pointer(&built);
	return g_find_program_in_path("videoflix-worker");
}

VfJobQueue *
vf_jobs_local_queue_new(const gchar *worker_path, const gchar *media_root)
{
	VfJobsLocalQueue *self;

	g_return_val_if_fail(worker_path != NULL && media_root != NULL, NULL);
	self = g_object_new(VF_TYPE_JOBS_LOCAL_QUEUE, NULL);
	self->worker_path = g_strdup(worker_path);
	self->media_root = g_canonicalize_filename(media_root, NULL);
	return VF_JOB_QUEUE(self);
}

static void
vf_jobs_local_queue_dispose(GObject *object)
{
	VfJobsLocalQueue *self = VF_JOBS_LOCAL_QUEUE(object);
	GHashTableIter iter;
	gpointer value;

	/* children die with us (SIGKILL), their jobs stay "running" in the database
	 * and are re-queued by the next start */
	g_queue_clear(&self->waiting);
	g_hash_table_iter_init(&iter, self->entries);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		/* out of the table first: its key lives in the entry */
		g_hash_table_iter_steal(&iter);
		entry_free(value);
	}
	self->running = 0;
	G_OBJECT_CLASS(vf_jobs_local_queue_parent_class)->dispose(object);
}

static void
vf_jobs_local_queue_finalize(GObject *object)
{
	VfJobsLocalQueue *self = VF_JOBS_LOCAL_QUEUE(object);

	g_hash_table_unref(self->entries);
	g_free(self->worker_path);
	g_free(self->media_root);
	g_free(self->ladder_file);
	G_OBJECT_CLASS(vf_jobs_local_queue_parent_class)->finalize(object);
}

static void
vf_jobs_local_queue_init(VfJobsLocalQueue *self)
{
	self->entries = g_hash_table_new(g_int64_hash, g_int64_equal);
	g_queue_init(&self->waiting);
	self->concurrency = 1;
	self->max_attempts = 3;
	self->stall_timeout = 120;
	self->backoff_first_ms = 2000;
	self->backoff_max_ms = 60000;
	self->cancel_grace_ms = 1500;
}

static void
vf_jobs_local_queue_class_init(VfJobsLocalQueueClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	VfJobQueueClass *queue_class = VF_JOB_QUEUE_CLASS(klass);

	/* a child that died before reading its job turns our write into SIGPIPE, which
	 * would end the daemon: ignore it as GSocket's class does, and see EPIPE */
	signal(SIGPIPE, SIG_IGN);
	object_class->dispose = vf_jobs_local_queue_dispose;
	object_class->finalize = vf_jobs_local_queue_finalize;
	queue_class->submit = submit;
	queue_class->cancel_async = cancel_async;
	queue_class->cancel_finish = cancel_finish;
	queue_class->get_depth = get_depth;
	queue_class->get_running = get_running;
}
