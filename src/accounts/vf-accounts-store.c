/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * SQL of the accounts tables. Every statement is parameterised; token hashes go
 * in as hex and are decoded by PostgreSQL.
 */
#include "config.h"

#include "vf-accounts-store.h"

#include <stdlib.h>

#include "vf-db-value.h"
#include "vf-error.h"

#define USER_COLUMNS                                                                               \
	"id, email, password_hash, is_active, is_admin, language, "                                \
	"extract(epoch from password_changed_at)::bigint"

void
vf_accounts_user_free(VfAccountsUser *user)
{
	if (user == NULL)
		return;
	g_free(user->email);
	g_free(user->password_hash);
	g_free(user->language);
	g_free(user);
}

void
vf_accounts_user_info_free(VfAccountsUserInfo *info)
{
	if (info == NULL)
		return;
	g_free(info->email);
	g_free(info->created_at);
	g_free(info);
}

static gchar *
hash_hex(GBytes *bytes)
{
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(bytes, &len);
	GString *hex = g_string_sized_new(2 + len * 2);

	g_string_append(hex, "\\x");
	for (gsize i = 0; i < len; i++)
		g_string_append_printf(hex, "%02x", data[i]);
	return g_string_free(hex, FALSE);
}

static VfAccountsUser *
user_from_row(PGresult *result)
{
	VfAccountsUser *user;

	if (PQntuples(result) == 0)
		return NULL;
	user = g_new0(VfAccountsUser, 1);
	user->id = vf_db_result_get_int(result, 0, 0);
	user->email = g_strdup(PQgetvalue(result, 0, 1));
	user->password_hash = g_strdup(PQgetvalue(result, 0, 2));
	user->is_active = vf_db_result_get_bool(result, 0, 3);
	user->is_admin = vf_db_result_get_bool(result, 0, 4);
	user->language = g_strdup(PQgetvalue(result, 0, 5));
	user->password_changed_at = vf_db_result_get_int(result, 0, 6);
	return user;
}

VfAccountsUser *
vf_accounts_store_find_user_by_email(VfDbConnection *connection, const gchar *email, GError **error)
{
	const gchar *params[] = {email};
	g_autoptr(PGresult) result = vf_db_connection_exec(
	    connection, "SELECT " USER_COLUMNS " FROM users WHERE email = $1", 1, params, error);
	if (result == NULL)
		return NULL;
	return user_from_row(result);
}

VfAccountsUser *
vf_accounts_store_find_user_by_id(VfDbConnection *connection, gint64 user_id, GError **error)
{
	g_autofree gchar *id = vf_db_value_from_int(user_id);
	const gchar *params[] = {id};
	g_autoptr(PGresult) result = vf_db_connection_exec(
	    connection, "SELECT " USER_COLUMNS " FROM users WHERE id = $1", 1, params, error);
	if (result == NULL)
		return NULL;
	return user_from_row(result);
}

gint64
vf_accounts_store_insert_user(VfDbConnection *connection,
			      const gchar *email,
			      const gchar *password_hash,
			      const gchar *language,
			      gboolean is_active,
			      gboolean is_admin,
			      GError **error)
{
	const gchar *params[] = {email,
				 password_hash,
				 language,
				 is_active ? "true" : "false",
				 is_admin ? "true" : "false"};
	g_autoptr(PGresult) result =
	    vf_db_connection_exec(connection,
				  "INSERT INTO users (email, password_hash, language, is_active, "
				  "is_admin) VALUES ($1, $2, $3, $4, $5) "
				  "ON CONFLICT (email) DO NOTHING RETURNING id",
				  5,
				  params,
				  error);
	if (result == NULL)
		return -1;
	if (PQntuples(result) == 0)
		return 0;
	return vf_db_result_get_int(result, 0, 0);
}

gboolean
vf_accounts_store_set_flags(VfDbConnection *connection,
			    gint64 user_id,
			    gboolean is_active,
			    gboolean is_admin,
			    GError **error)
{
	g_autofree gchar *id = vf_db_value_from_int(user_id);
	const gchar *params[] = {id, is_active ? "true" : "false", is_admin ? "true" : "false"};
	return vf_db_connection_run(connection,
				    "UPDATE users SET is_active = $2, is_admin = $3 WHERE id = $1",
				    3,
				    params,
				    error);
}

