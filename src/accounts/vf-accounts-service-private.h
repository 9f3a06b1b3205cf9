/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the files of VfAccountsService share beyond its public header (the
 * administration lives in vf-accounts-service-admin.c). Any thread.
 */
#pragma once

#include "vf-accounts-live-refresh.h"
#include "vf-accounts-service.h"

G_BEGIN_DECLS

const VfConfig *vf_accounts_service_get_config(VfAccountsService *self);
VfDbPool *vf_accounts_service_get_pool(VfAccountsService *self);
VfAccountsLiveRefresh *vf_accounts_service_get_live_refresh(VfAccountsService *self);
/* runs func for task (owned) in the pool bounded by PASSWORD_HASH_CONCURRENCY */
void vf_accounts_service_run_with_credentials(VfAccountsService *self,
					      GTask *task,
					      GTaskThreadFunc func);

G_END_DECLS
