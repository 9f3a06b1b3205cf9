/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * HS256 JWTs: round trips, and one table row per way a token must be refused
 * (alg none and friends, other algorithms, bad signatures and keys, every claim
 * missing or of the wrong type, garbage). Bad tokens are crafted here by hand:
 * base64url segments and an HMAC from libsodium, or libjwt with another algorithm.
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "vf-auth-jwt.h"
#include "vf-auth-private.h"
#include "vf-error.h"
#include "vf-test-util.h"

#define SECRET	     "unit-test-secret-0123456789abcdefghijklmnopqrstuv"
#define OTHER_SECRET "another-secret-0123456789abcdefghijklmnopqrstuvwx"
#define NOW	     G_GINT64_CONSTANT(1700000000)
#define HS256_HEADER "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"

typedef enum {
	SIG_HS256,	/* HMAC-SHA256 with the row's key: h.p.s */
	SIG_HS512,	/* HMAC-SHA512 with the row's key: h.p.s */
	SIG_EMPTY,	/* h.p. */
	SIG_ABSENT,	/* h.p */
	SIG_RANDOM_256, /* 256 random bytes, the size of an RS256 signature */
} SigKind;

static gchar *
b64url(const void *data, gsize len)
{
	gsize out_len = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	gchar *out = g_malloc(out_len);

	sodium_bin2base64(out, out_len, data, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}

static gchar *
craft(const gchar *header, const gchar *payload, SigKind sig, const gchar *key)
{
	g_autofree gchar *h = b64url(header, strlen(header));
	g_autofree gchar *p = b64url(payload, strlen(payload));
	g_autofree gchar *input = g_strdup_printf("%s.%s", h, p);
	g_autofree gchar *s = NULL;

	switch (sig) {
	case SIG_HS256: {
		crypto_auth_hmacsha256_state state;
		guchar mac[crypto_auth_hmacsha256_BYTES];
		crypto_auth_hmacsha256_init(&state, (const guchar *)key, strlen(key));
		crypto_auth_hmacsha256_update(&state, (const guchar *)input, strlen(input));
		crypto_auth_hmacsha256_final(&state, mac);
		s = b64url(mac, sizeof(mac));
		break;
	}
	case SIG_HS512: {
		crypto_auth_hmacsha512_state state;
		guchar mac[crypto_auth_hmacsha512_BYTES];
		crypto_auth_hmacsha512_init(&state, (const guchar *)key, strlen(key));
		crypto_auth_hmacsha512_update(&state, (const guchar *)input, strlen(input));
		crypto_auth_hmacsha512_final(&state, mac);
		s = b64url(mac, sizeof(mac));
		break;
	}
	case SIG_EMPTY:
		s = g_strdup("");
		break;
	case SIG_ABSENT:
		return g_steal_pointer(&input);
	case SIG_RANDOM_256: {
		guchar bytes[256];
		randombytes_buf(bytes, sizeof(bytes));
		s = b64url(bytes, sizeof(bytes));
		break;
	}
	}
	return g_strdup_printf("%s.%s", input, s);
}

/* the claims of a good access token at NOW, with claim replaced by the JSON text
 * raw_value, or removed when raw_value is NULL (claim NULL: unchanged) */
static gchar *
claims_json(const gchar *claim, const gchar *raw_value)
{
	g_autoptr(JsonNode) root = json_from_string("{\"user_id\":5,\"iat\":1700000000,"
						    "\"exp\":1700000300,"
						    "\"jti\":\"abcdefghijklmnopqrstuv\","
						    "\"token_type\":\"access\"}",
						    NULL);
	JsonObject *object = json_node_get_object(root);

	if (claim != NULL && raw_value == NULL) {
		json_object_remove_member(object, claim);
	} else if (claim != NULL) {
		g_autoptr(GError) error = NULL;
		JsonNode *value = json_from_string(raw_value, &error);
		g_assert_no_error(error);
		json_object_set_member(object, claim, value);
	}
	return json_to_string(root, FALSE);
}

/* a good access token at NOW with one claim changed (see claims_json) */
static gchar *
craft_claim(const gchar *claim, const gchar *raw_value)
{
	g_autofree gchar *payload = claims_json(claim, raw_value);

	return craft(HS256_HEADER, payload, SIG_HS256, SECRET);
}

static gchar *
encode_with_libjwt(jwt_alg_t alg, const gchar *key, const gchar *payload)
{
	g_autoptr(jwt_t) jwt = NULL;
	char *raw;
	gchar *token;

	g_assert_cmpint(jwt_new(&jwt), ==, 0);
	g_assert_cmpint(jwt_add_grants_json(jwt, payload), ==, 0);
	g_assert_cmpint(jwt_set_alg(jwt, alg, (const guchar *)key, (int)strlen(key)), ==, 0);
	raw = jwt_encode_str(jwt);
	g_assert_nonnull(raw);
	token = g_strdup(raw);
	free(raw);
	return token;
}

static void
assert_invalid(const gchar *name, const gchar *token, VfAuthTokenType expected, gint64 now)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(VfAuthClaims) claims = NULL;

	g_test_message("row %s", name);
	claims = vf_auth_jwt_verify(SECRET, token, expected, now, &error);
	g_assert_error(error, VF_ERROR, VF_ERROR_TOKEN_INVALID);
	g_assert_null(claims);
	g_test_message("  %s", error->message);
}

