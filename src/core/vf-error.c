/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The VF_ERROR domain, registered with GDBus as org.videoflix.Error.<Code>.
 */
#include "config.h"

#include "vf-error.h"

#include <gio/gio.h>

static const GDBusErrorEntry vf_error_entries[] = {
    {VF_ERROR_INVALID_INPUT, "org.videoflix.Error.InvalidInput"},
    {VF_ERROR_NOT_AUTHENTICATED, "org.videoflix.Error.NotAuthenticated"},
    {VF_ERROR_TOKEN_INVALID, "org.videoflix.Error.TokenInvalid"},
    {VF_ERROR_PERMISSION_DENIED, "org.videoflix.Error.PermissionDenied"},
    {VF_ERROR_NOT_FOUND, "org.videoflix.Error.NotFound"},
    {VF_ERROR_TOO_LARGE, "org.videoflix.Error.TooLarge"},
    {VF_ERROR_RATE_LIMITED, "org.videoflix.Error.RateLimited"},
    {VF_ERROR_MEDIA_INVALID, "org.videoflix.Error.MediaInvalid"},
    {VF_ERROR_UNAVAILABLE, "org.videoflix.Error.Unavailable"},
    {VF_ERROR_INTERNAL, "org.videoflix.Error.Internal"},
};

G_STATIC_ASSERT(G_N_ELEMENTS(vf_error_entries) == VF_ERROR_LAST);

GQuark
vf_error_quark(void)
{
	static gsize quark = 0;
	g_dbus_error_register_error_domain(
	    "vf-error-quark", &quark, vf_error_entries, G_N_ELEMENTS(vf_error_entries));
	return (GQuark)quark;
}

guint
vf_error_to_http_status(const GError *error)
{
	if (error == NULL || error->domain != VF_ERROR)
		return 500;
	switch ((VfError)error->code) {
	case VF_ERROR_INVALID_INPUT:
	case VF_ERROR_MEDIA_INVALID:
		return 400;
	case VF_ERROR_NOT_AUTHENTICATED:
	case VF_ERROR_TOKEN_INVALID:
		return 401;
	case VF_ERROR_PERMISSION_DENIED:
		return 403;
	case VF_ERROR_NOT_FOUND:
		return 404;
	case VF_ERROR_TOO_LARGE:
		return 413;
	case VF_ERROR_RATE_LIMITED:
		return 429;
	case VF_ERROR_UNAVAILABLE:
		return 503;
	case VF_ERROR_INTERNAL:
	case VF_ERROR_LAST:
	default:
		return 500;
	}
}

const gchar *
vf_error_to_string(VfError code)
{
	if ((guint)code >= VF_ERROR_LAST)
		return "unknown";
	/* the D-Bus name minus its prefix */
	return vf_error_entries[code].dbus_error_name + strlen("org.videoflix.Error.");
}
