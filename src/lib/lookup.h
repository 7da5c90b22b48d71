#ifndef TD_LOOKUP_H
#define TD_LOOKUP_H

#include <stddef.h>

#include "err.h"
#include "net.h"
#include "record.h"

/*
 * Who is responsible for a URL, a domain or an IP: DNS, RDAP and WHOIS
 * (never the web site) name each party that can act, with a way to reach
 * it and the record that says so.  All network work runs concurrently in
 * one td_net loop; see docs/internals/lookup.md.
 */

/* Where a value came from. */
struct td_prov {
	const char *source; /* static: "rdap", "whois", "dns", "data" */
	char *server;	    /* RDAP URL, "host:port", DNS server, data file */
	char *query;	    /* what was asked */
	long long when;	    /* UTC seconds of the answer (0 for data) */
	int cached;	    /* the answer came from the cache */
};

#define TD_PARTY_EMAIL_DEAD 0x01u   /* the abuse address's domain has no
				       MX or A record */
#define TD_PARTY_HIDDEN_ORIGIN 0x02u /* a CDN hides the real host */
#define TD_PARTY_PROXY 0x04u	    /* privacy/proxy service */
#define TD_PARTY_EMAIL_FALLBACK 0x08u /* abuse_email replaces dead_email,
					 which has no mail host */

struct td_party {
	const char *role;  /* static: "registrar", "host", "cdn", "platform",
			      "registrant", "registry" */
	char *name;
	char *abuse_email;
	char *phone;
	char *web_form;
	char *country;
	char *detail;	   /* e.g. "AS13335 104.16.0.0/13", "IANA 292" */
	char *dead_email;  /* the record's own address, when it has no
			      mail host and abuse_email is a fallback */
	struct td_prov email_prov; /* where the fallback abuse_email came
				      from (source NULL otherwise) */
	int ip;		   /* host: index into target ips, else -1 */
	int climbs;	   /* parent networks asked for a live address */
	struct td_prov prov;
	unsigned flags;	   /* TD_PARTY_* */
};

struct td_ip {
	char *ip;
	unsigned ttl;
	struct td_record rec; /* the network's record (RDAP or WHOIS) */
	struct td_prov prov;
	const char *cdn;      /* static: CDN name when the address is one */
};

struct td_target {
	char *input;	  /* as given */
	char *host;	  /* lowercase A-label, NULL for an IP input */
	char *domain;	  /* registrable domain (both PSL sections) */
	char *reg_domain; /* registrable under the ICANN section alone:
			     what registries are asked about */
	char *platform_suffix; /* PSL private suffix the host is under */
	int is_ip;
	enum td_net_status dns_status; /* of the host's A query */
	char **cnames;	  /* CNAME chain from host */
	size_t nr_cnames;
	char **ns, **mx;
	size_t nr_ns, nr_mx;
	struct td_ip *ips;
	size_t nr_ips, alloc_ips;
	struct td_record domain_rec;	/* registry's answer */
	struct td_prov domain_prov;
	struct td_record registrar_rec; /* registrar's own answer */
	struct td_prov registrar_prov;
	struct td_party *parties;
	size_t nr_parties, alloc_parties;
	char **errors;	  /* one line per source that failed */
	size_t nr_errors, alloc_errors;
	int derived;	  /* parties derived (private) */
};

struct td_lookup_opts {
	struct td_net_opts net;
	const char *bootstrap_dir;  /* NULL: compiled-in snapshot */
	const char *whois_root;	    /* referral root (whois.iana.org) */
	const char *whois_server;   /* force one WHOIS server for domains */
	const char *rdap_server;    /* force one RDAP base URL for everything
				       (tests, private infrastructure) */
	int no_rdap;		    /* WHOIS only */
	int check_email;	    /* check abuse e-mail domains (default 1) */
	const char *save_raw;	    /* folder to keep every raw answer */
	const char *cache_path;	    /* SQLite cache file; NULL: none */
	unsigned cache_ttl;	    /* seconds RDAP and WHOIS answers are
				       kept (default 21600); DNS answers
				       are kept for their TTL */
	unsigned whois_ban_s;	    /* a WHOIS server that answers with a
				       quota text is not asked again for
				       this long (default 3600 s) */
};

struct td_lookup;

int td_lookup_new(struct td_lookup **out, const struct td_lookup_opts *opts,
		  struct td_error *err);
void td_lookup_free(struct td_lookup *l);

/*
 * Queue one input: a URL, a host/domain or an IP.  Returns 0, TD_EINVAL
 * for input that is none of these (err says why), or TD_ENOMEM.
 */
int td_lookup_add(struct td_lookup *l, const char *input, struct td_error *err);

/* Run every queued lookup to the end.  Returns 0 or TD_ENOMEM. */
int td_lookup_run(struct td_lookup *l);

/* Results, in the order added. */
size_t td_lookup_count(const struct td_lookup *l);
const struct td_target *td_lookup_target(const struct td_lookup *l, size_t i);

/*
 * Requests sent so far (see td_net_stats()), and in *cached (when not
 * NULL) the answers taken from the cache instead.
 */
void td_lookup_stats(const struct td_lookup *l, struct td_net_stats *out,
		     unsigned long *cached);

struct td_jw;
/* Write one target as a JSON object (docs/lookup-schema.md). */
void td_lookup_json(struct td_jw *w, const struct td_target *t);

#endif
