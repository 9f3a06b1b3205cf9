/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Files of the catalogue under MEDIA_ROOT: placing an upload under a random name,
 * removing files and generation folders. Blocking: worker threads only.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* "<32 hex digits>.<ext>" */
gchar *vf_catalog_files_random_name(const gchar *ext);
/* moves temp into dir as "<random>.<ext>"; *name gets the new file name */
gboolean vf_catalog_files_place(const gchar *temp,
				const gchar *dir,
				const gchar *ext,
				gchar **name,
				gint64 *size,
				GError **error);

G_END_DECLS
