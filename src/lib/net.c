/*
 * The loop: requests, per-server queues, deduplication, deadlines and one
 * poll(2) over the sockets of c-ares, libcurl and WHOIS.  See
 * docs/internals/net.md.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "err.h"
#include "net.h"
#include "net_impl.h"
#include "banned.h"

#define TD_NET_MAX_TIMEOUT_MS (24u * 3600 * 1000)
#define TD_NET_MAX_BODY ((size_t)1 << 30)
#define TD_NET_MAX_QUERY 1024

const char *
td_net_status_name(enum td_net_status s)
{
	switch (s) {
	case TD_NET_OK:
		return "ok";
	case TD_NET_NXDOMAIN:
		return "nxdomain";
	case TD_NET_NODATA:
		return "nodata";
	case TD_NET_SERVFAIL:
		return "servfail";
	case TD_NET_TIMEOUT:
		return "timeout";
	case TD_NET_REFUSED:
		return "refused";
	case TD_NET_TOO_BIG:
		return "too-big";
	case TD_NET_LIMITED:
		return "rate-limited";
	case TD_NET_ERROR:
		return "error";
	}
	return "error";
}

long long
td_net_now(const struct td_net *n)
{
	struct timespec ts;

	(void)n;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* gate */

long long
td_net_gate_wait(const struct td_net_gate *g, long long now)
{
	long long next;

	if (g->max_inflight && g->inflight >= g->max_inflight)
		return -1;
	if (g->hold_until > now)
		return g->hold_until - now;
	if (!g->interval_ms || !g->stamped)
		return 0;
	next = g->last_start + g->interval_ms;
	return next > now ? next - now : 0;
}

void
td_net_gate_take(struct td_net_gate *g, long long now)
{
	g->inflight++;
	g->stamped = 1;
	g->last_start = now;
}

void
td_net_gate_stamp(struct td_net_gate *g, long long now)
{
	g->stamped = 1;
	if (now > g->last_start)
		g->last_start = now;
}

void
td_net_gate_release(struct td_net_gate *g)
{
	if (g->inflight)
		g->inflight--;
}

unsigned
td_net_interval_ms(unsigned per_sec)
{
	if (!per_sec)
		return 0;
	return (1000 + per_sec - 1) / per_sec;
}

/* host:port and addresses */

int
td_net_split_hostport(char **host, unsigned *port, const char *s,
		      unsigned def_port)
{
	const char *h, *colon, *end;
	size_t hlen, i;
	unsigned long p = def_port;
	char *e, *out;

	*host = NULL;
	if (!s || !*s)
		return TD_EINVAL;
	if (*s == '[') {
		end = strchr(s, ']');
		if (!end || end == s + 1)
			return TD_EINVAL;
		h = s + 1;
		hlen = (size_t)(end - h);
		if (end[1] == ':')
			colon = end + 1;
		else if (!end[1])
			colon = NULL;
		else
			return TD_EINVAL;
	} else {
		h = s;
		colon = strchr(s, ':');
		if (colon && strchr(colon + 1, ':'))
			colon = NULL; /* a bare IPv6 address */
		hlen = colon ? (size_t)(colon - s) : strlen(s);
	}
	if (colon) {
		if (!isdigit((unsigned char)colon[1]))
			return TD_EINVAL;
		errno = 0;
		p = strtoul(colon + 1, &e, 10);
		if (errno || *e || p == 0 || p > 65535)
			return TD_EINVAL;
	}
	if (!hlen || hlen > 253)
		return TD_EINVAL;
	for (i = 0; i < hlen; i++) {
		unsigned char c = (unsigned char)h[i];

		if (c <= ' ' || c >= 0x7f || c == '/' || c == '@' || c == '[' ||
		    c == ']')
			return TD_EINVAL;
	}
	out = td_strndup(h, hlen);
	if (!out)
		return TD_ENOMEM;
	for (i = 0; i < hlen; i++)
		out[i] = (char)tolower((unsigned char)out[i]);
	if (hlen > 1 && out[hlen - 1] == '.')
		out[hlen - 1] = '\0';
	*host = out;
	*port = (unsigned)p;
	return 0;
}

static int
v4_allowed(uint32_t a, int allow_nonpublic)
{
	/* never: 0/8, 224/4 multicast, 240/4 reserved and broadcast */
	if ((a >> 24) == 0 || (a >> 28) == 0xe || (a >> 28) == 0xf)
		return 0;
	if ((a >> 24) == 127 ||		      /* loopback */
	    (a >> 24) == 10 ||		      /* RFC 1918 */
	    (a >> 20) == (172u << 4 | 1) ||   /* 172.16/12 */
	    (a >> 16) == (192u << 8 | 168) || /* 192.168/16 */
	    (a >> 22) == (100u << 2 | 1) ||   /* 100.64/10, RFC 6598 */
	    (a >> 16) == (169u << 8 | 254))   /* link-local */
		return allow_nonpublic;
	return 1;
}

