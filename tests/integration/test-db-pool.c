/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfDbPool and VfDbConnection against a real private PostgreSQL: parameters that look
 * like SQL, errors and SQLSTATEs, a full pool, cancellation, many threads at once, and
 * a server restart the pool must survive without being recreated.
 */
#include "config.h"

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
	guint size = GPOINTER_TO_UINT(data);

	vf_test_postgres_create_database(postgres, &fixture->dbname);
	fixture->pool = pool_new_for(fixture->dbname, size > 0 ? size : 4);
}

static void
fixture_teardown(Fixture *fixture, gconstpointer data)
{
	g_clear_object(&fixture->pool);
	g_clear_pointer(&fixture->dbname, g_free);
}

static void
run_ok(VfDbConnection *connection, const gchar *sql)
{
	g_autoptr(GError) error = NULL;
	g_assert_true(vf_db_connection_run(connection, sql, 0, NULL, &error));
	g_assert_no_error(error);
}

static gint64
count_rows(VfDbPool *pool, const gchar *table)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(VfDbConnection) connection = vf_db_pool_acquire(pool, NULL, &error);
	g_autofree gchar *sql = g_strdup_printf("SELECT count(*) FROM %s", table);
	g_autoptr(PGresult) result = NULL;

	g_assert_no_error(error);
	result = vf_db_connection_exec(connection, sql, 0, NULL, &error);
	g_assert_no_error(error);
	return g_ascii_strtoll(PQgetvalue(result, 0, 0), NULL, 10);
}

static void
test_hostile_parameters(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(VfDbConnection) connection = vf_db_pool_acquire(fixture->pool, NULL, &error);
	g_autoptr(GString) huge = g_string_new(NULL);
	const gchar *texts[] = {
	    "plain",
	    "it's",
	    "'; DROP TABLE notes; --",
	    "\"; DROP TABLE notes; --",
	    "Robert'); DROP TABLE notes;--",
	    "$1 $2 \\ \\\\ \\x00 E'\\n'",
	    "Grüße, 日本語, emoji 🎬, RTL \xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d",
	    "line\nbreak\ttab\rreturn",
	    "",
	    NULL, /* SQL NULL */
	};

	g_assert_no_error(error);
	run_ok(connection, "CREATE TABLE notes (id SERIAL PRIMARY KEY, body TEXT)");
	for (guint i = 0; i < 64 * 1024; i++)
		g_string_append(huge, "0123456789abcdef'\""); /* about 1.2 MB */

	for (guint i = 0; i < G_N_ELEMENTS(texts) + 1; i++) {
		const gchar *text = i < G_N_ELEMENTS(texts) ? texts[i] : huge->str;
		const gchar *params[] = {text};
		g_autoptr(PGresult) inserted = NULL;
		g_autoptr(PGresult) selected = NULL;
		const gchar *id_params[1];

		inserted =
		    vf_db_connection_exec(connection,
					  "INSERT INTO notes (body) VALUES ($1) RETURNING id",
					  1,
					  params,
					  &error);
		g_assert_no_error(error);
		g_assert_cmpint(PQntuples(inserted), ==, 1);
		id_params[0] = PQgetvalue(inserted, 0, 0);
		selected =
		    vf_db_connection_exec(connection,
					  "SELECT body, length(body) FROM notes WHERE id = $1",
					  1,
					  id_params,
					  &error);
		g_assert_no_error(error);
		g_assert_cmpint(PQntuples(selected), ==, 1);
		if (text == NULL) {
			g_assert_true(PQgetisnull(selected, 0, 0));
			continue;
		}
		g_assert_false(PQgetisnull(selected, 0, 0));
		g_assert_cmpstr(PQgetvalue(selected, 0, 0), ==, text);
		g_assert_cmpint(g_ascii_strtoll(PQgetvalue(selected, 0, 1), NULL, 10),
				==,
				g_utf8_strlen(text, -1));
	}
	/* the table is still there, with every row */
	g_clear_pointer(&connection, vf_db_connection_release);
	g_assert_cmpint(count_rows(fixture->pool, "notes"), ==, G_N_ELEMENTS(texts) + 1);
}

