#ifndef TD_MAIL_WRITE_H
#define TD_MAIL_WRITE_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

/*
 * Writing one RFC 5322 message through GMime: the other half of the mail
 * module (mail.c reads).  The caller describes the message with
 * takedown's own structs; every header value is made safe here, whatever
 * it holds:
 *
 * - text (subject, display names) is read as UTF-8 (invalid bytes become
 *   U+FFFD); control characters (C0 with CR, LF, TAB and NUL, DEL, C1)
 *   become spaces and bidirectional and other invisible format characters
 *   become U+FFFD, runs of white space collapse, and the text is capped
 *   (subject 200, names 100 characters);
 * - text that is not plain printable ASCII, or that holds "=?" (which a
 *   reader would decode as an RFC 2047 encoded-word), is written as
 *   UTF-8 "B" encoded-words of at most 75 characters on folded lines
 *   (RFC 2047 2, 5), so a literal "=?utf-8?q?=0D=0A...?=" reads back as
 *   itself;
 * - addresses must be plain ASCII addr-specs (dot-atom local part, LDH
 *   domain): anything else is refused, never "repaired".
 *
 * The message written is read back with GMime before it is returned; if
 * its header set, parts or line lengths are not what was asked for, the
 * write fails rather than hand out a message that could be misread.
 */

enum td_mail_out_kind {
	TD_MAIL_OUT_TEXT,   /* text/plain; charset=utf-8, quoted-printable */
	TD_MAIL_OUT_JSON,   /* application/json attachment, quoted-printable */
	TD_MAIL_OUT_MESSAGE, /* a message attached as message/rfc822 */
	TD_MAIL_OUT_FEEDBACK /* message/feedback-report (RFC 5965 3.1),
				7bit, inline: ASCII "Name: value" lines the
				caller made, none over 998 octets */
};

struct td_mail_out_part {
	enum td_mail_out_kind kind;
	const char *filename; /* attachment name (ASCII), or NULL inline */
	const char *data;
	size_t len;
};

struct td_mail_out {
	const char *from_name; /* display name, or NULL */
	const char *from_addr;
	const char *to_name;
	const char *to_addr;
	const char *subject;
	long long date;		/* seconds since the epoch; written in UTC */
	const char *message_id; /* "local@domain", ASCII, without <> */
	/* a reply: the id it answers and the thread before it, each
	   "local@domain" as message_id (at most 32), or NULL / 0 */
	const char *in_reply_to;
	const char *const *references;
	size_t nr_references;
	const struct td_mail_out_part *parts;
	size_t nr_parts;   /* 1 to 16; the body is multipart/mixed */
	/* NULL, or a report type ("feedback-report"): the body is then
	   multipart/report (RFC 6522) of that type instead */
	const char *report_type;
	unsigned crlf : 1; /* CRLF line ends (SMTP) instead of LF (files) */
};

/*
 * Write the message m, appending it to out.  A TD_MAIL_OUT_MESSAGE part
 * goes as message/rfc822 (7bit or 8bit, RFC 2046 5.2.1) when every line
 * fits in 998 octets and it holds no NUL or bare CR; otherwise as
 * application/octet-stream in base64 under its filename, since
 * message/rfc822 may not be encoded.  Its line ends are normalised.
 * Returns 0, TD_EINVAL (an address, a message id or the report type is
 * unusable, a feedback part is not ASCII lines, or the read-back check
 * failed; err says which) or TD_ENOMEM.
 */
int td_mail_write(struct td_buf *out, const struct td_mail_out *m,
		  struct td_error *err);

/*
 * Is addr a plain ASCII addr-spec that td_mail_write() accepts
 * (RFC 5322 3.4.1 dot-atom "@" LDH domain with a dot, at most 254
 * octets)?  Returns 1 or 0.
 */
int td_mail_addr_ok(const char *addr);

/*
 * Append the header-safe form of text (see above) to out: one line,
 * controls replaced, at most max characters (an ellipsis marks a cut).
 * Returns 0 or TD_ENOMEM.
 */
int td_mail_header_text(struct td_buf *out, const char *text, size_t max);

#endif
