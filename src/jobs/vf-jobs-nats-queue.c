/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The API node's JetStream queue. Main thread: the table of held jobs, signals,
 * cancel. Serial NATS thread: publishing jobs, acking events, removing messages.
 * Consumer thread: fetches events and max-delivery advisories and hands each to the
 * main thread; an event is acked only after it was handled there, so an event the
 * process never saw is delivered again after a restart.
 */
#include "config.h"

#include "vf-jobs-nats-queue.h"

#include <glib/gstdio.h>
#include <string.h>

#include "vf-error.h"
#include "vf-files.h"
#include "vf-jobs-event.h"
#include "vf-json.h"

#define FETCH_BATCH	     64
#define FETCH_TIMEOUT_MS     1000
#define STALE_PROGRESS_MS    30000
#define STOP_REPEAT_US	     (5 * G_USEC_PER_SEC)
#define CANCEL_REPLY_WAIT_MS 3000
#define ADVISORY_SUBJECT                                                                           \
	"$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES." VF_JOBS_NATS_JOBS_STREAM                     \
	"." VF_JOBS_NATS_JOBS_CONSUMER

typedef struct {
	VfJob *job;
	guint64 seq;	     /* of the job message; 0 until published */
	gint64 published_ms; /* wall clock when it was sent to the broker */
	gint attempt;
	gboolean started;
	gchar *node;
} Held;

/* shared by the consumer thread and the deliveries it queues on the main thread */
typedef struct {
	GWeakRef queue;
	VfJobsNats *nats;
	GMainContext *context;
	gint stopping;
} Consumer;

struct _VfJobsNatsQueue {
	VfJobQueue parent_instance;
	VfJobsNats *nats;
	gchar *media_root;
	gchar *ladder_ini;
	GHashTable *held;      /* job id → Held */
	GHashTable *cancelled; /* job id → output folder (relative) of jobs cancelled here */
	GHashTable *stops;     /* job id → when a stop was last sent for an unheld job */
	GCancellable *cancellable;
	Consumer *consumer;
	GThread *thread;
};

G_DEFINE_TYPE(VfJobsNatsQueue, vf_jobs_nats_queue, VF_TYPE_JOB_QUEUE)

static void
held_free(gpointer data)
{
	Held *held = data;
	vf_job_free(held->job);
	g_free(held->node);
	g_free(held);
}

static void
consumer_clear(Consumer *consumer)
{
	g_weak_ref_clear(&consumer->queue);
	g_object_unref(consumer->nats);
	g_main_context_unref(consumer->context);
}

static Consumer *
consumer_ref(Consumer *consumer)
{
	return g_atomic_rc_box_acquire(consumer);
}

static void
consumer_unref(Consumer *consumer)
{
	g_atomic_rc_box_release_full(consumer, (GDestroyNotify)consumer_clear);
}

/* ---- publishing ---- */

/* work of the serial thread holds the connection and only a weak reference to the
 * queue, so that a publish retrying through an outage does not keep it alive */
typedef struct {
	VfJobsNats *nats;
	GWeakRef queue;
	gint64 job_id;
	gchar *data;
	gchar *msg_id;
	guint64 seq;
	gint64 published_ms;
	guint deliveries;
} Publish;

static Publish *
publish_new(VfJobsNatsQueue *self)
{
	Publish *publish = g_new0(Publish, 1);
	publish->nats = g_object_ref(self->nats);
	g_weak_ref_init(&publish->queue, self);
	return publish;
}

static void
publish_free(Publish *publish)
{
	g_object_unref(publish->nats);
	g_weak_ref_clear(&publish->queue);
	g_free(publish->data);
	g_free(publish->msg_id);
	g_free(publish);
}

static void
publish_thread(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
	Publish *publish = task_data;
	GError *error = NULL;
	/* before: the broker may hand the job to a worker before it acks the publish */
	gint64 now_ms = g_get_real_time() / 1000;

	if (vf_jobs_nats_publish(publish->nats,
				 VF_JOBS_NATS_JOBS_SUBJECT,
				 publish->msg_id,
				 publish->data,
				 &publish->seq,
				 cancellable,
				 &error)) {
		publish->published_ms = now_ms;
		g_task_return_boolean(task, TRUE);
	} else
		g_task_return_error(task, error);
}

