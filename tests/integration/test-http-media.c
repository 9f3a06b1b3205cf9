/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Public thumbnails through the whole server (router, layers, files): content
 * types, 304, Range, a traversal table of raw paths (percent-encodings, NUL,
 * symlinks placed in MEDIA_ROOT), CORS on file answers, and /metrics counting them.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "vf-test-daemon.h"
#include "vf-test-util.h"

static VfTestPostgres *pg;

typedef struct {
	VfTestDaemon *daemon;
	gchar *thumbnails;
} Fixture;

static void
fixture_setup(Fixture *fixture, gconstpointer data)
{
	const VfConfig *config;
	g_autofree gchar *secret = NULL;
	g_autofree gchar *link = NULL;
	g_autofree gchar *png = NULL;

	fixture->daemon = vf_test_daemon_new(pg, NULL, NULL);
	config = vf_test_daemon_get_config(fixture->daemon);
	fixture->thumbnails = g_build_filename(config->media_root, "thumbnails", NULL);
	g_assert_cmpint(g_mkdir_with_parents(fixture->thumbnails, 0700), ==, 0);
	png = g_build_filename(fixture->thumbnails, "v1.png", NULL);
	g_assert_true(g_file_set_contents(png, "\x89PNG\r\n\x1a\n0123456789abcdef", 24, NULL));
	secret = g_build_filename(config->media_root, "secret.png", NULL);
	g_assert_true(g_file_set_contents(secret, "secret", -1, NULL));
	link = g_build_filename(fixture->thumbnails, "link.png", NULL);
	g_assert_cmpint(symlink(secret, link), ==, 0);
}

static void
fixture_teardown(Fixture *fixture, gconstpointer data)
{
	vf_test_daemon_free(fixture->daemon);
	g_free(fixture->thumbnails);
}

static void
test_serve(Fixture *fixture, gconstpointer data)
{
	g_autoptr(VfTestResponse) response = NULL;
	g_autoptr(VfTestResponse) again = NULL;
	g_autoptr(VfTestResponse) range = NULL;
	const gchar *origin[] = {"Origin", "http://127.0.0.1:5500", NULL};
	const gchar *etag;

	response = vf_test_daemon_request(
	    fixture->daemon, "GET", "/media/thumbnails/v1.png", origin, NULL, 0);
	vf_test_assert_status(response, 200);
	g_assert_cmpstr(
	    soup_message_headers_get_content_type(response->headers, NULL), ==, "image/png");
	g_assert_cmpuint(g_bytes_get_size(response->body), ==, 24);
	g_assert_cmpstr(
	    soup_message_headers_get_one(response->headers, "Access-Control-Allow-Origin"),
	    ==,
	    "http://127.0.0.1:5500");
	g_assert_true(g_str_has_prefix(
	    soup_message_headers_get_one(response->headers, "Cache-Control"), "public"));
	etag = soup_message_headers_get_one(response->headers, "ETag");
	g_assert_nonnull(etag);
	{
		const gchar *headers[] = {"If-None-Match", etag, NULL};
		again = vf_test_daemon_request(
		    fixture->daemon, "GET", "/media/thumbnails/v1.png", headers, NULL, 0);
		vf_test_assert_status(again, 304);
	}
	{
		const gchar *headers[] = {"Range", "bytes=8-11", NULL};
		range = vf_test_daemon_request(
		    fixture->daemon, "GET", "/media/thumbnails/v1.png/", headers, NULL, 0);
		vf_test_assert_status(range, 206);
		g_assert_cmpmem(
		    g_bytes_get_data(range->body, NULL), g_bytes_get_size(range->body), "0123", 4);
	}
}

