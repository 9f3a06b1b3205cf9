/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Seeks a small decode pipeline (decodebin ! videoconvert ! videoscale ! appsink) to 10 %,
 * 20 %, … of the duration until a frame is not black, then encodes it with
 * gst_video_convert_sample(). Runs on the caller's thread with bounded waits.
 */
#include "config.h"

#include "vf-media-thumbnail.h"

#include <gst/app/gstappsink.h>
#include <gst/video/video.h>
#include <math.h>

#include "vf-error.h"

#define WAIT (10 * GST_SECOND)

/* mean luma of an I420 frame, 0..255 */
static gdouble
mean_luma(GstSample *sample)
{
	GstBuffer *buffer = gst_sample_get_buffer(sample);
	GstVideoInfo info;
	GstVideoFrame frame;
	guint64 sum = 0;
	gdouble mean;

	if (!gst_video_info_from_caps(&info, gst_sample_get_caps(sample)) ||
	    !gst_video_frame_map(&frame, &info, buffer, GST_MAP_READ))
		return 255;
	for (gint y = 0; y < GST_VIDEO_INFO_HEIGHT(&info); y += 4) {
		const guint8 *row = (const guint8 *)GST_VIDEO_FRAME_PLANE_DATA(&frame, 0) +
				    y * GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0);
		for (gint x = 0; x < GST_VIDEO_INFO_WIDTH(&info); x += 4)
			sum += row[x];
	}
	mean = (gdouble)sum /
	       (((GST_VIDEO_INFO_HEIGHT(&info) + 3) / 4) * ((GST_VIDEO_INFO_WIDTH(&info) + 3) / 4));
	gst_video_frame_unmap(&frame);
	return mean;
}

static gboolean
fail(GError **error, const gchar *what)
{
	g_set_error(error, VF_ERROR, VF_ERROR_MEDIA_INVALID, "no poster frame: %s", what);
	return FALSE;
}

gboolean
vf_media_thumbnail_write(const gchar *input,
			 const VfMediaProbe *probe,
			 const gchar *output,
			 guint max_height,
			 GError **error)
{
	g_autoptr(GstElement) pipeline = NULL;
	g_autoptr(GstElement) src = NULL;
	g_autoptr(GstElement) sink = NULL;
	g_autoptr(GstCaps) caps = NULL;
	g_autoptr(GstCaps) jpeg_caps = NULL;
	g_autoptr(GstSample) best = NULL;
	g_autoptr(GstSample) jpeg = NULL;
	g_autoptr(GError) local = NULL;
	gdouble duration = vf_media_probe_get_duration_seconds(probe);
	guint height = probe->height;
	guint width;
	GstMapInfo map;
	gboolean ok;

	g_return_val_if_fail(input != NULL && probe != NULL && output != NULL, FALSE);

	if (!gst_is_initialized())
		gst_init(NULL, NULL);
	if (max_height > 0 && height > max_height)
		height = max_height;
	height &= ~1u;
	width = (guint)MAX(2, lround(height * vf_media_probe_get_display_aspect(probe) / 2) * 2);

	pipeline = gst_parse_launch("filesrc name=src ! decodebin ! videoconvert ! videoscale ! "
				    "appsink name=sink",
				    &local);
	if (pipeline == NULL) {
		g_set_error(error, VF_ERROR, VF_ERROR_INTERNAL, "%s", local->message);
		return FALSE;
	}
	gst_object_ref_sink(pipeline);
	src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
	sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
	g_object_set(src, "location", input, NULL);
	caps = gst_caps_new_simple("video/x-raw",
				   "format",
				   G_TYPE_STRING,
				   "I420",
				   "width",
				   G_TYPE_INT,
				   (gint)width,
				   "height",
				   G_TYPE_INT,
				   (gint)height,
				   "pixel-aspect-ratio",
				   GST_TYPE_FRACTION,
				   1,
				   1,
				   NULL);
	g_object_set(sink, "caps", caps, "sync", FALSE, NULL);

	if (gst_element_set_state(pipeline, GST_STATE_PAUSED) == GST_STATE_CHANGE_FAILURE ||
	    gst_element_get_state(pipeline, NULL, NULL, WAIT) != GST_STATE_CHANGE_SUCCESS) {
		gst_element_set_state(pipeline, GST_STATE_NULL);
		return fail(error, "the video cannot be decoded");
	}
	/* 10 %, 20 %, … 50 %: the first frame that is not (nearly) black */
	for (guint step = 1; step <= 5; step++) {
		g_autoptr(GstSample) sample = NULL;
		gint64 position = (gint64)(duration * step / 10 * GST_SECOND);
		if (!gst_element_seek_simple(pipeline,
					     GST_FORMAT_TIME,
					     GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE,
					     position))
			break;
		if (gst_element_get_state(pipeline, NULL, NULL, WAIT) != GST_STATE_CHANGE_SUCCESS)
			break;
		sample = gst_app_sink_try_pull_preroll(GST_APP_SINK(sink), WAIT);
		if (sample == NULL)
			break;
		if (best == NULL)
			best = gst_sample_ref(sample);
		if (mean_luma(sample) > 24) {
			gst_sample_unref(best);
			best = g_steal_pointer(&sample);
			break;
		}
	}
	if (best == NULL) {
		/* not seekable: take the first frame */
		best = gst_app_sink_try_pull_preroll(GST_APP_SINK(sink), WAIT);
	}
	gst_element_set_state(pipeline, GST_STATE_NULL);
	if (best == NULL)
		return fail(error, "no frame could be decoded");

	jpeg_caps = gst_caps_new_empty_simple("image/jpeg");
	jpeg = gst_video_convert_sample(best, jpeg_caps, WAIT, &local);
	if (jpeg == NULL)
		return fail(error, local != NULL ? local->message : "JPEG encoding failed");
	if (!gst_buffer_map(gst_sample_get_buffer(jpeg), &map, GST_MAP_READ))
		return fail(error, "cannot read the JPEG");
	ok = g_file_set_contents(output, (const gchar *)map.data, (gssize)map.size, &local);
	gst_buffer_unmap(gst_sample_get_buffer(jpeg), &map);
	if (!ok) {
		g_set_error(error, VF_ERROR, VF_ERROR_INTERNAL, "%s", local->message);
		return FALSE;
	}
	return TRUE;
}
