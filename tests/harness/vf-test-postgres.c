/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A private PostgreSQL cluster for the tests: initdb once per test program into a temp
 * dir, postgres on a free 127.0.0.1 port with its socket inside that dir. As root, both
 * run as `nobody`; the postmaster gets SIGKILL when the test program dies. Main thread.
 */
#include "config.h"

#include "vf-test-postgres.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "vf-test-util.h"

#define READY_TIMEOUT_MS 60000
#define STOP_TIMEOUT_MS	 30000
#define SUPERUSER	 "vf"

typedef struct {
	gboolean drop; /* run as uid/gid instead of ourselves */
	uid_t uid;
	gid_t gid;
	pid_t parent;
} ChildCredentials;

struct _VfTestPostgres {
	gchar *dir;	   /* temp dir, removed by free() */
	gchar *data_dir;   /* dir/data */
	gchar *socket_dir; /* dir/sock */
	gchar *log_path;   /* dir/postgres.log: server stderr, appended across restarts */
	guint16 port;
	GSubprocess *postmaster; /* NULL while stopped */
	ChildCredentials credentials;
	guint n_databases;
};

/* after fork, before exec: async-signal-safe calls only */
static void
child_setup_cb(gpointer data)
{
	ChildCredentials *credentials = data;

	if (credentials->drop) {
		if (setgroups(0, NULL) != 0 || setgid(credentials->gid) != 0 ||
		    setuid(credentials->uid) != 0)
			_exit(126);
	}
	/* after setuid: a credential change clears the parent-death signal */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != credentials->parent)
		_exit(126);
}

static GSubprocessLauncher *
launcher_new(VfTestPostgres *self, GSubprocessFlags flags)
{
	GSubprocessLauncher *launcher = g_subprocess_launcher_new(flags);

	g_subprocess_launcher_set_child_setup(launcher, child_setup_cb, &self->credentials, NULL);
	/* the test's cwd may be unreadable to nobody */
	g_subprocess_launcher_set_cwd(launcher, self->dir);
	g_subprocess_launcher_unsetenv(launcher, "PGDATA");
	g_subprocess_launcher_unsetenv(launcher, "PGHOST");
	g_subprocess_launcher_unsetenv(launcher, "PGPORT");
	return launcher;
}

static void
make_owned_dir(VfTestPostgres *self, const gchar *path)
{
	g_assert_cmpint(g_mkdir(path, 0700), ==, 0);
	if (self->credentials.drop)
		g_assert_cmpint(chown(path, self->credentials.uid, self->credentials.gid), ==, 0);
}

static gchar *
read_log_tail(VfTestPostgres *self)
{
	g_autofree gchar *contents = NULL;
	gsize length = 0;

	if (!g_file_get_contents(self->log_path, &contents, &length, NULL))
		return g_strdup("(no log)");
	if (length > 4000)
		return g_strdup(contents + length - 4000);
	return g_steal_pointer(&contents);
}

