/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The catalogue end to end through the in-process daemon with the real catalog
 * service, job queue and videoflix-worker children: an admin uploads a generated
 * clip by multipart, it is transcoded, a user lists it and streams the master,
 * every playlist and segment (decoded by GStreamer); the upload table of refusals
 * (nothing left on disk or in the database); traversal and Range on segments.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vf-http-server.h"
#include "vf-test-daemon.h"
#include "vf-test-upload.h"
#include "vf-test-util.h"

#define BOUNDARY      VF_TEST_BOUNDARY
#define ADMIN_EMAIL   "admin@example.com"
#define USER_EMAIL    "user@example.com"
#define PASSWORD      "password-123"
#define READY_TIMEOUT 240

static VfTestPostgres *pg;

typedef struct {
	VfTestDaemon *daemon;
	gchar *tmpdir;	   /* generated inputs */
	gchar *clip;	   /* a 3-s 640x360 mp4 with audio */
	gchar *admin_auth; /* "Bearer …" */
	gchar *admin_cookies;
	gchar *admin_csrf;
	gchar *user_auth;
} Fixture;

typedef VfTestFormPart FormPart;

static gchar *
bearer(VfTestResponse *login)
{
	g_autofree gchar *access = vf_test_response_dup_cookie(login, "access_token");
	g_assert_nonnull(access);
	return g_strdup_printf("Bearer %s", access);
}

static void
fixture_setup(Fixture *fixture, gconstpointer data)
{
	const gchar *const *env = data;
	g_autoptr(VfTestResponse) user = NULL;
	g_autoptr(VfTestResponse) admin = NULL;
	g_autoptr(VfTestResponse) login = NULL;
	g_autofree gchar *access = NULL;

	fixture->daemon = vf_test_daemon_new(pg, NULL, env);
	fixture->tmpdir = vf_test_make_tmpdir("vf-catalog-input-");
	fixture->clip = g_build_filename(fixture->tmpdir, "clip.mp4", NULL);
	vf_test_make_clip(fixture->clip, 90);
	user = vf_test_daemon_create_user(fixture->daemon, USER_EMAIL, PASSWORD);
	fixture->user_auth = bearer(user);
	admin = vf_test_daemon_create_user(fixture->daemon, ADMIN_EMAIL, PASSWORD);
	vf_test_daemon_make_admin(fixture->daemon, ADMIN_EMAIL);
	login = vf_test_daemon_post_json(fixture->daemon,
					 "/api/login/",
					 "{\"email\": \"" ADMIN_EMAIL
					 "\", \"password\": \"" PASSWORD "\"}",
					 NULL);
	vf_test_assert_status(login, 200);
	fixture->admin_auth = bearer(login);
	access = vf_test_response_dup_cookie(login, "access_token");
	fixture->admin_csrf = vf_test_response_dup_cookie(login, "csrftoken");
	fixture->admin_cookies =
	    g_strdup_printf("access_token=%s; csrftoken=%s", access, fixture->admin_csrf);
}

static void
fixture_teardown(Fixture *fixture, gconstpointer data)
{
	vf_test_daemon_free(fixture->daemon);
	vf_test_rm_rf(fixture->tmpdir);
	g_free(fixture->tmpdir);
	g_free(fixture->clip);
	g_free(fixture->admin_auth);
	g_free(fixture->admin_cookies);
	g_free(fixture->admin_csrf);
	g_free(fixture->user_auth);
}

static VfTestResponse *
send_form(
    Fixture *fixture, const gchar *method, const gchar *path, const gchar *auth, GByteArray *body)
{
	const gchar *headers[] = {"Content-Type",
				  "multipart/form-data; boundary=" BOUNDARY,
				  auth != NULL ? "Authorization" : NULL,
				  auth,
				  NULL};
	return vf_test_daemon_request(
	    fixture->daemon, method, path, headers, (const gchar *)body->data, (gssize)body->len);
}

static VfTestResponse *
get(Fixture *fixture, const gchar *path, const gchar *auth)
{
	const gchar *headers[] = {"Authorization", auth, NULL};
	return vf_test_daemon_request(
	    fixture->daemon, "GET", path, auth != NULL ? headers : NULL, NULL, 0);
}

static gint64
upload_clip(Fixture *fixture, const gchar *title)
{
	FormPart parts[] = {
	    {"title", NULL, NULL, title},
	    {"description", NULL, NULL, "A generated clip"},
	    {"category", NULL, NULL, "Tests"},
	    {"video_file", "clip.mp4", fixture->clip, NULL},
	};
	g_autoptr(GByteArray) body = vf_test_form_body(parts, G_N_ELEMENTS(parts));
	g_autoptr(VfTestResponse) response =
	    send_form(fixture, "POST", "/api/admin/videos/", fixture->admin_auth, body);
	JsonObject *item;

	vf_test_assert_status(response, 201);
	item = json_node_get_object(response->json);
	g_assert_cmpstr(json_object_get_string_member(item, "title"), ==, title);
	g_assert_cmpstr(json_object_get_string_member(item, "category"), ==, "Tests");
	return json_object_get_int_member(item, "id");
}

