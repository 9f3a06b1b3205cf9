/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The account endpoints against a real PostgreSQL cluster and a real SMTP
 * listener: every API.md case of register, activate, login, refresh, logout,
 * password reset and confirm, cookies included, and the bad-input tables.
 */
#include "config.h"

#include "vf-test-daemon.h"
#include "vf-test-util.h"

static VfTestPostgres *pg;

typedef struct {
	VfTestSmtp *smtp;
	VfTestDaemon *daemon;
} Fixture;

static void
fixture_setup(Fixture *fixture, gconstpointer data)
{
	const gchar *const *env = data;
	fixture->smtp = vf_test_smtp_new();
	fixture->daemon = vf_test_daemon_new(pg, fixture->smtp, env);
}

static void
fixture_teardown(Fixture *fixture, gconstpointer data)
{
	g_clear_pointer(&fixture->daemon, vf_test_daemon_free);
	g_clear_pointer(&fixture->smtp, vf_test_smtp_free);
}

static void
assert_json(VfTestResponse *response, const gchar *expected)
{
	g_autoptr(JsonNode) want = json_from_string(expected, NULL);
	g_autofree gchar *got = vf_test_response_dup_text(response);

	g_assert_nonnull(want);
	if (response->json == NULL || !json_node_equal(response->json, want))
		g_error("expected body %s, got %s", expected, got);
	g_assert_true(g_str_has_prefix(
	    soup_message_headers_get_one(response->headers, "Content-Type"), "application/json"));
}

static gchar *
register_body(const gchar *email, const gchar *password)
{
	return g_strdup_printf(
	    "{\"email\": \"%s\", \"password\": \"%s\", \"confirmed_password\": \"%s\"}",
	    email,
	    password,
	    password);
}

/* the path part of a link of a mail: "/pages/auth/activate.html?uid=MQ&token=…" →
 * uid and token */
static void
link_params(const gchar *link, gchar **uid, gchar **token)
{
	g_autoptr(GUri) uri = g_uri_parse(link, G_URI_FLAGS_NONE, NULL);
	g_autoptr(GHashTable) query = NULL;

	g_assert_nonnull(uri);
	query = g_uri_parse_params(g_uri_get_query(uri), -1, "&", G_URI_PARAMS_NONE, NULL);
	*uid = g_strdup(g_hash_table_lookup(query, "uid"));
	*token = g_strdup(g_hash_table_lookup(query, "token"));
	g_assert_nonnull(*uid);
	g_assert_nonnull(*token);
}

static VfTestMail *
wait_for_mail(Fixture *fixture, guint n)
{
	g_autoptr(GPtrArray) mails = NULL;

	g_assert_true(vf_test_smtp_wait_for_messages(fixture->smtp, n, 30000));
	mails = vf_test_smtp_get_messages(fixture->smtp);
	g_assert_cmpuint(mails->len, ==, n);
	return g_ptr_array_steal_index(mails, n - 1);
}

static void
test_register_activate_login(Fixture *fixture, gconstpointer data)
{
	g_autofree gchar *body = register_body("  New.User@Example.COM ", "correct-horse");
	g_autoptr(VfTestResponse) registered = NULL;
	g_autoptr(VfTestResponse) activated = NULL;
	g_autoptr(VfTestResponse) again = NULL;
	g_autoptr(VfTestResponse) login = NULL;
	g_autoptr(VfTestMail) mail = NULL;
	g_autofree gchar *link = NULL;
	g_autofree gchar *uid = NULL;
	g_autofree gchar *token = NULL;
	g_autofree gchar *path = NULL;
	g_autofree gchar *access = NULL;
	g_autofree gchar *refresh_line = NULL;
	g_autofree gchar *csrf_line = NULL;
	g_autofree gchar *active = NULL;
	JsonObject *user;

	registered = vf_test_daemon_post_json(fixture->daemon, "/api/register/", body, NULL);
	vf_test_assert_status(registered, 201);
	user = json_object_get_object_member(json_node_get_object(registered->json), "user");
	g_assert_cmpstr(json_object_get_string_member(user, "email"), ==, "new.user@example.com");
	g_assert_cmpint(json_object_get_int_member(user, "user_id"), >, 0);
	g_assert_cmpuint(strlen(vf_test_response_get_string(registered, "token")), >=, 22);
	active = vf_test_daemon_query(fixture->daemon, "SELECT is_active::text FROM users");
	g_assert_cmpstr(active, ==, "false");

	mail = wait_for_mail(fixture, 1);
	g_assert_cmpstr(mail->subject, ==, "Activate your Videoflix account");
	g_assert_cmpstr(mail->envelope_to, ==, "new.user@example.com");
	g_assert_nonnull(mail->html);
	link = vf_test_mail_extract_link(mail->text,
					 "http://127.0.0.1:5500/pages/auth/activate.html?");
	g_assert_nonnull(link);
	link_params(link, &uid, &token);
	g_assert_cmpstr(token, ==, vf_test_response_get_string(registered, "token"));

	/* inactive: the same answer as a wrong password */
	login = vf_test_daemon_post_json(
	    fixture->daemon,
	    "/api/login/",
	    "{\"email\": \"new.user@example.com\", \"password\": \"correct-horse\"}",
	    NULL);
	vf_test_assert_status(login, 400);
	assert_json(login, "{\"detail\": \"No active account found with the given credentials\"}");
	g_clear_pointer(&login, vf_test_response_free);

	path = g_strdup_printf("/api/activate/%s/%s/", uid, token);
	activated = vf_test_daemon_request(fixture->daemon, "GET", path, NULL, NULL, 0);
	vf_test_assert_status(activated, 200);
	assert_json(activated, "{\"message\": \"Account successfully activated\"}");
	again = vf_test_daemon_request(fixture->daemon, "GET", path, NULL, NULL, 0);
	vf_test_assert_status(again, 400);
	assert_json(again,
		    "{\"message\": \"Token is inactive or user does not match with this token\"}");

	login = vf_test_daemon_post_json(
	    fixture->daemon,
	    "/api/login/",
	    "{\"email\": \"NEW.user@example.com\", \"password\": \"correct-horse\"}",
	    NULL);
	vf_test_assert_status(login, 200);
	g_assert_cmpstr(vf_test_response_get_string(login, "detail"), ==, "Login successful");
	user = json_object_get_object_member(json_node_get_object(login->json), "user");
	g_assert_cmpstr(
	    json_object_get_string_member(user, "username"), ==, "new.user@example.com");
	access = vf_test_response_dup_set_cookie(login, "access_token");
	g_assert_nonnull(access);
	g_assert_nonnull(strstr(access, "; HttpOnly"));
	g_assert_nonnull(strstr(access, "; SameSite=Lax"));
	g_assert_nonnull(strstr(access, "; Path=/"));
	g_assert_nonnull(strstr(access, "Max-Age=18000"));
	g_assert_null(strstr(access, "Secure"));
	refresh_line = vf_test_response_dup_set_cookie(login, "refresh_token");
	g_assert_nonnull(strstr(refresh_line, "Max-Age=86400"));
	g_assert_nonnull(strstr(refresh_line, "; HttpOnly"));
	csrf_line = vf_test_response_dup_set_cookie(login, "csrftoken");
	g_assert_nonnull(csrf_line);
	g_assert_null(strstr(csrf_line, "HttpOnly"));
	g_assert_nonnull(strstr(csrf_line, "; SameSite=Lax"));
}

