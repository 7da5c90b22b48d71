/*
 * Liveness verdicts: is the phishing page still up?  The pattern data in
 * data/liveness/ (*.txt files) is compiled in with .incbin and parsed once, on
 * first use.  The rules and their order are documented in docs/check.md.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "liveness.h"
#include "banned.h"

#define TD_LIVE_DATA(sym, file)                                                \
	".global " #sym "\n" #sym ":\n.incbin \"" file "\"\n"                  \
	".global " #sym "_end\n" #sym "_end:\n.byte 0\n"

/* clang-format off */
__asm__(".section .rodata\n"
	TD_LIVE_DATA(td_live_sinkholes, "data/liveness/sinkholes.txt")
	TD_LIVE_DATA(td_live_cdn, "data/liveness/cdn.txt")
	TD_LIVE_DATA(td_live_suspended, "data/liveness/suspended.txt")
	TD_LIVE_DATA(td_live_parking, "data/liveness/parking.txt")
	".previous\n");
/* clang-format on */
extern const char td_live_sinkholes[], td_live_sinkholes_end[];
extern const char td_live_cdn[], td_live_cdn_end[];
extern const char td_live_suspended[], td_live_suspended_end[];
extern const char td_live_parking[], td_live_parking_end[];

#define LINE_MAX_LEN 1024
#define MAX_CONDS 6
#define MAX_BODY (1u << 20) /* bytes of a body the page rules read */

static const struct {
	const char *name;
	const char *start, *end;
} files[] = {
    {"data/liveness/sinkholes.txt", td_live_sinkholes, td_live_sinkholes_end},
    {"data/liveness/cdn.txt", td_live_cdn, td_live_cdn_end},
    {"data/liveness/suspended.txt", td_live_suspended, td_live_suspended_end},
    {"data/liveness/parking.txt", td_live_parking, td_live_parking_end},
};

enum rkind { R_ADDR, R_SINK_NS, R_PARK_NS, R_PAGE };
enum ckind { C_STATUS, C_SERVER, C_TITLE, C_BODY };

struct cond {
	unsigned char what;
	long status;
	char *text; /* lowercase */
	size_t len;
};

struct rule {
	unsigned char kind;
	enum td_live verdict;
	char *what; /* who or what, for "why" */
	/* R_ADDR */
	int family;
	unsigned char addr[16];
	unsigned prefix;
	/* R_*_NS: lowercase, no trailing dot */
	char *name;
	/* R_PAGE */
	struct cond conds[MAX_CONDS];
	size_t nr_conds;
};

static struct rule *rules;
static size_t nr_rules, alloc_rules;
static char first_error[256];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static const char *const names[TD_LIVE_NR] = {
    "up",	   "cleaned", "content-removed", "suspended", "cdn-blocked",
    "dns-removed", "parked",  "unreachable",	 "failed"};

const char *
td_live_name(enum td_live v)
{
	return (unsigned)v < TD_LIVE_NR ? names[v] : NULL;
}

int
td_live_parse(const char *name)
{
	int i;

	for (i = 0; name && i < TD_LIVE_NR; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

int
td_live_is_down(enum td_live v)
{
	return v != TD_LIVE_UP && v != TD_LIVE_FAILED && v < TD_LIVE_NR;
}

enum td_mitigation
td_live_mitigation(enum td_live v)
{
	switch (v) {
	case TD_LIVE_CLEANED:
		return TD_MIT_CLEANED;
	case TD_LIVE_CONTENT_REMOVED:
		return TD_MIT_CONTENT_REMOVED;
	case TD_LIVE_SUSPENDED:
		return TD_MIT_SUSPENDED;
	case TD_LIVE_CDN_BLOCKED:
		return TD_MIT_CDN_BLOCKED;
	case TD_LIVE_DNS_REMOVED:
		return TD_MIT_DNS_REMOVED;
	case TD_LIVE_PARKED:
	case TD_LIVE_UNREACHABLE:
		return TD_MIT_OTHER;
	default:
		return TD_MIT_NONE;
	}
}

/* ---- pattern data ---- */

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static void
lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

static int
parse_addr(struct rule *r, char *s)
{
	char *slash = strchr(s, '/');
	unsigned long p;
	char *end;

	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, s, r->addr) == 1) {
		r->family = AF_INET;
		r->prefix = 32;
	} else if (inet_pton(AF_INET6, s, r->addr) == 1) {
		r->family = AF_INET6;
		r->prefix = 128;
	} else {
		return -1;
	}
	if (slash) {
		p = strtoul(slash + 1, &end, 10);
		if (end == slash + 1 || *end || p > r->prefix)
			return -1;
		r->prefix = (unsigned)p;
	}
	return 0;
}

