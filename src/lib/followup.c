/*
 * Follow-ups and escalations.  See followup.h and docs/policy.md.
 *
 * The body is rendered by draft.c's template engine
 * (td_draft_render_text_vars) with the report variables, so a follow-up
 * restates the facts exactly as the report did, and this module's own
 * variables (the audit trail, the status...) beside them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "followup.h"
#include "hash.h"
#include "le.h"
#include "mail_write.h"
#include "term.h"
#include "banned.h"

#define TEMPLATE_MAX (256u << 10)
#define MAX_REFS 32
#define MAX_TRAIL 200

#define TEMPLATE(sym, file)                                                    \
	".global " #sym "\n" #sym ":\n.incbin \"" file "\"\n"                  \
	".global " #sym "_end\n" #sym "_end:\n.byte 0\n"

/* clang-format off */
__asm__(".section .rodata\n"
	TEMPLATE(td_tpl_followup, "data/templates/followup.txt")
	TEMPLATE(td_tpl_escalate, "data/templates/escalate.txt")
	".previous\n");
/* clang-format on */

extern const char td_tpl_followup[], td_tpl_followup_end[];
extern const char td_tpl_escalate[], td_tpl_escalate_end[];

const char *
td_followup_builtin_template(enum td_followup_kind kind, size_t *len)
{
	const char *b =
	    kind == TD_ESCALATION ? td_tpl_escalate : td_tpl_followup;
	const char *e =
	    kind == TD_ESCALATION ? td_tpl_escalate_end : td_tpl_followup_end;

	if (len)
		*len = (size_t)(e - b);
	return b;
}

enum fvar {
	F_FOLLOWUP_NR,
	F_FIRST_REPORTED,
	F_STATUS,
	F_TICKET,
	F_STILL_UP,
	F_LAST_CHECK,
	F_AUDIT_TRAIL,
	F_NOT_ACTING,
	F_REPORT_SENT,
	F_REPORT_TO,
	F_REPORT_SHA256,
	F_MAIL_SHA256,
	NR_FVARS
};

const char *const td_followup_variables[] = {
    "followup_nr",   "first_reported", "status",     "ticket",	    "still_up",
    "last_check",    "audit_trail",    "not_acting", "report_sent", "report_to",
    "report_sha256", "mail_sha256",    NULL};

_Static_assert(sizeof(td_followup_variables) /
		       sizeof(td_followup_variables[0]) ==
		   NR_FVARS + 1,
	       "td_followup_variables follows enum fvar");

/* ---- safe text ------------------------------------------------------- */

static int
invisible(unsigned cp)
{
	return cp == 0x061c || (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff || cp == 0x00ad ||
	       (cp >= 0xfff9 && cp <= 0xfffb) || cp == 0x2028 || cp == 0x2029;
}

/*
 * Append s (attacker text, maybe) for a body line: invalid UTF-8 and
 * control characters become U+FFFD (a line break or tab a space),
 * invisible, bidi and private-use characters are shown as \u{XXXX}; at
 * most max characters, an ellipsis marking a cut.
 */
static void
put_text(struct td_buf *out, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t len = strlen((const char *)p), i = 0, n, chars = 0;
	unsigned cp;

	while (i < len) {
		if (chars >= max) {
			td_buf_adds(out, "\xe2\x80\xa6");
			return;
		}
		n = td_utf8_decode(&cp, p + i, len - i);
		chars++;
		if (!n) {
			td_buf_adds(out, "\xef\xbf\xbd");
			i++;
			continue;
		}
		i += n;
		if (cp == '\n' || cp == '\r' || cp == '\t') {
			/* a line break (CR LF too) is one space */
			if (!out->len || out->ptr[out->len - 1] != ' ')
				td_buf_addch(out, ' ');
			else
				chars--;
		} else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
			td_buf_adds(out, "\xef\xbf\xbd");
		else if (invisible(cp))
			td_buf_printf(out, "\\u{%04x}", cp);
		else
			td_buf_add(out, p + i - n, n);
	}
}

static void
utc(struct td_buf *out, long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || !gmtime_r(&tt, &tm)) {
		td_buf_adds(out, "(unknown time)");
		return;
	}
	td_buf_printf(out, "%04d-%02d-%02d %02d:%02d:%02d UTC",
		      tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		      tm.tm_min, tm.tm_sec);
}

