/*
 * RDAP bootstrap (RFC 9224) and WHOIS server lookups.  The IANA files in
 * data/iana/ and data/whois-servers.txt are compiled in with .incbin, so
 * the binary needs no data directory; td_bootstrap_load() can read newer
 * files from a directory instead.  See docs/internals/bootstrap.md.
 *
 * Every table is a sorted array searched with bsearch: a domain costs one
 * search per label, an address one search per distinct prefix length.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "bootstrap.h"
#include "buf.h"
#include "banned.h"

#define INCBIN(sym, file)                                                      \
	__asm__(".section .rodata\n"                                           \
		".global " #sym "\n"                                           \
		".balign 8\n" #sym ":\n"                                       \
		".incbin \"" file "\"\n"                                       \
		".global " #sym "_end\n" #sym "_end:\n"                        \
		".byte 0\n"                                                    \
		".previous\n")

INCBIN(td_data_iana_dns, "data/iana/dns.json");
INCBIN(td_data_iana_ipv4, "data/iana/ipv4.json");
INCBIN(td_data_iana_ipv6, "data/iana/ipv6.json");
INCBIN(td_data_iana_asn, "data/iana/asn.json");
INCBIN(td_data_rdap_fallback, "data/iana/rdap-fallback.txt");
INCBIN(td_data_whois_servers, "data/whois-servers.txt");
extern const char td_data_iana_dns[], td_data_iana_dns_end[];
extern const char td_data_iana_ipv4[], td_data_iana_ipv4_end[];
extern const char td_data_iana_ipv6[], td_data_iana_ipv6_end[];
extern const char td_data_iana_asn[], td_data_iana_asn_end[];
extern const char td_data_rdap_fallback[], td_data_rdap_fallback_end[];
extern const char td_data_whois_servers[], td_data_whois_servers_end[];

/* Longest name we look up: RFC 1035 2.3.4, plus a trailing dot. */
#define NAME_MAX_LEN 254
/* Bootstrap files larger than this are refused (IANA's dns.json: 80 kB). */
#define FILE_MAX_BYTES (8u << 20)

/* ---- string arena: everything a struct td_bootstrap points into ---- */

struct chunk {
	struct chunk *next;
	size_t used, size;
	char data[];
};

struct arena {
	struct chunk *head;
};

static char *
arena_strndup(struct arena *a, const char *s, size_t len)
{
	struct chunk *c = a->head;
	char *p;

	if (!c || c->size - c->used < len + 1) {
		size_t size = len + 1 > 16384 ? len + 1 : 16384;

		c = malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		c->used = 0;
		c->size = size;
		c->next = a->head;
		a->head = c;
	}
	p = c->data + c->used;
	memcpy(p, s, len);
	p[len] = '\0';
	c->used += len + 1;
	return p;
}

static char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

static void
arena_release(struct arena *a)
{
	while (a->head) {
		struct chunk *next = a->head->next;

		free(a->head);
		a->head = next;
	}
}

/* ---- IP prefix tables ---- */

struct ipent {
	unsigned char addr[16];
	unsigned char len;
	unsigned char fam; /* 0: IPv4 (addr[0..3]), 1: IPv6 */
	const void *value;
};

struct td_bootstrap_iptab {
	struct ipent *v;
	size_t nr, alloc;
	/* distinct prefix lengths present, longest first, per family */
	unsigned char lens[2][129];
	unsigned nr_lens[2];
};

static int
ipent_cmp(const void *a, const void *b)
{
	const struct ipent *x = a, *y = b;

	if (x->fam != y->fam)
		return x->fam < y->fam ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->addr, y->addr, 16);
}

static void
mask_bits(unsigned char addr[16], unsigned len)
{
	unsigned i;

	for (i = 0; i < 16; i++) {
		if (len >= 8) {
			len -= 8;
			continue;
		}
		addr[i] &= (unsigned char)(0xff00u >> len);
		len = 0;
	}
}

/*
 * Parse an address into addr (IPv4 in the first 4 bytes) and its family
 * (0 or 1).  An IPv4-mapped IPv6 address is taken as IPv4 when map4.
 */
static int
parse_addr(const char *s, unsigned char addr[16], unsigned char *fam, int map4)
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0,	   0,
						 0, 0, 0, 0, 0xff, 0xff};

	memset(addr, 0, 16);
	if (inet_pton(AF_INET, s, addr) == 1) {
		*fam = 0;
		return 0;
	}
	if (inet_pton(AF_INET6, s, addr) != 1)
		return -1;
	*fam = 1;
	if (map4 && !memcmp(addr, mapped, 12)) {
		memmove(addr, addr + 12, 4);
		memset(addr + 4, 0, 12);
		*fam = 0;
	}
	return 0;
}

