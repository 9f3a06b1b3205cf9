/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfAdminVideoRow: one video in the window's list — thumbnail, title, status, the
 * progress of its running job and buttons (edit, delete, retry) that activate the
 * window's actions with the video's or job's id.
 */
#pragma once

#include <gtk/gtk.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

#define VF_TYPE_ADMIN_VIDEO_ROW (vf_admin_video_row_get_type())
G_DECLARE_FINAL_TYPE(VfAdminVideoRow, vf_admin_video_row, VF, ADMIN_VIDEO_ROW, GtkListBoxRow)

/* video: a record (a{sv}) as ListVideos gives it; session fetches the thumbnail */
VfAdminVideoRow *vf_admin_video_row_new(GVariant *video, SoupSession *session);
void vf_admin_video_row_set_video(VfAdminVideoRow *self, GVariant *video);
/* the record last set, borrowed */
GVariant *vf_admin_video_row_get_video(VfAdminVideoRow *self);
gint64 vf_admin_video_row_get_id(VfAdminVideoRow *self);
const gchar *vf_admin_video_row_get_title(VfAdminVideoRow *self);
/* the latest job of the video; state is one of JobStateChanged's; progress < 0
 * keeps the bar where it is */
void vf_admin_video_row_set_job(
    VfAdminVideoRow *self, gint64 job_id, const gchar *state, gdouble progress, const gchar *error);
/* a JobProgress of the video's running job */
void vf_admin_video_row_set_progress(VfAdminVideoRow *self, gint64 job_id, gdouble progress);
/* what the progress bar shows, -1 when it is hidden */
gdouble vf_admin_video_row_get_progress(VfAdminVideoRow *self);

G_END_DECLS
