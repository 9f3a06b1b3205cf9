/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The catalogue's SQL (videos, jobs), one function per statement or short sequence;
 * the caller owns the transaction. Worker threads only.
 */
#include "config.h"

#include "vf-catalog-store.h"

#include <stdlib.h>
#include <string.h>

#include "vf-db-value.h"
#include "vf-error.h"

#define ISO(column) "to_char(" column " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

#define VIDEO_COLUMNS                                                                              \
	"v.id, " ISO("v.created_at") ", v.title, v.description, v.category, v.thumbnail, "         \
				     "v.status, v.duration, v.resolutions, "                       \
				     "COALESCE((SELECT j.progress FROM jobs j WHERE j.video_id = " \
				     "v.id AND j.state IN ('queued', 'running') ORDER BY j.id "    \
				     "DESC LIMIT 1), CASE WHEN v.status = 'ready' THEN 1 ELSE 0 "  \
				     "END), v.error"

#define ROW_COLUMNS                                                                                \
	"id, source, thumbnail, thumbnail_generated, COALESCE(current_generation, 0), status, "    \
	"resolutions, revision"

#define JOB_ROW_COLUMNS "id, video_id, generation, source, thumbnail, state, attempt, max_attempts"

#define JOB_COLUMNS                                                                                \
	"id, video_id, generation, state, attempt, node, progress, " ISO("created_at") ", " ISO(   \
	    "started_at") ", " ISO("finished_at") ", error"

void
vf_catalog_row_free(VfCatalogRow *row)
{
	if (row == NULL)
		return;
	g_free(row->source);
	g_free(row->thumbnail);
	g_free(row->status);
	g_strfreev(row->resolutions);
	g_free(row);
}

void
vf_catalog_job_row_free(VfCatalogJobRow *row)
{
	if (row == NULL)
		return;
	g_free(row->source);
	g_free(row->thumbnail);
	g_free(row->state);
	g_free(row);
}

/* "{480p,720p}" → {"480p", "720p"}; rendition names are plain words */
static gchar **
get_array(PGresult *result, gint row, gint column)
{
	g_autofree gchar *text = vf_db_result_dup_string(result, row, column);
	gsize len;

	if (text == NULL)
		return g_new0(gchar *, 1);
	len = strlen(text);
	if (len < 2 || text[0] != '{' || text[len - 1] != '}' || len == 2)
		return g_new0(gchar *, 1);
	text[len - 1] = '\0';
	return g_strsplit(text + 1, ",", -1);
}

static gchar *
array_literal(const gchar *const *items)
{
	g_autoptr(GString) text = g_string_new("{");

	for (guint i = 0; items != NULL && items[i] != NULL; i++) {
		if (i > 0)
			g_string_append_c(text, ',');
		g_string_append_c(text, '"');
		for (const gchar *p = items[i]; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				g_string_append_c(text, '\\');
			g_string_append_c(text, *p);
		}
		g_string_append_c(text, '"');
	}
	g_string_append_c(text, '}');
	return g_string_free(g_steal_pointer(&text), FALSE);
}

static VfCatalogVideo *
video_from_result(PGresult *result, gint row)
{
	VfCatalogVideo *video = g_new0(VfCatalogVideo, 1);

	video->id = vf_db_result_get_int(result, row, 0);
	video->created_at = vf_db_result_dup_string(result, row, 1);
	video->title = vf_db_result_dup_string(result, row, 2);
	video->description = vf_db_result_dup_string(result, row, 3);
	video->category = vf_db_result_dup_string(result, row, 4);
	video->thumbnail = vf_db_result_dup_string(result, row, 5);
	video->status = vf_db_result_dup_string(result, row, 6);
	video->duration = vf_db_result_get_double(result, row, 7, -1.0);
	video->resolutions = get_array(result, row, 8);
	video->progress = vf_db_result_get_double(result, row, 9, 0.0);
	video->error = vf_db_result_dup_string(result, row, 10);
	return video;
}

static VfCatalogRow *
row_from_result(PGresult *result, gint row)
{
	VfCatalogRow *self = g_new0(VfCatalogRow, 1);

	self->id = vf_db_result_get_int(result, row, 0);
	self->source = vf_db_result_dup_string(result, row, 1);
	self->thumbnail = vf_db_result_dup_string(result, row, 2);
	self->thumbnail_generated = vf_db_result_get_bool(result, row, 3);
	self->current_generation = vf_db_result_get_int(result, row, 4);
	self->status = vf_db_result_dup_string(result, row, 5);
	self->resolutions = get_array(result, row, 6);
	self->revision = vf_db_result_get_int(result, row, 7);
	return self;
}

