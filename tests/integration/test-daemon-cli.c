/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The videoflixd executable: --version and --help, a clear one-line error naming
 * the variable for each bad setting (exit 1), and a real start against the test
 * cluster that serves /healthz, migrates, bootstraps the admin and stops on SIGTERM.
 */
#include "config.h"

#include <signal.h>

#include "vf-test-postgres.h"
#include "vf-test-util.h"

static VfTestPostgres *pg;

static gchar *
daemon_path(void)
{
	return vf_test_build_path("src/bin/videoflixd");
}

static gint
run(const gchar *const *env, const gchar *arg, gchar **out, gchar **err)
{
	g_autoptr(GSubprocessLauncher) launcher =
	    vf_test_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
	g_autoptr(GSubprocess) process = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *path = daemon_path();
	g_autofree gchar *workdir = vf_test_make_tmpdir("vf-test-cli");

	g_subprocess_launcher_set_environ(launcher, NULL);
	g_subprocess_launcher_set_cwd(launcher, workdir);
	for (guint i = 0; env != NULL && env[i] != NULL; i++) {
		g_auto(GStrv) pair = g_strsplit(env[i], "=", 2);
		g_subprocess_launcher_setenv(launcher, pair[0], pair[1], TRUE);
	}
	process = g_subprocess_launcher_spawn(launcher, &error, path, arg, NULL);
	g_assert_no_error(error);
	g_assert_true(g_subprocess_communicate_utf8(process, NULL, NULL, out, err, &error));
	g_assert_no_error(error);
	vf_test_rm_rf(workdir);
	return g_subprocess_get_exit_status(process);
}

static void
test_version_help(void)
{
	g_autofree gchar *out = NULL;
	g_autofree gchar *err = NULL;

	g_assert_cmpint(run(NULL, "--version", &out, &err), ==, 0);
	g_assert_true(g_str_has_prefix(out, "videoflixd " PACKAGE_VERSION));
	g_clear_pointer(&out, g_free);
	g_clear_pointer(&err, g_free);
	g_assert_cmpint(run(NULL, "--help", &out, &err), ==, 0);
	g_assert_nonnull(strstr(out, "--env-file"));
	g_clear_pointer(&out, g_free);
	g_clear_pointer(&err, g_free);
	g_assert_cmpint(run(NULL, "--no-such-option", &out, &err), ==, 1);
}

typedef struct {
	const gchar *name;
	const gchar *env[4];
	const gchar *variable;
} BadConfig;

