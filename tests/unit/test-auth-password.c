/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * argon2id hashing: round trips, salts, hashes we must not accept (Django's pbkdf2,
 * garbage), the dummy verify, and that the process-wide limit of concurrent hashes
 * really bounds them (counted through the module's test hook, no timing).
 */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "vf-auth-password.h"
#include "vf-auth-private.h"
#include "vf-error.h"
#include "vf-test-util.h"

/* a hash in the format the Django service stored (pbkdf2_sha256$iterations$salt$hash) */
#define DJANGO_HASH                                                                                \
	"pbkdf2_sha256$600000$l6m5tLhJ7tpwdySY4tjhLp$"                                             \
	"gd0c6EgRqrrWazo+BOmixI4yHaDHYi6HpFPIrsv4vW8="

static void
test_round_trip(void)
{
	const gchar *passwords[] = {"correct horse battery",
				    "p",
				    "",
				    "Pässwörd ünïcödé ✓",
				    "with\ttab and \"quotes\" and 'single' and $dollar"};

	for (guint i = 0; i < G_N_ELEMENTS(passwords); i++) {
		g_autoptr(GError) error = NULL;
		g_autofree gchar *hash = NULL;
		g_autofree gchar *other = g_strconcat(passwords[i], "x", NULL);

		g_test_message("password %u", i);
		hash = vf_auth_password_hash(passwords[i], &error);
		g_assert_no_error(error);
		g_assert_nonnull(hash);
		g_assert_true(g_str_has_prefix(hash, "$argon2id$v=19$m=65536,t=2,p=1$"));
		g_assert_cmpuint(strlen(hash), <, crypto_pwhash_STRBYTES);
		g_assert_true(vf_auth_password_verify(hash, passwords[i]));
		g_assert_false(vf_auth_password_verify(hash, other));
		g_assert_false(vf_auth_password_needs_rehash(hash));
	}
}

static void
test_long_password(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *password = g_strnfill(10000, 'a');
	g_autofree gchar *hash = vf_auth_password_hash(password, &error);

	g_assert_no_error(error);
	g_assert_true(vf_auth_password_verify(hash, password));
	password[9999] = 'b';
	g_assert_false(vf_auth_password_verify(hash, password));
}

static void
test_salted(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *a = vf_auth_password_hash("same password", &error);
	g_autofree gchar *b = NULL;

	g_assert_no_error(error);
	b = vf_auth_password_hash("same password", &error);
	g_assert_no_error(error);
	g_assert_cmpstr(a, !=, b);
	g_assert_true(vf_auth_password_verify(a, "same password"));
	g_assert_true(vf_auth_password_verify(b, "same password"));
}

static void
test_foreign_hashes(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *real = vf_auth_password_hash("correct horse battery", &error);
	g_autofree gchar *truncated = g_strndup(real, strlen(real) - 5);
	g_autofree gchar *overlong =
	    g_strconcat(real, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL);
	g_autofree gchar *garbage_tail = g_strnfill(300, 'A');
	g_autofree gchar *huge_argon2 = g_strconcat("$argon2id$", garbage_tail, NULL);
	struct {
		const gchar *name;
		const gchar *hash;
	} rows[] = {
	    {"Django pbkdf2_sha256", DJANGO_HASH},
	    {"bcrypt", "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"},
	    {"unusable (Django)", "!Yd3GgE0ZUQpD8y4Ld0hT0zYbLwUq7f1k9tLk2rQh"},
	    {"plain text", "correct horse battery"},
	    {"empty", ""},
	    {"NULL", NULL},
	    {"argon2id prefix only", "$argon2id$"},
	    {"truncated argon2id", truncated},
	    {"argon2id with junk appended", overlong},
	    {"argon2id longer than the buffer", huge_argon2},
	};

	g_assert_no_error(error);
	for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
		g_test_message("row %s", rows[i].name);
		g_assert_false(vf_auth_password_verify(rows[i].hash, "correct horse battery"));
		/* a damaged hash that still carries our parameters may or may not parse
		 * (it depends on the random hash's base64 length): only foreign ones must */
		if (rows[i].hash == NULL || !g_str_has_prefix(rows[i].hash, "$argon2id$v="))
			g_assert_true(vf_auth_password_needs_rehash(rows[i].hash));
	}
	/* the good row, so the table cannot pass for a broken verify */
	g_assert_true(vf_auth_password_verify(real, "correct horse battery"));
	g_assert_false(vf_auth_password_verify(real, NULL));
}

typedef struct {
	GMutex lock;
	GCond cond;
	guint target;	  /* the limit under test */
	guint active;	  /* hashes inside a slot now */
	guint high_water; /* most ever inside at once */
	guint entries;	  /* slots taken in all */
	gint64 deadline;  /* monotonic; only stops waiting, asserts nothing */
} Probe;

