#ifndef TD_STORE_H
#define TD_STORE_H

#include <stddef.h>

#include "classify.h"
#include "err.h"

/*
 * The case store: one SQLite file that keeps every takedown case, what it
 * was made from (URLs, e-mails), who can act on it (parties), what was
 * seen (evidence), what was written and sent (messages), what came back
 * (received replies) and an append-only history (events).  Schema, state
 * machine, indexes and why: docs/internals/store.md.
 *
 * - Times are UTC seconds.  In the structs below a time of 0 means "none"
 *   (stored as NULL); every `now` passed in must be > 0.  The store never
 *   reads the clock itself, so tests can inject one.
 * - Row ids are > 0; an id field of 0 means "none".
 * - Strings in the structs are malloc'ed and owned by the struct once the
 *   store filled it; free them with the matching _release() or
 *   _list_free().  Strings in a struct passed to an _add() are borrowed
 *   and copied.  Text is stored byte for byte, never checked for UTF-8 and
 *   never part of SQL text: every value is a bound parameter.
 * - Text longer than its TD_STORE_MAX_* limit is refused with TD_ELIMIT
 *   before anything is written: callers storing text taken from mail or
 *   the web cut it first.  JSON fields must be valid JSON (TD_EINVAL).
 * - A handle is for one thread.  Several processes may share a file: WAL
 *   mode (readers never wait), a writer waits up to TD_STORE_BUSY_MS for
 *   another writer, and commits are synced (synchronous = FULL), so a
 *   committed event or "sent" mark survives a crash or power loss.
 * - Every function that changes several rows does it atomically: in its
 *   own transaction, or in a savepoint inside the caller's transaction.
 * - Every function that can fail takes a struct td_error *err (may be
 *   NULL) last and fills it with one line naming the file.  Common
 *   returns: TD_EINVAL (bad argument, refused transition, constraint),
 *   TD_ENOTFOUND (no such case or row), TD_ELIMIT (too long), TD_EIO
 *   (locked past the busy timeout, read-only, disk full), TD_EPARSE
 *   (damaged file), TD_ENOMEM.
 */

/* Limits in bytes, excluding the NUL. */
#define TD_STORE_MAX_WORD 64	     /* labels, purposes, sources */
#define TD_STORE_MAX_SHORT 4096	     /* names, addresses, subjects, ids */
#define TD_STORE_MAX_URL 16384	     /* URLs */
#define TD_STORE_MAX_PATH 4096	     /* file paths */
#define TD_STORE_MAX_LONG 65536	     /* reasons, details, SMTP answers */
#define TD_STORE_MAX_JSON (1u << 20) /* provenance, headers, forms... */
/* Default wait for a lock held by another process, in milliseconds. */
#define TD_STORE_BUSY_MS 5000
/* Case tags are TD_STORE_TAG_PREFIX "-YYYY-NNNNNN". */
#define TD_STORE_TAG_PREFIX "TD"

struct td_store;

/* ---- vocabularies (stored as their names) ---- */

/* The state machine is in docs/internals/store.md. */
enum td_case_state {
	TD_STATE_OPEN,
	TD_STATE_REPORTED,
	TD_STATE_ACKNOWLEDGED,	    /* a human answered */
	TD_STATE_AUTO_ACKNOWLEDGED, /* only an auto-response so far */
	TD_STATE_NEEDS_INFO,
	TD_STATE_MITIGATED,
	TD_STATE_CLOSED,
	TD_STATE_NR
};

/* How the content went away; NONE until a case is mitigated. */
enum td_mitigation {
	TD_MIT_NONE,
	TD_MIT_CLEANED,		/* the owner removed it */
	TD_MIT_SUSPENDED,	/* host or platform suspended the account */
	TD_MIT_DNS_REMOVED,	/* name gone: NXDOMAIN, hold, deleted */
	TD_MIT_CDN_BLOCKED,	/* the CDN serves a block page */
	TD_MIT_CONTENT_REMOVED, /* the page is gone (404/410), site up */
	TD_MIT_OTHER,
	TD_MIT_NR
};

