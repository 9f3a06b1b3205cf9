/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Loads VfConfig from the environment and an optional .env file (the environment
 * wins), with the Django service's variable names. Every bad value is an error that
 * names its variable. Runs once at start, before the loop.
 */
#include "config.h"

#include "vf-config.h"

#include <gio/gio.h>
#include <string.h>

#include "vf-error.h"

#define MIN_SECRET_LENGTH 32

typedef struct {
	GHashTable *values; /* name → value; .env first, environment over it */
} Source;

static const gchar *
source_get(Source *source, const gchar *name)
{
	const gchar *value = g_hash_table_lookup(source->values, name);
	if (value == NULL || *value == '\0')
		return NULL;
	return value;
}

static gchar *
unquote(const gchar *raw)
{
	g_autofree gchar *value = g_strstrip(g_strdup(raw));
	gsize len = strlen(value);

	if (len >= 2 && (value[0] == '"' || value[0] == '\'') && value[len - 1] == value[0]) {
		value[len - 1] = '\0';
		return g_strdup(value + 1);
	}
	/* an unquoted value ends at " #" (a trailing comment) */
	if (len > 0) {
		gchar *comment = strstr(value, " #");
		if (comment != NULL)
			*comment = '\0';
		g_strchomp(value);
	}
	return g_steal_pointer(&value);
}

static gboolean
parse_env_file(GHashTable *values, const gchar *path, GError **error)
{
	g_autofree gchar *contents = NULL;
	g_auto(GStrv) lines = NULL;
	g_autoptr(GError) local_error = NULL;

	if (!g_file_get_contents(path, &contents, NULL, &local_error)) {
		if (g_error_matches(local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
			return TRUE;
		g_set_error(
		    error, VF_ERROR, VF_ERROR_INVALID_INPUT, "%s: %s", path, local_error->message);
		return FALSE;
	}
	lines = g_strsplit(contents, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		gchar *line = g_strstrip(lines[i]);
		gchar *eq;
		g_autofree gchar *name = NULL;

		if (*line == '\0' || *line == '#')
			continue;
		if (g_str_has_prefix(line, "export "))
			line += strlen("export ");
		eq = strchr(line, '=');
		if (eq == NULL) {
			g_set_error(error,
				    VF_ERROR,
				    VF_ERROR_INVALID_INPUT,
				    "%s:%u: expected NAME=value",
				    path,
				    i + 1);
			return FALSE;
		}
		name = g_strstrip(g_strndup(line, eq - line));
		g_hash_table_replace(values, g_steal_pointer(&name), unquote(eq + 1));
	}
	return TRUE;
}

gboolean
vf_config_parse_boolean(const gchar *text, gboolean *value)
{
	const gchar *truthy[] = {"1", "true", "yes", "on", "t", "y"};
	const gchar *falsy[] = {"0", "false", "no", "off", "f", "n"};

	for (guint i = 0; i < G_N_ELEMENTS(truthy); i++) {
		if (g_ascii_strcasecmp(text, truthy[i]) == 0) {
			*value = TRUE;
			return TRUE;
		}
		if (g_ascii_strcasecmp(text, falsy[i]) == 0) {
			*value = FALSE;
			return TRUE;
		}
	}
	return FALSE;
}

/* "300", "300s", "5m", "5h", "1d", "2w" → seconds (> 0) */
gboolean
vf_config_parse_duration(const gchar *text, gint64 *seconds)
{
	guint64 number = 0;
	gchar *end = NULL;
	gint64 unit = 1;

	if (text == NULL || !g_ascii_isdigit(*text))
		return FALSE;
	number = g_ascii_strtoull(text, &end, 10);
	if (g_strcmp0(end, "") == 0 || g_strcmp0(end, "s") == 0)
		unit = 1;
	else if (g_strcmp0(end, "m") == 0)
		unit = 60;
	else if (g_strcmp0(end, "h") == 0)
		unit = 3600;
	else if (g_strcmp0(end, "d") == 0)
		unit = 86400;
	else if (g_strcmp0(end, "w") == 0)
		unit = 7 * 86400;
	else
		return FALSE;
	if (number == 0 || number > (guint64)(G_MAXINT32))
		return FALSE;
	*seconds = (gint64)number * unit;
	return TRUE;
}

static gboolean
get_boolean(Source *source, const gchar *name, gboolean fallback, gboolean *out, GError **error)
{
	const gchar *text = source_get(source, name);
	*out = fallback;
	if (text == NULL)
		return TRUE;
	if (!vf_config_parse_boolean(text, out)) {
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_INVALID_INPUT,
			    "%s: expected True or False, got \"%s\"",
			    name,
			    text);
		return FALSE;
	}
	return TRUE;
}

static gboolean
get_int(Source *source,
	const gchar *name,
	gint64 fallback,
	gint64 min,
	gint64 max,
	gint64 *out,
	GError **error)
{
	const gchar *text = source_get(source, name);
	*out = fallback;
	if (text == NULL)
		return TRUE;
	if (!g_ascii_string_to_signed(text, 10, min, max, out, NULL)) {
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_INVALID_INPUT,
			    "%s: expected a whole number from %" G_GINT64_FORMAT
			    " to %" G_GINT64_FORMAT ", got \"%s\"",
			    name,
			    min,
			    max,
			    text);
		return FALSE;
	}
	return TRUE;
}

