/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A mutex-protected map jti → (user, expiry), with tombstones for revoked ids.
 * Dropped whole when it outgrows its bound: that only sends refreshes back to the
 * database, where revocations are recorded for good.
 */
#include "config.h"

#include "vf-accounts-live-refresh.h"

#define MAX_ENTRIES 200000

typedef struct {
	gint64 user_id;
	gint64 expires_at;
	gboolean revoked; /* a tombstone: add() may not bring it back */
} Entry;

struct _VfAccountsLiveRefresh {
	GMutex lock;
	GHashTable *entries; /* jti → Entry; protected by lock */
};

VfAccountsLiveRefresh *
vf_accounts_live_refresh_new(void)
{
	VfAccountsLiveRefresh *self = g_new0(VfAccountsLiveRefresh, 1);
	g_mutex_init(&self->lock);
	self->entries = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	return self;
}

void
vf_accounts_live_refresh_free(VfAccountsLiveRefresh *self)
{
	if (self == NULL)
		return;
	g_hash_table_unref(self->entries);
	g_mutex_clear(&self->lock);
	g_free(self);
}

void
vf_accounts_live_refresh_add(VfAccountsLiveRefresh *self,
			     const gchar *jti,
			     gint64 user_id,
			     gint64 expires_at)
{
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&self->lock);
	Entry *old = g_hash_table_lookup(self->entries, jti);
	Entry *entry;

	/* a refresh that read the database before a logout must not revive the token */
	if (old != NULL && old->revoked)
		return;
	if (g_hash_table_size(self->entries) >= MAX_ENTRIES)
		g_hash_table_remove_all(self->entries);
	entry = g_new0(Entry, 1);
	entry->user_id = user_id;
	entry->expires_at = expires_at;
	g_hash_table_replace(self->entries, g_strdup(jti), entry);
}

gboolean
vf_accounts_live_refresh_contains(VfAccountsLiveRefresh *self,
				  const gchar *jti,
				  gint64 user_id,
				  gint64 now)
{
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&self->lock);
	Entry *entry = g_hash_table_lookup(self->entries, jti);

	return entry != NULL && !entry->revoked && entry->user_id == user_id &&
	       entry->expires_at > now;
}

void
vf_accounts_live_refresh_revoke(VfAccountsLiveRefresh *self, const gchar *jti, gint64 expires_at)
{
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&self->lock);
	Entry *entry = g_new0(Entry, 1);

	entry->expires_at = expires_at;
	entry->revoked = TRUE;
	g_hash_table_replace(self->entries, g_strdup(jti), entry);
}

static gboolean
is_users_cb(gpointer key, gpointer value, gpointer user_data)
{
	Entry *entry = value;
	return !entry->revoked && entry->user_id == *(gint64 *)user_data;
}

void
vf_accounts_live_refresh_forget_user(VfAccountsLiveRefresh *self, gint64 user_id)
{
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&self->lock);
	g_hash_table_foreach_remove(self->entries, is_users_cb, &user_id);
}
