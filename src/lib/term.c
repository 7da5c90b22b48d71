#include <string.h>

#include "term.h"
#include "err.h"
#include "banned.h"

size_t
td_utf8_decode(unsigned *cp, const unsigned char *s, size_t n)
{
	unsigned c, min;
	size_t len, i;

	if (!n)
		return 0;
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xe0) == 0xc0) {
		len = 2, c &= 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3, c &= 0x0f, min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4, c &= 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

int
td_term_escape(struct td_buf *out, const char *s, size_t len, unsigned flags)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run;
	unsigned cp;

	while (i < len) {
		/* copy a run of printable ASCII in one go */
		run = i;
		while (run < len && p[run] >= 0x20 && p[run] < 0x7f &&
		       p[run] != '\\')
			run++;
		if (run > i) {
			td_buf_add(out, p + i, run - i);
			i = run;
			continue;
		}
		if (p[i] == '\\') {
			td_buf_add(out, "\\\\", 2);
			i++;
		} else if (p[i] == '\n' && (flags & TD_TERM_KEEP_NL)) {
			td_buf_addch(out, '\n');
			i++;
		} else if (p[i] == '\t') {
			td_buf_add(out, "\\t", 2);
			i++;
		} else if (p[i] < 0x80) {
			td_buf_printf(out, "\\x%02x", p[i]);
			i++;
		} else {
			size_t n = td_utf8_decode(&cp, p + i, len - i);

			if (!n) {
				td_buf_printf(out, "\\x%02x", p[i]);
				i++;
			} else {
				td_buf_printf(out, "\\u{%04x}", cp);
				i += n;
			}
		}
	}
	return td_buf_failed(out) & TD_BUF_OOM ? TD_ENOMEM : 0;
}

int
td_utf8_sanitize(struct td_buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, start = 0, n;
	unsigned cp;

	while (i < len) {
		if (p[i] && p[i] < 0x80) {
			i++;
			continue;
		}
		if (p[i] && (n = td_utf8_decode(&cp, p + i, len - i))) {
			i += n;
			continue;
		}
		td_buf_add(out, p + start, i - start);
		if (p[i])
			td_buf_add(out, "\xef\xbf\xbd", 3);
		i++;
		start = i;
	}
	td_buf_add(out, p + start, i - start);
	return td_buf_failed(out) & TD_BUF_OOM ? TD_ENOMEM : 0;
}
