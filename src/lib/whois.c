/*
 * WHOIS answers (port 43 text) into struct td_record, without being told
 * which registry wrote them.  The text is cleaned (valid UTF-8, no NULs,
 * lines cut at TD_WHOIS_MAX_LINE), split into lines, each line classified
 * (key/value, header, free text, comment), lines grouped into sections
 * (headers, indented blocks, RPSL paragraphs), and every key read through
 * tables of the names registries use.  IP networks (RPSL and ARIN) are
 * collected and the most specific one is kept.  docs/internals/whois.md
 * says what is taken from where.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "term.h"
#include "url.h"
#include "whois.h"
#include "banned.h"

/* ---- small string helpers ---- */

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c | 0x20 : c;
}

static int
is_alnum(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Case-insensitive search of needle (lowercase) in s[0..n). */
static const char *
memcasestr(const char *s, size_t n, const char *needle)
{
	size_t nl = strlen(needle), i, j;

	if (nl > n)
		return NULL;
	for (i = 0; i + nl <= n; i++) {
		for (j = 0; j < nl; j++)
			if (lower((unsigned char)s[i + j]) != needle[j])
				break;
		if (j == nl)
			return s + i;
	}
	return NULL;
}

static int
in_list(const char *s, const char *const *list)
{
	size_t i;

	for (i = 0; list[i]; i++)
		if (!strcmp(s, list[i]))
			return 1;
	return 0;
}

static int
starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* ---- the parser's state ---- */

enum role {
	R_NONE,
	R_DOMAIN,
	R_REGISTRANT,
	R_ADMIN,
	R_TECH,
	R_BILLING,
	R_ZONE,
	R_ABUSE,
	R_NOC,
	R_REGISTRAR,
	R_RESELLER,
	R_NS,
	R_DATES,
	R_STATUS,
	R_CONTACT, /* an RPSL person/role/nic-hdl object: role by reference */
	R_ORG,	   /* an RPSL organisation object, an ARIN Org record */
	R_IRT,
	R_NET,
	R_ASN,
	R_ROUTE,
	R_OTHER,
	R_IGNORE
};

static const char *const role_names[] = {
    [R_REGISTRANT] = "registrant",
    [R_ADMIN] = "admin",
    [R_TECH] = "tech",
    [R_BILLING] = "billing",
    [R_ZONE] = "zone",
    [R_ABUSE] = "abuse",
    [R_NOC] = "noc",
    [R_REGISTRAR] = "registrar",
    [R_RESELLER] = "reseller",
    [R_CONTACT] = "other",
    [R_ORG] = "org",
    [R_IRT] = "abuse",
};

static int
contact_role(int r)
{
	return (r >= R_REGISTRANT && r <= R_NOC) || r == R_CONTACT ||
	       r == R_ORG || r == R_IRT || r == R_RESELLER;
}

/* roles under which domain-level keys (dates, status...) are read */
static int
domain_ctx(int r)
{
	return r == R_NONE || r == R_DOMAIN || r == R_DATES || r == R_STATUS ||
	       r == R_OTHER || r == R_NS;
}

enum lkind { L_COMMENT, L_KV, L_HEADER, L_FREE };

struct wline {
	size_t off, len;   /* the trimmed line in p->text */
	size_t koff, klen; /* key (L_KV, L_HEADER) */
	size_t voff, vlen; /* value (L_KV) */
	int indent;
	unsigned char kind;
	unsigned char gap;	 /* blank line(s) before this one */
	unsigned char lower_key; /* key all lowercase (RPSL style) */
	unsigned char nested;	 /* header whose block is indented */
	short role;
	int sect; /* section or paragraph number */
	int hdr;  /* the header line of its section, -1 */
	int cont; /* the key/value line this free line continues, -1 */
};

/* One contact as read, before placeholders and references are applied */
struct tcon {
	int role;
	int sect; /* section/paragraph, -1 for "Registrant Name" style keys */
	int net;  /* ARIN record group, -1 */
	char *handle, *name, *org, *email, *abuse, *phone, *country, *url;
	char *abuse_c, *org_ref, *irt_ref;
	struct td_buf addr;
	int nr_free; /* free lines read in its section */
};

struct ref {
	char *handle;
	int role;
	int net; /* network it belongs to, -1 for the domain */
};

struct net {
	int v6, have_range;
	unsigned char lo[16], hi[16];
	char *range_text, *handle, *name, *parent, *country, *org, *org_ref;
	char *descr, *abuse, *abuse_phone, *irt_ref, *remark_abuse;
	char *created, *updated;
	char **cidrs;
	size_t nr_cidrs;
	long origin;
	int sect;
};

struct abuse_comment {
	char *range, *email;
};

struct cand {
	char *v;
	int prio;
};

struct parser {
	struct td_record *r;
	const char *hint;
	struct td_buf text;
	struct wline *lines;
	size_t nr_lines, alloc_lines;
	int oom;
	int cut_field_noted;

	struct cand domain, registrar, reg_url, reg_whois, reg_email, reg_phone;
	struct cand abuse_email, abuse_phone, created, updated, expires;
	struct cand dnssec, referral, iana_id, asn_name;

	struct tcon *cons;
	size_t nr_cons, alloc_cons;
	struct ref *refs;
	size_t nr_refs, alloc_refs;
	struct net *nets;
	size_t nr_nets, alloc_nets;
	int arin_cur; /* ARIN record group being read, -1 */
	struct abuse_comment *acs;
	size_t nr_acs, alloc_acs;
	long asn_lo, asn_hi;
	char *asn_handle, *asn_org, *asn_country;
	long route_origin;
	int nr_routes, mixed_origins; /* RPSL route objects (RADB) */
	int month_first;	      /* registry writes MM/DD/YYYY */
	int tonic;	  /* Tonic (.to): "label nameserver" lines */
	int not_assigned; /* IANA: "organisation: Not assigned" */
};

/* ---- values ---- */

/* A copy of s[0..n) trimmed and cut at TD_WHOIS_MAX_FIELD; NULL if empty */
static char *
value_dup(struct parser *p, const char *s, size_t n)
{
	char *d;

	while (n && is_space((unsigned char)*s))
		s++, n--;
	while (n && is_space((unsigned char)s[n - 1]))
		n--;
	if (!n)
		return NULL;
	if (n > TD_WHOIS_MAX_FIELD) {
		n = TD_WHOIS_MAX_FIELD;
		/* back to the start of a UTF-8 sequence */
		while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
		if (!p->cut_field_noted) {
			td_record_note(p->r,
				       "a value longer than %d bytes "
				       "was cut",
				       TD_WHOIS_MAX_FIELD);
			p->cut_field_noted = 1;
		}
	}
	d = td_strndup(s, n);
	if (!d)
		p->oom = 1;
	return d;
}

/* Values that mean "nothing here" */
static int
empty_value(const char *v)
{
	/* clang-format off */
	static const char *const e[] = {
	    "-", "n/a", "na", "none", "null", "not defined", "not defined.",
	    "not applicable", ".", "--", "unknown", "not set", NULL};
	/* clang-format on */
	char low[32];
	size_t i;

	if (!v || !*v)
		return 1;
	for (i = 0; v[i] && i + 1 < sizeof(low); i++)
		low[i] = (char)lower((unsigned char)v[i]);
	if (v[i])
		return 0;
	low[i] = '\0';
	return in_list(low, e);
}

static void
set_str(struct parser *p, char **dst, const char *s, size_t n)
{
	char *v;

	if (*dst)
		return;
	v = value_dup(p, s, n);
	if (v && empty_value(v)) {
		free(v);
		return;
	}
	*dst = v;
}

static void
cand_set(struct parser *p, struct cand *c, int prio, const char *s, size_t n)
{
	char *v;

	if (c->v && c->prio <= prio)
		return;
	v = value_dup(p, s, n);
	if (!v)
		return;
	if (empty_value(v)) {
		free(v);
		return;
	}
	free(c->v);
	c->v = v;
	c->prio = prio;
}

static int
looks_email(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);
	size_t i;

	if (!at || at == s || at + 1 >= s + n)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] == ' ' || s[i] == '\t')
			return 0;
	return memchr(at, '.', (size_t)(s + n - at)) != NULL;
}

/* The first e-mail address inside s[0..n), as a span */
static int
find_email(const char *s, size_t n, size_t *off, size_t *len)
{
	size_t i, a, b;

	for (i = 0; i < n; i++) {
		if (s[i] != '@' || !i)
			continue;
		a = i;
		while (a > 0 && (is_alnum((unsigned char)s[a - 1]) ||
				 strchr("._%+-'", s[a - 1])))
			a--;
		b = i + 1;
		while (b < n && (is_alnum((unsigned char)s[b]) || s[b] == '.' ||
				 s[b] == '-'))
			b++;
		while (b > i + 1 && s[b - 1] == '.')
			b--;
		if (a < i && b > i + 1 && memchr(s + i, '.', b - i)) {
			*off = a;
			*len = b - a;
			return 1;
		}
	}
	return 0;
}

static int
looks_phone(const char *s, size_t n)
{
	size_t i, digits = 0;

	if (!n || (s[0] != '+' && s[0] != '(' && !(s[0] >= '0' && s[0] <= '9')))
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (!strchr("+-(). x/", s[i]))
			return 0;
	}
	return digits >= 6;
}

static int
looks_url(const char *s, size_t n)
{
	return (n > 7 && !strncmp(s, "http://", 7)) ||
	       (n > 8 && !strncmp(s, "https://", 8)) ||
	       (n > 4 && !strncmp(s, "www.", 4));
}

/* ---- step 1: clean the text ---- */

static int
clean_text(struct parser *p, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run;
	int latin1 = 0, nul = 0, ctl = 0;

	td_buf_init(&p->text, 0);
	if (td_buf_grow(&p->text, len + len / 8 + 1) < 0)
		return TD_ENOMEM;
	while (i < len) {
		run = i;
		while (run < len && u[run] >= 0x20 && u[run] < 0x7f)
			run++;
		if (run > i) {
			td_buf_add(&p->text, s + i, run - i);
			i = run;
			continue;
		}
		if (u[i] == 0) {
			nul = 1;
			i++;
		} else if (u[i] < 0x80) {
			if (u[i] == '\t' || u[i] == '\n' || u[i] == '\r') {
				td_buf_addch(&p->text, u[i]);
			} else {
				td_buf_addch(&p->text, ' ');
				ctl = 1;
			}
			i++;
		} else {
			unsigned cp;
			size_t n = td_utf8_decode(&cp, u + i, len - i);

			if (n && !(cp >= 0x80 && cp < 0xa0)) {
				td_buf_add(&p->text, s + i, n);
				i += n;
			} else if (n) {
				/* C1 controls */
				td_buf_addch(&p->text, ' ');
				ctl = 1;
				i += n;
			} else {
				/*
				 * Not UTF-8: read as Latin-1 (ISO 8859-1),
				 * what .fi, .fr, .nl and many older servers
				 * send.  0x80-0x9f are C1 controls there.
				 */
				if (u[i] < 0xa0) {
					td_buf_addch(&p->text, ' ');
				} else {
					td_buf_addch(&p->text,
						     0xc0 | (u[i] >> 6));
					td_buf_addch(&p->text,
						     0x80 | (u[i] & 0x3f));
				}
				latin1 = 1;
				i++;
			}
		}
	}
	if (td_buf_failed(&p->text))
		return TD_ENOMEM;
	if (latin1)
		td_record_note(p->r, "bytes that are not UTF-8 were read as "
				     "Latin-1");
	if (nul)
		td_record_note(p->r, "NUL bytes were dropped");
	if (ctl)
		td_record_note(p->r, "control characters became spaces");
	return 0;
}

/* ---- step 2: lines ---- */

/* Is the colon at k a key separator?  Not in "12:30" nor in "http://". */
static int
separator_colon(const char *t, size_t k, size_t end)
{
	if (k > 0 && k + 1 < end && t[k - 1] >= '0' && t[k - 1] <= '9' &&
	    t[k + 1] >= '0' && t[k + 1] <= '9')
		return 0;
	if (k + 2 < end && t[k + 1] == '/' && t[k + 2] == '/')
		return 0;
	return 1;
}

/* Set the value of l to t[k..e), without leading dots, quotes or YAML tags */
static void
set_value(const char *t, struct wline *l, size_t k, size_t e)
{
	while (k < e && is_space((unsigned char)t[k]))
		k++;
	/* JWhoisServer: "registrar:.........NAME" */
	if (k + 1 < e && t[k] == '.' && t[k + 1] == '.') {
		while (k < e && (t[k] == '.' || t[k] == ' '))
			k++;
	}
	/* YAML (smallregistry): quoted scalars, "!Registrar" tags */
	if (e - k >= 2 && t[k] == '"' && t[e - 1] == '"')
		k++, e--;
	/* YAML block scalars: the value is on the lines below */
	if ((e - k == 1 && (t[k] == '|' || t[k] == '>')) ||
	    (e - k == 2 && (t[k] == '|' || t[k] == '>') &&
	     (t[k + 1] == '-' || t[k + 1] == '+')))
		k = e;
	if (k < e && t[k] == '!') {
		size_t j = k + 1;

		while (j < e && is_alnum((unsigned char)t[j]))
			j++;
		if (j == e)
			k = e;
	}
	l->voff = k;
	l->vlen = e - k;
}

static void
classify(struct parser *p, struct wline *l)
{
	const char *t = p->text.ptr;
	size_t s = l->off, e = l->off + l->len, k, words = 0, ks, ke;
	int lc = 1;

	l->kind = L_FREE;
	if (t[s] == '%' || t[s] == '#' ||
	    (t[s] == ';' && l->len > 1 && t[s + 1] == ' ') ||
	    (l->len >= 3 && !memcmp(t + s, ">>>", 3))) {
		l->kind = L_COMMENT;
		return;
	}
	/*
	 * Enumerated keys: JPRS "a. [Domain Name]", MYNIC "a [Domain Name]",
	 * ZA gov "1a.        Domain Name : x".
	 */
	k = s;
	if (k < e && t[k] >= '0' && t[k] <= '9') {
		size_t j = k;

		while (j < e && j - k < 2 && t[j] >= '0' && t[j] <= '9')
			j++;
		if (j < e && t[j] >= 'a' && t[j] <= 'z')
			j++;
		if (j + 1 < e && t[j] == '.' && t[j + 1] == ' ') {
			j++;
			while (j < e && t[j] == ' ')
				j++;
			if (memchr(t + j, ':', e - j))
				k = j;
		}
	} else if (e - k > 3 && t[k] >= 'a' && t[k] <= 'z' &&
		   (t[k + 1] == '.' || t[k + 1] == ' ')) {
		size_t j = k + 1 + (t[k + 1] == '.');

		while (j < e && t[j] == ' ')
			j++;
		if (j < e && t[j] == '[' && j > k + 1)
			k = j;
	}
	s = k;
	/* JPRS, DENIC: "[Domain Name]   GOOGLE.JP", "[Tech-C]" */
	if (t[k] == '[') {
		const char *rb = memchr(t + k, ']', e - k < 80 ? e - k : 80);

		if (k + 1 >= e || t[k + 1] == ' ' || !rb) {
			/* "[ JPRS database provides ... ]": a banner */
			l->kind = L_COMMENT;
			return;
		}
		l->koff = k + 1;
		l->klen = (size_t)(rb - (t + k + 1));
		set_value(t, l, (size_t)(rb + 1 - t), e);
		l->kind = l->vlen ? L_KV : L_HEADER;
		return;
	}
	/* "Key: value", "Key.......: value", "Key#. . . . value" (.dz) */
	for (k = s; k < e && k - s < 80; k++) {
		if (t[k] == ':' && separator_colon(t, k, e))
			break;
		if (t[k] == '#' && k + 2 < e && t[k + 1] == '.' &&
		    (t[k + 2] == ' ' || t[k + 2] == '.'))
			break;
		if (t[k] >= 'A' && t[k] <= 'Z')
			lc = 0;
	}
	if (k < e && k > s && (t[k] == ':' || t[k] == '#')) {
		size_t sep = k;

		ks = s;
		ke = k;
		while (ke > ks && (t[ke - 1] == ' ' || t[ke - 1] == '.' ||
				   t[ke - 1] == '\t'))
			ke--;
		if (ke == ks || ke - ks > 64)
			return;
		for (k = ks; k < ke; k++)
			if (t[k] == ' ' && k + 1 < ke && t[k + 1] != ' ')
				words++;
		if (words > 7 || memchr(t + ks, '@', ke - ks))
			return;
		l->koff = ks;
		l->klen = ke - ks;
		k = sep + 1;
		if (t[sep] == '#')
			while (k < e && (t[k] == '.' || t[k] == ' '))
				k++;
		set_value(t, l, k, e);
		l->lower_key = (unsigned char)lc;
		l->kind = L_KV;
		return;
	}
	/*
	 * No colon: "Key<TAB>value" (SWITCH) and "Key-name    value"
	 * (SK-NIC): a short first part, then a tab or two spaces.
	 */
	for (k = s; k < e && k - s <= 40; k++) {
		unsigned char c = (unsigned char)t[k];

		if (c == '\t' || (c == ' ' && k + 1 < e && t[k + 1] == ' '))
			break;
		if (!(is_alnum(c) || c == ' ' || c == '-' || c == '_' ||
		      c == '.' || c == '/' || c >= 0x80))
			return;
	}
	if (k >= e || k - s > 40 || k == s)
		return;
	ke = k;
	if (t[ke] != '\t') {
		/* two spaces: only for one-word keys joined by - or _ */
		const char *dot;

		if (memchr(t + s, ' ', ke - s) ||
		    (!memchr(t + s, '-', ke - s) &&
		     !memchr(t + s, '_', ke - s)))
			return;
		/* "ns.123-reg.co.uk    212.67.202.2" is a host, not a key */
		for (dot = t + ke - 1; dot > t + s && *dot != '.'; dot--)
			;
		if (*dot == '.' && t + ke - dot > 2 &&
		    ((dot[1] | 0x20) >= 'a' && (dot[1] | 0x20) <= 'z'))
			return;
	}
	while (k < e && (t[k] == ' ' || t[k] == '\t'))
		k++;
	if (k >= e)
		return;
	l->koff = s;
	l->klen = ke - s;
	set_value(t, l, k, e);
	l->kind = L_KV;
}

