/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Parsing JSON from outside (request bodies, broker messages) the safe way for
 * json-glib 1.6 (PITFALLS.md §7): bounded nesting, explicit length, a root checked.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define VF_JSON_MAX_DEPTH 32

/* whether brackets outside strings nest at most max_depth deep: json-glib has no
 * depth limit and overflows the stack on deep nesting */
gboolean vf_json_depth_ok(const gchar *data, gsize len, guint max_depth);
/* the root of data if it is a JSON object nested at most VF_JSON_MAX_DEPTH deep,
 * else NULL with VF_ERROR_INVALID_INPUT naming what (of `what`) was wrong */
JsonNode *vf_json_parse_object(const gchar *data, gsize len, const gchar *what, GError **error);

G_END_DECLS
