/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GstDiscoverer in synchronous mode, run by the caller's thread (or a GTask thread for the
 * async variant). Result OK is not enough: a source must have a video stream that is not a
 * still image and a duration; otherwise the reason is put in words for the uploader.
 */
#include "config.h"

#include "vf-media-probe.h"

#include <glib/gstdio.h>
#include <gst/pbutils/pbutils.h>
#include <sys/stat.h>

#include "vf-error.h"

void
vf_media_probe_free(VfMediaProbe *self)
{
	if (self == NULL)
		return;
	g_free(self->video_codec);
	g_free(self->audio_codec);
	g_free(self->container);
	g_free(self);
}

VfMediaProbe *
vf_media_probe_copy(const VfMediaProbe *self)
{
	VfMediaProbe *copy = g_memdup2(self, sizeof(*self));
	copy->video_codec = g_strdup(self->video_codec);
	copy->audio_codec = g_strdup(self->audio_codec);
	copy->container = g_strdup(self->container);
	return copy;
}

gdouble
vf_media_probe_get_display_aspect(const VfMediaProbe *self)
{
	gdouble par = self->par_n > 0 && self->par_d > 0 ? (gdouble)self->par_n / self->par_d : 1.0;
	return (gdouble)self->width * par / (gdouble)self->height;
}

gdouble
vf_media_probe_get_duration_seconds(const VfMediaProbe *self)
{
	return GST_CLOCK_TIME_IS_VALID(self->duration) ? (gdouble)self->duration / GST_SECOND : 0.0;
}

/* what a probe that ran out of time says (vf_media_probe_error_is_timeout()) */
static const gchar timeout_message[] =
    "probing the file took too long: it is damaged or not a video";

static gboolean
media_invalid(GError **error, const gchar *reason)
{
	g_set_error_literal(error, VF_ERROR, VF_ERROR_MEDIA_INVALID, reason);
	return FALSE;
}

static gchar *
describe_caps(GstCaps *caps)
{
	if (caps == NULL)
		return g_strdup("unknown");
	return gst_pb_utils_get_codec_description(caps);
}

static VfMediaProbe *
probe_from_info(GstDiscovererInfo *info, GError **error)
{
	g_autoptr(VfMediaProbe) self = g_new0(VfMediaProbe, 1);
	GList *videos = gst_discoverer_info_get_video_streams(info);
	GList *audios = gst_discoverer_info_get_audio_streams(info);
	GstDiscovererStreamInfo *top = gst_discoverer_info_get_stream_info(info);
	GstDiscovererVideoInfo *video = NULL;
	gboolean ok = TRUE;

	/* the first video stream that is not a still image */
	for (GList *l = videos; l != NULL; l = l->next) {
		GstDiscovererVideoInfo *v = l->data;
		if (!gst_discoverer_video_info_is_image(v)) {
			video = v;
			break;
		}
	}
	if (video == NULL && videos != NULL) {
		ok = media_invalid(error, "the file is a still image, not a video");
	} else if (video == NULL && audios != NULL) {
		ok = media_invalid(error, "the file has only audio, no video");
	} else if (video == NULL) {
		ok = media_invalid(error, "the file has no video stream");
	}
	if (ok) {
		g_autoptr(GstCaps) caps =
		    gst_discoverer_stream_info_get_caps(GST_DISCOVERER_STREAM_INFO(video));
		self->duration = gst_discoverer_info_get_duration(info);
		self->width = gst_discoverer_video_info_get_width(video);
		self->height = gst_discoverer_video_info_get_height(video);
		self->par_n = gst_discoverer_video_info_get_par_num(video);
		self->par_d = gst_discoverer_video_info_get_par_denom(video);
		self->fps_n = gst_discoverer_video_info_get_framerate_num(video);
		self->fps_d = gst_discoverer_video_info_get_framerate_denom(video);
		if (self->fps_d == 0)
			self->fps_n = 0, self->fps_d = 1;
		self->video_codec = describe_caps(caps);
		if (self->width < 16 || self->height < 16)
			ok = media_invalid(error, "the video's frame size is missing or too small");
		else if (!GST_CLOCK_TIME_IS_VALID(self->duration) ||
			 self->duration < GST_SECOND / 10)
			ok = media_invalid(error,
					   "the video has no duration: the file is incomplete or "
					   "not a video");
	}
	if (ok && audios != NULL) {
		GstDiscovererAudioInfo *audio = audios->data;
		g_autoptr(GstCaps) caps =
		    gst_discoverer_stream_info_get_caps(GST_DISCOVERER_STREAM_INFO(audio));
		self->has_audio = TRUE;
		self->audio_channels = gst_discoverer_audio_info_get_channels(audio);
		self->audio_rate = gst_discoverer_audio_info_get_sample_rate(audio);
		self->audio_codec = describe_caps(caps);
	}
	if (ok && top != NULL && GST_IS_DISCOVERER_CONTAINER_INFO(top)) {
		g_autoptr(GstCaps) caps = gst_discoverer_stream_info_get_caps(top);
		self->container = describe_caps(caps);
	}
	g_clear_pointer(&top, g_object_unref);
	gst_discoverer_stream_info_list_free(videos);
	gst_discoverer_stream_info_list_free(audios);
	if (!ok)
		return NULL;
	return g_steal_pointer(&self);
}

