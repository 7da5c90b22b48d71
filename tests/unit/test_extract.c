#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "extract.h"
#include "jsonw.h"

static const struct td_xurl *
find_url(const struct td_xmsg *m, const char *url)
{
	size_t i;

	for (i = 0; i < m->nr_urls; i++)
		if (!strcmp(m->urls[i].u.url, url))
			return &m->urls[i];
	return NULL;
}

static void
extract(struct td_extract *x, const char *msg)
{
	assert_int_equal(td_extract_message(x, msg, strlen(msg), NULL, NULL), 0);
	assert_true(x->nr_msgs >= 1);
}

static void
extract_link_text_mismatch_flagged(void **state)
{
	struct td_extract x;
	const struct td_xurl *u;

	extract(&x, "Content-Type: text/html\n\n"
		    "<a href=\"http://login.evil.example/pp\">www.paypal.com</a>"
		    "<a href=\"https://www.paypal.com/x\">paypal.com</a>");
	u = find_url(&x.msgs[0], "http://login.evil.example/pp");
	assert_non_null(u);
	assert_true(u->mismatch);
	assert_string_equal(u->found[0].shown_host, "www.paypal.com");
	assert_string_equal(u->found[0].where, "a href");
	u = find_url(&x.msgs[0], "https://www.paypal.com/x");
	assert_non_null(u);
	assert_false(u->mismatch);
	td_extract_release(&x);
}

static void
extract_same_url_merged_with_places(void **state)
{
	struct td_extract x;
	const struct td_xurl *u;

	extract(&x, "Content-Type: multipart/alternative; boundary=b\n\n"
		    "--b\nContent-Type: text/plain\n\nhttp://dup.example/a\n"
		    "--b\nContent-Type: text/html\n\n<a href=\"http://dup.example/a\">x</a>\n"
		    "--b--\n");
	assert_int_equal(x.msgs[0].nr_urls, 1);
	u = &x.msgs[0].urls[0];
	assert_int_equal(u->seen, 2);
	assert_int_equal(u->nr_found, 2);
	assert_string_equal(u->found[0].part, "1");
	assert_string_equal(u->found[1].part, "2");
	td_extract_release(&x);
}

static void
extract_mailto_and_tel_become_values(void **state)
{
	struct td_extract x;

	extract(&x, "Content-Type: text/html\n\n"
		    "<a href=\"mailto:drop@evil.example?subject=x\">write</a>"
		    "<a href=\"tel:+12025550143\">call</a>");
	assert_int_equal(x.msgs[0].nr_urls, 0);
	assert_int_equal(x.msgs[0].emails.nr, 1);
	assert_string_equal(x.msgs[0].emails.v[0].value, "drop@evil.example");
	assert_int_equal(x.msgs[0].phones.nr, 1);
	td_extract_release(&x);
}

static void
extract_google_redirect_unwrapped_with_provenance(void **state)
{
	struct td_extract x;
	const struct td_xurl *u;

	extract(&x, "Content-Type: text/plain\n\n"
		    "https://www.google.com/url?q=https://evil.example/login&sa=D\n");
	u = find_url(&x.msgs[0], "https://evil.example/login");
	assert_non_null(u);
	assert_int_equal(u->nr_wraps, 1);
	assert_string_equal(u->wraps[0].url,
			    "https://www.google.com/url?q=https://evil.example/login&sa=D");
	td_extract_release(&x);
}

static void
extract_forwarded_message_is_separate(void **state)
{
	struct td_extract x;

	extract(&x, "Subject: fwd\nContent-Type: multipart/mixed; boundary=o\n\n"
		    "--o\nContent-Type: text/plain\n\nsee below\n"
		    "--o\nContent-Type: message/rfc822\n\n"
		    "Subject: inner\nFrom: Bank <no-reply@evil.example>\n\n"
		    "http://inner.example/\n--o--\n");
	assert_int_equal(x.nr_msgs, 2);
	assert_int_equal(x.msgs[0].nr_urls, 0);
	assert_int_equal(x.msgs[1].role, TD_MAIL_ATTACHED);
	assert_int_equal(x.msgs[1].parent, 0);
	assert_string_equal(x.msgs[1].subject, "inner");
	assert_string_equal(x.msgs[1].from[0].addr, "no-reply@evil.example");
	assert_non_null(find_url(&x.msgs[1], "http://inner.example/"));
	td_extract_release(&x);
}

static void
extract_protocol_relative_link_gets_https(void **state)
{
	struct td_extract x;
	const struct td_xurl *u;

	extract(&x, "Content-Type: text/html\n\n"
		    "<a href=\"//evil.example/login\">x</a>");
	u = find_url(&x.msgs[0], "https://evil.example/login");
	assert_non_null(u);
	assert_string_equal(u->raw, "//evil.example/login");
	td_extract_release(&x);
}

