/*
 * libFuzzer target: td_text_scan() (plain-text URL finder) on any bytes.
 * Asserts, beyond "no crash, no leak, no undefined behaviour", what
 * textscan.h promises of every hit:
 *
 * - hits come in text order and never overlap; raw lies inside the text
 *   and is not empty;
 * - url is NUL-terminated at url_len, 0 < url_len <= TD_TEXT_URL_MAX, and
 *   only TRUNCATED hits reach the maximum;
 * - url starts with http://, https://, ftp://, ftps:// or sftp:// (any
 *   case; NO_SCHEME hits with "http://") and holds no white space or
 *   control character (they end a URL; joins and angle URLs drop them);
 * - url is UTF-8 unless TRUNCATED (invalid UTF-8 ends a URL);
 * - only the TD_HIT_* flags are set; a hit with no flag is raw as is;
 * - a non-zero callback value stops the scan and is returned, and a scan
 *   stopped at hit k saw the same first k hits.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "textscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NAME "fuzz_textscan"
#include "check.h"

#define ALL_FLAGS                                                              \
	(TD_HIT_DEFANGED | TD_HIT_JOINED | TD_HIT_ANGLE | TD_HIT_NO_SCHEME |   \
	 TD_HIT_TRUNCATED)

struct state {
	const char *text;
	size_t len;
	size_t nr;	   /* hits seen */
	size_t raw_end;	   /* end offset of the previous hit's raw */
	unsigned long sum; /* a digest of the hits, in order */
	size_t stop_at;	   /* return non-zero at this hit (1-based) */
};

static int
has_scheme(const char *u)
{
	static const char *const s[] = {"http://", "https://", "ftp://",
					"ftps://", "sftp://"};
	size_t i;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if (!strncasecmp(u, s[i], strlen(s[i])))
			return 1;
	return 0;
}

static unsigned long
digest(unsigned long h, const void *p, size_t n)
{
	const unsigned char *s = p;

	while (n--)
		h = (h ^ *s++) * 1099511628211ul;
	return h;
}

static int
on_hit(const struct td_text_hit *hit, void *payload)
{
	struct state *st = payload;
	size_t off, i;

	CHECK(hit->raw >= st->text && hit->raw_len > 0);
	off = (size_t)(hit->raw - st->text);
	CHECK(off <= st->len && hit->raw_len <= st->len - off);
	CHECK(off >= st->raw_end);
	st->raw_end = off + hit->raw_len;

	CHECK(hit->url && hit->url_len > 0 && hit->url_len <= TD_TEXT_URL_MAX);
	CHECK(hit->url[hit->url_len] == '\0');
	CHECK(hit->url_len < TD_TEXT_URL_MAX ||
	      (hit->flags & TD_HIT_TRUNCATED));
	CHECK(!(hit->flags & ~ALL_FLAGS));
	CHECK(has_scheme(hit->url));
	CHECK(!(hit->flags & TD_HIT_NO_SCHEME) ||
	      !strncmp(hit->url, "http://", 7));
	for (i = 0; i < hit->url_len; i++) {
		unsigned char c = (unsigned char)hit->url[i];

		CHECK(c > 0x20 && c != 0x7f);
	}
	CHECK((hit->flags & TD_HIT_TRUNCATED) ||
	      utf8_valid((const unsigned char *)hit->url, hit->url_len));
	if (!hit->flags)
		CHECK(hit->raw_len == hit->url_len &&
		      !memcmp(hit->raw, hit->url, hit->url_len));

	st->nr++;
	st->sum = digest(st->sum, &off, sizeof(off));
	st->sum = digest(st->sum, hit->url, hit->url_len);
	return st->nr == st->stop_at ? 7 : 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state all = {(const char *)data,	    size, 0, 0,
			    14695981039346656037ul, 0};
	struct state part;
	int rc;

	rc = td_text_scan((const char *)data, size, on_hit, &all);
	CHECK(rc == 0 || rc == TD_ENOMEM);
	if (rc || !all.nr)
		return 0;

	/* stop at the first hit, then at the last: the same hits up to it */
	part = all;
	part.nr = part.raw_end = 0;
	part.sum = 14695981039346656037ul;
	part.stop_at = all.nr;
	CHECK(td_text_scan((const char *)data, size, on_hit, &part) == 7);
	CHECK(part.nr == all.nr && part.sum == all.sum);
	part.nr = part.raw_end = 0;
	part.stop_at = 1;
	CHECK(td_text_scan((const char *)data, size, on_hit, &part) == 7);
	CHECK(part.nr == 1);
	return 0;
}
