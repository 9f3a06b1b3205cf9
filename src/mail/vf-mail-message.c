/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfMailMessage: plain data, any thread.
 */
#include "config.h"

#include "vf-mail-message.h"

VfMailMessage *
vf_mail_message_new(const gchar *recipient,
		    const gchar *subject,
		    const gchar *text,
		    const gchar *html)
{
	VfMailMessage *self;

	g_return_val_if_fail(recipient != NULL, NULL);
	g_return_val_if_fail(subject != NULL, NULL);
	g_return_val_if_fail(text != NULL, NULL);
	g_return_val_if_fail(html != NULL, NULL);

	self = g_new0(VfMailMessage, 1);
	self->recipient = g_strdup(recipient);
	self->subject = g_strdup(subject);
	self->text = g_strdup(text);
	self->html = g_strdup(html);
	return self;
}

void
vf_mail_message_free(VfMailMessage *self)
{
	if (self == NULL)
		return;
	g_free(self->recipient);
	g_free(self->subject);
	g_free(self->text);
	g_free(self->html);
	g_free(self);
}
