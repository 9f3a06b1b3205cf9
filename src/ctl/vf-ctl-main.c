/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Dispatches "videoflixctl [--system|--session] GROUP COMMAND …" to the
 * subcommand, and prints the general help and each group's list of commands.
 * Main thread of videoflixctl.
 */
#include "config.h"

#include "vf-ctl-main.h"

#include <glib/gi18n-lib.h>
#include <unistd.h>

#include "vf-ctl-command.h"
#include "vf-ctl-jobs.h"
#include "vf-ctl-users.h"
#include "vf-ctl-videos.h"

typedef struct {
	const gchar *name;
	const gchar *summary; /* N_() */
	const VfCtlCommand *(*get_commands)(void);
} Group;

static const Group groups[] = {
    {"videos", N_("Videos of the catalogue"), vf_ctl_videos_get_commands},
    {"jobs", N_("Transcode jobs"), vf_ctl_jobs_get_commands},
    {"users", N_("User accounts"), vf_ctl_users_get_commands},
};

static void
append_commands(GString *out, const Group *group)
{
	for (const VfCtlCommand *command = group->get_commands(); command->name != NULL;
	     command++) {
		g_autofree gchar *name = g_strdup_printf("%s %s", group->name, command->name);
		g_string_append_printf(out, "  %-18s %s\n", name, _(command->summary));
	}
}

static gchar *
dup_general_help(void)
{
	GString *out = g_string_new(NULL);

	g_string_append_printf(out,
			       "%s\n  %s %s\n\n",
			       _("Usage:"),
			       g_get_prgname(),
			       _("[--system|--session] COMMAND [OPTION…] [ARGUMENT…]"));
	g_string_append_printf(
	    out, "%s\n\n", _("Administer a Videoflix server through its D-Bus interface."));
	g_string_append_printf(out, "%s\n", _("Commands:"));
	for (guint i = 0; i < G_N_ELEMENTS(groups); i++)
		append_commands(out, &groups[i]);
	g_string_append_printf(out, "\n%s\n", _("Options:"));
	g_string_append_printf(
	    out, "  %-18s %s\n", "--system", _("Talk to videoflixd on the system bus"));
	g_string_append_printf(
	    out, "  %-18s %s\n", "--session", _("Talk to videoflixd on the session bus"));
	g_string_append_printf(out, "  %-18s %s\n", "-h, --help", _("Show this help"));
	g_string_append_printf(out, "  %-18s %s\n", "--version", _("Show the version"));
	g_string_append_c(out, '\n');
	g_string_append_printf(
	    out,
	    "%s\n",
	    _("Without --system or --session, videoflixctl uses the system bus when videoflixd\n"
	      "runs there, else the session bus; VIDEOFLIX_BUS=system, session or a D-Bus\n"
	      "address chooses one. Give --help after a command for its options.\n"
	      "\n"
	      "Exit status: 0 done, 1 failed (an error of videoflixd, a failed job),\n"
	      "2 wrong usage."));
	return g_string_free(out, FALSE);
}

static gint
usage_error(const gchar *message, const gchar *hint_command)
{
	g_printerr("%s: %s\n", g_get_prgname(), message);
	g_printerr(_("Try “%s --help” for more information."), hint_command);
	g_printerr("\n");
	return VF_CTL_EXIT_USAGE;
}

static gint
run_group(const Group *group, VfCtlInvocation *invocation, gint argc, gchar **argv)
{
	g_autofree gchar *hint = g_strdup_printf("%s %s", g_get_prgname(), group->name);
	const gchar *name = argc > 0 ? argv[0] : NULL;

	if (name == NULL || g_str_equal(name, "--help") || g_str_equal(name, "-h") ||
	    g_str_equal(name, "help")) {
		g_autoptr(GString) out = g_string_new(NULL);

		g_string_append_printf(out,
				       "%s\n  %s %s %s\n\n%s\n",
				       _("Usage:"),
				       g_get_prgname(),
				       group->name,
				       _("COMMAND [OPTION…] [ARGUMENT…]"),
				       _("Commands:"));
		append_commands(out, group);
		if (name == NULL) {
			g_printerr("%s", out->str);
			return VF_CTL_EXIT_USAGE;
		}
		g_print("%s", out->str);
		return VF_CTL_EXIT_OK;
	}
	for (const VfCtlCommand *command = group->get_commands(); command->name != NULL;
	     command++) {
		if (g_str_equal(command->name, name)) {
			invocation->group = group->name;
			invocation->command = command->name;
			return command->run(invocation, argc, argv);
		}
	}
	{
		g_autofree gchar *message =
		    g_strdup_printf(_("Unknown command “%s %s”"), group->name, name);
		return usage_error(message, hint);
	}
}

gint
vf_ctl_main(gint argc, gchar **argv)
{
	VfCtlInvocation invocation = {
	    .bus = VF_CTL_BUS_AUTO,
	    .stdout_is_tty = isatty(STDOUT_FILENO),
	    .stdin_is_tty = isatty(STDIN_FILENO),
	};
	gint i = 1;

	g_set_prgname("videoflixctl");
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (g_str_equal(argv[i], "--system")) {
			invocation.bus = VF_CTL_BUS_SYSTEM;
		} else if (g_str_equal(argv[i], "--session")) {
			invocation.bus = VF_CTL_BUS_SESSION;
		} else if (g_str_equal(argv[i], "--help") || g_str_equal(argv[i], "-h")) {
			g_autofree gchar *help = dup_general_help();
			g_print("%s", help);
			return VF_CTL_EXIT_OK;
		} else if (g_str_equal(argv[i], "--version")) {
			g_print("%s %s\n", g_get_prgname(), PACKAGE_VERSION);
			return VF_CTL_EXIT_OK;
		} else {
			g_autofree gchar *message =
			    g_strdup_printf(_("Unknown option %s"), argv[i]);
			return usage_error(message, g_get_prgname());
		}
	}
	if (i >= argc) {
		g_autofree gchar *help = dup_general_help();
		g_printerr("%s", help);
		return VF_CTL_EXIT_USAGE;
	}
	for (guint g = 0; g < G_N_ELEMENTS(groups); g++) {
		if (g_str_equal(groups[g].name, argv[i]))
			return run_group(&groups[g], &invocation, argc - i - 1, argv + i + 1);
	}
	{
		g_autofree gchar *message = g_strdup_printf(_("Unknown command “%s”"), argv[i]);
		return usage_error(message, g_get_prgname());
	}
}
