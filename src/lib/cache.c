/*
 * The persistent lookup cache (cache.h) on SQLite.  Schema, keys and the
 * expiry rule: docs/internals/cache.md.  Every statement is prepared once
 * in td_cache_open() and every value is bound as a parameter; the only
 * SQL text run directly is the fixed schema below.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "paths.h"
#include "sqldb.h"
#include "cache.h"
#include "banned.h"

/* PRAGMA user_version of the schema written here. */
#define SCHEMA_VERSION 1
/* PRAGMA application_id: 0x74644361 "tdCa", marks a takedown cache. */
#define APPLICATION_ID 1952727905
#define STR_(x) #x
#define STR(x) STR_(x)
/* Longest string or blob SQLite may hand back or take for this handle. */
#define SQL_MAX_LENGTH (2 * TD_CACHE_MAX_BODY)

/* clang-format off */
static const char schema_sql[] =
    "CREATE TABLE answer ("
    " kind TEXT NOT NULL,"
    " question TEXT NOT NULL,"
    " server TEXT,"
    " body BLOB NOT NULL,"
    " code INTEGER NOT NULL,"
    " fetched INTEGER NOT NULL,"
    " expires INTEGER NOT NULL,"
    " PRIMARY KEY (kind, question));"
    "CREATE TABLE net ("
    " first_addr BLOB NOT NULL CHECK (length(first_addr) = 16),"
    " last_addr BLOB NOT NULL CHECK (length(last_addr) = 16),"
    " span BLOB NOT NULL CHECK (length(span) = 16),"
    " kind TEXT NOT NULL,"
    " server TEXT,"
    " body BLOB NOT NULL,"
    " fetched INTEGER NOT NULL,"
    " expires INTEGER NOT NULL);"
    "CREATE UNIQUE INDEX net_range ON net (first_addr, last_addr, kind);"
    "PRAGMA application_id = " STR(APPLICATION_ID) ";"
    "PRAGMA user_version = " STR(SCHEMA_VERSION) ";";
/* clang-format on */

enum {
	ST_GET,
	ST_PUT,
	ST_NET_GET,
	ST_NET_PUT,
	ST_PRUNE_ANSWER,
	ST_PRUNE_NET,
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_NR
};

static const char *const statement_sql[ST_NR] = {
    [ST_GET] = "SELECT server, body, fetched, expires, code FROM answer"
	       " WHERE kind = ?1 AND question = ?2 AND expires > ?3",
    [ST_PUT] = "INSERT INTO answer"
	       " (kind, question, server, body, code, fetched, expires)"
	       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
	       " ON CONFLICT (kind, question) DO UPDATE SET"
	       " server = excluded.server, body = excluded.body,"
	       " code = excluded.code, fetched = excluded.fetched,"
	       " expires = excluded.expires"
	       " WHERE excluded.fetched >= answer.fetched",
    [ST_NET_GET] = "SELECT kind, server, body, fetched, expires FROM net"
		   " WHERE first_addr <= ?1 AND last_addr >= ?1"
		   " AND expires > ?2"
		   " ORDER BY span, fetched DESC LIMIT 1",
    [ST_NET_PUT] = "INSERT INTO net (first_addr, last_addr, span, kind,"
		   " server, body, fetched, expires)"
		   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
		   " ON CONFLICT (first_addr, last_addr, kind) DO UPDATE SET"
		   " server = excluded.server, body = excluded.body,"
		   " fetched = excluded.fetched, expires = excluded.expires"
		   " WHERE excluded.fetched >= net.fetched",
    [ST_PRUNE_ANSWER] = "DELETE FROM answer WHERE expires <= ?1",
    [ST_PRUNE_NET] = "DELETE FROM net WHERE expires <= ?1",
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
};

struct td_cache {
	sqlite3 *db;
	sqlite3_stmt *st[ST_NR];
	char *path;
};

/* ---- errors ---- */


/*
 * Turn the SQLite result rc of the last call on c->db into a TD_E code and
 * a message "path: what: sqlite's reason".  Call it before resetting the
 * statement, which may change the connection's message.
 */
static int
db_error(const struct td_cache *c, struct td_error *err, int rc,
	 const char *what)
{
	return td_sqldb_error(c->db, c->path, err, rc, what);
}

/* Rewind st for the next use, dropping the bound (borrowed) values. */
static void
done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* ---- arguments ---- */

