/*
 * Evidence: fetch URLs as named clients, store what was served by its
 * SHA-256, and read the page's title and forms.  The fetching is the net
 * loop's (td_net_http_fetch, with its address and size rules); the HTML
 * reading uses the html module for decoding and URL resolution.  See
 * docs/internals/evidence.md.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "evidence.h"
#include "hash.h"
#include "html.h"
#include "net.h"
#include "paths.h"
#include "url.h"
#include "banned.h"

#define EV_DEFAULT_BODY ((size_t)4 << 20)
#define EV_DEFAULT_REDIRECTS 10
#define EV_TITLE_RAW_MAX (16 * 1024) /* raw title bytes decoded */
#define EV_ATTR_RAW_MAX (16 * 1024)  /* raw attribute bytes decoded */
#define EV_TYPE_MAX 32

/* ---- client profiles ---- */

/*
 * Chrome 131 on Windows 10: the headers of a top-level navigation typed
 * or clicked from another application (Sec-Fetch-Site: none).
 */
static const char *const desktop_headers[] = {
    "Upgrade-Insecure-Requests: 1",
    "Sec-Fetch-Site: none",
    "Sec-Fetch-Mode: navigate",
    "Sec-Fetch-User: ?1",
    "Sec-Fetch-Dest: document",
    ("sec-ch-ua: \"Google Chrome\";v=\"131\", \"Chromium\";v=\"131\", "
     "\"Not_A Brand\";v=\"24\""),
    "sec-ch-ua-mobile: ?0",
    "sec-ch-ua-platform: \"Windows\"",
};

/* Safari on an iPhone (iOS 17.6); Safari 16.4+ sends Sec-Fetch-*. */
static const char *const mobile_headers[] = {
    "Sec-Fetch-Site: none",
    "Sec-Fetch-Mode: navigate",
    "Sec-Fetch-Dest: document",
};

static const struct td_evidence_profile profiles[] = {
    {"desktop", "Chrome 131 on Windows 10, a link opened from a mail client",
     "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
     "like Gecko) Chrome/131.0.0.0 Safari/537.36",
     "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,"
     "image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;"
     "q=0.7",
     "en-US,en;q=0.9", desktop_headers,
     sizeof(desktop_headers) / sizeof(desktop_headers[0])},
    {"mobile", "Safari on an iPhone (iOS 17.6), a link opened from Mail",
     "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) "
     "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 "
     "Mobile/15E148 Safari/604.1",
     "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
     "en-US,en;q=0.9", mobile_headers,
     sizeof(mobile_headers) / sizeof(mobile_headers[0])},
    {"script", "a plain script client: curl 7.88.1 as Debian 12 ships it",
     "curl/7.88.1", "*/*", NULL, NULL, 0},
};

const struct td_evidence_profile *
td_evidence_profiles(size_t *nr)
{
	*nr = sizeof(profiles) / sizeof(profiles[0]);
	return profiles;
}

const struct td_evidence_profile *
td_evidence_profile(const char *name)
{
	size_t i;

	for (i = 0; name && i < sizeof(profiles) / sizeof(profiles[0]); i++)
		if (!strcmp(profiles[i].name, name))
			return &profiles[i];
	return NULL;
}

/* ---- memory: one arena per page or capture, freed at once ---- */

struct arena {
	struct arena *next;
	size_t used, size;
	alignas(max_align_t) unsigned char data[];
};

static void *
arena_alloc(struct arena **a, size_t n)
{
	const size_t align = alignof(max_align_t);
	struct arena *b = *a;
	size_t at;

	if (n > SIZE_MAX / 2)
		return NULL;
	n = n ? n : 1;
	at = b ? (b->used + align - 1) / align * align : 0;
	if (!b || at + n > b->size) {
		size_t size = n > 8192 ? n : 8192;

		b = malloc(sizeof(*b) + size);
		if (!b)
			return NULL;
		b->next = *a;
		b->used = 0;
		b->size = size;
		*a = b;
		at = 0;
	}
	b->used = at + n;
	return b->data + at;
}

static void *
arena_zalloc(struct arena **a, size_t n)
{
	void *p = arena_alloc(a, n);

	if (p)
		memset(p, 0, n);
	return p;
}

