/*
 * DNS through c-ares, driven by the net loop: c-ares tells us which
 * sockets to watch (ARES_OPT_SOCK_STATE_CB), the loop polls them and hands
 * readiness back with ares_process_fd().  Answers are read from the raw
 * message so that every record keeps its TTL and the CNAME chain is seen
 * even when the final name has no record of the type asked.
 */
#include <arpa/inet.h>
#include <ares.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "net.h"
#include "net_impl.h"
#include "banned.h"

#define DNS_CLASS_IN 1
#define DNS_MAX_CHAIN 16

struct td_dns {
	ares_channel ch;
	int inited; /* ares_library_init succeeded */
	int destroying;
};

/* One ares_query in progress; r is NULL once abandoned (deadline). */
struct dns_query {
	struct td_net *n;
	struct td_net_req *r;
};

static void
sock_state_cb(void *data, ares_socket_t fd, int readable, int writable)
{
	struct td_net *n = data;
	short ev = (short)((readable ? POLLIN : 0) | (writable ? POLLOUT : 0));

	td_net_watch_set(n, fd, ev, TD_NET_KIND_DNS, NULL);
}

int
td_dns_init(struct td_net *n, struct td_error *err)
{
	struct ares_options o;
	struct ares_addr_port_node *servers = NULL;
	struct td_dns *d;
	char *host = NULL, csv[300], addr[INET6_ADDRSTRLEN];
	unsigned port = 53;
	unsigned char tmp[16];
	int rc, optmask;

	d = calloc(1, sizeof(*d));
	if (!d)
		return td_error_set(err, TD_ENOMEM, "out of memory");
	n->dns = d;
	if (n->opts.dns_server) {
		if (td_net_split_hostport(&host, &port, n->opts.dns_server,
					  53) ||
		    (inet_pton(AF_INET, host, tmp) != 1 &&
		     inet_pton(AF_INET6, host, tmp) != 1)) {
			free(host);
			return td_error_set(err, TD_EINVAL,
					    "%s: dns server must be an IP "
					    "address with an optional port",
					    n->opts.dns_server);
		}
	}
	rc = ares_library_init(ARES_LIB_INIT_ALL);
	if (rc != ARES_SUCCESS) {
		free(host);
		return td_error_set(err, TD_EIO, "c-ares: %s",
				    ares_strerror(rc));
	}
	d->inited = 1;
	memset(&o, 0, sizeof(o));
	/*
	 * c-ares waits timeout, then 2 * timeout for the second try: the two
	 * together fit in the request's deadline.  NOCHECKRESP hands SERVFAIL
	 * and REFUSED answers back at once instead of retrying them.
	 */
	o.timeout = (int)(n->opts.timeout_ms / 3 ? n->opts.timeout_ms / 3 : 1);
	o.tries = 2;
	o.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_NOSEARCH;
	o.sock_state_cb = sock_state_cb;
	o.sock_state_cb_data = n;
	optmask = ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS |
		  ARES_OPT_SOCK_STATE_CB;
	rc = ares_init_options(&d->ch, &o, optmask);
	if (rc != ARES_SUCCESS) {
		free(host);
		return td_error_set(err, rc == ARES_ENOMEM ? TD_ENOMEM : TD_EIO,
				    "c-ares: %s", ares_strerror(rc));
	}
	if (host) {
		snprintf(csv, sizeof(csv),
			 strchr(host, ':') ? "[%s]:%u" : "%s:%u", host, port);
		free(host);
		rc = ares_set_servers_ports_csv(d->ch, csv);
		if (rc != ARES_SUCCESS)
			return td_error_set(err, TD_EINVAL, "%s: c-ares: %s",
					    n->opts.dns_server,
					    ares_strerror(rc));
	} else {
		/* name the first server of the system's configuration */
		snprintf(csv, sizeof(csv), "system");
		if (ares_get_servers_ports(d->ch, &servers) == ARES_SUCCESS &&
		    servers &&
		    inet_ntop(servers->family, &servers->addr, addr,
			      sizeof(addr)))
			snprintf(
			    csv, sizeof(csv),
			    servers->family == AF_INET6 ? "[%s]:%d" : "%s:%d",
			    addr, servers->udp_port ? servers->udp_port : 53);
		ares_free_data(servers);
	}
	n->dns_server = td_strndup(csv, strlen(csv));
	if (!n->dns_server)
		return td_error_set(err, TD_ENOMEM, "out of memory");
	return 0;
}

