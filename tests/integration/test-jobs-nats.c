/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Transcode jobs over NATS JetStream: the catalogue service with VfJobsNatsQueue in
 * this process, a real `nats-server -js` and real `videoflix-worker --nats` node
 * processes. The faults of the scale-out path: a worker killed mid-job, the broker
 * restarted, the API node stopped while workers finish, a job delivered twice, a
 * child that crashes every time, a cancel, and two worker "hosts" in their own
 * network namespaces sharing one queue.
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <unistd.h>

#include "vf-catalog-service.h"
#include "vf-db-migrate.h"
#include "vf-error.h"
#include "vf-jobs-nats-queue.h"
#include "vf-test-catalog.h"
#include "vf-test-nats.h"
#include "vf-test-postgres.h"
#include "vf-test-util.h"

#define WAIT_S 240

static VfTestPostgres *postgres;
static gchar *clips;
static gchar *clip_short; /* 2 s with audio */
static gchar *clip_long;  /* 20 s: still running when the test acts */

typedef struct {
	const gchar *address; /* of the broker, NULL = loopback */
	guint ack_wait_s;
} Options;

typedef struct {
	const Options *options;
	gchar *dbname;
	gchar *dir;
	gchar *media_root;
	VfTestNats *nats;
	VfConfig *config;
	VfDbPool *pool;
	VfJobsNats *connection;
	VfJobQueue *queue;
	VfCatalogService *service;
	GHashTable *workers; /* name → GSubprocess */
	gchar **namespaces;  /* network namespaces to remove */
} Fixture;

static void
service_up(Fixture *fixture)
{
	g_autoptr(GError) error = NULL;
	VfJobsNatsLimits limits = {fixture->options->ack_wait_s, 3};

	fixture->connection =
	    vf_jobs_nats_connect(vf_test_nats_get_url(fixture->nats), "videoflixd", 10, &error);
	g_assert_no_error(error);
	g_assert_true(vf_jobs_nats_setup(fixture->connection, &limits, &error));
	g_assert_no_error(error);
	fixture->queue = vf_jobs_nats_queue_new(fixture->connection, fixture->media_root);
	fixture->service = vf_catalog_service_new(fixture->config, fixture->pool, fixture->queue);
	g_assert_true(vf_catalog_service_start(fixture->service, &error));
	g_assert_no_error(error);
	vf_jobs_nats_queue_start(VF_JOBS_NATS_QUEUE(fixture->queue));
}

static gboolean
is_null(gpointer data)
{
	return *(gpointer *)data == NULL;
}

/* as an API node that stops: service, queue, then the connection */
static void
service_down(Fixture *fixture)
{
	gpointer service = fixture->service;

	g_object_add_weak_pointer(service, &service);
	g_clear_object(&fixture->service);
	g_assert_true(vf_test_wait_until(is_null, &service, WAIT_S * 1000));
	g_clear_object(&fixture->queue);
	vf_jobs_nats_close(fixture->connection);
	g_clear_object(&fixture->connection);
}

static void
fixture_setup(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) keywords = vf_test_postgres_dup_keywords(postgres);
	g_auto(GStrv) values = NULL;
	g_autoptr(VfDbConnection) connection = NULL;

	fixture->options = data;
	vf_test_postgres_create_database(postgres, &fixture->dbname);
	values = vf_test_postgres_dup_values(postgres, fixture->dbname);
	fixture->pool =
	    vf_db_pool_new((const gchar *const *)keywords, (const gchar *const *)values, 4);
	connection = vf_db_pool_acquire(fixture->pool, NULL, &error);
	g_assert_no_error(error);
	g_assert_true(vf_db_migrate(connection, &error));
	g_assert_no_error(error);
	g_clear_pointer(&connection, vf_db_connection_release);
	fixture->dir = vf_test_make_tmpdir("jobs-nats");
	fixture->media_root = g_build_filename(fixture->dir, "media", NULL);
	g_assert_cmpint(g_mkdir(fixture->media_root, 0755), ==, 0);
	fixture->config = vf_config_new_defaults();
	g_free(fixture->config->media_root);
	fixture->config->media_root = g_strdup(fixture->media_root);
	fixture->workers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_object_unref);
	if (fixture->options->address == NULL) {
		fixture->nats = vf_test_nats_new(NULL);
		service_up(fixture);
	}
}

static void run_quiet(const gchar *command);

static gboolean
process_gone(gpointer data)
{
	return g_subprocess_get_identifier(data) == NULL;
}

/* SIGTERM, as systemd or compose stop a node: it hands its job back and exits 0 (and
 * clean under the sanitizers, whose reports would change the exit status) */
