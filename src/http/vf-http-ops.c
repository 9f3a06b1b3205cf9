/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Operations endpoints: /healthz (the process answers) and /readyz (its
 * dependencies answer: a real query, not a ping). Main thread.
 */
#include "config.h"

#include "vf-http-handlers.h"
#include "vf-http-server.h"

void
vf_http_ops_healthz(VfHttpRequest *request)
{
	static const gchar body[] = "{\"status\":\"ok\"}";
	g_autoptr(GBytes) bytes = g_bytes_new_static(body, sizeof(body) - 1);
	vf_http_request_respond_bytes(request, 200, "application/json; charset=utf-8", bytes);
}

static void
readyz_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(VfHttpRequest) request = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autoptr(JsonNode) root = NULL;
	gboolean database_ok = vf_db_pool_check_finish(VF_DB_POOL(source), result, &error);

	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "status");
	json_builder_add_string_value(builder, database_ok ? "ready" : "unavailable");
	if (!database_ok) {
		json_builder_set_member_name(builder, "detail");
		json_builder_add_string_value(builder, "Database unavailable.");
	}
	json_builder_set_member_name(builder, "checks");
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "database");
	json_builder_add_string_value(builder, database_ok ? "ok" : "unavailable");
	json_builder_end_object(builder);
	json_builder_end_object(builder);
	root = json_builder_get_root(builder);
	if (!database_ok)
		g_debug("readyz: %s", error->message);
	vf_http_request_respond_json(request, database_ok ? 200 : 503, root);
}

void
vf_http_ops_readyz(VfHttpRequest *request)
{
	vf_http_request_pause(request);
	vf_db_pool_check_async(vf_http_server_get_pool(vf_http_request_get_server(request)),
			       vf_http_request_get_cancellable(request),
			       readyz_cb,
			       vf_http_request_ref(request));
}
