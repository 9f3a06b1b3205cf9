/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfMailSender: drains mail_outbox. A periodic timer on the main loop (and a kick
 * right after a mail was committed) starts a run in a GTask thread that claims due
 * mails, sends them with the transport, marks them sent, or records the error and
 * backs off exponentially. Several senders (threads or daemons) may share one
 * outbox: a mail is claimed by one of them only. Public calls: the thread of the
 * main context current at construction (the main thread), except kick().
 */
#pragma once

#include "vf-db-pool.h"
#include "vf-mail-transport.h"

G_BEGIN_DECLS

#define VF_TYPE_MAIL_SENDER (vf_mail_sender_get_type())
G_DECLARE_FINAL_TYPE(VfMailSender, vf_mail_sender, VF, MAIL_SENDER, GObject)

VfMailSender *vf_mail_sender_new(VfDbPool *pool, VfMailTransport *transport);
/* delay after the n-th failed attempt: initial_ms · 2^(n-1), at most max_ms
 * (defaults 5 s and 15 min) */
void vf_mail_sender_set_backoff(VfMailSender *self, guint initial_ms, guint max_ms);
/* how often the outbox is polled (default 5 s) */
void vf_mail_sender_set_interval(VfMailSender *self, guint interval_ms);
/* mails claimed at once and how long a claim lasts (defaults 5 and 10 min). The
 * lease must outlast sending batch mails (the SMTP total timeout is 60 s): when it
 * runs out before the mail is marked sent, another sender may send it again. */
void vf_mail_sender_set_lease(VfMailSender *self, guint batch, guint lease_ms);
void vf_mail_sender_start(VfMailSender *self);
/* a mail was just committed: run now (or right after the current run). Any thread:
 * from a worker thread the kick is passed to the sender's main context. */
void vf_mail_sender_kick(VfMailSender *self);
/* no new runs; a run in flight finishes the mail it is sending */
void vf_mail_sender_stop(VfMailSender *self);
/* a run is in flight */
gboolean vf_mail_sender_is_running(VfMailSender *self);
/* mails sent and failed attempts since creation (updated when a run ends) */
guint vf_mail_sender_get_n_sent(VfMailSender *self);
guint vf_mail_sender_get_n_failed(VfMailSender *self);
/* the backoff rule, exposed for tests */
guint vf_mail_sender_compute_backoff(guint initial_ms, guint max_ms, gint attempts);

G_END_DECLS
