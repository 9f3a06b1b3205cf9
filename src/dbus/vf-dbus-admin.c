/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The handlers of org.videoflix.Admin1: on_handle_<method>() asks the authority,
 * <method>_authorized() calls the service, <method>_done_cb() completes the call
 * with the generated complete_…() or the service's error (VF_ERROR codes are
 * org.videoflix.Error.* names). No decisions are made here beyond reading the
 * arguments; a caller that went away only loses its answer.
 */
#include "config.h"

#include "vf-dbus-admin.h"

#include "vf-dbus-generated.h"
#include "vf-dbus-records.h"
#include "vf-error.h"

#define PROGRESS_INTERVAL (G_USEC_PER_SEC / 2) /* JobProgress per job at most this often */

struct _VfDBusAdmin {
	GObject parent_instance;
	const VfConfig *config;
	VfCatalogService *catalog;
	VfAccountsService *accounts;
	VfDBusAuthority *authority;
	VfDBusAdmin1 *skeleton;
	GHashTable *progress_sent; /* job id → monotonic time of the last JobProgress */
	gulong catalog_handlers[2];
	guint owner_id;
	GBusType bus_type;
};

G_DEFINE_TYPE(VfDBusAdmin, vf_dbus_admin, G_TYPE_OBJECT)

/* ---- calls ---- */

typedef struct _Call Call;
typedef void (*RunFunc)(Call *call);

struct _Call {
	VfDBusAdmin *self; /* ref */
	GDBusMethodInvocation *invocation;
	RunFunc run;
};

static void
call_free(Call *call)
{
	g_object_unref(call->self);
	g_object_unref(call->invocation);
	g_free(call);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Call, call_free)

/* internal failures are logged, not shown: they may carry details of the setup */
static void
return_error(Call *call, GError *error)
{
	if (error->domain != VF_ERROR || error->code == VF_ERROR_INTERNAL ||
	    error->code == VF_ERROR_UNAVAILABLE) {
		gboolean unavailable = g_error_matches(error, VF_ERROR, VF_ERROR_UNAVAILABLE);
		g_warning("D-Bus %s: %s",
			  g_dbus_method_invocation_get_method_name(call->invocation),
			  error->message);
		g_dbus_method_invocation_return_error_literal(
		    call->invocation,
		    VF_ERROR,
		    unavailable ? VF_ERROR_UNAVAILABLE : VF_ERROR_INTERNAL,
		    unavailable ? "The server cannot reach its database; try again later."
				: "An internal error occurred; the server's log tells more.");
		return;
	}
	g_dbus_method_invocation_return_gerror(call->invocation, error);
}

static void
authorized_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(Call) call = user_data;
	g_autoptr(GError) error = NULL;

	if (!vf_dbus_authority_check_finish(VF_DBUS_AUTHORITY(source), result, &error)) {
		g_dbus_method_invocation_return_gerror(call->invocation, error);
		return;
	}
	call->run(g_steal_pointer(&call));
}

/* run is called with the call (owned) once the caller may make it */
static gboolean
authorize(VfDBusAdmin *self, GDBusMethodInvocation *invocation, gboolean mutating, RunFunc run)
{
	Call *call = g_new0(Call, 1);

	call->self = g_object_ref(self);
	call->invocation = g_object_ref(invocation);
	call->run = run;
	vf_dbus_authority_check_async(
	    self->authority, invocation, mutating, NULL, authorized_cb, call);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static GVariant *
parameters(Call *call)
{
	return g_dbus_method_invocation_get_parameters(call->invocation);
}

/* ---- videos ---- */

static void
add_video_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(Call) call = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(VfCatalogVideo) video = NULL;
	gint64 job_id = 0;

	video = vf_catalog_service_import_video_finish(
	    VF_CATALOG_SERVICE(source), result, &job_id, &error);
	if (video == NULL) {
		return_error(call, error);
		return;
	}
	vf_dbus_admin1_complete_add_video(
	    call->self->skeleton, call->invocation, video->id, job_id);
}

