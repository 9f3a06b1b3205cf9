/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The main window (main loop only). Lists the videos with ListVideos and their
 * latest jobs with ListJobs, follows JobProgress and JobStateChanged, and offers
 * the window actions the rows' buttons activate (edit, delete, retry). Under
 * VF_ADMIN_TEST it reports what it shows (see vf_admin_application_report()).
 */
#include "config.h"

#include "vf-admin-window.h"

#include <glib/gi18n.h>

#include "vf-admin-application.h"
#include "vf-admin-users-page.h"
#include "vf-admin-video-dialog.h"
#include "vf-admin-video-row.h"

struct _VfAdminWindow {
	AdwApplicationWindow parent_instance;

	AdwToastOverlay *toast_overlay;
	GtkRevealer *banner;
	AdwViewStack *stack;
	GtkListBox *video_list;
	VfAdminUsersPage *users_page;

	VfAdminClient *client;
	SoupSession *session;	   /* fetches thumbnails */
	GCancellable *cancellable; /* of the list calls, until dispose */
	GCancellable *refresh_cancellable;
	GHashTable *rows; /* video id (gint64 *) → VfAdminVideoRow, borrowed */
};

G_DEFINE_TYPE(VfAdminWindow, vf_admin_window, ADW_TYPE_APPLICATION_WINDOW)

static void
show_toast(VfAdminWindow *self, const gchar *message)
{
	adw_toast_overlay_add_toast(self->toast_overlay, adw_toast_new(message));
}

static void
show_error(VfAdminWindow *self, const GError *error)
{
	g_autofree gchar *message = NULL;

	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	message = vf_admin_client_dup_error_message(error);
	show_toast(self, message);
}

static VfAdminVideoRow *
lookup_row(VfAdminWindow *self, gint64 video_id)
{
	return g_hash_table_lookup(self->rows, &video_id);
}

/* ListVideos then ListJobs; both answers go into the list at once */
typedef struct {
	VfAdminWindow *window;
	GVariant *videos;
} RefreshData;

static void
refresh_data_free(RefreshData *data)
{
	g_object_unref(data->window);
	g_clear_pointer(&data->videos, g_variant_unref);
	g_free(data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(RefreshData, refresh_data_free)

static GHashTable *
id_set_new(void)
{
	return g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
}

static void
apply_videos(VfAdminWindow *self, GVariant *videos, GVariant *jobs)
{
	g_autoptr(GHashTable) seen = id_set_new();
	g_autoptr(GHashTable) with_job = id_set_new();
	GHashTableIter hash_iter;
	gpointer key;
	gpointer value;
	GVariantIter iter;
	GVariant *record;
	gint position = 0;
	gint n_rows;

	g_variant_iter_init(&iter, videos);
	while ((record = g_variant_iter_next_value(&iter)) != NULL) {
		gint64 id = 0;
		VfAdminVideoRow *row;

		g_variant_lookup(record, "id", "x", &id);
		row = lookup_row(self, id);
		if (row != NULL && gtk_list_box_row_get_index(GTK_LIST_BOX_ROW(row)) == position) {
			vf_admin_video_row_set_video(row, record);
		} else {
			if (row != NULL) {
				gtk_list_box_remove(self->video_list, GTK_WIDGET(row));
				g_hash_table_remove(self->rows, &id);
			}
			row = vf_admin_video_row_new(record, self->session);
			gtk_list_box_insert(self->video_list, GTK_WIDGET(row), position);
			g_hash_table_insert(self->rows, g_memdup2(&id, sizeof id), row);
		}
		g_hash_table_add(seen, g_memdup2(&id, sizeof id));
		position++;
		g_variant_unref(record);
	}

	/* rows of deleted videos go */
	g_hash_table_iter_init(&hash_iter, self->rows);
	while (g_hash_table_iter_next(&hash_iter, &key, &value)) {
		if (!g_hash_table_contains(seen, key)) {
			gtk_list_box_remove(self->video_list, GTK_WIDGET(value));
			g_hash_table_iter_remove(&hash_iter);
		}
	}

	/* jobs come newest first: the first one per video is its latest */
	g_variant_iter_init(&iter, jobs);
	while ((record = g_variant_iter_next_value(&iter)) != NULL) {
		gint64 id = 0;
		gint64 video_id = 0;
		const gchar *state = "";
		const gchar *error = "";
		gdouble progress = -1;
		VfAdminVideoRow *row;

		g_variant_lookup(record, "id", "x", &id);
		g_variant_lookup(record, "video_id", "x", &video_id);
		g_variant_lookup(record, "state", "&s", &state);
		g_variant_lookup(record, "error", "&s", &error);
		g_variant_lookup(record, "progress", "d", &progress);
		row = lookup_row(self, video_id);
		if (row != NULL && !g_hash_table_contains(with_job, &video_id)) {
			g_hash_table_add(with_job, g_memdup2(&video_id, sizeof video_id));
			vf_admin_video_row_set_job(row, id, state, progress, error);
		}
		g_variant_unref(record);
	}
	/* what the list shows, not what it was told */
	n_rows = 0;
	while (gtk_list_box_get_row_at_index(self->video_list, n_rows) != NULL)
		n_rows++;
	vf_admin_application_report("videos %d", n_rows);
}

static void
list_jobs_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(RefreshData) data = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) jobs = NULL;

	if (!vf_dbus_admin1_call_list_jobs_finish(VF_DBUS_ADMIN1(source), &jobs, result, &error)) {
		show_error(data->window, error);
		return;
	}
	apply_videos(data->window, data->videos, jobs);
}

