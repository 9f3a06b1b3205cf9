/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * JSON views of the catalog's records and the small parsers its handlers share.
 * Main thread.
 */
#pragma once

#include "vf-catalog-service.h"
#include "vf-http-request.h"

G_BEGIN_DECLS

/* a list item (API.md); with detail, also "progress" and "error" */
JsonNode *
vf_http_views_video(const VfCatalogVideo *video, const gchar *public_url, gboolean detail);
/* the same, written straight to out: the catalogue of 1 000 videos built through
 * JsonBuilder cost about 14 ms of the loop per request */
void vf_http_views_append_video(GString *out,
				const VfCatalogVideo *video,
				const gchar *public_url,
				gboolean detail);
JsonNode *vf_http_views_job(const VfCatalogJob *job);
/* a positive decimal id of at most 18 digits */
gboolean vf_http_views_parse_id(const gchar *text, gint64 *id);
/* the catalog, or answers 503 and returns NULL */
VfCatalogService *vf_http_views_get_catalog(VfHttpRequest *request);

G_END_DECLS
