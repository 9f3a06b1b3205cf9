/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The accounts use cases. Input is checked on the caller's thread (cheap), the rest
 * runs in threads: plain database work in GTask's pool, anything that hashes or
 * verifies a password in a pool bounded by PASSWORD_HASH_CONCURRENCY so that a
 * burst of logins queues instead of exhausting memory. Mail is enqueued in the
 * transaction of the change that causes it; the sender is kicked after commit.
 */
#include "config.h"

#include "vf-accounts-service.h"

#include <string.h>

#include "vf-accounts-live-refresh.h"
#include "vf-accounts-service-private.h"
#include "vf-accounts-store.h"
#include "vf-accounts-validate.h"
#include "vf-auth-jwt.h"
#include "vf-auth-password.h"
#include "vf-auth-token.h"
#include "vf-error.h"
#include "vf-mail-activation.h"
#include "vf-mail-outbox.h"
#include "vf-mail-password-reset.h"
#include "vf-uid.h"

#define PURPOSE_ACTIVATION "activation"
#define PURPOSE_RESET	   "password_reset"
#define USER_CACHE_MAX_AGE (30 * G_USEC_PER_SEC)

struct _VfAccountsService {
	GObject parent_instance;
	const VfConfig *config;
	VfDbPool *pool;
	VfMailSender *sender;
	GMainContext *context;	  /* where mail kicks run */
	GThreadPool *credentials; /* of CredentialJob */
	VfAccountsUserCache *user_cache;
	VfAccountsLiveRefresh *live_refresh;
};

G_DEFINE_TYPE(VfAccountsService, vf_accounts_service, G_TYPE_OBJECT)

typedef struct {
	GTask *task;
	GTaskThreadFunc func;
} CredentialJob;

typedef struct {
	gchar *email;
	gchar *password;
	gchar *language;
	gchar *uidb64;
	gchar *token;
	gint64 user_id;
	gboolean send_mail;
	VfFieldErrors *field_errors;
} Request;

static void
request_free(Request *request)
{
	g_free(request->email);
	if (request->password != NULL)
		memset(request->password, 0, strlen(request->password));
	g_free(request->password);
	g_free(request->language);
	g_free(request->uidb64);
	g_free(request->token);
	vf_field_errors_free(request->field_errors);
	g_free(request);
}

void
vf_accounts_registration_free(VfAccountsRegistration *registration)
{
	if (registration == NULL)
		return;
	g_free(registration->email);
	g_free(registration->token);
	g_free(registration);
}

void
vf_accounts_session_free(VfAccountsSession *session)
{
	if (session == NULL)
		return;
	g_free(session->email);
	g_free(session->access);
	g_free(session->refresh);
	g_free(session->csrf);
	g_free(session);
}

static gint64
now_s(void)
{
	return g_get_real_time() / G_USEC_PER_SEC;
}

static void
credential_thread(gpointer data, gpointer user_data)
{
	CredentialJob *job = data;
	GTask *task = job->task;

	job->func(task,
		  g_task_get_source_object(task),
		  g_task_get_task_data(task),
		  g_task_get_cancellable(task));
	g_object_unref(task);
	g_free(job);
}

static void
run_with_credentials(VfAccountsService *self, GTask *task, GTaskThreadFunc func)
{
	CredentialJob *job = g_new0(CredentialJob, 1);
	job->task = task; /* owned by the job */
	job->func = func;
	g_thread_pool_push(self->credentials, job, NULL);
}

static gboolean
kick_sender_cb(gpointer data)
{
	vf_mail_sender_kick(VF_MAIL_SENDER(data));
	return G_SOURCE_REMOVE;
}

/* any thread: mail was committed */
static void
kick_sender(VfAccountsService *self)
{
	if (self->sender == NULL)
		return;
	g_main_context_invoke_full(self->context,
				   G_PRIORITY_DEFAULT,
				   kick_sender_cb,
				   g_object_ref(self->sender),
				   g_object_unref);
}

static gchar *
make_link(VfAccountsService *self, const gchar *page, gint64 user_id, const gchar *token)
{
	g_autofree gchar *uid = vf_uid_encode(user_id);
	return g_strdup_printf(
	    "%s/pages/auth/%s?uid=%s&token=%s", self->config->frontend_url, page, uid, token);
}

