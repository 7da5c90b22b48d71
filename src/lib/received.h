#ifndef TD_RECEIVED_H
#define TD_RECEIVED_H

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "err.h"

/*
 * Received: header chains (RFC 5321 4.4, RFC 5322 3.6.7) and the decision
 * of which relay to report: the first hop outside the trusted relays.
 * docs/internals/received.md describes the recognised MTA shapes and the
 * trust rules.  Every string is malloc'ed and owned by its hop; any of
 * them may be NULL when the header does not say.
 */
struct td_hop {
	char *raw;	 /* the header value; CR, LF and NUL made spaces */
	char *from_helo; /* name the client gave in HELO/EHLO, as recorded
			    (may be a literal such as "[10.0.0.95]") */
	char *from_rdns; /* reverse-DNS name recorded by the receiver; never
			    "unknown", never an IP, no trailing dot */
	char *from_ip;	 /* client IP, normalised by inet_ntop(); an
			    IPv4-mapped IPv6 address becomes IPv4, an
			    Exchange zone index ("%4") is dropped */
	char *by;	 /* receiving host, as written */
	char *with;	 /* protocol, e.g. "ESMTPS", "Microsoft SMTP Server" */
	char *id;
	char *for_addr;		 /* without the angle brackets */
	char *date;		 /* text after the last ';' outside comments */
	time_t when;		 /* parsed date (UTC), or (time_t)-1 */
	unsigned trusted : 1;	 /* written by a trusted relay (decide) */
	unsigned unverified : 1; /* below the trust boundary: may be forged */
	unsigned parsed : 1;	 /* the value opens (after comments) with a
				    "from" or "by" clause, or is qmail's
				    "(qmail N invoked ...)" line */
};

/* Zero-initialise ({0}); td_received_release() frees it. */
struct td_received {
	struct td_hop *hops; /* top (newest) first, as in the message */
	size_t nr, alloc;
	/* after td_received_decide(): index into hops of the hop whose
	   from_ip is the one to report, or -1 when none qualifies (every
	   client internal or trusted, a client without a recorded address,
	   or an unparsed hop reached first) */
	long report_hop;
};

/*
 * The recipient's own mail hosts: host names (exact, or ".example.com" for
 * every name below example.com) and IP networks (CIDR or single
 * addresses).  Names are matched only against rDNS names recorded by a
 * trusted relay, never against HELO names.  Empty means "trust only the
 * top hop", as SpamAssassin infers when unconfigured.  Zero-initialise
 * ({0}); td_trust_release() frees it.
 */
struct td_trust {
	char **names;
	size_t nr_names, alloc_names;
	struct td_cidr {
		int family; /* AF_INET or AF_INET6 */
		unsigned char addr[16];
		unsigned prefix;
	} * nets;
	size_t nr_nets, alloc_nets;
};

/*
 * Add "host", ".domain" ("*.domain" is the same), "1.2.3.4",
 * "10.0.0.0/8" or "2001:db8::/32" to t (names are stored lowercase, host
 * bits of a network are cleared).  Returns 0, TD_EPARSE (with the entry
 * named in err) or TD_ENOMEM.
 */
int td_trust_add(struct td_trust *t, const char *spec, struct td_error *err);

/* Free what t holds and leave it empty. */
void td_trust_release(struct td_trust *t);

/*
 * Parse one Received header value (folded or not; any bytes) into out,
 * which the caller releases with td_hop_release() whatever the result.
 * Never fails on odd input: fields that cannot be found stay NULL and
 * parsed says whether the line was understood at all.  Linear in len.
 * Returns 0 or TD_ENOMEM (out is then empty).
 */
int td_hop_parse(struct td_hop *out, const char *value, size_t len);

/* Free what hop holds and leave it empty (accepts NULL). */
void td_hop_release(struct td_hop *hop);

/*
 * Parse a header value and append it to the chain; call it for the
 * Received fields top-most first.  Returns 0 or TD_ENOMEM.
 */
int td_received_add(struct td_received *r, const char *value, size_t len);

/*
 * Find the trust boundary (docs/internals/received.md).  Walking down from
 * the top hop, which is always trusted: a hop is trusted when it was
 * written by a relay vouched for by the hop above it.  That relay is the
 * hop's client, and it is vouched for when its address is not public
 * (private, loopback, link-local, CGNAT, ...: see td_ip_is_public()), is in
 * the trust list, or its recorded rDNS name matches a trust list name.
 * A hop without any client is a local hand-over and passes trust down.
 * The first hop whose client is none of these is the report hop; the walk
 * also stops, with report_hop -1, at an unparsed hop or a client without
 * a recorded address.  Every hop below the stop is marked unverified.  The
 * by-host and HELO names are never used: both are written by the party
 * being judged.  trust may be NULL (same as empty).
 */
void td_received_decide(struct td_received *r, const struct td_trust *trust);

/* Free every hop and the array; r is left empty with report_hop -1. */
void td_received_release(struct td_received *r);

/*
 * Summarise one Authentication-Results (RFC 8601) value: append
 * "method=result" (both lowercase) for each resinfo, e.g.
 * "spf=fail dkim=none dmarc=fail", separated by single spaces and by one
 * space from what out already holds, so the values of several fields can
 * be appended in turn.  The authserv-id, method versions, reasons,
 * properties ("header.from=...") and comments are left out; a first part
 * that is already a methodspec (Exchange Online writes no authserv-id) is
 * kept.  ARC-Authentication-Results needs its "i=N;" removed first.
 * Returns 0 or TD_ENOMEM; a full out (its max) only sets TD_BUF_TRUNC.
 */
int td_auth_summary(struct td_buf *out, const char *value, size_t len);

#endif
