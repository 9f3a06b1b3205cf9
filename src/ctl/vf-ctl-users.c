/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * videoflixctl users: list, create (the password is read from the terminal
 * without echo, or from the first line of stdin, never from the command line),
 * activate, deactivate and admin. A user is named by id or e-mail address.
 * Main thread of videoflixctl.
 */
#include "config.h"

#include "vf-ctl-users.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "vf-ctl-output.h"

#define PASSWORD_MAX 4096

static const VfCtlColumn list_columns[] = {
    {"id", N_("ID"), VF_CTL_FORMAT_NUMBER, FALSE},
    {"email", N_("EMAIL"), VF_CTL_FORMAT_TEXT, TRUE},
    {"is_active", N_("ACTIVE"), VF_CTL_FORMAT_BOOLEAN, FALSE},
    {"is_admin", N_("ADMIN"), VF_CTL_FORMAT_BOOLEAN, FALSE},
    {"created_at", N_("CREATED"), VF_CTL_FORMAT_DATE, FALSE},
};

static GVariant *
list_users(VfCtlInvocation *invocation, VfCtlBus *bus)
{
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GError) error = NULL;

	reply = vf_ctl_bus_call(bus, "ListUsers", NULL, G_VARIANT_TYPE("(aa{sv})"), -1, &error);
	if (reply == NULL) {
		vf_ctl_invocation_fail(invocation, bus, error);
		return NULL;
	}
	return g_variant_get_child_value(reply, 0);
}

static gint
users_list(VfCtlInvocation *invocation, gint argc, gchar **argv)
{
	gboolean json = FALSE;
	const GOptionEntry entries[] = {
	    {"json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON for scripts"), NULL},
	    G_OPTION_ENTRY_NULL,
	};
	g_autoptr(VfCtlBus) bus = NULL;
	g_autoptr(GVariant) records = NULL;

	if (!vf_ctl_invocation_parse(
		invocation, entries, "", N_("List every user, by id."), &argc, &argv, 0, 0))
		return VF_CTL_EXIT_USAGE;
	bus = vf_ctl_invocation_connect(invocation);
	if (bus == NULL)
		return VF_CTL_EXIT_FAILURE;
	records = list_users(invocation, bus);
	if (records == NULL)
		return VF_CTL_EXIT_FAILURE;
	vf_ctl_output_print_records(records, list_columns, G_N_ELEMENTS(list_columns), json);
	return VF_CTL_EXIT_OK;
}

static void
wipe_free(gchar *secret)
{
	if (secret == NULL)
		return;
	memset(secret, 0, strlen(secret));
	free(secret);
}

/* one line of stdin without its line end, or NULL at end of input */
static gchar *
read_line(void)
{
	gchar *line = NULL;
	size_t size = 0;
	ssize_t length = getline(&line, &size, stdin);

	if (length < 0) {
		free(line);
		return NULL;
	}
	while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r'))
		line[--length] = '\0';
	return line;
}

static gchar *
prompt_hidden(const gchar *prompt)
{
	struct termios saved;
	struct termios quiet;
	gchar *line;

	g_printerr("%s", prompt);
	if (tcgetattr(STDIN_FILENO, &saved) != 0)
		return read_line();
	quiet = saved;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	line = read_line();
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
	g_printerr("\n");
	return line;
}

/* the new user's password (malloc'ed, wipe_free() it), or NULL after a message */
static gchar *
read_password(VfCtlInvocation *invocation)
{
	gchar *password;
	gchar *again;

	if (!invocation->stdin_is_tty) {
		password = read_line();
		if (password == NULL)
			g_printerr("%s: %s\n", g_get_prgname(), _("No password on standard input"));
		return password;
	}
	password = prompt_hidden(_("Password: "));
	if (password == NULL)
		return NULL;
	again = prompt_hidden(_("Password again: "));
	if (again == NULL || strcmp(password, again) != 0) {
		g_printerr("%s: %s\n", g_get_prgname(), _("The passwords differ"));
		wipe_free(password);
		wipe_free(again);
		return NULL;
	}
	wipe_free(again);
	return password;
}

static gint
users_create(VfCtlInvocation *invocation, gint argc, gchar **argv)
{
	gboolean inactive = FALSE;
	gboolean admin = FALSE;
	gboolean json = FALSE;
	const GOptionEntry entries[] = {
	    {"admin", 0, 0, G_OPTION_ARG_NONE, &admin, N_("Make the user an admin"), NULL},
	    {"inactive",
	     0,
	     0,
	     G_OPTION_ARG_NONE,
	     &inactive,
	     N_("Create the account deactivated (it cannot log in yet)"),
	     NULL},
	    {"json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the new id as JSON"), NULL},
	    G_OPTION_ENTRY_NULL,
	};
	g_autoptr(VfCtlBus) bus = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *id_text = NULL;
	gchar *password;
	gint64 id = 0;

	if (!vf_ctl_invocation_parse(
		invocation,
		entries,
		N_("EMAIL"),
		N_("Create a user. The password is asked for on a terminal, else "
		   "read from the first line of standard input. No mail is "
		   "sent."),
		&argc,
		&argv,
		1,
		1))
		return VF_CTL_EXIT_USAGE;
	bus = vf_ctl_invocation_connect(invocation);
	if (bus == NULL)
		return VF_CTL_EXIT_FAILURE;
	password = read_password(invocation);
	if (password == NULL)
		return VF_CTL_EXIT_FAILURE;
	reply = vf_ctl_bus_call(bus,
				"CreateUser",
				g_variant_new("(ssbb)", argv[1], password, !inactive, admin),
				G_VARIANT_TYPE("(x)"),
				-1,
				&error);
	wipe_free(password);
	if (reply == NULL)
		return vf_ctl_invocation_fail(invocation, bus, error);
	g_variant_get(reply, "(x)", &id);
	if (json) {
		vf_ctl_output_print_json_ids("id", id, NULL, 0);
		return VF_CTL_EXIT_OK;
	}
	id_text = g_strdup_printf("%" G_GINT64_FORMAT, id);
	/* TRANSLATORS: the new user's id and e-mail address */
	g_print(_("Created user %s (%s).\n"), id_text, argv[1]);
	return VF_CTL_EXIT_OK;
}

