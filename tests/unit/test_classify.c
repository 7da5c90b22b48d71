#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "classify.h"

#define NOW 1795000000LL
#define DAYS(n) (NOW - (long long)(n) * 86400)

static int
has_reason(const struct td_classify_out *o, const char *needle)
{
	size_t i;

	for (i = 0; i < o->nr_reasons; i++)
		if (strstr(o->reasons[i], needle))
			return 1;
	return 0;
}

static void
classify_new_brand_domain_is_malicious(void **state)
{
	struct td_classify_in in = {"https://paypal-secure-login.com/",
				    "paypal-secure-login.com",
				    "paypal-secure-login.com", "/", 0, NULL,
				    DAYS(3), NOW, -1, NULL};
	struct td_classify_out o;

	(void)state;
	td_classify(&in, &o);
	assert_int_equal(o.kind, TD_KIND_MALICIOUS);
	assert_true(has_reason(&o, "+4 registered 3 days ago"));
	assert_true(has_reason(&o, "brand \"paypal\""));
	assert_true(has_reason(&o, "lure word \"login\""));
	assert_true(has_reason(&o, "top of the site"));
}

static void
classify_old_site_with_kit_in_wordpress_is_compromised(void **state)
{
	struct td_classify_in in = {
	    "https://www.smithbakery.com/wp-content/plugins/x/pp/login.php",
	    "www.smithbakery.com",
	    "smithbakery.com",
	    "/wp-content/plugins/x/pp/login.php",
	    0,
	    NULL,
	    DAYS(3000),
	    NOW,
	    1,
	    "Smith's Bakery - fresh bread since 1952"};
	struct td_classify_out o;

	(void)state;
	td_classify(&in, &o);
	assert_int_equal(o.kind, TD_KIND_COMPROMISED);
	assert_true(has_reason(&o, "-3 registered 8 years ago"));
	assert_true(has_reason(&o, "/wp-content/"));
	assert_true(has_reason(&o, "unrelated"));
	assert_true(has_reason(&o, "Smith's Bakery"));
}

static void
classify_platform_site_is_malicious_whatever_the_platform_age(void **state)
{
	struct td_classify_in in = {"https://office365-verify.web.app/",
				    "office365-verify.web.app",
				    "web.app", "/", 0, "web.app",
				    DAYS(4000), NOW, -1, NULL};
	struct td_classify_out o;

	(void)state;
	td_classify(&in, &o);
	assert_int_equal(o.kind, TD_KIND_MALICIOUS);
	assert_false(has_reason(&o, "registered"));
	assert_true(has_reason(&o, "a site on web.app"));
	assert_true(has_reason(&o, "office365"));
}

static void
classify_homograph_counts(void **state)
{
	struct td_classify_in in = {"https://xn--pypal-4ve.com/", "xn--pypal-4ve.com",
				    "xn--pypal-4ve.com", "/signin", 1, NULL,
				    -1, NOW, -1, NULL};
	struct td_classify_out o;

	(void)state;
	td_classify(&in, &o);
	assert_int_equal(o.kind, TD_KIND_MALICIOUS);
	assert_true(has_reason(&o, "homograph"));
}

static void
classify_too_little_is_unknown(void **state)
{
	/* nothing known but a plain name and a mid-depth path */
	struct td_classify_in in = {"https://example-shop.net/a/b", "example-shop.net",
				    "example-shop.net", "/a/b", 0, NULL, -1,
				    NOW, -1, NULL};
	struct td_classify_out o;

	(void)state;
	td_classify(&in, &o);
	assert_int_equal(o.kind, TD_KIND_UNKNOWN);
	assert_string_equal(td_case_kind_name(o.kind), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(classify_new_brand_domain_is_malicious),
	    cmocka_unit_test(classify_old_site_with_kit_in_wordpress_is_compromised),
	    cmocka_unit_test(classify_platform_site_is_malicious_whatever_the_platform_age),
	    cmocka_unit_test(classify_homograph_counts),
	    cmocka_unit_test(classify_too_little_is_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
