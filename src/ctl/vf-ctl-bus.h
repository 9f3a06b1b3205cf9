/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfCtlBus: videoflixctl's connection to org.videoflix.Admin1 on the system bus,
 * the session bus or a bus address, its generated proxy (for the signals) and
 * error messages a person can act on. Main thread of videoflixctl.
 */
#pragma once

#include <gio/gio.h>

#include "vf-dbus-generated.h"

G_BEGIN_DECLS

#define VF_CTL_BUS_NAME	       "org.videoflix.Admin1"
#define VF_CTL_BUS_OBJECT_PATH "/org/videoflix/Admin1"
#define VF_CTL_BUS_INTERFACE   "org.videoflix.Admin1"
#define VF_CTL_BUS_ENV	       "VIDEOFLIX_BUS"

typedef enum {
	VF_CTL_BUS_AUTO,    /* VIDEOFLIX_BUS, else system if videoflixd is there, else session */
	VF_CTL_BUS_SYSTEM,  /* --system */
	VF_CTL_BUS_SESSION, /* --session */
} VfCtlBusChoice;

typedef struct _VfCtlBus VfCtlBus;

/* fails with a translated message when there is no bus or videoflixd does not own
 * its name on the chosen bus */
VfCtlBus *vf_ctl_bus_connect(VfCtlBusChoice choice, GError **error);
void vf_ctl_bus_free(VfCtlBus *self);
VfDBusAdmin1 *vf_ctl_bus_get_proxy(VfCtlBus *self);
/* "the system bus", "the session bus" or "the bus at ADDRESS" (translated) */
const gchar *vf_ctl_bus_get_description(VfCtlBus *self);
/* a blocking call of an Admin1 method; may ask polkit interactively; timeout_ms as
 * for g_dbus_connection_call_sync() (G_MAXINT: none) */
GVariant *vf_ctl_bus_call(VfCtlBus *self,
			  const gchar *method,
			  GVariant *parameters,
			  const GVariantType *reply_type,
			  gint timeout_ms,
			  GError **error);
/* the message to show for an error of the bus or the daemon: the daemon's own text
 * without the D-Bus error name, or an explanation (not running, not allowed) */
gchar *vf_ctl_bus_describe_error(VfCtlBus *self, const GError *error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfCtlBus, vf_ctl_bus_free)

G_END_DECLS