static void
published_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Publish *publish = g_task_get_task_data(G_TASK(result));
	g_autoptr(VfJobsNatsQueue) self = g_weak_ref_get(&publish->queue);
	g_autoptr(GError) error = NULL;
	Held *held;

	if (!g_task_propagate_boolean(G_TASK(result), &error)) {
		if (self == NULL || g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			return;
		held = g_hash_table_lookup(self->held, &publish->job_id);
		if (held == NULL)
			return;
		g_hash_table_steal(self->held, &publish->job_id);
		vf_job_queue_emit_failed(VF_JOB_QUEUE(self), publish->job_id, error->message, TRUE);
		held_free(held);
		return;
	}
	if (self == NULL)
		return;
	held = g_hash_table_lookup(self->held, &publish->job_id);
	if (held != NULL) {
		held->seq = publish->seq;
		held->published_ms = publish->published_ms;
	}
	g_debug("job %" G_GINT64_FORMAT " published as %s (sequence %" G_GUINT64_FORMAT ")",
		publish->job_id,
		publish->msg_id,
		publish->seq);
}

static gboolean
submit(VfJobQueue *queue, const VfJob *job, GError **error)
{
	VfJobsNatsQueue *self = VF_JOBS_NATS_QUEUE(queue);
	g_autoptr(GTask) task = NULL;
	g_autoptr(JsonGenerator) generator = json_generator_new();
	g_autoptr(JsonNode) node = NULL;
	Publish *publish;
	Held *held;

	if (g_hash_table_contains(self->held, &job->job_id)) {
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_INVALID_INPUT,
			    "job %" G_GINT64_FORMAT " is already queued",
			    job->job_id);
		return FALSE;
	}
	held = g_new0(Held, 1);
	held->job = vf_job_copy(job);
	held->job->attempt = MAX(held->job->attempt, 1);
	if (held->job->ladder_ini == NULL)
		held->job->ladder_ini = g_strdup(self->ladder_ini);
	held->attempt = held->job->attempt;
	/* keyed by the entry's own job id: a steal needs no key to free */
	g_hash_table_insert(self->held, &held->job->job_id, held);
	g_hash_table_remove(self->cancelled, &job->job_id);

	node = vf_job_to_json(held->job);
	json_generator_set_root(generator, node);
	publish = publish_new(self);
	publish->job_id = job->job_id;
	publish->data = json_generator_to_data(generator, NULL);
	/* an acked id stays de-duplicated for the window: each attempt has its own */
	publish->msg_id =
	    g_strdup_printf("%" G_GINT64_FORMAT "-%d", job->job_id, held->job->attempt);
	task = g_task_new(NULL, self->cancellable, published_cb, NULL);
	g_task_set_source_tag(task, submit);
	g_task_set_task_data(task, publish, (GDestroyNotify)publish_free);
	vf_jobs_nats_run_serial(self->nats, task, publish_thread);
	return TRUE;
}

/* ---- small serial operations: ack an event, remove a job message ---- */

static void
ack_thread(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
	natsStatus status = natsMsg_Ack(task_data, NULL);
	if (status != NATS_OK)
		g_debug("acking an event: %s", natsStatus_GetText(status));
	g_task_return_boolean(task, status == NATS_OK);
}

static void
ack(VfJobsNats *nats, natsMsg *message)
{
	g_autoptr(GTask) task = g_task_new(NULL, NULL, NULL, NULL);
	g_task_set_task_data(task, message, (GDestroyNotify)natsMsg_Destroy);
	vf_jobs_nats_run_serial(nats, task, ack_thread);
}

typedef struct {
	VfJobsNats *nats;
	guint64 seq;
} Removal;

static void
removal_free(Removal *removal)
{
	g_object_unref(removal->nats);
	g_free(removal);
}

