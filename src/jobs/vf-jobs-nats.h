/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfJobsNats: one connection to NATS JetStream, shared by the API node's job queue
 * and a worker node. Creates the streams and consumers idempotently, and runs every
 * blocking JetStream call (publish, fetch, ack) on its own threads: "serial" work in
 * the order it was queued on one thread, so that an event is stored before the ack
 * that follows it. The connection reconnects by itself; nothing here blocks the loop
 * except connect(), which is meant for start-up.
 */
#pragma once

#include <gio/gio.h>
#include <nats/nats.h>

G_BEGIN_DECLS

#define VF_JOBS_NATS_JOBS_STREAM     "VIDEOFLIX_JOBS"
#define VF_JOBS_NATS_JOBS_SUBJECT    "videoflix.jobs.transcode"
#define VF_JOBS_NATS_JOBS_CONSUMER   "transcoders"
#define VF_JOBS_NATS_EVENTS_STREAM   "VIDEOFLIX_EVENTS"
#define VF_JOBS_NATS_EVENTS_SUBJECTS "videoflix.events.>"
#define VF_JOBS_NATS_EVENTS_CONSUMER "videoflixd"
#define VF_JOBS_NATS_CANCEL_PREFIX   "videoflix.cancel."

typedef struct {
	guint ack_wait_s;  /* a job not acked or heartbeaten this long is redelivered */
	guint max_deliver; /* deliveries of a job before it fails for good */
} VfJobsNatsLimits;

#define VF_TYPE_JOBS_NATS (vf_jobs_nats_get_type())
G_DECLARE_FINAL_TYPE(VfJobsNats, vf_jobs_nats, VF, JOBS_NATS, GObject)

/* blocking: connects (trying again for up to wait_s seconds), then keeps
 * reconnecting for ever; name is the client name the server shows */
VfJobsNats *vf_jobs_nats_connect(const gchar *url, const gchar *name, guint wait_s, GError **error);
/* blocking: creates or updates both streams and the shared "transcoders" consumer;
 * limits NULL = look them up (a worker reads what the API node configured) */
gboolean vf_jobs_nats_setup(VfJobsNats *self, const VfJobsNatsLimits *limits, GError **error);
const VfJobsNatsLimits *vf_jobs_nats_get_limits(VfJobsNats *self);
gboolean vf_jobs_nats_is_connected(VfJobsNats *self);
natsConnection *vf_jobs_nats_get_connection(VfJobsNats *self);
jsCtx *vf_jobs_nats_get_context(VfJobsNats *self);

/* runs func on the serial thread (in queue order); the task's callback runs in its
 * own context as usual. Tasks queued after vf_jobs_nats_close() fail. */
void vf_jobs_nats_run_serial(VfJobsNats *self, GTask *task, GTaskThreadFunc func);

/* blocking (a thread's): js_Publish with a message id, retrying a timed-out or
 * disconnected publish with the same id (it may have been stored) until it is
 * acknowledged, the cancellable fires or the connection is closed; seq may be NULL */
gboolean vf_jobs_nats_publish(VfJobsNats *self,
			      const gchar *subject,
			      const gchar *msg_id,
			      const gchar *data,
			      guint64 *seq,
			      GCancellable *cancellable,
			      GError **error);

/* takes over a subscription of a thread that stops using it: it is destroyed by
 * vf_jobs_nats_close(), after the serial work, because acking a message whose
 * subscription is gone crashes the library (any thread) */
void vf_jobs_nats_adopt_subscription(VfJobsNats *self, natsSubscription *subscription);

/* a natsStatus as a VF_ERROR (UNAVAILABLE or INTERNAL) with the library's text */
void vf_jobs_nats_set_error(GError **error, natsStatus status, const gchar *what);

/* waits for queued serial work, then closes the connection (blocking, at exit) */
void vf_jobs_nats_close(VfJobsNats *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(natsMsg, natsMsg_Destroy)

G_END_DECLS
