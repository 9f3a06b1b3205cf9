/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfJobsNatsQueue: the job queue of an API node with NATS_URL set. Jobs are
 * published to the VIDEOFLIX_JOBS work queue (off the loop, retried with the same
 * message id), worker nodes report on VIDEOFLIX_EVENTS, and this queue turns those
 * events into the VfJobQueue signals on the main thread, ignoring events of old
 * deliveries and of jobs it does not hold (whose workers it asks to stop).
 */
#pragma once

#include "vf-job-queue.h"
#include "vf-jobs-nats.h"

G_BEGIN_DECLS

#define VF_TYPE_JOBS_NATS_QUEUE (vf_jobs_nats_queue_get_type())
G_DECLARE_FINAL_TYPE(VfJobsNatsQueue, vf_jobs_nats_queue, VF, JOBS_NATS_QUEUE, VfJobQueue)

/* nats: connected and set up (vf_jobs_nats_setup() with limits); media_root: where
 * the outputs of cancelled jobs that finished anyway are deleted */
VfJobQueue *vf_jobs_nats_queue_new(VfJobsNats *nats, const gchar *media_root);
/* starts consuming events: call it once the jobs that were running before a restart
 * have been submitted again, so their events find them */
void vf_jobs_nats_queue_start(VfJobsNatsQueue *self);
/* stops consuming events (blocking up to a second; also done when it goes away):
 * call it before closing the connection */
void vf_jobs_nats_queue_stop(VfJobsNatsQueue *self);
/* the ladder file's text sent with every job (NULL: each node uses its own) */
void vf_jobs_nats_queue_set_ladder(VfJobsNatsQueue *self, const gchar *ladder_ini);
/* a held job's worker node ("" until started) */
const gchar *vf_jobs_nats_queue_get_node(VfJobsNatsQueue *self, gint64 job_id);

G_END_DECLS