static VfCatalogJobRow *
job_row_from_result(PGresult *result, gint row)
{
	VfCatalogJobRow *self = g_new0(VfCatalogJobRow, 1);

	self->id = vf_db_result_get_int(result, row, 0);
	self->video_id = vf_db_result_get_int(result, row, 1);
	self->generation = vf_db_result_get_int(result, row, 2);
	self->source = vf_db_result_dup_string(result, row, 3);
	self->thumbnail = vf_db_result_dup_string(result, row, 4);
	self->state = vf_db_result_dup_string(result, row, 5);
	self->attempt = (gint)vf_db_result_get_int(result, row, 6);
	self->max_attempts = (gint)vf_db_result_get_int(result, row, 7);
	return self;
}

static GPtrArray *
job_rows_from_result(PGresult *result)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)vf_catalog_job_row_free);

	for (gint i = 0; i < PQntuples(result); i++)
		g_ptr_array_add(rows, job_row_from_result(result, i));
	return rows;
}

GPtrArray *
vf_catalog_store_list_videos(VfDbConnection *connection, GError **error)
{
	g_autoptr(PGresult) result = vf_db_connection_exec(
	    connection,
	    "SELECT " VIDEO_COLUMNS " FROM videos v ORDER BY v.created_at DESC, v.id DESC",
	    0,
	    NULL,
	    error);
	GPtrArray *videos;

	if (result == NULL)
		return NULL;
	videos = g_ptr_array_new_with_free_func((GDestroyNotify)vf_catalog_video_free);
	for (gint i = 0; i < PQntuples(result); i++)
		g_ptr_array_add(videos, video_from_result(result, i));
	return videos;
}

VfCatalogVideo *
vf_catalog_store_get_video(VfDbConnection *connection, gint64 video_id, GError **error)
{
	g_autofree gchar *id = vf_db_value_from_int(video_id);
	const gchar *params[] = {id};
	g_autoptr(PGresult) result = vf_db_connection_exec(
	    connection, "SELECT " VIDEO_COLUMNS " FROM videos v WHERE v.id = $1", 1, params, error);

	if (result == NULL || PQntuples(result) == 0)
		return NULL;
	return video_from_result(result, 0);
}

VfCatalogRow *
vf_catalog_store_get_row(VfDbConnection *connection,
			 gint64 video_id,
			 gboolean for_update,
			 GError **error)
{
	g_autofree gchar *id = vf_db_value_from_int(video_id);
	const gchar *params[] = {id};
	g_autoptr(PGresult) result = vf_db_connection_exec(
	    connection,
	    for_update ? "SELECT " ROW_COLUMNS " FROM videos WHERE id = $1 FOR UPDATE"
		       : "SELECT " ROW_COLUMNS " FROM videos WHERE id = $1",
	    1,
	    params,
	    error);

	if (result == NULL || PQntuples(result) == 0)
		return NULL;
	return row_from_result(result, 0);
}

GPtrArray *
vf_catalog_store_list_rows(VfDbConnection *connection, GError **error)
{
	g_autoptr(PGresult) result =
	    vf_db_connection_exec(connection, "SELECT " ROW_COLUMNS " FROM videos", 0, NULL, error);
	GPtrArray *rows;

	if (result == NULL)
		return NULL;
	rows = g_ptr_array_new_with_free_func((GDestroyNotify)vf_catalog_row_free);
	for (gint i = 0; i < PQntuples(result); i++)
		g_ptr_array_add(rows, row_from_result(result, i));
	return rows;
}

gint64
vf_catalog_store_insert_video(VfDbConnection *connection,
			      const gchar *title,
			      const gchar *description,
			      const gchar *category,
			      const gchar *source,
			      gint64 source_size,
			      const gchar *thumbnail,
			      gboolean thumbnail_generated,
			      GError **error)
{
	g_autofree gchar *size = vf_db_value_from_int(source_size);
	const gchar *params[] = {title != NULL ? title : "",
				 description != NULL ? description : "",
				 category != NULL ? category : "",
				 source,
				 size,
				 thumbnail,
				 thumbnail_generated ? "t" : "f"};
	g_autoptr(PGresult) result = vf_db_connection_exec(
	    connection,
	    "INSERT INTO videos (title, description, category, source, source_size, thumbnail, "
	    "thumbnail_generated) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
	    7,
	    params,
	    error);

	if (result == NULL)
		return 0;
	return vf_db_result_get_int(result, 0, 0);
}

