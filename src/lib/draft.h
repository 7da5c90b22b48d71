#ifndef TD_DRAFT_H
#define TD_DRAFT_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

/*
 * Report drafts: one RFC 5322 message for one recipient of one case.
 *
 * The caller fills a struct td_draft_input (every string borrowed, UTF-8
 * or not, attacker-controlled or not: all of it is made safe here) and
 * td_draft_compose() writes the message: From the identity, To the
 * recipient, a Subject with the case tag, Date, Message-ID on the
 * identity's own domain, no Auto-Submitted; multipart/mixed with the body
 * rendered from the recipient role's template (docs/templates.md), the
 * original e-mail as message/rfc822 when given, and an X-ARF v4
 * content/phishing report (xarf.json).  Nothing is sent and nothing is
 * written to disk.  docs/internals/draft.md says how each part is built.
 */

enum td_draft_role {
	TD_DRAFT_REGISTRAR,
	TD_DRAFT_HOST, /* the hosting network */
	TD_DRAFT_CDN,
	TD_DRAFT_PLATFORM, /* free host, site builder, form builder... */
	TD_DRAFT_OWNER,	   /* registrant/owner: compromised cases only */
	TD_DRAFT_LE,	   /* law enforcement */
	TD_DRAFT_BLOCKLIST,
	TD_DRAFT_TAKEDOWN /* a takedown organisation the reporter works with */
};

enum td_draft_kind {
	TD_DRAFT_COMPROMISED, /* a legitimate site broken into */
	TD_DRAFT_MALICIOUS    /* set up by the criminal (also: unknown) */
};

/* Who reports.  In a malicious case pass the identity meant for reports
   that may reach a criminal (name NULL, an organisation address). */
struct td_draft_identity {
	const char *name;      /* personal name, or NULL */
	const char *org;       /* organisation, or "individual" */
	const char *email;     /* required; its domain names the Message-ID */
	const char *phone;     /* or NULL */
	const char *signature; /* lines for the end of the body, or NULL */
};

struct td_draft_recipient {
	enum td_draft_role role;
	const char *name;  /* e.g. the registrar's name from RDAP, or NULL */
	const char *email; /* a plain addr-spec */
};

struct td_draft_url {
	const char *url;	/* exactly as found */
	const char *normalized; /* as a browser reads it (A-label), or NULL */
};

/* How the URLs were found. */
struct td_draft_found {
	const char *how;	   /* e.g. "received in a phishing e-mail" */
	long long email_date;	   /* the e-mail's Date, UTC seconds, or -1 */
	const char *email_subject; /* or NULL */
	const char *sending_ip;	   /* the relay that handed it over, or NULL */
};

struct td_draft_form {
	const char *action;  /* absolute submission URL, or NULL */
	const char *method;  /* "GET"/"POST", or NULL */
	char *const *fields; /* input names */
	size_t nr_fields;
	unsigned password_fields; /* inputs of type password */
};

/* One capture of what a URL served, to one client profile. */
struct td_draft_fetch {
	const char *url;	/* requested */
	const char *final_url;	/* after redirects, or NULL */
	int status;		/* HTTP status, or 0 */
	const char *title;	/* page title, or NULL */
	char *const *redirects; /* every hop after url, in order */
	size_t nr_redirects;
	const struct td_draft_form *forms;
	size_t nr_forms;
	const char *tls_subject; /* certificate, or NULL for http */
	const char *tls_issuer;
	long long tls_not_before, tls_not_after; /* UTC seconds, or -1 */
	const char *sha256; /* of the body, 64 hex digits, or NULL */
	long long size;	    /* body bytes, or -1 */
	const char *body;   /* the body itself, or NULL; put in the
			       X-ARF evidence when at most 1 MiB */
	size_t body_len;
	const char *content_type; /* of the response, or NULL */
	long long fetched_at;	  /* UTC seconds */
	const char *client;	  /* client profile, e.g. the User-Agent */
};

/* Who can act, as lookup found them, with provenance. */
struct td_draft_party {
	const char *role; /* "registrar", "host", "cdn", "platform" */
	const char *name;
	const char *contact;  /* abuse e-mail or form, or NULL */
	const char *source;   /* "rdap", "whois", "dns", "data" */
	const char *server;   /* which server answered, or NULL */
	long long queried_at; /* UTC seconds, or -1 */
	long long asn;	      /* origin AS of a host network, or -1 */
	const char *country;  /* ISO 3166 alpha-2, or NULL */
};

