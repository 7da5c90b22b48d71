/*
 * Writing messages through GMime.  See mail_write.h and
 * docs/internals/draft.md.  Header values are encoded here, by hand,
 * rather than by GMime's encoder: GMime passes text that already looks
 * like an RFC 2047 encoded-word through (it even decodes and re-encodes
 * it), so "=?utf-8?q?a=0D=0ABcc:_x@y?=" in a subject would reach readers
 * as a line break.  GMime still lays out the MIME structure, encodes the
 * bodies and chooses the boundaries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gmime/gmime.h>

#include "buf.h"
#include "mail.h"
#include "mail_write.h"
#include "term.h"
#include "banned.h"

#define MAX_LINE 998 /* RFC 5322 2.1.1, without the CRLF */
#define EW_LINE 76   /* RFC 2047 2: lines holding encoded-words */
#define MAX_PARTS 16
#define MAX_REFERENCES 32
#define SUBJECT_MAX 200
#define NAME_MAX_CHARS 100

/* Characters that change how the text around them is shown or hide
   themselves: bidi controls, zero-width characters, the BOM. */
static int
invisible(unsigned cp)
{
	return cp == 0x061c || (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff || cp == 0x00ad ||
	       (cp >= 0xfff9 && cp <= 0xfffb);
}

int
td_mail_header_text(struct td_buf *out, const char *text, size_t max)
{
	const unsigned char *p = (const unsigned char *)(text ? text : "");
	size_t len = strlen((const char *)p), i = 0, n, chars = 0;
	size_t start = out->len, cut = 0;
	int space = 1; /* drops leading white space */
	unsigned cp;

	while (i < len) {
		n = td_utf8_decode(&cp, p + i, len - i);
		if (!n) {
			cp = 0xfffd;
			n = 1;
		}
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
		    cp == 0x2028 || cp == 0x2029 || cp == ' ') {
			if (!space) {
				td_buf_addch(out, ' ');
				chars++;
			}
			space = 1;
			i += n;
			continue;
		}
		if (invisible(cp))
			cp = 0xfffd;
		if (chars + 1 > max) {
			cut = 1;
			break;
		}
		if (cp == 0xfffd)
			td_buf_add(out, "\xef\xbf\xbd", 3);
		else
			td_buf_add(out, p + i, n);
		chars++;
		space = 0;
		i += n;
	}
	if (cut) {
		/* leave room for the ellipsis: drop the last character */
		size_t end = out->len;

		while (end > start &&
		       ((unsigned char)out->ptr[end - 1] & 0xc0) == 0x80)
			end--;
		if (end > start)
			end--;
		td_buf_truncate(out, end);
	}
	while (out->len > start && out->ptr[out->len - 1] == ' ')
		td_buf_truncate(out, out->len - 1);
	if (cut)
		td_buf_adds(out, "\xe2\x80\xa6");
	return td_buf_failed(out) & TD_BUF_OOM ? TD_ENOMEM : 0;
}

