/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The checks the video dialog makes before it calls the daemon: the same rules as
 * AddVideo and UpdateVideo, so that a person sees the mistake at once.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define VF_ADMIN_TITLE_MAX_CHARS 200

/* need_path: a new video needs a file, an edit may keep its source. Fails with
 * G_IO_ERROR_INVALID_ARGUMENT and a translated message for the form */
gboolean
vf_admin_validate_video(const gchar *title, const gchar *path, gboolean need_path, GError **error);

G_END_DECLS
