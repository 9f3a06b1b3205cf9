/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Column arithmetic and sanitising of text shown by videoflixctl. Pure functions,
 * any thread.
 */
#include "config.h"

#include "vf-ctl-text.h"

#include <string.h>

static guint
unichar_width(gunichar c)
{
	if (g_unichar_iszerowidth(c))
		return 0;
	if (g_unichar_iswide(c))
		return 2;
	return 1;
}

guint
vf_ctl_text_width(const gchar *text)
{
	guint width = 0;

	g_return_val_if_fail(text != NULL, 0);
	for (const gchar *p = text; *p != '\0'; p = g_utf8_next_char(p))
		width += unichar_width(g_utf8_get_char(p));
	return width;
}

gchar *
vf_ctl_text_truncate(const gchar *text, guint width)
{
	GString *out;
	guint used = 0;
	const guint ellipsis = 1; /* "…" */

	g_return_val_if_fail(text != NULL, NULL);
	if (vf_ctl_text_width(text) <= width)
		return g_strdup(text);
	out = g_string_new(NULL);
	if (width == 0)
		return g_string_free(out, FALSE);
	for (const gchar *p = text; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		guint w = unichar_width(c);
		if (used + w + ellipsis > width)
			break;
		g_string_append_unichar(out, c);
		used += w;
	}
	g_string_append(out, "…");
	return g_string_free(out, FALSE);
}

void
vf_ctl_text_append_padded(GString *out, const gchar *text, guint width, gboolean right_align)
{
	guint text_width = vf_ctl_text_width(text);
	guint pad = text_width < width ? width - text_width : 0;

	if (right_align)
		for (guint i = 0; i < pad; i++)
			g_string_append_c(out, ' ');
	g_string_append(out, text);
	if (!right_align)
		for (guint i = 0; i < pad; i++)
			g_string_append_c(out, ' ');
}

gchar *
vf_ctl_text_sanitize(const gchar *text)
{
	g_autofree gchar *valid = NULL;
	GString *out;

	g_return_val_if_fail(text != NULL, NULL);
	valid = g_utf8_make_valid(text, -1);
	out = g_string_sized_new(strlen(valid));
	for (const gchar *p = valid; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (c == '\t' || c == '\n' || c == '\r')
			g_string_append_c(out, ' ');
		else if (c < 0x20 || (c >= 0x7f && c < 0xa0))
			g_string_append_unichar(out, 0xfffd);
		else
			g_string_append_unichar(out, c);
	}
	return g_string_free(out, FALSE);
}