static int
add_line(struct parser *p, size_t off, size_t len, int gap)
{
	const char *t = p->text.ptr;
	struct wline *l;
	int indent = 0;
	size_t i;

	for (i = 0; i < len && (t[off + i] == ' ' || t[off + i] == '\t'); i++)
		indent = t[off + i] == '\t' ? (indent / 8 + 1) * 8 : indent + 1;
	off += i;
	len -= i;
	while (len && is_space((unsigned char)t[off + len - 1]))
		len--;
	if (!len)
		return 1; /* blank */
	/* "-----", "*****", "=====": separators, as a blank line */
	for (i = 0; i < len && strchr("-*=_+~ ", t[off + i]); i++)
		;
	if (i == len && len >= 3)
		return 2;
	if (TD_ARRAY_GROW(p->lines, p->nr_lines + 1, p->alloc_lines) < 0) {
		p->oom = 1;
		return 0;
	}
	l = &p->lines[p->nr_lines++];
	memset(l, 0, sizeof(*l));
	l->off = off;
	l->len = len;
	l->indent = indent > 1000 ? 1000 : indent;
	l->gap = (unsigned char)gap;
	classify(p, l);
	return 0;
}

static void
split_lines(struct parser *p)
{
	const char *t = p->text.ptr;
	size_t n = p->text.len, i = 0, s, e, len;
	int gap = 0, cut = 0;

	while (i < n && !p->oom) {
		s = i;
		while (i < n && t[i] != '\n' && t[i] != '\r')
			i++;
		e = i;
		if (i < n && t[i] == '\r' && i + 1 < n && t[i + 1] == '\n')
			i++;
		if (i < n)
			i++;
		len = e - s;
		if (len > TD_WHOIS_MAX_LINE) {
			len = TD_WHOIS_MAX_LINE;
			while (len &&
			       ((unsigned char)t[s + len] & 0xc0) == 0x80)
				len--;
			cut = 1;
		}
		if (p->nr_lines >= TD_WHOIS_MAX_LINES) {
			td_record_note(p->r,
				       "only the first %d lines were read",
				       TD_WHOIS_MAX_LINES);
			break;
		}
		switch (add_line(p, s, len, gap)) {
		case 1:
			gap = 1;
			break;
		case 2:
			break; /* a separator line: neither text nor gap */
		default:
			gap = 0;
		}
	}
	if (cut)
		td_record_note(p->r, "a line longer than %d bytes was cut",
			       TD_WHOIS_MAX_LINE);
}

/* ---- keys ---- */

/*
 * Lowercase ASCII, Latin-1 letters without their accents ("Fecha de
 * creación" as "fecha de creacion"), punctuation as single spaces,
 * "registrant's" as "registrants".
 */