static void
test_traversal(Fixture *fixture, gconstpointer data)
{
	const gchar *paths[] = {
	    "/media/thumbnails/../secret.png",
	    "/media/thumbnails/%2e%2e/secret.png",
	    "/media/thumbnails/%2e%2e%2fsecret.png",
	    "/media/thumbnails/..%2fsecret.png",
	    "/media/thumbnails/%2E%2E",
	    "/media/thumbnails/..",
	    "/media/thumbnails/.",
	    "/media/thumbnails/%2fetc%2fpasswd",
	    "/media/thumbnails//etc/passwd",
	    "/media/thumbnails/v1.png%00.png",
	    "/media/thumbnails/v1.png%00",
	    "/media/thumbnails/link.png",
	    "/media/thumbnails/.v1.png",
	    "/media/thumbnails/v1%20.png",
	    "/media/thumbnails/missing.png",
	    "/media/thumbnails/",
	    "/media/secret.png",
	};

	for (guint i = 0; i < G_N_ELEMENTS(paths); i++) {
		g_autoptr(VfTestResponse) response =
		    vf_test_daemon_request(fixture->daemon, "GET", paths[i], NULL, NULL, 0);
		g_test_message("%s", paths[i]);
		g_assert_cmpuint(response->status, ==, 404);
		g_assert_cmpstr(vf_test_response_get_string(response, "detail"), ==, "Not found.");
	}
}

static void
test_metrics(Fixture *fixture, gconstpointer data)
{
	g_autoptr(VfTestResponse) served = vf_test_daemon_request(
	    fixture->daemon, "GET", "/media/thumbnails/v1.png", NULL, NULL, 0);
	g_autoptr(VfTestResponse) missing =
	    vf_test_daemon_request(fixture->daemon, "GET", "/nope", NULL, NULL, 0);
	g_autoptr(VfTestResponse) metrics =
	    vf_test_daemon_request(fixture->daemon, "GET", "/metrics", NULL, NULL, 0);
	g_autofree gchar *text = NULL;

	vf_test_assert_status(metrics, 200);
	g_assert_true(g_str_has_prefix(
	    soup_message_headers_get_content_type(metrics->headers, NULL), "text/plain"));
	text = g_strndup(g_bytes_get_data(metrics->body, NULL), g_bytes_get_size(metrics->body));
	g_assert_nonnull(strstr(text,
				"videoflix_http_requests_total{method=\"GET\",route=\"/media/"
				"thumbnails/{file}\",status=\"200\"} 1\n"));
	g_assert_nonnull(strstr(text,
				"videoflix_http_requests_total{method=\"GET\",route=\"unmatched\","
				"status=\"404\"} 1\n"));
	g_assert_nonnull(strstr(
	    text, "videoflix_http_response_bytes_total{route=\"/media/thumbnails/{file}\"} 24\n"));
	g_assert_nonnull(strstr(text,
				"videoflix_http_request_duration_seconds_count{route=\"/media/"
				"thumbnails/{file}\"} 1\n"));
}

static void
test_readyz_media(Fixture *fixture, gconstpointer data)
{
	const VfConfig *config = vf_test_daemon_get_config(fixture->daemon);
	g_autoptr(VfTestResponse) ready = NULL;
	g_autoptr(VfTestResponse) unready = NULL;
	g_autofree gchar *moved = g_strconcat(config->media_root, ".away", NULL);

	ready = vf_test_daemon_request(fixture->daemon, "GET", "/readyz", NULL, NULL, 0);
	vf_test_assert_status(ready, 200);
	/* root passes every permission check, so take the folder away instead */
	g_assert_cmpint(g_rename(config->media_root, moved), ==, 0);
	unready = vf_test_daemon_request(fixture->daemon, "GET", "/readyz", NULL, NULL, 0);
	g_assert_cmpint(g_rename(moved, config->media_root), ==, 0);
	vf_test_assert_status(unready, 503);
	g_assert_cmpstr(
	    vf_test_response_get_string(unready, "detail"), ==, "MEDIA_ROOT is not writable.");
}

int
main(int argc, char **argv)
{
	int result;

	vf_test_init(&argc, &argv, 240);
	pg = vf_test_postgres_new();
	g_test_add("/http/media/serve", Fixture, NULL, fixture_setup, test_serve, fixture_teardown);
	g_test_add("/http/media/traversal",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_traversal,
		   fixture_teardown);
	g_test_add(
	    "/http/media/metrics", Fixture, NULL, fixture_setup, test_metrics, fixture_teardown);
	g_test_add("/http/media/readyz",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_readyz_media,
		   fixture_teardown);
	result = g_test_run();
	vf_test_postgres_free(pg);
	return result;
}
