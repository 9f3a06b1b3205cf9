/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The worker node. The fetch thread takes a job only while a slot is free and hands
 * it to the main thread; the cancel thread hands over cancel requests. Outcomes are
 * settled on the serial NATS thread in one step each (move the ladder into place or
 * delete the staging folder, publish the event, then ack/nak/term), so an event is
 * always stored before its job leaves the queue.
 */
#include "config.h"

#include "vf-jobs-nats-worker.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "vf-error.h"
#include "vf-files.h"
#include "vf-jobs-event.h"
#include "vf-json.h"

#define FETCH_TIMEOUT_MS  1000
#define CANCEL_POLL_MS	  250
#define CANCEL_MEMORY_US  (3600 * (gint64)G_USEC_PER_SEC)
#define PROGRESS_EVERY_US G_USEC_PER_SEC
#define BACKOFF_FIRST_MS  2000
#define BACKOFF_MAX_MS	  60000
#define DUPLICATE_NAK_MS  5000

typedef enum {
	OUTCOME_COMPLETED,
	OUTCOME_FAILED,
	OUTCOME_CANCELLED,
	OUTCOME_HANDED_BACK,
} Outcome;

typedef struct {
	VfJobsNatsWorker *worker; /* borrowed */
	natsMsg *message;
	VfJob *job;
	guint64 seq;
	guint delivered;
	gint attempt;
	gchar *staging; /* absolute */
	gchar *final;	/* absolute */
	guint heartbeat_id;
	gint64 last_progress;
	guint serial; /* of progress events */
	gboolean settling;
	gchar *cancel_reply;
} Running;

struct _VfJobsNatsWorker {
	GObject parent_instance;
	VfJobsNats *nats;
	VfJobQueue *runner;
	gchar *media_root;
	gchar *name;
	guint slots;
	gulong handlers[4];
	GHashTable *running;   /* job id → Running */
	GHashTable *cancelled; /* job id → when to forget it (monotonic µs) */
	GMainContext *context;
	/* shared with the threads */
	GMutex lock;
	GCond changed;
	guint free_slots;
	gint stopping;
	GThread *fetch_thread;
	GThread *cancel_thread;
	/* stopping */
	GTask *stop_task;
	guint grace_id;
};

G_DEFINE_TYPE(VfJobsNatsWorker, vf_jobs_nats_worker, G_TYPE_OBJECT)

static void
running_free(Running *running)
{
	g_clear_handle_id(&running->heartbeat_id, g_source_remove);
	if (running->message != NULL)
		natsMsg_Destroy(running->message);
	vf_job_free(running->job);
	g_free(running->staging);
	g_free(running->final);
	g_free(running->cancel_reply);
	g_free(running);
}

static void
release_slot(VfJobsNatsWorker *self)
{
	g_mutex_lock(&self->lock);
	self->free_slots++;
	g_cond_broadcast(&self->changed);
	g_mutex_unlock(&self->lock);
}

static VfJobsEvent *
event_new(VfJobsNatsWorker *self, Running *running, VfJobsEventKind kind)
{
	VfJobsEvent *event = vf_jobs_event_new(kind);

	event->job_id = running->job->job_id;
	event->video_id = running->job->video_id;
	event->attempt = running->attempt;
	event->delivery = running->seq;
	event->node = g_strdup(self->name);
	return event;
}

/* ---- publishing events (serial thread) ---- */

typedef struct {
	VfJobsNats *nats;
	VfJobsEvent *event;
	guint serial;
} Post;

static void
post_free(Post *post)
{
	g_object_unref(post->nats);
	vf_jobs_event_free(post->event);
	g_free(post);
}

static gboolean
publish_event(VfJobsNats *nats, const VfJobsEvent *event, guint serial, GError **error)
{
	g_autofree gchar *subject = vf_jobs_event_dup_subject(event);
	g_autofree gchar *msg_id = vf_jobs_event_dup_msg_id(event, serial);
	g_autofree gchar *data = vf_jobs_event_to_data(event);

	return vf_jobs_nats_publish(nats, subject, msg_id, data, NULL, NULL, error);
}

