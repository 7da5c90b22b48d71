#ifndef TD_SEND_H
#define TD_SEND_H

#include <stddef.h>

#include "err.h"

/*
 * Sending one ready RFC 5322 message: through SMTP with libcurl (smtp://
 * with STARTTLS, smtps://, AUTH), or by local submission to a
 * sendmail-compatible program run as `PROGRAM -i -t [-f SENDER]`.
 *
 * A call sends the message once, blocking up to the configured timeout.
 * Whether a message was sent before is the caller's business (the store
 * records it under the Message-ID that td_send_prepare() reads); a
 * failure with `uncertain` set means the whole message was handed over
 * and no answer came, so it may have been delivered: record it as such
 * and do not resend without asking.
 *
 * Before anything is sent the message is checked (td_send_prepare):
 * - no NUL and no bare CR anywhere; a bare LF becomes CRLF, and a last
 *   line without an end gets one (RFC 5322 2.1, 2.3);
 * - no line longer than 998 octets without its CRLF (RFC 5322 2.1.1);
 * - a header section of well-formed fields in ASCII (RFC 5322 2.2; non-
 *   ASCII text must be RFC 2047 encoded), with exactly one From, Date and
 *   Message-ID, at most one Sender, Reply-To, To, Cc, Subject,
 *   In-Reply-To and References (RFC 5322 3.6); Message-ID is required
 *   (policy: it is how a send is recorded);
 * - no Bcc and no Resent-* field (policy: SMTP would show a Bcc to every
 *   recipient, and sendmail -t reads Resent-* fields as recipients);
 * - every address in From, Sender, Reply-To, To and Cc parses the strict
 *   way of td_addr_list_parse(), and the envelope addresses pass
 *   td_addr_check().
 * A line of the body that is "." or starts with "." cannot end the DATA
 * early: libcurl dot-stuffs every line start after a CRLF (RFC 5321
 * 4.5.2) and the first line is a header field, never "."; sendmail is
 * run with -i, so a "." line is data.  Bare LF never reaches the wire.
 */

#define TD_SEND_MAX_SIZE (32u << 20) /* octets of a message, CRLF form */

enum td_send_via {
	TD_SEND_SMTP = 0, /* libcurl to opts.url */
	TD_SEND_SENDMAIL  /* opts.sendmail -i -t [-f from] */
};

/* TLS on an smtp:// URL (smtps:// is TLS from the start, always). */
enum td_send_tls {
	TD_SEND_TLS_REQUIRED = 0,  /* STARTTLS, or fail before MAIL FROM */
	TD_SEND_TLS_OPPORTUNISTIC, /* STARTTLS when offered, else plain */
	TD_SEND_TLS_NONE	   /* never STARTTLS (a local relay) */
};

struct td_send_opts {
	enum td_send_via via;
	const char *url;      /* SMTP: "smtp://HOST[:PORT]" (port 25 by
				 default; 587 for submission) or
				 "smtps://HOST[:PORT]" (465); no user,
				 path, query or fragment */
	enum td_send_tls tls; /* smtp:// only */
	const char *user;     /* AUTH (libcurl picks among the
				 server's mechanisms); NULL: no AUTH.
				 Needs smtps:// or TLS_REQUIRED: a
				 password never goes in clear text */
	const char *password;
	const char *ca_file;	     /* PEM CAs to trust instead of the
					system's; NULL: the system's */
	const char *helo;	     /* EHLO name; NULL: the envelope sender's
					domain (or "localhost" for a literal) */
	unsigned connect_timeout_ms; /* 0: 10000 */
	unsigned timeout_ms;	     /* the whole send, 0: 120000 */
	const char *sendmail;	     /* SENDMAIL: the program's path, run with
					execv (no shell, no PATH search);
					NULL: "/usr/sbin/sendmail" */
};

#define TD_SEND_OPTS_INIT                                                      \
	{                                                                      \
		TD_SEND_SMTP, NULL, TD_SEND_TLS_REQUIRED, NULL, NULL, NULL,    \
		    NULL, 0, 0, NULL                                           \
	}

/* A message checked and put in wire form by td_send_prepare(). */
struct td_send_msg {
	char *data; /* CRLF line ends, NUL-terminated */
	size_t len;
	char *message_id; /* "<left@right>" as in the message */
	char **to;	  /* the addresses of To and Cc, in order, as
			     td_addr_check() gives them */
	size_t nr_to;
};

/*
 * Check the len bytes of msg (rules above) and put it in wire form.
 * Returns 0, TD_EPARSE (malformed message: err names the line or field
 * and the RFC section), TD_EINVAL (refused by policy or an address
 * refused), TD_ELIMIT (larger than TD_SEND_MAX_SIZE) or TD_ENOMEM.  On
 * success the caller releases out with td_send_msg_release(); on failure
 * out holds nothing.
 */
int td_send_prepare(struct td_send_msg *out, const char *msg, size_t len,
		    struct td_error *err);

/* Free what m holds (m may be NULL) and leave it empty. */
void td_send_msg_release(struct td_send_msg *m);

/* What a send gave; every string is malloc'ed or NULL. */
struct td_send_result {
	char *reply;	  /* SMTP: the server's final reply line to the
			     DATA ("250 2.0.0 Ok: queued as 4Xc1"), or on
			     failure its last reply, if any;
			     sendmail: "exit 0" or "exit N", then ": "
			     and the program's last output line, if any */
	char *message_id; /* "<left@right>" from the message */
	char *server;	  /* "smtp://HOST:PORT", "smtps://HOST:PORT" or
			     the sendmail path */
	int uncertain;	  /* on failure: the whole message was handed
			     over and no answer came (timeout, lost
			     connection, killed program): it may have been
			     delivered */
};

/*
 * Send msg (len bytes, checked by td_send_prepare first) from the
 * envelope sender from to the nr_rcpt envelope recipients rcpt, as o
 * says.  from may be NULL for sendmail (the program chooses) but not for
 * SMTP.  For sendmail the recipients are those of the message's To and
 * Cc fields (-t), and rcpt must name the same set of addresses, or the
 * send is refused.  All recipients are accepted or none is sent.
 *
 * Returns 0 when the server (or program) accepted the message; then
 * out->reply holds its answer.  Returns TD_EPARSE, TD_EINVAL or
 * TD_ELIMIT as td_send_prepare() and for unusable options or addresses,
 * TD_EIO when sending failed (err holds one line: where, what, and the
 * server's reply), or TD_ENOMEM.  out is filled as far as it got, also
 * on failure; the caller releases it with td_send_result_release().
 */
int td_send(struct td_send_result *out, const struct td_send_opts *o,
	    const char *from, const char *const *rcpt, size_t nr_rcpt,
	    const char *msg, size_t len, struct td_error *err);

/* Free what r holds (r may be NULL) and leave it empty. */
void td_send_result_release(struct td_send_result *r);

#endif
