/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The metrics registry. Series are kept in hash tables keyed by their label
 * values and rendered sorted, so the output is stable; label values are escaped
 * as the text format asks (backslash, double quote, newline).
 */
#include "config.h"

#include "vf-http-metrics.h"

#include <string.h>

static const gdouble buckets[] = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0};
#define N_BUCKETS G_N_ELEMENTS(buckets)

typedef struct {
	guint64 counts[N_BUCKETS]; /* not cumulative; summed when rendered */
	guint64 count;
	gdouble sum;
} Histogram;

typedef struct {
	VfHttpMetricsCollectFunc func;
	gpointer user_data;
	GDestroyNotify destroy;
} Collector;

struct _VfHttpMetrics {
	GHashTable *requests;  /* "method\nroute\nstatus" → guint64 * */
	GHashTable *latencies; /* route → Histogram */
	GHashTable *bytes;     /* route → guint64 * */
	GArray *collectors;    /* of Collector */
	gint64 start_s;
};

static void
collector_clear(Collector *collector)
{
	if (collector->destroy != NULL)
		collector->destroy(collector->user_data);
}

VfHttpMetrics *
vf_http_metrics_new(void)
{
	VfHttpMetrics *self = g_new0(VfHttpMetrics, 1);

	self->requests = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	self->latencies = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	self->bytes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	self->collectors = g_array_new(FALSE, TRUE, sizeof(Collector));
	g_array_set_clear_func(self->collectors, (GDestroyNotify)collector_clear);
	self->start_s = g_get_real_time() / G_USEC_PER_SEC;
	return self;
}

void
vf_http_metrics_free(VfHttpMetrics *self)
{
	if (self == NULL)
		return;
	g_hash_table_unref(self->requests);
	g_hash_table_unref(self->latencies);
	g_hash_table_unref(self->bytes);
	g_array_unref(self->collectors);
	g_free(self);
}

static guint64 *
counter(GHashTable *table, const gchar *key)
{
	guint64 *value = g_hash_table_lookup(table, key);
	if (value == NULL) {
		value = g_new0(guint64, 1);
		g_hash_table_insert(table, g_strdup(key), value);
	}
	return value;
}

void
vf_http_metrics_observe_request(VfHttpMetrics *self,
				const gchar *method,
				const gchar *route,
				guint status,
				gdouble seconds,
				guint64 bytes_sent)
{
	g_autofree gchar *key = NULL;
	Histogram *histogram;

	if (route == NULL)
		route = "unmatched";
	key = g_strdup_printf("%s\n%s\n%u", method, route, status);
	(*counter(self->requests, key))++;
	*counter(self->bytes, route) += bytes_sent;
	histogram = g_hash_table_lookup(self->latencies, route);
	if (histogram == NULL) {
		histogram = g_new0(Histogram, 1);
		g_hash_table_insert(self->latencies, g_strdup(route), histogram);
	}
	histogram->count++;
	histogram->sum += seconds;
	for (guint i = 0; i < N_BUCKETS; i++) {
		if (seconds <= buckets[i]) {
			histogram->counts[i]++;
			break;
		}
	}
}

void
vf_http_metrics_add_collector(VfHttpMetrics *self,
			      VfHttpMetricsCollectFunc func,
			      gpointer user_data,
			      GDestroyNotify destroy)
{
	Collector collector = {func, user_data, destroy};
	g_array_append_val(self->collectors, collector);
}

static void
append_escaped(GString *out, const gchar *value)
{
	for (const gchar *p = value; *p != '\0'; p++) {
		if (*p == '\\')
			g_string_append(out, "\\\\");
		else if (*p == '"')
			g_string_append(out, "\\\"");
		else if (*p == '\n')
			g_string_append(out, "\\n");
		else
			g_string_append_c(out, *p);
	}
}

static void
append_value(GString *out, gdouble value)
{
	gchar buffer[G_ASCII_DTOSTR_BUF_SIZE];

	if (value == (gdouble)(gint64)value && value < 1e15 && value > -1e15)
		g_string_append_printf(out, "%" G_GINT64_FORMAT "\n", (gint64)value);
	else
		g_string_append_printf(out, "%s\n", g_ascii_dtostr(buffer, sizeof buffer, value));
}

