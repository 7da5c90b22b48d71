/*
 * Law-enforcement guidance by country: data/le.txt, compiled in with
 * .incbin and parsed once, on first use, into a table of struct td_le.
 * The same parser checks the file for the tests (td_le_check()), so a
 * line the loader would reject fails the build's test run.  The format is
 * described in docs/internals/le.md.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "le.h"
#include "banned.h"

__asm__(".section .rodata\n"
	".global td_data_le\n"
	"td_data_le:\n"
	".incbin \"data/le.txt\"\n"
	".global td_data_le_end\n"
	"td_data_le_end:\n"
	".byte 0\n"
	".previous\n");
extern const char td_data_le[], td_data_le_end[];

#define LINE_MAX_LEN 1024
#define FALLBACK "ZZ"

enum channel { CH_POLICE, CH_CERT, CH_PHISH, NR_CH };
enum sub { SUB_NAME, SUB_URL, SUB_EMAIL, SUB_PHONE, NR_SUB };

/* Keys that may appear once per entry. */
enum field {
	F_NAME,
	F_ALIAS,
	F_CHECKED,
	F_CH,
	NR_FIELDS = F_CH + NR_CH * NR_SUB
};

static const char *const ch_key[NR_CH] = {"police", "cert", "phish"};
static const char *const sub_suffix[NR_SUB] = {"", "-url", "-email", "-phone"};

/* A list of strings being built (asks, notes, sources). */
struct list {
	char **v;
	size_t nr, alloc;
};

/* What the parser keeps per entry besides the entry itself. */
struct aux {
	unsigned lineno; /* of the "country" line */
	char seen[NR_FIELDS];
	struct list asks, notes, sources;
	char also[TD_LE_MAX_ALSO][3];
	size_t nr_also;
};

struct table {
	struct td_le *e;
	struct aux *aux;
	size_t nr, alloc, alloc_aux;
};

struct parse {
	const char *file;
	struct table *t;
	int open; /* an entry is open: t->e[t->nr - 1] */
};

static struct table loaded;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* ---- value checks ---- */

static int
cc_ok(const char *s)
{
	return s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' &&
	       !s[2];
}

