/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The add/edit form (main loop only). Checks the input with
 * vf_admin_validate_video() before any call; while the daemon works the form is
 * insensitive, and its error (e.g. MediaInvalid from the probe) is shown in the
 * form, which stays open to be corrected.
 */
#include "config.h"

#include "vf-admin-video-dialog.h"

#include <glib/gi18n.h>

#include "vf-admin-validate.h"

struct _VfAdminVideoDialog {
	AdwWindow parent_instance;

	GtkButton *save_button;
	GtkEntry *title_entry;
	GtkEntry *category_entry;
	GtkTextView *description_view;
	GtkButton *file_button;
	GtkLabel *file_label;
	GtkLabel *error_label;

	VfAdminClient *client;
	GCancellable *cancellable; /* of the call */
	GtkFileChooserNative *chooser;
	GVariant *video; /* NULL when adding */
	gchar *path;	 /* chosen file, or NULL */
};

enum { SIGNAL_SAVED, SIGNAL_LAST };
static guint signals[SIGNAL_LAST] = {0};

G_DEFINE_TYPE(VfAdminVideoDialog, vf_admin_video_dialog, ADW_TYPE_WINDOW)

static void
show_error(VfAdminVideoDialog *self, const gchar *message)
{
	gtk_label_set_text(self->error_label, message);
	gtk_widget_set_visible(GTK_WIDGET(self->error_label), message != NULL);
}

static void
set_busy(VfAdminVideoDialog *self, gboolean busy)
{
	gtk_widget_set_sensitive(GTK_WIDGET(self->save_button), !busy);
	gtk_widget_set_sensitive(GTK_WIDGET(self->title_entry), !busy);
	gtk_widget_set_sensitive(GTK_WIDGET(self->category_entry), !busy);
	gtk_widget_set_sensitive(GTK_WIDGET(self->description_view), !busy);
	gtk_widget_set_sensitive(GTK_WIDGET(self->file_button), !busy);
}

static gchar *
dup_description(VfAdminVideoDialog *self)
{
	GtkTextBuffer *buffer = gtk_text_view_get_buffer(self->description_view);
	GtkTextIter start;
	GtkTextIter end;

	gtk_text_buffer_get_bounds(buffer, &start, &end);
	return gtk_text_buffer_get_text(buffer, &start, &end, FALSE);
}

static void
call_failed(VfAdminVideoDialog *self, const GError *error)
{
	g_autofree gchar *message = vf_admin_client_dup_error_message(error);

	set_busy(self, FALSE);
	show_error(self, message);
	gtk_widget_grab_focus(GTK_WIDGET(self->title_entry));
}

static void
add_video_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(VfAdminVideoDialog) self = user_data;
	g_autoptr(GError) error = NULL;
	gint64 id = 0;
	gint64 job_id = 0;

	if (!vf_dbus_admin1_call_add_video_finish(
		VF_DBUS_ADMIN1(source), &id, &job_id, result, &error)) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			call_failed(self, error);
		return;
	}
	g_signal_emit(self, signals[SIGNAL_SAVED], 0, id, job_id);
	gtk_window_destroy(GTK_WINDOW(self));
}

static void
update_video_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(VfAdminVideoDialog) self = user_data;
	g_autoptr(GError) error = NULL;
	gint64 id = 0;
	gint64 job_id = 0;

	if (!vf_dbus_admin1_call_update_video_finish(
		VF_DBUS_ADMIN1(source), &job_id, result, &error)) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			call_failed(self, error);
		return;
	}
	g_variant_lookup(self->video, "id", "x", &id);
	g_signal_emit(self, signals[SIGNAL_SAVED], 0, id, job_id);
	gtk_window_destroy(GTK_WINDOW(self));
}

static GVariant *
build_changes(VfAdminVideoDialog *self,
	      const gchar *title,
	      const gchar *description,
	      const gchar *category)
{
	g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT(NULL);
	const gchar *old = NULL;

	if (!g_variant_lookup(self->video, "title", "&s", &old) || g_strcmp0(old, title) != 0)
		g_variant_dict_insert(&dict, "title", "s", title);
	if (!g_variant_lookup(self->video, "description", "&s", &old) ||
	    g_strcmp0(old, description) != 0)
		g_variant_dict_insert(&dict, "description", "s", description);
	if (!g_variant_lookup(self->video, "category", "&s", &old) || g_strcmp0(old, category) != 0)
		g_variant_dict_insert(&dict, "category", "s", category);
	if (self->path != NULL)
		g_variant_dict_insert(&dict, "path", "s", self->path);
	return g_variant_dict_end(&dict);
}

