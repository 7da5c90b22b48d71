#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "draft.h"
#include "err.h"
#include "followup.h"
#include "hash.h"
#include "lint.h"
#include "mail.h"

#define T0 1790000000LL /* 2026-09-21 14:13:20 UTC */
#define TAG "TD-2026-000042"
#define URL "http://paypal-secure-login.example/ahouf/login.php?id=1"
#define ID1 "td.TD-2026-000042.aa01@example.org"
#define ID2 "td.TD-2026-000042.fu.bb02@example.org"
#define SUBJ                                                                   \
	"[TD-2026-000042] Phishing at paypal-secure-login.example on "         \
	"your network: please act"

static const char report[] =
    "From: Example CERT abuse team <abuse-team@example.org>\n"
    "To: abuse@evil-host.example\n"
    "Subject: " SUBJ "\n"
    "Date: Mon, 21 Sep 2026 14:13:20 +0000\n"
    "Message-ID: <" ID1 ">\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "\n"
    "The report. It was found by Jane Doe.\n";

/* What a walk of the composed message saw. */
struct seen {
	struct td_buf outer; /* "Name: decoded-or-raw\n" of the outer header */
	struct td_buf text;  /* the first text/plain part */
	struct td_buf types; /* every part's type, one a line */
	struct td_buf inner; /* the attached message's header */
	int depth, text_done;
};

static int
on_msg(const struct td_mail_msg *m, void *payload)
{
	struct seen *s = payload;
	size_t i;

	for (i = 0; i < m->nr_hdrs; i++)
		td_buf_printf(m->depth ? &s->inner : &s->outer, "%s: %s\n",
			      m->hdrs[i].name,
			      m->hdrs[i].decoded ? m->hdrs[i].decoded
						 : m->hdrs[i].value);
	s->depth = (int)m->depth;
	return 0;
}

static int
on_part(const struct td_mail_part *p, void *payload)
{
	struct seen *s = payload;

	td_buf_printf(&s->types, "%s\n", p->content_type);
	if (!s->text_done && !strcmp(p->content_type, "text/plain") &&
	    p->text) {
		td_buf_add(&s->text, p->text, p->text_len);
		s->text_done = 1;
	}
	return 0;
}

static void
walk(struct seen *s, const struct td_draft *d)
{
	struct td_mail_cb cb = {on_msg, on_part, NULL, NULL};
	struct td_error err = {0, ""};

	memset(s, 0, sizeof(*s));
	td_buf_init(&s->outer, 0);
	td_buf_init(&s->text, 0);
	td_buf_init(&s->types, 0);
	td_buf_init(&s->inner, 0);
	assert_int_equal(td_mail_walk(d->message, d->len, NULL, &cb, s, &err),
			 0);
}

static void
seen_release(struct seen *s)
{
	td_buf_release(&s->outer);
	td_buf_release(&s->text);
	td_buf_release(&s->types);
	td_buf_release(&s->inner);
}

