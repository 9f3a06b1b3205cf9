/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One line per route: method, pattern, handler, layers, rate limit. Paths are
 * those of API.md; a missing trailing slash is served the same.
 */
#include "config.h"

#include "vf-http-routes.h"

#include "vf-http-handlers.h"

#define JSON VF_HTTP_ROUTE_JSON_BODY
#define AUTH VF_HTTP_ROUTE_AUTH
#define CSRF VF_HTTP_ROUTE_CSRF

static const VfHttpRoute routes[] = {
    {"POST", "/api/register/", vf_http_accounts_register, JSON, VF_HTTP_RATE_REGISTER},
    {"GET", "/api/activate/{uidb64}/{token}/", vf_http_accounts_activate, 0, VF_HTTP_RATE_NONE},
    {"POST", "/api/login/", vf_http_accounts_login, JSON, VF_HTTP_RATE_LOGIN},
    {"POST", "/api/logout/", vf_http_accounts_logout, AUTH | CSRF, VF_HTTP_RATE_NONE},
    {"POST", "/api/token/refresh/", vf_http_accounts_refresh, 0, VF_HTTP_RATE_NONE},
    {"POST", "/api/password_reset/", vf_http_accounts_password_reset, JSON, VF_HTTP_RATE_RESET},
    {"POST",
     "/api/password_confirm/{uidb64}/{token}/",
     vf_http_accounts_password_confirm,
     JSON,
     VF_HTTP_RATE_NONE},
    {"GET", "/healthz", vf_http_ops_healthz, 0, VF_HTTP_RATE_NONE},
    {"GET", "/readyz", vf_http_ops_readyz, 0, VF_HTTP_RATE_NONE},
    {"GET", "/metrics", vf_http_ops_metrics, 0, VF_HTTP_RATE_NONE},
};

const VfHttpRoute *
vf_http_routes_get(guint *n_routes)
{
	*n_routes = G_N_ELEMENTS(routes);
	return routes;
}