static void
add_video_authorized(Call *call)
{
	VfCatalogUpload metadata = {NULL};
	const gchar *path;

	g_variant_get(parameters(call),
		      "(&s&s&s&s)",
		      &path,
		      &metadata.title,
		      &metadata.description,
		      &metadata.category);
	vf_catalog_service_import_video_async(
	    call->self->catalog, path, &metadata, NULL, add_video_done_cb, call);
}

static gboolean
on_handle_add_video(VfDBusAdmin1 *skeleton,
		    GDBusMethodInvocation *invocation,
		    const gchar *path,
		    const gchar *title,
		    const gchar *description,
		    const gchar *category,
		    gpointer user_data)
{
	return authorize(user_data, invocation, TRUE, add_video_authorized);
}

static void
update_video_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(Call) call = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(VfCatalogVideo) video = NULL;
	gint64 job_id = 0;

	video = vf_catalog_service_import_video_finish(
	    VF_CATALOG_SERVICE(source), result, &job_id, &error);
	if (video == NULL) {
		return_error(call, error);
		return;
	}
	vf_dbus_admin1_complete_update_video(call->self->skeleton, call->invocation, job_id);
}

static void
update_video_authorized(Call *call)
{
	g_auto(VfCatalogUpload) metadata = {NULL};
	g_autoptr(GVariant) changes = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *path = NULL;
	gint64 id = 0;

	g_variant_get(parameters(call), "(x@a{sv})", &id, &changes);
	if (!vf_dbus_records_parse_changes(changes, &metadata, &path, &error)) {
		return_error(call, error);
		call_free(call);
		return;
	}
	vf_catalog_service_import_update_async(
	    call->self->catalog, id, path, &metadata, NULL, update_video_done_cb, call);
}

static gboolean
on_handle_update_video(VfDBusAdmin1 *skeleton,
		       GDBusMethodInvocation *invocation,
		       gint64 id,
		       GVariant *changes,
		       gpointer user_data)
{
	return authorize(user_data, invocation, TRUE, update_video_authorized);
}

static void
delete_video_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(Call) call = user_data;
	g_autoptr(GError) error = NULL;

	if (!vf_catalog_service_delete_video_finish(VF_CATALOG_SERVICE(source), result, &error)) {
		return_error(call, error);
		return;
	}
	vf_dbus_admin1_complete_delete_video(call->self->skeleton, call->invocation);
}

static void
delete_video_authorized(Call *call)
{
	gint64 id = 0;

	g_variant_get(parameters(call), "(x)", &id);
	vf_catalog_service_delete_video_async(
	    call->self->catalog, id, NULL, delete_video_done_cb, call);
}

static gboolean
on_handle_delete_video(VfDBusAdmin1 *skeleton,
		       GDBusMethodInvocation *invocation,
		       gint64 id,
		       gpointer user_data)
{
	return authorize(user_data, invocation, TRUE, delete_video_authorized);
}

static void
list_videos_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(Call) call = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) videos =
	    vf_catalog_service_list_videos_finish(VF_CATALOG_SERVICE(source), result, &error);

	if (videos == NULL) {
		return_error(call, error);
		return;
	}
	vf_dbus_admin1_complete_list_videos(
	    call->self->skeleton,
	    call->invocation,
	    vf_dbus_records_videos(videos, call->self->config->public_url));
}

static void
list_videos_authorized(Call *call)
{
	vf_catalog_service_list_videos_async(call->self->catalog, NULL, list_videos_done_cb, call);
}

static gboolean
on_handle_list_videos(VfDBusAdmin1 *skeleton, GDBusMethodInvocation *invocation, gpointer user_data)
{
	return authorize(user_data, invocation, FALSE, list_videos_authorized);
}

