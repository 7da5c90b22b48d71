/*
 * WHOIS (RFC 3912) over non-blocking TCP in the net loop: resolve the
 * server through c-ares, connect, send the query and CRLF, read until the
 * server closes.  The loop's gate keeps one connection per server and
 * spaces the connections (whois_per_sec).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "net.h"
#include "net_impl.h"
#include "banned.h"

/* read at most this much per wake-up so one server cannot hog the loop */
#define WHOIS_READ_PER_WAKE (256u * 1024)

enum whois_state { W_RESOLVING, W_CONNECTING, W_SENDING, W_READING };

struct whois_conn {
	struct td_net_req *r;
	enum whois_state state;
	int fd;
	struct sockaddr_storage *addr;
	size_t nr, cur;
	int last_errno;
	char *line; /* query CRLF */
	size_t len, off;
};

static void
conn_close(struct td_net *n, struct whois_conn *c)
{
	if (c->fd >= 0) {
		td_net_watch_del(n, c->fd);
		close(c->fd);
		c->fd = -1;
	}
}

static void
fail_errno(struct td_net *n, struct whois_conn *c, int e)
{
	struct td_net_req *r = c->r;

	if (e == ECONNREFUSED || e == ECONNRESET || e == EPIPE)
		td_net_finish(n, r, TD_NET_REFUSED, "%s: %s", r->srv->name,
			      strerror(e));
	else if (e == ETIMEDOUT)
		td_net_finish(n, r, TD_NET_TIMEOUT, "%s: %s", r->srv->name,
			      strerror(e));
	else
		td_net_finish(n, r, TD_NET_ERROR, "%s: %s", r->srv->name,
			      strerror(e));
}

