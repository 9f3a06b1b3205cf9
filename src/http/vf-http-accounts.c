/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Handlers of the account endpoints: read the fields, call the accounts service,
 * render exactly the bodies, statuses and cookies of API.md. Main thread.
 */
#include "config.h"

#include "vf-error.h"
#include "vf-http-fields.h"
#include "vf-http-handlers.h"
#include "vf-http-layers.h"
#include "vf-http-server.h"
#include "vf-mail-language.h"

static VfAccountsService *
accounts_of(VfHttpRequest *request)
{
	return vf_http_server_get_accounts(vf_http_request_get_server(request));
}

static const VfConfig *
config_of(VfHttpRequest *request)
{
	return vf_http_server_get_config(vf_http_request_get_server(request));
}

static void
respond_member(VfHttpRequest *request, guint status, const gchar *member, const gchar *text)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autoptr(JsonNode) root = NULL;

	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, member);
	json_builder_add_string_value(builder, text);
	json_builder_end_object(builder);
	root = json_builder_get_root(builder);
	vf_http_request_respond_json(request, status, root);
}

/* a service failure: field errors if any, else the error's status */
static void
respond_failure(VfHttpRequest *request, VfFieldErrors *field_errors, const GError *error)
{
	if (field_errors != NULL)
		vf_http_fields_respond(request, field_errors);
	else
		vf_http_request_respond_error(request, error);
}

static gchar *
normalized_key(const gchar *prefix, const gchar *email)
{
	g_autofree gchar *lower = g_utf8_strdown(email, -1);
	return g_strdup_printf("%s:%s", prefix, g_strstrip(lower));
}

/* POST /api/register/ */

static void
register_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(VfHttpRequest) request = user_data;
	g_autoptr(VfFieldErrors) field_errors = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(VfAccountsRegistration) registration = NULL;
	g_autoptr(JsonBuilder) builder = NULL;
	g_autoptr(JsonNode) root = NULL;

	registration = vf_accounts_service_register_finish(
	    VF_ACCOUNTS_SERVICE(source), result, &field_errors, &error);
	if (registration == NULL) {
		respond_failure(request, field_errors, error);
		return;
	}
	builder = json_builder_new();
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "user");
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "user_id");
	json_builder_add_int_value(builder, registration->user_id);
	json_builder_set_member_name(builder, "email");
	json_builder_add_string_value(builder, registration->email);
	json_builder_end_object(builder);
	json_builder_set_member_name(builder, "token");
	json_builder_add_string_value(builder, registration->token);
	json_builder_end_object(builder);
	root = json_builder_get_root(builder);
	vf_http_request_respond_json(request, 201, root);
}

void
vf_http_accounts_register(VfHttpRequest *request)
{
	g_autoptr(VfFieldErrors) errors = vf_field_errors_new();
	SoupMessageHeaders *headers =
	    soup_server_message_get_request_headers(vf_http_request_get_message(request));
	const gchar *email = vf_http_fields_get_string(request, "email", errors);
	const gchar *password = vf_http_fields_get_string(request, "password", errors);
	const gchar *confirmed = vf_http_fields_get_string(request, "confirmed_password", errors);

	if (!vf_field_errors_is_empty(errors)) {
		vf_http_fields_respond(request, errors);
		return;
	}
	vf_http_request_pause(request);
	vf_accounts_service_register_async(
	    accounts_of(request),
	    email,
	    password,
	    confirmed,
	    vf_mail_language_from_accept(soup_message_headers_get_one(headers, "Accept-Language")),
	    vf_http_request_get_cancellable(request),
	    register_cb,
	    vf_http_request_ref(request));
}

/* GET /api/activate/{uidb64}/{token}/ */

static void
activate_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(VfHttpRequest) request = user_data;
	g_autoptr(GError) error = NULL;

	if (vf_accounts_service_activate_finish(VF_ACCOUNTS_SERVICE(source), result, &error))
		respond_member(request, 200, "message", "Account successfully activated");
	else if (g_error_matches(error, VF_ERROR, VF_ERROR_NOT_FOUND))
		respond_member(request, 400, "message", "User not found");
	else if (g_error_matches(error, VF_ERROR, VF_ERROR_INVALID_INPUT))
		respond_member(request,
			       400,
			       "message",
			       "Token is inactive or user does not match with this token");
	else
		vf_http_request_respond_error(request, error);
}

void
vf_http_accounts_activate(VfHttpRequest *request)
{
	vf_http_request_pause(request);
	vf_accounts_service_activate_async(accounts_of(request),
					   vf_http_request_get_param(request, "uidb64"),
					   vf_http_request_get_param(request, "token"),
					   vf_http_request_get_cancellable(request),
					   activate_cb,
					   vf_http_request_ref(request));
}

/* POST /api/login/ */

typedef struct {
	VfHttpRequest *request;
	gchar *email;
} LoginData;

