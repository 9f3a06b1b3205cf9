/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The catalog's JSON views. `category` is always a string and `thumbnail_url` an
 * absolute URL from PUBLIC_URL, because the frontend relies on both.
 */
#include "config.h"

#include "vf-http-views.h"

#include <string.h>

#include "vf-http-server.h"

static void
add_nullable_string(JsonBuilder *builder, const gchar *name, const gchar *value)
{
	json_builder_set_member_name(builder, name);
	if (value != NULL)
		json_builder_add_string_value(builder, value);
	else
		json_builder_add_null_value(builder);
}

JsonNode *
vf_http_views_video(const VfCatalogVideo *video, const gchar *public_url, gboolean detail)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autofree gchar *thumbnail_url = NULL;

	if (video->thumbnail != NULL) {
		g_autofree gchar *escaped = g_uri_escape_string(video->thumbnail, NULL, FALSE);
		thumbnail_url = g_strdup_printf("%s/media/thumbnails/%s", public_url, escaped);
	}
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "id");
	json_builder_add_int_value(builder, video->id);
	add_nullable_string(builder, "created_at", video->created_at);
	json_builder_set_member_name(builder, "title");
	json_builder_add_string_value(builder, video->title != NULL ? video->title : "");
	json_builder_set_member_name(builder, "description");
	json_builder_add_string_value(builder,
				      video->description != NULL ? video->description : "");
	add_nullable_string(builder, "thumbnail_url", thumbnail_url);
	json_builder_set_member_name(builder, "category");
	json_builder_add_string_value(builder, video->category != NULL ? video->category : "");
	add_nullable_string(builder, "status", video->status);
	json_builder_set_member_name(builder, "duration");
	if (video->duration >= 0)
		json_builder_add_double_value(builder, video->duration);
	else
		json_builder_add_null_value(builder);
	json_builder_set_member_name(builder, "resolutions");
	json_builder_begin_array(builder);
	for (guint i = 0; video->resolutions != NULL && video->resolutions[i] != NULL; i++)
		json_builder_add_string_value(builder, video->resolutions[i]);
	json_builder_end_array(builder);
	if (detail) {
		json_builder_set_member_name(builder, "progress");
		json_builder_add_double_value(builder, video->progress);
		add_nullable_string(builder, "error", video->error);
	}
	json_builder_end_object(builder);
	return json_builder_get_root(builder);
}

JsonNode *
vf_http_views_job(const VfCatalogJob *job)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();

	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "id");
	json_builder_add_int_value(builder, job->id);
	json_builder_set_member_name(builder, "video_id");
	json_builder_add_int_value(builder, job->video_id);
	json_builder_set_member_name(builder, "generation");
	json_builder_add_int_value(builder, job->generation);
	add_nullable_string(builder, "state", job->state);
	json_builder_set_member_name(builder, "attempt");
	json_builder_add_int_value(builder, job->attempt);
	add_nullable_string(builder, "node", job->node);
	json_builder_set_member_name(builder, "progress");
	json_builder_add_double_value(builder, job->progress);
	add_nullable_string(builder, "created_at", job->created_at);
	add_nullable_string(builder, "started_at", job->started_at);
	add_nullable_string(builder, "finished_at", job->finished_at);
	add_nullable_string(builder, "error", job->error);
	json_builder_end_object(builder);
	return json_builder_get_root(builder);
}

static void
append_json_string(GString *out, const gchar *value)
{
	if (value == NULL) {
		g_string_append(out, "null");
		return;
	}
	g_string_append_c(out, '"');
	for (const guchar *p = (const guchar *)value; *p != '\0'; p++) {
		switch (*p) {
		case '"':
			g_string_append(out, "\\\"");
			break;
		case '\\':
			g_string_append(out, "\\\\");
			break;
		case '\n':
			g_string_append(out, "\\n");
			break;
		case '\r':
			g_string_append(out, "\\r");
			break;
		case '\t':
			g_string_append(out, "\\t");
			break;
		default:
			if (*p < 0x20)
				g_string_append_printf(out, "\\u%04x", *p);
			else
				g_string_append_c(out, (gchar)*p);
		}
	}
	g_string_append_c(out, '"');
}

static void
append_json_double(GString *out, gdouble value)
{
	gchar buffer[G_ASCII_DTOSTR_BUF_SIZE];

	if (value == (gdouble)(gint64)value && value < 1e15 && value > -1e15)
		g_string_append_printf(out, "%" G_GINT64_FORMAT ".0", (gint64)value);
	else
		g_string_append(out, g_ascii_dtostr(buffer, sizeof buffer, value));
}

void
vf_http_views_append_video(GString *out,
			   const VfCatalogVideo *video,
			   const gchar *public_url,
			   gboolean detail)
{
	g_string_append_printf(out, "{\"id\":%" G_GINT64_FORMAT ",\"created_at\":", video->id);
	append_json_string(out, video->created_at);
	g_string_append(out, ",\"title\":");
	append_json_string(out, video->title != NULL ? video->title : "");
	g_string_append(out, ",\"description\":");
	append_json_string(out, video->description != NULL ? video->description : "");
	g_string_append(out, ",\"thumbnail_url\":");
	if (video->thumbnail != NULL) {
		g_autofree gchar *escaped = g_uri_escape_string(video->thumbnail, NULL, FALSE);
		g_autofree gchar *url =
		    g_strdup_printf("%s/media/thumbnails/%s", public_url, escaped);
		append_json_string(out, url);
	} else {
		g_string_append(out, "null");
	}
	g_string_append(out, ",\"category\":");
	append_json_string(out, video->category != NULL ? video->category : "");
	g_string_append(out, ",\"status\":");
	append_json_string(out, video->status);
	g_string_append(out, ",\"duration\":");
	if (video->duration >= 0)
		append_json_double(out, video->duration);
	else
		g_string_append(out, "null");
	g_string_append(out, ",\"resolutions\":[");
	for (guint i = 0; video->resolutions != NULL && video->resolutions[i] != NULL; i++) {
		if (i > 0)
			g_string_append_c(out, ',');
		append_json_string(out, video->resolutions[i]);
	}
	g_string_append_c(out, ']');
	if (detail) {
		g_string_append(out, ",\"progress\":");
		append_json_double(out, video->progress);
		g_string_append(out, ",\"error\":");
		append_json_string(out, video->error);
	}
	g_string_append_c(out, '}');
}

gboolean
vf_http_views_parse_id(const gchar *text, gint64 *id)
{
	guint64 value = 0;

	if (text == NULL || *text == '\0' || strlen(text) > 18 || *text == '0')
		return FALSE;
	for (const gchar *p = text; *p != '\0'; p++) {
		if (!g_ascii_isdigit(*p))
			return FALSE;
		value = value * 10 + (guint64)(*p - '0');
	}
	*id = (gint64)value;
	return TRUE;
}

VfCatalogService *
vf_http_views_get_catalog(VfHttpRequest *request)
{
	VfCatalogService *catalog = vf_http_server_get_catalog(vf_http_request_get_server(request));

	if (catalog == NULL)
		vf_http_request_respond_detail(
		    request, 503, "Service temporarily unavailable, try again later.");
	return catalog;
}
