/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfMediaTranscoder: one ladder pipeline per run (decode once, tee to one x264enc +
 * hlssink2 per rendition, AAC encoded once), driven from the caller's thread-default main
 * context. Runs in worker processes only, never in the API daemon.
 */
#pragma once

#include <gio/gio.h>

#include "vf-media-ladder.h"
#include "vf-media-playlist.h"
#include "vf-media-probe.h"

G_BEGIN_DECLS

#define VF_TYPE_MEDIA_TRANSCODER (vf_media_transcoder_get_type())
G_DECLARE_FINAL_TYPE(VfMediaTranscoder, vf_media_transcoder, VF, MEDIA_TRANSCODER, GObject)

typedef struct {
	GPtrArray *variants; /* of VfMediaVariant, as listed in master.m3u8 */
	gdouble duration;    /* s, of the shortest rendition */
	gboolean has_audio;
} VfMediaTranscodeResult;

VfMediaTranscoder *vf_media_transcoder_new(VfMediaLadder *ladder);
/* no output progress for this long fails the run (default: the ladder's stall-timeout) */
void vf_media_transcoder_set_stall_timeout(VfMediaTranscoder *self, guint seconds);
/* overall limit; 0 (default) = 120 s + 20 × the source duration */
void vf_media_transcoder_set_time_limit(VfMediaTranscoder *self, guint seconds);
/* how long teardown may block before the result is returned anyway (default 10 s) */
void vf_media_transcoder_set_teardown_timeout(VfMediaTranscoder *self, guint seconds);

/* Writes OUTDIR/<rendition>/index.m3u8 + seg_NNNNN.ts and OUTDIR/master.m3u8. The probe is
 * the caller's (see vf_media_probe_file()); cancelling or failing removes what was written.
 * Emits "progress" (position and duration in seconds) about once a second. */
void vf_media_transcoder_run_async(VfMediaTranscoder *self,
				   const gchar *input,
				   const VfMediaProbe *probe,
				   const gchar *outdir,
				   GCancellable *cancellable,
				   GAsyncReadyCallback callback,
				   gpointer user_data);
VfMediaTranscodeResult *
vf_media_transcoder_run_finish(VfMediaTranscoder *self, GAsyncResult *result, GError **error);

/* pipelines whose teardown timed out and is still running in a helper thread */
guint vf_media_transcoder_get_pending_teardowns(void);

JsonNode *vf_media_transcode_result_to_json(const VfMediaTranscodeResult *self);
void vf_media_transcode_result_free(VfMediaTranscodeResult *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfMediaTranscodeResult, vf_media_transcode_result_free)

G_END_DECLS
