/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * RFC 5322 / MIME helpers shared by the transports: Date and Message-ID headers,
 * RFC 2047 encoded words, CRLF line ends, quoted-printable, header checks.
 * Pure functions, any thread.
 */
#pragma once

#include <glib.h>

#include "vf-mail-message.h"

G_BEGIN_DECLS

/* "Wed, 25 Nov 2026 15:56:30 +0000", independent of the locale */
gchar *vf_mail_mime_format_date(GDateTime *datetime);
/* "<random@domain-of-from>" */
gchar *vf_mail_mime_new_message_id(const gchar *from);
/* the value itself when printable ASCII, else RFC 2047 "=?UTF-8?B?…?=" words */
gchar *vf_mail_mime_encode_header(const gchar *value);
/* every line end ("\n", "\r\n" or a lone "\r") becomes "\r\n" */
gchar *vf_mail_mime_to_crlf(const gchar *text);
/* quoted-printable of CRLF text, lines of at most 76 characters */
gchar *vf_mail_mime_encode_quoted_printable(const gchar *text);
/* the bare address of "Name <a@b.c>" or "a@b.c" */
gchar *vf_mail_mime_address(const gchar *mailbox);
/* VF_ERROR_INVALID_INPUT when a header value would break the header block
 * (CR, LF or other control characters, empty recipient, no '@'); from may be NULL */
gboolean vf_mail_mime_check(const VfMailMessage *message, const gchar *from, GError **error);

G_END_DECLS
