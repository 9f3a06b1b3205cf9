/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * CORS as API.md fixes it: allowed origins get their origin echoed with
 * credentials on every answer (errors and HLS files included); a preflight is
 * answered 204 on any path. Other origins get no CORS headers.
 */
#include "config.h"

#include "vf-http-layers.h"
#include "vf-http-server.h"

#define ALLOWED_METHODS "GET, POST, PATCH, DELETE, OPTIONS"
#define ALLOWED_HEADERS "Content-Type, Authorization, X-CSRFToken"

static gboolean
origin_allowed(const VfConfig *config, const gchar *origin)
{
	for (guint i = 0; config->cors_allowed_origins[i] != NULL; i++) {
		if (g_ascii_strcasecmp(config->cors_allowed_origins[i], origin) == 0)
			return TRUE;
	}
	return FALSE;
}

void
vf_http_cors_apply(VfHttpRequest *request)
{
	SoupMessageHeaders *request_headers = soup_server_message_get_request_headers(request->msg);
	SoupMessageHeaders *headers = soup_server_message_get_response_headers(request->msg);
	const gchar *origin = soup_message_headers_get_one(request_headers, "Origin");

	if (origin == NULL || !origin_allowed(vf_http_server_get_config(request->server), origin))
		return;
	soup_message_headers_replace(headers, "Access-Control-Allow-Origin", origin);
	soup_message_headers_replace(headers, "Access-Control-Allow-Credentials", "true");
	soup_message_headers_append(headers, "Vary", "Origin");
	if (vf_http_cors_is_preflight(request)) {
		soup_message_headers_replace(
		    headers, "Access-Control-Allow-Methods", ALLOWED_METHODS);
		soup_message_headers_replace(
		    headers, "Access-Control-Allow-Headers", ALLOWED_HEADERS);
		soup_message_headers_replace(headers, "Access-Control-Max-Age", "86400");
	}
}

gboolean
vf_http_cors_is_preflight(VfHttpRequest *request)
{
	return g_strcmp0(soup_server_message_get_method(request->msg), "OPTIONS") == 0;
}
