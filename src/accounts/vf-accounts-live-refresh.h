/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfAccountsLiveRefresh: refresh tokens (by jti) known to be live, because this
 * process issued them or the database confirmed them. With the user-state cache it
 * lets a token refresh be answered without a query; logout leaves a tombstone
 * before revoking the jti in the database, so a revoked token is never live again.
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
/* a tombstone: jti is never live again, even if a refresh that read the database
 * before the revocation tries to add it back */
void
vf_accounts_live_refresh_revoke(VfAccountsLiveRefresh *self, const gchar *jti, gint64 expires_at);

/* forgets every live token of user_id (tombstones stay): its refreshes go back to
 * the database, e.g. once the user was deactivated */
void vf_accounts_live_refresh_forget_user(VfAccountsLiveRefresh *self, gint64 user_id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfAccountsLiveRefresh, vf_accounts_live_refresh_free)

G_END_DECLS
