/*
 * net: options, host:port splitting, the per-server gate with a clock the
 * test drives, the public-address rule, Retry-After, URL origins, the DNS
 * answer reader on captured and hostile messages, and requests that end
 * without any server (refused, invalid, deduplicated).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "net.h"
#include "net_impl.h"

static void
net_status_names(void **state)
{
	assert_string_equal(td_net_status_name(TD_NET_OK), "ok");
	assert_string_equal(td_net_status_name(TD_NET_NXDOMAIN), "nxdomain");
	assert_string_equal(td_net_status_name(TD_NET_NODATA), "nodata");
	assert_string_equal(td_net_status_name(TD_NET_SERVFAIL), "servfail");
	assert_string_equal(td_net_status_name(TD_NET_TIMEOUT), "timeout");
	assert_string_equal(td_net_status_name(TD_NET_REFUSED), "refused");
	assert_string_equal(td_net_status_name(TD_NET_TOO_BIG), "too-big");
	assert_string_equal(td_net_status_name(TD_NET_ERROR), "error");
}

static int
try_opts(const struct td_net_opts *o, struct td_error *err)
{
	struct td_net *n = NULL;
	int rc = td_net_new(&n, o, err);

	if (!rc)
		assert_non_null(n);
	else
		assert_null(n);
	td_net_free(n);
	return rc;
}

static void
net_new_checks_options(void **state)
{
	struct td_net_opts o = TD_NET_OPTS_INIT;
	struct td_error err = {0};
	struct td_net *n = NULL;

	assert_int_equal(td_net_new(&n, NULL, &err), 0);
	td_net_free(n);
	td_net_free(NULL);

	o.dns_server = "127.0.0.1:5353";
	assert_int_equal(try_opts(&o, &err), 0);
	o.dns_server = "[::1]:53";
	assert_int_equal(try_opts(&o, &err), 0);
	o.dns_server = "::1";
	assert_int_equal(try_opts(&o, &err), 0);

	o.dns_server = "dns.example";
	assert_int_equal(try_opts(&o, &err), TD_EINVAL);
	assert_non_null(strstr(err.msg, "dns.example"));
	o.dns_server = "127.0.0.1:99999";
	assert_int_equal(try_opts(&o, &err), TD_EINVAL);
	o.dns_server = "127.0.0.1:";
	assert_int_equal(try_opts(&o, &err), TD_EINVAL);
	o.dns_server = NULL;

	o.timeout_ms = 25u * 3600 * 1000;
	assert_int_equal(try_opts(&o, &err), TD_EINVAL);
	assert_non_null(strstr(err.msg, "timeout"));
	o.timeout_ms = 0; /* the default */
	assert_int_equal(try_opts(&o, &err), 0);

	o.max_body = (size_t)2 << 30;
	assert_int_equal(try_opts(&o, &err), TD_EINVAL);
	o.max_body = 0;
	o.whois_per_sec = 5000;
	assert_int_equal(try_opts(&o, &err), TD_EINVAL);
	o.whois_per_sec = 1;
	o.user_agent = "x\r\nInjected: 1";
	assert_int_equal(try_opts(&o, &err), TD_EINVAL);
}

static void
net_split_hostport_forms(void **state)
{
	char *h = NULL;
	unsigned p = 0;

	assert_int_equal(td_net_split_hostport(&h, &p, "WHOIS.Example.", 43),
			 0);
	assert_string_equal(h, "whois.example");
	assert_int_equal(p, 43);
	free(h);
	assert_int_equal(td_net_split_hostport(&h, &p, "127.0.0.1:4343", 43),
			 0);
	assert_string_equal(h, "127.0.0.1");
	assert_int_equal(p, 4343);
	free(h);
	assert_int_equal(td_net_split_hostport(&h, &p, "[2001:DB8::1]:44", 43),
			 0);
	assert_string_equal(h, "2001:db8::1");
	assert_int_equal(p, 44);
	free(h);
	assert_int_equal(td_net_split_hostport(&h, &p, "2001:db8::1", 43), 0);
	assert_string_equal(h, "2001:db8::1");
	assert_int_equal(p, 43);
	free(h);

	assert_int_equal(td_net_split_hostport(&h, &p, "", 43), TD_EINVAL);
	assert_int_equal(td_net_split_hostport(&h, &p, "host:0", 43),
			 TD_EINVAL);
	assert_int_equal(td_net_split_hostport(&h, &p, "host:65536", 43),
			 TD_EINVAL);
	assert_int_equal(td_net_split_hostport(&h, &p, "host:-1", 43),
			 TD_EINVAL);
	assert_int_equal(td_net_split_hostport(&h, &p, "ho st", 43), TD_EINVAL);
	assert_int_equal(td_net_split_hostport(&h, &p, "[::1]x", 43),
			 TD_EINVAL);
	assert_int_equal(td_net_split_hostport(&h, &p, "user@host", 43),
			 TD_EINVAL);
	assert_null(h);
}

