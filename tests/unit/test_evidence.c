/*
 * evidence without a server: the client profiles, the page reader (title,
 * forms, fields, limits, hostile markup), the evidence folder, and every
 * refusal that needs no network: other schemes, and every non-public
 * address form (numeric IPv4 spellings, IPv6, IPv4-mapped), none of which
 * may reach a socket.  Also the pure helpers of td_net_http_fetch
 * (certificate dates, header lines) from net_impl.h.
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
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "evidence.h"
#include "net.h"
#include "net_impl.h"

/* ---- helpers of td_net_http_fetch ---- */

static void
fetch_cert_time(void **state)
{
	char out[21];

	assert_int_equal(td_http_cert_time(out, "Nov 27 10:00:00 2026 GMT"), 0);
	assert_string_equal(out, "2026-11-27T10:00:00Z");
	assert_int_equal(td_http_cert_time(out, "Jan  1 00:00:09 2025 GMT"), 0);
	assert_string_equal(out, "2025-01-01T00:00:09Z");
	assert_int_equal(td_http_cert_time(out, "Feb 29 23:59:60 2024 GMT"), 0);
	assert_string_equal(out, "2024-02-29T23:59:60Z");
	/* anything else stays as the library printed it */
	assert_int_equal(td_http_cert_time(out, "2026-11-27 10:00:00 GMT"), -1);
	assert_string_equal(out, "");
	assert_int_equal(td_http_cert_time(out, "Nov 27 10:00:00 2026 UTC"),
			 -1);
	assert_int_equal(td_http_cert_time(out, "Nov 27 10:00:00 2026 GMTX"),
			 -1);
	assert_int_equal(td_http_cert_time(out, "Foo 27 10:00:00 2026 GMT"),
			 -1);
	assert_int_equal(td_http_cert_time(out, "Nov 32 10:00:00 2026 GMT"),
			 -1);
	assert_int_equal(td_http_cert_time(out, "Nov 27 -1:00:00 2026 GMT"),
			 -1);
	assert_int_equal(td_http_cert_time(out, ""), -1);
	assert_int_equal(td_http_cert_time(out, NULL), -1);
}

static void
fetch_header_lines(void **state)
{
	assert_true(td_http_header_line_ok("Sec-Fetch-Mode: navigate"));
	assert_true(td_http_header_line_ok("sec-ch-ua: \"x\";v=\"1\""));
	assert_true(td_http_header_line_ok("X-Empty:"));
	assert_false(td_http_header_line_ok("Bad Name: x"));
	assert_false(td_http_header_line_ok(": x"));
	assert_false(td_http_header_line_ok("NoColon"));
	assert_false(td_http_header_line_ok("X: a\r\nInjected: b"));
	assert_false(td_http_header_line_ok("X: a\nInjected: b"));
	assert_false(td_http_header_line_ok(NULL));
}

static void
fetch_invalid_requests(void **state)
{
	static const char *const bad_line[] = {"X: a\r\nHost: evil"};
	static const char *const no_name[] = {"x"};
	struct td_http_fetch f;
	struct td_net *n = NULL;

	assert_int_equal(td_net_new(&n, NULL, NULL), 0);
	memset(&f, 0, sizeof(f));
	assert_int_equal(td_net_http_fetch(n, &f, NULL, NULL), TD_EINVAL);
	f.url = "ftp://example.test/";
	assert_int_equal(
	    td_net_http_fetch(n, &f, (td_http_fetch_cb)abort, NULL), TD_EINVAL);
	f.url = "http://example.test/";
	f.headers = bad_line;
	f.nr_headers = 1;
	assert_int_equal(
	    td_net_http_fetch(n, &f, (td_http_fetch_cb)abort, NULL), TD_EINVAL);
	f.headers = no_name;
	assert_int_equal(
	    td_net_http_fetch(n, &f, (td_http_fetch_cb)abort, NULL), TD_EINVAL);
	f.headers = NULL;
	f.nr_headers = 0;
	f.user_agent = "x\r\nHost: evil";
	assert_int_equal(
	    td_net_http_fetch(n, &f, (td_http_fetch_cb)abort, NULL), TD_EINVAL);
	f.user_agent = NULL;
	f.max_redirects = TD_HTTP_FETCH_MAX_REDIRECTS + 1;
	assert_int_equal(
	    td_net_http_fetch(n, &f, (td_http_fetch_cb)abort, NULL), TD_EINVAL);
	assert_int_equal(td_net_run(n), 0);
	td_net_free(n);
}

