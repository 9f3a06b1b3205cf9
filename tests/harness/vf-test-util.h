/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared helpers of the test programs: initialisation, free loopback ports,
 * polling with a deadline, and child processes that die with the test.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* g_test_init() plus locale, gettext (the build tree's .mo files) and a watchdog
 * that aborts a test program hung for longer than timeout_s */
void vf_test_init(int *argc, char ***argv, guint timeout_s);
/* a port that was free on 127.0.0.1 a moment ago */
guint16 vf_test_free_port(void);
/* iterates the default main context until cond(data) holds or timeout_ms pass */
gboolean vf_test_wait_until(gboolean (*cond)(gpointer data), gpointer data, guint timeout_ms);
/* sleeps while iterating the default main context */
void vf_test_iterate_for(guint ms);
/* a launcher whose children get SIGKILL when the test program dies */
GSubprocessLauncher *vf_test_launcher_new(GSubprocessFlags flags);
/* a fresh temporary directory, removed by vf_test_rm_rf() */
gchar *vf_test_make_tmpdir(const gchar *prefix);
void vf_test_rm_rf(const gchar *path);
/* path of a file in the source or build tree, from the top */
gchar *vf_test_source_path(const gchar *relative);
gchar *vf_test_build_path(const gchar *relative);

G_END_DECLS
