/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfTestSmtp: a real SMTP listener for the tests (Debian's aiosmtpd) on a free
 * loopback port in a temp dir, recording every mail it receives. It can be stopped
 * and started again on the same port (mail server outages). Also a small RFC 5322
 * / MIME reader for the recorded mails and for .eml files. Main thread.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
	gchar *envelope_from; /* NULL for a mail not received over SMTP */
	gchar *envelope_to;
	gchar *from; /* header values; subject decoded from RFC 2047 */
	gchar *to;
	gchar *subject;
	gchar *date;
	gchar *message_id;
	gchar *mime_version;
	gchar *content_type; /* of the top level, without parameters */
	gchar *text;	     /* decoded text/plain part, "\n" line ends, or NULL */
	gchar *html;	     /* decoded text/html part, "\n" line ends, or NULL */
	gchar *raw;
} VfTestMail;

void vf_test_mail_free(VfTestMail *mail);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfTestMail, vf_test_mail_free)

/* parses a mail; fails (assertion) on a malformed one */
VfTestMail *vf_test_mail_parse(const gchar *raw);
/* the first URL in body starting with prefix (up to whitespace, quote or '<'),
 * with HTML entities (&amp;) decoded; NULL when there is none */
gchar *vf_test_mail_extract_link(const gchar *body, const gchar *prefix);

typedef struct _VfTestSmtp VfTestSmtp;

typedef enum {
	VF_TEST_SMTP_PLAIN,
	VF_TEST_SMTP_STARTTLS, /* STARTTLS offered and required before MAIL */
	VF_TEST_SMTP_SMTPS,    /* implicit TLS from the first byte */
} VfTestSmtpSecurity;

/* starts a plain listener and waits until it accepts connections */
VfTestSmtp *vf_test_smtp_new(void);
/* the same with TLS, using a fresh self-signed certificate for 127.0.0.1
 * (made with the openssl command) */
VfTestSmtp *vf_test_smtp_new_full(VfTestSmtpSecurity security);
/* the certificate to trust (CURLOPT_CAINFO), NULL for a plain listener */
const gchar *vf_test_smtp_get_ca_file(VfTestSmtp *self);
guint16 vf_test_smtp_get_port(VfTestSmtp *self);
/* kills the listener (connections are refused until start) */
void vf_test_smtp_stop(VfTestSmtp *self);
/* starts it again on the same port and waits until it accepts connections */
void vf_test_smtp_start(VfTestSmtp *self);
/* the mails received so far, in order of arrival; a GPtrArray of VfTestMail */
GPtrArray *vf_test_smtp_get_messages(VfTestSmtp *self);
guint vf_test_smtp_count_messages(VfTestSmtp *self);
/* iterates the default main context until n mails arrived or timeout_ms passed */
gboolean vf_test_smtp_wait_for_messages(VfTestSmtp *self, guint n, guint timeout_ms);
/* stops the listener and removes its directory */
void vf_test_smtp_free(VfTestSmtp *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfTestSmtp, vf_test_smtp_free)

G_END_DECLS
