#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "banned.h"

void
td_record_init(struct td_record *r)
{
	memset(r, 0, sizeof(*r));
	r->registrar_iana_id = -1;
	r->origin_asn = -1;
}

static void
strlist_free(char **l, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		free(l[i]);
	free(l);
}

void
td_record_release(struct td_record *r)
{
	size_t i;

	free(r->source);
	free(r->status_text);
	free(r->domain);
	free(r->domain_unicode);
	free(r->registrar);
	free(r->registrar_url);
	free(r->registrar_whois);
	free(r->registrar_rdap);
	free(r->abuse_email);
	free(r->abuse_phone);
	free(r->created);
	free(r->updated);
	free(r->expires);
	strlist_free(r->statuses, r->nr_statuses);
	strlist_free(r->nameservers, r->nr_nameservers);
	free(r->dnssec);
	free(r->handle);
	free(r->name);
	free(r->start);
	free(r->end);
	strlist_free(r->cidrs, r->nr_cidrs);
	free(r->country);
	free(r->org);
	free(r->parent);
	free(r->referral);
	for (i = 0; i < r->nr_contacts; i++) {
		struct td_contact *c = &r->contacts[i];

		free(c->role);
		free(c->handle);
		free(c->name);
		free(c->org);
		free(c->email);
		free(c->phone);
		free(c->country);
		free(c->address);
		free(c->url);
	}
	free(r->contacts);
	strlist_free(r->notes, r->nr_notes);
	td_record_init(r);
}

struct td_contact *
td_record_add_contact(struct td_record *r, const char *role)
{
	struct td_contact *c;
	char *rl = td_strndup(role, strlen(role));

	if (!rl || TD_ARRAY_GROW(r->contacts, r->nr_contacts + 1,
				 r->alloc_contacts) < 0) {
		free(rl);
		return NULL;
	}
	c = &r->contacts[r->nr_contacts++];
	memset(c, 0, sizeof(*c));
	c->role = rl;
	return c;
}

int
td_record_note(struct td_record *r, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	char *s;

	if (r->nr_notes >= 64)
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s = td_strndup(msg, strlen(msg));
	if (!s || TD_ARRAY_GROW(r->notes, r->nr_notes + 1, r->alloc_notes) < 0) {
		free(s);
		return TD_ENOMEM;
	}
	r->notes[r->nr_notes++] = s;
	return 0;
}

int
td_strlist_add(char ***list, size_t *nr, const char *s, size_t len)
{
	char **l = realloc(*list, (*nr + 1) * sizeof(*l));
	char *d;

	if (!l)
		return TD_ENOMEM;
	*list = l;
	d = td_strndup(s, len);
	if (!d)
		return TD_ENOMEM;
	l[(*nr)++] = d;
	return 0;
}
