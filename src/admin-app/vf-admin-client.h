/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfAdminClient: the desktop app's link to videoflixd. Watches the bus name
 * org.videoflix.Admin1 and holds a proxy while the daemon is there; everything
 * runs on the main loop.
 */
#pragma once

#include <gio/gio.h>

#include "vf-dbus-generated.h"

G_BEGIN_DECLS

#define VF_ADMIN_BUS_NAME    "org.videoflix.Admin1"
#define VF_ADMIN_OBJECT_PATH "/org/videoflix/Admin1"

#define VF_TYPE_ADMIN_CLIENT (vf_admin_client_get_type())
G_DECLARE_FINAL_TYPE(VfAdminClient, vf_admin_client, VF, ADMIN_CLIENT, GObject)

VfAdminClient *vf_admin_client_new(GBusType bus_type);
/* NULL while the daemon is unreachable */
VfDBusAdmin1 *vf_admin_client_get_proxy(VfAdminClient *self);
gboolean vf_admin_client_get_connected(VfAdminClient *self);
/* a message for a person: the D-Bus error name stripped */
gchar *vf_admin_client_dup_error_message(const GError *error);

G_END_DECLS
