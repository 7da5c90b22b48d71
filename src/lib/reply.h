#ifndef TD_REPLY_H
#define TD_REPLY_H

#include <stddef.h>

#include "err.h"
#include "mail.h"
#include "store.h"

/*
 * What came back: one received message classified as a human reply, an
 * auto-response (RFC 3834 and its vendor cousins, ticket-system
 * acknowledgements) or a bounce (an RFC 3464 delivery status
 * notification, or the plain-text failure notices of older MTAs), with
 * the rule that decided, the facts needed to match it to a case (its
 * ids, a provider's ticket number, the original Message-ID inside a
 * bounce) and, for a bounce, the delivery status.  The MIME is parsed by
 * mail.h (GMime); the rules are in docs/internals/reply.md.
 */

/* Messages larger than this are refused by default (bytes). */
#define TD_REPLY_MAX_BYTES (32u << 20)
/* Bounds on what is kept (bytes, excluding the NUL). */
#define TD_REPLY_MAX_ID 998	      /* a Message-ID: one RFC 5322 line */
#define TD_REPLY_MAX_REFS 64	      /* References ids kept (first and last) */
#define TD_REPLY_MAX_TICKET 80	      /* a ticket number as kept */
#define TD_REPLY_MAX_TEXT 1024	      /* Diagnostic-Code, Status, Action... */
#define TD_REPLY_MAX_SUBJECT 4000     /* within TD_STORE_MAX_SHORT */
#define TD_REPLY_MAX_BODY (64u << 10) /* body text read for the rules */

struct td_reply_opts {
	size_t max_bytes; /* refuse larger messages (TD_ELIMIT) */
	struct td_mail_limits limits;
};

#define TD_REPLY_OPTS_INIT                                                     \
	{                                                                      \
		TD_REPLY_MAX_BYTES, TD_MAIL_LIMITS_INIT                        \
	}

struct td_reply {
	enum td_reply_class cls;
	char *reason; /* which header or rule decided, one line */

	char *from;	   /* addr-spec of the first From address, or NULL */
	char *from_name;   /* its display name, decoded, or NULL */
	char *subject;	   /* RFC 2047 decoded UTF-8, CR/LF/NUL as spaces */
	long long date;	   /* Date in UTC seconds, 0 when absent or bad */
	char *message_id;  /* without angle brackets, or NULL */
	char *in_reply_to; /* the first id of In-Reply-To, or NULL */
	char **refs;	   /* References ids, oldest first */
	size_t nr_refs;

	char *ticket; /* a provider's ticket id ("Ticket#123"), or NULL */
	const char *ticket_kind; /* the pattern's name ("otrs", "rt"...) */
	int needs_info; /* a human reply that asks for more information */

	/* bounces (also set for a delivery report that is not a failure) */
	int rfc3464;		   /* from a message/delivery-status part */
	char *final_recipient;	   /* address, without "rfc822;" */
	char *action;		   /* "failed", "delayed"... lowercase */
	char *status;		   /* "5.1.1" */
	char *diagnostic;	   /* Diagnostic-Code, or the failure line */
	char *original_message_id; /* of the message that bounced */
	unsigned warnings;	   /* limits hit or malformed MIME seen */
};

/*
 * Parse len bytes as one received message and classify it.  opts may be
 * NULL for the defaults.  Returns 0 with *out filled (release it with
 * td_reply_release()), TD_ELIMIT for a message over opts->max_bytes,
 * TD_EPARSE when nothing could be parsed, or TD_ENOMEM; err says which.
 * out is zeroed (and needs no release) unless 0 is returned.
 */
int td_reply_parse(struct td_reply *out, const char *data, size_t len,
		   const struct td_reply_opts *opts, struct td_error *err);

/* Free what r holds and zero it.  Accepts a zeroed struct. */
void td_reply_release(struct td_reply *r);

/*
 * Look for a provider's ticket id in text (len bytes) with the pattern
 * table of reply.c: in a subject when body is 0, in body text (which
 * allows only the patterns safe there) when 1.  On a hit writes the id
 * as kept ("Ticket#2026112710000123", "rt.example.net #123",
 * "Case 01234567") into out (outsz bytes, at least
 * TD_REPLY_MAX_TICKET + 1) and returns the pattern's name; else returns
 * NULL.
 */
const char *td_reply_ticket_find(char *out, size_t outsz, const char *text,
				 size_t len, int body);

/*
 * Find a case tag (TD-YYYY-NNNNNN, six to nine digits) in s.  Writes it
 * uppercase into out (at least 24 bytes) and returns 1, or returns 0.
 */
int td_reply_tag_find(char out[24], const char *s);

#endif