typedef struct {
	Fixture *fixture;
	gchar *path;
	gchar *status;
} ReadyPoll;

static gboolean
video_settled(gpointer data)
{
	ReadyPoll *poll = data;
	g_autoptr(VfTestResponse) response =
	    get(poll->fixture, poll->path, poll->fixture->user_auth);
	const gchar *status = vf_test_response_get_string(response, "status");

	g_free(poll->status);
	poll->status = g_strdup(status);
	if (g_strcmp0(status, "ready") == 0 || g_strcmp0(status, "failed") == 0)
		return TRUE;
	vf_test_iterate_for(250);
	return FALSE;
}

static void
wait_ready(Fixture *fixture, gint64 id)
{
	ReadyPoll poll = {fixture, g_strdup_printf("/api/video/%" G_GINT64_FORMAT "/", id), NULL};

	g_assert_true(vf_test_wait_until(video_settled, &poll, READY_TIMEOUT * 1000));
	g_assert_cmpstr(poll.status, ==, "ready");
	g_free(poll.path);
	g_free(poll.status);
}

static gchar *
body_text(VfTestResponse *response)
{
	return g_strndup(g_bytes_get_data(response->body, NULL), g_bytes_get_size(response->body));
}

static void
assert_decodes(const gchar *path)
{
	g_autofree gchar *location = g_strdup_printf("location=%s", path);
	const gchar *argv[] = {"gst-launch-1.0",
			       "-q",
			       "filesrc",
			       location,
			       "!",
			       "tsdemux",
			       "!",
			       "h264parse",
			       "!",
			       "avdec_h264",
			       "!",
			       "fakesink",
			       NULL};
	gint status = 0;

	g_assert_true(g_spawn_sync(NULL,
				   (gchar **)argv,
				   NULL,
				   G_SPAWN_SEARCH_PATH,
				   NULL,
				   NULL,
				   NULL,
				   NULL,
				   &status,
				   NULL));
	g_assert_true(g_spawn_check_wait_status(status, NULL));
}

static guint
count_entries(const gchar *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	guint n = 0;
	while (d != NULL && g_dir_read_name(d) != NULL)
		n++;
	return n;
}

