/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Output helpers shared by the videos, jobs and users commands. Main thread of
 * videoflixctl.
 */
#include "config.h"

#include "vf-ctl-output.h"

void
vf_ctl_output_print_records(GVariant *records,
			    const VfCtlColumn *columns,
			    guint n_columns,
			    gboolean json)
{
	g_autofree gchar *text = NULL;

	if (json)
		text = vf_ctl_table_render_json(records);
	else
		text = vf_ctl_table_render(records, columns, n_columns, vf_ctl_terminal_width());
	g_print("%s", text);
}

void
vf_ctl_output_print_record(GVariant *record,
			   const VfCtlColumn *columns,
			   guint n_columns,
			   gboolean json)
{
	g_autofree gchar *text = NULL;

	if (json)
		text = vf_ctl_table_render_json(record);
	else
		text = vf_ctl_table_render_record(record, columns, n_columns);
	g_print("%s", text);
}

void
vf_ctl_output_print_json_ids(const gchar *key, gint64 id, const gchar *key2, gint64 id2)
{
	g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE_VARDICT);
	g_autoptr(GVariant) record = NULL;
	g_autofree gchar *text = NULL;

	g_variant_builder_add(&builder, "{sv}", key, g_variant_new_int64(id));
	if (key2 != NULL)
		g_variant_builder_add(&builder, "{sv}", key2, g_variant_new_int64(id2));
	record = g_variant_ref_sink(g_variant_builder_end(&builder));
	text = vf_ctl_table_render_json(record);
	g_print("%s", text);
}

VfCtlWatchOutput
vf_ctl_output_watch_mode(VfCtlInvocation *invocation, gboolean json)
{
	if (json)
		return VF_CTL_WATCH_QUIET;
	return invocation->stdout_is_tty ? VF_CTL_WATCH_BAR : VF_CTL_WATCH_LINES;
}

gint
vf_ctl_output_wait_job(VfCtlWatch *watch, gint64 job_id)
{
	vf_ctl_watch_add_job(watch, job_id);
	return vf_ctl_watch_run(watch);
}