static VfAuthClaims *
assert_valid(const gchar *name, const gchar *token, VfAuthTokenType expected, gint64 now)
{
	g_autoptr(GError) error = NULL;
	VfAuthClaims *claims;

	g_test_message("row %s", name);
	claims = vf_auth_jwt_verify(SECRET, token, expected, now, &error);
	g_assert_no_error(error);
	g_assert_nonnull(claims);
	return claims;
}

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
test_round_trip(void)
{
	const VfAuthTokenType types[] = {VF_AUTH_TOKEN_TYPE_ACCESS, VF_AUTH_TOKEN_TYPE_REFRESH};

	for (guint i = 0; i < G_N_ELEMENTS(types); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(VfAuthClaims) issued = NULL;
		g_autoptr(VfAuthClaims) verified = NULL;
		g_autoptr(VfAuthClaims) second = NULL;
		g_auto(GStrv) parts = NULL;
		g_autofree guchar *header = NULL;
		gsize header_len = 0;
		g_autofree gchar *token =
		    vf_auth_jwt_issue(SECRET, types[i], 42, NOW, 18000, &issued, &error);
		g_autofree gchar *token2 = NULL;

		g_assert_no_error(error);
		g_assert_nonnull(token);
		g_assert_cmpint(issued->user_id, ==, 42);
		g_assert_cmpint(issued->iat, ==, NOW);
		g_assert_cmpint(issued->exp, ==, NOW + 18000);
		g_assert_cmpint(issued->token_type, ==, types[i]);
		/* 128 random bits, url-safe */
		g_assert_cmpuint(strlen(issued->jti), ==, 22);
		g_assert_true(is_base64url(issued->jti));

		parts = g_strsplit(token, ".", -1);
		g_assert_cmpuint(g_strv_length(parts), ==, 3);
		header = g_malloc(strlen(parts[0]));
		g_assert_cmpint(sodium_base642bin(header,
						  strlen(parts[0]),
						  parts[0],
						  strlen(parts[0]),
						  NULL,
						  &header_len,
						  NULL,
						  sodium_base64_VARIANT_URLSAFE_NO_PADDING),
				==,
				0);
		g_assert_cmpmem(header, header_len, HS256_HEADER, strlen(HS256_HEADER));

		verified = vf_auth_jwt_verify(SECRET, token, types[i], NOW, &error);
		g_assert_no_error(error);
		g_assert_cmpint(verified->user_id, ==, 42);
		g_assert_cmpint(verified->iat, ==, NOW);
		g_assert_cmpint(verified->exp, ==, NOW + 18000);
		g_assert_cmpstr(verified->jti, ==, issued->jti);
		g_assert_cmpint(verified->token_type, ==, types[i]);

		/* every token gets its own jti */
		token2 = vf_auth_jwt_issue(SECRET, types[i], 42, NOW, 18000, &second, &error);
		g_assert_no_error(error);
		g_assert_cmpstr(second->jti, !=, issued->jti);
		g_assert_cmpstr(token2, !=, token);
	}
}

