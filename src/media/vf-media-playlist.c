/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * hlssink2 writes one media playlist per rendition and nothing else (PITFALLS §8): this file
 * reads them back, rewrites them as VOD, and writes the master playlist from the segments
 * really written (peak and average bit rate measured from file sizes).
 */
#include "config.h"

#include "vf-media-playlist.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "vf-error.h"

static void
segment_clear(VfMediaSegment *segment)
{
	g_free(segment->uri);
}

void
vf_media_playlist_free(VfMediaPlaylist *self)
{
	if (self == NULL)
		return;
	g_array_unref(self->segments);
	g_free(self);
}

void
vf_media_variant_free(VfMediaVariant *self)
{
	if (self == NULL)
		return;
	g_free(self->name);
	g_free(self->codecs);
	g_free(self);
}

VfMediaPlaylist *
vf_media_playlist_load(const gchar *path, GError **error)
{
	g_autoptr(VfMediaPlaylist) self = g_new0(VfMediaPlaylist, 1);
	g_autofree gchar *data = NULL;
	g_auto(GStrv) lines = NULL;
	gdouble pending = -1;
	g_autoptr(GError) local = NULL;

	self->segments = g_array_new(FALSE, TRUE, sizeof(VfMediaSegment));
	g_array_set_clear_func(self->segments, (GDestroyNotify)segment_clear);
	if (!g_file_get_contents(path, &data, NULL, &local)) {
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_INTERNAL,
			    "cannot read the playlist: %s",
			    local->message);
		return NULL;
	}
	lines = g_strsplit(data, "\n", -1);
	if (lines[0] == NULL || !g_str_has_prefix(lines[0], "#EXTM3U")) {
		g_set_error(error, VF_ERROR, VF_ERROR_INTERNAL, "%s is not an HLS playlist", path);
		return NULL;
	}
	for (guint i = 1; lines[i] != NULL; i++) {
		gchar *line = g_strstrip(lines[i]);
		if (g_str_has_prefix(line, "#EXTINF:")) {
			gchar *end = NULL;
			pending = g_ascii_strtod(line + strlen("#EXTINF:"), &end);
			if (end == line + strlen("#EXTINF:") || pending < 0) {
				g_set_error(error,
					    VF_ERROR,
					    VF_ERROR_INTERNAL,
					    "%s: bad #EXTINF line %u",
					    path,
					    i + 1);
				return NULL;
			}
		} else if (g_str_has_prefix(line, "#EXT-X-TARGETDURATION:")) {
			self->target_duration = (guint)g_ascii_strtoull(
			    line + strlen("#EXT-X-TARGETDURATION:"), NULL, 10);
		} else if (g_str_equal(line, "#EXT-X-ENDLIST")) {
			self->ended = TRUE;
		} else if (g_str_equal(line, "#EXT-X-PLAYLIST-TYPE:VOD")) {
			self->vod = TRUE;
		} else if (line[0] != '\0' && line[0] != '#') {
			VfMediaSegment segment = {g_strdup(line), pending};
			if (pending < 0) {
				g_free(segment.uri);
				g_set_error(error,
					    VF_ERROR,
					    VF_ERROR_INTERNAL,
					    "%s: segment without #EXTINF on line %u",
					    path,
					    i + 1);
				return NULL;
			}
			g_array_append_val(self->segments, segment);
			pending = -1;
		}
	}
	return g_steal_pointer(&self);
}

gdouble
vf_media_playlist_get_duration(const VfMediaPlaylist *self)
{
	gdouble sum = 0;
	for (guint i = 0; i < self->segments->len; i++)
		sum += g_array_index(self->segments, VfMediaSegment, i).duration;
	return sum;
}

static gboolean
replace_file(const gchar *path, const gchar *contents, GError **error)
{
	g_autoptr(GError) local = NULL;
	if (!g_file_set_contents(path, contents, -1, &local)) {
		g_set_error(error, VF_ERROR, VF_ERROR_INTERNAL, "%s", local->message);
		return FALSE;
	}
	return TRUE;
}

