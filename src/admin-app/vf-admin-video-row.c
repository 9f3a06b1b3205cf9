/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A row of the video list (main loop only). Keeps the video's record and its latest
 * job; fetches the thumbnail once per URL with the window's SoupSession and shows
 * a placeholder icon while there is none or when fetching fails.
 */
#include "config.h"

#include "vf-admin-video-row.h"

#include <glib/gi18n.h>

#include "vf-admin-application.h"

struct _VfAdminVideoRow {
	GtkListBoxRow parent_instance;

	GtkStack *thumbnail_stack;
	GtkPicture *thumbnail;
	GtkLabel *title_label;
	GtkLabel *details_label;
	GtkProgressBar *progress_bar;
	GtkLabel *error_label;
	GtkButton *retry_button;
	GtkButton *edit_button;
	GtkButton *delete_button;

	SoupSession *session;
	GCancellable *cancellable; /* of the thumbnail fetch */
	GVariant *video;	   /* a{sv} */
	gint64 id;
	gchar *title;
	gchar *status;
	gchar *thumbnail_url; /* the one fetched or being fetched */
	gint64 job_id;
	gchar *job_state;
	gchar *job_error;
};

G_DEFINE_TYPE(VfAdminVideoRow, vf_admin_video_row, GTK_TYPE_LIST_BOX_ROW)

static const gchar *
status_label(const gchar *status)
{
	if (g_strcmp0(status, "pending") == 0)
		return _("Pending");
	if (g_strcmp0(status, "processing") == 0)
		return _("Processing");
	if (g_strcmp0(status, "ready") == 0)
		return _("Ready");
	if (g_strcmp0(status, "failed") == 0)
		return _("Failed");
	return status;
}

static gboolean
job_is_active(VfAdminVideoRow *self)
{
	return g_strcmp0(self->job_state, "queued") == 0 ||
	       g_strcmp0(self->job_state, "running") == 0;
}

static void
update_widgets(VfAdminVideoRow *self)
{
	g_autoptr(GString) details = g_string_new(NULL);
	g_autofree gchar *category = NULL;
	const gchar *error = NULL;
	gdouble duration = -1;
	gboolean failed;

	g_variant_lookup(self->video, "category", "s", &category);
	g_variant_lookup(self->video, "duration", "d", &duration);
	if (category != NULL && category[0] != '\0')
		g_string_append_printf(details, "%s · ", category);
	if (duration >= 0) {
		guint seconds = (guint)(duration + 0.5);
		g_string_append_printf(details, "%u:%02u · ", seconds / 60, seconds % 60);
	}
	g_string_append(details, status_label(self->status));
	gtk_label_set_text(self->title_label, self->title);
	gtk_label_set_text(self->details_label, details->str);

	gtk_widget_set_visible(GTK_WIDGET(self->progress_bar),
			       job_is_active(self) || g_strcmp0(self->status, "processing") == 0);

	failed = g_strcmp0(self->job_state, "failed") == 0 ||
		 g_strcmp0(self->job_state, "cancelled") == 0;
	if (failed && self->job_error != NULL && self->job_error[0] != '\0')
		error = self->job_error;
	else if (g_strcmp0(self->status, "failed") == 0)
		g_variant_lookup(self->video, "error", "&s", &error);
	gtk_label_set_text(self->error_label, error != NULL ? error : "");
	gtk_widget_set_visible(GTK_WIDGET(self->error_label), error != NULL && error[0] != '\0');

	gtk_widget_set_visible(GTK_WIDGET(self->retry_button), failed && self->job_id > 0);
	if (self->job_id > 0)
		gtk_actionable_set_action_target(
		    GTK_ACTIONABLE(self->retry_button), "x", self->job_id);
}

