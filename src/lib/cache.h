#ifndef TD_CACHE_H
#define TD_CACHE_H

#include <stddef.h>

#include "err.h"

/*
 * The persistent lookup cache: one SQLite file that keeps raw answers
 * (DNS messages, RDAP JSON, WHOIS text) with the time they stop being
 * valid, so that a second `takedown lookup` inside their lifetime asks no
 * server.  Schema, keys and the expiry rule: docs/internals/cache.md.
 *
 * - Times are UTC seconds.  An entry is fresh while now < expires; at
 *   now == expires it is stale (so a TTL of 0 is never served).
 * - Bodies are opaque bytes (NULs allowed), at most TD_CACHE_MAX_BODY.
 * - A handle is for one thread.  Several processes may share a file: it
 *   runs in WAL mode (readers never wait for a writer) and a writer waits
 *   up to TD_CACHE_BUSY_MS for another writer before giving up.
 * - Every function that can fail takes a struct td_error *err (may be
 *   NULL) last and fills it with a one-line message naming the file.
 *   A failed cache call never leaves the handle unusable; the caller can
 *   go on without the cache.
 */

/* Largest body stored; a bigger one is refused with TD_ELIMIT. */
#define TD_CACHE_MAX_BODY (8u * 1024 * 1024)
/* Longest key and server name, in bytes; longer is TD_ELIMIT. */
#define TD_CACHE_MAX_KEY 8192
/* Default wait for a lock held by another process, in milliseconds. */
#define TD_CACHE_BUSY_MS 5000

struct td_cache;

/*
 * One cached answer, filled by td_cache_get() and td_cache_net_get().
 * server and body are malloc'ed and owned by the entry; body holds len
 * bytes plus a NUL after them (so text can be read as a string), and is
 * never NULL once filled.  server is NULL when none was stored.  when is
 * the time the answer came, expires the first second it is stale; code is
 * the caller's status (HTTP status for RDAP, DNS rcode...; 0 for network
 * entries, which have none).
 */
struct td_cache_entry {
	char *server;
	char *body;
	size_t len;
	long long when;
	long long expires;
	long code;
};

/*
 * Open the cache at path, creating it (and missing parent folders, mode
 * 0700; the file itself 0600) when absent.  The file is put in WAL mode
 * with a TD_CACHE_BUSY_MS busy timeout and carries its schema version in
 * PRAGMA user_version and a takedown mark in PRAGMA application_id.
 *
 * Returns 0 and a handle in *out (free it with td_cache_close()), or:
 * TD_EINVAL for a file of a newer schema version, or an SQLite file that
 * is not a takedown cache; TD_EPARSE for a file that is not an SQLite
 * database or is corrupt; TD_EIO for a folder or file that cannot be
 * created, a read-only file, or a lock held past the busy timeout;
 * TD_ENOMEM.  *out is NULL on failure.
 */
int td_cache_open(struct td_cache **out, const char *path,
		  struct td_error *err);

/*
 * Close c, rolling back a transaction left open, and free it.  Accepts
 * NULL.
 */
void td_cache_close(struct td_cache *c);

/*
 * Wait at most ms milliseconds (0: not at all) for a lock held by another
 * connection, instead of TD_CACHE_BUSY_MS.
 */
void td_cache_busy_timeout(struct td_cache *c, int ms);

/*
 * Look up the answer to a question.  kind is "dns", "rdap" or "whois";
 * key is the exact question, compared byte for byte (the caller
 * normalises: "A www.example.com", the RDAP URL, "whois.verisign-grs.com:43
 * example.com").
 *
 * Returns 0 with out filled when a fresh answer is stored, 1 when none is
 * (absent or stale at now), or a negative code (TD_EINVAL for an unknown
 * kind or empty key, TD_EIO, TD_EPARSE for a corrupt file, TD_ENOMEM).
 * out is zeroed unless 0 is returned; free what it holds with
 * td_cache_entry_release() (safe in every case).
 */
int td_cache_get(struct td_cache *c, const char *kind, const char *key,
		 long long now, struct td_cache_entry *out,
		 struct td_error *err);

/*
 * Store the answer to the question (kind, key): body[0..len) (body may be
 * NULL when len is 0) from server (may be NULL), with status code, which
 * came at when and is stale from expires on.  An answer already stored
 * for the question is replaced, unless it came later than this one (the
 * newest answer wins when processes race).  Everything is copied.
 *
 * Returns 0, TD_ELIMIT for a body over TD_CACHE_MAX_BODY or a key or
 * server over TD_CACHE_MAX_KEY, TD_EINVAL (unknown kind, empty key,
 * expires before when), TD_EIO (read-only, locked, disk full...),
 * TD_EPARSE or TD_ENOMEM.
 */
int td_cache_put(struct td_cache *c, const char *kind, const char *key,
		 const char *server, const void *body, size_t len, long code,
		 long long when, long long expires, struct td_error *err);

/* Free what e holds and zero it.  Accepts a zeroed entry. */
void td_cache_entry_release(struct td_cache_entry *e);

/*
 * Store an IP network answer with the address range it covers, so that
 * any address inside it is answered from the cache.  first and last are
 * the bounds as text, both IPv4 or both IPv6 ("192.0.2.0", "192.0.2.255";
 * "2001:db8::", "2001:db8::ffff:ffff:ffff:ffff:ffff:ffff"), first <= last.
 * kind is "rdap" or "whois".  One answer is kept per (range, kind): a put
 * replaces it unless the stored one came later.  Other arguments and
 * returns as td_cache_put(); TD_EINVAL also for a bound that is not an
 * address, mixed families or first > last.
 */
int td_cache_net_put(struct td_cache *c, const char *first, const char *last,
		     const char *kind, const char *server, const void *body,
		     size_t len, long long when, long long expires,
		     struct td_error *err);

/*
 * Find the network answer for the address ip (IPv4 or IPv6 text): among
 * the ranges holding ip that are fresh at now, the narrowest; between
 * equal ranges, the one that came last.
 *
 * Returns 0 with out filled and, when kind is not NULL, *kind set to a
 * malloc'ed copy of its kind ("rdap" or "whois"; the caller frees it);
 * 1 when no fresh range holds ip; or a negative code (TD_EINVAL when ip
 * is not an address, others as td_cache_get()).  Unless 0 is returned,
 * out is zeroed and *kind is NULL.
 */
int td_cache_net_get(struct td_cache *c, const char *ip, long long now,
		     struct td_cache_entry *out, char **kind,
		     struct td_error *err);

/*
 * Delete the answers and networks that are stale at now.  Returns the
 * number of rows removed, or a negative code.
 */
long td_cache_prune(struct td_cache *c, long long now, struct td_error *err);

/*
 * Group the calls between td_cache_begin() and td_cache_commit() into one
 * transaction: one disk sync for a batch of puts, and other processes see
 * all of them or none.  begin takes the write lock at once (waiting up to
 * the busy timeout).  td_cache_rollback() drops what the transaction did.
 * A commit that fails rolls back, so the handle is out of the transaction
 * whatever commit returns.
 *
 * Return 0, TD_EINVAL (begin inside a transaction, commit or rollback
 * outside one), TD_EIO (locked, read-only, disk full...) or TD_ENOMEM.
 */
int td_cache_begin(struct td_cache *c, struct td_error *err);
int td_cache_commit(struct td_cache *c, struct td_error *err);
int td_cache_rollback(struct td_cache *c, struct td_error *err);

#endif
