/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reading typed fields of a request's JSON body the way DRF reports problems:
 * a present field of the wrong type is a field error, a missing one is NULL.
 */
#pragma once

#include "vf-field-errors.h"
#include "vf-http-request.h"

G_BEGIN_DECLS

/* the string, or NULL when missing (no error) or not a usable string (an error
 * "Not a valid string." / "This field may not be null." / "… blank." is added) */
const gchar *
vf_http_fields_get_string(VfHttpRequest *request, const gchar *name, VfFieldErrors *errors);
/* 400 with the field errors as body */
void vf_http_fields_respond(VfHttpRequest *request, VfFieldErrors *errors);

G_END_DECLS
