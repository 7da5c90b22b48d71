#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence.h"
#include "hash.h"
#include "liveness.h"
#include "banned.h"

static const char *
top(void)
{
	const char *t = getenv("TD_TOP");

	return t ? t : ".";
}

static char *
slurp(const char *rel, size_t *len)
{
	char path[1024];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", top(), rel);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("%s: cannot open", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* A fetch of a fixture page as the evidence module would describe it. */
struct page {
	char *body;
	size_t len;
	char sha[65];
	struct td_evidence_page scan;
	struct td_live_fetch f;
};

static void
page_load(struct page *p, const char *rel, long code)
{
	memset(p, 0, sizeof(*p));
	p->body = slurp(rel, &p->len);
	td_sha256_hex(p->sha, p->body, p->len);
	assert_int_equal(td_evidence_page_scan(&p->scan, p->body, p->len,
					       "http://phish.example/login"),
			 0);
	p->f.profile = "desktop";
	p->f.status = TD_NET_OK;
	p->f.code = code;
	p->f.body = p->body;
	p->f.len = p->len;
	p->f.title = p->scan.title;
	p->f.sha256 = p->sha;
	p->f.passwords = p->scan.passwords;
	p->f.forms = p->scan.nr_forms;
}

static void
page_release(struct page *p)
{
	td_evidence_page_release(&p->scan);
	free(p->body);
}

static enum td_live
judge_page(const char *rel, long code, const struct td_live_host *h, char *why,
	   size_t why_len)
{
	struct page p;
	struct td_live_obs o;

	page_load(&p, rel, code);
	td_live_judge(&o, h, &p.f, NULL);
	if (why)
		snprintf(why, why_len, "%s", o.why);
	page_release(&p);
	return o.verdict;
}

#define DOWN "tests/servers/data/pages/down/"
#define PHISH "tests/servers/data/pages/ahouf/algonquincollege.html"

static void
liveness_data_has_no_bad_line(void **state)
{
	struct td_error err = {0, ""};
	size_t n = 0;

	(void)state;
	if (td_live_check_data(&n, &err) < 0)
		fail_msg("%s", err.msg);
	assert_true(n >= 30);
}

static void
liveness_names_round_trip(void **state)
{
	int v;

	(void)state;
	for (v = 0; v < TD_LIVE_NR; v++)
		assert_int_equal(td_live_parse(td_live_name((enum td_live)v)),
				 v);
	assert_int_equal(td_live_parse("down"), -1);
	assert_null(td_live_name(TD_LIVE_NR));
	assert_false(td_live_is_down(TD_LIVE_UP));
	assert_false(td_live_is_down(TD_LIVE_FAILED));
	assert_true(td_live_is_down(TD_LIVE_UNREACHABLE));
	assert_int_equal(td_live_mitigation(TD_LIVE_CONTENT_REMOVED),
			 TD_MIT_CONTENT_REMOVED);
	assert_int_equal(td_live_mitigation(TD_LIVE_DNS_REMOVED),
			 TD_MIT_DNS_REMOVED);
	assert_int_equal(td_live_mitigation(TD_LIVE_CDN_BLOCKED),
			 TD_MIT_CDN_BLOCKED);
	assert_int_equal(td_live_mitigation(TD_LIVE_SUSPENDED),
			 TD_MIT_SUSPENDED);
	assert_int_equal(td_live_mitigation(TD_LIVE_CLEANED), TD_MIT_CLEANED);
	assert_int_equal(td_live_mitigation(TD_LIVE_PARKED), TD_MIT_OTHER);
	assert_int_equal(td_live_mitigation(TD_LIVE_UP), TD_MIT_NONE);
}

static void
liveness_cloudflare_error_pages_are_cdn_blocked(void **state)
{
	char why[TD_LIVE_WHY];

	(void)state;
	assert_int_equal(judge_page(DOWN "cloudflare-1000.html", 403, NULL, why,
				    sizeof(why)),
			 TD_LIVE_CDN_BLOCKED);
	assert_non_null(strstr(why, "1000"));
	assert_int_equal(judge_page(DOWN "cloudflare-1001.html", 530, NULL, why,
				    sizeof(why)),
			 TD_LIVE_CDN_BLOCKED);
	assert_non_null(strstr(why, "1001"));
	assert_int_equal(judge_page(DOWN "cloudflare-1016.html", 530, NULL, why,
				    sizeof(why)),
			 TD_LIVE_CDN_BLOCKED);
	assert_non_null(strstr(why, "1016"));
	assert_non_null(strstr(why, "HTTP 530"));
	assert_int_equal(judge_page(DOWN "cloudflare-phishing.html", 200, NULL,
				    why, sizeof(why)),
			 TD_LIVE_CDN_BLOCKED);
	assert_non_null(strstr(why, "Suspected phishing"));
}

static void
liveness_plain_text_cloudflare_error_is_cdn_blocked(void **state)
{
	struct td_live_fetch f;
	struct td_live_obs o;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.status = TD_NET_OK;
	f.code = 530;
	f.body = "error code: 1016";
	f.len = strlen(f.body);
	td_live_judge(&o, NULL, &f, NULL);
	assert_int_equal(o.verdict, TD_LIVE_CDN_BLOCKED);
	/* the same text with another status is not the CDN's page */
	f.code = 200;
	td_live_judge(&o, NULL, &f, NULL);
	assert_int_equal(o.verdict, TD_LIVE_UP);
}

static void
liveness_cpanel_suspended_page_is_suspended(void **state)
{
	(void)state;
	assert_int_equal(
	    judge_page(DOWN "cpanel-suspended.html", 200, NULL, NULL, 0),
	    TD_LIVE_SUSPENDED);
	/* also when the host answers it with an error status */
	assert_int_equal(
	    judge_page(DOWN "cpanel-suspended.html", 503, NULL, NULL, 0),
	    TD_LIVE_SUSPENDED);
}

static void
liveness_parking_page_is_parked_or_dns_removed(void **state)
{
	const char *ns[] = {"NS1.SEDOPARKING.COM.", "ns2.sedoparking.com"};
	const char *ns_own[] = {"ns1.phish-host.example"};
	struct td_live_host h;
	char why[TD_LIVE_WHY];

	(void)state;
	memset(&h, 0, sizeof(h));
	h.dns = TD_NET_OK;
	h.ns = ns_own;
	h.nr_ns = 1;
	assert_int_equal(judge_page(DOWN "parking.html", 200, &h, NULL, 0),
			 TD_LIVE_PARKED);
	assert_int_equal(td_live_mitigation(TD_LIVE_PARKED), TD_MIT_OTHER);
	h.ns = ns;
	h.nr_ns = 2;
	assert_int_equal(
	    judge_page(DOWN "parking.html", 200, &h, why, sizeof(why)),
	    TD_LIVE_DNS_REMOVED);
	assert_non_null(strstr(why, "sedoparking.com"));
}

static void
liveness_phishing_page_is_up(void **state)
{
	struct page p;
	struct td_live_base b;
	struct td_live_obs o;

	(void)state;
	page_load(&p, PHISH, 200);
	assert_true(p.f.passwords > 0);
	memset(&b, 0, sizeof(b));
	td_live_judge(&o, NULL, &p.f, &b);
	assert_int_equal(o.verdict, TD_LIVE_UP);
	assert_non_null(strstr(o.why, "no earlier page"));
	b.known = 1;
	b.sha256 = p.sha;
	b.title = p.scan.title;
	b.passwords = p.scan.passwords;
	b.forms = p.scan.nr_forms;
	td_live_judge(&o, NULL, &p.f, &b);
	assert_int_equal(o.verdict, TD_LIVE_UP);
	assert_non_null(strstr(o.why, "same page"));
	page_release(&p);
}

static void
liveness_form_gone_is_cleaned(void **state)
{
	struct page phish, clean;
	struct td_live_base b;
	struct td_live_obs o;

	(void)state;
	page_load(&phish, PHISH, 200);
	/* the owner's own page back in place: no password field */
	page_load(&clean, DOWN "parking.html", 200);
	memset(&b, 0, sizeof(b));
	b.known = 1;
	b.sha256 = phish.sha;
	b.title = phish.scan.title;
	b.passwords = phish.scan.passwords;
	b.forms = phish.scan.nr_forms;
	clean.f.body = "<html><title>Welcome to our bakery</title>"
		       "<p>Fresh bread every morning.</p></html>";
	clean.f.len = strlen(clean.f.body);
	clean.f.title = "Welcome to our bakery";
	clean.f.passwords = 0;
	clean.f.forms = 0;
	clean.f.sha256 = "0000000000000000000000000000000000000000000000000"
			 "000000000000000";
	td_live_judge(&o, NULL, &clean.f, &b);
	assert_int_equal(o.verdict, TD_LIVE_CLEANED);
	assert_non_null(strstr(o.why, "no password field"));
	/* same title, other body, still no password: cleaned */
	clean.f.title = phish.scan.title;
	td_live_judge(&o, NULL, &clean.f, &b);
	assert_int_equal(o.verdict, TD_LIVE_CLEANED);
	/* the password field is back on a changed page: up */
	clean.f.passwords = 1;
	td_live_judge(&o, NULL, &clean.f, &b);
	assert_int_equal(o.verdict, TD_LIVE_UP);
	page_release(&phish);
	page_release(&clean);
}

static void
liveness_http_status_rules(void **state)
{
	struct td_live_fetch f;
	struct td_live_obs o;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.status = TD_NET_OK;
	f.body = "<html><title>Not Found</title></html>";
	f.len = strlen(f.body);
	f.code = 404;
	td_live_judge(&o, NULL, &f, NULL);
	assert_int_equal(o.verdict, TD_LIVE_CONTENT_REMOVED);
	f.code = 410;
	td_live_judge(&o, NULL, &f, NULL);
	assert_int_equal(o.verdict, TD_LIVE_CONTENT_REMOVED);
	/* kits answer 403 or 500 to clients they hide from: not down */
	f.code = 403;
	td_live_judge(&o, NULL, &f, NULL);
	assert_int_equal(o.verdict, TD_LIVE_UP);
	f.code = 500;
	td_live_judge(&o, NULL, &f, NULL);
	assert_int_equal(o.verdict, TD_LIVE_UP);
	/* refused or reset: unreachable; timeout: no conclusion */
	memset(&f, 0, sizeof(f));
	f.status = TD_NET_REFUSED;
	f.error = "Connection refused";
	td_live_judge(&o, NULL, &f, NULL);
	assert_int_equal(o.verdict, TD_LIVE_UNREACHABLE);
	f.status = TD_NET_TIMEOUT;
	f.error = "deadline passed";
	td_live_judge(&o, NULL, &f, NULL);
	assert_int_equal(o.verdict, TD_LIVE_FAILED);
	f.status = TD_NET_NXDOMAIN;
	td_live_judge(&o, NULL, &f, NULL);
	assert_int_equal(o.verdict, TD_LIVE_DNS_REMOVED);
}

static void
liveness_host_rules(void **state)
{
	struct td_live_host h;
	struct td_live_obs o;
	const char *ip_sink[] = {"203.0.113.9", "87.106.250.34"};
	const char *ip_null[] = {"0.0.0.0"};
	const char *ip6_null[] = {"::"};
	const char *ip_ok[] = {"74.125.225.229", "2001:db8::1"};
	const char *ns_sink[] = {"b66.microsoftinternetsafety.net."};
	const char *ns_near[] = {"ns1.notmicrosoftinternetsafety.net"};
	const char *hold[] = {"client transfer prohibited", "client hold"};
	const char *hold2[] = {"pendingDelete"};
	const char *hold3[] = {"redemption period"};
	const char *hold4[] = {"serverHold"};
	const char *hold5[] = {"inactive"};
	const char *fine[] = {"active", "client transfer prohibited",
			      "server delete prohibited"};
	struct td_live_fetch f;

	(void)state;
	memset(&h, 0, sizeof(h));
	h.dns = TD_NET_NXDOMAIN;
	td_live_judge_host(&o, &h);
	assert_int_equal(o.verdict, TD_LIVE_DNS_REMOVED);
	assert_non_null(strstr(o.why, "NXDOMAIN"));

	h.dns = TD_NET_OK;
	h.ips = ip_sink;
	h.nr_ips = 2;
	td_live_judge_host(&o, &h);
	assert_int_equal(o.verdict, TD_LIVE_DNS_REMOVED);
	assert_non_null(strstr(o.why, "Shadowserver"));
	h.ips = ip_null;
	h.nr_ips = 1;
	td_live_judge_host(&o, &h);
	assert_int_equal(o.verdict, TD_LIVE_DNS_REMOVED);
	h.ips = ip6_null;
	td_live_judge_host(&o, &h);
	assert_int_equal(o.verdict, TD_LIVE_DNS_REMOVED);
	h.ips = ip_ok;
	h.nr_ips = 2;
	td_live_judge_host(&o, &h);
	assert_int_equal(o.verdict, TD_LIVE_UP);

	h.ns = ns_sink;
	h.nr_ns = 1;
	td_live_judge_host(&o, &h);
	assert_int_equal(o.verdict, TD_LIVE_DNS_REMOVED);
	assert_non_null(strstr(o.why, "Microsoft"));
	h.ns = ns_near;
	td_live_judge_host(&o, &h);
	assert_int_equal(o.verdict, TD_LIVE_UP);
	h.nr_ns = 0;

	h.statuses = hold;
	h.nr_statuses = 2;
	td_live_judge_host(&o, &h);
	assert_int_equal(o.verdict, TD_LIVE_DNS_REMOVED);
	assert_non_null(strstr(o.why, "clientHold"));
	h.statuses = hold2;
	h.nr_statuses = 1;
	td_live_judge_host(&o, &h);
	assert_int_equal(o.verdict, TD_LIVE_DNS_REMOVED);
	h.statuses = hold3;
	td_live_judge_host(&o, &h);
	assert_int_equal(o.verdict, TD_LIVE_DNS_REMOVED);
	h.statuses = hold4;
	td_live_judge_host(&o, &h);
	assert_int_equal(o.verdict, TD_LIVE_DNS_REMOVED);
	h.statuses = hold5;
	td_live_judge_host(&o, &h);
	assert_int_equal(o.verdict, TD_LIVE_DNS_REMOVED);
	h.statuses = fine;
	h.nr_statuses = 3;
	td_live_judge_host(&o, &h);
	assert_int_equal(o.verdict, TD_LIVE_UP);

	/* a host-level removal wins over a page still served (a cache, a
	   hosts file, --connect-to) */
	h.statuses = hold;
	h.nr_statuses = 2;
	memset(&f, 0, sizeof(f));
	f.status = TD_NET_OK;
	f.code = 200;
	td_live_judge(&o, &h, &f, NULL);
	assert_int_equal(o.verdict, TD_LIVE_DNS_REMOVED);

	/* DNS that does not answer says nothing */
	memset(&h, 0, sizeof(h));
	h.dns = TD_NET_SERVFAIL;
	td_live_judge_host(&o, &h);
	assert_int_equal(o.verdict, TD_LIVE_FAILED);
}

static void
obs(struct td_live_obs *o, enum td_live v)
{
	memset(o, 0, sizeof(*o));
	o->verdict = v;
}

static void
liveness_cloaking_needs_every_client(void **state)
{
	struct td_live_obs v[3];
	int dis = -1;

	(void)state;
	/* only the script client gets a 404 */
	obs(&v[0], TD_LIVE_UP);
	obs(&v[1], TD_LIVE_UP);
	obs(&v[2], TD_LIVE_CONTENT_REMOVED);
	assert_int_equal(td_live_combine(v, 3, &dis), TD_LIVE_UP);
	assert_int_equal(dis, 1);
	/* every client: down */
	obs(&v[0], TD_LIVE_CONTENT_REMOVED);
	obs(&v[1], TD_LIVE_CONTENT_REMOVED);
	assert_int_equal(td_live_combine(v, 3, &dis), TD_LIVE_CONTENT_REMOVED);
	assert_int_equal(dis, 0);
	/* one client without an answer: no conclusion */
	obs(&v[1], TD_LIVE_FAILED);
	assert_int_equal(td_live_combine(v, 3, &dis), TD_LIVE_FAILED);
	/* ... unless another saw it up */
	obs(&v[0], TD_LIVE_UP);
	assert_int_equal(td_live_combine(v, 3, NULL), TD_LIVE_UP);
	/* all down, different kinds: down, the strongest kind */
	obs(&v[0], TD_LIVE_UNREACHABLE);
	obs(&v[1], TD_LIVE_DNS_REMOVED);
	obs(&v[2], TD_LIVE_CONTENT_REMOVED);
	assert_int_equal(td_live_combine(v, 3, &dis), TD_LIVE_DNS_REMOVED);
	assert_int_equal(dis, 1);
	assert_int_equal(td_live_combine(v, 0, &dis), TD_LIVE_FAILED);
}

static void
liveness_down_is_confirmed_after_the_delay(void **state)
{
	const long long now = 1790010000, hour = 3600;
	struct td_live_past p[4];
	long long since = 0;

	(void)state;
	/* first sighting: unconfirmed, since now */
	assert_false(td_live_confirmed(&since, NULL, 0, TD_LIVE_CONTENT_REMOVED,
				       now, hour));
	assert_int_equal(since, now);
	/* a second sighting one second too early */
	p[0].at = now - hour + 1;
	p[0].verdict = TD_LIVE_CONTENT_REMOVED;
	assert_false(td_live_confirmed(&since, p, 1, TD_LIVE_CONTENT_REMOVED,
				       now, hour));
	assert_int_equal(since, now - hour + 1);
	/* exactly the delay apart */
	p[0].at = now - hour;
	assert_true(td_live_confirmed(&since, p, 1, TD_LIVE_CONTENT_REMOVED,
				      now, hour));
	assert_int_equal(since, now - hour);
	/* another kind of down is another verdict: starts again */
	assert_false(
	    td_live_confirmed(&since, p, 1, TD_LIVE_DNS_REMOVED, now, hour));
	assert_int_equal(since, now);
	/* up in between: the kit came back, the run starts after it */
	p[0].at = now - 3 * hour;
	p[0].verdict = TD_LIVE_CONTENT_REMOVED;
	p[1].at = now - 2 * hour;
	p[1].verdict = TD_LIVE_UP;
	p[2].at = now - hour / 2;
	p[2].verdict = TD_LIVE_CONTENT_REMOVED;
	assert_false(td_live_confirmed(&since, p, 3, TD_LIVE_CONTENT_REMOVED,
				       now, hour));
	assert_int_equal(since, now - hour / 2);
	/* a failed check says nothing: skipped, not a break */
	p[1].verdict = TD_LIVE_FAILED;
	assert_true(td_live_confirmed(&since, p, 3, TD_LIVE_CONTENT_REMOVED,
				      now, hour));
	assert_int_equal(since, now - 3 * hour);
	/* up is never "confirmed" */
	p[0].verdict = p[2].verdict = TD_LIVE_UP;
	assert_false(td_live_confirmed(&since, p, 3, TD_LIVE_UP, now, hour));
	/* a delay of 0: still two checks */
	assert_false(
	    td_live_confirmed(&since, NULL, 0, TD_LIVE_SUSPENDED, now, 0));
	p[0].at = now;
	p[0].verdict = TD_LIVE_SUSPENDED;
	assert_false(
	    td_live_confirmed(&since, p, 1, TD_LIVE_SUSPENDED, now, 0));
	p[0].at = now - 1;
	assert_true(td_live_confirmed(&since, p, 1, TD_LIVE_SUSPENDED, now, 0));
}

static void
liveness_detail_is_read_back(void **state)
{
	const char *d =
	    "content-removed unconfirmed since "
	    "2026-09-21T12:00:00Z\n"
	    "url content-removed http://a.example/x\n"
	    "  desktop content-removed: HTTP 404: the page is gone\n"
	    "url up http://a.example/x?y=1\n"
	    "  desktop up: HTTP 200\n";

	(void)state;
	assert_int_equal(td_live_detail_verdict(d), TD_LIVE_CONTENT_REMOVED);
	assert_int_equal(td_live_detail_verdict("up\n"), TD_LIVE_UP);
	assert_int_equal(td_live_detail_verdict("nonsense here"), -1);
	assert_int_equal(td_live_detail_verdict(NULL), -1);
	assert_int_equal(td_live_detail_url(d, "http://a.example/x"),
			 TD_LIVE_CONTENT_REMOVED);
	assert_int_equal(td_live_detail_url(d, "http://a.example/x?y=1"),
			 TD_LIVE_UP);
	assert_int_equal(td_live_detail_url(d, "http://a.example/"), -1);
}

static void
liveness_hostile_body_is_bounded(void **state)
{
	size_t n = 8u << 20, i;
	char *big = malloc(n);
	struct td_live_fetch f;
	struct td_live_obs o;

	(void)state;
	assert_non_null(big);
	for (i = 0; i < n; i++)
		big[i] = (char)(i % 251); /* NUL bytes, no pattern */
	memset(&f, 0, sizeof(f));
	f.status = TD_NET_OK;
	f.code = 200;
	f.body = big;
	f.len = n;
	td_live_judge(&o, NULL, &f, NULL);
	assert_int_equal(o.verdict, TD_LIVE_UP);
	/* a pattern past the first MiB is not read */
	memcpy(big + (2u << 20), "This Account has been suspended", 31);
	td_live_judge(&o, NULL, &f, NULL);
	assert_int_equal(o.verdict, TD_LIVE_UP);
	memcpy(big + 100, "This Account has been suspended", 31);
	td_live_judge(&o, NULL, &f, NULL);
	assert_int_equal(o.verdict, TD_LIVE_SUSPENDED);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(liveness_data_has_no_bad_line),
	    cmocka_unit_test(liveness_names_round_trip),
	    cmocka_unit_test(liveness_cloudflare_error_pages_are_cdn_blocked),
	    cmocka_unit_test(
		liveness_plain_text_cloudflare_error_is_cdn_blocked),
	    cmocka_unit_test(liveness_cpanel_suspended_page_is_suspended),
	    cmocka_unit_test(liveness_parking_page_is_parked_or_dns_removed),
	    cmocka_unit_test(liveness_phishing_page_is_up),
	    cmocka_unit_test(liveness_form_gone_is_cleaned),
	    cmocka_unit_test(liveness_http_status_rules),
	    cmocka_unit_test(liveness_host_rules),
	    cmocka_unit_test(liveness_cloaking_needs_every_client),
	    cmocka_unit_test(liveness_down_is_confirmed_after_the_delay),
	    cmocka_unit_test(liveness_detail_is_read_back),
	    cmocka_unit_test(liveness_hostile_body_is_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
