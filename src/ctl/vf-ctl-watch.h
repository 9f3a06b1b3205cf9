/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfCtlWatch: follows transcode jobs through the JobProgress and JobStateChanged
 * signals until they end, drawing a live progress line on a terminal (plain lines
 * otherwise). Main thread of videoflixctl; runs its own main loop.
 */
#pragma once

#include <glib.h>

#include "vf-ctl-bus.h"

G_BEGIN_DECLS

typedef struct _VfCtlWatch VfCtlWatch;

typedef enum {
	VF_CTL_WATCH_BAR,   /* a terminal: one line redrawn in place, a final line per job */
	VF_CTL_WATCH_LINES, /* a pipe or log: a line per state and per tenth of progress */
	VF_CTL_WATCH_QUIET, /* nothing on stdout (the caller prints a result) */
} VfCtlWatchOutput;

/* listens at once, so create it before starting a job to miss none of its signals;
 * failures are reported on stderr in every output mode */
VfCtlWatch *vf_ctl_watch_new(VfCtlBus *bus, VfCtlWatchOutput output);
void vf_ctl_watch_free(VfCtlWatch *self);
void vf_ctl_watch_add_job(VfCtlWatch *self, gint64 job_id);
/* until every added job has ended: VF_CTL_EXIT_OK when all succeeded, else
 * VF_CTL_EXIT_FAILURE (a failed, cancelled or unknown job, or videoflixd went away;
 * the reason is on stderr), or 130 after Ctrl-C */
gint vf_ctl_watch_run(VfCtlWatch *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfCtlWatch, vf_ctl_watch_free)

G_END_DECLS