static gboolean
get_duration(Source *source, const gchar *name, gint64 fallback, gint64 *out, GError **error)
{
	const gchar *text = source_get(source, name);
	*out = fallback;
	if (text == NULL)
		return TRUE;
	if (!vf_config_parse_duration(text, out)) {
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_INVALID_INPUT,
			    "%s: expected a duration such as 300, 90s, 15m, 5h or 1d, got \"%s\"",
			    name,
			    text);
		return FALSE;
	}
	return TRUE;
}

/* "1024", "512k", "100M", "2G" (binary units) → bytes */
static gboolean
get_size(Source *source, const gchar *name, gint64 fallback, gint64 *out, GError **error)
{
	const gchar *text = source_get(source, name);
	guint64 number;
	gchar *end = NULL;
	gint64 unit = 1;

	*out = fallback;
	if (text == NULL)
		return TRUE;
	number = g_ascii_strtoull(text, &end, 10);
	if (end != text && end != NULL) {
		if (g_ascii_strcasecmp(end, "") == 0 || g_ascii_strcasecmp(end, "b") == 0)
			unit = 1;
		else if (g_ascii_strcasecmp(end, "k") == 0 || g_ascii_strcasecmp(end, "kb") == 0)
			unit = 1024;
		else if (g_ascii_strcasecmp(end, "m") == 0 || g_ascii_strcasecmp(end, "mb") == 0)
			unit = 1024 * 1024;
		else if (g_ascii_strcasecmp(end, "g") == 0 || g_ascii_strcasecmp(end, "gb") == 0)
			unit = 1024 * 1024 * 1024;
		else
			end = NULL;
	}
	if (end == text || end == NULL || number == 0 || number > G_MAXINT64 / (guint64)unit) {
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_INVALID_INPUT,
			    "%s: expected a size such as 1048576, 512K, 100M or 2G, got \"%s\"",
			    name,
			    text);
		return FALSE;
	}
	*out = (gint64)number * unit;
	return TRUE;
}

static gchar *
get_string(Source *source, const gchar *name, const gchar *fallback)
{
	const gchar *text = source_get(source, name);
	return g_strdup(text != NULL ? text : fallback);
}

