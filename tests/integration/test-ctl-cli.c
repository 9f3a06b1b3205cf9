/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * videoflixctl end to end: the in-process daemon serves org.videoflix.Admin1 on a
 * private bus (GTestDBus) and the real videoflixctl binary runs against it —
 * tables and JSON, adding a video with --wait (a clip and a non-video), jobs
 * watch in a pseudo-terminal (script(1)), cancel and retry, users, usage errors,
 * a missing daemon and one that leaves mid-watch. The loop keeps running while
 * videoflixctl does.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "vf-ctl-text.h"
#include "vf-dbus-admin.h"
#include "vf-test-daemon.h"
#include "vf-test-upload.h"
#include "vf-test-util.h"

#define RUN_TIMEOUT_MS (300 * 1000)
#define TTY_COLUMNS    60

static VfTestPostgres *pg;
static gchar *inputs;	 /* generated files, shared by every test */
static gchar *clip;	 /* a 5-s 640x360 mp4 with audio */
static gchar *long_clip; /* 20 s: still running when a test cancels or watches it */

typedef struct {
	VfTestDaemon *daemon;
	GTestDBus *bus;
	GDBusConnection *service; /* the daemon's */
	guint owner;
	gchar *tmp;
	gchar *import_dir;
} Fixture;

typedef struct {
	gboolean done;
	gint status; /* exit status, or -1 when killed by a signal */
	gchar *out;
	gchar *err;
	GError *error;
} Run;

static void
run_clear(Run *run)
{
	g_clear_pointer(&run->out, g_free);
	g_clear_pointer(&run->err, g_free);
	g_clear_error(&run->error);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Run, run_clear)

static gboolean
is_true(gpointer data)
{
	return *(gboolean *)data;
}

static gboolean
run_is_done(gpointer data)
{
	return ((Run *)data)->done;
}

static void
communicated_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Run *run = user_data;

	g_subprocess_communicate_utf8_finish(
	    G_SUBPROCESS(source), result, &run->out, &run->err, &run->error);
	run->done = TRUE;
}

/* runs argv (NULL-terminated) with env ("NAME=value", may be NULL) and input on
 * stdin, iterating the loop so that the in-process daemon answers meanwhile */
static void
run_argv(const gchar *const *argv, const gchar *const *env, const gchar *input, Run *run)
{
	g_autoptr(GSubprocessLauncher) launcher =
	    vf_test_launcher_new(G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
				 G_SUBPROCESS_FLAGS_STDERR_PIPE);
	g_autoptr(GSubprocess) process = NULL;
	g_autoptr(GError) error = NULL;

	memset(run, 0, sizeof(*run));
	/* a real system bus must not answer for the test's daemon */
	g_subprocess_launcher_setenv(launcher, "VIDEOFLIX_BUS", "session", TRUE);
	g_subprocess_launcher_unsetenv(launcher, "COLUMNS");
	for (guint i = 0; env != NULL && env[i] != NULL; i++) {
		g_auto(GStrv) pair = g_strsplit(env[i], "=", 2);
		if (pair[1] == NULL)
			g_subprocess_launcher_unsetenv(launcher, pair[0]);
		else
			g_subprocess_launcher_setenv(launcher, pair[0], pair[1], TRUE);
	}
	process = g_subprocess_launcher_spawnv(launcher, argv, &error);
	g_assert_no_error(error);
	g_subprocess_communicate_utf8_async(
	    process, input != NULL ? input : "", NULL, communicated_cb, run);
	g_assert_true(vf_test_wait_until(run_is_done, run, RUN_TIMEOUT_MS));
	g_assert_no_error(run->error);
	run->status =
	    g_subprocess_get_if_exited(process) ? g_subprocess_get_exit_status(process) : -1;
	if (g_test_verbose()) {
		g_autofree gchar *command = g_strjoinv(" ", (gchar **)argv);
		g_printerr("$ %s\n%s%s[exit %d]\n", command, run->out, run->err, run->status);
	}
}

