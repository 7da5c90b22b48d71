#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "lint.h"

/*
 * Each crafted bad draft in tests/fixtures/lint fails exactly the rule its
 * name says, and the good ones pass.
 */

static char *
slurp(const char *name, size_t *len)
{
	const char *top = getenv("TD_TOP");
	struct td_buf path = TD_BUF_INIT, data = TD_BUF_INIT;
	char chunk[8192];
	size_t n;
	FILE *f;

	td_buf_printf(&path, "%s/tests/fixtures/lint/%s", top ? top : ".",
		      name);
	f = fopen(path.ptr, "rb");
	if (!f)
		fail_msg("cannot open %s (run through tests/run.sh)", path.ptr);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		td_buf_add(&data, chunk, n);
	fclose(f);
	td_buf_release(&path);
	return td_buf_detach(&data, len);
}

static void
expect(const char *file, const struct td_lint_opts *o, const char *rule)
{
	struct td_lint l;
	size_t len, i;
	char *msg = slurp(file, &len);

	assert_int_equal(td_lint_check(&l, msg, len, o, NULL), 0);
	for (i = 0; i < l.nr; i++)
		print_message("# %s: %s: %s\n", file, l.issues[i].rule,
			      l.issues[i].reason);
	if (!rule) {
		assert_int_equal(l.nr, 0);
	} else {
		assert_int_equal(l.nr, 1);
		assert_string_equal(l.issues[0].rule, rule);
		assert_null(strchr(l.issues[0].reason, '\n'));
	}
	td_lint_release(&l);
	free(msg);
}

static void
lint_good_drafts_pass(void **state)
{
	expect("good.eml", NULL, NULL);
	expect("good-negated.eml", NULL, NULL);
}

static void
lint_each_content_rule(void **state)
{
	expect("no-identity.eml", NULL, "identity");
	expect("no-url.eml", NULL, "url");
	expect("no-how-found.eml", NULL, "how-found");
	expect("no-evidence.eml", NULL, "evidence");
	expect("no-le-advice.eml", NULL, "le-advice");
	expect("asks-payment.eml", NULL, "asks-payment");
	expect("asks-access.eml", NULL, "asks-access");
	expect("offers-fix.eml", NULL, "offers-fix");
	expect("no-attachment.eml", NULL, "attachment");
}

static void
lint_each_structural_rule(void **state)
{
	expect("headers-two-from.eml", NULL, "headers");
	expect("headers-no-date.eml", NULL, "headers");
	expect("headers-bare-cr.eml", NULL, "headers");
	expect("auto-submitted.eml", NULL, "auto-submitted");
	expect("line-length.eml", NULL, "line-length");
}

static void
lint_malicious_case_reveals_identity(void **state)
{
	char *personal[] = {"john@example.com"};
	char *reporter[] = {"Jane Doe", "jane@cert.example.org"};
	struct td_lint_opts o;

	memset(&o, 0, sizeof(o));
	o.personal = personal;
	o.nr_personal = 1;
	/* compromised: not checked */
	expect("reveals-identity.eml", &o, NULL);
	o.malicious = 1;
	expect("reveals-identity.eml", &o, "reveals-identity");
	/* the reporter's own name in a malicious case */
	o.personal = reporter;
	o.nr_personal = 2;
	expect("good.eml", &o, "reveals-identity");
}

static void
lint_options_urls_reporter_attachment(void **state)
{
	char *url_ok[] = {"https://shop.example.com/wp-content/uploads/x/"
			  "login.php?e=am9obkBleGFtcGxlLmNvbQ=="};
	char *url_bad[] = {"https://shop.example.com/other.php"};
	char *who[] = {"Example CERT", "jane@cert.example.org"};
	char *who_bad[] = {"Someone Else"};
	struct td_lint_opts o;

	memset(&o, 0, sizeof(o));
	o.urls = url_ok;
	o.nr_urls = 1;
	o.reporter = who;
	o.nr_reporter = 2;
	expect("good.eml", &o, NULL);
	o.urls = url_bad;
	expect("good.eml", &o, "url");
	o.urls = url_ok;
	o.reporter = who_bad;
	o.nr_reporter = 1;
	expect("good.eml", &o, "identity");
	memset(&o, 0, sizeof(o));
	o.attachment = TD_LINT_ATTACH_NONE;
	expect("no-attachment.eml", &o, NULL);
}

static void
lint_not_a_message(void **state)
{
	struct td_lint l;
	static const char junk[] = "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 outlook";

	assert_int_equal(td_lint_check(&l, junk, sizeof(junk) - 1, NULL, NULL),
			 TD_EPARSE);
	/* an empty "message": every header missing, no content */
	assert_int_equal(td_lint_check(&l, "\n", 1, NULL, NULL), 0);
	assert_true(l.nr >= 1);
	assert_string_equal(l.issues[0].rule, "headers");
	td_lint_release(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(lint_good_drafts_pass),
	    cmocka_unit_test(lint_each_content_rule),
	    cmocka_unit_test(lint_each_structural_rule),
	    cmocka_unit_test(lint_malicious_case_reveals_identity),
	    cmocka_unit_test(lint_options_urls_reporter_attachment),
	    cmocka_unit_test(lint_not_a_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
