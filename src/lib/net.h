#ifndef TD_NET_H
#define TD_NET_H

#include <stddef.h>

#include "err.h"

/*
 * One event loop for all network work of a lookup: DNS through c-ares, HTTP
 * (RDAP) through the libcurl multi interface, WHOIS over non-blocking TCP
 * sockets.  Every request has a deadline; requests to one server are
 * queued behind a cap on how many are in flight and how many start per
 * second.  Results come back through callbacks, which may queue more
 * requests (a referral, the next step of a chain).  Nothing here blocks
 * except td_net_run().
 */
struct td_net;

/* Progress of a run, for a terminal: requests made and answered. */
struct td_net_progress {
	size_t total;	 /* distinct requests made so far */
	size_t answered; /* of them, ended (answer or error) */
};
typedef void (*td_net_progress_cb)(const struct td_net_progress *p,
				   void *arg);

struct td_net_opts {
	const char *dns_server; /* "IP[:PORT]" or "[IPv6]:PORT", NULL for
				   the system's (/etc/resolv.conf) */
	unsigned timeout_ms;	/* deadline per request (default 10000) */
	unsigned max_inflight;	/* per server (default 4; WHOIS: 1) */
	unsigned whois_per_sec; /* WHOIS queries per second per server
				   (default 1) */
	unsigned http_per_sec;	/* HTTP requests per second per host
				   (default 10) */
	size_t max_body;	/* bytes kept of an HTTP or WHOIS answer
				   (default 4 MiB); more is an error */
	int allow_loopback;	/* permit loopback (127.0.0.0/8, ::1),
				   private (RFC 1918, fc00::/7) and
				   link-local HTTP and WHOIS targets
				   (tests, private infrastructure);
				   otherwise refused */
	const char *user_agent; /* NULL: "takedown/VERSION" */
	unsigned dns_inflight;	/* DNS queries in flight at once
				   (default 32) */
	const char *const *connect_to; /* nr_connect_to entries
				   "HOST:PORT:ADDR:PORT2" (as curl's
				   --connect-to): a WHOIS or HTTP request
				   for HOST on PORT connects to the IP
				   address ADDR on PORT2 instead; the URL,
				   Host header and TLS name stay HOST's.
				   For private mirrors and tests. */
	size_t nr_connect_to;
	td_net_progress_cb progress; /* called from td_net_run() at most
				   every 250 ms while work is pending, and
				   once at its end; NULL for none */
	void *progress_arg;
	unsigned max_wait_ms;	/* an HTTP 429 or 503 whose Retry-After
				   (or, without one, 1 s then 2 s) is at
				   most this is retried, twice at most,
				   with every request to that server held
				   back meanwhile (default 30000); a longer
				   one bans the server for that time */
	const char *ca_file;	/* PEM certificates to trust for https
				   instead of the system's (a private CA,
				   tests); NULL: the system's */
};

/* A zero numeric field means "the default" too. */
#define TD_NET_OPTS_INIT                                                       \
	{                                                                      \
		NULL, 10000, 4, 1, 10, 4u << 20, 0, NULL, 32, NULL, 0,         \
		    NULL, NULL, 30000, NULL                                    \
	}

/* Outcome of one request. */
enum td_net_status {
	TD_NET_OK,
	TD_NET_NXDOMAIN, /* DNS: the name does not exist */
	TD_NET_NODATA,	 /* DNS: the name exists, no records of the type */
	TD_NET_SERVFAIL, /* DNS: the server failed */
	TD_NET_TIMEOUT,	 /* the deadline passed */
	TD_NET_REFUSED,	 /* connection refused or reset, a target that
			    is not a public address, DNS REFUSED */
	TD_NET_TOO_BIG,	 /* the answer exceeded max_body */
	TD_NET_LIMITED,	 /* the server asked us to wait longer than
			    max_wait_ms, or is banned: not asked */
	TD_NET_ERROR	 /* anything else; see error */
};

