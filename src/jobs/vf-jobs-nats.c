/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The JetStream connection: options (reconnect for ever), the streams and the
 * shared work-queue consumer, a serial thread for ordered blocking calls and a
 * publish that retries with the same message id (PITFALLS.md §3: a publish that
 * timed out may still have been stored). Library callbacks only log.
 */
#include "config.h"

#include "vf-jobs-nats.h"

#include <string.h>

#include "vf-error.h"

#define DEFAULT_ACK_WAIT_S     30
#define DEFAULT_MAX_DELIVER    3
#define JOBS_DUPLICATES_S      3600
#define EVENTS_DUPLICATES_S    120
#define EVENTS_MAX_AGE_S       (7 * 24 * 3600)
#define EVENTS_MAX_BYTES       (1024LL * 1024 * 1024)
#define MAX_MESSAGE_SIZE       (64 * 1024)
#define PUBLISH_WAIT_MS	       5000
#define PUBLISH_RETRY_PAUSE_MS 250
#define NS_PER_S	       1000000000LL

struct _VfJobsNats {
	GObject parent_instance;
	natsConnection *connection;
	jsCtx *context;
	VfJobsNatsLimits limits;
	GThreadPool *serial;
	GMutex lock;
	GPtrArray *adopted; /* of natsSubscription, under lock */
	gint closed;	    /* atomic */
};

G_DEFINE_TYPE(VfJobsNats, vf_jobs_nats, G_TYPE_OBJECT)

void
vf_jobs_nats_set_error(GError **error, natsStatus status, const gchar *what)
{
	gboolean transient = status == NATS_TIMEOUT || status == NATS_NO_SERVER ||
			     status == NATS_CONNECTION_CLOSED || status == NATS_NOT_YET_CONNECTED ||
			     status == NATS_NO_RESPONDERS ||
			     status == NATS_CONNECTION_DISCONNECTED ||
			     status == NATS_STALE_CONNECTION || status == NATS_IO_ERROR;
	const gchar *detail = nats_GetLastError(NULL);

	g_set_error(error,
		    VF_ERROR,
		    transient ? VF_ERROR_UNAVAILABLE : VF_ERROR_INTERNAL,
		    "%s: %s%s%s",
		    what,
		    natsStatus_GetText(status),
		    detail != NULL && *detail != '\0' ? " — " : "",
		    detail != NULL ? detail : "");
}

static void
disconnected_cb(natsConnection *connection, void *closure)
{
	VfJobsNats *self = closure;

	/* a NATS library thread; GLib logging is thread-safe. Closing the connection
	 * calls this too (PITFALLS.md §3): say nothing then. */
	if (!g_atomic_int_get(&self->closed))
		g_message("NATS: disconnected, reconnecting");
}

static void
reconnected_cb(natsConnection *connection, void *closure)
{
	g_message("NATS: reconnected");
}

typedef struct {
	GTask *task;
	GTaskThreadFunc func;
} SerialItem;

static void
serial_func(gpointer data, gpointer user_data)
{
	SerialItem *item = data;
	VfJobsNats *self = user_data;

	if (g_atomic_int_get(&self->closed))
		g_task_return_new_error(
		    item->task, VF_ERROR, VF_ERROR_UNAVAILABLE, "the NATS connection is closed");
	else
		item->func(item->task,
			   g_task_get_source_object(item->task),
			   g_task_get_task_data(item->task),
			   g_task_get_cancellable(item->task));
	g_object_unref(item->task);
	g_free(item);
}

