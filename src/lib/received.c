/*
 * Received: header chains and the relay to report.
 *
 * A Received value is read as RFC 5321 4.4 describes it ("from" domain,
 * "by" domain, optional "via", "with", "id", "for" clauses, then ";" and a
 * date), but real MTAs put what matters inside comments, each in its own
 * way.  docs/internals/received.md lists the shapes recognised here, the
 * corpus lines they come from, and the trust-boundary rules.
 *
 * Everything is one pass over a private copy of the value: no token arrays,
 * no backtracking, so a hostile 50 MB header costs one copy and linear
 * time.  Field strings are malloc'ed and owned by the hop.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "received.h"
#include "ioc.h"
#include "banned.h"

#define WITH_MAX 100	 /* longest multi-word "with" phrase kept */
#define DNS_NAME_MAX 253 /* RFC 1035 2.3.4, less the root dot */
#define AUTH_WORD_MAX 64

struct span {
	const char *p;
	size_t n;
};

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

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
to_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static int
span_ci_eq(struct span s, const char *lit)
{
	size_t i, n = strlen(lit);

	if (s.n != n)
		return 0;
	for (i = 0; i < n; i++)
		if (to_lower((unsigned char)s.p[i]) != lit[i])
			return 0;
	return 1;
}

static int
span_ci_prefix(struct span s, const char *lit)
{
	size_t i, n = strlen(lit);

	if (s.n < n)
		return 0;
	for (i = 0; i < n; i++)
		if (to_lower((unsigned char)s.p[i]) != lit[i])
			return 0;
	return 1;
}

static struct span
span_trim(struct span s)
{
	while (s.n && is_space((unsigned char)s.p[0]))
		s.p++, s.n--;
	while (s.n && is_space((unsigned char)s.p[s.n - 1]))
		s.n--;
	return s;
}

/* malloc'ed copy of s into *out (NULL stays NULL).  0 or TD_ENOMEM. */
static int
span_dup(char **out, struct span s)
{
	if (!s.p)
		return 0;
	*out = td_strndup(s.p, s.n);
	return *out ? 0 : TD_ENOMEM;
}

/*
 * An IP literal as MTAs record it: "1.2.3.4", "[1.2.3.4]", "[1.2.3.4]:25",
 * "1.2.3.4:25" (ecelerity), "[IPv6:2001:db8::1]" (RFC 5321 4.1.3),
 * "2603:10b6::31", "[fe80::1%4]" (Exchange zone index).  Fills family and
 * addr; IPv4-mapped IPv6 (::ffff:a.b.c.d) is turned into IPv4.  Returns 1
 * or 0.
 */
static int
ip_literal(struct span s, int *family, unsigned char addr[16])
{
	char buf[64];
	const char *close, *pct, *colon;
	size_t i;

	if (s.n && s.p[0] == '[') {
		close = memchr(s.p, ']', s.n);
		if (!close)
			return 0;
		for (i = (size_t)(close - s.p) + 1; i < s.n; i++)
			if (!(i == (size_t)(close - s.p) + 1 &&
			      s.p[i] == ':') &&
			    !is_digit((unsigned char)s.p[i]))
				return 0;
		s.n = (size_t)(close - s.p) - 1;
		s.p++;
	}
	if (span_ci_prefix(s, "ipv6:")) {
		s.p += 5;
		s.n -= 5;
	}
	pct = memchr(s.p, '%', s.n);
	if (pct)
		s.n = (size_t)(pct - s.p);
	if (!s.n || s.n >= sizeof(buf))
		return 0;
	memcpy(buf, s.p, s.n);
	buf[s.n] = '\0';
	colon = strchr(buf, ':');
	if (colon && strchr(buf, '.') && !strchr(colon + 1, ':') &&
	    colon > strchr(buf, '.'))
		buf[colon - buf] = '\0'; /* "1.2.3.4:port" */
	if (inet_pton(AF_INET, buf, addr) == 1) {
		*family = AF_INET;
		return 1;
	}
	if (inet_pton(AF_INET6, buf, addr) != 1)
		return 0;
	*family = AF_INET6;
	for (i = 0; i < 10; i++)
		if (addr[i])
			return 1;
	if (addr[10] == 0xff && addr[11] == 0xff) {
		memmove(addr, addr + 12, 4);
		*family = AF_INET;
	}
	return 1;
}

static int
is_ip_span(struct span s)
{
	unsigned char a[16];
	int f;

	return s.p && ip_literal(s, &f, a);
}

/* Normalised text of an IP literal into *out.  0, or TD_ENOMEM. */
static int
ip_dup(char **out, struct span s)
{
	char buf[INET6_ADDRSTRLEN];
	unsigned char a[16];
	int f;

	if (!s.p || !ip_literal(s, &f, a))
		return 0;
	if (!inet_ntop(f, a, buf, sizeof(buf)))
		return 0;
	*out = td_strndup(buf, strlen(buf));
	return *out ? 0 : TD_ENOMEM;
}

/*
 * The stamp's items: atoms (runs without white space, parentheses or ';')
 * and comments (balanced parentheses, RFC 5322 3.2.2, with quoted-pairs).
 * An unbalanced comment runs to the end.  ';' separates like white space:
 * some MTAs write "id X; for <a@b>; date".
 */