static int
is_atext(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

static int
dot_atom_ok(const char *s, size_t len)
{
	size_t i;

	if (!len || s[0] == '.' || s[len - 1] == '.')
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return 0;
			continue;
		}
		if (!is_atext((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

static int
ldh_domain_ok(const char *d)
{
	size_t len = strlen(d), lab = 0, i, dots = 0;

	if (!len || len > 253)
		return 0;
	for (i = 0; i <= len; i++) {
		char c = d[i];

		if (c == '.' || !c) {
			if (!lab || lab > 63 || d[i - 1] == '-')
				return 0;
			if (d[i - lab] == '-')
				return 0;
			if (c == '.')
				dots++;
			lab = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-'))
			return 0;
		lab++;
	}
	return dots > 0;
}

int
td_mail_addr_ok(const char *addr)
{
	const char *at;

	if (!addr || strlen(addr) > 254)
		return 0;
	at = strrchr(addr, '@');
	if (!at || at == addr || (size_t)(at - addr) > 64)
		return 0;
	return dot_atom_ok(addr, (size_t)(at - addr)) && ldh_domain_ok(at + 1);
}

static int
msgid_ok(const char *id)
{
	return td_mail_addr_ok(id);
}

static int
needs_encoding(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++)
		if (*p >= 0x7f || *p < 0x20)
			return 1;
	return strstr(s, "=?") != NULL;
}

/* May byte c stand for itself in a "Q" encoded-word in a phrase
   (RFC 2047 5 rule 3, the strictest of the three places)? */
static int
q_plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '!' || c == '*' || c == '+' ||
	       c == '-' || c == '/';
}

/*
 * s as UTF-8 "Q" encoded-words (RFC 2047 4.2), each on a line of at most
 * 76 characters: the first starts at column col, the others on folded
 * lines after one space.  Words are cut between characters (RFC 2047 5:
 * an encoded-word holds whole characters).  "Q" rather than "B": GMime,
 * like some other readers, joins adjacent words before decoding them, and
 * base64 padding inside the joined text would end it early.  Returns the
 * column after the last word.
 */
static size_t
encode_words(struct td_buf *out, const char *s, size_t col)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0, room, used, n, k;
	unsigned cp;

	while (i < len) {
		if (i) {
			td_buf_adds(out, "\n ");
			col = 1;
		}
		room = col + 12 < EW_LINE ? EW_LINE - col - 12 : 0;
		if (room < 12) {
			td_buf_adds(out, "\n ");
			col = 1;
			room = EW_LINE - 1 - 12;
		}
		td_buf_adds(out, "=?UTF-8?Q?");
		used = 0;
		while (i < len) {
			size_t cost = 0;

			n = td_utf8_decode(&cp, p + i, len - i);
			if (!n)
				n = 1;
			for (k = 0; k < n; k++)
				cost += q_plain(p[i + k]) || p[i + k] == ' '
					    ? 1
					    : 3;
			if (used + cost > room && used)
				break;
			for (k = 0; k < n; k++) {
				unsigned char c = p[i + k];

				if (c == ' ')
					td_buf_addch(out, '_');
				else if (q_plain(c))
					td_buf_addch(out, c);
				else
					td_buf_printf(out, "=%02X", c);
			}
			used += cost;
			i += n;
		}
		td_buf_adds(out, "?=");
		col += 12 + used;
	}
	return col;
}

/* Plain ASCII text, folded before a space where a line would pass 78
   characters (RFC 5322 2.2.3). */
static void
fold_text(struct td_buf *out, const char *s, size_t col)
{
	while (*s) {
		const char *sp = strchr(s + 1, ' ');
		size_t w = sp ? (size_t)(sp - s) : strlen(s);

		if (*s == ' ' && col + w > 78 && col > 1) {
			td_buf_addch(out, '\n');
			col = 0;
		}
		td_buf_add(out, s, w);
		col += w;
		s += w;
	}
}

/* A display name as a phrase (RFC 5322 3.2.5): atoms, a quoted-string,
   or encoded-words.  Returns the column reached. */
static size_t
phrase(struct td_buf *out, const char *name, size_t col)
{
	const char *p;
	int atoms = 1;

	if (needs_encoding(name))
		return encode_words(out, name, col);
	for (p = name; *p; p++)
		if (*p != ' ' && !is_atext((unsigned char)*p))
			atoms = 0;
	if (atoms) {
		td_buf_adds(out, name);
		return col + strlen(name);
	}
	td_buf_addch(out, '"');
	for (p = name; *p; p++) {
		if (*p == '"' || *p == '\\')
			td_buf_addch(out, '\\');
		td_buf_addch(out, *p);
	}
	td_buf_addch(out, '"');
	return col + strlen(name) + 2;
}

/* The raw value of an address header: " name <addr>\n". */
static void
addr_value(struct td_buf *out, const char *hname, const char *name,
	   const char *addr)
{
	size_t col = strlen(hname) + 2;

	td_buf_addch(out, ' ');
	if (name && *name) {
		col = phrase(out, name, col);
		if (col + strlen(addr) + 3 > 78) {
			td_buf_add(out, "\n ", 2);
			col = 1;
		} else {
			td_buf_addch(out, ' ');
		}
	}
	td_buf_printf(out, "<%s>\n", addr);
}

static void
date_value(struct td_buf *out, long long t)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed",
					   "Thu", "Fri", "Sat"};
	static const char *const mons[] = {"Jan", "Feb", "Mar", "Apr",
					   "May", "Jun", "Jul", "Aug",
					   "Sep", "Oct", "Nov", "Dec"};
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	td_buf_printf(out, " %s, %02d %s %04d %02d:%02d:%02d +0000\n",
		      days[tm.tm_wday], tm.tm_mday, mons[tm.tm_mon],
		      tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void
add_header(GMimeObject *obj, const char *name, const char *raw)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(obj);
	GMimeHeader *h;

	g_mime_object_append_header(obj, name, "x", NULL);
	h = g_mime_header_list_get_header_at(
	    hl, g_mime_header_list_get_count(hl) - 1);
	g_mime_header_set_raw_value(h, raw);
}

/* Line ends to LF; reports what keeps data from going as 7bit/8bit. */
static void
normalise(struct td_buf *out, const char *data, size_t len, int *binary,
	  int *eightbit)
{
	size_t i, line = 0;

	*binary = *eightbit = 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)data[i];

		if (c == '\r' && i + 1 < len && data[i + 1] == '\n')
			continue;
		if (c == '\r' || c == 0)
			*binary = 1;
		if (c >= 0x80)
			*eightbit = 1;
		if (c == '\n') {
			line = 0;
		} else if (++line > MAX_LINE) {
			*binary = 1;
		}
		td_buf_addch(out, c);
	}
	if (out->len && out->ptr[out->len - 1] != '\n')
		td_buf_addch(out, '\n');
}