static void
remove_thread(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
	Removal *removal = task_data;
	jsErrCode code = 0;
	natsStatus status = js_DeleteMsg(vf_jobs_nats_get_context(removal->nats),
					 VF_JOBS_NATS_JOBS_STREAM,
					 removal->seq,
					 NULL,
					 &code);
	/* gone already (taken and acked, or terminated): nothing to remove */
	if (status != NATS_OK)
		g_debug("removing job message %" G_GUINT64_FORMAT ": %s (%d)",
			removal->seq,
			natsStatus_GetText(status),
			(gint)code);
	g_task_return_boolean(task, TRUE);
}

static void
remove_message(VfJobsNats *nats, guint64 seq)
{
	g_autoptr(GTask) task = g_task_new(NULL, NULL, NULL, NULL);
	Removal *removal = g_new0(Removal, 1);

	removal->nats = g_object_ref(nats);
	removal->seq = seq;
	g_task_set_task_data(task, removal, (GDestroyNotify)removal_free);
	vf_jobs_nats_run_serial(nats, task, remove_thread);
}

/* asks whichever worker runs the job to stop (core NATS: every worker listens) */
static void
send_stop(VfJobsNatsQueue *self, gint64 job_id)
{
	g_autofree gchar *subject =
	    g_strdup_printf(VF_JOBS_NATS_CANCEL_PREFIX "%" G_GINT64_FORMAT, job_id);
	natsStatus status = natsConnection_PublishString(
	    vf_jobs_nats_get_connection(self->nats), subject, "cancel");

	if (status != NATS_OK)
		g_debug(
		    "stopping job %" G_GINT64_FORMAT ": %s", job_id, natsStatus_GetText(status));
}

/* a worker runs a job this node does not hold (cancelled, finished, or a stray
 * duplicate): ask it to stop, at most every few seconds */
static void
stop_unheld(VfJobsNatsQueue *self, gint64 job_id)
{
	gint64 now = g_get_monotonic_time();
	gint64 *last = g_hash_table_lookup(self->stops, &job_id);
	GHashTableIter iter;
	gpointer value;

	if (last != NULL && now - *last < STOP_REPEAT_US)
		return;
	g_hash_table_iter_init(&iter, self->stops);
	while (g_hash_table_iter_next(&iter, NULL, &value))
		if (now - *(gint64 *)value > 60 * STOP_REPEAT_US)
			g_hash_table_iter_remove(&iter);
	g_hash_table_insert(
	    self->stops, g_memdup2(&job_id, sizeof(job_id)), g_memdup2(&now, sizeof(now)));
	g_info("job %" G_GINT64_FORMAT " is not queued here; asking its worker to stop", job_id);
	send_stop(self, job_id);
}

/* ---- events ---- */

static void
delete_thread(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
	vf_files_remove_tree(task_data);
	g_task_return_boolean(task, TRUE);
}