static void
post_thread(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
	Post *post = task_data;
	g_autoptr(GError) error = NULL;

	if (!publish_event(post->nats, post->event, post->serial, &error))
		g_warning("job %" G_GINT64_FORMAT ": publishing its %s event: %s",
			  post->event->job_id,
			  vf_jobs_event_kind_to_string(post->event->kind),
			  error->message);
	g_task_return_boolean(task, TRUE);
}

static void
post(VfJobsNatsWorker *self, VfJobsEvent *event, guint serial)
{
	g_autoptr(GTask) task = g_task_new(NULL, NULL, NULL, NULL);
	Post *data = g_new0(Post, 1);

	data->nats = g_object_ref(self->nats);
	data->event = event;
	data->serial = serial;
	g_task_set_task_data(task, data, (GDestroyNotify)post_free);
	vf_jobs_nats_run_serial(self->nats, task, post_thread);
}

/* ---- settling a job (serial thread) ---- */

typedef struct {
	VfJobsNats *nats;
	Outcome outcome;
	natsMsg *message;
	gchar *staging;
	gchar *final;
	VfJobsEvent *event; /* to publish first, or NULL */
	gboolean retry;	    /* failed: nak for another delivery instead of term */
	gint64 nak_delay_ms;
	gchar *cancel_reply;
} Settle;

static void
settle_free(Settle *settle)
{
	g_object_unref(settle->nats);
	if (settle->message != NULL)
		natsMsg_Destroy(settle->message);
	g_free(settle->staging);
	g_free(settle->final);
	vf_jobs_event_free(settle->event);
	g_free(settle->cancel_reply);
	g_free(settle);
}

/* the staging folder becomes the generation folder, unless another delivery of
 * the same job got there first: then this one's output goes */
static void
move_into_place(Settle *settle)
{
	g_autofree gchar *parent = g_path_get_dirname(settle->final);

	g_mkdir_with_parents(parent, 0755);
	if (g_rename(settle->staging, settle->final) == 0)
		return;
	if (errno == ENOTEMPTY || errno == EEXIST)
		g_message("%s is complete already (another delivery of the job); removing this "
			  "delivery's output",
			  settle->final);
	else
		g_warning("cannot move %s into place: %s", settle->staging, g_strerror(errno));
	vf_files_remove_tree(settle->staging);
}

static void
settle_thread(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
	Settle *settle = task_data;
	g_autoptr(GError) error = NULL;
	natsStatus status = NATS_OK;
	jsErrCode code = 0;

	if (settle->outcome == OUTCOME_COMPLETED)
		move_into_place(settle);
	else
		vf_files_remove_tree(settle->staging);
	if (settle->event != NULL && !publish_event(settle->nats, settle->event, 0, &error)) {
		/* not stored: leave the job to its redelivery, which reports again */
		g_warning("job %" G_GINT64_FORMAT ": publishing its outcome: %s",
			  settle->event->job_id,
			  error->message);
		g_task_return_boolean(task, FALSE);
		return;
	}
	switch (settle->outcome) {
	case OUTCOME_COMPLETED:
		status = natsMsg_AckSync(settle->message, NULL, &code);
		break;
	case OUTCOME_FAILED:
		status = settle->retry
			     ? natsMsg_NakWithDelay(settle->message, settle->nak_delay_ms, NULL)
			     : natsMsg_Term(settle->message, NULL);
		break;
	case OUTCOME_CANCELLED:
		status = natsMsg_Term(settle->message, NULL);
		if (settle->cancel_reply != NULL)
			natsConnection_PublishString(vf_jobs_nats_get_connection(settle->nats),
						     settle->cancel_reply,
						     "cancelled");
		break;
	case OUTCOME_HANDED_BACK:
		status = natsMsg_Nak(settle->message, NULL);
		break;
	}
	if (status != NATS_OK)
		g_warning(
		    "settling a job message: %s (%d)", natsStatus_GetText(status), (gint)code);
	g_task_return_boolean(task, status == NATS_OK);
}

