/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfTestSmtp runs `/usr/bin/python3 -m aiosmtpd` (always that interpreter: the
 * python3 first on PATH may lack the module) with vf_test_smtp_recorder.py, which
 * saves each mail as a .eml file. The reader below understands what our transports
 * write: unfolded headers, RFC 2047 words, nested multiparts, quoted-printable and
 * base64 bodies. Main thread of the test program.
 */
#include "config.h"

#include "vf-test-smtp.h"

#include <string.h>

#include "vf-test-util.h"

struct _VfTestSmtp {
	gchar *dir;
	gchar *mail_dir;
	guint16 port;
	guint starts;
	GSubprocess *process;
	VfTestSmtpSecurity security;
	gchar *cert_file;
	gchar *key_file;
};

/* ---- reading mails ---- */

void
vf_test_mail_free(VfTestMail *mail)
{
	if (mail == NULL)
		return;
	g_free(mail->envelope_from);
	g_free(mail->envelope_to);
	g_free(mail->from);
	g_free(mail->to);
	g_free(mail->subject);
	g_free(mail->date);
	g_free(mail->message_id);
	g_free(mail->mime_version);
	g_free(mail->content_type);
	g_free(mail->text);
	g_free(mail->html);
	g_free(mail->raw);
	g_free(mail);
}