/* "host Example Hosting <abuse@example.net>" */
static void
who(struct td_buf *out, const char *role, const char *name, const char *addr)
{
	size_t start = out->len;

	if (role && *role)
		put_text(out, role, 20);
	if (name && *name) {
		if (out->len > start)
			td_buf_addch(out, ' ');
		put_text(out, name, 100);
	}
	if (addr && *addr) {
		if (out->len > start)
			td_buf_addch(out, ' ');
		td_buf_addch(out, '<');
		put_text(out, addr, 254);
		td_buf_addch(out, '>');
	}
}

/* ---- the variables --------------------------------------------------- */

struct fvars {
	struct td_buf v[NR_FVARS];
};

static const struct td_draft_fetch *
newest(const struct td_followup_input *in)
{
	const struct td_draft_fetch *f = NULL;
	size_t i;

	for (i = 0; i < in->nr_fetches; i++)
		if (!f || in->fetches[i].fetched_at > f->fetched_at)
			f = &in->fetches[i];
	return f;
}

static void
trail_one(struct td_buf *o, size_t nr, const struct td_followup_msg *m)
{
	td_buf_printf(o, "%zu. ", nr);
	utc(o, m->date);
	td_buf_adds(o, m->received ? ", received from " : ", sent to ");
	if (m->received) {
		who(o, NULL, NULL, m->address);
		if ((m->role && *m->role) || (m->party && *m->party)) {
			td_buf_adds(o, " (");
			who(o, m->role, m->party, NULL);
			td_buf_addch(o, ')');
		}
	} else {
		who(o, m->role, m->party, m->address);
	}
	if (m->purpose) {
		td_buf_adds(o, m->received ? ": " : ", ");
		put_text(o, m->purpose, 40);
	}
	if (m->ticket && *m->ticket) {
		td_buf_adds(o, ", ticket ");
		put_text(o, m->ticket, 100);
	}
	td_buf_adds(o, "\n   Message-ID: ");
	if (m->message_id && *m->message_id) {
		td_buf_addch(o, '<');
		put_text(o, m->message_id, 250);
		td_buf_addch(o, '>');
	} else {
		td_buf_adds(o, "(none)");
	}
	if (m->subject && *m->subject) {
		td_buf_adds(o, "\n   Subject: ");
		put_text(o, m->subject, 200);
	}
	td_buf_addch(o, '\n');
}

