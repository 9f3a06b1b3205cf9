/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfFieldErrors: DRF-shaped validation errors, {"field": ["message", …]}, in the
 * order the fields were first reported. Plain data; any thread.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _VfFieldErrors VfFieldErrors;

VfFieldErrors *vf_field_errors_new(void);
void vf_field_errors_free(VfFieldErrors *self);
void vf_field_errors_add(VfFieldErrors *self, const gchar *field, const gchar *message);
gboolean vf_field_errors_is_empty(const VfFieldErrors *self);
gboolean vf_field_errors_has(const VfFieldErrors *self, const gchar *field);
JsonNode *vf_field_errors_to_json(const VfFieldErrors *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfFieldErrors, vf_field_errors_free)

G_END_DECLS
