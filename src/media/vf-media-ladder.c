/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Loads and validates the ladder. Every error names the group and the key at fault so
 * an operator can fix the file; values are checked against what x264enc accepts.
 * Pure data, callable from any thread.
 */
#include "config.h"

#include "vf-media-ladder.h"

#include "vf-error.h"

static const gchar *speed_presets[] = {"ultrafast",
				       "superfast",
				       "veryfast",
				       "faster",
				       "fast",
				       "medium",
				       "slow",
				       "slower",
				       "veryslow",
				       "placebo",
				       NULL};
static const gchar *profiles[] = {"baseline", "constrained-baseline", "main", "high", NULL};

static void
rendition_free(VfMediaRendition *rendition)
{
	g_free(rendition->name);
	g_free(rendition->speed_preset);
	g_free(rendition->profile);
	g_free(rendition);
}

static void
ladder_clear(VfMediaLadder *self)
{
	g_clear_pointer(&self->renditions, g_ptr_array_unref);
}

static VfMediaLadder *
ladder_new(void)
{
	VfMediaLadder *self = g_atomic_rc_box_new0(VfMediaLadder);
	self->renditions = g_ptr_array_new_with_free_func((GDestroyNotify)rendition_free);
	self->segment_duration = 6;
	self->keyframe_interval = 2;
	self->upscale = TRUE;
	self->encoder_threads = 1;
	self->stall_timeout = 60;
	return self;
}

VfMediaLadder *
vf_media_ladder_ref(VfMediaLadder *self)
{
	return g_atomic_rc_box_acquire(self);
}

void
vf_media_ladder_unref(VfMediaLadder *self)
{
	g_atomic_rc_box_release_full(self, (GDestroyNotify)ladder_clear);
}

/* the settings source: a key file or a JSON object, read through the same checks */
typedef struct {
	const gchar *origin;
	GKeyFile *keyfile;
	JsonObject *json; /* of group name → object */
} Reader;

static gboolean
reader_has(Reader *reader, const gchar *group, const gchar *key)
{
	JsonObject *object;
	if (reader->keyfile != NULL)
		return g_key_file_has_key(reader->keyfile, group, key, NULL);
	if (!json_object_has_member(reader->json, group))
		return FALSE;
	object = json_object_get_object_member(reader->json, group);
	return object != NULL && json_object_has_member(object, key);
}

static gboolean
fail(Reader *reader, const gchar *group, const gchar *key, const gchar *what, GError **error)
{
	g_set_error(error,
		    VF_ERROR,
		    VF_ERROR_INVALID_INPUT,
		    "%s: group “%s”, key “%s”: %s",
		    reader->origin,
		    group,
		    key,
		    what);
	return FALSE;
}

static gboolean
read_uint(Reader *reader,
	  const gchar *group,
	  const gchar *key,
	  gboolean required,
	  guint min,
	  guint max,
	  guint *value,
	  GError **error)
{
	gint64 v;
	g_autofree gchar *range =
	    g_strdup_printf("expected a whole number from %u to %u", min, max);

	if (!reader_has(reader, group, key)) {
		if (required)
			return fail(reader, group, key, "missing", error);
		return TRUE;
	}
	if (reader->keyfile != NULL) {
		g_autofree gchar *text = g_key_file_get_value(reader->keyfile, group, key, NULL);
		g_strstrip(text);
		if (!g_ascii_string_to_signed(text, 10, G_MININT64, G_MAXINT64, &v, NULL))
			return fail(reader, group, key, range, error);
	} else {
		JsonObject *object = json_object_get_object_member(reader->json, group);
		JsonNode *node = json_object_get_member(object, key);
		if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_INT64)
			return fail(reader, group, key, range, error);
		v = json_node_get_int(node);
	}
	if (v < min || v > max)
		return fail(reader, group, key, range, error);
	*value = (guint)v;
	return TRUE;
}

