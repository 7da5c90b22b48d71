#ifndef TD_RDAP_H
#define TD_RDAP_H

#include <stddef.h>

#include "err.h"
#include "record.h"

/*
 * RDAP answers (RFC 9083 JSON) read into a struct td_record.  See
 * docs/internals/rdap.md for what is taken from where.
 */

/* Answers larger than this are refused before jansson sees them. */
#define TD_RDAP_MAX_BYTES (16u * 1024 * 1024)
/* Entities (contacts) walked per answer, at any depth. */
#define TD_RDAP_MAX_ENTITIES 1000
/* Deepest entity nesting walked; deeper entities are skipped. */
#define TD_RDAP_MAX_DEPTH 16

/*
 * Parse the RDAP answer json[0..len) into out.  out is set up here with
 * td_record_init() first (whatever it held is not freed), so that it can
 * always be given to td_record_release(), whatever the return code.
 * source_url (may be NULL) is the URL the answer came from; it is copied
 * to out->source (else the answer's "self" link is used).
 *
 * Domain, IP network, autnum, entity and nameserver objects give a record
 * with status TD_REC_FOUND; RDAP error answers (RFC 9083 section 6) give
 * TD_REC_NOT_FOUND (404), TD_REC_RATE_LIMITED (429) or TD_REC_ERROR;
 * help and search answers give TD_REC_ERROR with a note.  What had to be
 * skipped or guessed is listed in out->notes.
 *
 * Returns 0 (out filled, possibly partly), TD_ELIMIT (len over
 * TD_RDAP_MAX_BYTES), TD_EPARSE (not JSON, not a JSON object, or an object
 * that is no RDAP answer), TD_EINVAL (json NULL) or TD_ENOMEM; err (may be
 * NULL) then says why.  On error out may hold a
 * part of the answer.  The caller frees out with td_record_release() in
 * every case.
 */
int td_rdap_parse(struct td_record *out, const char *json, size_t len,
		  const char *source_url, struct td_error *err);

#endif
