/*
 * textscan: URLs in plain text.  Focused cases, hostile input, linear
 * time, and the iocextract URL test vectors read in place from
 * $TD_CORPUS/ioc-iocextract (GPL-2.0 data, not copied).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "err.h"
#include "textscan.h"

#define MAX_HITS 16

struct hits {
	const char *text; /* what was scanned, for the invariants */
	size_t len;
	size_t end; /* end of the previous hit */
	size_t nr;
	size_t total;
	struct {
		char raw[700];
		char url[700];
		size_t raw_len;
		size_t url_len;
		unsigned flags;
	} h[MAX_HITS];
};

static int
has_scheme(const char *url)
{
	static const char *const s[] = {"http://", "https://", "ftp://",
					"ftps://", "sftp://"};
	size_t i;

	for (i = 0; i < sizeof(s) / sizeof(*s); i++)
		if (!strncasecmp(url, s[i], strlen(s[i])))
			return 1;
	return 0;
}

/* Checks what every hit must satisfy, and keeps the first MAX_HITS. */
static int
collect(const struct td_text_hit *hit, void *payload)
{
	struct hits *hs = payload;
	size_t off;

	assert_true(hit->raw >= hs->text);
	off = (size_t)(hit->raw - hs->text);
	assert_true(off >= hs->end);
	assert_true(hit->raw_len > 0 && off + hit->raw_len <= hs->len);
	hs->end = off + hit->raw_len;
	assert_non_null(hit->url);
	assert_int_equal(strlen(hit->url), hit->url_len);
	assert_true(hit->url_len <= TD_TEXT_URL_MAX);
	assert_true(has_scheme(hit->url));
	if (!(hit->flags & (TD_HIT_DEFANGED | TD_HIT_JOINED | TD_HIT_ANGLE |
			    TD_HIT_NO_SCHEME | TD_HIT_TRUNCATED))) {
		assert_int_equal(hit->raw_len, hit->url_len);
		assert_memory_equal(hit->raw, hit->url, hit->url_len);
	}
	hs->total++;
	if (hs->nr < MAX_HITS) {
		snprintf(hs->h[hs->nr].raw, sizeof(hs->h[0].raw), "%.*s",
			 (int)hit->raw_len, hit->raw);
		snprintf(hs->h[hs->nr].url, sizeof(hs->h[0].url), "%s",
			 hit->url);
		hs->h[hs->nr].raw_len = hit->raw_len;
		hs->h[hs->nr].url_len = hit->url_len;
		hs->h[hs->nr].flags = hit->flags;
		hs->nr++;
	}
	return 0;
}

static void
scann(struct hits *hs, const char *text, size_t len)
{
	memset(hs, 0, sizeof(*hs));
	hs->text = text;
	hs->len = len;
	assert_int_equal(td_text_scan(text, len, collect, hs), 0);
}

static void
scan(struct hits *hs, const char *text)
{
	scann(hs, text, strlen(text));
}

/* text must yield exactly one hit with this raw span, url and flags */
static void
one(const char *text, const char *raw, const char *url, unsigned flags)
{
	struct hits hs;

	scan(&hs, text);
	if (hs.total != 1 || strcmp(hs.h[0].raw, raw) ||
	    strcmp(hs.h[0].url, url) || hs.h[0].flags != flags)
		print_message("# text [%s]: %zu hits, first raw [%s] url [%s] "
			      "flags %#x\n",
			      text, hs.total, hs.nr ? hs.h[0].raw : "",
			      hs.nr ? hs.h[0].url : "",
			      hs.nr ? hs.h[0].flags : 0);
	assert_int_equal(hs.total, 1);
	assert_string_equal(hs.h[0].raw, raw);
	assert_string_equal(hs.h[0].url, url);
	assert_int_equal(hs.h[0].flags, flags);
}

static void
none(const char *text)
{
	struct hits hs;

	scan(&hs, text);
	if (hs.total)
		print_message("# text [%s]: unexpected [%s]\n", text,
			      hs.h[0].url);
	assert_int_equal(hs.total, 0);
}

#define DEF TD_HIT_DEFANGED
#define JOIN TD_HIT_JOINED
#define ANG TD_HIT_ANGLE
#define NOS TD_HIT_NO_SCHEME

static void
textscan_plain_url_is_found_unchanged(void **state)
{
	one("see http://example.com/a?b=c#d now", "http://example.com/a?b=c#d",
	    "http://example.com/a?b=c#d", 0);
	one("HTTPS://Example.COM/", "HTTPS://Example.COM/",
	    "HTTPS://Example.COM/", 0);
	one("ftp://files.example.org/x.zip", "ftp://files.example.org/x.zip",
	    "ftp://files.example.org/x.zip", 0);
	one("http://example.com:8080/p", "http://example.com:8080/p",
	    "http://example.com:8080/p", 0);
	one("http://example.com./p", "http://example.com./p",
	    "http://example.com./p", 0);
}

static void
textscan_defanged_hxxp_is_refanged(void **state)
{
	one("hxxp://evil.example/login", "hxxp://evil.example/login",
	    "http://evil.example/login", DEF);
	one("hXXps://evil[.]example/a", "hXXps://evil[.]example/a",
	    "https://evil.example/a", DEF);
}

