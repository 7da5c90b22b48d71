#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "buf.h"
#include "term.h"

static void
check(const char *in, size_t len, unsigned flags, const char *want)
{
	struct td_buf b = TD_BUF_INIT;

	assert_int_equal(td_term_escape(&b, in, len, flags), 0);
	assert_string_equal(b.ptr, want);
	td_buf_release(&b);
}

static void
term_escape_sequences_are_neutralised(void **state)
{
	/* CSI clear screen, OSC set title, bell */
	check("a\x1b[2Jb\x1b]0;pwned\x07", 16, 0,
	      "a\\x1b[2Jb\\x1b]0;pwned\\x07");
}

static void
term_c1_and_bidi_are_escaped(void **state)
{
	/* U+009B (C1 CSI) and U+202E (right-to-left override) */
	check("x\xc2\x9by\xe2\x80\xaez", 8, 0, "x\\u{009b}y\\u{202e}z");
}

static void
term_non_ascii_is_escaped(void **state)
{
	/* Cyrillic a in "p\u0430ypal" */
	check("p\xd0\xb0ypal", 7, 0, "p\\u{0430}ypal");
}

static void
term_invalid_utf8_and_nul_are_escaped(void **state)
{
	check("a\xff\0b", 4, 0, "a\\xff\\x00b");
}

static void
term_backslash_is_doubled_so_escapes_are_unambiguous(void **state)
{
	check("\\x1b", 4, 0, "\\\\x1b");
}

static void
term_newline_kept_only_on_request(void **state)
{
	check("a\nb", 3, 0, "a\\x0ab");
	check("a\nb", 3, TD_TERM_KEEP_NL, "a\nb");
}

static void
utf8_sanitize_replaces_invalid(void **state)
{
	struct td_buf b = TD_BUF_INIT;

	/* overlong slash, lone surrogate, NUL, truncated sequence */
	td_utf8_sanitize(&b, "a\xc0\xaf" "b\xed\xa0\x80" "c\0d\xe2\x82", 13);
	assert_string_equal(b.ptr, "a\xef\xbf\xbd\xef\xbf\xbd" "b"
				   "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
				   "cd\xef\xbf\xbd\xef\xbf\xbd");
	td_buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(term_escape_sequences_are_neutralised),
		cmocka_unit_test(term_c1_and_bidi_are_escaped),
		cmocka_unit_test(term_non_ascii_is_escaped),
		cmocka_unit_test(term_invalid_utf8_and_nul_are_escaped),
		cmocka_unit_test(term_backslash_is_doubled_so_escapes_are_unambiguous),
		cmocka_unit_test(term_newline_kept_only_on_request),
		cmocka_unit_test(utf8_sanitize_replaces_invalid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