/* "ADDR/LEN" or "ADDR"; host bits must be zero. */
static int
parse_cidr(const char *cidr, struct ipent *e)
{
	char buf[INET6_ADDRSTRLEN + 8];
	unsigned char check[16];
	const char *slash = strchr(cidr, '/');
	size_t alen = slash ? (size_t)(slash - cidr) : strlen(cidr);
	unsigned long len, max;
	char *end;

	if (alen == 0 || alen >= sizeof(buf))
		return -1;
	memcpy(buf, cidr, alen);
	buf[alen] = '\0';
	if (parse_addr(buf, e->addr, &e->fam, 0))
		return -1;
	max = e->fam ? 128 : 32;
	if (slash) {
		if (slash[1] < '0' || slash[1] > '9')
			return -1;
		errno = 0;
		len = strtoul(slash + 1, &end, 10);
		if (*end || errno || len > max || end - slash > 4)
			return -1;
	} else {
		len = max;
	}
	e->len = (unsigned char)len;
	memcpy(check, e->addr, 16);
	mask_bits(check, (unsigned)len);
	return memcmp(check, e->addr, 16) ? -1 : 0;
}

int
td_bootstrap_iptab_new(struct td_bootstrap_iptab **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : TD_ENOMEM;
}

void
td_bootstrap_iptab_free(struct td_bootstrap_iptab *t)
{
	if (!t)
		return;
	free(t->v);
	free(t);
}

static void
note_len(struct td_bootstrap_iptab *t, unsigned fam, unsigned char len)
{
	unsigned i, n = t->nr_lens[fam];

	for (i = 0; i < n; i++) {
		if (t->lens[fam][i] == len)
			return;
		if (t->lens[fam][i] < len)
			break;
	}
	memmove(&t->lens[fam][i + 1], &t->lens[fam][i], n - i);
	t->lens[fam][i] = len;
	t->nr_lens[fam]++;
}