static void
textscan_defang_spellings_are_refanged(void **state)
{
	static const struct {
		const char *in, *url;
	} v[] = {
	    {"h**p://evil.example/", "http://evil.example/"},
	    {"h00ps://evil.example/", "https://evil.example/"},
	    {"meow://evil.example/", "http://evil.example/"},
	    {"fxp://evil.example/", "ftp://evil.example/"},
	    {"http[:]//evil.example/", "http://evil.example/"},
	    {"http(:)//evil.example/", "http://evil.example/"},
	    {"http[://]evil.example/", "http://evil.example/"},
	    {"http:[//]evil.example/", "http://evil.example/"},
	    {"http:\\\\evil.example\\a", "http://evil.example\\a"},
	    {"http__evil.example/", "http://evil.example/"},
	    {"https:__evil.example/", "https://evil.example/"},
	    {"http:// evil.example/", "http://evil.example/"},
	    {"http://evil[.]example/", "http://evil.example/"},
	    {"http://evil(.)example/", "http://evil.example/"},
	    {"http://evil{.}example/", "http://evil.example/"},
	    {"http://evil[dot]example/", "http://evil.example/"},
	    {"http://evil(DOT)example/", "http://evil.example/"},
	    {"http://evil[.example/", "http://evil.example/"},
	    {"http://evil.]example/", "http://evil.example/"},
	    {"http://evil [.] example/", "http://evil.example/"},
	    {"http://evil.example[/]a[.]php", "http://evil.example/a.php"},
	    {"http://evil.example[/a", "http://evil.example/a"},
	    {"http://evil.example/a(/)b", "http://evil.example/a/b"},
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(*v); i++)
		one(v[i].in, v[i].in, v[i].url, DEF);
}

static void
textscan_www_gets_http_prepended(void **state)
{
	one("go to www.example.com/login.", "www.example.com/login",
	    "http://www.example.com/login", NOS);
	one("(WWW.Example.co.uk)", "WWW.Example.co.uk",
	    "http://WWW.Example.co.uk", NOS);
	none("www.example is not enough");
	none("mail me at bob@www.example.com");
	none("a.www.example.com");
}

static void
textscan_defanged_bare_domain_is_found(void **state)
{
	one("block evil[.]example/login now", "evil[.]example/login",
	    "http://evil.example/login", NOS | DEF);
	one("a[.]b[.]example[.]com", "a[.]b[.]example[.]com",
	    "http://a.b.example.com", NOS | DEF);
	one("sub.evil(dot)com!", "sub.evil(dot)com", "http://sub.evil.com",
	    NOS | DEF);
	/* a defanged e-mail address is not a URL */
	none("bob@evil[.]example");
	none("bob[@]evil[.]example");
	none("bob(at)evil[.]example");
	none("bob[@]www.example.com");
	/* tcp:// is not taken, nor its host */
	none("tcp://evil[.]example/");
	/* one-letter top-level label */
	none("a[.]b");
}

static void
textscan_bare_defanged_ip_needs_port_or_path(void **state)
{
	none("192[.]168[.]0[.]1");
	one("192[.]168[.]0[.]1:8080/x", "192[.]168[.]0[.]1:8080/x",
	    "http://192.168.0.1:8080/x", NOS | DEF);
	one("10.0.0[.]1/a", "10.0.0[.]1/a", "http://10.0.0.1/a", NOS | DEF);
}

static void
textscan_trailing_period_is_dropped(void **state)
{
	one("Visit http://example.com/a.", "http://example.com/a",
	    "http://example.com/a", 0);
	one("Visit http://example.com.", "http://example.com",
	    "http://example.com", 0);
	one("Visit http://example.com/a...", "http://example.com/a",
	    "http://example.com/a", 0);
}

static void
textscan_trailing_punctuation_is_dropped(void **state)
{
	static const char *const v[] = {
	    "http://example.com/a,",
	    "http://example.com/a;",
	    "http://example.com/a:",
	    "http://example.com/a!",
	    "http://example.com/a?",
	    "http://example.com/a'",
	    "http://example.com/a\"",
	    "http://example.com/a*",
	    "http://example.com/a)",
	    "http://example.com/a]",
	    "http://example.com/a}",
	    "http://example.com/a>",
	    "http://example.com/a\xe2\x80\x9d", /* ” */
	    "http://example.com/a\xe2\x80\x99", /* ’ */
	    "http://example.com/a\xc2\xbb",	/* » */
	    "http://example.com/a\xe2\x80\xa6", /* … */
	    "http://example.com/a?!).",
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(*v); i++)
		one(v[i], "http://example.com/a", "http://example.com/a", 0);
	one("'http://example.com/it's'", "http://example.com/it's",
	    "http://example.com/it's", 0);
}

static void
textscan_balanced_parentheses_are_kept(void **state)
{
	one("(see https://en.wikipedia.org/wiki/Phishing_(disambiguation))",
	    "https://en.wikipedia.org/wiki/Phishing_(disambiguation)",
	    "https://en.wikipedia.org/wiki/Phishing_(disambiguation)", 0);
	one("http://example.com/a[1]", "http://example.com/a[1]",
	    "http://example.com/a[1]", 0);
	one("{http://example.com/{x}}", "http://example.com/{x}",
	    "http://example.com/{x}", 0);
}

static void
textscan_unbalanced_closer_is_dropped(void **state)
{
	one("(http://example.com/a)", "http://example.com/a",
	    "http://example.com/a", 0);
	one("[http://example.com]", "http://example.com", "http://example.com",
	    0);
	one("(http://example.com/a_(b)).", "http://example.com/a_(b)",
	    "http://example.com/a_(b)", 0);
}

static void
textscan_markdown_link_is_two_urls(void **state)
{
	struct hits hs;

	scan(&hs, "[http://evil.example/x](http://evil.example/x).");
	assert_int_equal(hs.total, 2);
	assert_string_equal(hs.h[0].raw, "http://evil.example/x");
	assert_string_equal(hs.h[1].raw, "http://evil.example/x");
	one("see [here](https://evil.example/login).",
	    "https://evil.example/login", "https://evil.example/login", 0);
	one("http://example.com/a[1](2)", "http://example.com/a[1](2)",
	    "http://example.com/a[1](2)", 0);
}