static void
test_secure_cookies(Fixture *fixture, gconstpointer data)
{
	g_autoptr(VfTestResponse) login =
	    vf_test_daemon_create_user(fixture->daemon, "secure@example.com", "password-123");
	g_autofree gchar *line = vf_test_response_dup_set_cookie(login, "access_token");

	vf_test_assert_status(login, 200);
	g_assert_true(g_str_has_suffix(line, "; Secure"));
}

typedef struct {
	const gchar *name;
	const gchar *body;
	gssize body_len; /* -1: strlen */
	const gchar *content_type;
	guint status;
	const gchar *expected; /* NULL: only the status */
} BodyCase;

static void
run_body_cases(Fixture *fixture, const gchar *path, const BodyCase *cases, guint n)
{
	for (guint i = 0; i < n; i++) {
		const gchar *headers[] = {"Content-Type", cases[i].content_type, NULL};
		g_autoptr(VfTestResponse) response = NULL;

		g_test_message("%s: %s", path, cases[i].name);
		response = vf_test_daemon_request(fixture->daemon,
						  "POST",
						  path,
						  cases[i].content_type != NULL ? headers : NULL,
						  cases[i].body,
						  cases[i].body_len);
		vf_test_assert_status(response, cases[i].status);
		g_assert_nonnull(response->json);
		if (cases[i].expected != NULL)
			assert_json(response, cases[i].expected);
	}
}

#define JSON_TYPE "application/json"

static void
test_register_bad_input(Fixture *fixture, gconstpointer data)
{
	g_autoptr(VfTestResponse) first = NULL;
	g_autofree gchar *big = g_malloc(1024 * 1024 + 64);
	g_autofree gchar *deep = NULL;
	g_autoptr(GString) deep_builder = g_string_new(NULL);
	g_autofree gchar *count = NULL;
	static const gchar nul_body[] =
	    "{\"email\": \"a\0b@example.com\", \"password\": \"x\", \"confirmed_password\": \"x\"}";
	BodyCase cases[] = {
	    {"mismatch",
	     "{\"email\": \"m@example.com\", \"password\": \"password-1\", \"confirmed_password\": "
	     "\"password-2\"}",
	     -1,
	     JSON_TYPE,
	     400,
	     "{\"confirmed_password\": [\"Passwords do not match\"]}"},
	    {"taken, other case",
	     "{\"email\": \"TAKEN@example.com\", \"password\": \"password-1\", "
	     "\"confirmed_password\": \"password-1\"}",
	     -1,
	     JSON_TYPE,
	     400,
	     "{\"email\": [\"Email already exists\"]}"},
	    {"invalid email",
	     "{\"email\": \"not-an-email\", \"password\": \"password-1\", \"confirmed_password\": "
	     "\"password-1\"}",
	     -1,
	     JSON_TYPE,
	     400,
	     "{\"email\": [\"Enter a valid email address.\"]}"},
	    {"sql-looking email",
	     "{\"email\": \"x'; DROP TABLE users; --@example.com\", \"password\": \"password-1\", "
	     "\"confirmed_password\": \"password-1\"}",
	     -1,
	     JSON_TYPE,
	     400,
	     "{\"email\": [\"Enter a valid email address.\"]}"},
	    {"all missing",
	     "{}",
	     -1,
	     JSON_TYPE,
	     400,
	     "{\"email\": [\"This field is required.\"], \"password\": [\"This field is "
	     "required.\"], \"confirmed_password\": [\"This field is required.\"]}"},
	    {"empty body", "", 0, JSON_TYPE, 400, NULL},
	    {"number email",
	     "{\"email\": 5, \"password\": \"password-1\", \"confirmed_password\": \"password-1\"}",
	     -1,
	     JSON_TYPE,
	     400,
	     "{\"email\": [\"Not a valid string.\"]}"},
	    {"null password",
	     "{\"email\": \"n@example.com\", \"password\": null, \"confirmed_password\": \"x\"}",
	     -1,
	     JSON_TYPE,
	     400,
	     "{\"password\": [\"This field may not be null.\"]}"},
	    {"object password",
	     "{\"email\": \"n@example.com\", \"password\": {}, \"confirmed_password\": \"x\"}",
	     -1,
	     JSON_TYPE,
	     400,
	     "{\"password\": [\"Not a valid string.\"]}"},
	    {"short password",
	     "{\"email\": \"s@example.com\", \"password\": \"short\", \"confirmed_password\": "
	     "\"short\"}",
	     -1,
	     JSON_TYPE,
	     400,
	     "{\"password\": [\"This password is too short. It must contain at least 8 "
	     "characters.\"]}"},
	    {"array",
	     "[1, 2]",
	     -1,
	     JSON_TYPE,
	     400,
	     "{\"non_field_errors\": [\"Invalid data. Expected a dictionary, but got list.\"]}"},
	    {"string",
	     "\"hello\"",
	     -1,
	     JSON_TYPE,
	     400,
	     "{\"non_field_errors\": [\"Invalid data. Expected a dictionary, but got str.\"]}"},
	    {"malformed", "{\"email\": ", -1, JSON_TYPE, 400, NULL},
	    {"trailing garbage", "{} xyz", -1, JSON_TYPE, 400, NULL},
	    {"invalid utf-8", "{\"email\": \"\xff\xfe@example.com\"}", -1, JSON_TYPE, 400, NULL},
	    {"nul byte", nul_body, sizeof(nul_body) - 1, JSON_TYPE, 400, NULL},
	    {"form encoded", "email=a@b.c", -1, "application/x-www-form-urlencoded", 415, NULL},
	};

	first = vf_test_daemon_post_json(fixture->daemon,
					 "/api/register/",
					 "{\"email\": \"taken@example.com\", \"password\": "
					 "\"password-1\", \"confirmed_password\": \"password-1\"}",
					 NULL);
	vf_test_assert_status(first, 201);
	run_body_cases(fixture, "/api/register/", cases, G_N_ELEMENTS(cases));

	/* 1 MB string: over the body limit */
	memset(big, 'a', 1024 * 1024 + 63);
	memcpy(big, "{\"email\": \"", 11);
	big[1024 * 1024 + 62] = '}';
	big[1024 * 1024 + 61] = '"';
	big[1024 * 1024 + 63] = '\0';
	{
		BodyCase large[] = {{"1 MB string", big, -1, JSON_TYPE, 413, NULL}};
		run_body_cases(fixture, "/api/register/", large, 1);
	}
	/* deep nesting is refused before the parser sees it */
	for (guint i = 0; i < 5000; i++)
		g_string_append_c(deep_builder, '[');
	deep = g_string_free(g_steal_pointer(&deep_builder), FALSE);
	{
		BodyCase nested[] = {{"deep nesting", deep, -1, JSON_TYPE, 400, NULL}};
		run_body_cases(fixture, "/api/register/", nested, 1);
	}
	count = vf_test_daemon_query(fixture->daemon, "SELECT count(*) FROM users");
	g_assert_cmpstr(count, ==, "1");
}