static void
test_upload_and_stream(Fixture *fixture, gconstpointer data)
{
	const gchar *resolutions[] = {"480p", "720p", "1080p"};
	/* quotes, a backslash, a control character and UTF-8 must survive the list's JSON */
	const gchar *title = "Ball \"quoted\" \\ tab\t ü";
	gint64 id = upload_clip(fixture, title);
	g_autofree gchar *prefix = g_strdup_printf("/api/video/%" G_GINT64_FORMAT, id);
	g_autofree gchar *master_path = g_strconcat(prefix, "/master.m3u8", NULL);
	g_autoptr(VfTestResponse) list = NULL;
	g_autoptr(VfTestResponse) master = NULL;
	g_autoptr(VfTestResponse) thumbnail = NULL;
	g_autoptr(VfTestResponse) metrics = NULL;
	g_autofree gchar *master_text = NULL;
	g_autofree gchar *metrics_text = NULL;
	const gchar *public_url = vf_test_daemon_get_config(fixture->daemon)->public_url;
	JsonObject *item;
	const gchar *thumbnail_url;

	wait_ready(fixture, id);

	list = get(fixture, "/api/video/", fixture->user_auth);
	vf_test_assert_status(list, 200);
	g_assert_true(JSON_NODE_HOLDS_ARRAY(list->json));
	g_assert_cmpuint(json_array_get_length(json_node_get_array(list->json)), ==, 1);
	item = json_array_get_object_element(json_node_get_array(list->json), 0);
	g_assert_cmpint(json_object_get_int_member(item, "id"), ==, id);
	g_assert_cmpstr(json_object_get_string_member(item, "status"), ==, "ready");
	g_assert_cmpstr(json_object_get_string_member(item, "description"), ==, "A generated clip");
	g_assert_cmpstr(json_object_get_string_member(item, "title"), ==, title);
	g_assert_cmpstr(json_object_get_string_member(item, "category"), ==, "Tests");
	g_assert_cmpfloat(json_object_get_double_member(item, "duration"), >, 2.0);
	g_assert_cmpuint(
	    json_array_get_length(json_object_get_array_member(item, "resolutions")), ==, 3);
	thumbnail_url = json_object_get_string_member(item, "thumbnail_url");
	g_assert_nonnull(thumbnail_url);
	g_assert_true(g_str_has_prefix(thumbnail_url, public_url));
	thumbnail = get(fixture, thumbnail_url + strlen(public_url), NULL);
	vf_test_assert_status(thumbnail, 200);
	g_assert_true(g_str_has_prefix(
	    soup_message_headers_get_content_type(thumbnail->headers, NULL), "image/"));

	master = get(fixture, master_path, fixture->user_auth);
	vf_test_assert_status(master, 200);
	g_assert_cmpstr(soup_message_headers_get_content_type(master->headers, NULL),
			==,
			"application/vnd.apple.mpegurl");
	g_assert_cmpstr(
	    soup_message_headers_get_one(master->headers, "Cache-Control"), ==, "private");
	master_text = body_text(master);
	for (guint r = 0; r < G_N_ELEMENTS(resolutions); r++) {
		g_autofree gchar *uri = g_strdup_printf("%s/index.m3u8", resolutions[r]);
		g_autofree gchar *playlist_path =
		    g_strdup_printf("%s/%s/index.m3u8", prefix, resolutions[r]);
		g_autoptr(VfTestResponse) playlist =
		    get(fixture, playlist_path, fixture->user_auth);
		g_autofree gchar *text = NULL;
		g_auto(GStrv) lines = NULL;
		g_autofree gchar *joined = g_build_filename(fixture->tmpdir, "joined.ts", NULL);
		g_autoptr(GByteArray) all = g_byte_array_new();
		guint segments = 0;

		g_assert_nonnull(strstr(master_text, uri));
		vf_test_assert_status(playlist, 200);
		g_assert_cmpstr(soup_message_headers_get_one(playlist->headers, "Cache-Control"),
				==,
				"private");
		text = body_text(playlist);
		g_assert_true(g_str_has_prefix(text, "#EXTM3U"));
		lines = g_strsplit(text, "\n", -1);
		for (guint i = 0; lines[i] != NULL; i++) {
			g_autofree gchar *segment_path = NULL;
			g_autoptr(VfTestResponse) segment = NULL;

			if (*lines[i] == '#' || *g_strstrip(lines[i]) == '\0')
				continue;
			g_assert_null(strchr(lines[i], '/'));
			segment_path =
			    g_strdup_printf("%s/%s/%s/", prefix, resolutions[r], lines[i]);
			segment = get(fixture, segment_path, fixture->user_auth);
			vf_test_assert_status(segment, 200);
			g_assert_cmpstr(
			    soup_message_headers_get_content_type(segment->headers, NULL),
			    ==,
			    "video/MP2T");
			g_assert_cmpstr(
			    soup_message_headers_get_one(segment->headers, "Cache-Control"),
			    ==,
			    "private, max-age=300");
			g_assert_nonnull(soup_message_headers_get_one(segment->headers, "ETag"));
			g_byte_array_append(all,
					    g_bytes_get_data(segment->body, NULL),
					    (guint)g_bytes_get_size(segment->body));
			segments++;
		}
		g_assert_cmpuint(segments, >, 0);
		g_assert_true(
		    g_file_set_contents(joined, (const gchar *)all->data, all->len, NULL));
		assert_decodes(joined);
	}

	metrics = get(fixture, "/metrics", NULL);
	metrics_text = body_text(metrics);
	g_assert_nonnull(strstr(metrics_text, "videoflix_jobs{state=\"succeeded\"} 1\n"));
	g_assert_nonnull(strstr(metrics_text, "videoflix_transcode_seconds_total "));
	g_assert_nonnull(strstr(
	    metrics_text, "route=\"/api/video/{id}/{resolution}/{segment}/\",status=\"200\"}"));
}

/* a request sent byte for byte (a client library would normalise "%2e%2e" and
 * "../" away before the server saw them), from a thread while the loop runs */
typedef struct {
	guint16 port;
	gchar *request;
	gchar *answer;
	gboolean done;
} RawRequest;

static gpointer
raw_thread(gpointer data)
{
	RawRequest *raw = data;
	g_autoptr(GSocketClient) client = g_socket_client_new();
	g_autoptr(GSocketConnection) connection =
	    g_socket_client_connect_to_host(client, "127.0.0.1", raw->port, NULL, NULL);
	g_autoptr(GByteArray) answer = g_byte_array_new();
	guint8 buffer[4096];
	gssize n;

	g_assert_nonnull(connection);
	g_assert_true(
	    g_output_stream_write_all(g_io_stream_get_output_stream(G_IO_STREAM(connection)),
				      raw->request,
				      strlen(raw->request),
				      NULL,
				      NULL,
				      NULL));
	while ((n = g_input_stream_read(g_io_stream_get_input_stream(G_IO_STREAM(connection)),
					buffer,
					sizeof buffer,
					NULL,
					NULL)) > 0)
		g_byte_array_append(answer, buffer, (guint)n);
	g_byte_array_append(answer, (const guint8 *)"", 1);
	raw->answer = (gchar *)g_byte_array_free(g_steal_pointer(&answer), FALSE);
	g_atomic_int_set(&raw->done, TRUE);
	return NULL;
}

