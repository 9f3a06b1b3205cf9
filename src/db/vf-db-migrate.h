/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Applies the numbered SQL migrations of data/migrations/ (compiled in as a
 * GResource) in order, each in a transaction, recorded in schema_migrations.
 * Worker thread (or start-up before the loop runs).
 */
#pragma once

#include "vf-db-connection.h"

G_BEGIN_DECLS

gboolean vf_db_migrate(VfDbConnection *connection, GError **error);
/* the same; n_applied (may be NULL) counts the files this call applied */
gboolean vf_db_migrate_full(VfDbConnection *connection, guint *n_applied, GError **error);

G_END_DECLS
