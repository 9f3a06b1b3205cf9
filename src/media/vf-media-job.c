/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs a job on the caller's main context: the probe and the thumbnail on GTask threads
 * (both block), the ladder through VfMediaTranscoder. Owns the job for the run's length.
 */
#include "config.h"

#include "vf-media-job.h"

#include "vf-error.h"
#include "vf-media-probe.h"
#include "vf-media-thumbnail.h"
#include "vf-media-transcoder.h"

void
vf_media_job_free(VfMediaJob *self)
{
	if (self == NULL)
		return;
	g_free(self->input);
	g_free(self->output);
	g_free(self->thumbnail);
	g_clear_pointer(&self->ladder, vf_media_ladder_unref);
	g_free(self);
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

static guint
get_uint(JsonObject *object, const gchar *name)
{
	JsonNode *node = json_object_get_member(object, name);
	if (node == NULL || !JSON_NODE_HOLDS_VALUE(node) ||
	    json_node_get_value_type(node) != G_TYPE_INT64 || json_node_get_int(node) < 0)
		return 0;
	return (guint)MIN(json_node_get_int(node), G_MAXUINT);
}

VfMediaJob *
vf_media_job_from_json(JsonNode *node, GError **error)
{
	g_autoptr(VfMediaJob) self = g_new0(VfMediaJob, 1);
	JsonObject *object;
	const gchar *ladder_file;

	if (node == NULL || !JSON_NODE_HOLDS_OBJECT(node)) {
		g_set_error_literal(
		    error, VF_ERROR, VF_ERROR_INVALID_INPUT, "the job is not a JSON object");
		return NULL;
	}
	object = json_node_get_object(node);
	self->input = g_strdup(get_string(object, "input"));
	self->output = g_strdup(get_string(object, "output"));
	self->thumbnail = g_strdup(get_string(object, "thumbnail"));
	if (self->input == NULL || self->output == NULL) {
		g_set_error_literal(error,
				    VF_ERROR,
				    VF_ERROR_INVALID_INPUT,
				    "the job needs “input” and “output” strings");
		return NULL;
	}
	self->stall_timeout = get_uint(object, "stall_timeout");
	self->time_limit = get_uint(object, "time_limit");
	ladder_file = get_string(object, "ladder_file");
	if (json_object_has_member(object, "ladder")) {
		self->ladder =
		    vf_media_ladder_from_json(json_object_get_member(object, "ladder"), error);
	} else if (get_string(object, "ladder_ini") != NULL) {
		/* the API node's ladder, sent along with the job: every node makes the same */
		self->ladder = vf_media_ladder_load_data(
		    get_string(object, "ladder_ini"), "the job's ladder", error);
	} else {
		g_autofree gchar *path = ladder_file != NULL ? g_strdup(ladder_file)
							     : vf_media_ladder_dup_default_path();
		self->ladder = vf_media_ladder_load_file(path, error);
	}
	if (self->ladder == NULL)
		return NULL;
	return g_steal_pointer(&self);
}

JsonNode *
vf_media_job_to_json(const VfMediaJob *self)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();

	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "input");
	json_builder_add_string_value(builder, self->input);
	json_builder_set_member_name(builder, "output");
	json_builder_add_string_value(builder, self->output);
	if (self->thumbnail != NULL) {
		json_builder_set_member_name(builder, "thumbnail");
		json_builder_add_string_value(builder, self->thumbnail);
	}
	if (self->stall_timeout > 0) {
		json_builder_set_member_name(builder, "stall_timeout");
		json_builder_add_int_value(builder, self->stall_timeout);
	}
	if (self->time_limit > 0) {
		json_builder_set_member_name(builder, "time_limit");
		json_builder_add_int_value(builder, self->time_limit);
	}
	if (self->ladder != NULL) {
		json_builder_set_member_name(builder, "ladder");
		json_builder_add_value(builder, vf_media_ladder_to_json(self->ladder));
	}
	json_builder_end_object(builder);
	return json_builder_get_root(builder);
}

