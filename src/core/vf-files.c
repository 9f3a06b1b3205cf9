/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Removing trees of files (uploads, generations, staging folders) without following
 * links out of them. Any thread.
 */
#include "config.h"

#include "vf-files.h"

#include <gio/gio.h>

static void
remove_tree(GFile *file)
{
	g_autoptr(GFileEnumerator) children = NULL;
	g_autoptr(GError) error = NULL;

	children = g_file_enumerate_children(
	    file, G_FILE_ATTRIBUTE_STANDARD_NAME, G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
	while (children != NULL) {
		GFileInfo *info = NULL;
		GFile *child = NULL;
		if (!g_file_enumerator_iterate(children, &info, &child, NULL, NULL) || info == NULL)
			break;
		if (g_file_query_file_type(child, G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL) ==
		    G_FILE_TYPE_DIRECTORY)
			remove_tree(child);
		else
			g_file_delete(child, NULL, NULL);
	}
	if (!g_file_delete(file, NULL, &error) &&
	    !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)) {
		g_autofree gchar *path = g_file_get_path(file);
		g_warning("cannot remove %s: %s", path, error->message);
	}
}

void
vf_files_remove_tree(const gchar *path)
{
	g_autoptr(GFile) file = NULL;

	if (path == NULL)
		return;
	file = g_file_new_for_path(path);
	remove_tree(file);
}
