/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * argon2id hashing and verification behind a process-wide counting semaphore
 * (slot_lock/slot_cond), so at most slot_limit hashes hold their 64 MiB at once.
 * Runs on the caller's thread, which must be a worker thread, never the main loop.
 */
#include "config.h"

#include "vf-auth-password.h"

#include <sodium.h>
#include <string.h>

#include "vf-auth-private.h"
#include "vf-error.h"

#define OPSLIMIT crypto_pwhash_OPSLIMIT_INTERACTIVE
#define MEMLIMIT crypto_pwhash_MEMLIMIT_INTERACTIVE

static GMutex init_lock;
static gint initialized;			 /* atomic; set once the dummy hash exists */
static gchar dummy_hash[crypto_pwhash_STRBYTES]; /* written once before initialized */

static GMutex slot_lock;
static GCond slot_cond;
static guint slot_limit;	     /* protected by slot_lock */
static guint slot_used;		     /* protected by slot_lock */
static VfAuthPasswordHook test_hook; /* protected by slot_lock */
static gpointer test_hook_data;	     /* protected by slot_lock */

gboolean
vf_auth_password_init(guint max_concurrent, GError **error)
{
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&init_lock);

	if (!vf_auth_sodium_ensure(error))
		return FALSE;
	if (!g_atomic_int_get(&initialized)) {
		/* a password nobody knows, hashed once: verify_dummy checks against it */
		g_autofree gchar *secret = NULL;
		guchar raw[32];

		randombytes_buf(raw, sizeof(raw));
		secret = g_base64_encode(raw, sizeof(raw));
		sodium_memzero(raw, sizeof(raw));
		if (crypto_pwhash_str(dummy_hash, secret, strlen(secret), OPSLIMIT, MEMLIMIT) !=
		    0) {
			g_set_error_literal(error,
					    VF_ERROR,
					    VF_ERROR_INTERNAL,
					    "cannot hash the dummy password (out of memory)");
			return FALSE;
		}
	}

	if (max_concurrent == 0)
		max_concurrent = MAX(g_get_num_processors(), 1);
	g_mutex_lock(&slot_lock);
	slot_limit = max_concurrent;
	g_cond_broadcast(&slot_cond);
	g_mutex_unlock(&slot_lock);
	g_debug("at most %u password hashes at once", max_concurrent);

	g_atomic_int_set(&initialized, 1);
	return TRUE;
}

static gboolean
ensure_init(GError **error)
{
	if (g_atomic_int_get(&initialized))
		return TRUE;
	return vf_auth_password_init(0, error);
}

static void
assert_not_main_loop(void)
{
	/* an argon2 call would stall every request for ~80 ms: that is a bug in the caller */
	if (g_main_context_is_owner(g_main_context_default()))
		g_critical("password hashing on the main loop thread; use a worker thread");
}

static void
slot_acquire(void)
{
	VfAuthPasswordHook hook;
	gpointer hook_data;

	g_mutex_lock(&slot_lock);
	while (slot_used >= slot_limit)
		g_cond_wait(&slot_cond, &slot_lock);
	slot_used++;
	hook = test_hook;
	hook_data = test_hook_data;
	g_mutex_unlock(&slot_lock);
	if (hook != NULL)
		hook(TRUE, hook_data);
}

static void
slot_release(void)
{
	VfAuthPasswordHook hook;
	gpointer hook_data;

	g_mutex_lock(&slot_lock);
	hook = test_hook;
	hook_data = test_hook_data;
	g_mutex_unlock(&slot_lock);
	if (hook != NULL)
		hook(FALSE, hook_data);

	g_mutex_lock(&slot_lock);
	slot_used--;
	g_cond_signal(&slot_cond);
	g_mutex_unlock(&slot_lock);
}

void
vf_auth_password_set_test_hook(VfAuthPasswordHook hook, gpointer user_data)
{
	g_mutex_lock(&slot_lock);
	test_hook = hook;
	test_hook_data = user_data;
	g_mutex_unlock(&slot_lock);
}

guint
vf_auth_password_get_max_concurrent(void)
{
	guint limit;

	g_mutex_lock(&slot_lock);
	limit = slot_limit;
	g_mutex_unlock(&slot_lock);
	return limit;
}

gchar *
vf_auth_password_hash(const gchar *password, GError **error)
{
	gchar out[crypto_pwhash_STRBYTES];
	int rc;

	g_return_val_if_fail(password != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	assert_not_main_loop();
	if (!ensure_init(error))
		return NULL;
	slot_acquire();
	rc = crypto_pwhash_str(out, password, strlen(password), OPSLIMIT, MEMLIMIT);
	slot_release();
	if (rc != 0) {
		g_set_error_literal(
		    error, VF_ERROR, VF_ERROR_INTERNAL, "cannot hash the password (out of memory)");
		return NULL;
	}
	return g_strdup(out);
}

static gboolean
is_argon2(const gchar *hash)
{
	return g_str_has_prefix(hash, "$argon2id$") || g_str_has_prefix(hash, "$argon2i$");
}

/* verify against hash, or against the dummy hash (with FALSE as the answer) when
 * hash is no argon2 string, so every call costs one verify */
static gboolean
verify_in_slot(const gchar *hash, const gchar *password)
{
	/* the prototype declares char[crypto_pwhash_STRBYTES]: pass a buffer that size */
	gchar buffer[crypto_pwhash_STRBYTES] = {0};
	gboolean usable = hash != NULL && is_argon2(hash) && strlen(hash) < sizeof(buffer);
	int rc;

	if (password == NULL)
		password = "";
	memcpy(buffer, usable ? hash : dummy_hash, strlen(usable ? hash : dummy_hash));
	slot_acquire();
	rc = crypto_pwhash_str_verify(buffer, password, strlen(password));
	slot_release();
	return usable && rc == 0;
}

gboolean
vf_auth_password_verify(const gchar *hash, const gchar *password)
{
	g_autoptr(GError) error = NULL;

	assert_not_main_loop();
	if (!ensure_init(&error)) {
		g_warning("%s", error->message);
		return FALSE;
	}
	return verify_in_slot(hash, password);
}

void
vf_auth_password_verify_dummy(const gchar *password)
{
	g_autoptr(GError) error = NULL;

	assert_not_main_loop();
	if (!ensure_init(&error)) {
		g_warning("%s", error->message);
		return;
	}
	(void)verify_in_slot(NULL, password);
}

gboolean
vf_auth_password_needs_rehash(const gchar *hash)
{
	gchar buffer[crypto_pwhash_STRBYTES] = {0};

	if (hash == NULL || !g_str_has_prefix(hash, "$argon2id$") || strlen(hash) >= sizeof(buffer))
		return TRUE;
	memcpy(buffer, hash, strlen(hash));
	/* 0 = same limits, 1 = different limits, -1 = not parseable */
	return crypto_pwhash_str_needs_rehash(buffer, OPSLIMIT, MEMLIMIT) != 0;
}
