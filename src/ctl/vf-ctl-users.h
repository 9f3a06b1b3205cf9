/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * videoflixctl users list|create|activate|deactivate|admin. Main thread of
 * videoflixctl.
 */
#pragma once

#include "vf-ctl-command.h"

G_BEGIN_DECLS

/* NULL-terminated (by name) */
const VfCtlCommand *vf_ctl_users_get_commands(void);

G_END_DECLS
