/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The multipart/form-data parser (RFC 7578 over RFC 2046). The body is scanned for
 * the delimiter "CRLF--boundary"; a virtual CRLF in front of the first byte lets
 * the first boundary match the same way. Unprocessed bytes are kept only while
 * they could still be the start of a delimiter, so memory stays bounded by one
 * chunk plus the delimiter, whatever the part sizes.
 */
#define _GNU_SOURCE /* memmem */
#include "config.h"

#include "vf-http-multipart.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>
#include <unistd.h>

#include "vf-error.h"

#define MAX_BOUNDARY	 70
#define MAX_HEADER_BLOCK 8192
#define MAX_PADDING	 64
#define MAX_PARTS	 32
#define WRITE_BUFFER	 (256 * 1024) /* file bytes gathered before one write() */

typedef enum {
	STATE_PREAMBLE,	   /* before the first delimiter */
	STATE_AFTER_DELIM, /* "--" (the end) or padding and CRLF (a part) */
	STATE_HEADERS,	   /* the part's header block up to the empty line */
	STATE_BODY,	   /* the part's bytes up to the next delimiter */
	STATE_EPILOGUE,	   /* after the closing delimiter: ignored */
} State;

struct _VfHttpMultipart {
	gchar *delimiter; /* "\r\n--" boundary */
	gsize delimiter_len;
	gchar *file_dir;
	gsize max_field_size;
	State state;
	GByteArray *pending;
	GPtrArray *parts; /* of VfHttpMultipartPart */
	VfHttpMultipartPart *current;
	gint fd;	    /* of the current file part, or -1 */
	GByteArray *output; /* its bytes not written yet */
	guint64 file_bytes;
	gboolean failed;
};

static void
part_free(VfHttpMultipartPart *part)
{
	if (part->path != NULL)
		(void)g_unlink(part->path);
	g_free(part->name);
	g_free(part->filename);
	g_free(part->content_type);
	g_free(part->path);
	if (part->value != NULL)
		g_string_free(part->value, TRUE);
	g_free(part);
}

static gboolean
fail(VfHttpMultipart *self, GError **error, const gchar *message)
{
	self->failed = TRUE;
	g_set_error(
	    error, VF_ERROR, VF_ERROR_INVALID_INPUT, "Multipart form parse error - %s", message);
	return FALSE;
}

gchar *
vf_http_multipart_parse_boundary(const gchar *content_type, GError **error)
{
	g_autofree gchar *type = NULL;
	g_autoptr(GHashTable) params = NULL;
	const gchar *boundary;

	if (content_type != NULL)
		type = g_strdup(content_type);
	if (type != NULL) {
		gchar *semi = strchr(type, ';');
		if (semi != NULL) {
			params = soup_header_parse_semi_param_list(semi + 1);
			*semi = '\0';
		}
		g_strstrip(type);
	}
	if (type == NULL || g_ascii_strcasecmp(type, "multipart/form-data") != 0) {
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_INVALID_INPUT,
			    "Unsupported media type \"%s\" in request.",
			    content_type != NULL ? content_type : "");
		return NULL;
	}
	boundary = params != NULL ? g_hash_table_lookup(params, "boundary") : NULL;
	if (boundary == NULL || *boundary == '\0' || strlen(boundary) > MAX_BOUNDARY ||
	    strpbrk(boundary, "\r\n") != NULL) {
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_INVALID_INPUT,
			    "Multipart form parse error - Invalid boundary in multipart: %s",
			    boundary != NULL ? boundary : "None");
		return NULL;
	}
	return g_strdup(boundary);
}

VfHttpMultipart *
vf_http_multipart_new(const gchar *boundary, const gchar *file_dir, gsize max_field_size)
{
	VfHttpMultipart *self = g_new0(VfHttpMultipart, 1);

	g_return_val_if_fail(boundary != NULL && *boundary != '\0', NULL);
	self->delimiter = g_strconcat("\r\n--", boundary, NULL);
	self->delimiter_len = strlen(self->delimiter);
	self->file_dir = g_strdup(file_dir);
	self->max_field_size = max_field_size;
	self->state = STATE_PREAMBLE;
	self->pending = g_byte_array_new();
	/* the virtual CRLF before the first boundary */
	g_byte_array_append(self->pending, (const guint8 *)"\r\n", 2);
	self->parts = g_ptr_array_new_with_free_func((GDestroyNotify)part_free);
	self->fd = -1;
	self->output = g_byte_array_sized_new(WRITE_BUFFER);
	return self;
}

void
vf_http_multipart_free(VfHttpMultipart *self)
{
	if (self == NULL)
		return;
	if (self->fd >= 0)
		close(self->fd);
	g_ptr_array_unref(self->parts);
	g_byte_array_unref(self->pending);
	g_byte_array_unref(self->output);
	g_free(self->delimiter);
	g_free(self->file_dir);
	g_free(self);
}

