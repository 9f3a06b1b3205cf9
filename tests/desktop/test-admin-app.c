/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The desktop app end to end: the whole daemon in this process (VfTestDaemon on a
 * private PostgreSQL) serving org.videoflix.Admin1 on a private bus (GTestDBus),
 * and the real videoflix-admin under xvfb-run. The app reports what it shows on
 * stdout (VF_ADMIN_TEST); the test checks the banner while the bus name has no
 * owner and its recovery, that the seeded videos are listed, that the progress bar
 * of a new video's job moves, that deleting asks first, and takes a screenshot
 * through the app's test-only "screenshot" action: build/tests/desktop/admin-app.png.
 * No synchronous D-Bus call here: the service runs on this thread's main loop.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "vf-test-daemon.h"
#include "vf-test-upload.h"
#include "vf-test-util.h"

#define SEEDED	    2
#define SEEDED_LINE "videos 2" /* SEEDED rows */
#define ADDED_LINE  "videos 3" /* and the new one */

static VfTestPostgres *pg;

typedef struct {
	GTestDBus *bus;
	GDBusConnection *connection; /* to the private bus */
	VfTestDaemon *daemon;
	guint owner_id; /* of org.videoflix.Admin1, 0 while not owned */
	gboolean name_owned;
	gchar *import_dir;
	GSubprocess *app;
	GDataInputStream *app_out;
	GCancellable *cancellable;
	GPtrArray *lines; /* of gchar *, what the app reported */
	gboolean app_eof;
} Fixture;

/* ---- the app's report lines ---- */

static void read_line_cb(GObject *source, GAsyncResult *result, gpointer user_data);

static void
read_next_line(Fixture *fixture)
{
	g_data_input_stream_read_line_async(
	    fixture->app_out, G_PRIORITY_DEFAULT, fixture->cancellable, read_line_cb, fixture);
}

static void
read_line_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	gchar *line =
	    g_data_input_stream_read_line_finish(G_DATA_INPUT_STREAM(source), result, NULL, &error);
	Fixture *fixture;

	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	fixture = user_data;
	if (line == NULL) {
		fixture->app_eof = TRUE;
		return;
	}
	g_test_message("app: %s", line);
	g_ptr_array_add(fixture->lines, line);
	read_next_line(fixture);
}

typedef struct {
	Fixture *fixture;
	const gchar *prefix;
	guint from; /* first line to look at */
	guint found;
} LineWait;

static gboolean
line_seen(gpointer data)
{
	LineWait *wait = data;

	for (guint i = wait->from; i < wait->fixture->lines->len; i++) {
		if (g_str_has_prefix(g_ptr_array_index(wait->fixture->lines, i), wait->prefix)) {
			wait->found = i;
			return TRUE;
		}
	}
	return wait->fixture->app_eof;
}

/* the index of the first line from `from` on starting with prefix */
static guint
wait_for_line(Fixture *fixture, const gchar *prefix, guint from, guint timeout_ms)
{
	LineWait wait = {fixture, prefix, from, G_MAXUINT};

	if (!vf_test_wait_until(line_seen, &wait, timeout_ms) || wait.found == G_MAXUINT)
		g_error("the app did not report \"%s\" (eof: %d)", prefix, fixture->app_eof);
	return wait.found;
}

/* ---- D-Bus calls from the test, asynchronous ---- */

typedef struct {
	GVariant *reply;
	GError *error;
	gboolean done;
} CallWait;

static gboolean
call_done(gpointer data)
{
	return ((CallWait *)data)->done;
}

static void
call_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	CallWait *wait = user_data;

	wait->reply =
	    g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &wait->error);
	wait->done = TRUE;
}

static GVariant *
call(Fixture *fixture,
     const gchar *bus_name,
     const gchar *path,
     const gchar *interface,
     const gchar *method,
     GVariant *parameters)
{
	CallWait wait = {NULL, NULL, FALSE};

	g_dbus_connection_call(fixture->connection,
			       bus_name,
			       path,
			       interface,
			       method,
			       parameters,
			       NULL,
			       G_DBUS_CALL_FLAGS_NONE,
			       120000,
			       NULL,
			       call_cb,
			       &wait);
	g_assert_true(vf_test_wait_until(call_done, &wait, 130000));
	g_assert_no_error(wait.error);
	return wait.reply;
}

/* to the exported object by our own unique name: it works before the well-known
 * name is owned */
static GVariant *
call_admin(Fixture *fixture, const gchar *method, GVariant *parameters)
{
	return call(fixture,
		    g_dbus_connection_get_unique_name(fixture->connection),
		    "/org/videoflix/Admin1",
		    "org.videoflix.Admin1",
		    method,
		    parameters);
}