static GMimeDataWrapper *
wrapper(const char *data, size_t len)
{
	GMimeStream *s = g_mime_stream_mem_new_with_buffer(data, len);
	GMimeDataWrapper *w = g_mime_data_wrapper_new_with_stream(
	    s, GMIME_CONTENT_ENCODING_DEFAULT);

	g_object_unref(s);
	return w;
}

static int
contains(const char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	return n <= len && memmem(hay, len, needle, n) != NULL;
}

/* The MIME type the read-back check expects for part i. */
struct built {
	char type[64];
};

static GMimeObject *
make_part(const struct td_mail_out_part *pt, struct built *b,
	  struct td_buf *keep)
{
	GMimePart *part;
	GMimeDataWrapper *w;

	switch (pt->kind) {
	case TD_MAIL_OUT_TEXT: {
		GMimeTextPart *tp = g_mime_text_part_new_with_subtype("plain");
		char *s = td_strndup(pt->data, pt->len);

		if (!s) {
			g_object_unref(tp);
			return NULL;
		}
		g_mime_text_part_set_text(tp, s);
		free(s);
		g_mime_text_part_set_charset(tp, "utf-8");
		/* quoted-printable always: no line passes 76 octets and no
		   body line can equal a boundary, which starts "=-"
		   (RFC 2045 6.7 encodes every "=") */
		g_mime_part_set_content_encoding(
		    GMIME_PART(tp), GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
		if (pt->filename)
			g_mime_part_set_filename(GMIME_PART(tp), pt->filename);
		snprintf(b->type, sizeof(b->type), "text/plain");
		return GMIME_OBJECT(tp);
	}
	case TD_MAIL_OUT_JSON:
		part = g_mime_part_new_with_type("application", "json");
		w = wrapper(pt->data, pt->len);
		g_mime_part_set_content(part, w);
		g_object_unref(w);
		g_mime_part_set_content_encoding(
		    part, GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
		g_mime_part_set_filename(part, pt->filename ? pt->filename
							    : "report.json");
		snprintf(b->type, sizeof(b->type), "application/json");
		return GMIME_OBJECT(part);
	case TD_MAIL_OUT_MESSAGE: {
		int binary, eightbit;
		size_t at = keep->len;

		normalise(keep, pt->data, pt->len, &binary, &eightbit);
		if (td_buf_failed(keep))
			return NULL;
		if (binary) {
			part = g_mime_part_new_with_type("application",
							 "octet-stream");
			w = wrapper(keep->ptr + at, keep->len - at);
			g_mime_part_set_content(part, w);
			g_object_unref(w);
			g_mime_part_set_content_encoding(
			    part, GMIME_CONTENT_ENCODING_BASE64);
			snprintf(b->type, sizeof(b->type),
				 "application/octet-stream");
		} else {
			part = g_mime_part_new_with_type("message", "rfc822");
			w = wrapper(keep->ptr + at, keep->len - at);
			g_mime_part_set_content(part, w);
			g_object_unref(w);
			g_mime_part_set_content_encoding(
			    part, eightbit ? GMIME_CONTENT_ENCODING_8BIT
					   : GMIME_CONTENT_ENCODING_7BIT);
			snprintf(b->type, sizeof(b->type), "message/rfc822");
		}
		g_mime_part_set_filename(part, pt->filename ? pt->filename
							    : "original.eml");
		return GMIME_OBJECT(part);
	}
	case TD_MAIL_OUT_FEEDBACK:
		part = g_mime_part_new_with_type("message", "feedback-report");
		w = wrapper(pt->data, pt->len);
		g_mime_part_set_content(part, w);
		g_object_unref(w);
		g_mime_part_set_content_encoding(part,
						 GMIME_CONTENT_ENCODING_7BIT);
		snprintf(b->type, sizeof(b->type), "message/feedback-report");
		return GMIME_OBJECT(part);
	}
	return NULL;
}

static int
max_line_ok(const char *s, size_t len)
{
	size_t i, line = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '\n') {
			line = 0;
		} else if (s[i] != '\r' && ++line > MAX_LINE) {
			return 0;
		}
	}
	return 1;
}

