/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfCatalogService: videos and their transcode jobs. Called on the main thread;
 * database and disk work runs off the loop. Owns the in-memory table of each
 * ready video's current ladder (generation folder and ready renditions), so that
 * streaming requests cost no query. Moves a video to its new generation only when
 * the whole ladder is complete, then deletes the previous generation, source and
 * thumbnail.
 */
#pragma once

#include <gio/gio.h>

#include "vf-config.h"
#include "vf-db-pool.h"
#include "vf-job-queue.h"

G_BEGIN_DECLS

#define VF_TYPE_CATALOG_SERVICE (vf_catalog_service_get_type())
G_DECLARE_FINAL_TYPE(VfCatalogService, vf_catalog_service, VF, CATALOG_SERVICE, GObject)

typedef struct {
	gint64 id;
	gchar *created_at; /* ISO 8601 UTC, e.g. "2026-11-25T16:30:00.123456Z" */
	gchar *title;
	gchar *description;
	gchar *category;     /* never NULL: "" when unset */
	gchar *thumbnail;    /* file name under MEDIA_ROOT/thumbnails/, or NULL */
	gchar *status;	     /* "pending" | "processing" | "ready" | "failed" */
	gdouble duration;    /* seconds; < 0 until probed (JSON null) */
	gchar **resolutions; /* ready renditions, e.g. {"480p", "720p", NULL} */
	gdouble progress;    /* 0..1 of the running job */
	gchar *error;	     /* of the last failed job, or NULL */
} VfCatalogVideo;

typedef struct {
	gint64 id;
	gint64 video_id;
	gint64 generation;
	gchar *state; /* "queued" | "running" | "succeeded" | "failed" | "cancelled" */
	gint attempt;
	gchar *node;
	gdouble progress;
	gchar *created_at; /* ISO 8601 UTC; started_at/finished_at NULL until then */
	gchar *started_at;
	gchar *finished_at;
	gchar *error;
} VfCatalogJob;

/* what an upload or an update brings; NULL fields are left unchanged. Files are
 * temporary files inside MEDIA_ROOT that the service takes over (moves or deletes,
 * also on failure); the struct itself stays the caller's (copied by the _async call,
 * clear it with vf_catalog_upload_clear()). */
typedef struct {
	gchar *title;
	gchar *description;
	gchar *category;
	gchar *video_path;     /* an uploaded, already probed video, or NULL */
	gchar *video_ext;      /* "mp4", "mov", "mkv", "webm", "avi" */
	gchar *thumbnail_path; /* an uploaded, already checked image, or NULL */
	gchar *thumbnail_ext;  /* "jpg", "jpeg", "png", "gif", "webp" */
} VfCatalogUpload;

void vf_catalog_video_free(VfCatalogVideo *video);
void vf_catalog_job_free(VfCatalogJob *job);
void vf_catalog_upload_clear(VfCatalogUpload *upload);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfCatalogVideo, vf_catalog_video_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfCatalogJob, vf_catalog_job_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(VfCatalogUpload, vf_catalog_upload_clear)

VfCatalogService *vf_catalog_service_new(const VfConfig *config, VfDbPool *pool, VfJobQueue *queue);
/* blocking, at start-up: creates MEDIA_ROOT's folders, loads the ready ladders,
 * re-queues jobs left running by a crash */
gboolean vf_catalog_service_start(VfCatalogService *self, GError **error);

/* GPtrArray of VfCatalogVideo, newest first */
void vf_catalog_service_list_videos_async(VfCatalogService *self,
					  GCancellable *cancellable,
					  GAsyncReadyCallback callback,
					  gpointer user_data);
GPtrArray *
vf_catalog_service_list_videos_finish(VfCatalogService *self, GAsyncResult *result, GError **error);

/* VF_ERROR_NOT_FOUND for an unknown id */
void vf_catalog_service_get_video_async(VfCatalogService *self,
					gint64 video_id,
					GCancellable *cancellable,
					GAsyncReadyCallback callback,
					gpointer user_data);
VfCatalogVideo *
vf_catalog_service_get_video_finish(VfCatalogService *self, GAsyncResult *result, GError **error);

/* takes over the upload's files; the video is pending and its job queued */
void vf_catalog_service_create_video_async(VfCatalogService *self,
					   VfCatalogUpload *upload,
					   GCancellable *cancellable,
					   GAsyncReadyCallback callback,
					   gpointer user_data);
VfCatalogVideo *vf_catalog_service_create_video_finish(VfCatalogService *self,
						       GAsyncResult *result,
						       GError **error);

/* metadata and/or a new video (re-transcode: the old ladder keeps playing until
 * the new one is complete) and/or a new thumbnail (the old one is deleted) */
void vf_catalog_service_update_video_async(VfCatalogService *self,
					   gint64 video_id,
					   VfCatalogUpload *upload,
					   GCancellable *cancellable,
					   GAsyncReadyCallback callback,
					   gpointer user_data);
VfCatalogVideo *vf_catalog_service_update_video_finish(VfCatalogService *self,
						       GAsyncResult *result,
						       GError **error);

/* cancels a running job; source, thumbnail and every generation are deleted */
void vf_catalog_service_delete_video_async(VfCatalogService *self,
					   gint64 video_id,
					   GCancellable *cancellable,
					   GAsyncReadyCallback callback,
					   gpointer user_data);
