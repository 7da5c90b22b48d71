#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "caseview.h"
#include "store.h"

static void
age_units_are_parsed(void **state)
{
	long long v = -1;

	(void)state;
	assert_int_equal(td_caseview_parse_age(&v, "2d"), 0);
	assert_int_equal(v, 2 * 86400);
	assert_int_equal(td_caseview_parse_age(&v, "48h"), 0);
	assert_int_equal(v, 48 * 3600);
	assert_int_equal(td_caseview_parse_age(&v, "90m"), 0);
	assert_int_equal(v, 90 * 60);
	assert_int_equal(td_caseview_parse_age(&v, "30s"), 0);
	assert_int_equal(v, 30);
	assert_int_equal(td_caseview_parse_age(&v, "3w"), 0);
	assert_int_equal(v, 3 * 7 * 86400);
	assert_int_equal(td_caseview_parse_age(&v, "0h"), 0);
	assert_int_equal(v, 0);
}

static void
age_malformed_is_refused(void **state)
{
	static const char *const bad[] = {
	    "",	     "d",  "2",	 "2dd",	 "-2d", "+2d",	" 2d",
	    "2d ",   "2D", "2y", "1.5h", "2 d", "0x2d", "99999999999999999999d",
	    "5300w", /* over 100 years */
	};
	long long v = 42;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(td_caseview_parse_age(&v, bad[i]), TD_EINVAL);
		assert_int_equal(v, 42);
	}
	assert_int_equal(td_caseview_parse_age(&v, NULL), TD_EINVAL);
	/* the largest accepted: 100 years of 366 days */
	assert_int_equal(td_caseview_parse_age(&v, "36600d"), 0);
	assert_int_equal(td_caseview_parse_age(&v, "36601d"), TD_EINVAL);
}