static void
stop_worker(GSubprocess *process)
{
	if (g_subprocess_get_identifier(process) == NULL)
		return;
	g_subprocess_send_signal(process, SIGTERM);
	if (!vf_test_wait_until(process_gone, process, 60 * 1000)) {
		g_subprocess_force_exit(process);
		g_subprocess_wait(process, NULL, NULL);
		g_test_fail_printf("a worker node did not stop within 60 s of SIGTERM");
		return;
	}
	g_subprocess_wait(process, NULL, NULL);
	if (!g_subprocess_get_if_exited(process) || g_subprocess_get_exit_status(process) != 0)
		g_test_fail_printf("a worker node did not exit cleanly (status %d)",
				   g_subprocess_get_status(process));
}

static void
fixture_teardown(Fixture *fixture, gconstpointer data)
{
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init(&iter, fixture->workers);
	while (g_hash_table_iter_next(&iter, NULL, &value))
		stop_worker(value);
	g_hash_table_unref(fixture->workers);
	if (fixture->service != NULL)
		service_down(fixture);
	g_clear_pointer(&fixture->nats, vf_test_nats_free);
	for (guint i = 0; fixture->namespaces != NULL && fixture->namespaces[i] != NULL; i++) {
		g_autofree gchar *command =
		    g_strdup_printf("ip netns delete %s", fixture->namespaces[i]);
		run_quiet(command);
	}
	if (fixture->namespaces != NULL)
		run_quiet("ip link delete vftestbr0");
	g_clear_pointer(&fixture->namespaces, g_strfreev);
	g_clear_object(&fixture->pool);
	g_clear_pointer(&fixture->config, vf_config_free);
	vf_test_rm_rf(fixture->dir);
	g_clear_pointer(&fixture->dir, g_free);
	g_clear_pointer(&fixture->media_root, g_free);
	g_clear_pointer(&fixture->dbname, g_free);
}

/* ---- workers ---- */

/* a worker node process; prefix: e.g. {"ip", "netns", "exec", "ns", NULL} */
static GSubprocess *
start_worker(Fixture *fixture,
	     const gchar *name,
	     const gchar *const *prefix,
	     const gchar *child,
	     const gchar *const *env)
{
	g_autoptr(GSubprocessLauncher) launcher =
	    vf_test_launcher_new(G_SUBPROCESS_FLAGS_STDERR_MERGE);
	g_autofree gchar *worker = vf_test_build_path("src/bin/videoflix-worker");
	g_autofree gchar *ladder = vf_test_source_path("tests/media/ladder-test.ini");
	g_autofree gchar *log_name = g_strdup_printf("worker-%s.log", name);
	g_autofree gchar *log = g_build_filename(fixture->dir, log_name, NULL);
	g_autoptr(GPtrArray) argv = g_ptr_array_new();
	g_autoptr(GError) error = NULL;
	GSubprocess *process;

	for (guint i = 0; prefix != NULL && prefix[i] != NULL; i++)
		g_ptr_array_add(argv, (gpointer)prefix[i]);
	g_ptr_array_add(argv, worker);
	g_ptr_array_add(argv, (gpointer) "--nats");
	g_ptr_array_add(argv, (gpointer)vf_test_nats_get_url(fixture->nats));
	g_ptr_array_add(argv, (gpointer) "--media-root");
	g_ptr_array_add(argv, fixture->media_root);
	g_ptr_array_add(argv, (gpointer) "--name");
	g_ptr_array_add(argv, (gpointer)name);
	g_ptr_array_add(argv, (gpointer) "--ladder");
	g_ptr_array_add(argv, ladder);
	g_ptr_array_add(argv, (gpointer) "--grace");
	g_ptr_array_add(argv, (gpointer)(g_str_has_suffix(name, "-hasty") ? "0" : "5"));
	if (child != NULL) {
		g_ptr_array_add(argv, (gpointer) "--child-program");
		g_ptr_array_add(argv, (gpointer)child);
	}
	g_ptr_array_add(argv, NULL);
	for (guint i = 0; env != NULL && env[i] != NULL; i += 2)
		g_subprocess_launcher_setenv(launcher, env[i], env[i + 1], TRUE);
	g_subprocess_launcher_setenv(launcher, "G_MESSAGES_DEBUG", "vf-jobs", TRUE);
	g_subprocess_launcher_set_stdout_file_path(launcher, log);
	process = g_subprocess_launcher_spawnv(launcher, (const gchar *const *)argv->pdata, &error);
	g_assert_no_error(error);
	g_test_message("worker %s logs to %s", name, log);
	g_hash_table_insert(fixture->workers, g_strdup(name), process);
	return process;
}

static gboolean
process_alive(GSubprocess *process)
{
	return g_subprocess_get_identifier(process) != NULL;
}

typedef struct {
	Fixture *fixture;
	gint64 video_id;
} VideoWait;

