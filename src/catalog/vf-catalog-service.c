/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfCatalogService: requests run their SQL and file moves in GTask threads and
 * finish on the main thread (ladder table, job submission, cancellation). The job
 * queue's signals are written to the database by one event thread, in the order
 * they came, so that a late progress update never overwrites an outcome. Files a
 * video no longer needs are removed after the commit that stops referencing them,
 * and a cancelled job's files only once its worker has stopped.
 */
#include "config.h"

#include "vf-catalog-service.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "vf-catalog-files.h"
#include "vf-catalog-service-private.h"
#include "vf-catalog-store.h"
#include "vf-error.h"
#include "vf-files.h"

#define PROGRESS_INTERVAL    (G_USEC_PER_SEC) /* at most one progress write per job per second */
#define JOBS_LIST_LIMIT	     1000
#define DEFAULT_MAX_ATTEMPTS 3

typedef struct {
	gint64 revision;
	gint64 generation; /* 0: no ladder */
	gchar **resolutions;
} Ladder;

struct _VfCatalogService {
	GObject parent_instance;
	const VfConfig *config;
	VfDbPool *pool;
	VfJobQueue *queue;
	GMainContext *context;
	gchar *media_root; /* absolute */
	guint max_attempts;
	GHashTable *ladders; /* video id → Ladder */
	GHashTable *deleted; /* video ids deleted while this service ran */
	/* the catalogue as last listed, valid while list_serial has not moved: every
	 * change of a video passes apply_row() or forget_video(), which move it */
	GPtrArray *list_cache; /* of VfCatalogVideo, or NULL */
	gint64 list_cache_serial;
	gint64 list_serial;
	GHashTable *progress_written; /* job id → monotonic time of the last write */
	GHashTable *counts;	      /* job state → gint64 * */
	gint64 counts_serial;	      /* of the counts applied */
	gint counts_taken;	      /* atomic: serial of the last count taken */
	gdouble transcode_seconds;
	GThreadPool *events; /* one thread, of Event */
	gulong handlers[5];
	GHashTable *job_videos; /* job id → video id, of jobs queued or running */
};

G_DEFINE_TYPE(VfCatalogService, vf_catalog_service, G_TYPE_OBJECT)

enum { SIGNAL_JOB_STATE_CHANGED, SIGNAL_JOB_PROGRESS, SIGNAL_LAST };
static guint signals[SIGNAL_LAST];

/* ---- plain data ---- */

void
vf_catalog_video_free(VfCatalogVideo *video)
{
	if (video == NULL)
		return;
	g_free(video->created_at);
	g_free(video->title);
	g_free(video->description);
	g_free(video->category);
	g_free(video->thumbnail);
	g_free(video->status);
	g_strfreev(video->resolutions);
	g_free(video->error);
	g_free(video);
}

void
vf_catalog_job_free(VfCatalogJob *job)
{
	if (job == NULL)
		return;
	g_free(job->state);
	g_free(job->node);
	g_free(job->created_at);
	g_free(job->started_at);
	g_free(job->finished_at);
	g_free(job->error);
	g_free(job);
}

void
vf_catalog_upload_clear(VfCatalogUpload *upload)
{
	if (upload == NULL)
		return;
	g_clear_pointer(&upload->title, g_free);
	g_clear_pointer(&upload->description, g_free);
	g_clear_pointer(&upload->category, g_free);
	g_clear_pointer(&upload->video_path, g_free);
	g_clear_pointer(&upload->video_ext, g_free);
	g_clear_pointer(&upload->thumbnail_path, g_free);
	g_clear_pointer(&upload->thumbnail_ext, g_free);
}

static void
ladder_free(Ladder *ladder)
{
	g_strfreev(ladder->resolutions);
	g_free(ladder);
}

/* ---- paths ---- */

static gchar *
source_path(VfCatalogService *self, const gchar *name)
{
	return name != NULL ? g_build_filename(self->media_root, "sources", name, NULL) : NULL;
}

static gchar *
thumbnail_path(VfCatalogService *self, const gchar *name)
{
	return name != NULL ? g_build_filename(self->media_root, "thumbnails", name, NULL) : NULL;
}

static gchar *
generation_path(VfCatalogService *self, gint64 video_id, gint64 generation)
{
	g_autofree gchar *id = g_strdup_printf("%" G_GINT64_FORMAT, video_id);
	g_autofree gchar *gen = g_strdup_printf("%" G_GINT64_FORMAT, generation);
	return g_build_filename(self->media_root, "hls", id, gen, NULL);
}

static gchar *
video_hls_path(VfCatalogService *self, gint64 video_id)
{
	g_autofree gchar *id = g_strdup_printf("%" G_GINT64_FORMAT, video_id);
	return g_build_filename(self->media_root, "hls", id, NULL);
}

static void
add_path(GPtrArray *paths, gchar *path /* owned */)
{
	if (path == NULL)
		return;
	for (guint i = 0; i < paths->len; i++) {
		if (g_str_equal(g_ptr_array_index(paths, i), path)) {
			g_free(path);
			return;
		}
	}
	g_ptr_array_add(paths, path);
}

static void
remove_paths(GPtrArray *paths)
{
	for (guint i = 0; paths != NULL && i < paths->len; i++)
		vf_files_remove_tree(g_ptr_array_index(paths, i));
}

/* the files a job writes, removed when it will never be published */
static void
add_job_outputs(VfCatalogService *self, GPtrArray *paths, const VfCatalogJobRow *job)
{
	add_path(paths, generation_path(self, job->video_id, job->generation));
	add_path(paths, thumbnail_path(self, job->thumbnail));
}

