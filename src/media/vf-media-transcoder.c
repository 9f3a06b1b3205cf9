/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The ladder pipeline. Built from text with named elements (structure only, every value set
 * as a property), watched from the caller's main context: bus messages, a 1 s tick for
 * progress, the stall watchdog, the time limit and per-branch EOS (1.22 can sit at EOS
 * forever, PITFALLS §8). Streaming threads only touch the refcounted Run under its lock.
 */
#include "config.h"

#include "vf-media-transcoder.h"

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <math.h>
#include <string.h>

#include "vf-error.h"

/* per rendition; position/eos/codec are written by streaming threads */
typedef struct {
	const VfMediaRendition *rendition; /* owned by the ladder */
	gchar *dir;
	guint width;
	guint height;
	GstSegment segment;    /* protected by lock */
	GstClockTime position; /* running time of the last encoded frame; protected by lock */
	gboolean video_eos;    /* protected by lock */
	gboolean audio_eos;    /* protected by lock */
	gchar *codec;	       /* "avc1.64001f" from the first SPS; protected by lock */
} Branch;

typedef struct {
	GMutex lock;
	GPtrArray *branches; /* of Branch */
	gboolean has_audio;
	gint activity; /* atomic: buffers seen leaving the encoders */
} Run;

struct _VfMediaTranscoder {
	GObject parent_instance;
	VfMediaLadder *ladder;
	guint stall_timeout;
	guint time_limit;
	guint teardown_timeout;

	/* the current run, on the caller's context */
	GTask *task;
	GMainContext *context;
	Run *run;
	GstElement *pipeline;
	VfMediaProbe *probe;
	gchar *outdir;
	gboolean created_outdir;
	GSource *bus_source;
	GSource *tick_source;
	GSource *cancel_source;
	GSource *teardown_timeout_source;
	gpointer teardown; /* Teardown, while waiting for it */
	GError *error;	   /* why the run ends; NULL = it ended at EOS */
	gboolean stopping;
	gint64 started_us;
	gint64 last_activity_us;
	gint last_activity;
	gint64 all_eos_us;
	gint64 last_progress_us;
};

G_DEFINE_TYPE(VfMediaTranscoder, vf_media_transcoder, G_TYPE_OBJECT)

enum { SIGNAL_PROGRESS, SIGNAL_LAST };
static guint signals[SIGNAL_LAST] = {0};

static gint pending_teardowns = 0; /* atomic */

static void
branch_free(Branch *branch)
{
	g_free(branch->dir);
	g_free(branch->codec);
	g_free(branch);
}

static void
run_clear(Run *run)
{
	g_mutex_clear(&run->lock);
	g_ptr_array_unref(run->branches);
}

static Run *
run_new(void)
{
	Run *run = g_atomic_rc_box_new0(Run);
	g_mutex_init(&run->lock);
	run->branches = g_ptr_array_new_with_free_func((GDestroyNotify)branch_free);
	return run;
}

static Run *
run_ref(Run *run)
{
	return g_atomic_rc_box_acquire(run);
}

static void
run_unref(Run *run)
{
	g_atomic_rc_box_release_full(run, (GDestroyNotify)run_clear);
}

void
vf_media_transcode_result_free(VfMediaTranscodeResult *self)
{
	if (self == NULL)
		return;
	g_ptr_array_unref(self->variants);
	g_free(self);
}

guint
vf_media_transcoder_get_pending_teardowns(void)
{
	return (guint)g_atomic_int_get(&pending_teardowns);
}

/* ---- streaming-thread side ---- */

typedef struct {
	Run *run;
	Branch *branch;
} ProbeData;

static void
probe_data_free(ProbeData *data)
{
	run_unref(data->run);
	g_free(data);
}

/* "avc1.PPCCLL" from the first SPS NAL of an Annex B buffer */
static gchar *
codec_from_annexb(const guint8 *data, gsize size)
{
	for (gsize i = 0; i + 6 < size; i++) {
		if (data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1 &&
		    (data[i + 3] & 0x1f) == 7)
			return g_strdup_printf(
			    "avc1.%02x%02x%02x", data[i + 4], data[i + 5], data[i + 6]);
	}
	return NULL;
}