static void
test_issue_without_claims_out(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *token =
	    vf_auth_jwt_issue(SECRET, VF_AUTH_TOKEN_TYPE_ACCESS, 1, NOW, 1, NULL, &error);
	g_autoptr(VfAuthClaims) claims = NULL;

	g_assert_no_error(error);
	claims = assert_valid("lifetime 1 s", token, VF_AUTH_TOKEN_TYPE_ACCESS, NOW);
	g_assert_cmpint(claims->user_id, ==, 1);
}

static void
test_expiry(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *token =
	    vf_auth_jwt_issue(SECRET, VF_AUTH_TOKEN_TYPE_ACCESS, 7, NOW, 300, NULL, &error);
	g_autoptr(VfAuthClaims) before = NULL;
	g_autoptr(VfAuthClaims) early = NULL;

	g_assert_no_error(error);
	before = assert_valid("last second", token, VF_AUTH_TOKEN_TYPE_ACCESS, NOW + 299);
	assert_invalid("at exp", token, VF_AUTH_TOKEN_TYPE_ACCESS, NOW + 300);
	assert_invalid("an hour later", token, VF_AUTH_TOKEN_TYPE_ACCESS, NOW + 3600);
	/* issued up to 60 s in the future is accepted as clock skew, 61 s is not */
	early = assert_valid("60 s early", token, VF_AUTH_TOKEN_TYPE_ACCESS, NOW - 60);
	assert_invalid("61 s early", token, VF_AUTH_TOKEN_TYPE_ACCESS, NOW - 61);
}

static void
test_wrong_type(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *access =
	    vf_auth_jwt_issue(SECRET, VF_AUTH_TOKEN_TYPE_ACCESS, 7, NOW, 300, NULL, &error);
	g_autofree gchar *refresh =
	    vf_auth_jwt_issue(SECRET, VF_AUTH_TOKEN_TYPE_REFRESH, 7, NOW, 300, NULL, &error);

	g_assert_no_error(error);
	assert_invalid("refresh as access", refresh, VF_AUTH_TOKEN_TYPE_ACCESS, NOW);
	assert_invalid("access as refresh", access, VF_AUTH_TOKEN_TYPE_REFRESH, NOW);
}

static void
test_other_key(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *token =
	    vf_auth_jwt_issue(OTHER_SECRET, VF_AUTH_TOKEN_TYPE_ACCESS, 7, NOW, 300, NULL, &error);
	g_autofree gchar *one_byte =
	    vf_auth_jwt_issue("x", VF_AUTH_TOKEN_TYPE_ACCESS, 7, NOW, 300, NULL, &error);
	g_autofree gchar *prefix = vf_auth_jwt_issue(
	    "unit-test-secret", VF_AUTH_TOKEN_TYPE_ACCESS, 7, NOW, 300, NULL, &error);

	g_assert_no_error(error);
	assert_invalid("another key", token, VF_AUTH_TOKEN_TYPE_ACCESS, NOW);
	assert_invalid("1-byte key", one_byte, VF_AUTH_TOKEN_TYPE_ACCESS, NOW);
	assert_invalid("prefix of the key", prefix, VF_AUTH_TOKEN_TYPE_ACCESS, NOW);
}

/* tokens made by hand must pass when nothing is wrong with them, or the tables
 * below would prove nothing */