static VfJob *
job_for_queue(const VfCatalogJobRow *row)
{
	VfJob *job = vf_job_new();

	job->job_id = row->id;
	job->video_id = row->video_id;
	job->generation = row->generation;
	job->source = g_build_filename("sources", row->source, NULL);
	job->output = g_strdup_printf(
	    "hls/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT, row->video_id, row->generation);
	job->thumbnail =
	    row->thumbnail != NULL ? g_build_filename("thumbnails", row->thumbnail, NULL) : NULL;
	job->attempt = MAX(row->attempt, 1);
	job->max_attempts = row->max_attempts;
	return job;
}

/* ---- main-thread state ---- */

static void
apply_row(VfCatalogService *self, const VfCatalogRow *row)
{
	Ladder *ladder;

	if (row == NULL || g_hash_table_contains(self->deleted, &row->id))
		return;
	ladder = g_hash_table_lookup(self->ladders, &row->id);
	if (ladder != NULL && ladder->revision >= row->revision)
		return;
	self->list_serial++;
	ladder = g_new0(Ladder, 1);
	ladder->revision = row->revision;
	ladder->generation = row->current_generation;
	ladder->resolutions = g_strdupv(row->resolutions);
	g_hash_table_replace(self->ladders, g_memdup2(&row->id, sizeof(gint64)), ladder);
}

static void
forget_video(VfCatalogService *self, gint64 video_id)
{
	g_hash_table_add(self->deleted, g_memdup2(&video_id, sizeof(gint64)));
	g_hash_table_remove(self->ladders, &video_id);
	self->list_serial++;
}

/* any thread, with a connection: fresh counts, tagged so that older ones lose */
static GHashTable *
take_counts(VfCatalogService *self, VfDbConnection *connection, gint64 *serial)
{
	*serial = g_atomic_int_add(&self->counts_taken, 1) + 1;
	return vf_catalog_store_count_jobs(connection, NULL);
}

static void
apply_counts(VfCatalogService *self, GHashTable *counts, gint64 serial)
{
	if (counts == NULL || serial <= self->counts_serial)
		return;
	self->counts_serial = serial;
	g_clear_pointer(&self->counts, g_hash_table_unref);
	self->counts = g_hash_table_ref(counts);
}

/* ---- requests ---- */

typedef struct {
	gint64 video_id;
	VfCatalogUpload upload;
	/* results */
	VfCatalogVideo *video;
	VfCatalogRow *row;
	GPtrArray *submit;	 /* of VfCatalogJobRow */
	GPtrArray *cancel;	 /* of VfCatalogJobRow, whose workers must stop first */
	GPtrArray *after_cancel; /* of paths, removed once they have */
	GPtrArray *result;	 /* for list requests */
	GHashTable *counts;
	gint64 counts_serial;
	gint64 list_serial; /* at the start of a list request */
	gboolean deleted;
	guint cancels_pending;
	gint64 job_id; /* the last job submitted, else 0 */
} Request;

static void
request_free(Request *request)
{
	vf_catalog_upload_clear(&request->upload);
	g_clear_pointer(&request->video, vf_catalog_video_free);
	g_clear_pointer(&request->row, vf_catalog_row_free);
	g_clear_pointer(&request->submit, g_ptr_array_unref);
	g_clear_pointer(&request->cancel, g_ptr_array_unref);
	g_clear_pointer(&request->after_cancel, g_ptr_array_unref);
	g_clear_pointer(&request->result, g_ptr_array_unref);
	g_clear_pointer(&request->counts, g_hash_table_unref);
	g_free(request);
}

static Request *
request_new(void)
{
	Request *request = g_new0(Request, 1);
	request->submit = g_ptr_array_new_with_free_func((GDestroyNotify)vf_catalog_job_row_free);
	request->cancel = g_ptr_array_new_with_free_func((GDestroyNotify)vf_catalog_job_row_free);
	request->after_cancel = g_ptr_array_new_with_free_func(g_free);
	return request;
}

static void
copy_upload(VfCatalogUpload *to, const VfCatalogUpload *from)
{
	if (from == NULL)
		return;
	to->title = g_strdup(from->title);
	to->description = g_strdup(from->description);
	to->category = g_strdup(from->category);
	to->video_path = g_strdup(from->video_path);
	to->video_ext = g_strdup(from->video_ext);
	to->thumbnail_path = g_strdup(from->thumbnail_path);
	to->thumbnail_ext = g_strdup(from->thumbnail_ext);
}

typedef void (*ThreadFunc)(VfCatalogService *self,
			   Request *request,
			   GCancellable *cancellable,
			   GError **error);
typedef void (*MainFunc)(VfCatalogService *self, GTask *task /* owned */, Request *request);

/* the thread's own task has no source object: GTask may drop its last reference in
 * the worker thread, and the service must only ever be finalized on the main thread */
typedef struct {
	VfCatalogService *self; /* ref, dropped on the main thread */
	GTask *task;		/* the caller's */
	ThreadFunc thread_func;
	MainFunc main_func;
	GError *error;
} Hop;

static void
hop_thread(GTask *inner, gpointer source, gpointer data, GCancellable *cancellable)
{
	Hop *hop = data;

	hop->thread_func(hop->self,
			 g_task_get_task_data(hop->task),
			 g_task_get_cancellable(hop->task),
			 &hop->error);
	g_task_return_boolean(inner, TRUE);
}

static void
hop_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Hop *hop = user_data;
	g_autoptr(VfCatalogService) self = hop->self;
	GTask *task = hop->task;
	MainFunc main_func = hop->main_func;
	GError *error = hop->error;

	g_free(hop);
	if (error != NULL) {
		g_task_return_error(task, error);
		g_object_unref(task);
		return;
	}
	main_func(self, task, g_task_get_task_data(task));
}

/* thread_func in a GTask thread, then main_func on the main thread, which returns
 * the caller's task (and owns it); a thread failure returns it directly */
static void
run_request(VfCatalogService *self, GTask *task, ThreadFunc thread_func, MainFunc main_func)
{
	Hop *hop = g_new0(Hop, 1);
	g_autoptr(GTask) inner = g_task_new(NULL, NULL, hop_done_cb, hop);

	hop->self = g_object_ref(self);
	hop->task = task;
	hop->thread_func = thread_func;
	hop->main_func = main_func;
	g_task_set_task_data(inner, hop, NULL);
	g_task_run_in_thread(inner, hop_thread);
}

/* ---- cleanup after cancellation ---- */

typedef struct {
	VfCatalogService *self; /* ref */
	GPtrArray *paths;	/* owned */
	GTask *task;		/* or NULL; returned TRUE once the files are gone */
	guint pending;
} Cleanup;

static void
cleanup_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	Cleanup *cleanup = data;
	remove_paths(cleanup->paths);
	g_task_return_boolean(task, TRUE);
}

static void
cleanup_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Cleanup *cleanup = user_data;

	if (cleanup->task != NULL) {
		g_task_return_boolean(cleanup->task, TRUE);
		g_object_unref(cleanup->task);
	}
	g_ptr_array_unref(cleanup->paths);
	g_object_unref(cleanup->self);
	g_free(cleanup);
}

static void
cleanup_step(Cleanup *cleanup)
{
	g_autoptr(GTask) thread = NULL;

	if (--cleanup->pending > 0)
		return;
	thread = g_task_new(NULL, NULL, cleanup_done_cb, cleanup);
	g_task_set_task_data(thread, cleanup, NULL);
	g_task_run_in_thread(thread, cleanup_thread);
}

static void
cancelled_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GError) error = NULL;

	if (!vf_job_queue_cancel_finish(VF_JOB_QUEUE(source), result, &error))
		g_warning("cancelling a job: %s", error->message);
	cleanup_step(user_data);
}

/* main thread: stops the jobs' workers, then removes the paths in a thread */
static void
cleanup_start(VfCatalogService *self, GPtrArray *jobs, GPtrArray *paths, GTask *task)
{
	Cleanup *cleanup = g_new0(Cleanup, 1);

	cleanup->self = g_object_ref(self);
	cleanup->paths = g_ptr_array_ref(paths);
	cleanup->task = task;
	cleanup->pending = jobs->len + 1;
	for (guint i = 0; i < jobs->len; i++) {
		VfCatalogJobRow *job = g_ptr_array_index(jobs, i);
		g_hash_table_remove(self->progress_written, &job->id);
		vf_job_queue_cancel_async(self->queue, job->id, NULL, cancelled_cb, cleanup);
	}
	cleanup_step(cleanup);
}

/* main thread, after the database has the new state */
static void
emit_state(VfCatalogService *self,
	   gint64 job_id,
	   gint64 video_id,
	   const gchar *state,
	   const gchar *message)
{
	if (g_str_equal(state, "queued") || g_str_equal(state, "running"))
		g_hash_table_replace(self->job_videos,
				     g_memdup2(&job_id, sizeof(gint64)),
				     g_memdup2(&video_id, sizeof(gint64)));
	else
		g_hash_table_remove(self->job_videos, &job_id);
	g_signal_emit(self,
		      signals[SIGNAL_JOB_STATE_CHANGED],
		      0,
		      job_id,
		      video_id,
		      state,
		      message != NULL ? message : "");
}

static void
emit_jobs(VfCatalogService *self, GPtrArray *jobs, const gchar *state, const gchar *message)
{
	for (guint i = 0; i < jobs->len; i++) {
		VfCatalogJobRow *job = g_ptr_array_index(jobs, i);
		emit_state(self, job->id, job->video_id, state, message);
	}
}

static void
submit_jobs(VfCatalogService *self, GPtrArray *jobs)
{
	for (guint i = 0; i < jobs->len; i++) {
		g_autoptr(VfJob) job = job_for_queue(g_ptr_array_index(jobs, i));
		g_autoptr(GError) error = NULL;
		g_hash_table_replace(self->job_videos,
				     g_memdup2(&job->job_id, sizeof(gint64)),
				     g_memdup2(&job->video_id, sizeof(gint64)));
		/* it stays queued in the database: the next start submits it again */
		if (!vf_job_queue_submit(self->queue, job, &error))
			g_warning("job %" G_GINT64_FORMAT ": %s", job->job_id, error->message);
	}
}

/* ---- list and get ---- */

static void
list_videos_thread(VfCatalogService *self,
		   Request *request,
		   GCancellable *cancellable,
		   GError **error)
{
	g_autoptr(VfDbConnection) connection = vf_db_pool_acquire(self->pool, cancellable, error);
	if (connection != NULL)
		request->result = vf_catalog_store_list_videos(connection, error);
}

