/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A fixed number of libpq connections shared by worker threads. acquire() blocks on a
 * condition while all are in use, connects lazily (bounded by connect_timeout), and
 * drops a connection that went bad, so the next acquire reconnects on its own.
 */
#include "config.h"

#include "vf-db-pool.h"

#include "vf-db-private.h"
#include "vf-error.h"

/* how often a blocked acquire looks at its GCancellable */
#define CANCEL_POLL_INTERVAL (50 * G_TIME_SPAN_MILLISECOND)

struct _VfDbPool {
	GObject parent_instance;
	GStrv keywords; /* for PQconnectdbParams, with our defaults added */
	GStrv values;
	guint size;
	GMutex lock;
	GCond cond;		    /* signalled when a connection or a slot is returned */
	GQueue idle;		    /* of VfDbConnection; protected by lock */
	guint n_in_use;		    /* checked out or connecting; protected by lock */
	guint n_connect_failures;   /* protected by lock */
	GError *last_connect_error; /* protected by lock */
};

G_DEFINE_TYPE(VfDbPool, vf_db_pool, G_TYPE_OBJECT)

/* libpq's defaults wait forever for an unreachable host and never probe a dead peer */
static const gchar *const default_params[][2] = {
    {"connect_timeout", "5"},
    {"keepalives", "1"},
    {"keepalives_idle", "30"},
    {"keepalives_interval", "10"},
    {"keepalives_count", "3"},
    {"tcp_user_timeout", "30000"},
    {"client_encoding", "UTF8"},
    {"application_name", "videoflix"},
};

static void
vf_db_pool_finalize(GObject *object)
{
	VfDbPool *self = VF_DB_POOL(object);
	VfDbConnection *connection;

	/* checked-out connections hold a reference: only idle ones are left */
	while ((connection = g_queue_pop_head(&self->idle)) != NULL)
		vf_db_connection_free(connection);
	g_clear_error(&self->last_connect_error);
	g_strfreev(self->keywords);
	g_strfreev(self->values);
	g_mutex_clear(&self->lock);
	g_cond_clear(&self->cond);
	G_OBJECT_CLASS(vf_db_pool_parent_class)->finalize(object);
}

static void
vf_db_pool_class_init(VfDbPoolClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->finalize = vf_db_pool_finalize;
}

static void
vf_db_pool_init(VfDbPool *self)
{
	g_mutex_init(&self->lock);
	g_cond_init(&self->cond);
	g_queue_init(&self->idle);
}

VfDbPool *
vf_db_pool_new(const gchar *const *keywords, const gchar *const *values, guint size)
{
	g_autoptr(VfDbPool) self = NULL;
	g_autoptr(GStrvBuilder) keyword_builder = g_strv_builder_new();
	g_autoptr(GStrvBuilder) value_builder = g_strv_builder_new();

	g_return_val_if_fail(keywords != NULL, NULL);
	g_return_val_if_fail(values != NULL, NULL);
	g_return_val_if_fail(g_strv_length((gchar **)keywords) == g_strv_length((gchar **)values),
			     NULL);
	g_return_val_if_fail(size > 0, NULL);

	self = g_object_new(VF_TYPE_DB_POOL, NULL);
	self->size = size;
	g_strv_builder_addv(keyword_builder, (const gchar **)keywords);
	g_strv_builder_addv(value_builder, (const gchar **)values);
	for (guint i = 0; i < G_N_ELEMENTS(default_params); i++) {
		if (g_strv_contains(keywords, default_params[i][0]))
			continue;
		g_strv_builder_add(keyword_builder, default_params[i][0]);
		g_strv_builder_add(value_builder, default_params[i][1]);
	}
	self->keywords = g_strv_builder_end(keyword_builder);
	self->values = g_strv_builder_end(value_builder);
	return g_steal_pointer(&self);
}

guint
vf_db_pool_get_size(VfDbPool *self)
{
	g_return_val_if_fail(VF_IS_DB_POOL(self), 0);
	return self->size;
}

/* server notices (and a goodbye read from an idle connection) go to the debug log,
 * not to stderr */
static void
notice_cb(void *arg, const char *message)
{
	g_debug("server notice: %s", message);
}

static VfDbConnection *
connect_new(VfDbPool *self, GError **error)
{
	PGconn *pgconn = PQconnectdbParams(
	    (const char *const *)self->keywords, (const char *const *)self->values, 0);
	g_autofree gchar *message = NULL;

	if (pgconn != NULL && PQstatus(pgconn) == CONNECTION_OK) {
		PQsetNoticeProcessor(pgconn, notice_cb, NULL);
		/* errors without DETAIL/CONTEXT: those quote row values */
		PQsetErrorVerbosity(pgconn, PQERRORS_TERSE);
		g_debug("connected to the database");
		return vf_db_connection_new(pgconn);
	}
	message = vf_db_tidy_message(pgconn != NULL ? PQerrorMessage(pgconn) : "out of memory");
	g_clear_pointer(&pgconn, PQfinish);
	g_set_error(error, VF_ERROR, VF_ERROR_UNAVAILABLE, "database unavailable: %s", message);
	return NULL;
}

