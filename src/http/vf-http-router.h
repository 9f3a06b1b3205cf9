/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfHttpRouter: maps method + path to a route. Patterns are literal segments and
 * {name} captures ("/api/activate/{uid}/{token}/"); a trailing slash is optional.
 * A path that matches with another method gives the Allow list for a 405.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _VfHttpRequest VfHttpRequest;
typedef void (*VfHttpHandler)(VfHttpRequest *request);

/* the layers a route passes before its handler (in this order) */
typedef enum {
	VF_HTTP_ROUTE_JSON_BODY = 1 << 0, /* body limit and a JSON object body */
	VF_HTTP_ROUTE_AUTH = 1 << 1,	  /* a valid access token of an active user */
	VF_HTTP_ROUTE_ADMIN = 1 << 2,	  /* … who is an admin (implies AUTH) */
	VF_HTTP_ROUTE_CSRF = 1 << 3,   /* cookie-authenticated unsafe requests need X-CSRFToken */
	VF_HTTP_ROUTE_UPLOAD = 1 << 4, /* multipart streamed to files under MAX_UPLOAD_SIZE (with
					* JSON_BODY, a JSON body is taken as well) */
} VfHttpRouteFlags;

typedef enum {
	VF_HTTP_RATE_NONE,
	VF_HTTP_RATE_LOGIN,    /* failed logins per client and per account */
	VF_HTTP_RATE_REGISTER, /* registrations per client */
	VF_HTTP_RATE_RESET,    /* reset requests per client (per account: no mail) */
} VfHttpRateKind;

typedef struct {
	const gchar *method;
	const gchar *pattern;
	VfHttpHandler handler;
	VfHttpRouteFlags flags;
	VfHttpRateKind rate;
} VfHttpRoute;

typedef struct _VfHttpRouter VfHttpRouter;

VfHttpRouter *vf_http_router_new(const VfHttpRoute *routes, guint n_routes);
void vf_http_router_free(VfHttpRouter *self);
/* raw_path is the percent-encoded path; params receives decoded captures (a capture
 * that decodes to contain '/' or NUL never matches). NULL when nothing matched; then
 * *allow is the comma-separated methods of the path, or NULL when the path is unknown */
const VfHttpRoute *vf_http_router_match(VfHttpRouter *self,
					const gchar *method,
					const gchar *raw_path,
					GHashTable **params,
					gchar **allow);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfHttpRouter, vf_http_router_free)

G_END_DECLS
