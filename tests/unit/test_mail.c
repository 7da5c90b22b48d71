#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mail.h"

/* What a walk saw, flattened to a string for easy comparison. */
struct seen {
	struct td_buf log;
	struct td_buf text;
	unsigned warnings;
	struct td_buf warn;
};

static int
on_msg(const struct td_mail_msg *m, void *p)
{
	struct seen *s = p;
	const struct td_mail_header *h = td_mail_header_find(m, "Subject");

	td_buf_printf(&s->log, "M(%s,%s,%s)", m->role == TD_MAIL_OUTER ? "outer" : "attached",
		      m->part, h ? h->decoded : "-");
	return 0;
}

static int
on_part(const struct td_mail_part *p, void *payload)
{
	struct seen *s = payload;

	td_buf_printf(&s->log, "P(%s,%s%s%s)", p->path, p->content_type,
		      p->filename ? "," : "", p->filename ? p->filename : "");
	if (p->text)
		td_buf_add(&s->text, p->text, p->text_len);
	return 0;
}

static void
on_end(const struct td_mail_msg *m, void *p)
{
	struct seen *s = p;

	td_buf_adds(&s->log, "E");
}

static void
on_warn(const char *t, void *p)
{
	struct seen *s = p;

	s->warnings++;
	td_buf_adds(&s->warn, t);
	td_buf_addch(&s->warn, '\n');
}

static const struct td_mail_cb cb = {on_msg, on_part, on_end, on_warn};

static void
walk(struct seen *s, const char *msg, size_t len,
     const struct td_mail_limits *lim)
{
	memset(s, 0, sizeof(*s));
	td_buf_init(&s->log, 0);
	td_buf_init(&s->text, 0);
	td_buf_init(&s->warn, 0);
	assert_int_equal(td_mail_walk(msg, len, lim, &cb, s, NULL), 0);
}

static void
seen_release(struct seen *s)
{
	td_buf_release(&s->log);
	td_buf_release(&s->text);
	td_buf_release(&s->warn);
}

static const char forwarded[] =
	"From: Reporter <r@example.org>\r\n"
	"Subject: Fwd: phish\r\n"
	"MIME-Version: 1.0\r\n"
	"Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
	"\r\n"
	"--b1\r\n"
	"Content-Type: text/plain\r\n"
	"\r\n"
	"See attached.\r\n"
	"--b1\r\n"
	"Content-Type: message/rfc822\r\n"
	"Content-Disposition: attachment; filename=\"phish.eml\"\r\n"
	"\r\n"
	"From: \"Bank\" <x@evil.example>\r\n"
	"Subject: =?UTF-8?B?VmVyaWZ5IHlvdXIgYWNjb3VudA==?=\r\n"
	"Content-Type: multipart/alternative; boundary=\"b2\"\r\n"
	"\r\n"
	"--b2\r\n"
	"Content-Type: text/plain; charset=iso-8859-1\r\n"
	"Content-Transfer-Encoding: quoted-printable\r\n"
	"\r\n"
	"Caf=E9 http://evil.example/a\r\n"
	"--b2\r\n"
	"Content-Type: text/html; charset=utf-8\r\n"
	"Content-Transfer-Encoding: base64\r\n"
	"\r\n"
	"PGEgaHJlZj0iaHR0cDovL2V2aWwuZXhhbXBsZS9iIj5sb2dpbjwvYT4=\r\n"
	"--b2--\r\n"
	"--b1--\r\n";

static void
mail_nested_rfc822_is_walked(void **state)
{
	struct seen s;

	walk(&s, forwarded, sizeof(forwarded) - 1, NULL);
	assert_string_equal(s.log.ptr,
			    "M(outer,,Fwd: phish)P(1,text/plain)"
			    "M(attached,2,Verify your account)"
			    "P(2.1,text/plain)P(2.2,text/html)EE");
	seen_release(&s);
}

static void
mail_charsets_and_encodings_decoded(void **state)
{
	struct seen s;

	walk(&s, forwarded, sizeof(forwarded) - 1, NULL);
	assert_non_null(strstr(s.text.ptr, "Caf\xc3\xa9 http://evil.example/a"));
	assert_non_null(
		strstr(s.text.ptr, "<a href=\"http://evil.example/b\">login</a>"));
	seen_release(&s);
}

static void
mail_unknown_charset_falls_back(void **state)
{
	static const char m[] = "Subject: x\n"
				"Content-Type: text/plain; charset=x-no-such\n"
				"\n"
				"abc \xe9t\xe9\n";
	struct seen s;

	walk(&s, m, sizeof(m) - 1, NULL);
	/* not valid UTF-8: read as windows-1252 */
	assert_non_null(strstr(s.text.ptr, "abc \xc3\xa9t\xc3\xa9"));
	assert_non_null(strstr(s.warn.ptr, "unknown charset"));
	seen_release(&s);
}

