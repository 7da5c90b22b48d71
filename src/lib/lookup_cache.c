/*
 * Lookup's requests through the persistent cache (cache.c).  A fresh
 * stored answer is queued and delivered from lk_run() as if it had come
 * from the network, so callbacks never run inside the call that asked;
 * a new answer worth keeping is stored before its callback runs.  See
 * docs/internals/cache.md for what is kept and for how long.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "lookup_impl.h"
#include "whois.h"
#include "banned.h"

enum lk_kind { LK_DNS, LK_HTTP, LK_WHOIS };

struct lk_deferred {
	enum lk_kind kind;
	union {
		td_dns_cb dns;
		td_http_cb http;
		td_whois_cb whois;
	} cb;
	void *payload;
	char *name;   /* qname, URL or WHOIS query */
	char *server; /* DNS server, final URL, WHOIS server */
	enum td_dns_type qtype;
	struct td_dns_rr *rrs;
	size_t nr;
	char *body;
	size_t len;
	long code;
	long long when;
	struct lk_deferred *next;
};

/* A request sent to the network: what to store its answer under. */
struct lk_wrap {
	struct td_lookup *l;
	union {
		td_dns_cb dns;
		td_http_cb http;
		td_whois_cb whois;
	} cb;
	void *payload;
	char *key;
};

static void
cache_error(struct td_lookup *l, const struct td_error *err)
{
	if (l->cache_failed)
		return;
	l->cache_failed = 1;
	fprintf(stderr, "takedown: cache: %s (going on without it)\n",
		err->msg);
}

static const char *
type_name(enum td_dns_type t)
{
	switch (t) {
	case TD_DNS_A:
		return "A";
	case TD_DNS_NS:
		return "NS";
	case TD_DNS_CNAME:
		return "CNAME";
	case TD_DNS_MX:
		return "MX";
	case TD_DNS_TXT:
		return "TXT";
	case TD_DNS_AAAA:
		return "AAAA";
	case TD_DNS_PTR:
		return "PTR";
	}
	return "?";
}

/* "A example.com": lowercase, no final dot. */
static char *
dns_key(const char *name, enum td_dns_type type)
{
	struct td_buf b = TD_BUF_INIT;
	size_t n = strlen(name), i;

	if (n && name[n - 1] == '.')
		n--;
	td_buf_printf(&b, "%s ", type_name(type));
	for (i = 0; i < n; i++)
		td_buf_addch(&b, name[i] >= 'A' && name[i] <= 'Z'
				     ? (char)(name[i] - 'A' + 'a')
				     : name[i]);
	return td_buf_failed(&b) ? (td_buf_release(&b), NULL)
				 : td_buf_detach(&b, NULL);
}

/* "host:port query", host lowercase, port 43 written out. */
static char *
whois_key(const char *server, const char *query)
{
	struct td_buf b = TD_BUF_INIT;
	const char *p;

	for (p = server; *p; p++)
		td_buf_addch(&b, *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a')
							: *p);
	if (!strchr(server, ':') || (server[0] == '[' && !strstr(server, "]:")))
		td_buf_adds(&b, ":43");
	td_buf_addch(&b, ' ');
	td_buf_adds(&b, query);
	return td_buf_failed(&b) ? (td_buf_release(&b), NULL)
				 : td_buf_detach(&b, NULL);
}

static void
defer(struct td_lookup *l, struct lk_deferred *d)
{
	d->next = NULL;
	*l->dtail = d;
	l->dtail = &d->next;
	l->cache_hits++;
}

static void
deferred_free(struct lk_deferred *d)
{
	size_t i;

	for (i = 0; i < d->nr; i++) {
		free(d->rrs[i].name);
		free(d->rrs[i].value);
	}
	free(d->rrs);
	free(d->name);
	free(d->server);
	free(d->body);
	free(d);
}

static void
wrap_free(struct lk_wrap *w)
{
	free(w->key);
	free(w);
}

/* ---- DNS ---- */

/*
 * Stored form of an answer: one record a line, "TYPE TTL PRIORITY NAME
 * VALUE" with tabs; net.c writes every byte outside printable ASCII in
 * names and values as \DDD, so neither holds a tab or a newline.
 */
