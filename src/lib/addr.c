/*
 * Strict e-mail address checks (see addr.h for the rules).  The parser is
 * written straight from the ABNF of RFC 5321 4.1.2 and 4.1.3, refusing
 * rather than repairing: what it accepts is what libcurl, sendmail and
 * the receiving MTA will all read the same way.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "err.h"
#include "url.h"
#include "banned.h"

/* The address as shown in a message: quoted, controls escaped, cut. */
struct shown {
	char s[112];
};

static const char *
show(struct shown *sh, const char *p, size_t len)
{
	size_t i, o = 0;

	sh->s[o++] = '"';
	for (i = 0; i < len && o < sizeof(sh->s) - 8; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c < 0x20 || c == 0x7f) {
			snprintf(sh->s + o, sizeof(sh->s) - o, "\\x%02x", c);
			o += 4;
		} else if (c == '"' || c == '\\') {
			sh->s[o++] = '\\';
			sh->s[o++] = (char)c;
		} else {
			sh->s[o++] = (char)c; /* UTF-8 passes as it is */
		}
	}
	if (i < len) {
		memcpy(sh->s + o, "...", 3);
		o += 3;
	}
	sh->s[o++] = '"';
	sh->s[o] = '\0';
	return sh->s;
}

/* RFC 5322 3.2.3 atext */
static int
is_atext(unsigned char c)
{
	return isalnum(c) || (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

static int
is_ldh(unsigned char c)
{
	return isalnum(c) || c == '-';
}

/* Describe the first byte of s that is not in a Dot-string. */
static const char *
what_char(char *buf, size_t n, unsigned char c)
{
	if (c == 0)
		return "NUL";
	if (c == '\r')
		return "CR";
	if (c == '\n')
		return "LF";
	if (c < 0x20 || c == 0x7f) {
		snprintf(buf, n, "control character 0x%02x", c);
		return buf;
	}
	if (c >= 0x80)
		return "non-ASCII byte";
	if (c == ' ' || c == '\t')
		return "white space";
	snprintf(buf, n, "'%c'", c);
	return buf;
}

/*
 * The local part, RFC 5321 4.1.2: Dot-string / Quoted-string, ending at
 * the '@' at s[*at].  Returns 0 or TD_EINVAL.
 */
static int
check_local(size_t *at, const char *s, size_t len, const char *shown,
	    struct td_error *err)
{
	char cb[32];
	size_t i = 0;

	if (len && s[0] == '"') {
		for (i = 1; i < len && s[i] != '"'; i++) {
			unsigned char c = (unsigned char)s[i];

			if (c == '\\' || (c && strchr("@<>()[],;:", c)))
				return td_error_set(
				    err, TD_EINVAL,
				    "%s: refused: %s inside a quoted local "
				    "part (policy, see addr.h)",
				    shown, what_char(cb, sizeof(cb), c));
			if (c < 0x20 || c >= 0x7f)
				return td_error_set(
				    err, TD_EINVAL,
				    "%s: RFC 5321 4.1.2: %s in the local part",
				    shown, what_char(cb, sizeof(cb), c));
		}
		if (i >= len)
			return td_error_set(err, TD_EINVAL,
					    "%s: RFC 5321 4.1.2: unterminated "
					    "quoted local part",
					    shown);
		if (i == 1)
			return td_error_set(err, TD_EINVAL,
					    "%s: refused: empty local part",
					    shown);
		i++;
		if (i >= len || s[i] != '@')
			return td_error_set(err, TD_EINVAL,
					    "%s: RFC 5321 4.1.2: no '@' after "
					    "the quoted local part",
					    shown);
		*at = i;
		return 0;
	}
	for (i = 0; i < len && s[i] != '@'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (i == 0 || s[i - 1] == '.' || i + 1 == len ||
			    s[i + 1] == '@')
				return td_error_set(
				    err, TD_EINVAL,
				    "%s: RFC 5321 4.1.2: %s dot in the local "
				    "part",
				    shown,
				    i == 0	      ? "leading"
				    : s[i - 1] == '.' ? "double"
						      : "trailing");
			continue;
		}
		if (!is_atext(c))
			return td_error_set(err, TD_EINVAL,
					    "%s: RFC 5321 4.1.2: %s in the "
					    "local part",
					    shown,
					    what_char(cb, sizeof(cb), c));
	}
	if (i == 0)
		return td_error_set(err, TD_EINVAL,
				    len ? "%s: RFC 5321 4.1.2: empty local part"
					: "%s: empty address",
				    shown);
	if (i >= len)
		return td_error_set(err, TD_EINVAL,
				    "%s: RFC 5321 4.1.2: no '@'", shown);
	*at = i;
	return 0;
}

/* Dotted-decimal IPv4 without leading zeros (RFC 5321 4.1.3 Snum). */
static int
ipv4_strict(const char *s, size_t len)
{
	size_t i = 0;
	int part;

	for (part = 0; part < 4; part++) {
		size_t start = i;
		unsigned v = 0;

		while (i < len && isdigit((unsigned char)s[i]) && i - start < 3)
			v = v * 10 + (unsigned)(s[i++] - '0');
		if (i == start || v > 255 || (i - start > 1 && s[start] == '0'))
			return 0;
		if (part < 3) {
			if (i >= len || s[i] != '.')
				return 0;
			i++;
		}
	}
	return i == len;
}

/* [IPv4] or [IPv6:...], RFC 5321 4.1.3; appends the literal to out. */
static int
check_literal(struct td_buf *out, const char *d, size_t len, const char *shown,
	      struct td_error *err)
{
	unsigned char a6[16];
	char tmp[INET6_ADDRSTRLEN + 1];
	char text[64];

	if (len < 3 || d[len - 1] != ']')
		return td_error_set(err, TD_EINVAL,
				    "%s: RFC 5321 4.1.3: malformed address "
				    "literal",
				    shown);
	d++;
	len -= 2;
	if (len > 5 && !strncasecmp(d, "IPv6:", 5)) {
		if (len - 5 >= sizeof(text))
			goto bad;
		memcpy(text, d + 5, len - 5);
		text[len - 5] = '\0';
		if (inet_pton(AF_INET6, text, a6) != 1 ||
		    !inet_ntop(AF_INET6, a6, tmp, sizeof(tmp)))
			goto bad;
		td_buf_printf(out, "[IPv6:%s]", tmp);
		return 0;
	}
	if (memchr(d, ':', len))
		return td_error_set(err, TD_EINVAL,
				    "%s: refused: general address literal "
				    "(RFC 5321 4.1.3)",
				    shown);
	if (!ipv4_strict(d, len))
		goto bad;
	td_buf_addch(out, '[');
	td_buf_add(out, d, len);
	td_buf_addch(out, ']');
	return 0;
bad:
	return td_error_set(err, TD_EINVAL,
			    "%s: RFC 5321 4.1.3: malformed address literal",
			    shown);
}

/*
 * An ASCII host name: LDH labels of 1 to 63 octets, no leading or
 * trailing hyphen, at least two labels, the last not all digits.  With
 * idn_ok, labels may be xn-- A-labels (already checked by libidn2);
 * otherwise *has_xn is set when one is seen.  Appends it lowercased.
 */
static int
check_hostname(struct td_buf *out, int *has_xn, const char *d, size_t len,
	       const char *shown, struct td_error *err)
{
	char cb[32];
	size_t i, start = 0, labels = 0;
	int digits = 1;

	if (len > TD_ADDR_DOMAIN_MAX)
		return td_error_set(err, TD_EINVAL,
				    "%s: RFC 5321 4.5.3.1.2: domain longer "
				    "than %d octets",
				    shown, TD_ADDR_DOMAIN_MAX);
	for (i = 0; i <= len; i++) {
		unsigned char c = i < len ? (unsigned char)d[i] : '.';

		if (c == '.') {
			size_t l = i - start;

			if (l == 0)
				return td_error_set(
				    err, TD_EINVAL,
				    "%s: RFC 5321 4.1.2: %s in the domain",
				    shown,
				    i == len ? "trailing dot"
				    : i == 0 ? "leading dot"
					     : "empty label");
			if (l > 63)
				return td_error_set(err, TD_EINVAL,
						    "%s: RFC 1035 2.3.4: "
						    "label longer than 63 "
						    "octets",
						    shown);
			if (d[start] == '-' || d[i - 1] == '-')
				return td_error_set(err, TD_EINVAL,
						    "%s: RFC 5321 4.1.2: "
						    "label starts or ends "
						    "with a hyphen",
						    shown);
			if (l >= 4 && !strncasecmp(d + start, "xn--", 4) &&
			    has_xn)
				*has_xn = 1;
			labels++;
			if (i < len)
				digits = 1;
			start = i + 1;
			continue;
		}
		if (!is_ldh(c))
			return td_error_set(err, TD_EINVAL,
					    "%s: RFC 5321 4.1.2: %s in the "
					    "domain",
					    shown,
					    what_char(cb, sizeof(cb), c));
		if (!isdigit(c))
			digits = 0;
	}
	if (labels < 2)
		return td_error_set(err, TD_EINVAL,
				    "%s: RFC 5321 2.3.5: domain is not fully "
				    "qualified",
				    shown);
	if (digits)
		return td_error_set(err, TD_EINVAL,
				    "%s: RFC 3696 2: all-numeric top-level "
				    "domain",
				    shown);
	for (i = 0; i < len; i++)
		td_buf_addch(out, tolower((unsigned char)d[i]));
	return 0;
}

static size_t
dots(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += s[i] == '.';
	return n;
}

/* An internationalised domain: to A-labels through the url module. */
static int
check_idn(struct td_buf *out, const char *d, size_t len, const char *shown,
	  struct td_error *err)
{
	struct td_buf u = TD_BUF_INIT;
	struct td_url url;
	struct td_error uerr = {0};
	size_t i;
	int rc;

	/* only bytes a host name may hold: LDH, dots and UTF-8 */
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)d[i];

		if (c < 0x80 && c != '.' && !is_ldh(c)) {
			char cb[32];

			return td_error_set(err, TD_EINVAL,
					    "%s: RFC 5321 4.1.2: %s in the "
					    "domain",
					    shown,
					    what_char(cb, sizeof(cb), c));
		}
	}
	if (!len || d[0] == '.' || d[len - 1] == '.' || memmem(d, len, "..", 2))
		return td_error_set(err, TD_EINVAL,
				    "%s: RFC 5321 4.1.2: %s in the domain",
				    shown,
				    !len || d[0] == '.' ? "leading dot"
				    : d[len - 1] == '.' ? "trailing dot"
							: "empty label");
	if (memmem(d, len, "\xe3\x80\x82", 3) || /* U+3002 */
	    memmem(d, len, "\xef\xbc\x8e", 3) || /* U+FF0E */
	    memmem(d, len, "\xef\xbd\xa1", 3))	 /* U+FF61 */
		return td_error_set(err, TD_EINVAL,
				    "%s: refused: a label separator other "
				    "than '.' (UTS 46 2.3)",
				    shown);
	td_buf_adds(&u, "http://");
	td_buf_add(&u, d, len);
	td_buf_addch(&u, '/');
	if (td_buf_failed(&u))
		return td_error_set(err, TD_ENOMEM, "out of memory");
	rc = td_url_parse(&url, u.ptr, u.len, &uerr);
	td_buf_release(&u);
	if (rc == TD_ENOMEM)
		return td_error_set(err, TD_ENOMEM, "out of memory");
	if (rc)
		return td_error_set(err, TD_EINVAL,
				    "%s: RFC 5890: internationalised domain "
				    "does not convert to A-labels",
				    shown);
	/* only '.' separates labels: UTS 46 would also take U+3002,
	   U+FF0E and U+FF61, and drop a trailing one */
	if (url.is_ip || !url.host_ascii || url.port != -1 ||
	    dots(url.host_ascii, strlen(url.host_ascii)) != dots(d, len)) {
		td_url_release(&url);
		return td_error_set(err, TD_EINVAL,
				    "%s: RFC 5890: internationalised domain "
				    "does not convert to a host name",
				    shown);
	}
	rc = check_hostname(out, NULL, url.host_ascii, strlen(url.host_ascii),
			    shown, err);
	td_url_release(&url);
	return rc;
}