static gboolean
raw_done(gpointer data)
{
	return g_atomic_int_get(&((RawRequest *)data)->done);
}

/* the status line and body of a raw GET */
static gchar *
raw_get(Fixture *fixture, const gchar *path, const gchar *auth)
{
	const gchar *url = vf_test_daemon_get_url(fixture->daemon);
	RawRequest raw = {(guint16)atoi(strrchr(url, ':') + 1), NULL, NULL, FALSE};
	GThread *thread;

	raw.request = g_strdup_printf("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
				      "%s\r\nConnection: close\r\n\r\n",
				      path,
				      auth);
	thread = g_thread_new("raw-client", raw_thread, &raw);
	g_assert_true(vf_test_wait_until(raw_done, &raw, 30000));
	g_thread_join(thread);
	g_free(raw.request);
	return raw.answer;
}

static void
test_segments(Fixture *fixture, gconstpointer data)
{
	gint64 id = upload_clip(fixture, "Segments");
	g_autofree gchar *base = g_strdup_printf("/api/video/%" G_GINT64_FORMAT "/480p/", id);
	g_autofree gchar *seg = NULL;
	g_autoptr(VfTestResponse) whole = NULL;
	const VfConfig *config = vf_test_daemon_get_config(fixture->daemon);
	g_autofree gchar *outside = g_build_filename(config->media_root, "outside.ts", NULL);
	g_autofree gchar *ladder_dir = NULL;
	g_autofree gchar *link = NULL;
	gsize size;
	struct {
		const gchar *path;
		const gchar *detail;
	} traversal[] = {
	    {"/api/video/{id}/480p/..%2f..%2f..%2foutside.ts/", "Not found."},
	    /* libsoup removes dot segments, encoded or not (RFC 3986), before routing: these
	     * become other paths, never a file outside the rendition */
	    {"/api/video/{id}/480p/x/%2e%2e/%2E%2E/%2e%2e/%2e%2e/outside.ts", "Not found."},
	    {"/api/video/{id}/480p/%2e%2e%2findex.m3u8/", "Not found."},
	    {"/api/video/{id}/480p/%2fetc%2fpasswd/", "Not found."},
	    {"/api/video/{id}/480p/seg_000.ts%00/", "Not found."},
	    {"/api/video/{id}/480p/.hidden/", "Not found."},
	    {"/api/video/{id}/480p/link.ts/", "Not found."},
	    {"/api/video/{id}/480p/../../../outside.ts", "Not found."},
	    {"/api/video/{id}/480p/..%5c..%5coutside.ts/", "Not found."},
	    {"/api/video/{id}/480p/seg_999.ts/", "Not found."},
	    {"/api/video/{id}/360p/seg_000.ts/", "Unsupported resolution"},
	    {"/api/video/{id}/360p/index.m3u8", "Unsupported resolution"},
	    {"/api/video/999999/480p/seg_000.ts/", "Not found."},
	    {"/api/video/999999/480p/index.m3u8", "Not found."},
	    {"/api/video/abc/480p/index.m3u8", "Not found."},
	};
	g_autofree gchar *id_text = g_strdup_printf("%" G_GINT64_FORMAT, id);

	wait_ready(fixture, id);
	{
		g_autofree gchar *playlist_path = g_strconcat(base, "index.m3u8", NULL);
		g_autoptr(VfTestResponse) playlist =
		    get(fixture, playlist_path, fixture->user_auth);
		g_autofree gchar *text = body_text(playlist);
		g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

		vf_test_assert_status(playlist, 200);
		for (guint i = 0; lines[i] != NULL && seg == NULL; i++) {
			if (*lines[i] != '#' && *lines[i] != '\0')
				seg = g_strconcat(base, lines[i], "/", NULL);
		}
		g_assert_nonnull(seg);
	}
	/* a symlink placed next to the segments, pointing outside */
	ladder_dir = vf_catalog_service_dup_ladder_dir(
	    vf_test_daemon_get_catalog(fixture->daemon), id, "480p", NULL);
	g_assert_nonnull(ladder_dir);
	g_assert_true(g_file_set_contents(outside, "outside", -1, NULL));
	link = g_build_filename(ladder_dir, "link.ts", NULL);
	g_assert_cmpint(symlink(outside, link), ==, 0);

	for (guint i = 0; i < G_N_ELEMENTS(traversal); i++) {
		g_autoptr(GString) path = g_string_new(traversal[i].path);
		g_autofree gchar *answer = NULL;
		g_autofree gchar *detail =
		    g_strdup_printf("{\"detail\":\"%s\"}", traversal[i].detail);

		g_string_replace(path, "{id}", id_text, 0);
		answer = raw_get(fixture, path->str, fixture->user_auth);
		g_test_message("%s", path->str);
		if (!g_str_has_prefix(answer, "HTTP/1.1 404 ") || !g_str_has_suffix(answer, detail))
			g_error("%s: %s", path->str, answer);
	}

	whole = get(fixture, seg, fixture->user_auth);
	vf_test_assert_status(whole, 200);
	size = g_bytes_get_size(whole->body);
	g_assert_cmpuint(size, >, 1000);
	{
		g_autofree gchar *past = g_strdup_printf("bytes=%" G_GSIZE_FORMAT "-", size);
		g_autofree gchar *tail = g_strdup_printf("bytes %" G_GSIZE_FORMAT
							 "-%" G_GSIZE_FORMAT "/%" G_GSIZE_FORMAT,
							 size - 100,
							 size - 1,
							 size);
		g_autofree gchar *unsatisfied = g_strdup_printf("bytes */%" G_GSIZE_FORMAT, size);
		g_autofree gchar *head = g_strdup_printf("bytes 0-99/%" G_GSIZE_FORMAT, size);
		struct {
			const gchar *range;
			guint status;
			gsize offset;
			gsize length;
			const gchar *content_range;
		} ranges[] = {
		    {"bytes=0-99", 206, 0, 100, head},
		    {"bytes=-100", 206, size - 100, 100, tail},
		    {"bytes=0-99999999", 206, 0, size, NULL},
		    {past, 416, 0, 0, unsatisfied},
		    {"bytes=x-y", 200, 0, size, NULL},
		};
		for (guint i = 0; i < G_N_ELEMENTS(ranges); i++) {
			const gchar *headers[] = {
			    "Authorization", fixture->user_auth, "Range", ranges[i].range, NULL};
			g_autoptr(VfTestResponse) response =
			    vf_test_daemon_request(fixture->daemon, "GET", seg, headers, NULL, 0);
			g_test_message("Range: %s", ranges[i].range);
			vf_test_assert_status(response, ranges[i].status);
			if (ranges[i].content_range != NULL)
				g_assert_cmpstr(soup_message_headers_get_one(response->headers,
									     "Content-Range"),
						==,
						ranges[i].content_range);
			if (ranges[i].status != 416)
				g_assert_cmpmem(
				    g_bytes_get_data(response->body, NULL),
				    g_bytes_get_size(response->body),
				    (const guint8 *)g_bytes_get_data(whole->body, NULL) +
					ranges[i].offset,
				    ranges[i].length);
		}
	}
	{
		const gchar *headers[] = {"Authorization",
					  fixture->user_auth,
					  "If-None-Match",
					  soup_message_headers_get_one(whole->headers, "ETag"),
					  NULL};
		g_autoptr(VfTestResponse) cached =
		    vf_test_daemon_request(fixture->daemon, "GET", seg, headers, NULL, 0);
		g_autoptr(VfTestResponse) anonymous = get(fixture, seg, NULL);
		vf_test_assert_status(cached, 304);
		vf_test_assert_status(anonymous, 401);
	}
}

