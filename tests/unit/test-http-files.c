/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Serving files from a folder through an in-process libsoup server: headers of
 * each kind, conditional requests (304), Range (206/416, answered by libsoup from
 * the mapped body) and a table of names that must never leave the folder.
 */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vf-error.h"
#include "vf-http-files.h"
#include "vf-http-request-private.h"
#include "vf-test-util.h"

typedef struct {
	gchar *root; /* a temp folder: dir/ is served, outside.ts is next to it */
	gchar *dir;
	SoupServer *server;
	SoupSession *session;
	gchar *base;
	GByteArray *segment;
} Fixture;

typedef struct {
	guint status;
	SoupMessageHeaders *headers;
	GBytes *body;
} Response;

static void
response_free(Response *response)
{
	soup_message_headers_unref(response->headers);
	g_bytes_unref(response->body);
	g_free(response);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Response, response_free)

static void
handler_cb(SoupServer *server,
	   SoupServerMessage *msg,
	   const char *path,
	   GHashTable *query,
	   gpointer user_data)
{
	Fixture *fixture = user_data;
	g_autoptr(VfHttpRequest) request = vf_http_request_new(NULL, msg, "test");
	g_autoptr(GError) error = NULL;
	const gchar *name = query != NULL ? g_hash_table_lookup(query, "name") : NULL;
	const gchar *kind = query != NULL ? g_hash_table_lookup(query, "kind") : NULL;
	VfHttpFileKind file_kind = VF_HTTP_FILE_SEGMENT;

	if (g_strcmp0(kind, "playlist") == 0)
		file_kind = VF_HTTP_FILE_PLAYLIST;
	else if (g_strcmp0(kind, "thumbnail") == 0)
		file_kind = VF_HTTP_FILE_THUMBNAIL;
	if (!vf_http_files_respond(request, fixture->dir, name, file_kind, &error)) {
		g_assert_error(error, VF_ERROR, VF_ERROR_NOT_FOUND);
		vf_http_request_respond_detail(request, 404, "Not found.");
	}
}

static void
sent_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	GBytes **out = user_data;
	g_autoptr(GError) error = NULL;

	*out = soup_session_send_and_read_finish(SOUP_SESSION(source), result, &error);
	g_assert_no_error(error);
}

static gboolean
bytes_ready(gpointer data)
{
	return *(GBytes **)data != NULL;
}

static Response *
get(Fixture *fixture, const gchar *name, const gchar *kind, const gchar *const *headers)
{
	g_autofree gchar *escaped = g_uri_escape_string(name, NULL, FALSE);
	g_autofree gchar *url = g_strdup_printf("%s?name=%s&kind=%s", fixture->base, escaped, kind);
	g_autoptr(SoupMessage) msg = soup_message_new("GET", url);
	Response *response = g_new0(Response, 1);

	for (guint i = 0; headers != NULL && headers[i] != NULL; i += 2)
		soup_message_headers_append(
		    soup_message_get_request_headers(msg), headers[i], headers[i + 1]);
	soup_session_send_and_read_async(
	    fixture->session, msg, G_PRIORITY_DEFAULT, NULL, sent_cb, &response->body);
	g_assert_true(vf_test_wait_until(bytes_ready, &response->body, 30000));
	response->status = soup_message_get_status(msg);
	response->headers = soup_message_headers_ref(soup_message_get_response_headers(msg));
	return response;
}

static void
write_file(const gchar *dir, const gchar *name, const void *data, gsize len)
{
	g_autofree gchar *path = g_build_filename(dir, name, NULL);
	g_assert_true(g_file_set_contents(path, data, (gssize)len, NULL));
}

