/*
 * Unit tests for src/lib/addr.c: tables of addresses that must pass (with
 * the form they come back in) and of addresses that must be refused
 * (with a word the error must hold), then address header fields.
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

struct good {
	const char *in, *out; /* out NULL: as in */
};

static const struct good goods[] = {
    {"user@example.com", NULL},
    {"first.last@example.com", NULL},
    {"abuse@EXAMPLE.Com", "abuse@example.com"},
    {"User.Name@Example.COM", "User.Name@example.com"},
    {"x@a-b.example", NULL},
    {"a+tag@sub.domain.example.org", NULL},
    {"!#$%&'*+-/=?^_`{|}~@example.com", NULL},
    {"\"john doe\"@example.com", NULL},
    {"\"a.b..c\"@example.com", NULL},
    {"\"x!#y\"@example.com", NULL},
    {"abuse@[192.0.2.1]", NULL},
    {"abuse@[0.0.0.0]", NULL},
    {"abuse@[IPv6:2001:db8::1]", NULL},
    {"abuse@[ipv6:2001:DB8:0:0:0:0:0:1]", "abuse@[IPv6:2001:db8::1]"},
    {"a@xn--bcher-kva.example", NULL},
    {"a@b\xc3\xbc"
     "cher.example",
     "a@xn--bcher-kva.example"},
    {"abuse@\xd0\xbf\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80.\xd1\x80\xd1\x84",
     "abuse@xn--e1afmkfd.xn--p1ai"},
    {"a@1.example", NULL},
    {"a@example.c0m", NULL},
    {"a@123.456.789.example", NULL},
    /* 64-octet local part, 63-octet label */
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@"
     "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.com",
     NULL},
};

struct bad {
	const char *in;
	size_t len;	 /* 0: strlen */
	const char *why; /* a piece of the error message */
};

static const struct bad bads[] = {
    /* quoting or comments that try to change the domain */
    {"\"a@x.com>\"@y.com", 0, "quoted local part"},
    {"\"a@x.com\"@y.com", 0, "quoted local part"},
    {"\"a>b\"@y.com", 0, "quoted local part"},
    {"\"a\\\"@x.com\"@y.com", 0, "quoted local part"},
    {"\"a,b\"@y.com", 0, "quoted local part"},
    {"\"a\"b@y.com", 0, "no '@' after"},
    {"\"unterminated@y.com", 0, "quoted local part"},
    {"\"open@y.com", 0, "quoted local part"},
    {"\"ab@y.com", 0, "quoted local part"},
    {"\"\"@y.com", 0, "empty local part"},
    {"user@good.com(x)evil.com", 0, "'(' in the domain"},
    {"user(x)@good.com", 0, "'(' in the local part"},
    {"(x)user@good.com", 0, "'(' in the local part"},
    {"user@good.com (x)", 0, "white space in the domain"},
    {"a@b@c.com", 0, "more than one '@'"},
    {"a@b.com@c.com", 0, "more than one '@'"},
    {"user@good.com>evil.com", 0, "'>' in the domain"},
    {"<user@example.com>", 0, "'<' in the local part"},
    {"John <user@example.com>", 0, "in the local part"},
    {"user@example.com, other@example.com", 0, "more than one '@'"},
    {"@example.com:user@evil.com", 0, "empty local part"},
    /* dots */
    {"user@example.com.", 0, "trailing dot"},
    {"user.@example.com", 0, "trailing dot"},
    {".user@example.com", 0, "leading dot"},
    {"us..er@example.com", 0, "double dot"},
    {"user@.example.com", 0, "leading dot"},
    {"user@example..com", 0, "empty label"},
    /* control bytes, white space */
    {"user@example.com\r\nRCPT TO:<x@evil.com>", 0, "CR"},
    {"user@exam\nple.com", 0, "LF"},
    {"user@example.com\0.evil.com", 21, "NUL"},
    {" user@example.com", 0, "white space"},
    {"user@example.com ", 0, "white space"},
    {"us er@example.com", 0, "white space"},
    {"us\ter@example.com", 0, "control character 0x09"},
    {"\"a\tb\"@example.com", 0, "control character 0x09"},
    {"us\x7f"
     "er@example.com",
     0, "control character 0x7f"},
    /* domains */
    {"user@localhost", 0, "not fully qualified"},
    {"user@com", 0, "not fully qualified"},
    {"user@1.2.3.4", 0, "all-numeric"},
    {"user@example.123", 0, "all-numeric"},
    {"user@-example.com", 0, "hyphen"},
    {"user@example-.com", 0, "hyphen"},
    {"user@exa_mple.com", 0, "'_' in the domain"},
    {"user@exa%6dple.com", 0, "'%' in the domain"},
    {"user@example.com/path", 0, "'/' in the domain"},
    {"user@example.com:25", 0, "':' in the domain"},
    {"user@", 0, "empty domain"},
    {"@example.com", 0, "empty local part"},
    {"user", 0, "no '@'"},
    {"", 0, "empty address"},
    {"user@xn--zz.example", 0, "A-labels"},
    {"user@\xff\xfe.example", 0, "A-labels"},
    {"user@exa\xc3\xbcmple.com.", 0, "trailing dot"},
    {"user@exa\xc3\xbcmple.com\xe3\x80\x82", 0, "separator"},
    {"user@exa\xc3\xbcmple\xef\xbc\x8e"
     "com",
     0, "separator"},
    {"user@exa\xc3\xbcmple\xef\xbd\xa1"
     "com",
     0, "separator"},
    {"user@\xc3\xbc..com", 0, "empty label"},
    {"user@b\xc3\xbc"
     "cher.example%2f",
     0, "'%' in the domain"},
    /* address literals */
    {"user@[192.0.2.256]", 0, "literal"},
    {"user@[192.0.2.01]", 0, "literal"},
    {"user@[0x7f.0.0.1]", 0, "literal"},
    {"user@[127.1]", 0, "literal"},
    {"user@[IPv6:2001:db8::g]", 0, "literal"},
    {"user@[IPv6:1.2.3.4]", 0, "literal"},
    {"user@[tag:content]", 0, "general address literal"},
    {"user@[192.0.2.1", 0, "literal"},
    {"user@192.0.2.1]", 0, "']' in the domain"},
    /* 8-bit local part (no SMTPUTF8) */
    {"j\xc3\xb6rg@example.com", 0, "non-ASCII"},
    {"\"j\xc3\xb6rg\"@example.com", 0, "non-ASCII"},
};