/* epoch: the cache's, taken before the row was read (a stale row is not stored) */
static void
store_user_state(VfAccountsService *self, const VfAccountsUser *user, guint64 epoch)
{
	VfAccountsUserState state = {
	    TRUE, user->is_active, user->is_admin, user->password_changed_at};
	vf_accounts_user_cache_store(self->user_cache, user->id, &state, epoch);
}

static Request *
request_new(void)
{
	return g_new0(Request, 1);
}

static void
fail_with_fields(GTask *task, Request *request)
{
	g_task_return_new_error(task, VF_ERROR, VF_ERROR_INVALID_INPUT, "invalid input");
}

/* register */

static void
register_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	VfAccountsService *self = source;
	Request *request = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(VfDbConnection) connection = NULL;
	g_autoptr(VfAccountsUser) existing = NULL;
	g_autoptr(GBytes) token_hash = NULL;
	g_autoptr(VfMailMessage) mail = NULL;
	g_autoptr(VfAccountsRegistration) registration = NULL;
	g_autofree gchar *hash = NULL;
	g_autofree gchar *token = NULL;
	g_autofree gchar *link = NULL;
	gint64 user_id;

	connection = vf_db_pool_acquire(self->pool, cancellable, &error);
	if (connection == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	/* cheap check first, so a taken address costs no hashing */
	existing = vf_accounts_store_find_user_by_email(connection, request->email, &error);
	if (error != NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	if (existing != NULL) {
		vf_field_errors_add(request->field_errors, "email", "Email already exists");
		fail_with_fields(task, request);
		return;
	}
	/* do not hold the connection while hashing */
	g_clear_pointer(&connection, vf_db_connection_release);
	hash = vf_auth_password_hash(request->password, &error);
	if (hash == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	connection = vf_db_pool_acquire(self->pool, cancellable, &error);
	if (connection == NULL || !vf_db_connection_begin(connection, &error)) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	user_id = vf_accounts_store_insert_user(
	    connection, request->email, hash, request->language, FALSE, FALSE, &error);
	if (user_id <= 0) {
		vf_db_connection_rollback(connection);
		if (error != NULL) {
			g_task_return_error(task, g_steal_pointer(&error));
			return;
		}
		vf_field_errors_add(request->field_errors, "email", "Email already exists");
		fail_with_fields(task, request);
		return;
	}
	token = vf_auth_token_generate(&token_hash);
	link = make_link(self, "activate.html", user_id, token);
	mail = vf_mail_activation_new(request->language, request->email, link);
	if (!vf_accounts_store_insert_token(connection,
					    user_id,
					    PURPOSE_ACTIVATION,
					    token_hash,
					    self->config->activation_token_lifetime_s,
					    &error) ||
	    !vf_mail_outbox_enqueue(connection, mail, &error) ||
	    !vf_db_connection_commit(connection, &error)) {
		vf_db_connection_rollback(connection);
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	kick_sender(self);
	registration = g_new0(VfAccountsRegistration, 1);
	registration->user_id = user_id;
	registration->email = g_strdup(request->email);
	registration->token = g_steal_pointer(&token);
	g_task_return_pointer(
	    task, g_steal_pointer(&registration), (GDestroyNotify)vf_accounts_registration_free);
}

static void
check_new_password(VfAccountsService *self,
		   VfFieldErrors *errors,
		   const gchar *field,
		   const gchar *password)
{
	if (password != NULL && g_utf8_strlen(password, -1) < self->config->password_min_length) {
		g_autofree gchar *message = g_strdup_printf(
		    "This password is too short. It must contain at least %d characters.",
		    self->config->password_min_length);
		vf_field_errors_add(errors, field, message);
	}
}

static void
require(VfFieldErrors *errors, const gchar *field, const gchar *value)
{
	if (value == NULL)
		vf_field_errors_add(errors, field, "This field is required.");
}

void
vf_accounts_service_register_async(VfAccountsService *self,
				   const gchar *email,
				   const gchar *password,
				   const gchar *confirmed_password,
				   const gchar *language,
				   GCancellable *cancellable,
				   GAsyncReadyCallback callback,
				   gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
	Request *request = request_new();

	g_task_set_source_tag(task, vf_accounts_service_register_async);
	g_task_set_task_data(task, request, (GDestroyNotify)request_free);
	request->field_errors = vf_field_errors_new();
	require(request->field_errors, "email", email);
	require(request->field_errors, "password", password);
	require(request->field_errors, "confirmed_password", confirmed_password);
	if (email != NULL) {
		request->email = vf_accounts_normalize_email(email);
		if (request->email == NULL)
			vf_field_errors_add(
			    request->field_errors, "email", "Enter a valid email address.");
	}
	check_new_password(self, request->field_errors, "password", password);
	if (password != NULL && confirmed_password != NULL &&
	    g_strcmp0(password, confirmed_password) != 0)
		vf_field_errors_add(
		    request->field_errors, "confirmed_password", "Passwords do not match");
	if (!vf_field_errors_is_empty(request->field_errors)) {
		fail_with_fields(task, request);
		return;
	}
	request->password = g_strdup(password);
	request->language = g_strdup(language != NULL ? language : "en");
	run_with_credentials(self, g_steal_pointer(&task), register_thread);
}

static VfFieldErrors *
steal_field_errors(GAsyncResult *result)
{
	Request *request = g_task_get_task_data(G_TASK(result));
	if (request == NULL || vf_field_errors_is_empty(request->field_errors))
		return NULL;
	return g_steal_pointer(&request->field_errors);
}

VfAccountsRegistration *
vf_accounts_service_register_finish(VfAccountsService *self,
				    GAsyncResult *result,
				    VfFieldErrors **field_errors,
				    GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), NULL);
	if (field_errors != NULL)
		*field_errors = steal_field_errors(result);
	return g_task_propagate_pointer(G_TASK(result), error);
}

/* activate */

static void
activate_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	guint64 epoch = vf_accounts_user_cache_get_epoch(vf_accounts_service_get_user_cache(source));
	VfAccountsService *self = source;
	Request *request = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(VfDbConnection) connection = NULL;
	g_autoptr(VfAccountsUser) user = NULL;
	g_autoptr(GBytes) token_hash = NULL;

	connection = vf_db_pool_acquire(self->pool, cancellable, &error);
	if (connection == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	user = vf_accounts_store_find_user_by_id(connection, request->user_id, &error);
	if (error != NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	if (user == NULL) {
		g_task_return_new_error(task, VF_ERROR, VF_ERROR_NOT_FOUND, "User not found");
		return;
	}
	token_hash = vf_auth_token_hash(request->token);
	if (token_hash == NULL ||
	    !vf_accounts_store_consume_token(
		connection, user->id, PURPOSE_ACTIVATION, token_hash, &error)) {
		if (error != NULL && !g_error_matches(error, VF_ERROR, VF_ERROR_NOT_FOUND)) {
			g_task_return_error(task, g_steal_pointer(&error));
			return;
		}
		g_task_return_new_error(task,
					VF_ERROR,
					VF_ERROR_INVALID_INPUT,
					"Token is inactive or user does not match with this token");
		return;
	}
	if (!vf_accounts_store_activate_user(connection, user->id, &error)) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	user->is_active = TRUE;
	store_user_state(self, user, epoch);
	g_task_return_boolean(task, TRUE);
}

void
vf_accounts_service_activate_async(VfAccountsService *self,
				   const gchar *uidb64,
				   const gchar *token,
				   GCancellable *cancellable,
				   GAsyncReadyCallback callback,
				   gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
	Request *request = request_new();

	g_task_set_source_tag(task, vf_accounts_service_activate_async);
	g_task_set_task_data(task, request, (GDestroyNotify)request_free);
	if (!vf_uid_decode(uidb64, &request->user_id)) {
		g_task_return_new_error(task, VF_ERROR, VF_ERROR_NOT_FOUND, "User not found");
		return;
	}
	request->token = g_strdup(token);
	g_task_run_in_thread(task, activate_thread);
}

gboolean
vf_accounts_service_activate_finish(VfAccountsService *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), FALSE);
	return g_task_propagate_boolean(G_TASK(result), error);
}

