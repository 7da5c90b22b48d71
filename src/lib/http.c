/*
 * The one libcurl helper: HTTP GET through a curl multi handle driven by
 * the net loop with the socket interface (CURLMOPT_SOCKETFUNCTION and
 * CURLMOPT_TIMERFUNCTION).  curl_multi_fdset() would tie us to select()
 * and FD_SETSIZE; with the socket interface curl tells the loop which
 * sockets to watch and the loop keeps the only poll(2).
 *
 * Host names are resolved through the loop's c-ares channel and pinned
 * with CURLOPT_RESOLVE, so curl never runs its own resolver; redirects are
 * followed here, hop by hop, for the same reason.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "err.h"
#include "net.h"
#include "net_impl.h"
#include "banned.h"

#define HTTP_MAX_REDIRECTS 5

struct td_http {
	CURLM *multi;
	long long timer_at; /* ms, -1: none */
	int inited;
};

/* One transfer (one hop) of a request. */
struct http_xfer {
	struct td_net *n;
	struct td_net_req *r;
	CURL *easy;
	struct curl_slist *headers, *resolve;
	char *url; /* this hop */
	int hops;
	int too_big;
	int refused;
	int mapped; /* x->resolve is a CURLOPT_CONNECT_TO list */
	char refused_addr[INET6_ADDRSTRLEN];
	char errbuf[CURL_ERROR_SIZE];
};

static int
sock_cb(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct td_net *n = userp;
	short ev = 0;

	(void)e;
	(void)socketp;
	if (what == CURL_POLL_REMOVE) {
		td_net_watch_del(n, s);
		return 0;
	}
	if (what & CURL_POLL_IN)
		ev |= POLLIN;
	if (what & CURL_POLL_OUT)
		ev |= POLLOUT;
	td_net_watch_set(n, s, ev, TD_NET_KIND_HTTP, NULL);
	return 0;
}

static int
timer_cb(CURLM *m, long timeout_ms, void *userp)
{
	struct td_net *n = userp;

	(void)m;
	n->http->timer_at = timeout_ms < 0 ? -1 : td_net_now(n) + timeout_ms;
	return 0;
}

int
td_http_init(struct td_net *n, struct td_error *err)
{
	struct td_http *h = calloc(1, sizeof(*h));

	if (!h)
		return td_error_set(err, TD_ENOMEM, "out of memory");
	n->http = h;
	h->timer_at = -1;
	if (curl_global_init(CURL_GLOBAL_DEFAULT))
		return td_error_set(err, TD_EIO, "libcurl: cannot initialise");
	h->inited = 1;
	h->multi = curl_multi_init();
	if (!h->multi)
		return td_error_set(err, TD_ENOMEM, "out of memory");
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, n);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, n);
	return 0;
}

void
td_http_release(struct td_net *n)
{
	struct td_http *h = n->http;

	if (!h)
		return;
	if (h->multi)
		curl_multi_cleanup(h->multi);
	if (h->inited)
		curl_global_cleanup();
	free(h);
	n->http = NULL;
}

int
td_http_origin(char **origin, char **host, unsigned *port, const char *url)
{
	CURLU *u;
	char *scheme = NULL, *h = NULL, *p = NULL;
	struct td_buf b = TD_BUF_INIT;
	size_t len;
	int rc = TD_EINVAL;

	*origin = *host = NULL;
	u = curl_url();
	if (!u)
		return TD_ENOMEM;
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) ||
	    curl_url_get(u, CURLUPART_HOST, &h, 0) ||
	    curl_url_get(u, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT))
		goto out;
	if (strcmp(scheme, "http") && strcmp(scheme, "https"))
		goto out;
	for (len = 0; h[len]; len++)
		h[len] = (char)tolower((unsigned char)h[len]);
	td_buf_printf(&b, "%s://%s:%s", scheme, h, p);
	if (len > 2 && h[0] == '[' && h[len - 1] == ']')
		*host = td_strndup(h + 1, len - 2);
	else
		*host = td_strndup(h, len);
	*port = (unsigned)strtoul(p, NULL, 10);
	if (td_buf_failed(&b) || !*host) {
		rc = TD_ENOMEM;
		goto out;
	}
	*origin = td_buf_detach(&b, NULL);
	rc = *origin ? 0 : TD_ENOMEM;
out:
	if (rc) {
		free(*host);
		*host = NULL;
	}
	td_buf_release(&b);
	curl_free(scheme);
	curl_free(h);
	curl_free(p);
	curl_url_cleanup(u);
	return rc;
}

/* Retry-After */

static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