static void
assert_nothing_left(Fixture *fixture)
{
	const VfConfig *config = vf_test_daemon_get_config(fixture->daemon);
	g_autofree gchar *tmp = g_build_filename(config->media_root, "tmp", NULL);
	g_autofree gchar *videos =
	    vf_test_daemon_query(fixture->daemon, "SELECT count(*) FROM videos");

	g_assert_cmpuint(count_entries(tmp), ==, 0);
	g_assert_cmpstr(videos, ==, "0");
}

/* as after 30 s without requests: the auth layer's cache no longer knows the user */
static void
forget_user(Fixture *fixture, const gchar *email)
{
	g_autofree gchar *sql = g_strdup_printf("SELECT id FROM users WHERE email = '%s'", email);
	g_autofree gchar *id = vf_test_daemon_query(fixture->daemon, sql);
	VfAccountsService *accounts =
	    vf_http_server_get_accounts(vf_test_daemon_get_server(fixture->daemon));

	vf_accounts_user_cache_forget(vf_accounts_service_get_user_cache(accounts),
				      g_ascii_strtoll(id, NULL, 10));
}

static void
test_upload_cold_cache(Fixture *fixture, gconstpointer data)
{
	FormPart parts[] = {
	    {"title", NULL, NULL, "Cold"},
	    {"video_file", "clip.mp4", fixture->clip, NULL},
	};
	g_autoptr(GByteArray) body = vf_test_form_body(parts, G_N_ELEMENTS(parts));
	g_autoptr(VfTestResponse) refused = NULL;
	g_autoptr(VfTestResponse) created = NULL;
	g_autofree gchar *tmp =
	    g_build_filename(vf_test_daemon_get_config(fixture->daemon)->media_root, "tmp", NULL);

	/* a user the cache does not know yet is looked up before the body is read */
	forget_user(fixture, USER_EMAIL);
	refused = send_form(fixture, "POST", "/api/admin/videos/", fixture->user_auth, body);
	vf_test_assert_status(refused, 403);
	g_assert_cmpuint(count_entries(tmp), ==, 0);
	forget_user(fixture, ADMIN_EMAIL);
	created = send_form(fixture, "POST", "/api/admin/videos/", fixture->admin_auth, body);
	vf_test_assert_status(created, 201);
	g_assert_cmpuint(count_entries(tmp), ==, 0);
}

