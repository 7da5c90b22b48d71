/*
 * net against real servers on 127.0.0.1: dnsmasq, tests/servers/httpd.py
 * and tests/servers/whoisd.py, started by tests/e2e/t0400-net-live.sh,
 * which passes their addresses in
 *
 *   TD_TEST_DNS=127.0.0.1:PORT      TD_TEST_HTTP=http://127.0.0.1:PORT
 *   TD_TEST_WHOIS=127.0.0.1:PORT    TD_TEST_WHOIS_LOG=FILE (whoisd --log)
 *   TD_TEST_HTTP_LOG=FILE (httpd --log)
 *
 * A test whose server is not given skips, saying which variable is unset;
 * the few that need no server (a UDP port that never answers) always run.
 * Deadlines are short (about a second) so that the faults end quickly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "net.h"

#define SHORT_MS 1000

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *
need(const char *var)
{
	const char *v = getenv(var);

	if (!v || !*v) {
		printf("# %s unset: start the servers with "
		       "tests/e2e/t0400-net-live.sh\n",
		       var);
		skip();
	}
	return v;
}

static unsigned g_max_wait; /* 0: the default */

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct td_net *
new_net(const char *dns, unsigned timeout_ms, size_t max_body,
	int allow_loopback)
{
	struct td_net_opts o = TD_NET_OPTS_INIT;
	struct td_error err = {0};
	struct td_net *n = NULL;

	o.dns_server = dns;
	o.timeout_ms = timeout_ms;
	if (max_body)
		o.max_body = max_body;
	o.allow_loopback = allow_loopback;
	o.max_wait_ms = g_max_wait;
	if (td_net_new(&n, &o, &err))
		fail_msg("td_net_new: %s", err.msg);
	return n;
}

/* what a callback saw, copied out */
struct seen {
	int calls;
	enum td_net_status status;
	long long at; /* ms since the run began */
	long long start;
	char error[512];
	/* DNS */
	size_t nr;
	struct {
		enum td_dns_type type;
		char name[128], value[256];
		unsigned ttl, priority;
	} rr[8];
	char server[64];
	/* HTTP and WHOIS */
	long code;
	char *body;
	size_t len;
	char ctype[128];
	char final_url[256];
	long retry_after;
};

static void
seen_release(struct seen *s)
{
	free(s->body);
	s->body = NULL;
}

static void
on_dns(const struct td_dns_answer *a, void *payload)
{
	struct seen *s = payload;
	size_t i;

	s->calls++;
	s->at = now_ms() - s->start;
	s->status = a->status;
	s->nr = a->nr;
	snprintf(s->server, sizeof(s->server), "%s", a->server);
	snprintf(s->error, sizeof(s->error), "%s", a->error ? a->error : "");
	for (i = 0; i < a->nr && i < 8; i++) {
		s->rr[i].type = a->rrs[i].type;
		snprintf(s->rr[i].name, sizeof(s->rr[i].name), "%s",
			 a->rrs[i].name);
		snprintf(s->rr[i].value, sizeof(s->rr[i].value), "%s",
			 a->rrs[i].value);
		s->rr[i].ttl = a->rrs[i].ttl;
		s->rr[i].priority = a->rrs[i].priority;
	}
}

static void
on_http(const struct td_http_reply *h, void *payload)
{
	struct seen *s = payload;

	s->calls++;
	s->at = now_ms() - s->start;
	s->status = h->status;
	s->code = h->code;
	s->len = h->len;
	s->body = malloc(h->len + 1);
	assert_non_null(s->body);
	memcpy(s->body, h->body, h->len + 1);
	s->retry_after = h->retry_after;
	snprintf(s->ctype, sizeof(s->ctype), "%s",
		 h->content_type ? h->content_type : "");
	snprintf(s->final_url, sizeof(s->final_url), "%s", h->final_url);
	snprintf(s->error, sizeof(s->error), "%s", h->error ? h->error : "");
}

static void
on_whois(const struct td_whois_reply *w, void *payload)
{
	struct seen *s = payload;

	s->calls++;
	s->at = now_ms() - s->start;
	s->status = w->status;
	s->len = w->len;
	s->body = malloc(w->len + 1);
	assert_non_null(s->body);
	memcpy(s->body, w->text, w->len + 1);
	snprintf(s->server, sizeof(s->server), "%s", w->server);
	snprintf(s->error, sizeof(s->error), "%s", w->error ? w->error : "");
}

