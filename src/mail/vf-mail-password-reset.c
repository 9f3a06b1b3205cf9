/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The password reset mail: its strings (translated in po/de.po) on the shared
 * layout of vf-mail-template.c. Any thread.
 */
#include "config.h"

#include "vf-mail-password-reset.h"

#include <glib/gi18n-lib.h>

#include "vf-mail-template-private.h"

static const VfMailTemplate password_reset_template = {
    .subject = N_("Reset your Videoflix account"),
    .intro = N_("We received a request to reset the password of your Videoflix account. "
		"Please open the link below to choose a new password:"),
    .action = N_("Reset password"),
    .note = N_("If you did not request a new password, please ignore this email: your "
	       "password stays unchanged."),
};

VfMailMessage *
vf_mail_password_reset_new(const gchar *language, const gchar *recipient, const gchar *link)
{
	return vf_mail_template_build(&password_reset_template, language, recipient, link);
}