/* ---- profiles ---- */

static void
evidence_profiles_are_data(void **state)
{
	const struct td_evidence_profile *p;
	size_t nr, i, j;

	p = td_evidence_profiles(&nr);
	assert_true(nr >= 3);
	assert_ptr_equal(td_evidence_profile("desktop"), &p[0]);
	assert_ptr_equal(td_evidence_profile("mobile"), &p[1]);
	assert_ptr_equal(td_evidence_profile("script"), &p[2]);
	assert_null(td_evidence_profile("Desktop"));
	assert_null(td_evidence_profile(NULL));
	assert_non_null(
	    strstr(td_evidence_profile("mobile")->user_agent, "iPhone"));
	assert_non_null(strstr(td_evidence_profile("desktop")->user_agent,
			       "Windows NT 10.0"));
	assert_null(td_evidence_profile("script")->accept_language);
	for (i = 0; i < nr; i++) {
		assert_non_null(p[i].description);
		assert_non_null(p[i].user_agent);
		/* never "takedown": the site must not know who asks */
		assert_null(strstr(p[i].user_agent, "takedown"));
		for (j = 0; j < p[i].nr_headers; j++)
			assert_true(td_http_header_line_ok(p[i].headers[j]));
	}
}

/* ---- the page reader ---- */

static struct td_evidence_page
scan(const char *html, const char *url)
{
	struct td_evidence_page p;

	assert_int_equal(td_evidence_page_scan(&p, html, strlen(html), url), 0);
	return p;
}

static void
page_title_is_decoded_and_collapsed(void **state)
{
	struct td_evidence_page p;

	p = scan("<html><head><title>\n  Netflix &ndash;  Update\tyour "
		 "&amp; payment&#x21; </title></head></html>",
		 "https://x.test/");
	assert_string_equal(p.title, "Netflix \xe2\x80\x93 Update your & "
				     "payment!");
	td_evidence_page_release(&p);

	/* the first title counts; markup inside is text (RCDATA) */
	p = scan("<title>A <b>bold</b> title</TITLE><title>second</title>",
		 NULL);
	assert_string_equal(p.title, "A <b>bold</b> title");
	td_evidence_page_release(&p);

	/* an SVG title is not the document's; no title is NULL */
	p = scan("<svg><title>icon</title></svg><p>x</p>", NULL);
	assert_null(p.title);
	td_evidence_page_release(&p);
	p = scan("<title></title>", NULL);
	assert_string_equal(p.title, "");
	td_evidence_page_release(&p);

	/* unterminated: the rest of the input */
	p = scan("<title>Sign in", NULL);
	assert_string_equal(p.title, "Sign in");
	td_evidence_page_release(&p);
}

static void
page_title_is_bounded(void **state)
{
	struct td_buf b = TD_BUF_INIT;
	struct td_evidence_page p;
	size_t i;

	td_buf_adds(&b, "<title>");
	for (i = 0; i < 100000; i++)
		td_buf_adds(&b, "\xc3\xa9"); /* é: never cut in half */
	td_buf_adds(&b, "</title>");
	assert_int_equal(td_evidence_page_scan(&p, b.ptr, b.len, NULL), 0);
	assert_true(strlen(p.title) <= TD_EVIDENCE_MAX_TITLE);
	assert_true(strlen(p.title) >= TD_EVIDENCE_MAX_TITLE - 1);
	assert_int_equal(strlen(p.title) % 2, 0);
	td_evidence_page_release(&p);
	td_buf_release(&b);
}