static void
fixture_setup(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GSList) uris = NULL;
	g_autofree gchar *link_out = NULL;
	g_autofree gchar *link_in = NULL;
	g_autofree gchar *fifo = NULL;
	g_autofree gchar *sub = NULL;
	g_autofree gchar *outside = NULL;

	fixture->root = vf_test_make_tmpdir("vf-files-");
	fixture->dir = g_build_filename(fixture->root, "dir", NULL);
	g_assert_cmpint(g_mkdir(fixture->dir, 0700), ==, 0);
	fixture->segment = g_byte_array_new();
	for (guint i = 0; i < 100000; i++) {
		guint8 b = (guint8)(i * 31 + i / 256);
		g_byte_array_append(fixture->segment, &b, 1);
	}
	write_file(fixture->dir, "seg_000.ts", fixture->segment->data, fixture->segment->len);
	write_file(fixture->dir, "index.m3u8", "#EXTM3U\n", 8);
	write_file(fixture->dir, "thumb.JPG", "\xff\xd8\xff", 3);
	write_file(fixture->dir, "empty.ts", "", 0);
	write_file(fixture->root, "outside.ts", "secret", 6);
	outside = g_build_filename(fixture->root, "outside.ts", NULL);
	link_out = g_build_filename(fixture->dir, "link_out.ts", NULL);
	g_assert_cmpint(symlink(outside, link_out), ==, 0);
	link_in = g_build_filename(fixture->dir, "link_in.ts", NULL);
	g_assert_cmpint(symlink("seg_000.ts", link_in), ==, 0);
	fifo = g_build_filename(fixture->dir, "fifo.ts", NULL);
	g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
	sub = g_build_filename(fixture->dir, "sub.ts", NULL);
	g_assert_cmpint(g_mkdir(sub, 0700), ==, 0);

	fixture->server = soup_server_new(NULL, NULL);
	soup_server_add_handler(fixture->server, "/f", handler_cb, fixture, NULL);
	g_assert_true(
	    soup_server_listen_local(fixture->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
	g_assert_no_error(error);
	uris = soup_server_get_uris(fixture->server);
	fixture->base = g_strdup_printf("http://127.0.0.1:%d/f", g_uri_get_port(uris->data));
	g_slist_free_full(g_steal_pointer(&uris), (GDestroyNotify)g_uri_unref);
	fixture->session = soup_session_new();
}

static void
fixture_teardown(Fixture *fixture, gconstpointer data)
{
	g_clear_object(&fixture->session);
	soup_server_disconnect(fixture->server);
	g_clear_object(&fixture->server);
	vf_test_rm_rf(fixture->root);
	g_free(fixture->root);
	g_free(fixture->dir);
	g_free(fixture->base);
	g_byte_array_unref(fixture->segment);
}

static void
test_kinds(Fixture *fixture, gconstpointer data)
{
	struct {
		const gchar *name;
		const gchar *kind;
		const gchar *content_type;
		const gchar *cache_control;
	} rows[] = {
	    {"seg_000.ts", "segment", "video/MP2T", "private, max-age=300"},
	    {"index.m3u8", "playlist", "application/vnd.apple.mpegurl", "private"},
	    {"thumb.JPG", "thumbnail", "image/jpeg", "public, max-age=3600"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
		g_autoptr(Response) response = get(fixture, rows[i].name, rows[i].kind, NULL);
		g_assert_cmpuint(response->status, ==, 200);
		g_assert_cmpstr(soup_message_headers_get_content_type(response->headers, NULL),
				==,
				rows[i].content_type);
		g_assert_cmpstr(soup_message_headers_get_one(response->headers, "Cache-Control"),
				==,
				rows[i].cache_control);
		g_assert_nonnull(soup_message_headers_get_one(response->headers, "ETag"));
		g_assert_nonnull(soup_message_headers_get_one(response->headers, "Last-Modified"));
	}
	{
		g_autoptr(Response) response = get(fixture, "seg_000.ts", "segment", NULL);
		g_assert_cmpmem(g_bytes_get_data(response->body, NULL),
				g_bytes_get_size(response->body),
				fixture->segment->data,
				fixture->segment->len);
	}
	{
		g_autoptr(Response) response = get(fixture, "empty.ts", "segment", NULL);
		g_assert_cmpuint(response->status, ==, 200);
		g_assert_cmpuint(g_bytes_get_size(response->body), ==, 0);
	}
}

static void
test_conditional(Fixture *fixture, gconstpointer data)
{
	g_autoptr(Response) first = get(fixture, "seg_000.ts", "segment", NULL);
	const gchar *etag = soup_message_headers_get_one(first->headers, "ETag");
	const gchar *last_modified = soup_message_headers_get_one(first->headers, "Last-Modified");
	g_autofree gchar *weak = g_strdup_printf("W/%s", etag);
	g_autofree gchar *list = g_strdup_printf("\"nope\", %s", etag);
	struct {
		const gchar *header;
		const gchar *value;
		guint status;
	} rows[] = {
	    {"If-None-Match", etag, 304},
	    {"If-None-Match", weak, 304},
	    {"If-None-Match", list, 304},
	    {"If-None-Match", "*", 304},
	    {"If-None-Match", "\"other\"", 200},
	    {"If-Modified-Since", last_modified, 304},
	    {"If-Modified-Since", "Thu, 01 Jan 1970 00:00:00 GMT", 200},
	    {"If-Modified-Since", "garbage", 200},
	};

	for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
		const gchar *headers[] = {rows[i].header, rows[i].value, NULL};
		g_autoptr(Response) response = get(fixture, "seg_000.ts", "segment", headers);
		g_assert_cmpuint(response->status, ==, rows[i].status);
		g_assert_cmpstr(soup_message_headers_get_one(response->headers, "ETag"), ==, etag);
		if (rows[i].status == 304)
			g_assert_cmpuint(g_bytes_get_size(response->body), ==, 0);
		else
			g_assert_cmpuint(
			    g_bytes_get_size(response->body), ==, fixture->segment->len);
	}
}

static void
test_range(Fixture *fixture, gconstpointer data)
{
	gsize size = fixture->segment->len;
	g_autofree gchar *past = g_strdup_printf("bytes=%" G_GSIZE_FORMAT "-", size);
	g_autofree gchar *last = g_strdup_printf("bytes 99990-99999/%" G_GSIZE_FORMAT, size);
	struct {
		const gchar *range;
		guint status;
		gsize offset;
		gsize length;
		const gchar *content_range;
	} rows[] = {
	    {"bytes=0-9", 206, 0, 10, "bytes 0-9/100000"},
	    {"bytes=500-1499", 206, 500, 1000, "bytes 500-1499/100000"},
	    {"bytes=-10", 206, size - 10, 10, last},
	    {"bytes=99990-", 206, size - 10, 10, last},
	    {"bytes=99990-200000", 206, size - 10, 10, last},
	    {past, 416, 0, 0, "bytes */100000"},
	    {"bytes=200000-300000", 416, 0, 0, "bytes */100000"},
	    {"bytes=abc", 200, 0, size, NULL},
	    {"lines=0-9", 200, 0, size, NULL},
	};

	for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
		const gchar *headers[] = {"Range", rows[i].range, NULL};
		g_autoptr(Response) response = get(fixture, "seg_000.ts", "segment", headers);
		g_test_message("Range: %s", rows[i].range);
		g_assert_cmpuint(response->status, ==, rows[i].status);
		g_assert_cmpstr(soup_message_headers_get_one(response->headers, "Content-Range"),
				==,
				rows[i].content_range);
		if (rows[i].status != 416)
			g_assert_cmpmem(g_bytes_get_data(response->body, NULL),
					g_bytes_get_size(response->body),
					fixture->segment->data + rows[i].offset,
					rows[i].length);
	}
	{
		/* two ranges: multipart/byteranges */
		const gchar *headers[] = {"Range", "bytes=0-1,10-11", NULL};
		g_autoptr(Response) response = get(fixture, "seg_000.ts", "segment", headers);
		g_assert_cmpuint(response->status, ==, 206);
		g_assert_true(
		    g_str_has_prefix(soup_message_headers_get_content_type(response->headers, NULL),
				     "multipart/byteranges"));
	}
}

