/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * SMTP through libcurl, following PITFALLS.md §6: multipart/alternative with a
 * quoted-printable text and HTML part (CRLF line ends), our own Date and
 * Message-ID, RFC 2047 subject, STARTTLS required (never CURLUSESSL_TRY) or
 * implicit TLS, connect and total timeouts, CURLOPT_NOSIGNAL. The settings are
 * fixed before the first send; each send uses its own easy handle, so worker
 * threads may send concurrently. The password is never logged.
 */
#include "config.h"

#include "vf-mail-smtp-transport.h"

#include <curl/curl.h>
#include <string.h>

#include "vf-error.h"
#include "vf-mail-mime-private.h"

struct _VfMailSmtpTransport {
	VfMailTransport parent_instance;
	gchar *url;
	gchar *user;
	gchar *password;
	gboolean use_tls;
	gchar *ca_file;
	guint connect_timeout_ms;
	guint total_timeout_ms;
};

G_DEFINE_TYPE(VfMailSmtpTransport, vf_mail_smtp_transport, VF_TYPE_MAIL_TRANSPORT)

G_DEFINE_AUTOPTR_CLEANUP_FUNC(CURL, curl_easy_cleanup)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(curl_mime, curl_mime_free)

static void
slist_free(struct curl_slist *list)
{
	curl_slist_free_all(list);
}

typedef struct curl_slist VfCurlSlist;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfCurlSlist, slist_free)

static gboolean
add_text_part(curl_mime *mime, const gchar *type, const gchar *body, GError **error)
{
	curl_mimepart *part = curl_mime_addpart(mime);
	g_autofree gchar *crlf = vf_mail_mime_to_crlf(body);

	if (part == NULL || curl_mime_data(part, crlf, CURL_ZERO_TERMINATED) != CURLE_OK ||
	    curl_mime_type(part, type) != CURLE_OK ||
	    curl_mime_encoder(part, "quoted-printable") != CURLE_OK) {
		g_set_error_literal(error, VF_ERROR, VF_ERROR_INTERNAL, "cannot build MIME part");
		return FALSE;
	}
	return TRUE;
}

static VfError
error_code_for(CURLcode code)
{
	switch (code) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_WEIRD_SERVER_REPLY:
		return VF_ERROR_UNAVAILABLE;
	default:
		return VF_ERROR_INTERNAL;
	}
}

static struct curl_slist *
append_header(struct curl_slist *list, const gchar *name, const gchar *value)
{
	g_autofree gchar *line = g_strdup_printf("%s: %s", name, value);
	/* curl copies the string */
	return curl_slist_append(list, line);
}

static gboolean
vf_mail_smtp_transport_send(VfMailTransport *transport,
			    const VfMailMessage *message,
			    GError **error)
{
	VfMailSmtpTransport *self = VF_MAIL_SMTP_TRANSPORT(transport);
	const gchar *from = vf_mail_transport_get_from(transport);
	g_autoptr(CURL) curl = curl_easy_init();
	g_autoptr(curl_mime) mime = NULL;
	curl_mime *alternative;
	g_autoptr(VfCurlSlist) recipients = NULL;
	g_autoptr(VfCurlSlist) headers = NULL;
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree gchar *date = vf_mail_mime_format_date(now);
	g_autofree gchar *message_id = vf_mail_mime_new_message_id(from);
	g_autofree gchar *subject = vf_mail_mime_encode_header(message->subject);
	g_autofree gchar *from_address = vf_mail_mime_address(from);
	g_autofree gchar *mail_from = g_strdup_printf("<%s>", from_address);
	g_autofree gchar *rcpt = g_strdup_printf("<%s>", message->recipient);
	curl_mimepart *part;
	gchar errbuf[CURL_ERROR_SIZE] = "";
	CURLcode code;

	if (curl == NULL) {
		g_set_error_literal(error, VF_ERROR, VF_ERROR_INTERNAL, "curl_easy_init failed");
		return FALSE;
	}

	/* the text and HTML alternatives inside one part of the outer MIME */
	mime = curl_mime_init(curl);
	part = curl_mime_addpart(mime);
	alternative = curl_mime_init(curl);
	if (part == NULL || alternative == NULL ||
	    curl_mime_subparts(part, alternative) != CURLE_OK) {
		curl_mime_free(alternative);
		g_set_error_literal(error, VF_ERROR, VF_ERROR_INTERNAL, "cannot build MIME");
		return FALSE;
	}
	/* alternative is owned by part (and so by mime) from here */
	if (curl_mime_type(part, "multipart/alternative") != CURLE_OK ||
	    !add_text_part(alternative, "text/plain; charset=utf-8", message->text, error) ||
	    !add_text_part(alternative, "text/html; charset=utf-8", message->html, error)) {
		g_prefix_error(error, "SMTP: ");
		return FALSE;
	}

	headers = append_header(headers, "Date", date);
	headers = append_header(headers, "Message-ID", message_id);
	headers = append_header(headers, "From", from);
	headers = append_header(headers, "To", message->recipient);
	headers = append_header(headers, "Subject", subject);
	recipients = curl_slist_append(recipients, rcpt);

	curl_easy_setopt(curl, CURLOPT_URL, self->url);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long)self->connect_timeout_ms);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)self->total_timeout_ms);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	/* STARTTLS or fail: CURLUSESSL_TRY would silently send in clear text */
	if (self->use_tls)
		curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (self->ca_file != NULL)
		curl_easy_setopt(curl, CURLOPT_CAINFO, self->ca_file);
	if (self->user != NULL) {
		curl_easy_setopt(curl, CURLOPT_USERNAME, self->user);
		curl_easy_setopt(
		    curl, CURLOPT_PASSWORD, self->password != NULL ? self->password : "");
	}
	curl_easy_setopt(curl, CURLOPT_MAIL_FROM, mail_from);
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_MIMEPOST, mime);

	code = curl_easy_perform(curl);
	if (code != CURLE_OK) {
		long response = 0;
		VfError error_code = error_code_for(code);

		/* a 5xx reply (recipient refused, message rejected) is not an outage:
		 * it must not hold back the other mails */
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response);
		if (response >= 500)
			error_code = VF_ERROR_INTERNAL;
		g_set_error(error,
			    VF_ERROR,
			    error_code,
			    "SMTP to %s failed: %s (curl error %d)",
			    self->url,
			    errbuf[0] != '\0' ? errbuf : curl_easy_strerror(code),
			    (gint)code);
		return FALSE;
	}
	g_debug("sent %s via %s", message_id, self->url);
	return TRUE;
}

