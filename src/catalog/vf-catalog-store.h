/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The catalogue tables (videos, jobs): synchronous, parameterised queries on a
 * pooled connection. Worker threads only. File names are those under
 * MEDIA_ROOT/sources/ and MEDIA_ROOT/thumbnails/; times are ISO 8601 UTC strings.
 */
#pragma once

#include "vf-catalog-service.h"
#include "vf-db-connection.h"

G_BEGIN_DECLS

/* what the service itself needs of a video */
typedef struct {
	gint64 id;
	gchar *source;
	gchar *thumbnail;
	gboolean thumbnail_generated;
	gint64 current_generation; /* 0: no ladder yet */
	gchar *status;
	gchar **resolutions;
	gint64 revision;
} VfCatalogRow;

/* what the service itself needs of a job */
typedef struct {
	gint64 id;
	gint64 video_id;
	gint64 generation;
	gchar *source;
	gchar *thumbnail; /* to generate, or NULL */
	gchar *state;
	gint attempt;
	gint max_attempts;
} VfCatalogJobRow;

void vf_catalog_row_free(VfCatalogRow *row);
void vf_catalog_job_row_free(VfCatalogJobRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfCatalogRow, vf_catalog_row_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfCatalogJobRow, vf_catalog_job_row_free)

/* videos as the API shows them; NULL without an error for an unknown id */
GPtrArray *vf_catalog_store_list_videos(VfDbConnection *connection, GError **error);
VfCatalogVideo *
vf_catalog_store_get_video(VfDbConnection *connection, gint64 video_id, GError **error);
/* NULL without an error for an unknown id; for_update locks the row */
VfCatalogRow *vf_catalog_store_get_row(VfDbConnection *connection,
				       gint64 video_id,
				       gboolean for_update,
				       GError **error);
GPtrArray *vf_catalog_store_list_rows(VfDbConnection *connection, GError **error);

/* the new id, or 0 with an error */
gint64 vf_catalog_store_insert_video(VfDbConnection *connection,
				     const gchar *title,
				     const gchar *description,
				     const gchar *category,
				     const gchar *source,
				     gint64 source_size,
				     const gchar *thumbnail,
				     gboolean thumbnail_generated,
				     GError **error);
/* NULL arguments are left unchanged */
gboolean vf_catalog_store_update_metadata(VfDbConnection *connection,
					  gint64 video_id,
					  const gchar *title,
					  const gchar *description,
					  const gchar *category,
					  GError **error);
gboolean vf_catalog_store_set_thumbnail(VfDbConnection *connection,
					gint64 video_id,
					const gchar *thumbnail,
					gboolean generated,
					GError **error);
gboolean vf_catalog_store_set_source(VfDbConnection *connection,
				     gint64 video_id,
				     const gchar *source,
				     gint64 source_size,
				     GError **error);
/* status and error (NULL clears it) */
gboolean vf_catalog_store_set_status(VfDbConnection *connection,
				     gint64 video_id,
				     const gchar *status,
				     const gchar *error_message,
				     GError **error);
/* moves the video to a complete ladder: status ready, error cleared */
gboolean vf_catalog_store_publish(VfDbConnection *connection,
				  gint64 video_id,
				  gint64 generation,
				  const gchar *const *resolutions,
				  gdouble duration,
				  const gchar *source,
				  GError **error);
/* every job of the video, then the video (its jobs go with it) */
GPtrArray *
vf_catalog_store_delete_video(VfDbConnection *connection, gint64 video_id, GError **error);

/* takes the video's next generation and queues a job for it */
VfCatalogJobRow *vf_catalog_store_insert_job(VfDbConnection *connection,
					     gint64 video_id,
					     const gchar *source,
					     const gchar *thumbnail,
					     gint max_attempts,
					     GError **error);
/* NULL without an error for an unknown id; locks the row */
VfCatalogJobRow *
vf_catalog_store_lock_job(VfDbConnection *connection, gint64 job_id, GError **error);
/* *job_id = the video's queued or running job, or 0 */
gboolean vf_catalog_store_find_active_job(VfDbConnection *connection,
					  gint64 video_id,
					  gint64 *job_id,
					  GError **error);
/* marks the video's queued and running jobs cancelled and returns them */
GPtrArray *
vf_catalog_store_cancel_active_jobs(VfDbConnection *connection, gint64 video_id, GError **error);
gboolean vf_catalog_store_job_started(
    VfDbConnection *connection, gint64 job_id, gint attempt, const gchar *node, GError **error);
gboolean vf_catalog_store_job_progress(VfDbConnection *connection,
				       gint64 job_id,
				       gdouble progress,
				       GError **error);
gboolean vf_catalog_store_job_retrying(VfDbConnection *connection,
				       gint64 job_id,
				       const gchar *message,
				       GError **error);
/* state succeeded or failed; *seconds (may be NULL) = finished − started */
gboolean vf_catalog_store_finish_job(VfDbConnection *connection,
				     gint64 job_id,
				     const gchar *state,
				     const gchar *error_message,
				     gdouble *seconds,
				     GError **error);
/* running jobs (a crash left them) back to queued; returns every queued job, oldest
 * first, and puts their videos back to pending */
GPtrArray *vf_catalog_store_requeue_jobs(VfDbConnection *connection, GError **error);
/* of VfCatalogJob, newest first */
GPtrArray *vf_catalog_store_list_jobs(VfDbConnection *connection, guint limit, GError **error);
/* state → gint64 * */
GHashTable *vf_catalog_store_count_jobs(VfDbConnection *connection, GError **error);

G_END_DECLS
