/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Sliding-window log per key: the times of the last `count` events. An event is
 * allowed when fewer than `count` fall inside the window. Stale keys are pruned
 * every few thousand operations so memory follows the active clients.
 */
#include "config.h"

#include "vf-http-rate-limit.h"

#define PRUNE_EVERY 4096

typedef struct {
	GQueue times; /* of gint64 µs, oldest first */
	gint64 window_us;
} Window;

struct _VfHttpRateLimiter {
	GHashTable *windows; /* key → Window */
	guint operations;
};

static void
window_free(Window *window)
{
	while (!g_queue_is_empty(&window->times))
		g_free(g_queue_pop_head(&window->times));
	g_free(window);
}

VfHttpRateLimiter *
vf_http_rate_limiter_new(void)
{
	VfHttpRateLimiter *self = g_new0(VfHttpRateLimiter, 1);
	self->windows =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)window_free);
	return self;
}

void
vf_http_rate_limiter_free(VfHttpRateLimiter *self)
{
	if (self == NULL)
		return;
	g_hash_table_unref(self->windows);
	g_free(self);
}

static void
expire(Window *window, gint64 now_us)
{
	while (!g_queue_is_empty(&window->times)) {
		gint64 *oldest = g_queue_peek_head(&window->times);
		if (*oldest > now_us - window->window_us)
			break;
		g_free(g_queue_pop_head(&window->times));
	}
}

static void
maybe_prune(VfHttpRateLimiter *self, gint64 now_us)
{
	GHashTableIter iter;
	gpointer value;

	if (++self->operations % PRUNE_EVERY != 0)
		return;
	g_hash_table_iter_init(&iter, self->windows);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		expire(value, now_us);
		if (g_queue_is_empty(&((Window *)value)->times))
			g_hash_table_iter_remove(&iter);
	}
}

gboolean
vf_http_rate_limiter_check(VfHttpRateLimiter *self,
			   const gchar *key,
			   const VfRateLimit *limit,
			   gint64 now_us,
			   gint64 *retry_after_s)
{
	Window *window;
	gint64 *oldest;

	if (limit->count <= 0)
		return TRUE;
	maybe_prune(self, now_us);
	window = g_hash_table_lookup(self->windows, key);
	if (window == NULL)
		return TRUE;
	expire(window, now_us);
	if ((gint)g_queue_get_length(&window->times) < limit->count)
		return TRUE;
	oldest = g_queue_peek_head(&window->times);
	if (retry_after_s != NULL)
		*retry_after_s = MAX(1,
				     (*oldest + window->window_us - now_us + G_USEC_PER_SEC - 1) /
					 G_USEC_PER_SEC);
	return FALSE;
}

void
vf_http_rate_limiter_hit(VfHttpRateLimiter *self,
			 const gchar *key,
			 const VfRateLimit *limit,
			 gint64 now_us)
{
	Window *window;

	if (limit->count <= 0)
		return;
	window = g_hash_table_lookup(self->windows, key);
	if (window == NULL) {
		window = g_new0(Window, 1);
		g_queue_init(&window->times);
		g_hash_table_insert(self->windows, g_strdup(key), window);
	}
	window->window_us = limit->window_s * G_USEC_PER_SEC;
	expire(window, now_us);
	g_queue_push_tail(&window->times, g_memdup2(&now_us, sizeof(now_us)));
	while ((gint)g_queue_get_length(&window->times) > limit->count)
		g_free(g_queue_pop_head(&window->times));
}

void
vf_http_rate_limiter_give_back(VfHttpRateLimiter *self, const gchar *key)
{
	Window *window = g_hash_table_lookup(self->windows, key);

	if (window != NULL && !g_queue_is_empty(&window->times))
		g_free(g_queue_pop_tail(&window->times));
}

gboolean
vf_http_rate_limiter_take(VfHttpRateLimiter *self,
			  const gchar *key,
			  const VfRateLimit *limit,
			  gint64 now_us,
			  gint64 *retry_after_s)
{
	if (!vf_http_rate_limiter_check(self, key, limit, now_us, retry_after_s))
		return FALSE;
	vf_http_rate_limiter_hit(self, key, limit, now_us);
	return TRUE;
}
