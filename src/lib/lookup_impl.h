#ifndef TD_LOOKUP_IMPL_H
#define TD_LOOKUP_IMPL_H

/*
 * Inside lookup: the struct and the cache-aware request functions of
 * lookup_cache.c.  Not for other modules.
 */
#include "bootstrap.h"
#include "cache.h"
#include "lookup.h"
#include "net.h"

struct lk_deferred; /* a cached answer waiting to be delivered */

struct td_lookup {
	struct td_lookup_opts o;
	struct td_net *net;
	struct td_bootstrap *boot;
	struct td_cache *cache; /* NULL: no persistent cache */
	struct td_target **t;
	size_t nr, alloc;
	unsigned long saved;
	struct lk_deferred *dq, **dtail;
	char **ban_checked; /* WHOIS servers whose stored ban was read */
	size_t nr_ban_checked, alloc_ban_checked;
	unsigned long cache_hits;
	int cache_failed; /* a cache error was reported once */
};

/*
 * As td_net_dns(), td_net_http_get() (Accept: application/rdap+json) and
 * td_net_whois(), through the cache: a fresh stored answer is delivered
 * from lk_run() without a query; a new answer worth keeping is stored
 * (DNS answers for their TTL, RDAP 200 answers and WHOIS records for
 * o.cache_ttl).
 */
int lk_dns(struct td_lookup *l, const char *name, enum td_dns_type type,
	   td_dns_cb cb, void *payload);
int lk_http(struct td_lookup *l, const char *url, td_http_cb cb,
	    void *payload);
int lk_whois(struct td_lookup *l, const char *server, const char *query,
	     td_whois_cb cb, void *payload);

/* Deliver stored answers and run the loop until nothing is left. */
int lk_run(struct td_lookup *l);

/*
 * A network answer stored for the range holding ip: 0 and *body, *len,
 * *server (RDAP URL or WHOIS "host:port"), *kind ("rdap" or "whois"),
 * *when (all malloc'ed but when; free them); 1 when none.
 */
int lk_net_get(struct td_lookup *l, const char *ip, char **body, size_t *len,
	       char **server, char **kind, long long *when);
/* Store a network answer for first..last. */
void lk_net_put(struct td_lookup *l, const char *first, const char *last,
		const char *kind, const char *server, const char *body,
		size_t len, long long when);

/* Remember a WHOIS ban (quota answer) across runs. */
void lk_ban_put(struct td_lookup *l, const char *server, long long until);

/* Drop the deferred answers not delivered (td_lookup_free). */
void lk_release(struct td_lookup *l);

#endif
