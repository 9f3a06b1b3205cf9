/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The catalogue service with the local job queue against a private PostgreSQL, real
 * videoflix-worker processes and GStreamer on tiny generated clips (the small test
 * ladder): a video becomes ready with its ladder on disk; a replaced video keeps its
 * old ladder until the new one is complete; delete stops a running job and leaves
 * nothing; a killed worker is retried, a stalling one killed and failed with a reason;
 * a restart re-queues the running job; not a video fails at once.
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "vf-catalog-service.h"
#include "vf-db-migrate.h"
#include "vf-error.h"
#include "vf-jobs-local-queue.h"
#include "vf-test-postgres.h"
#include "vf-test-util.h"

#define WAIT_S 180

static VfTestPostgres *postgres;
static gchar *clips;  /* temp dir of the generated clips */
static gchar *clip_a; /* 2 s, 320x180, with audio */
static gchar *clip_b; /* 3 s, 320x180, video only */
static gchar *clip_c; /* 20 s, 320x180, video only: still running when the test acts */
static gchar *not_video;

typedef struct {
	gchar *dbname;
	gchar *media_root;
	VfConfig *config;
	VfDbPool *pool;
	VfJobQueue *queue;
	VfCatalogService *service;
	guint retries;
	GHashTable *retries_by_job; /* job id → count */
	guint started;
} Fixture;

static VfJobQueue *
queue_new(Fixture *fixture)
{
	g_autofree gchar *worker = vf_test_build_path("src/bin/videoflix-worker");
	g_autofree gchar *ladder = vf_test_source_path("tests/media/ladder-test.ini");
	VfJobQueue *queue = vf_jobs_local_queue_new(worker, fixture->media_root);

	vf_jobs_local_queue_set_ladder_file(VF_JOBS_LOCAL_QUEUE(queue), ladder);
	vf_jobs_local_queue_set_backoff(VF_JOBS_LOCAL_QUEUE(queue), 100, 500);
	vf_jobs_local_queue_set_stall_timeout(VF_JOBS_LOCAL_QUEUE(queue), 60);
	return queue;
}

static void
retrying_cb(VfJobQueue *queue, gint64 job_id, gint attempt, const gchar *message, gpointer data)
{
	Fixture *fixture = data;
	guint n = GPOINTER_TO_UINT(g_hash_table_lookup(fixture->retries_by_job, &job_id));

	fixture->retries++;
	g_hash_table_insert(
	    fixture->retries_by_job, g_memdup2(&job_id, sizeof(job_id)), GUINT_TO_POINTER(n + 1));
}

static void
started_cb(VfJobQueue *queue, gint64 job_id, gint attempt, const gchar *node, gpointer data)
{
	Fixture *fixture = data;
	fixture->started++;
}

static void
service_up(Fixture *fixture)
{
	g_autoptr(GError) error = NULL;

	fixture->queue = queue_new(fixture);
	g_signal_connect(fixture->queue, "job-retrying", G_CALLBACK(retrying_cb), fixture);
	g_signal_connect(fixture->queue, "job-started", G_CALLBACK(started_cb), fixture);
	fixture->service = vf_catalog_service_new(fixture->config, fixture->pool, fixture->queue);
	g_assert_true(vf_catalog_service_start(fixture->service, &error));
	g_assert_no_error(error);
}

static gboolean
is_null(gpointer data)
{
	return *(gpointer *)data == NULL;
}

/* as a daemon that stops: the service goes, then the queue with its workers */
static void
service_down(Fixture *fixture)
{
	gpointer service = fixture->service;
	gpointer queue = fixture->queue;

	g_object_add_weak_pointer(service, &service);
	g_object_add_weak_pointer(queue, &queue);
	g_clear_object(&fixture->service);
	g_assert_true(vf_test_wait_until(is_null, &service, WAIT_S * 1000));
	g_signal_handlers_disconnect_by_data(fixture->queue, fixture);
	g_clear_object(&fixture->queue);
	g_assert_null(queue);
}

static void
fixture_setup(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) keywords = vf_test_postgres_dup_keywords(postgres);
	g_auto(GStrv) values = NULL;

	vf_test_postgres_create_database(postgres, &fixture->dbname);
	values = vf_test_postgres_dup_values(postgres, fixture->dbname);
	fixture->pool =
	    vf_db_pool_new((const gchar *const *)keywords, (const gchar *const *)values, 4);
	{
		g_autoptr(VfDbConnection) connection =
		    vf_db_pool_acquire(fixture->pool, NULL, &error);
		g_assert_no_error(error);
		g_assert_true(vf_db_migrate(connection, &error));
		g_assert_no_error(error);
	}
	fixture->media_root = vf_test_make_tmpdir("catalog-media");
	fixture->config = vf_config_new_defaults();
	g_free(fixture->config->media_root);
	fixture->config->media_root = g_strdup(fixture->media_root);
	fixture->retries_by_job = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	service_up(fixture);
}

static void
fixture_teardown(Fixture *fixture, gconstpointer data)
{
	service_down(fixture);
	g_clear_pointer(&fixture->retries_by_job, g_hash_table_unref);
	g_clear_object(&fixture->pool);
	g_clear_pointer(&fixture->config, vf_config_free);
	vf_test_rm_rf(fixture->media_root);
	g_clear_pointer(&fixture->media_root, g_free);
	g_clear_pointer(&fixture->dbname, g_free);
}

