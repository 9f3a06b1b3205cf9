/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * videoflixctl jobs: list, watch (live progress until the jobs end), retry and
 * cancel. Main thread of videoflixctl.
 */
#include "config.h"

#include "vf-ctl-jobs.h"

#include <glib/gi18n-lib.h>

#include "vf-ctl-output.h"

static const VfCtlColumn list_columns[] = {
    {"id", N_("ID"), VF_CTL_FORMAT_NUMBER, FALSE},
    {"video_id", N_("VIDEO"), VF_CTL_FORMAT_NUMBER, FALSE},
    {"state", N_("STATE"), VF_CTL_FORMAT_STATE, FALSE},
    {"attempt", N_("ATTEMPT"), VF_CTL_FORMAT_NUMBER, FALSE},
    {"progress", N_("PROGRESS"), VF_CTL_FORMAT_PERCENT, FALSE},
    {"node", N_("NODE"), VF_CTL_FORMAT_TEXT, TRUE},
    {"created_at", N_("CREATED"), VF_CTL_FORMAT_DATE, FALSE},
    {"finished_at", N_("FINISHED"), VF_CTL_FORMAT_DATE, FALSE},
    {"error", N_("ERROR"), VF_CTL_FORMAT_TEXT, TRUE},
};

static GVariant *
list_jobs(VfCtlInvocation *invocation, VfCtlBus *bus)
{
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GError) error = NULL;

	reply = vf_ctl_bus_call(bus, "ListJobs", NULL, G_VARIANT_TYPE("(aa{sv})"), -1, &error);
	if (reply == NULL) {
		vf_ctl_invocation_fail(invocation, bus, error);
		return NULL;
	}
	return g_variant_get_child_value(reply, 0);
}

static gint
jobs_list(VfCtlInvocation *invocation, gint argc, gchar **argv)
{
	gboolean json = FALSE;
	const GOptionEntry entries[] = {
	    {"json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON for scripts"), NULL},
	    G_OPTION_ENTRY_NULL,
	};
	g_autoptr(VfCtlBus) bus = NULL;
	g_autoptr(GVariant) records = NULL;

	if (!vf_ctl_invocation_parse(invocation,
				     entries,
				     "",
				     N_("List every transcode job, newest first."),
				     &argc,
				     &argv,
				     0,
				     0))
		return VF_CTL_EXIT_USAGE;
	bus = vf_ctl_invocation_connect(invocation);
	if (bus == NULL)
		return VF_CTL_EXIT_FAILURE;
	records = list_jobs(invocation, bus);
	if (records == NULL)
		return VF_CTL_EXIT_FAILURE;
	vf_ctl_output_print_records(records, list_columns, G_N_ELEMENTS(list_columns), json);
	return VF_CTL_EXIT_OK;
}

/* adds every queued or running job, oldest first; FALSE when there is none */
static gboolean
add_active_jobs(VfCtlWatch *watch, GVariant *records)
{
	gboolean any = FALSE;

	/* the list is newest first */
	for (gsize i = g_variant_n_children(records); i > 0; i--) {
		g_autoptr(GVariant) record = g_variant_get_child_value(records, i - 1);
		const gchar *state = NULL;
		gint64 id = 0;

		if (!g_variant_lookup(record, "id", "x", &id) ||
		    !g_variant_lookup(record, "state", "&s", &state))
			continue;
		if (g_str_equal(state, "queued") || g_str_equal(state, "running")) {
			vf_ctl_watch_add_job(watch, id);
			any = TRUE;
		}
	}
	return any;
}

static gint
jobs_watch(VfCtlInvocation *invocation, gint argc, gchar **argv)
{
	g_autoptr(VfCtlBus) bus = NULL;
	g_autoptr(VfCtlWatch) watch = NULL;
	g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(gint64));

	if (!vf_ctl_invocation_parse(
		invocation,
		NULL,
		N_("[ID…]"),
		N_("Show the progress of jobs until they end (without ids: every "
		   "queued or running job). Exits with 1 when one fails."),
		&argc,
		&argv,
		0,
		-1))
		return VF_CTL_EXIT_USAGE;
	for (gint i = 1; i < argc; i++) {
		gint64 id = 0;
		if (!vf_ctl_invocation_parse_id(invocation, argv[i], &id))
			return VF_CTL_EXIT_USAGE;
		g_array_append_val(ids, id);
	}
	bus = vf_ctl_invocation_connect(invocation);
	if (bus == NULL)
		return VF_CTL_EXIT_FAILURE;
	watch = vf_ctl_watch_new(bus, vf_ctl_output_watch_mode(invocation, FALSE));
	if (ids->len == 0) {
		g_autoptr(GVariant) records = list_jobs(invocation, bus);
		if (records == NULL)
			return VF_CTL_EXIT_FAILURE;
		if (!add_active_jobs(watch, records)) {
			g_print("%s\n", _("No job is queued or running."));
			return VF_CTL_EXIT_OK;
		}
	}
	for (guint i = 0; i < ids->len; i++)
		vf_ctl_watch_add_job(watch, g_array_index(ids, gint64, i));
	return vf_ctl_watch_run(watch);
}