enum item_kind { IT_END, IT_ATOM, IT_COMMENT };

struct item {
	enum item_kind kind;
	struct span s; /* a comment's inside, without the parentheses */
};

static void
next_item(const char **cur, const char *end, struct item *it)
{
	const char *p = *cur, *q;
	size_t depth;

	while (p < end &&
	       (is_space((unsigned char)*p) || *p == ';' || *p == ')'))
		p++;
	if (p == end) {
		it->kind = IT_END;
		*cur = p;
		return;
	}
	if (*p == '(') {
		for (q = p + 1, depth = 1; q < end; q++) {
			if (*q == '\\' && q + 1 < end)
				q++;
			else if (*q == '(')
				depth++;
			else if (*q == ')' && !--depth)
				break;
		}
		it->kind = IT_COMMENT;
		it->s.p = p + 1;
		it->s.n = (size_t)(q - p - 1);
		*cur = q < end ? q + 1 : end;
		return;
	}
	for (q = p; q < end && !is_space((unsigned char)*q) && *q != '(' &&
		    *q != ')' && *q != ';';
	     q++)
		;
	it->kind = IT_ATOM;
	it->s.p = p;
	it->s.n = (size_t)(q - p);
	*cur = q;
}

/* Words inside a comment: split on white space and nested parentheses. */
static int
next_word(struct span c, size_t *i, struct span *w)
{
	size_t j;

	while (*i < c.n && (is_space((unsigned char)c.p[*i]) ||
			    c.p[*i] == '(' || c.p[*i] == ')'))
		(*i)++;
	if (*i >= c.n)
		return 0;
	for (j = *i; j < c.n && !is_space((unsigned char)c.p[j]) &&
		     c.p[j] != '(' && c.p[j] != ')';
	     j++)
		;
	w->p = c.p + *i;
	w->n = j - *i;
	*i = j;
	return 1;
}

/*
 * What the "from" clause says, as spans into the hop's raw copy.  The
 * clause embeds the HELO text, which the client chooses (Postfix accepts
 * spaces and parentheses in it), and the MTA's own comment always comes
 * after it.  So the last address wins, inside a comment nothing after
 * "helo=" or "HELO" is read, and the style of the line is taken from the
 * comment that holds the address.
 */
struct from_info {
	struct span name;	 /* the word after "from" */
	struct span bracket_ip;	 /* last "[ip]" in a comment */
	struct span rdns;	 /* the word before it, same comment */
	struct span paren_ip;	 /* last comment that is only "([ident@]ip)" */
	struct span helo_kw;	 /* last "HELO name" (qmail) */
	struct span helo_eq;	 /* last "helo=name" (Exim) */
	unsigned comments;	 /* comments seen in the clause */
	unsigned helo_seen : 1;	 /* a comment opened with "HELO" */
	unsigned helo_paren : 1; /* ... before paren_ip: qmail */
	unsigned bracket_exim : 1;   /* bracket_ip's comment has helo=, port=
					or "[ip]:port" */
	unsigned bracket_forged : 1; /* ... or sendmail's "may be forged" */
	unsigned exim_any : 1;	     /* any comment had those Exim marks */
};

static void
from_comment(struct from_info *fi, struct span c)
{
	struct span t = span_trim(c), w, pw = {NULL, 0};
	struct span ip = {NULL, 0}, rdns = {NULL, 0};
	const char *at;
	size_t i = 0;
	int first = 1, exim = 0, tail = 0;

	fi->comments++;
	/* qmail "(remoteinfo@ip)" records the ident before the address */
	while (t.n && (at = memchr(t.p, '@', t.n))) {
		t.n -= (size_t)(at - t.p) + 1;
		t.p = at + 1;
	}
	if (t.n && t.p[0] != '[' && is_ip_span(t)) {
		fi->paren_ip = t;
		fi->helo_paren = fi->helo_seen;
		return;
	}
	while (next_word(c, &i, &w)) {
		const char *b, *e;

		if (first && span_ci_eq(w, "helo"))
			fi->helo_seen = 1;
		if (pw.p && span_ci_eq(pw, "helo")) {
			fi->helo_kw = w;
		} else if (span_ci_prefix(w, "helo=")) {
			exim = 1;
			fi->helo_eq.p = w.p + 5;
			fi->helo_eq.n = w.n - 5;
			tail = 1; /* the rest is the client's text */
		} else if (span_ci_prefix(w, "port=")) {
			exim = 1;
		} else if (!tail && (b = memchr(w.p, '[', w.n)) &&
			   (e = memchr(b, ']', (size_t)(w.p + w.n - b)))) {
			struct span cand = {b + 1, (size_t)(e - b - 1)};

			if (e + 1 < w.p + w.n && e[1] == ':')
				exim = 1;
			if (is_ip_span(cand)) {
				ip = cand;
				rdns.p = b == w.p && pw.p ? pw.p : NULL;
				rdns.n = b == w.p && pw.p ? pw.n : 0;
			}
		}
		if (span_ci_eq(w, "helo"))
			tail = 1;
		pw = w;
		first = 0;
	}
	if (ip.p) {
		fi->bracket_ip = ip;
		fi->rdns = rdns;
		fi->bracket_exim = exim;
		fi->bracket_forged =
		    c.n >= 13 && memmem(c.p, c.n, "may be forged", 13);
	}
	fi->exim_any |= exim;
}

