/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Probing a source with GstDiscoverer: duration, frame size, frame rate and streams, or a
 * VF_ERROR_MEDIA_INVALID with a reason a person understands. Blocking (bounded by a
 * timeout): call it in a worker process or thread, or through the _async variant.
 */
#pragma once

#include <gio/gio.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct {
	GstClockTime duration; /* as the container claims it; not proof the file is complete */
	guint width;	       /* coded size in pixels */
	guint height;
	guint par_n; /* pixel aspect ratio */
	guint par_d;
	guint fps_n; /* 0/1 when the stream gives none (variable frame rate) */
	guint fps_d;
	gchar *video_codec; /* human description, "H.264 (High Profile)" */
	gboolean has_audio;
	guint audio_channels;
	guint audio_rate;
	gchar *audio_codec;
	gchar *container;
} VfMediaProbe;

VfMediaProbe *vf_media_probe_file(const gchar *path, guint timeout_s, GError **error);
void vf_media_probe_file_async(const gchar *path,
			       guint timeout_s,
			       GCancellable *cancellable,
			       GAsyncReadyCallback callback,
			       gpointer user_data);
VfMediaProbe *vf_media_probe_file_finish(GAsyncResult *result, GError **error);
/* whether a probe failed only because it ran out of time (MediaInvalid for an upload,
 * but a busy machine can cause it too) */
gboolean vf_media_probe_error_is_timeout(const GError *error);
/* display width / height, taking the pixel aspect ratio into account */
gdouble vf_media_probe_get_display_aspect(const VfMediaProbe *self);
gdouble vf_media_probe_get_duration_seconds(const VfMediaProbe *self);
JsonNode *vf_media_probe_to_json(const VfMediaProbe *self);
VfMediaProbe *vf_media_probe_copy(const VfMediaProbe *self);
void vf_media_probe_free(VfMediaProbe *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfMediaProbe, vf_media_probe_free)

G_END_DECLS