static void
app_action(Fixture *fixture, const gchar *name, GVariant *parameter)
{
	g_autoptr(GVariant) reply = NULL;
	GVariantBuilder parameters;

	g_variant_builder_init(&parameters, G_VARIANT_TYPE("av"));
	if (parameter != NULL)
		g_variant_builder_add(&parameters, "v", parameter);
	reply = call(fixture,
		     "org.videoflix.Admin",
		     "/org/videoflix/Admin",
		     "org.gtk.Actions",
		     "Activate",
		     g_variant_new("(sava{sv})", name, &parameters, NULL));
}

static gint64
add_video(Fixture *fixture, const gchar *title, guint frames, gint64 *job_id)
{
	g_autofree gchar *name = g_strdup_printf("%s.mp4", title);
	g_autofree gchar *clip = g_build_filename(fixture->import_dir, name, NULL);
	g_autoptr(GVariant) reply = NULL;
	gint64 id = 0;

	vf_test_make_clip(clip, frames);
	reply =
	    call_admin(fixture,
		       "AddVideo",
		       g_variant_new("(ssss)", clip, title, "Made by the desktop test", "Test"));
	g_variant_get(reply, "(xx)", &id, job_id);
	g_assert_cmpint(id, >, 0);
	return id;
}

typedef struct {
	Fixture *fixture;
	gint64 id;
} ReadyWait;

static gboolean
video_ready(gpointer data)
{
	ReadyWait *wait = data;
	g_autofree gchar *sql =
	    g_strdup_printf("SELECT status FROM videos WHERE id = %" G_GINT64_FORMAT, wait->id);
	g_autofree gchar *status = vf_test_daemon_query(wait->fixture->daemon, sql);

	g_assert_cmpstr(status, !=, "failed");
	return g_strcmp0(status, "ready") == 0;
}

/* ---- the bus name the app watches ---- */

static void
name_acquired_cb(GDBusConnection *connection, const gchar *name, gpointer user_data)
{
	((Fixture *)user_data)->name_owned = TRUE;
}

static gboolean
name_owned(gpointer data)
{
	return ((Fixture *)data)->name_owned;
}

static void
own_name(Fixture *fixture)
{
	g_assert_cmpuint(fixture->owner_id, ==, 0);
	fixture->name_owned = FALSE;
	fixture->owner_id = g_bus_own_name_on_connection(fixture->connection,
							 "org.videoflix.Admin1",
							 G_BUS_NAME_OWNER_FLAGS_NONE,
							 name_acquired_cb,
							 NULL,
							 fixture,
							 NULL);
	g_assert_true(vf_test_wait_until(name_owned, fixture, 10000));
}

static void
unown_name(Fixture *fixture)
{
	g_bus_unown_name(fixture->owner_id);
	fixture->owner_id = 0;
	fixture->name_owned = FALSE;
}

/* ---- fixture ---- */

static void
fixture_setup(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *import_env = NULL;
	g_autofree gchar *ladder_env = NULL;
	g_autofree gchar *public_env = NULL;
	g_autofree gchar *public_address = NULL;
	guint16 public_port;
	g_autofree gchar *ladder = vf_test_source_path("tests/media/ladder-test.ini");

	g_autofree gchar *display = g_strdup(g_getenv("DISPLAY"));

	fixture->bus = g_test_dbus_new(G_TEST_DBUS_NONE);
	g_test_dbus_up(fixture->bus);
	/* GTestDBus unsets DISPLAY (against X11 autolaunch); the app needs xvfb-run's */
	if (display != NULL)
		g_setenv("DISPLAY", display, TRUE);
	fixture->connection = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, &error);
	g_assert_no_error(error);
	fixture->import_dir = vf_test_make_tmpdir("vf-admin-import");
	import_env = g_strdup_printf("IMPORT_DIRS=%s", fixture->import_dir);
	ladder_env = g_strdup_printf("LADDER_FILE=%s", ladder);
	/* thumbnail URLs must lead to this daemon: it listens there too */
	public_port = vf_test_free_port();
	public_env = g_strdup_printf("PUBLIC_URL=http://127.0.0.1:%u", public_port);
	public_address = g_strdup_printf("127.0.0.1:%u", public_port);
	{
		/* the small ladder of the media tests: quick on CI */
		const gchar *env[] = {import_env, ladder_env, public_env, NULL};
		fixture->daemon = vf_test_daemon_new(pg, NULL, env);
	}
	g_assert_true(vf_http_server_listen(
	    vf_test_daemon_get_server(fixture->daemon), public_address, &error));
	g_assert_no_error(error);
	/* as videoflixd on a session bus: only our uid may call */
	vf_test_daemon_export_dbus(fixture->daemon, fixture->connection, NULL);
	fixture->lines = g_ptr_array_new_with_free_func(g_free);
	fixture->cancellable = g_cancellable_new();
}

