/*
 * Indicators other than URLs in plain text: e-mail addresses, IPv4 and
 * IPv6 literals and phone numbers.  See docs/internals/ioc.md for what is
 * matched and, as importantly, what is deliberately not.
 *
 * The scanner is a single left-to-right pass.  At each position it tries
 * the detectors in a fixed order (e-mail, IPv6, IPv4, phone); each one
 * starts only at a "token start" (a position whose previous byte could not
 * continue the same kind of token) and looks at a bounded number of bytes,
 * except the IPv6 run, which is maximal and therefore never rescanned.  A
 * hit moves the cursor past its end.  So the work is linear in the input,
 * and nothing is allocated: the normalised value lives in a fixed buffer.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ioc.h"
#include "banned.h"

#define LOCAL_MAX 64   /* RFC 5321 4.5.3.1.1 */
#define DOMAIN_MAX 253 /* RFC 1035 2.3.4, less the root dot */
#define LABEL_MAX 63
#define V6_TEXT_MAX 45 /* INET6_ADDRSTRLEN - 1 */
#define PHONE_MIN 7
#define PHONE_MAX 15 /* ITU-T E.164 */
#define MARKER_SPACES 3

struct scan {
	const unsigned char *s;
	size_t len;
	td_ioc_hit_fn fn;
	void *payload;
	char val[LOCAL_MAX + 1 + DOMAIN_MAX + 16];
	size_t vlen;
};

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_alnum(int c)
{
	return is_digit(c) || is_alpha(c);
}

