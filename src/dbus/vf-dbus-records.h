/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The records of org.videoflix.Admin1 as a{sv} dictionaries (videos, jobs, users,
 * with the keys the interface documents) and the UpdateVideo changes read back
 * into a VfCatalogUpload. Pure functions, any thread.
 */
#pragma once

#include <gio/gio.h>

#include "vf-accounts-service.h"
#include "vf-catalog-service.h"

G_BEGIN_DECLS

/* floating a{sv}; public_url makes thumbnail_url absolute */
GVariant *vf_dbus_records_video(const VfCatalogVideo *video, const gchar *public_url);
GVariant *vf_dbus_records_job(const VfCatalogJob *job);
GVariant *vf_dbus_records_user(const VfAccountsUserInfo *user);
/* floating aa{sv} of a GPtrArray of those */
GVariant *vf_dbus_records_videos(GPtrArray *videos, const gchar *public_url);
GVariant *vf_dbus_records_jobs(GPtrArray *jobs);
GVariant *vf_dbus_records_users(GPtrArray *users);

/* UpdateVideo's changes: "title", "description", "category" into upload, "path"
 * into *path; VF_ERROR_INVALID_INPUT for another key or a value that is not a
 * string */
gboolean vf_dbus_records_parse_changes(GVariant *changes,
				       VfCatalogUpload *upload,
				       gchar **path,
				       GError **error);

G_END_DECLS
