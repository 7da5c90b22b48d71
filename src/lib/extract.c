/*
 * The extraction pipeline: mail walks the MIME tree, html/textscan/ioc find
 * candidates, url normalises and unwraps them, received decides the hop to
 * report.  This file only orchestrates and keeps the results.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "extract.h"
#include "html.h"
#include "ioc.h"
#include "mailhosts.h"
#include "term.h"
#include "textscan.h"
#include "banned.h"

#define MAX_UNWRAP 4
#define MAX_WRAPS 16 /* wrapper URLs kept per target */
#define MAX_WARNINGS 100
#define MAX_LINK_TEXT 1024

/* ---- a small string -> index hash table ---- */

struct slot {
	uint64_t hash;
	const char *key;
	size_t idx;
};

struct sidx {
	struct slot *slots; /* key == NULL: empty */
	size_t cap, nr;
};

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

static long
sidx_get(const struct sidx *x, const char *key, uint64_t h)
{
	size_t i;

	if (!x || !x->cap)
		return -1;
	for (i = h & (x->cap - 1); x->slots[i].key; i = (i + 1) & (x->cap - 1))
		if (x->slots[i].hash == h && !strcmp(x->slots[i].key, key))
			return (long)x->slots[i].idx;
	return -1;
}

static int
sidx_put(struct sidx **xp, const char *key, uint64_t h, size_t idx)
{
	struct sidx *x = *xp;
	size_t i;

	if (!x) {
		x = calloc(1, sizeof(*x));
		if (!x)
			return TD_ENOMEM;
		*xp = x;
	}
	if ((x->nr + 1) * 2 > x->cap) {
		size_t ncap = x->cap ? x->cap * 2 : 64, j;
		struct slot *ns = calloc(ncap, sizeof(*ns));

		if (!ns)
			return TD_ENOMEM;
		for (j = 0; j < x->cap; j++) {
			if (!x->slots[j].key)
				continue;
			for (i = x->slots[j].hash & (ncap - 1); ns[i].key;
			     i = (i + 1) & (ncap - 1))
				;
			ns[i] = x->slots[j];
		}
		free(x->slots);
		x->slots = ns;
		x->cap = ncap;
	}
	for (i = h & (x->cap - 1); x->slots[i].key; i = (i + 1) & (x->cap - 1))
		;
	x->slots[i].hash = h;
	x->slots[i].key = key;
	x->slots[i].idx = idx;
	x->nr++;
	return 0;
}

static void
sidx_free(struct sidx *x)
{
	if (!x)
		return;
	free(x->slots);
	free(x);
}

/* ---- extraction state ---- */

struct ctx {
	struct td_extract *x;
	const struct td_extract_opts *o;
	long stack[128]; /* open messages, innermost last */
	int depth;
	int oom;
	/* the part being scanned */
	const struct td_mail_part *part;
	unsigned limit_warned;
};

static void
add_warning(struct td_extract *x, const char *text)
{
	struct td_buf b = TD_BUF_INIT;

	if (x->nr_warnings >= MAX_WARNINGS) {
		x->warnings_dropped++;
		return;
	}
	td_utf8_sanitize(&b, text, strlen(text));
	if (td_buf_failed(&b) ||
	    TD_ARRAY_GROW(x->warnings, x->nr_warnings + 1, x->alloc_warnings) <
		    0) {
		td_buf_release(&b);
		return;
	}
	x->warnings[x->nr_warnings++] = td_buf_detach(&b, NULL);
}