static void
net_gate_one_at_a_time_and_spaced(void **state)
{
	/* WHOIS: one in flight, one a second; the clock is ours */
	struct td_net_gate g = {1, td_net_interval_ms(1), 0, 0, 0, 0};

	assert_int_equal(td_net_gate_wait(&g, 5000), 0);
	td_net_gate_take(&g, 5000);
	assert_int_equal(td_net_gate_wait(&g, 5001), -1);
	/* the connection is made later than the queue let it go */
	td_net_gate_stamp(&g, 5200);
	td_net_gate_release(&g);
	assert_int_equal(td_net_gate_wait(&g, 5300), 900);
	assert_int_equal(td_net_gate_wait(&g, 6199), 1);
	assert_int_equal(td_net_gate_wait(&g, 6200), 0);
	td_net_gate_take(&g, 6200);
	td_net_gate_release(&g);
	assert_int_equal(td_net_gate_wait(&g, 6200), 1000);
	/* a stamp never moves the start back */
	td_net_gate_stamp(&g, 100);
	assert_int_equal(td_net_gate_wait(&g, 6200), 1000);
}

/* Retry-After: nothing starts before hold_until, then the rate again */
static void
net_gate_holds_until_retry_after(void **state)
{
	struct td_net_gate g = {4, td_net_interval_ms(10), 0, 0, 0, 0};

	td_net_gate_take(&g, 1000);
	td_net_gate_release(&g);
	g.hold_until = 3000;
	assert_int_equal(td_net_gate_wait(&g, 1100), 1900);
	assert_int_equal(td_net_gate_wait(&g, 2999), 1);
	assert_int_equal(td_net_gate_wait(&g, 3000), 0);
	td_net_gate_take(&g, 3000);
	assert_int_equal(td_net_gate_wait(&g, 3000), 100);
}

static void
net_gate_caps_inflight_without_rate(void **state)
{
	struct td_net_gate g = {3, 0, 0, 0, 0, 0};
	int i;

	for (i = 0; i < 3; i++) {
		assert_int_equal(td_net_gate_wait(&g, 0), 0);
		td_net_gate_take(&g, 0);
	}
	assert_int_equal(td_net_gate_wait(&g, 0), -1);
	td_net_gate_release(&g);
	assert_int_equal(td_net_gate_wait(&g, 0), 0);
	td_net_gate_release(&g);
	td_net_gate_release(&g);
	td_net_gate_release(&g);
	td_net_gate_release(&g); /* never below zero */
	assert_int_equal(g.inflight, 0);
}

static void
net_interval_rounds_up(void **state)
{
	assert_int_equal(td_net_interval_ms(0), 0);
	assert_int_equal(td_net_interval_ms(1), 1000);
	assert_int_equal(td_net_interval_ms(3), 334);
	assert_int_equal(td_net_interval_ms(10), 100);
	assert_int_equal(td_net_interval_ms(1000), 1);
}

static int
allowed(const char *ip, int nonpublic)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, ip, &((struct sockaddr_in *)&ss)->sin_addr) == 1)
		ss.ss_family = AF_INET;
	else if (inet_pton(AF_INET6, ip,
			   &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1)
		ss.ss_family = AF_INET6;
	else
		fail_msg("bad address %s", ip);
	return td_net_addr_allowed((struct sockaddr *)&ss, nonpublic);
}