/* login */

static gboolean
issue_session(VfAccountsService *self,
	      VfDbConnection *connection,
	      const VfAccountsUser *user,
	      VfAccountsSession **session_out,
	      GError **error)
{
	gboolean inserted = FALSE;
	g_autoptr(VfAccountsSession) session = g_new0(VfAccountsSession, 1);
	g_autoptr(VfAuthClaims) claims = NULL;
	gint64 now = now_s();

	session->user_id = user->id;
	session->email = g_strdup(user->email);
	session->access = vf_auth_jwt_issue(self->config->secret_key,
					    VF_AUTH_TOKEN_TYPE_ACCESS,
					    user->id,
					    now,
					    self->config->access_token_lifetime_s,
					    NULL,
					    error);
	if (session->access == NULL)
		return FALSE;
	session->refresh = vf_auth_jwt_issue(self->config->secret_key,
					     VF_AUTH_TOKEN_TYPE_REFRESH,
					     user->id,
					     now,
					     self->config->refresh_token_lifetime_s,
					     &claims,
					     error);
	if (session->refresh == NULL)
		return FALSE;
	if (!vf_accounts_store_insert_refresh(connection,
					      claims->jti,
					      user->id,
					      claims->exp,
					      user->password_changed_at,
					      &inserted,
					      error))
		return FALSE;
	if (!inserted) {
		/* the password changed or the account was closed while we verified */
		g_set_error_literal(error,
				    VF_ERROR,
				    VF_ERROR_INVALID_INPUT,
				    "No active account found with the given credentials");
		return FALSE;
	}
	vf_accounts_live_refresh_add(self->live_refresh, claims->jti, user->id, claims->exp);
	session->csrf = vf_auth_random_string(32);
	*session_out = g_steal_pointer(&session);
	return TRUE;
}

