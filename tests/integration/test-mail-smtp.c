/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfMailSmtpTransport against a real SMTP listener (aiosmtpd via VfTestSmtp):
 * envelope, headers, text and HTML parts, German subject, the link followed out
 * of the received mail; a closed port and a refused STARTTLS fail cleanly.
 */
#include "config.h"

#include <string.h>

#include "vf-error.h"
#include "vf-mail-activation.h"
#include "vf-mail-password-reset.h"
#include "vf-mail-smtp-transport.h"
#include "vf-test-smtp.h"
#include "vf-test-util.h"

#define FROM "Videoflix <noreply@videoflix.example>"

typedef struct {
	VfTestSmtp *smtp;
	VfMailTransport *transport;
} Fixture;

static void
fixture_setup(Fixture *fixture, gconstpointer data)
{
	fixture->smtp = vf_test_smtp_new();
	fixture->transport = vf_mail_smtp_transport_new(
	    "127.0.0.1", vf_test_smtp_get_port(fixture->smtp), NULL, NULL, FALSE, FALSE, FROM);
	vf_mail_smtp_transport_set_timeouts(
	    VF_MAIL_SMTP_TRANSPORT(fixture->transport), 5000, 20000);
}

static void
fixture_teardown(Fixture *fixture, gconstpointer data)
{
	g_clear_object(&fixture->transport);
	g_clear_pointer(&fixture->smtp, vf_test_smtp_free);
}

static void
test_delivery(Fixture *fixture, gconstpointer data)
{
	const gchar *link =
	    "http://localhost:5500/pages/auth/activate.html?uid=MQ&token=Zm9v-YmFy_0123456789";
	g_autoptr(VfMailMessage) message = vf_mail_activation_new("en", "user@example.com", link);
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) mails = NULL;
	g_autofree gchar *text_link = NULL;
	g_autofree gchar *html_link = NULL;
	VfTestMail *mail;

	g_assert_true(vf_mail_transport_send(fixture->transport, message, &error));
	g_assert_no_error(error);

	mails = vf_test_smtp_get_messages(fixture->smtp);
	g_assert_cmpuint(mails->len, ==, 1);
	mail = mails->pdata[0];
	g_assert_cmpstr(mail->envelope_from, ==, "noreply@videoflix.example");
	g_assert_cmpstr(mail->envelope_to, ==, "user@example.com");
	g_assert_cmpstr(mail->from, ==, FROM);
	g_assert_cmpstr(mail->to, ==, "user@example.com");
	g_assert_cmpstr(mail->subject, ==, "Activate your Videoflix account");
	g_assert_nonnull(mail->date);
	g_assert_true(
	    g_regex_match_simple("^<[^@<>]+@videoflix\\.example>$", mail->message_id, 0, 0));
	/* both alternatives arrived and decode to what was sent */
	g_assert_cmpstr(mail->text, ==, message->text);
	g_assert_cmpstr(mail->html, ==, message->html);
	g_assert_nonnull(strstr(mail->raw, "multipart/alternative"));
	g_assert_nonnull(strstr(mail->raw, "Content-Transfer-Encoding: quoted-printable"));
	/* a bare LF in quoted-printable would arrive as =0A */
	g_assert_null(strstr(mail->raw, "=0A"));

	text_link = vf_test_mail_extract_link(mail->text, "http://localhost:5500/pages/auth/");
	html_link = vf_test_mail_extract_link(mail->html, "http://localhost:5500/pages/auth/");
	g_assert_cmpstr(text_link, ==, link);
	g_assert_cmpstr(html_link, ==, link);
}

static void
test_german(Fixture *fixture, gconstpointer data)
{
	const gchar *link = "http://localhost:5500/pages/auth/confirm_password.html?uid=Nw&token=x";
	g_autoptr(VfMailMessage) message =
	    vf_mail_password_reset_new("de", "jörg@example.com", link);
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) mails = NULL;
	VfTestMail *mail;

	/* a non-ASCII local part needs SMTPUTF8, which the listener does not offer */
	g_clear_pointer(&message->recipient, g_free);
	message->recipient = g_strdup("joerg@example.com");
	g_assert_true(vf_mail_transport_send(fixture->transport, message, &error));
	g_assert_no_error(error);

	mails = vf_test_smtp_get_messages(fixture->smtp);
	g_assert_cmpuint(mails->len, ==, 1);
	mail = mails->pdata[0];
	g_assert_nonnull(strstr(mail->raw, "Subject: =?UTF-8?B?"));
	g_assert_cmpstr(mail->subject, ==, "Setze dein Videoflix-Konto zurück");
	g_assert_nonnull(strstr(mail->text, "Passwort"));
	g_assert_cmpstr(mail->text, ==, message->text);
	g_assert_cmpstr(mail->html, ==, message->html);
}

