/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Follows jobs through the Admin1 signals. Signals that arrive before a job is
 * added (AddVideo answers after the job may have started) are kept, and a job's
 * end is final whatever arrives later. On a terminal one line is redrawn with
 * "\r" and clear-to-end-of-line and never made wider than the terminal; each
 * ended job leaves a final line. Main thread of videoflixctl.
 */
#include "config.h"

#include "vf-ctl-watch.h"

#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <signal.h>

#include "vf-ctl-command.h"
#include "vf-ctl-progress.h"

#define CLEAR_TO_EOL "\033[K"
#define EXIT_SIGINT  130

typedef struct {
	gint64 id;
	gint64 video_id;
	gchar *state; /* NULL until known */
	gchar *error;
	gdouble progress;
	gdouble speed;
	gdouble duration_s; /* of the video; -1 while unknown */
	gint64 first_sample_us;
	gdouble first_progress;
	gint plain_tenth; /* last tenth of progress printed as a plain line */
	gboolean watched;
	gboolean reported; /* its final line is out */
} WatchedJob;

struct _VfCtlWatch {
	VfCtlBus *bus;
	VfCtlWatchOutput output;
	GHashTable *jobs; /* gint64 id → WatchedJob (owned) */
	GPtrArray *order; /* of WatchedJob (borrowed), watched, in order of adding */
	GMainLoop *loop;
	gboolean line_shown; /* a live line is on the terminal */
	gint exit_code;
	gulong progress_handler;
	gulong state_handler;
	gulong owner_handler;
};

static void
watched_job_free(WatchedJob *job)
{
	g_free(job->state);
	g_free(job->error);
	g_free(job);
}

static gboolean
is_final(const gchar *state)
{
	return state != NULL && (g_str_equal(state, "succeeded") || g_str_equal(state, "failed") ||
				 g_str_equal(state, "cancelled"));
}

static WatchedJob *
lookup_job(VfCtlWatch *self, gint64 id)
{
	WatchedJob *job = g_hash_table_lookup(self->jobs, &id);

	if (job == NULL) {
		job = g_new0(WatchedJob, 1);
		job->id = id;
		job->duration_s = -1;
		job->plain_tenth = -1;
		g_hash_table_insert(self->jobs, &job->id, job);
	}
	return job;
}

static void
fill_progress(WatchedJob *job, VfCtlProgress *progress)
{
	gdouble elapsed_s = 0;

	if (job->first_sample_us > 0)
		elapsed_s =
		    (g_get_monotonic_time() - job->first_sample_us) / (gdouble)G_USEC_PER_SEC;
	progress->job_id = job->id;
	progress->progress = g_str_equal(job->state, "succeeded") ? 1.0 : job->progress;
	progress->speed = job->speed;
	progress->eta_s = vf_ctl_progress_estimate_eta(
	    job->progress, job->speed, job->duration_s, job->first_progress, elapsed_s);
	progress->state = job->state;
	progress->error = NULL; /* the reason goes to stderr */
}

static guint
line_width(void)
{
	guint columns = vf_ctl_terminal_width();

	/* one column spare: a line as wide as the terminal wraps on some terminals */
	return columns > 1 ? columns - 1 : 1;
}

static WatchedJob *
current_job(VfCtlWatch *self)
{
	for (guint i = 0; i < self->order->len; i++) {
		WatchedJob *job = g_ptr_array_index(self->order, i);
		if (!job->reported)
			return job;
	}
	return NULL;
}

static void
clear_line(VfCtlWatch *self)
{
	if (self->line_shown)
		g_print("\r" CLEAR_TO_EOL);
	self->line_shown = FALSE;
}

static void
draw_live_line(VfCtlWatch *self)
{
	WatchedJob *job = current_job(self);
	VfCtlProgress progress;
	g_autofree gchar *line = NULL;

	if (self->output != VF_CTL_WATCH_BAR || job == NULL || job->state == NULL)
		return;
	fill_progress(job, &progress);
	line = vf_ctl_progress_render_bar(&progress, line_width());
	g_print("\r%s" CLEAR_TO_EOL, line);
	self->line_shown = TRUE;
}

static void
print_plain_progress(VfCtlWatch *self, WatchedJob *job)
{
	VfCtlProgress progress;
	g_autofree gchar *line = NULL;
	gint tenth = (gint)(CLAMP(job->progress, 0.0, 1.0) * 10);

	if (self->output != VF_CTL_WATCH_LINES || job->reported || tenth <= job->plain_tenth)
		return;
	job->plain_tenth = tenth;
	fill_progress(job, &progress);
	line = vf_ctl_progress_render_plain(&progress);
	g_print("%s\n", line);
}

static gboolean
all_reported(VfCtlWatch *self)
{
	return current_job(self) == NULL;
}