static void
test_crafted_valid(void)
{
	g_autofree gchar *base = claims_json(NULL, NULL);
	g_autofree gchar *filler = g_strnfill(5000, 'x');
	g_autofree gchar *big_claim = g_strdup_printf("\"%s\"", filler);
	struct {
		const gchar *name;
		gchar *token;
	} rows[] = {
	    {"crafted HS256", craft(HS256_HEADER, base, SIG_HS256, SECRET)},
	    {"header without typ", craft("{\"alg\":\"HS256\"}", base, SIG_HS256, SECRET)},
	    {"libjwt HS256", encode_with_libjwt(JWT_ALG_HS256, SECRET, base)},
	    {"iat 60 s ahead", craft_claim("iat", "1700000060")},
	    {"iat long ago", craft_claim("iat", "0")},
	    {"exp 1 s ahead", craft_claim("exp", "1700000001")},
	    {"extra claim", craft_claim("scope", "\"x\"")},
	    {"7 KiB token", craft_claim("filler", big_claim)},
	    {"largest user_id", craft_claim("user_id", "9223372036854775807")},
	};

	for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
		g_autoptr(VfAuthClaims) claims =
		    assert_valid(rows[i].name, rows[i].token, VF_AUTH_TOKEN_TYPE_ACCESS, NOW);
		g_assert_cmpstr(claims->jti, ==, "abcdefghijklmnopqrstuv");
		g_assert_cmpint(claims->token_type, ==, VF_AUTH_TOKEN_TYPE_ACCESS);
		g_free(rows[i].token);
	}
}

