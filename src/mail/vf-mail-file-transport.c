/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Writes each mail as <time>-<random>.eml (names sort by sending time):
 * multipart/alternative, quoted-printable text and HTML parts, CRLF line ends,
 * the same headers SMTP sends. g_file_set_contents_full() writes a temporary
 * file and renames it into place. Files are 0600: they hold one-time tokens.
 */
#include "config.h"

#include "vf-mail-file-transport.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "vf-error.h"
#include "vf-mail-mime-private.h"

struct _VfMailFileTransport {
	VfMailTransport parent_instance;
	gchar *dir; /* construct time only */
};

G_DEFINE_TYPE(VfMailFileTransport, vf_mail_file_transport, VF_TYPE_MAIL_TRANSPORT)

static void
append_part(GString *out, const gchar *boundary, const gchar *type, const gchar *body)
{
	g_autofree gchar *crlf = vf_mail_mime_to_crlf(body);
	g_autofree gchar *qp = vf_mail_mime_encode_quoted_printable(crlf);

	g_string_append_printf(out,
			       "--%s\r\n"
			       "Content-Type: %s\r\n"
			       "Content-Transfer-Encoding: quoted-printable\r\n"
			       "\r\n"
			       "%s\r\n",
			       boundary,
			       type,
			       qp);
}

static gboolean
vf_mail_file_transport_send(VfMailTransport *transport,
			    const VfMailMessage *message,
			    GError **error)
{
	VfMailFileTransport *self = VF_MAIL_FILE_TRANSPORT(transport);
	const gchar *from = vf_mail_transport_get_from(transport);
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree gchar *date = vf_mail_mime_format_date(now);
	g_autofree gchar *message_id = vf_mail_mime_new_message_id(from);
	g_autofree gchar *subject = vf_mail_mime_encode_header(message->subject);
	g_autofree gchar *uuid = g_uuid_string_random();
	g_autofree gchar *boundary = g_strdup_printf("=_vf_%s", uuid);
	g_autofree gchar *name = NULL;
	g_autofree gchar *path = NULL;
	g_autoptr(GString) out = g_string_new(NULL);

	g_string_append_printf(out,
			       "Date: %s\r\n"
			       "Message-ID: %s\r\n"
			       "From: %s\r\n"
			       "To: %s\r\n"
			       "Subject: %s\r\n"
			       "MIME-Version: 1.0\r\n"
			       "Content-Type: multipart/alternative; boundary=\"%s\"\r\n"
			       "\r\n",
			       date,
			       message_id,
			       from,
			       message->recipient,
			       subject,
			       boundary);
	append_part(out, boundary, "text/plain; charset=utf-8", message->text);
	append_part(out, boundary, "text/html; charset=utf-8", message->html);
	g_string_append_printf(out, "--%s--\r\n", boundary);

	if (g_mkdir_with_parents(self->dir, 0700) != 0) {
		int saved_errno = errno;
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_UNAVAILABLE,
			    "cannot create mail directory %s: %s",
			    self->dir,
			    g_strerror(saved_errno));
		return FALSE;
	}
	name = g_strdup_printf("%016" G_GINT64_FORMAT "-%.8s.eml", g_get_real_time(), uuid);
	path = g_build_filename(self->dir, name, NULL);
	if (!g_file_set_contents_full(path,
				      out->str,
				      out->len,
				      G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
				      0600,
				      error)) {
		g_prefix_error(error, "cannot write mail: ");
		return FALSE;
	}
	g_debug("wrote %s as %s", message_id, path);
	return TRUE;
}

static void
vf_mail_file_transport_finalize(GObject *object)
{
	VfMailFileTransport *self = VF_MAIL_FILE_TRANSPORT(object);

	g_free(self->dir);
	G_OBJECT_CLASS(vf_mail_file_transport_parent_class)->finalize(object);
}

static void
vf_mail_file_transport_class_init(VfMailFileTransportClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	VfMailTransportClass *transport_class = VF_MAIL_TRANSPORT_CLASS(klass);

	object_class->finalize = vf_mail_file_transport_finalize;
	transport_class->send = vf_mail_file_transport_send;
}

static void
vf_mail_file_transport_init(VfMailFileTransport *self)
{
}

VfMailTransport *
vf_mail_file_transport_new(const gchar *dir, const gchar *from)
{
	VfMailFileTransport *self;

	g_return_val_if_fail(dir != NULL, NULL);
	g_return_val_if_fail(from != NULL, NULL);

	self = g_object_new(VF_TYPE_MAIL_FILE_TRANSPORT, "from", from, NULL);
	self->dir = g_strdup(dir);
	return VF_MAIL_TRANSPORT(self);
}

const gchar *
vf_mail_file_transport_get_dir(VfMailFileTransport *self)
{
	g_return_val_if_fail(VF_IS_MAIL_FILE_TRANSPORT(self), NULL);
	return self->dir;
}
