/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfHttpRequest: the context of one request as it passes the layers and reaches
 * its handler (message, route parameters, client, user, request id, cancellable).
 * Main thread only; handlers that go async keep a reference until they answer.
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "vf-http-multipart.h"

G_BEGIN_DECLS

typedef struct _VfHttpRequest VfHttpRequest;
typedef struct _VfHttpServer VfHttpServer;

typedef enum {
	VF_HTTP_AUTH_NONE,
	VF_HTTP_AUTH_COOKIE,
	VF_HTTP_AUTH_BEARER,
} VfHttpAuthMethod;

VfHttpRequest *vf_http_request_ref(VfHttpRequest *self);
void vf_http_request_unref(VfHttpRequest *self);

SoupServerMessage *vf_http_request_get_message(VfHttpRequest *self);
VfHttpServer *vf_http_request_get_server(VfHttpRequest *self);
const gchar *vf_http_request_get_id(VfHttpRequest *self);
const gchar *vf_http_request_get_param(VfHttpRequest *self, const gchar *name);
const gchar *vf_http_request_get_client(VfHttpRequest *self);
GCancellable *vf_http_request_get_cancellable(VfHttpRequest *self);
/* the request's JSON object body (an empty object when there was no body) */
JsonObject *vf_http_request_get_json(VfHttpRequest *self);
/* upload routes: the parsed multipart body (its files are removed with the request
 * unless stolen), or NULL when the body was JSON */
VfHttpMultipart *vf_http_request_get_multipart(VfHttpRequest *self);
/* a cookie of the request, or NULL */
const gchar *vf_http_request_get_cookie(VfHttpRequest *self, const gchar *name);

gint64 vf_http_request_get_user_id(VfHttpRequest *self);
gboolean vf_http_request_get_is_admin(VfHttpRequest *self);
VfHttpAuthMethod vf_http_request_get_auth_method(VfHttpRequest *self);

/* answering; each sets status and body, and resumes a paused message */
void vf_http_request_respond_json(VfHttpRequest *self, guint status, JsonNode *body);
void vf_http_request_respond_detail(VfHttpRequest *self, guint status, const gchar *detail);
/* maps VF_ERROR codes to statuses; 5xx bodies never echo internal messages */
void vf_http_request_respond_error(VfHttpRequest *self, const GError *error);
void vf_http_request_respond_bytes(VfHttpRequest *self,
				   guint status,
				   const gchar *content_type,
				   GBytes *body);

/* Set-Cookie with Path=/ and SameSite=Lax, HttpOnly when asked, Secure as configured;
 * max_age 0 deletes the cookie */
void vf_http_request_set_cookie(
    VfHttpRequest *self, const gchar *name, const gchar *value, gint64 max_age, gboolean http_only);

/* for async handlers: pause before going off the loop (respond_* unpauses) */
void vf_http_request_pause(VfHttpRequest *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfHttpRequest, vf_http_request_unref)

G_END_DECLS