static void
net_public_address_rule(void **state)
{
	static const char *const public[] = {
	    "8.8.8.8",	    "172.32.0.1",   "100.128.0.1",   "192.0.2.10",
	    "2001:4860::1", "2a00:1450::1", "::ffff:8.8.8.8"};
	static const char *const nonpublic[] = {
	    "127.0.0.1",	"127.255.0.9",	  "10.1.2.3",
	    "172.16.0.1",	"172.31.255.255", "192.168.1.1",
	    "169.254.1.1",	"100.64.0.1",	  "::1",
	    "fe80::1",		"fc00::1",	  "fd12::3",
	    "::ffff:127.0.0.1", "::ffff:10.0.0.1"};
	static const char *const never[] = {
	    "0.0.0.0",	 "0.1.2.3",	    "224.0.0.1", "239.1.1.1",
	    "240.0.0.1", "255.255.255.255", "::",	 "ff02::1"};
	size_t i;

	for (i = 0; i < sizeof(public) / sizeof(*public); i++) {
		assert_true(allowed(public[i], 0));
		assert_true(allowed(public[i], 1));
	}
	for (i = 0; i < sizeof(nonpublic) / sizeof(*nonpublic); i++) {
		assert_false(allowed(nonpublic[i], 0));
		assert_true(allowed(nonpublic[i], 1));
	}
	for (i = 0; i < sizeof(never) / sizeof(*never); i++)
		assert_false(allowed(never[i], 1));
}

static void
http_retry_after_forms(void **state)
{
	long long now = 784111777; /* Sun, 06 Nov 1994 08:49:37 GMT */

	assert_int_equal(td_http_retry_after("120", now), 120);
	assert_int_equal(td_http_retry_after(" 5 ", now), 5);
	assert_int_equal(td_http_retry_after("0", now), 0);
	assert_int_equal(td_http_retry_after("-5", now), -1);
	assert_int_equal(td_http_retry_after("5x", now), -1);
	assert_int_equal(td_http_retry_after("", now), -1);
	assert_int_equal(td_http_retry_after("soon", now), -1);
	assert_int_equal(
	    td_http_retry_after("Sun, 06 Nov 1994 08:51:37 GMT", now), 120);
	assert_int_equal(
	    td_http_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now), 0);
	assert_int_equal(
	    td_http_retry_after("Sun, 06 Nov 1994 08:51:37 PST", now), -1);
	assert_int_equal(
	    td_http_retry_after("Sun, 06 Foo 1994 08:51:37 GMT", now), -1);
}

static void
http_origin_of_urls(void **state)
{
	char *o = NULL, *h = NULL;
	unsigned p = 0;

	assert_int_equal(
	    td_http_origin(&o, &h, &p, "https://RDAP.Example.COM/domain/x"), 0);
	assert_string_equal(o, "https://rdap.example.com:443");
	assert_string_equal(h, "rdap.example.com");
	assert_int_equal(p, 443);
	free(o);
	free(h);
	assert_int_equal(td_http_origin(&o, &h, &p, "http://[::1]:8080/x"), 0);
	assert_string_equal(h, "::1");
	assert_int_equal(p, 8080);
	free(o);
	free(h);
	assert_int_equal(td_http_origin(&o, &h, &p, "ftp://example.com/"),
			 TD_EINVAL);
	assert_int_equal(td_http_origin(&o, &h, &p, "file:///etc/passwd"),
			 TD_EINVAL);
	assert_int_equal(td_http_origin(&o, &h, &p, "gopher://x:70/"),
			 TD_EINVAL);
	assert_int_equal(td_http_origin(&o, &h, &p, "not a url"), TD_EINVAL);
	assert_null(o);
	assert_null(h);
}

/* DNS answers captured from dnsmasq, and hostile ones */

static size_t
unhex(unsigned char *out, const char *hex)
{
	size_t n = 0;
	unsigned v;

	while (hex[0] && hex[1] && sscanf(hex, "%2x", &v) == 1) {
		out[n++] = (unsigned char)v;
		hex += 2;
	}
	return n;
}

static int
parse(struct td_net_req *r, const char *name, enum td_dns_type t,
      const char *hex, const char **why)
{
	static unsigned char buf[4096];
	int len = (int)unhex(buf, hex);

	memset(r, 0, sizeof(*r));
	r->name = (char *)name;
	r->qtype = t;
	return td_dns_parse_answer(r, buf, len, why);
}

static void
dns_parse_cname_chain_with_ttls(void **state)
{
	struct td_net_req r;
	const char *why;

	/* a.example.test A: CNAME b, CNAME www, A 192.0.2.10 */
	assert_int_equal(
	    parse(&r, "a.example.test", TD_DNS_A,
		  "1234858000010003000000000161076578616d706c65047465737400"
		  "00010001c00c000500010000012c00100162076578616d706c650474"
		  "65737400c02c000500010000012c0012037777770765"
		  "78616d706c65047465737400c048000100010000012c0004c000020a",
		  &why),
	    0);
	assert_int_equal(r.nr, 3);
	assert_int_equal(r.rrs[0].type, TD_DNS_CNAME);
	assert_string_equal(r.rrs[0].name, "a.example.test");
	assert_string_equal(r.rrs[0].value, "b.example.test");
	assert_int_equal(r.rrs[0].ttl, 300);
	assert_string_equal(r.rrs[1].name, "b.example.test");
	assert_string_equal(r.rrs[1].value, "www.example.test");
	assert_int_equal(r.rrs[2].type, TD_DNS_A);
	assert_string_equal(r.rrs[2].name, "www.example.test");
	assert_string_equal(r.rrs[2].value, "192.0.2.10");
	td_dns_rrs_release(&r);
}