/* Who a party is to the case.  NONE is "no role" (filters: any). */
enum td_party_role {
	TD_ROLE_NONE,
	TD_ROLE_REGISTRAR,
	TD_ROLE_HOST,
	TD_ROLE_CDN,
	TD_ROLE_PLATFORM,
	TD_ROLE_REGISTRANT, /* the owner of a compromised site */
	TD_ROLE_REGISTRY,
	TD_ROLE_UPSTREAM, /* the host's upstream network */
	TD_ROLE_LE,	  /* law enforcement, CERT */
	TD_ROLE_BLOCKLIST,
	TD_ROLE_OTHER, /* a takedown organisation, anyone else */
	TD_ROLE_NR
};

enum td_event_kind {
	/* recorded by the store itself */
	TD_EV_CREATED,	   /* td_store_case_new */
	TD_EV_KIND,	   /* td_store_case_set_kind */
	TD_EV_STATE,	   /* td_store_set_state */
	TD_EV_ESCALATED,   /* td_store_set_escalated */
	TD_EV_LABEL,	   /* td_store_label_add/_remove */
	TD_EV_DRAFTED,	   /* td_store_message_add */
	TD_EV_SENT,	   /* td_store_message_mark_sent */
	TD_EV_SEND_FAILED, /* td_store_message_mark_failed */
	TD_EV_REPLY,	   /* a matched human reply */
	TD_EV_AUTO_REPLY,  /* a matched auto-response */
	TD_EV_BOUNCE,	   /* a matched delivery status notification */
	/* recorded by callers with td_store_event_add */
	TD_EV_SUBMITTED, /* a web form or API report */
	TD_EV_CALL,
	TD_EV_NOTE,
	TD_EV_CHECK,
	TD_EV_NR
};

enum td_msg_state {
	TD_MSG_DRAFT,
	TD_MSG_SENDING, /* claimed; outcome unknown until marked */
	TD_MSG_SENT,
	TD_MSG_FAILED,
	TD_MSG_NR
};

enum td_reply_class {
	TD_REPLY_HUMAN,
	TD_REPLY_AUTO,	 /* RFC 3834 and ticket-system acknowledgements */
	TD_REPLY_BOUNCE, /* RFC 3464 delivery status notification */
	TD_REPLY_NR
};

/* How a received message was matched to its case. */
enum td_match {
	TD_MATCH_NONE,
	TD_MATCH_IN_REPLY_TO,
	TD_MATCH_REFERENCES,
	TD_MATCH_TAG,
	TD_MATCH_TICKET,
	TD_MATCH_MANUAL,
	TD_MATCH_NR
};

/*
 * Names as stored and shown ("auto-acknowledged", "dns-removed", "cdn",
 * "send-failed", "in-reply-to"...), or NULL for a value out of range.
 * The parse functions return the value for a name (exact, lowercase), or
 * -1.  td_case_kind has its names in classify.h; the store writes the
 * same three ("unknown", "compromised", "malicious").
 */
const char *td_store_state_name(enum td_case_state v);
int td_store_state_parse(const char *name);
const char *td_store_mitigation_name(enum td_mitigation v);
int td_store_mitigation_parse(const char *name);
const char *td_store_role_name(enum td_party_role v);
int td_store_role_parse(const char *name);
const char *td_store_event_name(enum td_event_kind v);
int td_store_event_parse(const char *name);
const char *td_store_msg_state_name(enum td_msg_state v);
const char *td_store_reply_name(enum td_reply_class v);
int td_store_reply_parse(const char *name);
const char *td_store_match_name(enum td_match v);

/*
 * 1 when the state machine allows going from one state to the other
 * (never to the same state), else 0.
 */
int td_store_transition_allowed(enum td_case_state from, enum td_case_state to);

/* ---- the handle ---- */