static void
return_list(VfCatalogService *self, GTask *task, Request *request)
{
	/* nothing changed while the query ran: later lists can share this one */
	if (request->list_serial == self->list_serial) {
		g_clear_pointer(&self->list_cache, g_ptr_array_unref);
		self->list_cache = g_ptr_array_ref(request->result);
		self->list_cache_serial = request->list_serial;
	}
	g_task_return_pointer(
	    task, g_steal_pointer(&request->result), (GDestroyNotify)g_ptr_array_unref);
	g_object_unref(task);
}

void
vf_catalog_service_list_videos_async(VfCatalogService *self,
				     GCancellable *cancellable,
				     GAsyncReadyCallback callback,
				     gpointer user_data)
{
	GTask *task = g_task_new(self, cancellable, callback, user_data);
	Request *request;

	g_return_if_fail(VF_IS_CATALOG_SERVICE(self));
	g_task_set_source_tag(task, vf_catalog_service_list_videos_async);
	if (self->list_cache != NULL && self->list_cache_serial == self->list_serial) {
		/* shared and read-only: callers only read the videos */
		g_task_return_pointer(
		    task, g_ptr_array_ref(self->list_cache), (GDestroyNotify)g_ptr_array_unref);
		g_object_unref(task);
		return;
	}
	request = request_new();
	request->list_serial = self->list_serial;
	g_task_set_task_data(task, request, (GDestroyNotify)request_free);
	run_request(self, task, list_videos_thread, return_list);
}

GPtrArray *
vf_catalog_service_list_videos_finish(VfCatalogService *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}

static void
get_video_thread(VfCatalogService *self,
		 Request *request,
		 GCancellable *cancellable,
		 GError **error)
{
	g_autoptr(VfDbConnection) connection = vf_db_pool_acquire(self->pool, cancellable, error);
	GError *local_error = NULL;

	if (connection == NULL)
		return;
	request->video = vf_catalog_store_get_video(connection, request->video_id, &local_error);
	if (local_error != NULL)
		g_propagate_error(error, local_error);
	else if (request->video == NULL)
		g_set_error_literal(error, VF_ERROR, VF_ERROR_NOT_FOUND, "Not found.");
}

/* a committed change: memory, queue and listeners follow the database */
static void
apply_request(VfCatalogService *self, Request *request)
{
	apply_row(self, request->row);
	apply_counts(self, request->counts, request->counts_serial);
	submit_jobs(self, request->submit);
	emit_jobs(self, request->cancel, "cancelled", NULL);
	emit_jobs(self, request->submit, "queued", NULL);
	if (request->submit->len > 0)
		request->job_id = ((VfCatalogJobRow *)g_ptr_array_index(request->submit,
									request->submit->len - 1))
				      ->id;
	if (request->cancel->len > 0 || request->after_cancel->len > 0)
		cleanup_start(self, request->cancel, request->after_cancel, NULL);
}

static void
return_video(VfCatalogService *self, GTask *task, Request *request)
{
	apply_request(self, request);
	g_task_return_pointer(
	    task, g_steal_pointer(&request->video), (GDestroyNotify)vf_catalog_video_free);
	g_object_unref(task);
}

void
vf_catalog_service_get_video_async(VfCatalogService *self,
				   gint64 video_id,
				   GCancellable *cancellable,
				   GAsyncReadyCallback callback,
				   gpointer user_data)
{
	GTask *task = g_task_new(self, cancellable, callback, user_data);
	Request *request = request_new();

	g_return_if_fail(VF_IS_CATALOG_SERVICE(self));
	g_task_set_source_tag(task, vf_catalog_service_get_video_async);
	request->video_id = video_id;
	g_task_set_task_data(task, request, (GDestroyNotify)request_free);
	run_request(self, task, get_video_thread, return_video);
}

VfCatalogVideo *
vf_catalog_service_get_video_finish(VfCatalogService *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}

/* ---- create ---- */

/* moves the upload's files into place (names into *video and *thumbnail); on failure
 * removes whatever of them remains */
static gboolean
place_upload(VfCatalogService *self,
	     VfCatalogUpload *upload,
	     gchar **video,
	     gint64 *size,
	     gchar **thumbnail,
	     GError **error)
{
	g_autofree gchar *sources = g_build_filename(self->media_root, "sources", NULL);
	g_autofree gchar *thumbnails = g_build_filename(self->media_root, "thumbnails", NULL);

	if (upload->video_path != NULL &&
	    !vf_catalog_files_place(
		upload->video_path, sources, upload->video_ext, video, size, error)) {
		vf_files_remove_tree(upload->video_path);
		vf_files_remove_tree(upload->thumbnail_path);
		return FALSE;
	}
	if (upload->thumbnail_path != NULL && !vf_catalog_files_place(upload->thumbnail_path,
								      thumbnails,
								      upload->thumbnail_ext,
								      thumbnail,
								      NULL,
								      error)) {
		vf_files_remove_tree(upload->thumbnail_path);
		if (*video != NULL) {
			g_autofree gchar *placed = source_path(self, *video);
			vf_files_remove_tree(placed);
		}
		return FALSE;
	}
	return TRUE;
}

static void
unplace(VfCatalogService *self, const gchar *video, const gchar *thumbnail)
{
	g_autofree gchar *video_file = source_path(self, video);
	g_autofree gchar *thumbnail_file = thumbnail_path(self, thumbnail);
	vf_files_remove_tree(video_file);
	vf_files_remove_tree(thumbnail_file);
}

static void
create_thread(VfCatalogService *self, Request *request, GCancellable *cancellable, GError **error)
{
	VfCatalogUpload *upload = &request->upload;
	g_autofree gchar *video = NULL;
	g_autofree gchar *thumbnail = NULL;
	g_autofree gchar *generate = NULL;
	g_autoptr(VfDbConnection) connection = NULL;
	VfCatalogJobRow *job;
	gint64 size = 0;
	gint64 video_id;

	if (!place_upload(self, upload, &video, &size, &thumbnail, error))
		return;
	connection = vf_db_pool_acquire(self->pool, NULL, error);
	if (connection == NULL || !vf_db_connection_begin(connection, error)) {
		unplace(self, video, thumbnail);
		return;
	}
	video_id = vf_catalog_store_insert_video(connection,
						 upload->title,
						 upload->description,
						 upload->category,
						 video,
						 size,
						 thumbnail,
						 FALSE,
						 error);
	if (thumbnail == NULL)
		generate = vf_catalog_files_random_name("jpg");
	job = video_id > 0 ? vf_catalog_store_insert_job(
				 connection, video_id, video, generate, self->max_attempts, error)
			   : NULL;
	if (job != NULL)
		g_ptr_array_add(request->submit, job);
	if (job == NULL ||
	    (request->row = vf_catalog_store_get_row(connection, video_id, FALSE, error)) == NULL ||
	    !vf_db_connection_commit(connection, error)) {
		vf_db_connection_rollback(connection);
		g_ptr_array_set_size(request->submit, 0);
		unplace(self, video, thumbnail);
		if (error != NULL && *error == NULL)
			g_set_error_literal(error, VF_ERROR, VF_ERROR_INTERNAL, "video vanished");
		return;
	}
	request->video = vf_catalog_store_get_video(connection, video_id, error);
	request->counts = take_counts(self, connection, &request->counts_serial);
	g_info("video %" G_GINT64_FORMAT ": created, job %" G_GINT64_FORMAT " queued",
	       video_id,
	       job->id);
}

void
vf_catalog_service_create_video_async(VfCatalogService *self,
				      VfCatalogUpload *upload,
				      GCancellable *cancellable,
				      GAsyncReadyCallback callback,
				      gpointer user_data)
{
	GTask *task = g_task_new(self, cancellable, callback, user_data);
	Request *request = request_new();

	g_return_if_fail(VF_IS_CATALOG_SERVICE(self));
	g_return_if_fail(upload != NULL);
	g_task_set_source_tag(task, vf_catalog_service_create_video_async);
	copy_upload(&request->upload, upload);
	g_task_set_task_data(task, request, (GDestroyNotify)request_free);
	if (upload->video_path == NULL) {
		vf_files_remove_tree(upload->thumbnail_path);
		g_task_return_new_error(
		    task, VF_ERROR, VF_ERROR_INVALID_INPUT, "a video file is required");
		g_object_unref(task);
		return;
	}
	run_request(self, task, create_thread, return_video);
}

