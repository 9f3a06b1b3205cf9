/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Upload checks: extensions and an image's magic bytes (videos are probed by
 * vf-catalog-probe).
 */
#include "config.h"

#include "vf-http-upload.h"

#include <string.h>

#include "vf-error.h"

static const gchar *const video_exts[] = {"mp4", "mov", "mkv", "webm", "avi", NULL};
static const gchar *const image_exts[] = {"jpg", "jpeg", "png", "gif", "webp", NULL};

static gchar *
allowed_ext(const gchar *filename, const gchar *const *allowed)
{
	const gchar *dot = filename != NULL ? strrchr(filename, '.') : NULL;
	g_autofree gchar *ext = NULL;

	if (dot == NULL || dot == filename)
		return NULL;
	ext = g_ascii_strdown(dot + 1, -1);
	return g_strv_contains(allowed, ext) ? g_steal_pointer(&ext) : NULL;
}

gchar *
vf_http_upload_video_ext(const gchar *filename)
{
	return allowed_ext(filename, video_exts);
}

gchar *
vf_http_upload_image_ext(const gchar *filename)
{
	return allowed_ext(filename, image_exts);
}

gboolean
vf_http_upload_check_image(const gchar *path, GError **error)
{
	g_autoptr(GFile) file = g_file_new_for_path(path);
	g_autoptr(GFileInputStream) stream = g_file_read(file, NULL, NULL);
	guint8 head[12] = {0};
	gsize n = 0;

	if (stream == NULL ||
	    !g_input_stream_read_all(G_INPUT_STREAM(stream), head, sizeof head, &n, NULL, NULL))
		n = 0;
	if ((n >= 3 && memcmp(head, "\xff\xd8\xff", 3) == 0) ||
	    (n >= 8 && memcmp(head, "\x89PNG\r\n\x1a\n", 8) == 0) ||
	    (n >= 6 && (memcmp(head, "GIF87a", 6) == 0 || memcmp(head, "GIF89a", 6) == 0)) ||
	    (n >= 12 && memcmp(head, "RIFF", 4) == 0 && memcmp(head + 8, "WEBP", 4) == 0))
		return TRUE;
	g_set_error_literal(error,
			    VF_ERROR,
			    VF_ERROR_MEDIA_INVALID,
			    "Upload a valid image. The file you uploaded was either not an image "
			    "or a corrupted image.");
	return FALSE;
}