static int
parse_cond(struct cond *c, char *s)
{
	static const char *const keys[] = {
	    "status:", "server:", "title:", "body:"};
	size_t i, n;
	char *end;

	for (i = 0; i < 4; i++) {
		n = strlen(keys[i]);
		if (!strncmp(s, keys[i], n))
			break;
	}
	if (i == 4)
		return -1;
	s = trim(s + n);
	if (!*s)
		return -1;
	c->what = (unsigned char)i;
	if (i == C_STATUS) {
		c->status = strtol(s, &end, 10);
		return *end || c->status < 100 || c->status > 999 ? -1 : 0;
	}
	c->text = strdup(s);
	if (!c->text)
		return -1;
	lower(c->text);
	c->len = strlen(c->text);
	return 0;
}

static void
rule_free(struct rule *r)
{
	size_t i;

	free(r->what);
	free(r->name);
	for (i = 0; i < r->nr_conds; i++)
		free(r->conds[i].text);
}

/* One line: 0 (a rule added, or nothing), -1 bad. */
static int
parse_line(char *line)
{
	char *f[3 + MAX_CONDS + 1];
	size_t nf = 0, i;
	char *p = line, *bar;
	struct rule r;
	int v;

	p = trim(p);
	if (!*p || *p == '#')
		return 0;
	while (nf < sizeof(f) / sizeof(f[0])) {
		bar = strchr(p, '|');
		if (bar)
			*bar = '\0';
		f[nf++] = trim(p);
		if (!bar)
			break;
		p = bar + 1;
	}
	if (bar)
		return -1; /* too many fields */
	memset(&r, 0, sizeof(r));
	if (!strcmp(f[0], "sinkhole-addr") && nf == 3) {
		r.kind = R_ADDR;
		r.verdict = TD_LIVE_DNS_REMOVED;
		if (parse_addr(&r, f[1]) < 0)
			return -1;
	} else if ((!strcmp(f[0], "sinkhole-ns") ||
		    !strcmp(f[0], "parking-ns")) &&
		   nf == 3) {
		r.kind = f[0][0] == 's' ? R_SINK_NS : R_PARK_NS;
		r.verdict = TD_LIVE_DNS_REMOVED;
		if (!*f[1] || strchr(f[1], ' ') || !(r.name = strdup(f[1])))
			return -1;
		lower(r.name);
		while (*r.name && r.name[strlen(r.name) - 1] == '.')
			r.name[strlen(r.name) - 1] = '\0';
	} else if (!strcmp(f[0], "page") && nf >= 4) {
		r.kind = R_PAGE;
		v = td_live_parse(f[1]);
		if (v != TD_LIVE_CDN_BLOCKED && v != TD_LIVE_SUSPENDED &&
		    v != TD_LIVE_PARKED)
			return -1;
		r.verdict = (enum td_live)v;
		for (i = 3; i < nf; i++)
			if (parse_cond(&r.conds[r.nr_conds++], f[i]) < 0) {
				rule_free(&r);
				return -1;
			}
	} else {
		return -1;
	}
	if (!*f[2] || !(r.what = strdup(f[2])) ||
	    td_array_grow((void **)&rules, &alloc_rules, nr_rules + 1,
			  sizeof(*rules)) < 0) {
		rule_free(&r);
		return -1;
	}
	rules[nr_rules++] = r;
	return 0;
}

static void
load(void)
{
	size_t k;

	for (k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
		const char *p = files[k].start, *end = files[k].end;
		unsigned lineno = 0;

		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
			char line[LINE_MAX_LEN + 1];

			lineno++;
			if (n > LINE_MAX_LEN) {
				if (!first_error[0])
					snprintf(first_error,
						 sizeof(first_error),
						 "%s:%u: line too long",
						 files[k].name, lineno);
			} else {
				memcpy(line, p, n);
				line[n] = '\0';
				if (parse_line(line) < 0 && !first_error[0])
					snprintf(first_error,
						 sizeof(first_error),
						 "%s:%u: not a rule",
						 files[k].name, lineno);
			}
			p += n + (nl ? 1 : 0);
		}
	}
}