VfCatalogVideo *
vf_catalog_service_create_video_finish(VfCatalogService *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}

/* ---- update ---- */

static gboolean
update_in_transaction(VfCatalogService *self,
		      VfDbConnection *connection,
		      Request *request,
		      const gchar *video,
		      gint64 size,
		      const gchar *thumbnail,
		      GPtrArray *now,
		      GError **error)
{
	VfCatalogUpload *upload = &request->upload;
	g_autoptr(VfCatalogRow) row = NULL;
	g_autoptr(GPtrArray) cancelled = NULL;
	g_autofree gchar *generate = NULL;
	VfCatalogJobRow *job;
	GError *local_error = NULL;

	row = vf_catalog_store_get_row(connection, request->video_id, TRUE, &local_error);
	if (row == NULL) {
		if (local_error == NULL)
			local_error =
			    g_error_new_literal(VF_ERROR, VF_ERROR_NOT_FOUND, "Not found.");
		g_propagate_error(error, local_error);
		return FALSE;
	}
	if (!vf_catalog_store_update_metadata(connection,
					      request->video_id,
					      upload->title,
					      upload->description,
					      upload->category,
					      error))
		return FALSE;
	if (thumbnail != NULL) {
		add_path(now, thumbnail_path(self, row->thumbnail));
		if (!vf_catalog_store_set_thumbnail(
			connection, request->video_id, thumbnail, FALSE, error))
			return FALSE;
	}
	if (video == NULL)
		return TRUE;

	/* a newer upload replaces the job still working on an older one */
	cancelled = vf_catalog_store_cancel_active_jobs(connection, request->video_id, error);
	if (cancelled == NULL)
		return FALSE;
	for (guint i = 0; i < cancelled->len; i++) {
		VfCatalogJobRow *old = g_ptr_array_index(cancelled, i);
		add_job_outputs(self, request->after_cancel, old);
		if (g_strcmp0(old->source, row->source) != 0)
			add_path(request->after_cancel, source_path(self, old->source));
	}
	g_ptr_array_extend_and_steal(request->cancel, g_steal_pointer(&cancelled));
	if (row->current_generation == 0) {
		/* nothing plays yet: the old source is of no more use */
		add_path(request->after_cancel, source_path(self, row->source));
		if (!vf_catalog_store_set_source(
			connection, request->video_id, video, size, error) ||
		    !vf_catalog_store_set_status(
			connection, request->video_id, "pending", NULL, error))
			return FALSE;
	}
	if (thumbnail == NULL && (row->thumbnail == NULL || row->thumbnail_generated))
		generate = vf_catalog_files_random_name("jpg");
	job = vf_catalog_store_insert_job(
	    connection, request->video_id, video, generate, self->max_attempts, error);
	if (job == NULL)
		return FALSE;
	g_ptr_array_add(request->submit, job);
	return TRUE;
}

static void
update_thread(VfCatalogService *self, Request *request, GCancellable *cancellable, GError **error)
{
	g_autofree gchar *video = NULL;
	g_autofree gchar *thumbnail = NULL;
	g_autoptr(VfDbConnection) connection = NULL;
	g_autoptr(GPtrArray) now = g_ptr_array_new_with_free_func(g_free);
	gint64 size = 0;

	if (!place_upload(self, &request->upload, &video, &size, &thumbnail, error))
		return;
	connection = vf_db_pool_acquire(self->pool, NULL, error);
	if (connection == NULL || !vf_db_connection_begin(connection, error)) {
		unplace(self, video, thumbnail);
		return;
	}
	if (!update_in_transaction(self, connection, request, video, size, thumbnail, now, error) ||
	    (request->row =
		 vf_catalog_store_get_row(connection, request->video_id, FALSE, error)) == NULL ||
	    !vf_db_connection_commit(connection, error)) {
		vf_db_connection_rollback(connection);
		g_ptr_array_set_size(request->submit, 0);
		g_ptr_array_set_size(request->cancel, 0);
		g_ptr_array_set_size(request->after_cancel, 0);
		unplace(self, video, thumbnail);
		if (error != NULL && *error == NULL)
			g_set_error_literal(error, VF_ERROR, VF_ERROR_NOT_FOUND, "Not found.");
		return;
	}
	remove_paths(now);
	request->video = vf_catalog_store_get_video(connection, request->video_id, error);
	request->counts = take_counts(self, connection, &request->counts_serial);
}

void
vf_catalog_service_update_video_async(VfCatalogService *self,
				      gint64 video_id,
				      VfCatalogUpload *upload,
				      GCancellable *cancellable,
				      GAsyncReadyCallback callback,
				      gpointer user_data)
{
	GTask *task = g_task_new(self, cancellable, callback, user_data);
	Request *request = request_new();

	g_return_if_fail(VF_IS_CATALOG_SERVICE(self));
	g_return_if_fail(upload != NULL);
	g_task_set_source_tag(task, vf_catalog_service_update_video_async);
	request->video_id = video_id;
	copy_upload(&request->upload, upload);
	g_task_set_task_data(task, request, (GDestroyNotify)request_free);
	run_request(self, task, update_thread, return_video);
}

VfCatalogVideo *
vf_catalog_service_update_video_finish(VfCatalogService *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}

/* ---- delete ---- */

static void
delete_thread(VfCatalogService *self, Request *request, GCancellable *cancellable, GError **error)
{
	g_autoptr(VfDbConnection) connection = vf_db_pool_acquire(self->pool, NULL, error);
	g_autoptr(VfCatalogRow) row = NULL;
	g_autoptr(GPtrArray) jobs = NULL;
	GError *local_error = NULL;

	if (connection == NULL || !vf_db_connection_begin(connection, error))
		return;
	row = vf_catalog_store_get_row(connection, request->video_id, TRUE, &local_error);
	if (row == NULL) {
		vf_db_connection_rollback(connection);
		if (local_error == NULL)
			local_error =
			    g_error_new_literal(VF_ERROR, VF_ERROR_NOT_FOUND, "Not found.");
		g_propagate_error(error, local_error);
		return;
	}
	jobs = vf_catalog_store_delete_video(connection, request->video_id, error);
	if (jobs == NULL || !vf_db_connection_commit(connection, error)) {
		vf_db_connection_rollback(connection);
		return;
	}
	for (guint i = 0; i < jobs->len; i++) {
		VfCatalogJobRow *job = g_ptr_array_index(jobs, i);
		add_job_outputs(self, request->after_cancel, job);
		add_path(request->after_cancel, source_path(self, job->source));
		if (g_str_equal(job->state, "queued") || g_str_equal(job->state, "running"))
			g_ptr_array_add(request->cancel, g_steal_pointer(&jobs->pdata[i]));
	}
	add_path(request->after_cancel, source_path(self, row->source));
	add_path(request->after_cancel, thumbnail_path(self, row->thumbnail));
	add_path(request->after_cancel, video_hls_path(self, request->video_id));
	request->counts = take_counts(self, connection, &request->counts_serial);
	g_info("video %" G_GINT64_FORMAT ": deleted", request->video_id);
}

static void
delete_main(VfCatalogService *self, GTask *task, Request *request)
{
	forget_video(self, request->video_id);
	apply_counts(self, request->counts, request->counts_serial);
	emit_jobs(self, request->cancel, "cancelled", NULL);
	/* the answer waits until the workers stopped and the files are gone */
	cleanup_start(self, request->cancel, request->after_cancel, task);
}

void
vf_catalog_service_delete_video_async(VfCatalogService *self,
				      gint64 video_id,
				      GCancellable *cancellable,
				      GAsyncReadyCallback callback,
				      gpointer user_data)
{
	GTask *task = g_task_new(self, cancellable, callback, user_data);
	Request *request = request_new();

	g_return_if_fail(VF_IS_CATALOG_SERVICE(self));
	g_task_set_source_tag(task, vf_catalog_service_delete_video_async);
	request->video_id = video_id;
	g_task_set_task_data(task, request, (GDestroyNotify)request_free);
	run_request(self, task, delete_thread, delete_main);
}