static void
test_register_unicode_email(Fixture *fixture, gconstpointer data)
{
	g_autoptr(VfTestResponse) response = vf_test_daemon_post_json(
	    fixture->daemon,
	    "/api/register/",
	    "{\"email\": \"Jörg@Exämple.DE\", \"password\": \"password-1\", "
	    "\"confirmed_password\": \"password-1\"}",
	    NULL);
	JsonObject *user;

	/* Django's validator takes international domains but an ASCII local part */
	vf_test_assert_status(response, 400);
	g_clear_pointer(&response, vf_test_response_free);
	response =
	    vf_test_daemon_post_json(fixture->daemon,
				     "/api/register/",
				     "{\"email\": \"Joerg@Exämple.DE\", \"password\": "
				     "\"password-1\", \"confirmed_password\": \"password-1\"}",
				     NULL);
	vf_test_assert_status(response, 201);
	user = json_object_get_object_member(json_node_get_object(response->json), "user");
	g_assert_cmpstr(json_object_get_string_member(user, "email"), ==, "joerg@exämple.de");
}

static void
test_german_mail(Fixture *fixture, gconstpointer data)
{
	const gchar *headers[] = {"Accept-Language", "de-DE,de;q=0.9,en;q=0.8", NULL};
	g_autoptr(VfTestResponse) response = vf_test_daemon_post_json(
	    fixture->daemon,
	    "/api/register/",
	    "{\"email\": \"de@example.com\", \"password\": \"password-1\", "
	    "\"confirmed_password\": \"password-1\"}",
	    headers);
	g_autoptr(VfTestMail) mail = NULL;

	vf_test_assert_status(response, 201);
	mail = wait_for_mail(fixture, 1);
	g_test_message("subject: %s", mail->subject);
	g_assert_cmpstr(mail->subject, !=, "Activate your Videoflix account");
	g_assert_nonnull(strstr(mail->text, "/pages/auth/activate.html?uid="));
}

typedef struct {
	const gchar *name;
	const gchar *path;
	const gchar *expected;
} PathCase;

static void
test_activate_bad(Fixture *fixture, gconstpointer data)
{
	g_autoptr(VfTestResponse) registered = vf_test_daemon_post_json(
	    fixture->daemon,
	    "/api/register/",
	    "{\"email\": \"act@example.com\", \"password\": \"password-1\", "
	    "\"confirmed_password\": \"password-1\"}",
	    NULL);
	const gchar *not_found = "{\"message\": \"User not found\"}";
	const gchar *inactive =
	    "{\"message\": \"Token is inactive or user does not match with this token\"}";
	g_autofree gchar *other_user = NULL;
	PathCase cases[] = {
	    {"bad base64", "/api/activate/%2A%2A/abc/", not_found},
	    {"not a number", "/api/activate/YWJj/abc/", not_found},
	    {"unknown id", "/api/activate/OTk5OQ/abc/", not_found},
	    {"zero", "/api/activate/MA/abc/", not_found},
	    {"garbage token", "/api/activate/MQ/garbage/", inactive},
	    {"truncated token",
	     "/api/activate/MQ/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/",
	     inactive},
	    {"sql token", "/api/activate/MQ/'%20OR%201=1--/", inactive},
	};

	vf_test_assert_status(registered, 201);
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(VfTestResponse) response = NULL;
		g_test_message("activate: %s", cases[i].name);
		response =
		    vf_test_daemon_request(fixture->daemon, "GET", cases[i].path, NULL, NULL, 0);
		vf_test_assert_status(response, 400);
		assert_json(response, cases[i].expected);
	}
	/* a valid token of user 1 does not activate user 2 */
	g_clear_pointer(&registered, vf_test_response_free);
	registered =
	    vf_test_daemon_post_json(fixture->daemon,
				     "/api/register/",
				     "{\"email\": \"act2@example.com\", \"password\": "
				     "\"password-1\", \"confirmed_password\": \"password-1\"}",
				     NULL);
	vf_test_assert_status(registered, 201);
	other_user = g_strdup_printf("/api/activate/MQ/%s/",
				     vf_test_response_get_string(registered, "token"));
	{
		g_autoptr(VfTestResponse) response =
		    vf_test_daemon_request(fixture->daemon, "GET", other_user, NULL, NULL, 0);
		vf_test_assert_status(response, 400);
		assert_json(response, inactive);
	}
}