static void
addr_good_table_passes(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		struct td_error err = {0};
		char *out = NULL;
		const char *want = goods[i].out ? goods[i].out : goods[i].in;
		int rc =
		    td_addr_check(&out, goods[i].in, strlen(goods[i].in), &err);

		if (rc)
			fail_msg("\"%s\" refused: %s", goods[i].in, err.msg);
		if (strcmp(out, want))
			fail_msg("\"%s\" gave \"%s\", not \"%s\"", goods[i].in,
				 out, want);
		free(out);
		/* without out: only the verdict */
		assert_int_equal(
		    td_addr_check(NULL, goods[i].in, strlen(goods[i].in), NULL),
		    0);
	}
}

static void
addr_bad_table_refused_with_reason(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		struct td_error err = {0};
		char *out = (char *)"untouched";
		size_t len = bads[i].len ? bads[i].len : strlen(bads[i].in);
		int rc = td_addr_check(&out, bads[i].in, len, &err);

		if (rc != TD_EINVAL)
			fail_msg("\"%s\" not refused (%d)", bads[i].in, rc);
		assert_null(out);
		if (!strstr(err.msg, bads[i].why))
			fail_msg("\"%s\": error \"%s\" does not say \"%s\"",
				 bads[i].in, err.msg, bads[i].why);
		/* one line, controls escaped */
		assert_null(strchr(err.msg, '\n'));
		assert_null(strchr(err.msg, '\r'));
	}
}

static void
addr_length_limits(void **state)
{
	char buf[400];
	struct td_error err = {0};
	size_t i;

	(void)state;
	/* local part of 65 octets */
	memset(buf, 'a', 65);
	memcpy(buf + 65, "@example.com", 13);
	assert_int_equal(td_addr_check(NULL, buf, strlen(buf), &err),
			 TD_EINVAL);
	assert_non_null(strstr(err.msg, "4.5.3.1.1"));
	/* a 64-octet label */
	memcpy(buf, "a@", 2);
	memset(buf + 2, 'b', 64);
	memcpy(buf + 66, ".com", 5);
	assert_int_equal(td_addr_check(NULL, buf, strlen(buf), &err),
			 TD_EINVAL);
	assert_non_null(strstr(err.msg, "63"));
	/* 254 octets pass, 255 do not */
	memcpy(buf, "a@", 2);
	for (i = 2; i < 250; i += 4)
		memcpy(buf + i, "bbb.", 4);
	memcpy(buf + 250, "com", 4); /* 253 octets */
	assert_int_equal(strlen(buf), 253);
	assert_int_equal(td_addr_check(NULL, buf, 253, &err), 0);
	memmove(buf + 1, buf, 254);
	buf[0] = 'x'; /* "xa@...": 254 */
	assert_int_equal(td_addr_check(NULL, buf, 254, &err), 0);
	memmove(buf + 1, buf, 255);
	buf[0] = 'y'; /* 255 */
	assert_int_equal(td_addr_check(NULL, buf, 255, &err), TD_EINVAL);
	assert_non_null(strstr(err.msg, "254"));
	/* an IDN whose A-labels pass 254 octets */
	memcpy(buf, "a@", 2);
	for (i = 2; i < 2 + 3 * 60; i += 3)
		memcpy(buf + i, "\xc3\xbc.", 3); /* "xn--tda." in A-labels */
	memcpy(buf + i, "com", 4);
	assert_true(strlen(buf) <= 254);
	assert_int_equal(td_addr_check(NULL, buf, strlen(buf), &err),
			 TD_EINVAL);
}