static void maybe_finish_stop(VfJobsNatsWorker *self);

static void
settled_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	VfJobsNatsWorker *self = VF_JOBS_NATS_WORKER(source);
	gint64 job_id = user_data != NULL ? *(gint64 *)user_data : 0;

	/* a refused message (user_data NULL) held a slot but no entry */
	g_hash_table_remove(self->running, &job_id);
	g_free(user_data);
	release_slot(self);
	maybe_finish_stop(self);
}

static void
settle(VfJobsNatsWorker *self,
       Running *running,
       Outcome outcome,
       VfJobsEvent *event,
       gboolean retry,
       gint64 nak_delay_ms)
{
	g_autoptr(GTask) task = NULL;
	Settle *data = g_new0(Settle, 1);

	running->settling = TRUE;
	g_clear_handle_id(&running->heartbeat_id, g_source_remove);
	data->nats = g_object_ref(self->nats);
	data->outcome = outcome;
	data->message = g_steal_pointer(&running->message);
	data->staging = g_strdup(running->staging);
	data->final = g_strdup(running->final);
	data->event = event;
	data->retry = retry;
	data->nak_delay_ms = nak_delay_ms;
	data->cancel_reply = g_steal_pointer(&running->cancel_reply);
	task = g_task_new(
	    self, NULL, settled_cb, g_memdup2(&running->job->job_id, sizeof(running->job->job_id)));
	g_task_set_task_data(task, data, (GDestroyNotify)settle_free);
	vf_jobs_nats_run_serial(self->nats, task, settle_thread);
}

/* ---- the runner's signals ---- */

static Running *
lookup(VfJobsNatsWorker *self, gint64 job_id)
{
	Running *running = g_hash_table_lookup(self->running, &job_id);
	return running != NULL && !running->settling ? running : NULL;
}

static void
runner_started_cb(VfJobQueue *runner, gint64 job_id, gint attempt, const gchar *pid, gpointer data)
{
	VfJobsNatsWorker *self = data;
	Running *running = lookup(self, job_id);

	if (running == NULL)
		return;
	g_info("job %" G_GINT64_FORMAT ": attempt %d started (child %s)",
	       job_id,
	       running->attempt,
	       pid);
	post(self, event_new(self, running, VF_JOBS_EVENT_STARTED), 0);
}

static void
runner_progress_cb(
    VfJobQueue *runner, gint64 job_id, gdouble progress, gdouble speed, gpointer data)
{
	VfJobsNatsWorker *self = data;
	Running *running = lookup(self, job_id);
	gint64 now = g_get_monotonic_time();
	VfJobsEvent *event;

	if (running == NULL || now - running->last_progress < PROGRESS_EVERY_US)
		return;
	running->last_progress = now;
	event = event_new(self, running, VF_JOBS_EVENT_PROGRESS);
	event->progress = progress;
	event->speed = speed;
	post(self, event, ++running->serial);
}

static void
runner_completed_cb(VfJobQueue *runner, gint64 job_id, JsonNode *result, gpointer data)
{
	VfJobsNatsWorker *self = data;
	Running *running = lookup(self, job_id);
	VfJobsEvent *event;

	if (running == NULL)
		return;
	event = event_new(self, running, VF_JOBS_EVENT_COMPLETED);
	event->outcome = result != NULL ? json_node_ref(result) : NULL;
	g_info("job %" G_GINT64_FORMAT ": completed", job_id);
	settle(self, running, OUTCOME_COMPLETED, event, FALSE, 0);
}

