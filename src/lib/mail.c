/*
 * MIME walking through GMime.  See mail.h and docs/internals/mail.md.
 */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>

#include "buf.h"
#include "hash.h"
#include "mail.h"
#include "term.h"
#include "banned.h"

#define MAX_WARNINGS 64

struct walk {
	const struct td_mail_limits *lim;
	const struct td_mail_cb *cb;
	void *payload;
	GMimeParserOptions *opts;
	unsigned nr_parts;
	size_t total_bytes;
	unsigned nr_warnings;
	unsigned limit_warned; /* bitmask of limits already reported */
	int stop;
	int oom; /* an allocation failed where no error could be returned
		    (GMime's warning callback): the walk ends in TD_ENOMEM */
};

static int initialised;

void
td_mail_global_init(void)
{
	if (initialised)
		return;
	g_mime_init();
	initialised = 1;
}

static void
warn(struct walk *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
warn(struct walk *w, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!w->cb->warning)
		return;
	if (w->nr_warnings >= MAX_WARNINGS) {
		if (w->nr_warnings++ == MAX_WARNINGS)
			w->cb->warning("further warnings suppressed", w->payload);
		return;
	}
	w->nr_warnings++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	w->cb->warning(msg, w->payload);
}

static void
warn_limit(struct walk *w, unsigned bit, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
warn_limit(struct walk *w, unsigned bit, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (w->limit_warned & bit)
		return;
	w->limit_warned |= bit;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	warn(w, "%s", msg);
}

/*
 * GMime's parser reports what it had to repair.  Most of these are common
 * in legitimate mail too; we pass on the ones a reporter should know about
 * (they explain missing parts) and the duplicated headers, since two From:
 * or Subject: fields show different things to different mail readers.
 */
static void
parser_warning(gint64 offset, GMimeParserWarning code, const gchar *item,
	       gpointer data)
{
	struct walk *w = data;
	char safe[128];
	struct td_buf b;

	td_buf_init(&b, sizeof(safe) - 1);
	if (item)
		td_term_escape(&b, item, strlen(item), 0);
	if (td_buf_failed(&b) & TD_BUF_OOM)
		w->oom = 1;
	snprintf(safe, sizeof(safe), "%s", b.ptr);
	td_buf_release(&b);

	switch (code) {
	case GMIME_WARN_DUPLICATED_HEADER:
		warn(w, "offset %lld: RFC 5322 3.6: header %s appears more "
			"than once", (long long)offset, safe);
		break;
	case GMIME_WARN_INVALID_CONTENT_TYPE:
		warn(w, "offset %lld: RFC 2045 5.1: invalid content type %s, "
			"read as application/octet-stream",
		     (long long)offset, safe);
		break;
	case GMIME_WARN_MALFORMED_MULTIPART:
		warn(w, "offset %lld: RFC 2046 5.1.1: multipart without "
			"parts", (long long)offset);
		break;
	case GMIME_WARN_TRUNCATED_MESSAGE:
		warn(w, "offset %lld: message is truncated", (long long)offset);
		break;
	case GMIME_WARN_MALFORMED_MESSAGE:
		warn(w, "offset %lld: message is malformed", (long long)offset);
		break;
	case GMIME_CRIT_INVALID_HEADER_NAME:
		warn(w, "offset %lld: RFC 5322 2.2: invalid header name %s",
		     (long long)offset, safe);
		break;
	case GMIME_CRIT_CONFLICTING_HEADER:
		warn(w, "offset %lld: conflicting header %s",
		     (long long)offset, safe);
		break;
	case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
		warn(w, "offset %lld: RFC 2046 5.1.1: multipart without "
			"boundary parameter", (long long)offset);
		break;
	case GMIME_CRIT_NESTING_OVERFLOW:
		warn(w, "offset %lld: MIME nesting too deep for the parser",
		     (long long)offset);
		break;
	case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
		warn(w, "offset %lld: part without headers or content",
		     (long long)offset);
		break;
	default:
		break;
	}
}

const struct td_mail_header *
td_mail_header_find(const struct td_mail_msg *msg, const char *name)
{
	size_t i;

	for (i = 0; i < msg->nr_hdrs; i++)
		if (!strcasecmp(msg->hdrs[i].name, name))
			return &msg->hdrs[i];
	return NULL;
}

static char *
dup_sanitized(const char *s, size_t len)
{
	struct td_buf b = TD_BUF_INIT;

	if (td_utf8_sanitize(&b, s, len) < 0) {
		td_buf_release(&b);
		return NULL;
	}
	return td_buf_detach(&b, NULL);
}

/* Unfold a raw header value: CRLF/LF followed by WSP is removed (RFC 5322
   2.2.3), the leading white space after the colon is dropped. */
static char *
unfold(const char *raw)
{
	struct td_buf b = TD_BUF_INIT;
	const char *p = raw;

	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	for (; *p; p++) {
		if (*p == '\r' || *p == '\n')
			continue;
		td_buf_addch(&b, *p);
	}
	while (b.len && (b.ptr[b.len - 1] == ' ' || b.ptr[b.len - 1] == '\t'))
		td_buf_truncate(&b, b.len - 1);
	if (td_buf_failed(&b)) {
		td_buf_release(&b);
		return NULL;
	}
	return td_buf_detach(&b, NULL);
}

static void
headers_free(struct td_mail_header *h, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		free(h[i].name);
		free(h[i].value);
		free(h[i].decoded);
	}
	free(h);
}