static void
addr_error_shows_controls_escaped(void **state)
{
	struct td_error err = {0};
	const char *a = "evil\x1b[31m@example.com";

	(void)state;
	assert_int_equal(td_addr_check(NULL, a, strlen(a), &err), TD_EINVAL);
	assert_null(strchr(err.msg, '\x1b'));
	assert_non_null(strstr(err.msg, "\\x1b"));
}

static void
addr_cmp_domain_case_only(void **state)
{
	(void)state;
	assert_int_equal(td_addr_cmp("a@example.com", "a@EXAMPLE.com"), 0);
	assert_int_not_equal(td_addr_cmp("A@example.com", "a@example.com"), 0);
	assert_int_not_equal(td_addr_cmp("a@example.com", "a@example.org"), 0);
	assert_int_not_equal(td_addr_cmp("ab@example.com", "a@bexample.com"),
			     0);
}

/* header fields */

struct list_good {
	const char *in;
	size_t nr;
	const char *a0, *a1;
};

static const struct list_good list_goods[] = {
    {"user@example.com", 1, "user@example.com", NULL},
    {" user@example.com ", 1, "user@example.com", NULL},
    {"<user@example.com>", 1, "user@example.com", NULL},
    {"Abuse Desk <abuse@example.com>", 1, "abuse@example.com", NULL},
    {"\"Desk, Abuse\" <abuse@example.com>", 1, "abuse@example.com", NULL},
    {"\"a@x.com\" <b@y.com>", 1, "b@y.com", NULL},
    {"\"say \\\"hi\\\"\" <b@y.com>", 1, "b@y.com", NULL},
    {"=?utf-8?B?SsO2cmc=?= <j@example.com>", 1, "j@example.com", NULL},
    {"John Q. Public <jqp@example.com>", 1, "jqp@example.com", NULL},
    {"a@example.com, B <b@EXAMPLE.org>", 2, "a@example.com", "b@example.org"},
    {"a@example.com,\r\n b@example.org", 2, "a@example.com", "b@example.org"},
    {"A\r\n <a@example.com>", 1, "a@example.com", NULL},
};

static const struct bad list_bads[] = {
    {"", 0, "no address"},
    {"   ", 0, "no address"},
    {"a@example.com,", 0, "empty list element"},
    {"a@example.com,,b@example.com", 0, "empty list element"},
    {"user@good.com(x)evil.com", 0, "'('"},
    {"user@good.com (comment)", 0, "white space"},
    {"(comment) user@good.com", 0, "'('"},
    {"Name <user@good.com> (comment)", 0, "comments and groups"},
    {"Name <user@good.com>evil.com", 0, "after an address"},
    {"<\"a@x.com>\"@y.com>", 0, "quoted local part"},
    {"\"a@x.com>\"@y.com", 0, "quoted local part"},
    {"Name <a@b@c.com>", 0, "more than one '@'"},
    {"Name <a@example.com", 0, "no '>'"},
    {"undisclosed-recipients:;", 0, "':'"},
    {"group: a@example.com;", 0, "':'"},
    {"<@route.example:a@example.com>", 0, "empty local part"},
    {"\"unterminated <a@example.com>", 0, "unterminated"},
    {"\"bad\r\nname\" <a@example.com>", 0, "quoted display name"},
    {"a@example.com\r\nBcc: x@evil.com", 0, "CR"},
    {"a@example.com\nBcc: x@evil.com", 0, "LF"},
    {"Name a@example.com", 0, "white space"},
};

static void
addr_list_good_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(list_goods) / sizeof(list_goods[0]); i++) {
		struct td_error err = {0};
		char **l = NULL;
		size_t nr = 0;
		const struct list_good *g = &list_goods[i];

		if (td_addr_list_parse(&l, &nr, g->in, strlen(g->in), &err))
			fail_msg("\"%s\" refused: %s", g->in, err.msg);
		assert_int_equal(nr, g->nr);
		assert_string_equal(l[0], g->a0);
		if (g->a1)
			assert_string_equal(l[1], g->a1);
		td_addr_list_free(l, nr);
	}
}

static void
addr_list_bad_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(list_bads) / sizeof(list_bads[0]); i++) {
		struct td_error err = {0};
		char **l = (char **)&err;
		size_t nr = 7;
		const struct bad *b = &list_bads[i];

		if (td_addr_list_parse(&l, &nr, b->in, strlen(b->in), &err) !=
		    TD_EINVAL)
			fail_msg("\"%s\" not refused", b->in);
		assert_null(l);
		assert_int_equal(nr, 0);
		if (!strstr(err.msg, b->why))
			fail_msg("\"%s\": error \"%s\" does not say \"%s\"",
				 b->in, err.msg, b->why);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(addr_good_table_passes),
	    cmocka_unit_test(addr_bad_table_refused_with_reason),
	    cmocka_unit_test(addr_length_limits),
	    cmocka_unit_test(addr_error_shows_controls_escaped),
	    cmocka_unit_test(addr_cmp_domain_case_only),
	    cmocka_unit_test(addr_list_good_table),
	    cmocka_unit_test(addr_list_bad_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