/*
 * Name for output: "ok", "nxdomain", "nodata", "servfail", "timeout",
 * "refused", "too-big", "rate-limited", "error".  Returns a static string, never NULL.
 */
const char *td_net_status_name(enum td_net_status s);

enum td_dns_type {
	TD_DNS_A = 1,
	TD_DNS_NS = 2,
	TD_DNS_CNAME = 5,
	TD_DNS_MX = 15,
	TD_DNS_TXT = 16,
	TD_DNS_AAAA = 28,
	TD_DNS_PTR = 12
};

struct td_dns_rr {
	enum td_dns_type type;
	char *name;  /* owner name, lowercase, no trailing dot */
	char *value; /* address, target name (lowercase; the root is
			"."), TXT strings joined; bytes outside
			printable ASCII written as \DDD */
	unsigned ttl;
	unsigned priority; /* MX preference */
};

struct td_dns_answer {
	enum td_net_status status;
	const char *qname;
	enum td_dns_type qtype;
	const char *server;	     /* "HOST:PORT" asked */
	const struct td_dns_rr *rrs; /* CNAMEs of the chain first, in order,
					then the records of qtype; also for
					NXDOMAIN and NODATA */
	size_t nr;
	const char *error; /* for TD_NET_ERROR, else NULL */
	long long when;	   /* UTC seconds when the answer came */
	int cached;	   /* 0 here; lookup's cache sets it */
};

struct td_http_reply {
	enum td_net_status status;
	long code;	       /* HTTP status, 0 when none */
	const char *url;       /* as asked */
	const char *final_url; /* after redirects */
	const char *body;      /* NUL-terminated; "" unless status is OK */
	size_t len;
	const char *content_type; /* NULL when none */
	long retry_after;	  /* seconds from Retry-After, or -1 */
	const char *error;
	long long when;
	int cached; /* 0 here; lookup's cache sets it */
};

struct td_whois_reply {
	enum td_net_status status;
	const char *server; /* "HOST:PORT" asked */
	const char *query;  /* the line sent (without CRLF) */
	const char *text;   /* NUL-terminated (may hold NULs: use len);
			       "" unless status is OK */
	size_t len;
	const char *error;
	long long when;
	int cached; /* 0 here; lookup's cache sets it */
};

/*
 * Callbacks get structs valid only during the call; copy what you keep.
 * A callback may queue more requests; it must not call td_net_run() or
 * td_net_free().
 */
typedef void (*td_dns_cb)(const struct td_dns_answer *a, void *payload);
typedef void (*td_http_cb)(const struct td_http_reply *r, void *payload);
typedef void (*td_whois_cb)(const struct td_whois_reply *r, void *payload);

/*
 * Create a loop with opts (NULL: TD_NET_OPTS_INIT; the strings are used,
 * not copied, except dns_server and user_agent).  Returns 0, or TD_EINVAL
 * (bad option, err says which), TD_EIO (c-ares or libcurl cannot start)
 * or TD_ENOMEM.  Free with td_net_free().
 */
int td_net_new(struct td_net **out, const struct td_net_opts *opts,
	       struct td_error *err);

/*
 * Close every connection and free the loop and every stored answer.
 * Callbacks of requests still pending are not called.  Accepts NULL.
 */
void td_net_free(struct td_net *n);

/*
 * Queue requests.  Each returns 0 (the callback will be called exactly
 * once, from td_net_run) or a negative code (it will not): TD_EINVAL for
 * an unusable question, TD_ENOMEM.  The arguments are copied.  Identical
 * requests in flight or already answered in this loop are not sent twice:
 * the callback gets the same answer.  A request waits in its server's
 * queue; its deadline (timeout_ms) runs from when it leaves the queue.
 */

/*
 * Ask the DNS server for name (case and a trailing dot ignored); for
 * TD_DNS_PTR, name may be an IPv4 or IPv6 address.
 */
int td_net_dns(struct td_net *n, const char *name, enum td_dns_type type,
	       td_dns_cb cb, void *payload);

