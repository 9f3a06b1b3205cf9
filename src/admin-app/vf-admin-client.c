/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Watches org.videoflix.Admin1 with g_bus_watch_name() and makes a proxy for it
 * when it appears; "connected" turns FALSE when the name vanishes and TRUE again
 * once a new proxy is ready. The proxy's job signals are passed on as the
 * client's own signals so that widgets connect once, not per proxy.
 */
#include "config.h"

#include "vf-admin-client.h"

struct _VfAdminClient {
	GObject parent_instance;
	GBusType bus_type;
	guint watch_id;
	GCancellable *cancellable; /* of the proxy being made */
	VfDBusAdmin1 *proxy;	   /* NULL while unreachable */
};

enum { PROP_0, PROP_CONNECTED, PROP_LAST };
enum { SIGNAL_JOB_PROGRESS, SIGNAL_JOB_STATE_CHANGED, SIGNAL_LAST };

static GParamSpec *properties[PROP_LAST] = {NULL};
static guint signals[SIGNAL_LAST] = {0};

G_DEFINE_TYPE(VfAdminClient, vf_admin_client, G_TYPE_OBJECT)

static void
job_progress_cb(VfDBusAdmin1 *proxy,
		gint64 job_id,
		gint64 video_id,
		gdouble progress,
		gdouble speed,
		VfAdminClient *self)
{
	g_signal_emit(self, signals[SIGNAL_JOB_PROGRESS], 0, job_id, video_id, progress);
}

static void
job_state_changed_cb(VfDBusAdmin1 *proxy,
		     gint64 job_id,
		     gint64 video_id,
		     const gchar *state,
		     const gchar *error,
		     VfAdminClient *self)
{
	g_signal_emit(self, signals[SIGNAL_JOB_STATE_CHANGED], 0, job_id, video_id, state, error);
}

static void
clear_proxy(VfAdminClient *self)
{
	if (self->proxy == NULL)
		return;
	g_signal_handlers_disconnect_by_data(self->proxy, self);
	g_clear_object(&self->proxy);
}

static void
proxy_ready_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	VfAdminClient *self = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(VfDBusAdmin1) proxy = vf_dbus_admin1_proxy_new_finish(result, &error);

	if (proxy == NULL) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			g_warning("cannot talk to %s: %s", VF_ADMIN_BUS_NAME, error->message);
		return;
	}
	/* long calls (AddVideo probes the file) must not time out after 25 s */
	g_dbus_proxy_set_default_timeout(G_DBUS_PROXY(proxy), 120 * 1000);
	clear_proxy(self);
	self->proxy = g_steal_pointer(&proxy);
	g_signal_connect(self->proxy, "job-progress", G_CALLBACK(job_progress_cb), self);
	g_signal_connect(self->proxy, "job-state-changed", G_CALLBACK(job_state_changed_cb), self);
	g_debug("connected to %s", VF_ADMIN_BUS_NAME);
	g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_CONNECTED]);
}

static void
name_appeared_cb(GDBusConnection *connection,
		 const gchar *name,
		 const gchar *name_owner,
		 gpointer user_data)
{
	VfAdminClient *self = user_data;

	g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	self->cancellable = g_cancellable_new();
	/* the unique owner: signals of a later owner come with a new proxy */
	vf_dbus_admin1_proxy_new(connection,
				 G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START,
				 name_owner,
				 VF_ADMIN_OBJECT_PATH,
				 self->cancellable,
				 proxy_ready_cb,
				 self);
}

static void
name_vanished_cb(GDBusConnection *connection, const gchar *name, gpointer user_data)
{
	VfAdminClient *self = user_data;

	g_cancellable_cancel(self->cancellable);
	clear_proxy(self);
	g_debug("%s vanished", VF_ADMIN_BUS_NAME);
	/* also on the first answer, when "connected" was FALSE already: the window
	 * learns that the daemon is not there and shows its banner */
	g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_CONNECTED]);
}

static void
vf_admin_client_dispose(GObject *object)
{
	VfAdminClient *self = VF_ADMIN_CLIENT(object);

	if (self->watch_id != 0) {
		g_bus_unwatch_name(self->watch_id);
		self->watch_id = 0;
	}
	g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	clear_proxy(self);
	G_OBJECT_CLASS(vf_admin_client_parent_class)->dispose(object);
}

static void
vf_admin_client_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	VfAdminClient *self = VF_ADMIN_CLIENT(object);

	switch (prop_id) {
	case PROP_CONNECTED:
		g_value_set_boolean(value, self->proxy != NULL);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
	}
}

static void
vf_admin_client_class_init(VfAdminClientClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->dispose = vf_admin_client_dispose;
	object_class->get_property = vf_admin_client_get_property;

	properties[PROP_CONNECTED] = g_param_spec_boolean(
	    "connected", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
	g_object_class_install_properties(object_class, PROP_LAST, properties);

	/* job id, video id, progress 0..1 */
	signals[SIGNAL_JOB_PROGRESS] = g_signal_new("job-progress",
						    G_TYPE_FROM_CLASS(klass),
						    G_SIGNAL_RUN_LAST,
						    0,
						    NULL,
						    NULL,
						    NULL,
						    G_TYPE_NONE,
						    3,
						    G_TYPE_INT64,
						    G_TYPE_INT64,
						    G_TYPE_DOUBLE);
	/* job id, video id, state, error */
	signals[SIGNAL_JOB_STATE_CHANGED] = g_signal_new("job-state-changed",
							 G_TYPE_FROM_CLASS(klass),
							 G_SIGNAL_RUN_LAST,
							 0,
							 NULL,
							 NULL,
							 NULL,
							 G_TYPE_NONE,
							 4,
							 G_TYPE_INT64,
							 G_TYPE_INT64,
							 G_TYPE_STRING,
							 G_TYPE_STRING);
}

static void
vf_admin_client_init(VfAdminClient *self)
{
}

VfAdminClient *
vf_admin_client_new(GBusType bus_type)
{
	VfAdminClient *self = g_object_new(VF_TYPE_ADMIN_CLIENT, NULL);

	self->bus_type = bus_type;
	self->watch_id = g_bus_watch_name(bus_type,
					  VF_ADMIN_BUS_NAME,
					  G_BUS_NAME_WATCHER_FLAGS_NONE,
					  name_appeared_cb,
					  name_vanished_cb,
					  self,
					  NULL);
	return self;
}

VfDBusAdmin1 *
vf_admin_client_get_proxy(VfAdminClient *self)
{
	g_return_val_if_fail(VF_IS_ADMIN_CLIENT(self), NULL);
	return self->proxy;
}

gboolean
vf_admin_client_get_connected(VfAdminClient *self)
{
	g_return_val_if_fail(VF_IS_ADMIN_CLIENT(self), FALSE);
	return self->proxy != NULL;
}

gchar *
vf_admin_client_dup_error_message(const GError *error)
{
	g_autoptr(GError) copy = g_error_copy(error);

	g_dbus_error_strip_remote_error(copy);
	return g_strdup(copy->message);
}