static void
thumbnail_read_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	SoupMessage *msg = soup_session_get_async_result_message(SOUP_SESSION(source), result);
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(GdkTexture) texture = NULL;
	VfAdminVideoRow *self;

	bytes = soup_session_send_and_read_finish(SOUP_SESSION(source), result, &error);
	/* cancelled in dispose: the row may be gone */
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	self = VF_ADMIN_VIDEO_ROW(user_data);
	if (bytes != NULL && soup_message_get_status(msg) == SOUP_STATUS_OK)
		texture = gdk_texture_new_from_bytes(bytes, &error);
	if (texture == NULL) {
		g_debug("no thumbnail for video %" G_GINT64_FORMAT ": %s",
			self->id,
			error != NULL ? error->message : soup_message_get_reason_phrase(msg));
		gtk_stack_set_visible_child_name(self->thumbnail_stack, "placeholder");
		vf_admin_application_report("thumbnail %" G_GINT64_FORMAT " missing", self->id);
		return;
	}
	gtk_picture_set_paintable(self->thumbnail, GDK_PAINTABLE(texture));
	gtk_stack_set_visible_child_name(self->thumbnail_stack, "picture");
	vf_admin_application_report("thumbnail %" G_GINT64_FORMAT " %dx%d",
				    self->id,
				    gdk_texture_get_width(texture),
				    gdk_texture_get_height(texture));
}

static void
update_thumbnail(VfAdminVideoRow *self)
{
	const gchar *url = NULL;
	g_autoptr(SoupMessage) msg = NULL;

	g_variant_lookup(self->video, "thumbnail_url", "&s", &url);
	if (g_strcmp0(url, self->thumbnail_url) == 0)
		return;
	g_free(self->thumbnail_url);
	self->thumbnail_url = g_strdup(url);
	g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	gtk_stack_set_visible_child_name(self->thumbnail_stack, "placeholder");
	if (url == NULL || url[0] == '\0' || self->session == NULL)
		return;
	msg = soup_message_new(SOUP_METHOD_GET, url);
	if (msg == NULL)
		return;
	self->cancellable = g_cancellable_new();
	soup_session_send_and_read_async(
	    self->session, msg, G_PRIORITY_LOW, self->cancellable, thumbnail_read_cb, self);
}

static void
vf_admin_video_row_dispose(GObject *object)
{
	VfAdminVideoRow *self = VF_ADMIN_VIDEO_ROW(object);

	g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	g_clear_object(&self->session);
	G_OBJECT_CLASS(vf_admin_video_row_parent_class)->dispose(object);
}

static void
vf_admin_video_row_finalize(GObject *object)
{
	VfAdminVideoRow *self = VF_ADMIN_VIDEO_ROW(object);

	g_clear_pointer(&self->video, g_variant_unref);
	g_free(self->title);
	g_free(self->status);
	g_free(self->thumbnail_url);
	g_free(self->job_state);
	g_free(self->job_error);
	G_OBJECT_CLASS(vf_admin_video_row_parent_class)->finalize(object);
}

static void
vf_admin_video_row_class_init(VfAdminVideoRowClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	object_class->dispose = vf_admin_video_row_dispose;
	object_class->finalize = vf_admin_video_row_finalize;

	gtk_widget_class_set_template_from_resource(widget_class,
						    "/org/videoflix/Admin/vf-admin-video-row.ui");
	gtk_widget_class_bind_template_child(widget_class, VfAdminVideoRow, thumbnail_stack);
	gtk_widget_class_bind_template_child(widget_class, VfAdminVideoRow, thumbnail);
	gtk_widget_class_bind_template_child(widget_class, VfAdminVideoRow, title_label);
	gtk_widget_class_bind_template_child(widget_class, VfAdminVideoRow, details_label);
	gtk_widget_class_bind_template_child(widget_class, VfAdminVideoRow, progress_bar);
	gtk_widget_class_bind_template_child(widget_class, VfAdminVideoRow, error_label);
	gtk_widget_class_bind_template_child(widget_class, VfAdminVideoRow, retry_button);
	gtk_widget_class_bind_template_child(widget_class, VfAdminVideoRow, edit_button);
	gtk_widget_class_bind_template_child(widget_class, VfAdminVideoRow, delete_button);
}

static void
vf_admin_video_row_init(VfAdminVideoRow *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	/* the target first: a parameterised action without one only warns */
	gtk_actionable_set_action_target(GTK_ACTIONABLE(self->retry_button), "x", (gint64)0);
	gtk_actionable_set_action_name(GTK_ACTIONABLE(self->retry_button), "win.retry-job");
	gtk_actionable_set_action_target(GTK_ACTIONABLE(self->edit_button), "x", (gint64)0);
	gtk_actionable_set_action_name(GTK_ACTIONABLE(self->edit_button), "win.edit-video");
	gtk_actionable_set_action_target(GTK_ACTIONABLE(self->delete_button), "x", (gint64)0);
	gtk_actionable_set_action_name(GTK_ACTIONABLE(self->delete_button), "win.delete-video");
}