static void
handle_event(VfJobsNatsQueue *self, VfJobsEvent *event)
{
	VfJobQueue *queue = VF_JOB_QUEUE(self);
	Held *held = g_hash_table_lookup(self->held, &event->job_id);
	const gchar *output;

	if (held == NULL) {
		switch (event->kind) {
		case VF_JOBS_EVENT_STARTED:
		case VF_JOBS_EVENT_PROGRESS:
			stop_unheld(self, event->job_id);
			break;
		case VF_JOBS_EVENT_COMPLETED:
			/* cancelled here, but the ladder was finished and moved into place */
			output = g_hash_table_lookup(self->cancelled, &event->job_id);
			if (output != NULL) {
				g_autoptr(GTask) task = g_task_new(NULL, NULL, NULL, NULL);
				g_task_set_task_data(
				    task, g_build_filename(self->media_root, output, NULL), g_free);
				g_task_run_in_thread(task, delete_thread);
				g_hash_table_remove(self->cancelled, &event->job_id);
			}
			break;
		default:
			break;
		}
		return;
	}
	/* an older delivery than the one that reported last: it changes nothing */
	if (event->attempt < held->attempt && event->kind != VF_JOBS_EVENT_COMPLETED) {
		g_debug("job %" G_GINT64_FORMAT ": ignoring %s of attempt %d (now %d)",
			event->job_id,
			vf_jobs_event_kind_to_string(event->kind),
			event->attempt,
			held->attempt);
		return;
	}
	switch (event->kind) {
	case VF_JOBS_EVENT_STARTED:
		/* sent → started on a worker (both wall clocks; bench/cluster.sh reads it) */
		if (held->published_ms > 0 && !held->started &&
		    event->attempt == held->job->attempt)
			g_info("job %" G_GINT64_FORMAT ": dispatched to %s in %" G_GINT64_FORMAT
			       " ms",
			       event->job_id,
			       event->node,
			       event->time_ms - held->published_ms);
		held->attempt = event->attempt;
		held->started = TRUE;
		g_free(held->node);
		held->node = g_strdup(event->node);
		vf_job_queue_emit_started(queue, event->job_id, event->attempt, event->node);
		break;
	case VF_JOBS_EVENT_PROGRESS:
		if (g_get_real_time() / 1000 - event->time_ms > STALE_PROGRESS_MS)
			break;
		vf_job_queue_emit_progress(queue, event->job_id, event->progress, event->speed);
		break;
	case VF_JOBS_EVENT_RETRYING:
		held->started = FALSE;
		vf_job_queue_emit_retrying(
		    queue, event->job_id, event->attempt + 1, event->message);
		break;
	case VF_JOBS_EVENT_COMPLETED:
		g_hash_table_steal(self->held, &event->job_id);
		vf_job_queue_emit_completed(queue, event->job_id, event->outcome);
		held_free(held);
		break;
	case VF_JOBS_EVENT_FAILED:
		g_hash_table_steal(self->held, &event->job_id);
		vf_job_queue_emit_failed(queue, event->job_id, event->message, event->retryable);
		held_free(held);
		break;
	}
}

/* the last delivery of a job ended without an outcome (its workers died): the
 * message stays in the work queue, so read its job and remove it */
static void
exhausted_thread(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
	Publish *exhausted = task_data;
	natsMsg *message = NULL;
	jsErrCode code = 0;
	natsStatus status;

	status = js_GetMsg(&message,
			   vf_jobs_nats_get_context(exhausted->nats),
			   VF_JOBS_NATS_JOBS_STREAM,
			   exhausted->seq,
			   NULL,
			   &code);
	if (status == NATS_OK) {
		g_autoptr(JsonNode) root =
		    vf_json_parse_object(natsMsg_GetData(message),
					 (gsize)natsMsg_GetDataLength(message),
					 "a job message",
					 NULL);
		g_autoptr(VfJob) job = root != NULL ? vf_job_from_json(root, NULL) : NULL;
		if (job != NULL)
			exhausted->job_id = job->job_id;
		natsMsg_Destroy(message);
		js_DeleteMsg(vf_jobs_nats_get_context(exhausted->nats),
			     VF_JOBS_NATS_JOBS_STREAM,
			     exhausted->seq,
			     NULL,
			     NULL);
	}
	g_task_return_boolean(task, exhausted->job_id > 0);
}

static void
exhausted_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Publish *exhausted = g_task_get_task_data(G_TASK(result));
	g_autoptr(VfJobsNatsQueue) self = g_weak_ref_get(&exhausted->queue);
	g_autofree gchar *message = NULL;
	Held *held;

	if (!g_task_propagate_boolean(G_TASK(result), NULL) || self == NULL)
		return;
	held = g_hash_table_lookup(self->held, &exhausted->job_id);
	if (held == NULL)
		return;
	g_hash_table_steal(self->held, &exhausted->job_id);
	message = g_strdup_printf("the transcode was delivered %u times and no worker finished it "
				  "(the workers crashed or were stopped)",
				  exhausted->deliveries);
	vf_job_queue_emit_failed(VF_JOB_QUEUE(self), exhausted->job_id, message, TRUE);
	held_free(held);
}

