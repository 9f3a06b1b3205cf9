/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfConfig: the settings of videoflixd, read once at start from the environment and
 * an optional .env file (the environment wins), validated, then read-only and
 * shared by every thread. Names are those of the Django service it replaces.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
	gint count;	 /* 0 = limit off */
	gint64 window_s; /* fixed window length */
} VfRateLimit;

typedef struct {
	gchar *secret_key;
	gboolean debug;
	gchar **allowed_hosts;

	gchar *db_name;
	gchar *db_user;
	gchar *db_password;
	gchar *db_host;
	gchar *db_port;
	gint db_pool_size;

	gchar *email_backend; /* "smtp" or "file" */
	gchar *email_host;
	gint email_port;
	gchar *email_host_user;
	gchar *email_host_password;
	gboolean email_use_tls;
	gboolean email_use_ssl;
	gchar *default_from_email;
	gchar *mail_dir;

	gchar *frontend_url;
	gchar **cors_allowed_origins;
	gchar *listen; /* host:port */
	gchar *public_url;
	gchar *media_root;
	gchar *worker_path;	    /* the videoflix-worker executable */
	gchar *nats_url;	    /* NULL: jobs run in-process */
	gint transcode_concurrency; /* worker children at once */
	gchar *ladder_file;	    /* NULL: the worker's default ladder */
	gboolean cookie_secure;
	gint64 max_upload_size;
	gint64 max_body_size; /* JSON request bodies */

	gchar *admin_email;
	gchar *admin_password;

	gint64 access_token_lifetime_s;
	gint64 refresh_token_lifetime_s;
	gint64 activation_token_lifetime_s;
	gint64 password_reset_timeout_s;
	gint password_min_length;
	gint password_hash_concurrency;

	VfRateLimit login_failures_per_account;
	VfRateLimit login_failures_per_client;
	VfRateLimit register_per_client;
	VfRateLimit reset_per_account;
	VfRateLimit reset_per_client;
	gchar **trusted_proxies;

	gchar **import_dirs; /* folders AddVideo may read from (D-Bus); empty: none */
	gchar *dbus;	     /* "system", "session", "none", or NULL: by how we run */
} VfConfig;

VfConfig *vf_config_load(const gchar *env_file, gchar **environ, GError **error);
VfConfig *vf_config_new_defaults(void);
void vf_config_free(VfConfig *self);
gboolean vf_config_parse_duration(const gchar *text, gint64 *seconds);
gboolean vf_config_parse_boolean(const gchar *text, gboolean *value);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfConfig, vf_config_free)

G_END_DECLS