static int
iptab_insert(struct td_bootstrap_iptab *t, const struct ipent *e)
{
	size_t lo = 0, hi = t->nr;

	/* binary search for the insertion point; the table stays sorted */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = ipent_cmp(&t->v[mid], e);

		if (c == 0) {
			t->v[mid].value = e->value;
			return 0;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (TD_ARRAY_GROW(t->v, t->nr + 1, t->alloc))
		return TD_ENOMEM;
	memmove(&t->v[lo + 1], &t->v[lo], (t->nr - lo) * sizeof(*t->v));
	t->v[lo] = *e;
	t->nr++;
	note_len(t, e->fam, e->len);
	return 0;
}

int
td_bootstrap_iptab_add(struct td_bootstrap_iptab *t, const char *cidr,
		       const void *value)
{
	struct ipent e;

	if (parse_cidr(cidr, &e))
		return TD_EINVAL;
	e.value = value;
	return iptab_insert(t, &e);
}

const void *
td_bootstrap_iptab_lookup(const struct td_bootstrap_iptab *t, const char *ip,
			  unsigned *prefix_len)
{
	struct ipent key;
	unsigned i;

	if (!t || !ip || parse_addr(ip, key.addr, &key.fam, 1))
		return NULL;
	for (i = 0; i < t->nr_lens[key.fam]; i++) {
		struct ipent k = key;
		const struct ipent *hit;

		k.len = t->lens[key.fam][i];
		mask_bits(k.addr, k.len);
		hit = bsearch(&k, t->v, t->nr, sizeof(*t->v), ipent_cmp);
		if (hit) {
			if (prefix_len)
				*prefix_len = hit->len;
			return hit->value;
		}
	}
	return NULL;
}

/* ---- name tables: suffix -> value, sorted by name ---- */

struct nament {
	const char *name;  /* lowercase, no trailing dot; "" is the root */
	const char *value; /* URL or server */
	int kind;	   /* enum td_whois_kind for the WHOIS list */
	size_t order;	   /* position in the file: first match wins */
};

struct namtab {
	struct nament *v;
	size_t nr, alloc;
};

static int
nament_cmp(const void *a, const void *b)
{
	return strcmp(((const struct nament *)a)->name,
		      ((const struct nament *)b)->name);
}

static int
nament_order_cmp(const void *a, const void *b)
{
	const struct nament *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int
namtab_add(struct namtab *t, const char *name, const char *value, int kind)
{
	if (TD_ARRAY_GROW(t->v, t->nr + 1, t->alloc))
		return TD_ENOMEM;
	t->v[t->nr].name = name;
	t->v[t->nr].value = value;
	t->v[t->nr].kind = kind;
	t->v[t->nr].order = t->nr;
	t->nr++;
	return 0;
}

/* Sort; of duplicate names the first added is kept (first match wins). */
static void
namtab_sort(struct namtab *t)
{
	size_t i, j;

	if (t->nr)
		qsort(t->v, t->nr, sizeof(*t->v), nament_order_cmp);
	for (i = 0, j = 0; i < t->nr; i++)
		if (!j || strcmp(t->v[j - 1].name, t->v[i].name))
			t->v[j++] = t->v[i];
	t->nr = j;
	for (i = 0; i < t->nr; i++)
		t->v[i].order = i;
}

static const struct nament *
namtab_find(const struct namtab *t, const char *name)
{
	struct nament key = {name, NULL, 0, 0};

	if (!t->nr)
		return NULL;
	return bsearch(&key, t->v, t->nr, sizeof(*t->v), nament_cmp);
}

/*
 * The entry for the longest label-wise suffix of name (already
 * normalised), the root entry "" last.
 */
static const struct nament *
namtab_longest(const struct namtab *t, const char *name)
{
	const char *p = name;
	const struct nament *e;

	if (!t->nr)
		return NULL;
	for (;;) {
		if ((e = namtab_find(t, p)))
			return e;
		p = strchr(p, '.');
		if (!p)
			break;
		p++;
	}
	return namtab_find(t, "");
}

/* Lowercase name into buf, dropping one trailing dot.  -1 if unusable. */
static int
normalise_name(char buf[NAME_MAX_LEN + 1], const char *name)
{
	size_t i, n;

	if (!name)
		return -1;
	n = strlen(name);
	if (n && name[n - 1] == '.')
		n--;
	if (n == 0 || n > NAME_MAX_LEN - 1)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c <= ' ' || c >= 0x7f || c == '/')
			return -1;
		buf[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	buf[n] = '\0';
	return 0;
}

/* ---- AS number ranges ---- */

struct asrange {
	uint32_t lo, hi;
	const char *url;
};

static int
asrange_cmp(const void *a, const void *b)
{
	const struct asrange *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if (x->hi != y->hi)
		return x->hi < y->hi ? -1 : 1;
	return 0;
}

/* "N" or "N-M", 0 <= N <= M <= 2^32-1.  -1 if malformed. */
static int
parse_asrange(const char *s, struct asrange *r)
{
	unsigned long long lo, hi;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	lo = strtoull(s, &end, 10);
	if (errno || lo > UINT32_MAX)
		return -1;
	hi = lo;
	if (*end == '-') {
		if (end[1] < '0' || end[1] > '9')
			return -1;
		hi = strtoull(end + 1, &end, 10);
		if (errno || hi > UINT32_MAX || hi < lo)
			return -1;
	}
	if (*end)
		return -1;
	r->lo = (uint32_t)lo;
	r->hi = (uint32_t)hi;
	return 0;
}

struct astab {
	struct asrange *v;
	size_t nr, alloc;
};

/*
 * The URL of the range holding asn.  IANA's ranges do not overlap, so the
 * last range starting at or below asn decides; overrides (nested) may
 * overlap, and the narrowest holding range wins.
 */
static const char *
astab_find(const struct astab *t, unsigned long asn, int nested)
{
	size_t lo = 0, hi = t->nr, i;
	const char *best = NULL;
	uint64_t width = UINT64_MAX;

	if (asn > UINT32_MAX)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->v[mid].lo <= asn)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!nested)
		return lo && t->v[lo - 1].hi >= asn ? t->v[lo - 1].url : NULL;
	for (i = lo; i-- > 0;) {
		uint64_t w = (uint64_t)t->v[i].hi - t->v[i].lo;

		if (t->v[i].hi >= asn && w < width) {
			width = w;
			best = t->v[i].url;
		}
	}
	return best;
}

/* ---- the bootstrap object ---- */

