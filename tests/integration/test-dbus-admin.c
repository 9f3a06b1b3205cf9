/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * org.videoflix.Admin1 end to end: the in-process daemon exports it on a private
 * bus (GTestDBus) and clients on their own connections call every method, its
 * error answers (a table) and wrongly typed calls, follow a transcode through
 * JobStateChanged and JobProgress, and see a deactivated user's cookie refused;
 * callers of another uid are refused; videoflixd itself owns the name.
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <grp.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "vf-dbus-admin.h"
#include "vf-dbus-generated.h"
#include "vf-error.h"
#include "vf-test-daemon.h"
#include "vf-test-upload.h"
#include "vf-test-util.h"

#define IFACE	      "org.videoflix.Admin1"
#define PASSWORD      "password-123"
#define CALL_TIMEOUT  60000
#define READY_TIMEOUT 240

static VfTestPostgres *pg;
static gchar *inputs; /* generated files, shared by every test */
static gchar *clip;   /* a 15-s 640x360 mp4 with audio: a few progress reports */

typedef struct {
	VfTestDaemon *daemon;
	GTestDBus *bus;
	GDBusConnection *service; /* the daemon's */
	GDBusConnection *client;
	guint owner;
	gchar *import_dir;
	gchar *outside;
} Fixture;

typedef struct {
	gboolean import; /* IMPORT_DIRS set */
	VfDBusAuthority *(*authority)(void);
} Options;

static GDBusConnection *
connect_to(Fixture *fixture)
{
	g_autoptr(GError) error = NULL;
	GDBusConnection *connection = g_dbus_connection_new_for_address_sync(
	    g_test_dbus_get_bus_address(fixture->bus),
	    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
		G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
	    NULL,
	    NULL,
	    &error);
	g_assert_no_error(error);
	return connection;
}

static void
name_acquired_cb(GDBusConnection *connection, const gchar *name, gpointer user_data)
{
	*(gboolean *)user_data = TRUE;
}

static gboolean
is_true(gpointer data)
{
	return *(gboolean *)data;
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
	const Options *options = data;
	g_autoptr(GPtrArray) env = g_ptr_array_new_with_free_func(g_free);
	g_autofree gchar *ladder = vf_test_source_path("tests/media/ladder-test.ini");
	g_autofree gchar *tmp = vf_test_make_tmpdir("vf-dbus-");
	g_autofree gchar *copy = NULL;
	g_autoptr(VfDBusAuthority) authority = NULL;
	gboolean acquired = FALSE;

	fixture->import_dir = g_build_filename(tmp, "import", NULL);
	fixture->outside = g_steal_pointer(&tmp);
	g_assert_cmpint(g_mkdir(fixture->import_dir, 0700), ==, 0);
	copy = g_build_filename(fixture->import_dir, "clip.mp4", NULL);
	copy_file(clip, copy);
	g_ptr_array_add(env, g_strdup_printf("LADDER_FILE=%s", ladder));
	if (options == NULL || options->import)
		g_ptr_array_add(
		    env, g_strdup_printf("IMPORT_DIRS=/nonexistent:%s", fixture->import_dir));
	g_ptr_array_add(env, NULL);
	fixture->daemon = vf_test_daemon_new(pg, NULL, (const gchar *const *)env->pdata);

	fixture->bus = g_test_dbus_new(G_TEST_DBUS_NONE);
	g_test_dbus_up(fixture->bus);
	fixture->service = connect_to(fixture);
	if (options != NULL && options->authority != NULL)
		authority = options->authority();
	vf_test_daemon_export_dbus(fixture->daemon, fixture->service, authority);
	fixture->owner = g_bus_own_name_on_connection(fixture->service,
						      VF_DBUS_ADMIN_NAME,
						      G_BUS_NAME_OWNER_FLAGS_NONE,
						      name_acquired_cb,
						      NULL,
						      &acquired,
						      NULL);
	g_assert_true(vf_test_wait_until(is_true, &acquired, 10000));
	fixture->client = connect_to(fixture);
}

static void
fixture_teardown(Fixture *fixture, gconstpointer data)
{
	g_dbus_connection_close_sync(fixture->client, NULL, NULL);
	g_clear_object(&fixture->client);
	if (fixture->owner != 0)
		g_bus_unown_name(fixture->owner);
	vf_test_daemon_free(fixture->daemon);
	g_dbus_connection_close_sync(fixture->service, NULL, NULL);
	g_clear_object(&fixture->service);
	g_test_dbus_down(fixture->bus);
	g_clear_object(&fixture->bus);
	vf_test_rm_rf(fixture->outside);
	g_free(fixture->outside);
	g_free(fixture->import_dir);
}

/* ---- calls ---- */

typedef struct {
	GVariant *reply;
	GError *error;
	gboolean done;
} Reply;

static void
called_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Reply *reply = user_data;
	reply->reply =
	    g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &reply->error);
	reply->done = TRUE;
}

/* a call that keeps the loop (and so the daemon) running while it waits;
 * parameters is sunk */
static GVariant *
call_on(GDBusConnection *connection,
	const gchar *method,
	GVariant *parameters,
	const gchar *reply_type,
	GError **error)
{
	Reply reply = {NULL, NULL, FALSE};

	g_dbus_connection_call(connection,
			       VF_DBUS_ADMIN_NAME,
			       VF_DBUS_ADMIN_PATH,
			       IFACE,
			       method,
			       parameters,
			       reply_type != NULL ? G_VARIANT_TYPE(reply_type) : NULL,
			       G_DBUS_CALL_FLAGS_NONE,
			       CALL_TIMEOUT,
			       NULL,
			       called_cb,
			       &reply);
	g_assert_true(vf_test_wait_until(is_true, &reply.done, CALL_TIMEOUT + 5000));
	if (reply.error != NULL)
		g_propagate_error(error, reply.error);
	return reply.reply;
}

static GVariant *
call(Fixture *fixture, const gchar *method, GVariant *parameters, const gchar *reply_type)
{
	g_autoptr(GError) error = NULL;
	GVariant *reply = call_on(fixture->client, method, parameters, reply_type, &error);

	g_assert_no_error(error);
	return reply;
}

/* the call fails with that D-Bus error name and a message */
static void
assert_call_fails(Fixture *fixture, const gchar *method, GVariant *parameters, const gchar *name)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = call_on(fixture->client, method, parameters, NULL, &error);
	g_autofree gchar *remote = NULL;

	if (reply != NULL)
		g_error("%s answered %s, expected %s", method, g_variant_print(reply, TRUE), name);
	g_assert_nonnull(error);
	remote = g_dbus_error_get_remote_error(error);
	if (g_strcmp0(remote, name) != 0)
		g_printerr("%s: %s\n", method, error->message);
	g_assert_cmpstr(remote, ==, name);
	g_dbus_error_strip_remote_error(error);
	g_assert_cmpuint(strlen(error->message), >, 5);
}

