/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The activation mail: its strings (translated in po/de.po) on the shared
 * layout of vf-mail-template.c. Any thread.
 */
#include "config.h"

#include "vf-mail-activation.h"

#include <glib/gi18n-lib.h>

#include "vf-mail-template-private.h"

static const VfMailTemplate activation_template = {
    .subject = N_("Activate your Videoflix account"),
    .intro = N_("Thank you for registering with Videoflix. To complete your registration and "
		"confirm your email address, please open the link below:"),
    .action = N_("Activate account"),
    .note = N_("If you did not create an account with us, please ignore this email."),
};

VfMailMessage *
vf_mail_activation_new(const gchar *language, const gchar *recipient, const gchar *link)
{
	return vf_mail_template_build(&activation_template, language, recipient, link);
}
