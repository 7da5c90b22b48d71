/*
 * libFuzzer target: the HTML scanner (html.h) on any bytes.  The input is
 * scanned twice, without a base URL and with one.  Asserts, beyond "no
 * crash, no leak, no undefined behaviour", what html.h and
 * docs/internals/html.md promise:
 *
 * - links: a known context with a name, a lowercase tag name, a value of
 *   at most 64 KiB with no tab, CR or LF and no white space at either
 *   end, a resolved URL, an offset inside the input, link text only for
 *   a href, not empty and at most 1 KiB;
 * - text runs: a known kind, never empty or only white space; visible
 *   text runs at most 64 KiB;
 * - the base URL changes only the resolved URLs: both scans report the
 *   same links (context, tag, value, offset, link text) and text runs in
 *   the same order;
 * - a non-zero callback value stops the scan and is returned;
 * - td_html_sniff() answers 0 or 1.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NAME "fuzz_html"
#include "check.h"

#define URL_MAX (64 * 1024)
#define TEXT_MAX (64 * 1024)
#define LINKTEXT_MAX 1024

struct state {
	size_t len; /* of the input */
	size_t links, texts;
	unsigned long sum; /* digest of what the base must not change */
	size_t stop_at;	   /* return non-zero at this callback (1-based) */
};

static unsigned long
digest(unsigned long h, const void *p, size_t n)
{
	const unsigned char *s = p;

	while (n--)
		h = (h ^ *s++) * 1099511628211ul;
	return h;
}

static int
is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static int
stop(struct state *st)
{
	return st->links + st->texts == st->stop_at ? 9 : 0;
}

static int
on_link(const struct td_html_link *l, void *payload)
{
	struct state *st = payload;
	const char *t;
	size_t i;

	CHECK(l->ctx >= TD_HTML_A_HREF && l->ctx <= TD_HTML_OTHER_ATTR);
	CHECK(td_html_ctx_name(l->ctx) != NULL);
	CHECK(l->tag && *l->tag);
	for (t = l->tag; *t; t++)
		CHECK(!(*t >= 'A' && *t <= 'Z'));
	CHECK(l->value && l->value_len <= URL_MAX);
	for (i = 0; i < l->value_len; i++)
		CHECK(l->value[i] != '\t' && l->value[i] != '\n' &&
		      l->value[i] != '\r');
	CHECK(!l->value_len ||
	      (!is_ws((unsigned char)l->value[0]) &&
	       !is_ws((unsigned char)l->value[l->value_len - 1])));
	CHECK(l->resolved);
	CHECK(l->offset < st->len);
	if (l->link_text) {
		CHECK(l->ctx == TD_HTML_A_HREF);
		CHECK(l->link_text_len > 0 && l->link_text_len <= LINKTEXT_MAX);
	}
	st->links++;
	st->sum = digest(st->sum, &l->ctx, sizeof(l->ctx));
	st->sum = digest(st->sum, l->tag, strlen(l->tag));
	st->sum = digest(st->sum, l->value, l->value_len);
	st->sum = digest(st->sum, &l->offset, sizeof(l->offset));
	if (l->link_text)
		st->sum = digest(st->sum, l->link_text, l->link_text_len);
	return stop(st);
}

static int
on_text(enum td_html_text_kind kind, const char *s, size_t len, void *payload)
{
	struct state *st = payload;
	size_t i;

	CHECK(kind >= TD_HTML_TEXT_NODE && kind <= TD_HTML_TEXT_ATTR);
	CHECK(s && len > 0);
	CHECK(kind != TD_HTML_TEXT_NODE || len <= TEXT_MAX);
	/* not only white space (ASCII, or U+00A0 in visible text) */
	for (i = 0; i < len; i++) {
		if (is_ws((unsigned char)s[i]))
			continue;
		if (i + 1 < len && (unsigned char)s[i] == 0xc2 &&
		    (unsigned char)s[i + 1] == 0xa0) {
			i++;
			continue;
		}
		break;
	}
	CHECK(i < len);
	st->texts++;
	st->sum = digest(st->sum, &kind, sizeof(kind));
	st->sum = digest(st->sum, s, len);
	return stop(st);
}

static int
scan(const uint8_t *data, size_t size, const char *base, struct state *st,
     size_t stop_at)
{
	static const struct td_html_cb cb = {on_link, on_text};

	memset(st, 0, sizeof(*st));
	st->len = size;
	st->sum = 14695981039346656037ul;
	st->stop_at = stop_at;
	return td_html_scan((const char *)data, size, base, &cb, st);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state a, b;
	int rc, sniff;

	sniff = td_html_sniff((const char *)data, size);
	CHECK(sniff == 0 || sniff == 1);
	rc = scan(data, size, NULL, &a, 0);
	CHECK(rc == 0 || rc == TD_ENOMEM);
	if (rc)
		return 0;
	rc =
	    scan(data, size, "https://base.example/dir/page.html?q=1#f", &b, 0);
	CHECK(rc == 0 || rc == TD_ENOMEM);
	if (rc)
		return 0;
	CHECK(a.links == b.links && a.texts == b.texts && a.sum == b.sum);

	/* stopped at the first callback, the scan returns its value */
	if (a.links + a.texts) {
		rc = scan(data, size, NULL, &b, 1);
		CHECK(rc == 9 && b.links + b.texts == 1);
	}
	return 0;
}