static void
handle_advisory(VfJobsNatsQueue *self, const gchar *data, gsize length)
{
	g_autoptr(JsonNode) root = vf_json_parse_object(data, length, "an advisory", NULL);
	g_autoptr(GTask) task = NULL;
	JsonObject *object;
	Publish *exhausted;

	if (root == NULL)
		return;
	object = json_node_get_object(root);
	exhausted = publish_new(self);
	exhausted->seq = (guint64)json_object_get_int_member_with_default(object, "stream_seq", 0);
	exhausted->deliveries =
	    (guint)json_object_get_int_member_with_default(object, "deliveries", 0);
	task = g_task_new(NULL, self->cancellable, exhausted_cb, NULL);
	g_task_set_task_data(task, exhausted, (GDestroyNotify)publish_free);
	if (exhausted->seq == 0) {
		g_task_return_boolean(task, FALSE);
		return;
	}
	vf_jobs_nats_run_serial(self->nats, task, exhausted_thread);
}

typedef struct {
	Consumer *consumer;
	natsMsg *message;
	gboolean advisory;
} Delivery;

static void
delivery_free(gpointer data)
{
	Delivery *delivery = data;
	if (delivery->message != NULL)
		natsMsg_Destroy(delivery->message);
	consumer_unref(delivery->consumer);
	g_free(delivery);
}

static gboolean
delivery_cb(gpointer data)
{
	Delivery *delivery = data;
	g_autoptr(VfJobsNatsQueue) self = g_weak_ref_get(&delivery->consumer->queue);
	const gchar *bytes = natsMsg_GetData(delivery->message);
	gsize length = (gsize)natsMsg_GetDataLength(delivery->message);

	/* gone: not acked, so the next start of the API node sees it again */
	if (self == NULL || self->nats == NULL)
		return G_SOURCE_REMOVE;
	if (delivery->advisory) {
		handle_advisory(self, bytes, length);
	} else {
		g_autoptr(GError) error = NULL;
		g_autoptr(VfJobsEvent) event = vf_jobs_event_from_data(bytes, length, &error);
		if (event == NULL)
			g_warning("dropping a job event (%s): %s",
				  natsMsg_GetSubject(delivery->message),
				  error->message);
		else
			handle_event(self, event);
		ack(self->nats, g_steal_pointer(&delivery->message));
	}
	return G_SOURCE_REMOVE;
}

static void
deliver(Consumer *consumer, natsMsg *message, gboolean advisory)
{
	Delivery *delivery = g_new0(Delivery, 1);

	delivery->consumer = consumer_ref(consumer);
	delivery->message = message;
	delivery->advisory = advisory;
	g_main_context_invoke_full(
	    consumer->context, G_PRIORITY_DEFAULT, delivery_cb, delivery, delivery_free);
}

static gpointer
consumer_thread(gpointer data)
{
	Consumer *consumer = data;
	natsSubscription *events = NULL;
	natsSubscription *advisories = NULL;
	gboolean warned = FALSE;

	while (!g_atomic_int_get(&consumer->stopping)) {
		natsMsgList list = {0};
		natsMsg *message = NULL;
		jsErrCode code = 0;
		natsStatus status = NATS_OK;

		if (advisories == NULL)
			natsConnection_SubscribeSync(&advisories,
						     vf_jobs_nats_get_connection(consumer->nats),
						     ADVISORY_SUBJECT);
		if (events == NULL)
			status = js_PullSubscribe(&events,
						  vf_jobs_nats_get_context(consumer->nats),
						  VF_JOBS_NATS_EVENTS_SUBJECTS,
						  VF_JOBS_NATS_EVENTS_CONSUMER,
						  NULL,
						  NULL,
						  &code);
		if (status == NATS_OK)
			status = natsSubscription_Fetch(
			    &list, events, FETCH_BATCH, FETCH_TIMEOUT_MS, &code);
		if (status == NATS_OK) {
			warned = FALSE;
			for (gint i = 0; i < list.Count; i++) {
				deliver(consumer, list.Msgs[i], FALSE);
				list.Msgs[i] = NULL;
			}
		} else if (status != NATS_TIMEOUT) {
			if (!warned)
				g_warning("fetching job events: %s (%d); trying again",
					  natsStatus_GetText(status),
					  (gint)code);
			warned = TRUE;
			g_usleep(500 * 1000);
		}
		natsMsgList_Destroy(&list);
		while (advisories != NULL &&
		       natsSubscription_NextMsg(&message, advisories, 0) == NATS_OK)
			deliver(consumer, message, TRUE);
	}
	/* events handed to the main thread are acked on the serial thread later */
	vf_jobs_nats_adopt_subscription(consumer->nats, events);
	vf_jobs_nats_adopt_subscription(consumer->nats, advisories);
	consumer_unref(consumer);
	return NULL;
}

