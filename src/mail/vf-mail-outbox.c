/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * mail_outbox queries (data/migrations/0004-create-mail-outbox.sql). The claim is
 * one statement: an UPDATE that moves next_try_at past a lease for rows picked
 * with FOR UPDATE SKIP LOCKED, so two senders (threads or daemons) never claim
 * the same row; a row whose lease ran out is due again. Worker threads.
 */
#include "config.h"

#include "vf-mail-outbox.h"

#include <stdlib.h>

#include "vf-error.h"
#include "vf-mail-mime-private.h"

void
vf_mail_outbox_entry_free(VfMailOutboxEntry *entry)
{
	if (entry == NULL)
		return;
	vf_mail_message_free(entry->message);
	g_free(entry);
}

static gint
compare_entries(gconstpointer a, gconstpointer b)
{
	const VfMailOutboxEntry *x = *(const VfMailOutboxEntry *const *)a;
	const VfMailOutboxEntry *y = *(const VfMailOutboxEntry *const *)b;
	return x->id < y->id ? -1 : x->id > y->id;
}

gboolean
vf_mail_outbox_enqueue(VfDbConnection *connection, const VfMailMessage *message, GError **error)
{
	const gchar *params[] = {
	    message->recipient, message->subject, message->text, message->html};

	g_return_val_if_fail(connection != NULL, FALSE);
	g_return_val_if_fail(message != NULL, FALSE);

	/* refuse now what no transport would ever send */
	if (!vf_mail_mime_check(message, NULL, error))
		return FALSE;
	if (!vf_db_connection_run(
		connection,
		"INSERT INTO mail_outbox (recipient, subject, body_text, body_html) "
		"VALUES ($1, $2, $3, $4)",
		G_N_ELEMENTS(params),
		params,
		error)) {
		g_prefix_error(error, "cannot enqueue mail: ");
		return FALSE;
	}
	return TRUE;
}

GPtrArray *
vf_mail_outbox_claim(VfDbConnection *connection, guint limit, guint lease_ms, GError **error)
{
	g_autofree gchar *limit_text = g_strdup_printf("%u", limit);
	g_autofree gchar *lease_text = g_strdup_printf("%u", lease_ms);
	const gchar *params[] = {limit_text, lease_text};
	g_autoptr(PGresult) result = NULL;
	GPtrArray *entries;

	g_return_val_if_fail(connection != NULL, NULL);
	g_return_val_if_fail(limit > 0, NULL);

	result = vf_db_connection_exec(
	    connection,
	    "UPDATE mail_outbox SET attempts = attempts + 1, "
	    "next_try_at = clock_timestamp() + make_interval(secs => $2::double precision / 1000) "
	    "WHERE id IN (SELECT id FROM mail_outbox "
	    "WHERE sent_at IS NULL AND next_try_at <= clock_timestamp() "
	    "ORDER BY id LIMIT $1::integer FOR UPDATE SKIP LOCKED) "
	    "RETURNING id, attempts, recipient, subject, body_text, body_html",
	    G_N_ELEMENTS(params),
	    params,
	    error);
	if (result == NULL) {
		g_prefix_error(error, "cannot claim mail: ");
		return NULL;
	}
	entries = g_ptr_array_new_with_free_func((GDestroyNotify)vf_mail_outbox_entry_free);
	for (gint row = 0; row < PQntuples(result); row++) {
		VfMailOutboxEntry *entry = g_new0(VfMailOutboxEntry, 1);
		entry->id = g_ascii_strtoll(PQgetvalue(result, row, 0), NULL, 10);
		entry->attempts = atoi(PQgetvalue(result, row, 1));
		entry->message = vf_mail_message_new(PQgetvalue(result, row, 2),
						     PQgetvalue(result, row, 3),
						     PQgetvalue(result, row, 4),
						     PQgetvalue(result, row, 5));
		g_ptr_array_add(entries, entry);
	}
	/* RETURNING does not keep the subquery's order */
	g_ptr_array_sort(entries, compare_entries);
	return entries;
}

gboolean
vf_mail_outbox_mark_sent(VfDbConnection *connection, gint64 id, GError **error)
{
	g_autofree gchar *id_text = g_strdup_printf("%" G_GINT64_FORMAT, id);
	const gchar *params[] = {id_text};

	if (!vf_db_connection_run(connection,
				  "UPDATE mail_outbox SET sent_at = now(), last_error = NULL "
				  "WHERE id = $1::bigint",
				  G_N_ELEMENTS(params),
				  params,
				  error)) {
		g_prefix_error(error, "cannot mark mail %" G_GINT64_FORMAT " sent: ", id);
		return FALSE;
	}
	return TRUE;
}

gboolean
vf_mail_outbox_unclaim(VfDbConnection *connection, gint64 id, GError **error)
{
	g_autofree gchar *id_text = g_strdup_printf("%" G_GINT64_FORMAT, id);
	const gchar *params[] = {id_text};

	if (!vf_db_connection_run(connection,
				  "UPDATE mail_outbox SET next_try_at = clock_timestamp(), "
				  "attempts = greatest(attempts - 1, 0) "
				  "WHERE id = $1::bigint AND sent_at IS NULL",
				  G_N_ELEMENTS(params),
				  params,
				  error)) {
		g_prefix_error(error, "cannot give back mail %" G_GINT64_FORMAT ": ", id);
		return FALSE;
	}
	return TRUE;
}

gboolean
vf_mail_outbox_mark_failed(
    VfDbConnection *connection, gint64 id, const gchar *reason, guint delay_ms, GError **error)
{
	g_autofree gchar *id_text = g_strdup_printf("%" G_GINT64_FORMAT, id);
	g_autofree gchar *delay_text = g_strdup_printf("%u", delay_ms);
	g_autofree gchar *valid_reason = g_utf8_make_valid(reason != NULL ? reason : "", -1);
	const gchar *params[] = {id_text, valid_reason, delay_text};
	/* G_MAXUINT: parked for good, the failure stays readable */
	const gchar *sql =
	    delay_ms == G_MAXUINT
		? "UPDATE mail_outbox SET last_error = $2, next_try_at = 'infinity' "
		  "WHERE id = $1::bigint AND sent_at IS NULL"
		: "UPDATE mail_outbox SET last_error = $2, "
		  "next_try_at = clock_timestamp() + make_interval(secs => $3::double precision / "
		  "1000) WHERE id = $1::bigint AND sent_at IS NULL";
	gint n_params = delay_ms == G_MAXUINT ? 2 : 3;

	if (!vf_db_connection_run(connection, sql, n_params, params, error)) {
		g_prefix_error(error, "cannot record failure of mail %" G_GINT64_FORMAT ": ", id);
		return FALSE;
	}
	return TRUE;
}