static void
login_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	guint64 epoch = vf_accounts_user_cache_get_epoch(vf_accounts_service_get_user_cache(source));
	VfAccountsService *self = source;
	Request *request = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(VfDbConnection) connection = NULL;
	g_autoptr(VfAccountsUser) user = NULL;
	VfAccountsSession *session = NULL;
	gboolean password_ok;

	connection = vf_db_pool_acquire(self->pool, cancellable, &error);
	if (connection == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	user = vf_accounts_store_find_user_by_email(connection, request->email, &error);
	if (error != NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	g_clear_pointer(&connection, vf_db_connection_release);
	/* the same cost whether or not the account exists */
	if (user == NULL) {
		vf_auth_password_verify_dummy(request->password);
		password_ok = FALSE;
	} else {
		password_ok = vf_auth_password_verify(user->password_hash, request->password);
	}
	if (!password_ok || !user->is_active) {
		g_task_return_new_error(task,
					VF_ERROR,
					VF_ERROR_INVALID_INPUT,
					"No active account found with the given credentials");
		return;
	}
	connection = vf_db_pool_acquire(self->pool, cancellable, &error);
	if (connection == NULL || !issue_session(self, connection, user, &session, &error)) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	store_user_state(self, user, epoch);
	g_task_return_pointer(task, session, (GDestroyNotify)vf_accounts_session_free);
}

void
vf_accounts_service_login_async(VfAccountsService *self,
				const gchar *email,
				const gchar *password,
				GCancellable *cancellable,
				GAsyncReadyCallback callback,
				gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
	Request *request = request_new();

	g_task_set_source_tag(task, vf_accounts_service_login_async);
	g_task_set_task_data(task, request, (GDestroyNotify)request_free);
	/* an address that cannot exist still costs a verify */
	request->email = vf_accounts_normalize_email(email);
	if (request->email == NULL)
		request->email = g_strdup("");
	request->password = g_strdup(password);
	run_with_credentials(self, g_steal_pointer(&task), login_thread);
}

VfAccountsSession *
vf_accounts_service_login_finish(VfAccountsService *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}

/* refresh */

static void
refresh_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	guint64 epoch = vf_accounts_user_cache_get_epoch(vf_accounts_service_get_user_cache(source));
	VfAccountsService *self = source;
	Request *request = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(VfDbConnection) connection = NULL;
	g_autoptr(VfAuthClaims) claims = NULL;
	VfAccountsUserState state = {FALSE, FALSE, FALSE, 0};
	gboolean live = FALSE;
	gchar *access;

	claims = vf_auth_jwt_verify(
	    self->config->secret_key, request->token, VF_AUTH_TOKEN_TYPE_REFRESH, now_s(), &error);
	if (claims == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	connection = vf_db_pool_acquire(self->pool, cancellable, &error);
	if (connection == NULL || !vf_accounts_store_refresh_state(connection,
								   claims->jti,
								   claims->user_id,
								   &state.exists,
								   &state.is_active,
								   &state.is_admin,
								   &state.password_changed_at,
								   &live,
								   &error)) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	g_clear_pointer(&connection, vf_db_connection_release);
	vf_accounts_user_cache_store(self->user_cache, claims->user_id, &state, epoch);
	/* the user must exist, be active and not have changed the password since */
	if (!state.exists || !state.is_active || claims->iat < state.password_changed_at || !live) {
		g_task_return_new_error(task, VF_ERROR, VF_ERROR_TOKEN_INVALID, "session ended");
		return;
	}
	vf_accounts_live_refresh_add(self->live_refresh, claims->jti, claims->user_id, claims->exp);
	access = vf_auth_jwt_issue(self->config->secret_key,
				   VF_AUTH_TOKEN_TYPE_ACCESS,
				   claims->user_id,
				   now_s(),
				   self->config->access_token_lifetime_s,
				   NULL,
				   &error);
	if (access == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	g_task_return_pointer(task, access, g_free);
}

/* a token this process knows to be live, of a user whose state is cached: answered
 * without a query (HMACs only). TRUE when the task was returned. */
static gboolean
refresh_from_memory(VfAccountsService *self, GTask *task, const gchar *token)
{
	g_autoptr(VfAuthClaims) claims = NULL;
	g_autoptr(GError) error = NULL;
	VfAccountsUserState state;
	gint64 now = now_s();
	gchar *access;

	claims = vf_auth_jwt_verify(
	    self->config->secret_key, token, VF_AUTH_TOKEN_TYPE_REFRESH, now, &error);
	if (claims == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return TRUE;
	}
	if (!vf_accounts_live_refresh_contains(
		self->live_refresh, claims->jti, claims->user_id, now) ||
	    !vf_accounts_user_cache_lookup(self->user_cache, claims->user_id, &state) ||
	    !state.exists || !state.is_active || claims->iat < state.password_changed_at)
		return FALSE;
	access = vf_auth_jwt_issue(self->config->secret_key,
				   VF_AUTH_TOKEN_TYPE_ACCESS,
				   claims->user_id,
				   now,
				   self->config->access_token_lifetime_s,
				   NULL,
				   &error);
	if (access == NULL)
		g_task_return_error(task, g_steal_pointer(&error));
	else
		g_task_return_pointer(task, access, g_free);
	return TRUE;
}

void
vf_accounts_service_refresh_async(VfAccountsService *self,
				  const gchar *refresh_token,
				  GCancellable *cancellable,
				  GAsyncReadyCallback callback,
				  gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
	Request *request = request_new();

	g_task_set_source_tag(task, vf_accounts_service_refresh_async);
	g_task_set_task_data(task, request, (GDestroyNotify)request_free);
	request->token = g_strdup(refresh_token);
	if (!refresh_from_memory(self, task, refresh_token))
		g_task_run_in_thread(task, refresh_thread);
}

gchar *
vf_accounts_service_refresh_finish(VfAccountsService *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}

/* logout */

static void
logout_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	VfAccountsService *self = source;
	Request *request = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(VfDbConnection) connection = NULL;
	g_autoptr(VfAuthClaims) claims = NULL;
	gboolean revoked = FALSE;

	claims = vf_auth_jwt_verify(
	    self->config->secret_key, request->token, VF_AUTH_TOKEN_TYPE_REFRESH, now_s(), &error);
	if (claims == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	if (claims->user_id != request->user_id) {
		g_task_return_new_error(
		    task, VF_ERROR, VF_ERROR_TOKEN_INVALID, "refresh token of another user");
		return;
	}
	vf_accounts_live_refresh_revoke(self->live_refresh, claims->jti, claims->exp);
	connection = vf_db_pool_acquire(self->pool, cancellable, &error);
	if (connection == NULL || !vf_accounts_store_revoke_refresh(
				      connection, claims->jti, claims->user_id, &revoked, &error)) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	if (!revoked) {
		g_task_return_new_error(task, VF_ERROR, VF_ERROR_TOKEN_INVALID, "not live");
		return;
	}
	g_task_return_boolean(task, TRUE);
}

void
vf_accounts_service_logout_async(VfAccountsService *self,
				 gint64 user_id,
				 const gchar *refresh_token,
				 GCancellable *cancellable,
				 GAsyncReadyCallback callback,
				 gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
	Request *request = request_new();

	g_task_set_source_tag(task, vf_accounts_service_logout_async);
	g_task_set_task_data(task, request, (GDestroyNotify)request_free);
	request->user_id = user_id;
	request->token = g_strdup(refresh_token);
	g_task_run_in_thread(task, logout_thread);
}

gboolean
vf_accounts_service_logout_finish(VfAccountsService *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), FALSE);
	return g_task_propagate_boolean(G_TASK(result), error);
}

