/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * RFC 5322 / MIME helpers of the transports. libcurl adds neither Date nor
 * Message-ID and sends a non-ASCII Subject raw (PITFALLS.md §6), so both
 * transports build those here. Pure functions, any thread.
 */
#include "config.h"

#include <string.h>

#include "vf-error.h"
#include "vf-mail-mime-private.h"

gchar *
vf_mail_mime_format_date(GDateTime *datetime)
{
	static const gchar *const days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
	static const gchar *const months[] = {
	    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	g_autoptr(GDateTime) utc = g_date_time_to_utc(datetime);

	return g_strdup_printf("%s, %02d %s %04d %02d:%02d:%02d +0000",
			       days[g_date_time_get_day_of_week(utc) - 1],
			       g_date_time_get_day_of_month(utc),
			       months[g_date_time_get_month(utc) - 1],
			       g_date_time_get_year(utc),
			       g_date_time_get_hour(utc),
			       g_date_time_get_minute(utc),
			       g_date_time_get_second(utc));
}

gchar *
vf_mail_mime_new_message_id(const gchar *from)
{
	g_autofree gchar *address = vf_mail_mime_address(from != NULL ? from : "");
	g_autofree gchar *uuid = g_uuid_string_random();
	const gchar *at = strrchr(address, '@');
	const gchar *domain = "videoflix.invalid";

	if (at != NULL && at[1] != '\0')
		domain = at + 1;
	return g_strdup_printf("<%s@%s>", uuid, domain);
}

static gboolean
is_plain_header_text(const gchar *value)
{
	for (const guchar *p = (const guchar *)value; *p != '\0'; p++) {
		if (*p < 0x20 || *p > 0x7e)
			return FALSE;
	}
	/* text that looks like an encoded word must be encoded itself */
	return strstr(value, "=?") == NULL;
}

gchar *
vf_mail_mime_encode_header(const gchar *value)
{
	GString *out;
	const gchar *p = value;
	/* 45 bytes → 60 base64 characters: each word stays within 75 characters */
	const gsize max_chunk = 45;

	if (is_plain_header_text(value))
		return g_strdup(value);

	out = g_string_new(NULL);
	while (*p != '\0') {
		const gchar *end = p;
		g_autofree gchar *b64 = NULL;

		/* never split a UTF-8 sequence between two words */
		while (*end != '\0') {
			const gchar *next = g_utf8_next_char(end);
			if ((gsize)(next - p) > max_chunk && end != p)
				break;
			end = next;
		}
		b64 = g_base64_encode((const guchar *)p, end - p);
		if (out->len > 0)
			g_string_append_c(out, ' ');
		g_string_append_printf(out, "=?UTF-8?B?%s?=", b64);
		p = end;
	}
	return g_string_free(out, FALSE);
}

gchar *
vf_mail_mime_to_crlf(const gchar *text)
{
	GString *out = g_string_sized_new(strlen(text) + 16);

	for (const gchar *p = text; *p != '\0'; p++) {
		if (*p == '\r') {
			g_string_append(out, "\r\n");
			if (p[1] == '\n')
				p++;
		} else if (*p == '\n') {
			g_string_append(out, "\r\n");
		} else {
			g_string_append_c(out, *p);
		}
	}
	return g_string_free(out, FALSE);
}

static void
qp_append_line(GString *out, const gchar *line, gsize len)
{
	gsize column = 0;

	for (gsize i = 0; i < len; i++) {
		guchar c = (guchar)line[i];
		gboolean last = i + 1 == len;
		gchar token[4];
		gsize token_len;

		/* '.' at a line start is encoded so no transport ever sees a lone dot */
		if ((c >= 33 && c <= 126 && c != '=' && !(c == '.' && column == 0)) ||
		    ((c == ' ' || c == '\t') && !last)) {
			token[0] = (gchar)c;
			token_len = 1;
		} else {
			g_snprintf(token, sizeof(token), "=%02X", c);
			token_len = 3;
		}
		/* 75 characters plus the soft break "=" keep every line within 76 */
		if (column + token_len > 75) {
			g_string_append(out, "=\r\n");
			column = 0;
		}
		g_string_append_len(out, token, token_len);
		column += token_len;
	}
}

gchar *
vf_mail_mime_encode_quoted_printable(const gchar *text)
{
	GString *out = g_string_sized_new(strlen(text) + strlen(text) / 8 + 16);
	const gchar *p = text;

	for (;;) {
		const gchar *eol = strstr(p, "\r\n");
		if (eol == NULL) {
			qp_append_line(out, p, strlen(p));
			break;
		}
		qp_append_line(out, p, eol - p);
		g_string_append(out, "\r\n");
		p = eol + 2;
	}
	return g_string_free(out, FALSE);
}

gchar *
vf_mail_mime_address(const gchar *mailbox)
{
	const gchar *open = strrchr(mailbox, '<');
	const gchar *close;

	if (open == NULL)
		return g_strstrip(g_strdup(mailbox));
	close = strchr(open, '>');
	if (close == NULL)
		return g_strstrip(g_strdup(open + 1));
	return g_strndup(open + 1, close - open - 1);
}

static gboolean
has_control_characters(const gchar *value)
{
	for (const guchar *p = (const guchar *)value; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return TRUE;
	}
	return FALSE;
}

gboolean
vf_mail_mime_check(const VfMailMessage *message, const gchar *from, GError **error)
{
	struct {
		const gchar *name;
		const gchar *value;
	} fields[] = {
	    {"recipient", message->recipient}, {"subject", message->subject}, {"sender", from}};

	/* from NULL: the sender is not known yet (checked again when sent) */
	for (guint i = 0; i < G_N_ELEMENTS(fields) - (from == NULL ? 1 : 0); i++) {
		if (fields[i].value == NULL || !g_utf8_validate(fields[i].value, -1, NULL) ||
		    has_control_characters(fields[i].value)) {
			g_set_error(error,
				    VF_ERROR,
				    VF_ERROR_INVALID_INPUT,
				    "mail %s is not a valid header value",
				    fields[i].name);
			return FALSE;
		}
	}
	if (strchr(message->recipient, '@') == NULL || strchr(message->recipient, '<') != NULL ||
	    strchr(message->recipient, ',') != NULL) {
		g_set_error_literal(error,
				    VF_ERROR,
				    VF_ERROR_INVALID_INPUT,
				    "mail recipient is not a single address");
		return FALSE;
	}
	if (!g_utf8_validate(message->text, -1, NULL) ||
	    !g_utf8_validate(message->html, -1, NULL)) {
		g_set_error_literal(
		    error, VF_ERROR, VF_ERROR_INVALID_INPUT, "mail body is not valid UTF-8");
		return FALSE;
	}
	return TRUE;
}