static void
get_video_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(Call) call = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(VfCatalogVideo) video =
	    vf_catalog_service_get_video_finish(VF_CATALOG_SERVICE(source), result, &error);

	if (video == NULL) {
		return_error(call, error);
		return;
	}
	vf_dbus_admin1_complete_get_video(
	    call->self->skeleton,
	    call->invocation,
	    vf_dbus_records_video(video, call->self->config->public_url));
}

static void
get_video_authorized(Call *call)
{
	gint64 id = 0;

	g_variant_get(parameters(call), "(x)", &id);
	vf_catalog_service_get_video_async(call->self->catalog, id, NULL, get_video_done_cb, call);
}

static gboolean
on_handle_get_video(VfDBusAdmin1 *skeleton,
		    GDBusMethodInvocation *invocation,
		    gint64 id,
		    gpointer user_data)
{
	return authorize(user_data, invocation, FALSE, get_video_authorized);
}

/* ---- jobs ---- */

static void
list_jobs_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(Call) call = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) jobs =
	    vf_catalog_service_list_jobs_finish(VF_CATALOG_SERVICE(source), result, &error);

	if (jobs == NULL) {
		return_error(call, error);
		return;
	}
	vf_dbus_admin1_complete_list_jobs(
	    call->self->skeleton, call->invocation, vf_dbus_records_jobs(jobs));
}

static void
list_jobs_authorized(Call *call)
{
	vf_catalog_service_list_jobs_async(call->self->catalog, NULL, list_jobs_done_cb, call);
}

static gboolean
on_handle_list_jobs(VfDBusAdmin1 *skeleton, GDBusMethodInvocation *invocation, gpointer user_data)
{
	return authorize(user_data, invocation, FALSE, list_jobs_authorized);
}

static void
retry_job_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(Call) call = user_data;
	g_autoptr(GError) error = NULL;
	gint64 job_id =
	    vf_catalog_service_retry_job_finish(VF_CATALOG_SERVICE(source), result, &error);

	if (job_id == 0) {
		return_error(call, error);
		return;
	}
	vf_dbus_admin1_complete_retry_job(call->self->skeleton, call->invocation, job_id);
}

static void
retry_job_authorized(Call *call)
{
	gint64 id = 0;

	g_variant_get(parameters(call), "(x)", &id);
	vf_catalog_service_retry_job_async(call->self->catalog, id, NULL, retry_job_done_cb, call);
}

static gboolean
on_handle_retry_job(VfDBusAdmin1 *skeleton,
		    GDBusMethodInvocation *invocation,
		    gint64 id,
		    gpointer user_data)
{
	return authorize(user_data, invocation, TRUE, retry_job_authorized);
}

static void
cancel_job_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(Call) call = user_data;
	g_autoptr(GError) error = NULL;

	if (!vf_catalog_service_cancel_job_finish(VF_CATALOG_SERVICE(source), result, &error)) {
		return_error(call, error);
		return;
	}
	vf_dbus_admin1_complete_cancel_job(call->self->skeleton, call->invocation);
}

static void
cancel_job_authorized(Call *call)
{
	gint64 id = 0;

	g_variant_get(parameters(call), "(x)", &id);
	vf_catalog_service_cancel_job_async(
	    call->self->catalog, id, NULL, cancel_job_done_cb, call);
}

static gboolean
on_handle_cancel_job(VfDBusAdmin1 *skeleton,
		     GDBusMethodInvocation *invocation,
		     gint64 id,
		     gpointer user_data)
{
	return authorize(user_data, invocation, TRUE, cancel_job_authorized);
}

/* ---- users ---- */

static void
create_user_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(Call) call = user_data;
	g_autoptr(GError) error = NULL;
	gint64 id =
	    vf_accounts_service_create_user_finish(VF_ACCOUNTS_SERVICE(source), result, &error);

	if (id == 0) {
		return_error(call, error);
		return;
	}
	vf_dbus_admin1_complete_create_user(call->self->skeleton, call->invocation, id);
}

