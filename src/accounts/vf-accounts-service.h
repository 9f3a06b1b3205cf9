/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfAccountsService: register, activate, log in, refresh, log out, reset a password.
 * Called on the main thread; each operation runs off the loop (database work in
 * GTask threads, password hashing in a bounded pool) and completes on the caller's
 * main context. Owns the in-memory user-state cache used by the auth layer.
 */
#pragma once

#include <gio/gio.h>

#include "vf-accounts-store.h"
#include "vf-accounts-user-cache.h"
#include "vf-config.h"
#include "vf-db-pool.h"
#include "vf-field-errors.h"
#include "vf-mail-sender.h"

G_BEGIN_DECLS

#define VF_TYPE_ACCOUNTS_SERVICE (vf_accounts_service_get_type())
G_DECLARE_FINAL_TYPE(VfAccountsService, vf_accounts_service, VF, ACCOUNTS_SERVICE, GObject)

typedef struct {
	gint64 user_id;
	gchar *email;
	gchar *token; /* the activation token, as the original returned it */
} VfAccountsRegistration;

typedef struct {
	gint64 user_id;
	gchar *email;
	gchar *access;
	gchar *refresh;
	gchar *csrf;
} VfAccountsSession;

void vf_accounts_registration_free(VfAccountsRegistration *registration);
void vf_accounts_session_free(VfAccountsSession *session);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfAccountsRegistration, vf_accounts_registration_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfAccountsSession, vf_accounts_session_free)

/* config and pool must outlive the service; sender may be NULL (no kick) */
VfAccountsService *
vf_accounts_service_new(const VfConfig *config, VfDbPool *pool, VfMailSender *sender);
VfAccountsUserCache *vf_accounts_service_get_user_cache(VfAccountsService *self);

/* blocking: creates the admin if missing, else makes it an active admin (the
 * password of an existing account is left alone). Start-up only. */
gboolean vf_accounts_service_bootstrap_admin(VfAccountsService *self,
					     const gchar *email,
					     const gchar *password,
					     GError **error);

/* any string may be NULL (a missing field). Field errors come back through
 * field_errors with VF_ERROR_INVALID_INPUT. */
void vf_accounts_service_register_async(VfAccountsService *self,
					const gchar *email,
					const gchar *password,
					const gchar *confirmed_password,
					const gchar *language,
					GCancellable *cancellable,
					GAsyncReadyCallback callback,
					gpointer user_data);
VfAccountsRegistration *vf_accounts_service_register_finish(VfAccountsService *self,
							    GAsyncResult *result,
							    VfFieldErrors **field_errors,
							    GError **error);

/* VF_ERROR_NOT_FOUND: no such user; VF_ERROR_INVALID_INPUT: the token is not live */
void vf_accounts_service_activate_async(VfAccountsService *self,
					const gchar *uidb64,
					const gchar *token,
					GCancellable *cancellable,
					GAsyncReadyCallback callback,
					gpointer user_data);
gboolean
vf_accounts_service_activate_finish(VfAccountsService *self, GAsyncResult *result, GError **error);

/* VF_ERROR_INVALID_INPUT: unknown e-mail, wrong password or inactive alike */
void vf_accounts_service_login_async(VfAccountsService *self,
				     const gchar *email,
				     const gchar *password,
				     GCancellable *cancellable,
				     GAsyncReadyCallback callback,
				     gpointer user_data);
VfAccountsSession *
vf_accounts_service_login_finish(VfAccountsService *self, GAsyncResult *result, GError **error);

/* a new access token; VF_ERROR_TOKEN_INVALID for a bad, expired or revoked token */
void vf_accounts_service_refresh_async(VfAccountsService *self,
				       const gchar *refresh_token,
				       GCancellable *cancellable,
				       GAsyncReadyCallback callback,
				       gpointer user_data);
gchar *
vf_accounts_service_refresh_finish(VfAccountsService *self, GAsyncResult *result, GError **error);

