/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real browser: an admin uploads a generated clip to the in-process daemon
 * (real PostgreSQL, worker children, the shipped ladder); then headless Chromium,
 * driven by playwright-core (run-browser-test.mjs), logs in from another origin
 * with cookies, plays master.m3u8 with hls.js and forces each rendition. The
 * screenshot is kept in the build tree (tests/browser/playback.png).
 */
#include "config.h"

#include <glib/gstdio.h>

#include "vf-test-daemon.h"
#include "vf-test-upload.h"
#include "vf-test-util.h"

#define ADMIN_EMAIL "admin@example.com"
#define USER_EMAIL  "viewer@example.com"
#define PASSWORD    "password-123"

static VfTestPostgres *pg;

typedef struct {
	VfTestDaemon *daemon;
	gchar *path;
	gchar *auth;
	gchar *status;
} ReadyPoll;

static gboolean
video_settled(gpointer data)
{
	ReadyPoll *poll = data;
	const gchar *headers[] = {"Authorization", poll->auth, NULL};
	g_autoptr(VfTestResponse) response =
	    vf_test_daemon_request(poll->daemon, "GET", poll->path, headers, NULL, 0);

	g_free(poll->status);
	poll->status = g_strdup(vf_test_response_get_string(response, "status"));
	if (g_strcmp0(poll->status, "ready") == 0 || g_strcmp0(poll->status, "failed") == 0)
		return TRUE;
	vf_test_iterate_for(250);
	return FALSE;
}

static gchar *
bearer_of(VfTestResponse *login)
{
	g_autofree gchar *access = vf_test_response_dup_cookie(login, "access_token");
	g_assert_nonnull(access);
	return g_strdup_printf("Bearer %s", access);
}

typedef struct {
	GSubprocess *process;
	gchar *output;
	gboolean done;
} Child;

/* the runner's output goes into the test log as TAP comments */
static void
child_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Child *child = user_data;
	g_autoptr(GError) error = NULL;

	g_subprocess_communicate_utf8_finish(
	    G_SUBPROCESS(source), result, &child->output, NULL, &error);
	g_assert_no_error(error);
	child->done = TRUE;
}

static gboolean
child_is_done(gpointer data)
{
	return ((Child *)data)->done;
}