VfAdminVideoRow *
vf_admin_video_row_new(GVariant *video, SoupSession *session)
{
	VfAdminVideoRow *self = g_object_new(VF_TYPE_ADMIN_VIDEO_ROW, NULL);

	if (session != NULL)
		self->session = g_object_ref(session);
	vf_admin_video_row_set_video(self, video);
	return self;
}

void
vf_admin_video_row_set_video(VfAdminVideoRow *self, GVariant *video)
{
	g_return_if_fail(VF_IS_ADMIN_VIDEO_ROW(self));
	g_return_if_fail(g_variant_is_of_type(video, G_VARIANT_TYPE_VARDICT));

	g_clear_pointer(&self->video, g_variant_unref);
	self->video = g_variant_ref_sink(video);
	g_clear_pointer(&self->title, g_free);
	g_clear_pointer(&self->status, g_free);
	g_variant_lookup(video, "id", "x", &self->id);
	if (!g_variant_lookup(video, "title", "s", &self->title))
		self->title = g_strdup("");
	if (!g_variant_lookup(video, "status", "s", &self->status))
		self->status = g_strdup("");
	if (g_strcmp0(self->status, "processing") == 0) {
		gdouble progress = 0;

		if (g_variant_lookup(video, "progress", "d", &progress))
			gtk_progress_bar_set_fraction(self->progress_bar, CLAMP(progress, 0, 1));
	}
	gtk_actionable_set_action_target(GTK_ACTIONABLE(self->edit_button), "x", self->id);
	gtk_actionable_set_action_target(GTK_ACTIONABLE(self->delete_button), "x", self->id);
	update_widgets(self);
	update_thumbnail(self);
}

GVariant *
vf_admin_video_row_get_video(VfAdminVideoRow *self)
{
	g_return_val_if_fail(VF_IS_ADMIN_VIDEO_ROW(self), NULL);
	return self->video;
}

gint64
vf_admin_video_row_get_id(VfAdminVideoRow *self)
{
	g_return_val_if_fail(VF_IS_ADMIN_VIDEO_ROW(self), 0);
	return self->id;
}

const gchar *
vf_admin_video_row_get_title(VfAdminVideoRow *self)
{
	g_return_val_if_fail(VF_IS_ADMIN_VIDEO_ROW(self), NULL);
	return self->title;
}

void
vf_admin_video_row_set_job(
    VfAdminVideoRow *self, gint64 job_id, const gchar *state, gdouble progress, const gchar *error)
{
	g_return_if_fail(VF_IS_ADMIN_VIDEO_ROW(self));

	/* an older job's late signal must not hide the newer one */
	if (job_id < self->job_id)
		return;
	self->job_id = job_id;
	g_free(self->job_state);
	self->job_state = g_strdup(state);
	g_free(self->job_error);
	self->job_error = g_strdup(error);
	if ((g_strcmp0(state, "running") == 0 || g_strcmp0(state, "queued") == 0) && progress >= 0)
		gtk_progress_bar_set_fraction(self->progress_bar, CLAMP(progress, 0, 1));
	update_widgets(self);
}

void
vf_admin_video_row_set_progress(VfAdminVideoRow *self, gint64 job_id, gdouble progress)
{
	g_return_if_fail(VF_IS_ADMIN_VIDEO_ROW(self));

	if (job_id < self->job_id)
		return;
	if (job_id != self->job_id || !job_is_active(self)) {
		vf_admin_video_row_set_job(self, job_id, "running", progress, "");
		return;
	}
	gtk_progress_bar_set_fraction(self->progress_bar, CLAMP(progress, 0, 1));
	update_widgets(self);
}

gdouble
vf_admin_video_row_get_progress(VfAdminVideoRow *self)
{
	g_return_val_if_fail(VF_IS_ADMIN_VIDEO_ROW(self), -1);
	if (!gtk_widget_get_visible(GTK_WIDGET(self->progress_bar)))
		return -1;
	return gtk_progress_bar_get_fraction(self->progress_bar);
}
