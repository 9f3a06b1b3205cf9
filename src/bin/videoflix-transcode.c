/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * videoflix-transcode INPUT OUTDIR: the ladder of src/media from the command line, with a
 * progress bar on a terminal or JSON lines (--json). Ctrl-C cancels and removes the output.
 */
#include "config.h"

#include <glib-unix.h>
#include <gst/gst.h>
#include <locale.h>
#include <unistd.h>

#include "vf-media-job.h"
#include "vf-media-transcoder.h"

typedef struct {
	GMainLoop *loop;
	GCancellable *cancellable;
	gboolean json;
	gboolean tty;
	gint64 started_us;
	gint exit_status;
} App;

static void
print_line(JsonNode *event)
{
	g_autofree gchar *line = vf_media_job_event_to_line(event);
	g_print("%s\n", line);
}

static void
show_progress(App *app, JsonObject *object)
{
	gdouble position = json_object_get_double_member(object, "position");
	gdouble duration = json_object_get_double_member(object, "duration");
	gdouble elapsed = (gdouble)(g_get_monotonic_time() - app->started_us) / G_USEC_PER_SEC;
	gdouble speed = elapsed > 0 ? position / elapsed : 0;
	gdouble fraction = duration > 0 ? CLAMP(position / duration, 0, 1) : 0;
	guint filled = (guint)(fraction * 30);
	g_autofree gchar *bar = g_strnfill(filled, '#');
	g_autofree gchar *rest = g_strnfill(30 - filled, ' ');
	g_autofree gchar *eta = NULL;

	if (speed > 0) {
		guint left = (guint)((duration - position) / speed + 0.5);
		eta = g_strdup_printf("%u:%02u", left / 60, left % 60);
	} else {
		eta = g_strdup("--:--");
	}
	if (app->tty)
		g_printerr("\r[%s%s] %5.1f %%  %4.2f× real time  ETA %s ",
			   bar,
			   rest,
			   fraction * 100,
			   speed,
			   eta);
	else
		g_printerr("%5.1f %%  %4.2f× real time  ETA %s\n", fraction * 100, speed, eta);
}

static void
event_cb(JsonNode *event, gpointer user_data)
{
	App *app = user_data;
	JsonObject *object = json_node_get_object(event);
	const gchar *kind = json_object_get_string_member(object, "event");

	if (app->json) {
		print_line(event);
		return;
	}
	if (g_strcmp0(kind, "progress") == 0)
		show_progress(app, object);
}

static void
done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	App *app = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) completed = vf_media_job_run_finish(result, &error);

	if (app->tty && !app->json)
		g_printerr("\n");
	if (completed == NULL) {
		g_printerr("videoflix-transcode: %s\n", error->message);
		app->exit_status = 1;
	} else if (!app->json) {
		JsonObject *res =
		    json_object_get_object_member(json_node_get_object(completed), "result");
		JsonArray *renditions = json_object_get_array_member(res, "renditions");
		gdouble elapsed =
		    (gdouble)(g_get_monotonic_time() - app->started_us) / G_USEC_PER_SEC;
		for (guint i = 0; i < json_array_get_length(renditions); i++) {
			JsonObject *r = json_array_get_object_element(renditions, i);
			g_print("%-6s %4" G_GINT64_FORMAT "x%-4" G_GINT64_FORMAT
				" %3" G_GINT64_FORMAT
				" segments  %6.0f kbit/s average  %6.0f kbit/s peak  %s\n",
				json_object_get_string_member(r, "name"),
				json_object_get_int_member(r, "width"),
				json_object_get_int_member(r, "height"),
				json_object_get_int_member(r, "segments"),
				json_object_get_int_member(r, "average_bandwidth") / 1000.0,
				json_object_get_int_member(r, "bandwidth") / 1000.0,
				json_object_get_string_member(r, "codecs"));
		}
		g_print("%.1f s of video in %.1f s (%.2f× real time)\n",
			json_object_get_double_member(res, "duration"),
			elapsed,
			json_object_get_double_member(res, "duration") / MAX(elapsed, 0.001));
		if (json_object_has_member(json_node_get_object(completed), "thumbnail_error"))
			g_printerr("videoflix-transcode: warning: %s\n",
				   json_object_get_string_member(json_node_get_object(completed),
								 "thumbnail_error"));
	}
	g_main_loop_quit(app->loop);
}

