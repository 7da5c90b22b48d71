/*
 * URLs: parsing and normalisation of hostile input, RFC 3986 reference
 * resolution, link-wrapper unwrapping and registrable domains.  This is
 * the only module that uses libidn2 and libpsl.  See url.h and
 * docs/internals/url.md.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <idn2.h>
#include <libpsl.h>

#include "buf.h"
#include "err.h"
#include "term.h"
#include "url.h"
#include "banned.h"

#define MAX_SCHEME 32 /* longer "schemes" are refused */
#define MAX_HOST 4096 /* bytes of host as written; longer is refused */
#define MSG_HOST 80   /* bytes of input quoted in an error message */
#define MAX_WHOST 255 /* longest host a wrapper can have */

/* Length argument for "%.*s" quoting at most MSG_HOST bytes. */
#define CLIP(n) ((int)((n) < MSG_HOST ? (n) : MSG_HOST))

/*
 * The UTS #46 options browsers use (WHATWG URL "domain to ASCII"):
 * nontransitional processing, so "ß" stays "ß" (xn--zca) instead of
 * becoming "ss", and no STD3 rules ("_" is allowed).  libidn2 applies
 * the TR46 mapping (case folding, NFC, full-width forms) itself.
 */
#define IDNA_FLAGS IDN2_NONTRANSITIONAL

/* ---- small helpers ------------------------------------------------ */

static int
to_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
hex_val(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Is c one of the characters of set?  (NUL never is, unlike strchr.) */
static int
is_one_of(int c, const char *set)
{
	return c && strchr(set, c);
}

static int
is_scheme_char(int c)
{
	return is_alpha(c) || is_digit(c) || c == '+' || c == '-' || c == '.';
}

/* Does s (len bytes) start with the ASCII string pre, ignoring case? */
static int
has_prefix_ci(const char *s, size_t len, const char *pre)
{
	size_t n = strlen(pre);

	return len >= n && !strncasecmp(s, pre, n);
}

static int
has_prefix(const char *s, size_t len, const char *pre)
{
	size_t n = strlen(pre);

	return len >= n && !memcmp(s, pre, n);
}

/*
 * Append s to out with every valid %XX decoded; a '%' that does not start
 * a valid escape is kept.  Returns 0 or TD_ENOMEM.
 */
static int
pct_decode(struct td_buf *out, const char *s, size_t len)
{
	size_t i = 0, run;

	while (i < len) {
		const char *pct = memchr(s + i, '%', len - i);

		run = pct ? (size_t)(pct - (s + i)) : len - i;
		td_buf_add(out, s + i, run);
		i += run;
		if (i >= len)
			break;
		if (i + 2 < len && hex_val(s[i + 1]) >= 0 &&
		    hex_val(s[i + 2]) >= 0) {
			td_buf_addch(out, hex_val(s[i + 1]) * 16 +
					      hex_val(s[i + 2]));
			i += 3;
		} else {
			td_buf_addch(out, '%');
			i++;
		}
	}
	return td_buf_failed(out) ? TD_ENOMEM : 0;
}

/* ---- public suffix list ------------------------------------------- */

/*
 * One libpsl context for the process, made on first use: the newest of
 * the list built into libpsl and the system's (/usr/share/publicsuffix),
 * as psl_latest() picks.  Freed at exit.
 */
static const psl_ctx_t *psl_ctx_cached;
static psl_ctx_t *psl_ctx_owned;
static int psl_tried;

static void
psl_cleanup(void)
{
	psl_free(psl_ctx_owned);
	psl_ctx_owned = NULL;
	psl_ctx_cached = NULL;
}

static const psl_ctx_t *
psl_ctx(void)
{
	if (psl_tried)
		return psl_ctx_cached;
	psl_tried = 1;
	psl_ctx_owned = psl_latest(NULL);
	if (psl_ctx_owned) {
		psl_ctx_cached = psl_ctx_owned;
		atexit(psl_cleanup);
	} else {
		psl_ctx_cached = psl_builtin();
	}
	return psl_ctx_cached;
}

/*
 * Registrable domain of host (lowercase A-labels, no trailing dot, not an
 * IP).  Sets *out to a malloc'ed string or NULL when there is none: the
 * host is itself a public suffix, or its TLD is not in the list (libpsl's
 * implicit "*" rule would otherwise make "evil.zzzz" registrable).
 * Returns 0 or TD_ENOMEM.
 */
static int
registrable(char **out, const char *host)
{
	const psl_ctx_t *psl = psl_ctx();
	const char *tld, *reg;

	*out = NULL;
	if (!psl || !*host)
		return 0;
	tld = strrchr(host, '.');
	tld = tld ? tld + 1 : host;
	if (!*tld || psl_is_public_suffix2(
			 psl, tld, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) != 1)
		return 0;
	reg = psl_registrable_domain(psl, host);
	if (!reg)
		return 0;
	*out = td_strndup(reg, strlen(reg));
	return *out ? 0 : TD_ENOMEM;
}

int
td_url_psl_split(const char *host, char **icann, char **priv)
{
	const psl_ctx_t *psl = psl_ctx();
	const char *s, *prev = NULL, *dot;

	*icann = *priv = NULL;
	if (!psl || !host || !*host)
		return 0;
	for (s = host; s; prev = s, s = (dot = strchr(s, '.')) ? dot + 1 : NULL) {
		if (!*priv && s != host &&
		    psl_is_public_suffix2(psl, s,
					  PSL_TYPE_PRIVATE |
					      PSL_TYPE_NO_STAR_RULE) == 1) {
			*priv = td_strndup(s, strlen(s));
			if (!*priv)
				goto oom;
		}
		if (psl_is_public_suffix2(psl, s,
					  PSL_TYPE_ICANN |
					      PSL_TYPE_NO_STAR_RULE) == 1) {
			if (prev) {
				*icann = td_strndup(prev, strlen(prev));
				if (!*icann)
					goto oom;
			}
			break;
		}
	}
	return 0;
oom:
	free(*priv);
	*priv = NULL;
	return TD_ENOMEM;
}

/* ---- IP literals -------------------------------------------------- */

/*
 * WHATWG URL "IPv4 number parser": "0x" starts hex, another leading "0"
 * octal, else decimal; "" after the prefix is 0.  Values past 2^32 are
 * kept as 2^32 + 1 so that callers can refuse them.
 */
static int
ipv4_number(const char *s, size_t len, uint64_t *out)
{
	unsigned base = 10;
	uint64_t v = 0;
	size_t i;

	if (!len)
		return -1;
	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		len -= 2;
	} else if (len >= 2 && s[0] == '0') {
		base = 8;
		s++;
		len--;
	}
	for (i = 0; i < len; i++) {
		int d = hex_val((unsigned char)s[i]);

		if (d < 0 || (unsigned)d >= base)
			return -1;
		v = v * base + (unsigned)d;
		if (v > 0xffffffffULL)
			v = 0x100000001ULL;
	}
	*out = v;
	return 0;
}

/*
 * WHATWG URL "ends in a number checker": is the last label all digits,
 * or "0x" and hex digits?  Such a host must be an IPv4 address.
 */