static void
norm_key(char *out, size_t size, const char *k, size_t kl)
{
	/* U+00C0..U+00FF without diacritics */
	static const char l1[] = "aaaaaaaceeeeiiiidnooooo*ouuuuyts"
				 "aaaaaaaceeeeiiiidnooooo/ouuuuyty";
	size_t i, n = 0;
	int sp = 1;

	for (i = 0; i < kl && n + 1 < size; i++) {
		unsigned char c = (unsigned char)k[i];

		if (c == 0xc3 && i + 1 < kl &&
		    ((unsigned char)k[i + 1] & 0xc0) == 0x80) {
			char f = l1[((unsigned char)k[i + 1] & 0x3f)];

			i++;
			if (f != '*' && f != '/') {
				out[n++] = f;
				sp = 0;
				continue;
			}
			c = ' ';
		}
		if (is_alnum(c) || c >= 0x80) {
			out[n++] = (char)lower(c);
			sp = 0;
		} else if (c == '\'') {
			continue;
		} else if (!sp) {
			out[n++] = ' ';
			sp = 1;
		}
	}
	while (n && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

/*
 * Other readings of a bilingual or annotated key: "Agente Registrador
 * (Registrar)" -> "registrar", "Creation Date (dd/mm/yyyy)" -> "creation
 * date", "Data de registo / Creation Date" -> both halves, "Name Server 1"
 * -> "name server".  Writes up to 5 keys into v; returns how many.
 */
static int
key_variants(const char *k, size_t kl, char v[][80])
{
	const char *o = memchr(k, '(', kl), *c, *sl;
	int n = 0;

	if (o) {
		c = memchr(o, ')', (size_t)(k + kl - o));
		if (c && c > o + 1)
			norm_key(v[n++], 80, o + 1, (size_t)(c - o - 1));
		if (o > k)
			norm_key(v[n++], 80, k, (size_t)(o - k));
	}
	/* "Name Server 1", "ns_name_01", "nserver2" */
	{
		char tmp[80];
		size_t tl;

		norm_key(tmp, sizeof(tmp), k, kl);
		tl = strlen(tmp);
		while (tl && tmp[tl - 1] >= '0' && tmp[tl - 1] <= '9')
			tl--;
		if (tl && tl < strlen(tmp)) {
			while (tl && tmp[tl - 1] == ' ')
				tl--;
			tmp[tl] = '\0';
			if (tl)
				memcpy(v[n++], tmp, tl + 1);
		}
	}
	sl = memchr(k, '/', kl);
	if (sl && sl > k && sl[-1] == ' ' && sl + 1 < k + kl && sl[1] == ' ') {
		const char *end = o && o > sl ? o : k + kl;

		norm_key(v[n++], 80, sl + 1, (size_t)(end - sl - 1));
		norm_key(v[n++], 80, k, (size_t)(sl - k));
	}
	return n;
}

/* clang-format off */
static const char *const created_keys[] = {
    "creation date", "created", "created on", "created date", "create date",
    "registered", "registered on", "registration date", "registration time",
    "domain registration date", "domain create date", "domain created",
    "record created", "record created on", "domain record activated",
    "activation", "activated", "activation date", "registered date",
    "domain registered", "commencement date", "domain name commencement date",
    "created at", "registration", "creation", "domain creation date",
    "domain registered on", "date registered", "registered since",
    "created time", "domain created on", "fecha de creacion",
    "fecha de registro", "fecha de alta", "data de criacao",
    "date de creation", "first registration date",
    "registration date and time", "domain registration", "registrated",
    "create", "creation time", "registered at", "creationdate",
    "domain datecreate", "datecreate", "created date utc", "date approved",
    "acivated", "activated on", "entry created", "registration date utc",
    "domain name registration date", "registered first", "first registered",
    "created on utc", NULL};
/* clang-format on */

/* clang-format off */
static const char *const expires_keys[] = {
    "registry expiry date", "registrar registration expiration date",
    "expiration date", "expiry date", "expires", "expires on", "expire",
    "expire date", "exp date", "domain expiration date", "domain expires",
    "record will expire on", "record expires on", "renewal date", "paid till",
    "expiration time", "valid until", "expiry", "domain expiry date",
    "registry expiration date", "expire on", "expiration", "date of expiry",
    "fecha de expiracion", "fecha de vencimiento", "expires at",
    "domain expires on", "registration expiration date", "expiration date utc",
    "renew date", "data de expiracao", "date d expiration", "expirationdate",
    "domain dateexpire", "dateexpire", "date renewal", "expired",
    "record expired", "renewal", "domain currently expires",
    "registrar expiration date", "valid date", NULL};
/* clang-format on */

/* clang-format off */
static const char *const updated_keys[] = {
    "updated date", "last updated", "last update", "last modified", "modified",
    "changed", "last updated on", "last updated date",
    "domain last updated date", "domain record last updated", "updated",
    "last update date", "modification date", "record last updated on",
    "last changed", "updated on", "last modified date", "domain last updated",
    "fecha de ultima actualizacion", "ultima actualizacion",
    "last modification", "domain last modified", "data de atualizacao",
    "last updated date utc", "update date", "domain updated", "modified date",
    "last edited", "updated at", "domain dateupdate", "last modified on",
    "entry updated", "record last modified", "last updated at",
    "domain datelastmodified", "record modified on", "derniere modification",
    NULL};
/* clang-format on */

/* clang-format off */
static const char *const registrar_keys[] = {
    "registrar", "registrar name", "sponsoring registrar",
    "registration service provider", "registrar organization",
    "registrar organisation", "current registrar", "current registar",
    "authorized agency", "registrar of record", "registrar company",
    "sponsoring registrar organization", "registrar name english",
    "registration service provided by", "registrar information",
    "registrar handle", "domain registrar",
    "domain registration service provided by", "registered by",
    "agente registrador", "authorised registrar", "authorized registrar",
    "sponsoring registrar name", "registrar organization name", NULL};
/* clang-format on */

/* clang-format off */
static const char *const registrar_url_keys[] = {
    "registrar url", "referral url", "registrar website",
    "sponsoring registrar url", "registrar web", "registrar homepage",
    "registrar url registration services", "registrar web site",
    "sponsoring registrar website", "registration service url",
    "registrar www", NULL};
/* clang-format on */

/* clang-format off */
static const char *const registrar_whois_keys[] = {
    "registrar whois server", "whois server", "registrar whois",
    "sponsoring registrar whois server", "registrar whois server name", NULL};
/* clang-format on */

/* clang-format off */
static const char *const abuse_email_keys[] = {
    "registrar abuse contact email", "abuse contact email",
    "registrar abuse email", "sponsoring registrar abuse email", "abuse email",
    "abuse e mail", "abuse mailbox", "registrar abuse contact e mail",
    "sponsoring registrar abuse contact email", "abuse contact email address",
    "registrar abuse email address", NULL};
/* clang-format on */

/* clang-format off */
static const char *const abuse_phone_keys[] = {
    "registrar abuse contact phone", "abuse contact phone",
    "registrar abuse phone", "sponsoring registrar abuse phone", "abuse phone",
    "sponsoring registrar abuse contact phone", NULL};
/* clang-format on */

/* clang-format off */
static const char *const reg_email_keys[] = {
    "registrar email", "registrar e mail", "registrar contact email",
    "sponsoring registrar customer service email",
    "sponsoring registrar email", "registrar customer service email",
    "registrar contact information", "registrar contact",
    "sponsoring registrar contact", NULL};
/* clang-format on */

/* clang-format off */
static const char *const reg_phone_keys[] = {
    "registrar phone", "sponsoring registrar phone", "registrar telephone",
    "registrar contact phone", "registrar phone number", NULL};
/* clang-format on */

/* clang-format off */
static const char *const iana_id_keys[] = {
    "registrar iana id", "sponsoring registrar iana id", "iana id",
    "registrar id", "sponsoring registrar id", "iana registrar id",
    "registrar iana", NULL};
/* clang-format on */

/* clang-format off */
static const char *const domain_keys[] = {
    "domain name", "domain", "domainname", "domain name punycode",
    "domain name ace", "query", "nom de domaine", "dominio",
    "nombre de dominio", "domain name ascii", "domain information",
    "domain ace", "ace", "domain idn", "object", NULL};
/* clang-format on */

/* clang-format off */
static const char *const ns_keys[] = {
    "name server", "nameserver", "nameservers", "name servers", "nserver",
    "ns", "dns", "domain servers", "dns servers", "name server s",
    "primary server", "secondary server", "servidor de nombres",
    "domain nameservers", "host name", "hostname", "ns name",
    "primary name server", "secondary name server", "ns name", "dns name",
    "name servers information", "nameservers in listed order",
    "servidores dns", "nserver s", "name server name", NULL};
/* clang-format on */

/* clang-format off */
static const char *const status_keys[] = {
    "domain status", "status", "registration status", "state", "epp status",
    "domain state", "estado", "status registration", "registry status",
    "registrar status", NULL};
/* clang-format on */

static const char *const dnssec_keys[] = {"dnssec", "dnssec status", "signed",
					  "dnssec signed", NULL};

/* Field names of a contact, after a role prefix ("Registrant ") or in a
   contact's section */
enum cfield {
	CF_NONE,
	CF_NAME,
	CF_ORG,
	CF_EMAIL,
	CF_ABUSE,
	CF_PHONE,
	CF_COUNTRY,
	CF_ADDR,
	CF_HANDLE,
	CF_URL,
	CF_REF
};

/* clang-format off */
static const char *const cf_name[] = {
    "name", "contact name", "person", "full name", "contact", "nombre", "role",
    "name english", "nom", "naam", NULL};
/* clang-format on */
/* clang-format off */
static const char *const cf_org[] = {
    "organization", "organisation", "org", "company", "organization name",
    "company name", "org name", "organisation name", "organization english",
    "owner", "organizacion", "entidad", NULL};
/* clang-format on */
/* clang-format off */
static const char *const cf_email[] = {
    "email", "e mail", "mail", "email address", "e mail address",
    "contact email", "correo electronico", "emails", "e mails", NULL};
/* clang-format on */
static const char *const cf_abuse[] = {"abuse mailbox", NULL};
/* clang-format off */
static const char *const cf_phone[] = {
    "phone", "telephone", "phone number", "tel", "voice", "telephone number",
    "phone no", "telefono", "phone nr", NULL};
/* clang-format on */
/* clang-format off */
static const char *const cf_country[] = {
    "country", "country code", "country economy", "countrycode",
    "country name", "pais", NULL};
/* clang-format on */
/* clang-format off */
static const char *const cf_addr[] = {
    "street", "street1", "street2", "street3", "address", "address1",
    "address2", "address3", "city", "state", "state province", "province",
    "postal code", "postalcode", "zip", "zip code", "postcode",
    "address line 1", "address line 2", "address line 3", "street address",
    "stateprov", "postal address", "direccion", "ciudad", "city state", NULL};
/* clang-format on */
/* clang-format off */
static const char *const cf_handle[] = {
    "id", "handle", "contact id", "nic hdl", "nic handle", "nichandle",
    "contact handle", "registry id", NULL};
/* clang-format on */
/* clang-format off */
static const char *const cf_url[] = {
    "url", "web", "website", "web page", "homepage", NULL};
/* clang-format on */
static const char *const cf_ref[] = {"c", NULL};

/* Section headers */
/* clang-format off */
static const char *const hdr_dom[] = {
    "domain", "domain information", "domain name", "domain info",
    "domain details", "domain data", "domain record", NULL};
/* clang-format on */
/* clang-format off */
static const char *const hdr_ns[] = {
    "name servers", "nameservers", "name server", "nameserver", "dns",
    "dns servers", "domain servers", "nserver", "name servers information",
    "domain nameservers", "nameservers in listed order",
    "name servers in the listed order", "servers", "hosts",
    "name server information", "dns information", "nameserver information",
    "servidores dns", "servidor es de nombres de dominio", "keys",
    "domain servers in listed order", "domain name servers",
    "name servers in listed order", "dns servers information",
    "nameserver records", "name server records", "ns records", NULL};
/* clang-format on */
static const char *const hdr_dates[] = {"relevant dates", "dates",
					"important dates", NULL};
static const char *const hdr_status[] = {"registration status", "status",
					 "domain status", NULL};

/* A role word and the words that may follow it in a header */
static const struct {
	const char *word;
	int role;
} hdr_roles[] = {
    {"registrant", R_REGISTRANT},
    {"holder", R_REGISTRANT},
    {"owner", R_REGISTRANT},
    {"titular", R_REGISTRANT},
    {"domain holder", R_REGISTRANT},
    {"holder of domain name", R_REGISTRANT},
    {"registered owner", R_REGISTRANT},
    {"domain owner", R_REGISTRANT},
    {"domain registrant", R_REGISTRANT},
    {"contact information", R_REGISTRANT},
    {"administrative", R_ADMIN},
    {"admin", R_ADMIN},
    {"administrative contact technical contact", R_ADMIN},
    {"administrative technical contact", R_ADMIN},
    {"contacto administrativo", R_ADMIN},
    {"technical", R_TECH},
    {"tech", R_TECH},
    {"contacto tecnico", R_TECH},
    {"billing", R_BILLING},
    {"contacto de cobranza", R_BILLING},
    {"zone", R_ZONE},
    {"abuse", R_ABUSE},
    {"registrar", R_REGISTRAR},
    {"sponsoring registrar", R_REGISTRAR},
    {"reseller", R_RESELLER},
    {"registered through", R_RESELLER},
    {"ac", R_ADMIN},
    {"tc", R_TECH},
};
/* clang-format off */
static const char *const hdr_tails[] = {
    "", " contact", " contacts", " contact information", " contact info",
    " information", " info", " details", " c", " contact details", " data",
    " s address", " address", " handle", " name", NULL};
/* clang-format on */

/*
 * All key lists in one hash table, built once: a key is looked up once
 * instead of compared with each list in turn.  An entry says which K_*
 * lists hold the key, which contact field it names and which section a
 * header of that name opens.
 */
enum {
	K_CREATED = 1u << 0,
	K_EXPIRES = 1u << 1,
	K_UPDATED = 1u << 2,
	K_REGISTRAR = 1u << 3,
	K_REG_URL = 1u << 4,
	K_REG_WHOIS = 1u << 5,
	K_ABUSE_EMAIL = 1u << 6,
	K_ABUSE_PHONE = 1u << 7,
	K_REG_EMAIL = 1u << 8,
	K_REG_PHONE = 1u << 9,
	K_IANA = 1u << 10,
	K_DOMAIN = 1u << 11,
	K_NS = 1u << 12,
	K_STATUS = 1u << 13,
	K_DNSSEC = 1u << 14
};

#define KEY_SLOTS 4096u
#define KEY_ARENA 32768u

struct kinfo {
	const char *k;
	unsigned flags;
	unsigned char cfield, hrole;
};

static struct kinfo key_table[KEY_SLOTS];
static char key_arena[KEY_ARENA];
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static uint32_t
key_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static struct kinfo *
key_slot(const char *k)
{
	uint32_t h = key_hash(k) & (KEY_SLOTS - 1);

	while (key_table[h].k && strcmp(key_table[h].k, k))
		h = (h + 1) & (KEY_SLOTS - 1);
	if (!key_table[h].k)
		key_table[h].k = k;
	return &key_table[h];
}

static void
key_table_init(void)
{
	static const struct {
		const char *const *list;
		unsigned flag;
	} lists[] = {
	    {created_keys, K_CREATED},
	    {expires_keys, K_EXPIRES},
	    {updated_keys, K_UPDATED},
	    {registrar_keys, K_REGISTRAR},
	    {registrar_url_keys, K_REG_URL},
	    {registrar_whois_keys, K_REG_WHOIS},
	    {abuse_email_keys, K_ABUSE_EMAIL},
	    {abuse_phone_keys, K_ABUSE_PHONE},
	    {reg_email_keys, K_REG_EMAIL},
	    {reg_phone_keys, K_REG_PHONE},
	    {iana_id_keys, K_IANA},
	    {domain_keys, K_DOMAIN},
	    {ns_keys, K_NS},
	    {status_keys, K_STATUS},
	    {dnssec_keys, K_DNSSEC},
	};
	static const struct {
		const char *const *list;
		enum cfield f;
	} fields[] = {
	    {cf_name, CF_NAME},	  {cf_org, CF_ORG},
	    {cf_email, CF_EMAIL}, {cf_abuse, CF_ABUSE},
	    {cf_phone, CF_PHONE}, {cf_country, CF_COUNTRY},
	    {cf_addr, CF_ADDR},	  {cf_handle, CF_HANDLE},
	    {cf_url, CF_URL},	  {cf_ref, CF_REF},
	};
	static const struct {
		const char *const *list;
		int role;
	} hdrs[] = {
	    {hdr_dom, R_DOMAIN},
	    {hdr_ns, R_NS},
	    {hdr_dates, R_DATES},
	    {hdr_status, R_STATUS},
	};
	size_t i, j, used = 0;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		for (j = 0; lists[i].list[j]; j++)
			key_slot(lists[i].list[j])->flags |= lists[i].flag;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		for (j = 0; fields[i].list[j]; j++) {
			struct kinfo *e = key_slot(fields[i].list[j]);

			if (!e->cfield)
				e->cfield = (unsigned char)fields[i].f;
		}
	for (i = 0; i < sizeof(hdrs) / sizeof(hdrs[0]); i++)
		for (j = 0; hdrs[i].list[j]; j++) {
			struct kinfo *e = key_slot(hdrs[i].list[j]);

			if (!e->hrole)
				e->hrole = (unsigned char)hdrs[i].role;
		}
	/* every role word with every tail: "registrant contact" */
	for (i = 0; i < sizeof(hdr_roles) / sizeof(hdr_roles[0]); i++)
		for (j = 0; hdr_tails[j]; j++) {
			size_t n = strlen(hdr_roles[i].word) +
				   strlen(hdr_tails[j]) + 1;
			struct kinfo *e;
			char *k;

			if (used + n > KEY_ARENA)
				return;
			k = key_arena + used;
			snprintf(k, n, "%s%s", hdr_roles[i].word, hdr_tails[j]);
			used += n;
			e = key_slot(k);
			if (!e->hrole)
				e->hrole = (unsigned char)hdr_roles[i].role;
		}
}

static const struct kinfo *
key_info(const char *nk)
{
	static const struct kinfo none = {NULL, 0, 0, 0};
	uint32_t h;

	pthread_once(&key_once, key_table_init);
	h = key_hash(nk) & (KEY_SLOTS - 1);
	while (key_table[h].k) {
		if (!strcmp(key_table[h].k, nk))
			return &key_table[h];
		h = (h + 1) & (KEY_SLOTS - 1);
	}
	return &none;
}

static int
is_key(const char *nk, unsigned flag)
{
	return (key_info(nk)->flags & flag) != 0;
}

static enum cfield
contact_field(const char *k)
{
	return (enum cfield)key_info(k)->cfield;
}

/* The role a section header names, or R_NONE */
static int
header_role(const char *k)
{
	return key_info(k)->hrole;
}

/* "Registrant Name", "Admin Email", "Tech-C": the role a key starts with */
static int
role_prefix(const char *k, const char **rest)
{
	static const struct {
		const char *p;
		int role;
	} pre[] = {
	    {"registry registrant ", R_REGISTRANT},
	    {"registry admin ", R_ADMIN},
	    {"registry tech ", R_TECH},
	    {"registry billing ", R_BILLING},
	    {"registrant contact ", R_REGISTRANT},
	    {"registrant ", R_REGISTRANT},
	    {"holder ", R_REGISTRANT},
	    {"owner ", R_REGISTRANT},
	    {"titular ", R_REGISTRANT},
	    {"administrative contact ", R_ADMIN},
	    {"administrative ", R_ADMIN},
	    {"admin contact ", R_ADMIN},
	    {"admin ", R_ADMIN},
	    {"technical contact ", R_TECH},
	    {"technical ", R_TECH},
	    {"tech contact ", R_TECH},
	    {"tech ", R_TECH},
	    {"billing contact ", R_BILLING},
	    {"billing ", R_BILLING},
	    {"bill ", R_BILLING},
	    {"zone ", R_ZONE},
	    {"abuse ", R_ABUSE},
	    {"ac ", R_ADMIN},
	    {"tc ", R_TECH},
	};
	size_t i;

	for (i = 0; i < sizeof(pre) / sizeof(pre[0]); i++)
		if (starts(k, pre[i].p)) {
			*rest = k + strlen(pre[i].p);
			return pre[i].role;
		}
	return R_NONE;
}

/* RPSL: the class an object's first attribute names */
static int
rpsl_class(const char *k)
{
	static const struct {
		const char *k;
		int role;
	} c[] = {
	    {"inetnum", R_NET},		{"inet6num", R_NET},
	    {"aut-num", R_ASN},		{"route", R_ROUTE},
	    {"route6", R_ROUTE},	{"person", R_CONTACT},
	    {"role", R_CONTACT},	{"nic-hdl", R_CONTACT},
	    {"organisation", R_ORG},	{"irt", R_IRT},
	    {"mntner", R_IGNORE},	{"key-cert", R_IGNORE},
	    {"as-block", R_IGNORE},	{"as-set", R_IGNORE},
	    {"route-set", R_IGNORE},	{"domain", R_DOMAIN},
	    {"registrar", R_REGISTRAR}, {"ns-list", R_NS},
	    {"contact", R_CONTACT},	{"poem", R_IGNORE},
	    {"peering-set", R_IGNORE},	{"filter-set", R_IGNORE},
	    {"inet-rtr", R_IGNORE},	{"rtr-set", R_IGNORE},
	    {"dom-reg", R_DOMAIN},
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		if (!strcmp(k, c[i].k))
			return c[i].role;
	return R_NONE;
}

/* ---- step 3: sections ---- */

static void
line_key(const struct parser *p, const struct wline *l, char *nk, size_t n)
{
	norm_key(nk, n, p->text.ptr + l->koff, l->klen);
}

/*
 * A date key that names the domain's date even inside a contact's or the
 * registrar's block ("Creation Date", "Domain Expiration Date"), unlike
 * "Created" or "Changed", which there are the contact's own.
 */
static int
domain_date_key(const char *nk)
{
	if (!is_key(nk, K_CREATED) && !is_key(nk, K_EXPIRES) &&
	    !is_key(nk, K_UPDATED))
		return 0;
	return strstr(nk, " date") != NULL || starts(nk, "domain ") ||
	       starts(nk, "registry ") || starts(nk, "registrar ");
}

/* A key whose value may sit on the next line ("Entry created:\n  date") */
static int
value_key(const char *nk)
{
	return is_key(nk, K_CREATED) || is_key(nk, K_EXPIRES) ||
	       is_key(nk, K_UPDATED) || is_key(nk, K_REGISTRAR) ||
	       is_key(nk, K_DOMAIN) || is_key(nk, K_STATUS) ||
	       is_key(nk, K_DNSSEC) || !strcmp(nk, "registered by");
}

static int
memchr_digit(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] >= '0' && s[i] <= '9')
			return 1;
	return 0;
}

/* The section role a header names, trying the key's other readings */
static int
header_role_any(const struct parser *p, const struct wline *l, const char *nk)
{
	char var[5][80];
	int i, nv, r = header_role(nk);

	if (r != R_NONE)
		return r;
	nv = key_variants(p->text.ptr + l->koff, l->klen, var);
	for (i = 0; i < nv; i++)
		if ((r = header_role(var[i])) != R_NONE)
			return r;
	return R_NONE;
}

static void
find_sections(struct parser *p)
{
	size_t i;
	int role = R_NONE, sect = 0, para_role = R_NONE, para_first = 1;
	int sect_indent = -1, nested = 0, hdr = -1, last_kv = -1;
	char nk[80];

	/* headers: "Key:" alone, or a known section name on its own line */
	for (i = 0; i < p->nr_lines; i++) {
		struct wline *l = &p->lines[i];
		const struct wline *nx =
		    i + 1 < p->nr_lines ? &p->lines[i + 1] : NULL;
		int deeper = nx && !nx->gap && nx->kind != L_COMMENT &&
			     nx->indent > l->indent;

		l->hdr = -1;
		if (l->kind == L_KV && !l->vlen) {
			line_key(p, l, nk, sizeof(nk));
			if (deeper || header_role_any(p, l, nk) != R_NONE ||
			    (nx && !nx->gap && nx->kind == L_FREE &&
			     value_key(nk)))
				l->kind = L_HEADER;
		} else if (l->kind == L_FREE && l->len <= 48 &&
			   p->text.ptr[l->off + l->len - 1] != '.' &&
			   (l->gap || i == 0 ||
			    p->lines[i - 1].kind != L_FREE ||
			    p->lines[i - 1].indent != l->indent)) {
			/* .it "Registrant", "Admin Contact" on their own; not
			   a sentence's last words ("registrant data.") */
			norm_key(nk, sizeof(nk), p->text.ptr + l->off, l->len);
			if (header_role(nk) != R_NONE) {
				l->kind = L_HEADER;
				l->koff = l->off;
				l->klen = l->len;
			}
		}
		if (l->kind == L_HEADER)
			l->nested = (unsigned char)deeper;
	}

	for (i = 0; i < p->nr_lines; i++) {
		struct wline *l = &p->lines[i];
		const struct wline *nx =
		    i + 1 < p->nr_lines ? &p->lines[i + 1] : NULL;

		/*
		 * A free line indented under a key/value line continues its
		 * value (NASK "nameservers:" then one server per line).
		 */
		l->cont = -1;
		if (l->gap || l->kind != L_FREE)
			last_kv = l->kind == L_KV && l->vlen ? (int)i : -1;
		else if (last_kv >= 0 && l->indent > p->lines[last_kv].indent)
			l->cont = last_kv;
		else
			last_kv = -1;
		if (l->gap) {
			para_first = 1;
			para_role = R_NONE;
			/* HKIRC: "Name Servers Information:", a blank line,
			   then the servers */
			if (hdr >= 0 && (size_t)hdr + 1 == i &&
			    l->kind == L_FREE) {
				l->role = (short)role;
				l->sect = sect;
				l->hdr = hdr;
				para_first = 0;
				continue;
			}
			if (role != R_NONE &&
			    (!nested || l->indent <= sect_indent)) {
				role = R_NONE;
				nested = 0;
				sect_indent = -1;
				hdr = -1;
			}
		}
		if (l->kind == L_COMMENT) {
			para_first = 1;
			para_role = R_NONE;
			l->role = R_NONE;
			l->sect = sect;
			continue;
		}
		if (nested && l->indent <= sect_indent) {
			role = R_NONE;
			nested = 0;
			sect_indent = -1;
			hdr = -1;
		}
		if (l->kind == L_HEADER) {
			line_key(p, l, nk, sizeof(nk));
			role = header_role_any(p, l, nk);
			if (role == R_NONE)
				role = R_OTHER;
			sect_indent = l->indent;
			nested = l->nested;
			para_role = R_NONE;
			para_first = 0;
			l->role = (short)role;
			l->sect = ++sect;
			hdr = (int)i;
			continue;
		}
		if (para_first && l->kind == L_KV) {
			line_key(p, l, nk, sizeof(nk));
			if (l->lower_key && l->indent == 0) {
				char rk[16];
				size_t kl = l->klen < sizeof(rk) - 1
						? l->klen
						: sizeof(rk) - 1;

				memcpy(rk, p->text.ptr + l->koff, kl);
				rk[kl] = '\0';
				para_role = rpsl_class(rk);
			} else if (!strcmp(nk, "server name")) {
				/* Verisign: host records of the same name */
				para_role = R_IGNORE;
			}
			if (para_role != R_NONE) {
				sect++;
				/* a paragraph ends a header's flat section */
				role = R_NONE;
				nested = 0;
				sect_indent = -1;
				hdr = -1;
			}
		}
		para_first = 0;
		/*
		 * A key with a value that opens a block: SWITCH
		 * "Registrar<TAB>MarkMonitor" then address lines, SK-NIC
		 * "Registrar: MARK-0292" then "Name:", .pr "Contact: Admin".
		 */
		if (l->kind == L_KV && para_role == R_NONE && !nested && nx &&
		    !nx->gap && nx->indent >= l->indent) {
			int hr;

			line_key(p, l, nk, sizeof(nk));
			hr = header_role(nk);
			if (!strcmp(nk, "contact") ||
			    !strcmp(nk, "contact type")) {
				char vk[32];

				norm_key(vk, sizeof(vk), p->text.ptr + l->voff,
					 l->vlen);
				hr = header_role(vk);
			} else if (!((hr >= R_REGISTRANT && hr <= R_ABUSE) ||
				     hr == R_REGISTRAR)) {
				hr = R_NONE;
			} else if (nx->kind == L_KV) {
				char nk2[80];
				enum cfield f;

				line_key(p, nx, nk2, sizeof(nk2));
				f = contact_field(nk2);
				/* the value must be the block's handle */
				if (f == CF_NONE ||
				    (hr == R_REGISTRAR && f != CF_NAME &&
				     f != CF_ORG) ||
				    !strcmp(nk2, "person") ||
				    memchr(p->text.ptr + l->voff, ' ',
					   l->vlen) ||
				    !memchr_digit(p->text.ptr + l->voff,
						  l->vlen))
					hr = R_NONE;
			} else if (nx->kind != L_FREE) {
				hr = R_NONE;
			}
			if (hr >= R_REGISTRANT && hr <= R_ABUSE)
				;
			else if (hr != R_REGISTRAR)
				hr = R_NONE;
			if (hr != R_NONE) {
				role = hr;
				sect_indent = l->indent;
				nested = 0;
				hdr = -1;
				l->role = (short)role;
				l->sect = ++sect;
				l->hdr = -1;
				continue;
			}
		}
		l->role = (short)(para_role != R_NONE ? para_role : role);
		l->sect = sect;
		l->hdr = para_role != R_NONE ? -1 : hdr;
	}
}

/* ---- contacts, references, networks ---- */

static struct tcon *
con_get(struct parser *p, int role, int sect, int net)
{
	size_t i;
	struct tcon *c;

	for (i = p->nr_cons; i > 0; i--) {
		c = &p->cons[i - 1];
		if (c->role == role && c->sect == sect && c->net == net)
			return c;
	}
	if (p->nr_cons >= 500)
		return NULL;
	if (TD_ARRAY_GROW(p->cons, p->nr_cons + 1, p->alloc_cons) < 0) {
		p->oom = 1;
		return NULL;
	}
	c = &p->cons[p->nr_cons++];
	memset(c, 0, sizeof(*c));
	c->role = role;
	c->sect = sect;
	c->net = net;
	td_buf_init(&c->addr, TD_WHOIS_MAX_FIELD);
	return c;
}

static void
con_addr(struct parser *p, struct tcon *c, const char *v, size_t n)
{
	while (n && is_space((unsigned char)*v))
		v++, n--;
	if (!n)
		return;
	if (c->addr.len)
		td_buf_add(&c->addr, ", ", 2);
	td_buf_add(&c->addr, v, n);
	if (td_buf_failed(&c->addr) & TD_BUF_OOM)
		p->oom = 1;
}

static void
con_field(struct parser *p, struct tcon *c, enum cfield f, const char *v,
	  size_t n)
{
	if (!c)
		return;
	switch (f) {
	case CF_NAME:
		set_str(p, &c->name, v, n);
		break;
	case CF_ORG:
		set_str(p, &c->org, v, n);
		break;
	case CF_EMAIL:
		set_str(p, &c->email, v, n);
		break;
	case CF_ABUSE:
		set_str(p, &c->abuse, v, n);
		break;
	case CF_PHONE:
		set_str(p, &c->phone, v, n);
		break;
	case CF_COUNTRY:
		if (n == 2 && is_alnum((unsigned char)v[0]))
			set_str(p, &c->country, v, n);
		else
			con_addr(p, c, v, n);
		break;
	case CF_ADDR:
		con_addr(p, c, v, n);
		break;
	case CF_HANDLE:
		set_str(p, &c->handle, v, n);
		break;
	case CF_URL:
		set_str(p, &c->url, v, n);
		break;
	default:
		break;
	}
}

static void
add_ref(struct parser *p, const char *v, size_t n, int role, int net)
{
	struct ref *rf;
	char *h;

	if (p->nr_refs >= 500)
		return;
	h = value_dup(p, v, n);
	if (!h)
		return;
	/* "GOGL1-ARIN (tech)" or "X Y": the first word is the handle */
	h[strcspn(h, " \t")] = '\0';
	if (TD_ARRAY_GROW(p->refs, p->nr_refs + 1, p->alloc_refs) < 0) {
		free(h);
		p->oom = 1;
		return;
	}
	rf = &p->refs[p->nr_refs++];
	rf->handle = h;
	rf->role = role;
	rf->net = net;
}

static void
store_add(struct parser *p, char ***list, size_t *nr, const char *s, size_t n)
{
	size_t i;

	if (*nr >= 64)
		return;
	for (i = 0; i < *nr; i++)
		if (strlen((*list)[i]) == n && !memcmp((*list)[i], s, n))
			return;
	if (td_strlist_add(list, nr, s, n) < 0)
		p->oom = 1;
}

/* ---- IP addresses ---- */

struct u128 {
	uint64_t hi, lo;
};

static struct u128
u128_from(const unsigned char *b)
{
	struct u128 x = {0, 0};
	int i;

	for (i = 0; i < 8; i++)
		x.hi = x.hi << 8 | b[i];
	for (i = 8; i < 16; i++)
		x.lo = x.lo << 8 | b[i];
	return x;
}

static void
u128_to(unsigned char *b, struct u128 x)
{
	int i;

	for (i = 15; i >= 8; i--, x.lo >>= 8)
		b[i] = (unsigned char)x.lo;
	for (i = 7; i >= 0; i--, x.hi >>= 8)
		b[i] = (unsigned char)x.hi;
}

static int
u128_cmp(struct u128 a, struct u128 b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	if (a.lo != b.lo)
		return a.lo < b.lo ? -1 : 1;
	return 0;
}

static struct u128
u128_sub(struct u128 a, struct u128 b)
{
	struct u128 d;

	d.lo = a.lo - b.lo;
	d.hi = a.hi - b.hi - (a.lo < b.lo);
	return d;
}

/* 2^k - 1 */
static struct u128
u128_mask(int k)
{
	struct u128 m = {0, 0};

	if (k >= 128) {
		m.hi = m.lo = ~(uint64_t)0;
	} else if (k >= 64) {
		m.lo = ~(uint64_t)0;
		m.hi = k == 64 ? 0 : (((uint64_t)1 << (k - 64)) - 1);
	} else if (k > 0) {
		m.lo = ((uint64_t)1 << k) - 1;
	}
	return m;
}

/* Parse one address (IPv4 may be abbreviated: "200.57.128") */
static int
parse_addr(const char *s, size_t n, unsigned char *out, int *v6)
{
	char a[64];
	size_t i;
	int dots = 0;

	while (n && is_space((unsigned char)*s))
		s++, n--;
	while (n && is_space((unsigned char)s[n - 1]))
		n--;
	if (!n || n >= sizeof(a) - 8)
		return -1;
	memcpy(a, s, n);
	a[n] = '\0';
	memset(out, 0, 16);
	if (strchr(a, ':')) {
		*v6 = 1;
		return inet_pton(AF_INET6, a, out) == 1 ? 0 : -1;
	}
	for (i = 0; i < n; i++) {
		if (a[i] == '.')
			dots++;
		else if (a[i] < '0' || a[i] > '9')
			return -1;
	}
	/* LACNIC writes 200.57.128/19 */
	while (dots < 3) {
		memcpy(a + n, ".0", 3);
		n += 2;
		dots++;
	}
	*v6 = 0;
	/* leading zeros (ARIN RDAP's 074.125.000.000) are decimal */
	{
		unsigned long o[4];
		char *e = a;
		int k;

		for (k = 0; k < 4; k++) {
			o[k] = strtoul(e, &e, 10);
			if (o[k] > 255 || (k < 3 && *e != '.') ||
			    (k == 3 && *e))
				return -1;
			e++;
		}
		for (k = 0; k < 4; k++)
			out[12 + k] = (unsigned char)o[k];
	}
	return 0;
}

/* "a - b", "a-b", "prefix/len" (abbreviated IPv4 too) */
static int
parse_range(const char *s, size_t n, struct net *net)
{
	const char *dash = memchr(s, '-', n), *slash;
	int v6a, v6b;

	if (dash) {
		if (parse_addr(s, (size_t)(dash - s), net->lo, &v6a) ||
		    parse_addr(dash + 1, (size_t)(s + n - dash - 1), net->hi,
			       &v6b) ||
		    v6a != v6b)
			return -1;
		net->v6 = v6a;
	} else if ((slash = memchr(s, '/', n)) != NULL) {
		char *e;
		char lenbuf[8];
		size_t ll = (size_t)(s + n - slash - 1);
		unsigned long plen;
		int bits;
		struct u128 a, m;

		if (!ll || ll >= sizeof(lenbuf))
			return -1;
		memcpy(lenbuf, slash + 1, ll);
		lenbuf[ll] = '\0';
		plen = strtoul(lenbuf, &e, 10);
		if (*e && *e != ' ')
			return -1;
		if (parse_addr(s, (size_t)(slash - s), net->lo, &v6a))
			return -1;
		bits = v6a ? 128 : 32;
		if (plen > (unsigned long)bits)
			return -1;
		a = u128_from(net->lo);
		m = u128_mask(bits - (int)plen);
		a.hi &= ~m.hi;
		a.lo &= ~m.lo;
		if (!v6a) {
			a.hi = 0;
			a.lo &= 0xffffffffu;
		}
		u128_to(net->lo, a);
		a.hi |= m.hi;
		a.lo |= m.lo;
		u128_to(net->hi, a);
		net->v6 = v6a;
	} else {
		if (parse_addr(s, n, net->lo, &v6a))
			return -1;
		memcpy(net->hi, net->lo, 16);
		net->v6 = v6a;
	}
	if (u128_cmp(u128_from(net->lo), u128_from(net->hi)) > 0)
		return -1;
	net->have_range = 1;
	return 0;
}

static void
addr_text(char *out, size_t size, const unsigned char *a, int v6)
{
	if (v6)
		inet_ntop(AF_INET6, a, out, (socklen_t)size);
	else
		inet_ntop(AF_INET, a + 12, out, (socklen_t)size);
}

/* The CIDR prefixes that cover lo..hi exactly (at most 64) */
static void
range_cidrs(struct parser *p, struct net *net)
{
	int bits = net->v6 ? 128 : 32;
	struct u128 lo = u128_from(net->lo), hi = u128_from(net->hi);
	char txt[64], buf[80];
	unsigned char b[16];

	while (u128_cmp(lo, hi) <= 0 && net->nr_cidrs < 64) {
		int k = 0;
		struct u128 m, top;

		/* the largest aligned block at lo that stays within hi */
		while (k < bits) {
			m = u128_mask(k + 1);
			if ((lo.hi & m.hi) || (lo.lo & m.lo))
				break;
			top.hi = lo.hi | m.hi;
			top.lo = lo.lo | m.lo;
			if (u128_cmp(top, hi) > 0)
				break;
			k++;
		}
		u128_to(b, lo);
		addr_text(txt, sizeof(txt), b, net->v6);
		snprintf(buf, sizeof(buf), "%s/%d", txt, bits - k);
		store_add(p, &net->cidrs, &net->nr_cidrs, buf, strlen(buf));
		m = u128_mask(k);
		top.hi = lo.hi | m.hi;
		top.lo = lo.lo | m.lo;
		if (!net->v6 && top.lo >= 0xffffffffu)
			break;
		if (top.hi == ~(uint64_t)0 && top.lo == ~(uint64_t)0)
			break;
		lo = top;
		if (++lo.lo == 0)
			lo.hi++;
	}
}

static struct net *
net_new(struct parser *p, int sect)
{
	struct net *n;

	if (p->nr_nets >= 64)
		return NULL;
	if (TD_ARRAY_GROW(p->nets, p->nr_nets + 1, p->alloc_nets) < 0) {
		p->oom = 1;
		return NULL;
	}
	n = &p->nets[p->nr_nets++];
	memset(n, 0, sizeof(*n));
	n->origin = -1;
	n->sect = sect;
	return n;
}

static long
parse_asn(const char *v, size_t n)
{
	long a = 0;
	size_t i = 0, d = 0;

	if (n >= 2 && lower((unsigned char)v[0]) == 'a' &&
	    lower((unsigned char)v[1]) == 's')
		i = 2;
	for (; i < n && v[i] >= '0' && v[i] <= '9' && d < 10; i++, d++)
		a = a * 10 + (v[i] - '0');
	if (!d || a > 4294967295L)
		return -1;
	return a;
}

/* ---- step 4: reading keys ---- */

static void
take_date(struct parser *p, struct cand *c, int prio, const char *what,
	  const char *v, size_t n)
{
	char raw[128], iso[32];
	size_t i;

	if (c->v && c->prio <= prio)
		return;
	if (!n)
		return;
	if (n >= sizeof(raw))
		n = sizeof(raw) - 1;
	memcpy(raw, v, n);
	raw[n] = '\0';
	if (p->month_first) {
		/* MM/DD/YYYY registries: turn into DD/MM/YYYY */
		unsigned a, b, y;
		char rest[96];

		rest[0] = '\0';
		if (sscanf(raw, "%2u/%2u/%4u%95[^\n]", &a, &b, &y, rest) >= 3 &&
		    a <= 12) {
			snprintf(raw, sizeof(raw), "%02u/%02u/%04u%s", b, a, y,
				 rest);
		}
	}
	if (td_record_date(iso, sizeof(iso), raw) < 0) {
		/*
		 * A date after other words: RPSL "changed: hm@apnic.net
		 * 20041222", UANIC "created: 0-UANIC 20020903000000",
		 * ISOC-IL "registrar AT ns.il 19990605".
		 */
		const char *w = raw;
		int tries;

		for (tries = 0; tries < 6; tries++) {
			w = strchr(w, ' ');
			if (!w)
				break;
			while (*w == ' ')
				w++;
			if (td_record_date(iso, sizeof(iso), w) == 0) {
				cand_set(p, c, prio, iso, strlen(iso));
				return;
			}
		}
		for (i = 0; raw[i]; i++)
			if ((unsigned char)raw[i] < 0x20)
				raw[i] = ' ';
		if (!empty_value(raw))
			td_record_note(p->r, "%s: date not understood: %.60s",
				       what, raw);
		return;
	}
	cand_set(p, c, prio, iso, strlen(iso));
}

/*
 * A network's date: the first one given, or (latest) the latest, as RPSL
 * lists "changed:" lines oldest first.
 */
static void
net_date(struct parser *p, char **dst, int latest, const char *what,
	 const char *v, size_t n)
{
	struct cand c = {NULL, 0};

	take_date(p, &c, 1, what, v, n);
	if (!c.v)
		return;
	if (!*dst || (latest && strcmp(c.v, *dst) > 0)) {
		free(*dst);
		*dst = c.v;
	} else {
		free(c.v);
	}
}

static void
take_nameserver(struct parser *p, const char *v, size_t n)
{
	char ns[256];
	size_t i = 0, k = 0;

	while (i < n && is_space((unsigned char)v[i]))
		i++;
	for (; i < n && !is_space((unsigned char)v[i]) && v[i] != ',' &&
	       k + 1 < sizeof(ns);
	     i++)
		ns[k++] = (char)lower((unsigned char)v[i]);
	while (k && ns[k - 1] == '.')
		k--;
	ns[k] = '\0';
	if (!k || !strchr(ns, '.'))
		return;
	/* glue addresses and anything that is no host name */
	for (i = 0; i < k; i++)
		if (!(is_alnum((unsigned char)ns[i]) || ns[i] == '.' ||
		      ns[i] == '-' || ns[i] == '_' ||
		      (unsigned char)ns[i] >= 0x80))
			return;
	for (i = 0; i < k && (ns[i] == '.' || (ns[i] >= '0' && ns[i] <= '9'));
	     i++)
		;
	if (i == k)
		return;
	store_add(p, &p->r->nameservers, &p->r->nr_nameservers, ns, k);
}

static void
take_status(struct parser *p, const char *v, size_t n)
{
	char buf[TD_WHOIS_MAX_FIELD + 1];
	char *save = NULL, *tok;
	size_t i, k = 0;

	if (n > TD_WHOIS_MAX_FIELD)
		n = TD_WHOIS_MAX_FIELD;
	for (i = 0; i < n; i++)
		buf[k++] = (char)lower((unsigned char)v[i]);
	buf[k] = '\0';
	for (tok = strtok_r(buf, ",;", &save); tok;
	     tok = strtok_r(NULL, ",;", &save)) {
		char *u, *e;

		/* "clientHold https://icann.org/epp#clientHold", "(http..." */
		u = strstr(tok, "http");
		if (u) {
			while (u > tok && (u[-1] == '(' || u[-1] == ' '))
				u--;
			*u = '\0';
		}
		while (*tok == ' ' || *tok == '\t')
			tok++;
		e = tok + strlen(tok);
		while (e > tok && strchr(" \t.", e[-1]))
			e--;
		if (e > tok)
			store_add(p, &p->r->statuses, &p->r->nr_statuses, tok,
				  (size_t)(e - tok));
	}
}

static void
take_domain(struct parser *p, const char *v, size_t n)
{
	size_t i;

	while (n && (v[n - 1] == '.' || is_space((unsigned char)v[n - 1])))
		n--;
	if (!n || n > 253)
		return;
	for (i = 0; i < n; i++)
		if (is_space((unsigned char)v[i]) || v[i] == '@' || v[i] == '/')
			return;
	cand_set(p, &p->domain, 1, v, n);
}

/* A WHOIS server named in a value: "whois://whois.apnic.net" -> host */
static void
take_referral(struct parser *p, const char *v, size_t n, int prio)
{
	while (n && is_space((unsigned char)*v))
		v++, n--;
	if (n > 8 && !memcmp(v, "whois://", 8))
		v += 8, n -= 8;
	while (n && (v[n - 1] == '/' || is_space((unsigned char)v[n - 1])))
		n--;
	if (!n || memchr(v, ' ', n))
		return;
	cand_set(p, &p->referral, prio, v, n);
}

/* ARIN records and RPSL network/ASN attributes; 1 if taken */
static int
take_ip(struct parser *p, const struct wline *l, const char *nk, const char *v,
	size_t n)
{
	struct net *net = NULL;

	/* ARIN: a NetRange starts a record group; the rest follows it */
	if (!l->lower_key && l->role == R_NONE) {
		if (!strcmp(nk, "netrange")) {
			net = net_new(p, l->sect);
			if (!net)
				return 1;
			p->arin_cur = (int)p->nr_nets - 1;
			set_str(p, &net->range_text, v, n);
			if (parse_range(v, n, net) < 0)
				td_record_note(p->r, "NetRange not understood");
			return 1;
		}
		if (!strcmp(nk, "asnumber")) {
			long a = parse_asn(v, n);
			const char *dash = memchr(v, '-', n);

			if (a >= 0) {
				p->asn_lo = a;
				p->asn_hi =
				    dash ? parse_asn(dash + 1,
						     (size_t)(v + n - dash - 1))
					 : a;
				if (p->asn_hi < p->asn_lo)
					p->asn_hi = p->asn_lo;
			}
			return 1;
		}
		if (!strcmp(nk, "asname")) {
			cand_set(p, &p->asn_name, 1, v, n);
			return 1;
		}
		if (!strcmp(nk, "ashandle")) {
			set_str(p, &p->asn_handle, v, n);
			return 1;
		}
		if (!strcmp(nk, "referralserver")) {
			take_referral(p, v, n, 1);
			return 1;
		}
		if (p->arin_cur >= 0)
			net = &p->nets[p->arin_cur];
		if (net) {
			if (!strcmp(nk, "cidr")) {
				const char *s = v, *e = v + n, *c;

				while (s < e) {
					c = memchr(s, ',', (size_t)(e - s));
					if (!c)
						c = e;
					while (s < c && *s == ' ')
						s++;
					if (c > s)
						store_add(p, &net->cidrs,
							  &net->nr_cidrs, s,
							  (size_t)(c - s));
					s = c + 1;
				}
				return 1;
			}
			if (!strcmp(nk, "netname")) {
				set_str(p, &net->name, v, n);
				return 1;
			}
			if (!strcmp(nk, "nethandle")) {
				set_str(p, &net->handle, v, n);
				return 1;
			}
			if (!strcmp(nk, "parent")) {
				/* "NET74 (NET-74-0-0-0-0)" */
				const char *o = memchr(v, '(', n);
				const char *c =
				    o ? memchr(o, ')', (size_t)(v + n - o))
				      : NULL;

				if (o && c)
					set_str(p, &net->parent, o + 1,
						(size_t)(c - o - 1));
				else
					set_str(p, &net->parent, v, n);
				return 1;
			}
			if (!strcmp(nk, "originas")) {
				if (net->origin < 0)
					net->origin = parse_asn(v, n);
				return 1;
			}
			if (!strcmp(nk, "organization") ||
			    !strcmp(nk, "orgname") || !strcmp(nk, "custname")) {
				const char *o = memchr(v, '(', n);

				/* "Google Inc. (GOGL)" */
				if (o && o > v && nk[0] == 'o' &&
				    nk[1] == 'r' && nk[3] == 'a')
					set_str(p, &net->org, v,
						(size_t)(o - v));
				else
					set_str(p, &net->org, v, n);
				return 1;
			}
			if (!strcmp(nk, "country")) {
				set_str(p, &net->country, v, n);
				return 1;
			}
			/* the network's dates come before its Org's */
			if (!strcmp(nk, "regdate")) {
				net_date(p, &net->created, 0, "RegDate", v, n);
				return 1;
			}
			if (!strcmp(nk, "updated")) {
				net_date(p, &net->updated, 0, "Updated", v, n);
				return 1;
			}
			if (!strcmp(nk, "orgabuseemail") ||
			    !strcmp(nk, "rabuseemail")) {
				set_str(p, &net->abuse, v, n);
				con_field(p,
					  con_get(p, R_ABUSE, -2, p->arin_cur),
					  CF_EMAIL, v, n);
				return 1;
			}
			if (!strcmp(nk, "orgabusephone") ||
			    !strcmp(nk, "rabusephone")) {
				set_str(p, &net->abuse_phone, v, n);
				con_field(p,
					  con_get(p, R_ABUSE, -2, p->arin_cur),
					  CF_PHONE, v, n);
				return 1;
			}
			/* OrgTechEmail, OrgNOCName, RTechHandle... */
			{
				const char *k = nk;
				int role = R_NONE;
				enum cfield f = CF_NONE;

				if (starts(k, "org"))
					k += 3;
				else if (k[0] == 'r')
					k += 1;
				if (starts(k, "abuse"))
					role = R_ABUSE, k += 5;
				else if (starts(k, "tech"))
					role = R_TECH, k += 4;
				else if (starts(k, "noc"))
					role = R_NOC, k += 3;
				else if (starts(k, "routing"))
					role = R_TECH, k += 7;
				else if (starts(k, "dns"))
					role = R_TECH, k += 3;
				if (role != R_NONE) {
					if (!strcmp(k, "email"))
						f = CF_EMAIL;
					else if (!strcmp(k, "name"))
						f = CF_NAME;
					else if (!strcmp(k, "phone"))
						f = CF_PHONE;
					else if (!strcmp(k, "handle"))
						f = CF_HANDLE;
					if (f != CF_NONE) {
						con_field(p,
							  con_get(p, role, -2,
								  p->arin_cur),
							  f, v, n);
						return 1;
					}
				}
			}
		}
		return 0;
	}

	if (l->role == R_NET) {
		if (p->nr_nets && p->nets[p->nr_nets - 1].sect == l->sect)
			net = &p->nets[p->nr_nets - 1];
		if (!strcmp(nk, "inetnum") || !strcmp(nk, "inet6num")) {
			if (!net) {
				net = net_new(p, l->sect);
				if (!net)
					return 1;
				set_str(p, &net->range_text, v, n);
				if (parse_range(v, n, net) < 0)
					td_record_note(p->r,
						       "%s not understood", nk);
			}
			return 1;
		}
		if (!net)
			return 0;
		if (!strcmp(nk, "netname"))
			set_str(p, &net->name, v, n);
		else if (!strcmp(nk, "descr"))
			set_str(p, &net->descr, v, n);
		else if (!strcmp(nk, "country"))
			set_str(p, &net->country, v, n);
		else if (!strcmp(nk, "org"))
			set_str(p, &net->org_ref, v, n);
		else if (!strcmp(nk, "owner"))
			set_str(p, &net->org, v, n);
		else if (!strcmp(nk, "parent"))
			set_str(p, &net->parent, v, n);
		else if (!strcmp(nk, "abuse mailbox"))
			set_str(p, &net->abuse, v, n);
		else if (!strcmp(nk, "mnt irt"))
			set_str(p, &net->irt_ref, v, n);
		else if (!strcmp(nk, "abuse c"))
			add_ref(p, v, n, R_ABUSE, (int)(net - p->nets));
		else if (!strcmp(nk, "admin c"))
			add_ref(p, v, n, R_ADMIN, (int)(net - p->nets));
		else if (!strcmp(nk, "tech c"))
			add_ref(p, v, n, R_TECH, (int)(net - p->nets));
		else if (!strcmp(nk, "owner c"))
			add_ref(p, v, n, R_REGISTRANT, (int)(net - p->nets));
		else if (!strcmp(nk, "aut num") || !strcmp(nk, "origin")) {
			if (net->origin < 0)
				net->origin = parse_asn(v, n);
		} else if (!strcmp(nk, "created")) {
			net_date(p, &net->created, 0, "created", v, n);
		} else if (!strcmp(nk, "last modified") ||
			   !strcmp(nk, "changed")) {
			/* "changed: hm@apnic.net 20041222": the latest */
			net_date(p, &net->updated, 1, "changed", v, n);
		} else if (!strcmp(nk, "remarks")) {
			size_t eo, el;

			if (!net->remark_abuse && memcasestr(v, n, "abuse") &&
			    find_email(v, n, &eo, &el))
				set_str(p, &net->remark_abuse, v + eo, el);
		}
		return 1;
	}
	if (l->role == R_ASN) {
		if (!strcmp(nk, "aut num")) {
			long a = parse_asn(v, n);

			if (a >= 0 && p->asn_lo < 0) {
				p->asn_lo = p->asn_hi = a;
				set_str(p, &p->asn_handle, v, n);
			}
		} else if (!strcmp(nk, "as name")) {
			cand_set(p, &p->asn_name, 1, v, n);
		} else if (!strcmp(nk, "descr") || !strcmp(nk, "owner")) {
			set_str(p, &p->asn_org, v, n);
		} else if (!strcmp(nk, "country")) {
			set_str(p, &p->asn_country, v, n);
		} else if (!strcmp(nk, "org")) {
			add_ref(p, v, n, R_ORG, -1);
		} else if (!strcmp(nk, "abuse c")) {
			add_ref(p, v, n, R_ABUSE, -1);
		} else if (!strcmp(nk, "admin c")) {
			add_ref(p, v, n, R_ADMIN, -1);
		} else if (!strcmp(nk, "tech c")) {
			add_ref(p, v, n, R_TECH, -1);
		} else if (!strcmp(nk, "mnt irt")) {
			add_ref(p, v, n, R_IRT, -1);
		} else if (!strcmp(nk, "abuse mailbox")) {
			cand_set(p, &p->abuse_email, 2, v, n);
		} else if (!strcmp(nk, "created")) {
			take_date(p, &p->created, 5, "created", v, n);
		}
		return 1;
	}
	if (l->role == R_ROUTE) {
		if (!strcmp(nk, "route") || !strcmp(nk, "route6")) {
			p->nr_routes++;
		} else if (!strcmp(nk, "origin")) {
			long a = parse_asn(v, n);

			if (p->route_origin < 0)
				p->route_origin = a;
			else if (a != p->route_origin)
				p->mixed_origins = 1;
		}
		return 1;
	}
	return 0;
}

/*
 * A registrar name as written ("Megazone(http://HOSTING.KR)" included); a
 * value that is only a handle ("REG-MARKMONITOR", "MARK-0292") ranks below
 * a name given elsewhere in the answer.
 */
static void
take_registrar(struct parser *p, int prio, const char *v, size_t n)
{
	size_t i;
	int handle = 1, dash = 0;

	while (n && is_space((unsigned char)v[n - 1]))
		n--;
	if (!n)
		return;
	for (i = 0; i < n; i++) {
		if (v[i] == '-')
			dash = 1;
		else if (!((v[i] >= 'A' && v[i] <= 'Z') ||
			   (v[i] >= '0' && v[i] <= '9')))
			handle = 0;
	}
	if (handle && dash && prio < 4)
		prio = 4;
	for (i = 0; i < n && v[i] >= '0' && v[i] <= '9'; i++)
		;
	if (i == n)
		return; /* "Registrar: 292" is an ID */
	cand_set(p, &p->registrar, prio, v, n);
}

/* A line in a registrar section, object or block; 1 if taken */
static int
take_registrar_field(struct parser *p, const struct wline *l, const char *nk,
		     const char *v, size_t n)
{
	/* clang-format off */
	static const char *const url[] = {
	    "url", "www", "web", "website", "homepage", "web page", "web site",
	    NULL};
	/* clang-format on */
	/* clang-format off */
	static const char *const mail[] = {
	    "email", "e mail", "mail", "contact email", "email address", NULL};
	/* clang-format on */
	static const char *const tel[] = {"phone", "telephone", "tel", NULL};
	/* clang-format off */
	static const char *const org[] = {
	    "organization", "organisation", "org", "company", "registrar name",
	    "organization name", NULL};
	/* clang-format on */
	size_t eo, el;

	if (in_list(nk, org)) {
		take_registrar(p, 2, v, n);
	} else if (!strcmp(nk, "registrar")) {
		/* RPSL: "registrar:" names the object (a handle in .ua) */
		take_registrar(p, l->lower_key ? 3 : 1, v, n);
	} else if (!strcmp(nk, "name") || !strcmp(nk, "registrar handle")) {
		take_registrar(p, 3, v, n);
	} else if (in_list(nk, url)) {
		cand_set(p, &p->reg_url, 2, v, n);
	} else if (in_list(nk, mail)) {
		if (find_email(v, n, &eo, &el))
			cand_set(p, &p->reg_email, 2, v + eo, el);
	} else if (in_list(nk, tel)) {
		cand_set(p, &p->reg_phone, 2, v, n);
	} else if (!strcmp(nk, "whois") || !strcmp(nk, "whois server")) {
		cand_set(p, &p->reg_whois, 2, v, n);
	} else if (!strcmp(nk, "iana id") || !strcmp(nk, "id")) {
		if (n < 12)
			cand_set(p, &p->iana_id, 2, v, n);
	} else {
		return 0;
	}
	return 1;
}

/* 1 if v[0..n) is a string of digits */
static int
digits_only(const char *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] < '0' || v[i] > '9')
			return 0;
	return n > 0;
}

