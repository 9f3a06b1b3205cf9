/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The outbox and its sender against a private PostgreSQL and a real SMTP listener:
 * mail leaves only when its transaction commits; an SMTP outage delays mail, which
 * is retried with backoff and delivered once the server is back, none twice; two
 * senders on one outbox never send a mail twice; a claim whose sender died is
 * picked up again when its lease runs out.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "vf-db-migrate.h"
#include "vf-db-pool.h"
#include "vf-error.h"
#include "vf-mail-activation.h"
#include "vf-mail-outbox.h"
#include "vf-mail-sender.h"
#include "vf-mail-smtp-transport.h"
#include "vf-test-postgres.h"
#include "vf-test-smtp.h"
#include "vf-test-util.h"

#define FROM	    "Videoflix <noreply@videoflix.example>"
#define WAIT_MS	    30000
#define LINK_PREFIX "http://localhost:5500/pages/auth/activate.html"

static VfTestPostgres *postgres; /* one cluster for the whole program */

typedef struct {
	gchar *dbname;
	VfDbPool *pool;
	VfTestSmtp *smtp;
	VfMailTransport *transport;
	VfMailSender *sender;
} Fixture;

static VfDbPool *
pool_new_for(const gchar *dbname)
{
	g_auto(GStrv) keywords = vf_test_postgres_dup_keywords(postgres);
	g_auto(GStrv) values = vf_test_postgres_dup_values(postgres, dbname);
	return vf_db_pool_new((const gchar *const *)keywords, (const gchar *const *)values, 4);
}

static VfMailSender *
sender_new(VfDbPool *pool, VfMailTransport *transport)
{
	VfMailSender *sender = vf_mail_sender_new(pool, transport);

	vf_mail_sender_set_backoff(sender, 50, 400);
	vf_mail_sender_set_interval(sender, 20);
	vf_mail_sender_set_lease(sender, 3, 60000);
	return sender;
}

static void
fixture_setup(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	vf_test_postgres_create_database(postgres, &fixture->dbname);
	fixture->pool = pool_new_for(fixture->dbname);
	{
		g_autoptr(VfDbConnection) connection =
		    vf_db_pool_acquire(fixture->pool, NULL, &error);
		g_assert_no_error(error);
		g_assert_true(vf_db_migrate(connection, &error));
		g_assert_no_error(error);
	}
	fixture->smtp = vf_test_smtp_new();
	fixture->transport = vf_mail_smtp_transport_new(
	    "127.0.0.1", vf_test_smtp_get_port(fixture->smtp), NULL, NULL, FALSE, FALSE, FROM);
	vf_mail_smtp_transport_set_timeouts(
	    VF_MAIL_SMTP_TRANSPORT(fixture->transport), 5000, 20000);
	fixture->sender = sender_new(fixture->pool, fixture->transport);
}

static gboolean
sender_idle(gpointer data)
{
	return !vf_mail_sender_is_running(VF_MAIL_SENDER(data));
}

static void
sender_shutdown(VfMailSender *sender)
{
	vf_mail_sender_stop(sender);
	g_assert_true(vf_test_wait_until(sender_idle, sender, WAIT_MS));
	g_object_unref(sender);
}

static void
fixture_teardown(Fixture *fixture, gconstpointer data)
{
	g_clear_pointer(&fixture->sender, sender_shutdown);
	g_clear_object(&fixture->transport);
	g_clear_pointer(&fixture->smtp, vf_test_smtp_free);
	g_clear_object(&fixture->pool);
	g_clear_pointer(&fixture->dbname, g_free);
}

static gint64
query_int(VfDbPool *pool, const gchar *sql)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(VfDbConnection) connection = vf_db_pool_acquire(pool, NULL, &error);
	g_autoptr(PGresult) result = NULL;

	g_assert_no_error(error);
	result = vf_db_connection_exec(connection, sql, 0, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpint(PQntuples(result), ==, 1);
	return g_ascii_strtoll(PQgetvalue(result, 0, 0), NULL, 10);
}

static gchar *
link_for(guint i)
{
	return g_strdup_printf(LINK_PREFIX "?uid=%u&token=t%u", i, i);
}