static void
age_is_shown_in_whole_units(void **state)
{
	static const struct {
		long long secs;
		const char *want;
	} t[] = {
	    {0, "0s"},	       {59, "59s"},	      {60, "1m"},
	    {3599, "59m"},     {3600, "1h"},	      {47 * 3600 + 59, "47h"},
	    {48 * 3600, "2d"}, {400 * 86400, "400d"}, {-5, "-"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct td_buf b = TD_BUF_INIT;

		assert_int_equal(td_caseview_age(&b, t[i].secs), 0);
		assert_string_equal(b.ptr, t[i].want);
		td_buf_release(&b);
	}
}

static void
time_is_utc(void **state)
{
	struct td_buf b = TD_BUF_INIT;

	(void)state;
	td_caseview_time(&b, 1790000000);
	assert_string_equal(b.ptr, "2026-09-21 14:13:20Z");
	td_buf_reset(&b);
	td_caseview_time(&b, 0);
	assert_string_equal(b.ptr, "-");
	td_buf_release(&b);
}

static void
csv(const char *in, size_t len, const char *want)
{
	struct td_buf b = TD_BUF_INIT;

	assert_int_equal(td_csv_cell(&b, in, len), 0);
	assert_string_equal(b.ptr, want);
	td_buf_release(&b);
}

static void
csv_quotes_per_rfc4180(void **state)
{
	(void)state;
	csv("plain", 5, "plain");
	csv("", 0, "");
	csv("a,b", 3, "\"a,b\"");
	csv("say \"hi\"", 8, "\"say \"\"hi\"\"\"");
	csv("two\r\nlines", 10, "\"two\r\nlines\"");
	csv("line\nfeed", 9, "\"line\nfeed\"");
	csv(" lead", 5, "\" lead\"");
	csv("https://x.example/?a=1&b=2", 26, "https://x.example/?a=1&b=2");
	/* NULL: an empty field */
	csv(NULL, 0, "");
}

static void
csv_formulas_are_made_inert(void **state)
{
	(void)state;
	csv("=HYPERLINK(\"http://evil\")", 25,
	    "\"'=HYPERLINK(\"\"http://evil\"\")\"");
	csv("=1+2", 4, "'=1+2");
	csv("+cmd|' /C calc'!A0", 18, "'+cmd|' /C calc'!A0");
	csv("-2+3", 4, "'-2+3");
	csv("@SUM(A1)", 8, "'@SUM(A1)");
	csv("\t=1", 3, "'\t=1");
	csv("\r=1", 3, "\"'\r=1\"");
	/* only the first character counts */
	csv("a=1", 3, "a=1");
	csv("http://x/=1", 11, "http://x/=1");
}

static void
csv_bad_bytes_are_cleaned(void **state)
{
	(void)state;
	/* invalid UTF-8 -> U+FFFD; NUL dropped; good UTF-8 kept */
	csv("a\xff"
	    "b",
	    3,
	    "a\xef\xbf\xbd"
	    "b");
	csv("a\0b", 3, "ab");
	csv("caf\xc3\xa9", 5, "caf\xc3\xa9");
}

static void
short_name(const char *in, size_t max, const char *want)
{
	struct td_buf b = TD_BUF_INIT;

	assert_int_equal(td_caseview_short_name(&b, in, max), 0);
	assert_string_equal(b.ptr, want);
	td_buf_release(&b);
}

static void
short_names_drop_company_forms(void **state)
{
	(void)state;
	short_name("NameCheap, Inc.", 24, "NameCheap");
	short_name("GoDaddy.com, LLC", 24, "GoDaddy.com");
	short_name("Cloudflare", 24, "Cloudflare");
	short_name("Hetzner Online GmbH", 24, "Hetzner Online");
	short_name("OVH SAS", 24, "OVH");
	short_name("Tucows Domains Inc.", 24, "Tucows Domains");
	short_name("Amazon Technologies Inc. (AWS)", 24, "Amazon Technologies");
	short_name("A very long provider name that goes on", 16,
		   "A very long p...");
	/* escaped: an ESC from a record never reaches the terminal */
	short_name("Evil\x1b[2J Host", 24, "Evil\\x1b[2J Host");
	short_name("Inc.", 24, "Inc");
	short_name(NULL, 24, "-");
}

static void
filter_words_become_a_store_filter(void **state)
{
	const char *states[] = {"reported", "needs-info"};
	const char *kinds[] = {"malicious"};
	struct td_caseview_query q;
	struct td_store_filter f;
	struct td_error err = {0, ""};

	(void)state;
	memset(&q, 0, sizeof(q));
	assert_int_equal(td_caseview_filter(&f, &q, 1000000, &err), 0);
	/* default: everything but closed */
	assert_int_equal(f.states,
			 ((1u << TD_STATE_NR) - 1) & ~(1u << TD_STATE_CLOSED));
	q.all = 1;
	assert_int_equal(td_caseview_filter(&f, &q, 1000000, &err), 0);
	assert_int_equal(f.states, 0);

	q.states = states;
	q.nr_states = 2;
	q.kinds = kinds;
	q.nr_kinds = 1;
	q.registrar = "NameCheap, Inc.";
	q.older_than = "2d";
	q.newer_than = "3w";
	q.label = "bank";
	q.domain = "evil.example";
	q.escalated = 1;
	assert_int_equal(td_caseview_filter(&f, &q, 10000000, &err), 0);
	assert_int_equal(f.states, (1u << TD_STATE_REPORTED) |
				       (1u << TD_STATE_NEEDS_INFO));
	assert_int_equal(f.kinds, 1u << TD_KIND_MALICIOUS);
	assert_int_equal(f.role, TD_ROLE_REGISTRAR);
	assert_string_equal(f.provider, "NameCheap, Inc.");
	assert_int_equal(f.created_before, 10000000 - 2 * 86400);
	assert_int_equal(f.created_after, 10000000 - 21 * 86400);
	assert_string_equal(f.label, "bank");
	assert_string_equal(f.domain, "evil.example");
	assert_int_equal(f.escalated, 1);
	assert_int_equal(f.limit, 0);
	assert_int_equal(f.cursor, 0);

	/* "active": open to needs-info */
	states[0] = "active";
	q.nr_states = 1;
	assert_int_equal(td_caseview_filter(&f, &q, 10000000, &err), 0);
	assert_int_equal(f.states, ((1u << TD_STATE_NR) - 1) &
				       ~(1u << TD_STATE_CLOSED) &
				       ~(1u << TD_STATE_MITIGATED));
	/* an age older than the epoch is still a bound */
	q.older_than = "5w";
	assert_int_equal(td_caseview_filter(&f, &q, 1000, &err), 0);
	assert_int_equal(f.created_before, 1);
}

static void
filter_mistakes_are_named(void **state)
{
	const char *bad_state[] = {"down"};
	const char *bad_kind[] = {"evil"};
	struct td_caseview_query q;
	struct td_store_filter f;
	struct td_error err = {0, ""};

	(void)state;
	memset(&q, 0, sizeof(q));
	q.states = bad_state;
	q.nr_states = 1;
	assert_int_equal(td_caseview_filter(&f, &q, 1000000, &err), TD_EINVAL);
	assert_non_null(strstr(err.msg, "down"));
	assert_non_null(strstr(err.msg, "needs-info"));

	memset(&q, 0, sizeof(q));
	q.kinds = bad_kind;
	q.nr_kinds = 1;
	assert_int_equal(td_caseview_filter(&f, &q, 1000000, &err), TD_EINVAL);
	assert_non_null(strstr(err.msg, "malicious"));

	memset(&q, 0, sizeof(q));
	q.role = "janitor";
	assert_int_equal(td_caseview_filter(&f, &q, 1000000, &err), TD_EINVAL);
	assert_non_null(strstr(err.msg, "registrar"));
	q.role = "none";
	assert_int_equal(td_caseview_filter(&f, &q, 1000000, &err), TD_EINVAL);

	memset(&q, 0, sizeof(q));
	q.registrar = "X";
	q.role = "host";
	assert_int_equal(td_caseview_filter(&f, &q, 1000000, &err), TD_EINVAL);
	q.role = "registrar";
	assert_int_equal(td_caseview_filter(&f, &q, 1000000, &err), 0);
	q.provider = "Y";
	assert_int_equal(td_caseview_filter(&f, &q, 1000000, &err), TD_EINVAL);

	memset(&q, 0, sizeof(q));
	q.older_than = "2days";
	assert_int_equal(td_caseview_filter(&f, &q, 1000000, &err), TD_EINVAL);
	assert_non_null(strstr(err.msg, "--older-than"));
	/* the user's word is escaped in the message */
	q.older_than = "\x1b[2J";
	assert_int_equal(td_caseview_filter(&f, &q, 1000000, &err), TD_EINVAL);
	assert_null(strchr(err.msg, 0x1b));
}

static void
provenance_is_read(void **state)
{
	struct td_caseview_prov p;

	(void)state;
	assert_int_equal(td_caseview_prov_parse(
			     &p,
			     "{\"source\":\"rdap\",\"server\":\"rdap.example"
			     "\",\"query\":\"x.example\",\"when\":\"2026-11-"
			     "27T07:30:00Z\",\"cached\":true}"),
			 0);
	assert_string_equal(p.source, "rdap");
	assert_string_equal(p.server, "rdap.example");
	assert_string_equal(p.query, "x.example");
	assert_string_equal(p.when, "2026-11-27T07:30:00Z");
	assert_int_equal(p.cached, 1);
	td_caseview_prov_release(&p);

	assert_int_equal(td_caseview_prov_parse(&p, "{\"source\":5}"), 0);
	assert_null(p.source);
	td_caseview_prov_release(&p);
	assert_int_equal(td_caseview_prov_parse(&p, "[1]"), TD_EPARSE);
	td_caseview_prov_release(&p);
	assert_int_equal(td_caseview_prov_parse(&p, "{\"source\":"), TD_EPARSE);
	td_caseview_prov_release(&p);
	assert_int_equal(td_caseview_prov_parse(&p, NULL), TD_EPARSE);
	td_caseview_prov_release(&p);
}

static void
case_line_from_a_store(void **state)
{
	char dir[] = "/tmp/td-caseview.XXXXXX";
	char path[256];
	struct td_store *s = NULL;
	struct td_store_case c;
	struct td_store_url u;
	struct td_store_party p;
	struct td_caseview v;
	struct td_buf b = TD_BUF_INIT;
	struct td_error err = {0, ""};

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/cases.sqlite", dir);
	/* reading commands do not create a store */
	assert_int_equal(td_caseview_open(&s, path, 0, &err), TD_ENOTFOUND);
	assert_null(s);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(td_caseview_open(&s, path, 1, &err), 0);

	assert_int_equal(td_store_case_new(&c, s, 1790000000, &err), 0);
	memset(&u, 0, sizeof(u));
	u.case_id = c.id;
	u.url = "https://login.evil.example/\x1b]0;x\x07";
	u.norm = "https://login.evil.example/";
	u.host = "login.evil.example";
	u.domain = "evil.example";
	assert_int_equal(td_store_url_add(NULL, s, &u, &err), 0);
	memset(&p, 0, sizeof(p));
	p.case_id = c.id;
	p.role = TD_ROLE_REGISTRAR;
	p.name = "NameCheap, Inc.";
	assert_int_equal(td_store_party_add(NULL, s, &p, &err), 0);
	p.role = TD_ROLE_HOST;
	p.name = "Hetzner Online GmbH";
	assert_int_equal(td_store_party_add(NULL, s, &p, &err), 0);
	assert_int_equal(td_store_label_add(s, c.id, "bank", 1790000000, &err),
			 0);

	assert_int_equal(td_caseview_load(&v, s, c.id, &err), 0);
	assert_string_equal(td_caseview_first_host(&v), "login.evil.example");
	assert_int_equal(td_caseview_line(&b, &c, &v, 1790000000 + 3 * 86400),
			 0);
	assert_non_null(strstr(b.ptr, c.tag));
	assert_non_null(strstr(b.ptr, " open "));
	assert_non_null(strstr(b.ptr, " 3d "));
	assert_non_null(strstr(b.ptr, "login.evil.example"));
	assert_non_null(strstr(b.ptr, "#bank"));
	assert_non_null(strstr(b.ptr, "NameCheap, Hetzner Online\n"));
	td_buf_reset(&b);
	assert_int_equal(td_caseview_party_names(&b, &v, TD_ROLE_HOST, "; "),
			 0);
	assert_string_equal(b.ptr, "Hetzner Online GmbH");
	td_buf_reset(&b);
	assert_int_equal(td_caseview_domains(&b, &v, " "), 0);
	assert_string_equal(b.ptr, "evil.example");

	td_caseview_release(&v);
	td_store_case_release(&c);
	td_buf_release(&b);
	td_store_close(s);
	/* cleanup: the store and its WAL files */
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(age_units_are_parsed),
	    cmocka_unit_test(age_malformed_is_refused),
	    cmocka_unit_test(age_is_shown_in_whole_units),
	    cmocka_unit_test(time_is_utc),
	    cmocka_unit_test(csv_quotes_per_rfc4180),
	    cmocka_unit_test(csv_formulas_are_made_inert),
	    cmocka_unit_test(csv_bad_bytes_are_cleaned),
	    cmocka_unit_test(short_names_drop_company_forms),
	    cmocka_unit_test(filter_words_become_a_store_filter),
	    cmocka_unit_test(filter_mistakes_are_named),
	    cmocka_unit_test(provenance_is_read),
	    cmocka_unit_test(case_line_from_a_store),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
