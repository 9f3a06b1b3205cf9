/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfHttpRateLimiter: in-memory sliding-window counters by key ("login-client:1.2.3.4").
 * Main thread only. Memory per key is bounded by the limit's count.
 */
#pragma once

#include "vf-config.h"

G_BEGIN_DECLS

typedef struct _VfHttpRateLimiter VfHttpRateLimiter;

VfHttpRateLimiter *vf_http_rate_limiter_new(void);
void vf_http_rate_limiter_free(VfHttpRateLimiter *self);
/* TRUE when one more event is allowed now; else *retry_after_s says when */
gboolean vf_http_rate_limiter_check(VfHttpRateLimiter *self,
				    const gchar *key,
				    const VfRateLimit *limit,
				    gint64 now_us,
				    gint64 *retry_after_s);
void vf_http_rate_limiter_hit(VfHttpRateLimiter *self,
			      const gchar *key,
			      const VfRateLimit *limit,
			      gint64 now_us);
/* takes back the newest event of key (an attempt that turned out not to count) */
void
vf_http_rate_limiter_give_back(VfHttpRateLimiter *self, const gchar *key);
/* check and hit in one step */
gboolean vf_http_rate_limiter_take(VfHttpRateLimiter *self,
				   const gchar *key,
				   const VfRateLimit *limit,
				   gint64 now_us,
				   gint64 *retry_after_s);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfHttpRateLimiter, vf_http_rate_limiter_free)

G_END_DECLS