static gint64
add_video(Fixture *fixture, const gchar *path, const gchar *title, gint64 *job_id)
{
	g_autoptr(GVariant) reply = call(
	    fixture, "AddVideo", g_variant_new("(ssss)", path, title, "Imported", "Tests"), "(xx)");
	gint64 id = 0;
	gint64 job = 0;

	g_variant_get(reply, "(xx)", &id, &job);
	g_assert_cmpint(id, >, 0);
	g_assert_cmpint(job, >, 0);
	if (job_id != NULL)
		*job_id = job;
	return id;
}

static GVariant *
get_video(Fixture *fixture, gint64 id)
{
	g_autoptr(GVariant) reply = call(fixture, "GetVideo", g_variant_new("(x)", id), "(a{sv})");
	return g_variant_get_child_value(reply, 0);
}

static const gchar *
lookup_string(GVariant *dict, const gchar *key)
{
	const gchar *value = NULL;
	g_assert_true(g_variant_lookup(dict, key, "&s", &value));
	return value;
}

/* ---- signals ---- */

typedef struct {
	GPtrArray *events; /* "state <job> <video> <state> <error>" / "progress <job> <video>" */
	guint subscription;
	GDBusConnection *connection;
} Recorder;

static void
signal_cb(GDBusConnection *connection,
	  const gchar *sender,
	  const gchar *path,
	  const gchar *interface,
	  const gchar *member,
	  GVariant *parameters,
	  gpointer user_data)
{
	Recorder *recorder = user_data;
	gint64 job_id = 0;
	gint64 video_id = 0;

	if (g_str_equal(member, "JobStateChanged")) {
		const gchar *state;
		const gchar *message;
		g_variant_get(parameters, "(xx&s&s)", &job_id, &video_id, &state, &message);
		g_ptr_array_add(recorder->events,
				g_strdup_printf("state %" G_GINT64_FORMAT " %" G_GINT64_FORMAT
						" %s %s",
						job_id,
						video_id,
						state,
						message));
	} else if (g_str_equal(member, "JobProgress")) {
		gdouble progress = -1;
		gdouble speed = -1;
		g_variant_get(parameters, "(xxdd)", &job_id, &video_id, &progress, &speed);
		g_assert_cmpfloat(progress, >=, 0.0);
		g_assert_cmpfloat(progress, <=, 1.0);
		g_assert_cmpfloat(speed, >=, 0.0);
		g_ptr_array_add(recorder->events,
				g_strdup_printf("progress %" G_GINT64_FORMAT " %" G_GINT64_FORMAT,
						job_id,
						video_id));
	}
}

static void
recorder_start(Recorder *recorder, GDBusConnection *connection)
{
	recorder->events = g_ptr_array_new_with_free_func(g_free);
	recorder->connection = connection;
	recorder->subscription = g_dbus_connection_signal_subscribe(connection,
								    NULL,
								    IFACE,
								    NULL,
								    VF_DBUS_ADMIN_PATH,
								    NULL,
								    G_DBUS_SIGNAL_FLAGS_NONE,
								    signal_cb,
								    recorder,
								    NULL);
}

static void
recorder_stop(Recorder *recorder)
{
	if (recorder->connection != NULL)
		g_dbus_connection_signal_unsubscribe(recorder->connection, recorder->subscription);
	g_ptr_array_unref(recorder->events);
}

/* the same record through the generated proxy, as clients use it */
static void
proxy_state_cb(VfDBusAdmin1 *proxy,
	       gint64 job_id,
	       gint64 video_id,
	       const gchar *state,
	       const gchar *message,
	       gpointer user_data)
{
	g_autoptr(GVariant) parameters =
	    g_variant_ref_sink(g_variant_new("(xxss)", job_id, video_id, state, message));
	signal_cb(NULL, NULL, NULL, NULL, "JobStateChanged", parameters, user_data);
}

static void
proxy_progress_cb(VfDBusAdmin1 *proxy,
		  gint64 job_id,
		  gint64 video_id,
		  gdouble progress,
		  gdouble speed,
		  gpointer user_data)
{
	g_autoptr(GVariant) parameters =
	    g_variant_ref_sink(g_variant_new("(xxdd)", job_id, video_id, progress, speed));
	signal_cb(NULL, NULL, NULL, NULL, "JobProgress", parameters, user_data);
}

static void
proxy_ready_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	VfDBusAdmin1 **proxy = user_data;
	g_autoptr(GError) error = NULL;

	*proxy = vf_dbus_admin1_proxy_new_finish(result, &error);
	g_assert_no_error(error);
}

static gboolean
is_set(gpointer data)
{
	return *(gpointer *)data != NULL;
}

static VfDBusAdmin1 *
recorder_start_proxy(Recorder *recorder, GDBusConnection *connection)
{
	VfDBusAdmin1 *proxy = NULL;

	recorder->events = g_ptr_array_new_with_free_func(g_free);
	recorder->connection = NULL;
	vf_dbus_admin1_proxy_new(connection,
				 G_DBUS_PROXY_FLAGS_NONE,
				 VF_DBUS_ADMIN_NAME,
				 VF_DBUS_ADMIN_PATH,
				 NULL,
				 proxy_ready_cb,
				 &proxy);
	g_assert_true(vf_test_wait_until(is_set, &proxy, CALL_TIMEOUT));
	g_assert_cmpstr(vf_dbus_admin1_get_version(proxy), ==, PACKAGE_VERSION);
	g_signal_connect(proxy, "job-state-changed", G_CALLBACK(proxy_state_cb), recorder);
	g_signal_connect(proxy, "job-progress", G_CALLBACK(proxy_progress_cb), recorder);
	return proxy;
}

typedef struct {
	Recorder *recorder;
	const gchar *prefix;
} Wait;

static gboolean
has_event(gpointer data)
{
	Wait *wait = data;
	for (guint i = 0; i < wait->recorder->events->len; i++) {
		if (g_str_has_prefix(g_ptr_array_index(wait->recorder->events, i), wait->prefix))
			return TRUE;
	}
	return FALSE;
}

static void
wait_event(Recorder *recorder, const gchar *prefix)
{
	Wait wait = {recorder, prefix};
	if (!vf_test_wait_until(has_event, &wait, READY_TIMEOUT * 1000)) {
		for (guint i = 0; i < recorder->events->len; i++)
			g_printerr("event: %s\n", (gchar *)g_ptr_array_index(recorder->events, i));
		g_error("no event \"%s\"", prefix);
	}
}

static gint
index_of(Recorder *recorder, const gchar *prefix)
{
	for (guint i = 0; i < recorder->events->len; i++) {
		if (g_str_has_prefix(g_ptr_array_index(recorder->events, i), prefix))
			return (gint)i;
	}
	return -1;
}

/* ---- tests ---- */

static void
test_version(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GVariant) value = NULL;
	Reply r = {NULL, NULL, FALSE};

	g_dbus_connection_call(fixture->client,
			       VF_DBUS_ADMIN_NAME,
			       VF_DBUS_ADMIN_PATH,
			       "org.freedesktop.DBus.Properties",
			       "Get",
			       g_variant_new("(ss)", IFACE, "Version"),
			       G_VARIANT_TYPE("(v)"),
			       G_DBUS_CALL_FLAGS_NONE,
			       CALL_TIMEOUT,
			       NULL,
			       called_cb,
			       &r);
	g_assert_true(vf_test_wait_until(is_true, &r.done, CALL_TIMEOUT));
	g_assert_no_error(r.error);
	reply = r.reply;
	g_variant_get(reply, "(v)", &value);
	g_assert_cmpstr(g_variant_get_string(value, NULL), ==, PACKAGE_VERSION);
}

