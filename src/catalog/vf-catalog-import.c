/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Checks of an import path and the copy into MEDIA_ROOT/tmp. The final component
 * is opened with O_NOFOLLOW after resolving, and the checks and the copy use that
 * descriptor, so a symlink swapped in afterwards cannot redirect the read.
 */
#include "config.h"

#include "vf-catalog-import.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vf-catalog-files.h"
#include "vf-error.h"

static const gchar *const video_exts[] = {"mp4", "mov", "mkv", "webm", "avi", NULL};

/* path (absolute, without symlinks) lies inside dir (resolved here) */
static gboolean
is_inside(const gchar *path, const gchar *dir, gboolean resolve)
{
	g_autofree gchar *base = resolve ? realpath(dir, NULL) : g_canonicalize_filename(dir, "/");
	gsize len;

	if (base == NULL)
		return FALSE;
	len = strlen(base);
	if (len == 1)
		return TRUE; /* "/" */
	return strncmp(path, base, len) == 0 && path[len] == '/';
}

static gboolean
inside_any(const gchar *const *dirs, const gchar *path, gboolean resolve)
{
	for (guint i = 0; dirs[i] != NULL; i++) {
		if (is_inside(path, dirs[i], resolve))
			return TRUE;
	}
	return FALSE;
}

static void
set_outside(const gchar *const *import_dirs, const gchar *path, GError **error)
{
	g_autofree gchar *dirs = g_strjoinv(":", (gchar **)import_dirs);
	g_set_error(error,
		    VF_ERROR,
		    VF_ERROR_PERMISSION_DENIED,
		    "“%s” is outside the folders the daemon may import from (IMPORT_DIRS=%s).",
		    path,
		    dirs);
}

static gchar *
video_ext(const gchar *path)
{
	const gchar *slash = strrchr(path, '/');
	const gchar *dot = strrchr(path, '.');
	g_autofree gchar *ext = NULL;

	if (dot == NULL || (slash != NULL && dot < slash + 2))
		return NULL;
	ext = g_ascii_strdown(dot + 1, -1);
	return g_strv_contains(video_exts, ext) ? g_steal_pointer(&ext) : NULL;
}

gint
vf_catalog_import_open(const gchar *const *import_dirs,
		       const gchar *path,
		       gint64 max_size,
		       gchar **resolved,
		       gchar **ext,
		       GError **error)
{
	g_autofree gchar *real = NULL;
	g_autofree gchar *lexical = NULL;
	struct stat info;
	gint fd;
	gint saved;

	if (import_dirs == NULL || import_dirs[0] == NULL) {
		g_set_error_literal(error,
				    VF_ERROR,
				    VF_ERROR_PERMISSION_DENIED,
				    "Adding videos from files is switched off: set IMPORT_DIRS to "
				    "the folders the daemon may import from.");
		return -1;
	}
	if (path == NULL || *path == '\0') {
		g_set_error_literal(error,
				    VF_ERROR,
				    VF_ERROR_INVALID_INPUT,
				    "The path of a video file is required.");
		return -1;
	}
	if (!g_path_is_absolute(path)) {
		g_set_error(
		    error, VF_ERROR, VF_ERROR_INVALID_INPUT, "“%s” is not an absolute path.", path);
		return -1;
	}
	real = realpath(path, NULL);
	if (real == NULL) {
		saved = errno;
		/* say "no such file" only about paths inside the import folders */
		lexical = g_canonicalize_filename(path, "/");
		if (!inside_any(import_dirs, lexical, FALSE)) {
			set_outside(import_dirs, path, error);
		} else if (saved == ENOENT || saved == ENOTDIR) {
			g_set_error(
			    error, VF_ERROR, VF_ERROR_NOT_FOUND, "There is no file “%s”.", path);
		} else {
			g_set_error(error,
				    VF_ERROR,
				    saved == EACCES ? VF_ERROR_PERMISSION_DENIED
						    : VF_ERROR_INVALID_INPUT,
				    "Cannot read “%s”: %s.",
				    path,
				    g_strerror(saved));
		}
		return -1;
	}
	if (!inside_any(import_dirs, real, TRUE)) {
		set_outside(import_dirs, path, error);
		return -1;
	}
	fd = open(real, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		saved = errno;
		g_set_error(error,
			    VF_ERROR,
			    saved == ENOENT ? VF_ERROR_NOT_FOUND : VF_ERROR_PERMISSION_DENIED,
			    "Cannot read “%s”: %s.",
			    path,
			    g_strerror(saved));
		return -1;
	}
	if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
		close(fd);
		g_set_error(
		    error, VF_ERROR, VF_ERROR_INVALID_INPUT, "“%s” is not a regular file.", path);
		return -1;
	}
	*ext = video_ext(real);
	if (*ext == NULL) {
		close(fd);
		g_set_error(
		    error,
		    VF_ERROR,
		    VF_ERROR_MEDIA_INVALID,
		    "“%s” is not a video file: the name must end in .mp4, .mov, .mkv, .webm "
		    "or .avi.",
		    path);
		return -1;
	}
	if (info.st_size == 0 || info.st_size > max_size) {
		close(fd);
		g_clear_pointer(ext, g_free);
		if (info.st_size == 0)
			g_set_error(
			    error, VF_ERROR, VF_ERROR_MEDIA_INVALID, "“%s” is empty.", path);
		else
			g_set_error(error,
				    VF_ERROR,
				    VF_ERROR_TOO_LARGE,
				    "“%s” is larger than MAX_UPLOAD_SIZE (%" G_GINT64_FORMAT
				    " bytes).",
				    path,
				    max_size);
		return -1;
	}
	/* reads block normally from here on */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	*resolved = g_steal_pointer(&real);
	return fd;
}

gchar *
vf_catalog_import_copy(gint fd, const gchar *dir, GCancellable *cancellable, GError **error)
{
	g_autoptr(GInputStream) in = g_unix_input_stream_new(fd, TRUE);
	g_autofree gchar *name = vf_catalog_files_random_name("part");
	g_autofree gchar *target = g_build_filename(dir, name, NULL);
	g_autoptr(GFile) file = g_file_new_for_path(target);
	g_autoptr(GFileOutputStream) out = NULL;
	g_autoptr(GError) local_error = NULL;

	if (g_mkdir_with_parents(dir, 0700) != 0) {
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_INTERNAL,
			    "cannot create %s: %s",
			    dir,
			    g_strerror(errno));
		return NULL;
	}
	out = g_file_create(file, G_FILE_CREATE_PRIVATE, cancellable, &local_error);
	if (out == NULL || g_output_stream_splice(G_OUTPUT_STREAM(out),
						  in,
						  G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
						      G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
						  cancellable,
						  &local_error) < 0) {
		if (out != NULL)
			g_file_delete(file, NULL, NULL);
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_INTERNAL,
			    "cannot copy the file into MEDIA_ROOT: %s",
			    local_error->message);
		return NULL;
	}
	return g_steal_pointer(&target);
}