static void
test_upload_refused(Fixture *fixture, gconstpointer data)
{
	g_autofree gchar *empty = g_build_filename(fixture->tmpdir, "empty.mp4", NULL);
	g_autofree gchar *text = g_build_filename(fixture->tmpdir, "text.mp4", NULL);
	g_autofree gchar *truncated = g_build_filename(fixture->tmpdir, "truncated.mp4", NULL);
	g_autofree gchar *clip_data = NULL;
	gsize clip_len = 0;
	struct {
		const gchar *name;
		FormPart parts[3];
		guint n_parts;
		const gchar *auth; /* "admin", "user" or NULL */
		guint status;
		const gchar *field; /* the field error expected, or NULL for "detail" */
		const gchar *message_prefix;
	} rows[] = {
	    {"no file",
	     {{"title", NULL, NULL, "x"}},
	     1,
	     "admin",
	     400,
	     "video_file",
	     "No file was submitted."},
	    {"empty file",
	     {{"title", NULL, NULL, "x"}, {"video_file", "empty.mp4", empty, NULL}},
	     2,
	     "admin",
	     400,
	     "video_file",
	     "The submitted file is empty."},
	    {"text file",
	     {{"title", NULL, NULL, "x"}, {"video_file", "text.mp4", text, NULL}},
	     2,
	     "admin",
	     400,
	     "video_file",
	     "the file is not a video"},
	    {"truncated video",
	     {{"title", NULL, NULL, "x"}, {"video_file", "clip.mp4", truncated, NULL}},
	     2,
	     "admin",
	     400,
	     "video_file",
	     "the file is damaged or not a video"},
	    {"wrong extension",
	     {{"title", NULL, NULL, "x"}, {"video_file", "clip.txt", fixture->clip, NULL}},
	     2,
	     "admin",
	     400,
	     "video_file",
	     "File extension “txt” is not allowed."},
	    {"wrong field name",
	     {{"title", NULL, NULL, "x"}, {"file", "clip.mp4", fixture->clip, NULL}},
	     2,
	     "admin",
	     400,
	     "video_file",
	     "No file was submitted."},
	    {"video as text field",
	     {{"title", NULL, NULL, "x"}, {"video_file", NULL, NULL, "clip.mp4"}},
	     2,
	     "admin",
	     400,
	     "video_file",
	     "The submitted data was not a file."},
	    {"no title",
	     {{"video_file", "clip.mp4", fixture->clip, NULL}},
	     1,
	     "admin",
	     400,
	     "title",
	     "This field is required."},
	    {"bad thumbnail",
	     {{"title", NULL, NULL, "x"},
	      {"video_file", "clip.mp4", fixture->clip, NULL},
	      {"thumbnail", "t.png", text, NULL}},
	     3,
	     "admin",
	     400,
	     "thumbnail",
	     "Upload a valid image."},
	    {"non-admin",
	     {{"title", NULL, NULL, "x"}, {"video_file", "clip.mp4", fixture->clip, NULL}},
	     2,
	     "user",
	     403,
	     NULL,
	     "You do not have permission"},
	    {"anonymous",
	     {{"title", NULL, NULL, "x"}, {"video_file", "clip.mp4", fixture->clip, NULL}},
	     2,
	     NULL,
	     401,
	     NULL,
	     "Authentication credentials were not provided."},
	};

	g_assert_true(g_file_set_contents(empty, "", 0, NULL));
	g_assert_true(g_file_set_contents(text, "just some text, not a video\n", -1, NULL));
	g_assert_true(g_file_get_contents(fixture->clip, &clip_data, &clip_len, NULL));
	g_assert_true(g_file_set_contents(truncated, clip_data, (gssize)MIN(clip_len, 3000), NULL));

	for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
		g_autoptr(GByteArray) body = vf_test_form_body(rows[i].parts, rows[i].n_parts);
		const gchar *auth = g_strcmp0(rows[i].auth, "admin") == 0 ? fixture->admin_auth
				    : rows[i].auth != NULL		  ? fixture->user_auth
									  : NULL;
		g_autoptr(VfTestResponse) response =
		    send_form(fixture, "POST", "/api/admin/videos/", auth, body);
		const gchar *message;

		g_test_message("row: %s", rows[i].name);
		vf_test_assert_status(response, rows[i].status);
		if (rows[i].field != NULL) {
			JsonArray *errors = json_object_get_array_member(
			    json_node_get_object(response->json), rows[i].field);
			message = json_array_get_string_element(errors, 0);
		} else {
			message = vf_test_response_get_string(response, "detail");
		}
		if (!g_str_has_prefix(message, rows[i].message_prefix))
			g_error("%s: got «%s»", rows[i].name, message);
		assert_nothing_left(fixture);
	}
}

