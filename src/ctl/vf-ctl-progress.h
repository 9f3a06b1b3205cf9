/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The progress line of a transcode job as videoflixctl draws it: a bar sized to
 * the terminal, percent, speed as a multiple of real time and the time left, or
 * the job's state once it is no longer running. Pure functions, any thread.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
	gint64 job_id;
	gdouble progress;   /* 0..1 */
	gdouble speed;	    /* × real time; <= 0 while unknown */
	gdouble eta_s;	    /* seconds left; < 0 while unknown */
	const gchar *state; /* queued, running, succeeded, failed, cancelled */
	const gchar *error; /* why it failed, or NULL */
} VfCtlProgress;

/* seconds left: from the video's duration and the speed when both are known, else
 * from the progress made since start_progress in elapsed_s; -1 when neither works */
gdouble vf_ctl_progress_estimate_eta(
    gdouble progress, gdouble speed, gdouble duration_s, gdouble start_progress, gdouble elapsed_s);
/* "0:42", "1:02:03"; "-:--" when unknown (negative, not finite or absurd) */
gchar *vf_ctl_progress_format_eta(gdouble seconds);
/* the line for a terminal: at most width columns, no newline or escape sequence */
gchar *vf_ctl_progress_render_bar(const VfCtlProgress *progress, guint width);
/* the line for a log or pipe: "job 5: 45 %, 2.3× real time, 0:42 left" */
gchar *vf_ctl_progress_render_plain(const VfCtlProgress *progress);
/* the translated word for a job or video state; unknown states come back as given */
const gchar *vf_ctl_progress_state_label(const gchar *state);

G_END_DECLS