static void
textscan_delimiters_end_url(void **state)
{
	one("http://example.com/a b", "http://example.com/a",
	    "http://example.com/a", 0);
	one("http://example.com/a<b", "http://example.com/a",
	    "http://example.com/a", 0);
	one("http://example.com/a>b", "http://example.com/a",
	    "http://example.com/a", 0);
	one("\"http://example.com/a\"b", "http://example.com/a",
	    "http://example.com/a", 0);
	one("`http://example.com/a`", "http://example.com/a",
	    "http://example.com/a", 0);
	one("http://example.com/a\tb", "http://example.com/a",
	    "http://example.com/a", 0);
	one("http://example.com/a\x7f", "http://example.com/a",
	    "http://example.com/a", 0);
}

static void
textscan_implausible_hosts_are_rejected(void **state)
{
	none("http://");
	none("http:// ");
	none("http://localhost/");
	none("http://intranet/x");
	none("http://.example.com/");
	none("http://example..com/");
	none("http://example[.]/");
	none("http://1234/");
	none("https://[test]/");
	none("http://-/");
}

static void
textscan_integer_and_ipv6_hosts_are_accepted(void **state)
{
	one("http://3232235777/x", "http://3232235777/x", "http://3232235777/x",
	    0);
	one("http://0xC0A80101/", "http://0xC0A80101/", "http://0xC0A80101/",
	    0);
	one("http://[2001:db8::1]:80/t", "http://[2001:db8::1]:80/t",
	    "http://[2001:db8::1]:80/t", 0);
	one("http://192.168.0.1", "http://192.168.0.1", "http://192.168.0.1",
	    0);
}

static void
textscan_scheme_needs_word_boundary(void **state)
{
	none("xhttp://example.com/");
	none("foo.http://example.com/");
	none("tcp://example.com/");
	none("ftx://example.com/");
	one("**http://example.com**", "http://example.com",
	    "http://example.com", 0);
	one("URL:http://example.com", "http://example.com",
	    "http://example.com", 0);
	one("?u=http://example.com", "http://example.com", "http://example.com",
	    0);
	one("line-https://t.co/x height", "https://t.co/x", "https://t.co/x",
	    0);
}

static void
textscan_userinfo_host_is_checked(void **state)
{
	one("http://paypal.com@evil.example/x",
	    "http://paypal.com@evil.example/x",
	    "http://paypal.com@evil.example/x", 0);
	one("http://user:pw@evil.example:81/",
	    "http://user:pw@evil.example:81/",
	    "http://user:pw@evil.example:81/", 0);
	none("http://paypal.com@localhost/");
}

/* A line of exactly cols columns ending in the first half of a URL. */
static void
wrapped(char *buf, size_t size, size_t cols, const char *tail)
{
	char head[200];
	size_t n;

	snprintf(head, sizeof(head), "Please log in here: http://");
	n = strlen(head);
	for (; n < cols; n++)
		head[n] = (n % 7) ? 'a' + (char)(n % 26) : '.';
	head[cols] = '\0';
	snprintf(buf, size, "%s\n%s now", head, tail);
}

static void
textscan_wrapped_line_is_joined(void **state)
{
	char buf[400], want[400], raw[400];
	struct hits hs;
	size_t n;

	wrapped(buf, sizeof(buf), 76, "ample.com/login.php?id=3");
	scan(&hs, buf);
	assert_int_equal(hs.total, 1);
	assert_int_equal(hs.h[0].flags, JOIN);
	snprintf(want, sizeof(want), "%.*sample.com/login.php?id=3",
		 (int)(76 - 20), buf + 20);
	assert_string_equal(hs.h[0].url, want);
	assert_int_equal(hs.h[0].raw_len, strlen(want) + 1);

	/* CRLF, 77 columns, over three lines; the middle one all letters */
	n = snprintf(buf, sizeof(buf),
		     "Your account: https://secure.example."
		     "com/verify/");
	memset(buf + n, 'a', 77 - n);
	memcpy(buf + 77, "\r\n", 2);
	memset(buf + 79, 'b', 77);
	snprintf(buf + 156, sizeof(buf) - 156, "\r\ncc/dd?x=1 thanks");
	scan(&hs, buf);
	assert_int_equal(hs.total, 1);
	assert_int_equal(hs.h[0].flags, JOIN);
	snprintf(raw, sizeof(raw), "%.*s", (int)(167 - 14), buf + 14);
	assert_string_equal(hs.h[0].raw, raw);
	snprintf(want, sizeof(want), "%.*s%.*scc/dd?x=1", 77 - 14, buf + 14, 77,
		 buf + 79);
	assert_string_equal(hs.h[0].url, want);
}

static void
textscan_wrapped_host_is_joined(void **state)
{
	one("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    " https://ex\nample.com/a",
	    "https://ex\nample.com/a", "https://example.com/a", JOIN);
}

static void
textscan_short_line_is_not_joined(void **state)
{
	one("See http://example.com/a\nb/c/d", "http://example.com/a",
	    "http://example.com/a", 0);
}

static void
textscan_prose_after_line_end_is_not_joined(void **state)
{
	char buf[400];
	struct hits hs;
	static const char *const prose[] = {"Thanks,",
					    "and then",
					    "2. Open",
					    "John",
					    "html",
					    "e.g. this",
					    "follow-up",
					    "List-Unsubscribe: <x/y>",
					    "e.",
					    "https://other.example/",
					    "www.other.example"};
	size_t i;

	for (i = 0; i < sizeof(prose) / sizeof(*prose); i++) {
		wrapped(buf, sizeof(buf), 76, prose[i]);
		scan(&hs, buf);
		assert_true(hs.total >= 1);
		assert_int_equal(hs.h[0].flags, 0);
		assert_int_equal(hs.h[0].raw_len, 76 - 20);
	}
	/* an indented next line is not a continuation */
	wrapped(buf, sizeof(buf), 76, " x/y?z=1");
	scan(&hs, buf);
	assert_int_equal(hs.h[0].flags, 0);
}