long
td_http_retry_after(const char *v, long long now)
{
	char wday[4], mon[4], tz[4];
	int d, y, hh, mm, ss, i;
	struct tm tm;
	long long t;
	char *e;
	long secs;

	while (*v == ' ' || *v == '\t')
		v++;
	if (isdigit((unsigned char)*v)) {
		errno = 0;
		secs = strtol(v, &e, 10);
		while (*e == ' ' || *e == '\t')
			e++;
		if (errno || *e)
			return -1;
		return secs;
	}
	/* RFC 9110 5.6.7: IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT" */
	if (sscanf(v, "%3s, %2d %3s %4d %2d:%2d:%2d %3s", wday, &d, mon, &y,
		   &hh, &mm, &ss, tz) != 8 ||
	    strcmp(tz, "GMT"))
		return -1;
	for (i = 0; i < 12; i++)
		if (!strcmp(mon, months[i]))
			break;
	if (i == 12 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 60 ||
	    y < 1970)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = i;
	tm.tm_mday = d;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	tm.tm_sec = ss;
	t = (long long)timegm(&tm);
	if (t <= now)
		return 0;
	return t - now > 0x7fffffffLL ? 0x7fffffffL : (long)(t - now);
}

/* transfers */

static size_t
write_cb(char *data, size_t size, size_t nmemb, void *userp)
{
	struct http_xfer *x = userp;
	struct td_buf *b = &x->r->body;
	size_t len = size * nmemb;

	if (len > x->n->opts.max_body - b->len) {
		x->too_big = 1;
		return 0; /* curl stops with CURLE_WRITE_ERROR */
	}
	if (td_buf_add(b, data, len))
		return 0;
	return len;
}

static curl_socket_t
open_cb(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct http_xfer *x = clientp;
	const void *ip;

	(void)purpose;
	if (!td_net_addr_allowed(&a->addr, x->n->opts.allow_loopback)) {
		x->refused = 1;
		ip = a->family == AF_INET6
			 ? (const void *)&((struct sockaddr_in6 *)&a->addr)
			       ->sin6_addr
			 : (const void *)&((struct sockaddr_in *)&a->addr)
			       ->sin_addr;
		inet_ntop(a->family, ip, x->refused_addr,
			  sizeof(x->refused_addr));
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

static void
xfer_drop_easy(struct td_net *n, struct http_xfer *x)
{
	if (x->easy) {
		curl_multi_remove_handle(n->http->multi, x->easy);
		curl_easy_cleanup(x->easy);
		x->easy = NULL;
	}
	curl_slist_free_all(x->resolve);
	x->resolve = NULL;
}

static void
xfer_free(struct td_net *n, struct http_xfer *x)
{
	xfer_drop_easy(n, x);
	curl_slist_free_all(x->headers);
	free(x->url);
	free(x);
}

static long
remaining_ms(struct td_net *n, struct td_net_req *r)
{
	long long left = r->deadline - td_net_now(n);

	return left < 1 ? 1 : (long)left;
}

/* Start curl on x->url; resolve is the CURLOPT_RESOLVE list or NULL. */
static void
launch(struct td_net *n, struct http_xfer *x, struct curl_slist *resolve)
{
	struct td_net_req *r = x->r;
	CURL *e;

	x->resolve = resolve;
	e = x->easy = curl_easy_init();
	if (!e) {
		td_net_finish(n, r, TD_NET_ERROR, "out of memory");
		return;
	}
	curl_easy_setopt(e, CURLOPT_URL, x->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROXY, "");
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, remaining_ms(n, r));
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, remaining_ms(n, r));
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
			 (curl_off_t)n->opts.max_body);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_cb);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, x);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(e, CURLOPT_USERAGENT, n->user_agent);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	if (n->opts.ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, n->opts.ca_file);
	if (x->headers)
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers);
	if (resolve)
		curl_easy_setopt(e, x->mapped ? CURLOPT_CONNECT_TO
					       : CURLOPT_RESOLVE,
				 resolve);
	x->errbuf[0] = '\0';
	x->too_big = x->refused = 0;
	if (curl_multi_add_handle(n->http->multi, e) != CURLM_OK) {
		curl_easy_cleanup(e);
		x->easy = NULL;
		td_net_finish(n, r, TD_NET_ERROR,
			      "libcurl: cannot add a "
			      "transfer");
		return;
	}
	n->stats.http++;
}