int
td_addr_check(char **out, const char *addr, size_t len, struct td_error *err)
{
	struct td_buf b = TD_BUF_INIT;
	struct shown sh;
	const char *shown, *d;
	size_t at = 0, dlen, i;
	int rc, has_xn = 0, ascii = 1;

	if (out)
		*out = NULL;
	if (!addr)
		return td_error_set(err, TD_EINVAL, "no address");
	shown = show(&sh, addr, len);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)addr[i];

		if (c == 0 || c == '\r' || c == '\n')
			return td_error_set(err, TD_EINVAL,
					    "%s: RFC 5321 4.1.2: %s in the "
					    "address",
					    shown,
					    c == 0	? "NUL"
					    : c == '\r' ? "CR"
							: "LF");
	}
	if (len > TD_ADDR_MAX)
		return td_error_set(err, TD_EINVAL,
				    "%s: RFC 5321 4.5.3.1.3: address longer "
				    "than %d octets",
				    shown, TD_ADDR_MAX);
	if ((rc = check_local(&at, addr, len, shown, err)))
		return rc;
	if (at > TD_ADDR_LOCAL_MAX)
		return td_error_set(err, TD_EINVAL,
				    "%s: RFC 5321 4.5.3.1.1: local part longer "
				    "than %d octets",
				    shown, TD_ADDR_LOCAL_MAX);
	d = addr + at + 1;
	dlen = len - at - 1;
	if (dlen == 0)
		return td_error_set(err, TD_EINVAL,
				    "%s: RFC 5321 4.1.2: empty domain", shown);
	if (memchr(d, '@', dlen))
		return td_error_set(err, TD_EINVAL,
				    "%s: RFC 5321 4.1.2: more than one '@'",
				    shown);
	td_buf_add(&b, addr, at + 1);
	if (d[0] == '[') {
		rc = check_literal(&b, d, dlen, shown, err);
	} else {
		for (i = 0; i < dlen; i++)
			if ((unsigned char)d[i] >= 0x80)
				ascii = 0;
		rc = ascii ? check_hostname(&b, &has_xn, d, dlen, shown, err)
			   : check_idn(&b, d, dlen, shown, err);
		if (!rc && has_xn) {
			/* xn-- labels must be valid A-labels: libidn2 */
			td_buf_truncate(&b, at + 1);
			rc = check_idn(&b, d, dlen, shown, err);
		}
	}
	if (!rc && b.len > TD_ADDR_MAX)
		rc = td_error_set(err, TD_EINVAL,
				  "%s: RFC 5321 4.5.3.1.3: address longer than "
				  "%d octets in A-labels",
				  shown, TD_ADDR_MAX);
	if (!rc && td_buf_failed(&b))
		rc = td_error_set(err, TD_ENOMEM, "out of memory");
	if (!rc && out) {
		*out = td_buf_detach(&b, NULL);
		if (!*out)
			rc = td_error_set(err, TD_ENOMEM, "out of memory");
	}
	td_buf_release(&b);
	return rc;
}