static void
run_initdb(VfTestPostgres *self)
{
	g_autoptr(GSubprocessLauncher) launcher =
	    launcher_new(self, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
	g_autoptr(GSubprocess) initdb = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *output = NULL;

	initdb = g_subprocess_launcher_spawn(launcher,
					     &error,
					     VF_PG_BINDIR "/initdb",
					     "-A",
					     "trust",
					     "-U",
					     SUPERUSER,
					     "-E",
					     "UTF8",
					     "--no-locale",
					     "--no-sync",
					     "-D",
					     self->data_dir,
					     NULL);
	g_assert_no_error(error);
	g_subprocess_communicate_utf8(initdb, NULL, NULL, &output, NULL, &error);
	g_assert_no_error(error);
	if (!g_subprocess_get_successful(initdb))
		g_error("initdb failed:\n%s", output);
}

static gchar *
dup_conninfo_for(VfTestPostgres *self, const gchar *dbname)
{
	return g_strdup_printf("host=127.0.0.1 port=%u user=" SUPERUSER
			       " dbname=%s connect_timeout=5",
			       self->port,
			       dbname);
}

void
vf_test_postgres_start(VfTestPostgres *self)
{
	g_autoptr(GSubprocessLauncher) launcher = launcher_new(self, G_SUBPROCESS_FLAGS_NONE);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *port = g_strdup_printf("%u", self->port);
	g_autofree gchar *conninfo = dup_conninfo_for(self, "postgres");
	gint64 deadline = g_get_monotonic_time() + READY_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
	int log_fd;

	g_assert_null(self->postmaster);
	log_fd = open(self->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	g_assert_cmpint(log_fd, >=, 0);
	g_subprocess_launcher_take_stdout_fd(launcher, dup(log_fd));
	g_subprocess_launcher_take_stderr_fd(launcher, log_fd);
	self->postmaster = g_subprocess_launcher_spawn(launcher,
						       &error,
						       VF_PG_BINDIR "/postgres",
						       "-D",
						       self->data_dir,
						       "-k",
						       self->socket_dir,
						       "-h",
						       "127.0.0.1",
						       "-p",
						       port,
						       "-c",
						       "fsync=off",
						       "-c",
						       "full_page_writes=off",
						       "-c",
						       "synchronous_commit=off",
						       "-c",
						       "shared_buffers=16MB",
						       "-c",
						       "max_connections=60",
						       NULL);
	g_assert_no_error(error);

	/* PQping only says the server accepts connections: that is what we wait for */
	while (PQping(conninfo) != PQPING_OK) {
		if (g_subprocess_get_identifier(self->postmaster) == NULL) {
			g_autofree gchar *log = read_log_tail(self);
			g_error("postgres exited during start-up:\n%s", log);
		}
		if (g_get_monotonic_time() > deadline) {
			g_autofree gchar *log = read_log_tail(self);
			g_error("postgres not ready after %d ms:\n%s", READY_TIMEOUT_MS, log);
		}
		g_usleep(20 * 1000);
	}
}

static void
wait_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	gboolean *done = user_data;

	g_subprocess_wait_finish(G_SUBPROCESS(source), result, NULL);
	*done = TRUE;
}

void
vf_test_postgres_stop(VfTestPostgres *self)
{
	g_autoptr(GMainContext) context = g_main_context_new();
	g_autoptr(GSubprocess) postmaster = g_steal_pointer(&self->postmaster);
	gint64 deadline = g_get_monotonic_time() + STOP_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
	gboolean done = FALSE;

	if (postmaster == NULL)
		return;
	g_main_context_push_thread_default(context);
	g_subprocess_wait_async(postmaster, NULL, wait_done_cb, &done);
	/* SIGINT = fast shutdown: clients are disconnected, no crash recovery needed */
	g_subprocess_send_signal(postmaster, SIGINT);
	while (!done) {
		if (g_get_monotonic_time() > deadline) {
			g_printerr("postgres ignored fast shutdown, killing it\n");
			g_subprocess_force_exit(postmaster);
			deadline = G_MAXINT64;
		}
		g_main_context_iteration(context, FALSE);
		if (!done)
			g_usleep(5 * 1000);
	}
	g_main_context_pop_thread_default(context);
}

void
vf_test_postgres_restart(VfTestPostgres *self)
{
	vf_test_postgres_stop(self);
	vf_test_postgres_start(self);
}

gboolean
vf_test_postgres_is_running(VfTestPostgres *self)
{
	return self->postmaster != NULL;
}

VfTestPostgres *
vf_test_postgres_new(void)
{
	VfTestPostgres *self = g_new0(VfTestPostgres, 1);

	self->credentials.parent = getpid();
	if (geteuid() == 0) {
		struct passwd *pw = getpwnam("nobody");
		g_assert_nonnull(pw);
		self->credentials.drop = TRUE;
		self->credentials.uid = pw->pw_uid;
		self->credentials.gid = pw->pw_gid;
	}
	self->dir = vf_test_make_tmpdir("vf-test-postgres");
	self->data_dir = g_build_filename(self->dir, "data", NULL);
	self->socket_dir = g_build_filename(self->dir, "sock", NULL);
	self->log_path = g_build_filename(self->dir, "postgres.log", NULL);
	make_owned_dir(self, self->data_dir);
	make_owned_dir(self, self->socket_dir);
	self->port = vf_test_free_port();
	run_initdb(self);
	vf_test_postgres_start(self);
	g_debug("postgres on 127.0.0.1:%u in %s", self->port, self->dir);
	return self;
}

void
vf_test_postgres_free(VfTestPostgres *self)
{
	if (self == NULL)
		return;
	vf_test_postgres_stop(self);
	vf_test_rm_rf(self->dir);
	g_free(self->dir);
	g_free(self->data_dir);
	g_free(self->socket_dir);
	g_free(self->log_path);
	g_free(self);
}

void
vf_test_postgres_create_database(VfTestPostgres *self, gchar **name)
{
	g_autofree gchar *conninfo = dup_conninfo_for(self, "postgres");
	g_autofree gchar *dbname = NULL;
	g_autofree gchar *sql = NULL;
	PGconn *connection;
	PGresult *result;

	g_return_if_fail(name != NULL);
	g_assert_nonnull(self->postmaster);
	/* a generated name: safe to splice into the statement */
	dbname = g_strdup_printf("vf_test_%u", ++self->n_databases);
	sql = g_strdup_printf("CREATE DATABASE %s", dbname);
	connection = PQconnectdb(conninfo);
	if (PQstatus(connection) != CONNECTION_OK)
		g_error("cannot connect to the test cluster: %s", PQerrorMessage(connection));
	result = PQexec(connection, sql);
	if (PQresultStatus(result) != PGRES_COMMAND_OK)
		g_error("%s: %s", sql, PQerrorMessage(connection));
	PQclear(result);
	PQfinish(connection);
	*name = g_steal_pointer(&dbname);
}

GStrv
vf_test_postgres_dup_keywords(VfTestPostgres *self)
{
	const gchar *keywords[] = {"host", "port", "user", "dbname", NULL};
	return g_strdupv((gchar **)keywords);
}

GStrv
vf_test_postgres_dup_values(VfTestPostgres *self, const gchar *dbname)
{
	g_autoptr(GStrvBuilder) builder = g_strv_builder_new();
	g_autofree gchar *port = g_strdup_printf("%u", self->port);

	g_return_val_if_fail(dbname != NULL, NULL);
	g_strv_builder_add(builder, "127.0.0.1");
	g_strv_builder_add(builder, port);
	g_strv_builder_add(builder, SUPERUSER);
	g_strv_builder_add(builder, dbname);
	return g_strv_builder_end(builder);
}

gchar *
vf_test_postgres_dup_conninfo(VfTestPostgres *self, const gchar *dbname)
{
	g_return_val_if_fail(dbname != NULL, NULL);
	return dup_conninfo_for(self, dbname);
}

const gchar *
vf_test_postgres_get_host(VfTestPostgres *self)
{
	return "127.0.0.1";
}

guint16
vf_test_postgres_get_port(VfTestPostgres *self)
{
	return self->port;
}

const gchar *
vf_test_postgres_get_user(VfTestPostgres *self)
{
	return SUPERUSER;
}