/* A name usable as rDNS: not "unknown", not an IP literal, not empty. */
static struct span
rdns_clean(struct span s)
{
	const char *at;

	if (!s.p)
		return s;
	/* sendmail records "ident@host [ip]" */
	while ((at = memchr(s.p, '@', s.n))) {
		s.n -= (size_t)(at - s.p) + 1;
		s.p = at + 1;
	}
	while (s.n && s.p[s.n - 1] == '.')
		s.n--; /* Gmail: "mail-x.google.com. [ip]"; every dot, so
			  "name.." is no name with an empty label */
	if (!s.n || span_ci_eq(s, "unknown") || span_ci_eq(s, "<unknown>") ||
	    is_ip_span(s) || s.p[0] == '[') {
		s.p = NULL;
		s.n = 0;
	}
	return s;
}

/*
 * Decide which recorded name is the HELO and which the rDNS, per MTA
 * shape (see docs/internals/received.md, "Who wrote which name").  exim
 * is set when the text after "by" shows Exim.
 */
static int
from_finish(struct td_hop *h, const struct from_info *fi, int exim)
{
	struct span ip = {NULL, 0}, helo = {NULL, 0}, rdns = {NULL, 0};

	if (fi->bracket_ip.p) {
		ip = fi->bracket_ip;
		if (fi->bracket_exim || exim) {
			/* Exim: "verified-rdns ([ip]:port helo=x)" */
			rdns = rdns_clean(fi->name);
			helo = fi->helo_eq.p ? fi->helo_eq : fi->name;
		} else {
			/* Postfix, sendmail, Gmail: "helo (rdns [ip])" */
			helo = fi->name;
			if (!fi->bracket_forged)
				rdns = rdns_clean(fi->rdns);
			/* "unknown (HELO x) (ident@[ip])" */
			if (fi->helo_kw.p && span_ci_eq(fi->name, "unknown"))
				helo = fi->helo_kw;
		}
	} else if (fi->paren_ip.p) {
		ip = fi->paren_ip;
		if (fi->helo_paren) {
			/* qmail: "rdns-or-unknown (HELO helo) (ip)" */
			rdns = rdns_clean(fi->name);
			helo = fi->helo_kw;
		} else {
			/* Exchange "helo (ip)"; qmail when HELO = rDNS */
			helo = fi->name;
		}
	} else if (is_ip_span(fi->name) && (!fi->comments || fi->exim_any ||
					    fi->helo_seen || fi->helo_kw.p)) {
		/*
		 * The name is the address only where the MTA puts it there
		 * (Exim "[ip] (port=N helo=x)", qmail-scanner "a.b.c.d by",
		 * Mandrill "[ip] by"); after SendGrid ("[ip] (unknown)") a
		 * literal is what the client said in HELO.
		 */
		ip = fi->name;
		helo = fi->helo_eq.p ? fi->helo_eq : fi->helo_kw;
	} else {
		helo = fi->name;
	}
	if (ip_dup(&h->from_ip, ip))
		return TD_ENOMEM;
	if (helo.p && !helo.n)
		helo.p = NULL;
	if (span_dup(&h->from_helo, helo) || span_dup(&h->from_rdns, rdns))
		return TD_ENOMEM;
	return 0;
}

/* Exim writes its protocol names in lower case: "with esmtpsa". */
static int
exim_protocol(struct span with)
{
	size_t i;

	if (!with.p)
		return 0;
	for (i = 0; i < with.n && !is_space((unsigned char)with.p[i]); i++)
		if (with.p[i] >= 'A' && with.p[i] <= 'Z')
			return 0;
	return span_ci_prefix(with, "esmtp") || span_ci_prefix(with, "smtp") ||
	       span_ci_prefix(with, "utf8");
}

/*
 * The ';' before the date: the last one outside comments (RFC 5321 4.4
 * Stamp).  If parentheses never balance, the last ';' at all.
 */
static const char *
stamp_semicolon(const char *p, size_t n)
{
	const char *top = NULL, *any = NULL;
	size_t i, depth = 0;

	for (i = 0; i < n; i++) {
		if (p[i] == '\\' && depth && i + 1 < n)
			i++;
		else if (p[i] == '(')
			depth++;
		else if (p[i] == ')' && depth)
			depth--;
		else if (p[i] == ';') {
			any = p + i;
			if (!depth)
				top = p + i;
		}
	}
	return top ? top : depth ? any : NULL;
}

/* --- RFC 5322 3.3 date-time, tolerant of section 4.3 obsolete forms --- */

struct dscan {
	const char *p, *end;
};

