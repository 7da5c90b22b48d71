#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <time.h>

#include "clock.h"

static void
test_system_clock(void **state)
{
	long long before = (long long)time(NULL), t;

	(void)state;
	unsetenv("TAKEDOWN_NOW");
	t = td_now();
	assert_true(t >= before && t <= (long long)time(NULL));
	assert_int_equal(td_now_fixed(), 0);
}

static void
test_fixed_clock(void **state)
{
	(void)state;
	setenv("TAKEDOWN_NOW", "1790000000", 1);
	assert_int_equal(td_now(), 1790000000LL);
	assert_int_equal(td_now_fixed(), 1);
	/* read afresh: a test moves it between commands */
	setenv("TAKEDOWN_NOW", "1790172800", 1);
	assert_int_equal(td_now(), 1790172800LL);
	unsetenv("TAKEDOWN_NOW");
}

static void
test_malformed_ignored(void **state)
{
	static const char *const bad[] = {"", "0", "-5", "12x", " 17",
					  "1790000000 ", "1234567890123",
					  "2026-11-27"};
	size_t i;
	long long before = (long long)time(NULL);

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setenv("TAKEDOWN_NOW", bad[i], 1);
		assert_true(td_now() >= before);
		assert_int_equal(td_now_fixed(), 0);
	}
	unsetenv("TAKEDOWN_NOW");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_system_clock),
	    cmocka_unit_test(test_fixed_clock),
	    cmocka_unit_test(test_malformed_ignored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
