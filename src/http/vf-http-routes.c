/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One line per route: method, pattern, handler, layers, rate limit. Paths are
 * those of API.md; a missing trailing slash is served the same.
 */
#include "config.h"

#include "vf-http-routes.h"

#include "vf-http-handlers.h"

#define JSON   VF_HTTP_ROUTE_JSON_BODY
#define AUTH   VF_HTTP_ROUTE_AUTH
#define CSRF   VF_HTTP_ROUTE_CSRF
#define ADMIN  VF_HTTP_ROUTE_ADMIN
#define UPLOAD VF_HTTP_ROUTE_UPLOAD

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
    {"GET", "/api/video/", vf_http_catalog_list, AUTH, VF_HTTP_RATE_NONE},
    {"GET", "/api/video/{id}/", vf_http_catalog_get, AUTH, VF_HTTP_RATE_NONE},
    {"GET", "/api/video/{id}/master.m3u8", vf_http_stream_master, AUTH, VF_HTTP_RATE_NONE},
    {"GET",
     "/api/video/{id}/{resolution}/index.m3u8",
     vf_http_stream_playlist,
     AUTH,
     VF_HTTP_RATE_NONE},
    {"GET",
     "/api/video/{id}/{resolution}/{segment}/",
     vf_http_stream_segment,
     AUTH,
     VF_HTTP_RATE_NONE},
    {"POST",
     "/api/admin/videos/",
     vf_http_admin_create_video,
     ADMIN | CSRF | UPLOAD,
     VF_HTTP_RATE_NONE},
    {"PATCH",
     "/api/admin/videos/{id}/",
     vf_http_admin_update_video,
     ADMIN | CSRF | UPLOAD | JSON,
     VF_HTTP_RATE_NONE},
    {"DELETE",
     "/api/admin/videos/{id}/",
     vf_http_admin_delete_video,
     ADMIN | CSRF,
     VF_HTTP_RATE_NONE},
    {"GET", "/api/admin/jobs/", vf_http_admin_list_jobs, ADMIN, VF_HTTP_RATE_NONE},
    {"GET", "/media/thumbnails/{file}", vf_http_media_thumbnail, 0, VF_HTTP_RATE_NONE},
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