static void
login_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	LoginData *data = user_data;
	g_autoptr(VfHttpRequest) request = data->request;
	g_autofree gchar *email = data->email;
	const VfConfig *config = config_of(request);
	g_autoptr(GError) error = NULL;
	g_autoptr(VfAccountsSession) session = NULL;
	g_autoptr(JsonBuilder) builder = NULL;
	g_autoptr(JsonNode) root = NULL;

	g_free(data);
	session = vf_accounts_service_login_finish(VF_ACCOUNTS_SERVICE(source), result, &error);
	/* the rate layer counted the attempt; only a failed login keeps counting */
	if (!g_error_matches(error, VF_ERROR, VF_ERROR_INVALID_INPUT)) {
		VfHttpRateLimiter *limiter =
		    vf_http_server_get_rate_limiter(vf_http_request_get_server(request));
		g_autofree gchar *client_key =
		    g_strdup_printf("login-client:%s", vf_http_request_get_client(request));
		g_autofree gchar *account_key = normalized_key("login-account", email);

		vf_http_rate_limiter_give_back(limiter, client_key);
		vf_http_rate_limiter_give_back(limiter, account_key);
	}
	if (session == NULL) {
		if (g_error_matches(error, VF_ERROR, VF_ERROR_INVALID_INPUT))
			vf_http_request_respond_detail(
			    request, 400, "No active account found with the given credentials");
		else
			vf_http_request_respond_error(request, error);
		return;
	}
	vf_http_request_set_cookie(
	    request, "access_token", session->access, config->access_token_lifetime_s, TRUE);
	vf_http_request_set_cookie(
	    request, "refresh_token", session->refresh, config->refresh_token_lifetime_s, TRUE);
	vf_http_request_set_cookie(
	    request, "csrftoken", session->csrf, config->refresh_token_lifetime_s, FALSE);
	builder = json_builder_new();
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "detail");
	json_builder_add_string_value(builder, "Login successful");
	json_builder_set_member_name(builder, "user");
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "id");
	json_builder_add_int_value(builder, session->user_id);
	json_builder_set_member_name(builder, "username");
	json_builder_add_string_value(builder, session->email);
	json_builder_end_object(builder);
	json_builder_end_object(builder);
	root = json_builder_get_root(builder);
	vf_http_request_respond_json(request, 200, root);
}

void
vf_http_accounts_login(VfHttpRequest *request)
{
	g_autoptr(VfFieldErrors) errors = vf_field_errors_new();
	const gchar *email = vf_http_fields_get_string(request, "email", errors);
	const gchar *password = vf_http_fields_get_string(request, "password", errors);
	LoginData *data;

	if (email == NULL && !vf_field_errors_has(errors, "email"))
		vf_field_errors_add(errors, "email", "This field is required.");
	if (password == NULL && !vf_field_errors_has(errors, "password"))
		vf_field_errors_add(errors, "password", "This field is required.");
	if (!vf_field_errors_is_empty(errors)) {
		vf_http_fields_respond(request, errors);
		return;
	}
	data = g_new0(LoginData, 1);
	data->request = vf_http_request_ref(request);
	data->email = g_strdup(email);
	vf_http_request_pause(request);
	vf_accounts_service_login_async(accounts_of(request),
					email,
					password,
					vf_http_request_get_cancellable(request),
					login_cb,
					data);
}

/* POST /api/logout/ */

static void
logout_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(VfHttpRequest) request = user_data;
	g_autoptr(GError) error = NULL;

	if (!vf_accounts_service_logout_finish(VF_ACCOUNTS_SERVICE(source), result, &error)) {
		if (g_error_matches(error, VF_ERROR, VF_ERROR_TOKEN_INVALID))
			vf_http_request_respond_detail(request, 400, "Invalid Refresh Token.");
		else
			vf_http_request_respond_error(request, error);
		return;
	}
	vf_http_request_set_cookie(request, "access_token", "", 0, TRUE);
	vf_http_request_set_cookie(request, "refresh_token", "", 0, TRUE);
	vf_http_request_set_cookie(request, "csrftoken", "", 0, FALSE);
	vf_http_request_respond_detail(request,
				       200,
				       "Log-Out successfully! All Tokens will be deleted. Refresh "
				       "token is now invalid.");
}

void
vf_http_accounts_logout(VfHttpRequest *request)
{
	const gchar *refresh = vf_http_request_get_cookie(request, "refresh_token");

	if (refresh == NULL) {
		vf_http_request_respond_detail(request, 400, "Refresh token not provided.");
		return;
	}
	vf_http_request_pause(request);
	vf_accounts_service_logout_async(accounts_of(request),
					 vf_http_request_get_user_id(request),
					 refresh,
					 vf_http_request_get_cancellable(request),
					 logout_cb,
					 vf_http_request_ref(request));
}

/* POST /api/token/refresh/ */