static void
list_videos_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(RefreshData) data = user_data;
	g_autoptr(GError) error = NULL;
	GCancellable *cancellable;

	if (!vf_dbus_admin1_call_list_videos_finish(
		VF_DBUS_ADMIN1(source), &data->videos, result, &error)) {
		show_error(data->window, error);
		return;
	}
	cancellable = data->window->refresh_cancellable;
	vf_dbus_admin1_call_list_jobs(
	    VF_DBUS_ADMIN1(source), cancellable, list_jobs_cb, g_steal_pointer(&data));
}

static void
refresh(VfAdminWindow *self)
{
	VfDBusAdmin1 *proxy = vf_admin_client_get_proxy(self->client);
	RefreshData *data;

	if (proxy == NULL)
		return;
	g_cancellable_cancel(self->refresh_cancellable);
	g_clear_object(&self->refresh_cancellable);
	self->refresh_cancellable = g_cancellable_new();
	data = g_new0(RefreshData, 1);
	data->window = g_object_ref(self);
	vf_dbus_admin1_call_list_videos(proxy, self->refresh_cancellable, list_videos_cb, data);
}

static void
get_video_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(VfAdminWindow) self = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) video = NULL;
	VfAdminVideoRow *row;
	gint64 id = 0;

	if (!vf_dbus_admin1_call_get_video_finish(VF_DBUS_ADMIN1(source), &video, result, &error)) {
		/* deleted meanwhile: the list knows better */
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			refresh(self);
		return;
	}
	g_variant_lookup(video, "id", "x", &id);
	row = lookup_row(self, id);
	if (row != NULL)
		vf_admin_video_row_set_video(row, video);
}

static void
job_progress_cb(
    VfAdminClient *client, gint64 job_id, gint64 video_id, gdouble progress, VfAdminWindow *self)
{
	VfAdminVideoRow *row = lookup_row(self, video_id);

	if (row == NULL)
		return;
	vf_admin_video_row_set_progress(row, job_id, progress);
	vf_admin_application_report("progress %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %.4f",
				    video_id,
				    job_id,
				    vf_admin_video_row_get_progress(row));
}

static void
job_state_changed_cb(VfAdminClient *client,
		     gint64 job_id,
		     gint64 video_id,
		     const gchar *state,
		     const gchar *error,
		     VfAdminWindow *self)
{
	VfAdminVideoRow *row = lookup_row(self, video_id);
	VfDBusAdmin1 *proxy = vf_admin_client_get_proxy(client);

	vf_admin_application_report(
	    "job %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %s", job_id, video_id, state);
	if (row == NULL) {
		/* a video added elsewhere */
		refresh(self);
		return;
	}
	vf_admin_video_row_set_job(row, job_id, state, -1, error);
	if (proxy != NULL)
		vf_dbus_admin1_call_get_video(
		    proxy, video_id, self->cancellable, get_video_cb, g_object_ref(self));
}

static void
connected_cb(VfAdminClient *client, GParamSpec *pspec, VfAdminWindow *self)
{
	gboolean connected = vf_admin_client_get_connected(client);

	gtk_revealer_set_reveal_child(self->banner, !connected);
	/* what is listed stays readable, but nothing can be asked of it */
	gtk_widget_set_sensitive(GTK_WIDGET(self->video_list), connected);
	gtk_widget_set_sensitive(GTK_WIDGET(self->users_page), connected);
	gtk_widget_action_set_enabled(GTK_WIDGET(self), "win.add-video", connected);
	gtk_widget_action_set_enabled(GTK_WIDGET(self), "win.edit-video", connected);
	gtk_widget_action_set_enabled(GTK_WIDGET(self), "win.delete-video", connected);
	gtk_widget_action_set_enabled(GTK_WIDGET(self), "win.retry-job", connected);
	vf_admin_application_report(
	    "connected %d banner %d", connected, gtk_revealer_get_reveal_child(self->banner));
	if (connected)
		refresh(self);
}