static gint
jobs_retry(VfCtlInvocation *invocation, gint argc, gchar **argv)
{
	gboolean wait = FALSE;
	const GOptionEntry entries[] = {
	    {"wait",
	     'w',
	     0,
	     G_OPTION_ARG_NONE,
	     &wait,
	     N_("Show the new job's progress and wait until it ends"),
	     NULL},
	    G_OPTION_ENTRY_NULL,
	};
	g_autoptr(VfCtlBus) bus = NULL;
	g_autoptr(VfCtlWatch) watch = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *id_text = NULL;
	g_autofree gchar *job_text = NULL;
	gint64 id = 0;
	gint64 job_id = 0;

	if (!vf_ctl_invocation_parse(invocation,
				     entries,
				     N_("ID"),
				     N_("Transcode the source of a failed or cancelled job again."),
				     &argc,
				     &argv,
				     1,
				     1))
		return VF_CTL_EXIT_USAGE;
	if (!vf_ctl_invocation_parse_id(invocation, argv[1], &id))
		return VF_CTL_EXIT_USAGE;
	bus = vf_ctl_invocation_connect(invocation);
	if (bus == NULL)
		return VF_CTL_EXIT_FAILURE;
	if (wait)
		watch = vf_ctl_watch_new(bus, vf_ctl_output_watch_mode(invocation, FALSE));
	reply = vf_ctl_bus_call(
	    bus, "RetryJob", g_variant_new("(x)", id), G_VARIANT_TYPE("(x)"), -1, &error);
	if (reply == NULL)
		return vf_ctl_invocation_fail(invocation, bus, error);
	g_variant_get(reply, "(x)", &job_id);
	id_text = g_strdup_printf("%" G_GINT64_FORMAT, id);
	job_text = g_strdup_printf("%" G_GINT64_FORMAT, job_id);
	/* TRANSLATORS: the old job's id, then the new one's */
	g_print(_("Retrying job %s as job %s.\n"), id_text, job_text);
	if (wait)
		return vf_ctl_output_wait_job(watch, job_id);
	return VF_CTL_EXIT_OK;
}

static gint
jobs_cancel(VfCtlInvocation *invocation, gint argc, gchar **argv)
{
	g_autoptr(VfCtlBus) bus = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *id_text = NULL;
	gint64 id = 0;

	if (!vf_ctl_invocation_parse(
		invocation,
		NULL,
		N_("ID"),
		N_("Stop a queued or running job and delete its partial output."),
		&argc,
		&argv,
		1,
		1))
		return VF_CTL_EXIT_USAGE;
	if (!vf_ctl_invocation_parse_id(invocation, argv[1], &id))
		return VF_CTL_EXIT_USAGE;
	bus = vf_ctl_invocation_connect(invocation);
	if (bus == NULL)
		return VF_CTL_EXIT_FAILURE;
	reply = vf_ctl_bus_call(
	    bus, "CancelJob", g_variant_new("(x)", id), G_VARIANT_TYPE_UNIT, -1, &error);
	if (reply == NULL)
		return vf_ctl_invocation_fail(invocation, bus, error);
	id_text = g_strdup_printf("%" G_GINT64_FORMAT, id);
	g_print(_("Cancelled job %s.\n"), id_text);
	return VF_CTL_EXIT_OK;
}

static const VfCtlCommand commands[] = {
    {"list", N_("List every transcode job, newest first"), jobs_list},
    {"watch", N_("Show live progress until jobs end"), jobs_watch},
    {"retry", N_("Run a failed or cancelled job again"), jobs_retry},
    {"cancel", N_("Stop a queued or running job"), jobs_cancel},
    {NULL, NULL, NULL},
};

const VfCtlCommand *
vf_ctl_jobs_get_commands(void)
{
	return commands;
}