gboolean
vf_catalog_store_update_metadata(VfDbConnection *connection,
				 gint64 video_id,
				 const gchar *title,
				 const gchar *description,
				 const gchar *category,
				 GError **error)
{
	g_autofree gchar *id = vf_db_value_from_int(video_id);
	const gchar *params[] = {id, title, description, category};
	return vf_db_connection_run(
	    connection,
	    "UPDATE videos SET title = COALESCE($2, title), description = COALESCE($3, "
	    "description), category = COALESCE($4, category), revision = revision + 1, "
	    "updated_at = now() WHERE id = $1",
	    4,
	    params,
	    error);
}

gboolean
vf_catalog_store_set_thumbnail(VfDbConnection *connection,
			       gint64 video_id,
			       const gchar *thumbnail,
			       gboolean generated,
			       GError **error)
{
	g_autofree gchar *id = vf_db_value_from_int(video_id);
	const gchar *params[] = {id, thumbnail, generated ? "t" : "f"};
	return vf_db_connection_run(connection,
				    "UPDATE videos SET thumbnail = $2, thumbnail_generated = $3, "
				    "revision = revision + 1, updated_at = now() WHERE id = $1",
				    3,
				    params,
				    error);
}

gboolean
vf_catalog_store_set_source(VfDbConnection *connection,
			    gint64 video_id,
			    const gchar *source,
			    gint64 source_size,
			    GError **error)
{
	g_autofree gchar *id = vf_db_value_from_int(video_id);
	g_autofree gchar *size = vf_db_value_from_int(source_size);
	const gchar *params[] = {id, source, size};
	return vf_db_connection_run(connection,
				    "UPDATE videos SET source = $2, source_size = $3, "
				    "revision = revision + 1, updated_at = now() WHERE id = $1",
				    3,
				    params,
				    error);
}

gboolean
vf_catalog_store_set_status(VfDbConnection *connection,
			    gint64 video_id,
			    const gchar *status,
			    const gchar *error_message,
			    GError **error)
{
	g_autofree gchar *id = vf_db_value_from_int(video_id);
	const gchar *params[] = {id, status, error_message};
	return vf_db_connection_run(connection,
				    "UPDATE videos SET status = $2, error = $3, "
				    "revision = revision + 1, updated_at = now() WHERE id = $1",
				    3,
				    params,
				    error);
}

gboolean
vf_catalog_store_publish(VfDbConnection *connection,
			 gint64 video_id,
			 gint64 generation,
			 const gchar *const *resolutions,
			 gdouble duration,
			 const gchar *source,
			 GError **error)
{
	g_autofree gchar *id = vf_db_value_from_int(video_id);
	g_autofree gchar *gen = vf_db_value_from_int(generation);
	g_autofree gchar *names = array_literal(resolutions);
	gchar seconds[G_ASCII_DTOSTR_BUF_SIZE];
	const gchar *params[] = {
	    id, gen, names, g_ascii_dtostr(seconds, sizeof(seconds), duration), source};
	return vf_db_connection_run(
	    connection,
	    "UPDATE videos SET current_generation = $2, resolutions = $3::text[], duration = $4, "
	    "source = $5, status = 'ready', error = NULL, revision = revision + 1, "
	    "updated_at = now() WHERE id = $1",
	    5,
	    params,
	    error);
}

GPtrArray *
vf_catalog_store_delete_video(VfDbConnection *connection, gint64 video_id, GError **error)
{
	g_autofree gchar *id = vf_db_value_from_int(video_id);
	const gchar *params[] = {id};
	g_autoptr(PGresult) result = vf_db_connection_exec(
	    connection,
	    "SELECT " JOB_ROW_COLUMNS " FROM jobs WHERE video_id = $1 ORDER BY id",
	    1,
	    params,
	    error);

	if (result == NULL)
		return NULL;
	if (!vf_db_connection_run(connection, "DELETE FROM videos WHERE id = $1", 1, params, error))
		return NULL;
	return job_rows_from_result(result);
}

