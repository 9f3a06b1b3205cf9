/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Tables, field lists and JSON from the a{sv} records of org.videoflix.Admin1.
 * Every value from the daemon is sanitised before it reaches the terminal. Pure
 * functions, any thread.
 */
#include "config.h"

#include "vf-ctl-table.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <math.h>

#include "vf-ctl-progress.h"
#include "vf-ctl-text.h"

#define FLEXIBLE_MIN 8 /* columns a shrunk cell keeps */
#define GAP	     "  "

static gchar *
format_duration(gdouble seconds)
{
	guint64 s;

	if (!isfinite(seconds) || seconds < 0)
		return g_strdup("-");
	s = (guint64)llround(seconds);
	if (s >= 3600)
		return g_strdup_printf("%" G_GUINT64_FORMAT ":%02u:%02u",
				       s / 3600,
				       (guint)(s / 60 % 60),
				       (guint)(s % 60));
	return g_strdup_printf("%u:%02u", (guint)(s / 60), (guint)(s % 60));
}

static gchar *
format_date(const gchar *text)
{
	g_autoptr(GDateTime) parsed = NULL;
	g_autoptr(GDateTime) local = NULL;

	if (text[0] == '\0')
		return g_strdup("");
	parsed = g_date_time_new_from_iso8601(text, NULL);
	if (parsed == NULL)
		return g_strdup(text);
	local = g_date_time_to_local(parsed);
	return g_date_time_format(local, "%Y-%m-%d %H:%M");
}

static gchar *
format_raw(GVariant *value, VfCtlFormat format)
{
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_VARIANT)) {
		g_autoptr(GVariant) inner = g_variant_get_variant(value);
		return format_raw(inner, format);
	}
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)) {
		const gchar *text = g_variant_get_string(value, NULL);
		if (format == VF_CTL_FORMAT_DATE)
			return format_date(text);
		if (format == VF_CTL_FORMAT_STATE)
			return g_strdup(vf_ctl_progress_state_label(text));
		return g_strdup(text);
	}
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_BOOLEAN)) {
		if (format == VF_CTL_FORMAT_BOOLEAN)
			return g_strdup(g_variant_get_boolean(value) ? _("yes") : _("no"));
		return g_strdup(g_variant_get_boolean(value) ? "true" : "false");
	}
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_DOUBLE)) {
		gdouble number = g_variant_get_double(value);
		if (format == VF_CTL_FORMAT_PERCENT) {
			gint percent =
			    isfinite(number) ? (gint)floor(CLAMP(number, 0.0, 1.0) * 100.0) : 0;
			return g_strdup_printf(_("%d %%"), percent);
		}
		if (format == VF_CTL_FORMAT_DURATION)
			return format_duration(number);
		return g_strdup_printf("%g", number);
	}
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING_ARRAY)) {
		g_autofree const gchar **strings = g_variant_get_strv(value, NULL);
		return g_strjoinv(", ", (gchar **)strings);
	}
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_INT64))
		return g_strdup_printf("%" G_GINT64_FORMAT, g_variant_get_int64(value));
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_INT32))
		return g_strdup_printf("%" G_GINT32_FORMAT, g_variant_get_int32(value));
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_UINT32))
		return g_strdup_printf("%" G_GUINT32_FORMAT, g_variant_get_uint32(value));
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_UINT64))
		return g_strdup_printf("%" G_GUINT64_FORMAT, g_variant_get_uint64(value));
	return g_variant_print(value, FALSE);
}

gchar *
vf_ctl_table_format_value(GVariant *value, VfCtlFormat format)
{
	g_autofree gchar *raw = NULL;

	if (value == NULL)
		return g_strdup("");
	raw = format_raw(value, format);
	return vf_ctl_text_sanitize(raw);
}

static gboolean
is_right_aligned(VfCtlFormat format)
{
	return format == VF_CTL_FORMAT_NUMBER || format == VF_CTL_FORMAT_PERCENT ||
	       format == VF_CTL_FORMAT_DURATION;
}

