/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The users page (main loop only): one AdwActionRow per user from ListUsers with
 * an "Active" and an "Admin" switch. A switch keeps its old state until the
 * daemon answered; a refusal puts it back and shows a toast.
 */
#include "config.h"

#include "vf-admin-users-page.h"

#include <glib/gi18n.h>

#include "vf-admin-application.h"

struct _VfAdminUsersPage {
	AdwBin parent_instance;

	GtkListBox *user_list;

	VfAdminClient *client;
	GCancellable *cancellable;	/* of the switches' calls, until dispose */
	GCancellable *list_cancellable; /* of the latest ListUsers */
};

G_DEFINE_TYPE(VfAdminUsersPage, vf_admin_users_page, ADW_TYPE_BIN)

typedef struct {
	VfAdminUsersPage *page;
	GtkSwitch *toggle; /* the switch that asked */
	gboolean state;
} SwitchCall;

static void
switch_call_free(SwitchCall *call)
{
	g_object_unref(call->page);
	g_object_unref(call->toggle);
	g_free(call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SwitchCall, switch_call_free)

static void
show_toast(VfAdminUsersPage *self, const gchar *message)
{
	GtkWidget *overlay = gtk_widget_get_ancestor(GTK_WIDGET(self), ADW_TYPE_TOAST_OVERLAY);

	if (overlay != NULL)
		adw_toast_overlay_add_toast(ADW_TOAST_OVERLAY(overlay), adw_toast_new(message));
	else
		g_warning("%s", message);
}

static void
set_flag_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(SwitchCall) call = user_data;
	g_autoptr(GError) error = NULL;
	gboolean ok;

	if (g_object_get_data(G_OBJECT(call->toggle), "vf-flag") == GINT_TO_POINTER(1))
		ok = vf_dbus_admin1_call_set_user_admin_finish(
		    VF_DBUS_ADMIN1(source), result, &error);
	else
		ok = vf_dbus_admin1_call_set_user_active_finish(
		    VF_DBUS_ADMIN1(source), result, &error);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	gtk_widget_set_sensitive(GTK_WIDGET(call->toggle), TRUE);
	if (!ok) {
		g_autofree gchar *message = vf_admin_client_dup_error_message(error);

		/* back to what the server has */
		gtk_switch_set_active(call->toggle, !call->state);
		gtk_switch_set_state(call->toggle, !call->state);
		show_toast(call->page, message);
		return;
	}
	gtk_switch_set_state(call->toggle, call->state);
}

static gboolean
state_set_cb(GtkSwitch *toggle, gboolean state, VfAdminUsersPage *self)
{
	VfDBusAdmin1 *proxy = vf_admin_client_get_proxy(self->client);
	gint64 id = *(gint64 *)g_object_get_data(G_OBJECT(toggle), "vf-user-id");
	SwitchCall *call;

	if (state == gtk_switch_get_state(toggle))
		return TRUE;
	if (proxy == NULL) {
		show_toast(self, _("The Videoflix server is not reachable."));
		gtk_switch_set_active(toggle, !state);
		return TRUE;
	}
	call = g_new0(SwitchCall, 1);
	call->page = g_object_ref(self);
	call->toggle = g_object_ref(toggle);
	call->state = state;
	gtk_widget_set_sensitive(GTK_WIDGET(toggle), FALSE);
	if (g_object_get_data(G_OBJECT(toggle), "vf-flag") == GINT_TO_POINTER(1))
		vf_dbus_admin1_call_set_user_admin(
		    proxy, id, state, self->cancellable, set_flag_cb, call);
	else
		vf_dbus_admin1_call_set_user_active(
		    proxy, id, state, self->cancellable, set_flag_cb, call);
	/* the state follows once the daemon agreed */
	return TRUE;
}

static GtkWidget *
make_switch(VfAdminUsersPage *self, gint64 id, const gchar *label, gboolean value, gint flag)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
	GtkWidget *caption = gtk_label_new(label);
	GtkWidget *toggle = gtk_switch_new();

	gtk_widget_set_valign(box, GTK_ALIGN_CENTER);
	gtk_switch_set_active(GTK_SWITCH(toggle), value);
	gtk_switch_set_state(GTK_SWITCH(toggle), value);
	gtk_accessible_update_relation(
	    GTK_ACCESSIBLE(toggle), GTK_ACCESSIBLE_RELATION_LABELLED_BY, caption, NULL, -1);
	g_object_set_data_full(G_OBJECT(toggle), "vf-user-id", g_memdup2(&id, sizeof id), g_free);
	g_object_set_data(G_OBJECT(toggle), "vf-flag", GINT_TO_POINTER(flag));
	g_signal_connect(toggle, "state-set", G_CALLBACK(state_set_cb), self);
	gtk_box_append(GTK_BOX(box), caption);
	gtk_box_append(GTK_BOX(box), toggle);
	return box;
}