gboolean vf_catalog_service_delete_video_finish(VfCatalogService *self,
						GAsyncResult *result,
						GError **error);

/* GPtrArray of VfCatalogJob, newest first */
void vf_catalog_service_list_jobs_async(VfCatalogService *self,
					GCancellable *cancellable,
					GAsyncReadyCallback callback,
					gpointer user_data);
GPtrArray *
vf_catalog_service_list_jobs_finish(VfCatalogService *self, GAsyncResult *result, GError **error);

/* copies the local file path (inside IMPORT_DIRS; symlinks and ".." resolved first)
 * into MEDIA_ROOT/tmp off the loop, probes it as an upload is probed, then creates
 * the video as an upload does. metadata's title, description and category are
 * checked here: a title is required, not blank, at most 200 characters; a category
 * at most 100, a description at most 10000; its file fields must be NULL. Errors,
 * each with a message for a person: VF_ERROR_INVALID_INPUT (metadata, not an
 * absolute path, not a regular file), VF_ERROR_PERMISSION_DENIED (no IMPORT_DIRS, or
 * outside them), VF_ERROR_NOT_FOUND (no such file inside them),
 * VF_ERROR_MEDIA_INVALID (not a video), VF_ERROR_TOO_LARGE (over MAX_UPLOAD_SIZE).
 * Finish with vf_catalog_service_import_video_finish(). */
void vf_catalog_service_import_video_async(VfCatalogService *self,
					   const gchar *path,
					   const VfCatalogUpload *metadata,
					   GCancellable *cancellable,
					   GAsyncReadyCallback callback,
					   gpointer user_data);
/* the same for an existing video: metadata fields NULL are left unchanged (a title
 * given must not be blank), path NULL keeps the source, else it is replaced as an
 * upload replaces it (re-transcoded; the old ladder plays until the new one is
 * complete). VF_ERROR_NOT_FOUND for an unknown video. */
void vf_catalog_service_import_update_async(VfCatalogService *self,
					    gint64 video_id,
					    const gchar *path,
					    const VfCatalogUpload *metadata,
					    GCancellable *cancellable,
					    GAsyncReadyCallback callback,
					    gpointer user_data);
/* *job_id (may be NULL): the transcode job queued for the file, or 0 without one */
VfCatalogVideo *vf_catalog_service_import_video_finish(VfCatalogService *self,
						       GAsyncResult *result,
						       gint64 *job_id,
						       GError **error);

/* queues a new job for the source of a failed or cancelled job; VF_ERROR_NOT_FOUND
 * for an unknown job, VF_ERROR_INVALID_INPUT when the job is not failed or
 * cancelled, its video has an active job or its source is gone. Returns the new
 * job's id, 0 with an error. */
void vf_catalog_service_retry_job_async(VfCatalogService *self,
					gint64 job_id,
					GCancellable *cancellable,
					GAsyncReadyCallback callback,
					gpointer user_data);
gint64
vf_catalog_service_retry_job_finish(VfCatalogService *self, GAsyncResult *result, GError **error);

/* stops a queued or running job and deletes its partial output (completes once
 * the worker stopped); the video keeps its ladder, or becomes failed ("cancelled")
 * without one. VF_ERROR_NOT_FOUND / VF_ERROR_INVALID_INPUT (not queued or running). */
void vf_catalog_service_cancel_job_async(VfCatalogService *self,
					 gint64 job_id,
					 GCancellable *cancellable,
					 GAsyncReadyCallback callback,
					 gpointer user_data);
gboolean
vf_catalog_service_cancel_job_finish(VfCatalogService *self, GAsyncResult *result, GError **error);

/* Signals, on the main thread once the database holds the change:
 *   "job-state-changed" (gint64 job_id, gint64 video_id, const gchar *state,
 *                        const gchar *error) — state queued, running, succeeded,
 *                        failed or cancelled; error "" unless failed (or retrying)
 *   "job-progress"      (gint64 job_id, gint64 video_id, gdouble progress 0..1,
 *                        gdouble speed ×realtime) — each update of a running job,
 *                        about once a second */

/* main thread, no I/O: the folder of a ready rendition of the current ladder
 * ("MEDIA_ROOT/hls/<id>/<generation>/<resolution>"), or of the ladder itself when
 * resolution is NULL (master.m3u8). NULL with VF_ERROR_NOT_FOUND "Not found." for an
 * unknown video, "Manifest not available" when it has no ready ladder (or not that
 * rendition). */
gchar *vf_catalog_service_dup_ladder_dir(VfCatalogService *self,
					 gint64 video_id,
					 const gchar *resolution,
					 GError **error);

/* counts for /metrics: jobs by state (queued, running, …) and the queue depth
 * (string → gint64 *: "queued", "running", "succeeded", "failed", "cancelled" from the
 * jobs table, "queue_depth" = jobs the queue holds now) */
GHashTable *vf_catalog_service_dup_job_counts(VfCatalogService *self);
/* seconds spent on jobs that succeeded since this service started, for /metrics */
gdouble vf_catalog_service_get_transcode_seconds(VfCatalogService *self);
/* attempts of a new job before it fails for good (default 3) */
void vf_catalog_service_set_max_attempts(VfCatalogService *self, guint max_attempts);

G_END_DECLS