static void
test_bad_config(void)
{
	const gchar *key = "SECRET_KEY=0123456789abcdef0123456789abcdef-ok";
	BadConfig cases[] = {
	    {"no secret", {NULL}, "SECRET_KEY"},
	    {"short secret", {"SECRET_KEY=short", NULL}, "SECRET_KEY"},
	    {"bad listen", {key, "LISTEN=nowhere", NULL}, "LISTEN"},
	    {"bad port", {key, "EMAIL_PORT=seventy", NULL}, "EMAIL_PORT"},
	    {"bad bool", {key, "COOKIE_SECURE=maybe", NULL}, "COOKIE_SECURE"},
	    {"bad lifetime", {key, "ACCESS_TOKEN_LIFETIME=5 hours", NULL}, "ACCESS_TOKEN_LIFETIME"},
	    {"bad backend", {key, "EMAIL_BACKEND=pigeon", NULL}, "EMAIL_BACKEND"},
	    {"bad url", {key, "FRONTEND_URL=ftp://x", NULL}, "FRONTEND_URL"},
	    {"bad limit",
	     {key, "LOGIN_FAILURES_PER_ACCOUNT=-1", NULL},
	     "LOGIN_FAILURES_PER_ACCOUNT"},
	    {"bad size", {key, "MAX_UPLOAD_SIZE=lots", NULL}, "MAX_UPLOAD_SIZE"},
	    {"admin half", {key, "ADMIN_EMAIL=a@b.cd", NULL}, "ADMIN_PASSWORD"},
	    {"tls and ssl",
	     {key, "EMAIL_USE_TLS=True", "EMAIL_USE_SSL=True", NULL},
	     "EMAIL_USE_TLS"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree gchar *out = NULL;
		g_autofree gchar *err = NULL;
		g_auto(GStrv) lines = NULL;

		g_test_message("config: %s", cases[i].name);
		g_assert_cmpint(run(cases[i].env, NULL, &out, &err), ==, 1);
		lines = g_strsplit(g_strstrip(err), "\n", -1);
		g_assert_cmpuint(g_strv_length(lines), ==, 1);
		g_assert_nonnull(strstr(err, cases[i].variable));
	}
}

static gboolean
healthy(gpointer data)
{
	g_autofree gchar *out = NULL;
	g_autofree gchar *command = g_strdup_printf("curl -fs %s", (const gchar *)data);
	gint status = -1;
	return g_spawn_command_line_sync(command, &out, NULL, &status, NULL) && status == 0 &&
	       out != NULL && strstr(out, "ok") != NULL;
}

static void
test_start_and_stop(void)
{
	g_autoptr(GSubprocessLauncher) launcher =
	    vf_test_launcher_new(G_SUBPROCESS_FLAGS_STDERR_PIPE);
	g_autoptr(GSubprocess) process = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *path = daemon_path();
	g_autofree gchar *dbname = NULL;
	g_autofree gchar *workdir = vf_test_make_tmpdir("vf-test-cli");
	g_autofree gchar *port = g_strdup_printf("%u", vf_test_postgres_get_port(pg));
	g_autofree gchar *listen = g_strdup_printf("127.0.0.1:%u", vf_test_free_port());
	g_autofree gchar *url = g_strdup_printf("http://%s/healthz", listen);
	g_autofree gchar *env_file = g_build_filename(workdir, ".env", NULL);
	g_autofree gchar *env_text = NULL;
	g_autofree gchar *count = NULL;
	g_autoptr(GBytes) err = NULL;

	vf_test_postgres_create_database(pg, &dbname);
	/* settings from a .env file, with the original service's names */
	env_text =
	    g_strdup_printf("# Django .env\nSECRET_KEY='0123456789abcdef0123456789abcdef-ok'\n"
			    "DB_HOST=%s\nDB_PORT=%s\nDB_NAME=%s\nDB_USER=%s\n"
			    "EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend\n"
			    "ADMIN_EMAIL=Admin@Example.com\nADMIN_PASSWORD=\"admin-password\"\n",
			    vf_test_postgres_get_host(pg),
			    port,
			    dbname,
			    vf_test_postgres_get_user(pg));
	g_assert_true(g_file_set_contents(env_file, env_text, -1, NULL));
	g_subprocess_launcher_set_cwd(launcher, workdir);
	g_subprocess_launcher_setenv(launcher, "LISTEN", listen, TRUE);
	process = g_subprocess_launcher_spawn(launcher, &error, path, NULL);
	g_assert_no_error(error);
	g_assert_true(vf_test_wait_until(healthy, url, 30000));
	{
		g_autofree gchar *conninfo = vf_test_postgres_dup_conninfo(pg, dbname);
		g_autofree gchar *command = g_strdup_printf(
		    "psql -tA \"%s\" -c \"SELECT count(*) FROM users WHERE is_admin AND is_active "
		    "AND email = 'admin@example.com'\"",
		    conninfo);
		g_assert_true(g_spawn_command_line_sync(command, &count, NULL, NULL, NULL));
		g_assert_cmpstr(g_strstrip(count), ==, "1");
	}
	g_subprocess_send_signal(process, SIGTERM);
	g_assert_true(g_subprocess_wait(process, NULL, &error));
	g_assert_true(g_subprocess_get_if_exited(process));
	g_assert_cmpint(g_subprocess_get_exit_status(process), ==, 0);
	vf_test_rm_rf(workdir);
}

int
main(int argc, char **argv)
{
	int result;

	vf_test_init(&argc, &argv, 300);
	pg = vf_test_postgres_new();
	g_test_add_func("/daemon/cli/version-help", test_version_help);
	g_test_add_func("/daemon/cli/bad-config", test_bad_config);
	g_test_add_func("/daemon/cli/start-and-stop", test_start_and_stop);
	result = g_test_run();
	vf_test_postgres_free(pg);
	return result;
}