gboolean
vf_accounts_store_set_flag(VfDbConnection *connection,
			   gint64 user_id,
			   const gchar *flag,
			   gboolean value,
			   gboolean *found,
			   GError **error)
{
	g_autofree gchar *id = vf_db_value_from_int(user_id);
	const gchar *params[] = {id, value ? "true" : "false"};
	g_autoptr(PGresult) result = NULL;

	g_return_val_if_fail(g_strcmp0(flag, "is_active") == 0 || g_strcmp0(flag, "is_admin") == 0,
			     FALSE);
	result =
	    vf_db_connection_exec(connection,
				  g_str_equal(flag, "is_active")
				      ? "UPDATE users SET is_active = $2 WHERE id = $1 RETURNING id"
				      : "UPDATE users SET is_admin = $2 WHERE id = $1 RETURNING id",
				  2,
				  params,
				  error);
	if (result == NULL)
		return FALSE;
	*found = PQntuples(result) > 0;
	return TRUE;
}

gboolean
vf_accounts_store_end_sessions(VfDbConnection *connection, gint64 user_id, GError **error)
{
	g_autofree gchar *id = vf_db_value_from_int(user_id);
	const gchar *params[] = {id};

	/* the next whole second: tokens carry whole seconds, so one issued in this second
	 * must fail too; GREATEST: a clock step back must not revive older tokens */
	return vf_db_connection_run(connection,
				    "UPDATE users SET password_changed_at = GREATEST(password_changed_at, "
				    "date_trunc('second', now()) + interval '1 second') WHERE id = $1",
				    1,
				    params,
				    error) &&
	       vf_accounts_store_revoke_all_refresh(connection, user_id, error);
}

GPtrArray *
vf_accounts_store_list_users(VfDbConnection *connection, GError **error)
{
	g_autoptr(PGresult) result = vf_db_connection_exec(
	    connection,
	    "SELECT id, email, is_active, is_admin, to_char(created_at AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM users ORDER BY id",
	    0,
	    NULL,
	    error);
	GPtrArray *users;

	if (result == NULL)
		return NULL;
	users = g_ptr_array_new_with_free_func((GDestroyNotify)vf_accounts_user_info_free);
	for (gint i = 0; i < PQntuples(result); i++) {
		VfAccountsUserInfo *info = g_new0(VfAccountsUserInfo, 1);
		info->id = vf_db_result_get_int(result, i, 0);
		info->email = vf_db_result_dup_string(result, i, 1);
		info->is_active = vf_db_result_get_bool(result, i, 2);
		info->is_admin = vf_db_result_get_bool(result, i, 3);
		info->created_at = vf_db_result_dup_string(result, i, 4);
		g_ptr_array_add(users, info);
	}
	return users;
}

gboolean
vf_accounts_store_activate_user(VfDbConnection *connection, gint64 user_id, GError **error)
{
	g_autofree gchar *id = vf_db_value_from_int(user_id);
	const gchar *params[] = {id};
	return vf_db_connection_run(
	    connection, "UPDATE users SET is_active = true WHERE id = $1", 1, params, error);
}

gboolean
vf_accounts_store_set_password(VfDbConnection *connection,
			       gint64 user_id,
			       const gchar *password_hash,
			       GError **error)
{
	g_autofree gchar *id = vf_db_value_from_int(user_id);
	const gchar *params[] = {id, password_hash};
	return vf_db_connection_run(
	    connection,
	    "UPDATE users SET password_hash = $2, "
	    "password_changed_at = date_trunc('second', now()) WHERE id = $1",
	    2,
	    params,
	    error);
}

gboolean
vf_accounts_store_insert_token(VfDbConnection *connection,
			       gint64 user_id,
			       const gchar *purpose,
			       GBytes *token_hash,
			       gint64 lifetime_s,
			       GError **error)
{
	g_autofree gchar *id = vf_db_value_from_int(user_id);
	g_autofree gchar *hex = hash_hex(token_hash);
	g_autofree gchar *lifetime = vf_db_value_from_int(lifetime_s);
	const gchar *params[] = {id, purpose, hex, lifetime};
	return vf_db_connection_run(
	    connection,
	    "INSERT INTO one_time_tokens (user_id, purpose, token_hash, password_changed_at, "
	    "expires_at) SELECT id, $2, $3::bytea, password_changed_at, "
	    "now() + make_interval(secs => $4::bigint) FROM users WHERE id = $1",
	    4,
	    params,
	    error);
}

