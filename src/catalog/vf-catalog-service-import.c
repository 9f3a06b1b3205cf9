/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfCatalogService's import of a local file (the D-Bus AddVideo and UpdateVideo):
 * metadata checked on the main thread, the file copied into MEDIA_ROOT/tmp in a
 * GTask thread, probed by a worker child, then handed to the create or update path
 * that uploads take. The copy belongs to this module until the service took it.
 */
#include "config.h"

#include "vf-catalog-import.h"
#include "vf-catalog-probe.h"
#include "vf-catalog-service-private.h"
#include "vf-error.h"

#define PROBE_TIMEOUT_S 30
#define MAX_TITLE	200
#define MAX_CATEGORY	100
#define MAX_DESCRIPTION 10000

typedef struct {
	gboolean creating;
	gint64 video_id;
	gchar *path;
	VfCatalogUpload upload; /* checked metadata; video_path: the copy, once probed */
	gchar *copy;		/* the copy until the service takes it over */
	gint64 job_id;
} Import;

static void
import_free(Import *import)
{
	g_free(import->path);
	vf_catalog_upload_clear(&import->upload);
	if (import->copy != NULL) {
		/* not handed over: it goes, off the loop */
		g_autoptr(GFile) file = g_file_new_for_path(import->copy);
		g_file_delete_async(file, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
		g_free(import->copy);
	}
	g_free(import);
}

static gboolean
check_text(const gchar *name, gchar **value, glong max, gboolean required, GError **error)
{
	glong length;

	if (*value == NULL) {
		if (!required)
			return TRUE;
		g_set_error(error, VF_ERROR, VF_ERROR_INVALID_INPUT, "A %s is required.", name);
		return FALSE;
	}
	if (!g_utf8_validate(*value, -1, NULL)) {
		g_set_error(
		    error, VF_ERROR, VF_ERROR_INVALID_INPUT, "The %s is not valid UTF-8.", name);
		return FALSE;
	}
	g_strstrip(*value);
	if (required && **value == '\0') {
		g_set_error(
		    error, VF_ERROR, VF_ERROR_INVALID_INPUT, "The %s must not be empty.", name);
		return FALSE;
	}
	length = g_utf8_strlen(*value, -1);
	if (length > max) {
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_INVALID_INPUT,
			    "The %s has %ld characters; at most %ld are allowed.",
			    name,
			    length,
			    max);
		return FALSE;
	}
	return TRUE;
}

static gboolean
check_metadata(Import *import, const VfCatalogUpload *metadata, GError **error)
{
	VfCatalogUpload *upload = &import->upload;
	gboolean creating = import->creating;

	if (metadata != NULL) {
		upload->title = g_strdup(metadata->title);
		upload->description = g_strdup(metadata->description);
		upload->category = g_strdup(metadata->category);
	}
	/* a title given in an update must not be blank either */
	if (!check_text(
		"title", &upload->title, MAX_TITLE, creating || upload->title != NULL, error) ||
	    !check_text("description", &upload->description, MAX_DESCRIPTION, FALSE, error) ||
	    !check_text("category", &upload->category, MAX_CATEGORY, FALSE, error))
		return FALSE;
	if (creating) {
		if (upload->description == NULL)
			upload->description = g_strdup("");
		if (upload->category == NULL)
			upload->category = g_strdup("");
	}
	return TRUE;
}

static void
saved_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	Import *import = g_task_get_task_data(task);
	VfCatalogService *self = VF_CATALOG_SERVICE(source);
	g_autoptr(GError) error = NULL;
	VfCatalogVideo *video;

	if (import->creating)
		video = vf_catalog_service_create_video_finish(self, result, &error);
	else
		video = vf_catalog_service_update_video_finish(self, result, &error);
	if (video == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	import->job_id =
	    import->upload.video_path != NULL ? vf_catalog_service_get_result_job_id(result) : 0;
	g_task_return_pointer(task, video, (GDestroyNotify)vf_catalog_video_free);
}

static void
save(GTask *task /* owned */)
{
	VfCatalogService *self = g_task_get_source_object(task);
	Import *import = g_task_get_task_data(task);

	/* from here the service owns the copy (it moves or deletes it) */
	g_clear_pointer(&import->copy, g_free);
	if (import->creating)
		vf_catalog_service_create_video_async(
		    self, &import->upload, g_task_get_cancellable(task), saved_cb, task);
	else
		vf_catalog_service_update_video_async(self,
						      import->video_id,
						      &import->upload,
						      g_task_get_cancellable(task),
						      saved_cb,
						      task);
}

static void
probed_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	Import *import = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;

	if (!vf_catalog_probe_finish(result, NULL, &error)) {
		if (g_error_matches(error, VF_ERROR, VF_ERROR_MEDIA_INVALID))
			g_prefix_error(
			    &error, "“%s” is not a video that can be played: ", import->path);
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	import->upload.video_path = g_strdup(import->copy);
	save(g_steal_pointer(&task));
}

