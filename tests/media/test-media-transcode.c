/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The ladder on the table of inputs (aspect ratios, odd sizes, frame rates, audio
 * layouts, codecs and containers), each clip made here with gst-launch-1.0, each output
 * checked with ffprobe; plus the shipped ladder on a busy 1080p clip for bitrate and PSNR.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "vf-media-transcoder.h"
#include "vf-test-media.h"
#include "vf-test-util.h"

static gchar *tmpdir;

/* 4 s of video; audio of the same length */
#define AUDIO_48K_STEREO                                                                           \
	"audiotestsrc num-buffers=200 samplesperbuffer=960 ! "                                     \
	"audio/x-raw,rate=48000,channels=2 ! "

typedef struct {
	const gchar *name; /* file name, also the test path */
	const gchar *clip; /* gst-launch-1.0 description */
	gboolean has_audio;
	VfTestRendition renditions[3];
} InputCase;

static const InputCase input_cases[] = {
    {"landscape-16x9.mp4",
     "videotestsrc num-buffers=100 pattern=smpte ! "
     "video/x-raw,format=I420,width=1280,height=720,framerate=25/1 ! "
     "x264enc speed-preset=ultrafast ! h264parse ! mp4mux name=m ! filesink OUT " AUDIO_48K_STEREO
     "avenc_aac ! aacparse ! m.",
     TRUE,
     {{"144p", 256, 144}, {"240p", 426, 240}, {"360p", 640, 360}}},
    {"classic-4x3-mono.mkv",
     "videotestsrc num-buffers=100 pattern=ball ! "
     "video/x-raw,format=I420,width=640,height=480,framerate=25/1 ! "
     "x264enc speed-preset=ultrafast ! h264parse ! matroskamux name=m ! filesink OUT "
     "audiotestsrc num-buffers=200 samplesperbuffer=960 ! audio/x-raw,rate=48000,channels=1 ! "
     "avenc_aac ! aacparse ! m.",
     TRUE,
     {{"144p", 192, 144}, {"240p", 320, 240}, {"360p", 480, 360}}},
    {"portrait-9x16-surround-44k.mov",
     "videotestsrc num-buffers=120 pattern=smpte ! "
     "video/x-raw,format=I420,width=360,height=640,framerate=30/1 ! "
     "x264enc speed-preset=ultrafast ! h264parse ! qtmux name=m ! filesink OUT "
     "audiotestsrc num-buffers=200 samplesperbuffer=882 ! "
     "audio/x-raw,rate=44100,channels=6,channel-mask=(bitmask)0x3f ! "
     "avenc_aac ! aacparse ! m.",
     TRUE,
     {{"144p", 82, 144}, {"240p", 136, 240}, {"360p", 202, 360}}},
    {"odd-853x479-vp9-60fps.webm",
     "videotestsrc num-buffers=240 pattern=ball ! "
     "video/x-raw,format=I420,width=853,height=479,framerate=60/1 ! "
     "vp9enc deadline=1 cpu-used=8 ! webmmux name=m ! filesink OUT " AUDIO_48K_STEREO
     "opusenc ! m.",
     TRUE,
     {{"144p", 256, 144}, {"240p", 428, 240}, {"360p", 642, 360}}},
    {"mpeg4-no-audio.avi",
     "videotestsrc num-buffers=120 pattern=smpte ! "
     "video/x-raw,format=I420,width=640,height=360,framerate=30/1 ! "
     "avenc_mpeg4 bitrate=2000000 ! mpeg4videoparse ! avimux ! filesink OUT",
     FALSE,
     {{"144p", 256, 144}, {"240p", 426, 240}, {"360p", 640, 360}}},
    /* no frame rate in the stream: the ladder resamples to 30 fps */
    {"no-frame-rate.mkv",
     "videotestsrc num-buffers=100 pattern=ball ! "
     "video/x-raw,format=I420,width=640,height=360,framerate=25/1 ! "
     "x264enc speed-preset=ultrafast ! h264parse ! "
     "capssetter caps=video/x-h264,framerate=(fraction)0/1 ! matroskamux ! filesink OUT",
     FALSE,
     {{"144p", 256, 144}, {"240p", 426, 240}, {"360p", 640, 360}}},
    {"small-upscaled.mp4",
     "videotestsrc num-buffers=100 pattern=smpte ! "
     "video/x-raw,format=I420,width=192,height=108,framerate=25/1 ! "
     "x264enc speed-preset=ultrafast ! h264parse ! mp4mux name=m ! filesink OUT " AUDIO_48K_STEREO
     "avenc_aac ! aacparse ! m.",
     TRUE,
     {{"144p", 256, 144}, {"240p", 426, 240}, {"360p", 640, 360}}},
};