gboolean
vf_catalog_service_delete_video_finish(VfCatalogService *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), FALSE);
	return g_task_propagate_boolean(G_TASK(result), error);
}

/* ---- jobs ---- */

static void
list_jobs_thread(VfCatalogService *self,
		 Request *request,
		 GCancellable *cancellable,
		 GError **error)
{
	g_autoptr(VfDbConnection) connection = vf_db_pool_acquire(self->pool, cancellable, error);
	if (connection != NULL)
		request->result = vf_catalog_store_list_jobs(connection, JOBS_LIST_LIMIT, error);
}

void
vf_catalog_service_list_jobs_async(VfCatalogService *self,
				   GCancellable *cancellable,
				   GAsyncReadyCallback callback,
				   gpointer user_data)
{
	GTask *task = g_task_new(self, cancellable, callback, user_data);

	g_return_if_fail(VF_IS_CATALOG_SERVICE(self));
	g_task_set_source_tag(task, vf_catalog_service_list_jobs_async);
	g_task_set_task_data(task, request_new(), (GDestroyNotify)request_free);
	run_request(self, task, list_jobs_thread, return_list);
}

GPtrArray *
vf_catalog_service_list_jobs_finish(VfCatalogService *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}

/* ---- retry and cancel ---- */

static VfCatalogJobRow *lock_job(VfDbConnection *connection, gint64 job_id, GError **error);
static gboolean is_active(const VfCatalogJobRow *job);

/* the job and its video, both locked; NOT_FOUND when either is gone */
static gboolean
lock_job_and_video(VfDbConnection *connection,
		   gint64 job_id,
		   VfCatalogJobRow **job,
		   VfCatalogRow **row,
		   GError **error)
{
	GError *local_error = NULL;

	*job = lock_job(connection, job_id, &local_error);
	if (*job != NULL)
		*row = vf_catalog_store_get_row(connection, (*job)->video_id, TRUE, &local_error);
	if (local_error != NULL) {
		g_propagate_error(error, local_error);
		return FALSE;
	}
	if (*job == NULL || *row == NULL) {
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_NOT_FOUND,
			    "There is no job %" G_GINT64_FORMAT ".",
			    job_id);
		return FALSE;
	}
	return TRUE;
}

static gboolean
retry_in_transaction(VfCatalogService *self,
		     VfDbConnection *connection,
		     Request *request,
		     GError **error)
{
	g_autoptr(VfCatalogJobRow) old = NULL;
	g_autoptr(VfCatalogRow) row = NULL;
	g_autofree gchar *source = NULL;
	g_autofree gchar *generate = NULL;
	VfCatalogJobRow *job;
	gint64 active = 0;

	if (!lock_job_and_video(connection, request->video_id, &old, &row, error))
		return FALSE;
	if (!g_str_equal(old->state, "failed") && !g_str_equal(old->state, "cancelled")) {
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_INVALID_INPUT,
			    "Job %" G_GINT64_FORMAT " is %s: only a failed or cancelled job can be "
			    "retried.",
			    old->id,
			    old->state);
		return FALSE;
	}
	if (!vf_catalog_store_find_active_job(connection, old->video_id, &active, error))
		return FALSE;
	if (active != 0) {
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_INVALID_INPUT,
			    "Video %" G_GINT64_FORMAT " already has job %" G_GINT64_FORMAT
			    " queued or running.",
			    old->video_id,
			    active);
		return FALSE;
	}
	source = source_path(self, old->source);
	if (!g_file_test(source, G_FILE_TEST_IS_REGULAR)) {
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_INVALID_INPUT,
			    "The source of job %" G_GINT64_FORMAT
			    " is no longer there; add the video again.",
			    old->id);
		return FALSE;
	}
	if (row->thumbnail == NULL || row->thumbnail_generated)
		generate = vf_catalog_files_random_name("jpg");
	job = vf_catalog_store_insert_job(
	    connection, old->video_id, old->source, generate, self->max_attempts, error);
	if (job == NULL)
		return FALSE;
	g_ptr_array_add(request->submit, job);
	if (row->current_generation == 0 &&
	    !vf_catalog_store_set_status(connection, old->video_id, "pending", NULL, error))
		return FALSE;
	request->row = vf_catalog_store_get_row(connection, old->video_id, FALSE, error);
	return request->row != NULL;
}

static gboolean
cancel_in_transaction(VfCatalogService *self,
		      VfDbConnection *connection,
		      Request *request,
		      GError **error)
{
	g_autoptr(VfCatalogJobRow) job = NULL;
	g_autoptr(VfCatalogRow) row = NULL;

	if (!lock_job_and_video(connection, request->video_id, &job, &row, error))
		return FALSE;
	if (!is_active(job)) {
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_INVALID_INPUT,
			    "Job %" G_GINT64_FORMAT " is %s: only a queued or running job can be "
			    "cancelled.",
			    job->id,
			    job->state);
		return FALSE;
	}
	if (!vf_catalog_store_finish_job(
		connection, job->id, "cancelled", "cancelled", NULL, error))
		return FALSE;
	/* a video with a ladder keeps playing it; one without has nothing left to show */
	if (row->current_generation == 0 &&
	    !vf_catalog_store_set_status(connection, job->video_id, "failed", "cancelled", error))
		return FALSE;
	add_job_outputs(self, request->after_cancel, job);
	if (g_strcmp0(job->source, row->source) != 0)
		add_path(request->after_cancel, source_path(self, job->source));
	request->row = vf_catalog_store_get_row(connection, job->video_id, FALSE, error);
	if (request->row == NULL)
		return FALSE;
	g_ptr_array_add(request->cancel, g_steal_pointer(&job));
	return TRUE;
}

typedef gboolean (*TransactionFunc)(VfCatalogService *self,
				    VfDbConnection *connection,
				    Request *request,
				    GError **error);

static void
job_thread(VfCatalogService *self,
	   Request *request,
	   TransactionFunc func,
	   GCancellable *cancellable,
	   GError **error)
{
	g_autoptr(VfDbConnection) connection = vf_db_pool_acquire(self->pool, cancellable, error);

	if (connection == NULL || !vf_db_connection_begin(connection, error))
		return;
	if (!func(self, connection, request, error) ||
	    !vf_db_connection_commit(connection, error)) {
		vf_db_connection_rollback(connection);
		g_ptr_array_set_size(request->submit, 0);
		g_ptr_array_set_size(request->cancel, 0);
		g_ptr_array_set_size(request->after_cancel, 0);
		g_clear_pointer(&request->row, vf_catalog_row_free);
		return;
	}
	request->counts = take_counts(self, connection, &request->counts_serial);
}

static void
retry_thread(VfCatalogService *self, Request *request, GCancellable *cancellable, GError **error)
{
	job_thread(self, request, retry_in_transaction, cancellable, error);
}

static void
cancel_thread(VfCatalogService *self, Request *request, GCancellable *cancellable, GError **error)
{
	job_thread(self, request, cancel_in_transaction, cancellable, error);
}

static void
return_job(VfCatalogService *self, GTask *task, Request *request)
{
	apply_request(self, request);
	g_task_return_boolean(task, TRUE);
	g_object_unref(task);
}

static void
cancel_main(VfCatalogService *self, GTask *task, Request *request)
{
	apply_row(self, request->row);
	apply_counts(self, request->counts, request->counts_serial);
	emit_jobs(self, request->cancel, "cancelled", NULL);
	/* the answer waits until the worker stopped and the partial output is gone */
	cleanup_start(self, request->cancel, request->after_cancel, task);
}

void
vf_catalog_service_retry_job_async(VfCatalogService *self,
				   gint64 job_id,
				   GCancellable *cancellable,
				   GAsyncReadyCallback callback,
				   gpointer user_data)
{
	GTask *task = g_task_new(self, cancellable, callback, user_data);
	Request *request = request_new();

	g_return_if_fail(VF_IS_CATALOG_SERVICE(self));
	g_task_set_source_tag(task, vf_catalog_service_retry_job_async);
	request->video_id = job_id; /* the job's, in this request */
	g_task_set_task_data(task, request, (GDestroyNotify)request_free);
	run_request(self, task, retry_thread, return_job);
}