static void
fvars_build(struct fvars *fv, const struct td_followup_input *in)
{
	struct td_buf *v = fv->v;
	const struct td_draft_fetch *f = newest(in);
	char sha[65];
	size_t i;

	for (i = 0; i < NR_FVARS; i++)
		td_buf_init(&v[i], 0);
	if (in->kind == TD_FOLLOWUP)
		td_buf_printf(&v[F_FOLLOWUP_NR], "%u",
			      in->followup_nr ? in->followup_nr : 1);
	if (in->first_sent > 0)
		utc(&v[F_FIRST_REPORTED], in->first_sent);
	put_text(&v[F_STATUS], in->status, 300);
	put_text(&v[F_TICKET], in->ticket, 100);
	if (f) {
		utc(&v[F_LAST_CHECK], f->fetched_at);
		td_buf_adds(&v[F_STILL_UP], "At the last check, ");
		td_buf_add(&v[F_STILL_UP], v[F_LAST_CHECK].ptr,
			   v[F_LAST_CHECK].len);
		if (f->status >= 200 && f->status < 400) {
			td_buf_printf(&v[F_STILL_UP],
				      ", the page was still up (HTTP %d",
				      f->status);
			if (f->title && *f->title) {
				td_buf_adds(&v[F_STILL_UP], ", titled \"");
				put_text(&v[F_STILL_UP], f->title, 120);
				td_buf_addch(&v[F_STILL_UP], '"');
			}
			td_buf_adds(&v[F_STILL_UP], ").");
		} else if (f->status) {
			td_buf_printf(&v[F_STILL_UP],
				      ", the server answered HTTP %d; the "
				      "phishing kit may be hiding from some "
				      "visitors only.",
				      f->status);
		} else {
			td_buf_adds(&v[F_STILL_UP],
				    ", the page did not answer; it may be "
				    "hiding from some visitors only.");
		}
	}
	for (i = 0; i < in->nr_trail && i < MAX_TRAIL; i++)
		trail_one(&v[F_AUDIT_TRAIL], i + 1, &in->trail[i]);
	if (in->nr_trail > MAX_TRAIL)
		td_buf_printf(&v[F_AUDIT_TRAIL], "(and %zu more)\n",
			      in->nr_trail - MAX_TRAIL);
	if (!in->nr_trail)
		td_buf_adds(&v[F_AUDIT_TRAIL], "(none recorded)\n");
	for (i = 0; i < in->nr_silent; i++) {
		const struct td_followup_silent *s = &in->silent[i];
		struct td_buf *o = &v[F_NOT_ACTING];

		td_buf_adds(o, "- ");
		who(o, s->role, s->name, s->email);
		td_buf_adds(o, ": reported ");
		utc(o, s->first_sent);
		if (s->followups) {
			td_buf_printf(o, ", %u follow-up%s", s->followups,
				      s->followups == 1 ? "" : "s");
			if (s->last_sent > s->first_sent) {
				td_buf_adds(o, " (the last ");
				utc(o, s->last_sent);
				td_buf_addch(o, ')');
			}
		}
		if (s->status && *s->status) {
			td_buf_adds(o, "; ");
			put_text(o, s->status, 200);
		}
		td_buf_addch(o, '\n');
	}
	if (in->report_sent > 0)
		utc(&v[F_REPORT_SENT], in->report_sent);
	put_text(&v[F_REPORT_TO], in->report_to, 400);
	td_sha256_hex(sha, in->report, in->report_len);
	td_buf_adds(&v[F_REPORT_SHA256], sha);
	put_text(&v[F_MAIL_SHA256], in->mail_sha256, 64);
	for (i = 0; i < NR_FVARS; i++)
		while (v[i].len && v[i].ptr[v[i].len - 1] == '\n')
			td_buf_truncate(&v[i], v[i].len - 1);
}

static void
fvars_release(struct fvars *fv)
{
	size_t i;

	for (i = 0; i < NR_FVARS; i++)
		td_buf_release(&fv->v[i]);
}

