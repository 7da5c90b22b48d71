#ifndef TD_LINT_H
#define TD_LINT_H

#include <stddef.h>

#include "err.h"

/*
 * Lint for report drafts: does a message follow the rules of a good
 * report (issue 4), and is it well formed?  It reads any RFC 5322 message
 * (a draft from td_draft_compose() or one edited by hand) through the
 * mail module and checks the rules below; every rule that fails gives
 * one line saying why.  The content rules read the report's own text
 * (the outer message's text parts, transfer-decoded), never the attached
 * phishing e-mail; the privacy rule reads everything.  The wording each
 * rule looks for is listed in docs/templates.md.
 *
 *   headers           exactly one From, To, Subject, Date, Message-ID; an
 *                     address in From and To, a Date that parses, a
 *                     Message-ID <x@y>; no NUL or bare CR in the header
 *   auto-submitted    no Auto-Submitted field (RFC 3834: it suppresses
 *                     the acknowledgement that tracking relies on)
 *   line-length       no line over 998 octets (RFC 5322 2.1.1)
 *   identity          the text names the reporter: the e-mail address and
 *                     the name or organisation (From's, or as given)
 *   url               the exact URL (each one given, or some http(s) URL)
 *   how-found         how it was found (received, found, discovered...)
 *   evidence          a SHA-256, X-ARF evidence, or an image attached
 *   le-advice         advice to contact law enforcement or police
 *   asks-payment      no request for payment, reward, bounty...
 *   asks-access       no request for access, passwords, credentials
 *   offers-fix        no offer to fix, clean up or secure the site
 *   reveals-identity  malicious case: none of the personal strings given
 *                     (name, personal e-mail), in any part or encoding
 *   attachment        the phishing e-mail is attached (message/rfc822 or
 *                     an .eml file) when the text says it came by e-mail,
 *                     or when required
 */

enum td_lint_attachment {
	TD_LINT_ATTACH_AUTO = 0, /* required when the text says "received
				    in an e-mail" or similar */
	TD_LINT_ATTACH_REQUIRED,
	TD_LINT_ATTACH_NONE /* not checked */
};

struct td_lint_opts {
	int malicious;	       /* the case kind is malicious (or unknown) */
	char *const *personal; /* never in a malicious case's draft */
	size_t nr_personal;
	char *const *reporter; /* strings that must appear (the
				  reporter's e-mail, name or org);
				  NULL: From's address and display name */
	size_t nr_reporter;
	char *const *urls; /* URLs that must appear exactly */
	size_t nr_urls;
	enum td_lint_attachment attachment;
};

struct td_lint_issue {
	const char *rule; /* static rule name, as above */
	char *reason;	  /* one line, safe for a terminal */
};

struct td_lint {
	struct td_lint_issue *issues; /* in the order of the rules above */
	size_t nr, alloc;
};

/*
 * Check the len bytes of msg.  opts may be NULL (compromised case, no
 * strings given, attachment auto).  On return out holds the failed rules
 * (none: the draft passes); the caller releases it with
 * td_lint_release().  Returns 0 (whether or not rules failed), TD_EPARSE
 * (not a message at all; err says why) or TD_ENOMEM.
 */
int td_lint_check(struct td_lint *out, const char *msg, size_t len,
		  const struct td_lint_opts *opts, struct td_error *err);

void td_lint_release(struct td_lint *l);

/* The rule names, in order, NULL-terminated. */
extern const char *const td_lint_rules[];

#endif