static void
probe_hook(gboolean entering, gpointer user_data)
{
	Probe *probe = user_data;

	g_mutex_lock(&probe->lock);
	if (entering) {
		probe->active++;
		probe->entries++;
		probe->high_water = MAX(probe->high_water, probe->active);
		g_cond_broadcast(&probe->cond);
		/* stay in until the limit has been reached once, so the slots are surely
		 * contended: a limit too low shows as a high-water mark below target, a
		 * missing limit as one above it */
		while (probe->high_water < probe->target &&
		       g_cond_wait_until(&probe->cond, &probe->lock, probe->deadline))
			;
	} else {
		probe->active--;
	}
	g_mutex_unlock(&probe->lock);
}

static gpointer
worker_thread(gpointer user_data)
{
	guint n = GPOINTER_TO_UINT(user_data);
	g_autofree gchar *password = g_strdup_printf("password %u", n);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *hash = vf_auth_password_hash(password, &error);
	gboolean ok;

	g_assert_no_error(error);
	ok = vf_auth_password_verify(hash, password) && !vf_auth_password_verify(hash, "nope");
	vf_auth_password_verify_dummy(password);
	return GINT_TO_POINTER(ok);
}

static void
test_bounded(void)
{
	const guint limits[] = {1, 2, 3};

	for (guint l = 0; l < G_N_ELEMENTS(limits); l++) {
		g_autoptr(GError) error = NULL;
		GThread *threads[8];
		Probe probe = {.target = limits[l]};

		g_test_message("limit %u", limits[l]);
		g_mutex_init(&probe.lock);
		g_cond_init(&probe.cond);
		probe.deadline = g_get_monotonic_time() + 20 * G_TIME_SPAN_SECOND;
		g_assert_true(vf_auth_password_init(limits[l], &error));
		g_assert_no_error(error);
		g_assert_cmpuint(vf_auth_password_get_max_concurrent(), ==, limits[l]);
		vf_auth_password_set_test_hook(probe_hook, &probe);

		for (guint i = 0; i < G_N_ELEMENTS(threads); i++)
			threads[i] = g_thread_new("hash", worker_thread, GUINT_TO_POINTER(i));
		for (guint i = 0; i < G_N_ELEMENTS(threads); i++)
			g_assert_true(GPOINTER_TO_INT(g_thread_join(threads[i])));

		vf_auth_password_set_test_hook(NULL, NULL);
		/* hash + 2 verifies + dummy per thread, each in a slot */
		g_assert_cmpuint(probe.entries, ==, 4 * G_N_ELEMENTS(threads));
		g_assert_cmpuint(probe.active, ==, 0);
		g_assert_cmpuint(probe.high_water, ==, limits[l]);
		g_mutex_clear(&probe.lock);
		g_cond_clear(&probe.cond);
	}
}

static void
test_dummy(void)
{
	Probe probe = {.target = 0};

	g_mutex_init(&probe.lock);
	g_cond_init(&probe.cond);
	vf_auth_password_set_test_hook(probe_hook, &probe);
	vf_auth_password_verify_dummy("correct horse battery");
	vf_auth_password_verify_dummy("");
	vf_auth_password_verify_dummy(NULL);
	/* and a non-argon2 hash costs one verify too (no enumeration of migrated users) */
	g_assert_false(vf_auth_password_verify(DJANGO_HASH, "correct horse battery"));
	vf_auth_password_set_test_hook(NULL, NULL);
	/* each took a slot, i.e. ran a real argon2 verify */
	g_assert_cmpuint(probe.entries, ==, 4);
	g_mutex_clear(&probe.lock);
	g_cond_clear(&probe.cond);
}

static void
test_init(void)
{
	g_autoptr(GError) error = NULL;

	g_assert_true(vf_auth_password_init(0, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(vf_auth_password_get_max_concurrent(), ==, g_get_num_processors());
	g_assert_true(vf_auth_password_init(5, &error));
	g_assert_cmpuint(vf_auth_password_get_max_concurrent(), ==, 5);
	g_assert_true(vf_auth_password_init(5, &error));
	g_assert_cmpuint(vf_auth_password_get_max_concurrent(), ==, 5);
	g_assert_no_error(error);
}

int
main(int argc, char **argv)
{
	vf_test_init(&argc, &argv, 300);
	g_test_add_func("/auth/password/init", test_init);
	g_test_add_func("/auth/password/round-trip", test_round_trip);
	g_test_add_func("/auth/password/long", test_long_password);
	g_test_add_func("/auth/password/salted", test_salted);
	g_test_add_func("/auth/password/foreign-hashes", test_foreign_hashes);
	g_test_add_func("/auth/password/dummy", test_dummy);
	g_test_add_func("/auth/password/bounded", test_bounded);
	return g_test_run();
}
