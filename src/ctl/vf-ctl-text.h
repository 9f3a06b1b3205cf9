/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Terminal text for videoflixctl: display width in columns, truncation to a width
 * with an ellipsis, and removal of control characters from daemon-supplied text
 * (a title must not move the cursor). Pure functions, any thread.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* columns that UTF-8 text takes on a terminal (wide characters count two) */
guint vf_ctl_text_width(const gchar *text);
/* a copy at most width columns wide, ending in "…" when it was cut */
gchar *vf_ctl_text_truncate(const gchar *text, guint width);
/* text padded with spaces to width columns, on the right (left-aligned) or left */
void vf_ctl_text_append_padded(GString *out, const gchar *text, guint width, gboolean right_align);
/* a copy with control characters (C0, DEL, C1, and invalid UTF-8) replaced by
 * spaces or U+FFFD, safe to print on a terminal */
gchar *vf_ctl_text_sanitize(const gchar *text);

G_END_DECLS