/*
 * GET an http or https url with an Accept header (e.g.
 * "application/rdap+json"; NULL for none).  Host names are resolved
 * through the loop's DNS server; up to 5 redirects are followed.
 */
int td_net_http_get(struct td_net *n, const char *url, const char *accept,
		    td_http_cb cb, void *payload);

/*
 * Ask WHOIS server "HOST" (port 43), "HOST:PORT" or "[V6]:PORT" for
 * query, which is sent with CRLF and must not hold CR or LF.
 */
int td_net_whois(struct td_net *n, const char *server, const char *query,
		 td_whois_cb cb, void *payload);

/*
 * Run until no request is pending or queued, calling the callbacks.
 * Returns 0, TD_ENOMEM or TD_EIO (poll failed); after an error some
 * callbacks may not have been called.  May be called again after more
 * requests are queued.
 */
int td_net_run(struct td_net *n);

/*
 * Do not ask server (as named in answers: a WHOIS "HOST:PORT", an HTTP
 * origin "scheme://host:port") again before until (UTC seconds): its
 * queued and later requests end with TD_NET_LIMITED.  For a WHOIS quota
 * text (which only the caller can read) and for bans remembered from an
 * earlier run.  Returns 0, or TD_ENOMEM.
 */
int td_net_ban(struct td_net *n, const char *server, long long until);

/*
 * When server is banned: the UTC second the ban ends, else 0.  For
 * remembering bans across runs.
 */
long long td_net_banned(const struct td_net *n, const char *server);

/* Requests actually sent so far, per protocol (for the benchmark). */
struct td_net_stats {
	unsigned long dns;	    /* queries handed to c-ares */
	unsigned long http;	    /* transfers, one per redirect hop */
	unsigned long whois;	    /* connections opened */
	unsigned long deduplicated; /* requests answered by another one */
	unsigned long retried;	    /* HTTP 429/503 retries */
};

/* Copy the counters of n into *out (nothing to free). */
void td_net_stats(const struct td_net *n, struct td_net_stats *out);

/*
 * Fetch a URL as a client would, for evidence (takedown report): the
 * client identity (user agent, Accept, Accept-Language, Referer, further
 * header lines) is per request, and the reply records every hop.  The
 * safety rules of td_net_http_get hold for every hop: http and https only,
 * names resolved through the loop's DNS server, the address connected to
 * checked by td_net_addr_allowed (the loop's allow_loopback exempts
 * non-public addresses, see nonpublic_first_hop_only), bounded size, time
 * and redirects.  Unlike td_net_http_get:
 * - requests are never deduplicated: two fetches of one URL are two visits;
 * - a 429 or 503 is an answer like any other (no retry, no ban);
 * - each hop opens a fresh connection (CURLOPT_FRESH_CONNECT and
 *   FORBID_REUSE, so that every https hop shows its certificates) and the
 *   hops of one fetch share a cookie store, as a browser's would.
 * Every string is copied.  Zero or NULL fields mean the default.
 */
#define TD_HTTP_FETCH_MAX_REDIRECTS 20 /* bound of max_redirects */
#define TD_HTTP_FETCH_MAX_EXTRA 32     /* bound of nr_headers */

struct td_http_fetch {
	const char *url;	     /* http or https */
	const char *user_agent;	     /* NULL: the loop's */
	const char *accept;	     /* NULL: no Accept header */
	const char *accept_language; /* NULL: none */
	const char *referer;	     /* NULL: none; sent on every hop */
	const char *const *headers;  /* nr_headers further lines "Name: value"
					(e.g. Sec-Fetch-Mode); no CR, LF or
					NUL, a token before the colon */
	size_t nr_headers;
	size_t max_body;	      /* bytes of the final body kept
					 (0: the loop's max_body; at most it) */
	int truncate;		      /* past max_body keep the first
					 max_body bytes and end ok with
					 truncated set, instead of too-big */
	unsigned timeout_ms;	      /* deadline (0: the loop's; at most
					 it) */
	unsigned max_redirects;	      /* 0: 5; at most 20 */
	int nonpublic_first_hop_only; /* with the loop's allow_loopback:
					the exemption covers the first hop
					only, and every redirect is held to
					the public-address rule (tests show
					with it that a redirect to a private
					address is refused while the fixture
					server is on loopback) */
	int tls_insecure;	      /* fetch even when the certificate does
					 not verify (tls_verify tells) */
};

