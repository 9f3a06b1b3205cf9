/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The application object (main loop only): owns the VfAdminClient, makes the one
 * window, and holds the app actions. With VF_ADMIN_TEST set it adds the test-only
 * actions "screenshot" (a PNG of the window, rendered in-process), "show-page",
 * "window-action" and "dialog-response" (what a click would do), and prints
 * reports on stdout.
 */
#include "config.h"

#include "vf-admin-application.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "vf-admin-client.h"
#include "vf-admin-window.h"

struct _VfAdminApplication {
	AdwApplication parent_instance;
	GBusType bus_type;
	VfAdminClient *client;
};

G_DEFINE_TYPE(VfAdminApplication, vf_admin_application, ADW_TYPE_APPLICATION)

static gboolean
test_mode(void)
{
	return g_getenv("VF_ADMIN_TEST") != NULL;
}

void
vf_admin_application_report(const gchar *format, ...)
{
	g_autofree gchar *line = NULL;
	va_list args;

	if (!test_mode())
		return;
	va_start(args, format);
	line = g_strdup_vprintf(format, args);
	va_end(args);
	fprintf(stdout, "%s\n", line);
	fflush(stdout);
}

static gboolean
save_screenshot(GtkWidget *widget, const gchar *path, GError **error)
{
	g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new(widget);
	g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new();
	g_autoptr(GskRenderNode) node = NULL;
	g_autoptr(GdkTexture) texture = NULL;
	gint width = gtk_widget_get_width(widget);
	gint height = gtk_widget_get_height(widget);
	GskRenderer *renderer = gtk_native_get_renderer(GTK_NATIVE(widget));

	if (width <= 0 || height <= 0 || renderer == NULL) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_FAILED, "window not shown yet");
		return FALSE;
	}
	gdk_paintable_snapshot(paintable, GDK_SNAPSHOT(snapshot), width, height);
	node = gtk_snapshot_free_to_node(g_steal_pointer(&snapshot));
	if (node == NULL) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_FAILED, "nothing rendered");
		return FALSE;
	}
	texture =
	    gsk_renderer_render_texture(renderer, node, &GRAPHENE_RECT_INIT(0, 0, width, height));
	if (!gdk_texture_save_to_png(texture, path)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot write %s", path);
		return FALSE;
	}
	return TRUE;
}

static void
screenshot_action(GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	GtkWindow *window = gtk_application_get_active_window(GTK_APPLICATION(user_data));
	const gchar *path = g_variant_get_string(parameter, NULL);
	g_autoptr(GError) error = NULL;

	if (window == NULL || !save_screenshot(GTK_WIDGET(window), path, &error)) {
		vf_admin_application_report("screenshot-failed %s",
					    error != NULL ? error->message : "no window");
		return;
	}
	vf_admin_application_report("screenshot %s", path);
}

static void
show_page_action(GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	GtkWindow *window = gtk_application_get_active_window(GTK_APPLICATION(user_data));

	if (VF_IS_ADMIN_WINDOW(window))
		vf_admin_window_show_page(VF_ADMIN_WINDOW(window),
					  g_variant_get_string(parameter, NULL));
}

/* ("name", [parameter]): a window action, as a click would activate it */
static void
window_action_action(GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	GtkWindow *window = gtk_application_get_active_window(GTK_APPLICATION(user_data));
	g_autoptr(GVariant) args = NULL;
	g_autoptr(GVariant) target = NULL;
	const gchar *name = NULL;

	g_variant_get(parameter, "(&s@av)", &name, &args);
	if (g_variant_n_children(args) > 0)
		target = g_variant_get_child_value(g_variant_get_child_value(args, 0), 0);
	if (window == NULL || !gtk_widget_activate_action_variant(GTK_WIDGET(window), name, target))
		vf_admin_application_report("window-action-failed %s", name);
}

/* answers the open message dialog (e.g. "delete") */
static void
dialog_response_action(GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	g_autoptr(GList) toplevels = gtk_window_list_toplevels();

	for (GList *l = toplevels; l != NULL; l = l->next) {
		if (ADW_IS_MESSAGE_DIALOG(l->data) && gtk_widget_get_visible(l->data)) {
			AdwMessageDialog *dialog = g_object_ref(l->data);

			adw_message_dialog_response(dialog, g_variant_get_string(parameter, NULL));
			if (gtk_widget_get_visible(GTK_WIDGET(dialog)))
				gtk_window_destroy(GTK_WINDOW(dialog));
			g_object_unref(dialog);
			return;
		}
	}
	vf_admin_application_report("dialog-response-failed no dialog");
}