static GtkWidget *
make_row(VfAdminUsersPage *self, GVariant *user)
{
	GtkWidget *row = adw_action_row_new();
	const gchar *email = "";
	const gchar *created_at = "";
	gboolean is_active = FALSE;
	gboolean is_admin = FALSE;
	gint64 id = 0;

	g_variant_lookup(user, "id", "x", &id);
	g_variant_lookup(user, "email", "&s", &email);
	g_variant_lookup(user, "created_at", "&s", &created_at);
	g_variant_lookup(user, "is_active", "b", &is_active);
	g_variant_lookup(user, "is_admin", "b", &is_admin);
	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), email);
	adw_preferences_row_set_use_markup(ADW_PREFERENCES_ROW(row), FALSE);
	adw_action_row_set_subtitle(ADW_ACTION_ROW(row), created_at);
	adw_action_row_add_suffix(ADW_ACTION_ROW(row),
				  make_switch(self, id, _("Active"), is_active, 0));
	adw_action_row_add_suffix(ADW_ACTION_ROW(row),
				  make_switch(self, id, _("Admin"), is_admin, 1));
	return row;
}

static void
list_users_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(VfAdminUsersPage) self = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) users = NULL;
	GtkListBoxRow *row;
	GVariantIter iter;
	GVariant *user;

	if (!vf_dbus_admin1_call_list_users_finish(
		VF_DBUS_ADMIN1(source), &users, result, &error)) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
			g_autofree gchar *message = vf_admin_client_dup_error_message(error);
			show_toast(self, message);
		}
		return;
	}
	while ((row = gtk_list_box_get_row_at_index(self->user_list, 0)) != NULL)
		gtk_list_box_remove(self->user_list, GTK_WIDGET(row));
	g_variant_iter_init(&iter, users);
	while ((user = g_variant_iter_next_value(&iter)) != NULL) {
		gtk_list_box_append(self->user_list, make_row(self, user));
		g_variant_unref(user);
	}
	vf_admin_application_report("users %" G_GSIZE_FORMAT, g_variant_n_children(users));
}

void
vf_admin_users_page_reload(VfAdminUsersPage *self)
{
	VfDBusAdmin1 *proxy;

	g_return_if_fail(VF_IS_ADMIN_USERS_PAGE(self));

	if (self->client == NULL || (proxy = vf_admin_client_get_proxy(self->client)) == NULL)
		return;
	g_cancellable_cancel(self->list_cancellable);
	g_clear_object(&self->list_cancellable);
	self->list_cancellable = g_cancellable_new();
	vf_dbus_admin1_call_list_users(
	    proxy, self->list_cancellable, list_users_cb, g_object_ref(self));
}

static void
connected_cb(VfAdminClient *client, GParamSpec *pspec, VfAdminUsersPage *self)
{
	if (vf_admin_client_get_connected(client))
		vf_admin_users_page_reload(self);
}

void
vf_admin_users_page_set_client(VfAdminUsersPage *self, VfAdminClient *client)
{
	g_return_if_fail(VF_IS_ADMIN_USERS_PAGE(self));
	g_return_if_fail(self->client == NULL);

	self->client = g_object_ref(client);
	g_signal_connect_object(client, "notify::connected", G_CALLBACK(connected_cb), self, 0);
	vf_admin_users_page_reload(self);
}

static void
vf_admin_users_page_dispose(GObject *object)
{
	VfAdminUsersPage *self = VF_ADMIN_USERS_PAGE(object);

	g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	g_cancellable_cancel(self->list_cancellable);
	g_clear_object(&self->list_cancellable);
	g_clear_object(&self->client);
	G_OBJECT_CLASS(vf_admin_users_page_parent_class)->dispose(object);
}

static void
vf_admin_users_page_class_init(VfAdminUsersPageClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	object_class->dispose = vf_admin_users_page_dispose;
	gtk_widget_class_set_template_from_resource(widget_class,
						    "/org/videoflix/Admin/vf-admin-users-page.ui");
	gtk_widget_class_bind_template_child(widget_class, VfAdminUsersPage, user_list);
}

static void
vf_admin_users_page_init(VfAdminUsersPage *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	self->cancellable = g_cancellable_new();
}