/*
 * Open the store at path, creating it (and missing parent folders, mode
 * 0700; the file itself 0600) when absent.  WAL mode, synchronous FULL,
 * foreign keys on, schema version in PRAGMA user_version, a takedown
 * mark in PRAGMA application_id.
 *
 * Returns 0 and a handle in *out (free it with td_store_close()), or:
 * TD_EINVAL for a file of a newer schema version or an SQLite file that
 * is not a takedown store; TD_EPARSE for a file that is not an SQLite
 * database or is damaged; TD_EIO for a folder or file that cannot be
 * created, a read-only file, or a lock held past the busy timeout;
 * TD_ENOMEM.  *out is NULL on failure.
 */
int td_store_open(struct td_store **out, const char *path,
		  struct td_error *err);

/*
 * Close s, rolling back a transaction left open, and free it.  Accepts
 * NULL.
 */
void td_store_close(struct td_store *s);

/* Wait at most ms milliseconds for another writer (0: not at all). */
void td_store_busy_timeout(struct td_store *s, int ms);

/*
 * Name what is writing, e.g. "report", "send", "import", "check", "user"
 * (copied; at most TD_STORE_MAX_WORD bytes, else ignored): the source of
 * every event recorded through s from now on.  The default is
 * "takedown".
 */
void td_store_set_source(struct td_store *s, const char *source);

/*
 * Group calls into one transaction: all or nothing, and one disk sync.
 * begin takes the write lock at once (waiting up to the busy timeout).
 * A commit that fails rolls back, so the handle is out of the
 * transaction whatever commit returns.  Return 0, TD_EINVAL (begin inside
 * a transaction, commit or rollback outside one), TD_EIO or TD_ENOMEM.
 */
int td_store_begin(struct td_store *s, struct td_error *err);
int td_store_commit(struct td_store *s, struct td_error *err);
int td_store_rollback(struct td_store *s, struct td_error *err);

/* ---- cases ---- */

struct td_store_case {
	long long id;
	char *tag; /* "TD-2026-000123" */
	long long created;
	enum td_case_state state;
	long long state_since; /* when the current state was entered */
	int escalated;	       /* 0 or 1 */
	enum td_case_kind kind;
	char *kind_reasons; /* or NULL */
	enum td_mitigation mitigation;
	long long mitigated;   /* when it was last marked mitigated */
	long long first_sent;  /* first message sent to any party */
	long long first_human; /* first human reply from any party */
	long long closed;      /* when it was closed; 0 unless closed */
	char *closed_reason;   /* or NULL */
};

/*
 * Create a case: state open, kind unknown, created now, with the next tag
 * of now's UTC year (TD-2026-000001, TD-2026-000002, ...; six digits at
 * least), and record a "created" event.  Fills *out with the new case
 * (release it with td_store_case_release()).  Returns 0 or a negative
 * code; out is zeroed on failure.
 */
int td_store_case_new(struct td_store_case *out, struct td_store *s,
		      long long now, struct td_error *err);

/*
 * Read case id, or the case tagged tag (compared ignoring ASCII case).
 * Returns 0 with *out filled, TD_ENOTFOUND, or a negative code; out is
 * zeroed unless 0 is returned.  Release with td_store_case_release().
 */
int td_store_case_get(struct td_store_case *out, struct td_store *s,
		      long long id, struct td_error *err);
int td_store_case_get_tag(struct td_store_case *out, struct td_store *s,
			  const char *tag, struct td_error *err);

/*
 * Move case id to state to, as the state machine allows, and record a
 * "state" event ("reported -> mitigated (suspended): detail").
 * - to MITIGATED needs how (not TD_MIT_NONE); it sets mitigation and the
 *   mitigated time, which starts the takedown-time statistics.
 * - to CLOSED needs a reason in detail; mitigation is kept.
 * - to OPEN (reopening a closed case, or one that came back) clears the
 *   mitigation, mitigated, closed and closed_reason.
 * how must be TD_MIT_NONE for every other state.  detail may be NULL.
 *
 * Returns 0, 1 when the case is in that state already (nothing
 * recorded), TD_EINVAL for a transition the machine refuses or missing
 * how/reason (err names both states), TD_ENOTFOUND, or another negative
 * code.
 */
