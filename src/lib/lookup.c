/*
 * Attribution: from an input to the parties responsible for it.  Each
 * target runs as a set of requests on one td_net loop; callbacks record
 * what came back and queue the next step (RDAP related link, WHOIS
 * referral, the network of each address).  Parties are derived once all
 * answers are in, then their abuse addresses are checked for a mail host.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "bootstrap.h"
#include "buf.h"
#include "lookup_impl.h"
#include "providers.h"
#include "rdap.h"
#include "url.h"
#include "whois.h"
#include "banned.h"

#define MAX_IPS 32	  /* addresses followed per target */
#define MAX_REFERRALS 3	  /* WHOIS referral hops */
#define MAX_TARGETS 100000

/* What a callback needs to know: which target, which step. */
struct req {
	struct td_lookup *l;
	struct td_target *t;
	size_t ip;	/* index into t->ips for network steps */
	int hops;	/* WHOIS referrals followed so far */
	int registrar;	/* answer is the registrar's own record */
	size_t party;	/* for e-mail checks */
	char *domain;	/* for e-mail checks: the domain asked */
};

static struct req *
req_new(struct td_lookup *l, struct td_target *t)
{
	struct req *r = calloc(1, sizeof(*r));

	if (r) {
		r->l = l;
		r->t = t;
	}
	return r;
}

static char *
dup0(const char *s)
{
	return s ? td_strndup(s, strlen(s)) : NULL;
}

