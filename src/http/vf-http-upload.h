/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Checks of uploaded files before a service takes them over: allowed extensions,
 * an image's magic bytes, and a video probed by a short-lived
 * `videoflix-worker --probe FILE` child (media never touches the API process),
 * killed when it takes longer than its timeout. Main thread.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* the lower-case extension of filename when it is an allowed one, else NULL */
gchar *vf_http_upload_video_ext(const gchar *filename);
gchar *vf_http_upload_image_ext(const gchar *filename);

/* reads the first bytes of path: VF_ERROR_MEDIA_INVALID unless they are those of a
 * JPEG, PNG, GIF or WebP image */
gboolean vf_http_upload_check_image(const gchar *path, GError **error);

/* VF_ERROR_MEDIA_INVALID with the probe's reason when path is not a decodable
 * video, VF_ERROR_MEDIA_INVALID "timed out" after timeout_s, VF_ERROR_INTERNAL when
 * the worker cannot run; on success the probed duration in seconds */
void vf_http_upload_probe_async(const gchar *worker_path,
				const gchar *path,
				guint timeout_s,
				GCancellable *cancellable,
				GAsyncReadyCallback callback,
				gpointer user_data);
gboolean vf_http_upload_probe_finish(GAsyncResult *result, gdouble *duration, GError **error);

G_END_DECLS
