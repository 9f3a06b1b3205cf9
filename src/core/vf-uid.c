/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * uidb64 encoding and strict decoding (anything but a positive decimal id fails).
 */
#include "config.h"

#include "vf-uid.h"

#include <string.h>

gchar *
vf_uid_encode(gint64 user_id)
{
	g_autofree gchar *text = g_strdup_printf("%" G_GINT64_FORMAT, user_id);
	g_autofree gchar *b64 = g_base64_encode((const guchar *)text, strlen(text));
	gsize len = strlen(b64);

	while (len > 0 && b64[len - 1] == '=')
		b64[--len] = '\0';
	for (gsize i = 0; i < len; i++) {
		if (b64[i] == '+')
			b64[i] = '-';
		else if (b64[i] == '/')
			b64[i] = '_';
	}
	return g_steal_pointer(&b64);
}

gboolean
vf_uid_decode(const gchar *uidb64, gint64 *user_id)
{
	g_autoptr(GString) std = NULL;
	g_autofree guchar *raw = NULL;
	g_autofree gchar *text = NULL;
	gsize raw_len = 0;
	guint64 value = 0;
	gsize len;

	if (uidb64 == NULL)
		return FALSE;
	len = strlen(uidb64);
	if (len == 0 || len > 32 || len % 4 == 1)
		return FALSE;
	std = g_string_sized_new(len + 3);
	for (gsize i = 0; i < len; i++) {
		gchar c = uidb64[i];
		if (c == '-')
			c = '+';
		else if (c == '_')
			c = '/';
		else if (!g_ascii_isalnum(c))
			return FALSE;
		g_string_append_c(std, c);
	}
	while (std->len % 4 != 0)
		g_string_append_c(std, '=');
	raw = g_base64_decode(std->str, &raw_len);
	if (raw == NULL || raw_len == 0 || raw_len > 19)
		return FALSE;
	text = g_strndup((const gchar *)raw, raw_len);
	if (strlen(text) != raw_len || text[0] == '0')
		return FALSE;
	if (!g_ascii_string_to_unsigned(text, 10, 1, G_MAXINT64, &value, NULL))
		return FALSE;
	if (user_id != NULL)
		*user_id = (gint64)value;
	return TRUE;
}