void
vf_jobs_nats_queue_start(VfJobsNatsQueue *self)
{
	g_return_if_fail(VF_IS_JOBS_NATS_QUEUE(self) && self->thread == NULL);

	self->consumer = g_atomic_rc_box_new0(Consumer);
	g_weak_ref_init(&self->consumer->queue, self);
	self->consumer->nats = g_object_ref(self->nats);
	self->consumer->context = g_main_context_ref_thread_default();
	self->thread = g_thread_new("vf-job-events", consumer_thread, consumer_ref(self->consumer));
}

/* ---- cancel ---- */

static void
request_stop_thread(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
	VfJobsNatsQueue *self = source;
	gint64 job_id = *(gint64 *)task_data;
	g_autofree gchar *subject =
	    g_strdup_printf(VF_JOBS_NATS_CANCEL_PREFIX "%" G_GINT64_FORMAT, job_id);
	natsMsg *reply = NULL;
	/* the worker running it answers once its transcode is gone; others stay silent */
	natsStatus status = natsConnection_RequestString(&reply,
							 vf_jobs_nats_get_connection(self->nats),
							 subject,
							 "cancel",
							 CANCEL_REPLY_WAIT_MS);

	if (status != NATS_OK)
		g_info("job %" G_GINT64_FORMAT ": no worker confirmed the cancel (%s)",
		       job_id,
		       natsStatus_GetText(status));
	if (reply != NULL)
		natsMsg_Destroy(reply);
	g_task_return_boolean(task, TRUE);
}

static void
cancel_async(VfJobQueue *queue,
	     gint64 job_id,
	     GCancellable *cancellable,
	     GAsyncReadyCallback callback,
	     gpointer user_data)
{
	VfJobsNatsQueue *self = VF_JOBS_NATS_QUEUE(queue);
	g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
	Held *held = g_hash_table_lookup(self->held, &job_id);

	g_task_set_source_tag(task, cancel_async);
	if (held == NULL) {
		g_task_return_boolean(task, TRUE);
		return;
	}
	g_hash_table_steal(self->held, &job_id);
	g_hash_table_insert(
	    self->cancelled, g_memdup2(&job_id, sizeof(job_id)), g_strdup(held->job->output));
	if (held->seq != 0)
		remove_message(self->nats, held->seq);
	if (held->started) {
		g_task_set_task_data(task, g_memdup2(&job_id, sizeof(job_id)), g_free);
		g_task_run_in_thread(task, request_stop_thread);
	} else {
		/* not started, as far as we know: workers remember the id and drop it */
		send_stop(self, job_id);
		g_task_return_boolean(task, TRUE);
	}
	held_free(held);
}

static gboolean
cancel_finish(VfJobQueue *queue, GAsyncResult *result, GError **error)
{
	return g_task_propagate_boolean(G_TASK(result), error);
}

static guint
get_depth(VfJobQueue *queue)
{
	return g_hash_table_size(VF_JOBS_NATS_QUEUE(queue)->held);
}