static void
test_login_bad(Fixture *fixture, gconstpointer data)
{
	g_autoptr(VfTestResponse) login =
	    vf_test_daemon_create_user(fixture->daemon, "real@example.com", "password-123");
	const gchar *no_account =
	    "{\"detail\": \"No active account found with the given credentials\"}";
	BodyCase cases[] = {
	    {"unknown",
	     "{\"email\": \"nobody@example.com\", \"password\": \"password-123\"}",
	     -1,
	     JSON_TYPE,
	     400,
	     no_account},
	    {"wrong password",
	     "{\"email\": \"real@example.com\", \"password\": \"password-124\"}",
	     -1,
	     JSON_TYPE,
	     400,
	     no_account},
	    {"not an email",
	     "{\"email\": \"real\", \"password\": \"password-123\"}",
	     -1,
	     JSON_TYPE,
	     400,
	     no_account},
	    {"missing",
	     "{}",
	     -1,
	     JSON_TYPE,
	     400,
	     "{\"email\": [\"This field is required.\"], \"password\": [\"This field is "
	     "required.\"]}"},
	    {"wrong type",
	     "{\"email\": [\"real@example.com\"], \"password\": \"password-123\"}",
	     -1,
	     JSON_TYPE,
	     400,
	     "{\"email\": [\"Not a valid string.\"]}"},
	};

	vf_test_assert_status(login, 200);
	run_body_cases(fixture, "/api/login/", cases, G_N_ELEMENTS(cases));
}

static gchar *
cookie_header(VfTestResponse *login, gboolean access, gboolean refresh, gboolean csrf)
{
	g_autoptr(GString) header = g_string_new(NULL);
	const gchar *names[] = {"access_token", "refresh_token", "csrftoken"};
	gboolean wanted[] = {access, refresh, csrf};

	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		g_autofree gchar *value = NULL;
		if (!wanted[i])
			continue;
		value = vf_test_response_dup_cookie(login, names[i]);
		g_string_append_printf(
		    header, "%s%s=%s", header->len > 0 ? "; " : "", names[i], value);
	}
	return g_string_free(g_steal_pointer(&header), FALSE);
}

