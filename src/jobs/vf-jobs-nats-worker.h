/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfJobsNatsWorker: a transcoding node. Pulls jobs from the shared "transcoders"
 * consumer (one per free slot), runs each in a child process through a local
 * runner queue, heartbeats it, publishes started/progress/retrying/completed/
 * failed events and then acks, naks or terminates the job. Each delivery writes
 * into its own staging folder next to the job's generation folder, renamed into
 * place only when complete. Main thread, plus a fetch and a cancel thread.
 */
#pragma once

#include "vf-job-queue.h"
#include "vf-jobs-nats.h"

G_BEGIN_DECLS

#define VF_TYPE_JOBS_NATS_WORKER (vf_jobs_nats_worker_get_type())
G_DECLARE_FINAL_TYPE(VfJobsNatsWorker, vf_jobs_nats_worker, VF, JOBS_NATS_WORKER, GObject)

/* nats: connected and set up; runner: runs one attempt per job (max-attempts 1,
 * concurrency ≥ slots), e.g. a VfJobsLocalQueue of `videoflix-worker --run-job`
 * children; name: this node's name in the events */
VfJobsNatsWorker *vf_jobs_nats_worker_new(
    VfJobsNats *nats, VfJobQueue *runner, const gchar *media_root, const gchar *name, guint slots);
/* starts taking jobs */
void vf_jobs_nats_worker_start(VfJobsNatsWorker *self);
/* stops taking jobs; running ones may finish for grace_s seconds, then they are
 * stopped and handed back to the queue. Completes when nothing runs and the threads
 * are gone; call it before dropping the last reference. */
void vf_jobs_nats_worker_stop_async(VfJobsNatsWorker *self,
				    guint grace_s,
				    GAsyncReadyCallback callback,
				    gpointer user_data);
gboolean
vf_jobs_nats_worker_stop_finish(VfJobsNatsWorker *self, GAsyncResult *result, GError **error);
/* jobs running now */
guint vf_jobs_nats_worker_get_running(VfJobsNatsWorker *self);

G_END_DECLS
