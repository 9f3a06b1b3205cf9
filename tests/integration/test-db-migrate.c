/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The migration runner against a real private PostgreSQL: every file applied once and
 * recorded, nothing on a second run, daemons starting at once, and a failing migration
 * that leaves no trace.
 */
#include "config.h"

#include "vf-db-migrate.h"
#include "vf-db-pool.h"
#include "vf-error.h"
#include "vf-test-postgres.h"
#include "vf-test-util.h"

static VfTestPostgres *postgres; /* one cluster for the whole program */

typedef struct {
	gchar *dbname;
	VfDbPool *pool;
} Fixture;

static VfDbPool *
pool_new_for(const gchar *dbname, guint size)
{
	g_auto(GStrv) keywords = vf_test_postgres_dup_keywords(postgres);
	g_auto(GStrv) values = vf_test_postgres_dup_values(postgres, dbname);
	return vf_db_pool_new((const gchar *const *)keywords, (const gchar *const *)values, size);
}

static void
fixture_setup(Fixture *fixture, gconstpointer data)
{
	vf_test_postgres_create_database(postgres, &fixture->dbname);
	fixture->pool = pool_new_for(fixture->dbname, 2);
}

static void
fixture_teardown(Fixture *fixture, gconstpointer data)
{
	g_clear_object(&fixture->pool);
	g_clear_pointer(&fixture->dbname, g_free);
}

/* the .sql files compiled in, counted the way a reader of data/migrations/ would */
static guint
count_migration_files(void)
{
	g_autofree gchar *dir = vf_test_source_path("data/migrations");
	g_autoptr(GDir) listing = g_dir_open(dir, 0, NULL);
	const gchar *name;
	guint n = 0;

	g_assert_nonnull(listing);
	while ((name = g_dir_read_name(listing)) != NULL) {
		if (g_str_has_suffix(name, ".sql"))
			n++;
	}
	g_assert_cmpuint(n, >=, 4);
	return n;
}

static PGresult *
query(VfDbConnection *connection, const gchar *sql)
{
	g_autoptr(GError) error = NULL;
	PGresult *result = vf_db_connection_exec(connection, sql, 0, NULL, &error);
	g_assert_no_error(error);
	return result;
}

