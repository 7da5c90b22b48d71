/*
 * The JSON form of a lookup (docs/lookup-schema.md).
 */
#include <string.h>
#include <time.h>

#include "jsonw.h"
#include "lookup.h"
#include "banned.h"


static void
prov(struct td_jw *w, const char *key, const struct td_prov *p)
{
	td_jw_key(w, key);
	td_jw_obj(w);
	td_jw_kstr(w, "source", p->source);
	td_jw_kstr(w, "server", p->server);
	td_jw_kstr(w, "query", p->query);
	td_jw_ktime(w, "when", p->when > 0 ? p->when : -1);
	td_jw_kbool(w, "cached", p->cached);
	td_jw_obj_end(w);
}

/* A record, or null when no server gave one. */
static void
record_or_null(struct td_jw *w, const struct td_record *r,
	       const struct td_prov *p)
{
	if (p->source)
		td_record_json(w, r);
	else
		td_jw_null(w);
}


void
td_lookup_json(struct td_jw *w, const struct td_target *t)
{
	size_t i;

	td_jw_obj(w);
	td_jw_kstr(w, "input", t->input);
	td_jw_kstr(w, "host", t->host);
	td_jw_kstr(w, "domain", t->domain);
	td_jw_kstr(w, "registered_domain", t->reg_domain);
	td_jw_kstr(w, "platform_suffix", t->platform_suffix);
	td_jw_key(w, "dns");
	td_jw_obj(w);
	td_jw_kstr(w, "status", t->is_ip ? NULL : td_net_status_name(t->dns_status));
	td_jw_kstrv(w, "cname", t->cnames, t->nr_cnames);
	td_jw_kstrv(w, "ns", t->ns, t->nr_ns);
	td_jw_kstrv(w, "mx", t->mx, t->nr_mx);
	td_jw_obj_end(w);

	td_jw_key(w, "parties");
	td_jw_arr(w);
	for (i = 0; i < t->nr_parties; i++) {
		const struct td_party *p = &t->parties[i];

		td_jw_obj(w);
		td_jw_kstr(w, "role", p->role);
		td_jw_kstr(w, "name", p->name);
		td_jw_kstr(w, "abuse_email", p->abuse_email);
		td_jw_kbool(w, "abuse_email_dead",
			    !!(p->flags & TD_PARTY_EMAIL_DEAD));
		td_jw_kstr(w, "abuse_email_replaces", p->dead_email);
		td_jw_kstr(w, "phone", p->phone);
		td_jw_kstr(w, "web_form", p->web_form);
		td_jw_kstr(w, "country", p->country);
		td_jw_kstr(w, "detail", p->detail);
		td_jw_kbool(w, "origin_hidden",
			    !!(p->flags & TD_PARTY_HIDDEN_ORIGIN));
		td_jw_kbool(w, "privacy_proxy", !!(p->flags & TD_PARTY_PROXY));
		prov(w, "provenance", &p->prov);
		if (p->email_prov.source) {
			prov(w, "abuse_email_provenance", &p->email_prov);
		} else {
			td_jw_key(w, "abuse_email_provenance");
			td_jw_null(w);
		}
		td_jw_obj_end(w);
	}
	td_jw_arr_end(w);

	td_jw_key(w, "addresses");
	td_jw_arr(w);
	for (i = 0; i < t->nr_ips; i++) {
		td_jw_obj(w);
		td_jw_kstr(w, "ip", t->ips[i].ip);
		td_jw_kint(w, "ttl", t->ips[i].ttl);
		td_jw_kstr(w, "cdn", t->ips[i].cdn);
		td_jw_key(w, "network");
		record_or_null(w, &t->ips[i].rec, &t->ips[i].prov);
		prov(w, "provenance", &t->ips[i].prov);
		td_jw_obj_end(w);
	}
	td_jw_arr_end(w);

	td_jw_key(w, "domain_record");
	record_or_null(w, &t->domain_rec, &t->domain_prov);
	prov(w, "domain_provenance", &t->domain_prov);
	td_jw_key(w, "registrar_record");
	record_or_null(w, &t->registrar_rec, &t->registrar_prov);
	prov(w, "registrar_provenance", &t->registrar_prov);
	td_jw_kstrv(w, "errors", t->errors, t->nr_errors);
	td_jw_obj_end(w);
}
