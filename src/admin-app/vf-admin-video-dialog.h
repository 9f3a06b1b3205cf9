/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfAdminVideoDialog: the form to add a video (title, category, description, a
 * file chosen with GtkFileChooserNative, so through the portal in a sandbox) or
 * to edit one; validates, then calls AddVideo or UpdateVideo.
 */
#pragma once

#include <adwaita.h>

#include "vf-admin-client.h"

G_BEGIN_DECLS

#define VF_TYPE_ADMIN_VIDEO_DIALOG (vf_admin_video_dialog_get_type())
G_DECLARE_FINAL_TYPE(VfAdminVideoDialog, vf_admin_video_dialog, VF, ADMIN_VIDEO_DIALOG, AdwWindow)

/* video: NULL to add one, else the record (a{sv}) to edit. Emits "saved" (video
 * id, job id or 0) and closes once the daemon accepted the change */
VfAdminVideoDialog *
vf_admin_video_dialog_new(GtkWindow *parent, VfAdminClient *client, GVariant *video);

/* as if the file had been chosen (a local path) */
void vf_admin_video_dialog_set_path(VfAdminVideoDialog *self, const gchar *path);

G_END_DECLS
