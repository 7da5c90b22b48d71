/*
 * Unit tests for src/lib/url.c.  Wrapped URLs marked "corpus" are quoted
 * from ../shared/corpus/phishing_pot (rf-peixoto/phishing_pot, CC BY-NC
 * 4.0); nothing is ever fetched.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "url.h"

/* Parse s, which must succeed. */
static void
parse_ok(struct td_url *u, const char *s)
{
	struct td_error err = {0};
	int r = td_url_parse(u, s, strlen(s), &err);

	if (r != 0)
		fail_msg("parse \"%s\": %d %s", s, r, err.msg);
}

/* Parse s, which must fail with TD_EPARSE; returns the message. */
static const char *
parse_bad(const char *s, size_t len)
{
	static struct td_error err;
	struct td_url u;

	memset(&err, 0, sizeof(err));
	assert_int_equal(td_url_parse(&u, s, len, &err), TD_EPARSE);
	assert_null(u.url);
	assert_null(u.host_ascii);
	assert_true(err.msg[0] != '\0');
	return err.msg;
}

static void
host_is(const char *s, const char *ascii)
{
	struct td_url u;

	parse_ok(&u, s);
	assert_string_equal(u.host_ascii, ascii);
	td_url_release(&u);
}

static void
url_fields_of_a_plain_url(void **state)
{
	struct td_url u;
	const char *s = "HTTPS://WWW.Example.COM/Path/%7Efile?Q=1#Frag";

	parse_ok(&u, s);
	assert_string_equal(u.url, s);
	assert_string_equal(u.scheme, "https");
	assert_null(u.userinfo);
	assert_string_equal(u.host, "WWW.Example.COM");
	assert_string_equal(u.host_ascii, "www.example.com");
	assert_string_equal(u.host_unicode, "www.example.com");
	assert_string_equal(u.domain, "example.com");
	assert_int_equal(u.port, -1);
	assert_false(u.is_ip);
	assert_false(u.is_idn);
	assert_false(u.mixed_script);
	assert_string_equal(u.normalized,
			    "https://www.example.com/Path/%7Efile?Q=1#Frag");
	td_url_release(&u);
	td_url_release(&u); /* twice is harmless */
}

static void
url_userinfo_trick_is_split(void **state)
{
	struct td_url u;

	parse_ok(&u, "http://paypal.com@evil.example/login");
	assert_string_equal(u.userinfo, "paypal.com");
	assert_string_equal(u.host_ascii, "evil.example");
	assert_string_equal(u.normalized,
			    "http://paypal.com@evil.example/login");
	td_url_release(&u);

	/* the last '@' ends the userinfo */
	parse_ok(&u, "https://www.paypal.com:secure@login@EVIL.example:8443/");
	assert_string_equal(u.userinfo, "www.paypal.com:secure@login");
	assert_string_equal(u.host_ascii, "evil.example");
	assert_int_equal(u.port, 8443);
	assert_string_equal(u.normalized, "https://www.paypal.com:secure@login@"
					  "evil.example:8443/");
	td_url_release(&u);

	/* an empty userinfo is still there */
	parse_ok(&u, "http://@evil.example/");
	assert_string_equal(u.userinfo, "");
	assert_string_equal(u.normalized, "http://@evil.example/");
	td_url_release(&u);
}

static void
url_backslash_ends_authority_like_browsers(void **state)
{
	struct td_url u;

	/* browsers go to evil.example: '\' is '/' in http URLs */
	parse_ok(&u, "http://evil.example\\@paypal.com/");
	assert_null(u.userinfo);
	assert_string_equal(u.host_ascii, "evil.example");
	assert_string_equal(u.normalized, "http://evil.example\\@paypal.com/");
	td_url_release(&u);

	parse_ok(&u, "https:\\\\evil.example\\a");
	assert_string_equal(u.host_ascii, "evil.example");
	assert_string_equal(u.normalized, "https://evil.example\\a");
	td_url_release(&u);

	parse_ok(&u, "http:/evil.example");
	assert_string_equal(u.normalized, "http://evil.example");
	td_url_release(&u);
}

static void
url_idn_host_gets_alabel_and_ulabel(void **state)
{
	struct td_url u;

	parse_ok(&u, "https://Bücher.de/x");
	assert_string_equal(u.host, "Bücher.de");
	assert_string_equal(u.host_ascii, "xn--bcher-kva.de");
	assert_string_equal(u.host_unicode, "bücher.de");
	assert_string_equal(u.domain, "xn--bcher-kva.de");
	assert_string_equal(u.normalized, "https://xn--bcher-kva.de/x");
	assert_true(u.is_idn);
	assert_false(u.mixed_script);
	td_url_release(&u);

	/* an A-label as written is checked and decoded for display */
	parse_ok(&u, "http://WWW.XN--BCHER-KVA.DE/");
	assert_string_equal(u.host_ascii, "www.xn--bcher-kva.de");
	assert_string_equal(u.host_unicode, "www.bücher.de");
	assert_true(u.is_idn);
	td_url_release(&u);
}

static void
url_idna_is_nontransitional(void **state)
{
	/* UTS #46 nontransitional, as browsers: ß is kept, not "ss" */
	host_is("http://faß.de/", "xn--fa-hia.de");
	/* full-width letters and the ideographic full stop are mapped */
	host_is("http://ｅｘａｍｐｌｅ。com/", "example.com");
	/* an ASCII label libidn2 alone would refuse beside an IDN one */
	host_is("http://ab--cd.bücher.de/", "ab--cd.xn--bcher-kva.de");
	host_is("http://my_host.example/", "my_host.example");
}

static void
url_bad_idn_rejected(void **state)
{
	const char *msg;

	msg = parse_bad("http://i\xe2\x9d\xa4.ws/", 14);
	assert_non_null(strstr(msg, "IDNA"));
	msg = parse_bad("http://xn--zz.com/", 18);
	assert_non_null(strstr(msg, "IDNA"));
	/* invalid UTF-8 */
	msg = parse_bad("http://a\xff.com/", 14);
	assert_non_null(strstr(msg, "IDNA"));
	/* a full-width solidus maps to '/' */
	parse_bad("http://a\xef\xbc\x8f"
		  "b.com/",
		  17);
}