static gboolean
job_has_node(gpointer data)
{
	VideoWait *wait = data;
	g_autoptr(VfCatalogJob) job =
	    vf_test_catalog_find_job(wait->fixture->service, wait->video_id);
	return job != NULL && g_str_equal(job->state, "running") && job->node != NULL &&
	       *job->node != '\0';
}

/* the running job of the video, once a worker reported it started */
static VfCatalogJob *
wait_running(Fixture *fixture, gint64 video_id)
{
	VideoWait wait = {fixture, video_id};
	g_assert_true(vf_test_wait_until(job_has_node, &wait, WAIT_S * 1000));
	return vf_test_catalog_find_job(fixture->service, video_id);
}

static gboolean
video_progressed(gpointer data)
{
	VideoWait *wait = data;
	g_autoptr(VfCatalogVideo) video =
	    vf_test_catalog_get(wait->fixture->service, wait->video_id, NULL);
	return video != NULL && video->progress > 0.05;
}

static gchar *
hls_dir(Fixture *fixture, gint64 video_id)
{
	g_autofree gchar *id = g_strdup_printf("%" G_GINT64_FORMAT, video_id);
	return g_build_filename(fixture->media_root, "hls", id, NULL);
}

/* the video's HLS folder holds exactly its one generation, no staging folder */
static void
assert_one_generation(Fixture *fixture, const VfCatalogJob *job)
{
	g_autofree gchar *dir = hls_dir(fixture, job->video_id);
	g_autofree gchar *names = vf_test_catalog_list_dir(dir);
	g_autofree gchar *expected = g_strdup_printf("%" G_GINT64_FORMAT, job->generation);
	g_autofree gchar *master = g_build_filename(dir, expected, "master.m3u8", NULL);

	g_assert_cmpstr(names, ==, expected);
	g_assert_true(g_file_test(master, G_FILE_TEST_IS_REGULAR));
}

static guint64
jobs_in_stream(Fixture *fixture)
{
	jsStreamInfo *info = NULL;
	jsErrCode code = 0;
	guint64 n;

	g_assert_cmpint(js_GetStreamInfo(&info,
					 vf_jobs_nats_get_context(fixture->connection),
					 VF_JOBS_NATS_JOBS_STREAM,
					 NULL,
					 &code),
			==,
			NATS_OK);
	n = info->State.Msgs;
	jsStreamInfo_Destroy(info);
	return n;
}

static gboolean
stream_empty(gpointer data)
{
	return jobs_in_stream(data) == 0;
}

static gchar *
replace_all(const gchar *text, const gchar *from, const gchar *to)
{
	g_auto(GStrv) parts = g_strsplit(text, from, -1);
	return g_strjoinv(to, parts);
}

/* ---- tests ---- */

static void
test_completes(Fixture *fixture, gconstpointer data)
{
	g_autoptr(VfCatalogVideo) created = NULL;
	g_autoptr(VfCatalogVideo) ready = NULL;
	g_autoptr(VfCatalogJob) job = NULL;
	g_autoptr(GError) error = NULL;

	g_autofree gchar *ladder_path = vf_test_source_path("tests/media/ladder-test.ini");
	g_autofree gchar *ladder = NULL;
	g_autofree gchar *two = NULL;
	const gchar *expected[] = {"144p", "240p", NULL};

	/* the API node's ladder (two renditions) travels with the job and wins over the
	 * node's own --ladder (three) */
	g_assert_true(g_file_get_contents(ladder_path, &ladder, NULL, NULL));
	g_assert_nonnull(strstr(ladder, "renditions=144p;240p;360p"));
	two = replace_all(ladder, "renditions=144p;240p;360p", "renditions=144p;240p");
	vf_jobs_nats_queue_set_ladder(VF_JOBS_NATS_QUEUE(fixture->queue), two);
	start_worker(fixture, "node-a", NULL, NULL, NULL);
	g_assert_true(vf_job_queue_check_ready(fixture->queue, &error));
	g_assert_no_error(error);
	created = vf_test_catalog_create(fixture->service, fixture->media_root, clip_short, "one");
	ready = vf_test_catalog_wait_status(fixture->service, created->id, "ready", WAIT_S);
	g_assert_cmpfloat_with_epsilon(ready->duration, 2.0, 0.2);
	g_assert_true(g_strv_equal((const gchar *const *)ready->resolutions, expected));
	job = vf_test_catalog_find_job(fixture->service, created->id);
	g_assert_cmpstr(job->state, ==, "succeeded");
	g_assert_cmpstr(job->node, ==, "node-a");
	assert_one_generation(fixture, job);
	g_assert_nonnull(ready->thumbnail);
	g_assert_true(vf_test_wait_until(stream_empty, fixture, WAIT_S * 1000));
	g_assert_cmpuint(vf_job_queue_get_depth(fixture->queue), ==, 0);
}

