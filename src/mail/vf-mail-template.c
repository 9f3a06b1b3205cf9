/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Builds a mail's text and HTML from its template. Translation is per mail,
 * not per process: the German strings are looked up with the calling thread's
 * locale switched by uselocale() (thread-safe), so one daemon sends German and
 * English mails side by side. English is the msgid itself.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>

#include "vf-mail-language.h"
#include "vf-mail-template-private.h"

/* the German LC_MESSAGES locale, or (locale_t)0 when it is not installed */
static locale_t
german_locale(void)
{
	static gsize once = 0;
	static locale_t locale = (locale_t)0;

	if (g_once_init_enter(&once)) {
		/* LC_CTYPE too: gettext converts to the locale's codeset, and C is ASCII */
		locale = newlocale(LC_MESSAGES_MASK | LC_CTYPE_MASK, "de_DE.UTF-8", (locale_t)0);
		if (locale == (locale_t)0)
			g_warning("locale de_DE.UTF-8 is not installed: German mails are sent "
				  "in English");
		g_once_init_leave(&once, 1);
	}
	return locale;
}

void
vf_mail_language_setup(const gchar *localedir)
{
	if (localedir != NULL)
		bindtextdomain(GETTEXT_PACKAGE, localedir);
	bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
	g_unsetenv("LANGUAGE");
	german_locale();
}

typedef struct {
	locale_t locale; /* (locale_t)0: English */
} Translator;

static const gchar *
translate(const Translator *translator, const gchar *msgid)
{
	locale_t previous;
	const gchar *translated;

	if (translator->locale == (locale_t)0)
		return msgid;
	previous = uselocale(translator->locale);
	translated = dgettext(GETTEXT_PACKAGE, msgid);
	uselocale(previous);
	return translated;
}

static gchar *
escape(const gchar *text)
{
	return g_markup_escape_text(text, -1);
}

VfMailMessage *
vf_mail_template_build(const VfMailTemplate *template,
		       const gchar *language,
		       const gchar *recipient,
		       const gchar *link)
{
	Translator translator = {(locale_t)0};
	const gchar *subject;
	const gchar *greeting;
	const gchar *intro;
	const gchar *action;
	const gchar *note;
	const gchar *regards;
	const gchar *team;
	g_autofree gchar *text = NULL;
	g_autofree gchar *html = NULL;
	g_autofree gchar *e_subject = NULL;
	g_autofree gchar *e_greeting = NULL;
	g_autofree gchar *e_intro = NULL;
	g_autofree gchar *e_action = NULL;
	g_autofree gchar *e_link = NULL;
	g_autofree gchar *e_note = NULL;
	g_autofree gchar *e_regards = NULL;
	g_autofree gchar *e_team = NULL;

	g_return_val_if_fail(template != NULL, NULL);
	g_return_val_if_fail(recipient != NULL, NULL);
	g_return_val_if_fail(link != NULL, NULL);

	if (g_strcmp0(language, "de") == 0)
		translator.locale = german_locale();

	subject = translate(&translator, template->subject);
	greeting = translate(&translator, N_("Hello,"));
	intro = translate(&translator, template->intro);
	action = translate(&translator, template->action);
	note = translate(&translator, template->note);
	regards = translate(&translator, N_("Best regards,"));
	team = translate(&translator, N_("Your Videoflix team"));

	text = g_strdup_printf(
	    "%s\n\n%s\n\n%s\n\n%s\n\n%s\n%s\n", greeting, intro, link, note, regards, team);

	e_subject = escape(subject);
	e_greeting = escape(greeting);
	e_intro = escape(intro);
	e_action = escape(action);
	e_link = escape(link);
	e_note = escape(note);
	e_regards = escape(regards);
	e_team = escape(team);
	html =
	    g_strdup_printf("<!DOCTYPE html>\n"
			    "<html lang=\"%s\">\n"
			    "<head><meta charset=\"utf-8\"><title>%s</title></head>\n"
			    "<body style=\"font-family: sans-serif; line-height: 1.5;\">\n"
			    "<p>%s</p>\n"
			    "<p>%s</p>\n"
			    "<p><a href=\"%s\" style=\"display: inline-block; padding: 10px 20px; "
			    "background: #2e3edf; color: #ffffff; border-radius: 24px; "
			    "text-decoration: none;\">%s</a></p>\n"
			    "<p style=\"font-size: small;\">%s</p>\n"
			    "<p>%s</p>\n"
			    "<p>%s<br>%s</p>\n"
			    "</body>\n"
			    "</html>\n",
			    translator.locale != (locale_t)0 ? "de" : "en",
			    e_subject,
			    e_greeting,
			    e_intro,
			    e_link,
			    e_action,
			    e_link,
			    e_note,
			    e_regards,
			    e_team);

	return vf_mail_message_new(recipient, subject, text, html);
}
