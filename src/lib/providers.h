#ifndef TD_PROVIDERS_H
#define TD_PROVIDERS_H

#include <stddef.h>

#include "err.h"

/*
 * CDNs, reverse proxies and platforms (free hosts, site builders, cloud
 * storage, form builders, URL shorteners, IPFS gateways, tunnels...) that
 * phishing sites sit behind or on, with the abuse contact of each.  The
 * data is data/cdn.txt and data/platforms.txt, compiled in and parsed once
 * on first use.  See data/README.md for the format and the sources.
 *
 * Every lookup returns a pointer into static data that lives as long as
 * the program (never freed by the caller), or NULL.  The lookups are safe
 * to call from several threads.
 */
struct td_provider {
	const char *name;	 /* "Cloudflare" */
	const char *kind;	 /* "cdn", "hosting", "site-builder", "storage",
				    "forms", "shortener", "ipfs", "tunnel",
				    "dyndns", "messaging", "cloud" */
	const char *abuse_email; /* NULL when none is documented */
	const char *abuse_url;	 /* web form or page; NULL when none */
	const char *source;	 /* the page the contact was taken from (NULL
				    when no contact is known) */
	const char *note;	 /* caveat for the reporter, or NULL */
};

/*
 * The CDN or reverse proxy whose published address ranges hold ip (IPv4,
 * IPv6 or IPv4-mapped IPv6 text), longest prefix first; NULL otherwise.
 */
const struct td_provider *td_providers_by_ip(const char *ip);

/*
 * The platform or CDN serving host (a lowercase A-label; case and one
 * trailing dot are tolerated): an exact "host" entry, else the
 * "*.suffix" entry with the longest suffix that host is strictly below.
 * NULL when none matches.
 */
const struct td_provider *td_providers_by_host(const char *host);

/*
 * The provider a CNAME target belongs to: the "cname" entries first, then
 * the "host" entries (a custom domain pointed at x.netlify.app is on
 * Netlify).  NULL when none matches.
 */
const struct td_provider *td_providers_by_cname(const char *target);

/* The DNS provider whose name servers match ns ("ns" entries), or NULL. */
const struct td_provider *td_providers_by_ns(const char *ns);

/*
 * The i-th provider in file order (cdn.txt first), or NULL past the end;
 * for listing them.
 */
const struct td_provider *td_providers_get(size_t i);

/*
 * Check a provider list in the data/cdn.txt format: text[0..len), named
 * name in messages.  Returns 0 when every line parses and every provider
 * has a kind, a contact or a note, and a source for its contact; else
 * TD_EPARSE with err
 * giving "name:LINE: what is wrong".  *nr (may be NULL) gets the number of
 * providers.  Used by the tests on the shipped files.
 */
int td_providers_check(const char *name, const char *text, size_t len,
		       size_t *nr, struct td_error *err);

/*
 * The compiled-in data/cdn.txt (which 0) or data/platforms.txt (1), with
 * its length in *len, for td_providers_check().
 */
const char *td_providers_data(int which, size_t *len);

#endif