int td_store_set_state(struct td_store *s, long long id, enum td_case_state to,
		       enum td_mitigation how, const char *detail,
		       long long now, struct td_error *err);

/*
 * Set or clear the escalated flag of case id and record an "escalated"
 * event with detail (may be NULL).  Returns 0, 1 when the flag already had
 * that value (nothing recorded), TD_ENOTFOUND or a negative code.
 */
int td_store_set_escalated(struct td_store *s, long long id, int on,
			   const char *detail, long long now,
			   struct td_error *err);

/*
 * Set the kind of case id with its reasons (may be NULL; one per line,
 * at most TD_STORE_MAX_LONG) and record a "kind" event.  Returns 0, 1
 * when kind and reasons are unchanged, TD_ENOTFOUND or a negative code.
 */
int td_store_case_set_kind(struct td_store *s, long long id,
			   enum td_case_kind kind, const char *reasons,
			   long long now, struct td_error *err);

/* Free what c holds and zero it.  Accepts a zeroed struct. */
void td_store_case_release(struct td_store_case *c);
/* Release each of nr cases and free the array.  Accepts NULL. */
void td_store_case_list_free(struct td_store_case *v, size_t nr);

/*
 * Labels: the user's own tags on a case ("bank", "campaign-x"), 1 to
 * TD_STORE_MAX_WORD bytes without control characters or spaces, compared
 * ignoring ASCII case.  add and remove record a "label" event.  They
 * return 0, 1 when the label was already there (add) or was not there
 * (remove), TD_EINVAL, TD_ENOTFOUND or a negative code.
 */
int td_store_label_add(struct td_store *s, long long case_id, const char *label,
		       long long now, struct td_error *err);
int td_store_label_remove(struct td_store *s, long long case_id,
			  const char *label, long long now,
			  struct td_error *err);
/*
 * The labels of a case, sorted, in a malloc'ed array of *nr malloc'ed
 * strings (free with td_store_strings_free()); *out is NULL when there are
 * none.  Returns 0 or a negative code.
 */
int td_store_label_list(char ***out, size_t *nr, struct td_store *s,
			long long case_id, struct td_error *err);
void td_store_strings_free(char **v, size_t nr);

/* ---- listing cases ---- */

/*
 * What td_store_case_list(), _each() and _count() select; a zeroed
 * struct selects every case.  Conditions combine with AND.
 */
struct td_store_filter {
	unsigned states;	  /* bits (1u << TD_STATE_x); 0 = any */
	unsigned kinds;		  /* bits (1u << TD_KIND_x); 0 = any */
	int escalated;		  /* 1: escalated cases only */
	enum td_party_role role;  /* a party in this role; with provider:
				     the provider in this role */
	const char *provider;	  /* a party named so (ASCII case ignored) */
	const char *tag;	  /* the case tag */
	const char *label;	  /* carries this label */
	const char *domain;	  /* a URL under this registrable domain */
	long long created_before; /* created < this (age); 0 = no bound */
	long long created_after;  /* created >= this; 0 = no bound */
	long long cursor;	  /* resume: id < cursor (newest first) or
				     id > cursor (oldest first); 0 = start */
	size_t limit;		  /* at most this many; 0 = all */
	int oldest_first;	  /* order by id ascending */
};