/* ---- helpers ---- */

static void
got_result_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	GAsyncResult **slot = user_data;
	*slot = g_object_ref(result);
}

static GAsyncResult *
wait_result(GAsyncResult **slot)
{
	while (*slot == NULL)
		g_main_context_iteration(NULL, TRUE);
	return *slot;
}

/* a copy of the clip as an upload's temp file inside MEDIA_ROOT */
static gchar *
upload_copy(Fixture *fixture, const gchar *clip)
{
	g_autofree gchar *name = g_strdup_printf("upload-%u.tmp", g_random_int());
	gchar *path = g_build_filename(fixture->media_root, name, NULL);
	g_autoptr(GFile) from = g_file_new_for_path(clip);
	g_autoptr(GFile) to = g_file_new_for_path(path);
	g_autoptr(GError) error = NULL;

	g_assert_true(g_file_copy(from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, &error));
	g_assert_no_error(error);
	return path;
}

static VfCatalogVideo *
create(Fixture *fixture, const gchar *video_path, const gchar *title)
{
	VfCatalogUpload upload = {0};
	g_autoptr(GAsyncResult) result = NULL;
	g_autoptr(GError) error = NULL;
	VfCatalogVideo *video;

	upload.title = g_strdup(title);
	upload.description = g_strdup("a test clip");
	upload.video_path = g_strdup(video_path);
	upload.video_ext = g_strdup("mp4");
	vf_catalog_service_create_video_async(
	    fixture->service, &upload, NULL, got_result_cb, &result);
	vf_catalog_upload_clear(&upload);
	video =
	    vf_catalog_service_create_video_finish(fixture->service, wait_result(&result), &error);
	g_assert_no_error(error);
	g_assert_nonnull(video);
	g_assert_cmpstr(video->status, ==, "pending");
	return video;
}

static VfCatalogVideo *
get_video(Fixture *fixture, gint64 id, GError **error)
{
	g_autoptr(GAsyncResult) result = NULL;

	vf_catalog_service_get_video_async(fixture->service, id, NULL, got_result_cb, &result);
	return vf_catalog_service_get_video_finish(fixture->service, wait_result(&result), error);
}

static GPtrArray *
list_jobs(Fixture *fixture)
{
	g_autoptr(GAsyncResult) result = NULL;
	g_autoptr(GError) error = NULL;
	GPtrArray *jobs;

	vf_catalog_service_list_jobs_async(fixture->service, NULL, got_result_cb, &result);
	jobs = vf_catalog_service_list_jobs_finish(fixture->service, wait_result(&result), &error);
	g_assert_no_error(error);
	return jobs;
}

/* the newest job of the video */
static VfCatalogJob *
find_job(Fixture *fixture, gint64 video_id)
{
	g_autoptr(GPtrArray) jobs = list_jobs(fixture);

	for (guint i = 0; i < jobs->len; i++) {
		VfCatalogJob *job = g_ptr_array_index(jobs, i);
		if (job->video_id == video_id)
			return g_ptr_array_steal_index(jobs, i);
	}
	return NULL;
}

/* polls until the video has the status (asserting it does not end otherwise) */
static VfCatalogVideo *
wait_status(Fixture *fixture, gint64 id, const gchar *status)
{
	gint64 deadline = g_get_monotonic_time() + WAIT_S * G_USEC_PER_SEC;

	for (;;) {
		g_autoptr(GError) error = NULL;
		g_autoptr(VfCatalogVideo) video = get_video(fixture, id, &error);
		g_assert_no_error(error);
		if (g_str_equal(video->status, status))
			return g_steal_pointer(&video);
		if (g_str_equal(video->status, "failed") || g_str_equal(video->status, "ready"))
			g_error("video %" G_GINT64_FORMAT " became %s, not %s (%s)",
				id,
				video->status,
				status,
				video->error);
		g_assert_cmpint(g_get_monotonic_time(), <, deadline);
		vf_test_iterate_for(100);
	}
}

typedef struct {
	Fixture *fixture;
	gint64 job_id;
} JobWait;

static gboolean
worker_running(gpointer data)
{
	JobWait *wait = data;
	return vf_jobs_local_queue_get_worker_id(VF_JOBS_LOCAL_QUEUE(wait->fixture->queue),
						 wait->job_id) != NULL;
}

/* the job's worker process id, once it runs */
static GPid
wait_worker(Fixture *fixture, gint64 job_id)
{
	JobWait wait = {fixture, job_id};
	g_assert_true(vf_test_wait_until(worker_running, &wait, WAIT_S * 1000));
	return (GPid)g_ascii_strtoll(
	    vf_jobs_local_queue_get_worker_id(VF_JOBS_LOCAL_QUEUE(fixture->queue), job_id),
	    NULL,
	    10);
}

static gboolean
process_gone(gpointer data)
{
	return kill((pid_t)GPOINTER_TO_INT(data), 0) != 0 && errno == ESRCH;
}

