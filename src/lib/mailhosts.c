/*
 * Built-in mail providers; the data is data/mailhosts.txt, compiled in with
 * .incbin so that the binary needs no data directory.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "mailhosts.h"
#include "banned.h"

__asm__(".section .rodata\n"
	".global td_data_mailhosts\n"
	"td_data_mailhosts:\n"
	".incbin \"data/mailhosts.txt\"\n"
	".byte 0\n"
	".previous\n");
extern const char td_data_mailhosts[];

#define MAX_PROVIDERS 16

struct provider {
	char name[32];
	struct td_trust by;
	struct td_trust relays;
};

static struct provider providers[MAX_PROVIDERS];
static size_t nr_providers;
static int loaded;

static struct provider *
provider_get(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < nr_providers; i++)
		if (strlen(providers[i].name) == len &&
		    !memcmp(providers[i].name, name, len))
			return &providers[i];
	if (nr_providers == MAX_PROVIDERS || len >= sizeof(providers[0].name))
		return NULL;
	memcpy(providers[nr_providers].name, name, len);
	providers[nr_providers].name[len] = '\0';
	return &providers[nr_providers++];
}

/* The data is ours and checked by tests; a bad line is skipped. */
static void
load(void)
{
	const char *p = td_data_mailhosts;

	loaded = 1;
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char line[256], *name, *kind, *value, *save = NULL;
		struct provider *pv;

		if (len < sizeof(line) && *p != '#') {
			memcpy(line, p, len);
			line[len] = '\0';
			name = strtok_r(line, " \t", &save);
			kind = name ? strtok_r(NULL, " \t", &save) : NULL;
			value = kind ? strtok_r(NULL, " \t", &save) : NULL;
			if (value && (pv = provider_get(name, strlen(name)))) {
				if (!strcmp(kind, "by"))
					td_trust_add(&pv->by, value, NULL);
				else if (!strcmp(kind, "net"))
					td_trust_add(&pv->relays, value, NULL);
			}
		}
		p += len + (eol ? 1 : 0);
	}
}

/* Does name match an entry of t: exact, or below a ".domain" entry? */
static int
name_matches(const struct td_trust *t, const char *name)
{
	size_t i, n = strlen(name), en;

	if (n && name[n - 1] == '.')
		n--;
	for (i = 0; i < t->nr_names; i++) {
		const char *e = t->names[i];

		en = strlen(e);
		if (e[0] == '.') {
			if (n > en && !strncasecmp(name + n - en, e, en))
				return 1;
		} else if (n == en && !strncasecmp(name, e, n)) {
			return 1;
		}
	}
	return 0;
}

static int
is_ip_literal(const char *s)
{
	return strchr(s, ':') || strspn(s, "0123456789.") == strlen(s);
}

const char *
td_mailhosts_detect(const struct td_received *r)
{
	size_t i, j;

	if (!loaded)
		load();
	/* Gmail's topmost field is "by 2002:a05:...": skip hosts written as
	   addresses and use the first one with a name.  Only hops handed over
	   inside one host (no client) may be skipped this way. */
	for (i = 0; i < r->nr; i++) {
		const struct td_hop *h = &r->hops[i];

		if (!h->by || is_ip_literal(h->by)) {
			if (h->from_ip || h->from_helo || h->from_rdns)
				return NULL;
			continue;
		}
		for (j = 0; j < nr_providers; j++)
			if (name_matches(&providers[j].by, h->by))
				return providers[j].name;
		return NULL;
	}
	return NULL;
}

int
td_mailhosts_trust(struct td_trust *out, const struct td_trust *base,
		   const char *provider)
{
	const struct provider *pv = NULL;
	size_t i;

	if (!loaded)
		load();
	memset(out, 0, sizeof(*out));
	for (i = 0; i < nr_providers; i++)
		if (!strcmp(providers[i].name, provider))
			pv = &providers[i];
	if (!pv)
		return TD_EINVAL;
	if (base) {
		for (i = 0; i < base->nr_names; i++) {
			char *n = td_strndup(base->names[i],
					     strlen(base->names[i]));

			if (!n || TD_ARRAY_GROW(out->names, out->nr_names + 1,
						out->alloc_names) < 0) {
				free(n);
				goto oom;
			}
			out->names[out->nr_names++] = n;
		}
	}
	for (i = 0; i < (base ? base->nr_nets : 0) + pv->relays.nr_nets; i++) {
		const struct td_cidr *c =
			base && i < base->nr_nets
				? &base->nets[i]
				: &pv->relays.nets[i - (base ? base->nr_nets : 0)];

		if (TD_ARRAY_GROW(out->nets, out->nr_nets + 1,
				  out->alloc_nets) < 0)
			goto oom;
		out->nets[out->nr_nets++] = *c;
	}
	return 0;
oom:
	td_trust_release(out);
	return TD_ENOMEM;
}
