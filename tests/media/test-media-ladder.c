/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The ladder file: the shipped default loads as documented, every invalid file is rejected
 * with the group and key at fault, and the JSON form of a job message round-trips.
 */
#include "config.h"

#include <string.h>

#include "vf-error.h"
#include "vf-media-ladder.h"
#include "vf-test-util.h"

static void
test_default(void)
{
	g_autofree gchar *path = vf_test_source_path("pipelines/ladder.ini");
	g_autoptr(GError) error = NULL;
	g_autoptr(VfMediaLadder) ladder = vf_media_ladder_load_file(path, &error);
	const gchar *names[] = {"480p", "720p", "1080p"};
	const guint heights[] = {480, 720, 1080};
	const guint bitrates[] = {1400, 2800, 5000};

	g_assert_no_error(error);
	g_assert_cmpuint(ladder->renditions->len, ==, 3);
	g_assert_cmpuint(ladder->segment_duration, ==, 6);
	g_assert_cmpuint(ladder->keyframe_interval, ==, 2);
	g_assert_true(ladder->upscale);
	for (guint i = 0; i < 3; i++) {
		VfMediaRendition *r = g_ptr_array_index(ladder->renditions, i);
		g_assert_cmpstr(r->name, ==, names[i]);
		g_assert_cmpuint(r->height, ==, heights[i]);
		g_assert_cmpuint(r->video_bitrate, ==, bitrates[i]);
		g_assert_cmpuint(r->audio_bitrate, ==, 128);
		g_assert_cmpstr(r->speed_preset, ==, "veryfast");
	}
}

static void
test_json_round_trip(void)
{
	g_autofree gchar *path = vf_test_source_path("pipelines/ladder.ini");
	g_autoptr(VfMediaLadder) ladder = vf_media_ladder_load_file(path, NULL);
	g_autoptr(JsonNode) node = vf_media_ladder_to_json(ladder);
	g_autoptr(GError) error = NULL;
	g_autoptr(VfMediaLadder) copy = vf_media_ladder_from_json(node, &error);
	g_autoptr(JsonNode) again = NULL;

	g_assert_no_error(error);
	again = vf_media_ladder_to_json(copy);
	g_assert_true(json_node_equal(node, again));
}

static const gchar *good_head = "[ladder]\nrenditions=a;b\n";
static const gchar *good_a = "[a]\nheight=240\nvideo-bitrate=400\n";
static const gchar *good_b = "[b]\nheight=480\nvideo-bitrate=900\n";

typedef struct {
	const gchar *head;
	const gchar *a;
	const gchar *b;
	const gchar *message; /* expected part of the error */
} BadCase;

static const BadCase bad_cases[] = {
    {"[ladder]\n", NULL, NULL, "group “ladder”, key “renditions”: missing"},
    {"[ladder]\nrenditions=a;c\n", NULL, NULL, "lists “c” but there is no group “c”"},
    {"[ladder]\nrenditions=a;a\n", NULL, NULL, "listed twice"},
    {"[ladder]\nrenditions=a;../x\n", NULL, NULL, "key “renditions”: names may hold"},
    {"[ladder]\nrenditions=a;b\nsegment-duration=5\nkeyframe-interval=2\n",
     NULL,
     NULL,
     "key “segment-duration”: must be a multiple"},
    {"[ladder]\nrenditions=a;b\nsegment-duration=zero\n",
     NULL,
     NULL,
     "group “ladder”, key “segment-duration”: expected a whole number"},
    {"[ladder]\nrenditions=a;b\nupscale=maybe\n",
     NULL,
     NULL,
     "group “ladder”, key “upscale”: expected true or false"},
    {NULL, "[a]\nvideo-bitrate=400\n", NULL, "group “a”, key “height”: missing"},
    {NULL, NULL, "[b]\nheight=481\nvideo-bitrate=900\n", "group “b”, key “height”: must be even"},
    {NULL,
     NULL,
     "[b]\nheight=-480\nvideo-bitrate=900\n",
     "group “b”, key “height”: expected a whole number"},
    {NULL, NULL, "[b]\nheight=480\nvideo-bitrate=lots\n", "group “b”, key “video-bitrate”"},
    {NULL,
     NULL,
     "[b]\nheight=480\nvideo-bitrate=900\nmax-rate=1800\n",
     "group “b”, key “max-rate”: must equal"},
    {NULL,
     NULL,
     "[b]\nheight=480\nvideo-bitrate=900\nvbv-buffer=5\n",
     "group “b”, key “vbv-buffer”"},
    {NULL,
     NULL,
     "[b]\nheight=480\nvideo-bitrate=900\naudio-bitrate=64\n",
     "group “b”, key “audio-bitrate”: must be the same"},
    {NULL,
     NULL,
     "[b]\nheight=480\nvideo-bitrate=900\nspeed-preset=warp\n",
     "group “b”, key “speed-preset”: expected one of"},
    {NULL,
     NULL,
     "[b]\nheight=480\nvideo-bitrate=900\nprofile=high10\n",
     "group “b”, key “profile”"},
};

static void
test_invalid(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *good = g_strconcat(good_head, good_a, good_b, NULL);
	g_autoptr(VfMediaLadder) ladder = vf_media_ladder_load_data(good, "test.ini", &error);

	g_assert_no_error(error);
	g_assert_cmpuint(ladder->renditions->len, ==, 2);
	for (guint i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
		const BadCase *c = &bad_cases[i];
		g_autofree gchar *data = g_strconcat(c->head != NULL ? c->head : good_head,
						     c->a != NULL ? c->a : good_a,
						     c->b != NULL ? c->b : good_b,
						     NULL);
		g_autoptr(GError) local = NULL;
		g_autoptr(VfMediaLadder) bad = vf_media_ladder_load_data(data, "test.ini", &local);
		g_test_message("case %u: %s", i, local != NULL ? local->message : "(accepted)");
		g_assert_null(bad);
		g_assert_error(local, VF_ERROR, VF_ERROR_INVALID_INPUT);
		g_assert_true(g_str_has_prefix(local->message, "test.ini: "));
		g_assert_nonnull(strstr(local->message, c->message));
	}
}

static void
test_missing_file(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(VfMediaLadder) ladder =
	    vf_media_ladder_load_file("/nonexistent/ladder.ini", &error);
	g_assert_null(ladder);
	g_assert_error(error, VF_ERROR, VF_ERROR_INVALID_INPUT);
}

int
main(int argc, char **argv)
{
	vf_test_init(&argc, &argv, 60);
	g_test_add_func("/media/ladder/default", test_default);
	g_test_add_func("/media/ladder/json-round-trip", test_json_round_trip);
	g_test_add_func("/media/ladder/invalid", test_invalid);
	g_test_add_func("/media/ladder/missing-file", test_missing_file);
	return g_test_run();
}