int
td_net_addr_allowed(const struct sockaddr *sa, int allow_nonpublic)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		return v4_allowed(ntohl(s4->sin_addr.s_addr), allow_nonpublic);
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		const unsigned char *b = s6->sin6_addr.s6_addr;
		static const unsigned char mapped[12] = {
		    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

		if (!memcmp(b, mapped, 12))
			return v4_allowed((uint32_t)b[12] << 24 |
					      (uint32_t)b[13] << 16 |
					      (uint32_t)b[14] << 8 | b[15],
					  allow_nonpublic);
		if (IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr) || b[0] == 0xff)
			return 0;
		if (IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr) ||
		    (b[0] & 0xfe) == 0xfc ||		     /* fc00::/7 */
		    (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)) /* fe80::/10 */
			return allow_nonpublic;
		return 1;
	}
	return 0;
}

/* watches */

int
td_net_watch_set(struct td_net *n, int fd, short events, enum td_net_kind kind,
		 void *ptr)
{
	size_t i;

	if (!events) {
		td_net_watch_del(n, fd);
		return 0;
	}
	for (i = 0; i < n->nr_watch; i++)
		if (n->watch[i].fd == fd)
			break;
	if (i == n->nr_watch) {
		if (TD_ARRAY_GROW(n->watch, n->nr_watch + 1, n->alloc_watch)) {
			n->oom = 1;
			return TD_ENOMEM;
		}
		n->nr_watch++;
	}
	n->watch[i].fd = fd;
	n->watch[i].events = events;
	n->watch[i].kind = kind;
	n->watch[i].ptr = ptr;
	return 0;
}

void
td_net_watch_del(struct td_net *n, int fd)
{
	size_t i;

	for (i = 0; i < n->nr_watch; i++) {
		if (n->watch[i].fd == fd) {
			n->watch[i] = n->watch[--n->nr_watch];
			return;
		}
	}
}

/* requests */

static size_t
hash_key(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return (size_t)h;
}

static struct td_net_req *
find_req(struct td_net *n, const char *key)
{
	struct td_net_req *r;

	if (!n->table_size)
		return NULL;
	for (r = n->table[hash_key(key) & (n->table_size - 1)]; r; r = r->hnext)
		if (!strcmp(r->key, key))
			return r;
	return NULL;
}

static int
add_req(struct td_net *n, struct td_net_req *r)
{
	size_t i;

	if (n->table_nr >= n->table_size) {
		size_t size = n->table_size ? n->table_size * 2 : 256;
		struct td_net_req **t = calloc(size, sizeof(*t));

		if (!t)
			return TD_ENOMEM;
		for (i = 0; i < n->table_size; i++) {
			struct td_net_req *q, *next;

			for (q = n->table[i]; q; q = next) {
				size_t h = hash_key(q->key) & (size - 1);

				next = q->hnext;
				q->hnext = t[h];
				t[h] = q;
			}
		}
		free(n->table);
		n->table = t;
		n->table_size = size;
	}
	i = hash_key(r->key) & (n->table_size - 1);
	r->hnext = n->table[i];
	n->table[i] = r;
	n->table_nr++;
	r->anext = n->all;
	n->all = r;
	return 0;
}

static void
free_req(struct td_net_req *r)
{
	struct td_net_waiter *w, *next;

	for (w = r->waiters; w; w = next) {
		next = w->next;
		free(w);
	}
	td_dns_rrs_release(r);
	td_buf_release(&r->body);
	free(r->key);
	free(r->name);
	free(r->accept);
	free(r->host);
	free(r->error);
	free(r->final_url);
	free(r->content_type);
	free(r);
}

static struct td_net_server *
get_server(struct td_net *n, enum td_net_kind kind, const char *name)
{
	struct td_net_server *s;

	for (s = n->servers; s; s = s->next)
		if (s->kind == kind && !strcmp(s->name, name))
			return s;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->name = td_strndup(name, strlen(name));
	if (!s->name) {
		free(s);
		return NULL;
	}
	s->kind = kind;
	s->qtail = &s->qhead;
	s->utail = &s->qhead;
	switch (kind) {
	case TD_NET_KIND_DNS:
		s->gate.max_inflight = n->opts.dns_inflight;
		break;
	case TD_NET_KIND_HTTP:
		s->gate.max_inflight = n->opts.max_inflight;
		s->gate.interval_ms = td_net_interval_ms(n->opts.http_per_sec);
		break;
	case TD_NET_KIND_WHOIS:
		s->gate.max_inflight = 1;
		s->gate.interval_ms = td_net_interval_ms(n->opts.whois_per_sec);
		break;
	}
	s->next = n->servers;
	n->servers = s;
	return s;
}

static void
ready_push(struct td_net *n, struct td_net_req *r)
{
	if (r->on_ready)
		return;
	r->on_ready = 1;
	r->rnext = NULL;
	*n->rtail = r;
	n->rtail = &r->rnext;
}

/*
 * Find or make the request for key, and add a waiter to it.  *made is set
 * when the request is new (the caller fills the question in and queues it).
 */
static int
lookup_req(struct td_net *n, struct td_net_req **out, int *made,
	   enum td_net_kind kind, char *key, void (*cb)(void), void *payload)
{
	struct td_net_req *r;
	struct td_net_waiter *w;