static void
url_percent_encoded_host_is_decoded(void **state)
{
	struct td_url u;

	parse_ok(&u, "http://%70ay%50al.com/%41");
	assert_string_equal(u.host, "payPal.com");
	assert_string_equal(u.host_ascii, "paypal.com");
	assert_string_equal(u.normalized, "http://paypal.com/%41");
	td_url_release(&u);
	host_is("http://b%C3%BCcher.de/", "xn--bcher-kva.de");
	parse_bad("http://ex%00ample.com/", 22);
	parse_bad("http://ex%zzample.com/", 22);
	parse_bad("http://evil.com%2fpaypal.com/", 29);
}

static void
url_default_port_dropped_in_normalized(void **state)
{
	struct td_url u;

	parse_ok(&u, "HTTPS://Example.COM:443/a?b#c");
	assert_int_equal(u.port, 443);
	assert_string_equal(u.normalized, "https://example.com/a?b#c");
	td_url_release(&u);

	parse_ok(&u, "http://example.com:0080/");
	assert_int_equal(u.port, 80);
	assert_string_equal(u.normalized, "http://example.com/");
	td_url_release(&u);

	parse_ok(&u, "ftp://example.com:21/pub");
	assert_string_equal(u.normalized, "ftp://example.com/pub");
	td_url_release(&u);

	parse_ok(&u, "https://example.com:80/");
	assert_string_equal(u.normalized, "https://example.com:80/");
	td_url_release(&u);

	/* an empty port is no port */
	parse_ok(&u, "http://example.com:/x");
	assert_int_equal(u.port, -1);
	assert_string_equal(u.normalized, "http://example.com/x");
	td_url_release(&u);
}

static void
url_bad_port_rejected(void **state)
{
	const char *msg;

	msg = parse_bad("http://example.com:65536/", 25);
	assert_non_null(strstr(msg, "3.2.3"));
	parse_bad("http://example.com:80a/", 23);
	parse_bad("http://example.com:-1/", 22);
	parse_bad("http://a:b:80/", 14);
}

static void
url_no_path_is_not_added(void **state)
{
	struct td_url u;

	parse_ok(&u, "http://Example.com");
	assert_string_equal(u.normalized, "http://example.com");
	td_url_release(&u);

	parse_ok(&u, "http://example.com:8080?q=1");
	assert_string_equal(u.normalized, "http://example.com:8080?q=1");
	td_url_release(&u);
}

static void
url_trailing_dot_kept_in_url_dropped_in_host(void **state)
{
	struct td_url u;

	parse_ok(&u, "http://Example.com./x");
	assert_string_equal(u.url, "http://Example.com./x");
	assert_string_equal(u.host, "Example.com.");
	assert_string_equal(u.host_ascii, "example.com");
	assert_string_equal(u.domain, "example.com");
	assert_string_equal(u.normalized, "http://example.com/x");
	td_url_release(&u);

	parse_bad("http://example.com../", 21);
	parse_bad("http://a..com/", 14);
	parse_bad("http://.a.com/", 14);
	parse_bad("http://./", 9);
}

static void
url_decimal_ip_host_is_ip(void **state)
{
	struct td_url u;

	parse_ok(&u, "http://3232235777/");
	assert_true(u.is_ip);
	assert_false(u.is_idn);
	assert_string_equal(u.host, "3232235777");
	assert_string_equal(u.host_ascii, "192.168.1.1");
	assert_string_equal(u.host_unicode, "192.168.1.1");
	assert_null(u.domain);
	assert_string_equal(u.normalized, "http://192.168.1.1/");
	td_url_release(&u);
}

static void
url_ipv4_forms_browsers_accept(void **state)
{
	host_is("http://0x7f.1/", "127.0.0.1");
	host_is("http://127.1/", "127.0.0.1");
	host_is("http://0x7F000001/", "127.0.0.1");
	host_is("http://0300.0250.1.1/", "192.168.1.1");
	host_is("http://017700000001/", "127.0.0.1");
	host_is("http://1.2.3.4./", "1.2.3.4");
	host_is("http://0x/", "0.0.0.0");
	/* full-width digits map to ASCII first */
	host_is("http://１２７.０.０.１/", "127.0.0.1");
	host_is("http://4294967295/", "255.255.255.255");
	host_is("http://192.168.257/", "192.168.1.1");
	host_is("http://0xC0A80101/", "192.168.1.1");
}

static void
url_bad_ipv4_rejected(void **state)
{
	const char *msg;

	msg = parse_bad("http://256.1.1.1/", 17);
	assert_non_null(strstr(msg, "ipv4"));
	parse_bad("http://1.2.3.4.5/", 17);
	parse_bad("http://4294967296/", 18);
	parse_bad("http://1.2.65536/", 17);
	parse_bad("http://09.1.1.1/", 16);
	/* a host that ends in a number must be an address */
	parse_bad("http://foo.123/", 15);
	parse_bad("http://foo.0x1/", 15);
}

static void
url_ipv6_literal(void **state)
{
	struct td_url u;

	parse_ok(&u, "http://[2001:DB8:0:0:0:0:0:1]:8080/x");
	assert_true(u.is_ip);
	assert_string_equal(u.host, "2001:DB8:0:0:0:0:0:1");
	assert_string_equal(u.host_ascii, "2001:db8::1");
	assert_int_equal(u.port, 8080);
	assert_null(u.domain);
	assert_string_equal(u.normalized, "http://[2001:db8::1]:8080/x");
	td_url_release(&u);

	host_is("http://[::ffff:1.2.3.4]/", "::ffff:102:304");
	host_is("http://[1:0:0:2:0:0:0:3]/", "1:0:0:2::3");
	host_is("http://[::]/", "::");
	host_is("http://[1:2:3:4:5:6:7:0]/", "1:2:3:4:5:6:7:0");
	parse_bad("http://[::1/", 12);
	parse_bad("http://[zz]/", 12);
	parse_bad("http://[::1]x/", 14);
	parse_bad("http://[fe80::1%25eth0]/", 24);
}

