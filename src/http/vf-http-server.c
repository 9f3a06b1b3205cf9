/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The request path: an early handler (headers only) creates the VfHttpRequest,
 * applies CORS, matches the route and enforces the body limit while the body
 * streams in; the normal handler then answers preflights, 404 and 405, runs the
 * route's layers and its handler. One access-log record per finished request.
 */
#include "config.h"

#include "vf-http-server.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "vf-error.h"
#include "vf-http-handlers.h"
#include "vf-http-layers.h"
#include "vf-http-request-private.h"
#include "vf-http-routes.h"

#define REQUEST_KEY    "vf-http-request"
#define LISTEN_BACKLOG 1024
#define MAX_FORM_FIELD (64 * 1024) /* one text field of a multipart body */

struct _VfHttpServer {
	GObject parent_instance;
	const VfConfig *config;
	VfDbPool *pool;
	VfAccountsService *accounts;
	SoupServer *soup;
	VfHttpRouter *router;
	VfHttpRateLimiter *rate_limiter;
	VfHttpMetrics *metrics;
	VfCatalogService *catalog; /* or NULL until set */
	guint16 port;
};

G_DEFINE_TYPE(VfHttpServer, vf_http_server, G_TYPE_OBJECT)

typedef gboolean (*VfHttpLayer)(VfHttpRequest *request);

/* in order; each decides from the route's flags whether it applies */
static const VfHttpLayer layers[] = {
    vf_http_layer_json,
    vf_http_layer_rate,
    vf_http_layer_auth,
    vf_http_layer_csrf,
    vf_http_layer_upload,
};

void
vf_http_server_continue(VfHttpRequest *request)
{
	while (request->next_layer < G_N_ELEMENTS(layers)) {
		VfHttpLayer layer = layers[request->next_layer++];
		if (!layer(request))
			return;
	}
	request->route->handler(request);
}

static guint64
response_bytes(SoupServerMessage *msg)
{
	SoupMessageHeaders *headers = soup_server_message_get_response_headers(msg);

	if (g_strcmp0(soup_server_message_get_method(msg), "HEAD") == 0)
		return 0;
	if (soup_message_headers_get_encoding(headers) == SOUP_ENCODING_CONTENT_LENGTH)
		return (guint64)soup_message_headers_get_content_length(headers);
	return (guint64)soup_server_message_get_response_body(msg)->length;
}

/* a fixed set, so that made-up methods cannot add metric series */
static const gchar *
method_label(SoupServerMessage *msg)
{
	const gchar *known[] = {"GET", "HEAD", "POST", "PATCH", "PUT", "DELETE", "OPTIONS"};
	const gchar *method = soup_server_message_get_method(msg);

	for (guint i = 0; i < G_N_ELEMENTS(known); i++) {
		if (g_strcmp0(method, known[i]) == 0)
			return known[i];
	}
	return "other";
}

/* 499, as nginx logs it, for a client that went away before the answer was sent */
#define STATUS_CLIENT_GONE 499

static void
log_request(SoupServerMessage *msg, gboolean aborted)
{
	VfHttpRequest *request = g_object_get_data(G_OBJECT(msg), REQUEST_KEY);
	g_autofree gchar *status = NULL;
	g_autofree gchar *duration = NULL;
	guint code;

	if (request == NULL)
		return;
	code = aborted ? STATUS_CLIENT_GONE : soup_server_message_get_status(msg);
	vf_http_metrics_observe_request(vf_http_server_get_metrics(request->server),
					method_label(msg),
					request->route != NULL ? request->route->pattern : NULL,
					code,
					(gdouble)(g_get_monotonic_time() - request->start_us) /
					    G_USEC_PER_SEC,
					response_bytes(msg));
	status = g_strdup_printf("%u", code);
	duration = g_strdup_printf("%" G_GINT64_FORMAT, g_get_monotonic_time() - request->start_us);
	g_log_structured(G_LOG_DOMAIN,
			 G_LOG_LEVEL_INFO,
			 "MESSAGE",
			 "%s %s %s %s %s µs",
			 method_label(msg),
			 request->route != NULL ? request->route->pattern : "-",
			 status,
			 request->client,
			 duration,
			 "REQUEST_ID",
			 request->id,
			 "METHOD",
			 method_label(msg),
			 "ROUTE",
			 request->route != NULL ? request->route->pattern : "-",
			 "STATUS",
			 status,
			 "DURATION_US",
			 duration);
	/* nothing of the request is needed any more: let running work see it, and break
	 * the message ↔ request reference cycle (late async answers are dropped) */
	request->finished = TRUE;
	g_cancellable_cancel(request->cancellable);
	g_object_set_data(G_OBJECT(msg), REQUEST_KEY, NULL);
}