/* n activation mails to user<first..first+n-1>@example.com, in one transaction */
static void
enqueue(VfDbPool *pool, guint first, guint n)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(VfDbConnection) connection = vf_db_pool_acquire(pool, NULL, &error);

	g_assert_no_error(error);
	g_assert_true(vf_db_connection_begin(connection, &error));
	for (guint i = first; i < first + n; i++) {
		g_autofree gchar *recipient = g_strdup_printf("user%u@example.com", i);
		g_autofree gchar *link = link_for(i);
		g_autoptr(VfMailMessage) message =
		    vf_mail_activation_new(i % 2 == 0 ? "en" : "de", recipient, link);
		g_assert_true(vf_mail_outbox_enqueue(connection, message, &error));
		g_assert_no_error(error);
	}
	g_assert_true(vf_db_connection_commit(connection, &error));
	g_assert_no_error(error);
}

/* every received mail went to a distinct user<i>, whose link is the one sent */
static void
assert_each_once(VfTestSmtp *smtp, guint n)
{
	g_autoptr(GPtrArray) mails = vf_test_smtp_get_messages(smtp);
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

	g_assert_cmpuint(mails->len, ==, n);
	for (guint i = 0; i < mails->len; i++) {
		VfTestMail *mail = mails->pdata[i];
		g_autofree gchar *link = vf_test_mail_extract_link(mail->text, LINK_PREFIX);
		g_autofree gchar *expected = NULL;
		guint user;

		g_assert_true(g_str_has_prefix(mail->envelope_to, "user"));
		user = (guint)atoi(mail->envelope_to + 4);
		expected = link_for(user);
		g_assert_cmpstr(link, ==, expected);
		g_assert_nonnull(mail->html);
		g_assert_false(g_hash_table_contains(seen, mail->envelope_to));
		g_hash_table_add(seen, mail->envelope_to);
	}
}

typedef struct {
	VfDbPool *pool;
	const gchar *sql;
	gint64 expected;
} QueryWait;

static gboolean
query_reaches(gpointer data)
{
	QueryWait *wait = data;
	return query_int(wait->pool, wait->sql) >= wait->expected;
}

static void
wait_for_query(VfDbPool *pool, const gchar *sql, gint64 expected)
{
	QueryWait wait = {pool, sql, expected};
	g_assert_true(vf_test_wait_until(query_reaches, &wait, WAIT_MS));
}

static void
test_delivery(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GPtrArray) mails = NULL;
	VfTestMail *mail;

	enqueue(fixture->pool, 1, 1);
	vf_mail_sender_start(fixture->sender);
	vf_mail_sender_kick(fixture->sender);
	g_assert_true(vf_test_smtp_wait_for_messages(fixture->smtp, 1, WAIT_MS));
	wait_for_query(
	    fixture->pool, "SELECT count(*) FROM mail_outbox WHERE sent_at IS NOT NULL", 1);

	mails = vf_test_smtp_get_messages(fixture->smtp);
	mail = mails->pdata[0];
	g_assert_cmpstr(mail->to, ==, "user1@example.com");
	g_assert_cmpstr(mail->subject, ==, "Aktiviere dein Videoflix-Konto");
	g_assert_nonnull(strstr(mail->text, "?uid=1&token=t1"));
	g_assert_nonnull(strstr(mail->html, "?uid=1&amp;token=t1"));
	g_assert_cmpint(query_int(fixture->pool,
				  "SELECT count(*) FROM mail_outbox WHERE attempts = 1 "
				  "AND last_error IS NULL AND sent_at IS NOT NULL"),
			==,
			1);
}

/* mail of a rolled-back transaction never leaves */
static void
test_rollback(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	{
		g_autoptr(VfDbConnection) connection =
		    vf_db_pool_acquire(fixture->pool, NULL, &error);
		g_autoptr(VfMailMessage) message =
		    vf_mail_activation_new("en", "rolled-back@example.com", LINK_PREFIX "?uid=9");
		g_assert_no_error(error);
		g_assert_true(vf_db_connection_begin(connection, &error));
		g_assert_true(vf_mail_outbox_enqueue(connection, message, &error));
		g_assert_no_error(error);
		vf_db_connection_rollback(connection);
	}
	enqueue(fixture->pool, 2, 1);
	vf_mail_sender_start(fixture->sender);
	wait_for_query(
	    fixture->pool, "SELECT count(*) FROM mail_outbox WHERE sent_at IS NOT NULL", 1);
	g_assert_cmpint(query_int(fixture->pool, "SELECT count(*) FROM mail_outbox"), ==, 1);
	assert_each_once(fixture->smtp, 1);
}

