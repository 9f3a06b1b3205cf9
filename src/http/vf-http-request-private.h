/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The parts of VfHttpRequest that only the server and its layers set.
 */
#pragma once

#include "vf-http-multipart.h"
#include "vf-http-request.h"
#include "vf-http-router.h"

G_BEGIN_DECLS

struct _VfHttpRequest {
	gint ref_count;
	SoupServerMessage *msg;
	VfHttpServer *server; /* borrowed; outlives every request */
	const VfHttpRoute *route;
	GHashTable *params; /* name → value */
	gchar *id;
	gchar *client;
	GCancellable *cancellable;
	gint64 start_us;
	JsonNode *json;
	GHashTable *cookies; /* name → value, parsed on first use */
	gint64 user_id;
	gboolean is_admin;
	VfHttpAuthMethod auth_method;
	gboolean paused;
	gboolean answered;
	gboolean finished;	/* the message is done: answers are dropped */
	gchar *upload_boundary; /* of a multipart upload body */
	guint next_layer;
	/* upload routes with a multipart body */
	gboolean multipart_body;
	VfHttpMultipart *multipart; /* NULL when the body is refused or not kept */
	GError *upload_error;	    /* why the body cannot be used (answered after auth) */
	guint64 body_bytes;
};

VfHttpRequest *
vf_http_request_new(VfHttpServer *server, SoupServerMessage *msg, const gchar *client);
void vf_http_request_set_route(VfHttpRequest *self, const VfHttpRoute *route, GHashTable *params);
void vf_http_request_set_json(VfHttpRequest *self, JsonNode *json);
void vf_http_request_set_user(VfHttpRequest *self,
			      gint64 user_id,
			      gboolean is_admin,
			      VfHttpAuthMethod method);

G_END_DECLS