static gboolean
signal_cb(gpointer user_data)
{
	App *app = user_data;
	g_cancellable_cancel(app->cancellable);
	return G_SOURCE_CONTINUE;
}

int
main(int argc, char **argv)
{
	g_autofree gchar *ladder_path = NULL;
	g_autofree gchar *thumbnail = NULL;
	gboolean json = FALSE;
	guint stall_timeout = 0;
	guint time_limit = 0;
	const GOptionEntry entries[] = {{"ladder",
					 'l',
					 0,
					 G_OPTION_ARG_FILENAME,
					 &ladder_path,
					 "Ladder file (default: the installed ladder.ini)",
					 "FILE"},
					{"thumbnail",
					 't',
					 0,
					 G_OPTION_ARG_FILENAME,
					 &thumbnail,
					 "Also write a JPEG poster frame",
					 "FILE"},
					{"json",
					 'j',
					 0,
					 G_OPTION_ARG_NONE,
					 &json,
					 "Print JSON lines instead of a progress bar",
					 NULL},
					{"stall-timeout",
					 0,
					 0,
					 G_OPTION_ARG_INT,
					 &stall_timeout,
					 "Fail after this many seconds without progress",
					 "S"},
					{"time-limit",
					 0,
					 0,
					 G_OPTION_ARG_INT,
					 &time_limit,
					 "Fail after this many seconds in all",
					 "S"},
					{NULL}};
	g_autoptr(GOptionContext) context = g_option_context_new("INPUT OUTDIR");
	g_autoptr(GError) error = NULL;
	g_autoptr(VfMediaJob) job = g_new0(VfMediaJob, 1);
	g_autoptr(GMainLoop) loop = NULL;
	g_autoptr(GCancellable) cancellable = g_cancellable_new();
	App app = {0};
	guint sigint_id;
	guint sigterm_id;

	setlocale(LC_ALL, "");
	g_option_context_add_main_entries(context, entries, NULL);
	g_option_context_add_group(context, gst_init_get_option_group());
	g_option_context_set_summary(context,
				     "Transcodes INPUT into the HLS ladder in OUTDIR: "
				     "<rendition>/index.m3u8, seg_NNNNN.ts and master.m3u8.");
	if (!g_option_context_parse(context, &argc, &argv, &error)) {
		g_printerr("videoflix-transcode: %s\n", error->message);
		return 1;
	}
	if (argc != 3) {
		g_printerr("usage: videoflix-transcode INPUT OUTDIR [--ladder FILE] [--thumbnail "
			   "FILE] [--json]\n");
		return 1;
	}
	gst_init(NULL, NULL);
	if (ladder_path == NULL)
		ladder_path = vf_media_ladder_dup_default_path();
	job->ladder = vf_media_ladder_load_file(ladder_path, &error);
	if (job->ladder == NULL) {
		g_printerr("videoflix-transcode: %s\n", error->message);
		return 1;
	}
	job->input = g_strdup(argv[1]);
	job->output = g_strdup(argv[2]);
	job->thumbnail = g_steal_pointer(&thumbnail);
	job->stall_timeout = stall_timeout;
	job->time_limit = time_limit;

	loop = g_main_loop_new(NULL, FALSE);
	app.loop = loop;
	app.cancellable = cancellable;
	app.json = json;
	app.tty = isatty(STDERR_FILENO);
	app.started_us = g_get_monotonic_time();
	sigint_id = g_unix_signal_add(SIGINT, signal_cb, &app);
	sigterm_id = g_unix_signal_add(SIGTERM, signal_cb, &app);
	vf_media_job_run_async(job, cancellable, event_cb, &app, done_cb, &app);
	g_main_loop_run(loop);
	g_source_remove(sigint_id);
	g_source_remove(sigterm_id);
	/* stop GStreamer's pooled threads so none is still exiting when the process ends
	 * (leak checkers); not while a stuck pipeline is still being torn down */
	if (vf_media_transcoder_get_pending_teardowns() == 0)
		gst_deinit();
	return app.exit_status;
}