struct td_bootstrap {
	struct arena arena;
	struct namtab dns;	/* IANA dns.json */
	struct namtab fallback; /* data/iana/rdap-fallback.txt */
	struct namtab whois;	/* data/whois-servers.txt */
	struct td_bootstrap_iptab *ip;
	struct astab asn;
	const char *publication[4];
	size_t count[4];
	/* overrides */
	struct namtab odns;
	struct td_bootstrap_iptab *oip;
	struct astab oasn;
};

static const char *const file_names[4] = {"dns.json", "ipv4.json", "ipv6.json",
					  "asn.json"};
static const char *const file_sections[4] = {"4", "5.1", "5.2", "5.3"};

/*
 * A base URL as RFC 9224 section 3 wants it: http or https, a host, and
 * nothing that is not a valid URL character or %XX escape.
 */
static int
url_ok(const char *u)
{
	const char *p;

	if (!strncasecmp(u, "https://", 8))
		p = u + 8;
	else if (!strncasecmp(u, "http://", 7))
		p = u + 7;
	else
		return 0;
	if (!*p || *p == '/' || *p == '?' || *p == '#')
		return 0;
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= ' ' || c >= 0x7f || strchr("\"<>\\^`{|}", c))
			return 0;
		if (c == '%') {
			if (!strchr("0123456789abcdefABCDEF", p[1]) || !p[1] ||
			    !strchr("0123456789abcdefABCDEF", p[2]) || !p[2])
				return 0;
		}
	}
	return 1;
}

/* Copy a base URL into the arena with a final '/'. */
static const char *
url_store(struct arena *a, const char *u)
{
	size_t n = strlen(u);
	char *s;

	if (n && u[n - 1] == '/')
		return arena_strndup(a, u, n);
	s = arena_strndup(a, u, n + 1);
	if (s) {
		s[n] = '/';
		s[n + 1] = '\0';
	}
	return s;
}

/* A DNS entry of dns.json: lowercase LDH labels, or "" for the root. */
static int
dns_entry_ok(const char *s)
{
	size_t label = 0;

	if (!*s)
		return 1;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '.') {
			if (!label)
				return 0;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return 0;
		if (++label > 63)
			return 0;
	}
	return label != 0;
}

/*
 * Read one IANA file (text[0..len), named name for messages) of the given
 * kind into b.
 */