/* http or https, a host, no blanks or non-ASCII bytes. */
static int
url_ok(const char *u)
{
	const char *p;

	if (!strncmp(u, "https://", 8))
		p = u + 8;
	else if (!strncmp(u, "http://", 7))
		p = u + 7;
	else
		return 0;
	if (!*p || *p == '/' || *p == '.' || *p == ':')
		return 0;
	for (; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return 0;
	return 1;
}

/* local@domain.tld: one '@', a dot in the domain, no specials. */
static int
email_ok(const char *e)
{
	const char *at = strchr(e, '@');
	const char *p;

	if (!at || at == e || strchr(at + 1, '@') || !strchr(at + 1, '.'))
		return 0;
	for (p = e; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f ||
		    strchr("<>()[],;:\"\\", *p))
			return 0;
	return at[1] != '.' && p[-1] != '.' && !strstr(at, "..");
}

/*
 * A telephone number as a source writes it: "+44 300 123 2040",
 * "0900 8844", "#9110".  Digits, blanks, - ( ) . and a leading + or #,
 * with at least three digits.
 */
static int
phone_ok(const char *s)
{
	size_t digits = 0;
	const char *p = s;

	if (*p == '+' || *p == '#')
		p++;
	if (*p < '0' || *p > '9')
		return 0;
	for (; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (!strchr(" -().", *p))
			return 0;
	}
	return digits >= 3 && p[-1] >= '0' && p[-1] <= '9';
}

/* YYYY-MM-DD, a real calendar date from 2000 on. */
static int
date_ok(const char *s)
{
	static const int mdays[12] = {31, 29, 31, 30, 31, 30,
				      31, 31, 30, 31, 30, 31};
	int y, m, d, i;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 2000 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	if (m == 2 && d == 29 && (y % 4 || (y % 100 == 0 && y % 400)))
		return 0;
	return 1;
}

/*
 * Well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
 * above U+10FFFF) without control characters other than tab.  Returns 1
 * when s[0..n) is acceptable.
 */
static int
text_ok(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t len, k;
		unsigned long cp;

		if (c < 0x80) {
			if ((c < 0x20 && c != '\t') || c == 0x7f)
				return 0;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			len = 2, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			len = 3, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			len = 4, cp = c & 0x07;
		else
			return 0;
		if (i + len > n)
			return 0;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 3 &&
		     (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
		if (cp >= 0x80 && cp < 0xa0) /* C1 controls */
			return 0;
		i += len;
	}
	return 1;
}

/* ---- the table ---- */

static void
list_release(struct list *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void
channel_release(struct td_le_channel *c)
{
	free((char *)c->name);
	free((char *)c->url);
	free((char *)c->email);
	free((char *)c->phone);
}

static void
table_release(struct table *t)
{
	size_t i;

	for (i = 0; i < t->nr; i++) {
		struct td_le *e = &t->e[i];

		free((char *)e->country);
		free((char *)e->name);
		free((char *)e->alias);
		free((char *)e->checked);
		channel_release(&e->police);
		channel_release(&e->cert);
		channel_release(&e->phish);
		list_release(&t->aux[i].asks);
		list_release(&t->aux[i].notes);
		list_release(&t->aux[i].sources);
	}
	free(t->e);
	free(t->aux);
	memset(t, 0, sizeof(*t));
}

/* The entry whose code or alias is cc (upper case), or NULL. */
static struct td_le *
table_find(const struct table *t, const char *cc)
{
	size_t i;

	for (i = 0; i < t->nr; i++)
		if (!strcmp(t->e[i].country, cc) ||
		    (t->e[i].alias && !strcmp(t->e[i].alias, cc)))
			return &t->e[i];
	return NULL;
}

static int
list_add(struct list *l, const char *v)
{
	char *s = td_strndup(v, strlen(v));

	if (!s || TD_ARRAY_GROW(l->v, l->nr + 1, l->alloc)) {
		free(s);
		return TD_ENOMEM;
	}
	l->v[l->nr++] = s;
	return 0;
}

static struct td_le_channel *
channel_of(struct td_le *e, enum channel ch)
{
	return ch == CH_POLICE ? &e->police
	       : ch == CH_CERT ? &e->cert
			       : &e->phish;
}

/* ---- parsing ---- */

/* Close the open entry: check that it is complete. */
static int
finish(struct parse *ps, struct td_error *err)
{
	struct table *t = ps->t;
	struct td_le *e;
	struct aux *a;
	int ch, contacts = 0;

	if (!ps->open)
		return 0;
	ps->open = 0;
	e = &t->e[t->nr - 1];
	a = &t->aux[t->nr - 1];
	if (!a->seen[F_NAME])
		return td_error_set(err, TD_EPARSE, "%s:%u: %s: no name line",
				    ps->file, a->lineno, e->country);
	for (ch = 0; ch < NR_CH; ch++) {
		const char *k = ch_key[ch];
		const char *f = &a->seen[F_CH + ch * NR_SUB];
		int n = f[SUB_URL] + f[SUB_EMAIL] + f[SUB_PHONE];

		if (n && !f[SUB_NAME])
			return td_error_set(err, TD_EPARSE,
					    "%s:%u: %s: %s contact without a "
					    "%s line",
					    ps->file, a->lineno, e->country, k,
					    k);
		if (f[SUB_NAME] && !n)
			return td_error_set(err, TD_EPARSE,
					    "%s:%u: %s: %s without %s-url, "
					    "%s-email or %s-phone",
					    ps->file, a->lineno, e->country, k,
					    k, k, k);
		contacts += n;
	}
	if (!contacts)
		return td_error_set(err, TD_EPARSE,
				    "%s:%u: %s: no police, cert or phish "
				    "channel",
				    ps->file, a->lineno, e->country);
	if (!a->sources.nr)
		return td_error_set(err, TD_EPARSE, "%s:%u: %s: no source line",
				    ps->file, a->lineno, e->country);
	if (!a->seen[F_CHECKED])
		return td_error_set(err, TD_EPARSE,
				    "%s:%u: %s: no checked line", ps->file,
				    a->lineno, e->country);
	e->asks = (const char *const *)a->asks.v;
	e->nr_asks = a->asks.nr;
	e->notes = (const char *const *)a->notes.v;
	e->nr_notes = a->notes.nr;
	e->sources = (const char *const *)a->sources.v;
	e->nr_sources = a->sources.nr;
	return 0;
}

static int
start_entry(struct parse *ps, const char *cc, unsigned lineno,
	    struct td_error *err)
{
	struct table *t = ps->t;
	char *code;
	int rc;

	if ((rc = finish(ps, err)))
		return rc;
	if (!cc_ok(cc))
		return td_error_set(err, TD_EPARSE,
				    "%s:%u: %s is not an ISO 3166-1 alpha-2 "
				    "code in upper case",
				    ps->file, lineno, cc);
	if (table_find(t, cc))
		return td_error_set(err, TD_EPARSE,
				    "%s:%u: second entry for %s", ps->file,
				    lineno, cc);
	if (TD_ARRAY_GROW(t->e, t->nr + 1, t->alloc) ||
	    TD_ARRAY_GROW(t->aux, t->nr + 1, t->alloc_aux) ||
	    !(code = td_strndup(cc, 2)))
		return TD_ENOMEM;
	memset(&t->e[t->nr], 0, sizeof(t->e[t->nr]));
	memset(&t->aux[t->nr], 0, sizeof(t->aux[t->nr]));
	t->e[t->nr].country = code;
	t->aux[t->nr].lineno = lineno;
	t->nr++;
	ps->open = 1;
	return 0;
}

/* Set a once-only field of the open entry to a copy of v. */
static int
set_once(struct parse *ps, enum field f, const char *key, const char **dst,
	 const char *v, unsigned lineno, struct td_error *err)
{
	struct aux *a = &ps->t->aux[ps->t->nr - 1];
	char *s;

	if (a->seen[f])
		return td_error_set(err, TD_EPARSE, "%s:%u: second %s line",
				    ps->file, lineno, key);
	if (!(s = td_strndup(v, strlen(v))))
		return TD_ENOMEM;
	a->seen[f] = 1;
	*dst = s;
	return 0;
}

static int
channel_line(struct parse *ps, enum channel ch, enum sub sub, const char *key,
	     const char *v, unsigned lineno, struct td_error *err)
{
	struct td_le_channel *c = channel_of(&ps->t->e[ps->t->nr - 1], ch);
	const char **dst;

	switch (sub) {
	case SUB_URL:
		if (!url_ok(v))
			return td_error_set(err, TD_EPARSE,
					    "%s:%u: %s is not an http(s) URL",
					    ps->file, lineno, v);
		dst = &c->url;
		break;
	case SUB_EMAIL:
		if (!email_ok(v))
			return td_error_set(err, TD_EPARSE,
					    "%s:%u: bad e-mail address %s",
					    ps->file, lineno, v);
		dst = &c->email;
		break;
	case SUB_PHONE:
		if (!phone_ok(v))
			return td_error_set(err, TD_EPARSE,
					    "%s:%u: bad telephone number %s",
					    ps->file, lineno, v);
		dst = &c->phone;
		break;
	default:
		dst = &c->name;
		break;
	}
	return set_once(ps, (enum field)(F_CH + ch * NR_SUB + sub), key, dst, v,
			lineno, err);
}

static int
parse_key(struct parse *ps, const char *key, const char *v, unsigned lineno,
	  struct td_error *err)
{
	struct table *t = ps->t;
	struct td_le *e;
	struct aux *a;
	int ch, sub;

	if (!strcmp(key, "country"))
		return start_entry(ps, v, lineno, err);
	if (!ps->open)
		return td_error_set(err, TD_EPARSE,
				    "%s:%u: %s before any country line",
				    ps->file, lineno, key);
	e = &t->e[t->nr - 1];
	a = &t->aux[t->nr - 1];
	if (!strcmp(key, "name"))
		return set_once(ps, F_NAME, key, &e->name, v, lineno, err);
	if (!strcmp(key, "alias")) {
		if (!cc_ok(v))
			return td_error_set(
			    err, TD_EPARSE,
			    "%s:%u: alias %s is not a two-letter "
			    "code in upper case",
			    ps->file, lineno, v);
		if (table_find(t, v))
			return td_error_set(err, TD_EPARSE,
					    "%s:%u: alias %s is already taken",
					    ps->file, lineno, v);
		return set_once(ps, F_ALIAS, key, &e->alias, v, lineno, err);
	}
	if (!strcmp(key, "checked")) {
		if (!date_ok(v))
			return td_error_set(
			    err, TD_EPARSE,
			    "%s:%u: %s is not a date YYYY-MM-DD", ps->file,
			    lineno, v);
		return set_once(ps, F_CHECKED, key, &e->checked, v, lineno,
				err);
	}
	if (!strcmp(key, "also")) {
		if (!cc_ok(v) || !strcmp(v, e->country))
			return td_error_set(err, TD_EPARSE,
					    "%s:%u: also %s is not another "
					    "entry's code",
					    ps->file, lineno, v);
		if (a->nr_also == TD_LE_MAX_ALSO)
			return td_error_set(err, TD_EPARSE,
					    "%s:%u: more than %d also lines",
					    ps->file, lineno, TD_LE_MAX_ALSO);
		memcpy(a->also[a->nr_also++], v, 3);
		return 0;
	}
	if (!strcmp(key, "source")) {
		if (!url_ok(v))
			return td_error_set(err, TD_EPARSE,
					    "%s:%u: %s is not an http(s) URL",
					    ps->file, lineno, v);
		return list_add(&a->sources, v);
	}
	if (!strcmp(key, "ask"))
		return list_add(&a->asks, v);
	if (!strcmp(key, "note"))
		return list_add(&a->notes, v);
	for (ch = 0; ch < NR_CH; ch++) {
		size_t n = strlen(ch_key[ch]);

		if (strncmp(key, ch_key[ch], n))
			continue;
		for (sub = 0; sub < NR_SUB; sub++)
			if (!strcmp(key + n, sub_suffix[sub]))
				return channel_line(ps, (enum channel)ch,
						    (enum sub)sub, key, v,
						    lineno, err);
	}
	return td_error_set(err, TD_EPARSE, "%s:%u: unknown key %s", ps->file,
			    lineno, key);
}

static int
parse_line(struct parse *ps, char *line, size_t n, unsigned lineno,
	   struct td_error *err)
{
	char *key, *v;

	if (n && line[n - 1] == '\r')
		line[--n] = '\0';
	if (!text_ok((const unsigned char *)line, n))
		return td_error_set(err, TD_EPARSE,
				    "%s:%u: control character or invalid "
				    "UTF-8",
				    ps->file, lineno);
	while (n && (line[n - 1] == ' ' || line[n - 1] == '\t'))
		line[--n] = '\0';
	key = line + strspn(line, " \t");
	if (!*key || *key == '#') /* blank line or comment */
		return 0;
	v = key + strcspn(key, " \t");
	if (*v)
		*v++ = '\0';
	v += strspn(v, " \t");
	if (!*v)
		return td_error_set(err, TD_EPARSE, "%s:%u: %s without a value",
				    ps->file, lineno, key);
	return parse_key(ps, key, v, lineno, err);
}

/* Point each entry's "also" at the entries named, now that all exist. */
static int
resolve(struct parse *ps, struct td_error *err)
{
	struct table *t = ps->t;
	const struct td_le *fb;
	size_t i, j;

	for (i = 0; i < t->nr; i++) {
		struct aux *a = &t->aux[i];

		for (j = 0; j < a->nr_also; j++) {
			const struct td_le *o = table_find(t, a->also[j]);

			if (!o || o == &t->e[i])
				return td_error_set(err, TD_EPARSE,
						    "%s:%u: %s: also %s: no "
						    "such entry",
						    ps->file, a->lineno,
						    t->e[i].country,
						    a->also[j]);
			t->e[i].also[j] = o;
		}
		t->e[i].nr_also = a->nr_also;
	}
	if (!(fb = table_find(t, FALLBACK)))
		return td_error_set(err, TD_EPARSE,
				    "%s: no " FALLBACK " (fallback) entry",
				    ps->file);
	if (!fb->nr_asks)
		return td_error_set(err, TD_EPARSE,
				    "%s: the " FALLBACK " entry has no ask "
				    "lines",
				    ps->file);
	return 0;
}

/* Parse text[0..len) into t.  On error t holds what was read before. */
static int
parse_text(struct table *t, const char *file, const char *text, size_t len,
	   struct td_error *err)
{
	const char *p = text, *end = text + len;
	struct parse ps;
	unsigned lineno = 0;
	int rc;

	memset(&ps, 0, sizeof(ps));
	ps.file = file;
	ps.t = t;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);
		char line[LINE_MAX_LEN];

		lineno++;
		if (n >= sizeof(line))
			return td_error_set(err, TD_EPARSE,
					    "%s:%u: line longer than %d bytes",
					    file, lineno, LINE_MAX_LEN - 1);
		memcpy(line, p, n);
		line[n] = '\0';
		if ((rc = parse_line(&ps, line, n, lineno, err)))
			return rc;
		p += n + (eol ? 1 : 0);
	}
	if ((rc = finish(&ps, err)))
		return rc;
	return resolve(&ps, err);
}

int
td_le_check(const char *name, const char *text, size_t len, size_t *nr,
	    struct td_error *err)
{
	struct table t;
	int rc;

	memset(&t, 0, sizeof(t));
	if (nr)
		*nr = 0;
	rc = parse_text(&t, name, text, len, err);
	if (!rc && nr)
		*nr = t.nr;
	table_release(&t);
	return rc;
}

const char *
td_le_data(size_t *len)
{
	if (len)
		*len = (size_t)(td_data_le_end - td_data_le);
	return td_data_le;
}

/*
 * Parse the compiled-in file.  The tests check it; should it still be bad
 * here, nothing is kept (a half-resolved table would hold NULL "also"
 * pointers), and every lookup answers NULL.
 */
static void
load(void)
{
	size_t len;
	const char *text = td_le_data(&len);

	if (parse_text(&loaded, "data/le.txt", text, len, NULL))
		table_release(&loaded);
}

static void
ensure_loaded(void)
{
	pthread_once(&once, load);
}

const struct td_le *
td_le_lookup(const char *country)
{
	char cc[3];
	size_t i;

	ensure_loaded();
	if (!country)
		return NULL;
	for (i = 0; i < 2; i++) {
		char c = country[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c < 'A' || c > 'Z')
			return NULL;
		cc[i] = c;
	}
	if (country[2])
		return NULL;
	cc[2] = '\0';
	return table_find(&loaded, cc);
}

const struct td_le *
td_le_fallback(void)
{
	ensure_loaded();
	return table_find(&loaded, FALLBACK);
}

const struct td_le *
td_le_get(size_t i)
{
	ensure_loaded();
	return i < loaded.nr ? &loaded.e[i] : NULL;
}

size_t
td_le_count(void)
{
	ensure_loaded();
	return loaded.nr;
}
