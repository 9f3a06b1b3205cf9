/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The outbox sender. The main thread owns the timer, the kick and the "one run at
 * a time" rule; a run is a GTask thread that loops claim → send → mark until
 * nothing is due, holding a database connection only for the queries, never while
 * talking to the mail server. When the server is unreachable the rest of the batch
 * backs off with it and the run ends (no hammering a dead server). A mail sent but
 * not yet marked (database gone at that moment) is remembered and marked before
 * anything else is claimed, so a short database outage does not send it twice.
 */
#include "config.h"

#include "vf-mail-sender.h"

#include "vf-error.h"
#include "vf-mail-outbox.h"

struct _VfMailSender {
	GObject parent_instance;
	VfDbPool *pool;
	VfMailTransport *transport;
	/* settings and state below: main thread */
	guint initial_ms;
	guint max_ms;
	guint interval_ms;
	guint batch;
	guint lease_ms;
	guint timeout_id;
	GCancellable *cancellable;
	gboolean started;
	gboolean running;
	gboolean again;
	guint n_sent;
	guint n_failed;
	GMainContext *context; /* where the sender was made: timer, runs, kicks */
	GMutex lock;
	GArray *unmarked; /* of gint64: sent, not yet marked; protected by lock */
};

G_DEFINE_TYPE(VfMailSender, vf_mail_sender, G_TYPE_OBJECT)

typedef struct {
	guint initial_ms;
	guint max_ms;
	guint batch;
	guint lease_ms;
	guint n_sent;
	guint n_failed;
} RunData;

guint
vf_mail_sender_compute_backoff(guint initial_ms, guint max_ms, gint attempts)
{
	guint64 delay = initial_ms;

	for (gint i = 1; i < attempts && delay < max_ms; i++)
		delay *= 2;
	return (guint)MIN(delay, (guint64)max_ms);
}

static void
remember_unmarked(VfMailSender *self, gint64 id)
{
	g_mutex_lock(&self->lock);
	g_array_append_val(self->unmarked, id);
	g_mutex_unlock(&self->lock);
}

/* marks what an earlier run sent but could not mark; FALSE while some remain */
static gboolean
flush_unmarked(VfMailSender *self, GCancellable *cancellable)
{
	g_autoptr(GArray) ids = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(VfDbConnection) connection = NULL;
	gboolean all = TRUE;

	g_mutex_lock(&self->lock);
	if (self->unmarked->len > 0) {
		ids = g_steal_pointer(&self->unmarked);
		self->unmarked = g_array_new(FALSE, FALSE, sizeof(gint64));
	}
	g_mutex_unlock(&self->lock);
	if (ids == NULL)
		return TRUE;

	connection = vf_db_pool_acquire(self->pool, cancellable, &error);
	for (guint i = 0; i < ids->len; i++) {
		gint64 id = g_array_index(ids, gint64, i);
		/* after the first failure, keep the rest for the next run */
		if (!all || connection == NULL ||
		    !vf_mail_outbox_mark_sent(connection, id, &error)) {
			remember_unmarked(self, id);
			all = FALSE;
		}
	}
	if (!all)
		g_debug("mails sent but not yet marked: %s", error != NULL ? error->message : "");
	return all;
}

static void
handle_failure(VfMailSender *self,
	       RunData *run,
	       VfMailOutboxEntry *entry,
	       const GError *failure,
	       gboolean quiet)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(VfDbConnection) connection = NULL;
	gboolean permanent = g_error_matches(failure, VF_ERROR, VF_ERROR_INVALID_INPUT);
	guint delay =
	    permanent
		? G_MAXUINT
		: vf_mail_sender_compute_backoff(run->initial_ms, run->max_ms, entry->attempts);

	run->n_failed++;
	if (permanent)
		g_warning("mail %" G_GINT64_FORMAT " can never be sent, parked: %s",
			  entry->id,
			  failure->message);
	else if (!quiet)
		g_warning("mail %" G_GINT64_FORMAT " not sent (attempt %d), retry in %u ms: %s",
			  entry->id,
			  entry->attempts,
			  delay,
			  failure->message);
	else
		g_debug("mail %" G_GINT64_FORMAT " deferred (attempt %d) for %u ms",
			entry->id,
			entry->attempts,
			delay);

	connection = vf_db_pool_acquire(self->pool, NULL, &error);
	/* if this fails too, the lease runs out and the mail is due again anyway */
	if (connection == NULL ||
	    !vf_mail_outbox_mark_failed(connection, entry->id, failure->message, delay, &error))
		g_debug("%s", error->message);
}

