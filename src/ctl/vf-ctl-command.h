/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What every videoflixctl subcommand shares: its table entry, option parsing with
 * the bus options and --help, exit codes, ids from arguments and error output.
 * Main thread of videoflixctl.
 */
#pragma once

#include <gio/gio.h>

#include "vf-ctl-bus.h"

G_BEGIN_DECLS

typedef enum {
	VF_CTL_EXIT_OK = 0,	 /* done */
	VF_CTL_EXIT_FAILURE = 1, /* the daemon refused, a job failed, no daemon */
	VF_CTL_EXIT_USAGE = 2,	 /* bad options or arguments */
} VfCtlExit;

typedef struct {
	const gchar *group;   /* "videos" */
	const gchar *command; /* "list" */
	VfCtlBusChoice bus;   /* from the options before the group or the command's */
	gboolean stdout_is_tty;
	gboolean stdin_is_tty;
} VfCtlInvocation;

typedef struct {
	const gchar *name;    /* "list" */
	const gchar *summary; /* N_(): one line for the group's help */
	/* argv[0] is the command's name; returns a VfCtlExit */
	gint (*run)(VfCtlInvocation *invocation, gint argc, gchar **argv);
} VfCtlCommand;

/* parses argv (entries may be NULL) with --system, --session and --help added;
 * positional arguments must number min_args..max_args (-1: any); on a usage error
 * prints it with a hint and returns FALSE (exit with VF_CTL_EXIT_USAGE) */
gboolean vf_ctl_invocation_parse(VfCtlInvocation *self,
				 const GOptionEntry *entries,
				 const gchar *parameter_string,
				 const gchar *description,
				 gint *argc,
				 gchar ***argv,
				 gint min_args,
				 gint max_args);
/* connects to videoflixd, or prints why not and returns NULL (exit with
 * VF_CTL_EXIT_FAILURE) */
VfCtlBus *vf_ctl_invocation_connect(VfCtlInvocation *self);
/* prints "videoflixctl: MESSAGE" for error and returns VF_CTL_EXIT_FAILURE; bus may
 * be NULL */
gint vf_ctl_invocation_fail(VfCtlInvocation *self, VfCtlBus *bus, const GError *error);
/* prints a usage error with the --help hint and returns VF_CTL_EXIT_USAGE */
gint vf_ctl_invocation_usage_error(VfCtlInvocation *self, const gchar *format, ...)
    G_GNUC_PRINTF(2, 3);
/* a positive id; FALSE after printing a usage error */
gboolean vf_ctl_invocation_parse_id(VfCtlInvocation *self, const gchar *text, gint64 *id);
/* columns of the terminal on stdout; 0 when stdout is not a terminal */
guint vf_ctl_terminal_width(void);

G_END_DECLS
