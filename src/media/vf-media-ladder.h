/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The transcode ladder: renditions and shared settings, loaded from a GKeyFile
 * (pipelines/ladder.ini) or from the JSON of a job message. Immutable once loaded,
 * reference counted, safe to share between threads.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct {
	gchar *name;	     /* "720p", also the output folder */
	guint height;	     /* pixels; the width follows the display aspect ratio */
	guint video_bitrate; /* kbit/s */
	guint max_rate;	     /* kbit/s, == video_bitrate (x264enc ABR) */
	guint vbv_buffer;    /* ms of max_rate */
	guint audio_bitrate; /* kbit/s; the same in every rendition (AAC is encoded once) */
	gchar *speed_preset; /* x264 preset name */
	gchar *profile;	     /* H.264 profile: baseline, main or high */
} VfMediaRendition;

typedef struct {
	GPtrArray *renditions;	 /* of VfMediaRendition, in file order */
	guint segment_duration;	 /* s */
	guint keyframe_interval; /* s */
	gboolean upscale;
	guint encoder_threads; /* per x264enc, 0 = automatic */
	guint stall_timeout;   /* s */
} VfMediaLadder;

VfMediaLadder *vf_media_ladder_load_file(const gchar *path, GError **error);
VfMediaLadder *vf_media_ladder_load_data(const gchar *data, const gchar *origin, GError **error);
VfMediaLadder *vf_media_ladder_from_json(JsonNode *node, GError **error);
JsonNode *vf_media_ladder_to_json(const VfMediaLadder *self);
/* the ladder file used when none is given: installed copy, else the source tree's */
gchar *vf_media_ladder_dup_default_path(void);
guint vf_media_ladder_get_audio_bitrate(const VfMediaLadder *self);
VfMediaLadder *vf_media_ladder_ref(VfMediaLadder *self);
void vf_media_ladder_unref(VfMediaLadder *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfMediaLadder, vf_media_ladder_unref)

G_END_DECLS