static gboolean
read_bool(Reader *reader, const gchar *group, const gchar *key, gboolean *value, GError **error)
{
	if (!reader_has(reader, group, key))
		return TRUE;
	if (reader->keyfile != NULL) {
		g_autoptr(GError) local = NULL;
		gboolean v = g_key_file_get_boolean(reader->keyfile, group, key, &local);
		if (local != NULL)
			return fail(reader, group, key, "expected true or false", error);
		*value = v;
	} else {
		JsonObject *object = json_object_get_object_member(reader->json, group);
		JsonNode *node = json_object_get_member(object, key);
		if (!JSON_NODE_HOLDS_VALUE(node) ||
		    json_node_get_value_type(node) != G_TYPE_BOOLEAN)
			return fail(reader, group, key, "expected true or false", error);
		*value = json_node_get_boolean(node);
	}
	return TRUE;
}

static gboolean
read_choice(Reader *reader,
	    const gchar *group,
	    const gchar *key,
	    const gchar *const *choices,
	    const gchar *fallback,
	    gchar **value,
	    GError **error)
{
	g_autofree gchar *text = NULL;

	if (!reader_has(reader, group, key)) {
		*value = g_strdup(fallback);
		return TRUE;
	}
	if (reader->keyfile != NULL) {
		text = g_key_file_get_string(reader->keyfile, group, key, NULL);
	} else {
		JsonObject *object = json_object_get_object_member(reader->json, group);
		JsonNode *node = json_object_get_member(object, key);
		if (JSON_NODE_HOLDS_VALUE(node) && json_node_get_value_type(node) == G_TYPE_STRING)
			text = json_node_dup_string(node);
	}
	if (text != NULL)
		g_strstrip(text);
	if (text == NULL || !g_strv_contains(choices, text)) {
		g_autofree gchar *list = g_strjoinv(", ", (gchar **)choices);
		g_autofree gchar *what = g_strdup_printf("expected one of %s", list);
		return fail(reader, group, key, what, error);
	}
	*value = g_steal_pointer(&text);
	return TRUE;
}

static gboolean
valid_name(const gchar *name)
{
	if (name[0] == '\0' || g_strcmp0(name, "ladder") == 0 || name[0] == '.')
		return FALSE;
	for (const gchar *p = name; *p != '\0'; p++) {
		if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_')
			return FALSE;
	}
	return TRUE;
}