void
td_dns_release(struct td_net *n)
{
	struct td_dns *d = n->dns;

	if (!d)
		return;
	d->destroying = 1;
	if (d->ch)
		ares_destroy(d->ch);
	if (d->inited)
		ares_library_cleanup();
	free(d);
	n->dns = NULL;
}

/* DNS records */

void
td_dns_rrs_release(struct td_net_req *r)
{
	size_t i;

	for (i = 0; i < r->nr; i++) {
		free(r->rrs[i].name);
		free(r->rrs[i].value);
	}
	free(r->rrs);
	r->rrs = NULL;
	r->nr = r->alloc_rrs = 0;
}

static unsigned
rd16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static unsigned long
rd32(const unsigned char *p)
{
	return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 |
	       (unsigned long)p[2] << 8 | p[3];
}

/*
 * Append s to b lowercased, with bytes outside printable ASCII written as
 * \DDD (RFC 1035 5.1), so that a name or text never carries control bytes.
 */
static void
add_clean(struct td_buf *b, const unsigned char *s, size_t len, int lower)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c < 0x20 || c >= 0x7f)
			td_buf_printf(b, "\\%03u", c);
		else
			td_buf_addch(b, lower ? tolower(c) : c);
	}
}

/* Expand the name at p; *len gets its encoded length.  NULL: malformed. */
static char *
get_name(const unsigned char *p, const unsigned char *abuf, int alen, long *len)
{
	char *raw = NULL, *out;
	struct td_buf b = TD_BUF_INIT;

	if (ares_expand_name(p, abuf, alen, &raw, len) != ARES_SUCCESS)
		return NULL;
	/* the root is "" from c-ares; "." is clearer (RFC 7505 null MX) */
	if (!*raw)
		td_buf_addch(&b, '.');
	else
		add_clean(&b, (const unsigned char *)raw, strlen(raw), 1);
	ares_free_string(raw);
	if (td_buf_failed(&b)) {
		td_buf_release(&b);
		return NULL;
	}
	out = td_buf_detach(&b, NULL);
	return out;
}

struct raw_rr {
	char *owner;
	unsigned type;
	unsigned long ttl;
	const unsigned char *rd;
	unsigned rdlen;
};

static int
add_rr(struct td_net_req *r, const struct raw_rr *raw, char *value,
       unsigned prio)
{
	struct td_dns_rr *rr;
	char *owner;

	owner = td_strndup(raw->owner, strlen(raw->owner));
	if (!value || !owner ||
	    TD_ARRAY_GROW(r->rrs, r->nr + 1, r->alloc_rrs)) {
		free(owner);
		free(value);
		return TD_ENOMEM;
	}
	rr = &r->rrs[r->nr++];
	rr->type = (enum td_dns_type)raw->type;
	rr->name = owner;
	rr->value = value;
	/* RFC 2181 8: a TTL with the top bit set is read as zero */
	rr->ttl = raw->ttl & 0x80000000ul ? 0 : (unsigned)raw->ttl;
	rr->priority = prio;
	return 0;
}