VfMediaProbe *
vf_media_probe_file(const gchar *path, guint timeout_s, GError **error)
{
	g_autoptr(GstDiscoverer) discoverer = NULL;
	g_autoptr(GstDiscovererInfo) info = NULL;
	g_autoptr(GError) local = NULL;
	g_autofree gchar *uri = NULL;
	GStatBuf st;

	g_return_val_if_fail(path != NULL, NULL);

	if (!gst_is_initialized())
		gst_init(NULL, NULL);
	if (g_stat(path, &st) != 0) {
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_NOT_FOUND,
			    "the file %s does not exist or cannot be read",
			    path);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		media_invalid(error, "the upload is not a regular file");
		return NULL;
	}
	if (st.st_size == 0) {
		media_invalid(error, "the file is empty");
		return NULL;
	}
	uri = gst_filename_to_uri(path, &local);
	if (uri == NULL) {
		g_set_error(error, VF_ERROR, VF_ERROR_INTERNAL, "%s", local->message);
		return NULL;
	}
	discoverer = gst_discoverer_new((GstClockTime)timeout_s * GST_SECOND, &local);
	if (discoverer == NULL) {
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_INTERNAL,
			    "cannot create a discoverer: %s",
			    local->message);
		return NULL;
	}
	info = gst_discoverer_discover_uri(discoverer, uri, &local);
	if (info == NULL) {
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_MEDIA_INVALID,
			    "the file could not be read as a video: %s",
			    local != NULL ? local->message : "unknown error");
		return NULL;
	}
	switch (gst_discoverer_info_get_result(info)) {
	case GST_DISCOVERER_OK:
		break;
	case GST_DISCOVERER_URI_INVALID:
		media_invalid(error, "the file name cannot be opened as a media source");
		return NULL;
	case GST_DISCOVERER_TIMEOUT:
		media_invalid(error, timeout_message);
		return NULL;
	case GST_DISCOVERER_BUSY:
		g_set_error_literal(error, VF_ERROR, VF_ERROR_INTERNAL, "the discoverer is busy");
		return NULL;
	case GST_DISCOVERER_MISSING_PLUGINS: {
		const gchar **details =
		    gst_discoverer_info_get_missing_elements_installer_details(info);
		g_autofree gchar *what =
		    details != NULL ? g_strjoinv(", ", (gchar **)details) : NULL;
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_MEDIA_INVALID,
			    "the video uses a format this server cannot decode%s%s%s",
			    what != NULL ? " (" : "",
			    what != NULL ? what : "",
			    what != NULL ? ")" : "");
		return NULL;
	}
	case GST_DISCOVERER_ERROR:
	default:
		if (local != NULL &&
		    g_error_matches(local, GST_STREAM_ERROR, GST_STREAM_ERROR_TYPE_NOT_FOUND))
			media_invalid(error,
				      "the file is not a video: its format is not recognised");
		else if (local != NULL &&
			 g_error_matches(local, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND))
			g_set_error(error,
				    VF_ERROR,
				    VF_ERROR_NOT_FOUND,
				    "the file %s does not exist",
				    path);
		else
			g_set_error(error,
				    VF_ERROR,
				    VF_ERROR_MEDIA_INVALID,
				    "the file is damaged or not a video: %s",
				    local != NULL ? local->message : "unknown error");
		return NULL;
	}
	return probe_from_info(info, error);
}