static void
runner_failed_cb(
    VfJobQueue *runner, gint64 job_id, const gchar *message, gboolean retryable, gpointer data)
{
	VfJobsNatsWorker *self = data;
	Running *running = lookup(self, job_id);
	guint max_deliver = vf_jobs_nats_get_limits(self->nats)->max_deliver;
	VfJobsEvent *event;

	if (running == NULL)
		return;
	if (retryable && running->delivered < max_deliver) {
		gint64 delay = MIN((gint64)BACKOFF_FIRST_MS << MIN(running->delivered - 1, 10),
				   BACKOFF_MAX_MS);
		g_message("job %" G_GINT64_FORMAT
			  ": attempt %d failed (%s); retrying in %" G_GINT64_FORMAT " ms",
			  job_id,
			  running->attempt,
			  message,
			  delay);
		event = event_new(self, running, VF_JOBS_EVENT_RETRYING);
		event->message = g_strdup(message);
		settle(self, running, OUTCOME_FAILED, event, TRUE, delay);
		return;
	}
	g_message("job %" G_GINT64_FORMAT ": failed for good: %s", job_id, message);
	event = event_new(self, running, VF_JOBS_EVENT_FAILED);
	event->message = g_strdup(message);
	event->retryable = retryable;
	settle(self, running, OUTCOME_FAILED, event, FALSE, 0);
}

/* ---- taking a job (main thread) ---- */

static gboolean
heartbeat_cb(gpointer data)
{
	Running *running = data;

	/* "still working": JetStream restarts the ack wait */
	if (running->message != NULL)
		natsMsg_InProgress(running->message, NULL);
	return G_SOURCE_CONTINUE;
}

/* a job this node will not run: answer its message right away */
static void
refuse(VfJobsNatsWorker *self, natsMsg *message, Outcome outcome, gint64 nak_delay_ms)
{
	g_autoptr(GTask) task = g_task_new(self, NULL, settled_cb, NULL);
	Settle *data = g_new0(Settle, 1);

	data->nats = g_object_ref(self->nats);
	data->outcome = outcome;
	data->message = message;
	data->retry = TRUE;
	data->nak_delay_ms = nak_delay_ms;
	g_task_set_task_data(task, data, (GDestroyNotify)settle_free);
	vf_jobs_nats_run_serial(self->nats, task, settle_thread);
}

static gboolean
is_cancelled(VfJobsNatsWorker *self, gint64 job_id)
{
	gint64 *until = g_hash_table_lookup(self->cancelled, &job_id);
	return until != NULL && *until > g_get_monotonic_time();
}

typedef struct {
	gint64 job_id;
	VfJob *local; /* the job as the runner gets it */
	gchar *staging;
} Clearing;

static void
clearing_free(Clearing *clearing)
{
	vf_job_free(clearing->local);
	g_free(clearing->staging);
	g_free(clearing);
}

static void
clear_thread(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
	Clearing *clearing = task_data;
	vf_files_remove_tree(clearing->staging);
	g_task_return_boolean(task, TRUE);
}

static void
cleared_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	VfJobsNatsWorker *self = VF_JOBS_NATS_WORKER(source);
	Clearing *clearing = g_task_get_task_data(G_TASK(result));
	Running *running = lookup(self, clearing->job_id);
	g_autoptr(GError) error = NULL;

	/* cancelled or handed back meanwhile */
	if (running == NULL)
		return;
	if (!vf_job_queue_submit(self->runner, clearing->local, &error)) {
		g_warning("job %" G_GINT64_FORMAT ": %s", clearing->job_id, error->message);
		settle(self, running, OUTCOME_FAILED, NULL, TRUE, DUPLICATE_NAK_MS);
	}
}

