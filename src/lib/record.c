#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "record.h"
#include "term.h"
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
		r->notes_oom = 1;
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

/* Replace *p by its sanitised copy when it is not valid UTF-8. */
static int
fix_str(char **p)
{
	struct td_buf b = TD_BUF_INIT;
	const unsigned char *s = (const unsigned char *)*p;
	size_t n, i = 0;
	unsigned cp;

	if (!s)
		return 0;
	n = strlen(*p);
	while (i < n) {
		size_t k = td_utf8_decode(&cp, s + i, n - i);

		if (!k)
			break;
		i += k;
	}
	if (i == n)
		return 0;
	if (td_utf8_sanitize(&b, *p, n) < 0 || td_buf_failed(&b)) {
		td_buf_release(&b);
		return TD_ENOMEM;
	}
	free(*p);
	*p = td_buf_detach(&b, NULL);
	return *p ? 0 : TD_ENOMEM;
}

static int
fix_list(char **v, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (fix_str(&v[i]))
			return TD_ENOMEM;
	return 0;
}

int
td_record_fix_utf8(struct td_record *r)
{
	char **f[] = {&r->source,	   &r->status_text,   &r->domain,
		      &r->domain_unicode,  &r->registrar,     &r->registrar_url,
		      &r->registrar_whois, &r->registrar_rdap, &r->abuse_email,
		      &r->abuse_phone,	   &r->created,	      &r->updated,
		      &r->expires,	   &r->dnssec,	      &r->handle,
		      &r->name,		   &r->start,	      &r->end,
		      &r->country,	   &r->org,	      &r->parent,
		      &r->referral};
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (fix_str(f[i]))
			return TD_ENOMEM;
	if (fix_list(r->statuses, r->nr_statuses) ||
	    fix_list(r->nameservers, r->nr_nameservers) ||
	    fix_list(r->cidrs, r->nr_cidrs) ||
	    fix_list(r->notes, r->nr_notes))
		return TD_ENOMEM;
	for (i = 0; i < r->nr_contacts; i++) {
		struct td_contact *c = &r->contacts[i];
		char **cf[] = {&c->role,  &c->handle,  &c->name,
			       &c->org,	  &c->email,   &c->phone,
			       &c->country, &c->address, &c->url};
		size_t k;

		for (k = 0; k < sizeof(cf) / sizeof(cf[0]); k++)
			if (fix_str(cf[k]))
				return TD_ENOMEM;
	}
	return 0;
}