/*
 * The cases f selects (NULL: all), newest first (highest id) unless
 * f->oldest_first.  To page, pass the last id seen as f->cursor.
 *
 * td_store_case_list() returns 0 with a malloc'ed array of *nr cases in
 * *out (NULL when none; free with td_store_case_list_free()).
 * td_store_case_each() calls cb for each case (borrowed for the call)
 * and stops at the first non-zero return, which it returns (for
 * export: memory stays flat).  cb may read through s (parties, events...)
 * but not list cases or change anything; to change the cases selected,
 * take them with td_store_case_list() first.  td_store_case_count()
 * puts the number of selected cases (ignoring cursor and limit) in *out.
 * All return 0 or a negative code (TD_EINVAL for an unknown state, kind
 * or role bit, TD_ELIMIT for an overlong string).
 */
int td_store_case_list(struct td_store_case **out, size_t *nr,
		       struct td_store *s, const struct td_store_filter *f,
		       struct td_error *err);
int td_store_case_each(struct td_store *s, const struct td_store_filter *f,
		       int (*cb)(const struct td_store_case *c, void *payload),
		       void *payload, struct td_error *err);
int td_store_case_count(long long *out, struct td_store *s,
			const struct td_store_filter *f, struct td_error *err);

/* ---- inputs: URLs and e-mails ---- */

struct td_store_url {
	long long id;
	long long case_id;
	char *url;    /* byte for byte as found */
	char *norm;   /* normalised (IDNA A-label, default port dropped) */
	char *host;   /* lowercase A-label or IP literal */
	char *domain; /* registrable domain, or NULL (IP, private suffix) */
};

struct td_store_mail {
	long long id;
	long long case_id;
	char *path;	  /* the stored copy */
	char *sha256;	  /* of its bytes, 64 lowercase hex digits */
	char *message_id; /* without angle brackets, or NULL */
};

/*
 * Add a URL (url, norm and host required) or an e-mail (path and sha256
 * required) to case in->case_id.  The same URL (exact bytes) or e-mail
 * (same sha256) twice in one case is one row.  Returns 0 with the new id
 * in *out (may be NULL), 1 with the existing row's id when it was there,
 * TD_EINVAL, TD_ELIMIT, TD_ENOTFOUND (no such case) or a negative code.
 */
int td_store_url_add(long long *out, struct td_store *s,
		     const struct td_store_url *in, struct td_error *err);
int td_store_mail_add(long long *out, struct td_store *s,
		      const struct td_store_mail *in, struct td_error *err);

/*
 * The URLs or e-mails of a case in the order added, as a malloc'ed array
 * of *nr (NULL when none).  Returns 0 or a negative code.
 */
int td_store_url_list(struct td_store_url **out, size_t *nr, struct td_store *s,
		      long long case_id, struct td_error *err);
int td_store_mail_list(struct td_store_mail **out, size_t *nr,
		       struct td_store *s, long long case_id,
		       struct td_error *err);
void td_store_url_release(struct td_store_url *u);
void td_store_url_list_free(struct td_store_url *v, size_t nr);
void td_store_mail_release(struct td_store_mail *m);
void td_store_mail_list_free(struct td_store_mail *v, size_t nr);

/* ---- parties ---- */

struct td_store_party {
	long long id;
	long long case_id;
	enum td_party_role role;
	char *name;	   /* the provider: "NameCheap, Inc.", "Cloudflare" */
	char *target;	   /* what it answers for: a host, domain, IP */
	char *abuse_email; /* or NULL, as every field below */
	char *phone;
	char *web_form;	  /* URL */
	char *country;	  /* ISO 3166 code where known */
	char *provenance; /* JSON: source, server, query, time... */
	char *ticket;	  /* the provider's ticket number for the case */
	/* kept by the store; ignored by td_store_party_add() */
	long long first_sent;  /* first message to it marked sent */
	long long last_sent;   /* last message to it marked sent */
	long long first_reply; /* first matched reply of any class */
	long long first_human; /* first matched human reply */
	long long bounced;     /* a message to it bounced (bad contact) */
};

/*
 * Add a party (case_id, role and name required) to its case.  One party
 * per (case, provider name, role): adding it again returns 1 with the
 * existing id and changes nothing.  Returns 0 with the new id in *out
 * (may be NULL), 1, TD_EINVAL, TD_ELIMIT, TD_ENOTFOUND or another negative
 * code.
 */