static int
is_free_text(const char *name)
{
	return !strcasecmp(name, "Subject") || !strcasecmp(name, "Comments") ||
	       !strcasecmp(name, "Keywords") ||
	       !strcasecmp(name, "Thread-Topic");
}

static int
headers_collect(struct walk *w, GMimeObject *obj, struct td_mail_header **out,
		size_t *nr_out)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(obj);
	struct td_mail_header *h = NULL;
	size_t nr = 0, alloc = 0, bytes = 0;
	int i, count = hl ? g_mime_header_list_get_count(hl) : 0;

	for (i = 0; i < count; i++) {
		GMimeHeader *gh = g_mime_header_list_get_header_at(hl, i);
		const char *name = g_mime_header_get_name(gh);
		const char *raw = g_mime_header_get_raw_value(gh);
		const char *val = NULL;
		size_t rawlen = raw ? strlen(raw) : 0;

		if (!name)
			continue;
		bytes += strlen(name) + rawlen;
		if (bytes > w->lim->max_header_bytes) {
			warn_limit(w, 1u << 0,
				   "header fields beyond %zu bytes ignored "
				   "(limit max_header_bytes)",
				   w->lim->max_header_bytes);
			break;
		}
		if (TD_ARRAY_GROW(h, nr + 1, alloc) < 0)
			goto oom;
		h[nr].name = dup_sanitized(name, strlen(name));
		h[nr].value = unfold(raw ? raw : "");
		h[nr].decoded = NULL;
		/* RFC 2047 decoding is costly and only free-text fields need
		   it (addresses are parsed from the raw value) */
		if (is_free_text(name)) {
			val = g_mime_header_get_value(gh);
			h[nr].decoded = dup_sanitized(val ? val : "",
						      val ? strlen(val) : 0);
		}
		nr++;
		if (!h[nr - 1].name || !h[nr - 1].value ||
		    (!h[nr - 1].decoded && is_free_text(name)))
			goto oom;
	}
	*out = h;
	*nr_out = nr;
	return 0;
oom:
	headers_free(h, nr);
	return TD_ENOMEM;
}

/*
 * Convert decoded bytes in charset to UTF-8.  Unknown charsets and invalid
 * sequences do not stop us: unknown ones are read as UTF-8 when valid and
 * as windows-1252 otherwise (what mail readers do), invalid bytes become
 * U+FFFD.
 */