static void
page_forms_actions_methods_fields(void **state)
{
	struct td_evidence_page p;
	const struct td_evidence_form *f;

	p = scan("<form action='post.php?a=1&amp;b=2' METHOD=POST>"
		 "<input type=email name=login>"
		 "<input type=\"PASSWORD\" name=\"pass&#119;d\">"
		 "<input type=hidden name=token value=x>"
		 "<select name=country></select><textarea name=note>"
		 "<input type=password name=fake></textarea>"
		 "<button type=submit>Sign in</button></form>"
		 "<form><input name=q></form>"
		 "<form action=''><input type=text></form>"
		 "<form action='https://collect.test/x' method=dialog></form>"
		 "<form action=x method=bogus></form>",
		 "https://www.phish.test/secure/login.html?x=1");
	assert_int_equal(p.nr_forms, 5);
	assert_int_equal(p.passwords, 1);
	f = &p.forms[0];
	assert_string_equal(f->action,
			    "https://www.phish.test/secure/post.php?a=1&b=2");
	assert_string_equal(f->method, "post");
	assert_int_equal(f->passwords, 1);
	assert_int_equal(f->nr_inputs, 5);
	assert_string_equal(f->inputs[0].type, "email");
	assert_string_equal(f->inputs[0].name, "login");
	assert_string_equal(f->inputs[1].type, "password");
	assert_string_equal(f->inputs[1].name, "passwd");
	assert_string_equal(f->inputs[2].type, "hidden");
	assert_string_equal(f->inputs[3].type, "select");
	assert_string_equal(f->inputs[3].name, "country");
	assert_string_equal(f->inputs[4].type, "textarea");
	assert_string_equal(f->inputs[4].name, "note");
	/* no action, or an empty one: the page's own URL */
	assert_string_equal(p.forms[1].action,
			    "https://www.phish.test/secure/login.html?x=1");
	assert_string_equal(p.forms[1].method, "get");
	assert_string_equal(p.forms[1].inputs[0].type, "text");
	assert_string_equal(p.forms[2].action,
			    "https://www.phish.test/secure/login.html?x=1");
	assert_null(p.forms[2].inputs[0].name);
	assert_string_equal(p.forms[3].action, "https://collect.test/x");
	assert_string_equal(p.forms[3].method, "dialog");
	assert_string_equal(p.forms[4].method, "get");
	assert_true(p.forms[0].offset < p.forms[1].offset);
	td_evidence_page_release(&p);
}

static void
page_base_href_and_obfuscated_password(void **state)
{
	struct td_evidence_page p;

	/*
	 * <base> applies to forms before it too; entity-spelled types are
	 * decoded; type is compared exactly, case aside, as browsers do
	 * (" Password " is not a password field, a text one)
	 */
	p = scan("<form action=next.php><input type='&#112;assword'>"
		 "<input type=' Password '><input type=PassWord>"
		 "<input type='pass&#10;word'><input name='a&lt;b&ampc&gt'>"
		 "<input name='&lt'></form>"
		 "<base href='https://cdn.evil.test/kit/'>",
		 "http://victim-site.test/wp-content/x/");
	assert_int_equal(p.nr_forms, 1);
	assert_string_equal(p.forms[0].action,
			    "https://cdn.evil.test/kit/next.php");
	assert_int_equal(p.forms[0].passwords, 2);
	assert_string_equal(p.forms[0].inputs[0].type, "password");
	assert_string_equal(p.forms[0].inputs[1].type, " password ");
	assert_string_equal(p.forms[0].inputs[2].type, "password");
	assert_string_equal(p.forms[0].inputs[3].type, "pass\nword");
	/* the attribute rule: "&ampc" stays, "&gt" at the end is ">" */
	assert_string_equal(p.forms[0].inputs[4].name, "a<b&ampc>");
	assert_string_equal(p.forms[0].inputs[5].name, "<");
	td_evidence_page_release(&p);
}

static void
page_ignores_forms_that_are_not_markup(void **state)
{
	struct td_evidence_page p;

	p = scan("<!-- <form action=/c><input type=password></form> -->"
		 "<!--><form action=/after-empty-comment></form>"
		 "<script>var s = '<form action=/js><input type=password>';"
		 "</script><style>/* <form> */</style>"
		 "<textarea><form action=/ta></textarea>"
		 "<xmp><form></xmp><iframe><form></iframe>"
		 "<![CDATA[<form action=/cdata>]]>"
		 "<?php <form> ?>",
		 "https://x.test/");
	/* only the one after "<!-->", which is a whole comment */
	assert_int_equal(p.nr_forms, 1);
	assert_string_equal(p.forms[0].action,
			    "https://x.test/after-empty-comment");
	assert_int_equal(p.passwords, 0);
	td_evidence_page_release(&p);

	/* an unterminated comment hides the rest */
	p = scan("<form></form><!-- <form></form>", NULL);
	assert_int_equal(p.nr_forms, 1);
	td_evidence_page_release(&p);
}

