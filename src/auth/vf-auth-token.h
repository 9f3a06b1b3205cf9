/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One-time tokens (activation, password reset) and other random strings (csrftoken,
 * jti). Only a token's hash is stored; presented tokens are hashed and compared in
 * constant time. Thread-safe; callable from any thread.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define VF_AUTH_TOKEN_LENGTH	  43 /* 32 random bytes, base64url without padding */
#define VF_AUTH_TOKEN_HASH_LENGTH 32 /* crypto_generichash_BYTES */

/* a fresh token; *hash_out (nullable) receives its 32-byte hash, the value to store */
gchar *vf_auth_token_generate(GBytes **hash_out);
/* the hash of a presented token, or NULL when it is not 43 base64url characters */
GBytes *vf_auth_token_hash(const gchar *token);
/* constant time for equal lengths; FALSE when either is NULL or the lengths differ */
gboolean vf_auth_token_equal(GBytes *a, GBytes *b);
/* n_bytes (> 0) random bytes as base64url without padding */
gchar *vf_auth_random_string(gsize n_bytes);

G_END_DECLS
