#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"

static void
buf_init_ptr_is_empty_string(void **state)
{
	struct td_buf b = TD_BUF_INIT;

	assert_non_null(b.ptr);
	assert_string_equal(b.ptr, "");
	td_buf_release(&b);
	assert_string_equal(b.ptr, "");
}

static void
buf_appends_and_detaches(void **state)
{
	struct td_buf b = TD_BUF_INIT;
	size_t len;
	char *s;

	td_buf_adds(&b, "abc");
	td_buf_addch(&b, '-');
	td_buf_printf(&b, "%d/%s", 42, "x");
	assert_string_equal(b.ptr, "abc-42/x");
	s = td_buf_detach(&b, &len);
	assert_int_equal(len, 8);
	assert_string_equal(s, "abc-42/x");
	assert_int_equal(b.len, 0);
	free(s);
}

static void
buf_max_truncates_and_flags(void **state)
{
	struct td_buf b;

	td_buf_init(&b, 5);
	assert_int_equal(td_buf_adds(&b, "abc"), 0);
	assert_int_equal(td_buf_adds(&b, "defg"), TD_ELIMIT);
	assert_string_equal(b.ptr, "abcde");
	assert_true(td_buf_failed(&b) & TD_BUF_TRUNC);
	assert_int_equal(td_buf_adds(&b, "x"), TD_ELIMIT);
	assert_int_equal(b.len, 5);
	td_buf_release(&b);
}

static void
buf_large_printf_grows(void **state)
{
	struct td_buf b = TD_BUF_INIT;
	char big[1000];

	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	td_buf_printf(&b, "<%s>", big);
	assert_int_equal(b.len, 1001);
	assert_int_equal(b.ptr[1000], '>');
	td_buf_release(&b);
}

static void
array_grow_doubles(void **state)
{
	int *a = NULL;
	size_t alloc = 0;

	assert_int_equal(TD_ARRAY_GROW(a, 1, alloc), 0);
	assert_true(alloc >= 1);
	assert_int_equal(TD_ARRAY_GROW(a, 100, alloc), 0);
	assert_true(alloc >= 100);
	a[99] = 1;
	free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(buf_init_ptr_is_empty_string),
		cmocka_unit_test(buf_appends_and_detaches),
		cmocka_unit_test(buf_max_truncates_and_flags),
		cmocka_unit_test(buf_large_printf_grows),
		cmocka_unit_test(array_grow_doubles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
