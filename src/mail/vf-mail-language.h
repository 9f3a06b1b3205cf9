/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The language of a user's mails, picked once from Accept-Language at
 * registration and stored with the user. Pure function, any thread.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "de" or "en" (the supported languages), honouring q-values; "en" for NULL,
 * garbage or only unsupported languages. Returns a static string. */
const gchar *vf_mail_language_from_accept(const gchar *accept_language);

G_END_DECLS
