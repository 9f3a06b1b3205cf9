/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * E-mail validation close to Django's EmailValidator: an ASCII dot-atom local part,
 * a domain of letter/digit/hyphen labels (Unicode letters allowed) with a TLD, or
 * "localhost"; at most 254 bytes in all.
 */
#include "config.h"

#include "vf-accounts-validate.h"

#include <string.h>

static gboolean
valid_local_part(const gchar *local, gsize len)
{
	const gchar *atext = "!#$%&'*+/=?^_`{|}~-";

	if (len == 0 || len > 64 || local[0] == '.' || local[len - 1] == '.')
		return FALSE;
	for (gsize i = 0; i < len; i++) {
		gchar c = local[i];
		if (c == '.') {
			if (local[i + 1] == '.')
				return FALSE;
			continue;
		}
		if (!g_ascii_isalnum(c) && strchr(atext, c) == NULL)
			return FALSE;
	}
	return TRUE;
}

static gboolean
valid_label(const gchar *label)
{
	glong n = g_utf8_strlen(label, -1);
	const gchar *p;

	if (n == 0 || n > 63 || label[0] == '-' || g_str_has_suffix(label, "-"))
		return FALSE;
	for (p = label; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (c != '-' && !g_unichar_isalnum(c))
			return FALSE;
	}
	return TRUE;
}

static gboolean
valid_domain(const gchar *domain)
{
	g_auto(GStrv) labels = NULL;
	guint n;
	const gchar *tld;

	if (g_strcmp0(domain, "localhost") == 0)
		return TRUE;
	labels = g_strsplit(domain, ".", -1);
	n = g_strv_length(labels);
	if (n < 2)
		return FALSE;
	for (guint i = 0; i < n; i++) {
		if (!valid_label(labels[i]))
			return FALSE;
	}
	/* the top-level label: letters (or an IDN "xn--" form), at least two */
	tld = labels[n - 1];
	if (g_str_has_prefix(tld, "xn--"))
		return TRUE;
	if (g_utf8_strlen(tld, -1) < 2)
		return FALSE;
	for (const gchar *p = tld; *p != '\0'; p = g_utf8_next_char(p)) {
		if (!g_unichar_isalpha(g_utf8_get_char(p)))
			return FALSE;
	}
	return TRUE;
}

gchar *
vf_accounts_normalize_email(const gchar *email)
{
	g_autofree gchar *trimmed = NULL;
	g_autofree gchar *lower = NULL;
	const gchar *at;

	if (email == NULL || !g_utf8_validate(email, -1, NULL))
		return NULL;
	trimmed = g_strstrip(g_strdup(email));
	if (strlen(trimmed) > 254)
		return NULL;
	lower = g_utf8_strdown(trimmed, -1);
	at = strrchr(lower, '@');
	if (at == NULL || strchr(lower, '@') != at)
		return NULL;
	if (!valid_local_part(lower, at - lower) || !valid_domain(at + 1))
		return NULL;
	return g_steal_pointer(&lower);
}