static void
report_final(VfCtlWatch *self, WatchedJob *job)
{
	VfCtlProgress progress;
	g_autofree gchar *line = NULL;
	g_autofree gchar *id = g_strdup_printf("%" G_GINT64_FORMAT, job->id);

	if (job->reported)
		return;
	job->reported = TRUE;
	fill_progress(job, &progress);
	if (self->output == VF_CTL_WATCH_BAR) {
		line = vf_ctl_progress_render_bar(&progress, line_width());
		g_print("\r%s" CLEAR_TO_EOL "\n", line);
		self->line_shown = FALSE;
	} else if (self->output == VF_CTL_WATCH_LINES) {
		line = vf_ctl_progress_render_plain(&progress);
		g_print("%s\n", line);
	}
	if (g_str_equal(job->state, "failed")) {
		self->exit_code = VF_CTL_EXIT_FAILURE;
		if (job->error != NULL && job->error[0] != '\0')
			/* TRANSLATORS: %s are the job's id and the reason */
			g_printerr(_("%s: job %s failed: %s\n"), g_get_prgname(), id, job->error);
		else
			g_printerr(_("%s: job %s failed\n"), g_get_prgname(), id);
	} else if (g_str_equal(job->state, "cancelled")) {
		self->exit_code = VF_CTL_EXIT_FAILURE;
		g_printerr(_("%s: job %s was cancelled\n"), g_get_prgname(), id);
	}
}

static void
update_screen(VfCtlWatch *self, WatchedJob *job)
{
	if (!job->watched)
		return;
	if (is_final(job->state)) {
		/* the final line overwrites the live one */
		report_final(self, job);
		if (all_reported(self) && self->loop != NULL)
			g_main_loop_quit(self->loop);
	} else {
		print_plain_progress(self, job);
	}
	draw_live_line(self);
}

static void
job_progress_cb(VfDBusAdmin1 *proxy,
		gint64 job_id,
		gint64 video_id,
		gdouble progress,
		gdouble speed,
		gpointer user_data)
{
	VfCtlWatch *self = user_data;
	WatchedJob *job = lookup_job(self, job_id);

	if (is_final(job->state))
		return;
	job->video_id = video_id;
	job->progress = CLAMP(progress, 0.0, 1.0);
	job->speed = speed;
	if (job->first_sample_us == 0) {
		job->first_sample_us = g_get_monotonic_time();
		job->first_progress = job->progress;
	}
	if (job->state == NULL || !g_str_equal(job->state, "running")) {
		g_free(job->state);
		job->state = g_strdup("running");
	}
	update_screen(self, job);
}

static void
job_state_changed_cb(VfDBusAdmin1 *proxy,
		     gint64 job_id,
		     gint64 video_id,
		     const gchar *state,
		     const gchar *error,
		     gpointer user_data)
{
	VfCtlWatch *self = user_data;
	WatchedJob *job = lookup_job(self, job_id);

	if (is_final(job->state))
		return;
	job->video_id = video_id;
	g_free(job->state);
	job->state = g_strdup(state);
	g_free(job->error);
	job->error = g_strdup(error);
	update_screen(self, job);
}

static void
name_owner_cb(GObject *object, GParamSpec *pspec, gpointer user_data)
{
	VfCtlWatch *self = user_data;
	g_autofree gchar *owner = g_dbus_proxy_get_name_owner(G_DBUS_PROXY(object));

	if (owner != NULL || self->loop == NULL)
		return;
	clear_line(self);
	/* TRANSLATORS: %s is "the system bus" or "the session bus" */
	g_printerr(_("%s: videoflixd stopped on %s before the job ended\n"),
		   g_get_prgname(),
		   vf_ctl_bus_get_description(self->bus));
	self->exit_code = VF_CTL_EXIT_FAILURE;
	g_main_loop_quit(self->loop);
}

static gboolean
sigint_cb(gpointer user_data)
{
	VfCtlWatch *self = user_data;

	/* leave the last drawn line in place and end it */
	if (self->line_shown)
		g_print("\n");
	self->line_shown = FALSE;
	self->exit_code = EXIT_SIGINT;
	g_main_loop_quit(self->loop);
	return G_SOURCE_CONTINUE;
}

VfCtlWatch *
vf_ctl_watch_new(VfCtlBus *bus, VfCtlWatchOutput output)
{
	VfCtlWatch *self = g_new0(VfCtlWatch, 1);
	VfDBusAdmin1 *proxy = vf_ctl_bus_get_proxy(bus);

	self->bus = bus;
	self->output = output;
	self->jobs = g_hash_table_new_full(
	    g_int64_hash, g_int64_equal, NULL, (GDestroyNotify)watched_job_free);
	self->order = g_ptr_array_new();
	self->progress_handler =
	    g_signal_connect(proxy, "job-progress", G_CALLBACK(job_progress_cb), self);
	self->state_handler =
	    g_signal_connect(proxy, "job-state-changed", G_CALLBACK(job_state_changed_cb), self);
	self->owner_handler =
	    g_signal_connect(proxy, "notify::g-name-owner", G_CALLBACK(name_owner_cb), self);
	return self;
}