gint64
vf_catalog_service_retry_job_finish(VfCatalogService *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), 0);
	if (!g_task_propagate_boolean(G_TASK(result), error))
		return 0;
	return vf_catalog_service_get_result_job_id(result);
}

void
vf_catalog_service_cancel_job_async(VfCatalogService *self,
				    gint64 job_id,
				    GCancellable *cancellable,
				    GAsyncReadyCallback callback,
				    gpointer user_data)
{
	GTask *task = g_task_new(self, cancellable, callback, user_data);
	Request *request = request_new();

	g_return_if_fail(VF_IS_CATALOG_SERVICE(self));
	g_task_set_source_tag(task, vf_catalog_service_cancel_job_async);
	request->video_id = job_id; /* the job's, in this request */
	g_task_set_task_data(task, request, (GDestroyNotify)request_free);
	run_request(self, task, cancel_thread, cancel_main);
}

gboolean
vf_catalog_service_cancel_job_finish(VfCatalogService *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), FALSE);
	return g_task_propagate_boolean(G_TASK(result), error);
}

gint64
vf_catalog_service_get_result_job_id(GAsyncResult *result)
{
	Request *request = g_task_get_task_data(G_TASK(result));
	return request != NULL ? request->job_id : 0;
}

const VfConfig *
vf_catalog_service_get_config(VfCatalogService *self)
{
	return self->config;
}

/* ---- job events (one thread, in order) ---- */

typedef enum {
	EVENT_STARTED,
	EVENT_PROGRESS,
	EVENT_RETRYING,
	EVENT_COMPLETED,
	EVENT_FAILED,
} EventKind;

typedef struct {
	VfCatalogService *self; /* ref */
	EventKind kind;
	gint64 job_id;
	gint attempt;
	gchar *text; /* node or message */
	gdouble progress;
	gdouble speed;
	gboolean write; /* a progress event the database should record */
	JsonNode *result;
	/* results */
	gint64 video_id;
	const gchar *state; /* the job's new state once committed, else NULL */
	VfCatalogRow *row;
	GHashTable *counts;
	gint64 counts_serial;
	gdouble seconds;
} Event;

static void
event_free(gpointer data)
{
	Event *event = data;
	g_free(event->text);
	g_clear_pointer(&event->result, json_node_unref);
	g_clear_pointer(&event->row, vf_catalog_row_free);
	g_clear_pointer(&event->counts, g_hash_table_unref);
	g_object_unref(event->self);
	g_free(event);
}

static gboolean
event_applied_cb(gpointer data)
{
	Event *event = data;
	VfCatalogService *self = event->self;

	gint64 *video_id = g_hash_table_lookup(self->job_videos, &event->job_id);

	apply_row(self, event->row);
	apply_counts(self, event->counts, event->counts_serial);
	self->transcode_seconds += event->seconds;
	if (event->state != NULL)
		emit_state(self,
			   event->job_id,
			   event->video_id,
			   event->state,
			   g_str_equal(event->state, "failed") ? event->text : NULL);
	else if (event->kind == EVENT_RETRYING && video_id != NULL)
		emit_state(self, event->job_id, *video_id, "queued", event->text);
	else if (event->kind == EVENT_PROGRESS && video_id != NULL)
		g_signal_emit(self,
			      signals[SIGNAL_JOB_PROGRESS],
			      0,
			      event->job_id,
			      *video_id,
			      event->progress,
			      event->speed);
	return G_SOURCE_REMOVE;
}

/* the video's row first, then the job's: the order of every other transaction */
static VfCatalogJobRow *
lock_job(VfDbConnection *connection, gint64 job_id, GError **error)
{
	g_autofree gchar *id = g_strdup_printf("%" G_GINT64_FORMAT, job_id);
	const gchar *params[] = {id};
	g_autoptr(PGresult) result = vf_db_connection_exec(
	    connection,
	    "SELECT id FROM videos WHERE id = (SELECT video_id FROM jobs WHERE id = $1) FOR UPDATE",
	    1,
	    params,
	    error);

	if (result == NULL || PQntuples(result) == 0)
		return NULL;
	return vf_catalog_store_lock_job(connection, job_id, error);
}

static gboolean
is_active(const VfCatalogJobRow *job)
{
	return g_str_equal(job->state, "queued") || g_str_equal(job->state, "running");
}

static gboolean
handle_started(VfCatalogService *self, VfDbConnection *connection, Event *event, GError **error)
{
	g_autoptr(VfCatalogJobRow) job = lock_job(connection, event->job_id, error);
	g_autoptr(VfCatalogRow) row = NULL;

	if (job == NULL || !is_active(job))
		return error == NULL || *error == NULL;
	if (!vf_catalog_store_job_started(
		connection, event->job_id, event->attempt, event->text, error))
		return FALSE;
	row = vf_catalog_store_get_row(connection, job->video_id, TRUE, error);
	if (row != NULL && row->current_generation == 0 &&
	    !g_str_equal(row->status, "processing") &&
	    !vf_catalog_store_set_status(connection, job->video_id, "processing", NULL, error))
		return FALSE;
	event->row = vf_catalog_store_get_row(connection, job->video_id, FALSE, error);
	event->video_id = job->video_id;
	event->state = "running";
	return error == NULL || *error == NULL;
}

static gboolean
handle_failed(VfCatalogService *self,
	      VfDbConnection *connection,
	      Event *event,
	      GPtrArray *paths,
	      GError **error)
{
	g_autoptr(VfCatalogJobRow) job = lock_job(connection, event->job_id, error);
	g_autoptr(VfCatalogRow) row = NULL;

	if (job == NULL || !is_active(job))
		return error == NULL || *error == NULL;
	row = vf_catalog_store_get_row(connection, job->video_id, TRUE, error);
	if (row == NULL)
		return FALSE;
	if (!vf_catalog_store_finish_job(connection, job->id, "failed", event->text, NULL, error))
		return FALSE;
	/* a replaced video keeps its ladder (and stays ready); it only records the error */
	if (!vf_catalog_store_set_status(connection,
					 job->video_id,
					 row->current_generation == 0 ? "failed" : row->status,
					 event->text,
					 error))
		return FALSE;
	if (row->current_generation != 0 && g_strcmp0(row->source, job->source) != 0)
		add_path(paths, source_path(self, job->source));
	add_job_outputs(self, paths, job);
	event->row = vf_catalog_store_get_row(connection, job->video_id, FALSE, error);
	event->video_id = job->video_id;
	event->state = "failed";
	g_info("video %" G_GINT64_FORMAT ": job %" G_GINT64_FORMAT " failed: %s",
	       job->video_id,
	       job->id,
	       event->text);
	return event->row != NULL;
}

static gchar **
rendition_names(JsonNode *completed, gdouble *duration)
{
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	JsonObject *object;
	JsonNode *result;
	JsonNode *renditions;

	*duration = -1.0;
	if (completed == NULL || !JSON_NODE_HOLDS_OBJECT(completed))
		return NULL;
	object = json_node_get_object(completed);
	result = json_object_get_member(object, "result");
	if (result == NULL || !JSON_NODE_HOLDS_OBJECT(result))
		return NULL;
	*duration = json_object_get_double_member_with_default(
	    json_node_get_object(result), "duration", -1.0);
	renditions = json_object_get_member(json_node_get_object(result), "renditions");
	if (renditions == NULL || !JSON_NODE_HOLDS_ARRAY(renditions))
		return NULL;
	for (guint i = 0; i < json_array_get_length(json_node_get_array(renditions)); i++) {
		JsonNode *item = json_array_get_element(json_node_get_array(renditions), i);
		const gchar *name;
		if (!JSON_NODE_HOLDS_OBJECT(item))
			return NULL;
		name = json_object_get_string_member_with_default(
		    json_node_get_object(item), "name", NULL);
		if (name == NULL)
			return NULL;
		g_ptr_array_add(names, g_strdup(name));
	}
	if (names->len == 0)
		return NULL;
	g_ptr_array_add(names, NULL);
	return (gchar **)g_ptr_array_free(g_steal_pointer(&names), FALSE);
}

