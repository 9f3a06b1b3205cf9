/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The multipart/form-data parser fed the same bodies in chunks of every size,
 * malformed bodies, oversized headers and fields, and bodies that stop early.
 */
#include "config.h"

#include <string.h>

#include "vf-error.h"
#include "vf-http-multipart.h"
#include "vf-test-util.h"

#define BOUNDARY "----vfBoundary7MA4YWxk"

static GByteArray *
file_bytes(void)
{
	GByteArray *bytes = g_byte_array_new();
	/* binary content with NULs, CRLFs and almost-delimiters */
	const gchar *tricky = "\r\n------vfBoundary7MA4YWx\r\n-\r\n--"
			      "----vf\r\n\r\n";
	for (guint i = 0; i < 700; i++) {
		guint8 b = (guint8)(i * 7 + 3);
		g_byte_array_append(bytes, &b, 1);
		if (i % 97 == 0)
			g_byte_array_append(bytes, (const guint8 *)tricky, (guint)strlen(tricky));
	}
	return bytes;
}

static GByteArray *
good_body(void)
{
	g_autoptr(GByteArray) content = file_bytes();
	GByteArray *body = g_byte_array_new();
	const gchar *head = "preamble to be ignored\r\n"
			    "--" BOUNDARY "\r\n"
			    "Content-Disposition: form-data; name=\"title\"\r\n"
			    "\r\n"
			    "My clip\r\n"
			    "--" BOUNDARY "  \r\n"
			    "content-disposition: form-data; name=\"description\"\r\n"
			    "Content-Type: text/plain; charset=utf-8\r\n"
			    "\r\n"
			    "line one\r\n--not the boundary\r\nline three\r\n"
			    "--" BOUNDARY "\r\n"
			    "Content-Disposition: form-data; name=\"empty\"\r\n"
			    "\r\n"
			    "\r\n"
			    "--" BOUNDARY "\r\n"
			    "Content-Disposition: form-data; name=\"video_file\"; "
			    "filename=\"C:\\\\dir\\\\clip.mp4\"\r\n"
			    "Content-Type: video/mp4\r\n"
			    "\r\n";
	const gchar *tail = "\r\n--" BOUNDARY "--\r\nepilogue, ignored\r\n";

	g_byte_array_append(body, (const guint8 *)head, (guint)strlen(head));
	g_byte_array_append(body, content->data, content->len);
	g_byte_array_append(body, (const guint8 *)tail, (guint)strlen(tail));
	return body;
}

static guint
count_files(const gchar *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	guint n = 0;
	while (d != NULL && g_dir_read_name(d) != NULL)
		n++;
	return n;
}

static gboolean
feed_in_chunks(VfHttpMultipart *parser, GByteArray *body, gsize chunk, GError **error)
{
	for (gsize off = 0; off < body->len; off += chunk) {
		if (!vf_http_multipart_feed(
			parser, body->data + off, MIN(chunk, body->len - off), error))
			return FALSE;
	}
	return vf_http_multipart_finish(parser, error);
}

static void
test_chunks(void)
{
	g_autofree gchar *dir = vf_test_make_tmpdir("vf-multipart-");
	g_autoptr(GByteArray) body = good_body();
	g_autoptr(GByteArray) expected = file_bytes();

	for (gsize chunk = 1; chunk <= body->len; chunk++) {
		g_autoptr(VfHttpMultipart) parser = vf_http_multipart_new(BOUNDARY, dir, 1024);
		g_autoptr(GError) error = NULL;
		g_autofree gchar *contents = NULL;
		gsize len = 0;
		VfHttpMultipartPart *part;

		if (!feed_in_chunks(parser, body, chunk, &error))
			g_error("chunk size %" G_GSIZE_FORMAT ": %s", chunk, error->message);
		g_assert_cmpuint(vf_http_multipart_get_parts(parser)->len, ==, 4);
		part = vf_http_multipart_get_part(parser, "title");
		g_assert_cmpstr(part->value->str, ==, "My clip");
		g_assert_null(part->filename);
		g_assert_null(part->path);
		part = vf_http_multipart_get_part(parser, "description");
		g_assert_cmpstr(
		    part->value->str, ==, "line one\r\n--not the boundary\r\nline three");
		g_assert_cmpstr(part->content_type, ==, "text/plain; charset=utf-8");
		part = vf_http_multipart_get_part(parser, "empty");
		g_assert_cmpstr(part->value->str, ==, "");
		part = vf_http_multipart_get_part(parser, "video_file");
		g_assert_cmpstr(part->filename, ==, "clip.mp4");
		g_assert_cmpstr(part->content_type, ==, "video/mp4");
		g_assert_null(part->value);
		g_assert_cmpuint(part->size, ==, expected->len);
		g_assert_cmpuint(vf_http_multipart_get_file_bytes(parser), ==, expected->len);
		g_assert_true(g_file_get_contents(part->path, &contents, &len, NULL));
		g_assert_cmpmem(contents, len, expected->data, expected->len);
		g_assert_cmpuint(count_files(dir), ==, 1);
		g_clear_pointer(&parser, vf_http_multipart_free);
		/* the parser removes the files it still owns */
		g_assert_cmpuint(count_files(dir), ==, 0);
	}
	vf_test_rm_rf(dir);
}

