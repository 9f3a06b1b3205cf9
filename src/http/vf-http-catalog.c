/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The catalogue: GET /api/video/ (an array, newest first) and GET
 * /api/video/<id>/ (one item with progress and error). Main thread; the catalog
 * service queries off the loop.
 */
#include "config.h"

#include "vf-error.h"
#include "vf-http-handlers.h"
#include "vf-http-server.h"
#include "vf-http-views.h"

/* the catalog service hands out the same list until a video changes: its JSON is
 * rendered once per list, kept on the server beside the list it came from */
#define LIST_CACHE_KEY "vf-http-catalog-list"

typedef struct {
	GPtrArray *videos; /* the list the body was rendered from (a reference) */
	GBytes *body;
} ListCache;

static void
list_cache_free(ListCache *cache)
{
	g_ptr_array_unref(cache->videos);
	g_bytes_unref(cache->body);
	g_free(cache);
}

static void
list_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(VfHttpRequest) request = user_data;
	const VfConfig *config = vf_http_server_get_config(vf_http_request_get_server(request));
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) videos =
	    vf_catalog_service_list_videos_finish(VF_CATALOG_SERVICE(source), result, &error);
	g_autoptr(GString) out = NULL;
	g_autoptr(GBytes) body = NULL;

	VfHttpServer *server = vf_http_request_get_server(request);
	ListCache *cache = g_object_get_data(G_OBJECT(server), LIST_CACHE_KEY);

	if (videos == NULL) {
		vf_http_request_respond_error(request, error);
		return;
	}
	if (cache != NULL && cache->videos == videos) {
		vf_http_request_respond_bytes(
		    request, 200, "application/json; charset=utf-8", cache->body);
		return;
	}
	out = g_string_sized_new(256 * videos->len + 2);
	g_string_append_c(out, '[');
	for (guint i = 0; i < videos->len; i++) {
		if (i > 0)
			g_string_append_c(out, ',');
		vf_http_views_append_video(
		    out, g_ptr_array_index(videos, i), config->public_url, FALSE);
	}
	g_string_append_c(out, ']');
	body = g_string_free_to_bytes(g_steal_pointer(&out));
	cache = g_new0(ListCache, 1);
	cache->videos = g_ptr_array_ref(videos);
	cache->body = g_bytes_ref(body);
	g_object_set_data_full(
	    G_OBJECT(server), LIST_CACHE_KEY, cache, (GDestroyNotify)list_cache_free);
	vf_http_request_respond_bytes(request, 200, "application/json; charset=utf-8", body);
}

void
vf_http_catalog_list(VfHttpRequest *request)
{
	VfCatalogService *catalog = vf_http_views_get_catalog(request);

	if (catalog == NULL)
		return;
	vf_http_request_pause(request);
	vf_catalog_service_list_videos_async(catalog,
					     vf_http_request_get_cancellable(request),
					     list_done_cb,
					     vf_http_request_ref(request));
}

static void
get_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(VfHttpRequest) request = user_data;
	const VfConfig *config = vf_http_server_get_config(vf_http_request_get_server(request));
	g_autoptr(GError) error = NULL;
	g_autoptr(VfCatalogVideo) video =
	    vf_catalog_service_get_video_finish(VF_CATALOG_SERVICE(source), result, &error);
	g_autoptr(JsonNode) root = NULL;

	if (video == NULL) {
		vf_http_request_respond_error(request, error);
		return;
	}
	root = vf_http_views_video(video, config->public_url, TRUE);
	vf_http_request_respond_json(request, 200, root);
}

void
vf_http_catalog_get(VfHttpRequest *request)
{
	VfCatalogService *catalog = vf_http_views_get_catalog(request);
	gint64 id = 0;

	if (catalog == NULL)
		return;
	if (!vf_http_views_parse_id(vf_http_request_get_param(request, "id"), &id)) {
		vf_http_request_respond_detail(request, 404, "Not found.");
		return;
	}
	vf_http_request_pause(request);
	vf_catalog_service_get_video_async(catalog,
					   id,
					   vf_http_request_get_cancellable(request),
					   get_done_cb,
					   vf_http_request_ref(request));
}

void
vf_http_catalog_collect_metrics(GString *out, gpointer user_data)
{
	VfCatalogService *catalog = VF_CATALOG_SERVICE(user_data);
	g_autoptr(GHashTable) counts = vf_catalog_service_dup_job_counts(catalog);
	const gchar *states[] = {"queued", "running", "succeeded", "failed", "cancelled"};
	gint64 *depth = g_hash_table_lookup(counts, "queue_depth");

	vf_http_metrics_append_header(out, "videoflix_jobs", "gauge", "Transcode jobs by state.");
	for (guint i = 0; i < G_N_ELEMENTS(states); i++) {
		gint64 *count = g_hash_table_lookup(counts, states[i]);
		vf_http_metrics_append_sample(
		    out, "videoflix_jobs", "state", states[i], count != NULL ? (gdouble)*count : 0);
	}
	vf_http_metrics_append_header(out,
				      "videoflix_job_queue_depth",
				      "gauge",
				      "Jobs the queue holds now (waiting or running).");
	vf_http_metrics_append_sample(
	    out, "videoflix_job_queue_depth", NULL, NULL, depth != NULL ? (gdouble)*depth : 0);
	vf_http_metrics_append_header(
	    out,
	    "videoflix_transcode_seconds_total",
	    "counter",
	    "Seconds spent on transcodes that succeeded since the start.");
	vf_http_metrics_append_sample(out,
				      "videoflix_transcode_seconds_total",
				      NULL,
				      NULL,
				      vf_catalog_service_get_transcode_seconds(catalog));
}