static gint64
query_int(Fixture *fixture, const gchar *sql)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(VfDbConnection) connection = vf_db_pool_acquire(fixture->pool, NULL, &error);
	g_autoptr(PGresult) result = NULL;

	g_assert_no_error(error);
	result = vf_db_connection_exec(connection, sql, 0, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpint(PQntuples(result), ==, 1);
	return g_ascii_strtoll(PQgetvalue(result, 0, 0), NULL, 10);
}

/* files (not folders) below path */
static guint
count_files(const gchar *path)
{
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	const gchar *name;
	guint n = 0;

	if (dir == NULL)
		return 0;
	while ((name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *child = g_build_filename(path, name, NULL);
		if (g_file_test(child, G_FILE_TEST_IS_DIR))
			n += count_files(child);
		else
			n++;
	}
	return n;
}

static gchar *
media_path(Fixture *fixture, const gchar *folder, const gchar *name)
{
	return g_build_filename(fixture->media_root, folder, name, NULL);
}

static gchar *
only_file(Fixture *fixture, const gchar *folder)
{
	g_autofree gchar *path = media_path(fixture, folder, NULL);
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	const gchar *name;

	g_assert_nonnull(dir);
	name = g_dir_read_name(dir);
	g_assert_nonnull(name);
	g_assert_null(g_dir_read_name(dir));
	return g_build_filename(path, name, NULL);
}

/* master and every rendition's playlist with its segments, in the served folder */
static void
assert_ladder(Fixture *fixture, const VfCatalogVideo *video)
{
	const gchar *expected[] = {"144p", "240p", "360p", NULL};
	g_autoptr(GError) error = NULL;
	g_autofree gchar *folder =
	    vf_catalog_service_dup_ladder_dir(fixture->service, video->id, NULL, &error);
	g_autofree gchar *master = NULL;

	g_assert_no_error(error);
	g_assert_true(g_strv_equal((const gchar *const *)video->resolutions, expected));
	master = g_build_filename(folder, "master.m3u8", NULL);
	g_assert_true(g_file_test(master, G_FILE_TEST_IS_REGULAR));
	for (guint i = 0; expected[i] != NULL; i++) {
		g_autofree gchar *dir = vf_catalog_service_dup_ladder_dir(
		    fixture->service, video->id, expected[i], &error);
		g_autofree gchar *playlist = NULL;
		g_autofree gchar *text = NULL;
		g_autofree gchar *segment = NULL;

		g_assert_no_error(error);
		g_assert_true(g_str_has_prefix(dir, folder));
		playlist = g_build_filename(dir, "index.m3u8", NULL);
		g_assert_true(g_file_get_contents(playlist, &text, NULL, NULL));
		g_assert_nonnull(strstr(text, "#EXT-X-ENDLIST"));
		segment = g_build_filename(dir, "seg_00000.ts", NULL);
		g_assert_true(g_file_test(segment, G_FILE_TEST_IS_REGULAR));
	}
}

/* ---- tests ---- */

static void
test_create_ready(Fixture *fixture, gconstpointer data)
{
	g_autofree gchar *upload = upload_copy(fixture, clip_a);
	g_autoptr(VfCatalogVideo) created = create(fixture, upload, "first");
	g_autoptr(VfCatalogVideo) ready = NULL;
	g_autoptr(VfCatalogJob) job = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GHashTable) counts = NULL;
	g_autofree gchar *folder = NULL;
	g_autofree gchar *sql = NULL;

	g_assert_false(g_file_test(upload, G_FILE_TEST_EXISTS));
	g_assert_cmpstr(created->category, ==, "");
	g_assert_cmpstr(created->title, ==, "first");
	g_assert_cmpfloat(created->duration, <, 0);
	g_assert_null(
	    vf_catalog_service_dup_ladder_dir(fixture->service, created->id, NULL, &error));
	g_assert_error(error, VF_ERROR, VF_ERROR_NOT_FOUND);
	g_assert_cmpstr(error->message, ==, "Manifest not available");
	g_clear_error(&error);
	g_assert_null(vf_catalog_service_dup_ladder_dir(fixture->service, 999999, NULL, &error));
	g_assert_error(error, VF_ERROR, VF_ERROR_NOT_FOUND);
	g_assert_cmpstr(error->message, ==, "Not found.");
	g_clear_error(&error);

	ready = wait_status(fixture, created->id, "ready");
	assert_ladder(fixture, ready);
	g_assert_cmpfloat_with_epsilon(ready->duration, 2.0, 0.2);
	g_assert_cmpfloat(ready->progress, ==, 1.0);
	g_assert_null(ready->error);
	/* generated thumbnail, the source in place */
	g_assert_nonnull(ready->thumbnail);
	g_assert_true(g_str_has_suffix(ready->thumbnail, ".jpg"));
	{
		g_autofree gchar *thumbnail = media_path(fixture, "thumbnails", ready->thumbnail);
		g_autofree gchar *source = only_file(fixture, "sources");
		g_assert_true(g_file_test(thumbnail, G_FILE_TEST_IS_REGULAR));
		g_assert_true(g_str_has_suffix(source, ".mp4"));
	}
	/* the pointer in the database and the generation folder */
	sql = g_strdup_printf("SELECT current_generation FROM videos WHERE id = %" G_GINT64_FORMAT,
			      ready->id);
	g_assert_cmpint(query_int(fixture, sql), ==, 1);
	folder = vf_catalog_service_dup_ladder_dir(fixture->service, ready->id, NULL, &error);
	g_assert_no_error(error);
	g_free(sql);
	sql = g_strdup_printf("/hls/%" G_GINT64_FORMAT "/1", ready->id);
	g_assert_true(g_str_has_suffix(folder, sql));
	job = find_job(fixture, ready->id);
	g_assert_nonnull(job);
	g_assert_cmpstr(job->state, ==, "succeeded");
	g_assert_cmpint(job->attempt, ==, 1);
	g_assert_nonnull(job->started_at);
	g_assert_nonnull(job->finished_at);
	g_assert_true(g_str_has_prefix(job->node, "local/"));
	counts = vf_catalog_service_dup_job_counts(fixture->service);
	g_assert_cmpint(*(gint64 *)g_hash_table_lookup(counts, "succeeded"), ==, 1);
	g_assert_cmpint(*(gint64 *)g_hash_table_lookup(counts, "queue_depth"), ==, 0);
	g_assert_cmpint(fixture->retries, ==, 0);
}

