/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Generated clips and multipart bodies for the upload tests.
 */
#include "config.h"

#include "vf-test-upload.h"

#include <string.h>

void
vf_test_make_clip(const gchar *path, guint frames)
{
	g_autofree gchar *location = g_strdup_printf("location=%s", path);
	g_autofree gchar *buffers = g_strdup_printf("num-buffers=%u", frames);
	g_autofree gchar *audio_buffers =
	    g_strdup_printf("num-buffers=%u", frames * 44100 / 30 / 1024 + 1);
	const gchar *argv[] = {"gst-launch-1.0",
			       "-q",
			       "videotestsrc",
			       buffers,
			       "pattern=ball",
			       "!",
			       "video/x-raw,width=640,height=360,framerate=30/1",
			       "!",
			       "x264enc",
			       "speed-preset=ultrafast",
			       "!",
			       "h264parse",
			       "!",
			       "mp4mux",
			       "name=m",
			       "!",
			       "filesink",
			       location,
			       "audiotestsrc",
			       audio_buffers,
			       "!",
			       "audioconvert",
			       "!",
			       "avenc_aac",
			       "!",
			       "m.",
			       NULL};
	gint status = 0;
	g_autoptr(GError) error = NULL;

	g_assert_true(g_spawn_sync(NULL,
				   (gchar **)argv,
				   NULL,
				   G_SPAWN_SEARCH_PATH,
				   NULL,
				   NULL,
				   NULL,
				   NULL,
				   &status,
				   &error));
	g_assert_no_error(error);
	g_assert_true(g_spawn_check_wait_status(status, NULL));
}

GByteArray *
vf_test_form_body(const VfTestFormPart *parts, guint n_parts)
{
	GByteArray *body = g_byte_array_new();

	for (guint i = 0; i < n_parts; i++) {
		g_autofree gchar *head = NULL;
		g_autofree gchar *contents = NULL;
		gsize len = 0;

		if (parts[i].filename != NULL)
			head = g_strdup_printf("--" VF_TEST_BOUNDARY
					       "\r\nContent-Disposition: form-data; "
					       "name=\"%s\"; filename=\"%s\"\r\nContent-Type: "
					       "application/octet-stream\r\n\r\n",
					       parts[i].name,
					       parts[i].filename);
		else
			head = g_strdup_printf("--" VF_TEST_BOUNDARY
					       "\r\nContent-Disposition: form-data; "
					       "name=\"%s\"\r\n\r\n",
					       parts[i].name);
		g_byte_array_append(body, (const guint8 *)head, (guint)strlen(head));
		if (parts[i].path != NULL) {
			g_assert_true(g_file_get_contents(parts[i].path, &contents, &len, NULL));
			g_byte_array_append(body, (const guint8 *)contents, (guint)len);
		} else if (parts[i].value != NULL) {
			g_byte_array_append(
			    body, (const guint8 *)parts[i].value, (guint)strlen(parts[i].value));
		}
		g_byte_array_append(body, (const guint8 *)"\r\n", 2);
	}
	g_byte_array_append(
	    body, (const guint8 *)"--" VF_TEST_BOUNDARY "--\r\n", strlen(VF_TEST_BOUNDARY) + 6);
	return body;
}
