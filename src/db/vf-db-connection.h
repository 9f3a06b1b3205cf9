/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfDbConnection: one pooled libpq connection, used by one worker thread at a time.
 * Every statement is parameterised (PQexecParams); errors come back as VF_ERROR
 * (UNAVAILABLE when the connection is lost, INTERNAL otherwise, message kept).
 */
#pragma once

#include <gio/gio.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

typedef struct _VfDbConnection VfDbConnection;

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PGresult, PQclear)

/* n_params text parameters (NULL entries are SQL NULL); returns the result of a
 * successful command or query, else NULL and error */
PGresult *vf_db_connection_exec(VfDbConnection *self,
				const gchar *sql,
				gint n_params,
				const gchar *const *params,
				GError **error);
/* convenience for statements whose result is not needed */
gboolean vf_db_connection_run(VfDbConnection *self,
			      const gchar *sql,
			      gint n_params,
			      const gchar *const *params,
			      GError **error);
gboolean vf_db_connection_begin(VfDbConnection *self, GError **error);
gboolean vf_db_connection_commit(VfDbConnection *self, GError **error);
/* never fails from the caller's view: a failure marks the connection broken */
void vf_db_connection_rollback(VfDbConnection *self);
/* SQLSTATE of the last failed statement ("23505" unique violation), or NULL */
const gchar *vf_db_connection_get_last_sqlstate(VfDbConnection *self);
/* name of the constraint the last failed statement violated ("users_email_key"), or NULL */
const gchar *vf_db_connection_get_last_constraint(VfDbConnection *self);
PGconn *vf_db_connection_get_pgconn(VfDbConnection *self);
/* release to the pool it came from (for g_autoptr) */
void vf_db_connection_release(VfDbConnection *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfDbConnection, vf_db_connection_release)

G_END_DECLS