static void
request_finished_cb(SoupServer *soup, SoupServerMessage *msg, gpointer user_data)
{
	log_request(msg, FALSE);
}

/* the client went away or the answer could not be written: stop the work, and
 * log the request as such */
static void
request_aborted_cb(SoupServer *soup, SoupServerMessage *msg, gpointer user_data)
{
	log_request(msg, TRUE);
}

static void
refuse_too_large(VfHttpRequest *request)
{
	/* stop buffering: libsoup reads and drops the rest, then answers */
	soup_message_body_set_accumulate(soup_server_message_get_request_body(request->msg), FALSE);
	if (!request->answered)
		vf_http_request_respond_detail(request, 413, "Request body is too large.");
}

static void
got_chunk_cb(SoupServerMessage *msg, GBytes *chunk, gpointer user_data)
{
	VfHttpRequest *request = g_object_get_data(G_OBJECT(msg), REQUEST_KEY);
	SoupMessageBody *body = soup_server_message_get_request_body(msg);
	const VfConfig *config = vf_http_server_get_config(request->server);

	if (body->length > config->max_body_size)
		refuse_too_large(request);
}

static void
upload_chunk_cb(SoupServerMessage *msg, GBytes *chunk, gpointer user_data)
{
	VfHttpRequest *request = g_object_get_data(G_OBJECT(msg), REQUEST_KEY);
	const VfConfig *config;
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(chunk, &len);

	if (request == NULL || request->answered)
		return;
	config = vf_http_server_get_config(request->server);
	request->body_bytes += len;
	if (request->body_bytes > (guint64)config->max_upload_size) {
		/* the files written so far go at once */
		g_clear_pointer(&request->multipart, vf_http_multipart_free);
		refuse_too_large(request);
		return;
	}
	if (request->multipart == NULL)
		return;
	if (!vf_http_multipart_feed(request->multipart, data, len, &request->upload_error))
		g_clear_pointer(&request->multipart, vf_http_multipart_free);
}

/* the parser that streams the body's files into MEDIA_ROOT/tmp */
static void
open_upload(VfHttpRequest *request)
{
	const VfConfig *config = vf_http_server_get_config(request->server);
	g_autofree gchar *tmp = g_build_filename(config->media_root, "tmp", NULL);

	if (g_mkdir_with_parents(tmp, 0700) != 0) {
		g_set_error(&request->upload_error,
			    VF_ERROR,
			    VF_ERROR_INTERNAL,
			    "cannot create %s: %s",
			    tmp,
			    g_strerror(errno));
		return;
	}
	request->multipart = vf_http_multipart_new(request->upload_boundary, tmp, MAX_FORM_FIELD);
}

static void
upload_state_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(VfHttpRequest) request = user_data;
	VfAccountsUserState state;

	/* the cache now holds the state: the auth layer decides with it later */
	if (vf_accounts_service_get_user_state_finish(
		VF_ACCOUNTS_SERVICE(source), result, &state, NULL) &&
	    state.exists && state.is_active && state.is_admin && !request->finished)
		open_upload(request);
	if (request->paused && !request->finished) {
		request->paused = FALSE;
		soup_server_message_unpause(request->msg);
	}
}

/* an upload route's body: multipart is streamed to files in MEDIA_ROOT/tmp, but only
 * when the request may be an admin's (else it is read and dropped before the auth
 * layer answers); anything else is taken as a JSON body under MAX_BODY_SIZE */
static gboolean
start_upload(VfHttpServer *self, VfHttpRequest *request)
{
	SoupServerMessage *msg = request->msg;
	SoupMessageHeaders *headers = soup_server_message_get_request_headers(msg);
	const gchar *content_type = soup_message_headers_get_one(headers, "Content-Type");
	gint64 user_id = 0;
	goffset length;

	if (content_type == NULL ||
	    g_ascii_strncasecmp(content_type, "multipart/", strlen("multipart/")) != 0)
		return FALSE;
	request->multipart_body = TRUE;
	soup_message_body_set_accumulate(soup_server_message_get_request_body(msg), FALSE);
	length = soup_message_headers_get_content_length(headers);
	if (soup_message_headers_get_encoding(headers) == SOUP_ENCODING_CONTENT_LENGTH &&
	    length > self->config->max_upload_size) {
		refuse_too_large(request);
		return TRUE;
	}
	g_signal_connect(msg, "got-chunk", G_CALLBACK(upload_chunk_cb), NULL);
	request->upload_boundary =
	    vf_http_multipart_parse_boundary(content_type, &request->upload_error);
	if (request->upload_boundary == NULL)
		return TRUE;
	switch (vf_http_auth_precheck(request, &user_id)) {
	case VF_HTTP_PRECHECK_ALLOW:
		open_upload(request);
		break;
	case VF_HTTP_PRECHECK_UNKNOWN:
		/* nothing is read until we know whether this user may upload at all */
		vf_http_request_pause(request);
		vf_accounts_service_get_user_state_async(self->accounts,
							 user_id,
							 request->cancellable,
							 upload_state_cb,
							 vf_http_request_ref(request));
		break;
	case VF_HTTP_PRECHECK_DENY:
	default:
		break;
	}
	return TRUE;
}