static int
rrs_parse(struct lk_deferred *d, const char *s, long long age)
{
	size_t alloc = 0;

	while (*s) {
		const char *nl = strchr(s, '\n'), *f[5];
		size_t flen[5];
		struct td_dns_rr rr;
		int k;
		long long ttl;

		if (!nl)
			return -1;
		for (k = 0; k < 5; k++) {
			const char *tab = k < 4 ? memchr(s, '\t', (size_t)(nl - s))
						: nl;

			if (!tab)
				return -1;
			f[k] = s;
			flen[k] = (size_t)(tab - s);
			s = tab + 1;
		}
		s = nl + 1;
		memset(&rr, 0, sizeof(rr));
		rr.type = (enum td_dns_type)atoi(f[0]);
		ttl = atoll(f[1]) - age;
		rr.ttl = ttl > 0 ? (unsigned)ttl : 0;
		rr.priority = (unsigned)atoi(f[2]);
		if (TD_ARRAY_GROW(d->rrs, d->nr + 1, alloc) < 0)
			return -1;
		rr.name = td_strndup(f[3], flen[3]);
		rr.value = td_strndup(f[4], flen[4]);
		d->rrs[d->nr++] = rr;
		if (!rr.name || !rr.value)
			return -1;
	}
	return 0;
}

static void
on_net_dns(const struct td_dns_answer *a, void *payload)
{
	struct lk_wrap *w = payload;
	struct td_lookup *l = w->l;
	struct td_error err = {0, ""};

	if (l->cache && a->status == TD_NET_OK && a->nr) {
		struct td_buf b = TD_BUF_INIT;
		unsigned ttl = a->rrs[0].ttl;
		size_t i;

		for (i = 0; i < a->nr; i++) {
			const struct td_dns_rr *rr = &a->rrs[i];

			if (rr->ttl < ttl)
				ttl = rr->ttl;
			td_buf_printf(&b, "%d\t%u\t%u\t%s\t%s\n", (int)rr->type,
				      rr->ttl, rr->priority, rr->name,
				      rr->value);
		}
		if (ttl && !td_buf_failed(&b) &&
		    td_cache_put(l->cache, "dns", w->key, a->server, b.ptr,
				 b.len, 0, a->when, a->when + ttl, &err) < 0)
			cache_error(l, &err);
		td_buf_release(&b);
	}
	w->cb.dns(a, w->payload);
	wrap_free(w);
}

int
lk_dns(struct td_lookup *l, const char *name, enum td_dns_type type,
       td_dns_cb cb, void *payload)
{
	struct td_cache_entry e;
	struct td_error err = {0, ""};
	struct lk_wrap *w;
	long long now = (long long)time(NULL);
	char *key;
	int rc;

	if (!l->cache)
		return td_net_dns(l->net, name, type, cb, payload);
	key = dns_key(name, type);
	if (!key)
		return TD_ENOMEM;
	rc = td_cache_get(l->cache, "dns", key, now, &e, &err);
	if (rc < 0)
		cache_error(l, &err);
	if (rc == 0) {
		struct lk_deferred *d = calloc(1, sizeof(*d));

		if (d && rrs_parse(d, e.body, now - e.when) == 0) {
			d->kind = LK_DNS;
			d->cb.dns = cb;
			d->payload = payload;
			d->name = key;
			d->qtype = type;
			d->server = e.server;
			e.server = NULL;
			d->when = e.when;
			td_cache_entry_release(&e);
			defer(l, d);
			return 0;
		}
		if (d)
			deferred_free(d);
		td_cache_entry_release(&e);
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		free(key);
		return TD_ENOMEM;
	}
	w->l = l;
	w->cb.dns = cb;
	w->payload = payload;
	w->key = key;
	rc = td_net_dns(l->net, name, type, on_net_dns, w);
	if (rc < 0)
		wrap_free(w);
	return rc;
}

/* ---- RDAP over HTTP ---- */

static void
on_net_http(const struct td_http_reply *r, void *payload)
{
	struct lk_wrap *w = payload;
	struct td_lookup *l = w->l;
	struct td_error err = {0, ""};

	if (l->cache && r->status == TD_NET_OK && r->code == 200 &&
	    td_cache_put(l->cache, "rdap", w->key, r->final_url, r->body,
			 r->len, r->code, r->when,
			 r->when + (long long)l->o.cache_ttl, &err) < 0)
		cache_error(l, &err);
	w->cb.http(r, w->payload);
	wrap_free(w);
}

