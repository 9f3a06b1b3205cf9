/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * HS256 JWTs through libjwt 1.10. Verification checks the shape and the HMAC itself
 * (libsodium, constant time), then decodes with libjwt, pins the algorithm and checks
 * every claim with its JSON type. Pure functions, callable from any thread.
 */
#include "config.h"

#include "vf-auth-jwt.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "vf-auth-private.h"
#include "vf-auth-token.h"
#include "vf-error.h"

#define SECRET_MAX_LENGTH 4096 /* libjwt takes the key length as an int */

void
vf_auth_claims_free(VfAuthClaims *claims)
{
	if (claims == NULL)
		return;
	g_free(claims->jti);
	g_free(claims);
}

const gchar *
vf_auth_token_type_to_string(VfAuthTokenType type)
{
	switch (type) {
	case VF_AUTH_TOKEN_TYPE_ACCESS:
		return "access";
	case VF_AUTH_TOKEN_TYPE_REFRESH:
		return "refresh";
	default:
		g_return_val_if_reached(NULL);
	}
}

static gboolean
check_secret(const gchar *secret, GError **error)
{
	gsize len = strlen(secret);

	/* a key length of 0 makes libjwt skip verification: never let one through,
	 * even when g_return checks are compiled out */
	if (len == 0 || len > SECRET_MAX_LENGTH) {
		g_critical("JWT secret of unusable length %" G_GSIZE_FORMAT, len);
		g_set_error_literal(error, VF_ERROR, VF_ERROR_INTERNAL, "unusable JWT secret");
		return FALSE;
	}
	return vf_auth_sodium_ensure(error);
}

gchar *
vf_auth_jwt_issue(const gchar *secret,
		  VfAuthTokenType type,
		  gint64 user_id,
		  gint64 now,
		  gint64 lifetime_s,
		  VfAuthClaims **claims_out,
		  GError **error)
{
	g_autoptr(jwt_t) jwt = NULL;
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autoptr(JsonGenerator) generator = json_generator_new();
	g_autoptr(JsonNode) root = NULL;
	g_autofree gchar *grants = NULL;
	g_autofree gchar *jti = NULL;
	g_autofree gchar *result = NULL;
	char *encoded;
	int rc;

	g_return_val_if_fail(secret != NULL, NULL);
	g_return_val_if_fail(
	    type == VF_AUTH_TOKEN_TYPE_ACCESS || type == VF_AUTH_TOKEN_TYPE_REFRESH, NULL);
	g_return_val_if_fail(user_id > 0, NULL);
	g_return_val_if_fail(lifetime_s > 0 && now <= G_MAXINT64 - lifetime_s, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (!check_secret(secret, error))
		return NULL;

	jti = vf_auth_random_string(16); /* 128 bits, 22 characters */
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "token_type");
	json_builder_add_string_value(builder, vf_auth_token_type_to_string(type));
	json_builder_set_member_name(builder, "exp");
	json_builder_add_int_value(builder, now + lifetime_s);
	json_builder_set_member_name(builder, "iat");
	json_builder_add_int_value(builder, now);
	json_builder_set_member_name(builder, "jti");
	json_builder_add_string_value(builder, jti);
	json_builder_set_member_name(builder, "user_id");
	json_builder_add_int_value(builder, user_id);
	json_builder_end_object(builder);
	root = json_builder_get_root(builder);
	json_generator_set_root(generator, root);
	grants = json_generator_to_data(generator, NULL);

	/* libjwt reports failures as errno values in its return code */
	rc = jwt_new(&jwt);
	if (rc == 0)
		rc = jwt_add_grants_json(jwt, grants);
	if (rc == 0)
		rc = jwt_set_alg(
		    jwt, JWT_ALG_HS256, (const unsigned char *)secret, (int)strlen(secret));
	if (rc != 0) {
		g_set_error(
		    error, VF_ERROR, VF_ERROR_INTERNAL, "cannot build JWT: %s", g_strerror(rc));
		return NULL;
	}
	errno = 0;
	encoded = jwt_encode_str(jwt);
	if (encoded == NULL) {
		int saved = errno != 0 ? errno : ENOMEM;
		g_set_error(
		    error, VF_ERROR, VF_ERROR_INTERNAL, "cannot encode JWT: %s", g_strerror(saved));
		return NULL;
	}
	result = g_strdup(encoded);
	free(encoded); /* malloc'd by libjwt */

	if (claims_out != NULL) {
		VfAuthClaims *claims = g_new0(VfAuthClaims, 1);
		claims->user_id = user_id;
		claims->iat = now;
		claims->exp = now + lifetime_s;
		claims->jti = g_steal_pointer(&jti);
		claims->token_type = type;
		*claims_out = claims;
	}
	return g_steal_pointer(&result);
}

static gpointer
set_invalid(GError **error, const gchar *reason)
{
	g_set_error(error, VF_ERROR, VF_ERROR_TOKEN_INVALID, "token not valid: %s", reason);
	return NULL;
}

/* three non-empty base64url segments; returns the offset of the second dot */
static gboolean
check_shape(const gchar *token, gsize len, gsize *signed_len)
{
	gsize dots[2] = {0, 0};
	guint n_dots = 0;

	for (gsize i = 0; i < len; i++) {
		gchar c = token[i];
		if (c == '.') {
			if (n_dots == 2)
				return FALSE;
			dots[n_dots++] = i;
		} else if (!g_ascii_isalnum(c) && c != '-' && c != '_') {
			return FALSE;
		}
	}
	if (n_dots != 2 || dots[0] == 0 || dots[1] == dots[0] + 1 || dots[1] == len - 1)
		return FALSE;
	*signed_len = dots[1];
	return TRUE;
}