static void
early_handler_cb(SoupServer *soup,
		 SoupServerMessage *msg,
		 const char *path,
		 GHashTable *query,
		 gpointer user_data)
{
	VfHttpServer *self = VF_HTTP_SERVER(user_data);
	SoupMessageHeaders *headers = soup_server_message_get_request_headers(msg);
	g_autofree gchar *client = vf_http_client_address(msg, self->config->trusted_proxies);
	VfHttpRequest *request = vf_http_request_new(self, msg, client);
	SoupEncoding encoding;
	const VfHttpRoute *route;
	GHashTable *params = NULL;
	g_autofree gchar *allow = NULL;
	goffset length;

	g_object_set_data_full(
	    G_OBJECT(msg), REQUEST_KEY, request, (GDestroyNotify)vf_http_request_unref);
	soup_message_headers_replace(
	    soup_server_message_get_response_headers(msg), "X-Request-Id", request->id);
	vf_http_cors_apply(request);

	route = vf_http_router_match(self->router,
				     soup_server_message_get_method(msg),
				     g_uri_get_path(soup_server_message_get_uri(msg)),
				     &params,
				     &allow);
	if (route != NULL) {
		vf_http_request_set_route(request, route, params);
		if ((route->flags & VF_HTTP_ROUTE_UPLOAD) != 0 && start_upload(self, request))
			return;
	}

	encoding = soup_message_headers_get_encoding(headers);
	length = soup_message_headers_get_content_length(headers);
	if (encoding == SOUP_ENCODING_CONTENT_LENGTH) {
		if (length > self->config->max_body_size) {
			refuse_too_large(request);
			return;
		}
		/* a declared length within the limit cannot grow past it */
		return;
	}
	if (encoding != SOUP_ENCODING_NONE)
		g_signal_connect(msg, "got-chunk", G_CALLBACK(got_chunk_cb), NULL);
}

static void
handler_cb(SoupServer *soup,
	   SoupServerMessage *msg,
	   const char *path,
	   GHashTable *query,
	   gpointer user_data)
{
	VfHttpServer *self = VF_HTTP_SERVER(user_data);
	VfHttpRequest *request = g_object_get_data(G_OBJECT(msg), REQUEST_KEY);
	const VfHttpRoute *route;
	GHashTable *params = NULL;
	g_autofree gchar *allow = NULL;
	const gchar *raw_path = g_uri_get_path(soup_server_message_get_uri(msg));

	if (request == NULL || request->answered)
		return;
	if (vf_http_cors_is_preflight(request)) {
		vf_http_request_respond_bytes(request, 204, NULL, NULL);
		return;
	}
	/* matched at headers time already: only 404 and 405 need the router again */
	if (request->route != NULL) {
		vf_http_server_continue(request);
		return;
	}
	route = vf_http_router_match(
	    self->router, soup_server_message_get_method(msg), raw_path, &params, &allow);
	if (route == NULL) {
		if (allow != NULL) {
			g_autofree gchar *detail = g_strdup_printf(
			    "Method \"%s\" not allowed.", soup_server_message_get_method(msg));
			soup_message_headers_replace(
			    soup_server_message_get_response_headers(msg), "Allow", allow);
			vf_http_request_respond_detail(request, 405, detail);
		} else {
			vf_http_request_respond_detail(request, 404, "Not found.");
		}
		return;
	}
	vf_http_request_set_route(request, route, params);
	vf_http_server_continue(request);
}

static void
vf_http_server_dispose(GObject *object)
{
	VfHttpServer *self = VF_HTTP_SERVER(object);

	if (self->soup != NULL)
		soup_server_disconnect(self->soup);
	g_clear_object(&self->soup);
	g_clear_object(&self->accounts);
	g_clear_object(&self->catalog);
	g_clear_object(&self->pool);
	G_OBJECT_CLASS(vf_http_server_parent_class)->dispose(object);
}

static void
vf_http_server_finalize(GObject *object)
{
	VfHttpServer *self = VF_HTTP_SERVER(object);

	vf_http_router_free(self->router);
	vf_http_rate_limiter_free(self->rate_limiter);
	vf_http_metrics_free(self->metrics);
	G_OBJECT_CLASS(vf_http_server_parent_class)->finalize(object);
}

