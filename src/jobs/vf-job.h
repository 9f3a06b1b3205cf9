/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfJob: one transcode job as a queue carries it (plain data, any thread). Paths are
 * relative to MEDIA_ROOT so that a job means the same on every node that mounts it.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct {
	gint64 job_id;
	gint64 video_id;
	gchar *source; /* relative to MEDIA_ROOT, e.g. "sources/ab12….mp4" */
	gint64 generation;
	gchar *output;	   /* the generation folder, e.g. "hls/7/2" */
	gchar *thumbnail;  /* JPEG to write, e.g. "thumbnails/cd34….jpg", or NULL */
	gint attempt;	   /* 1-based: the attempt to run next */
	gint max_attempts; /* 0 = the queue's default */
	gchar *ladder_ini; /* the ladder file's text to use, or NULL: the worker's own */
} VfJob;

VfJob *vf_job_new(void);
VfJob *vf_job_copy(const VfJob *self);
void vf_job_free(VfJob *self);
/* {"job_id", "video_id", "source", "generation", "output", "thumbnail"?, "attempt",
 *  "max_attempts", "ladder_ini"?} */
JsonNode *vf_job_to_json(const VfJob *self);
VfJob *vf_job_from_json(JsonNode *node, GError **error);
/* FALSE (VF_ERROR_INVALID_INPUT) when a path is absolute or climbs out with "..": a
 * job from the network must stay inside MEDIA_ROOT */
gboolean vf_job_check_paths(const VfJob *self, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfJob, vf_job_free)

G_END_DECLS
