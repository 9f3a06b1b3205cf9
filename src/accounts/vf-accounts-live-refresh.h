/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfAccountsLiveRefresh: refresh tokens (by jti) known to be live, because this
 * process issued them or the database confirmed them. With the user-state cache it
 * lets a token refresh be answered without a query; logout forgets the jti before
 * revoking it in the database, so a revoked token always goes to the database.
 * Thread-safe; bounded in size.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _VfAccountsLiveRefresh VfAccountsLiveRefresh;

VfAccountsLiveRefresh *vf_accounts_live_refresh_new(void);
void vf_accounts_live_refresh_free(VfAccountsLiveRefresh *self);
void vf_accounts_live_refresh_add(VfAccountsLiveRefresh *self,
				  const gchar *jti,
				  gint64 user_id,
				  gint64 expires_at);
/* TRUE when jti is known live for user_id at now (Unix seconds) */
gboolean vf_accounts_live_refresh_contains(VfAccountsLiveRefresh *self,
					   const gchar *jti,
					   gint64 user_id,
					   gint64 now);
void vf_accounts_live_refresh_remove(VfAccountsLiveRefresh *self, const gchar *jti);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfAccountsLiveRefresh, vf_accounts_live_refresh_free)

G_END_DECLS
