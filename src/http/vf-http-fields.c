/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Typed access to JSON body fields with DRF's messages. Main thread.
 */
#include "config.h"

#include "vf-http-fields.h"

static gboolean
is_blank(const gchar *value)
{
	for (; value != NULL && *value != '\0'; value++) {
		if (!g_ascii_isspace(*value))
			return FALSE;
	}
	return TRUE;
}

const gchar *
vf_http_fields_get_string(VfHttpRequest *request, const gchar *name, VfFieldErrors *errors)
{
	JsonNode *node = json_object_get_member(vf_http_request_get_json(request), name);
	const gchar *value;

	if (node == NULL)
		return NULL;
	if (JSON_NODE_HOLDS_NULL(node)) {
		vf_field_errors_add(errors, name, "This field may not be null.");
		return NULL;
	}
	if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING) {
		vf_field_errors_add(errors, name, "Not a valid string.");
		return NULL;
	}
	value = json_node_get_string(node);
	if (is_blank(value)) {
		vf_field_errors_add(errors, name, "This field may not be blank.");
		return NULL;
	}
	return value;
}

void
vf_http_fields_respond(VfHttpRequest *request, VfFieldErrors *errors)
{
	g_autoptr(JsonNode) body = vf_field_errors_to_json(errors);
	vf_http_request_respond_json(request, 400, body);
}
