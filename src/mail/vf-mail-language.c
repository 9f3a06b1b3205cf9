/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Accept-Language → "de" or "en" (RFC 9110 §12.5.4: ranges with q-values; the
 * highest q wins, the earlier range on a tie). Pure function, any thread.
 */
#include "config.h"

#include "vf-mail-language.h"

#include <string.h>

static const gchar *const supported[] = {"en", "de"};

/* q-value per RFC 9110: 0, 1, 0.x{0,3} or 1.0{0,3}, as thousandths; -1 when invalid */
static gint
parse_qvalue(const gchar *text)
{
	gint value;
	gint digits = 0;

	if (text[0] != '0' && text[0] != '1')
		return -1;
	value = (text[0] - '0') * 1000;
	if (text[1] == '\0')
		return value;
	if (text[1] != '.')
		return -1;
	for (const gchar *p = text + 2; *p != '\0'; p++) {
		if (!g_ascii_isdigit(*p) || ++digits > 3)
			return -1;
		value += (*p - '0') * (digits == 1 ? 100 : digits == 2 ? 10 : 1);
	}
	return value <= 1000 ? value : -1;
}

/* the supported language a range names ("de-AT" → "de"), or NULL */
static const gchar *
match_range(const gchar *range)
{
	for (guint i = 0; i < G_N_ELEMENTS(supported); i++) {
		gsize len = strlen(supported[i]);
		if (g_ascii_strncasecmp(range, supported[i], len) == 0 &&
		    (range[len] == '\0' || range[len] == '-'))
			return supported[i];
	}
	return NULL;
}

const gchar *
vf_mail_language_from_accept(const gchar *accept_language)
{
	g_auto(GStrv) items = NULL;
	const gchar *best = "en";
	gint best_q = 0;

	if (accept_language == NULL || strlen(accept_language) > 4096)
		return best;

	items = g_strsplit(accept_language, ",", 64);
	for (guint i = 0; items[i] != NULL; i++) {
		g_auto(GStrv) params = g_strsplit(items[i], ";", 8);
		const gchar *language;
		gint q = 1000;

		if (params[0] == NULL)
			continue;
		g_strstrip(params[0]);
		language = match_range(params[0]);
		for (guint j = 1; params[j] != NULL; j++) {
			gchar *param = g_strstrip(params[j]);
			if ((param[0] == 'q' || param[0] == 'Q') && param[1] == '=')
				q = parse_qvalue(g_strstrip(param + 2));
		}
		if (language != NULL && q > best_q) {
			best = language;
			best_q = q;
		}
	}
	return best;
}