static void
textscan_qp_soft_break_is_joined(void **state)
{
	char line[100], buf[300];
	struct hits hs;
	size_t n;

	/* a 76-column line ending in '=', as RFC 2045 6.7 (5) writes it */
	snprintf(line, sizeof(line), "Click: https://evil.example/");
	n = strlen(line);
	while (n < 75)
		line[n++] = 'q';
	line[n++] = '=';
	line[n] = '\0';
	snprintf(buf, sizeof(buf), "%s\nrest?a=1 bye", line);
	scan(&hs, buf);
	assert_int_equal(hs.total, 1);
	assert_int_equal(hs.h[0].flags, JOIN);
	assert_true(strstr(hs.h[0].url, "qqq=") == NULL);
	assert_true(strstr(hs.h[0].url, "qqqrest?a=1") != NULL);
	/* a short line's '=' is the URL's own */
	one("x http://evil.example/?a=\nb",
	    "http://evil.example/?a=", "http://evil.example/?a=", 0);
}

static void
textscan_break_after_scheme_is_joined(void **state)
{
	one("see http://\nevil.example/x", "http://\nevil.example/x",
	    "http://evil.example/x", JOIN);
}

static void
textscan_angle_url_spans_lines(void **state)
{
	one("Expect <URL:http://www.w3.org/pub/WWW/\n   History.html> soon",
	    "http://www.w3.org/pub/WWW/\n   History.html",
	    "http://www.w3.org/pub/WWW/History.html", ANG | JOIN);
	one("<http://www.example.com/a b\r\n c>",
	    "http://www.example.com/a b\r\n c", "http://www.example.com/abc",
	    ANG | JOIN);
	one("<http://example.com/a.>", "http://example.com/a.",
	    "http://example.com/a.", ANG);
	one("<www.example.com>", "www.example.com", "http://www.example.com",
	    ANG | NOS);
	one("<hxxp://evil[.]example/\n  x>", "hxxp://evil[.]example/\n  x",
	    "http://evil.example/x", ANG | JOIN | DEF);
}

static void
textscan_unclosed_angle_is_plain_url(void **state)
{
	one("<http://example.com/a b c", "http://example.com/a",
	    "http://example.com/a", 0);
	/* a blank line ends the search for '>' */
	one("<http://example.com/a\n\nb>", "http://example.com/a",
	    "http://example.com/a", 0);
	one("<http://example.com/a <b>", "http://example.com/a",
	    "http://example.com/a", 0);
}

static void
textscan_unicode_space_ends_url(void **state)
{
	one("as\xc2\xa0"
	    "example[.]com\xc2\xa0"
	    "words):",
	    "example[.]com", "http://example.com", NOS | DEF);
	one("http://example.com/a\xe2\x80\x83"
	    "b",
	    "http://example.com/a", "http://example.com/a", 0);
	one("http://example.com/a\xe3\x80\x80"
	    "b",
	    "http://example.com/a", "http://example.com/a", 0);
	one("http://example.com/a\xe2\x80\x8b"
	    "b",
	    "http://example.com/a", "http://example.com/a", 0);
}

static void
textscan_cjk_punctuation_ends_url(void **state)
{
	/* 请访问 http://example.com/a。谢谢 */
	one("\xe8\xaf\xb7\xe8\xae\xbf\xe9\x97\xae http://example.com/a"
	    "\xe3\x80\x82\xe8\xb0\xa2\xe8\xb0\xa2",
	    "http://example.com/a", "http://example.com/a", 0);
	one("http://example.com/a\xef\xbc\x8c"
	    "b",
	    "http://example.com/a", "http://example.com/a", 0);
	one("http://example.com\xef\xbc\x9e", "http://example.com",
	    "http://example.com", 0);
}

static void
textscan_iri_letters_are_kept(void **state)
{
	one("http://\xd0\xbf\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80.\xd1\x80"
	    "\xd1\x84/\xd0\xb2\xd1\x85\xd0\xbe\xd0\xb4 x",
	    "http://\xd0\xbf\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80.\xd1\x80"
	    "\xd1\x84/\xd0\xb2\xd1\x85\xd0\xbe\xd0\xb4",
	    "http://\xd0\xbf\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80.\xd1\x80"
	    "\xd1\x84/\xd0\xb2\xd1\x85\xd0\xbe\xd0\xb4",
	    0);
	one("http://example.com/caf\xc3\xa9", "http://example.com/caf\xc3\xa9",
	    "http://example.com/caf\xc3\xa9", 0);
	one("http://example.com/a\xe2\x80\x9d"
	    "b",
	    "http://example.com/a\xe2\x80\x9d"
	    "b",
	    "http://example.com/a\xe2\x80\x9d"
	    "b",
	    0);
	one("www.b\xc3\xbc"
	    "cher.de",
	    "www.b\xc3\xbc"
	    "cher.de",
	    "http://www.b\xc3\xbc"
	    "cher.de",
	    NOS);
}

static void
textscan_nul_byte_ends_url(void **state)
{
	static const char t[] = "x http://example.com/a\0b http://b.example\0";
	struct hits hs;

	scann(&hs, t, sizeof(t) - 1);
	assert_int_equal(hs.total, 2);
	assert_string_equal(hs.h[0].url, "http://example.com/a");
	assert_string_equal(hs.h[1].url, "http://b.example");
	scann(&hs, "\0\0\0http://\0", 11);
	assert_int_equal(hs.total, 0);
}

static void
textscan_invalid_utf8_ends_url(void **state)
{
	one("http://example.com/caf\xe9 x", "http://example.com/caf",
	    "http://example.com/caf", 0);
	one("http://example.com/a\xc0\xaf", "http://example.com/a",
	    "http://example.com/a", 0);
	one("http://example.com/a\xed\xa0\x80", "http://example.com/a",
	    "http://example.com/a", 0);
	one("http://example.com/a\xef\xbf\xbd", "http://example.com/a",
	    "http://example.com/a", 0);
	one("http://example.com/a\xe2\x82", "http://example.com/a",
	    "http://example.com/a", 0);
	none("http://\xff\xfe.com/");
}

