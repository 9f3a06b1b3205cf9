/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The app's widgets in this process under xvfb-run, without a daemon (a private
 * bus where nobody owns org.videoflix.Admin1): the video form refuses bad input
 * before any call, an edit starts from the video's values, and a video row shows
 * its job's progress, failure and retry button.
 */
#include "config.h"

#include <adwaita.h>

#include "vf-admin-client.h"
#include "vf-admin-video-dialog.h"
#include "vf-admin-video-row.h"

static GTestDBus *bus;

static GtkWidget *
child(gpointer widget, GType type, const gchar *name)
{
	GObject *object = gtk_widget_get_template_child(GTK_WIDGET(widget), type, name);

	g_assert_nonnull(object);
	return GTK_WIDGET(object);
}

static GVariant *
video_record(gint64 id, const gchar *title, const gchar *status, gdouble progress)
{
	g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT(NULL);

	g_variant_dict_insert(&dict, "id", "x", id);
	g_variant_dict_insert(&dict, "title", "s", title);
	g_variant_dict_insert(&dict, "description", "s", "A description");
	g_variant_dict_insert(&dict, "category", "s", "Drama");
	g_variant_dict_insert(&dict, "status", "s", status);
	g_variant_dict_insert(&dict, "duration", "d", 95.0);
	g_variant_dict_insert(&dict, "progress", "d", progress);
	g_variant_dict_insert(&dict, "thumbnail_url", "s", "");
	g_variant_dict_insert(&dict, "error", "s", "");
	return g_variant_dict_end(&dict);
}

static void
notified_cb(GObject *object, GParamSpec *pspec, gpointer user_data)
{
	*(gboolean *)user_data = TRUE;
}

/* a client that has heard that nobody owns the name (so it is settled on the bus) */
static VfAdminClient *
client_new(void)
{
	VfAdminClient *client = vf_admin_client_new(G_BUS_TYPE_SESSION);
	gboolean notified = FALSE;
	gulong handler =
	    g_signal_connect(client, "notify::connected", G_CALLBACK(notified_cb), &notified);

	while (!notified)
		g_main_context_iteration(NULL, TRUE);
	g_signal_handler_disconnect(client, handler);
	g_assert_false(vf_admin_client_get_connected(client));
	return client;
}

/* clicks Save and returns the form's error ("" when none is shown) */
static const gchar *
save(VfAdminVideoDialog *dialog)
{
	GtkWidget *error_label = child(dialog, VF_TYPE_ADMIN_VIDEO_DIALOG, "error_label");

	g_signal_emit_by_name(child(dialog, VF_TYPE_ADMIN_VIDEO_DIALOG, "save_button"), "clicked");
	if (!gtk_widget_get_visible(error_label))
		return "";
	return gtk_label_get_text(GTK_LABEL(error_label));
}

static void
test_dialog_validates(void)
{
	g_autoptr(VfAdminClient) client = client_new();
	VfAdminVideoDialog *dialog = vf_admin_video_dialog_new(NULL, client, NULL);
	GtkEditable *title = GTK_EDITABLE(child(dialog, VF_TYPE_ADMIN_VIDEO_DIALOG, "title_entry"));
	g_autofree gchar *long_title = g_strnfill(201, 'x');

	gtk_window_present(GTK_WINDOW(dialog));
	g_assert_cmpstr(save(dialog), ==, "Enter a title.");
	g_assert_true(gtk_widget_has_focus(GTK_WIDGET(title)) ||
		      gtk_widget_is_focus(GTK_WIDGET(title)) ||
		      gtk_window_get_focus(GTK_WINDOW(dialog)) != NULL);
	gtk_editable_set_text(title, "   ");
	g_assert_cmpstr(save(dialog), ==, "Enter a title.");
	gtk_editable_set_text(title, long_title);
	g_assert_cmpstr(save(dialog), ==, "The title may have at most 200 characters.");
	long_title[200] = '\0';
	gtk_editable_set_text(title, long_title);
	g_assert_cmpstr(save(dialog), ==, "Choose a video file.");
	vf_admin_video_dialog_set_path(dialog, "/srv/import/clip.mp4");
	g_assert_cmpstr(
	    gtk_label_get_text(GTK_LABEL(child(dialog, VF_TYPE_ADMIN_VIDEO_DIALOG, "file_label"))),
	    ==,
	    "clip.mp4");
	/* valid: only now the call, which finds no daemon */
	g_assert_cmpstr(save(dialog), ==, "The Videoflix server is not reachable.");
	gtk_window_destroy(GTK_WINDOW(dialog));
}

