/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Option parsing and error output shared by the subcommands of videoflixctl. Each
 * command gets its own GOptionContext so that "videoflixctl videos add --help"
 * describes exactly that command. Main thread of videoflixctl.
 */
#include "config.h"

#include "vf-ctl-command.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

static gchar *
dup_command_name(VfCtlInvocation *self)
{
	return g_strdup_printf("%s %s %s", g_get_prgname(), self->group, self->command);
}

gint
vf_ctl_invocation_usage_error(VfCtlInvocation *self, const gchar *format, ...)
{
	g_autofree gchar *message = NULL;
	g_autofree gchar *name = dup_command_name(self);
	va_list args;

	va_start(args, format);
	message = g_strdup_vprintf(format, args);
	va_end(args);
	g_printerr("%s: %s\n", name, message);
	/* TRANSLATORS: %s is a command line such as "videoflixctl videos add" */
	g_printerr(_("Try “%s --help” for more information."), name);
	g_printerr("\n");
	return VF_CTL_EXIT_USAGE;
}

gboolean
vf_ctl_invocation_parse(VfCtlInvocation *self,
			const GOptionEntry *entries,
			const gchar *parameter_string,
			const gchar *description,
			gint *argc,
			gchar ***argv,
			gint min_args,
			gint max_args)
{
	g_autofree gchar *name = dup_command_name(self);
	g_autoptr(GOptionContext) context = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GArray) all_entries = g_array_new(TRUE, TRUE, sizeof(GOptionEntry));
	gboolean system = FALSE;
	gboolean session = FALSE;
	const GOptionEntry bus_entries[] = {
	    {"system",
	     0,
	     0,
	     G_OPTION_ARG_NONE,
	     &system,
	     N_("Talk to videoflixd on the system bus"),
	     NULL},
	    {"session",
	     0,
	     0,
	     G_OPTION_ARG_NONE,
	     &session,
	     N_("Talk to videoflixd on the session bus"),
	     NULL},
	};
	gint n_args;

	for (const GOptionEntry *entry = entries; entry != NULL && entry->long_name != NULL;
	     entry++)
		g_array_append_val(all_entries, *entry);
	g_array_append_vals(all_entries, bus_entries, G_N_ELEMENTS(bus_entries));
	context = g_option_context_new(parameter_string);
	g_option_context_set_translation_domain(context, GETTEXT_PACKAGE);
	if (description != NULL)
		g_option_context_set_summary(context, _(description));
	g_option_context_add_main_entries(
	    context, (const GOptionEntry *)(gpointer)all_entries->data, GETTEXT_PACKAGE);

	{
		/* the usage line of --help reads "videoflixctl videos add [OPTION…] FILE"
		 * (GLib 2.74 lets the program name change; nothing else reads it meanwhile) */
		g_autofree gchar *prgname = g_strdup(g_get_prgname());
		gboolean ok;

		g_set_prgname(name);
		ok = g_option_context_parse(context, argc, argv, &error);
		g_set_prgname(prgname);
		if (!ok) {
			vf_ctl_invocation_usage_error(self, "%s", error->message);
			return FALSE;
		}
	}
	if (system && session) {
		vf_ctl_invocation_usage_error(
		    self, "%s", _("Give only one of --system and --session"));
		return FALSE;
	}
	if (system)
		self->bus = VF_CTL_BUS_SYSTEM;
	if (session)
		self->bus = VF_CTL_BUS_SESSION;
	n_args = *argc - 1;
	if (n_args < min_args) {
		/* TRANSLATORS: %s names what is missing, e.g. "ID" or "FILE" */
		vf_ctl_invocation_usage_error(self, _("%s is missing"), _(parameter_string));
		return FALSE;
	}
	if (max_args >= 0 && n_args > max_args) {
		vf_ctl_invocation_usage_error(
		    self, _("Unexpected argument “%s”"), (*argv)[1 + max_args]);
		return FALSE;
	}
	return TRUE;
}

gint
vf_ctl_invocation_fail(VfCtlInvocation *self, VfCtlBus *bus, const GError *error)
{
	g_autofree gchar *message = vf_ctl_bus_describe_error(bus, error);

	g_printerr("%s: %s\n", g_get_prgname(), message);
	return VF_CTL_EXIT_FAILURE;
}

VfCtlBus *
vf_ctl_invocation_connect(VfCtlInvocation *self)
{
	g_autoptr(GError) error = NULL;
	VfCtlBus *bus = vf_ctl_bus_connect(self->bus, &error);

	if (bus == NULL)
		vf_ctl_invocation_fail(self, NULL, error);
	return bus;
}

gboolean
vf_ctl_invocation_parse_id(VfCtlInvocation *self, const gchar *text, gint64 *id)
{
	guint64 value = 0;

	if (!g_ascii_string_to_unsigned(text, 10, 1, G_MAXINT64, &value, NULL)) {
		vf_ctl_invocation_usage_error(self, _("“%s” is not an id"), text);
		return FALSE;
	}
	*id = (gint64)value;
	return TRUE;
}

guint
vf_ctl_terminal_width(void)
{
	struct winsize size = {0};
	const gchar *columns;
	guint64 value = 0;

	if (!isatty(STDOUT_FILENO))
		return 0;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
		return size.ws_col;
	/* a pseudo-terminal without a size, e.g. under script(1) without a terminal */
	columns = g_getenv("COLUMNS");
	if (columns != NULL && g_ascii_string_to_unsigned(columns, 10, 1, 10000, &value, NULL))
		return (guint)value;
	return 80;
}
