/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Placing uploads and removing what a video no longer needs. Worker threads only.
 * Names are random (128 bits) so that nothing of the uploader's file name reaches
 * the disk and no two uploads collide.
 */
#include "config.h"

#include "vf-catalog-files.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "vf-error.h"

gchar *
vf_catalog_files_random_name(const gchar *ext)
{
	g_autofree gchar *uuid = g_uuid_string_random();
	g_autoptr(GString) name = g_string_new(NULL);

	for (const gchar *p = uuid; *p != '\0'; p++) {
		if (*p != '-')
			g_string_append_c(name, *p);
	}
	if (ext != NULL && *ext != '\0')
		g_string_append_printf(name, ".%s", ext);
	return g_string_free(g_steal_pointer(&name), FALSE);
}

gboolean
vf_catalog_files_place(const gchar *temp,
		       const gchar *dir,
		       const gchar *ext,
		       gchar **name,
		       gint64 *size,
		       GError **error)
{
	g_autofree gchar *new_name = vf_catalog_files_random_name(ext);
	g_autofree gchar *target = g_build_filename(dir, new_name, NULL);
	g_autoptr(GFile) from = g_file_new_for_path(temp);
	g_autoptr(GFile) to = g_file_new_for_path(target);
	GStatBuf info;

	/* a rename within MEDIA_ROOT; GIO copies when it must cross devices */
	if (!g_file_move(from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, error)) {
		g_prefix_error(error, "cannot place the upload: ");
		if (error != NULL && *error != NULL && (*error)->domain != VF_ERROR) {
			g_autofree gchar *message = g_strdup((*error)->message);
			g_clear_error(error);
			g_set_error_literal(error, VF_ERROR, VF_ERROR_INTERNAL, message);
		}
		return FALSE;
	}
	if (size != NULL)
		*size = g_stat(target, &info) == 0 ? (gint64)info.st_size : 0;
	*name = g_steal_pointer(&new_name);
	return TRUE;
}
