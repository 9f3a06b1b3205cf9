/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Output of the D-Bus records (a{sv}, aa{sv}) for people and for scripts: aligned
 * tables and "Field: value" lists sized to the terminal, and JSON. Pure
 * functions, any thread.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
	VF_CTL_FORMAT_TEXT,	/* strings, numbers; string arrays joined with ", " */
	VF_CTL_FORMAT_NUMBER,	/* right-aligned */
	VF_CTL_FORMAT_PERCENT,	/* d 0..1 as "45 %" */
	VF_CTL_FORMAT_DURATION, /* d seconds as "1:05"; negative as "-" */
	VF_CTL_FORMAT_BOOLEAN,	/* "yes" or "no" */
	VF_CTL_FORMAT_DATE,	/* ISO 8601 as local "2026-11-25 18:15" */
	VF_CTL_FORMAT_STATE,	/* a job's or video's state word, translated */
} VfCtlFormat;

typedef struct {
	const gchar *key;    /* the record's field */
	const gchar *header; /* N_(): translated when rendered */
	VfCtlFormat format;
	gboolean flexible; /* may be shortened with "…" to fit the width */
} VfCtlColumn;

/* one value as a cell, control characters removed; "" for NULL */
gchar *vf_ctl_table_format_value(GVariant *value, VfCtlFormat format);
/* records: aa{sv}; a header line and one line per record, columns separated by two
 * spaces, no trailing blanks; max_width 0 means unlimited, else flexible columns
 * shrink (the widest first) so that lines fit when that is possible */
gchar *vf_ctl_table_render(GVariant *records,
			   const VfCtlColumn *columns,
			   guint n_columns,
			   guint max_width);
/* record: a{sv}; one "Header: value" line per column, values aligned */
gchar *vf_ctl_table_render_record(GVariant *record, const VfCtlColumn *columns, guint n_columns);
/* value: a{sv} or aa{sv} as a JSON object or array (pretty, with a final newline) */
gchar *vf_ctl_table_render_json(GVariant *value);

G_END_DECLS
