/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfMailMessage: one mail as plain data (recipient, subject, text and HTML bodies,
 * all UTF-8, lines ending in "\n"). Built by the mail templates, stored in the
 * outbox, sent by a VfMailTransport. Any thread.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
	gchar *recipient;
	gchar *subject;
	gchar *text;
	gchar *html;
} VfMailMessage;

/* copies every argument */
VfMailMessage *vf_mail_message_new(const gchar *recipient,
				   const gchar *subject,
				   const gchar *text,
				   const gchar *html);
void vf_mail_message_free(VfMailMessage *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfMailMessage, vf_mail_message_free)

G_END_DECLS
