#ifndef TD_RECEIVED_H
#define TD_RECEIVED_H

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "err.h"

/*
 * Received: header chains (RFC 5321 4.4, RFC 5322 3.6.7) and the decision
 * of which relay to report: the first hop outside the trusted relays.
 */
struct td_hop {
	char *raw;	   /* the header value, unfolded */
	char *from_helo;   /* name the client gave in HELO/EHLO, as recorded */
	char *from_rdns;   /* reverse-DNS name recorded by the receiver */
	char *from_ip;	   /* client IP literal (v4 or v6), normalised */
	char *by;	   /* receiving host */
	char *with;	   /* protocol, e.g. "ESMTPS" */
	char *id;
	char *for_addr;
	char *date;	   /* date text after ';' */
	time_t when;	   /* parsed date, or (time_t)-1 */
	unsigned trusted : 1;	 /* added by a trusted relay */
	unsigned unverified : 1; /* below the trust boundary: may be forged */
	unsigned parsed : 1;	 /* at least from or by was understood */
};

struct td_received {
	struct td_hop *hops; /* top (newest) first, as in the message */
	size_t nr, alloc;
	/* index into hops of the hop whose from_ip is the one to report, or
	   -1 when none qualifies (all trusted, private, or unparsed) */
	long report_hop;
};

/*
 * The recipient's own mail hosts: host names (exact, or ".example.com" for
 * a whole domain) and IP networks (CIDR or single addresses).  Empty means
 * "trust only the top hop", as SpamAssassin infers when unconfigured.
 */
struct td_trust {
	char **names;
	size_t nr_names, alloc_names;
	struct td_cidr {
		int family; /* AF_INET or AF_INET6 */
		unsigned char addr[16];
		unsigned prefix;
	} *nets;
	size_t nr_nets, alloc_nets;
};

/* Add "host", ".domain", "1.2.3.4", "10.0.0.0/8" or "2001:db8::/32".
   Returns 0, TD_EPARSE or TD_ENOMEM. */
int td_trust_add(struct td_trust *t, const char *spec, struct td_error *err);
void td_trust_release(struct td_trust *t);

/*
 * Parse one Received header value (already unfolded) into out, which the
 * caller releases with td_hop_release().  Never fails on odd input: fields
 * that cannot be found stay NULL.  Returns 0 or TD_ENOMEM.
 */
int td_hop_parse(struct td_hop *out, const char *value, size_t len);
void td_hop_release(struct td_hop *hop);

/*
 * Append a header value (top-most first) to the chain.  Returns 0 or
 * TD_ENOMEM.
 */
int td_received_add(struct td_received *r, const char *value, size_t len);

/*
 * Walk the chain from the top, marking hops trusted while the relay that
 * handed the message over is one of ours (trust list, or a private,
 * loopback or link-local address), set report_hop to the first hop whose
 * client is outside, and mark every hop below it unverified.
 */
void td_received_decide(struct td_received *r, const struct td_trust *trust);

void td_received_release(struct td_received *r);

/*
 * Summarise Authentication-Results (RFC 8601) values: append e.g.
 * "spf=fail dkim=none dmarc=fail" for each method's result to out
 * (one space between methods).  Returns 0 or TD_ENOMEM.
 */
int td_auth_summary(struct td_buf *out, const char *value, size_t len);

#endif
