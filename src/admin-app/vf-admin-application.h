/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfAdminApplication: the org.videoflix.Admin application — options (which bus),
 * app actions (about, quit) and, for the tests, machine-readable reports.
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define VF_TYPE_ADMIN_APPLICATION (vf_admin_application_get_type())
G_DECLARE_FINAL_TYPE(
    VfAdminApplication, vf_admin_application, VF, ADMIN_APPLICATION, AdwApplication)

VfAdminApplication *vf_admin_application_new(void);

/* when VF_ADMIN_TEST is set: prints one line "<what> <values>" on stdout and
 * flushes it, for the test that drives the app; otherwise nothing */
void vf_admin_application_report(const gchar *format, ...) G_GNUC_PRINTF(1, 2);

G_END_DECLS