static void
video_saved_cb(VfAdminVideoDialog *dialog, gint64 video_id, gint64 job_id, VfAdminWindow *self)
{
	show_toast(self, job_id > 0 ? _("Saved; the video is being transcoded.") : _("Saved."));
	refresh(self);
}

static void
open_video_dialog(VfAdminWindow *self, GVariant *video)
{
	VfAdminVideoDialog *dialog =
	    vf_admin_video_dialog_new(GTK_WINDOW(self), self->client, video);

	g_signal_connect_object(dialog, "saved", G_CALLBACK(video_saved_cb), self, 0);
	gtk_window_present(GTK_WINDOW(dialog));
}

static void
add_video_action(GtkWidget *widget, const gchar *action_name, GVariant *parameter)
{
	open_video_dialog(VF_ADMIN_WINDOW(widget), NULL);
}

static void
edit_video_action(GtkWidget *widget, const gchar *action_name, GVariant *parameter)
{
	VfAdminWindow *self = VF_ADMIN_WINDOW(widget);
	VfAdminVideoRow *row = lookup_row(self, g_variant_get_int64(parameter));

	if (row != NULL)
		open_video_dialog(self, vf_admin_video_row_get_video(row));
}

static void
delete_video_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(VfAdminWindow) self = user_data;
	g_autoptr(GError) error = NULL;

	if (!vf_dbus_admin1_call_delete_video_finish(VF_DBUS_ADMIN1(source), result, &error)) {
		show_error(self, error);
		return;
	}
	show_toast(self, _("Video deleted."));
	refresh(self);
}

static void
delete_response_cb(AdwMessageDialog *dialog, const gchar *response, VfAdminWindow *self)
{
	gint64 id = *(gint64 *)g_object_get_data(G_OBJECT(dialog), "vf-video-id");
	VfDBusAdmin1 *proxy = vf_admin_client_get_proxy(self->client);

	if (g_strcmp0(response, "delete") != 0)
		return;
	if (proxy == NULL) {
		show_toast(self, _("The Videoflix server is not reachable."));
		return;
	}
	vf_dbus_admin1_call_delete_video(
	    proxy, id, self->cancellable, delete_video_cb, g_object_ref(self));
}

static void
delete_video_action(GtkWidget *widget, const gchar *action_name, GVariant *parameter)
{
	VfAdminWindow *self = VF_ADMIN_WINDOW(widget);
	gint64 id = g_variant_get_int64(parameter);
	VfAdminVideoRow *row = lookup_row(self, id);
	g_autofree gchar *heading = NULL;
	GtkWidget *dialog;

	if (row == NULL)
		return;
	dialog = adw_message_dialog_new(GTK_WINDOW(self),
					NULL,
					_("Its source file, thumbnail and every rendition are "
					  "deleted. This cannot be undone."));
	/* TRANSLATORS: %s is the title of the video */
	heading = g_strdup_printf(_("Delete “%s”?"), vf_admin_video_row_get_title(row));
	adw_message_dialog_set_heading(ADW_MESSAGE_DIALOG(dialog), heading);
	adw_message_dialog_add_responses(
	    ADW_MESSAGE_DIALOG(dialog), "cancel", _("_Cancel"), "delete", _("_Delete"), NULL);
	adw_message_dialog_set_response_appearance(
	    ADW_MESSAGE_DIALOG(dialog), "delete", ADW_RESPONSE_DESTRUCTIVE);
	adw_message_dialog_set_default_response(ADW_MESSAGE_DIALOG(dialog), "cancel");
	adw_message_dialog_set_close_response(ADW_MESSAGE_DIALOG(dialog), "cancel");
	g_object_set_data_full(G_OBJECT(dialog), "vf-video-id", g_memdup2(&id, sizeof id), g_free);
	g_signal_connect_object(dialog, "response", G_CALLBACK(delete_response_cb), self, 0);
	gtk_window_present(GTK_WINDOW(dialog));
	vf_admin_application_report("dialog %s", heading);
}