static int
to_utf8(struct walk *w, struct td_buf *out, const char *in, size_t len,
	const char *charset, const char *path)
{
	iconv_t cd = (iconv_t)-1;
	char *src = (char *)in;
	size_t left = len;

	if (charset && strcasecmp(charset, "utf-8") && strcasecmp(charset, "utf8") &&
	    strcasecmp(charset, "us-ascii") && strcasecmp(charset, "ascii")) {
		cd = g_mime_iconv_open("UTF-8", charset);
		if (cd == (iconv_t)-1)
			warn(w, "part %s: unknown charset, read as UTF-8 or "
				"windows-1252", path);
	}
	if (cd == (iconv_t)-1) {
		/* declared or assumed UTF-8: keep it if it is valid */
		const unsigned char *p = (const unsigned char *)in;
		size_t i = 0, n;
		unsigned cp;
		int valid = 1;

		while (i < len) {
			if (p[i] < 0x80) {
				i++;
				continue;
			}
			n = td_utf8_decode(&cp, p + i, len - i);
			if (!n) {
				valid = 0;
				break;
			}
			i += n;
		}
		if (valid)
			return td_buf_add(out, in, len) == TD_ENOMEM ? TD_ENOMEM
								       : 0;
		cd = g_mime_iconv_open("UTF-8", "windows-1252");
		if (cd == (iconv_t)-1)
			return td_utf8_sanitize(out, in, len);
	}
	while (left) {
		char tmp[4096], *dst = tmp;
		size_t room = sizeof(tmp);
		size_t r = iconv(cd, &src, &left, &dst, &room);

		td_buf_add(out, tmp, sizeof(tmp) - room);
		if (r == (size_t)-1) {
			if (errno == E2BIG)
				continue;
			/* EILSEQ or EINVAL: skip one byte */
			td_buf_add(out, "\xef\xbf\xbd", 3);
			src++;
			left--;
			iconv(cd, NULL, NULL, NULL, NULL);
		}
		if (td_buf_failed(out))
			break;
	}
	g_mime_iconv_close(cd);
	return td_buf_failed(out) & TD_BUF_OOM ? TD_ENOMEM : 0;
}

static int
has_ext(const char *name, const char *const *exts)
{
	const char *dot;

	if (!name || !(dot = strrchr(name, '.')))
		return 0;
	for (; *exts; exts++)
		if (!strcasecmp(dot + 1, *exts))
			return 1;
	return 0;
}

static const char *const text_exts[] = {"htm",	 "html", "shtml", "xhtml",
					"svg",	 "txt",	 "xml",	  "hta",
					"url",	 "mht",	 "mhtml", NULL};
static const char *const eml_exts[] = {"eml", NULL};

/* Is a leaf part text we should read (bodies and HTML/SVG carriers)? */
static int
is_textual(const char *ctype, const char *filename)
{
	if (!strncmp(ctype, "text/", 5))
		return 1;
	if (!strcmp(ctype, "image/svg+xml") ||
	    !strcmp(ctype, "application/xhtml+xml") ||
	    !strcmp(ctype, "application/xml") ||
	    !strcmp(ctype, "application/x-html") ||
	    !strcmp(ctype, "application/hta"))
		return 1;
	return has_ext(filename, text_exts);
}

static int walk_buffer(struct walk *w, const char *data, size_t len,
		       unsigned depth, const char *path, const char *filename);
static int walk_entity(struct walk *w, GMimeObject *obj, const char *path,
		       unsigned depth);

/*
 * Text outside the parts of a multipart: the preamble before the first
 * boundary and the epilogue after the last (RFC 2046 5.1.1).  Readers
 * ignore them, but a multipart whose boundary is missing or wrong leaves
 * the whole body there, and some clients show it: both are scanned, as
 * text/plain parts named "<path>preamble" and "<path>epilogue".
 */
static int
walk_outside_text(struct walk *w, const char *text, const char *path,
		  const char *what)
{
	struct td_mail_part part;
	struct td_buf name = TD_BUF_INIT, utf8 = TD_BUF_INIT;
	size_t len;
	int ret = 0;

	if (!text || !w->cb->part)
		return 0;
	len = strlen(text);
	while (len && (text[len - 1] == '\n' || text[len - 1] == '\r' ||
		       text[len - 1] == ' '))
		len--;
	if (!len)
		return 0;
	if (len > w->lim->max_part_bytes)
		len = w->lim->max_part_bytes;
	td_buf_printf(&name, "%s%s%s", path, *path ? "." : "", what);
	if (to_utf8(w, &utf8, text, len, NULL, name.ptr) < 0 ||
	    td_buf_failed(&name)) {
		ret = TD_ENOMEM;
		goto out;
	}
	memset(&part, 0, sizeof(part));
	part.path = name.ptr;
	part.content_type = "text/plain";
	part.data = (const unsigned char *)text;
	part.len = part.full_len = len;
	part.text = utf8.ptr;
	part.text_len = utf8.len;
	ret = w->cb->part(&part, w->payload);
out:
	td_buf_release(&name);
	td_buf_release(&utf8);
	return ret;
}

