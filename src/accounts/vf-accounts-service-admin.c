/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfAccountsService's administration (the D-Bus admin interface): create a user
 * without mail, switch is_active and is_admin, list users. Input is checked on the
 * caller's thread, hashing runs in the credentials pool, SQL in GTask threads. A
 * change of a user drops its cached state after the commit.
 */
#include "config.h"

#include <string.h>

#include "vf-accounts-service-private.h"
#include "vf-accounts-store.h"
#include "vf-accounts-validate.h"
#include "vf-auth-password.h"
#include "vf-error.h"

typedef struct {
	gint64 user_id;
	gchar *email;
	gchar *password;
	gboolean is_active;
	gboolean is_admin;
	const gchar *flag; /* "is_active" or "is_admin" */
	gboolean value;
} AdminRequest;

static void
admin_request_free(AdminRequest *request)
{
	g_free(request->email);
	if (request->password != NULL)
		memset(request->password, 0, strlen(request->password));
	g_free(request->password);
	g_free(request);
}

/* create */

static void
create_user_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	VfAccountsService *self = source;
	AdminRequest *request = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(VfDbConnection) connection = NULL;
	g_autoptr(VfAccountsUser) existing = NULL;
	g_autofree gchar *hash = NULL;
	gint64 user_id;

	connection = vf_db_pool_acquire(vf_accounts_service_get_pool(self), cancellable, &error);
	if (connection == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	existing = vf_accounts_store_find_user_by_email(connection, request->email, &error);
	if (error != NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	if (existing != NULL) {
		g_task_return_new_error(task,
					VF_ERROR,
					VF_ERROR_INVALID_INPUT,
					"A user with the e-mail address %s already exists.",
					request->email);
		return;
	}
	/* do not hold the connection while hashing */
	g_clear_pointer(&connection, vf_db_connection_release);
	hash = vf_auth_password_hash(request->password, &error);
	if (hash != NULL)
		connection =
		    vf_db_pool_acquire(vf_accounts_service_get_pool(self), cancellable, &error);
	if (connection == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	user_id = vf_accounts_store_insert_user(
	    connection, request->email, hash, "en", request->is_active, request->is_admin, &error);
	if (user_id < 0) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	if (user_id == 0) {
		g_task_return_new_error(task,
					VF_ERROR,
					VF_ERROR_INVALID_INPUT,
					"A user with the e-mail address %s already exists.",
					request->email);
		return;
	}
	g_info("user %" G_GINT64_FORMAT ": created by an administrator", user_id);
	g_task_return_pointer(task, g_memdup2(&user_id, sizeof(user_id)), g_free);
}

void
vf_accounts_service_create_user_async(VfAccountsService *self,
				      const gchar *email,
				      const gchar *password,
				      gboolean is_active,
				      gboolean is_admin,
				      GCancellable *cancellable,
				      GAsyncReadyCallback callback,
				      gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
	AdminRequest *request = g_new0(AdminRequest, 1);
	gint min_length = vf_accounts_service_get_config(self)->password_min_length;

	g_return_if_fail(VF_IS_ACCOUNTS_SERVICE(self));
	g_task_set_source_tag(task, vf_accounts_service_create_user_async);
	g_task_set_task_data(task, request, (GDestroyNotify)admin_request_free);
	request->email = email != NULL ? vf_accounts_normalize_email(email) : NULL;
	if (request->email == NULL) {
		g_task_return_new_error(task,
					VF_ERROR,
					VF_ERROR_INVALID_INPUT,
					"“%s” is not a valid e-mail address.",
					email != NULL ? email : "");
		return;
	}
	if (password == NULL || !g_utf8_validate(password, -1, NULL) ||
	    g_utf8_strlen(password, -1) < min_length) {
		g_task_return_new_error(task,
					VF_ERROR,
					VF_ERROR_INVALID_INPUT,
					"The password is too short: it must have at least %d "
					"characters.",
					min_length);
		return;
	}
	request->password = g_strdup(password);
	request->is_active = is_active;
	request->is_admin = is_admin;
	vf_accounts_service_run_with_credentials(self, g_steal_pointer(&task), create_user_thread);
}

gint64
vf_accounts_service_create_user_finish(VfAccountsService *self,
				       GAsyncResult *result,
				       GError **error)
{
	g_autofree gint64 *id = NULL;

	g_return_val_if_fail(g_task_is_valid(result, self), 0);
	id = g_task_propagate_pointer(G_TASK(result), error);
	return id != NULL ? *id : 0;
}

/* flags */

static void
set_flag_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	VfAccountsService *self = source;
	AdminRequest *request = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(VfDbConnection) connection = NULL;
	gboolean deactivate = g_str_equal(request->flag, "is_active") && !request->value;
	gboolean found = FALSE;

	connection = vf_db_pool_acquire(vf_accounts_service_get_pool(self), cancellable, &error);
	if (connection == NULL || !vf_db_connection_begin(connection, &error)) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	if (!vf_accounts_store_set_flag(
		connection, request->user_id, request->flag, request->value, &found, &error) ||
	    (found && deactivate &&
	     !vf_accounts_store_end_sessions(connection, request->user_id, &error)) ||
	    !vf_db_connection_commit(connection, &error)) {
		vf_db_connection_rollback(connection);
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	if (!found) {
		g_task_return_new_error(task,
					VF_ERROR,
					VF_ERROR_NOT_FOUND,
					"There is no user %" G_GINT64_FORMAT ".",
					request->user_id);
		return;
	}
	/* after the commit: a reader that raced it cannot store the old state again */
	if (deactivate)
		vf_accounts_live_refresh_forget_user(vf_accounts_service_get_live_refresh(self),
						     request->user_id);
	vf_accounts_user_cache_forget(vf_accounts_service_get_user_cache(self), request->user_id);
	g_info("user %" G_GINT64_FORMAT ": %s set to %s by an administrator",
	       request->user_id,
	       request->flag,
	       request->value ? "true" : "false");
	g_task_return_boolean(task, TRUE);
}

static void
set_flag_async(VfAccountsService *self,
	       gpointer tag,
	       gint64 user_id,
	       const gchar *flag,
	       gboolean value,
	       GCancellable *cancellable,
	       GAsyncReadyCallback callback,
	       gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
	AdminRequest *request = g_new0(AdminRequest, 1);

	g_task_set_source_tag(task, tag);
	g_task_set_task_data(task, request, (GDestroyNotify)admin_request_free);
	request->user_id = user_id;
	request->flag = flag;
	request->value = value;
	if (user_id <= 0) {
		g_task_return_new_error(task,
					VF_ERROR,
					VF_ERROR_NOT_FOUND,
					"There is no user %" G_GINT64_FORMAT ".",
					user_id);
		return;
	}
	g_task_run_in_thread(task, set_flag_thread);
}

void
vf_accounts_service_set_user_active_async(VfAccountsService *self,
					  gint64 user_id,
					  gboolean is_active,
					  GCancellable *cancellable,
					  GAsyncReadyCallback callback,
					  gpointer user_data)
{
	g_return_if_fail(VF_IS_ACCOUNTS_SERVICE(self));
	set_flag_async(self,
		       vf_accounts_service_set_user_active_async,
		       user_id,
		       "is_active",
		       is_active,
		       cancellable,
		       callback,
		       user_data);
}

gboolean
vf_accounts_service_set_user_active_finish(VfAccountsService *self,
					   GAsyncResult *result,
					   GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), FALSE);
	return g_task_propagate_boolean(G_TASK(result), error);
}