static int
ends_in_number(const char *h, size_t len)
{
	size_t start = len, i;

	while (start && h[start - 1] != '.')
		start--;
	if (start == len)
		return 0;
	for (i = start; i < len && is_digit(h[i]); i++)
		;
	if (i == len)
		return 1;
	if (len - start >= 2 && h[start] == '0' &&
	    (h[start + 1] == 'x' || h[start + 1] == 'X')) {
		for (i = start + 2; i < len && hex_val(h[i]) >= 0; i++)
			;
		return i == len;
	}
	return 0;
}

/*
 * WHATWG URL "IPv4 parser": one to four parts, each decimal, octal or
 * hex; the last fills the remaining bytes ("127.1" is 127.0.0.1,
 * "3232235777" is 192.168.1.1).  h has no trailing dot.
 */
static int
ipv4_parse(const char *h, size_t len, uint32_t *out)
{
	uint64_t part[4], last;
	size_t n = 0, start = 0, i;
	uint32_t v = 0;

	for (i = 0; i <= len; i++) {
		if (i < len && h[i] != '.')
			continue;
		if (n == 4 || ipv4_number(h + start, i - start, &part[n]) < 0)
			return -1;
		n++;
		start = i + 1;
	}
	for (i = 0; i + 1 < n; i++) {
		if (part[i] > 255)
			return -1;
		v |= (uint32_t)part[i] << (8 * (3 - i));
	}
	last = part[n - 1];
	if (last >= (1ULL << (8 * (5 - n))))
		return -1;
	*out = v | (uint32_t)last;
	return 0;
}

/*
 * Serialise an IPv6 address as the WHATWG URL standard does (and RFC 5952
 * mostly): lowercase hex, no leading zeros, the first longest run of two
 * or more zero pieces as "::", no dotted IPv4 tail.
 */
static void
ipv6_format(char *out, size_t outsz, const unsigned char a[16])
{
	unsigned piece[8];
	int best = -1, best_len = 1, i, j;
	size_t off = 0;

	for (i = 0; i < 8; i++)
		piece[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	for (i = 0; i < 8; i = j + 1) {
		for (j = i; j < 8 && !piece[j]; j++)
			;
		if (j - i > best_len) {
			best = i;
			best_len = j - i;
		}
	}
	out[0] = '\0';
	for (i = 0; i < 8; i++) {
		if (i == best) {
			off += (size_t)snprintf(out + off, outsz - off,
						i ? ":" : "::");
			i += best_len - 1;
			continue;
		}
		off += (size_t)snprintf(out + off, outsz - off, "%x%s",
					piece[i], i < 7 ? ":" : "");
	}
}

static int
host_ipv6(struct td_url *u, const char *h, size_t len, struct td_error *err)
{
	char in[64], txt[64];
	unsigned char a[16];

	/* h is "[...]" (RFC 3986 3.2.2 IP-literal) */
	if (len < 3 || len - 2 >= sizeof(in))
		return td_error_set(err, TD_EPARSE,
				    "RFC 3986 3.2.2: invalid ipv6 address "
				    "\"%.*s\"",
				    CLIP(len), h);
	memcpy(in, h + 1, len - 2);
	in[len - 2] = '\0';
	if (inet_pton(AF_INET6, in, a) != 1)
		return td_error_set(err, TD_EPARSE,
				    "RFC 3986 3.2.2: invalid ipv6 address "
				    "\"%.*s\"",
				    CLIP(len), h);
	ipv6_format(txt, sizeof(txt), a);
	u->host = td_strndup(in, len - 2);
	u->host_ascii = td_strndup(txt, strlen(txt));
	u->host_unicode = td_strndup(txt, strlen(txt));
	if (!u->host || !u->host_ascii || !u->host_unicode)
		return TD_ENOMEM;
	u->is_ip = 1;
	return 0;
}

/* ---- scripts (homographs) ----------------------------------------- */

enum {
	SCRIPT_LATIN = 1,
	SCRIPT_GREEK = 2,
	SCRIPT_CYRILLIC = 4,
	SCRIPT_ARMENIAN = 8,
	SCRIPT_CHEROKEE = 16
};

/*
 * The script of a letter, from Unicode block ranges.  Only the scripts
 * whose letters pass for Latin ones are told apart; everything else
 * (digits, '-', combining marks, CJK, Arabic, Hebrew...) is 0 and does
 * not count, so Latin mixed with Han or Kana is not flagged.
 */
static unsigned
script_of(uint32_t c)
{
	if (c < 0x80)
		return is_alpha((int)c) ? SCRIPT_LATIN : 0;
	if ((c >= 0xc0 && c <= 0x24f && c != 0xd7 && c != 0xf7) ||
	    (c >= 0x250 && c <= 0x2af) || (c >= 0x1e00 && c <= 0x1eff) ||
	    (c >= 0x2c60 && c <= 0x2c7f) || (c >= 0xa720 && c <= 0xa7ff) ||
	    (c >= 0xab30 && c <= 0xab6f))
		return SCRIPT_LATIN;
	if ((c >= 0x370 && c <= 0x3ff) || (c >= 0x1f00 && c <= 0x1fff))
		return SCRIPT_GREEK;
	if ((c >= 0x400 && c <= 0x52f) || (c >= 0x1c80 && c <= 0x1c8f) ||
	    (c >= 0x2de0 && c <= 0x2dff) || (c >= 0xa640 && c <= 0xa69f))
		return SCRIPT_CYRILLIC;
	if ((c >= 0x530 && c <= 0x58f) || (c >= 0xfb13 && c <= 0xfb17))
		return SCRIPT_ARMENIAN;
	if ((c >= 0x13a0 && c <= 0x13ff) || (c >= 0xab70 && c <= 0xabbf))
		return SCRIPT_CHEROKEE;
	return 0;
}

/* Cyrillic and Greek small letters that look like Latin ones. */
static int
looks_latin(uint32_t c)
{
	/* Greek α ι κ ν ο ρ υ, Cyrillic а е о р с у х ѕ і ј ѡ ѵ ү һ ӏ ԁ ԛ ԝ */
	static const uint16_t set[] = {0x03b1, 0x03b9, 0x03ba, 0x03bd, 0x03bf,
				       0x03c1, 0x03c5, 0x0430, 0x0435, 0x043e,
				       0x0440, 0x0441, 0x0443, 0x0445, 0x0455,
				       0x0456, 0x0458, 0x0461, 0x0475, 0x04af,
				       0x04bb, 0x04cf, 0x0501, 0x051b, 0x051d};
	size_t i;

	for (i = 0; i < sizeof(set) / sizeof(set[0]); i++)
		if (set[i] == c)
			return 1;
	return 0;
}

/*
 * Flag homographs in a U-label host: a label with letters of two or more
 * of Latin, Greek, Cyrillic, Armenian and Cherokee ("pаypal", Cyrillic
 * а), or a label written wholly in Cyrillic or Greek letters that all
 * look Latin ("аррӏе") under an ASCII top-level domain.
 */
static int
homograph(const char *host)
{
	const unsigned char *s = (const unsigned char *)host;
	const char *last = strrchr(host, '.');
	size_t len = strlen(host), i = 0, n;
	int tld_ascii = 1;
	uint32_t c;

	if (last) {
		for (n = (size_t)(last - host) + 1; n < len; n++)
			if (s[n] >= 0x80)
				tld_ascii = 0;
	}
	while (i < len) {
		unsigned scripts = 0;
		int letters = 0, lookalike = 1;
		size_t start = i;

		while (i < len && s[i] != '.') {
			n = td_utf8_decode(&c, s + i, len - i);
			if (!n)
				return 0;
			if (script_of(c)) {
				scripts |= script_of(c);
				letters++;
				if (!looks_latin(c))
					lookalike = 0;
			}
			i += n;
		}
		if (scripts & (scripts - 1))
			return 1;
		if (letters && lookalike && tld_ascii && last &&
		    host + start < last &&
		    (scripts == SCRIPT_CYRILLIC || scripts == SCRIPT_GREEK))
			return 1;
		i++;
	}
	return 0;
}

/* ---- host --------------------------------------------------------- */

/*
 * Why byte c cannot be in a host (WHATWG URL "forbidden domain code
 * point"), or NULL.
 */
static const char *
forbidden_reason(unsigned char c)
{
	if (c < 0x20 || c == 0x7f)
		return "control character";
	if (c == ' ')
		return "space";
	if (is_one_of(c, "#%/:<>?@[\\]^|"))
		return "forbidden character";
	return NULL;
}

static int
check_host_bytes(const char *h, size_t len, struct td_error *err)
{
	size_t i;

	for (i = 0; i < len; i++) {
		const char *why = forbidden_reason((unsigned char)h[i]);

		if (why)
			return td_error_set(
			    err, TD_EPARSE,
			    "host \"%.*s\": %s 0x%02x at byte %zu", CLIP(len),
			    h, why, (unsigned char)h[i], i);
	}
	return 0;
}

/*
 * Length of the label separator at p[i]: '.' or one of the dots UTS #46
 * maps to it (U+3002, U+FF0E, U+FF61); 0 if none.
 */
static size_t
label_sep(const char *p, size_t len, size_t i)
{
	const unsigned char *s = (const unsigned char *)p + i;

	if (s[0] == '.')
		return 1;
	if (len - i >= 3 && ((s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x82) ||
			     (s[0] == 0xef && s[1] == 0xbc && s[2] == 0x8e) ||
			     (s[0] == 0xef && s[1] == 0xbd && s[2] == 0xa1)))
		return 3;
	return 0;
}

/*
 * Append the A-label of one label.  Plain ASCII labels are only
 * lowercased (no libidn2 call: the common case stays cheap); labels with
 * non-ASCII bytes or an "xn--" prefix go through libidn2, which checks
 * xn-- labels too.  One label at a time, so that an ASCII label libidn2
 * would refuse but browsers accept ("ab--cd", "a_b") does not sink an
 * IDN host.
 */
static int
label_to_ascii(struct td_buf *out, const char *l, size_t len, int *idn,
	       struct td_error *err)
{
	char *tmp, *a = NULL;
	int ascii = 1, rc;
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)l[i] >= 0x80)
			ascii = 0;
	if (ascii && !has_prefix_ci(l, len, "xn--")) {
		if (td_buf_grow(out, len) < 0)
			return TD_ENOMEM;
		for (i = 0; i < len; i++)
			td_buf_addch(out, to_lower((unsigned char)l[i]));
		return 0;
	}
	*idn = 1;
	tmp = td_strndup(l, len);
	if (!tmp)
		return TD_ENOMEM;
	rc = idn2_to_ascii_8z(tmp, &a, IDNA_FLAGS);
	free(tmp);
	if (rc == IDN2_MALLOC)
		return TD_ENOMEM;
	if (rc != IDN2_OK)
		return td_error_set(err, TD_EPARSE,
				    "host label \"%.*s\": IDNA (UTS #46): %s",
				    CLIP(len), l, idn2_strerror(rc));
	td_buf_adds(out, a);
	idn2_free(a);
	return td_buf_failed(out) ? TD_ENOMEM : 0;
}

