/*
 * cache: answers and networks stored, found, replaced, expired and pruned;
 * persistence across handles; and files the cache must refuse without
 * crashing: corrupt, foreign, newer, read-only, locked.  Every test works
 * in its own mkdtemp() folder, removed at the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cache.h"
#include "err.h"
#include "banned.h"
#include "scratch.h"

/* ---- a temporary folder per test ---- */

static int
setup(void **state)
{
	return scratch_setup(state, "td-cache", "cache.db");
}

static struct td_cache *
open_ok(const char *path)
{
	struct td_cache *c = NULL;
	struct td_error err = {0};
	int rc = td_cache_open(&c, path, &err);

	if (rc)
		print_message("# %s\n", err.msg);
	assert_int_equal(rc, 0);
	assert_non_null(c);
	return c;
}

static void
put_ok(struct td_cache *c, const char *kind, const char *key, const char *body,
       long long when, long long expires)
{
	struct td_error err = {0};
	int rc = td_cache_put(c, kind, key, "server.example", body,
			      strlen(body), 200, when, expires, &err);

	if (rc)
		print_message("# %s\n", err.msg);
	assert_int_equal(rc, 0);
}

static void
net_put_ok(struct td_cache *c, const char *first, const char *last,
	   const char *body, long long when, long long expires)
{
	struct td_error err = {0};
	int rc = td_cache_net_put(c, first, last, "rdap", "rdap.example", body,
				  strlen(body), when, expires, &err);

	if (rc)
		print_message("# %s\n", err.msg);
	assert_int_equal(rc, 0);
}

/* The body of the network answer for ip at now, or "" on a miss. */
static void
assert_net(struct td_cache *c, const char *ip, long long now, const char *want)
{
	struct td_cache_entry e;
	struct td_error err = {0};
	char *kind = NULL;
	int rc = td_cache_net_get(c, ip, now, &e, &kind, &err);

	if (rc < 0)
		print_message("# %s\n", err.msg);
	if (!*want) {
		assert_int_equal(rc, 1);
		assert_null(e.body);
		assert_null(kind);
		return;
	}
	assert_int_equal(rc, 0);
	assert_string_equal(e.body, want);
	assert_string_equal(kind, "rdap");
	free(kind);
	td_cache_entry_release(&e);
}