static void
on_resolved(struct td_net *n, struct td_net_req *r,
	    const struct td_net_addrs *a)
{
	struct http_xfer *x = r->impl;
	struct curl_slist *list;
	struct td_buf b = TD_BUF_INIT;
	char addr[INET6_ADDRSTRLEN];
	size_t i;

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
	/* CURLOPT_RESOLVE: "host:port:addr[,addr]", IPv6 in brackets */
	td_buf_printf(&b, "%s:%u:", r->host, r->port);
	for (i = 0; i < a->nr; i++) {
		const struct sockaddr *sa =
		    (const struct sockaddr *)&a->addr[i];

		if (sa->sa_family == AF_INET6) {
			inet_ntop(AF_INET6,
				  &((const struct sockaddr_in6 *)sa)->sin6_addr,
				  addr, sizeof(addr));
			td_buf_printf(&b, "%s[%s]", i ? "," : "", addr);
		} else {
			inet_ntop(AF_INET,
				  &((const struct sockaddr_in *)sa)->sin_addr,
				  addr, sizeof(addr));
			td_buf_printf(&b, "%s%s", i ? "," : "", addr);
		}
	}
	list = td_buf_failed(&b) ? NULL : curl_slist_append(NULL, b.ptr);
	td_buf_release(&b);
	if (!list) {
		td_net_finish(n, r, TD_NET_ERROR, "out of memory");
		return;
	}
	launch(n, x, list);
}

/* Begin the hop to x->url: resolve its host unless it is an address. */
static void
begin_hop(struct td_net *n, struct http_xfer *x)
{
	struct td_net_req *r = x->r;
	const struct td_net_map *m;
	struct sockaddr_storage ss;
	char *origin = NULL, *host = NULL;
	unsigned port;
	int rc;

	rc = td_http_origin(&origin, &host, &port, x->url);
	free(origin);
	if (rc) {
		td_net_finish(n, r, TD_NET_ERROR, "%s: %s", x->url,
			      rc == TD_ENOMEM ? "out of memory"
					      : "not an http or https url");
		return;
	}
	free(r->host);
	r->host = host;
	r->port = port;
	x->mapped = 0;
	if ((m = td_net_mapped(n, host, port))) {
		struct td_buf b = TD_BUF_INIT;
		struct curl_slist *list;

		if (!td_net_addr_allowed((const struct sockaddr *)&m->ss,
					 n->opts.allow_loopback)) {
			td_net_finish(n, r, TD_NET_REFUSED,
				      "%s: not a public address", m->addr);
			return;
		}
		td_buf_printf(&b,
			      m->ss.ss_family == AF_INET6 ? "%s:%u:[%s]:%u"
							  : "%s:%u:%s:%u",
			      host, port, m->addr,
			      ntohs(((const struct sockaddr_in *)&m->ss)
					->sin_port));
		list = td_buf_failed(&b) ? NULL
					 : curl_slist_append(NULL, b.ptr);
		td_buf_release(&b);
		if (!list) {
			td_net_finish(n, r, TD_NET_ERROR, "out of memory");
			return;
		}
		x->mapped = 1;
		launch(n, x, list);
		return;
	}
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)&ss)->sin_addr) ==
	    1)
		ss.ss_family = AF_INET;
	else if (inet_pton(AF_INET6, host,
			   &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1)
		ss.ss_family = AF_INET6;
	if (ss.ss_family) {
		if (!td_net_addr_allowed((struct sockaddr *)&ss,
					 n->opts.allow_loopback)) {
			td_net_finish(n, r, TD_NET_REFUSED,
				      "%s: not a public address", host);
			return;
		}
		launch(n, x, NULL);
		return;
	}
	if (td_net_resolve(n, r, host, port, on_resolved))
		td_net_finish(n, r, TD_NET_ERROR, "out of memory");
}

int
td_http_start(struct td_net *n, struct td_net_req *r)
{
	struct http_xfer *x = calloc(1, sizeof(*x));
	struct td_buf h = TD_BUF_INIT;

	if (!x)
		return TD_ENOMEM;
	x->n = n;
	x->r = r;
	x->url = td_strndup(r->name, strlen(r->name));
	if (r->accept) {
		td_buf_printf(&h, "Accept: %s", r->accept);
		if (!td_buf_failed(&h))
			x->headers = curl_slist_append(NULL, h.ptr);
		td_buf_release(&h);
	}
	if (!x->url || (r->accept && !x->headers)) {
		xfer_free(n, x);
		return TD_ENOMEM;
	}
	r->impl = x;
	begin_hop(n, x);
	return 0;
}

void
td_http_cancel(struct td_net *n, struct td_net_req *r)
{
	struct http_xfer *x = r->impl;

	if (!x)
		return;
	r->impl = NULL;
	xfer_free(n, x);
}

static int
is_redirect(long code)
{
	return code == 301 || code == 302 || code == 303 || code == 307 ||
	       code == 308;
}