/* Decode the value of raw.  0, TD_EPARSE or TD_ENOMEM. */
static int
decode_rr(struct td_net_req *r, const struct raw_rr *raw,
	  const unsigned char *abuf, int alen, const char **why)
{
	char addr[INET6_ADDRSTRLEN];
	struct td_buf b = TD_BUF_INIT;
	char *v;
	long len;
	unsigned i;

	switch (raw->type) {
	case TD_DNS_A:
	case TD_DNS_AAAA:
		if (raw->rdlen != (raw->type == TD_DNS_A ? 4u : 16u)) {
			*why = "RFC 1035 3.4.1: address of the wrong length";
			return TD_EPARSE;
		}
		inet_ntop(raw->type == TD_DNS_A ? AF_INET : AF_INET6, raw->rd,
			  addr, sizeof(addr));
		return add_rr(r, raw, td_strndup(addr, strlen(addr)), 0);
	case TD_DNS_NS:
	case TD_DNS_CNAME:
	case TD_DNS_PTR:
		v = get_name(raw->rd, abuf, alen, &len);
		if (!v || len > (long)raw->rdlen) {
			free(v);
			*why = "RFC 1035 3.3: bad name in record data";
			return TD_EPARSE;
		}
		return add_rr(r, raw, v, 0);
	case TD_DNS_MX:
		if (raw->rdlen < 3) {
			*why = "RFC 1035 3.3.9: MX record too short";
			return TD_EPARSE;
		}
		v = get_name(raw->rd + 2, abuf, alen, &len);
		if (!v || len > (long)raw->rdlen - 2) {
			free(v);
			*why = "RFC 1035 3.3.9: bad MX exchange name";
			return TD_EPARSE;
		}
		return add_rr(r, raw, v, rd16(raw->rd));
	case TD_DNS_TXT:
		/*
		 * RFC 1035 3.3.14: one or more character-strings; joined
		 * without a separator, as RFC 7208 3.3 reads them.
		 */
		for (i = 0; i < raw->rdlen;) {
			unsigned l = raw->rd[i];

			if (i + 1 + l > raw->rdlen) {
				td_buf_release(&b);
				*why = "RFC 1035 3.3.14: TXT string overruns "
				       "its record";
				return TD_EPARSE;
			}
			add_clean(&b, raw->rd + i + 1, l, 0);
			i += 1 + l;
		}
		td_buf_adds(&b, "");
		if (td_buf_failed(&b)) {
			td_buf_release(&b);
			return TD_ENOMEM;
		}
		return add_rr(r, raw, td_buf_detach(&b, NULL), 0);
	}
	return 0;
}

int
td_dns_parse_answer(struct td_net_req *r, const unsigned char *abuf, int alen,
		    const char **why)
{
	struct raw_rr *rrs = NULL;
	const unsigned char *p, *end;
	unsigned qd, an, i, nrr = 0, hops;
	const char *cur;
	char *name;
	long len;
	int rc = 0;

	*why = NULL;
	if (!abuf || alen < 12) {
		*why = "RFC 1035 4.1.1: message shorter than its header";
		return TD_EPARSE;
	}
	end = abuf + alen;
	qd = rd16(abuf + 4);
	an = rd16(abuf + 6);
	p = abuf + 12;
	for (i = 0; i < qd; i++) {
		name = get_name(p, abuf, alen, &len);
		if (!name) {
			*why = "RFC 1035 4.1.4: a malformed or looping name in "
			       "the question";
			return TD_EPARSE;
		}
		if (len > end - p || end - p - len < 4) {
			free(name);
			*why = "RFC 1035 4.1.2: truncated question";
			return TD_EPARSE;
		}
		free(name);
		p += len + 4;
	}
	if (an) {
		rrs = calloc(an, sizeof(*rrs));
		if (!rrs)
			return TD_ENOMEM;
	}
	for (i = 0; i < an; i++) {
		struct raw_rr *x = &rrs[nrr];

		name = get_name(p, abuf, alen, &len);
		if (!name) {
			/* c-ares refuses a compression pointer that loops, or
			   points outside the message, or a label too long */
			*why = "RFC 1035 4.1.4: a malformed or looping name in "
			       "an answer record";
			rc = TD_EPARSE;
			goto out;
		}
		if (len > end - p || end - p - len < 10) {
			free(name);
			*why = "RFC 1035 4.1.3: truncated answer record";
			rc = TD_EPARSE;
			goto out;
		}
		p += len;
		x->owner = name;
		x->type = rd16(p);
		x->ttl = rd32(p + 4);
		x->rdlen = rd16(p + 8);
		x->rd = p + 10;
		if (x->rdlen > end - x->rd) {
			*why = "RFC 1035 4.1.3: record data overruns the "
			       "message";
			nrr++;
			rc = TD_EPARSE;
			goto out;
		}
		p = x->rd + x->rdlen;
		nrr++;
		if (rd16(p - x->rdlen - 8) != DNS_CLASS_IN)
			x->type = 0; /* not IN: never matched */
	}

	/* the CNAME chain from the name asked (RFC 1034 3.6.2, 4.3.2) */
	cur = r->name;
	for (hops = 0; r->qtype != TD_DNS_CNAME && hops < DNS_MAX_CHAIN;
	     hops++) {
		for (i = 0; i < nrr; i++)
			if (rrs[i].type == TD_DNS_CNAME &&
			    !strcasecmp(rrs[i].owner, cur))
				break;
		if (i == nrr)
			break;
		rc = decode_rr(r, &rrs[i], abuf, alen, why);
		if (rc)
			goto out;
		rrs[i].type = 0; /* a loop ends here */
		cur = r->rrs[r->nr - 1].value;
	}
	for (i = 0; i < nrr; i++) {
		if (rrs[i].type != (unsigned)r->qtype ||
		    strcasecmp(rrs[i].owner, cur))
			continue;
		rc = decode_rr(r, &rrs[i], abuf, alen, why);
		if (rc)
			goto out;
	}
out:
	for (i = 0; i < nrr; i++)
		free(rrs[i].owner);
	free(rrs);
	return rc;
}