static void
test_upload_malformed(Fixture *fixture, gconstpointer data)
{
	const gchar *bodies[] = {
	    "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nx\r\n",
	    "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"video_file\"; "
	    "filename=\"a.mp4\"\r\n\r\n0123456789",
	    "garbage without any boundary",
	    "--" BOUNDARY "\r\nno colon here\r\n\r\nx\r\n--" BOUNDARY "--\r\n",
	};

	for (guint i = 0; i < G_N_ELEMENTS(bodies); i++) {
		g_autoptr(GByteArray) body = g_byte_array_new();
		g_autoptr(VfTestResponse) response = NULL;

		g_byte_array_append(body, (const guint8 *)bodies[i], (guint)strlen(bodies[i]));
		response =
		    send_form(fixture, "POST", "/api/admin/videos/", fixture->admin_auth, body);
		vf_test_assert_status(response, 400);
		g_assert_true(g_str_has_prefix(vf_test_response_get_string(response, "detail"),
					       "Multipart form parse error - "));
		assert_nothing_left(fixture);
	}
	{
		/* not multipart at all */
		const gchar *headers[] = {
		    "Content-Type", "application/json", "Authorization", fixture->admin_auth, NULL};
		g_autoptr(VfTestResponse) response = vf_test_daemon_request(
		    fixture->daemon, "POST", "/api/admin/videos/", headers, "{}", -1);
		vf_test_assert_status(response, 415);
	}
	{
		/* cookie authentication needs the CSRF header */
		g_autoptr(GByteArray) body = g_byte_array_new();
		const gchar *headers[] = {"Content-Type",
					  "multipart/form-data; boundary=" BOUNDARY,
					  "Cookie",
					  fixture->admin_cookies,
					  NULL};
		g_autoptr(VfTestResponse) response = NULL;

		g_byte_array_append(body, (const guint8 *)bodies[0], (guint)strlen(bodies[0]));
		response = vf_test_daemon_request(fixture->daemon,
						  "POST",
						  "/api/admin/videos/",
						  headers,
						  (const gchar *)body->data,
						  (gssize)body->len);
		vf_test_assert_status(response, 403);
		g_assert_cmpstr(vf_test_response_get_string(response, "detail"),
				==,
				"CSRF Failed: CSRF token missing or incorrect.");
	}
}

/* a request body of unknown length (chunked), counted as it is read */
typedef struct {
	gsize sent;
	gsize total;
	GBytes *head;
} ChunkSource;

static void
chunked_sent_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	GBytes **out = user_data;
	g_autoptr(GError) error = NULL;
	*out = soup_session_send_and_read_finish(SOUP_SESSION(source), result, &error);
	if (*out == NULL)
		*out = g_bytes_new(NULL, 0);
}

static gboolean
bytes_ready(gpointer data)
{
	return *(GBytes **)data != NULL;
}

static void
test_upload_too_large(Fixture *fixture, gconstpointer data)
{
	FormPart parts[] = {
	    {"title", NULL, NULL, "big"},
	    {"video_file", "clip.mp4", fixture->clip, NULL},
	};
	g_autoptr(GByteArray) body = vf_test_form_body(parts, G_N_ELEMENTS(parts));
	g_autoptr(VfTestResponse) response = NULL;
	g_autoptr(SoupSession) session = soup_session_new();
	g_autofree gchar *url =
	    g_strconcat(vf_test_daemon_get_url(fixture->daemon), "/api/admin/videos/", NULL);
	g_autoptr(SoupMessage) msg = soup_message_new("POST", url);
	g_autoptr(GInputStream) stream = NULL;
	g_autoptr(GBytes) answer = NULL;

	/* MAX_UPLOAD_SIZE is 64K here and the clip is larger: refused from Content-Length */
	g_assert_cmpuint(body->len, >, 64 * 1024);
	response = send_form(fixture, "POST", "/api/admin/videos/", fixture->admin_auth, body);
	vf_test_assert_status(response, 413);
	assert_nothing_left(fixture);

	/* chunked: refused while streaming, the files written so far removed */
	stream = g_memory_input_stream_new_from_data(
	    g_memdup2(body->data, body->len), body->len, g_free);
	soup_message_headers_append(
	    soup_message_get_request_headers(msg), "Authorization", fixture->admin_auth);
	soup_message_set_request_body(msg, "multipart/form-data; boundary=" BOUNDARY, stream, -1);
	soup_session_send_and_read_async(
	    session, msg, G_PRIORITY_DEFAULT, NULL, chunked_sent_cb, &answer);
	g_assert_true(vf_test_wait_until(bytes_ready, &answer, 60000));
	g_assert_cmpuint(soup_message_get_status(msg), ==, 413);
	assert_nothing_left(fixture);
}

