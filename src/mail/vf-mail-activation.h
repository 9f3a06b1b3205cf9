/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The activation mail sent after POST /api/register/ (API.md): subject
 * "Activate your Videoflix account" and the activation link. Any thread.
 */
#pragma once

#include "vf-mail-language.h"
#include "vf-mail-message.h"

G_BEGIN_DECLS

/* language "de" or "en" (vf_mail_language_from_accept()); link is used verbatim */
VfMailMessage *
vf_mail_activation_new(const gchar *language, const gchar *recipient, const gchar *link);

G_END_DECLS