/* runs videoflixctl with args (NULL-terminated) */
static void
run_ctl_env(const gchar *const *env, const gchar *input, Run *run, const gchar *first, ...)
{
	g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
	va_list args;

	g_ptr_array_add(argv, vf_test_build_path("src/bin/videoflixctl"));
	va_start(args, first);
	for (const gchar *arg = first; arg != NULL; arg = va_arg(args, const gchar *))
		g_ptr_array_add(argv, g_strdup(arg));
	va_end(args);
	g_ptr_array_add(argv, NULL);
	run_argv((const gchar *const *)argv->pdata, env, input, run);
}

#define run_ctl(run, ...) run_ctl_env(NULL, NULL, run, __VA_ARGS__, NULL)

static void
assert_run(Run *run, gint status)
{
	if (run->status != status)
		g_printerr("stdout:\n%s\nstderr:\n%s\n", run->out, run->err);
	g_assert_cmpint(run->status, ==, status);
}

/* a failure said in one sentence: "videoflixctl: …", no D-Bus error name */
static void
assert_clear_error(Run *run)
{
	assert_run(run, 1);
	g_assert_true(g_str_has_prefix(run->err, "videoflixctl: "));
	g_assert_true(g_str_has_suffix(run->err, "\n"));
	g_assert_cmpuint(strlen(run->err), >, strlen("videoflixctl: ") + 5);
	g_assert_null(strstr(run->err, "GDBus"));
	g_assert_null(strstr(run->err, "org.videoflix.Error"));
	g_assert_null(strstr(run->err, "org.freedesktop"));
}

/* text equals the printf result */
static void G_GNUC_PRINTF(2, 3) assert_text(const gchar *text, const gchar *format, ...)
{
	g_autofree gchar *expected = NULL;
	va_list args;

	va_start(args, format);
	expected = g_strdup_vprintf(format, args);
	va_end(args);
	g_assert_cmpstr(text, ==, expected);
}

static JsonNode *
parse_json(const gchar *text)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;

	if (!json_parser_load_from_data(parser, text, strlen(text), &error))
		g_error("not JSON (%s):\n%s", error->message, text);
	g_assert_nonnull(json_parser_get_root(parser));
	return json_node_copy(json_parser_get_root(parser));
}

/* the element of a JSON array whose member key is the string value, or NULL */
static JsonObject *
find_object(JsonNode *root, const gchar *key, const gchar *value)
{
	JsonArray *array;

	g_assert_true(JSON_NODE_HOLDS_ARRAY(root));
	array = json_node_get_array(root);
	for (guint i = 0; i < json_array_get_length(array); i++) {
		JsonObject *object = json_array_get_object_element(array, i);
		if (g_strcmp0(json_object_get_string_member_with_default(object, key, NULL),
			      value) == 0)
			return object;
	}
	return NULL;
}

static gint64
get_id(JsonObject *object, const gchar *member)
{
	JsonNode *node = json_object_get_member(object, member);

	g_assert_nonnull(node);
	g_assert_cmpint(json_node_get_value_type(node), ==, G_TYPE_INT64);
	return json_node_get_int(node);
}

/* ---- fixture ---- */

static void
name_acquired_cb(GDBusConnection *connection, const gchar *name, gpointer user_data)
{
	*(gboolean *)user_data = TRUE;
}

static void
copy_file(const gchar *from, const gchar *to)
{
	g_autoptr(GFile) source = g_file_new_for_path(from);
	g_autoptr(GFile) target = g_file_new_for_path(to);
	g_autoptr(GError) error = NULL;

	g_assert_true(g_file_copy(source, target, G_FILE_COPY_NONE, NULL, NULL, NULL, &error));
	g_assert_no_error(error);
}