static void
test_worker_killed(Fixture *fixture, gconstpointer data)
{
	g_autoptr(VfCatalogVideo) created = NULL;
	g_autoptr(VfCatalogVideo) ready = NULL;
	g_autoptr(VfCatalogJob) running = NULL;
	g_autoptr(VfCatalogJob) job = NULL;
	GSubprocess *victim;
	const gchar *other;

	start_worker(fixture, "node-a", NULL, NULL, NULL);
	start_worker(fixture, "node-b", NULL, NULL, NULL);
	created = vf_test_catalog_create(fixture->service, fixture->media_root, clip_long, "kill");
	running = wait_running(fixture, created->id);
	victim = g_hash_table_lookup(fixture->workers, running->node);
	g_assert_nonnull(victim);
	other = g_str_equal(running->node, "node-a") ? "node-b" : "node-a";
	{
		VideoWait wait = {fixture, created->id};
		g_assert_true(vf_test_wait_until(video_progressed, &wait, WAIT_S * 1000));
	}
	g_test_message("killing %s mid-transcode", running->node);
	g_subprocess_send_signal(victim, SIGKILL);
	g_subprocess_wait(victim, NULL, NULL);

	ready = vf_test_catalog_wait_status(fixture->service, created->id, "ready", WAIT_S);
	job = vf_test_catalog_find_job(fixture->service, created->id);
	g_assert_cmpstr(job->state, ==, "succeeded");
	g_assert_cmpstr(job->node, ==, other);
	g_assert_cmpint(job->attempt, ==, 2);
	assert_one_generation(fixture, job);
}

static void
test_broker_restart(Fixture *fixture, gconstpointer data)
{
	g_autoptr(VfCatalogVideo) first = NULL;
	g_autoptr(VfCatalogVideo) second = NULL;
	g_autoptr(VfCatalogVideo) ready = NULL;
	g_autoptr(VfCatalogJob) running = NULL;
	g_autoptr(VfCatalogJob) job = NULL;
	GSubprocess *worker = start_worker(fixture, "node-a", NULL, NULL, NULL);

	first = vf_test_catalog_create(fixture->service, fixture->media_root, clip_long, "first");
	running = wait_running(fixture, first->id);
	vf_test_nats_stop(fixture->nats);
	g_assert_false(vf_job_queue_check_ready(fixture->queue, NULL));
	/* published while the broker is down: it goes out after the reconnect */
	second =
	    vf_test_catalog_create(fixture->service, fixture->media_root, clip_short, "second");
	vf_test_iterate_for(2000);
	vf_test_nats_start(fixture->nats);

	ready = vf_test_catalog_wait_status(fixture->service, first->id, "ready", WAIT_S);
	g_clear_pointer(&ready, vf_catalog_video_free);
	ready = vf_test_catalog_wait_status(fixture->service, second->id, "ready", WAIT_S);
	g_assert_true(vf_job_queue_check_ready(fixture->queue, NULL));
	job = vf_test_catalog_find_job(fixture->service, first->id);
	assert_one_generation(fixture, job);
	g_clear_pointer(&job, vf_catalog_job_free);
	job = vf_test_catalog_find_job(fixture->service, second->id);
	assert_one_generation(fixture, job);
	g_assert_true(process_alive(worker));
}

/* SIGTERM mid-job with no grace: the node hands the job back (nak), exits 0, and the
 * other node takes it over */
static void
test_hand_back(Fixture *fixture, gconstpointer data)
{
	g_autoptr(VfCatalogVideo) created = NULL;
	g_autoptr(VfCatalogVideo) ready = NULL;
	g_autoptr(VfCatalogJob) running = NULL;
	g_autoptr(VfCatalogJob) job = NULL;
	GSubprocess *hasty = start_worker(fixture, "node-hasty", NULL, NULL, NULL);
	VideoWait wait = {NULL, 0};

	created = vf_test_catalog_create(fixture->service, fixture->media_root, clip_long, "hand");
	running = wait_running(fixture, created->id);
	g_assert_cmpstr(running->node, ==, "node-hasty");
	wait.fixture = fixture;
	wait.video_id = created->id;
	g_assert_true(vf_test_wait_until(video_progressed, &wait, WAIT_S * 1000));
	start_worker(fixture, "node-b", NULL, NULL, NULL);
	g_subprocess_send_signal(hasty, SIGTERM);
	g_assert_true(g_subprocess_wait(hasty, NULL, NULL));
	if (!g_subprocess_get_if_exited(hasty)) {
		g_autofree gchar *log_path =
		    g_build_filename(fixture->dir, "worker-node-hasty.log", NULL);
		g_autofree gchar *log = NULL;
		g_file_get_contents(log_path, &log, NULL, NULL);
		g_test_message("status %d, log:\n%s", g_subprocess_get_status(hasty), log);
	}
	g_assert_true(g_subprocess_get_if_exited(hasty));
	g_assert_cmpint(g_subprocess_get_exit_status(hasty), ==, 0);

	ready = vf_test_catalog_wait_status(fixture->service, created->id, "ready", WAIT_S);
	job = vf_test_catalog_find_job(fixture->service, created->id);
	g_assert_cmpstr(job->node, ==, "node-b");
	g_assert_cmpint(job->attempt, ==, 2);
	assert_one_generation(fixture, job);
}