static void
run_thread(GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
	VfMailSender *self = VF_MAIL_SENDER(source_object);
	RunData *run = task_data;
	gboolean server_down = FALSE;
	g_autofree gchar *down_reason = NULL;

	while (!server_down && !g_cancellable_is_cancelled(cancellable)) {
		g_autoptr(GPtrArray) entries = NULL;
		g_autoptr(GError) error = NULL;

		if (!flush_unmarked(self, cancellable))
			break;
		{
			g_autoptr(VfDbConnection) connection =
			    vf_db_pool_acquire(self->pool, cancellable, &error);
			if (connection != NULL)
				entries = vf_mail_outbox_claim(
				    connection, run->batch, run->lease_ms, &error);
		}
		if (entries == NULL) {
			g_debug("outbox not reachable: %s", error->message);
			break;
		}
		if (entries->len == 0)
			break;

		for (guint i = 0; i < entries->len; i++) {
			VfMailOutboxEntry *entry = entries->pdata[i];
			g_autoptr(GError) send_error = NULL;
			g_autoptr(GError) mark_error = NULL;

			if (g_cancellable_is_cancelled(cancellable)) {
				/* stopping: give the rest back rather than leave it leased */
				g_autoptr(VfDbConnection) connection =
				    vf_db_pool_acquire(self->pool, NULL, &mark_error);
				if (connection == NULL ||
				    !vf_mail_outbox_unclaim(connection, entry->id, &mark_error))
					g_debug("%s", mark_error->message);
				continue;
			}
			if (server_down) {
				/* the batch backs off together with the mail that found it down */
				g_autoptr(GError) deferred =
				    g_error_new(VF_ERROR,
						VF_ERROR_UNAVAILABLE,
						"not tried, the mail server was unavailable: %s",
						down_reason);
				handle_failure(self, run, entry, deferred, TRUE);
				continue;
			}
			if (!vf_mail_transport_send(self->transport, entry->message, &send_error)) {
				handle_failure(self, run, entry, send_error, FALSE);
				if (g_error_matches(send_error, VF_ERROR, VF_ERROR_UNAVAILABLE)) {
					server_down = TRUE;
					down_reason = g_strdup(send_error->message);
				}
				continue;
			}
			run->n_sent++;
			{
				g_autoptr(VfDbConnection) connection =
				    vf_db_pool_acquire(self->pool, NULL, &mark_error);
				if (connection == NULL ||
				    !vf_mail_outbox_mark_sent(connection, entry->id, &mark_error)) {
					g_debug("%s", mark_error->message);
					remember_unmarked(self, entry->id);
				}
			}
			g_debug("mail %" G_GINT64_FORMAT " sent", entry->id);
		}
	}
	g_task_return_boolean(task, TRUE);
}

static void run_start(VfMailSender *self);

static void
run_done_cb(GObject *source_object, GAsyncResult *result, gpointer user_data)
{
	VfMailSender *self = VF_MAIL_SENDER(source_object);
	RunData *run = g_task_get_task_data(G_TASK(result));

	g_task_propagate_boolean(G_TASK(result), NULL);
	self->n_sent += run->n_sent;
	self->n_failed += run->n_failed;
	self->running = FALSE;
	if (self->again && self->started)
		run_start(self);
}

static void
run_start(VfMailSender *self)
{
	g_autoptr(GTask) task = NULL;
	RunData *run;

	if (self->running) {
		/* a mail committed after this run's last claim must not wait for the timer */
		self->again = TRUE;
		return;
	}
	self->running = TRUE;
	self->again = FALSE;

	run = g_new0(RunData, 1);
	run->initial_ms = self->initial_ms;
	run->max_ms = self->max_ms;
	run->batch = self->batch;
	run->lease_ms = self->lease_ms;

	task = g_task_new(self, self->cancellable, run_done_cb, NULL);
	g_task_set_source_tag(task, run_start);
	g_task_set_task_data(task, run, g_free);
	g_task_run_in_thread(task, run_thread);
}

static gboolean
tick_cb(gpointer user_data)
{
	VfMailSender *self = VF_MAIL_SENDER(user_data);

	if (!self->running)
		run_start(self);
	return G_SOURCE_CONTINUE;
}

static guint
add_timer(VfMailSender *self)
{
	g_autoptr(GSource) source = g_timeout_source_new(self->interval_ms);

	g_source_set_callback(source, tick_cb, self, NULL);
	g_source_set_static_name(source, "[vf-mail] poll");
	return g_source_attach(source, self->context);
}

static void
remove_timer(VfMailSender *self)
{
	GSource *source;

	if (self->timeout_id == 0)
		return;
	source = g_main_context_find_source_by_id(self->context, self->timeout_id);
	if (source != NULL)
		g_source_destroy(source);
	self->timeout_id = 0;
}

void
vf_mail_sender_start(VfMailSender *self)
{
	g_return_if_fail(VF_IS_MAIL_SENDER(self));

	if (self->started)
		return;
	self->started = TRUE;
	self->timeout_id = add_timer(self);
	run_start(self);
}