static void
fixture_setup(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GPtrArray) env = g_ptr_array_new_with_free_func(g_free);
	g_autofree gchar *ladder = vf_test_source_path("tests/media/ladder-test.ini");
	g_autofree gchar *copy = NULL;
	g_autoptr(GError) error = NULL;
	gboolean acquired = FALSE;

	fixture->tmp = vf_test_make_tmpdir("vf-ctl-");
	fixture->import_dir = g_build_filename(fixture->tmp, "import", NULL);
	g_assert_cmpint(g_mkdir(fixture->import_dir, 0700), ==, 0);
	copy = g_build_filename(fixture->import_dir, "clip.mp4", NULL);
	copy_file(clip, copy);
	g_free(copy);
	copy = g_build_filename(fixture->import_dir, "long.mp4", NULL);
	copy_file(long_clip, copy);
	g_ptr_array_add(env, g_strdup_printf("LADDER_FILE=%s", ladder));
	g_ptr_array_add(env, g_strdup_printf("IMPORT_DIRS=%s", fixture->import_dir));
	g_ptr_array_add(env, NULL);
	fixture->daemon = vf_test_daemon_new(pg, NULL, (const gchar *const *)env->pdata);

	fixture->bus = g_test_dbus_new(G_TEST_DBUS_NONE);
	g_test_dbus_up(fixture->bus);
	fixture->service = g_dbus_connection_new_for_address_sync(
	    g_test_dbus_get_bus_address(fixture->bus),
	    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
		G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
	    NULL,
	    NULL,
	    &error);
	g_assert_no_error(error);
	vf_test_daemon_export_dbus(fixture->daemon, fixture->service, NULL);
	fixture->owner = g_bus_own_name_on_connection(fixture->service,
						      VF_DBUS_ADMIN_NAME,
						      G_BUS_NAME_OWNER_FLAGS_NONE,
						      name_acquired_cb,
						      NULL,
						      &acquired,
						      NULL);
	g_assert_true(vf_test_wait_until(is_true, &acquired, 10000));
}

static void
fixture_teardown(Fixture *fixture, gconstpointer data)
{
	if (fixture->owner != 0)
		g_bus_unown_name(fixture->owner);
	vf_test_daemon_free(fixture->daemon);
	g_dbus_connection_close_sync(fixture->service, NULL, NULL);
	g_clear_object(&fixture->service);
	g_test_dbus_down(fixture->bus);
	g_clear_object(&fixture->bus);
	vf_test_rm_rf(fixture->tmp);
	g_free(fixture->tmp);
	g_free(fixture->import_dir);
}

static gchar *
import_path(Fixture *fixture, const gchar *name)
{
	return g_build_filename(fixture->import_dir, name, NULL);
}

/* adds the clip with videoflixctl, not waiting; returns the video's id */
static gint64
add_clip(Fixture *fixture, const gchar *name, const gchar *title, gint64 *job_id)
{
	g_autofree gchar *path = import_path(fixture, name);
	g_auto(Run) run;
	g_autoptr(JsonNode) root = NULL;
	gint64 id;

	run_ctl(&run, "videos", "add", "--json", "--title", title, path);
	assert_run(&run, 0);
	root = parse_json(run.out);
	g_assert_true(JSON_NODE_HOLDS_OBJECT(root));
	id = get_id(json_node_get_object(root), "id");
	*job_id = get_id(json_node_get_object(root), "job_id");
	g_assert_cmpint(id, >, 0);
	g_assert_cmpint(*job_id, >, 0);
	return id;
}

/* ---- tests ---- */

static void
test_usage(void)
{
	g_auto(Run) help;
	g_auto(Run) command_help;
	g_auto(Run) nothing;
	g_auto(Run) unknown;
	g_auto(Run) unknown_group;
	g_auto(Run) bad_id;
	g_auto(Run) extra;
	g_auto(Run) option;
	g_auto(Run) both;
	g_auto(Run) version;

	run_ctl(&help, "--help");
	assert_run(&help, 0);
	g_assert_nonnull(strstr(help.out, "jobs watch"));
	g_assert_nonnull(strstr(help.out, "users deactivate"));
	run_ctl(&command_help, "videos", "add", "--help");
	assert_run(&command_help, 0);
	g_assert_nonnull(strstr(command_help.out, "videoflixctl videos add [OPTION"));
	g_assert_nonnull(strstr(command_help.out, "--wait"));
	g_assert_nonnull(strstr(command_help.out, "--session"));
	run_ctl(&version, "--version");
	assert_run(&version, 0);
	g_assert_cmpstr(version.out, ==, "videoflixctl " PACKAGE_VERSION "\n");

	run_ctl_env(NULL, NULL, &nothing, NULL);
	assert_run(&nothing, 2);
	g_assert_nonnull(strstr(nothing.err, "Usage:"));
	run_ctl(&unknown, "videos", "frob");
	assert_run(&unknown, 2);
	g_assert_nonnull(strstr(unknown.err, "Unknown command “videos frob”"));
	run_ctl(&unknown_group, "films");
	assert_run(&unknown_group, 2);
	run_ctl(&bad_id, "videos", "show", "12abc");
	assert_run(&bad_id, 2);
	g_assert_cmpstr(bad_id.err,
			==,
			"videoflixctl videos show: “12abc” is not an id\n"
			"Try “videoflixctl videos show --help” for more information.\n");
	run_ctl(&extra, "jobs", "list", "more");
	assert_run(&extra, 2);
	run_ctl(&option, "users", "list", "--frob");
	assert_run(&option, 2);
	run_ctl(&both, "--system", "videos", "list", "--system", "--session");
	assert_run(&both, 2);
	/* usage errors come before any bus is needed: no output on stdout */
	g_assert_cmpstr(bad_id.out, ==, "");
}