static gboolean
write_all(VfHttpMultipart *self, const guint8 *data, gsize len, GError **error)
{
	while (len > 0) {
		gssize n = write(self->fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int saved = errno;
			self->failed = TRUE;
			g_set_error(error,
				    VF_ERROR,
				    VF_ERROR_INTERNAL,
				    "cannot write %s: %s",
				    self->current->path,
				    g_strerror(saved));
			return FALSE;
		}
		data += n;
		len -= (gsize)n;
		self->file_bytes += (guint64)n;
	}
	return TRUE;
}

static gboolean
flush(VfHttpMultipart *self, GError **error)
{
	gboolean ok = write_all(self, self->output->data, self->output->len, error);
	g_byte_array_set_size(self->output, 0);
	return ok;
}

/* bytes of the current part's body */
static gboolean
emit(VfHttpMultipart *self, const guint8 *data, gsize len, GError **error)
{
	VfHttpMultipartPart *part = self->current;

	if (len == 0)
		return TRUE;
	part->size += len;
	if (part->value != NULL) {
		if (part->value->len + len > self->max_field_size)
			return fail(self, error, "a form field is too long");
		g_string_append_len(part->value, (const gchar *)data, (gssize)len);
		return TRUE;
	}
	if (self->output->len + len < WRITE_BUFFER) {
		g_byte_array_append(self->output, data, (guint)len);
		return TRUE;
	}
	if (!flush(self, error))
		return FALSE;
	return write_all(self, data, len, error);
}

static gboolean
end_part(VfHttpMultipart *self, GError **error)
{
	if (self->fd >= 0) {
		int rc;
		if (!flush(self, error))
			return FALSE;
		rc = close(self->fd);
		self->fd = -1;
		if (rc != 0) {
			self->failed = TRUE;
			g_set_error(error,
				    VF_ERROR,
				    VF_ERROR_INTERNAL,
				    "cannot write %s: %s",
				    self->current->path,
				    g_strerror(errno));
			return FALSE;
		}
	}
	self->current = NULL;
	return TRUE;
}

static gboolean
is_token(const gchar *text)
{
	if (*text == '\0')
		return FALSE;
	for (const gchar *p = text; *p != '\0'; p++) {
		if (!g_ascii_isalnum(*p) && strchr("!#$%&'*+-.^_`|~", *p) == NULL)
			return FALSE;
	}
	return TRUE;
}

static gboolean
start_part(VfHttpMultipart *self, const gchar *block, gsize len, GError **error)
{
	g_autoptr(SoupMessageHeaders) headers =
	    soup_message_headers_new(SOUP_MESSAGE_HEADERS_MULTIPART);
	g_autofree gchar *text = g_strndup(block, len);
	g_auto(GStrv) lines = NULL;
	g_autofree gchar *disposition = NULL;
	GHashTable *params = NULL;
	VfHttpMultipartPart *part;
	const gchar *name;
	const gchar *filename;

	if (memchr(block, '\0', len) != NULL)
		return fail(self, error, "NUL in part headers");
	if (self->parts->len >= MAX_PARTS)
		return fail(self, error, "too many parts");
	lines = g_strsplit(text, "\r\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		gchar *colon;
		if (*lines[i] == '\0')
			continue;
		colon = strchr(lines[i], ':');
		if (colon == NULL)
			return fail(self, error, "malformed part header");
		*colon = '\0';
		if (!is_token(lines[i]))
			return fail(self, error, "malformed part header");
		soup_message_headers_append(headers, lines[i], g_strstrip(colon + 1));
	}
	if (!soup_message_headers_get_content_disposition(headers, &disposition, &params))
		return fail(self, error, "a part has no Content-Disposition");
	name = g_hash_table_lookup(params, "name");
	filename = g_hash_table_lookup(params, "filename");
	if (g_ascii_strcasecmp(disposition, "form-data") != 0 || name == NULL || *name == '\0') {
		g_hash_table_unref(params);
		return fail(self, error, "a part is not a named form-data field");
	}
	part = g_new0(VfHttpMultipartPart, 1);
	part->name = g_strdup(name);
	if (filename != NULL) {
		/* browsers on Windows may send a whole path: keep its last component */
		const gchar *slash = strrchr(filename, '/');
		const gchar *backslash = strrchr(filename, '\\');
		if (slash != NULL)
			filename = slash + 1;
		if (backslash != NULL && backslash + 1 > filename)
			filename = backslash + 1;
		part->filename = g_strdup(filename);
	}
	part->content_type = g_strdup(soup_message_headers_get_one(headers, "Content-Type"));
	g_hash_table_unref(params);
	g_ptr_array_add(self->parts, part);
	self->current = part;
	if (part->filename == NULL) {
		part->value = g_string_new(NULL);
		return TRUE;
	}
	part->path = g_build_filename(self->file_dir, "upload-XXXXXX", NULL);
	self->fd = g_mkstemp_full(part->path, O_WRONLY | O_CLOEXEC, 0600);
	if (self->fd < 0) {
		int saved = errno;
		self->failed = TRUE;
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_INTERNAL,
			    "cannot create a file in %s: %s",
			    self->file_dir,
			    g_strerror(saved));
		g_clear_pointer(&part->path, g_free);
		return FALSE;
	}
	return TRUE;
}