VfCatalogJobRow *
vf_catalog_store_insert_job(VfDbConnection *connection,
			    gint64 video_id,
			    const gchar *source,
			    const gchar *thumbnail,
			    gint max_attempts,
			    GError **error)
{
	g_autofree gchar *id = vf_db_value_from_int(video_id);
	g_autofree gchar *attempts = vf_db_value_from_int(max_attempts);
	const gchar *params[] = {id, source, thumbnail, attempts};
	g_autoptr(PGresult) result = vf_db_connection_exec(
	    connection,
	    "WITH v AS (UPDATE videos SET last_generation = last_generation + 1 WHERE id = $1 "
	    "RETURNING last_generation) "
	    "INSERT INTO jobs (video_id, generation, source, thumbnail, max_attempts) "
	    "SELECT $1, v.last_generation, $2, $3, $4 FROM v RETURNING " JOB_ROW_COLUMNS,
	    4,
	    params,
	    error);

	if (result == NULL)
		return NULL;
	if (PQntuples(result) == 0) {
		g_set_error_literal(error, VF_ERROR, VF_ERROR_NOT_FOUND, "Not found.");
		return NULL;
	}
	return job_row_from_result(result, 0);
}

VfCatalogJobRow *
vf_catalog_store_lock_job(VfDbConnection *connection, gint64 job_id, GError **error)
{
	g_autofree gchar *id = vf_db_value_from_int(job_id);
	const gchar *params[] = {id};
	g_autoptr(PGresult) result =
	    vf_db_connection_exec(connection,
				  "SELECT " JOB_ROW_COLUMNS " FROM jobs WHERE id = $1 FOR UPDATE",
				  1,
				  params,
				  error);

	if (result == NULL || PQntuples(result) == 0)
		return NULL;
	return job_row_from_result(result, 0);
}

gboolean
vf_catalog_store_find_active_job(VfDbConnection *connection,
				 gint64 video_id,
				 gint64 *job_id,
				 GError **error)
{
	g_autofree gchar *id = vf_db_value_from_int(video_id);
	const gchar *params[] = {id};
	g_autoptr(PGresult) result = vf_db_connection_exec(
	    connection,
	    "SELECT id FROM jobs WHERE video_id = $1 AND state IN ('queued', 'running') "
	    "ORDER BY id DESC LIMIT 1",
	    1,
	    params,
	    error);

	if (result == NULL)
		return FALSE;
	*job_id = PQntuples(result) > 0 ? vf_db_result_get_int(result, 0, 0) : 0;
	return TRUE;
}

GPtrArray *
vf_catalog_store_cancel_active_jobs(VfDbConnection *connection, gint64 video_id, GError **error)
{
	g_autofree gchar *id = vf_db_value_from_int(video_id);
	const gchar *params[] = {id};
	g_autoptr(PGresult) result = vf_db_connection_exec(
	    connection,
	    "UPDATE jobs SET state = 'cancelled', finished_at = now(), updated_at = now() "
	    "WHERE video_id = $1 AND state IN ('queued', 'running') RETURNING " JOB_ROW_COLUMNS,
	    1,
	    params,
	    error);

	if (result == NULL)
		return NULL;
	return job_rows_from_result(result);
}

gboolean
vf_catalog_store_job_started(
    VfDbConnection *connection, gint64 job_id, gint attempt, const gchar *node, GError **error)
{
	g_autofree gchar *id = vf_db_value_from_int(job_id);
	g_autofree gchar *number = vf_db_value_from_int(attempt);
	const gchar *params[] = {id, number, node};
	return vf_db_connection_run(
	    connection,
	    "UPDATE jobs SET state = 'running', attempt = $2, node = $3, progress = 0, "
	    "started_at = COALESCE(started_at, now()), updated_at = now() WHERE id = $1",
	    3,
	    params,
	    error);
}

gboolean
vf_catalog_store_job_progress(VfDbConnection *connection,
			      gint64 job_id,
			      gdouble progress,
			      GError **error)
{
	g_autofree gchar *id = vf_db_value_from_int(job_id);
	gchar value[G_ASCII_DTOSTR_BUF_SIZE];
	const gchar *params[] = {id, g_ascii_dtostr(value, sizeof(value), progress)};
	return vf_db_connection_run(connection,
				    "UPDATE jobs SET progress = $2, updated_at = now() "
				    "WHERE id = $1 AND state = 'running'",
				    2,
				    params,
				    error);
}

