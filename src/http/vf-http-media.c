/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Public files: GET /media/thumbnails/<file> without authentication (they are
 * <img> sources), from MEDIA_ROOT/thumbnails. Main thread.
 */
#include "config.h"

#include "vf-http-files.h"
#include "vf-http-handlers.h"
#include "vf-http-server.h"

void
vf_http_media_thumbnail(VfHttpRequest *request)
{
	const VfConfig *config = vf_http_server_get_config(vf_http_request_get_server(request));
	g_autofree gchar *dir = g_build_filename(config->media_root, "thumbnails", NULL);
	g_autoptr(GError) error = NULL;

	if (!vf_http_files_respond(request,
				   dir,
				   vf_http_request_get_param(request, "file"),
				   VF_HTTP_FILE_THUMBNAIL,
				   &error))
		vf_http_request_respond_detail(request, 404, "Not found.");
}