static GstPadProbeReturn
video_probe_cb(GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
	ProbeData *data = user_data;
	Branch *branch = data->branch;
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&data->run->lock);

	if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
		GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER(info);
		GstClockTime ts = GST_BUFFER_DTS_OR_PTS(buffer);
		if (GST_CLOCK_TIME_IS_VALID(ts)) {
			GstClockTime rt =
			    gst_segment_to_running_time(&branch->segment, GST_FORMAT_TIME, ts);
			if (GST_CLOCK_TIME_IS_VALID(rt)) {
				if (GST_BUFFER_DURATION_IS_VALID(buffer))
					rt += GST_BUFFER_DURATION(buffer);
				if (!GST_CLOCK_TIME_IS_VALID(branch->position) ||
				    rt > branch->position)
					branch->position = rt;
			}
		}
		if (branch->codec == NULL) {
			GstMapInfo map;
			if (gst_buffer_map(buffer, &map, GST_MAP_READ)) {
				branch->codec = codec_from_annexb(map.data, map.size);
				gst_buffer_unmap(buffer, &map);
			}
		}
		g_atomic_int_inc(&data->run->activity);
	} else if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
		GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);
		if (GST_EVENT_TYPE(event) == GST_EVENT_SEGMENT)
			gst_event_copy_segment(event, &branch->segment);
		else if (GST_EVENT_TYPE(event) == GST_EVENT_EOS)
			branch->video_eos = TRUE;
	}
	return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
audio_probe_cb(GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
	ProbeData *data = user_data;
	if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
		g_atomic_int_inc(&data->run->activity);
	} else if (GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) == GST_EVENT_EOS) {
		g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&data->run->lock);
		data->branch->audio_eos = TRUE;
	}
	return GST_PAD_PROBE_OK;
}

static void
add_probe(
    Run *run, Branch *branch, GstElement *element, const gchar *pad_name, GstPadProbeCallback cb)
{
	g_autoptr(GstPad) pad = gst_element_get_static_pad(element, pad_name);
	ProbeData *data = g_new0(ProbeData, 1);
	data->run = run_ref(run);
	data->branch = branch;
	gst_pad_add_probe(pad,
			  GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
			  cb,
			  data,
			  (GDestroyNotify)probe_data_free);
}

/* ---- teardown: set_state(NULL) can block (a stuck filesrc, PITFALLS §8), so a thread does it
 * and the run ends when it is done or after teardown_timeout, whichever is first ---- */

typedef struct {
	GstElement *pipeline;
	VfMediaTranscoder *self; /* strong */
	GMainContext *context;
	GThread *thread; /* joined on the context once it is done */
} Teardown;

static void teardown_finished(VfMediaTranscoder *self, gboolean timed_out);

static void
teardown_clear(Teardown *teardown)
{
	g_clear_object(&teardown->self);
	g_main_context_unref(teardown->context);
	g_clear_pointer(&teardown->thread, g_thread_unref);
}

static void
teardown_unref(Teardown *teardown)
{
	g_atomic_rc_box_release_full(teardown, (GDestroyNotify)teardown_clear);
}

static gboolean
teardown_done_cb(gpointer user_data)
{
	Teardown *teardown = user_data;
	/* it has nothing left to do but return: joining leaves no thread exiting behind us */
	if (teardown->thread != NULL)
		g_thread_join(g_steal_pointer(&teardown->thread));
	if (teardown->self->teardown == teardown)
		teardown_finished(teardown->self, FALSE);
	return G_SOURCE_REMOVE;
}

static gpointer
teardown_thread(gpointer user_data)
{
	Teardown *teardown = user_data;
	GSource *source;

	gst_element_set_state(teardown->pipeline, GST_STATE_NULL);
	gst_clear_object(&teardown->pipeline);
	g_atomic_int_add(&pending_teardowns, -1);
	/* a source, not g_main_context_invoke(): that would run the callback in this thread
	 * when nobody iterates the context at this moment; the source owns the reference */
	source = g_idle_source_new();
	g_source_set_callback(source, teardown_done_cb, teardown, (GDestroyNotify)teardown_unref);
	g_source_attach(source, teardown->context);
	g_source_unref(source);
	return NULL;
}

static gboolean
teardown_timeout_cb(gpointer user_data)
{
	VfMediaTranscoder *self = user_data;
	g_message("the pipeline did not stop within %u s; leaving it to a helper thread",
		  self->teardown_timeout);
	g_clear_pointer(&self->teardown_timeout_source, g_source_unref);
	teardown_finished(self, TRUE);
	return G_SOURCE_REMOVE;
}

static void
destroy_source(GSource **source)
{
	if (*source == NULL)
		return;
	g_source_destroy(*source);
	g_clear_pointer(source, g_source_unref);
}

