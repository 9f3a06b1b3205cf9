/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * HLS for logged-in users: master.m3u8, each rendition's index.m3u8 and its
 * segments. The folder of the current ladder comes from the catalog's in-memory
 * table (no query per segment), the file from disk (vf-http-files.c). Main thread.
 */
#include "config.h"

#include "vf-error.h"
#include "vf-http-files.h"
#include "vf-http-handlers.h"
#include "vf-http-server.h"
#include "vf-http-views.h"

static const gchar *const resolutions[] = {"480p", "720p", "1080p", NULL};

/* the folder, or answers 404 with API.md's text and returns NULL */
static gchar *
ladder_dir(VfHttpRequest *request, gboolean with_resolution)
{
	VfCatalogService *catalog = vf_http_views_get_catalog(request);
	const gchar *resolution = vf_http_request_get_param(request, "resolution");
	g_autoptr(GError) error = NULL;
	gchar *dir;
	gint64 id = 0;

	if (catalog == NULL)
		return NULL;
	if (with_resolution && !g_strv_contains(resolutions, resolution)) {
		vf_http_request_respond_detail(request, 404, "Unsupported resolution");
		return NULL;
	}
	if (!vf_http_views_parse_id(vf_http_request_get_param(request, "id"), &id)) {
		vf_http_request_respond_detail(request, 404, "Not found.");
		return NULL;
	}
	dir = vf_catalog_service_dup_ladder_dir(
	    catalog, id, with_resolution ? resolution : NULL, &error);
	if (dir == NULL)
		vf_http_request_respond_detail(request,
					       404,
					       g_error_matches(error, VF_ERROR, VF_ERROR_NOT_FOUND)
						   ? error->message
						   : "Not found.");
	return dir;
}

static void
serve(VfHttpRequest *request,
      const gchar *dir,
      const gchar *name,
      VfHttpFileKind kind,
      const gchar *missing)
{
	g_autoptr(GError) error = NULL;

	if (!vf_http_files_respond(request, dir, name, kind, &error)) {
		g_debug("request %s: %s", vf_http_request_get_id(request), error->message);
		vf_http_request_respond_detail(request, 404, missing);
	}
}

void
vf_http_stream_master(VfHttpRequest *request)
{
	g_autofree gchar *dir = ladder_dir(request, FALSE);

	if (dir != NULL)
		serve(request, dir, "master.m3u8", VF_HTTP_FILE_PLAYLIST, "Manifest not available");
}

void
vf_http_stream_playlist(VfHttpRequest *request)
{
	g_autofree gchar *dir = ladder_dir(request, TRUE);

	if (dir != NULL)
		serve(request, dir, "index.m3u8", VF_HTTP_FILE_PLAYLIST, "Manifest not available");
}

void
vf_http_stream_segment(VfHttpRequest *request)
{
	const gchar *segment = vf_http_request_get_param(request, "segment");
	g_autofree gchar *dir = NULL;

	/* a name that can never be a segment is refused before any lookup */
	if (!vf_http_files_name_is_safe(segment)) {
		vf_http_request_respond_detail(request, 404, "Not found.");
		return;
	}
	dir = ladder_dir(request, TRUE);
	if (dir != NULL)
		serve(request, dir, segment, VF_HTTP_FILE_SEGMENT, "Not found.");
}
