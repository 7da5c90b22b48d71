#ifndef TD_BOOTSTRAP_H
#define TD_BOOTSTRAP_H

#include <stddef.h>

#include "err.h"

/*
 * Where to ask: the RDAP base URL for a domain, an IP address or an AS
 * number (IANA bootstrap registries, RFC 9224) and the WHOIS server for a
 * domain (data/whois-servers.txt).  The IANA files shipped in data/iana/
 * are compiled in; a directory of newer files in the same format can be
 * loaded instead.  See docs/internals/bootstrap.md.
 *
 * Names given to the lookups are lowercase A-labels (IDNs converted by the
 * url module); ASCII upper case and one trailing dot are tolerated.  The
 * strings the lookups return are borrowed from the struct td_bootstrap and
 * stay valid until td_bootstrap_free().
 */
struct td_bootstrap;

/*
 * Load the RDAP bootstrap files dns.json, ipv4.json, ipv6.json and
 * asn.json: from dir when it is not NULL (all four must be there),
 * otherwise the compiled-in snapshot.  The WHOIS server list is
 * dir/whois-servers.txt when that file exists, otherwise the compiled-in
 * data/whois-servers.txt.  The shipped fallback list
 * data/iana/rdap-fallback.txt (RDAP servers for TLDs missing from the snapshot)
 * is always added.
 *
 * Returns 0 and a new struct in *out (free it with td_bootstrap_free()),
 * or TD_EIO (a file could not be read), TD_EPARSE (a file is malformed;
 * err names the file and the RFC 9224 section) or TD_ENOMEM.  *out is
 * NULL on error.
 */
int td_bootstrap_load(struct td_bootstrap **out, const char *dir,
		      struct td_error *err);

/* Free b and everything it holds; accepts NULL. */
void td_bootstrap_free(struct td_bootstrap *b);

/*
 * RDAP base URL (ending in '/') for a domain name: the entry with the
 * longest run of matching labels from the right (RFC 9224 section 4), so
 * "sub.example.com" beats "com" and "com" never matches "xcom".  Overrides
 * set with td_bootstrap_set_rdap_override() are looked at first, then the
 * IANA file, then the shipped fallback list.  Of a service's URLs an
 * https one is preferred (RFC 9224 section 3).  Returns NULL when nothing
 * matches.
 */
const char *td_bootstrap_rdap_domain(const struct td_bootstrap *b,
				     const char *domain);

/*
 * RDAP base URL for an IPv4 or IPv6 address (text form; an IPv4-mapped
 * IPv6 address counts as IPv4): the longest matching prefix (RFC 9224
 * section 5).  Returns NULL when nothing matches or ip is no address.
 */
const char *td_bootstrap_rdap_ip(const struct td_bootstrap *b, const char *ip);

/*
 * RDAP base URL for an AS number: the range that holds it (RFC 9224
 * section 5.3).  Returns NULL when no range holds it.
 */
const char *td_bootstrap_rdap_asn(const struct td_bootstrap *b,
				  unsigned long asn);

/*
 * Override the RDAP base URL (http or https; a missing final '/' is added)
 * for:
 *   - a domain suffix, e.g. "uk" or "co.uk" (matched label-wise, longest
 *     override first, before the IANA file);
 *   - "." for every domain;
 *   - an IPv4 or IPv6 prefix, e.g. "192.0.2.0/24" or "::/0";
 *   - "AS64496" or "AS64496-64511" for AS numbers;
 *   - "*" for everything (tests on 127.0.0.1, private infrastructure).
 * Setting the same key again replaces the URL.
 * Returns 0, TD_EINVAL (bad key or URL) or TD_ENOMEM.
 */
int td_bootstrap_set_rdap_override(struct td_bootstrap *b, const char *suffix,
				   const char *base_url);

/* What the WHOIS server list says of a domain. */
enum td_whois_kind {
	TD_WHOIS_UNKNOWN = 0, /* not listed: ask whois.iana.org */
	TD_WHOIS_SERVER,      /* *out is a port-43 server host name */
	TD_WHOIS_WEB,	      /* only a web form: *out is its URL */
	TD_WHOIS_NONE	      /* the registry has no public WHOIS */
};

/*
 * Look a domain up in the WHOIS server list, by its longest listed suffix
 * ("example.co.uk" finds "co.uk" before "uk").  *out (may be NULL) is set
 * to the server or URL, or NULL.  Returns the kind of entry found.
 */
enum td_whois_kind td_bootstrap_whois(const struct td_bootstrap *b,
				      const char *domain, const char **out);

/*
 * The port-43 WHOIS server for a domain's TLD or longest listed suffix,
 * or NULL when it is not listed or listed as web-only or none (then see
 * td_bootstrap_whois()).
 */
const char *td_bootstrap_whois_domain(const struct td_bootstrap *b,
				      const char *domain);

/* Which of the loaded IANA files td_bootstrap_publication() describes. */
enum td_bootstrap_file {
	TD_BOOTSTRAP_DNS,
	TD_BOOTSTRAP_IPV4,
	TD_BOOTSTRAP_IPV6,
	TD_BOOTSTRAP_ASN
};

/*
 * The "publication" time stamp of a loaded IANA file, as written there
 * (e.g. "2024-07-25T00:00:01Z"), or "" when the file has none.
 */
const char *td_bootstrap_publication(const struct td_bootstrap *b,
				     enum td_bootstrap_file which);

/* Number of entries loaded from one IANA file (TLDs, prefixes, ranges). */
size_t td_bootstrap_count(const struct td_bootstrap *b,
			  enum td_bootstrap_file which);

/*
 * Longest-prefix tables over IPv4 and IPv6, shared with the providers
 * module.  A value is any pointer the caller keeps alive.
 */
struct td_bootstrap_iptab;

/* A new empty table in *out.  Returns 0 or TD_ENOMEM. */
int td_bootstrap_iptab_new(struct td_bootstrap_iptab **out);

/*
 * Add "ADDR/LEN" (or a bare address: a host prefix) with value.  Bits
 * past LEN must be zero.  A prefix added twice keeps the last value.
 * Returns 0, TD_EINVAL (cidr malformed) or TD_ENOMEM.
 */
int td_bootstrap_iptab_add(struct td_bootstrap_iptab *t, const char *cidr,
			   const void *value);

/*
 * The value of the longest prefix holding ip (IPv4, IPv6 or IPv4-mapped
 * IPv6 text), or NULL.  When prefix_len is not NULL it gets that prefix's
 * length.
 */
const void *td_bootstrap_iptab_lookup(const struct td_bootstrap_iptab *t,
				      const char *ip, unsigned *prefix_len);

/* Free t; accepts NULL.  The values are not freed. */
void td_bootstrap_iptab_free(struct td_bootstrap_iptab *t);

/*
 * Check one line of the WHOIS server list format (see data/README.md):
 * returns 0 for a comment, a blank line or a valid entry, or TD_EPARSE
 * with err saying what is wrong.
 */
int td_bootstrap_whois_line_check(const char *line, struct td_error *err);

#endif
