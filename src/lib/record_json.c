/*
 * The JSON form of a record (docs/record-schema.md): the keys
 * `takedown parse-record --json` prints, and that lookup will print too.
 */
#include <string.h>

#include "jsonw.h"
#include "record.h"
#include "banned.h"

static const char *const kinds[] = {
	[TD_REC_UNKNOWN] = "unknown", [TD_REC_DOMAIN] = "domain",
	[TD_REC_IP] = "ip",	      [TD_REC_ASN] = "asn",
	[TD_REC_ENTITY] = "entity",
};

static const char *const statuses[] = {
	[TD_REC_FOUND] = "found",
	[TD_REC_NOT_FOUND] = "not_found",
	[TD_REC_RATE_LIMITED] = "rate_limited",
	[TD_REC_ERROR] = "error",
};

const char *
td_record_kind_name(enum td_rec_kind k)
{
	return (unsigned)k < sizeof(kinds) / sizeof(kinds[0]) ? kinds[k]
							       : "unknown";
}

const char *
td_record_status_name(enum td_rec_status s)
{
	return (unsigned)s < sizeof(statuses) / sizeof(statuses[0])
		       ? statuses[s]
		       : "error";
}


static void
kint_or_null(struct td_jw *w, const char *key, long v)
{
	td_jw_key(w, key);
	if (v >= 0)
		td_jw_int(w, v);
	else
		td_jw_null(w);
}

static void
contact_flags(struct td_jw *w, unsigned f)
{
	td_jw_key(w, "flags");
	td_jw_arr(w);
	if (f & TD_CONTACT_REDACTED)
		td_jw_str(w, "redacted");
	if (f & TD_CONTACT_PROXY)
		td_jw_str(w, "privacy_proxy");
	if (f & TD_CONTACT_WITHHELD)
		td_jw_str(w, "withheld");
	td_jw_arr_end(w);
}

void
td_record_json(struct td_jw *w, const struct td_record *r)
{
	size_t i;

	td_jw_obj(w);
	td_jw_kstr(w, "kind", td_record_kind_name(r->kind));
	td_jw_kstr(w, "status", td_record_status_name(r->status));
	td_jw_kstr(w, "format", r->format);
	td_jw_kstr(w, "source", r->source);
	td_jw_kstr(w, "status_text", r->status_text);
	td_jw_kstr(w, "domain", r->domain);
	td_jw_kstr(w, "domain_unicode", r->domain_unicode);
	td_jw_kstr(w, "registrar", r->registrar);
	kint_or_null(w, "registrar_iana_id", r->registrar_iana_id);
	td_jw_kstr(w, "registrar_url", r->registrar_url);
	td_jw_kstr(w, "registrar_whois", r->registrar_whois);
	td_jw_kstr(w, "registrar_rdap", r->registrar_rdap);
	td_jw_kstr(w, "abuse_email", r->abuse_email);
	td_jw_kstr(w, "abuse_phone", r->abuse_phone);
	td_jw_kstr(w, "created", r->created);
	td_jw_kstr(w, "updated", r->updated);
	td_jw_kstr(w, "expires", r->expires);
	td_jw_kstrv(w, "statuses", r->statuses, r->nr_statuses);
	td_jw_kstrv(w, "nameservers", r->nameservers, r->nr_nameservers);
	td_jw_kstr(w, "dnssec", r->dnssec);
	td_jw_kstr(w, "handle", r->handle);
	td_jw_kstr(w, "name", r->name);
	td_jw_kstr(w, "start", r->start);
	td_jw_kstr(w, "end", r->end);
	td_jw_kstrv(w, "cidrs", r->cidrs, r->nr_cidrs);
	td_jw_kstr(w, "country", r->country);
	td_jw_kstr(w, "org", r->org);
	td_jw_kstr(w, "parent", r->parent);
	kint_or_null(w, "origin_asn", r->origin_asn);
	td_jw_kstr(w, "referral", r->referral);
	td_jw_key(w, "contacts");
	td_jw_arr(w);
	for (i = 0; i < r->nr_contacts; i++) {
		const struct td_contact *c = &r->contacts[i];

		td_jw_obj(w);
		td_jw_kstr(w, "role", c->role);
		td_jw_kstr(w, "handle", c->handle);
		td_jw_kstr(w, "name", c->name);
		td_jw_kstr(w, "org", c->org);
		td_jw_kstr(w, "email", c->email);
		td_jw_kstr(w, "phone", c->phone);
		td_jw_kstr(w, "country", c->country);
		td_jw_kstr(w, "address", c->address);
		td_jw_kstr(w, "url", c->url);
		contact_flags(w, c->flags);
		td_jw_obj_end(w);
	}
	td_jw_arr_end(w);
	td_jw_kstrv(w, "notes", r->notes, r->nr_notes);
	td_jw_obj_end(w);
}
