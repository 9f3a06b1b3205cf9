/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Applies the numbered SQL migrations of data/migrations/ (compiled in as a
 * GResource) in order, each in a transaction, recorded in schema_migrations.
 * Worker thread (or start-up before the loop runs).
 */
#pragma once

#include "vf-db-connection.h"

G_BEGIN_DECLS

gboolean
vf_db_migrate(VfDbConnection *connection, GError **error);

G_END_DECLS
