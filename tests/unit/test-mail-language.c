/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Accept-Language → the language of a user's mails: supported languages only,
 * q-values honoured, garbage falls back to English.
 */
#include "config.h"

#include "vf-mail-language.h"
#include "vf-test-util.h"

static void
test_table(void)
{
	struct {
		const gchar *header;
		const gchar *language;
	} rows[] = {
	    {NULL, "en"},
	    {"", "en"},
	    {"de", "de"},
	    {"DE", "de"},
	    {"de-DE", "de"},
	    {"de-AT,de;q=0.9", "de"},
	    {"en", "en"},
	    {"en-US,en;q=0.9,de;q=0.8", "en"},
	    {"de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7", "de"},
	    {"en;q=0.5, de;q=0.8", "de"},
	    {"fr-FR,fr;q=0.9,de;q=0.5,en;q=0.4", "de"},
	    {"fr", "en"},
	    {"*", "en"},
	    {"de;q=0", "en"},
	    {"de;q=0, en", "en"},
	    {"de;q=0.001", "de"},
	    {"deu", "en"},
	    {"dex-DE", "en"},
	    {"de;q=2", "en"},
	    {"de;q=abc", "en"},
	    {"de;q=0.5555", "en"},
	    {"en;q=0.5,de;q=0.5", "en"},
	    {"de;q=0.5,en;q=0.5", "de"},
	    {" de ; q=0.7 , en ; q=0.6 ", "de"},
	    {",,,;;;", "en"},
	    {"de\xff", "en"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
		g_test_message("Accept-Language: %s", rows[i].header);
		g_assert_cmpstr(vf_mail_language_from_accept(rows[i].header), ==, rows[i].language);
	}
}

static void
test_long_header(void)
{
	g_autoptr(GString) header = g_string_new(NULL);

	for (guint i = 0; i < 10000; i++)
		g_string_append(header, "fr;q=0.1,");
	g_string_append(header, "de");
	/* stays cheap and falls back to English */
	g_assert_cmpstr(vf_mail_language_from_accept(header->str), ==, "en");
}

int
main(int argc, char **argv)
{
	vf_test_init(&argc, &argv, 60);
	g_test_add_func("/mail/language/table", test_table);
	g_test_add_func("/mail/language/long-header", test_long_header);
	return g_test_run();
}
