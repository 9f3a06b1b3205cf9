/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfTestNats: a real `nats-server -js` for the tests, file storage in a temp dir,
 * on a free port of a loopback (or given) address. It can be stopped and started
 * again on the same port with the same storage (broker outages). Main thread.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _VfTestNats VfTestNats;

/* address: where to listen, NULL for 127.0.0.1 */
VfTestNats *vf_test_nats_new(const gchar *address);
void vf_test_nats_free(VfTestNats *self);
/* "nats://127.0.0.1:PORT" */
const gchar *vf_test_nats_get_url(VfTestNats *self);
void vf_test_nats_stop(VfTestNats *self);
void vf_test_nats_start(VfTestNats *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfTestNats, vf_test_nats_free)

G_END_DECLS
