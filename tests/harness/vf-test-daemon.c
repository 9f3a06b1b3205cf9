/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The API server assembled as videoflixd assembles it, inside the test program,
 * plus a blocking HTTP client that keeps the shared main context running.
 */
#include "config.h"

#include "vf-test-daemon.h"

#include <libpq-fe.h>
#include <unistd.h>

#include "vf-accounts-service.h"
#include "vf-auth-password.h"
#include "vf-catalog-service.h"
#include "vf-db-migrate.h"
#include "vf-db-pool.h"
#include "vf-http-server.h"
#include "vf-jobs-local-queue.h"
#include "vf-mail-file-transport.h"
#include "vf-mail-sender.h"
#include "vf-mail-smtp-transport.h"
#include "vf-test-util.h"

struct _VfTestDaemon {
	gchar *tmpdir;
	gchar *db_name;
	gchar *conninfo;
	VfConfig *config;
	VfDbPool *pool;
	VfMailTransport *transport;
	VfMailSender *sender;
	VfAccountsService *accounts;
	VfJobQueue *queue;
	VfCatalogService *catalog;
	VfHttpServer *server;
	VfDBusAdmin *admin;
	SoupSession *session;
	gchar *url;
};

void
vf_test_response_free(VfTestResponse *response)
{
	if (response == NULL)
		return;
	g_clear_pointer(&response->headers, soup_message_headers_unref);
	g_clear_pointer(&response->body, g_bytes_unref);
	g_clear_pointer(&response->json, json_node_unref);
	g_free(response);
}

gchar *
vf_test_response_dup_set_cookie(VfTestResponse *response, const gchar *name)
{
	SoupMessageHeadersIter iter;
	const gchar *header;
	const gchar *value;
	g_autofree gchar *prefix = g_strdup_printf("%s=", name);

	soup_message_headers_iter_init(&iter, response->headers);
	while (soup_message_headers_iter_next(&iter, &header, &value)) {
		if (g_ascii_strcasecmp(header, "Set-Cookie") == 0 &&
		    g_str_has_prefix(value, prefix))
			return g_strdup(value);
	}
	return NULL;
}

gchar *
vf_test_response_dup_cookie(VfTestResponse *response, const gchar *name)
{
	g_autofree gchar *line = vf_test_response_dup_set_cookie(response, name);
	const gchar *start;
	const gchar *end;

	if (line == NULL)
		return NULL;
	start = line + strlen(name) + 1;
	end = strchr(start, ';');
	return end != NULL ? g_strndup(start, end - start) : g_strdup(start);
}

const gchar *
vf_test_response_get_string(VfTestResponse *response, const gchar *member)
{
	JsonNode *node;

	if (response->json == NULL || !JSON_NODE_HOLDS_OBJECT(response->json))
		return NULL;
	node = json_object_get_member(json_node_get_object(response->json), member);
	if (node == NULL || json_node_get_value_type(node) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(node);
}

gchar *
vf_test_response_dup_text(VfTestResponse *response)
{
	gsize len = 0;
	const gchar *data = g_bytes_get_data(response->body, &len);
	return g_strndup(data, MIN(len, 2000));
}

static void
sent_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	GBytes **out = user_data;
	g_autoptr(GError) error = NULL;

	*out = soup_session_send_and_read_finish(SOUP_SESSION(source), result, &error);
	g_assert_no_error(error);
}

static gboolean
bytes_ready(gpointer data)
{
	return *(GBytes **)data != NULL;
}

