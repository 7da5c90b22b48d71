#ifndef TD_LIVENESS_H
#define TD_LIVENESS_H

#include <stddef.h>

#include "err.h"
#include "net.h"
#include "store.h"

/*
 * Is the phishing page still up?  The verdict from one observation (the
 * DNS and registry facts of a host, one fetch of one URL as one client),
 * the agreement of several observations, and the confirmation of a
 * "down" over time.  Pure: no I/O, no clock.  Pattern data (sinkholes,
 * CDN error pages, "account suspended" and parking pages) is compiled in
 * from the .txt files of data/liveness/.  How it decides: docs/check.md.
 */

enum td_live {
	TD_LIVE_UP,		 /* the phishing page is served */
	TD_LIVE_CLEANED,	 /* 200, but the phishing form is gone */
	TD_LIVE_CONTENT_REMOVED, /* HTTP 404 or 410 */
	TD_LIVE_SUSPENDED,	 /* the host's "account suspended" page */
	TD_LIVE_CDN_BLOCKED,	 /* a CDN error or block page */
	TD_LIVE_DNS_REMOVED,	 /* NXDOMAIN, sinkhole, registry hold */
	TD_LIVE_PARKED,		 /* a parking page (name not re-delegated) */
	TD_LIVE_UNREACHABLE,	 /* connection refused or reset */
	TD_LIVE_FAILED,		 /* no conclusion: timeout, error */
	TD_LIVE_NR
};

/*
 * Names as shown and stored: "up", "cleaned", "content-removed",
 * "suspended", "cdn-blocked", "dns-removed", "parked", "unreachable",
 * "failed"; NULL out of range.  td_live_parse() returns the value for a
 * name (exact), or -1.
 */
const char *td_live_name(enum td_live v);
int td_live_parse(const char *name);

/* 1 for a verdict that says the page is gone (not UP, not FAILED). */
int td_live_is_down(enum td_live v);

/*
 * The store's mitigation kind for a down verdict (PARKED and UNREACHABLE
 * are TD_MIT_OTHER), TD_MIT_NONE for UP and FAILED.
 */
enum td_mitigation td_live_mitigation(enum td_live v);

/* What DNS and the registry say about a URL's host (all borrowed). */
struct td_live_host {
	enum td_net_status dns; /* of the A query */
	const char *const *ips; /* A and AAAA answers */
	size_t nr_ips;
	const char *const *ns; /* the domain's name servers */
	size_t nr_ns;
	const char *const *statuses; /* registry EPP statuses, RDAP
					("client hold") or WHOIS
					("clientHold") form */
	size_t nr_statuses;
};

/* One fetch of the URL by one client profile (all borrowed). */
struct td_live_fetch {
	const char *profile;
	enum td_net_status status; /* of the fetch */
	const char *error;	   /* why it failed, or NULL */
	long code;		   /* HTTP status, 0: none */
	const char *server;	   /* Server header, or NULL */
	const char *body;	   /* what was served (any bytes), or NULL */
	size_t len;
	const char *title;  /* page title, or NULL */
	const char *sha256; /* of the body, or NULL */
	unsigned passwords; /* password fields on the page */
	size_t forms;
};

/*
 * The case's first evidence of the URL, to tell a cleaned page from the
 * phishing page.  known 0: there is none (a 200 is then "up").
 */
struct td_live_base {
	int known;
	const char *title;
	const char *sha256;
	unsigned passwords;
	size_t forms;
};

#define TD_LIVE_WHY 256

/* A verdict and why, in one line of takedown's own words. */
struct td_live_obs {
	enum td_live verdict;
	char why[TD_LIVE_WHY];
};

/*
 * The verdict of the host facts alone: DNS_REMOVED (NXDOMAIN, an answer
 * that is a known sinkhole address, a sinkhole name server, or a
 * registry status clientHold, serverHold, pendingDelete, inactive or
 * redemptionPeriod), FAILED (SERVFAIL or no answer: DNS says nothing), or
 * UP (nothing at host level; look at the fetch).  Never fails.
 */
void td_live_judge_host(struct td_live_obs *out, const struct td_live_host *h);

/*
 * The verdict of one fetch of a URL whose host h says what it says (h
 * may be NULL; a host-level DNS_REMOVED wins over any fetch).  In order:
 * the host; a fetch that failed (refused or reset: UNREACHABLE; NXDOMAIN:
 * DNS_REMOVED; else FAILED); a page matching the pattern data (CDN,
 * suspended, parking); HTTP 404/410; a 2xx whose phishing form is gone
 * compared with b (no password field any more and another title or
 * body): CLEANED; anything else UP.  Never fails.
 */
void td_live_judge(struct td_live_obs *out, const struct td_live_host *h,
		   const struct td_live_fetch *f, const struct td_live_base *b);

/*
 * Cloaking: one 404 to one client is not proof.  The verdict of nr
 * observations of one URL (one per profile), or of the URLs of a case:
 * UP when any says UP; FAILED when none says UP and one failed (no
 * agreement can be had); otherwise every one is down and the result is
 * their common verdict, or, when they name different kinds, the first
 * of dns-removed, suspended, cdn-blocked, content-removed, cleaned,
 * parked, unreachable.  *disagree (may be NULL) is set to 1 when the
 * observations did not all give the same verdict.  nr 0 gives FAILED.
 */
enum td_live td_live_combine(const struct td_live_obs *v, size_t nr,
			     int *disagree);

/* An earlier check of a case: when, and the case's verdict then. */
struct td_live_past {
	long long at;
	enum td_live verdict;
};

/*
 * Is a down verdict confirmed?  past holds the case's earlier checks in
 * time order; the check now says v.  The current run is the checks with
 * verdict v back to the last one with another verdict (FAILED checks are
 * skipped: they say nothing).  Returns 1 when v is down and the run,
 * now included, spans at least confirm_after seconds (two checks at
 * least that far apart), else 0.  *since (may be NULL) gets the time of
 * the run's first check (now when the run starts now).
 */
int td_live_confirmed(long long *since, const struct td_live_past *past,
		      size_t nr, enum td_live v, long long now,
		      long long confirm_after);

/*
 * The "check" event detail, written by takedown check: its first line is
 * "VERDICT[ KIND][ confirmed|unconfirmed]", then one line per URL
 * "url VERDICT URL" (URL escaped as td_term_escape does, so one line),
 * then per fetch "  PROFILE VERDICT: why".  td_live_detail_verdict()
 * reads the case verdict of a detail; td_live_detail_url() the verdict
 * of the URL whose escaped form is url.  Both return -1 when the detail
 * does not say.
 */
int td_live_detail_verdict(const char *detail);
int td_live_detail_url(const char *detail, const char *url);

/*
 * Check the compiled-in pattern data: returns 0, or TD_EPARSE with err
 * naming the file and line of the first bad line.  (The loader skips
 * bad lines; the unit test makes them fail the build's test run.)
 * *rules (may be NULL) gets the number of rules read.
 */
int td_live_check_data(size_t *rules, struct td_error *err);

#endif