static void
finish_ok(struct td_net *n, struct http_xfer *x, long code)
{
	struct td_net_req *r = x->r;
	struct curl_header *h;
	char *ct = NULL;

	r->code = code;
	curl_easy_getinfo(x->easy, CURLINFO_CONTENT_TYPE, &ct);
	if (ct)
		r->content_type = td_strndup(ct, strlen(ct));
	/* RFC 9110 10.2.3, RFC 6585 4 */
	if ((code == 429 || code == 503) &&
	    curl_easy_header(x->easy, "Retry-After", 0, CURLH_HEADER, -1, &h) ==
		CURLHE_OK)
		r->retry_after =
		    td_http_retry_after(h->value, (long long)time(NULL));
	if ((code == 429 || code == 503) && r->retries < 2) {
		long long wait = r->retry_after >= 0
				     ? (long long)r->retry_after * 1000
				     : 1000LL << r->retries;

		if (wait <= (long long)n->opts.max_wait_ms) {
			free(r->content_type);
			r->content_type = NULL;
			td_net_retry_later(n, r, wait); /* frees x */
			return;
		}
	}
	if ((code == 429 || code == 503) &&
	    r->retry_after * 1000LL > (long long)n->opts.max_wait_ms &&
	    td_net_ban(n, r->srv->name,
		       (long long)time(NULL) + r->retry_after) < 0)
		n->oom = 1;
	r->final_url = x->url;
	x->url = NULL;
	td_net_finish(n, r, TD_NET_OK, NULL);
}

static void
done(struct td_net *n, struct http_xfer *x, CURLcode res)
{
	struct td_net_req *r = x->r;
	long code = 0, oserr = 0;
	char *loc = NULL;

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(x->easy, CURLINFO_OS_ERRNO, &oserr);
	if (x->too_big || res == CURLE_FILESIZE_EXCEEDED) {
		td_net_finish(n, r, TD_NET_TOO_BIG,
			      "%s: answer larger than %zu bytes", x->url,
			      n->opts.max_body);
		return;
	}
	if (x->refused) {
		td_net_finish(n, r, TD_NET_REFUSED,
			      "%s: %s is not a public address", x->url,
			      x->refused_addr);
		return;
	}
	switch (res) {
	case CURLE_OK:
		break;
	case CURLE_OPERATION_TIMEDOUT:
		td_net_finish(n, r, TD_NET_TIMEOUT, "%s: %s", x->url,
			      x->errbuf[0] ? x->errbuf
					   : curl_easy_strerror(res));
		return;
	case CURLE_COULDNT_CONNECT:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
		if (res == CURLE_COULDNT_CONNECT || oserr == ECONNRESET ||
		    oserr == EPIPE || oserr == ECONNREFUSED) {
			td_net_finish(n, r, TD_NET_REFUSED, "%s: %s", x->url,
				      x->errbuf[0] ? x->errbuf
						   : curl_easy_strerror(res));
			return;
		}
		/* fall through */
	default:
		td_net_finish(n, r, TD_NET_ERROR, "%s: %s", x->url,
			      x->errbuf[0] ? x->errbuf
					   : curl_easy_strerror(res));
		return;
	}
	if (!is_redirect(code) ||
	    curl_easy_getinfo(x->easy, CURLINFO_REDIRECT_URL, &loc) || !loc) {
		finish_ok(n, x, code);
		return;
	}
	if (x->hops >= HTTP_MAX_REDIRECTS) {
		td_net_finish(n, r, TD_NET_ERROR, "%s: more than %d redirects",
			      r->name, HTTP_MAX_REDIRECTS);
		return;
	}
	loc = td_strndup(loc, strlen(loc));
	if (!loc) {
		td_net_finish(n, r, TD_NET_ERROR, "out of memory");
		return;
	}
	x->hops++;
	xfer_drop_easy(n, x);
	free(x->url);
	x->url = loc;
	td_buf_reset(&r->body);
	begin_hop(n, x);
}

static void
check_done(struct td_net *n)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(n->http->multi, &left))) {
		struct http_xfer *x = NULL;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &x);
		if (x)
			done(n, x, m->data.result);
	}
}

void
td_http_on_fd(struct td_net *n, int fd, short revents)
{
	int running, ev = 0;

	if (revents & (POLLIN | POLLHUP))
		ev |= CURL_CSELECT_IN;
	if (revents & POLLOUT)
		ev |= CURL_CSELECT_OUT;
	if (revents & POLLERR)
		ev |= CURL_CSELECT_ERR;
	curl_multi_socket_action(n->http->multi, fd, ev, &running);
	check_done(n);
}

long long
td_http_timeout(struct td_net *n)
{
	long long left;

	if (n->http->timer_at < 0)
		return -1;
	left = n->http->timer_at - td_net_now(n);
	return left < 0 ? 0 : left;
}

void
td_http_tick(struct td_net *n)
{
	int running;

	if (n->http->timer_at >= 0 && n->http->timer_at <= td_net_now(n)) {
		n->http->timer_at = -1;
		curl_multi_socket_action(n->http->multi, CURL_SOCKET_TIMEOUT, 0,
					 &running);
	}
	check_done(n);
}
