/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Validation of the video form (title, file) before AddVideo or UpdateVideo; no
 * GTK here, so the unit tests can call it without a display.
 */
#include "config.h"

#include "vf-admin-validate.h"

#include <gio/gio.h>
#include <glib/gi18n.h>

gboolean
vf_admin_validate_video(const gchar *title, const gchar *path, gboolean need_path, GError **error)
{
	g_autofree gchar *stripped = g_strstrip(g_strdup(title != NULL ? title : ""));

	if (stripped[0] == '\0') {
		g_set_error_literal(
		    error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Enter a title."));
		return FALSE;
	}
	if (!g_utf8_validate(stripped, -1, NULL) ||
	    g_utf8_strlen(stripped, -1) > VF_ADMIN_TITLE_MAX_CHARS) {
		g_set_error(error,
			    G_IO_ERROR,
			    G_IO_ERROR_INVALID_ARGUMENT,
			    _("The title may have at most %d characters."),
			    VF_ADMIN_TITLE_MAX_CHARS);
		return FALSE;
	}
	if (need_path && (path == NULL || path[0] == '\0')) {
		g_set_error_literal(
		    error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Choose a video file."));
		return FALSE;
	}
	if (path != NULL && path[0] != '\0' && !g_path_is_absolute(path)) {
		g_set_error_literal(error,
				    G_IO_ERROR,
				    G_IO_ERROR_INVALID_ARGUMENT,
				    _("The video file must be a local file."));
		return FALSE;
	}
	return TRUE;
}