/* One key of a line, read under its section; 1 if the key was known */
static int
take_key(struct parser *p, const struct wline *l, const char *nk, const char *v,
	 size_t n)
{
	const char *rest;
	int role = l->role, pr;
	size_t eo, el;
	unsigned kf;

	if (!nk[0])
		return 0;
	kf = key_info(nk)->flags;
	/* IANA: a TLD that exists in name only */
	if (n == 12 && !memcmp(v, "Not assigned", 12) &&
	    !strcmp(nk, "organisation"))
		p->not_assigned = 1;
	if (take_ip(p, l, nk, v, n))
		return 1;
	if (role == R_IGNORE)
		return 1;

	/* keys that mean the same wherever they are (an RPSL contact's
	   abuse-mailbox stays with the contact, for the network to find) */
	if ((kf & K_ABUSE_EMAIL) &&
	    !((role == R_CONTACT || role == R_ORG || role == R_IRT) &&
	      l->lower_key)) {
		if (find_email(v, n, &eo, &el))
			cand_set(p, &p->abuse_email, role == R_RESELLER ? 4 : 1,
				 v + eo, el);
		return 1;
	}
	if ((kf & K_ABUSE_PHONE)) {
		cand_set(p, &p->abuse_phone, role == R_RESELLER ? 4 : 1, v, n);
		return 1;
	}
	if ((kf & K_REG_WHOIS)) {
		cand_set(p, &p->reg_whois, 1, v, n);
		return 1;
	}
	if ((kf & K_REG_URL)) {
		cand_set(p, &p->reg_url, 1, v, n);
		return 1;
	}
	if ((kf & K_IANA)) {
		if (digits_only(v, n) && n < 12)
			cand_set(p, &p->iana_id, 1, v, n);
		return 1;
	}
	if ((kf & K_REG_EMAIL) && role != R_RESELLER) {
		if (find_email(v, n, &eo, &el))
			cand_set(p, &p->reg_email, 1, v + eo, el);
		return 1;
	}
	if ((kf & K_REG_PHONE)) {
		cand_set(p, &p->reg_phone, 1, v, n);
		return 1;
	}
	if (!strcmp(nk, "refer") || !strcmp(nk, "referralserver")) {
		take_referral(p, v, n, 1);
		return 1;
	}
	if (!strcmp(nk, "whois") && role != R_REGISTRAR) {
		/* IANA: the TLD's server */
		take_referral(p, v, n, 2);
		return 1;
	}
	if ((kf & K_DNSSEC)) {
		cand_set(p, &p->dnssec, 1, v, n);
		return 1;
	}

	/* a registrar block or object */
	if (role == R_REGISTRAR) {
		if ((kf & K_NS)) {
			take_nameserver(p, v, n);
			return 1;
		}
		if (take_registrar_field(p, l, nk, v, n))
			return 1;
		if (!(kf & K_REGISTRAR) && !domain_date_key(nk))
			return 0;
	}

	/* "Registrant Name", "Admin Email", "tech-c", "Registry Tech ID" */
	pr = role_prefix(nk, &rest);
	if (pr != R_NONE) {
		enum cfield f;

		if (starts(rest, "contact ") && contact_field(rest) == CF_NONE)
			rest += 8;
		f = contact_field(rest);
		if (f == CF_REF) {
			add_ref(p, v, n, pr, -1);
			return 1;
		}
		if (f != CF_NONE) {
			if (f == CF_ABUSE)
				f = CF_EMAIL;
			con_field(p, con_get(p, pr, -1, -1), f, v, n);
			return 1;
		}
	}
	/* French suffixes (.dz): "Mail contact technique" */
	{
		static const struct {
			const char *suf;
			int role;
		} suf[] = {{" administratif", R_ADMIN}, {" technique", R_TECH}};
		size_t i, kl = strlen(nk);

		for (i = 0; i < 2; i++) {
			size_t sl = strlen(suf[i].suf);
			char head[80];

			if (kl <= sl || strcmp(nk + kl - sl, suf[i].suf))
				continue;
			snprintf(head, sizeof(head), "%.*s", (int)(kl - sl),
				 nk);
			if (!strcmp(head, "contact"))
				con_field(p, con_get(p, suf[i].role, -1, -1),
					  CF_NAME, v, n);
			else if (!strcmp(head, "organisme"))
				con_field(p, con_get(p, suf[i].role, -1, -1),
					  CF_ORG, v, n);
			else if (!strcmp(head, "mail contact"))
				con_field(p, con_get(p, suf[i].role, -1, -1),
					  CF_EMAIL, v, n);
			else if (!strcmp(head, "telephone contact"))
				con_field(p, con_get(p, suf[i].role, -1, -1),
					  CF_PHONE, v, n);
			else if (!strcmp(head, "adresse contact"))
				con_field(p, con_get(p, suf[i].role, -1, -1),
					  CF_ADDR, v, n);
			return 1;
		}
	}
	if (!strcmp(nk, "holder c") || !strcmp(nk, "owner c") ||
	    !strcmp(nk, "registrant c") || !strcmp(nk, "bill c")) {
		add_ref(p, v, n, nk[0] == 'b' ? R_BILLING : R_REGISTRANT, -1);
		return 1;
	}
	if (!strcmp(nk, "registrant") && l->lower_key && !memchr(v, ' ', n)) {
		/* FRED (.cz, .mk, .tz): "registrant: HANDLE" */
		add_ref(p, v, n, R_REGISTRANT, -1);
		return 1;
	}
	{
		int hr = header_role(nk);

		/*
		 * "Registrant: Google Inc.", "[Registrant] Google Inc.";
		 * a handle when it opens its own block (SK-NIC "Domain
		 * registrant: mmr-170347", "Administrative Contact: X-1")
		 */
		if (hr >= R_REGISTRANT && hr <= R_ABUSE) {
			struct tcon *c = role == hr
					     ? con_get(p, role, l->sect, -1)
					     : con_get(p, hr, -1, -1);
			int handle = !memchr(v, ' ', n) &&
				     (memchr(v, '-', n) || memchr(v, '_', n)) &&
				     !looks_email(v, n);

			if (role == hr || !strcmp(nk, "registrant") ||
			    !strcmp(nk, "holder") || !strcmp(nk, "owner") ||
			    !strcmp(nk, "titular") ||
			    !strcmp(nk, "registrant name") ||
			    !strcmp(nk, "domain holder") ||
			    !strcmp(nk, "domain owner") ||
			    !strcmp(nk, "domain registrant")) {
				con_field(p, c,
					  looks_email(v, n) ? CF_EMAIL
					  : handle	    ? CF_HANDLE
							    : CF_NAME,
					  v, n);
				return 1;
			}
		}
	}

	/* a contact's block or RPSL object */
	if (contact_role(role)) {
		enum cfield f = contact_field(nk);
		struct tcon *c;

		if (!strcmp(nk, "abuse c") || !strcmp(nk, "org") ||
		    !strcmp(nk, "mnt irt") || !strcmp(nk, "irt") ||
		    (!strcmp(nk, "organisation") && role == R_ORG &&
		     l->lower_key)) {
			c = con_get(p, role, l->sect, -1);
			if (!c)
				return 1;
			if (!strcmp(nk, "abuse c"))
				set_str(p, &c->abuse_c, v, n);
			else if (!strcmp(nk, "org") && role == R_ORG)
				set_str(p, &c->handle, v, n);
			else if (!strcmp(nk, "org") && !memchr(v, ' ', n))
				set_str(p, &c->org_ref, v, n);
			else if (!strcmp(nk, "org"))
				con_field(p, c, CF_ORG, v, n);
			else if (!strcmp(nk, "mnt irt"))
				set_str(p, &c->irt_ref, v, n);
			else
				set_str(p, &c->handle, v, n);
			return 1;
		}
		if (!strcmp(nk, "contact") || !strcmp(nk, "contact type")) {
			char vk[32];

			norm_key(vk, sizeof(vk), v, n);
			if (role != R_CONTACT && header_role(vk) != R_NONE)
				return 1; /* .pr "Contact: Registrant" */
		}
		if (!strcmp(nk, "org name")) {
			con_field(p, con_get(p, role, l->sect, -1), CF_NAME, v,
				  n);
			return 1;
		}
		if (!strcmp(nk, "contact") && role == R_CONTACT &&
		    l->lower_key) {
			/*
			 * IANA "contact: administrative" (a role); FRED
			 * "contact: HANDLE" (the object's handle)
			 */
			char vk[32];
			int hr;

			norm_key(vk, sizeof(vk), v, n);
			hr = header_role(vk);
			c = con_get(p, role, l->sect, -1);
			if (hr >= R_REGISTRANT && hr <= R_ABUSE) {
				if (c && !c->handle)
					set_str(p, &c->handle, vk, strlen(vk));
				add_ref(p, vk, strlen(vk), hr, -1);
			} else if (c && !c->handle && !memchr(v, ' ', n)) {
				set_str(p, &c->handle, v, n);
			} else {
				con_field(p, c, CF_NAME, v, n);
			}
			return 1;
		}
		if (f == CF_REF)
			return 1;
		if (f != CF_NONE) {
			c = con_get(p, role, l->sect, -1);
			if (f == CF_HANDLE && role == R_CONTACT && c &&
			    c->handle)
				return 1;
			con_field(p, c, f, v, n);
			if (f == CF_ABUSE && c && !c->email)
				con_field(p, c, CF_EMAIL, v, n);
			return 1;
		}
		/* "Created"/"Changed" of a contact are not the domain's */
		if (!(kf & K_REGISTRAR) && !(kf & K_NS) &&
		    (!domain_date_key(nk) || l->lower_key))
			return 0;
	}

	/* the domain */
	if ((kf & K_REGISTRAR) && role != R_RESELLER) {
		take_registrar(p, 1, v, n);
		return 1;
	}
	if ((kf & K_NS) && role != R_NET) {
		/* "nserver: ns1.example.net 192.0.2.1" */
		take_nameserver(p, v, n);
		return 1;
	}
	if (!domain_ctx(role) && !domain_date_key(nk))
		return 0;
	if ((kf & K_CREATED)) {
		take_date(p, &p->created, role == R_OTHER ? 2 : 1, "created", v,
			  n);
		return 1;
	}
	if ((kf & K_EXPIRES)) {
		take_date(p, &p->expires, role == R_OTHER ? 2 : 1, "expires", v,
			  n);
		return 1;
	}
	if ((kf & K_UPDATED)) {
		/* ISOC-IL: "changed: registrar AT ns.il 19990605 (Assigned)" */
		if (n > 10 && !memcmp(v + n - 10, "(Assigned)", 10))
			take_date(p, &p->created, 2, "created", v, n - 10);
		take_date(p, &p->updated, role == R_OTHER ? 2 : 1, "updated", v,
			  n);
		return 1;
	}
	if ((kf & K_STATUS)) {
		take_status(p, v, n);
		return 1;
	}
	if (!strcmp(nk, "reserved name") || !strcmp(nk, "reserved")) {
		/* AMNIC: "Reserved name: Reserved brand name" */
		store_add(p, &p->r->statuses, &p->r->nr_statuses, "reserved",
			  8);
		return 1;
	}
	if ((kf & K_DOMAIN) || (role == R_DOMAIN && !strcmp(nk, "name"))) {
		take_domain(p, v, n);
		return 1;
	}
	return 0;
}

