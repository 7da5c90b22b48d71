/*
 * Unit tests for src/lib/addr.c, issue 6: addresses whose quoting,
 * comments, encodings or look-alike characters try to make one parser see
 * another domain than the one the mail is sent to.  Each must be refused,
 * or come back as exactly the one mailbox it names (so what a reporter is
 * shown is what SMTP is given).  The plain tables are in test_addr.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "err.h"

/* one Mailbox (td_addr_check), refused */
static const char *const check_bads[] = {
    /* quoting that hides a second domain */
    "\"a@x.com>\"@y.com",
    "\"a@x.com\\\"\"@y.com",
    "\"<a@x.com>\"@y.com",
    "\"a\\@x.com\"@y.com",
    "\"a\\\"@x.com\"@y.com",
    "a\\@x.com@y.com",
    "\"a\"@x.com\"@y.com",
    "\"a\".b@y.com",
    /* comments inside or around the domain */
    "user@good.com(x)evil.com",
    "user@(x)good.com",
    "user@good.com(evil.com)",
    "user@good.com(x",
    "user@good.com)x",
    /* percent and source routes in the domain part */
    "user@good.com%evil.com",
    "@good.com:user@evil.com",
    "<user@good.com>evil.com",
    /* look-alikes that NFKC / UTS 46 map to '@', '.', '>' or '(' */
    "user@good.com\xef\xbc\xa0" "evil.com",	/* U+FF20 FULLWIDTH @ */
    "user\xef\xbc\xa0" "evil.com@good.com",
    "user@good.com\xef\xbc\x9e" "evil.com",	/* U+FF1E FULLWIDTH > */
    "user@good.com\xef\xbc\x88x\xef\xbc\x89" "evil.com", /* ( ) */
    /* U+3002 IDEOGRAPHIC FULL STOP, which UTS 46 maps to '.' */
    "user@good\xe3\x80\x82" "com",
    "user@good.com\xe3\x80\x82" "evil.com",
    /* control and separator bytes */
    "user@good.com\r\n.evil.com",
    "user@good.com\x0b" "evil.com",
    "user@good.com\x85" "evil.com",
    "user@good.com;evil.com",
    "user@good.com,evil@x.com",
    "user@good.com evil.com",
    "user@[good.com]",
    "user@[IPv6:::1]evil.com",
    "user@[192.0.2.1].evil.com",
};

/* what td_addr_check() must give back, when it accepts */
struct same {
	const char *in, *out;
};

static const struct same check_sames[] = {
    /* '%' and '!' are atext (RFC 5322 3.2.3): the mail goes to good.com,
       whose relay alone could read them as routes; kept as written */
    {"user%evil.com@good.com", "user%evil.com@good.com"},
    {"evil.com!user@good.com", "evil.com!user@good.com"},
    {"\"plain\"@y.com", "\"plain\"@y.com"},
    /* UTS 46 drops U+200B ZERO WIDTH SPACE: the same domain, sent and
       shown as A-labels */
    {"user@good.com\xe2\x80\x8b", "user@good.com"},
};

/* an address header field (td_addr_list_parse), refused */
static const char *const list_bads[] = {
    "\"a@x.com>\"@y.com",
    "<\"a@x.com>\"@y.com>",
    "user@good.com(x)evil.com",
    "Name <user@good.com(x)evil.com>",
    "Name <user@good.com>(evil@x.com)",
    "Name <user@good.com> <evil@x.com>",
    "<user@good.com><evil@x.com>",
    "Name <user@good.com>, (c) evil@x.com",
    "Name (evil@x.com) <user@good.com>",
    "Name <user@good.com\r\nBcc: evil@x.com>",
    "Name <user@good.com\r\n>",
    "\"Name\r\nBcc: evil@x.com\" <user@good.com>",
    "Name <user@good.com\xef\xbc\xa0" "evil.com>",
    "Name <<user@good.com>>",
    "Name <user@good.com",
    "Name user@good.com>",
};

/* accepted fields and exactly the mailboxes they give */
struct list_same {
	const char *in;
	size_t nr;
	const char *a0, *a1;
};

static const struct list_same list_sames[] = {
    /* a display name that looks like an address names nothing */
    {"\"evil@x.com\" <user@good.com>", 1, "user@good.com", NULL},
    {"\"<evil@x.com>\" <user@good.com>", 1, "user@good.com", NULL},
    /* RFC 2047 in the display name, decoding to an address: still only
       the addr-spec counts */
    {"=?utf-8?q?evil=40x.com?= <user@good.com>", 1, "user@good.com", NULL},
    {"=?utf-8?q?=3Cevil=40x.com=3E?= <user@good.com>", 1, "user@good.com",
     NULL},
    {"=?utf-8?b?ZXZpbEB4LmNvbSwgb3RoZXJAeC5jb20=?= <user@good.com>", 1,
     "user@good.com", NULL},
    {"\"a, b@x.com\" <user@good.com>, c@good.org", 2, "user@good.com",
     "c@good.org"},
};

static void
addr_check_tricks_refused(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(check_bads) / sizeof(check_bads[0]); i++) {
		struct td_error err = {0};
		char *out = (char *)1;
		const char *in = check_bads[i];

		if (td_addr_check(&out, in, strlen(in), &err) == 0)
			fail_msg("\"%s\" accepted as \"%s\"", in, out);
		assert_null(out);
		assert_true(err.msg[0] != '\0');
	}
}

static void
addr_check_tricks_give_what_they_name(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(check_sames) / sizeof(check_sames[0]); i++) {
		struct td_error err = {0};
		char *out = NULL;
		const struct same *s = &check_sames[i];

		if (td_addr_check(&out, s->in, strlen(s->in), &err))
			fail_msg("\"%s\" refused: %s", s->in, err.msg);
		assert_string_equal(out, s->out);
		free(out);
	}
}

static void
addr_list_tricks_refused(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(list_bads) / sizeof(list_bads[0]); i++) {
		struct td_error err = {0};
		char **l = (char **)1;
		size_t nr = 7;
		const char *in = list_bads[i];

		if (td_addr_list_parse(&l, &nr, in, strlen(in), &err) == 0)
			fail_msg("\"%s\" accepted (%zu: \"%s\")", in, nr,
				 nr ? l[0] : "");
		assert_null(l);
		assert_true(err.msg[0] != '\0');
	}
}

static void
addr_list_tricks_give_what_they_name(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(list_sames) / sizeof(list_sames[0]); i++) {
		struct td_error err = {0};
		char **l = NULL;
		size_t nr = 0;
		const struct list_same *s = &list_sames[i];

		if (td_addr_list_parse(&l, &nr, s->in, strlen(s->in), &err))
			fail_msg("\"%s\" refused: %s", s->in, err.msg);
		assert_int_equal(nr, s->nr);
		assert_string_equal(l[0], s->a0);
		if (s->a1)
			assert_string_equal(l[1], s->a1);
		td_addr_list_free(l, nr);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(addr_check_tricks_refused),
	    cmocka_unit_test(addr_check_tricks_give_what_they_name),
	    cmocka_unit_test(addr_list_tricks_refused),
	    cmocka_unit_test(addr_list_tricks_give_what_they_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
