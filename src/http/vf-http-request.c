/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The per-request context and the ways to answer. Main thread only.
 */
#include "config.h"

#include <string.h>

#include "vf-error.h"
#include "vf-http-request-private.h"
#include "vf-http-server.h"

static gint64 request_counter;

VfHttpRequest *
vf_http_request_new(VfHttpServer *server, SoupServerMessage *msg, const gchar *client)
{
	VfHttpRequest *self = g_new0(VfHttpRequest, 1);

	self->ref_count = 1;
	self->server = server;
	self->msg = g_object_ref(msg);
	self->client = g_strdup(client != NULL ? client : "unknown");
	self->id = g_strdup_printf("%08x%06" G_GINT64_MODIFIER "x",
				   g_random_int(),
				   (gint64)g_atomic_pointer_add(&request_counter, 1) & 0xffffff);
	self->cancellable = g_cancellable_new();
	self->start_us = g_get_monotonic_time();
	return self;
}

VfHttpRequest *
vf_http_request_ref(VfHttpRequest *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	self->ref_count++;
	return self;
}

void
vf_http_request_unref(VfHttpRequest *self)
{
	if (self == NULL || --self->ref_count > 0)
		return;
	g_clear_object(&self->msg);
	g_clear_pointer(&self->params, g_hash_table_unref);
	g_clear_pointer(&self->cookies, g_hash_table_unref);
	g_clear_pointer(&self->json, json_node_unref);
	/* removes the upload's files that no service took over */
	g_clear_pointer(&self->multipart, vf_http_multipart_free);
	g_clear_error(&self->upload_error);
	g_clear_object(&self->cancellable);
	g_free(self->id);
	g_free(self->client);
	g_free(self->upload_boundary);
	g_free(self);
}

void
vf_http_request_set_route(VfHttpRequest *self, const VfHttpRoute *route, GHashTable *params)
{
	self->route = route;
	g_clear_pointer(&self->params, g_hash_table_unref);
	self->params = params;
}

void
vf_http_request_set_json(VfHttpRequest *self, JsonNode *json)
{
	g_clear_pointer(&self->json, json_node_unref);
	self->json = json;
}

void
vf_http_request_set_user(VfHttpRequest *self,
			 gint64 user_id,
			 gboolean is_admin,
			 VfHttpAuthMethod method)
{
	self->user_id = user_id;
	self->is_admin = is_admin;
	self->auth_method = method;
}

SoupServerMessage *
vf_http_request_get_message(VfHttpRequest *self)
{
	return self->msg;
}

VfHttpServer *
vf_http_request_get_server(VfHttpRequest *self)
{
	return self->server;
}

const gchar *
vf_http_request_get_id(VfHttpRequest *self)
{
	return self->id;
}

const gchar *
vf_http_request_get_param(VfHttpRequest *self, const gchar *name)
{
	if (self->params == NULL)
		return NULL;
	return g_hash_table_lookup(self->params, name);
}

const gchar *
vf_http_request_get_client(VfHttpRequest *self)
{
	return self->client;
}

GCancellable *
vf_http_request_get_cancellable(VfHttpRequest *self)
{
	return self->cancellable;
}

JsonObject *
vf_http_request_get_json(VfHttpRequest *self)
{
	if (self->json == NULL)
		self->json = json_node_init_object(json_node_alloc(), json_object_new());
	return json_node_get_object(self->json);
}

static GHashTable *
parse_cookies(SoupServerMessage *msg)
{
	SoupMessageHeaders *headers = soup_server_message_get_request_headers(msg);
	GHashTable *cookies = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	SoupMessageHeadersIter iter;
	const gchar *name;
	const gchar *value;

	/* every Cookie header, each "a=b; c=d"; the first of a repeated name wins */
	soup_message_headers_iter_init(&iter, headers);
	while (soup_message_headers_iter_next(&iter, &name, &value)) {
		g_auto(GStrv) pairs = NULL;

		if (g_ascii_strcasecmp(name, "Cookie") != 0)
			continue;
		pairs = g_strsplit(value, ";", -1);
		for (guint i = 0; pairs[i] != NULL; i++) {
			gchar *pair = g_strstrip(pairs[i]);
			gchar *eq = strchr(pair, '=');
			g_autofree gchar *key = NULL;
			g_autofree gchar *val = NULL;

			if (eq == NULL || eq == pair)
				continue;
			key = g_strstrip(g_strndup(pair, eq - pair));
			val = g_strstrip(g_strdup(eq + 1));
			if (strlen(val) >= 2 && val[0] == '"' && val[strlen(val) - 1] == '"') {
				gchar *unquoted = g_strndup(val + 1, strlen(val) - 2);
				g_free(val);
				val = unquoted;
			}
			if (!g_hash_table_contains(cookies, key))
				g_hash_table_insert(
				    cookies, g_steal_pointer(&key), g_steal_pointer(&val));
		}
	}
	return cookies;
}

const gchar *
vf_http_request_get_cookie(VfHttpRequest *self, const gchar *name)
{
	const gchar *value;

	if (self->cookies == NULL)
		self->cookies = parse_cookies(self->msg);
	value = g_hash_table_lookup(self->cookies, name);
	if (value == NULL || *value == '\0')
		return NULL;
	return value;
}