static VfMediaLadder *
ladder_read(Reader *reader, gchar **names, GError **error)
{
	g_autoptr(VfMediaLadder) self = ladder_new();
	const gchar *g = "ladder";

	if (names == NULL || names[0] == NULL) {
		fail(reader, g, "renditions", "missing or empty", error);
		return NULL;
	}
	if (!read_uint(reader, g, "segment-duration", FALSE, 1, 60, &self->segment_duration, error))
		return NULL;
	if (!read_uint(
		reader, g, "keyframe-interval", FALSE, 1, 60, &self->keyframe_interval, error))
		return NULL;
	if (self->segment_duration % self->keyframe_interval != 0) {
		fail(reader,
		     g,
		     "segment-duration",
		     "must be a multiple of keyframe-interval (segments start on keyframes)",
		     error);
		return NULL;
	}
	if (!read_bool(reader, g, "upscale", &self->upscale, error))
		return NULL;
	if (!read_uint(reader, g, "encoder-threads", FALSE, 0, 64, &self->encoder_threads, error))
		return NULL;
	if (!read_uint(reader, g, "stall-timeout", FALSE, 1, 3600, &self->stall_timeout, error))
		return NULL;

	for (guint i = 0; names[i] != NULL; i++) {
		VfMediaRendition *r;
		const gchar *name = g_strstrip(names[i]);

		if (!valid_name(name)) {
			fail(reader,
			     g,
			     "renditions",
			     "names may hold only letters, digits, “-” and “_”",
			     error);
			return NULL;
		}
		for (guint j = 0; j < self->renditions->len; j++) {
			VfMediaRendition *other = g_ptr_array_index(self->renditions, j);
			if (g_strcmp0(other->name, name) == 0) {
				fail(reader, g, "renditions", "a name is listed twice", error);
				return NULL;
			}
		}
		if (reader->keyfile != NULL
			? !g_key_file_has_group(reader->keyfile, name)
			: !json_object_has_member(reader->json, name) ||
			      json_object_get_object_member(reader->json, name) == NULL) {
			g_autofree gchar *what =
			    g_strdup_printf("lists “%s” but there is no group “%s”", name, name);
			fail(reader, g, "renditions", what, error);
			return NULL;
		}
		r = g_new0(VfMediaRendition, 1);
		g_ptr_array_add(self->renditions, r);
		r->name = g_strdup(name);
		if (!read_uint(reader, name, "height", TRUE, 64, 4320, &r->height, error))
			return NULL;
		if (r->height % 2 != 0) {
			fail(reader, name, "height", "must be even (4:2:0 video)", error);
			return NULL;
		}
		if (!read_uint(
			reader, name, "video-bitrate", TRUE, 50, 100000, &r->video_bitrate, error))
			return NULL;
		r->max_rate = r->video_bitrate;
		if (!read_uint(reader, name, "max-rate", FALSE, 50, 200000, &r->max_rate, error))
			return NULL;
		/* x264enc's ABR mode sets the VBV max rate to its bitrate after applying
		 * option-string, so a different max rate cannot be expressed in 1.22 */
		if (r->max_rate != r->video_bitrate) {
			fail(reader,
			     name,
			     "max-rate",
			     "must equal video-bitrate (x264enc caps the rate at its bitrate)",
			     error);
			return NULL;
		}
		r->vbv_buffer = 2000;
		if (!read_uint(
			reader, name, "vbv-buffer", FALSE, 100, 10000, &r->vbv_buffer, error))
			return NULL;
		r->audio_bitrate = 128;
		if (!read_uint(
			reader, name, "audio-bitrate", FALSE, 32, 320, &r->audio_bitrate, error))
			return NULL;
		if (i > 0) {
			VfMediaRendition *first = g_ptr_array_index(self->renditions, 0);
			if (first->audio_bitrate != r->audio_bitrate) {
				fail(reader,
				     name,
				     "audio-bitrate",
				     "must be the same in every rendition (audio is encoded once)",
				     error);
				return NULL;
			}
		}
		if (!read_choice(reader,
				 name,
				 "speed-preset",
				 speed_presets,
				 "veryfast",
				 &r->speed_preset,
				 error))
			return NULL;
		if (!read_choice(reader, name, "profile", profiles, "high", &r->profile, error))
			return NULL;
	}
	return g_steal_pointer(&self);
}

VfMediaLadder *
vf_media_ladder_load_data(const gchar *data, const gchar *origin, GError **error)
{
	g_autoptr(GKeyFile) keyfile = g_key_file_new();
	g_autoptr(GError) local = NULL;
	g_auto(GStrv) names = NULL;
	Reader reader = {origin, keyfile, NULL};

	g_return_val_if_fail(data != NULL, NULL);

	if (!g_key_file_load_from_data(keyfile, data, -1, G_KEY_FILE_NONE, &local)) {
		g_set_error(
		    error, VF_ERROR, VF_ERROR_INVALID_INPUT, "%s: %s", origin, local->message);
		return NULL;
	}
	if (!g_key_file_has_group(keyfile, "ladder")) {
		fail(&reader, "ladder", "renditions", "the group is missing", error);
		return NULL;
	}
	names = g_key_file_get_string_list(keyfile, "ladder", "renditions", NULL, NULL);
	return ladder_read(&reader, names, error);
}

VfMediaLadder *
vf_media_ladder_load_file(const gchar *path, GError **error)
{
	g_autofree gchar *data = NULL;
	g_autoptr(GError) local = NULL;

	g_return_val_if_fail(path != NULL, NULL);

	if (!g_file_get_contents(path, &data, NULL, &local)) {
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_INVALID_INPUT,
			    "cannot read the ladder file: %s",
			    local->message);
		return NULL;
	}
	return vf_media_ladder_load_data(data, path, error);
}

/* JSON form: {"ladder": {...shared keys, "renditions": ["480p", …]}, "480p": {...}, …},
 * the key file's groups as objects */