static void
test_transcode_signals(Fixture *fixture, gconstpointer data)
{
	g_autofree gchar *path = g_build_filename(fixture->import_dir, "clip.mp4", NULL);
	g_autoptr(GDBusConnection) second = connect_to(fixture);
	g_autoptr(VfDBusAdmin1) proxy = NULL;
	g_autoptr(GVariant) video = NULL;
	g_autoptr(GVariant) videos = NULL;
	g_autoptr(GVariant) jobs = NULL;
	g_autoptr(GVariant) job = NULL;
	g_autoptr(GVariant) updated = NULL;
	g_autoptr(GVariant) update = NULL;
	g_autofree gchar *running = NULL;
	g_autofree gchar *progress = NULL;
	g_autofree gchar *succeeded = NULL;
	g_auto(GStrv) resolutions = NULL;
	Recorder one;
	Recorder two;
	gint64 job_id = 0;
	gint64 id;
	gint64 update_job = -1;
	gdouble duration = 0;
	gint64 value = 0;

	recorder_start(&one, fixture->client);
	proxy = recorder_start_proxy(&two, second);
	id = add_video(fixture, path, "  Imported clip  ", &job_id);
	running =
	    g_strdup_printf("state %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " running", job_id, id);
	progress = g_strdup_printf("progress %" G_GINT64_FORMAT " %" G_GINT64_FORMAT, job_id, id);
	succeeded = g_strdup_printf(
	    "state %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " succeeded", job_id, id);
	wait_event(&one, succeeded);
	wait_event(&two, succeeded);
	/* running, then progress, then the outcome, seen alike by both clients */
	g_assert_cmpint(index_of(&one, running), >=, 0);
	g_assert_cmpint(index_of(&one, progress), >, index_of(&one, running));
	g_assert_cmpint(index_of(&one, succeeded), >, index_of(&one, progress));
	g_assert_cmpint(index_of(&one, succeeded), ==, (gint)one.events->len - 1);
	g_assert_cmpuint(one.events->len, ==, two.events->len);
	for (guint i = 0; i < one.events->len; i++)
		g_assert_cmpstr(
		    g_ptr_array_index(one.events, i), ==, g_ptr_array_index(two.events, i));

	/* the original stays; the record is ready */
	g_assert_true(g_file_test(path, G_FILE_TEST_IS_REGULAR));
	video = get_video(fixture, id);
	g_assert_cmpstr(lookup_string(video, "title"), ==, "Imported clip");
	g_assert_cmpstr(lookup_string(video, "description"), ==, "Imported");
	g_assert_cmpstr(lookup_string(video, "category"), ==, "Tests");
	g_assert_cmpstr(lookup_string(video, "status"), ==, "ready");
	g_assert_cmpstr(lookup_string(video, "error"), ==, "");
	g_assert_true(g_str_has_prefix(lookup_string(video, "thumbnail_url"), "http://"));
	g_assert_true(g_variant_lookup(video, "duration", "d", &duration));
	g_assert_cmpfloat(duration, >, 4.0);
	g_assert_true(g_variant_lookup(video, "resolutions", "^as", &resolutions));
	g_assert_cmpuint(g_strv_length(resolutions), ==, 3);
	g_assert_true(g_variant_lookup(video, "id", "x", &value));
	g_assert_cmpint(value, ==, id);

	videos = call(fixture, "ListVideos", NULL, "(aa{sv})");
	g_assert_cmpuint(g_variant_n_children(g_variant_get_child_value(videos, 0)), ==, 1);
	jobs = call(fixture, "ListJobs", NULL, "(aa{sv})");
	job = g_variant_get_child_value(g_variant_get_child_value(jobs, 0), 0);
	g_assert_true(g_variant_lookup(job, "id", "x", &value));
	g_assert_cmpint(value, ==, job_id);
	g_assert_cmpstr(lookup_string(job, "state"), ==, "succeeded");
	g_assert_cmpstr(lookup_string(job, "started_at"), !=, "");
	g_assert_cmpstr(lookup_string(job, "finished_at"), !=, "");

	/* metadata only: no job */
	{
		GVariantBuilder changes;
		g_variant_builder_init(&changes, G_VARIANT_TYPE_VARDICT);
		g_variant_builder_add(&changes, "{sv}", "title", g_variant_new_string("Renamed"));
		g_variant_builder_add(&changes, "{sv}", "category", g_variant_new_string(""));
		update =
		    call(fixture, "UpdateVideo", g_variant_new("(xa{sv})", id, &changes), "(x)");
	}
	g_variant_get(update, "(x)", &update_job);
	g_assert_cmpint(update_job, ==, 0);
	updated = get_video(fixture, id);
	g_assert_cmpstr(lookup_string(updated, "title"), ==, "Renamed");
	g_assert_cmpstr(lookup_string(updated, "category"), ==, "");
	g_assert_cmpstr(lookup_string(updated, "description"), ==, "Imported");

	/* a succeeded job is not retried */
	assert_call_fails(
	    fixture, "RetryJob", g_variant_new("(x)", job_id), "org.videoflix.Error.InvalidInput");
	g_variant_unref(call(fixture, "DeleteVideo", g_variant_new("(x)", id), "()"));
	assert_call_fails(
	    fixture, "GetVideo", g_variant_new("(x)", id), "org.videoflix.Error.NotFound");
	recorder_stop(&one);
	g_signal_handlers_disconnect_by_data(proxy, &two);
	recorder_stop(&two);
	g_dbus_connection_close_sync(second, NULL, NULL);
}

static void
write_file(const gchar *path, const gchar *contents)
{
	g_autoptr(GError) error = NULL;
	g_assert_true(g_file_set_contents(path, contents, -1, &error));
	g_assert_no_error(error);
}

typedef struct {
	const gchar *method;
	GVariant *parameters; /* floating until called */
	const gchar *error;
} ErrorCase;

static GVariant *
add_params(const gchar *path, const gchar *title, const gchar *category)
{
	return g_variant_new("(ssss)", path, title, "", category);
}

static GVariant *
one_change(const gchar *key, GVariant *value)
{
	GVariantBuilder changes;
	g_variant_builder_init(&changes, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&changes, "{sv}", key, value);
	return g_variant_builder_end(&changes);
}

static void
test_errors(Fixture *fixture, gconstpointer data)
{
	const gchar *dir = fixture->import_dir;
	g_autofree gchar *good = g_build_filename(dir, "clip.mp4", NULL);
	g_autofree gchar *not_video = g_build_filename(dir, "notes.mp4", NULL);
	g_autofree gchar *text = g_build_filename(dir, "notes.txt", NULL);
	g_autofree gchar *empty = g_build_filename(dir, "empty.mp4", NULL);
	g_autofree gchar *outside = g_build_filename(fixture->outside, "outside.mp4", NULL);
	g_autofree gchar *dotdot = g_build_filename(dir, "..", "outside.mp4", NULL);
	g_autofree gchar *link = g_build_filename(dir, "link.mp4", NULL);
	g_autofree gchar *missing = g_build_filename(dir, "missing.mp4", NULL);
	g_autofree gchar *missing_outside = g_build_filename(fixture->outside, "missing.mp4", NULL);
	g_autofree gchar *folder = g_build_filename(dir, "folder.mp4", NULL);
	g_autofree gchar *long_title = g_strnfill(201, 'a');
	g_autofree gchar *long_category = g_strnfill(101, 'c');
	g_autoptr(GVariant) created = NULL;
	const gchar *invalid = "org.videoflix.Error.InvalidInput";
	const gchar *not_found = "org.videoflix.Error.NotFound";
	const gchar *denied = "org.videoflix.Error.PermissionDenied";
	const gchar *media = "org.videoflix.Error.MediaInvalid";
	gint64 id;
	gint64 user_id = 0;
	g_autofree gchar *count = NULL;

	write_file(not_video, "this is not a video, just some text in a file named .mp4\n");
	write_file(text, "notes\n");
	write_file(empty, "");
	g_assert_cmpint(g_mkdir(folder, 0700), ==, 0);
	copy_file(clip, outside);
	g_assert_cmpint(symlink(outside, link), ==, 0);
	id = add_video(fixture, good, "A video to change", NULL);
	created = call(fixture,
		       "CreateUser",
		       g_variant_new("(ssbb)", "taken@example.com", PASSWORD, TRUE, FALSE),
		       "(x)");
	g_variant_get(created, "(x)", &user_id);
	g_assert_cmpint(user_id, >, 0);

	{
		ErrorCase cases[] = {
		    /* AddVideo: metadata, then the file */
		    {"AddVideo", add_params(good, "", ""), invalid},
		    {"AddVideo", add_params(good, "   ", ""), invalid},
		    {"AddVideo", add_params(good, long_title, ""), invalid},
		    {"AddVideo", add_params(good, "Title", long_category), invalid},
		    {"AddVideo", add_params("", "Title", ""), invalid},
		    {"AddVideo", add_params("clip.mp4", "Title", ""), invalid},
		    {"AddVideo", add_params(not_video, "Title", ""), media},
		    {"AddVideo", add_params(text, "Title", ""), media},
		    {"AddVideo", add_params(empty, "Title", ""), media},
		    {"AddVideo", add_params(folder, "Title", ""), invalid},
		    {"AddVideo", add_params(dir, "Title", ""), denied},
		    {"AddVideo", add_params(outside, "Title", ""), denied},
		    {"AddVideo", add_params(dotdot, "Title", ""), denied},
		    {"AddVideo", add_params(link, "Title", ""), denied},
		    {"AddVideo", add_params(missing_outside, "Title", ""), denied},
		    {"AddVideo", add_params("/etc/passwd", "Title", ""), denied},
		    {"AddVideo", add_params(missing, "Title", ""), not_found},
		    /* unknown ids */
		    {"GetVideo", g_variant_new("(x)", (gint64)999999), not_found},
		    {"GetVideo", g_variant_new("(x)", (gint64)0), not_found},
		    {"GetVideo", g_variant_new("(x)", (gint64)-1), not_found},
		    {"DeleteVideo", g_variant_new("(x)", (gint64)999999), not_found},
		    {"UpdateVideo",
		     g_variant_new("(x@a{sv})",
				   (gint64)999999,
				   one_change("title", g_variant_new_string("x"))),
		     not_found},
		    {"RetryJob", g_variant_new("(x)", (gint64)999999), not_found},
		    {"RetryJob", g_variant_new("(x)", (gint64)0), not_found},
		    {"CancelJob", g_variant_new("(x)", (gint64)999999), not_found},
		    {"CancelJob", g_variant_new("(x)", (gint64)-3), not_found},
		    {"SetUserActive", g_variant_new("(xb)", (gint64)999999, FALSE), not_found},
		    {"SetUserAdmin", g_variant_new("(xb)", (gint64)-1, TRUE), not_found},
		    {"UpdateVideo",
		     g_variant_new(
			 "(x@a{sv})", (gint64)0, one_change("path", g_variant_new_string(good))),
		     not_found},
		    {"UpdateVideo",
		     g_variant_new(
			 "(x@a{sv})", (gint64)-1, one_change("title", g_variant_new_string("x"))),
		     not_found},
		    /* UpdateVideo's changes */
		    {"UpdateVideo",
		     g_variant_new(
			 "(x@a{sv})", id, one_change("colour", g_variant_new_string("x"))),
		     invalid},
		    {"UpdateVideo",
		     g_variant_new("(x@a{sv})", id, one_change("title", g_variant_new_int32(42))),
		     invalid},
		    {"UpdateVideo",
		     g_variant_new("(x@a{sv})", id, one_change("title", g_variant_new_string(" "))),
		     invalid},
		    {"UpdateVideo",
		     g_variant_new(
			 "(x@a{sv})", id, one_change("path", g_variant_new_string(outside))),
		     denied},
		    {"UpdateVideo",
		     g_variant_new(
			 "(x@a{sv})", id, one_change("path", g_variant_new_string(not_video))),
		     media},
		    /* CreateUser */
		    {"CreateUser",
		     g_variant_new("(ssbb)", "not-an-address", PASSWORD, TRUE, FALSE),
		     invalid},
		    {"CreateUser", g_variant_new("(ssbb)", "", PASSWORD, TRUE, FALSE), invalid},
		    {"CreateUser",
		     g_variant_new("(ssbb)", "short@example.com", "short", TRUE, FALSE),
		     invalid},
		    {"CreateUser",
		     g_variant_new("(ssbb)", "Taken@Example.com ", PASSWORD, TRUE, FALSE),
		     invalid},
		};

		for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
			g_test_message("case %u: %s", i, cases[i].method);
			assert_call_fails(
			    fixture, cases[i].method, cases[i].parameters, cases[i].error);
		}
	}
	/* nothing of the refusals stayed: one video, the temp area empty */
	count = vf_test_daemon_query(fixture->daemon, "SELECT count(*) FROM videos");
	g_assert_cmpstr(count, ==, "1");
	g_clear_pointer(&count, g_free);
	count = vf_test_daemon_query(fixture->daemon, "SELECT count(*) FROM users");
	g_assert_cmpstr(count, ==, "1");
	{
		g_autofree gchar *tmp = g_build_filename(
		    vf_test_daemon_get_config(fixture->daemon)->media_root, "tmp", NULL);
		g_autoptr(GDir) listing = g_dir_open(tmp, 0, NULL);
		g_assert_true(listing == NULL || g_dir_read_name(listing) == NULL);
	}
	g_assert_true(g_file_test(outside, G_FILE_TEST_IS_REGULAR));
}

static void
test_no_import_dirs(Fixture *fixture, gconstpointer data)
{
	g_autofree gchar *good = g_build_filename(fixture->import_dir, "clip.mp4", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	    call_on(fixture->client, "AddVideo", add_params(good, "Title", ""), "(xx)", &error);

	g_assert_null(reply);
	g_assert_true(g_error_matches(error, VF_ERROR, VF_ERROR_PERMISSION_DENIED));
	g_assert_nonnull(strstr(error->message, "IMPORT_DIRS"));
}

static void
test_jobs(Fixture *fixture, gconstpointer data)
{
	g_autofree gchar *good = g_build_filename(fixture->import_dir, "clip.mp4", NULL);
	g_autofree gchar *cancelled = NULL;
	g_autofree gchar *succeeded = NULL;
	g_autoptr(GVariant) video = NULL;
	g_autoptr(GVariant) retried = NULL;
	g_autoptr(GVariant) ready = NULL;
	g_autoptr(GVariant) replaced = NULL;
	Recorder recorder;
	gint64 job_id = 0;
	gint64 retry_id = 0;
	gint64 replace_id = 0;
	gint64 id;

	recorder_start(&recorder, fixture->client);
	id = add_video(fixture, good, "To cancel", &job_id);
	/* queued or running: neither can be retried */
	assert_call_fails(
	    fixture, "RetryJob", g_variant_new("(x)", job_id), "org.videoflix.Error.InvalidInput");
	g_variant_unref(call(fixture, "CancelJob", g_variant_new("(x)", job_id), "()"));
	cancelled = g_strdup_printf(
	    "state %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " cancelled", job_id, id);
	wait_event(&recorder, cancelled);
	video = get_video(fixture, id);
	g_assert_cmpstr(lookup_string(video, "status"), ==, "failed");
	g_assert_cmpstr(lookup_string(video, "error"), ==, "cancelled");
	assert_call_fails(
	    fixture, "CancelJob", g_variant_new("(x)", job_id), "org.videoflix.Error.InvalidInput");

	/* the cancelled job again, as a new one */
	retried = call(fixture, "RetryJob", g_variant_new("(x)", job_id), "(x)");
	g_variant_get(retried, "(x)", &retry_id);
	g_assert_cmpint(retry_id, >, job_id);
	succeeded = g_strdup_printf(
	    "state %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " succeeded", retry_id, id);
	wait_event(&recorder, succeeded);
	ready = get_video(fixture, id);
	g_assert_cmpstr(lookup_string(ready, "status"), ==, "ready");
	assert_call_fails(fixture,
			  "RetryJob",
			  g_variant_new("(x)", retry_id),
			  "org.videoflix.Error.InvalidInput");

	/* a new source for the ready video: a new job, the ladder plays meanwhile */
	replaced =
	    call(fixture,
		 "UpdateVideo",
		 g_variant_new("(x@a{sv})", id, one_change("path", g_variant_new_string(good))),
		 "(x)");
	g_variant_get(replaced, "(x)", &replace_id);
	g_assert_cmpint(replace_id, >, retry_id);
	g_clear_pointer(&succeeded, g_free);
	succeeded = g_strdup_printf(
	    "state %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " succeeded", replace_id, id);
	wait_event(&recorder, succeeded);
	recorder_stop(&recorder);
}

static VfTestResponse *
get_with_cookie(Fixture *fixture, const gchar *path, const gchar *cookie)
{
	const gchar *headers[] = {"Cookie", cookie, NULL};
	return vf_test_daemon_request(fixture->daemon, "GET", path, headers, NULL, 0);
}

static void
test_users(Fixture *fixture, gconstpointer data)
{
	g_autoptr(VfTestResponse) login = NULL;
	g_autoptr(VfTestResponse) before = NULL;
	g_autoptr(VfTestResponse) after = NULL;
	g_autoptr(VfTestResponse) refreshed = NULL;
	g_autoptr(VfTestResponse) reactivated = NULL;
	g_autoptr(VfTestResponse) again = NULL;
	g_autoptr(VfTestResponse) created_login = NULL;
	g_autoptr(GVariant) created = NULL;
	g_autoptr(GVariant) users = NULL;
	g_autoptr(GVariant) list = NULL;
	g_autofree gchar *access = NULL;
	g_autofree gchar *refresh = NULL;
	g_autofree gchar *cookie = NULL;
	g_autofree gchar *refresh_cookie = NULL;
	gint64 user_id;
	gint64 new_id = 0;
	gboolean found = FALSE;

	/* an account made here logs in at once, no mail */
	created = call(fixture,
		       "CreateUser",
		       g_variant_new("(ssbb)", " New@Example.com", PASSWORD, TRUE, FALSE),
		       "(x)");
	g_variant_get(created, "(x)", &new_id);
	created_login = vf_test_daemon_post_json(
	    fixture->daemon,
	    "/api/login/",
	    "{\"email\": \"new@example.com\", \"password\": \"" PASSWORD "\"}",
	    NULL);
	vf_test_assert_status(created_login, 200);
	g_variant_unref(call(fixture, "SetUserAdmin", g_variant_new("(xb)", new_id, TRUE), "()"));
	users = call(fixture, "ListUsers", NULL, "(aa{sv})");
	list = g_variant_get_child_value(users, 0);
	for (gsize i = 0; i < g_variant_n_children(list); i++) {
		g_autoptr(GVariant) user = g_variant_get_child_value(list, i);
		gint64 id = 0;
		gboolean is_admin = FALSE;
		gboolean is_active = FALSE;
		g_assert_true(g_variant_lookup(user, "id", "x", &id));
		if (id != new_id)
			continue;
		found = TRUE;
		g_assert_cmpstr(lookup_string(user, "email"), ==, "new@example.com");
		g_assert_true(g_variant_lookup(user, "is_admin", "b", &is_admin));
		g_assert_true(g_variant_lookup(user, "is_active", "b", &is_active));
		g_assert_true(is_admin);
		g_assert_true(is_active);
		g_assert_cmpstr(lookup_string(user, "created_at"), !=, "");
	}
	g_assert_true(found);

	/* deactivation ends a live session at once, and for good */
	login = vf_test_daemon_create_user(fixture->daemon, "viewer@example.com", PASSWORD);
	vf_test_assert_status(login, 200);
	user_id = json_object_get_int_member(
	    json_object_get_object_member(json_node_get_object(login->json), "user"), "id");
	access = vf_test_response_dup_cookie(login, "access_token");
	refresh = vf_test_response_dup_cookie(login, "refresh_token");
	cookie = g_strdup_printf("access_token=%s", access);
	refresh_cookie = g_strdup_printf("refresh_token=%s", refresh);
	before = get_with_cookie(fixture, "/api/video/", cookie);
	vf_test_assert_status(before, 200);
	g_variant_unref(
	    call(fixture, "SetUserActive", g_variant_new("(xb)", user_id, FALSE), "()"));
	after = get_with_cookie(fixture, "/api/video/", cookie);
	vf_test_assert_status(after, 401);
	{
		const gchar *headers[] = {"Cookie", refresh_cookie, NULL};
		refreshed = vf_test_daemon_request(
		    fixture->daemon, "POST", "/api/token/refresh/", headers, NULL, 0);
		vf_test_assert_status(refreshed, 401);
	}
	g_variant_unref(call(fixture, "SetUserActive", g_variant_new("(xb)", user_id, TRUE), "()"));
	reactivated = get_with_cookie(fixture, "/api/video/", cookie);
	vf_test_assert_status(reactivated, 401);
	/* a second later a new login works again (sessions end in whole seconds) */
	g_usleep(1100 * 1000);
	again = vf_test_daemon_post_json(
	    fixture->daemon,
	    "/api/login/",
	    "{\"email\": \"viewer@example.com\", \"password\": \"" PASSWORD "\"}",
	    NULL);
	vf_test_assert_status(again, 200);
	{
		g_autofree gchar *new_access = vf_test_response_dup_cookie(again, "access_token");
		g_autofree gchar *new_cookie = g_strdup_printf("access_token=%s", new_access);
		g_autoptr(VfTestResponse) fresh =
		    get_with_cookie(fixture, "/api/video/", new_cookie);
		vf_test_assert_status(fresh, 200);
	}
}

typedef struct {
	const gchar *method;
	GVariant *parameters;
	const gchar *error; /* NULL: any error */
} FuzzCase;

static void
test_fuzz(Fixture *fixture, gconstpointer data)
{
	g_autofree gchar *good = g_build_filename(fixture->import_dir, "clip.mp4", NULL);
	gchar *huge = g_malloc(1024 * 1024 + 1);
	const gchar *weird =
	    "\xe2\x80\xae\xcc\x81\xf0\x9f\x8e\xac\xe2\x80\x8d\xe4\xb8\xad\xef\xbb\xbf";
	g_autofree gchar *weird_path = g_build_filename(fixture->import_dir, weird, NULL);
	g_autoptr(GVariant) videos = NULL;
	GVariantBuilder many;
	const gchar *args = "org.freedesktop.DBus.Error.InvalidArgs";

	memset(huge, 'a', 1024 * 1024);
	huge[1024 * 1024] = '\0';
	g_variant_builder_init(&many, G_VARIANT_TYPE_VARDICT);
	for (guint i = 0; i < 5000; i++) {
		g_autofree gchar *key = g_strdup_printf("key%u", i);
		g_variant_builder_add(&many, "{sv}", key, g_variant_new_string("x"));
	}
	{
		FuzzCase cases[] = {
		    {"AddVideo", g_variant_new("(i)", 1), args},
		    {"AddVideo", g_variant_new("(sss)", good, "t", ""), args},
		    {"AddVideo", g_variant_new("(ssssx)", good, "t", "", "", (gint64)1), args},
		    {"AddVideo", g_variant_new("()"), args},
		    {"AddVideo", add_params(huge, "Title", ""), NULL},
		    {"AddVideo", add_params(good, huge, ""), "org.videoflix.Error.InvalidInput"},
		    {"AddVideo",
		     add_params(good, "Title", huge),
		     "org.videoflix.Error.InvalidInput"},
		    {"AddVideo",
		     add_params(weird_path, weird, weird),
		     "org.videoflix.Error.NotFound"},
		    {"AddVideo",
		     add_params(weird, weird, weird),
		     "org.videoflix.Error.InvalidInput"},
		    {"GetVideo", g_variant_new("(s)", "1"), args},
		    {"GetVideo", g_variant_new("(i)", 1), args},
		    {"GetVideo", g_variant_new("(xx)", (gint64)1, (gint64)2), args},
		    {"GetVideo", g_variant_new("(x)", G_MININT64), "org.videoflix.Error.NotFound"},
		    {"GetVideo", g_variant_new("(x)", G_MAXINT64), "org.videoflix.Error.NotFound"},
		    {"DeleteVideo",
		     g_variant_new("(x)", G_MININT64),
		     "org.videoflix.Error.NotFound"},
		    {"UpdateVideo", g_variant_new("(xs)", (gint64)1, "title"), args},
		    {"UpdateVideo",
		     g_variant_new("(x@a{sv})", (gint64)1, g_variant_builder_end(&many)),
		     "org.videoflix.Error.InvalidInput"},
		    {"RetryJob", g_variant_new("(x)", G_MAXINT64), "org.videoflix.Error.NotFound"},
		    {"CancelJob", g_variant_new("(b)", TRUE), args},
		    {"ListVideos", g_variant_new("(x)", (gint64)1), args},
		    {"CreateUser", g_variant_new("(ssbb)", huge, huge, TRUE, TRUE), NULL},
		    {"CreateUser",
		     g_variant_new("(ssbb)", weird, weird, TRUE, TRUE),
		     "org.videoflix.Error.InvalidInput"},
		    {"CreateUser", g_variant_new("(ss)", "a@b.c", PASSWORD), args},
		    {"SetUserActive", g_variant_new("(xs)", (gint64)1, "no"), args},
		    {"SetUserAdmin", g_variant_new("(x)", (gint64)1), args},
		    {"Frobnicate", g_variant_new("()"), "org.freedesktop.DBus.Error.UnknownMethod"},
		};

		for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
			g_autoptr(GError) error = NULL;
			g_autoptr(GVariant) reply = NULL;
			g_autofree gchar *remote = NULL;

			g_test_message("case %u: %s", i, cases[i].method);
			reply = call_on(
			    fixture->client, cases[i].method, cases[i].parameters, NULL, &error);
			g_assert_null(reply);
			g_assert_nonnull(error);
			remote = g_dbus_error_get_remote_error(error);
			g_assert_nonnull(remote);
			if (cases[i].error != NULL)
				g_assert_cmpstr(remote, ==, cases[i].error);
		}
	}
	/* still serving, and nothing was created */
	videos = call(fixture, "ListVideos", NULL, "(aa{sv})");
	g_assert_cmpuint(g_variant_n_children(g_variant_get_child_value(videos, 0)), ==, 0);
	g_free(huge);
}

static gboolean
dir_has_entries(gpointer data)
{
	g_autoptr(GDir) listing = g_dir_open(data, 0, NULL);
	return listing != NULL && g_dir_read_name(listing) != NULL;
}

static gboolean
one_video(gpointer data)
{
	Fixture *fixture = data;
	g_autofree gchar *count =
	    vf_test_daemon_query(fixture->daemon, "SELECT count(*) FROM videos");
	return g_strcmp0(count, "1") == 0;
}

static void
test_disconnect(Fixture *fixture, gconstpointer data)
{
	g_autofree gchar *good = g_build_filename(fixture->import_dir, "clip.mp4", NULL);
	g_autofree gchar *tmp =
	    g_build_filename(vf_test_daemon_get_config(fixture->daemon)->media_root, "tmp", NULL);
	g_autoptr(GDBusConnection) leaving = connect_to(fixture);
	g_autoptr(GVariant) users = NULL;
	g_autoptr(GVariant) video = NULL;

	/* the caller goes away while the daemon works on its call (copied, probing) */
	g_dbus_connection_call(leaving,
			       VF_DBUS_ADMIN_NAME,
			       VF_DBUS_ADMIN_PATH,
			       IFACE,
			       "AddVideo",
			       add_params(good, "Orphan", ""),
			       NULL,
			       G_DBUS_CALL_FLAGS_NONE,
			       CALL_TIMEOUT,
			       NULL,
			       NULL,
			       NULL);
	g_assert_true(vf_test_wait_until(dir_has_entries, tmp, 30000));
	g_dbus_connection_close_sync(leaving, NULL, NULL);
	/* the next caller is answered, and the orphaned call did its work */
	users = call(fixture, "ListUsers", NULL, "(aa{sv})");
	g_assert_cmpuint(g_variant_n_children(g_variant_get_child_value(users, 0)), ==, 0);
	g_assert_true(vf_test_wait_until(one_video, fixture, 30000));
	video = get_video(fixture, 1);
	g_assert_cmpstr(lookup_string(video, "title"), ==, "Orphan");
}

static VfDBusAuthority *
authority_other_uid(void)
{
	return vf_dbus_authority_new_session(getuid() + 1);
}

static VfDBusAuthority *
authority_system(void)
{
	return vf_dbus_authority_new_system(VF_DBUS_AUTHORITY_ACTION);
}

static void
test_session_other_uid(Fixture *fixture, gconstpointer data)
{
	g_autofree gchar *good = g_build_filename(fixture->import_dir, "clip.mp4", NULL);
	g_autofree gchar *count = NULL;
	const gchar *denied = "org.videoflix.Error.PermissionDenied";

	assert_call_fails(fixture, "ListVideos", NULL, denied);
	assert_call_fails(fixture, "ListUsers", NULL, denied);
	assert_call_fails(fixture, "AddVideo", add_params(good, "Title", ""), denied);
	assert_call_fails(fixture,
			  "CreateUser",
			  g_variant_new("(ssbb)", "intruder@example.com", PASSWORD, TRUE, TRUE),
			  denied);
	count = vf_test_daemon_query(fixture->daemon, "SELECT count(*) FROM users");
	g_assert_cmpstr(count, ==, "0");
}

/* the system bus's rules on a private bus: reading is the bus policy's business;
 * a mutating call is root's or polkit's, and there is no polkit here */
static void
test_system_rules(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GVariant) users = call(fixture, "ListUsers", NULL, "(aa{sv})");
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) created =
	    call_on(fixture->client,
		    "CreateUser",
		    g_variant_new("(ssbb)", "root@example.com", PASSWORD, TRUE, TRUE),
		    "(x)",
		    &error);

	if (getuid() == 0) {
		g_assert_no_error(error);
		g_assert_nonnull(created);
	} else {
		g_assert_true(g_error_matches(error, VF_ERROR, VF_ERROR_PERMISSION_DENIED));
		g_assert_nonnull(strstr(error->message, "polkit"));
	}
}

/* a bus any user may join (GTestDBus's admits only its own uid) */
static GSubprocess *
open_bus_for_all(const gchar *dir, gchar **address)
{
	g_autofree gchar *config = g_build_filename(dir, "bus.conf", NULL);
	g_autofree gchar *arg = g_strdup_printf("--config-file=%s", config);
	g_autoptr(GSubprocessLauncher) launcher =
	    vf_test_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE);
	g_autoptr(GDataInputStream) out = NULL;
	g_autoptr(GError) error = NULL;
	GSubprocess *process;

	write_file(config,
		   "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration "
		   "1.0//EN\" \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
		   "<busconfig><type>session</type><listen>unix:tmpdir=/tmp</listen>"
		   "<auth>EXTERNAL</auth><policy context=\"default\"><allow user=\"*\"/>"
		   "<allow send_destination=\"*\" eavesdrop=\"true\"/><allow eavesdrop=\"true\"/>"
		   "<allow own=\"*\"/></policy></busconfig>\n");
	process = g_subprocess_launcher_spawn(
	    launcher, &error, "dbus-daemon", arg, "--nofork", "--print-address=1", NULL);
	g_assert_no_error(error);
	out = g_data_input_stream_new(g_subprocess_get_stdout_pipe(process));
	*address = g_data_input_stream_read_line(out, NULL, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(*address);
	return process;
}

static void
become_nobody(gpointer data)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
		_exit(99);
}

typedef struct {
	gboolean done;
	gchar *out;
	gchar *err;
	gboolean ok;
} Outcome;

static void
communicated_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Outcome *outcome = user_data;
	g_autoptr(GError) error = NULL;

	g_assert_true(g_subprocess_communicate_utf8_finish(
	    G_SUBPROCESS(source), result, &outcome->out, &outcome->err, &error));
	outcome->ok = g_subprocess_get_if_exited(G_SUBPROCESS(source)) &&
		      g_subprocess_get_exit_status(G_SUBPROCESS(source)) == 0;
	outcome->done = TRUE;
}