/* password reset request */

static void
request_reset_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	VfAccountsService *self = source;
	Request *request = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(VfDbConnection) connection = NULL;
	g_autoptr(VfAccountsUser) user = NULL;
	g_autoptr(GBytes) token_hash = NULL;
	g_autoptr(VfMailMessage) mail = NULL;
	g_autofree gchar *token = NULL;
	g_autofree gchar *link = NULL;

	connection = vf_db_pool_acquire(self->pool, cancellable, &error);
	if (connection == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	user = vf_accounts_store_find_user_by_email(connection, request->email, &error);
	if (error != NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	if (user == NULL || !request->send_mail) {
		g_task_return_boolean(task, TRUE);
		return;
	}
	token = vf_auth_token_generate(&token_hash);
	link = make_link(self, "confirm_password.html", user->id, token);
	mail = vf_mail_password_reset_new(user->language, user->email, link);
	if (!vf_db_connection_begin(connection, &error) ||
	    !vf_accounts_store_insert_token(connection,
					    user->id,
					    PURPOSE_RESET,
					    token_hash,
					    self->config->password_reset_timeout_s,
					    &error) ||
	    !vf_mail_outbox_enqueue(connection, mail, &error) ||
	    !vf_db_connection_commit(connection, &error)) {
		vf_db_connection_rollback(connection);
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	kick_sender(self);
	g_task_return_boolean(task, TRUE);
}

void
vf_accounts_service_request_reset_async(VfAccountsService *self,
					const gchar *email,
					gboolean send_mail,
					GCancellable *cancellable,
					GAsyncReadyCallback callback,
					gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
	Request *request = request_new();

	g_task_set_source_tag(task, vf_accounts_service_request_reset_async);
	g_task_set_task_data(task, request, (GDestroyNotify)request_free);
	request->email = vf_accounts_normalize_email(email);
	request->send_mail = send_mail;
	if (request->email == NULL) {
		g_task_return_new_error(
		    task, VF_ERROR, VF_ERROR_INVALID_INPUT, "Enter a valid email address.");
		return;
	}
	g_task_run_in_thread(task, request_reset_thread);
}

gboolean
vf_accounts_service_request_reset_finish(VfAccountsService *self,
					 GAsyncResult *result,
					 GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), FALSE);
	return g_task_propagate_boolean(G_TASK(result), error);
}

