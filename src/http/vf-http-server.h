/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfHttpServer: the REST API on a SoupServer. Owns the router and the layers
 * (access log, CORS, body limit, JSON, rate limits, auth, CSRF) that run before
 * every handler. Main thread only.
 */
#pragma once

#include <libsoup/soup.h>

#include "vf-accounts-service.h"
#include "vf-catalog-service.h"
#include "vf-config.h"
#include "vf-db-pool.h"
#include "vf-http-metrics.h"
#include "vf-http-rate-limit.h"
#include "vf-http-request.h"

G_BEGIN_DECLS

#define VF_TYPE_HTTP_SERVER (vf_http_server_get_type())
G_DECLARE_FINAL_TYPE(VfHttpServer, vf_http_server, VF, HTTP_SERVER, GObject)

/* config must outlive the server */
VfHttpServer *
vf_http_server_new(const VfConfig *config, VfDbPool *pool, VfAccountsService *accounts);
/* address "host:port"; port 0 picks a free one (see get_port) */
gboolean vf_http_server_listen(VfHttpServer *self, const gchar *address, GError **error);
guint16 vf_http_server_get_port(VfHttpServer *self);
void vf_http_server_disconnect(VfHttpServer *self);

const VfConfig *vf_http_server_get_config(VfHttpServer *self);
VfDbPool *vf_http_server_get_pool(VfHttpServer *self);
VfAccountsService *vf_http_server_get_accounts(VfHttpServer *self);
VfHttpRateLimiter *vf_http_server_get_rate_limiter(VfHttpServer *self);
VfHttpMetrics *vf_http_server_get_metrics(VfHttpServer *self);
/* once, at start: the catalog and streaming routes answer 503 until then */
void vf_http_server_set_catalog(VfHttpServer *self, VfCatalogService *catalog);
VfCatalogService *vf_http_server_get_catalog(VfHttpServer *self);

/* runs the remaining layers and then the handler (for layers that went async) */
void vf_http_server_continue(VfHttpRequest *request);

G_END_DECLS