VfHttpMultipart *
vf_http_request_get_multipart(VfHttpRequest *self)
{
	return self->multipart;
}

gint64
vf_http_request_get_user_id(VfHttpRequest *self)
{
	return self->user_id;
}

gboolean
vf_http_request_get_is_admin(VfHttpRequest *self)
{
	return self->is_admin;
}

VfHttpAuthMethod
vf_http_request_get_auth_method(VfHttpRequest *self)
{
	return self->auth_method;
}

void
vf_http_request_pause(VfHttpRequest *self)
{
	if (self->paused || self->finished)
		return;
	self->paused = TRUE;
	soup_server_message_pause(self->msg);
}

static void
finish_answer(VfHttpRequest *self)
{
	self->answered = TRUE;
	if (self->paused) {
		self->paused = FALSE;
		soup_server_message_unpause(self->msg);
	}
}

void
vf_http_request_respond_bytes(VfHttpRequest *self,
			      guint status,
			      const gchar *content_type,
			      GBytes *body)
{
	SoupMessageHeaders *headers = soup_server_message_get_response_headers(self->msg);
	SoupMessageBody *response = soup_server_message_get_response_body(self->msg);

	if (self->finished)
		return;
	if (self->answered) {
		g_debug("request %s answered twice", self->id);
		return;
	}
	soup_server_message_set_status(self->msg, status, NULL);
	soup_message_body_truncate(response);
	if (body != NULL) {
		soup_message_headers_replace(headers, "Content-Type", content_type);
		/* libsoup refuses empty buffers */
		if (g_bytes_get_size(body) > 0)
			soup_message_body_append_bytes(response, body);
	}
	finish_answer(self);
}

void
vf_http_request_respond_json(VfHttpRequest *self, guint status, JsonNode *body)
{
	g_autoptr(JsonGenerator) generator = json_generator_new();
	g_autoptr(GBytes) bytes = NULL;
	gsize len = 0;
	gchar *text;

	json_generator_set_root(generator, body);
	text = json_generator_to_data(generator, &len);
	bytes = g_bytes_new_take(text, len);
	vf_http_request_respond_bytes(self, status, "application/json; charset=utf-8", bytes);
}

void
vf_http_request_respond_detail(VfHttpRequest *self, guint status, const gchar *detail)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autoptr(JsonNode) root = NULL;

	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "detail");
	json_builder_add_string_value(builder, detail);
	json_builder_end_object(builder);
	root = json_builder_get_root(builder);
	vf_http_request_respond_json(self, status, root);
}

void
vf_http_request_respond_error(VfHttpRequest *self, const GError *error)
{
	guint status = vf_error_to_http_status(error);

	switch (status) {
	case 401:
		if (g_error_matches(error, VF_ERROR, VF_ERROR_NOT_AUTHENTICATED)) {
			vf_http_request_respond_detail(
			    self, 401, "Authentication credentials were not provided.");
		} else {
			g_autoptr(JsonBuilder) builder = json_builder_new();
			g_autoptr(JsonNode) root = NULL;
			json_builder_begin_object(builder);
			json_builder_set_member_name(builder, "detail");
			json_builder_add_string_value(builder,
						      "Given token not valid for any token type");
			json_builder_set_member_name(builder, "code");
			json_builder_add_string_value(builder, "token_not_valid");
			json_builder_end_object(builder);
			root = json_builder_get_root(builder);
			vf_http_request_respond_json(self, 401, root);
		}
		return;
	case 403:
		vf_http_request_respond_detail(
		    self, 403, "You do not have permission to perform this action.");
		return;
	case 404:
		vf_http_request_respond_detail(self, 404, "Not found.");
		return;
	case 429:
		vf_http_request_respond_detail(self, 429, "Too many attempts, retry later.");
		return;
	case 503:
		/* an outage of a dependency, not a bug: reported, not fatal */
		g_message("request %s: %s", self->id, error->message);
		vf_http_request_respond_detail(
		    self, 503, "Service temporarily unavailable, try again later.");
		return;
	case 500:
		g_warning("request %s: %s", self->id, error != NULL ? error->message : "unknown");
		vf_http_request_respond_detail(self, 500, "A server error occurred.");
		return;
	default:
		vf_http_request_respond_detail(self, status, error->message);
		return;
	}
}

void
vf_http_request_set_cookie(
    VfHttpRequest *self, const gchar *name, const gchar *value, gint64 max_age, gboolean http_only)
{
	const VfConfig *config = vf_http_server_get_config(self->server);
	SoupMessageHeaders *headers = soup_server_message_get_response_headers(self->msg);
	g_autofree gchar *header =
	    g_strdup_printf("%s=%s; %sPath=/; Max-Age=%" G_GINT64_FORMAT "%s; SameSite=Lax%s",
			    name,
			    value != NULL ? value : "",
			    max_age == 0 ? "expires=Thu, 01 Jan 1970 00:00:00 GMT; " : "",
			    max_age,
			    http_only ? "; HttpOnly" : "",
			    config->cookie_secure ? "; Secure" : "");
	soup_message_headers_append(headers, "Set-Cookie", header);
}
