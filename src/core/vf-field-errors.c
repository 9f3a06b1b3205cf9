/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Ordered field → messages map rendered as a DRF validation error body.
 */
#include "config.h"

#include "vf-field-errors.h"

struct _VfFieldErrors {
	GPtrArray *fields;    /* of gchar*, first-report order */
	GHashTable *messages; /* field → GPtrArray of gchar* */
};

VfFieldErrors *
vf_field_errors_new(void)
{
	VfFieldErrors *self = g_new0(VfFieldErrors, 1);
	self->fields = g_ptr_array_new_with_free_func(g_free);
	self->messages =
	    g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)g_ptr_array_unref);
	return self;
}

void
vf_field_errors_free(VfFieldErrors *self)
{
	if (self == NULL)
		return;
	g_hash_table_unref(self->messages);
	g_ptr_array_unref(self->fields);
	g_free(self);
}

void
vf_field_errors_add(VfFieldErrors *self, const gchar *field, const gchar *message)
{
	GPtrArray *list;

	g_return_if_fail(self != NULL);
	g_return_if_fail(field != NULL && message != NULL);

	list = g_hash_table_lookup(self->messages, field);
	if (list == NULL) {
		gchar *key = g_strdup(field);
		g_ptr_array_add(self->fields, key);
		list = g_ptr_array_new_with_free_func(g_free);
		g_hash_table_insert(self->messages, key, list);
	}
	g_ptr_array_add(list, g_strdup(message));
}

gboolean
vf_field_errors_is_empty(const VfFieldErrors *self)
{
	return self == NULL || self->fields->len == 0;
}

gboolean
vf_field_errors_has(const VfFieldErrors *self, const gchar *field)
{
	return self != NULL && g_hash_table_contains(self->messages, field);
}

JsonNode *
vf_field_errors_to_json(const VfFieldErrors *self)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();

	json_builder_begin_object(builder);
	for (guint i = 0; self != NULL && i < self->fields->len; i++) {
		const gchar *field = g_ptr_array_index(self->fields, i);
		GPtrArray *list = g_hash_table_lookup(self->messages, field);
		json_builder_set_member_name(builder, field);
		json_builder_begin_array(builder);
		for (guint j = 0; j < list->len; j++)
			json_builder_add_string_value(builder, g_ptr_array_index(list, j));
		json_builder_end_array(builder);
	}
	json_builder_end_object(builder);
	return json_builder_get_root(builder);
}