static int
load_iana(struct td_bootstrap *b, enum td_bootstrap_file which,
	  const char *name, const char *text, size_t len, struct td_error *err)
{
	const char *sec = file_sections[which];
	json_error_t jerr;
	json_t *root = NULL, *services, *pub, *svc;
	size_t i, j;
	int rc = 0;

	if (len == 0)
		return td_error_set(err, TD_EPARSE,
				    "%s: RFC 9224 section 3: empty file", name);
	if (len > FILE_MAX_BYTES)
		return td_error_set(err, TD_EPARSE, "%s: larger than %u bytes",
				    name, FILE_MAX_BYTES);
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return td_error_set(err, TD_EPARSE,
				    "%s: line %d: invalid JSON (RFC 8259): %s",
				    name, jerr.line, jerr.text);
	if (!json_is_object(root)) {
		rc = td_error_set(err, TD_EPARSE,
				  "%s: RFC 9224 section 3: not a JSON object",
				  name);
		goto out;
	}
	services = json_object_get(root, "services");
	if (!json_is_array(services)) {
		rc = td_error_set(
		    err, TD_EPARSE,
		    "%s: RFC 9224 section 3: no \"services\" array", name);
		goto out;
	}
	pub = json_object_get(root, "publication");
	b->publication[which] = arena_strdup(
	    &b->arena, json_is_string(pub) ? json_string_value(pub) : "");
	if (!b->publication[which]) {
		rc = TD_ENOMEM;
		goto out;
	}
	json_array_foreach(services, i, svc)
	{
		json_t *entries = json_array_get(svc, 0);
		json_t *urls = json_array_get(svc, 1);
		const char *https = NULL, *http = NULL, *url;
		json_t *v;

		if (!json_is_array(svc) || json_array_size(svc) != 2 ||
		    !json_is_array(entries) || !json_is_array(urls) ||
		    !json_array_size(entries) || !json_array_size(urls)) {
			rc = td_error_set(
			    err, TD_EPARSE,
			    "%s: RFC 9224 section 3: services[%zu] "
			    "is not [[entries...], [urls...]]",
			    name, i);
			goto out;
		}
		json_array_foreach(urls, j, v)
		{
			const char *u = json_string_value(v);

			if (!u || !url_ok(u)) {
				rc = td_error_set(
				    err, TD_EPARSE,
				    "%s: RFC 9224 section 3: services[%zu]: "
				    "bad base URL %s",
				    name, i, u ? u : "(not a string)");
				goto out;
			}
			if (!https && !strncasecmp(u, "https:", 6))
				https = u;
			if (!http)
				http = u;
		}
		url = url_store(&b->arena, https ? https : http);
		if (!url) {
			rc = TD_ENOMEM;
			goto out;
		}
		json_array_foreach(entries, j, v)
		{
			const char *s = json_string_value(v);
			struct asrange r;

			if (!s)
				goto bad_entry;
			switch (which) {
			case TD_BOOTSTRAP_DNS: {
				char low[NAME_MAX_LEN + 1];
				const char *n;

				if (*s && normalise_name(low, s))
					goto bad_entry;
				if (!*s)
					low[0] = '\0';
				if (!dns_entry_ok(low))
					goto bad_entry;
				n = arena_strdup(&b->arena, low);
				if (!n || namtab_add(&b->dns, n, url, 0)) {
					rc = TD_ENOMEM;
					goto out;
				}
				break;
			}
			case TD_BOOTSTRAP_IPV4:
			case TD_BOOTSTRAP_IPV6: {
				struct ipent e;

				if (parse_cidr(s, &e) ||
				    e.fam != (which == TD_BOOTSTRAP_IPV6))
					goto bad_entry;
				e.value = url;
				if (iptab_insert(b->ip, &e)) {
					rc = TD_ENOMEM;
					goto out;
				}
				break;
			}
			case TD_BOOTSTRAP_ASN:
				if (parse_asrange(s, &r))
					goto bad_entry;
				r.url = url;
				if (TD_ARRAY_GROW(b->asn.v, b->asn.nr + 1,
						  b->asn.alloc)) {
					rc = TD_ENOMEM;
					goto out;
				}
				b->asn.v[b->asn.nr++] = r;
				break;
			}
			b->count[which]++;
			continue;
		bad_entry:
			rc = td_error_set(
			    err, TD_EPARSE,
			    "%s: RFC 9224 section %s: services[%zu]: "
			    "bad entry %s",
			    name, sec, i, s ? s : "(not a string)");
			goto out;
		}
	}
out:
	json_decref(root);
	return rc;
}

/*
 * Split line[0..len) into at most max words, up to a '#' comment.
 * Returns the number of words, or max + 1 when there are more.
 */
static size_t
split_words(const char *line, size_t len, const char **w, size_t *wl,
	    size_t max)
{
	const char *p = line, *end = line + len;
	size_t n = 0;

	for (;;) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
			p++;
		if (p == end || *p == '#')
			return n;
		if (n == max)
			return max + 1;
		w[n] = p;
		while (p < end && *p != ' ' && *p != '\t' && *p != '\r' &&
		       *p != '#')
			p++;
		wl[n] = (size_t)(p - w[n]);
		n++;
	}
}

static int
copy_word(char *dst, size_t size, const char *w, size_t wl)
{
	if (wl >= size)
		return -1;
	memcpy(dst, w, wl);
	dst[wl] = '\0';
	return 0;
}

/* A suffix of the lists: a lowercase domain name without final dot. */
static int
suffix_ok(const char *s)
{
	char low[NAME_MAX_LEN + 1];

	return !normalise_name(low, s) && !strcmp(low, s) && dns_entry_ok(s);
}

/*
 * One line of the WHOIS server list: "SUFFIX SERVER", "SUFFIX WEB URL" or
 * "SUFFIX NONE", '#' starting a comment.  Returns 0 for a line without an
 * entry, 1 for an entry (suffix, kind, value filled), -1 with *why set.
 */