static int
is_hex(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int
to_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/*
 * Local-part characters.  RFC 5321 4.1.2 allows all of atext, but in
 * running text the other atext symbols (' { } | / = ? ` ! # $ & * ^ ~)
 * are far more often delimiters around an address (quotes, braces,
 * "email=" in query strings, paths) than part of it, so only the set
 * that mail providers actually hand out is accepted.
 */
static int
is_local(int c)
{
	return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' ||
	       c == '-';
}

static int
is_label(int c)
{
	return is_alnum(c) || c == '-';
}

static int
ci_eq(const unsigned char *p, const char *lit, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (to_lower(p[i]) != lit[i])
			return 0;
	return 1;
}

static int
opener(int c)
{
	return c == '[' || c == '(' || c == '{';
}

static int
closer_of(int c)
{
	return c == '[' ? ']' : c == '(' ? ')' : '}';
}

static size_t
skip_spaces(const struct scan *sc, size_t i, size_t max)
{
	size_t n = 0;

	while (i + n < sc->len && n < max && sc->s[i + n] == ' ')
		n++;
	return n;
}

/*
 * A defanged marker in brackets at i: one of "[x]", "(x)" or "{x}" where x
 * is one of the words in alts (case-insensitive), with up to two spaces
 * inside the brackets when inner_space is set.  Returns its length or 0.
 */
static size_t
bracket_marker(const struct scan *sc, size_t i, const char *const *alts,
	       int inner_space)
{
	size_t j, k;
	int close;

	if (i >= sc->len || !opener(sc->s[i]))
		return 0;
	close = closer_of(sc->s[i]);
	j = i + 1;
	if (inner_space)
		j += skip_spaces(sc, j, 2);
	for (k = 0; alts[k]; k++) {
		size_t n = strlen(alts[k]), e;

		if (j + n > sc->len || !ci_eq(sc->s + j, alts[k], n))
			continue;
		e = j + n;
		if (inner_space)
			e += skip_spaces(sc, e, 2);
		if (e < sc->len && sc->s[e] == close)
			return e + 1 - i;
	}
	return 0;
}

/*
 * A dot or a defanged dot at i: ".", "\.", "[.]", "(.)", "{.}", "[dot]",
 * "(dot)", "{dot}", and the half-bracketed "[." ".]" "(." ".)".  With
 * spaced set (e-mail domains only), a full bracketed marker may have up
 * to three spaces on either side ("example [.] com").  Returns the length
 * and sets *defanged when the marker is not a plain dot; 0 when there is
 * no separator.  The caller checks what follows.
 */
static size_t
dot_sep(const struct scan *sc, size_t i, int spaced, int *defanged)
{
	static const char *const dots[] = {".", "dot", NULL};
	size_t n, pre = 0;

	if (i >= sc->len)
		return 0;
	if (sc->s[i] == '.') {
		if (i + 1 < sc->len &&
		    (sc->s[i + 1] == ']' || sc->s[i + 1] == ')')) {
			*defanged = 1;
			return 2;
		}
		return 1;
	}
	if (sc->s[i] == '\\' && i + 1 < sc->len && sc->s[i + 1] == '.') {
		*defanged = 1;
		return 2;
	}
	if (spaced)
		pre = skip_spaces(sc, i, MARKER_SPACES);
	n = bracket_marker(sc, i + pre, dots, 0);
	if (n) {
		*defanged = 1;
		n += pre;
		if (spaced)
			n += skip_spaces(sc, i + n, MARKER_SPACES);
		return n;
	}
	if ((sc->s[i] == '[' || sc->s[i] == '(') && i + 1 < sc->len &&
	    sc->s[i + 1] == '.') {
		*defanged = 1;
		return 2;
	}
	return 0;
}

/*
 * The '@' of an address at i: a bare "@" directly after the local part,
 * or a bracketed "[@]" "(@)" "{@}" "[at]" "(at)" "{at}" (up to two spaces
 * inside, up to three around).  A bare '@' with spaces around it and the
 * bare word "at" are not accepted: in prose they are mostly not addresses.
 */
static size_t
at_sep(const struct scan *sc, size_t i, int *defanged)
{
	static const char *const ats[] = {"@", "at", NULL};
	size_t pre, n;

	if (i < sc->len && sc->s[i] == '@')
		return 1;
	pre = skip_spaces(sc, i, MARKER_SPACES);
	n = bracket_marker(sc, i + pre, ats, 1);
	if (!n)
		return 0;
	*defanged = 1;
	n += pre;
	return n + skip_spaces(sc, i + n, MARKER_SPACES);
}

static void
val_reset(struct scan *sc)
{
	sc->vlen = 0;
	sc->val[0] = '\0';
}

static int
val_addc(struct scan *sc, int c)
{
	if (sc->vlen + 1 >= sizeof(sc->val))
		return -1;
	sc->val[sc->vlen++] = (char)c;
	sc->val[sc->vlen] = '\0';
	return 0;
}

static int
emit(struct scan *sc, enum td_ioc_kind kind, size_t start, size_t end,
     int defanged)
{
	struct td_ioc_hit hit;

	hit.kind = kind;
	hit.raw = (const char *)sc->s + start;
	hit.raw_len = end - start;
	hit.value = sc->val;
	hit.value_len = sc->vlen;
	hit.defanged = defanged ? 1 : 0;
	return sc->fn(&hit, sc->payload);
}

/*
 * Names that look like a TLD but are file extensions seen next to '@' in
 * mail ("logo@2x.png" in HTML, "image001.png@01D9..." Content-IDs).  None
 * of them is a delegated TLD (checked against the IANA root zone list).
 */
static const char *const not_tlds[] = {
    "png",  "jpg", "jpeg", "gif",  "bmp", "webp", "svg", "ico",	 "tif",
    "tiff", "css", "js",   "json", "htm", "html", "php", "asp",	 "aspx",
    "jsp",  "txt", "xml",  "pdf",  "doc", "docx", "xls", "xlsx", "ppt",
    "pptx", "rar", "exe",  "dll",  "msi", "eml",  "msg", NULL};

/*
 * A plausible top-level label: 2 to 63 letters, or an IDNA A-label
 * ("xn--" and letters, digits, hyphens), and not a file extension.  There
 * is no TLD list here (libpsl belongs to the url module); the url module
 * can check the registrable domain of what is found.
 */
static int
plausible_tld(const char *t, size_t n)
{
	size_t i;

	if (n < 2 || n > LABEL_MAX)
		return 0;
	if (n > 4 && !memcmp(t, "xn--", 4)) {
		for (i = 4; i < n; i++)
			if (!is_label((unsigned char)t[i]))
				return 0;
		return 1;
	}
	for (i = 0; i < n; i++)
		if (!is_alpha((unsigned char)t[i]))
			return 0;
	for (i = 0; not_tlds[i]; i++)
		if (strlen(not_tlds[i]) == n && !memcmp(not_tlds[i], t, n))
			return 0;
	return 1;
}

/*
 * Try an e-mail address whose local part starts at the word starting at
 * p.  On a match, fill sc->val and return the end offset; else return 0.
 */
static size_t
try_email(struct scan *sc, size_t *start, int *defanged)
{
	size_t p = *start, i, lend, at, pos, end = 0, labels = 0, tld_at = 0;
	size_t commit_vlen = 0, commit_labels = 0, commit_tld = 0;
	int def = 0, d2;

	/* leading dots of the word are punctuation, not the local part */
	for (i = 0; p < sc->len && sc->s[p] == '.'; p++)
		if (++i > LOCAL_MAX)
			return 0;
	*start = p;
	for (i = p; i < sc->len && i - p <= LOCAL_MAX && is_local(sc->s[i]);
	     i++)
		;
	lend = i;
	if (lend == p || lend - p > LOCAL_MAX || sc->s[lend - 1] == '.')
		return 0;
	for (i = p; i + 1 < lend; i++)
		if (sc->s[i] == '.' && sc->s[i + 1] == '.')
			return 0; /* RFC 5322 3.2.3 dot-atom */
	at = at_sep(sc, lend, &def);
	if (!at)
		return 0;
	val_reset(sc);
	for (i = p; i < lend; i++)
		val_addc(sc, sc->s[i]);
	val_addc(sc, '@');
	pos = lend + at;
	for (;;) {
		size_t ls = pos, n;

		while (pos < sc->len && is_label(sc->s[pos]) &&
		       pos - ls <= LABEL_MAX)
			pos++;
		n = pos - ls;
		if (!n || n > LABEL_MAX || sc->s[ls] == '-' ||
		    sc->s[pos - 1] == '-' ||
		    (pos < sc->len && is_label(sc->s[pos])))
			break;
		if (sc->vlen - (lend - p + 1) + n > DOMAIN_MAX)
			return 0;
		tld_at = sc->vlen;
		for (i = ls; i < pos; i++)
			val_addc(sc, to_lower(sc->s[i]));
		labels++;
		end = pos;
		commit_vlen = sc->vlen;
		commit_labels = labels;
		commit_tld = tld_at;
		*defanged = def;
		d2 = 0;
		n = dot_sep(sc, pos, 1, &d2);
		if (!n || pos + n >= sc->len || !is_alnum(sc->s[pos + n]))
			break;
		def |= d2;
		val_addc(sc, '.');
		pos += n;
	}
	if (commit_labels < 2)
		return 0;
	sc->vlen = commit_vlen;
	sc->val[sc->vlen] = '\0';
	if (!plausible_tld(sc->val + commit_tld, commit_vlen - commit_tld))
		return 0;
	return end;
}

/* One decimal octet at i: 1-3 digits, <= 255, no leading zero. */
static size_t
octet(const struct scan *sc, size_t i, unsigned *out)
{
	size_t n = 0;
	unsigned v = 0;

	while (i + n < sc->len && is_digit(sc->s[i + n]) && n < 4)
		v = v * 10 + (unsigned)(sc->s[i + n++] - '0');
	if (n == 0 || n > 3 || v > 255)
		return 0;
	/* "010" is octal to inet_aton() and decimal to people: ambiguous */
	if (n > 1 && sc->s[i] == '0')
		return 0;
	*out = v;
	return n;
}

static size_t
try_ipv4(struct scan *sc, size_t p, int *defanged)
{
	size_t pos = p, n;
	unsigned o[4];
	int k, def = 0, d2 = 0;

	for (k = 0; k < 4; k++) {
		if (k) {
			n = dot_sep(sc, pos, 0, &def);
			if (!n)
				return 0;
			pos += n;
		}
		n = octet(sc, pos, &o[k]);
		if (!n)
			return 0;
		pos += n;
	}
	/* part of a longer dotted number ("1.2.3.4.5")? */
	n = dot_sep(sc, pos, 0, &d2);
	if (n && pos + n < sc->len && is_digit(sc->s[pos + n]))
		return 0;
	val_reset(sc);
	n = (size_t)snprintf(sc->val, sizeof(sc->val), "%u.%u.%u.%u", o[0],
			     o[1], o[2], o[3]);
	sc->vlen = n;
	*defanged = def;
	return pos;
}

static size_t
try_ipv6(struct scan *sc, size_t p, size_t *run_end)
{
	char buf[V6_TEXT_MAX + 1];
	unsigned char addr[16];
	size_t j = p, end, colons = 0, i, groups = 0;
	int digit = 0, in_group = 0;

	while (j < sc->len &&
	       (is_hex(sc->s[j]) || sc->s[j] == ':' || sc->s[j] == '.')) {
		if (sc->s[j] == ':')
			colons++;
		j++;
	}
	*run_end = j;
	if (colons < 2)
		return 0;
	end = j;
	if (sc->s[end - 1] == '.')
		end--;
	else if (sc->s[end - 1] == ':' && end - p >= 2 && sc->s[end - 2] != ':')
		end--;
	/* glued to a word ("2001:db8::1g", "x2001:...")? */
	if (j < sc->len && (is_alnum(sc->s[j]) || sc->s[j] == '_'))
		return 0;
	if (end - p > V6_TEXT_MAX || end - p < 2)
		return 0;
	for (i = p; i < end; i++) {
		int c = sc->s[i];

		if (is_digit(c))
			digit = 1;
		if (is_hex(c) || c == '.') {
			if (!in_group)
				groups++;
			in_group = 1;
		} else {
			in_group = 0;
		}
		buf[i - p] = (char)c;
	}
	buf[end - p] = '\0';
	/*
	 * "::", "::1" and words like "dead::beef" are valid literals but not
	 * indicators: ask for two groups and at least one decimal digit.
	 */
	if (groups < 2 || !digit)
		return 0;
	if (inet_pton(AF_INET6, buf, addr) != 1)
		return 0;
	if (!inet_ntop(AF_INET6, addr, sc->val, sizeof(sc->val)))
		return 0;
	sc->vlen = strlen(sc->val);
	return end;
}

static int
phone_sep(int c)
{
	return c == ' ' || c == '-' || c == '.';
}

/* Digits of a run at i into val (at most max total); returns run length */
static size_t
digit_run(struct scan *sc, size_t i, size_t *ndigits, size_t max)
{
	size_t n = 0;

	while (i + n < sc->len && is_digit(sc->s[i + n])) {
		if (++*ndigits > max)
			return 0;
		val_addc(sc, sc->s[i + n]);
		n++;
	}
	return n;
}

/* Does the number end cleanly at pos (not glued to more of a number)? */
static int
number_ends(const struct scan *sc, size_t pos)
{
	if (pos >= sc->len)
		return 1;
	if (is_alnum(sc->s[pos]) || sc->s[pos] == '_')
		return 0;
	if ((phone_sep(sc->s[pos]) || sc->s[pos] == '/') && pos + 1 < sc->len &&
	    is_digit(sc->s[pos + 1]))
		return 0;
	return 1;
}

/*
 * International form: '+', a country code digit 1-9, then digit groups
 * separated by single spaces, hyphens or dots, or parenthesised groups
 * ("+1 (555) 123-4567"); "(0)" after the country code is the national
 * trunk prefix and is dropped ("+44 (0)20 7946 0958").
 */
static size_t
phone_intl(struct scan *sc, size_t p)
{
	size_t pos = p + 1, nd = 0, n, groups = 0;

	if (pos >= sc->len || !is_digit(sc->s[pos]) || sc->s[pos] == '0')
		return 0;
	val_reset(sc);
	val_addc(sc, '+');
	for (;;) {
		int paren = 0;

		if (pos < sc->len && sc->s[pos] == '(') {
			paren = 1;
			size_t q = pos + 1, k = 0;

			while (q < sc->len && is_digit(sc->s[q]) && k < 6)
				q++, k++;
			if (!k || k > 5 || q >= sc->len || sc->s[q] != ')')
				return 0;
			if (!(groups == 1 && k == 1 && sc->s[pos + 1] == '0'))
				if (!digit_run(sc, pos + 1, &nd, PHONE_MAX))
					return 0;
			pos = q + 1;
		} else {
			n = digit_run(sc, pos, &nd, PHONE_MAX);
			if (!n)
				return 0;
			pos += n;
		}
		groups++;
		if (pos + 1 < sc->len && phone_sep(sc->s[pos]) &&
		    (is_digit(sc->s[pos + 1]) || sc->s[pos + 1] == '('))
			pos++;
		else if (pos < sc->len && sc->s[pos] == '(')
			; /* "+1(555)..." */
		else if (!(paren && pos < sc->len && is_digit(sc->s[pos])))
			break; /* else "(0)20", "(495)123" */
	}
	if (nd < PHONE_MIN || !number_ends(sc, pos))
		return 0;
	return pos;
}

/* Three digits at i, the first 2-9 (NANP area code and exchange). */
static int
nxx(const struct scan *sc, size_t i)
{
	return i + 3 <= sc->len && sc->s[i] >= '2' && sc->s[i] <= '9' &&
	       is_digit(sc->s[i + 1]) && is_digit(sc->s[i + 2]);
}

/*
 * North American Numbering Plan: [1 sep] (NXX) NXX-XXXX, or NXX s NXX s
 * XXXX with one separator s from "-. " used twice.
 */
static size_t
phone_nanp(struct scan *sc, size_t p)
{
	size_t pos = p;
	int s1;

	val_reset(sc);
	if (sc->s[pos] == '1' && pos + 2 < sc->len &&
	    phone_sep(sc->s[pos + 1]) &&
	    (sc->s[pos + 2] == '(' || is_digit(sc->s[pos + 2]))) {
		val_addc(sc, '1');
		pos += 2;
	}
	if (pos < sc->len && sc->s[pos] == '(') {
		if (!nxx(sc, pos + 1) || pos + 4 >= sc->len ||
		    sc->s[pos + 4] != ')')
			return 0;
		val_addc(sc, sc->s[pos + 1]);
		val_addc(sc, sc->s[pos + 2]);
		val_addc(sc, sc->s[pos + 3]);
		pos += 5;
		if (pos < sc->len && (sc->s[pos] == ' ' || sc->s[pos] == '-'))
			pos++;
		if (!nxx(sc, pos) || pos + 3 >= sc->len)
			return 0;
		s1 = sc->s[pos + 3];
		if (!phone_sep(s1))
			return 0;
	} else {
		if (!nxx(sc, pos) || pos + 3 >= sc->len)
			return 0;
		s1 = sc->s[pos + 3];
		if (!phone_sep(s1))
			return 0;
		val_addc(sc, sc->s[pos]);
		val_addc(sc, sc->s[pos + 1]);
		val_addc(sc, sc->s[pos + 2]);
		pos += 4;
		if (!nxx(sc, pos) || pos + 3 >= sc->len || sc->s[pos + 3] != s1)
			return 0;
	}
	val_addc(sc, sc->s[pos]);
	val_addc(sc, sc->s[pos + 1]);
	val_addc(sc, sc->s[pos + 2]);
	pos += 4;
	if (pos + 4 > sc->len)
		return 0;
	for (s1 = 0; s1 < 4; s1++) {
		if (!is_digit(sc->s[pos + (size_t)s1]))
			return 0;
		val_addc(sc, sc->s[pos + (size_t)s1]);
	}
	pos += 4;
	if (!number_ends(sc, pos))
		return 0;
	return pos;
}

/*
 * National number with a trunk prefix: "0" and a digit 1-9 opening a
 * first group of 2-5 digits (optionally in parentheses), then groups of
 * 2-8 digits, all separated by the same one of space, '-' or '.'; 9-12
 * digits in all.  "0800 123 4567", "020 7946 0958", "06 12 34 56 78".
 */
static size_t
phone_trunk(struct scan *sc, size_t p)
{
	size_t pos = p, nd = 0, n, groups = 0, max_group = 0;
	int paren = 0, sep = 0;

	val_reset(sc);
	if (sc->s[pos] == '(') {
		paren = 1;
		pos++;
	}
	if (pos + 1 >= sc->len || sc->s[pos] != '0' || sc->s[pos + 1] < '1' ||
	    sc->s[pos + 1] > '9')
		return 0;
	n = digit_run(sc, pos, &nd, 12);
	if (n < 2 || n > 5)
		return 0;
	pos += n;
	groups = 1;
	max_group = n;
	if (paren) {
		if (pos + 1 >= sc->len || sc->s[pos] != ')' ||
		    sc->s[pos + 1] != ' ')
			return 0;
		pos += 2;
		sep = ' ';
		n = digit_run(sc, pos, &nd, 12);
		if (n < 2 || n > 8)
			return 0;
		pos += n;
		groups++;
		if (n > max_group)
			max_group = n;
	}
	while (pos + 1 < sc->len && phone_sep(sc->s[pos]) &&
	       is_digit(sc->s[pos + 1]) && (!sep || sc->s[pos] == sep)) {
		sep = sc->s[pos];
		n = digit_run(sc, pos + 1, &nd, 12);
		if (n < 2 || n > 8)
			return 0;
		pos += 1 + n;
		groups++;
		if (n > max_group)
			max_group = n;
	}
	if (groups < 2 || nd < 9 || !number_ends(sc, pos))
		return 0;
	/* a dotted quad with a leading zero is no phone number */
	if (sep == '.' && groups == 4 && max_group <= 3)
		return 0;
	return pos;
}

/* May a number start at i, given the byte before it? */
static int
number_start(const struct scan *sc, size_t i)
{
	int c;

	if (i == 0)
		return 1;
	c = sc->s[i - 1];
	return !is_alnum(c) && !(c && strchr("+-./_,$", c));
}

static size_t
try_phone(struct scan *sc, size_t p)
{
	size_t e;

	if (!number_start(sc, p))
		return 0;
	if (sc->s[p] == '+')
		return phone_intl(sc, p);
	if (sc->s[p] != '(' && !is_digit(sc->s[p]))
		return 0;
	e = phone_nanp(sc, p);
	if (!e)
		e = phone_trunk(sc, p);
	return e;
}

static int
email_start(const struct scan *sc, size_t i)
{
	return is_local(sc->s[i]) && (i == 0 || !is_local(sc->s[i - 1]));
}

static int
ipv6_start(const struct scan *sc, size_t i)
{
	int c;

	if (!is_hex(sc->s[i]) && sc->s[i] != ':')
		return 0;
	if (i == 0)
		return 1;
	/* "[IPv6:2001:db8::1]" as in address literals (RFC 5321 4.1.3) */
	if (i >= 5 && ci_eq(sc->s + i - 5, "ipv6:", 5) &&
	    (i == 5 || !is_alnum(sc->s[i - 6])))
		return 1;
	c = sc->s[i - 1];
	return !is_alnum(c) && c != ':' && c != '.' && c != '_';
}

static int
ipv4_start(const struct scan *sc, size_t i)
{
	if (!is_digit(sc->s[i]))
		return 0;
	if (i == 0)
		return 1;
	if (is_digit(sc->s[i - 1]))
		return 0;
	/* "1.2.3.4.5": not the inner "2.3.4.5" */
	if (sc->s[i - 1] == '.' && i >= 2 && is_digit(sc->s[i - 2]))
		return 0;
	/* product tokens ("Chrome/120.0.0.0") are versions, not addresses */
	if (sc->s[i - 1] == '/' && i >= 2 && is_alpha(sc->s[i - 2]))
		return 0;
	return 1;
}

int
td_ioc_scan(const char *text, size_t len, td_ioc_hit_fn fn, void *payload)
{
	struct scan sc;
	size_t i = 0, e, v6_done = 0;
	int ret, def;

	sc.s = (const unsigned char *)text;
	sc.len = len;
	sc.fn = fn;
	sc.payload = payload;
	val_reset(&sc);
	while (i < len) {
		def = 0;
		if (email_start(&sc, i)) {
			size_t st = i;

			e = try_email(&sc, &st, &def);
			if (e) {
				ret = emit(&sc, TD_IOC_EMAIL, st, e, def);
				goto hit;
			}
		}
		if (i >= v6_done && ipv6_start(&sc, i)) {
			size_t run_end;

			e = try_ipv6(&sc, i, &run_end);
			v6_done = run_end;
			if (e) {
				ret = emit(&sc, TD_IOC_IPV6, i, e, 0);
				goto hit;
			}
		}
		if (ipv4_start(&sc, i) && (e = try_ipv4(&sc, i, &def))) {
			ret = emit(&sc, TD_IOC_IPV4, i, e, def);
			goto hit;
		}
		if ((sc.s[i] == '+' || sc.s[i] == '(' || is_digit(sc.s[i])) &&
		    (e = try_phone(&sc, i))) {
			ret = emit(&sc, TD_IOC_PHONE, i, e, 0);
			goto hit;
		}
		i++;
		continue;
	hit:
		if (ret)
			return ret;
		i = e;
	}
	return 0;
}

const char *
td_ioc_kind_name(enum td_ioc_kind kind)
{
	switch (kind) {
	case TD_IOC_EMAIL:
		return "email";
	case TD_IOC_IPV4:
		return "ipv4";
	case TD_IOC_IPV6:
		return "ipv6";
	case TD_IOC_PHONE:
		return "phone";
	}
	return "unknown";
}

/*
 * IPv4 special-purpose blocks that are not globally reachable (RFC 6890
 * and the IANA IPv4 Special-Purpose Address Registry), plus multicast
 * (RFC 5771) and the future-use block, whose reachability is not
 * "unicast on the internet".
 */
static int
v4_public(uint32_t a)
{
	static const struct {
		uint32_t net;
		unsigned len;
	} nets[] = {
	    {0x00000000, 8},  /* 0/8 "this network", RFC 791 */
	    {0x0a000000, 8},  /* 10/8 private, RFC 1918 */
	    {0x64400000, 10}, /* 100.64/10 shared (CGNAT), RFC 6598 */
	    {0x7f000000, 8},  /* 127/8 loopback, RFC 1122 */
	    {0xa9fe0000, 16}, /* 169.254/16 link-local, RFC 3927 */
	    {0xac100000, 12}, /* 172.16/12 private, RFC 1918 */
	    {0xc0000000, 24}, /* 192.0.0/24 IETF protocol, RFC 6890 */
	    {0xc0000200, 24}, /* 192.0.2/24 TEST-NET-1, RFC 5737 */
	    {0xc0586300, 24}, /* 192.88.99/24 6to4 relay, RFC 7526 */
	    {0xc0a80000, 16}, /* 192.168/16 private, RFC 1918 */
	    {0xc6120000, 15}, /* 198.18/15 benchmarking, RFC 2544 */
	    {0xc6336400, 24}, /* 198.51.100/24 TEST-NET-2, RFC 5737 */
	    {0xcb007100, 24}, /* 203.0.113/24 TEST-NET-3, RFC 5737 */
	    {0xe0000000, 4},  /* 224/4 multicast, RFC 5771 */
	    {0xf0000000, 4},  /* 240/4 reserved + broadcast, RFC 1112 */
	};
	size_t i;

	for (i = 0; i < sizeof(nets) / sizeof(nets[0]); i++) {
		uint32_t mask = 0xffffffffu << (32 - nets[i].len);

		if ((a & mask) == nets[i].net)
			return 0;
	}
	return 1;
}

static uint32_t
v4_at(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/*
 * IPv6: only 2000::/3 is global unicast (IANA IPv6 Address Space); inside
 * it the special-purpose registry's non-global blocks are excluded.  Forms
 * that embed an IPv4 address are judged by that address.
 */
static int
v6_public(const unsigned char *a)
{
	static const unsigned char zero[12];
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0,	   0,
						 0, 0, 0, 0, 0xff, 0xff};
	static const unsigned char nat64[12] = {0, 0x64, 0xff, 0x9b};

	/* ::ffff:0:0/96 IPv4-mapped (RFC 4291 2.5.5.2) */
	if (!memcmp(a, mapped, 12))
		return v4_public(v4_at(a + 12));
	/* 64:ff9b::/96 NAT64 well-known prefix (RFC 6052) */
	if (!memcmp(a, nat64, 12))
		return v4_public(v4_at(a + 12));
	/* ::/128, ::1/128 and deprecated IPv4-compatible ::/96 */
	if (!memcmp(a, zero, 12))
		return 0;
	/* everything outside 2000::/3: ULA fc00::/7, link-local fe80::/10,
	   multicast ff00::/8, 64:ff9b:1::/48, discard 100::/64, ... */
	if ((a[0] & 0xe0) != 0x20)
		return 0;
	/* 2001::/23 IETF protocol assignments (Teredo, ORCHID, ...) */
	if (a[0] == 0x20 && a[1] == 0x01 && a[2] < 0x02)
		return 0;
	/* 2001:db8::/32 documentation (RFC 3849) */
	if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8)
		return 0;
	/* 3fff::/20 documentation (RFC 9637) */
	if (a[0] == 0x3f && a[1] == 0xff && a[2] < 0x10)
		return 0;
	/* 2002::/16 6to4 (RFC 3056): judged by the embedded address */
	if (a[0] == 0x20 && a[1] == 0x02)
		return v4_public(v4_at(a + 2));
	return 1;
}

int
td_ip_is_public(const char *s)
{
	unsigned char a[16];

	if (!s)
		return -1;
	if (inet_pton(AF_INET, s, a) == 1)
		return v4_public(v4_at(a));
	if (inet_pton(AF_INET6, s, a) == 1)
		return v6_public(a);
	return -1;
}