static void
dns_parse_mx_ns_txt_ptr(void **state)
{
	struct td_net_req r;
	const char *why;

	assert_int_equal(
	    parse(&r, "example.test", TD_DNS_MX,
		  "123485800001000100000000076578616d706c65047465737400000f"
		  "0001c00c000f00010000012c0015000a046d61696c076578616d706c"
		  "65047465737400",
		  &why),
	    0);
	assert_int_equal(r.nr, 1);
	assert_string_equal(r.rrs[0].value, "mail.example.test");
	assert_int_equal(r.rrs[0].priority, 10);
	td_dns_rrs_release(&r);

	assert_int_equal(
	    parse(&r, "example.test", TD_DNS_NS,
		  "123485800001000100000000076578616d706c650474657374000002"
		  "0001c00c000200010000012c0012036e7331076578616d706c650474"
		  "65737400",
		  &why),
	    0);
	assert_int_equal(r.nr, 1);
	assert_string_equal(r.rrs[0].value, "ns1.example.test");
	td_dns_rrs_release(&r);

	/* two character-strings, one with a control byte */
	assert_int_equal(
	    parse(&r, "example.test", TD_DNS_TXT,
		  "123485800001000100000000076578616d706c650474657374000010"
		  "0001c00c0010000100000e10000a04763d73700461011b62",
		  &why),
	    0);
	assert_int_equal(r.nr, 1);
	assert_string_equal(r.rrs[0].value, "v=spa\\001\\027b");
	assert_int_equal(r.rrs[0].ttl, 3600);
	td_dns_rrs_release(&r);

	assert_int_equal(
	    parse(&r, "10.2.0.192.in-addr.arpa", TD_DNS_PTR,
		  "123485800001000100000000023130013201300331393207696e2d61"
		  "646472046172706100000c0001c00c000c00010000012c0012037777"
		  "77076578616d706c65047465737400",
		  &why),
	    0);
	assert_int_equal(r.nr, 1);
	assert_string_equal(r.rrs[0].value, "www.example.test");
	td_dns_rrs_release(&r);
}

static void
dns_parse_ttl_top_bit_is_zero(void **state)
{
	struct td_net_req r;
	const char *why;

	/* RFC 2181 8: TTL 0x80000001 reads as 0; uppercase owner matches */
	assert_int_equal(
	    parse(&r, "x.test", TD_DNS_A,
		  "000081800001000100000000017804746573740000010001"
		  "0158045445535400000100018000000100040a000001",
		  &why),
	    0);
	assert_int_equal(r.nr, 1);
	assert_int_equal(r.rrs[0].ttl, 0);
	assert_string_equal(r.rrs[0].name, "x.test");
	assert_string_equal(r.rrs[0].value, "10.0.0.1");
	td_dns_rrs_release(&r);
}

