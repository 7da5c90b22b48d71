#ifndef TD_EXTRACT_H
#define TD_EXTRACT_H

#include <stddef.h>

#include "err.h"
#include "mail.h"
#include "received.h"
#include "url.h"

/*
 * Every indicator out of one phishing e-mail: for the outer message and
 * each message carried inside it, the header facts, the Received chain
 * with the hop to report, URLs (exact, normalised, unwrapped, with where
 * each was found and the visible link text), e-mail addresses, IP
 * literals, phone numbers and attachments.
 */

/* One place an indicator was seen. */
struct td_found {
	char *part;	    /* MIME part path, "" for the message headers */
	const char *where;  /* static: "text", "a href", "header Subject"... */
	char *content_type; /* of the part, or NULL for headers */
	char *filename;	    /* attachment name of the part, or NULL */
	char *link_text;    /* visible text of an HTML link, or NULL */
	char *shown_host;   /* host the link text shows, or NULL */
	unsigned mismatch : 1; /* shown_host differs from the target's */
};

struct td_wrap {
	const char *kind; /* static: "safelinks", "proofpoint-v2"... */
	char *url;	  /* the wrapper URL as found */
};

struct td_xurl {
	struct td_url u;   /* the effective URL: refanged, unwrapped */
	char *raw;	   /* the first form seen, as written */
	struct td_wrap *wraps; /* outermost first, then those of later
				  occurrences behind other wrappers */
	size_t nr_wraps;
	struct td_found *found;
	size_t nr_found, alloc_found;
	size_t seen;	   /* times seen, including those not listed */
	unsigned defanged : 1;
	unsigned joined : 1;	 /* joined across a wrapped line */
	unsigned mismatch : 1;	 /* some link text shows another host */
};

struct td_xval {
	char *value; /* normalised value */
	char *raw;   /* first form seen */
	struct td_found *found;
	size_t nr_found, alloc_found;
	size_t seen;
	unsigned defanged : 1;
};

struct td_xattach {
	char *part;
	char *filename;
	char *content_type;
	size_t size;
	char sha256[65];
	unsigned truncated : 1;
};

struct td_xlist {
	struct td_xval *v;
	size_t nr, alloc;
	void *index; /* private hash index */
};

struct td_xmsg {
	enum td_mail_role role;
	char *part;
	char *filename;
	unsigned depth;
	long parent; /* index of the carrying message, -1 for the outer */

	struct td_mail_addr *from, *reply_to, *sender, *to;
	size_t nr_from, nr_reply_to, nr_sender, nr_to;
	char *return_path;
	char *subject;	  /* RFC 2047 decoded */
	char *date;	  /* as written */
	long long date_utc; /* seconds since the epoch, or -1 */
	char *message_id;
	char *auth;	  /* summary of the top Authentication-Results */
	char **list_unsubscribe;
	size_t nr_list_unsubscribe;

	struct td_received received;
	const char *mail_provider; /* static: the recipient's provider whose
				      relays were trusted, or NULL */

	struct td_xurl *urls;
	size_t nr_urls, alloc_urls;
	void *url_index; /* private hash index */
	void *cand_index; /* private: every candidate string seen */
	char **cands;
	size_t nr_cands, alloc_cands;
	struct td_xlist emails, ips, phones;
	struct td_xattach *attachments;
	size_t nr_attachments, alloc_attachments;
};

struct td_extract {
	struct td_xmsg *msgs; /* outer first, then carried ones in order */
	size_t nr_msgs, alloc_msgs;
	char **warnings;
	size_t nr_warnings, alloc_warnings;
	size_t warnings_dropped;
};

struct td_extract_opts {
	struct td_mail_limits limits;
	const struct td_trust *trust; /* may be NULL */
	int auto_trust;		/* trust the relays of a known provider
				   (data/mailhosts.txt) that wrote the top
				   Received field (default 1) */
	size_t max_urls;	/* per message (10,000) */
	size_t max_values;	/* e-mails, IPs, phones each (10,000) */
	size_t max_found;	/* places listed per indicator (32) */
};

#define TD_EXTRACT_OPTS_INIT {TD_MAIL_LIMITS_INIT, NULL, 1, 10000, 10000, 32}

/*
 * Extract everything from len bytes holding one message.  opts may be
 * NULL.  out is set up by this function; release it with
 * td_extract_release() whatever the result.  Returns 0, TD_EPARSE (no
 * message at all; err says why) or TD_ENOMEM.
 */
int td_extract_message(struct td_extract *out, const char *data, size_t len,
		       const struct td_extract_opts *opts,
		       struct td_error *err);

void td_extract_release(struct td_extract *x);

struct td_jw;

/*
 * Write the JSON form of x (docs/extract-schema.md) as the members
 * "messages" and "warnings" of the object w has open.  Failures show in
 * td_buf_failed() of the writer's buffer.
 */
void td_extract_json(struct td_jw *w, const struct td_extract *x);

/*
 * The host a link's visible text shows (a URL in it, or the whole text being
 * a host name under a known public suffix), lowercase, malloc'ed; or NULL.
 */
char *td_extract_shown_host(const char *text, size_t len);

#endif