int
td_addr_cmp(const char *a, const char *b)
{
	const char *ea = strrchr(a, '@'), *eb = strrchr(b, '@');

	if (!ea || !eb)
		return strcmp(a, b);
	if (ea - a != eb - b || memcmp(a, b, (size_t)(ea - a)))
		return 1;
	return strcasecmp(ea, eb) ? 1 : 0;
}

/* address lists (header fields) */

void
td_addr_list_free(char **list, size_t nr)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < nr; i++)
		free(list[i]);
	free(list);
}

struct lex {
	const char *s;
	size_t len, i;
	const char *shown;
	struct td_error *err;
};

static void
skip_ws(struct lex *x)
{
	while (x->i < x->len) {
		char c = x->s[x->i];

		if (c == ' ' || c == '\t') {
			x->i++;
		} else if (c == '\r' && x->i + 2 < x->len &&
			   x->s[x->i + 1] == '\n' &&
			   (x->s[x->i + 2] == ' ' || x->s[x->i + 2] == '\t')) {
			x->i += 3; /* folding, RFC 5322 2.2.3 */
		} else if (c == '\n' && x->i + 1 < x->len &&
			   (x->s[x->i + 1] == ' ' || x->s[x->i + 1] == '\t')) {
			x->i += 2;
		} else {
			break;
		}
	}
}