static void
warnf(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
warnf(struct ctx *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	add_warning(c->x, msg);
}

static struct td_xmsg *
cur_msg(struct ctx *c)
{
	if (c->depth <= 0)
		return NULL;
	return &c->x->msgs[c->stack[c->depth - 1]];
}

static char *
xdup(struct ctx *c, const char *s)
{
	char *p;

	if (!s)
		return NULL;
	p = td_strndup(s, strlen(s));
	if (!p)
		c->oom = 1;
	return p;
}

static char *
xdupn(struct ctx *c, const char *s, size_t len)
{
	struct td_buf b = TD_BUF_INIT;

	if (td_utf8_sanitize(&b, s, len) < 0) {
		td_buf_release(&b);
		c->oom = 1;
		return NULL;
	}
	return td_buf_detach(&b, NULL);
}

static void
found_release(struct td_found *f)
{
	free(f->part);
	free(f->content_type);
	free(f->filename);
	free(f->link_text);
	free(f->shown_host);
}

/*
 * Record where something was seen.  Beyond max_found places only the count
 * grows: a message with the same link 5,000 times says so without
 * listing each one.
 */
static struct td_found *
add_found(struct ctx *c, struct td_found **arr, size_t *nr, size_t *alloc,
	  const char *where)
{
	struct td_found *f;
	const struct td_mail_part *p = c->part;

	if (*nr >= c->o->max_found)
		return NULL;
	if (TD_ARRAY_GROW(*arr, *nr + 1, *alloc) < 0) {
		c->oom = 1;
		return NULL;
	}
	f = &(*arr)[(*nr)++];
	memset(f, 0, sizeof(*f));
	f->where = where;
	f->part = xdup(c, p ? p->path : "");
	if (p) {
		f->content_type = xdup(c, p->content_type);
		f->filename = xdup(c, p->filename);
	}
	return f;
}

/* ---- URLs ---- */

static int
has_scheme(const char *s, size_t len, size_t *colon)
{
	size_t i;

	if (!len || !((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z'))
		return 0;
	for (i = 1; i < len && i < 32; i++) {
		char ch = s[i];

		if (ch == ':') {
			*colon = i;
			return 1;
		}
		if (!((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z') &&
		    !(ch >= '0' && ch <= '9') && ch != '+' && ch != '-' &&
		    ch != '.')
			return 0;
	}
	return 0;
}

static void add_value(struct ctx *c, struct td_xlist *l, const char *value,
		      size_t vlen, const char *raw, size_t rlen,
		      const char *where, int defanged);

/* Host shown by a link's visible text: a URL in it, or the whole text
   being a host name with a known public suffix. */
char *
td_extract_shown_host(const char *text, size_t len)
{
	struct first {
		char *host;
	} st = {NULL};
	size_t i, j, dots = 0;
	struct td_buf b = TD_BUF_INIT;
	char *reg;

	while (len && (*text == ' ' || *text == '\t' || *text == '\n'))
		text++, len--;
	while (len && (text[len - 1] == ' ' || text[len - 1] == '\n' ||
		       text[len - 1] == '\t'))
		len--;
	if (!len || len > MAX_LINK_TEXT)
		return NULL;
	/* a URL written in the text */
	{
		size_t colon;
		const char *p = text;
		const char *end = text + len;

		for (; p < end; p++) {
			if ((*p == 'h' || *p == 'H' || *p == 'w' || *p == 'W') &&
			    (p == text || p[-1] == ' ' || p[-1] == '(' ||
			     p[-1] == '<')) {
				size_t n = (size_t)(end - p), k = 0;
				struct td_url u;

				while (k < n && p[k] != ' ' && p[k] != '>' &&
				       p[k] != ')')
					k++;
				td_buf_reset(&b);
				if (!has_scheme(p, k, &colon))
					td_buf_adds(&b, "http://");
				td_buf_add(&b, p, k);
				if (!td_buf_failed(&b) &&
				    td_url_parse(&u, b.ptr, b.len, NULL) == 0) {
					if (u.is_ip || strchr(u.host_ascii, '.'))
						st.host = td_strndup(
							u.host_ascii,
							strlen(u.host_ascii));
					td_url_release(&u);
					if (st.host)
						break;
				}
			}
		}
	}
	if (!st.host) {
		/* the whole text is a host name ("paypal.com") */
		for (i = 0; i < len; i++) {
			unsigned char ch = (unsigned char)text[i];

			if (ch == '/')
				break;
			if (ch == '.')
				dots++;
			else if (!((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z') &&
				 !(ch >= '0' && ch <= '9') && ch != '-')
				goto out;
		}
		if (!dots || i == 0 || text[i - 1] == '.' || text[0] == '.')
			goto out;
		td_buf_reset(&b);
		for (j = 0; j < i; j++)
			td_buf_addch(&b, (text[j] >= 'A' && text[j] <= 'Z')
						 ? text[j] + 32
						 : text[j]);
		if (td_buf_failed(&b))
			goto out;
		reg = td_url_registrable(b.ptr);
		if (!reg)
			goto out;
		free(reg);
		st.host = td_buf_detach(&b, NULL);
	}
out:
	td_buf_release(&b);
	return st.host;
}

static int
same_site(const char *a, const char *b)
{
	char *ra, *rb;
	int same;

	if (!strcasecmp(a, b))
		return 1;
	ra = td_url_registrable(a);
	rb = td_url_registrable(b);
	same = ra && rb && !strcmp(ra, rb);
	free(ra);
	free(rb);
	return same;
}

/*
 * Every candidate string handed to add_url, so that the safety-net scan
 * of raw HTML source (scan_html_source) adds only what the HTML scanner
 * did not already report in some form.
 */
#define MAX_CANDS 20000

static int
seen_candidate(const struct td_xmsg *m, const char *s)
{
	return sidx_get(m->cand_index, s, hash_str(s)) >= 0;
}

static void
remember_candidate(struct ctx *c, struct td_xmsg *m, const char *s,
		   size_t len)
{
	char *k;
	uint64_t h;

	if (m->nr_cands >= MAX_CANDS)
		return;
	k = td_strndup(s, len);
	if (!k) {
		c->oom = 1;
		return;
	}
	h = hash_str(k);
	if (sidx_get(m->cand_index, k, h) >= 0) {
		free(k);
		return;
	}
	if (TD_ARRAY_GROW(m->cands, m->nr_cands + 1, m->alloc_cands) < 0 ||
	    sidx_put((struct sidx **)&m->cand_index, k, h, m->nr_cands) < 0) {
		free(k);
		c->oom = 1;
		return;
	}
	m->cands[m->nr_cands++] = k;
}

static void
add_url(struct ctx *c, const char *cand, size_t len, const char *raw,
	size_t raw_len, const char *where, unsigned hit_flags,
	const char *link_text, size_t link_len)
{
	struct td_xmsg *m = cur_msg(c);
	struct td_wrap wraps[MAX_UNWRAP];
	size_t nr_wraps = 0, colon, i;
	char *owned = NULL;
	const char *cur = cand;
	size_t cur_len = len;
	struct td_url u;
	struct td_xurl *xu;
	struct td_found *f;
	uint64_t h;
	long idx;
	int prc;

	if (!m)
		return;
	while (cur_len && (*cur == ' ' || *cur == '\t' || *cur == '\n' ||
			   *cur == '\r'))
		cur++, cur_len--;
	remember_candidate(c, m, cur, cur_len);
	if (cur_len > 2 && cur[0] == '/' && cur[1] == '/' && cur[2] != '/') {
		/* protocol-relative ("//host/x") with no base: a mail reader
		   opens it over https */
		struct td_buf b = TD_BUF_INIT;

		td_buf_adds(&b, "https:");
		td_buf_add(&b, cur, cur_len);
		if (!td_buf_failed(&b))
			add_url(c, b.ptr, b.len, raw, raw_len, where, hit_flags,
				link_text, link_len);
		else
			c->oom = 1;
		td_buf_release(&b);
		return;
	}
	if (!has_scheme(cur, cur_len, &colon))
		return;
	if (colon == 6 && !strncasecmp(cur, "mailto", 6)) {
		size_t e = colon + 1;

		while (e < cur_len && cur[e] != '?')
			e++;
		if (e > colon + 1)
			add_value(c, &m->emails, cur + colon + 1,
				  e - colon - 1, cur, cur_len, where, 0);
		return;
	}
	if (colon == 3 && !strncasecmp(cur, "tel", 3)) {
		if (cur_len > 4)
			add_value(c, &m->phones, cur + 4, cur_len - 4, cur,
				  cur_len, where, 0);
		return;
	}

	/* peel link wrappers, keeping each as provenance */
	while (nr_wraps < MAX_UNWRAP) {
		char *inner = NULL;
		const char *kind = NULL;
		int r = td_url_unwrap(&inner, &kind, cur, cur_len);

		if (r <= 0) {
			if (r < 0)
				c->oom = 1;
			break;
		}
		wraps[nr_wraps].kind = kind;
		wraps[nr_wraps].url = xdupn(c, cur, cur_len);
		nr_wraps++;
		free(owned);
		owned = inner;
		cur = inner;
		cur_len = strlen(inner);
	}
	if ((prc = td_url_parse(&u, cur, cur_len, NULL)) < 0) {
		/* "http://evil.example  /path": browsers refuse a space in
		   the host, but the host is still the one to report */
		const char *sp = memchr(cur, ' ', cur_len);

		if (prc == TD_ENOMEM || !sp ||
		    (prc = td_url_parse(&u, cur, (size_t)(sp - cur), NULL)) < 0) {
			if (prc == TD_ENOMEM)
				c->oom = 1;
			goto drop;
		}
	}

	h = hash_str(u.url);
	idx = sidx_get(m->url_index, u.url, h);
	if (idx < 0) {
		if (m->nr_urls >= c->o->max_urls) {
			if (!(c->limit_warned & 1))
				warnf(c, "more than %zu distinct URLs in one "
					 "message, the rest not kept (limit "
					 "max_urls)",
				      c->o->max_urls);
			c->limit_warned |= 1;
			td_url_release(&u);
			goto drop;
		}
		if (TD_ARRAY_GROW(m->urls, m->nr_urls + 1, m->alloc_urls) < 0) {
			c->oom = 1;
			td_url_release(&u);
			goto drop;
		}
		xu = &m->urls[m->nr_urls];
		memset(xu, 0, sizeof(*xu));
		xu->u = u;
		xu->raw = xdupn(c, raw, raw_len);
		if (nr_wraps) {
			xu->wraps = calloc(nr_wraps, sizeof(*xu->wraps));
			if (xu->wraps) {
				memcpy(xu->wraps, wraps,
				       nr_wraps * sizeof(*wraps));
				xu->nr_wraps = nr_wraps;
				nr_wraps = 0;
			}
		}
		if (sidx_put((struct sidx **)&m->url_index, xu->u.url, h,
			     m->nr_urls) < 0)
			c->oom = 1;
		m->nr_urls++;
	} else {
		xu = &m->urls[idx];
		td_url_release(&u);
		/* the same target behind another wrapper: keep that one too */
		for (i = 0; i < nr_wraps && xu->nr_wraps < MAX_WRAPS; i++) {
			size_t k;
			struct td_wrap *nw;

			for (k = 0; k < xu->nr_wraps; k++)
				if (wraps[i].url && xu->wraps[k].url &&
				    !strcmp(xu->wraps[k].url, wraps[i].url))
					break;
			if (k < xu->nr_wraps || !wraps[i].url)
				continue;
			nw = realloc(xu->wraps,
				     (xu->nr_wraps + 1) * sizeof(*nw));
			if (!nw) {
				c->oom = 1;
				break;
			}
			xu->wraps = nw;
			xu->wraps[xu->nr_wraps++] = wraps[i];
			wraps[i].url = NULL;
		}
	}
	xu->seen++;
	if (hit_flags & TD_HIT_DEFANGED)
		xu->defanged = 1;
	if (hit_flags & TD_HIT_JOINED)
		xu->joined = 1;
	f = add_found(c, &xu->found, &xu->nr_found, &xu->alloc_found, where);
	if (f && link_text && link_len) {
		f->link_text = xdupn(c, link_text, link_len);
		f->shown_host = td_extract_shown_host(link_text, link_len);
		if (f->shown_host && !same_site(f->shown_host,
						xu->u.host_ascii)) {
			f->mismatch = 1;
			xu->mismatch = 1;
		}
	}
drop:
	for (i = 0; i < nr_wraps; i++)
		free(wraps[i].url);
	free(owned);
}

/* ---- e-mail addresses, IPs, phones ---- */

static void
add_value(struct ctx *c, struct td_xlist *l, const char *value, size_t vlen,
	  const char *raw, size_t rlen, const char *where, int defanged)
{
	struct td_xval *v;
	char *key;
	uint64_t h;
	long idx;

	key = xdupn(c, value, vlen);
	if (!key)
		return;
	h = hash_str(key);
	idx = sidx_get(l->index, key, h);
	if (idx < 0) {
		if (l->nr >= c->o->max_values) {
			free(key);
			if (!(c->limit_warned & 2))
				warnf(c, "more than %zu values of one kind in "
					 "one message, the rest not kept (limit "
					 "max_values)",
				      c->o->max_values);
			c->limit_warned |= 2;
			return;
		}
		if (TD_ARRAY_GROW(l->v, l->nr + 1, l->alloc) < 0) {
			free(key);
			c->oom = 1;
			return;
		}
		v = &l->v[l->nr];
		memset(v, 0, sizeof(*v));
		v->value = key;
		v->raw = xdupn(c, raw, rlen);
		if (sidx_put((struct sidx **)&l->index, v->value, h, l->nr) < 0)
			c->oom = 1;
		l->nr++;
	} else {
		free(key);
		v = &l->v[idx];
	}
	v->seen++;
	if (defanged)
		v->defanged = 1;
	add_found(c, &v->found, &v->nr_found, &v->alloc_found, where);
}

struct scan {
	struct ctx *c;
	const char *where;
	const char *text; /* the text being scanned (html source scan) */
};

static int
on_text_hit(const struct td_text_hit *hit, void *payload)
{
	struct scan *s = payload;

	add_url(s->c, hit->url, hit->url_len, hit->raw, hit->raw_len,
		s->where, hit->flags, NULL, 0);
	return s->c->oom ? TD_ENOMEM : 0;
}

static int
on_ioc_hit(const struct td_ioc_hit *hit, void *payload)
{
	struct scan *s = payload;
	struct td_xmsg *m = cur_msg(s->c);
	struct td_xlist *l;

	if (!m)
		return 0;
	switch (hit->kind) {
	case TD_IOC_EMAIL:
		l = &m->emails;
		break;
	case TD_IOC_IPV4:
	case TD_IOC_IPV6:
		l = &m->ips;
		break;
	default:
		l = &m->phones;
		break;
	}
	add_value(s->c, l, hit->value, hit->value_len, hit->raw, hit->raw_len,
		  s->where, hit->defanged);
	return s->c->oom ? TD_ENOMEM : 0;
}

static void
scan_text(struct ctx *c, const char *text, size_t len, const char *where)
{
	struct scan s = {c, where, text};

	if (!len)
		return;
	td_text_scan(text, len, on_text_hit, &s);
	td_ioc_scan(text, len, on_ioc_hit, &s);
}

/*
 * The HTML scanner reads markup as a browser would; broken markup such as
 * `<a hre"https://x">` or a URL pasted into a style value is then not a
 * link.  As a safety net, URLs written anywhere in the source that the
 * scanner did not report are added too, as found in "html source".
 * Character references are undone for &amp; only (the form that occurs in
 * URLs), so that the same link is not added twice.
 */
/*
 * XML namespace names and DTD identifiers (<html xmlns=...>, <!DOCTYPE>,
 * Office's VML/OMML namespaces) look like URLs but are never fetched.
 */
static int
is_namespace_uri(const char *u)
{
	static const char *const prefixes[] = {
		"http://www.w3.org/",
		"https://www.w3.org/",
		"http://schemas.microsoft.com/",
		"http://schemas.openxmlformats.org/",
		"http://purl.org/",
		"http://ns.adobe.com/",
		NULL,
	};
	const char *const *p;

	for (p = prefixes; *p; p++)
		if (!strncasecmp(u, *p, strlen(*p)))
			return 1;
	return 0;
}

/* Inside <!DOCTYPE ...> or the value of an xmlns attribute? */
static int
in_doctype_or_xmlns(const char *text, const char *at)
{
	const char *p = at, *stop = at - (at - text > 512 ? 512 : at - text);

	while (p > stop && (p[-1] == '"' || p[-1] == '\'' || p[-1] == ' '))
		p--;
	if (p > stop && p[-1] == '=') {
		const char *n = p - 1;

		while (n > stop && n[-1] == ' ')
			n--;
		if (n - stop >= 5 && !strncasecmp(n - 5, "xmlns", 5))
			return 1;
		if (n - stop >= 6 && n[-6] == 'x' &&
		    !strncasecmp(n - 6, "xmlns:", 6))
			return 1;
	}
	for (p = at; p > stop; p--) {
		if (p[-1] == '>' || p[-1] == '<')
			return p[-1] == '<' && at - p >= 8 &&
			       !strncasecmp(p, "!doctype", 8);
	}
	return 0;
}

/*
 * A source hit that is the start of a URL already reported (the scanner
 * read "img/a b.png" whole, the plain-text finder stops at the space).
 */
static int
prefix_of_known(const struct td_xmsg *m, const char *u, size_t len)
{
	size_t i;

	for (i = 0; i < m->nr_urls && i < 2000; i++)
		if (!strncmp(m->urls[i].u.url, u, len) ||
		    (m->urls[i].raw && !strncmp(m->urls[i].raw, u, len)))
			return 1;
	return 0;
}

static int
on_source_hit(const struct td_text_hit *hit, void *payload)
{
	struct scan *s = payload;
	struct td_xmsg *m = cur_msg(s->c);
	struct td_buf b = TD_BUF_INIT;
	size_t i;

	if (!m)
		return 0;
	for (i = 0; i < hit->url_len; i++) {
		static const char *const stops[] = {"&quot", "&nbsp", "&gt",
						    "&lt",   "&#34",  "&#39",
						    "&apos", NULL};
		const char *const *st;

		/* a reference to a quote, space or bracket ends the URL as
		   the character itself would */
		for (st = stops; *st; st++)
			if (!strncmp(hit->url + i, *st, strlen(*st)))
				break;
		if (*st)
			break;
		if (hit->url[i] == '&' && i + 5 <= hit->url_len &&
		    !memcmp(hit->url + i, "&amp;", 5)) {
			td_buf_addch(&b, '&');
			i += 4;
		} else {
			td_buf_addch(&b, hit->url[i]);
		}
	}
	if (td_buf_failed(&b)) {
		td_buf_release(&b);
		return TD_ENOMEM;
	}
	if (!seen_candidate(m, b.ptr) && !is_namespace_uri(b.ptr) &&
	    !in_doctype_or_xmlns(s->text, hit->raw) &&
	    !prefix_of_known(m, b.ptr, b.len))
		add_url(s->c, b.ptr, b.len, hit->raw, hit->raw_len, s->where,
			hit->flags, NULL, 0);
	td_buf_release(&b);
	return s->c->oom ? TD_ENOMEM : 0;
}

static int
on_html_link(const struct td_html_link *link, void *payload)
{
	struct ctx *c = payload;

	add_url(c, link->resolved, link->resolved_len, link->value,
		link->value_len, td_html_ctx_name(link->ctx), 0,
		link->link_text, link->link_text_len);
	return c->oom ? TD_ENOMEM : 0;
}

static int
on_html_text(enum td_html_text_kind kind, const char *s, size_t len,
	     void *payload)
{
	struct ctx *c = payload;
	static const char *const names[] = {
		[TD_HTML_TEXT_NODE] = "html text",
		[TD_HTML_TEXT_COMMENT] = "html comment",
		[TD_HTML_TEXT_SCRIPT] = "script",
		[TD_HTML_TEXT_STYLE] = "style",
		[TD_HTML_TEXT_ATTR] = "html attribute",
	};

	scan_text(c, s, len, names[kind]);
	return c->oom ? TD_ENOMEM : 0;
}

static int
is_html_part(const struct td_mail_part *p)
{
	const char *ct = p->content_type;
	const char *dot = p->filename ? strrchr(p->filename, '.') : NULL;

	if (!strcmp(ct, "text/html") || !strcmp(ct, "application/xhtml+xml") ||
	    !strcmp(ct, "image/svg+xml"))
		return 1;
	if (dot && (!strcasecmp(dot, ".html") || !strcasecmp(dot, ".htm") ||
		    !strcasecmp(dot, ".shtml") || !strcasecmp(dot, ".xhtml") ||
		    !strcasecmp(dot, ".svg") || !strcasecmp(dot, ".hta")))
		return 1;
	/* text/plain that is really HTML (and octet-stream carriers) */
	return td_html_sniff(p->text, p->text_len);
}

static int
on_part(const struct td_mail_part *p, void *payload)
{
	struct ctx *c = payload;
	struct td_xmsg *m = cur_msg(c);

	if (!m)
		return 0;
	c->part = p;
	if (p->is_attachment || !p->text) {
		struct td_xattach *a;

		if (TD_ARRAY_GROW(m->attachments, m->nr_attachments + 1,
				  m->alloc_attachments) < 0)
			return TD_ENOMEM;
		a = &m->attachments[m->nr_attachments++];
		memset(a, 0, sizeof(*a));
		a->part = xdup(c, p->path);
		a->filename = xdup(c, p->filename);
		a->content_type = xdup(c, p->content_type);
		a->size = p->full_len;
		memcpy(a->sha256, p->sha256, sizeof(a->sha256));
		a->truncated = p->truncated;
	}
	if (p->text) {
		if (is_html_part(p)) {
			static const struct td_html_cb cb = {on_html_link,
							     on_html_text};

			struct scan src = {c, "html source", p->text};

			td_html_scan(p->text, p->text_len, NULL, &cb, c);
			td_text_scan(p->text, p->text_len, on_source_hit, &src);
		} else {
			scan_text(c, p->text, p->text_len,
				  p->is_attachment ? "attachment text"
						   : "text");
		}
	}
	c->part = NULL;
	return c->oom ? TD_ENOMEM : 0;
}

/* ---- headers ---- */

static int
parse_addrs(struct ctx *c, const struct td_mail_msg *msg, const char *name,
	    struct td_mail_addr **out, size_t *nr)
{
	const struct td_mail_header *h = td_mail_header_find(msg, name);

	if (!h)
		return 0;
	return td_mail_addrs_parse(out, nr, h->value);
}

static char *
header_dup(struct ctx *c, const struct td_mail_msg *msg, const char *name,
	   int decoded)
{
	const struct td_mail_header *h = td_mail_header_find(msg, name);

	if (!h)
		return NULL;
	return xdup(c, decoded ? h->decoded : h->value);
}

/* List-Unsubscribe (RFC 2369 3.2): comma-separated <URI> items. */
static void
list_unsubscribe(struct ctx *c, struct td_xmsg *m, const char *v)
{
	const char *p = v, *lt, *gt;

	while ((lt = strchr(p, '<')) && (gt = strchr(lt + 1, '>'))) {
		size_t len = (size_t)(gt - lt - 1);

		if (m->nr_list_unsubscribe < 16) {
			char **n = realloc(m->list_unsubscribe,
					   (m->nr_list_unsubscribe + 1) *
						   sizeof(*n));

			if (!n) {
				c->oom = 1;
				return;
			}
			m->list_unsubscribe = n;
			n[m->nr_list_unsubscribe++] = xdupn(c, lt + 1, len);
		}
		add_url(c, lt + 1, len, lt + 1, len, "header List-Unsubscribe",
			0, NULL, 0);
		p = gt + 1;
	}
}

static int
on_message(const struct td_mail_msg *msg, void *payload)
{
	struct ctx *c = payload;
	struct td_extract *x = c->x;
	struct td_xmsg *m;
	const struct td_mail_header *h;
	size_t i;
	long idx;

	if (c->depth >= (int)(sizeof(c->stack) / sizeof(c->stack[0])))
		return 0;
	if (TD_ARRAY_GROW(x->msgs, x->nr_msgs + 1, x->alloc_msgs) < 0)
		return TD_ENOMEM;
	idx = (long)x->nr_msgs++;
	m = &x->msgs[idx];
	memset(m, 0, sizeof(*m));
	m->role = msg->role;
	m->part = xdup(c, msg->part);
	m->filename = xdup(c, msg->filename);
	m->depth = msg->depth;
	m->parent = c->depth ? c->stack[c->depth - 1] : -1;
	m->date_utc = -1;
	m->received.report_hop = -1;
	c->stack[c->depth++] = idx;

	if (parse_addrs(c, msg, "From", &m->from, &m->nr_from) < 0 ||
	    parse_addrs(c, msg, "Reply-To", &m->reply_to, &m->nr_reply_to) <
		    0 ||
	    parse_addrs(c, msg, "Sender", &m->sender, &m->nr_sender) < 0 ||
	    parse_addrs(c, msg, "To", &m->to, &m->nr_to) < 0)
		return TD_ENOMEM;
	m->return_path = header_dup(c, msg, "Return-Path", 0);
	m->subject = header_dup(c, msg, "Subject", 1);
	m->date = header_dup(c, msg, "Date", 0);
	if (m->date && td_mail_date_parse(&m->date_utc, m->date) < 0)
		m->date_utc = -1;
	m->message_id = header_dup(c, msg, "Message-ID", 0);
	h = td_mail_header_find(msg, "Authentication-Results");
	if (h) {
		struct td_buf b = TD_BUF_INIT;

		td_auth_summary(&b, h->value, strlen(h->value));
		if (b.len)
			m->auth = td_buf_detach(&b, NULL);
		td_buf_release(&b);
	}
	for (i = 0; i < msg->nr_hdrs; i++) {
		const struct td_mail_header *hh = &msg->hdrs[i];

		if (!strcasecmp(hh->name, "Received")) {
			if (td_received_add(&m->received, hh->value,
					    strlen(hh->value)) < 0)
				return TD_ENOMEM;
		} else if (!strcasecmp(hh->name, "List-Unsubscribe")) {
			list_unsubscribe(c, m, hh->value);
		}
	}
	{
		const char *prov = c->o->auto_trust
					   ? td_mailhosts_detect(&m->received)
					   : NULL;
		struct td_trust t;

		if (prov && td_mailhosts_trust(&t, c->o->trust, prov) == 0) {
			td_received_decide(&m->received, &t);
			td_trust_release(&t);
			m->mail_provider = prov;
		} else {
			td_received_decide(&m->received, c->o->trust);
		}
	}
	if (m->subject) {
		struct scan s = {c, "header Subject", NULL};

		td_text_scan(m->subject, strlen(m->subject), on_text_hit, &s);
	}
	return c->oom ? TD_ENOMEM : 0;
}

static void
on_message_end(const struct td_mail_msg *msg, void *payload)
{
	struct ctx *c = payload;

	if (c->depth > 0)
		c->depth--;
}

static void
on_warning(const char *text, void *payload)
{
	struct ctx *c = payload;

	add_warning(c->x, text);
}

int
td_extract_message(struct td_extract *out, const char *data, size_t len,
		   const struct td_extract_opts *opts, struct td_error *err)
{
	static const struct td_extract_opts defaults = TD_EXTRACT_OPTS_INIT;
	static const struct td_mail_cb cb = {on_message, on_part,
					     on_message_end, on_warning};
	struct ctx c;
	int ret;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.x = out;
	c.o = opts ? opts : &defaults;
	ret = td_mail_walk(data, len, &c.o->limits, &cb, &c, err);
	if (ret == 0 && c.oom)
		ret = TD_ENOMEM;
	if (ret == TD_ENOMEM)
		return td_error_set(err, TD_ENOMEM, "out of memory");
	return ret;
}

static void
xlist_release(struct td_xlist *l)
{
	size_t i, j;

	for (i = 0; i < l->nr; i++) {
		free(l->v[i].value);
		free(l->v[i].raw);
		for (j = 0; j < l->v[i].nr_found; j++)
			found_release(&l->v[i].found[j]);
		free(l->v[i].found);
	}
	free(l->v);
	sidx_free(l->index);
}

void
td_extract_release(struct td_extract *x)
{
	size_t i, j, k;

	for (i = 0; i < x->nr_msgs; i++) {
		struct td_xmsg *m = &x->msgs[i];

		free(m->part);
		free(m->filename);
		td_mail_addrs_free(m->from, m->nr_from);
		td_mail_addrs_free(m->reply_to, m->nr_reply_to);
		td_mail_addrs_free(m->sender, m->nr_sender);
		td_mail_addrs_free(m->to, m->nr_to);
		free(m->return_path);
		free(m->subject);
		free(m->date);
		free(m->message_id);
		free(m->auth);
		for (j = 0; j < m->nr_list_unsubscribe; j++)
			free(m->list_unsubscribe[j]);
		free(m->list_unsubscribe);
		td_received_release(&m->received);
		for (j = 0; j < m->nr_urls; j++) {
			struct td_xurl *u = &m->urls[j];

			td_url_release(&u->u);
			free(u->raw);
			for (k = 0; k < u->nr_wraps; k++)
				free(u->wraps[k].url);
			free(u->wraps);
			for (k = 0; k < u->nr_found; k++)
				found_release(&u->found[k]);
			free(u->found);
		}
		free(m->urls);
		sidx_free(m->url_index);
		sidx_free(m->cand_index);
		for (j = 0; j < m->nr_cands; j++)
			free(m->cands[j]);
		free(m->cands);
		xlist_release(&m->emails);
		xlist_release(&m->ips);
		xlist_release(&m->phones);
		for (j = 0; j < m->nr_attachments; j++) {
			free(m->attachments[j].part);
			free(m->attachments[j].filename);
			free(m->attachments[j].content_type);
		}
		free(m->attachments);
	}
	free(x->msgs);
	for (i = 0; i < x->nr_warnings; i++)
		free(x->warnings[i]);
	free(x->warnings);
	memset(x, 0, sizeof(*x));
}
