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

#include "err.h"
#include "profile.h"

static char dir[256], path[300];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/td-profile.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/sub/profile", dir);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[400];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
write_file(const char *text)
{
	char sub[300];
	FILE *f;

	snprintf(sub, sizeof(sub), "%s/sub", dir);
	mkdir(sub, 0700);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
profile_round_trip(void **state)
{
	struct td_profile p, q;
	struct td_error err = {0, ""};
	struct stat st;

	(void)state;
	td_profile_init(&p);
	p.name = strdup("Jane Doe");
	p.org = strdup("Example CERT");
	p.email = strdup("jane@example.org");
	p.public_name = strdup("Example CERT abuse team");
	p.signature = strdup("Jane -- PGP 0x1234");
	assert_int_equal(td_profile_check(&p, &err), 0);
	assert_int_equal(td_profile_save(&p, path, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	td_profile_init(&q);
	assert_int_equal(td_profile_load(&q, path, &err), 0);
	assert_string_equal(q.name, "Jane Doe");
	assert_string_equal(q.org, "Example CERT");
	assert_string_equal(q.email, "jane@example.org");
	assert_string_equal(q.public_name, "Example CERT abuse team");
	assert_string_equal(q.signature, "Jane -- PGP 0x1234");
	assert_null(q.phone);
	td_profile_release(&p);
	td_profile_release(&q);
}

static void
profile_reads_blanks_comments_crlf(void **state)
{
	struct td_profile p;
	struct td_error err = {0, ""};

	(void)state;
	write_file("# a comment\r\n\r\n  name   =  A  B \r\n"
		   "organisation=individual\nemail = a@b.example\n"
		   "phone =\n");
	td_profile_init(&p);
	assert_int_equal(td_profile_load(&p, path, &err), 0);
	assert_string_equal(p.name, "A  B");
	assert_string_equal(p.org, "individual");
	assert_null(p.phone);
	assert_int_equal(td_profile_check(&p, &err), 0);
	td_profile_release(&p);
}

static void
profile_refuses_bad_files(void **state)
{
	static const struct {
		const char *text, *why;
		int rc;
	} c[] = {
	    {"name = x\nnmae = y\n", "unknown key \"nmae\"", TD_EPARSE},
	    {"name x\n", "no \"=\"", TD_EPARSE},
	    {"name = a\x1b[31mb\n", "control character", TD_EPARSE},
	    {"name = a\tb\n", "control character", TD_EPARSE},
	};
	struct td_profile p;
	struct td_error err = {0, ""};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		write_file(c[i].text);
		td_profile_init(&p);
		assert_int_equal(td_profile_load(&p, path, &err), c[i].rc);
		assert_non_null(strstr(err.msg, c[i].why));
		assert_non_null(strstr(err.msg, ":1") ? err.msg
						       : strstr(err.msg, ":2"));
		td_profile_release(&p);
	}
	td_profile_init(&p);
	assert_int_equal(td_profile_load(&p, "/nonexistent/td/profile", &err),
			 TD_EIO);
	td_profile_release(&p);
}

static void
profile_refuses_overlong(void **state)
{
	struct td_profile p;
	struct td_error err = {0, ""};
	char *big = malloc(70000);

	(void)state;
	assert_non_null(big);
	memset(big, 'a', 69999);
	big[69999] = '\0';
	memcpy(big, "name = ", 7);
	write_file(big);
	td_profile_init(&p);
	assert_int_equal(td_profile_load(&p, path, &err), TD_ELIMIT);
	td_profile_release(&p);
	big[1100] = '\n';
	big[1101] = '\0';
	write_file(big);
	td_profile_init(&p);
	assert_int_equal(td_profile_load(&p, path, &err), TD_ELIMIT);
	assert_non_null(strstr(err.msg, "longer than"));
	td_profile_release(&p);
	free(big);
}

static void
profile_check_says_what_is_missing(void **state)
{
	struct td_profile p;
	struct td_error err = {0, ""};

	(void)state;
	td_profile_init(&p);
	assert_int_equal(td_profile_check(&p, &err), TD_EINVAL);
	assert_non_null(strstr(err.msg, "name"));
	p.name = strdup("x");
	p.org = strdup("individual");
	p.email = strdup("not an address");
	assert_int_equal(td_profile_check(&p, &err), TD_EINVAL);
	assert_non_null(strstr(err.msg, "e-mail"));
	free(p.email);
	p.email = strdup("a@b.example");
	p.public_email = strdup("x@y.example>, evil@z.example");
	assert_int_equal(td_profile_check(&p, &err), TD_EINVAL);
	free(p.public_email);
	p.public_email = NULL;
	p.smtp_url = strdup("http://smtp.example");
	assert_int_equal(td_profile_check(&p, &err), TD_EINVAL);
	free(p.smtp_url);
	p.smtp_url = strdup("smtps://smtp.example:465");
	assert_int_equal(td_profile_check(&p, &err), 0);
	td_profile_release(&p);
}

static void
profile_orgs_and_arf(void **state)
{
	struct td_profile p;
	struct td_profile_org v[TD_PROFILE_MAX_ORGS];
	struct td_error err = {0, ""};

	(void)state;
	td_profile_init(&p);
	p.name = "Jane Doe";
	p.org = "Example CERT";
	p.email = "jane@example.org";
	p.takedown_orgs = " Brand Protect Ltd <takedown@brand.example> ;"
			  "CERT-XX <phish@cert.example>; ";
	p.arf_recipients = "abuse@host.example, @Arf.Example";
	assert_int_equal(td_profile_check(&p, &err), 0);
	assert_int_equal(td_profile_orgs(&p, v, TD_PROFILE_MAX_ORGS, &err), 2);
	assert_string_equal(v[0].name, "Brand Protect Ltd");
	assert_string_equal(v[0].email, "takedown@brand.example");
	assert_string_equal(v[1].name, "CERT-XX");
	assert_string_equal(v[1].email, "phish@cert.example");
	assert_int_equal(td_profile_wants_arf(&p, "abuse@host.example"), 1);
	assert_int_equal(td_profile_wants_arf(&p, "ABUSE@host.example"), 1);
	assert_int_equal(td_profile_wants_arf(&p, "noc@arf.example"), 1);
	assert_int_equal(td_profile_wants_arf(&p, "noc@sub.arf.example"), 0);
	assert_int_equal(td_profile_wants_arf(&p, "abuse@host.example.net"),
			 0);
	assert_int_equal(td_profile_wants_arf(&p, NULL), 0);

	p.takedown_orgs = "No Address";
	assert_int_equal(td_profile_check(&p, &err), TD_EINVAL);
	assert_non_null(strstr(err.msg, "takedown_orgs"));
	p.takedown_orgs = "Evil <a@b.example>, x@y.example>";
	assert_int_equal(td_profile_check(&p, &err), TD_EINVAL);
	p.takedown_orgs = "<a@b.example>";
	assert_int_equal(td_profile_check(&p, &err), TD_EINVAL);
	p.takedown_orgs = NULL;
	p.arf_recipients = "abuse@host.example, not an address";
	assert_int_equal(td_profile_check(&p, &err), TD_EINVAL);
	assert_non_null(strstr(err.msg, "not an address"));
	p.arf_recipients = "@nodot";
	assert_int_equal(td_profile_check(&p, &err), TD_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(profile_round_trip),
	    cmocka_unit_test(profile_reads_blanks_comments_crlf),
	    cmocka_unit_test(profile_refuses_bad_files),
	    cmocka_unit_test(profile_refuses_overlong),
	    cmocka_unit_test(profile_check_says_what_is_missing),
	    cmocka_unit_test(profile_orgs_and_arf),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
