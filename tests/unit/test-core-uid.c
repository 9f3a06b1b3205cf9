/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * uidb64 as Django writes it, and strict decoding of what clients send.
 */
#include "config.h"

#include "vf-test-util.h"
#include "vf-uid.h"

static void
test_encode(void)
{
	struct {
		gint64 id;
		const gchar *b64;
	} rows[] = {{1, "MQ"}, {7, "Nw"}, {42, "NDI"}, {123, "MTIz"}, {1000000, "MTAwMDAwMA"}};

	for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
		g_autofree gchar *b64 = vf_uid_encode(rows[i].id);
		gint64 back = 0;
		g_assert_cmpstr(b64, ==, rows[i].b64);
		g_assert_true(vf_uid_decode(b64, &back));
		g_assert_cmpint(back, ==, rows[i].id);
	}
}

static void
test_decode_rejects(void)
{
	const gchar *bad[] = {"",
			      "M",
			      "MQ==",
			      "MA",			      /* "0" */
			      "LTE",			      /* "-1" */
			      "YWJj",			      /* "abc" */
			      "MDE",			      /* "01" */
			      "IDE",			      /* " 1" */
			      "OTk5OTk5OTk5OTk5OTk5OTk5OTk5", /* too large */
			      "M Q",
			      "MQ%3D",
			      "../",
			      "AA"}; /* NUL byte */

	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		gint64 id = -5;
		g_test_message("uidb64 %s", bad[i]);
		g_assert_false(vf_uid_decode(bad[i], &id));
		g_assert_cmpint(id, ==, -5);
	}
	g_assert_false(vf_uid_decode(NULL, NULL));
}

int
main(int argc, char **argv)
{
	vf_test_init(&argc, &argv, 60);
	g_test_add_func("/core/uid/encode", test_encode);
	g_test_add_func("/core/uid/decode-rejects", test_decode_rejects);
	return g_test_run();
}
