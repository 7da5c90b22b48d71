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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "err.h"
#include "hash.h"
#include "net.h"
#include "net_impl.h"
#include "banned.h"

#define HTTP_MAX_REDIRECTS 5
#define FETCH_MARK '\001'  /* first byte of a fetch's request key */
#define HDR_VALUE_MAX 8192 /* one header value of a fetch hop */
#define STATUS_LINE_MAX 256
#define CERT_FIELD_MAX 2048

/*
 * A fetch (td_net_http_fetch) rides on an ordinary HTTP request of the
 * loop: its Accept "header" is FETCH_MARK followed by the fetch's id, which
 * makes the request key unique (never deduplicated) and lets
 * td_http_start find the fetch.  That marker never reaches the wire.  The
 * fetch keeps its hops here, outside the request, and is freed after its
 * delivery or by td_http_release.
 */
struct fetch_hop {
	struct td_http_hop pub; /* strings owned */
	struct td_http_header *headers;
	size_t alloc_headers, header_bytes;
	struct td_tls_cert *certs;
	int recorded; /* curl's figures taken */
};

struct http_fetch {
	struct td_net *n;
	struct http_fetch *next;
	unsigned long id;
	struct td_net_req *r; /* once started */
	td_http_fetch_cb cb;
	void *payload;
	/* the request, copied */
	char *url, *user_agent, *accept, *accept_language, *referer;
	char **extra;
	size_t nr_extra;
	size_t max_body;
	int truncate;
	unsigned timeout_ms;
	unsigned max_redirects;
	int first_hop_only;
	int tls_insecure;
	/* the answer */
	struct fetch_hop hops[TD_HTTP_FETCH_MAX_REDIRECTS + 1];
	size_t nr_hops;
	int truncated;
	long long started, ended;
};

struct td_http {
	CURLM *multi;
	long long timer_at; /* ms, -1: none */
	int inited;
	struct http_fetch *fetches; /* queued, running or awaiting delivery */
	unsigned long next_fetch;
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
	size_t max_body;      /* of this request */
	struct http_fetch *f; /* NULL for td_net_http_get */
	CURLSH *share;	      /* a fetch's cookies, shared by its hops */
	int truncated;	      /* a fetch's body was cut at max_body */
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

/* fetches: the request and its hops */

/* free() for the strings the public structs hold as const */
static void
free_const(const void *p)
{
	free((void *)(uintptr_t)p);
}

static void
hop_release(struct fetch_hop *h)
{
	size_t i;

	free_const(h->pub.url);
	free_const(h->pub.status_line);
	free_const(h->pub.location);
	free_const(h->pub.ip);
	for (i = 0; i < h->pub.nr_headers; i++) {
		free_const(h->headers[i].name);
		free_const(h->headers[i].value);
	}
	free(h->headers);
	for (i = 0; i < h->pub.nr_certs; i++) {
		struct td_tls_cert *c = &h->certs[i];

		free_const(c->subject);
		free_const(c->issuer);
		free_const(c->not_before);
		free_const(c->not_after);
		free_const(c->serial);
		free_const(c->san);
		free_const(c->sha256);
	}
	free(h->certs);
	memset(h, 0, sizeof(*h));
}

static void
fetch_free(struct http_fetch *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->nr_hops; i++)
		hop_release(&f->hops[i]);
	for (i = 0; i < f->nr_extra; i++)
		free(f->extra[i]);
	free(f->extra);
	free(f->url);
	free(f->user_agent);
	free(f->accept);
	free(f->accept_language);
	free(f->referer);
	free(f);
}

static void
fetch_unlink(struct td_http *h, struct http_fetch *f)
{
	struct http_fetch **p;

	for (p = &h->fetches; *p; p = &(*p)->next) {
		if (*p == f) {
			*p = f->next;
			return;
		}
	}
}

static long long
utc_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The hop in progress of x's fetch (NULL for a plain GET). */
static struct fetch_hop *
cur_hop(const struct http_xfer *x)
{
	if (!x->f || !x->f->nr_hops)
		return NULL;
	return &x->f->hops[x->f->nr_hops - 1];
}

/*
 * The loop's allow_loopback, unless x is a fetch that limits it to its
 * first hop and this is a redirect.
 */
static int
exempt(const struct td_net *n, const struct http_xfer *x)
{
	return n->opts.allow_loopback &&
	       !(x->f && x->f->first_hop_only && x->hops > 0);
}