/* The display form: each xn-- label of the A-label host decoded. */
static int
host_to_unicode(struct td_buf *out, const char *a)
{
	const char *p = a;

	while (*p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		char *lab, *uni = NULL;
		int rc;

		if (has_prefix(p, n, "xn--")) {
			lab = td_strndup(p, n);
			if (!lab)
				return TD_ENOMEM;
			rc = idn2_to_unicode_8z8z(lab, &uni, 0);
			free(lab);
			if (rc == IDN2_MALLOC)
				return TD_ENOMEM;
			if (rc == IDN2_OK && uni && *uni)
				td_buf_adds(out, uni);
			else
				td_buf_add(out, p, n);
			idn2_free(uni);
		} else {
			td_buf_add(out, p, n);
		}
		if (dot)
			td_buf_addch(out, '.');
		p += n + (dot ? 1 : 0);
	}
	return td_buf_failed(out) ? TD_ENOMEM : 0;
}

/*
 * Fill host, host_ascii, host_unicode, domain, is_ip, is_idn and
 * mixed_script from the host as written (h, len bytes).
 */
static int
host_parse(struct td_url *u, const char *h, size_t len, struct td_error *err)
{
	struct td_buf dec = TD_BUF_INIT, a = TD_BUF_INIT, uni = TD_BUF_INIT;
	const char *p = h;
	size_t plen = len, i, start, sep;
	uint32_t v4;
	int idn = 0, ret;

	if (len > MAX_HOST)
		return td_error_set(err, TD_EPARSE,
				    "host of %zu bytes: longer than %d", len,
				    MAX_HOST);
	if (len && h[0] == '[')
		return host_ipv6(u, h, len, err);

	/* WHATWG URL host parser: percent-decode, then domain to ASCII */
	if (memchr(h, '%', len)) {
		ret = pct_decode(&dec, h, len);
		if (ret < 0)
			goto out;
		p = dec.ptr;
		plen = dec.len;
	}
	if (!plen) {
		ret =
		    td_error_set(err, TD_EPARSE, "RFC 3986 3.2.2: empty host");
		goto out;
	}
	ret = check_host_bytes(p, plen, err);
	if (ret < 0)
		goto out;
	ret = TD_ENOMEM;
	u->host = td_strndup(p, plen);
	if (!u->host)
		goto out;
	for (i = 0; i < plen; i++)
		if ((unsigned char)p[i] >= 0x80)
			idn = 1;

	for (start = i = 0; i <= plen; i++) {
		sep = i < plen ? label_sep(p, plen, i) : 0;
		if (i < plen && !sep)
			continue;
		ret = label_to_ascii(&a, p + start, i - start, &idn, err);
		if (ret < 0)
			goto out;
		if (i == plen)
			break;
		td_buf_addch(&a, '.');
		i += sep - 1;
		start = i + 1;
	}
	ret = TD_ENOMEM;
	if (td_buf_failed(&a))
		goto out;
	/* one trailing dot (the DNS root) is dropped from host_ascii */
	if (a.len && a.ptr[a.len - 1] == '.')
		td_buf_truncate(&a, a.len - 1);
	/* mapping may have made forbidden characters ("／" is "/") */
	for (i = 0; i < a.len; i++) {
		if ((unsigned char)a.ptr[i] >= 0x80 ||
		    forbidden_reason((unsigned char)a.ptr[i])) {
			ret = check_host_bytes(a.ptr, a.len, err);
			if (ret == 0)
				ret = td_error_set(err, TD_EPARSE,
						   "host \"%.*s\": not ascii "
						   "after IDNA",
						   CLIP(plen), p);
			goto out;
		}
	}
	if (!a.len || a.ptr[0] == '.' || a.ptr[a.len - 1] == '.' ||
	    strstr(a.ptr, "..")) {
		ret = td_error_set(err, TD_EPARSE, "host \"%.*s\": empty label",
				   CLIP(plen), p);
		goto out;
	}

	if (ends_in_number(a.ptr, a.len)) {
		char q[16];

		if (ipv4_parse(a.ptr, a.len, &v4) < 0) {
			ret = td_error_set(err, TD_EPARSE,
					   "host \"%.*s\": ends in a number "
					   "but is not an ipv4 address",
					   CLIP(plen), p);
			goto out;
		}
		snprintf(q, sizeof(q), "%u.%u.%u.%u", v4 >> 24,
			 (v4 >> 16) & 0xff, (v4 >> 8) & 0xff, v4 & 0xff);
		ret = TD_ENOMEM;
		u->host_ascii = td_strndup(q, strlen(q));
		u->host_unicode = td_strndup(q, strlen(q));
		if (!u->host_ascii || !u->host_unicode)
			goto out;
		u->is_ip = 1;
		ret = 0;
		goto out;
	}

	if (!strncmp(a.ptr, "xn--", 4) || strstr(a.ptr, ".xn--"))
		idn = 1;
	ret = TD_ENOMEM;
	if (idn) {
		if (host_to_unicode(&uni, a.ptr) < 0)
			goto out;
		u->host_unicode = td_buf_detach(&uni, NULL);
		u->mixed_script =
		    u->host_unicode ? homograph(u->host_unicode) : 0;
	} else {
		u->host_unicode = td_strndup(a.ptr, a.len);
	}
	u->is_idn = idn;
	if (a.len > MAX_HOST) {
		/* the A-label form of a long IDN host: every URL we give out
		   must parse again */
		ret = td_error_set(err, TD_EPARSE,
				   "host of %zu bytes in A-labels: longer than %d",
				   a.len, MAX_HOST);
		goto out;
	}
	u->host_ascii = td_buf_detach(&a, NULL);
	if (!u->host_unicode || !u->host_ascii)
		goto out;
	ret = registrable(&u->domain, u->host_ascii);
out:
	td_buf_release(&dec);
	td_buf_release(&a);
	td_buf_release(&uni);
	return ret;
}

