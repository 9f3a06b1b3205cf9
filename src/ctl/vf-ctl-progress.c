/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Renders a job's progress line. The terminal form tries layouts from the richest
 * to the barest and keeps the first that fits the width, so a narrow terminal never
 * wraps (a wrapped line cannot be redrawn in place). Pure functions, any thread.
 */
#include "config.h"

#include "vf-ctl-progress.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "vf-ctl-text.h"

#define BAR_MIN	      12 /* columns, brackets included */
#define BAR_MAX	      42
#define SEPARATOR     "  "
#define ETA_MAX_S     (99.0 * 3600.0)
#define ERROR_MAX_COL 200

gdouble
vf_ctl_progress_estimate_eta(
    gdouble progress, gdouble speed, gdouble duration_s, gdouble start_progress, gdouble elapsed_s)
{
	progress = CLAMP(progress, 0.0, 1.0);
	if (progress >= 1.0)
		return 0.0;
	if (duration_s > 0 && speed > 0 && isfinite(duration_s) && isfinite(speed))
		return (1.0 - progress) * duration_s / speed;
	if (elapsed_s > 0 && progress > start_progress)
		return (1.0 - progress) * elapsed_s / (progress - start_progress);
	return -1.0;
}

gchar *
vf_ctl_progress_format_eta(gdouble seconds)
{
	guint64 s;

	if (!isfinite(seconds) || seconds < 0 || seconds > ETA_MAX_S)
		return g_strdup("-:--");
	s = (guint64)ceil(seconds);
	if (s >= 3600)
		return g_strdup_printf("%" G_GUINT64_FORMAT ":%02u:%02u",
				       s / 3600,
				       (guint)(s / 60 % 60),
				       (guint)(s % 60));
	return g_strdup_printf("%u:%02u", (guint)(s / 60), (guint)(s % 60));
}

const gchar *
vf_ctl_progress_state_label(const gchar *state)
{
	if (state == NULL)
		return "";
	if (g_str_equal(state, "queued"))
		return _("queued");
	if (g_str_equal(state, "running"))
		return _("running");
	if (g_str_equal(state, "succeeded"))
		return _("succeeded");
	if (g_str_equal(state, "failed"))
		return _("failed");
	if (g_str_equal(state, "cancelled"))
		return _("cancelled");
	if (g_str_equal(state, "pending"))
		return _("pending");
	if (g_str_equal(state, "processing"))
		return _("processing");
	if (g_str_equal(state, "ready"))
		return _("ready");
	return state;
}

static gboolean
is_running(const VfCtlProgress *progress)
{
	return progress->state == NULL || g_str_equal(progress->state, "running");
}

static gint
whole_percent(gdouble progress)
{
	if (!isfinite(progress))
		return 0;
	/* floor: a running job never shows 100 % */
	return (gint)floor(CLAMP(progress, 0.0, 1.0) * 100.0);
}

static gchar *
dup_label(const VfCtlProgress *progress)
{
	g_autofree gchar *id = g_strdup_printf("%" G_GINT64_FORMAT, progress->job_id);
	/* TRANSLATORS: the start of a progress line, %s is the job's id */
	return g_strdup_printf(_("job %s"), id);
}

static gchar *
dup_percent(const VfCtlProgress *progress)
{
	/* TRANSLATORS: a percentage; keep the width of three digits */
	return g_strdup_printf(_("%3d %%"), whole_percent(progress->progress));
}

static gchar *
dup_state_tail(const VfCtlProgress *progress)
{
	const gchar *label = vf_ctl_progress_state_label(progress->state);
	g_autofree gchar *error = NULL;
	g_autofree gchar *short_error = NULL;

	if (progress->error == NULL || progress->error[0] == '\0')
		return g_strdup(label);
	error = vf_ctl_text_sanitize(progress->error);
	short_error = vf_ctl_text_truncate(error, ERROR_MAX_COL);
	/* TRANSLATORS: a job's state and why it ended, e.g. "failed: not a video" */
	return g_strdup_printf(_("%s: %s"), label, short_error);
}

/* "2.3× real time" or "2.3×", right-aligned to the width of 99.9× and blank while the
 * speed is unknown, so that the bar keeps its size from frame to frame */
static gchar *
dup_speed(gdouble speed, gboolean long_form)
{
	g_autofree gchar *typical = NULL;
	g_autofree gchar *text = NULL;
	GString *out = g_string_new(NULL);

	if (long_form) {
		/* TRANSLATORS: transcoding speed, e.g. "2.3× real time" */
		typical = g_strdup_printf(_("%s× real time"), "99.9");
	} else {
		typical = g_strdup("99.9×");
	}
	if (speed > 0 && isfinite(speed)) {
		g_autofree gchar *number = g_strdup_printf("%.1f", MIN(speed, 999.9));
		text = long_form ? g_strdup_printf(_("%s× real time"), number)
				 : g_strdup_printf("%s×", number);
	} else {
		text = g_strdup("");
	}
	vf_ctl_text_append_padded(out, text, vf_ctl_text_width(typical), TRUE);
	return g_string_free(out, FALSE);
}

