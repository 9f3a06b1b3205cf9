/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfHttpMultipart: an incremental multipart/form-data parser fed chunk by chunk as
 * a request body arrives. File parts go straight to new files in a given folder
 * (never held in memory); text fields are kept, each up to a cap. Files still owned
 * by the parser are removed when it is freed. Main thread (or any one thread).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
	gchar *name;	     /* the form field name */
	gchar *filename;     /* as the client sent it, or NULL for a text field */
	gchar *content_type; /* or NULL */
	gchar *path;	     /* file parts: the file holding the bytes; NULL once stolen */
	GString *value;	     /* text parts: the value */
	guint64 size;	     /* bytes of the part's body */
} VfHttpMultipartPart;

typedef struct _VfHttpMultipart VfHttpMultipart;

/* the boundary of a "multipart/form-data; boundary=…" Content-Type, or NULL with
 * VF_ERROR_INVALID_INPUT */
gchar *vf_http_multipart_parse_boundary(const gchar *content_type, GError **error);

/* file parts are written to new files in file_dir (which must exist); a text field
 * longer than max_field_size is an error */
VfHttpMultipart *
vf_http_multipart_new(const gchar *boundary, const gchar *file_dir, gsize max_field_size);
void vf_http_multipart_free(VfHttpMultipart *self);

/* FALSE with VF_ERROR_INVALID_INPUT for malformed input (then stop feeding), or
 * VF_ERROR_INTERNAL when a file cannot be written */
gboolean
vf_http_multipart_feed(VfHttpMultipart *self, const guint8 *data, gsize len, GError **error);
/* after the last chunk: FALSE unless the closing boundary was seen */
gboolean vf_http_multipart_finish(VfHttpMultipart *self, GError **error);

/* of VfHttpMultipartPart, in body order */
GPtrArray *vf_http_multipart_get_parts(VfHttpMultipart *self);
/* the first part of that name, or NULL */
VfHttpMultipartPart *vf_http_multipart_get_part(VfHttpMultipart *self, const gchar *name);
/* the caller now owns the part's file (moves or removes it) */
gchar *vf_http_multipart_steal_file(VfHttpMultipart *self, const gchar *name);
/* bytes written to files so far */
guint64 vf_http_multipart_get_file_bytes(VfHttpMultipart *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfHttpMultipart, vf_http_multipart_free)

G_END_DECLS