int td_store_party_add(long long *out, struct td_store *s,
		       const struct td_store_party *in, struct td_error *err);

/* Read party id.  Returns 0, TD_ENOTFOUND or a negative code. */
int td_store_party_get(struct td_store_party *out, struct td_store *s,
		       long long id, struct td_error *err);

/* The parties of a case in the order added; see td_store_url_list(). */
int td_store_party_list(struct td_store_party **out, size_t *nr,
			struct td_store *s, long long case_id,
			struct td_error *err);

/*
 * Record the ticket number a provider gave (replacing an earlier one).
 * Returns 0, TD_ENOTFOUND or a negative code.
 */
int td_store_party_set_ticket(struct td_store *s, long long party_id,
			      const char *ticket, struct td_error *err);

/*
 * The party most recently given ticket (exact match).  Returns 0,
 * TD_ENOTFOUND or a negative code.
 */
int td_store_party_find_ticket(struct td_store_party *out, struct td_store *s,
			       const char *ticket, struct td_error *err);

void td_store_party_release(struct td_store_party *p);
void td_store_party_list_free(struct td_store_party *v, size_t nr);

/* ---- evidence ---- */

struct td_store_evidence {
	long long id;
	long long case_id;
	long long url_id;  /* the case URL fetched, or 0 */
	char *url;	   /* what was asked for (required) */
	char *profile;	   /* client profile name (required) */
	long long fetched; /* when (required) */
	char *final_url;   /* after redirects, or NULL */
	int status;	   /* HTTP status, 0 without an answer */
	char *redirects;   /* JSON: the redirect chain */
	char *headers;	   /* JSON: the final response headers */
	char *tls_subject;
	char *tls_issuer;
	long long tls_not_before;
	long long tls_not_after;
	char *body_sha256; /* 64 lowercase hex digits, or NULL */
	long long body_len;
	char *body_path; /* the stored body, or NULL */
	char *title;
	char *forms;   /* JSON: actions, password fields */
	char *error;   /* why the fetch failed, or NULL */
	char *verdict; /* the checker's reading: "live", "nxdomain"... */
};

/*
 * Add one fetch to case in->case_id (url_id, when set, must be a URL of
 * that case).  Returns 0 with the id in *out (may be NULL), TD_EINVAL,
 * TD_ELIMIT, TD_ENOTFOUND or another negative code.
 */
int td_store_evidence_add(long long *out, struct td_store *s,
			  const struct td_store_evidence *in,
			  struct td_error *err);
int td_store_evidence_get(struct td_store_evidence *out, struct td_store *s,
			  long long id, struct td_error *err);
/* The fetches of a case by time; see td_store_url_list(). */
int td_store_evidence_list(struct td_store_evidence **out, size_t *nr,
			   struct td_store *s, long long case_id,
			   struct td_error *err);
void td_store_evidence_release(struct td_store_evidence *e);
void td_store_evidence_list_free(struct td_store_evidence *v, size_t nr);

/* ---- messages we write and send ---- */

struct td_store_message {
	long long id;
	long long case_id;
	long long party_id;	 /* required: the recipient party */
	enum td_party_role role; /* the party's; set by the store */
	char *purpose;	 /* "report", "followup-1"...: at most one message
			    per (case, recipient, purpose) is ever sent */
	char *recipient; /* the address */
	char *subject;
	char *message_id;  /* ours, without angle brackets, unique */
	char *in_reply_to; /* or NULL */
	char *path;	   /* the file in the outbox */
	/* kept by the store; ignored by td_store_message_add() */
	enum td_msg_state state;
	long long created;
	long long claimed; /* when sending started */
	long long sent;
	char *smtp_reply; /* the server's last answer, or NULL */
};

