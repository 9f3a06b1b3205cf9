/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Input rules of the accounts API: e-mail syntax (as Django's EmailValidator,
 * with international domains) and normalisation. Pure functions, any thread.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* trimmed and lower-cased; NULL when the result is not a valid address */
gchar *vf_accounts_normalize_email(const gchar *email);

G_END_DECLS