static void
take(VfJobsNatsWorker *self, natsMsg *message)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) root = vf_json_parse_object(natsMsg_GetData(message),
							(gsize)natsMsg_GetDataLength(message),
							"a job message",
							&error);
	g_autoptr(VfJob) job = NULL;
	g_autoptr(VfJob) local = NULL;
	jsMsgMetaData *meta = NULL;
	Running *running;
	g_autofree gchar *relative = NULL;
	g_autoptr(GTask) task = NULL;
	Clearing *clearing;
	guint ack_wait;

	if (root != NULL)
		job = vf_job_from_json(root, &error);
	if (job != NULL && !vf_job_check_paths(job, &error))
		g_clear_pointer(&job, vf_job_free);
	if (job == NULL || natsMsg_GetMetaData(&meta, message) != NATS_OK) {
		g_warning("dropping a job message that is not a job: %s",
			  error != NULL ? error->message : "no metadata");
		refuse(self, message, OUTCOME_CANCELLED, 0);
		return;
	}
	if (g_atomic_int_get(&self->stopping)) {
		refuse(self, message, OUTCOME_HANDED_BACK, 0);
		jsMsgMetaData_Destroy(meta);
		return;
	}
	if (is_cancelled(self, job->job_id)) {
		g_info("job %" G_GINT64_FORMAT " was cancelled; dropping it", job->job_id);
		refuse(self, message, OUTCOME_CANCELLED, 0);
		jsMsgMetaData_Destroy(meta);
		return;
	}
	if (g_hash_table_contains(self->running, &job->job_id)) {
		/* another delivery of a job this node runs: let another node have it */
		refuse(self, message, OUTCOME_FAILED, DUPLICATE_NAK_MS);
		jsMsgMetaData_Destroy(meta);
		return;
	}
	running = g_new0(Running, 1);
	running->worker = self;
	running->message = message;
	running->seq = meta->Sequence.Stream;
	running->delivered = (guint)meta->NumDelivered;
	running->attempt = MAX(job->attempt, 1) + (gint)running->delivered - 1;
	jsMsgMetaData_Destroy(meta);
	relative = g_strdup_printf("%s.partial-%" G_GUINT64_FORMAT, job->output, running->seq);
	running->final = g_build_filename(self->media_root, job->output, NULL);
	running->staging = g_build_filename(self->media_root, relative, NULL);
	local = vf_job_copy(job);
	g_free(local->output);
	local->output = g_steal_pointer(&relative);
	local->attempt = 1;
	local->max_attempts = 1;
	running->job = g_steal_pointer(&job);
	g_hash_table_insert(self->running, &running->job->job_id, running);
	ack_wait = vf_jobs_nats_get_limits(self->nats)->ack_wait_s;
	running->heartbeat_id = g_timeout_add_seconds(MAX(ack_wait / 3, 1), heartbeat_cb, running);
	g_info("job %" G_GINT64_FORMAT ": delivery %u (stream sequence %" G_GUINT64_FORMAT ")",
	       running->job->job_id,
	       running->delivered,
	       running->seq);
	/* a redelivery first clears what an earlier holder of this message left behind,
	 * off the loop (a partial ladder can be many files) */
	clearing = g_new0(Clearing, 1);
	clearing->job_id = running->job->job_id;
	clearing->local = g_steal_pointer(&local);
	clearing->staging = g_strdup(running->staging);
	task = g_task_new(self, NULL, cleared_cb, NULL);
	g_task_set_task_data(task, clearing, (GDestroyNotify)clearing_free);
	g_task_run_in_thread(task, clear_thread);
}

/* ---- cancel (main thread) ---- */

typedef struct {
	VfJobsNatsWorker *self; /* ref */
	gint64 job_id;
} Stopping;

static void
runner_cancelled_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Stopping *stopping = user_data;
	g_autoptr(VfJobsNatsWorker) self = stopping->self;
	gint64 job_id = stopping->job_id;
	Running *running;

	g_free(stopping);
	vf_job_queue_cancel_finish(VF_JOB_QUEUE(source), result, NULL);
	running = lookup(self, job_id);
	if (running == NULL)
		return;
	settle(self,
	       running,
	       g_atomic_int_get(&self->stopping) && running->cancel_reply == NULL
		   ? OUTCOME_HANDED_BACK
		   : OUTCOME_CANCELLED,
	       NULL,
	       FALSE,
	       0);
}

static void
stop_running(VfJobsNatsWorker *self, Running *running)
{
	Stopping *stopping = g_new0(Stopping, 1);

	stopping->self = g_object_ref(self);
	stopping->job_id = running->job->job_id;
	vf_job_queue_cancel_async(
	    self->runner, running->job->job_id, NULL, runner_cancelled_cb, stopping);
}