int
td_live_check_data(size_t *out, struct td_error *err)
{
	pthread_once(&once, load);
	if (out)
		*out = nr_rules;
	if (first_error[0])
		return td_error_set(err, TD_EPARSE, "%s", first_error);
	return 0;
}

/* ---- host facts ---- */

static int
addr_in(const struct rule *r, const char *ip)
{
	unsigned char a[16];
	unsigned full, rest;

	if (inet_pton(r->family, ip, a) != 1)
		return 0;
	full = r->prefix / 8;
	rest = r->prefix % 8;
	if (memcmp(a, r->addr, full))
		return 0;
	if (rest) {
		unsigned char m = (unsigned char)(0xffu << (8 - rest));

		if ((a[full] & m) != (r->addr[full] & m))
			return 0;
	}
	return 1;
}

/* name is zone or a name under it (ASCII case ignored, trailing dot). */
static int
under(const char *name, const char *zone)
{
	size_t n = strlen(name), z = strlen(zone);

	while (n && name[n - 1] == '.')
		n--;
	if (n < z || strncasecmp(name + n - z, zone, z))
		return 0;
	return n == z || name[n - z - 1] == '.';
}

/* The EPP statuses that take a name out of the DNS (RFC 5731 2.3). */
static const char *
hold_status(const char *st)
{
	static const char *const holds[] = {"clienthold",	"serverhold",
					    "pendingdelete",	"inactive",
					    "redemptionperiod", NULL};
	static const char *const shown[] = {"clientHold", "serverHold",
					    "pendingDelete", "inactive",
					    "redemptionPeriod"};
	char flat[64];
	size_t i, n = 0;

	/* "client hold" (RDAP, RFC 8056 2) and "clientHold" (EPP/WHOIS) */
	for (i = 0; st[i] && n < sizeof(flat) - 1; i++)
		if (st[i] != ' ' && st[i] != '_' && st[i] != '-')
			flat[n++] = (char)tolower((unsigned char)st[i]);
	flat[n] = '\0';
	for (i = 0; holds[i]; i++)
		if (!strcmp(flat, holds[i]))
			return shown[i];
	return NULL;
}