static void
test_invalid_utf8(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(VfDbConnection) connection = vf_db_pool_acquire(fixture->pool, NULL, &error);
	const gchar *params[] = {"caf\xc3"};
	g_autoptr(PGresult) result = NULL;

	g_assert_no_error(error);
	result = vf_db_connection_exec(connection, "SELECT $1::text", 1, params, &error);
	g_assert_null(result);
	g_assert_error(error, VF_ERROR, VF_ERROR_INTERNAL);
	g_assert_cmpstr(vf_db_connection_get_last_sqlstate(connection), ==, "22021");
	g_clear_error(&error);
	/* a statement error leaves the connection usable */
	run_ok(connection, "SELECT 1");
	g_assert_null(vf_db_connection_get_last_sqlstate(connection));
}

static void
test_errors(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(VfDbConnection) connection = vf_db_pool_acquire(fixture->pool, NULL, &error);
	const gchar *params[] = {"a@example.com"};

	g_assert_no_error(error);
	run_ok(connection, "CREATE TABLE people (email TEXT PRIMARY KEY)");

	g_assert_false(vf_db_connection_run(connection, "SELEC 1", 0, NULL, &error));
	g_assert_error(error, VF_ERROR, VF_ERROR_INTERNAL);
	g_assert_nonnull(strstr(error->message, "syntax error"));
	g_assert_cmpstr(vf_db_connection_get_last_sqlstate(connection), ==, "42601");
	g_clear_error(&error);

	run_ok(connection, "INSERT INTO people VALUES ('a@example.com')");
	g_assert_false(
	    vf_db_connection_run(connection, "INSERT INTO people VALUES ($1)", 1, params, &error));
	g_assert_error(error, VF_ERROR, VF_ERROR_INTERNAL);
	g_assert_cmpstr(vf_db_connection_get_last_sqlstate(connection), ==, "23505");
	/* the server's message, without the DETAIL that quotes the row */
	g_assert_nonnull(strstr(error->message, "people_pkey"));
	g_assert_null(strstr(error->message, "a@example.com"));
	g_assert_cmpstr(vf_db_connection_get_last_constraint(connection), ==, "people_pkey");
	g_clear_error(&error);

	/* a failed statement poisons the transaction: COMMIT must not report success */
	g_assert_true(vf_db_connection_begin(connection, &error));
	g_assert_false(
	    vf_db_connection_run(connection, "INSERT INTO people VALUES ($1)", 1, params, &error));
	g_clear_error(&error);
	g_assert_false(vf_db_connection_commit(connection, &error));
	g_assert_error(error, VF_ERROR, VF_ERROR_INTERNAL);
	g_clear_error(&error);
	run_ok(connection, "SELECT 1");
}

static void
test_release_rolls_back(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	VfDbConnection *connection = vf_db_pool_acquire(fixture->pool, NULL, &error);

	g_assert_no_error(error);
	run_ok(connection, "CREATE TABLE items (name TEXT)");
	g_assert_true(vf_db_connection_begin(connection, &error));
	run_ok(connection, "INSERT INTO items VALUES ('left open')");
	/* an early return with g_autoptr releases inside the transaction */
	vf_db_connection_release(connection);
	g_assert_cmpint(count_rows(fixture->pool, "items"), ==, 0);

	connection = vf_db_pool_acquire(fixture->pool, NULL, &error);
	g_assert_no_error(error);
	g_assert_true(vf_db_connection_begin(connection, &error));
	run_ok(connection, "INSERT INTO items VALUES ('committed')");
	g_assert_true(vf_db_connection_commit(connection, &error));
	g_assert_no_error(error);
	vf_db_pool_release(fixture->pool, connection);
	g_assert_cmpint(count_rows(fixture->pool, "items"), ==, 1);
}

typedef struct {
	VfDbPool *pool;
	GCancellable *cancellable;
	gint done; /* atomic */
	GError *error;
} Waiter;

static gpointer
waiter_thread(gpointer data)
{
	Waiter *waiter = data;
	VfDbConnection *connection =
	    vf_db_pool_acquire(waiter->pool, waiter->cancellable, &waiter->error);

	if (connection != NULL) {
		g_autoptr(PGresult) result =
		    vf_db_connection_exec(connection, "SELECT 1", 0, NULL, &waiter->error);
		vf_db_connection_release(connection);
	}
	g_atomic_int_set(&waiter->done, 1);
	return NULL;
}