static void
url_control_char_in_host_rejected(void **state)
{
	const char *msg;

	msg = parse_bad("http://evil\x01.com/", 17);
	assert_non_null(strstr(msg, "control character"));
	msg = parse_bad("http://evil.com\t/", 17);
	assert_non_null(strstr(msg, "control character"));
	msg = parse_bad("http://ev il.com/", 17);
	assert_non_null(strstr(msg, "space"));
	msg = parse_bad("http://evil<x>.com/", 19);
	assert_non_null(strstr(msg, "forbidden"));
	/* an ideographic space maps to a space */
	parse_bad("http://a\xe3\x80\x80"
		  "b.com/",
		  16);
}

static void
url_nul_byte_rejected(void **state)
{
	parse_bad("http://a.com/\0x", 15);
	parse_bad("http://a\0.com/", 14);
}

static void
url_not_absolute_with_authority_rejected(void **state)
{
	struct td_url u;

	parse_bad("example.com/x", 13);
	parse_bad("//example.com/x", 15);
	parse_bad("javascript:alert(1)", 19);
	parse_bad("mailto:a@example.com", 20);
	parse_bad("http://", 7);
	parse_bad("http:///", 8);
	parse_bad("http://user@/x", 14);
	parse_bad("file:///etc/passwd", 18);
	parse_bad("foo:/x", 6);
	parse_bad(" http://example.com/", 20);
	parse_bad("1http://example.com/", 20);
	assert_int_equal(td_url_parse(&u, NULL, 0, NULL), TD_EINVAL);
}

static void
url_other_schemes_keep_their_port(void **state)
{
	struct td_url u;

	parse_ok(&u, "SSH://git@Example.com:22/repo");
	assert_string_equal(u.scheme, "ssh");
	assert_string_equal(u.userinfo, "git");
	assert_string_equal(u.normalized, "ssh://git@example.com:22/repo");
	td_url_release(&u);

	/*
	 * Outside special schemes '\' does not end the authority, and it is
	 * forbidden in a host.
	 */
	parse_ok(&u, "foo://a.example/b\\c");
	assert_string_equal(u.host, "a.example");
	assert_string_equal(u.normalized, "foo://a.example/b\\c");
	td_url_release(&u);
	parse_bad("foo://a.example\\b/c", 19);
}

static void
url_homograph_cyrillic_flagged(void **state)
{
	struct td_url u;

	/* Cyrillic а (U+0430) among Latin letters */
	parse_ok(&u, "http://p\xd0\xb0ypal.com/");
	assert_true(u.is_idn);
	assert_true(u.mixed_script);
	assert_string_equal(u.host_ascii, "xn--pypal-4ve.com");
	assert_string_equal(u.host_unicode, "p\xd0\xb0ypal.com");
	td_url_release(&u);

	/* the same, written as its A-label */
	parse_ok(&u, "http://xn--pypal-4ve.com/");
	assert_true(u.mixed_script);
	td_url_release(&u);

	/* all Cyrillic, all look-alikes: "аррӏе" under .com */
	parse_ok(&u, "http://xn--80ak6aa92e.com/");
	assert_string_equal(u.host_unicode, "аррӏе.com");
	assert_true(u.mixed_script);
	td_url_release(&u);
}

static void
url_homograph_greek_and_armenian_flagged(void **state)
{
	struct td_url u;

	parse_ok(&u, "http://p\xce\xb1ypal.com/"); /* Greek α */
	assert_true(u.mixed_script);
	td_url_release(&u);

	parse_ok(&u, "http://g\xd6\x85ogle.com/"); /* Armenian օ */
	assert_true(u.mixed_script);
	td_url_release(&u);
}

static void
url_single_script_idn_not_flagged(void **state)
{
	struct td_url u;
	static const char *const ok[] = {
	    "http://bücher.de/",    "http://москва.рф/",
	    "http://асе.рф/", /* look-alikes, but under a Cyrillic TLD */
	    "http://пример.com/",   "http://例え.テスト/",
	    "http://abcテスト.jp/", /* Latin with Kana is usual */
	    "http://ελληνικά.gr/",
	};
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		parse_ok(&u, ok[i]);
		if (u.mixed_script)
			fail_msg("%s flagged", ok[i]);
		assert_true(u.is_idn);
		td_url_release(&u);
	}
}

static void
url_domain_from_public_suffix_list(void **state)
{
	struct td_url u;

	parse_ok(&u, "http://news.bbc.co.uk/");
	assert_string_equal(u.domain, "bbc.co.uk");
	td_url_release(&u);

	/* private section: each github.io site is its own domain */
	parse_ok(&u, "https://evil.github.io/login");
	assert_string_equal(u.domain, "evil.github.io");
	td_url_release(&u);

	parse_ok(&u, "http://co.uk/");
	assert_null(u.domain);
	td_url_release(&u);

	parse_ok(&u, "http://evil.zzzz/");
	assert_null(u.domain);
	td_url_release(&u);

	parse_ok(&u, "http://localhost/");
	assert_null(u.domain);
	td_url_release(&u);
}

static void
url_registrable_of_host_names(void **state)
{
	char *r;

	r = td_url_registrable("WWW.Example.COM.");
	assert_string_equal(r, "example.com");
	free(r);
	r = td_url_registrable("a.b.xn--p1ai");
	assert_string_equal(r, "b.xn--p1ai");
	free(r);
	assert_null(td_url_registrable("com"));
	assert_null(td_url_registrable("zzzz"));
	assert_null(td_url_registrable("evil.zzzz"));
	assert_null(td_url_registrable("192.168.1.1"));
	assert_null(td_url_registrable("2001:db8::1"));
	assert_null(td_url_registrable(""));
	assert_null(td_url_registrable(NULL));
}

/* Found by fuzz_url: a host whose A-label form is over the limit is
 * refused, so every normalised URL parses again. */
static void
url_long_idn_host_refused(void **state)
{
	struct td_buf b = TD_BUF_INIT;
	struct td_url u;
	struct td_error err = {0, ""};
	int i;

	(void)state;
	td_buf_adds(&b, "http://");
	for (i = 0; i < 520; i++)
		td_buf_adds(&b, "\xd0\xb0."); /* Cyrillic a */
	td_buf_adds(&b, "com/");
	assert_int_equal(td_url_parse(&u, b.ptr, b.len, &err), TD_EPARSE);
	assert_non_null(strstr(err.msg, "A-labels"));
	td_buf_release(&b);
	/* a wrapper host without a query is no wrapper (and no NULL + 0) */
	{
		char *inner = (char *)"x";
		const char *kind = "x";

		assert_int_equal(td_url_unwrap(&inner, &kind,
					       "https://www.google.com/url",
					       26),
				 0);
		assert_null(inner);
		assert_null(kind);
	}
}