static void
page_nested_forms_and_loose_fields(void **state)
{
	struct td_evidence_page p;

	/* a <form> inside an open form is dropped (HTML LS 13.2.6.4.7) */
	p = scan("<input type=password name=p0>"
		 "<form action=/a><input name=a1><form action=/b>"
		 "<input name=a2></form><input name=after>",
		 "https://x.test/");
	assert_int_equal(p.nr_forms, 1);
	assert_string_equal(p.forms[0].action, "https://x.test/a");
	assert_int_equal(p.forms[0].nr_inputs, 2);
	assert_int_equal(p.nr_loose, 2);
	assert_string_equal(p.loose[0].name, "p0");
	assert_string_equal(p.loose[1].name, "after");
	assert_int_equal(p.passwords, 1);
	assert_int_equal(p.forms[0].passwords, 0);
	td_evidence_page_release(&p);
}

static void
page_limits_hold(void **state)
{
	struct td_buf b = TD_BUF_INIT;
	struct td_evidence_page p;
	size_t i;

	for (i = 0; i < 100; i++)
		td_buf_adds(&b, "<form><input type=password></form>");
	td_buf_adds(&b, "<form>");
	for (i = 0; i < 100; i++)
		td_buf_printf(&b, "<input name=n%zu>", i);
	for (i = 0; i < 100; i++)
		td_buf_adds(&b, "</form><input name=loose>");
	assert_int_equal(td_evidence_page_scan(&p, b.ptr, b.len, NULL), 0);
	assert_int_equal(p.nr_forms, TD_EVIDENCE_MAX_FORMS);
	assert_int_equal(p.forms_dropped, 101 - TD_EVIDENCE_MAX_FORMS);
	/* the fields of dropped forms are counted, not kept */
	assert_int_equal(p.passwords, 100);
	assert_int_equal(p.nr_loose, TD_EVIDENCE_MAX_INPUTS);
	assert_int_equal(p.loose_dropped, 100 - TD_EVIDENCE_MAX_INPUTS);
	td_evidence_page_release(&p);
	td_buf_release(&b);

	/* a long name and action are cut; the action is marked */
	td_buf_adds(&b, "<form action='/");
	for (i = 0; i < 20000; i++)
		td_buf_addch(&b, 'a');
	td_buf_adds(&b, "'><input name='");
	for (i = 0; i < 20000; i++)
		td_buf_addch(&b, 'n');
	td_buf_adds(&b, "'></form>");
	assert_int_equal(
	    td_evidence_page_scan(&p, b.ptr, b.len, "https://x.test/"), 0);
	assert_int_equal(strlen(p.forms[0].action), TD_EVIDENCE_MAX_ACTION);
	assert_true(p.forms[0].action_truncated);
	assert_int_equal(strlen(p.forms[0].inputs[0].name),
			 TD_EVIDENCE_MAX_NAME);
	td_evidence_page_release(&p);
	td_buf_release(&b);
}

static void
page_hostile_bytes(void **state)
{
	static const char nul[] = "<title>a\0b</title><form action=\"/x\0y\">"
				  "<input name=\"n\0m\" type=password></form>";
	struct td_evidence_page p;
	struct td_buf b = TD_BUF_INIT;
	size_t i;

	assert_int_equal(
	    td_evidence_page_scan(&p, nul, sizeof(nul) - 1, "https://x.test/"),
	    0);
	assert_int_equal(p.nr_forms, 1);
	assert_int_equal(p.passwords, 1);
	assert_non_null(p.title);
	td_evidence_page_release(&p);

	/* unclosed quote, cut tags, lone '<', NULL input */
	p = scan("<form action=\"/never-closed><input type=password>", NULL);
	assert_int_equal(p.nr_forms, 1);
	assert_int_equal(p.passwords, 0);
	td_evidence_page_release(&p);
	p = scan("<form", NULL);
	assert_int_equal(p.nr_forms, 1);
	td_evidence_page_release(&p);
	p = scan("<", NULL);
	assert_int_equal(p.nr_forms, 0);
	td_evidence_page_release(&p);
	assert_int_equal(td_evidence_page_scan(&p, NULL, 0, NULL), 0);
	assert_null(p.title);
	td_evidence_page_release(&p);
	td_evidence_page_release(NULL);

	/* 200k tags and quotes: linear, no stack */
	for (i = 0; i < 200000; i++)
		td_buf_adds(&b, "<svg><div a='\"'>");
	assert_int_equal(td_evidence_page_scan(&p, b.ptr, b.len, NULL), 0);
	td_evidence_page_release(&p);
	td_buf_release(&b);
}