static void
append_bar(GString *out, gdouble progress, guint width)
{
	guint inner = width - 2;
	guint filled;

	progress = isfinite(progress) ? CLAMP(progress, 0.0, 1.0) : 0.0;
	filled = (guint)floor(progress * inner);
	g_string_append_c(out, '[');
	for (guint i = 0; i < inner; i++) {
		if (i < filled)
			g_string_append_c(out, '=');
		else if (i == filled && progress > 0)
			g_string_append_c(out, '>');
		else
			g_string_append_c(out, ' ');
	}
	g_string_append_c(out, ']');
}

/* parts: NULL-terminated, "\x01" stands for the bar; NULL when it does not fit */
static gchar *
try_layout(const gchar *const *parts, gdouble progress, guint width)
{
	const gchar *bar_slot = "\x01";
	guint fixed = 0;
	guint n = 0;
	gboolean with_bar = FALSE;
	guint bar_width = 0;
	GString *out;

	for (; parts[n] != NULL; n++) {
		if (g_str_equal(parts[n], bar_slot))
			with_bar = TRUE;
		else
			fixed += vf_ctl_text_width(parts[n]);
	}
	if (n > 1)
		fixed += (n - 1) * (sizeof(SEPARATOR) - 1);
	if (fixed > width)
		return NULL;
	if (with_bar) {
		if (width - fixed < BAR_MIN)
			return NULL;
		bar_width = MIN(width - fixed, BAR_MAX);
	}
	out = g_string_new(NULL);
	for (guint i = 0; i < n; i++) {
		if (i > 0)
			g_string_append(out, SEPARATOR);
		if (g_str_equal(parts[i], bar_slot))
			append_bar(out, progress, bar_width);
		else
			g_string_append(out, parts[i]);
	}
	return g_string_free(out, FALSE);
}

gchar *
vf_ctl_progress_render_bar(const VfCtlProgress *progress, guint width)
{
	g_autofree gchar *label = NULL;
	g_autofree gchar *percent = NULL;
	g_autofree gchar *speed_long = NULL;
	g_autofree gchar *speed_short = NULL;
	g_autofree gchar *eta = NULL;
	g_autofree gchar *tail = NULL;
	g_autofree gchar *fallback = NULL;
	const gchar *bar = "\x01";

	g_return_val_if_fail(progress != NULL, NULL);
	label = dup_label(progress);
	percent = dup_percent(progress);
	if (is_running(progress)) {
		g_autofree gchar *eta_text = vf_ctl_progress_format_eta(progress->eta_s);
		/* TRANSLATORS: estimated time left, e.g. "ETA 1:05" */
		eta = g_strdup_printf(_("ETA %s"), eta_text);
		speed_long = dup_speed(progress->speed, TRUE);
		speed_short = dup_speed(progress->speed, FALSE);
		{
			const gchar *layouts[][6] = {
			    {label, bar, percent, speed_long, eta, NULL},
			    {label, bar, percent, speed_short, eta, NULL},
			};
			for (guint i = 0; i < G_N_ELEMENTS(layouts); i++) {
				gchar *line = try_layout(layouts[i], progress->progress, width);
				if (line != NULL)
					return line;
			}
		}
		{
			const gchar *layouts[][6] = {
			    {label, bar, percent, eta, NULL},
			    {label, bar, percent, NULL},
			    {label, percent, eta, NULL},
			    {label, percent, NULL},
			    {percent, NULL},
			};
			for (guint i = 0; i < G_N_ELEMENTS(layouts); i++) {
				gchar *line = try_layout(layouts[i], progress->progress, width);
				if (line != NULL)
					return line;
			}
		}
		return vf_ctl_text_truncate(percent, width);
	}

	tail = dup_state_tail(progress);
	{
		const gchar *state = vf_ctl_progress_state_label(progress->state);
		const gchar *layouts[][6] = {
		    {label, bar, percent, tail, NULL},
		    {label, percent, tail, NULL},
		    {label, bar, percent, state, NULL},
		    {label, percent, state, NULL},
		};
		for (guint i = 0; i < G_N_ELEMENTS(layouts); i++) {
			gchar *line = try_layout(layouts[i], progress->progress, width);
			if (line != NULL)
				return line;
		}
		fallback = g_strdup_printf("%s" SEPARATOR "%s", percent, state);
	}
	return vf_ctl_text_truncate(fallback, width);
}

gchar *
vf_ctl_progress_render_plain(const VfCtlProgress *progress)
{
	g_autofree gchar *label = NULL;
	g_autofree gchar *percent = NULL;

	g_return_val_if_fail(progress != NULL, NULL);
	label = dup_label(progress);
	percent = g_strdup_printf(_("%d %%"), whole_percent(progress->progress));
	if (is_running(progress)) {
		GString *out = g_string_new(NULL);
		g_autofree gchar *eta_text = vf_ctl_progress_format_eta(progress->eta_s);

		g_string_append_printf(out, "%s: %s", label, percent);
		if (progress->speed > 0 && isfinite(progress->speed)) {
			g_autofree gchar *number = g_strdup_printf("%.1f", progress->speed);
			g_string_append(out, ", ");
			g_string_append_printf(out, _("%s× real time"), number);
		}
		g_string_append(out, ", ");
		g_string_append_printf(out, _("ETA %s"), eta_text);
		return g_string_free(out, FALSE);
	}
	{
		g_autofree gchar *tail = dup_state_tail(progress);
		if (g_str_equal(progress->state, "queued"))
			return g_strdup_printf("%s: %s", label, tail);
		return g_strdup_printf("%s: %s, %s", label, percent, tail);
	}
}
