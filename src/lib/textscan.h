#ifndef TD_TEXTSCAN_H
#define TD_TEXTSCAN_H

#include <stddef.h>

/*
 * Finding URLs in plain text: scheme URLs, "www." forms, <URL:...>, URLs
 * broken across wrapped lines, and defanged forms (hxxp, hxxps, [.], (.),
 * [dot], [:], and the like).  No allocation survives a call; the library
 * owner of "url" normalises what is found.  What is recognised, what is
 * not, and why: docs/internals/textscan.md.
 */

#define TD_HIT_DEFANGED 0x01u /* refanged: hxxp, [.], [:], [/], "http__"... */
#define TD_HIT_JOINED                                                          \
	0x02u		   /* joined across a wrapped line, or white           \
			      space removed inside <...> */
#define TD_HIT_ANGLE 0x04u /* written as <URL:...> or <...> */
#define TD_HIT_NO_SCHEME                                                       \
	0x08u /* "www.example.com" or "example[.]com":                         \
		 http:// assumed */
#define TD_HIT_TRUNCATED                                                       \
	0x10u /* longer than TD_TEXT_URL_MAX: url holds                        \
		 the first TD_TEXT_URL_MAX bytes only */

/* The longest url handed to the callback, in bytes. */
#define TD_TEXT_URL_MAX 8192

struct td_text_hit {
	const char *raw; /* points into the scanned text */
	size_t raw_len;	 /* raw spans the original bytes, line breaks too
			    (without the <, <URL: and > of an angle URL) */
	const char *url; /* candidate URL, refanged/joined; NUL-terminated */
	size_t url_len;	 /* at most TD_TEXT_URL_MAX */
	unsigned flags;	 /* TD_HIT_* */
};

/*
 * Called once per URL found, in text order; hits never overlap.  A
 * non-zero return stops the scan and is returned by td_text_scan().  hit
 * and its strings are valid only during the call.
 */
typedef int (*td_text_hit_fn)(const struct td_text_hit *hit, void *payload);

/*
 * Scan len bytes of text (any bytes; NULs allowed; UTF-8 expected but not
 * required) for URLs.  Runs in time linear in len and allocates at most
 * O(TD_TEXT_URL_MAX) scratch, freed before it returns.  Returns 0, the
 * first non-zero callback value, or TD_ENOMEM.
 */
int td_text_scan(const char *text, size_t len, td_text_hit_fn fn,
		 void *payload);

#endif
