/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * videoflixctl's output of D-Bus records: aligned tables (numbers right, no
 * trailing blanks, flexible columns shrunk to the width), field lists, cell
 * formats, sanitised text, and JSON that json-glib reads back.
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "vf-ctl-table.h"
#include "vf-ctl-text.h"
#include "vf-test-util.h"

static const VfCtlColumn columns[] = {
    {"id", "ID", VF_CTL_FORMAT_NUMBER, FALSE},
    {"title", "TITLE", VF_CTL_FORMAT_TEXT, TRUE},
    {"status", "STATUS", VF_CTL_FORMAT_STATE, FALSE},
    {"progress", "PROGRESS", VF_CTL_FORMAT_PERCENT, FALSE},
    {"duration", "DURATION", VF_CTL_FORMAT_DURATION, FALSE},
    {"resolutions", "RESOLUTIONS", VF_CTL_FORMAT_TEXT, FALSE},
};

static GVariant *
make_records(void)
{
	const gchar *ladder[] = {"480p", "720p", NULL};
	const gchar *nothing[] = {NULL};
	g_auto(GVariantBuilder) records = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE("aa{sv}"));

	g_variant_builder_open(&records, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&records, "{sv}", "id", g_variant_new_int64(12));
	g_variant_builder_add(&records, "{sv}", "title", g_variant_new_string("Big Buck Bunny"));
	g_variant_builder_add(&records, "{sv}", "status", g_variant_new_string("ready"));
	g_variant_builder_add(&records, "{sv}", "progress", g_variant_new_double(1.0));
	g_variant_builder_add(&records, "{sv}", "duration", g_variant_new_double(596.5));
	g_variant_builder_add(&records, "{sv}", "resolutions", g_variant_new_strv(ladder, -1));
	g_variant_builder_add(
	    &records, "{sv}", "created_at", g_variant_new_string("2026-11-25T18:15:55.5Z"));
	g_variant_builder_add(&records, "{sv}", "is_admin", g_variant_new_boolean(TRUE));
	g_variant_builder_close(&records);

	g_variant_builder_open(&records, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&records, "{sv}", "id", g_variant_new_int64(3));
	g_variant_builder_add(&records, "{sv}", "title", g_variant_new_string("Clip\033[2J\nTwo"));
	g_variant_builder_add(&records, "{sv}", "status", g_variant_new_string("processing"));
	g_variant_builder_add(&records, "{sv}", "progress", g_variant_new_double(0.456));
	g_variant_builder_add(&records, "{sv}", "duration", g_variant_new_double(-1));
	g_variant_builder_add(&records, "{sv}", "resolutions", g_variant_new_strv(nothing, -1));
	g_variant_builder_close(&records);
	return g_variant_ref_sink(g_variant_builder_end(&records));
}

static void
test_render(void)
{
	g_autoptr(GVariant) records = make_records();
	g_autofree gchar *table = vf_ctl_table_render(records, columns, G_N_ELEMENTS(columns), 0);

	g_assert_cmpstr(table,
			==,
			"ID  TITLE           STATUS      PROGRESS  DURATION  RESOLUTIONS\n"
			"12  Big Buck Bunny  ready          100 %      9:57  480p, 720p\n"
			" 3  Clip�[2J Two    processing      45 %         -\n");
}

static void
test_render_narrow(void)
{
	g_autoptr(GVariant) records = make_records();
	g_autofree gchar *table = vf_ctl_table_render(records, columns, G_N_ELEMENTS(columns), 58);
	g_autofree gchar *tiny = vf_ctl_table_render(records, columns, G_N_ELEMENTS(columns), 10);
	g_auto(GStrv) lines = g_strsplit(table, "\n", -1);

	/* only TITLE may shrink: five columns narrower */
	g_assert_cmpstr(lines[0], ==, "ID  TITLE      STATUS      PROGRESS  DURATION  RESOLUTIONS");
	g_assert_cmpstr(lines[1], ==, "12  Big Buck…  ready          100 %      9:57  480p, 720p");
	for (guint i = 0; lines[i] != NULL; i++)
		g_assert_cmpuint(vf_ctl_text_width(lines[i]), <=, 58);
	/* cannot fit: flexible columns stop at their minimum, nothing is lost else */
	g_assert_nonnull(strstr(tiny, "Big Buc…"));
	g_assert_nonnull(strstr(tiny, "480p, 720p"));
}

static void
test_render_empty(void)
{
	g_autoptr(GVariant) records = g_variant_ref_sink(g_variant_new("aa{sv}", NULL));
	g_autofree gchar *table = vf_ctl_table_render(records, columns, 2, 80);

	g_assert_cmpstr(table, ==, "ID  TITLE\n");
}