static void
strip_trailing_blanks(GString *line)
{
	while (line->len > 0 && line->str[line->len - 1] == ' ')
		g_string_truncate(line, line->len - 1);
}

static void
append_row(
    GString *out, gchar **cells, const VfCtlColumn *columns, const guint *widths, guint n_columns)
{
	g_autoptr(GString) line = g_string_new(NULL);

	for (guint c = 0; c < n_columns; c++) {
		g_autofree gchar *cell = vf_ctl_text_truncate(cells[c], widths[c]);
		if (c > 0)
			g_string_append(line, GAP);
		vf_ctl_text_append_padded(
		    line, cell, widths[c], is_right_aligned(columns[c].format));
	}
	strip_trailing_blanks(line);
	g_string_append_len(out, line->str, line->len);
	g_string_append_c(out, '\n');
}

/* narrows the widest flexible column, one column at a time, until the total fits */
static void
fit_widths(guint *widths, const VfCtlColumn *columns, guint n_columns, guint max_width)
{
	guint total = (n_columns - 1) * (sizeof(GAP) - 1);

	for (guint c = 0; c < n_columns; c++)
		total += widths[c];
	while (total > max_width) {
		gint widest = -1;
		for (guint c = 0; c < n_columns; c++) {
			if (!columns[c].flexible || widths[c] <= FLEXIBLE_MIN)
				continue;
			if (widest < 0 || widths[c] > widths[widest])
				widest = (gint)c;
		}
		if (widest < 0)
			return;
		widths[widest]--;
		total--;
	}
}

gchar *
vf_ctl_table_render(GVariant *records, const VfCtlColumn *columns, guint n_columns, guint max_width)
{
	g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
	g_autofree guint *widths = NULL;
	g_autofree gchar **headers = NULL;
	GString *out = g_string_new(NULL);
	GVariantIter iter;
	GVariant *record;

	g_return_val_if_fail(g_variant_is_of_type(records, G_VARIANT_TYPE("aa{sv}")), NULL);
	g_return_val_if_fail(n_columns > 0, NULL);

	widths = g_new0(guint, n_columns);
	headers = g_new0(gchar *, n_columns + 1);
	for (guint c = 0; c < n_columns; c++) {
		headers[c] = (gchar *)_(columns[c].header);
		widths[c] = vf_ctl_text_width(headers[c]);
	}
	g_variant_iter_init(&iter, records);
	while ((record = g_variant_iter_next_value(&iter)) != NULL) {
		gchar **cells = g_new0(gchar *, n_columns + 1);
		for (guint c = 0; c < n_columns; c++) {
			g_autoptr(GVariant) value =
			    g_variant_lookup_value(record, columns[c].key, NULL);
			cells[c] = vf_ctl_table_format_value(value, columns[c].format);
			widths[c] = MAX(widths[c], vf_ctl_text_width(cells[c]));
		}
		g_ptr_array_add(rows, cells);
		g_variant_unref(record);
	}
	if (max_width > 0)
		fit_widths(widths, columns, n_columns, max_width);

	append_row(out, headers, columns, widths, n_columns);
	for (guint r = 0; r < rows->len; r++)
		append_row(out, g_ptr_array_index(rows, r), columns, widths, n_columns);
	return g_string_free(out, FALSE);
}

gchar *
vf_ctl_table_render_record(GVariant *record, const VfCtlColumn *columns, guint n_columns)
{
	GString *out = g_string_new(NULL);
	guint label_width = 0;

	g_return_val_if_fail(g_variant_is_of_type(record, G_VARIANT_TYPE_VARDICT), NULL);
	for (guint c = 0; c < n_columns; c++)
		label_width = MAX(label_width, vf_ctl_text_width(_(columns[c].header)) + 1);
	for (guint c = 0; c < n_columns; c++) {
		g_autoptr(GVariant) value = g_variant_lookup_value(record, columns[c].key, NULL);
		g_autofree gchar *cell = vf_ctl_table_format_value(value, columns[c].format);
		g_autofree gchar *label = g_strdup_printf("%s:", _(columns[c].header));
		g_autoptr(GString) line = g_string_new(NULL);

		vf_ctl_text_append_padded(line, label, label_width, FALSE);
		g_string_append_c(line, ' ');
		g_string_append(line, cell);
		strip_trailing_blanks(line);
		g_string_append_len(out, line->str, line->len);
		g_string_append_c(out, '\n');
	}
	return g_string_free(out, FALSE);
}

