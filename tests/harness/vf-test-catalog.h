/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Driving VfCatalogService from a test: blocking helpers that iterate the main
 * loop while the service works, generated clips, and looks at MEDIA_ROOT.
 */
#pragma once

#include "vf-catalog-service.h"

G_BEGIN_DECLS

/* a 320x180 25 fps clip: frames of H.264 (matroska), with AAC audio when audio
 * (mp4); made with gst-launch-1.0 */
void vf_test_catalog_make_clip(const gchar *path, guint frames, gboolean audio);
/* creates a video from a copy of clip (the upload's temp file in media_root) */
VfCatalogVideo *vf_test_catalog_create(VfCatalogService *service,
				       const gchar *media_root,
				       const gchar *clip,
				       const gchar *title);
VfCatalogVideo *vf_test_catalog_get(VfCatalogService *service, gint64 id, GError **error);
gboolean vf_test_catalog_delete(VfCatalogService *service, gint64 id, GError **error);
/* polls until the video has the status; fails the test when it ends otherwise or
 * the timeout passes */
VfCatalogVideo *vf_test_catalog_wait_status(VfCatalogService *service,
					    gint64 id,
					    const gchar *status,
					    guint timeout_s);
/* GPtrArray of VfCatalogJob, newest first */
GPtrArray *vf_test_catalog_list_jobs(VfCatalogService *service);
/* the newest job of the video, or NULL */
VfCatalogJob *vf_test_catalog_find_job(VfCatalogService *service, gint64 video_id);
/* files (not folders) below path, recursively */
guint vf_test_catalog_count_files(const gchar *path);
/* the names in a folder, sorted, as one string "a,b,c" ("" when empty or missing) */
gchar *vf_test_catalog_list_dir(const gchar *path);

G_END_DECLS