/* ICANN-section registrable domain and private-section platform suffix */
static void
url_psl_sections(void **state)
{
	static const struct {
		const char *host, *icann, *priv;
	} c[] = {
	    {"site.firebaseapp.com", "firebaseapp.com", "firebaseapp.com"},
	    {"a.b.blogspot.com", "blogspot.com", "blogspot.com"},
	    {"user.github.io", "github.io", "github.io"},
	    {"github.io", "github.io", NULL}, /* the platform itself */
	    {"www.example.com", "example.com", NULL},
	    {"www.bbc.co.uk", "bbc.co.uk", NULL},
	    {"com", NULL, NULL},
	    {"evil.zzzz", NULL, NULL},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char *icann, *priv;

		assert_int_equal(td_url_psl_split(c[i].host, &icann, &priv), 0);
		if (c[i].icann)
			assert_string_equal(icann, c[i].icann);
		else
			assert_null(icann);
		if (c[i].priv)
			assert_string_equal(priv, c[i].priv);
		else
			assert_null(priv);
		free(icann);
		free(priv);
	}
}

/* ---- resolve ---- */

struct rcase {
	const char *ref, *want;
};

static void
check_resolve(const struct rcase *c, size_t n)
{
	struct td_buf b = TD_BUF_INIT;
	size_t i;

	for (i = 0; i < n; i++) {
		td_buf_reset(&b);
		assert_int_equal(td_url_resolve(&b, "http://a/b/c/d;p?q",
						c[i].ref, strlen(c[i].ref)),
				 0);
		if (strcmp(b.ptr, c[i].want))
			fail_msg("\"%s\": got \"%s\", want \"%s\"", c[i].ref,
				 b.ptr, c[i].want);
	}
	td_buf_release(&b);
}

static void
url_resolve_rfc3986_normal_examples(void **state)
{
	/* RFC 3986 5.4.1 */
	static const struct rcase c[] = {
	    {"g:h", "g:h"},
	    {"g", "http://a/b/c/g"},
	    {"./g", "http://a/b/c/g"},
	    {"g/", "http://a/b/c/g/"},
	    {"/g", "http://a/g"},
	    {"//g", "http://g"},
	    {"?y", "http://a/b/c/d;p?y"},
	    {"g?y", "http://a/b/c/g?y"},
	    {"#s", "http://a/b/c/d;p?q#s"},
	    {"g#s", "http://a/b/c/g#s"},
	    {"g?y#s", "http://a/b/c/g?y#s"},
	    {";x", "http://a/b/c/;x"},
	    {"g;x", "http://a/b/c/g;x"},
	    {"g;x?y#s", "http://a/b/c/g;x?y#s"},
	    {"", "http://a/b/c/d;p?q"},
	    {".", "http://a/b/c/"},
	    {"./", "http://a/b/c/"},
	    {"..", "http://a/b/"},
	    {"../", "http://a/b/"},
	    {"../g", "http://a/b/g"},
	    {"../..", "http://a/"},
	    {"../../", "http://a/"},
	    {"../../g", "http://a/g"},
	};

	check_resolve(c, sizeof(c) / sizeof(c[0]));
}

