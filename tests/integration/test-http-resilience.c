/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The daemon when its dependencies fail: PostgreSQL restarted under it (503 JSON,
 * /readyz follows, recovery without a restart of ours) and an SMTP server that is
 * down while users register (every mail arrives once it is back, none twice).
 */
#include "config.h"

#include "vf-test-daemon.h"
#include "vf-test-util.h"

static VfTestPostgres *pg;

static const gchar *login_body = "{\"email\": \"pg@example.com\", \"password\": \"password-123\"}";

typedef struct {
	VfTestDaemon *daemon;
	guint status;
} ReadyPoll;

static gboolean
ready_is_200(gpointer data)
{
	ReadyPoll *poll = data;
	g_autoptr(VfTestResponse) response =
	    vf_test_daemon_request(poll->daemon, "GET", "/readyz", NULL, NULL, 0);
	poll->status = response->status;
	return response->status == 200;
}

static void
test_postgres_restart(void)
{
	g_autoptr(VfTestDaemon) daemon = vf_test_daemon_new(pg, NULL, NULL);
	g_autoptr(VfTestResponse) login =
	    vf_test_daemon_create_user(daemon, "pg@example.com", "password-123");
	ReadyPoll poll = {daemon, 0};
	VfTestResponse *response;

	vf_test_assert_status(login, 200);
	vf_test_postgres_stop(pg);

	response = vf_test_daemon_post_json(daemon, "/api/login/", login_body, NULL);
	vf_test_assert_status(response, 503);
	g_assert_nonnull(response->json);
	g_assert_nonnull(vf_test_response_get_string(response, "detail"));
	vf_test_response_free(response);
	response = vf_test_daemon_request(daemon, "GET", "/readyz", NULL, NULL, 0);
	vf_test_assert_status(response, 503);
	g_assert_cmpstr(vf_test_response_get_string(response, "status"), ==, "unavailable");
	vf_test_response_free(response);
	response =
	    vf_test_daemon_post_json(daemon,
				     "/api/register/",
				     "{\"email\": \"down@example.com\", \"password\": "
				     "\"password-1\", \"confirmed_password\": \"password-1\"}",
				     NULL);
	vf_test_assert_status(response, 503);
	vf_test_response_free(response);
	/* the process itself is fine */
	response = vf_test_daemon_request(daemon, "GET", "/healthz", NULL, NULL, 0);
	vf_test_assert_status(response, 200);
	vf_test_response_free(response);

	vf_test_postgres_start(pg);
	g_assert_true(vf_test_wait_until(ready_is_200, &poll, 30000));
	response = vf_test_daemon_post_json(daemon, "/api/login/", login_body, NULL);
	vf_test_assert_status(response, 200);
	vf_test_response_free(response);
}

static void
test_smtp_outage(void)
{
	g_autoptr(VfTestSmtp) smtp = vf_test_smtp_new();
	g_autoptr(VfTestDaemon) daemon = vf_test_daemon_new(pg, smtp, NULL);
	g_autoptr(GPtrArray) mails = NULL;
	g_autoptr(GHashTable) recipients = g_hash_table_new(g_str_hash, g_str_equal);
	const guint n = 4;

	/* the sender warns about each failed attempt: expected here, so not fatal */
	g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
	vf_test_smtp_stop(smtp);
	for (guint i = 0; i < n; i++) {
		g_autofree gchar *body = g_strdup_printf(
		    "{\"email\": \"outage%u@example.com\", \"password\": \"password-1\", "
		    "\"confirmed_password\": \"password-1\"}",
		    i);
		g_autoptr(VfTestResponse) response =
		    vf_test_daemon_post_json(daemon, "/api/register/", body, NULL);
		vf_test_assert_status(response, 201);
	}
	/* the sender tries and fails while the server is away */
	vf_test_iterate_for(1500);
	{
		g_autofree gchar *failed = vf_test_daemon_query(
		    daemon,
		    "SELECT count(*) FROM mail_outbox WHERE attempts > 0 AND sent_at IS NULL");
		g_assert_cmpint(atoi(failed), >, 0);
	}
	vf_test_smtp_start(smtp);
	g_assert_true(vf_test_smtp_wait_for_messages(smtp, n, 30000));
	/* and nothing more arrives afterwards */
	vf_test_iterate_for(2000);
	mails = vf_test_smtp_get_messages(smtp);
	g_assert_cmpuint(mails->len, ==, n);
	for (guint i = 0; i < mails->len; i++) {
		VfTestMail *mail = g_ptr_array_index(mails, i);
		g_assert_false(g_hash_table_contains(recipients, mail->envelope_to));
		g_hash_table_add(recipients, mail->envelope_to);
		g_assert_cmpstr(mail->subject, ==, "Activate your Videoflix account");
	}
	{
		g_autofree gchar *unsent = vf_test_daemon_query(
		    daemon, "SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL");
		g_assert_cmpstr(unsent, ==, "0");
	}
}

int
main(int argc, char **argv)
{
	int result;

	vf_test_init(&argc, &argv, 300);
	pg = vf_test_postgres_new();
	g_test_add_func("/http/resilience/postgres-restart", test_postgres_restart);
	g_test_add_func("/http/resilience/smtp-outage", test_smtp_outage);
	result = g_test_run();
	vf_test_postgres_free(pg);
	return result;
}