/* The number of outer header fields called name. */
static int
count_field(const struct seen *s, const char *name)
{
	const char *p = s->outer.ptr;
	size_t n = strlen(name);
	int k = 0;

	while (*p) {
		if (!strncasecmp(p, name, n) && p[n] == ':')
			k++;
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	return k;
}

/* The value of the outer field name, in a static buffer. */
static const char *
field(const struct seen *s, const char *name)
{
	static char v[2048];
	const char *p = s->outer.ptr;
	size_t n = strlen(name);

	while (*p) {
		if (!strncasecmp(p, name, n) && p[n] == ':') {
			size_t len = strcspn(p + n + 2, "\n");

			size_t i, k = 0;

			/* unfolded: runs of blanks read as one space */
			for (i = 0; i < len && k + 1 < sizeof(v); i++) {
				char ch =
				    p[n + 2 + i] == '\t' ? ' ' : p[n + 2 + i];

				if (ch == ' ' && k && v[k - 1] == ' ')
					continue;
				v[k++] = ch;
			}
			v[k] = '\0';
			return v;
		}
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	return NULL;
}

static const struct td_draft_identity public_id = {
    NULL, "Example CERT abuse team", "abuse-team@example.org", NULL, NULL};
static const struct td_draft_url urls[] = {{URL, NULL}};
static const char *const thread[] = {ID1, ID2};
static char *personal[] = {"Jane Doe", "jane.doe@example.org"};

static struct td_draft_fetch fetch;
static struct td_followup_msg trail[3];

static void
input(struct td_followup_input *in)
{
	memset(&fetch, 0, sizeof(fetch));
	fetch.url = URL;
	fetch.status = 200;
	fetch.title = "PayPal: log in";
	fetch.sha256 =
	    "939bc583c8132f33f77c9f8b702bce40aa216da6123bc7beeb4236a260a51993";
	fetch.size = 2158;
	fetch.fetched_at = T0 - 60;
	fetch.client = "desktop";
	fetch.tls_not_before = fetch.tls_not_after = -1;

	memset(trail, 0, sizeof(trail));
	trail[0].message_id = ID1;
	trail[0].date = T0;
	trail[0].role = "host";
	trail[0].party = "Evil Hosting";
	trail[0].address = "abuse@evil-host.example";
	trail[0].purpose = "report";
	trail[0].subject = SUBJ;
	trail[1].received = 1;
	trail[1].message_id = "ticket-777@evil-host.example";
	trail[1].date = T0 + 120;
	trail[1].role = "host";
	trail[1].address = "noreply@evil-host.example";
	trail[1].purpose = "an auto-response";
	trail[1].ticket = "777";
	trail[2].message_id = ID2;
	trail[2].date = T0 + 2 * 86400;
	trail[2].role = "host";
	trail[2].party = "Evil Hosting";
	trail[2].address = "abuse@evil-host.example";
	trail[2].purpose = "followup-1";
	trail[2].subject = "Re: " SUBJ;

	memset(in, 0, sizeof(*in));
	in->kind = TD_FOLLOWUP;
	in->from = &public_id;
	in->to.role = TD_DRAFT_HOST;
	in->to.name = "Evil Hosting";
	in->to.email = "abuse@evil-host.example";
	in->case_tag = TAG;
	in->case_kind = TD_DRAFT_MALICIOUS;
	in->urls = urls;
	in->nr_urls = 1;
	in->found_how = "received in a phishing e-mail";
	in->fetches = &fetch;
	in->nr_fetches = 1;
	in->le_advice = "Please consider reporting this to law enforcement.";
	in->thread_subject = SUBJ;
	in->thread = thread;
	in->nr_thread = 2;
	in->followup_nr = 2;
	in->first_sent = T0;
	in->status = "only an automatic acknowledgement";
	in->ticket = "777";
	in->trail = trail;
	in->nr_trail = 3;
	in->report = report;
	in->report_len = strlen(report);
	in->report_sent = T0;
	in->report_to = "host Evil Hosting <abuse@evil-host.example>";
	in->redact = personal;
	in->nr_redact = 2;
	in->now = T0 + 4 * 86400;
}

static void
compose_ok(struct td_draft *d, const struct td_followup_input *in,
	   const struct td_followup_opts *o)
{
	struct td_error err = {0, ""};
	int rc = td_followup_compose(d, in, o, &err);

	if (rc)
		fail_msg("compose: %s", err.msg);
}

static void
lint_clean(const struct td_draft *d)
{
	struct td_lint l;
	struct td_lint_opts lo;
	struct td_error err = {0, ""};
	char *u[] = {URL};
	size_t i;

	memset(&lo, 0, sizeof(lo));
	lo.malicious = 1;
	lo.personal = personal;
	lo.nr_personal = 2;
	lo.urls = u;
	lo.nr_urls = 1;
	lo.attachment = TD_LINT_ATTACH_REQUIRED;
	assert_int_equal(td_lint_check(&l, d->message, d->len, &lo, &err), 0);
	for (i = 0; i < l.nr; i++)
		print_error("lint: %s: %s\n", l.issues[i].rule,
			    l.issues[i].reason);
	assert_int_equal(l.nr, 0);
	td_lint_release(&l);
}

static void
followup_is_a_reply_in_the_thread(void **state)
{
	struct td_followup_input in;
	struct td_draft d;
	struct seen s;

	(void)state;
	input(&in);
	compose_ok(&d, &in, NULL);
	walk(&s, &d);
	assert_int_equal(count_field(&s, "From"), 1);
	assert_int_equal(count_field(&s, "To"), 1);
	assert_int_equal(count_field(&s, "Subject"), 1);
	assert_int_equal(count_field(&s, "Date"), 1);
	assert_int_equal(count_field(&s, "Message-ID"), 1);
	assert_int_equal(count_field(&s, "In-Reply-To"), 1);
	assert_int_equal(count_field(&s, "References"), 1);
	assert_int_equal(count_field(&s, "Auto-Submitted"), 0);
	assert_string_equal(field(&s, "Subject"), "Re: " SUBJ);
	assert_string_equal(d.subject, "Re: " SUBJ);
	/* the last of our messages is the parent; References all, oldest
	   first (RFC 5322 3.6.4) */
	assert_string_equal(field(&s, "In-Reply-To"), "<" ID2 ">");
	assert_string_equal(field(&s, "References"), "<" ID1 "> <" ID2 ">");
	assert_non_null(strstr(field(&s, "Message-ID"), "@example.org>"));
	assert_non_null(strstr(d.message_id, "@example.org>"));
	assert_string_not_equal(d.message_id, "<" ID1 ">");
	assert_non_null(strstr(field(&s, "From"), "abuse-team@example.org"));
	/* the report, attached as a message */
	assert_non_null(strstr(d.message, "Content-Type: message/rfc822"));
	assert_string_equal(s.types.ptr, "text/plain\ntext/plain\n");
	assert_non_null(strstr(s.inner.ptr, "Message-ID: <" ID1 ">"));
	assert_null(d.report_id);
	lint_clean(&d);
	seen_release(&s);
	td_draft_release(&d);
}

static void
followup_restates_the_facts_and_the_audit_trail(void **state)
{
	struct td_followup_input in;
	struct td_draft d;
	struct seen s;
	char sha[65];

	(void)state;
	input(&in);
	compose_ok(&d, &in, NULL);
	walk(&s, &d);
	/* the facts */
	assert_non_null(strstr(s.text.ptr, URL));
	assert_non_null(strstr(s.text.ptr, fetch.sha256));
	assert_non_null(strstr(s.text.ptr, "follow-up (number 2)"));
	assert_non_null(strstr(s.text.ptr, "only an automatic"));
	assert_non_null(strstr(s.text.ptr, "your ticket 777"));
	assert_non_null(strstr(s.text.ptr,
			       "At the last check, 2026-09-21 14:12:20 UTC, "
			       "the page was still up (HTTP 200"));
	/* every earlier message: id, date, recipient; the answer too */
	assert_non_null(strstr(s.text.ptr,
			       "1. 2026-09-21 14:13:20 UTC, sent to host Evil "
			       "Hosting <abuse@evil-host.example>, report\n"
			       "   Message-ID: <" ID1 ">"));
	assert_non_null(strstr(
	    s.text.ptr, "2. 2026-09-21 14:15:20 UTC, received from "
			"<noreply@evil-host.example> (host): an "
			"auto-response, ticket 777\n"
			"   Message-ID: <ticket-777@evil-host.example>"));
	assert_non_null(strstr(s.text.ptr,
			       "3. 2026-09-23 14:13:20 UTC, sent to host Evil "
			       "Hosting <abuse@evil-host.example>, followup-1\n"
			       "   Message-ID: <" ID2 ">"));
	/* the attachment named with its hash */
	td_sha256_hex(sha, report, strlen(report));
	assert_non_null(strstr(s.text.ptr, "report.eml: the report as sent "
					   "on 2026-09-21 14:13:20 UTC"));
	/* the hash of the attachment as written (redacted: see below) */
	assert_non_null(strstr(s.text.ptr, "(SHA-256 "));
	seen_release(&s);
	td_draft_release(&d);
}

static void
followup_malicious_identity_is_never_personal(void **state)
{
	struct td_followup_input in;
	struct td_draft d;
	struct td_followup_msg t[1];

	(void)state;
	input(&in);
	/* the personal name hides in a subject and in the report */
	t[0] = trail[0];
	t[0].subject = "Jane Doe forwarded this";
	in.trail = t;
	in.nr_trail = 1;
	compose_ok(&d, &in, NULL);
	assert_null(strcasestr(d.message, "Jane Doe"));
	assert_null(strcasestr(d.message, "jane.doe@example.org"));
	assert_non_null(strstr(d.message, "Example CERT abuse team"));
	lint_clean(&d);
	td_draft_release(&d);
}

static void
followup_hostile_text_stays_in_its_header(void **state)
{
	struct td_followup_input in;
	struct td_draft d;
	struct seen s;
	const char *p, *hdr_end;

	(void)state;
	input(&in);
	in.thread_subject = "[" TAG "] x\r\nBcc: victim@example.com\r\n"
			    "=?utf-8?q?=0D=0ATo:_x@evil.example?=\n\tcc: y";
	in.to.name = "Evil\r\nBcc: other@example.com\nHosting";
	in.ticket = "12\r\nX-Injected: 1";
	compose_ok(&d, &in, NULL);
	walk(&s, &d);
	assert_int_equal(count_field(&s, "Bcc"), 0);
	assert_int_equal(count_field(&s, "Cc"), 0);
	assert_int_equal(count_field(&s, "X-Injected"), 0);
	assert_int_equal(count_field(&s, "To"), 1);
	assert_int_equal(count_field(&s, "Subject"), 1);
	/* the encoded-word look-alike reads back as itself */
	assert_non_null(strstr(field(&s, "Subject"), "=?utf-8?q?=0D=0ATo:"));
	assert_non_null(strstr(field(&s, "Subject"), "Re: [" TAG "] x Bcc:"));
	/* no raw header line starts with an injected name */
	hdr_end = strstr(d.message, "\n\n");
	assert_non_null(hdr_end);
	for (p = d.message; p && p < hdr_end; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		assert_true(strncasecmp(p, "Bcc:", 4) != 0);
		assert_true(strncasecmp(p, "X-Injected:", 11) != 0);
		assert_true(strncasecmp(p, "cc:", 3) != 0);
	}
	/* the ticket in the body is one line */
	assert_non_null(strstr(s.text.ptr, "your ticket 12 X-Injected: 1."));
	lint_clean(&d);
	seen_release(&s);
	td_draft_release(&d);
}

static void
escalation_says_who_did_not_act(void **state)
{
	struct td_followup_input in;
	struct td_draft d;
	struct seen s;
	struct td_followup_silent sil[2];

	(void)state;
	input(&in);
	memset(sil, 0, sizeof(sil));
	sil[0].role = "host";
	sil[0].name = "Evil Hosting";
	sil[0].email = "abuse@evil-host.example";
	sil[0].first_sent = T0;
	sil[0].followups = 1;
	sil[0].last_sent = T0 + 2 * 86400;
	sil[0].status = "only an automatic acknowledgement";
	sil[1].role = "cdn";
	sil[1].name = "Fast CDN";
	sil[1].email = "abuse@cdn.example";
	sil[1].first_sent = T0;
	sil[1].status = "no answer";
	in.kind = TD_ESCALATION;
	in.to.role = TD_DRAFT_REGISTRAR;
	in.to.name = "Example Registrar";
	in.to.email = "abuse@registrar.example";
	in.thread = NULL;
	in.nr_thread = 0;
	in.thread_subject = NULL;
	in.first_sent = 0;
	in.silent = sil;
	in.nr_silent = 2;
	compose_ok(&d, &in, NULL);
	walk(&s, &d);
	/* a new thread: the template's subject, no In-Reply-To */
	assert_int_equal(count_field(&s, "In-Reply-To"), 0);
	assert_int_equal(count_field(&s, "References"), 0);
	assert_non_null(strstr(field(&s, "Subject"), "[" TAG "]"));
	assert_non_null(strstr(field(&s, "Subject"), "escalated to you"));
	assert_non_null(strstr(d.message_id, ".esc."));
	assert_non_null(strstr(s.text.ptr,
			       "- host Evil Hosting <abuse@evil-host.example>: "
			       "reported 2026-09-21 14:13:20 UTC, 1 follow-up "
			       "(the last 2026-09-23 14:13:20 UTC); only an "
			       "automatic acknowledgement"));
	assert_non_null(strstr(s.text.ptr,
			       "- cdn Fast CDN <abuse@cdn.example>: reported "
			       "2026-09-21 14:13:20 UTC; no answer"));
	/* never told before: no "as well" line */
	assert_null(strstr(s.text.ptr, "as well"));
	assert_non_null(strstr(s.text.ptr, "Message-ID: <" ID1 ">"));
	assert_non_null(strstr(s.text.ptr,
			       "the report sent to host Evil "
			       "Hosting <abuse@evil-host.example>"));
	assert_non_null(strstr(d.message, "Content-Type: message/rfc822"));
	assert_non_null(strstr(s.inner.ptr, "Message-ID: <" ID1 ">"));
	lint_clean(&d);
	seen_release(&s);
	td_draft_release(&d);

	/* told before: a reply in its own thread */
	in.thread = thread;
	in.nr_thread = 1;
	in.thread_subject = SUBJ;
	in.first_sent = T0;
	compose_ok(&d, &in, NULL);
	walk(&s, &d);
	assert_string_equal(field(&s, "In-Reply-To"), "<" ID1 ">");
	assert_string_equal(field(&s, "Subject"), "Re: " SUBJ);
	assert_non_null(strstr(s.text.ptr, "You were sent our report on "
					   "2026-09-21 14:13:20 UTC as well."));
	seen_release(&s);
	td_draft_release(&d);
}

static void
followup_refuses_what_it_cannot_send(void **state)
{
	struct td_followup_input in;
	struct td_draft d;
	struct td_error err = {0, ""};

	(void)state;
	input(&in);
	in.nr_thread = 0;
	assert_int_equal(td_followup_compose(&d, &in, NULL, &err), TD_EINVAL);
	assert_non_null(strstr(err.msg, "thread"));
	input(&in);
	in.to.email = "abuse@evil-host.example>\r\nBcc: x@y.example";
	assert_int_equal(td_followup_compose(&d, &in, NULL, &err), TD_EINVAL);
	input(&in);
	in.report = NULL;
	assert_int_equal(td_followup_compose(&d, &in, NULL, &err), TD_EINVAL);
	input(&in);
	in.thread = (const char *const[]){"not an id"};
	in.nr_thread = 1;
	assert_int_equal(td_followup_compose(&d, &in, NULL, &err), TD_EINVAL);
	/* the owner of a criminal's site is never written to */
	input(&in);
	in.to.role = TD_DRAFT_OWNER;
	assert_int_equal(td_followup_compose(&d, &in, NULL, &err), TD_EINVAL);
	assert_non_null(strstr(err.msg, "owner"));
	assert_null(d.message);
}

static void
followup_references_are_bounded(void **state)
{
	struct td_followup_input in;
	struct td_draft d;
	struct seen s;
	char ids[40][64];
	const char *v[40];
	size_t i, n = 0;
	const char *p;

	(void)state;
	input(&in);
	for (i = 0; i < 40; i++) {
		snprintf(ids[i], sizeof(ids[i]), "td.x.%02zu@example.org", i);
		v[i] = ids[i];
	}
	in.thread = v;
	in.nr_thread = 40;
	compose_ok(&d, &in, NULL);
	walk(&s, &d);
	for (p = field(&s, "References"); (p = strchr(p, '<')); p++)
		n++;
	assert_int_equal(n, 32);
	assert_non_null(strstr(field(&s, "References"), "<td.x.00@"));
	assert_null(strstr(field(&s, "References"), "<td.x.08@"));
	assert_non_null(strstr(field(&s, "References"), "<td.x.09@"));
	assert_string_equal(field(&s, "In-Reply-To"), "<td.x.39@example.org>");
	seen_release(&s);
	td_draft_release(&d);
}

static void
followup_user_templates(void **state)
{
	char dir[] = "/tmp/td-followup.XXXXXX", path[80];
	struct td_followup_input in;
	struct td_followup_opts o = {NULL, 0};
	struct td_draft d;
	struct td_error err = {0, ""};
	struct seen s;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/followup.txt", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{{! mine }}\n"
	      "Hi {{recipient_name}}, {{reporter_intro}} {{reporter_email}}\n"
	      "{{#if ticket}}T={{ticket}}{{else}}no ticket{{/if}}\n"
	      "{{#unless ticket}}UNLESS-SHOWN{{/unless}}\n"
	      "{{#if compromised}}COMP{{/if}}{{#if malicious}}MAL{{/if}}\n"
	      "Received: {{url}} {{sha256}} {{lbrace}}x}} police\n"
	      "Trail:\n"
	      "    {{audit_trail}}\n",
	      f);
	fclose(f);
	o.template_dir = dir;
	input(&in);
	compose_ok(&d, &in, &o);
	walk(&s, &d);
	assert_non_null(strstr(s.text.ptr, "T=777\n"));
	assert_null(strstr(s.text.ptr, "UNLESS-SHOWN"));
	assert_non_null(strstr(s.text.ptr, "\nMAL\n"));
	assert_non_null(strstr(s.text.ptr, "{{x}}"));
	/* a multi-line value keeps the indentation of its line */
	assert_non_null(strstr(s.text.ptr, "    1. 2026-09-21 14:13:20 UTC"));
	assert_non_null(strstr(s.text.ptr, "\n       Message-ID: <" ID1 ">"));
	/* the subject is still the thread's */
	assert_string_equal(field(&s, "Subject"), "Re: " SUBJ);
	seen_release(&s);
	td_draft_release(&d);
	in.ticket = NULL;
	compose_ok(&d, &in, &o);
	walk(&s, &d);
	assert_non_null(strstr(s.text.ptr, "no ticket\nUNLESS-SHOWN\n"));
	seen_release(&s);
	td_draft_release(&d);
	/* a compromised case: the conditions hold the other way round */
	in.case_kind = TD_DRAFT_COMPROMISED;
	in.ticket = "9";
	compose_ok(&d, &in, &o);
	walk(&s, &d);
	assert_non_null(strstr(s.text.ptr, "T=9\n\nCOMP\n"));
	seen_release(&s);
	td_draft_release(&d);
	in.ticket = NULL;
	compose_ok(&d, &in, &o);
	walk(&s, &d);
	assert_non_null(strstr(s.text.ptr, "no ticket\nUNLESS-SHOWN\nCOMP\n"));
	seen_release(&s);
	td_draft_release(&d);
	/* an unknown variable: the file and its line */
	f = fopen(path, "w");
	fputs("{{! mine }}\nHello\n\n{{nonsense}}\n", f);
	fclose(f);
	assert_int_equal(td_followup_compose(&d, &in, &o, &err), TD_EINVAL);
	assert_non_null(strstr(err.msg, "followup.txt:4: unknown variable"));
	/* the escalation template is still the built-in one */
	in.kind = TD_ESCALATION;
	compose_ok(&d, &in, &o);
	td_draft_release(&d);
	unlink(path);
	rmdir(dir);
}

static void
followup_builtin_templates_name_their_variables(void **state)
{
	size_t len, i;
	const char *t;
	int k;

	(void)state;
	for (k = 0; k < 2; k++) {
		t = td_followup_builtin_template((enum td_followup_kind)k,
						 &len);
		assert_non_null(t);
		assert_true(len > 200);
		assert_int_equal(strlen(t), len);
		assert_non_null(strstr(t, "{{audit_trail}}"));
		assert_non_null(strstr(t, "{{le_advice}}"));
	}
	for (i = 0; td_followup_variables[i]; i++)
		assert_null(strchr(td_followup_variables[i], ' '));
	assert_int_equal(i, 12);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(followup_is_a_reply_in_the_thread),
	    cmocka_unit_test(followup_restates_the_facts_and_the_audit_trail),
	    cmocka_unit_test(followup_malicious_identity_is_never_personal),
	    cmocka_unit_test(followup_hostile_text_stays_in_its_header),
	    cmocka_unit_test(escalation_says_who_did_not_act),
	    cmocka_unit_test(followup_refuses_what_it_cannot_send),
	    cmocka_unit_test(followup_references_are_bounded),
	    cmocka_unit_test(followup_user_templates),
	    cmocka_unit_test(followup_builtin_templates_name_their_variables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