/* ---- parse -------------------------------------------------------- */

/* Schemes with the WHATWG "special" parsing rules ('\' is '/'). */
static int
scheme_special(const char *s)
{
	return !strcmp(s, "http") || !strcmp(s, "https") || !strcmp(s, "ftp") ||
	       !strcmp(s, "ws") || !strcmp(s, "wss") || !strcmp(s, "file");
}

static int
scheme_port(const char *s)
{
	if (!strcmp(s, "http") || !strcmp(s, "ws"))
		return 80;
	if (!strcmp(s, "https") || !strcmp(s, "wss"))
		return 443;
	if (!strcmp(s, "ftp"))
		return 21;
	return -1;
}

void
td_url_release(struct td_url *u)
{
	if (!u)
		return;
	free(u->url);
	free(u->normalized);
	free(u->scheme);
	free(u->userinfo);
	free(u->host);
	free(u->host_ascii);
	free(u->host_unicode);
	free(u->domain);
	memset(u, 0, sizeof(*u));
	u->port = -1;
}

int
td_url_parse(struct td_url *out, const char *s, size_t len,
	     struct td_error *err)
{
	struct td_buf n = TD_BUF_INIT;
	size_t i, p, auth, auth_end, at, hp, host_end, k;
	int special, ret, port = -1, dport;
	char scheme[MAX_SCHEME + 1];

	memset(out, 0, sizeof(*out));
	out->port = -1;
	if (!s)
		return td_error_set(err, TD_EINVAL, "url: null pointer");
	if (memchr(s, '\0', len))
		return td_error_set(err, TD_EPARSE, "url: nul byte");

	/* RFC 3986 3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
	for (i = 0; i < len && i <= MAX_SCHEME && is_scheme_char(s[i]); i++)
		scheme[i] = (char)to_lower((unsigned char)s[i]);
	if (!i || !is_alpha(s[0]) || i > MAX_SCHEME || i == len || s[i] != ':')
		return td_error_set(err, TD_EPARSE,
				    "url \"%.*s\": RFC 3986 3.1: no scheme",
				    CLIP(len), s);
	scheme[i] = '\0';
	special = scheme_special(scheme);
	p = i + 1;

	/*
	 * RFC 3986 3.2 wants "//"; browsers skip any run of '/' and '\'
	 * after a special scheme ("http:\\evil.example" works), so do we.
	 */
	if (special && strcmp(scheme, "file")) {
		while (p < len && (s[p] == '/' || s[p] == '\\'))
			p++;
	} else if (p + 1 < len && s[p] == '/' && s[p + 1] == '/') {
		p += 2;
	} else {
		return td_error_set(err, TD_EPARSE,
				    "url \"%.*s\": RFC 3986 3.2: no authority",
				    CLIP(len), s);
	}

	/* authority ends at '/', '?', '#', and for special schemes '\' */
	auth = p;
	for (auth_end = auth; auth_end < len; auth_end++) {
		char c = s[auth_end];

		if (c == '/' || c == '?' || c == '#' || (special && c == '\\'))
			break;
	}
	/* the last '@' ends the userinfo: "http://paypal.com@evil.example" */
	at = auth_end;
	for (k = auth; k < auth_end; k++)
		if (s[k] == '@')
			at = k;
	hp = at < auth_end ? at + 1 : auth;

	if (hp < auth_end && s[hp] == '[') {
		const char *rb = memchr(s + hp, ']', auth_end - hp);

		if (!rb)
			return td_error_set(err, TD_EPARSE,
					    "url \"%.*s\": RFC 3986 3.2.2: "
					    "unterminated ipv6 literal",
					    CLIP(len), s);
		host_end = (size_t)(rb - s) + 1;
		if (host_end < auth_end && s[host_end] != ':')
			return td_error_set(err, TD_EPARSE,
					    "url \"%.*s\": RFC 3986 3.2.2: "
					    "junk after ipv6 literal",
					    CLIP(len), s);
	} else {
		const char *c = memchr(s + hp, ':', auth_end - hp);

		host_end = c ? (size_t)(c - s) : auth_end;
	}