JsonNode *
vf_media_job_failed_event(const GError *error)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	const gchar *code = "Internal";
	gboolean retry = TRUE;

	if (error->domain == VF_ERROR) {
		code = vf_error_to_string((VfError)error->code);
		retry = error->code != VF_ERROR_MEDIA_INVALID &&
			error->code != VF_ERROR_NOT_FOUND && error->code != VF_ERROR_INVALID_INPUT;
	} else if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		code = "Cancelled";
		retry = FALSE;
	}
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "event");
	json_builder_add_string_value(builder, "failed");
	json_builder_set_member_name(builder, "code");
	json_builder_add_string_value(builder, code);
	json_builder_set_member_name(builder, "message");
	json_builder_add_string_value(builder, error->message);
	json_builder_set_member_name(builder, "retry");
	json_builder_add_boolean_value(builder, retry);
	json_builder_end_object(builder);
	return json_builder_get_root(builder);
}

gchar *
vf_media_job_event_to_line(JsonNode *event)
{
	g_autoptr(JsonGenerator) generator = json_generator_new();
	json_generator_set_root(generator, event);
	return json_generator_to_data(generator, NULL);
}

/* ---- running ---- */

typedef struct {
	VfMediaJob *job; /* borrowed: the caller keeps it alive until the callback */
	VfMediaJobEventFunc event_func;
	gpointer event_data;
	VfMediaProbe *probe;
	VfMediaTranscoder *transcoder;
	JsonNode *result;
	gulong progress_id;
} RunData;

static void
run_data_free(RunData *data)
{
	if (data->transcoder != NULL && data->progress_id != 0)
		g_signal_handler_disconnect(data->transcoder, data->progress_id);
	g_clear_object(&data->transcoder);
	g_clear_pointer(&data->probe, vf_media_probe_free);
	g_clear_pointer(&data->result, json_node_unref);
	g_free(data);
}

static void
emit(RunData *data, JsonNode *event)
{
	if (data->event_func != NULL)
		data->event_func(event, data->event_data);
	json_node_unref(event);
}

static void
progress_cb(VfMediaTranscoder *transcoder, gdouble position, gdouble duration, gpointer user_data)
{
	RunData *data = user_data;
	g_autoptr(JsonBuilder) builder = json_builder_new();

	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "event");
	json_builder_add_string_value(builder, "progress");
	json_builder_set_member_name(builder, "position");
	json_builder_add_double_value(builder, position);
	json_builder_set_member_name(builder, "duration");
	json_builder_add_double_value(builder, duration);
	json_builder_set_member_name(builder, "percent");
	json_builder_add_double_value(builder, duration > 0 ? 100.0 * position / duration : 0.0);
	json_builder_end_object(builder);
	emit(data, json_builder_get_root(builder));
}

static void
thumbnail_thread(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
	RunData *data = task_data;
	GError *error = NULL;
	if (!vf_media_thumbnail_write(
		data->job->input, data->probe, data->job->thumbnail, 720, &error))
		g_task_return_error(task, error);
	else
		g_task_return_boolean(task, TRUE);
}

/* a missing poster frame does not fail the job: the ladder is what users need */
static void
complete(GTask *task, const GError *thumbnail_error)
{
	RunData *data = g_task_get_task_data(task);
	g_autoptr(JsonNode) event = json_node_new(JSON_NODE_OBJECT);
	g_autoptr(JsonObject) object = json_object_new();

	json_object_set_string_member(object, "event", "completed");
	json_object_set_member(object, "result", json_node_copy(data->result));
	if (data->job->thumbnail != NULL && thumbnail_error == NULL)
		json_object_set_string_member(object, "thumbnail", data->job->thumbnail);
	if (thumbnail_error != NULL)
		json_object_set_string_member(object, "thumbnail_error", thumbnail_error->message);
	json_node_set_object(event, object);
	if (data->event_func != NULL)
		data->event_func(event, data->event_data);
	g_task_return_pointer(task, json_node_ref(event), (GDestroyNotify)json_node_unref);
}