/* ends the run: the pipeline goes down, then teardown_finished() completes the task */
static void
stop_run(VfMediaTranscoder *self, GError *error)
{
	Teardown *teardown;

	if (self->stopping) {
		if (error != NULL)
			g_error_free(error);
		return;
	}
	self->stopping = TRUE;
	self->error = error;
	destroy_source(&self->bus_source);
	destroy_source(&self->tick_source);
	destroy_source(&self->cancel_source);

	teardown = g_atomic_rc_box_new0(Teardown);
	teardown->pipeline = g_steal_pointer(&self->pipeline);
	teardown->self = g_object_ref(self);
	teardown->context = g_main_context_ref(self->context);
	self->teardown = teardown; /* borrowed: the thread's reference keeps it alive */
	g_atomic_int_inc(&pending_teardowns);
	teardown->thread = g_thread_new("vf-teardown", teardown_thread, teardown);
	self->teardown_timeout_source = g_timeout_source_new_seconds(self->teardown_timeout);
	g_source_set_callback(self->teardown_timeout_source, teardown_timeout_cb, self, NULL);
	g_source_attach(self->teardown_timeout_source, self->context);
}

static void
remove_output(VfMediaTranscoder *self)
{
	g_autofree gchar *master = g_build_filename(self->outdir, "master.m3u8", NULL);

	for (guint i = 0; i < self->run->branches->len; i++) {
		Branch *branch = g_ptr_array_index(self->run->branches, i);
		g_autoptr(GDir) dir = g_dir_open(branch->dir, 0, NULL);
		const gchar *name;
		while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
			g_autofree gchar *file = g_build_filename(branch->dir, name, NULL);
			g_unlink(file);
		}
		g_rmdir(branch->dir);
	}
	g_unlink(master);
	if (self->created_outdir)
		g_rmdir(self->outdir);
}

static gboolean
check_and_finalize(VfMediaTranscoder *self, VfMediaTranscodeResult **out, GError **error)
{
	g_autoptr(VfMediaTranscodeResult) result = g_new0(VfMediaTranscodeResult, 1);
	g_autofree gchar *master = g_build_filename(self->outdir, "master.m3u8", NULL);
	gdouble expected = vf_media_probe_get_duration_seconds(self->probe);
	/* a source without a fixed rate went through videorate at 30/1 (configure()) */
	gdouble fps =
	    self->probe->fps_n > 0 ? (gdouble)self->probe->fps_n / self->probe->fps_d : 30;
	guint segments = 0;

	result->variants = g_ptr_array_new_with_free_func((GDestroyNotify)vf_media_variant_free);
	result->has_audio = self->run->has_audio;
	result->duration = G_MAXDOUBLE;
	for (guint i = 0; i < self->run->branches->len; i++) {
		Branch *branch = g_ptr_array_index(self->run->branches, i);
		g_autofree gchar *path = g_build_filename(branch->dir, "index.m3u8", NULL);
		g_autoptr(VfMediaPlaylist) playlist = vf_media_playlist_load(path, error);
		g_autoptr(VfMediaVariant) variant = g_new0(VfMediaVariant, 1);
		gdouble duration;

		if (playlist == NULL) {
			g_prefix_error(error, "rendition %s: ", branch->rendition->name);
			return FALSE;
		}
		duration = vf_media_playlist_get_duration(playlist);
		if (!playlist->ended || playlist->segments->len == 0) {
			g_set_error(error,
				    VF_ERROR,
				    VF_ERROR_INTERNAL,
				    "rendition %s: the playlist is unfinished",
				    branch->rendition->name);
			return FALSE;
		}
		if (fabs(duration - expected) > 1.0) {
			g_set_error(error,
				    VF_ERROR,
				    VF_ERROR_MEDIA_INVALID,
				    "the video ends early: %.1f s of %.1f s could be decoded "
				    "(the file is truncated or damaged)",
				    duration,
				    expected);
			return FALSE;
		}
		if (i > 0 && playlist->segments->len != segments) {
			g_set_error(error,
				    VF_ERROR,
				    VF_ERROR_INTERNAL,
				    "renditions differ in segment count (%u and %u in %s)",
				    segments,
				    playlist->segments->len,
				    branch->rendition->name);
			return FALSE;
		}
		segments = playlist->segments->len;
		variant->name = g_strdup(branch->rendition->name);
		variant->width = branch->width;
		variant->height = branch->height;
		variant->frame_rate = fps;
		{
			g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&self->run->lock);
			variant->codecs =
			    g_strdup_printf("%s%s",
					    branch->codec != NULL ? branch->codec : "avc1.640028",
					    self->run->has_audio ? ",mp4a.40.2" : "");
		}
		if (!vf_media_variant_measure(variant, path, error))
			return FALSE;
		if (!vf_media_playlist_make_vod(path, error))
			return FALSE;
		result->duration = MIN(result->duration, duration);
		g_ptr_array_add(result->variants, g_steal_pointer(&variant));
	}
	if (!vf_media_master_write(master, result->variants, error))
		return FALSE;
	*out = g_steal_pointer(&result);
	return TRUE;
}

