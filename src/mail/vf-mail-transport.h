/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfMailTransport: how a mail leaves the daemon. Alternative backends derive
 * from it (SMTP, .eml files). send() is synchronous and runs on a worker thread
 * (the outbox sender's GTask thread); implementations must allow concurrent calls.
 */
#pragma once

#include <glib-object.h>

#include "vf-mail-message.h"

G_BEGIN_DECLS

#define VF_TYPE_MAIL_TRANSPORT (vf_mail_transport_get_type())
G_DECLARE_DERIVABLE_TYPE(VfMailTransport, vf_mail_transport, VF, MAIL_TRANSPORT, GObject)

struct _VfMailTransportClass {
	GObjectClass parent_class;

	/* worker thread; the message has passed vf_mail_transport_send()'s checks */
	gboolean (*send)(VfMailTransport *self, const VfMailMessage *message, GError **error);

	gpointer padding[8];
};

/* worker thread, blocks; VF_ERROR_INVALID_INPUT for a message that cannot be sent
 * (header injection), VF_ERROR_UNAVAILABLE when the server cannot be reached or
 * answers "try later", VF_ERROR_INTERNAL for other failures such as a refused
 * recipient (the message says what happened) */
gboolean
vf_mail_transport_send(VfMailTransport *self, const VfMailMessage *message, GError **error);
/* the From mailbox ("Videoflix <noreply@example.com>") */
const gchar *vf_mail_transport_get_from(VfMailTransport *self);

G_END_DECLS
