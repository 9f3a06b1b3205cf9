/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the pool and its connections tell each other; not for other modules.
 * Called on worker threads, never on the main loop.
 */
#pragma once

#include "vf-db-connection.h"
#include "vf-db-pool.h"

G_BEGIN_DECLS

/* takes ownership of pgconn (may be NULL: a slot that failed to connect) */
VfDbConnection *vf_db_connection_new(PGconn *pgconn);
/* closes the libpq connection */
void vf_db_connection_free(VfDbConnection *self);
/* the pool a checked-out connection returns to; a reference, or NULL when idle */
void vf_db_connection_set_pool(VfDbConnection *self, VfDbPool *pool);
VfDbPool *vf_db_connection_steal_pool(VfDbConnection *self);
/* TRUE when the connection cannot be reused (lost, or left in an unknown state) */
gboolean vf_db_connection_is_broken(VfDbConnection *self);
/* before handing an idle connection out: notices a server that went away meanwhile
 * (a restart leaves an idle connection at CONNECTION_OK) without a round trip */
gboolean vf_db_connection_check_idle(VfDbConnection *self);
/* on release: rolls back an open transaction; FALSE when the connection must go */
gboolean vf_db_connection_reset_state(VfDbConnection *self);
/* multi-statement SQL without parameters, for the trusted, compiled-in migrations */
gboolean vf_db_connection_run_script(VfDbConnection *self, const gchar *sql, GError **error);

/* libpq's multi-line message on one line */
gchar *vf_db_tidy_message(const gchar *message);

G_END_DECLS