static void
url_resolve_rfc3986_abnormal_examples(void **state)
{
	/* RFC 3986 5.4.2, strict parser */
	static const struct rcase c[] = {
	    {"../../../g", "http://a/g"},
	    {"../../../../g", "http://a/g"},
	    {"/./g", "http://a/g"},
	    {"/../g", "http://a/g"},
	    {"g.", "http://a/b/c/g."},
	    {".g", "http://a/b/c/.g"},
	    {"g..", "http://a/b/c/g.."},
	    {"..g", "http://a/b/c/..g"},
	    {"./../g", "http://a/b/g"},
	    {"./g/.", "http://a/b/c/g/"},
	    {"g/./h", "http://a/b/c/g/h"},
	    {"g/../h", "http://a/b/c/h"},
	    {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
	    {"g;x=1/../y", "http://a/b/c/y"},
	    {"g?y/./x", "http://a/b/c/g?y/./x"},
	    {"g?y/../x", "http://a/b/c/g?y/../x"},
	    {"g#s/./x", "http://a/b/c/g#s/./x"},
	    {"g#s/../x", "http://a/b/c/g#s/../x"},
	    {"http:g", "http:g"},
	};

	check_resolve(c, sizeof(c) / sizeof(c[0]));
}

static void
url_resolve_appends_and_checks_base(void **state)
{
	struct td_buf b = TD_BUF_INIT;

	td_buf_adds(&b, "x ");
	assert_int_equal(td_url_resolve(&b, "https://h.example", "p?q", 1), 0);
	assert_string_equal(b.ptr, "x https://h.example/p");
	assert_int_equal(td_url_resolve(&b, "/relative/base", "g", 1),
			 TD_EPARSE);
	assert_string_equal(b.ptr, "x https://h.example/p");
	td_buf_release(&b);
}

/* ---- unwrap ---- */

/* url must unwrap to want with kind. */
static void
unwraps(const char *url, const char *kind, const char *want)
{
	char *inner = NULL;
	const char *k = NULL;
	int r = td_url_unwrap(&inner, &k, url, strlen(url));

	if (r != 1)
		fail_msg("%s: not unwrapped (%d)", url, r);
	assert_string_equal(k, kind);
	assert_string_equal(inner, want);
	free(inner);
}

static void
not_unwrapped(const char *url)
{
	char *inner = (char *)"x";
	const char *k = "x";

	if (td_url_unwrap(&inner, &k, url, strlen(url)) != 0)
		fail_msg("%s: unwrapped to %s", url, inner);
	assert_null(inner);
	assert_null(k);
}

static void
url_unwrap_safelinks(void **state)
{
	unwraps(
	    "https://nam12.safelinks.protection.outlook.com/?url=https%3A%2F"
	    "%2Fevil.example%2Flogin%3Fid%3D1%26x%3Dy&data=05%7C01%7C%7Cabc"
	    "%7C0&sdata=xyz%3D&reserved=0",
	    "safelinks", "https://evil.example/login?id=1&x=y");
	/* GCC (gcc02.…outlook.com), GCC High and DoD (office365.us) */
	unwraps("https://gcc02.safelinks.protection.outlook.com/?url=http%3A%2F"
		"%2Fevil.example%2F&data=04",
		"safelinks", "http://evil.example/");
	unwraps(
	    "https://usg02.safelinks.protection.office365.us/?url=https%3A%2F"
	    "%2Fevil.example%2Fa&data=05%7C01",
	    "safelinks", "https://evil.example/a");
	/* newer path form */
	unwraps("https://eur01.safelinks.protection.outlook.com/ap/w-59584e83/"
		"?url=https%3A%2F%2Fevil.example%2F&data=05",
		"safelinks", "https://evil.example/");
	/* "&amp;" left in by a careless HTML decoder */
	unwraps(
	    "https://nam04.safelinks.protection.outlook.com/?data=1&amp;url="
	    "https%3A%2F%2Fevil.example%2F",
	    "safelinks", "https://evil.example/");
}

static void
url_unwrap_safelinks_lookalikes_refused(void **state)
{
	/* the host is evil.example, not Microsoft */
	not_unwrapped("https://nam12.safelinks.protection.outlook.com@evil."
		      "example/?url=https%3A%2F%2Fpaypal.com%2F");
	not_unwrapped("https://safelinks.protection.outlook.com.evil.example/"
		      "?url=https%3A%2F%2Fpaypal.com%2F");
	/* not an http(s)/ftp target */
	not_unwrapped("https://nam12.safelinks.protection.outlook.com/?url="
		      "javascript%3Aalert(1)");
	not_unwrapped("https://nam12.safelinks.protection.outlook.com/?url="
		      "%2F%2Fevil.example%2F");
	not_unwrapped("https://nam12.safelinks.protection.outlook.com/?url="
		      "https%3A%2F%2Fevil.example%2F%00x");
	not_unwrapped("https://nam12.safelinks.protection.outlook.com/");
}

static void
url_unwrap_proofpoint_v1(void **state)
{
	unwraps(
	    "https://urldefense.proofpoint.com/v1/url?u=http://www.example."
	    "com/path%3Fa%3D1%26b%3D2&k=oIvRg1%2BdGAgOoM1BIlLLqw%3D%3D%0A&r="
	    "abc&m=def&s=123",
	    "proofpoint-v1", "http://www.example.com/path?a=1&b=2");
}

static void
url_unwrap_proofpoint_v2(void **state)
{
	unwraps(
	    "https://urldefense.proofpoint.com/v2/url?u=http-3A__www.example"
	    ".org_url-3Fa-3D1-26b-3D2-5Fc-2Dd&d=DwMFaQ&c=abcDEF&r=xyz&m="
	    "123&s=456&e=",
	    "proofpoint-v2", "http://www.example.org/url?a=1&b=2_c-d");
	not_unwrapped("https://urldefense.proofpoint.com/v2/url?d=DwMFaQ");
}

static void
url_unwrap_proofpoint_v3(void **state)
{
	/* '*' stands for the next replaced character: "JSM" is "%#" */
	unwraps(
	    "https://urldefense.com/v3/__https://firebasestorage.example/v0/"
	    "o/owa*2Findex.html?alt=media&token=0249*victim@example.com__;"
	    "JSM!!Fjc1LPEtn8I!abc-def$",
	    "proofpoint-v3",
	    "https://firebasestorage.example/v0/o/owa%2Findex.html?alt=media"
	    "&token=0249#victim@example.com");
	/* "**B" is a run of three; replacements are characters, not bytes */
	unwraps("https://urldefense.com/v3/__https://example.com/p**Bq*r__;"
		"w6nigqx4Jg!!AbC!dEf$",
		"proofpoint-v3", "https://example.com/pé€xq&r");
	/* nothing replaced, and the single slash some relays leave */
	unwraps("https://urldefense.com/v3/__https:/evil.example/a__;!!xY!z$",
		"proofpoint-v3", "https://evil.example/a");
	/* the URL part is percent-decoded once */
	unwraps("https://urldefense.us/v3/__http://evil.example/a%20b__;!!x$",
		"proofpoint-v3", "http://evil.example/a b");
	/* more '*' than replacement characters */
	not_unwrapped("https://urldefense.com/v3/__https://example.com/*a*__;"
		      "JQ!!x$");
	/* not base64 */
	not_unwrapped("https://urldefense.com/v3/__https://example.com/*a__;"
		      "J.Q!!x$");
	/* no "__;" */
	not_unwrapped("https://urldefense.com/v3/__https://example.com/");
}

static void
url_unwrap_google(void **state)
{
	/* corpus sample-4530 */
	unwraps(
	    "https://www.google.com/url?q=https://platform3355.top/1wq4W8&sa="
	    "D&source=editors&ust=1734953443927954&usg=AOvVaw02NW0vOcu0L91uT"
	    "rxcy-eI",
	    "google", "https://platform3355.top/1wq4W8");
	/* corpus sample-2312: %2B is decoded once */
	unwraps(
	    "https://www.google.com/url?q=https://d2G78g04.na1.hubspotlinks."
	    "com/Ctc/UC%2B113/d2G78g04/VW9F-V1Jgk38W5hj_mJ66X0gKW58c1_756sr"
	    "VMMtGxlP3m2ndW6N1vHY6lZ3mwW3t6l_W2XxKNRW2JLK5C5xjcysW8D48Zv6H_"
	    "k7gW8vdPgd5K4JYtW2h_hY936bKwZW8NhGkh93qH6MW8Pm_4D51cDw5N6SsZ9R"
	    "8xxN8W52qCrz9dVyQnW4wfKNT363fS6W65nBK19bgbBFW7bpgdD1BsbS7W4dDh"
	    "Cy1hb6X0W8TvgvH65KQTLW93PrLD4y1ZXhW25dXWy5g6S_bW8MflS033drsBVk"
	    "lKtq6vSGf6VDvbdV7KqslZW51gL5C8LGFpQW3FTTbl678MSCW93XL1w7DZfqwf"
	    "44Wstv04&source=gmail&ust=1701815648994000&usg=AOvVaw0Djw6ru5n"
	    "feAcZlaPw89tG",
	    "google",
	    "https://d2G78g04.na1.hubspotlinks.com/Ctc/UC+113/d2G78g04/VW9F-"
	    "V1Jgk38W5hj_mJ66X0gKW58c1_756srVMMtGxlP3m2ndW6N1vHY6lZ3mwW3t6l_"
	    "W2XxKNRW2JLK5C5xjcysW8D48Zv6H_k7gW8vdPgd5K4JYtW2h_hY936bKwZW8Nh"
	    "Gkh93qH6MW8Pm_4D51cDw5N6SsZ9R8xxN8W52qCrz9dVyQnW4wfKNT363fS6W65"
	    "nBK19bgbBFW7bpgdD1BsbS7W4dDhCy1hb6X0W8TvgvH65KQTLW93PrLD4y1ZXhW"
	    "25dXWy5g6S_bW8MflS033drsBVklKtq6vSGf6VDvbdV7KqslZW51gL5C8LGFpQW"
	    "3FTTbl678MSCW93XL1w7DZfqwf44Wstv04");
	/* other Google domains, and ?url= when ?q= is no URL */
	unwraps("https://www.google.co.uk/url?sa=t&url=https%3A%2F%2Fevil."
		"example%2F&usg=x",
		"google", "https://evil.example/");
	unwraps("http://google.com.br/url?q=&url=http://evil.example/",
		"google", "http://evil.example/");
	not_unwrapped("https://www.google.com/search?q=https://evil.example/");
	not_unwrapped(
	    "https://www.google.evil.example/url?q=https://x.example/");
	not_unwrapped("https://google.github.io/url?q=https://evil.example/");
	not_unwrapped("https://google.zzzz/url?q=https://evil.example/");
}

static void
url_unwrap_google_amp(void **state)
{
	unwraps("https://www.google.com/amp/s/evil.example/login?x=1",
		"google-amp", "https://evil.example/login?x=1");
	unwraps("https://www.google.com/amp/evil.example/", "google-amp",
		"http://evil.example/");
	/* corpus sample-3306 and sample-3393: Google ccTLDs */
	unwraps("https://google.jo/amp/s/rb.gy/dy6npe", "google-amp",
		"https://rb.gy/dy6npe");
	unwraps("https://google.co.jp/amp/s/businessmindset.website",
		"google-amp", "https://businessmindset.website");
}

static void
url_unwrap_clicktime(void **state)
{
	/* corpus sample-1867 */
	unwraps("https://clicktime.symantec.com/39e8TeBHakB1PfMJjJ1h1zf7Vc?u="
		"http%3A%2F%2Fwww.pyramidci.com%2F",
		"clicktime", "http://www.pyramidci.com/");
}

static void
url_unwrap_amazon_ses(void **state)
{
	/* corpus sample-201 */
	unwraps("https://v8lsv193.r.us-east-1.awstrack.me/L0/https:%2F%2Foyosh"
		"opbuisness.webshopapp.com%2Finfox/1/010001855a9eb563-45812ad6-"
		"024a-46e2-a03b-c664023a37ec-000000/OP6tJxRDRlDwFjlhKioEGx2vq9k"
		"=302",
		"awstrack", "https://oyoshopbuisness.webshopapp.com/infox");
	not_unwrapped("https://x.r.us-east-1.awstrack.me/favicon.ico");
}

static void
url_unwrap_bing(void **state)
{
	/* corpus sample-6288: u= is "a1" and base64url */
	unwraps(
	    "https://www.bing.com/ck/a?!&&p=369235ecee38554585271b6851bbe707"
	    "600a8852ac3ec6a4585f415f0a335343JmltdHM9MTc1MzY2MDgwMA&ptn=3&"
	    "ver=2&hsh=4&fclid=148b8bc7-6c57-69bf-167c-9dc06de46818&u=a1aHR"
	    "0cHM6Ly9saW5rbGlmdC5zcGFjZS83LWNvbW1vbi1taXN0YWtlcy10by1hdm9pZ"
	    "C13aGVuLXBsYW5uaW5nLWEtZnVuZXJhbC1zZXJ2aWNlLw&ntb=1",
	    "bing",
	    "https://linklift.space/7-common-mistakes-to-avoid-when-"
	    "planning-a-funeral-service/");
	not_unwrapped("https://www.bing.com/ck/a?u=a1!!!");
}

static void
url_unwrap_webmail_dereferrer(void **state)
{
	/* corpus sample-1492 */
	unwraps("https://deref-web.de/mail/client/akYai3oF398/dereferrer/?"
		"redirectUrl=https%3A%2F%2Ft.ly%2Faiwugiuaew-gakahgbhf97%2Fakf"
		"guahbfa-sdgojbiah87y%2Fkadbhuyag8gy-sadgbhihsbgd%2Fsdkhbaudfs"
		"dg-shdbhsbdg",
		"deref",
		"https://t.ly/aiwugiuaew-gakahgbhf97/akfguahbfa-sdgojbiah87y/"
		"kadbhuyag8gy-sadgbhihsbgd/sdkhbaudfsdg-shdbhsbdg");
	not_unwrapped("https://deref-evil.example/mail/client/x/dereferrer/?"
		      "redirectUrl=https%3A%2F%2Fpaypal.com%2F");
}

static void
url_unwrap_image_proxies(void **state)
{
	/* corpus sample-6288: Gmail keeps the original after '#' */
	unwraps(
	    "https://ci3.googleusercontent.com/meips/ADKq_NYIgWxaNGizKIaNtf"
	    "jyoiK2mO25Wliu1gT7jtNvLMdz48V7AIzzi208-HZrv8TtfWfCaWWwObDuyw78"
	    "ZTnNbWmGIPCA8Hi4bZUtexFb4MIhlr2a7sZ1Nz6gYITBs5Hu6CF5nbtX1GOWtV"
	    "MuE6-tQvh_bgwKnC7cgCKl_w=s0-d-e1-ft#https://images.comms.aol.ne"
	    "t/images/7e9f95d8eb314841380147da63cc45a5/cycle_3/mp_idp_hero_1"
	    "200x442.png",
	    "gmail-imgproxy",
	    "https://images.comms.aol.net/images/7e9f95d8eb314841380147da63c"
	    "c45a5/cycle_3/mp_idp_hero_1200x442.png");
	/* corpus sample-1333, with its t= token shortened */
	unwraps(
	    "https://imgproxy-prod.services.web.outlook.com/proxy/?u=http%3A"
	    "%2F%2Furl1701.astroinfo.com.tw%2Fwf%2Fopen%3Fupn%3DJ4p-2FLdwMr"
	    "DGXQ0W48smaCZDipYLHSUmIDq8dt9845dDc7Z0-2B8SEuCZ2-2BzA6ZlfFCXq0N"
	    "0erwjypMpJkDz4Np8gjZk71sxJy3H7llBSeLebHkXOHBF7hNsKDkh1Zwbku1Rvt"
	    "lZiG6yGMmvNviplAPj7-2FUtwBF1OrkFwrA9xQAGUMQpmW36ZW-2BrEsfjCiLRw"
	    "3-2BNuuGjQ-2FEQ8C7C9c-2BB4coAKDSy0AUc8OZLEdd-2FOGspbE-3D&t=eyJh"
	    "bGciOiJSUzI1NiJ9.e30.XncmJZ&r=p&s=c",
	    "outlook-imgproxy",
	    "http://url1701.astroinfo.com.tw/wf/open?upn=J4p-2FLdwMrDGXQ0W48s"
	    "maCZDipYLHSUmIDq8dt9845dDc7Z0-2B8SEuCZ2-2BzA6ZlfFCXq0N0erwjypMp"
	    "JkDz4Np8gjZk71sxJy3H7llBSeLebHkXOHBF7hNsKDkh1Zwbku1RvtlZiG6yGMm"
	    "vNviplAPj7-2FUtwBF1OrkFwrA9xQAGUMQpmW36ZW-2BrEsfjCiLRw3-2BNuuGj"
	    "Q-2FEQ8C7C9c-2BB4coAKDSy0AUc8OZLEdd-2FOGspbE-3D");
	not_unwrapped("https://ci3.googleusercontent.com/meips/ADKq_NY=s0-d");
}

static void
url_unwrap_other_security_gateways(void **state)
{
	unwraps("https://linkprotect.cudasvc.com/url?a=https%3a%2f%2fevil."
		"example%2fx%3fy%3d1&c=E,1,abcDEF&typo=1",
		"barracuda", "https://evil.example/x?y=1");
	/* Trend Micro, as quoted on public mailing lists (port kept) */
	unwraps(
	    "https://ddec1-0-en-ctp.trendmicro.com:443/wis/clicktime/v1/"
	    "query?url=https%3a%2f%2fdocs.oasis%2dopen.org%2fvirtio%2fvirtio"
	    "%2fv1.1%2fvirtio%2dv1.1.pdf&umid=d1786ace-e8ea-40e8-9665-96c09"
	    "49174e5&auth=53c7c7de28b92dfd96e93d9dd61a23e634d2fbec-39b15885c"
	    "eebe9fda9357320aec1ccbac416a470",
	    "trendmicro",
	    "https://docs.oasis-open.org/virtio/virtio/v1.1/virtio-v1.1.pdf");
	unwraps("https://secure-web.cisco.com/1AbCdEf-gh_IJkLm/https%3A%2F%2F"
		"evil.example%2Flogin%3Fa%3D1",
		"cisco", "https://evil.example/login?a=1");
	unwraps("https://eu-west-1.protection.sophos.com/?d=evil.example&u="
		"aHR0cHM6Ly9ldmlsLmV4YW1wbGUvYT9iPWM%3D&i=NWY&t=bXl&h=abc",
		"sophos", "https://evil.example/a?b=c");
	unwraps("https://protect2.fireeye.com/v1/url?k=31323334-50bba2bf-3132"
		"3334-4a5a3b2c1d0e-abc&q=1&e=x&u=https%3A%2F%2Fevil.example%2F",
		"fireeye", "https://evil.example/");
}

static void
url_unwrap_social_link_shims(void **state)
{
	unwraps("https://l.facebook.com/l.php?u=https%3A%2F%2Fevil.example%2F%3"
		"Ffbclid%3Dx&h=AT0abc",
		"facebook", "https://evil.example/?fbclid=x");
	unwraps("https://l.instagram.com/?u=https%3A%2F%2Fevil.example%2F&e=x",
		"instagram", "https://evil.example/");
	unwraps("https://www.youtube.com/redirect?event=video_description&q="
		"https%3A%2F%2Fevil.example%2F&v=abc",
		"youtube", "https://evil.example/");
	unwraps("https://www.linkedin.com/redir/redirect?url=https%3A%2F%2F"
		"evil.example%2F&urlhash=abc",
		"linkedin", "https://evil.example/");
	unwraps(
	    "https://vk.com/away.php?to=http%3A%2F%2Fevil.example%2F&cc_key=",
	    "vk", "http://evil.example/");
}

static void
url_unwrap_leaves_other_urls(void **state)
{
	/* open redirects on arbitrary sites are not wrappers: a kit's own
	   ?next=https://paypal.com must not hide the kit */
	not_unwrapped("https://evil.example/login?url=https://paypal.com/");
	not_unwrapped("https://www.prapornet.ru/redirect?url=https://example."
		      "com?id=88818482478444");
	/* shorteners and Mimecast need the network */
	not_unwrapped("https://t.co/AbCdEf");
	not_unwrapped("https://protect-eu.mimecast.com/s/AbCdEfGhIjK?domain="
		      "evil.example");
	not_unwrapped("ftp://nam12.safelinks.protection.outlook.com/?url="
		      "https%3A%2F%2Fevil.example%2F");
	not_unwrapped("");
	not_unwrapped("https://");
}

static void
url_opaque_wrapper_identified(void **state)
{
	const char *m = "https://protect-eu.mimecast.com/s/AbCdEfGhIjK?domain="
			"evil.example";
	const char *n = "https://url.uk.m.mimecastprotect.com/s/AbCdEfG";

	assert_string_equal(td_url_opaque_wrapper(m, strlen(m)), "mimecast");
	assert_string_equal(td_url_opaque_wrapper(n, strlen(n)), "mimecast");
	assert_null(td_url_opaque_wrapper("https://mimecast.com/s/x", 24));
	assert_null(td_url_opaque_wrapper("https://evil.example/", 21));
}

static void
url_unwrap_chain_peels_one_layer(void **state)
{
	const char *outer =
	    "https://nam12.safelinks.protection.outlook.com/?url="
	    "https%3A%2F%2Fwww.google.com%2Furl%3Fq%3Dhttps%253"
	    "A%252F%252Fevil.example%252F&data=05";
	char *inner, *inner2;
	const char *k;

	assert_int_equal(td_url_unwrap(&inner, &k, outer, strlen(outer)), 1);
	assert_string_equal(k, "safelinks");
	assert_string_equal(inner, "https://www.google.com/url?q=https%3A%2F%"
				   "2Fevil.example%2F");
	assert_int_equal(td_url_unwrap(&inner2, &k, inner, strlen(inner)), 1);
	assert_string_equal(k, "google");
	assert_string_equal(inner2, "https://evil.example/");
	free(inner);
	free(inner2);
}

/*
 * Every http(s) URL of the phishing corpus goes through parse and unwrap
 * (under ASan in `make MODE=asan check`); the wrapped ones we know of
 * must unwrap.
 */
static void
url_corpus_urls_parse_and_unwrap(void **state)
{
	const char *dir = getenv("TD_CORPUS");
	char path[4096];
	size_t nr_urls = 0, nr_ok = 0, nr_wrapped = 0;
	struct dirent *de;
	DIR *d;

	if (!dir)
		skip();
	snprintf(path, sizeof(path), "%s/phishing_pot/email", dir);
	d = opendir(path);
	if (!d)
		skip();
	while ((de = readdir(d))) {
		char file[8192];
		char *data = NULL, *p;
		size_t len = 0, got;
		FILE *f;

		if (!strstr(de->d_name, ".eml"))
			continue;
		snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
		f = fopen(file, "rb");
		if (!f)
			continue;
		data = malloc(1 << 20);
		assert_non_null(data);
		got = fread(data, 1, (1 << 20) - 1, f);
		fclose(f);
		data[got] = '\0';
		for (p = data; (p = strstr(p, "http")); p += len ? len : 4) {
			struct td_url u;
			char *inner;
			const char *k;

			len = strcspn(p, " \t\r\n\"'<>()");
			if (td_url_parse(&u, p, len, NULL) == 0) {
				assert_non_null(u.normalized);
				nr_ok++;
				td_url_release(&u);
			}
			if (td_url_unwrap(&inner, &k, p, len) == 1) {
				nr_wrapped++;
				free(inner);
			}
			nr_urls++;
		}
		free(data);
	}
	closedir(d);
	print_message("# %zu candidates, %zu parsed, %zu unwrapped\n", nr_urls,
		      nr_ok, nr_wrapped);
	/* raw files: quoted-printable "=3D" and "&amp;" hide some */
	assert_true(nr_ok > nr_urls / 2);
	assert_true(nr_wrapped >= 20);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(url_fields_of_a_plain_url),
	    cmocka_unit_test(url_userinfo_trick_is_split),
	    cmocka_unit_test(url_backslash_ends_authority_like_browsers),
	    cmocka_unit_test(url_idn_host_gets_alabel_and_ulabel),
	    cmocka_unit_test(url_idna_is_nontransitional),
	    cmocka_unit_test(url_bad_idn_rejected),
	    cmocka_unit_test(url_percent_encoded_host_is_decoded),
	    cmocka_unit_test(url_default_port_dropped_in_normalized),
	    cmocka_unit_test(url_bad_port_rejected),
	    cmocka_unit_test(url_no_path_is_not_added),
	    cmocka_unit_test(url_trailing_dot_kept_in_url_dropped_in_host),
	    cmocka_unit_test(url_decimal_ip_host_is_ip),
	    cmocka_unit_test(url_ipv4_forms_browsers_accept),
	    cmocka_unit_test(url_bad_ipv4_rejected),
	    cmocka_unit_test(url_ipv6_literal),
	    cmocka_unit_test(url_control_char_in_host_rejected),
	    cmocka_unit_test(url_nul_byte_rejected),
	    cmocka_unit_test(url_not_absolute_with_authority_rejected),
	    cmocka_unit_test(url_other_schemes_keep_their_port),
	    cmocka_unit_test(url_homograph_cyrillic_flagged),
	    cmocka_unit_test(url_homograph_greek_and_armenian_flagged),
	    cmocka_unit_test(url_single_script_idn_not_flagged),
	    cmocka_unit_test(url_domain_from_public_suffix_list),
	    cmocka_unit_test(url_registrable_of_host_names),
	    cmocka_unit_test(url_psl_sections),
	    cmocka_unit_test(url_long_idn_host_refused),
	    cmocka_unit_test(url_resolve_rfc3986_normal_examples),
	    cmocka_unit_test(url_resolve_rfc3986_abnormal_examples),
	    cmocka_unit_test(url_resolve_appends_and_checks_base),
	    cmocka_unit_test(url_unwrap_safelinks),
	    cmocka_unit_test(url_unwrap_safelinks_lookalikes_refused),
	    cmocka_unit_test(url_unwrap_proofpoint_v1),
	    cmocka_unit_test(url_unwrap_proofpoint_v2),
	    cmocka_unit_test(url_unwrap_proofpoint_v3),
	    cmocka_unit_test(url_unwrap_google),
	    cmocka_unit_test(url_unwrap_google_amp),
	    cmocka_unit_test(url_unwrap_clicktime),
	    cmocka_unit_test(url_unwrap_amazon_ses),
	    cmocka_unit_test(url_unwrap_bing),
	    cmocka_unit_test(url_unwrap_webmail_dereferrer),
	    cmocka_unit_test(url_unwrap_image_proxies),
	    cmocka_unit_test(url_unwrap_other_security_gateways),
	    cmocka_unit_test(url_unwrap_social_link_shims),
	    cmocka_unit_test(url_unwrap_leaves_other_urls),
	    cmocka_unit_test(url_opaque_wrapper_identified),
	    cmocka_unit_test(url_unwrap_chain_peels_one_layer),
	    cmocka_unit_test(url_corpus_urls_parse_and_unwrap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
