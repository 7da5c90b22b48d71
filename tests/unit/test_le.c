#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "le.h"
#include "banned.h"

static const char *
top(void)
{
	const char *t = getenv("TD_TOP");

	return t ? t : ".";
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
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

/* Independent, simpler checks than the parser's, for the loaded data. */
static int
looks_like_url(const char *u)
{
	const char *p;

	if (!strncmp(u, "https://", 8))
		p = u + 8;
	else if (!strncmp(u, "http://", 7))
		p = u + 7;
	else
		return 0;
	if (!strchr(p, '.') || *p == '/')
		return 0;
	for (; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return 0;
	return 1;
}

static int
looks_like_email(const char *e)
{
	const char *at = strchr(e, '@');

	return at && at > e && !strchr(at + 1, '@') && strchr(at + 1, '.') &&
	       !strpbrk(e, " \t<>,;");
}

static int
looks_like_phone(const char *s)
{
	int digits = 0;

	for (; *s; s++)
		if (*s >= '0' && *s <= '9')
			digits++;
		else if (!strchr("+# -().", *s))
			return 0;
	return digits >= 3;
}

static int
channel_has_contact(const struct td_le_channel *c)
{
	return c->url || c->email || c->phone;
}

static void
check_channel(const char *cc, const char *what, const struct td_le_channel *c)
{
	if (!c->name) {
		if (channel_has_contact(c))
			fail_msg("%s: %s contact without a name", cc, what);
		return;
	}
	if (!channel_has_contact(c))
		fail_msg("%s: %s without any contact", cc, what);
	if (c->url && !looks_like_url(c->url))
		fail_msg("%s: %s URL %s", cc, what, c->url);
	if (c->email && !looks_like_email(c->email))
		fail_msg("%s: %s e-mail %s", cc, what, c->email);
	if (c->phone && !looks_like_phone(c->phone))
		fail_msg("%s: %s phone %s", cc, what, c->phone);
}

static void
shipped_file_parses_line_by_line(void **state)
{
	struct td_error err = {0, ""};
	size_t len, nr = 0, flen;
	const char *text = td_le_data(&len);
	char path[1024], *disk;

	if (td_le_check("le.txt", text, len, &nr, &err))
		fail_msg("%s", err.msg);
	assert_true(nr >= 32);
	assert_int_equal(nr, td_le_count());
	/* the compiled-in copy is the file in data/ */
	snprintf(path, sizeof(path), "%s/data/le.txt", top());
	disk = slurp(path, &flen);
	if (disk) {
		assert_int_equal(flen, len);
		assert_memory_equal(disk, text, len);
		free(disk);
	}
}

static void
every_entry_has_code_channel_source_and_date(void **state)
{
	const struct td_le *e;
	size_t i, j;

	for (i = 0; (e = td_le_get(i)); i++) {
		const char *cc = e->country;

		assert_non_null(cc);
		if (strlen(cc) != 2 || cc[0] < 'A' || cc[0] > 'Z' ||
		    cc[1] < 'A' || cc[1] > 'Z')
			fail_msg("entry %zu: bad code %s", i, cc);
		if (!e->name || !*e->name)
			fail_msg("%s: no name", cc);
		if (!channel_has_contact(&e->police) &&
		    !channel_has_contact(&e->cert) &&
		    !channel_has_contact(&e->phish))
			fail_msg("%s: no channel", cc);
		check_channel(cc, "police", &e->police);
		check_channel(cc, "cert", &e->cert);
		check_channel(cc, "phish", &e->phish);
		if (!e->nr_sources)
			fail_msg("%s: no source", cc);
		for (j = 0; j < e->nr_sources; j++)
			if (!looks_like_url(e->sources[j]))
				fail_msg("%s: source %s", cc, e->sources[j]);
		if (!e->checked || strlen(e->checked) != 10 ||
		    strncmp(e->checked, "20", 2))
			fail_msg("%s: checked date", cc);
		for (j = 0; j < e->nr_asks; j++)
			assert_true(strlen(e->asks[j]) > 10);
		for (j = 0; j < e->nr_notes; j++)
			assert_true(strlen(e->notes[j]) > 10);
		for (j = 0; j < e->nr_also; j++)
			assert_non_null(e->also[j]);
		assert_ptr_equal(td_le_lookup(cc), e);
	}
	assert_int_equal(i, td_le_count());
	assert_null(td_le_get(i));
}

static void
thirty_main_countries_are_covered(void **state)
{
	static const char *const need[] = {
	    "US", "GB", "DE", "FR", "NL", "RU", "CN", "JP", "BR", "IN",
	    "CA", "AU", "IT", "ES", "SE", "PL", "UA", "SG", "HK", "KR",
	    "TR", "ZA", "NG", "MX", "AR", "IE", "CH", "BE", "AT", "CZ"};
	size_t i;

	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (!td_le_lookup(need[i]))
			fail_msg("no entry for %s", need[i]);
}

static void
eu_members_point_to_the_eu_entry(void **state)
{
	static const char *const members[] = {"AT", "BE", "CZ", "DE",
					      "ES", "FI", "FR", "IE",
					      "IT", "NL", "PL", "SE"};
	static const char *const others[] = {"US", "GB", "CH", "NO", "UA"};
	const struct td_le *eu = td_le_lookup("EU");
	size_t i, j;

	assert_non_null(eu);
	assert_non_null(eu->police.url);
	for (i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
		const struct td_le *e = td_le_lookup(members[i]);
		int found = 0;

		assert_non_null(e);
		for (j = 0; j < e->nr_also; j++)
			found |= e->also[j] == eu;
		if (!found)
			fail_msg("%s does not point to EU", members[i]);
	}
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		assert_int_equal(td_le_lookup(others[i])->nr_also, 0);
}

static void
lookup_ignores_case_and_takes_aliases(void **state)
{
	const struct td_le *us = td_le_lookup("US");
	const struct td_le *gb = td_le_lookup("GB");

	assert_non_null(us);
	assert_string_equal(us->country, "US");
	assert_string_equal(us->name, "United States");
	assert_ptr_equal(td_le_lookup("us"), us);
	assert_ptr_equal(td_le_lookup("uS"), us);
	assert_non_null(gb);
	assert_ptr_equal(td_le_lookup("UK"), gb);
	assert_ptr_equal(td_le_lookup("uk"), gb);
	assert_string_equal(gb->alias, "UK");
	/* the UK's channels: Report Fraud and the NCSC's SERS mailbox */
	assert_string_equal(gb->phish.email, "report@phishing.gov.uk");
	assert_non_null(gb->police.url);
	assert_non_null(td_le_lookup("de")->cert.email);
}

static void
lookup_rejects_malformed_and_unknown_codes(void **state)
{
	assert_null(td_le_lookup(NULL));
	assert_null(td_le_lookup(""));
	assert_null(td_le_lookup("U"));
	assert_null(td_le_lookup("USA"));
	assert_null(td_le_lookup("U1"));
	assert_null(td_le_lookup("1U"));
	assert_null(td_le_lookup("U "));
	assert_null(td_le_lookup("\xc3\x9c"));
	assert_null(td_le_lookup("QQ")); /* user-assigned, no entry */
	assert_null(td_le_lookup("AQ")); /* real code without an entry */
}

static void
fallback_gives_the_general_asks(void **state)
{
	const struct td_le *fb = td_le_fallback();
	int zone = 0, headers = 0, hash = 0, kit = 0, logs = 0;
	size_t i;

	assert_non_null(fb);
	assert_string_equal(fb->country, "ZZ");
	assert_ptr_equal(td_le_lookup("zz"), fb);
	assert_true(fb->nr_asks >= 5);
	for (i = 0; i < fb->nr_asks; i++) {
		zone |= strstr(fb->asks[i], "time zone") != NULL;
		headers |= strstr(fb->asks[i], "full headers") != NULL;
		hash |= strstr(fb->asks[i], "SHA-256") != NULL;
		kit |= strstr(fb->asks[i], "phishing kit") != NULL;
		logs |= strstr(fb->asks[i], "server logs") != NULL;
	}
	assert_true(zone && headers && hash && kit && logs);
	assert_true(channel_has_contact(&fb->phish) ||
		    channel_has_contact(&fb->police));
}

/* ---- the parser on crafted input ---- */

#define GOOD_ZZ                                                                \
	"country ZZ\n"                                                         \
	"name Unknown\n"                                                       \
	"police Somebody\n"                                                    \
	"police-url https://police.example/report\n"                           \
	"ask the e-mail with full headers\n"                                   \
	"source https://police.example/\n"                                     \
	"checked 2026-11-27\n"

static int
check(const char *text, struct td_error *err)
{
	err->code = 0;
	err->msg[0] = '\0';
	return td_le_check("t.txt", text, strlen(text), NULL, err);
}

static void
minimal_file_is_accepted(void **state)
{
	struct td_error err;
	size_t nr = 0;
	const char *text =
	    "# comment\n\n" GOOD_ZZ "\n"
	    "country XA\r\n"
	    "  name   Example land  \r\n"
	    "alias XB\n"
	    "cert CERT-XA\n"
	    "cert-email cert@cert.example\n"
	    "cert-phone +99 (0)12 345-67.89\n"
	    "phish Phone line\n"
	    "phish-phone #9110\n"
	    "also ZZ\n"
	    "note caveat # with a hash inside\n"
	    "source http://cert.example/contact\n"
	    "source https://cert.example/rfc2350\n"
	    "checked 2024-02-29"; /* leap day, no final newline */

	if (td_le_check("t.txt", text, strlen(text), &nr, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(nr, 2);
}

static void
malformed_lines_are_rejected(void **state)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
	    {GOOD_ZZ "country XA\nname X\nfrob 1\n",
	     "t.txt:10: unknown key frob"},
	    {"name X\n" GOOD_ZZ, "t.txt:1: name before any country line"},
	    {GOOD_ZZ "country xa\n", "t.txt:8: xa is not an ISO 3166-1"},
	    {GOOD_ZZ "country XAB\n", "is not an ISO 3166-1"},
	    {GOOD_ZZ GOOD_ZZ, "t.txt:8: second entry for ZZ"},
	    {GOOD_ZZ "country XA\npolice P\npolice-url https://p.example/\n"
		     "source https://p.example/\nchecked 2026-01-01\n",
	     "t.txt:8: XA: no name line"},
	    {GOOD_ZZ "country XA\nname X\npolice P\n"
		     "police-url https://p.example/\nchecked 2026-01-01\n",
	     "XA: no source line"},
	    {GOOD_ZZ "country XA\nname X\npolice P\n"
		     "police-url https://p.example/\n"
		     "source https://p.example/\n",
	     "XA: no checked line"},
	    {GOOD_ZZ "country XA\nname X\nsource https://p.example/\n"
		     "checked 2026-01-01\n",
	     "XA: no police, cert or phish channel"},
	    {GOOD_ZZ "country XA\nname X\ncert C\nsource https://p.example/\n"
		     "checked 2026-01-01\n",
	     "XA: cert without cert-url, cert-email or cert-phone"},
	    {GOOD_ZZ "country XA\nname X\ncert-url https://c.example/\n"
		     "source https://p.example/\nchecked 2026-01-01\n",
	     "XA: cert contact without a cert line"},
	    {GOOD_ZZ "country XA\nname X\nname Y\n",
	     "t.txt:10: second name line"},
	    {GOOD_ZZ "country XA\npolice-url ftp://p.example/\n",
	     "ftp://p.example/ is not an http(s) URL"},
	    {GOOD_ZZ "country XA\npolice-url https://p.example/a b\n",
	     "is not an http(s) URL"},
	    {GOOD_ZZ "country XA\nsource www.example.org\n",
	     "www.example.org is not an http(s) URL"},
	    {GOOD_ZZ "country XA\ncert-email cert.example\n",
	     "bad e-mail address cert.example"},
	    {GOOD_ZZ "country XA\ncert-email a@b@c.example\n", "bad e-mail"},
	    {GOOD_ZZ "country XA\ncert-email <a@c.example>\n", "bad e-mail"},
	    {GOOD_ZZ "country XA\ncert-email a@example\n", "bad e-mail"},
	    {GOOD_ZZ "country XA\ncert-phone call us\n",
	     "bad telephone number call us"},
	    {GOOD_ZZ "country XA\ncert-phone 12\n", "bad telephone number"},
	    {GOOD_ZZ "country XA\ncert-phone +1 800 CALL\n", "bad telephone"},
	    {GOOD_ZZ "country XA\nchecked 2026-02-30\n",
	     "2026-02-30 is not a date"},
	    {GOOD_ZZ "country XA\nchecked 2025-02-29\n", "is not a date"},
	    {GOOD_ZZ "country XA\nchecked 27.11.2026\n", "is not a date"},
	    {GOOD_ZZ "country XA\nchecked 1999-12-31\n", "is not a date"},
	    {GOOD_ZZ "country XA\nname\n", "t.txt:9: name without a value"},
	    {GOOD_ZZ "country XA\nalias xb\n", "alias xb is not"},
	    {GOOD_ZZ "country XA\nalias ZZ\n", "alias ZZ is already taken"},
	    {GOOD_ZZ "country XA\nalso XA\n", "also XA is not another"},
	    {GOOD_ZZ "country XA\nname X\npolice P\n"
		     "police-url https://p.example/\n"
		     "source https://p.example/\nchecked 2026-01-01\n"
		     "also QQ\n",
	     "XA: also QQ: no such entry"},
	    {GOOD_ZZ "country XA\nalso AA\nalso AB\nalso AC\nalso AD\n"
		     "also AE\n",
	     "more than 4 also lines"},
	    {GOOD_ZZ "country XA\nnote caf\xc3\n", "invalid UTF-8"},
	    {GOOD_ZZ "country XA\nnote over\xc0\xaflong\n", "invalid UTF-8"},
	    {GOOD_ZZ "country XA\nnote bell\a\n", "control character"},
	    {GOOD_ZZ "country XA\nnote C1\xc2\x85 control\n",
	     "control character"},
	    {"country XA\nname X\npolice P\npolice-url https://p.example/\n"
	     "source https://p.example/\nchecked 2026-01-01\n",
	     "t.txt: no ZZ (fallback) entry"},
	    {"country ZZ\nname X\npolice P\npolice-url https://p.example/\n"
	     "source https://p.example/\nchecked 2026-01-01\n",
	     "the ZZ entry has no ask lines"},
	};
	struct td_error err;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = check(bad[i].text, &err);

		if (rc != TD_EPARSE)
			fail_msg("case %zu: accepted (rc %d)", i, rc);
		if (!strstr(err.msg, bad[i].want))
			fail_msg("case %zu: got \"%s\", want \"%s\"", i,
				 err.msg, bad[i].want);
	}
}

static void
nul_bytes_and_long_lines_are_rejected(void **state)
{
	static const char nul[] = "country ZZ\nname a\0b\n";
	struct td_error err = {0, ""};
	char *big = malloc(2100);
	size_t i;

	assert_int_equal(td_le_check("t.txt", nul, sizeof(nul) - 1, NULL, &err),
			 TD_EPARSE);
	assert_non_null(strstr(err.msg, "t.txt:2: control character"));
	assert_non_null(big);
	memcpy(big, "note ", 5);
	for (i = 5; i < 2098; i++)
		big[i] = 'x';
	big[2098] = '\n';
	big[2099] = '\0';
	assert_int_equal(check(big, &err), TD_EPARSE);
	assert_non_null(strstr(err.msg, "t.txt:1: line longer than 1023"));
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(shipped_file_parses_line_by_line),
	    cmocka_unit_test(every_entry_has_code_channel_source_and_date),
	    cmocka_unit_test(thirty_main_countries_are_covered),
	    cmocka_unit_test(eu_members_point_to_the_eu_entry),
	    cmocka_unit_test(lookup_ignores_case_and_takes_aliases),
	    cmocka_unit_test(lookup_rejects_malformed_and_unknown_codes),
	    cmocka_unit_test(fallback_gives_the_general_asks),
	    cmocka_unit_test(minimal_file_is_accepted),
	    cmocka_unit_test(malformed_lines_are_rejected),
	    cmocka_unit_test(nul_bytes_and_long_lines_are_rejected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