static void
test_refresh_and_logout(Fixture *fixture, gconstpointer data)
{
	g_autoptr(VfTestResponse) login =
	    vf_test_daemon_create_user(fixture->daemon, "rl@example.com", "password-123");
	g_autofree gchar *all = cookie_header(login, TRUE, TRUE, TRUE);
	g_autofree gchar *refresh_only = cookie_header(login, FALSE, TRUE, FALSE);
	g_autofree gchar *access_only = cookie_header(login, TRUE, FALSE, TRUE);
	g_autofree gchar *csrf = vf_test_response_dup_cookie(login, "csrftoken");
	g_autofree gchar *access = vf_test_response_dup_cookie(login, "access_token");
	g_autofree gchar *refresh = vf_test_response_dup_cookie(login, "refresh_token");
	g_autofree gchar *access_as_refresh = g_strdup_printf("refresh_token=%s", access);
	g_autofree gchar *refresh_as_access =
	    g_strdup_printf("access_token=%s; csrftoken=%s", refresh, csrf);
	g_autofree gchar *bearer = g_strdup_printf("Bearer %s", access);
	g_autofree gchar *deleted = NULL;
	VfTestResponse *response;

	vf_test_assert_status(login, 200);

	/* refresh */
	response = vf_test_daemon_post_json(fixture->daemon, "/api/token/refresh/", NULL, NULL);
	vf_test_assert_status(response, 400);
	assert_json(response, "{\"detail\": \"Refreshed Token is missing\"}");
	g_assert_null(soup_message_headers_get_one(response->headers, "Set-Cookie"));
	vf_test_response_free(response);
	{
		const gchar *headers[] = {"Cookie", "refresh_token=garbage.not.jwt", NULL};
		response =
		    vf_test_daemon_post_json(fixture->daemon, "/api/token/refresh/", NULL, headers);
		vf_test_assert_status(response, 401);
		assert_json(response, "{\"detail\": \"Refresh Token is invalid!\"}");
		vf_test_response_free(response);
	}
	{
		const gchar *headers[] = {"Cookie", access_as_refresh, NULL};
		response =
		    vf_test_daemon_post_json(fixture->daemon, "/api/token/refresh/", NULL, headers);
		vf_test_assert_status(response, 401);
		vf_test_response_free(response);
	}
	{
		const gchar *headers[] = {"Cookie", refresh_only, NULL};
		g_autofree gchar *cookie = NULL;
		response =
		    vf_test_daemon_post_json(fixture->daemon, "/api/token/refresh/", NULL, headers);
		vf_test_assert_status(response, 200);
		g_assert_cmpstr(
		    vf_test_response_get_string(response, "detail"), ==, "Token refreshed");
		cookie = vf_test_response_dup_cookie(response, "access_token");
		g_assert_cmpstr(cookie, ==, vf_test_response_get_string(response, "access"));
		vf_test_response_free(response);
	}

	/* logout: authentication, CSRF, refresh cookie */
	response = vf_test_daemon_post_json(fixture->daemon, "/api/logout/", NULL, NULL);
	vf_test_assert_status(response, 401);
	assert_json(response, "{\"detail\": \"Authentication credentials were not provided.\"}");
	vf_test_response_free(response);
	{
		const gchar *headers[] = {"Cookie", refresh_as_access, "X-CSRFToken", csrf, NULL};
		response = vf_test_daemon_post_json(fixture->daemon, "/api/logout/", NULL, headers);
		vf_test_assert_status(response, 401);
		assert_json(response,
			    "{\"detail\": \"Given token not valid for any token type\", \"code\": "
			    "\"token_not_valid\"}");
		vf_test_response_free(response);
	}
	{
		const gchar *headers[] = {"Cookie", all, NULL};
		response = vf_test_daemon_post_json(fixture->daemon, "/api/logout/", NULL, headers);
		vf_test_assert_status(response, 403);
		assert_json(response,
			    "{\"detail\": \"CSRF Failed: CSRF token missing or incorrect.\"}");
		vf_test_response_free(response);
	}
	{
		const gchar *headers[] = {"Cookie", all, "X-CSRFToken", "wrong", NULL};
		response = vf_test_daemon_post_json(fixture->daemon, "/api/logout/", NULL, headers);
		vf_test_assert_status(response, 403);
		vf_test_response_free(response);
	}
	{
		const gchar *headers[] = {"Cookie", access_only, "X-CSRFToken", csrf, NULL};
		response = vf_test_daemon_post_json(fixture->daemon, "/api/logout/", NULL, headers);
		vf_test_assert_status(response, 400);
		assert_json(response, "{\"detail\": \"Refresh token not provided.\"}");
		vf_test_response_free(response);
	}
	{
		/* Bearer is exempt from CSRF; a refresh cookie of junk is invalid */
		const gchar *headers[] = {
		    "Authorization", bearer, "Cookie", "refresh_token=x.y.z", NULL};
		response = vf_test_daemon_post_json(fixture->daemon, "/api/logout/", NULL, headers);
		vf_test_assert_status(response, 400);
		assert_json(response, "{\"detail\": \"Invalid Refresh Token.\"}");
		vf_test_response_free(response);
	}
	{
		const gchar *headers[] = {"Cookie", all, "X-CSRFToken", csrf, NULL};
		response = vf_test_daemon_post_json(fixture->daemon, "/api/logout/", NULL, headers);
		vf_test_assert_status(response, 200);
		assert_json(response,
			    "{\"detail\": \"Log-Out successfully! All Tokens will be deleted. "
			    "Refresh token is now invalid.\"}");
		deleted = vf_test_response_dup_set_cookie(response, "refresh_token");
		g_assert_nonnull(strstr(deleted, "Max-Age=0"));
		g_assert_nonnull(strstr(deleted, "Path=/"));
		g_assert_nonnull(strstr(deleted, "SameSite=Lax"));
		g_free(deleted);
		deleted = vf_test_response_dup_set_cookie(response, "csrftoken");
		g_assert_nonnull(strstr(deleted, "Max-Age=0"));
		g_free(deleted);
		deleted = vf_test_response_dup_set_cookie(response, "access_token");
		g_assert_nonnull(strstr(deleted, "Max-Age=0"));
		vf_test_response_free(response);
	}
	{
		/* the refresh token is revoked for good; logging out twice fails */
		const gchar *headers[] = {"Cookie", refresh_only, NULL};
		const gchar *again[] = {"Cookie", all, "X-CSRFToken", csrf, NULL};
		response =
		    vf_test_daemon_post_json(fixture->daemon, "/api/token/refresh/", NULL, headers);
		vf_test_assert_status(response, 401);
		vf_test_response_free(response);
		response = vf_test_daemon_post_json(fixture->daemon, "/api/logout/", NULL, again);
		vf_test_assert_status(response, 400);
		assert_json(response, "{\"detail\": \"Invalid Refresh Token.\"}");
		vf_test_response_free(response);
	}
}

static gchar *
b64url(const gchar *text)
{
	gchar *encoded = g_base64_encode((const guchar *)text, strlen(text));
	gsize len = strlen(encoded);
	while (len > 0 && encoded[len - 1] == '=')
		encoded[--len] = '\0';
	g_strdelimit(encoded, "+", '-');
	g_strdelimit(encoded, "/", '_');
	return encoded;
}

static void
test_forged_tokens(Fixture *fixture, gconstpointer data)
{
	g_autoptr(VfTestResponse) login =
	    vf_test_daemon_create_user(fixture->daemon, "forge@example.com", "password-123");
	g_autofree gchar *access = vf_test_response_dup_cookie(login, "access_token");
	g_autofree gchar *header_none = b64url("{\"alg\":\"none\",\"typ\":\"JWT\"}");
	g_autofree gchar *payload = NULL;
	g_autofree gchar *none_token = NULL;
	g_autofree gchar *tampered = NULL;
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	g_auto(GStrv) parts = g_strsplit(access, ".", 3);

	vf_test_assert_status(login, 200);
	payload =
	    g_strdup_printf("{\"user_id\":1,\"exp\":%" G_GINT64_FORMAT ",\"iat\":%" G_GINT64_FORMAT
			    ",\"jti\":\"x\",\"token_type\":\"access\"}",
			    now + 3600,
			    now);
	{
		g_autofree gchar *p = b64url(payload);
		none_token = g_strdup_printf("%s.%s.", header_none, p);
		tampered = g_strdup_printf("%s.%s.%s", parts[0], p, parts[2]);
	}
	{
		const gchar *tokens[] = {none_token, tampered, "abc", "a.b.c", ""};
		for (guint i = 0; i < G_N_ELEMENTS(tokens); i++) {
			g_autofree gchar *bearer = g_strdup_printf("Bearer %s", tokens[i]);
			const gchar *headers[] = {"Authorization", bearer, NULL};
			g_autoptr(VfTestResponse) response = vf_test_daemon_post_json(
			    fixture->daemon, "/api/logout/", NULL, headers);
			g_test_message("forged token %u", i);
			vf_test_assert_status(response, 401);
		}
	}
	{
		/* junk cookies are not a crash */
		const gchar *headers[] = {
		    "Cookie", "access_token; =; ;;; access_token=\"\"; csrftoken", NULL};
		g_autoptr(VfTestResponse) response =
		    vf_test_daemon_post_json(fixture->daemon, "/api/logout/", NULL, headers);
		vf_test_assert_status(response, 401);
	}
}