void
vf_accounts_service_set_user_admin_async(VfAccountsService *self,
					 gint64 user_id,
					 gboolean is_admin,
					 GCancellable *cancellable,
					 GAsyncReadyCallback callback,
					 gpointer user_data)
{
	g_return_if_fail(VF_IS_ACCOUNTS_SERVICE(self));
	set_flag_async(self,
		       vf_accounts_service_set_user_admin_async,
		       user_id,
		       "is_admin",
		       is_admin,
		       cancellable,
		       callback,
		       user_data);
}

gboolean
vf_accounts_service_set_user_admin_finish(VfAccountsService *self,
					  GAsyncResult *result,
					  GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), FALSE);
	return g_task_propagate_boolean(G_TASK(result), error);
}

/* list */

static void
list_users_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	VfAccountsService *self = source;
	g_autoptr(GError) error = NULL;
	g_autoptr(VfDbConnection) connection = NULL;
	GPtrArray *users = NULL;

	connection = vf_db_pool_acquire(vf_accounts_service_get_pool(self), cancellable, &error);
	if (connection != NULL)
		users = vf_accounts_store_list_users(connection, &error);
	if (users == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	g_task_return_pointer(task, users, (GDestroyNotify)g_ptr_array_unref);
}

void
vf_accounts_service_list_users_async(VfAccountsService *self,
				     GCancellable *cancellable,
				     GAsyncReadyCallback callback,
				     gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);

	g_return_if_fail(VF_IS_ACCOUNTS_SERVICE(self));
	g_task_set_source_tag(task, vf_accounts_service_list_users_async);
	g_task_run_in_thread(task, list_users_thread);
}

GPtrArray *
vf_accounts_service_list_users_finish(VfAccountsService *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}
