/*
 * CDNs and platforms with their abuse contacts: data/cdn.txt and
 * data/platforms.txt, compiled in with .incbin and parsed once, on first
 * use, into sorted tables (host/CNAME/NS patterns) and a longest-prefix
 * table (address ranges).  The format is described in data/README.md.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bootstrap.h"
#include "buf.h"
#include "providers.h"
#include "banned.h"

__asm__(".section .rodata\n"
	".global td_data_cdn\n"
	"td_data_cdn:\n"
	".incbin \"data/cdn.txt\"\n"
	".global td_data_cdn_end\n"
	"td_data_cdn_end:\n"
	".byte 0\n"
	".global td_data_platforms\n"
	"td_data_platforms:\n"
	".incbin \"data/platforms.txt\"\n"
	".global td_data_platforms_end\n"
	"td_data_platforms_end:\n"
	".byte 0\n"
	".previous\n");
extern const char td_data_cdn[], td_data_cdn_end[];
extern const char td_data_platforms[], td_data_platforms_end[];

#define LINE_MAX_LEN 1024
#define NAME_MAX_LEN 254

enum pat_type { PAT_HOST, PAT_CNAME, PAT_NS };

struct pat {
	const char *name; /* without the "*." */
	unsigned char type;
	unsigned char wild;
	size_t provider; /* index into providers */
};

static struct td_provider *providers;
static size_t nr_providers, alloc_providers;
static struct pat *pats;
static size_t nr_pats, alloc_pats;
static struct td_bootstrap_iptab *nets;
static size_t *net_idx; /* provider index of each "net" line */
static size_t nr_nets, alloc_nets;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static const char *const kinds[] = {
    "cdn",  "hosting", "site-builder", "storage",   "forms", "shortener",
    "ipfs", "tunnel",  "dyndns",       "messaging", "cloud", NULL};

static int
kind_ok(const char *k)
{
	size_t i;

	for (i = 0; kinds[i]; i++)
		if (!strcmp(kinds[i], k))
			return 1;
	return 0;
}

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
	if (!*p || *p == '/')
		return 0;
	for (; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return 0;
	return 1;
}

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
	return at[1] != '.' && p[-1] != '.';
}

/* A lowercase host name with at least one dot: LDH labels. */
static int
hostname_ok(const char *s)
{
	size_t label = 0, dots = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '.') {
			if (!label)
				return 0;
			label = 0;
			dots++;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return 0;
		if (++label > 63)
			return 0;
	}
	return label && dots;
}

