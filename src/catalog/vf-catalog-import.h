/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Importing a local file (the D-Bus AddVideo): the path is resolved (symlinks,
 * "..") and must lie inside one of the configured import folders; the file is then
 * copied into MEDIA_ROOT/tmp so that the original is left alone. Blocking: worker
 * threads only.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* opens path for reading when, resolved, it is a regular, non-empty file of at most
 * max_size bytes with a video extension inside one of import_dirs: returns the open
 * descriptor (the caller closes it), the resolved path and the lower-case extension.
 * -1 with VF_ERROR_PERMISSION_DENIED (no import dirs, outside them, unreadable),
 * VF_ERROR_NOT_FOUND (no such file), VF_ERROR_INVALID_INPUT (not absolute, not a
 * regular file), VF_ERROR_MEDIA_INVALID (no video extension, empty) or
 * VF_ERROR_TOO_LARGE. */
gint vf_catalog_import_open(const gchar *const *import_dirs,
			    const gchar *path,
			    gint64 max_size,
			    gchar **resolved,
			    gchar **ext,
			    GError **error);
/* copies the open file fd (taken over) into a new file in dir; returns its path */
gchar *vf_catalog_import_copy(gint fd, const gchar *dir, GCancellable *cancellable, GError **error);

G_END_DECLS