static void
test_no_daemon(void)
{
	g_autoptr(GTestDBus) bus = g_test_dbus_new(G_TEST_DBUS_NONE);
	const gchar *auto_env[] = {
	    "VIDEOFLIX_BUS", "DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent", NULL};
	const gchar *no_bus_env[] = {"DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent", NULL};
	g_auto(Run) session;
	g_auto(Run) watch;
	g_auto(Run) automatic;
	g_auto(Run) no_bus;
	g_auto(Run) german;
	const gchar *german_env[] = {"LC_ALL=de_DE.UTF-8", "LANGUAGE", NULL};

	g_test_dbus_up(bus);
	run_ctl(&session, "--session", "videos", "list");
	assert_clear_error(&session);
	g_assert_cmpstr(
	    session.err, ==, "videoflixctl: videoflixd is not running on the session bus\n");
	g_assert_cmpstr(session.out, ==, "");
	run_ctl(&watch, "jobs", "watch", "3");
	assert_clear_error(&watch);
	g_assert_cmpstr(
	    watch.err, ==, "videoflixctl: videoflixd is not running on the session bus\n");
	/* neither bus: the default looks at both */
	run_ctl_env(auto_env, NULL, &automatic, "users", "list", NULL);
	assert_clear_error(&automatic);
	g_assert_cmpstr(
	    automatic.err,
	    ==,
	    "videoflixctl: videoflixd is not running on the system bus nor on the session bus\n");
	run_ctl_env(no_bus_env, NULL, &no_bus, "--session", "jobs", "list", NULL);
	assert_clear_error(&no_bus);
	g_assert_true(
	    g_str_has_prefix(no_bus.err, "videoflixctl: Cannot connect to the session bus: "));
	/* translated (tests/run.sh provides the locale) */
	run_ctl_env(german_env, NULL, &german, "--session", "videos", "list", NULL);
	assert_clear_error(&german);
	g_assert_cmpstr(
	    german.err, ==, "videoflixctl: videoflixd läuft nicht auf dem Sitzungsbus\n");
	g_test_dbus_down(bus);
}

