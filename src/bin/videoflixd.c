/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * videoflixd: parses options, loads the configuration, prepares the database
 * (migrations, admin bootstrap), then serves the API on the GLib main loop until
 * SIGINT or SIGTERM.
 */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "vf-accounts-service.h"
#include "vf-auth-password.h"
#include "vf-auth-token.h"
#include "vf-catalog-service.h"
#include "vf-config.h"
#include "vf-db-migrate.h"
#include "vf-db-pool.h"
#include "vf-dbus-admin.h"
#include "vf-http-server.h"
#include "vf-jobs-local-queue.h"
#include "vf-mail-file-transport.h"
#include "vf-mail-language.h"
#include "vf-mail-sender.h"
#include "vf-mail-smtp-transport.h"

#define STARTUP_DB_WAIT_S 60

static GLogWriterOutput
log_writer(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
	/* access-log records are INFO: show them, which GLib's default writer would not */
	if ((level & G_LOG_LEVEL_INFO) != 0) {
		g_autofree gchar *line = g_log_writer_format_fields(level, fields, n_fields, FALSE);
		fprintf(stderr, "%s\n", line);
		return G_LOG_WRITER_HANDLED;
	}
	return g_log_writer_default(level, fields, n_fields, user_data);
}

/* before any thread starts: mails pick their language per message */
static void
setup_gettext(void)
{
	g_autofree gchar *installed =
	    g_build_filename(LOCALEDIR, "de", "LC_MESSAGES", GETTEXT_PACKAGE ".mo", NULL);
	g_autofree gchar *built = g_build_filename(VF_BUILD_ROOT, "po", NULL);

	setlocale(LC_ALL, "");
	vf_mail_language_setup(g_file_test(installed, G_FILE_TEST_EXISTS) ? LOCALEDIR : built);
}

static VfDbPool *
open_database(const VfConfig *config, GError **error)
{
	g_autofree gchar *timeout = g_strdup("5");
	const gchar *keywords[] = {"host",
				   "port",
				   "dbname",
				   "user",
				   "password",
				   "connect_timeout",
				   "application_name",
				   NULL};
	const gchar *values[] = {config->db_host,
				 config->db_port,
				 config->db_name,
				 config->db_user,
				 config->db_password,
				 timeout,
				 "videoflixd",
				 NULL};
	g_autoptr(VfDbPool) pool = NULL;
	g_autoptr(VfDbConnection) connection = NULL;
	gint64 deadline = g_get_monotonic_time() + STARTUP_DB_WAIT_S * G_USEC_PER_SEC;

	/* a NULL password must end the list early: move it last */
	if (config->db_password == NULL) {
		keywords[4] = "connect_timeout";
		values[4] = timeout;
		keywords[5] = "application_name";
		values[5] = "videoflixd";
		keywords[6] = NULL;
		values[6] = NULL;
	}
	pool = vf_db_pool_new(keywords, values, (guint)config->db_pool_size);
	/* at start the database may still be coming up (compose, systemd): wait a while */
	for (;;) {
		g_autoptr(GError) local_error = NULL;
		connection = vf_db_pool_acquire(pool, NULL, &local_error);
		if (connection != NULL)
			break;
		if (g_get_monotonic_time() > deadline) {
			g_propagate_prefixed_error(error,
						   g_steal_pointer(&local_error),
						   "DB_HOST: cannot reach PostgreSQL at %s:%s: ",
						   config->db_host,
						   config->db_port);
			return NULL;
		}
		g_warning("waiting for PostgreSQL: %s", local_error->message);
		g_usleep(2 * G_USEC_PER_SEC);
	}
	if (!vf_db_migrate(connection, error))
		return NULL;
	return g_steal_pointer(&pool);
}

static VfMailTransport *
make_transport(const VfConfig *config)
{
	if (g_strcmp0(config->email_backend, "file") == 0)
		return vf_mail_file_transport_new(config->mail_dir, config->default_from_email);
	return vf_mail_smtp_transport_new(config->email_host,
					  (guint)config->email_port,
					  config->email_host_user,
					  config->email_host_password,
					  config->email_use_tls,
					  config->email_use_ssl,
					  config->default_from_email);
}

/* --dbus, else DBUS (both checked already), else the system bus under systemd
 * (INVOCATION_ID) and the session bus otherwise; NULL for "none" */
static VfDBusAdmin *
start_dbus(const gchar *option,
	   const VfConfig *config,
	   VfCatalogService *catalog,
	   VfAccountsService *accounts)
{
	const gchar *choice = option != NULL ? option : config->dbus;
	g_autoptr(VfDBusAuthority) authority = NULL;
	VfDBusAdmin *admin;
	gboolean system;

	if (choice == NULL)
		choice = g_getenv("INVOCATION_ID") != NULL ? "system" : "session";
	if (g_strcmp0(choice, "none") == 0)
		return NULL;
	system = g_strcmp0(choice, "system") == 0;
	authority = system ? vf_dbus_authority_new_system(VF_DBUS_AUTHORITY_ACTION)
			   : vf_dbus_authority_new_session(getuid());
	admin = vf_dbus_admin_new(config, catalog, accounts, authority);
	vf_dbus_admin_own_name(admin, system ? G_BUS_TYPE_SYSTEM : G_BUS_TYPE_SESSION);
	return admin;
}

static gboolean
quit_cb(gpointer data)
{
	g_message("shutting down");
	g_main_loop_quit(data);
	return G_SOURCE_CONTINUE;
}

