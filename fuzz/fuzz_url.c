/*
 * libFuzzer target: the url module on any bytes (a link from a hostile
 * message).  Asserts, beyond "no crash, no leak, no undefined behaviour":
 *
 * - td_url_parse() of the whole input: 0 or TD_EPARSE; on success `url`
 *   is the input byte for byte, the scheme is lowercase RFC 3986 3.1, the
 *   port is -1..65535, host_ascii is lowercase printable ASCII without a
 *   trailing dot or a character the WHATWG host parser forbids (':' only
 *   in an IPv6 address), an IP host reads back with inet_pton() and has
 *   no registrable domain, a domain is host_ascii or a label-aligned
 *   suffix of it and equals td_url_registrable(host_ascii),
 *   host_unicode is UTF-8, and `normalized` starts with "scheme://",
 *   parses again to the same scheme, userinfo, host_ascii, domain and
 *   IP-ness, and normalises to itself;
 * - td_url_psl_split() of that host gives label-aligned suffixes;
 * - td_url_unwrap(), repeated as extract does (at most 8 layers): either
 *   0 with both outputs NULL, or 1 with a name and an absolute http,
 *   https or ftp URL that differs from the wrapper; td_url_opaque_wrapper()
 *   names "mimecast" or nothing;
 * - td_url_resolve() of the input after its first '\n' against the line
 *   before it (into a buffer with a maximum): 0, TD_EPARSE, TD_ELIMIT or
 *   TD_ENOMEM; a result starts with a scheme, and resolved again (which
 *   drops dot segments an unchanged base path kept) it is a fixed point.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NAME "fuzz_url"
#include "check.h"

static int
streq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* s is host or ends with "." s */
static int
label_suffix(const char *host, const char *s)
{
	size_t h = strlen(host), n = strlen(s);

	return n && (h == n ? !strcmp(host, s)
			    : h > n && host[h - n - 1] == '.' &&
				  !strcmp(host + h - n, s));
}

