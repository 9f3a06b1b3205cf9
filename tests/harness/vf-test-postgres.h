/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VfTestPostgres: one private PostgreSQL cluster per test program, in a temp dir on a
 * free 127.0.0.1 port (run as `nobody` when the test runs as root), with a fresh
 * database per test. Main thread of the test program; the server dies with the test.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _VfTestPostgres VfTestPostgres;

/* initdb into a fresh temp dir and start the server; asserts on failure */
VfTestPostgres *vf_test_postgres_new(void);
/* stops the server (fast shutdown) and removes the temp dir */
void vf_test_postgres_free(VfTestPostgres *self);

/* creates an empty database with a fresh name (caller frees *name) */
void vf_test_postgres_create_database(VfTestPostgres *self, gchar **name);

/* connection parameters for vf_db_pool_new() / PQconnectdbParams(): NULL-terminated
 * and the same length, connecting to dbname (free both with g_strfreev) */
GStrv vf_test_postgres_dup_keywords(VfTestPostgres *self);
GStrv vf_test_postgres_dup_values(VfTestPostgres *self, const gchar *dbname);
/* a libpq conninfo string ("host=127.0.0.1 port=… user=vf dbname=…") */
gchar *vf_test_postgres_dup_conninfo(VfTestPostgres *self, const gchar *dbname);
const gchar *vf_test_postgres_get_host(VfTestPostgres *self);
guint16 vf_test_postgres_get_port(VfTestPostgres *self);
/* the superuser every test connects as */
const gchar *vf_test_postgres_get_user(VfTestPostgres *self);

/* stop (fast shutdown, waits for exit), start (waits until it accepts connections,
 * same port and data) and restart = stop + start; asserts on failure */
void vf_test_postgres_stop(VfTestPostgres *self);
void vf_test_postgres_start(VfTestPostgres *self);
void vf_test_postgres_restart(VfTestPostgres *self);
gboolean vf_test_postgres_is_running(VfTestPostgres *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VfTestPostgres, vf_test_postgres_free)

G_END_DECLS