static void
textscan_long_url_is_truncated(void **state)
{
	size_t n = 3 * TD_TEXT_URL_MAX, i;
	char *t = malloc(n + 16);
	struct hits hs;

	assert_non_null(t);
	memcpy(t, "http://a.example/", 17);
	for (i = 17; i < n; i++)
		t[i] = "ab/c"[i % 4];
	memcpy(t + n, " http://b.ex", 12);
	scann(&hs, t, n + 12);
	assert_int_equal(hs.total, 2);
	assert_int_equal(hs.h[0].url_len, TD_TEXT_URL_MAX);
	assert_int_equal(hs.h[0].raw_len, TD_TEXT_URL_MAX);
	assert_int_equal(hs.h[0].flags, TD_HIT_TRUNCATED);
	assert_string_equal(hs.h[1].url, "http://b.ex");

	/* a cut never splits a UTF-8 sequence */
	t[17] = 'x';
	for (i = 18; i + 1 < n; i += 2)
		memcpy(t + i, "\xc3\xa9", 2);
	scann(&hs, t, n);
	assert_int_equal(hs.total, 1);
	assert_true(hs.h[0].flags & TD_HIT_TRUNCATED);
	assert_true(hs.h[0].url_len == TD_TEXT_URL_MAX - 1 ||
		    hs.h[0].url_len == TD_TEXT_URL_MAX);
	assert_int_equal(hs.h[0].raw_len, hs.h[0].url_len);

	/* a defanged one: raw stops where url does */
	memcpy(t, "hxxp://a[.]example/", 19);
	for (i = 19; i < n; i++)
		t[i] = 'z';
	scann(&hs, t, n);
	assert_int_equal(hs.total, 1);
	assert_int_equal(hs.h[0].flags, TD_HIT_TRUNCATED | DEF);
	assert_int_equal(hs.h[0].url_len, TD_TEXT_URL_MAX);
	assert_int_equal(hs.h[0].raw_len, TD_TEXT_URL_MAX + 2);
	free(t);
}

static void
textscan_hits_are_in_text_order(void **state)
{
	struct hits hs;

	scan(&hs, "a http://one.example/ b www.two.example c three[.]example "
		  "<http://four.example/> hxxp://five[.]example.");
	assert_int_equal(hs.total, 5);
	assert_string_equal(hs.h[0].url, "http://one.example/");
	assert_string_equal(hs.h[1].url, "http://www.two.example");
	assert_string_equal(hs.h[2].url, "http://three.example");
	assert_string_equal(hs.h[3].url, "http://four.example/");
	assert_string_equal(hs.h[4].url, "http://five.example");
}

static int
stop_at_second(const struct td_text_hit *hit, void *payload)
{
	int *n = payload;

	return ++*n == 2 ? 42 : 0;
}

static void
textscan_callback_value_stops_scan(void **state)
{
	const char *t = "http://a.example http://b.example http://c.example";
	int n = 0;

	assert_int_equal(td_text_scan(t, strlen(t), stop_at_second, &n), 42);
	assert_int_equal(n, 2);
	assert_int_equal(td_text_scan(NULL, 0, stop_at_second, &n), 0);
	assert_int_equal(td_text_scan("", 0, stop_at_second, &n), 0);
}

static int
count_hits(const struct td_text_hit *hit, void *payload)
{
	(*(size_t *)payload)++;
	return 0;
}

