/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The messages of the JetStream path: a job and an event survive their JSON form;
 * malformed ones and jobs naming paths outside MEDIA_ROOT are refused.
 */
#include "config.h"

#include "vf-error.h"
#include "vf-job.h"
#include "vf-jobs-event.h"
#include "vf-test-util.h"

static JsonNode *
parse(const gchar *text)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;

	g_assert_true(json_parser_load_from_data(parser, text, -1, &error));
	g_assert_no_error(error);
	return json_node_ref(json_parser_get_root(parser));
}

static void
test_job_round_trip(void)
{
	g_autoptr(VfJob) job = vf_job_new();
	g_autoptr(VfJob) back = NULL;
	g_autoptr(JsonNode) node = NULL;
	g_autoptr(GError) error = NULL;

	job->job_id = 42;
	job->video_id = 7;
	job->source = g_strdup("sources/ab.mp4");
	job->generation = 3;
	job->output = g_strdup("hls/7/3");
	job->thumbnail = g_strdup("thumbnails/cd.jpg");
	job->attempt = 2;
	job->ladder_ini = g_strdup("[ladder]\nrenditions=480p\n");
	node = vf_job_to_json(job);
	back = vf_job_from_json(node, &error);
	g_assert_no_error(error);
	g_assert_cmpint(back->job_id, ==, 42);
	g_assert_cmpint(back->video_id, ==, 7);
	g_assert_cmpint(back->generation, ==, 3);
	g_assert_cmpint(back->attempt, ==, 2);
	g_assert_cmpstr(back->source, ==, "sources/ab.mp4");
	g_assert_cmpstr(back->output, ==, "hls/7/3");
	g_assert_cmpstr(back->thumbnail, ==, "thumbnails/cd.jpg");
	g_assert_cmpstr(back->ladder_ini, ==, job->ladder_ini);
	g_assert_true(vf_job_check_paths(back, &error));
	g_assert_no_error(error);
}

static void
test_job_refused(void)
{
	const gchar *cases[] = {
	    "[]",
	    "{}",
	    "{\"job_id\": \"1\", \"video_id\": 1, \"generation\": 1, \"source\": \"s\", "
	    "\"output\": \"o\"}",
	    "{\"job_id\": 1, \"video_id\": 1, \"generation\": 1, \"source\": \"s\"}",
	    "{\"job_id\": 1, \"video_id\": 1, \"generation\": 1.5, \"source\": \"s\", "
	    "\"output\": \"o\"}",
	};
	const gchar *outside[] = {
	    "{\"job_id\": 1, \"video_id\": 1, \"generation\": 1, \"source\": \"/etc/passwd\", "
	    "\"output\": \"hls/1/1\"}",
	    "{\"job_id\": 1, \"video_id\": 1, \"generation\": 1, \"source\": \"s.mp4\", "
	    "\"output\": \"hls/../../x\"}",
	    "{\"job_id\": 1, \"video_id\": 1, \"generation\": 1, \"source\": \"s.mp4\", "
	    "\"output\": \"hls/1/1\", \"thumbnail\": \"../t.jpg\"}",
	    "{\"job_id\": 1, \"video_id\": 1, \"generation\": 1, \"source\": \"\", "
	    "\"output\": \"hls/1/1\"}",
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(JsonNode) node = parse(cases[i]);
		g_autoptr(GError) error = NULL;
		g_autoptr(VfJob) job = vf_job_from_json(node, &error);
		g_assert_null(job);
		g_assert_error(error, VF_ERROR, VF_ERROR_INVALID_INPUT);
	}
	for (guint i = 0; i < G_N_ELEMENTS(outside); i++) {
		g_autoptr(JsonNode) node = parse(outside[i]);
		g_autoptr(GError) error = NULL;
		g_autoptr(VfJob) job = vf_job_from_json(node, &error);
		g_assert_no_error(error);
		g_assert_false(vf_job_check_paths(job, &error));
		g_assert_error(error, VF_ERROR, VF_ERROR_INVALID_INPUT);
	}
}

static void
test_event_round_trip(void)
{
	g_autoptr(VfJobsEvent) event = vf_jobs_event_new(VF_JOBS_EVENT_COMPLETED);
	g_autoptr(VfJobsEvent) back = NULL;
	g_autoptr(VfJobsEvent) progress = vf_jobs_event_new(VF_JOBS_EVENT_PROGRESS);
	g_autoptr(VfJobsEvent) progress_back = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *data = NULL;
	g_autofree gchar *subject = NULL;
	g_autofree gchar *id_a = NULL;
	g_autofree gchar *id_b = NULL;

	event->job_id = 5;
	event->video_id = 9;
	event->attempt = 2;
	event->delivery = 17;
	event->node = g_strdup("host-1");
	event->outcome = parse("{\"event\": \"completed\", \"result\": {\"duration\": 2.0}}");
	data = vf_jobs_event_to_data(event);
	back = vf_jobs_event_from_data(data, strlen(data), &error);
	g_assert_no_error(error);
	g_assert_cmpint(back->kind, ==, VF_JOBS_EVENT_COMPLETED);
	g_assert_cmpint(back->job_id, ==, 5);
	g_assert_cmpint(back->video_id, ==, 9);
	g_assert_cmpint(back->attempt, ==, 2);
	g_assert_cmpuint(back->delivery, ==, 17);
	g_assert_cmpstr(back->node, ==, "host-1");
	g_assert_cmpint(back->time_ms, ==, event->time_ms);
	g_assert_nonnull(back->outcome);
	g_assert_true(json_node_equal(back->outcome, event->outcome));
	subject = vf_jobs_event_dup_subject(event);
	g_assert_cmpstr(subject, ==, "videoflix.events.5.completed");

	/* progress is clamped; re-sent events keep their id, the next one differs */
	progress->job_id = 5;
	progress->progress = 1.5;
	progress->speed = 2.25;
	g_clear_pointer(&data, g_free);
	data = vf_jobs_event_to_data(progress);
	progress_back = vf_jobs_event_from_data(data, strlen(data), &error);
	g_assert_no_error(error);
	g_assert_cmpfloat(progress_back->progress, ==, 1.0);
	g_assert_cmpfloat(progress_back->speed, ==, 2.25);
	id_a = vf_jobs_event_dup_msg_id(progress, 3);
	id_b = vf_jobs_event_dup_msg_id(progress, 4);
	g_assert_cmpstr(id_a, !=, id_b);
}

static void
test_event_refused(void)
{
	const gchar *cases[] = {
	    "",
	    "not json",
	    "[]",
	    "{\"kind\": \"started\"}",
	    "{\"kind\": \"exploded\", \"job_id\": 1}",
	    "{\"kind\": \"started\", \"job_id\": -3}",
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(VfJobsEvent) event =
		    vf_jobs_event_from_data(cases[i], strlen(cases[i]), &error);
		g_assert_null(event);
		g_assert_nonnull(error);
	}
}

int
main(int argc, char **argv)
{
	vf_test_init(&argc, &argv, 60);
	g_test_add_func("/jobs/messages/job-round-trip", test_job_round_trip);
	g_test_add_func("/jobs/messages/job-refused", test_job_refused);
	g_test_add_func("/jobs/messages/event-round-trip", test_event_round_trip);
	g_test_add_func("/jobs/messages/event-refused", test_event_refused);
	return g_test_run();
}
