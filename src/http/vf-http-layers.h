/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The layers in front of the handlers. Each returns TRUE to let the request go on,
 * FALSE when it answered or went async (then it calls vf_http_server_continue()).
 * Main thread only.
 */
#pragma once

#include "vf-http-request-private.h"

G_BEGIN_DECLS

/* run at headers time, for every request */
void vf_http_cors_apply(VfHttpRequest *request);
gboolean vf_http_cors_is_preflight(VfHttpRequest *request);

gboolean vf_http_layer_json(VfHttpRequest *request);
gboolean vf_http_layer_rate(VfHttpRequest *request);
gboolean vf_http_layer_auth(VfHttpRequest *request);
gboolean vf_http_layer_csrf(VfHttpRequest *request);
gboolean vf_http_layer_upload(VfHttpRequest *request);

/* at headers time, no I/O: whether the request carries an access token with a valid
 * signature (and, when the user is cached, of an admin for admin routes); decides
 * whether an upload's body is worth writing to disk before the auth layer runs */
/* before an upload body is read: ALLOW may be an admin's, DENY is not (the body is
 * dropped and the auth layer answers later), UNKNOWN needs the user's state looked
 * up first (*user_id says whose) */
typedef enum {
	VF_HTTP_PRECHECK_ALLOW,
	VF_HTTP_PRECHECK_DENY,
	VF_HTTP_PRECHECK_UNKNOWN,
} VfHttpPrecheck;
VfHttpPrecheck vf_http_auth_precheck(VfHttpRequest *request, gint64 *user_id);

/* the client address: the TCP peer, or the first untrusted X-Forwarded-For hop
 * when the peer is a trusted proxy */
gchar *vf_http_client_address(SoupServerMessage *msg, gchar **trusted_proxies);

/* 429 with Retry-After */
void vf_http_respond_rate_limited(VfHttpRequest *request, gint64 retry_after_s);

G_END_DECLS