static void
extract_broken_markup_caught_by_source_scan(void **state)
{
	struct td_extract x;
	const struct td_xurl *u;

	extract(&x, "Content-Type: text/html\n\n"
		    "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0//EN\" "
		    "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">"
		    "<html xmlns=\"http://www.w3.org/1999/xhtml\">"
		    "<a hre\"https://t.co/S9HfXypJZq\">x</a>"
		    "<a href=\"http://ok.example/?a=1&amp;b=2\">y</a>"
		    "<a href=\"http://spaced.example  /path\">z</a>");
	u = find_url(&x.msgs[0], "https://t.co/S9HfXypJZq");
	assert_non_null(u);
	assert_string_equal(u->found[0].where, "html source");
	/* the real link is not added again from its &amp; form */
	u = find_url(&x.msgs[0], "http://ok.example/?a=1&b=2");
	assert_non_null(u);
	assert_int_equal(u->nr_found, 1);
	/* a space in the host: the part before it is still reported */
	assert_non_null(find_url(&x.msgs[0], "http://spaced.example"));
	/* namespace and DTD identifiers are not links */
	assert_int_equal(x.msgs[0].nr_urls, 3);
	td_extract_release(&x);
}

static void
extract_attachment_hashed(void **state)
{
	struct td_extract x;

	extract(&x, "Content-Type: multipart/mixed; boundary=o\n\n"
		    "--o\nContent-Type: application/zip; name=a.zip\n"
		    "Content-Transfer-Encoding: base64\n\nYWJj\n--o--\n");
	assert_int_equal(x.msgs[0].nr_attachments, 1);
	assert_string_equal(x.msgs[0].attachments[0].filename, "a.zip");
	assert_int_equal(x.msgs[0].attachments[0].size, 3);
	/* sha256("abc") */
	assert_string_equal(x.msgs[0].attachments[0].sha256,
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	td_extract_release(&x);
}

static void
extract_url_limit_warns(void **state)
{
	struct td_extract_opts o = TD_EXTRACT_OPTS_INIT;
	struct td_extract x;
	char body[4096];
	size_t n = 0;
	int i;

	n += (size_t)snprintf(body + n, sizeof(body) - n, "Subject: x\n\n");
	for (i = 0; i < 50; i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n,
				      "http://h%d.example/\n", i);
	o.max_urls = 10;
	assert_int_equal(td_extract_message(&x, body, n, &o, NULL), 0);
	assert_int_equal(x.msgs[0].nr_urls, 10);
	assert_true(x.nr_warnings >= 1);
	assert_non_null(strstr(x.warnings[x.nr_warnings - 1], "max_urls"));
	td_extract_release(&x);
}

static void
extract_json_is_ascii_and_valid(void **state)
{
	struct td_extract x;
	struct td_buf out = TD_BUF_INIT;
	struct td_jw w;
	json_t *j;
	size_t i;

	extract(&x, "Subject: =?UTF-8?B?w6k=?= \x1b[2J \xff \xf0\x9f\x94\xa5\n\n"
		    "http://xn--80ak6aa92e.com/\n");
	td_jw_init(&w, &out);
	td_jw_obj(&w);
	td_extract_json(&w, &x);
	td_jw_obj_end(&w);
	for (i = 0; i < out.len; i++)
		assert_true(out.ptr[i] >= 0x20 && out.ptr[i] < 0x7f);
	/* e-acute, ESC, a raw 8-bit byte (GMime reads it as latin-1), an
	   emoji as a surrogate pair */
	assert_non_null(strstr(out.ptr, "\\u00e9 \\u001b[2J \\u00ff \\ud83d\\udd25"));
	j = json_loadb(out.ptr, out.len, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
		json_array_get(json_object_get(j, "messages"), 0), "headers"), "subject")),
		"\xc3\xa9 \x1b[2J \xc3\xbf \xf0\x9f\x94\xa5");
	json_decref(j);
	td_buf_release(&out);
	td_extract_release(&x);
}

static void
extract_shown_host_forms(void **state)
{
	char *h;

	h = td_extract_shown_host("  PayPal.com ", 13);
	assert_string_equal(h, "paypal.com");
	free(h);
	h = td_extract_shown_host("Visit https://www.bank.example.com/login now", 44);
	assert_string_equal(h, "www.bank.example.com");
	free(h);
	assert_null(td_extract_shown_host("Click here", 10));
	assert_null(td_extract_shown_host("file.exe", 8));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(extract_link_text_mismatch_flagged),
		cmocka_unit_test(extract_same_url_merged_with_places),
		cmocka_unit_test(extract_mailto_and_tel_become_values),
		cmocka_unit_test(extract_google_redirect_unwrapped_with_provenance),
		cmocka_unit_test(extract_forwarded_message_is_separate),
		cmocka_unit_test(extract_protocol_relative_link_gets_https),
		cmocka_unit_test(extract_broken_markup_caught_by_source_scan),
		cmocka_unit_test(extract_attachment_hashed),
		cmocka_unit_test(extract_url_limit_warns),
		cmocka_unit_test(extract_json_is_ascii_and_valid),
		cmocka_unit_test(extract_shown_host_forms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
