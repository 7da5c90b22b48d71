/*
 * Classifying received messages: human reply, auto-response or bounce.
 * The rules, their order and their sources: docs/internals/reply.md.
 * MIME comes from mail.h; this file only reads header values and the
 * decoded bytes of a few parts.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "mail.h"
#include "reply.h"
#include "banned.h"

/* ---- small string helpers (ASCII case folding only) ---- */

static int
lc(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int
is_alnum(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

/* The first place needle (lowercase ASCII) occurs in h[0..n), or NULL. */
static const char *
ci_find(const char *h, size_t n, const char *needle)
{
	size_t m = strlen(needle), i, j;

	if (!m || m > n)
		return NULL;
	for (i = 0; i + m <= n; i++) {
		for (j = 0; j < m && lc((unsigned char)h[i + j]) ==
					 (unsigned char)needle[j];
		     j++)
			;
		if (j == m)
			return h + i;
	}
	return NULL;
}

/* Does s[0..n) start with prefix (lowercase), ignoring case? */
static int
ci_prefix(const char *s, size_t n, const char *prefix)
{
	size_t m = strlen(prefix), i;

	if (m > n)
		return 0;
	for (i = 0; i < m; i++)
		if (lc((unsigned char)s[i]) != (unsigned char)prefix[i])
			return 0;
	return 1;
}

/*
 * A copy of s[0..n) with CR, LF, TAB and NUL turned into spaces, outer
 * white space trimmed, at most max bytes (cut before a UTF-8
 * continuation byte).  Returns NULL for an empty result or no memory.
 */
static char *
dup_clean(const char *s, size_t n, size_t max)
{
	char *out;
	size_t i;

	while (n &&
	       (s[0] == ' ' || s[0] == '\t' || s[0] == '\r' || s[0] == '\n'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
		     s[n - 1] == '\n'))
		n--;
	if (n > max) {
		n = max;
		while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	if (!n)
		return NULL;
	out = td_strndup(s, n);
	if (!out)
		return NULL;
	for (i = 0; i < n; i++)
		if (out[i] == '\r' || out[i] == '\n' || out[i] == '\t' ||
		    out[i] == '\0')
			out[i] = ' ';
	return out;
}

/*
 * The next message id in *sp (RFC 5322 3.6.4 msg-id: "<" id ">"); a value
 * without angle brackets counts as one bare id.  Returns a malloc'ed id
 * without brackets, advancing *sp, or NULL at the end.  Ids longer than
 * TD_REPLY_MAX_ID or holding spaces or control characters are skipped.
 */
/* An id's bytes: 1 to TD_REPLY_MAX_ID, no white space, control
   characters or angle brackets. */
static int
id_ok(const char *s, size_t n)
{
	size_t i;

	if (!n || n > TD_REPLY_MAX_ID)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f || s[i] == '<' ||
		    s[i] == '>')
			return 0;
	return 1;
}

static char *
next_id(const char **sp)
{
	const char *s = *sp, *b, *e;

	for (;;) {
		b = strchr(s, '<');
		if (!b) {
			/* a bare id: the whole value, once, when it has no
			   brackets at all */
			if (s == *sp && !strchr(s, '>')) {
				while (*s == ' ' || *s == '\t')
					s++;
				e = s + strcspn(s, " \t,;");
				*sp = s + strlen(s);
				if (memchr(s, '@', (size_t)(e - s)) &&
				    id_ok(s, (size_t)(e - s)))
					return td_strndup(s, (size_t)(e - s));
			}
			*sp = s + strlen(s);
			return NULL;
		}
		e = strchr(b + 1, '>');
		if (!e) {
			*sp = b + strlen(b);
			return NULL;
		}
		s = e + 1;
		if (id_ok(b + 1, (size_t)(e - b - 1))) {
			*sp = s;
			return td_strndup(b + 1, (size_t)(e - b - 1));
		}
	}
}

/* ---- ticket numbers ---- */

enum id_kind {
	ID_DIGITS, /* 0-9 */
	ID_ALNUM,  /* A-Z a-z 0-9 - _ with at least one digit */
	ID_RT	   /* "host #123": Request Tracker's "[rtname #id]" */
};

/*
 * Common ticket-system forms.  A lead is matched ignoring ASCII case and
 * must start a word; sep lets up to three of ' ', '#', ':' follow it; the
 * id must end at trail, or at a non-alphanumeric byte when trail is "".
 * The id is kept as keep + id, so "[Ticket#N]" in an acknowledgement
 * and "ticket number N" in a later body are the same ticket.  Only
 * entries with body set are looked for in bodies (a bare "Case 1234"
 * in prose is too loose).  Sources per entry: docs/internals/reply.md.
 */
static const struct ticket_pat {
	const char *name;
	const char *lead;
	enum id_kind kind;
	unsigned char min, max;
	unsigned char sep;
	const char *trail;
	const char *keep;
	unsigned char body;
} ticket_pats[] = {
    {"otrs", "[ticket#", ID_ALNUM, 1, 32, 0, "]", "Ticket#", 1},
    {"rt", "[", ID_RT, 3, 72, 0, "]", "", 1},
    {"hash", "[#", ID_ALNUM, 1, 32, 0, "]", "#", 1},
    {"ticket-id", "ticket id", ID_ALNUM, 1, 32, 1, "", "Ticket#", 1},
    {"ticket-number", "ticket number", ID_DIGITS, 3, 24, 1, "", "Ticket#", 1},
    {"ticket-hash", "ticket #", ID_DIGITS, 3, 24, 0, "", "Ticket#", 1},
    {"case-id", "case id", ID_DIGITS, 5, 16, 1, "", "Case ", 1},
    {"case", "case", ID_DIGITS, 5, 12, 1, "", "Case ", 0},
    {"incident", "incident reference", ID_ALNUM, 3, 32, 1, "", "Incident ", 1},
    {"incident", "incident ref", ID_ALNUM, 3, 32, 1, "", "Incident ", 1},
    {"servicenow", "inc", ID_DIGITS, 7, 10, 0, "", "INC", 0},
};

/* Length of an id of kind k at s[0..n), within min..max, else 0. */
static size_t
id_span(const char *s, size_t n, const struct ticket_pat *p)
{
	size_t i = 0, digits = 0;

	if (p->kind == ID_RT) {
		/* host: letters, digits, '.', '-'; then " #" and digits */
		while (i < n && i < 64 &&
		       (is_alnum((unsigned char)s[i]) || s[i] == '.' ||
			s[i] == '-'))
			i++;
		if (!i || i + 2 > n || s[i] != ' ' || s[i + 1] != '#')
			return 0;
		/* "[Case #123]" is a case number, not an RT instance */
		if ((i == 4 && ci_prefix(s, i, "case")) ||
		    (i == 6 && ci_prefix(s, i, "ticket")) ||
		    (i == 8 && ci_prefix(s, i, "incident")))
			return 0;
		i += 2;
		while (i < n && s[i] >= '0' && s[i] <= '9' && digits < 12)
			i++, digits++;
	} else {
		while (i < n && i <= p->max) {
			unsigned char c = (unsigned char)s[i];

			if (c >= '0' && c <= '9')
				digits++;
			else if (p->kind == ID_DIGITS ||
				 !(is_alnum(c) || c == '-' || c == '_'))
				break;
			i++;
		}
		/* a trailing '-' or '_' is punctuation, not the id */
		while (i && (s[i - 1] == '-' || s[i - 1] == '_'))
			i--;
	}
	if (!digits || i < p->min || i > p->max)
		return 0;
	if (*p->trail) {
		size_t t = strlen(p->trail);

		if (n - i < t || memcmp(s + i, p->trail, t))
			return 0;
	} else if (i < n && is_alnum((unsigned char)s[i])) {
		return 0;
	}
	return i;
}

const char *
td_reply_ticket_find(char *out, size_t outsz, const char *text, size_t len,
		     int body)
{
	size_t k, i;

	if (!text || outsz < 2)
		return NULL;
	for (k = 0; k < sizeof(ticket_pats) / sizeof(ticket_pats[0]); k++) {
		const struct ticket_pat *p = &ticket_pats[k];
		size_t ll = strlen(p->lead);

		if (body && !p->body)
			continue;
		for (i = 0; i + ll < len; i++) {
			size_t j, n, sep = 0;

			if (i && is_alnum((unsigned char)text[i - 1]) &&
			    is_alnum((unsigned char)p->lead[0]))
				continue;
			if (!ci_prefix(text + i, len - i, p->lead))
				continue;
			j = i + ll;
			if (is_alnum((unsigned char)p->lead[ll - 1]) &&
			    !p->sep && p->kind != ID_DIGITS && j < len &&
			    is_alnum((unsigned char)text[j]))
				continue;
			while (p->sep && sep < 3 && j < len &&
			       (text[j] == ' ' || text[j] == '#' ||
				text[j] == ':')) {
				j++;
				sep++;
			}
			if (p->sep && !sep)
				continue;
			n = id_span(text + j, len - j, p);
			if (!n)
				continue;
			if (strlen(p->keep) + n + 1 > outsz)
				continue;
			snprintf(out, outsz, "%s%.*s", p->keep, (int)n,
				 text + j);
			return p->name;
		}
	}
	return NULL;
}

int
td_reply_tag_find(char out[24], const char *s)
{
	size_t n = strlen(TD_STORE_TAG_PREFIX), i, d;
	const char *p;

	for (p = s; p && *p; p++) {
		if (p > s && is_alnum((unsigned char)p[-1]))
			continue;
		for (i = 0;
		     i < n && lc((unsigned char)p[i]) ==
				  lc((unsigned char)TD_STORE_TAG_PREFIX[i]);
		     i++)
			;
		if (i < n || p[n] != '-')
			continue;
		for (i = 1; i <= 4 && p[n + i] >= '0' && p[n + i] <= '9'; i++)
			;
		if (i != 5 || p[n + 5] != '-')
			continue;
		for (d = 0;
		     d < 10 && p[n + 6 + d] >= '0' && p[n + 6 + d] <= '9'; d++)
			;
		if (d < 6 || d > 9 || is_alnum((unsigned char)p[n + 6 + d]))
			continue;
		snprintf(out, 24, "%s-%.*s", TD_STORE_TAG_PREFIX, (int)(5 + d),
			 p + n + 1);
		return 1;
	}
	return 0;
}

/* ---- the rule tables ---- */

/*
 * Headers that mark an auto-response, in the order they are tried.
 * RFC 3834 5.1: Auto-Submitted with any value but "no".  The others are
 * vendor conventions (docs/internals/reply.md says whose).
 */
enum hdr_rule { HR_NOT_NO, HR_PRESENT, HR_WORDS };

static const struct {
	const char *name;
	enum hdr_rule rule;
	const char *words[5]; /* HR_WORDS: values that count (lowercase) */
} auto_headers[] = {
    {"Auto-Submitted", HR_NOT_NO, {NULL}},
    {"X-Autoreply", HR_NOT_NO, {NULL}},
    {"X-Autorespond", HR_PRESENT, {NULL}},
    {"X-Auto-Response-Suppress", HR_WORDS, {"all", "oof", "autoreply", NULL}},
    {"X-Loop", HR_PRESENT, {NULL}},
    {"Precedence", HR_WORDS, {"bulk", "junk", "list", "auto_reply", NULL}},
};

/* Subject wording of auto-responses and ticket acknowledgements. */
static const char *const auto_subjects[] = {"automatic reply",
					    "automated reply",
					    "auto-reply",
					    "autoreply",
					    "auto reply",
					    "automatic response",
					    "automated response",
					    "auto-response",
					    "autoresponse",
					    "out of office",
					    "out of the office",
					    "abwesenheitsnotiz",
					    "automatische antwort",
					    "r\xc3\xa9ponse automatique",
					    "respuesta autom\xc3\xa1tica",
					    "we have received your",
					    "we received your",
					    "has been received",
					    "ticket created",
					    "ticket has been created",
					    "request received",
					    "confirmation of receipt",
					    "acknowledgement of receipt",
					    NULL};

/* Text of a delivery failure notice (not RFC 3464). */
static const char *const failure_phrases[] = {
    "could not be delivered",
    "couldn't be delivered",
    "wasn't able to deliver",
    "was not able to deliver",
    "delivery to the following recipient",
    "failed permanently",
    "permanent error",
    "undeliverable",
    "undelivered mail",
    "delivery has failed",
    "mail delivery failed",
    "delivery failed",
    "returned mail",
    "message not delivered",
    "user unknown",
    "no such user",
    "mailbox unavailable",
    "address rejected",
    NULL};

/* Where a failure notice starts quoting the message that failed. */
static const char *const copy_markers[] = {
    "below this line is a copy of the message",
    "this is a copy of the message",
    "original message follows",
    "----- original message -----",
    "undelivered message",
    "returned message",
    "message headers follow",
    NULL};

/* A human asking for more before acting (unquoted lines only). */
static const char *const info_phrases[] = {"more information",
					   "additional information",
					   "further information",
					   "more details",
					   "additional details",
					   "further details",
					   "please provide",
					   "could you provide",
					   "can you provide",
					   "could you please provide",
					   "please send",
					   "could you send",
					   "can you send",
					   "unable to locate",
					   "could not find",
					   "cannot find",
					   "can't find",
					   "unable to find",
					   "unable to verify",
					   "not able to locate",
					   "full headers",
					   "please clarify",
					   "please specify",
					   "need more",
					   NULL};

static const char *
phrase_in(const char *s, size_t n, const char *const *table)
{
	size_t i;

	for (i = 0; table[i]; i++)
		if (ci_find(s, n, table[i]))
			return table[i];
	return NULL;
}

/* ---- walking the message ---- */

struct walk {
	struct td_reply *r;
	unsigned stack[32]; /* depths of the open messages */
	unsigned open;
	unsigned messages;
	int report_dsn;	 /* multipart/report; report-type=delivery-status */
	int null_sender; /* Return-Path: <> */
	int daemon_from; /* MAILER-DAEMON, postmaster, Mail Delivery ... */
	char *xfailed;	 /* X-Failed-Recipients */
	char *auto_reason;
	struct td_buf body; /* the first text part of the outer message */
	int body_plain;
	struct td_buf dsn;     /* message/delivery-status */
	struct td_buf headers; /* text/rfc822-headers */
	char *attached_id;     /* Message-ID of the first attached message */
	int oom;
};

/* multipart/report with report-type=delivery-status (RFC 6522, 3464). */
static int
is_report_dsn(const char *v)
{
	const char *p;

	while (*v == ' ' || *v == '\t')
		v++;
	if (!ci_prefix(v, strlen(v), "multipart/report"))
		return 0;
	p = ci_find(v, strlen(v), "report-type");
	if (!p)
		return 0;
	p += strlen("report-type");
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p++ != '=')
		return 0;
	while (*p == ' ' || *p == '\t' || *p == '"')
		p++;
	return ci_prefix(p, strlen(p), "delivery-status") ||
	       ci_prefix(p, strlen(p), "global-delivery-status");
}

static int
is_daemon(const char *addr, const char *name)
{
	static const char *const locals[] = {"mailer-daemon", "mailer_daemon",
					     "mail-daemon", "postmaster", NULL};
	size_t i;

	if (addr) {
		const char *at = strrchr(addr, '@');
		size_t n = at ? (size_t)(at - addr) : strlen(addr);

		for (i = 0; locals[i]; i++)
			if (n == strlen(locals[i]) &&
			    ci_prefix(addr, n, locals[i]))
				return 1;
	}
	if (name && (ci_find(name, strlen(name), "mail delivery system") ||
		     ci_find(name, strlen(name), "mail delivery subsystem")))
		return 1;
	return 0;
}

/* "Auto-Submitted: auto-replied", from the header table. */
static char *
auto_header(const struct td_mail_msg *m)
{
	struct td_buf b = TD_BUF_INIT;
	size_t k, i;

	for (k = 0; k < sizeof(auto_headers) / sizeof(auto_headers[0]); k++) {
		const struct td_mail_header *h =
		    td_mail_header_find(m, auto_headers[k].name);
		const char *v;
		size_t n;
		int hit = 0;

		if (!h)
			continue;
		v = h->value;
		while (*v == ' ' || *v == '\t')
			v++;
		n = strcspn(v, " \t;(");
		switch (auto_headers[k].rule) {
		case HR_NOT_NO:
			/* RFC 3834 5.1: "no" means a human sent it */
			hit = n && !(n == 2 && ci_prefix(v, n, "no"));
			break;
		case HR_PRESENT:
			hit = 1;
			break;
		case HR_WORDS:
			for (i = 0; auto_headers[k].words[i]; i++)
				if (ci_find(v, strlen(v),
					    auto_headers[k].words[i]))
					hit = 1;
			break;
		}
		if (!hit)
			continue;
		td_buf_init(&b, 200);
		td_buf_printf(&b, "%s: ", auto_headers[k].name);
		td_buf_add(&b, v, strlen(v) > 120 ? 120 : strlen(v));
		if (td_buf_failed(&b) & TD_BUF_OOM) {
			td_buf_release(&b);
			return NULL;
		}
		/* header values from mail.h hold no CR or LF */
		return td_buf_detach(&b, NULL);
	}
	return NULL;
}

static int
outer_headers(struct walk *w, const struct td_mail_msg *m)
{
	struct td_reply *r = w->r;
	const struct td_mail_header *h;
	size_t i;

	h = td_mail_header_find(m, "From");
	if (h) {
		struct td_mail_addr *a = NULL;
		size_t nr = 0;

		if (td_mail_addrs_parse(&a, &nr, h->value) < 0)
			return TD_ENOMEM;
		for (i = 0; i < nr; i++)
			if (a[i].addr) {
				r->from = dup_clean(a[i].addr,
						    strlen(a[i].addr), 320);
				if (a[i].name)
					r->from_name = dup_clean(
					    a[i].name, strlen(a[i].name),
					    TD_REPLY_MAX_TEXT);
				break;
			}
		td_mail_addrs_free(a, nr);
		if (!r->from) {
			/* a display name GMime could not read: take the
			   last "<local@domain>" of the raw value */
			const char *lt = strrchr(h->value, '<');
			const char *gt = lt ? strchr(lt, '>') : NULL;

			if (gt && memchr(lt, '@', (size_t)(gt - lt)) &&
			    !memchr(lt + 1, ' ', (size_t)(gt - lt - 1)))
				r->from = dup_clean(lt + 1,
						    (size_t)(gt - lt - 1), 320);
		}
	}
	h = td_mail_header_find(m, "Subject");
	if (h) {
		const char *s = h->decoded ? h->decoded : h->value;

		r->subject = dup_clean(s, strlen(s), TD_REPLY_MAX_SUBJECT);
	}
	h = td_mail_header_find(m, "Date");
	if (h && td_mail_date_parse(&r->date, h->value) < 0)
		r->date = 0;
	if (r->date < 0)
		r->date = 0;
	h = td_mail_header_find(m, "Message-ID");
	if (h) {
		const char *s = h->value;

		r->message_id = next_id(&s);
	}
	h = td_mail_header_find(m, "In-Reply-To");
	if (h) {
		const char *s = h->value;

		r->in_reply_to = next_id(&s);
	}
	/* References: keep the first half and the last half of the cap,
	   where the thread's root (our report) and its latest are */
	for (i = 0; i < m->nr_hdrs; i++) {
		const char *s;
		char *id;
		size_t total = 0;

		if (strcasecmp(m->hdrs[i].name, "References"))
			continue;
		s = m->hdrs[i].value;
		if (!r->refs) {
			r->refs = calloc(TD_REPLY_MAX_REFS, sizeof(*r->refs));
			if (!r->refs)
				return TD_ENOMEM;
		}
		while ((id = next_id(&s))) {
			total++;
			if (r->nr_refs < TD_REPLY_MAX_REFS) {
				r->refs[r->nr_refs++] = id;
				continue;
			}
			/* shift the second half down, keep the newest */
			free(r->refs[TD_REPLY_MAX_REFS / 2]);
			memmove(r->refs + TD_REPLY_MAX_REFS / 2,
				r->refs + TD_REPLY_MAX_REFS / 2 + 1,
				(TD_REPLY_MAX_REFS / 2 - 1) * sizeof(*r->refs));
			r->refs[TD_REPLY_MAX_REFS - 1] = id;
		}
		(void)total;
		break;
	}
	h = td_mail_header_find(m, "Return-Path");
	if (h) {
		const char *v = h->value;

		while (*v == ' ' || *v == '\t')
			v++;
		if (!*v || !strncmp(v, "<>", 2))
			w->null_sender = 1;
	}
	w->daemon_from = is_daemon(r->from, r->from_name);
	h = td_mail_header_find(m, "X-Failed-Recipients");
	if (h) {
		const char *v = h->value;

		while (*v == ' ' || *v == '\t')
			v++;
		w->xfailed = dup_clean(v, strcspn(v, " ,;\t"), 320);
	}
	w->auto_reason = auto_header(m);
	return 0;
}

/*
 * The outer Content-Type, unfolded, at most 4 KiB.  GMime keeps the
 * Content-* fields on the MIME part, not in the message's header list
 * that mail.h hands out, so this one field is read from the top-level
 * header section (up to its first empty line, RFC 5322 2.1) directly.
 */
static char *
outer_content_type(const char *d, size_t n)
{
	struct td_buf v = TD_BUF_INIT;
	size_t i = 0;
	int in = 0;

	td_buf_init(&v, 4096);
	while (i < n) {
		size_t e = i, ll;

		while (e < n && d[e] != '\n')
			e++;
		ll = e - i;
		if (ll && d[i + ll - 1] == '\r')
			ll--;
		if (!ll)
			break;
		if (d[i] == ' ' || d[i] == '\t') {
			if (in) {
				td_buf_addch(&v, ' ');
				td_buf_add(&v, d + i, ll);
			}
		} else if (in) {
			break;
		} else if (ll > 13 && ci_prefix(d + i, ll, "content-type:")) {
			in = 1;
			td_buf_add(&v, d + i + 13, ll - 13);
		}
		i = e < n ? e + 1 : e;
	}
	if (!in || (td_buf_failed(&v) & TD_BUF_OOM)) {
		td_buf_release(&v);
		return NULL;
	}
	return td_buf_detach(&v, NULL);
}

static int
on_message(const struct td_mail_msg *m, void *payload)
{
	struct walk *w = payload;

	if (w->open < sizeof(w->stack) / sizeof(w->stack[0]))
		w->stack[w->open] = m->depth;
	w->open++;
	w->messages++;
	if (m->depth == 0)
		return outer_headers(w, m);
	if (!w->attached_id) {
		const struct td_mail_header *h =
		    td_mail_header_find(m, "Message-ID");

		if (h) {
			const char *s = h->value;

			w->attached_id = next_id(&s);
		}
	}
	return 0;
}

static void
on_message_end(const struct td_mail_msg *m, void *payload)
{
	struct walk *w = payload;

	(void)m;
	if (w->open)
		w->open--;
}

/* Depth of the innermost open message (0: the outer one). */
static unsigned
cur_depth(const struct walk *w)
{
	unsigned i = w->open;

	if (!i)
		return 0;
	if (i > sizeof(w->stack) / sizeof(w->stack[0]))
		return 1;
	return w->stack[i - 1];
}

static int
on_part(const struct td_mail_part *p, void *payload)
{
	struct walk *w = payload;
	const char *ct = p->content_type;

	if (cur_depth(w) != 0)
		return 0;
	if ((!strcmp(ct, "message/delivery-status") ||
	     !strcmp(ct, "message/global-delivery-status")) &&
	    !w->dsn.len && p->len) {
		td_buf_add(&w->dsn, p->data, p->len);
		return 0;
	}
	if ((!strcmp(ct, "text/rfc822-headers") ||
	     !strcmp(ct, "message/global-headers")) &&
	    !w->headers.len && p->len) {
		td_buf_add(&w->headers, p->data, p->len);
		return 0;
	}
	if (!p->text || p->is_attachment)
		return 0;
	if (!strcmp(ct, "text/plain") && !w->body_plain) {
		td_buf_reset(&w->body);
		td_buf_add(&w->body, p->text, p->text_len);
		w->body_plain = 1;
	} else if (!strcmp(ct, "text/html") && !w->body.len) {
		td_buf_add(&w->body, p->text, p->text_len);
	}
	return 0;
}

static void
on_warning(const char *text, void *payload)
{
	struct walk *w = payload;

	(void)text;
	w->r->warnings++;
}

/* ---- delivery status (RFC 3464 2.2, 2.3) ---- */

struct dsn_rec {
	char *recipient, *action, *status, *diag;
};

static void
rec_release(struct dsn_rec *d)
{
	free(d->recipient);
	free(d->action);
	free(d->status);
	free(d->diag);
	memset(d, 0, sizeof(*d));
}

/* The part of a typed value after "type;" (RFC 3464 2.1.2). */
static char *
typed_value(const char *v, size_t n, size_t max)
{
	const char *semi = memchr(v, ';', n);

	if (semi && semi - v < 20) {
		n -= (size_t)(semi + 1 - v);
		v = semi + 1;
	}
	while (n && (*v == ' ' || *v == '\t' || *v == '<'))
		v++, n--;
	while (n && (v[n - 1] == ' ' || v[n - 1] == '>'))
		n--;
	return dup_clean(v, n, max);
}

static void
field(struct dsn_rec *cur, int *is_rcpt, int *b64, const char *f, size_t n)
{
	const char *colon = memchr(f, ':', n);
	size_t nl, vl;
	const char *v;

	if (!colon)
		return;
	nl = (size_t)(colon - f);
	v = colon + 1;
	vl = n - nl - 1;
	while (vl && (*v == ' ' || *v == '\t'))
		v++, vl--;
	if (nl == 15 && ci_prefix(f, nl, "final-recipient")) {
		free(cur->recipient);
		cur->recipient = typed_value(v, vl, 320);
		*is_rcpt = 1;
	} else if (nl == 6 && ci_prefix(f, nl, "action")) {
		size_t i;

		free(cur->action);
		cur->action = dup_clean(v, strcspn(v, " \t;("), 32);
		for (i = 0; cur->action && cur->action[i]; i++)
			cur->action[i] =
			    (char)lc((unsigned char)cur->action[i]);
		*is_rcpt = 1;
	} else if (nl == 6 && ci_prefix(f, nl, "status")) {
		free(cur->status);
		cur->status = dup_clean(v, strcspn(v, " \t;("), 32);
		*is_rcpt = 1;
	} else if (nl == 15 && ci_prefix(f, nl, "diagnostic-code")) {
		free(cur->diag);
		cur->diag = typed_value(v, vl, TD_REPLY_MAX_TEXT);
	} else if (nl == 25 && ci_prefix(f, nl, "content-transfer-encoding") &&
		   ci_prefix(v, vl, "base64")) {
		/*
		 * Not RFC 3464: some relays (Proofpoint seen) rewrite the
		 * per-recipient fields and base64-encode them after a
		 * blank line.  Read them as the next group.
		 */
		*b64 = 1;
	}
}

static void dsn_parse(struct walk *w, struct dsn_rec *best, const char *s,
		      size_t n, int level);

/* One group of fields (lines unfolded), then keep the best recipient. */
static void
group_end(struct dsn_rec *cur, int *is_rcpt, struct dsn_rec *best)
{
	int cur_failed = cur->action && !strcmp(cur->action, "failed");
	int best_failed = best->action && !strcmp(best->action, "failed");

	if (*is_rcpt &&
	    (!best->recipient && !best->action ? 1
					       : !best_failed && cur_failed)) {
		rec_release(best);
		*best = *cur;
		memset(cur, 0, sizeof(*cur));
	}
	rec_release(cur);
	*is_rcpt = 0;
}

static void
dsn_parse(struct walk *w, struct dsn_rec *best, const char *s, size_t n,
	  int level)
{
	struct dsn_rec cur;
	struct td_buf f = TD_BUF_INIT;
	size_t i = 0;
	int is_rcpt = 0, b64 = 0, decode_next = 0;

	memset(&cur, 0, sizeof(cur));
	td_buf_init(&f, 8192);
	while (i < n) {
		size_t e = i, ll;

		while (e < n && s[e] != '\n')
			e++;
		ll = e - i;
		if (ll && s[i + ll - 1] == '\r')
			ll--;
		if (decode_next && ll) {
			/* the base64 group: up to the next blank line */
			struct td_buf dec = TD_BUF_INIT;
			size_t j = i;

			td_buf_init(&dec, 65536);
			while (j < n) {
				size_t k = j;

				while (k < n && s[k] != '\n')
					k++;
				if (k == j || (k == j + 1 && s[j] == '\r'))
					break;
				td_base64_decode(&dec, s + j, k - j, 1);
				j = k < n ? k + 1 : k;
			}
			if (level < 1 && dec.len)
				dsn_parse(w, best, dec.ptr, dec.len, level + 1);
			td_buf_release(&dec);
			decode_next = 0;
			i = j;
			continue;
		}
		if (!ll) {
			if (f.len)
				field(&cur, &is_rcpt, &b64, f.ptr, f.len);
			td_buf_reset(&f);
			group_end(&cur, &is_rcpt, best);
			if (b64)
				decode_next = 1;
			b64 = 0;
		} else if (s[i] == ' ' || s[i] == '\t') {
			/* continuation (RFC 5322 2.2.3 folding) */
			td_buf_addch(&f, ' ');
			td_buf_add(&f, s + i, ll);
		} else {
			if (f.len)
				field(&cur, &is_rcpt, &b64, f.ptr, f.len);
			td_buf_reset(&f);
			td_buf_add(&f, s + i, ll);
		}
		i = e < n ? e + 1 : e;
	}
	if (f.len)
		field(&cur, &is_rcpt, &b64, f.ptr, f.len);
	group_end(&cur, &is_rcpt, best);
	td_buf_release(&f);
}

/* ---- failure notices that are not RFC 3464 ---- */

/* An enhanced status code (RFC 3463): [245].d{1,3}.d{1,3}. */
static const char *
find_status(const char *s, size_t n, size_t *len)
{
	size_t i;

	for (i = 0; i + 5 <= n; i++) {
		size_t j, a, b;

		if ((s[i] != '2' && s[i] != '4' && s[i] != '5') ||
		    s[i + 1] != '.')
			continue;
		if (i && (is_alnum((unsigned char)s[i - 1]) || s[i - 1] == '.'))
			continue;
		for (j = i + 2, a = 0;
		     j < n && a < 4 && isdigit((unsigned char)s[j]); j++, a++)
			;
		if (!a || a > 3 || j >= n || s[j] != '.')
			continue;
		for (j++, b = 0; j < n && b < 4 && isdigit((unsigned char)s[j]);
		     j++, b++)
			;
		if (!b || b > 3 ||
		    (j < n && (is_alnum((unsigned char)s[j]) ||
			       (s[j] == '.' && j + 1 < n &&
				isdigit((unsigned char)s[j + 1])))))
			continue;
		*len = j - i;
		return s + i;
	}
	return NULL;
}

/* The line holding p, trimmed, as a malloc'ed string. */
static char *
line_of(const char *s, size_t n, const char *p)
{
	const char *b = p, *e = p;

	while (b > s && b[-1] != '\n')
		b--;
	while (e < s + n && *e != '\n')
		e++;
	return dup_clean(b, (size_t)(e - b), TD_REPLY_MAX_TEXT);
}

/* A line that is only an address ("<a@b>:", "  a@b"), as a failed
   recipient of qmail, Exim and Gmail notices. */
static char *
address_line(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t e = i, b, t;

		while (e < n && s[e] != '\n')
			e++;
		b = i;
		t = e;
		while (b < t && (s[b] == ' ' || s[b] == '\t' || s[b] == '<'))
			b++;
		while (t > b && (s[t - 1] == '\r' || s[t - 1] == ' ' ||
				 s[t - 1] == ':' || s[t - 1] == '>'))
			t--;
		if (t > b && t - b <= 254 && memchr(s + b, '@', t - b)) {
			size_t k;

			for (k = b; k < t; k++)
				if ((unsigned char)s[k] <= ' ' || s[k] == '<' ||
				    s[k] == '>' || s[k] == '(' || s[k] == ',')
					break;
			if (k == t)
				return td_strndup(s + b, t - b);
		}
		i = e < n ? e + 1 : e;
	}
	return NULL;
}