static void
test_steal(void)
{
	g_autofree gchar *dir = vf_test_make_tmpdir("vf-multipart-");
	g_autoptr(GByteArray) body = good_body();
	g_autoptr(VfHttpMultipart) parser = vf_http_multipart_new(BOUNDARY, dir, 1024);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *path = NULL;

	g_assert_true(feed_in_chunks(parser, body, 4096, &error));
	g_assert_no_error(error);
	path = vf_http_multipart_steal_file(parser, "video_file");
	g_assert_nonnull(path);
	g_assert_null(vf_http_multipart_steal_file(parser, "video_file"));
	g_assert_null(vf_http_multipart_steal_file(parser, "nope"));
	g_clear_pointer(&parser, vf_http_multipart_free);
	g_assert_true(g_file_test(path, G_FILE_TEST_IS_REGULAR));
	vf_test_rm_rf(dir);
}

static void
test_malformed(void)
{
	g_autofree gchar *dir = vf_test_make_tmpdir("vf-multipart-");
	g_autofree gchar *huge_header = NULL;
	g_autofree gchar *long_field = NULL;
	g_autoptr(GString) many = g_string_new(NULL);
	g_autofree gchar *filler = g_strnfill(9000, 'a');
	g_autofree gchar *field_value = g_strnfill(1025, 'b');
	struct {
		const gchar *name;
		const gchar *body;
		VfError code;
	} rows[] = {
	    {"empty body", "", VF_ERROR_INVALID_INPUT},
	    {"no boundary at all", "just some text\r\n", VF_ERROR_INVALID_INPUT},
	    {"missing final boundary",
	     "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx",
	     VF_ERROR_INVALID_INPUT},
	    {"missing final boundary after a part",
	     "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--" BOUNDARY
	     "\r\n",
	     VF_ERROR_INVALID_INPUT},
	    {"garbage after boundary",
	     "--" BOUNDARY
	     "xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--" BOUNDARY "--\r\n",
	     VF_ERROR_INVALID_INPUT},
	    {"bare LF after boundary",
	     "--" BOUNDARY "\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--" BOUNDARY
	     "--\r\n",
	     VF_ERROR_INVALID_INPUT},
	    {"no Content-Disposition",
	     "--" BOUNDARY "\r\nContent-Type: text/plain\r\n\r\nx\r\n--" BOUNDARY "--\r\n",
	     VF_ERROR_INVALID_INPUT},
	    {"no headers",
	     "--" BOUNDARY "\r\n\r\nx\r\n--" BOUNDARY "--\r\n",
	     VF_ERROR_INVALID_INPUT},
	    {"no name",
	     "--" BOUNDARY
	     "\r\nContent-Disposition: form-data; filename=\"a.mp4\"\r\n\r\nx\r\n--" BOUNDARY
	     "--\r\n",
	     VF_ERROR_INVALID_INPUT},
	    {"not form-data",
	     "--" BOUNDARY "\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--" BOUNDARY
	     "--\r\n",
	     VF_ERROR_INVALID_INPUT},
	    {"header without colon",
	     "--" BOUNDARY "\r\nContent-Disposition form-data; name=\"a\"\r\n\r\nx\r\n--" BOUNDARY
	     "--\r\n",
	     VF_ERROR_INVALID_INPUT},
	};

	huge_header = g_strdup_printf("--" BOUNDARY "\r\nContent-Disposition: form-data; "
				      "name=\"a\"\r\nX-Filler: %s\r\n\r\nx\r\n--" BOUNDARY "--\r\n",
				      filler);
	long_field = g_strdup_printf("--" BOUNDARY "\r\nContent-Disposition: form-data; "
				     "name=\"a\"\r\n\r\n%s\r\n--" BOUNDARY "--\r\n",
				     field_value);
	for (guint i = 0; i < 40; i++)
		g_string_append_printf(many,
				       "--" BOUNDARY "\r\nContent-Disposition: form-data; "
				       "name=\"f%u\"\r\n\r\nx\r\n",
				       i);
	g_string_append(many, "--" BOUNDARY "--\r\n");

	for (guint r = 0; r < G_N_ELEMENTS(rows) + 3; r++) {
		const gchar *name = r < G_N_ELEMENTS(rows)	  ? rows[r].name
				    : r == G_N_ELEMENTS(rows)	  ? "huge header"
				    : r == G_N_ELEMENTS(rows) + 1 ? "long field"
								  : "too many parts";
		const gchar *text = r < G_N_ELEMENTS(rows)	  ? rows[r].body
				    : r == G_N_ELEMENTS(rows)	  ? huge_header
				    : r == G_N_ELEMENTS(rows) + 1 ? long_field
								  : many->str;
		g_autoptr(GByteArray) body = g_byte_array_new();

		g_byte_array_append(body, (const guint8 *)text, (guint)strlen(text));
		for (gsize chunk = 1; chunk <= MAX(body->len, 1); chunk += (chunk < 64 ? 1 : 37)) {
			g_autoptr(VfHttpMultipart) parser =
			    vf_http_multipart_new(BOUNDARY, dir, 1024);
			g_autoptr(GError) error = NULL;

			if (feed_in_chunks(parser, body, chunk, &error))
				g_error("%s (chunk %" G_GSIZE_FORMAT "): accepted", name, chunk);
			g_assert_error(error, VF_ERROR, VF_ERROR_INVALID_INPUT);
			g_assert_true(
			    g_str_has_prefix(error->message, "Multipart form parse error - "));
		}
		g_assert_cmpuint(count_files(dir), ==, 0);
	}
	vf_test_rm_rf(dir);
}