static JsonNode *
json_from_variant(GVariant *value)
{
	JsonNode *node;

	if (g_variant_is_of_type(value, G_VARIANT_TYPE_VARIANT)) {
		g_autoptr(GVariant) inner = g_variant_get_variant(value);
		return json_from_variant(inner);
	}
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_VARDICT)) {
		JsonObject *object = json_object_new();
		GVariantIter iter;
		const gchar *key;
		GVariant *member;

		g_variant_iter_init(&iter, value);
		while (g_variant_iter_next(&iter, "{&sv}", &key, &member)) {
			json_object_set_member(object, key, json_from_variant(member));
			g_variant_unref(member);
		}
		node = json_node_new(JSON_NODE_OBJECT);
		json_node_take_object(node, object);
		return node;
	}
	if (g_variant_is_container(value) && g_variant_is_of_type(value, G_VARIANT_TYPE_ARRAY)) {
		JsonArray *array = json_array_new();
		GVariantIter iter;
		GVariant *element;

		g_variant_iter_init(&iter, value);
		while ((element = g_variant_iter_next_value(&iter)) != NULL) {
			json_array_add_element(array, json_from_variant(element));
			g_variant_unref(element);
		}
		node = json_node_new(JSON_NODE_ARRAY);
		json_node_take_array(node, array);
		return node;
	}
	node = json_node_new(JSON_NODE_VALUE);
	switch (g_variant_classify(value)) {
	case G_VARIANT_CLASS_STRING:
	case G_VARIANT_CLASS_OBJECT_PATH:
	case G_VARIANT_CLASS_SIGNATURE:
		json_node_set_string(node, g_variant_get_string(value, NULL));
		break;
	case G_VARIANT_CLASS_BOOLEAN:
		json_node_set_boolean(node, g_variant_get_boolean(value));
		break;
	case G_VARIANT_CLASS_BYTE:
		json_node_set_int(node, g_variant_get_byte(value));
		break;
	case G_VARIANT_CLASS_INT16:
		json_node_set_int(node, g_variant_get_int16(value));
		break;
	case G_VARIANT_CLASS_UINT16:
		json_node_set_int(node, g_variant_get_uint16(value));
		break;
	case G_VARIANT_CLASS_INT32:
		json_node_set_int(node, g_variant_get_int32(value));
		break;
	case G_VARIANT_CLASS_UINT32:
		json_node_set_int(node, g_variant_get_uint32(value));
		break;
	case G_VARIANT_CLASS_INT64:
		json_node_set_int(node, g_variant_get_int64(value));
		break;
	case G_VARIANT_CLASS_UINT64:
		json_node_set_int(node, (gint64)g_variant_get_uint64(value));
		break;
	case G_VARIANT_CLASS_DOUBLE:
		if (isfinite(g_variant_get_double(value)))
			json_node_set_double(node, g_variant_get_double(value));
		else
			json_node_init_null(node);
		break;
	default: {
		g_autofree gchar *text = g_variant_print(value, TRUE);
		json_node_set_string(node, text);
		break;
	}
	}
	return node;
}

gchar *
vf_ctl_table_render_json(GVariant *value)
{
	g_autoptr(JsonNode) root = NULL;
	g_autoptr(JsonGenerator) generator = json_generator_new();
	g_autofree gchar *text = NULL;

	g_return_val_if_fail(value != NULL, NULL);
	root = json_from_variant(value);
	json_generator_set_root(generator, root);
	json_generator_set_pretty(generator, TRUE);
	json_generator_set_indent(generator, 2);
	text = json_generator_to_data(generator, NULL);
	return g_strconcat(text, "\n", NULL);
}