/* a message that could never be sent is refused when enqueued */
static void
test_invalid(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(VfDbConnection) connection = vf_db_pool_acquire(fixture->pool, NULL, &error);
	g_autoptr(VfMailMessage) message = vf_mail_activation_new(
	    "en", "a@example.com\r\nBcc: victim@example.com", LINK_PREFIX "?uid=1");

	g_assert_no_error(error);
	g_assert_false(vf_mail_outbox_enqueue(connection, message, &error));
	g_assert_error(error, VF_ERROR, VF_ERROR_INVALID_INPUT);
	g_clear_pointer(&connection, vf_db_connection_release);
	g_assert_cmpint(query_int(fixture->pool, "SELECT count(*) FROM mail_outbox"), ==, 0);
}

/* issue 3: an SMTP server down while users register; every mail is delivered once
 * it comes back, none twice */
static void
test_outage(Fixture *fixture, gconstpointer data)
{
	const guint n = 12;

	vf_test_smtp_stop(fixture->smtp);
	vf_mail_sender_start(fixture->sender);
	for (guint i = 0; i < n; i += 3) {
		enqueue(fixture->pool, i, 3);
		vf_mail_sender_kick(fixture->sender);
	}
	/* every mail was tried and failed at least twice: retried, with backoff */
	wait_for_query(fixture->pool,
		       "SELECT count(*) FROM mail_outbox WHERE attempts >= 3 AND sent_at IS NULL "
		       "AND last_error LIKE '%SMTP%'",
		       n);
	g_assert_cmpint(
	    query_int(fixture->pool,
		      "SELECT count(*) FROM mail_outbox WHERE next_try_at = 'infinity'"),
	    ==,
	    0);
	g_assert_cmpuint(vf_test_smtp_count_messages(fixture->smtp), ==, 0);

	vf_test_smtp_start(fixture->smtp);
	g_assert_true(vf_test_smtp_wait_for_messages(fixture->smtp, n, WAIT_MS));
	wait_for_query(
	    fixture->pool, "SELECT count(*) FROM mail_outbox WHERE sent_at IS NOT NULL", n);
	/* the sender keeps polling: give it the chance to send something twice */
	vf_test_iterate_for(500);
	assert_each_once(fixture->smtp, n);
	g_assert_cmpint(query_int(fixture->pool,
				  "SELECT count(*) FROM mail_outbox WHERE last_error IS NOT NULL"),
			==,
			0);
	g_assert_cmpuint(vf_mail_sender_get_n_sent(fixture->sender), ==, n);
	g_assert_cmpuint(vf_mail_sender_get_n_failed(fixture->sender), >=, 2 * n);
}

/* two daemons (own pools, own senders) on one outbox */
static void
test_two_senders(Fixture *fixture, gconstpointer data)
{
	const guint n = 60;
	g_autoptr(VfDbPool) other_pool = pool_new_for(fixture->dbname);
	VfMailSender *other = sender_new(other_pool, fixture->transport);

	vf_mail_sender_set_interval(other, 5);
	vf_mail_sender_set_interval(fixture->sender, 5);
	vf_mail_sender_start(fixture->sender);
	vf_mail_sender_start(other);
	for (guint i = 0; i < n; i += 10) {
		enqueue(fixture->pool, i, 10);
		vf_mail_sender_kick(fixture->sender);
		vf_mail_sender_kick(other);
	}
	g_assert_true(vf_test_smtp_wait_for_messages(fixture->smtp, n, WAIT_MS));
	wait_for_query(
	    fixture->pool, "SELECT count(*) FROM mail_outbox WHERE sent_at IS NOT NULL", n);
	vf_test_iterate_for(300);
	assert_each_once(fixture->smtp, n);
	g_assert_cmpint(query_int(fixture->pool, "SELECT max(attempts) FROM mail_outbox"), ==, 1);
	g_test_message("sender 1 sent %u, sender 2 sent %u",
		       vf_mail_sender_get_n_sent(fixture->sender),
		       vf_mail_sender_get_n_sent(other));
	sender_shutdown(other);
	g_assert_cmpuint(vf_mail_sender_get_n_sent(fixture->sender), <=, n);
}

