/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Printing D-Bus replies as tables, field lists or JSON, and choosing how a
 * watched job is shown, for the subcommands of videoflixctl. Main thread.
 */
#pragma once

#include "vf-ctl-command.h"
#include "vf-ctl-table.h"
#include "vf-ctl-watch.h"

G_BEGIN_DECLS

/* records: aa{sv}; a table sized to the terminal, or JSON */
void vf_ctl_output_print_records(GVariant *records,
				 const VfCtlColumn *columns,
				 guint n_columns,
				 gboolean json);
/* record: a{sv}; "Field: value" lines, or JSON */
void vf_ctl_output_print_record(GVariant *record,
				const VfCtlColumn *columns,
				guint n_columns,
				gboolean json);
/* {"KEY": id, "KEY2": id2} for scripts; key2 may be NULL */
void vf_ctl_output_print_json_ids(const gchar *key, gint64 id, const gchar *key2, gint64 id2);
/* a bar on a terminal, plain lines elsewhere, nothing when JSON is printed after */
VfCtlWatchOutput vf_ctl_output_watch_mode(VfCtlInvocation *invocation, gboolean json);
/* waits for job_id with watch (created before the job was started), the exit code */
gint vf_ctl_output_wait_job(VfCtlWatch *watch, gint64 job_id);

G_END_DECLS