/* One response header line as received, split at the first colon. */
struct td_http_header {
	const char *name;  /* as sent (case kept) */
	const char *value; /* leading and trailing white space removed;
			      cut at 8 KiB */
};

/* A certificate as the server presented it (CURLOPT_CERTINFO). */
struct td_tls_cert {
	const char *subject; /* "CN = x, O = y" as OpenSSL prints it */
	const char *issuer;
	const char *not_before; /* "YYYY-MM-DDTHH:MM:SSZ", or as the TLS
				   library printed it when unreadable */
	const char *not_after;
	const char *serial; /* NULL when not given */
	const char *san;    /* Subject Alternative Name, NULL if none */
	const char *sha256; /* of the DER form, 64 hex digits; NULL
			       when the library gave no PEM */
};

#define TD_HTTP_HOP_MAX_HEADERS 100	   /* kept per hop */
#define TD_HTTP_HOP_MAX_HEADER_BYTES 65536 /* names and values per hop */
#define TD_HTTP_HOP_MAX_CERTS 8		   /* kept per hop */

/* One request of a fetch: the first URL or a redirect target. */
struct td_http_hop {
	const char *url;	 /* requested */
	long code;		 /* HTTP status; 0 when no response came
				    (the hop was refused or failed) */
	const char *status_line; /* "HTTP/1.1 302 Found" (at most 256
				    bytes), NULL without a response */
	const char *location;	 /* where it redirected to, absolute
				    (also when that was not followed:
				    refused, too many); NULL if it did
				    not redirect */
	const char *ip;		 /* address connected to, "" when none */
	unsigned port;		 /* 0 when none */
	long long started;	 /* UTC milliseconds */
	long long connect_us;	 /* from the hop's start: TCP connected, */
	long long tls_us;	 /* TLS done (0 for http), */
	long long first_byte_us; /* first response byte, */
	long long total_us;	 /* end (curl's *_TIME_T); -1: unknown */
	const struct td_http_header *headers; /* in order received */
	size_t nr_headers;
	size_t headers_dropped;		 /* past the per-hop limits */
	const struct td_tls_cert *certs; /* https: leaf first */
	size_t nr_certs;
	long tls_verify; /* -1 for http or no handshake; else the
			    verification result of the TLS library
			    (0: verified) */
};

struct td_http_fetch_reply {
	enum td_net_status status;
	const char *error;	  /* NULL when ok */
	const char *url;	  /* as asked */
	const char *final_url;	  /* the URL of the last hop */
	long code;		  /* of the last hop (0: no response) */
	const char *content_type; /* of the last hop, NULL when none */
	const char *body;	  /* NUL-terminated; "" unless ok */
	size_t len;
	int truncated; /* the body was cut at max_body (truncate) */
	const struct td_http_hop *hops; /* every hop, in order; the last
					   one failed when status is not
					   ok */
	size_t nr_hops;
	const struct td_http_hop *last; /* the last hop that got a
					   response: its headers and
					   certificates are those of the
					   final response; NULL if none */
	long long started, ended;	/* UTC milliseconds: the first hop
					   began, the fetch ended */
};

typedef void (*td_http_fetch_cb)(const struct td_http_fetch_reply *r,
				 void *payload);

/*
 * Queue a fetch.  Returns 0 (cb is called exactly once, from td_net_run),
 * TD_EINVAL (no url or cb, not an http or https url, a header with CR, LF
 * or NUL or without a name, more than TD_HTTP_FETCH_MAX_EXTRA header
 * lines, max_redirects over 20) or TD_ENOMEM.
 */
int td_net_http_fetch(struct td_net *n, const struct td_http_fetch *req,
		      td_http_fetch_cb cb, void *payload);

#endif