static void
test_traversal(Fixture *fixture, gconstpointer data)
{
	const gchar *names[] = {
	    "",
	    ".",
	    "..",
	    "../outside.ts",
	    "..%2foutside.ts",
	    "%2e%2e",
	    "/etc/passwd",
	    "dir/seg_000.ts",
	    ".hidden",
	    "seg_000.ts/",
	    "seg_000.ts ",
	    "seg..ts",
	    "seg\\000.ts",
	    "link_out.ts",
	    "link_in.ts",
	    "fifo.ts",
	    "sub.ts",
	    "missing.ts",
	    "sëg.ts",
	};

	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		g_autoptr(Response) response = get(fixture, names[i], "segment", NULL);
		g_test_message("name: %s", names[i]);
		g_assert_cmpuint(response->status, ==, 404);
	}
	g_assert_true(vf_http_files_name_is_safe("seg_000.ts"));
	g_assert_true(vf_http_files_name_is_safe("a-B_9.m3u8"));
	g_assert_false(vf_http_files_name_is_safe(NULL));
}

int
main(int argc, char **argv)
{
	vf_test_init(&argc, &argv, 120);
	g_test_add("/http/files/kinds", Fixture, NULL, fixture_setup, test_kinds, fixture_teardown);
	g_test_add("/http/files/conditional",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_conditional,
		   fixture_teardown);
	g_test_add("/http/files/range", Fixture, NULL, fixture_setup, test_range, fixture_teardown);
	g_test_add("/http/files/traversal",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_traversal,
		   fixture_teardown);
	return g_test_run();
}
