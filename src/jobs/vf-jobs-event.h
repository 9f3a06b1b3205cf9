/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfJobsEvent: what a worker node reports about a job over JetStream, one JSON
 * message on `videoflix.events.<job_id>.<kind>` (plain data, any thread).
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum {
	VF_JOBS_EVENT_STARTED,
	VF_JOBS_EVENT_PROGRESS,
	VF_JOBS_EVENT_RETRYING,
	VF_JOBS_EVENT_COMPLETED,
	VF_JOBS_EVENT_FAILED,
} VfJobsEventKind;

typedef struct {
	VfJobsEventKind kind;
	gint64 job_id;
	gint64 video_id;
	gint attempt;	  /* the job's attempt plus its redeliveries */
	guint64 delivery; /* stream sequence of the job message: tells deliveries apart */
	gchar *node;
	gint64 time_ms;	    /* wall clock at the worker, ms since the epoch */
	gdouble progress;   /* progress: 0..1 */
	gdouble speed;	    /* progress: × real time */
	gchar *message;	    /* retrying, failed */
	gboolean retryable; /* failed */
	JsonNode *outcome;  /* completed: the worker child's "completed" event */
} VfJobsEvent;

VfJobsEvent *vf_jobs_event_new(VfJobsEventKind kind);
void vf_jobs_event_free(VfJobsEvent *self);
const gchar *vf_jobs_event_kind_to_string(VfJobsEventKind kind);
/* "videoflix.events.<job_id>.<kind>" */
gchar *vf_jobs_event_dup_subject(const VfJobsEvent *self);
/* a de-duplication id: the same for a re-sent event of the same delivery */
gchar *vf_jobs_event_dup_msg_id(const VfJobsEvent *self, guint serial);
gchar *vf_jobs_event_to_data(const VfJobsEvent *self);
VfJobsEvent *vf_jobs_event_from_data(const gchar *data, gsize length, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfJobsEvent, vf_jobs_event_free)

G_END_DECLS
