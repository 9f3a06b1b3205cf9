/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Who the client is, for rate limits and logs: the TCP peer, unless that peer is
 * a trusted proxy; then the right-most X-Forwarded-For hop that is not one.
 */
#include "config.h"

#include "vf-http-layers.h"

static gboolean
is_trusted(gchar **trusted_proxies, const gchar *address)
{
	for (guint i = 0; trusted_proxies != NULL && trusted_proxies[i] != NULL; i++) {
		if (g_strcmp0(trusted_proxies[i], address) == 0)
			return TRUE;
	}
	return FALSE;
}

gchar *
vf_http_client_address(SoupServerMessage *msg, gchar **trusted_proxies)
{
	const gchar *peer = soup_server_message_get_remote_host(msg);
	SoupMessageHeaders *headers = soup_server_message_get_request_headers(msg);
	const gchar *forwarded;
	g_auto(GStrv) hops = NULL;

	if (peer == NULL)
		return g_strdup("unknown");
	if (!is_trusted(trusted_proxies, peer))
		return g_strdup(peer);
	forwarded = soup_message_headers_get_list(headers, "X-Forwarded-For");
	if (forwarded == NULL)
		return g_strdup(peer);
	hops = g_strsplit(forwarded, ",", -1);
	for (gint i = (gint)g_strv_length(hops) - 1; i >= 0; i--) {
		gchar *hop = g_strstrip(hops[i]);
		if (!g_hostname_is_ip_address(hop))
			break;
		if (!is_trusted(trusted_proxies, hop))
			return g_strdup(hop);
	}
	return g_strdup(peer);
}
