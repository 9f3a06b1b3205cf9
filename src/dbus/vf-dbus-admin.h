/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfDBusAdmin: the org.videoflix.Admin1 service of videoflixd. Owns the generated
 * skeleton, exports it at /org/videoflix/Admin1, asks VfDBusAuthority about every
 * call and hands it to the catalog or accounts service; forwards the catalog's job
 * signals (JobProgress at most about twice a second per job). Main thread.
 */
#pragma once

#include <gio/gio.h>

#include "vf-accounts-service.h"
#include "vf-catalog-service.h"
#include "vf-config.h"
#include "vf-dbus-authority.h"

G_BEGIN_DECLS

#define VF_DBUS_ADMIN_NAME "org.videoflix.Admin1"
#define VF_DBUS_ADMIN_PATH "/org/videoflix/Admin1"

#define VF_TYPE_DBUS_ADMIN (vf_dbus_admin_get_type())
G_DECLARE_FINAL_TYPE(VfDBusAdmin, vf_dbus_admin, VF, DBUS_ADMIN, GObject)

/* config must outlive the service */
VfDBusAdmin *vf_dbus_admin_new(const VfConfig *config,
			       VfCatalogService *catalog,
			       VfAccountsService *accounts,
			       VfDBusAuthority *authority);
/* exports the interface on connection (one at a time) */
gboolean vf_dbus_admin_export(VfDBusAdmin *self, GDBusConnection *connection, GError **error);
void vf_dbus_admin_unexport(VfDBusAdmin *self);
/* connects to that bus, exports there and owns VF_DBUS_ADMIN_NAME; a bus that
 * cannot be reached or a name owned by another process is a warning, not an error
 * (the HTTP API goes on) */
void vf_dbus_admin_own_name(VfDBusAdmin *self, GBusType bus_type);

G_END_DECLS