static void
run(struct td_net *n, struct seen *s, size_t nr)
{
	long long t = now_ms();
	size_t i;

	for (i = 0; i < nr; i++)
		s[i].start = t;
	assert_int_equal(td_net_run(n), 0);
	for (i = 0; i < nr; i++)
		assert_int_equal(s[i].calls, 1);
}

static void
dns_one(struct seen *s, const char *name, enum td_dns_type t)
{
	const char *dns = need("TD_TEST_DNS");
	struct td_net *n = new_net(dns, 2000, 0, 1);

	memset(s, 0, sizeof(*s));
	assert_int_equal(td_net_dns(n, name, t, on_dns, s), 0);
	run(n, s, 1);
	td_net_free(n);
	assert_string_equal(s->server, dns);
}

/* DNS */

static void
dns_a_with_ttl(void **state)
{
	struct seen s;

	dns_one(&s, "www.example.test", TD_DNS_A);
	assert_int_equal(s.status, TD_NET_OK);
	assert_int_equal(s.nr, 1);
	assert_int_equal(s.rr[0].type, TD_DNS_A);
	assert_string_equal(s.rr[0].name, "www.example.test");
	assert_string_equal(s.rr[0].value, "192.0.2.10");
	assert_int_equal(s.rr[0].ttl, 300);
}

static void
dns_aaaa_with_ttl(void **state)
{
	struct seen s;

	dns_one(&s, "WWW.Example.Test.", TD_DNS_AAAA);
	assert_int_equal(s.status, TD_NET_OK);
	assert_int_equal(s.nr, 1);
	assert_string_equal(s.rr[0].value, "2001:db8::10");
	assert_int_equal(s.rr[0].ttl, 300);
}

static void
dns_cname_chain_in_order(void **state)
{
	struct seen s;

	dns_one(&s, "a.example.test", TD_DNS_A);
	assert_int_equal(s.status, TD_NET_OK);
	assert_int_equal(s.nr, 3);
	assert_int_equal(s.rr[0].type, TD_DNS_CNAME);
	assert_string_equal(s.rr[0].name, "a.example.test");
	assert_string_equal(s.rr[0].value, "b.example.test");
	assert_int_equal(s.rr[0].ttl, 120);
	assert_int_equal(s.rr[1].type, TD_DNS_CNAME);
	assert_string_equal(s.rr[1].value, "www.example.test");
	assert_int_equal(s.rr[1].ttl, 60);
	assert_int_equal(s.rr[2].type, TD_DNS_A);
	assert_string_equal(s.rr[2].name, "www.example.test");
	assert_string_equal(s.rr[2].value, "192.0.2.10");

	/* the chain is kept when the end has no record of the type */
	dns_one(&s, "a.example.test", TD_DNS_MX);
	assert_int_equal(s.status, TD_NET_NODATA);

	dns_one(&s, "a.example.test", TD_DNS_CNAME);
	assert_int_equal(s.status, TD_NET_OK);
	assert_int_equal(s.nr, 1);
	assert_string_equal(s.rr[0].value, "b.example.test");
}

static int
has_value(const struct seen *s, const char *v)
{
	size_t i;

	for (i = 0; i < s->nr && i < 8; i++)
		if (!strcmp(s->rr[i].value, v))
			return (int)i + 1;
	return 0;
}

static void
dns_ns_mx_txt_ptr(void **state)
{
	struct seen s;
	int i;

	dns_one(&s, "example.test", TD_DNS_NS);
	assert_int_equal(s.status, TD_NET_OK);
	assert_int_equal(s.nr, 2);
	assert_true(has_value(&s, "ns1.example.test"));
	assert_true(has_value(&s, "ns2.example.test"));
	assert_int_equal(s.rr[0].ttl, 3600);

	dns_one(&s, "example.test", TD_DNS_MX);
	assert_int_equal(s.status, TD_NET_OK);
	assert_int_equal(s.nr, 2);
	i = has_value(&s, "mail.example.test");
	assert_true(i);
	assert_int_equal(s.rr[i - 1].priority, 10);
	i = has_value(&s, "mx2.example.test");
	assert_true(i);
	assert_int_equal(s.rr[i - 1].priority, 20);

	dns_one(&s, "example.test", TD_DNS_TXT);
	assert_int_equal(s.status, TD_NET_OK);
	assert_int_equal(s.nr, 1);
	assert_string_equal(s.rr[0].value, "v=spf1 -all");

	dns_one(&s, "192.0.2.10", TD_DNS_PTR);
	assert_int_equal(s.status, TD_NET_OK);
	assert_int_equal(s.nr, 1);
	assert_string_equal(s.rr[0].name, "10.2.0.192.in-addr.arpa");
	assert_string_equal(s.rr[0].value, "www.example.test");
}

