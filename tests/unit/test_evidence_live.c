/*
 * evidence against real servers on 127.0.0.1, started by
 * tests/e2e/t0600-evidence.sh, which passes them in:
 *
 *   TD_TEST_DNS=127.0.0.1:PORT    dnsmasq: www.phish.test, short.test,
 *                                 echo.test -> 127.0.0.1; names of
 *                                 private addresses (*.phish.test)
 *   TD_TEST_HTTP_PORT, TD_TEST_HTTP_LOG   httpd.py on tests/servers/data/pages
 *   TD_TEST_TLS_PORT, TD_TEST_TLS_CA, TD_TEST_TLS_SHA256   its TLS front
 *                                 (certificate for www.phish.test)
 *   TD_TEST_ECHO_PORT, TD_TEST_ECHO_LOG   the echo server of t0600
 *   TD_TEST_PAGES                 tests/servers/data/pages
 *   TD_TEST_EVDIR                 a folder for the evidence
 *
 * Without them every test skips.  Refusals are shown two ways: without
 * allow_loopback (nothing may connect: stats.http stays 0 and the server
 * log never shows the path), and as redirects from the loopback server
 * with nonpublic_first_hop_only (the exemption covers the first hop only,
 * so each redirect meets the production rule), each beside a control
 * that is followed when the rule does not apply.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "evidence.h"
#include "hash.h"
#include "net.h"

static const char *
need(const char *var)
{
	const char *v = getenv(var);

	if (!v || !*v) {
		printf("# %s unset: start the servers with "
		       "tests/e2e/t0600-evidence.sh\n",
		       var);
		skip();
	}
	return v;
}

static struct td_net *
new_net(int allow_loopback, const char *ca, unsigned timeout_ms)
{
	struct td_net_opts o = TD_NET_OPTS_INIT;
	struct td_error err = {0};
	struct td_net *n = NULL;

	o.dns_server = need("TD_TEST_DNS");
	o.allow_loopback = allow_loopback;
	o.ca_file = ca;
	o.timeout_ms = timeout_ms ? timeout_ms : 5000;
	o.http_per_sec = 1000;
	if (td_net_new(&n, &o, &err))
		fail_msg("td_net_new: %s", err.msg);
	return n;
}

static unsigned g_case;

/* A fresh evidence set in its own folder under TD_TEST_EVDIR. */
static void
ev_init(struct td_evidence *ev, struct td_evidence_opts *o)
{
	struct td_error err = {0};
	static char dir[512];

	snprintf(dir, sizeof(dir), "%s/case-%u", need("TD_TEST_EVDIR"),
		 ++g_case);
	o->dir = dir;
	if (td_evidence_init(ev, o, &err))
		fail_msg("td_evidence_init: %s", err.msg);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct td_buf b = TD_BUF_INIT;
	char chunk[4096];
	size_t n;

	if (!f)
		fail_msg("cannot open %s", path);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		td_buf_add(&b, chunk, n);
	fclose(f);
	return td_buf_detach(&b, len);
}

/* Percent-encode s for a /fault/redirect-to/ARG path segment. */
static void
enc(struct td_buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_')
			td_buf_addch(b, c);
		else
			td_buf_printf(b, "%%%02X", c);
	}
}

/* "http://HOST:PORT/fault/redirect-to/<target encoded>" */
static char *
redirect_url(const char *host, const char *target)
{
	struct td_buf b = TD_BUF_INIT;

	td_buf_printf(&b, "http://%s:%s/fault/redirect-to/", host,
		      need("TD_TEST_HTTP_PORT"));
	enc(&b, target);
	return td_buf_detach(&b, NULL);
}

/* tmpl with "{P}" replaced by port */
static void
with_port(char *out, size_t size, const char *tmpl, const char *port)
{
	const char *p = strstr(tmpl, "{P}");

	if (p)
		snprintf(out, size, "%.*s%s%s", (int)(p - tmpl), tmpl, port,
			 p + 3);
	else
		snprintf(out, size, "%s", tmpl);
}

static int
log_has(const char *var, const char *needle)
{
	size_t len;
	char *s = slurp(need(var), &len);
	int found = strstr(s, needle) != NULL;

	free(s);
	return found;
}

