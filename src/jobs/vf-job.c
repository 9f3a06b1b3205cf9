/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfJob: copying and the JSON form of a job (the message a remote queue carries).
 */
#include "config.h"

#include "vf-job.h"

#include "vf-error.h"

VfJob *
vf_job_new(void)
{
	return g_new0(VfJob, 1);
}

VfJob *
vf_job_copy(const VfJob *self)
{
	VfJob *copy = g_new0(VfJob, 1);

	*copy = *self;
	copy->source = g_strdup(self->source);
	copy->output = g_strdup(self->output);
	copy->thumbnail = g_strdup(self->thumbnail);
	copy->ladder_ini = g_strdup(self->ladder_ini);
	return copy;
}

void
vf_job_free(VfJob *self)
{
	if (self == NULL)
		return;
	g_free(self->source);
	g_free(self->output);
	g_free(self->thumbnail);
	g_free(self->ladder_ini);
	g_free(self);
}

JsonNode *
vf_job_to_json(const VfJob *self)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();

	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "job_id");
	json_builder_add_int_value(builder, self->job_id);
	json_builder_set_member_name(builder, "video_id");
	json_builder_add_int_value(builder, self->video_id);
	json_builder_set_member_name(builder, "source");
	json_builder_add_string_value(builder, self->source);
	json_builder_set_member_name(builder, "generation");
	json_builder_add_int_value(builder, self->generation);
	json_builder_set_member_name(builder, "output");
	json_builder_add_string_value(builder, self->output);
	if (self->thumbnail != NULL) {
		json_builder_set_member_name(builder, "thumbnail");
		json_builder_add_string_value(builder, self->thumbnail);
	}
	json_builder_set_member_name(builder, "attempt");
	json_builder_add_int_value(builder, self->attempt);
	json_builder_set_member_name(builder, "max_attempts");
	json_builder_add_int_value(builder, self->max_attempts);
	if (self->ladder_ini != NULL) {
		json_builder_set_member_name(builder, "ladder_ini");
		json_builder_add_string_value(builder, self->ladder_ini);
	}
	json_builder_end_object(builder);
	return json_builder_get_root(builder);
}

static gboolean
get_int(JsonObject *object, const gchar *name, gint64 *value)
{
	JsonNode *node = json_object_get_member(object, name);
	if (node == NULL || !JSON_NODE_HOLDS_VALUE(node) ||
	    json_node_get_value_type(node) != G_TYPE_INT64)
		return FALSE;
	*value = json_node_get_int(node);
	return TRUE;
}

static const gchar *
get_string(JsonObject *object, const gchar *name)
{
	JsonNode *node = json_object_get_member(object, name);
	if (node == NULL || !JSON_NODE_HOLDS_VALUE(node) ||
	    json_node_get_value_type(node) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(node);
}

VfJob *
vf_job_from_json(JsonNode *node, GError **error)
{
	g_autoptr(VfJob) self = vf_job_new();
	JsonObject *object;
	gint64 attempt = 1;
	gint64 max_attempts = 0;

	if (node == NULL || !JSON_NODE_HOLDS_OBJECT(node)) {
		g_set_error_literal(
		    error, VF_ERROR, VF_ERROR_INVALID_INPUT, "the job is not a JSON object");
		return NULL;
	}
	object = json_node_get_object(node);
	self->source = g_strdup(get_string(object, "source"));
	self->output = g_strdup(get_string(object, "output"));
	self->thumbnail = g_strdup(get_string(object, "thumbnail"));
	self->ladder_ini = g_strdup(get_string(object, "ladder_ini"));
	if (!get_int(object, "job_id", &self->job_id) ||
	    !get_int(object, "video_id", &self->video_id) ||
	    !get_int(object, "generation", &self->generation) || self->source == NULL ||
	    self->output == NULL) {
		g_set_error_literal(
		    error,
		    VF_ERROR,
		    VF_ERROR_INVALID_INPUT,
		    "the job needs job_id, video_id, generation, source and output");
		return NULL;
	}
	get_int(object, "attempt", &attempt);
	get_int(object, "max_attempts", &max_attempts);
	self->attempt = (gint)CLAMP(attempt, 1, G_MAXINT);
	self->max_attempts = (gint)CLAMP(max_attempts, 0, G_MAXINT);
	return g_steal_pointer(&self);
}

static gboolean
is_inside(const gchar *path)
{
	g_auto(GStrv) parts = NULL;

	if (path == NULL)
		return TRUE;
	if (*path == '\0' || g_path_is_absolute(path))
		return FALSE;
	parts = g_strsplit(path, "/", -1);
	for (guint i = 0; parts[i] != NULL; i++)
		if (g_str_equal(parts[i], ".."))
			return FALSE;
	return TRUE;
}

gboolean
vf_job_check_paths(const VfJob *self, GError **error)
{
	if (is_inside(self->source) && is_inside(self->output) && is_inside(self->thumbnail) &&
	    self->source != NULL && self->output != NULL)
		return TRUE;
	g_set_error(error,
		    VF_ERROR,
		    VF_ERROR_INVALID_INPUT,
		    "job %" G_GINT64_FORMAT " names a path outside MEDIA_ROOT",
		    self->job_id);
	return FALSE;
}
