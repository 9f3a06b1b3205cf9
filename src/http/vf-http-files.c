/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Files from disk. The name is checked, then opened relative to the folder with
 * O_NOFOLLOW (a symlink placed in MEDIA_ROOT is refused) and O_NONBLOCK (a FIFO
 * never blocks the loop), and must be a regular file. Its mapping is the response
 * body, so the page cache serves it and libsoup cuts Range requests itself.
 */
#include "config.h"

#include "vf-http-files.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vf-error.h"

gboolean
vf_http_files_name_is_safe(const gchar *name)
{
	if (name == NULL || *name == '\0' || *name == '.' || strstr(name, "..") != NULL ||
	    strlen(name) > 255)
		return FALSE;
	for (const gchar *p = name; *p != '\0'; p++) {
		if (!g_ascii_isalnum(*p) && *p != '_' && *p != '.' && *p != '-')
			return FALSE;
	}
	return TRUE;
}

const gchar *
vf_http_files_content_type(const gchar *name)
{
	static const struct {
		const gchar *suffix;
		const gchar *type;
	} types[] = {
	    {".m3u8", "application/vnd.apple.mpegurl"},
	    {".ts", "video/MP2T"},
	    {".jpg", "image/jpeg"},
	    {".jpeg", "image/jpeg"},
	    {".png", "image/png"},
	    {".gif", "image/gif"},
	    {".webp", "image/webp"},
	};
	g_autofree gchar *lower = g_ascii_strdown(name, -1);

	for (guint i = 0; i < G_N_ELEMENTS(types); i++) {
		if (g_str_has_suffix(lower, types[i].suffix))
			return types[i].type;
	}
	return "application/octet-stream";
}

static const gchar *
cache_control(VfHttpFileKind kind)
{
	switch (kind) {
	case VF_HTTP_FILE_SEGMENT:
		return "private, max-age=300";
	case VF_HTTP_FILE_THUMBNAIL:
		return "public, max-age=3600";
	case VF_HTTP_FILE_PLAYLIST:
	default:
		return "private";
	}
}

/* If-None-Match: "*", or a list of (possibly weak) tags; weak comparison */
static gboolean
etag_matches(const gchar *header, const gchar *etag)
{
	g_auto(GStrv) tags = NULL;

	if (header == NULL)
		return FALSE;
	tags = g_strsplit(header, ",", -1);
	for (guint i = 0; tags[i] != NULL; i++) {
		const gchar *tag = g_strstrip(tags[i]);
		if (g_str_has_prefix(tag, "W/"))
			tag += 2;
		if (g_strcmp0(tag, "*") == 0 || g_strcmp0(tag, etag) == 0)
			return TRUE;
	}
	return FALSE;
}

static gboolean
not_modified_since(const gchar *header, gint64 mtime_s)
{
	g_autoptr(GDateTime) since = NULL;

	if (header == NULL)
		return FALSE;
	since = soup_date_time_new_from_http_string(header);
	return since != NULL && mtime_s <= g_date_time_to_unix(since);
}

/* libsoup 3.2 cuts Range itself from a complete body but hits a critical on a
 * range ending past the end (bytes=10-999999): rewrite the header with the ends
 * clamped; an unsatisfiable or malformed header is left for libsoup to answer */
