/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The JSON layer: a route's body must be a JSON object (an empty body counts as
 * {}). json-glib has no depth limit and crashes on deep nesting, so the bracket
 * depth is checked before parsing; the body length is always passed so NUL bytes
 * are rejected rather than silently ending the text.
 */
#include "config.h"

#include <string.h>

#include "vf-http-layers.h"
#include "vf-http-server.h"
#include "vf-json.h"

static const gchar *
python_type_name(JsonNode *node)
{
	switch (json_node_get_node_type(node)) {
	case JSON_NODE_ARRAY:
		return "list";
	case JSON_NODE_NULL:
		return "NoneType";
	case JSON_NODE_VALUE:
		switch (json_node_get_value_type(node)) {
		case G_TYPE_STRING:
			return "str";
		case G_TYPE_BOOLEAN:
			return "bool";
		case G_TYPE_DOUBLE:
			return "float";
		default:
			return "int";
		}
	case JSON_NODE_OBJECT:
	default:
		return "dict";
	}
}

static gboolean
is_blank(const gchar *data, gsize len)
{
	for (gsize i = 0; i < len; i++) {
		if (!g_ascii_isspace(data[i]))
			return FALSE;
	}
	return TRUE;
}

static gboolean
is_json_content_type(const gchar *content_type)
{
	g_autofree gchar *lower = g_ascii_strdown(content_type, -1);
	return g_str_has_prefix(g_strstrip(lower), "application/json");
}

gboolean
vf_http_layer_json(VfHttpRequest *request)
{
	SoupMessageHeaders *headers = soup_server_message_get_request_headers(request->msg);
	SoupMessageBody *body = soup_server_message_get_request_body(request->msg);
	const gchar *content_type = soup_message_headers_get_one(headers, "Content-Type");
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(JsonParser) parser = NULL;
	g_autoptr(GError) error = NULL;
	const gchar *data;
	gsize len = 0;
	JsonNode *root;

	if ((request->route->flags & VF_HTTP_ROUTE_JSON_BODY) == 0 || request->multipart_body)
		return TRUE;
	bytes = soup_message_body_flatten(body);
	data = g_bytes_get_data(bytes, &len);
	if (is_blank(data, len)) {
		/* no body: every field is missing */
		return TRUE;
	}
	if (content_type != NULL && !is_json_content_type(content_type)) {
		g_autofree gchar *detail =
		    g_strdup_printf("Unsupported media type \"%s\" in request.", content_type);
		vf_http_request_respond_detail(request, 415, detail);
		return FALSE;
	}
	if (!vf_json_depth_ok(data, len, VF_JSON_MAX_DEPTH)) {
		vf_http_request_respond_detail(request, 400, "JSON parse error - nesting too deep");
		return FALSE;
	}
	parser = json_parser_new_immutable();
	if (!json_parser_load_from_data(parser, data, (gssize)len, &error)) {
		g_autofree gchar *detail = g_strdup_printf("JSON parse error - %s", error->message);
		vf_http_request_respond_detail(request, 400, detail);
		return FALSE;
	}
	root = json_parser_get_root(parser);
	if (root == NULL)
		return TRUE;
	if (!JSON_NODE_HOLDS_OBJECT(root)) {
		g_autoptr(JsonBuilder) builder = json_builder_new();
		g_autoptr(JsonNode) answer = NULL;
		g_autofree gchar *message = g_strdup_printf(
		    "Invalid data. Expected a dictionary, but got %s.", python_type_name(root));
		json_builder_begin_object(builder);
		json_builder_set_member_name(builder, "non_field_errors");
		json_builder_begin_array(builder);
		json_builder_add_string_value(builder, message);
		json_builder_end_array(builder);
		json_builder_end_object(builder);
		answer = json_builder_get_root(builder);
		vf_http_request_respond_json(request, 400, answer);
		return FALSE;
	}
	vf_http_request_set_json(request, json_node_copy(root));
	return TRUE;
}
