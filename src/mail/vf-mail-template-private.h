/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The layout every mail shares: greeting, a paragraph, the link (a button in
 * HTML), a note, a signature; text and HTML, translated into the language given.
 * Any thread (the language is switched per thread with uselocale()).
 */
#pragma once

#include "vf-mail-message.h"

G_BEGIN_DECLS

typedef struct {
	const gchar *subject; /* msgids, marked with N_() in the mail's file */
	const gchar *intro;
	const gchar *action;
	const gchar *note;
} VfMailTemplate;

VfMailMessage *vf_mail_template_build(const VfMailTemplate *template,
				      const gchar *language,
				      const gchar *recipient,
				      const gchar *link);

G_END_DECLS