/*
 * A display name: words (atoms with '.', as obs-phrase allows, and
 * encoded-words, which are atoms; quoted strings).  Returns the number of
 * words read, or -1 (err set) at a malformed quoted string.
 */
static int
phrase(struct lex *x)
{
	int words = 0;

	for (;;) {
		size_t start;

		skip_ws(x);
		start = x->i;
		if (x->i < x->len && x->s[x->i] == '"') {
			for (x->i++; x->i < x->len && x->s[x->i] != '"';
			     x->i++) {
				unsigned char c = (unsigned char)x->s[x->i];

				if (c == '\\' && x->i + 1 < x->len)
					c = (unsigned char)x->s[++x->i];
				if (c == 0 || c == '\r' || c == '\n' ||
				    c >= 0x80) {
					td_error_set(x->err, TD_EINVAL,
						     "%s: RFC 5322 3.2.4: "
						     "control or non-ASCII "
						     "byte in a quoted "
						     "display name",
						     x->shown);
					return -1;
				}
			}
			if (x->i >= x->len) {
				td_error_set(x->err, TD_EINVAL,
					     "%s: RFC 5322 3.2.4: "
					     "unterminated quoted string",
					     x->shown);
				return -1;
			}
			x->i++;
			words++;
			continue;
		}
		while (x->i < x->len && (is_atext((unsigned char)x->s[x->i]) ||
					 x->s[x->i] == '.'))
			x->i++;
		if (x->i == start)
			return words;
		words++;
	}
}