	*made = 0;
	w = calloc(1, sizeof(*w));
	if (!w) {
		free(key);
		return TD_ENOMEM;
	}
	w->payload = payload;
	switch (kind) {
	case TD_NET_KIND_DNS:
		w->cb.dns = (td_dns_cb)cb;
		break;
	case TD_NET_KIND_HTTP:
		w->cb.http = (td_http_cb)cb;
		break;
	case TD_NET_KIND_WHOIS:
		w->cb.whois = (td_whois_cb)cb;
		break;
	}
	r = find_req(n, key);
	if (r) {
		free(key);
		n->stats.deduplicated++;
	} else {
		r = calloc(1, sizeof(*r));
		if (!r) {
			free(key);
			free(w);
			return TD_ENOMEM;
		}
		r->kind = kind;
		r->key = key;
		r->wtail = &r->waiters;
		r->retry_after = -1;
		td_buf_init(&r->body, n->opts.max_body);
		if (add_req(n, r)) {
			free(w);
			free_req(r);
			return TD_ENOMEM;
		}
		*made = 1;
	}
	*r->wtail = w;
	r->wtail = &w->next;
	if (r->state == TD_NET_DONE)
		ready_push(n, r);
	*out = r;
	return 0;
}

static void
enqueue(struct td_net_server *s, struct td_net_req *r)
{
	r->srv = s;
	r->state = TD_NET_QUEUED;
	r->qnext = NULL;
	*s->qtail = r;
	s->qtail = &r->qnext;
}

/*
 * Queue r ahead of the ordinary requests, behind the urgent ones queued
 * before it: the names of the servers asked next must not wait behind
 * thousands of questions of the batch.
 */
static void
enqueue_urgent(struct td_net_server *s, struct td_net_req *r)
{
	r->srv = s;
	r->state = TD_NET_QUEUED;
	r->qnext = *s->utail;
	*s->utail = r;
	if (s->qtail == s->utail)
		s->qtail = &r->qnext;
	s->utail = &r->qnext;
}

/* Take the head of s's queue. */
static struct td_net_req *
dequeue(struct td_net_server *s)
{
	struct td_net_req *r = s->qhead;

	s->qhead = r->qnext;
	if (s->utail == &r->qnext)
		s->utail = &s->qhead;
	if (!s->qhead)
		s->qtail = &s->qhead;
	return r;
}

static char *
make_key(const char *a, const char *b, const char *c)
{
	struct td_buf k = TD_BUF_INIT;

	td_buf_printf(&k, "%s\n%s\n%s", a, b, c);
	if (td_buf_failed(&k)) {
		td_buf_release(&k);
		return NULL;
	}
	return td_buf_detach(&k, NULL);
}

/* The reverse-lookup name of an IP address, or NULL when s is none. */
static char *
reverse_name(const char *s)
{
	unsigned char a[16];
	struct td_buf b = TD_BUF_INIT;
	int i;

	if (inet_pton(AF_INET, s, a) == 1) {
		td_buf_printf(&b, "%u.%u.%u.%u.in-addr.arpa", a[3], a[2], a[1],
			      a[0]);
	} else if (inet_pton(AF_INET6, s, a) == 1) {
		for (i = 15; i >= 0; i--)
			td_buf_printf(&b, "%x.%x.", a[i] & 0xf, a[i] >> 4);
		td_buf_adds(&b, "ip6.arpa");
	} else {
		return NULL;
	}
	if (td_buf_failed(&b)) {
		td_buf_release(&b);
		return NULL;
	}
	return td_buf_detach(&b, NULL);
}

static int
valid_dns_type(enum td_dns_type t)
{
	switch (t) {
	case TD_DNS_A:
	case TD_DNS_NS:
	case TD_DNS_CNAME:
	case TD_DNS_MX:
	case TD_DNS_TXT:
	case TD_DNS_AAAA:
	case TD_DNS_PTR:
		return 1;
	}
	return 0;
}

static int dns_request(struct td_net *n, const char *name,
		       enum td_dns_type type, td_dns_cb cb, void *payload,
		       int urgent);

int
td_net_dns(struct td_net *n, const char *name, enum td_dns_type type,
	   td_dns_cb cb, void *payload)
{
	return dns_request(n, name, type, cb, payload, 0);
}

static int
dns_request(struct td_net *n, const char *name, enum td_dns_type type,
	    td_dns_cb cb, void *payload, int urgent)
{
	struct td_net_server *s;
	struct td_net_req *r;
	char *q = NULL, *key, tbuf[16];
	size_t len, i;
	int made, rc;

	if (!name || !cb || !valid_dns_type(type))
		return TD_EINVAL;
	if (type == TD_DNS_PTR)
		q = reverse_name(name);
	if (!q) {
		len = strlen(name);
		if (len > 1 && name[len - 1] == '.')
			len--;
		if (!len || len > 253)
			return TD_EINVAL;
		for (i = 0; i < len; i++)
			if ((unsigned char)name[i] <= ' ' ||
			    (unsigned char)name[i] == 0x7f)
				return TD_EINVAL;
		q = td_strndup(name, len);
		if (!q)
			return TD_ENOMEM;
		for (i = 0; i < len; i++)
			q[i] = (char)tolower((unsigned char)q[i]);
	}
	snprintf(tbuf, sizeof(tbuf), "%d", (int)type);
	key = make_key("dns", tbuf, q);
	if (!key) {
		free(q);
		return TD_ENOMEM;
	}
	s = get_server(n, TD_NET_KIND_DNS, n->dns_server);
	if (!s) {
		free(q);
		free(key);
		return TD_ENOMEM;
	}
	rc = lookup_req(n, &r, &made, TD_NET_KIND_DNS, key, (void (*)(void))cb,
			payload);
	if (rc || !made) {
		free(q);
		return rc;
	}
	r->name = q;
	r->qtype = type;
	if (urgent)
		enqueue_urgent(s, r);
	else
		enqueue(s, r);
	return 0;
}

