/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfMailTransport: the base of the mail backends. Holds the From mailbox
 * (construct-only, so reading it from worker threads needs no lock) and checks
 * every message before a backend sees it.
 */
#include "config.h"

#include "vf-mail-transport.h"

#include "vf-error.h"
#include "vf-mail-mime-private.h"

typedef struct {
	gchar *from;
} VfMailTransportPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE(VfMailTransport, vf_mail_transport, G_TYPE_OBJECT)

enum { PROP_0, PROP_FROM, PROP_LAST };

static GParamSpec *properties[PROP_LAST];

gboolean
vf_mail_transport_send(VfMailTransport *self, const VfMailMessage *message, GError **error)
{
	VfMailTransportClass *klass;

	g_return_val_if_fail(VF_IS_MAIL_TRANSPORT(self), FALSE);
	g_return_val_if_fail(message != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	klass = VF_MAIL_TRANSPORT_GET_CLASS(self);
	g_return_val_if_fail(klass->send != NULL, FALSE);
	if (!vf_mail_mime_check(message, vf_mail_transport_get_from(self), error))
		return FALSE;
	return klass->send(self, message, error);
}

const gchar *
vf_mail_transport_get_from(VfMailTransport *self)
{
	VfMailTransportPrivate *priv = vf_mail_transport_get_instance_private(self);

	g_return_val_if_fail(VF_IS_MAIL_TRANSPORT(self), NULL);
	return priv->from;
}

static void
vf_mail_transport_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	VfMailTransport *self = VF_MAIL_TRANSPORT(object);
	VfMailTransportPrivate *priv = vf_mail_transport_get_instance_private(self);

	switch (prop_id) {
	case PROP_FROM:
		g_value_set_string(value, priv->from);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
		break;
	}
}

static void
vf_mail_transport_set_property(GObject *object,
			       guint prop_id,
			       const GValue *value,
			       GParamSpec *pspec)
{
	VfMailTransport *self = VF_MAIL_TRANSPORT(object);
	VfMailTransportPrivate *priv = vf_mail_transport_get_instance_private(self);

	switch (prop_id) {
	case PROP_FROM:
		g_free(priv->from);
		priv->from = g_value_dup_string(value);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
		break;
	}
}

static void
vf_mail_transport_finalize(GObject *object)
{
	VfMailTransport *self = VF_MAIL_TRANSPORT(object);
	VfMailTransportPrivate *priv = vf_mail_transport_get_instance_private(self);

	g_free(priv->from);
	G_OBJECT_CLASS(vf_mail_transport_parent_class)->finalize(object);
}

static void
vf_mail_transport_class_init(VfMailTransportClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->get_property = vf_mail_transport_get_property;
	object_class->set_property = vf_mail_transport_set_property;
	object_class->finalize = vf_mail_transport_finalize;

	properties[PROP_FROM] = g_param_spec_string("from",
						    NULL,
						    NULL,
						    "webmaster@localhost",
						    G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
							G_PARAM_STATIC_STRINGS);
	g_object_class_install_properties(object_class, PROP_LAST, properties);
}

static void
vf_mail_transport_init(VfMailTransport *self)
{
}