static void
dns_nxdomain_and_nodata(void **state)
{
	struct seen s;

	dns_one(&s, "nope.example.test", TD_DNS_A);
	assert_int_equal(s.status, TD_NET_NXDOMAIN);
	assert_int_equal(s.nr, 0);

	dns_one(&s, "www.example.test", TD_DNS_TXT);
	assert_int_equal(s.status, TD_NET_NODATA);
	assert_int_equal(s.nr, 0);
}

/* A UDP socket nobody reads: the server that never answers. */
static int
silent_udp(char *addr, size_t size)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	snprintf(addr, size, "127.0.0.1:%u", ntohs(sin.sin_port));
	return fd;
}

static void
dns_timeout_when_server_never_answers(void **state)
{
	char addr[64];
	int fd = silent_udp(addr, sizeof(addr));
	struct td_net *n = new_net(addr, 600, 0, 1);
	struct seen s;

	memset(&s, 0, sizeof(s));
	assert_int_equal(
	    td_net_dns(n, "www.example.test", TD_DNS_A, on_dns, &s), 0);
	run(n, &s, 1);
	td_net_free(n);
	close(fd);
	assert_int_equal(s.status, TD_NET_TIMEOUT);
	assert_true(s.at >= 400);
	assert_true(s.at < 600 + 500);
}

/*
 * A DNS server in a thread that answers every query of one UDP socket in
 * one way: SERVFAIL, or an answer record that runs past the message.
 */
struct responder {
	int fd;
	int mode; /* 0: SERVFAIL, 1: malformed answer */
	int answered;
};

