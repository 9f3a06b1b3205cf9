/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * HLS playlists: reading the media playlists hlssink2 wrote, checking them, turning them
 * into VOD playlists, measuring the segments and writing master.m3u8. Plain file I/O,
 * called from the worker after the pipeline stopped.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
	gchar *uri; /* as listed: relative to the playlist */
	gdouble duration;
} VfMediaSegment;

typedef struct {
	GArray *segments; /* of VfMediaSegment */
	guint target_duration;
	gboolean ended; /* #EXT-X-ENDLIST seen */
	gboolean vod;	/* #EXT-X-PLAYLIST-TYPE:VOD seen */
} VfMediaPlaylist;

/* one #EXT-X-STREAM-INF entry */
typedef struct {
	gchar *name; /* folder, "720p" */
	guint width;
	guint height;
	guint64 bandwidth;	   /* bit/s, peak segment */
	guint64 average_bandwidth; /* bit/s */
	gchar *codecs;		   /* "avc1.64001f,mp4a.40.2" */
	gdouble frame_rate;	   /* 0 when unknown */
	guint segments;
	gdouble duration; /* s, sum of EXTINF */
} VfMediaVariant;

VfMediaPlaylist *vf_media_playlist_load(const gchar *path, GError **error);
gdouble vf_media_playlist_get_duration(const VfMediaPlaylist *self);
void vf_media_playlist_free(VfMediaPlaylist *self);
/* adds #EXT-X-PLAYLIST-TYPE:VOD and a trailing newline, atomically */
gboolean vf_media_playlist_make_vod(const gchar *path, GError **error);
/* fills bandwidth, average_bandwidth, segments and duration from the files on disk */
gboolean
vf_media_variant_measure(VfMediaVariant *variant, const gchar *playlist_path, GError **error);
void vf_media_variant_free(VfMediaVariant *self);
/* variants of VfMediaVariant, each served from <name>/index.m3u8 */
gboolean vf_media_master_write(const gchar *path, GPtrArray *variants, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfMediaPlaylist, vf_media_playlist_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfMediaVariant, vf_media_variant_free)

G_END_DECLS
