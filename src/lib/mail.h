#ifndef TD_MAIL_H
#define TD_MAIL_H

#include <stddef.h>

#include "err.h"

/*
 * MIME through GMime.  td_mail_walk() parses one message held in memory and
 * walks it depth first, handing the caller takedown's own structs: each
 * message (the outer one, and every message carried inside it as a
 * message/rfc822 part or an attached .eml) with its headers, and each leaf
 * part with its transfer-decoded bytes and, for text, its UTF-8 text.
 * GMime is used only here.
 */

struct td_mail_limits {
	unsigned max_depth;	   /* MIME nesting levels (default 100) */
	unsigned max_parts;	   /* parts per input message (10,000) */
	size_t max_part_bytes;	   /* decoded bytes kept per part (32 MiB) */
	size_t max_total_bytes;	   /* decoded bytes per input (128 MiB) */
	size_t max_header_bytes;   /* header field set per message (1 MiB) */
};

#define TD_MAIL_LIMITS_INIT {100, 10000, 32u << 20, 128u << 20, 1u << 20}

struct td_mail_header {
	char *name;    /* as written */
	char *value;   /* unfolded raw value, leading space dropped */
	char *decoded; /* RFC 2047 decoded, UTF-8 (invalid bytes replaced),
			  for the free-text fields Subject, Comments,
			  Keywords and Thread-Topic; NULL for others */
};

struct td_mail_addr {
	char *name; /* display name, decoded, or NULL */
	char *addr; /* addr-spec, or NULL for a group/undecodable entry */
};

enum td_mail_role {
	TD_MAIL_OUTER,	  /* the message given as input */
	TD_MAIL_ATTACHED  /* carried inside another one */
};

struct td_mail_msg {
	enum td_mail_role role;
	const char *part;     /* part path of the carrying part, "" outer */
	const char *filename; /* attachment name of the carrying part */
	unsigned depth;	      /* 0 for the outer message */
	struct td_mail_header *hdrs;
	size_t nr_hdrs;
};

struct td_mail_part {
	const char *path;	  /* IMAP-style part number: "1", "2.1" */
	const char *content_type; /* lowercase "type/subtype" */
	const char *charset;	  /* declared charset or NULL */
	const char *filename;	  /* decoded attachment name or NULL */
	const char *disposition;  /* "attachment", "inline" or NULL */
	const char *encoding;	  /* Content-Transfer-Encoding or NULL */
	const unsigned char *data; /* transfer-decoded bytes */
	size_t len;
	size_t full_len;	/* decoded size before truncation */
	const char *text;	/* UTF-8 text for text-like parts, else NULL */
	size_t text_len;
	char sha256[65];	/* of the full decoded content, hex; set
				   for attachments and non-text parts */
	unsigned truncated : 1;	/* data holds only the first max_part_bytes */
	unsigned is_attachment : 1;
};

/*
 * Callbacks.  Structs and strings passed in are valid only during the
 * call.  A non-zero return from message or part stops the walk, and
 * td_mail_walk() returns that value.
 */
struct td_mail_cb {
	int (*message)(const struct td_mail_msg *msg, void *payload);
	int (*part)(const struct td_mail_part *part, void *payload);
	void (*message_end)(const struct td_mail_msg *msg, void *payload);
	/* a limit was hit or GMime warned about malformed input */
	void (*warning)(const char *text, void *payload);
};

/*
 * Parse len bytes as one RFC 5322 message and walk it.  lim may be NULL
 * for the defaults.  Returns 0, a callback's non-zero value, TD_ENOMEM, or
 * TD_EPARSE (err says why) when nothing could be parsed at all.
 */
int td_mail_walk(const char *data, size_t len,
		 const struct td_mail_limits *lim, const struct td_mail_cb *cb,
		 void *payload, struct td_error *err);

/* First header named name (case-insensitive) in msg, or NULL. */
const struct td_mail_header *td_mail_header_find(const struct td_mail_msg *msg,
						 const char *name);

/*
 * Parse an address-list header value (RFC 5322 3.4) into *out (nr in
 * *nr_out).  The caller frees with td_mail_addrs_free().  Returns 0 or
 * TD_ENOMEM.
 */
int td_mail_addrs_parse(struct td_mail_addr **out, size_t *nr_out,
			const char *value);
void td_mail_addrs_free(struct td_mail_addr *addrs, size_t nr);

/*
 * Parse an RFC 5322 date (with the obsolete forms GMime accepts) into
 * seconds since the epoch, UTC.  Returns 0 and sets *out, or TD_EPARSE.
 */
int td_mail_date_parse(long long *out, const char *value);

/* Call once before the first walk (GMime's global state); idempotent. */
void td_mail_global_init(void);


#endif
