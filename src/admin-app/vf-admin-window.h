/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfAdminWindow: the main window — the video list with live job progress, the
 * users page, and a banner while the daemon is unreachable.
 */
#pragma once

#include <adwaita.h>

#include "vf-admin-client.h"

G_BEGIN_DECLS

#define VF_TYPE_ADMIN_WINDOW (vf_admin_window_get_type())
G_DECLARE_FINAL_TYPE(VfAdminWindow, vf_admin_window, VF, ADMIN_WINDOW, AdwApplicationWindow)

VfAdminWindow *vf_admin_window_new(GtkApplication *application, VfAdminClient *client);
/* "videos" or "users" */
void vf_admin_window_show_page(VfAdminWindow *self, const gchar *name);

G_END_DECLS
