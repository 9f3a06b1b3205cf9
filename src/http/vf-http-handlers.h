/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every handler of the route table, by resource file.
 */
#pragma once

#include "vf-http-request.h"

G_BEGIN_DECLS

/* vf-http-accounts.c */
void vf_http_accounts_register(VfHttpRequest *request);
void vf_http_accounts_activate(VfHttpRequest *request);
void vf_http_accounts_login(VfHttpRequest *request);
void vf_http_accounts_logout(VfHttpRequest *request);
void vf_http_accounts_refresh(VfHttpRequest *request);
void vf_http_accounts_password_reset(VfHttpRequest *request);
void vf_http_accounts_password_confirm(VfHttpRequest *request);

/* vf-http-catalog.c */
void vf_http_catalog_list(VfHttpRequest *request);
void vf_http_catalog_get(VfHttpRequest *request);
/* a VfHttpMetricsCollectFunc: jobs by state, queue depth, transcode seconds */
void vf_http_catalog_collect_metrics(GString *out, gpointer catalog);

/* vf-http-stream.c */
void vf_http_stream_master(VfHttpRequest *request);
void vf_http_stream_playlist(VfHttpRequest *request);
void vf_http_stream_segment(VfHttpRequest *request);

/* vf-http-media.c */
void vf_http_media_thumbnail(VfHttpRequest *request);

/* vf-http-admin.c */
void vf_http_admin_create_video(VfHttpRequest *request);
void vf_http_admin_update_video(VfHttpRequest *request);
void vf_http_admin_delete_video(VfHttpRequest *request);
void vf_http_admin_list_jobs(VfHttpRequest *request);

/* vf-http-ops.c */
void vf_http_ops_healthz(VfHttpRequest *request);
void vf_http_ops_readyz(VfHttpRequest *request);
void vf_http_ops_metrics(VfHttpRequest *request);

G_END_DECLS
