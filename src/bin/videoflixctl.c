/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * videoflixctl: the terminal admin client of videoflixd over D-Bus
 * (org.videoflix.Admin1). Sets up the locale and translations, then runs the
 * command line (src/ctl/).
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "vf-ctl-main.h"

int
main(int argc, char **argv)
{
	g_autofree gchar *installed =
	    g_build_filename(LOCALEDIR, "de", "LC_MESSAGES", GETTEXT_PACKAGE ".mo", NULL);
	g_autofree gchar *built = g_build_filename(VF_BUILD_ROOT, "po", NULL);

	setlocale(LC_ALL, "");
	/* an uninstalled build finds the .mo files of po/ in the build tree */
	bindtextdomain(GETTEXT_PACKAGE,
		       g_file_test(installed, G_FILE_TEST_EXISTS) ? LOCALEDIR : built);
	bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
	textdomain(GETTEXT_PACKAGE);
	return vf_ctl_main(argc, argv);
}