static gboolean
kick_cb(gpointer user_data)
{
	VfMailSender *self = VF_MAIL_SENDER(user_data);

	if (self->started)
		run_start(self);
	return G_SOURCE_REMOVE;
}

void
vf_mail_sender_kick(VfMailSender *self)
{
	g_autoptr(GSource) source = NULL;

	g_return_if_fail(VF_IS_MAIL_SENDER(self));

	if (g_main_context_is_owner(self->context)) {
		kick_cb(self);
		return;
	}
	/* from a worker thread (a service that just committed): hop to the loop */
	source = g_idle_source_new();
	g_source_set_priority(source, G_PRIORITY_DEFAULT);
	g_source_set_callback(source, kick_cb, g_object_ref(self), g_object_unref);
	g_source_set_static_name(source, "[vf-mail] kick");
	g_source_attach(source, self->context);
}

void
vf_mail_sender_stop(VfMailSender *self)
{
	g_return_if_fail(VF_IS_MAIL_SENDER(self));

	self->started = FALSE;
	self->again = FALSE;
	remove_timer(self);
	/* the run in flight keeps its own reference to the old cancellable */
	g_cancellable_cancel(self->cancellable);
	g_object_unref(self->cancellable);
	self->cancellable = g_cancellable_new();
}

gboolean
vf_mail_sender_is_running(VfMailSender *self)
{
	g_return_val_if_fail(VF_IS_MAIL_SENDER(self), FALSE);
	return self->running;
}

guint
vf_mail_sender_get_n_sent(VfMailSender *self)
{
	g_return_val_if_fail(VF_IS_MAIL_SENDER(self), 0);
	return self->n_sent;
}

guint
vf_mail_sender_get_n_failed(VfMailSender *self)
{
	g_return_val_if_fail(VF_IS_MAIL_SENDER(self), 0);
	return self->n_failed;
}

void
vf_mail_sender_set_backoff(VfMailSender *self, guint initial_ms, guint max_ms)
{
	g_return_if_fail(VF_IS_MAIL_SENDER(self));
	g_return_if_fail(initial_ms > 0 && max_ms >= initial_ms);
	self->initial_ms = initial_ms;
	self->max_ms = max_ms;
}

void
vf_mail_sender_set_interval(VfMailSender *self, guint interval_ms)
{
	g_return_if_fail(VF_IS_MAIL_SENDER(self));
	g_return_if_fail(interval_ms > 0);
	self->interval_ms = interval_ms;
	if (self->timeout_id != 0) {
		remove_timer(self);
		self->timeout_id = add_timer(self);
	}
}

void
vf_mail_sender_set_lease(VfMailSender *self, guint batch, guint lease_ms)
{
	g_return_if_fail(VF_IS_MAIL_SENDER(self));
	g_return_if_fail(batch > 0 && lease_ms > 0);
	self->batch = batch;
	self->lease_ms = lease_ms;
}

static void
vf_mail_sender_dispose(GObject *object)
{
	VfMailSender *self = VF_MAIL_SENDER(object);

	remove_timer(self);
	g_clear_object(&self->pool);
	g_clear_object(&self->transport);
	G_OBJECT_CLASS(vf_mail_sender_parent_class)->dispose(object);
}

static void
vf_mail_sender_finalize(GObject *object)
{
	VfMailSender *self = VF_MAIL_SENDER(object);

	if (self->unmarked->len > 0)
		g_warning("%u mails were sent but not marked: they will be sent again",
			  self->unmarked->len);
	g_array_unref(self->unmarked);
	g_mutex_clear(&self->lock);
	g_clear_object(&self->cancellable);
	g_main_context_unref(self->context);
	G_OBJECT_CLASS(vf_mail_sender_parent_class)->finalize(object);
}

static void
vf_mail_sender_class_init(VfMailSenderClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->dispose = vf_mail_sender_dispose;
	object_class->finalize = vf_mail_sender_finalize;
}

static void
vf_mail_sender_init(VfMailSender *self)
{
	self->initial_ms = 5000;
	self->max_ms = 15 * 60 * 1000;
	self->interval_ms = 5000;
	self->batch = 5;
	self->lease_ms = 10 * 60 * 1000;
	self->cancellable = g_cancellable_new();
	self->context = g_main_context_ref_thread_default();
	g_mutex_init(&self->lock);
	self->unmarked = g_array_new(FALSE, FALSE, sizeof(gint64));
}

VfMailSender *
vf_mail_sender_new(VfDbPool *pool, VfMailTransport *transport)
{
	VfMailSender *self;

	g_return_val_if_fail(VF_IS_DB_POOL(pool), NULL);
	g_return_val_if_fail(VF_IS_MAIL_TRANSPORT(transport), NULL);

	self = g_object_new(VF_TYPE_MAIL_SENDER, NULL);
	self->pool = g_object_ref(pool);
	self->transport = g_object_ref(transport);
	return self;
}
