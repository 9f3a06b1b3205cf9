/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The video form's checks (vf_admin_validate_video()), one row per rule: a title
 * that is not empty and at most 200 characters, a file for a new video.
 */
#include "config.h"

#include <gio/gio.h>

#include "vf-admin-validate.h"

typedef struct {
	const gchar *name;
	const gchar *title; /* "@201" / "@200": that many "é" */
	const gchar *path;
	gboolean need_path;
	gboolean valid;
} ValidateCase;

static const ValidateCase cases[] = {
    {"ok", "A title", "/srv/import/clip.mp4", TRUE, TRUE},
    {"edit-keeps-file", "A title", NULL, FALSE, TRUE},
    {"empty-title", "", "/srv/import/clip.mp4", TRUE, FALSE},
    {"blank-title", "  \t ", "/srv/import/clip.mp4", TRUE, FALSE},
    {"null-title", NULL, "/srv/import/clip.mp4", TRUE, FALSE},
    {"title-200-chars", "@200", "/srv/import/clip.mp4", TRUE, TRUE},
    {"title-201-chars", "@201", "/srv/import/clip.mp4", TRUE, FALSE},
    {"no-file", "A title", NULL, TRUE, FALSE},
    {"empty-file", "A title", "", TRUE, FALSE},
    {"relative-file", "A title", "clip.mp4", TRUE, FALSE},
};

static void
test_validate(gconstpointer data)
{
	const ValidateCase *c = data;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *title = NULL;
	gboolean ok;

	if (c->title != NULL && c->title[0] == '@') {
		guint n = (guint)g_ascii_strtoull(c->title + 1, NULL, 10);
		g_autoptr(GString) s = g_string_new(NULL);

		/* two bytes each: characters are counted, not bytes */
		for (guint i = 0; i < n; i++)
			g_string_append(s, "é");
		title = g_string_free(g_steal_pointer(&s), FALSE);
	} else {
		title = g_strdup(c->title);
	}
	ok = vf_admin_validate_video(title, c->path, c->need_path, &error);
	if (c->valid) {
		g_assert_no_error(error);
		g_assert_true(ok);
	} else {
		g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
		g_assert_false(ok);
		g_assert_cmpstr(error->message, !=, "");
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree gchar *path = g_strdup_printf("/admin/validate/%s", cases[i].name);
		g_test_add_data_func(path, &cases[i], test_validate);
	}
	return g_test_run();
}