/* password reset confirmation */

static gboolean
token_is_live(
    VfDbConnection *connection, gint64 user_id, GBytes *token_hash, gboolean *live, GError **error)
{
	g_autoptr(GError) local_error = NULL;

	/* consume inside a transaction that is rolled back: a check without using it */
	if (!vf_db_connection_begin(connection, error))
		return FALSE;
	*live = vf_accounts_store_consume_token(
	    connection, user_id, PURPOSE_RESET, token_hash, &local_error);
	vf_db_connection_rollback(connection);
	if (local_error != NULL && !g_error_matches(local_error, VF_ERROR, VF_ERROR_NOT_FOUND)) {
		g_propagate_error(error, g_steal_pointer(&local_error));
		return FALSE;
	}
	return TRUE;
}

static void
confirm_reset_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	VfAccountsService *self = source;
	Request *request = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(VfDbConnection) connection = NULL;
	g_autoptr(GBytes) token_hash = vf_auth_token_hash(request->token);
	g_autofree gchar *hash = NULL;
	gboolean live = FALSE;

	if (token_hash == NULL) {
		g_task_return_new_error(
		    task, VF_ERROR, VF_ERROR_NOT_FOUND, "Invalid or expired link.");
		return;
	}
	connection = vf_db_pool_acquire(self->pool, cancellable, &error);
	if (connection == NULL ||
	    !token_is_live(connection, request->user_id, token_hash, &live, &error)) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	if (!live) {
		g_task_return_new_error(
		    task, VF_ERROR, VF_ERROR_NOT_FOUND, "Invalid or expired link.");
		return;
	}
	g_clear_pointer(&connection, vf_db_connection_release);
	hash = vf_auth_password_hash(request->password, &error);
	if (hash == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	connection = vf_db_pool_acquire(self->pool, cancellable, &error);
	if (connection == NULL || !vf_db_connection_begin(connection, &error)) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	/* the consume decides: of two confirmations racing, one wins */
	if (!vf_accounts_store_consume_token(
		connection, request->user_id, PURPOSE_RESET, token_hash, &error)) {
		vf_db_connection_rollback(connection);
		if (g_error_matches(error, VF_ERROR, VF_ERROR_NOT_FOUND))
			g_task_return_new_error(
			    task, VF_ERROR, VF_ERROR_NOT_FOUND, "Invalid or expired link.");
		else
			g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	if (!vf_accounts_store_set_password(connection, request->user_id, hash, &error) ||
	    !vf_accounts_store_revoke_all_refresh(connection, request->user_id, &error) ||
	    !vf_db_connection_commit(connection, &error)) {
		vf_db_connection_rollback(connection);
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	vf_accounts_user_cache_forget(self->user_cache, request->user_id);
	g_task_return_boolean(task, TRUE);
}

void
vf_accounts_service_confirm_reset_async(VfAccountsService *self,
					const gchar *uidb64,
					const gchar *token,
					const gchar *new_password,
					const gchar *confirm_password,
					GCancellable *cancellable,
					GAsyncReadyCallback callback,
					gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
	Request *request = request_new();

	g_task_set_source_tag(task, vf_accounts_service_confirm_reset_async);
	g_task_set_task_data(task, request, (GDestroyNotify)request_free);
	request->field_errors = vf_field_errors_new();
	require(request->field_errors, "new_password", new_password);
	require(request->field_errors, "confirm_password", confirm_password);
	if (new_password != NULL && confirm_password != NULL &&
	    g_strcmp0(new_password, confirm_password) != 0)
		vf_field_errors_add(request->field_errors, "message", "passwords don't match!");
	else
		check_new_password(self, request->field_errors, "new_password", new_password);
	if (!vf_field_errors_is_empty(request->field_errors)) {
		fail_with_fields(task, request);
		return;
	}
	if (!vf_uid_decode(uidb64, &request->user_id)) {
		g_task_return_new_error(
		    task, VF_ERROR, VF_ERROR_NOT_FOUND, "Invalid or expired link.");
		return;
	}
	request->token = g_strdup(token);
	request->password = g_strdup(new_password);
	run_with_credentials(self, g_steal_pointer(&task), confirm_reset_thread);
}

gboolean
vf_accounts_service_confirm_reset_finish(VfAccountsService *self,
					 GAsyncResult *result,
					 VfFieldErrors **field_errors,
					 GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), FALSE);
	if (field_errors != NULL)
		*field_errors = steal_field_errors(result);
	return g_task_propagate_boolean(G_TASK(result), error);
}