static void
run_reset(VfMediaTranscoder *self)
{
	g_clear_pointer(&self->run, run_unref);
	g_clear_pointer(&self->probe, vf_media_probe_free);
	g_clear_pointer(&self->outdir, g_free);
	g_clear_pointer(&self->context, g_main_context_unref);
	g_clear_error(&self->error);
	self->teardown = NULL;
	self->stopping = FALSE;
	self->created_outdir = FALSE;
}

static void
teardown_finished(VfMediaTranscoder *self, gboolean timed_out)
{
	g_autoptr(GTask) task = g_steal_pointer(&self->task);
	VfMediaTranscodeResult *result = NULL;
	GError *error = g_steal_pointer(&self->error);

	self->teardown = NULL;
	destroy_source(&self->teardown_timeout_source);
	if (error == NULL && timed_out)
		error =
		    g_error_new(VF_ERROR,
				VF_ERROR_INTERNAL,
				"the pipeline did not stop within %u s after the end of the video",
				self->teardown_timeout);
	if (error == NULL && !check_and_finalize(self, &result, &error))
		g_debug("output check failed: %s", error->message);
	if (error != NULL) {
		remove_output(self);
		g_task_return_error(task, error);
	} else {
		g_task_return_pointer(task, result, (GDestroyNotify)vf_media_transcode_result_free);
	}
	run_reset(self);
}

/* ---- main-context side: bus, tick, cancel ---- */

static GError *
error_from_message(GstMessage *msg)
{
	g_autoptr(GError) gerror = NULL;
	g_autofree gchar *debug = NULL;
	g_autofree gchar *name = gst_object_get_path_string(GST_MESSAGE_SRC(msg));
	gint code = VF_ERROR_INTERNAL;

	gst_message_parse_error(msg, &gerror, &debug);
	g_debug("bus error from %s: %s (%s)", name, gerror->message, debug);
	if (gerror->domain == GST_STREAM_ERROR &&
	    (gerror->code == GST_STREAM_ERROR_DECODE || gerror->code == GST_STREAM_ERROR_DEMUX ||
	     gerror->code == GST_STREAM_ERROR_FORMAT ||
	     gerror->code == GST_STREAM_ERROR_TYPE_NOT_FOUND ||
	     gerror->code == GST_STREAM_ERROR_CODEC_NOT_FOUND ||
	     gerror->code == GST_STREAM_ERROR_WRONG_TYPE))
		code = VF_ERROR_MEDIA_INVALID;
	return g_error_new(VF_ERROR, code, "%s: %s", GST_MESSAGE_SRC_NAME(msg), gerror->message);
}

static gboolean
bus_cb(GstBus *bus, GstMessage *msg, gpointer user_data)
{
	VfMediaTranscoder *self = user_data;

	switch (GST_MESSAGE_TYPE(msg)) {
	case GST_MESSAGE_ERROR:
		stop_run(self, error_from_message(msg));
		return G_SOURCE_REMOVE;
	case GST_MESSAGE_EOS:
		g_debug("EOS on the bus");
		stop_run(self, NULL);
		return G_SOURCE_REMOVE;
	case GST_MESSAGE_WARNING: {
		g_autoptr(GError) gerror = NULL;
		gst_message_parse_warning(msg, &gerror, NULL);
		g_info("%s: %s", GST_MESSAGE_SRC_NAME(msg), gerror->message);
		break;
	}
	default:
		break;
	}
	return G_SOURCE_CONTINUE;
}