static void
test_dialog_edits(void)
{
	g_autoptr(VfAdminClient) client = client_new();
	g_autoptr(GVariant) video = g_variant_ref_sink(video_record(7, "Sintel", "ready", 0));
	VfAdminVideoDialog *dialog = vf_admin_video_dialog_new(NULL, client, video);
	GtkEditable *title = GTK_EDITABLE(child(dialog, VF_TYPE_ADMIN_VIDEO_DIALOG, "title_entry"));
	GtkEditable *category =
	    GTK_EDITABLE(child(dialog, VF_TYPE_ADMIN_VIDEO_DIALOG, "category_entry"));

	g_assert_cmpstr(gtk_editable_get_text(title), ==, "Sintel");
	g_assert_cmpstr(gtk_editable_get_text(category), ==, "Drama");
	g_assert_cmpstr(gtk_window_get_title(GTK_WINDOW(dialog)), ==, "Edit Video");
	/* an edit may keep its file */
	g_assert_cmpstr(save(dialog), ==, "The Videoflix server is not reachable.");
	gtk_editable_set_text(title, "");
	g_assert_cmpstr(save(dialog), ==, "Enter a title.");
	gtk_window_destroy(GTK_WINDOW(dialog));
}

static void
test_row_follows_job(void)
{
	VfAdminVideoRow *row = g_object_ref_sink(
	    vf_admin_video_row_new(video_record(3, "Clip", "processing", 0.25), NULL));
	GtkWidget *retry = child(row, VF_TYPE_ADMIN_VIDEO_ROW, "retry_button");
	GtkWidget *error_label = child(row, VF_TYPE_ADMIN_VIDEO_ROW, "error_label");
	GVariant *target; /* borrowed */

	g_assert_cmpint(vf_admin_video_row_get_id(row), ==, 3);
	g_assert_cmpfloat(vf_admin_video_row_get_progress(row), ==, 0.25);
	vf_admin_video_row_set_job(row, 10, "running", 0.25, "");
	vf_admin_video_row_set_progress(row, 10, 0.5);
	g_assert_cmpfloat(vf_admin_video_row_get_progress(row), ==, 0.5);
	/* a late signal of an older job changes nothing */
	vf_admin_video_row_set_progress(row, 9, 0.9);
	g_assert_cmpfloat(vf_admin_video_row_get_progress(row), ==, 0.5);
	g_assert_false(gtk_widget_get_visible(retry));

	vf_admin_video_row_set_job(row, 10, "failed", -1, "Transcode failed: boom");
	vf_admin_video_row_set_video(row, video_record(3, "Clip", "failed", 0));
	g_assert_cmpfloat(vf_admin_video_row_get_progress(row), ==, -1);
	g_assert_true(gtk_widget_get_visible(retry));
	g_assert_true(gtk_widget_get_visible(error_label));
	g_assert_cmpstr(gtk_label_get_text(GTK_LABEL(error_label)), ==, "Transcode failed: boom");
	target = gtk_actionable_get_action_target_value(GTK_ACTIONABLE(retry));
	g_assert_cmpint(g_variant_get_int64(target), ==, 10);

	/* the retry's job runs: the bar is back, the button goes */
	vf_admin_video_row_set_progress(row, 11, 0.1);
	g_assert_cmpfloat(vf_admin_video_row_get_progress(row), ==, 0.1);
	g_assert_false(gtk_widget_get_visible(retry));
	g_object_unref(row);
}

int
main(int argc, char **argv)
{
	g_autofree gchar *display = NULL;
	gint status;

	g_setenv("GTK_A11Y", "none", TRUE);
	g_setenv("GSETTINGS_BACKEND", "memory", TRUE);
	g_setenv("GSK_RENDERER", "cairo", TRUE);
	g_test_init(&argc, &argv, NULL);
	bus = g_test_dbus_new(G_TEST_DBUS_NONE);
	/* GTestDBus unsets DISPLAY (against X11 autolaunch); xvfb-run's is wanted */
	display = g_strdup(g_getenv("DISPLAY"));
	g_test_dbus_up(bus);
	if (display != NULL)
		g_setenv("DISPLAY", display, TRUE);
	adw_init();
	g_test_add_func("/admin/dialog/validates", test_dialog_validates);
	g_test_add_func("/admin/dialog/edits", test_dialog_edits);
	g_test_add_func("/admin/row/follows-job", test_row_follows_job);
	status = g_test_run();
	/* not _down(): libadwaita's style manager keeps the session bus connection for the
	 * process, which _down() would wait for in vain */
	g_test_dbus_stop(bus);
	return status;
}