static void
write_file(const char *path, const void *p, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Run SQL on the file directly, as another program would. */
static void
sqlite_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

/* ---- answers ---- */

static void
cache_put_get_round_trip(void **state)
{
	struct tmp *t = *state;
	struct td_cache *c = open_ok(t->path);
	struct td_cache_entry e;
	struct td_error err = {0};
	static const char json[] = "{\"objectClassName\":\"domain\"}";

	assert_int_equal(td_cache_put(c, "rdap",
				      "https://rdap.example/domain/x.example",
				      "https://rdap.example/", json,
				      strlen(json), 200, 1000, 2000, &err),
			 0);
	assert_int_equal(td_cache_get(c, "rdap",
				      "https://rdap.example/domain/x.example",
				      1500, &e, &err),
			 0);
	assert_string_equal(e.server, "https://rdap.example/");
	assert_int_equal(e.len, strlen(json));
	assert_memory_equal(e.body, json, e.len);
	assert_int_equal(e.body[e.len], '\0');
	assert_int_equal(e.when, 1000);
	assert_int_equal(e.expires, 2000);
	assert_int_equal(e.code, 200);
	td_cache_entry_release(&e);
	assert_null(e.body);

	/* the kind is part of the key; the key is exact */
	assert_int_equal(td_cache_get(c, "whois",
				      "https://rdap.example/domain/x.example",
				      1500, &e, &err),
			 1);
	assert_int_equal(td_cache_get(c, "rdap",
				      "https://rdap.example/domain/X.example",
				      1500, &e, &err),
			 1);
	assert_null(e.body);

	/* no server, an empty body, a DNS rcode (NXDOMAIN) */
	assert_int_equal(td_cache_put(c, "dns", "A gone.example", NULL, NULL, 0,
				      3, 1000, 1300, &err),
			 0);
	assert_int_equal(
	    td_cache_get(c, "dns", "A gone.example", 1000, &e, &err), 0);
	assert_null(e.server);
	assert_non_null(e.body);
	assert_int_equal(e.len, 0);
	assert_int_equal(e.code, 3);
	td_cache_entry_release(&e);
	td_cache_close(c);
}

static void
cache_get_after_expiry_misses(void **state)
{
	struct tmp *t = *state;
	struct td_cache *c = open_ok(t->path);
	struct td_cache_entry e;

	put_ok(c, "dns", "A www.example.com", "answer", 1000, 1300);
	assert_int_equal(
	    td_cache_get(c, "dns", "A www.example.com", 1299, &e, NULL), 0);
	td_cache_entry_release(&e);
	/* stale from expires on, so a TTL of 0 is never served */
	assert_int_equal(
	    td_cache_get(c, "dns", "A www.example.com", 1300, &e, NULL), 1);
	assert_int_equal(
	    td_cache_get(c, "dns", "A www.example.com", 99999, &e, NULL), 1);
	assert_null(e.body);
	put_ok(c, "dns", "A zero.example", "ttl 0", 1000, 1000);
	assert_int_equal(
	    td_cache_get(c, "dns", "A zero.example", 1000, &e, NULL), 1);
	td_cache_close(c);
}

static void
cache_put_replaces_same_key(void **state)
{
	struct tmp *t = *state;
	struct td_cache *c = open_ok(t->path);
	struct td_cache_entry e;

	put_ok(c, "whois", "whois.verisign-grs.com:43 example.com", "first",
	       1000, 5000);
	put_ok(c, "whois", "whois.verisign-grs.com:43 example.com", "second",
	       2000, 3000);
	assert_int_equal(td_cache_get(c, "whois",
				      "whois.verisign-grs.com:43 example.com",
				      2500, &e, NULL),
			 0);
	assert_string_equal(e.body, "second");
	assert_int_equal(e.when, 2000);
	assert_int_equal(e.expires, 3000);
	td_cache_entry_release(&e);

	/* an answer older than the stored one does not replace it */
	put_ok(c, "whois", "whois.verisign-grs.com:43 example.com", "older",
	       1500, 9000);
	assert_int_equal(td_cache_get(c, "whois",
				      "whois.verisign-grs.com:43 example.com",
				      2500, &e, NULL),
			 0);
	assert_string_equal(e.body, "second");
	td_cache_entry_release(&e);
	td_cache_close(c);
}

static void
cache_body_keeps_nul_bytes(void **state)
{
	struct tmp *t = *state;
	struct td_cache *c = open_ok(t->path);
	struct td_cache_entry e;
	static const char text[] = "Domain: x\0hidden\0\0\377tail";
	unsigned char wire[512];
	size_t i;

	assert_int_equal(td_cache_put(c, "whois", "whois.example:43 x", NULL,
				      text, sizeof(text), 0, 10, 20, NULL),
			 0);
	assert_int_equal(
	    td_cache_get(c, "whois", "whois.example:43 x", 10, &e, NULL), 0);
	assert_int_equal(e.len, sizeof(text));
	assert_memory_equal(e.body, text, sizeof(text));
	td_cache_entry_release(&e);

	/* a DNS message: every byte value */
	for (i = 0; i < sizeof(wire); i++)
		wire[i] = (unsigned char)(i * 7);
	assert_int_equal(td_cache_put(c, "dns", "MX example.org", "127.0.0.1",
				      wire, sizeof(wire), 0, 10, 20, NULL),
			 0);
	assert_int_equal(td_cache_get(c, "dns", "MX example.org", 19, &e, NULL),
			 0);
	assert_int_equal(e.len, sizeof(wire));
	assert_memory_equal(e.body, wire, sizeof(wire));
	td_cache_entry_release(&e);
	td_cache_close(c);
}

static void
cache_put_checks_arguments(void **state)
{
	struct tmp *t = *state;
	struct td_cache *c = open_ok(t->path);
	struct td_cache_entry e;
	struct td_error err = {0};
	char *key;

	assert_int_equal(
	    td_cache_put(c, "ftp", "k", NULL, "b", 1, 0, 1, 2, &err),
	    TD_EINVAL);
	assert_non_null(strstr(err.msg, "ftp"));
	assert_int_equal(
	    td_cache_put(c, NULL, "k", NULL, "b", 1, 0, 1, 2, &err), TD_EINVAL);
	assert_int_equal(
	    td_cache_put(c, "dns", "", NULL, "b", 1, 0, 1, 2, &err), TD_EINVAL);
	assert_int_equal(
	    td_cache_put(c, "dns", "k", NULL, NULL, 1, 0, 1, 2, &err),
	    TD_EINVAL);
	assert_int_equal(
	    td_cache_put(c, "dns", "k", NULL, "b", 1, 0, 5, 4, &err),
	    TD_EINVAL);
	assert_non_null(strstr(err.msg, "expires"));
	assert_int_equal(td_cache_get(c, "smtp", "k", 1, &e, &err), TD_EINVAL);
	assert_int_equal(td_cache_get(c, "dns", NULL, 1, &e, &err), TD_EINVAL);
	assert_null(e.body);

	key = malloc(TD_CACHE_MAX_KEY + 2);
	assert_non_null(key);
	memset(key, 'k', TD_CACHE_MAX_KEY + 1);
	key[TD_CACHE_MAX_KEY + 1] = '\0';
	assert_int_equal(
	    td_cache_put(c, "rdap", key, NULL, "b", 1, 0, 1, 2, &err),
	    TD_ELIMIT);
	key[TD_CACHE_MAX_KEY] = '\0';
	assert_int_equal(
	    td_cache_put(c, "rdap", key, NULL, "b", 1, 0, 1, 2, &err), 0);
	free(key);

	/* no error struct: the code alone */
	assert_int_equal(td_cache_put(c, "x", "k", NULL, "b", 1, 0, 1, 2, NULL),
			 TD_EINVAL);
	td_cache_close(c);
	td_cache_close(NULL);
}

static void
cache_oversize_body_refused(void **state)
{
	struct tmp *t = *state;
	struct td_cache *c = open_ok(t->path);
	struct td_cache_entry e;
	struct td_error err = {0};
	size_t max = TD_CACHE_MAX_BODY;
	char *big = malloc(max + 1);

	assert_non_null(big);
	memset(big, 'w', max + 1);
	assert_int_equal(
	    td_cache_put(c, "whois", "big", NULL, big, max + 1, 0, 1, 2, &err),
	    TD_ELIMIT);
	assert_non_null(strstr(err.msg, "limit"));
	assert_int_equal(td_cache_net_put(c, "10.0.0.0", "10.0.0.255", "whois",
					  NULL, big, max + 1, 1, 2, &err),
			 TD_ELIMIT);
	assert_int_equal(td_cache_get(c, "whois", "big", 1, &e, NULL), 1);

	/* exactly the limit is kept */
	big[max - 1] = '!';
	assert_int_equal(
	    td_cache_put(c, "whois", "big", NULL, big, max, 0, 1, 2, &err), 0);
	assert_int_equal(td_cache_get(c, "whois", "big", 1, &e, NULL), 0);
	assert_int_equal(e.len, max);
	assert_int_equal(e.body[max - 1], '!');
	td_cache_entry_release(&e);
	free(big);
	td_cache_close(c);
}

/* ---- networks ---- */

static void
cache_net_ipv4_narrowest_wins(void **state)
{
	struct tmp *t = *state;
	struct td_cache *c = open_ok(t->path);

	net_put_ok(c, "192.0.0.0", "192.0.255.255", "/16", 100, 1000);
	net_put_ok(c, "192.0.2.0", "192.0.2.255", "/24", 100, 1000);
	net_put_ok(c, "192.0.2.128", "192.0.2.191", "/26", 100, 1000);
	net_put_ok(c, "0.0.0.0", "255.255.255.255", "/0", 100, 1000);

	assert_net(c, "192.0.2.130", 500, "/26");
	assert_net(c, "192.0.2.128", 500, "/26"); /* bounds are inside */
	assert_net(c, "192.0.2.191", 500, "/26");
	assert_net(c, "192.0.2.192", 500, "/24");
	assert_net(c, "192.0.2.0", 500, "/24");
	assert_net(c, "192.0.3.1", 500, "/16");
	assert_net(c, "198.51.100.1", 500, "/0");
	/* an IPv6 address is outside every IPv4 range */
	assert_net(c, "2001:db8::1", 500, "");
	/* the mapped form of an IPv4 address is the same address */
	assert_net(c, "::ffff:192.0.2.130", 500, "/26");
	td_cache_close(c);
}

static void
cache_net_ipv6_narrowest_wins(void **state)
{
	struct tmp *t = *state;
	struct td_cache *c = open_ok(t->path);

	net_put_ok(c, "2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
		   "/32", 100, 1000);
	net_put_ok(c, "2001:db8:1::", "2001:db8:1:ffff:ffff:ffff:ffff:ffff",
		   "/48", 100, 1000);
	net_put_ok(c, "2001:db8:1:2::", "2001:db8:1:2:ffff:ffff:ffff:ffff",
		   "/64", 100, 1000);
	/* a range that is not a prefix */
	net_put_ok(c, "2001:db8:1:2::10", "2001:db8:1:2::1f", "16 addresses",
		   100, 1000);

	assert_net(c, "2001:db8:1:2::11", 500, "16 addresses");
	assert_net(c, "2001:db8:1:2::20", 500, "/64");
	assert_net(c, "2001:db8:1:3::1", 500, "/48");
	assert_net(c, "2001:db8:2::1", 500, "/32");
	assert_net(c, "2001:db9::1", 500, "");
	assert_net(c, "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", 500, "");
	assert_net(c, "192.0.2.1", 500, "");
	td_cache_close(c);
}

static void
cache_net_expired_ranges_ignored(void **state)
{
	struct tmp *t = *state;
	struct td_cache *c = open_ok(t->path);
	struct td_cache_entry e;
	char *kind = NULL;

	net_put_ok(c, "203.0.113.0", "203.0.113.255", "wide", 100, 5000);
	net_put_ok(c, "203.0.113.0", "203.0.113.15", "narrow", 100, 1000);
	assert_net(c, "203.0.113.5", 999, "narrow");
	/* the narrow one is stale: the wider fresh one answers */
	assert_net(c, "203.0.113.5", 1000, "wide");
	assert_net(c, "203.0.113.5", 5000, "");

	/* one answer per range and kind, newest wins; kinds side by side */
	net_put_ok(c, "203.0.113.0", "203.0.113.255", "wide again", 200, 6000);
	assert_int_equal(td_cache_net_put(c, "203.0.113.0", "203.0.113.255",
					  "whois", "whois.example:43",
					  "whois text", 10, 300, 6000, NULL),
			 0);
	assert_int_equal(
	    td_cache_net_get(c, "203.0.113.200", 1000, &e, &kind, NULL), 0);
	assert_string_equal(kind, "whois");
	assert_string_equal(e.server, "whois.example:43");
	assert_string_equal(e.body, "whois text");
	assert_int_equal(e.when, 300);
	assert_int_equal(e.code, 0);
	free(kind);
	td_cache_entry_release(&e);
	/* kind may be NULL when not wanted */
	assert_int_equal(
	    td_cache_net_get(c, "203.0.113.200", 1000, &e, NULL, NULL), 0);
	td_cache_entry_release(&e);
	td_cache_close(c);
}

static void
cache_net_checks_ranges(void **state)
{
	struct tmp *t = *state;
	struct td_cache *c = open_ok(t->path);
	struct td_cache_entry e;
	struct td_error err = {0};
	char *kind = (char *)"junk";

	assert_int_equal(td_cache_net_put(c, "192.0.2.9", "192.0.2.1", "rdap",
					  NULL, "b", 1, 1, 2, &err),
			 TD_EINVAL);
	assert_non_null(strstr(err.msg, "192.0.2.9"));
	assert_int_equal(td_cache_net_put(c, "192.0.2.0", "2001:db8::", "rdap",
					  NULL, "b", 1, 1, 2, &err),
			 TD_EINVAL);
	assert_int_equal(td_cache_net_put(c, "192.0.2.0/24", "192.0.2.255",
					  "rdap", NULL, "b", 1, 1, 2, &err),
			 TD_EINVAL);
	assert_int_equal(td_cache_net_put(c, "192.0.2.0", NULL, "rdap", NULL,
					  "b", 1, 1, 2, &err),
			 TD_EINVAL);
	assert_int_equal(td_cache_net_put(c, "192.0.2.0", "192.0.2.255", "dns",
					  NULL, "b", 1, 1, 2, &err),
			 TD_EINVAL);
	/* a single address is a range */
	assert_int_equal(td_cache_net_put(c, "192.0.2.7", "192.0.2.7", "rdap",
					  NULL, "one", 3, 1, 2, &err),
			 0);
	assert_net(c, "192.0.2.7", 1, "one");

	assert_int_equal(td_cache_net_get(c, "192.0.2.256", 1, &e, &kind, &err),
			 TD_EINVAL);
	assert_null(kind);
	assert_int_equal(
	    td_cache_net_get(c, "fe80::1%eth0", 1, &e, &kind, &err), TD_EINVAL);
	assert_int_equal(td_cache_net_get(c, "", 1, &e, &kind, &err),
			 TD_EINVAL);
	assert_null(e.body);
	td_cache_close(c);
}

/* ---- upkeep, transactions, persistence ---- */

static void
cache_prune_drops_expired(void **state)
{
	struct tmp *t = *state;
	struct td_cache *c = open_ok(t->path);
	struct td_cache_entry e;

	put_ok(c, "dns", "A a.example", "a", 100, 200);
	put_ok(c, "dns", "A b.example", "b", 100, 300);
	put_ok(c, "rdap", "https://rdap.example/domain/c", "c", 100, 900);
	net_put_ok(c, "10.0.0.0", "10.255.255.255", "n1", 100, 250);
	net_put_ok(c, "10.1.0.0", "10.1.255.255", "n2", 100, 900);

	assert_int_equal(td_cache_prune(c, 100, NULL), 0);
	assert_int_equal(td_cache_prune(c, 300, NULL), 3);
	assert_int_equal(td_cache_prune(c, 300, NULL), 0);
	/* gone even for a clock that went back */
	assert_int_equal(td_cache_get(c, "dns", "A a.example", 150, &e, NULL),
			 1);
	assert_net(c, "10.2.0.1", 150, "");
	assert_int_equal(td_cache_get(c, "rdap",
				      "https://rdap.example/domain/c", 300, &e,
				      NULL),
			 0);
	td_cache_entry_release(&e);
	assert_net(c, "10.1.0.1", 300, "n2");
	assert_int_equal(td_cache_prune(c, 1000, NULL), 2);
	td_cache_close(c);
}

static void
cache_reopen_keeps_answers(void **state)
{
	struct tmp *t = *state;
	struct td_cache *c = open_ok(t->path);
	struct td_cache_entry e;
	struct stat st;

	put_ok(c, "rdap", "https://rdap.example/ip/192.0.2.1", "kept", 10, 100);
	net_put_ok(c, "192.0.2.0", "192.0.2.255", "net kept", 10, 100);
	td_cache_close(c);

	assert_int_equal(stat(t->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	c = open_ok(t->path);
	assert_int_equal(td_cache_get(c, "rdap",
				      "https://rdap.example/ip/192.0.2.1", 50,
				      &e, NULL),
			 0);
	assert_string_equal(e.body, "kept");
	assert_string_equal(e.server, "server.example");
	td_cache_entry_release(&e);
	assert_net(c, "192.0.2.77", 50, "net kept");
	td_cache_close(c);
}

static void
cache_transaction_batches_puts(void **state)
{
	struct tmp *t = *state;
	struct td_cache *c = open_ok(t->path);
	struct td_cache *other = open_ok(t->path);
	struct td_cache_entry e;
	struct td_error err = {0};
	char key[64];
	int i;

	assert_int_equal(td_cache_commit(c, &err), TD_EINVAL);
	assert_int_equal(td_cache_rollback(c, &err), TD_EINVAL);
	assert_int_equal(td_cache_begin(c, &err), 0);
	assert_int_equal(td_cache_begin(c, &err), TD_EINVAL);
	for (i = 0; i < 500; i++) {
		snprintf(key, sizeof(key), "A host%d.example", i);
		put_ok(c, "dns", key, "x", 1, 100);
	}
	/* reads inside the transaction see its writes; others do not yet */
	assert_int_equal(td_cache_get(c, "dns", "A host7.example", 2, &e, NULL),
			 0);
	td_cache_entry_release(&e);
	assert_int_equal(
	    td_cache_get(other, "dns", "A host7.example", 2, &e, NULL), 1);
	assert_int_equal(td_cache_commit(c, &err), 0);
	assert_int_equal(
	    td_cache_get(other, "dns", "A host499.example", 2, &e, NULL), 0);
	td_cache_entry_release(&e);

	/* rollback drops the batch */
	assert_int_equal(td_cache_begin(c, &err), 0);
	put_ok(c, "dns", "A dropped.example", "x", 1, 100);
	assert_int_equal(td_cache_rollback(c, &err), 0);
	assert_int_equal(
	    td_cache_get(c, "dns", "A dropped.example", 2, &e, NULL), 1);

	/* closing with a transaction open rolls it back */
	assert_int_equal(td_cache_begin(c, &err), 0);
	put_ok(c, "dns", "A unfinished.example", "x", 1, 100);
	td_cache_close(c);
	assert_int_equal(
	    td_cache_get(other, "dns", "A unfinished.example", 2, &e, NULL), 1);
	td_cache_close(other);
}

static void
cache_locked_writer_times_out(void **state)
{
	struct tmp *t = *state;
	struct td_cache *a = open_ok(t->path);
	struct td_cache *b;
	struct td_cache_entry e;
	struct td_error err = {0};

	put_ok(a, "dns", "A before.example", "x", 1, 100);
	assert_int_equal(td_cache_begin(a, &err), 0);
	put_ok(a, "dns", "A during.example", "x", 1, 100);

	/* opening and reading work while another process writes (WAL) */
	b = open_ok(t->path);
	td_cache_busy_timeout(b, 50);
	assert_int_equal(
	    td_cache_get(b, "dns", "A before.example", 2, &e, &err), 0);
	td_cache_entry_release(&e);
	/* writing waits for the lock, then fails with a message */
	assert_int_equal(td_cache_put(b, "dns", "A b.example", NULL, "x", 1, 0,
				      1, 100, &err),
			 TD_EIO);
	assert_non_null(strstr(err.msg, "locked"));
	assert_non_null(strstr(err.msg, t->path));
	assert_null(strchr(err.msg, '\n'));
	assert_int_equal(td_cache_begin(b, &err), TD_EIO);
	assert_int_equal(td_cache_prune(b, 1000, &err), TD_EIO);

	/* once the lock is gone, the same handle works */
	assert_int_equal(td_cache_commit(a, &err), 0);
	assert_int_equal(td_cache_put(b, "dns", "A b.example", NULL, "x", 1, 0,
				      1, 100, &err),
			 0);
	assert_int_equal(td_cache_get(a, "dns", "A b.example", 2, &e, &err), 0);
	td_cache_entry_release(&e);
	td_cache_close(a);
	td_cache_close(b);
}

/* ---- files to refuse ---- */

static void
cache_missing_folders_created(void **state)
{
	struct tmp *t = *state;
	struct td_cache *c;
	struct td_error err = {0};
	char path[700], dir[700];
	struct stat st;

	snprintf(path, sizeof(path), "%s/a//b/cache.db", t->dir);
	c = open_ok(path);
	td_cache_close(c);
	snprintf(dir, sizeof(dir), "%s/a", t->dir);
	assert_int_equal(stat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	snprintf(dir, sizeof(dir), "%s/a/b", t->dir);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);

	/* a file where a folder should be */
	snprintf(path, sizeof(path), "%s/a/b/cache.db/x/cache.db", t->dir);
	assert_int_equal(td_cache_open(&c, path, &err), TD_EIO);
	assert_null(c);
	assert_non_null(strstr(err.msg, "cannot create folder"));

	/* a folder where the file should be */
	assert_int_equal(td_cache_open(&c, t->dir, &err), TD_EIO);
	assert_null(c);
	assert_int_equal(td_cache_open(&c, "", &err), TD_EINVAL);
	assert_int_equal(td_cache_open(&c, NULL, &err), TD_EINVAL);
}

static void
cache_corrupt_file_refused(void **state)
{
	struct tmp *t = *state;
	struct td_cache *c = NULL;
	struct td_error err = {0};
	unsigned char junk[8192];
	size_t i;
	unsigned x = 12345;

	for (i = 0; i < sizeof(junk); i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (unsigned char)(x >> 16);
	}
	write_file(t->path, junk, sizeof(junk));
	assert_int_equal(td_cache_open(&c, t->path, &err), TD_EPARSE);
	assert_null(c);
	assert_non_null(strstr(err.msg, t->path));
	assert_null(strchr(err.msg, '\n'));

	/* a text file */
	write_file(t->path, "not a database\n", 15);
	assert_int_equal(td_cache_open(&c, t->path, &err), TD_EPARSE);
	assert_null(c);
}

static void
cache_damaged_pages_fail_cleanly(void **state)
{
	struct tmp *t = *state;
	struct td_cache *c = open_ok(t->path);
	struct td_cache_entry e;
	struct td_error err = {0};
	unsigned char junk[4096];
	char key[64];
	int fd, i, rc;
	struct stat st;

	for (i = 0; i < 200; i++) {
		snprintf(key, sizeof(key), "A host%d.example", i);
		put_ok(c, "dns", key, "some answer text to fill pages", 1, 100);
	}
	td_cache_close(c);

	/* keep the header and schema page, scramble every page after it */
	assert_int_equal(stat(t->path, &st), 0);
	assert_true(st.st_size > 8192);
	memset(junk, 0xa5, sizeof(junk));
	fd = open(t->path, O_WRONLY);
	assert_true(fd >= 0);
	for (i = 4096; i + (int)sizeof(junk) <= st.st_size;
	     i += (int)sizeof(junk))
		assert_int_equal(pwrite(fd, junk, sizeof(junk), i),
				 (ssize_t)sizeof(junk));
	close(fd);

	rc = td_cache_open(&c, t->path, &err);
	if (rc) {
		assert_true(rc < 0);
		assert_null(c);
		return;
	}
	rc = td_cache_get(c, "dns", "A host7.example", 2, &e, &err);
	assert_int_equal(rc, TD_EPARSE);
	assert_non_null(strstr(err.msg, "malformed"));
	assert_null(e.body);
	rc = td_cache_put(c, "dns", "A new.example", NULL, "x", 1, 0, 1, 100,
			  &err);
	assert_true(rc == 0 || rc == TD_EPARSE);
	assert_true(td_cache_prune(c, 1000, &err) < 0);
	td_cache_close(c);
}

static void
cache_newer_version_refused(void **state)
{
	struct tmp *t = *state;
	struct td_cache *c = open_ok(t->path);
	struct td_error err = {0};

	td_cache_close(c);
	sqlite_exec(t->path, "PRAGMA user_version = 2");
	c = NULL;
	assert_int_equal(td_cache_open(&c, t->path, &err), TD_EINVAL);
	assert_null(c);
	assert_non_null(strstr(err.msg, "version 2"));
	assert_non_null(strstr(err.msg, t->path));
}

static void
cache_foreign_database_refused(void **state)
{
	struct tmp *t = *state;
	struct td_cache *c = NULL;
	struct td_error err = {0};

	sqlite_exec(t->path, "CREATE TABLE mail (id INTEGER PRIMARY KEY)");
	assert_int_equal(td_cache_open(&c, t->path, &err), TD_EINVAL);
	assert_null(c);
	assert_non_null(strstr(err.msg, "not a takedown cache"));

	/* same version number, someone else's application id */
	sqlite_exec(t->path, "PRAGMA user_version = 1");
	assert_int_equal(td_cache_open(&c, t->path, &err), TD_EINVAL);

	/* our mark but the tables gone: damaged */
	unlink(t->path);
	c = open_ok(t->path);
	td_cache_close(c);
	sqlite_exec(t->path, "DROP TABLE net");
	assert_int_equal(td_cache_open(&c, t->path, &err), TD_EPARSE);
	assert_non_null(strstr(err.msg, "net"));
	assert_null(c);
}

/*
 * Open the cache at path and check it is refused as read-only.  Returns 1
 * when it is, 0 when not.
 */
static int
read_only_refused(const char *path)
{
	struct td_cache *c = NULL;
	struct td_error err = {0};
	int rc = td_cache_open(&c, path, &err);

	if (rc == TD_EIO && !c && strstr(err.msg, "read-only"))
		return 1;
	td_cache_close(c);
	return 0;
}

static void
cache_read_only_file_refused(void **state)
{
	struct tmp *t = *state;
	struct td_cache *c = open_ok(t->path);
	pid_t pid;
	int status;

	put_ok(c, "dns", "A x.example", "x", 1, 100);
	td_cache_close(c);

	if (geteuid() != 0) {
		assert_int_equal(chmod(t->path, 0400), 0);
		assert_true(read_only_refused(t->path));
		return;
	}
	/*
	 * root writes anything: try as nobody, who may read the file (0644)
	 * and its folder (0755) but not write them.
	 */
	assert_int_equal(chmod(t->dir, 0755), 0);
	assert_int_equal(chmod(t->path, 0644), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		_exit(read_only_refused(t->path) ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 2)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(cache_put_get_round_trip),
	    T(cache_get_after_expiry_misses),
	    T(cache_put_replaces_same_key),
	    T(cache_body_keeps_nul_bytes),
	    T(cache_put_checks_arguments),
	    T(cache_oversize_body_refused),
	    T(cache_net_ipv4_narrowest_wins),
	    T(cache_net_ipv6_narrowest_wins),
	    T(cache_net_expired_ranges_ignored),
	    T(cache_net_checks_ranges),
	    T(cache_prune_drops_expired),
	    T(cache_reopen_keeps_answers),
	    T(cache_transaction_batches_puts),
	    T(cache_locked_writer_times_out),
	    T(cache_missing_folders_created),
	    T(cache_corrupt_file_refused),
	    T(cache_damaged_pages_fail_cleanly),
	    T(cache_newer_version_refused),
	    T(cache_foreign_database_refused),
	    T(cache_read_only_file_refused),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