VfTestResponse *
vf_test_daemon_request(VfTestDaemon *self,
		       const gchar *method,
		       const gchar *path,
		       const gchar *const *headers,
		       const gchar *body,
		       gssize body_len)
{
	g_autofree gchar *url = g_strconcat(self->url, path, NULL);
	g_autoptr(SoupMessage) msg = soup_message_new(method, url);
	VfTestResponse *response = g_new0(VfTestResponse, 1);
	GBytes *bytes = NULL;
	g_autoptr(JsonParser) parser = json_parser_new();
	gsize len = 0;
	const gchar *data;

	g_assert_nonnull(msg);
	for (guint i = 0; headers != NULL && headers[i] != NULL; i += 2)
		soup_message_headers_append(
		    soup_message_get_request_headers(msg), headers[i], headers[i + 1]);
	if (body != NULL) {
		g_autoptr(GBytes) request_body =
		    g_bytes_new(body, body_len < 0 ? strlen(body) : (gsize)body_len);
		/* a copy: setting the body replaces the header the pointer points into */
		g_autofree gchar *type = g_strdup(soup_message_headers_get_one(
		    soup_message_get_request_headers(msg), "Content-Type"));
		soup_message_set_request_body_from_bytes(msg, type, request_body);
	}
	soup_session_send_and_read_async(
	    self->session, msg, G_PRIORITY_DEFAULT, NULL, sent_cb, &bytes);
	g_assert_true(vf_test_wait_until(bytes_ready, &bytes, 60000));
	response->status = soup_message_get_status(msg);
	response->headers = soup_message_headers_ref(soup_message_get_response_headers(msg));
	response->body = bytes;
	data = g_bytes_get_data(bytes, &len);
	if (len > 0 && json_parser_load_from_data(parser, data, (gssize)len, NULL) &&
	    json_parser_get_root(parser) != NULL)
		response->json = json_node_copy(json_parser_get_root(parser));
	return response;
}

VfTestResponse *
vf_test_daemon_post_json(VfTestDaemon *self,
			 const gchar *path,
			 const gchar *json,
			 const gchar *const *headers)
{
	g_autoptr(GPtrArray) all = g_ptr_array_new();

	g_ptr_array_add(all, (gpointer) "Content-Type");
	g_ptr_array_add(all, (gpointer) "application/json");
	for (guint i = 0; headers != NULL && headers[i] != NULL; i++)
		g_ptr_array_add(all, (gpointer)headers[i]);
	g_ptr_array_add(all, NULL);
	return vf_test_daemon_request(
	    self, "POST", path, (const gchar *const *)all->pdata, json, json != NULL ? -1 : 0);
}

gchar *
vf_test_daemon_query(VfTestDaemon *self, const gchar *sql)
{
	PGconn *connection = PQconnectdb(self->conninfo);
	PGresult *result;
	gchar *value = NULL;

	g_assert_cmpint(PQstatus(connection), ==, CONNECTION_OK);
	result = PQexec(connection, sql);
	g_assert_cmpint(PQresultStatus(result), ==, PGRES_TUPLES_OK);
	if (PQntuples(result) > 0 && !PQgetisnull(result, 0, 0))
		value = g_strdup(PQgetvalue(result, 0, 0));
	PQclear(result);
	PQfinish(connection);
	return value;
}

VfTestResponse *
vf_test_daemon_create_user(VfTestDaemon *self, const gchar *email, const gchar *password)
{
	g_autofree gchar *body = g_strdup_printf(
	    "{\"email\": \"%s\", \"password\": \"%s\", \"confirmed_password\": \"%s\"}",
	    email,
	    password,
	    password);
	g_autoptr(VfTestResponse) registered =
	    vf_test_daemon_post_json(self, "/api/register/", body, NULL);
	g_autofree gchar *path = NULL;
	g_autoptr(VfTestResponse) activated = NULL;
	g_autofree gchar *login = NULL;
	JsonObject *user;

	vf_test_assert_status(registered, 201);
	user = json_object_get_object_member(json_node_get_object(registered->json), "user");
	{
		g_autofree gchar *uid = NULL;
		g_autofree gchar *id_text = g_strdup_printf(
		    "%" G_GINT64_FORMAT, json_object_get_int_member(user, "user_id"));
		g_autoptr(GString) b64 = g_string_new(NULL);
		uid = g_base64_encode((const guchar *)id_text, strlen(id_text));
		g_string_append(b64, uid);
		while (b64->len > 0 && b64->str[b64->len - 1] == '=')
			g_string_truncate(b64, b64->len - 1);
		path = g_strdup_printf("/api/activate/%s/%s/",
				       b64->str,
				       vf_test_response_get_string(registered, "token"));
	}
	activated = vf_test_daemon_request(self, "GET", path, NULL, NULL, 0);
	vf_test_assert_status(activated, 200);
	login = g_strdup_printf("{\"email\": \"%s\", \"password\": \"%s\"}", email, password);
	return vf_test_daemon_post_json(self, "/api/login/", login, NULL);
}

