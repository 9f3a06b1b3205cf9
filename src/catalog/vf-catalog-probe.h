/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Probing a video before the catalogue takes it: a short-lived
 * `videoflix-worker --probe FILE` child (media never touches the API process),
 * killed when it takes longer than its timeout. Main thread.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* VF_ERROR_MEDIA_INVALID with the probe's reason when path is not a decodable
 * video, VF_ERROR_MEDIA_INVALID "timed out" after timeout_s, VF_ERROR_INTERNAL when
 * the worker cannot run; on success the probed duration in seconds */
void vf_catalog_probe_async(const gchar *worker_path,
			    const gchar *path,
			    guint timeout_s,
			    GCancellable *cancellable,
			    GAsyncReadyCallback callback,
			    gpointer user_data);
gboolean vf_catalog_probe_finish(GAsyncResult *result, gdouble *duration, GError **error);

G_END_DECLS