static void
dns_parse_hostile_answers(void **state)
{
	struct td_net_req r;
	const char *why;

	/* shorter than a header */
	assert_int_equal(parse(&r, "x.test", TD_DNS_A, "0000818000", &why),
			 TD_EPARSE);
	assert_non_null(why);
	/* record data runs past the end */
	assert_int_equal(
	    parse(&r, "x.test", TD_DNS_A,
		  "000081800001000100000000017804746573740000010001"
		  "c00c00010001000000ff00100a000001",
		  &why),
	    TD_EPARSE);
	assert_non_null(strstr(why, "overruns"));
	assert_int_equal(r.nr, 0);
	/* an A record of 5 bytes */
	assert_int_equal(
	    parse(&r, "x.test", TD_DNS_A,
		  "000081800001000100000000017804746573740000010001"
		  "c00c00010001000000ff00050a00000102",
		  &why),
	    TD_EPARSE);
	td_dns_rrs_release(&r);
	/* a compression pointer to itself */
	assert_int_equal(
	    parse(&r, "x.test", TD_DNS_A,
		  "000081800001000100000000017804746573740000010001"
		  "c01800010001000000ff00040a000001",
		  &why),
	    TD_EPARSE);
	/* TXT string longer than its record */
	assert_int_equal(
	    parse(&r, "x.test", TD_DNS_TXT,
		  "000081800001000100000000017804746573740000100001"
		  "c00c00100001000000ff000205616263",
		  &why),
	    TD_EPARSE);
	td_dns_rrs_release(&r);
	/* CNAME loop x -> y -> x: two CNAMEs, then it stops */
	assert_int_equal(
	    parse(&r, "x.test", TD_DNS_A,
		  "000081800001000200000000017804746573740000010001"
		  "c00c00050001000000ff00040179c00e"
		  "c02400050001000000ff0002c00c",
		  &why),
	    0);
	assert_int_equal(r.nr, 2);
	assert_string_equal(r.rrs[0].value, "y.test");
	assert_string_equal(r.rrs[1].value, "x.test");
	td_dns_rrs_release(&r);
	/* records of another class are never matched */
	assert_int_equal(
	    parse(&r, "x.test", TD_DNS_A,
		  "000081800001000100000000017804746573740000010001"
		  "c00c00010003000000ff00040a000001",
		  &why),
	    0);
	assert_int_equal(r.nr, 0);
}

/* requests that end without a server */

struct got {
	int calls;
	enum td_net_status status;
	char error[256];
	char text[64];
};

static void
got_whois(const struct td_whois_reply *w, void *payload)
{
	struct got *g = payload;

	g->calls++;
	g->status = w->status;
	snprintf(g->error, sizeof(g->error), "%s", w->error ? w->error : "");
}

static void
got_http(const struct td_http_reply *h, void *payload)
{
	struct got *g = payload;

	g->calls++;
	g->status = h->status;
	snprintf(g->error, sizeof(g->error), "%s", h->error ? h->error : "");
}

static void
got_dns(const struct td_dns_answer *a, void *payload)
{
	struct got *g = payload;

	g->calls++;
	g->status = a->status;
}

static unsigned
closed_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	close(fd); /* nobody listens there now */
	return ntohs(sin.sin_port);
}

static void
net_invalid_requests_are_refused_at_once(void **state)
{
	struct td_net *n = NULL;
	struct got g = {0};

	assert_int_equal(td_net_new(&n, NULL, NULL), 0);
	assert_int_equal(
	    td_net_whois(n, "whois.example", "a\r\nb", got_whois, &g),
	    TD_EINVAL);
	assert_int_equal(td_net_whois(n, "whois.example:0", "a", got_whois, &g),
			 TD_EINVAL);
	assert_int_equal(td_net_http_get(n, "ftp://x/", NULL, got_http, &g),
			 TD_EINVAL);
	assert_int_equal(
	    td_net_http_get(n, "http://x/", "a\r\nb: c", got_http, &g),
	    TD_EINVAL);
	assert_int_equal(td_net_dns(n, "", TD_DNS_A, got_dns, &g), TD_EINVAL);
	assert_int_equal(td_net_dns(n, "a b", TD_DNS_A, got_dns, &g),
			 TD_EINVAL);
	assert_int_equal(
	    td_net_dns(n, "x.test", (enum td_dns_type)99, got_dns, &g),
	    TD_EINVAL);
	assert_int_equal(td_net_run(n), 0);
	assert_int_equal(g.calls, 0);
	td_net_free(n);
}

static void
net_loopback_refused_without_connecting(void **state)
{
	struct td_net *n = NULL;
	struct td_net_stats st;
	struct got w = {0}, h = {0};

	assert_int_equal(td_net_new(&n, NULL, NULL), 0);
	assert_int_equal(td_net_whois(n, "127.0.0.1:4343", "x", got_whois, &w),
			 0);
	assert_int_equal(
	    td_net_http_get(n, "http://127.0.0.1:1/", NULL, got_http, &h), 0);
	assert_int_equal(td_net_run(n), 0);
	assert_int_equal(w.calls, 1);
	assert_int_equal(w.status, TD_NET_REFUSED);
	assert_non_null(strstr(w.error, "not a public address"));
	assert_int_equal(h.calls, 1);
	assert_int_equal(h.status, TD_NET_REFUSED);
	td_net_stats(n, &st);
	assert_int_equal(st.whois, 0);
	assert_int_equal(st.http, 0);
	td_net_free(n);
}

