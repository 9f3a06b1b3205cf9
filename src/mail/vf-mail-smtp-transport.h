/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfMailSmtpTransport: sends mail over SMTP with libcurl (EMAIL_HOST, EMAIL_PORT,
 * EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, EMAIL_USE_SSL,
 * DEFAULT_FROM_EMAIL). One connection per mail, on the calling worker thread.
 */
#pragma once

#include "vf-mail-transport.h"

G_BEGIN_DECLS

#define VF_TYPE_MAIL_SMTP_TRANSPORT (vf_mail_smtp_transport_get_type())
G_DECLARE_FINAL_TYPE(
    VfMailSmtpTransport, vf_mail_smtp_transport, VF, MAIL_SMTP_TRANSPORT, VfMailTransport)

/* main thread (initialises libcurl). use_tls: smtp:// with STARTTLS required;
 * use_ssl: smtps:// (implicit TLS). user NULL or "" sends no AUTH. */
VfMailTransport *vf_mail_smtp_transport_new(const gchar *host,
					    guint port,
					    const gchar *user,
					    const gchar *password,
					    gboolean use_tls,
					    gboolean use_ssl,
					    const gchar *from);
/* before the first send: connect and total time limits (defaults 10 s and 60 s) */
void
vf_mail_smtp_transport_set_timeouts(VfMailSmtpTransport *self, guint connect_ms, guint total_ms);
/* before the first send: a CA bundle for a private or self-signed server */
void vf_mail_smtp_transport_set_ca_file(VfMailSmtpTransport *self, const gchar *ca_file);

G_END_DECLS