/* user state for the auth layer */

static void
user_state_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	guint64 epoch = vf_accounts_user_cache_get_epoch(vf_accounts_service_get_user_cache(source));
	VfAccountsService *self = source;
	Request *request = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(VfDbConnection) connection = NULL;
	g_autoptr(VfAccountsUser) user = NULL;
	VfAccountsUserState state = {FALSE, FALSE, FALSE, 0};

	connection = vf_db_pool_acquire(self->pool, cancellable, &error);
	if (connection == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	user = vf_accounts_store_find_user_by_id(connection, request->user_id, &error);
	if (error != NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	if (user != NULL) {
		state.exists = TRUE;
		state.is_active = user->is_active;
		state.is_admin = user->is_admin;
		state.password_changed_at = user->password_changed_at;
	}
	vf_accounts_user_cache_store(self->user_cache, request->user_id, &state, epoch);
	g_task_return_pointer(task, g_memdup2(&state, sizeof(state)), g_free);
}

void
vf_accounts_service_get_user_state_async(VfAccountsService *self,
					 gint64 user_id,
					 GCancellable *cancellable,
					 GAsyncReadyCallback callback,
					 gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
	Request *request = request_new();
	VfAccountsUserState state;

	g_task_set_source_tag(task, vf_accounts_service_get_user_state_async);
	g_task_set_task_data(task, request, (GDestroyNotify)request_free);
	request->user_id = user_id;
	if (vf_accounts_user_cache_lookup(self->user_cache, user_id, &state)) {
		g_task_return_pointer(task, g_memdup2(&state, sizeof(state)), g_free);
		return;
	}
	g_task_run_in_thread(task, user_state_thread);
}

gboolean
vf_accounts_service_get_user_state_finish(VfAccountsService *self,
					  GAsyncResult *result,
					  VfAccountsUserState *state,
					  GError **error)
{
	g_autofree VfAccountsUserState *found = NULL;

	g_return_val_if_fail(g_task_is_valid(result, self), FALSE);
	found = g_task_propagate_pointer(G_TASK(result), error);
	if (found == NULL)
		return FALSE;
	*state = *found;
	return TRUE;
}

/* bootstrap */

gboolean
vf_accounts_service_bootstrap_admin(VfAccountsService *self,
				    const gchar *email,
				    const gchar *password,
				    GError **error)
{
	g_autoptr(VfDbConnection) connection = NULL;
	g_autoptr(VfAccountsUser) user = NULL;
	g_autoptr(GError) local_error = NULL;
	g_autofree gchar *normalized = vf_accounts_normalize_email(email);
	g_autofree gchar *hash = NULL;

	if (normalized == NULL) {
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_INVALID_INPUT,
			    "ADMIN_EMAIL: \"%s\" is not a valid e-mail address",
			    email);
		return FALSE;
	}
	if ((gint)g_utf8_strlen(password, -1) < self->config->password_min_length) {
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_INVALID_INPUT,
			    "ADMIN_PASSWORD: shorter than PASSWORD_MIN_LENGTH (%d)",
			    self->config->password_min_length);
		return FALSE;
	}
	connection = vf_db_pool_acquire(self->pool, NULL, error);
	if (connection == NULL)
		return FALSE;
	user = vf_accounts_store_find_user_by_email(connection, normalized, &local_error);
	if (local_error != NULL) {
		g_propagate_error(error, g_steal_pointer(&local_error));
		return FALSE;
	}
	if (user != NULL) {
		if (user->is_active && user->is_admin)
			return TRUE;
		g_message("making %s an active admin", normalized);
		return vf_accounts_store_set_flags(connection, user->id, TRUE, TRUE, error);
	}
	hash = vf_auth_password_hash(password, error);
	if (hash == NULL)
		return FALSE;
	if (vf_accounts_store_insert_user(connection, normalized, hash, "en", TRUE, TRUE, error) <
	    0)
		return FALSE;
	g_message("created admin account %s", normalized);
	return TRUE;
}

