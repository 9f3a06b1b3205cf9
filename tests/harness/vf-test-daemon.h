/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfTestDaemon: the whole API server in the test process (real PostgreSQL from
 * VfTestPostgres, real SMTP from VfTestSmtp, libsoup on a free loopback port) and
 * a synchronous HTTP client for it that iterates the main loop while it waits.
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "vf-catalog-service.h"
#include "vf-config.h"
#include "vf-dbus-admin.h"
#include "vf-http-server.h"
#include "vf-test-postgres.h"
#include "vf-test-smtp.h"

G_BEGIN_DECLS

typedef struct _VfTestDaemon VfTestDaemon;

typedef struct {
	guint status;
	SoupMessageHeaders *headers;
	GBytes *body;
	JsonNode *json; /* NULL when the body is not JSON */
} VfTestResponse;

void vf_test_response_free(VfTestResponse *response);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfTestResponse, vf_test_response_free)

/* the value of a Set-Cookie of the response, or NULL */
gchar *vf_test_response_dup_cookie(VfTestResponse *response, const gchar *name);
/* the whole Set-Cookie line for name, or NULL */
gchar *vf_test_response_dup_set_cookie(VfTestResponse *response, const gchar *name);
/* a string member of a JSON object body, or NULL */
const gchar *vf_test_response_get_string(VfTestResponse *response, const gchar *member);
/* the body as text (for messages) */
gchar *vf_test_response_dup_text(VfTestResponse *response);

/* extra_env: "NAME=value" strings over the test defaults (may be NULL); smtp may be
 * NULL (mail goes to files in the daemon's temp dir) */
VfTestDaemon *
vf_test_daemon_new(VfTestPostgres *pg, VfTestSmtp *smtp, const gchar *const *extra_env);
void vf_test_daemon_free(VfTestDaemon *self);
const VfConfig *vf_test_daemon_get_config(VfTestDaemon *self);
VfHttpServer *vf_test_daemon_get_server(VfTestDaemon *self);
VfCatalogService *vf_test_daemon_get_catalog(VfTestDaemon *self);
/* sets is_admin of that user (SQL quoting is the caller's business) */
void vf_test_daemon_make_admin(VfTestDaemon *self, const gchar *email);
VfJobQueue *vf_test_daemon_get_queue(VfTestDaemon *self);
VfAccountsService *vf_test_daemon_get_accounts(VfTestDaemon *self);
/* exports org.videoflix.Admin1 on connection as videoflixd does on its bus, asking
 * authority (NULL: only the test's own uid, as on a session bus); unexported and
 * freed with the daemon, or replaced by the next export */
VfDBusAdmin *vf_test_daemon_export_dbus(VfTestDaemon *self,
					GDBusConnection *connection,
					VfDBusAuthority *authority);
const gchar *vf_test_daemon_get_url(VfTestDaemon *self);
/* a connection string for checks made directly in the test's database */
const gchar *vf_test_daemon_get_conninfo(VfTestDaemon *self);

/* headers: NULL-terminated name, value pairs; body: raw bytes (may be NULL) */
VfTestResponse *vf_test_daemon_request(VfTestDaemon *self,
				       const gchar *method,
				       const gchar *path,
				       const gchar *const *headers,
				       const gchar *body,
				       gssize body_len);
/* shorthand: a JSON body with Content-Type application/json */
VfTestResponse *vf_test_daemon_post_json(VfTestDaemon *self,
					 const gchar *path,
					 const gchar *json,
					 const gchar *const *headers);

/* registers, activates (through the mailed link) and logs in; returns the login
 * response (cookies inside) */
VfTestResponse *
vf_test_daemon_create_user(VfTestDaemon *self, const gchar *email, const gchar *password);

/* a single-value query on the test database (blocking; tests only) */
gchar *vf_test_daemon_query(VfTestDaemon *self, const gchar *sql);

/* asserts a status, printing the body when it differs */
#define vf_test_assert_status(response, expected)                                                  \
	G_STMT_START                                                                               \
	{                                                                                          \
		if ((response)->status != (expected)) {                                            \
			g_autofree gchar *_text = vf_test_response_dup_text(response);             \
			g_printerr("unexpected body: %s\n", _text);                                \
		}                                                                                  \
		g_assert_cmpuint((response)->status, ==, (expected));                              \
	}                                                                                          \
	G_STMT_END

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfTestDaemon, vf_test_daemon_free)

G_END_DECLS