/* Random mixes of the pieces the parser cares about; invariants only. */
static void
textscan_random_pieces_keep_invariants(void **state)
{
	static const char *const piece[] = {
	    "http",
	    "hxxp",
	    "https",
	    "://",
	    ":",
	    "//",
	    "__",
	    "[.]",
	    "(.)",
	    "[dot]",
	    "[:]",
	    "[/]",
	    "www.",
	    ".",
	    ".com",
	    "a",
	    "b1",
	    "/",
	    "?x=1",
	    " ",
	    "\n",
	    "\r\n",
	    "=\n",
	    "<",
	    ">",
	    "<URL:",
	    "(",
	    ")",
	    "[",
	    "]",
	    "@",
	    "\"",
	    "'",
	    "\xc2\xa0",
	    "\xe3\x80\x82",
	    "\xc3\xa9",
	    "\xff",
	    "\xe2",
	    "\x00",
	    "-",
	    "_",
	    "\\",
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxx",
	};
	size_t np = sizeof(piece) / sizeof(*piece), n = 0, cap = 1 << 21;
	char *t = malloc(cap + 128);
	struct hits hs;
	unsigned seed = 12345;
	int round;

	assert_non_null(t);
	for (round = 0; round < 4; round++) {
		n = 0;
		while (n < cap) {
			const char *p;
			size_t k;

			seed = seed * 1103515245u + 12345u;
			p = piece[(seed >> 16) % np];
			k = p[0] ? strlen(p) : 1;
			memcpy(t + n, p, k);
			n += k;
		}
		scann(&hs, t, n);
		print_message("# random round %d: %zu hits\n", round, hs.total);
	}
	free(t);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
time_scan(const char *t, size_t n, size_t *hits)
{
	double t0 = now();

	*hits = 0;
	assert_int_equal(td_text_scan(t, n, count_hits, hits), 0);
	return now() - t0;
}

/* Fill n bytes with pat repeated. */
static void
fill(char *t, size_t n, const char *pat)
{
	size_t k = strlen(pat), i;

	for (i = 0; i + k <= n; i += k)
		memcpy(t + i, pat, k);
	memset(t + i, 'x', n - i);
}

static void
textscan_50mb_line_is_linear(void **state)
{
	static const char *const pat[] = {
	    "http://a",
	    ".",
	    "www.",
	    "a[.]",
	    "<http://a.b ",
	    "hxxp[:]//",
	    "(",
	    "[",
	    ":",
	    "__",
	    "http://a.b/(",
	    "http__a@",
	    "a.b[.]",
	    "http://x.y/"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaa\n",
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "x"
	    "xxxxxxxxx=\n",
	    "http://a.b/......",
	};
	size_t big = 50u << 20, small = 5u << 20, i, hits;
	char *t = malloc(big);

	assert_non_null(t);
	for (i = 0; i < sizeof(pat) / sizeof(*pat); i++) {
		double ts, tb;

		fill(t, big, pat[i]);
		ts = time_scan(t, small, &hits);
		tb = time_scan(t, big, &hits);
		print_message("# %-12.12s 5 MB %.3fs, 50 MB %.3fs (%.0f MB/s), "
			      "%zu hits\n",
			      pat[i], ts, tb, 50 / (tb > 0 ? tb : 1e-9), hits);
		/* quadratic would be 100 times slower; linear is 10 */
		assert_true(tb < 25 * ts + 0.25);
	}
	/* "http://a.b/" then 50 MB of dots: one hit, the dots trimmed */
	memcpy(t, "http://a.b/", 11);
	memset(t + 11, '.', big - 11);
	time_scan(t, big, &hits);
	assert_int_equal(hits, 1);
	free(t);
}

static void
textscan_throughput_is_reported(void **state)
{
	static const char para[] =
	    "Dear customer, your account has been temporarily limited. To "
	    "restore access, please confirm your details within 24 hours at "
	    "https://secure-login.example.com/verify?id=8f3a2c&lang=en. If "
	    "you do not, your account (ref. 1234-5678) will be closed: see "
	    "our terms at www.example.org/terms, or write to "
	    "support@example.org. Thank you.\n";
	size_t n = 64u << 20, hits;
	char *t = malloc(n);
	double s;

	assert_non_null(t);
	fill(t, n, para);
	s = time_scan(t, n, &hits);
	print_message("# English mail text: %.0f MB/s (%zu hits in 64 MB)\n",
		      64 / (s > 0 ? s : 1e-9), hits);
	assert_true(hits > 0);
	free(t);
}

/* ---- iocextract: $TD_CORPUS/ioc-iocextract ---- */

static const char *
corpus_dir(void)
{
	const char *c = getenv("TD_CORPUS");

	return c && *c ? c : "../shared/corpus";
}

/*
 * Vector categories we deliberately do not follow, with the reason.
 * Everything else must pass, up to the floor asserted below.
 */
enum {
	X_ENCODED,
	X_SCHEME,
	X_DOTLESS,
	X_SPACES,
	X_DELIM,
	X_ESCAPE,
	X_HALFDOT,
	X_NR
};

static const char *const excluded_why[X_NR] = {
    [X_ENCODED] = "base64/hex/%-encoded URLs (extract_encoded_urls): "
		  "decoding is not text scanning",
    [X_SCHEME] = "tcp://, udp://, ftx://: not schemes whose hosts are "
		 "taken down (iocextract takes any [fhstu]..[px] word)",
    [X_DOTLESS] = "dotless hosts (example, [test]): not registrable, "
		  "cannot be taken down",
    [X_SPACES] = "spaces inside a URL (Cisco ESA style 'example .com', "
		 "'com /path'): in prose they splice the next words in",
    [X_DELIM] = "> \" ` and fullwidth < > inside a path: RFC 3986 "
		"appendix C delimiters end a URL in text",
    [X_ESCAPE] = "backslash escapes (example\\.com, \\(.\\)): markdown "
		 "quoting, not a defang",
    [X_HALFDOT] = "mangled half-bracket 'dot' (exampledot]com, "
		  "example[dotcom): not a defang in use",
};

/* The host part of a URL-ish vector string, for the dotless category. */
static int
dotless_host(const char *s)
{
	const char *p = strstr(s, "//");
	size_t n;
	char h[256];

	if (!p)
		p = strstr(s, "__");
	if (!p)
		p = strstr(s, "\\\\");
	if (!p)
		return 0;
	p += 2;
	while (*p == ' ')
		p++;
	n = strcspn(p, "/?# ");
	if (n >= sizeof(h))
		return 0;
	memcpy(h, p, n);
	h[n] = '\0';
	return !strchr(h, '.') && !strstr(h, "dot") && !strchr(h, ':');
}

static int
category(const char *fn, const char *test, const char *in, const char *exp)
{
	size_t i;

	if (!strcmp(fn, "iocextract.extract_encoded_urls") ||
	    !strcmp(test, "test_base64_error_when_whitespace_in_leading_"
			  "characters"))
		return X_ENCODED;
	if (!strncasecmp(in, "tcp:", 4) || !strncasecmp(in, "udp:", 4) ||
	    !strncasecmp(in, "ftx:", 4))
		return X_SCHEME;
	if (strstr(in, "\\(") || strstr(in, "\\."))
		return X_ESCAPE;
	if ((strstr(in, "dot]") || strstr(in, "[dot")) && !strstr(in, "[dot]"))
		return X_HALFDOT;
	if (dotless_host(in))
		return X_DOTLESS;
	for (i = 0; in[i]; i++)
		if (in[i] == ' ' && (in[i + 1] == '.' || in[i + 1] == '/') &&
		    i > 0 && in[i - 1] != ']')
			return X_SPACES;
	if (exp && (strpbrk(exp, ">\"`") || strstr(exp, "\xef\xbc\x9e") ||
		    strstr(exp, "\xef\xbc\x9c")))
		return X_DELIM;
	return -1;
}

/* No defang left in a url said to be refanged. */
static int
clean(const char *url)
{
	static const char *const bad[] = {"[.]",   "(.)", "{.}", "[dot]",
					  "(dot)", "[/]", "[:]", "hxxp",
					  "__",	   ":\\", " ",	 "\n"};
	size_t i;

	if (!has_scheme(url))
		return 0;
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		if (strcasestr(url, bad[i]))
			return 0;
	return 1;
}

static void
textscan_iocextract_vectors(void **state)
{
	char path[1024];
	json_error_t jerr;
	json_t *root, *rec;
	size_t i, run = 0, pass = 0, excl[X_NR] = {0}, nx = 0, k;

	snprintf(path, sizeof(path), "%s/ioc-iocextract/tests-vectors.json",
		 corpus_dir());
	root = json_load_file(path, 0, &jerr);
	if (!root) {
		print_message("# skip: %s not readable (set TD_CORPUS to the "
			      "shared corpus): %s\n",
			      path, jerr.text);
		skip();
	}
	assert_true(json_is_array(root));
	json_array_foreach(root, i, rec)
	{
		const char *fn =
		    json_string_value(json_object_get(rec, "function"));
		const char *test =
		    json_string_value(json_object_get(rec, "test"));
		const char *form =
		    json_string_value(json_object_get(rec, "result_form"));
		json_t *arg = json_array_get(json_object_get(rec, "args"), 0);
		json_t *exp = json_object_get(rec, "expected");
		int refang = json_is_true(
		    json_object_get(json_object_get(rec, "kwargs"), "refang"));
		const char *in = json_string_value(arg);
		const char *why = NULL;
		struct hits hs;
		int cat, ok = 0;

		if (!fn || !test || !form || !in)
			continue;
		/*
		 * extract_urls vectors; refang_data ones are refang=true
		 * expectations for URLs too.
		 */
		if (!strcmp(fn, "iocextract.refang_data"))
			refang = 1;
		else if (strcmp(fn, "iocextract.extract_urls") &&
			 strcmp(fn, "iocextract.extract_encoded_urls"))
			continue;
		cat = category(fn, test, in, json_string_value(exp));
		if (cat >= 0) {
			excl[cat]++;
			nx++;
			continue;
		}
		run++;
		scann(&hs, in, json_string_length(arg));
		if (!strcmp(form, "list[0]") || !strcmp(form, "value")) {
			const char *e = json_string_value(exp);

			if (!hs.nr)
				why = "no hit";
			else if (refang && strcmp(hs.h[0].url, e))
				why = "url differs";
			else if (!refang && strcmp(hs.h[0].raw, e))
				why = "raw span differs";
			else if (!clean(hs.h[0].url))
				why = "url not refanged";
			else
				ok = 1;
		} else if (!strncmp(form, "list[", 5)) {
			/* iocextract lists overlapping matches first */
			for (k = 0; k < hs.nr; k++)
				if (!strcmp(hs.h[k].raw,
					    json_string_value(exp)))
					ok = 1;
			why = ok ? NULL : "not among the hits";
		} else if (!strcmp(form, "list") && json_is_array(exp)) {
			/*
			 * iocextract also yields matches inside other matches
			 * ("hXXps:// 1.2.3[.]4/a" and "1.2.3[.]4/a"); we
			 * report each URL once, the outermost.
			 */
			size_t n = 0, j, m;
			json_t *v, *w;

			ok = 1;
			json_array_foreach(exp, j, v)
			{
				int inner = 0;

				json_array_foreach(
				    exp, m, w) if (m != j &&
						   strstr(json_string_value(w),
							  json_string_value(v)))
				    inner = 1;
				if (inner)
					continue;
				if (n >= hs.nr ||
				    strcmp(hs.h[n].raw, json_string_value(v)))
					ok = 0;
				n++;
			}
			if (n != hs.total)
				ok = 0;
			why = ok ? NULL : "hit list differs";
		} else if (!strcmp(form, "len(list)")) {
			ok = (json_int_t)hs.total == json_integer_value(exp);
			why = ok ? NULL : "hit count differs";
		} else {
			run--;
			continue;
		}
		if (ok)
			pass++;
		else
			print_message(
			    "# fail (%s): [%s] -> [%s]\n", why, in,
			    hs.nr ? (refang ? hs.h[0].url : hs.h[0].raw) : "");
	}
	for (k = 0; k < X_NR; k++)
		print_message("# excluded %zu: %s\n", excl[k], excluded_why[k]);
	print_message("# iocextract URL vectors: %zu/%zu passed (%.1f%%), "
		      "%zu excluded\n",
		      pass, run, run ? 100.0 * pass / run : 0.0, nx);
	json_decref(root);
	/* floor: every vector outside the excluded categories (945) */
	assert_true(run >= 900);
	assert_int_equal(pass, run);
}

/* Every hit's raw and url, for the test_data files. */
struct all {
	char **raw;
	char **url;
	size_t nr, alloc;
};

static int
collect_all(const struct td_text_hit *hit, void *payload)
{
	struct all *a = payload;

	if (a->nr == a->alloc) {
		a->alloc = a->alloc ? 2 * a->alloc : 64;
		a->raw = realloc(a->raw, a->alloc * sizeof(*a->raw));
		a->url = realloc(a->url, a->alloc * sizeof(*a->url));
		assert_non_null(a->raw);
		assert_non_null(a->url);
	}
	a->raw[a->nr] = strndup(hit->raw, hit->raw_len);
	a->url[a->nr] = strdup(hit->url);
	a->nr++;
	return 0;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1))) {
		*len = fread(buf, 1, (size_t)n, f);
		buf[*len] = '\0';
	}
	fclose(f);
	return buf;
}