static void
test_password_reset(Fixture *fixture, gconstpointer data)
{
	g_autoptr(VfTestResponse) login =
	    vf_test_daemon_create_user(fixture->daemon, "reset@example.com", "old-password");
	g_autofree gchar *refresh_only = cookie_header(login, FALSE, TRUE, FALSE);
	g_autofree gchar *all = cookie_header(login, TRUE, TRUE, TRUE);
	g_autofree gchar *csrf = vf_test_response_dup_cookie(login, "csrftoken");
	g_autoptr(VfTestMail) first_mail = NULL;
	g_autoptr(VfTestMail) second_mail = NULL;
	g_autofree gchar *first_link = NULL;
	g_autofree gchar *second_link = NULL;
	g_autofree gchar *uid = NULL;
	g_autofree gchar *token = NULL;
	g_autofree gchar *uid2 = NULL;
	g_autofree gchar *token2 = NULL;
	g_autofree gchar *path = NULL;
	g_autofree gchar *path2 = NULL;
	VfTestResponse *response;
	const gchar *prefix = "http://127.0.0.1:5500/pages/auth/confirm_password.html?";

	vf_test_assert_status(login, 200);
	/* one activation mail so far */
	g_assert_true(vf_test_smtp_wait_for_messages(fixture->smtp, 1, 30000));

	response = vf_test_daemon_post_json(
	    fixture->daemon, "/api/password_reset/", "{\"email\": \"nobody@example.com\"}", NULL);
	vf_test_assert_status(response, 200);
	assert_json(response, "{\"detail\": \"If account exists, then the email will be sent.\"}");
	vf_test_response_free(response);
	response = vf_test_daemon_post_json(
	    fixture->daemon, "/api/password_reset/", "{\"email\": \"bad\"}", NULL);
	vf_test_assert_status(response, 400);
	assert_json(response, "{\"email\": [\"Enter a valid email address.\"]}");
	vf_test_response_free(response);

	for (guint i = 0; i < 2; i++) {
		response = vf_test_daemon_post_json(fixture->daemon,
						    "/api/password_reset/",
						    "{\"email\": \"Reset@Example.com\"}",
						    NULL);
		vf_test_assert_status(response, 200);
		vf_test_response_free(response);
	}
	second_mail = wait_for_mail(fixture, 3);
	{
		g_autoptr(GPtrArray) mails = vf_test_smtp_get_messages(fixture->smtp);
		first_mail = g_ptr_array_steal_index(mails, 1);
	}
	g_assert_cmpstr(first_mail->subject, ==, "Reset your Videoflix account");
	first_link = vf_test_mail_extract_link(first_mail->text, prefix);
	second_link = vf_test_mail_extract_link(second_mail->text, prefix);
	link_params(first_link, &uid, &token);
	link_params(second_link, &uid2, &token2);
	path = g_strdup_printf("/api/password_confirm/%s/%s/", uid, token);
	path2 = g_strdup_printf("/api/password_confirm/%s/%s/", uid2, token2);

	response = vf_test_daemon_post_json(
	    fixture->daemon,
	    path,
	    "{\"new_password\": \"new-password-1\", \"confirm_password\": \"new-password-2\"}",
	    NULL);
	vf_test_assert_status(response, 400);
	assert_json(response, "{\"message\": [\"passwords don't match!\"]}");
	vf_test_response_free(response);
	response = vf_test_daemon_post_json(
	    fixture->daemon,
	    "/api/password_confirm/MQ/not-a-token/",
	    "{\"new_password\": \"new-password-1\", \"confirm_password\": \"new-password-1\"}",
	    NULL);
	vf_test_assert_status(response, 400);
	assert_json(response, "{\"detail\": \"Invalid or expired link.\"}");
	vf_test_response_free(response);

	/* sessions issued before the change end with it (whole seconds) */
	g_usleep(1100 * 1000);
	response = vf_test_daemon_post_json(
	    fixture->daemon,
	    path,
	    "{\"new_password\": \"new-password-1\", \"confirm_password\": \"new-password-1\"}",
	    NULL);
	vf_test_assert_status(response, 200);
	assert_json(response, "{\"detail\": \"Your Password has been succesfully reset.\"}");
	vf_test_response_free(response);

	/* single use, and the other link died with the password change */
	response = vf_test_daemon_post_json(
	    fixture->daemon,
	    path,
	    "{\"new_password\": \"new-password-3\", \"confirm_password\": \"new-password-3\"}",
	    NULL);
	vf_test_assert_status(response, 400);
	vf_test_response_free(response);
	response = vf_test_daemon_post_json(
	    fixture->daemon,
	    path2,
	    "{\"new_password\": \"new-password-3\", \"confirm_password\": \"new-password-3\"}",
	    NULL);
	vf_test_assert_status(response, 400);
	assert_json(response, "{\"detail\": \"Invalid or expired link.\"}");
	vf_test_response_free(response);

	{
		const gchar *headers[] = {"Cookie", refresh_only, NULL};
		const gchar *logout[] = {"Cookie", all, "X-CSRFToken", csrf, NULL};
		response =
		    vf_test_daemon_post_json(fixture->daemon, "/api/token/refresh/", NULL, headers);
		vf_test_assert_status(response, 401);
		vf_test_response_free(response);
		response = vf_test_daemon_post_json(fixture->daemon, "/api/logout/", NULL, logout);
		vf_test_assert_status(response, 401);
		vf_test_response_free(response);
	}
	response = vf_test_daemon_post_json(
	    fixture->daemon,
	    "/api/login/",
	    "{\"email\": \"reset@example.com\", \"password\": \"old-password\"}",
	    NULL);
	vf_test_assert_status(response, 400);
	vf_test_response_free(response);
	response = vf_test_daemon_post_json(
	    fixture->daemon,
	    "/api/login/",
	    "{\"email\": \"reset@example.com\", \"password\": \"new-password-1\"}",
	    NULL);
	vf_test_assert_status(response, 200);
	vf_test_response_free(response);
}