struct td_draft_input {
	const struct td_draft_identity *from;
	struct td_draft_recipient to;
	const char *case_tag; /* e.g. "TD-2026-000123" */
	enum td_draft_kind kind;
	const struct td_draft_url *urls; /* at least one; urls[0] is the one
					    the X-ARF report is about */
	size_t nr_urls;
	struct td_draft_found found;
	const struct td_draft_fetch *fetches;
	size_t nr_fetches;
	const struct td_draft_party *parties;
	size_t nr_parties;
	const char *whois_created; /* domain creation, ISO 8601, or NULL */
	const char *target_brand;  /* impersonated brand, or NULL */
	const char *le_advice;	   /* who to contact and what they will ask
				      for (several lines); required */
	const char *original; /* the phishing e-mail as received, or NULL */
	size_t original_len;
	/* strings taken out of the attached e-mail (and of its copy in the
	   X-ARF report) before it is attached: in a malicious case, the
	   reporter's personal name and addresses.  Matched without regard
	   to case, also %-encoded and base64-encoded; see draft.md. */
	char *const *redact;
	size_t nr_redact;
	long long now; /* Date and report time, UTC seconds; -1: now */
};

struct td_draft_opts {
	const char *template_dir; /* a folder whose ROLE.txt files replace
				     the built-in templates, or NULL */
	unsigned crlf : 1;	  /* CRLF line ends (SMTP) rather than LF */
	unsigned no_xarf : 1;	  /* leave out the X-ARF part */
	/* an ARF report (RFC 5965: multipart/report, Feedback-Type: fraud,
	   the e-mail as its third part) instead of the X-ARF part; only
	   when in->original is given, otherwise X-ARF as usual */
	unsigned arf : 1;
};

struct td_draft {
	char *message; /* the whole RFC 5322 message */
	size_t len;
	char *message_id; /* "<...@domain>", as in the header */
	char *subject;	  /* UTF-8, as it reads in the header */
	char *report_id;  /* the X-ARF report_id (a UUID), or NULL */
};

/*
 * Compose the message for in.  opts may be NULL.  On success *out holds
 * malloc'ed strings the caller frees with td_draft_release().  Returns 0,
 * TD_EINVAL (in is unusable: no URL, no identity e-mail, an address that
 * is not a plain addr-spec, no LE advice, an owner in a malicious case; or
 * a template is broken: err names the file and line), TD_EIO (a user
 * template cannot be read) or TD_ENOMEM.
 */
int td_draft_compose(struct td_draft *out, const struct td_draft_input *in,
		     const struct td_draft_opts *opts, struct td_error *err);

void td_draft_release(struct td_draft *d);

/*
 * Render only the subject (one line) and the body of in's template,
 * appending them to subject and body (for previews and phone scripts).
 * Returns as td_draft_compose().
 */
int td_draft_render(struct td_buf *subject, struct td_buf *body,
		    const struct td_draft_input *in,
		    const struct td_draft_opts *opts, struct td_error *err);

/*
 * Render template text (len bytes, named name in errors) with in's
 * variables.  For checking a user's template: `takedown` never renders
 * text it did not load itself.  Returns as td_draft_compose().
 */
int td_draft_render_text(struct td_buf *subject, struct td_buf *body,
			 const char *text, size_t len, const char *name,
			 const struct td_draft_input *in, struct td_error *err);

/*
 * Read a user's template file at path into out, whose byte limit (set by
 * the caller with td_buf_init) bounds it.  Returns 0, -EFBIG (over the
 * limit), -ENOMEM or -errno (cannot open or read; -ENOENT when absent).
 */
int td_draft_read_template(struct td_buf *out, const char *path);

/*
 * As td_draft_render_text(), with nr variables of the caller's own as
 * well (names[i] is values[i]; they hide built-in variables of the same
 * name): for messages that say more than a report, such as follow-ups.
 * The values are put in as the built-in ones are (a multi-line value
 * indented as its line), so they must be made safe by the caller.
 */
int td_draft_render_text_vars(struct td_buf *subject, struct td_buf *body,
			      const char *text, size_t len, const char *name,
			      const struct td_draft_input *in,
			      const char *const *names,
			      const struct td_buf *values, size_t nr,
			      struct td_error *err);

/*
 * Overwrite, in b, every occurrence of each of the nr strings strs, as
 * td_draft_compose() does with in->redact: ASCII case ignored, also
 * %-encoded ('@' as %40, ' ' as %20 or '+') and inside base64 text (both
 * alphabets, any alignment; the lowercase form too).  Plain and
 * %-encoded matches become '*', base64 ones 'A', so lengths, line
 * lengths and base64 decoding are kept.  Strings shorter than 3 bytes are
 * ignored.
 */
void td_draft_redact(struct td_buf *b, char *const *strs, size_t nr);

/* "registrar", "host", "cdn", "platform", "owner", "le", "blocklist",
   "takedown":
   also the template file name without ".txt".  -1 for an unknown name. */
const char *td_draft_role_name(enum td_draft_role role);
int td_draft_role_parse(const char *name);

/* The built-in template for role (NUL-terminated, static). */
const char *td_draft_builtin_template(enum td_draft_role role, size_t *len);

/* Names of every variable templates may use, NULL-terminated. */
extern const char *const td_draft_variables[];

#endif
