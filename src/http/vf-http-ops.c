/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Operations endpoints: /healthz (the process answers) and /readyz (its
 * dependencies answer: a real query, not a ping). Main thread.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

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
	const VfConfig *config = vf_http_server_get_config(vf_http_request_get_server(request));
	/* uploads and transcodes write there: a full or read-only volume is an outage */
	gboolean media_ok = g_file_test(config->media_root, G_FILE_TEST_IS_DIR) &&
			    g_access(config->media_root, W_OK) == 0;
	VfCatalogService *catalog = vf_http_server_get_catalog(vf_http_request_get_server(request));
	/* the job broker (NATS) when there is one; the in-process queue is always there */
	gboolean jobs_ok = catalog == NULL ||
			   vf_job_queue_check_ready(vf_catalog_service_get_queue(catalog), NULL);
	gboolean ready = database_ok && media_ok && jobs_ok;

	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "status");
	json_builder_add_string_value(builder, ready ? "ready" : "unavailable");
	if (!ready) {
		json_builder_set_member_name(builder, "detail");
		json_builder_add_string_value(builder,
					      !database_ok ? "Database unavailable."
					      : !media_ok
						  ? "MEDIA_ROOT is not writable."
						  : "The job broker (NATS) is unavailable.");
	}
	json_builder_set_member_name(builder, "checks");
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "database");
	json_builder_add_string_value(builder, database_ok ? "ok" : "unavailable");
	json_builder_set_member_name(builder, "media");
	json_builder_add_string_value(builder, media_ok ? "ok" : "unavailable");
	json_builder_set_member_name(builder, "jobs");
	json_builder_add_string_value(builder, jobs_ok ? "ok" : "unavailable");
	json_builder_end_object(builder);
	json_builder_end_object(builder);
	root = json_builder_get_root(builder);
	if (!database_ok)
		g_debug("readyz: %s", error->message);
	vf_http_request_respond_json(request, ready ? 200 : 503, root);
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

void
vf_http_ops_metrics(VfHttpRequest *request)
{
	VfHttpServer *server = vf_http_request_get_server(request);
	gchar *text = vf_http_metrics_render(vf_http_server_get_metrics(server));
	g_autoptr(GBytes) body = g_bytes_new_take(text, strlen(text));

	vf_http_request_respond_bytes(
	    request, 200, "text/plain; version=0.0.4; charset=utf-8", body);
}
