/*
 * What every fuzz target shares: CHECK(), which names the target
 * (FUZZ_NAME, defined before this is included), the file, the line, the
 * field being checked and the failed condition, then aborts so that
 * libFuzzer keeps the input; and a strict UTF-8 test.
 */
#ifndef TD_FUZZ_CHECK_H
#define TD_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

/* the value being checked, named in the abort message */
static const char *field = "";

#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "%s: %s:%d: %s: %s\n", FUZZ_NAME,       \
				__FILE__, __LINE__, field, #c);                \
			abort();                                               \
		}                                                              \
	} while (0)

/* Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
static int __attribute__((unused))
utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i], cp, len, k;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			len = 2, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			len = 3, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			len = 4, cp = c & 0x07;
		else
			return 0;
		if (n - i < len)
			return 0;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 3 &&
		     (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
		i += len;
	}
	return 1;
}

#endif
