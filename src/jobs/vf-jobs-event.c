/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Job events as JSON: {"kind", "job_id", "video_id", "attempt", "delivery", "node",
 * "time_ms", and per kind "progress"/"speed", "message"/"retryable", "outcome"}.
 * Parsing is strict about the members every kind needs and ignores others.
 */
#include "config.h"

#include "vf-jobs-event.h"

#include "vf-error.h"
#include "vf-json.h"

static const gchar *const kinds[] = {"started", "progress", "retrying", "completed", "failed"};

VfJobsEvent *
vf_jobs_event_new(VfJobsEventKind kind)
{
	VfJobsEvent *self = g_new0(VfJobsEvent, 1);
	self->kind = kind;
	self->time_ms = g_get_real_time() / 1000;
	return self;
}

void
vf_jobs_event_free(VfJobsEvent *self)
{
	if (self == NULL)
		return;
	g_free(self->node);
	g_free(self->message);
	g_clear_pointer(&self->outcome, json_node_unref);
	g_free(self);
}

const gchar *
vf_jobs_event_kind_to_string(VfJobsEventKind kind)
{
	g_return_val_if_fail((guint)kind < G_N_ELEMENTS(kinds), NULL);
	return kinds[kind];
}

gchar *
vf_jobs_event_dup_subject(const VfJobsEvent *self)
{
	return g_strdup_printf("videoflix.events.%" G_GINT64_FORMAT ".%s",
			       self->job_id,
			       vf_jobs_event_kind_to_string(self->kind));
}

gchar *
vf_jobs_event_dup_msg_id(const VfJobsEvent *self, guint serial)
{
	return g_strdup_printf("%" G_GINT64_FORMAT "-%" G_GUINT64_FORMAT "-%d-%s-%u",
			       self->job_id,
			       self->delivery,
			       self->attempt,
			       vf_jobs_event_kind_to_string(self->kind),
			       serial);
}

gchar *
vf_jobs_event_to_data(const VfJobsEvent *self)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autoptr(JsonGenerator) generator = json_generator_new();
	g_autoptr(JsonNode) root = NULL;

	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "kind");
	json_builder_add_string_value(builder, vf_jobs_event_kind_to_string(self->kind));
	json_builder_set_member_name(builder, "job_id");
	json_builder_add_int_value(builder, self->job_id);
	json_builder_set_member_name(builder, "video_id");
	json_builder_add_int_value(builder, self->video_id);
	json_builder_set_member_name(builder, "attempt");
	json_builder_add_int_value(builder, self->attempt);
	json_builder_set_member_name(builder, "delivery");
	json_builder_add_int_value(builder, (gint64)self->delivery);
	json_builder_set_member_name(builder, "node");
	json_builder_add_string_value(builder, self->node != NULL ? self->node : "");
	json_builder_set_member_name(builder, "time_ms");
	json_builder_add_int_value(builder, self->time_ms);
	switch (self->kind) {
	case VF_JOBS_EVENT_PROGRESS:
		json_builder_set_member_name(builder, "progress");
		json_builder_add_double_value(builder, self->progress);
		json_builder_set_member_name(builder, "speed");
		json_builder_add_double_value(builder, self->speed);
		break;
	case VF_JOBS_EVENT_FAILED:
		json_builder_set_member_name(builder, "retryable");
		json_builder_add_boolean_value(builder, self->retryable);
		G_GNUC_FALLTHROUGH;
	case VF_JOBS_EVENT_RETRYING:
		json_builder_set_member_name(builder, "message");
		json_builder_add_string_value(builder, self->message != NULL ? self->message : "");
		break;
	case VF_JOBS_EVENT_COMPLETED:
		json_builder_set_member_name(builder, "outcome");
		if (self->outcome != NULL)
			json_builder_add_value(builder, json_node_copy(self->outcome));
		else
			json_builder_add_null_value(builder);
		break;
	case VF_JOBS_EVENT_STARTED:
		break;
	}
	json_builder_end_object(builder);
	root = json_builder_get_root(builder);
	json_generator_set_root(generator, root);
	return json_generator_to_data(generator, NULL);
}

static gdouble
get_number(JsonObject *object, const gchar *name)
{
	JsonNode *node = json_object_get_member(object, name);
	if (node == NULL || !JSON_NODE_HOLDS_VALUE(node))
		return 0.0;
	if (json_node_get_value_type(node) == G_TYPE_INT64)
		return (gdouble)json_node_get_int(node);
	if (json_node_get_value_type(node) == G_TYPE_DOUBLE)
		return json_node_get_double(node);
	return 0.0;
}

VfJobsEvent *
vf_jobs_event_from_data(const gchar *data, gsize length, GError **error)
{
	g_autoptr(JsonNode) root = vf_json_parse_object(data, length, "a job event", error);
	g_autoptr(VfJobsEvent) self = NULL;
	JsonObject *object;
	const gchar *kind;
	guint i;

	if (root == NULL)
		return NULL;
	object = json_node_get_object(root);
	kind = json_object_get_string_member_with_default(object, "kind", "");
	for (i = 0; i < G_N_ELEMENTS(kinds); i++)
		if (g_str_equal(kind, kinds[i]))
			break;
	if (i == G_N_ELEMENTS(kinds) || get_number(object, "job_id") <= 0) {
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_INVALID_INPUT,
			    "a job event without a known kind or job id (“%s”)",
			    kind);
		return NULL;
	}
	self = vf_jobs_event_new((VfJobsEventKind)i);
	self->job_id = (gint64)get_number(object, "job_id");
	self->video_id = (gint64)get_number(object, "video_id");
	self->attempt = (gint)get_number(object, "attempt");
	self->delivery = (guint64)get_number(object, "delivery");
	self->node = g_strdup(json_object_get_string_member_with_default(object, "node", ""));
	self->time_ms = (gint64)get_number(object, "time_ms");
	self->progress = CLAMP(get_number(object, "progress"), 0.0, 1.0);
	self->speed = MAX(get_number(object, "speed"), 0.0);
	self->message =
	    g_strdup(json_object_get_string_member_with_default(object, "message", "failed"));
	self->retryable = json_object_get_boolean_member_with_default(object, "retryable", TRUE);
	if (json_object_has_member(object, "outcome") &&
	    JSON_NODE_HOLDS_OBJECT(json_object_get_member(object, "outcome")))
		self->outcome = json_node_copy(json_object_get_member(object, "outcome"));
	return g_steal_pointer(&self);
}
