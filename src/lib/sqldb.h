#ifndef TD_SQLDB_H
#define TD_SQLDB_H

#include <sqlite3.h>

#include "err.h"

/*
 * What the case store (store.c) and the lookup cache (cache.c) share of
 * SQLite: turning its result codes into TD_E codes with a one-line
 * message naming the file, small fixed queries, and the schema check
 * that marks a file as ours (PRAGMA application_id, user_version).
 */

/* A file kind: its mark, its schema (fixed SQL text setting both
   pragmas), and how messages name it ("case store", "cache"). */
struct td_sqldb_schema {
	int version;
	long long app_id;
	const char *sql;
	const char *name;
	/* NULL, or fixed SQL from each older version to the next, in
	   order (upgrades[0] from 1 to 2), each ending with its own
	   PRAGMA user_version */
	const char *const *upgrades;
};

/* The TD_E code for an SQLite result (extended codes too). */
int td_sqldb_code(int rc);

/*
 * Set err to "path: what: SQLite's reason" for rc, the result of the
 * last call on db (which may be NULL), and return the TD_E code.  Call it
 * before resetting the statement, which may change db's message.
 */
int td_sqldb_error(sqlite3 *db, const char *path, struct td_error *err,
		   int rc, const char *what);

/* Run sql, which returns one integer (a PRAGMA, a count), into *val.
   Returns 0 or a TD_E code with err set. */
int td_sqldb_int(sqlite3 *db, const char *path, const char *sql,
		 long long *val, const char *what, struct td_error *err);

/* Run fixed SQL text (never built from input).  Returns 0 or a code. */
int td_sqldb_exec(sqlite3 *db, const char *path, const char *sql,
		  const char *what, struct td_error *err);

/*
 * Check that db is a file of kind sc, writing the schema into a new
 * (empty) file under the write lock, or bringing an older version of
 * ours up to date with sc->upgrades in one transaction.  Returns 0,
 * TD_EINVAL for a newer version, an older one without an upgrade, or
 * someone else's database, or another TD_E code.
 */
int td_sqldb_check_schema(sqlite3 *db, const char *path,
			  const struct td_sqldb_schema *sc,
			  struct td_error *err);

#endif