static void
test_admin_update_delete(Fixture *fixture, gconstpointer data)
{
	gint64 id = upload_clip(fixture, "Before");
	g_autofree gchar *path = g_strdup_printf("/api/admin/videos/%" G_GINT64_FORMAT "/", id);
	const gchar *json_headers[] = {
	    "Content-Type", "application/json", "Authorization", fixture->admin_auth, NULL};
	const gchar *auth_headers[] = {"Authorization", fixture->admin_auth, NULL};
	g_autoptr(VfTestResponse) patched = NULL;
	g_autoptr(VfTestResponse) jobs = NULL;
	g_autoptr(VfTestResponse) deleted = NULL;
	g_autoptr(VfTestResponse) gone = NULL;
	g_autoptr(VfTestResponse) user_jobs = NULL;
	g_autofree gchar *hls = NULL;

	patched = vf_test_daemon_request(fixture->daemon,
					 "PATCH",
					 path,
					 json_headers,
					 "{\"title\": \"After\", \"category\": \"Drama\"}",
					 -1);
	vf_test_assert_status(patched, 200);
	g_assert_cmpstr(vf_test_response_get_string(patched, "title"), ==, "After");
	g_assert_cmpstr(vf_test_response_get_string(patched, "category"), ==, "Drama");

	jobs = vf_test_daemon_request(
	    fixture->daemon, "GET", "/api/admin/jobs/", auth_headers, NULL, 0);
	vf_test_assert_status(jobs, 200);
	g_assert_cmpuint(json_array_get_length(json_node_get_array(jobs->json)), >=, 1);
	g_assert_cmpint(
	    json_object_get_int_member(
		json_array_get_object_element(json_node_get_array(jobs->json), 0), "video_id"),
	    ==,
	    id);
	user_jobs = get(fixture, "/api/admin/jobs/", fixture->user_auth);
	vf_test_assert_status(user_jobs, 403);

	/* delete while it transcodes (or just after): everything goes */
	deleted = vf_test_daemon_request(fixture->daemon, "DELETE", path, auth_headers, NULL, 0);
	vf_test_assert_status(deleted, 204);
	gone = get(fixture, path + strlen("/api/admin"), fixture->user_auth);
	g_assert_cmpuint(gone->status, ==, 404);
	hls = g_strdup_printf(
	    "%s/hls/%" G_GINT64_FORMAT, vf_test_daemon_get_config(fixture->daemon)->media_root, id);
	g_assert_false(g_file_test(hls, G_FILE_TEST_EXISTS));
	assert_nothing_left(fixture);
}

int
main(int argc, char **argv)
{
	static const gchar *small_env[] = {"MAX_UPLOAD_SIZE=64K", NULL};
	int result;

	vf_test_init(&argc, &argv, 900);
	/* the job runner reports a retried attempt with g_warning (STYLE.md §8); on a
	 * loaded machine a transcode may need one, which is behaviour, not a failure */
	g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
	pg = vf_test_postgres_new();
	g_test_add("/http/catalog/upload-and-stream",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_upload_and_stream,
		   fixture_teardown);
	g_test_add("/http/catalog/segments",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_segments,
		   fixture_teardown);
	g_test_add("/http/catalog/upload-cold-cache",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_upload_cold_cache,
		   fixture_teardown);
	g_test_add("/http/catalog/upload-refused",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_upload_refused,
		   fixture_teardown);
	g_test_add("/http/catalog/upload-malformed",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_upload_malformed,
		   fixture_teardown);
	g_test_add("/http/catalog/upload-too-large",
		   Fixture,
		   small_env,
		   fixture_setup,
		   test_upload_too_large,
		   fixture_teardown);
	g_test_add("/http/catalog/update-delete",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_admin_update_delete,
		   fixture_teardown);
	result = g_test_run();
	vf_test_postgres_free(pg);
	return result;
}