/* RFC 3986 3.1 scheme, then ':'; returns its length or 0. */
static size_t
scheme_len(const char *s, size_t n)
{
	size_t i;

	if (!n || !((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z'))
		return 0;
	for (i = 1; i < n && s[i] != ':'; i++)
		if (!(((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '+' ||
		      s[i] == '-' || s[i] == '.'))
			return 0;
	return i < n ? i : 0;
}

static void
check_host(const struct td_url *u)
{
	const char *h = u->host_ascii;
	unsigned char addr[16];
	size_t i, n;
	int v6;

	CHECK(h && *h && u->host && u->host_unicode);
	n = strlen(h);
	v6 = strchr(h, ':') != NULL;
	CHECK(h[n - 1] != '.');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)h[i];

		CHECK(c > 0x20 && c < 0x7f && !(c >= 'A' && c <= 'Z'));
		CHECK(!strchr("#%/<>?@[\\]^|", c));
		CHECK(c != ':' || v6);
	}
	if (v6) {
		CHECK(u->is_ip && inet_pton(AF_INET6, h, addr) == 1);
	} else if (u->is_ip) {
		char back[INET_ADDRSTRLEN];

		CHECK(inet_pton(AF_INET, h, addr) == 1);
		CHECK(inet_ntop(AF_INET, addr, back, sizeof(back)) &&
		      !strcmp(back, h));
	}
	CHECK(!u->is_ip || !u->domain);
	CHECK(!u->domain || label_suffix(h, u->domain));
	CHECK(utf8_valid((const unsigned char *)u->host_unicode,
			 strlen(u->host_unicode)));
}

static void
check_parsed(const struct td_url *u, const uint8_t *data, size_t size)
{
	struct td_url again;
	size_t i, sl;
	char *reg, *icann = NULL, *priv = NULL;
	int rc;

	CHECK(u->url && strlen(u->url) == size && !memcmp(u->url, data, size));
	CHECK(u->scheme && u->normalized);
	sl = strlen(u->scheme);
	CHECK(sl && !strchr(u->scheme, ':'));
	CHECK(scheme_len(u->normalized, strlen(u->normalized)) == sl);
	for (i = 0; i < sl; i++)
		CHECK(!(u->scheme[i] >= 'A' && u->scheme[i] <= 'Z'));
	CHECK(!strncmp(u->normalized, u->scheme, sl) &&
	      !strncmp(u->normalized + sl, "://", 3));
	CHECK(u->port >= -1 && u->port <= 65535);
	check_host(u);

	reg = td_url_registrable(u->host_ascii);
	CHECK(streq(reg, u->domain));
	free(reg);
	CHECK(td_url_psl_split(u->host_ascii, &icann, &priv) == 0);
	CHECK(!icann || label_suffix(u->host_ascii, icann));
	CHECK(!priv || (label_suffix(u->host_ascii, priv) &&
			strcmp(u->host_ascii, priv)));
	free(icann);
	free(priv);

	/* the normalised form is a fixed point */
	rc = td_url_parse(&again, u->normalized, strlen(u->normalized), NULL);
	if (rc) {
		fprintf(stderr, "fuzz_url: normalized \"%s\" does not parse\n",
			u->normalized);
		CHECK(rc == 0);
	}
	CHECK(streq(again.normalized, u->normalized));
	CHECK(streq(again.scheme, u->scheme));
	CHECK(streq(again.userinfo, u->userinfo));
	CHECK(streq(again.host_ascii, u->host_ascii));
	CHECK(streq(again.domain, u->domain));
	CHECK(again.is_ip == u->is_ip);
	td_url_release(&again);
}

static int
abs_http(const char *s)
{
	return !strncasecmp(s, "http://", 7) ||
	       !strncasecmp(s, "https://", 8) || !strncasecmp(s, "ftp://", 6);
}

static void
check_unwrap(const uint8_t *data, size_t size)
{
	char *cur = NULL, *inner;
	const char *kind, *opaque;
	const char *s = (const char *)data;
	size_t len = size;
	int layer, rc;

	opaque = td_url_opaque_wrapper(s, len);
	CHECK(!opaque || !strcmp(opaque, "mimecast"));
	for (layer = 0; layer < 8; layer++) {
		rc = td_url_unwrap(&inner, &kind, s, len);
		CHECK(rc == 0 || rc == 1 || rc == TD_ENOMEM);
		if (rc != 1) {
			CHECK(!inner && !kind);
			break;
		}
		CHECK(inner && kind && *kind);
		CHECK(abs_http(inner));
		CHECK(strlen(inner) != len || memcmp(inner, s, len));
		free(cur);
		cur = inner;
		s = cur;
		len = strlen(cur);
	}
	free(cur);
}

static void
check_resolve(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	struct td_buf out, again, third;
	char *base;
	size_t blen, sl;
	int rc;

	if (!nl)
		return;
	blen = (size_t)(nl - data);
	base = malloc(blen + 1);
	if (!base)
		return;
	memcpy(base, data, blen);
	base[blen] = '\0';
	td_buf_init(&out, 4096);
	rc = td_url_resolve(&out, base, (const char *)nl + 1, size - blen - 1);
	CHECK(rc == 0 || rc == TD_EPARSE || rc == TD_ELIMIT || rc == TD_ENOMEM);
	if (rc == 0) {
		sl = scheme_len(out.ptr, out.len);
		CHECK(sl);
		/*
		 * Resolved once more, an absolute reference loses its dot
		 * segments (RFC 3986 5.2.2; the result above may keep a base
		 * path that had some, as 5.2.2 says for an empty reference
		 * path); from then on it is a fixed point.
		 */
		td_buf_init(&again, 0);
		td_buf_init(&third, 0);
		CHECK(td_url_resolve(&again, base, out.ptr, out.len) == 0);
		CHECK(scheme_len(again.ptr, again.len) == sl);
		CHECK(td_url_resolve(&third, base, again.ptr, again.len) == 0);
		if (again.len != third.len ||
		    memcmp(again.ptr, third.ptr, again.len))
			fprintf(stderr, "fuzz_url: \"%s\" resolves to \"%s\"\n",
				again.ptr, third.ptr);
		CHECK(again.len == third.len &&
		      !memcmp(again.ptr, third.ptr, again.len));
		td_buf_release(&third);
		td_buf_release(&again);
	}
	td_buf_release(&out);
	free(base);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct td_url u;
	struct td_error err;
	int rc;

	rc = td_url_parse(&u, (const char *)data, size, &err);
	CHECK(rc == 0 || rc == TD_EPARSE || rc == TD_ENOMEM);
	if (rc == 0)
		check_parsed(&u, data, size);
	td_url_release(&u);
	check_unwrap(data, size);
	check_resolve(data, size);
	return 0;
}
