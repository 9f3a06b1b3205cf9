/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Segment-by-segment route matching. The table is small (tens of routes), so a
 * linear scan over pre-split patterns is simpler than a trie and fast enough.
 */
#include "config.h"

#include "vf-http-router.h"

#include <string.h>

typedef struct {
	const VfHttpRoute *route;
	gchar **segments; /* "{name}" for a capture */
} CompiledRoute;

struct _VfHttpRouter {
	GArray *routes; /* of CompiledRoute */
};

static gchar **
split_path(const gchar *path)
{
	g_autoptr(GStrvBuilder) builder = g_strv_builder_new();
	g_auto(GStrv) parts = g_strsplit(path, "/", -1);
	guint n = g_strv_length(parts);

	/* "/a/b/" → ["a", "b"]: the leading empty part and one trailing slash go */
	for (guint i = 1; i < n; i++) {
		if (i == n - 1 && parts[i][0] == '\0')
			break;
		g_strv_builder_add(builder, parts[i]);
	}
	return g_strv_builder_end(builder);
}

VfHttpRouter *
vf_http_router_new(const VfHttpRoute *routes, guint n_routes)
{
	VfHttpRouter *self = g_new0(VfHttpRouter, 1);

	self->routes = g_array_sized_new(FALSE, TRUE, sizeof(CompiledRoute), n_routes);
	for (guint i = 0; i < n_routes; i++) {
		CompiledRoute compiled = {&routes[i], split_path(routes[i].pattern)};
		g_array_append_val(self->routes, compiled);
	}
	return self;
}

void
vf_http_router_free(VfHttpRouter *self)
{
	if (self == NULL)
		return;
	for (guint i = 0; i < self->routes->len; i++)
		g_strfreev(g_array_index(self->routes, CompiledRoute, i).segments);
	g_array_unref(self->routes);
	g_free(self);
}

static gboolean
is_capture(const gchar *segment)
{
	return segment[0] == '{' && g_str_has_suffix(segment, "}");
}

static GHashTable *
match_segments(gchar **pattern, gchar **path)
{
	g_autoptr(GHashTable) params =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	guint i;

	for (i = 0; pattern[i] != NULL; i++) {
		g_autofree gchar *value = NULL;

		if (path[i] == NULL)
			return NULL;
		if (!is_capture(pattern[i])) {
			if (strcmp(pattern[i], path[i]) != 0)
				return NULL;
			continue;
		}
		/* a capture is one non-empty segment that decodes without '/' or NUL */
		value = g_uri_unescape_string(path[i], "/");
		if (value == NULL || *value == '\0')
			return NULL;
		g_hash_table_insert(params,
				    g_strndup(pattern[i] + 1, strlen(pattern[i]) - 2),
				    g_steal_pointer(&value));
	}
	if (path[i] != NULL)
		return NULL;
	return g_steal_pointer(&params);
}

static gboolean
method_matches(const gchar *route_method, const gchar *method)
{
	if (strcmp(route_method, method) == 0)
		return TRUE;
	return strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0;
}

const VfHttpRoute *
vf_http_router_match(VfHttpRouter *self,
		     const gchar *method,
		     const gchar *raw_path,
		     GHashTable **params,
		     gchar **allow)
{
	g_auto(GStrv) path = split_path(raw_path);
	g_autoptr(GString) methods = NULL;

	*params = NULL;
	*allow = NULL;
	if (raw_path[0] != '/' || strstr(raw_path, "//") != NULL)
		return NULL;
	for (guint i = 0; i < self->routes->len; i++) {
		CompiledRoute *compiled = &g_array_index(self->routes, CompiledRoute, i);
		g_autoptr(GHashTable) captured = match_segments(compiled->segments, path);

		if (captured == NULL)
			continue;
		if (method_matches(compiled->route->method, method)) {
			*params = g_steal_pointer(&captured);
			return compiled->route;
		}
		if (methods == NULL)
			methods = g_string_new(NULL);
		else
			g_string_append(methods, ", ");
		g_string_append(methods, compiled->route->method);
	}
	if (methods != NULL) {
		g_string_append(methods, ", OPTIONS");
		*allow = g_string_free(g_steal_pointer(&methods), FALSE);
	}
	return NULL;
}