static void
join_path(char *out, size_t size, const char *prefix, int n)
{
	if (prefix && *prefix)
		snprintf(out, size, "%s.%d", prefix, n);
	else
		snprintf(out, size, "%d", n);
}

static int
walk_body(struct walk *w, GMimeObject *body, const char *prefix,
	  unsigned depth)
{
	char path[256];
	int i, n, ret;

	if (!body)
		return 0;
	if (GMIME_IS_MULTIPART(body)) {
		GMimeMultipart *mp = GMIME_MULTIPART(body);

		/* the container counts against max_parts, as in Dovecot */
		if (++w->nr_parts > w->lim->max_parts) {
			warn_limit(w, 1u << 2,
				   "parts after the %u-th not read (limit "
				   "max_parts)",
				   w->lim->max_parts);
			w->stop = 1;
			return 0;
		}
		ret = walk_outside_text(w, g_mime_multipart_get_prologue(mp),
					prefix ? prefix : "", "preamble");
		n = g_mime_multipart_get_count(mp);
		for (i = 0; i < n && !w->stop && !ret; i++) {
			join_path(path, sizeof(path), prefix, i + 1);
			ret = walk_entity(w, g_mime_multipart_get_part(mp, i),
					  path, depth + 1);
		}
		if (!ret && !w->stop)
			ret = walk_outside_text(
				w, g_mime_multipart_get_epilogue(mp),
				prefix ? prefix : "", "epilogue");
		return ret;
	}
	join_path(path, sizeof(path), prefix, 1);
	return walk_entity(w, body, path, depth + 1);
}

static int
walk_message(struct walk *w, GMimeMessage *gm, const char *prefix,
	     const char *filename, unsigned depth)
{
	struct td_mail_msg msg;
	int ret;

	memset(&msg, 0, sizeof(msg));
	msg.role = depth ? TD_MAIL_ATTACHED : TD_MAIL_OUTER;
	msg.part = prefix ? prefix : "";
	msg.filename = filename;
	msg.depth = depth;
	if (headers_collect(w, GMIME_OBJECT(gm), &msg.hdrs, &msg.nr_hdrs) < 0)
		return TD_ENOMEM;
	ret = w->cb->message ? w->cb->message(&msg, w->payload) : 0;
	if (!ret)
		ret = walk_body(w, g_mime_message_get_mime_part(gm), prefix,
				depth);
	if (w->cb->message_end)
		w->cb->message_end(&msg, w->payload);
	headers_free(msg.hdrs, msg.nr_hdrs);
	return ret;
}

static char *
lower_dup(const char *s)
{
	char *p = td_strndup(s, strlen(s)), *q;

	if (p)
		for (q = p; *q; q++)
			if (*q >= 'A' && *q <= 'Z')
				*q += 'a' - 'A';
	return p;
}