gboolean
vf_accounts_store_consume_token(VfDbConnection *connection,
				gint64 user_id,
				const gchar *purpose,
				GBytes *token_hash,
				GError **error)
{
	g_autofree gchar *id = vf_db_value_from_int(user_id);
	g_autofree gchar *hex = hash_hex(token_hash);
	const gchar *params[] = {id, purpose, hex};
	g_autoptr(PGresult) result = vf_db_connection_exec(
	    connection,
	    "UPDATE one_time_tokens t SET used_at = now() FROM users u "
	    "WHERE t.user_id = $1 AND t.purpose = $2 AND t.token_hash = $3::bytea "
	    "AND u.id = t.user_id AND t.used_at IS NULL AND t.expires_at > now() "
	    "AND t.password_changed_at = u.password_changed_at RETURNING t.id",
	    3,
	    params,
	    error);
	if (result == NULL)
		return FALSE;
	if (PQntuples(result) == 0) {
		g_set_error_literal(error, VF_ERROR, VF_ERROR_NOT_FOUND, "no such live token");
		return FALSE;
	}
	return TRUE;
}

gboolean
vf_accounts_store_insert_refresh(VfDbConnection *connection,
				 const gchar *jti,
				 gint64 user_id,
				 gint64 expires_at,
				 gint64 password_changed_at,
				 gboolean *inserted,
				 GError **error)
{
	g_autofree gchar *id = vf_db_value_from_int(user_id);
	g_autofree gchar *expires = vf_db_value_from_int(expires_at);
	g_autofree gchar *changed = vf_db_value_from_int(password_changed_at);
	const gchar *params[] = {jti, id, expires, changed};
	g_autoptr(PGresult) result = vf_db_connection_exec(
	    connection,
	    "INSERT INTO refresh_tokens (jti, user_id, expires_at) "
	    "SELECT $1, id, to_timestamp($3::bigint) FROM users WHERE id = $2 AND is_active "
	    "AND extract(epoch from password_changed_at)::bigint = $4::bigint RETURNING jti",
	    4,
	    params,
	    error);
	if (result == NULL)
		return FALSE;
	*inserted = PQntuples(result) > 0;
	return TRUE;
}

gboolean
vf_accounts_store_refresh_state(VfDbConnection *connection,
				const gchar *jti,
				gint64 user_id,
				gboolean *found,
				gboolean *is_active,
				gboolean *is_admin,
				gint64 *password_changed_at,
				gboolean *live,
				GError **error)
{
	g_autofree gchar *id = vf_db_value_from_int(user_id);
	const gchar *params[] = {jti, id};
	g_autoptr(PGresult) result = vf_db_connection_exec(
	    connection,
	    "SELECT u.is_active, u.is_admin, extract(epoch from u.password_changed_at)::bigint, "
	    "EXISTS (SELECT 1 FROM refresh_tokens r WHERE r.jti = $1 AND r.user_id = u.id "
	    "AND r.revoked_at IS NULL AND r.expires_at > now()) FROM users u WHERE u.id = $2",
	    2,
	    params,
	    error);
	if (result == NULL)
		return FALSE;
	*found = PQntuples(result) > 0;
	if (!*found)
		return TRUE;
	*is_active = vf_db_result_get_bool(result, 0, 0);
	*is_admin = vf_db_result_get_bool(result, 0, 1);
	*password_changed_at = vf_db_result_get_int(result, 0, 2);
	*live = vf_db_result_get_bool(result, 0, 3);
	return TRUE;
}

gboolean
vf_accounts_store_revoke_refresh(
    VfDbConnection *connection, const gchar *jti, gint64 user_id, gboolean *revoked, GError **error)
{
	g_autofree gchar *id = vf_db_value_from_int(user_id);
	const gchar *params[] = {jti, id};
	g_autoptr(PGresult) result =
	    vf_db_connection_exec(connection,
				  "UPDATE refresh_tokens SET revoked_at = now() WHERE jti = $1 "
				  "AND user_id = $2 AND revoked_at IS NULL AND expires_at > now() "
				  "RETURNING jti",
				  2,
				  params,
				  error);
	if (result == NULL)
		return FALSE;
	*revoked = PQntuples(result) > 0;
	return TRUE;
}

gboolean
vf_accounts_store_revoke_all_refresh(VfDbConnection *connection, gint64 user_id, GError **error)
{
	g_autofree gchar *id = vf_db_value_from_int(user_id);
	const gchar *params[] = {id};
	return vf_db_connection_run(connection,
				    "UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = "
				    "$1 AND revoked_at IS NULL",
				    1,
				    params,
				    error);
}