	/* RFC 3986 3.2.3: port = *DIGIT, empty meaning none; at most 65535 */
	if (host_end < auth_end) {
		const char *ps = s + host_end + 1;
		size_t pn = auth_end - host_end - 1;

		for (k = 0; k < pn && is_digit(ps[k]); k++) {
			port = (port < 0 ? 0 : port) * 10 + (ps[k] - '0');
			if (port > 65535)
				break;
		}
		if (k < pn)
			return td_error_set(err, TD_EPARSE,
					    "url \"%.*s\": RFC 3986 3.2.3: "
					    "invalid port \"%.*s\"",
					    CLIP(len), s, CLIP(pn), ps);
	}
	out->port = port;

	ret = host_parse(out, s + hp, host_end - hp, err);
	if (ret < 0)
		goto fail;
	ret = TD_ENOMEM;
	out->url = td_strndup(s, len);
	out->scheme = td_strndup(scheme, strlen(scheme));
	if (!out->url || !out->scheme)
		goto fail;
	if (at < auth_end) {
		out->userinfo = td_strndup(s + auth, at - auth);
		if (!out->userinfo)
			goto fail;
	}

	/* normalized: scheme://[userinfo@]host[:port]rest-as-sent */
	td_buf_adds(&n, scheme);
	td_buf_adds(&n, "://");
	if (out->userinfo) {
		td_buf_adds(&n, out->userinfo);
		td_buf_addch(&n, '@');
	}
	if (out->is_ip && strchr(out->host_ascii, ':')) {
		td_buf_addch(&n, '[');
		td_buf_adds(&n, out->host_ascii);
		td_buf_addch(&n, ']');
	} else {
		td_buf_adds(&n, out->host_ascii);
	}
	dport = scheme_port(scheme);
	if (port >= 0 && port != dport)
		td_buf_printf(&n, ":%d", port);
	td_buf_add(&n, s + auth_end, len - auth_end);
	if (td_buf_failed(&n))
		goto fail;
	out->normalized = td_buf_detach(&n, NULL);
	if (!out->normalized)
		goto fail;
	return 0;
fail:
	td_buf_release(&n);
	td_url_release(out);
	if (ret == TD_ENOMEM)
		td_error_set(err, TD_ENOMEM, "url: out of memory");
	return ret;
}

char *
td_url_registrable(const char *host_ascii)
{
	struct td_buf b = TD_BUF_INIT;
	char *out = NULL;
	size_t i;

	if (!host_ascii || !*host_ascii || strchr(host_ascii, ':'))
		return NULL;
	for (i = 0; host_ascii[i]; i++)
		td_buf_addch(&b, to_lower((unsigned char)host_ascii[i]));
	if (b.len && b.ptr[b.len - 1] == '.')
		td_buf_truncate(&b, b.len - 1);
	if (!td_buf_failed(&b) && b.len && !ends_in_number(b.ptr, b.len))
		registrable(&out, b.ptr);
	td_buf_release(&b);
	return out;
}

/* ---- RFC 3986 section 5 ------------------------------------------- */

struct parts {
	const char *scheme, *auth, *path, *query, *frag;
	size_t scheme_len, auth_len, path_len, query_len, frag_len;
	int has_scheme, has_auth, has_query, has_frag;
};

/* Split s as the regular expression of RFC 3986 appendix B does. */
static void
split_ref(struct parts *r, const char *s, size_t len)
{
	size_t i = 0, j;

	memset(r, 0, sizeof(*r));
	for (j = 0; j < len && !is_one_of(s[j], ":/?#"); j++)
		;
	if (j < len && s[j] == ':' && j > 0 && is_alpha(s[0])) {
		for (i = 0; i < j && is_scheme_char(s[i]); i++)
			;
		if (i == j) {
			r->has_scheme = 1;
			r->scheme = s;
			r->scheme_len = j;
			i = j + 1;
		} else {
			i = 0;
		}
	}
	if (len - i >= 2 && s[i] == '/' && s[i + 1] == '/') {
		i += 2;
		for (j = i; j < len && !is_one_of(s[j], "/?#"); j++)
			;
		r->has_auth = 1;
		r->auth = s + i;
		r->auth_len = j - i;
		i = j;
	}
	for (j = i; j < len && s[j] != '?' && s[j] != '#'; j++)
		;
	r->path = s + i;
	r->path_len = j - i;
	i = j;
	if (i < len && s[i] == '?') {
		for (j = i + 1; j < len && s[j] != '#'; j++)
			;
		r->has_query = 1;
		r->query = s + i + 1;
		r->query_len = j - i - 1;
		i = j;
	}
	if (i < len && s[i] == '#') {
		r->has_frag = 1;
		r->frag = s + i + 1;
		r->frag_len = len - i - 1;
	}
}

/* Drop the last segment and its '/' from out, not below base (5.2.4 C). */
static void
pop_segment(struct td_buf *out, size_t base)
{
	size_t k = out->len;

	while (k > base && out->ptr[k - 1] != '/')
		k--;
	td_buf_truncate(out, k > base ? k - 1 : base);
}

/* RFC 3986 5.2.4 remove_dot_segments, appending the result to out. */
static void
remove_dot_segments(struct td_buf *out, const char *p, size_t n)
{
	size_t base = out->len, k;

	while (n) {
		if (has_prefix(p, n, "../")) { /* A */
			p += 3;
			n -= 3;
		} else if (has_prefix(p, n, "./")) {
			p += 2;
			n -= 2;
		} else if (has_prefix(p, n, "/./")) { /* B */
			p += 2;
			n -= 2;
		} else if (n == 2 && !memcmp(p, "/.", 2)) {
			p = "/";
			n = 1;
		} else if (has_prefix(p, n, "/../")) { /* C */
			p += 3;
			n -= 3;
			pop_segment(out, base);
		} else if (n == 3 && !memcmp(p, "/..", 3)) {
			p = "/";
			n = 1;
			pop_segment(out, base);
		} else if ((n == 1 && p[0] == '.') ||
			   (n == 2 && !memcmp(p, "..", 2))) { /* D */
			n = 0;
		} else { /* E */
			k = p[0] == '/' ? 1 : 0;
			while (k < n && p[k] != '/')
				k++;
			td_buf_add(out, p, k);
			p += k;
			n -= k;
		}
	}
}