static void
vf_accounts_service_finalize(GObject *object)
{
	VfAccountsService *self = VF_ACCOUNTS_SERVICE(object);

	/* waits for queued credential jobs: they hold references to us, so none is left */
	g_thread_pool_free(self->credentials, FALSE, TRUE);
	g_clear_object(&self->sender);
	g_clear_object(&self->pool);
	g_main_context_unref(self->context);
	vf_accounts_user_cache_free(self->user_cache);
	vf_accounts_live_refresh_free(self->live_refresh);
	G_OBJECT_CLASS(vf_accounts_service_parent_class)->finalize(object);
}

static void
vf_accounts_service_class_init(VfAccountsServiceClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = vf_accounts_service_finalize;
}

static void
vf_accounts_service_init(VfAccountsService *self)
{
}

VfAccountsService *
vf_accounts_service_new(const VfConfig *config, VfDbPool *pool, VfMailSender *sender)
{
	VfAccountsService *self = g_object_new(VF_TYPE_ACCOUNTS_SERVICE, NULL);
	g_autoptr(GError) error = NULL;

	self->config = config;
	self->pool = g_object_ref(pool);
	self->sender = sender != NULL ? g_object_ref(sender) : NULL;
	self->context = g_main_context_ref_thread_default();
	self->user_cache = vf_accounts_user_cache_new(USER_CACHE_MAX_AGE);
	self->live_refresh = vf_accounts_live_refresh_new();
	self->credentials = g_thread_pool_new(
	    credential_thread, self, MAX(1, config->password_hash_concurrency), FALSE, &error);
	g_assert_no_error(error);
	return self;
}

VfAccountsUserCache *
vf_accounts_service_get_user_cache(VfAccountsService *self)
{
	return self->user_cache;
}

const VfConfig *
vf_accounts_service_get_config(VfAccountsService *self)
{
	return self->config;
}

VfDbPool *
vf_accounts_service_get_pool(VfAccountsService *self)
{
	return self->pool;
}

VfAccountsLiveRefresh *
vf_accounts_service_get_live_refresh(VfAccountsService *self)
{
	return self->live_refresh;
}

void
vf_accounts_service_run_with_credentials(VfAccountsService *self, GTask *task, GTaskThreadFunc func)
{
	run_with_credentials(self, task, func);
}