static void
target_error(struct td_target *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
target_error(struct td_target *t, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	char *s;

	if (t->nr_errors >= 64)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s = dup0(msg);
	if (!s || TD_ARRAY_GROW(t->errors, t->nr_errors + 1,
				t->alloc_errors) < 0) {
		free(s);
		return;
	}
	t->errors[t->nr_errors++] = s;
}

static void
prov_set(struct td_prov *p, const char *source, const char *server,
	 const char *query, long long when)
{
	free(p->server);
	free(p->query);
	p->source = source;
	p->server = dup0(server);
	p->query = dup0(query);
	p->when = when;
}

static void
prov_release(struct td_prov *p)
{
	free(p->server);
	free(p->query);
	memset(p, 0, sizeof(*p));
}

/* One line for an HTTP request that gave no usable answer. */
static void
http_error(struct td_target *t, const struct td_http_reply *r,
	   const char *what)
{
	if (r->status == TD_NET_OK)
		target_error(t, "rdap %s%s: HTTP %ld", r->url, what, r->code);
	else
		target_error(t, "rdap %s%s: %s%s%s", r->url, what,
			     td_net_status_name(r->status),
			     r->error ? ": " : "", r->error ? r->error : "");
}

/* Keep a raw answer under --save-raw DIR, named after what was asked. */
static void
save_raw(struct td_lookup *l, const char *kind, const char *what,
	 const char *body, size_t len)
{
	struct td_buf name = TD_BUF_INIT;
	const char *p;
	FILE *f;

	if (!l->o.save_raw || !body)
		return;
	td_buf_printf(&name, "%s/%04lu-%s-", l->o.save_raw, l->saved++, kind);
	for (p = what; *p && name.len < 200; p++)
		td_buf_addch(&name, (*p >= 'a' && *p <= 'z') ||
						    (*p >= 'A' && *p <= 'Z') ||
						    (*p >= '0' && *p <= '9') ||
						    *p == '.' || *p == '-'
					    ? *p
					    : '_');
	td_buf_adds(&name, !strcmp(kind, "rdap") ? ".json" : ".txt");
	if (!td_buf_failed(&name) && (f = fopen(name.ptr, "wx"))) {
		fwrite(body, 1, len, f);
		fclose(f);
	}
	td_buf_release(&name);
}

/*
 * A WHOIS quota answer: say so, and ask that server nothing more for the
 * ban period (its other queued queries end as rate-limited).
 */
static void
rate_limited(struct td_lookup *l, struct td_target *t,
	     const struct td_whois_reply *r, struct td_record *rec)
{
	target_error(t, "whois %s for %s: rate limited, not asked again for "
			"%u s: %s",
		     r->server, r->query, l->o.whois_ban_s,
		     rec->status_text ? rec->status_text : "");
	td_record_release(rec);
	td_net_ban(l->net, r->server,
		   (long long)time(NULL) + (long long)l->o.whois_ban_s);
	lk_ban_put(l, r->server,
		   (long long)time(NULL) + (long long)l->o.whois_ban_s);
}

/* ---- networks of addresses ---- */

static void ip_whois(struct td_lookup *l, struct td_target *t, size_t i,
		     const char *server, int hops);

static void
on_ip_whois(const struct td_whois_reply *r, void *payload)
{
	struct req *q = payload;
	struct td_ip *ip = &q->t->ips[q->ip];
	struct td_record rec;

	if (r->status != TD_NET_OK) {
		target_error(q->t, "whois %s for %s: %s%s%s", r->server,
			     ip->ip, td_net_status_name(r->status),
			     r->error ? ": " : "", r->error ? r->error : "");
		goto out;
	}
	save_raw(q->l, "whois", r->query, r->text, r->len);
	if (td_whois_parse(&rec, r->text, r->len, r->server, NULL) < 0) {
		target_error(q->t, "whois %s for %s: unreadable answer",
			     r->server, ip->ip);
		td_record_release(&rec);
		goto out;
	}
	if (rec.status == TD_REC_RATE_LIMITED) {
		rate_limited(q->l, q->t, r, &rec);
		goto out;
	}
	if (rec.referral && q->hops < MAX_REFERRALS &&
	    strcasecmp(rec.referral, r->server) &&
	    (!rec.abuse_email || rec.kind != TD_REC_IP)) {
		/* IANA's answer, or ARIN's pointing at another RIR */
		ip_whois(q->l, q->t, q->ip, rec.referral, q->hops + 1);
		td_record_release(&rec);
		goto out;
	}
	td_record_release(&ip->rec);
	ip->rec = rec;
	prov_set(&ip->prov, "whois", r->server, r->query, r->when);
	ip->prov.cached = r->cached;
	if (!r->cached && ip->rec.kind == TD_REC_IP)
		lk_net_put(q->l, ip->rec.start, ip->rec.end, "whois", r->server,
			   r->text, r->len, r->when);
out:
	free(q);
}

static void
ip_whois(struct td_lookup *l, struct td_target *t, size_t i,
	 const char *server, int hops)
{
	struct req *q = req_new(l, t);

	if (!q)
		return;
	q->ip = i;
	q->hops = hops;
	if (lk_whois(l, server, t->ips[i].ip, on_ip_whois, q) < 0) {
		target_error(t, "whois %s for %s: not sent", server,
			     t->ips[i].ip);
		free(q);
	}
}

static void
on_ip_rdap(const struct td_http_reply *r, void *payload)
{
	struct req *q = payload;
	struct td_ip *ip = &q->t->ips[q->ip];
	struct td_record rec;
	struct td_error err = {0, ""};

	if (r->status == TD_NET_OK && r->code == 200) {
		save_raw(q->l, "rdap", r->url, r->body, r->len);
		if (td_rdap_parse(&rec, r->body, r->len, r->final_url, &err) ==
			    0 &&
		    rec.status == TD_REC_FOUND) {
			td_record_release(&ip->rec);
			ip->rec = rec;
			prov_set(&ip->prov, "rdap", r->final_url, ip->ip,
				 r->when);
			ip->prov.cached = r->cached;
			if (!r->cached)
				lk_net_put(q->l, ip->rec.start, ip->rec.end,
					   "rdap", r->final_url, r->body, r->len,
					   r->when);
			free(q);
			return;
		}
		td_record_release(&rec);
		target_error(q->t, "rdap %s: %s", r->url,
			     err.msg[0] ? err.msg : "no network record");
	} else {
		http_error(q->t, r, "");
	}
	/* RDAP failed: WHOIS through the referral root */
	ip_whois(q->l, q->t, q->ip,
		 q->l->o.whois_root ? q->l->o.whois_root : "whois.iana.org", 0);
	free(q);
}

/*
 * A stored answer for a network holding the address (this run's or an
 * earlier one's): no query.  Returns 1 when it was used.
 */
static int
ip_from_cache(struct td_lookup *l, struct td_target *t, size_t i)
{
	struct td_ip *ip = &t->ips[i];
	char *body = NULL, *server = NULL, *kind = NULL;
	struct td_record rec;
	long long when;
	size_t len;
	int rc, ok = 0;

	if (lk_net_get(l, ip->ip, &body, &len, &server, &kind, &when))
		return 0;
	if (!strcmp(kind, "rdap"))
		rc = td_rdap_parse(&rec, body, len, server, NULL);
	else
		rc = td_whois_parse(&rec, body, len, server, NULL);
	if (rc == 0 && rec.status == TD_REC_FOUND) {
		td_record_release(&ip->rec);
		ip->rec = rec;
		prov_set(&ip->prov, !strcmp(kind, "rdap") ? "rdap" : "whois",
			 server, ip->ip, when);
		ip->prov.cached = 1;
		ok = 1;
	} else {
		td_record_release(&rec);
	}
	free(body);
	free(server);
	free(kind);
	return ok;
}

static void
start_ip(struct td_lookup *l, struct td_target *t, size_t i)
{
	const char *base = l->o.rdap_server
				   ? l->o.rdap_server
				   : td_bootstrap_rdap_ip(l->boot, t->ips[i].ip);
	const struct td_provider *cdn = td_providers_by_ip(t->ips[i].ip);
	struct td_buf url = TD_BUF_INIT;
	struct req *q;

	if (cdn)
		t->ips[i].cdn = cdn->name;
	if (ip_from_cache(l, t, i))
		return;
	if (!base || l->o.no_rdap) {
		ip_whois(l, t, i,
			 l->o.whois_root ? l->o.whois_root : "whois.iana.org",
			 0);
		return;
	}
	td_buf_printf(&url, "%s%sip/%s", base,
		      base[strlen(base) - 1] == '/' ? "" : "/", t->ips[i].ip);
	q = req_new(l, t);
	if (q)
		q->ip = i;
	if (!q || td_buf_failed(&url) ||
	    lk_http(l, url.ptr, on_ip_rdap, q) < 0) {
		target_error(t, "rdap for %s: not sent", t->ips[i].ip);
		free(q);
	}
	td_buf_release(&url);
}

static void
add_ip(struct td_lookup *l, struct td_target *t, const char *ip, unsigned ttl)
{
	size_t i;

	for (i = 0; i < t->nr_ips; i++)
		if (!strcmp(t->ips[i].ip, ip))
			return;
	if (t->nr_ips >= MAX_IPS ||
	    TD_ARRAY_GROW(t->ips, t->nr_ips + 1, t->alloc_ips) < 0)
		return;
	memset(&t->ips[t->nr_ips], 0, sizeof(t->ips[0]));
	t->ips[t->nr_ips].ip = dup0(ip);
	t->ips[t->nr_ips].ttl = ttl;
	td_record_init(&t->ips[t->nr_ips].rec);
	t->ips[t->nr_ips].rec.status = TD_REC_ERROR;
	if (!t->ips[t->nr_ips].ip)
		return;
	t->nr_ips++;
	start_ip(l, t, t->nr_ips - 1);
}

/* ---- DNS ---- */

static void
on_dns(const struct td_dns_answer *a, void *payload)
{
	struct req *q = payload;
	struct td_target *t = q->t;
	size_t i;

	if (a->qtype == TD_DNS_A)
		t->dns_status = a->status;
	if (a->status != TD_NET_OK && a->status != TD_NET_NODATA &&
	    a->status != TD_NET_NXDOMAIN)
		target_error(t, "dns %s %s at %s: %s%s%s", a->qname,
			     a->qtype == TD_DNS_A      ? "A"
			     : a->qtype == TD_DNS_AAAA ? "AAAA"
			     : a->qtype == TD_DNS_NS   ? "NS"
						       : "MX",
			     a->server ? a->server : "?",
			     td_net_status_name(a->status),
			     a->error ? ": " : "", a->error ? a->error : "");
	for (i = 0; i < a->nr; i++) {
		const struct td_dns_rr *rr = &a->rrs[i];

		switch (rr->type) {
		case TD_DNS_A:
		case TD_DNS_AAAA:
			if (a->qtype == TD_DNS_A || a->qtype == TD_DNS_AAAA)
				add_ip(q->l, t, rr->value, rr->ttl);
			break;
		case TD_DNS_CNAME:
			if (a->qtype == TD_DNS_A)
				td_strlist_add(&t->cnames, &t->nr_cnames,
					       rr->value, strlen(rr->value));
			break;
		case TD_DNS_NS:
			if (a->qtype == TD_DNS_NS)
				td_strlist_add(&t->ns, &t->nr_ns, rr->value,
					       strlen(rr->value));
			break;
		case TD_DNS_MX:
			if (a->qtype == TD_DNS_MX)
				td_strlist_add(&t->mx, &t->nr_mx, rr->value,
					       strlen(rr->value));
			break;
		default:
			break;
		}
	}
	free(q);
}

static void
dns(struct td_lookup *l, struct td_target *t, const char *name,
    enum td_dns_type type)
{
	struct req *q = req_new(l, t);

	if (!q || lk_dns(l, name, type, on_dns, q) < 0) {
		target_error(t, "dns %s: not sent", name);
		free(q);
	}
}

/* ---- the domain: RDAP, then WHOIS ---- */

static void domain_whois(struct td_lookup *l, struct td_target *t,
			 const char *server, int hops, int registrar);

static void
on_domain_whois(const struct td_whois_reply *r, void *payload)
{
	struct req *q = payload;
	struct td_target *t = q->t;
	struct td_record rec;
	size_t len;

	if (r->status != TD_NET_OK) {
		target_error(t, "whois %s for %s: %s%s%s", r->server,
			     t->reg_domain, td_net_status_name(r->status),
			     r->error ? ": " : "", r->error ? r->error : "");
		goto out;
	}
	save_raw(q->l, "whois", r->query, r->text, r->len);
	len = r->len;
	/*
	 * WHOIS has no framing: the server's close ends the answer.  A close
	 * in the middle of a line may have cut its value ("Registrar: Exa"),
	 * so that line is not read.
	 */
	if (len && r->text[len - 1] != '\n') {
		const char *nl = memrchr(r->text, '\n', len);

		if (nl) {
			len = (size_t)(nl - r->text) + 1;
			target_error(t, "whois %s for %s: the answer ends in the "
					"middle of a line; that line was left out",
				     r->server, t->reg_domain);
		}
	}
	if (td_whois_parse(&rec, r->text, len, r->server, NULL) < 0) {
		target_error(t, "whois %s for %s: unreadable answer", r->server,
			     t->reg_domain);
		td_record_release(&rec);
		goto out;
	}
	if (rec.status == TD_REC_ERROR) {
		/* the parser found no record: say so, with its reason */
		target_error(t, "whois %s for %s: %s", r->server, t->reg_domain,
			     rec.status_text ? rec.status_text
					     : "no record in the answer");
		td_record_release(&rec);
		goto out;
	}
	if (rec.status == TD_REC_RATE_LIMITED) {
		rate_limited(q->l, t, r, &rec);
		goto out;
	}
	/* the root's answer for the TLD: go on to the registry */
	if (q->hops == 0 && !q->registrar) {
		if (rec.referral)
			domain_whois(q->l, t, rec.referral, 1, 0);
		else
			target_error(t, "whois %s: no WHOIS server for %s",
				     r->server, r->query);
		td_record_release(&rec);
		goto out;
	}
	if (q->registrar) {
		td_record_release(&t->registrar_rec);
		t->registrar_rec = rec;
		prov_set(&t->registrar_prov, "whois", r->server, r->query,
			 r->when);
		t->registrar_prov.cached = r->cached;
		goto out;
	}
	if (t->domain_rec.status == TD_REC_FOUND &&
	    t->domain_rec.format && !strcmp(t->domain_rec.format, "rdap")) {
		/* an RDAP answer is already in: keep it */
		td_record_release(&rec);
		goto out;
	}
	td_record_release(&t->domain_rec);
	t->domain_rec = rec;
	prov_set(&t->domain_prov, "whois", r->server, r->query, r->when);
	t->domain_prov.cached = r->cached;
	/* thin registries: the registrar's WHOIS has the contacts */
	if (rec.status == TD_REC_FOUND && t->domain_rec.registrar_whois &&
	    strcasecmp(t->domain_rec.registrar_whois, r->server) &&
	    q->hops < MAX_REFERRALS)
		domain_whois(q->l, t, t->domain_rec.registrar_whois,
			     q->hops + 1, 1);
out:
	free(q);
}

static void
domain_whois(struct td_lookup *l, struct td_target *t, const char *server,
	     int hops, int registrar)
{
	struct req *q = req_new(l, t);
	const char *query = t->reg_domain;
	char tld[256];

	if (!q)
		return;
	q->hops = hops;
	q->registrar = registrar;
	if (hops == 0 && !registrar && !l->o.whois_server &&
	    !td_bootstrap_whois_domain(l->boot, t->reg_domain)) {
		/* ask the referral root about the TLD */
		const char *dot = strrchr(t->reg_domain, '.');

		snprintf(tld, sizeof(tld), "%s", dot ? dot + 1 : t->reg_domain);
		query = tld;
	}
	if (lk_whois(l, server, query, on_domain_whois, q) < 0) {
		target_error(t, "whois %s for %s: not sent", server, query);
		free(q);
	}
}

static void
start_domain_whois(struct td_lookup *l, struct td_target *t)
{
	const char *server = l->o.whois_server;

	if (!server)
		server = td_bootstrap_whois_domain(l->boot, t->reg_domain);
	if (server) {
		domain_whois(l, t, server, 1, 0);
		return;
	}
	domain_whois(l, t, l->o.whois_root ? l->o.whois_root : "whois.iana.org",
		     0, 0);
}

static void
on_registrar_rdap(const struct td_http_reply *r, void *payload)
{
	struct req *q = payload;
	struct td_target *t = q->t;
	struct td_record rec;
	struct td_error err = {0, ""};

	if (r->status == TD_NET_OK && r->code == 200) {
		save_raw(q->l, "rdap", r->url, r->body, r->len);
		if (td_rdap_parse(&rec, r->body, r->len, r->final_url, &err) ==
		    0) {
			td_record_release(&t->registrar_rec);
			t->registrar_rec = rec;
			prov_set(&t->registrar_prov, "rdap", r->final_url,
				 t->reg_domain, r->when);
			t->registrar_prov.cached = r->cached;
		} else {
			td_record_release(&rec);
			target_error(t, "rdap %s: %s", r->url, err.msg);
		}
	} else {
		http_error(t, r, " (registrar)");
	}
	free(q);
}

static void
on_domain_rdap(const struct td_http_reply *r, void *payload)
{
	struct req *q = payload;
	struct td_target *t = q->t;
	struct td_record rec;
	struct td_error err = {0, ""};

	if (r->status == TD_NET_OK && (r->code == 200 || r->code == 404)) {
		save_raw(q->l, "rdap", r->url, r->body, r->len);
		if (td_rdap_parse(&rec, r->body, r->len, r->final_url, &err) ==
		    0) {
			if (r->code == 404)
				rec.status = TD_REC_NOT_FOUND;
			td_record_release(&t->domain_rec);
			t->domain_rec = rec;
			prov_set(&t->domain_prov, "rdap", r->final_url,
				 t->reg_domain, r->when);
			t->domain_prov.cached = r->cached;
			if (rec.status == TD_REC_FOUND &&
			    t->domain_rec.registrar_rdap) {
				struct req *q2 = req_new(q->l, t);

				if (q2 && lk_http(q->l, t->domain_rec.registrar_rdap, on_registrar_rdap, q2) < 0)
					free(q2);
			} else if (rec.status == TD_REC_FOUND &&
				   !rec.abuse_email &&
				   t->domain_rec.registrar_whois) {
				domain_whois(q->l, t,
					     t->domain_rec.registrar_whois, 1,
					     1);
			}
			free(q);
			return;
		}
		td_record_release(&rec);
		target_error(t, "rdap %s: %s", r->url, err.msg);
	} else {
		http_error(t, r, "");
	}
	start_domain_whois(q->l, t);
	free(q);
}

static void
start_domain(struct td_lookup *l, struct td_target *t)
{
	const char *base = l->o.rdap_server
				   ? l->o.rdap_server
				   : td_bootstrap_rdap_domain(l->boot, t->reg_domain);
	struct td_buf url = TD_BUF_INIT;
	struct req *q;

	if (!base || l->o.no_rdap) {
		start_domain_whois(l, t);
		return;
	}
	td_buf_printf(&url, "%s%sdomain/%s", base,
		      base[strlen(base) - 1] == '/' ? "" : "/", t->reg_domain);
	q = req_new(l, t);
	if (!q || td_buf_failed(&url) ||
	    lk_http(l, url.ptr, on_domain_rdap, q) < 0) {
		target_error(t, "rdap for %s: not sent", t->reg_domain);
		free(q);
		start_domain_whois(l, t);
	}
	td_buf_release(&url);
}

/* ---- parties ---- */

static struct td_party *
party_add(struct td_target *t, const char *role)
{
	struct td_party *p;

	if (TD_ARRAY_GROW(t->parties, t->nr_parties + 1, t->alloc_parties) <
	    0)
		return NULL;
	p = &t->parties[t->nr_parties++];
	memset(p, 0, sizeof(*p));
	p->role = role;
	p->ip = -1;
	return p;
}

static void
party_from_provider(struct td_target *t, const char *role,
		    const struct td_provider *pv, const char *why)
{
	struct td_party *p;
	size_t i;

	for (i = 0; i < t->nr_parties; i++)
		if (!strcmp(t->parties[i].role, role) && t->parties[i].name &&
		    !strcmp(t->parties[i].name, pv->name))
			return;
	p = party_add(t, role);
	if (!p)
		return;
	p->name = dup0(pv->name);
	p->abuse_email = dup0(pv->abuse_email && *pv->abuse_email
				      ? pv->abuse_email
				      : NULL);
	p->web_form = dup0(pv->abuse_url && *pv->abuse_url ? pv->abuse_url
							     : NULL);
	p->detail = dup0(why);
	prov_set(&p->prov, "data", pv->source, why, 0);
}

static const struct td_contact *
find_contact(const struct td_record *r, const char *role)
{
	size_t i;

	for (i = 0; i < r->nr_contacts; i++)
		if (!strcmp(r->contacts[i].role, role))
			return &r->contacts[i];
	return NULL;
}

/*
 * Where the registrar takes abuse reports on the web: the abuse contact's
 * URL in its own record, then in the registry's, else its home page.
 */
static const char *
abuse_form(const struct td_target *t)
{
	const struct td_contact *c = find_contact(&t->registrar_rec, "abuse");

	if (c && c->url)
		return c->url;
	c = find_contact(&t->domain_rec, "abuse");
	if (c && c->url)
		return c->url;
	return t->domain_rec.registrar_url ? t->domain_rec.registrar_url
					   : t->registrar_rec.registrar_url;
}

static void
derive_parties(struct td_target *t)
{
	const struct td_provider *pv;
	struct td_buf why = TD_BUF_INIT;
	size_t i;

	/* a platform the site lives on (free host, form builder...) */
	if (t->host && (pv = td_providers_by_host(t->host))) {
		td_buf_printf(&why, "host %s", t->host);
		party_from_provider(t, "platform", pv, why.ptr);
	} else if (t->platform_suffix) {
		/*
		 * Not in our data, but the Public Suffix List says names
		 * under the suffix belong to the platform's customers: the
		 * platform is who acts; its own domain's record says who
		 * it is.
		 */
		struct td_party *p = party_add(t, "platform");

		if (p) {
			const struct td_contact *c =
			    find_contact(&t->registrar_rec, "registrant");

			if (!c || (c->flags & (TD_CONTACT_REDACTED |
					       TD_CONTACT_WITHHELD)))
				c = find_contact(&t->domain_rec, "registrant");
			if (c && (c->flags & (TD_CONTACT_REDACTED |
					      TD_CONTACT_WITHHELD)))
				c = NULL;
			p->name = dup0(c && (c->org || c->name)
					   ? (c->org ? c->org : c->name)
					   : t->platform_suffix);
			td_buf_reset(&why);
			td_buf_printf(&why,
				      "%s is a private suffix in the Public "
				      "Suffix List: the site is a customer's",
				      t->platform_suffix);
			p->detail = td_buf_detach(&why, NULL);
			prov_set(&p->prov, "data", "Public Suffix List",
				 t->host, 0);
		}
	}
	/* a CDN in front: by address, CNAME target or name server */
	for (i = 0; i < t->nr_ips; i++) {
		if ((pv = td_providers_by_ip(t->ips[i].ip))) {
			td_buf_reset(&why);
			td_buf_printf(&why, "address %s", t->ips[i].ip);
			party_from_provider(t, "cdn", pv, why.ptr);
		}
	}
	for (i = 0; i < t->nr_cnames; i++) {
		if ((pv = td_providers_by_cname(t->cnames[i]))) {
			td_buf_reset(&why);
			td_buf_printf(&why, "CNAME %s", t->cnames[i]);
			party_from_provider(t, "cdn", pv, why.ptr);
		}
	}
	for (i = 0; i < t->nr_ns; i++) {
		if ((pv = td_providers_by_ns(t->ns[i])) && !strcmp(pv->kind, "cdn")) {
			td_buf_reset(&why);
			td_buf_printf(&why, "NS %s", t->ns[i]);
			party_from_provider(t, "cdn", pv, why.ptr);
		}
	}
	td_buf_release(&why);

	/* the registrar */
	if (t->domain_rec.status == TD_REC_FOUND &&
	    (t->domain_rec.registrar || t->registrar_rec.registrar)) {
		struct td_party *p = party_add(t, "registrar");
		const struct td_record *src = &t->domain_rec;
		const struct td_prov *pr = &t->domain_prov;

		if (p) {
			p->name = dup0(t->domain_rec.registrar
					       ? t->domain_rec.registrar
					       : t->registrar_rec.registrar);
			if (!src->abuse_email && t->registrar_rec.abuse_email) {
				src = &t->registrar_rec;
				pr = &t->registrar_prov;
			}
			p->abuse_email = dup0(src->abuse_email);
			p->phone = dup0(src->abuse_phone
						? src->abuse_phone
						: t->registrar_rec.abuse_phone);
			p->web_form = dup0(abuse_form(t));
			if (t->domain_rec.registrar_iana_id >= 0) {
				char d[32];

				snprintf(d, sizeof(d), "IANA %ld",
					 t->domain_rec.registrar_iana_id);
				p->detail = dup0(d);
			}
			prov_set(&p->prov, pr->source, pr->server, pr->query,
				 pr->when);
			p->prov.cached = pr->cached;
		}
	}
	/* the registrant, only where the record names a real one */
	{
		const struct td_contact *c =
			find_contact(&t->registrar_rec, "registrant");

		if (!c || (c->flags & TD_CONTACT_REDACTED))
			c = find_contact(&t->domain_rec, "registrant");
		if (c && !(c->flags & (TD_CONTACT_REDACTED |
				       TD_CONTACT_WITHHELD)) &&
		    (c->email || c->name || c->org)) {
			struct td_party *p = party_add(t, "registrant");
			const struct td_prov *pr =
				c == find_contact(&t->registrar_rec,
						  "registrant")
					? &t->registrar_prov
					: &t->domain_prov;

			if (p) {
				p->name = dup0(c->org ? c->org : c->name);
				p->abuse_email = dup0(c->email);
				p->phone = dup0(c->phone);
				p->country = dup0(c->country);
				if (c->flags & TD_CONTACT_PROXY)
					p->flags |= TD_PARTY_PROXY;
				prov_set(&p->prov, pr->source, pr->server,
					 pr->query, pr->when);
			}
		}
	}
	/* the networks the addresses belong to */
	for (i = 0; i < t->nr_ips; i++) {
		const struct td_ip *ip = &t->ips[i];
		const char *name = ip->rec.org ? ip->rec.org : ip->rec.name;
		struct td_party *p;
		struct td_buf d = TD_BUF_INIT;
		size_t k;

		if (ip->rec.status != TD_REC_FOUND || !name)
			continue;
		for (k = 0; k < t->nr_parties; k++)
			if (!strcmp(t->parties[k].role, "host") &&
			    t->parties[k].name &&
			    !strcmp(t->parties[k].name, name))
				break;
		if (k < t->nr_parties)
			continue;
		p = party_add(t, "host");
		if (!p)
			continue;
		p->ip = (int)i;
		p->name = dup0(name);
		p->abuse_email = dup0(ip->rec.abuse_email);
		p->phone = dup0(ip->rec.abuse_phone);
		p->country = dup0(ip->rec.country);
		td_buf_printf(&d, "%s", ip->ip);
		if (ip->rec.nr_cidrs)
			td_buf_printf(&d, " in %s", ip->rec.cidrs[0]);
		if (ip->rec.name)
			td_buf_printf(&d, " (%s)", ip->rec.name);
		if (ip->rec.origin_asn >= 0)
			td_buf_printf(&d, " AS%ld", ip->rec.origin_asn);
		p->detail = td_buf_detach(&d, NULL);
		if (ip->cdn)
			p->flags |= TD_PARTY_HIDDEN_ORIGIN;
		prov_set(&p->prov, ip->prov.source, ip->prov.server,
			 ip->prov.query, ip->prov.when);
		p->prov.cached = ip->prov.cached;
	}
}

/* ---- abuse addresses: is there a mail host? ---- */

static void climb(struct td_lookup *l, struct td_target *t, size_t i,
		  const char *cidr, const char *url);

static void check_email(struct td_lookup *l, struct td_target *t, size_t i);

/* Put a live address in place of the party's dead one. */
static void
party_fallback(struct td_lookup *l, struct td_target *t, size_t i,
	       const char *email, const struct td_prov *from)
{
	struct td_party *p = &t->parties[i];
	char *e = dup0(email);

	if (!e)
		return;
	if (!p->dead_email)
		p->dead_email = p->abuse_email;
	else
		free(p->abuse_email);
	p->abuse_email = e;
	p->flags = (p->flags & ~TD_PARTY_EMAIL_DEAD) | TD_PARTY_EMAIL_FALLBACK;
	if (from) {
		prov_set(&p->email_prov, from->source, from->server,
			 from->query, from->when);
		p->email_prov.cached = from->cached;
	}
	check_email(l, t, i);
}

/* The parent network's answer: its abuse address, if another one. */
static void
on_parent_rdap(const struct td_http_reply *r, void *payload)
{
	struct req *q = payload;
	struct td_party *p = &q->t->parties[q->party];
	struct td_record rec;
	struct td_error err = {0, ""};
	struct td_prov pr = {"rdap", NULL, NULL, 0, 0};

	if (r->status != TD_NET_OK || r->code != 200) {
		http_error(q->t, r, " (parent network)");
		goto out;
	}
	save_raw(q->l, "rdap", r->url, r->body, r->len);
	if (td_rdap_parse(&rec, r->body, r->len, r->final_url, &err) == 0 &&
	    rec.status == TD_REC_FOUND && rec.abuse_email &&
	    strcasecmp(rec.abuse_email, p->abuse_email)) {
		pr.server = (char *)r->final_url;
		pr.query = (char *)r->url;
		pr.when = r->when;
		pr.cached = r->cached;
		party_fallback(q->l, q->t, q->party, rec.abuse_email, &pr);
	} else if (rec.status == TD_REC_FOUND && rec.nr_cidrs &&
		   p->climbs < 3) {
		/* no other address here: one level up again */
		climb(q->l, q->t, q->party, rec.cidrs[0], r->final_url);
	}
	td_record_release(&rec);
out:
	free(q);
}

/*
 * Ask the RDAP server of url for the network just above cidr: RFC 9082
 * 3.1.1 "ip/ADDRESS/LEN" gives the most specific network holding the
 * whole block, which for the block one bit shorter is the parent.
 */
static void
climb(struct td_lookup *l, struct td_target *t, size_t i, const char *cidr,
      const char *url)
{
	unsigned char a[16];
	char addr[INET6_ADDRSTRLEN], pfx[64];
	const char *slash = strchr(cidr, '/'), *ip;
	struct td_buf u = TD_BUF_INIT;
	int fam, bits, len, k;
	struct req *q;

	if (!slash || (size_t)(slash - cidr) >= sizeof(pfx) || !url ||
	    !(ip = strstr(url, "/ip/")))
		return;
	memcpy(pfx, cidr, (size_t)(slash - cidr));
	pfx[slash - cidr] = '\0';
	fam = strchr(pfx, ':') ? AF_INET6 : AF_INET;
	bits = fam == AF_INET6 ? 128 : 32;
	len = atoi(slash + 1);
	if (inet_pton(fam, pfx, a) != 1 || len < 2 || len > bits)
		return;
	len--;
	for (k = len; k < bits; k++)
		a[k / 8] &= (unsigned char)~(0x80u >> (k % 8));
	if (!inet_ntop(fam, a, addr, sizeof(addr)))
		return;
	td_buf_add(&u, url, (size_t)(ip - url));
	td_buf_printf(&u, "/ip/%s/%d", addr, len);
	q = req_new(l, t);
	if (!q || td_buf_failed(&u)) {
		free(q);
		td_buf_release(&u);
		return;
	}
	q->party = i;
	t->parties[i].climbs++;
	if (lk_http(l, u.ptr, on_parent_rdap, q) < 0)
		free(q);
	td_buf_release(&u);
}

/*
 * The party's abuse address has no mail host: the parent network's
 * contact for a host, the other record's for a registrar.
 */
static void
email_dead(struct td_lookup *l, struct td_target *t, size_t i)
{
	struct td_party *p = &t->parties[i];

	p->flags |= TD_PARTY_EMAIL_DEAD;
	if (!strcmp(p->role, "host") && p->ip >= 0 &&
	    (size_t)p->ip < t->nr_ips && p->climbs < 3) {
		const struct td_ip *ip = &t->ips[p->ip];
		const char *cidr = NULL;

		if (p->climbs == 0 && ip->rec.nr_cidrs &&
		    !strcmp(ip->prov.source ? ip->prov.source : "", "rdap"))
			cidr = ip->rec.cidrs[0];
		else if (p->climbs > 0 && p->email_prov.query)
			cidr = strstr(p->email_prov.query, "/ip/")
				   ? strstr(p->email_prov.query, "/ip/") + 4
				   : NULL;
		if (cidr)
			climb(l, t, i, cidr,
			      p->climbs ? p->email_prov.server : p->prov.server);
	} else if (!strcmp(p->role, "registrar") && !p->dead_email) {
		const struct td_record *recs[2] = {&t->registrar_rec,
						   &t->domain_rec};
		const struct td_prov *provs[2] = {&t->registrar_prov,
						  &t->domain_prov};
		int k;

		for (k = 0; k < 2; k++)
			if (recs[k]->abuse_email &&
			    strcasecmp(recs[k]->abuse_email, p->abuse_email)) {
				party_fallback(l, t, i, recs[k]->abuse_email,
					       provs[k]);
				return;
			}
	}
}

static void
on_email_dns(const struct td_dns_answer *a, void *payload)
{
	struct req *q = payload;
	struct td_party *p = &q->t->parties[q->party];
	size_t k;
	int null_mx = a->qtype == TD_DNS_MX && a->status == TD_NET_OK;

	/* the answer may be for an address the party no longer offers */
	if (!p->abuse_email || !q->domain ||
	    strcasecmp(strrchr(p->abuse_email, '@') + 1, q->domain))
		goto out;
	for (k = 0; k < a->nr && null_mx; k++)
		if (a->rrs[k].type == TD_DNS_MX && strcmp(a->rrs[k].value, "."))
			null_mx = 0;
	if (a->qtype == TD_DNS_MX && a->status == TD_NET_NODATA) {
		/* RFC 5321 5.1: no MX means the A record is the mail host */
		struct req *q2 = req_new(q->l, q->t);

		if (q2) {
			q2->party = q->party;
			q2->domain = q->domain;
			q->domain = NULL;
			if (lk_dns(q->l, a->qname, TD_DNS_A,
				       on_email_dns, q2) < 0) {
				free(q2->domain);
				free(q2);
			}
		}
	} else if (a->status == TD_NET_NXDOMAIN ||
		   a->status == TD_NET_NODATA || null_mx) {
		/* RFC 7505: a null MX says the domain takes no mail */
		email_dead(q->l, q->t, q->party);
	}
out:
	free(q->domain);
	free(q);
}

static void
check_email(struct td_lookup *l, struct td_target *t, size_t i)
{
	const char *at;
	struct req *q;

	if (!t->parties[i].abuse_email ||
	    !(at = strrchr(t->parties[i].abuse_email, '@')) || !at[1])
		return;
	q = req_new(l, t);
	if (!q)
		return;
	q->party = i;
	q->domain = dup0(at + 1);
	if (!q->domain ||
	    lk_dns(l, at + 1, TD_DNS_MX, on_email_dns, q) < 0) {
		free(q->domain);
		free(q);
	}
}

static void
check_emails(struct td_lookup *l, struct td_target *t)
{
	size_t i;

	for (i = 0; i < t->nr_parties; i++)
		check_email(l, t, i);
}

/* ---- the public API ---- */

int
td_lookup_new(struct td_lookup **out, const struct td_lookup_opts *opts,
	      struct td_error *err)
{
	struct td_lookup *l = calloc(1, sizeof(*l));
	int ret;

	*out = NULL;
	if (!l)
		return td_error_set(err, TD_ENOMEM, "out of memory");
	l->o = *opts;
	l->dtail = &l->dq;
	if (!l->o.whois_ban_s)
		l->o.whois_ban_s = 3600;
	if (!l->o.cache_ttl)
		l->o.cache_ttl = 21600;
	if (l->o.save_raw && mkdir(l->o.save_raw, 0700) < 0 &&
	    errno != EEXIST) {
		free(l);
		return td_error_set(err, TD_EINVAL, "--save-raw %s: %s",
				    opts->save_raw, strerror(errno));
	}
	ret = td_bootstrap_load(&l->boot, l->o.bootstrap_dir, err);
	if (ret < 0) {
		free(l);
		return ret;
	}
	ret = td_net_new(&l->net, &l->o.net, err);
	if (ret < 0) {
		td_bootstrap_free(l->boot);
		free(l);
		return ret;
	}
	if (l->o.cache_path) {
		struct td_error cerr = {0, ""};

		if (td_cache_open(&l->cache, l->o.cache_path, &cerr) < 0) {
			/* lookups still work without it: say so once */
			fprintf(stderr,
				"takedown: cache %s: %s (going on without "
				"it)\n",
				l->o.cache_path, cerr.msg);
			l->cache = NULL;
		}
	}
	*out = l;
	return 0;
}

static void
target_free(struct td_target *t)
{
	size_t i;

	if (!t)
		return;
	free(t->input);
	free(t->host);
	free(t->domain);
	free(t->reg_domain);
	free(t->platform_suffix);
	for (i = 0; i < t->nr_cnames; i++)
		free(t->cnames[i]);
	free(t->cnames);
	for (i = 0; i < t->nr_ns; i++)
		free(t->ns[i]);
	free(t->ns);
	for (i = 0; i < t->nr_mx; i++)
		free(t->mx[i]);
	free(t->mx);
	for (i = 0; i < t->nr_ips; i++) {
		free(t->ips[i].ip);
		td_record_release(&t->ips[i].rec);
		prov_release(&t->ips[i].prov);
	}
	free(t->ips);
	td_record_release(&t->domain_rec);
	prov_release(&t->domain_prov);
	td_record_release(&t->registrar_rec);
	prov_release(&t->registrar_prov);
	for (i = 0; i < t->nr_parties; i++) {
		struct td_party *p = &t->parties[i];

		free(p->name);
		free(p->abuse_email);
		free(p->phone);
		free(p->web_form);
		free(p->country);
		free(p->detail);
		free(p->dead_email);
		prov_release(&p->prov);
		prov_release(&p->email_prov);
	}
	free(t->parties);
	for (i = 0; i < t->nr_errors; i++)
		free(t->errors[i]);
	free(t->errors);
	free(t);
}

void
td_lookup_free(struct td_lookup *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->nr; i++)
		target_free(l->t[i]);
	free(l->t);
	lk_release(l);
	td_cache_close(l->cache);
	td_net_free(l->net);
	td_bootstrap_free(l->boot);
	free(l);
}