typedef struct {
	gchar *path;
	guint timeout_s;
} ProbeData;

static void
probe_data_free(ProbeData *data)
{
	g_free(data->path);
	g_free(data);
}

static void
probe_thread(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
	ProbeData *data = task_data;
	GError *error = NULL;
	VfMediaProbe *probe = vf_media_probe_file(data->path, data->timeout_s, &error);
	if (probe == NULL)
		g_task_return_error(task, error);
	else
		g_task_return_pointer(task, probe, (GDestroyNotify)vf_media_probe_free);
}

void
vf_media_probe_file_async(const gchar *path,
			  guint timeout_s,
			  GCancellable *cancellable,
			  GAsyncReadyCallback callback,
			  gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(NULL, cancellable, callback, user_data);
	ProbeData *data = g_new0(ProbeData, 1);

	g_task_set_source_tag(task, vf_media_probe_file_async);
	data->path = g_strdup(path);
	data->timeout_s = timeout_s;
	g_task_set_task_data(task, data, (GDestroyNotify)probe_data_free);
	g_task_run_in_thread(task, probe_thread);
}

gboolean
vf_media_probe_error_is_timeout(const GError *error)
{
	return g_error_matches(error, VF_ERROR, VF_ERROR_MEDIA_INVALID) &&
	       g_str_equal(error->message, timeout_message);
}

VfMediaProbe *
vf_media_probe_file_finish(GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, NULL), NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}

JsonNode *
vf_media_probe_to_json(const VfMediaProbe *self)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();

	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "duration");
	json_builder_add_double_value(builder, vf_media_probe_get_duration_seconds(self));
	json_builder_set_member_name(builder, "width");
	json_builder_add_int_value(builder, self->width);
	json_builder_set_member_name(builder, "height");
	json_builder_add_int_value(builder, self->height);
	json_builder_set_member_name(builder, "display_aspect");
	json_builder_add_double_value(builder, vf_media_probe_get_display_aspect(self));
	json_builder_set_member_name(builder, "frame_rate");
	json_builder_add_double_value(builder,
				      self->fps_n > 0 ? (gdouble)self->fps_n / self->fps_d : 0.0);
	json_builder_set_member_name(builder, "video_codec");
	json_builder_add_string_value(builder, self->video_codec);
	json_builder_set_member_name(builder, "container");
	json_builder_add_string_value(builder, self->container);
	json_builder_set_member_name(builder, "has_audio");
	json_builder_add_boolean_value(builder, self->has_audio);
	if (self->has_audio) {
		json_builder_set_member_name(builder, "audio_codec");
		json_builder_add_string_value(builder, self->audio_codec);
		json_builder_set_member_name(builder, "audio_channels");
		json_builder_add_int_value(builder, self->audio_channels);
		json_builder_set_member_name(builder, "audio_rate");
		json_builder_add_int_value(builder, self->audio_rate);
	}
	json_builder_end_object(builder);
	return json_builder_get_root(builder);
}