static GPtrArray *
list_videos(Fixture *fixture)
{
	g_autoptr(GAsyncResult) result = NULL;
	g_autoptr(GError) error = NULL;
	GPtrArray *videos;

	vf_catalog_service_list_videos_async(fixture->service, NULL, got_result_cb, &result);
	videos =
	    vf_catalog_service_list_videos_finish(fixture->service, wait_result(&result), &error);
	g_assert_no_error(error);
	return videos;
}

static const gchar *
status_of(GPtrArray *videos, gint64 id)
{
	for (guint i = 0; i < videos->len; i++) {
		VfCatalogVideo *video = g_ptr_array_index(videos, i);
		if (video->id == id)
			return video->status;
	}
	return NULL;
}

static void
test_list_newest_first(Fixture *fixture, gconstpointer data)
{
	g_autofree gchar *upload_a = upload_copy(fixture, not_video);
	g_autofree gchar *upload_b = upload_copy(fixture, not_video);
	g_autoptr(VfCatalogVideo) a = create(fixture, upload_a, "older");
	g_autoptr(VfCatalogVideo) b = create(fixture, upload_b, "newer");
	g_autoptr(GAsyncResult) result = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) videos = NULL;

	vf_catalog_service_list_videos_async(fixture->service, NULL, got_result_cb, &result);
	videos =
	    vf_catalog_service_list_videos_finish(fixture->service, wait_result(&result), &error);
	g_assert_no_error(error);
	g_assert_cmpuint(videos->len, ==, 2);
	g_assert_cmpint(((VfCatalogVideo *)g_ptr_array_index(videos, 0))->id, ==, b->id);
	g_assert_cmpint(((VfCatalogVideo *)g_ptr_array_index(videos, 1))->id, ==, a->id);
	g_clear_pointer(&videos, g_ptr_array_unref);
	{
		/* the list is kept between changes, and follows each change */
		g_autoptr(VfCatalogVideo) failed = wait_status(fixture, b->id, "failed");
		g_autoptr(VfCatalogVideo) failed_a = wait_status(fixture, a->id, "failed");
		g_autoptr(GPtrArray) first = list_videos(fixture);
		g_autoptr(GPtrArray) second = list_videos(fixture);
		g_autoptr(GPtrArray) after = NULL;
		g_autoptr(GAsyncResult) result2 = NULL;

		g_assert_cmpstr(status_of(first, b->id), ==, "failed");
		g_assert_cmpstr(status_of(second, a->id), ==, "failed");
		g_assert_cmpuint(second->len, ==, 2);
		vf_catalog_service_delete_video_async(
		    fixture->service, a->id, NULL, got_result_cb, &result2);
		g_assert_true(vf_catalog_service_delete_video_finish(
		    fixture->service, wait_result(&result2), &error));
		after = list_videos(fixture);
		g_assert_cmpuint(after->len, ==, 1);
		g_assert_null(status_of(after, a->id));
	}
}

static void
test_not_a_video(Fixture *fixture, gconstpointer data)
{
	g_autofree gchar *upload = upload_copy(fixture, not_video);
	g_autoptr(VfCatalogVideo) created = create(fixture, upload, "text");
	g_autoptr(VfCatalogVideo) failed = wait_status(fixture, created->id, "failed");
	g_autoptr(VfCatalogJob) job = find_job(fixture, created->id);
	g_autofree gchar *hls = media_path(fixture, "hls", NULL);

	g_assert_nonnull(failed->error);
	g_assert_cmpstr(failed->error, !=, "");
	g_assert_cmpstr(job->state, ==, "failed");
	g_assert_cmpint(job->attempt, ==, 1);
	g_assert_cmpstr(job->error, ==, failed->error);
	g_assert_cmpuint(fixture->retries, ==, 0);
	g_assert_cmpuint(fixture->started, ==, 1);
	g_assert_cmpuint(count_files(hls), ==, 0);
	g_assert_cmpuint(
	    failed->resolutions != NULL ? g_strv_length(failed->resolutions) : 0, ==, 0);
}