static void
skip_cfws(struct dscan *d)
{
	size_t depth;

	for (;;) {
		while (d->p < d->end && is_space((unsigned char)*d->p))
			d->p++;
		if (d->p >= d->end || *d->p != '(')
			return;
		for (depth = 0; d->p < d->end; d->p++) {
			if (*d->p == '\\' && d->p + 1 < d->end)
				d->p++;
			else if (*d->p == '(')
				depth++;
			else if (*d->p == ')' && !--depth) {
				d->p++;
				break;
			}
		}
	}
}

/* min_digits to max_digits digits ("0000" zone: two reads of two). */
static int
read_num(struct dscan *d, int min_digits, int max_digits, int *out)
{
	int n = 0, v = 0;

	while (n < max_digits && d->p < d->end &&
	       is_digit((unsigned char)*d->p)) {
		v = v * 10 + (*d->p++ - '0');
		n++;
	}
	if (n < min_digits)
		return -1;
	*out = v;
	return n;
}

static struct span
read_word(struct dscan *d)
{
	struct span w = {d->p, 0};

	while (d->p < d->end && is_alpha((unsigned char)*d->p))
		d->p++, w.n++;
	return w;
}

static int
name_index(struct span w, const char *const *names, int nr)
{
	int i;

	if (w.n < 3)
		return -1;
	for (i = 0; i < nr; i++) {
		struct span three = {w.p, 3};

		/* "Mon" and "Monday", "Sep" and "Sept" */
		if (span_ci_eq(three, names[i]))
			return i;
	}
	return -1;
}

/*
 * Zone names of RFC 5322 4.3 obs-zone.  Military letters and unknown
 * names mean "-0000" (no information) there, i.e. an offset of 0.
 */
static int
zone_minutes(struct span w)
{
	static const struct {
		const char *name;
		int minutes;
	} zones[] = {
	    {"ut", 0},	      {"utc", 0},	{"gmt", 0},
	    {"z", 0},	      {"est", -5 * 60}, {"edt", -4 * 60},
	    {"cst", -6 * 60}, {"cdt", -5 * 60}, {"mst", -7 * 60},
	    {"mdt", -6 * 60}, {"pst", -8 * 60}, {"pdt", -7 * 60},
	};
	size_t i;

	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
		if (span_ci_eq(w, zones[i].name))
			return zones[i].minutes;
	return 0;
}

static int
read_zone(struct dscan *d, int *off)
{
	int sign, hh, mm;

	skip_cfws(d);
	if (d->p < d->end && (*d->p == '+' || *d->p == '-')) {
		sign = *d->p++ == '-' ? -1 : 1;
		if (read_num(d, 2, 2, &hh) < 0)
			return -1;
		if (d->p < d->end && *d->p == ':')
			d->p++; /* "+05:30" */
		if (read_num(d, 2, 2, &mm) < 0 || mm > 59)
			return -1;
		*off = sign * (hh * 60 + mm);
	} else if (d->p < d->end && is_alpha((unsigned char)*d->p)) {
		*off = zone_minutes(read_word(d));
	} else {
		*off = 0; /* no zone at all: taken as UTC */
	}
	return 0;
}

static time_t
make_time(int year, int mon, int day, int hour, int min, int sec, int off)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30,
				    31, 31, 30, 31, 30, 31};
	struct tm tm;
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	time_t t;

	if (year < 1900 || year > 9999 || mon < 0 || mon > 11 || day < 1 ||
	    day > mdays[mon] + (mon == 1 && leap) || hour > 23 || min > 59 ||
	    sec > 60)
		return (time_t)-1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return t;
	return t - (time_t)off * 60;
}

static void
skip_fraction(struct dscan *d)
{
	if (d->p < d->end && *d->p == '.') /* SendGrid ".531" */
		for (d->p++; d->p < d->end && is_digit((unsigned char)*d->p);
		     d->p++)
			;
}

/*
 * SendGrid's "2024-11-06 17:04:08.350343514 +0000 UTC" (ISO 8601 with a
 * space, Go's time format), also with "T" and "Z".
 */
static time_t
parse_iso(struct dscan *d)
{
	int year, mon, day, hour, min, sec = 0, off;

	if (read_num(d, 4, 4, &year) < 0 || d->p >= d->end || *d->p++ != '-' ||
	    read_num(d, 2, 2, &mon) < 0 || d->p >= d->end || *d->p++ != '-' ||
	    read_num(d, 2, 2, &day) < 0 || d->p >= d->end ||
	    (*d->p != 'T' && *d->p != ' '))
		return (time_t)-1;
	d->p++;
	if (read_num(d, 2, 2, &hour) < 0 || d->p >= d->end || *d->p++ != ':' ||
	    read_num(d, 2, 2, &min) < 0)
		return (time_t)-1;
	if (d->p < d->end && *d->p == ':') {
		d->p++;
		if (read_num(d, 2, 2, &sec) < 0)
			return (time_t)-1;
		skip_fraction(d);
	}
	if (read_zone(d, &off) < 0)
		return (time_t)-1;
	return make_time(year, mon - 1, day, hour, min, sec, off);
}