static gboolean
waiter_done_cb(gpointer data)
{
	Waiter *waiter = data;
	return g_atomic_int_get(&waiter->done) != 0;
}

static void
test_exhaustion(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	VfDbConnection *held[2];
	Waiter waiter = {.pool = fixture->pool};
	GThread *thread;

	g_assert_cmpuint(vf_db_pool_get_size(fixture->pool), ==, 2);
	for (guint i = 0; i < G_N_ELEMENTS(held); i++) {
		held[i] = vf_db_pool_acquire(fixture->pool, NULL, &error);
		g_assert_no_error(error);
	}
	thread = g_thread_new("waiter", waiter_thread, &waiter);
	/* it must still be blocked a while later (a check, not a timing assertion) */
	g_assert_false(vf_test_wait_until(waiter_done_cb, &waiter, 300));
	vf_db_connection_release(held[0]);
	g_assert_true(vf_test_wait_until(waiter_done_cb, &waiter, 10000));
	g_thread_join(thread);
	g_assert_no_error(waiter.error);
	vf_db_connection_release(held[1]);
}

static void
test_cancel_blocked(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GCancellable) cancellable = g_cancellable_new();
	VfDbConnection *held = vf_db_pool_acquire(fixture->pool, NULL, &error);
	Waiter waiter = {.pool = fixture->pool, .cancellable = cancellable};
	GThread *thread;

	g_assert_no_error(error);
	thread = g_thread_new("waiter", waiter_thread, &waiter);
	g_assert_false(vf_test_wait_until(waiter_done_cb, &waiter, 200));
	g_cancellable_cancel(cancellable);
	g_assert_true(vf_test_wait_until(waiter_done_cb, &waiter, 10000));
	g_thread_join(thread);
	g_assert_error(waiter.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	g_clear_error(&waiter.error);

	/* already cancelled: fails at once, even with a free connection */
	vf_db_connection_release(held);
	g_assert_null(vf_db_pool_acquire(fixture->pool, cancellable, &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

#define N_THREADS    16
#define N_ITERATIONS 40

static gpointer
worker_thread(gpointer data)
{
	VfDbPool *pool = data;

	for (guint i = 0; i < N_ITERATIONS; i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(VfDbConnection) connection = vf_db_pool_acquire(pool, NULL, &error);
		g_autofree gchar *value = g_strdup_printf("%p-%u", (void *)g_thread_self(), i);
		const gchar *params[] = {value};
		g_autoptr(PGresult) result = NULL;

		g_assert_no_error(error);
		g_assert_true(vf_db_connection_begin(connection, &error));
		g_assert_true(vf_db_connection_run(
		    connection, "INSERT INTO hits (tag) VALUES ($1)", 1, params, &error));
		result = vf_db_connection_exec(
		    connection, "SELECT count(*) FROM hits WHERE tag = $1", 1, params, &error);
		g_assert_no_error(error);
		g_assert_cmpstr(PQgetvalue(result, 0, 0), ==, "1");
		g_assert_true(vf_db_connection_commit(connection, &error));
		g_assert_no_error(error);
	}
	return NULL;
}

static void
test_concurrency(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	GThread *threads[N_THREADS];

	{
		g_autoptr(VfDbConnection) connection =
		    vf_db_pool_acquire(fixture->pool, NULL, &error);
		g_assert_no_error(error);
		run_ok(connection, "CREATE TABLE hits (tag TEXT UNIQUE)");
	}
	for (guint i = 0; i < N_THREADS; i++)
		threads[i] = g_thread_new("worker", worker_thread, fixture->pool);
	for (guint i = 0; i < N_THREADS; i++)
		g_thread_join(threads[i]);
	g_assert_cmpint(count_rows(fixture->pool, "hits"), ==, N_THREADS * N_ITERATIONS);
	/* the server saw no more connections than the pool's size */
	{
		g_autoptr(VfDbConnection) connection =
		    vf_db_pool_acquire(fixture->pool, NULL, &error);
		const gchar *params[] = {fixture->dbname};
		g_autoptr(PGresult) result = vf_db_connection_exec(
		    connection,
		    "SELECT count(*) FROM pg_stat_activity WHERE datname = $1",
		    1,
		    params,
		    &error);
		g_assert_no_error(error);
		g_assert_cmpint(g_ascii_strtoll(PQgetvalue(result, 0, 0), NULL, 10), <=, 4);
	}
}

typedef struct {
	gboolean done;
	gboolean ok;
	GError *error;
} Check;

static void
check_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Check *check = user_data;

	check->ok = vf_db_pool_check_finish(VF_DB_POOL(source), result, &check->error);
	check->done = TRUE;
}

static gboolean
check_done(gpointer data)
{
	Check *check = data;
	return check->done;
}

/* TRUE when the pool's check says the database is up; else the check's error */
static gboolean
pool_check(VfDbPool *pool, GError **error)
{
	Check check = {0};

	vf_db_pool_check_async(pool, NULL, check_done_cb, &check);
	g_assert_true(vf_test_wait_until(check_done, &check, 30000));
	g_assert_true(check.ok == (check.error == NULL));
	if (check.error != NULL)
		g_propagate_error(error, check.error);
	return check.ok;
}

static void
assert_select_one(VfDbPool *pool)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(VfDbConnection) connection = vf_db_pool_acquire(pool, NULL, &error);
	g_autoptr(PGresult) result = NULL;

	g_assert_no_error(error);
	result = vf_db_connection_exec(connection, "SELECT 1", 0, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(PQgetvalue(result, 0, 0), ==, "1");
}

static void
test_restart(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	VfDbConnection *held;
	VfDbConnection *connections[2];

	/* fill the pool with idle connections, then restart under them */
	for (guint i = 0; i < G_N_ELEMENTS(connections); i++) {
		connections[i] = vf_db_pool_acquire(fixture->pool, NULL, &error);
		g_assert_no_error(error);
	}
	run_ok(connections[0], "CREATE TABLE t (v TEXT)");
	for (guint i = 0; i < G_N_ELEMENTS(connections); i++)
		vf_db_connection_release(connections[i]);
	g_assert_true(pool_check(fixture->pool, NULL));

	vf_test_postgres_restart(postgres);
	/* idle connections the server closed are noticed before use */
	for (guint i = 0; i < 3; i++)
		assert_select_one(fixture->pool);

	/* a connection in use when the server stops: its statement fails, nothing hangs */
	held = vf_db_pool_acquire(fixture->pool, NULL, &error);
	g_assert_no_error(error);
	g_assert_true(vf_db_connection_begin(held, &error));
	run_ok(held, "INSERT INTO t VALUES ('lost')");
	vf_test_postgres_stop(postgres);
	g_assert_false(vf_db_connection_run(held, "INSERT INTO t VALUES ('x')", 0, NULL, &error));
	g_assert_error(error, VF_ERROR, VF_ERROR_UNAVAILABLE);
	g_assert_true(g_str_has_prefix(error->message, "database unavailable: "));
	g_clear_error(&error);
	g_assert_false(vf_db_connection_commit(held, &error));
	g_assert_error(error, VF_ERROR, VF_ERROR_UNAVAILABLE);
	g_clear_error(&error);
	vf_db_connection_rollback(held);
	vf_db_connection_release(held);

	/* while down: every acquire fails quickly as UNAVAILABLE, and the check says so */
	for (guint i = 0; i < 3; i++) {
		g_assert_null(vf_db_pool_acquire(fixture->pool, NULL, &error));
		g_assert_error(error, VF_ERROR, VF_ERROR_UNAVAILABLE);
		g_test_message("while down: %s", error->message);
		g_clear_error(&error);
	}
	g_assert_false(pool_check(fixture->pool, &error));
	g_assert_error(error, VF_ERROR, VF_ERROR_UNAVAILABLE);
	g_clear_error(&error);

	/* back up: the same pool works again, and the lost transaction left nothing */
	vf_test_postgres_start(postgres);
	g_assert_true(pool_check(fixture->pool, NULL));
	assert_select_one(fixture->pool);
	g_assert_cmpint(count_rows(fixture->pool, "t"), ==, 0);
}

/* a server that accepts TCP but never answers: connect_timeout bounds the wait */
static void
test_unresponsive_server(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GSocket) socket =
	    g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
	g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
	g_autoptr(GSocketAddress) address = g_inet_socket_address_new(loopback, 0);
	g_autoptr(GSocketAddress) bound = NULL;
	g_autofree gchar *port = NULL;
	const gchar *keywords[] = {"host", "port", "user", "dbname", "connect_timeout", NULL};
	const gchar *values[] = {"127.0.0.1", NULL, "vf", "postgres", "2", NULL};
	g_autoptr(VfDbPool) pool = NULL;

	g_assert_no_error(error);
	g_assert_true(g_socket_bind(socket, address, TRUE, &error));
	g_assert_true(g_socket_listen(socket, &error));
	g_assert_no_error(error);
	bound = g_socket_get_local_address(socket, &error);
	port = g_strdup_printf("%u", g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound)));
	values[1] = port;
	pool = vf_db_pool_new(keywords, values, 2);
	g_assert_null(vf_db_pool_acquire(pool, NULL, &error));
	g_assert_error(error, VF_ERROR, VF_ERROR_UNAVAILABLE);
	g_test_message("%s", error->message);
}

