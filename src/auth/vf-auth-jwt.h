/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Access and refresh JWTs, HS256 only, via libjwt 1.10 (which pins no algorithm and
 * validates no claim: this module does both). Pure functions, any thread. The caller
 * still checks the user, iat against the last password change and revoked jtis.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define VF_AUTH_JWT_MAX_LENGTH 8192 /* longer input is rejected before parsing */
#define VF_AUTH_JWT_IAT_SKEW   60   /* seconds an iat may lie in the future */

typedef enum {
	VF_AUTH_TOKEN_TYPE_ACCESS,
	VF_AUTH_TOKEN_TYPE_REFRESH,
} VfAuthTokenType;

typedef struct {
	gint64 user_id;
	gint64 iat; /* Unix seconds */
	gint64 exp; /* Unix seconds */
	gchar *jti; /* base64url, 22 characters for tokens issued here */
	VfAuthTokenType token_type;
} VfAuthClaims;

void vf_auth_claims_free(VfAuthClaims *claims);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfAuthClaims, vf_auth_claims_free)

/* "access" or "refresh" */
const gchar *vf_auth_token_type_to_string(VfAuthTokenType type);

/* a token with claims user_id, iat = now, exp = now + lifetime_s, a random jti and
 * token_type; now in Unix seconds (g_get_real_time() / G_USEC_PER_SEC). The claims
 * written are returned in *claims_out when non-NULL. */
gchar *vf_auth_jwt_issue(const gchar *secret,
			 VfAuthTokenType type,
			 gint64 user_id,
			 gint64 now,
			 gint64 lifetime_s,
			 VfAuthClaims **claims_out,
			 GError **error);
/* the claims of a valid, unexpired HS256 token of type expected signed with secret;
 * anything else is VF_ERROR_TOKEN_INVALID (the message says why: log it, never send it) */
VfAuthClaims *vf_auth_jwt_verify(
    const gchar *secret, const gchar *token, VfAuthTokenType expected, gint64 now, GError **error);

G_END_DECLS