static void
save_clicked_cb(VfAdminVideoDialog *self)
{
	VfDBusAdmin1 *proxy = vf_admin_client_get_proxy(self->client);
	g_autofree gchar *title =
	    g_strstrip(g_strdup(gtk_editable_get_text(GTK_EDITABLE(self->title_entry))));
	g_autofree gchar *category =
	    g_strstrip(g_strdup(gtk_editable_get_text(GTK_EDITABLE(self->category_entry))));
	g_autofree gchar *description = dup_description(self);
	g_autoptr(GError) error = NULL;

	if (!vf_admin_validate_video(title, self->path, self->video == NULL, &error)) {
		show_error(self, error->message);
		if (title[0] == '\0' || g_utf8_strlen(title, -1) > VF_ADMIN_TITLE_MAX_CHARS)
			gtk_widget_grab_focus(GTK_WIDGET(self->title_entry));
		else
			gtk_widget_grab_focus(GTK_WIDGET(self->file_button));
		return;
	}
	if (proxy == NULL) {
		show_error(self, _("The Videoflix server is not reachable."));
		return;
	}
	show_error(self, NULL);
	set_busy(self, TRUE);
	g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	self->cancellable = g_cancellable_new();
	if (self->video == NULL) {
		vf_dbus_admin1_call_add_video(proxy,
					      self->path,
					      title,
					      description,
					      category,
					      self->cancellable,
					      add_video_cb,
					      g_object_ref(self));
	} else {
		gint64 id = 0;

		g_variant_lookup(self->video, "id", "x", &id);
		vf_dbus_admin1_call_update_video(proxy,
						 id,
						 build_changes(self, title, description, category),
						 self->cancellable,
						 update_video_cb,
						 g_object_ref(self));
	}
}

static void
chooser_response_cb(GtkNativeDialog *chooser, gint response, VfAdminVideoDialog *self)
{
	g_autoptr(GFile) file = NULL;
	g_autofree gchar *path = NULL;

	if (response != GTK_RESPONSE_ACCEPT)
		return;
	file = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(chooser));
	if (file == NULL)
		return;
	/* in a sandbox a document portal path, which the daemon must be able to read */
	path = g_file_get_path(file);
	if (path == NULL) {
		show_error(self, _("The video file must be a local file."));
		return;
	}
	vf_admin_video_dialog_set_path(self, path);
}

static void
file_clicked_cb(VfAdminVideoDialog *self)
{
	g_autoptr(GtkFileFilter) videos = gtk_file_filter_new();
	g_autoptr(GtkFileFilter) all = gtk_file_filter_new();

	if (self->chooser == NULL) {
		self->chooser = gtk_file_chooser_native_new(_("Choose a Video File"),
							    GTK_WINDOW(self),
							    GTK_FILE_CHOOSER_ACTION_OPEN,
							    _("_Open"),
							    _("_Cancel"));
		gtk_file_filter_set_name(videos, _("Videos"));
		gtk_file_filter_add_mime_type(videos, "video/*");
		gtk_file_chooser_add_filter(GTK_FILE_CHOOSER(self->chooser), videos);
		gtk_file_filter_set_name(all, _("All Files"));
		gtk_file_filter_add_pattern(all, "*");
		gtk_file_chooser_add_filter(GTK_FILE_CHOOSER(self->chooser), all);
		g_signal_connect(self->chooser, "response", G_CALLBACK(chooser_response_cb), self);
	}
	gtk_native_dialog_show(GTK_NATIVE_DIALOG(self->chooser));
}

static void
vf_admin_video_dialog_dispose(GObject *object)
{
	VfAdminVideoDialog *self = VF_ADMIN_VIDEO_DIALOG(object);

	g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	if (self->chooser != NULL) {
		g_signal_handlers_disconnect_by_data(self->chooser, self);
		gtk_native_dialog_destroy(GTK_NATIVE_DIALOG(self->chooser));
		g_clear_object(&self->chooser);
	}
	g_clear_object(&self->client);
	G_OBJECT_CLASS(vf_admin_video_dialog_parent_class)->dispose(object);
}