/* a user by id or e-mail address; FALSE after a message (exit code in *status) */
static gboolean
resolve_user(
    VfCtlInvocation *invocation, VfCtlBus *bus, const gchar *name, gint64 *id, gint *status)
{
	g_autoptr(GVariant) records = NULL;
	GVariantIter iter;
	GVariant *record;
	guint64 value = 0;

	if (strchr(name, '@') == NULL) {
		if (!g_ascii_string_to_unsigned(name, 10, 1, G_MAXINT64, &value, NULL)) {
			*status = vf_ctl_invocation_usage_error(
			    invocation, _("“%s” is neither an id nor an e-mail address"), name);
			return FALSE;
		}
		*id = (gint64)value;
		return TRUE;
	}
	records = list_users(invocation, bus);
	if (records == NULL) {
		*status = VF_CTL_EXIT_FAILURE;
		return FALSE;
	}
	g_variant_iter_init(&iter, records);
	while ((record = g_variant_iter_next_value(&iter)) != NULL) {
		const gchar *email = NULL;
		gboolean found = g_variant_lookup(record, "email", "&s", &email) &&
				 g_ascii_strcasecmp(email, name) == 0 &&
				 g_variant_lookup(record, "id", "x", id);
		g_variant_unref(record);
		if (found)
			return TRUE;
	}
	g_printerr("%s: ", g_get_prgname());
	g_printerr(_("No user has the e-mail address %s"), name);
	g_printerr("\n");
	*status = VF_CTL_EXIT_FAILURE;
	return FALSE;
}

/* calls method(id, flag) for the user named in argv[1] */
static gint
set_user_flag(VfCtlInvocation *invocation,
	      gint argc,
	      gchar **argv,
	      const GOptionEntry *entries,
	      const gchar *summary,
	      const gchar *method,
	      gboolean *flag,
	      gboolean flag_value)
{
	g_autoptr(VfCtlBus) bus = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *id_text = NULL;
	gint status = VF_CTL_EXIT_OK;
	gint64 id = 0;

	if (!vf_ctl_invocation_parse(
		invocation, entries, N_("ID|EMAIL"), summary, &argc, &argv, 1, 1))
		return VF_CTL_EXIT_USAGE;
	if (flag != NULL)
		flag_value = !*flag;
	bus = vf_ctl_invocation_connect(invocation);
	if (bus == NULL)
		return VF_CTL_EXIT_FAILURE;
	if (!resolve_user(invocation, bus, argv[1], &id, &status))
		return status;
	reply = vf_ctl_bus_call(
	    bus, method, g_variant_new("(xb)", id, flag_value), G_VARIANT_TYPE_UNIT, -1, &error);
	if (reply == NULL)
		return vf_ctl_invocation_fail(invocation, bus, error);
	id_text = g_strdup_printf("%" G_GINT64_FORMAT, id);
	if (g_str_equal(method, "SetUserActive"))
		g_print(flag_value ? _("User %s is active.\n") : _("User %s is deactivated.\n"),
			id_text);
	else
		g_print(flag_value ? _("User %s is an admin.\n") : _("User %s is no admin.\n"),
			id_text);
	return VF_CTL_EXIT_OK;
}

static gint
users_activate(VfCtlInvocation *invocation, gint argc, gchar **argv)
{
	return set_user_flag(
	    invocation, argc, argv, NULL, N_("Let a user log in."), "SetUserActive", NULL, TRUE);
}

static gint
users_deactivate(VfCtlInvocation *invocation, gint argc, gchar **argv)
{
	return set_user_flag(invocation,
			     argc,
			     argv,
			     NULL,
			     N_("Stop a user from logging in and end their sessions at once."),
			     "SetUserActive",
			     NULL,
			     FALSE);
}

static gint
users_admin(VfCtlInvocation *invocation, gint argc, gchar **argv)
{
	gboolean revoke = FALSE;
	const GOptionEntry entries[] = {
	    {"revoke", 0, 0, G_OPTION_ARG_NONE, &revoke, N_("Take the admin role away"), NULL},
	    G_OPTION_ENTRY_NULL,
	};

	return set_user_flag(invocation,
			     argc,
			     argv,
			     entries,
			     N_("Make a user an admin, or with --revoke no longer."),
			     "SetUserAdmin",
			     &revoke,
			     TRUE);
}

static const VfCtlCommand commands[] = {
    {"list", N_("List every user"), users_list},
    {"create", N_("Create a user"), users_create},
    {"activate", N_("Let a user log in"), users_activate},
    {"deactivate", N_("Stop a user from logging in"), users_deactivate},
    {"admin", N_("Grant or revoke the admin role"), users_admin},
    {NULL, NULL, NULL},
};

const VfCtlCommand *
vf_ctl_users_get_commands(void)
{
	return commands;
}