typedef struct {
	const VfConfig *config;
	gchar *path;
	gchar *copy;
	gchar *ext;
} Copy;

static void
copy_free(Copy *copy)
{
	g_free(copy->path);
	g_free(copy->copy);
	g_free(copy->ext);
	g_free(copy);
}

static void
copy_thread(GTask *inner, gpointer source, gpointer data, GCancellable *cancellable)
{
	Copy *copy = data;
	g_autofree gchar *resolved = NULL;
	g_autofree gchar *tmp = NULL;
	GError *error = NULL;
	gint fd;

	fd = vf_catalog_import_open((const gchar *const *)copy->config->import_dirs,
				    copy->path,
				    copy->config->max_upload_size,
				    &resolved,
				    &copy->ext,
				    &error);
	if (fd < 0) {
		g_task_return_error(inner, error);
		return;
	}
	tmp = g_build_filename(copy->config->media_root, "tmp", NULL);
	copy->copy = vf_catalog_import_copy(fd, tmp, cancellable, &error);
	if (copy->copy == NULL) {
		g_task_return_error(inner, error);
		return;
	}
	g_task_return_boolean(inner, TRUE);
}

static void
copied_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	Import *import = g_task_get_task_data(task);
	Copy *copy = g_task_get_task_data(G_TASK(result));
	const VfConfig *config = vf_catalog_service_get_config(g_task_get_source_object(task));
	g_autoptr(GError) error = NULL;

	if (!g_task_propagate_boolean(G_TASK(result), &error)) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	import->copy = g_steal_pointer(&copy->copy);
	import->upload.video_ext = g_steal_pointer(&copy->ext);
	/* not the caller's cancellable: the child is always waited for */
	vf_catalog_probe_async(config->worker_path,
			       import->copy,
			       PROBE_TIMEOUT_S,
			       NULL,
			       probed_cb,
			       g_steal_pointer(&task));
}

static void
import_start(VfCatalogService *self,
	     gboolean creating,
	     gint64 video_id,
	     const gchar *path,
	     const VfCatalogUpload *metadata,
	     GCancellable *cancellable,
	     GAsyncReadyCallback callback,
	     gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
	Import *import = g_new0(Import, 1);
	g_autoptr(GError) error = NULL;
	g_autoptr(GTask) inner = NULL;
	Copy *copy;

	g_task_set_source_tag(task, vf_catalog_service_import_video_async);
	g_task_set_task_data(task, import, (GDestroyNotify)import_free);
	import->creating = creating;
	import->video_id = video_id;
	import->path = g_strdup(path);
	if (!creating && video_id <= 0) {
		g_task_return_new_error(task,
					VF_ERROR,
					VF_ERROR_NOT_FOUND,
					"There is no video %" G_GINT64_FORMAT ".",
					video_id);
		return;
	}
	if (!check_metadata(import, metadata, &error)) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	if (path == NULL) {
		save(g_steal_pointer(&task));
		return;
	}
	/* a task of its own, without a source object: see run_request() */
	copy = g_new0(Copy, 1);
	copy->config = vf_catalog_service_get_config(self);
	copy->path = g_strdup(path);
	inner = g_task_new(NULL, cancellable, copied_cb, g_steal_pointer(&task));
	g_task_set_task_data(inner, copy, (GDestroyNotify)copy_free);
	g_task_run_in_thread(inner, copy_thread);
}

void
vf_catalog_service_import_video_async(VfCatalogService *self,
				      const gchar *path,
				      const VfCatalogUpload *metadata,
				      GCancellable *cancellable,
				      GAsyncReadyCallback callback,
				      gpointer user_data)
{
	g_return_if_fail(VF_IS_CATALOG_SERVICE(self));
	g_return_if_fail(path != NULL);
	g_return_if_fail(metadata == NULL ||
			 (metadata->video_path == NULL && metadata->thumbnail_path == NULL));
	import_start(self, TRUE, 0, path, metadata, cancellable, callback, user_data);
}

void
vf_catalog_service_import_update_async(VfCatalogService *self,
				       gint64 video_id,
				       const gchar *path,
				       const VfCatalogUpload *metadata,
				       GCancellable *cancellable,
				       GAsyncReadyCallback callback,
				       gpointer user_data)
{
	g_return_if_fail(VF_IS_CATALOG_SERVICE(self));
	g_return_if_fail(metadata == NULL ||
			 (metadata->video_path == NULL && metadata->thumbnail_path == NULL));
	import_start(self, FALSE, video_id, path, metadata, cancellable, callback, user_data);
}

VfCatalogVideo *
vf_catalog_service_import_video_finish(VfCatalogService *self,
				       GAsyncResult *result,
				       gint64 *job_id,
				       GError **error)
{
	Import *import;
	VfCatalogVideo *video;

	g_return_val_if_fail(g_task_is_valid(result, self), NULL);
	video = g_task_propagate_pointer(G_TASK(result), error);
	import = g_task_get_task_data(G_TASK(result));
	if (job_id != NULL)
		*job_id = video != NULL ? import->job_id : 0;
	return video;
}