/* nodes that die with the job every time (played by the test: it takes the job and
 * never answers): after the last delivery the API node fails it from the broker's
 * max-deliveries advisory */
static void
test_deliveries_exhausted(Fixture *fixture, gconstpointer data)
{
	g_autoptr(VfCatalogVideo) created = NULL;
	g_autoptr(VfCatalogVideo) failed = NULL;
	natsSubscription *subscription = NULL;
	jsErrCode code = 0;
	guint taken = 0;

	g_assert_cmpint(js_PullSubscribe(&subscription,
					 vf_jobs_nats_get_context(fixture->connection),
					 VF_JOBS_NATS_JOBS_SUBJECT,
					 VF_JOBS_NATS_JOBS_CONSUMER,
					 NULL,
					 NULL,
					 &code),
			==,
			NATS_OK);
	created = vf_test_catalog_create(fixture->service, fixture->media_root, clip_short, "dies");
	/* the broker notices the last delivery ran out when a node asks again: keep asking,
	 * as idle nodes do, until the video failed */
	for (;;) {
		natsMsgList list = {0};
		natsStatus status = natsSubscription_Fetch(&list, subscription, 1, 500, &code);
		g_autoptr(VfCatalogVideo) video = NULL;

		if (status == NATS_OK)
			taken += (guint)list.Count;
		natsMsgList_Destroy(&list);
		vf_test_iterate_for(50);
		video = vf_test_catalog_get(fixture->service, created->id, NULL);
		if (g_str_equal(video->status, "failed")) {
			failed = g_steal_pointer(&video);
			break;
		}
	}
	g_assert_cmpuint(taken, ==, 3);
	g_test_message("failed with: %s", failed->error);
	g_assert_nonnull(strstr(failed->error, "delivered 3 times"));
	g_assert_true(vf_test_wait_until(stream_empty, fixture, WAIT_S * 1000));
	natsSubscription_Destroy(subscription);
}

static gboolean
file_exists(gpointer data)
{
	return g_file_test(data, G_FILE_TEST_EXISTS);
}

static void
test_api_restart(Fixture *fixture, gconstpointer data)
{
	g_autoptr(VfCatalogVideo) created = NULL;
	g_autoptr(VfCatalogVideo) ready = NULL;
	g_autoptr(VfCatalogJob) running = NULL;
	g_autoptr(VfCatalogJob) job = NULL;
	g_autofree gchar *master = NULL;
	g_autofree gchar *generation = NULL;

	start_worker(fixture, "node-a", NULL, NULL, NULL);
	created = vf_test_catalog_create(fixture->service, fixture->media_root, clip_long, "api");
	running = wait_running(fixture, created->id);
	service_down(fixture);

	/* the worker finishes on its own; its events wait in the stream */
	generation = g_strdup_printf("%" G_GINT64_FORMAT, running->generation);
	{
		g_autofree gchar *dir = hls_dir(fixture, created->id);
		master = g_build_filename(dir, generation, "master.m3u8", NULL);
	}
	g_assert_true(vf_test_wait_until(file_exists, master, WAIT_S * 1000));
	vf_test_iterate_for(1000);

	service_up(fixture);
	ready = vf_test_catalog_wait_status(fixture->service, created->id, "ready", WAIT_S);
	job = vf_test_catalog_find_job(fixture->service, created->id);
	g_assert_cmpstr(job->state, ==, "succeeded");
	g_assert_cmpint(job->attempt, ==, 1);
	assert_one_generation(fixture, job);
	/* the job submitted again at the start was a duplicate of the one already done */
	g_assert_true(vf_test_wait_until(stream_empty, fixture, WAIT_S * 1000));
	vf_test_iterate_for(2000);
	assert_one_generation(fixture, job);
}

