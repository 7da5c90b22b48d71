#ifndef TD_URL_H
#define TD_URL_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

/*
 * One URL, parsed the way a browser would (WHATWG URL for hosts, RFC 3986
 * for the rest).  The exact URL is kept byte for byte in `url`; the
 * normalised form lowercases the scheme, puts host_ascii in place of the
 * host, drops the scheme's default port and leaves everything else
 * (userinfo, path, query, fragment, percent-encoding, a missing "/") as
 * sent.  Owns every string.  See docs/internals/url.md.
 */
struct td_url {
	char *url;	     /* exact, as given to td_url_parse */
	char *normalized;    /* see above */
	char *scheme;	     /* lowercase, e.g. "https" */
	char *userinfo;	     /* NULL when there is no '@' ("user@" tricks) */
	char *host;	     /* as written (percent-decoded if it was); for
				IPv6 the text between the brackets */
	char *host_ascii;    /* lowercase A-labels without a trailing dot;
				for IPs the address as browsers show it:
				dotted quad, or IPv6 without brackets */
	char *host_unicode;  /* U-label display form (may equal host_ascii) */
	char *domain;	     /* registrable domain (libpsl, ICANN+private
				sections), NULL for IPs, public suffixes and
				unknown TLDs */
	int port;	     /* explicit port (even the default one), or -1 */
	unsigned is_ip : 1;  /* host is an IPv4/IPv6 literal (any notation) */
	unsigned is_idn : 1; /* host has non-ASCII or xn-- labels */
	unsigned mixed_script : 1; /* homograph suspect: a label mixes
				      Latin/Greek/Cyrillic/Armenian/Cherokee,
				      or is all Latin look-alikes in Cyrillic
				      or Greek under an ASCII TLD */
};

/*
 * Parse len bytes as an absolute URL with an authority (scheme://host...;
 * for http, https, ftp, ws and wss any run of '/' and '\' after the colon,
 * as browsers accept).  Returns 0, TD_EPARSE (not a usable URL: no scheme,
 * no host, bad port, bad IP literal, control characters or spaces in the
 * host, a host libidn2 refuses...; err says which), TD_EINVAL (s is NULL)
 * or TD_ENOMEM.  On success the caller releases out with td_url_release();
 * on failure out holds nothing.
 */
int td_url_parse(struct td_url *out, const char *s, size_t len,
		 struct td_error *err);

/* Free what u holds (u may be NULL) and leave it empty. */
void td_url_release(struct td_url *u);

/*
 * Resolve ref (ref_len bytes) against the NUL-terminated base per RFC
 * 3986 section 5.2 (strict) and append the result to out.  Returns 0,
 * TD_EPARSE if base has no scheme, TD_EINVAL for NULL arguments,
 * TD_ELIMIT if out's max was hit, or TD_ENOMEM; out is unchanged on
 * failure, except for what fitted below its max.
 */
int td_url_resolve(struct td_buf *out, const char *base, const char *ref,
		   size_t ref_len);

/*
 * If url is a known link wrapper (Microsoft Safe Links, Proofpoint URL
 * Defense v1/v2/v3, Google /url?q= and AMP, Symantec Click-Time, and the
 * others listed in docs/internals/url.md) whose target can be decoded
 * offline, peel one layer: return 1, store the wrapped URL in *inner_out
 * (malloc'ed; the caller frees it) and the wrapper's name in *kind_out
 * (static string, e.g. "safelinks").  The inner URL is decoded once and
 * is always an absolute http, https or ftp URL.  Returns 0 when url is not
 * a wrapper, cannot be decoded or wraps itself, or TD_ENOMEM; the out
 * parameters are then NULL.
 */
int td_url_unwrap(char **inner_out, const char **kind_out, const char *url,
		  size_t len);

/*
 * Name a link wrapper whose target cannot be recovered offline (only
 * "mimecast" today), or return NULL.  The string is static.
 */
const char *td_url_opaque_wrapper(const char *url, size_t len);

/*
 * Registrable domain of a host name (libpsl), malloc'ed (the caller frees
 * it), or NULL for IP addresses, public suffixes, unknown TLDs and
 * allocation failures.  ASCII case and one trailing dot are ignored.
 */
char *td_url_registrable(const char *host_ascii);

/*
 * Split host by the two sections of the Public Suffix List: *icann gets
 * the registrable domain under the ICANN section alone (what a registry
 * knows: "firebaseapp.com" for "site.firebaseapp.com"), *priv the longest
 * private-section suffix the host lies strictly below ("firebaseapp.com"),
 * the mark of a platform whose customers own the names under it.  Either
 * is NULL when there is none.  Returns 0 or TD_ENOMEM (both NULL).
 */
int td_url_psl_split(const char *host_ascii, char **icann, char **priv);

#endif