/* many threads while the server restarts: each statement works or fails as
 * UNAVAILABLE; nobody crashes, hangs, or sees another error */
typedef struct {
	VfDbPool *pool;
	gint stop;	    /* atomic */
	gint n_ok;	    /* atomic */
	gint n_unavailable; /* atomic */
} Storm;

static gpointer
storm_thread(gpointer data)
{
	Storm *storm = data;

	while (!g_atomic_int_get(&storm->stop)) {
		g_autoptr(GError) error = NULL;
		g_autoptr(VfDbConnection) connection =
		    vf_db_pool_acquire(storm->pool, NULL, &error);
		g_autoptr(PGresult) result = NULL;

		if (connection != NULL)
			result = vf_db_connection_exec(connection, "SELECT 1", 0, NULL, &error);
		if (result != NULL) {
			g_atomic_int_inc(&storm->n_ok);
			continue;
		}
		g_assert_error(error, VF_ERROR, VF_ERROR_UNAVAILABLE);
		g_atomic_int_inc(&storm->n_unavailable);
		g_usleep(5000);
	}
	return NULL;
}

static void
test_restart_under_load(Fixture *fixture, gconstpointer data)
{
	Storm storm = {.pool = fixture->pool};
	GThread *threads[8];
	gint n_ok;

	for (guint i = 0; i < G_N_ELEMENTS(threads); i++)
		threads[i] = g_thread_new("storm", storm_thread, &storm);
	vf_test_postgres_restart(postgres);
	vf_test_postgres_restart(postgres);
	n_ok = g_atomic_int_get(&storm.n_ok);
	/* after the restarts, statements succeed again */
	while (g_atomic_int_get(&storm.n_ok) < n_ok + 100)
		g_usleep(1000);
	g_atomic_int_set(&storm.stop, 1);
	for (guint i = 0; i < G_N_ELEMENTS(threads); i++)
		g_thread_join(threads[i]);
	g_test_message("ok %d, unavailable %d", storm.n_ok, storm.n_unavailable);
	assert_select_one(fixture->pool);
}

int
main(int argc, char **argv)
{
	int ret;

	vf_test_init(&argc, &argv, 240);
	postgres = vf_test_postgres_new();
#define ADD(path, size, func)                                                                      \
	g_test_add(path, Fixture, GUINT_TO_POINTER(size), fixture_setup, func, fixture_teardown)
	ADD("/db/pool/hostile-parameters", 4, test_hostile_parameters);
	ADD("/db/pool/invalid-utf8", 4, test_invalid_utf8);
	ADD("/db/pool/errors", 4, test_errors);
	ADD("/db/pool/release-rolls-back", 4, test_release_rolls_back);
	ADD("/db/pool/exhaustion", 2, test_exhaustion);
	ADD("/db/pool/cancel-blocked", 1, test_cancel_blocked);
	ADD("/db/pool/concurrency", 4, test_concurrency);
	ADD("/db/pool/restart", 2, test_restart);
	g_test_add_func("/db/pool/unresponsive-server", test_unresponsive_server);
	ADD("/db/pool/restart-under-load", 4, test_restart_under_load);
#undef ADD
	ret = g_test_run();
	vf_test_postgres_free(postgres);
	return ret;
}
