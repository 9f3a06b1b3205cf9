/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Internals of src/auth shared by its files and its unit tests: libsodium start-up,
 * autoptr cleanup for libjwt, and the password module's test hook.
 */
#pragma once

#include <glib.h>
#include <jwt.h>

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC(jwt_t, jwt_free)

/* sodium_init() once per process; thread-safe */
gboolean vf_auth_sodium_ensure(GError **error);

/* called on the hashing thread right after it took one of the max_concurrent slots
 * (entering TRUE) and right before it gives it back (FALSE), so a test can count how
 * many hashes really run at once; NULL to unset */
typedef void (*VfAuthPasswordHook)(gboolean entering, gpointer user_data);
void vf_auth_password_set_test_hook(VfAuthPasswordHook hook, gpointer user_data);
/* the current limit of concurrent hashes/verifies */
guint vf_auth_password_get_max_concurrent(void);

G_END_DECLS
