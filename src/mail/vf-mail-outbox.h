/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The mail_outbox table: mail is enqueued in the caller's transaction (so it is
 * sent exactly when the change that causes it commits), claimed by a sender
 * under a lease, then marked sent or failed. Store functions: worker threads,
 * the caller's pooled connection.
 */
#pragma once

#include "vf-db-connection.h"
#include "vf-mail-message.h"

G_BEGIN_DECLS

typedef struct {
	gint64 id;
	gint attempts; /* including the one this claim is for */
	VfMailMessage *message;
} VfMailOutboxEntry;

void vf_mail_outbox_entry_free(VfMailOutboxEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfMailOutboxEntry, vf_mail_outbox_entry_free)

/* inserts the mail, due at once; VF_ERROR_INVALID_INPUT for a recipient or subject
 * that cannot go into a header (the caller's transaction should roll back) */
gboolean
vf_mail_outbox_enqueue(VfDbConnection *connection, const VfMailMessage *message, GError **error);
/* claims up to limit due, unsent mails (FOR UPDATE SKIP LOCKED) and leases them for
 * lease_ms: no other sender sees them until the lease runs out, so a sender that
 * dies mid-send delays its mails but never loses them. Returns VfMailOutboxEntry
 * elements, oldest first (possibly none). Autocommit: do not call in a transaction. */
GPtrArray *
vf_mail_outbox_claim(VfDbConnection *connection, guint limit, guint lease_ms, GError **error);
gboolean vf_mail_outbox_mark_sent(VfDbConnection *connection, gint64 id, GError **error);
/* gives a claimed mail back unsent and due at once (a sender stopping mid-batch) */
gboolean vf_mail_outbox_unclaim(VfDbConnection *connection, gint64 id, GError **error);
/* records the failure and makes the mail due again after delay_ms; G_MAXUINT
 * parks it for good (a mail that can never be sent) */
gboolean vf_mail_outbox_mark_failed(
    VfDbConnection *connection, gint64 id, const gchar *reason, guint delay_ms, GError **error);

G_END_DECLS