static time_t
parse_date(const char *p, size_t n)
{
	static const char *const days[] = {"sun", "mon", "tue", "wed",
					   "thu", "fri", "sat"};
	static const char *const months[] = {"jan", "feb", "mar", "apr",
					     "may", "jun", "jul", "aug",
					     "sep", "oct", "nov", "dec"};
	struct dscan d = {p, p + n};
	int day, mon, year, hour, min, sec = 0, off = 0, nd;

	skip_cfws(&d);
	if (d.end - d.p > 4 && is_digit((unsigned char)d.p[0]) &&
	    is_digit((unsigned char)d.p[3]) && d.p[4] == '-')
		return parse_iso(&d);
	if (d.p < d.end && is_alpha((unsigned char)*d.p)) {
		if (name_index(read_word(&d), days, 7) < 0)
			return (time_t)-1;
		skip_cfws(&d);
		if (d.p < d.end && *d.p == ',')
			d.p++;
		skip_cfws(&d);
	}
	if (read_num(&d, 1, 2, &day) < 0)
		return (time_t)-1;
	skip_cfws(&d);
	if (d.p < d.end && *d.p == '-')
		d.p++; /* "8-Mar-2017" */
	mon = name_index(read_word(&d), months, 12);
	if (mon < 0)
		return (time_t)-1;
	skip_cfws(&d);
	if (d.p < d.end && *d.p == '-')
		d.p++;
	nd = read_num(&d, 2, 4, &year);
	if (nd < 0)
		return (time_t)-1;
	/* RFC 5322 4.3: two digits are 19xx from 50, 20xx below */
	if (nd == 2)
		year += year < 50 ? 2000 : 1900;
	else if (nd == 3)
		year += 1900;
	skip_cfws(&d);
	if (read_num(&d, 1, 2, &hour) < 0)
		return (time_t)-1;
	skip_cfws(&d);
	if (d.p >= d.end || *d.p++ != ':')
		return (time_t)-1;
	skip_cfws(&d);
	if (read_num(&d, 2, 2, &min) < 0)
		return (time_t)-1;
	skip_cfws(&d);
	if (d.p < d.end && *d.p == ':') {
		d.p++;
		skip_cfws(&d);
		if (read_num(&d, 2, 2, &sec) < 0)
			return (time_t)-1;
		skip_fraction(&d);
	}
	if (read_zone(&d, &off) < 0)
		return (time_t)-1;
	return make_time(year, mon, day, hour, min, sec, off);
}

/* qmail-queue's own line: "(qmail 1234 invoked from network)" */
static int
qmail_invoked(struct span c)
{
	return span_ci_prefix(c, "qmail ") && c.n >= 8 &&
	       memmem(c.p, c.n, "invoked", 7);
}

enum kw { KW_NONE, KW_FROM, KW_BY, KW_WITH, KW_ID, KW_FOR, KW_VIA };

static enum kw
keyword(const struct item *it)
{
	static const char *const names[] = {NULL, "from", "by", "with",
					    "id", "for",  "via"};
	int i;

	if (it->kind != IT_ATOM)
		return KW_NONE;
	for (i = KW_FROM; i <= KW_VIA; i++)
		if (span_ci_eq(it->s, names[i]))
			return (enum kw)i;
	return KW_NONE;
}

void
td_hop_release(struct td_hop *hop)
{
	if (!hop)
		return;
	free(hop->raw);
	free(hop->from_helo);
	free(hop->from_rdns);
	free(hop->from_ip);
	free(hop->by);
	free(hop->with);
	free(hop->id);
	free(hop->for_addr);
	free(hop->date);
	memset(hop, 0, sizeof(*hop));
	hop->when = (time_t)-1;
}