static int
whois_line_parse(const char *line, size_t len, char suffix[NAME_MAX_LEN + 1],
		 int *kind, char value[512], const char **why)
{
	const char *w[3];
	size_t wl[3], n, i;

	n = split_words(line, len, w, wl, 3);
	if (n == 0)
		return 0;
	if (n > 3 || n == 1) {
		*why = "expected SUFFIX SERVER, SUFFIX WEB URL or SUFFIX NONE";
		return -1;
	}
	if (copy_word(suffix, NAME_MAX_LEN + 1, w[0], wl[0]) ||
	    !suffix_ok(suffix)) {
		*why = "suffix is not a lowercase domain name";
		return -1;
	}
	if (wl[1] == 4 && !memcmp(w[1], "NONE", 4)) {
		if (n != 2) {
			*why = "NONE takes no value";
			return -1;
		}
		*kind = TD_WHOIS_NONE;
		value[0] = '\0';
		return 1;
	}
	if (wl[1] == 3 && !memcmp(w[1], "WEB", 3)) {
		if (n != 3 || copy_word(value, 512, w[2], wl[2]) ||
		    !url_ok(value)) {
			*why = "WEB needs one http or https URL";
			return -1;
		}
		*kind = TD_WHOIS_WEB;
		return 1;
	}
	if (n != 2 || copy_word(value, 512, w[1], wl[1])) {
		*why = "expected SUFFIX SERVER";
		return -1;
	}
	for (i = 0; value[i]; i++)
		if (value[i] >= 'A' && value[i] <= 'Z')
			break;
	if (value[i] || !dns_entry_ok(value) || !strchr(value, '.')) {
		*why = "server is not a lowercase host name";
		return -1;
	}
	*kind = TD_WHOIS_SERVER;
	return 1;
}

/* One line of the RDAP fallback list: "SUFFIX URL". */
static int
fallback_line_parse(const char *line, size_t len, char suffix[NAME_MAX_LEN + 1],
		    int *kind, char value[512], const char **why)
{
	const char *w[2];
	size_t wl[2], n;

	*kind = 0;
	n = split_words(line, len, w, wl, 2);
	if (n == 0)
		return 0;
	if (n != 2) {
		*why = "expected SUFFIX URL";
		return -1;
	}
	if (copy_word(suffix, NAME_MAX_LEN + 1, w[0], wl[0]) ||
	    !suffix_ok(suffix)) {
		*why = "suffix is not a lowercase domain name";
		return -1;
	}
	if (copy_word(value, 512, w[1], wl[1]) || !url_ok(value)) {
		*why = "not an http or https URL";
		return -1;
	}
	return 1;
}

int
td_bootstrap_whois_line_check(const char *line, struct td_error *err)
{
	char suffix[NAME_MAX_LEN + 1], value[512];
	const char *why = NULL;
	int kind;

	if (whois_line_parse(line, strlen(line), suffix, &kind, value, &why) <
	    0)
		return td_error_set(err, TD_EPARSE, "%s: %s", line, why);
	return 0;
}

/*
 * Read a line-based list (the WHOIS list, or the RDAP fallback list when
 * url_list) into t.  Any bad line fails the whole list.
 */
static int
load_list(struct td_bootstrap *b, struct namtab *t, const char *name,
	  const char *text, size_t len, int url_list, struct td_error *err)
{
	const char *p = text, *end = text + len;
	unsigned lineno = 0;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);
		char suffix[NAME_MAX_LEN + 1], value[512];
		const char *why = NULL, *s, *v;
		int kind = 0, r;

		lineno++;
		if (url_list)
			r = fallback_line_parse(p, n, suffix, &kind, value,
						&why);
		else
			r = whois_line_parse(p, n, suffix, &kind, value, &why);
		p += n + (eol ? 1 : 0);
		if (r == 0)
			continue;
		if (r < 0)
			return td_error_set(err, TD_EPARSE, "%s:%u: %s", name,
					    lineno, why);
		s = arena_strdup(&b->arena, suffix);
		v = url_list ? url_store(&b->arena, value)
			     : arena_strdup(&b->arena, value);
		if (!s || !v || namtab_add(t, s, v, kind))
			return TD_ENOMEM;
	}
	namtab_sort(t);
	return 0;
}

/* Read dir/name into a malloc'ed, NUL-terminated buffer. */
static int
read_file(char **out, size_t *len, const char *dir, const char *name,
	  int optional, struct td_error *err)
{
	char path[4096];
	FILE *f;
	struct td_buf buf;
	char tmp[8192];
	size_t n;

	*out = NULL;
	*len = 0;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return td_error_set(err, TD_EIO, "%s: path too long", dir);
	f = fopen(path, "rb");
	if (!f) {
		if (optional && errno == ENOENT)
			return 0;
		return td_error_set(err, TD_EIO, "%s: %s", path,
				    strerror(errno));
	}
	td_buf_init(&buf, FILE_MAX_BYTES);
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		if (td_buf_add(&buf, tmp, n))
			break;
	if (ferror(f) || td_buf_failed(&buf)) {
		int rc = td_buf_failed(&buf) & TD_BUF_OOM ? TD_ENOMEM : TD_EIO;

		fclose(f);
		td_buf_release(&buf);
		if (rc == TD_ENOMEM)
			return rc;
		return td_error_set(err, TD_EIO,
				    "%s: read error or over %u "
				    "bytes",
				    path, FILE_MAX_BYTES);
	}
	fclose(f);
	*out = td_buf_detach(&buf, len);
	return *out ? 0 : TD_ENOMEM;
}

