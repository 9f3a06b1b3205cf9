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

/* main thread, at start-up before any thread runs: binds the text domain to
 * localedir (NULL: keep the current binding), asks for UTF-8, drops LANGUAGE from
 * the environment (glibc's gettext lets it override the per-mail locale, which
 * would send German users English mail) and checks that de_DE.UTF-8 is installed
 * (one warning if not: German mails then go out in English) */
void vf_mail_language_setup(const gchar *localedir);

G_END_DECLS