static void
test_truncated_file(void)
{
	g_autofree gchar *dir = vf_test_make_tmpdir("vf-multipart-");
	g_autoptr(GByteArray) body = good_body();

	/* every cut of a good body fails at finish and leaves no file behind */
	for (guint cut = 0; cut < body->len - strlen("--\r\nepilogue, ignored\r\n"); cut += 13) {
		g_autoptr(GByteArray) part = g_byte_array_new();
		g_autoptr(VfHttpMultipart) parser = vf_http_multipart_new(BOUNDARY, dir, 1024);
		g_autoptr(GError) error = NULL;

		g_byte_array_append(part, body->data, cut);
		g_assert_false(feed_in_chunks(parser, part, 100, &error));
		g_assert_error(error, VF_ERROR, VF_ERROR_INVALID_INPUT);
		g_clear_pointer(&parser, vf_http_multipart_free);
		g_assert_cmpuint(count_files(dir), ==, 0);
	}
	vf_test_rm_rf(dir);
}

static void
test_boundary(void)
{
	struct {
		const gchar *content_type;
		const gchar *boundary;
	} rows[] = {
	    {"multipart/form-data; boundary=abc", "abc"},
	    {"Multipart/Form-Data ; boundary=\"a b:c\"", "a b:c"},
	    {"multipart/form-data; charset=utf-8; boundary=----x", "----x"},
	    {"multipart/form-data", NULL},
	    {"multipart/form-data; boundary=", NULL},
	    {"multipart/form-data; boundary=\"\"", NULL},
	    {"application/json", NULL},
	    {"multipart/mixed; boundary=abc", NULL},
	    {NULL, NULL},
	};
	g_autofree gchar *long_type = g_strdup_printf("multipart/form-data; boundary=%071d", 0);
	g_autoptr(GError) long_error = NULL;

	for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
		g_autoptr(GError) error = NULL;
		g_autofree gchar *boundary =
		    vf_http_multipart_parse_boundary(rows[i].content_type, &error);
		g_assert_cmpstr(boundary, ==, rows[i].boundary);
		if (rows[i].boundary == NULL)
			g_assert_error(error, VF_ERROR, VF_ERROR_INVALID_INPUT);
	}
	g_assert_null(vf_http_multipart_parse_boundary(long_type, &long_error));
	g_assert_error(long_error, VF_ERROR, VF_ERROR_INVALID_INPUT);
}

int
main(int argc, char **argv)
{
	vf_test_init(&argc, &argv, 120);
	g_test_add_func("/http/multipart/chunks", test_chunks);
	g_test_add_func("/http/multipart/steal", test_steal);
	g_test_add_func("/http/multipart/malformed", test_malformed);
	g_test_add_func("/http/multipart/truncated", test_truncated_file);
	g_test_add_func("/http/multipart/boundary", test_boundary);
	return g_test_run();
}