static void
create_user_authorized(Call *call)
{
	const gchar *email;
	const gchar *password;
	gboolean is_active;
	gboolean is_admin;

	g_variant_get(parameters(call), "(&s&sbb)", &email, &password, &is_active, &is_admin);
	vf_accounts_service_create_user_async(call->self->accounts,
					      email,
					      password,
					      is_active,
					      is_admin,
					      NULL,
					      create_user_done_cb,
					      call);
}

static gboolean
on_handle_create_user(VfDBusAdmin1 *skeleton,
		      GDBusMethodInvocation *invocation,
		      const gchar *email,
		      const gchar *password,
		      gboolean is_active,
		      gboolean is_admin,
		      gpointer user_data)
{
	return authorize(user_data, invocation, TRUE, create_user_authorized);
}

static void
set_user_active_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(Call) call = user_data;
	g_autoptr(GError) error = NULL;

	if (!vf_accounts_service_set_user_active_finish(
		VF_ACCOUNTS_SERVICE(source), result, &error)) {
		return_error(call, error);
		return;
	}
	vf_dbus_admin1_complete_set_user_active(call->self->skeleton, call->invocation);
}

static void
set_user_active_authorized(Call *call)
{
	gint64 id = 0;
	gboolean value = FALSE;

	g_variant_get(parameters(call), "(xb)", &id, &value);
	vf_accounts_service_set_user_active_async(
	    call->self->accounts, id, value, NULL, set_user_active_done_cb, call);
}

static gboolean
on_handle_set_user_active(VfDBusAdmin1 *skeleton,
			  GDBusMethodInvocation *invocation,
			  gint64 id,
			  gboolean is_active,
			  gpointer user_data)
{
	return authorize(user_data, invocation, TRUE, set_user_active_authorized);
}

static void
set_user_admin_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(Call) call = user_data;
	g_autoptr(GError) error = NULL;

	if (!vf_accounts_service_set_user_admin_finish(
		VF_ACCOUNTS_SERVICE(source), result, &error)) {
		return_error(call, error);
		return;
	}
	vf_dbus_admin1_complete_set_user_admin(call->self->skeleton, call->invocation);
}

static void
set_user_admin_authorized(Call *call)
{
	gint64 id = 0;
	gboolean value = FALSE;

	g_variant_get(parameters(call), "(xb)", &id, &value);
	vf_accounts_service_set_user_admin_async(
	    call->self->accounts, id, value, NULL, set_user_admin_done_cb, call);
}

static gboolean
on_handle_set_user_admin(VfDBusAdmin1 *skeleton,
			 GDBusMethodInvocation *invocation,
			 gint64 id,
			 gboolean is_admin,
			 gpointer user_data)
{
	return authorize(user_data, invocation, TRUE, set_user_admin_authorized);
}

static void
list_users_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(Call) call = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) users =
	    vf_accounts_service_list_users_finish(VF_ACCOUNTS_SERVICE(source), result, &error);

	if (users == NULL) {
		return_error(call, error);
		return;
	}
	vf_dbus_admin1_complete_list_users(
	    call->self->skeleton, call->invocation, vf_dbus_records_users(users));
}

static void
list_users_authorized(Call *call)
{
	vf_accounts_service_list_users_async(call->self->accounts, NULL, list_users_done_cb, call);
}

static gboolean
on_handle_list_users(VfDBusAdmin1 *skeleton, GDBusMethodInvocation *invocation, gpointer user_data)
{
	return authorize(user_data, invocation, FALSE, list_users_authorized);
}

/* ---- signals ---- */

static void
job_state_changed_cb(VfCatalogService *catalog,
		     gint64 job_id,
		     gint64 video_id,
		     const gchar *state,
		     const gchar *message,
		     gpointer user_data)
{
	VfDBusAdmin *self = user_data;

	if (!g_str_equal(state, "queued") && !g_str_equal(state, "running"))
		g_hash_table_remove(self->progress_sent, &job_id);
	vf_dbus_admin1_emit_job_state_changed(self->skeleton, job_id, video_id, state, message);
}