static void *
respond(void *arg)
{
	struct responder *r = arg;
	unsigned char buf[1024];
	struct sockaddr_storage from;
	socklen_t flen = sizeof(from);
	struct timeval tv = {2, 0};
	ssize_t len;

	setsockopt(r->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	len = recvfrom(r->fd, buf, sizeof(buf) - 32, 0,
		       (struct sockaddr *)&from, &flen);
	if (len < 12)
		return NULL;
	buf[2] = 0x81; /* QR, RD */
	if (r->mode == 0) {
		buf[3] = 0x82; /* RA, SERVFAIL */
	} else {
		static const unsigned char rr[] = {0xc0, 0x0c, 0, 1, 0, 1,
						   0,	 0,    1, 0, 0, 0x40};

		buf[3] = 0x80;
		buf[7] = 1; /* one answer of 64 bytes that are not there */
		memcpy(buf + len, rr, sizeof(rr));
		len += sizeof(rr);
	}
	sendto(r->fd, buf, (size_t)len, 0, (struct sockaddr *)&from, flen);
	r->answered = 1;
	return NULL;
}

static void
dns_servfail_refused_and_malformed(void **state)
{
	struct responder r;
	pthread_t th;
	struct seen s;
	char addr[64];
	int mode;

	for (mode = 0; mode < 2; mode++) {
		struct td_net *n;

		memset(&r, 0, sizeof(r));
		r.fd = silent_udp(addr, sizeof(addr));
		r.mode = mode;
		assert_int_equal(pthread_create(&th, NULL, respond, &r), 0);
		n = new_net(addr, 2000, 0, 1);
		memset(&s, 0, sizeof(s));
		assert_int_equal(td_net_dns(n, "x.test", TD_DNS_A, on_dns, &s),
				 0);
		run(n, &s, 1);
		td_net_free(n);
		pthread_join(th, NULL);
		close(r.fd);
		assert_true(r.answered);
		if (mode == 0) {
			assert_int_equal(s.status, TD_NET_SERVFAIL);
		} else {
			assert_int_equal(s.status, TD_NET_ERROR);
			assert_non_null(strstr(s.error, "RFC 1035"));
		}
		assert_true(s.at < 1000);
	}

	/* dnsmasq refuses names outside its zones (no upstream) */
	dns_one(&s, "elsewhere.example", TD_DNS_A);
	assert_int_equal(s.status, TD_NET_REFUSED);
}

static int deep_calls;

static void
on_dns_ask_again(const struct td_dns_answer *a, void *payload)
{
	struct td_net *n = payload;
	static struct seen again;

	deep_calls++;
	memset(&again, 0, sizeof(again));
	/* already answered: served from the loop, not sent again */
	assert_int_equal(
	    td_net_dns(n, "www.example.test", TD_DNS_A, on_dns, &again), 0);
}

static void
dns_same_question_sends_one_query(void **state)
{
	const char *dns = need("TD_TEST_DNS");
	struct td_net *n = new_net(dns, 2000, 0, 1);
	struct td_net_stats st;
	struct seen s[2];

	memset(s, 0, sizeof(s));
	deep_calls = 0;
	assert_int_equal(
	    td_net_dns(n, "www.example.test", TD_DNS_A, on_dns, &s[0]), 0);
	assert_int_equal(
	    td_net_dns(n, "www.example.test.", TD_DNS_A, on_dns, &s[1]), 0);
	assert_int_equal(
	    td_net_dns(n, "WWW.example.test", TD_DNS_A, on_dns_ask_again, n),
	    0);
	run(n, s, 2);
	assert_int_equal(deep_calls, 1);
	td_net_stats(n, &st);
	assert_int_equal(st.dns, 1);
	assert_int_equal(st.deduplicated, 3);
	assert_int_equal(s[0].status, TD_NET_OK);
	assert_int_equal(s[1].status, TD_NET_OK);
	assert_string_equal(s[1].rr[0].value, "192.0.2.10");
	td_net_free(n);
}

/* HTTP */

static void
http_one(struct seen *s, const char *path, unsigned timeout_ms, size_t max_body)
{
	const char *base = need("TD_TEST_HTTP");
	struct td_net *n = new_net(NULL, timeout_ms, max_body, 1);
	char url[512];

	memset(s, 0, sizeof(*s));
	snprintf(url, sizeof(url), "%s%s", base, path);
	assert_int_equal(
	    td_net_http_get(n, url, "application/rdap+json", on_http, s), 0);
	run(n, s, 1);
	td_net_free(n);
}

static void
http_200_rdap(void **state)
{
	struct seen s;

	http_one(&s, "/domain/afnic.fr", 2000, 0);
	assert_int_equal(s.status, TD_NET_OK);
	assert_int_equal(s.code, 200);
	assert_string_equal(s.ctype, "application/rdap+json");
	assert_non_null(strstr(s.body, "\"afnic.fr\""));
	assert_int_equal(strlen(s.body), s.len);
	assert_int_equal(s.retry_after, -1);
	seen_release(&s);
}

static void
http_404_with_rdap_error(void **state)
{
	struct seen s;

	http_one(&s, "/domain/nope.test", 2000, 0);
	assert_int_equal(s.status, TD_NET_OK);
	assert_int_equal(s.code, 404);
	assert_non_null(strstr(s.body, "\"errorCode\": 404"));
	seen_release(&s);
}

static int log_count(const char *var, const char *needle);
static int log_mentions(const char *var, const char *needle);

/* A wait longer than max_wait_ms: the answer is given, the server banned. */
static void
http_429_and_503_retry_after(void **state)
{
	const char *base = need("TD_TEST_HTTP");
	struct seen s, s2;
	struct td_net *n;
	char url[512];

	g_max_wait = 5000;
	http_one(&s, "/fault/429/7", 2000, 0);
	assert_int_equal(s.status, TD_NET_OK);
	assert_int_equal(s.code, 429);
	assert_int_equal(s.retry_after, 7);
	seen_release(&s);

	http_one(&s, "/fault/503date", 2000, 0);
	assert_int_equal(s.code, 503);
	assert_true(s.retry_after >= 100 && s.retry_after <= 121);
	seen_release(&s);

	/* banned: the next request to that server is not sent */
	n = new_net(NULL, 2000, 0, 1);
	memset(&s, 0, sizeof(s));
	memset(&s2, 0, sizeof(s2));
	snprintf(url, sizeof(url), "%s/fault/429/60?ban", base);
	assert_int_equal(td_net_http_get(n, url, NULL, on_http, &s), 0);
	run(n, &s, 1);
	assert_int_equal(s.code, 429);
	assert_true(td_net_banned(n, base) > 0);
	snprintf(url, sizeof(url), "%s/domain/never-asked-banned", base);
	assert_int_equal(td_net_http_get(n, url, NULL, on_http, &s2), 0);
	run(n, &s2, 1);
	assert_int_equal(s2.status, TD_NET_LIMITED);
	assert_int_equal(log_mentions("TD_TEST_HTTP_LOG",
				      "never-asked-banned"), 0);
	td_net_free(n);
	g_max_wait = 0;
	seen_release(&s);
	seen_release(&s2);
}

/* A short Retry-After is waited out and the request sent again, twice. */
static void
http_429_retried(void **state)
{
	const char *base = need("TD_TEST_HTTP");
	struct td_net *n = new_net(NULL, 2000, 0, 1);
	struct td_net_stats st;
	struct seen s;
	char url[512];
	long long t0 = mono_ms();

	memset(&s, 0, sizeof(s));
	snprintf(url, sizeof(url), "%s/fault/429/1?retried-%lld", base,
		 (long long)getpid());
	assert_int_equal(td_net_http_get(n, url, NULL, on_http, &s), 0);
	run(n, &s, 1);
	assert_int_equal(s.code, 429);
	td_net_stats(n, &st);
	assert_int_equal(st.retried, 2);
	assert_int_equal(st.http, 3);
	assert_true(mono_ms() - t0 >= 2000);
	snprintf(url, sizeof(url), "retried-%lld", (long long)getpid());
	assert_int_equal(log_count("TD_TEST_HTTP_LOG", url), 3);
	td_net_free(n);
	seen_release(&s);
}

static void
http_redirects_followed_up_to_five(void **state)
{
	struct seen s;

	http_one(&s, "/fault/redirect/5", 2000, 0);
	assert_int_equal(s.status, TD_NET_OK);
	assert_int_equal(s.code, 200);
	assert_non_null(strstr(s.final_url, "/fault/redirect/0"));
	seen_release(&s);

	http_one(&s, "/fault/redirect/6", 2000, 0);
	assert_int_equal(s.status, TD_NET_ERROR);
	assert_non_null(strstr(s.error, "more than 5 redirects"));
	seen_release(&s);

	/* no other protocol, even by redirect */
	http_one(&s, "/fault/redirect-to/file:%2F%2F%2Fetc%2Fpasswd", 2000, 0);
	assert_int_equal(s.status, TD_NET_ERROR);
	assert_non_null(strstr(s.error, "not an http or https url"));
	seen_release(&s);
}

static void
http_oversize_is_cut(void **state)
{
	struct seen s;

	/* no Content-Length: cut while receiving */
	http_one(&s, "/fault/big", 5000, 1u << 20);
	assert_int_equal(s.status, TD_NET_TOO_BIG);
	assert_int_equal(s.len, 0);
	assert_true(s.at < 3000);
	seen_release(&s);
	/* announced by Content-Length: refused before the body */
	http_one(&s, "/fault/bigcl", 5000, 1u << 20);
	assert_int_equal(s.status, TD_NET_TOO_BIG);
	seen_release(&s);
}

static void
http_stall_and_drip_time_out(void **state)
{
	struct seen s;

	http_one(&s, "/fault/stall", SHORT_MS, 0);
	assert_int_equal(s.status, TD_NET_TIMEOUT);
	assert_true(s.at >= SHORT_MS - 100 && s.at < SHORT_MS + 500);
	seen_release(&s);

	http_one(&s, "/fault/drip", SHORT_MS, 0);
	assert_int_equal(s.status, TD_NET_TIMEOUT);
	assert_true(s.at >= SHORT_MS - 100 && s.at < SHORT_MS + 500);
	seen_release(&s);
}

static void
http_reset_close_and_bad_json(void **state)
{
	struct seen s;

	http_one(&s, "/fault/reset", 2000, 0);
	assert_int_equal(s.status, TD_NET_REFUSED);
	seen_release(&s);

	http_one(&s, "/fault/close", 2000, 0);
	assert_int_equal(s.status, TD_NET_ERROR);
	assert_true(s.error[0]);
	seen_release(&s);

	/* not JSON is not ours to judge: the body comes back as is */
	http_one(&s, "/fault/badjson", 2000, 0);
	assert_int_equal(s.status, TD_NET_OK);
	assert_int_equal(s.code, 200);
	seen_release(&s);
}

static int
log_mentions(const char *var, const char *needle)
{
	const char *path = getenv(var);
	char line[4096];
	int found = 0;
	FILE *f;

	if (!path)
		return -1;
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, needle))
			found = 1;
	fclose(f);
	return found;
}