/* gdbus call ListUsers from another process, as nobody or as ourselves */
static Outcome
call_from_process(const gchar *address, gboolean as_nobody)
{
	g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(
	    G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
	g_autoptr(GSubprocess) process = NULL;
	g_autoptr(GError) error = NULL;
	Outcome outcome = {FALSE, NULL, NULL, FALSE};

	if (as_nobody)
		g_subprocess_launcher_set_child_setup(launcher, become_nobody, NULL, NULL);
	process = g_subprocess_launcher_spawn(launcher,
					      &error,
					      "gdbus",
					      "call",
					      "--address",
					      address,
					      "--dest",
					      VF_DBUS_ADMIN_NAME,
					      "--object-path",
					      VF_DBUS_ADMIN_PATH,
					      "--method",
					      IFACE ".ListUsers",
					      NULL);
	g_assert_no_error(error);
	g_subprocess_communicate_utf8_async(process, NULL, NULL, communicated_cb, &outcome);
	g_assert_true(vf_test_wait_until(is_true, &outcome.done, CALL_TIMEOUT));
	return outcome;
}

/* on a session bus another user is refused, through the bus's own word on who
 * called (needs root to become nobody) */
static void
test_session_real_uid(Fixture *fixture, gconstpointer data)
{
	g_autofree gchar *address = NULL;
	g_autoptr(GSubprocess) bus = open_bus_for_all(fixture->outside, &address);
	g_autoptr(GDBusConnection) connection = NULL;
	g_autoptr(GError) error = NULL;
	Outcome own;
	Outcome other;
	gboolean acquired = FALSE;
	guint owner;

	connection = g_dbus_connection_new_for_address_sync(
	    address,
	    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
		G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
	    NULL,
	    NULL,
	    &error);
	g_assert_no_error(error);
	vf_test_daemon_export_dbus(fixture->daemon, connection, NULL);
	owner = g_bus_own_name_on_connection(connection,
					     VF_DBUS_ADMIN_NAME,
					     G_BUS_NAME_OWNER_FLAGS_NONE,
					     name_acquired_cb,
					     NULL,
					     &acquired,
					     NULL);
	g_assert_true(vf_test_wait_until(is_true, &acquired, 10000));

	own = call_from_process(address, FALSE);
	g_assert_true(own.ok);
	g_assert_nonnull(strstr(own.out, "[]")); /* no users yet */
	if (getuid() == 0) {
		other = call_from_process(address, TRUE);
		if (!other.ok)
			g_test_message("as nobody: %s", other.err);
		g_assert_false(other.ok);
		g_assert_nonnull(strstr(other.err, "org.videoflix.Error.PermissionDenied"));
		g_assert_nonnull(strstr(other.err, "uid 65534"));
		g_free(other.out);
		g_free(other.err);
	}
	g_free(own.out);
	g_free(own.err);
	g_bus_unown_name(owner);
	g_dbus_connection_close_sync(connection, NULL, NULL);
	g_subprocess_force_exit(bus);
	g_subprocess_wait(bus, NULL, NULL);
}

static gboolean
name_has_owner(gpointer data)
{
	Fixture *fixture = data;
	g_autoptr(GVariant) reply = NULL;
	Reply r = {NULL, NULL, FALSE};
	gboolean owned = FALSE;

	g_dbus_connection_call(fixture->client,
			       "org.freedesktop.DBus",
			       "/org/freedesktop/DBus",
			       "org.freedesktop.DBus",
			       "NameHasOwner",
			       g_variant_new("(s)", VF_DBUS_ADMIN_NAME),
			       G_VARIANT_TYPE("(b)"),
			       G_DBUS_CALL_FLAGS_NONE,
			       CALL_TIMEOUT,
			       NULL,
			       called_cb,
			       &r);
	g_assert_true(vf_test_wait_until(is_true, &r.done, CALL_TIMEOUT));
	g_assert_no_error(r.error);
	reply = r.reply;
	g_variant_get(reply, "(b)", &owned);
	if (!owned)
		vf_test_iterate_for(100);
	return owned;
}

/* videoflixd itself, as a process: --dbus=session owns the name on the bus of
 * DBUS_SESSION_BUS_ADDRESS and answers there; SIGTERM ends it cleanly */
static void
test_daemon_owns_name(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GSubprocessLauncher) launcher = vf_test_launcher_new(G_SUBPROCESS_FLAGS_NONE);
	g_autoptr(GSubprocess) process = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) videos = NULL;
	g_autofree gchar *path = vf_test_build_path("src/bin/videoflixd");
	g_autofree gchar *dbname = NULL;
	g_autofree gchar *port = g_strdup_printf("%u", vf_test_postgres_get_port(pg));
	g_autofree gchar *listen = g_strdup_printf("127.0.0.1:%u", vf_test_free_port());
	g_autofree gchar *media = g_build_filename(fixture->outside, "media", NULL);

	/* the fixture's in-process service steps aside: the daemon's is wanted here */
	g_bus_unown_name(fixture->owner);
	fixture->owner = 0;
	vf_test_postgres_create_database(pg, &dbname);
	g_subprocess_launcher_set_cwd(launcher, fixture->outside);
	g_subprocess_launcher_setenv(launcher, "DEBUG", "True", TRUE);
	g_subprocess_launcher_setenv(launcher, "DB_HOST", vf_test_postgres_get_host(pg), TRUE);
	g_subprocess_launcher_setenv(launcher, "DB_PORT", port, TRUE);
	g_subprocess_launcher_setenv(launcher, "DB_NAME", dbname, TRUE);
	g_subprocess_launcher_setenv(launcher, "DB_USER", vf_test_postgres_get_user(pg), TRUE);
	g_subprocess_launcher_setenv(launcher, "LISTEN", listen, TRUE);
	g_subprocess_launcher_setenv(launcher, "MEDIA_ROOT", media, TRUE);
	g_subprocess_launcher_setenv(launcher, "EMAIL_BACKEND", "file", TRUE);
	g_subprocess_launcher_setenv(
	    launcher, "DBUS_SESSION_BUS_ADDRESS", g_test_dbus_get_bus_address(fixture->bus), TRUE);
	g_subprocess_launcher_unsetenv(launcher, "INVOCATION_ID");
	process = g_subprocess_launcher_spawn(launcher, &error, path, "--dbus=session", NULL);
	g_assert_no_error(error);
	g_assert_true(vf_test_wait_until(name_has_owner, fixture, 60000));
	videos = call(fixture, "ListVideos", NULL, "(aa{sv})");
	g_assert_cmpuint(g_variant_n_children(g_variant_get_child_value(videos, 0)), ==, 0);
	g_subprocess_send_signal(process, SIGTERM);
	g_assert_true(g_subprocess_wait(process, NULL, &error));
	g_assert_true(g_subprocess_get_if_exited(process));
	g_assert_cmpint(g_subprocess_get_exit_status(process), ==, 0);
}