static void
fixture_teardown(Fixture *fixture, gconstpointer data)
{
	if (fixture->app != NULL) {
		g_subprocess_force_exit(fixture->app);
		g_subprocess_wait(fixture->app, NULL, NULL);
	}
	g_cancellable_cancel(fixture->cancellable);
	g_clear_object(&fixture->app_out);
	g_clear_object(&fixture->app);
	g_clear_object(&fixture->cancellable);
	if (fixture->owner_id != 0)
		unown_name(fixture);
	g_clear_pointer(&fixture->daemon, vf_test_daemon_free);
	g_clear_pointer(&fixture->lines, g_ptr_array_unref);
	g_dbus_connection_close_sync(fixture->connection, NULL, NULL);
	g_clear_object(&fixture->connection);
	g_test_dbus_down(fixture->bus);
	g_clear_object(&fixture->bus);
	vf_test_rm_rf(fixture->import_dir);
	g_free(fixture->import_dir);
}

static void
start_app(Fixture *fixture)
{
	g_autoptr(GSubprocessLauncher) launcher =
	    vf_test_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE);
	g_autofree gchar *path = vf_test_build_path("src/admin-app/videoflix-admin");
	g_autoptr(GError) error = NULL;

	/* DISPLAY comes from xvfb-run, the session bus from GTestDBus */
	g_subprocess_launcher_setenv(launcher, "VF_ADMIN_TEST", "1", TRUE);
	g_subprocess_launcher_setenv(launcher, "GDK_BACKEND", "x11", TRUE);
	g_subprocess_launcher_setenv(launcher, "GSK_RENDERER", "cairo", TRUE);
	g_subprocess_launcher_setenv(launcher, "GTK_A11Y", "none", TRUE);
	g_subprocess_launcher_setenv(launcher, "GSETTINGS_BACKEND", "memory", TRUE);
	g_subprocess_launcher_setenv(launcher, "NO_AT_BRIDGE", "1", TRUE);
	fixture->app = g_subprocess_launcher_spawn(launcher, &error, path, "--session", NULL);
	g_assert_no_error(error);
	fixture->app_out = g_data_input_stream_new(g_subprocess_get_stdout_pipe(fixture->app));
	read_next_line(fixture);
}

/* ---- the test ---- */