static int
log_count(const char *var, const char *needle)
{
	const char *path = getenv(var);
	char line[4096];
	int found = 0;
	FILE *f;

	if (!path || !(f = fopen(path, "r")))
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, needle))
			found++;
	fclose(f);
	return found;
}

static void
http_loopback_refused_by_default(void **state)
{
	const char *base = need("TD_TEST_HTTP");
	struct td_net *n = new_net(NULL, 2000, 0, 0);
	struct td_net_stats st;
	struct seen s;
	char url[512];

	memset(&s, 0, sizeof(s));
	snprintf(url, sizeof(url), "%s/domain/never-asked.test", base);
	assert_int_equal(td_net_http_get(n, url, NULL, on_http, &s), 0);
	run(n, &s, 1);
	td_net_stats(n, &st);
	td_net_free(n);
	assert_int_equal(s.status, TD_NET_REFUSED);
	assert_int_equal(st.http, 0);
	assert_int_equal(log_mentions("TD_TEST_HTTP_LOG", "never-asked"), 0);
	seen_release(&s);
}

static unsigned
port_of(const char *s)
{
	const char *c = strrchr(s, ':');

	assert_non_null(c);
	return (unsigned)atoi(c + 1);
}

static void
http_host_names_go_through_our_dns(void **state)
{
	const char *dns = need("TD_TEST_DNS");
	const char *base = need("TD_TEST_HTTP");
	struct td_net *n = new_net(dns, 2000, 0, 1);
	struct td_net_stats st;
	struct seen s[3];
	char url[3][256];

	memset(s, 0, sizeof(s));
	/* rdap.example.test is 127.0.0.1 in dnsmasq, nowhere else */
	snprintf(url[0], sizeof(url[0]),
		 "http://rdap.example.test:%u/domain/afnic.fr", port_of(base));
	snprintf(url[1], sizeof(url[1]), "http://nope.example.test:%u/",
		 port_of(base));
	/* a redirect to a name is resolved the same way */
	snprintf(url[2], sizeof(url[2]),
		 "%s/fault/redirect-to/http:%%2F%%2Frdap.example.test:%u%%2F"
		 "domain%%2Fafnic.fr",
		 base, port_of(base));
	assert_int_equal(td_net_http_get(n, url[0], NULL, on_http, &s[0]), 0);
	assert_int_equal(td_net_http_get(n, url[1], NULL, on_http, &s[1]), 0);
	assert_int_equal(td_net_http_get(n, url[2], NULL, on_http, &s[2]), 0);
	run(n, s, 3);
	td_net_stats(n, &st);
	td_net_free(n);
	assert_int_equal(s[0].status, TD_NET_OK);
	assert_int_equal(s[0].code, 200);
	assert_int_equal(s[1].status, TD_NET_NXDOMAIN);
	assert_non_null(strstr(s[1].error, "nope.example.test"));
	assert_int_equal(s[2].status, TD_NET_OK);
	assert_int_equal(s[2].code, 200);
	assert_non_null(strstr(s[2].final_url, "rdap.example.test"));
	assert_int_equal(st.dns, 2); /* rdap. once (deduplicated), nope. */
	seen_release(&s[0]);
	seen_release(&s[1]);
	seen_release(&s[2]);
}