static gchar **
get_list(Source *source, const gchar *name, const gchar *fallback)
{
	const gchar *text = source_get(source, name);
	g_auto(GStrv) parts = NULL;
	g_autoptr(GStrvBuilder) builder = g_strv_builder_new();

	if (text == NULL)
		text = fallback;
	if (text == NULL)
		return g_strv_builder_end(builder);
	parts = g_strsplit(text, ",", -1);
	for (guint i = 0; parts[i] != NULL; i++) {
		gchar *item = g_strstrip(parts[i]);
		if (*item != '\0')
			g_strv_builder_add(builder, item);
	}
	return g_strv_builder_end(builder);
}

static gboolean
get_rate_limit(Source *source,
	       const gchar *name,
	       gint fallback,
	       gint64 window_s,
	       VfRateLimit *out,
	       GError **error)
{
	gint64 count = 0;
	if (!get_int(source, name, fallback, 0, 1000000, &count, error))
		return FALSE;
	out->count = (gint)count;
	out->window_s = window_s;
	return TRUE;
}

static gboolean
check_url(const gchar *name, const gchar *value, GError **error)
{
	g_autoptr(GUri) uri = g_uri_parse(value, G_URI_FLAGS_NONE, NULL);
	if (uri == NULL || g_uri_get_host(uri) == NULL ||
	    (g_strcmp0(g_uri_get_scheme(uri), "http") != 0 &&
	     g_strcmp0(g_uri_get_scheme(uri), "https") != 0)) {
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_INVALID_INPUT,
			    "%s: expected an http(s) URL, got \"%s\"",
			    name,
			    value);
		return FALSE;
	}
	return TRUE;
}

static gboolean
check_listen(const gchar *value, GError **error)
{
	g_autoptr(GSocketConnectable) address = g_network_address_parse(value, 0, NULL);

	if (address == NULL || g_network_address_get_port(G_NETWORK_ADDRESS(address)) == 0 ||
	    !g_hostname_is_ip_address(g_network_address_get_hostname(G_NETWORK_ADDRESS(address)))) {
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_INVALID_INPUT,
			    "LISTEN: expected ADDRESS:PORT such as 127.0.0.1:8000 or [::1]:8000, "
			    "got \"%s\"",
			    value);
		return FALSE;
	}
	return TRUE;
}

/* videoflix-worker next to our own executable (installed), else the build tree's */
static gchar *
default_worker_path(void)
{
	g_autofree gchar *self_exe = g_file_read_link("/proc/self/exe", NULL);
	g_autofree gchar *dir = self_exe != NULL ? g_path_get_dirname(self_exe) : NULL;
	g_autofree gchar *beside =
	    dir != NULL ? g_build_filename(dir, "videoflix-worker", NULL) : NULL;

	if (beside != NULL && g_file_test(beside, G_FILE_TEST_IS_EXECUTABLE))
		return g_steal_pointer(&beside);
	return g_build_filename(VF_BUILD_ROOT, "src", "bin", "videoflix-worker", NULL);
}

/* IMPORT_DIRS: absolute folders, colon-separated; kept as written (they are
 * resolved when a path is checked, so a folder created later still counts) */
static gboolean
load_import_dirs(VfConfig *self, Source *source, GError **error)
{
	const gchar *text = source_get(source, "IMPORT_DIRS");
	g_auto(GStrv) parts = g_strsplit(text != NULL ? text : "", ":", -1);
	g_autoptr(GStrvBuilder) builder = g_strv_builder_new();

	for (guint i = 0; parts[i] != NULL; i++) {
		gchar *item = g_strstrip(parts[i]);
		if (*item == '\0')
			continue;
		if (!g_path_is_absolute(item)) {
			g_set_error(error,
				    VF_ERROR,
				    VF_ERROR_INVALID_INPUT,
				    "IMPORT_DIRS: \"%s\" is not an absolute path",
				    item);
			return FALSE;
		}
		g_strv_builder_add(builder, item);
	}
	self->import_dirs = g_strv_builder_end(builder);
	return TRUE;
}