static void
test_duplicate(Fixture *fixture, gconstpointer data)
{
	g_autoptr(VfCatalogVideo) created = NULL;
	g_autoptr(VfCatalogVideo) ready = NULL;
	g_autoptr(VfCatalogJob) running = NULL;
	g_autoptr(VfCatalogJob) job = NULL;
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(JsonGenerator) generator = json_generator_new();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *again = NULL;
	g_autofree gchar *msg_id = NULL;
	natsMsg *message = NULL;
	jsErrCode code = 0;

	start_worker(fixture, "node-a", NULL, NULL, NULL);
	start_worker(fixture, "node-b", NULL, NULL, NULL);
	created = vf_test_catalog_create(fixture->service, fixture->media_root, clip_long, "dup");
	running = wait_running(fixture, created->id);

	/* the job message as published, once more with the next attempt */
	g_assert_cmpint(js_GetMsg(&message,
				  vf_jobs_nats_get_context(fixture->connection),
				  VF_JOBS_NATS_JOBS_STREAM,
				  1,
				  NULL,
				  &code),
			==,
			NATS_OK);
	g_assert_true(json_parser_load_from_data(
	    parser, natsMsg_GetData(message), natsMsg_GetDataLength(message), &error));
	natsMsg_Destroy(message);
	json_object_set_int_member(
	    json_node_get_object(json_parser_get_root(parser)), "attempt", 2);
	json_generator_set_root(generator, json_parser_get_root(parser));
	again = json_generator_to_data(generator, NULL);
	msg_id = g_strdup_printf("%" G_GINT64_FORMAT "-2", running->id);
	g_assert_true(vf_jobs_nats_publish(
	    fixture->connection, VF_JOBS_NATS_JOBS_SUBJECT, msg_id, again, NULL, NULL, &error));
	g_assert_no_error(error);

	ready = vf_test_catalog_wait_status(fixture->service, created->id, "ready", WAIT_S);
	g_assert_true(vf_test_wait_until(stream_empty, fixture, WAIT_S * 1000));
	vf_test_iterate_for(1500);
	job = vf_test_catalog_find_job(fixture->service, created->id);
	g_assert_cmpstr(job->state, ==, "succeeded");
	assert_one_generation(fixture, job);
}

static void
test_poison(Fixture *fixture, gconstpointer data)
{
	g_autofree gchar *wrapper = g_build_filename(fixture->dir, "crashing-child.sh", NULL);
	g_autofree gchar *real = vf_test_build_path("src/bin/videoflix-worker");
	g_autofree gchar *poison_id = NULL;
	g_autoptr(VfCatalogVideo) poison = NULL;
	g_autoptr(VfCatalogVideo) good = NULL;
	g_autoptr(VfCatalogVideo) failed = NULL;
	g_autoptr(VfCatalogVideo) ready = NULL;
	g_autoptr(VfCatalogJob) job = NULL;
	g_autoptr(GError) error = NULL;
	GSubprocess *worker;
	/* the child dies of SIGSEGV on the poison job, as a crashing plugin would */
	const gchar *script =
	    "#!/bin/bash\n"
	    "read -r job\n"
	    "case \"$job\" in\n"
	    "  *\"\\\"job_id\\\":$VF_TEST_POISON_JOB,\"*) kill -SEGV $$ ;;\n"
	    "esac\n"
	    "exec \"$VF_TEST_REAL_WORKER\" \"$@\" < <(printf '%s\\n' \"$job\"; exec cat)\n";

	g_assert_true(g_file_set_contents(wrapper, script, -1, &error));
	g_assert_no_error(error);
	g_assert_cmpint(g_chmod(wrapper, 0755), ==, 0);
	poison = vf_test_catalog_create(fixture->service, fixture->media_root, clip_short, "bad");
	good = vf_test_catalog_create(fixture->service, fixture->media_root, clip_short, "good");
	job = vf_test_catalog_find_job(fixture->service, poison->id);
	poison_id = g_strdup_printf("%" G_GINT64_FORMAT, job->id);
	{
		const gchar *env[] = {
		    "VF_TEST_POISON_JOB", poison_id, "VF_TEST_REAL_WORKER", real, NULL};
		worker = start_worker(fixture, "node-a", NULL, wrapper, env);
	}
	ready = vf_test_catalog_wait_status(fixture->service, good->id, "ready", WAIT_S);
	failed = vf_test_catalog_wait_status(fixture->service, poison->id, "failed", WAIT_S);
	g_test_message("the poison job failed with: %s", failed->error);
	g_assert_nonnull(failed->error);
	g_assert_nonnull(strstr(failed->error, "signal"));
	g_clear_pointer(&job, vf_catalog_job_free);
	job = vf_test_catalog_find_job(fixture->service, poison->id);
	g_assert_cmpstr(job->state, ==, "failed");
	g_assert_cmpint(job->attempt, ==, 3);
	g_assert_true(vf_test_wait_until(stream_empty, fixture, WAIT_S * 1000));
	/* the node keeps serving */
	g_assert_true(process_alive(worker));
	{
		g_autoptr(VfCatalogVideo) after = vf_test_catalog_create(
		    fixture->service, fixture->media_root, clip_short, "after");
		g_autoptr(VfCatalogVideo) after_ready =
		    vf_test_catalog_wait_status(fixture->service, after->id, "ready", WAIT_S);
		g_assert_nonnull(after_ready);
	}
}