int
lk_http(struct td_lookup *l, const char *url, td_http_cb cb, void *payload)
{
	struct td_cache_entry e;
	struct td_error err = {0, ""};
	struct lk_wrap *w;
	int rc;

	if (!l->cache)
		return td_net_http_get(l->net, url, "application/rdap+json", cb,
				       payload);
	rc = td_cache_get(l->cache, "rdap", url, (long long)time(NULL), &e,
			  &err);
	if (rc < 0)
		cache_error(l, &err);
	if (rc == 0) {
		struct lk_deferred *d = calloc(1, sizeof(*d));

		if (d && (d->name = td_strndup(url, strlen(url)))) {
			d->kind = LK_HTTP;
			d->cb.http = cb;
			d->payload = payload;
			d->server = e.server;
			d->body = e.body;
			d->len = e.len;
			d->code = e.code;
			d->when = e.when;
			e.server = e.body = NULL;
			td_cache_entry_release(&e);
			defer(l, d);
			return 0;
		}
		free(d);
		td_cache_entry_release(&e);
	}
	w = calloc(1, sizeof(*w));
	if (!w || !(w->key = td_strndup(url, strlen(url)))) {
		free(w);
		return TD_ENOMEM;
	}
	w->l = l;
	w->cb.http = cb;
	w->payload = payload;
	rc = td_net_http_get(l->net, url, "application/rdap+json", on_net_http,
			     w);
	if (rc < 0)
		wrap_free(w);
	return rc;
}

/* ---- WHOIS ---- */

static void
on_net_whois(const struct td_whois_reply *r, void *payload)
{
	struct lk_wrap *w = payload;
	struct td_lookup *l = w->l;
	struct td_error err = {0, ""};

	if (l->cache && r->status == TD_NET_OK) {
		struct td_record rec;

		/* only records: never "no match" or a quota text */
		if (td_whois_parse(&rec, r->text, r->len, r->server, NULL) ==
			0 &&
		    rec.status == TD_REC_FOUND &&
		    td_cache_put(l->cache, "whois", w->key, r->server, r->text,
				 r->len, 0, r->when,
				 r->when + (long long)l->o.cache_ttl,
				 &err) < 0)
			cache_error(l, &err);
		td_record_release(&rec);
	}
	w->cb.whois(r, w->payload);
	wrap_free(w);
}

/* A ban stored by an earlier run: tell the loop. */
static void
ban_check(struct td_lookup *l, const char *server)
{
	struct td_cache_entry e;
	struct td_error err = {0, ""};
	char *key, *name;
	size_t i;
	int rc;

	key = whois_key(server, "");
	if (!key)
		return;
	name = td_strndup(key, strlen(key) - 1); /* "host:port" */
	free(key);
	if (!name)
		return;
	for (i = 0; i < l->nr_ban_checked; i++)
		if (!strcmp(l->ban_checked[i], name)) {
			free(name);
			return;
		}
	if (TD_ARRAY_GROW(l->ban_checked, l->nr_ban_checked + 1,
			  l->alloc_ban_checked) < 0) {
		free(name);
		return;
	}
	l->ban_checked[l->nr_ban_checked++] = name;
	key = whois_key(server, "\x01" "ban");
	if (!key)
		return;
	rc = td_cache_get(l->cache, "whois", key, (long long)time(NULL), &e,
			  &err);
	if (rc < 0)
		cache_error(l, &err);
	if (rc == 0) {
		td_net_ban(l->net, e.server, e.expires);
		td_cache_entry_release(&e);
	}
	free(key);
}

void
lk_ban_put(struct td_lookup *l, const char *server, long long until)
{
	struct td_error err = {0, ""};
	long long now = (long long)time(NULL);
	char *key;

	if (!l->cache || until <= now)
		return;
	key = whois_key(server, "\x01" "ban");
	if (key && td_cache_put(l->cache, "whois", key, server, "", 0, 0, now,
				until, &err) < 0)
		cache_error(l, &err);
	free(key);
}