VfJobsNats *
vf_jobs_nats_connect(const gchar *url, const gchar *name, guint wait_s, GError **error)
{
	g_autoptr(VfJobsNats) self = g_object_new(VF_TYPE_JOBS_NATS, NULL);
	natsOptions *options = NULL;
	natsStatus status;
	gint64 deadline = g_get_monotonic_time() + (gint64)wait_s * G_USEC_PER_SEC;

	g_return_val_if_fail(url != NULL, NULL);

	status = natsOptions_Create(&options);
	if (status == NATS_OK)
		status = natsOptions_SetURL(options, url);
	if (status == NATS_OK && name != NULL)
		status = natsOptions_SetName(options, name);
	if (status == NATS_OK)
		status = natsOptions_SetTimeout(options, 2000);
	if (status == NATS_OK)
		status = natsOptions_SetMaxReconnect(options, -1);
	if (status == NATS_OK)
		status = natsOptions_SetReconnectWait(options, 250);
	if (status == NATS_OK)
		status = natsOptions_SetPingInterval(options, 5000);
	if (status == NATS_OK)
		status = natsOptions_SetDisconnectedCB(options, disconnected_cb, self);
	if (status == NATS_OK)
		status = natsOptions_SetReconnectedCB(options, reconnected_cb, NULL);
	if (status != NATS_OK) {
		natsOptions_Destroy(options);
		vf_jobs_nats_set_error(error, status, "NATS options");
		return NULL;
	}
	for (;;) {
		status = natsConnection_Connect(&self->connection, options);
		if (status == NATS_OK || g_get_monotonic_time() >= deadline)
			break;
		g_usleep(250 * 1000);
	}
	natsOptions_Destroy(options);
	if (status != NATS_OK) {
		vf_jobs_nats_set_error(error, status, "cannot connect to NATS_URL");
		return NULL;
	}
	status = natsConnection_JetStream(&self->context, self->connection, NULL);
	if (status != NATS_OK) {
		vf_jobs_nats_set_error(error, status, "JetStream");
		return NULL;
	}
	self->serial = g_thread_pool_new(serial_func, self, 1, FALSE, NULL);
	return g_steal_pointer(&self);
}

static gboolean
add_or_update_stream(VfJobsNats *self, jsStreamConfig *config, GError **error)
{
	jsStreamInfo *info = NULL;
	jsErrCode code = 0;
	natsStatus status = js_AddStream(&info, self->context, config, NULL, &code);

	if (status != NATS_OK && code == JSStreamNameExistErr) {
		/* it exists with other settings (an older release, or edited limits) */
		code = 0;
		status = js_UpdateStream(&info, self->context, config, NULL, &code);
	}
	if (info != NULL)
		jsStreamInfo_Destroy(info);
	if (status != NATS_OK) {
		g_autofree gchar *what =
		    g_strdup_printf("stream %s (error %d)", config->Name, (gint)code);
		vf_jobs_nats_set_error(error, status, what);
		return FALSE;
	}
	return TRUE;
}

static gboolean
setup_streams(VfJobsNats *self, GError **error)
{
	const gchar *jobs_subjects[] = {VF_JOBS_NATS_JOBS_SUBJECT};
	const gchar *events_subjects[] = {VF_JOBS_NATS_EVENTS_SUBJECTS};
	jsStreamConfig jobs;
	jsStreamConfig events;

	jsStreamConfig_Init(&jobs);
	jobs.Name = VF_JOBS_NATS_JOBS_STREAM;
	jobs.Subjects = jobs_subjects;
	jobs.SubjectsLen = 1;
	jobs.Retention = js_WorkQueuePolicy;
	jobs.Storage = js_FileStorage;
	jobs.MaxMsgSize = MAX_MESSAGE_SIZE;
	jobs.Duplicates = JOBS_DUPLICATES_S * NS_PER_S;
	if (!add_or_update_stream(self, &jobs, error))
		return FALSE;

	jsStreamConfig_Init(&events);
	events.Name = VF_JOBS_NATS_EVENTS_STREAM;
	events.Subjects = events_subjects;
	events.SubjectsLen = 1;
	events.Retention = js_LimitsPolicy;
	events.Storage = js_FileStorage;
	events.MaxAge = (gint64)EVENTS_MAX_AGE_S * NS_PER_S;
	events.MaxBytes = EVENTS_MAX_BYTES;
	events.MaxMsgSize = MAX_MESSAGE_SIZE;
	events.Discard = js_DiscardOld;
	events.Duplicates = EVENTS_DUPLICATES_S * NS_PER_S;
	return add_or_update_stream(self, &events, error);
}