/* GMime files Content-* fields of the top level under the body part */
static const char *const want_headers[] = {
    "From",	  "To",		 "Subject",    "Date",
    "Message-ID", "MIME-Version", "In-Reply-To", "References",
    NULL};

/* Is header k of want_headers one m asks for? */
static int
wanted(const struct td_mail_out *m, size_t k)
{
	if (!strcmp(want_headers[k], "In-Reply-To"))
		return m->in_reply_to != NULL;
	if (!strcmp(want_headers[k], "References"))
		return m->nr_references > 0;
	return 1;
}

/* A feedback part: lines of printable ASCII (and TAB for folding), each
   at most 998 octets, LF or CRLF ended. */
static int
feedback_ok(const char *s, size_t len)
{
	size_t i, line = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n') {
			line = 0;
		} else if (c == '\r' && i + 1 < len && s[i + 1] == '\n') {
			continue;
		} else if ((c < 0x20 && c != '\t') || c > 0x7e ||
			   ++line > MAX_LINE) {
			return 0;
		}
	}
	return 1;
}

/* A MIME token for report-type: lowercase letters, digits, '-'. */
static int
report_type_ok(const char *s)
{
	size_t n = 0;

	for (; *s; s++, n++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '-'))
			return 0;
	return n > 0 && n <= 40;
}

/*
 * Read the written message back: exactly the intended top-level headers,
 * the subject and addresses as given, multipart/mixed with the parts
 * asked for, no line over 998 octets.
 */