static int
answer_kind(const char *kind)
{
	return kind && (!strcmp(kind, "dns") || !strcmp(kind, "rdap") ||
			!strcmp(kind, "whois"));
}

static int
net_kind(const char *kind)
{
	return kind && (!strcmp(kind, "rdap") || !strcmp(kind, "whois"));
}

/*
 * Checks shared by both puts.  Returns 0 or TD_EINVAL/TD_ELIMIT with err
 * set; what names the answer in messages.
 */
static int
check_put(const struct td_cache *c, const char *what, const char *server,
	  const void *body, size_t len, long long when, long long expires,
	  struct td_error *err)
{
	if (!body && len)
		return td_error_set(err, TD_EINVAL, "%s: %s: no body", c->path,
				    what);
	if (len > TD_CACHE_MAX_BODY)
		return td_error_set(err, TD_ELIMIT,
				    "%s: %s: body of %zu bytes is over the "
				    "%u-byte limit",
				    c->path, what, len, TD_CACHE_MAX_BODY);
	if (server && strnlen(server, TD_CACHE_MAX_KEY + 1) > TD_CACHE_MAX_KEY)
		return td_error_set(err, TD_ELIMIT,
				    "%s: %s: server name over %d bytes",
				    c->path, what, TD_CACHE_MAX_KEY);
	if (expires < when)
		return td_error_set(err, TD_EINVAL,
				    "%s: %s: expires (%lld) before it came "
				    "(%lld)",
				    c->path, what, expires, when);
	return 0;
}

/*
 * Read an IPv4 or IPv6 address as 16 bytes in network order, IPv4 mapped
 * to ::ffff:a.b.c.d (RFC 4291 2.5.5.2) so that both families sort in one
 * memcmp order.  *family is 4 or 6 after the text form.  Returns 0 or -1.
 */
static int
parse_addr(unsigned char out[16], int *family, const char *s)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (!s)
		return -1;
	if (inet_pton(AF_INET, s, &a4) == 1) {
		memset(out, 0, 10);
		out[10] = 0xff;
		out[11] = 0xff;
		memcpy(out + 12, &a4, 4);
		*family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a6) == 1) {
		memcpy(out, &a6, 16);
		*family = 6;
		return 0;
	}
	return -1;
}

/* out = hi - lo, as 128-bit big-endian numbers (hi >= lo). */
static void
span_of(unsigned char out[16], const unsigned char lo[16],
	const unsigned char hi[16])
{
	int borrow = 0;
	int i;

	for (i = 15; i >= 0; i--) {
		int d = hi[i] - lo[i] - borrow;

		borrow = d < 0;
		out[i] = (unsigned char)(borrow ? d + 256 : d);
	}
}

/* Bind text, or NULL for a NULL pointer (borrowed until done()). */
static int
bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (!s)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

/* Bind a blob, a zero-length blob (not NULL) when len is 0. */
static int
bind_blob(sqlite3_stmt *st, int i, const void *p, size_t len)
{
	if (!len)
		return sqlite3_bind_zeroblob(st, i, 0);
	return sqlite3_bind_blob64(st, i, p, (sqlite3_uint64)len,
				   SQLITE_STATIC);
}

/* ---- reading rows ---- */

static char *
column_dup(sqlite3_stmt *st, int i, size_t *len_out)
{
	const void *p;
	size_t len;
	char *s;

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	p = sqlite3_column_blob(st, i);
	len = (size_t)sqlite3_column_bytes(st, i);
	if (!p && len)
		return NULL;
	s = malloc(len + 1);
	if (!s)
		return NULL;
	if (len)
		memcpy(s, p, len);
	s[len] = '\0';
	if (len_out)
		*len_out = len;
	return s;
}

/*
 * Fill out from the current row: server, body, fetched and expires at
 * columns col..col+3 (code, when there is one, is the caller's).  Returns 0 or
 * a negative code with err set.
 */
static int
read_entry(const struct td_cache *c, sqlite3_stmt *st, int col,
	   struct td_cache_entry *out, struct td_error *err)
{
	int body_col = col + 1;

