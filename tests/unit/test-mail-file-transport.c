/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * EMAIL_BACKEND=file: each mail is one complete .eml file that parses as RFC 5322
 * + MIME (headers, RFC 2047 subject, quoted-printable text and HTML parts), and
 * header injection is refused.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "vf-error.h"
#include "vf-mail-activation.h"
#include "vf-mail-file-transport.h"
#include "vf-mail-password-reset.h"
#include "vf-test-smtp.h"
#include "vf-test-util.h"

#define FROM "Videoflix <noreply@videoflix.example>"

typedef struct {
	gchar *dir;
	gchar *mail_dir;
	VfMailTransport *transport;
} Fixture;

static void
fixture_setup(Fixture *fixture, gconstpointer data)
{
	fixture->dir = vf_test_make_tmpdir("vf-test-mail-file");
	/* not there yet: the transport creates it */
	fixture->mail_dir = g_build_filename(fixture->dir, "mail", NULL);
	fixture->transport = vf_mail_file_transport_new(fixture->mail_dir, FROM);
}

static void
fixture_teardown(Fixture *fixture, gconstpointer data)
{
	g_clear_object(&fixture->transport);
	vf_test_rm_rf(fixture->dir);
	g_free(fixture->dir);
	g_free(fixture->mail_dir);
}

/* every file in the mail directory, sorted; asserts there are no others */
static GPtrArray *
read_mails(Fixture *fixture)
{
	g_autoptr(GDir) dir = g_dir_open(fixture->mail_dir, 0, NULL);
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *mails = g_ptr_array_new_with_free_func((GDestroyNotify)vf_test_mail_free);
	const gchar *name;

	g_assert_nonnull(dir);
	while ((name = g_dir_read_name(dir)) != NULL) {
		/* no temporary files left behind */
		g_assert_true(g_str_has_suffix(name, ".eml"));
		g_ptr_array_add(names, g_strdup(name));
	}
	for (guint i = 0; i < names->len; i++) {
		g_autofree gchar *path = g_build_filename(fixture->mail_dir, names->pdata[i], NULL);
		g_autofree gchar *raw = NULL;
		GStatBuf st;

		g_assert_true(g_file_get_contents(path, &raw, NULL, NULL));
		g_assert_cmpint(g_stat(path, &st), ==, 0);
		g_assert_cmpint(st.st_mode & 0777, ==, 0600);
		g_ptr_array_add(mails, vf_test_mail_parse(raw));
	}
	return mails;
}

static void
assert_crlf_only(const gchar *raw)
{
	for (const gchar *p = raw; *p != '\0'; p++) {
		if (*p == '\n')
			g_assert_true(p > raw && p[-1] == '\r');
		if (*p == '\r')
			g_assert_true(p[1] == '\n');
	}
}

static void
assert_short_lines(const gchar *raw)
{
	g_auto(GStrv) lines = g_strsplit(raw, "\r\n", -1);

	for (guint i = 0; lines[i] != NULL; i++)
		g_assert_cmpuint(strlen(lines[i]), <=, 998);
}

static void
test_english(Fixture *fixture, gconstpointer data)
{
	const gchar *link = "http://localhost:5500/pages/auth/activate.html?uid=MQ&token=t0k3n";
	g_autoptr(VfMailMessage) message = vf_mail_activation_new("en", "user@example.com", link);
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) mails = NULL;
	g_autofree gchar *text_link = NULL;
	g_autofree gchar *html_link = NULL;
	VfTestMail *mail;

	g_assert_true(vf_mail_transport_send(fixture->transport, message, &error));
	g_assert_no_error(error);

	mails = read_mails(fixture);
	g_assert_cmpuint(mails->len, ==, 1);
	mail = mails->pdata[0];
	g_assert_cmpstr(mail->from, ==, FROM);
	g_assert_cmpstr(mail->to, ==, "user@example.com");
	g_assert_cmpstr(mail->subject, ==, "Activate your Videoflix account");
	g_assert_cmpstr(mail->mime_version, ==, "1.0");
	g_assert_cmpstr(mail->content_type, ==, "multipart/alternative");
	g_assert_nonnull(mail->date);
	g_assert_true(g_regex_match_simple(
	    "^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} \\+0000$",
	    mail->date,
	    0,
	    0));
	g_assert_true(
	    g_regex_match_simple("^<[^@<>]+@videoflix\\.example>$", mail->message_id, 0, 0));
	/* decoded bodies are what the template built */
	g_assert_cmpstr(mail->text, ==, message->text);
	g_assert_cmpstr(mail->html, ==, message->html);
	text_link = vf_test_mail_extract_link(mail->text, "http://localhost:5500/");
	html_link = vf_test_mail_extract_link(mail->html, "http://localhost:5500/");
	g_assert_cmpstr(text_link, ==, link);
	g_assert_cmpstr(html_link, ==, link);
	assert_crlf_only(mail->raw);
	assert_short_lines(mail->raw);
	g_assert_nonnull(strstr(mail->raw, "Content-Transfer-Encoding: quoted-printable\r\n"));
}

