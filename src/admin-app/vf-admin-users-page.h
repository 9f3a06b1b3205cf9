/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfAdminUsersPage: every account of the server with switches to activate or
 * deactivate it and to make it an admin (SetUserActive, SetUserAdmin).
 */
#pragma once

#include <adwaita.h>

#include "vf-admin-client.h"

G_BEGIN_DECLS

#define VF_TYPE_ADMIN_USERS_PAGE (vf_admin_users_page_get_type())
G_DECLARE_FINAL_TYPE(VfAdminUsersPage, vf_admin_users_page, VF, ADMIN_USERS_PAGE, AdwBin)

void vf_admin_users_page_set_client(VfAdminUsersPage *self, VfAdminClient *client);
/* asks ListUsers again */
void vf_admin_users_page_reload(VfAdminUsersPage *self);

G_END_DECLS