static void
job_progress_cb(VfCatalogService *catalog,
		gint64 job_id,
		gint64 video_id,
		gdouble progress,
		gdouble speed,
		gpointer user_data)
{
	VfDBusAdmin *self = user_data;
	gint64 now = g_get_monotonic_time();
	gint64 *last = g_hash_table_lookup(self->progress_sent, &job_id);

	if (last != NULL && now - *last < PROGRESS_INTERVAL)
		return;
	g_hash_table_replace(self->progress_sent,
			     g_memdup2(&job_id, sizeof(gint64)),
			     g_memdup2(&now, sizeof(gint64)));
	vf_dbus_admin1_emit_job_progress(self->skeleton, job_id, video_id, progress, speed);
}

/* ---- export and bus name ---- */

gboolean
vf_dbus_admin_export(VfDBusAdmin *self, GDBusConnection *connection, GError **error)
{
	g_return_val_if_fail(VF_IS_DBUS_ADMIN(self), FALSE);
	return g_dbus_interface_skeleton_export(
	    G_DBUS_INTERFACE_SKELETON(self->skeleton), connection, VF_DBUS_ADMIN_PATH, error);
}

void
vf_dbus_admin_unexport(VfDBusAdmin *self)
{
	g_return_if_fail(VF_IS_DBUS_ADMIN(self));
	if (g_dbus_interface_skeleton_get_connection(G_DBUS_INTERFACE_SKELETON(self->skeleton)) !=
	    NULL)
		g_dbus_interface_skeleton_unexport(G_DBUS_INTERFACE_SKELETON(self->skeleton));
}

static const gchar *
bus_name(GBusType bus_type)
{
	return bus_type == G_BUS_TYPE_SYSTEM ? "system" : "session";
}

static void
bus_acquired_cb(GDBusConnection *connection, const gchar *name, gpointer user_data)
{
	VfDBusAdmin *self = user_data;
	g_autoptr(GError) error = NULL;

	if (!vf_dbus_admin_export(self, connection, &error))
		g_warning("D-Bus: cannot export %s: %s", VF_DBUS_ADMIN_PATH, error->message);
}

static void
name_acquired_cb(GDBusConnection *connection, const gchar *name, gpointer user_data)
{
	VfDBusAdmin *self = user_data;
	g_message("D-Bus: serving %s on the %s bus", name, bus_name(self->bus_type));
}

static void
name_lost_cb(GDBusConnection *connection, const gchar *name, gpointer user_data)
{
	VfDBusAdmin *self = user_data;

	if (connection == NULL)
		g_warning("D-Bus: the %s bus is not available; the admin interface is off "
			  "(the HTTP API goes on)",
			  bus_name(self->bus_type));
	else
		g_warning("D-Bus: %s is owned by another process (or this one may not own it "
			  "on the %s bus); the admin interface is off",
			  name,
			  bus_name(self->bus_type));
}

void
vf_dbus_admin_own_name(VfDBusAdmin *self, GBusType bus_type)
{
	g_return_if_fail(VF_IS_DBUS_ADMIN(self));
	g_return_if_fail(self->owner_id == 0);
	self->bus_type = bus_type;
	self->owner_id = g_bus_own_name(bus_type,
					VF_DBUS_ADMIN_NAME,
					G_BUS_NAME_OWNER_FLAGS_NONE,
					bus_acquired_cb,
					name_acquired_cb,
					name_lost_cb,
					self,
					NULL);
}

/* ---- GObject ---- */