static int
walk_leaf(struct walk *w, GMimeObject *obj, const char *path, unsigned depth)
{
	GMimePart *gp = GMIME_PART(obj);
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	GMimeDataWrapper *dw = g_mime_part_get_content(gp);
	GMimeContentEncoding enc = g_mime_part_get_content_encoding(gp);
	GMimeStream *mem = NULL;
	GByteArray *arr;
	struct td_mail_part part;
	struct td_buf text = TD_BUF_INIT;
	char *ctype = NULL, *fname = NULL;
	const char *fn, *disp, *cs;
	size_t len;
	int ret = 0;

	memset(&part, 0, sizeof(part));
	{
		char *mt = ct ? g_mime_content_type_get_mime_type(ct) : NULL;

		ctype = lower_dup(mt ? mt : "text/plain");
		g_free(mt);
	}
	fn = g_mime_part_get_filename(gp);
	if (fn)
		fname = dup_sanitized(fn, strlen(fn));
	disp = g_mime_object_get_disposition(obj);
	cs = g_mime_object_get_content_type_parameter(obj, "charset");
	if (!ctype || (fn && !fname)) {
		ret = TD_ENOMEM;
		goto out;
	}

	mem = g_mime_stream_mem_new();
	if (dw)
		g_mime_data_wrapper_write_to_stream(dw, mem);
	arr = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	len = arr->len;

	part.path = path;
	part.content_type = ctype;
	part.charset = cs;
	part.filename = fname;
	part.disposition = disp;
	part.encoding = enc != GMIME_CONTENT_ENCODING_DEFAULT
				? g_mime_content_encoding_to_string(enc)
				: NULL;
	part.full_len = len;
	part.is_attachment = fname || (disp && !strcasecmp(disp, "attachment"));

	/* hashed when it is reported as an attachment: named, declared an
	   attachment, or not text */
	if (part.is_attachment || !is_textual(ctype, fname))
		td_sha256_hex(part.sha256, arr->data, arr->len);

	if (len > w->lim->max_part_bytes) {
		warn(w, "part %s: %zu decoded bytes, only the first %zu read "
			"(limit max_part_bytes)",
		     path, len, w->lim->max_part_bytes);
		len = w->lim->max_part_bytes;
		part.truncated = 1;
	}
	if (w->total_bytes + len > w->lim->max_total_bytes) {
		warn_limit(w, 1u << 1,
			   "part %s and later parts not read: over %zu decoded "
			   "bytes in this message (limit max_total_bytes)",
			   path, w->lim->max_total_bytes);
		goto out;
	}
	w->total_bytes += len;
	part.data = arr->data;
	part.len = len;

	/* A message carried as a leaf: message/rfc822 with a transfer
	   encoding (RFC 2046 5.2.1 forbids it, yet it occurs) or an attached
	   .eml file.  Walk it as a message of its own. */
	if (!strcmp(ctype, "message/rfc822") || !strcmp(ctype, "message/global") ||
	    has_ext(fname, eml_exts)) {
		if (w->cb->part)
			ret = w->cb->part(&part, w->payload);
		if (!ret)
			ret = walk_buffer(w, (const char *)arr->data, len,
					  depth + 1, path, fname);
		goto out;
	}
	if (is_textual(ctype, fname)) {
		td_buf_init(&text, 0);
		ret = to_utf8(w, &text, (const char *)arr->data, len, cs, path);
		if (ret)
			goto out;
		part.text = text.ptr;
		part.text_len = text.len;
	}
	if (w->cb->part)
		ret = w->cb->part(&part, w->payload);
out:
	td_buf_release(&text);
	if (mem)
		g_object_unref(mem);
	free(ctype);
	free(fname);
	return ret;
}

static int
walk_entity(struct walk *w, GMimeObject *obj, const char *path,
	    unsigned depth)
{
	if (!obj || w->stop)
		return 0;
	if (++w->nr_parts > w->lim->max_parts) {
		warn_limit(w, 1u << 2,
			   "parts after the %u-th not read (limit max_parts)",
			   w->lim->max_parts);
		w->stop = 1;
		return 0;
	}
	if (depth > w->lim->max_depth) {
		warn_limit(w, 1u << 3,
			   "part %s: MIME nesting deeper than %u levels not "
			   "read (limit max_depth)",
			   path, w->lim->max_depth);
		return 0;
	}
	if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *gm =
			g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
		const char *fn = g_mime_object_get_content_disposition_parameter(
			obj, "filename");
		char *fname = fn ? dup_sanitized(fn, strlen(fn)) : NULL;
		int ret = 0;

		if (gm)
			ret = walk_message(w, gm, path, fname, depth);
		free(fname);
		return ret;
	}
	if (GMIME_IS_MULTIPART(obj)) {
		/* a multipart inside a multipart takes a number itself */
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		char sub[256];
		int i, n = g_mime_multipart_get_count(mp), ret;

		ret = walk_outside_text(w, g_mime_multipart_get_prologue(mp),
					path, "preamble");
		for (i = 0; i < n && !w->stop && !ret; i++) {
			join_path(sub, sizeof(sub), path, i + 1);
			ret = walk_entity(w, g_mime_multipart_get_part(mp, i),
					  sub, depth + 1);
		}
		if (!ret && !w->stop)
			ret = walk_outside_text(
				w, g_mime_multipart_get_epilogue(mp), path,
				"epilogue");
		return ret;
	}
	if (GMIME_IS_PART(obj))
		return walk_leaf(w, obj, path, depth);
	return 0;
}