/*
 * Record a draft (case_id, party_id of that case, purpose, recipient,
 * subject, message_id and path required; angle brackets around the ids
 * are dropped) and a "drafted" event.  Returns 0 with the id in *out (may
 * be NULL), TD_EINVAL (also for a Message-ID already stored), TD_ELIMIT,
 * TD_ENOTFOUND or another negative code.
 */
int td_store_message_add(long long *out, struct td_store *s,
			 const struct td_store_message *in,
			 struct td_error *err);

/*
 * Read message id, or ours with Message-ID message_id (angle brackets
 * optional), e.g. the In-Reply-To of a reply.  Returns 0, TD_ENOTFOUND or
 * a negative code.
 */
int td_store_message_get(struct td_store_message *out, struct td_store *s,
			 long long id, struct td_error *err);
int td_store_message_find(struct td_store_message *out, struct td_store *s,
			  const char *message_id, struct td_error *err);
/* The messages of a case in the order drafted; see td_store_url_list(). */
int td_store_message_list(struct td_store_message **out, size_t *nr,
			  struct td_store *s, long long case_id,
			  struct td_error *err);

/*
 * Sending, at most once.  The sender claims a draft (or a failed message)
 * before handing it to SMTP, then marks it sent or failed:
 *
 *   claim:  draft|failed -> sending   (commit before talking SMTP)
 *   mark_sent:    draft|sending|failed -> sent, with smtp_reply
 *   mark_failed:  sending -> failed, with smtp_reply
 *
 * Each is one atomic compare-and-set, so of two senders racing for one
 * message exactly one wins.  A message left "sending" by a crash is not
 * sent again by claim: someone must find out whether it left (SMTP log,
 * the recipient's reply) and mark it sent or failed.  A unique index
 * lets only one message per (case, recipient, purpose) be sending or
 * sent, so a draft written twice cannot be sent twice either; a sent
 * message can never change again (a trigger refuses it).
 *
 * mark_sent sets the time, records a "sent" event and starts the party's
 * and the case's clocks (first_sent); mark_failed records "send-failed".
 * smtp_reply may be NULL.  Return 0, TD_EINVAL when the message is not
 * in a state that allows it (already sent, being sent) or another message
 * of the same purpose went to that recipient (err says which),
 * TD_ENOTFOUND or another negative code.
 */
int td_store_message_claim(struct td_store *s, long long id, long long now,
			   struct td_error *err);
int td_store_message_mark_sent(struct td_store *s, long long id,
			       const char *smtp_reply, long long now,
			       struct td_error *err);
int td_store_message_mark_failed(struct td_store *s, long long id,
				 const char *smtp_reply, long long now,
				 struct td_error *err);

void td_store_message_release(struct td_store_message *m);
void td_store_message_list_free(struct td_store_message *v, size_t nr);

/* ---- messages we receive ---- */

struct td_store_received {
	long long id;
	long long case_id;	  /* 0: not matched (yet) */
	long long party_id;	  /* the party that answered, or 0 */
	long long message;	  /* id of our message it answers, or 0 */
	enum td_match matched_by; /* NONE when case_id is 0 */
	char *from;		  /* From address, or NULL */
	char *subject;		  /* or NULL */
	char *message_id;	  /* without angle brackets, or NULL */
	long long date;		  /* its Date, or 0 */
	long long imported;	  /* set by the store from now */
	enum td_reply_class classification;
	char *ticket; /* a ticket number it gave, or NULL */
	char *path;   /* the stored copy (required) */
	char *sha256; /* of its bytes (required): one row per message */
};

/*
 * Store a received message.  When in->case_id is set it is matched at once
 * as td_store_received_match() does (in->matched_by then required);
 * otherwise it is kept unmatched, never dropped.  The same bytes
 * (sha256) imported again return 1 with the existing id and change
 * nothing.  Returns 0 with the id in *out (may be NULL), 1, TD_EINVAL,
 * TD_ELIMIT, TD_ENOTFOUND or another negative code.
 */