static void
take_kv(struct parser *p, const struct wline *l)
{
	const char *k = p->text.ptr + l->koff;
	char nk[80], var[5][80];
	int i, nv;

	norm_key(nk, sizeof(nk), k, l->klen);
	if (take_key(p, l, nk, p->text.ptr + l->voff, l->vlen))
		return;
	nv = key_variants(k, l->klen, var);
	for (i = 0; i < nv; i++)
		if (take_key(p, l, var[i], p->text.ptr + l->voff, l->vlen))
			return;
}

/* A line without a key inside a block */
static void
take_free(struct parser *p, const struct wline *l)
{
	const char *v = p->text.ptr + l->off;
	size_t n = l->len, eo, el;
	int role = l->role;
	struct tcon *c;

	if (l->cont >= 0) {
		const struct wline *kv = &p->lines[l->cont];
		struct wline tmp = *kv;
		const char *rest;
		char nk[80];

		norm_key(nk, sizeof(nk), p->text.ptr + kv->koff, kv->klen);
		tmp.voff = l->off;
		tmp.vlen = l->len;
		if (is_key(nk, K_NS) || is_key(nk, K_STATUS)) {
			take_kv(p, &tmp);
			return;
		}
		/* an address or a contact's value on two lines */
		if (contact_role(kv->role) ||
		    role_prefix(nk, &rest) != R_NONE) {
			take_kv(p, &tmp);
			return;
		}
		return;
	}
	/* YAML lists (smallregistry), NIC.VE "- ns1.google.com" */
	if (n > 2 && v[0] == '-' && v[1] == ' ') {
		v += 2;
		n -= 2;
	}
	/* a header that is a key ("Entry created:" then the date) */
	if (l->hdr >= 0 && (role == R_OTHER || role == R_DATES ||
			    role == R_STATUS || role == R_DOMAIN)) {
		const struct wline *h = &p->lines[l->hdr];
		struct wline tmp = *l;
		char nk[80];

		norm_key(nk, sizeof(nk), p->text.ptr + h->koff, h->klen);
		tmp.role = R_NONE;
		if (role == R_OTHER && take_key(p, &tmp, nk, v, n))
			return;
	}
	switch (role) {
	case R_NS:
		take_nameserver(p, v, n);
		return;
	case R_DOMAIN:
		take_domain(p, v, n);
		return;
	case R_STATUS:
		take_status(p, v, n);
		return;
	case R_REGISTRAR:
		if (looks_url(v, n))
			cand_set(p, &p->reg_url, 2, v, n);
		else if (find_email(v, n, &eo, &el))
			cand_set(p, &p->reg_email, 2, v + eo, el);
		else if (!looks_phone(v, n))
			take_registrar(p, 2, v, n);
		return;
	case R_NONE:
	case R_OTHER:
	case R_DATES: {
		/* "Record created on 15-Sep-1997.", "Registered on 30th ..." */
		static const struct {
			const char *p;
			int which;
		} s[] = {
		    {"record created on ", 0},	    {"created on ", 0},
		    {"domain created on ", 0},	    {"registered on ", 0},
		    {"record expires on ", 1},	    {"expires on ", 1},
		    {"record last updated on ", 2}, {"record updated on ", 2},
		};
		size_t i;

		/* Tonic (.to): "label nameserver" lines */
		if (p->tonic && role == R_NONE && memchr(v, ' ', n)) {
			const char *sp = memchr(v, ' ', n);

			take_nameserver(p, sp + 1, (size_t)(v + n - sp - 1));
			return;
		}
		for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
			size_t pl = strlen(s[i].p);

			if (n > pl && memcasestr(v, pl, s[i].p) == v) {
				struct cand *c2 = s[i].which == 0 ? &p->created
						  : s[i].which == 1
						      ? &p->expires
						      : &p->updated;
				size_t dn = n - pl;

				while (dn && v[pl + dn - 1] == '.')
					dn--;
				take_date(p, c2, 2, s[i].p, v + pl, dn);
				return;
			}
		}
		return;
	}
	default:
		break;
	}
	if (!contact_role(role))
		return;
	c = con_get(p, role, l->sect, -1);
	if (!c)
		return;
	if (find_email(v, n, &eo, &el)) {
		if (!c->email)
			set_str(p, &c->email, v + eo, el);
		/* "DNS Admin   dns-admin@google.com": the name before it */
		if (eo > 2 && !c->name && c->nr_free == 0)
			set_str(p, &c->name, v, eo);
	} else if (looks_phone(v, n)) {
		set_str(p, &c->phone, v, n);
	} else if (c->nr_free == 0 && !c->name) {
		set_str(p, &c->name, v, n);
	} else if (n == 2 && v[0] >= 'A' && v[0] <= 'Z') {
		set_str(p, &c->country, v, n);
	} else {
		con_addr(p, c, v, n);
	}
	c->nr_free++;
}