static void
test_record(void)
{
	const VfCtlColumn fields[] = {
	    {"id", "ID", VF_CTL_FORMAT_TEXT, FALSE},
	    {"title", "Title", VF_CTL_FORMAT_TEXT, FALSE},
	    {"created_at", "Created", VF_CTL_FORMAT_DATE, FALSE},
	    {"is_admin", "Admin", VF_CTL_FORMAT_BOOLEAN, FALSE},
	    {"missing", "Error", VF_CTL_FORMAT_TEXT, FALSE},
	};
	g_autoptr(GVariant) records = make_records();
	g_autoptr(GVariant) record = g_variant_get_child_value(records, 0);
	g_autofree gchar *text = vf_ctl_table_render_record(record, fields, G_N_ELEMENTS(fields));

	g_assert_cmpstr(text,
			==,
			"ID:      12\n"
			"Title:   Big Buck Bunny\n"
			"Created: 2026-11-25 18:15\n"
			"Admin:   yes\n"
			"Error:\n");
}

static void
test_format_value(void)
{
	const struct {
		GVariant *value;
		VfCtlFormat format;
		const gchar *expected;
	} cases[] = {
	    {g_variant_new_double(0.999), VF_CTL_FORMAT_PERCENT, "99 %"},
	    {g_variant_new_double(3723.4), VF_CTL_FORMAT_DURATION, "1:02:03"},
	    {g_variant_new_double(59.6), VF_CTL_FORMAT_DURATION, "1:00"},
	    {g_variant_new_boolean(FALSE), VF_CTL_FORMAT_BOOLEAN, "no"},
	    {g_variant_new_string(""), VF_CTL_FORMAT_DATE, ""},
	    {g_variant_new_string("not a date"), VF_CTL_FORMAT_DATE, "not a date"},
	    {g_variant_new_string("failed"), VF_CTL_FORMAT_STATE, "failed"},
	    {g_variant_new_int32(-4), VF_CTL_FORMAT_NUMBER, "-4"},
	    {g_variant_new_variant(g_variant_new_string("inner")), VF_CTL_FORMAT_TEXT, "inner"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GVariant) value = g_variant_ref_sink(cases[i].value);
		g_autofree gchar *text = vf_ctl_table_format_value(value, cases[i].format);
		g_assert_cmpstr(text, ==, cases[i].expected);
	}
}

static void
test_json(void)
{
	g_autoptr(GVariant) records = make_records();
	g_autofree gchar *text = vf_ctl_table_render_json(records);
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;
	JsonArray *array;
	JsonObject *first;
	JsonObject *second;

	g_assert_true(json_parser_load_from_data(parser, text, strlen(text), &error));
	g_assert_no_error(error);
	g_assert_true(JSON_NODE_HOLDS_ARRAY(json_parser_get_root(parser)));
	array = json_node_get_array(json_parser_get_root(parser));
	g_assert_cmpuint(json_array_get_length(array), ==, 2);
	first = json_array_get_object_element(array, 0);
	second = json_array_get_object_element(array, 1);
	g_assert_cmpint(
	    json_node_get_value_type(json_object_get_member(first, "id")), ==, G_TYPE_INT64);
	g_assert_cmpint(json_object_get_int_member(first, "id"), ==, 12);
	g_assert_cmpstr(json_object_get_string_member(first, "title"), ==, "Big Buck Bunny");
	g_assert_true(json_object_get_boolean_member(first, "is_admin"));
	g_assert_cmpfloat(json_object_get_double_member(first, "duration"), ==, 596.5);
	g_assert_cmpuint(
	    json_array_get_length(json_object_get_array_member(first, "resolutions")), ==, 2);
	/* raw values in JSON: the control characters are escaped, not replaced */
	g_assert_cmpstr(json_object_get_string_member(second, "title"), ==, "Clip\033[2J\nTwo");
	g_assert_cmpuint(
	    json_array_get_length(json_object_get_array_member(second, "resolutions")), ==, 0);
	g_assert_true(g_str_has_suffix(text, "\n"));
	g_assert_null(strchr(text, '\033'));
}

int
main(int argc, char **argv)
{
	/* dates are shown in local time */
	g_setenv("TZ", "UTC", TRUE);
	vf_test_init(&argc, &argv, 60);
	g_test_add_func("/ctl/table/render", test_render);
	g_test_add_func("/ctl/table/render-narrow", test_render_narrow);
	g_test_add_func("/ctl/table/render-empty", test_render_empty);
	g_test_add_func("/ctl/table/record", test_record);
	g_test_add_func("/ctl/table/format-value", test_format_value);
	g_test_add_func("/ctl/table/json", test_json);
	return g_test_run();
}