static void
test_playback(void)
{
	guint16 page_port = vf_test_free_port();
	g_autofree gchar *origin =
	    g_strdup_printf("CORS_ALLOWED_ORIGINS=http://127.0.0.1:%u", page_port);
	const gchar *env[] = {origin, NULL};
	g_autoptr(VfTestDaemon) daemon = vf_test_daemon_new(pg, NULL, env);
	g_autofree gchar *tmpdir = vf_test_make_tmpdir("vf-browser-input");
	g_autofree gchar *clip = g_build_filename(tmpdir, "clip.mp4", NULL);
	g_autoptr(VfTestResponse) admin = NULL;
	g_autoptr(VfTestResponse) viewer = NULL;
	g_autoptr(VfTestResponse) login = NULL;
	g_autoptr(VfTestResponse) uploaded = NULL;
	g_autoptr(GByteArray) body = NULL;
	g_autofree gchar *admin_auth = NULL;
	g_autofree gchar *viewer_auth = NULL;
	g_autofree gchar *runner = vf_test_source_path("tests/browser/run-browser-test.mjs");
	g_autofree gchar *screenshot = vf_test_build_path("tests/browser/playback.png");
	g_autofree gchar *page_port_text = g_strdup_printf("%u", page_port);
	g_autofree gchar *video_id = NULL;
	g_autoptr(GSubprocessLauncher) launcher =
	    vf_test_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
	g_auto(GStrv) lines = NULL;
	g_autoptr(GError) error = NULL;
	ReadyPoll poll = {daemon, NULL, NULL, NULL};
	Child child = {NULL, NULL, FALSE};
	VfTestFormPart parts[] = {
	    {"title", NULL, NULL, "Browser clip"},
	    {"description", NULL, NULL, "Played by hls.js in Chromium"},
	    {"category", NULL, NULL, "Tests"},
	    {"video_file", "clip.mp4", clip, NULL},
	};
	const gchar *form_headers[] = {"Content-Type",
				       "multipart/form-data; boundary=" VF_TEST_BOUNDARY,
				       "Authorization",
				       NULL,
				       NULL};
	GStatBuf info;

	vf_test_make_clip(clip, 150);
	admin = vf_test_daemon_create_user(daemon, ADMIN_EMAIL, PASSWORD);
	vf_test_daemon_make_admin(daemon, ADMIN_EMAIL);
	login = vf_test_daemon_post_json(daemon,
					 "/api/login/",
					 "{\"email\": \"" ADMIN_EMAIL
					 "\", \"password\": \"" PASSWORD "\"}",
					 NULL);
	vf_test_assert_status(login, 200);
	admin_auth = bearer_of(login);
	viewer = vf_test_daemon_create_user(daemon, USER_EMAIL, PASSWORD);
	vf_test_assert_status(viewer, 200);
	viewer_auth = bearer_of(viewer);

	body = vf_test_form_body(parts, G_N_ELEMENTS(parts));
	form_headers[3] = admin_auth;
	uploaded = vf_test_daemon_request(daemon,
					  "POST",
					  "/api/admin/videos/",
					  form_headers,
					  (const gchar *)body->data,
					  (gssize)body->len);
	vf_test_assert_status(uploaded, 201);
	video_id =
	    g_strdup_printf("%" G_GINT64_FORMAT,
			    json_object_get_int_member(json_node_get_object(uploaded->json), "id"));
	poll.path = g_strdup_printf("/api/video/%s/", video_id);
	poll.auth = viewer_auth;
	g_assert_true(vf_test_wait_until(video_settled, &poll, 300 * 1000));
	g_assert_cmpstr(poll.status, ==, "ready");

	g_remove(screenshot);
	child.process = g_subprocess_launcher_spawn(launcher,
						    &error,
						    "node",
						    runner,
						    "--api",
						    vf_test_daemon_get_url(daemon),
						    "--page-port",
						    page_port_text,
						    "--email",
						    USER_EMAIL,
						    "--password",
						    PASSWORD,
						    "--video",
						    video_id,
						    "--screenshot",
						    screenshot,
						    NULL);
	g_assert_no_error(error);
	/* the daemon runs on this loop: keep it turning while the browser plays */
	g_subprocess_communicate_utf8_async(child.process, NULL, NULL, child_done_cb, &child);
	g_assert_true(vf_test_wait_until(child_is_done, &child, 240 * 1000));
	lines = g_strsplit(child.output != NULL ? child.output : "", "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		if (*lines[i] != '\0')
			g_test_message("browser: %s", lines[i]);
	}
	g_assert_true(g_subprocess_get_if_exited(child.process));
	g_assert_cmpint(g_subprocess_get_exit_status(child.process), ==, 0);
	g_assert_cmpint(g_stat(screenshot, &info), ==, 0);
	g_assert_cmpint(info.st_size, >, 1000);
	g_test_message("screenshot: %s", screenshot);

	g_object_unref(child.process);
	g_free(child.output);
	g_free(poll.path);
	g_free(poll.status);
	vf_test_rm_rf(tmpdir);
}

int
main(int argc, char **argv)
{
	int result;

	vf_test_init(&argc, &argv, 900);
	/* the job runner reports a retried attempt with g_warning (STYLE.md §8); on a
	 * loaded machine a transcode may need one, which is behaviour, not a failure */
	g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
	pg = vf_test_postgres_new();
	g_test_add_func("/browser/playback", test_playback);
	result = g_test_run();
	vf_test_postgres_free(pg);
	return result;
}