static int
is_ip_literal(const char *s, char *canon, size_t size)
{
	unsigned char a[16];

	if (inet_pton(AF_INET, s, a) == 1)
		return inet_ntop(AF_INET, a, canon, (socklen_t)size) != NULL;
	if (inet_pton(AF_INET6, s, a) == 1)
		return inet_ntop(AF_INET6, a, canon, (socklen_t)size) != NULL;
	return 0;
}

int
td_lookup_add(struct td_lookup *l, const char *input, struct td_error *err)
{
	struct td_target *t;
	char ip[64];
	struct td_url u;
	struct td_buf b = TD_BUF_INIT;
	const char *s = input;
	size_t len;

	while (*s == ' ' || *s == '\t')
		s++;
	len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
		       s[len - 1] == '\r' || s[len - 1] == '\n'))
		len--;
	if (!len || len > 4096)
		return td_error_set(err, TD_EINVAL, "empty or overlong input");
	if (l->nr >= MAX_TARGETS)
		return td_error_set(err, TD_ELIMIT, "more than %d inputs",
				    MAX_TARGETS);
	t = calloc(1, sizeof(*t));
	if (!t)
		return td_error_set(err, TD_ENOMEM, "out of memory");
	td_record_init(&t->domain_rec);
	td_record_init(&t->registrar_rec);
	/* nothing came yet: not "found" */
	t->domain_rec.status = t->registrar_rec.status = TD_REC_ERROR;
	t->input = td_strndup(s, len);
	if (!t->input)
		goto oom;
	if (len < sizeof(ip) && is_ip_literal(t->input, ip, sizeof(ip))) {
		t->is_ip = 1;
	} else {
		if (!strstr(t->input, "://"))
			td_buf_adds(&b, "http://");
		td_buf_add(&b, s, len);
		if (td_buf_failed(&b))
			goto oom;
		if (td_url_parse(&u, b.ptr, b.len, err) < 0) {
			td_buf_release(&b);
			target_free(t);
			return td_error_set(err, TD_EINVAL,
					    "not a URL, domain or IP address");
		}
		if (u.is_ip) {
			t->is_ip = 1;
			snprintf(ip, sizeof(ip), "%s", u.host_ascii);
		} else {
			t->host = dup0(u.host_ascii);
			t->domain = dup0(u.domain ? u.domain : u.host_ascii);
			if (t->host &&
			    td_url_psl_split(t->host, &t->reg_domain,
					     &t->platform_suffix) < 0) {
				td_url_release(&u);
				goto oom;
			}
			if (!t->reg_domain)
				t->reg_domain = dup0(t->domain);
		}
		td_url_release(&u);
		td_buf_release(&b);
		if (!t->is_ip && (!t->host || !t->domain || !t->reg_domain))
			goto oom;
	}
	if (TD_ARRAY_GROW(l->t, l->nr + 1, l->alloc) < 0)
		goto oom;
	l->t[l->nr++] = t;
	if (t->is_ip) {
		add_ip(l, t, ip, 0);
	} else {
		dns(l, t, t->host, TD_DNS_A);
		dns(l, t, t->host, TD_DNS_AAAA);
		dns(l, t, t->reg_domain, TD_DNS_NS);
		dns(l, t, t->reg_domain, TD_DNS_MX);
		start_domain(l, t);
	}
	return 0;