int
td_net_http_get(struct td_net *n, const char *url, const char *accept,
		td_http_cb cb, void *payload)
{
	struct td_net_server *s;
	struct td_net_req *r;
	char *origin = NULL, *host = NULL, *key;
	unsigned port;
	int made, rc;

	if (!url || !cb)
		return TD_EINVAL;
	if (accept && strpbrk(accept, "\r\n"))
		return TD_EINVAL;
	rc = td_http_origin(&origin, &host, &port, url);
	if (rc)
		return rc;
	s = get_server(n, TD_NET_KIND_HTTP, origin);
	key = make_key("http", accept ? accept : "", url);
	if (!s || !key) {
		free(key);
		rc = TD_ENOMEM;
		goto out;
	}
	rc = lookup_req(n, &r, &made, TD_NET_KIND_HTTP, key, (void (*)(void))cb,
			payload);
	if (rc || !made)
		goto out;
	r->srv = s;
	r->name = td_strndup(url, strlen(url));
	r->accept = accept ? td_strndup(accept, strlen(accept)) : NULL;
	if (!r->name || (accept && !r->accept)) {
		/* the waiter is in: answer it rather than strand it */
		td_net_finish(n, r, TD_NET_ERROR, "out of memory");
		goto out;
	}
	enqueue(s, r);
out:
	free(origin);
	free(host);
	return rc;
}

int
td_net_whois(struct td_net *n, const char *server, const char *query,
	     td_whois_cb cb, void *payload)
{
	struct td_net_server *s;
	struct td_net_req *r;
	char *host = NULL, *key = NULL, name[300];
	unsigned port;
	size_t i, len;
	int made, rc;

	if (!server || !query || !cb)
		return TD_EINVAL;
	len = strlen(query);
	if (len > TD_NET_MAX_QUERY)
		return TD_EINVAL;
	for (i = 0; i < len; i++)
		if (query[i] == '\r' || query[i] == '\n')
			return TD_EINVAL;
	rc = td_net_split_hostport(&host, &port, server, 43);
	if (rc)
		return rc;
	snprintf(name, sizeof(name), strchr(host, ':') ? "[%s]:%u" : "%s:%u",
		 host, port);
	s = get_server(n, TD_NET_KIND_WHOIS, name);
	key = make_key("whois", name, query);
	if (!s || !key) {
		free(key);
		free(host);
		return TD_ENOMEM;
	}
	rc = lookup_req(n, &r, &made, TD_NET_KIND_WHOIS, key,
			(void (*)(void))cb, payload);
	if (rc || !made) {
		free(host);
		return rc;
	}
	r->srv = s;
	r->name = td_strndup(query, len);
	r->host = host;
	r->port = port;
	if (!r->name) {
		/* the waiter is in: answer it rather than strand it */
		td_net_finish(n, r, TD_NET_ERROR, "out of memory");
		return 0;
	}
	enqueue(s, r);
	return 0;
}

/* the active set */

static int
active_add(struct td_net *n, struct td_net_req *r)
{
	if (TD_ARRAY_GROW(n->active, n->nr_active + 1, n->alloc_active))
		return TD_ENOMEM;
	n->active[n->nr_active++] = r;
	return 0;
}

static void
active_remove(struct td_net *n, struct td_net_req *r)
{
	size_t i;

	for (i = 0; i < n->nr_active; i++) {
		if (n->active[i] == r) {
			n->active[i] = n->active[--n->nr_active];
			return;
		}
	}
}

static void
cancel_step(struct td_net *n, struct td_net_req *r)
{
	switch (r->kind) {
	case TD_NET_KIND_DNS:
		td_dns_cancel(n, r);
		break;
	case TD_NET_KIND_HTTP:
		td_http_cancel(n, r);
		break;
	case TD_NET_KIND_WHOIS:
		td_whois_cancel(n, r);
		break;
	}
}

void
td_net_finish(struct td_net *n, struct td_net_req *r, enum td_net_status status,
	      const char *fmt, ...)
{
	struct td_buf e = TD_BUF_INIT;
	va_list ap;

	if (r->state == TD_NET_DONE)
		return;
	/* first: the arguments may live in the step state freed below */
	if (fmt) {
		va_start(ap, fmt);
		td_buf_vprintf(&e, fmt, ap);
		va_end(ap);
	}
	if (r->state == TD_NET_ACTIVE) {
		cancel_step(n, r);
		active_remove(n, r);
	}
	if (r->holds_slot) {
		td_net_gate_release(&r->srv->gate);
		r->holds_slot = 0;
	}
	r->gen++;
	r->state = TD_NET_DONE;
	n->nr_done++;
	r->status = status;
	r->when = (long long)time(NULL);
	free(r->error);
	r->error = NULL;
	if (fmt && !td_buf_failed(&e))
		r->error = td_buf_detach(&e, NULL);
	td_buf_release(&e);
	if (status != TD_NET_OK)
		td_buf_release(&r->body);
	ready_push(n, r);
}