static void say(struct td_live_obs *o, enum td_live v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(struct td_live_obs *o, enum td_live v, const char *fmt, ...)
{
	va_list ap;

	o->verdict = v;
	va_start(ap, fmt);
	vsnprintf(o->why, sizeof(o->why), fmt, ap);
	va_end(ap);
}

/* A rule's "what", or the ns/address it matched, is takedown's own text. */
void
td_live_judge_host(struct td_live_obs *out, const struct td_live_host *h)
{
	size_t i, k;
	const char *st;

	pthread_once(&once, load);
	say(out, TD_LIVE_UP, "the name resolves");
	if (!h)
		return;
	if (h->dns == TD_NET_NXDOMAIN) {
		say(out, TD_LIVE_DNS_REMOVED,
		    "NXDOMAIN: the name no longer "
		    "exists in the DNS");
		return;
	}
	for (i = 0; i < h->nr_statuses; i++)
		if (h->statuses[i] && (st = hold_status(h->statuses[i]))) {
			say(out, TD_LIVE_DNS_REMOVED,
			    "the registry lists the domain as %s", st);
			return;
		}
	for (k = 0; k < nr_rules; k++) {
		const struct rule *r = &rules[k];

		for (i = 0; r->kind == R_ADDR && i < h->nr_ips; i++)
			if (h->ips[i] && addr_in(r, h->ips[i])) {
				say(out, TD_LIVE_DNS_REMOVED,
				    "the name points to a sinkhole: %s",
				    r->what);
				return;
			}
		for (i = 0; r->kind == R_SINK_NS && i < h->nr_ns; i++)
			if (h->ns[i] && under(h->ns[i], r->name)) {
				say(out, TD_LIVE_DNS_REMOVED,
				    "the domain is delegated to a sinkhole: %s "
				    "(%s)",
				    r->what, r->name);
				return;
			}
	}
	if (h->dns != TD_NET_OK && h->dns != TD_NET_NODATA) {
		say(out, TD_LIVE_FAILED, "DNS: %s", td_net_status_name(h->dns));
		return;
	}
	if (h->dns == TD_NET_NODATA || !h->nr_ips)
		say(out, TD_LIVE_UP, "the name has no address record");
}

/* ---- one fetch ---- */

static int
has_text(const char *hay, size_t len, const char *lower_needle, size_t n)
{
	size_t i, j;

	if (!hay || n > len)
		return 0;
	for (i = 0; i + n <= len; i++) {
		if (tolower((unsigned char)hay[i]) != lower_needle[0])
			continue;
		for (j = 1; j < n; j++)
			if (tolower((unsigned char)hay[i + j]) !=
			    lower_needle[j])
				break;
		if (j == n)
			return 1;
	}
	return 0;
}

static int
page_matches(const struct rule *r, const struct td_live_fetch *f)
{
	size_t i, len = f->len < MAX_BODY ? f->len : MAX_BODY;

	for (i = 0; i < r->nr_conds; i++) {
		const struct cond *c = &r->conds[i];
		int ok = 0;

		switch (c->what) {
		case C_STATUS:
			ok = f->code == c->status;
			break;
		case C_SERVER:
			ok = f->server && has_text(f->server, strlen(f->server),
						   c->text, c->len);
			break;
		case C_TITLE:
			ok = f->title && has_text(f->title, strlen(f->title),
						  c->text, c->len);
			break;
		case C_BODY:
			ok = has_text(f->body, len, c->text, c->len);
			break;
		}
		if (!ok)
			return 0;
	}
	return r->nr_conds > 0;
}

static const struct rule *
parking_ns(const struct td_live_host *h)
{
	size_t i, k;

	for (k = 0; h && k < nr_rules; k++)
		for (i = 0; rules[k].kind == R_PARK_NS && i < h->nr_ns; i++)
			if (h->ns[i] && under(h->ns[i], rules[k].name))
				return &rules[k];
	return NULL;
}

void
td_live_judge(struct td_live_obs *out, const struct td_live_host *h,
	      const struct td_live_fetch *f, const struct td_live_base *b)
{
	size_t k;

	td_live_judge_host(out, h);
	if (out->verdict == TD_LIVE_DNS_REMOVED || !f)
		return;
	switch (f->status) {
	case TD_NET_OK:
		break;
	case TD_NET_REFUSED:
		say(out, TD_LIVE_UNREACHABLE, "connection refused or reset%s%s",
		    f->error ? ": " : "", f->error ? f->error : "");
		return;
	case TD_NET_NXDOMAIN:
		say(out, TD_LIVE_DNS_REMOVED, "NXDOMAIN when fetching");
		return;
	default:
		say(out, TD_LIVE_FAILED, "%s%s%s",
		    td_net_status_name(f->status), f->error ? ": " : "",
		    f->error ? f->error : "");
		return;
	}
	for (k = 0; k < nr_rules; k++) {
		const struct rule *r = &rules[k], *pk;

		if (r->kind != R_PAGE || !page_matches(r, f))
			continue;
		if (r->verdict == TD_LIVE_PARKED && (pk = parking_ns(h))) {
			say(out, TD_LIVE_DNS_REMOVED,
			    "HTTP %ld, %s, and the domain is delegated to %s "
			    "(%s)",
			    f->code, r->what, pk->what, pk->name);
			return;
		}
		say(out, r->verdict, "HTTP %ld, %s", f->code, r->what);
		return;
	}
	if (f->code == 404 || f->code == 410) {
		say(out, TD_LIVE_CONTENT_REMOVED, "HTTP %ld: the page is gone",
		    f->code);
		return;
	}
	if (f->code < 200 || f->code > 299) {
		say(out, TD_LIVE_UP,
		    "HTTP %ld: not counted as down (kits answer errors to "
		    "clients they hide from)",
		    f->code);
		return;
	}
	if (!b || !b->known) {
		say(out, TD_LIVE_UP, "HTTP %ld, no earlier page to compare",
		    f->code);
		return;
	}
	if (b->passwords && !f->passwords) {
		int same_title =
		    (!b->title && !f->title) ||
		    (b->title && f->title && !strcmp(b->title, f->title));
		int same_body =
		    b->sha256 && f->sha256 && !strcmp(b->sha256, f->sha256);

		if (!same_title || !same_body) {
			say(out, TD_LIVE_CLEANED,
			    "HTTP %ld, no password field any more (%u "
			    "before)%s",
			    f->code, b->passwords,
			    same_title ? ", another page" : ", another title");
			return;
		}
	}
	if (!b->passwords && b->forms && !f->forms && b->sha256 && f->sha256 &&
	    strcmp(b->sha256, f->sha256)) {
		say(out, TD_LIVE_CLEANED,
		    "HTTP %ld, the form is gone (%zu "
		    "before), another page",
		    f->code, b->forms);
		return;
	}
	if (b->sha256 && f->sha256 && !strcmp(b->sha256, f->sha256))
		say(out, TD_LIVE_UP, "HTTP %ld, the same page as first seen",
		    f->code);
	else if (f->passwords)
		say(out, TD_LIVE_UP, "HTTP %ld, %u password field%s", f->code,
		    f->passwords, f->passwords == 1 ? "" : "s");
	else
		say(out, TD_LIVE_UP,
		    "HTTP %ld, the page changed but its form "
		    "is still there",
		    f->code);
}

/* ---- agreement and time ---- */

static const enum td_live down_order[] = {
    TD_LIVE_DNS_REMOVED,     TD_LIVE_SUSPENDED, TD_LIVE_CDN_BLOCKED,
    TD_LIVE_CONTENT_REMOVED, TD_LIVE_CLEANED,	TD_LIVE_PARKED,
    TD_LIVE_UNREACHABLE};

enum td_live
td_live_combine(const struct td_live_obs *v, size_t nr, int *disagree)
{
	size_t i, k;
	int up = 0, failed = 0, differ = 0;

	if (disagree)
		*disagree = 0;
	if (!nr)
		return TD_LIVE_FAILED;
	for (i = 0; i < nr; i++) {
		if (v[i].verdict != v[0].verdict)
			differ = 1;
		if (v[i].verdict == TD_LIVE_UP)
			up = 1;
		else if (!td_live_is_down(v[i].verdict))
			failed = 1;
	}
	if (disagree)
		*disagree = differ;
	if (up)
		return TD_LIVE_UP;
	if (failed)
		return TD_LIVE_FAILED;
	if (!differ)
		return v[0].verdict;
	for (k = 0; k < sizeof(down_order) / sizeof(down_order[0]); k++)
		for (i = 0; i < nr; i++)
			if (v[i].verdict == down_order[k])
				return down_order[k];
	return TD_LIVE_FAILED;
}

int
td_live_confirmed(long long *since, const struct td_live_past *past, size_t nr,
		  enum td_live v, long long now, long long confirm_after)
{
	long long start = now;
	size_t i = nr;

	while (i > 0) {
		const struct td_live_past *p = &past[--i];

		if (p->verdict == TD_LIVE_FAILED)
			continue;
		if (p->verdict != v || p->at > now)
			break;
		start = p->at;
	}
	if (since)
		*since = start;
	return td_live_is_down(v) && start < now &&
	       now - start >= confirm_after;
}

/* ---- the event detail ---- */

/* The verdict named by the first word of s (up to space or line end). */
static int
word_verdict(const char *s)
{
	char w[32];
	size_t n = strcspn(s, " \n");

	if (n >= sizeof(w))
		return -1;
	memcpy(w, s, n);
	w[n] = '\0';
	return td_live_parse(w);
}

int
td_live_detail_verdict(const char *detail)
{
	return detail ? word_verdict(detail) : -1;
}

int
td_live_detail_url(const char *detail, const char *url)
{
	const char *p = detail;
	size_t ul = url ? strlen(url) : 0;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (n > 4 && !strncmp(p, "url ", 4)) {
			const char *sp = memchr(p + 4, ' ', n - 4);

			if (sp && (size_t)(p + n - (sp + 1)) == ul &&
			    !memcmp(sp + 1, url, ul))
				return word_verdict(p + 4);
		}
		p = nl ? nl + 1 : NULL;
	}
	return -1;
}