VfDBusAdmin *
vf_dbus_admin_new(const VfConfig *config,
		  VfCatalogService *catalog,
		  VfAccountsService *accounts,
		  VfDBusAuthority *authority)
{
	VfDBusAdmin *self;

	g_return_val_if_fail(config != NULL, NULL);
	g_return_val_if_fail(VF_IS_CATALOG_SERVICE(catalog), NULL);
	g_return_val_if_fail(VF_IS_ACCOUNTS_SERVICE(accounts), NULL);
	g_return_val_if_fail(VF_IS_DBUS_AUTHORITY(authority), NULL);
	self = g_object_new(VF_TYPE_DBUS_ADMIN, NULL);
	self->config = config;
	self->catalog = g_object_ref(catalog);
	self->accounts = g_object_ref(accounts);
	self->authority = g_object_ref(authority);
	self->catalog_handlers[0] =
	    g_signal_connect(catalog, "job-state-changed", G_CALLBACK(job_state_changed_cb), self);
	self->catalog_handlers[1] =
	    g_signal_connect(catalog, "job-progress", G_CALLBACK(job_progress_cb), self);
	return self;
}

static void
vf_dbus_admin_dispose(GObject *object)
{
	VfDBusAdmin *self = VF_DBUS_ADMIN(object);

	if (self->owner_id != 0) {
		g_bus_unown_name(self->owner_id);
		self->owner_id = 0;
	}
	if (self->skeleton != NULL)
		vf_dbus_admin_unexport(self);
	if (self->catalog != NULL) {
		for (guint i = 0; i < G_N_ELEMENTS(self->catalog_handlers); i++)
			g_clear_signal_handler(&self->catalog_handlers[i], self->catalog);
	}
	g_clear_object(&self->skeleton);
	g_clear_object(&self->catalog);
	g_clear_object(&self->accounts);
	g_clear_object(&self->authority);
	G_OBJECT_CLASS(vf_dbus_admin_parent_class)->dispose(object);
}

static void
vf_dbus_admin_finalize(GObject *object)
{
	VfDBusAdmin *self = VF_DBUS_ADMIN(object);

	g_hash_table_unref(self->progress_sent);
	G_OBJECT_CLASS(vf_dbus_admin_parent_class)->finalize(object);
}

static void
vf_dbus_admin_init(VfDBusAdmin *self)
{
	self->progress_sent = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	self->skeleton = vf_dbus_admin1_skeleton_new();
	vf_dbus_admin1_set_version(self->skeleton, PACKAGE_VERSION);
	g_signal_connect(self->skeleton, "handle-add-video", G_CALLBACK(on_handle_add_video), self);
	g_signal_connect(
	    self->skeleton, "handle-update-video", G_CALLBACK(on_handle_update_video), self);
	g_signal_connect(
	    self->skeleton, "handle-delete-video", G_CALLBACK(on_handle_delete_video), self);
	g_signal_connect(
	    self->skeleton, "handle-list-videos", G_CALLBACK(on_handle_list_videos), self);
	g_signal_connect(self->skeleton, "handle-get-video", G_CALLBACK(on_handle_get_video), self);
	g_signal_connect(self->skeleton, "handle-list-jobs", G_CALLBACK(on_handle_list_jobs), self);
	g_signal_connect(self->skeleton, "handle-retry-job", G_CALLBACK(on_handle_retry_job), self);
	g_signal_connect(
	    self->skeleton, "handle-cancel-job", G_CALLBACK(on_handle_cancel_job), self);
	g_signal_connect(
	    self->skeleton, "handle-create-user", G_CALLBACK(on_handle_create_user), self);
	g_signal_connect(
	    self->skeleton, "handle-set-user-active", G_CALLBACK(on_handle_set_user_active), self);
	g_signal_connect(
	    self->skeleton, "handle-set-user-admin", G_CALLBACK(on_handle_set_user_admin), self);
	g_signal_connect(
	    self->skeleton, "handle-list-users", G_CALLBACK(on_handle_list_users), self);
}

static void
vf_dbus_admin_class_init(VfDBusAdminClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->dispose = vf_dbus_admin_dispose;
	object_class->finalize = vf_dbus_admin_finalize;
}