static const char *
header(const struct td_http_hop *h, const char *name)
{
	size_t i;

	for (i = 0; h && i < h->nr_headers; i++)
		if (!strcasecmp(h->headers[i].name, name))
			return h->headers[i].value;
	return NULL;
}

static void
check_iso(const char *s)
{
	int y, mo, d, hh, mm, ss, ms;

	assert_int_equal(strlen(s), 24);
	assert_int_equal(sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &y, &mo, &d,
				&hh, &mm, &ss, &ms),
			 7);
	assert_true(y >= 2024);
}

/* The landing page's facts, whatever the chain that led to it. */
static void
check_landing(const struct td_evidence_capture *c, const char *final_url)
{
	struct td_buf path = TD_BUF_INIT;
	char *want, *got, sha[65];
	size_t wlen, glen;
	struct stat st;
	const struct td_evidence_page *p = &c->page;
	char action[256];

	if (c->status != TD_NET_OK)
		fail_msg("%s: %s", c->url, c->error ? c->error : "?");
	assert_int_equal(c->code, 200);
	assert_string_equal(c->final_url, final_url);
	assert_string_equal(c->content_type, "text/html; charset=utf-8");
	/* the body is the file, byte for byte, stored by its SHA-256 */
	td_buf_printf(&path, "%s/ahouf/algonquincollege.html",
		      need("TD_TEST_PAGES"));
	want = slurp(path.ptr, &wlen);
	td_sha256_hex(sha, want, wlen);
	assert_string_equal(c->sha256, sha);
	assert_int_equal(c->len, wlen);
	assert_false(c->truncated);
	td_buf_reset(&path);
	td_buf_printf(&path, "sha256/%s", sha);
	assert_string_equal(c->body_path, path.ptr);
	td_buf_reset(&path);
	td_buf_printf(&path, "%s/case-%u/sha256/%s", need("TD_TEST_EVDIR"),
		      g_case, sha);
	assert_int_equal(stat(path.ptr, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	got = slurp(path.ptr, &glen);
	assert_int_equal(glen, wlen);
	assert_memory_equal(got, want, wlen);
	free(got);
	free(want);
	td_buf_release(&path);

	/* title and forms */
	assert_string_equal(p->title, "Netflix \xe2\x80\x93 Action needed: "
				      "Update payment");
	assert_int_equal(p->nr_forms, 2);
	assert_int_equal(p->passwords, 1);
	snprintf(action, sizeof(action),
		 "%.*s/ahouf/verify.php?step=1&src=mail",
		 (int)(strstr(final_url + 8, "/") - final_url), final_url);
	assert_string_equal(p->forms[0].action, action);
	assert_string_equal(p->forms[0].method, "post");
	assert_int_equal(p->forms[0].passwords, 1);
	assert_int_equal(p->forms[0].nr_inputs, 6);
	assert_string_equal(p->forms[0].inputs[0].name, "userLoginId");
	assert_string_equal(p->forms[0].inputs[0].type, "email");
	assert_string_equal(p->forms[0].inputs[1].name, "password");
	assert_string_equal(p->forms[0].inputs[1].type, "password");
	assert_string_equal(p->forms[0].inputs[5].type, "hidden");
	assert_string_equal(p->forms[1].action, final_url);
	assert_string_equal(p->forms[1].method, "get");
	assert_int_equal(p->forms[1].nr_inputs, 1);
	assert_string_equal(p->forms[1].inputs[0].type, "select");
	assert_string_equal(p->forms[1].inputs[0].name, "lang");
	check_iso(c->started);
	check_iso(c->ended);
	assert_true(strcmp(c->started, c->ended) <= 0);
	assert_non_null(c->last);
	assert_ptr_equal(c->last, &c->hops[c->nr_hops - 1]);
}

/* ---- the recorded page, chains, TLS ---- */

static void
live_recorded_page(void **state)
{
	struct td_evidence_opts o = TD_EVIDENCE_OPTS_INIT;
	struct td_evidence ev;
	struct td_net *n = new_net(1, NULL, 0);
	const struct td_evidence_capture *c;
	const struct td_http_hop *h;
	char url[256], mail[256];
	const char *port = need("TD_TEST_HTTP_PORT");

	ev_init(&ev, &o);
	snprintf(url, sizeof(url),
		 "http://www.phish.test:%s/ahouf/algonquincollege.html", port);
	snprintf(mail, sizeof(mail),
		 "http://WWW.Phish.test:%s/mail/sample-3119.html", port);
	assert_int_equal(
	    td_evidence_add(&ev, n, url, td_evidence_profile("desktop")), 0);
	assert_int_equal(
	    td_evidence_add(&ev, n, mail, td_evidence_profile("mobile")), 0);
	assert_int_equal(td_net_run(n), 0);
	c = ev.items[0];
	assert_string_equal(c->fetched_url, url);
	check_landing(c, url);
	assert_int_equal(c->nr_hops, 1);
	h = &c->hops[0];
	assert_string_equal(h->url, url);
	assert_int_equal(h->code, 200);
	assert_null(h->location);
	assert_string_equal(h->ip, "127.0.0.1");
	assert_int_equal(h->port, atoi(port));
	assert_string_equal(h->status_line, "HTTP/1.1 200 OK");
	assert_non_null(header(h, "Server"));
	assert_non_null(strstr(header(h, "Server"), "td-httpd/1"));
	assert_non_null(header(h, "Date"));
	assert_int_equal(atoi(header(h, "Content-Length")), (int)c->len);
	assert_int_equal(h->headers_dropped, 0);
	assert_int_equal(h->nr_certs, 0);
	assert_int_equal(h->tls_verify, -1);
	assert_true(h->connect_us > 0 && h->first_byte_us >= h->connect_us &&
		    h->total_us >= h->first_byte_us);
	assert_int_equal(h->tls_us, 0);

	/* the e-mail itself, recorded: its <title> is empty, no form */
	c = ev.items[1];
	assert_int_equal(c->status, TD_NET_OK);
	assert_string_equal(c->profile, "mobile");
	/* normalised (url module): the host lowercased */
	assert_non_null(strstr(c->fetched_url, "http://www.phish.test:"));
	assert_string_equal(c->page.title, "");
	assert_int_equal(c->page.nr_forms, 0);
	td_evidence_release(&ev);
	td_net_free(n);
}

static void
live_redirect_chain(void **state)
{
	struct td_evidence_opts o = TD_EVIDENCE_OPTS_INIT;
	struct td_evidence ev;
	struct td_net *n = new_net(1, NULL, 0);
	const struct td_evidence_capture *c;
	const char *port = need("TD_TEST_HTTP_PORT");
	char final[256], mid_target[512], deep[64];
	char *mid, *first;
	size_t i;

	ev_init(&ev, &o);
	/* short.test -> www.phish.test (a relative Location) -> the page */
	snprintf(final, sizeof(final),
		 "http://www.phish.test:%s/ahouf/algonquincollege.html", port);
	mid = redirect_url("www.phish.test", "/ahouf/algonquincollege.html");
	snprintf(mid_target, sizeof(mid_target), "%s", mid);
	first = redirect_url("short.test", mid_target);
	assert_int_equal(
	    td_evidence_add(&ev, n, first, td_evidence_profile("desktop")), 0);
	/* the built-in chain: 3 redirects, then an answer */
	snprintf(deep, sizeof(deep),
		 "http://www.phish.test:%s/fault/redirect/3", port);
	assert_int_equal(
	    td_evidence_add(&ev, n, deep, td_evidence_profile("script")), 0);
	/* 11 redirects: one more than evidence follows by default */
	snprintf(deep, sizeof(deep),
		 "http://www.phish.test:%s/fault/redirect/11", port);
	assert_int_equal(
	    td_evidence_add(&ev, n, deep, td_evidence_profile("script")), 0);
	assert_int_equal(td_net_run(n), 0);

	c = ev.items[0];
	check_landing(c, final);
	assert_int_equal(c->nr_hops, 3);
	assert_string_equal(c->hops[0].url, first);
	assert_int_equal(c->hops[0].code, 302);
	assert_string_equal(c->hops[0].location, mid);
	assert_string_equal(c->hops[1].url, mid);
	assert_int_equal(c->hops[1].code, 302);
	assert_string_equal(c->hops[1].location, final);
	assert_string_equal(c->hops[2].url, final);
	assert_int_equal(c->hops[2].code, 200);
	assert_null(c->hops[2].location);
	for (i = 0; i < 3; i++) {
		assert_string_equal(c->hops[i].ip, "127.0.0.1");
		assert_true(c->hops[i].started > 0);
		if (i)
			assert_true(c->hops[i].started >=
				    c->hops[i - 1].started);
	}
	/* the same body from the first test: one file */
	assert_non_null(c->body_path);

	c = ev.items[1];
	assert_int_equal(c->status, TD_NET_OK);
	assert_int_equal(c->nr_hops, 4);
	for (i = 0; i < 3; i++)
		assert_int_equal(c->hops[i].code, 302);
	assert_int_equal(c->code, 200);
	assert_null(c->page.title); /* an RDAP body, not HTML */

	c = ev.items[2];
	assert_int_equal(c->status, TD_NET_ERROR);
	assert_non_null(strstr(c->error, "more than 10 redirects"));
	assert_int_equal(c->nr_hops, 11);
	assert_int_equal(c->code, 302);
	assert_null(c->body_path);
	free(mid);
	free(first);
	td_evidence_release(&ev);
	td_net_free(n);
}

static void
live_tls_certificate(void **state)
{
	struct td_evidence_opts o = TD_EVIDENCE_OPTS_INIT;
	struct td_evidence ev, ev2;
	struct td_net *n = new_net(1, need("TD_TEST_TLS_CA"), 0);
	struct td_net *plain = new_net(1, NULL, 0);
	const struct td_evidence_capture *c;
	const struct td_tls_cert *cert;
	char url[256];
	struct tm tm;
	time_t nb, na, now = time(NULL);

	ev_init(&ev, &o);
	snprintf(url, sizeof(url),
		 "https://www.phish.test:%s/ahouf/algonquincollege.html",
		 need("TD_TEST_TLS_PORT"));
	assert_int_equal(
	    td_evidence_add(&ev, n, url, td_evidence_profile("desktop")), 0);
	assert_int_equal(td_net_run(n), 0);
	c = ev.items[0];
	check_landing(c, url);
	assert_int_equal(c->hops[0].tls_verify, 0);
	assert_true(c->hops[0].tls_us > 0);
	assert_true(c->last->nr_certs >= 1);
	cert = &c->last->certs[0];
	printf("# subject: %s\n# issuer: %s\n# valid: %s .. %s\n# san: %s\n",
	       cert->subject, cert->issuer, cert->not_before, cert->not_after,
	       cert->san ? cert->san : "-");
	assert_non_null(strstr(cert->subject, "www.phish.test"));
	assert_non_null(strstr(cert->issuer, "takedown test CA"));
	assert_non_null(cert->san);
	assert_non_null(strstr(cert->san, "DNS:www.phish.test"));
	assert_non_null(cert->serial);
	assert_string_equal(cert->sha256, need("TD_TEST_TLS_SHA256"));
	/* made by the test just now, valid for 2 days */
	memset(&tm, 0, sizeof(tm));
	assert_non_null(strptime(cert->not_before, "%Y-%m-%dT%H:%M:%SZ", &tm));
	nb = timegm(&tm);
	memset(&tm, 0, sizeof(tm));
	assert_non_null(strptime(cert->not_after, "%Y-%m-%dT%H:%M:%SZ", &tm));
	na = timegm(&tm);
	assert_true(nb <= now + 60 && nb > now - 3600);
	assert_true(na - nb >= 2 * 86400 - 60 && na - nb <= 2 * 86400 + 60);
	td_evidence_release(&ev);

	/* without the test CA the certificate does not verify: no page */
	ev_init(&ev, &o);
	assert_int_equal(
	    td_evidence_add(&ev, plain, url, td_evidence_profile("desktop")),
	    0);
	/* ... unless asked to keep it anyway; tls_verify tells */
	o.tls_insecure = 1;
	ev_init(&ev2, &o);
	assert_int_equal(
	    td_evidence_add(&ev2, plain, url, td_evidence_profile("desktop")),
	    0);
	assert_int_equal(td_net_run(plain), 0);
	c = ev.items[0];
	assert_int_equal(c->status, TD_NET_ERROR);
	assert_non_null(strstr(c->error, "certificate"));
	assert_null(c->body_path);
	c = ev2.items[0];
	assert_int_equal(c->status, TD_NET_OK);
	assert_int_equal(c->code, 200);
	assert_true(c->hops[0].tls_verify > 0);
	assert_true(c->hops[0].nr_certs >= 1);
	assert_string_equal(c->hops[0].certs[0].sha256,
			    need("TD_TEST_TLS_SHA256"));
	td_evidence_release(&ev);
	td_evidence_release(&ev2);
	td_net_free(n);
	td_net_free(plain);
}

/* ---- what each client sends and is shown ---- */

static int
echoed(const struct td_evidence_capture *c, const char *line)
{
	size_t len;
	char *body, *path;
	int found;
	struct td_buf p = TD_BUF_INIT;

	td_buf_printf(&p, "%s/case-%u/%s", need("TD_TEST_EVDIR"), g_case,
		      c->body_path);
	path = td_buf_detach(&p, NULL);
	body = slurp(path, &len);
	found = strstr(body, line) != NULL;
	free(body);
	free(path);
	return found;
}

static void
live_profiles_and_cloaking(void **state)
{
	struct td_evidence_opts o = TD_EVIDENCE_OPTS_INIT;
	struct td_evidence ev;
	struct td_net *n = new_net(1, NULL, 0);
	const struct td_evidence_capture *c;
	const char *port = need("TD_TEST_ECHO_PORT");
	static const char *const names[] = {"desktop", "mobile", "script"};
	char url[128], cloak[128], cookie[128];
	size_t i;

	o.referer = "https://outlook.live.com/";
	ev_init(&ev, &o);
	snprintf(url, sizeof(url), "http://echo.test:%s/echo", port);
	snprintf(cloak, sizeof(cloak), "http://echo.test:%s/cloak", port);
	snprintf(cookie, sizeof(cookie), "http://echo.test:%s/setcookie", port);
	for (i = 0; i < 3; i++)
		assert_int_equal(
		    td_evidence_add(&ev, n, url, td_evidence_profile(names[i])),
		    0);
	for (i = 0; i < 3; i++)
		assert_int_equal(td_evidence_add(&ev, n, cloak,
						 td_evidence_profile(names[i])),
				 0);
	assert_int_equal(
	    td_evidence_add(&ev, n, cookie, td_evidence_profile("desktop")), 0);
	assert_int_equal(td_net_run(n), 0);
	for (i = 0; i < 7; i++)
		if (ev.items[i]->status != TD_NET_OK)
			fail_msg("%s: %s", ev.items[i]->url,
				 ev.items[i]->error);

	/* the same URL, three visits, each as its client */
	c = ev.items[0];
	assert_true(echoed(c, "[\"User-Agent\", \"Mozilla/5.0 (Windows NT "
			      "10.0; Win64; x64)"));
	assert_true(echoed(c, "[\"Accept-Language\", \"en-US,en;q=0.9\"]"));
	assert_true(echoed(c, "[\"Sec-Fetch-Mode\", \"navigate\"]"));
	assert_true(echoed(c, "[\"sec-ch-ua-platform\", \"\\\"Windows\\\"\"]"));
	assert_true(echoed(c, "[\"Referer\", \"https://outlook.live.com/\"]"));
	c = ev.items[1];
	assert_true(echoed(c, "iPhone; CPU iPhone OS 17_6"));
	assert_false(echoed(c, "sec-ch-ua"));
	c = ev.items[2];
	assert_true(echoed(c, "[\"User-Agent\", \"curl/7.88.1\"]"));
	assert_true(echoed(c, "[\"Accept\", \"*/*\"]"));
	assert_false(echoed(c, "Accept-Language"));
	assert_false(echoed(c, "Sec-Fetch"));
	for (i = 0; i < 3; i++) {
		assert_string_equal(ev.items[i]->user_agent,
				    td_evidence_profile(names[i])->user_agent);
		/* three visits: not deduplicated, three different bodies */
		if (i)
			assert_string_not_equal(ev.items[i]->sha256,
						ev.items[i - 1]->sha256);
	}

	/* cloaking: browsers get the phish, the script client a 404 */
	assert_int_equal(ev.items[3]->code, 200);
	assert_int_equal(ev.items[3]->page.passwords, 1);
	assert_string_equal(ev.items[3]->page.title, "Sign in");
	assert_int_equal(ev.items[4]->code, 200);
	assert_int_equal(ev.items[4]->page.passwords, 1);
	assert_int_equal(ev.items[5]->code, 404);
	assert_int_equal(ev.items[5]->page.nr_forms, 0);
	assert_string_equal(ev.items[5]->page.title, "404 Not Found");

	/* a cookie set on a redirect goes with the next hop, as a browser's */
	c = ev.items[6];
	assert_int_equal(c->nr_hops, 2);
	assert_int_equal(c->hops[0].code, 302);
	assert_non_null(header(&c->hops[0], "Set-Cookie"));
	assert_true(echoed(c, "[\"Cookie\", \"sid=s3cr3t\"]"));
	td_evidence_release(&ev);
	td_net_free(n);
}

/* ---- bounds ---- */

static void
live_bounds(void **state)
{
	struct td_evidence_opts o = TD_EVIDENCE_OPTS_INIT;
	struct td_evidence ev;
	struct td_net *n = new_net(1, NULL, 3000);
	const struct td_evidence_capture *c;
	const char *port = need("TD_TEST_HTTP_PORT");
	char url[128];
	struct timespec a, b;
	struct td_net_stats st;
	long ms;
	size_t i;

	o.max_body = 1000;
	o.timeout_ms = 1000;
	ev_init(&ev, &o);
	snprintf(url, sizeof(url), "http://www.phish.test:%s/fault/big", port);
	assert_int_equal(
	    td_evidence_add(&ev, n, url, td_evidence_profile("desktop")), 0);
	snprintf(url, sizeof(url), "http://www.phish.test:%s/fault/bigcl",
		 port);
	assert_int_equal(
	    td_evidence_add(&ev, n, url, td_evidence_profile("desktop")), 0);
	snprintf(url, sizeof(url), "http://www.phish.test:%s/fault/stall",
		 port);
	assert_int_equal(
	    td_evidence_add(&ev, n, url, td_evidence_profile("desktop")), 0);
	snprintf(url, sizeof(url), "http://echo.test:%s/manyheaders",
		 need("TD_TEST_ECHO_PORT"));
	assert_int_equal(
	    td_evidence_add(&ev, n, url, td_evidence_profile("desktop")), 0);
	snprintf(url, sizeof(url), "http://www.phish.test:%s/fault/429/1",
		 port);
	assert_int_equal(
	    td_evidence_add(&ev, n, url, td_evidence_profile("desktop")), 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(td_net_run(n), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	/* 100 MB bodies are cut at 1000 bytes, kept and marked */
	for (i = 0; i < 2; i++) {
		c = ev.items[i];
		assert_int_equal(c->status, TD_NET_OK);
		assert_int_equal(c->code, 200);
		assert_int_equal(c->len, 1000);
		assert_true(c->truncated);
		assert_non_null(c->body_path);
	}
	/* a server that never answers: the fetch's own deadline */
	c = ev.items[2];
	assert_int_equal(c->status, TD_NET_TIMEOUT);
	assert_int_equal(c->nr_hops, 1);
	assert_int_equal(c->hops[0].code, 0);
	assert_string_equal(c->hops[0].ip, "127.0.0.1"); /* connected */
	printf("# stall: %s\n", c->error);
	assert_true(ms < 2500);
	/* 501 header lines: 100 kept, the 10 kB one cut at 8 KiB */
	c = ev.items[3];
	assert_int_equal(c->status, TD_NET_OK);
	assert_int_equal(c->last->nr_headers, TD_HTTP_HOP_MAX_HEADERS);
	assert_true(c->last->headers_dropped >= 400);
	assert_non_null(header(c->last, "X-Long"));
	assert_int_equal(strlen(header(c->last, "X-Long")), 8192);
	/* a 429 is what was served: kept, not retried */
	c = ev.items[4];
	assert_int_equal(c->status, TD_NET_OK);
	assert_int_equal(c->code, 429);
	assert_int_equal(c->nr_hops, 1);
	assert_string_equal(header(c->last, "Retry-After"), "1");
	td_net_stats(n, &st);
	assert_int_equal(st.retried, 0);
	td_evidence_release(&ev);
	td_net_free(n);
}

/* ---- refusals ---- */

/*
 * Without allow_loopback, every spelling of the loopback server's own
 * address and every name of a private address is refused: not one
 * transfer starts, and the server never sees the path.
 */
static void
live_refused_without_exemption(void **state)
{
	static const char *const fmt[] = {
	    "http://127.0.0.1:{P}/refused/a",
	    "http://2130706433:{P}/refused/b",
	    "http://0177.0.0.1:{P}/refused/c",
	    "http://0x7f.1:{P}/refused/d",
	    "http://0x7f000001:{P}/refused/e",
	    "http://[::ffff:127.0.0.1]:{P}/refused/f",
	    "http://[::1]:{P}/refused/g",
	    "http://loop.phish.test:{P}/refused/h",
	    "http://private.phish.test:{P}/refused/i",
	    "http://rfc1918.phish.test:{P}/refused/j",
	    "http://home.phish.test:{P}/refused/k",
	    "http://cgnat.phish.test:{P}/refused/l",
	    "http://linklocal.phish.test:{P}/refused/m",
	    "http://zero.phish.test:{P}/refused/n",
	    "http://ula.phish.test:{P}/refused/o",
	    "http://ll6.phish.test:{P}/refused/p",
	    "http://v6loop.phish.test:{P}/refused/q",
	    "http://mapped.phish.test:{P}/refused/r",
	    "gopher://127.0.0.1:{P}/_refused/s",
	    "ftp://www.phish.test:{P}/refused/t",
	    "file://localhost/etc/passwd?{P}",
	};
	struct td_evidence_opts o = TD_EVIDENCE_OPTS_INIT;
	struct td_evidence ev;
	struct td_net *n = new_net(0, NULL, 0);
	struct td_net_stats st;
	char url[128];
	size_t i, nr = sizeof(fmt) / sizeof(fmt[0]);

	ev_init(&ev, &o);
	for (i = 0; i < nr; i++) {
		with_port(url, sizeof(url), fmt[i], need("TD_TEST_HTTP_PORT"));
		assert_int_equal(
		    td_evidence_add(&ev, n, url,
				    td_evidence_profile("desktop")),
		    0);
	}
	assert_int_equal(td_net_run(n), 0);
	for (i = 0; i < nr; i++) {
		const struct td_evidence_capture *c = ev.items[i];

		printf("# %s: %s\n", c->url, c->error ? c->error : "ok");
		if (c->status != TD_NET_REFUSED)
			fail_msg("%s: %s (%s)", c->url,
				 td_net_status_name(c->status),
				 c->error ? c->error : "");
		assert_int_equal(c->code, 0);
		assert_null(c->body_path);
		if (!strncmp(c->url, "http://", 7) &&
		    strstr(c->url, ".phish.test"))
			assert_non_null(
			    strstr(c->error, "resolves to no public address"));
	}
	td_net_stats(n, &st);
	assert_int_equal(st.http, 0);
	assert_true(st.dns > 0); /* the names were resolved, by dnsmasq */
	assert_false(log_has("TD_TEST_HTTP_LOG", "\"/refused/"));
	td_evidence_release(&ev);
	td_net_free(n);
}

/*
 * Redirects to private addresses from the loopback server: with
 * nonpublic_first_hop_only, allow_loopback covers the first hop and
 * every redirect meets the rule a public deployment has.  Each is
 * refused after the 302 and before any connection; the controls show
 * the same redirects followed when the exemption covers every hop.
 */
static void
live_redirect_to_private_refused(void **state)
{
	static const char *const fmt[] = {
	    "http://10.0.0.1/",
	    "http://172.16.0.1/",
	    "http://192.168.1.1/",
	    "http://169.254.169.254/latest/meta-data/",
	    "http://100.64.0.1/",
	    "http://0.0.0.0:{P}/refused/z",
	    "http://127.0.0.1:{P}/refused/1",
	    "http://[::1]:{P}/refused/2",
	    "http://[::ffff:127.0.0.1]:{P}/refused/3",
	    "http://[fd00::1]/",
	    "http://[fe80::1]/",
	    "http://2130706433:{P}/refused/4",
	    "http://0177.0.0.1:{P}/refused/5",
	    "http://0x7f.1:{P}/refused/6",
	    "http://loop.phish.test:{P}/refused/7",
	    "http://private.phish.test:{P}/refused/8",
	    "http://ula.phish.test:{P}/refused/9",
	    "file:///etc/passwd",
	    "ftp://127.0.0.1:{P}/refused/10",
	    "gopher://127.0.0.1:{P}/_refused/11",
	};
	struct td_evidence_opts o = TD_EVIDENCE_OPTS_INIT;
	struct td_evidence ev, ctl;
	struct td_net *n = new_net(1, NULL, 3000);
	const char *port = need("TD_TEST_HTTP_PORT");
	char target[128], page[128];
	char *urls[sizeof(fmt) / sizeof(fmt[0])];
	size_t i, nr = sizeof(fmt) / sizeof(fmt[0]);

	o.nonpublic_first_hop_only = 1;
	ev_init(&ev, &o);
	for (i = 0; i < nr; i++) {
		with_port(target, sizeof(target), fmt[i], port);
		urls[i] = redirect_url("www.phish.test", target);
		assert_int_equal(
		    td_evidence_add(&ev, n, urls[i],
				    td_evidence_profile("desktop")),
		    0);
	}
	assert_int_equal(td_net_run(n), 0);
	for (i = 0; i < nr; i++) {
		const struct td_evidence_capture *c = ev.items[i];

		printf("# -> %s: %s\n", c->nr_hops > 1 ? c->hops[1].url : "?",
		       c->error ? c->error : "ok");
		if (c->status != TD_NET_REFUSED)
			fail_msg("%s: %s (%s)", c->url,
				 td_net_status_name(c->status),
				 c->error ? c->error : "");
		assert_int_equal(c->nr_hops, 2);
		assert_int_equal(c->hops[0].code, 302);
		assert_string_equal(c->hops[0].ip, "127.0.0.1");
		assert_non_null(c->hops[0].location);
		assert_int_equal(c->hops[1].code, 0);
		assert_string_equal(c->hops[1].ip, "");
		assert_ptr_equal(c->last, &c->hops[0]);
		assert_null(c->body_path);
		free(urls[i]);
	}
	/* the first hops reached the server; not one redirect did */
	assert_true(log_has("TD_TEST_HTTP_LOG", "/fault/redirect-to/"));
	assert_false(log_has("TD_TEST_HTTP_LOG", "\"/refused/"));

	/* controls: the exemption on every hop follows the same kind */
	o.nonpublic_first_hop_only = 0;
	ev_init(&ctl, &o);
	snprintf(page, sizeof(page),
		 "http://0x7f.1:%s/ahouf/algonquincollege.html", port);
	urls[0] = redirect_url("www.phish.test", page);
	snprintf(page, sizeof(page),
		 "http://loop.phish.test:%s/ahouf/algonquincollege.html", port);
	urls[1] = redirect_url("www.phish.test", page);
	for (i = 0; i < 2; i++)
		assert_int_equal(
		    td_evidence_add(&ctl, n, urls[i],
				    td_evidence_profile("desktop")),
		    0);
	assert_int_equal(td_net_run(n), 0);
	for (i = 0; i < 2; i++) {
		const struct td_evidence_capture *c = ctl.items[i];

		if (c->status != TD_NET_OK)
			fail_msg("control %s: %s", c->url, c->error);
		assert_int_equal(c->nr_hops, 2);
		assert_int_equal(c->code, 200);
		assert_string_equal(c->hops[1].ip, "127.0.0.1");
		assert_int_equal(c->page.passwords, 1);
		free(urls[i]);
	}
	/* curl's parser made the hex form the dotted quad */
	assert_non_null(strstr(ctl.items[0]->final_url, "127.0.0.1"));
	td_evidence_release(&ev);
	td_evidence_release(&ctl);
	td_net_free(n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(live_recorded_page),
	    cmocka_unit_test(live_redirect_chain),
	    cmocka_unit_test(live_tls_certificate),
	    cmocka_unit_test(live_profiles_and_cloaking),
	    cmocka_unit_test(live_bounds),
	    cmocka_unit_test(live_refused_without_exemption),
	    cmocka_unit_test(live_redirect_to_private_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
