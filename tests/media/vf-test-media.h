/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Helpers of the media tests: clips made with gst-launch-1.0 at test time, ffprobe as an
 * independent checker of what the ladder wrote, and the checks every good ladder passes.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "vf-media-ladder.h"
#include "vf-media-transcoder.h"

G_BEGIN_DECLS

/* runs gst-launch-1.0 with the description (test-only text), writing to OUT;
 * the description's "OUT" word is replaced by location=<path> */
gchar *vf_test_media_make_clip(const gchar *dir, const gchar *name, const gchar *description);
/* ffprobe -of json with the arguments; asserts success */
JsonNode *vf_test_media_ffprobe(const gchar *const *args);
/* stdout of a command; asserts exit status 0 */
gchar *vf_test_media_run(const gchar *const *argv, gchar **err);
/* duration of the first video stream in seconds, by ffprobe */
gdouble vf_test_media_video_duration(const gchar *path);
VfMediaLadder *vf_test_media_load_test_ladder(void);
/* runs the transcoder on the default context until done */
VfMediaTranscodeResult *vf_test_media_transcode(VfMediaTranscoder *transcoder,
						const gchar *input,
						const gchar *outdir,
						GError **error);

typedef struct {
	const gchar *name;
	guint width;
	guint height;
} VfTestRendition;

/* the checks of every good ladder: master and playlists parse and end, VOD, same segment
 * count, durations matching within a frame across renditions, every segment starts with a
 * keyframe, frame size and square pixels per rendition, total duration within 0.1 s of the
 * source, audio iff expected */
void vf_test_media_check_ladder(const gchar *outdir,
				const gchar *source,
				const VfTestRendition *renditions,
				guint n_renditions,
				gboolean has_audio);

G_END_DECLS
