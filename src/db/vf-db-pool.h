/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfDbPool: a small pool of libpq connections for worker threads. acquire() blocks
 * (never call it on the main loop), connects lazily, and replaces a connection that
 * went bad, so the daemon recovers by itself when PostgreSQL comes back.
 */
#pragma once

#include <gio/gio.h>

#include "vf-db-connection.h"

G_BEGIN_DECLS

#define VF_TYPE_DB_POOL (vf_db_pool_get_type())
G_DECLARE_FINAL_TYPE(VfDbPool, vf_db_pool, VF, DB_POOL, GObject)

/* keywords/values as for PQconnectdbParams(); copied */
VfDbPool *vf_db_pool_new(const gchar *const *keywords, const gchar *const *values, guint size);
guint vf_db_pool_get_size(VfDbPool *self);
/* worker thread only; VF_ERROR_UNAVAILABLE when the server cannot be reached */
VfDbConnection *vf_db_pool_acquire(VfDbPool *self, GCancellable *cancellable, GError **error);
/* returns the connection; a broken one is closed and its slot freed */
void vf_db_pool_release(VfDbPool *self, VfDbConnection *connection);

/* runs a real query (not just PQping) off the loop: for /readyz */
void vf_db_pool_check_async(VfDbPool *self,
			    GCancellable *cancellable,
			    GAsyncReadyCallback callback,
			    gpointer user_data);
gboolean vf_db_pool_check_finish(VfDbPool *self, GAsyncResult *result, GError **error);

G_END_DECLS
