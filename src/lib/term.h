#ifndef TD_TERM_H
#define TD_TERM_H

#include <stddef.h>

#include "buf.h"

/*
 * Making attacker text safe to show.  Everything from a message or a
 * record passes through here before it reaches a terminal or a text file:
 * control characters (C0, DEL, C1; ESC, CSI and OSC introducers among
 * them) become \xNN, and non-ASCII becomes \u{XXXX}, so nothing the
 * sender wrote can move the cursor, change colours, set the window title,
 * reorder text with bidi controls or pass one letter off as another.
 */

#define TD_TERM_KEEP_NL 0x01u /* keep \n (multi-line values) */

/*
 * Append s (len bytes, any content) to out, escaped as above.  Invalid
 * UTF-8 bytes become \xNN.  Returns 0 or TD_ENOMEM.
 */
int td_term_escape(struct td_buf *out, const char *s, size_t len,
		   unsigned flags);

/*
 * Replace invalid UTF-8 in s with U+FFFD and drop NUL bytes, appending the
 * result to out.  (For JSON, whose strings must be valid Unicode.)
 * Returns 0 or TD_ENOMEM.
 */
int td_utf8_sanitize(struct td_buf *out, const char *s, size_t len);

/*
 * Decode one UTF-8 sequence at s (n bytes available).  Returns its length
 * (1-4) and stores the code point in *cp, or returns 0 for an invalid or
 * truncated sequence (overlongs and surrogates are invalid).
 */
size_t td_utf8_decode(unsigned *cp, const unsigned char *s, size_t n);

#endif