/* RIPE "% Abuse contact for '193.0.0.0 - 193.0.7.255' is 'abuse@ripe.net'" */
static void
take_comment(struct parser *p, const struct wline *l)
{
	const char *t = p->text.ptr + l->off;
	size_t n = l->len, k = 0;
	const char *a, *q1, *q2, *q3, *q4;
	struct abuse_comment *ac;

	/* the comment starts the line: "% Abuse contact for '...'" */
	while (k < n && k < 8 && (t[k] == '%' || t[k] == ' '))
		k++;
	if (n - k < 20 || lower((unsigned char)t[k]) != 'a' || p->nr_acs >= 32)
		return;
	a = memcasestr(t + k, 19, "abuse contact for '");
	if (!a)
		return;
	q1 = a + 18;
	q2 = memchr(q1 + 1, '\'', (size_t)(t + n - q1 - 1));
	if (!q2)
		return;
	q3 = memchr(q2 + 1, '\'', (size_t)(t + n - q2 - 1));
	if (!q3)
		return;
	q4 = memchr(q3 + 1, '\'', (size_t)(t + n - q3 - 1));
	if (!q4 || !looks_email(q3 + 1, (size_t)(q4 - q3 - 1)))
		return;
	if (TD_ARRAY_GROW(p->acs, p->nr_acs + 1, p->alloc_acs) < 0) {
		p->oom = 1;
		return;
	}
	ac = &p->acs[p->nr_acs++];
	ac->range = value_dup(p, q1 + 1, (size_t)(q2 - q1 - 1));
	ac->email = value_dup(p, q3 + 1, (size_t)(q4 - q3 - 1));
}