int
main(int argc, char **argv)
{
	g_autoptr(GOptionContext) context = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(VfConfig) config = NULL;
	g_autoptr(VfDbPool) pool = NULL;
	g_autoptr(VfMailTransport) transport = NULL;
	g_autoptr(VfMailSender) sender = NULL;
	g_autoptr(VfAccountsService) accounts = NULL;
	g_autoptr(VfJobQueue) queue = NULL;
	g_autoptr(VfCatalogService) catalog = NULL;
	g_autoptr(VfHttpServer) server = NULL;
	g_autoptr(VfDBusAdmin) admin = NULL;
	g_autoptr(GMainLoop) loop = NULL;
	g_auto(GStrv) environ = NULL;
	g_autofree gchar *env_file = NULL;
	g_autofree gchar *dbus = NULL;
	gboolean version = FALSE;
	const GOptionEntry entries[] = {
	    {"env-file",
	     'e',
	     0,
	     G_OPTION_ARG_FILENAME,
	     &env_file,
	     "Read settings from FILE (default: .env in the working directory, if present)",
	     "FILE"},
	    {"dbus",
	     0,
	     0,
	     G_OPTION_ARG_STRING,
	     &dbus,
	     "Serve org.videoflix.Admin1 on the system or session bus, or none (default: DBUS, "
	     "else system under systemd, else session)",
	     "BUS"},
	    {"version", 'V', 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL},
	    {NULL}};

	setup_gettext();
	g_log_set_writer_func(log_writer, NULL, NULL);
	context = g_option_context_new("- the Videoflix API daemon");
	g_option_context_set_summary(
	    context,
	    "Serves the Videoflix REST API. Settings come from the environment and an optional\n"
	    ".env file (the environment wins); see README.md for every variable.");
	g_option_context_add_main_entries(context, entries, NULL);
	if (!g_option_context_parse(context, &argc, &argv, &error)) {
		fprintf(stderr, "videoflixd: %s\n", error->message);
		return 1;
	}
	if (version) {
		printf("videoflixd %s\n", PACKAGE_VERSION);
		return 0;
	}
	environ = g_get_environ();
	config = vf_config_load(env_file != NULL ? env_file : ".env", environ, &error);
	if (config == NULL) {
		fprintf(stderr, "videoflixd: %s\n", error->message);
		return 1;
	}
	if (config->secret_key == NULL) {
		config->secret_key = vf_auth_random_string(48);
		g_warning(
		    "SECRET_KEY is not set (DEBUG): using a random key, sessions end at restart");
	}
	if (!vf_auth_password_init((guint)config->password_hash_concurrency, &error)) {
		fprintf(stderr, "videoflixd: %s\n", error->message);
		return 1;
	}
	pool = open_database(config, &error);
	if (pool == NULL) {
		fprintf(stderr, "videoflixd: %s\n", error->message);
		return 1;
	}
	transport = make_transport(config);
	sender = vf_mail_sender_new(pool, transport);
	accounts = vf_accounts_service_new(config, pool, sender);
	if (config->admin_email != NULL &&
	    !vf_accounts_service_bootstrap_admin(
		accounts, config->admin_email, config->admin_password, &error)) {
		fprintf(stderr, "videoflixd: %s\n", error->message);
		return 1;
	}
	if (config->nats_url != NULL)
		g_warning("NATS_URL is set but not supported yet: jobs run in-process");
	queue = vf_jobs_local_queue_new(config->worker_path, config->media_root);
	vf_jobs_local_queue_set_concurrency(VF_JOBS_LOCAL_QUEUE(queue),
					    (guint)config->transcode_concurrency);
	if (config->ladder_file != NULL)
		vf_jobs_local_queue_set_ladder_file(VF_JOBS_LOCAL_QUEUE(queue),
						    config->ladder_file);
	catalog = vf_catalog_service_new(config, pool, queue);
	if (!vf_catalog_service_start(catalog, &error)) {
		fprintf(stderr, "videoflixd: MEDIA_ROOT: %s\n", error->message);
		return 1;
	}
	server = vf_http_server_new(config, pool, accounts);
	vf_http_server_set_catalog(server, catalog);
	if (!vf_http_server_listen(server, config->listen, &error)) {
		fprintf(stderr, "videoflixd: LISTEN: %s\n", error->message);
		return 1;
	}
	if (dbus != NULL && g_strcmp0(dbus, "system") != 0 && g_strcmp0(dbus, "session") != 0 &&
	    g_strcmp0(dbus, "none") != 0) {
		fprintf(stderr, "videoflixd: --dbus: expected system, session or none\n");
		return 1;
	}
	admin = start_dbus(dbus, config, catalog, accounts);
	vf_mail_sender_start(sender);
	loop = g_main_loop_new(NULL, FALSE);
	g_unix_signal_add(SIGINT, quit_cb, loop);
	g_unix_signal_add(SIGTERM, quit_cb, loop);
	g_message("listening on http://%s (mail: %s%s%s)",
		  config->listen,
		  config->email_backend,
		  g_strcmp0(config->email_backend, "file") == 0 ? " → " : "",
		  g_strcmp0(config->email_backend, "file") == 0 ? config->mail_dir : "");
	g_main_loop_run(loop);
	g_clear_object(&admin);
	vf_mail_sender_stop(sender);
	vf_http_server_disconnect(server);
	return 0;
}
