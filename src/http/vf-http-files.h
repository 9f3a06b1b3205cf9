/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Serving one file of a folder from disk: a strict name check, no symlinks, only
 * regular files, mapped (GMappedFile) rather than read so that libsoup answers
 * Range itself; ETag, Last-Modified, If-None-Match/If-Modified-Since (304) and the
 * Cache-Control of each kind of file. Main thread (open, fstat and mmap only).
 */
#pragma once

#include "vf-http-request.h"

G_BEGIN_DECLS

typedef enum {
	VF_HTTP_FILE_PLAYLIST,	/* private */
	VF_HTTP_FILE_SEGMENT,	/* private, max-age=300 */
	VF_HTTP_FILE_THUMBNAIL, /* public */
} VfHttpFileKind;

/* [A-Za-z0-9_.-]+, no "..", no leading dot */
gboolean vf_http_files_name_is_safe(const gchar *name);

/* the Content-Type of a file name by its extension */
const gchar *vf_http_files_content_type(const gchar *name);

/* answers 200 (206/416 for a Range) or 304 and returns TRUE; FALSE with
 * VF_ERROR_NOT_FOUND when the name is unsafe or no regular file of that name is in
 * dir (symlinks included): the caller answers 404 with its own text */
gboolean vf_http_files_respond(VfHttpRequest *request,
			       const gchar *dir,
			       const gchar *name,
			       VfHttpFileKind kind,
			       GError **error);

G_END_DECLS
