/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One transcode job as the worker runs it: probe, ladder, thumbnail, with every step
 * reported as a JSON event ({"event": "probe"|"progress"|"completed"|"failed", …}). The
 * same events are the JSON lines of `videoflix-worker --run-job` and `videoflix-transcode
 * --json`, so a parent process can follow a child over a pipe.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "vf-media-ladder.h"

G_BEGIN_DECLS

typedef struct {
	gchar *input;	  /* source file */
	gchar *output;	  /* the generation folder: <rendition>/…, master.m3u8 */
	gchar *thumbnail; /* JPEG to write, or NULL */
	VfMediaLadder *ladder;
	guint stall_timeout; /* s, 0 = the ladder's */
	guint time_limit;    /* s, 0 = automatic */
} VfMediaJob;

/* {"input": …, "output": …, "thumbnail"?: …, "ladder"?: {…} | "ladder_ini"?: text |
 *  "ladder_file"?: …,
 *  "stall_timeout"?: s, "time_limit"?: s}; without a ladder, the default file is used */
VfMediaJob *vf_media_job_from_json(JsonNode *node, GError **error);
JsonNode *vf_media_job_to_json(const VfMediaJob *self);
void vf_media_job_free(VfMediaJob *self);

typedef void (*VfMediaJobEventFunc)(JsonNode *event, gpointer user_data);

/* events are delivered on the caller's thread-default context; the result is the
 * "completed" event's object */
void vf_media_job_run_async(VfMediaJob *job,
			    GCancellable *cancellable,
			    VfMediaJobEventFunc event_func,
			    gpointer event_data,
			    GAsyncReadyCallback callback,
			    gpointer user_data);
JsonNode *vf_media_job_run_finish(GAsyncResult *result, GError **error);

/* {"event": "failed", "code": "MediaInvalid", "message": …, "retry": false} */
JsonNode *vf_media_job_failed_event(const GError *error);
gchar *vf_media_job_event_to_line(JsonNode *event);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfMediaJob, vf_media_job_free)

G_END_DECLS