int
td_url_resolve(struct td_buf *out, const char *base, const char *ref,
	       size_t ref_len)
{
	struct td_buf t = TD_BUF_INIT, m = TD_BUF_INIT;
	struct parts b, r;
	const struct parts *a, *q;
	int ret;

	if (!base || !ref)
		return TD_EINVAL;
	split_ref(&b, base, strlen(base));
	if (!b.has_scheme)
		return TD_EPARSE;
	split_ref(&r, ref, ref_len);

	/* 5.2.2 (strict): which of R and Base give each component */
	if (r.has_scheme) {
		td_buf_add(&t, r.scheme, r.scheme_len);
		a = &r;
	} else {
		td_buf_add(&t, b.scheme, b.scheme_len);
		a = r.has_auth ? &r : &b;
	}
	td_buf_addch(&t, ':');
	if (a->has_auth) {
		td_buf_adds(&t, "//");
		td_buf_add(&t, a->auth, a->auth_len);
	}
	q = &r;
	if (a == &r) {
		remove_dot_segments(&t, r.path, r.path_len);
	} else if (!r.path_len) {
		td_buf_add(&t, b.path, b.path_len);
		if (!r.has_query)
			q = &b;
	} else if (r.path[0] == '/') {
		remove_dot_segments(&t, r.path, r.path_len);
	} else {
		/* 5.2.3 merge */
		if (b.has_auth && !b.path_len) {
			td_buf_addch(&m, '/');
		} else {
			size_t k = b.path_len;

			while (k && b.path[k - 1] != '/')
				k--;
			td_buf_add(&m, b.path, k);
		}
		td_buf_add(&m, r.path, r.path_len);
		remove_dot_segments(&t, m.ptr, m.len);
	}
	/* 5.3 recomposition */
	if (q->has_query) {
		td_buf_addch(&t, '?');
		td_buf_add(&t, q->query, q->query_len);
	}
	if (r.has_frag) {
		td_buf_addch(&t, '#');
		td_buf_add(&t, r.frag, r.frag_len);
	}
	ret = td_buf_failed(&t) || td_buf_failed(&m) ? TD_ENOMEM : 0;
	if (!ret)
		ret = td_buf_add(out, t.ptr, t.len);
	td_buf_release(&t);
	td_buf_release(&m);
	return ret;
}

/* ---- link wrappers ------------------------------------------------ */

/* A candidate wrapper URL, split without allocating. */
struct wurl {
	const char *url;
	size_t len;
	char host[MAX_WHOST + 1]; /* lowercase, no port, no trailing dot */
	size_t host_len;
	const char *path, *query, *frag, *rest;
	size_t path_len, query_len, frag_len, rest_len;
	int has_query, has_frag;
};

/*
 * Split an http(s) URL the way a browser finds the host (so the
 * "wrapper@evil.example" trick does not pass for a wrapper).  Returns 0,
 * or -1 when it cannot be a wrapper.
 */
static int
wurl_split(struct wurl *w, const char *s, size_t len)
{
	size_t i, auth, end, hp, he;

	memset(w, 0, sizeof(*w));
	w->url = s;
	w->len = len;
	if (has_prefix_ci(s, len, "https:"))
		i = 6;
	else if (has_prefix_ci(s, len, "http:"))
		i = 5;
	else
		return -1;
	while (i < len && (s[i] == '/' || s[i] == '\\'))
		i++;
	auth = i;
	for (end = auth; end < len && !is_one_of(s[end], "/\\?#"); end++)
		;
	hp = auth;
	for (i = auth; i < end; i++)
		if (s[i] == '@')
			hp = i + 1;
	for (he = hp; he < end && s[he] != ':'; he++)
		;
	if (he > hp && s[he - 1] == '.')
		he--;
	if (he == hp || he - hp > MAX_WHOST)
		return -1;
	for (i = hp; i < he; i++)
		w->host[i - hp] = (char)to_lower((unsigned char)s[i]);
	w->host[he - hp] = '\0';
	w->host_len = he - hp;

	w->rest = s + end;
	w->rest_len = len - end;
	w->path = s + end;
	for (i = end; i < len && s[i] != '?' && s[i] != '#'; i++)
		;
	w->path_len = i - end;
	if (i < len && s[i] == '?') {
		size_t q = ++i;

		while (i < len && s[i] != '#')
			i++;
		w->has_query = 1;
		w->query = s + q;
		w->query_len = i - q;
	}
	if (i < len && s[i] == '#') {
		w->has_frag = 1;
		w->frag = s + i + 1;
		w->frag_len = len - i - 1;
	}
	return 0;
}

/* Host is name, or (name starting with '.') a strict subdomain suffix. */
static int
host_match(const struct wurl *w, const char *name)
{
	size_t n = strlen(name);

	if (name[0] != '.')
		return !strcmp(w->host, name);
	return w->host_len > n && !strcmp(w->host + w->host_len - n, name);
}

static int
path_is(const struct wurl *w, const char *path)
{
	return w->path_len == strlen(path) &&
	       !memcmp(w->path, path, w->path_len);
}

/*
 * Find query parameter name (ASCII case ignored; a stray "amp;" left by
 * an unescaped "&amp;" is skipped).  Returns 1 and the raw value, or 0.
 */
static int
query_param(const struct wurl *w, const char *name, const char **val,
	    size_t *vlen)
{
	const char *q = w->query, *end;
	size_t n = strlen(name);

	if (!w->has_query || !q)
		return 0;
	end = q + w->query_len;
	while (q < end) {
		const char *amp = memchr(q, '&', (size_t)(end - q));
		const char *pe = amp ? amp : end;

		if (has_prefix_ci(q, (size_t)(pe - q), "amp;"))
			q += 4;
		if ((size_t)(pe - q) > n && !strncasecmp(q, name, n) &&
		    q[n] == '=') {
			*val = q + n + 1;
			*vlen = (size_t)(pe - q) - n - 1;
			return 1;
		}
		q = pe + (amp ? 1 : 0);
	}
	return 0;
}

/* Is the decoded inner URL one to return: absolute http(s)/ftp, no NUL? */
static int
inner_ok(const struct td_buf *b)
{
	if (memchr(b->ptr, '\0', b->len))
		return 0;
	return has_prefix_ci(b->ptr, b->len, "http://") ||
	       has_prefix_ci(b->ptr, b->len, "https://") ||
	       has_prefix_ci(b->ptr, b->len, "ftp://");
}

/* Try parameters in order; the first that decodes to a URL wins. */
static int
param_url(struct td_buf *b, const struct wurl *w, const char *const *names)
{
	const char *v;
	size_t vlen;

	for (; *names; names++) {
		if (!query_param(w, *names, &v, &vlen))
			continue;
		td_buf_reset(b);
		if (pct_decode(b, v, vlen) < 0)
			return TD_ENOMEM;
		if (inner_ok(b))
			return 1;
	}
	return 0;
}

/* Wrappers whose target is one percent-encoded query parameter. */
struct param_wrapper {
	const char *kind;
	const char *host; /* exact, or ".suffix" */
	const char *path; /* exact path, or NULL for any */
	const char *params[3];
};