static void
http_private_name_refused_by_default(void **state)
{
	const char *dns = need("TD_TEST_DNS");
	const char *base = need("TD_TEST_HTTP");
	struct td_net *n = new_net(dns, 2000, 0, 0);
	struct seen s[2];
	char url[2][256];

	memset(s, 0, sizeof(s));
	snprintf(url[0], sizeof(url[0]), "http://rdap.example.test:%u/",
		 port_of(base));
	snprintf(url[1], sizeof(url[1]), "http://private.example.test:%u/",
		 port_of(base));
	assert_int_equal(td_net_http_get(n, url[0], NULL, on_http, &s[0]), 0);
	assert_int_equal(td_net_http_get(n, url[1], NULL, on_http, &s[1]), 0);
	run(n, s, 2);
	td_net_free(n);
	assert_int_equal(s[0].status, TD_NET_REFUSED);
	assert_non_null(strstr(s[0].error, "no public address"));
	assert_int_equal(s[1].status, TD_NET_REFUSED);
	seen_release(&s[0]);
	seen_release(&s[1]);
}

/* WHOIS */

static void
whois_one(struct seen *s, const char *query, unsigned timeout_ms,
	  size_t max_body)
{
	const char *srv = need("TD_TEST_WHOIS");
	struct td_net *n = new_net(NULL, timeout_ms, max_body, 1);

	memset(s, 0, sizeof(*s));
	assert_int_equal(td_net_whois(n, srv, query, on_whois, s), 0);
	run(n, s, 1);
	td_net_free(n);
	assert_string_equal(s->server, srv);
}