VfDbConnection *
vf_db_pool_acquire(VfDbPool *self, GCancellable *cancellable, GError **error)
{
	VfDbConnection *connection = NULL;
	guint failures_seen;

	g_return_val_if_fail(VF_IS_DB_POOL(self), NULL);
	g_return_val_if_fail(cancellable == NULL || G_IS_CANCELLABLE(cancellable), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	g_mutex_lock(&self->lock);
	failures_seen = self->n_connect_failures;
	for (;;) {
		if (g_cancellable_set_error_if_cancelled(cancellable, error)) {
			g_mutex_unlock(&self->lock);
			return NULL;
		}
		connection = g_queue_pop_head(&self->idle);
		if (connection != NULL) {
			/* the cheap check runs outside the lock */
			self->n_in_use++;
			g_mutex_unlock(&self->lock);
			if (vf_db_connection_check_idle(connection))
				break;
			g_debug("dropping a connection the server closed while idle");
			g_clear_pointer(&connection, vf_db_connection_free);
			g_mutex_lock(&self->lock);
			self->n_in_use--;
			continue;
		}
		/* someone failed to connect while we waited: the server is down, so answer
		 * now rather than queue up behind one connect_timeout after another */
		if (self->n_connect_failures != failures_seen && self->last_connect_error != NULL) {
			g_propagate_error(error, g_error_copy(self->last_connect_error));
			g_mutex_unlock(&self->lock);
			return NULL;
		}
		if (self->n_in_use + self->idle.length < self->size) {
			GError *connect_error = NULL;

			/* reserve a slot, connect outside the lock */
			self->n_in_use++;
			g_mutex_unlock(&self->lock);
			connection = connect_new(self, &connect_error);
			if (connection != NULL)
				break;
			g_mutex_lock(&self->lock);
			self->n_in_use--;
			self->n_connect_failures++;
			g_clear_error(&self->last_connect_error);
			self->last_connect_error = g_error_copy(connect_error);
			g_cond_broadcast(&self->cond);
			g_mutex_unlock(&self->lock);
			g_propagate_error(error, connect_error);
			return NULL;
		}
		g_cond_wait_until(
		    &self->cond, &self->lock, g_get_monotonic_time() + CANCEL_POLL_INTERVAL);
	}
	vf_db_connection_set_pool(connection, self);
	return connection;
}

void
vf_db_pool_release(VfDbPool *self, VfDbConnection *connection)
{
	g_autoptr(VfDbPool) owner = NULL;
	gboolean reusable;

	g_return_if_fail(VF_IS_DB_POOL(self));
	g_return_if_fail(connection != NULL);

	owner = vf_db_connection_steal_pool(connection);
	g_return_if_fail(owner == self);

	/* may run ROLLBACK: outside the lock */
	reusable = vf_db_connection_reset_state(connection);
	if (!reusable) {
		g_debug("closing a broken connection");
		vf_db_connection_free(connection);
	}
	g_mutex_lock(&self->lock);
	if (reusable)
		g_queue_push_head(&self->idle, connection);
	self->n_in_use--;
	g_cond_signal(&self->cond);
	g_mutex_unlock(&self->lock);
	/* owner's reference may be the last one: dropped after the unlock */
}

static void
check_thread(GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
	VfDbPool *self = source_object;
	g_autoptr(VfDbConnection) connection = NULL;
	g_autoptr(PGresult) result = NULL;
	GError *error = NULL;

	connection = vf_db_pool_acquire(self, cancellable, &error);
	if (connection == NULL) {
		g_task_return_error(task, error);
		return;
	}
	result = vf_db_connection_exec(connection, "SELECT 1", 0, NULL, &error);
	if (result == NULL) {
		g_task_return_error(task, error);
		return;
	}
	g_task_return_boolean(task, TRUE);
}

void
vf_db_pool_check_async(VfDbPool *self,
		       GCancellable *cancellable,
		       GAsyncReadyCallback callback,
		       gpointer user_data)
{
	g_autoptr(GTask) task = NULL;

	g_return_if_fail(VF_IS_DB_POOL(self));
	g_return_if_fail(cancellable == NULL || G_IS_CANCELLABLE(cancellable));

	task = g_task_new(self, cancellable, callback, user_data);
	g_task_set_source_tag(task, vf_db_pool_check_async);
	g_task_run_in_thread(task, check_thread);
}

gboolean
vf_db_pool_check_finish(VfDbPool *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(VF_IS_DB_POOL(self), FALSE);
	g_return_val_if_fail(g_task_is_valid(result, self), FALSE);
	return g_task_propagate_boolean(G_TASK(result), error);
}