static void
cancel(VfJobsNatsWorker *self, gint64 job_id, const gchar *reply)
{
	gint64 now = g_get_monotonic_time();
	gint64 until = now + CANCEL_MEMORY_US;
	GHashTableIter iter;
	gpointer value;
	Running *running;

	/* forget cancels older than the memory (their jobs cannot come any more) */
	g_hash_table_iter_init(&iter, self->cancelled);
	while (g_hash_table_iter_next(&iter, NULL, &value))
		if (*(gint64 *)value < now)
			g_hash_table_iter_remove(&iter);
	g_hash_table_insert(
	    self->cancelled, g_memdup2(&job_id, sizeof(job_id)), g_memdup2(&until, sizeof(until)));
	running = lookup(self, job_id);
	if (running == NULL)
		return;
	g_message("job %" G_GINT64_FORMAT ": cancelled", job_id);
	g_free(running->cancel_reply);
	running->cancel_reply = g_strdup(reply != NULL ? reply : "");
	stop_running(self, running);
}

/* ---- threads ---- */

typedef struct {
	VfJobsNatsWorker *self; /* ref */
	natsMsg *message;	/* a job */
	gint64 cancel_job;	/* or a cancel */
	gchar *reply;
} Handoff;

static void
handoff_free(gpointer data)
{
	Handoff *handoff = data;
	if (handoff->message != NULL) {
		/* never handled (the loop stopped): give the job back */
		natsMsg_Nak(handoff->message, NULL);
		natsMsg_Destroy(handoff->message);
	}
	g_free(handoff->reply);
	g_object_unref(handoff->self);
	g_free(handoff);
}

static gboolean
handoff_cb(gpointer data)
{
	Handoff *handoff = data;

	if (handoff->message != NULL)
		take(handoff->self, g_steal_pointer(&handoff->message));
	else
		cancel(handoff->self,
		       handoff->cancel_job,
		       handoff->reply != NULL && *handoff->reply != '\0' ? handoff->reply : NULL);
	return G_SOURCE_REMOVE;
}

static void
hand_off(VfJobsNatsWorker *self, natsMsg *message, gint64 cancel_job, const gchar *reply)
{
	Handoff *handoff = g_new0(Handoff, 1);

	handoff->self = g_object_ref(self);
	handoff->message = message;
	handoff->cancel_job = cancel_job;
	handoff->reply = g_strdup(reply);
	g_main_context_invoke_full(
	    self->context, G_PRIORITY_DEFAULT, handoff_cb, handoff, handoff_free);
}

static gpointer
fetch_thread(gpointer data)
{
	VfJobsNatsWorker *self = data;
	natsSubscription *subscription = NULL;
	gboolean warned = FALSE;

	for (;;) {
		natsMsgList list = {0};
		jsErrCode code = 0;
		natsStatus status = NATS_OK;

		g_mutex_lock(&self->lock);
		while (self->free_slots == 0 && !g_atomic_int_get(&self->stopping))
			g_cond_wait(&self->changed, &self->lock);
		g_mutex_unlock(&self->lock);
		if (g_atomic_int_get(&self->stopping))
			break;
		if (subscription == NULL)
			status = js_PullSubscribe(&subscription,
						  vf_jobs_nats_get_context(self->nats),
						  VF_JOBS_NATS_JOBS_SUBJECT,
						  VF_JOBS_NATS_JOBS_CONSUMER,
						  NULL,
						  NULL,
						  &code);
		if (status == NATS_OK)
			status =
			    natsSubscription_Fetch(&list, subscription, 1, FETCH_TIMEOUT_MS, &code);
		if (status == NATS_OK && list.Count > 0) {
			warned = FALSE;
			g_mutex_lock(&self->lock);
			self->free_slots--;
			g_mutex_unlock(&self->lock);
			hand_off(self, list.Msgs[0], 0, NULL);
			list.Msgs[0] = NULL;
		} else if (status != NATS_OK && status != NATS_TIMEOUT) {
			if (!warned)
				g_warning("fetching jobs: %s (%d); trying again",
					  natsStatus_GetText(status),
					  (gint)code);
			warned = TRUE;
			g_usleep(500 * 1000);
		}
		natsMsgList_Destroy(&list);
	}
	/* jobs taken from it may still be running: their acks need it */
	vf_jobs_nats_adopt_subscription(self->nats, subscription);
	g_object_unref(self);
	return NULL;
}