static void
thumbnail_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	g_autoptr(GError) error = NULL;
	RunData *data = g_task_get_task_data(task);

	if (!g_task_propagate_boolean(G_TASK(result), &error))
		g_warning("%s: %s", data->job->input, error->message);
	complete(task, error);
}

static void
transcode_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(VfMediaTranscodeResult) res = NULL;
	RunData *data = g_task_get_task_data(task);

	res = vf_media_transcoder_run_finish(VF_MEDIA_TRANSCODER(source), result, &error);
	if (res == NULL) {
		emit(data, vf_media_job_failed_event(error));
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	data->result = vf_media_transcode_result_to_json(res);
	if (data->job->thumbnail != NULL) {
		/* not cancellable: it is short, and the ladder is already complete */
		GTask *thread = g_task_new(NULL, NULL, thumbnail_done_cb, g_steal_pointer(&task));
		g_task_set_task_data(thread, data, NULL);
		g_task_run_in_thread(thread, thumbnail_thread);
		g_object_unref(thread);
		return;
	}
	complete(task, NULL);
}

static void
probe_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	g_autoptr(GError) error = NULL;
	RunData *data = g_task_get_task_data(task);
	g_autoptr(JsonNode) event = json_node_new(JSON_NODE_OBJECT);
	g_autoptr(JsonObject) object = json_object_new();
	GCancellable *cancellable;

	data->probe = vf_media_probe_file_finish(result, &error);
	if (data->probe == NULL && vf_media_probe_error_is_timeout(error)) {
		/* the job's source was probed fine when it came in: a timeout now means a
		 * busy machine, worth another attempt, not a file that is not a video */
		g_clear_error(&error);
		g_set_error_literal(&error,
				    VF_ERROR,
				    VF_ERROR_UNAVAILABLE,
				    "probing the source timed out (a busy machine?)");
	}
	if (data->probe == NULL) {
		emit(data, vf_media_job_failed_event(error));
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	json_object_set_string_member(object, "event", "probe");
	json_object_set_member(object, "probe", vf_media_probe_to_json(data->probe));
	json_node_set_object(event, object);
	emit(data, g_steal_pointer(&event));

	data->transcoder = vf_media_transcoder_new(data->job->ladder);
	if (data->job->stall_timeout > 0)
		vf_media_transcoder_set_stall_timeout(data->transcoder, data->job->stall_timeout);
	vf_media_transcoder_set_time_limit(data->transcoder, data->job->time_limit);
	data->progress_id =
	    g_signal_connect(data->transcoder, "progress", G_CALLBACK(progress_cb), data);
	cancellable = g_task_get_cancellable(task);
	vf_media_transcoder_run_async(data->transcoder,
				      data->job->input,
				      data->probe,
				      data->job->output,
				      cancellable,
				      transcode_done_cb,
				      g_steal_pointer(&task));
}

void
vf_media_job_run_async(VfMediaJob *job,
		       GCancellable *cancellable,
		       VfMediaJobEventFunc event_func,
		       gpointer event_data,
		       GAsyncReadyCallback callback,
		       gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(NULL, cancellable, callback, user_data);
	RunData *data = g_new0(RunData, 1);

	g_task_set_source_tag(task, vf_media_job_run_async);
	data->job = job;
	data->event_func = event_func;
	data->event_data = event_data;
	g_task_set_task_data(task, data, (GDestroyNotify)run_data_free);
	vf_media_probe_file_async(
	    job->input, 30, cancellable, probe_done_cb, g_steal_pointer(&task));
}

JsonNode *
vf_media_job_run_finish(GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, NULL), NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}
