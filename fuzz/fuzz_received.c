/*
 * libFuzzer target: the Received chain (received.h) on any bytes.  The
 * input is read as header fields, one a line, continuation lines (starting
 * with a space or tab) folded in:
 *
 *   "trust: SPEC"    td_trust_add() (a --trust entry, a name or a network)
 *   "ar: VALUE"      td_auth_summary() (an Authentication-Results value)
 *   anything else    td_received_add(), top-most first
 *
 * then td_received_decide() with the trust list, and again with the trust
 * of the mail provider td_mailhosts_detect() finds.  Asserts, beyond "no
 * crash, no leak, no undefined behaviour":
 *
 * - each hop: raw is the value with CR, LF and NUL made spaces (same
 *   length), no field holds CR or LF, from_ip reads back with inet_pton()
 *   and is what inet_ntop() writes (no IPv4-mapped IPv6, no zone),
 *   from_rdns is no IP literal, not "unknown", has no trailing dot and no
 *   '@', from_helo is not empty;
 * - the decision: report_hop is -1 or a hop with a public from_ip; every
 *   hop above it is trusted and parsed, none below it is trusted, and the
 *   hops below where the walk stopped are marked unverified;
 * - td_hop_parse() of each value alone gives the hop the chain holds;
 * - td_auth_summary(): "method=result" words, lowercase [a-z0-9._-],
 *   separated by single spaces.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "ioc.h"
#include "mailhosts.h"
#include "received.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "fuzz_received: %s:%d: %s\n",          \
				__FILE__, __LINE__, #c);                       \
			abort();                                               \
		}                                                              \
	} while (0)

#define MAX_FIELDS 64

static int
streq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static void
no_crlf(const char *s)
{
	CHECK(!s || !strpbrk(s, "\r\n"));
}

static void
check_ip(const char *ip)
{
	unsigned char a[16];
	char back[INET6_ADDRSTRLEN];
	int af;

	if (!ip)
		return;
	af = strchr(ip, ':') ? AF_INET6 : AF_INET;
	CHECK(inet_pton(af, ip, a) == 1);
	CHECK(inet_ntop(af, a, back, sizeof(back)) && !strcmp(back, ip));
	CHECK(strncasecmp(ip, "::ffff:", 7) || !strchr(ip, '.'));
}

static void
check_hop(const struct td_hop *h, const char *value, size_t len)
{
	size_t i, n;

	CHECK(h->raw && strlen(h->raw) == len);
	for (i = 0; i < len; i++) {
		char c = value[i];

		CHECK(h->raw[i] == (c == '\r' || c == '\n' || !c ? ' ' : c));
	}
	no_crlf(h->from_helo);
	no_crlf(h->from_rdns);
	no_crlf(h->from_ip);
	no_crlf(h->by);
	no_crlf(h->with);
	no_crlf(h->id);
	no_crlf(h->for_addr);
	no_crlf(h->date);
	check_ip(h->from_ip);
	CHECK(!h->from_helo || *h->from_helo);
	if (h->from_rdns) {
		n = strlen(h->from_rdns);
		CHECK(n && h->from_rdns[n - 1] != '.');
		CHECK(strcasecmp(h->from_rdns, "unknown") &&
		      strcasecmp(h->from_rdns, "<unknown>"));
		CHECK(!strchr(h->from_rdns, '@') && h->from_rdns[0] != '[');
		CHECK(td_ip_is_public(h->from_rdns) == -1);
	}
}

static void
same_hop(const struct td_hop *a, const struct td_hop *b)
{
	CHECK(streq(a->raw, b->raw) && streq(a->from_helo, b->from_helo) &&
	      streq(a->from_rdns, b->from_rdns) &&
	      streq(a->from_ip, b->from_ip) && streq(a->by, b->by) &&
	      streq(a->with, b->with) && streq(a->id, b->id) &&
	      streq(a->for_addr, b->for_addr) && streq(a->date, b->date) &&
	      a->when == b->when && a->parsed == b->parsed);
}

static void
check_decision(const struct td_received *r)
{
	long k = r->report_hop;
	size_t i, stop = r->nr;

	CHECK(k >= -1 && k < (long)r->nr);
	if (k >= 0) {
		CHECK(r->hops[k].from_ip);
		CHECK(td_ip_is_public(r->hops[k].from_ip) == 1);
		stop = (size_t)k;
	} else {
		/* the walk stops at an unparsed hop or an unknown client */
		for (i = 0; i < r->nr; i++)
			if (!r->hops[i].parsed ||
			    (!r->hops[i].from_ip &&
			     (r->hops[i].from_helo || r->hops[i].from_rdns)))
				break;
		stop = i;
	}
	for (i = 0; i < r->nr; i++) {
		const struct td_hop *h = &r->hops[i];

		CHECK(h->trusted == (i <= stop));
		CHECK(h->unverified == (i > stop));
		if (i < stop)
			CHECK(h->parsed);
	}
}

static void
check_auth(const struct td_buf *b)
{
	size_t i;
	int eq = 0, word = 0;

	for (i = 0; i < b->len; i++) {
		char c = b->ptr[i];

		if (c == ' ') {
			CHECK(word && eq == 1);
			word = eq = 0;
			continue;
		}
		if (c == '=') {
			CHECK(word);
			eq++;
			word = 0;
			continue;
		}
		CHECK((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == '_');
		word = 1;
	}
	CHECK(!b->len || (word && eq == 1));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct td_received r = {0};
	struct td_trust trust = {0}, provider = {0};
	struct td_buf auth = TD_BUF_INIT;
	struct td_error err;
	const char *s = (const char *)data, *end = s + size;
	const char *vals[MAX_FIELDS];
	size_t lens[MAX_FIELDS], nr = 0, i;
	const char *name;

	while (s < end && nr < MAX_FIELDS) {
		const char *e = s;

		/* a field ends at a line break not followed by a space/tab */
		while (e < end &&
		       !(*e == '\n' &&
			 (e + 1 == end || (e[1] != ' ' && e[1] != '\t'))))
			e++;
		if (e - s > 7 && !memcmp(s, "trust: ", 7)) {
			char *spec = malloc((size_t)(e - s) - 6);

			if (spec) {
				memcpy(spec, s + 7, (size_t)(e - s) - 7);
				spec[e - s - 7] = '\0';
				td_trust_add(&trust, spec, &err);
				free(spec);
			}
		} else if (e - s > 4 && !memcmp(s, "ar: ", 4)) {
			CHECK(td_auth_summary(&auth, s + 4,
					      (size_t)(e - s) - 4) == 0);
		} else {
			if (td_received_add(&r, s, (size_t)(e - s)))
				break;
			vals[nr] = s;
			lens[nr++] = (size_t)(e - s);
		}
		s = e < end ? e + 1 : e;
	}
	CHECK(r.nr == nr);
	check_auth(&auth);
	for (i = 0; i < r.nr; i++) {
		struct td_hop alone;

		check_hop(&r.hops[i], vals[i], lens[i]);
		CHECK(td_hop_parse(&alone, vals[i], lens[i]) == 0);
		same_hop(&alone, &r.hops[i]);
		td_hop_release(&alone);
	}
	td_received_decide(&r, &trust);
	check_decision(&r);
	td_received_decide(&r, NULL);
	check_decision(&r);
	name = td_mailhosts_detect(&r);
	if (name && td_mailhosts_trust(&provider, &trust, name) == 0) {
		td_received_decide(&r, &provider);
		check_decision(&r);
	}
	td_trust_release(&provider);
	td_trust_release(&trust);
	td_buf_release(&auth);
	td_received_release(&r);
	return 0;
}
