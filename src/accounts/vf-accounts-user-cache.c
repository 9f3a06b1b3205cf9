/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A mutex-protected map user id → state with a fetch time; bounded in size (the
 * whole map is dropped when it grows past the bound, which only costs queries).
 */
#include "config.h"

#include "vf-accounts-user-cache.h"

#define MAX_ENTRIES 100000

typedef struct {
	VfAccountsUserState state;
	gint64 stored_us;
} Entry;

struct _VfAccountsUserCache {
	GMutex lock;
	GHashTable *entries; /* gint64* → Entry*; protected by lock */
	gint64 max_age_us;
	guint64 epoch; /* protected by lock */
};

VfAccountsUserCache *
vf_accounts_user_cache_new(gint64 max_age_us)
{
	VfAccountsUserCache *self = g_new0(VfAccountsUserCache, 1);
	g_mutex_init(&self->lock);
	self->entries = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	self->max_age_us = max_age_us;
	return self;
}

void
vf_accounts_user_cache_free(VfAccountsUserCache *self)
{
	if (self == NULL)
		return;
	g_hash_table_unref(self->entries);
	g_mutex_clear(&self->lock);
	g_free(self);
}

gboolean
vf_accounts_user_cache_lookup(VfAccountsUserCache *self, gint64 user_id, VfAccountsUserState *state)
{
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&self->lock);
	Entry *entry = g_hash_table_lookup(self->entries, &user_id);

	if (entry == NULL || g_get_monotonic_time() - entry->stored_us > self->max_age_us)
		return FALSE;
	*state = entry->state;
	return TRUE;
}

guint64
vf_accounts_user_cache_get_epoch(VfAccountsUserCache *self)
{
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&self->lock);
	return self->epoch;
}

void
vf_accounts_user_cache_store(VfAccountsUserCache *self,
			     gint64 user_id,
			     const VfAccountsUserState *state,
			     guint64 epoch)
{
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&self->lock);
	Entry *entry;

	if (epoch != self->epoch)
		return;
	entry = g_new0(Entry, 1);
	if (g_hash_table_size(self->entries) >= MAX_ENTRIES)
		g_hash_table_remove_all(self->entries);
	entry->state = *state;
	entry->stored_us = g_get_monotonic_time();
	g_hash_table_replace(self->entries, g_memdup2(&user_id, sizeof(user_id)), entry);
}

void
vf_accounts_user_cache_forget(VfAccountsUserCache *self, gint64 user_id)
{
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&self->lock);
	g_hash_table_remove(self->entries, &user_id);
	self->epoch++;
}