static const struct param_wrapper param_wrappers[] = {
    /* Microsoft Defender Safe Links; GCC uses gcc*.…outlook.com */
    {"safelinks", ".safelinks.protection.outlook.com", NULL, {"url"}},
    {"safelinks", ".safelinks.protection.office365.us", NULL, {"url"}},
    {"safelinks",
     "statics.teams.cdn.office.net",
     "/evergreen-assets/safelinks/1/atp-safelinks.html",
     {"url"}},
    {"proofpoint-v1", "urldefense.proofpoint.com", "/v1/url", {"u"}},
    {"proofpoint-v1", "urldefense.com", "/v1/url", {"u"}},
    {"clicktime", "clicktime.symantec.com", NULL, {"u"}},
    {"barracuda", "linkprotect.cudasvc.com", "/url", {"a"}},
    {"trendmicro", ".trendmicro.com", "/wis/clicktime/v1/query", {"url"}},
    {"trendmicro", ".trendmicro.eu", "/wis/clicktime/v1/query", {"url"}},
    {"fireeye", "protect2.fireeye.com", "/v1/url", {"u"}},
    {"outlook-imgproxy", ".services.web.outlook.com", "/proxy/", {"u"}},
    {"facebook", "l.facebook.com", "/l.php", {"u"}},
    {"facebook", "lm.facebook.com", "/l.php", {"u"}},
    {"facebook", "m.facebook.com", "/l.php", {"u"}},
    {"facebook", "www.facebook.com", "/l.php", {"u"}},
    {"facebook", "l.messenger.com", "/l.php", {"u"}},
    {"instagram", "l.instagram.com", "/", {"u"}},
    {"youtube", "www.youtube.com", "/redirect", {"q"}},
    {"youtube", "youtube.com", "/redirect", {"q"}},
    {"youtube", "m.youtube.com", "/redirect", {"q"}},
    {"linkedin", "www.linkedin.com", "/redir/redirect", {"url"}},
    {"linkedin", "www.linkedin.com", "/safety/go", {"url"}},
    {"vk", "vk.com", "/away.php", {"to"}},
    {"vk", "m.vk.com", "/away.php", {"to"}},
};

static int
is_proofpoint_host(const struct wurl *w)
{
	return host_match(w, "urldefense.proofpoint.com") ||
	       host_match(w, "urldefense.com") ||
	       host_match(w, "urldefense.us");
}

/*
 * Proofpoint URL Defense v2: u= holds the URL with '%' written as '-' and
 * '/' as '_' ("http-3A__example.com_a" is "http://example.com/a").
 */
static int
proofpoint_v2(struct td_buf *b, const struct wurl *w)
{
	struct td_buf t = TD_BUF_INIT;
	const char *v;
	size_t vlen, i;
	int ret;

	if (!query_param(w, "u", &v, &vlen))
		return 0;
	for (i = 0; i < vlen; i++)
		td_buf_addch(&t, v[i] == '-' ? '%' : v[i] == '_' ? '/' : v[i]);
	ret = td_buf_failed(&t) ? TD_ENOMEM : pct_decode(b, t.ptr, t.len);
	td_buf_release(&t);
	return ret < 0 ? ret : 1;
}

/* Run length for "**X" in URL Defense v3: 'A' is 2 ... '_' is 65. */
static int
v3_run(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 2;
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 28;
	if (c >= '0' && c <= '9')
		return c - '0' + 54;
	if (c == '-')
		return 64;
	if (c == '_')
		return 65;
	return -1;
}

/* Append n characters (UTF-8) of the v3 replacement text from *pos. */
static int
v3_take(struct td_buf *b, const struct td_buf *rep, size_t *pos, int n)
{
	uint32_t c;
	size_t k;

	while (n-- > 0) {
		k = td_utf8_decode(&c, (const unsigned char *)rep->ptr + *pos,
				   rep->len - *pos);
		if (!k)
			return -1;
		td_buf_add(b, rep->ptr + *pos, k);
		*pos += k;
	}
	return 0;
}

/*
 * Proofpoint URL Defense v3:
 *   https://urldefense.com/v3/__<url>__;<base64url>!!<ids>$
 * Characters Proofpoint will not leave in <url> are each replaced by '*';
 * "**X" stands for a run of v3_run(X) of them.  The replaced characters,
 * in order and UTF-8 encoded, are the base64url text between "__;" and
 * the first '!'.  <url> is percent-decoded once before the '*'s are
 * filled in, and a scheme followed by a single '/' gets its second one
 * back.
 */
static int
proofpoint_v3(struct td_buf *b, const struct wurl *w)
{
	struct td_buf t = TD_BUF_INIT, rep = TD_BUF_INIT;
	const char *s = w->path + 6, *end = w->url + w->len, *u_end, *e;
	size_t i, pos = 0;
	int ret = 0;

	for (u_end = s; u_end + 3 <= end && memcmp(u_end, "__;", 3); u_end++)
		;
	if (u_end + 3 > end || u_end == s)
		return 0;
	e = memchr(u_end + 3, '!', (size_t)(end - u_end - 3));
	if (!e)
		e = end;
	if (td_base64_decode(&rep, u_end + 3, (size_t)(e - u_end - 3), 0))
		goto out;

	for (i = 0; s + i < u_end && is_scheme_char(s[i]); i++)
		;
	if (i && s + i + 2 < u_end && s[i] == ':' && s[i + 1] == '/' &&
	    s[i + 2] != '/') {
		td_buf_add(&t, s, i + 2);
		td_buf_addch(&t, '/');
		td_buf_add(&t, s + i + 2, (size_t)(u_end - s) - i - 2);
	} else {
		td_buf_add(&t, s, (size_t)(u_end - s));
	}
	ret = TD_ENOMEM;
	if (td_buf_failed(&t) || td_buf_failed(&rep))
		goto out;
	{
		struct td_buf d = TD_BUF_INIT;

		if (pct_decode(&d, t.ptr, t.len) < 0) {
			td_buf_release(&d);
			goto out;
		}
		td_buf_release(&t);
		t = d;
	}
	ret = 0;
	for (i = 0; i < t.len; i++) {
		if (t.ptr[i] != '*') {
			td_buf_addch(b, t.ptr[i]);
			continue;
		}
		if (i + 2 < t.len && t.ptr[i + 1] == '*') {
			int run = v3_run((unsigned char)t.ptr[i + 2]);

			if (run < 0 || v3_take(b, &rep, &pos, run) < 0)
				goto out;
			i += 2;
		} else if (v3_take(b, &rep, &pos, 1) < 0) {
			goto out;
		}
	}
	ret = td_buf_failed(b) ? TD_ENOMEM : 1;
out:
	td_buf_release(&t);
	td_buf_release(&rep);
	return ret;
}

/* www.google.<ICANN suffix> or google.<ICANN suffix> ("google.co.uk"). */
static int
is_google_host(const struct wurl *w)
{
	const char *h = w->host;
	const psl_ctx_t *psl;

	if (!strncmp(h, "www.", 4))
		h += 4;
	if (strncmp(h, "google.", 7) || !h[7])
		return 0;
	psl = psl_ctx();
	return psl &&
	       psl_is_public_suffix2(
		   psl, h + 7, PSL_TYPE_ICANN | PSL_TYPE_NO_STAR_RULE) == 1;
}

/* Google AMP viewer: /amp/s/<host/path> is https, /amp/<host/path> http. */
static int
google_amp(struct td_buf *b, const struct wurl *w)
{
	const char *p = w->path + 5, *end = w->url + w->len;
	int tls = has_prefix(p, (size_t)(end - p), "s/");

	if (tls)
		p += 2;
	if (p >= end || *p == '/')
		return 0;
	td_buf_adds(b, tls ? "https://" : "http://");
	td_buf_add(b, p, (size_t)(end - p));
	return td_buf_failed(b) ? TD_ENOMEM : 1;
}