static void
test_closed_port(Fixture *fixture, gconstpointer data)
{
	g_autoptr(VfMailMessage) message =
	    vf_mail_activation_new("en", "user@example.com", "http://x/?uid=1&token=2");
	g_autoptr(GError) error = NULL;

	vf_test_smtp_stop(fixture->smtp);
	g_assert_false(vf_mail_transport_send(fixture->transport, message, &error));
	g_assert_error(error, VF_ERROR, VF_ERROR_UNAVAILABLE);
	g_test_message("%s", error->message);

	/* and it works again once the server is back */
	g_clear_error(&error);
	vf_test_smtp_start(fixture->smtp);
	g_assert_true(vf_mail_transport_send(fixture->transport, message, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(vf_test_smtp_count_messages(fixture->smtp), ==, 1);
}

/* EMAIL_USE_TLS against a server without STARTTLS: refuse, never send in clear */
static void
test_starttls_required(Fixture *fixture, gconstpointer data)
{
	g_autoptr(VfMailTransport) transport =
	    vf_mail_smtp_transport_new("127.0.0.1",
				       vf_test_smtp_get_port(fixture->smtp),
				       "user",
				       "s3cret-pw",
				       TRUE,
				       FALSE,
				       FROM);
	g_autoptr(VfMailMessage) message =
	    vf_mail_activation_new("en", "user@example.com", "http://x/?uid=1&token=2");
	g_autoptr(GError) error = NULL;

	g_assert_false(vf_mail_transport_send(transport, message, &error));
	g_assert_nonnull(error);
	g_test_message("%s", error->message);
	g_assert_null(strstr(error->message, "s3cret-pw"));
	g_assert_cmpuint(vf_test_smtp_count_messages(fixture->smtp), ==, 0);
}

/* EMAIL_USE_SSL against a plain server: the TLS handshake fails */
static void
test_ssl_against_plain(Fixture *fixture, gconstpointer data)
{
	g_autoptr(VfMailTransport) transport = vf_mail_smtp_transport_new(
	    "127.0.0.1", vf_test_smtp_get_port(fixture->smtp), NULL, NULL, FALSE, TRUE, FROM);
	g_autoptr(VfMailMessage) message =
	    vf_mail_activation_new("en", "user@example.com", "http://x/?uid=1&token=2");
	g_autoptr(GError) error = NULL;

	vf_mail_smtp_transport_set_timeouts(VF_MAIL_SMTP_TRANSPORT(transport), 3000, 5000);
	g_assert_false(vf_mail_transport_send(transport, message, &error));
	g_assert_nonnull(error);
	g_test_message("%s", error->message);
	g_assert_nonnull(strstr(error->message, "smtps://"));
	g_assert_cmpuint(vf_test_smtp_count_messages(fixture->smtp), ==, 0);
}

/* a refused recipient is the server's answer, not an outage */
static void
test_recipient_refused(Fixture *fixture, gconstpointer data)
{
	/* a non-ASCII local part needs SMTPUTF8, which the listener does not offer */
	g_autoptr(VfMailMessage) message =
	    vf_mail_activation_new("en", "jörg@example.com", "http://x/?uid=1&token=2");
	g_autoptr(GError) error = NULL;

	g_assert_false(vf_mail_transport_send(fixture->transport, message, &error));
	g_assert_error(error, VF_ERROR, VF_ERROR_INTERNAL);
	g_test_message("%s", error->message);
	g_assert_cmpuint(vf_test_smtp_count_messages(fixture->smtp), ==, 0);
}

static VfMailTransport *
tls_transport_new(VfTestSmtp *smtp, gboolean use_tls, gboolean use_ssl, gboolean trust)
{
	VfMailTransport *transport = vf_mail_smtp_transport_new(
	    "127.0.0.1", vf_test_smtp_get_port(smtp), NULL, NULL, use_tls, use_ssl, FROM);

	vf_mail_smtp_transport_set_timeouts(VF_MAIL_SMTP_TRANSPORT(transport), 5000, 20000);
	if (trust)
		vf_mail_smtp_transport_set_ca_file(VF_MAIL_SMTP_TRANSPORT(transport),
						   vf_test_smtp_get_ca_file(smtp));
	return transport;
}

static gboolean
send_one(VfMailTransport *transport, GError **error)
{
	g_autoptr(VfMailMessage) message =
	    vf_mail_activation_new("de", "user@example.com", "http://x/?uid=1&token=2");
	return vf_mail_transport_send(transport, message, error);
}

/* EMAIL_USE_TLS: STARTTLS with a trusted certificate delivers; an untrusted one
 * and a client that skips TLS are refused */
static void
test_starttls(void)
{
	g_autoptr(VfTestSmtp) smtp = vf_test_smtp_new_full(VF_TEST_SMTP_STARTTLS);
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) mails = NULL;

	{
		g_autoptr(VfMailTransport) transport = tls_transport_new(smtp, TRUE, FALSE, FALSE);
		g_assert_false(send_one(transport, &error));
		g_test_message("untrusted: %s", error->message);
		g_clear_error(&error);
	}
	{
		g_autoptr(VfMailTransport) transport = tls_transport_new(smtp, FALSE, FALSE, FALSE);
		g_assert_false(send_one(transport, &error));
		g_test_message("no TLS: %s", error->message);
		g_clear_error(&error);
	}
	g_assert_cmpuint(vf_test_smtp_count_messages(smtp), ==, 0);
	{
		g_autoptr(VfMailTransport) transport = tls_transport_new(smtp, TRUE, FALSE, TRUE);
		g_assert_true(send_one(transport, &error));
		g_assert_no_error(error);
	}
	mails = vf_test_smtp_get_messages(smtp);
	g_assert_cmpuint(mails->len, ==, 1);
	g_assert_cmpstr(
	    ((VfTestMail *)mails->pdata[0])->subject, ==, "Aktiviere dein Videoflix-Konto");
}

/* EMAIL_USE_SSL: implicit TLS */
static void
test_smtps(void)
{
	g_autoptr(VfTestSmtp) smtp = vf_test_smtp_new_full(VF_TEST_SMTP_SMTPS);
	g_autoptr(GError) error = NULL;

	{
		g_autoptr(VfMailTransport) transport = tls_transport_new(smtp, FALSE, TRUE, FALSE);
		g_assert_false(send_one(transport, &error));
		g_test_message("untrusted: %s", error->message);
		g_clear_error(&error);
	}
	g_assert_cmpuint(vf_test_smtp_count_messages(smtp), ==, 0);
	{
		/* EMAIL_USE_TLS as well changes nothing: smtps:// wins */
		g_autoptr(VfMailTransport) transport = tls_transport_new(smtp, TRUE, TRUE, TRUE);
		g_assert_true(send_one(transport, &error));
		g_assert_no_error(error);
	}
	g_assert_cmpuint(vf_test_smtp_count_messages(smtp), ==, 1);
}

static gpointer
send_thread(gpointer data)
{
	VfMailTransport *transport = data;

	for (guint i = 0; i < 5; i++) {
		g_autofree gchar *recipient = g_strdup_printf("user%u@example.com", i);
		g_autoptr(VfMailMessage) message = vf_mail_activation_new(
		    i % 2 == 0 ? "de" : "en", recipient, "http://x/?a=1&b=2");
		g_autoptr(GError) error = NULL;
		if (!vf_mail_transport_send(transport, message, &error))
			return g_strdup(error->message);
	}
	return NULL;
}

/* the transport is used from several sender threads at once */
static void
test_concurrent(Fixture *fixture, gconstpointer data)
{
	GThread *threads[4];

	for (guint i = 0; i < G_N_ELEMENTS(threads); i++)
		threads[i] = g_thread_new("send", send_thread, fixture->transport);
	for (guint i = 0; i < G_N_ELEMENTS(threads); i++) {
		g_autofree gchar *failure = g_thread_join(threads[i]);
		g_assert_cmpstr(failure, ==, NULL);
	}
	g_assert_cmpuint(vf_test_smtp_count_messages(fixture->smtp), ==, 20);
}

int
main(int argc, char **argv)
{
	vf_test_init(&argc, &argv, 120);
	vf_mail_language_setup(NULL);
#define ADD(path, func) g_test_add(path, Fixture, NULL, fixture_setup, func, fixture_teardown)
	ADD("/mail/smtp/delivery", test_delivery);
	ADD("/mail/smtp/german", test_german);
	ADD("/mail/smtp/closed-port", test_closed_port);
	ADD("/mail/smtp/starttls-required", test_starttls_required);
	ADD("/mail/smtp/ssl-against-plain", test_ssl_against_plain);
	ADD("/mail/smtp/recipient-refused", test_recipient_refused);
	ADD("/mail/smtp/concurrent", test_concurrent);
#undef ADD
	g_test_add_func("/mail/smtp/starttls", test_starttls);
	g_test_add_func("/mail/smtp/smtps", test_smtps);
	return g_test_run();
}
