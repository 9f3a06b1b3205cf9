/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Uploading in tests: a generated clip (gst-launch-1.0, videotestsrc and
 * audiotestsrc) and multipart/form-data bodies built from fields and files.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define VF_TEST_BOUNDARY "vfTestBoundary42"

typedef struct {
	const gchar *name;
	const gchar *filename; /* NULL: a text field */
	const gchar *path;     /* file content from here, else value */
	const gchar *value;
} VfTestFormPart;

/* a 640x360 30 fps H.264/AAC mp4 of `frames` frames */
void vf_test_make_clip(const gchar *path, guint frames);
/* the parts separated by VF_TEST_BOUNDARY, files read from their path */
GByteArray *vf_test_form_body(const VfTestFormPart *parts, guint n_parts);

G_END_DECLS