static void
vf_http_server_class_init(VfHttpServerClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->dispose = vf_http_server_dispose;
	object_class->finalize = vf_http_server_finalize;
}

static void
vf_http_server_init(VfHttpServer *self)
{
}

VfHttpServer *
vf_http_server_new(const VfConfig *config, VfDbPool *pool, VfAccountsService *accounts)
{
	VfHttpServer *self = g_object_new(VF_TYPE_HTTP_SERVER, NULL);
	const VfHttpRoute *routes;
	guint n_routes = 0;

	self->config = config;
	self->pool = g_object_ref(pool);
	self->accounts = g_object_ref(accounts);
	routes = vf_http_routes_get(&n_routes);
	self->router = vf_http_router_new(routes, n_routes);
	self->rate_limiter = vf_http_rate_limiter_new();
	self->metrics = vf_http_metrics_new();
	/* raw paths: the router decodes captures itself and refuses those that hide a '/';
	 * libsoup would answer 400 (not JSON) to "%2e%2e%2f" before any handler ran */
	self->soup = soup_server_new(
	    "server-header", "videoflixd/" PACKAGE_VERSION " ", "raw-paths", TRUE, NULL);
	soup_server_add_early_handler(self->soup, NULL, early_handler_cb, self, NULL);
	soup_server_add_handler(self->soup, NULL, handler_cb, self, NULL);
	g_signal_connect(self->soup, "request-finished", G_CALLBACK(request_finished_cb), self);
	g_signal_connect(self->soup, "request-aborted", G_CALLBACK(request_aborted_cb), self);
	return self;
}

gboolean
vf_http_server_listen(VfHttpServer *self, const gchar *address, GError **error)
{
	g_autoptr(GSocketConnectable) connectable = g_network_address_parse(address, 0, error);
	g_autoptr(GInetAddress) inet = NULL;
	g_autoptr(GSocketAddress) socket_address = NULL;
	g_autoptr(GSocketAddress) bound = NULL;
	g_autoptr(GSocket) socket = NULL;
	g_autoptr(GError) local_error = NULL;

	if (connectable == NULL)
		return FALSE;
	inet = g_inet_address_new_from_string(
	    g_network_address_get_hostname(G_NETWORK_ADDRESS(connectable)));
	if (inet == NULL) {
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_INVALID_INPUT,
			    "LISTEN: %s is not an IP address",
			    address);
		return FALSE;
	}
	socket_address = g_inet_socket_address_new(
	    inet, g_network_address_get_port(G_NETWORK_ADDRESS(connectable)));
	/* our own socket: GSocket's default backlog of 10 resets connections in bursts */
	socket = g_socket_new(g_inet_address_get_family(inet),
			      G_SOCKET_TYPE_STREAM,
			      G_SOCKET_PROTOCOL_TCP,
			      &local_error);
	if (socket != NULL) {
		g_socket_set_listen_backlog(socket, LISTEN_BACKLOG);
		if (!g_socket_bind(socket, socket_address, TRUE, &local_error) ||
		    !g_socket_listen(socket, &local_error) ||
		    !soup_server_listen_socket(self->soup, socket, 0, &local_error))
			g_clear_object(&socket);
	}
	if (socket == NULL) {
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_UNAVAILABLE,
			    "cannot listen on %s: %s",
			    address,
			    local_error->message);
		return FALSE;
	}
	bound = g_socket_get_local_address(socket, NULL);
	if (bound != NULL)
		self->port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
	return TRUE;
}

guint16
vf_http_server_get_port(VfHttpServer *self)
{
	return self->port;
}

void
vf_http_server_disconnect(VfHttpServer *self)
{
	soup_server_disconnect(self->soup);
}

const VfConfig *
vf_http_server_get_config(VfHttpServer *self)
{
	return self->config;
}

VfDbPool *
vf_http_server_get_pool(VfHttpServer *self)
{
	return self->pool;
}

VfAccountsService *
vf_http_server_get_accounts(VfHttpServer *self)
{
	return self->accounts;
}

VfHttpRateLimiter *
vf_http_server_get_rate_limiter(VfHttpServer *self)
{
	return self->rate_limiter;
}

VfHttpMetrics *
vf_http_server_get_metrics(VfHttpServer *self)
{
	return self->metrics;
}

void
vf_http_server_set_catalog(VfHttpServer *self, VfCatalogService *catalog)
{
	g_return_if_fail(self->catalog == NULL);
	if (catalog == NULL)
		return;
	self->catalog = g_object_ref(catalog);
	vf_http_metrics_add_collector(self->metrics,
				      vf_http_catalog_collect_metrics,
				      g_object_ref(self->catalog),
				      g_object_unref);
}

VfCatalogService *
vf_http_server_get_catalog(VfHttpServer *self)
{
	return self->catalog;
}