static void
whois_recorded_answer(void **state)
{
	struct seen s;

	whois_one(&s, "CRYTO.NET", 2000, 0);
	assert_int_equal(s.status, TD_NET_OK);
	assert_non_null(strstr(s.body, "Domain cryto.net"));
	assert_non_null(strstr(s.body, "ns1.he.net"));
	seen_release(&s);

	whois_one(&s, "unknown.test", 2000, 0);
	assert_int_equal(s.status, TD_NET_OK);
	assert_non_null(strstr(s.body, "No match for \"unknown.test\""));
	seen_release(&s);
}

static void
whois_stall_and_drip_time_out(void **state)
{
	struct seen s;

	whois_one(&s, "stall.test", SHORT_MS, 0);
	assert_int_equal(s.status, TD_NET_TIMEOUT);
	assert_true(s.at >= SHORT_MS - 100 && s.at < SHORT_MS + 500);
	assert_int_equal(s.len, 0);
	seen_release(&s);

	whois_one(&s, "drip.test", SHORT_MS, 0);
	assert_int_equal(s.status, TD_NET_TIMEOUT);
	assert_true(s.at >= SHORT_MS - 100 && s.at < SHORT_MS + 500);
	seen_release(&s);
}

static void
whois_reset_close_and_oversize(void **state)
{
	struct seen s;

	whois_one(&s, "reset.test", 2000, 0);
	assert_int_equal(s.status, TD_NET_REFUSED);
	seen_release(&s);

	whois_one(&s, "close.test", 2000, 0);
	assert_int_equal(s.status, TD_NET_ERROR);
	assert_non_null(strstr(s.error, "empty answer"));
	seen_release(&s);

	whois_one(&s, "big.test", 5000, 1u << 20);
	assert_int_equal(s.status, TD_NET_TOO_BIG);
	assert_int_equal(s.len, 0);
	assert_true(s.at < 3000);
	seen_release(&s);
}

static void
whois_server_by_name(void **state)
{
	const char *dns = need("TD_TEST_DNS");
	const char *srv = need("TD_TEST_WHOIS");
	struct td_net *n = new_net(dns, 2000, 0, 1);
	struct seen s;
	char name[128];

	memset(&s, 0, sizeof(s));
	snprintf(name, sizeof(name), "WHOIS.example.test:%u", port_of(srv));
	assert_int_equal(td_net_whois(n, name, "cryto.net", on_whois, &s), 0);
	run(n, &s, 1);
	td_net_free(n);
	assert_int_equal(s.status, TD_NET_OK);
	assert_non_null(strstr(s.body, "Domain cryto.net"));
	snprintf(name, sizeof(name), "whois.example.test:%u", port_of(srv));
	assert_string_equal(s.server, name);
	seen_release(&s);
}

/* accept and end times of query q in the whoisd log */
static int
whois_times(const char *q, double *accept, double *end)
{
	const char *path = getenv("TD_TEST_WHOIS_LOG");
	char line[4096], needle[128];
	const char *a, *e;
	int found = 0;
	FILE *f = path ? fopen(path, "r") : NULL;

	if (!f)
		return 0;
	snprintf(needle, sizeof(needle), "\"query\": \"%s\"", q);
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, needle))
			continue;
		a = strstr(line, "\"accept\": ");
		e = strstr(line, "\"end\": ");
		if (!a || !e)
			continue;
		*accept = strtod(a + 10, NULL);
		*end = strtod(e + 7, NULL);
		found++;
	}
	fclose(f);
	return found;
}