static gboolean
normalize_range(SoupMessageHeaders *request_headers, goffset size)
{
	guint kept = 0;
	SoupRange *ranges = NULL;
	gint n = 0;
	g_autoptr(GString) header = NULL;

	if (soup_message_headers_get_one(request_headers, "Range") == NULL)
		return TRUE;
	if (size == 0) {
		soup_message_headers_remove(request_headers, "Range");
		return TRUE;
	}
	if (!soup_message_headers_get_ranges(request_headers, size, &ranges, &n))
		return TRUE;
	header = g_string_new("bytes=");
	for (gint i = 0; i < n; i++) {
		goffset start = ranges[i].start;
		goffset end = ranges[i].end < 0 || ranges[i].end >= size ? size - 1 : ranges[i].end;
		/* a suffix longer than the file means the whole file (RFC 9110 §14.1.2) */
		if (start < 0)
			start = 0;
		if (start >= size || start > end)
			continue;
		g_string_append_printf(header,
				       "%s%" G_GOFFSET_FORMAT "-%" G_GOFFSET_FORMAT,
				       kept++ > 0 ? "," : "",
				       start,
				       end);
	}
	soup_message_headers_free_ranges(request_headers, ranges);
	if (kept == 0)
		return FALSE;
	soup_message_headers_replace(request_headers, "Range", header->str);
	return TRUE;
}

static gboolean
not_found(GError **error, const gchar *name, const gchar *why)
{
	g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND, "%s: %s", name, why);
	return FALSE;
}

gboolean
vf_http_files_respond(VfHttpRequest *request,
		      const gchar *dir,
		      const gchar *name,
		      VfHttpFileKind kind,
		      GError **error)
{
	SoupServerMessage *msg = vf_http_request_get_message(request);
	SoupMessageHeaders *request_headers = soup_server_message_get_request_headers(msg);
	SoupMessageHeaders *headers = soup_server_message_get_response_headers(msg);
	g_autoptr(GMappedFile) mapped = NULL;
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(GDateTime) modified = NULL;
	g_autofree gchar *etag = NULL;
	g_autofree gchar *last_modified = NULL;
	g_autoptr(GError) local_error = NULL;
	const gchar *if_none_match;
	struct stat st;
	int dir_fd;
	int fd;

	if (!vf_http_files_name_is_safe(name))
		return not_found(error, "(unsafe name)", "refused");
	dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0)
		return not_found(error, dir, g_strerror(errno));
	fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	close(dir_fd);
	if (fd < 0)
		return not_found(error, name, g_strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return not_found(error, name, "not a regular file");
	}

	etag = g_strdup_printf("\"%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x\"",
			       (gint64)st.st_size,
			       (gint64)st.st_mtim.tv_sec * G_GINT64_CONSTANT(1000000000) +
				   st.st_mtim.tv_nsec);
	modified = g_date_time_new_from_unix_utc(st.st_mtim.tv_sec);
	last_modified = soup_date_time_to_string(modified, SOUP_DATE_HTTP);
	soup_message_headers_replace(headers, "ETag", etag);
	soup_message_headers_replace(headers, "Last-Modified", last_modified);
	soup_message_headers_replace(headers, "Cache-Control", cache_control(kind));
	soup_message_headers_replace(headers, "Accept-Ranges", "bytes");

	if_none_match = soup_message_headers_get_one(request_headers, "If-None-Match");
	if (if_none_match != NULL ? etag_matches(if_none_match, etag)
				  : not_modified_since(soup_message_headers_get_one(
							   request_headers, "If-Modified-Since"),
						       st.st_mtim.tv_sec)) {
		close(fd);
		vf_http_request_respond_bytes(request, 304, NULL, NULL);
		return TRUE;
	}

	if (!normalize_range(request_headers, st.st_size)) {
		g_autofree gchar *range =
		    g_strdup_printf("bytes */%" G_GINT64_FORMAT, (gint64)st.st_size);
		close(fd);
		soup_message_headers_replace(headers, "Content-Range", range);
		vf_http_request_respond_bytes(request, 416, NULL, NULL);
		return TRUE;
	}
	if (st.st_size == 0) {
		bytes = g_bytes_new(NULL, 0);
	} else {
		mapped = g_mapped_file_new_from_fd(fd, FALSE, &local_error);
		if (mapped == NULL) {
			close(fd);
			return not_found(error, name, local_error->message);
		}
		bytes = g_mapped_file_get_bytes(mapped);
	}
	close(fd);
	vf_http_request_respond_bytes(request, 200, vf_http_files_content_type(name), bytes);
	return TRUE;
}