static char *
arena_strndup(struct arena **a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* A copy of s (NULL stays NULL); sets *oom when allocation fails. */
static const char *
arena_copy(struct arena **a, const char *s, int *oom)
{
	char *p;

	if (!s)
		return NULL;
	p = arena_strndup(a, s, strlen(s));
	if (!p)
		*oom = 1;
	return p;
}

static void
arena_free(struct arena *a)
{
	while (a) {
		struct arena *next = a->next;

		free(a);
		a = next;
	}
}

/* ---- reading a page: title and forms ---- */

static int
is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/* Case-insensitive: does p[0..n) start with the lowercase word w? */
static int
ci_prefix(const char *p, size_t n, const char *w)
{
	size_t i, k = strlen(w);

	if (n < k)
		return 0;
	for (i = 0; i < k; i++)
		if (tolower((unsigned char)p[i]) != w[i])
			return 0;
	return 1;
}

/* Shorten s[0..n) to at most max bytes without cutting a UTF-8 sequence. */
static size_t
utf8_cut(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	n = max;
	while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

enum { A_ACTION, A_METHOD, A_TYPE, A_NAME, A_HREF, A_NR };

struct slice {
	const char *p;
	size_t n;
	int set;
};

struct raw_form {
	struct slice action, method;
};

struct pscan {
	const char *in;
	size_t len;
	struct arena *mem;
	struct td_evidence_page *page;
	struct td_evidence_form *forms;
	struct raw_form *raw; /* per form: the undecoded attributes */
	struct td_evidence_input *loose;
	struct td_evidence_input *cur_inputs;
	struct td_evidence_form *cur; /* the open form, NULL if dropped */
	int form_open;
	size_t foreign; /* depth of open <svg>/<math> */
	struct slice title, base;
	int have_title;
	/* the tag being read */
	char name[16];
	size_t name_len;
	int end_tag, self_closing;
	struct slice a[A_NR];
	int oom;
};

/* One attribute of the tag being read; the first of a name wins. */
static void
tag_attr(struct pscan *s, const char *name, size_t nlen, const char *v,
	 size_t vn)
{
	static const char *const names[A_NR] = {"action", "method", "type",
						"name", "href"};
	int i;

	for (i = 0; i < A_NR; i++) {
		if (nlen == strlen(names[i]) &&
		    ci_prefix(name, nlen, names[i])) {
			if (!s->a[i].set) {
				s->a[i].p = v ? v : "";
				s->a[i].n = v ? vn : 0;
				s->a[i].set = 1;
			}
			return;
		}
	}
}

/*
 * Read a tag at in[pos] == '<' with the tokenizer rules of html.c (HTML
 * LS 13.2.5.6 - 13.2.5.40): name, attributes, quotes, self-closing.
 * Returns the position after it.  An attribute value whose quote never
 * closes ends the input (as in html.c it is not an attribute).
 */
static size_t
read_tag(struct pscan *s, size_t pos)
{
	const char *in = s->in, *e;
	size_t len = s->len, i = pos + 1, ns, as, ae, vs, k;
	char c;

	memset(s->a, 0, sizeof(s->a));
	s->self_closing = 0;
	s->end_tag = in[i] == '/';
	if (s->end_tag)
		i++;
	ns = i;
	while (i < len && !is_ws((unsigned char)in[i]) && in[i] != '/' &&
	       in[i] != '>')
		i++;
	s->name_len = i - ns;
	for (k = 0; k < s->name_len && k < sizeof(s->name) - 1; k++)
		s->name[k] = (char)tolower((unsigned char)in[ns + k]);
	s->name[k] = '\0';
	for (;;) {
		while (i < len && is_ws((unsigned char)in[i]))
			i++;
		if (i >= len)
			break;
		c = in[i];
		if (c == '>')
			return i + 1;
		if (c == '/') {
			if (++i < len && in[i] == '>') {
				s->self_closing = 1;
				return i + 1;
			}
			continue;
		}
		as = i++;
		while (i < len && !is_ws((unsigned char)in[i]) &&
		       in[i] != '/' && in[i] != '>' && in[i] != '=')
			i++;
		ae = i;
		while (i < len && is_ws((unsigned char)in[i]))
			i++;
		if (i >= len || in[i] != '=') {
			tag_attr(s, in + as, ae - as, NULL, 0);
			continue;
		}
		i++;
		while (i < len && is_ws((unsigned char)in[i]))
			i++;
		if (i >= len) {
			tag_attr(s, in + as, ae - as, "", 0);
			break;
		}
		c = in[i];
		if (c == '"' || c == '\'') {
			e = memchr(in + i + 1, c, len - i - 1);
			if (!e)
				return len;
			tag_attr(s, in + as, ae - as, in + i + 1,
				 (size_t)(e - in) - i - 1);
			i = (size_t)(e - in) + 1;
		} else if (c == '>') {
			tag_attr(s, in + as, ae - as, "", 0);
			return i + 1;
		} else {
			vs = i;
			while (i < len && !is_ws((unsigned char)in[i]) &&
			       in[i] != '>')
				i++;
			tag_attr(s, in + as, ae - as, in + vs, i - vs);
		}
	}
	return len;
}

static int
tag_is(const struct pscan *s, const char *name)
{
	return s->name_len == strlen(name) && !strcmp(s->name, name);
}

/* The end of a raw text or RCDATA body from k: "</name" + delimiter. */
static size_t
raw_end(const struct pscan *s, size_t k)
{
	const char *in = s->in, *lt;
	size_t len = s->len, nlen = s->name_len, t;

	while (k < len && (lt = memchr(in + k, '<', len - k))) {
		t = (size_t)(lt - in);
		if (t + 2 + nlen < len && in[t + 1] == '/' &&
		    ci_prefix(in + t + 2, nlen, s->name)) {
			unsigned char c = (unsigned char)in[t + 2 + nlen];

			if (is_ws(c) || c == '/' || c == '>')
				return t;
		}
		k = t + 1;
	}
	return len;
}

/* Text the html module decoded (one or more runs), collected. */
static int
collect_text(enum td_html_text_kind kind, const char *p, size_t n,
	     void *payload)
{
	struct td_buf *b = payload;

	(void)kind;
	td_buf_add(b, p, n);
	return 0;
}

struct link_out {
	struct td_buf *b;
	enum td_html_ctx ctx;
	int resolved;
	int seen;
};

static int
collect_link(const struct td_html_link *l, void *payload)
{
	struct link_out *o = payload;

	if (o->seen || l->ctx != o->ctx)
		return 0;
	o->seen = 1;
	if (o->resolved)
		td_buf_add(o->b, l->resolved, l->resolved_len);
	else
		td_buf_add(o->b, l->value, l->value_len);
	return 0;
}

/* Append v[0..n) to b for a double-quoted attribute value. */
static void
add_quoted(struct td_buf *b, const char *v, size_t n)
{
	const char *q;

	while (n && (q = memchr(v, '"', n))) {
		td_buf_add(b, v, (size_t)(q - v));
		td_buf_adds(b, "&quot;");
		n -= (size_t)(q - v) + 1;
		v = q + 1;
	}
	td_buf_add(b, v, n);
}

/* Decoded attribute text from the html module, collected. */
static int
collect_attr(enum td_html_text_kind kind, const char *p, size_t n,
	     void *payload)
{
	if (kind == TD_HTML_TEXT_ATTR)
		td_buf_add(payload, p, n);
	return 0;
}

/*
 * Decode an attribute value as a browser does, through the html module:
 * character references with the attribute rule for legacy names without
 * ';', NUL as U+FFFD.  Nothing is trimmed (HTML compares enumerated
 * values such as type exactly, ASCII case aside).  The value goes in as
 * the only attribute of a tag the html module delivers as attribute text
 * (<x value="...">); it drops values under 4 raw bytes and blank ones, so
 * a reference of 3 bytes or less ("&lt") is read through <a href> instead,
 * and a blank result is "".  Values without '&' or NUL are copied.
 */
static const char *
attr_decode(struct pscan *s, const struct slice *v, size_t max)
{
	struct td_buf src = TD_BUF_INIT, out;
	struct link_out o;
	const char *p = v->p;
	size_t n = v->n > EV_ATTR_RAW_MAX ? EV_ATTR_RAW_MAX : v->n;
	int rc;
	char *r;

	if (!memchr(p, '&', n) && !memchr(p, '\0', n)) {
		r = arena_strndup(&s->mem, p, utf8_cut(p, n, max));
		if (!r)
			s->oom = 1;
		return r;
	}
	td_buf_init(&out, max + 8);
	memset(&o, 0, sizeof(o));
	o.b = &out;
	o.ctx = TD_HTML_A_HREF;
	td_buf_adds(&src, n >= 4 ? "<x value=\"" : "<a href=\"");
	add_quoted(&src, p, n);
	td_buf_adds(&src, n >= 4 ? "\">" : "\"></a>");
	if (td_buf_failed(&src))
		rc = TD_ENOMEM;
	else if (n >= 4)
		rc = td_html_scan(src.ptr, src.len, NULL,
				  &(struct td_html_cb){NULL, collect_attr},
				  &out);
	else
		rc = td_html_scan(src.ptr, src.len, NULL,
				  &(struct td_html_cb){collect_link, NULL}, &o);
	if (rc == TD_ENOMEM || (td_buf_failed(&out) & TD_BUF_OOM))
		s->oom = 1;
	r = s->oom ? NULL
		   : arena_strndup(&s->mem, out.ptr,
				   utf8_cut(out.ptr, out.len, max));
	if (!r)
		s->oom = 1;
	td_buf_release(&src);
	td_buf_release(&out);
	return r;
}

/* The title: its RCDATA decoded by the html module, white space collapsed. */
static void
read_title(struct pscan *s)
{
	struct td_buf src = TD_BUF_INIT, txt, out = TD_BUF_INIT;
	size_t n =
	    s->title.n > EV_TITLE_RAW_MAX ? EV_TITLE_RAW_MAX : s->title.n;
	size_t i;
	int space = 0;

	td_buf_init(&txt, EV_TITLE_RAW_MAX * 4);
	td_buf_adds(&src, "<title>");
	td_buf_add(&src, s->title.p, n);
	td_buf_adds(&src, "</title>");
	if (td_buf_failed(&src) ||
	    td_html_scan(src.ptr, src.len, NULL,
			 &(struct td_html_cb){NULL, collect_text},
			 &txt) == TD_ENOMEM ||
	    (td_buf_failed(&txt) & TD_BUF_OOM)) {
		s->oom = 1;
		goto out;
	}
	/* HTML LS 3.1.4: strip and collapse ASCII white space */
	for (i = 0; i < txt.len; i++) {
		unsigned char c = (unsigned char)txt.ptr[i];

		if (is_ws(c)) {
			space = out.len > 0;
			continue;
		}
		if (space)
			td_buf_addch(&out, ' ');
		space = 0;
		td_buf_addch(&out, c);
		if (out.len > TD_EVIDENCE_MAX_TITLE + 8)
			break;
	}
	if (td_buf_failed(&out)) {
		s->oom = 1;
		goto out;
	}
	s->page->title =
	    arena_strndup(&s->mem, out.ptr,
			  utf8_cut(out.ptr, out.len, TD_EVIDENCE_MAX_TITLE));
	if (!s->page->title)
		s->oom = 1;
out:
	td_buf_release(&src);
	td_buf_release(&txt);
	td_buf_release(&out);
}

/*
 * A form's action, resolved as the html module resolves it: against the
 * document's first <base href> (itself against the page URL), else the
 * page URL.  No action, or one that is empty after trimming, is the page
 * URL itself (HTML LS 4.10.21.3, "form submission algorithm", step 10).
 */
static void
read_action(struct pscan *s, struct td_evidence_form *f,
	    const struct raw_form *rf, const char *url)
{
	struct td_buf src = TD_BUF_INIT, out;
	struct link_out o;
	size_t n;

	td_buf_init(&out, TD_EVIDENCE_MAX_ACTION * 2 + 64);
	if (rf->action.set) {
		if (s->base.set) {
			td_buf_adds(&src, "<base href=\"");
			add_quoted(&src, s->base.p,
				   s->base.n > EV_ATTR_RAW_MAX ? EV_ATTR_RAW_MAX
							       : s->base.n);
			td_buf_adds(&src, "\">");
		}
		td_buf_adds(&src, "<form action=\"");
		add_quoted(&src, rf->action.p,
			   rf->action.n > EV_ATTR_RAW_MAX ? EV_ATTR_RAW_MAX
							  : rf->action.n);
		td_buf_adds(&src, "\">");
		memset(&o, 0, sizeof(o));
		o.b = &out;
		o.ctx = TD_HTML_FORM_ACTION;
		o.resolved = 1;
		if (td_buf_failed(&src) ||
		    td_html_scan(src.ptr, src.len, url && *url ? url : NULL,
				 &(struct td_html_cb){collect_link, NULL},
				 &o) == TD_ENOMEM ||
		    (td_buf_failed(&out) & TD_BUF_OOM)) {
			s->oom = 1;
			goto out;
		}
	}
	if (!out.len && url)
		td_buf_adds(&out, url);
	n = utf8_cut(out.ptr, out.len, TD_EVIDENCE_MAX_ACTION);
	f->action_truncated = n < out.len;
	f->action = arena_strndup(&s->mem, out.ptr, n);
	if (!f->action)
		s->oom = 1;
out:
	td_buf_release(&src);
	td_buf_release(&out);
}

static const char *
read_method(struct pscan *s, const struct raw_form *rf)
{
	struct slice v = rf->method;
	const char *m;

	if (!v.set)
		return "get";
	m = attr_decode(s, &v, 16);
	if (m && !strcasecmp(m, "post"))
		return "post";
	if (m && !strcasecmp(m, "dialog"))
		return "dialog";
	return "get"; /* the invalid value default (4.10.18.6) */
}

/* An input, select or textarea of the open form (or of none). */
static void
add_field(struct pscan *s, const char *type)
{
	struct td_evidence_input *in, **arr;
	size_t *nr, *dropped;
	char *t;
	size_t i;

	if (s->cur) {
		arr = &s->cur_inputs;
		nr = &s->cur->nr_inputs;
		dropped = &s->cur->inputs_dropped;
	} else {
		arr = &s->loose;
		nr = &s->page->nr_loose;
		dropped = &s->page->loose_dropped;
	}
	if (!type) {
		if (s->a[A_TYPE].set) {
			t = (char *)attr_decode(s, &s->a[A_TYPE], EV_TYPE_MAX);
			if (!t)
				return;
			for (i = 0; t[i]; i++)
				t[i] = (char)tolower((unsigned char)t[i]);
			type = *t ? t : "text";
		} else {
			type = "text";
		}
	}
	if (!strcmp(type, "password")) {
		s->page->passwords++;
		if (s->cur)
			s->cur->passwords++;
	}
	if (s->form_open && !s->cur)
		return; /* in a form past TD_EVIDENCE_MAX_FORMS: counted only */
	if (*nr >= TD_EVIDENCE_MAX_INPUTS) {
		(*dropped)++;
		return;
	}
	if (!*arr) {
		*arr = arena_zalloc(&s->mem,
				    TD_EVIDENCE_MAX_INPUTS * sizeof(**arr));
		if (!*arr) {
			s->oom = 1;
			return;
		}
		if (s->cur)
			s->cur->inputs = *arr;
		else
			s->page->loose = *arr;
	}
	in = &(*arr)[(*nr)++];
	in->type = type;
	in->name = s->a[A_NAME].set
		       ? attr_decode(s, &s->a[A_NAME], TD_EVIDENCE_MAX_NAME)
		       : NULL;
}

/* A start or end tag just read; returns where scanning goes on. */
static size_t
on_tag(struct pscan *s, size_t pos, size_t next)
{
	static const char *const raw[] = {"script",   "style",	 "xmp",
					  "iframe",   "noembed", "noframes",
					  "textarea", "title"};
	size_t i, end;

	if (s->end_tag) {
		if (tag_is(s, "form")) {
			s->form_open = 0;
			s->cur = NULL;
			s->cur_inputs = NULL;
		} else if ((tag_is(s, "svg") || tag_is(s, "math")) &&
			   s->foreign) {
			s->foreign--;
		}
		return next;
	}
	if (tag_is(s, "form")) {
		/* HTML LS 13.2.6.4.7: a form inside an open form is ignored */
		if (!s->form_open) {
			s->form_open = 1;
			s->cur_inputs = NULL;
			if (s->page->nr_forms < TD_EVIDENCE_MAX_FORMS) {
				struct raw_form *rf =
				    &s->raw[s->page->nr_forms];

				s->cur = &s->forms[s->page->nr_forms++];
				s->cur->offset = pos;
				rf->action = s->a[A_ACTION];
				rf->method = s->a[A_METHOD];
			} else {
				s->cur = NULL;
				s->page->forms_dropped++;
			}
		}
	} else if (tag_is(s, "input")) {
		add_field(s, NULL);
	} else if (tag_is(s, "select")) {
		add_field(s, "select");
	} else if (tag_is(s, "textarea")) {
		add_field(s, "textarea");
	} else if (tag_is(s, "base")) {
		if (!s->base.set && s->a[A_HREF].set)
			s->base = s->a[A_HREF];
	} else if (tag_is(s, "svg") || tag_is(s, "math")) {
		if (!s->self_closing)
			s->foreign++;
		return next;
	} else if (tag_is(s, "plaintext")) {
		return s->len;
	}
	for (i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
		if (!tag_is(s, raw[i]))
			continue;
		if (s->foreign && s->self_closing)
			return next;
		end = raw_end(s, next);
		if (tag_is(s, "title") && !s->foreign && !s->have_title) {
			s->have_title = 1;
			s->title.p = s->in + next;
			s->title.n = end - next;
			s->title.set = 1;
		}
		return end;
	}
	return next;
}

/* "<!" at in[pos]: comment, DOCTYPE, CDATA or a bogus comment. */
static size_t
markup_decl(const struct pscan *s, size_t pos)
{
	const char *in = s->in, *gt;
	size_t len = s->len, i = pos + 2, k, g;

	if (i + 1 < len && in[i] == '-' && in[i + 1] == '-') {
		i += 2;
		for (k = i; k < len; k = g + 1) {
			gt = memchr(in + k, '>', len - k);
			if (!gt)
				break;
			g = (size_t)(gt - in);
			if (g == i || (g == i + 1 && in[i] == '-'))
				return g + 1; /* <!--> and <!---> */
			if (g >= i + 2 && in[g - 1] == '-' && in[g - 2] == '-')
				return g + 1;
			if (g >= i + 3 && in[g - 1] == '!' &&
			    in[g - 2] == '-' && in[g - 3] == '-')
				return g + 1;
		}
		return len;
	}
	if (s->foreign && len - i >= 7 && !memcmp(in + i, "[CDATA[", 7)) {
		for (k = i + 9; k < len; k = g + 1) {
			gt = memchr(in + k, '>', len - k);
			if (!gt)
				break;
			g = (size_t)(gt - in);
			if (in[g - 1] == ']' && in[g - 2] == ']')
				return g + 1;
		}
		return len;
	}
	gt = memchr(in + i, '>', len - i);
	return gt ? (size_t)(gt - in) + 1 : len;
}

static void
scan_page(struct pscan *s)
{
	const char *in = s->in, *lt, *gt;
	size_t len = s->len, pos = 0, t, next;
	unsigned char c;

	while (pos < len && !s->oom) {
		lt = memchr(in + pos, '<', len - pos);
		if (!lt)
			break;
		t = (size_t)(lt - in);
		if (t + 1 >= len)
			break;
		c = (unsigned char)in[t + 1];
		if (isalpha(c) || (c == '/' && t + 2 < len &&
				   isalpha((unsigned char)in[t + 2]))) {
			next = read_tag(s, t);
			pos = on_tag(s, t, next);
		} else if (c == '!') {
			pos = markup_decl(s, t);
		} else if (c == '/' || c == '?') {
			/* "</>" and bogus comments, to the next '>' */
			gt = memchr(in + t + 1, '>', len - t - 1);
			pos = gt ? (size_t)(gt - in) + 1 : len;
		} else {
			pos = t + 1;
		}
	}
}

int
td_evidence_page_scan(struct td_evidence_page *out, const char *html,
		      size_t len, const char *url)
{
	struct pscan s;
	size_t i;

	memset(out, 0, sizeof(*out));
	memset(&s, 0, sizeof(s));
	s.in = html ? html : "";
	s.len = html ? len : 0;
	s.page = out;
	s.forms =
	    arena_zalloc(&s.mem, TD_EVIDENCE_MAX_FORMS * sizeof(*s.forms));
	s.raw = calloc(TD_EVIDENCE_MAX_FORMS, sizeof(*s.raw));
	if (!s.forms || !s.raw) {
		s.oom = 1;
		goto out;
	}
	scan_page(&s);
	if (s.have_title && !s.oom)
		read_title(&s);
	for (i = 0; i < out->nr_forms && !s.oom; i++) {
		s.forms[i].method = read_method(&s, &s.raw[i]);
		read_action(&s, &s.forms[i], &s.raw[i], url);
	}
	out->forms = out->nr_forms ? s.forms : NULL;
out:
	free(s.raw);
	if (s.oom) {
		arena_free(s.mem);
		memset(out, 0, sizeof(*out));
		return TD_ENOMEM;
	}
	out->mem = s.mem;
	return 0;
}

void
td_evidence_page_release(struct td_evidence_page *p)
{
	if (!p)
		return;
	arena_free(p->mem);
	memset(p, 0, sizeof(*p));
}

/* ---- captures ---- */

struct cap {
	struct td_evidence_capture pub; /* first: items point here */
	struct td_evidence *ev;
	struct arena *mem;
};

/* UTC milliseconds as "2026-11-27T10:00:00.123Z". */
static void
iso_ms(char out[32], long long ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char buf[96];

	if (ms < 0 || !gmtime_r(&t, &tm)) {
		out[0] = '\0';
		return;
	}

	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (int)(ms % 1000));
	buf[31] = '\0'; /* years past 9999 only */
	memcpy(out, buf, strlen(buf) + 1);
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Deep copies of the net's hops into the capture's arena. */
static int
copy_hops(struct cap *c, const struct td_http_fetch_reply *r)
{
	struct td_http_hop *hops;
	size_t i, j;
	int oom = 0;

	if (!r->nr_hops)
		return 0;
	hops = arena_zalloc(&c->mem, r->nr_hops * sizeof(*hops));
	if (!hops)
		return TD_ENOMEM;
	for (i = 0; i < r->nr_hops; i++) {
		const struct td_http_hop *h = &r->hops[i];
		struct td_http_hop *d = &hops[i];
		struct td_http_header *hd = NULL;
		struct td_tls_cert *cd = NULL;

		*d = *h;
		d->url = arena_copy(&c->mem, h->url, &oom);
		d->status_line = arena_copy(&c->mem, h->status_line, &oom);
		d->location = arena_copy(&c->mem, h->location, &oom);
		d->ip = arena_copy(&c->mem, h->ip, &oom);
		if (h->nr_headers) {
			hd = arena_zalloc(&c->mem, h->nr_headers * sizeof(*hd));
			if (!hd)
				return TD_ENOMEM;
			for (j = 0; j < h->nr_headers; j++) {
				hd[j].name = arena_copy(
				    &c->mem, h->headers[j].name, &oom);
				hd[j].value = arena_copy(
				    &c->mem, h->headers[j].value, &oom);
			}
		}
		d->headers = hd;
		if (h->nr_certs) {
			cd = arena_zalloc(&c->mem, h->nr_certs * sizeof(*cd));
			if (!cd)
				return TD_ENOMEM;
			for (j = 0; j < h->nr_certs; j++) {
				const struct td_tls_cert *s = &h->certs[j];

				cd[j].subject =
				    arena_copy(&c->mem, s->subject, &oom);
				cd[j].issuer =
				    arena_copy(&c->mem, s->issuer, &oom);
				cd[j].not_before =
				    arena_copy(&c->mem, s->not_before, &oom);
				cd[j].not_after =
				    arena_copy(&c->mem, s->not_after, &oom);
				cd[j].serial =
				    arena_copy(&c->mem, s->serial, &oom);
				cd[j].san = arena_copy(&c->mem, s->san, &oom);
				cd[j].sha256 =
				    arena_copy(&c->mem, s->sha256, &oom);
			}
		}
		d->certs = cd;
		if (oom)
			return TD_ENOMEM;
	}
	c->pub.hops = hops;
	c->pub.nr_hops = r->nr_hops;
	if (r->last && r->last >= r->hops && r->last < r->hops + r->nr_hops)
		c->pub.last = &hops[r->last - r->hops];
	return 0;
}

/*
 * Store body under dir/sha256/<hex> (0600), through a temporary file and
 * a rename, so that a name is only ever complete.  A file already there
 * holds the same bytes (content-addressed) and is kept.  Returns NULL or
 * why it failed (static or in *why).
 */
static const char *
store_body(const char *dir, const char *hex, const char *body, size_t len,
	   struct td_buf *why)
{
	struct td_buf path = TD_BUF_INIT, tmp = TD_BUF_INIT;
	struct stat st;
	const char *err = NULL;
	size_t off = 0;
	int fd = -1;

	td_buf_printf(&path, "%s/sha256/%s", dir, hex);
	td_buf_printf(&tmp, "%s/sha256/.tmp-XXXXXX", dir);
	if (td_buf_failed(&path) || td_buf_failed(&tmp)) {
		err = "out of memory";
		goto out;
	}
	if (!lstat(path.ptr, &st) && S_ISREG(st.st_mode) &&
	    (size_t)st.st_size == len)
		goto out;
	fd = mkstemp(tmp.ptr); /* O_EXCL, mode 0600 */
	if (fd < 0)
		goto fail;
	while (off < len) {
		ssize_t w = write(fd, body + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		off += (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp.ptr, path.ptr) < 0)
		goto fail;
	goto out;
fail:
	td_buf_printf(why, "%s: %s", path.ptr, strerror(errno));
	err = td_buf_failed(why) ? "cannot store the body" : why->ptr;
	if (fd >= 0)
		close(fd);
	unlink(tmp.ptr);
out:
	td_buf_release(&path);
	td_buf_release(&tmp);
	return err;
}

static int
is_html(const char *ctype, const char *body, size_t len)
{
	if (ctype && (strcasestr(ctype, "html") || strcasestr(ctype, "xml")))
		return 1;
	return td_html_sniff(body, len);
}

static void
on_fetch(const struct td_http_fetch_reply *r, void *payload)
{
	struct cap *c = payload;
	struct td_evidence_capture *p = &c->pub;
	struct td_buf why = TD_BUF_INIT;
	const char *err;
	int oom = 0;

	p->status = r->status;
	p->error = arena_copy(&c->mem, r->error, &oom);
	iso_ms(p->started, r->started);
	iso_ms(p->ended, r->ended);
	p->final_url = arena_copy(&c->mem, r->final_url, &oom);
	p->code = r->code;
	p->content_type = arena_copy(&c->mem, r->content_type, &oom);
	if (oom || copy_hops(c, r)) {
		p->status = TD_NET_ERROR;
		p->error = "out of memory";
		return;
	}
	if (r->status != TD_NET_OK)
		return;
	p->len = r->len;
	p->truncated = r->truncated;
	td_sha256_hex(p->sha256, r->body, r->len);
	err = store_body(c->ev->dir, p->sha256, r->body, r->len, &why);
	if (err) {
		p->store_error = arena_copy(&c->mem, err, &oom);
	} else {
		struct td_buf rel = TD_BUF_INIT;

		td_buf_printf(&rel, "sha256/%s", p->sha256);
		p->body_path = td_buf_failed(&rel)
				   ? NULL
				   : arena_copy(&c->mem, rel.ptr, &oom);
		td_buf_release(&rel);
	}
	td_buf_release(&why);
	if (is_html(r->content_type, r->body, r->len) &&
	    td_evidence_page_scan(&p->page, r->body, r->len, r->final_url) &&
	    !p->store_error)
		p->store_error = "out of memory reading the page";
}

int
td_evidence_init(struct td_evidence *ev, const struct td_evidence_opts *o,
		 struct td_error *err)
{
	struct td_buf sub = TD_BUF_INIT;
	int rc;

	memset(ev, 0, sizeof(*ev));
	if (!o || !o->dir || !*o->dir)
		return td_error_set(err, TD_EINVAL, "evidence: no folder");
	if (o->max_redirects > TD_HTTP_FETCH_MAX_REDIRECTS)
		return td_error_set(err, TD_EINVAL,
				    "evidence: more than %d redirects",
				    TD_HTTP_FETCH_MAX_REDIRECTS);
	ev->opts = *o;
	ev->dir = td_strndup(o->dir, strlen(o->dir));
	if (!ev->dir)
		return td_error_set(err, TD_ENOMEM, "out of memory");
	ev->opts.dir = ev->dir;
	ev->opts.referer = NULL;
	if (o->referer && strpbrk(o->referer, "\r\n")) {
		td_evidence_release(ev);
		return td_error_set(err, TD_EINVAL,
				    "evidence: line break in the referer");
	}
	if (o->referer) {
		ev->referer = td_strndup(o->referer, strlen(o->referer));
		if (!ev->referer) {
			td_evidence_release(ev);
			return td_error_set(err, TD_ENOMEM, "out of memory");
		}
		ev->opts.referer = ev->referer;
	}
	if (!ev->opts.max_body)
		ev->opts.max_body = EV_DEFAULT_BODY;
	if (!ev->opts.max_redirects)
		ev->opts.max_redirects = EV_DEFAULT_REDIRECTS;
	td_buf_printf(&sub, "%s/sha256", ev->dir);
	rc = td_buf_failed(&sub) ? td_error_set(err, TD_ENOMEM, "out of memory")
				 : td_mkdirs(sub.ptr, 0700, err);
	td_buf_release(&sub);
	if (rc)
		td_evidence_release(ev);
	return rc;
}

/* The scheme of url in lowercase into out (at most 15 bytes), or "". */
static void
scheme_of(char out[16], const char *url)
{
	const char *p = url;
	size_t i = 0;

	while (*p && (unsigned char)*p <= ' ')
		p++;
	out[0] = '\0';
	if (!isalpha((unsigned char)*p))
		return;
	while (p[i] && (isalnum((unsigned char)p[i]) || p[i] == '+' ||
			p[i] == '-' || p[i] == '.')) {
		if (i == 15)
			return;
		out[i] = (char)tolower((unsigned char)p[i]);
		i++;
	}
	out[p[i] == ':' ? i : 0] = '\0';
}

/* End c at once, without a request. */
static void cap_end(struct cap *c, enum td_net_status status, const char *fmt,
		    ...) __attribute__((format(printf, 3, 4)));

static void
cap_end(struct cap *c, enum td_net_status status, const char *fmt, ...)
{
	struct td_buf b = TD_BUF_INIT;
	va_list ap;
	int oom = 0;

	va_start(ap, fmt);
	td_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	c->pub.status = status;
	c->pub.error = td_buf_failed(&b) ? "out of memory"
					 : arena_copy(&c->mem, b.ptr, &oom);
	if (oom)
		c->pub.error = "out of memory";
	iso_ms(c->pub.started, now_ms());
	memcpy(c->pub.ended, c->pub.started, sizeof(c->pub.ended));
	td_buf_release(&b);
}

int
td_evidence_add(struct td_evidence *ev, struct td_net *n, const char *url,
		const struct td_evidence_profile *p)
{
	struct td_http_fetch req;
	struct td_error uerr = {0};
	struct td_url u;
	struct cap *c;
	char scheme[16];
	int oom = 0, rc;

	if (!ev || !ev->dir || !n || !url || !p || !p->name || !p->user_agent)
		return TD_EINVAL;
	if (TD_ARRAY_GROW(ev->items, ev->nr + 1, ev->alloc))
		return TD_ENOMEM;
	c = calloc(1, sizeof(*c));
	if (!c)
		return TD_ENOMEM;
	c->ev = ev;
	c->pub.url = arena_copy(&c->mem, url, &oom);
	c->pub.profile = arena_copy(&c->mem, p->name, &oom);
	c->pub.user_agent = arena_copy(&c->mem, p->user_agent, &oom);
	c->pub.accept_language = arena_copy(&c->mem, p->accept_language, &oom);
	if (oom) {
		arena_free(c->mem);
		free(c);
		return TD_ENOMEM;
	}
	ev->items[ev->nr++] = &c->pub;
	scheme_of(scheme, url);
	if (strcmp(scheme, "http") && strcmp(scheme, "https")) {
		cap_end(c, TD_NET_REFUSED, "%s: not an http or https url",
			*scheme ? scheme : "no scheme");
		return 0;
	}
	rc = td_url_parse(&u, url, strlen(url), &uerr);
	if (rc == TD_ENOMEM)
		goto oom;
	if (rc) {
		cap_end(c, TD_NET_ERROR, "not a usable url: %s", uerr.msg);
		return 0;
	}
	c->pub.fetched_url = arena_copy(&c->mem, u.normalized, &oom);
	td_url_release(&u);
	if (oom)
		goto oom;
	memset(&req, 0, sizeof(req));
	req.url = c->pub.fetched_url;
	req.user_agent = p->user_agent;
	req.accept = p->accept;
	req.accept_language = p->accept_language;
	req.referer = ev->opts.referer;
	req.headers = p->headers;
	req.nr_headers = p->nr_headers;
	req.max_body = ev->opts.max_body;
	req.truncate = 1;
	req.timeout_ms = ev->opts.timeout_ms;
	req.max_redirects = ev->opts.max_redirects;
	req.nonpublic_first_hop_only = ev->opts.nonpublic_first_hop_only;
	req.tls_insecure = ev->opts.tls_insecure;
	rc = td_net_http_fetch(n, &req, on_fetch, c);
	if (rc == TD_ENOMEM)
		goto oom;
	if (rc) {
		/* curl's parser refuses the url, or a profile is unusable */
		cap_end(c, TD_NET_ERROR, "%s: cannot be fetched (%s)",
			c->pub.fetched_url, td_strerror(rc));
	}
	return 0;
oom:
	/* the capture is in ev->items: it must not look like an answer */
	cap_end(c, TD_NET_ERROR, "out of memory");
	return TD_ENOMEM;
}

void
td_evidence_release(struct td_evidence *ev)
{
	size_t i;

	if (!ev)
		return;
	for (i = 0; i < ev->nr; i++) {
		struct cap *c = (struct cap *)ev->items[i];

		td_evidence_page_release(&c->pub.page);
		arena_free(c->mem);
		free(c);
	}
	free(ev->items);
	free(ev->dir);
	free(ev->referer);
	memset(ev, 0, sizeof(*ev));
}
