/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * videoflixctl's dispatch: the options before the command, the group and the
 * subcommand, general and per-group help. Main thread of videoflixctl.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* runs the command line; returns the exit status (0 ok, 1 failure, 2 usage) */
gint vf_ctl_main(gint argc, gchar **argv);

G_END_DECLS