static void
whois_one_connection_at_a_time_a_second_apart(void **state)
{
	static const char *const q[] = {"space1.test", "space2.test",
					"space3.test"};
	const char *srv = need("TD_TEST_WHOIS");
	struct td_net *n;
	struct seen s[3];
	double acc[3], end[3];
	char tag[32];
	int i, j;

	need("TD_TEST_WHOIS_LOG");
	n = new_net(NULL, 3000, 0, 1);
	memset(s, 0, sizeof(s));
	/* a run-unique suffix, so that an older log line never matches */
	snprintf(tag, sizeof(tag), "%ld", (long)getpid());
	for (i = 0; i < 3; i++) {
		char query[64];

		snprintf(query, sizeof(query), "%s-%s", q[i], tag);
		assert_int_equal(td_net_whois(n, srv, query, on_whois, &s[i]),
				 0);
	}
	run(n, s, 3);
	td_net_free(n);
	for (i = 0; i < 3; i++) {
		char query[64];

		assert_int_equal(s[i].status, TD_NET_OK);
		seen_release(&s[i]);
		snprintf(query, sizeof(query), "%s-%s", q[i], tag);
		assert_int_equal(whois_times(query, &acc[i], &end[i]), 1);
	}
	/* in the server's clock: never two at once, starts >= 1 s apart */
	for (i = 0; i < 3; i++) {
		for (j = 0; j < 3; j++) {
			if (i == j || acc[j] < acc[i])
				continue;
			if (acc[j] < end[i])
				fail_msg("%s started before %s ended", q[j],
					 q[i]);
			/* 10 ms for the server's accept thread */
			if (acc[j] - acc[i] < 0.99)
				fail_msg("%s started %.3f s after %s", q[j],
					 acc[j] - acc[i], q[i]);
		}
	}
}

static void
all_three_in_one_loop_overlap(void **state)
{
	const char *dns = need("TD_TEST_DNS");
	const char *base = need("TD_TEST_HTTP");
	const char *srv = need("TD_TEST_WHOIS");
	struct td_net *n = new_net(dns, SHORT_MS, 0, 1);
	struct seen s[4];
	char url[256];

	memset(s, 0, sizeof(s));
	snprintf(url, sizeof(url), "%s/domain/afnic.fr", base);
	assert_int_equal(td_net_whois(n, srv, "stall.test", on_whois, &s[0]),
			 0);
	assert_int_equal(td_net_http_get(n, url, NULL, on_http, &s[1]), 0);
	assert_int_equal(
	    td_net_dns(n, "a.example.test", TD_DNS_A, on_dns, &s[2]), 0);
	snprintf(url, sizeof(url), "%s/fault/stall", base);
	assert_int_equal(td_net_http_get(n, url, NULL, on_http, &s[3]), 0);
	run(n, s, 4);
	td_net_free(n);
	/* the fast answers do not wait for the stalled ones */
	assert_int_equal(s[1].status, TD_NET_OK);
	assert_int_equal(s[2].status, TD_NET_OK);
	assert_true(s[1].at < SHORT_MS / 2);
	assert_true(s[2].at < SHORT_MS / 2);
	assert_int_equal(s[0].status, TD_NET_TIMEOUT);
	assert_int_equal(s[3].status, TD_NET_TIMEOUT);
	assert_true(s[0].at < SHORT_MS + 500);
	assert_true(s[3].at < SHORT_MS + 500);
	seen_release(&s[0]);
	seen_release(&s[1]);
	seen_release(&s[3]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(dns_a_with_ttl),
	    cmocka_unit_test(dns_aaaa_with_ttl),
	    cmocka_unit_test(dns_cname_chain_in_order),
	    cmocka_unit_test(dns_ns_mx_txt_ptr),
	    cmocka_unit_test(dns_nxdomain_and_nodata),
	    cmocka_unit_test(dns_timeout_when_server_never_answers),
	    cmocka_unit_test(dns_servfail_refused_and_malformed),
	    cmocka_unit_test(dns_same_question_sends_one_query),
	    cmocka_unit_test(http_200_rdap),
	    cmocka_unit_test(http_404_with_rdap_error),
	    cmocka_unit_test(http_429_and_503_retry_after),
	    cmocka_unit_test(http_429_retried),
	    cmocka_unit_test(http_redirects_followed_up_to_five),
	    cmocka_unit_test(http_oversize_is_cut),
	    cmocka_unit_test(http_stall_and_drip_time_out),
	    cmocka_unit_test(http_reset_close_and_bad_json),
	    cmocka_unit_test(http_loopback_refused_by_default),
	    cmocka_unit_test(http_host_names_go_through_our_dns),
	    cmocka_unit_test(http_private_name_refused_by_default),
	    cmocka_unit_test(whois_recorded_answer),
	    cmocka_unit_test(whois_stall_and_drip_time_out),
	    cmocka_unit_test(whois_reset_close_and_oversize),
	    cmocka_unit_test(whois_server_by_name),
	    cmocka_unit_test(whois_one_connection_at_a_time_a_second_apart),
	    cmocka_unit_test(all_three_in_one_loop_overlap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
