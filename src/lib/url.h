#ifndef TD_URL_H
#define TD_URL_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

/*
 * One URL, parsed.  The exact URL is kept byte for byte in `url`; the
 * normalised form lowercases scheme and host, turns the host into its IDNA
 * A-label, drops the scheme's default port and leaves everything else,
 * percent-encoding included, as sent.  Owns every string.
 */
struct td_url {
	char *url;	    /* exact, as given to td_url_parse */
	char *normalized;   /* see above */
	char *scheme;	    /* lowercase, e.g. "https" */
	char *userinfo;	    /* NULL when absent ("user@" tricks) */
	char *host;	    /* as written (percent-decoded if it was) */
	char *host_ascii;   /* lowercase A-label form, or IP literal */
	char *host_unicode; /* U-label display form (may equal host_ascii) */
	char *domain;	    /* registrable domain (libpsl, ICANN+private
			       sections), NULL for IPs and unknown TLDs */
	int port;	    /* explicit port, or -1 */
	unsigned is_ip : 1; /* host is an IPv4/IPv6 literal (any notation) */
	unsigned is_idn : 1; /* host has non-ASCII or xn-- labels */
	unsigned mixed_script : 1; /* a label mixes scripts (homograph) */
};

/*
 * Parse len bytes as an absolute URL with an authority (scheme://host...).
 * Returns 0, TD_EPARSE (not a usable URL: no host, bad IDN, control
 * characters in the host...) or TD_ENOMEM.  On success the caller releases
 * out with td_url_release(); on failure out holds nothing.
 */
int td_url_parse(struct td_url *out, const char *s, size_t len,
		 struct td_error *err);

/* Free what u holds. */
void td_url_release(struct td_url *u);

/*
 * Resolve ref against base per RFC 3986 section 5.2 and append the result
 * to out.  Returns 0, TD_EPARSE if base is not absolute, or TD_ENOMEM.
 */
int td_url_resolve(struct td_buf *out, const char *base, const char *ref,
		   size_t ref_len);

/*
 * If url is a known link wrapper (Microsoft Safe Links, Proofpoint URL
 * Defense v1/v2/v3, Google /url?q=, Symantec Click-Time, and the others
 * listed in docs/extract.md), return 1, store the wrapped URL in *inner_out
 * (malloc'ed; the caller frees it) and the wrapper's name in *kind_out
 * (static string, e.g. "safelinks").  Returns 0 when url is not a wrapper,
 * or TD_ENOMEM.
 */
int td_url_unwrap(char **inner_out, const char **kind_out, const char *url,
		  size_t len);

/* Registrable domain of host (libpsl), malloc'ed, or NULL. */
char *td_url_registrable(const char *host_ascii);

#endif
