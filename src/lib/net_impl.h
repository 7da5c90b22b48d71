#ifndef TD_NET_IMPL_H
#define TD_NET_IMPL_H

/*
 * Private to the net module, which is split over four files: net.c (the
 * loop, queues, deduplication), dns.c (c-ares), http.c (libcurl) and
 * whois_client.c (plain TCP).  Nothing outside them includes this, except
 * tests/unit/test_net.c for the pure helpers at the end.
 */

#include <poll.h>
#include <stddef.h>
#include <sys/socket.h>

#include "buf.h"
#include "net.h"

enum td_net_kind { TD_NET_KIND_DNS, TD_NET_KIND_HTTP, TD_NET_KIND_WHOIS };

/*
 * Per-server admission: at most max_inflight requests at once, and (when
 * interval_ms is not 0) starts at least interval_ms apart.  Times are
 * milliseconds of a monotonic clock.
 */
struct td_net_gate {
	unsigned max_inflight;
	unsigned interval_ms;
	unsigned inflight;
	int stamped; /* last_start is valid */
	long long last_start;
	long long hold_until; /* ms: no start before (Retry-After) */
};

/*
 * How long to wait before the next start: 0 now, > 0 milliseconds, -1
 * until a request in flight ends.
 */
long long td_net_gate_wait(const struct td_net_gate *g, long long now);
/* Take a slot and stamp the start at now. */
void td_net_gate_take(struct td_net_gate *g, long long now);
/* Move the stamp of the start taken last to now (WHOIS: at connect). */
void td_net_gate_stamp(struct td_net_gate *g, long long now);
/* Give the slot back. */
void td_net_gate_release(struct td_net_gate *g);

/* Interval in ms for at most per_sec starts a second (0: no limit). */
unsigned td_net_interval_ms(unsigned per_sec);

struct td_net_waiter {
	union {
		td_dns_cb dns;
		td_http_cb http;
		td_whois_cb whois;
	} cb;
	void *payload;
	struct td_net_waiter *next;
};

enum td_net_rstate { TD_NET_QUEUED, TD_NET_ACTIVE, TD_NET_DONE };

/*
 * One distinct request.  It stays in memory until td_net_free() so that a
 * repeated question gets the stored answer (deduplication).
 */
struct td_net_req {
	enum td_net_kind kind;
	enum td_net_rstate state;
	char *key;		  /* deduplication key */
	struct td_net_req *hnext; /* hash chain */
	struct td_net_req *qnext; /* server queue */
	struct td_net_req *rnext; /* ready list */
	struct td_net_req *anext; /* list of all, for td_net_free */
	struct td_net_server *srv;
	struct td_net_waiter *waiters, **wtail;
	int on_ready;
	int holds_slot;	    /* took a slot of srv->gate */
	long long deadline; /* ms, 0 when not started */
	unsigned gen;	    /* bumped on every (re)start of a step */

	/* the question */
	char *name; /* DNS qname, HTTP URL, WHOIS query */
	enum td_dns_type qtype;
	char *accept;
	char *host; /* HTTP/WHOIS: host to connect to */
	unsigned port;

	/* the answer */
	enum td_net_status status;
	char *error;
	long long when;
	struct td_dns_rr *rrs;
	size_t nr, alloc_rrs;
	struct td_buf body; /* HTTP body, WHOIS text */
	long code;
	char *final_url;
	char *content_type;
	long retry_after;
	int retries; /* 429/503 retries so far */

	void *impl; /* state of the step in progress */
};

struct td_net_server {
	enum td_net_kind kind;
	char *name;
	struct td_net_gate gate;
	struct td_net_req *qhead, **qtail;
	struct td_net_req **utail; /* after the last urgent request */
	long long banned_until; /* UTC seconds; 0: not banned */
	struct td_net_server *next;
};

/* Who watches a file descriptor. */
struct td_net_watch {
	int fd;
	short events;
	enum td_net_kind kind;
	void *ptr;
};

struct td_dns;
struct td_http;

struct td_net {
	struct td_net_opts opts;
	char *dns_server;
	char *user_agent;
	struct td_dns *dns;
	struct td_http *http;
	struct td_net_server *servers;
	struct td_net_req **table;
	size_t table_size, table_nr;
	struct td_net_req *all;
	struct td_net_req *ready, **rtail;
	struct td_net_watch *watch;
	size_t nr_watch, alloc_watch;
	struct pollfd *pfd;
	size_t alloc_pfd;
	struct td_net_req **active; /* requests with a step in progress */
	size_t nr_active, alloc_active;
	struct td_net_stats stats;
	size_t nr_done;		/* requests ended */
	long long progress_at;	/* ms of the last progress call */
	struct td_net_map *map; /* opts.connect_to, parsed */
	size_t nr_map;
	int oom;
};

/* One connect-to entry: host:port goes to addr (with its port). */
struct td_net_map {
	char *host;
	unsigned port;
	char *addr; /* IP literal as given, brackets removed */
	struct sockaddr_storage ss;
};

/*
 * The connect-to entry for host:port, or NULL.  Host names compare without
 * case.
 */
const struct td_net_map *td_net_mapped(const struct td_net *n,
				       const char *host, unsigned port);

