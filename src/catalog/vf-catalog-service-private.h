/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the files of VfCatalogService share beyond its public header (the import
 * of local files lives in vf-catalog-service-import.c). Main thread.
 */
#pragma once

#include "vf-catalog-service.h"

G_BEGIN_DECLS

/* the job submitted by a finished create, update or retry request, else 0 */
gint64 vf_catalog_service_get_result_job_id(GAsyncResult *result);
const VfConfig *vf_catalog_service_get_config(VfCatalogService *self);

G_END_DECLS