static gboolean
load_from_source(VfConfig *self, Source *source, GError **error)
{
	gint64 number = 0;

	if (!get_boolean(source, "DEBUG", FALSE, &self->debug, error))
		return FALSE;
	self->secret_key = get_string(source, "SECRET_KEY", NULL);
	if (self->secret_key == NULL) {
		if (!self->debug) {
			g_set_error_literal(
			    error,
			    VF_ERROR,
			    VF_ERROR_INVALID_INPUT,
			    "SECRET_KEY: not set; set it to a random string of at least "
			    "32 bytes, e.g. the output of: openssl rand -base64 48");
			return FALSE;
		}
	} else if (strlen(self->secret_key) < MIN_SECRET_LENGTH) {
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_INVALID_INPUT,
			    "SECRET_KEY: %zu bytes is too short for an HS256 key, use at least %d",
			    strlen(self->secret_key),
			    MIN_SECRET_LENGTH);
		return FALSE;
	}
	self->allowed_hosts = get_list(source, "ALLOWED_HOSTS", "");

	self->db_name = get_string(source, "DB_NAME", "videoflix");
	self->db_user = get_string(source, "DB_USER", "videoflix");
	self->db_password = get_string(source, "DB_PASSWORD", NULL);
	self->db_host = get_string(source, "DB_HOST", "127.0.0.1");
	self->db_port = get_string(source, "DB_PORT", "5432");
	if (!get_int(source, "DB_PORT", 5432, 1, 65535, &number, error))
		return FALSE;
	if (!get_int(source, "DB_POOL_SIZE", 6, 1, 64, &number, error))
		return FALSE;
	self->db_pool_size = (gint)number;

	self->email_backend = get_string(source, "EMAIL_BACKEND", "smtp");
	/* the Django dotted names keep working */
	if (strstr(self->email_backend, "filebased") != NULL) {
		g_free(self->email_backend);
		self->email_backend = g_strdup("file");
	} else if (strstr(self->email_backend, "smtp") != NULL) {
		g_free(self->email_backend);
		self->email_backend = g_strdup("smtp");
	}
	if (g_strcmp0(self->email_backend, "smtp") != 0 &&
	    g_strcmp0(self->email_backend, "file") != 0) {
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_INVALID_INPUT,
			    "EMAIL_BACKEND: expected smtp or file, got \"%s\"",
			    self->email_backend);
		return FALSE;
	}
	self->email_host = get_string(source, "EMAIL_HOST", "localhost");
	if (!get_int(source, "EMAIL_PORT", 25, 1, 65535, &number, error))
		return FALSE;
	self->email_port = (gint)number;
	self->email_host_user = get_string(source, "EMAIL_HOST_USER", NULL);
	self->email_host_password = get_string(source, "EMAIL_HOST_PASSWORD", NULL);
	if (!get_boolean(source, "EMAIL_USE_TLS", FALSE, &self->email_use_tls, error))
		return FALSE;
	if (!get_boolean(source, "EMAIL_USE_SSL", FALSE, &self->email_use_ssl, error))
		return FALSE;
	if (self->email_use_tls && self->email_use_ssl) {
		g_set_error_literal(error,
				    VF_ERROR,
				    VF_ERROR_INVALID_INPUT,
				    "EMAIL_USE_TLS: cannot be combined with EMAIL_USE_SSL; choose "
				    "STARTTLS (TLS) or implicit TLS (SSL)");
		return FALSE;
	}
	self->default_from_email =
	    get_string(source, "DEFAULT_FROM_EMAIL", "noreply@videoflix.local");
	self->mail_dir = get_string(source, "MAIL_DIR", "mail");
	if (g_strcmp0(self->email_backend, "file") == 0 && source_get(source, "MAIL_DIR") == NULL &&
	    source_get(source, "EMAIL_FILE_PATH") != NULL) {
		g_free(self->mail_dir);
		self->mail_dir = get_string(source, "EMAIL_FILE_PATH", "mail");
	}

	self->frontend_url = get_string(source, "FRONTEND_URL", "http://127.0.0.1:5500");
	if (!check_url("FRONTEND_URL", self->frontend_url, error))
		return FALSE;
	while (g_str_has_suffix(self->frontend_url, "/"))
		self->frontend_url[strlen(self->frontend_url) - 1] = '\0';
	self->cors_allowed_origins =
	    get_list(source, "CORS_ALLOWED_ORIGINS", "http://127.0.0.1:5500,http://localhost:5500");
	for (guint i = 0; self->cors_allowed_origins[i] != NULL; i++) {
		if (!check_url("CORS_ALLOWED_ORIGINS", self->cors_allowed_origins[i], error))
			return FALSE;
	}
	self->listen = get_string(source, "LISTEN", "127.0.0.1:8000");
	if (!check_listen(self->listen, error))
		return FALSE;
	self->public_url = get_string(source, "PUBLIC_URL", NULL);
	if (self->public_url == NULL)
		self->public_url = g_strdup_printf("http://%s", self->listen);
	if (!check_url("PUBLIC_URL", self->public_url, error))
		return FALSE;
	while (g_str_has_suffix(self->public_url, "/"))
		self->public_url[strlen(self->public_url) - 1] = '\0';
	self->media_root = get_string(source, "MEDIA_ROOT", "media");
	self->worker_path = get_string(source, "WORKER_PATH", NULL);
	if (self->worker_path == NULL)
		self->worker_path = default_worker_path();
	self->nats_url = get_string(source, "NATS_URL", NULL);
	if (!get_int(source, "TRANSCODE_CONCURRENCY", 1, 1, 16, &number, error))
		return FALSE;
	self->transcode_concurrency = (gint)number;
	self->ladder_file = get_string(source, "LADDER_FILE", NULL);
	if (self->ladder_file != NULL && !g_file_test(self->ladder_file, G_FILE_TEST_IS_REGULAR)) {
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_INVALID_INPUT,
			    "LADDER_FILE: %s is not a readable file",
			    self->ladder_file);
		return FALSE;
	}
	if (!get_boolean(source, "COOKIE_SECURE", TRUE, &self->cookie_secure, error))
		return FALSE;
	if (!get_size(
		source, "MAX_UPLOAD_SIZE", 2LL * 1024 * 1024 * 1024, &self->max_upload_size, error))
		return FALSE;
	if (!get_size(source, "MAX_BODY_SIZE", 64 * 1024, &self->max_body_size, error))
		return FALSE;

	self->admin_email = get_string(source, "ADMIN_EMAIL", NULL);
	self->admin_password = get_string(source, "ADMIN_PASSWORD", NULL);
	if ((self->admin_email == NULL) != (self->admin_password == NULL)) {
		g_set_error_literal(error,
				    VF_ERROR,
				    VF_ERROR_INVALID_INPUT,
				    self->admin_email == NULL
					? "ADMIN_EMAIL: must be set together with ADMIN_PASSWORD"
					: "ADMIN_PASSWORD: must be set together with ADMIN_EMAIL");
		return FALSE;
	}

	if (!get_duration(
		source, "ACCESS_TOKEN_LIFETIME", 5 * 3600, &self->access_token_lifetime_s, error) ||
	    !get_duration(
		source, "REFRESH_TOKEN_LIFETIME", 86400, &self->refresh_token_lifetime_s, error) ||
	    !get_duration(source,
			  "ACTIVATION_TOKEN_LIFETIME",
			  86400,
			  &self->activation_token_lifetime_s,
			  error) ||
	    !get_duration(
		source, "PASSWORD_RESET_TIMEOUT", 3 * 3600, &self->password_reset_timeout_s, error))
		return FALSE;
	if (!get_int(source, "PASSWORD_MIN_LENGTH", 8, 1, 1024, &number, error))
		return FALSE;
	self->password_min_length = (gint)number;
	if (!get_int(source, "PASSWORD_HASH_CONCURRENCY", 0, 0, 64, &number, error))
		return FALSE;
	self->password_hash_concurrency = number > 0 ? (gint)number : (gint)g_get_num_processors();

	if (!get_rate_limit(source,
			    "LOGIN_FAILURES_PER_ACCOUNT",
			    10,
			    15 * 60,
			    &self->login_failures_per_account,
			    error) ||
	    !get_rate_limit(source,
			    "LOGIN_FAILURES_PER_CLIENT",
			    100,
			    15 * 60,
			    &self->login_failures_per_client,
			    error) ||
	    !get_rate_limit(
		source, "REGISTER_PER_CLIENT", 20, 3600, &self->register_per_client, error) ||
	    !get_rate_limit(
		source, "RESET_PER_ACCOUNT", 3, 3600, &self->reset_per_account, error) ||
	    !get_rate_limit(source, "RESET_PER_CLIENT", 20, 3600, &self->reset_per_client, error))
		return FALSE;
	self->trusted_proxies = get_list(source, "TRUSTED_PROXIES", "");
	for (guint i = 0; self->trusted_proxies[i] != NULL; i++) {
		if (!g_hostname_is_ip_address(self->trusted_proxies[i])) {
			g_set_error(error,
				    VF_ERROR,
				    VF_ERROR_INVALID_INPUT,
				    "TRUSTED_PROXIES: \"%s\" is not an IP address",
				    self->trusted_proxies[i]);
			return FALSE;
		}
	}
	if (!load_import_dirs(self, source, error))
		return FALSE;
	self->dbus = get_string(source, "DBUS", NULL);
	if (self->dbus != NULL && g_strcmp0(self->dbus, "system") != 0 &&
	    g_strcmp0(self->dbus, "session") != 0 && g_strcmp0(self->dbus, "none") != 0) {
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_INVALID_INPUT,
			    "DBUS: expected system, session or none, got \"%s\"",
			    self->dbus);
		return FALSE;
	}
	return TRUE;
}