static void
retry_job_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(VfAdminWindow) self = user_data;
	g_autoptr(GError) error = NULL;
	gint64 job_id = 0;

	if (!vf_dbus_admin1_call_retry_job_finish(
		VF_DBUS_ADMIN1(source), &job_id, result, &error)) {
		show_error(self, error);
		return;
	}
	show_toast(self, _("The transcode was queued again."));
	refresh(self);
}

static void
retry_job_action(GtkWidget *widget, const gchar *action_name, GVariant *parameter)
{
	VfAdminWindow *self = VF_ADMIN_WINDOW(widget);
	VfDBusAdmin1 *proxy = vf_admin_client_get_proxy(self->client);

	if (proxy == NULL)
		return;
	vf_dbus_admin1_call_retry_job(proxy,
				      g_variant_get_int64(parameter),
				      self->cancellable,
				      retry_job_cb,
				      g_object_ref(self));
}

static void
refresh_action(GtkWidget *widget, const gchar *action_name, GVariant *parameter)
{
	VfAdminWindow *self = VF_ADMIN_WINDOW(widget);

	refresh(self);
	vf_admin_users_page_reload(self->users_page);
}

static void
vf_admin_window_dispose(GObject *object)
{
	VfAdminWindow *self = VF_ADMIN_WINDOW(object);

	g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	g_cancellable_cancel(self->refresh_cancellable);
	g_clear_object(&self->refresh_cancellable);
	g_clear_object(&self->client);
	g_clear_object(&self->session);
	g_clear_pointer(&self->rows, g_hash_table_unref);
	G_OBJECT_CLASS(vf_admin_window_parent_class)->dispose(object);
}

static void
vf_admin_window_class_init(VfAdminWindowClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	object_class->dispose = vf_admin_window_dispose;

	g_type_ensure(VF_TYPE_ADMIN_USERS_PAGE);
	gtk_widget_class_set_template_from_resource(widget_class,
						    "/org/videoflix/Admin/vf-admin-window.ui");
	gtk_widget_class_bind_template_child(widget_class, VfAdminWindow, toast_overlay);
	gtk_widget_class_bind_template_child(widget_class, VfAdminWindow, banner);
	gtk_widget_class_bind_template_child(widget_class, VfAdminWindow, stack);
	gtk_widget_class_bind_template_child(widget_class, VfAdminWindow, video_list);
	gtk_widget_class_bind_template_child(widget_class, VfAdminWindow, users_page);

	gtk_widget_class_install_action(widget_class, "win.add-video", NULL, add_video_action);
	gtk_widget_class_install_action(widget_class, "win.edit-video", "x", edit_video_action);
	gtk_widget_class_install_action(widget_class, "win.delete-video", "x", delete_video_action);
	gtk_widget_class_install_action(widget_class, "win.retry-job", "x", retry_job_action);
	gtk_widget_class_install_action(widget_class, "win.refresh", NULL, refresh_action);
	gtk_widget_class_add_binding_action(
	    widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.add-video", NULL);
	gtk_widget_class_add_binding_action(widget_class, GDK_KEY_F5, 0, "win.refresh", NULL);
	gtk_widget_class_add_binding_action(
	    widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.refresh", NULL);
}

static void
vf_admin_window_init(VfAdminWindow *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	self->cancellable = g_cancellable_new();
	self->rows = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	self->session = soup_session_new_with_options("timeout", 30, "max-conns", 4, NULL);
}

VfAdminWindow *
vf_admin_window_new(GtkApplication *application, VfAdminClient *client)
{
	VfAdminWindow *self = g_object_new(VF_TYPE_ADMIN_WINDOW, "application", application, NULL);

	self->client = g_object_ref(client);
	g_signal_connect_object(client, "notify::connected", G_CALLBACK(connected_cb), self, 0);
	g_signal_connect_object(client, "job-progress", G_CALLBACK(job_progress_cb), self, 0);
	g_signal_connect_object(
	    client, "job-state-changed", G_CALLBACK(job_state_changed_cb), self, 0);
	vf_admin_users_page_set_client(self->users_page, client);
	/* the banner only once the bus answered that the name has no owner */
	gtk_widget_action_set_enabled(GTK_WIDGET(self), "win.add-video", FALSE);
	if (vf_admin_client_get_connected(client))
		connected_cb(client, NULL, self);
	return self;
}

void
vf_admin_window_show_page(VfAdminWindow *self, const gchar *name)
{
	g_return_if_fail(VF_IS_ADMIN_WINDOW(self));
	adw_view_stack_set_visible_child_name(self->stack, name);
}