static void
test_apply_once(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(VfDbConnection) connection = vf_db_pool_acquire(fixture->pool, NULL, &error);
	g_autoptr(PGresult) first = NULL;
	g_autoptr(PGresult) second = NULL;
	g_autoptr(PGresult) tables = NULL;
	guint n_files = count_migration_files();
	guint n_applied = 0;

	g_assert_no_error(error);
	g_assert_true(vf_db_migrate_full(connection, &n_applied, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(n_applied, ==, n_files);
	first =
	    query(connection, "SELECT version, applied_at FROM schema_migrations ORDER BY version");
	g_assert_cmpint(PQntuples(first), ==, n_files);
	g_assert_cmpstr(PQgetvalue(first, 0, 0), ==, "0001-create-users");

	/* the tables of the migrations exist */
	tables = query(connection,
		       "SELECT to_regclass('users') IS NOT NULL, "
		       "to_regclass('one_time_tokens') IS NOT NULL, "
		       "to_regclass('refresh_tokens') IS NOT NULL, "
		       "to_regclass('mail_outbox') IS NOT NULL");
	for (int i = 0; i < 4; i++)
		g_assert_cmpstr(PQgetvalue(tables, 0, i), ==, "t");

	/* a second run (the next start) applies nothing and changes no record */
	g_assert_true(vf_db_migrate_full(connection, &n_applied, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(n_applied, ==, 0);
	g_assert_true(vf_db_migrate(connection, &error));
	g_assert_no_error(error);
	second =
	    query(connection, "SELECT version, applied_at FROM schema_migrations ORDER BY version");
	g_assert_cmpint(PQntuples(second), ==, PQntuples(first));
	for (int i = 0; i < PQntuples(first); i++) {
		g_assert_cmpstr(PQgetvalue(second, i, 0), ==, PQgetvalue(first, i, 0));
		g_assert_cmpstr(PQgetvalue(second, i, 1), ==, PQgetvalue(first, i, 1));
	}
	g_assert_cmpint(
	    PQtransactionStatus(vf_db_connection_get_pgconn(connection)), ==, PQTRANS_IDLE);
}

typedef struct {
	const gchar *dbname;
	guint n_applied;
	GError *error;
} Starter;

static gpointer
starter_thread(gpointer data)
{
	Starter *starter = data;
	/* a pool of its own, as a separate daemon would have */
	g_autoptr(VfDbPool) pool = pool_new_for(starter->dbname, 1);
	g_autoptr(VfDbConnection) connection = vf_db_pool_acquire(pool, NULL, &starter->error);

	if (connection != NULL)
		vf_db_migrate_full(connection, &starter->n_applied, &starter->error);
	return NULL;
}

static void
test_concurrent_start(Fixture *fixture, gconstpointer data)
{
	Starter starters[6];
	GThread *threads[G_N_ELEMENTS(starters)];
	guint total = 0;

	for (guint i = 0; i < G_N_ELEMENTS(starters); i++) {
		starters[i] = (Starter){.dbname = fixture->dbname};
		threads[i] = g_thread_new("starter", starter_thread, &starters[i]);
	}
	for (guint i = 0; i < G_N_ELEMENTS(starters); i++) {
		g_thread_join(threads[i]);
		g_assert_no_error(starters[i].error);
		total += starters[i].n_applied;
	}
	/* every file applied exactly once between them */
	g_assert_cmpuint(total, ==, count_migration_files());
	{
		g_autoptr(GError) error = NULL;
		g_autoptr(VfDbConnection) connection =
		    vf_db_pool_acquire(fixture->pool, NULL, &error);
		g_autoptr(PGresult) result = NULL;

		g_assert_no_error(error);
		result = query(connection, "SELECT count(*) FROM schema_migrations");
		g_assert_cmpint(g_ascii_strtoll(PQgetvalue(result, 0, 0), NULL, 10),
				==,
				count_migration_files());
	}
}

static void
test_failure_leaves_nothing(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(VfDbConnection) connection = vf_db_pool_acquire(fixture->pool, NULL, &error);
	g_autoptr(PGresult) recorded = NULL;
	g_autoptr(PGresult) tables = NULL;
	guint n_applied = 99;

	g_assert_no_error(error);
	/* a table in the way makes 0001 fail half-way */
	g_assert_true(
	    vf_db_connection_run(connection, "CREATE TABLE users (x INT)", 0, NULL, &error));
	g_assert_false(vf_db_migrate_full(connection, &n_applied, &error));
	g_assert_error(error, VF_ERROR, VF_ERROR_INTERNAL);
	g_assert_true(g_str_has_prefix(error->message, "migration 0001-create-users.sql: "));
	g_assert_cmpstr(vf_db_connection_get_last_sqlstate(connection), ==, "42P07");
	g_assert_cmpuint(n_applied, ==, 0);
	g_clear_error(&error);

	recorded = query(connection, "SELECT count(*) FROM schema_migrations");
	g_assert_cmpstr(PQgetvalue(recorded, 0, 0), ==, "0");
	tables = query(connection, "SELECT to_regclass('one_time_tokens') IS NULL");
	g_assert_cmpstr(PQgetvalue(tables, 0, 0), ==, "t");
	g_assert_cmpint(
	    PQtransactionStatus(vf_db_connection_get_pgconn(connection)), ==, PQTRANS_IDLE);

	/* out of the way, the next start applies everything */
	g_assert_true(vf_db_connection_run(connection, "DROP TABLE users", 0, NULL, &error));
	g_assert_true(vf_db_migrate_full(connection, &n_applied, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(n_applied, ==, count_migration_files());
}

static void
test_constraints(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(VfDbConnection) connection = vf_db_pool_acquire(fixture->pool, NULL, &error);
	const gchar *upper[] = {"Mixed@Example.com", "hash"};
	const gchar *lower[] = {"mixed@example.com", "hash"};

	g_assert_no_error(error);
	g_assert_true(vf_db_migrate(connection, &error));
	/* users.email is stored lower case and unique: the schema backs the service */
	g_assert_false(
	    vf_db_connection_run(connection,
				 "INSERT INTO users (email, password_hash) VALUES ($1, $2)",
				 2,
				 upper,
				 &error));
	g_assert_cmpstr(vf_db_connection_get_last_sqlstate(connection), ==, "23514");
	g_clear_error(&error);
	g_assert_true(
	    vf_db_connection_run(connection,
				 "INSERT INTO users (email, password_hash) VALUES ($1, $2)",
				 2,
				 lower,
				 &error));
	g_assert_no_error(error);
	g_assert_false(
	    vf_db_connection_run(connection,
				 "INSERT INTO users (email, password_hash) VALUES ($1, $2)",
				 2,
				 lower,
				 &error));
	g_assert_cmpstr(vf_db_connection_get_last_sqlstate(connection), ==, "23505");
}

int
main(int argc, char **argv)
{
	int ret;

	vf_test_init(&argc, &argv, 120);
	postgres = vf_test_postgres_new();
	g_test_add("/db/migrate/apply-once",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_apply_once,
		   fixture_teardown);
	g_test_add("/db/migrate/concurrent-start",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_concurrent_start,
		   fixture_teardown);
	g_test_add("/db/migrate/failure-leaves-nothing",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_failure_leaves_nothing,
		   fixture_teardown);
	g_test_add("/db/migrate/constraints",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_constraints,
		   fixture_teardown);
	ret = g_test_run();
	vf_test_postgres_free(postgres);
	return ret;
}