/* child processes of pid that are still alive */
static guint
children_of(GPid pid)
{
	g_autoptr(GDir) proc = g_dir_open("/proc", 0, NULL);
	const gchar *name;
	guint n = 0;

	while ((name = g_dir_read_name(proc)) != NULL) {
		g_autofree gchar *stat_path = NULL;
		g_autofree gchar *stat = NULL;
		const gchar *close_paren;
		gchar state;
		gint ppid = 0;

		if (!g_ascii_isdigit(name[0]))
			continue;
		stat_path = g_build_filename("/proc", name, "stat", NULL);
		if (!g_file_get_contents(stat_path, &stat, NULL, NULL))
			continue;
		close_paren = strrchr(stat, ')');
		if (close_paren == NULL || sscanf(close_paren + 2, "%c %d", &state, &ppid) != 2)
			continue;
		if (ppid == pid && state != 'Z')
			n++;
	}
	return n;
}

static gboolean
no_children(gpointer data)
{
	return children_of((GPid)GPOINTER_TO_INT(data)) == 0;
}

static void
test_cancel(Fixture *fixture, gconstpointer data)
{
	g_autoptr(VfCatalogVideo) created = NULL;
	g_autoptr(VfCatalogJob) running = NULL;
	g_autoptr(GError) error = NULL;
	GSubprocess *worker = start_worker(fixture, "node-a", NULL, NULL, NULL);
	GPid pid = (GPid)g_ascii_strtoll(g_subprocess_get_identifier(worker), NULL, 10);
	gint64 start;
	gint64 stopped;

	created = vf_test_catalog_create(fixture->service, fixture->media_root, clip_long, "gone");
	running = wait_running(fixture, created->id);
	{
		VideoWait wait = {fixture, created->id};
		g_assert_true(vf_test_wait_until(video_progressed, &wait, WAIT_S * 1000));
	}
	g_assert_cmpuint(children_of(pid), ==, 1);
	start = g_get_monotonic_time();
	g_assert_true(vf_test_catalog_delete(fixture->service, created->id, &error));
	g_assert_no_error(error);
	g_assert_true(vf_test_wait_until(no_children, GINT_TO_POINTER(pid), WAIT_S * 1000));
	stopped = g_get_monotonic_time();
	g_test_message("the worker's transcode stopped %.2f s after the delete began",
		       (gdouble)(stopped - start) / G_USEC_PER_SEC);
	/* nothing of the video on disk, and the node is still there */
	vf_test_iterate_for(500);
	g_assert_cmpuint(vf_test_catalog_count_files(fixture->media_root), ==, 0);
	g_assert_true(process_alive(worker));
	g_assert_true(vf_test_wait_until(stream_empty, fixture, WAIT_S * 1000));
}

/* runs a command, its error output shown only on failure (and quiet: not at all) */
static gboolean
run_command(const gchar *command, gboolean quiet)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *err = NULL;
	gint status = 0;

	if (!g_spawn_command_line_sync(command, NULL, &err, &status, &error) ||
	    !g_spawn_check_wait_status(status, NULL)) {
		if (!quiet)
			g_test_message("%s: %s", command, error != NULL ? error->message : err);
		return FALSE;
	}
	return TRUE;
}

static gboolean
run(const gchar *command)
{
	return run_command(command, FALSE);
}

/* removing what may not be there */
static void
run_quiet(const gchar *command)
{
	run_command(command, TRUE);
}

static void
must_run(gchar *command)
{
	gboolean ok = run(command);
	if (!ok)
		g_error("%s failed", command);
	g_free(command);
}

/* a bridge 10.231.77.1/24 with one namespace per "host" behind a veth pair */
static void
make_hosts(Fixture *fixture, guint n)
{
	fixture->namespaces = g_new0(gchar *, n + 1);
	run_quiet("ip link delete vftestbr0");
	must_run(g_strdup("ip link add vftestbr0 type bridge"));
	must_run(g_strdup("ip addr add 10.231.77.1/24 dev vftestbr0"));
	must_run(g_strdup("ip link set vftestbr0 up"));
	for (guint i = 0; i < n; i++) {
		gchar *ns = g_strdup_printf("vftest-%d-%u", (gint)getpid(), i);
		g_autofree gchar *stale = g_strdup_printf("ip link delete vfth%u", i);

		fixture->namespaces[i] = ns;
		run_quiet(stale);
		must_run(g_strdup_printf("ip netns add %s", ns));
		must_run(g_strdup_printf("ip link add vfth%u type veth peer name vftn%u", i, i));
		must_run(g_strdup_printf("ip link set vfth%u master vftestbr0 up", i));
		must_run(g_strdup_printf("ip link set vftn%u netns %s", i, ns));
		must_run(
		    g_strdup_printf("ip -n %s addr add 10.231.77.%u/24 dev vftn%u", ns, i + 10, i));
		must_run(g_strdup_printf("ip -n %s link set vftn%u up", ns, i));
		must_run(g_strdup_printf("ip -n %s link set lo up", ns));
	}
}

