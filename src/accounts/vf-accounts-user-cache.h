/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfAccountsUserCache: what every authenticated request must know about its user
 * (exists, active, admin, last password change), kept in memory so bursts of
 * segment requests cost no query. Entries expire after a short time as a backstop;
 * the accounts service updates them whenever it changes a user. Thread-safe.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
	gboolean exists;
	gboolean is_active;
	gboolean is_admin;
	gint64 password_changed_at; /* Unix seconds */
} VfAccountsUserState;

typedef struct _VfAccountsUserCache VfAccountsUserCache;

VfAccountsUserCache *vf_accounts_user_cache_new(gint64 max_age_us);
void vf_accounts_user_cache_free(VfAccountsUserCache *self);
gboolean vf_accounts_user_cache_lookup(VfAccountsUserCache *self,
				       gint64 user_id,
				       VfAccountsUserState *state);
/* the epoch moves with every forget(): a writer takes it before its query and
 * store() drops the write when a change happened meanwhile (stale state) */
guint64
vf_accounts_user_cache_get_epoch(VfAccountsUserCache *self);
void
vf_accounts_user_cache_store(VfAccountsUserCache *self,
			     gint64 user_id,
			     const VfAccountsUserState *state,
			     guint64 epoch);
void vf_accounts_user_cache_forget(VfAccountsUserCache *self, gint64 user_id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfAccountsUserCache, vf_accounts_user_cache_free)

G_END_DECLS