static gpointer
cancel_thread(gpointer data)
{
	VfJobsNatsWorker *self = data;
	natsSubscription *subscription = NULL;
	natsStatus status = natsConnection_SubscribeSync(
	    &subscription, vf_jobs_nats_get_connection(self->nats), VF_JOBS_NATS_CANCEL_PREFIX "*");

	if (status != NATS_OK)
		g_warning("cannot listen for cancelled jobs: %s", natsStatus_GetText(status));
	while (status == NATS_OK && !g_atomic_int_get(&self->stopping)) {
		natsMsg *message = NULL;
		const gchar *subject;
		gint64 job_id;

		if (natsSubscription_NextMsg(&message, subscription, CANCEL_POLL_MS) != NATS_OK)
			continue;
		subject = natsMsg_GetSubject(message);
		job_id = g_ascii_strtoll(subject + strlen(VF_JOBS_NATS_CANCEL_PREFIX), NULL, 10);
		if (job_id > 0)
			hand_off(self, NULL, job_id, natsMsg_GetReply(message));
		natsMsg_Destroy(message);
	}
	if (subscription != NULL)
		natsSubscription_Destroy(subscription);
	g_object_unref(self);
	return NULL;
}

void
vf_jobs_nats_worker_start(VfJobsNatsWorker *self)
{
	g_return_if_fail(VF_IS_JOBS_NATS_WORKER(self) && self->fetch_thread == NULL);

	self->context = g_main_context_ref_thread_default();
	self->cancel_thread = g_thread_new("vf-nats-cancel", cancel_thread, g_object_ref(self));
	self->fetch_thread = g_thread_new("vf-nats-fetch", fetch_thread, g_object_ref(self));
}

/* ---- stopping ---- */

static void
maybe_finish_stop(VfJobsNatsWorker *self)
{
	gboolean idle;

	if (self->stop_task == NULL)
		return;
	/* every message fetched (running, refused or still on its way here) is settled */
	g_mutex_lock(&self->lock);
	idle = self->free_slots == self->slots;
	g_mutex_unlock(&self->lock);
	if (!idle)
		return;
	g_clear_handle_id(&self->grace_id, g_source_remove);
	if (self->fetch_thread != NULL)
		g_thread_join(g_steal_pointer(&self->fetch_thread));
	if (self->cancel_thread != NULL)
		g_thread_join(g_steal_pointer(&self->cancel_thread));
	g_task_return_boolean(self->stop_task, TRUE);
	g_clear_object(&self->stop_task);
}

static gboolean
grace_over_cb(gpointer data)
{
	VfJobsNatsWorker *self = data;
	GHashTableIter iter;
	gpointer value;

	self->grace_id = 0;
	g_message("grace period over: handing %u job(s) back", g_hash_table_size(self->running));
	g_hash_table_iter_init(&iter, self->running);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		Running *running = value;
		if (!running->settling)
			stop_running(self, running);
	}
	return G_SOURCE_REMOVE;
}