static void
test_input(gconstpointer data)
{
	const InputCase *c = data;
	g_autofree gchar *clip = vf_test_media_make_clip(tmpdir, c->name, c->clip);
	/* "%d" in the path: hlssink2's location is a printf pattern */
	g_autofree gchar *outdir = g_build_filename(tmpdir, "out-%d", c->name, NULL);
	g_autoptr(VfMediaLadder) ladder = vf_test_media_load_test_ladder();
	g_autoptr(VfMediaTranscoder) transcoder = vf_media_transcoder_new(ladder);
	g_autoptr(GError) error = NULL;
	g_autoptr(VfMediaTranscodeResult) result =
	    vf_test_media_transcode(transcoder, clip, outdir, &error);

	g_assert_no_error(error);
	g_assert_cmpuint(result->variants->len, ==, 3);
	g_assert_true(result->has_audio == c->has_audio);
	/* the test ladder asks for High at 144p/240p and Main at 360p */
	g_assert_true(g_str_has_prefix(
	    ((VfMediaVariant *)g_ptr_array_index(result->variants, 0))->codecs, "avc1.64"));
	g_assert_true(g_str_has_prefix(
	    ((VfMediaVariant *)g_ptr_array_index(result->variants, 2))->codecs, "avc1.4d"));
	vf_test_media_check_ladder(outdir, clip, c->renditions, 3, c->has_audio);
	vf_test_rm_rf(outdir);
	g_unlink(clip);
}

/* upscale=false: only renditions the source can fill; the smallest when none fits */
static void
test_no_upscale(void)
{
	g_autofree gchar *path = vf_test_source_path("tests/media/ladder-test.ini");
	g_autofree gchar *text = NULL;
	g_autofree gchar *patched = NULL;
	g_auto(GStrv) parts = NULL;
	g_autoptr(VfMediaLadder) ladder = NULL;
	g_autoptr(GError) error = NULL;
	struct {
		const gchar *name;
		guint width, height;
		VfTestRendition expected[2];
		guint n;
	} cases[] = {
	    {"fits-240.mkv", 432, 240, {{"144p", 260, 144}, {"240p", 432, 240}}, 2},
	    {"tiny.mkv", 160, 96, {{"144p", 240, 144}}, 1},
	};

	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	parts = g_strsplit(text, "upscale=true", 2);
	patched = g_strjoinv("upscale=false", parts);
	ladder = vf_media_ladder_load_data(patched, "no-upscale.ini", &error);
	g_assert_no_error(error);
	g_assert_false(ladder->upscale);
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree gchar *description = g_strdup_printf(
		    "videotestsrc num-buffers=50 ! "
		    "video/x-raw,format=I420,width=%u,height=%u,framerate=25/1 ! "
		    "x264enc speed-preset=ultrafast ! h264parse ! matroskamux ! filesink OUT",
		    cases[i].width,
		    cases[i].height);
		g_autofree gchar *clip =
		    vf_test_media_make_clip(tmpdir, cases[i].name, description);
		g_autofree gchar *outdir = g_build_filename(tmpdir, "out", cases[i].name, NULL);
		g_autofree gchar *skipped = g_build_filename(outdir, "360p", NULL);
		g_autoptr(VfMediaTranscoder) transcoder = vf_media_transcoder_new(ladder);
		g_autoptr(VfMediaTranscodeResult) result =
		    vf_test_media_transcode(transcoder, clip, outdir, &error);
		g_assert_no_error(error);
		g_assert_cmpuint(result->variants->len, ==, cases[i].n);
		vf_test_media_check_ladder(outdir, clip, cases[i].expected, cases[i].n, FALSE);
		g_assert_false(g_file_test(skipped, G_FILE_TEST_EXISTS));
		vf_test_rm_rf(outdir);
	}
}

static gdouble
video_bitrate(const gchar *playlist, gdouble duration)
{
	const gchar *args[] = {
	    "-select_streams", "v:0", "-show_entries", "packet=size", playlist, NULL};
	g_autoptr(JsonNode) root = vf_test_media_ffprobe(args);
	JsonArray *packets = json_object_get_array_member(json_node_get_object(root), "packets");
	guint64 bytes = 0;

	for (guint i = 0; i < json_array_get_length(packets); i++) {
		JsonObject *p = json_array_get_object_element(packets, i);
		bytes += g_ascii_strtoull(json_object_get_string_member(p, "size"), NULL, 10);
	}
	return bytes * 8 / duration / 1000;
}

/* frames are paired by number: TS timestamps (90 kHz) round below the source's, and
 * ffmpeg's psnr filter pairs by timestamp, so PTS-STARTPTS pairs neighbours */
