#ifndef TD_RECORD_H
#define TD_RECORD_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

/*
 * What takedown takes from one registration record: a WHOIS answer (port
 * 43 text) or an RDAP answer (RFC 9083 JSON), for a domain, an IP network
 * or an autonomous system.  Both parsers (whois.c, rdap.c) fill this same
 * struct, so `takedown parse-record` and `takedown lookup` print the same
 * keys whatever the source.  Every string is owned by the record and is
 * UTF-8; fields not present in the record are NULL (or 0 / -1).
 */

enum td_rec_kind {
	TD_REC_UNKNOWN,
	TD_REC_DOMAIN,
	TD_REC_IP,	/* an IP network */
	TD_REC_ASN,	/* an autonomous system */
	TD_REC_ENTITY	/* a contact/organisation record on its own */
};

enum td_rec_status {
	TD_REC_FOUND,	     /* a record with data */
	TD_REC_NOT_FOUND,    /* "no match", "NOT FOUND", RDAP 404 body... */
	TD_REC_RATE_LIMITED, /* quota / "too many queries" / try later */
	TD_REC_ERROR	     /* the server answered with an error text */
};

/* Why a contact value is not a usable contact. */
#define TD_CONTACT_REDACTED 0x01u /* "REDACTED FOR PRIVACY", RFC 9537 */
#define TD_CONTACT_PROXY 0x02u	  /* privacy/proxy service forwarding */
#define TD_CONTACT_WITHHELD 0x04u /* "query the RDDS of the registrar",
				     LACNIC's withheld address... */

struct td_contact {
	char *role;	/* "registrant", "admin", "tech", "abuse", "billing",
			   "registrar", "noc", ... lowercase */
	char *handle;
	char *name;
	char *org;
	char *email;
	char *phone;
	char *country;	/* ISO 3166 alpha-2 when the record gives one */
	char *address;	/* one line */
	char *url;	/* contact web form, when that is all there is */
	unsigned flags; /* TD_CONTACT_* */
};

struct td_record {
	enum td_rec_kind kind;
	enum td_rec_status status;
	const char *format;	/* static: "whois" or "rdap" */
	char *source;		/* server that wrote it, when known */
	char *status_text;	/* for NOT_FOUND/RATE_LIMITED/ERROR: the
				   line that said so */

	/* domains */
	char *domain;		/* LDH (A-label), lowercase */
	char *domain_unicode;
	char *registrar;	/* registrar name */
	long registrar_iana_id; /* -1 when unknown */
	char *registrar_url;
	char *registrar_whois;	/* "Registrar WHOIS Server" */
	char *registrar_rdap;	/* RDAP URL of the registrar's record (the
				   registry's rel="related" link) */
	char *abuse_email;	/* registrar abuse contact (domains) or the
				   network's abuse contact (IP, ASN) */
	char *abuse_phone;
	char *created;		/* ISO 8601 UTC, "YYYY-MM-DDTHH:MM:SSZ" */
	char *updated;
	char *expires;
	char **statuses;	/* EPP status codes as written in RDAP form
				   ("client hold") or WHOIS form
				   ("clientHold"), lowercase, no URL */
	size_t nr_statuses;
	char **nameservers;	/* lowercase, no trailing dot */
	size_t nr_nameservers;
	char *dnssec;

	/* IP networks and ASNs */
	char *handle;		/* NetHandle, inetnum, RDAP handle */
	char *name;		/* netname / AS name */
	char *start;		/* first address, or first ASN */
	char *end;
	char **cidrs;		/* CIDR prefixes covering start..end */
	size_t nr_cidrs;
	char *country;
	char *org;		/* holder organisation */
	char *parent;		/* parent network handle */
	long origin_asn;	/* -1 when the record does not say */
	char *referral;		/* ReferralServer / "refer:" / whois server
				   to ask next */

	struct td_contact *contacts;
	size_t nr_contacts, alloc_contacts;

	char **notes;		/* what the parser had to skip or guess */
	size_t nr_notes, alloc_notes;
	int notes_oom;		/* td_record_note() lost a note for want of
				   memory: the parsers then fail with
				   TD_ENOMEM */
};

/* Set r up empty. */
void td_record_init(struct td_record *r);

/* Free what r holds and set it up empty again. */
void td_record_release(struct td_record *r);

/*
 * Add a contact (zeroed, role copied) and return it, or NULL when out of
 * memory.  The pointer is valid until the next td_record_add_contact().
 */
struct td_contact *td_record_add_contact(struct td_record *r,
					 const char *role);

/* Append a note (copied).  Returns 0 or TD_ENOMEM. */
int td_record_note(struct td_record *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Append s to a string list (copied).  Returns 0 or TD_ENOMEM. */
int td_strlist_add(char ***list, size_t *nr, const char *s, size_t len);

/*
 * Is this value a placeholder rather than a contact?  Returns a
 * TD_CONTACT_* flag (REDACTED, PROXY or WITHHELD) or 0 for a real value.
 * Knows "REDACTED FOR PRIVACY", "Not Disclosed", "Data Protected", "Please
 * query the RDDS service of the Registrar of Record", "GDPR Masked",
 * privacy-proxy forwarding addresses (whoisprivacy, contactprivacy,
 * withheldforprivacy, domainsbyproxy, ...), web-form placeholders and the
 * like.  The list, with where each was seen: docs/internals/whois.md.
 */
unsigned td_record_placeholder(const char *value);

/*
 * Normalise a date as written in a record (ISO 8601, RFC 3339, "02-Jan-2006",
 * "2006.01.02", "20060102", "2006-01-02 15:04:05 UTC", ...) to
 * "YYYY-MM-DDTHH:MM:SSZ" in out (at least 21 bytes).  Returns 0 or
 * TD_EPARSE.
 */
int td_record_date(char *out, size_t size, const char *value);

struct td_jw;

/* Names for output: "domain", "ip"...; "found", "not_found"... */
const char *td_record_kind_name(enum td_rec_kind k);
const char *td_record_status_name(enum td_rec_status s);

/*
 * Write r as one JSON object (docs/record-schema.md) with the writer w.
 */
void td_record_json(struct td_jw *w, const struct td_record *r);

/*
 * Make every string of r valid UTF-8: a string a parser cut inside a
 * character (a byte limit, a %.Ns) gets U+FFFD for the broken bytes.  The
 * parsers call it last, so the promise above holds whatever they cut.
 * Returns 0 or TD_ENOMEM.
 */
int td_record_fix_utf8(struct td_record *r);

#endif
