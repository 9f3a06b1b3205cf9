/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Parameter text and result cells: libpq hands every value over as text.
 */
#include "config.h"

#include "vf-db-value.h"

gchar *
vf_db_value_from_int(gint64 value)
{
	return g_strdup_printf("%" G_GINT64_FORMAT, value);
}

gchar *
vf_db_result_dup_string(PGresult *result, gint row, gint column)
{
	if (PQgetisnull(result, row, column))
		return NULL;
	return g_strdup(PQgetvalue(result, row, column));
}

gint64
vf_db_result_get_int(PGresult *result, gint row, gint column)
{
	if (PQgetisnull(result, row, column))
		return 0;
	return g_ascii_strtoll(PQgetvalue(result, row, column), NULL, 10);
}

gdouble
vf_db_result_get_double(PGresult *result, gint row, gint column, gdouble fallback)
{
	if (PQgetisnull(result, row, column))
		return fallback;
	return g_ascii_strtod(PQgetvalue(result, row, column), NULL);
}

gboolean
vf_db_result_get_bool(PGresult *result, gint row, gint column)
{
	return g_strcmp0(PQgetvalue(result, row, column), "t") == 0;
}
