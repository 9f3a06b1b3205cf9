/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The depth pre-scan and a checked parse of a JSON object. Any thread.
 */
#include "config.h"

#include "vf-json.h"

#include "vf-error.h"

gboolean
vf_json_depth_ok(const gchar *data, gsize len, guint max_depth)
{
	guint depth = 0;
	gboolean in_string = FALSE;

	for (gsize i = 0; i < len; i++) {
		gchar c = data[i];
		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = FALSE;
			continue;
		}
		if (c == '"')
			in_string = TRUE;
		else if (c == '{' || c == '[') {
			if (++depth > max_depth)
				return FALSE;
		} else if ((c == '}' || c == ']') && depth > 0)
			depth--;
	}
	return TRUE;
}

JsonNode *
vf_json_parse_object(const gchar *data, gsize len, const gchar *what, GError **error)
{
	g_autoptr(JsonParser) parser = NULL;
	g_autoptr(GError) local = NULL;
	JsonNode *root;

	if (!vf_json_depth_ok(data, len, VF_JSON_MAX_DEPTH)) {
		g_set_error(error, VF_ERROR, VF_ERROR_INVALID_INPUT, "%s nests too deep", what);
		return NULL;
	}
	parser = json_parser_new();
	if (!json_parser_load_from_data(parser, data, (gssize)len, &local)) {
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_INVALID_INPUT,
			    "%s is not JSON: %s",
			    what,
			    local->message);
		return NULL;
	}
	/* an empty text parses to no root at all */
	root = json_parser_get_root(parser);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
		g_set_error(
		    error, VF_ERROR, VF_ERROR_INVALID_INPUT, "%s is not a JSON object", what);
		return NULL;
	}
	return json_node_ref(root);
}