/* limits NULL: keep what the consumer has (or the defaults when it is new) */
static gboolean
setup_consumer(VfJobsNats *self,
	       const gchar *stream,
	       const gchar *durable,
	       const gchar *filter,
	       gint64 ack_wait_s,
	       gint64 max_deliver,
	       gboolean update,
	       GError **error)
{
	jsConsumerInfo *info = NULL;
	jsConsumerConfig config;
	jsErrCode code = 0;
	natsStatus status;

	status = js_GetConsumerInfo(&info, self->context, stream, durable, NULL, &code);
	if (status == NATS_OK && stream == (const gchar *)VF_JOBS_NATS_JOBS_STREAM) {
		self->limits.ack_wait_s = (guint)(info->Config->AckWait / NS_PER_S);
		self->limits.max_deliver = (guint)MAX(info->Config->MaxDeliver, 1);
	}
	if (status == NATS_OK && (!update || (info->Config->AckWait == ack_wait_s * NS_PER_S &&
					      info->Config->MaxDeliver == max_deliver))) {
		jsConsumerInfo_Destroy(info);
		return TRUE;
	}
	g_clear_pointer(&info, jsConsumerInfo_Destroy);

	jsConsumerConfig_Init(&config);
	config.Durable = durable;
	config.AckPolicy = js_AckExplicit;
	config.DeliverPolicy = js_DeliverAll;
	config.AckWait = ack_wait_s * NS_PER_S;
	config.MaxDeliver = max_deliver;
	config.FilterSubject = filter;
	code = 0;
	if (status == NATS_OK)
		status = js_UpdateConsumer(&info, self->context, stream, &config, NULL, &code);
	else
		status = js_AddConsumer(&info, self->context, stream, &config, NULL, &code);
	if (info != NULL)
		jsConsumerInfo_Destroy(info);
	if (status != NATS_OK) {
		g_autofree gchar *what =
		    g_strdup_printf("consumer %s of %s (error %d)", durable, stream, (gint)code);
		vf_jobs_nats_set_error(error, status, what);
		return FALSE;
	}
	if (stream == (const gchar *)VF_JOBS_NATS_JOBS_STREAM) {
		self->limits.ack_wait_s = (guint)ack_wait_s;
		self->limits.max_deliver = (guint)max_deliver;
	}
	return TRUE;
}

gboolean
vf_jobs_nats_setup(VfJobsNats *self, const VfJobsNatsLimits *limits, GError **error)
{
	g_return_val_if_fail(VF_IS_JOBS_NATS(self), FALSE);

	if (!setup_streams(self, error))
		return FALSE;
	if (!setup_consumer(self,
			    VF_JOBS_NATS_JOBS_STREAM,
			    VF_JOBS_NATS_JOBS_CONSUMER,
			    VF_JOBS_NATS_JOBS_SUBJECT,
			    limits != NULL ? MAX(limits->ack_wait_s, 1) : DEFAULT_ACK_WAIT_S,
			    limits != NULL ? MAX(limits->max_deliver, 1) : DEFAULT_MAX_DELIVER,
			    limits != NULL,
			    error))
		return FALSE;
	/* the API node's own durable cursor over the events; events are small and
	 * applied at once, so a short ack wait only matters after a crash */
	if (limits != NULL && !setup_consumer(self,
					      VF_JOBS_NATS_EVENTS_STREAM,
					      VF_JOBS_NATS_EVENTS_CONSUMER,
					      VF_JOBS_NATS_EVENTS_SUBJECTS,
					      DEFAULT_ACK_WAIT_S,
					      -1,
					      TRUE,
					      error))
		return FALSE;
	return TRUE;
}

const VfJobsNatsLimits *
vf_jobs_nats_get_limits(VfJobsNats *self)
{
	g_return_val_if_fail(VF_IS_JOBS_NATS(self), NULL);
	return &self->limits;
}

gboolean
vf_jobs_nats_is_connected(VfJobsNats *self)
{
	g_return_val_if_fail(VF_IS_JOBS_NATS(self), FALSE);
	return self->connection != NULL &&
	       natsConnection_Status(self->connection) == NATS_CONN_STATUS_CONNECTED;
}

natsConnection *
vf_jobs_nats_get_connection(VfJobsNats *self)
{
	g_return_val_if_fail(VF_IS_JOBS_NATS(self), NULL);
	return self->connection;
}

jsCtx *
vf_jobs_nats_get_context(VfJobsNats *self)
{
	g_return_val_if_fail(VF_IS_JOBS_NATS(self), NULL);
	return self->context;
}

