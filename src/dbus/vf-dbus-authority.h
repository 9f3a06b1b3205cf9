/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfDBusAuthority: who may call org.videoflix.Admin1. On a session bus only the
 * daemon's own user (checked with the bus's GetConnectionUnixUser); on the system
 * bus the bus policy admits the "videoflix" group and every mutating call asks
 * polkit (CheckAuthorization with a system-bus-name subject) for
 * org.videoflix.admin.manage, root excepted. Main thread; the checks are async.
 */
#pragma once

#include <gio/gio.h>
#include <sys/types.h>

G_BEGIN_DECLS

#define VF_DBUS_AUTHORITY_ACTION "org.videoflix.admin.manage"

#define VF_TYPE_DBUS_AUTHORITY (vf_dbus_authority_get_type())
G_DECLARE_FINAL_TYPE(VfDBusAuthority, vf_dbus_authority, VF, DBUS_AUTHORITY, GObject)

/* callers must run as uid (the daemon's own: getuid()) */
VfDBusAuthority *vf_dbus_authority_new_session(uid_t uid);
/* mutating calls need polkit's yes for action_id */
VfDBusAuthority *vf_dbus_authority_new_system(const gchar *action_id);

/* VF_ERROR_PERMISSION_DENIED with a message for a person when the caller of
 * invocation may not make it */
void vf_dbus_authority_check_async(VfDBusAuthority *self,
				   GDBusMethodInvocation *invocation,
				   gboolean mutating,
				   GCancellable *cancellable,
				   GAsyncReadyCallback callback,
				   gpointer user_data);
gboolean
vf_dbus_authority_check_finish(VfDBusAuthority *self, GAsyncResult *result, GError **error);

G_END_DECLS
