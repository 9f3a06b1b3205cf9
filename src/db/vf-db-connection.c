/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One pooled libpq connection, used by one worker thread at a time between acquire and
 * release. Turns libpq failures into VF_ERROR (UNAVAILABLE when the server is gone,
 * INTERNAL otherwise) and remembers whether the connection can be reused.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>

#include "vf-db-private.h"
#include "vf-error.h"

struct _VfDbConnection {
	PGconn *pgconn;
	VfDbPool *pool;		/* a reference while checked out, else NULL */
	gchar *last_sqlstate;	/* of the last failed statement */
	gchar *last_constraint; /* the constraint it violated, if any */
	gboolean broken;	/* lost or in an unknown state: close on release */
};

static void
clear_last(VfDbConnection *self)
{
	g_clear_pointer(&self->last_sqlstate, g_free);
	g_clear_pointer(&self->last_constraint, g_free);
}

VfDbConnection *
vf_db_connection_new(PGconn *pgconn)
{
	VfDbConnection *self = g_new0(VfDbConnection, 1);
	self->pgconn = pgconn;
	self->broken = pgconn == NULL || PQstatus(pgconn) != CONNECTION_OK;
	return self;
}

void
vf_db_connection_free(VfDbConnection *self)
{
	if (self == NULL)
		return;
	g_clear_pointer(&self->pgconn, PQfinish);
	g_clear_object(&self->pool);
	clear_last(self);
	g_free(self);
}

void
vf_db_connection_set_pool(VfDbConnection *self, VfDbPool *pool)
{
	g_set_object(&self->pool, pool);
}

VfDbPool *
vf_db_connection_steal_pool(VfDbConnection *self)
{
	return g_steal_pointer(&self->pool);
}

gboolean
vf_db_connection_is_broken(VfDbConnection *self)
{
	return self->broken || self->pgconn == NULL || PQstatus(self->pgconn) != CONNECTION_OK;
}

/* libpq's messages span lines ("FATAL:  …\nserver closed …\n\tThis probably …"):
 * one line for a GError */
gchar *
vf_db_tidy_message(const gchar *message)
{
	GString *out = g_string_new(NULL);
	gboolean space = FALSE;

	for (const gchar *p = message != NULL ? message : ""; *p != '\0'; p++) {
		if (g_ascii_isspace(*p)) {
			space = TRUE;
			continue;
		}
		if (space && out->len > 0)
			g_string_append_c(out, ' ');
		space = FALSE;
		g_string_append_c(out, *p);
	}
	if (out->len == 0)
		g_string_append(out, "unknown error");
	return g_string_free(out, FALSE);
}

/* SQLSTATEs that mean the server or the connection is gone, not the statement */
static gboolean
sqlstate_is_unavailable(const gchar *sqlstate)
{
	if (sqlstate == NULL)
		return FALSE;
	return g_str_has_prefix(sqlstate, "08") ||  /* connection exception */
	       g_strcmp0(sqlstate, "57P01") == 0 || /* admin shutdown */
	       g_strcmp0(sqlstate, "57P02") == 0 || /* crash shutdown */
	       g_strcmp0(sqlstate, "57P03") == 0;   /* cannot connect now (starting up) */
}

static void
set_failure(VfDbConnection *self, PGresult *result, GError **error)
{
	const gchar *sqlstate =
	    result != NULL ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : NULL;
	const gchar *primary =
	    result != NULL ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const gchar *constraint =
	    result != NULL ? PQresultErrorField(result, PG_DIAG_CONSTRAINT_NAME) : NULL;
	g_autofree gchar *tidy = NULL;

	/* only the primary message: DETAIL would quote the row ("Key (email)=(…) already
	 * exists"), and parameters may be tokens or password hashes */
	if (primary != NULL && primary[0] != '\0')
		tidy = vf_db_tidy_message(primary);
	else
		tidy = vf_db_tidy_message(self->pgconn != NULL ? PQerrorMessage(self->pgconn)
							       : "no connection");
	g_free(self->last_sqlstate);
	self->last_sqlstate = g_strdup(sqlstate);
	g_free(self->last_constraint);
	self->last_constraint = g_strdup(constraint);
	if (self->pgconn == NULL || PQstatus(self->pgconn) == CONNECTION_BAD ||
	    sqlstate_is_unavailable(sqlstate))
		self->broken = TRUE;
	if (self->broken) {
		g_debug("connection lost: %s", tidy);
		g_set_error(
		    error, VF_ERROR, VF_ERROR_UNAVAILABLE, "database unavailable: %s", tidy);
		return;
	}
	g_debug("statement failed (SQLSTATE %s): %s", sqlstate != NULL ? sqlstate : "none", tidy);
	g_set_error_literal(error, VF_ERROR, VF_ERROR_INTERNAL, tidy);
}