VfTestDaemon *
vf_test_daemon_new(VfTestPostgres *pg, VfTestSmtp *smtp, const gchar *const *extra_env)
{
	VfTestDaemon *self = g_new0(VfTestDaemon, 1);
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) env = g_ptr_array_new_with_free_func(g_free);
	g_auto(GStrv) keywords = NULL;
	g_auto(GStrv) values = NULL;
	g_autoptr(VfDbConnection) connection = NULL;

	self->tmpdir = vf_test_make_tmpdir("vf-test-daemon");
	vf_test_postgres_create_database(pg, &self->db_name);
	self->conninfo = vf_test_postgres_dup_conninfo(pg, self->db_name);

	g_ptr_array_add(env, g_strdup("SECRET_KEY=test-secret-key-that-is-long-enough-0123456789"));
	g_ptr_array_add(env, g_strdup("LISTEN=127.0.0.1:1"));
	g_ptr_array_add(env, g_strdup("COOKIE_SECURE=False"));
	g_ptr_array_add(env, g_strdup("FRONTEND_URL=http://127.0.0.1:5500"));
	g_ptr_array_add(env, g_strdup("PASSWORD_HASH_CONCURRENCY=2"));
	g_ptr_array_add(env, g_strdup_printf("MEDIA_ROOT=%s/media", self->tmpdir));
	if (smtp != NULL) {
		g_ptr_array_add(env, g_strdup("EMAIL_BACKEND=smtp"));
		g_ptr_array_add(env, g_strdup("EMAIL_HOST=127.0.0.1"));
		g_ptr_array_add(env, g_strdup_printf("EMAIL_PORT=%u", vf_test_smtp_get_port(smtp)));
	} else {
		g_ptr_array_add(env, g_strdup("EMAIL_BACKEND=file"));
		g_ptr_array_add(env, g_strdup_printf("MAIL_DIR=%s/mail", self->tmpdir));
	}
	for (guint i = 0; extra_env != NULL && extra_env[i] != NULL; i++)
		g_ptr_array_add(env, g_strdup(extra_env[i]));
	g_ptr_array_add(env, NULL);
	self->config = vf_config_load(NULL, (gchar **)env->pdata, &error);
	g_assert_no_error(error);
	g_assert_cmpint(g_mkdir_with_parents(self->config->media_root, 0700), ==, 0);

	g_assert_true(
	    vf_auth_password_init((guint)self->config->password_hash_concurrency, &error));
	keywords = vf_test_postgres_dup_keywords(pg);
	values = vf_test_postgres_dup_values(pg, self->db_name);
	self->pool =
	    vf_db_pool_new((const gchar *const *)keywords, (const gchar *const *)values, 6);
	connection = vf_db_pool_acquire(self->pool, NULL, &error);
	g_assert_no_error(error);
	g_assert_true(vf_db_migrate(connection, &error));
	g_clear_pointer(&connection, vf_db_connection_release);

	if (smtp != NULL)
		self->transport = vf_mail_smtp_transport_new("127.0.0.1",
							     vf_test_smtp_get_port(smtp),
							     NULL,
							     NULL,
							     FALSE,
							     FALSE,
							     self->config->default_from_email);
	else
		self->transport = vf_mail_file_transport_new(self->config->mail_dir,
							     self->config->default_from_email);
	self->sender = vf_mail_sender_new(self->pool, self->transport);
	vf_mail_sender_set_backoff(self->sender, 200, 1000);
	self->accounts = vf_accounts_service_new(self->config, self->pool, self->sender);
	self->queue = vf_jobs_local_queue_new(self->config->worker_path, self->config->media_root);
	vf_jobs_local_queue_set_backoff(VF_JOBS_LOCAL_QUEUE(self->queue), 100, 500);
	if (self->config->ladder_file != NULL)
		vf_jobs_local_queue_set_ladder_file(VF_JOBS_LOCAL_QUEUE(self->queue),
						    self->config->ladder_file);
	self->catalog = vf_catalog_service_new(self->config, self->pool, self->queue);
	g_assert_true(vf_catalog_service_start(self->catalog, &error));
	g_assert_no_error(error);
	self->server = vf_http_server_new(self->config, self->pool, self->accounts);
	vf_http_server_set_catalog(self->server, self->catalog);
	g_assert_true(vf_http_server_listen(self->server, "127.0.0.1:0", &error));
	g_assert_no_error(error);
	vf_mail_sender_start(self->sender);
	self->url = g_strdup_printf("http://127.0.0.1:%u", vf_http_server_get_port(self->server));
	self->session = soup_session_new_with_options("timeout", 60, NULL);
	return self;
}