/* the HMAC-SHA256 of header.payload, compared in constant time; libjwt checks it
 * again, but with whatever algorithm the header names */
static gboolean
check_signature(const gchar *secret, const gchar *token, gsize len, gsize signed_len)
{
	crypto_auth_hmacsha256_state state;
	guchar expected[crypto_auth_hmacsha256_BYTES];
	guchar presented[crypto_auth_hmacsha256_BYTES + 1];
	const gchar *sig = token + signed_len + 1;
	gsize sig_len = len - signed_len - 1;
	gsize presented_len = 0;

	if (sodium_base642bin(presented,
			      sizeof(presented),
			      sig,
			      sig_len,
			      NULL,
			      &presented_len,
			      NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return FALSE;
	if (presented_len != crypto_auth_hmacsha256_BYTES)
		return FALSE;
	crypto_auth_hmacsha256_init(&state, (const guchar *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&state, (const guchar *)token, signed_len);
	crypto_auth_hmacsha256_final(&state, expected);
	return crypto_verify_32(expected, presented) == 0;
}

static gboolean
get_int_claim(JsonObject *object, const gchar *name, gint64 *value)
{
	JsonNode *node = json_object_get_member(object, name);

	/* json-glib keeps every JSON integer as gint64; 5.0, "5", true are other types */
	if (node == NULL || JSON_NODE_TYPE(node) != JSON_NODE_VALUE ||
	    json_node_get_value_type(node) != G_TYPE_INT64)
		return FALSE;
	*value = json_node_get_int(node);
	return TRUE;
}

static const gchar *
get_string_claim(JsonObject *object, const gchar *name)
{
	JsonNode *node = json_object_get_member(object, name);

	if (node == NULL || JSON_NODE_TYPE(node) != JSON_NODE_VALUE ||
	    json_node_get_value_type(node) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(node);
}

VfAuthClaims *
vf_auth_jwt_verify(
    const gchar *secret, const gchar *token, VfAuthTokenType expected, gint64 now, GError **error)
{
	g_autoptr(jwt_t) jwt = NULL;
	g_autoptr(JsonParser) parser = NULL;
	g_autoptr(VfAuthClaims) claims = NULL;
	g_autofree gchar *grants = NULL;
	JsonNode *root;
	JsonObject *object;
	const gchar *jti;
	const gchar *token_type;
	char *grants_raw;
	gsize signed_len = 0;
	gsize len;

	g_return_val_if_fail(secret != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (!check_secret(secret, error))
		return NULL;
	if (token == NULL)
		return set_invalid(error, "no token");
	len = strnlen(token, VF_AUTH_JWT_MAX_LENGTH + 1);
	if (len == 0)
		return set_invalid(error, "empty");
	if (len > VF_AUTH_JWT_MAX_LENGTH)
		return set_invalid(error, "too long");
	if (!check_shape(token, len, &signed_len))
		return set_invalid(error, "not three base64url segments");
	if (!check_signature(secret, token, len, signed_len))
		return set_invalid(error, "bad signature");

	/* always the real key length: 0 would switch libjwt's verification off */
	if (jwt_decode(&jwt, token, (const unsigned char *)secret, (int)strlen(secret)) != 0 ||
	    jwt == NULL)
		return set_invalid(error, "rejected by libjwt");
	/* libjwt takes the algorithm from the header (and compares its name without
	 * case): pin it, and the exact spelling we write */
	if (jwt_get_alg(jwt) != JWT_ALG_HS256 ||
	    g_strcmp0(jwt_get_header(jwt, "alg"), "HS256") != 0)
		return set_invalid(error, "algorithm is not HS256");

	/* libjwt 1.10 validates no claim and its getters are not type-safe: read the
	 * grants as JSON and check each type */
	grants_raw = jwt_get_grants_json(jwt, NULL);
	if (grants_raw == NULL)
		return set_invalid(error, "no claims");
	grants = g_strdup(grants_raw);
	free(grants_raw); /* malloc'd by libjwt */
	parser = json_parser_new();
	if (!json_parser_load_from_data(parser, grants, (gssize)strlen(grants), NULL))
		return set_invalid(error, "claims are not JSON");
	root = json_parser_get_root(parser);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
		return set_invalid(error, "claims are not an object");
	object = json_node_get_object(root);

	claims = g_new0(VfAuthClaims, 1);
	if (!get_int_claim(object, "user_id", &claims->user_id) || claims->user_id <= 0)
		return set_invalid(error, "user_id missing or not a positive integer");
	if (!get_int_claim(object, "exp", &claims->exp))
		return set_invalid(error, "exp missing or not an integer");
	if (claims->exp <= now)
		return set_invalid(error, "expired");
	if (!get_int_claim(object, "iat", &claims->iat))
		return set_invalid(error, "iat missing or not an integer");
	if (claims->iat > now + VF_AUTH_JWT_IAT_SKEW)
		return set_invalid(error, "issued in the future");
	jti = get_string_claim(object, "jti");
	if (jti == NULL || jti[0] == '\0')
		return set_invalid(error, "jti missing or not a string");
	token_type = get_string_claim(object, "token_type");
	if (token_type == NULL)
		return set_invalid(error, "token_type missing or not a string");
	if (g_strcmp0(token_type, vf_auth_token_type_to_string(expected)) != 0)
		return set_invalid(error, "wrong token_type");
	claims->jti = g_strdup(jti);
	claims->token_type = expected;
	return g_steal_pointer(&claims);
}
