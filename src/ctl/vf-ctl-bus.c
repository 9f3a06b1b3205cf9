/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Connects videoflixctl to videoflixd: picks the bus (options, VIDEOFLIX_BUS, or
 * the system bus when the name is owned there, else the session bus), checks that
 * the name has an owner before anything is called, and turns GDBus errors into
 * sentences. Main thread of videoflixctl; blocking calls are fine in a CLI.
 */
#include "config.h"

#include "vf-ctl-bus.h"

#include <glib/gi18n-lib.h>

#include "vf-error.h"

struct _VfCtlBus {
	GDBusConnection *connection;
	VfDBusAdmin1 *proxy;
	gchar *description;
};

void
vf_ctl_bus_free(VfCtlBus *self)
{
	if (self == NULL)
		return;
	g_clear_object(&self->proxy);
	g_clear_object(&self->connection);
	g_free(self->description);
	g_free(self);
}

static gchar *
describe_choice(VfCtlBusChoice choice, const gchar *address)
{
	if (address != NULL)
		return g_strdup_printf(_("the bus at %s"), address);
	if (choice == VF_CTL_BUS_SYSTEM)
		return g_strdup(_("the system bus"));
	return g_strdup(_("the session bus"));
}

/* NULL with error when the bus cannot be reached; a bus without videoflixd is not an
 * error here: the proxy then has no name owner */
static VfCtlBus *
open_bus(VfCtlBusChoice choice, const gchar *address, GError **error)
{
	g_autoptr(VfCtlBus) self = g_new0(VfCtlBus, 1);
	g_autoptr(GError) local_error = NULL;

	self->description = describe_choice(choice, address);
	if (address != NULL) {
		self->connection = g_dbus_connection_new_for_address_sync(
		    address,
		    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
			G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
		    NULL,
		    NULL,
		    &local_error);
	} else {
		self->connection = g_bus_get_sync(choice == VF_CTL_BUS_SYSTEM ? G_BUS_TYPE_SYSTEM
									      : G_BUS_TYPE_SESSION,
						  NULL,
						  &local_error);
	}
	if (self->connection == NULL) {
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_UNAVAILABLE,
			    /* TRANSLATORS: %s is "the system bus" or "the session bus", then the
			       reason */
			    _("Cannot connect to %s: %s"),
			    self->description,
			    local_error->message);
		return NULL;
	}
	self->proxy = vf_dbus_admin1_proxy_new_sync(self->connection,
						    G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START |
							G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES,
						    VF_CTL_BUS_NAME,
						    VF_CTL_BUS_OBJECT_PATH,
						    NULL,
						    &local_error);
	if (self->proxy == NULL) {
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_UNAVAILABLE,
			    _("Cannot connect to %s: %s"),
			    self->description,
			    local_error->message);
		return NULL;
	}
	return g_steal_pointer(&self);
}

static gboolean
has_daemon(VfCtlBus *self)
{
	g_autofree gchar *owner = g_dbus_proxy_get_name_owner(G_DBUS_PROXY(self->proxy));
	return owner != NULL;
}

static VfCtlBus *
connect_auto(GError **error)
{
	g_autoptr(VfCtlBus) system = open_bus(VF_CTL_BUS_SYSTEM, NULL, NULL);
	g_autoptr(VfCtlBus) session = NULL;

	if (system != NULL && has_daemon(system))
		return g_steal_pointer(&system);
	/* a missing bus says the same as a bus without videoflixd */
	session = open_bus(VF_CTL_BUS_SESSION, NULL, NULL);
	if (session != NULL && has_daemon(session))
		return g_steal_pointer(&session);
	g_set_error_literal(
	    error,
	    VF_ERROR,
	    VF_ERROR_UNAVAILABLE,
	    _("videoflixd is not running on the system bus nor on the session bus"));
	return NULL;
}

VfCtlBus *
vf_ctl_bus_connect(VfCtlBusChoice choice, GError **error)
{
	const gchar *env = g_getenv(VF_CTL_BUS_ENV);
	const gchar *address = NULL;
	g_autoptr(VfCtlBus) self = NULL;

	/* registers org.videoflix.Error.* so that remote errors carry VF_ERROR codes */
	(void)vf_error_quark();

	if (choice == VF_CTL_BUS_AUTO && env != NULL && env[0] != '\0') {
		if (g_str_equal(env, "system"))
			choice = VF_CTL_BUS_SYSTEM;
		else if (g_str_equal(env, "session"))
			choice = VF_CTL_BUS_SESSION;
		else if (g_dbus_is_supported_address(env, NULL))
			address = env;
		else {
			g_set_error(
			    error,
			    VF_ERROR,
			    VF_ERROR_INVALID_INPUT,
			    _("%s must be “system”, “session” or a D-Bus address, not “%s”"),
			    VF_CTL_BUS_ENV,
			    env);
			return NULL;
		}
	}
	if (choice == VF_CTL_BUS_AUTO && address == NULL)
		return connect_auto(error);

	self = open_bus(choice, address, error);
	if (self == NULL)
		return NULL;
	if (!has_daemon(self)) {
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_UNAVAILABLE,
			    /* TRANSLATORS: %s is "the system bus", "the session bus" or "the bus
			       at ADDRESS" */
			    _("videoflixd is not running on %s"),
			    self->description);
		return NULL;
	}
	return g_steal_pointer(&self);
}

VfDBusAdmin1 *
vf_ctl_bus_get_proxy(VfCtlBus *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	return self->proxy;
}

const gchar *
vf_ctl_bus_get_description(VfCtlBus *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	return self->description;
}

GVariant *
vf_ctl_bus_call(VfCtlBus *self,
		const gchar *method,
		GVariant *parameters,
		const GVariantType *reply_type,
		gint timeout_ms,
		GError **error)
{
	g_return_val_if_fail(self != NULL, NULL);
	return g_dbus_connection_call_sync(self->connection,
					   VF_CTL_BUS_NAME,
					   VF_CTL_BUS_OBJECT_PATH,
					   VF_CTL_BUS_INTERFACE,
					   method,
					   parameters,
					   reply_type,
					   G_DBUS_CALL_FLAGS_NO_AUTO_START |
					       G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION,
					   timeout_ms,
					   NULL,
					   error);
}

gchar *
vf_ctl_bus_describe_error(VfCtlBus *self, const GError *error)
{
	const gchar *where = self != NULL ? self->description : _("the bus");
	g_autoptr(GError) copy = NULL;

	g_return_val_if_fail(error != NULL, NULL);
	if (g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
	    g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) ||
	    g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT))
		return g_strdup_printf(_("videoflixd is not running on %s"), where);
	if (g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY) ||
	    g_error_matches(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
		return g_strdup_printf(_("videoflixd did not answer on %s"), where);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CLOSED))
		return g_strdup_printf(_("The connection to %s was closed"), where);

	copy = g_error_copy(error);
	g_dbus_error_strip_remote_error(copy);
	if (g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED) ||
	    g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_AUTH_FAILED) ||
	    g_error_matches(error, VF_ERROR, VF_ERROR_PERMISSION_DENIED))
		/* TRANSLATORS: %s is the reason the bus or videoflixd gave */
		return g_strdup_printf(_("Permission denied: %s"), copy->message);
	if (g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD))
		/* TRANSLATORS: %s is the bus's message */
		return g_strdup_printf(_("%s (is videoflixd older than videoflixctl?)"),
				       copy->message);
	return g_strdup(copy->message);
}