static void
consume(VfHttpMultipart *self, gsize n)
{
	g_byte_array_remove_range(self->pending, 0, (guint)n);
}

/* runs the state machine over the pending bytes; FALSE on error */
static gboolean
process(VfHttpMultipart *self, GError **error)
{
	for (;;) {
		const guint8 *data = self->pending->data;
		gsize len = self->pending->len;
		const guint8 *hit;

		switch (self->state) {
		case STATE_PREAMBLE:
		case STATE_BODY:
			hit = memmem(data, len, self->delimiter, self->delimiter_len);
			if (hit == NULL) {
				/* keep what may be the start of a delimiter */
				gsize keep = MIN(len, self->delimiter_len - 1);
				if (self->state == STATE_BODY &&
				    !emit(self, data, len - keep, error))
					return FALSE;
				consume(self, len - keep);
				return TRUE;
			}
			if (self->state == STATE_BODY &&
			    (!emit(self, data, (gsize)(hit - data), error) ||
			     !end_part(self, error)))
				return FALSE;
			consume(self, (gsize)(hit - data) + self->delimiter_len);
			self->state = STATE_AFTER_DELIM;
			break;
		case STATE_AFTER_DELIM: {
			gsize i = 0;
			if (len < 2)
				return TRUE;
			if (data[0] == '-' && data[1] == '-') {
				consume(self, len);
				self->state = STATE_EPILOGUE;
				return TRUE;
			}
			/* transport padding, then CRLF (left for the header search) */
			while (i < len && (data[i] == ' ' || data[i] == '\t'))
				i++;
			if (i > MAX_PADDING)
				return fail(self, error, "malformed boundary line");
			if (i == len)
				return TRUE;
			if (data[i] != '\r')
				return fail(self, error, "malformed boundary line");
			consume(self, i);
			self->state = STATE_HEADERS;
			break;
		}
		case STATE_HEADERS:
			/* pending starts with the CRLF that ends the boundary line */
			hit = len >= 4 ? memmem(data, len, "\r\n\r\n", 4) : NULL;
			if (len >= 2 && (data[0] != '\r' || data[1] != '\n'))
				return fail(self, error, "malformed boundary line");
			if (hit == NULL) {
				if (len > MAX_HEADER_BLOCK)
					return fail(self, error, "part headers are too large");
				return TRUE;
			}
			if ((gsize)(hit - data) > MAX_HEADER_BLOCK)
				return fail(self, error, "part headers are too large");
			if (!start_part(self,
					(const gchar *)data + 2,
					hit - data >= 2 ? (gsize)(hit - data) - 2 : 0,
					error))
				return FALSE;
			/* the body starts after the empty line */
			consume(self, (gsize)(hit - data) + 4);
			self->state = STATE_BODY;
			break;
		case STATE_EPILOGUE:
			consume(self, len);
			return TRUE;
		}
	}
}

gboolean
vf_http_multipart_feed(VfHttpMultipart *self, const guint8 *data, gsize len, GError **error)
{
	if (self->failed)
		return fail(self, error, "the body was refused earlier");
	if (self->state == STATE_EPILOGUE)
		return TRUE;
	g_byte_array_append(self->pending, data, (guint)len);
	return process(self, error);
}

gboolean
vf_http_multipart_finish(VfHttpMultipart *self, GError **error)
{
	if (self->failed)
		return fail(self, error, "the body was refused earlier");
	if (self->state != STATE_EPILOGUE) {
		if (self->current != NULL && self->fd >= 0) {
			close(self->fd);
			self->fd = -1;
			g_byte_array_set_size(self->output, 0);
		}
		return fail(self, error, "the body ends before the closing boundary");
	}
	return TRUE;
}

GPtrArray *
vf_http_multipart_get_parts(VfHttpMultipart *self)
{
	return self->parts;
}

VfHttpMultipartPart *
vf_http_multipart_get_part(VfHttpMultipart *self, const gchar *name)
{
	for (guint i = 0; i < self->parts->len; i++) {
		VfHttpMultipartPart *part = g_ptr_array_index(self->parts, i);
		if (g_strcmp0(part->name, name) == 0)
			return part;
	}
	return NULL;
}

gchar *
vf_http_multipart_steal_file(VfHttpMultipart *self, const gchar *name)
{
	VfHttpMultipartPart *part = vf_http_multipart_get_part(self, name);

	if (part == NULL)
		return NULL;
	return g_steal_pointer(&part->path);
}

guint64
vf_http_multipart_get_file_bytes(VfHttpMultipart *self)
{
	return self->file_bytes;
}
