#ifndef TD_WHOIS_H
#define TD_WHOIS_H

#include <stddef.h>

#include "err.h"
#include "record.h"

/*
 * WHOIS answers (port 43 text, RFC 3912) read into a struct td_record, the
 * same struct the RDAP parser fills.  No registry is assumed: the layout
 * is recognised from the text ("Key: value" lines, indented blocks,
 * bracketed keys, RPSL objects, ARIN records).  See docs/internals/whois.md
 * for what is taken from where and why.
 */

/* A value longer than this is cut (at a UTF-8 boundary) and noted. */
#define TD_WHOIS_MAX_FIELD 1024
/* A line longer than this is cut; the rest of the line is skipped. */
#define TD_WHOIS_MAX_LINE 65536
/* Lines read per answer; the rest of the answer is skipped and noted. */
#define TD_WHOIS_MAX_LINES 200000

/*
 * Parse the WHOIS answer text[0..len) into out.  out is set up here with
 * td_record_init() first (whatever it held is not freed), so that it can
 * always be given to td_record_release(), whatever the return code.
 * server_hint (may be NULL) is the server that answered, e.g.
 * "whois.denic.de"; it is copied to out->source and helps with the few
 * registry quirks that the text alone does not reveal.
 *
 * The text may hold anything: NUL bytes are dropped, bytes that are not
 * UTF-8 are read as Latin-1, CR LF and lone CR end lines, other control
 * characters become spaces.  Work is linear in len.
 *
 * out->status is TD_REC_FOUND for an answer with registration data,
 * TD_REC_NOT_FOUND ("No match for", "Status: free"...), TD_REC_RATE_LIMITED
 * (quota, "try again later"...) or TD_REC_ERROR (anything else), the last
 * three with the line that said so in out->status_text.
 *
 * Returns 0 (out filled, possibly partly) or TD_EINVAL (text NULL) or
 * TD_ENOMEM; err (may be NULL) then says why.  The caller frees out with
 * td_record_release() in every case.
 */
int td_whois_parse(struct td_record *out, const char *text, size_t len,
		   const char *server_hint, struct td_error *err);

#endif
