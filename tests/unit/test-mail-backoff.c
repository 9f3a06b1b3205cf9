/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The sender's backoff rule: initial delay doubling per failed attempt, capped.
 */
#include "config.h"

#include "vf-mail-sender.h"
#include "vf-test-util.h"

static void
test_table(void)
{
	struct {
		guint initial_ms;
		guint max_ms;
		gint attempts;
		guint delay_ms;
	} rows[] = {
	    {5000, 900000, 1, 5000},
	    {5000, 900000, 2, 10000},
	    {5000, 900000, 3, 20000},
	    {5000, 900000, 8, 640000},
	    {5000, 900000, 9, 900000},
	    {5000, 900000, 1000, 900000},
	    {5000, 900000, G_MAXINT, 900000},
	    {5000, 900000, 0, 5000},
	    {5000, 900000, -3, 5000},
	    {50, 400, 4, 400},
	    {G_MAXUINT / 2, G_MAXUINT - 1, 40, G_MAXUINT - 1},
	};

	for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
		g_test_message("row %u", i);
		g_assert_cmpuint(vf_mail_sender_compute_backoff(
				     rows[i].initial_ms, rows[i].max_ms, rows[i].attempts),
				 ==,
				 rows[i].delay_ms);
	}
}

int
main(int argc, char **argv)
{
	vf_test_init(&argc, &argv, 60);
	g_test_add_func("/mail/backoff/table", test_table);
	return g_test_run();
}
