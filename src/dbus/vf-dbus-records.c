/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Records as dictionaries: every documented key is always present (strings are ""
 * rather than missing), so that clients need no special cases.
 */
#include "config.h"

#include "vf-dbus-records.h"

#include "vf-error.h"

static void
add_string(GVariantBuilder *builder, const gchar *key, const gchar *value)
{
	g_variant_builder_add(
	    builder, "{sv}", key, g_variant_new_string(value != NULL ? value : ""));
}

GVariant *
vf_dbus_records_video(const VfCatalogVideo *video, const gchar *public_url)
{
	GVariantBuilder builder;
	g_autofree gchar *thumbnail_url = NULL;
	const gchar *const empty[] = {NULL};

	if (video->thumbnail != NULL) {
		g_autofree gchar *escaped = g_uri_escape_string(video->thumbnail, NULL, FALSE);
		thumbnail_url = g_strdup_printf("%s/media/thumbnails/%s", public_url, escaped);
	}
	g_variant_builder_init(&builder, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&builder, "{sv}", "id", g_variant_new_int64(video->id));
	add_string(&builder, "title", video->title);
	add_string(&builder, "description", video->description);
	add_string(&builder, "category", video->category);
	add_string(&builder, "status", video->status);
	add_string(&builder, "created_at", video->created_at);
	g_variant_builder_add(&builder,
			      "{sv}",
			      "duration",
			      g_variant_new_double(video->duration >= 0 ? video->duration : -1.0));
	g_variant_builder_add(
	    &builder,
	    "{sv}",
	    "resolutions",
	    g_variant_new_strv(
		video->resolutions != NULL ? (const gchar *const *)video->resolutions : empty, -1));
	g_variant_builder_add(&builder, "{sv}", "progress", g_variant_new_double(video->progress));
	add_string(&builder, "thumbnail_url", thumbnail_url);
	add_string(&builder, "error", video->error);
	return g_variant_builder_end(&builder);
}

GVariant *
vf_dbus_records_job(const VfCatalogJob *job)
{
	GVariantBuilder builder;

	g_variant_builder_init(&builder, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&builder, "{sv}", "id", g_variant_new_int64(job->id));
	g_variant_builder_add(&builder, "{sv}", "video_id", g_variant_new_int64(job->video_id));
	add_string(&builder, "state", job->state);
	g_variant_builder_add(&builder, "{sv}", "attempt", g_variant_new_int32(job->attempt));
	add_string(&builder, "node", job->node);
	g_variant_builder_add(&builder, "{sv}", "progress", g_variant_new_double(job->progress));
	add_string(&builder, "created_at", job->created_at);
	add_string(&builder, "started_at", job->started_at);
	add_string(&builder, "finished_at", job->finished_at);
	add_string(&builder, "error", job->error);
	return g_variant_builder_end(&builder);
}

GVariant *
vf_dbus_records_user(const VfAccountsUserInfo *user)
{
	GVariantBuilder builder;

	g_variant_builder_init(&builder, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&builder, "{sv}", "id", g_variant_new_int64(user->id));
	add_string(&builder, "email", user->email);
	g_variant_builder_add(
	    &builder, "{sv}", "is_active", g_variant_new_boolean(user->is_active));
	g_variant_builder_add(&builder, "{sv}", "is_admin", g_variant_new_boolean(user->is_admin));
	add_string(&builder, "created_at", user->created_at);
	return g_variant_builder_end(&builder);
}

GVariant *
vf_dbus_records_videos(GPtrArray *videos, const gchar *public_url)
{
	GVariantBuilder builder;

	g_variant_builder_init(&builder, G_VARIANT_TYPE("aa{sv}"));
	for (guint i = 0; i < videos->len; i++)
		g_variant_builder_add_value(
		    &builder, vf_dbus_records_video(g_ptr_array_index(videos, i), public_url));
	return g_variant_builder_end(&builder);
}

GVariant *
vf_dbus_records_jobs(GPtrArray *jobs)
{
	GVariantBuilder builder;

	g_variant_builder_init(&builder, G_VARIANT_TYPE("aa{sv}"));
	for (guint i = 0; i < jobs->len; i++)
		g_variant_builder_add_value(&builder,
					    vf_dbus_records_job(g_ptr_array_index(jobs, i)));
	return g_variant_builder_end(&builder);
}

GVariant *
vf_dbus_records_users(GPtrArray *users)
{
	GVariantBuilder builder;

	g_variant_builder_init(&builder, G_VARIANT_TYPE("aa{sv}"));
	for (guint i = 0; i < users->len; i++)
		g_variant_builder_add_value(&builder,
					    vf_dbus_records_user(g_ptr_array_index(users, i)));
	return g_variant_builder_end(&builder);
}

gboolean
vf_dbus_records_parse_changes(GVariant *changes,
			      VfCatalogUpload *upload,
			      gchar **path,
			      GError **error)
{
	GVariantIter iter;
	const gchar *key;
	GVariant *value;

	g_variant_iter_init(&iter, changes);
	while (g_variant_iter_next(&iter, "{&sv}", &key, &value)) {
		g_autoptr(GVariant) owned = value;
		gchar **field = NULL;

		if (g_str_equal(key, "title"))
			field = &upload->title;
		else if (g_str_equal(key, "description"))
			field = &upload->description;
		else if (g_str_equal(key, "category"))
			field = &upload->category;
		else if (g_str_equal(key, "path"))
			field = path;
		if (field == NULL) {
			g_set_error(error,
				    VF_ERROR,
				    VF_ERROR_INVALID_INPUT,
				    "Unknown change “%s”: a video has title, description, category "
				    "and path.",
				    key);
			return FALSE;
		}
		if (!g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)) {
			g_set_error(error,
				    VF_ERROR,
				    VF_ERROR_INVALID_INPUT,
				    "The change “%s” must be a string (s), not of type %s.",
				    key,
				    g_variant_get_type_string(value));
			return FALSE;
		}
		g_free(*field);
		*field = g_variant_dup_string(value, NULL);
	}
	return TRUE;
}