VfMediaLadder *
vf_media_ladder_from_json(JsonNode *node, GError **error)
{
	JsonObject *root;
	JsonObject *ladder;
	JsonArray *array;
	g_auto(GStrv) names = NULL;
	Reader reader = {"ladder (JSON)", NULL, NULL};

	if (node == NULL || !JSON_NODE_HOLDS_OBJECT(node)) {
		g_set_error_literal(
		    error, VF_ERROR, VF_ERROR_INVALID_INPUT, "ladder (JSON): expected an object");
		return NULL;
	}
	root = json_node_get_object(node);
	reader.json = root;
	ladder = json_object_has_member(root, "ladder")
		     ? json_object_get_object_member(root, "ladder")
		     : NULL;
	array = ladder != NULL && json_object_has_member(ladder, "renditions")
		    ? json_object_get_array_member(ladder, "renditions")
		    : NULL;
	if (array != NULL) {
		names = g_new0(gchar *, json_array_get_length(array) + 1);
		for (guint i = 0; i < json_array_get_length(array); i++) {
			const gchar *name = json_array_get_string_element(array, i);
			names[i] = g_strdup(name != NULL ? name : "");
		}
	}
	return ladder_read(&reader, names, error);
}

JsonNode *
vf_media_ladder_to_json(const VfMediaLadder *self)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();

	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "ladder");
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "renditions");
	json_builder_begin_array(builder);
	for (guint i = 0; i < self->renditions->len; i++) {
		VfMediaRendition *r = g_ptr_array_index(self->renditions, i);
		json_builder_add_string_value(builder, r->name);
	}
	json_builder_end_array(builder);
	json_builder_set_member_name(builder, "segment-duration");
	json_builder_add_int_value(builder, self->segment_duration);
	json_builder_set_member_name(builder, "keyframe-interval");
	json_builder_add_int_value(builder, self->keyframe_interval);
	json_builder_set_member_name(builder, "upscale");
	json_builder_add_boolean_value(builder, self->upscale);
	json_builder_set_member_name(builder, "encoder-threads");
	json_builder_add_int_value(builder, self->encoder_threads);
	json_builder_set_member_name(builder, "stall-timeout");
	json_builder_add_int_value(builder, self->stall_timeout);
	json_builder_end_object(builder);
	for (guint i = 0; i < self->renditions->len; i++) {
		VfMediaRendition *r = g_ptr_array_index(self->renditions, i);
		json_builder_set_member_name(builder, r->name);
		json_builder_begin_object(builder);
		json_builder_set_member_name(builder, "height");
		json_builder_add_int_value(builder, r->height);
		json_builder_set_member_name(builder, "video-bitrate");
		json_builder_add_int_value(builder, r->video_bitrate);
		json_builder_set_member_name(builder, "max-rate");
		json_builder_add_int_value(builder, r->max_rate);
		json_builder_set_member_name(builder, "vbv-buffer");
		json_builder_add_int_value(builder, r->vbv_buffer);
		json_builder_set_member_name(builder, "audio-bitrate");
		json_builder_add_int_value(builder, r->audio_bitrate);
		json_builder_set_member_name(builder, "speed-preset");
		json_builder_add_string_value(builder, r->speed_preset);
		json_builder_set_member_name(builder, "profile");
		json_builder_add_string_value(builder, r->profile);
		json_builder_end_object(builder);
	}
	json_builder_end_object(builder);
	return json_builder_get_root(builder);
}

gchar *
vf_media_ladder_dup_default_path(void)
{
	g_autofree gchar *installed = g_build_filename(VF_DATADIR, "ladder.ini", NULL);
	if (g_file_test(installed, G_FILE_TEST_IS_REGULAR))
		return g_steal_pointer(&installed);
	return g_build_filename(VF_SOURCE_ROOT, "pipelines", "ladder.ini", NULL);
}

guint
vf_media_ladder_get_audio_bitrate(const VfMediaLadder *self)
{
	VfMediaRendition *first = g_ptr_array_index(self->renditions, 0);
	return first->audio_bitrate;
}
