/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The rate-limit layer: registrations and reset requests count per client here;
 * a login attempt counts here too and the login handler gives it back when the
 * login succeeds (only failures are limited). The per-account reset limit keeps the answer at 200
 * (no mail is sent) and is applied by the reset handler.
 */
#include "config.h"

#include "vf-http-layers.h"
#include "vf-http-server.h"

void
vf_http_respond_rate_limited(VfHttpRequest *request, gint64 retry_after_s)
{
	g_autofree gchar *seconds = g_strdup_printf("%" G_GINT64_FORMAT, retry_after_s);
	soup_message_headers_replace(
	    soup_server_message_get_response_headers(request->msg), "Retry-After", seconds);
	vf_http_request_respond_detail(request, 429, "Too many attempts, retry later.");
}

static const gchar *
json_email(VfHttpRequest *request)
{
	JsonNode *node = json_object_get_member(vf_http_request_get_json(request), "email");
	if (node == NULL || !JSON_NODE_HOLDS_VALUE(node) ||
	    json_node_get_value_type(node) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(node);
}

gboolean
vf_http_layer_rate(VfHttpRequest *request)
{
	const VfConfig *config = vf_http_server_get_config(request->server);
	VfHttpRateLimiter *limiter = vf_http_server_get_rate_limiter(request->server);
	gint64 now = g_get_monotonic_time();
	gint64 retry_after = 0;
	g_autofree gchar *client_key = NULL;

	switch (request->route->rate) {
	case VF_HTTP_RATE_LOGIN: {
		/* the attempt counts now, while the password is checked, so that a burst
		 * of parallel guesses cannot all pass; login gives it back on success */
		const gchar *email = json_email(request);
		g_autofree gchar *account_key = NULL;
		client_key = g_strdup_printf("login-client:%s", request->client);
		if (!vf_http_rate_limiter_check(
			limiter, client_key, &config->login_failures_per_client, now, &retry_after))
			break;
		if (email != NULL) {
			g_autofree gchar *lower = g_utf8_strdown(email, -1);
			account_key = g_strdup_printf("login-account:%s", g_strstrip(lower));
			if (!vf_http_rate_limiter_check(limiter,
							account_key,
							&config->login_failures_per_account,
							now,
							&retry_after))
				break;
			vf_http_rate_limiter_hit(
			    limiter, account_key, &config->login_failures_per_account, now);
		}
		vf_http_rate_limiter_hit(limiter, client_key, &config->login_failures_per_client, now);
		return TRUE;
	}
	case VF_HTTP_RATE_REGISTER:
		client_key = g_strdup_printf("register-client:%s", request->client);
		if (!vf_http_rate_limiter_take(
			limiter, client_key, &config->register_per_client, now, &retry_after))
			break;
		return TRUE;
	case VF_HTTP_RATE_RESET:
		client_key = g_strdup_printf("reset-client:%s", request->client);
		if (!vf_http_rate_limiter_take(
			limiter, client_key, &config->reset_per_client, now, &retry_after))
			break;
		return TRUE;
	case VF_HTTP_RATE_NONE:
	default:
		return TRUE;
	}
	vf_http_respond_rate_limited(request, retry_after);
	return FALSE;
}