static int
pat_cmp(const void *a, const void *b)
{
	const struct pat *x = a, *y = b;

	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if (x->wild != y->wild)
		return x->wild < y->wild ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Provider fields set once: a second line for them is an error. */
enum field { F_KIND, F_EMAIL, F_URL, F_SOURCE, F_NOTE, NR_FIELDS };

struct parse {
	const char *file;
	int store;	 /* fill the global tables (else only check) */
	int have;	 /* a provider is open */
	unsigned lineno; /* line of the open provider */
	char seen[NR_FIELDS];
	size_t nr; /* providers read */
	struct td_provider cur;
	struct td_bootstrap_iptab *check_nets;
};

static char *
dup_or_null(const char *s, int store)
{
	return store ? td_strndup(s, strlen(s)) : (char *)"";
}

/* Close the open provider: check it is complete. */
static int
finish(struct parse *ps, struct td_error *err)
{
	if (!ps->have)
		return 0;
	ps->have = 0;
	if (!ps->seen[F_KIND])
		return td_error_set(err, TD_EPARSE, "%s:%u: %s: no kind",
				    ps->file, ps->lineno, ps->cur.name);
	if ((ps->seen[F_EMAIL] || ps->seen[F_URL]) && !ps->seen[F_SOURCE])
		return td_error_set(err, TD_EPARSE,
				    "%s:%u: %s: a contact without a source",
				    ps->file, ps->lineno, ps->cur.name);
	if (!ps->seen[F_EMAIL] && !ps->seen[F_URL] && !ps->seen[F_NOTE])
		return td_error_set(err, TD_EPARSE,
				    "%s:%u: %s: no abuse-email, abuse-url or "
				    "note",
				    ps->file, ps->lineno, ps->cur.name);
	ps->nr++;
	if (ps->store) {
		if (TD_ARRAY_GROW(providers, nr_providers + 1, alloc_providers))
			return TD_ENOMEM;
		providers[nr_providers++] = ps->cur;
	}
	return 0;
}

static int
add_pat(struct parse *ps, enum pat_type type, const char *v,
	struct td_error *err)
{
	int wild = !strncmp(v, "*.", 2);
	const char *name = wild ? v + 2 : v;
	char *copy;

	if (!hostname_ok(name))
		return td_error_set(err, TD_EPARSE,
				    "%s:%u: %s is not a lowercase host name "
				    "or *.suffix",
				    ps->file, ps->lineno, v);
	if (!ps->store)
		return 0;
	if (!(copy = td_strndup(name, strlen(name))) ||
	    TD_ARRAY_GROW(pats, nr_pats + 1, alloc_pats)) {
		free(copy);
		return TD_ENOMEM;
	}
	pats[nr_pats].name = copy;
	pats[nr_pats].type = (unsigned char)type;
	pats[nr_pats].wild = (unsigned char)wild;
	pats[nr_pats].provider = nr_providers; /* the open one */
	nr_pats++;
	return 0;
}

static int
add_net(struct parse *ps, const char *v, struct td_error *err)
{
	int rc;

	if (!ps->store) {
		rc = td_bootstrap_iptab_add(ps->check_nets, v, NULL);
	} else {
		if (TD_ARRAY_GROW(net_idx, nr_nets + 1, alloc_nets))
			return TD_ENOMEM;
		/* the table's value is the 1-based index into net_idx */
		net_idx[nr_nets] = nr_providers;
		rc = td_bootstrap_iptab_add(nets, v,
					    (const void *)(nr_nets + 1));
		nr_nets++;
	}
	if (rc == TD_EINVAL)
		return td_error_set(err, TD_EPARSE,
				    "%s:%u: %s is not ADDRESS/LENGTH with zero "
				    "host bits",
				    ps->file, ps->lineno, v);
	return rc;
}

static int
set_field(struct parse *ps, enum field f, const char *key, const char *v,
	  struct td_error *err)
{
	char *s;

	if (ps->seen[f])
		return td_error_set(err, TD_EPARSE, "%s:%u: second %s line",
				    ps->file, ps->lineno, key);
	ps->seen[f] = 1;
	if (!(s = dup_or_null(v, ps->store)))
		return TD_ENOMEM;
	switch (f) {
	case F_KIND:
		ps->cur.kind = s;
		break;
	case F_EMAIL:
		ps->cur.abuse_email = s;
		break;
	case F_URL:
		ps->cur.abuse_url = s;
		break;
	case F_SOURCE:
		ps->cur.source = s;
		break;
	default:
		ps->cur.note = s;
		break;
	}
	return 0;
}

static int
parse_line(struct parse *ps, char *line, unsigned lineno, struct td_error *err)
{
	char *key, *v, *p;
	size_t n;

	/* '#' at the start or after white space starts a comment */
	for (p = line; *p; p++)
		if (*p == '#' && (p == line || p[-1] == ' ' || p[-1] == '\t'))
			break;
	*p = '\0';
	n = strlen(line);
	while (n && (line[n - 1] == ' ' || line[n - 1] == '\t' ||
		     line[n - 1] == '\r'))
		line[--n] = '\0';
	key = line + strspn(line, " \t");
	if (!*key)
		return 0;
	v = key + strcspn(key, " \t");
	if (*v)
		*v++ = '\0';
	v += strspn(v, " \t");
	if (!*v)
		return td_error_set(err, TD_EPARSE, "%s:%u: %s without a value",
				    ps->file, lineno, key);
	if (!strcmp(key, "provider")) {
		int rc = finish(ps, err);

		if (rc)
			return rc;
		memset(&ps->cur, 0, sizeof(ps->cur));
		memset(ps->seen, 0, sizeof(ps->seen));
		ps->have = 1;
		ps->lineno = lineno;
		if (strlen(v) > 64)
			return td_error_set(err, TD_EPARSE,
					    "%s:%u: provider name too long",
					    ps->file, lineno);
		ps->cur.name = dup_or_null(v, ps->store);
		return ps->cur.name ? 0 : TD_ENOMEM;
	}
	if (!ps->have)
		return td_error_set(err, TD_EPARSE,
				    "%s:%u: %s before any provider line",
				    ps->file, lineno, key);
	ps->lineno = lineno;
	if (!strcmp(key, "kind")) {
		if (!kind_ok(v))
			return td_error_set(err, TD_EPARSE,
					    "%s:%u: unknown kind %s", ps->file,
					    lineno, v);
		return set_field(ps, F_KIND, key, v, err);
	}
	if (!strcmp(key, "abuse-email")) {
		if (!email_ok(v))
			return td_error_set(err, TD_EPARSE,
					    "%s:%u: bad e-mail address %s",
					    ps->file, lineno, v);
		return set_field(ps, F_EMAIL, key, v, err);
	}
	if (!strcmp(key, "abuse-url") || !strcmp(key, "source")) {
		if (!url_ok(v))
			return td_error_set(err, TD_EPARSE,
					    "%s:%u: %s is not an http(s) URL",
					    ps->file, lineno, v);
		return set_field(ps, key[0] == 'a' ? F_URL : F_SOURCE, key, v,
				 err);
	}
	if (!strcmp(key, "note"))
		return set_field(ps, F_NOTE, key, v, err);
	if (!strcmp(key, "host"))
		return add_pat(ps, PAT_HOST, v, err);
	if (!strcmp(key, "cname"))
		return add_pat(ps, PAT_CNAME, v, err);
	if (!strcmp(key, "ns"))
		return add_pat(ps, PAT_NS, v, err);
	if (!strcmp(key, "net"))
		return add_net(ps, v, err);
	return td_error_set(err, TD_EPARSE, "%s:%u: unknown key %s", ps->file,
			    lineno, key);
}

static int
parse_text(struct parse *ps, const char *text, size_t len, struct td_error *err)
{
	const char *p = text, *end = text + len;
	unsigned lineno = 0;
	int rc;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);
		char line[LINE_MAX_LEN];

		lineno++;
		if (n >= sizeof(line))
			return td_error_set(err, TD_EPARSE,
					    "%s:%u: line longer than %d bytes",
					    ps->file, lineno, LINE_MAX_LEN - 1);
		memcpy(line, p, n);
		line[n] = '\0';
		if (memchr(line, '\0', n))
			return td_error_set(err, TD_EPARSE, "%s:%u: NUL byte",
					    ps->file, lineno);
		if ((rc = parse_line(ps, line, lineno, err)))
			return rc;
		p += n + (eol ? 1 : 0);
	}
	return finish(ps, err);
}

