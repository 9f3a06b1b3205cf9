/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The Prometheus text exposition: counters by route and status, cumulative
 * histogram buckets, escaped label values and collectors' families.
 */
#include "config.h"

#include <string.h>

#include "vf-http-metrics.h"
#include "vf-test-util.h"

static void
assert_has_line(const gchar *text, const gchar *line)
{
	g_autofree gchar *needle = g_strdup_printf("\n%s\n", line);
	g_autofree gchar *haystack = g_strdup_printf("\n%s", text);
	if (strstr(haystack, needle) == NULL)
		g_error("no line «%s» in:\n%s", line, text);
}

static void
collect_cb(GString *out, gpointer user_data)
{
	vf_http_metrics_append_header(out, "videoflix_jobs", "gauge", "Jobs by state.");
	vf_http_metrics_append_sample(out, "videoflix_jobs", "state", "queued", 3);
	vf_http_metrics_append_sample(out, "videoflix_jobs", "state", "we\"ird\\\n", 0.5);
	(*(guint *)user_data)++;
}

static void
test_render(void)
{
	g_autoptr(VfHttpMetrics) metrics = vf_http_metrics_new();
	g_autofree gchar *text = NULL;
	guint calls = 0;

	vf_http_metrics_observe_request(metrics, "GET", "/api/video/", 200, 0.003, 100);
	vf_http_metrics_observe_request(metrics, "GET", "/api/video/", 200, 0.02, 50);
	vf_http_metrics_observe_request(metrics, "GET", "/api/video/", 401, 20.0, 10);
	vf_http_metrics_observe_request(metrics, "POST", NULL, 404, 0.0001, 0);
	vf_http_metrics_add_collector(metrics, collect_cb, &calls, NULL);
	text = vf_http_metrics_render(metrics);

	assert_has_line(text, "# TYPE videoflix_http_requests_total counter");
	assert_has_line(text,
			"videoflix_http_requests_total{method=\"GET\",route=\"/api/video/\","
			"status=\"200\"} 2");
	assert_has_line(text,
			"videoflix_http_requests_total{method=\"GET\",route=\"/api/video/\","
			"status=\"401\"} 1");
	assert_has_line(text,
			"videoflix_http_requests_total{method=\"POST\",route=\"unmatched\","
			"status=\"404\"} 1");
	assert_has_line(text, "# TYPE videoflix_http_request_duration_seconds histogram");
	assert_has_line(text,
			"videoflix_http_request_duration_seconds_bucket{route=\"/api/video/\","
			"le=\"0.001\"} 0");
	assert_has_line(text,
			"videoflix_http_request_duration_seconds_bucket{route=\"/api/video/\","
			"le=\"0.005\"} 1");
	assert_has_line(text,
			"videoflix_http_request_duration_seconds_bucket{route=\"/api/video/\","
			"le=\"10\"} 2");
	assert_has_line(text,
			"videoflix_http_request_duration_seconds_bucket{route=\"/api/video/\","
			"le=\"+Inf\"} 3");
	assert_has_line(text,
			"videoflix_http_request_duration_seconds_count{route=\"/api/video/\"} 3");
	assert_has_line(
	    text, "videoflix_http_request_duration_seconds_sum{route=\"/api/video/\"} 20.023");
	assert_has_line(text, "videoflix_http_response_bytes_total{route=\"/api/video/\"} 160");
	assert_has_line(text, "videoflix_jobs{state=\"queued\"} 3");
	assert_has_line(text, "videoflix_jobs{state=\"we\\\"ird\\\\\\n\"} 0.5");
	g_assert_cmpuint(calls, ==, 1);
	g_assert_true(g_str_has_suffix(text, "\n"));
}

int
main(int argc, char **argv)
{
	vf_test_init(&argc, &argv, 60);
	g_test_add_func("/http/metrics/render", test_render);
	return g_test_run();
}