static gdouble
psnr_y(const gchar *source, const gchar *playlist, guint width, guint height, guint fps)
{
	g_autofree gchar *filter = g_strdup_printf(
	    "[0:v]settb=1/%u,setpts=N[d];[1:v]scale=%u:%u:flags=lanczos,settb=1/%u,setpts=N[r];"
	    "[d][r]psnr",
	    fps,
	    width,
	    height,
	    fps);
	const gchar *argv[] = {"ffmpeg",
			       "-nostdin",
			       "-hide_banner",
			       "-i",
			       playlist,
			       "-i",
			       source,
			       "-lavfi",
			       filter,
			       "-f",
			       "null",
			       "-",
			       NULL};
	g_autofree gchar *err = NULL;
	g_autofree gchar *out = vf_test_media_run(argv, &err);
	const gchar *y = strstr(err, "PSNR y:");
	g_assert_nonnull(y);
	return g_ascii_strtod(y + strlen("PSNR y:"), NULL);
}

/* the shipped ladder on a busy 1080p30 clip: sizes, alignment, bitrate ±25 %, PSNR floor */
static void
test_default_ladder(void)
{
	g_autofree gchar *ladder_path = vf_test_source_path("pipelines/ladder.ini");
	g_autoptr(GError) error = NULL;
	g_autoptr(VfMediaLadder) ladder = vf_media_ladder_load_file(ladder_path, &error);
	g_autofree gchar *clip = vf_test_media_make_clip(
	    tmpdir,
	    "busy-1080p30.mp4",
	    "videotestsrc num-buffers=210 pattern=zone-plate kt2=2 kx2=6 ky2=6 kxy=1 ! "
	    "video/x-raw,format=I420,width=1920,height=1080,framerate=30/1 ! "
	    "x264enc speed-preset=ultrafast pass=qual quantizer=16 ! h264parse ! mp4mux name=m ! "
	    "filesink OUT audiotestsrc num-buffers=350 samplesperbuffer=960 ! "
	    "audio/x-raw,rate=48000,channels=2 ! avenc_aac ! aacparse ! m.");
	g_autofree gchar *outdir = g_build_filename(tmpdir, "out", "default", NULL);
	g_autoptr(VfMediaTranscoder) transcoder = NULL;
	g_autoptr(VfMediaTranscodeResult) result = NULL;
	const VfTestRendition renditions[] = {
	    {"480p", 854, 480}, {"720p", 1280, 720}, {"1080p", 1920, 1080}};

	g_assert_no_error(error);
	transcoder = vf_media_transcoder_new(ladder);
	result = vf_test_media_transcode(transcoder, clip, outdir, &error);
	g_assert_no_error(error);
	vf_test_media_check_ladder(outdir, clip, renditions, 3, TRUE);
	for (guint i = 0; i < 3; i++) {
		VfMediaRendition *r = g_ptr_array_index(ladder->renditions, i);
		VfMediaVariant *v = g_ptr_array_index(result->variants, i);
		g_autofree gchar *playlist = g_build_filename(outdir, r->name, "index.m3u8", NULL);
		gdouble kbits = video_bitrate(playlist, v->duration);
		gdouble psnr = psnr_y(clip, playlist, v->width, v->height, 30);
		g_test_message(
		    "%s: video %.0f kbit/s (target %u), PSNR-Y %.2f dB, master %" G_GUINT64_FORMAT
		    "/%" G_GUINT64_FORMAT " bit/s",
		    r->name,
		    kbits,
		    r->video_bitrate,
		    psnr,
		    v->bandwidth,
		    v->average_bandwidth);
		g_assert_cmpfloat(kbits, >, r->video_bitrate * 0.75);
		g_assert_cmpfloat(kbits, <, r->video_bitrate * 1.25);
		g_assert_cmpfloat(psnr, >, 28.0);
		/* the master's figures include audio and TS overhead, so they are above the video's
		 */
		g_assert_cmpfloat(v->average_bandwidth, >, kbits * 1000);
		g_assert_cmpuint(v->bandwidth, >=, v->average_bandwidth);
	}
	vf_test_rm_rf(outdir);
}

int
main(int argc, char **argv)
{
	int status;

	vf_test_init(&argc, &argv, 590);
	gst_init(&argc, &argv);
	tmpdir = vf_test_make_tmpdir("media-transcode");
	for (guint i = 0; i < G_N_ELEMENTS(input_cases); i++) {
		g_autofree gchar *path =
		    g_strdup_printf("/media/transcode/input/%s", input_cases[i].name);
		g_test_add_data_func(path, &input_cases[i], test_input);
	}
	g_test_add_func("/media/transcode/no-upscale", test_no_upscale);
	g_test_add_func("/media/transcode/default-ladder", test_default_ladder);
	status = g_test_run();
	vf_test_rm_rf(tmpdir);
	g_free(tmpdir);
	return status;
}