gboolean
vf_media_playlist_make_vod(const gchar *path, GError **error)
{
	g_autofree gchar *data = NULL;
	g_autoptr(GString) out = g_string_new(NULL);
	g_auto(GStrv) lines = NULL;
	g_autoptr(GError) local = NULL;
	gboolean have_type = FALSE;

	if (!g_file_get_contents(path, &data, NULL, &local)) {
		g_set_error(error, VF_ERROR, VF_ERROR_INTERNAL, "%s", local->message);
		return FALSE;
	}
	have_type = strstr(data, "#EXT-X-PLAYLIST-TYPE:") != NULL;
	lines = g_strsplit(g_strchomp(data), "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		g_string_append(out, g_strchomp(lines[i]));
		g_string_append_c(out, '\n');
		/* in the header, before the first segment */
		if (g_str_has_prefix(lines[i], "#EXT-X-TARGETDURATION:") && !have_type)
			g_string_append(out, "#EXT-X-PLAYLIST-TYPE:VOD\n");
	}
	return replace_file(path, out->str, error);
}

gboolean
vf_media_variant_measure(VfMediaVariant *variant, const gchar *playlist_path, GError **error)
{
	g_autoptr(VfMediaPlaylist) playlist = vf_media_playlist_load(playlist_path, error);
	g_autofree gchar *dir = g_path_get_dirname(playlist_path);
	guint64 total_bytes = 0;
	gdouble total_duration = 0;
	gdouble peak = 0;

	if (playlist == NULL)
		return FALSE;
	for (guint i = 0; i < playlist->segments->len; i++) {
		VfMediaSegment *segment = &g_array_index(playlist->segments, VfMediaSegment, i);
		g_autofree gchar *file = g_build_filename(dir, segment->uri, NULL);
		GStatBuf st;
		if (g_stat(file, &st) != 0) {
			g_set_error(error,
				    VF_ERROR,
				    VF_ERROR_INTERNAL,
				    "segment %s listed in the playlist is missing",
				    file);
			return FALSE;
		}
		total_bytes += (guint64)st.st_size;
		total_duration += segment->duration;
		/* a very short last segment would overstate the peak: count at least 1 s */
		peak = MAX(peak, (gdouble)st.st_size * 8 / MAX(segment->duration, 1.0));
	}
	variant->segments = playlist->segments->len;
	variant->duration = total_duration;
	variant->bandwidth = (guint64)ceil(peak);
	variant->average_bandwidth =
	    total_duration > 0 ? (guint64)ceil((gdouble)total_bytes * 8 / total_duration) : 0;
	return TRUE;
}

gboolean
vf_media_master_write(const gchar *path, GPtrArray *variants, GError **error)
{
	g_autoptr(GString) out =
	    g_string_new("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-INDEPENDENT-SEGMENTS\n");

	for (guint i = 0; i < variants->len; i++) {
		VfMediaVariant *v = g_ptr_array_index(variants, i);
		g_string_append_printf(out,
				       "#EXT-X-STREAM-INF:BANDWIDTH=%" G_GUINT64_FORMAT
				       ",AVERAGE-BANDWIDTH=%" G_GUINT64_FORMAT
				       ",RESOLUTION=%ux%u,CODECS=\"%s\"",
				       v->bandwidth,
				       v->average_bandwidth,
				       v->width,
				       v->height,
				       v->codecs);
		if (v->frame_rate > 0) {
			gchar buf[G_ASCII_DTOSTR_BUF_SIZE];
			g_ascii_formatd(buf, sizeof(buf), "%.3f", v->frame_rate);
			g_string_append_printf(out, ",FRAME-RATE=%s", buf);
		}
		g_string_append_printf(out, "\n%s/index.m3u8\n", v->name);
	}
	return replace_file(path, out->str, error);
}