static void
test_videos(Fixture *fixture, gconstpointer data)
{
	g_autofree gchar *path = import_path(fixture, "clip.mp4");
	g_autofree gchar *id_text = NULL;
	g_autoptr(JsonNode) list = NULL;
	g_autoptr(JsonNode) shown = NULL;
	g_auto(Run) table;
	g_auto(Run) json;
	g_auto(Run) show;
	g_auto(Run) show_json;
	g_auto(Run) update;
	g_auto(Run) update_nothing;
	g_auto(Run) replace;
	g_auto(Run) delete;
	g_auto(Run) gone;
	JsonObject *video;
	gint64 job_id = 0;
	gint64 id;

	id = add_clip(fixture, "clip.mp4", "Seeded clip", &job_id);
	id_text = g_strdup_printf("%" G_GINT64_FORMAT, id);

	run_ctl(&json, "videos", "list", "--json");
	assert_run(&json, 0);
	list = parse_json(json.out);
	video = find_object(list, "title", "Seeded clip");
	g_assert_nonnull(video);
	g_assert_cmpint(get_id(video, "id"), ==, id);
	g_assert_nonnull(json_object_get_string_member_with_default(video, "status", NULL));
	g_assert_true(JSON_NODE_HOLDS_ARRAY(json_object_get_member(video, "resolutions")));

	/* not a terminal: the whole table, headers first */
	run_ctl(&table, "videos", "list");
	assert_run(&table, 0);
	g_assert_true(g_str_has_prefix(table.out, "ID  TITLE"));
	g_assert_nonnull(strstr(table.out, "Seeded clip"));

	run_ctl(&show, "videos", "show", id_text);
	assert_run(&show, 0);
	g_assert_nonnull(strstr(show.out, "Title:       Seeded clip\n"));

	run_ctl(&update, "videos", "update", id_text, "--title", "Renamed", "--category", "Drama");
	assert_run(&update, 0);
	assert_text(update.out, "Updated video %s.\n", id_text);
	run_ctl(&show_json, "videos", "show", "--json", id_text);
	assert_run(&show_json, 0);
	shown = parse_json(show_json.out);
	g_assert_cmpstr(
	    json_object_get_string_member(json_node_get_object(shown), "title"), ==, "Renamed");
	g_assert_cmpstr(
	    json_object_get_string_member(json_node_get_object(shown), "category"), ==, "Drama");
	run_ctl(&update_nothing, "videos", "update", id_text);
	assert_run(&update_nothing, 2);

	/* a new source: a new job, followed to its end */
	run_ctl(&replace, "videos", "update", id_text, "--file", path, "--wait");
	assert_run(&replace, 0);
	g_assert_true(g_str_has_prefix(replace.out, "Updated video "));
	g_assert_nonnull(strstr(replace.out, ", transcoding the new source in job "));
	g_assert_true(g_str_has_suffix(replace.out, ": 100 %, succeeded\n"));

	run_ctl(&delete, "videos", "delete", id_text);
	assert_run(&delete, 0);
	run_ctl(&gone, "videos", "show", id_text);
	assert_clear_error(&gone);
}

static void
test_add_wait(Fixture *fixture, gconstpointer data)
{
	g_autofree gchar *path = import_path(fixture, "clip.mp4");
	g_autoptr(JsonNode) shown = NULL;
	g_auto(GStrv) lines = NULL;
	g_auto(Run) add;
	g_auto(Run) show;
	g_autofree gchar *id_text = NULL;
	guint n;
	gint64 id = 0;

	run_ctl(
	    &add, "videos", "add", "--wait", "--title", "Waited for", "--category", "Tests", path);
	assert_run(&add, 0);
	g_assert_cmpstr(add.err, ==, "");
	/* not a terminal: plain lines, no escape sequences, the last one says done */
	g_assert_null(strchr(add.out, '\033'));
	g_assert_null(strchr(add.out, '\r'));
	g_assert_true(g_str_has_prefix(add.out, "Added video "));
	g_assert_cmpint(sscanf(add.out, "Added video %" G_GINT64_FORMAT ",", &id), ==, 1);
	lines = g_strsplit(add.out, "\n", -1);
	n = g_strv_length(lines);
	g_assert_cmpuint(n, >=, 3);
	g_assert_cmpstr(lines[n - 1], ==, "");
	g_assert_true(g_str_has_prefix(lines[n - 2], "job "));
	g_assert_true(g_str_has_suffix(lines[n - 2], ": 100 %, succeeded"));

	id_text = g_strdup_printf("%" G_GINT64_FORMAT, id);
	run_ctl(&show, "videos", "show", "--json", id_text);
	assert_run(&show, 0);
	shown = parse_json(show.out);
	g_assert_cmpstr(
	    json_object_get_string_member(json_node_get_object(shown), "status"), ==, "ready");
}

static void
test_add_not_video(Fixture *fixture, gconstpointer data)
{
	g_autofree gchar *notes = import_path(fixture, "notes.mp4");
	g_autofree gchar *outside = g_build_filename(fixture->tmp, "outside.mp4", NULL);
	g_autoptr(GError) error = NULL;
	g_auto(Run) add;
	g_auto(Run) add_outside;
	g_auto(Run) add_missing;
	g_auto(Run) list;
	g_autoptr(JsonNode) videos = NULL;

	g_assert_true(g_file_set_contents(notes, "these are notes, not a video\n", -1, &error));
	g_assert_no_error(error);
	run_ctl(&add, "videos", "add", "--wait", notes);
	assert_clear_error(&add);
	g_assert_cmpstr(add.out, ==, "");

	/* outside IMPORT_DIRS, and a file that is not there */
	copy_file(clip, outside);
	run_ctl(&add_outside, "videos", "add", "--wait", outside);
	assert_clear_error(&add_outside);
	run_ctl(&add_missing, "videos", "add", "--wait", "/nonexistent/clip.mp4");
	assert_clear_error(&add_missing);

	run_ctl(&list, "videos", "list", "--json");
	assert_run(&list, 0);
	videos = parse_json(list.out);
	g_assert_cmpuint(json_array_get_length(json_node_get_array(videos)), ==, 0);
}