/* ---- the evidence folder and refusals without a server ---- */

static char g_dir[256];

static int
setup_dir(void **state)
{
	snprintf(g_dir, sizeof(g_dir), "%s/td-evidence-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(g_dir))
		return -1;
	return 0;
}

static int
teardown_dir(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
evidence_folder_is_private(void **state)
{
	struct td_evidence_opts o = TD_EVIDENCE_OPTS_INIT;
	struct td_evidence ev;
	struct td_error err = {0};
	struct stat st;
	char path[400];

	assert_int_equal(td_evidence_init(&ev, &o, &err), TD_EINVAL);
	snprintf(path, sizeof(path), "%s/case-1/evidence", g_dir);
	o.dir = path;
	o.max_redirects = 21;
	assert_int_equal(td_evidence_init(&ev, &o, &err), TD_EINVAL);
	o.max_redirects = 0;
	o.referer = "x\r\nCookie: y";
	assert_int_equal(td_evidence_init(&ev, &o, &err), TD_EINVAL);
	o.referer = NULL;
	assert_int_equal(td_evidence_init(&ev, &o, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 077, 0);
	snprintf(path, sizeof(path), "%s/case-1/evidence/sha256", g_dir);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 077, 0);
	td_evidence_release(&ev);
	td_evidence_release(NULL);
}

/*
 * Every form of a non-public address, and every other scheme: refused,
 * and not one transfer started (stats.http stays 0).  No server is
 * needed: nothing may be connected to.
 */
static void
evidence_refuses_without_connecting(void **state)
{
	static const struct {
		const char *url;
		enum td_net_status status;
		const char *fetched; /* NULL: refused before the net */
	} cases[] = {
	    {"http://10.1.2.3/", TD_NET_REFUSED, "http://10.1.2.3/"},
	    {"http://172.16.0.1/", TD_NET_REFUSED, "http://172.16.0.1/"},
	    {"http://172.31.255.254/", TD_NET_REFUSED, NULL},
	    {"http://192.168.1.1/", TD_NET_REFUSED, NULL},
	    {"http://127.0.0.1/", TD_NET_REFUSED, NULL},
	    {"http://127.255.0.9:8080/", TD_NET_REFUSED, NULL},
	    {"http://169.254.169.254/latest/meta-data/", TD_NET_REFUSED, NULL},
	    {"http://100.64.0.1/", TD_NET_REFUSED, NULL},
	    {"http://100.127.255.255/", TD_NET_REFUSED, NULL},
	    {"http://0.0.0.0/", TD_NET_REFUSED, NULL},
	    {"http://0/", TD_NET_REFUSED, "http://0.0.0.0/"},
	    {"http://[::1]/", TD_NET_REFUSED, "http://[::1]/"},
	    {"http://[::]/", TD_NET_REFUSED, NULL},
	    {"http://[fc00::1]/", TD_NET_REFUSED, NULL},
	    {"http://[fdff:ffff::1]/", TD_NET_REFUSED, NULL},
	    {"http://[fe80::1]/", TD_NET_REFUSED, NULL},
	    {"http://[::ffff:127.0.0.1]/", TD_NET_REFUSED, NULL},
	    {"http://[::ffff:10.0.0.1]/", TD_NET_REFUSED, NULL},
	    {"http://[::ffff:7f00:1]/", TD_NET_REFUSED, NULL},
	    {"http://2130706433/", TD_NET_REFUSED, "http://127.0.0.1/"},
	    {"http://0177.0.0.1/", TD_NET_REFUSED, "http://127.0.0.1/"},
	    {"http://0x7f.1/", TD_NET_REFUSED, "http://127.0.0.1/"},
	    {"http://0x7f000001/", TD_NET_REFUSED, "http://127.0.0.1/"},
	    {"http://127.1/", TD_NET_REFUSED, "http://127.0.0.1/"},
	    {"http://012.0.0.1/", TD_NET_REFUSED, "http://10.0.0.1/"},
	    {"http://3232235777/", TD_NET_REFUSED, "http://192.168.1.1/"},
	    {"https://0xa9.0xfe.0xa9.0xfe/", TD_NET_REFUSED,
	     "https://169.254.169.254/"},
	    {"HTTP://224.0.0.1/", TD_NET_REFUSED, NULL},
	    {"http://255.255.255.255/", TD_NET_REFUSED, NULL},
	    {"file:///etc/passwd", TD_NET_REFUSED, NULL},
	    {"ftp://ftp.example.test/x", TD_NET_REFUSED, NULL},
	    {"gopher://127.0.0.1:70/_x", TD_NET_REFUSED, NULL},
	    {"javascript:alert(1)", TD_NET_REFUSED, NULL},
	    {"data:text/html,<form>", TD_NET_REFUSED, NULL},
	    {"dict://127.0.0.1:11211/", TD_NET_REFUSED, NULL},
	    {"www.example.test/no-scheme", TD_NET_REFUSED, NULL},
	    {"http://", TD_NET_ERROR, NULL},
	};
	struct td_evidence_opts o = TD_EVIDENCE_OPTS_INIT;
	struct td_net_opts no = TD_NET_OPTS_INIT;
	struct td_evidence ev;
	struct td_net *n = NULL;
	struct td_net_stats st;
	char path[400];
	size_t i;

	snprintf(path, sizeof(path), "%s/refused", g_dir);
	o.dir = path;
	no.dns_server = "127.0.0.1:9"; /* never asked: literals only */
	no.timeout_ms = 3000;
	assert_int_equal(td_net_new(&n, &no, NULL), 0);
	assert_int_equal(td_evidence_init(&ev, &o, NULL), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(
		    td_evidence_add(&ev, n, cases[i].url,
				    td_evidence_profile("desktop")),
		    0);
	assert_int_equal(td_net_run(n), 0);
	assert_int_equal(ev.nr, sizeof(cases) / sizeof(cases[0]));
	for (i = 0; i < ev.nr; i++) {
		const struct td_evidence_capture *c = ev.items[i];

		if (c->status != cases[i].status)
			fail_msg("%s: %s (%s)", cases[i].url,
				 td_net_status_name(c->status),
				 c->error ? c->error : "");
		assert_non_null(c->error);
		assert_string_equal(c->url, cases[i].url);
		if (cases[i].fetched)
			assert_string_equal(c->fetched_url, cases[i].fetched);
		assert_string_equal(c->profile, "desktop");
		assert_int_equal(c->code, 0);
		assert_null(c->body_path);
		assert_string_equal(c->sha256, "");
		assert_int_equal(strlen(c->started), 24);
		assert_int_equal(strlen(c->ended), 24);
		/* a hop the net refused is in the chain, unconnected */
		if (c->nr_hops) {
			assert_int_equal(c->nr_hops, 1);
			assert_string_equal(c->hops[0].ip, "");
			assert_int_equal(c->hops[0].code, 0);
		}
	}
	td_net_stats(n, &st);
	assert_int_equal(st.http, 0);
	assert_int_equal(st.dns, 0);
	td_evidence_release(&ev);
	td_net_free(n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(fetch_cert_time),
	    cmocka_unit_test(fetch_header_lines),
	    cmocka_unit_test(fetch_invalid_requests),
	    cmocka_unit_test(evidence_profiles_are_data),
	    cmocka_unit_test(page_title_is_decoded_and_collapsed),
	    cmocka_unit_test(page_title_is_bounded),
	    cmocka_unit_test(page_forms_actions_methods_fields),
	    cmocka_unit_test(page_base_href_and_obfuscated_password),
	    cmocka_unit_test(page_ignores_forms_that_are_not_markup),
	    cmocka_unit_test(page_nested_forms_and_loose_fields),
	    cmocka_unit_test(page_limits_hold),
	    cmocka_unit_test(page_hostile_bytes),
	    cmocka_unit_test(evidence_folder_is_private),
	    cmocka_unit_test(evidence_refuses_without_connecting),
	};

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
