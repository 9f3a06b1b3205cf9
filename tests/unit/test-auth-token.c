/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One-time tokens: shape, randomness, the hash that is stored, constant-time
 * equality, and rejection of presented tokens that cannot be ours.
 */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "vf-auth-token.h"
#include "vf-test-util.h"

static gboolean
is_base64url(const gchar *text)
{
	for (const gchar *p = text; *p != '\0'; p++) {
		if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_')
			return FALSE;
	}
	return TRUE;
}

static void
test_generate(void)
{
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	for (guint i = 0; i < 200; i++) {
		g_autoptr(GBytes) hash = NULL;
		g_autoptr(GBytes) again = NULL;
		gchar *token = vf_auth_token_generate(&hash);

		g_assert_cmpuint(strlen(token), ==, VF_AUTH_TOKEN_LENGTH);
		g_assert_true(is_base64url(token));
		g_assert_nonnull(hash);
		g_assert_cmpuint(g_bytes_get_size(hash), ==, VF_AUTH_TOKEN_HASH_LENGTH);
		/* the stored hash is what hashing the presented token gives */
		again = vf_auth_token_hash(token);
		g_assert_true(vf_auth_token_equal(hash, again));
		g_assert_true(g_bytes_equal(hash, again));
		g_assert_false(g_hash_table_contains(seen, token));
		g_hash_table_add(seen, token);
	}
	/* hash_out is optional */
	g_free(vf_auth_token_generate(NULL));
}

static void
test_hash_known(void)
{
	const gchar *token = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	guchar expected[crypto_generichash_BYTES];
	g_autoptr(GBytes) hash = vf_auth_token_hash(token);

	/* BLAKE2b-256 of the token text, unkeyed: what the database holds */
	crypto_generichash(
	    expected, sizeof(expected), (const guchar *)token, strlen(token), NULL, 0);
	g_assert_nonnull(hash);
	g_assert_cmpmem(
	    g_bytes_get_data(hash, NULL), g_bytes_get_size(hash), expected, sizeof(expected));
}

static void
test_hash_rejects(void)
{
	g_autofree gchar *good = vf_auth_token_generate(NULL);
	g_autofree gchar *longer = g_strconcat(good, "A", NULL);
	g_autofree gchar *shorter = g_strndup(good, VF_AUTH_TOKEN_LENGTH - 1);
	g_autofree gchar *padded = g_strconcat(shorter, "=", NULL);
	g_autofree gchar *plus = g_strconcat(shorter, "+", NULL);
	g_autofree gchar *slash = g_strconcat(shorter, "/", NULL);
	g_autofree gchar *space = g_strconcat(shorter, " ", NULL);
	g_autofree gchar *dot = g_strconcat(shorter, ".", NULL);
	g_autofree gchar *umlaut_full = g_strconcat("\xc3\xa4", good + 2, NULL);
	g_autofree gchar *huge = g_strnfill(100000, 'A');
	struct {
		const gchar *name;
		const gchar *token;
	} rows[] = {
	    {"NULL", NULL},
	    {"empty", ""},
	    {"one character", "A"},
	    {"42 characters", shorter},
	    {"44 characters", longer},
	    {"padding", padded},
	    {"standard base64 +", plus},
	    {"standard base64 /", slash},
	    {"space", space},
	    {"dot", dot},
	    {"non-ASCII", umlaut_full},
	    {"100000 characters", huge},
	};

	g_assert_cmpuint(strlen(umlaut_full), ==, VF_AUTH_TOKEN_LENGTH);
	for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
		g_autoptr(GBytes) hash = NULL;
		g_test_message("row %s", rows[i].name);
		hash = vf_auth_token_hash(rows[i].token);
		g_assert_null(hash);
	}
}

static void
test_equal(void)
{
	g_autoptr(GBytes) a = NULL;
	g_autoptr(GBytes) b = NULL;
	g_autofree gchar *token_a = vf_auth_token_generate(&a);
	g_autofree gchar *token_b = vf_auth_token_generate(&b);
	g_autoptr(GBytes) a_copy = g_bytes_new(g_bytes_get_data(a, NULL), g_bytes_get_size(a));
	g_autoptr(GBytes) a_short = g_bytes_new(g_bytes_get_data(a, NULL), 16);
	g_autoptr(GBytes) empty = g_bytes_new(NULL, 0);
	guint8 flipped_data[VF_AUTH_TOKEN_HASH_LENGTH];
	g_autoptr(GBytes) flipped = NULL;

	memcpy(flipped_data, g_bytes_get_data(a, NULL), sizeof(flipped_data));
	flipped_data[31] ^= 0x01;
	flipped = g_bytes_new(flipped_data, sizeof(flipped_data));

	g_assert_true(vf_auth_token_equal(a, a_copy));
	g_assert_false(vf_auth_token_equal(a, b));
	g_assert_false(vf_auth_token_equal(a, flipped));
	g_assert_false(vf_auth_token_equal(a, a_short));
	g_assert_false(vf_auth_token_equal(a_short, a));
	g_assert_false(vf_auth_token_equal(empty, empty));
	g_assert_false(vf_auth_token_equal(a, NULL));
	g_assert_false(vf_auth_token_equal(NULL, a));
	g_assert_false(vf_auth_token_equal(NULL, NULL));
}

static void
test_random_string(void)
{
	struct {
		gsize n_bytes;
		gsize length;
	} rows[] = {{1, 2}, {2, 3}, {3, 4}, {16, 22}, {24, 32}, {32, 43}, {64, 86}};

	for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
		g_autofree gchar *a = vf_auth_random_string(rows[i].n_bytes);
		g_autofree gchar *b = vf_auth_random_string(rows[i].n_bytes);
		g_assert_cmpuint(strlen(a), ==, rows[i].length);
		g_assert_true(is_base64url(a));
		if (rows[i].n_bytes >= 16)
			g_assert_cmpstr(a, !=, b);
	}
}

int
main(int argc, char **argv)
{
	vf_test_init(&argc, &argv, 60);
	g_test_add_func("/auth/token/generate", test_generate);
	g_test_add_func("/auth/token/hash-known", test_hash_known);
	g_test_add_func("/auth/token/hash-rejects", test_hash_rejects);
	g_test_add_func("/auth/token/equal", test_equal);
	g_test_add_func("/auth/token/random-string", test_random_string);
	return g_test_run();
}