PGresult *
vf_db_connection_exec(VfDbConnection *self,
		      const gchar *sql,
		      gint n_params,
		      const gchar *const *params,
		      GError **error)
{
	PGresult *result;

	g_return_val_if_fail(self != NULL, NULL);
	g_return_val_if_fail(sql != NULL, NULL);
	g_return_val_if_fail(n_params >= 0, NULL);
	g_return_val_if_fail(n_params == 0 || params != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	clear_last(self);
	if (self->broken || self->pgconn == NULL) {
		g_set_error_literal(
		    error, VF_ERROR, VF_ERROR_UNAVAILABLE, "database unavailable: connection lost");
		return NULL;
	}
	result = PQexecParams(self->pgconn, sql, n_params, NULL, params, NULL, NULL, 0);
	switch (PQresultStatus(result)) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK:
		return result;
	case PGRES_FATAL_ERROR:
	case PGRES_NONFATAL_ERROR:
	case PGRES_BAD_RESPONSE:
		set_failure(self, result, error);
		break;
	case PGRES_EMPTY_QUERY:
		g_set_error_literal(error, VF_ERROR, VF_ERROR_INTERNAL, "empty statement");
		break;
	default:
		/* COPY or pipeline: not something we send; the connection's state is
		 * unknown */
		self->broken = TRUE;
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_INTERNAL,
			    "unexpected result status %s",
			    PQresStatus(PQresultStatus(result)));
		break;
	}
	PQclear(result);
	return NULL;
}

gboolean
vf_db_connection_run(VfDbConnection *self,
		     const gchar *sql,
		     gint n_params,
		     const gchar *const *params,
		     GError **error)
{
	g_autoptr(PGresult) result = vf_db_connection_exec(self, sql, n_params, params, error);
	return result != NULL;
}

gboolean
vf_db_connection_run_script(VfDbConnection *self, const gchar *sql, GError **error)
{
	g_autoptr(PGresult) result = NULL;

	clear_last(self);
	if (self->broken || self->pgconn == NULL) {
		g_set_error_literal(
		    error, VF_ERROR, VF_ERROR_UNAVAILABLE, "database unavailable: connection lost");
		return FALSE;
	}
	result = PQexec(self->pgconn, sql);
	if (PQresultStatus(result) == PGRES_COMMAND_OK || PQresultStatus(result) == PGRES_TUPLES_OK)
		return TRUE;
	set_failure(self, result, error);
	return FALSE;
}

gboolean
vf_db_connection_begin(VfDbConnection *self, GError **error)
{
	return vf_db_connection_run(self, "BEGIN", 0, NULL, error);
}

gboolean
vf_db_connection_commit(VfDbConnection *self, GError **error)
{
	g_autoptr(PGresult) result = vf_db_connection_exec(self, "COMMIT", 0, NULL, error);

	if (result == NULL)
		return FALSE;
	/* COMMIT of a failed transaction "succeeds" with the tag ROLLBACK */
	if (g_strcmp0(PQcmdStatus(result), "COMMIT") != 0) {
		g_set_error(error,
			    VF_ERROR,
			    VF_ERROR_INTERNAL,
			    "transaction was rolled back (%s)",
			    PQcmdStatus(result));
		return FALSE;
	}
	return TRUE;
}

void
vf_db_connection_rollback(VfDbConnection *self)
{
	g_autoptr(PGresult) result = NULL;

	g_return_if_fail(self != NULL);
	if (self->broken || self->pgconn == NULL)
		return;
	result = PQexec(self->pgconn, "ROLLBACK");
	if (PQresultStatus(result) != PGRES_COMMAND_OK)
		self->broken = TRUE;
}

const gchar *
vf_db_connection_get_last_sqlstate(VfDbConnection *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	return self->last_sqlstate;
}

const gchar *
vf_db_connection_get_last_constraint(VfDbConnection *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	return self->last_constraint;
}

PGconn *
vf_db_connection_get_pgconn(VfDbConnection *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	return self->pgconn;
}

gboolean
vf_db_connection_check_idle(VfDbConnection *self)
{
	int fd;

	if (vf_db_connection_is_broken(self))
		return FALSE;
	fd = PQsocket(self->pgconn);
	if (fd < 0)
		return FALSE;
	/* an idle connection has nothing to read unless the server said goodbye
	 * ("terminating connection due to administrator command") or hung up */
	for (guint i = 0; i < 8; i++) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		PGnotify *notify;
		int n = poll(&pfd, 1, 0);

		if (n == 0)
			return TRUE;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			self->broken = TRUE;
			return FALSE;
		}
		if ((pfd.revents & (POLLERR | POLLNVAL)) != 0 || !PQconsumeInput(self->pgconn) ||
		    PQstatus(self->pgconn) != CONNECTION_OK) {
			self->broken = TRUE;
			return FALSE;
		}
		while ((notify = PQnotifies(self->pgconn)) != NULL)
			PQfreemem(notify);
	}
	return !vf_db_connection_is_broken(self);
}

gboolean
vf_db_connection_reset_state(VfDbConnection *self)
{
	clear_last(self);
	if (vf_db_connection_is_broken(self))
		return FALSE;
	switch (PQtransactionStatus(self->pgconn)) {
	case PQTRANS_IDLE:
		return TRUE;
	case PQTRANS_INTRANS:
	case PQTRANS_INERROR:
		/* released inside a transaction (an early return on error): undo it */
		vf_db_connection_rollback(self);
		return !vf_db_connection_is_broken(self) &&
		       PQtransactionStatus(self->pgconn) == PQTRANS_IDLE;
	default:
		return FALSE;
	}
}

void
vf_db_connection_release(VfDbConnection *self)
{
	if (self == NULL)
		return;
	g_return_if_fail(self->pool != NULL);
	vf_db_pool_release(self->pool, self);
}