void
vf_jobs_nats_run_serial(VfJobsNats *self, GTask *task, GTaskThreadFunc func)
{
	SerialItem *item;

	g_return_if_fail(VF_IS_JOBS_NATS(self) && G_IS_TASK(task));

	if (self->serial == NULL) {
		g_task_return_new_error(
		    task, VF_ERROR, VF_ERROR_UNAVAILABLE, "the NATS connection is closed");
		return;
	}
	item = g_new0(SerialItem, 1);
	item->task = g_object_ref(task);
	item->func = func;
	g_thread_pool_push(self->serial, item, NULL);
}

gboolean
vf_jobs_nats_publish(VfJobsNats *self,
		     const gchar *subject,
		     const gchar *msg_id,
		     const gchar *data,
		     guint64 *seq,
		     GCancellable *cancellable,
		     GError **error)
{
	jsPubOptions options;
	gboolean warned = FALSE;

	g_return_val_if_fail(VF_IS_JOBS_NATS(self) && subject != NULL && data != NULL, FALSE);

	jsPubOptions_Init(&options);
	options.MsgId = msg_id;
	options.MaxWait = PUBLISH_WAIT_MS;
	for (;;) {
		jsPubAck *ack = NULL;
		jsErrCode code = 0;
		natsStatus status = js_Publish(
		    &ack, self->context, subject, data, (int)strlen(data), &options, &code);
		g_autoptr(GError) local = NULL;

		if (status == NATS_OK) {
			if (seq != NULL)
				*seq = ack->Sequence;
			jsPubAck_Destroy(ack);
			if (warned)
				g_message("NATS: published %s after retrying", msg_id);
			return TRUE;
		}
		vf_jobs_nats_set_error(&local, status, "publishing to JetStream");
		if (!g_error_matches(local, VF_ERROR, VF_ERROR_UNAVAILABLE) ||
		    g_atomic_int_get(&self->closed) ||
		    g_cancellable_set_error_if_cancelled(cancellable, error)) {
			if (error != NULL && *error == NULL)
				g_propagate_error(error, g_steal_pointer(&local));
			return FALSE;
		}
		if (!warned)
			g_warning("%s (%s); retrying with the same message id",
				  local->message,
				  msg_id != NULL ? msg_id : subject);
		warned = TRUE;
		g_usleep(PUBLISH_RETRY_PAUSE_MS * 1000);
	}
}

void
vf_jobs_nats_close(VfJobsNats *self)
{
	g_return_if_fail(VF_IS_JOBS_NATS(self));

	if (self->serial != NULL) {
		/* queued work first (the final events and acks), then no more */
		g_thread_pool_free(g_steal_pointer(&self->serial), FALSE, TRUE);
	}
	g_atomic_int_set(&self->closed, TRUE);
	g_mutex_lock(&self->lock);
	g_ptr_array_set_size(self->adopted, 0);
	g_mutex_unlock(&self->lock);
	g_clear_pointer(&self->context, jsCtx_Destroy);
	if (self->connection != NULL) {
		natsConnection_Close(self->connection);
		g_clear_pointer(&self->connection, natsConnection_Destroy);
	}
}

void
vf_jobs_nats_adopt_subscription(VfJobsNats *self, natsSubscription *subscription)
{
	g_return_if_fail(VF_IS_JOBS_NATS(self));

	if (subscription == NULL)
		return;
	g_mutex_lock(&self->lock);
	g_ptr_array_add(self->adopted, subscription);
	g_mutex_unlock(&self->lock);
}

static void
vf_jobs_nats_finalize(GObject *object)
{
	VfJobsNats *self = VF_JOBS_NATS(object);

	vf_jobs_nats_close(self);
	g_ptr_array_unref(self->adopted);
	g_mutex_clear(&self->lock);
	G_OBJECT_CLASS(vf_jobs_nats_parent_class)->finalize(object);
}

static void
vf_jobs_nats_class_init(VfJobsNatsClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = vf_jobs_nats_finalize;
}

static void
vf_jobs_nats_init(VfJobsNats *self)
{
	self->limits.ack_wait_s = DEFAULT_ACK_WAIT_S;
	self->limits.max_deliver = DEFAULT_MAX_DELIVER;
	g_mutex_init(&self->lock);
	self->adopted = g_ptr_array_new_with_free_func((GDestroyNotify)natsSubscription_Destroy);
}