static int
walk_buffer(struct walk *w, const char *data, size_t len, unsigned depth,
	    const char *path, const char *filename)
{
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeMessage *gm;
	int ret;

	if (depth > w->lim->max_depth) {
		warn_limit(w, 1u << 3,
			   "part %s: MIME nesting deeper than %u levels not "
			   "read (limit max_depth)",
			   path, w->lim->max_depth);
		return 0;
	}
	stream = g_mime_stream_mem_new_with_buffer(data, len);
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	gm = g_mime_parser_construct_message(parser, w->opts);
	g_object_unref(parser);
	g_object_unref(stream);
	if (!gm)
		return TD_EPARSE;
	ret = walk_message(w, gm, path, filename, depth);
	g_object_unref(gm);
	return ret;
}

int
td_mail_walk(const char *data, size_t len, const struct td_mail_limits *lim,
	     const struct td_mail_cb *cb, void *payload, struct td_error *err)
{
	static const struct td_mail_limits defaults = TD_MAIL_LIMITS_INIT;
	struct walk w;
	int ret;

	td_mail_global_init();
	/* Outlook saves messages as OLE compound files (.msg, [MS-OXMSG]);
	   say so rather than "not a message" */
	if (len >= 8 && !memcmp(data, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8))
		return td_error_set(err, TD_EPARSE,
				    "Outlook .msg file (OLE), not RFC 5322: "
				    "save or forward it as .eml");
	memset(&w, 0, sizeof(w));
	w.lim = lim ? lim : &defaults;
	w.cb = cb;
	w.payload = payload;
	w.opts = g_mime_parser_options_new();
	g_mime_parser_options_set_address_compliance_mode(
		w.opts, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_parameter_compliance_mode(
		w.opts, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_rfc2047_compliance_mode(
		w.opts, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_warning_callback(w.opts, parser_warning, &w);
	ret = walk_buffer(&w, data, len, 0, "", NULL);
	g_mime_parser_options_free(w.opts);
	if (w.oom && ret == 0)
		ret = TD_ENOMEM;
	if (ret == TD_EPARSE)
		return td_error_set(err, TD_EPARSE,
				    "RFC 5322: no message could be parsed");
	if (ret == TD_ENOMEM)
		return td_error_set(err, TD_ENOMEM, "out of memory");
	return ret;
}

int
td_mail_addrs_parse(struct td_mail_addr **out, size_t *nr_out,
		    const char *value)
{
	InternetAddressList *list;
	struct td_mail_addr *a = NULL;
	size_t nr = 0, alloc = 0;
	GMimeParserOptions *opts;
	int i, n, ret = 0;

	*out = NULL;
	*nr_out = 0;
	td_mail_global_init();
	opts = g_mime_parser_options_new();
	g_mime_parser_options_set_address_compliance_mode(
		opts, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_rfc2047_compliance_mode(
		opts, GMIME_RFC_COMPLIANCE_LOOSE);
	list = internet_address_list_parse(opts, value);
	g_mime_parser_options_free(opts);
	if (!list)
		return 0;
	n = internet_address_list_length(list);
	for (i = 0; i < n && i < 1000; i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);
		const char *name = internet_address_get_name(ia);
		const char *addr = NULL;

		if (INTERNET_ADDRESS_IS_MAILBOX(ia))
			addr = internet_address_mailbox_get_addr(
				INTERNET_ADDRESS_MAILBOX(ia));
		if (TD_ARRAY_GROW(a, nr + 1, alloc) < 0) {
			ret = TD_ENOMEM;
			break;
		}
		a[nr].name = name && *name ? dup_sanitized(name, strlen(name))
					   : NULL;
		a[nr].addr = addr ? dup_sanitized(addr, strlen(addr)) : NULL;
		nr++;
	}
	g_object_unref(list);
	if (ret) {
		td_mail_addrs_free(a, nr);
		return ret;
	}
	*out = a;
	*nr_out = nr;
	return 0;
}

void
td_mail_addrs_free(struct td_mail_addr *addrs, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		free(addrs[i].name);
		free(addrs[i].addr);
	}
	free(addrs);
}

int
td_mail_date_parse(long long *out, const char *value)
{
	GDateTime *dt;

	td_mail_global_init();
	dt = g_mime_utils_header_decode_date(value);
	if (!dt)
		return TD_EPARSE;
	*out = g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	return 0;
}
