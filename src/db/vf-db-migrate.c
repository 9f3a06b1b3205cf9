/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The migration runner: applies the SQL files compiled in from data/migrations/ in name
 * order, each in its own transaction under an advisory lock (two daemons starting at once
 * apply each file once), and records them in schema_migrations. Worker thread or start-up.
 */
#include "config.h"

#include "vf-db-migrate.h"

#include <stdlib.h>
#include <string.h>

#include "vf-db-private.h"
#include "vf-db-resources.h"
#include "vf-error.h"

#define MIGRATIONS_PATH "/org/videoflix/migrations/"
/* any constant shared by every videoflix process: "vfmigrat" */
#define LOCK_SQL "SELECT pg_advisory_xact_lock(7667121234935263604)"

static gboolean
ensure_table(VfDbConnection *connection, GHashTable *applied, GError **error)
{
	g_autoptr(PGresult) result = NULL;

	if (!vf_db_connection_begin(connection, error))
		return FALSE;
	if (!vf_db_connection_run(connection, LOCK_SQL, 0, NULL, error) ||
	    !vf_db_connection_run(connection,
				  "CREATE TABLE IF NOT EXISTS schema_migrations ("
				  " version TEXT PRIMARY KEY,"
				  " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
				  0,
				  NULL,
				  error)) {
		vf_db_connection_rollback(connection);
		return FALSE;
	}
	result = vf_db_connection_exec(
	    connection, "SELECT version FROM schema_migrations", 0, NULL, error);
	if (result == NULL) {
		vf_db_connection_rollback(connection);
		return FALSE;
	}
	for (int i = 0; i < PQntuples(result); i++)
		g_hash_table_add(applied, g_strdup(PQgetvalue(result, i, 0)));
	return vf_db_connection_commit(connection, error);
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(const gchar *const *)a, *(const gchar *const *)b);
}

/* the .sql files of the resource, sorted by name */
static GStrv
list_migrations(GError **error)
{
	g_auto(GStrv) children = NULL;
	g_autoptr(GStrvBuilder) builder = g_strv_builder_new();
	GStrv names;

	children = g_resource_enumerate_children(
	    vf_db_migrations_get_resource(), MIGRATIONS_PATH, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
	if (children == NULL) {
		g_prefix_error(error, "no migrations: ");
		return NULL;
	}
	for (guint i = 0; children[i] != NULL; i++) {
		if (g_str_has_suffix(children[i], ".sql"))
			g_strv_builder_add(builder, children[i]);
	}
	names = g_strv_builder_end(builder);
	qsort(names, g_strv_length(names), sizeof(gchar *), compare_names);
	return names;
}

/* inside the transaction: lock, look again (another process may have won), run, record */
static gboolean
apply_locked(VfDbConnection *connection,
	     const gchar *sql,
	     const gchar *version,
	     gboolean *applied,
	     GError **error)
{
	g_autoptr(PGresult) result = NULL;
	const gchar *params[] = {version};

	if (!vf_db_connection_run(connection, LOCK_SQL, 0, NULL, error))
		return FALSE;
	result = vf_db_connection_exec(
	    connection, "SELECT 1 FROM schema_migrations WHERE version = $1", 1, params, error);
	if (result == NULL)
		return FALSE;
	if (PQntuples(result) > 0)
		return TRUE;
	if (!vf_db_connection_run_script(connection, sql, error) ||
	    !vf_db_connection_run(connection,
				  "INSERT INTO schema_migrations (version) VALUES ($1)",
				  1,
				  params,
				  error))
		return FALSE;
	*applied = TRUE;
	return TRUE;
}

static gboolean
apply_one(VfDbConnection *connection,
	  const gchar *file,
	  const gchar *version,
	  gboolean *applied,
	  GError **error)
{
	g_autofree gchar *path = g_strconcat(MIGRATIONS_PATH, file, NULL);
	g_autoptr(GBytes) bytes = NULL;
	g_autofree gchar *sql = NULL;
	gsize size = 0;
	const gchar *data;

	*applied = FALSE;
	bytes = g_resource_lookup_data(
	    vf_db_migrations_get_resource(), path, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
	if (bytes == NULL)
		return FALSE;
	data = g_bytes_get_data(bytes, &size);
	sql = g_strndup(data, size);

	if (!vf_db_connection_begin(connection, error))
		return FALSE;
	if (!apply_locked(connection, sql, version, applied, error)) {
		*applied = FALSE;
		vf_db_connection_rollback(connection);
		return FALSE;
	}
	if (!*applied) {
		vf_db_connection_rollback(connection);
		return TRUE;
	}
	if (!vf_db_connection_commit(connection, error)) {
		*applied = FALSE;
		return FALSE;
	}
	return TRUE;
}

gboolean
vf_db_migrate_full(VfDbConnection *connection, guint *n_applied, GError **error)
{
	g_autoptr(GHashTable) applied =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_auto(GStrv) files = NULL;
	guint count = 0;

	g_return_val_if_fail(connection != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (n_applied != NULL)
		*n_applied = 0;
	if (PQtransactionStatus(vf_db_connection_get_pgconn(connection)) != PQTRANS_IDLE) {
		g_set_error_literal(error,
				    VF_ERROR,
				    VF_ERROR_INTERNAL,
				    "migrations need a connection outside a transaction");
		return FALSE;
	}
	files = list_migrations(error);
	if (files == NULL)
		return FALSE;
	if (!ensure_table(connection, applied, error)) {
		g_prefix_error(error, "cannot read schema_migrations: ");
		return FALSE;
	}
	for (guint i = 0; files[i] != NULL; i++) {
		g_autofree gchar *version = g_strndup(files[i], strlen(files[i]) - strlen(".sql"));
		gboolean done = FALSE;

		if (g_hash_table_contains(applied, version))
			continue;
		if (!apply_one(connection, files[i], version, &done, error)) {
			g_prefix_error(error, "migration %s: ", files[i]);
			return FALSE;
		}
		if (done) {
			g_info("applied migration %s", version);
			count++;
		}
	}
	if (n_applied != NULL)
		*n_applied = count;
	return TRUE;
}

gboolean
vf_db_migrate(VfDbConnection *connection, GError **error)
{
	return vf_db_migrate_full(connection, NULL, error);
}