static gboolean
ladder_moved(gpointer data)
{
	gpointer *args = data;
	Fixture *fixture = args[0];
	const gchar *old = args[1];
	gint64 id = *(gint64 *)args[2];
	g_autofree gchar *now = vf_catalog_service_dup_ladder_dir(fixture->service, id, NULL, NULL);
	return now != NULL && g_strcmp0(now, old) != 0;
}

static void
test_replace(Fixture *fixture, gconstpointer data)
{
	g_autofree gchar *upload = upload_copy(fixture, clip_a);
	g_autoptr(VfCatalogVideo) created = create(fixture, upload, "replace me");
	g_autoptr(VfCatalogVideo) first = wait_status(fixture, created->id, "ready");
	g_autoptr(VfCatalogVideo) updated = NULL;
	g_autoptr(VfCatalogVideo) second = NULL;
	g_autoptr(VfCatalogJob) job = NULL;
	g_autoptr(GAsyncResult) result = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *old_folder =
	    vf_catalog_service_dup_ladder_dir(fixture->service, created->id, NULL, NULL);
	g_autofree gchar *old_source = only_file(fixture, "sources");
	g_autofree gchar *old_thumbnail = media_path(fixture, "thumbnails", first->thumbnail);
	g_autofree gchar *old_master = g_build_filename(old_folder, "master.m3u8", NULL);
	g_autofree gchar *new_upload = upload_copy(fixture, clip_c);
	g_autofree gchar *new_source = NULL;
	VfCatalogUpload changes = {0};
	gpointer args[] = {fixture, old_folder, &created->id};

	changes.category = g_strdup("Drama");
	changes.video_path = g_strdup(new_upload);
	changes.video_ext = g_strdup("mkv");
	vf_catalog_service_update_video_async(
	    fixture->service, created->id, &changes, NULL, got_result_cb, &result);
	vf_catalog_upload_clear(&changes);
	updated =
	    vf_catalog_service_update_video_finish(fixture->service, wait_result(&result), &error);
	g_assert_no_error(error);
	g_assert_cmpstr(updated->category, ==, "Drama");
	g_assert_cmpstr(updated->title, ==, "replace me");
	/* while the new ladder is made, the old one is served, whole */
	job = find_job(fixture, created->id);
	g_assert_cmpint(job->generation, ==, 2);
	wait_worker(fixture, job->id);
	{
		g_autofree gchar *served =
		    vf_catalog_service_dup_ladder_dir(fixture->service, created->id, NULL, &error);
		g_assert_no_error(error);
		g_assert_cmpstr(served, ==, old_folder);
		g_assert_true(g_file_test(old_master, G_FILE_TEST_IS_REGULAR));
		g_assert_true(g_file_test(old_source, G_FILE_TEST_IS_REGULAR));
	}
	g_assert_true(vf_test_wait_until(ladder_moved, args, WAIT_S * 1000));
	second = wait_status(fixture, created->id, "ready");
	assert_ladder(fixture, second);
	g_assert_cmpfloat_with_epsilon(second->duration, 20.0, 0.2);
	/* the previous generation, source and thumbnail are gone */
	g_assert_false(g_file_test(old_folder, G_FILE_TEST_EXISTS));
	g_assert_false(g_file_test(old_source, G_FILE_TEST_EXISTS));
	g_assert_false(g_file_test(old_thumbnail, G_FILE_TEST_EXISTS));
	g_assert_cmpstr(second->thumbnail, !=, first->thumbnail);
	new_source = only_file(fixture, "sources");
	g_assert_true(g_str_has_suffix(new_source, ".mkv"));
	{
		g_autofree gchar *hls =
		    g_strdup_printf("%s/hls/%" G_GINT64_FORMAT, fixture->media_root, created->id);
		g_autofree gchar *thumbnails = media_path(fixture, "thumbnails", NULL);
		g_autoptr(GDir) dir = g_dir_open(hls, 0, NULL);
		g_assert_cmpstr(g_dir_read_name(dir), ==, "2");
		g_assert_null(g_dir_read_name(dir));
		g_assert_cmpuint(count_files(thumbnails), ==, 1);
	}
}

