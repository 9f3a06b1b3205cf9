/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VF_ERROR: the one error domain of Videoflix. Each code maps to one HTTP status
 * and one D-Bus error name; modules translate libpq, GStreamer, GIO and NATS errors
 * into these codes at their edge, keeping the original message.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define VF_ERROR (vf_error_quark())

typedef enum {
	VF_ERROR_INVALID_INPUT,	    /* the caller sent something we cannot use: 400 */
	VF_ERROR_NOT_AUTHENTICATED, /* no credentials at all: 401 */
	VF_ERROR_TOKEN_INVALID,	    /* credentials present but bad, expired or revoked: 401 */
	VF_ERROR_PERMISSION_DENIED, /* authenticated but not allowed: 403 */
	VF_ERROR_NOT_FOUND,	    /* no such thing: 404 */
	VF_ERROR_TOO_LARGE,	    /* body or file over its limit: 413 */
	VF_ERROR_RATE_LIMITED,	    /* too many attempts: 429 */
	VF_ERROR_MEDIA_INVALID,	    /* not a decodable video; a job fails without retry: 400 */
	VF_ERROR_UNAVAILABLE,	    /* a dependency (database, broker) is down: 503 */
	VF_ERROR_INTERNAL,	    /* a bug or an unexpected failure: 500 */
	VF_ERROR_LAST
} VfError;

GQuark vf_error_quark(void);
guint vf_error_to_http_status(const GError *error);
const gchar *vf_error_to_string(VfError code);

G_END_DECLS