	if (sqlite3_column_type(st, col) != SQLITE_NULL) {
		out->server = column_dup(st, col, NULL);
		if (!out->server)
			goto nomem;
	}
	if (sqlite3_column_type(st, body_col) == SQLITE_NULL ||
	    (size_t)sqlite3_column_bytes(st, body_col) > TD_CACHE_MAX_BODY)
		return td_error_set(err, TD_EPARSE,
				    "%s: stored body missing or over the "
				    "%u-byte limit",
				    c->path, TD_CACHE_MAX_BODY);
	out->body = column_dup(st, body_col, &out->len);
	if (!out->body)
		goto nomem;
	out->when = sqlite3_column_int64(st, col + 2);
	out->expires = sqlite3_column_int64(st, col + 3);
	return 0;
nomem:
	return td_error_set(err, TD_ENOMEM, "%s: out of memory", c->path);
}

/* ---- opening ---- */

/* Run a statement that returns one integer (a PRAGMA), into *val. */
static int
query_int(struct td_cache *c, const char *sql, long long *val, const char *what,
	  struct td_error *err)
{
	return td_sqldb_int(c->db, c->path, sql, val, what, err);
}

/* Run fixed SQL text (never built from input).  Returns 0 or an error. */
static int
exec_fixed(struct td_cache *c, const char *sql, const char *what,
	   struct td_error *err)
{
	return td_sqldb_exec(c->db, c->path, sql, what, err);
}

/* Check the file is ours, writing the schema into a new one. */
static int
check_schema(struct td_cache *c, struct td_error *err)
{
	static const struct td_sqldb_schema sc = {
	    SCHEMA_VERSION, APPLICATION_ID, schema_sql, "cache", NULL};

	return td_sqldb_check_schema(c->db, c->path, &sc, err);
}

static int
prepare_all(struct td_cache *c, struct td_error *err)
{
	int i, rc;

	for (i = 0; i < ST_NR; i++) {
		rc = sqlite3_prepare_v3(c->db, statement_sql[i], -1,
					SQLITE_PREPARE_PERSISTENT, &c->st[i],
					NULL);
		if (rc != SQLITE_OK) {
			int code = td_sqldb_code(rc);

			/* a marked file without our tables is damaged */
			if ((rc & 0xff) == SQLITE_ERROR)
				code = TD_EPARSE;
			return td_error_set(err, code,
					    "%s: not a usable cache: %s",
					    c->path, sqlite3_errmsg(c->db));
		}
	}
	return 0;
}

int
td_cache_open(struct td_cache **out, const char *path, struct td_error *err)
{
	struct td_cache *c = NULL;
	long long dummy;
	int rc;

	if (!out)
		return td_error_set(err, TD_EINVAL, "cache: no handle");
	*out = NULL;
	if (!path || !*path)
		return td_error_set(err, TD_EINVAL, "cache: empty path");
	c = calloc(1, sizeof(*c));
	if (!c || !(c->path = td_strndup(path, strlen(path)))) {
		rc = td_error_set(err, TD_ENOMEM, "%s: out of memory", path);
		goto fail;
	}
	rc = td_make_private_file(path, err);
	if (rc)
		goto fail;

	rc = sqlite3_open_v2(path, &c->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				 SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc != SQLITE_OK) {
		rc = c->db ? db_error(c, err, rc, "cannot open")
			   : td_error_set(err, TD_ENOMEM, "%s: out of memory",
					  path);
		goto fail;
	}
	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_busy_timeout(c->db, TD_CACHE_BUSY_MS);
	sqlite3_limit(c->db, SQLITE_LIMIT_LENGTH, SQL_MAX_LENGTH);
	sqlite3_db_config(c->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(c->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	if (sqlite3_db_readonly(c->db, "main") == 1) {
		rc = td_error_set(err, TD_EIO, "%s: read-only", path);
		goto fail;
	}

	/* The first read: a file that is not SQLite fails here. */
	rc = query_int(c, "PRAGMA user_version", &dummy,
		       "cannot read schema version", err);
	if (rc)
		goto fail;
	/*
	 * Readers never wait for the writer; NORMAL is safe with WAL and
	 * only risks the last commits on power loss, fine for a cache.
	 */
	rc = exec_fixed(c, "PRAGMA journal_mode = WAL", "cannot set WAL mode",
			err);
	if (!rc)
		rc = exec_fixed(c, "PRAGMA synchronous = NORMAL",
				"cannot set synchronous mode", err);
	if (!rc)
		rc = check_schema(c, err);
	if (!rc)
		rc = prepare_all(c, err);
	if (rc)
		goto fail;
	*out = c;
	return 0;
fail:
	td_cache_close(c);
	return rc;
}

void
td_cache_close(struct td_cache *c)
{
	int i;

	if (!c)
		return;
	for (i = 0; i < ST_NR; i++)
		sqlite3_finalize(c->st[i]);
	/* closing rolls back an open transaction */
	sqlite3_close_v2(c->db);
	free(c->path);
	free(c);
}

void
td_cache_busy_timeout(struct td_cache *c, int ms)
{
	sqlite3_busy_timeout(c->db, ms < 0 ? 0 : ms);
}

void
td_cache_entry_release(struct td_cache_entry *e)
{
	if (!e)
		return;
	free(e->server);
	free(e->body);
	memset(e, 0, sizeof(*e));
}

/* ---- answers ---- */

int
td_cache_get(struct td_cache *c, const char *kind, const char *key,
	     long long now, struct td_cache_entry *out, struct td_error *err)
{
	sqlite3_stmt *st = c->st[ST_GET];
	int rc;

	memset(out, 0, sizeof(*out));
	if (!answer_kind(kind))
		return td_error_set(err, TD_EINVAL,
				    "%s: unknown answer kind \"%s\"", c->path,
				    kind ? kind : "(null)");
	if (!key || !*key)
		return td_error_set(err, TD_EINVAL, "%s: empty %s question",
				    c->path, kind);

	rc = bind_text(st, 1, kind);
	if (rc == SQLITE_OK)
		rc = bind_text(st, 2, key);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 3, now);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		/* columns: server, body, fetched, expires, code */
		rc = read_entry(c, st, 0, out, err);
		out->code = (long)sqlite3_column_int64(st, 4);
	} else if (rc == SQLITE_DONE) {
		rc = 1;
	} else {
		rc = db_error(c, err, rc, "cannot read answer");
	}
	done(st);
	if (rc < 0)
		td_cache_entry_release(out);
	return rc;
}

