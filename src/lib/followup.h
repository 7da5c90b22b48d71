#ifndef TD_FOLLOWUP_H
#define TD_FOLLOWUP_H

#include <stddef.h>

#include "buf.h"
#include "draft.h"
#include "err.h"

/*
 * Follow-ups and escalations: one RFC 5322 message about a case that was
 * reported already.
 *
 * A follow-up goes to a party that was sent the report and did not act:
 * a reply in the thread of our earlier messages to it (Subject "Re: "
 * and the first one's subject, which carries the case tag; In-Reply-To
 * the last of them, References all of them, oldest first, so that the
 * first follow-up answers the report itself), restating the facts briefly
 * (the URLs, the evidence, whether the page was still up at the last
 * check) with the audit trail providers and ICANN Compliance ask for:
 * every earlier message with its Message-ID, date and recipient, and the
 * answers received.  The report is attached as message/rfc822.
 *
 * An escalation goes to the next party on the ladder: who was told when
 * and did not act, the same audit trail, the earlier report attached.  It
 * is a reply in the thread of our messages to that party when there are
 * any, else a new thread with the template's subject.
 *
 * Bodies come from data/templates/followup.txt and escalate.txt
 * (docs/templates.md has the language; docs/policy.md the variables of
 * these two), headers are written by td_mail_write(), so attacker text
 * (subjects, names from WHOIS) can neither inject a header nor break a
 * line.  Nothing is sent or written to disk here.
 */

enum td_followup_kind { TD_FOLLOWUP, TD_ESCALATION };

/* One message of the audit trail: ours sent, or an answer received. */
struct td_followup_msg {
	int received;		/* 0: ours, sent; 1: an answer to us */
	const char *message_id; /* without angle brackets, or NULL */
	long long date;		/* sent, or the answer's date */
	const char *role;	/* the party's role name, or NULL */
	const char *party;	/* the party's name, or NULL */
	const char *address;	/* recipient (ours) or sender (received) */
	const char *purpose;	/* "report", "followup-1"...; for received:
				   "human reply", "auto-response", "bounce" */
	const char *subject;	/* or NULL */
	const char *ticket;	/* a ticket number it gave, or NULL */
};

/* A party that was told and did not act (escalations). */
struct td_followup_silent {
	const char *role; /* "host", "registrar"... */
	const char *name; /* or NULL */
	const char *email;
	long long first_sent;
	unsigned followups;
	long long last_sent;
	const char *status; /* "no answer", "only an auto-response"... */
};

struct td_followup_input {
	enum td_followup_kind kind;
	const struct td_draft_identity *from;
	struct td_draft_recipient to;
	const char *case_tag;
	enum td_draft_kind case_kind;
	const struct td_draft_url *urls; /* at least one */
	size_t nr_urls;
	const char *found_how; /* "received in a phishing e-mail", or NULL */
	/* the latest capture of each URL (for the evidence and "still up");
	   fetched_at of the newest one is the last check */
	const struct td_draft_fetch *fetches;
	size_t nr_fetches;
	const char *mail_sha256; /* the phishing e-mail's SHA-256, or NULL */
	const char *le_advice;	 /* required */
	/* the thread answered: the first message's subject and the ids of
	   our messages to this recipient, oldest first (NULL/0: a new
	   thread, escalations only); at most 32 are used (the first and
	   the last 31) */
	const char *thread_subject;
	const char *const *thread;
	size_t nr_thread;
	unsigned followup_nr; /* 1 for the first follow-up */
	long long first_sent; /* our first message to the recipient */
	const char *status;   /* follow-up: "no answer", ... */
	const char *ticket;   /* the recipient's ticket, or NULL */
	const struct td_followup_msg *trail; /* oldest first */
	size_t nr_trail;
	const struct td_followup_silent *silent; /* escalations */
	size_t nr_silent;
	/* the earlier report, attached as report.eml (required) */
	const char *report;
	size_t report_len;
	long long report_sent;
	const char *report_to; /* who it went to: "host Name <addr>" */
	/* strings taken out of the body and the attachment (malicious
	   case: the reporter's personal name and addresses) */
	char *const *redact;
	size_t nr_redact;
	long long now; /* Date, UTC seconds (> 0) */
};

struct td_followup_opts {
	const char *template_dir; /* followup.txt / escalate.txt replacing
				     the built-in ones, or NULL */
	unsigned crlf : 1;
};

/*
 * Compose the message for in (opts may be NULL) into out, whose
 * message_id ("<...>") and subject are set too (report_id is NULL);
 * release it with td_draft_release().  Returns 0, TD_EINVAL (in is
 * unusable: no URL, no report, no LE advice, an address that is not a
 * plain addr-spec, a follow-up without a thread, an owner in a malicious
 * case; a broken template: err names the file and line), TD_EIO (a user
 * template cannot be read, no random bytes) or TD_ENOMEM.
 */
int td_followup_compose(struct td_draft *out,
			const struct td_followup_input *in,
			const struct td_followup_opts *opts,
			struct td_error *err);

/*
 * Law-enforcement guidance for a country (ISO code or NULL): who to
 * contact (police, CERT) and what they will ask for, from le.h, as lines
 * appended to out.
 */
void td_followup_le_advice(struct td_buf *out, const char *country);

/* The built-in template for kind, with its length in *len (may be NULL). */
const char *td_followup_builtin_template(enum td_followup_kind kind,
					 size_t *len);

/* The variables the follow-up templates add to the report ones. */
extern const char *const td_followup_variables[];

#endif
