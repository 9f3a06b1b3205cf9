/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfJobQueue: the abstract job queue, its signals and the checks in front of the
 * backends' virtual methods. Main thread only.
 */
#include "config.h"

#include "vf-job-queue.h"

#include "vf-error.h"

G_DEFINE_ABSTRACT_TYPE(VfJobQueue, vf_job_queue, G_TYPE_OBJECT)

enum {
	SIGNAL_JOB_STARTED,
	SIGNAL_JOB_PROGRESS,
	SIGNAL_JOB_RETRYING,
	SIGNAL_JOB_COMPLETED,
	SIGNAL_JOB_FAILED,
	SIGNAL_LAST
};

static guint signals[SIGNAL_LAST];

gboolean
vf_job_queue_submit(VfJobQueue *self, const VfJob *job, GError **error)
{
	VfJobQueueClass *klass;

	g_return_val_if_fail(VF_IS_JOB_QUEUE(self), FALSE);
	g_return_val_if_fail(job != NULL && job->source != NULL && job->output != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	klass = VF_JOB_QUEUE_GET_CLASS(self);
	return klass->submit(self, job, error);
}

void
vf_job_queue_cancel_async(VfJobQueue *self,
			  gint64 job_id,
			  GCancellable *cancellable,
			  GAsyncReadyCallback callback,
			  gpointer user_data)
{
	g_return_if_fail(VF_IS_JOB_QUEUE(self));
	VF_JOB_QUEUE_GET_CLASS(self)->cancel_async(self, job_id, cancellable, callback, user_data);
}

gboolean
vf_job_queue_cancel_finish(VfJobQueue *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(VF_IS_JOB_QUEUE(self), FALSE);
	return VF_JOB_QUEUE_GET_CLASS(self)->cancel_finish(self, result, error);
}

void
vf_job_queue_cancel(VfJobQueue *self, gint64 job_id)
{
	vf_job_queue_cancel_async(self, job_id, NULL, NULL, NULL);
}

guint
vf_job_queue_get_depth(VfJobQueue *self)
{
	g_return_val_if_fail(VF_IS_JOB_QUEUE(self), 0);
	return VF_JOB_QUEUE_GET_CLASS(self)->get_depth(self);
}

guint
vf_job_queue_get_running(VfJobQueue *self)
{
	g_return_val_if_fail(VF_IS_JOB_QUEUE(self), 0);
	return VF_JOB_QUEUE_GET_CLASS(self)->get_running(self);
}

gboolean
vf_job_queue_check_ready(VfJobQueue *self, GError **error)
{
	VfJobQueueClass *klass;

	g_return_val_if_fail(VF_IS_JOB_QUEUE(self), FALSE);
	klass = VF_JOB_QUEUE_GET_CLASS(self);
	return klass->check_ready == NULL || klass->check_ready(self, error);
}

void
vf_job_queue_emit_started(VfJobQueue *self, gint64 job_id, gint attempt, const gchar *node)
{
	g_signal_emit(self, signals[SIGNAL_JOB_STARTED], 0, job_id, attempt, node);
}

void
vf_job_queue_emit_progress(VfJobQueue *self, gint64 job_id, gdouble progress, gdouble speed)
{
	g_signal_emit(self, signals[SIGNAL_JOB_PROGRESS], 0, job_id, progress, speed);
}

void
vf_job_queue_emit_retrying(VfJobQueue *self, gint64 job_id, gint next_attempt, const gchar *message)
{
	g_signal_emit(self, signals[SIGNAL_JOB_RETRYING], 0, job_id, next_attempt, message);
}

void
vf_job_queue_emit_completed(VfJobQueue *self, gint64 job_id, JsonNode *result)
{
	g_signal_emit(self, signals[SIGNAL_JOB_COMPLETED], 0, job_id, result);
}

void
vf_job_queue_emit_failed(VfJobQueue *self, gint64 job_id, const gchar *message, gboolean retryable)
{
	g_signal_emit(self, signals[SIGNAL_JOB_FAILED], 0, job_id, message, retryable);
}

static void
vf_job_queue_init(VfJobQueue *self)
{
}

static void
vf_job_queue_class_init(VfJobQueueClass *klass)
{
	signals[SIGNAL_JOB_STARTED] = g_signal_new("job-started",
						   G_TYPE_FROM_CLASS(klass),
						   G_SIGNAL_RUN_LAST,
						   0,
						   NULL,
						   NULL,
						   NULL,
						   G_TYPE_NONE,
						   3,
						   G_TYPE_INT64,
						   G_TYPE_INT,
						   G_TYPE_STRING);
	signals[SIGNAL_JOB_PROGRESS] = g_signal_new("job-progress",
						    G_TYPE_FROM_CLASS(klass),
						    G_SIGNAL_RUN_LAST,
						    0,
						    NULL,
						    NULL,
						    NULL,
						    G_TYPE_NONE,
						    3,
						    G_TYPE_INT64,
						    G_TYPE_DOUBLE,
						    G_TYPE_DOUBLE);
	signals[SIGNAL_JOB_RETRYING] = g_signal_new("job-retrying",
						    G_TYPE_FROM_CLASS(klass),
						    G_SIGNAL_RUN_LAST,
						    0,
						    NULL,
						    NULL,
						    NULL,
						    G_TYPE_NONE,
						    3,
						    G_TYPE_INT64,
						    G_TYPE_INT,
						    G_TYPE_STRING);
	signals[SIGNAL_JOB_COMPLETED] = g_signal_new("job-completed",
						     G_TYPE_FROM_CLASS(klass),
						     G_SIGNAL_RUN_LAST,
						     0,
						     NULL,
						     NULL,
						     NULL,
						     G_TYPE_NONE,
						     2,
						     G_TYPE_INT64,
						     JSON_TYPE_NODE);
	signals[SIGNAL_JOB_FAILED] = g_signal_new("job-failed",
						  G_TYPE_FROM_CLASS(klass),
						  G_SIGNAL_RUN_LAST,
						  0,
						  NULL,
						  NULL,
						  NULL,
						  G_TYPE_NONE,
						  3,
						  G_TYPE_INT64,
						  G_TYPE_STRING,
						  G_TYPE_BOOLEAN);
}
