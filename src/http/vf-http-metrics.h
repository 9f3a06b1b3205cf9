/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfHttpMetrics: counters and histograms of the API in Prometheus text format
 * (requests by route, method and status, latency, bytes sent), plus whatever
 * collectors add when /metrics is rendered (the catalog's jobs by state, queue
 * depth, transcode seconds). Main thread only.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _VfHttpMetrics VfHttpMetrics;

/* appends whole metric families (HELP, TYPE, samples) to out */
typedef void (*VfHttpMetricsCollectFunc)(GString *out, gpointer user_data);

VfHttpMetrics *vf_http_metrics_new(void);
void vf_http_metrics_free(VfHttpMetrics *self);

/* route is the route's pattern ("/api/video/{id}/"), or NULL when none matched */
void vf_http_metrics_observe_request(VfHttpMetrics *self,
				     const gchar *method,
				     const gchar *route,
				     guint status,
				     gdouble seconds,
				     guint64 bytes_sent);
void vf_http_metrics_add_collector(VfHttpMetrics *self,
				   VfHttpMetricsCollectFunc func,
				   gpointer user_data,
				   GDestroyNotify destroy);
/* the whole exposition, text format 0.0.4 */
gchar *vf_http_metrics_render(VfHttpMetrics *self);

/* for collectors: "# HELP name help\n# TYPE name type\n" */
void vf_http_metrics_append_header(GString *out,
				   const gchar *name,
				   const gchar *type,
				   const gchar *help);
/* one sample; label may be NULL for none, else label_value is escaped */
void vf_http_metrics_append_sample(
    GString *out, const gchar *name, const gchar *label, const gchar *label_value, gdouble value);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfHttpMetrics, vf_http_metrics_free)

G_END_DECLS