/* every frame drawn on the terminal: only "\r", "\033[K" and "\n" move or clear,
 * nothing is wider than the terminal; returns the last line */
static gchar *
check_terminal_output(const gchar *output, guint columns)
{
	g_auto(GStrv) lines = NULL;
	gchar *last = NULL;
	guint clears = 0;
	guint escapes = 0;

	for (const gchar *p = output; (p = strchr(p, '\033')) != NULL; p++) {
		escapes++;
		if (g_str_has_prefix(p, "\033[K"))
			clears++;
	}
	g_assert_cmpuint(escapes, ==, clears);
	/* the pseudo-terminal turns "\n" into "\r\n" */
	g_assert_true(g_str_has_suffix(output, "\r\n"));
	lines = g_strsplit(output, "\r\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		g_auto(GStrv) frames = g_strsplit(lines[i], "\r", -1);
		for (guint f = 0; frames[f] != NULL; f++) {
			g_auto(GStrv) parts = g_strsplit(frames[f], "\033[K", -1);
			g_autofree gchar *frame = g_strjoinv("", parts);
			if (vf_ctl_text_width(frame) > columns)
				g_error("frame wider than %u columns: «%s»", columns, frame);
			if (frame[0] != '\0') {
				g_free(last);
				last = g_steal_pointer(&frame);
			}
		}
	}
	g_assert_nonnull(last);
	return last;
}

static void
test_watch_tty(Fixture *fixture, gconstpointer data)
{
	g_autofree gchar *ctl = vf_test_build_path("src/bin/videoflixctl");
	g_autofree gchar *job_text = NULL;
	g_autofree gchar *command = NULL;
	g_autofree gchar *last = NULL;
	g_autofree gchar *prefix = NULL;
	g_auto(Run) watch;
	gint64 job_id = 0;

	add_clip(fixture, "long.mp4", "Watched", &job_id);
	job_text = g_strdup_printf("%" G_GINT64_FORMAT, job_id);
	command =
	    g_strdup_printf("stty cols %u && exec '%s' jobs watch %s", TTY_COLUMNS, ctl, job_text);
	{
		const gchar *argv[] = {"script", "-qfec", command, "/dev/null", NULL};
		run_argv(argv, NULL, NULL, &watch);
	}
	assert_run(&watch, 0);
	last = check_terminal_output(watch.out, TTY_COLUMNS);
	prefix = g_strdup_printf("job %s ", job_text);
	g_assert_true(g_str_has_prefix(last, prefix));
	g_assert_nonnull(strstr(last, "100 %"));
	g_assert_true(g_str_has_suffix(last, "succeeded"));
}

