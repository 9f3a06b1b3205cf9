/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfJobsLocalQueue: the embedded job queue. Each attempt of a job runs in its own
 * `videoflix-worker --run-job` child process, fed the job as one JSON line on stdin
 * and followed through the JSON event lines on its stdout, all with async GIO on the
 * main loop. A bounded number of children run at once; a child that crashes or stays
 * silent too long is killed and its job retried with backoff, up to max-attempts.
 * Creating one makes the process ignore SIGPIPE (a dead child's stdin gives EPIPE).
 */
#pragma once

#include "vf-job-queue.h"

G_BEGIN_DECLS

#define VF_TYPE_JOBS_LOCAL_QUEUE (vf_jobs_local_queue_get_type())
G_DECLARE_FINAL_TYPE(VfJobsLocalQueue, vf_jobs_local_queue, VF, JOBS_LOCAL_QUEUE, VfJobQueue)

/* worker_path: the videoflix-worker executable; media_root: what the jobs' relative
 * paths are relative to (made absolute here) */
VfJobQueue *vf_jobs_local_queue_new(const gchar *worker_path, const gchar *media_root);
/* where videoflix-worker is: next to the running executable (installed side by side,
 * or src/bin/ of the build tree), else the build tree's, else the PATH; NULL if none */
gchar *vf_jobs_local_queue_find_worker(void);
/* children running at once (default 1) */
void vf_jobs_local_queue_set_concurrency(VfJobsLocalQueue *self, guint concurrency);
/* attempts of a job that does not say (default 3) */
void vf_jobs_local_queue_set_max_attempts(VfJobsLocalQueue *self, guint max_attempts);
/* a child without an event line for this long is killed (default 120 s); the worker
 * reports progress about once a second, and probes for at most 30 s */
void vf_jobs_local_queue_set_stall_timeout(VfJobsLocalQueue *self, guint seconds);
/* delay before attempt n+1: first_ms × 2^(n-1), at most max_ms (default 2 s, 60 s) */
void vf_jobs_local_queue_set_backoff(VfJobsLocalQueue *self, guint first_ms, guint max_ms);
/* the ladder file handed to the worker (default NULL: the worker's own default) */
void vf_jobs_local_queue_set_ladder_file(VfJobsLocalQueue *self, const gchar *path);
/* how long a cancelled child may take to stop before SIGKILL (default 1500 ms) */
void vf_jobs_local_queue_set_cancel_grace(VfJobsLocalQueue *self, guint ms);
/* the process id of the child running the job ("1234"), or NULL */
const gchar *vf_jobs_local_queue_get_worker_id(VfJobsLocalQueue *self, gint64 job_id);

G_END_DECLS