void
vf_jobs_nats_worker_stop_async(VfJobsNatsWorker *self,
			       guint grace_s,
			       GAsyncReadyCallback callback,
			       gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(self, NULL, callback, user_data);

	g_return_if_fail(VF_IS_JOBS_NATS_WORKER(self));
	if (self->stop_task != NULL) {
		g_task_return_new_error(
		    task, G_IO_ERROR, G_IO_ERROR_PENDING, "the worker is stopping already");
		return;
	}
	self->stop_task = g_steal_pointer(&task);
	g_mutex_lock(&self->lock);
	g_atomic_int_set(&self->stopping, TRUE);
	g_cond_broadcast(&self->changed);
	g_mutex_unlock(&self->lock);
	if (g_hash_table_size(self->running) > 0) {
		g_message("stopping: %u job(s) may finish within %u s",
			  g_hash_table_size(self->running),
			  grace_s);
		self->grace_id = g_timeout_add_seconds(grace_s, grace_over_cb, self);
	}
	maybe_finish_stop(self);
}

gboolean
vf_jobs_nats_worker_stop_finish(VfJobsNatsWorker *self, GAsyncResult *result, GError **error)
{
	return g_task_propagate_boolean(G_TASK(result), error);
}

guint
vf_jobs_nats_worker_get_running(VfJobsNatsWorker *self)
{
	g_return_val_if_fail(VF_IS_JOBS_NATS_WORKER(self), 0);
	return g_hash_table_size(self->running);
}

VfJobsNatsWorker *
vf_jobs_nats_worker_new(
    VfJobsNats *nats, VfJobQueue *runner, const gchar *media_root, const gchar *name, guint slots)
{
	VfJobsNatsWorker *self;

	g_return_val_if_fail(VF_IS_JOBS_NATS(nats) && VF_IS_JOB_QUEUE(runner), NULL);
	g_return_val_if_fail(media_root != NULL && name != NULL, NULL);

	self = g_object_new(VF_TYPE_JOBS_NATS_WORKER, NULL);
	self->nats = g_object_ref(nats);
	self->runner = g_object_ref(runner);
	self->media_root = g_canonicalize_filename(media_root, NULL);
	self->name = g_strdup(name);
	self->slots = MAX(slots, 1);
	self->free_slots = self->slots;
	self->handlers[0] =
	    g_signal_connect(runner, "job-started", G_CALLBACK(runner_started_cb), self);
	self->handlers[1] =
	    g_signal_connect(runner, "job-progress", G_CALLBACK(runner_progress_cb), self);
	self->handlers[2] =
	    g_signal_connect(runner, "job-completed", G_CALLBACK(runner_completed_cb), self);
	self->handlers[3] =
	    g_signal_connect(runner, "job-failed", G_CALLBACK(runner_failed_cb), self);
	return self;
}

static void
vf_jobs_nats_worker_dispose(GObject *object)
{
	VfJobsNatsWorker *self = VF_JOBS_NATS_WORKER(object);

	if (self->runner != NULL) {
		for (guint i = 0; i < G_N_ELEMENTS(self->handlers); i++)
			g_clear_signal_handler(&self->handlers[i], self->runner);
	}
	g_clear_object(&self->runner);
	g_clear_object(&self->nats);
	G_OBJECT_CLASS(vf_jobs_nats_worker_parent_class)->dispose(object);
}

static void
vf_jobs_nats_worker_finalize(GObject *object)
{
	VfJobsNatsWorker *self = VF_JOBS_NATS_WORKER(object);

	g_hash_table_unref(self->running);
	g_hash_table_unref(self->cancelled);
	g_clear_pointer(&self->context, g_main_context_unref);
	g_mutex_clear(&self->lock);
	g_cond_clear(&self->changed);
	g_free(self->media_root);
	g_free(self->name);
	G_OBJECT_CLASS(vf_jobs_nats_worker_parent_class)->finalize(object);
}

static void
vf_jobs_nats_worker_class_init(VfJobsNatsWorkerClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->dispose = vf_jobs_nats_worker_dispose;
	object_class->finalize = vf_jobs_nats_worker_finalize;
}

static void
vf_jobs_nats_worker_init(VfJobsNatsWorker *self)
{
	/* keyed by each entry's own job id */
	self->running =
	    g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, (GDestroyNotify)running_free);
	self->cancelled = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	g_mutex_init(&self->lock);
	g_cond_init(&self->changed);
}
