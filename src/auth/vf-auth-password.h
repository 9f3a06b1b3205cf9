/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Password hashing with argon2id (libsodium crypto_pwhash_str, INTERACTIVE limits:
 * about 80 ms and 64 MiB each). Hashing and verifying block: call them on worker
 * threads, never on the main loop. At most max_concurrent of them run at once
 * process-wide, so parallel logins cannot exhaust memory.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* sodium_init() and the dummy hash on the first call; each call sets the limit of
 * concurrent hashes/verifies (0 → number of CPUs). Thread-safe. The other functions
 * call it with 0 themselves if nobody did. */
gboolean vf_auth_password_init(guint max_concurrent, GError **error);
/* an argon2id string ($argon2id$v=19$…); VF_ERROR_INTERNAL on failure (out of memory) */
gchar *vf_auth_password_hash(const gchar *password, GError **error);
/* FALSE for a mismatch, a NULL or non-argon2 hash (e.g. Django's pbkdf2_sha256$…);
 * always costs one verify, whatever the hash looks like */
gboolean vf_auth_password_verify(const gchar *hash, const gchar *password);
/* costs the same as a verify, for unknown accounts (no enumeration by timing) */
void vf_auth_password_verify_dummy(const gchar *password);
/* TRUE when the hash is not argon2id with our current limits (rehash after login) */
gboolean vf_auth_password_needs_rehash(const gchar *hash);

G_END_DECLS