static gchar *
to_lf(const gchar *text, gsize len)
{
	GString *out = g_string_sized_new(len);

	for (gsize i = 0; i < len; i++) {
		if (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')
			continue;
		g_string_append_c(out, text[i]);
	}
	return g_string_free(out, FALSE);
}

/* headers (names lower-cased, continuation lines unfolded) and where the body starts */
static GHashTable *
parse_headers(const gchar *entity, gsize len, const gchar **body, gsize *body_len)
{
	g_autoptr(GHashTable) headers =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_autofree gchar *name = NULL;
	g_autoptr(GString) value = NULL;
	const gchar *p = entity;
	const gchar *end = entity + len;

	while (p < end) {
		const gchar *eol = memchr(p, '\n', end - p);
		gsize line_len = (eol != NULL ? eol : end) - p;
		const gchar *next = eol != NULL ? eol + 1 : end;

		if (line_len > 0 && p[line_len - 1] == '\r')
			line_len--;
		if (line_len == 0) {
			p = next;
			break;
		}
		if (p[0] == ' ' || p[0] == '\t') {
			g_assert_nonnull(value);
			g_string_append_len(value, p, line_len);
		} else {
			const gchar *colon = memchr(p, ':', line_len);
			g_assert_nonnull(colon);
			if (name != NULL && !g_hash_table_contains(headers, name))
				g_hash_table_insert(
				    headers,
				    g_steal_pointer(&name),
				    g_strstrip(g_string_free(g_steal_pointer(&value), FALSE)));
			g_clear_pointer(&name, g_free);
			if (value != NULL)
				g_string_free(g_steal_pointer(&value), TRUE);
			name = g_ascii_strdown(p, colon - p);
			value = g_string_new_len(colon + 1, line_len - (colon + 1 - p));
		}
		p = next;
	}
	if (name != NULL && !g_hash_table_contains(headers, name))
		g_hash_table_insert(headers,
				    g_steal_pointer(&name),
				    g_strstrip(g_string_free(g_steal_pointer(&value), FALSE)));
	*body = p;
	*body_len = end - p;
	return g_steal_pointer(&headers);
}

static gint
hex_value(gchar c)
{
	return g_ascii_xdigit_value(c);
}

static gchar *
decode_quoted_printable(const gchar *text, gsize len)
{
	GString *out = g_string_sized_new(len);

	for (gsize i = 0; i < len; i++) {
		if (text[i] != '=') {
			g_string_append_c(out, text[i]);
		} else if (i + 1 < len && text[i + 1] == '\n') {
			i += 1; /* soft line break */
		} else if (i + 2 < len && text[i + 1] == '\r' && text[i + 2] == '\n') {
			i += 2;
		} else {
			g_assert_cmpuint(i + 2, <, len);
			g_assert_cmpint(hex_value(text[i + 1]), >=, 0);
			g_assert_cmpint(hex_value(text[i + 2]), >=, 0);
			g_string_append_c(
			    out, (gchar)(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
			i += 2;
		}
	}
	return g_string_free(out, FALSE);
}

static gboolean
is_blank(const gchar *text, gsize len)
{
	for (gsize i = 0; i < len; i++) {
		if (!g_ascii_isspace(text[i]))
			return FALSE;
	}
	return TRUE;
}

/* RFC 2047 encoded words (UTF-8, B or Q); whitespace between two words is dropped */
static gchar *
decode_header(const gchar *value)
{
	GString *out = g_string_new(NULL);
	const gchar *p = value;
	gboolean previous_was_word = FALSE;

	while (*p != '\0') {
		const gchar *start = strstr(p, "=?");
		const gchar *q1;
		const gchar *q2;
		const gchar *stop;
		g_autofree gchar *charset = NULL;
		g_autofree gchar *text = NULL;

		if (start == NULL) {
			g_string_append(out, p);
			break;
		}
		q1 = strchr(start + 2, '?');
		q2 = q1 != NULL ? strchr(q1 + 1, '?') : NULL;
		stop = q2 != NULL ? strstr(q2 + 1, "?=") : NULL;
		if (stop == NULL || q2 != q1 + 2) {
			g_string_append(out, p);
			break;
		}
		/* keep text between words unless it is only whitespace */
		if (!previous_was_word || !is_blank(p, start - p))
			g_string_append_len(out, p, start - p);
		charset = g_ascii_strdown(start + 2, q1 - start - 2);
		g_assert_cmpstr(charset, ==, "utf-8");
		text = g_strndup(q2 + 1, stop - q2 - 1);
		if (g_ascii_tolower(q1[1]) == 'b') {
			gsize decoded_len = 0;
			g_autofree guchar *decoded = g_base64_decode(text, &decoded_len);
			g_string_append_len(out, (const gchar *)decoded, decoded_len);
		} else {
			g_autofree gchar *decoded = NULL;
			g_strdelimit(text, "_", ' ');
			decoded = decode_quoted_printable(text, strlen(text));
			g_string_append(out, decoded);
		}
		previous_was_word = TRUE;
		p = stop + 2;
	}
	return g_string_free(out, FALSE);
}

/* "text/plain; charset=utf-8" → "text/plain", and the value of one parameter */
static gchar *
content_type_base(const gchar *content_type)
{
	const gchar *semicolon = strchr(content_type, ';');
	g_autofree gchar *base =
	    g_strndup(content_type,
		      semicolon != NULL ? (gsize)(semicolon - content_type) : strlen(content_type));
	return g_ascii_strdown(g_strstrip(base), -1);
}

static gchar *
content_type_parameter(const gchar *content_type, const gchar *parameter)
{
	g_auto(GStrv) params = g_strsplit(content_type, ";", -1);

	for (guint i = 1; params[i] != NULL; i++) {
		gchar *param = g_strstrip(params[i]);
		gsize len = strlen(parameter);
		if (g_ascii_strncasecmp(param, parameter, len) == 0 && param[len] == '=') {
			gchar *value = param + len + 1;
			gsize value_len = strlen(value);
			if (value[0] == '"' && value_len >= 2 && value[value_len - 1] == '"')
				return g_strndup(value + 1, value_len - 2);
			return g_strdup(value);
		}
	}
	return NULL;
}

static void
parse_entity(VfTestMail *mail, const gchar *entity, gsize len, gboolean top)
{
	const gchar *body;
	gsize body_len;
	g_autoptr(GHashTable) headers = parse_headers(entity, len, &body, &body_len);
	const gchar *content_type = g_hash_table_lookup(headers, "content-type");
	g_autofree gchar *type =
	    content_type_base(content_type != NULL ? content_type : "text/plain");

	if (top) {
		mail->envelope_from = g_strdup(g_hash_table_lookup(headers, "x-envelope-from"));
		mail->envelope_to = g_strdup(g_hash_table_lookup(headers, "x-envelope-to"));
		mail->from = g_strdup(g_hash_table_lookup(headers, "from"));
		mail->to = g_strdup(g_hash_table_lookup(headers, "to"));
		if (g_hash_table_lookup(headers, "subject") != NULL)
			mail->subject = decode_header(g_hash_table_lookup(headers, "subject"));
		mail->date = g_strdup(g_hash_table_lookup(headers, "date"));
		mail->message_id = g_strdup(g_hash_table_lookup(headers, "message-id"));
		mail->mime_version = g_strdup(g_hash_table_lookup(headers, "mime-version"));
		mail->content_type = g_strdup(type);
	}

	if (g_str_has_prefix(type, "multipart/")) {
		g_autofree gchar *boundary = content_type_parameter(content_type, "boundary");
		g_autofree gchar *delimiter = NULL;
		const gchar *p = body;
		const gchar *end = body + body_len;
		const gchar *part = NULL;
		gboolean closed = FALSE;

		g_assert_nonnull(boundary);
		delimiter = g_strdup_printf("--%s", boundary);
		/* walk the lines; a delimiter line ends the previous part */
		while (p < end && !closed) {
			const gchar *eol = memchr(p, '\n', end - p);
			const gchar *next = eol != NULL ? eol + 1 : end;
			gsize line_len = (eol != NULL ? eol : end) - p;
			gsize delimiter_len = strlen(delimiter);

			if (line_len >= delimiter_len && memcmp(p, delimiter, delimiter_len) == 0) {
				gboolean last = line_len >= delimiter_len + 2 &&
						memcmp(p + delimiter_len, "--", 2) == 0;
				if (part != NULL) {
					/* the CRLF before the delimiter belongs to it */
					const gchar *part_end = p;
					if (part_end > part && part_end[-1] == '\n')
						part_end--;
					if (part_end > part && part_end[-1] == '\r')
						part_end--;
					parse_entity(mail, part, part_end - part, FALSE);
				}
				part = next;
				closed = last;
			}
			p = next;
		}
		g_assert_true(closed);
		return;
	}

	{
		const gchar *encoding = g_hash_table_lookup(headers, "content-transfer-encoding");
		g_autofree gchar *decoded = NULL;
		g_autofree gchar *lf = NULL;

		if (encoding != NULL && g_ascii_strcasecmp(encoding, "quoted-printable") == 0) {
			decoded = decode_quoted_printable(body, body_len);
		} else if (encoding != NULL && g_ascii_strcasecmp(encoding, "base64") == 0) {
			g_autofree gchar *copy = g_strndup(body, body_len);
			gsize decoded_len = 0;
			guchar *bytes = g_base64_decode(copy, &decoded_len);
			decoded = g_strndup((const gchar *)bytes, decoded_len);
			g_free(bytes);
		} else {
			decoded = g_strndup(body, body_len);
		}
		g_assert_true(g_utf8_validate(decoded, -1, NULL));
		lf = to_lf(decoded, strlen(decoded));
		if (g_strcmp0(type, "text/plain") == 0 && mail->text == NULL)
			mail->text = g_steal_pointer(&lf);
		else if (g_strcmp0(type, "text/html") == 0 && mail->html == NULL)
			mail->html = g_steal_pointer(&lf);
	}
}

VfTestMail *
vf_test_mail_parse(const gchar *raw)
{
	VfTestMail *mail = g_new0(VfTestMail, 1);

	mail->raw = g_strdup(raw);
	parse_entity(mail, raw, strlen(raw), TRUE);
	return mail;
}

gchar *
vf_test_mail_extract_link(const gchar *body, const gchar *prefix)
{
	const gchar *start;
	const gchar *end;
	g_autofree gchar *link = NULL;
	g_auto(GStrv) pieces = NULL;

	if (body == NULL || (start = strstr(body, prefix)) == NULL)
		return NULL;
	for (end = start;
	     *end != '\0' && !g_ascii_isspace(*end) && *end != '"' && *end != '<' && *end != '\'';
	     end++)
		;
	link = g_strndup(start, end - start);
	pieces = g_strsplit(link, "&amp;", -1);
	return g_strjoinv("&", pieces);
}

/* ---- the listener ---- */

static gboolean
port_accepts(guint16 port)
{
	g_autoptr(GSocketClient) client = g_socket_client_new();
	g_autoptr(GSocketConnection) connection = NULL;

	g_socket_client_set_enable_proxy(client, FALSE);
	g_socket_client_set_timeout(client, 2);
	connection = g_socket_client_connect_to_host(client, "127.0.0.1", port, NULL, NULL);
	return connection != NULL;
}

void
vf_test_smtp_start(VfTestSmtp *self)
{
	g_autoptr(GSubprocessLauncher) launcher = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *listen = NULL;
	g_autofree gchar *log_name = NULL;
	g_autofree gchar *log_path = NULL;
	g_autofree gchar *python_path = vf_test_source_path("tests/harness");
	gint64 deadline = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;

	g_assert_null(self->process);
	listen = g_strdup_printf("127.0.0.1:%u", self->port);
	log_name = g_strdup_printf("aiosmtpd-%u.log", ++self->starts);
	log_path = g_build_filename(self->dir, log_name, NULL);

	launcher = vf_test_launcher_new(G_SUBPROCESS_FLAGS_STDERR_MERGE);
	g_subprocess_launcher_setenv(launcher, "PYTHONPATH", python_path, TRUE);
	g_subprocess_launcher_setenv(launcher, "PYTHONDONTWRITEBYTECODE", "1", TRUE);
	g_subprocess_launcher_set_stdout_file_path(launcher, log_path);
	{
		g_autoptr(GPtrArray) argv = g_ptr_array_new();
		g_ptr_array_add(argv, (gpointer) "/usr/bin/python3");
		g_ptr_array_add(argv, (gpointer) "-m");
		g_ptr_array_add(argv, (gpointer) "aiosmtpd");
		g_ptr_array_add(argv, (gpointer) "-n");
		g_ptr_array_add(argv, (gpointer) "-l");
		g_ptr_array_add(argv, listen);
		if (self->security == VF_TEST_SMTP_STARTTLS) {
			g_ptr_array_add(argv, (gpointer) "--tlscert");
			g_ptr_array_add(argv, self->cert_file);
			g_ptr_array_add(argv, (gpointer) "--tlskey");
			g_ptr_array_add(argv, self->key_file);
		} else if (self->security == VF_TEST_SMTP_SMTPS) {
			g_ptr_array_add(argv, (gpointer) "--smtpscert");
			g_ptr_array_add(argv, self->cert_file);
			g_ptr_array_add(argv, (gpointer) "--smtpskey");
			g_ptr_array_add(argv, self->key_file);
		}
		g_ptr_array_add(argv, (gpointer) "-c");
		g_ptr_array_add(argv, (gpointer) "vf_test_smtp_recorder.Recorder");
		g_ptr_array_add(argv, self->mail_dir);
		g_ptr_array_add(argv, NULL);
		self->process = g_subprocess_launcher_spawnv(
		    launcher, (const gchar *const *)argv->pdata, &error);
	}
	g_assert_no_error(error);

	while (!port_accepts(self->port)) {
		if (g_get_monotonic_time() > deadline ||
		    g_subprocess_get_identifier(self->process) == NULL) {
			g_autofree gchar *log = NULL;
			g_file_get_contents(log_path, &log, NULL, NULL);
			g_error(
			    "aiosmtpd did not start on %s:\n%s", listen, log != NULL ? log : "");
		}
		g_usleep(20 * 1000);
	}
	g_debug("SMTP listener on %s", listen);
}

void
vf_test_smtp_stop(VfTestSmtp *self)
{
	if (self->process == NULL)
		return;
	g_subprocess_force_exit(self->process);
	g_subprocess_wait(self->process, NULL, NULL);
	g_clear_object(&self->process);
}

static void
make_certificate(VfTestSmtp *self)
{
	g_autoptr(GSubprocessLauncher) launcher =
	    vf_test_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
	g_autoptr(GSubprocess) process = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *output = NULL;

	self->cert_file = g_build_filename(self->dir, "cert.pem", NULL);
	self->key_file = g_build_filename(self->dir, "key.pem", NULL);
	process = g_subprocess_launcher_spawn(launcher,
					      &error,
					      "openssl",
					      "req",
					      "-x509",
					      "-newkey",
					      "rsa:2048",
					      "-nodes",
					      "-days",
					      "2",
					      "-subj",
					      "/CN=127.0.0.1",
					      "-addext",
					      "subjectAltName=IP:127.0.0.1",
					      "-keyout",
					      self->key_file,
					      "-out",
					      self->cert_file,
					      NULL);
	g_assert_no_error(error);
	g_subprocess_communicate_utf8(process, NULL, NULL, &output, NULL, &error);
	g_assert_no_error(error);
	if (!g_subprocess_get_successful(process))
		g_error("openssl req failed:\n%s", output);
}

VfTestSmtp *
vf_test_smtp_new_full(VfTestSmtpSecurity security)
{
	VfTestSmtp *self = g_new0(VfTestSmtp, 1);

	self->security = security;
	self->dir = vf_test_make_tmpdir("vf-test-smtp");
	self->mail_dir = g_build_filename(self->dir, "mail", NULL);
	g_assert_cmpint(g_mkdir_with_parents(self->mail_dir, 0700), ==, 0);
	if (security != VF_TEST_SMTP_PLAIN)
		make_certificate(self);
	self->port = vf_test_free_port();
	vf_test_smtp_start(self);
	return self;
}

VfTestSmtp *
vf_test_smtp_new(void)
{
	return vf_test_smtp_new_full(VF_TEST_SMTP_PLAIN);
}

const gchar *
vf_test_smtp_get_ca_file(VfTestSmtp *self)
{
	return self->cert_file;
}

guint16
vf_test_smtp_get_port(VfTestSmtp *self)
{
	return self->port;
}

static gint
compare_names(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(const gchar *const *)a, *(const gchar *const *)b);
}

static GPtrArray *
list_mail_files(VfTestSmtp *self)
{
	g_autoptr(GDir) dir = g_dir_open(self->mail_dir, 0, NULL);
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	const gchar *name;

	g_assert_nonnull(dir);
	while ((name = g_dir_read_name(dir)) != NULL) {
		if (name[0] != '.' && g_str_has_suffix(name, ".eml"))
			g_ptr_array_add(names, g_strdup(name));
	}
	g_ptr_array_sort(names, compare_names);
	return names;
}

guint
vf_test_smtp_count_messages(VfTestSmtp *self)
{
	g_autoptr(GPtrArray) names = list_mail_files(self);
	return names->len;
}

GPtrArray *
vf_test_smtp_get_messages(VfTestSmtp *self)
{
	g_autoptr(GPtrArray) names = list_mail_files(self);
	GPtrArray *mails = g_ptr_array_new_with_free_func((GDestroyNotify)vf_test_mail_free);

	for (guint i = 0; i < names->len; i++) {
		g_autofree gchar *path = g_build_filename(self->mail_dir, names->pdata[i], NULL);
		g_autofree gchar *raw = NULL;
		g_autoptr(GError) error = NULL;

		g_file_get_contents(path, &raw, NULL, &error);
		g_assert_no_error(error);
		g_ptr_array_add(mails, vf_test_mail_parse(raw));
	}
	return mails;
}

typedef struct {
	VfTestSmtp *self;
	guint n;
} WaitData;

static gboolean
enough_messages(gpointer data)
{
	WaitData *wait = data;
	return vf_test_smtp_count_messages(wait->self) >= wait->n;
}

gboolean
vf_test_smtp_wait_for_messages(VfTestSmtp *self, guint n, guint timeout_ms)
{
	WaitData wait = {self, n};
	return vf_test_wait_until(enough_messages, &wait, timeout_ms);
}

void
vf_test_smtp_free(VfTestSmtp *self)
{
	if (self == NULL)
		return;
	vf_test_smtp_stop(self);
	vf_test_rm_rf(self->dir);
	g_free(self->dir);
	g_free(self->mail_dir);
	g_free(self->cert_file);
	g_free(self->key_file);
	g_free(self);
}