int
main(int argc, char **argv)
{
	static const Options defaults = {TRUE, NULL};
	static const Options no_import = {FALSE, NULL};
	static const Options other_uid = {TRUE, authority_other_uid};
	static const Options system = {TRUE, authority_system};
	int result;

	vf_test_init(&argc, &argv, 900);
	/* a transcode attempt retried on a loaded machine is logged with g_warning */
	g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
	pg = vf_test_postgres_new();
	inputs = vf_test_make_tmpdir("vf-dbus-inputs-");
	clip = g_build_filename(inputs, "clip.mp4", NULL);
	vf_test_make_clip(clip, 450);
	g_test_add("/dbus/admin/version",
		   Fixture,
		   &defaults,
		   fixture_setup,
		   test_version,
		   fixture_teardown);
	g_test_add("/dbus/admin/transcode-signals",
		   Fixture,
		   &defaults,
		   fixture_setup,
		   test_transcode_signals,
		   fixture_teardown);
	g_test_add(
	    "/dbus/admin/errors", Fixture, &defaults, fixture_setup, test_errors, fixture_teardown);
	g_test_add("/dbus/admin/no-import-dirs",
		   Fixture,
		   &no_import,
		   fixture_setup,
		   test_no_import_dirs,
		   fixture_teardown);
	g_test_add(
	    "/dbus/admin/jobs", Fixture, &defaults, fixture_setup, test_jobs, fixture_teardown);
	g_test_add(
	    "/dbus/admin/users", Fixture, &defaults, fixture_setup, test_users, fixture_teardown);
	g_test_add(
	    "/dbus/admin/fuzz", Fixture, &defaults, fixture_setup, test_fuzz, fixture_teardown);
	g_test_add("/dbus/admin/disconnect",
		   Fixture,
		   &defaults,
		   fixture_setup,
		   test_disconnect,
		   fixture_teardown);
	g_test_add("/dbus/admin/session-other-uid",
		   Fixture,
		   &other_uid,
		   fixture_setup,
		   test_session_other_uid,
		   fixture_teardown);
	g_test_add("/dbus/admin/system-rules",
		   Fixture,
		   &system,
		   fixture_setup,
		   test_system_rules,
		   fixture_teardown);
	g_test_add("/dbus/admin/session-real-uid",
		   Fixture,
		   &defaults,
		   fixture_setup,
		   test_session_real_uid,
		   fixture_teardown);
	g_test_add("/dbus/admin/daemon-owns-name",
		   Fixture,
		   &defaults,
		   fixture_setup,
		   test_daemon_owns_name,
		   fixture_teardown);
	result = g_test_run();
	vf_test_rm_rf(inputs);
	g_free(inputs);
	g_free(clip);
	vf_test_postgres_free(pg);
	return result;
}
