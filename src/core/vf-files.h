/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * File helpers shared by the modules that own folders under MEDIA_ROOT. Blocking:
 * call them off the main loop.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* deletes a file or a folder with everything below it, never following symbolic
 * links; NULL or a path that is not there is fine, other failures are logged */
void vf_files_remove_tree(const gchar *path);

G_END_DECLS