/* a sender that died after claiming: its mails wait for the lease, then go out */
static void
test_lease(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) long_claim = NULL;
	g_autoptr(GPtrArray) short_claim = NULL;
	g_autoptr(GPtrArray) mails = NULL;

	enqueue(fixture->pool, 1, 2);
	{
		g_autoptr(VfDbConnection) connection =
		    vf_db_pool_acquire(fixture->pool, NULL, &error);
		g_assert_no_error(error);
		long_claim = vf_mail_outbox_claim(connection, 1, 3600 * 1000, &error);
		g_assert_no_error(error);
		short_claim = vf_mail_outbox_claim(connection, 5, 200, &error);
		g_assert_no_error(error);
	}
	g_assert_cmpuint(long_claim->len, ==, 1);
	g_assert_cmpuint(short_claim->len, ==, 1);

	vf_mail_sender_start(fixture->sender);
	wait_for_query(
	    fixture->pool, "SELECT count(*) FROM mail_outbox WHERE sent_at IS NOT NULL", 1);
	vf_test_iterate_for(300);
	mails = vf_test_smtp_get_messages(fixture->smtp);
	g_assert_cmpuint(mails->len, ==, 1);
	g_assert_cmpstr(((VfTestMail *)mails->pdata[0])->to,
			==,
			((VfMailOutboxEntry *)short_claim->pdata[0])->message->recipient);
	g_assert_cmpint(
	    query_int(fixture->pool, "SELECT attempts FROM mail_outbox WHERE sent_at IS NOT NULL"),
	    ==,
	    2);
}

static gpointer
enqueue_and_kick_thread(gpointer data)
{
	Fixture *fixture = data;

	enqueue(fixture->pool, 7, 2);
	vf_mail_sender_kick(fixture->sender);
	return NULL;
}

/* a service commits on a worker thread and kicks from there; the timer is far off,
 * so only the kick can send the mail */
static void
test_kick_from_thread(Fixture *fixture, gconstpointer data)
{
	GThread *thread;

	vf_mail_sender_set_interval(fixture->sender, 3600 * 1000);
	vf_mail_sender_start(fixture->sender);
	g_assert_true(vf_test_wait_until(sender_idle, fixture->sender, WAIT_MS));
	thread = g_thread_new("service", enqueue_and_kick_thread, fixture);
	g_thread_join(thread);
	g_assert_true(vf_test_smtp_wait_for_messages(fixture->smtp, 2, WAIT_MS));
	wait_for_query(
	    fixture->pool, "SELECT count(*) FROM mail_outbox WHERE sent_at IS NOT NULL", 2);
	assert_each_once(fixture->smtp, 2);
}

int
main(int argc, char **argv)
{
	vf_test_init(&argc, &argv, 300);
	vf_mail_language_setup(NULL);
	/* the sender reports each failed attempt with g_warning (STYLE.md §8): expected here */
	g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
	postgres = vf_test_postgres_new();
#define ADD(path, func) g_test_add(path, Fixture, NULL, fixture_setup, func, fixture_teardown)
	ADD("/mail/outbox/delivery", test_delivery);
	ADD("/mail/outbox/rollback", test_rollback);
	ADD("/mail/outbox/invalid", test_invalid);
	ADD("/mail/outbox/outage", test_outage);
	ADD("/mail/outbox/two-senders", test_two_senders);
	ADD("/mail/outbox/lease", test_lease);
	ADD("/mail/outbox/kick-from-thread", test_kick_from_thread);
#undef ADD
	{
		int status = g_test_run();
		vf_test_postgres_free(postgres);
		return status;
	}
}