static gboolean
tick_cb(gpointer user_data)
{
	VfMediaTranscoder *self = user_data;
	gint64 now = g_get_monotonic_time();
	gint activity = g_atomic_int_get(&self->run->activity);
	GstClockTime position = GST_CLOCK_TIME_NONE;
	gboolean all_eos = TRUE;
	gdouble duration = vf_media_probe_get_duration_seconds(self->probe);
	guint limit = self->time_limit;

	{
		g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&self->run->lock);
		for (guint i = 0; i < self->run->branches->len; i++) {
			Branch *branch = g_ptr_array_index(self->run->branches, i);
			GstClockTime p =
			    GST_CLOCK_TIME_IS_VALID(branch->position) ? branch->position : 0;
			position = GST_CLOCK_TIME_IS_VALID(position) ? MIN(position, p) : p;
			if (!branch->video_eos || (self->run->has_audio && !branch->audio_eos))
				all_eos = FALSE;
		}
	}
	if (activity != self->last_activity) {
		self->last_activity = activity;
		self->last_activity_us = now;
	}
	if (now - self->last_progress_us >= 900 * G_TIME_SPAN_MILLISECOND) {
		gdouble seconds = (gdouble)position / GST_SECOND;
		self->last_progress_us = now;
		g_signal_emit(self, signals[SIGNAL_PROGRESS], 0, MIN(seconds, duration), duration);
	}
	/* every branch has ended: bus EOS should follow at once; 1.22 sometimes never sends it */
	if (all_eos) {
		if (self->all_eos_us == 0)
			self->all_eos_us = now;
		else if (now - self->all_eos_us >= 3 * G_TIME_SPAN_SECOND) {
			g_debug("all branches saw EOS but the bus did not: finishing anyway");
			stop_run(self, NULL);
			return G_SOURCE_REMOVE;
		}
	}
	if (now - self->last_activity_us >= (gint64)self->stall_timeout * G_TIME_SPAN_SECOND) {
		stop_run(
		    self,
		    g_error_new(VF_ERROR,
				VF_ERROR_INTERNAL,
				"the transcode stalled: no progress for %u s at %.1f s of %.1f s",
				self->stall_timeout,
				(gdouble)position / GST_SECOND,
				duration));
		return G_SOURCE_REMOVE;
	}
	if (limit == 0)
		limit = 120 + (guint)(20 * duration);
	if (now - self->started_us >= (gint64)limit * G_TIME_SPAN_SECOND) {
		stop_run(self,
			 g_error_new(VF_ERROR,
				     VF_ERROR_INTERNAL,
				     "the transcode took longer than its limit of %u s",
				     limit));
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static gboolean
cancelled_cb(GCancellable *cancellable, gpointer user_data)
{
	VfMediaTranscoder *self = user_data;
	stop_run(
	    self,
	    g_error_new_literal(G_IO_ERROR, G_IO_ERROR_CANCELLED, "the transcode was cancelled"));
	return G_SOURCE_REMOVE;
}

/* ---- building ---- */

static gchar *
pipeline_description(guint branches, gboolean has_audio, gboolean fixed_rate)
{
	g_autoptr(GString) text = g_string_new("filesrc name=src ! decodebin name=dec\n");

	g_string_append(text, "dec. ! video/x-raw ! ");
	if (!fixed_rate)
		g_string_append(text, "videorate name=rate ! capsfilter name=ratecaps ! ");
	g_string_append(text, "tee name=vtee\n");
	for (guint i = 0; i < branches; i++)
		g_string_append_printf(text,
				       "vtee. ! queue name=vq%u ! videoscale name=scale%u ! "
				       "videoconvert name=convert%u ! capsfilter name=caps%u ! "
				       "x264enc name=enc%u ! capsfilter name=profile%u ! "
				       "h264parse name=parse%u ! sink%u.video "
				       "hlssink2 name=sink%u\n",
				       i,
				       i,
				       i,
				       i,
				       i,
				       i,
				       i,
				       i,
				       i);
	if (has_audio) {
		g_string_append(text,
				"dec. ! audio/x-raw ! queue name=aq ! audioconvert ! "
				"audioresample ! capsfilter name=acaps ! avenc_aac name=aenc ! "
				"aacparse ! tee name=atee\n");
		for (guint i = 0; i < branches; i++)
			g_string_append_printf(
			    text, "atee. ! queue name=aq%u ! sink%u.audio\n", i, i);
	}
	return g_string_free(g_steal_pointer(&text), FALSE);
}

static GstElement *
by_name(GstElement *pipeline, const gchar *format, guint index)
{
	g_autofree gchar *name = g_strdup_printf(format, index);
	GstElement *element = gst_bin_get_by_name(GST_BIN(pipeline), name);
	g_assert(element != NULL); /* the names come from pipeline_description() */
	return element;
}

static gboolean
configure(VfMediaTranscoder *self, const gchar *input, GError **error)
{
	VfMediaLadder *ladder = self->ladder;
	GstElement *pipeline = self->pipeline;
	g_autoptr(GstElement) src = by_name(pipeline, "src", 0);
	guint fps_n = self->probe->fps_n;
	guint fps_d = self->probe->fps_d;
	guint keyint;

	g_object_set(src, "location", input, NULL);
	if (fps_n == 0) {
		g_autoptr(GstElement) rate = by_name(pipeline, "ratecaps", 0);
		g_autoptr(GstCaps) caps = NULL;
		fps_n = 30, fps_d = 1;
		caps = gst_caps_new_simple(
		    "video/x-raw", "framerate", GST_TYPE_FRACTION, fps_n, fps_d, NULL);
		g_object_set(rate, "caps", caps, NULL);
	}
	keyint = (guint)MAX(1, lround((gdouble)fps_n / fps_d * ladder->keyframe_interval));

	for (guint i = 0; i < self->run->branches->len; i++) {
		Branch *branch = g_ptr_array_index(self->run->branches, i);
		const VfMediaRendition *r = branch->rendition;
		g_autoptr(GstElement) queue = by_name(pipeline, "vq%u", i);
		g_autoptr(GstElement) scale = by_name(pipeline, "scale%u", i);
		g_autoptr(GstElement) capsfilter = by_name(pipeline, "caps%u", i);
		g_autoptr(GstElement) enc = by_name(pipeline, "enc%u", i);
		g_autoptr(GstElement) profile = by_name(pipeline, "profile%u", i);
		g_autoptr(GstElement) sink = by_name(pipeline, "sink%u", i);
		g_autoptr(GstElement) parse = by_name(pipeline, "parse%u", i);
		g_autoptr(GstCaps) caps = NULL;
		g_autoptr(GstCaps) pcaps = NULL;
		/* location is a printf pattern: a "%" in the folder name must not be one */
		g_autoptr(GString) escaped = g_string_new(branch->dir);
		g_autofree gchar *location = NULL;
		g_autofree gchar *playlist = g_build_filename(branch->dir, "index.m3u8", NULL);

		g_string_replace(escaped, "%", "%%", 0);
		location = g_build_filename(escaped->str, "seg_%05d.ts", NULL);
		/* a raw 1080p frame is 3 MB: bound the queue by bytes, not only by time */
		g_object_set(queue,
			     "max-size-buffers",
			     0,
			     "max-size-time",
			     (guint64)GST_SECOND,
			     "max-size-bytes",
			     (guint)(8 * 1024 * 1024),
			     NULL);
		gst_util_set_object_arg(G_OBJECT(scale), "method", "lanczos");
		caps = gst_caps_new_simple("video/x-raw",
					   "format",
					   G_TYPE_STRING,
					   "I420",
					   "width",
					   G_TYPE_INT,
					   (gint)branch->width,
					   "height",
					   G_TYPE_INT,
					   (gint)branch->height,
					   "pixel-aspect-ratio",
					   GST_TYPE_FRACTION,
					   1,
					   1,
					   "colorimetry",
					   G_TYPE_STRING,
					   "bt709",
					   "chroma-site",
					   G_TYPE_STRING,
					   "mpeg2",
					   NULL);
		g_object_set(capsfilter, "caps", caps, NULL);
		g_object_set(enc,
			     "bitrate",
			     r->video_bitrate,
			     "vbv-buf-capacity",
			     r->vbv_buffer,
			     "key-int-max",
			     keyint,
			     "option-string",
			     "scenecut=0",
			     "threads",
			     ladder->encoder_threads,
			     NULL);
		gst_util_set_object_arg(G_OBJECT(enc), "speed-preset", r->speed_preset);
		pcaps =
		    gst_caps_new_simple("video/x-h264", "profile", G_TYPE_STRING, r->profile, NULL);
		g_object_set(profile, "caps", pcaps, NULL);
		g_object_set(sink,
			     "location",
			     location,
			     "playlist-location",
			     playlist,
			     "max-files",
			     0,
			     "playlist-length",
			     0,
			     "target-duration",
			     ladder->segment_duration,
			     NULL);
		add_probe(self->run, branch, parse, "src", video_probe_cb);
		if (self->run->has_audio) {
			g_autoptr(GstElement) aq = by_name(pipeline, "aq%u", i);
			add_probe(self->run, branch, aq, "src", audio_probe_cb);
		}
	}
	if (self->run->has_audio) {
		g_autoptr(GstElement) acaps = by_name(pipeline, "acaps", 0);
		g_autoptr(GstElement) aenc = by_name(pipeline, "aenc", 0);
		g_autoptr(GstCaps) caps = NULL;
		gint rate = self->probe->audio_rate == 44100 ? 44100 : 48000;
		caps = gst_caps_new_simple(
		    "audio/x-raw", "channels", G_TYPE_INT, 2, "rate", G_TYPE_INT, rate, NULL);
		g_object_set(acaps, "caps", caps, NULL);
		g_object_set(
		    aenc, "bitrate", (gint)vf_media_ladder_get_audio_bitrate(ladder) * 1000, NULL);
	}
	return TRUE;
}

static gboolean
prepare_output(VfMediaTranscoder *self, GError **error)
{
	gdouble aspect = vf_media_probe_get_display_aspect(self->probe);
	VfMediaLadder *ladder = self->ladder;
	guint tallest_fitting = 0;

	if (!g_file_test(self->outdir, G_FILE_TEST_IS_DIR)) {
		if (g_mkdir_with_parents(self->outdir, 0755) != 0) {
			g_set_error(error,
				    VF_ERROR,
				    VF_ERROR_INTERNAL,
				    "cannot create %s: %s",
				    self->outdir,
				    g_strerror(errno));
			return FALSE;
		}
		self->created_outdir = TRUE;
	}
	/* without upscaling, the smallest rendition is still produced for a tiny source */
	for (guint i = 0; i < ladder->renditions->len; i++) {
		VfMediaRendition *r = g_ptr_array_index(ladder->renditions, i);
		if (r->height <= self->probe->height)
			tallest_fitting = MAX(tallest_fitting, r->height);
	}
	for (guint i = 0; i < ladder->renditions->len; i++) {
		VfMediaRendition *r = g_ptr_array_index(ladder->renditions, i);
		Branch *branch;
		if (!ladder->upscale && r->height > self->probe->height) {
			guint smallest = G_MAXUINT;
			for (guint j = 0; j < ladder->renditions->len; j++) {
				VfMediaRendition *o = g_ptr_array_index(ladder->renditions, j);
				smallest = MIN(smallest, o->height);
			}
			if (!(tallest_fitting == 0 && r->height == smallest))
				continue;
		}
		branch = g_new0(Branch, 1);
		branch->rendition = r;
		branch->dir = g_build_filename(self->outdir, r->name, NULL);
		branch->height = r->height;
		branch->width = (guint)MAX(2, lround(r->height * aspect / 2.0) * 2);
		branch->position = GST_CLOCK_TIME_NONE;
		gst_segment_init(&branch->segment, GST_FORMAT_TIME);
		g_ptr_array_add(self->run->branches, branch);
	}
	/* remove whatever an earlier attempt left, then start empty */
	remove_output(self);
	for (guint i = 0; i < self->run->branches->len; i++) {
		Branch *branch = g_ptr_array_index(self->run->branches, i);
		if (g_mkdir_with_parents(branch->dir, 0755) != 0) {
			g_set_error(error,
				    VF_ERROR,
				    VF_ERROR_INTERNAL,
				    "cannot create %s: %s",
				    branch->dir,
				    g_strerror(errno));
			return FALSE;
		}
	}
	return TRUE;
}

void
vf_media_transcoder_run_async(VfMediaTranscoder *self,
			      const gchar *input,
			      const VfMediaProbe *probe,
			      const gchar *outdir,
			      GCancellable *cancellable,
			      GAsyncReadyCallback callback,
			      gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
	g_autoptr(GError) error = NULL;
	g_autoptr(GstBus) bus = NULL;
	g_autofree gchar *description = NULL;

	g_return_if_fail(VF_IS_MEDIA_TRANSCODER(self));
	g_return_if_fail(input != NULL && probe != NULL && outdir != NULL);

	g_task_set_source_tag(task, vf_media_transcoder_run_async);
	if (self->task != NULL || self->teardown != NULL) {
		g_task_return_new_error(
		    task, VF_ERROR, VF_ERROR_INTERNAL, "a transcode is already running");
		return;
	}
	if (g_task_return_error_if_cancelled(task))
		return;
	if (!gst_is_initialized())
		gst_init(NULL, NULL);

	self->context = g_main_context_ref_thread_default();
	self->probe = vf_media_probe_copy(probe);
	self->outdir = g_strdup(outdir);
	self->run = run_new();
	self->run->has_audio = probe->has_audio;
	if (!prepare_output(self, &error)) {
		remove_output(self);
		run_reset(self);
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	description =
	    pipeline_description(self->run->branches->len, probe->has_audio, probe->fps_n > 0);
	g_debug("pipeline: %s", description);
	self->pipeline =
	    gst_parse_launch_full(description, NULL, GST_PARSE_FLAG_FATAL_ERRORS, &error);
	if (self->pipeline == NULL) {
		remove_output(self);
		run_reset(self);
		g_task_return_new_error(
		    task,
		    VF_ERROR,
		    VF_ERROR_INTERNAL,
		    "cannot build the ladder pipeline (missing GStreamer plugin?): %s",
		    error->message);
		return;
	}
	gst_object_ref_sink(self->pipeline);
	configure(self, input, NULL);

	self->task = g_steal_pointer(&task);
	self->started_us = g_get_monotonic_time();
	self->last_activity_us = self->started_us;
	self->last_progress_us = self->started_us;
	self->last_activity = 0;
	self->all_eos_us = 0;
	bus = gst_element_get_bus(self->pipeline);
	self->bus_source = gst_bus_create_watch(bus);
	g_source_set_callback(self->bus_source, (GSourceFunc)(void (*)(void))bus_cb, self, NULL);
	g_source_attach(self->bus_source, self->context);
	self->tick_source = g_timeout_source_new(1000);
	g_source_set_callback(self->tick_source, tick_cb, self, NULL);
	g_source_attach(self->tick_source, self->context);
	if (cancellable != NULL) {
		self->cancel_source = g_cancellable_source_new(cancellable);
		g_source_set_callback(
		    self->cancel_source, (GSourceFunc)(void (*)(void))cancelled_cb, self, NULL);
		g_source_attach(self->cancel_source, self->context);
	}
	if (gst_element_set_state(self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
		stop_run(self,
			 g_error_new_literal(
			     VF_ERROR, VF_ERROR_INTERNAL, "the ladder pipeline failed to start"));
}

VfMediaTranscodeResult *
vf_media_transcoder_run_finish(VfMediaTranscoder *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}

JsonNode *
vf_media_transcode_result_to_json(const VfMediaTranscodeResult *self)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();

	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "duration");
	json_builder_add_double_value(builder, self->duration);
	json_builder_set_member_name(builder, "has_audio");
	json_builder_add_boolean_value(builder, self->has_audio);
	json_builder_set_member_name(builder, "renditions");
	json_builder_begin_array(builder);
	for (guint i = 0; i < self->variants->len; i++) {
		VfMediaVariant *v = g_ptr_array_index(self->variants, i);
		json_builder_begin_object(builder);
		json_builder_set_member_name(builder, "name");
		json_builder_add_string_value(builder, v->name);
		json_builder_set_member_name(builder, "width");
		json_builder_add_int_value(builder, v->width);
		json_builder_set_member_name(builder, "height");
		json_builder_add_int_value(builder, v->height);
		json_builder_set_member_name(builder, "bandwidth");
		json_builder_add_int_value(builder, (gint64)v->bandwidth);
		json_builder_set_member_name(builder, "average_bandwidth");
		json_builder_add_int_value(builder, (gint64)v->average_bandwidth);
		json_builder_set_member_name(builder, "codecs");
		json_builder_add_string_value(builder, v->codecs);
		json_builder_set_member_name(builder, "segments");
		json_builder_add_int_value(builder, v->segments);
		json_builder_set_member_name(builder, "duration");
		json_builder_add_double_value(builder, v->duration);
		json_builder_end_object(builder);
	}
	json_builder_end_array(builder);
	json_builder_end_object(builder);
	return json_builder_get_root(builder);
}

/* ---- GObject ---- */

static void
vf_media_transcoder_dispose(GObject *object)
{
	VfMediaTranscoder *self = VF_MEDIA_TRANSCODER(object);
	/* a run holds a reference through its task, so nothing is running here */
	g_clear_pointer(&self->ladder, vf_media_ladder_unref);
	G_OBJECT_CLASS(vf_media_transcoder_parent_class)->dispose(object);
}

static void
vf_media_transcoder_class_init(VfMediaTranscoderClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->dispose = vf_media_transcoder_dispose;
	/* position and duration in seconds, about once a second, on the run's context */
	signals[SIGNAL_PROGRESS] = g_signal_new("progress",
						G_TYPE_FROM_CLASS(klass),
						G_SIGNAL_RUN_LAST,
						0,
						NULL,
						NULL,
						NULL,
						G_TYPE_NONE,
						2,
						G_TYPE_DOUBLE,
						G_TYPE_DOUBLE);
}

static void
vf_media_transcoder_init(VfMediaTranscoder *self)
{
	self->stall_timeout = 60;
	self->teardown_timeout = 10;
}

VfMediaTranscoder *
vf_media_transcoder_new(VfMediaLadder *ladder)
{
	VfMediaTranscoder *self = g_object_new(VF_TYPE_MEDIA_TRANSCODER, NULL);
	g_return_val_if_fail(ladder != NULL, NULL);
	self->ladder = vf_media_ladder_ref(ladder);
	self->stall_timeout = ladder->stall_timeout;
	return self;
}

void
vf_media_transcoder_set_stall_timeout(VfMediaTranscoder *self, guint seconds)
{
	g_return_if_fail(VF_IS_MEDIA_TRANSCODER(self));
	self->stall_timeout = MAX(seconds, 1);
}

void
vf_media_transcoder_set_time_limit(VfMediaTranscoder *self, guint seconds)
{
	g_return_if_fail(VF_IS_MEDIA_TRANSCODER(self));
	self->time_limit = seconds;
}

void
vf_media_transcoder_set_teardown_timeout(VfMediaTranscoder *self, guint seconds)
{
	g_return_if_fail(VF_IS_MEDIA_TRANSCODER(self));
	self->teardown_timeout = MAX(seconds, 1);
}