void
vf_ctl_watch_free(VfCtlWatch *self)
{
	VfDBusAdmin1 *proxy;

	if (self == NULL)
		return;
	proxy = vf_ctl_bus_get_proxy(self->bus);
	g_clear_signal_handler(&self->progress_handler, proxy);
	g_clear_signal_handler(&self->state_handler, proxy);
	g_clear_signal_handler(&self->owner_handler, proxy);
	g_clear_pointer(&self->loop, g_main_loop_unref);
	g_ptr_array_unref(self->order);
	g_hash_table_unref(self->jobs);
	g_free(self);
}

void
vf_ctl_watch_add_job(VfCtlWatch *self, gint64 job_id)
{
	WatchedJob *job;

	g_return_if_fail(self != NULL);
	job = lookup_job(self, job_id);
	if (job->watched)
		return;
	job->watched = TRUE;
	g_ptr_array_add(self->order, job);
}

/* the jobs' state and progress as the daemon knows them, where no signal told yet */
static gboolean
load_jobs(VfCtlWatch *self, GError **error)
{
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GVariant) records = NULL;
	GVariantIter iter;
	GVariant *record;

	reply = vf_ctl_bus_call(self->bus, "ListJobs", NULL, G_VARIANT_TYPE("(aa{sv})"), -1, error);
	if (reply == NULL)
		return FALSE;
	records = g_variant_get_child_value(reply, 0);
	g_variant_iter_init(&iter, records);
	while ((record = g_variant_iter_next_value(&iter)) != NULL) {
		gint64 id = 0;
		WatchedJob *job;

		if (g_variant_lookup(record, "id", "x", &id) &&
		    (job = g_hash_table_lookup(self->jobs, &id)) != NULL && job->watched &&
		    !is_final(job->state)) {
			const gchar *state = NULL;
			const gchar *message = NULL;

			g_variant_lookup(record, "video_id", "x", &job->video_id);
			if (job->first_sample_us == 0)
				g_variant_lookup(record, "progress", "d", &job->progress);
			if (g_variant_lookup(record, "state", "&s", &state) &&
			    (job->state == NULL || is_final(state))) {
				g_free(job->state);
				job->state = g_strdup(state);
			}
			if (g_variant_lookup(record, "error", "&s", &message)) {
				g_free(job->error);
				job->error = g_strdup(message);
			}
		}
		g_variant_unref(record);
	}
	return TRUE;
}

static void
load_duration(VfCtlWatch *self, WatchedJob *job)
{
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GVariant) record = NULL;

	if (job->video_id <= 0)
		return;
	/* the ETA falls back to the rate of progress when this fails */
	reply = vf_ctl_bus_call(self->bus,
				"GetVideo",
				g_variant_new("(x)", job->video_id),
				G_VARIANT_TYPE("(a{sv})"),
				-1,
				NULL);
	if (reply == NULL)
		return;
	record = g_variant_get_child_value(reply, 0);
	g_variant_lookup(record, "duration", "d", &job->duration_s);
}

gint
vf_ctl_watch_run(VfCtlWatch *self)
{
	g_autoptr(GError) error = NULL;
	guint sigint_source;

	g_return_val_if_fail(self != NULL, VF_CTL_EXIT_FAILURE);
	self->exit_code = VF_CTL_EXIT_OK;
	if (!load_jobs(self, &error)) {
		g_autofree gchar *message = vf_ctl_bus_describe_error(self->bus, error);
		g_printerr("%s: %s\n", g_get_prgname(), message);
		return VF_CTL_EXIT_FAILURE;
	}
	for (guint i = 0; i < self->order->len; i++) {
		WatchedJob *job = g_ptr_array_index(self->order, i);
		g_autofree gchar *id = g_strdup_printf("%" G_GINT64_FORMAT, job->id);

		if (job->state == NULL) {
			job->reported = TRUE;
			self->exit_code = VF_CTL_EXIT_FAILURE;
			g_printerr(_("%s: no job %s\n"), g_get_prgname(), id);
			continue;
		}
		load_duration(self, job);
		if (is_final(job->state)) {
			report_final(self, job);
		} else if (self->output == VF_CTL_WATCH_LINES) {
			VfCtlProgress progress;
			g_autofree gchar *line = NULL;

			fill_progress(job, &progress);
			line = vf_ctl_progress_render_plain(&progress);
			g_print("%s\n", line);
			if (g_str_equal(job->state, "running"))
				job->plain_tenth = (gint)(CLAMP(job->progress, 0.0, 1.0) * 10);
		}
	}
	if (all_reported(self))
		return self->exit_code;

	draw_live_line(self);
	self->loop = g_main_loop_new(NULL, FALSE);
	sigint_source = g_unix_signal_add(SIGINT, sigint_cb, self);
	g_main_loop_run(self->loop);
	g_source_remove(sigint_source);
	clear_line(self);
	return self->exit_code;
}