int
td_http_header_line_ok(const char *s)
{
	/* RFC 9110 5.6.2: tchar */
	static const char tchar[] = "!#$%&'*+-.^_`|~";
	const char *p;

	if (!s)
		return 0;
	for (p = s; *p && *p != ':'; p++)
		if (!isalnum((unsigned char)*p) && !strchr(tchar, *p))
			return 0;
	if (p == s || *p != ':')
		return 0;
	return !strpbrk(s, "\r\n");
}

int
td_http_cert_time(char out[21], const char *s)
{
	static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr",
					  "May", "Jun", "Jul", "Aug",
					  "Sep", "Oct", "Nov", "Dec"};
	char m[4], tz[4], buf[64];
	int d, hh, mm, ss, y, i, used = 0;

	out[0] = '\0';
	if (!s ||
	    sscanf(s, "%3s %2d %2d:%2d:%2d %4d %3s%n", m, &d, &hh, &mm, &ss, &y,
		   tz, &used) != 7 ||
	    s[used] || strcmp(tz, "GMT"))
		return -1;
	for (i = 0; i < 12; i++)
		if (!strcmp(m, mon[i]))
			break;
	if (i == 12 || d < 1 || d > 31 || hh < 0 || hh > 23 || mm < 0 ||
	    mm > 59 || ss < 0 || ss > 60 || y < 1900 || y > 9999)
		return -1;
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02dZ", y, i + 1,
		 d, hh, mm, ss);
	memcpy(out, buf, 21);
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
	while (h->fetches) {
		struct http_fetch *f = h->fetches;

		h->fetches = f->next;
		fetch_free(f);
	}
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

	if (len > x->max_body - b->len) {
		if (x->f && x->f->truncate) {
			/* keep what fits, then stop: the page so far is kept */
			if (td_buf_add(b, data, x->max_body - b->len))
				return 0;
			x->truncated = 1;
			return 0;
		}
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
	if (!td_net_addr_allowed(&a->addr, exempt(x->n, x))) {
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
	if (x->share)
		curl_share_cleanup(x->share);
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

/* A copy of p[0..n) without surrounding white space, cut at max bytes. */
static char *
dup_trim(const char *p, size_t n, size_t max)
{
	while (n && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r' ||
		     p[n - 1] == '\n'))
		n--;
	return td_strndup(p, n < max ? n : max);
}

static void
hop_headers_reset(struct fetch_hop *h)
{
	size_t i;

	for (i = 0; i < h->pub.nr_headers; i++) {
		free_const(h->headers[i].name);
		free_const(h->headers[i].value);
	}
	h->pub.nr_headers = 0;
	h->pub.headers_dropped = 0;
	h->header_bytes = 0;
}

/*
 * A fetch's response header lines (CURLOPT_HEADERFUNCTION): a status line
 * starts a response (an interim 1xx is forgotten), the others are kept up
 * to the per-hop limits; what does not fit is counted.  Always returns
 * the length, so that a hostile header never ends the transfer here.
 */
static size_t
header_cb(char *data, size_t size, size_t nitems, void *userp)
{
	struct http_xfer *x = userp;
	struct fetch_hop *h = cur_hop(x);
	size_t len = size * nitems, n = len;
	const char *colon;
	char *name, *value;

	if (!h)
		return len;
	while (n && (data[n - 1] == '\r' || data[n - 1] == '\n'))
		n--;
	if (n >= 5 && !memcmp(data, "HTTP/", 5)) {
		hop_headers_reset(h);
		free_const(h->pub.status_line);
		h->pub.status_line = dup_trim(data, n, STATUS_LINE_MAX);
		return len;
	}
	if (!n)
		return len;
	colon = data[0] == ' ' || data[0] == '\t' ? NULL : memchr(data, ':', n);
	if (!colon || colon == data ||
	    h->pub.nr_headers >= TD_HTTP_HOP_MAX_HEADERS ||
	    h->header_bytes + n > TD_HTTP_HOP_MAX_HEADER_BYTES) {
		/* obsolete line folding, a line without a name, too many */
		h->pub.headers_dropped++;
		return len;
	}
	if (TD_ARRAY_GROW(h->headers, h->pub.nr_headers + 1,
			  h->alloc_headers)) {
		h->pub.headers_dropped++;
		return len;
	}
	name = td_strndup(data, (size_t)(colon - data));
	value =
	    dup_trim(colon + 1, n - (size_t)(colon + 1 - data), HDR_VALUE_MAX);
	if (!name || !value) {
		free(name);
		free(value);
		h->pub.headers_dropped++;
		return len;
	}
	h->headers[h->pub.nr_headers].name = name;
	h->headers[h->pub.nr_headers].value = value;
	h->pub.nr_headers++;
	h->header_bytes += n;
	return len;
}

/* Hex SHA-256 of the DER inside a PEM certificate, or NULL. */
static char *
pem_sha256(const char *pem)
{
	const char *b = strstr(pem, "-----BEGIN CERTIFICATE-----"), *e;
	struct td_buf der = TD_BUF_INIT;
	char hex[65];

	if (!b)
		return NULL;
	b += strlen("-----BEGIN CERTIFICATE-----");
	e = strstr(b, "-----END CERTIFICATE-----");
	if (!e)
		return NULL;
	td_buf_init(&der, 64 * 1024);
	td_base64_decode(&der, b, (size_t)(e - b), 1);
	if (td_buf_failed(&der) || !der.len) {
		td_buf_release(&der);
		return NULL;
	}
	td_sha256_hex(hex, der.ptr, der.len);
	td_buf_release(&der);
	return td_strndup(hex, 64);
}

/* A validity date, as ISO 8601 when readable. */
static char *
cert_time(const char *v)
{
	char iso[21];

	if (!td_http_cert_time(iso, v))
		return td_strndup(iso, strlen(iso));
	return dup_trim(v, strlen(v), CERT_FIELD_MAX);
}

/* The certificates of the hop's connection (CURLOPT_CERTINFO). */
static void
record_certs(struct fetch_hop *h, CURL *e)
{
	struct curl_certinfo *ci = NULL;
	size_t nr, i;

	if (curl_easy_getinfo(e, CURLINFO_CERTINFO, &ci) != CURLE_OK || !ci ||
	    ci->num_of_certs <= 0)
		return;
	nr = (size_t)ci->num_of_certs;
	if (nr > TD_HTTP_HOP_MAX_CERTS)
		nr = TD_HTTP_HOP_MAX_CERTS;
	h->certs = calloc(nr, sizeof(*h->certs));
	if (!h->certs)
		return;
	h->pub.nr_certs = nr;
	for (i = 0; i < nr; i++) {
		struct td_tls_cert *c = &h->certs[i];
		struct curl_slist *sl;

		for (sl = ci->certinfo[i]; sl; sl = sl->next) {
			const char *d = sl->data, *v = strchr(d, ':');
			size_t k;
			const char **slot = NULL;
			char *val;

			if (!v)
				continue;
			k = (size_t)(v - d);
			v++;
#define KEY(s) (k == strlen(s) && !memcmp(d, s, k))
			if (KEY("Subject"))
				slot = &c->subject;
			else if (KEY("Issuer"))
				slot = &c->issuer;
			else if (KEY("Serial Number"))
				slot = &c->serial;
			else if (KEY("X509v3 Subject Alternative Name"))
				slot = &c->san;
			else if (KEY("Start date"))
				slot = &c->not_before;
			else if (KEY("Expire date"))
				slot = &c->not_after;
			else if (KEY("Cert"))
				slot = &c->sha256;
#undef KEY
			if (!slot || *slot)
				continue;
			if (slot == &c->not_before || slot == &c->not_after)
				val = cert_time(v);
			else if (slot == &c->sha256)
				val = pem_sha256(v);
			else
				val = dup_trim(v, strlen(v), CERT_FIELD_MAX);
			*slot = val;
		}
	}
}

static long long
info_us(CURL *e, CURLINFO what)
{
	curl_off_t v = -1;

	if (curl_easy_getinfo(e, what, &v) != CURLE_OK)
		return -1;
	return (long long)v;
}

/* Take curl's figures for the hop of x that just ended (once). */
static void
record_hop(struct http_xfer *x)
{
	struct fetch_hop *h = cur_hop(x);
	CURL *e = x->easy;
	char *ip = NULL, *scheme = NULL;
	long code = 0, port = 0, verify = 0;

	if (!h || !e || h->recorded)
		return;
	h->recorded = 1;
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
	h->pub.code = code;
	h->pub.connect_us = info_us(e, CURLINFO_CONNECT_TIME_T);
	h->pub.tls_us = info_us(e, CURLINFO_APPCONNECT_TIME_T);
	h->pub.first_byte_us = info_us(e, CURLINFO_STARTTRANSFER_TIME_T);
	h->pub.total_us = info_us(e, CURLINFO_TOTAL_TIME_T);
	if ((h->pub.connect_us > 0 || code) &&
	    curl_easy_getinfo(e, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip &&
	    *ip) {
		free_const(h->pub.ip);
		h->pub.ip = td_strndup(ip, strlen(ip));
		curl_easy_getinfo(e, CURLINFO_PRIMARY_PORT, &port);
		h->pub.port = port > 0 && port < 65536 ? (unsigned)port : 0;
	}
	if (curl_easy_getinfo(e, CURLINFO_SCHEME, &scheme) == CURLE_OK &&
	    scheme && !strcasecmp(scheme, "https") && h->pub.tls_us > 0 &&
	    curl_easy_getinfo(e, CURLINFO_SSL_VERIFYRESULT, &verify) ==
		CURLE_OK)
		h->pub.tls_verify = verify;
	record_certs(h, e);
	if (!code) {
		/* no response: what came before the failure is not one */
		hop_headers_reset(h);
		free_const(h->pub.status_line);
		h->pub.status_line = NULL;
	}
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
	if (!x->f || !x->f->truncate)
		curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
				 (curl_off_t)x->max_body);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_cb);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, x);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(e, CURLOPT_USERAGENT,
			 x->f && x->f->user_agent ? x->f->user_agent
						  : n->user_agent);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	if (x->f) {
		struct http_fetch *f = x->f;

		if (f->referer)
			curl_easy_setopt(e, CURLOPT_REFERER, f->referer);
		curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb);
		curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
		curl_easy_setopt(e, CURLOPT_CERTINFO, 1L);
		curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
		if (x->share)
			curl_easy_setopt(e, CURLOPT_SHARE, x->share);
		curl_easy_setopt(e, CURLOPT_COOKIEFILE, "");
		if (f->tls_insecure) {
			curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
			curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
		}
	}
	if (n->opts.ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, n->opts.ca_file);
	if (x->headers)
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers);
	if (resolve)
		curl_easy_setopt(e, x->mapped ? CURLOPT_CONNECT_TO
					       : CURLOPT_RESOLVE,
				 resolve);
	x->errbuf[0] = '\0';
	x->too_big = x->refused = x->truncated = 0;
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
	size_t i, kept = 0;
	int ex = exempt(n, x);

	if (a->status == TD_NET_OK) {
		/*
		 * The loop's rule was applied with allow_loopback; a fetch
		 * redirect may be held to a stricter one.
		 */
		for (i = 0; i < a->nr; i++)
			if (td_net_addr_allowed(
				(const struct sockaddr *)&a->addr[i], ex))
				kept++;
	}
	if (a->status == TD_NET_OK && !kept) {
		td_net_finish(n, r, TD_NET_REFUSED,
			      "%s: resolves to no public address", r->host);
		return;
	}
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
	for (i = 0, kept = 0; i < a->nr; i++) {
		const struct sockaddr *sa =
		    (const struct sockaddr *)&a->addr[i];

		if (!td_net_addr_allowed(sa, ex))
			continue;
		if (sa->sa_family == AF_INET6) {
			inet_ntop(AF_INET6,
				  &((const struct sockaddr_in6 *)sa)->sin6_addr,
				  addr, sizeof(addr));
			td_buf_printf(&b, "%s[%s]", kept ? "," : "", addr);
		} else {
			inet_ntop(AF_INET,
				  &((const struct sockaddr_in *)sa)->sin_addr,
				  addr, sizeof(addr));
			td_buf_printf(&b, "%s%s", kept ? "," : "", addr);
		}
		kept++;
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

	if (x->f &&
	    x->f->nr_hops < sizeof(x->f->hops) / sizeof(x->f->hops[0])) {
		struct fetch_hop *h = &x->f->hops[x->f->nr_hops++];

		h->pub.url = td_strndup(x->url, strlen(x->url));
		h->pub.ip = td_strndup("", 0);
		h->pub.started = utc_ms();
		h->pub.connect_us = h->pub.tls_us = -1;
		h->pub.first_byte_us = h->pub.total_us = -1;
		h->pub.tls_verify = -1;
		if (!h->pub.url || !h->pub.ip) {
			td_net_finish(n, r, TD_NET_ERROR, "out of memory");
			return;
		}
	}
	rc = td_http_origin(&origin, &host, &port, x->url);
	free(origin);
	if (rc) {
		/* a fetch refuses another scheme; a GET calls it an error */
		td_net_finish(n, r,
			      x->f && rc != TD_ENOMEM ? TD_NET_REFUSED
						      : TD_NET_ERROR,
			      "%s: %s", x->url,
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
					 exempt(n, x))) {
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
					 exempt(n, x))) {
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

/* The fetch whose marker is key (FETCH_MARK and its id), or NULL. */
static struct http_fetch *
fetch_find(const struct td_net *n, const char *key)
{
	struct http_fetch *f;
	unsigned long id;
	char *e;

	if (key[0] != FETCH_MARK || !isdigit((unsigned char)key[1]))
		return NULL;
	id = strtoul(key + 1, &e, 10);
	if (*e)
		return NULL;
	for (f = n->http->fetches; f; f = f->next)
		if (f->id == id)
			return f;
	return NULL;
}

/* A fetch's request headers and cookie store. */
static int
fetch_setup(struct td_net *n, struct http_xfer *x, struct http_fetch *f)
{
	struct td_buf h = TD_BUF_INIT;
	struct curl_slist *l;
	size_t i;

	x->f = f;
	f->r = x->r;
	if (!f->started)
		f->started = utc_ms();
	if (f->max_body && f->max_body < x->max_body)
		x->max_body = f->max_body;
	if (f->timeout_ms) {
		long long d = td_net_now(n) + f->timeout_ms;

		if (d < x->r->deadline)
			x->r->deadline = d;
	}
	if (f->accept)
		td_buf_printf(&h, "Accept: %s%c", f->accept, 0);
	if (f->accept_language)
		td_buf_printf(&h, "Accept-Language: %s%c", f->accept_language,
			      0);
	if (td_buf_failed(&h)) {
		td_buf_release(&h);
		return TD_ENOMEM;
	}
	for (i = 0; i < h.len; i += strlen(h.ptr + i) + 1) {
		l = curl_slist_append(x->headers, h.ptr + i);
		if (!l) {
			td_buf_release(&h);
			return TD_ENOMEM;
		}
		x->headers = l;
	}
	td_buf_release(&h);
	for (i = 0; i < f->nr_extra; i++) {
		l = curl_slist_append(x->headers, f->extra[i]);
		if (!l)
			return TD_ENOMEM;
		x->headers = l;
	}
	x->share = curl_share_init();
	if (!x->share ||
	    curl_share_setopt(x->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE))
		return TD_ENOMEM;
	return 0;
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
	x->max_body = n->opts.max_body;
	x->url = td_strndup(r->name, strlen(r->name));
	if (r->accept && r->accept[0] == FETCH_MARK) {
		struct http_fetch *f = fetch_find(n, r->accept);
		int rc = !x->url ? TD_ENOMEM
			 : f	 ? fetch_setup(n, x, f)
				 : TD_EINVAL;

		if (rc) {
			xfer_free(n, x);
			return rc;
		}
	} else if (r->accept) {
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
	if (x->f) {
		/* a fetch that ends here (deadline, error) keeps what it saw */
		record_hop(x);
		x->f->ended = utc_ms();
	}
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
	if (x->f) {
		/* evidence: a 429 or 503 is what was served; no retry, no ban
		 */
		x->f->truncated = x->truncated;
		r->final_url = x->url;
		x->url = NULL;
		td_net_finish(n, r, TD_NET_OK, NULL);
		return;
	}
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
	unsigned max_redirects = HTTP_MAX_REDIRECTS;
	char *loc = NULL;

	record_hop(x);
	if (x->truncated)
		res = CURLE_OK; /* a fetch cut at its max_body on purpose */
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(x->easy, CURLINFO_OS_ERRNO, &oserr);
	if (x->too_big || res == CURLE_FILESIZE_EXCEEDED) {
		td_net_finish(n, r, TD_NET_TOO_BIG,
			      "%s: answer larger than %zu bytes", x->url,
			      x->max_body);
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
	if (x->f) {
		struct fetch_hop *h = cur_hop(x);

		if (h && !h->pub.location)
			h->pub.location = td_strndup(loc, strlen(loc));
		max_redirects = x->f->max_redirects;
	}
	if ((unsigned)x->hops >= max_redirects) {
		td_net_finish(n, r, TD_NET_ERROR, "%s: more than %u redirects",
			      r->name, max_redirects);
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

/* td_net_http_fetch */

/* Deliver a fetch: its request ended (net.c calls this as its waiter). */
static void
fetch_deliver(const struct td_http_reply *h, void *payload)
{
	struct http_fetch *f = payload;
	struct td_http_hop hops[TD_HTTP_FETCH_MAX_REDIRECTS + 1];
	struct td_http_fetch_reply rep;
	size_t i;

	memset(&rep, 0, sizeof(rep));
	for (i = 0; i < f->nr_hops; i++) {
		hops[i] = f->hops[i].pub;
		hops[i].headers = f->hops[i].headers;
		hops[i].certs = f->hops[i].certs;
		if (hops[i].code)
			rep.last = &hops[i];
	}
	if (!f->ended)
		f->ended = utc_ms();
	rep.status = h->status;
	rep.error = h->error;
	rep.url = f->url;
	rep.final_url = f->nr_hops ? hops[f->nr_hops - 1].url : f->url;
	rep.code = f->nr_hops ? hops[f->nr_hops - 1].code : h->code;
	rep.content_type = h->content_type;
	rep.body = h->body ? h->body : "";
	rep.len = h->body ? h->len : 0;
	rep.truncated = h->status == TD_NET_OK && f->truncated;
	rep.hops = f->nr_hops ? hops : NULL;
	rep.nr_hops = f->nr_hops;
	rep.started = f->started ? f->started : f->ended;
	rep.ended = f->ended;
	f->cb(&rep, f->payload);
	/* nobody else waits on this request: its body can go now */
	if (f->r)
		td_buf_release(&f->r->body);
	fetch_unlink(f->n->http, f);
	fetch_free(f);
}

static int
dup_opt(char **out, const char *s)
{
	*out = NULL;
	if (!s)
		return 0;
	if (strpbrk(s, "\r\n"))
		return TD_EINVAL;
	*out = td_strndup(s, strlen(s));
	return *out ? 0 : TD_ENOMEM;
}

int
td_net_http_fetch(struct td_net *n, const struct td_http_fetch *req,
		  td_http_fetch_cb cb, void *payload)
{
	struct http_fetch *f;
	char mark[32];
	size_t i;
	int rc;

	if (!n || !req || !req->url || !cb ||
	    req->max_redirects > TD_HTTP_FETCH_MAX_REDIRECTS ||
	    req->nr_headers > TD_HTTP_FETCH_MAX_EXTRA ||
	    (req->nr_headers && !req->headers))
		return TD_EINVAL;
	for (i = 0; i < req->nr_headers; i++)
		if (!td_http_header_line_ok(req->headers[i]))
			return TD_EINVAL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return TD_ENOMEM;
	f->n = n;
	f->cb = cb;
	f->payload = payload;
	f->max_body = req->max_body;
	f->truncate = req->truncate;
	f->timeout_ms = req->timeout_ms;
	f->max_redirects =
	    req->max_redirects ? req->max_redirects : HTTP_MAX_REDIRECTS;
	f->first_hop_only = req->nonpublic_first_hop_only;
	f->tls_insecure = req->tls_insecure;
	rc = dup_opt(&f->url, req->url);
	if (!rc)
		rc = dup_opt(&f->user_agent, req->user_agent);
	if (!rc)
		rc = dup_opt(&f->accept, req->accept);
	if (!rc)
		rc = dup_opt(&f->accept_language, req->accept_language);
	if (!rc)
		rc = dup_opt(&f->referer, req->referer);
	if (!rc && req->nr_headers) {
		f->extra = calloc(req->nr_headers, sizeof(*f->extra));
		if (!f->extra)
			rc = TD_ENOMEM;
		for (i = 0; !rc && i < req->nr_headers; i++) {
			rc = dup_opt(&f->extra[i], req->headers[i]);
			f->nr_extra = i + 1;
		}
	}
	if (rc) {
		fetch_free(f);
		return rc;
	}
	f->id = ++n->http->next_fetch;
	snprintf(mark, sizeof(mark), "%c%lu", FETCH_MARK, f->id);
	f->next = n->http->fetches;
	n->http->fetches = f;
	rc = td_net_http_get(n, f->url, mark, fetch_deliver, f);
	if (rc) {
		fetch_unlink(n->http, f);
		fetch_free(f);
	}
	return rc;
}