static void
net_closed_port_is_refused(void **state)
{
	struct td_net_opts o = TD_NET_OPTS_INIT;
	struct td_net *n = NULL;
	struct got w = {0}, h = {0};
	char srv[64], url[64];
	unsigned port = closed_port();

	o.allow_loopback = 1;
	o.timeout_ms = 2000;
	snprintf(srv, sizeof(srv), "127.0.0.1:%u", port);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/x", port);
	assert_int_equal(td_net_new(&n, &o, NULL), 0);
	assert_int_equal(td_net_whois(n, srv, "x", got_whois, &w), 0);
	assert_int_equal(td_net_http_get(n, url, NULL, got_http, &h), 0);
	assert_int_equal(td_net_run(n), 0);
	assert_int_equal(w.calls, 1);
	assert_int_equal(w.status, TD_NET_REFUSED);
	assert_int_equal(h.calls, 1);
	assert_int_equal(h.status, TD_NET_REFUSED);
	td_net_free(n);
}

/*
 * A listener whose accept queue is full drops new SYNs, so a connection to
 * it never completes and its socket never wakes poll: only the deadline
 * can end the request.  alarm() turns a hang into a failure.
 */
static void
net_connect_that_never_completes_times_out(void **state)
{
	struct td_net_opts o = TD_NET_OPTS_INIT;
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct td_net *n = NULL;
	struct got w = {0};
	struct timespec a, b;
	char srv[64];
	int lfd, cfd[4], i;
	long ms;

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(lfd, 0), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sin, &len), 0);
	/* fill the accept queue (backlog 0 holds one; take a margin) */
	for (i = 0; i < 4; i++) {
		cfd[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		connect(cfd[i], (struct sockaddr *)&sin, sizeof(sin));
	}
	usleep(100000);
	snprintf(srv, sizeof(srv), "127.0.0.1:%u", ntohs(sin.sin_port));
	o.allow_loopback = 1;
	o.timeout_ms = 500;
	assert_int_equal(td_net_new(&n, &o, NULL), 0);
	assert_int_equal(td_net_whois(n, srv, "x", got_whois, &w), 0);
	alarm(10);
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(td_net_run(n), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	alarm(0);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	td_net_free(n);
	for (i = 0; i < 4; i++)
		close(cfd[i]);
	close(lfd);
	assert_int_equal(w.calls, 1);
	assert_int_equal(w.status, TD_NET_TIMEOUT);
	assert_true(ms >= 450 && ms < 1500);
}

static void
net_identical_requests_share_one(void **state)
{
	struct td_net *n = NULL;
	struct td_net_stats st;
	struct got a = {0}, b = {0};

	assert_int_equal(td_net_new(&n, NULL, NULL), 0);
	assert_int_equal(td_net_whois(n, "127.0.0.1:4343", "Q", got_whois, &a),
			 0);
	assert_int_equal(td_net_whois(n, "127.0.0.1:4343", "Q", got_whois, &b),
			 0);
	/* different case of the name is the same DNS question */
	assert_int_equal(td_net_dns(n, "X.Test.", TD_DNS_A, got_dns, &a), 0);
	assert_int_equal(td_net_dns(n, "x.test", TD_DNS_A, got_dns, &b), 0);
	td_net_stats(n, &st);
	assert_int_equal(st.deduplicated, 2);
	/* freed before running: no callback, no leak */
	td_net_free(n);
	assert_int_equal(a.calls, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(net_status_names),
	    cmocka_unit_test(net_new_checks_options),
	    cmocka_unit_test(net_split_hostport_forms),
	    cmocka_unit_test(net_gate_one_at_a_time_and_spaced),
	    cmocka_unit_test(net_gate_caps_inflight_without_rate),
	    cmocka_unit_test(net_gate_holds_until_retry_after),
	    cmocka_unit_test(net_interval_rounds_up),
	    cmocka_unit_test(net_public_address_rule),
	    cmocka_unit_test(http_retry_after_forms),
	    cmocka_unit_test(http_origin_of_urls),
	    cmocka_unit_test(dns_parse_cname_chain_with_ttls),
	    cmocka_unit_test(dns_parse_mx_ns_txt_ptr),
	    cmocka_unit_test(dns_parse_ttl_top_bit_is_zero),
	    cmocka_unit_test(dns_parse_hostile_answers),
	    cmocka_unit_test(net_invalid_requests_are_refused_at_once),
	    cmocka_unit_test(net_loopback_refused_without_connecting),
	    cmocka_unit_test(net_closed_port_is_refused),
	    cmocka_unit_test(net_connect_that_never_completes_times_out),
	    cmocka_unit_test(net_identical_requests_share_one),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