const VfConfig *
vf_test_daemon_get_config(VfTestDaemon *self)
{
	return self->config;
}

VfHttpServer *
vf_test_daemon_get_server(VfTestDaemon *self)
{
	return self->server;
}

void
vf_test_daemon_make_admin(VfTestDaemon *self, const gchar *email)
{
	g_autofree gchar *sql = g_strdup_printf(
	    "UPDATE users SET is_admin = TRUE WHERE email = '%s' RETURNING id", email);
	g_autofree gchar *id = vf_test_daemon_query(self, sql);

	g_assert_nonnull(id);
	/* as the accounts service does when it changes a user */
	vf_accounts_user_cache_forget(vf_accounts_service_get_user_cache(self->accounts),
				      g_ascii_strtoll(id, NULL, 10));
}

VfCatalogService *
vf_test_daemon_get_catalog(VfTestDaemon *self)
{
	return self->catalog;
}

VfJobQueue *
vf_test_daemon_get_queue(VfTestDaemon *self)
{
	return self->queue;
}

VfAccountsService *
vf_test_daemon_get_accounts(VfTestDaemon *self)
{
	return self->accounts;
}

VfDBusAdmin *
vf_test_daemon_export_dbus(VfTestDaemon *self,
			   GDBusConnection *connection,
			   VfDBusAuthority *authority)
{
	g_autoptr(VfDBusAuthority) own = NULL;
	g_autoptr(GError) error = NULL;

	if (authority == NULL)
		authority = own = vf_dbus_authority_new_session(getuid());
	g_clear_object(&self->admin);
	self->admin = vf_dbus_admin_new(self->config, self->catalog, self->accounts, authority);
	g_assert_true(vf_dbus_admin_export(self->admin, connection, &error));
	g_assert_no_error(error);
	return self->admin;
}

const gchar *
vf_test_daemon_get_url(VfTestDaemon *self)
{
	return self->url;
}

const gchar *
vf_test_daemon_get_conninfo(VfTestDaemon *self)
{
	return self->conninfo;
}

void
vf_test_daemon_free(VfTestDaemon *self)
{
	if (self == NULL)
		return;
	g_clear_object(&self->session);
	g_clear_object(&self->admin);
	vf_mail_sender_stop(self->sender);
	vf_http_server_disconnect(self->server);
	/* let callbacks of finished work run before the objects go */
	vf_test_iterate_for(50);
	g_clear_object(&self->server);
	g_clear_object(&self->catalog);
	g_clear_object(&self->queue);
	g_clear_object(&self->accounts);
	g_clear_object(&self->sender);
	g_clear_object(&self->transport);
	g_clear_object(&self->pool);
	vf_config_free(self->config);
	vf_test_rm_rf(self->tmpdir);
	g_free(self->tmpdir);
	g_free(self->db_name);
	g_free(self->conninfo);
	g_free(self->url);
	g_free(self);
}