/* 16 random hex digits into out. */
static int
random_hex(char out[17])
{
	unsigned char r[8];
	size_t got = 0, i;

	while (got < sizeof(r)) {
		ssize_t n = getrandom(r + got, sizeof(r) - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	for (i = 0; i < sizeof(r); i++)
		snprintf(out + 2 * i, 3, "%02x", r[i]);
	return 0;
}

/* ---- templates ------------------------------------------------------- */

/* Render subject and body for in. */
static int
render(struct td_buf *subject, struct td_buf *body,
       const struct td_followup_input *in, const struct td_followup_opts *opts,
       struct td_error *err)
{
	const char *file =
	    in->kind == TD_ESCALATION ? "escalate.txt" : "followup.txt";
	struct td_buf tpl, name = TD_BUF_INIT;
	struct td_buf s = TD_BUF_INIT;
	struct td_draft_input din;
	struct fvars fv;
	const char *text;
	size_t len;
	int ret = 0;

	td_buf_init(&tpl, TEMPLATE_MAX);
	if (opts && opts->template_dir) {
		td_buf_printf(&name, "%s/%s", opts->template_dir, file);
		ret = td_draft_read_template(&tpl, name.ptr);
		if (ret == -ENOENT) {
			ret = 0;
			td_buf_reset(&tpl);
		} else if (ret) {
			ret = td_error_set(err, TD_EIO, "%s: %s", name.ptr,
					   ret == -EFBIG ? "larger than 256 KiB"
							 : strerror(-ret));
			goto out;
		}
	}
	if (tpl.len) {
		text = tpl.ptr;
		len = tpl.len;
	} else {
		td_buf_reset(&name);
		td_buf_printf(&name, "built-in %s", file);
		text = td_followup_builtin_template(in->kind, &len);
	}
	if (memchr(text, 0, len)) {
		ret = td_error_set(err, TD_EINVAL, "%s: NUL byte in template",
				   name.ptr);
		goto out;
	}
	fvars_build(&fv, in);
	memset(&din, 0, sizeof(din));
	din.from = in->from;
	din.to = in->to;
	din.case_tag = in->case_tag;
	din.kind = in->case_kind;
	din.urls = in->urls;
	din.nr_urls = in->nr_urls;
	din.found.how = in->found_how;
	din.found.email_date = -1;
	din.fetches = in->fetches;
	din.nr_fetches = in->nr_fetches;
	din.le_advice = in->le_advice;
	din.now = in->now;
	ret = td_draft_render_text_vars(&s, body, text, len, name.ptr, &din,
					td_followup_variables, fv.v, NR_FVARS,
					err);
	if (!ret) {
		td_mail_header_text(subject, s.ptr ? s.ptr : "", 200);
		if (td_buf_failed(body) || td_buf_failed(subject))
			ret = td_error_set(err, TD_ENOMEM, "out of memory");
	}
	fvars_release(&fv);
out:
	td_buf_release(&tpl);
	td_buf_release(&name);
	td_buf_release(&s);
	return ret;
}

/* ---- the message ----------------------------------------------------- */

static int
check_input(const struct td_followup_input *in, struct td_error *err)
{
	size_t i;

	if (!in->from || !in->from->email || !td_mail_addr_ok(in->from->email))
		return td_error_set(err, TD_EINVAL,
				    "the reporter identity needs a plain "
				    "e-mail address");
	if (!in->to.email || !td_mail_addr_ok(in->to.email))
		return td_error_set(err, TD_EINVAL,
				    "recipient address is not a plain "
				    "addr-spec (RFC 5322 3.4.1)");
	if (!in->nr_urls || !in->urls || !in->urls[0].url)
		return td_error_set(err, TD_EINVAL, "no URL");
	if (!in->report || !in->report_len)
		return td_error_set(err, TD_EINVAL,
				    "no earlier report to attach");
	if (in->kind == TD_FOLLOWUP && (!in->nr_thread || !in->thread_subject))
		return td_error_set(err, TD_EINVAL,
				    "a follow-up needs the thread it answers");
	for (i = 0; i < in->nr_thread; i++)
		if (!in->thread[i] || !td_mail_addr_ok(in->thread[i]))
			return td_error_set(err, TD_EINVAL,
					    "thread: not a usable Message-ID");
	if (in->now <= 0)
		return td_error_set(err, TD_EINVAL, "no time given");
	return 0;
}

static int
message_id(struct td_buf *out, const struct td_followup_input *in)
{
	char hex[17];
	const char *p, *dom = strrchr(in->from->email, '@') + 1;

	if (random_hex(hex) < 0)
		return TD_EIO;
	td_buf_adds(out, "td.");
	for (p = in->case_tag; p && *p && p - in->case_tag < 40; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-')
			td_buf_addch(out, *p);
	td_buf_printf(out, ".%s.%s@%s",
		      in->kind == TD_ESCALATION ? "esc" : "fu", hex, dom);
	return 0;
}

static int
individual(const char *org)
{
	return !org || !*org || !strcasecmp(org, "individual");
}

int
td_followup_compose(struct td_draft *out, const struct td_followup_input *in,
		    const struct td_followup_opts *opts, struct td_error *err)
{
	struct td_buf subject = TD_BUF_INIT, body = TD_BUF_INIT;
	struct td_buf subj = TD_BUF_INIT, rep = TD_BUF_INIT;
	struct td_buf mid = TD_BUF_INIT, msg = TD_BUF_INIT;
	struct td_mail_out_part parts[2];
	struct td_mail_out mo;
	const char *refs[MAX_REFS];
	size_t nr_refs = 0, i;
	int ret;

	memset(out, 0, sizeof(*out));
	if ((ret = check_input(in, err)))
		return ret;
	ret = render(&subject, &body, in, opts, err);
	if (ret)
		goto out;
	td_draft_redact(&body, in->redact, in->nr_redact);
	td_buf_add(&rep, in->report, in->report_len);
	td_draft_redact(&rep, in->redact, in->nr_redact);
	if (in->nr_thread && in->thread_subject) {
		/* a reply: "Re: " once, then the first message's subject
		   (RFC 5322 3.6.5) */
		const char *t = in->thread_subject;

		while (*t == ' ' || *t == '\t')
			t++;
		if (strncasecmp(t, "Re:", 3))
			td_buf_adds(&subj, "Re: ");
		td_buf_adds(&subj, t);
	} else {
		td_buf_add(&subj, subject.ptr, subject.len);
	}
	td_draft_redact(&subj, in->redact, in->nr_redact);
	/* References: the first and the last MAX_REFS - 1 (RFC 5322 3.6.4) */
	for (i = 0; i < in->nr_thread; i++)
		if (i == 0 || in->nr_thread - i < MAX_REFS)
			refs[nr_refs++] = in->thread[i];
	if (message_id(&mid, in) < 0) {
		ret = td_error_set(err, TD_EIO, "no random bytes");
		goto out;
	}
	if (td_buf_failed(&rep) || td_buf_failed(&subj) ||
	    td_buf_failed(&mid) || td_buf_failed(&body)) {
		ret = td_error_set(err, TD_ENOMEM, "out of memory");
		goto out;
	}
	parts[0].kind = TD_MAIL_OUT_TEXT;
	parts[0].filename = NULL;
	parts[0].data = body.ptr;
	parts[0].len = body.len;
	parts[1].kind = TD_MAIL_OUT_MESSAGE;
	parts[1].filename = "report.eml";
	parts[1].data = rep.ptr;
	parts[1].len = rep.len;
	memset(&mo, 0, sizeof(mo));
	mo.from_name = in->from->name && *in->from->name ? in->from->name
		       : individual(in->from->org)	 ? NULL
							 : in->from->org;
	mo.from_addr = in->from->email;
	mo.to_name = in->to.name;
	mo.to_addr = in->to.email;
	mo.subject = subj.ptr;
	mo.date = in->now;
	mo.message_id = mid.ptr;
	mo.in_reply_to = nr_refs ? refs[nr_refs - 1] : NULL;
	mo.references = nr_refs ? refs : NULL;
	mo.nr_references = nr_refs;
	mo.parts = parts;
	mo.nr_parts = 2;
	mo.crlf = opts && opts->crlf;
	ret = td_mail_write(&msg, &mo, err);
	if (ret)
		goto out;
	out->len = msg.len;
	out->message = td_buf_detach(&msg, NULL);
	{
		struct td_buf s2 = TD_BUF_INIT;

		td_mail_header_text(&s2, subj.ptr, 200);
		out->subject = td_buf_detach(&s2, NULL);
		td_buf_printf(&s2, "<%s>", mid.ptr);
		out->message_id = td_buf_detach(&s2, NULL);
	}
	if (!out->message || !out->subject || !out->message_id) {
		td_draft_release(out);
		ret = td_error_set(err, TD_ENOMEM, "out of memory");
	}
out:
	td_buf_release(&subject);
	td_buf_release(&body);
	td_buf_release(&subj);
	td_buf_release(&rep);
	td_buf_release(&mid);
	td_buf_release(&msg);
	return ret;
}

/* ---- law enforcement ------------------------------------------------- */

static void
channel(struct td_buf *out, const char *what, const struct td_le_channel *c)
{
	if (!c->name)
		return;
	td_buf_printf(out, "%s: %s", what, c->name);
	if (c->url)
		td_buf_printf(out, ", %s", c->url);
	if (c->email)
		td_buf_printf(out, ", %s", c->email);
	td_buf_addch(out, '\n');
}

void
td_followup_le_advice(struct td_buf *out, const char *country)
{
	const struct td_le *le = country ? td_le_lookup(country) : NULL;
	const struct td_le *zz = td_le_fallback();
	size_t i;

	if (le) {
		td_buf_printf(out, "Law enforcement in %s:\n", le->name);
		channel(out, "- police", &le->police);
		channel(out, "- CERT", &le->cert);
		channel(out, "- phishing reports", &le->phish);
	} else {
		td_buf_adds(out, "Contact the national cybercrime reporting "
				 "channel of the country where the site is "
				 "hosted.\n");
	}
	if (zz && (zz->nr_asks || (le && le->nr_asks))) {
		td_buf_adds(out, "Please consider reporting this to law "
				 "enforcement as well. They will ask for:\n");
		for (i = 0; i < zz->nr_asks; i++)
			td_buf_printf(out, "- %s\n", zz->asks[i]);
		for (i = 0; le && i < le->nr_asks; i++)
			td_buf_printf(out, "- %s\n", le->asks[i]);
	}
}
