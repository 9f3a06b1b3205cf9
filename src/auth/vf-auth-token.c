/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Random tokens from libsodium's CSPRNG, their BLAKE2b hashes and constant-time
 * comparison; also the one sodium_init() of src/auth. Any thread.
 */
#include "config.h"

#include "vf-auth-token.h"

#include <sodium.h>
#include <string.h>

#include "vf-auth-private.h"
#include "vf-error.h"

gboolean
vf_auth_sodium_ensure(GError **error)
{
	static gsize done = 0;
	static gboolean ok = FALSE;

	if (g_once_init_enter(&done)) {
		/* 0 = initialised now, 1 = already; -1 = no usable entropy source */
		ok = sodium_init() >= 0;
		g_once_init_leave(&done, 1);
	}
	if (!ok) {
		g_set_error_literal(
		    error, VF_ERROR, VF_ERROR_INTERNAL, "libsodium failed to initialise");
		return FALSE;
	}
	return TRUE;
}

static void
sodium_ensure_or_die(void)
{
	g_autoptr(GError) error = NULL;

	/* without a CSPRNG no token can be made safely; randombytes_buf() would abort anyway */
	if (!vf_auth_sodium_ensure(&error))
		g_error("%s", error->message);
}

gchar *
vf_auth_random_string(gsize n_bytes)
{
	g_autofree guchar *raw = NULL;
	gsize encoded_len;
	gchar *text;

	g_return_val_if_fail(n_bytes > 0 && n_bytes <= 4096, NULL);

	sodium_ensure_or_die();
	raw = g_malloc(n_bytes);
	randombytes_buf(raw, n_bytes);
	encoded_len = sodium_base64_ENCODED_LEN(n_bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	text = g_malloc(encoded_len);
	sodium_bin2base64(
	    text, encoded_len, raw, n_bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, n_bytes);
	return text;
}

static gboolean
token_is_well_formed(const gchar *token)
{
	for (gsize i = 0; i < VF_AUTH_TOKEN_LENGTH; i++) {
		gchar c = token[i];
		if (!g_ascii_isalnum(c) && c != '-' && c != '_')
			return FALSE; /* includes the NUL of a short token */
	}
	return token[VF_AUTH_TOKEN_LENGTH] == '\0';
}

GBytes *
vf_auth_token_hash(const gchar *token)
{
	guchar hash[crypto_generichash_BYTES];

	G_STATIC_ASSERT(crypto_generichash_BYTES == VF_AUTH_TOKEN_HASH_LENGTH);

	if (token == NULL || !token_is_well_formed(token))
		return NULL;
	sodium_ensure_or_die();
	crypto_generichash(
	    hash, sizeof(hash), (const guchar *)token, VF_AUTH_TOKEN_LENGTH, NULL, 0);
	return g_bytes_new(hash, sizeof(hash));
}

gchar *
vf_auth_token_generate(GBytes **hash_out)
{
	g_autofree gchar *token = vf_auth_random_string(32);

	g_assert(strlen(token) == VF_AUTH_TOKEN_LENGTH);
	if (hash_out != NULL)
		*hash_out = vf_auth_token_hash(token);
	return g_steal_pointer(&token);
}

gboolean
vf_auth_token_equal(GBytes *a, GBytes *b)
{
	gsize len_a = 0;
	gsize len_b = 0;
	const guint8 *data_a;
	const guint8 *data_b;

	if (a == NULL || b == NULL)
		return FALSE;
	data_a = g_bytes_get_data(a, &len_a);
	data_b = g_bytes_get_data(b, &len_b);
	/* the lengths are public (always 32 for our hashes); only the contents are secret */
	if (len_a != len_b || len_a == 0)
		return FALSE;
	return sodium_memcmp(data_a, data_b, len_a) == 0;
}
