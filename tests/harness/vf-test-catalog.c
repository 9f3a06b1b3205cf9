/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Catalogue helpers for tests. Every wait iterates the default main context, so
 * the service's callbacks and the job queue's signals keep running.
 */
#include "config.h"

#include "vf-test-catalog.h"

#include "vf-test-util.h"

void
vf_test_catalog_make_clip(const gchar *path, guint frames, gboolean audio)
{
	g_autofree gchar *command = NULL;
	g_autoptr(GError) error = NULL;
	gint wait_status = 0;

	if (audio)
		command = g_strdup_printf(
		    "gst-launch-1.0 -q videotestsrc num-buffers=%u pattern=smpte ! "
		    "video/x-raw,format=I420,width=320,height=180,framerate=25/1 ! "
		    "x264enc speed-preset=ultrafast ! h264parse ! mp4mux name=m ! filesink "
		    "location=%s audiotestsrc num-buffers=%u samplesperbuffer=960 ! "
		    "audio/x-raw,rate=48000,channels=2 ! avenc_aac ! aacparse ! m.",
		    frames,
		    path,
		    frames * 2);
	else
		command = g_strdup_printf(
		    "gst-launch-1.0 -q videotestsrc num-buffers=%u pattern=ball ! "
		    "video/x-raw,format=I420,width=320,height=180,framerate=25/1 ! "
		    "x264enc speed-preset=ultrafast ! h264parse ! matroskamux ! filesink "
		    "location=%s",
		    frames,
		    path);
	g_assert_true(g_spawn_command_line_sync(command, NULL, NULL, &wait_status, &error));
	g_assert_no_error(error);
	g_assert_true(g_spawn_check_wait_status(wait_status, &error));
	g_assert_no_error(error);
}

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

VfCatalogVideo *
vf_test_catalog_create(VfCatalogService *service,
		       const gchar *media_root,
		       const gchar *clip,
		       const gchar *title)
{
	g_autofree gchar *name = g_strdup_printf("upload-%u.tmp", g_random_int());
	g_autofree gchar *path = g_build_filename(media_root, name, NULL);
	g_autoptr(GFile) from = g_file_new_for_path(clip);
	g_autoptr(GFile) to = g_file_new_for_path(path);
	g_autoptr(GAsyncResult) result = NULL;
	g_autoptr(GError) error = NULL;
	VfCatalogUpload upload = {0};
	VfCatalogVideo *video;

	g_assert_true(g_file_copy(from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, &error));
	g_assert_no_error(error);
	upload.title = g_strdup(title);
	upload.description = g_strdup("a test clip");
	upload.video_path = g_strdup(path);
	upload.video_ext = g_strdup(g_str_has_suffix(clip, ".mp4") ? "mp4" : "mkv");
	vf_catalog_service_create_video_async(service, &upload, NULL, got_result_cb, &result);
	vf_catalog_upload_clear(&upload);
	video = vf_catalog_service_create_video_finish(service, wait_result(&result), &error);
	g_assert_no_error(error);
	g_assert_nonnull(video);
	return video;
}

VfCatalogVideo *
vf_test_catalog_get(VfCatalogService *service, gint64 id, GError **error)
{
	g_autoptr(GAsyncResult) result = NULL;

	vf_catalog_service_get_video_async(service, id, NULL, got_result_cb, &result);
	return vf_catalog_service_get_video_finish(service, wait_result(&result), error);
}

gboolean
vf_test_catalog_delete(VfCatalogService *service, gint64 id, GError **error)
{
	g_autoptr(GAsyncResult) result = NULL;

	vf_catalog_service_delete_video_async(service, id, NULL, got_result_cb, &result);
	return vf_catalog_service_delete_video_finish(service, wait_result(&result), error);
}

VfCatalogVideo *
vf_test_catalog_wait_status(VfCatalogService *service,
			    gint64 id,
			    const gchar *status,
			    guint timeout_s)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_s * G_USEC_PER_SEC;

	for (;;) {
		g_autoptr(GError) error = NULL;
		g_autoptr(VfCatalogVideo) video = vf_test_catalog_get(service, id, &error);
		g_assert_no_error(error);
		if (g_str_equal(video->status, status))
			return g_steal_pointer(&video);
		if (g_str_equal(video->status, "failed") || g_str_equal(video->status, "ready"))
			g_error("video %" G_GINT64_FORMAT " became %s, not %s (%s)",
				id,
				video->status,
				status,
				video->error);
		if (g_get_monotonic_time() > deadline)
			g_error("video %" G_GINT64_FORMAT " is still %s after %u s, not %s",
				id,
				video->status,
				timeout_s,
				status);
		vf_test_iterate_for(100);
	}
}

GPtrArray *
vf_test_catalog_list_jobs(VfCatalogService *service)
{
	g_autoptr(GAsyncResult) result = NULL;
	g_autoptr(GError) error = NULL;
	GPtrArray *jobs;

	vf_catalog_service_list_jobs_async(service, NULL, got_result_cb, &result);
	jobs = vf_catalog_service_list_jobs_finish(service, wait_result(&result), &error);
	g_assert_no_error(error);
	return jobs;
}

VfCatalogJob *
vf_test_catalog_find_job(VfCatalogService *service, gint64 video_id)
{
	g_autoptr(GPtrArray) jobs = vf_test_catalog_list_jobs(service);

	for (guint i = 0; i < jobs->len; i++) {
		VfCatalogJob *job = g_ptr_array_index(jobs, i);
		if (job->video_id == video_id)
			return g_ptr_array_steal_index(jobs, i);
	}
	return NULL;
}

guint
vf_test_catalog_count_files(const gchar *path)
{
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	const gchar *name;
	guint n = 0;

	if (dir == NULL)
		return 0;
	while ((name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *child = g_build_filename(path, name, NULL);
		if (g_file_test(child, G_FILE_TEST_IS_DIR))
			n += vf_test_catalog_count_files(child);
		else
			n++;
	}
	return n;
}

static gint
compare_names(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(const gchar *const *)a, *(const gchar *const *)b);
}

gchar *
vf_test_catalog_list_dir(const gchar *path)
{
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	const gchar *name;

	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL)
		g_ptr_array_add(names, g_strdup(name));
	g_ptr_array_sort(names, compare_names);
	g_ptr_array_add(names, NULL);
	return g_strjoinv(",", (gchar **)names->pdata);
}