/* every claim missing or of the wrong type, in an otherwise good, well-signed token */
static void
test_bad_claims(void)
{
	struct {
		const gchar *claim;
		const gchar *raw_value; /* JSON text; NULL removes the claim */
	} rows[] = {
	    {"exp", NULL},
	    {"exp", "1700000000"}, /* == now */
	    {"exp", "1699996400"}, /* an hour ago */
	    {"exp", "0"},
	    {"exp", "\"1700000300\""},
	    {"exp", "1700000300.0"},
	    {"exp", "1.7e9"},
	    {"exp", "null"},
	    {"exp", "true"},
	    {"iat", NULL},
	    {"iat", "1700000061"}, /* beyond 60 s skew */
	    {"iat", "\"1700000000\""},
	    {"iat", "1700000000.5"},
	    {"iat", "null"},
	    {"token_type", NULL},
	    {"token_type", "\"refresh\""},
	    {"token_type", "\"ACCESS\""},
	    {"token_type", "\"access \""},
	    {"token_type", "\"\""},
	    {"token_type", "1"},
	    {"token_type", "null"},
	    {"token_type", "[\"access\"]"},
	    {"token_type", "{\"type\":\"access\"}"},
	    {"user_id", NULL},
	    {"user_id", "\"5\""},
	    {"user_id", "0"},
	    {"user_id", "-1"},
	    {"user_id", "5.0"},
	    {"user_id", "5.5"},
	    {"user_id", "true"},
	    {"user_id", "null"},
	    {"user_id", "[5]"},
	    {"user_id", "{\"id\":5}"},
	    {"user_id", "9223372036854775808"}, /* out of gint64 range */
	    {"jti", NULL},
	    {"jti", "\"\""},
	    {"jti", "123"},
	    {"jti", "null"},
	    {"jti", "[\"abc\"]"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
		g_autofree gchar *name =
		    g_strdup_printf("%s = %s",
				    rows[i].claim,
				    rows[i].raw_value != NULL ? rows[i].raw_value : "(missing)");
		g_autofree gchar *token = craft_claim(rows[i].claim, rows[i].raw_value);
		assert_invalid(name, token, VF_AUTH_TOKEN_TYPE_ACCESS, NOW);
	}
}

/* wrong algorithms and signatures over good claims */
static void
test_bad_signatures(void)
{
	g_autofree gchar *base = claims_json(NULL, NULL);
	g_autofree gchar *none_header = g_strdup("{\"alg\":\"none\",\"typ\":\"JWT\"}");
	struct {
		const gchar *name;
		const gchar *header;
		SigKind sig;
		const gchar *key;
	} rows[] = {
	    {"alg none, h.p.", none_header, SIG_EMPTY, NULL},
	    {"alg none, h.p", none_header, SIG_ABSENT, NULL},
	    {"alg none, h.p.sig", none_header, SIG_HS256, SECRET},
	    {"alg None, h.p.", "{\"alg\":\"None\",\"typ\":\"JWT\"}", SIG_EMPTY, NULL},
	    {"alg None, h.p.sig", "{\"alg\":\"None\",\"typ\":\"JWT\"}", SIG_HS256, SECRET},
	    {"alg NONE, h.p.", "{\"alg\":\"NONE\"}", SIG_EMPTY, NULL},
	    {"alg missing, h.p.", "{\"typ\":\"JWT\"}", SIG_EMPTY, NULL},
	    {"alg missing, h.p.sig", "{\"typ\":\"JWT\"}", SIG_HS256, SECRET},
	    {"alg empty", "{\"alg\":\"\"}", SIG_HS256, SECRET},
	    {"alg null", "{\"alg\":null}", SIG_HS256, SECRET},
	    {"alg number", "{\"alg\":256}", SIG_HS256, SECRET},
	    {"alg hs256 lower case", "{\"alg\":\"hs256\"}", SIG_HS256, SECRET},
	    {"HS512 with our key", "{\"alg\":\"HS512\",\"typ\":\"JWT\"}", SIG_HS512, SECRET},
	    {"HS512 header, HS256 signature", "{\"alg\":\"HS512\"}", SIG_HS256, SECRET},
	    {"HS384 header, HS256 signature", "{\"alg\":\"HS384\"}", SIG_HS256, SECRET},
	    {"HS256 header, HS512 signature", HS256_HEADER, SIG_HS512, SECRET},
	    {"RS256, HMAC with our key", "{\"alg\":\"RS256\",\"typ\":\"JWT\"}", SIG_HS256, SECRET},
	    {"RS256, 256-byte signature", "{\"alg\":\"RS256\"}", SIG_RANDOM_256, NULL},
	    {"ES256, HMAC with our key", "{\"alg\":\"ES256\"}", SIG_HS256, SECRET},
	    {"HS256, empty signature", HS256_HEADER, SIG_EMPTY, NULL},
	    {"HS256, no signature", HS256_HEADER, SIG_ABSENT, NULL},
	    {"HS256, another key", HS256_HEADER, SIG_HS256, OTHER_SECRET},
	    {"HS256, 1-byte key", HS256_HEADER, SIG_HS256, "x"},
	    {"HS256, key with a trailing byte", HS256_HEADER, SIG_HS256, SECRET "!"},
	    {"HS256, random signature", HS256_HEADER, SIG_RANDOM_256, NULL},
	    {"header not JSON", "alg=HS256", SIG_HS256, SECRET},
	    {"header an array", "[\"HS256\"]", SIG_HS256, SECRET},
	    {"header empty", "", SIG_HS256, SECRET},
	};

	for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
		g_autofree gchar *token = craft(rows[i].header, base, rows[i].sig, rows[i].key);
		assert_invalid(rows[i].name, token, VF_AUTH_TOKEN_TYPE_ACCESS, NOW);
	}
}

/* other ways a token can be wrong: made by libjwt with other algorithms, tampered
 * with after signing, not an object, or not a JWT at all */