/* ---- step 5: found, not found, rate limited ---- */

/* The text of a line without comment marks, lowercase, spaces collapsed */
static size_t
status_line(const char *t, size_t n, char *out, size_t size)
{
	size_t i = 0, k = 0;
	int sp = 1;

	while (i < n && strchr("%#>*!- \t[", t[i]))
		i++;
	for (; i < n && k + 1 < size; i++) {
		unsigned char c = (unsigned char)t[i];

		if (c == ' ' || c == '\t') {
			if (!sp)
				out[k++] = ' ';
			sp = 1;
			continue;
		}
		out[k++] = (char)lower(c);
		sp = 0;
	}
	while (k && (out[k - 1] == ' ' || out[k - 1] == '<'))
		k--;
	out[k] = '\0';
	return k;
}

/* clang-format off */
static const char *const limited_texts[] = {
    "limit exceeded", "limit reached", "quota exceeded", "exceeded the",
    "rate limit exceeded", "reached rate limit", "too many requests",
    "too many queries", "too many connection", "maximum queries",
    "queries per hour", "queries per day", "request limit",
    "only 1 request per", "try again later", "try again in",
    "please try again", "please go away for", "access control limit",
    "grace period, wait", "ip address blocked", "please maintain at least",
    "access is too fast", "allowed queries exceeded",
    "requests of this client are not permitted", "query_status: 440",
    "request denied", "access denied", "**denied**", "temporarily blocked",
    "you have exceeded", "lookup quota", "connection refused; access control",
    "whois limit exceeded", "your ip has been", "has been blocked",
    "have been banned", "can temporarily not be answered",
    "excessive querying, grace period", NULL};
/* clang-format on */

/* clang-format off */
static const char *const notfound_texts[] = {
    "no match", "not found", "no entries found", "no entry found",
    "no data found", "no object found", "object does not exist",
    "object not found", "does not exist", "is not registered",
    "not registered", "has not been registered", "no matching record",
    "nothing found", "no information available", "no such domain",
    "key not found", "no existe", "nincs tal", "no se encontro",
    "object_not_found", "returned 0 objects", "do not have an entry",
    "not available in our whois database", "domain unknown", "no found",
    "not find matchingrecord", "not have an entry", "no information was found",
    "0 objects", "not registred", "is available for", "is still available",
    "available for registration", "available for purchase",
    "no records matching", "not been registered", "nothing was found",
    "no matching objects", "is free", "status: free", "status: available",
    "status: not registered", "220 available", "query returned 0", "not exist",
    "no entries", "has no matches", "no_se_encontro",
    "prohibited string - object cannot be registered", "reserved by",
    "is reserved", "not available for second level", "domain name is reserved",
    "invalid query or domain name not known", "is not a registered",
    "등록되어 있지 않습니다", "網域名稱不合規定", "no hay resultado", "nie istnieje",
    "ne postoji", "neexistuje", "no such entry", "no record found",
    "status: no object found", "no objects found", "no records found",
    "no results", "no data was found", "not found in database", NULL};
/* clang-format on */

/* clang-format off */
static const char *const error_texts[] = {
    "service temporarily unavailable", "temporarily unavailable",
    "server too busy", "currently down", "connection attempt failed", "%error",
    "error:", "invalid query", "invalid input", "internal error",
    "is not valid", "not valid", "solo acepta consultas", "only accepts",
    "access will only be enabled", "invalid domain", "unable to process",
    "timeout", "invalid request", "bad request", "not authorised",
    "not authorized", "is invalid", "syntax error", "unknown tld", NULL};
/* clang-format on */

static int
line_matches(const char *s, const char *const *texts)
{
	size_t j;

	for (j = 0; texts[j]; j++)
		if (strstr(s, texts[j]))
			return 1;
	return 0;
}

/*
 * For an answer without registration data: what it says instead.  One
 * pass over the first lines; a rate-limit text wins over a not-found text
 * (AFNIC's "Too many requests" comes with "No entries found"), which wins
 * over an error text.  Returns the status, TD_REC_FOUND for none, and
 * copies the line that said so to which.
 */
static enum td_rec_status
scan_status(struct parser *p, char *which, size_t wsize)
{
	enum td_rec_status st = TD_REC_FOUND;
	size_t i, n;
	char s[512];

	for (i = 0; i < p->nr_lines && i < 2000; i++) {
		const struct wline *l = &p->lines[i];
		enum td_rec_status hit = TD_REC_FOUND;

		n = status_line(p->text.ptr + l->off,
				l->len < 1024 ? l->len : 1024, s, sizeof(s));
		if (!n)
			continue;
		if (line_matches(s, limited_texts))
			hit = TD_REC_RATE_LIMITED;
		else if (st != TD_REC_NOT_FOUND &&
			 (line_matches(s, notfound_texts) ||
			  /* "x.com is available", ZACR's "Available" */
			  (n > 13 && (!strcmp(s + n - 12, "is available") ||
				      !strcmp(s + n - 13, "is available."))) ||
			  !strcmp(s, "available")))
			hit = TD_REC_NOT_FOUND;
		else if (st == TD_REC_FOUND && line_matches(s, error_texts))
			hit = TD_REC_ERROR;
		if (hit == TD_REC_FOUND)
			continue;
		snprintf(which, wsize, "%.*s",
			 (int)(l->len < 300 ? l->len : 300),
			 p->text.ptr + l->off);
		st = hit;
		if (st == TD_REC_RATE_LIMITED)
			break;
	}
	return st;
}

/* ---- step 6: the record ---- */

static char *
steal(struct cand *c)
{
	char *v = c->v;

	c->v = NULL;
	return v;
}

static struct tcon *
con_by_handle(struct parser *p, const char *h, int want_irt)
{
	size_t i;

	if (!h)
		return NULL;
	for (i = 0; i < p->nr_cons; i++) {
		struct tcon *c = &p->cons[i];

		if (!c->handle || strcasecmp(c->handle, h))
			continue;
		if (want_irt && c->role != R_IRT)
			continue;
		return c;
	}
	return NULL;
}

static const char *
con_abuse(struct tcon *c)
{
	if (!c)
		return NULL;
	return c->abuse ? c->abuse : c->email;
}

/* Copy a tcon into the record as one contact of role rname */
static void
emit_contact(struct parser *p, struct tcon *c, const char *rname)
{
	struct td_contact *o;
	struct {
		char **src, **dst;
	} f[8];
	size_t i, nf = 0;
	unsigned flags = 0;
	char *addr = NULL;

	/* an address line that could not be appended (con_addr()) */
	if (td_buf_failed(&c->addr) & TD_BUF_OOM)
		p->oom = 1;
	if (c->addr.len) {
		addr = td_strndup(c->addr.ptr, c->addr.len);
		if (!addr)
			p->oom = 1;
	}
	if (!c->name && !c->org && !c->email && !c->phone && !addr &&
	    !c->handle && !c->url && !c->abuse) {
		free(addr);
		return;
	}
	o = td_record_add_contact(p->r, rname);
	if (!o) {
		free(addr);
		p->oom = 1;
		return;
	}
	o->handle = c->handle ? td_strndup(c->handle, strlen(c->handle)) : NULL;
	f[nf].src = &c->name, f[nf++].dst = &o->name;
	f[nf].src = &c->org, f[nf++].dst = &o->org;
	f[nf].src = c->email ? &c->email : &c->abuse, f[nf++].dst = &o->email;
	f[nf].src = &c->phone, f[nf++].dst = &o->phone;
	f[nf].src = &c->country, f[nf++].dst = &o->country;
	f[nf].src = &c->url, f[nf++].dst = &o->url;
	f[nf].src = &addr, f[nf++].dst = &o->address;
	for (i = 0; i < nf; i++) {
		const char *s = *f[i].src;
		unsigned fl;

		if (!s)
			continue;
		fl = td_record_placeholder(s);
		flags |= fl;
		/* privacy/proxy values are kept: they still forward */
		if (fl & (TD_CONTACT_REDACTED | TD_CONTACT_WITHHELD)) {
			if (f[i].dst == &o->email && !o->url &&
			    (!strncmp(s, "http", 4)))
				o->url = td_strndup(s, strlen(s));
			continue;
		}
		*f[i].dst = td_strndup(s, strlen(s));
		if (!*f[i].dst)
			p->oom = 1;
	}
	if (o->handle && (td_record_placeholder(o->handle) &
			  (TD_CONTACT_REDACTED | TD_CONTACT_WITHHELD))) {
		flags |= td_record_placeholder(o->handle);
		free(o->handle);
		o->handle = NULL;
	}
	o->flags = flags;
	free(addr);
}

static void
finish_network(struct parser *p)
{
	struct td_record *r = p->r;
	struct net *best = NULL;
	struct u128 bsize = {0, 0};
	const char *abuse = NULL;
	char a[64], b[64];
	size_t i;
	int bi;

	for (i = 0; i < p->nr_nets; i++) {
		struct net *n = &p->nets[i];
		struct u128 size;

		if (!n->have_range)
			continue;
		size = u128_sub(u128_from(n->hi), u128_from(n->lo));
		if (n->v6 == 0 && best && best->v6)
			continue;
		if (!best || u128_cmp(size, bsize) < 0) {
			best = n;
			bsize = size;
		}
	}
	if (!best)
		best = &p->nets[0];
	bi = (int)(best - p->nets);
	if (p->nr_nets > 1)
		td_record_note(r,
			       "%zu networks in the answer; the most "
			       "specific was kept",
			       p->nr_nets);
	r->kind = TD_REC_IP;
	if (best->have_range) {
		addr_text(a, sizeof(a), best->lo, best->v6);
		addr_text(b, sizeof(b), best->hi, best->v6);
		r->start = td_strndup(a, strlen(a));
		r->end = td_strndup(b, strlen(b));
		if (!r->start || !r->end)
			p->oom = 1;
		if (!best->nr_cidrs)
			range_cidrs(p, best);
	}
	r->cidrs = best->cidrs;
	r->nr_cidrs = best->nr_cidrs;
	best->cidrs = NULL;
	best->nr_cidrs = 0;
	r->handle = best->handle ? best->handle : best->range_text;
	if (best->handle)
		best->handle = NULL;
	else
		best->range_text = NULL;
	r->name = best->name, best->name = NULL;
	r->parent = best->parent, best->parent = NULL;
	r->created = best->created, best->created = NULL;
	r->updated = best->updated, best->updated = NULL;
	r->country = best->country, best->country = NULL;
	if (best->origin >= 0)
		r->origin_asn = best->origin;
	else if (p->route_origin >= 0)
		r->origin_asn = p->route_origin;

	/* the holder: ARIN Organization, LACNIC owner, RPSL organisation */
	if (best->org) {
		r->org = best->org, best->org = NULL;
	} else if (best->org_ref) {
		struct tcon *o = con_by_handle(p, best->org_ref, 0);

		if (o && (o->name || o->org))
			r->org = td_strndup(o->name ? o->name : o->org,
					    strlen(o->name ? o->name : o->org));
	}
	if (!r->org && best->descr)
		r->org = best->descr, best->descr = NULL;
	if (!r->country && best->org_ref) {
		struct tcon *o = con_by_handle(p, best->org_ref, 0);

		if (o && o->country)
			r->country = td_strndup(o->country, strlen(o->country));
	}

	/*
	 * The abuse contact, most specific source first (RIPE's abuse-c
	 * comment is computed by the database from the same objects):
	 */
	for (i = 0; i < p->nr_acs && !abuse; i++)
		if (p->acs[i].range && best->range_text &&
		    !strcasecmp(p->acs[i].range, best->range_text))
			abuse = p->acs[i].email;
	if (!abuse && best->abuse)
		abuse = best->abuse;
	for (i = 0; i < p->nr_refs && !abuse; i++)
		if (p->refs[i].net == bi && p->refs[i].role == R_ABUSE)
			abuse =
			    con_abuse(con_by_handle(p, p->refs[i].handle, 0));
	if (!abuse && best->org_ref) {
		struct tcon *o = con_by_handle(p, best->org_ref, 0);

		if (o && o->abuse)
			abuse = o->abuse;
		else if (o && o->abuse_c)
			abuse = con_abuse(con_by_handle(p, o->abuse_c, 0));
	}
	if (!abuse && best->irt_ref)
		abuse = con_abuse(con_by_handle(p, best->irt_ref, 1));
	if (!abuse && p->nr_acs == 1)
		abuse = p->acs[0].email;
	if (!abuse) {
		/* ARIN: the group's abuse POC */
		for (i = 0; i < p->nr_cons && !abuse; i++)
			if (p->cons[i].net == bi && p->cons[i].role == R_ABUSE)
				abuse = p->cons[i].email;
	}
	if (!abuse)
		for (i = 0; i < p->nr_cons && !abuse; i++)
			if (p->cons[i].role == R_IRT)
				abuse = con_abuse(&p->cons[i]);
	for (i = 0; i < p->nr_refs && !abuse; i++) {
		struct tcon *c;

		/* an abuse-mailbox on the network's admin-c or tech-c */
		if (p->refs[i].net != bi)
			continue;
		c = con_by_handle(p, p->refs[i].handle, 0);
		if (c && c->abuse)
			abuse = c->abuse;
	}
	if (!abuse && best->remark_abuse) {
		abuse = best->remark_abuse;
		td_record_note(r, "abuse address taken from the remarks");
	}
	if (!abuse)
		for (i = 0; i < p->nr_cons && !abuse; i++)
			if (p->cons[i].abuse)
				abuse = p->cons[i].abuse;
	if (!abuse && p->abuse_email.v)
		abuse = p->abuse_email.v;
	if (abuse && !(td_record_placeholder(abuse) &
		       (TD_CONTACT_REDACTED | TD_CONTACT_WITHHELD))) {
		r->abuse_email = td_strndup(abuse, strlen(abuse));
		if (best->abuse_phone && abuse == best->abuse)
			r->abuse_phone = best->abuse_phone,
			best->abuse_phone = NULL;
	} else if (abuse) {
		td_record_note(r,
			       "abuse contact %.200s is not the network's "
			       "(a registry's pointer or a placeholder)",
			       abuse);
	}

	/* contacts of the kept network */
	for (i = 0; i < p->nr_refs; i++) {
		struct tcon *c;

		if (p->refs[i].net != bi)
			continue;
		c = con_by_handle(p, p->refs[i].handle, 0);
		if (c)
			emit_contact(p, c, role_names[p->refs[i].role]);
	}
	for (i = 0; i < p->nr_cons; i++)
		if (p->cons[i].net == bi && p->cons[i].net >= 0)
			emit_contact(p, &p->cons[i],
				     role_names[p->cons[i].role]);
}