static void
test_german(Fixture *fixture, gconstpointer data)
{
	g_autoptr(VfMailMessage) message =
	    vf_mail_password_reset_new("de", "user@example.com", "http://x/c.html?uid=MQ&token=a");
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) mails = NULL;
	VfTestMail *mail;

	g_assert_true(vf_mail_transport_send(fixture->transport, message, &error));
	g_assert_no_error(error);
	mails = read_mails(fixture);
	g_assert_cmpuint(mails->len, ==, 1);
	mail = mails->pdata[0];
	/* the raw header is ASCII: RFC 2047 */
	g_assert_nonnull(strstr(mail->raw, "Subject: =?UTF-8?B?"));
	g_assert_cmpstr(mail->subject, ==, "Setze dein Videoflix-Konto zurück");
	g_assert_cmpstr(mail->text, ==, message->text);
	g_assert_cmpstr(mail->html, ==, message->html);
}

/* odd bodies survive quoted-printable: '=', long lines, a lone dot, trailing
 * blanks, bare CR and LF line ends, non-ASCII, and a long non-ASCII subject */
static void
test_round_trip(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GString) long_line = g_string_new(NULL);
	g_autoptr(GString) subject = g_string_new(NULL);
	g_autofree gchar *text = NULL;
	g_autofree gchar *expected = NULL;
	g_autoptr(VfMailMessage) message = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) mails = NULL;
	VfTestMail *mail;

	for (guint i = 0; i < 300; i++)
		g_string_append(long_line, i % 7 == 0 ? "ä=" : "ab ");
	for (guint i = 0; i < 20; i++)
		g_string_append(subject, "Grüße € ");
	g_string_append(subject, "Ende");
	text = g_strdup_printf("a=b\n.\n..x\ntrailing  \ntab\t\n%s\nend\r\nmac\rx", long_line->str);
	message = vf_mail_message_new("user@example.com", subject->str, text, "<p>=&amp;</p>");

	g_assert_true(vf_mail_transport_send(fixture->transport, message, &error));
	g_assert_no_error(error);
	mails = read_mails(fixture);
	mail = mails->pdata[0];
	g_assert_cmpstr(mail->subject, ==, subject->str);
	/* every line end is now "\n" */
	expected =
	    g_strdup_printf("a=b\n.\n..x\ntrailing  \ntab\t\n%s\nend\nmac\nx", long_line->str);
	g_assert_cmpstr(mail->text, ==, expected);
	g_assert_cmpstr(mail->html, ==, "<p>=&amp;</p>");
	assert_crlf_only(mail->raw);
	{
		g_auto(GStrv) lines = g_strsplit(mail->raw, "\r\n", -1);
		for (guint i = 0; lines[i] != NULL; i++) {
			/* quoted-printable keeps lines within 76 characters, no lone dots */
			g_assert_cmpuint(strlen(lines[i]), <=, 998);
			g_assert_cmpstr(lines[i], !=, ".");
		}
	}
}

static void
test_header_injection(Fixture *fixture, gconstpointer data)
{
	const gchar *recipients[] = {"user@example.com\r\nBcc: victim@example.com",
				     "user@example.com\nX: y",
				     "a@b.c, victim@example.com",
				     "Name <a@b.c>",
				     "no-at-sign",
				     ""};

	for (guint i = 0; i < G_N_ELEMENTS(recipients); i++) {
		g_autoptr(VfMailMessage) message =
		    vf_mail_message_new(recipients[i], "Subject", "text", "<p>html</p>");
		g_autoptr(GError) error = NULL;
		g_assert_false(vf_mail_transport_send(fixture->transport, message, &error));
		g_assert_error(error, VF_ERROR, VF_ERROR_INVALID_INPUT);
	}
	{
		g_autoptr(VfMailMessage) message = vf_mail_message_new(
		    "user@example.com", "Subject\r\nBcc: victim@example.com", "t", "h");
		g_autoptr(GError) error = NULL;
		g_assert_false(vf_mail_transport_send(fixture->transport, message, &error));
		g_assert_error(error, VF_ERROR, VF_ERROR_INVALID_INPUT);
	}
	/* nothing was written */
	g_assert_false(g_file_test(fixture->mail_dir, G_FILE_TEST_EXISTS));
}

static void
test_many(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GPtrArray) mails = NULL;

	for (guint i = 0; i < 20; i++) {
		g_autofree gchar *recipient = g_strdup_printf("user%u@example.com", i);
		g_autoptr(VfMailMessage) message =
		    vf_mail_activation_new("en", recipient, "http://x/y?uid=1&token=2");
		g_autoptr(GError) error = NULL;
		g_assert_true(vf_mail_transport_send(fixture->transport, message, &error));
		g_assert_no_error(error);
	}
	mails = read_mails(fixture);
	g_assert_cmpuint(mails->len, ==, 20);
}

int
main(int argc, char **argv)
{
	vf_test_init(&argc, &argv, 60);
	vf_mail_language_setup(NULL);
#define ADD(path, func) g_test_add(path, Fixture, NULL, fixture_setup, func, fixture_teardown)
	ADD("/mail/file-transport/english", test_english);
	ADD("/mail/file-transport/german", test_german);
	ADD("/mail/file-transport/round-trip", test_round_trip);
	ADD("/mail/file-transport/header-injection", test_header_injection);
	ADD("/mail/file-transport/many", test_many);
#undef ADD
	return g_test_run();
}