static void
test_jobs(Fixture *fixture, gconstpointer data)
{
	g_autofree gchar *job_text = NULL;
	g_autofree gchar *retry_text = NULL;
	g_autoptr(JsonNode) jobs = NULL;
	g_auto(Run) cancel;
	g_auto(Run) cancel_again;
	g_auto(Run) watch_cancelled;
	g_auto(Run) list;
	g_auto(Run) retry;
	g_auto(Run) table;
	g_auto(Run) watch_none;
	JsonObject *job = NULL;
	gint64 job_id = 0;
	gint64 retry_id = 0;

	add_clip(fixture, "long.mp4", "Cancelled", &job_id);
	job_text = g_strdup_printf("%" G_GINT64_FORMAT, job_id);
	run_ctl(&cancel, "jobs", "cancel", job_text);
	assert_run(&cancel, 0);
	assert_text(cancel.out, "Cancelled job %s.\n", job_text);
	run_ctl(&cancel_again, "jobs", "cancel", job_text);
	assert_clear_error(&cancel_again);
	/* a cancelled job is a failure for jobs watch */
	run_ctl(&watch_cancelled, "jobs", "watch", job_text);
	assert_run(&watch_cancelled, 1);
	g_assert_nonnull(strstr(watch_cancelled.out, "cancelled"));
	assert_text(watch_cancelled.err, "videoflixctl: job %s was cancelled\n", job_text);

	run_ctl(&list, "jobs", "list", "--json");
	assert_run(&list, 0);
	jobs = parse_json(list.out);
	for (guint i = 0; i < json_array_get_length(json_node_get_array(jobs)); i++) {
		JsonObject *object = json_array_get_object_element(json_node_get_array(jobs), i);
		if (get_id(object, "id") == job_id)
			job = object;
	}
	g_assert_nonnull(job);
	g_assert_cmpstr(json_object_get_string_member(job, "state"), ==, "cancelled");

	run_ctl(&retry, "jobs", "retry", "--wait", job_text);
	assert_run(&retry, 0);
	g_assert_cmpint(
	    sscanf(retry.out, "Retrying job %*d as job %" G_GINT64_FORMAT ".", &retry_id), ==, 1);
	g_assert_cmpint(retry_id, >, job_id);
	retry_text = g_strdup_printf("job %" G_GINT64_FORMAT ": 100 %%, succeeded\n", retry_id);
	g_assert_true(g_str_has_suffix(retry.out, retry_text));

	run_ctl(&table, "jobs", "list");
	assert_run(&table, 0);
	g_assert_true(g_str_has_prefix(table.out, "ID  VIDEO  STATE"));
	g_assert_nonnull(strstr(table.out, "succeeded"));
	g_assert_nonnull(strstr(table.out, "cancelled"));
	run_ctl(&watch_none, "jobs", "watch");
	assert_run(&watch_none, 0);
	g_assert_cmpstr(watch_none.out, ==, "No job is queued or running.\n");
}

typedef struct {
	gchar *line;
	gboolean done;
} LineRead;

static void
line_read_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	LineRead *read = user_data;
	g_autoptr(GError) error = NULL;

	read->line =
	    g_data_input_stream_read_line_finish(G_DATA_INPUT_STREAM(source), result, NULL, &error);
	g_assert_no_error(error);
	read->done = TRUE;
}

static void
waited_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GError) error = NULL;

	g_assert_true(g_subprocess_wait_finish(G_SUBPROCESS(source), result, &error));
	g_assert_no_error(error);
	*(gboolean *)user_data = TRUE;
}