int
td_hop_parse(struct td_hop *out, const char *value, size_t len)
{
	struct from_info fi;
	struct item it;
	struct span by = {NULL, 0}, with = {NULL, 0}, id = {NULL, 0};
	struct span forv = {NULL, 0};
	const char *cur, *semi, *end, *last_by = NULL;
	enum kw clause = KW_NONE, k;
	unsigned seen = 0;
	int want = 0, with_open = 0, first = 1, local = 0, exim = 0;
	int first_atom = 1;
	size_t i;

	memset(out, 0, sizeof(*out));
	memset(&fi, 0, sizeof(fi));
	out->when = (time_t)-1;
	out->raw = malloc(len + 1);
	if (!out->raw)
		return TD_ENOMEM;
	/* unfold, and keep NULs from cutting the C string short */
	for (i = 0; i < len; i++) {
		char c = value[i];

		out->raw[i] = (c == '\r' || c == '\n' || c == '\0') ? ' ' : c;
	}
	out->raw[len] = '\0';

	semi = stamp_semicolon(out->raw, len);
	end = semi ? semi : out->raw + len;
	/*
	 * The "by" clause opens at the last "by" outside comments: any
	 * earlier one sits in the client's HELO text ("HELO x by y"), which
	 * comes before the MTA's own words.  No corpus line has two.
	 */
	for (cur = out->raw;;) {
		next_item(&cur, end, &it);
		if (it.kind == IT_END)
			break;
		if (it.kind == IT_ATOM && span_ci_eq(it.s, "by"))
			last_by = it.s.p;
	}
	cur = out->raw;
	for (;;) {
		next_item(&cur, end, &it);
		if (it.kind == IT_END)
			break;
		k = keyword(&it);
		/* RFC 5321 4.4: a stamp opens with "from" (or "by" for a
		   local hand-over), after at most some comments */
		if (first_atom && it.kind == IT_ATOM) {
			first_atom = 0;
			if (k != KW_FROM && k != KW_BY)
				break;
			if (k == KW_BY)
				last_by = it.s.p; /* no client text here */
		}
		/* before the real "by" everything is the from clause */
		if (k == KW_BY && it.s.p != last_by)
			k = KW_NONE;
		if (last_by && !(seen & (1u << KW_BY)) && k != KW_FROM &&
		    k != KW_BY)
			k = KW_NONE;
		/* each clause once; a "from" after "by" is text (IBM's
		   "for <a> from <b>") */
		if (k != KW_NONE && !(seen & (1u << k)) &&
		    !(k == KW_FROM && (seen & (1u << KW_BY)))) {
			clause = k;
			seen |= 1u << k;
			want = 1;
			with_open = 0;
			first = 0;
			continue;
		}
		if (first && it.kind == IT_COMMENT && qmail_invoked(it.s))
			local = 1;
		first = 0;
		if (it.kind == IT_COMMENT && (seen & (1u << KW_BY)) &&
		    span_ci_prefix(it.s, "exim "))
			exim = 1; /* "(Exim 4.97.1)", written by the MTA */
		switch (clause) {
		case KW_FROM:
			if (it.kind == IT_ATOM && want)
				fi.name = it.s;
			else if (it.kind == IT_COMMENT)
				from_comment(&fi, it.s);
			break;
		case KW_BY:
			if (it.kind == IT_ATOM && want)
				by = it.s;
			break;
		case KW_WITH:
			/* "with Microsoft SMTP Server (...)": join words up
			   to the first comment or keyword */
			if (it.kind != IT_ATOM) {
				with_open = 0;
			} else if (want) {
				with = it.s;
				with_open = 1;
			} else if (with_open && (size_t)(it.s.p + it.s.n -
							 with.p) <= WITH_MAX) {
				with.n = (size_t)(it.s.p + it.s.n - with.p);
			} else {
				with_open = 0;
			}
			break;
		case KW_ID:
			if (it.kind == IT_ATOM && want)
				id = it.s;
			break;
		case KW_FOR:
			if (it.kind == IT_ATOM && want)
				forv = it.s;
			break;
		default:
			break;
		}
		want = 0;
	}
	out->parsed = (seen & (1u << KW_FROM | 1u << KW_BY)) || local;
	if (forv.p && forv.n >= 2 && forv.p[0] == '<' &&
	    forv.p[forv.n - 1] == '>') {
		forv.p++;
		forv.n -= 2;
	}
	if ((seen & (1u << KW_FROM)) &&
	    from_finish(out, &fi, exim || exim_protocol(with)))
		goto oom;
	if (span_dup(&out->by, by) || span_dup(&out->with, with) ||
	    span_dup(&out->for_addr, forv))
		goto oom;
	if (semi) {
		struct span ds = {semi + 1,
				  (size_t)(out->raw + len - semi - 1)};

		ds = span_trim(ds);
		if (span_dup(&out->date, ds))
			goto oom;
		out->when = parse_date(ds.p, ds.n);
	} else if (id.p) {
		/* no ';' (SendGrid, Exchange "with mapi id <date>"): a date
		   right after the id is taken, anything else is not */
		struct span ds = {id.p + id.n,
				  (size_t)(out->raw + len - id.p - id.n)};

		/* Exchange "with mapi id Sun, 06 Jul 2025 ...": no id */
		if (id.n == 4 && id.p[3] == ',' &&
		    parse_date(id.p, ds.n + 4) != (time_t)-1) {
			ds.p = id.p;
			ds.n += 4;
			id.p = NULL;
		}
		ds = span_trim(ds);
		if (!span_ci_prefix(ds, "for ") &&
		    (out->when = parse_date(ds.p, ds.n)) != (time_t)-1 &&
		    span_dup(&out->date, ds))
			goto oom;
	}
	if (span_dup(&out->id, id))
		goto oom;
	return 0;
oom:
	td_hop_release(out);
	return TD_ENOMEM;
}

int
td_received_add(struct td_received *r, const char *value, size_t len)
{
	int ret;

	if (TD_ARRAY_GROW(r->hops, r->nr + 1, r->alloc))
		return TD_ENOMEM;
	ret = td_hop_parse(&r->hops[r->nr], value, len);
	if (ret)
		return ret;
	r->nr++;
	return 0;
}

void
td_received_release(struct td_received *r)
{
	size_t i;

	for (i = 0; i < r->nr; i++)
		td_hop_release(&r->hops[i]);
	free(r->hops);
	r->hops = NULL;
	r->nr = r->alloc = 0;
	r->report_hop = -1;
}

/* --- trust list --- */

static void
mask_net(unsigned char *a, unsigned bits, unsigned prefix)
{
	unsigned i;

	for (i = 0; i < bits / 8; i++) {
		unsigned lo = i * 8;

		if (prefix <= lo)
			a[i] = 0;
		else if (prefix < lo + 8)
			a[i] &= (unsigned char)(0xff << (lo + 8 - prefix));
	}
}

