#ifndef TD_POLICY_H
#define TD_POLICY_H

#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "store.h"

/*
 * The follow-up policy: when a party that was sent a report and did not
 * act gets a follow-up, when the case goes over its head to the next
 * party on the ladder, and how often.  Kept in the file "policy" of the
 * config folder (paths.h), "key = value" lines like the profile, every
 * key optional; docs/policy.md describes the format and the decisions.
 *
 * The decisions are pure functions of the facts given (no store, no
 * clock), so that tests can walk a case through time.
 */

#define TD_POLICY_MAX_LADDER 8
#define TD_POLICY_MAX_FOLLOWUPS 10
/* Durations are at most a year. */
#define TD_POLICY_MAX_DURATION (366LL * 86400)

struct td_policy {
	long long followup_after;  /* seconds without a human answer */
	long long escalate_after;  /* seconds from the first report */
	unsigned max_followups;	   /* per party */
	long long quiet_after_ack; /* seconds after a human answer */
	/* the escalation ladder, lowest rung first: store roles, each once;
	   TD_ROLE_REGISTRANT is the owner */
	enum td_party_role ladder[TD_POLICY_MAX_LADDER];
	size_t nr_ladder;
};

/* Set p to the defaults: 48h, 5d, 2, 72h, owner host registrar upstream
   le. */
void td_policy_init(struct td_policy *p);

/*
 * Read the policy in text[0..len) (named name in errors) over the
 * defaults already in p (td_policy_init first).  Lines are "key = value",
 * '#' starts a comment line, blank lines are skipped.  Returns 0,
 * TD_EPARSE with "NAME:LINE: what is wrong" in err (unknown key, no "=",
 * a key given twice, a bad duration, number or ladder, a control
 * character), or TD_ENOMEM.  p is left at the defaults on failure.
 */
int td_policy_parse(struct td_policy *p, const char *text, size_t len,
		    const char *name, struct td_error *err);

/*
 * Read the policy file path over the defaults (td_policy_init first).  A
 * missing file is no error: the defaults stay, and 1 is returned.
 * Returns 0 (read), 1 (absent), TD_EIO (cannot read), TD_ELIMIT (over
 * 64 KiB) or as td_policy_parse().
 */
int td_policy_load(struct td_policy *p, const char *path, struct td_error *err);

/*
 * A duration: one or more <digits><unit> groups, unit s, m, h, d or w
 * ("48h", "5d", "1d12h", "90m"); "0" alone is zero.  White space between
 * groups is allowed.  Returns 0 with the seconds in *out, or TD_EPARSE
 * (no unit, unknown unit, over TD_POLICY_MAX_DURATION).
 */
int td_policy_duration(long long *out, const char *s, size_t len);

/*
 * Append secs as people read it, the two largest units: "3d 2h",
 * "5h 10m", "45m", "30s", "0s".  Negative values are written as their
 * absolute value.
 */
void td_policy_duration_text(struct td_buf *out, long long secs);

/* The ladder role names: "owner", "host", ... (owner for REGISTRANT). */
const char *td_policy_rung_name(enum td_party_role role);

/*
 * The rung of a party of role on p's ladder (0 the lowest), or -1 when
 * it is not on it.  A CDN or platform not named on the ladder stands on
 * the host's rung (it serves the content as a host does); blocklists and
 * "other" parties are never on it.
 */
int td_policy_rung(const struct td_policy *p, enum td_party_role role);

/* ---- decisions ------------------------------------------------------ */

/* What is known about one party that was sent something. */
struct td_due_facts {
	enum td_party_role role;
	long long first_sent; /* required (> 0) */
	long long last_sent;  /* the last message sent to it */
	long long last_human; /* its last human answer, 0 none */
	long long last_auto;  /* its last auto-response, 0 none */
	long long bounced;    /* a message to it bounced, 0 no */
	unsigned followups;   /* follow-ups drafted or sent to it */
	int pending;	      /* a follow-up or escalation to it is drafted
				 and not sent yet */
	long long escalated;  /* an escalation past its rung was drafted
				 after its first report, 0 none */
	long long case_acked; /* the case became acknowledged then, 0 not */
	int needs_info;	      /* the case waits for the reporter */
};

enum td_due_action {
	TD_DUE_WAIT,	 /* nothing due before .at */
	TD_DUE_FOLLOWUP, /* a follow-up is due since .at */
	TD_DUE_ESCALATE, /* an escalation is due since .at */
	TD_DUE_BOUNCED,	 /* its contact bounced at .at: route on now */
	TD_DUE_PENDING,	 /* a draft waits to be sent (takedown send) */
	TD_DUE_DONE	 /* escalated, or follow-ups used up and no
			    escalation possible: nothing more for it */
};

struct td_due {
	enum td_due_action action;
	long long at; /* when it is or was due; 0 for PENDING/DONE */
	/* for WAIT: what comes at .at (FOLLOWUP or ESCALATE), else the
	   action itself */
	enum td_due_action next;
};

/*
 * Decide what is due for the party f describes at now under p, given
 * whether the case could still go up the ladder from it (can_escalate:
 * the party is on the ladder).  Escalation wins over a follow-up due at
 * the same time.  Rules (docs/policy.md):
 * - a draft to it waiting: PENDING;
 * - escalated past it already: DONE;
 * - bounced: BOUNCED at once;
 * - the case needs information: WAIT without a time (at 0);
 * - the clock starts at the last message sent; after a human answer (or
 *   the case's acknowledgement) not before that + quiet_after_ack;
 * - follow-up at that clock + followup_after (no human answer) while
 *   fewer than max_followups were made;
 * - escalation at first_sent + escalate_after, or, after a human answer,
 *   at that answer + escalate_after.
 */
void td_policy_decide(struct td_due *out, const struct td_policy *p,
		      const struct td_due_facts *f, int can_escalate,
		      long long now);

/*
 * One line saying why, for people: "sent 3d 2h ago, only an
 * auto-response", "sent 5h ago, no answer, 1 follow-up", "answered 2d
 * ago", "the address bounced 1h ago".  Appended to out.
 */
void td_policy_reason(struct td_buf *out, const struct td_due_facts *f,
		      long long now);

/*
 * The party to escalate to from a party of role from: the first of the
 * nr candidates (their roles in roles[], usable[i] non-zero when it has a
 * working e-mail contact) whose rung is above from's, lowest rung first,
 * in the order given within a rung.  In a malicious case (malicious
 * non-zero) the owner is never chosen.  Returns its index, or -1 when
 * none is left (then: law enforcement).
 */
int td_policy_next(const struct td_policy *p, enum td_party_role from,
		   const enum td_party_role *roles, const int *usable,
		   size_t nr, int malicious);

#endif