static void
test_bad_tokens(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *base = claims_json(NULL, NULL);
	g_autofree gchar *user_6 = claims_json("user_id", "6");
	g_autofree gchar *good = craft(HS256_HEADER, base, SIG_HS256, SECRET);
	g_autofree gchar *issued =
	    vf_auth_jwt_issue(SECRET, VF_AUTH_TOKEN_TYPE_ACCESS, 5, NOW, 300, NULL, &error);
	g_auto(GStrv) parts = g_strsplit(issued, ".", -1);
	g_autofree gchar *user_6_b64 = b64url(user_6, strlen(user_6));
	g_autofree gchar *tampered = g_strdup_printf("%s.%s.%s", parts[0], user_6_b64, parts[2]);
	g_autofree gchar *flipped = g_strdup(issued);
	g_autofree gchar *spare_bits = g_strdup(issued);
	g_autofree gchar *truncated = g_strndup(issued, strlen(issued) - 2);
	g_autofree gchar *extra_char = g_strconcat(issued, "A", NULL);
	g_autofree gchar *padded = g_strconcat(issued, "=", NULL);
	g_autofree gchar *four_parts = g_strconcat(issued, ".", parts[2], NULL);
	g_autofree gchar *newline = g_strconcat(issued, "\n", NULL);
	g_autofree gchar *leading_space = g_strconcat(" ", issued, NULL);
	g_autofree gchar *bearer = g_strconcat("Bearer ", issued, NULL);
	g_autofree gchar *no_header = g_strdup_printf(".%s.%s", parts[1], parts[2]);
	g_autofree gchar *no_payload = g_strdup_printf("%s..%s", parts[0], parts[2]);
	g_autofree gchar *filler = g_strnfill(9000, 'x');
	g_autofree gchar *big_claim = g_strdup_printf("\"%s\"", filler);
	g_autofree gchar *garbage = g_strnfill(9000, 'A');
	struct {
		const gchar *name;
		gchar *token; /* owned */
	} made[] = {
	    {"libjwt HS384 with our key", encode_with_libjwt(JWT_ALG_HS384, SECRET, base)},
	    {"libjwt HS512 with our key", encode_with_libjwt(JWT_ALG_HS512, SECRET, base)},
	    {"libjwt HS256 with a 1-byte key", encode_with_libjwt(JWT_ALG_HS256, "x", base)},
	    {"payload an array", craft(HS256_HEADER, "[1]", SIG_HS256, SECRET)},
	    {"payload a number", craft(HS256_HEADER, "5", SIG_HS256, SECRET)},
	    {"payload not JSON", craft(HS256_HEADER, "user_id=5", SIG_HS256, SECRET)},
	    {"payload empty object", craft(HS256_HEADER, "{}", SIG_HS256, SECRET)},
	    {"payload empty", craft(HS256_HEADER, "", SIG_HS256, SECRET)},
	    {"well signed but > 8 KiB", craft_claim("filler", big_claim)},
	};
	struct {
		const gchar *name;
		const gchar *token;
	} rows[] = {
	    {"NULL", NULL},
	    {"empty string", ""},
	    {"garbage", "garbage"},
	    {"three dots", "..."},
	    {"two dots", ".."},
	    {"a.b.c", "a.b.c"},
	    {"non-ASCII", "\xc3\xa4.\xc3\xb6.\xc3\xbc"},
	    {"9000 characters", garbage},
	    {"tampered payload", tampered},
	    {"flipped signature", flipped},
	    {"signature with its spare bits set", spare_bits},
	    {"truncated signature", truncated},
	    {"signature one character longer", extra_char},
	    {"padding", padded},
	    {"four segments", four_parts},
	    {"trailing newline", newline},
	    {"leading space", leading_space},
	    {"with Bearer prefix", bearer},
	    {"no header", no_header},
	    {"no payload", no_payload},
	};

	g_assert_no_error(error);
	/* change a middle character of the signature: the last one has spare bits */
	flipped[strlen(flipped) - 10] = flipped[strlen(flipped) - 10] == 'A' ? 'B' : 'A';
	/* the last of 43 characters carries 4 bits of the MAC and 2 spare bits: set one
	 * of those, so the bytes decode the same but the text is not the one we made */
	{
		static const gchar alphabet[] =
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
		gchar *last = spare_bits + strlen(spare_bits) - 1;
		guint value = (guint)(strchr(alphabet, *last) - alphabet);
		*last = alphabet[value ^ 1];
	}
	/* the untouched tokens are good, so every row fails for its own reason */
	vf_auth_claims_free(assert_valid("good crafted", good, VF_AUTH_TOKEN_TYPE_ACCESS, NOW));
	vf_auth_claims_free(assert_valid("good issued", issued, VF_AUTH_TOKEN_TYPE_ACCESS, NOW));

	for (guint i = 0; i < G_N_ELEMENTS(made); i++) {
		assert_invalid(made[i].name, made[i].token, VF_AUTH_TOKEN_TYPE_ACCESS, NOW);
		g_free(made[i].token);
	}
	for (guint i = 0; i < G_N_ELEMENTS(rows); i++)
		assert_invalid(rows[i].name, rows[i].token, VF_AUTH_TOKEN_TYPE_ACCESS, NOW);
}