int
td_cache_put(struct td_cache *c, const char *kind, const char *key,
	     const char *server, const void *body, size_t len, long code,
	     long long when, long long expires, struct td_error *err)
{
	sqlite3_stmt *st = c->st[ST_PUT];
	int rc;

	if (!answer_kind(kind))
		return td_error_set(err, TD_EINVAL,
				    "%s: unknown answer kind \"%s\"", c->path,
				    kind ? kind : "(null)");
	if (!key || !*key)
		return td_error_set(err, TD_EINVAL, "%s: empty %s question",
				    c->path, kind);
	if (strnlen(key, TD_CACHE_MAX_KEY + 1) > TD_CACHE_MAX_KEY)
		return td_error_set(err, TD_ELIMIT,
				    "%s: %s question over %d bytes", c->path,
				    kind, TD_CACHE_MAX_KEY);
	rc = check_put(c, key, server, body, len, when, expires, err);
	if (rc)
		return rc;

	rc = bind_text(st, 1, kind);
	if (rc == SQLITE_OK)
		rc = bind_text(st, 2, key);
	if (rc == SQLITE_OK)
		rc = bind_text(st, 3, server);
	if (rc == SQLITE_OK)
		rc = bind_blob(st, 4, body, len);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 5, code);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 6, when);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 7, expires);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		rc = db_error(c, err, rc, "cannot store answer");
	else
		rc = 0;
	done(st);
	return rc;
}

/* ---- networks ---- */

int
td_cache_net_put(struct td_cache *c, const char *first, const char *last,
		 const char *kind, const char *server, const void *body,
		 size_t len, long long when, long long expires,
		 struct td_error *err)
{
	sqlite3_stmt *st = c->st[ST_NET_PUT];
	unsigned char lo[16], hi[16], span[16];
	char what[2 * INET6_ADDRSTRLEN + 16];
	int flo, fhi, rc;

	if (!net_kind(kind))
		return td_error_set(err, TD_EINVAL,
				    "%s: unknown network answer kind \"%s\"",
				    c->path, kind ? kind : "(null)");
	if (parse_addr(lo, &flo, first) || parse_addr(hi, &fhi, last))
		return td_error_set(
		    err, TD_EINVAL, "%s: network %s - %s: not an IP address",
		    c->path, first ? first : "(null)", last ? last : "(null)");
	if (flo != fhi)
		return td_error_set(err, TD_EINVAL,
				    "%s: network %s - %s: mixed IPv4 and IPv6",
				    c->path, first, last);
	if (memcmp(lo, hi, 16) > 0)
		return td_error_set(err, TD_EINVAL,
				    "%s: network %s - %s: first after last",
				    c->path, first, last);
	snprintf(what, sizeof(what), "network %s - %s", first, last);
	rc = check_put(c, what, server, body, len, when, expires, err);
	if (rc)
		return rc;
	span_of(span, lo, hi);