int
td_providers_check(const char *name, const char *text, size_t len, size_t *nr,
		   struct td_error *err)
{
	struct parse ps;
	int rc;

	memset(&ps, 0, sizeof(ps));
	ps.file = name;
	if (nr)
		*nr = 0;
	if (td_bootstrap_iptab_new(&ps.check_nets))
		return TD_ENOMEM;
	rc = parse_text(&ps, text, len, err);
	td_bootstrap_iptab_free(ps.check_nets);
	if (!rc && nr)
		*nr = ps.nr;
	return rc;
}

const char *
td_providers_data(int which, size_t *len)
{
	const char *s = which ? td_data_platforms : td_data_cdn;
	const char *e = which ? td_data_platforms_end : td_data_cdn_end;

	if (len)
		*len = (size_t)(e - s);
	return s;
}

/*
 * Parse both files into the tables.  The shipped data is checked by the
 * tests; should a file still be bad here, what came before the bad line
 * is kept.
 */
static void
load(void)
{
	static const char *const names[2] = {"data/cdn.txt",
					     "data/platforms.txt"};
	size_t i, j, len;
	const char *text;

	if (td_bootstrap_iptab_new(&nets))
		return;
	for (i = 0; i < 2; i++) {
		struct parse ps;

		memset(&ps, 0, sizeof(ps));
		ps.file = names[i];
		ps.store = 1;
		text = td_providers_data((int)i, &len);
		if (parse_text(&ps, text, len, NULL))
			break;
	}
	/* drop patterns of a provider that failed to close */
	for (i = j = 0; i < nr_pats; i++)
		if (pats[i].provider < nr_providers)
			pats[j++] = pats[i];
	nr_pats = j;
	qsort(pats, nr_pats, sizeof(*pats), pat_cmp);
}

static void
ensure_loaded(void)
{
	pthread_once(&once, load);
}

static const struct pat *
pat_find(enum pat_type type, int wild, const char *name)
{
	struct pat key;

	key.name = name;
	key.type = (unsigned char)type;
	key.wild = (unsigned char)wild;
	key.provider = 0;
	if (!nr_pats)
		return NULL;
	return bsearch(&key, pats, nr_pats, sizeof(*pats), pat_cmp);
}

static const struct td_provider *
match_name(enum pat_type type, const char *in)
{
	char name[NAME_MAX_LEN + 1];
	const struct pat *e;
	const char *p;
	size_t i, n;

	if (!in)
		return NULL;
	n = strlen(in);
	if (n && in[n - 1] == '.')
		n--;
	if (!n || n > NAME_MAX_LEN - 1)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c <= ' ' || c >= 0x7f)
			return NULL;
		name[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	name[n] = '\0';
	if ((e = pat_find(type, 0, name)))
		return &providers[e->provider];
	for (p = strchr(name, '.'); p; p = strchr(p + 1, '.'))
		if ((e = pat_find(type, 1, p + 1)))
			return &providers[e->provider];
	return NULL;
}

const struct td_provider *
td_providers_by_host(const char *host)
{
	ensure_loaded();
	return match_name(PAT_HOST, host);
}

const struct td_provider *
td_providers_by_cname(const char *target)
{
	const struct td_provider *p;

	ensure_loaded();
	if ((p = match_name(PAT_CNAME, target)))
		return p;
	return match_name(PAT_HOST, target);
}

const struct td_provider *
td_providers_by_ns(const char *ns)
{
	ensure_loaded();
	return match_name(PAT_NS, ns);
}

const struct td_provider *
td_providers_by_ip(const char *ip)
{
	const void *v;
	size_t k;

	ensure_loaded();
	v = td_bootstrap_iptab_lookup(nets, ip, NULL);
	if (!v)
		return NULL;
	k = (size_t)v - 1;
	if (k >= nr_nets || net_idx[k] >= nr_providers)
		return NULL;
	return &providers[net_idx[k]];
}

const struct td_provider *
td_providers_get(size_t i)
{
	ensure_loaded();
	return i < nr_providers ? &providers[i] : NULL;
}