int
td_bootstrap_load(struct td_bootstrap **out, const char *dir,
		  struct td_error *err)
{
	static const char *const builtin[4][2] = {
	    {td_data_iana_dns, td_data_iana_dns_end},
	    {td_data_iana_ipv4, td_data_iana_ipv4_end},
	    {td_data_iana_ipv6, td_data_iana_ipv6_end},
	    {td_data_iana_asn, td_data_iana_asn_end},
	};
	struct td_bootstrap *b;
	char *text = NULL;
	size_t len;
	int i, rc;

	*out = NULL;
	b = calloc(1, sizeof(*b));
	if (!b || td_bootstrap_iptab_new(&b->ip)) {
		rc = TD_ENOMEM;
		goto fail;
	}
	for (i = 0; i < 4; i++) {
		char name[4200];

		if (dir) {
			rc = read_file(&text, &len, dir, file_names[i], 0, err);
			if (rc)
				goto fail;
			snprintf(name, sizeof(name), "%s/%s", dir,
				 file_names[i]);
			rc = load_iana(b, (enum td_bootstrap_file)i, name, text,
				       len, err);
			free(text);
			text = NULL;
		} else {
			snprintf(name, sizeof(name), "data/iana/%s",
				 file_names[i]);
			rc = load_iana(
			    b, (enum td_bootstrap_file)i, name, builtin[i][0],
			    (size_t)(builtin[i][1] - builtin[i][0]), err);
		}
		if (rc)
			goto fail;
	}
	namtab_sort(&b->dns);
	if (b->asn.nr)
		qsort(b->asn.v, b->asn.nr, sizeof(*b->asn.v), asrange_cmp);

	rc = load_list(
	    b, &b->fallback, "data/iana/rdap-fallback.txt",
	    td_data_rdap_fallback,
	    (size_t)(td_data_rdap_fallback_end - td_data_rdap_fallback), 1,
	    err);
	if (rc)
		goto fail;
	if (dir) {
		rc = read_file(&text, &len, dir, "whois-servers.txt", 1, err);
		if (rc)
			goto fail;
	}
	if (text) {
		rc = load_list(b, &b->whois, "whois-servers.txt", text, len, 0,
			       err);
		free(text);
	} else {
		rc = load_list(
		    b, &b->whois, "data/whois-servers.txt",
		    td_data_whois_servers,
		    (size_t)(td_data_whois_servers_end - td_data_whois_servers),
		    0, err);
	}
	if (rc)
		goto fail;
	*out = b;
	return 0;
fail:
	if (rc == TD_ENOMEM)
		td_error_set(err, rc, "bootstrap: %s", td_strerror(rc));
	td_bootstrap_free(b);
	return rc;
}

void
td_bootstrap_free(struct td_bootstrap *b)
{
	if (!b)
		return;
	free(b->dns.v);
	free(b->fallback.v);
	free(b->whois.v);
	free(b->odns.v);
	td_bootstrap_iptab_free(b->ip);
	td_bootstrap_iptab_free(b->oip);
	free(b->asn.v);
	free(b->oasn.v);
	arena_release(&b->arena);
	free(b);
}

const char *
td_bootstrap_rdap_domain(const struct td_bootstrap *b, const char *domain)
{
	char name[NAME_MAX_LEN + 1];
	const struct nament *e;

	if (!b || normalise_name(name, domain))
		return NULL;
	if ((e = namtab_longest(&b->odns, name)))
		return e->value;
	if ((e = namtab_longest(&b->dns, name)))
		return e->value;
	if ((e = namtab_longest(&b->fallback, name)))
		return e->value;
	return NULL;
}

const char *
td_bootstrap_rdap_ip(const struct td_bootstrap *b, const char *ip)
{
	const void *v;

	if (!b)
		return NULL;
	if ((v = td_bootstrap_iptab_lookup(b->oip, ip, NULL)))
		return v;
	return td_bootstrap_iptab_lookup(b->ip, ip, NULL);
}