	rc = sqlite3_bind_blob(st, 1, lo, 16, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_blob(st, 2, hi, 16, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_blob(st, 3, span, 16, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = bind_text(st, 4, kind);
	if (rc == SQLITE_OK)
		rc = bind_text(st, 5, server);
	if (rc == SQLITE_OK)
		rc = bind_blob(st, 6, body, len);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 7, when);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 8, expires);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		rc = db_error(c, err, rc, "cannot store network");
	else
		rc = 0;
	done(st);
	return rc;
}

int
td_cache_net_get(struct td_cache *c, const char *ip, long long now,
		 struct td_cache_entry *out, char **kind, struct td_error *err)
{
	sqlite3_stmt *st = c->st[ST_NET_GET];
	unsigned char addr[16];
	int family, rc;

	memset(out, 0, sizeof(*out));
	if (kind)
		*kind = NULL;
	if (parse_addr(addr, &family, ip))
		return td_error_set(err, TD_EINVAL,
				    "%s: \"%s\": not an IP address", c->path,
				    ip ? ip : "(null)");

	rc = sqlite3_bind_blob(st, 1, addr, 16, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 2, now);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		/* columns: kind, server, body, fetched, expires */
		rc = read_entry(c, st, 1, out, err);
		if (!rc && kind) {
			*kind = column_dup(st, 0, NULL);
			if (!*kind)
				rc = td_error_set(err, TD_ENOMEM,
						  "%s: out of memory", c->path);
		}
	} else if (rc == SQLITE_DONE) {
		rc = 1;
	} else {
		rc = db_error(c, err, rc, "cannot read network");
	}
	done(st);
	if (rc < 0)
		td_cache_entry_release(out);
	return rc;
}

/* ---- upkeep ---- */

long
td_cache_prune(struct td_cache *c, long long now, struct td_error *err)
{
	static const int which[] = {ST_PRUNE_ANSWER, ST_PRUNE_NET};
	long removed = 0;
	size_t i;

	for (i = 0; i < sizeof(which) / sizeof(which[0]); i++) {
		sqlite3_stmt *st = c->st[which[i]];
		int rc = sqlite3_bind_int64(st, 1, now);

		if (rc == SQLITE_OK)
			rc = sqlite3_step(st);
		if (rc != SQLITE_DONE) {
			rc = db_error(c, err, rc, "cannot prune");
			done(st);
			return rc;
		}
		removed += sqlite3_changes(c->db);
		done(st);
	}
	return removed;
}

static int
run(struct td_cache *c, int which, const char *what, struct td_error *err)
{
	sqlite3_stmt *st = c->st[which];
	int rc = sqlite3_step(st);

	rc = rc == SQLITE_DONE ? 0 : db_error(c, err, rc, what);
	done(st);
	return rc;
}

int
td_cache_begin(struct td_cache *c, struct td_error *err)
{
	if (!sqlite3_get_autocommit(c->db))
		return td_error_set(err, TD_EINVAL,
				    "%s: a transaction is already open",
				    c->path);
	return run(c, ST_BEGIN, "cannot begin transaction", err);
}

int
td_cache_commit(struct td_cache *c, struct td_error *err)
{
	int rc;

	if (sqlite3_get_autocommit(c->db))
		return td_error_set(err, TD_EINVAL, "%s: no transaction open",
				    c->path);
	rc = run(c, ST_COMMIT, "cannot commit", err);
	if (rc && !sqlite3_get_autocommit(c->db))
		run(c, ST_ROLLBACK, "cannot roll back", NULL);
	return rc;
}

int
td_cache_rollback(struct td_cache *c, struct td_error *err)
{
	if (sqlite3_get_autocommit(c->db))
		return td_error_set(err, TD_EINVAL, "%s: no transaction open",
				    c->path);
	return run(c, ST_ROLLBACK, "cannot roll back", err);
}
