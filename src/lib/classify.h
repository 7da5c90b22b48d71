#ifndef TD_CLASSIFY_H
#define TD_CLASSIFY_H

#include <stddef.h>

/*
 * Is the phishing page on a legitimate site that was broken into
 * (compromised: tell the owner and the host, with advice on cleaning up)
 * or on the criminal's own domain (malicious: never contact the owner,
 * never reveal the reporter to them)?  Decided from facts lookup and the
 * evidence fetcher gathered, each one a reason printed with the verdict.
 * Unknown is treated as malicious wherever disclosure is concerned.  See
 * docs/internals/classify.md for the rules and their weights.
 */
enum td_case_kind {
	TD_KIND_UNKNOWN,
	TD_KIND_COMPROMISED,
	TD_KIND_MALICIOUS
};

/* "unknown", "compromised", "malicious" */
const char *td_case_kind_name(enum td_case_kind k);

/* What is known of one phishing URL; NULL / -1 for unknown values. */
struct td_classify_in {
	const char *url;	    /* normalised URL */
	const char *host;	    /* lowercase A-label */
	const char *domain;	    /* registrable domain (ICANN section) */
	const char *path;	    /* URL path, "/" at least */
	int homograph;		    /* the url module's homograph flag */
	const char *platform;	    /* platform or private PSL suffix the
				       host is under, or NULL */
	long long created;	    /* domain creation, UTC seconds, or -1 */
	long long now;		    /* UTC seconds */
	int home_page_ok;	    /* the site's "/" served a page that is
				       not the phish: 1, 0 no, -1 unknown */
	const char *home_title;	    /* its title, or NULL */
};

#define TD_CLASSIFY_MAX_REASONS 16

struct td_classify_out {
	enum td_case_kind kind;
	int score; /* > 0 leans malicious, < 0 compromised */
	/* "+3 registered 4 days ago", "-2 phish deep in a CMS folder" */
	char reasons[TD_CLASSIFY_MAX_REASONS][160];
	size_t nr_reasons;
};

/* Classify in; never fails. */
void td_classify(const struct td_classify_in *in,
		 struct td_classify_out *out);

#endif