static const gchar *rate_env[] = {
    "LOGIN_FAILURES_PER_ACCOUNT=3", "REGISTER_PER_CLIENT=4", "RESET_PER_ACCOUNT=1", NULL};

static void
test_rate_limits(Fixture *fixture, gconstpointer data)
{
	g_autoptr(VfTestResponse) login =
	    vf_test_daemon_create_user(fixture->daemon, "rate@example.com", "password-123");
	VfTestResponse *response;

	vf_test_assert_status(login, 200);
	for (guint i = 0; i < 3; i++) {
		response = vf_test_daemon_post_json(
		    fixture->daemon,
		    "/api/login/",
		    "{\"email\": \"rate@example.com\", \"password\": \"wrong-password\"}",
		    NULL);
		vf_test_assert_status(response, 400);
		vf_test_response_free(response);
	}
	/* the right password does not help now, and another account is not affected */
	response = vf_test_daemon_post_json(
	    fixture->daemon,
	    "/api/login/",
	    "{\"email\": \"RATE@example.com\", \"password\": \"password-123\"}",
	    NULL);
	vf_test_assert_status(response, 429);
	assert_json(response, "{\"detail\": \"Too many attempts, retry later.\"}");
	g_assert_cmpint(atoi(soup_message_headers_get_one(response->headers, "Retry-After")), >, 0);
	vf_test_response_free(response);

	/* one registration was made by create_user; three more are allowed */
	for (guint i = 0; i < 4; i++) {
		g_autofree gchar *body = g_strdup_printf(
		    "{\"email\": \"r%u@example.com\", \"password\": \"password-1\", "
		    "\"confirmed_password\": \"password-1\"}",
		    i);
		response = vf_test_daemon_post_json(fixture->daemon, "/api/register/", body, NULL);
		vf_test_assert_status(response, i < 3 ? 201 : 429);
		vf_test_response_free(response);
	}

	/* over the per-account reset limit the answer stays 200 but no mail goes out */
	for (guint i = 0; i < 3; i++) {
		response = vf_test_daemon_post_json(fixture->daemon,
						    "/api/password_reset/",
						    "{\"email\": \"rate@example.com\"}",
						    NULL);
		vf_test_assert_status(response, 200);
		vf_test_response_free(response);
	}
	{
		g_autofree gchar *count = vf_test_daemon_query(
		    fixture->daemon,
		    "SELECT count(*) FROM mail_outbox WHERE subject LIKE 'Reset%'");
		g_assert_cmpstr(count, ==, "1");
	}
}

static void concurrent_sent_cb(GObject *source, GAsyncResult *result, gpointer user_data);

/* n POSTs of one JSON body at once (64 connections); the statuses in order */
static GArray *
post_in_parallel(Fixture *fixture, const gchar *path, const gchar *json, guint n)
{
	g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func(g_object_unref);
	g_autoptr(SoupSession) session =
	    soup_session_new_with_options("max-conns", 64, "max-conns-per-host", 64, NULL);
	g_autofree gchar *url =
	    g_strdup_printf("%s%s", vf_test_daemon_get_url(fixture->daemon), path);
	GArray *statuses = g_array_sized_new(FALSE, FALSE, sizeof(guint), n);
	guint done = 0;

	for (guint i = 0; i < n; i++) {
		SoupMessage *msg = soup_message_new("POST", url);
		g_autoptr(GBytes) body = g_bytes_new(json, strlen(json));
		soup_message_set_request_body_from_bytes(msg, "application/json", body);
		g_ptr_array_add(messages, msg);
		soup_session_send_and_read_async(
		    session, msg, G_PRIORITY_DEFAULT, NULL, concurrent_sent_cb, &done);
	}
	while (done < n)
		g_main_context_iteration(NULL, TRUE);
	for (guint i = 0; i < n; i++) {
		guint status = soup_message_get_status(g_ptr_array_index(messages, i));
		g_array_append_val(statuses, status);
	}
	return statuses;
}

static void
concurrent_sent_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GBytes) body =
	    soup_session_send_and_read_finish(SOUP_SESSION(source), result, NULL);
	(*(guint *)user_data)++;
}

#define SAME_EMAIL_BODY                                                                            \
	"{\"email\": \"same@example.com\", \"password\": \"password-1\", "                         \
	"\"confirmed_password\": \"password-1\"}"

static void
test_concurrent_registrations(Fixture *fixture, gconstpointer data)
{
	/* 200 registrations of one address at once: exactly one account */
	const guint n = 200;
	g_autoptr(GArray) statuses =
	    post_in_parallel(fixture, "/api/register/", SAME_EMAIL_BODY, n);
	g_autofree gchar *count = NULL;
	guint created = 0;
	guint refused = 0;

	for (guint i = 0; i < statuses->len; i++) {
		guint status = g_array_index(statuses, guint, i);
		if (status == 201)
			created++;
		else if (status == 400)
			refused++;
		else
			g_error("unexpected status %u", status);
	}
	g_assert_cmpuint(created, ==, 1);
	g_assert_cmpuint(refused, ==, n - 1);
	count = vf_test_daemon_query(fixture->daemon,
				     "SELECT count(*) FROM users WHERE email = 'same@example.com'");
	g_assert_cmpstr(count, ==, "1");
}