void
vf_http_metrics_append_header(GString *out, const gchar *name, const gchar *type, const gchar *help)
{
	g_string_append_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void
vf_http_metrics_append_sample(
    GString *out, const gchar *name, const gchar *label, const gchar *label_value, gdouble value)
{
	g_string_append(out, name);
	if (label != NULL) {
		g_string_append_printf(out, "{%s=\"", label);
		append_escaped(out, label_value);
		g_string_append(out, "\"}");
	}
	g_string_append_c(out, ' ');
	append_value(out, value);
}

static GList *
sorted_keys(GHashTable *table)
{
	return g_list_sort(g_hash_table_get_keys(table), (GCompareFunc)strcmp);
}

static void
render_requests(VfHttpMetrics *self, GString *out)
{
	g_autoptr(GList) keys = sorted_keys(self->requests);

	vf_http_metrics_append_header(out,
				      "videoflix_http_requests_total",
				      "counter",
				      "HTTP requests answered, by method, route and status.");
	for (GList *l = keys; l != NULL; l = l->next) {
		g_auto(GStrv) parts = g_strsplit(l->data, "\n", 3);
		guint64 *value = g_hash_table_lookup(self->requests, l->data);
		g_string_append(out, "videoflix_http_requests_total{method=\"");
		append_escaped(out, parts[0]);
		g_string_append(out, "\",route=\"");
		append_escaped(out, parts[1]);
		g_string_append_printf(out, "\",status=\"%s\"} ", parts[2]);
		append_value(out, (gdouble)*value);
	}
}

static void
render_latencies(VfHttpMetrics *self, GString *out)
{
	g_autoptr(GList) keys = sorted_keys(self->latencies);
	const gchar *name = "videoflix_http_request_duration_seconds";

	vf_http_metrics_append_header(
	    out, name, "histogram", "Time from the request's headers to its answer, by route.");
	for (GList *l = keys; l != NULL; l = l->next) {
		Histogram *histogram = g_hash_table_lookup(self->latencies, l->data);
		guint64 cumulative = 0;
		gchar le[G_ASCII_DTOSTR_BUF_SIZE];

		for (guint i = 0; i < N_BUCKETS; i++) {
			cumulative += histogram->counts[i];
			g_string_append_printf(out, "%s_bucket{route=\"", name);
			append_escaped(out, l->data);
			g_string_append_printf(out,
					       "\",le=\"%s\"} ",
					       g_ascii_formatd(le, sizeof le, "%g", buckets[i]));
			append_value(out, (gdouble)cumulative);
		}
		g_string_append_printf(out, "%s_bucket{route=\"", name);
		append_escaped(out, l->data);
		g_string_append(out, "\",le=\"+Inf\"} ");
		append_value(out, (gdouble)histogram->count);
		g_string_append_printf(out, "%s_sum{route=\"", name);
		append_escaped(out, l->data);
		g_string_append(out, "\"} ");
		append_value(out, histogram->sum);
		g_string_append_printf(out, "%s_count{route=\"", name);
		append_escaped(out, l->data);
		g_string_append(out, "\"} ");
		append_value(out, (gdouble)histogram->count);
	}
}

static void
render_bytes(VfHttpMetrics *self, GString *out)
{
	g_autoptr(GList) keys = sorted_keys(self->bytes);

	vf_http_metrics_append_header(out,
				      "videoflix_http_response_bytes_total",
				      "counter",
				      "Bytes of response bodies sent, by route.");
	for (GList *l = keys; l != NULL; l = l->next) {
		guint64 *value = g_hash_table_lookup(self->bytes, l->data);
		vf_http_metrics_append_sample(
		    out, "videoflix_http_response_bytes_total", "route", l->data, (gdouble)*value);
	}
}

gchar *
vf_http_metrics_render(VfHttpMetrics *self)
{
	GString *out = g_string_new(NULL);

	vf_http_metrics_append_header(out,
				      "videoflix_start_time_seconds",
				      "gauge",
				      "Start time of the process since the epoch.");
	vf_http_metrics_append_sample(
	    out, "videoflix_start_time_seconds", NULL, NULL, (gdouble)self->start_s);
	render_requests(self, out);
	render_latencies(self, out);
	render_bytes(self, out);
	for (guint i = 0; i < self->collectors->len; i++) {
		Collector *collector = &g_array_index(self->collectors, Collector, i);
		collector->func(out, collector->user_data);
	}
	return g_string_free(out, FALSE);
}
