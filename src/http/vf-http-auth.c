/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The auth and CSRF layers. An access token comes from "Authorization: Bearer" or
 * else the access_token cookie; its signature and claims are checked on the loop
 * (an HMAC is cheap), then the user's state (exists, active, admin, last password
 * change) comes from the accounts service's in-memory cache, or from the database
 * off the loop on a miss.
 */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "vf-auth-jwt.h"
#include "vf-error.h"
#include "vf-http-layers.h"
#include "vf-http-server.h"

typedef struct {
	VfHttpRequest *request;
	gint64 user_id;
	gint64 iat;
	VfHttpAuthMethod method;
} PendingAuth;

static const gchar *
bearer_token(VfHttpRequest *request)
{
	SoupMessageHeaders *headers = soup_server_message_get_request_headers(request->msg);
	const gchar *authorization = soup_message_headers_get_one(headers, "Authorization");

	if (authorization == NULL || g_ascii_strncasecmp(authorization, "Bearer ", 7) != 0)
		return NULL;
	authorization += 7;
	while (*authorization == ' ')
		authorization++;
	return authorization;
}

static void
respond_code(VfHttpRequest *request, VfError code)
{
	g_autoptr(GError) error = g_error_new_literal(VF_ERROR, code, "auth");
	vf_http_request_respond_error(request, error);
}

/* TRUE when the request may go on */
static gboolean
apply_state(VfHttpRequest *request,
	    const VfAccountsUserState *state,
	    gint64 user_id,
	    gint64 iat,
	    VfHttpAuthMethod method)
{
	if (!state->exists || !state->is_active || iat < state->password_changed_at) {
		respond_code(request, VF_ERROR_TOKEN_INVALID);
		return FALSE;
	}
	if ((request->route->flags & VF_HTTP_ROUTE_ADMIN) != 0 && !state->is_admin) {
		respond_code(request, VF_ERROR_PERMISSION_DENIED);
		return FALSE;
	}
	vf_http_request_set_user(request, user_id, state->is_admin, method);
	return TRUE;
}

static void
user_state_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	PendingAuth *pending = user_data;
	VfHttpRequest *request = pending->request;
	g_autoptr(GError) error = NULL;
	VfAccountsUserState state;

	if (!vf_accounts_service_get_user_state_finish(
		VF_ACCOUNTS_SERVICE(source), result, &state, &error))
		vf_http_request_respond_error(request, error);
	else if (apply_state(request, &state, pending->user_id, pending->iat, pending->method))
		vf_http_server_continue(request);
	vf_http_request_unref(request);
	g_free(pending);
}

gboolean
vf_http_layer_auth(VfHttpRequest *request)
{
	const VfConfig *config = vf_http_server_get_config(request->server);
	VfAccountsService *accounts = vf_http_server_get_accounts(request->server);
	g_autoptr(VfAuthClaims) claims = NULL;
	g_autoptr(GError) error = NULL;
	VfHttpAuthMethod method = VF_HTTP_AUTH_BEARER;
	const gchar *token;
	VfAccountsUserState state;
	PendingAuth *pending;

	if ((request->route->flags & (VF_HTTP_ROUTE_AUTH | VF_HTTP_ROUTE_ADMIN)) == 0)
		return TRUE;
	token = bearer_token(request);
	if (token == NULL) {
		token = vf_http_request_get_cookie(request, "access_token");
		method = VF_HTTP_AUTH_COOKIE;
	}
	if (token == NULL) {
		respond_code(request, VF_ERROR_NOT_AUTHENTICATED);
		return FALSE;
	}
	claims = vf_auth_jwt_verify(config->secret_key,
				    token,
				    VF_AUTH_TOKEN_TYPE_ACCESS,
				    g_get_real_time() / G_USEC_PER_SEC,
				    &error);
	if (claims == NULL) {
		respond_code(request, VF_ERROR_TOKEN_INVALID);
		return FALSE;
	}
	if (vf_accounts_user_cache_lookup(
		vf_accounts_service_get_user_cache(accounts), claims->user_id, &state))
		return apply_state(request, &state, claims->user_id, claims->iat, method);

	pending = g_new0(PendingAuth, 1);
	pending->request = vf_http_request_ref(request);
	pending->user_id = claims->user_id;
	pending->iat = claims->iat;
	pending->method = method;
	vf_http_request_pause(request);
	vf_accounts_service_get_user_state_async(
	    accounts, claims->user_id, request->cancellable, user_state_cb, pending);
	return FALSE;
}

gboolean
vf_http_layer_csrf(VfHttpRequest *request)
{
	SoupMessageHeaders *headers = soup_server_message_get_request_headers(request->msg);
	const gchar *method = soup_server_message_get_method(request->msg);
	const gchar *header;
	const gchar *cookie;

	if ((request->route->flags & VF_HTTP_ROUTE_CSRF) == 0 ||
	    request->auth_method != VF_HTTP_AUTH_COOKIE || g_strcmp0(method, "GET") == 0 ||
	    g_strcmp0(method, "HEAD") == 0 || g_strcmp0(method, "OPTIONS") == 0)
		return TRUE;
	header = soup_message_headers_get_one(headers, "X-CSRFToken");
	cookie = vf_http_request_get_cookie(request, "csrftoken");
	if (header == NULL || cookie == NULL || strlen(header) != strlen(cookie) ||
	    sodium_memcmp(header, cookie, strlen(cookie)) != 0) {
		vf_http_request_respond_detail(
		    request, 403, "CSRF Failed: CSRF token missing or incorrect.");
		return FALSE;
	}
	return TRUE;
}

VfHttpPrecheck
vf_http_auth_precheck(VfHttpRequest *request, gint64 *user_id)
{
	const VfConfig *config = vf_http_server_get_config(request->server);
	VfAccountsService *accounts = vf_http_server_get_accounts(request->server);
	g_autoptr(VfAuthClaims) claims = NULL;
	const gchar *token = bearer_token(request);
	VfAccountsUserState state;

	if (token == NULL)
		token = vf_http_request_get_cookie(request, "access_token");
	if (token == NULL)
		return VF_HTTP_PRECHECK_DENY;
	claims = vf_auth_jwt_verify(config->secret_key,
				    token,
				    VF_AUTH_TOKEN_TYPE_ACCESS,
				    g_get_real_time() / G_USEC_PER_SEC,
				    NULL);
	if (claims == NULL)
		return VF_HTTP_PRECHECK_DENY;
	if (request->route == NULL || (request->route->flags & VF_HTTP_ROUTE_ADMIN) == 0)
		return VF_HTTP_PRECHECK_ALLOW;
	*user_id = claims->user_id;
	if (!vf_accounts_user_cache_lookup(
		vf_accounts_service_get_user_cache(accounts), claims->user_id, &state))
		return VF_HTTP_PRECHECK_UNKNOWN;
	if (!state.exists || !state.is_active || !state.is_admin ||
	    claims->iat < state.password_changed_at)
		return VF_HTTP_PRECHECK_DENY;
	return VF_HTTP_PRECHECK_ALLOW;
}
