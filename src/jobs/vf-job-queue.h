/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfJobQueue: where transcode jobs go and where their outcome comes from. Backends
 * derive from it (the local queue of worker child processes; JetStream later).
 * Main thread only: submit and cancel are called there and every signal is
 * emitted there. After a job's final signal (completed or failed) or after it was
 * cancelled, the queue says nothing more about it.
 */
#pragma once

#include <gio/gio.h>

#include "vf-job.h"

G_BEGIN_DECLS

#define VF_TYPE_JOB_QUEUE (vf_job_queue_get_type())
G_DECLARE_DERIVABLE_TYPE(VfJobQueue, vf_job_queue, VF, JOB_QUEUE, GObject)

struct _VfJobQueueClass {
	GObjectClass parent_class;

	gboolean (*submit)(VfJobQueue *self, const VfJob *job, GError **error);
	void (*cancel_async)(VfJobQueue *self,
			     gint64 job_id,
			     GCancellable *cancellable,
			     GAsyncReadyCallback callback,
			     gpointer user_data);
	gboolean (*cancel_finish)(VfJobQueue *self, GAsyncResult *result, GError **error);
	guint (*get_depth)(VfJobQueue *self);
	guint (*get_running)(VfJobQueue *self);
	gboolean (*check_ready)(VfJobQueue *self, GError **error);

	gpointer padding[7];
};

/* the job is copied; submitting a job id the queue already holds is an error */
gboolean vf_job_queue_submit(VfJobQueue *self, const VfJob *job, GError **error);
/* stops the job (a queued one is dropped, a running one's worker is stopped) and
 * completes once nothing of it runs any more, so that its files can be deleted;
 * an unknown job id completes at once with TRUE */
void vf_job_queue_cancel_async(VfJobQueue *self,
			       gint64 job_id,
			       GCancellable *cancellable,
			       GAsyncReadyCallback callback,
			       gpointer user_data);
gboolean vf_job_queue_cancel_finish(VfJobQueue *self, GAsyncResult *result, GError **error);
/* the same without waiting */
void vf_job_queue_cancel(VfJobQueue *self, gint64 job_id);
/* jobs held (waiting, backing off or running) / running now */
guint vf_job_queue_get_depth(VfJobQueue *self);
guint vf_job_queue_get_running(VfJobQueue *self);
/* main thread, no I/O: whether jobs can be handed out now (the broker is connected);
 * a backend without a broker is always ready */
gboolean vf_job_queue_check_ready(VfJobQueue *self, GError **error);

/* for backends: emit the signals
 *   "job-started"   (gint64 job_id, gint attempt, const gchar *node)
 *   "job-progress"  (gint64 job_id, gdouble progress 0..1, gdouble speed ×realtime)
 *   "job-retrying"  (gint64 job_id, gint next_attempt, const gchar *message)
 *   "job-completed" (gint64 job_id, JsonNode *result) — the worker's "completed"
 *                   event: {"result": {"duration", "has_audio", "renditions": [{"name",
 *                   …}]}, "thumbnail"?: path, "thumbnail_error"?: message}
 *   "job-failed"    (gint64 job_id, const gchar *message, gboolean retryable) — final;
 *                   retryable is FALSE for media errors (not a video), TRUE when the
 *                   attempts ran out on worker crashes, stalls or transient errors */
void vf_job_queue_emit_started(VfJobQueue *self, gint64 job_id, gint attempt, const gchar *node);
void vf_job_queue_emit_progress(VfJobQueue *self, gint64 job_id, gdouble progress, gdouble speed);
void vf_job_queue_emit_retrying(VfJobQueue *self,
				gint64 job_id,
				gint next_attempt,
				const gchar *message);
void vf_job_queue_emit_completed(VfJobQueue *self, gint64 job_id, JsonNode *result);
void
vf_job_queue_emit_failed(VfJobQueue *self, gint64 job_id, const gchar *message, gboolean retryable);

G_END_DECLS