/*
 * What a line of valid.txt is to us: NULL for a URL we must find, else
 * why it is not (valid.txt lists every kind of IOC).
 */
static const char *
valid_kind(const char *l)
{
	size_t n = strlen(l);

	if (!strstr(l, "://") && !strstr(l, "[.]") && !strstr(l, "[dot]") &&
	    !strstr(l, "(.)"))
		return "not a URL (hash, phone, address)";
	if (!strncmp(l, "tcp:", 4))
		return excluded_why[X_SCHEME];
	if (!strstr(l, "://") && !strchr(l, '/') && !strchr(l, ':') &&
	    strspn(l, "0123456789[].dot") == n)
		return "a bare IPv4 address: the ioc module's";
	if (strstr(l, "example,com"))
		return "comma for dot: a comma is a sub-delim, not a defang";
	if (!strcmp(l, "http://[example.com"))
		return "stray '[' before a host";
	if (!strncmp(l, "http://fdc4:", 12))
		return "IPv6 without brackets (RFC 3986 3.2.2 requires them)";
	return NULL;
}

static void
textscan_iocextract_test_data(void **state)
{
	char path[1024];
	char *in, *valid, *invalid, *l, *save = NULL;
	size_t len, vlen, ilen, i, want = 0, found = 0;
	struct all a = {0};

	snprintf(path, sizeof(path), "%s/ioc-iocextract/test_data/input.txt",
		 corpus_dir());
	in = slurp(path, &len);
	if (!in) {
		print_message("# skip: %s not readable (set TD_CORPUS to the "
			      "shared corpus)\n",
			      path);
		skip();
	}
	snprintf(path, sizeof(path), "%s/ioc-iocextract/test_data/valid.txt",
		 corpus_dir());
	valid = slurp(path, &vlen);
	snprintf(path, sizeof(path), "%s/ioc-iocextract/test_data/invalid.txt",
		 corpus_dir());
	invalid = slurp(path, &ilen);
	assert_non_null(valid);
	assert_non_null(invalid);
	assert_int_equal(td_text_scan(in, len, collect_all, &a), 0);

	for (l = strtok_r(valid, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		const char *why = valid_kind(l);
		int hit = 0;

		if (why) {
			print_message("# valid, not ours: %s (%s)\n", l, why);
			continue;
		}
		want++;
		for (i = 0; i < a.nr; i++)
			if (!strcmp(a.raw[i], l))
				hit = 1;
		found += hit;
		if (!hit)
			print_message("# valid, not found: %s\n", l);
	}
	for (l = strtok_r(invalid, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		for (i = 0; i < a.nr; i++) {
			assert_string_not_equal(a.raw[i], l);
			assert_false(!strncmp(a.url[i], "http://", 7) &&
				     !strcmp(a.url[i] + 7, l));
		}
	}
	print_message("# iocextract test_data: %zu/%zu valid URLs found, "
		      "%zu hits\n",
		      found, want, a.nr);
	/* floor: every URL line of valid.txt we do not exclude above (33) */
	assert_true(want >= 30);
	assert_int_equal(found, want);
	for (i = 0; i < a.nr; i++) {
		free(a.raw[i]);
		free(a.url[i]);
	}
	free(a.raw);
	free(a.url);
	free(in);
	free(valid);
	free(invalid);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(textscan_plain_url_is_found_unchanged),
	    cmocka_unit_test(textscan_defanged_hxxp_is_refanged),
	    cmocka_unit_test(textscan_defang_spellings_are_refanged),
	    cmocka_unit_test(textscan_www_gets_http_prepended),
	    cmocka_unit_test(textscan_defanged_bare_domain_is_found),
	    cmocka_unit_test(textscan_bare_defanged_ip_needs_port_or_path),
	    cmocka_unit_test(textscan_trailing_period_is_dropped),
	    cmocka_unit_test(textscan_trailing_punctuation_is_dropped),
	    cmocka_unit_test(textscan_balanced_parentheses_are_kept),
	    cmocka_unit_test(textscan_unbalanced_closer_is_dropped),
	    cmocka_unit_test(textscan_markdown_link_is_two_urls),
	    cmocka_unit_test(textscan_delimiters_end_url),
	    cmocka_unit_test(textscan_implausible_hosts_are_rejected),
	    cmocka_unit_test(textscan_integer_and_ipv6_hosts_are_accepted),
	    cmocka_unit_test(textscan_scheme_needs_word_boundary),
	    cmocka_unit_test(textscan_userinfo_host_is_checked),
	    cmocka_unit_test(textscan_wrapped_line_is_joined),
	    cmocka_unit_test(textscan_wrapped_host_is_joined),
	    cmocka_unit_test(textscan_short_line_is_not_joined),
	    cmocka_unit_test(textscan_prose_after_line_end_is_not_joined),
	    cmocka_unit_test(textscan_qp_soft_break_is_joined),
	    cmocka_unit_test(textscan_break_after_scheme_is_joined),
	    cmocka_unit_test(textscan_angle_url_spans_lines),
	    cmocka_unit_test(textscan_unclosed_angle_is_plain_url),
	    cmocka_unit_test(textscan_unicode_space_ends_url),
	    cmocka_unit_test(textscan_cjk_punctuation_ends_url),
	    cmocka_unit_test(textscan_iri_letters_are_kept),
	    cmocka_unit_test(textscan_nul_byte_ends_url),
	    cmocka_unit_test(textscan_invalid_utf8_ends_url),
	    cmocka_unit_test(textscan_long_url_is_truncated),
	    cmocka_unit_test(textscan_hits_are_in_text_order),
	    cmocka_unit_test(textscan_callback_value_stops_scan),
	    cmocka_unit_test(textscan_random_pieces_keep_invariants),
	    cmocka_unit_test(textscan_50mb_line_is_linear),
	    cmocka_unit_test(textscan_throughput_is_reported),
	    cmocka_unit_test(textscan_iocextract_vectors),
	    cmocka_unit_test(textscan_iocextract_test_data),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