/* videoflixd leaves the bus while jobs watch follows a running job */
static void
test_daemon_stops(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GSubprocessLauncher) launcher =
	    vf_test_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE);
	g_autofree gchar *ctl = vf_test_build_path("src/bin/videoflixctl");
	g_autofree gchar *err_path = g_build_filename(fixture->tmp, "stderr.txt", NULL);
	g_autofree gchar *err = NULL;
	g_autofree gchar *job_text = NULL;
	g_autoptr(GSubprocess) process = NULL;
	g_autoptr(GDataInputStream) out = NULL;
	g_autoptr(GError) error = NULL;
	LineRead first = {NULL, FALSE};
	gboolean exited = FALSE;
	gint64 job_id = 0;

	add_clip(fixture, "long.mp4", "Orphaned", &job_id);
	job_text = g_strdup_printf("%" G_GINT64_FORMAT, job_id);
	g_subprocess_launcher_setenv(launcher, "VIDEOFLIX_BUS", "session", TRUE);
	g_subprocess_launcher_set_stderr_file_path(launcher, err_path);
	process =
	    g_subprocess_launcher_spawn(launcher, &error, ctl, "jobs", "watch", job_text, NULL);
	g_assert_no_error(error);
	out = g_data_input_stream_new(g_subprocess_get_stdout_pipe(process));
	/* its first line: it has subscribed and read the job's state */
	g_data_input_stream_read_line_async(out, G_PRIORITY_DEFAULT, NULL, line_read_cb, &first);
	g_assert_true(vf_test_wait_until(is_true, &first.done, RUN_TIMEOUT_MS));
	g_assert_nonnull(first.line);
	g_assert_true(g_str_has_prefix(first.line, "job "));

	g_bus_unown_name(fixture->owner);
	fixture->owner = 0;
	g_subprocess_wait_async(process, NULL, waited_cb, &exited);
	g_assert_true(vf_test_wait_until(is_true, &exited, RUN_TIMEOUT_MS));
	g_assert_true(g_subprocess_get_if_exited(process));
	g_assert_cmpint(g_subprocess_get_exit_status(process), ==, 1);
	g_assert_true(g_file_get_contents(err_path, &err, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(
	    err, ==, "videoflixctl: videoflixd stopped on the session bus before the job ended\n");
	g_free(first.line);
}

static void
test_users(Fixture *fixture, gconstpointer data)
{
	g_autoptr(JsonNode) created = NULL;
	g_autoptr(JsonNode) users = NULL;
	g_autofree gchar *id_text = NULL;
	g_auto(Run) create;
	g_auto(Run) again;
	g_auto(Run) short_password;
	g_auto(Run) deactivate;
	g_auto(Run) admin;
	g_auto(Run) list;
	g_auto(Run) unknown;
	JsonObject *user;
	gint64 id;

	run_ctl_env(NULL,
		    "a-long-password\n",
		    &create,
		    "users",
		    "create",
		    "--json",
		    "ctl@example.com",
		    NULL);
	assert_run(&create, 0);
	created = parse_json(create.out);
	id = get_id(json_node_get_object(created), "id");
	id_text = g_strdup_printf("%" G_GINT64_FORMAT, id);

	run_ctl_env(NULL, "a-long-password\n", &again, "users", "create", "ctl@example.com", NULL);
	assert_clear_error(&again);
	run_ctl_env(NULL, "short\n", &short_password, "users", "create", "b@example.com", NULL);
	assert_clear_error(&short_password);

	run_ctl(&deactivate, "users", "deactivate", "CTL@example.com");
	assert_run(&deactivate, 0);
	assert_text(deactivate.out, "User %s is deactivated.\n", id_text);
	run_ctl(&admin, "users", "admin", id_text);
	assert_run(&admin, 0);

	run_ctl(&list, "users", "list", "--json");
	assert_run(&list, 0);
	users = parse_json(list.out);
	user = find_object(users, "email", "ctl@example.com");
	g_assert_nonnull(user);
	g_assert_cmpint(get_id(user, "id"), ==, id);
	g_assert_false(json_object_get_boolean_member(user, "is_active"));
	g_assert_true(json_object_get_boolean_member(user, "is_admin"));
	g_assert_null(find_object(users, "email", "b@example.com"));

	run_ctl(&unknown, "users", "activate", "nobody@example.com");
	assert_clear_error(&unknown);
	g_assert_cmpstr(
	    unknown.err, ==, "videoflixctl: No user has the e-mail address nobody@example.com\n");
}

int
main(int argc, char **argv)
{
	int result;

	vf_test_init(&argc, &argv, 1500);
	/* a transcode attempt retried on a loaded machine is logged with g_warning */
	g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
	pg = vf_test_postgres_new();
	inputs = vf_test_make_tmpdir("vf-ctl-inputs-");
	clip = g_build_filename(inputs, "clip.mp4", NULL);
	vf_test_make_clip(clip, 150);
	long_clip = g_build_filename(inputs, "long.mp4", NULL);
	vf_test_make_clip(long_clip, 600);
	g_test_add_func("/ctl/cli/usage", test_usage);
	g_test_add_func("/ctl/cli/no-daemon", test_no_daemon);
	g_test_add("/ctl/cli/videos", Fixture, NULL, fixture_setup, test_videos, fixture_teardown);
	g_test_add(
	    "/ctl/cli/add-wait", Fixture, NULL, fixture_setup, test_add_wait, fixture_teardown);
	g_test_add("/ctl/cli/add-not-video",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_add_not_video,
		   fixture_teardown);
	g_test_add(
	    "/ctl/cli/watch-tty", Fixture, NULL, fixture_setup, test_watch_tty, fixture_teardown);
	g_test_add("/ctl/cli/jobs", Fixture, NULL, fixture_setup, test_jobs, fixture_teardown);
	g_test_add("/ctl/cli/daemon-stops",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_daemon_stops,
		   fixture_teardown);
	g_test_add("/ctl/cli/users", Fixture, NULL, fixture_setup, test_users, fixture_teardown);
	result = g_test_run();
	vf_test_rm_rf(inputs);
	g_free(inputs);
	g_free(clip);
	g_free(long_clip);
	vf_test_postgres_free(pg);
	return result;
}