gboolean
vf_catalog_store_job_retrying(VfDbConnection *connection,
			      gint64 job_id,
			      const gchar *message,
			      GError **error)
{
	g_autofree gchar *id = vf_db_value_from_int(job_id);
	const gchar *params[] = {id, message};
	return vf_db_connection_run(connection,
				    "UPDATE jobs SET state = 'queued', error = $2, progress = 0, "
				    "updated_at = now() WHERE id = $1 AND state = 'running'",
				    2,
				    params,
				    error);
}

gboolean
vf_catalog_store_finish_job(VfDbConnection *connection,
			    gint64 job_id,
			    const gchar *state,
			    const gchar *error_message,
			    gdouble *seconds,
			    GError **error)
{
	g_autofree gchar *id = vf_db_value_from_int(job_id);
	const gchar *params[] = {id, state, error_message};
	g_autoptr(PGresult) result = vf_db_connection_exec(
	    connection,
	    "UPDATE jobs SET state = $2, error = $3, finished_at = now(), updated_at = now(), "
	    "progress = CASE WHEN $2 = 'succeeded' THEN 1 ELSE progress END WHERE id = $1 "
	    "RETURNING COALESCE(EXTRACT(EPOCH FROM finished_at - started_at), 0)",
	    3,
	    params,
	    error);

	if (result == NULL)
		return FALSE;
	if (seconds != NULL)
		*seconds = PQntuples(result) > 0 ? vf_db_result_get_double(result, 0, 0, 0.0) : 0.0;
	return TRUE;
}

GPtrArray *
vf_catalog_store_requeue_jobs(VfDbConnection *connection, GError **error)
{
	g_autoptr(PGresult) result = NULL;

	if (!vf_db_connection_run(connection,
				  "UPDATE jobs SET state = 'queued', updated_at = now() "
				  "WHERE state = 'running'",
				  0,
				  NULL,
				  error))
		return NULL;
	if (!vf_db_connection_run(connection,
				  "UPDATE videos SET status = 'pending', revision = revision + 1 "
				  "WHERE status = 'processing'",
				  0,
				  NULL,
				  error))
		return NULL;
	result = vf_db_connection_exec(connection,
				       "SELECT " JOB_ROW_COLUMNS
				       " FROM jobs WHERE state = 'queued' ORDER BY id",
				       0,
				       NULL,
				       error);
	if (result == NULL)
		return NULL;
	return job_rows_from_result(result);
}

GPtrArray *
vf_catalog_store_list_jobs(VfDbConnection *connection, guint limit, GError **error)
{
	g_autofree gchar *max = vf_db_value_from_int(limit);
	const gchar *params[] = {max};
	g_autoptr(PGresult) result =
	    vf_db_connection_exec(connection,
				  "SELECT " JOB_COLUMNS " FROM jobs ORDER BY id DESC LIMIT $1",
				  1,
				  params,
				  error);
	GPtrArray *jobs;

	if (result == NULL)
		return NULL;
	jobs = g_ptr_array_new_with_free_func((GDestroyNotify)vf_catalog_job_free);
	for (gint i = 0; i < PQntuples(result); i++) {
		VfCatalogJob *job = g_new0(VfCatalogJob, 1);
		job->id = vf_db_result_get_int(result, i, 0);
		job->video_id = vf_db_result_get_int(result, i, 1);
		job->generation = vf_db_result_get_int(result, i, 2);
		job->state = vf_db_result_dup_string(result, i, 3);
		job->attempt = (gint)vf_db_result_get_int(result, i, 4);
		job->node = vf_db_result_dup_string(result, i, 5);
		job->progress = vf_db_result_get_double(result, i, 6, 0.0);
		job->created_at = vf_db_result_dup_string(result, i, 7);
		job->started_at = vf_db_result_dup_string(result, i, 8);
		job->finished_at = vf_db_result_dup_string(result, i, 9);
		job->error = vf_db_result_dup_string(result, i, 10);
		g_ptr_array_add(jobs, job);
	}
	return jobs;
}

GHashTable *
vf_catalog_store_count_jobs(VfDbConnection *connection, GError **error)
{
	g_autoptr(PGresult) result = vf_db_connection_exec(
	    connection, "SELECT state, count(*) FROM jobs GROUP BY state", 0, NULL, error);
	GHashTable *counts;

	if (result == NULL)
		return NULL;
	counts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	for (gint i = 0; i < PQntuples(result); i++) {
		gint64 count = vf_db_result_get_int(result, i, 1);
		g_hash_table_insert(counts,
				    vf_db_result_dup_string(result, i, 0),
				    g_memdup2(&count, sizeof(count)));
	}
	return counts;
}
