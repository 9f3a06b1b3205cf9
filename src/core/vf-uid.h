/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * uidb64: a user id as decimal text, base64url without padding, as Django's
 * urlsafe_base64_encode(force_bytes(pk)) writes it (1 → "MQ").
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gchar *vf_uid_encode(gint64 user_id);
gboolean vf_uid_decode(const gchar *uidb64, gint64 *user_id);

G_END_DECLS