static void
refresh_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(VfHttpRequest) request = user_data;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *access = NULL;
	g_autoptr(JsonBuilder) builder = NULL;
	g_autoptr(JsonNode) root = NULL;

	access = vf_accounts_service_refresh_finish(VF_ACCOUNTS_SERVICE(source), result, &error);
	if (access == NULL) {
		if (g_error_matches(error, VF_ERROR, VF_ERROR_TOKEN_INVALID))
			vf_http_request_respond_detail(request, 401, "Refresh Token is invalid!");
		else
			vf_http_request_respond_error(request, error);
		return;
	}
	vf_http_request_set_cookie(
	    request, "access_token", access, config_of(request)->access_token_lifetime_s, TRUE);
	builder = json_builder_new();
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "detail");
	json_builder_add_string_value(builder, "Token refreshed");
	json_builder_set_member_name(builder, "access");
	json_builder_add_string_value(builder, access);
	json_builder_end_object(builder);
	root = json_builder_get_root(builder);
	vf_http_request_respond_json(request, 200, root);
}

void
vf_http_accounts_refresh(VfHttpRequest *request)
{
	const gchar *refresh = vf_http_request_get_cookie(request, "refresh_token");

	if (refresh == NULL) {
		vf_http_request_respond_detail(request, 400, "Refreshed Token is missing");
		return;
	}
	vf_http_request_pause(request);
	vf_accounts_service_refresh_async(accounts_of(request),
					  refresh,
					  vf_http_request_get_cancellable(request),
					  refresh_cb,
					  vf_http_request_ref(request));
}

/* POST /api/password_reset/ */

static void
password_reset_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(VfHttpRequest) request = user_data;
	g_autoptr(GError) error = NULL;

	if (!vf_accounts_service_request_reset_finish(
		VF_ACCOUNTS_SERVICE(source), result, &error)) {
		if (g_error_matches(error, VF_ERROR, VF_ERROR_INVALID_INPUT)) {
			g_autoptr(VfFieldErrors) errors = vf_field_errors_new();
			vf_field_errors_add(errors, "email", "Enter a valid email address.");
			vf_http_fields_respond(request, errors);
		} else {
			vf_http_request_respond_error(request, error);
		}
		return;
	}
	vf_http_request_respond_detail(
	    request, 200, "If account exists, then the email will be sent.");
}

void
vf_http_accounts_password_reset(VfHttpRequest *request)
{
	g_autoptr(VfFieldErrors) errors = vf_field_errors_new();
	const gchar *email = vf_http_fields_get_string(request, "email", errors);
	const VfConfig *config = config_of(request);
	g_autofree gchar *account_key = NULL;
	gboolean send_mail;

	if (email == NULL && !vf_field_errors_has(errors, "email"))
		vf_field_errors_add(errors, "email", "This field is required.");
	if (!vf_field_errors_is_empty(errors)) {
		vf_http_fields_respond(request, errors);
		return;
	}
	account_key = normalized_key("reset-account", email);
	/* over the per-account limit the answer stays the same, only no mail goes out */
	send_mail = vf_http_rate_limiter_take(
	    vf_http_server_get_rate_limiter(vf_http_request_get_server(request)),
	    account_key,
	    &config->reset_per_account,
	    g_get_monotonic_time(),
	    NULL);
	vf_http_request_pause(request);
	vf_accounts_service_request_reset_async(accounts_of(request),
						email,
						send_mail,
						vf_http_request_get_cancellable(request),
						password_reset_cb,
						vf_http_request_ref(request));
}

/* POST /api/password_confirm/{uidb64}/{token}/ */

static void
password_confirm_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(VfHttpRequest) request = user_data;
	g_autoptr(VfFieldErrors) field_errors = NULL;
	g_autoptr(GError) error = NULL;

	if (vf_accounts_service_confirm_reset_finish(
		VF_ACCOUNTS_SERVICE(source), result, &field_errors, &error))
		vf_http_request_respond_detail(
		    request, 200, "Your Password has been succesfully reset.");
	else if (g_error_matches(error, VF_ERROR, VF_ERROR_NOT_FOUND))
		vf_http_request_respond_detail(request, 400, "Invalid or expired link.");
	else
		respond_failure(request, field_errors, error);
}

void
vf_http_accounts_password_confirm(VfHttpRequest *request)
{
	g_autoptr(VfFieldErrors) errors = vf_field_errors_new();
	const gchar *new_password = vf_http_fields_get_string(request, "new_password", errors);
	const gchar *confirm = vf_http_fields_get_string(request, "confirm_password", errors);

	if (!vf_field_errors_is_empty(errors)) {
		vf_http_fields_respond(request, errors);
		return;
	}
	vf_http_request_pause(request);
	vf_accounts_service_confirm_reset_async(accounts_of(request),
						vf_http_request_get_param(request, "uidb64"),
						vf_http_request_get_param(request, "token"),
						new_password,
						confirm,
						vf_http_request_get_cancellable(request),
						password_confirm_cb,
						vf_http_request_ref(request));
}
