/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfConfig: defaults, .env parsing with the environment winning, the Django names,
 * and one clear error naming the variable for each bad value.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "vf-config.h"
#include "vf-error.h"
#include "vf-test-util.h"

#define KEY "SECRET_KEY=0123456789abcdef0123456789abcdef"

static void
test_defaults(void)
{
	const gchar *env[] = {KEY, NULL};
	g_autoptr(GError) error = NULL;
	g_autoptr(VfConfig) config = vf_config_load(NULL, (gchar **)env, &error);

	g_assert_no_error(error);
	g_assert_cmpstr(config->listen, ==, "127.0.0.1:8000");
	g_assert_cmpstr(config->public_url, ==, "http://127.0.0.1:8000");
	g_assert_cmpint(config->access_token_lifetime_s, ==, 5 * 3600);
	g_assert_cmpint(config->refresh_token_lifetime_s, ==, 86400);
	g_assert_cmpint(config->password_reset_timeout_s, ==, 3 * 3600);
	g_assert_cmpint(config->password_min_length, ==, 8);
	g_assert_true(config->cookie_secure);
	g_assert_cmpstr(config->cors_allowed_origins[0], ==, "http://127.0.0.1:5500");
	g_assert_cmpstr(config->cors_allowed_origins[1], ==, "http://localhost:5500");
	g_assert_cmpint(config->login_failures_per_account.count, ==, 10);
	g_assert_cmpint(config->login_failures_per_account.window_s, ==, 900);
	g_assert_cmpint(config->reset_per_account.count, ==, 3);
	g_assert_null(config->nats_url);
	g_assert_cmpstr(config->email_backend, ==, "smtp");
	g_assert_cmpuint(g_strv_length(config->import_dirs), ==, 0);
	g_assert_null(config->dbus);
}

static void
test_env_file(void)
{
	g_autofree gchar *dir = vf_test_make_tmpdir("vf-test-config");
	g_autofree gchar *path = g_build_filename(dir, ".env", NULL);
	const gchar *env[] = {"DB_NAME=from-environment", NULL};
	g_autoptr(GError) error = NULL;
	g_autoptr(VfConfig) config = NULL;
	const gchar *text = "# the Django service's .env\n"
			    "SECRET_KEY='0123456789abcdef0123456789abcdef-quoted'\n"
			    "export DEBUG=False\n"
			    "DB_NAME=from-file\n"
			    "EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend\n"
			    "EMAIL_USE_TLS=True  # comment\n"
			    "CORS_ALLOWED_ORIGINS=http://a.example:1, http://b.example\n"
			    "ACCESS_TOKEN_LIFETIME=15m\n"
			    "MAX_UPLOAD_SIZE=100M\n"
			    "IMPORT_DIRS=/srv/videos: /home/me/Import/ ::\n"
			    "DBUS=session\n"
			    "FRONTEND_URL=http://front.example/\n";

	g_assert_true(g_file_set_contents(path, text, -1, NULL));
	config = vf_config_load(path, (gchar **)env, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(config->secret_key, ==, "0123456789abcdef0123456789abcdef-quoted");
	g_assert_cmpstr(config->db_name, ==, "from-environment");
	g_assert_cmpstr(config->email_backend, ==, "smtp");
	g_assert_true(config->email_use_tls);
	g_assert_cmpstr(config->cors_allowed_origins[1], ==, "http://b.example");
	g_assert_cmpint(config->access_token_lifetime_s, ==, 900);
	g_assert_cmpint(config->max_upload_size, ==, 100 * 1024 * 1024);
	g_assert_cmpstr(config->frontend_url, ==, "http://front.example");
	g_assert_cmpuint(g_strv_length(config->import_dirs), ==, 2);
	g_assert_cmpstr(config->import_dirs[0], ==, "/srv/videos");
	g_assert_cmpstr(config->import_dirs[1], ==, "/home/me/Import/");
	g_assert_cmpstr(config->dbus, ==, "session");
	vf_test_rm_rf(dir);
}

typedef struct {
	const gchar *env[4];
	const gchar *variable;
} BadCase;

static void
test_errors_name_the_variable(void)
{
	BadCase cases[] = {
	    {{NULL}, "SECRET_KEY"},
	    {{"SECRET_KEY=too-short", NULL}, "SECRET_KEY"},
	    {{KEY, "DEBUG=perhaps", NULL}, "DEBUG"},
	    {{KEY, "DB_PORT=99999", NULL}, "DB_PORT"},
	    {{KEY, "LISTEN=localhost", NULL}, "LISTEN"},
	    {{KEY, "PUBLIC_URL=not a url", NULL}, "PUBLIC_URL"},
	    {{KEY, "REFRESH_TOKEN_LIFETIME=0", NULL}, "REFRESH_TOKEN_LIFETIME"},
	    {{KEY, "PASSWORD_MIN_LENGTH=0", NULL}, "PASSWORD_MIN_LENGTH"},
	    {{KEY, "RESET_PER_CLIENT=many", NULL}, "RESET_PER_CLIENT"},
	    {{KEY, "TRUSTED_PROXIES=proxy.example", NULL}, "TRUSTED_PROXIES"},
	    {{KEY, "CORS_ALLOWED_ORIGINS=*", NULL}, "CORS_ALLOWED_ORIGINS"},
	    {{KEY, "IMPORT_DIRS=/srv/videos:videos", NULL}, "IMPORT_DIRS"},
	    {{KEY, "DBUS=user", NULL}, "DBUS"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(VfConfig) config = vf_config_load(NULL, (gchar **)cases[i].env, &error);
		g_assert_null(config);
		g_assert_error(error, VF_ERROR, VF_ERROR_INVALID_INPUT);
		g_test_message("%s", error->message);
		g_assert_true(g_str_has_prefix(error->message, cases[i].variable));
	}
}

static void
test_debug_without_secret(void)
{
	const gchar *env[] = {"DEBUG=True", NULL};
	g_autoptr(GError) error = NULL;
	g_autoptr(VfConfig) config = vf_config_load(NULL, (gchar **)env, &error);

	g_assert_no_error(error);
	g_assert_null(config->secret_key);
}

static void
test_durations(void)
{
	struct {
		const gchar *text;
		gint64 seconds;
	} good[] = {
	    {"300", 300}, {"90s", 90}, {"15m", 900}, {"5h", 18000}, {"1d", 86400}, {"2w", 1209600}};
	const gchar *bad[] = {"", "0", "-5", "5x", "h", "5 h", "99999999999"};
	gint64 seconds = 0;

	for (guint i = 0; i < G_N_ELEMENTS(good); i++) {
		g_assert_true(vf_config_parse_duration(good[i].text, &seconds));
		g_assert_cmpint(seconds, ==, good[i].seconds);
	}
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++)
		g_assert_false(vf_config_parse_duration(bad[i], &seconds));
}

int
main(int argc, char **argv)
{
	vf_test_init(&argc, &argv, 60);
	g_test_add_func("/config/defaults", test_defaults);
	g_test_add_func("/config/env-file", test_env_file);
	g_test_add_func("/config/errors-name-the-variable", test_errors_name_the_variable);
	g_test_add_func("/config/debug-without-secret", test_debug_without_secret);
	g_test_add_func("/config/durations", test_durations);
	return g_test_run();
}