/* revokes user_id's refresh token; VF_ERROR_TOKEN_INVALID when it is not live */
void vf_accounts_service_logout_async(VfAccountsService *self,
				      gint64 user_id,
				      const gchar *refresh_token,
				      GCancellable *cancellable,
				      GAsyncReadyCallback callback,
				      gpointer user_data);
gboolean
vf_accounts_service_logout_finish(VfAccountsService *self, GAsyncResult *result, GError **error);

/* email must be valid already; send_mail FALSE when the per-account limit is hit */
void vf_accounts_service_request_reset_async(VfAccountsService *self,
					     const gchar *email,
					     gboolean send_mail,
					     GCancellable *cancellable,
					     GAsyncReadyCallback callback,
					     gpointer user_data);
gboolean vf_accounts_service_request_reset_finish(VfAccountsService *self,
						  GAsyncResult *result,
						  GError **error);

/* field errors as for register; VF_ERROR_NOT_FOUND for a bad or used link */
void vf_accounts_service_confirm_reset_async(VfAccountsService *self,
					     const gchar *uidb64,
					     const gchar *token,
					     const gchar *new_password,
					     const gchar *confirm_password,
					     GCancellable *cancellable,
					     GAsyncReadyCallback callback,
					     gpointer user_data);
gboolean vf_accounts_service_confirm_reset_finish(VfAccountsService *self,
						  GAsyncResult *result,
						  VfFieldErrors **field_errors,
						  GError **error);

/* the state of a user for the auth layer: the cache's, else fetched and cached */
void vf_accounts_service_get_user_state_async(VfAccountsService *self,
					      gint64 user_id,
					      GCancellable *cancellable,
					      GAsyncReadyCallback callback,
					      gpointer user_data);
gboolean vf_accounts_service_get_user_state_finish(VfAccountsService *self,
						   GAsyncResult *result,
						   VfAccountsUserState *state,
						   GError **error);

/* administration (D-Bus) */

/* an account without any mail; is_active FALSE leaves it waiting for an admin (no
 * activation link exists). VF_ERROR_INVALID_INPUT with a message for a person: the
 * e-mail is not valid or already taken, the password is too short. Returns the
 * new id, 0 with an error. */
void vf_accounts_service_create_user_async(VfAccountsService *self,
					   const gchar *email,
					   const gchar *password,
					   gboolean is_active,
					   gboolean is_admin,
					   GCancellable *cancellable,
					   GAsyncReadyCallback callback,
					   gpointer user_data);
gint64 vf_accounts_service_create_user_finish(VfAccountsService *self,
					      GAsyncResult *result,
					      GError **error);

/* is_active FALSE ends the user's sessions at once: every refresh token is revoked
 * and the cached state dropped, so access tokens stop working too. NOT_FOUND for an
 * unknown user. */
void vf_accounts_service_set_user_active_async(VfAccountsService *self,
					       gint64 user_id,
					       gboolean is_active,
					       GCancellable *cancellable,
					       GAsyncReadyCallback callback,
					       gpointer user_data);
gboolean vf_accounts_service_set_user_active_finish(VfAccountsService *self,
						    GAsyncResult *result,
						    GError **error);
void vf_accounts_service_set_user_admin_async(VfAccountsService *self,
					      gint64 user_id,
					      gboolean is_admin,
					      GCancellable *cancellable,
					      GAsyncReadyCallback callback,
					      gpointer user_data);
gboolean vf_accounts_service_set_user_admin_finish(VfAccountsService *self,
						   GAsyncResult *result,
						   GError **error);

/* GPtrArray of VfAccountsUserInfo, by id */
void vf_accounts_service_list_users_async(VfAccountsService *self,
					  GCancellable *cancellable,
					  GAsyncReadyCallback callback,
					  gpointer user_data);
GPtrArray *vf_accounts_service_list_users_finish(VfAccountsService *self,
						 GAsyncResult *result,
						 GError **error);

G_END_DECLS
