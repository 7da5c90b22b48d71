#ifndef TD_ADDR_H
#define TD_ADDR_H

#include <stddef.h>

#include "err.h"

/*
 * Strict e-mail address checks for what takedown sends: an envelope sender
 * or recipient, and the addresses of a draft's To and Cc fields.
 *
 * An address is an RFC 5321 4.1.2 Mailbox and nothing more:
 *
 *   Mailbox    = Local-part "@" ( Domain / address-literal )
 *   Local-part = Dot-string / Quoted-string
 *
 * - no display name, no angle brackets, no comments, no source route, no
 *   white space around it; no CR, LF, NUL or other control character;
 * - limits of RFC 5321 4.5.3.1: local part 64 octets, domain 255; the
 *   whole address at most 254 (the 256-octet path less its "<>");
 * - the local part is ASCII (SMTPUTF8, RFC 6531, is not offered);
 * - a Quoted-string local part is accepted only when it holds none of
 *   @ < > ( ) [ ] , ; : \ (policy, not RFC): quoting is how
 *   "a@x.com>"@y.com makes a careless parser see another domain, and
 *   libcurl splits MAIL FROM and RCPT TO at the first '@';
 * - the domain is a fully qualified host name (RFC 5321 2.3.5: at least
 *   two labels), letters, digits and inner hyphens, labels of 1 to 63
 *   octets, no trailing dot, a last label that is not all digits (RFC
 *   3696 2); an internationalised name (U-labels, or xn-- labels) goes
 *   through the url module (libidn2, UTS 46) and is kept as A-labels,
 *   or refused when it does not convert;
 * - an address literal is [IPv4] in dotted decimal without leading zeros
 *   or [IPv6:...] (RFC 5321 4.1.3); general literals ([tag:...]) are
 *   refused.
 */

#define TD_ADDR_MAX 254	       /* whole address, octets */
#define TD_ADDR_LOCAL_MAX 64   /* RFC 5321 4.5.3.1.1 */
#define TD_ADDR_DOMAIN_MAX 255 /* RFC 5321 4.5.3.1.2 */

/*
 * Check the len bytes of addr as one Mailbox (rules above).  On success
 * returns 0 and, when out is not NULL, stores in *out the address with its
 * domain in lowercase A-labels and the local part as given (malloc'ed; the
 * caller frees it).  Returns TD_EINVAL when the address is refused (err
 * says why, naming the address with control bytes escaped, and the RFC
 * section), or TD_ENOMEM; *out is then NULL.
 */
int td_addr_check(char **out, const char *addr, size_t len,
		  struct td_error *err);

/*
 * Parse an address header field body (To, Cc, From, Reply-To: the text
 * after the colon, folded or unfolded) the strict way takedown writes
 * them: a comma-separated list of mailboxes, each either a bare addr-spec
 * or a display name (atoms, RFC 2047 encoded-words, quoted strings)
 * followed by <addr-spec>.  Comments, groups, source routes, empty
 * elements and obsolete forms are refused (RFC 5322 3.4, 4.4), and every
 * addr-spec must pass td_addr_check().  On success returns 0 and stores
 * the checked addresses (as td_addr_check() gives them) in *out, an array
 * of *nr_out strings; the caller frees it with td_addr_list_free().
 * Returns TD_EINVAL (err says why) or TD_ENOMEM; *out is then NULL.
 */
int td_addr_list_parse(char ***out, size_t *nr_out, const char *value,
		       size_t len, struct td_error *err);

/* Free what td_addr_list_parse() returned (list may be NULL). */
void td_addr_list_free(char **list, size_t nr);

/*
 * Compare two checked addresses as mailboxes: the domain without regard
 * to ASCII case, the local part exactly (RFC 5321 2.4).  Returns 0 when
 * they name the same mailbox.
 */
int td_addr_cmp(const char *a, const char *b);

#endif
