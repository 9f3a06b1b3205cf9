/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Poster frames: a JPEG from about 10 % into the video, skipping black frames. Blocking
 * (each wait bounded): call it from a worker process or thread.
 */
#pragma once

#include <glib.h>

#include "vf-media-probe.h"

G_BEGIN_DECLS

/* max_height 0 keeps the source height; the width follows the display aspect ratio */
gboolean vf_media_thumbnail_write(const gchar *input,
				  const VfMediaProbe *probe,
				  const gchar *output,
				  guint max_height,
				  GError **error);

G_END_DECLS