static gboolean
handle_completed(VfCatalogService *self,
		 VfDbConnection *connection,
		 Event *event,
		 GPtrArray *paths,
		 GError **error)
{
	g_autoptr(VfCatalogJobRow) job = lock_job(connection, event->job_id, error);
	g_autoptr(VfCatalogRow) row = NULL;
	g_auto(GStrv) names = NULL;
	g_autofree gchar *folder = NULL;
	g_autofree gchar *master = NULL;
	gboolean thumbnail_written;
	gdouble duration;

	if (job == NULL || !is_active(job)) {
		/* deleted or replaced meanwhile: what it wrote is nobody's */
		if (job != NULL && !g_str_equal(job->state, "succeeded"))
			add_job_outputs(self, paths, job);
		return error == NULL || *error == NULL;
	}
	folder = generation_path(self, job->video_id, job->generation);
	master = g_build_filename(folder, "master.m3u8", NULL);
	names = rendition_names(event->result, &duration);
	if (names == NULL || !g_file_test(master, G_FILE_TEST_IS_REGULAR)) {
		g_free(event->text);
		event->text = g_strdup("the worker reported an incomplete ladder");
		return handle_failed(self, connection, event, paths, error);
	}
	row = vf_catalog_store_get_row(connection, job->video_id, TRUE, error);
	if (row == NULL)
		return FALSE;
	thumbnail_written =
	    json_object_has_member(json_node_get_object(event->result), "thumbnail");
	if (job->thumbnail != NULL) {
		if (thumbnail_written && (row->thumbnail == NULL || row->thumbnail_generated)) {
			add_path(paths, thumbnail_path(self, row->thumbnail));
			if (!vf_catalog_store_set_thumbnail(
				connection, job->video_id, job->thumbnail, TRUE, error))
				return FALSE;
		} else {
			/* an uploaded thumbnail wins over a generated one */
			add_path(paths, thumbnail_path(self, job->thumbnail));
		}
	}
	if (g_strcmp0(row->source, job->source) != 0)
		add_path(paths, source_path(self, row->source));
	if (row->current_generation != 0 && row->current_generation != job->generation)
		add_path(paths, generation_path(self, job->video_id, row->current_generation));
	if (!vf_catalog_store_publish(connection,
				      job->video_id,
				      job->generation,
				      (const gchar *const *)names,
				      duration,
				      job->source,
				      error) ||
	    !vf_catalog_store_finish_job(
		connection, job->id, "succeeded", NULL, &event->seconds, error))
		return FALSE;
	event->row = vf_catalog_store_get_row(connection, job->video_id, FALSE, error);
	event->video_id = job->video_id;
	event->state = "succeeded";
	g_info("video %" G_GINT64_FORMAT ": generation %" G_GINT64_FORMAT " is ready",
	       job->video_id,
	       job->generation);
	return event->row != NULL;
}

static void
event_thread(gpointer data, gpointer user_data)
{
	Event *event = data;
	VfCatalogService *self = event->self;
	g_autoptr(GError) error = NULL;
	g_autoptr(VfDbConnection) connection = vf_db_pool_acquire(self->pool, NULL, &error);
	g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
	GSource *source;
	gboolean ok = FALSE;

	if (connection == NULL) {
		g_warning("job %" G_GINT64_FORMAT ": %s", event->job_id, error->message);
		event_free(event);
		return;
	}
	switch (event->kind) {
	case EVENT_PROGRESS:
		ok = !event->write || vf_catalog_store_job_progress(
					  connection, event->job_id, event->progress, &error);
		break;
	case EVENT_RETRYING:
		ok = vf_catalog_store_job_retrying(connection, event->job_id, event->text, &error);
		break;
	case EVENT_STARTED:
	case EVENT_COMPLETED:
	case EVENT_FAILED:
		if (!vf_db_connection_begin(connection, &error))
			break;
		if (event->kind == EVENT_STARTED)
			ok = handle_started(self, connection, event, &error);
		else if (event->kind == EVENT_COMPLETED)
			ok = handle_completed(self, connection, event, paths, &error);
		else
			ok = handle_failed(self, connection, event, paths, &error);
		if (!ok || !vf_db_connection_commit(connection, &error)) {
			vf_db_connection_rollback(connection);
			g_ptr_array_set_size(paths, 0);
			g_clear_pointer(&event->row, vf_catalog_row_free);
			event->state = NULL;
			ok = FALSE;
		}
		break;
	}
	if (!ok) {
		g_warning("job %" G_GINT64_FORMAT ": recording an event: %s",
			  event->job_id,
			  error != NULL ? error->message : "unknown error");
	}
	/* files the committed state no longer references */
	remove_paths(paths);
	if (event->kind != EVENT_PROGRESS)
		event->counts = take_counts(self, connection, &event->counts_serial);
	/* an idle source, not g_main_context_invoke(): that would run it right here
	 * whenever the main thread is not iterating */
	source = g_idle_source_new();
	g_source_set_callback(source, event_applied_cb, event, event_free);
	g_source_attach(source, self->context);
	g_source_unref(source);
}

static Event *
event_new(VfCatalogService *self, EventKind kind, gint64 job_id)
{
	Event *event = g_new0(Event, 1);
	event->self = g_object_ref(self);
	event->kind = kind;
	event->job_id = job_id;
	return event;
}

static void
push_event(VfCatalogService *self, Event *event)
{
	g_thread_pool_push(self->events, event, NULL);
}

static void
job_started_cb(VfJobQueue *queue, gint64 job_id, gint attempt, const gchar *node, gpointer data)
{
	VfCatalogService *self = data;
	Event *event = event_new(self, EVENT_STARTED, job_id);

	event->attempt = attempt;
	event->text = g_strdup(node);
	push_event(self, event);
}

static void
job_progress_cb(VfJobQueue *queue, gint64 job_id, gdouble progress, gdouble speed, gpointer data)
{
	VfCatalogService *self = data;
	gint64 now = g_get_monotonic_time();
	gint64 *last = g_hash_table_lookup(self->progress_written, &job_id);
	Event *event;

	event = event_new(self, EVENT_PROGRESS, job_id);
	event->progress = progress;
	event->speed = speed;
	/* every update reaches the listeners (in order with the state changes), at most
	 * one per interval the database */
	event->write = last == NULL || now - *last >= PROGRESS_INTERVAL;
	if (event->write)
		g_hash_table_replace(self->progress_written,
				     g_memdup2(&job_id, sizeof(gint64)),
				     g_memdup2(&now, sizeof(gint64)));
	push_event(self, event);
}

static void
job_retrying_cb(VfJobQueue *queue, gint64 job_id, gint attempt, const gchar *message, gpointer data)
{
	VfCatalogService *self = data;
	Event *event = event_new(self, EVENT_RETRYING, job_id);

	event->attempt = attempt;
	event->text = g_strdup(message);
	push_event(self, event);
}

static void
job_completed_cb(VfJobQueue *queue, gint64 job_id, JsonNode *result, gpointer data)
{
	VfCatalogService *self = data;
	Event *event = event_new(self, EVENT_COMPLETED, job_id);

	g_hash_table_remove(self->progress_written, &job_id);
	event->result = result != NULL ? json_node_ref(result) : NULL;
	push_event(self, event);
}

static void
job_failed_cb(
    VfJobQueue *queue, gint64 job_id, const gchar *message, gboolean retryable, gpointer data)
{
	VfCatalogService *self = data;
	Event *event = event_new(self, EVENT_FAILED, job_id);

	g_hash_table_remove(self->progress_written, &job_id);
	event->text = g_strdup(message);
	push_event(self, event);
}

/* ---- start, ladder table, counts ---- */