void
td_net_retry_later(struct td_net *n, struct td_net_req *r, long long wait_ms)
{
	struct td_net_server *s = r->srv;
	long long until = td_net_now(n) + wait_ms;

	if (r->state == TD_NET_ACTIVE) {
		cancel_step(n, r);
		active_remove(n, r);
	}
	if (r->holds_slot) {
		td_net_gate_release(&s->gate);
		r->holds_slot = 0;
	}
	r->gen++;
	r->retries++;
	r->code = 0;
	r->retry_after = -1;
	free(r->content_type);
	r->content_type = NULL;
	free(r->final_url);
	r->final_url = NULL;
	td_buf_reset(&r->body);
	if (until > s->gate.hold_until)
		s->gate.hold_until = until;
	r->state = TD_NET_QUEUED;
	r->qnext = s->qhead;
	s->qhead = r;
	if (!r->qnext)
		s->qtail = &r->qnext;
	n->stats.retried++;
}

static struct td_net_server *
find_server(const struct td_net *n, const char *name)
{
	struct td_net_server *s;

	for (s = n->servers; s; s = s->next)
		if (s->kind != TD_NET_KIND_DNS && !strcasecmp(s->name, name))
			return s;
	return NULL;
}

int
td_net_ban(struct td_net *n, const char *server, long long until)
{
	struct td_net_server *s = find_server(n, server);

	if (!s) {
		s = get_server(n,
			       strstr(server, "://") ? TD_NET_KIND_HTTP
						     : TD_NET_KIND_WHOIS,
			       server);
		if (!s)
			return TD_ENOMEM;
	}
	if (until > s->banned_until)
		s->banned_until = until;
	return 0;
}

long long
td_net_banned(const struct td_net *n, const char *server)
{
	const struct td_net_server *s = find_server(n, server);

	return s && s->banned_until > (long long)time(NULL) ? s->banned_until
							   : 0;
}

/* resolution for HTTP and WHOIS */

struct resolve_ticket {
	struct td_net *n;
	struct td_net_req *r;
	unsigned gen;
	char *host;
	unsigned port;
	td_net_resolve_cb cb;
	struct td_net_addrs addrs;
	size_t alloc;
	int aaaa;
};

static void resolve_dns_cb(const struct td_dns_answer *a, void *payload);

static void
ticket_free(struct resolve_ticket *t)
{
	free(t->host);
	free(t->addrs.addr);
	free(t);
}

static void
resolve_dns_cb(const struct td_dns_answer *a, void *payload)
{
	struct resolve_ticket *t = payload;
	struct td_net *n = t->n;
	size_t i;

	if (t->r->state != TD_NET_ACTIVE || t->r->gen != t->gen) {
		ticket_free(t);
		return;
	}
	for (i = 0; i < a->nr; i++) {
		const struct td_dns_rr *rr = &a->rrs[i];
		struct sockaddr_storage ss;

		if (rr->type != TD_DNS_A && rr->type != TD_DNS_AAAA)
			continue;
		memset(&ss, 0, sizeof(ss));
		if (rr->type == TD_DNS_A) {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

			s4->sin_family = AF_INET;
			s4->sin_port = htons((uint16_t)t->port);
			if (inet_pton(AF_INET, rr->value, &s4->sin_addr) != 1)
				continue;
		} else {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons((uint16_t)t->port);
			if (inet_pton(AF_INET6, rr->value, &s6->sin6_addr) != 1)
				continue;
		}
		if (!td_net_addr_allowed((struct sockaddr *)&ss,
					 n->opts.allow_loopback)) {
			t->addrs.refused++;
			continue;
		}
		if (TD_ARRAY_GROW(t->addrs.addr, t->addrs.nr + 1, t->alloc)) {
			n->oom = 1;
			continue;
		}
		t->addrs.addr[t->addrs.nr++] = ss;
	}
	if (!t->addrs.nr && !t->aaaa &&
	    (a->status == TD_NET_OK || a->status == TD_NET_NODATA)) {
		t->aaaa = 1;
		if (!dns_request(n, t->host, TD_DNS_AAAA, resolve_dns_cb, t, 1))
			return;
	}
	if (t->addrs.nr)
		t->addrs.status = TD_NET_OK;
	else if (t->addrs.refused)
		t->addrs.status = TD_NET_REFUSED;
	else if (a->status == TD_NET_OK)
		t->addrs.status = TD_NET_NODATA;
	else
		t->addrs.status = a->status;
	t->addrs.error = a->error;
	t->cb(n, t->r, &t->addrs);
	ticket_free(t);
}