static void
mail_attached_eml_file_is_walked(void **state)
{
	static const char m[] =
		"Subject: outer\n"
		"Content-Type: multipart/mixed; boundary=zz\n"
		"\n"
		"--zz\n"
		"Content-Type: application/octet-stream; name=\"x.eml\"\n"
		"Content-Disposition: attachment; filename=\"x.eml\"\n"
		"Content-Transfer-Encoding: base64\n"
		"\n"
		"U3ViamVjdDogaW5uZXIKCmJvZHkK\n"
		"--zz--\n";
	struct seen s;

	walk(&s, m, sizeof(m) - 1, NULL);
	assert_string_equal(s.log.ptr,
			    "M(outer,,outer)P(1,application/octet-stream,x.eml)"
			    "M(attached,1,inner)P(1.1,text/plain)EE");
	seen_release(&s);
}

static void
mail_depth_limit_warns(void **state)
{
	struct td_buf m = TD_BUF_INIT;
	struct td_mail_limits lim = TD_MAIL_LIMITS_INIT;
	struct seen s;
	int i;

	td_buf_adds(&m, "Subject: deep\n");
	for (i = 0; i < 30; i++)
		td_buf_printf(&m, "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n", i, i);
	td_buf_adds(&m, "Content-Type: text/plain\n\nbottom\n");
	lim.max_depth = 10;
	walk(&s, m.ptr, m.len, &lim);
	assert_null(strstr(s.text.ptr, "bottom"));
	assert_non_null(strstr(s.warn.ptr, "max_depth"));
	seen_release(&s);
	td_buf_release(&m);
}

static void
mail_part_limit_warns(void **state)
{
	struct td_buf m = TD_BUF_INIT;
	struct td_mail_limits lim = TD_MAIL_LIMITS_INIT;
	struct seen s;
	int i;

	td_buf_adds(&m, "Subject: many\nContent-Type: multipart/mixed; boundary=q\n\n");
	for (i = 0; i < 50; i++)
		td_buf_printf(&m, "--q\nContent-Type: text/plain\n\npart%d\n", i);
	td_buf_adds(&m, "--q--\n");
	lim.max_parts = 20;
	walk(&s, m.ptr, m.len, &lim);
	assert_non_null(strstr(s.text.ptr, "part18"));
	assert_null(strstr(s.text.ptr, "part25"));
	assert_non_null(strstr(s.warn.ptr, "max_parts"));
	seen_release(&s);
	td_buf_release(&m);
}

static void
mail_part_size_limit_truncates(void **state)
{
	struct td_buf m = TD_BUF_INIT;
	struct td_mail_limits lim = TD_MAIL_LIMITS_INIT;
	struct seen s;
	int i;

	td_buf_adds(&m, "Subject: big\n\n");
	for (i = 0; i < 1000; i++)
		td_buf_adds(&m, "0123456789");
	lim.max_part_bytes = 100;
	walk(&s, m.ptr, m.len, &lim);
	assert_int_equal(s.text.len, 100);
	assert_non_null(strstr(s.warn.ptr, "max_part_bytes"));
	seen_release(&s);
	td_buf_release(&m);
}

static void
mail_duplicate_from_is_warned(void **state)
{
	static const char m[] = "From: a@one.example\nFrom: b@two.example\n"
				"Subject: x\n\nbody\n";
	struct seen s;

	walk(&s, m, sizeof(m) - 1, NULL);
	assert_non_null(strstr(s.warn.ptr, "From"));
	seen_release(&s);
}

static void
mail_addrs_parsed_and_decoded(void **state)
{
	struct td_mail_addr *a;
	size_t nr;

	assert_int_equal(td_mail_addrs_parse(&a, &nr,
		"=?UTF-8?Q?S=C3=A9curit=C3=A9?= <alert@evil.example>, plain@x.example"), 0);
	assert_int_equal(nr, 2);
	assert_string_equal(a[0].name, "S\xc3\xa9" "curit\xc3\xa9");
	assert_string_equal(a[0].addr, "alert@evil.example");
	assert_null(a[1].name);
	assert_string_equal(a[1].addr, "plain@x.example");
	td_mail_addrs_free(a, nr);
}

static void
mail_date_obsolete_zone(void **state)
{
	long long t;

	assert_int_equal(td_mail_date_parse(&t, "Tue, 1 Nov 2022 10:00:00 EST"), 0);
	assert_int_equal(t, 1667314800LL);
	assert_int_not_equal(td_mail_date_parse(&t, "not a date"), 0);
}

static void
mail_garbage_does_not_crash(void **state)
{
	static const char m[] = "\0\0\xff\xfe<<<>>>\n\n--\n";
	struct seen s;

	memset(&s, 0, sizeof(s));
	td_buf_init(&s.log, 0);
	td_buf_init(&s.text, 0);
	td_buf_init(&s.warn, 0);
	td_mail_walk(m, sizeof(m) - 1, NULL, &cb, &s, NULL);
	seen_release(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mail_nested_rfc822_is_walked),
		cmocka_unit_test(mail_charsets_and_encodings_decoded),
		cmocka_unit_test(mail_unknown_charset_falls_back),
		cmocka_unit_test(mail_attached_eml_file_is_walked),
		cmocka_unit_test(mail_depth_limit_warns),
		cmocka_unit_test(mail_part_limit_warns),
		cmocka_unit_test(mail_part_size_limit_truncates),
		cmocka_unit_test(mail_duplicate_from_is_warned),
		cmocka_unit_test(mail_addrs_parsed_and_decoded),
		cmocka_unit_test(mail_date_obsolete_zone),
		cmocka_unit_test(mail_garbage_does_not_crash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