static void
quit_action(GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	GApplication *application = G_APPLICATION(user_data);
	GList *windows = gtk_application_get_windows(GTK_APPLICATION(application));

	/* destroying the windows lets their pending calls be cancelled */
	while (windows != NULL) {
		gtk_window_destroy(GTK_WINDOW(windows->data));
		windows = gtk_application_get_windows(GTK_APPLICATION(application));
	}
	g_application_quit(application);
}

static void
about_action(GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	GtkWindow *window = gtk_application_get_active_window(GTK_APPLICATION(user_data));
	const gchar *developers[] = {"The Videoflix authors", NULL};

	adw_show_about_window(
	    window,
	    "application-name",
	    _("Videoflix Admin"),
	    "application-icon",
	    "org.videoflix.Admin",
	    "version",
	    PACKAGE_VERSION,
	    "developers",
	    developers,
	    "license-type",
	    GTK_LICENSE_GPL_3_0,
	    "comments",
	    _("Manage the videos, transcode jobs and users of a Videoflix server"),
	    NULL);
}

static gint
vf_admin_application_handle_local_options(GApplication *application, GVariantDict *options)
{
	VfAdminApplication *self = VF_ADMIN_APPLICATION(application);

	if (g_variant_dict_contains(options, "version")) {
		g_print("videoflix-admin %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (g_variant_dict_contains(options, "session"))
		self->bus_type = G_BUS_TYPE_SESSION;
	return -1;
}

static void
vf_admin_application_startup(GApplication *application)
{
	VfAdminApplication *self = VF_ADMIN_APPLICATION(application);
	const GActionEntry entries[] = {
	    {.name = "quit", .activate = quit_action},
	    {.name = "about", .activate = about_action},
	};
	const GActionEntry test_entries[] = {
	    {.name = "screenshot", .activate = screenshot_action, .parameter_type = "s"},
	    {.name = "show-page", .activate = show_page_action, .parameter_type = "s"},
	    {.name = "window-action", .activate = window_action_action, .parameter_type = "(sav)"},
	    {.name = "dialog-response", .activate = dialog_response_action, .parameter_type = "s"},
	};
	const gchar *quit_accels[] = {"<Control>q", NULL};

	G_APPLICATION_CLASS(vf_admin_application_parent_class)->startup(application);
	g_action_map_add_action_entries(G_ACTION_MAP(self), entries, G_N_ELEMENTS(entries), self);
	if (test_mode())
		g_action_map_add_action_entries(
		    G_ACTION_MAP(self), test_entries, G_N_ELEMENTS(test_entries), self);
	gtk_application_set_accels_for_action(GTK_APPLICATION(self), "app.quit", quit_accels);
}

static void
vf_admin_application_activate(GApplication *application)
{
	VfAdminApplication *self = VF_ADMIN_APPLICATION(application);
	GtkWindow *window = gtk_application_get_active_window(GTK_APPLICATION(self));

	if (self->client == NULL)
		self->client = vf_admin_client_new(self->bus_type);
	if (window == NULL)
		window = GTK_WINDOW(vf_admin_window_new(GTK_APPLICATION(self), self->client));
	gtk_window_present(window);
}

static void
vf_admin_application_dispose(GObject *object)
{
	VfAdminApplication *self = VF_ADMIN_APPLICATION(object);

	g_clear_object(&self->client);
	G_OBJECT_CLASS(vf_admin_application_parent_class)->dispose(object);
}

static void
vf_admin_application_class_init(VfAdminApplicationClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GApplicationClass *application_class = G_APPLICATION_CLASS(klass);

	object_class->dispose = vf_admin_application_dispose;
	application_class->handle_local_options = vf_admin_application_handle_local_options;
	application_class->startup = vf_admin_application_startup;
	application_class->activate = vf_admin_application_activate;
}

static void
vf_admin_application_init(VfAdminApplication *self)
{
	const GOptionEntry options[] = {
	    {"session",
	     0,
	     G_OPTION_FLAG_NONE,
	     G_OPTION_ARG_NONE,
	     NULL,
	     N_("Talk to a videoflixd on the session bus instead of the system bus"),
	     NULL},
	    {"version",
	     0,
	     G_OPTION_FLAG_NONE,
	     G_OPTION_ARG_NONE,
	     NULL,
	     N_("Show the version"),
	     NULL},
	    {NULL},
	};

	self->bus_type = G_BUS_TYPE_SYSTEM;
	g_application_add_main_option_entries(G_APPLICATION(self), options);
}

VfAdminApplication *
vf_admin_application_new(void)
{
	return g_object_new(VF_TYPE_ADMIN_APPLICATION,
			    "application-id",
			    "org.videoflix.Admin",
			    "flags",
			    G_APPLICATION_DEFAULT_FLAGS,
			    "resource-base-path",
			    "/org/videoflix/Admin",
			    NULL);
}