gboolean
vf_catalog_service_start(VfCatalogService *self, GError **error)
{
	const gchar *folders[] = {"sources", "thumbnails", "hls"};
	g_autoptr(VfDbConnection) connection = NULL;
	g_autoptr(GPtrArray) jobs = NULL;
	g_autoptr(GPtrArray) rows = NULL;
	g_autoptr(GHashTable) counts = NULL;
	gint64 serial = 0;

	g_return_val_if_fail(VF_IS_CATALOG_SERVICE(self), FALSE);
	for (guint i = 0; i < G_N_ELEMENTS(folders); i++) {
		g_autofree gchar *path = g_build_filename(self->media_root, folders[i], NULL);
		if (g_mkdir_with_parents(path, 0755) != 0) {
			g_set_error(error,
				    VF_ERROR,
				    VF_ERROR_UNAVAILABLE,
				    "MEDIA_ROOT: cannot create %s: %s",
				    path,
				    g_strerror(errno));
			return FALSE;
		}
	}
	connection = vf_db_pool_acquire(self->pool, NULL, error);
	if (connection == NULL || !vf_db_connection_begin(connection, error))
		return FALSE;
	jobs = vf_catalog_store_requeue_jobs(connection, error);
	if (jobs == NULL || !vf_db_connection_commit(connection, error)) {
		vf_db_connection_rollback(connection);
		return FALSE;
	}
	rows = vf_catalog_store_list_rows(connection, error);
	if (rows == NULL)
		return FALSE;
	for (guint i = 0; i < rows->len; i++)
		apply_row(self, g_ptr_array_index(rows, i));
	counts = take_counts(self, connection, &serial);
	apply_counts(self, counts, serial);
	if (jobs->len > 0)
		g_message("re-queueing %u transcode job(s)", jobs->len);
	submit_jobs(self, jobs);
	return TRUE;
}

gchar *
vf_catalog_service_dup_ladder_dir(VfCatalogService *self,
				  gint64 video_id,
				  const gchar *resolution,
				  GError **error)
{
	Ladder *ladder;
	g_autofree gchar *folder = NULL;

	g_return_val_if_fail(VF_IS_CATALOG_SERVICE(self), NULL);
	ladder = g_hash_table_lookup(self->ladders, &video_id);
	if (ladder == NULL) {
		g_set_error_literal(error, VF_ERROR, VF_ERROR_NOT_FOUND, "Not found.");
		return NULL;
	}
	if (ladder->generation == 0 ||
	    (resolution != NULL &&
	     !g_strv_contains((const gchar *const *)ladder->resolutions, resolution))) {
		g_set_error_literal(error, VF_ERROR, VF_ERROR_NOT_FOUND, "Manifest not available");
		return NULL;
	}
	folder = generation_path(self, video_id, ladder->generation);
	if (resolution == NULL)
		return g_steal_pointer(&folder);
	return g_build_filename(folder, resolution, NULL);
}

GHashTable *
vf_catalog_service_dup_job_counts(VfCatalogService *self)
{
	const gchar *states[] = {"queued", "running", "succeeded", "failed", "cancelled"};
	GHashTable *counts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	gint64 depth;

	g_return_val_if_fail(VF_IS_CATALOG_SERVICE(self), counts);
	for (guint i = 0; i < G_N_ELEMENTS(states); i++) {
		gint64 *count =
		    self->counts != NULL ? g_hash_table_lookup(self->counts, states[i]) : NULL;
		gint64 value = count != NULL ? *count : 0;
		g_hash_table_insert(counts, g_strdup(states[i]), g_memdup2(&value, sizeof(value)));
	}
	depth = vf_job_queue_get_depth(self->queue);
	g_hash_table_insert(counts, g_strdup("queue_depth"), g_memdup2(&depth, sizeof(depth)));
	return counts;
}

gdouble
vf_catalog_service_get_transcode_seconds(VfCatalogService *self)
{
	g_return_val_if_fail(VF_IS_CATALOG_SERVICE(self), 0.0);
	return self->transcode_seconds;
}

void
vf_catalog_service_set_max_attempts(VfCatalogService *self, guint max_attempts)
{
	g_return_if_fail(VF_IS_CATALOG_SERVICE(self));
	self->max_attempts = MAX(max_attempts, 1);
}

static void
g_thread_pool_free_wait(GThreadPool *pool)
{
	g_thread_pool_free(pool, FALSE, TRUE);
}

/* ---- GObject ---- */

VfJobQueue *
vf_catalog_service_get_queue(VfCatalogService *self)
{
	g_return_val_if_fail(VF_IS_CATALOG_SERVICE(self), NULL);
	return self->queue;
}

VfCatalogService *
vf_catalog_service_new(const VfConfig *config, VfDbPool *pool, VfJobQueue *queue)
{
	VfCatalogService *self;

	g_return_val_if_fail(config != NULL && VF_IS_DB_POOL(pool) && VF_IS_JOB_QUEUE(queue), NULL);
	self = g_object_new(VF_TYPE_CATALOG_SERVICE, NULL);
	self->config = config;
	self->pool = g_object_ref(pool);
	self->queue = g_object_ref(queue);
	self->media_root = g_canonicalize_filename(config->media_root, NULL);
	self->handlers[0] =
	    g_signal_connect(queue, "job-started", G_CALLBACK(job_started_cb), self);
	self->handlers[1] =
	    g_signal_connect(queue, "job-progress", G_CALLBACK(job_progress_cb), self);
	self->handlers[2] =
	    g_signal_connect(queue, "job-retrying", G_CALLBACK(job_retrying_cb), self);
	self->handlers[3] =
	    g_signal_connect(queue, "job-completed", G_CALLBACK(job_completed_cb), self);
	self->handlers[4] = g_signal_connect(queue, "job-failed", G_CALLBACK(job_failed_cb), self);
	return self;
}

static void
vf_catalog_service_dispose(GObject *object)
{
	VfCatalogService *self = VF_CATALOG_SERVICE(object);

	if (self->queue != NULL) {
		for (guint i = 0; i < G_N_ELEMENTS(self->handlers); i++)
			g_clear_signal_handler(&self->handlers[i], self->queue);
	}
	/* pending events hold a reference: by now none is left */
	g_clear_pointer(&self->events, g_thread_pool_free_wait);
	g_clear_object(&self->queue);
	g_clear_object(&self->pool);
	G_OBJECT_CLASS(vf_catalog_service_parent_class)->dispose(object);
}

static void
vf_catalog_service_finalize(GObject *object)
{
	VfCatalogService *self = VF_CATALOG_SERVICE(object);

	g_hash_table_unref(self->ladders);
	g_clear_pointer(&self->list_cache, g_ptr_array_unref);
	g_hash_table_unref(self->deleted);
	g_hash_table_unref(self->progress_written);
	g_hash_table_unref(self->job_videos);
	g_clear_pointer(&self->counts, g_hash_table_unref);
	g_main_context_unref(self->context);
	g_free(self->media_root);
	G_OBJECT_CLASS(vf_catalog_service_parent_class)->finalize(object);
}

static void
vf_catalog_service_init(VfCatalogService *self)
{
	self->context = g_main_context_ref_thread_default();
	self->max_attempts = DEFAULT_MAX_ATTEMPTS;
	self->ladders =
	    g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, (GDestroyNotify)ladder_free);
	self->deleted = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	self->progress_written = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	self->job_videos = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	self->events = g_thread_pool_new(event_thread, self, 1, FALSE, NULL);
}

static void
vf_catalog_service_class_init(VfCatalogServiceClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->dispose = vf_catalog_service_dispose;
	object_class->finalize = vf_catalog_service_finalize;
	signals[SIGNAL_JOB_STATE_CHANGED] = g_signal_new("job-state-changed",
							 G_TYPE_FROM_CLASS(klass),
							 G_SIGNAL_RUN_LAST,
							 0,
							 NULL,
							 NULL,
							 NULL,
							 G_TYPE_NONE,
							 4,
							 G_TYPE_INT64,
							 G_TYPE_INT64,
							 G_TYPE_STRING,
							 G_TYPE_STRING);
	signals[SIGNAL_JOB_PROGRESS] = g_signal_new("job-progress",
						    G_TYPE_FROM_CLASS(klass),
						    G_SIGNAL_RUN_LAST,
						    0,
						    NULL,
						    NULL,
						    NULL,
						    G_TYPE_NONE,
						    4,
						    G_TYPE_INT64,
						    G_TYPE_INT64,
						    G_TYPE_DOUBLE,
						    G_TYPE_DOUBLE);
}