oom:
	td_buf_release(&b);
	target_free(t);
	return td_error_set(err, TD_ENOMEM, "out of memory");
}

int
td_lookup_run(struct td_lookup *l)
{
	struct td_error err = {0, ""};
	int in_txn = 0, ret;
	size_t i;

	/* one transaction: every answer of the run in one commit */
	if (l->cache) {
		if (td_cache_begin(l->cache, &err) == 0) {
			in_txn = 1;
		} else {
			/* locked by another run past the busy timeout */
			fprintf(stderr, "takedown: cache: %s (going on "
					"without it)\n",
				err.msg);
			td_cache_close(l->cache);
			l->cache = NULL;
		}
	}
	ret = lk_run(l);
	if (ret == 0) {
		for (i = 0; i < l->nr; i++) {
			if (l->t[i]->derived)
				continue; /* done in an earlier run */
			l->t[i]->derived = 1;
			derive_parties(l->t[i]);
			check_emails(l, l->t[i]);
		}
		ret = lk_run(l);
	}
	if (in_txn && td_cache_commit(l->cache, &err) < 0)
		fprintf(stderr, "takedown: cache: %s\n", err.msg);
	return ret;
}

size_t
td_lookup_count(const struct td_lookup *l)
{
	return l->nr;
}

const struct td_target *
td_lookup_target(const struct td_lookup *l, size_t i)
{
	return i < l->nr ? l->t[i] : NULL;
}

void
td_lookup_stats(const struct td_lookup *l, struct td_net_stats *out,
		unsigned long *cached)
{
	td_net_stats(l->net, out);
	if (cached)
		*cached = l->cache_hits;
}