static void
vf_admin_video_dialog_finalize(GObject *object)
{
	VfAdminVideoDialog *self = VF_ADMIN_VIDEO_DIALOG(object);

	g_clear_pointer(&self->video, g_variant_unref);
	g_free(self->path);
	G_OBJECT_CLASS(vf_admin_video_dialog_parent_class)->finalize(object);
}

static void
vf_admin_video_dialog_class_init(VfAdminVideoDialogClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	object_class->dispose = vf_admin_video_dialog_dispose;
	object_class->finalize = vf_admin_video_dialog_finalize;

	/* video id, job id (0 when an edit started none) */
	signals[SIGNAL_SAVED] = g_signal_new("saved",
					     G_TYPE_FROM_CLASS(klass),
					     G_SIGNAL_RUN_LAST,
					     0,
					     NULL,
					     NULL,
					     NULL,
					     G_TYPE_NONE,
					     2,
					     G_TYPE_INT64,
					     G_TYPE_INT64);

	gtk_widget_class_set_template_from_resource(
	    widget_class, "/org/videoflix/Admin/vf-admin-video-dialog.ui");
	gtk_widget_class_bind_template_child(widget_class, VfAdminVideoDialog, save_button);
	gtk_widget_class_bind_template_child(widget_class, VfAdminVideoDialog, title_entry);
	gtk_widget_class_bind_template_child(widget_class, VfAdminVideoDialog, category_entry);
	gtk_widget_class_bind_template_child(widget_class, VfAdminVideoDialog, description_view);
	gtk_widget_class_bind_template_child(widget_class, VfAdminVideoDialog, file_button);
	gtk_widget_class_bind_template_child(widget_class, VfAdminVideoDialog, file_label);
	gtk_widget_class_bind_template_child(widget_class, VfAdminVideoDialog, error_label);
	gtk_widget_class_add_binding_action(widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
vf_admin_video_dialog_init(VfAdminVideoDialog *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	g_signal_connect_swapped(self->save_button, "clicked", G_CALLBACK(save_clicked_cb), self);
	g_signal_connect_swapped(self->file_button, "clicked", G_CALLBACK(file_clicked_cb), self);
}

VfAdminVideoDialog *
vf_admin_video_dialog_new(GtkWindow *parent, VfAdminClient *client, GVariant *video)
{
	VfAdminVideoDialog *self =
	    g_object_new(VF_TYPE_ADMIN_VIDEO_DIALOG,
			 "transient-for",
			 parent,
			 "application",
			 parent != NULL ? gtk_window_get_application(parent) : NULL,
			 NULL);

	self->client = g_object_ref(client);
	if (video == NULL) {
		gtk_window_set_title(GTK_WINDOW(self), _("Add Video"));
		gtk_button_set_label(self->save_button, _("_Add"));
		gtk_label_set_text(self->file_label, _("No file chosen"));
	} else {
		const gchar *text = NULL;

		self->video = g_variant_ref_sink(video);
		gtk_window_set_title(GTK_WINDOW(self), _("Edit Video"));
		gtk_label_set_text(self->file_label, _("Keep the current file"));
		if (g_variant_lookup(video, "title", "&s", &text))
			gtk_editable_set_text(GTK_EDITABLE(self->title_entry), text);
		if (g_variant_lookup(video, "category", "&s", &text))
			gtk_editable_set_text(GTK_EDITABLE(self->category_entry), text);
		if (g_variant_lookup(video, "description", "&s", &text))
			gtk_text_buffer_set_text(
			    gtk_text_view_get_buffer(self->description_view), text, -1);
	}
	gtk_widget_grab_focus(GTK_WIDGET(self->title_entry));
	return self;
}

void
vf_admin_video_dialog_set_path(VfAdminVideoDialog *self, const gchar *path)
{
	g_autofree gchar *basename = NULL;

	g_return_if_fail(VF_IS_ADMIN_VIDEO_DIALOG(self));
	g_return_if_fail(path != NULL);

	g_free(self->path);
	self->path = g_strdup(path);
	basename = g_path_get_basename(path);
	gtk_label_set_text(self->file_label, basename);
	show_error(self, NULL);
}