int
td_net_resolve(struct td_net *n, struct td_net_req *r, const char *host,
	       unsigned port, td_net_resolve_cb cb)
{
	struct resolve_ticket *t = calloc(1, sizeof(*t));
	int rc;

	if (!t)
		return TD_ENOMEM;
	t->n = n;
	t->r = r;
	t->gen = r->gen;
	t->port = port;
	t->cb = cb;
	t->host = td_strndup(host, strlen(host));
	if (!t->host) {
		free(t);
		return TD_ENOMEM;
	}
	rc = dns_request(n, host, TD_DNS_A, resolve_dns_cb, t, 1);
	if (rc)
		ticket_free(t);
	return rc;
}

/* the loop */

static void
call_waiter(struct td_net_req *r, struct td_net_waiter *w)
{
	switch (r->kind) {
	case TD_NET_KIND_DNS: {
		struct td_dns_answer a;

		memset(&a, 0, sizeof(a));
		a.status = r->status;
		a.qname = r->name;
		a.qtype = r->qtype;
		a.server = r->srv->name;
		a.rrs = r->rrs;
		a.nr = r->nr;
		a.error = r->error;
		a.when = r->when;
		w->cb.dns(&a, w->payload);
		break;
	}
	case TD_NET_KIND_HTTP: {
		struct td_http_reply h;

		memset(&h, 0, sizeof(h));
		h.status = r->status;
		h.code = r->code;
		h.url = r->name ? r->name : "";
		h.final_url = r->final_url ? r->final_url : h.url;
		h.body = r->body.ptr;
		h.len = r->body.len;
		h.content_type = r->content_type;
		h.retry_after = r->retry_after;
		h.error = r->error;
		h.when = r->when;
		w->cb.http(&h, w->payload);
		break;
	}
	case TD_NET_KIND_WHOIS: {
		struct td_whois_reply wr;

		memset(&wr, 0, sizeof(wr));
		wr.status = r->status;
		wr.server = r->srv->name;
		wr.query = r->name ? r->name : "";
		wr.text = r->body.ptr;
		wr.len = r->body.len;
		wr.error = r->error;
		wr.when = r->when;
		w->cb.whois(&wr, w->payload);
		break;
	}
	}
}

/* Call every waiter of every answered request, oldest first. */
static void
deliver(struct td_net *n)
{
	struct td_net_req *r;
	struct td_net_waiter *w;

	while ((r = n->ready)) {
		n->ready = r->rnext;
		if (!n->ready)
			n->rtail = &n->ready;
		r->on_ready = 0;
		while ((w = r->waiters)) {
			r->waiters = w->next;
			if (!r->waiters)
				r->wtail = &r->waiters;
			call_waiter(r, w);
			free(w);
		}
	}
}

/* End the requests whose deadline passed; returns ms to the next one. */
static long long
expire(struct td_net *n, long long now)
{
	long long next = -1;
	size_t i = 0;

	while (i < n->nr_active) {
		struct td_net_req *r = n->active[i];

		if (r->deadline && r->deadline <= now) {
			td_net_finish(n, r, TD_NET_TIMEOUT,
				      "no answer within %u ms",
				      n->opts.timeout_ms);
			continue; /* r was swapped out of slot i */
		}
		if (r->deadline && (next < 0 || r->deadline - now < next))
			next = r->deadline - now;
		i++;
	}
	return next;
}

static int
start_one(struct td_net *n, struct td_net_req *r, long long now)
{
	int rc = 0;

	if (active_add(n, r))
		return TD_ENOMEM;
	r->state = TD_NET_ACTIVE;
	r->deadline = now + n->opts.timeout_ms;
	td_net_gate_take(&r->srv->gate, now);
	r->holds_slot = 1;
	switch (r->kind) {
	case TD_NET_KIND_DNS:
		rc = td_dns_start(n, r);
		break;
	case TD_NET_KIND_HTTP:
		rc = td_http_start(n, r);
		break;
	case TD_NET_KIND_WHOIS:
		rc = td_whois_start(n, r);
		break;
	}
	if (rc)
		td_net_finish(n, r, TD_NET_ERROR, "%s", td_strerror(rc));
	return 0;
}

/*
 * Start what the gates allow.  Returns ms until a gate opens (-1: none is
 * waiting on time).  *queued is set when requests remain queued, *started
 * when one was started (which may have queued another: a resolution).
 */
static long long
start_queued(struct td_net *n, long long now, int *queued, int *started)
{
	struct td_net_server *s;
	long long next = -1, w = 0;

	*queued = 0;
	*started = 0;
	for (s = n->servers; s; s = s->next) {
		if (s->banned_until && s->qhead &&
		    s->banned_until <= (long long)time(NULL))
			s->banned_until = 0;
		while (s->banned_until && s->qhead) {
			struct td_net_req *r = dequeue(s);

			*started = 1;
			td_net_finish(n, r, TD_NET_LIMITED,
				      "%s asked not to be queried for now",
				      s->name);
		}
		while (s->qhead) {
			struct td_net_req *r = s->qhead;

			w = td_net_gate_wait(&s->gate, now);
			if (w)
				break;
			dequeue(s);
			*started = 1;
			if (start_one(n, r, now)) {
				n->oom = 1;
				return 0;
			}
		}
		if (s->qhead) {
			*queued = 1;
			if (w > 0 && (next < 0 || w < next))
				next = w;
		}
	}
	return next;
}