static void
test_delete_running(Fixture *fixture, gconstpointer data)
{
	g_autofree gchar *upload = upload_copy(fixture, clip_c);
	g_autoptr(VfCatalogVideo) created = create(fixture, upload, "delete me");
	g_autoptr(VfCatalogJob) job = find_job(fixture, created->id);
	g_autoptr(VfCatalogVideo) gone = NULL;
	g_autoptr(GAsyncResult) result = NULL;
	g_autoptr(GError) error = NULL;
	GPid pid = wait_worker(fixture, job->id);

	vf_catalog_service_delete_video_async(
	    fixture->service, created->id, NULL, got_result_cb, &result);
	g_assert_true(
	    vf_catalog_service_delete_video_finish(fixture->service, wait_result(&result), &error));
	g_assert_no_error(error);
	/* the worker stopped, and nothing of the video remains */
	g_assert_true(process_gone(GINT_TO_POINTER(pid)));
	g_assert_cmpuint(count_files(fixture->media_root), ==, 0);
	g_assert_cmpint(query_int(fixture, "SELECT count(*) FROM videos"), ==, 0);
	g_assert_cmpint(query_int(fixture, "SELECT count(*) FROM jobs"), ==, 0);
	gone = get_video(fixture, created->id, &error);
	g_assert_null(gone);
	g_assert_error(error, VF_ERROR, VF_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_null(
	    vf_catalog_service_dup_ladder_dir(fixture->service, created->id, NULL, &error));
	g_assert_error(error, VF_ERROR, VF_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_cmpuint(vf_job_queue_get_depth(fixture->queue), ==, 0);
	/* deleting it again */
	g_clear_object(&result);
	vf_catalog_service_delete_video_async(
	    fixture->service, created->id, NULL, got_result_cb, &result);
	g_assert_false(
	    vf_catalog_service_delete_video_finish(fixture->service, wait_result(&result), &error));
	g_assert_error(error, VF_ERROR, VF_ERROR_NOT_FOUND);
}

static void
test_worker_killed(Fixture *fixture, gconstpointer data)
{
	g_autofree gchar *upload = upload_copy(fixture, clip_c);
	g_autoptr(VfCatalogVideo) created = create(fixture, upload, "kill its worker");
	g_autoptr(VfCatalogJob) job = find_job(fixture, created->id);
	g_autoptr(VfCatalogVideo) ready = NULL;
	g_autoptr(VfCatalogJob) done = NULL;
	GPid pid = wait_worker(fixture, job->id);

	g_assert_cmpint(kill(pid, SIGKILL), ==, 0);
	ready = wait_status(fixture, created->id, "ready");
	assert_ladder(fixture, ready);
	done = find_job(fixture, created->id);
	g_assert_cmpstr(done->state, ==, "succeeded");
	g_assert_cmpint(done->attempt, ==, 2);
	g_assert_cmpuint(fixture->retries, ==, 1);
}

static VfCatalogVideo *
update(Fixture *fixture, gint64 id, VfCatalogUpload *changes)
{
	g_autoptr(GAsyncResult) result = NULL;
	g_autoptr(GError) error = NULL;
	VfCatalogVideo *video;

	vf_catalog_service_update_video_async(
	    fixture->service, id, changes, NULL, got_result_cb, &result);
	vf_catalog_upload_clear(changes);
	video =
	    vf_catalog_service_update_video_finish(fixture->service, wait_result(&result), &error);
	g_assert_no_error(error);
	return video;
}

static void
test_replace_before_ready(Fixture *fixture, gconstpointer data)
{
	g_autofree gchar *upload = upload_copy(fixture, clip_c);
	g_autoptr(VfCatalogVideo) created = create(fixture, upload, "replaced early");
	g_autoptr(VfCatalogJob) first = find_job(fixture, created->id);
	g_autoptr(VfCatalogVideo) updated = NULL;
	g_autoptr(VfCatalogVideo) ready = NULL;
	g_autoptr(GPtrArray) jobs = NULL;
	g_autofree gchar *old_source = NULL;
	g_autofree gchar *new_source = NULL;
	g_autofree gchar *first_folder = NULL;
	VfCatalogUpload changes = {0};
	GPid pid = wait_worker(fixture, first->id);

	old_source = only_file(fixture, "sources");
	changes.video_path = upload_copy(fixture, clip_a);
	changes.video_ext = g_strdup("mp4");
	updated = update(fixture, created->id, &changes);
	g_assert_cmpstr(updated->status, ==, "pending");
	/* the first job's worker is stopped and its files go */
	g_assert_true(vf_test_wait_until(process_gone, GINT_TO_POINTER(pid), 10000));
	ready = wait_status(fixture, created->id, "ready");
	assert_ladder(fixture, ready);
	g_assert_cmpfloat_with_epsilon(ready->duration, 2.0, 0.2);
	g_assert_false(g_file_test(old_source, G_FILE_TEST_EXISTS));
	new_source = only_file(fixture, "sources");
	g_assert_true(g_str_has_suffix(new_source, ".mp4"));
	first_folder = g_strdup_printf("%s/hls/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT,
				       fixture->media_root,
				       created->id,
				       first->generation);
	g_assert_false(g_file_test(first_folder, G_FILE_TEST_EXISTS));
	jobs = list_jobs(fixture);
	g_assert_cmpuint(jobs->len, ==, 2);
	g_assert_cmpstr(((VfCatalogJob *)g_ptr_array_index(jobs, 0))->state, ==, "succeeded");
	g_assert_cmpstr(((VfCatalogJob *)g_ptr_array_index(jobs, 1))->state, ==, "cancelled");
	{
		g_autofree gchar *thumbnails = media_path(fixture, "thumbnails", NULL);
		g_assert_cmpuint(count_files(thumbnails), ==, 1);
	}
}

static void
test_thumbnails(Fixture *fixture, gconstpointer data)
{
	g_autofree gchar *upload = upload_copy(fixture, clip_a);
	g_autofree gchar *image = upload_copy(fixture, not_video);
	g_autoptr(VfCatalogVideo) created = NULL;
	g_autoptr(VfCatalogVideo) ready = NULL;
	g_autoptr(VfCatalogVideo) renamed = NULL;
	g_autoptr(VfCatalogVideo) changed = NULL;
	g_autoptr(GPtrArray) jobs = NULL;
	g_autofree gchar *thumbnails = media_path(fixture, "thumbnails", NULL);
	g_autofree gchar *first = NULL;
	g_autofree gchar *second = NULL;
	VfCatalogUpload changes = {0};
	VfCatalogUpload create_upload = {0};
	g_autoptr(GAsyncResult) result = NULL;
	g_autoptr(GError) error = NULL;

	/* an uploaded thumbnail is kept: the job generates none */
	create_upload.title = g_strdup("with a poster");
	create_upload.video_path = g_strdup(upload);
	create_upload.video_ext = g_strdup("mp4");
	create_upload.thumbnail_path = g_strdup(image);
	create_upload.thumbnail_ext = g_strdup("png");
	vf_catalog_service_create_video_async(
	    fixture->service, &create_upload, NULL, got_result_cb, &result);
	vf_catalog_upload_clear(&create_upload);
	created =
	    vf_catalog_service_create_video_finish(fixture->service, wait_result(&result), &error);
	g_assert_no_error(error);
	g_assert_true(g_str_has_suffix(created->thumbnail, ".png"));
	g_assert_false(g_file_test(image, G_FILE_TEST_EXISTS));
	ready = wait_status(fixture, created->id, "ready");
	g_assert_cmpstr(ready->thumbnail, ==, created->thumbnail);
	g_assert_cmpuint(count_files(thumbnails), ==, 1);
	first = media_path(fixture, "thumbnails", ready->thumbnail);

	/* metadata only: no new job */
	changes.title = g_strdup("renamed");
	renamed = update(fixture, created->id, &changes);
	g_assert_cmpstr(renamed->title, ==, "renamed");
	g_assert_cmpstr(renamed->status, ==, "ready");
	jobs = list_jobs(fixture);
	g_assert_cmpuint(jobs->len, ==, 1);

	/* a new thumbnail replaces the old file at once */
	changes.thumbnail_path = upload_copy(fixture, not_video);
	changes.thumbnail_ext = g_strdup("webp");
	changed = update(fixture, created->id, &changes);
	g_assert_true(g_str_has_suffix(changed->thumbnail, ".webp"));
	g_assert_false(g_file_test(first, G_FILE_TEST_EXISTS));
	second = media_path(fixture, "thumbnails", changed->thumbnail);
	g_assert_true(g_file_test(second, G_FILE_TEST_IS_REGULAR));
	g_assert_cmpuint(count_files(thumbnails), ==, 1);
}

typedef struct {
	Fixture *fixture;
	gint64 job_id;
	GPid stopped;
	guint n_stopped;
} Freezer;

/* every worker the job gets is frozen (SIGSTOP): a hung worker that says nothing */
static gboolean
freeze_cb(gpointer data)
{
	Freezer *freezer = data;
	const gchar *id = vf_jobs_local_queue_get_worker_id(
	    VF_JOBS_LOCAL_QUEUE(freezer->fixture->queue), freezer->job_id);
	GPid pid = id != NULL ? (GPid)g_ascii_strtoll(id, NULL, 10) : 0;

	if (pid > 0 && pid != freezer->stopped) {
		g_assert_cmpint(kill(pid, SIGSTOP), ==, 0);
		freezer->stopped = pid;
		freezer->n_stopped++;
	}
	return G_SOURCE_CONTINUE;
}

static void
test_stalled(Fixture *fixture, gconstpointer data)
{
	g_autofree gchar *upload_a = upload_copy(fixture, clip_c);
	g_autofree gchar *upload_b = upload_copy(fixture, clip_a);
	g_autoptr(VfCatalogVideo) stalls = NULL;
	g_autoptr(VfCatalogVideo) failed = NULL;
	g_autoptr(VfCatalogVideo) good = NULL;
	g_autoptr(VfCatalogVideo) ready = NULL;
	g_autoptr(VfCatalogJob) job = NULL;
	Freezer freezer = {fixture, 0, 0, 0};
	guint freeze_id;

	/* short, but long enough for a worker to start under the sanitizers: the good
	 * job must not stall */
	vf_jobs_local_queue_set_stall_timeout(VF_JOBS_LOCAL_QUEUE(fixture->queue), 10);
	vf_catalog_service_set_max_attempts(fixture->service, 2);
	stalls = create(fixture, upload_a, "stalls");
	job = find_job(fixture, stalls->id);
	freezer.job_id = job->id;
	freeze_id = g_timeout_add(20, freeze_cb, &freezer);
	good = create(fixture, upload_b, "good");
	failed = wait_status(fixture, stalls->id, "failed");
	g_source_remove(freeze_id);
	g_assert_nonnull(strstr(failed->error, "stalled"));
	g_assert_cmpuint(freezer.n_stopped, ==, 2);
	g_assert_true(process_gone(GINT_TO_POINTER(freezer.stopped)));
	g_clear_pointer(&job, vf_catalog_job_free);
	job = find_job(fixture, stalls->id);
	g_assert_cmpstr(job->state, ==, "failed");
	g_assert_cmpint(job->attempt, ==, 2);
	g_assert_cmpuint(
	    GPOINTER_TO_UINT(g_hash_table_lookup(fixture->retries_by_job, &job->id)), ==, 1);
	/* the queue keeps serving */
	ready = wait_status(fixture, good->id, "ready");
	assert_ladder(fixture, ready);
}

static void
test_restart(Fixture *fixture, gconstpointer data)
{
	g_autofree gchar *upload = upload_copy(fixture, clip_c);
	g_autoptr(VfCatalogVideo) created = create(fixture, upload, "survives a restart");
	g_autoptr(VfCatalogJob) job = find_job(fixture, created->id);
	g_autoptr(VfCatalogVideo) ready = NULL;
	g_autoptr(VfCatalogJob) done = NULL;
	g_autofree gchar *sql = g_strdup_printf(
	    "SELECT count(*) FROM jobs WHERE state = 'running' AND id = %" G_GINT64_FORMAT,
	    job->id);
	GPid pid = wait_worker(fixture, job->id);

	/* the database says running: wait until the event thread wrote it */
	while (query_int(fixture, sql) == 0)
		vf_test_iterate_for(50);
	service_down(fixture);
	g_assert_true(vf_test_wait_until(process_gone, GINT_TO_POINTER(pid), 10000));
	g_assert_cmpint(query_int(fixture, sql), ==, 1);

	service_up(fixture);
	ready = wait_status(fixture, created->id, "ready");
	assert_ladder(fixture, ready);
	done = find_job(fixture, created->id);
	g_assert_cmpint(done->id, ==, job->id);
	g_assert_cmpstr(done->state, ==, "succeeded");
}

int
main(int argc, char **argv)
{
	int status;

	vf_test_init(&argc, &argv, 900);
	/* retries and killed workers are reported with g_warning (STYLE.md §8): expected */
	g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
	postgres = vf_test_postgres_new();
	clips = vf_test_make_tmpdir("catalog-clips");
	clip_a = g_build_filename(clips, "a.mp4", NULL);
	clip_b = g_build_filename(clips, "b.mkv", NULL);
	clip_c = g_build_filename(clips, "c.mkv", NULL);
	not_video = g_build_filename(clips, "text.mp4", NULL);
	{
		g_autofree gchar *a = g_strdup_printf(
		    "gst-launch-1.0 -q videotestsrc num-buffers=50 pattern=smpte ! "
		    "video/x-raw,format=I420,width=320,height=180,framerate=25/1 ! "
		    "x264enc speed-preset=ultrafast ! h264parse ! mp4mux name=m ! filesink "
		    "location=%s audiotestsrc num-buffers=100 samplesperbuffer=960 ! "
		    "audio/x-raw,rate=48000,channels=2 ! avenc_aac ! aacparse ! m.",
		    clip_a);
		g_autofree gchar *b = g_strdup_printf(
		    "gst-launch-1.0 -q videotestsrc num-buffers=75 pattern=ball ! "
		    "video/x-raw,format=I420,width=320,height=180,framerate=25/1 ! "
		    "x264enc speed-preset=ultrafast ! h264parse ! matroskamux ! filesink "
		    "location=%s",
		    clip_b);
		g_autofree gchar *c = g_strdup_printf(
		    "gst-launch-1.0 -q videotestsrc num-buffers=500 pattern=ball ! "
		    "video/x-raw,format=I420,width=320,height=180,framerate=25/1 ! "
		    "x264enc speed-preset=ultrafast ! h264parse ! matroskamux ! filesink "
		    "location=%s",
		    clip_c);
		gint wait_status = 0;
		g_autoptr(GError) error = NULL;

		g_assert_true(g_spawn_command_line_sync(a, NULL, NULL, &wait_status, &error));
		g_assert_no_error(error);
		g_assert_true(g_spawn_check_wait_status(wait_status, &error));
		g_assert_true(g_spawn_command_line_sync(b, NULL, NULL, &wait_status, &error));
		g_assert_no_error(error);
		g_assert_true(g_spawn_check_wait_status(wait_status, &error));
		g_assert_true(g_spawn_command_line_sync(c, NULL, NULL, &wait_status, &error));
		g_assert_no_error(error);
		g_assert_true(g_spawn_check_wait_status(wait_status, &error));
		g_assert_true(g_file_set_contents(not_video, "just some text\n", -1, &error));
	}
	g_test_add("/catalog/service/create-ready",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_create_ready,
		   fixture_teardown);
	g_test_add("/catalog/service/list-newest-first",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_list_newest_first,
		   fixture_teardown);
	g_test_add("/catalog/service/not-a-video",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_not_a_video,
		   fixture_teardown);
	g_test_add("/catalog/service/replace",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_replace,
		   fixture_teardown);
	g_test_add("/catalog/service/replace-before-ready",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_replace_before_ready,
		   fixture_teardown);
	g_test_add("/catalog/service/thumbnails",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_thumbnails,
		   fixture_teardown);
	g_test_add("/catalog/service/delete-running",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_delete_running,
		   fixture_teardown);
	g_test_add("/catalog/service/worker-killed",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_worker_killed,
		   fixture_teardown);
	g_test_add("/catalog/service/stalled",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_stalled,
		   fixture_teardown);
	g_test_add("/catalog/service/restart",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_restart,
		   fixture_teardown);
	status = g_test_run();
	vf_test_postgres_free(postgres);
	vf_test_rm_rf(clips);
	g_free(clips);
	g_free(clip_a);
	g_free(clip_b);
	g_free(clip_c);
	g_free(not_video);
	return status;
}