/* "Message-ID: <x>" at the start of a line of s, after from. */
static char *
message_id_line(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t e = i;

		while (e < n && s[e] != '\n')
			e++;
		if (e - i > 11 && ci_prefix(s + i, e - i, "message-id:")) {
			char *line = td_strndup(s + i + 11, e - i - 11);
			const char *p = line;
			char *id = line ? next_id(&p) : NULL;

			free(line);
			if (id)
				return id;
		}
		i = e < n ? e + 1 : e;
	}
	return NULL;
}

/* Where the quoted original starts in a failure notice, else NULL. */
static const char *
copy_start(const char *s, size_t n)
{
	const char *best = NULL, *p;
	size_t i;

	for (i = 0; copy_markers[i]; i++) {
		p = ci_find(s, n, copy_markers[i]);
		if (p && (!best || p < best))
			best = p;
	}
	return best;
}

/* ---- human replies ---- */

/*
 * Does the unquoted text of a reply ask for more?  Lines starting with
 * '>' are quoted; the reply ends at the usual markers of a quoted
 * original ("-----Original Message-----", "On ... wrote:").
 */
static int
asks_for_info(const char *s, size_t n)
{
	struct td_buf two = TD_BUF_INIT;
	size_t i = 0;
	int hit = 0;

	td_buf_init(&two, 4096);
	while (i < n && !hit) {
		size_t e = i, ll, j, e2;

		while (e < n && s[e] != '\n')
			e++;
		ll = e - i;
		if (ci_find(s + i, ll, "original message") ||
		    (ll > 6 && ci_prefix(s + i, ll, "on ") &&
		     ci_find(s + i, ll, "wrote:")))
			break;
		if (ll && s[i] != '>') {
			/* a phrase may wrap: this line and the next one */
			td_buf_reset(&two);
			td_buf_add(&two, s + i, ll);
			j = e < n ? e + 1 : e;
			for (e2 = j; e2 < n && s[e2] != '\n'; e2++)
				;
			if (e2 > j && s[j] != '>') {
				td_buf_addch(&two, ' ');
				td_buf_add(&two, s + j, e2 - j);
			}
			hit = phrase_in(two.ptr, two.len, info_phrases) != NULL;
		}
		i = e < n ? e + 1 : e;
	}
	td_buf_release(&two);
	return hit;
}