const char *
td_bootstrap_rdap_asn(const struct td_bootstrap *b, unsigned long asn)
{
	const char *u;

	if (!b)
		return NULL;
	if ((u = astab_find(&b->oasn, asn, 1)))
		return u;
	return astab_find(&b->asn, asn, 0);
}

static int
override_domain(struct td_bootstrap *b, const char *key, const char *url)
{
	char name[NAME_MAX_LEN + 1];
	struct nament *e;
	const char *n;

	if (!strcmp(key, "."))
		name[0] = '\0';
	else if (normalise_name(name, key) || !dns_entry_ok(name))
		return TD_EINVAL;
	if ((e = (struct nament *)namtab_find(&b->odns, name))) {
		e->value = url;
		return 0;
	}
	n = arena_strdup(&b->arena, name);
	if (!n || namtab_add(&b->odns, n, url, 0))
		return TD_ENOMEM;
	namtab_sort(&b->odns);
	return 0;
}

static int
override_asn(struct td_bootstrap *b, const char *range, const char *url)
{
	struct asrange r;
	size_t i;

	if (parse_asrange(range, &r))
		return TD_EINVAL;
	r.url = url;
	for (i = 0; i < b->oasn.nr; i++) {
		if (b->oasn.v[i].lo == r.lo && b->oasn.v[i].hi == r.hi) {
			b->oasn.v[i].url = url;
			return 0;
		}
	}
	if (TD_ARRAY_GROW(b->oasn.v, b->oasn.nr + 1, b->oasn.alloc))
		return TD_ENOMEM;
	b->oasn.v[b->oasn.nr++] = r;
	if (b->oasn.nr)
		qsort(b->oasn.v, b->oasn.nr, sizeof(*b->oasn.v), asrange_cmp);
	return 0;
}

static int
override_ip(struct td_bootstrap *b, const char *cidr, const char *url)
{
	if (!b->oip && td_bootstrap_iptab_new(&b->oip))
		return TD_ENOMEM;
	return td_bootstrap_iptab_add(b->oip, cidr, url);
}

int
td_bootstrap_set_rdap_override(struct td_bootstrap *b, const char *suffix,
			       const char *base_url)
{
	const char *url;
	int rc;

	if (!b || !suffix || !base_url || !url_ok(base_url))
		return TD_EINVAL;
	url = url_store(&b->arena, base_url);
	if (!url)
		return TD_ENOMEM;
	if (!strcmp(suffix, "*")) {
		if ((rc = override_domain(b, ".", url)) ||
		    (rc = override_ip(b, "0.0.0.0/0", url)) ||
		    (rc = override_ip(b, "::/0", url)))
			return rc;
		return override_asn(b, "0-4294967295", url);
	}
	if ((suffix[0] == 'A' || suffix[0] == 'a') &&
	    (suffix[1] == 'S' || suffix[1] == 's')) {
		struct asrange r;

		if (!parse_asrange(suffix + 2, &r))
			return override_asn(b, suffix + 2, url);
	}
	if (strchr(suffix, '/') || strchr(suffix, ':'))
		return override_ip(b, suffix, url);
	return override_domain(b, suffix, url);
}

enum td_whois_kind
td_bootstrap_whois(const struct td_bootstrap *b, const char *domain,
		   const char **out)
{
	char name[NAME_MAX_LEN + 1];
	const struct nament *e;

	if (out)
		*out = NULL;
	if (!b || normalise_name(name, domain))
		return TD_WHOIS_UNKNOWN;
	e = namtab_longest(&b->whois, name);
	if (!e)
		return TD_WHOIS_UNKNOWN;
	if (out && e->kind != TD_WHOIS_NONE)
		*out = e->value;
	return (enum td_whois_kind)e->kind;
}

const char *
td_bootstrap_whois_domain(const struct td_bootstrap *b, const char *domain)
{
	const char *s;

	if (td_bootstrap_whois(b, domain, &s) != TD_WHOIS_SERVER)
		return NULL;
	return s;
}

const char *
td_bootstrap_publication(const struct td_bootstrap *b,
			 enum td_bootstrap_file which)
{
	if (!b || (unsigned)which > TD_BOOTSTRAP_ASN || !b->publication[which])
		return "";
	return b->publication[which];
}

size_t
td_bootstrap_count(const struct td_bootstrap *b, enum td_bootstrap_file which)
{
	if (!b || (unsigned)which > TD_BOOTSTRAP_ASN)
		return 0;
	return b->count[which];
}