static guint
get_running(VfJobQueue *queue)
{
	VfJobsNatsQueue *self = VF_JOBS_NATS_QUEUE(queue);
	GHashTableIter iter;
	gpointer value;
	guint n = 0;

	g_hash_table_iter_init(&iter, self->held);
	while (g_hash_table_iter_next(&iter, NULL, &value))
		n += ((Held *)value)->started ? 1 : 0;
	return n;
}

static gboolean
check_ready(VfJobQueue *queue, GError **error)
{
	VfJobsNatsQueue *self = VF_JOBS_NATS_QUEUE(queue);

	if (vf_jobs_nats_is_connected(self->nats))
		return TRUE;
	g_set_error_literal(error, VF_ERROR, VF_ERROR_UNAVAILABLE, "NATS is not connected");
	return FALSE;
}

void
vf_jobs_nats_queue_set_ladder(VfJobsNatsQueue *self, const gchar *ladder_ini)
{
	g_return_if_fail(VF_IS_JOBS_NATS_QUEUE(self));
	g_free(self->ladder_ini);
	self->ladder_ini = g_strdup(ladder_ini);
}

const gchar *
vf_jobs_nats_queue_get_node(VfJobsNatsQueue *self, gint64 job_id)
{
	Held *held;

	g_return_val_if_fail(VF_IS_JOBS_NATS_QUEUE(self), NULL);
	held = g_hash_table_lookup(self->held, &job_id);
	if (held == NULL)
		return NULL;
	return held->node != NULL ? held->node : "";
}

VfJobQueue *
vf_jobs_nats_queue_new(VfJobsNats *nats, const gchar *media_root)
{
	VfJobsNatsQueue *self;

	g_return_val_if_fail(VF_IS_JOBS_NATS(nats) && media_root != NULL, NULL);

	self = g_object_new(VF_TYPE_JOBS_NATS_QUEUE, NULL);
	self->nats = g_object_ref(nats);
	self->media_root = g_canonicalize_filename(media_root, NULL);
	return VF_JOB_QUEUE(self);
}

void
vf_jobs_nats_queue_stop(VfJobsNatsQueue *self)
{
	g_return_if_fail(VF_IS_JOBS_NATS_QUEUE(self));

	g_cancellable_cancel(self->cancellable);
	if (self->thread != NULL) {
		g_atomic_int_set(&self->consumer->stopping, TRUE);
		g_thread_join(g_steal_pointer(&self->thread));
	}
}

static void
vf_jobs_nats_queue_dispose(GObject *object)
{
	VfJobsNatsQueue *self = VF_JOBS_NATS_QUEUE(object);

	vf_jobs_nats_queue_stop(self);
	g_clear_pointer(&self->consumer, consumer_unref);
	g_clear_object(&self->nats);
	G_OBJECT_CLASS(vf_jobs_nats_queue_parent_class)->dispose(object);
}

static void
vf_jobs_nats_queue_finalize(GObject *object)
{
	VfJobsNatsQueue *self = VF_JOBS_NATS_QUEUE(object);

	g_hash_table_unref(self->held);
	g_hash_table_unref(self->cancelled);
	g_hash_table_unref(self->stops);
	g_object_unref(self->cancellable);
	g_free(self->media_root);
	g_free(self->ladder_ini);
	G_OBJECT_CLASS(vf_jobs_nats_queue_parent_class)->finalize(object);
}

static void
vf_jobs_nats_queue_class_init(VfJobsNatsQueueClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	VfJobQueueClass *queue_class = VF_JOB_QUEUE_CLASS(klass);

	object_class->dispose = vf_jobs_nats_queue_dispose;
	object_class->finalize = vf_jobs_nats_queue_finalize;
	queue_class->submit = submit;
	queue_class->cancel_async = cancel_async;
	queue_class->cancel_finish = cancel_finish;
	queue_class->get_depth = get_depth;
	queue_class->get_running = get_running;
	queue_class->check_ready = check_ready;
}

static void
vf_jobs_nats_queue_init(VfJobsNatsQueue *self)
{
	self->held = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, held_free);
	self->cancelled = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	self->stops = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	self->cancellable = g_cancellable_new();
}
