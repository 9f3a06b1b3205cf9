/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The route table: the index of the API.
 */
#pragma once

#include "vf-http-router.h"

G_BEGIN_DECLS

const VfHttpRoute *vf_http_routes_get(guint *n_routes);

G_END_DECLS