static int
trust_add_net(struct td_trust *t, const char *spec, size_t n,
	      struct td_error *err)
{
	struct td_cidr c;
	char buf[64];
	const char *slash = memchr(spec, '/', n);
	size_t alen = slash ? (size_t)(slash - spec) : n;
	unsigned long prefix;
	char *endp;

	memset(&c, 0, sizeof(c));
	if (!alen || alen >= sizeof(buf))
		return 1;
	memcpy(buf, spec, alen);
	buf[alen] = '\0';
	if (inet_pton(AF_INET, buf, c.addr) == 1)
		c.family = AF_INET;
	else if (inet_pton(AF_INET6, buf, c.addr) == 1)
		c.family = AF_INET6;
	else
		return 1; /* not an address: maybe a name */
	c.prefix = c.family == AF_INET ? 32 : 128;
	if (slash) {
		char pbuf[8];
		size_t pl = n - alen - 1;

		if (!pl || pl >= sizeof(pbuf) ||
		    !is_digit((unsigned char)slash[1]))
			goto bad;
		memcpy(pbuf, slash + 1, pl);
		pbuf[pl] = '\0';
		prefix = strtoul(pbuf, &endp, 10);
		if (*endp || prefix > c.prefix)
			goto bad;
		c.prefix = (unsigned)prefix;
	}
	/* ::ffff:a.b.c.d/96+ is an IPv4 network (recorded IPs are too) */
	if (c.family == AF_INET6 && c.prefix >= 96) {
		static const unsigned char mapped[12] = {
		    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

		if (!memcmp(c.addr, mapped, 12)) {
			memmove(c.addr, c.addr + 12, 4);
			memset(c.addr + 4, 0, 12);
			c.family = AF_INET;
			c.prefix -= 96;
		}
	}
	mask_net(c.addr, c.family == AF_INET ? 32 : 128, c.prefix);
	if (TD_ARRAY_GROW(t->nets, t->nr_nets + 1, t->alloc_nets))
		return td_error_set(err, TD_ENOMEM, "out of memory");
	t->nets[t->nr_nets++] = c;
	return 0;
bad:
	return td_error_set(err, TD_EPARSE,
			    "trust list \"%.*s\": bad prefix length", (int)n,
			    spec);
}

int
td_trust_add(struct td_trust *t, const char *spec, struct td_error *err)
{
	struct span s = {spec, spec ? strlen(spec) : 0};
	char *name;
	size_t i;
	int ret;

	s = span_trim(s);
	if (!s.n)
		return td_error_set(err, TD_EPARSE, "trust list: empty entry");
	ret = trust_add_net(t, s.p, s.n, err);
	if (ret <= 0)
		return ret;
	/* a host name, or ".domain" for every name below it */
	if (s.n >= 2 && s.p[0] == '*' && s.p[1] == '.')
		s.p++, s.n--; /* "*.example.com" means ".example.com" */
	if (s.n > 1 && s.p[s.n - 1] == '.')
		s.n--;
	if (s.n > DNS_NAME_MAX + 1 || (s.n == 1 && s.p[0] == '.'))
		goto bad;
	for (i = 0; i < s.n; i++) {
		int c = (unsigned char)s.p[i];

		if (c == '.') {
			if ((i && s.p[i - 1] == '.') || i + 1 == s.n)
				goto bad;
		} else if (!is_alpha(c) && !is_digit(c) && c != '-' &&
			   c != '_') {
			goto bad;
		}
	}
	name = td_strndup(s.p, s.n);
	if (!name || TD_ARRAY_GROW(t->names, t->nr_names + 1, t->alloc_names)) {
		free(name);
		return td_error_set(err, TD_ENOMEM, "out of memory");
	}
	for (i = 0; i < s.n; i++)
		name[i] = (char)to_lower((unsigned char)name[i]);
	t->names[t->nr_names++] = name;
	return 0;
bad:
	return td_error_set(err, TD_EPARSE,
			    "trust list \"%.*s\": not a host name, "
			    "\".domain\", address or CIDR network",
			    (int)s.n, s.p);
}

void
td_trust_release(struct td_trust *t)
{
	size_t i;

	for (i = 0; i < t->nr_names; i++)
		free(t->names[i]);
	free(t->names);
	free(t->nets);
	memset(t, 0, sizeof(*t));
}

static int
trust_has_ip(const struct td_trust *t, const char *ip)
{
	struct span s = {ip, strlen(ip)};
	unsigned char a[16];
	size_t i;
	int f;

	if (!t || !ip_literal(s, &f, a))
		return 0;
	for (i = 0; i < t->nr_nets; i++) {
		const struct td_cidr *c = &t->nets[i];
		unsigned full = c->prefix / 8, rest = c->prefix % 8;

		if (c->family != f)
			continue;
		if (memcmp(a, c->addr, full))
			continue;
		if (rest && ((a[full] ^ c->addr[full]) &
			     (unsigned char)(0xff << (8 - rest))))
			continue;
		return 1;
	}
	return 0;
}

static int
trust_has_name(const struct td_trust *t, const char *name)
{
	size_t i, n = strlen(name), k;

	if (!t)
		return 0;
	if (n && name[n - 1] == '.')
		n--;
	for (i = 0; i < t->nr_names; i++) {
		const char *e = t->names[i];
		size_t en = strlen(e);
		const char *cand = name;

		if (e[0] == '.') {
			/* ".example.com": names strictly below it */
			if (n <= en)
				continue;
			cand = name + n - en;
		} else if (n != en) {
			continue;
		}
		for (k = 0; k < en; k++)
			if (to_lower((unsigned char)cand[k]) != e[k])
				break;
		if (k == en)
			return 1;
	}
	return 0;
}

void
td_received_decide(struct td_received *r, const struct td_trust *trust)
{
	size_t i, stop = r->nr;

	r->report_hop = -1;
	for (i = 0; i < r->nr; i++) {
		r->hops[i].trusted = 0;
		r->hops[i].unverified = 0;
	}
	for (i = 0; i < r->nr; i++) {
		struct td_hop *h = &r->hops[i];

		/* the top hop, or one whose writer was vouched for above */
		h->trusted = 1;
		if (!h->parsed) {
			stop = i;
			break;
		}
		if (!h->from_ip) {
			/* no client at all: a local hand-over on the same
			   host (qmail-queue, sendmail submit, Gmail's
			   internal "by" lines); the next hop is ours too */
			if (!h->from_helo && !h->from_rdns)
				continue;
			/* a network client whose address was not recorded */
			stop = i;
			break;
		}
		if (td_ip_is_public(h->from_ip) != 1)
			continue; /* private, loopback, CGNAT...: internal */
		if (trust_has_ip(trust, h->from_ip))
			continue;
		if (h->from_rdns && trust_has_name(trust, h->from_rdns))
			continue;
		r->report_hop = (long)i;
		stop = i;
		break;
	}
	for (i = stop + 1; i < r->nr; i++)
		r->hops[i].unverified = 1;
}

/* --- Authentication-Results (RFC 8601) --- */

struct ar {
	const char *p, *end;
};

static void
ar_skip_cfws(struct ar *a)
{
	struct dscan d = {a->p, a->end};

	skip_cfws(&d);
	a->p = d.p;
}

static int
ar_kwchar(int c)
{
	return is_alpha(c) || is_digit(c) || c == '-' || c == '_' || c == '.';
}

static struct span
ar_keyword(struct ar *a)
{
	struct span w = {a->p, 0};

	while (a->p < a->end && ar_kwchar((unsigned char)*a->p))
		a->p++, w.n++;
	return w;
}

/*
 * One resinfo (RFC 8601 2.2): methodspec = method [/version] "=" result.
 * Appends "method=result" to out; anything else in it (reasonspec,
 * propspecs, comments) is skipped.  Returns 1 when it was a methodspec.
 */
static int
ar_method(struct td_buf *out, const char *p, const char *end, int dry)
{
	struct ar a = {p, end};
	struct span method, result;
	size_t i;

	ar_skip_cfws(&a);
	method = ar_keyword(&a);
	if (!method.n || method.n > AUTH_WORD_MAX)
		return 0;
	ar_skip_cfws(&a);
	if (a.p < a.end && *a.p == '/') {
		a.p++;
		ar_skip_cfws(&a);
		ar_keyword(&a);
		ar_skip_cfws(&a);
	}
	if (a.p >= a.end || *a.p != '=')
		return 0;
	a.p++;
	ar_skip_cfws(&a);
	result = ar_keyword(&a);
	if (!result.n || result.n > AUTH_WORD_MAX)
		return 0;
	if (dry)
		return 1;
	if (out->len && out->ptr[out->len - 1] != ' ')
		td_buf_addch(out, ' ');
	for (i = 0; i < method.n; i++)
		td_buf_addch(out, to_lower((unsigned char)method.p[i]));
	td_buf_addch(out, '=');
	for (i = 0; i < result.n; i++)
		td_buf_addch(out, to_lower((unsigned char)result.p[i]));
	return 1;
}

int
td_auth_summary(struct td_buf *out, const char *value, size_t len)
{
	size_t i, seg = 0, depth = 0;
	int quoted = 0, first = 1;

	for (i = 0; i <= len; i++) {
		if (i < len) {
			char c = value[i];

			if (c == '\\' && (depth || quoted) && i + 1 < len) {
				i++;
				continue;
			}
			if (quoted) {
				if (c == '"')
					quoted = 0;
				continue;
			}
			if (c == '"' && !depth)
				quoted = 1;
			else if (c == '(')
				depth++;
			else if (c == ')' && depth)
				depth--;
			if (c != ';' || depth)
				continue;
		}
		/*
		 * The first part is the authserv-id, unless it is already a
		 * methodspec: Exchange Online omits the authserv-id
		 * ("spf=pass (sender IP is ...) smtp.mailfrom=...; dkim=...").
		 */
		if (!first || ar_method(out, value + seg, value + i, 1))
			ar_method(out, value + seg, value + i, 0);
		first = 0;
		seg = i + 1;
	}
	return (td_buf_failed(out) & TD_BUF_OOM) ? TD_ENOMEM : 0;
}