/* Cisco Secure Email: secure-web.cisco.com/<token>/<percent-encoded URL> */
static int
cisco(struct td_buf *b, const struct wurl *w)
{
	const char *p = w->rest + 1, *end = w->url + w->len;
	const char *slash;

	if (w->path_len < 2)
		return 0;
	slash = memchr(p, '/', (size_t)(end - p));
	if (!slash || slash == p)
		return 0;
	p = slash + 1;
	return pct_decode(b, p, (size_t)(end - p)) < 0 ? TD_ENOMEM : 1;
}

/* Amazon SES click tracking: <id>.r.<region>.awstrack.me/L0/<enc>/<n>/… */
static int
awstrack(struct td_buf *b, const struct wurl *w)
{
	const char *p = w->path, *end = w->path + w->path_len, *slash;

	if (w->path_len < 4 || p[1] != 'L' || !is_digit(p[2]))
		return 0;
	for (p += 2; p < end && is_digit(*p); p++)
		;
	if (p == end || *p != '/')
		return 0;
	p++;
	slash = memchr(p, '/', (size_t)(end - p));
	if (!slash)
		slash = end;
	return pct_decode(b, p, (size_t)(slash - p)) < 0 ? TD_ENOMEM : 1;
}

/* Decode a base64 parameter (after percent-decoding it) into b. */
static int
b64_param(struct td_buf *b, const struct wurl *w, const char *name,
	  const char *prefix)
{
	struct td_buf t = TD_BUF_INIT;
	const char *v;
	size_t vlen, skip = strlen(prefix);
	int ret;

	if (!query_param(w, name, &v, &vlen))
		return 0;
	if (pct_decode(&t, v, vlen) < 0) {
		td_buf_release(&t);
		return TD_ENOMEM;
	}
	if (!has_prefix(t.ptr, t.len, prefix)) {
		td_buf_release(&t);
		return 0;
	}
	ret = td_base64_decode(b, t.ptr + skip, t.len - skip, 0);
	td_buf_release(&t);
	if (td_buf_failed(b))
		return TD_ENOMEM;
	return ret ? 0 : 1;
}

/*
 * The dereferrer of WEB.DE, GMX and mail.com webmail (United Internet):
 * deref-web.de/mail/client/<id>/dereferrer/?redirectUrl=<encoded>
 */
static int
is_deref(const struct wurl *w)
{
	static const char *const hosts[] = {
	    "deref-web.de",  "deref-web-02.de", "deref-gmx.net",
	    "deref-gmx.com", "deref-mail.com",	"deref-1und1.de",
	};
	static const char suffix[] = "/dereferrer/";
	size_t n = sizeof(suffix) - 1, i;

	if (w->path_len < n || memcmp(w->path + w->path_len - n, suffix, n))
		return 0;
	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++)
		if (host_match(w, hosts[i]))
			return 1;
	return 0;
}

/* Gmail image proxy: ci<N>.googleusercontent.com/proxy/…#<original> */
static int
is_gmail_proxy(const struct wurl *w)
{
	const char *h = w->host;
	size_t i = 2;

	if (strncmp(h, "ci", 2) || !is_digit(h[2]))
		return 0;
	while (is_digit(h[i]))
		i++;
	if (strcmp(h + i, ".googleusercontent.com"))
		return 0;
	return has_prefix(w->path, w->path_len, "/proxy/") ||
	       has_prefix(w->path, w->path_len, "/meips/");
}

int
td_url_unwrap(char **inner_out, const char **kind_out, const char *url,
	      size_t len)
{
	static const char *const google_params[] = {"q", "url", NULL};
	static const char *const deref_params[] = {"redirectUrl", NULL};
	struct td_buf b = TD_BUF_INIT;
	const char *kind = NULL;
	struct wurl w;
	size_t i;
	int r = 0;

	*inner_out = NULL;
	*kind_out = NULL;
	if (!url || wurl_split(&w, url, len) < 0)
		return 0;

	for (i = 0; i < sizeof(param_wrappers) / sizeof(param_wrappers[0]);
	     i++) {
		const struct param_wrapper *pw = &param_wrappers[i];

		if (!host_match(&w, pw->host) ||
		    (pw->path && !path_is(&w, pw->path)))
			continue;
		kind = pw->kind;
		r = param_url(&b, &w, pw->params);
		break;
	}
	if (kind) {
		/* matched above */
	} else if (is_proofpoint_host(&w) && path_is(&w, "/v2/url")) {
		kind = "proofpoint-v2";
		r = proofpoint_v2(&b, &w);
	} else if (is_proofpoint_host(&w) &&
		   has_prefix(w.path, w.path_len, "/v3/__")) {
		kind = "proofpoint-v3";
		r = proofpoint_v3(&b, &w);
	} else if (has_prefix(w.host, w.host_len, "google.") ||
		   has_prefix(w.host, w.host_len, "www.google.")) {
		if (!is_google_host(&w)) {
			r = 0;
		} else if (path_is(&w, "/url")) {
			kind = "google";
			r = param_url(&b, &w, google_params);
		} else if (has_prefix(w.path, w.path_len, "/amp/")) {
			kind = "google-amp";
			r = google_amp(&b, &w);
		}
	} else if (host_match(&w, "secure-web.cisco.com")) {
		kind = "cisco";
		r = cisco(&b, &w);
	} else if (host_match(&w, ".protection.sophos.com")) {
		kind = "sophos";
		r = b64_param(&b, &w, "u", "");
	} else if (host_match(&w, ".awstrack.me")) {
		kind = "awstrack";
		r = awstrack(&b, &w);
	} else if ((host_match(&w, "www.bing.com") ||
		    host_match(&w, "bing.com")) &&
		   path_is(&w, "/ck/a")) {
		kind = "bing";
		r = b64_param(&b, &w, "u", "a1");
	} else if (is_gmail_proxy(&w) && w.has_frag) {
		kind = "gmail-imgproxy";
		r = td_buf_add(&b, w.frag, w.frag_len) < 0 ? TD_ENOMEM : 1;
	} else if (is_deref(&w)) {
		kind = "deref";
		r = param_url(&b, &w, deref_params);
	}

	if (r < 0 || td_buf_failed(&b)) {
		td_buf_release(&b);
		return TD_ENOMEM;
	}
	/* one layer only; a wrapper whose inner URL is itself is no wrapper */
	if (r != 1 || !inner_ok(&b) ||
	    (b.len == len && !memcmp(b.ptr, url, len))) {
		td_buf_release(&b);
		return 0;
	}
	*inner_out = td_buf_detach(&b, NULL);
	if (!*inner_out)
		return TD_ENOMEM;
	*kind_out = kind;
	return 1;
}

const char *
td_url_opaque_wrapper(const char *url, size_t len)
{
	struct wurl w;

	if (!url || wurl_split(&w, url, len) < 0)
		return NULL;
	if ((host_match(&w, ".mimecast.com") ||
	     host_match(&w, ".mimecastprotect.com")) &&
	    has_prefix(w.path, w.path_len, "/s/"))
		return "mimecast";
	return NULL;
}