static gpointer
issue_verify_thread(gpointer user_data)
{
	guint n = GPOINTER_TO_UINT(user_data);

	for (guint i = 0; i < 300; i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(VfAuthClaims) issued = NULL;
		g_autoptr(VfAuthClaims) verified = NULL;
		VfAuthTokenType type =
		    i % 2 ? VF_AUTH_TOKEN_TYPE_ACCESS : VF_AUTH_TOKEN_TYPE_REFRESH;
		g_autofree gchar *token =
		    vf_auth_jwt_issue(SECRET, type, n * 1000 + i + 1, NOW, 300, &issued, &error);
		if (token == NULL)
			return GINT_TO_POINTER(FALSE);
		verified = vf_auth_jwt_verify(SECRET, token, type, NOW, &error);
		if (verified == NULL || verified->user_id != issued->user_id ||
		    g_strcmp0(verified->jti, issued->jti) != 0)
			return GINT_TO_POINTER(FALSE);
	}
	return GINT_TO_POINTER(TRUE);
}

/* the accounts service calls in from many worker threads at once */
static void
test_threads(void)
{
	GThread *threads[4];

	for (guint i = 0; i < G_N_ELEMENTS(threads); i++)
		threads[i] = g_thread_new("jwt", issue_verify_thread, GUINT_TO_POINTER(i));
	for (guint i = 0; i < G_N_ELEMENTS(threads); i++)
		g_assert_true(GPOINTER_TO_INT(g_thread_join(threads[i])));
}

static void
test_unusable_secret(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *token =
	    vf_auth_jwt_issue(SECRET, VF_AUTH_TOKEN_TYPE_ACCESS, 5, NOW, 300, NULL, &error);

	g_assert_no_error(error);
	/* an empty key would make libjwt skip verification: it is a bug in the caller,
	 * reported as a critical (fatal in tests) and never an accepted token */
	if (g_test_subprocess()) {
		g_autoptr(VfAuthClaims) claims =
		    vf_auth_jwt_verify("", token, VF_AUTH_TOKEN_TYPE_ACCESS, NOW, &error);
		g_assert_error(error, VF_ERROR, VF_ERROR_INTERNAL);
		g_assert_null(claims);
		return;
	}
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_failed();
	g_test_trap_assert_stderr("*JWT secret of unusable length 0*");
}

int
main(int argc, char **argv)
{
	vf_test_init(&argc, &argv, 60);
	g_test_add_func("/auth/jwt/round-trip", test_round_trip);
	g_test_add_func("/auth/jwt/issue-without-claims-out", test_issue_without_claims_out);
	g_test_add_func("/auth/jwt/expiry", test_expiry);
	g_test_add_func("/auth/jwt/wrong-type", test_wrong_type);
	g_test_add_func("/auth/jwt/other-key", test_other_key);
	g_test_add_func("/auth/jwt/crafted-valid", test_crafted_valid);
	g_test_add_func("/auth/jwt/bad-claims", test_bad_claims);
	g_test_add_func("/auth/jwt/bad-signatures", test_bad_signatures);
	g_test_add_func("/auth/jwt/bad-tokens", test_bad_tokens);
	g_test_add_func("/auth/jwt/threads", test_threads);
	g_test_add_func("/auth/jwt/unusable-secret", test_unusable_secret);
	return g_test_run();
}