int
td_addr_list_parse(char ***out, size_t *nr_out, const char *value, size_t len,
		   struct td_error *err)
{
	struct shown sh;
	struct lex x;
	char **list = NULL, *a;
	size_t nr = 0, alloc = 0, start, end;
	int rc = 0;

	*out = NULL;
	*nr_out = 0;
	x.s = value;
	x.len = len;
	x.i = 0;
	x.shown = show(&sh, value, len);
	x.err = err;
	for (;;) {
		size_t save;
		int words;

		skip_ws(&x);
		if (x.i >= len) {
			rc = td_error_set(err, TD_EINVAL,
					  nr ? "%s: RFC 5322 3.4: empty list "
					       "element"
					     : "%s: RFC 5322 3.4: no address",
					  x.shown);
			goto out;
		}
		save = x.i;
		words = phrase(&x);
		if (words < 0) {
			rc = TD_EINVAL;
			goto out;
		}
		skip_ws(&x);
		if (x.i < len && x.s[x.i] == '<') {
			/* name-addr: [display-name] "<" addr-spec ">" */
			const char *gt;

			start = ++x.i;
			gt = memchr(x.s + start, '>', len - start);
			if (!gt) {
				rc = td_error_set(err, TD_EINVAL,
						  "%s: RFC 5322 3.4: no '>'",
						  x.shown);
				goto out;
			}
			end = (size_t)(gt - x.s);
			x.i = end + 1;
		} else {
			/* a bare addr-spec, up to the next comma */
			const char *comma;

			x.i = start = save;
			comma = memchr(x.s + start, ',', len - start);
			end = comma ? (size_t)(comma - x.s) : len;
			x.i = end;
			while (end > start &&
			       (x.s[end - 1] == ' ' || x.s[end - 1] == '\t' ||
				x.s[end - 1] == '\r' || x.s[end - 1] == '\n'))
				end--;
			if (end == start) {
				rc = td_error_set(err, TD_EINVAL,
						  "%s: RFC 5322 3.4: empty "
						  "list element",
						  x.shown);
				goto out;
			}
		}
		if ((rc = td_addr_check(&a, x.s + start, end - start, err)))
			goto out;
		if (TD_ARRAY_GROW(list, nr + 1, alloc)) {
			free(a);
			rc = td_error_set(err, TD_ENOMEM, "out of memory");
			goto out;
		}
		list[nr++] = a;
		skip_ws(&x);
		if (x.i >= len)
			break;
		if (x.s[x.i] != ',') {
			char cb[32];

			rc = td_error_set(
			    err, TD_EINVAL,
			    "%s: RFC 5322 3.4: %s after an "
			    "address (comments and groups are "
			    "refused)",
			    x.shown,
			    what_char(cb, sizeof(cb), (unsigned char)x.s[x.i]));
			goto out;
		}
		x.i++;
	}
out:
	if (rc) {
		td_addr_list_free(list, nr);
		return rc;
	}
	*out = list;
	*nr_out = nr;
	return 0;
}
