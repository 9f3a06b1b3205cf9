/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The authorization of admin calls, with plain GDBus calls: the bus daemon's
 * GetConnectionUnixUser for the caller's uid (peer credentials on a connection
 * without a bus), and org.freedesktop.PolicyKit1.Authority.CheckAuthorization on
 * the system bus, interactive, so that an agent may ask for a password.
 */
#include "config.h"

#include "vf-dbus-authority.h"

#include <unistd.h>

#include "vf-error.h"

#define POLKIT_TIMEOUT_MS	      (5 * 60 * 1000) /* a person may be typing a password */
#define POLKIT_ALLOW_USER_INTERACTION 1

struct _VfDBusAuthority {
	GObject parent_instance;
	gboolean system;
	uid_t uid;	  /* session: the one caller allowed */
	gchar *action_id; /* system */
};

G_DEFINE_TYPE(VfDBusAuthority, vf_dbus_authority, G_TYPE_OBJECT)

typedef struct {
	GDBusMethodInvocation *invocation;
	gboolean mutating;
} Check;

static void
check_free(Check *check)
{
	g_object_unref(check->invocation);
	g_free(check);
}

static void
deny(GTask *task, const gchar *message)
{
	g_task_return_new_error(task, VF_ERROR, VF_ERROR_PERMISSION_DENIED, "%s", message);
}

static void
polkit_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	    g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
	gboolean authorized = FALSE;
	gboolean challenge = FALSE;

	if (reply == NULL) {
		g_autofree gchar *message = NULL;
		g_dbus_error_strip_remote_error(error);
		message = g_strdup_printf("polkit could not be asked whether you may do this: %s",
					  error->message);
		deny(task, message);
		return;
	}
	g_variant_get(reply, "((bb@a{ss}))", &authorized, &challenge, NULL);
	if (!authorized) {
		deny(task,
		     challenge ? "Not authorized: authenticate as an administrator (a polkit agent "
				 "must be running) and try again."
			       : "Not authorized: polkit does not allow you to manage Videoflix "
				 "(org.videoflix.admin.manage).");
		return;
	}
	g_task_return_boolean(task, TRUE);
}

static void
ask_polkit(VfDBusAuthority *self, GTask *task /* owned */, Check *check)
{
	GDBusConnection *connection = g_dbus_method_invocation_get_connection(check->invocation);
	const gchar *sender = g_dbus_method_invocation_get_sender(check->invocation);
	GVariantBuilder subject;
	GVariantBuilder details;

	g_variant_builder_init(&subject, G_VARIANT_TYPE("a{sv}"));
	g_variant_builder_add(&subject, "{sv}", "name", g_variant_new_string(sender));
	g_variant_builder_init(&details, G_VARIANT_TYPE("a{ss}"));
	g_dbus_connection_call(connection,
			       "org.freedesktop.PolicyKit1",
			       "/org/freedesktop/PolicyKit1/Authority",
			       "org.freedesktop.PolicyKit1.Authority",
			       "CheckAuthorization",
			       g_variant_new("((sa{sv})sa{ss}us)",
					     "system-bus-name",
					     &subject,
					     self->action_id,
					     &details,
					     (guint32)POLKIT_ALLOW_USER_INTERACTION,
					     ""),
			       G_VARIANT_TYPE("((bba{ss}))"),
			       G_DBUS_CALL_FLAGS_NONE,
			       POLKIT_TIMEOUT_MS,
			       g_task_get_cancellable(task),
			       polkit_done_cb,
			       task);
}

/* the caller's uid is known */
static void
check_uid(VfDBusAuthority *self, GTask *task /* owned */, uid_t uid)
{
	Check *check = g_task_get_task_data(task);
	g_autofree gchar *message = NULL;

	if (self->system) {
		/* root needs no one's permission; reading is the bus policy's business */
		if (uid == 0 || !check->mutating) {
			g_task_return_boolean(task, TRUE);
			g_object_unref(task);
			return;
		}
		ask_polkit(self, task, check);
		return;
	}
	if (uid != self->uid) {
		message =
		    g_strdup_printf("Permission denied: on the session bus only the user "
				    "running videoflixd (uid %u) may administer it, not uid %u.",
				    (guint)self->uid,
				    (guint)uid);
		deny(task, message);
	} else {
		g_task_return_boolean(task, TRUE);
	}
	g_object_unref(task);
}

static void
unix_user_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	GTask *task = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	    g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
	guint32 uid = 0;

	if (reply == NULL) {
		deny(task, "Permission denied: the caller's user could not be determined.");
		g_object_unref(task);
		return;
	}
	g_variant_get(reply, "(u)", &uid);
	check_uid(g_task_get_source_object(task), task, (uid_t)uid);
}

void
vf_dbus_authority_check_async(VfDBusAuthority *self,
			      GDBusMethodInvocation *invocation,
			      gboolean mutating,
			      GCancellable *cancellable,
			      GAsyncReadyCallback callback,
			      gpointer user_data)
{
	GTask *task = g_task_new(self, cancellable, callback, user_data);
	GDBusConnection *connection = g_dbus_method_invocation_get_connection(invocation);
	const gchar *sender = g_dbus_method_invocation_get_sender(invocation);
	Check *check = g_new0(Check, 1);
	GCredentials *credentials;

	g_return_if_fail(VF_IS_DBUS_AUTHORITY(self));
	g_task_set_source_tag(task, vf_dbus_authority_check_async);
	check->invocation = g_object_ref(invocation);
	check->mutating = mutating;
	g_task_set_task_data(task, check, (GDestroyNotify)check_free);
	if (sender == NULL) {
		/* a peer-to-peer connection: its credentials are the caller's */
		credentials = g_dbus_connection_get_peer_credentials(connection);
		if (credentials == NULL ||
		    g_credentials_get_unix_user(credentials, NULL) == (uid_t)-1) {
			deny(task, "Permission denied: the caller's user could not be determined.");
			g_object_unref(task);
			return;
		}
		check_uid(self, task, g_credentials_get_unix_user(credentials, NULL));
		return;
	}
	g_dbus_connection_call(connection,
			       "org.freedesktop.DBus",
			       "/org/freedesktop/DBus",
			       "org.freedesktop.DBus",
			       "GetConnectionUnixUser",
			       g_variant_new("(s)", sender),
			       G_VARIANT_TYPE("(u)"),
			       G_DBUS_CALL_FLAGS_NONE,
			       -1,
			       cancellable,
			       unix_user_cb,
			       task);
}

gboolean
vf_dbus_authority_check_finish(VfDBusAuthority *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), FALSE);
	return g_task_propagate_boolean(G_TASK(result), error);
}

VfDBusAuthority *
vf_dbus_authority_new_session(uid_t uid)
{
	VfDBusAuthority *self = g_object_new(VF_TYPE_DBUS_AUTHORITY, NULL);
	self->uid = uid;
	return self;
}

VfDBusAuthority *
vf_dbus_authority_new_system(const gchar *action_id)
{
	VfDBusAuthority *self = g_object_new(VF_TYPE_DBUS_AUTHORITY, NULL);
	self->system = TRUE;
	self->action_id = g_strdup(action_id);
	return self;
}

static void
vf_dbus_authority_finalize(GObject *object)
{
	VfDBusAuthority *self = VF_DBUS_AUTHORITY(object);
	g_free(self->action_id);
	G_OBJECT_CLASS(vf_dbus_authority_parent_class)->finalize(object);
}

static void
vf_dbus_authority_init(VfDBusAuthority *self)
{
}

static void
vf_dbus_authority_class_init(VfDBusAuthorityClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = vf_dbus_authority_finalize;
}
