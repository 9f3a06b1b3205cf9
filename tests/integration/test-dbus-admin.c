/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * org.videoflix.Admin1 end to end: the in-process daemon exports it on a private
 * bus (GTestDBus) and clients on their own connections call every method, its
 * error answers (a table) and wrongly typed calls, follow a transcode through
 * JobStateChanged and JobProgress, and see a deactivated user's cookie refused.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
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
	g_dbus_connection_signal_unsubscribe(recorder->connection, recorder->subscription);
	g_ptr_array_unref(recorder->events);
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
	recorder_start(&two, second);
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
	recorder_stop(&two);
	g_dbus_connection_close_sync(second, NULL, NULL);
}

int
main(int argc, char **argv)
{
	static const Options defaults = {TRUE, NULL};
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
	result = g_test_run();
	vf_test_rm_rf(inputs);
	g_free(inputs);
	g_free(clip);
	vf_test_postgres_free(pg);
	return result;
}