/* Connect to the next address; on the last failure, end the request. */
static void
connect_next(struct td_net *n, struct whois_conn *c)
{
	struct td_net_req *r = c->r;

	while (c->cur < c->nr) {
		struct sockaddr_storage *ss = &c->addr[c->cur++];
		socklen_t len = ss->ss_family == AF_INET6
				    ? sizeof(struct sockaddr_in6)
				    : sizeof(struct sockaddr_in);

		c->fd = socket(ss->ss_family,
			       SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (c->fd < 0) {
			c->last_errno = errno;
			continue;
		}
		/* the spacing counts from the connection, not the queue */
		td_net_gate_stamp(&r->srv->gate, td_net_now(n));
		n->stats.whois++;
		if (connect(c->fd, (struct sockaddr *)ss, len) == 0) {
			c->state = W_SENDING;
		} else if (errno == EINPROGRESS) {
			c->state = W_CONNECTING;
		} else {
			c->last_errno = errno;
			close(c->fd);
			c->fd = -1;
			continue;
		}
		if (td_net_watch_set(n, c->fd, POLLOUT, TD_NET_KIND_WHOIS, r)) {
			td_net_finish(n, r, TD_NET_ERROR, "out of memory");
			return;
		}
		return;
	}
	fail_errno(n, c, c->last_errno ? c->last_errno : ECONNREFUSED);
}

static void
on_resolved(struct td_net *n, struct td_net_req *r,
	    const struct td_net_addrs *a)
{
	struct whois_conn *c = r->impl;

	if (a->status != TD_NET_OK) {
		if (a->status == TD_NET_REFUSED)
			td_net_finish(n, r, TD_NET_REFUSED,
				      "%s: resolves to no public address",
				      r->host);
		else
			td_net_finish(n, r, a->status, "%s: cannot resolve: %s",
				      r->host,
				      a->error ? a->error
					       : td_net_status_name(a->status));
		return;
	}
	c->addr = calloc(a->nr, sizeof(*c->addr));
	if (!c->addr) {
		td_net_finish(n, r, TD_NET_ERROR, "out of memory");
		return;
	}
	memcpy(c->addr, a->addr, a->nr * sizeof(*c->addr));
	c->nr = a->nr;
	connect_next(n, c);
}

int
td_whois_start(struct td_net *n, struct td_net_req *r)
{
	struct whois_conn *c = calloc(1, sizeof(*c));
	const struct td_net_map *m;
	struct sockaddr_storage ss;
	size_t qlen = strlen(r->name);

	if (!c)
		return TD_ENOMEM;
	c->r = r;
	c->fd = -1;
	c->line = malloc(qlen + 3);
	if (!c->line) {
		free(c);
		return TD_ENOMEM;
	}
	memcpy(c->line, r->name, qlen);
	memcpy(c->line + qlen, "\r\n", 3);
	c->len = qlen + 2;
	c->state = W_RESOLVING;
	r->impl = c;

	memset(&ss, 0, sizeof(ss));
	if ((m = td_net_mapped(n, r->host, r->port))) {
		ss = m->ss;
	} else if (inet_pton(AF_INET, r->host,
		      &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		ss.ss_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port =
		    htons((uint16_t)r->port);
	} else if (inet_pton(AF_INET6, r->host,
			     &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		ss.ss_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port =
		    htons((uint16_t)r->port);
	}
	if (!ss.ss_family) {
		if (td_net_resolve(n, r, r->host, r->port, on_resolved))
			td_net_finish(n, r, TD_NET_ERROR, "out of memory");
		return 0;
	}
	if (!td_net_addr_allowed((struct sockaddr *)&ss,
				 n->opts.allow_loopback)) {
		td_net_finish(n, r, TD_NET_REFUSED, "%s: not a public address",
			      r->host);
		return 0;
	}
	c->addr = malloc(sizeof(*c->addr));
	if (!c->addr)
		return TD_ENOMEM; /* td_net_finish frees c */
	c->addr[0] = ss;
	c->nr = 1;
	connect_next(n, c);
	return 0;
}

void
td_whois_cancel(struct td_net *n, struct td_net_req *r)
{
	struct whois_conn *c = r->impl;

	if (!c)
		return;
	r->impl = NULL;
	conn_close(n, c);
	free(c->addr);
	free(c->line);
	free(c);
}

static void
do_read(struct td_net *n, struct whois_conn *c)
{
	struct td_net_req *r = c->r;
	char chunk[16384];
	size_t total = 0;
	ssize_t got;

	while (total < WHOIS_READ_PER_WAKE) {
		got = read(c->fd, chunk, sizeof(chunk));
		if (got < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (errno == EINTR)
				continue;
			fail_errno(n, c, errno);
			return;
		}
		if (got == 0) {
			/* RFC 3912 2: the server closes when done */
			if (!r->body.len)
				td_net_finish(n, r, TD_NET_ERROR,
					      "%s: empty answer", r->srv->name);
			else
				td_net_finish(n, r, TD_NET_OK, NULL);
			return;
		}
		if ((size_t)got > n->opts.max_body - r->body.len) {
			td_net_finish(n, r, TD_NET_TOO_BIG,
				      "%s: answer larger than %zu bytes",
				      r->srv->name, n->opts.max_body);
			return;
		}
		if (td_buf_add(&r->body, chunk, (size_t)got)) {
			td_net_finish(n, r, TD_NET_ERROR, "out of memory");
			return;
		}
		total += (size_t)got;
	}
}

void
td_whois_on_fd(struct td_net *n, void *ptr, short revents)
{
	struct td_net_req *r = ptr;
	struct whois_conn *c = r->impl;
	socklen_t elen;
	ssize_t sent;
	int e;

	if (!c || r->state != TD_NET_ACTIVE || c->fd < 0)
		return;
	switch (c->state) {
	case W_RESOLVING:
		return;
	case W_CONNECTING:
		e = 0;
		elen = sizeof(e);
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &elen) < 0)
			e = errno;
		if (e == EINPROGRESS)
			return;
		if (e) {
			c->last_errno = e;
			conn_close(n, c);
			connect_next(n, c);
			return;
		}
		c->state = W_SENDING;
		/* fall through */
	case W_SENDING:
		while (c->off < c->len) {
			sent = send(c->fd, c->line + c->off, c->len - c->off,
				    MSG_NOSIGNAL);
			if (sent < 0) {
				if (errno == EAGAIN || errno == EWOULDBLOCK)
					return;
				if (errno == EINTR)
					continue;
				fail_errno(n, c, errno);
				return;
			}
			c->off += (size_t)sent;
		}
		c->state = W_READING;
		if (td_net_watch_set(n, c->fd, POLLIN, TD_NET_KIND_WHOIS, r)) {
			td_net_finish(n, r, TD_NET_ERROR, "out of memory");
			return;
		}
		/* the answer may be waiting already */
		do_read(n, c);
		return;
	case W_READING:
		(void)revents;
		do_read(n, c);
		return;
	}
}