int td_store_received_add(long long *out, struct td_store *s,
			  const struct td_store_received *in, long long now,
			  struct td_error *err);

/*
 * Match received message id (unmatched so far) to case_id, with the
 * party (or 0) and our message (or 0) it answers, both of that case, and
 * how (not TD_MATCH_NONE).  Records a "reply", "auto-reply" or "bounce"
 * event at the message's date (now when it has none) and sets, at that
 * time, the party's first_reply, first_human (human replies; also the
 * case's) or bounced (bounces), and its ticket when the reply gave one
 * and the party had none.  Returns 0, TD_EINVAL (already
 * matched, party or message of another case), TD_ENOTFOUND or another
 * negative code.
 */
int td_store_received_match(struct td_store *s, long long id, long long case_id,
			    long long party_id, long long message,
			    enum td_match how, long long now,
			    struct td_error *err);

int td_store_received_get(struct td_store_received *out, struct td_store *s,
			  long long id, struct td_error *err);
/*
 * The messages received for case_id, or with case_id 0 every unmatched
 * one, in the order imported; see td_store_url_list().
 */
int td_store_received_list(struct td_store_received **out, size_t *nr,
			   struct td_store *s, long long case_id,
			   struct td_error *err);
void td_store_received_release(struct td_store_received *r);
void td_store_received_list_free(struct td_store_received *v, size_t nr);

/* ---- history ---- */

struct td_store_event {
	long long id;
	long long case_id;
	long long at;
	enum td_event_kind kind;
	char *source; /* on add: NULL for the handle's source */
	char *detail; /* or NULL */
};

/*
 * Append an event to the history of in->case_id at in->at.  Only the
 * kinds callers record (submitted, call, note, check) are accepted here;
 * the others are recorded by the functions that make the change.  The
 * history can never be changed or shortened: triggers refuse UPDATE and
 * DELETE.  Returns 0 with the id in *out (may be NULL), TD_EINVAL,
 * TD_ELIMIT, TD_ENOTFOUND or another negative code.
 */
int td_store_event_add(long long *out, struct td_store *s,
		       const struct td_store_event *in, struct td_error *err);

/*
 * The history of a case in time order (ties in the order recorded); see
 * td_store_url_list().
 */
int td_store_event_list(struct td_store_event **out, size_t *nr,
			struct td_store *s, long long case_id,
			struct td_error *err);
void td_store_event_release(struct td_store_event *e);
void td_store_event_list_free(struct td_store_event *v, size_t nr);

/* ---- statistics ---- */

/*
 * Per provider and role, over all cases (kept up to date by triggers as
 * parties, sends, replies and mitigations are recorded, so reading them
 * does not scan the cases).  Durations are in seconds, -1 when there is
 * none; median and p90 are nearest-rank (the value at rank ceil(p * n) of
 * the n sorted durations), exact.
 */
struct td_store_stats {
	enum td_party_role role;
	char *name;
	long long cases;	 /* cases it is a party to */
	long long reported;	 /* ... with a message to it sent */
	long long answered;	 /* ... and a human answer */
	long long mitigated;	 /* ... and the case mitigated */
	long long answer_median; /* first sent -> first human answer */
	long long down_median;	 /* first sent -> mitigated */
	long long down_p90;
};

/* A zeroed struct: every provider and role with at least one case. */
struct td_store_stats_filter {
	enum td_party_role role; /* NONE: every role */
	long long min_cases;
	size_t limit; /* 0: all */
};

/*
 * The providers f selects (NULL: all), most cases first, as a malloc'ed
 * array of *nr (NULL when none; free with td_store_stats_list_free()).
 * Returns 0 or a negative code.
 */
int td_store_stats_list(struct td_store_stats **out, size_t *nr,
			struct td_store *s,
			const struct td_store_stats_filter *f,
			struct td_error *err);
void td_store_stats_list_free(struct td_store_stats *v, size_t nr);

#endif
