#include <stddef.h>

#include "sqldb.h"

int
td_sqldb_code(int rc)
{
	if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
		return TD_ENOTFOUND;
	switch (rc & 0xff) {
	case SQLITE_NOMEM:
		return TD_ENOMEM;
	case SQLITE_TOOBIG:
		return TD_ELIMIT;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return TD_EPARSE;
	case SQLITE_CONSTRAINT:
	case SQLITE_MISMATCH:
	case SQLITE_RANGE:
		return TD_EINVAL;
	}
	return TD_EIO;
}

int
td_sqldb_error(sqlite3 *db, const char *path, struct td_error *err, int rc,
	       const char *what)
{
	const char *why = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);

	if (!why || !*why)
		why = sqlite3_errstr(rc);
	if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
		why = "the case, party or row it refers to does not exist";
	return td_error_set(err, td_sqldb_code(rc), "%s: %s: %s", path, what,
			    why);
}

int
td_sqldb_int(sqlite3 *db, const char *path, const char *sql, long long *val,
	     const char *what, struct td_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*val = sqlite3_column_int64(st, 0);
			rc = SQLITE_OK;
		}
	}
	if (rc != SQLITE_OK)
		rc = td_sqldb_error(db, path, err, rc, what);
	sqlite3_finalize(st);
	return rc;
}

int
td_sqldb_exec(sqlite3 *db, const char *path, const char *sql,
	      const char *what, struct td_error *err)
{
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : td_sqldb_error(db, path, err, rc, what);
}

/* Bring an older file of ours to sc->version, under the write lock. */
static int
upgrade(sqlite3 *db, const char *path, const struct td_sqldb_schema *sc,
	struct td_error *err)
{
	long long version;
	int rc, n;

	for (n = 0; sc->upgrades && sc->upgrades[n]; n++)
		;
	rc = td_sqldb_exec(db, path, "BEGIN IMMEDIATE", "cannot lock", err);
	if (rc)
		return rc;
	/* look again: another process may have upgraded it meanwhile */
	rc = td_sqldb_int(db, path, "PRAGMA user_version", &version,
			  "cannot read schema version", err);
	while (!rc && version < sc->version) {
		if (version < 1 || version - 1 >= n) {
			rc = td_error_set(err, TD_EINVAL,
					  "%s: %s schema version %lld cannot "
					  "be brought up to %d",
					  path, sc->name, version,
					  sc->version);
			break;
		}
		rc = td_sqldb_exec(db, path, sc->upgrades[version - 1],
				   "cannot upgrade the schema", err);
		if (!rc)
			rc = td_sqldb_int(db, path, "PRAGMA user_version",
					  &version,
					  "cannot read schema version", err);
	}
	if (!rc)
		rc = td_sqldb_exec(db, path, "COMMIT",
				   "cannot commit the upgrade", err);
	if (rc)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int
td_sqldb_check_schema(sqlite3 *db, const char *path,
		      const struct td_sqldb_schema *sc, struct td_error *err)
{
	long long version, app = 0, objects = 0;
	int rc;

	rc = td_sqldb_int(db, path, "PRAGMA user_version", &version,
			  "cannot read schema version", err);
	if (rc)
		return rc;
	if (version > sc->version)
		return td_error_set(err, TD_EINVAL,
				    "%s: %s schema version %lld is newer "
				    "than this takedown's (%d)",
				    path, sc->name, version, sc->version);
	if (version == 0) {
		/*
		 * Take the write lock, then look again: another process
		 * may have written the schema meanwhile.
		 */
		rc = td_sqldb_exec(db, path, "BEGIN IMMEDIATE", "cannot lock",
				   err);
		if (rc)
			return rc;
		rc = td_sqldb_int(db, path, "PRAGMA user_version", &version,
				  "cannot read schema version", err);
		if (!rc && version == 0)
			rc = td_sqldb_int(db, path,
					  "SELECT count(*) FROM sqlite_master",
					  &objects, "cannot read schema", err);
		if (!rc && version == 0 && objects)
			version = -1; /* someone else's database */
		if (!rc && version == 0)
			rc = td_sqldb_exec(db, path, sc->sql,
					   "cannot write schema", err);
		if (!rc)
			rc = td_sqldb_exec(db, path, "COMMIT",
					   "cannot commit schema", err);
		if (rc) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			return rc;
		}
		if (version == 0)
			return 0;
	}
	rc = td_sqldb_int(db, path, "PRAGMA application_id", &app,
			  "cannot read application id", err);
	if (rc)
		return rc;
	if (version < 1 || app != sc->app_id)
		return td_error_set(err, TD_EINVAL,
				    "%s: an SQLite database but not a "
				    "takedown %s",
				    path, sc->name);
	if (version < sc->version)
		return upgrade(db, path, sc, err);
	return 0;
}