static void
test_two_hosts(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GHashTable) nodes = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GPtrArray) videos =
	    g_ptr_array_new_with_free_func((GDestroyNotify)vf_catalog_video_free);
	g_autoptr(GPtrArray) jobs = NULL;

	if (getuid() != 0) {
		/* network namespaces need root; CI runs as root */
		g_test_fail_printf("the two-host test needs root (ip netns)");
		return;
	}
	make_hosts(fixture, 2);
	fixture->nats = vf_test_nats_new("10.231.77.1");
	service_up(fixture);
	for (guint i = 0; i < 2; i++) {
		g_autofree gchar *name = g_strdup_printf("host-%u", i + 1);
		const gchar *prefix[] = {"ip", "netns", "exec", fixture->namespaces[i], NULL};
		start_worker(fixture, name, prefix, NULL, NULL);
	}
	for (guint i = 0; i < 4; i++) {
		g_autofree gchar *title = g_strdup_printf("clip %u", i);
		g_ptr_array_add(videos,
				vf_test_catalog_create(
				    fixture->service, fixture->media_root, clip_short, title));
	}
	for (guint i = 0; i < videos->len; i++) {
		VfCatalogVideo *video = g_ptr_array_index(videos, i);
		g_autoptr(VfCatalogVideo) ready =
		    vf_test_catalog_wait_status(fixture->service, video->id, "ready", WAIT_S);
	}
	jobs = vf_test_catalog_list_jobs(fixture->service);
	for (guint i = 0; i < jobs->len; i++) {
		VfCatalogJob *job = g_ptr_array_index(jobs, i);
		g_assert_cmpstr(job->state, ==, "succeeded");
		g_hash_table_add(nodes, job->node);
	}
	g_assert_true(g_hash_table_contains(nodes, "host-1"));
	g_assert_true(g_hash_table_contains(nodes, "host-2"));
	g_assert_cmpuint(g_hash_table_size(nodes), ==, 2);
}

int
main(int argc, char **argv)
{
	static const Options loopback = {NULL, 4};
	static const Options slow_ack = {NULL, 10};
	static const Options hosts = {"10.231.77.1", 10};
	int status;

	vf_test_init(&argc, &argv, 1200);
	/* retries, reconnects and killed workers are reported with g_warning: expected */
	g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
	postgres = vf_test_postgres_new();
	clips = vf_test_make_tmpdir("nats-clips");
	clip_short = g_build_filename(clips, "short.mp4", NULL);
	clip_long = g_build_filename(clips, "long.mkv", NULL);
	vf_test_catalog_make_clip(clip_short, 50, TRUE);
	vf_test_catalog_make_clip(clip_long, 500, FALSE);

	g_test_add("/jobs/nats/completes",
		   Fixture,
		   &slow_ack,
		   fixture_setup,
		   test_completes,
		   fixture_teardown);
	g_test_add("/jobs/nats/worker-killed",
		   Fixture,
		   &loopback,
		   fixture_setup,
		   test_worker_killed,
		   fixture_teardown);
	g_test_add("/jobs/nats/deliveries-exhausted",
		   Fixture,
		   &loopback,
		   fixture_setup,
		   test_deliveries_exhausted,
		   fixture_teardown);
	g_test_add("/jobs/nats/hand-back",
		   Fixture,
		   &slow_ack,
		   fixture_setup,
		   test_hand_back,
		   fixture_teardown);
	g_test_add("/jobs/nats/broker-restart",
		   Fixture,
		   &slow_ack,
		   fixture_setup,
		   test_broker_restart,
		   fixture_teardown);
	g_test_add("/jobs/nats/api-restart",
		   Fixture,
		   &slow_ack,
		   fixture_setup,
		   test_api_restart,
		   fixture_teardown);
	g_test_add("/jobs/nats/duplicate",
		   Fixture,
		   &slow_ack,
		   fixture_setup,
		   test_duplicate,
		   fixture_teardown);
	g_test_add(
	    "/jobs/nats/poison", Fixture, &slow_ack, fixture_setup, test_poison, fixture_teardown);
	g_test_add(
	    "/jobs/nats/cancel", Fixture, &slow_ack, fixture_setup, test_cancel, fixture_teardown);
	g_test_add("/jobs/nats/two-hosts",
		   Fixture,
		   &hosts,
		   fixture_setup,
		   test_two_hosts,
		   fixture_teardown);
	status = g_test_run();
	vf_test_rm_rf(clips);
	g_free(clips);
	g_free(clip_short);
	g_free(clip_long);
	vf_test_postgres_free(postgres);
	return status;
}