static void
test_app_lists_and_follows(Fixture *fixture, gconstpointer data)
{
	g_autofree gchar *screenshot = vf_test_build_path("tests/desktop/admin-app.png");
	g_autofree gchar *progress_prefix = NULL;
	g_autofree gchar *done_prefix = NULL;
	g_autofree gchar *png = NULL;
	g_autofree gchar *expected = NULL;
	g_autofree gchar *count = NULL;
	g_autoptr(GError) error = NULL;
	gsize png_len = 0;
	gdouble first = -1;
	gdouble last = -1;
	guint n_progress = 0;
	guint line;
	gint64 job_id = 0;
	gint64 seeded[SEEDED];
	guint users;
	gint64 id;

	/* seeded: two videos, transcoded before the app starts */
	for (guint i = 0; i < SEEDED; i++) {
		g_autofree gchar *title = g_strdup_printf("seeded-%u", i + 1);
		ReadyWait wait = {fixture, add_video(fixture, title, 30, &job_id)};

		seeded[i] = wait.id;
		g_assert_true(vf_test_wait_until(video_ready, &wait, 240000));
	}

	/* and an account for the users page */
	g_variant_unref(call_admin(
	    fixture,
	    "CreateUser",
	    g_variant_new("(ssbb)", "user@example.com", "a-long-password", TRUE, FALSE)));

	/* the daemon's name has no owner yet: the banner shows */
	start_app(fixture);
	line = wait_for_line(fixture, "connected ", 0, 60000);
	g_assert_cmpstr(g_ptr_array_index(fixture->lines, line), ==, "connected 0 banner 1");

	/* it comes: the banner goes and the list fills */
	own_name(fixture);
	line = wait_for_line(fixture, "connected ", line + 1, 60000);
	g_assert_cmpstr(g_ptr_array_index(fixture->lines, line), ==, "connected 1 banner 0");
	line = wait_for_line(fixture, "videos ", line, 60000);
	g_assert_cmpstr(g_ptr_array_index(fixture->lines, line), ==, SEEDED_LINE);
	users = wait_for_line(fixture, "users ", 0, 60000);
	g_assert_cmpstr(g_ptr_array_index(fixture->lines, users), ==, "users 1");
	/* the seeded videos' thumbnails came over HTTP ("thumbnail <id> <w>x<h>") */
	for (guint i = 0; i < SEEDED; i++) {
		g_autofree gchar *prefix =
		    g_strdup_printf("thumbnail %" G_GINT64_FORMAT " ", seeded[i]);
		/* the index first: waiting may grow (move) the array */
		guint index = wait_for_line(fixture, prefix, 0, 60000);
		const gchar *text = g_ptr_array_index(fixture->lines, index);

		g_assert_true(
		    g_regex_match_simple("^thumbnail [0-9]+ [1-9][0-9]*x[1-9][0-9]*$", text, 0, 0));
	}

	/* a longer clip: its transcode reports progress several times */
	id = add_video(fixture, "new-clip", 450, &job_id);
	progress_prefix = g_strdup_printf("progress %" G_GINT64_FORMAT " ", id);
	done_prefix =
	    g_strdup_printf("job %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " succeeded", job_id, id);
	line = wait_for_line(fixture, ADDED_LINE, line, 60000);
	for (;;) {
		const gchar *text;
		gdouble value;

		line = wait_for_line(fixture, progress_prefix, line + 1, 240000);
		text = g_ptr_array_index(fixture->lines, line);
		/* "progress <video> <job> <fraction shown>" */
		value = g_ascii_strtod(strrchr(text, ' ') + 1, NULL);
		g_assert_cmpfloat(value, >=, 0);
		g_assert_cmpfloat(value, <=, 1);
		g_assert_cmpfloat(value, >=, last);
		if (first < 0)
			first = value;
		last = value;
		n_progress++;
		/* moving: at least two reports and a visibly larger bar */
		if (n_progress >= 2 && last > first && last < 1)
			break;
	}

	/* the bar is still on screen: the picture shows it */
	g_remove(screenshot);
	app_action(fixture, "screenshot", g_variant_new_string(screenshot));
	line = wait_for_line(fixture, "screenshot", line, 30000);
	expected = g_strdup_printf("screenshot %s", screenshot);
	g_assert_cmpstr(g_ptr_array_index(fixture->lines, line), ==, expected);
	g_assert_true(g_file_get_contents(screenshot, &png, &png_len, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(png_len, >, 1000);
	g_assert_cmpmem(png, 8, "\x89PNG\r\n\x1a\n", 8);

	/* and the job ends well in the app too */
	line = wait_for_line(fixture, done_prefix, 0, 240000);

	/* the daemon goes away and comes back: banner, then the same list again */
	unown_name(fixture);
	line = wait_for_line(fixture, "connected ", line + 1, 60000);
	g_assert_cmpstr(g_ptr_array_index(fixture->lines, line), ==, "connected 0 banner 1");
	own_name(fixture);
	line = wait_for_line(fixture, "connected ", line + 1, 60000);
	g_assert_cmpstr(g_ptr_array_index(fixture->lines, line), ==, "connected 1 banner 0");
	line = wait_for_line(fixture, "videos ", line, 60000);
	g_assert_cmpstr(g_ptr_array_index(fixture->lines, line), ==, ADDED_LINE);

	/* delete asks first: cancelled, the video stays; confirmed, it goes */
	for (guint round = 0; round < 2; round++) {
		GVariantBuilder args;

		g_variant_builder_init(&args, G_VARIANT_TYPE("av"));
		g_variant_builder_add(&args, "v", g_variant_new_int64(seeded[0]));
		app_action(
		    fixture, "window-action", g_variant_new("(sav)", "win.delete-video", &args));
		line = wait_for_line(fixture, "dialog ", line + 1, 30000);
		g_assert_cmpstr(
		    g_ptr_array_index(fixture->lines, line), ==, "dialog Delete “seeded-1”?");
		app_action(fixture,
			   "dialog-response",
			   g_variant_new_string(round == 0 ? "cancel" : "delete"));
	}
	line = wait_for_line(fixture, "videos ", line + 1, 60000);
	g_assert_cmpstr(g_ptr_array_index(fixture->lines, line), ==, "videos 2");
	count = vf_test_daemon_query(fixture->daemon, "SELECT count(*) FROM videos");
	g_assert_cmpstr(count, ==, "2");

	app_action(fixture, "quit", NULL);
	g_assert_true(g_subprocess_wait_check(fixture->app, NULL, &error));
	g_assert_no_error(error);
	g_clear_object(&fixture->app);
}

int
main(int argc, char **argv)
{
	gint status;

	vf_test_init(&argc, &argv, 900);
	pg = vf_test_postgres_new();
	g_test_add("/admin/app/lists-and-follows",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_app_lists_and_follows,
		   fixture_teardown);
	status = g_test_run();
	vf_test_postgres_free(pg);
	return status;
}
