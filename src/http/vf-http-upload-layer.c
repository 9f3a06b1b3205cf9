/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The upload layer, after auth and CSRF: a multipart body that could not be
 * parsed is answered here (so an anonymous client still gets 401 first), and the
 * parser is told the body ended. Main thread.
 */
#include "config.h"

#include "vf-http-layers.h"
#include "vf-http-server.h"

gboolean
vf_http_layer_upload(VfHttpRequest *request)
{
	g_autoptr(GError) error = NULL;

	if ((request->route->flags & VF_HTTP_ROUTE_UPLOAD) == 0)
		return TRUE;
	if (!request->multipart_body) {
		SoupMessageHeaders *headers = soup_server_message_get_request_headers(request->msg);
		const gchar *content_type = soup_message_headers_get_one(headers, "Content-Type");
		g_autofree gchar *detail = NULL;

		/* a JSON body is fine where the route takes one (metadata only) */
		if ((request->route->flags & VF_HTTP_ROUTE_JSON_BODY) != 0)
			return TRUE;
		detail = g_strdup_printf("Unsupported media type \"%s\" in request.",
					 content_type != NULL ? content_type : "");
		vf_http_request_respond_detail(request, 415, detail);
		return FALSE;
	}
	if (request->upload_error != NULL) {
		vf_http_request_respond_error(request, request->upload_error);
		return FALSE;
	}
	if (request->multipart == NULL) {
		vf_http_request_respond_detail(
		    request, 400, "Multipart form parse error - the body was not kept");
		return FALSE;
	}
	if (!vf_http_multipart_finish(request->multipart, &error)) {
		g_clear_pointer(&request->multipart, vf_http_multipart_free);
		vf_http_request_respond_detail(request, 400, error->message);
		return FALSE;
	}
	return TRUE;
}