static void
test_login_burst(Fixture *fixture, gconstpointer data)
{
	/* parallel guesses all count, although each takes a password check to fail */
	const guint n = 40;
	g_autoptr(VfTestResponse) login =
	    vf_test_daemon_create_user(fixture->daemon, "burst@example.com", "password-123");
	g_autoptr(GArray) statuses = NULL;
	guint refused = 0;
	guint limited = 0;

	vf_test_assert_status(login, 200);
	statuses =
	    post_in_parallel(fixture,
			     "/api/login/",
			     "{\"email\": \"burst@example.com\", \"password\": \"guess-guess\"}",
			     n);
	for (guint i = 0; i < statuses->len; i++) {
		guint status = g_array_index(statuses, guint, i);
		if (status == 400)
			refused++;
		else if (status == 429)
			limited++;
		else
			g_error("unexpected status %u", status);
	}
	/* LOGIN_FAILURES_PER_ACCOUNT is 10 by default */
	g_assert_cmpuint(refused, ==, 10);
	g_assert_cmpuint(limited, ==, n - 10);
}

static void
test_router_and_cors(Fixture *fixture, gconstpointer data)
{
	const gchar *origin[] = {"Origin", "http://127.0.0.1:5500", NULL};
	const gchar *evil[] = {"Origin", "http://evil.example", NULL};
	const gchar *preflight[] = {"Origin",
				    "http://localhost:5500",
				    "Access-Control-Request-Method",
				    "GET",
				    "Access-Control-Request-Headers",
				    "content-type",
				    NULL};
	VfTestResponse *response;

	response = vf_test_daemon_request(fixture->daemon, "GET", "/api/nothing/", origin, NULL, 0);
	vf_test_assert_status(response, 404);
	assert_json(response, "{\"detail\": \"Not found.\"}");
	g_assert_cmpstr(
	    soup_message_headers_get_one(response->headers, "Access-Control-Allow-Origin"),
	    ==,
	    "http://127.0.0.1:5500");
	g_assert_cmpstr(
	    soup_message_headers_get_one(response->headers, "Access-Control-Allow-Credentials"),
	    ==,
	    "true");
	vf_test_response_free(response);

	response = vf_test_daemon_request(fixture->daemon, "GET", "/api/login/", evil, NULL, 0);
	vf_test_assert_status(response, 405);
	g_assert_nonnull(strstr(soup_message_headers_get_one(response->headers, "Allow"), "POST"));
	g_assert_null(
	    soup_message_headers_get_one(response->headers, "Access-Control-Allow-Origin"));
	g_assert_nonnull(response->json);
	vf_test_response_free(response);

	response =
	    vf_test_daemon_request(fixture->daemon, "OPTIONS", "/api/video/", preflight, NULL, 0);
	vf_test_assert_status(response, 204);
	g_assert_cmpstr(
	    soup_message_headers_get_one(response->headers, "Access-Control-Allow-Origin"),
	    ==,
	    "http://localhost:5500");
	g_assert_nonnull(
	    strstr(soup_message_headers_get_one(response->headers, "Access-Control-Allow-Headers"),
		   "X-CSRFToken"));
	vf_test_response_free(response);

	/* no trailing slash: the same route, no redirect */
	response = vf_test_daemon_post_json(fixture->daemon, "/api/login", "{}", NULL);
	vf_test_assert_status(response, 400);
	vf_test_response_free(response);

	response = vf_test_daemon_request(fixture->daemon, "GET", "/healthz", NULL, NULL, 0);
	vf_test_assert_status(response, 200);
	vf_test_response_free(response);
	response = vf_test_daemon_request(fixture->daemon, "GET", "/readyz", NULL, NULL, 0);
	vf_test_assert_status(response, 200);
	vf_test_response_free(response);
}

int
main(int argc, char **argv)
{
	static const gchar *secure_env[] = {"COOKIE_SECURE=True", NULL};
	static const gchar *unlimited_env[] = {"REGISTER_PER_CLIENT=0", NULL};
	int result;

	vf_test_init(&argc, &argv, 600);
	pg = vf_test_postgres_new();
	g_test_add("/http/accounts/register-activate-login",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_register_activate_login,
		   fixture_teardown);
	g_test_add("/http/accounts/secure-cookies",
		   Fixture,
		   secure_env,
		   fixture_setup,
		   test_secure_cookies,
		   fixture_teardown);
	g_test_add("/http/accounts/register-bad-input",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_register_bad_input,
		   fixture_teardown);
	g_test_add("/http/accounts/register-unicode-email",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_register_unicode_email,
		   fixture_teardown);
	g_test_add("/http/accounts/german-mail",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_german_mail,
		   fixture_teardown);
	g_test_add("/http/accounts/activate-bad",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_activate_bad,
		   fixture_teardown);
	g_test_add("/http/accounts/login-bad",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_login_bad,
		   fixture_teardown);
	g_test_add("/http/accounts/refresh-logout",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_refresh_and_logout,
		   fixture_teardown);
	g_test_add("/http/accounts/forged-tokens",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_forged_tokens,
		   fixture_teardown);
	g_test_add("/http/accounts/password-reset",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_password_reset,
		   fixture_teardown);
	g_test_add("/http/accounts/rate-limits",
		   Fixture,
		   rate_env,
		   fixture_setup,
		   test_rate_limits,
		   fixture_teardown);
	g_test_add("/http/accounts/concurrent-registrations",
		   Fixture,
		   unlimited_env,
		   fixture_setup,
		   test_concurrent_registrations,
		   fixture_teardown);
	g_test_add("/http/accounts/login-burst",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_login_burst,
		   fixture_teardown);
	g_test_add("/http/router/cors-404-405",
		   Fixture,
		   NULL,
		   fixture_setup,
		   test_router_and_cors,
		   fixture_teardown);
	result = g_test_run();
	vf_test_postgres_free(pg);
	return result;
}