/* ---- deciding ---- */

static int set_reason(struct td_reply *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
set_reason(struct td_reply *r, const char *fmt, ...)
{
	struct td_buf b = TD_BUF_INIT;
	va_list ap;

	td_buf_init(&b, 400);
	va_start(ap, fmt);
	td_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (td_buf_failed(&b) & TD_BUF_OOM)
		return TD_ENOMEM;
	free(r->reason);
	r->reason = td_buf_detach(&b, NULL);
	return r->reason ? 0 : TD_ENOMEM;
}

static int
decide(struct walk *w)
{
	struct td_reply *r = w->r;
	const char *body = w->body.ptr, *p,
		   *subj = r->subject ? r->subject : "";
	size_t blen = w->body.len, slen;
	struct dsn_rec best;
	const char *phrase;
	char tk[TD_REPLY_MAX_TICKET + 1];
	int sender = w->null_sender || w->daemon_from || w->xfailed;

	memset(&best, 0, sizeof(best));
	if (w->dsn.len)
		dsn_parse(w, &best, w->dsn.ptr, w->dsn.len, 0);
	/* the notice text before the quoted original */
	p = copy_start(body, blen);
	slen = p ? (size_t)(p - body) : blen;
	phrase = phrase_in(body, slen, failure_phrases);
	if (!phrase)
		phrase = phrase_in(subj, strlen(subj), failure_phrases);

	if (w->report_dsn || (w->dsn.len && sender) || (sender && phrase)) {
		size_t sl = 0;
		const char *st;

		r->cls = TD_REPLY_BOUNCE;
		r->rfc3464 = w->dsn.len != 0;
		r->final_recipient = best.recipient;
		r->action = best.action;
		r->status = best.status;
		r->diagnostic = best.diag;
		memset(&best, 0, sizeof(best));
		if (!r->final_recipient && w->xfailed) {
			r->final_recipient = w->xfailed;
			w->xfailed = NULL;
		}
		if (!r->final_recipient)
			r->final_recipient = address_line(body, slen);
		st = find_status(body, slen, &sl);
		if (!r->status && st)
			r->status = td_strndup(st, sl);
		if (!r->diagnostic && st)
			r->diagnostic = line_of(body, slen, st);
		if (!r->action) {
			/* RFC 3464 2.3.3 words for a notice without fields */
			if (ci_find(body, slen, "permanent") ||
			    ci_find(body, slen, "given up") ||
			    (r->status && r->status[0] == '5'))
				r->action = strdup("failed");
			else if (ci_find(body, slen, "will retry") ||
				 ci_find(body, slen, "delayed") ||
				 ci_find(body, slen, "still trying") ||
				 (r->status && r->status[0] == '4'))
				r->action = strdup("delayed");
			else
				r->action = strdup("failed");
			if (!r->action)
				return TD_ENOMEM;
		}
		if (w->headers.len)
			r->original_message_id =
			    message_id_line(w->headers.ptr, w->headers.len);
		if (!r->original_message_id && w->attached_id) {
			r->original_message_id = w->attached_id;
			w->attached_id = NULL;
		}
		if (!r->original_message_id && p)
			r->original_message_id =
			    message_id_line(p, blen - (size_t)(p - body));
		if (strcmp(r->action, "failed")) {
			/* a delay or success report: the address works */
			r->cls = TD_REPLY_AUTO;
			if (set_reason(r,
				       "delivery status notification, "
				       "action %s (not a failure)",
				       r->action) < 0)
				return TD_ENOMEM;
		} else if (w->report_dsn) {
			if (set_reason(r,
				       "multipart/report; report-type="
				       "delivery-status (RFC 3464)%s",
				       r->rfc3464 ? ""
						  : ", without its "
						    "delivery-status part") < 0)
				return TD_ENOMEM;
		} else if (w->dsn.len) {
			if (set_reason(r,
				       "message/delivery-status part from "
				       "%s (RFC 3464)",
				       w->null_sender ? "a null sender"
						      : "a mailer daemon") < 0)
				return TD_ENOMEM;
		} else {
			struct td_buf b = TD_BUF_INIT;

			td_buf_init(&b, 400);
			td_buf_printf(
			    &b,
			    "%s and failure text \"%s\" (not RFC "
			    "3464)",
			    w->null_sender   ? "null sender (Return-Path <>)"
			    : w->daemon_from ? "sender is a mailer daemon"
					     : "X-Failed-Recipients",
			    phrase);
			if (td_buf_failed(&b) & TD_BUF_OOM)
				return TD_ENOMEM;
			r->reason = td_buf_detach(&b, NULL);
		}
	} else if (w->auto_reason) {
		r->cls = TD_REPLY_AUTO;
		r->reason = w->auto_reason;
		w->auto_reason = NULL;
	} else if ((phrase = phrase_in(subj, strlen(subj), auto_subjects))) {
		r->cls = TD_REPLY_AUTO;
		if (set_reason(r, "subject says \"%s\"", phrase) < 0)
			return TD_ENOMEM;
	} else {
		r->cls = TD_REPLY_HUMAN;
		r->needs_info = asks_for_info(body, blen);
		if (set_reason(r, "%s",
			       r->needs_info ? "no auto-response marker; asks "
					       "for more information"
					     : "no auto-response or bounce "
					       "marker") < 0)
			return TD_ENOMEM;
	}
	rec_release(&best);
	if (!r->reason)
		return TD_ENOMEM;

	/* the provider's ticket: subject first, then (not for bounces,
	   whose body quotes someone else's message) the body's own text */
	r->ticket_kind =
	    td_reply_ticket_find(tk, sizeof(tk), subj, strlen(subj), 0);
	if (!r->ticket_kind && r->cls != TD_REPLY_BOUNCE && blen) {
		size_t n = blen > TD_REPLY_MAX_BODY ? TD_REPLY_MAX_BODY : blen;

		r->ticket_kind =
		    td_reply_ticket_find(tk, sizeof(tk), body, n, 1);
	}
	if (r->ticket_kind) {
		r->ticket = strdup(tk);
		if (!r->ticket)
			return TD_ENOMEM;
	}
	return 0;
}

int
td_reply_parse(struct td_reply *out, const char *data, size_t len,
	       const struct td_reply_opts *opts, struct td_error *err)
{
	static const struct td_reply_opts defaults = TD_REPLY_OPTS_INIT;
	static const struct td_mail_cb cb = {on_message, on_part,
					     on_message_end, on_warning};
	struct walk w;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!opts)
		opts = &defaults;
	if (opts->max_bytes && len > opts->max_bytes)
		return td_error_set(err, TD_ELIMIT,
				    "message of %zu bytes is over the limit of "
				    "%zu bytes",
				    len, opts->max_bytes);
	memset(&w, 0, sizeof(w));
	w.r = out;
	td_buf_init(&w.body, TD_REPLY_MAX_BODY);
	td_buf_init(&w.dsn, TD_REPLY_MAX_BODY);
	td_buf_init(&w.headers, TD_REPLY_MAX_BODY);
	td_mail_global_init();
	{
		char *ct = outer_content_type(data, len);

		w.report_dsn = ct && is_report_dsn(ct);
		free(ct);
	}
	ret = td_mail_walk(data, len, &opts->limits, &cb, &w, err);
	if (!ret && !w.messages)
		ret = td_error_set(err, TD_EPARSE, "no message found");
	if (!ret && ((td_buf_failed(&w.body) | td_buf_failed(&w.dsn) |
		      td_buf_failed(&w.headers)) &
		     TD_BUF_OOM))
		ret = td_error_set(err, TD_ENOMEM, "out of memory");
	if (!ret) {
		ret = decide(&w);
		if (ret)
			td_error_set(err, ret, "out of memory");
	}
	td_buf_release(&w.body);
	td_buf_release(&w.dsn);
	td_buf_release(&w.headers);
	free(w.xfailed);
	free(w.auto_reason);
	free(w.attached_id);
	if (ret) {
		td_reply_release(out);
		return ret < 0 ? ret : TD_EPARSE;
	}
	return 0;
}

void
td_reply_release(struct td_reply *r)
{
	size_t i;

	if (!r)
		return;
	free(r->reason);
	free(r->from);
	free(r->from_name);
	free(r->subject);
	free(r->message_id);
	free(r->in_reply_to);
	for (i = 0; i < r->nr_refs; i++)
		free(r->refs[i]);
	free(r->refs);
	free(r->ticket);
	free(r->final_recipient);
	free(r->action);
	free(r->status);
	free(r->diagnostic);
	free(r->original_message_id);
	memset(r, 0, sizeof(*r));
}