static long long
min_timeout(long long a, long long b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

static void
dispatch(struct td_net *n, size_t nfds)
{
	size_t i, j;

	for (i = 0; i < nfds; i++) {
		struct pollfd *p = &n->pfd[i];

		if (!p->revents)
			continue;
		for (j = 0; j < n->nr_watch; j++)
			if (n->watch[j].fd == p->fd)
				break;
		if (j == n->nr_watch)
			continue; /* closed by an earlier handler */
		switch (n->watch[j].kind) {
		case TD_NET_KIND_DNS:
			td_dns_on_fd(n, p->fd, p->revents);
			break;
		case TD_NET_KIND_HTTP:
			td_http_on_fd(n, p->fd, p->revents);
			break;
		case TD_NET_KIND_WHOIS:
			td_whois_on_fd(n, n->watch[j].ptr, p->revents);
			break;
		}
	}
}

static void
report_progress(struct td_net *n, long long now, int last)
{
	struct td_net_progress p;

	if (!n->opts.progress || (!last && now - n->progress_at < 250))
		return;
	n->progress_at = now;
	p.total = n->table_nr;
	p.answered = n->nr_done < p.total ? n->nr_done : p.total;
	n->opts.progress(&p, n->opts.progress_arg);
}

int
td_net_run(struct td_net *n)
{
	for (;;) {
		long long now, timeout, t;
		size_t i, nfds;
		int queued, started, rc;

		deliver(n);
		if (n->oom)
			return TD_ENOMEM;
		now = td_net_now(n);
		expire(n, now); /* frees slots for the queues */
		do
			t = start_queued(n, now, &queued, &started);
		while (started && !n->oom);
		/* again: the requests just started have deadlines too */
		timeout = min_timeout(expire(n, now), t);
		if (n->oom)
			return TD_ENOMEM;
		if (n->ready)
			continue;
		if (!n->nr_active && !queued) {
			report_progress(n, now, 1);
			return 0;
		}
		timeout = min_timeout(timeout, td_dns_timeout(n));
		timeout = min_timeout(timeout, td_http_timeout(n));
		if (n->opts.progress) {
			report_progress(n, now, 0);
			timeout = min_timeout(timeout, 250);
		}
		if (timeout > INT_MAX)
			timeout = INT_MAX;

		if (n->nr_watch > n->alloc_pfd) {
			if (TD_ARRAY_GROW(n->pfd, n->nr_watch, n->alloc_pfd))
				return TD_ENOMEM;
		}
		nfds = n->nr_watch;
		for (i = 0; i < nfds; i++) {
			n->pfd[i].fd = n->watch[i].fd;
			n->pfd[i].events = n->watch[i].events;
			n->pfd[i].revents = 0;
		}
		rc = poll(n->pfd, (nfds_t)nfds, (int)timeout);
		if (rc < 0 && errno != EINTR)
			return TD_EIO;
		if (rc > 0)
			dispatch(n, nfds);
		td_dns_tick(n);
		td_http_tick(n);
	}
}

/* Parse "HOST:PORT:ADDR:PORT2" (HOST or ADDR may be in brackets). */
static int
parse_map(struct td_net_map *m, const char *s)
{
	const char *p = s, *hend;
	char *host = NULL, *rest = NULL;
	unsigned long port;
	char *e;
	int rc;

	memset(m, 0, sizeof(*m));
	if (*p == '[') {
		hend = strchr(p, ']');
		if (!hend || hend[1] != ':')
			return TD_EINVAL;
		hend++;
	} else {
		hend = strchr(p, ':');
		if (!hend)
			return TD_EINVAL;
	}
	rest = td_strndup(s, (size_t)(hend - s));
	if (!rest)
		return TD_ENOMEM;
	rc = td_net_split_hostport(&host, &m->port, rest, 0);
	free(rest);
	if (rc)
		return rc;
	m->host = host;
	if (!isdigit((unsigned char)hend[1]))
		return TD_EINVAL;
	errno = 0;
	port = strtoul(hend + 1, &e, 10);
	if (errno || *e != ':' || port == 0 || port > 65535)
		return TD_EINVAL;
	m->port = (unsigned)port;
	rc = td_net_split_hostport(&m->addr, &m->port, e + 1, 0);
	if (rc)
		return rc;
	if (!m->port)
		return TD_EINVAL;
	if (inet_pton(AF_INET, m->addr,
		      &((struct sockaddr_in *)&m->ss)->sin_addr) == 1) {
		m->ss.ss_family = AF_INET;
		((struct sockaddr_in *)&m->ss)->sin_port =
		    htons((uint16_t)m->port);
	} else if (inet_pton(AF_INET6, m->addr,
			     &((struct sockaddr_in6 *)&m->ss)->sin6_addr) ==
		   1) {
		m->ss.ss_family = AF_INET6;
		((struct sockaddr_in6 *)&m->ss)->sin6_port =
		    htons((uint16_t)m->port);
	} else {
		return TD_EINVAL;
	}
	/* the port asked for, kept apart from the port connected to */
	m->port = (unsigned)port;
	return 0;
}

const struct td_net_map *
td_net_mapped(const struct td_net *n, const char *host, unsigned port)
{
	size_t i;

	for (i = 0; i < n->nr_map; i++)
		if (n->map[i].port == port && !strcasecmp(n->map[i].host, host))
			return &n->map[i];
	return NULL;
}

int
td_net_new(struct td_net **out, const struct td_net_opts *opts,
	   struct td_error *err)
{
	static const struct td_net_opts defaults = TD_NET_OPTS_INIT;
	struct td_net *n;
	int rc;

	*out = NULL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return td_error_set(err, TD_ENOMEM, "out of memory");
	n->opts = opts ? *opts : defaults;
	if (!n->opts.timeout_ms)
		n->opts.timeout_ms = defaults.timeout_ms;
	if (!n->opts.max_inflight)
		n->opts.max_inflight = defaults.max_inflight;
	if (!n->opts.whois_per_sec)
		n->opts.whois_per_sec = defaults.whois_per_sec;
	if (!n->opts.http_per_sec)
		n->opts.http_per_sec = defaults.http_per_sec;
	if (!n->opts.max_body)
		n->opts.max_body = defaults.max_body;
	if (!n->opts.dns_inflight)
		n->opts.dns_inflight = defaults.dns_inflight;
	if (!n->opts.max_wait_ms)
		n->opts.max_wait_ms = defaults.max_wait_ms;
	n->rtail = &n->ready;
	rc = TD_EINVAL;
	if (n->opts.timeout_ms > TD_NET_MAX_TIMEOUT_MS) {
		td_error_set(err, rc, "net: timeout %u ms is over a day",
			     n->opts.timeout_ms);
		goto fail;
	}
	if (n->opts.max_body > TD_NET_MAX_BODY) {
		td_error_set(err, rc, "net: max body %zu is over 1 GiB",
			     n->opts.max_body);
		goto fail;
	}
	if (n->opts.whois_per_sec > 1000 || n->opts.http_per_sec > 1000) {
		td_error_set(err, rc, "net: more than 1000 requests a second");
		goto fail;
	}
	if (n->opts.max_inflight > 1024 || n->opts.dns_inflight > 1024) {
		td_error_set(err, rc, "net: more than 1024 requests in flight");
		goto fail;
	}
	if (n->opts.user_agent && strpbrk(n->opts.user_agent, "\r\n")) {
		td_error_set(err, rc, "net: line break in the user agent");
		goto fail;
	}
	n->user_agent = td_strndup(
	    n->opts.user_agent ? n->opts.user_agent : "takedown/" TD_VERSION,
	    n->opts.user_agent ? strlen(n->opts.user_agent)
			       : strlen("takedown/" TD_VERSION));
	if (!n->user_agent) {
		rc = td_error_set(err, TD_ENOMEM, "out of memory");
		goto fail;
	}
	n->opts.user_agent = n->user_agent;
	rc = td_dns_init(n, err);
	if (rc)
		goto fail;
	n->opts.dns_server = n->dns_server;
	if (n->opts.nr_connect_to) {
		size_t i;

		n->map = calloc(n->opts.nr_connect_to, sizeof(*n->map));
		if (!n->map) {
			rc = td_error_set(err, TD_ENOMEM, "out of memory");
			goto fail;
		}
		for (i = 0; i < n->opts.nr_connect_to; i++) {
			rc = parse_map(&n->map[n->nr_map++],
				       n->opts.connect_to[i]);
			if (rc == TD_ENOMEM) {
				td_error_set(err, rc, "out of memory");
				goto fail;
			}
			if (rc) {
				rc = td_error_set(
				    err, TD_EINVAL,
				    "connect-to \"%s\": not "
				    "HOST:PORT:ADDRESS:PORT",
				    n->opts.connect_to[i]);
				goto fail;
			}
		}
		n->opts.connect_to = NULL;
	}
	rc = td_http_init(n, err);
	if (rc)
		goto fail;
	*out = n;
	return 0;
fail:
	td_net_free(n);
	return rc;
}

void
td_net_free(struct td_net *n)
{
	struct td_net_req *r, *next;
	struct td_net_server *s, *snext;

	if (!n)
		return;
	/* ends every c-ares query (their callbacks see EDESTRUCTION) */
	td_dns_release(n);
	while (n->nr_active) {
		r = n->active[n->nr_active - 1];
		cancel_step(n, r);
		n->nr_active--;
	}
	td_http_release(n);
	for (r = n->all; r; r = next) {
		struct td_net_waiter *w;

		next = r->anext;
		/* resolution tickets waiting on a DNS answer are ours */
		for (w = r->waiters; w; w = w->next)
			if (r->kind == TD_NET_KIND_DNS &&
			    w->cb.dns == resolve_dns_cb)
				ticket_free(w->payload);
		free_req(r);
	}
	for (s = n->servers; s; s = snext) {
		snext = s->next;
		free(s->name);
		free(s);
	}
	for (size_t i = 0; i < n->nr_map; i++) {
		free(n->map[i].host);
		free(n->map[i].addr);
	}
	free(n->map);
	free(n->table);
	free(n->active);
	free(n->watch);
	free(n->pfd);
	free(n->dns_server);
	free(n->user_agent);
	free(n);
}

void
td_net_stats(const struct td_net *n, struct td_net_stats *out)
{
	*out = n->stats;
}
