/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The probe child's stdout is one JSON line, {"event": "probe", "duration": …} or
 * {"event": "failed", "code": …, "message": …}; a timeout source force-exits the
 * child, whose reaping ends the GTask.
 */
#include "config.h"

#include "vf-catalog-probe.h"

#include <json-glib/json-glib.h>

#include "vf-error.h"

typedef struct {
	GSubprocess *process;
	guint timeout_id;
	gboolean timed_out;
} ProbeData;

static void
probe_data_free(ProbeData *data)
{
	if (data->timeout_id != 0)
		g_source_remove(data->timeout_id);
	g_clear_object(&data->process);
	g_free(data);
}

static gboolean
probe_timeout_cb(gpointer user_data)
{
	ProbeData *data = user_data;

	data->timeout_id = 0;
	data->timed_out = TRUE;
	g_subprocess_force_exit(data->process);
	return G_SOURCE_REMOVE;
}

static void
probe_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	ProbeData *data = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autofree gchar *out = NULL;
	JsonObject *object = NULL;
	const gchar *event = NULL;

	if (!g_subprocess_communicate_utf8_finish(
		G_SUBPROCESS(source), result, &out, NULL, &error)) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	if (data->timed_out) {
		g_task_return_new_error(task,
					VF_ERROR,
					VF_ERROR_MEDIA_INVALID,
					"the file could not be checked in time");
		return;
	}
	if (out != NULL && json_parser_load_from_data(parser, out, -1, NULL) &&
	    JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
		object = json_node_get_object(json_parser_get_root(parser));
		event = json_object_get_string_member_with_default(object, "event", NULL);
	}
	if (g_strcmp0(event, "probe") == 0 && g_subprocess_get_if_exited(data->process) &&
	    g_subprocess_get_exit_status(data->process) == 0) {
		gdouble *duration = g_new(gdouble, 1);
		*duration = json_object_get_double_member_with_default(object, "duration", -1);
		g_task_return_pointer(task, duration, g_free);
		return;
	}
	if (g_strcmp0(event, "failed") == 0) {
		const gchar *code = json_object_get_string_member_with_default(object, "code", "");
		const gchar *message =
		    json_object_get_string_member_with_default(object, "message", "not a video");
		g_task_return_new_error(task,
					VF_ERROR,
					g_strcmp0(code, "Internal") == 0 ? VF_ERROR_INTERNAL
									 : VF_ERROR_MEDIA_INVALID,
					"%s",
					message);
		return;
	}
	/* a crash while probing is the file's doing as much as ours: refuse it */
	g_task_return_new_error(task,
				VF_ERROR,
				VF_ERROR_MEDIA_INVALID,
				"the file could not be probed (the prober %s)",
				g_subprocess_get_if_signaled(data->process) ? "crashed" : "failed");
}

void
vf_catalog_probe_async(const gchar *worker_path,
		       const gchar *path,
		       guint timeout_s,
		       GCancellable *cancellable,
		       GAsyncReadyCallback callback,
		       gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(NULL, cancellable, callback, user_data);
	g_autoptr(GError) error = NULL;
	ProbeData *data = g_new0(ProbeData, 1);

	g_task_set_source_tag(task, vf_catalog_probe_async);
	g_task_set_task_data(task, data, (GDestroyNotify)probe_data_free);
	data->process =
	    g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
			     &error,
			     worker_path,
			     "--probe",
			     path,
			     NULL);
	if (data->process == NULL) {
		g_task_return_new_error(task,
					VF_ERROR,
					VF_ERROR_INTERNAL,
					"cannot run %s: %s",
					worker_path,
					error->message);
		return;
	}
	data->timeout_id = g_timeout_add_seconds(timeout_s, probe_timeout_cb, data);
	/* not the request's cancellable: the child is always waited for, never left */
	g_subprocess_communicate_utf8_async(
	    data->process, NULL, NULL, probe_done_cb, g_steal_pointer(&task));
}

gboolean
vf_catalog_probe_finish(GAsyncResult *result, gdouble *duration, GError **error)
{
	g_autofree gdouble *value = NULL;

	g_return_val_if_fail(g_task_is_valid(result, NULL), FALSE);
	value = g_task_propagate_pointer(G_TASK(result), error);
	if (value == NULL)
		return FALSE;
	if (duration != NULL)
		*duration = *value;
	return TRUE;
}
