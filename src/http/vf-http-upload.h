/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Checks of uploaded files before a service takes them over: allowed extensions
 * and an image's magic bytes (a video is probed with vf_catalog_probe_async()).
 * Main thread.
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

G_END_DECLS