static int
read_back(const char *msg, size_t len, const struct td_mail_out *m,
	  const char *subject, const char *from_name, const char *to_name,
	  const struct built *b, struct td_error *err)
{
	GMimeStream *st = g_mime_stream_mem_new_with_buffer(msg, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(st);
	GMimeMessage *gm = g_mime_parser_construct_message(parser, NULL);
	GMimeHeaderList *hl;
	GMimeObject *body;
	InternetAddressList *l;
	const char *why = NULL;
	unsigned seen[sizeof(want_headers) / sizeof(want_headers[0])] = {0};
	int i, n;
	size_t k;

	g_object_unref(parser);
	g_object_unref(st);
	if (!max_line_ok(msg, len)) {
		why = "a line is longer than 998 octets";
		goto out;
	}
	if (!gm) {
		why = "does not parse";
		goto out;
	}
	hl = g_mime_object_get_header_list(GMIME_OBJECT(gm));
	n = g_mime_header_list_get_count(hl);
	for (i = 0; i < n; i++) {
		const char *name = g_mime_header_get_name(
		    g_mime_header_list_get_header_at(hl, i));

		for (k = 0; want_headers[k]; k++)
			if (!g_ascii_strcasecmp(name, want_headers[k]))
				break;

		if (!want_headers[k] || !wanted(m, k) || seen[k]++) {
			why = "unexpected header";
			goto out;
		}
	}
	for (k = 0; want_headers[k]; k++)
		if (wanted(m, k) && !seen[k]) {
			why = "a header is missing";
			goto out;
		}
	{
		const char *s = g_mime_message_get_subject(gm);

		if (!s || strcmp(s, subject)) {
			why = "the subject does not read back as written";
			goto out;
		}
	}
	for (k = 0; k < 2; k++) {
		InternetAddress *ia;
		const char *nm, *want = k ? to_name : from_name;

		l = k ? g_mime_message_get_to(gm) : g_mime_message_get_from(gm);
		if (!l || internet_address_list_length(l) != 1) {
			why = "an address header does not hold one address";
			goto out;
		}
		ia = internet_address_list_get_address(l, 0);
		nm = internet_address_get_name(ia);
		if (!INTERNET_ADDRESS_IS_MAILBOX(ia) ||
		    strcmp(internet_address_mailbox_get_addr(
			       INTERNET_ADDRESS_MAILBOX(ia)),
			   k ? m->to_addr : m->from_addr) ||
		    strcmp(nm ? nm : "", want)) {
			why = "an address does not read back as written";
			goto out;
		}
	}
	body = g_mime_message_get_mime_part(gm);
	if (body) {
		GMimeContentType *ct = g_mime_object_get_content_type(body);
		const char *sub = ct ? g_mime_content_type_get_media_subtype(ct)
				     : NULL;
		const char *rt =
		    ct ? g_mime_content_type_get_parameter(ct, "report-type")
		       : NULL;

		if (!sub ||
		    g_ascii_strcasecmp(sub, m->report_type ? "report"
							   : "mixed") ||
		    (m->report_type &&
		     (!rt || g_ascii_strcasecmp(rt, m->report_type)))) {
			why = "the body's type does not read back as written";
			goto out;
		}
	}
	if (!body || !GMIME_IS_MULTIPART(body) ||
	    g_mime_multipart_get_count(GMIME_MULTIPART(body)) !=
		(int)m->nr_parts) {
		why = "the parts do not read back as written";
		goto out;
	}
	hl = g_mime_object_get_header_list(body);
	if (g_mime_header_list_get_count(hl) != 1 ||
	    g_ascii_strcasecmp(
		g_mime_header_get_name(g_mime_header_list_get_header_at(hl, 0)),
		"Content-Type")) {
		why = "unexpected header";
		goto out;
	}
	for (k = 0; k < m->nr_parts; k++) {
		GMimeObject *p =
		    g_mime_multipart_get_part(GMIME_MULTIPART(body), (int)k);
		GMimeContentType *ct = g_mime_object_get_content_type(p);
		char *t = ct ? g_mime_content_type_get_mime_type(ct) : NULL;
		int same = t && !g_ascii_strcasecmp(t, b[k].type);

		g_free(t);
		if (!same) {
			why = "a part's type does not read back as written";
			goto out;
		}
	}
out:
	if (gm)
		g_object_unref(gm);
	if (why)
		return td_error_set(err, TD_EINVAL,
				    "written message failed its read-back "
				    "check: %s",
				    why);
	return 0;
}

int
td_mail_write(struct td_buf *out, const struct td_mail_out *m,
	      struct td_error *err)
{
	struct td_buf subject = TD_BUF_INIT, fname = TD_BUF_INIT;
	struct td_buf tname = TD_BUF_INIT, raw = TD_BUF_INIT;
	struct td_buf keep = TD_BUF_INIT;
	struct built b[MAX_PARTS];
	GMimeMessage *gm = NULL;
	GMimeMultipart *mp = NULL;
	GMimeFormatOptions *fo = NULL;
	GMimeStream *mem = NULL;
	GByteArray *arr;
	size_t i, tries;
	int ret = 0;

	td_mail_global_init();
	if (!td_mail_addr_ok(m->from_addr))
		return td_error_set(err, TD_EINVAL,
				    "sender address is not a plain addr-spec");
	if (!td_mail_addr_ok(m->to_addr))
		return td_error_set(err, TD_EINVAL,
				    "recipient address is not a plain "
				    "addr-spec (RFC 5322 3.4.1)");
	if (!m->message_id || !msgid_ok(m->message_id))
		return td_error_set(err, TD_EINVAL,
				    "message id is not local@domain");
	if (!m->nr_parts || m->nr_parts > MAX_PARTS)
		return td_error_set(err, TD_EINVAL, "1 to %d parts", MAX_PARTS);
	if (m->in_reply_to && !msgid_ok(m->in_reply_to))
		return td_error_set(err, TD_EINVAL,
				    "in-reply-to id is not local@domain");
	if (m->nr_references > MAX_REFERENCES)
		return td_error_set(err, TD_EINVAL, "at most %d references",
				    MAX_REFERENCES);
	for (i = 0; i < m->nr_references; i++)
		if (!m->references[i] || !msgid_ok(m->references[i]))
			return td_error_set(err, TD_EINVAL,
					    "reference %zu is not local@domain",
					    i + 1);
	if (m->report_type && !report_type_ok(m->report_type))
		return td_error_set(err, TD_EINVAL,
				    "report type is not a MIME token");
	for (i = 0; i < m->nr_parts; i++)
		if (m->parts[i].kind == TD_MAIL_OUT_FEEDBACK &&
		    !feedback_ok(m->parts[i].data, m->parts[i].len))
			return td_error_set(err, TD_EINVAL,
					    "feedback part %zu is not ASCII "
					    "lines of at most 998 octets",
					    i + 1);
	td_mail_header_text(&subject, m->subject, SUBJECT_MAX);
	td_mail_header_text(&fname, m->from_name, NAME_MAX_CHARS);
	td_mail_header_text(&tname, m->to_name, NAME_MAX_CHARS);
	if (td_buf_failed(&subject) || td_buf_failed(&fname) ||
	    td_buf_failed(&tname)) {
		ret = TD_ENOMEM;
		goto out;
	}

	gm = g_mime_message_new(TRUE);
	addr_value(&raw, "From", fname.ptr, m->from_addr);
	add_header(GMIME_OBJECT(gm), "From", raw.ptr);
	td_buf_reset(&raw);
	addr_value(&raw, "To", tname.ptr, m->to_addr);
	add_header(GMIME_OBJECT(gm), "To", raw.ptr);
	td_buf_reset(&raw);
	td_buf_addch(&raw, ' ');
	if (needs_encoding(subject.ptr))
		encode_words(&raw, subject.ptr, strlen("Subject: "));
	else
		fold_text(&raw, subject.ptr, strlen("Subject: "));
	td_buf_addch(&raw, '\n');
	add_header(GMIME_OBJECT(gm), "Subject", raw.ptr);
	td_buf_reset(&raw);
	date_value(&raw, m->date);
	add_header(GMIME_OBJECT(gm), "Date", raw.ptr);
	td_buf_reset(&raw);
	td_buf_printf(&raw, " <%s>\n", m->message_id);
	add_header(GMIME_OBJECT(gm), "Message-ID", raw.ptr);
	if (m->in_reply_to) {
		td_buf_reset(&raw);
		td_buf_printf(&raw, " <%s>\n", m->in_reply_to);
		add_header(GMIME_OBJECT(gm), "In-Reply-To", raw.ptr);
	}
	if (m->nr_references) {
		/* one id a line: each fits, whatever their number */
		td_buf_reset(&raw);
		for (i = 0; i < m->nr_references; i++)
			td_buf_printf(&raw, "%s<%s>\n", i ? "\t" : " ",
				      m->references[i]);
		add_header(GMIME_OBJECT(gm), "References", raw.ptr);
	}
	if (td_buf_failed(&raw)) {
		ret = TD_ENOMEM;
		goto out;
	}

	mp = g_mime_multipart_new_with_subtype(m->report_type ? "report"
							      : "mixed");
	if (m->report_type)
		g_mime_object_set_content_type_parameter(
		    GMIME_OBJECT(mp), "report-type", m->report_type);
	for (i = 0; i < m->nr_parts; i++) {
		GMimeObject *o = make_part(&m->parts[i], &b[i], &keep);

		if (!o) {
			ret = TD_ENOMEM;
			goto out;
		}
		g_mime_multipart_add(mp, o);
		g_object_unref(o);
	}
	/* a boundary that occurs in an attached message would cut it: pick
	   another (the text and JSON parts are quoted-printable, where a
	   boundary cannot occur) */
	for (tries = 0; tries < 16; tries++) {
		const char *bd;
		struct td_buf dd = TD_BUF_INIT;
		int clash;

		g_mime_multipart_set_boundary(mp, NULL);
		bd = g_mime_multipart_get_boundary(mp);
		td_buf_printf(&dd, "--%s", bd);
		clash = contains(keep.ptr, keep.len, dd.ptr);
		td_buf_release(&dd);
		if (!clash)
			break;
	}
	g_mime_message_set_mime_part(gm, GMIME_OBJECT(mp));

	fo = g_mime_format_options_new();
	g_mime_format_options_set_newline_format(
	    fo, m->crlf ? GMIME_NEWLINE_FORMAT_DOS : GMIME_NEWLINE_FORMAT_UNIX);
	mem = g_mime_stream_mem_new();
	if (g_mime_object_write_to_stream(GMIME_OBJECT(gm), fo, mem) < 0) {
		ret =
		    td_error_set(err, TD_ENOMEM, "writing the message failed");
		goto out;
	}
	arr = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	ret = read_back((const char *)arr->data, arr->len, m, subject.ptr,
			fname.ptr, tname.ptr, b, err);
	if (ret)
		goto out;
	if (td_buf_add(out, arr->data, arr->len) < 0)
		ret = TD_ENOMEM;
out:
	if (ret == TD_ENOMEM && (!err || !err->code))
		td_error_set(err, TD_ENOMEM, "out of memory");
	if (mem)
		g_object_unref(mem);
	if (fo)
		g_mime_format_options_free(fo);
	if (mp)
		g_object_unref(mp);
	if (gm)
		g_object_unref(gm);
	td_buf_release(&subject);
	td_buf_release(&fname);
	td_buf_release(&tname);
	td_buf_release(&raw);
	td_buf_release(&keep);
	return ret;
}