VfConfig *
vf_config_load(const gchar *env_file, gchar **environ, GError **error)
{
	g_autoptr(VfConfig) self = g_new0(VfConfig, 1);
	g_autoptr(GHashTable) values =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	Source source = {values};

	if (env_file != NULL && !parse_env_file(values, env_file, error))
		return NULL;
	for (guint i = 0; environ != NULL && environ[i] != NULL; i++) {
		const gchar *eq = strchr(environ[i], '=');
		if (eq == NULL)
			continue;
		g_hash_table_replace(
		    values, g_strndup(environ[i], eq - environ[i]), g_strdup(eq + 1));
	}
	if (!load_from_source(self, &source, error))
		return NULL;
	return g_steal_pointer(&self);
}

VfConfig *
vf_config_new_defaults(void)
{
	g_autoptr(GError) error = NULL;
	const gchar *environ[] = {"DEBUG=true", NULL};
	VfConfig *self = vf_config_load(NULL, (gchar **)environ, &error);
	g_assert_no_error(error);
	return self;
}

void
vf_config_free(VfConfig *self)
{
	if (self == NULL)
		return;
	g_free(self->secret_key);
	g_strfreev(self->allowed_hosts);
	g_free(self->db_name);
	g_free(self->db_user);
	g_free(self->db_password);
	g_free(self->db_host);
	g_free(self->db_port);
	g_free(self->email_backend);
	g_free(self->email_host);
	g_free(self->email_host_user);
	g_free(self->email_host_password);
	g_free(self->default_from_email);
	g_free(self->mail_dir);
	g_free(self->frontend_url);
	g_strfreev(self->cors_allowed_origins);
	g_free(self->listen);
	g_free(self->public_url);
	g_free(self->media_root);
	g_free(self->worker_path);
	g_free(self->nats_url);
	g_free(self->ladder_file);
	g_free(self->admin_email);
	g_free(self->admin_password);
	g_strfreev(self->trusted_proxies);
	g_strfreev(self->import_dirs);
	g_free(self->dbus);
	g_free(self);
}
