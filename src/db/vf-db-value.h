/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Text forms of statement parameters and typed reads of result cells, shared by
 * every store. Pure functions, any thread.
 */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

/* a bigint parameter as text */
gchar *vf_db_value_from_int(gint64 value);
/* NULL for SQL NULL */
gchar *vf_db_result_dup_string(PGresult *result, gint row, gint column);
/* 0 for SQL NULL */
gint64 vf_db_result_get_int(PGresult *result, gint row, gint column);
gdouble vf_db_result_get_double(PGresult *result, gint row, gint column, gdouble fallback);
gboolean vf_db_result_get_bool(PGresult *result, gint row, gint column);

G_END_DECLS