/* queries */

static size_t
final_records(const struct td_net_req *r)
{
	size_t i, k = 0;

	for (i = 0; i < r->nr; i++)
		if (r->rrs[i].type == r->qtype &&
		    (r->qtype != TD_DNS_CNAME || i == 0))
			k++;
	return k;
}

static void
query_cb(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct dns_query *q = arg;
	struct td_net *n = q->n;
	struct td_net_req *r = q->r;
	const char *why = NULL;
	int rc;

	(void)timeouts;
	free(q);
	if (!r || status == ARES_EDESTRUCTION || !n->dns || n->dns->destroying)
		return;
	r->impl = NULL;
	switch (status) {
	case ARES_SUCCESS:
	case ARES_ENODATA:
	case ARES_ENOTFOUND:
		rc = td_dns_parse_answer(r, abuf, alen, &why);
		if (rc == TD_ENOMEM) {
			td_net_finish(n, r, TD_NET_ERROR, "out of memory");
			return;
		}
		if (rc) {
			td_dns_rrs_release(r);
			td_net_finish(n, r, TD_NET_ERROR, "%s %s: %s", r->name,
				      n->dns_server, why);
			return;
		}
		if (status == ARES_ENOTFOUND)
			td_net_finish(n, r, TD_NET_NXDOMAIN, NULL);
		else if (!final_records(r))
			td_net_finish(n, r, TD_NET_NODATA, NULL);
		else
			td_net_finish(n, r, TD_NET_OK, NULL);
		return;
	case ARES_ESERVFAIL:
		td_net_finish(n, r, TD_NET_SERVFAIL, "%s: server failure",
			      n->dns_server);
		return;
	case ARES_ETIMEOUT:
		td_net_finish(n, r, TD_NET_TIMEOUT, "%s: no answer",
			      n->dns_server);
		return;
	case ARES_ECONNREFUSED:
		td_net_finish(n, r, TD_NET_REFUSED, "%s: connection refused",
			      n->dns_server);
		return;
	case ARES_EREFUSED:
		td_net_finish(n, r, TD_NET_REFUSED, "%s: query refused",
			      n->dns_server);
		return;
	default:
		td_net_finish(n, r, TD_NET_ERROR, "%s: %s", n->dns_server,
			      ares_strerror(status));
		return;
	}
}

int
td_dns_start(struct td_net *n, struct td_net_req *r)
{
	struct dns_query *q = calloc(1, sizeof(*q));

	if (!q)
		return TD_ENOMEM;
	q->n = n;
	q->r = r;
	r->impl = q;
	n->stats.dns++;
	/* the callback may run before ares_query returns */
	ares_query(n->dns->ch, r->name, DNS_CLASS_IN, (int)r->qtype, query_cb,
		   q);
	return 0;
}

void
td_dns_cancel(struct td_net *n, struct td_net_req *r)
{
	struct dns_query *q = r->impl;

	(void)n;
	if (q)
		q->r = NULL; /* freed when c-ares calls back */
	r->impl = NULL;
}

void
td_dns_on_fd(struct td_net *n, int fd, short revents)
{
	ares_socket_t rfd = ARES_SOCKET_BAD, wfd = ARES_SOCKET_BAD;

	if (revents & (POLLIN | POLLERR | POLLHUP))
		rfd = fd;
	if (revents & POLLOUT)
		wfd = fd;
	ares_process_fd(n->dns->ch, rfd, wfd);
}

long long
td_dns_timeout(struct td_net *n)
{
	struct timeval tv, *t;

	t = ares_timeout(n->dns->ch, NULL, &tv);
	if (!t)
		return -1;
	return (long long)t->tv_sec * 1000 + (t->tv_usec + 999) / 1000;
}

void
td_dns_tick(struct td_net *n)
{
	/* handles c-ares's own timeouts and retries */
	ares_process_fd(n->dns->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
}
