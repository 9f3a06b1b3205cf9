/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The accounts tables (users, one_time_tokens, refresh_tokens): synchronous,
 * parameterised queries on a pooled connection. Worker threads only. Times are
 * Unix seconds.
 */
#pragma once

#include "vf-db-connection.h"

G_BEGIN_DECLS

typedef struct {
	gint64 id;
	gchar *email;
	gchar *password_hash;
	gboolean is_active;
	gboolean is_admin;
	gchar *language;
	gint64 password_changed_at;
} VfAccountsUser;

/* a user as the admin interface lists it */
typedef struct {
	gint64 id;
	gchar *email;
	gboolean is_active;
	gboolean is_admin;
	gchar *created_at; /* ISO 8601 UTC */
} VfAccountsUserInfo;

void vf_accounts_user_free(VfAccountsUser *user);
void vf_accounts_user_info_free(VfAccountsUserInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfAccountsUserInfo, vf_accounts_user_info_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfAccountsUser, vf_accounts_user_free)

/* NULL without an error when there is no such user */
VfAccountsUser *vf_accounts_store_find_user_by_email(VfDbConnection *connection,
						     const gchar *email,
						     GError **error);
VfAccountsUser *
vf_accounts_store_find_user_by_id(VfDbConnection *connection, gint64 user_id, GError **error);
/* the new id, or 0 without an error when the e-mail is taken */
gint64 vf_accounts_store_insert_user(VfDbConnection *connection,
				     const gchar *email,
				     const gchar *password_hash,
				     const gchar *language,
				     gboolean is_active,
				     gboolean is_admin,
				     GError **error);
gboolean vf_accounts_store_set_flags(VfDbConnection *connection,
				     gint64 user_id,
				     gboolean is_active,
				     gboolean is_admin,
				     GError **error);
/* one flag ("is_active" or "is_admin"); *found FALSE when there is no such user */
gboolean vf_accounts_store_set_flag(VfDbConnection *connection,
				    gint64 user_id,
				    const gchar *flag,
				    gboolean value,
				    gboolean *found,
				    GError **error);
/* ends every session of the user: moves password_changed_at past now (to the next
 * whole second), which every token issued until then fails, even after a
 * reactivation, and revokes the refresh tokens */
gboolean
vf_accounts_store_end_sessions(VfDbConnection *connection, gint64 user_id, GError **error);
/* of VfAccountsUserInfo, by id */
GPtrArray *vf_accounts_store_list_users(VfDbConnection *connection, GError **error);
gboolean
vf_accounts_store_activate_user(VfDbConnection *connection, gint64 user_id, GError **error);
/* also moves password_changed_at to now (whole seconds) */
gboolean vf_accounts_store_set_password(VfDbConnection *connection,
					gint64 user_id,
					const gchar *password_hash,
					GError **error);

gboolean vf_accounts_store_insert_token(VfDbConnection *connection,
					gint64 user_id,
					const gchar *purpose,
					GBytes *token_hash,
					gint64 lifetime_s,
					GError **error);
/* marks a matching, unused, unexpired token of this user and purpose as used, when
 * the user's password did not change since it was issued; VF_ERROR_NOT_FOUND
 * when there is none */
gboolean vf_accounts_store_consume_token(VfDbConnection *connection,
					 gint64 user_id,
					 const gchar *purpose,
					 GBytes *token_hash,
					 GError **error);

/* records a refresh token only while the user is active with the password seen at
 * login (password_changed_at): a login that raced a reset gets *inserted FALSE */
gboolean
vf_accounts_store_insert_refresh(VfDbConnection *connection,
				 const gchar *jti,
				 gint64 user_id,
				 gint64 expires_at,
				 gint64 password_changed_at,
				 gboolean *inserted,
				 GError **error);
/* one round trip for a refresh: the user's state and whether the jti is live;
 * FALSE without an error (and *found FALSE) when the user does not exist */
gboolean vf_accounts_store_refresh_state(VfDbConnection *connection,
					 const gchar *jti,
					 gint64 user_id,
					 gboolean *found,
					 gboolean *is_active,
					 gboolean *is_admin,
					 gint64 *password_changed_at,
					 gboolean *live,
					 GError **error);
/* *revoked is TRUE when this call revoked a live token */
gboolean vf_accounts_store_revoke_refresh(VfDbConnection *connection,
					  const gchar *jti,
					  gint64 user_id,
					  gboolean *revoked,
					  GError **error);
gboolean
vf_accounts_store_revoke_all_refresh(VfDbConnection *connection, gint64 user_id, GError **error);

G_END_DECLS