int
lk_whois(struct td_lookup *l, const char *server, const char *query,
	 td_whois_cb cb, void *payload)
{
	struct td_cache_entry e;
	struct td_error err = {0, ""};
	struct lk_wrap *w;
	char *key;
	int rc;

	if (!l->cache)
		return td_net_whois(l->net, server, query, cb, payload);
	ban_check(l, server);
	key = whois_key(server, query);
	if (!key)
		return TD_ENOMEM;
	rc = td_cache_get(l->cache, "whois", key, (long long)time(NULL), &e,
			  &err);
	if (rc < 0)
		cache_error(l, &err);
	if (rc == 0) {
		struct lk_deferred *d = calloc(1, sizeof(*d));

		if (d && (d->name = td_strndup(query, strlen(query)))) {
			d->kind = LK_WHOIS;
			d->cb.whois = cb;
			d->payload = payload;
			d->server = e.server;
			d->body = e.body;
			d->len = e.len;
			d->when = e.when;
			e.server = e.body = NULL;
			td_cache_entry_release(&e);
			free(key);
			defer(l, d);
			return 0;
		}
		free(d);
		td_cache_entry_release(&e);
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		free(key);
		return TD_ENOMEM;
	}
	w->l = l;
	w->cb.whois = cb;
	w->payload = payload;
	w->key = key;
	rc = td_net_whois(l->net, server, query, on_net_whois, w);
	if (rc < 0)
		wrap_free(w);
	return rc;
}

/* ---- networks by range ---- */

int
lk_net_get(struct td_lookup *l, const char *ip, char **body, size_t *len,
	   char **server, char **kind, long long *when)
{
	struct td_cache_entry e;
	struct td_error err = {0, ""};
	int rc;

	if (!l->cache)
		return 1;
	rc = td_cache_net_get(l->cache, ip, (long long)time(NULL), &e, kind,
			      &err);
	if (rc < 0) {
		cache_error(l, &err);
		return 1;
	}
	if (rc)
		return 1;
	*body = e.body;
	*len = e.len;
	*server = e.server;
	*when = e.when;
	e.body = e.server = NULL;
	td_cache_entry_release(&e);
	l->cache_hits++;
	return 0;
}

void
lk_net_put(struct td_lookup *l, const char *first, const char *last,
	   const char *kind, const char *server, const char *body, size_t len,
	   long long when)
{
	struct td_error err = {0, ""};

	if (l->cache && first && last &&
	    td_cache_net_put(l->cache, first, last, kind, server, body, len,
			     when, when + (long long)l->o.cache_ttl, &err) < 0)
		cache_error(l, &err);
}

/* ---- delivery ---- */

static void
deliver(struct lk_deferred *d)
{
	switch (d->kind) {
	case LK_DNS: {
		struct td_dns_answer a;

		memset(&a, 0, sizeof(a));
		a.status = TD_NET_OK;
		a.qname = strchr(d->name, ' ') + 1;
		a.qtype = d->qtype;
		a.server = d->server;
		a.rrs = d->rrs;
		a.nr = d->nr;
		a.when = d->when;
		a.cached = 1;
		d->cb.dns(&a, d->payload);
		break;
	}
	case LK_HTTP: {
		struct td_http_reply r;

		memset(&r, 0, sizeof(r));
		r.status = TD_NET_OK;
		r.code = d->code;
		r.url = d->name;
		r.final_url = d->server ? d->server : d->name;
		r.body = d->body ? d->body : "";
		r.len = d->len;
		r.content_type = "application/rdap+json";
		r.retry_after = -1;
		r.when = d->when;
		r.cached = 1;
		d->cb.http(&r, d->payload);
		break;
	}
	case LK_WHOIS: {
		struct td_whois_reply r;

		memset(&r, 0, sizeof(r));
		r.status = TD_NET_OK;
		r.server = d->server ? d->server : "";
		r.query = d->name;
		r.text = d->body ? d->body : "";
		r.len = d->len;
		r.when = d->when;
		r.cached = 1;
		d->cb.whois(&r, d->payload);
		break;
	}
	}
}

int
lk_run(struct td_lookup *l)
{
	for (;;) {
		int rc;

		while (l->dq) {
			struct lk_deferred *d = l->dq;

			l->dq = d->next;
			if (!l->dq)
				l->dtail = &l->dq;
			deliver(d); /* may defer more */
			deferred_free(d);
		}
		rc = td_net_run(l->net);
		if (rc < 0)
			return rc;
		if (!l->dq)
			return 0;
	}
}

void
lk_release(struct td_lookup *l)
{
	size_t i;

	while (l->dq) {
		struct lk_deferred *d = l->dq;

		l->dq = d->next;
		deferred_free(d);
	}
	l->dtail = &l->dq;
	for (i = 0; i < l->nr_ban_checked; i++)
		free(l->ban_checked[i]);
	free(l->ban_checked);
	l->ban_checked = NULL;
	l->nr_ban_checked = l->alloc_ban_checked = 0;
}