/* Milliseconds of the loop's clock. */
long long td_net_now(const struct td_net *n);

/* Watch fd for events (POLLIN/POLLOUT; 0 removes it).  0 or TD_ENOMEM. */
int td_net_watch_set(struct td_net *n, int fd, short events,
		     enum td_net_kind kind, void *ptr);
void td_net_watch_del(struct td_net *n, int fd);

/*
 * End a request with status (error is a printf format, may be NULL): frees
 * the step state through the protocol's cancel function, gives the slot
 * back and queues delivery to every waiter.
 */
void td_net_finish(struct td_net *n, struct td_net_req *r,
		   enum td_net_status status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * Resolve host (A, then AAAA when there is no A) through the loop's DNS
 * channel for the step of r in progress; cb gets the addresses allowed by
 * the options (with port set), or a status.  It is called once, from the
 * loop, and not at all when r ended or moved on meanwhile (r->gen).
 * Returns 0 or TD_ENOMEM.
 */
struct td_net_addrs {
	enum td_net_status status;
	const char *error;
	struct sockaddr_storage *addr;
	size_t nr;
	size_t refused; /* addresses left out by the public-address rule */
};
typedef void (*td_net_resolve_cb)(struct td_net *n, struct td_net_req *r,
				  const struct td_net_addrs *a);
int td_net_resolve(struct td_net *n, struct td_net_req *r, const char *host,
		   unsigned port, td_net_resolve_cb cb);

/*
 * Put r, whose server answered 429/503, back at the head of its server's
 * queue, holding every start to that server for wait_ms.
 */
void td_net_retry_later(struct td_net *n, struct td_net_req *r,
			long long wait_ms);

/* dns.c */
int td_dns_init(struct td_net *n, struct td_error *err);
void td_dns_release(struct td_net *n);
int td_dns_start(struct td_net *n, struct td_net_req *r);
void td_dns_cancel(struct td_net *n, struct td_net_req *r);
void td_dns_on_fd(struct td_net *n, int fd, short revents);
long long td_dns_timeout(struct td_net *n);
void td_dns_tick(struct td_net *n);

/* http.c */
int td_http_init(struct td_net *n, struct td_error *err);
void td_http_release(struct td_net *n);
int td_http_start(struct td_net *n, struct td_net_req *r);
void td_http_cancel(struct td_net *n, struct td_net_req *r);
void td_http_on_fd(struct td_net *n, int fd, short revents);
long long td_http_timeout(struct td_net *n);
void td_http_tick(struct td_net *n);
/*
 * Split an http/https URL into its origin "scheme://host:port" (the queue
 * key), host (brackets removed) and port.  0 or TD_EINVAL/TD_ENOMEM; the
 * caller frees *origin and *host.
 */
int td_http_origin(char **origin, char **host, unsigned *port, const char *url);

/* whois_client.c */
int td_whois_start(struct td_net *n, struct td_net_req *r);
void td_whois_cancel(struct td_net *n, struct td_net_req *r);
void td_whois_on_fd(struct td_net *n, void *ptr, short revents);

/* Pure helpers (unit-tested). */

/*
 * Split "HOST", "HOST:PORT", "[V6]:PORT" or a bare IPv6 address into a
 * lowercase host and a port (def_port when none).  0 or TD_EINVAL; the
 * caller frees *host.
 */
int td_net_split_hostport(char **host, unsigned *port, const char *s,
			  unsigned def_port);

/*
 * 1 when a connection to sa is allowed: never to unspecified, multicast,
 * broadcast or reserved addresses; to loopback, private (RFC 1918, RFC
 * 6598, fc00::/7) and link-local ones only with allow_nonpublic.
 */
int td_net_addr_allowed(const struct sockaddr *sa, int allow_nonpublic);

/*
 * Seconds from a Retry-After value (RFC 9110 10.2.3: delay-seconds or an
 * HTTP-date, read against now in UTC seconds); -1 when unreadable.
 */
long td_http_retry_after(const char *value, long long now);

/*
 * Read the answer section of a DNS message for (qname, qtype): the CNAME
 * chain from qname first, then the records of qtype at its end.  Adds to
 * r->rrs.  Returns 0, TD_EPARSE (malformed; *why says where) or
 * TD_ENOMEM.
 */
int td_dns_parse_answer(struct td_net_req *r, const unsigned char *abuf,
			int alen, const char **why);

/* Free the records of r. */
void td_dns_rrs_release(struct td_net_req *r);

/*
 * Fetches (http.c, td_net_http_fetch); these helpers are tested in
 * tests/unit/test_evidence.c.
 */

/*
 * "Nov 27 10:00:00 2026 GMT" (OpenSSL's ASN1_TIME_print, as libcurl's
 * certinfo gives validity dates) as "2026-11-27T10:00:00Z" in out.
 * Returns 0, or -1 when s is not in that form (out is then "").
 */
int td_http_cert_time(char out[21], const char *s);

/*
 * 1 when s is a usable extra request header line: "Name: value" with a
 * token (RFC 9110 5.6.2) before the colon and no CR, LF or NUL; else 0.
 */
int td_http_header_line_ok(const char *s);

#endif
