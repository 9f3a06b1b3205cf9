/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The activation and password reset mails: API.md's subjects, the link in the
 * text and (escaped) in the HTML, German from po/de.po via the build tree's .mo.
 */
#include "config.h"

#include <string.h>

#include "vf-mail-activation.h"
#include "vf-mail-password-reset.h"
#include "vf-test-util.h"

#define ACTIVATE_LINK "http://127.0.0.1:5500/pages/auth/activate.html?uid=MQ&token=abc-DEF_123"
#define RESET_LINK    "http://127.0.0.1:5500/pages/auth/confirm_password.html?uid=Nw&token=xyz"

static void
assert_link(const VfMailMessage *message, const gchar *link)
{
	g_autofree gchar *escaped = g_markup_escape_text(link, -1);
	g_autofree gchar *href = g_strdup_printf("href=\"%s\"", escaped);

	g_assert_nonnull(strstr(message->text, link));
	g_assert_nonnull(strstr(message->html, href));
	/* the raw '&' of the query never reaches the HTML */
	g_assert_null(strstr(message->html, "&token"));
	g_assert_true(g_utf8_validate(message->text, -1, NULL));
	g_assert_true(g_utf8_validate(message->html, -1, NULL));
}

static void
test_activation_english(void)
{
	g_autoptr(VfMailMessage) message =
	    vf_mail_activation_new("en", "user@example.com", ACTIVATE_LINK);

	g_assert_cmpstr(message->recipient, ==, "user@example.com");
	g_assert_cmpstr(message->subject, ==, "Activate your Videoflix account");
	g_assert_nonnull(strstr(message->text, "Thank you for registering with Videoflix"));
	g_assert_nonnull(strstr(message->html, "<html lang=\"en\">"));
	g_assert_nonnull(strstr(message->html, ">Activate account</a>"));
	assert_link(message, ACTIVATE_LINK);
}

static void
test_activation_german(void)
{
	g_autoptr(VfMailMessage) message =
	    vf_mail_activation_new("de", "user@example.com", ACTIVATE_LINK);

	g_assert_cmpstr(message->subject, ==, "Aktiviere dein Videoflix-Konto");
	g_assert_nonnull(strstr(message->text, "Vielen Dank für deine Registrierung"));
	g_assert_null(strstr(message->text, "Thank you"));
	g_assert_nonnull(strstr(message->html, "<html lang=\"de\">"));
	g_assert_nonnull(strstr(message->html, ">Konto aktivieren</a>"));
	assert_link(message, ACTIVATE_LINK);
}

static void
test_password_reset_english(void)
{
	g_autoptr(VfMailMessage) message =
	    vf_mail_password_reset_new("en", "user@example.com", RESET_LINK);

	g_assert_cmpstr(message->subject, ==, "Reset your Videoflix account");
	g_assert_nonnull(strstr(message->text, "reset the password"));
	g_assert_nonnull(strstr(message->html, ">Reset password</a>"));
	assert_link(message, RESET_LINK);
}

static void
test_password_reset_german(void)
{
	g_autoptr(VfMailMessage) message =
	    vf_mail_password_reset_new("de", "user@example.com", RESET_LINK);

	g_assert_cmpstr(message->subject, ==, "Setze dein Videoflix-Konto zurück");
	g_assert_nonnull(strstr(message->text, "Passwort"));
	g_assert_nonnull(strstr(message->html, ">Passwort zurücksetzen</a>"));
	assert_link(message, RESET_LINK);
}

static void
test_unknown_language(void)
{
	g_autoptr(VfMailMessage) message =
	    vf_mail_activation_new("fr", "user@example.com", ACTIVATE_LINK);

	g_assert_cmpstr(message->subject, ==, "Activate your Videoflix account");
}

static void
test_html_escaping(void)
{
	const gchar *link = "http://x/a.html?uid=1&token=\"><script>alert(1)</script>'";
	g_autoptr(VfMailMessage) message = vf_mail_activation_new("en", "user@example.com", link);

	g_assert_null(strstr(message->html, "<script>"));
	g_assert_nonnull(strstr(message->html, "token=&quot;&gt;&lt;script&gt;alert(1)"));
	assert_link(message, link);
}

typedef struct {
	const gchar *language;
	gchar *subject;
} ThreadResult;

static gpointer
build_thread(gpointer data)
{
	ThreadResult *result = data;

	for (guint i = 0; i < 200; i++) {
		g_autoptr(VfMailMessage) message =
		    vf_mail_password_reset_new(result->language, "user@example.com", RESET_LINK);
		if (result->subject == NULL)
			result->subject = g_strdup(message->subject);
		else if (g_strcmp0(result->subject, message->subject) != 0)
			return GINT_TO_POINTER(FALSE);
	}
	return GINT_TO_POINTER(TRUE);
}

/* German and English mails built at the same time on different threads */
static void
test_threads(void)
{
	ThreadResult results[8];
	GThread *threads[8];

	for (guint i = 0; i < G_N_ELEMENTS(threads); i++) {
		results[i].language = i % 2 == 0 ? "de" : "en";
		results[i].subject = NULL;
		threads[i] = g_thread_new("mail", build_thread, &results[i]);
	}
	for (guint i = 0; i < G_N_ELEMENTS(threads); i++) {
		g_assert_true(GPOINTER_TO_INT(g_thread_join(threads[i])));
		g_assert_cmpstr(results[i].subject,
				==,
				i % 2 == 0 ? "Setze dein Videoflix-Konto zurück"
					   : "Reset your Videoflix account");
		g_free(results[i].subject);
	}
}

int
main(int argc, char **argv)
{
	vf_test_init(&argc, &argv, 60);
	/* a desktop session's LANGUAGE must not turn German mails English */
	g_setenv("LANGUAGE", "fr:en", TRUE);
	vf_mail_language_setup(NULL);
	g_test_add_func("/mail/template/activation-english", test_activation_english);
	g_test_add_func("/mail/template/activation-german", test_activation_german);
	g_test_add_func("/mail/template/password-reset-english", test_password_reset_english);
	g_test_add_func("/mail/template/password-reset-german", test_password_reset_german);
	g_test_add_func("/mail/template/unknown-language", test_unknown_language);
	g_test_add_func("/mail/template/html-escaping", test_html_escaping);
	g_test_add_func("/mail/template/threads", test_threads);
	return g_test_run();
}