static void
vf_mail_smtp_transport_finalize(GObject *object)
{
	VfMailSmtpTransport *self = VF_MAIL_SMTP_TRANSPORT(object);

	g_free(self->url);
	g_free(self->user);
	if (self->password != NULL)
		memset(self->password, 0, strlen(self->password));
	g_free(self->password);
	g_free(self->ca_file);
	G_OBJECT_CLASS(vf_mail_smtp_transport_parent_class)->finalize(object);
}

static void
vf_mail_smtp_transport_class_init(VfMailSmtpTransportClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	VfMailTransportClass *transport_class = VF_MAIL_TRANSPORT_CLASS(klass);

	object_class->finalize = vf_mail_smtp_transport_finalize;
	transport_class->send = vf_mail_smtp_transport_send;
}

static void
vf_mail_smtp_transport_init(VfMailSmtpTransport *self)
{
	self->connect_timeout_ms = 10000;
	self->total_timeout_ms = 60000;
}

VfMailTransport *
vf_mail_smtp_transport_new(const gchar *host,
			   guint port,
			   const gchar *user,
			   const gchar *password,
			   gboolean use_tls,
			   gboolean use_ssl,
			   const gchar *from)
{
	static gsize curl_initialised = 0;
	VfMailSmtpTransport *self;

	g_return_val_if_fail(host != NULL && host[0] != '\0', NULL);
	g_return_val_if_fail(port > 0 && port <= G_MAXUINT16, NULL);
	g_return_val_if_fail(from != NULL, NULL);

	/* curl_global_init is not thread-safe: run it once, before any sender thread */
	if (g_once_init_enter(&curl_initialised)) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		g_once_init_leave(&curl_initialised, 1);
	}

	self = g_object_new(VF_TYPE_MAIL_SMTP_TRANSPORT, "from", from, NULL);
	self->url = g_strdup_printf(strchr(host, ':') != NULL ? "%s://[%s]:%u" : "%s://%s:%u",
				    use_ssl ? "smtps" : "smtp",
				    host,
				    port);
	self->use_tls = use_tls && !use_ssl;
	if (user != NULL && user[0] != '\0') {
		self->user = g_strdup(user);
		self->password = g_strdup(password);
	}
	return VF_MAIL_TRANSPORT(self);
}

void
vf_mail_smtp_transport_set_timeouts(VfMailSmtpTransport *self, guint connect_ms, guint total_ms)
{
	g_return_if_fail(VF_IS_MAIL_SMTP_TRANSPORT(self));
	self->connect_timeout_ms = connect_ms;
	self->total_timeout_ms = total_ms;
}

void
vf_mail_smtp_transport_set_ca_file(VfMailSmtpTransport *self, const gchar *ca_file)
{
	g_return_if_fail(VF_IS_MAIL_SMTP_TRANSPORT(self));
	g_free(self->ca_file);
	self->ca_file = g_strdup(ca_file);
}
