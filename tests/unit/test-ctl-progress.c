/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * videoflixctl's progress line: ETA estimate and format, the bar's layouts from
 * wide to narrow terminals (never wider than asked), final states, plain lines,
 * and the column arithmetic and sanitising under them.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "vf-ctl-progress.h"
#include "vf-ctl-text.h"
#include "vf-test-util.h"

static void
test_eta_format(void)
{
	const struct {
		gdouble seconds;
		const gchar *expected;
	} cases[] = {
	    {0, "0:00"},
	    {0.2, "0:01"},
	    {42.2, "0:43"},
	    {60, "1:00"},
	    {3599.5, "1:00:00"},
	    {3723, "1:02:03"},
	    {-1, "-:--"},
	    {NAN, "-:--"},
	    {INFINITY, "-:--"},
	    {1e9, "-:--"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree gchar *text = vf_ctl_progress_format_eta(cases[i].seconds);
		g_assert_cmpstr(text, ==, cases[i].expected);
	}
}

static void
test_eta_estimate(void)
{
	/* from the duration and the speed: 60 media seconds left at 2× */
	g_assert_cmpfloat_with_epsilon(vf_ctl_progress_estimate_eta(0.4, 2.0, 100, 0, 0), 30, 1e-9);
	/* no duration: from the rate seen, 0.4 in 10 s, 0.5 left */
	g_assert_cmpfloat_with_epsilon(
	    vf_ctl_progress_estimate_eta(0.5, 0, -1, 0.1, 10), 12.5, 1e-9);
	/* no speed either way: unknown */
	g_assert_cmpfloat(vf_ctl_progress_estimate_eta(0.5, 0, -1, 0.5, 10), <, 0);
	g_assert_cmpfloat(vf_ctl_progress_estimate_eta(0.0, 0, -1, 0, 0), <, 0);
	g_assert_cmpfloat(vf_ctl_progress_estimate_eta(0.3, NAN, 100, 0, 0), <, 0);
	/* done */
	g_assert_cmpfloat(vf_ctl_progress_estimate_eta(1.0, 0, -1, 0, 0), ==, 0);
	g_assert_cmpfloat(vf_ctl_progress_estimate_eta(1.5, 2.0, 100, 0, 0), ==, 0);
}

static VfCtlProgress
running(void)
{
	VfCtlProgress progress = {
	    .job_id = 7,
	    .progress = 0.45,
	    .speed = 2.3,
	    .eta_s = vf_ctl_progress_estimate_eta(0.45, 2.3, 100, 0, 0),
	    .state = "running",
	};
	return progress;
}

static void
test_bar_wide(void)
{
	VfCtlProgress progress = running();
	g_autofree gchar *line = vf_ctl_progress_render_bar(&progress, 60);
	g_autofree gchar *widest = vf_ctl_progress_render_bar(&progress, 500);

	/* 41 columns of text (the speed as wide as 99.9×), the bar gets the other 19 */
	g_assert_cmpstr(line, ==, "job 7  [=======>         ]   45 %   2.3× real time  ETA 0:24");
	g_assert_cmpuint(vf_ctl_text_width(line), ==, 60);
	/* the bar stops growing */
	g_assert_cmpuint(vf_ctl_text_width(widest), ==, 83);
}

static void
test_bar_narrow(void)
{
	VfCtlProgress progress = running();
	g_autofree gchar *w43 = vf_ctl_progress_render_bar(&progress, 43);
	g_autofree gchar *w42 = vf_ctl_progress_render_bar(&progress, 42);
	g_autofree gchar *w36 = vf_ctl_progress_render_bar(&progress, 36);
	g_autofree gchar *w30 = vf_ctl_progress_render_bar(&progress, 30);
	g_autofree gchar *w22 = vf_ctl_progress_render_bar(&progress, 22);
	g_autofree gchar *w20 = vf_ctl_progress_render_bar(&progress, 20);
	g_autofree gchar *w12 = vf_ctl_progress_render_bar(&progress, 12);
	g_autofree gchar *w3 = vf_ctl_progress_render_bar(&progress, 3);

	/* the short speed first, then no speed, then no bar */
	g_assert_cmpstr(w43, ==, "job 7  [====>     ]   45 %   2.3×  ETA 0:24");
	g_assert_cmpstr(w42, ==, "job 7  [=======>        ]   45 %  ETA 0:24");
	g_assert_cmpstr(w36, ==, "job 7  [====>     ]   45 %  ETA 0:24");
	g_assert_cmpstr(w30, ==, "job 7  [======>       ]   45 %");
	g_assert_cmpstr(w22, ==, "job 7   45 %  ETA 0:24");
	g_assert_cmpstr(w20, ==, "job 7   45 %");
	g_assert_cmpstr(w12, ==, "job 7   45 %");
	g_assert_cmpuint(vf_ctl_text_width(w3), <=, 3);
}

/* the bar keeps its size when the speed becomes known or changes */
static void
test_bar_stable(void)
{
	VfCtlProgress unknown = running();
	VfCtlProgress slow = running();
	VfCtlProgress fast = running();
	g_autofree gchar *unknown_line = NULL;
	g_autofree gchar *slow_line = NULL;
	g_autofree gchar *fast_line = NULL;

	unknown.speed = 0;
	unknown.eta_s = -1;
	slow.speed = 0.4;
	fast.speed = 12.5;
	unknown_line = vf_ctl_progress_render_bar(&unknown, 70);
	slow_line = vf_ctl_progress_render_bar(&slow, 70);
	fast_line = vf_ctl_progress_render_bar(&fast, 70);
	g_assert_cmpstr(unknown_line,
			==,
			"job 7  [============>              ]   45 %                   ETA -:--");
	g_assert_cmpstr(slow_line,
			==,
			"job 7  [============>              ]   45 %   0.4× real time  ETA 0:24");
	g_assert_cmpstr(fast_line,
			==,
			"job 7  [============>              ]   45 %  12.5× real time  ETA 0:24");
}

static void
test_bar_never_too_wide(void)
{
	const gchar *states[] = {"running", "queued", "succeeded", "failed", "cancelled"};

	for (guint s = 0; s < G_N_ELEMENTS(states); s++) {
		for (guint width = 0; width <= 200; width++) {
			VfCtlProgress progress = running();
			g_autofree gchar *line = NULL;

			progress.state = states[s];
			progress.job_id = G_MAXINT64;
			progress.error = "a very long reason why the transcode failed, which "
					 "goes on and on";
			line = vf_ctl_progress_render_bar(&progress, width);
			g_assert_cmpuint(vf_ctl_text_width(line), <=, width);
			g_assert_null(strchr(line, '\n'));
			g_assert_null(strchr(line, '\r'));
			g_assert_null(strchr(line, '\033'));
		}
	}
}

static void
test_bar_final(void)
{
	VfCtlProgress done = {.job_id = 7, .progress = 1.0, .state = "succeeded", .eta_s = -1};
	VfCtlProgress failed = {.job_id = 7,
				.progress = 0.999,
				.state = "failed",
				.error = "not a video\033[2J",
				.eta_s = -1};
	VfCtlProgress queued = {.job_id = 8, .progress = 0, .state = "queued", .eta_s = -1};
	g_autofree gchar *done_line = vf_ctl_progress_render_bar(&done, 40);
	g_autofree gchar *failed_line = vf_ctl_progress_render_bar(&failed, 60);
	g_autofree gchar *queued_line = vf_ctl_progress_render_bar(&queued, 40);

	g_assert_cmpstr(done_line, ==, "job 7  [=============]  100 %  succeeded");
	/* 99.9 % is not 100 %; the reason is sanitised */
	g_assert_cmpstr(
	    failed_line, ==, "job 7  [==================>]   99 %  failed: not a video�[2J");
	g_assert_cmpstr(queued_line, ==, "job 8  [                ]    0 %  queued");
}

static void
test_plain(void)
{
	VfCtlProgress progress = running();
	VfCtlProgress unknown = {.job_id = 3, .progress = 0.1, .state = "running", .eta_s = -1};
	VfCtlProgress done = {.job_id = 7, .progress = 1.0, .state = "succeeded", .eta_s = -1};
	VfCtlProgress failed = {
	    .job_id = 7, .progress = 0.2, .state = "failed", .error = "no\nvideo", .eta_s = -1};
	VfCtlProgress queued = {.job_id = 7, .state = "queued", .eta_s = -1};
	g_autofree gchar *line = vf_ctl_progress_render_plain(&progress);
	g_autofree gchar *unknown_line = vf_ctl_progress_render_plain(&unknown);
	g_autofree gchar *done_line = vf_ctl_progress_render_plain(&done);
	g_autofree gchar *failed_line = vf_ctl_progress_render_plain(&failed);
	g_autofree gchar *queued_line = vf_ctl_progress_render_plain(&queued);

	g_assert_cmpstr(line, ==, "job 7: 45 %, 2.3× real time, ETA 0:24");
	g_assert_cmpstr(unknown_line, ==, "job 3: 10 %, ETA -:--");
	g_assert_cmpstr(done_line, ==, "job 7: 100 %, succeeded");
	g_assert_cmpstr(failed_line, ==, "job 7: 20 %, failed: no video");
	g_assert_cmpstr(queued_line, ==, "job 7: queued");
}

static void
test_text(void)
{
	g_autofree gchar *cut = vf_ctl_text_truncate("Hello world", 5);
	g_autofree gchar *kept = vf_ctl_text_truncate("Hello", 5);
	g_autofree gchar *wide = vf_ctl_text_truncate("日本語の題名", 5);
	g_autofree gchar *none = vf_ctl_text_truncate("Hello", 0);
	g_autofree gchar *clean = vf_ctl_text_sanitize("a\033[2Jb\tc\x7f\xc2\x9b\xff");
	g_autoptr(GString) padded = g_string_new(NULL);

	g_assert_cmpuint(vf_ctl_text_width("2.3×"), ==, 4);
	g_assert_cmpuint(vf_ctl_text_width("日本"), ==, 4);
	g_assert_cmpuint(vf_ctl_text_width("e\xcc\x81"), ==, 1); /* e + combining acute */
	g_assert_cmpstr(cut, ==, "Hell…");
	g_assert_cmpstr(kept, ==, "Hello");
	g_assert_cmpstr(wide, ==, "日本…");
	g_assert_cmpstr(none, ==, "");
	g_assert_cmpstr(clean, ==, "a�[2Jb c���");
	vf_ctl_text_append_padded(padded, "日本", 6, TRUE);
	vf_ctl_text_append_padded(padded, "x", 3, FALSE);
	g_assert_cmpstr(padded->str, ==, "  日本x  ");
}

int
main(int argc, char **argv)
{
	vf_test_init(&argc, &argv, 60);
	g_test_add_func("/ctl/progress/eta-format", test_eta_format);
	g_test_add_func("/ctl/progress/eta-estimate", test_eta_estimate);
	g_test_add_func("/ctl/progress/bar-wide", test_bar_wide);
	g_test_add_func("/ctl/progress/bar-narrow", test_bar_narrow);
	g_test_add_func("/ctl/progress/bar-stable", test_bar_stable);
	g_test_add_func("/ctl/progress/bar-never-too-wide", test_bar_never_too_wide);
	g_test_add_func("/ctl/progress/bar-final", test_bar_final);
	g_test_add_func("/ctl/progress/plain", test_plain);
	g_test_add_func("/ctl/progress/text", test_text);
	return g_test_run();
}