static void
finish_asn(struct parser *p)
{
	struct td_record *r = p->r;
	char num[24];
	size_t i;
	const char *abuse = NULL;

	r->kind = TD_REC_ASN;
	snprintf(num, sizeof(num), "%ld", p->asn_lo);
	r->start = td_strndup(num, strlen(num));
	snprintf(num, sizeof(num), "%ld", p->asn_hi);
	r->end = td_strndup(num, strlen(num));
	r->handle = p->asn_handle, p->asn_handle = NULL;
	if (!r->handle) {
		snprintf(num, sizeof(num), "AS%ld", p->asn_lo);
		r->handle = td_strndup(num, strlen(num));
	}
	r->name = steal(&p->asn_name);
	r->country = p->asn_country, p->asn_country = NULL;
	r->org = p->asn_org, p->asn_org = NULL;
	for (i = 0; i < p->nr_acs && !abuse; i++)
		abuse = p->acs[i].email;
	if (!abuse && p->abuse_email.v)
		abuse = p->abuse_email.v;
	for (i = 0; i < p->nr_refs && !abuse; i++)
		if (p->refs[i].net < 0 && p->refs[i].role == R_ABUSE)
			abuse =
			    con_abuse(con_by_handle(p, p->refs[i].handle, 0));
	for (i = 0; i < p->nr_refs && !abuse; i++)
		if (p->refs[i].net < 0 && p->refs[i].role == R_ORG) {
			struct tcon *o = con_by_handle(p, p->refs[i].handle, 0);

			if (o && o->abuse)
				abuse = o->abuse;
			else if (o && o->abuse_c)
				abuse =
				    con_abuse(con_by_handle(p, o->abuse_c, 0));
		}
	for (i = 0; i < p->nr_cons && !abuse; i++)
		if (p->cons[i].role == R_ABUSE && p->cons[i].net >= 0)
			abuse = p->cons[i].email;
	if (abuse && !(td_record_placeholder(abuse) &
		       (TD_CONTACT_REDACTED | TD_CONTACT_WITHHELD)))
		r->abuse_email = td_strndup(abuse, strlen(abuse));
	for (i = 0; i < p->nr_refs; i++) {
		struct tcon *c;

		if (p->refs[i].net >= 0 || p->refs[i].role == R_ORG ||
		    p->refs[i].role == R_IRT)
			continue;
		c = con_by_handle(p, p->refs[i].handle, 0);
		if (c)
			emit_contact(p, c, role_names[p->refs[i].role]);
	}
}

static void
finish_domain(struct parser *p)
{
	struct td_record *r = p->r;
	size_t i, j;

	if (p->domain.v) {
		char *d = p->domain.v;
		int ascii = 1;

		for (i = 0; d[i]; i++) {
			if ((unsigned char)d[i] >= 0x80)
				ascii = 0;
		}
		if (ascii) {
			for (i = 0; d[i]; i++)
				d[i] = (char)lower((unsigned char)d[i]);
			r->domain = steal(&p->domain);
		} else {
			struct td_url u;
			struct td_buf b = TD_BUF_INIT;

			td_buf_adds(&b, "http://");
			td_buf_adds(&b, d);
			td_buf_adds(&b, "/");
			if (!td_buf_failed(&b) &&
			    td_url_parse(&u, b.ptr, b.len, NULL) == 0) {
				if (u.host_ascii)
					r->domain = td_strndup(
					    u.host_ascii, strlen(u.host_ascii));
				if (u.host_unicode)
					r->domain_unicode =
					    td_strndup(u.host_unicode,
						       strlen(u.host_unicode));
				td_url_release(&u);
			}
			td_buf_release(&b);
			if (!r->domain_unicode)
				r->domain_unicode = steal(&p->domain);
		}
		if (r->domain && !strncmp(r->domain, "xn--", 4) &&
		    !r->domain_unicode) {
			struct td_url u;
			struct td_buf b = TD_BUF_INIT;

			td_buf_adds(&b, "http://");
			td_buf_adds(&b, r->domain);
			td_buf_adds(&b, "/");
			if (!td_buf_failed(&b) &&
			    td_url_parse(&u, b.ptr, b.len, NULL) == 0) {
				if (u.host_unicode &&
				    strcmp(u.host_unicode, r->domain))
					r->domain_unicode =
					    td_strndup(u.host_unicode,
						       strlen(u.host_unicode));
				td_url_release(&u);
			}
			td_buf_release(&b);
		}
	}
	/* DK Hostmaster's "DNS: google.dk" is the name, not a server */
	if (r->domain) {
		for (i = 0; i < r->nr_nameservers; i++)
			if (!strcmp(r->nameservers[i], r->domain)) {
				free(r->nameservers[i]);
				memmove(&r->nameservers[i],
					&r->nameservers[i + 1],
					(r->nr_nameservers - i - 1) *
					    sizeof(r->nameservers[0]));
				r->nr_nameservers--;
				break;
			}
	}
	r->registrar = steal(&p->registrar);
	if (p->iana_id.v)
		r->registrar_iana_id = strtol(p->iana_id.v, NULL, 10);
	r->registrar_url = steal(&p->reg_url);
	r->registrar_whois = steal(&p->reg_whois);
	r->dnssec = steal(&p->dnssec);

	/*
	 * The abuse address: the registrar's abuse contact, else (ccTLDs
	 * that publish none) the registrar's own e-mail address, noted.
	 */
	if (p->abuse_email.v && !(td_record_placeholder(p->abuse_email.v) &
				  (TD_CONTACT_REDACTED | TD_CONTACT_WITHHELD)))
		r->abuse_email = steal(&p->abuse_email);
	if (!r->abuse_email) {
		for (i = 0; i < p->nr_cons && !r->abuse_email; i++) {
			struct tcon *c = &p->cons[i];
			const char *e = con_abuse(c);

			if (c->role == R_ABUSE && e &&
			    !td_record_placeholder(e))
				r->abuse_email = td_strndup(e, strlen(e));
		}
	}
	if (!r->abuse_email && p->reg_email.v &&
	    !td_record_placeholder(p->reg_email.v)) {
		r->abuse_email =
		    td_strndup(p->reg_email.v, strlen(p->reg_email.v));
		td_record_note(r, "no abuse contact: the registrar's e-mail "
				  "address is given instead");
	}
	r->abuse_phone = steal(&p->abuse_phone);
	if (!r->abuse_phone && r->abuse_email && p->reg_phone.v &&
	    !p->reg_email.v)
		r->abuse_phone = steal(&p->reg_phone);

	/* contacts: sections and prefixed keys, then referenced handles */
	for (i = 0; i < p->nr_cons; i++) {
		struct tcon *c = &p->cons[i];

		if ((c->role >= R_REGISTRANT && c->role <= R_NOC) ||
		    c->role == R_RESELLER)
			emit_contact(p, c, role_names[c->role]);
	}
	for (i = 0; i < p->nr_refs; i++) {
		struct tcon *c;
		int seen = 0;

		if (p->refs[i].net >= 0 || !role_names[p->refs[i].role])
			continue;
		for (j = 0; j < i; j++)
			if (p->refs[j].role == p->refs[i].role &&
			    !strcasecmp(p->refs[j].handle, p->refs[i].handle))
				seen = 1;
		if (seen)
			continue;
		c = con_by_handle(p, p->refs[i].handle, 0);
		if (c && c->role == R_CONTACT)
			emit_contact(p, c, role_names[p->refs[i].role]);
	}
	if (r->registrar || p->reg_email.v || p->reg_phone.v) {
		struct td_contact *c = td_record_add_contact(r, "registrar");

		if (!c) {
			p->oom = 1;
			return;
		}
		if (r->registrar)
			c->name =
			    td_strndup(r->registrar, strlen(r->registrar));
		c->email = steal(&p->reg_email);
		c->phone = steal(&p->reg_phone);
		if (r->registrar_url)
			c->url = td_strndup(r->registrar_url,
					    strlen(r->registrar_url));
	}
	if (r->abuse_email || r->abuse_phone) {
		struct td_contact *c = td_record_add_contact(r, "abuse");

		if (!c) {
			p->oom = 1;
			return;
		}
		if (r->abuse_email)
			c->email =
			    td_strndup(r->abuse_email, strlen(r->abuse_email));
		if (r->abuse_phone)
			c->phone =
			    td_strndup(r->abuse_phone, strlen(r->abuse_phone));
	}
}

/* A status value that says "not registered" */
static int
notfound_status(const char *s)
{
	/* clang-format off */
	static const char *const nf[] = {
	    "available", "free", "no object found", "not registered",
	    "available for registration", "not found", "unassigned",
	    "no match", "invalid", NULL};
	/* clang-format on */
	size_t i;

	for (i = 0; nf[i]; i++)
		if (!strncmp(s, nf[i], strlen(nf[i])))
			return 1;
	return 0;
}

static int
has_domain_data(struct parser *p)
{
	size_t i;

	if (p->registrar.v || p->created.v || p->expires.v ||
	    p->r->nr_nameservers || p->reg_whois.v)
		return 1;
	for (i = 0; i < p->r->nr_statuses; i++)
		if (!notfound_status(p->r->statuses[i]))
			return 1;
	for (i = 0; i < p->nr_refs; i++)
		if (p->refs[i].net < 0)
			return 1;
	for (i = 0; i < p->nr_cons; i++) {
		struct tcon *c = &p->cons[i];

		if (c->role >= R_REGISTRANT && c->role <= R_BILLING &&
		    (c->name || c->email || c->org))
			return 1;
	}
	return 0;
}

static void
parser_free(struct parser *p)
{
	size_t i;
	struct cand *cs[] = {&p->domain,      &p->registrar,   &p->reg_url,
			     &p->reg_whois,   &p->reg_email,   &p->reg_phone,
			     &p->abuse_email, &p->abuse_phone, &p->created,
			     &p->updated,     &p->expires,     &p->dnssec,
			     &p->referral,    &p->iana_id,     &p->asn_name};

	for (i = 0; i < sizeof(cs) / sizeof(cs[0]); i++)
		free(cs[i]->v);
	for (i = 0; i < p->nr_cons; i++) {
		struct tcon *c = &p->cons[i];

		free(c->handle);
		free(c->name);
		free(c->org);
		free(c->email);
		free(c->abuse);
		free(c->phone);
		free(c->country);
		free(c->url);
		free(c->abuse_c);
		free(c->org_ref);
		free(c->irt_ref);
		td_buf_release(&c->addr);
	}
	free(p->cons);
	for (i = 0; i < p->nr_refs; i++)
		free(p->refs[i].handle);
	free(p->refs);
	for (i = 0; i < p->nr_nets; i++) {
		struct net *n = &p->nets[i];
		size_t k;

		free(n->range_text);
		free(n->handle);
		free(n->name);
		free(n->parent);
		free(n->country);
		free(n->org);
		free(n->org_ref);
		free(n->descr);
		free(n->abuse);
		free(n->abuse_phone);
		free(n->irt_ref);
		free(n->remark_abuse);
		free(n->created);
		free(n->updated);
		for (k = 0; k < n->nr_cidrs; k++)
			free(n->cidrs[k]);
		free(n->cidrs);
	}
	free(p->nets);
	for (i = 0; i < p->nr_acs; i++) {
		free(p->acs[i].range);
		free(p->acs[i].email);
	}
	free(p->acs);
	free(p->asn_handle);
	free(p->asn_org);
	free(p->asn_country);
	free(p->lines);
	td_buf_release(&p->text);
}

/* Registries that write dates month first (MM/DD/YYYY) */
static int
month_first_server(const struct parser *p)
{
	/* clang-format off */
	static const char *const servers[] = {
	    "whois.dot.tk", "whois.dot.ml", "whois.dot.ga", "whois.dot.cf",
	    "whois.dot.gq", NULL};
	/* clang-format on */

	if (p->hint && in_list(p->hint, servers))
		return 1;
	/* "Record maintained by: Dot TK Domain Registry" */
	return memmem(p->text.ptr, p->text.len, "Dot TK Domain Registry", 22) !=
	       NULL;
}

int
td_whois_parse(struct td_record *out, const char *text, size_t len,
	       const char *server_hint, struct td_error *err)
{
	struct parser p;
	struct td_record *r = out;
	char which[320];
	size_t i;
	int rc = 0;

	td_record_init(out);
	out->format = "whois";
	if (!text)
		return td_error_set(err, TD_EINVAL, "whois: no text");
	memset(&p, 0, sizeof(p));
	p.r = out;
	p.hint = server_hint;
	p.arin_cur = -1;
	p.asn_lo = p.asn_hi = -1;
	p.route_origin = -1;
	if (server_hint && *server_hint) {
		out->source = td_strndup(server_hint, strlen(server_hint));
		if (!out->source)
			p.oom = 1;
	}
	if (clean_text(&p, text, len) < 0) {
		rc = td_error_set(err, TD_ENOMEM, "whois: out of memory");
		goto out;
	}
	split_lines(&p);
	p.month_first = month_first_server(&p);
	p.tonic = (server_hint && !strcmp(server_hint, "whois.tonic.to")) ||
		  (p.text.len > 12 && !memcmp(p.text.ptr, "Tonic whoisd", 12));
	find_sections(&p);
	for (i = 0; i < p.nr_lines && !p.oom; i++) {
		const struct wline *l = &p.lines[i];

		if (l->kind == L_KV)
			take_kv(&p, l);
		else if (l->kind == L_FREE)
			take_free(&p, l);
		else if (l->kind == L_COMMENT)
			take_comment(&p, l);
	}
	if (p.oom) {
		rc = td_error_set(err, TD_ENOMEM, "whois: out of memory");
		goto out;
	}

	r->referral = steal(&p.referral);
	if (p.nr_nets) {
		finish_network(&p);
	} else if (p.asn_lo >= 0 ||
		   (p.nr_routes && p.route_origin >= 0 && !p.mixed_origins)) {
		/*
		 * An inverse query ("-i origin AS62041") answers with the
		 * route objects the AS originates: an AS record.
		 */
		int from_routes = p.asn_lo < 0;

		if (from_routes) {
			p.asn_lo = p.asn_hi = p.route_origin;
			td_record_note(r,
				       "%d route objects originated by AS%ld",
				       p.nr_routes, p.route_origin);
		}
		finish_asn(&p);
		if (r->origin_asn < 0 && p.route_origin >= 0)
			r->origin_asn = p.route_origin;
		if (!from_routes) {
			r->created = steal(&p.created);
			r->updated = steal(&p.updated);
		}
	} else {
		int data = has_domain_data(&p);

		if (data || p.domain.v)
			r->kind = TD_REC_DOMAIN;
		r->created = steal(&p.created);
		r->updated = steal(&p.updated);
		r->expires = steal(&p.expires);
		/* a thin registry answer: the registrar's server is next */
		if (!r->referral && p.reg_whois.v &&
		    (!server_hint || strcasecmp(server_hint, p.reg_whois.v)))
			r->referral =
			    td_strndup(p.reg_whois.v, strlen(p.reg_whois.v));
		/* IANA: a TLD that exists in name only */
		if (p.not_assigned) {
			data = 0;
			r->status = TD_REC_NOT_FOUND;
			snprintf(which, sizeof(which),
				 "organisation: Not assigned");
		} else if (!data) {
			r->status = scan_status(&p, which, sizeof(which));
			if (r->status == TD_REC_FOUND && !r->referral &&
			    !p.dnssec.v) {
				r->status = TD_REC_ERROR;
				snprintf(which, sizeof(which),
					 "no registration data in the answer");
			}
		}
		if (!data) {
			if (r->status != TD_REC_FOUND) {
				r->status_text =
				    td_strndup(which, strlen(which));
				if (!r->status_text)
					p.oom = 1;
			}
		}
		finish_domain(&p);
	}
	if (out->notes_oom)
		p.oom = 1;
	if (!p.oom && td_record_fix_utf8(out) < 0)
		p.oom = 1;
	if (p.oom)
		rc = td_error_set(err, TD_ENOMEM, "whois: out of memory");
out:
	parser_free(&p);
	return rc;
}
