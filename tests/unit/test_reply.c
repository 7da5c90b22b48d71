/*
 * reply.c: every fixture of tests/fixtures/replies (real auto-responses
 * and bounces, reconstructed ticket acknowledgements, written replies,
 * hostile ones) classified with its reason, ticket and delivery status;
 * then the rules one by one on small crafted messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "reply.h"

#include "corpus.h"

static char *
fixture(const char *name, size_t *len)
{
	const char *top = getenv("TD_TOP");
	struct td_buf path = TD_BUF_INIT;
	char *data;

	td_buf_printf(&path, "%s/tests/fixtures/replies/%s", top ? top : ".",
		      name);
	data = slurp(path.ptr, len);
	if (!data)
		fail_msg("cannot read %s", path.ptr);
	td_buf_release(&path);
	return data;
}

static void
parse_fixture(struct td_reply *r, const char *name)
{
	struct td_error err = {0, ""};
	size_t len;
	char *d = fixture(name, &len);

	assert_int_equal(td_reply_parse(r, d, len, NULL, &err), 0);
	free(d);
}

static void
parse_text(struct td_reply *r, const char *text)
{
	struct td_error err = {0, ""};

	assert_int_equal(td_reply_parse(r, text, strlen(text), NULL, &err), 0);
}

#define assert_str_or_null(a, b)                                               \
	do {                                                                   \
		if ((b) == NULL)                                               \
			assert_null(a);                                        \
		else                                                           \
			assert_string_equal((a), (b));                         \
	} while (0)

/* ---- the fixtures ---- */

static const struct expect {
	const char *file;
	enum td_reply_class cls;
	const char *reason; /* a substring of the reason */
	const char *ticket;
	const char *final_recipient, *action, *status, *original;
	int rfc3464, needs_info;
} expects[] = {
    {"dsn-postfix.eml", TD_REPLY_BOUNCE,
     "multipart/report; report-type=delivery-status", NULL,
     "kijitora@example.co.jp", "failed", "5.1.1",
     "A8F82EDD-E518-4F5C-8C70-BC4EFF24AB9F@example.ne.jp", 1, 0},
    {"dsn-amazonses.eml", TD_REPLY_BOUNCE,
     "multipart/report; report-type=delivery-status", NULL, "xxxx@xxxx.com",
     "failed", "5.1.1", "xxxxx@email.amazonses.com", 1, 0},
    {"dsn-postfix-proofpoint.eml", TD_REPLY_BOUNCE,
     "multipart/report; report-type=delivery-status", NULL,
     "netec.test@netecgc.com", "failed", "5.1.1",
     "44565655.JitbitHelpdesk.13439.691a0afc-a0a0-457c-8208-f20b7c4a4cb1@"
     "jitbit.com",
     1, 0},
    {"bounce-qmail.eml", TD_REPLY_BOUNCE,
     "sender is a mailer daemon and failure text", NULL, "kijitora@example.jp",
     "failed", "4.2.2", "57D03121-12F7-4801-B30F-9E44B15E56DC@example.co.jp", 0,
     0},
    {"bounce-exim.eml", TD_REPLY_BOUNCE,
     "sender is a mailer daemon and failure text", NULL, "kijitora@example.jp",
     "failed", "5.7.0", "hogeuoiuadogalhg.dg9i09@example.jp", 0, 0},
    {"bounce-gmail-plain.eml", TD_REPLY_BOUNCE, "null sender (Return-Path <>)",
     NULL, "aougoueioaldljgoiuiorghladkgke@example.fr", "failed", "5.1.1",
     "45B7FBD7-1218-4FCD-ACA1-4706F111E682@gmail.com", 0, 0},
    {"auto-aol-autosubmitted.eml", TD_REPLY_AUTO,
     "Auto-Submitted: auto-replied", NULL, NULL, NULL, NULL, NULL, 0, 0},
    {"auto-ooo-exchange.eml", TD_REPLY_AUTO, "subject says \"out of office\"",
     NULL, NULL, NULL, NULL, NULL, 0, 0},
    {"auto-lotus-ooo.eml", TD_REPLY_AUTO, "subject says \"out of the office\"",
     NULL, NULL, NULL, NULL, NULL, 0, 0},
    {"auto-covad-abuse.eml", TD_REPLY_AUTO, "subject says \"automated reply\"",
     NULL, NULL, NULL, NULL, NULL, 0, 0},
    {"ticket-ack-otrs.eml", TD_REPLY_AUTO, "Auto-Submitted: auto-replied",
     "Ticket#2026112710000123", NULL, NULL, NULL, NULL, 0, 0},
    {"ticket-ack-rt.eml", TD_REPLY_AUTO, "Precedence: bulk",
     "rt.registrar.example #48213", NULL, NULL, NULL, NULL, 0, 0},
    {"ticket-followup-otrs.eml", TD_REPLY_HUMAN, "no auto-response",
     "Ticket#2026112710000123", NULL, NULL, NULL, NULL, 0, 0},
    {"human-ack.eml", TD_REPLY_HUMAN, "no auto-response", NULL, NULL, NULL,
     NULL, NULL, 0, 0},
    {"human-needs-info.eml", TD_REPLY_HUMAN, "asks for more information", NULL,
     NULL, NULL, NULL, NULL, 0, 1},
    {"hostile-subject-crlf-esc.eml", TD_REPLY_HUMAN, "no auto-response", NULL,
     NULL, NULL, NULL, NULL, 0, 0},
    {"hostile-long-headers.eml", TD_REPLY_HUMAN, "no auto-response", NULL, NULL,
     NULL, NULL, NULL, 0, 0},
    /* the delivery-status part lies deeper than the MIME depth limit */
    {"hostile-deep-nesting.eml", TD_REPLY_BOUNCE,
     "without its delivery-status part", NULL, NULL, "failed", NULL, NULL, 0,
     0},
};

static void
reply_fixtures_classified(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(expects) / sizeof(expects[0]); i++) {
		const struct expect *e = &expects[i];
		struct td_reply r;

		print_message("# %s\n", e->file);
		parse_fixture(&r, e->file);
		assert_int_equal(r.cls, e->cls);
		assert_non_null(r.reason);
		if (!strstr(r.reason, e->reason))
			fail_msg("%s: reason \"%s\" lacks \"%s\"", e->file,
				 r.reason, e->reason);
		assert_str_or_null(r.ticket, e->ticket);
		assert_int_equal(r.needs_info, e->needs_info);
		if (e->cls == TD_REPLY_BOUNCE) {
			assert_int_equal(r.rfc3464, e->rfc3464);
			assert_str_or_null(r.final_recipient,
					   e->final_recipient);
			assert_str_or_null(r.action, e->action);
			assert_str_or_null(r.status, e->status);
			assert_str_or_null(r.original_message_id, e->original);
		} else {
			assert_null(r.final_recipient);
			assert_null(r.original_message_id);
		}
		td_reply_release(&r);
	}
}

static void
reply_header_facts_are_read(void **state)
{
	struct td_reply r;

	(void)state;
	parse_fixture(&r, "human-needs-info.eml");
	assert_string_equal(r.from, "noc@hoster.example");
	assert_string_equal(r.from_name, "NOC");
	assert_string_equal(
	    r.subject,
	    "RE: [TD-2026-000001] Phishing at hxxp://login-bank.example/");
	assert_string_equal(r.message_id, "NOC-20261127-0042@hoster.example");
	assert_string_equal(r.in_reply_to, "SOME-OTHER-ID@reporter.example");
	assert_int_equal(r.nr_refs, 2);
	assert_string_equal(r.refs[0], "OUR-REPORT-ID@takedown.invalid");
	assert_string_equal(r.refs[1], "SOME-OTHER-ID@reporter.example");
	/* Fri, 27 Nov 2026 11:20:00 +0100 */
	assert_int_equal(r.date, 1795774800);
	td_reply_release(&r);
}

static void
reply_dsn_diagnostic_and_rfc822_headers(void **state)
{
	struct td_reply r;

	(void)state;
	parse_fixture(&r, "dsn-postfix.eml");
	assert_string_equal(r.diagnostic, "550 5.1.1 Address rejected     "
					  "kijitora@example.co.jp");
	td_reply_release(&r);
	/* text/rfc822-headers instead of the whole message (RFC 3464 2) */
	parse_text(&r,
		   "From: MAILER-DAEMON@mx.example\n"
		   "Subject: Undeliverable\n"
		   "Content-Type: multipart/report; report-type=\"delivery-"
		   "status\"; boundary=b\n\n"
		   "--b\nContent-Type: text/plain\n\nfailed\n"
		   "--b\nContent-Type: message/delivery-status\n\n"
		   "Reporting-MTA: dns; mx.example\n\n"
		   "Final-Recipient: rfc822; <first@a.example>\n"
		   "Action: delayed\nStatus: 4.4.1\n\n"
		   "Final-Recipient: rfc822; second@b.example\n"
		   "Action: failed\nStatus: 5.2.2\n"
		   "Diagnostic-Code: smtp; 552 mailbox\n full\n"
		   "--b\nContent-Type: text/rfc822-headers\n\n"
		   "From: us@example.org\nMessage-ID: <ours-1@example.org>\n"
		   "--b--\n");
	assert_int_equal(r.cls, TD_REPLY_BOUNCE);
	/* the failed recipient wins over the delayed one */
	assert_string_equal(r.final_recipient, "second@b.example");
	assert_string_equal(r.status, "5.2.2");
	assert_string_equal(r.diagnostic, "552 mailbox  full");
	assert_string_equal(r.original_message_id, "ours-1@example.org");
	td_reply_release(&r);
}

static void
reply_delay_notice_is_not_a_bounce(void **state)
{
	struct td_reply r;

	(void)state;
	parse_text(&r, "From: MAILER-DAEMON@mx.example\n"
		       "Content-Type: multipart/report; report-type=delivery-"
		       "status; boundary=b\n\n"
		       "--b\nContent-Type: message/delivery-status\n\n"
		       "Reporting-MTA: dns; mx.example\n\n"
		       "Final-Recipient: rfc822; abuse@host.example\n"
		       "Action: delayed\nStatus: 4.4.7\n"
		       "--b--\n");
	assert_int_equal(r.cls, TD_REPLY_AUTO);
	assert_non_null(strstr(r.reason, "action delayed"));
	td_reply_release(&r);
}

static void
reply_auto_header_rules(void **state)
{
	static const struct {
		const char *hdr;
		int is_auto;
		const char *reason;
	} t[] = {
	    {"Auto-Submitted: auto-generated", 1, "Auto-Submitted: "},
	    {"Auto-Submitted: auto-notified; owner-email=x@y", 1,
	     "Auto-Submitted: "},
	    {"Auto-Submitted: no", 0, NULL},
	    {"Auto-Submitted: No (a human)", 0, NULL},
	    {"X-Autoreply: yes", 1, "X-Autoreply"},
	    {"X-Autorespond: Vacation", 1, "X-Autorespond"},
	    {"X-Auto-Response-Suppress: All", 1, "X-Auto-Response-Suppress"},
	    {"X-Auto-Response-Suppress: DR, RN", 0, NULL},
	    {"X-Loop: abuse@example.net", 1, "X-Loop"},
	    {"Precedence: bulk", 1, "Precedence: bulk"},
	    {"Precedence: junk", 1, "Precedence"},
	    {"Precedence: list", 1, "Precedence"},
	    {"Precedence: first-class", 0, NULL},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct td_buf m = TD_BUF_INIT;
		struct td_reply r;

		td_buf_printf(&m,
			      "From: a@b.example\n%s\nSubject: Re: your "
			      "report\n\nThanks.\n",
			      t[i].hdr);
		parse_text(&r, m.ptr);
		print_message("# %s\n", t[i].hdr);
		assert_int_equal(r.cls,
				 t[i].is_auto ? TD_REPLY_AUTO : TD_REPLY_HUMAN);
		if (t[i].reason)
			assert_non_null(strstr(r.reason, t[i].reason));
		td_reply_release(&r);
		td_buf_release(&m);
	}
}

static void
reply_subject_wording(void **state)
{
	static const char *const autos[] = {
	    "Automatic reply: Phishing at x",
	    "AUTO-REPLY: your message",
	    "Out of Office: back Monday",
	    "We have received your request [#ABC-123]",
	    "Ticket created: 4711",
	    "=?UTF-8?Q?R=C3=A9ponse_automatique_:_hello?=",
	    "=?UTF-8?B?T3V0IG9mIE9mZmljZQ==?=",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(autos) / sizeof(autos[0]); i++) {
		struct td_buf m = TD_BUF_INIT;
		struct td_reply r;

		td_buf_printf(&m, "From: a@b.example\nSubject: %s\n\nx\n",
			      autos[i]);
		parse_text(&r, m.ptr);
		print_message("# %s\n", autos[i]);
		assert_int_equal(r.cls, TD_REPLY_AUTO);
		assert_non_null(strstr(r.reason, "subject says"));
		td_reply_release(&r);
		td_buf_release(&m);
	}
}

static void
reply_quoting_our_report_stays_human(void **state)
{
	struct td_reply r;

	(void)state;
	/* the quoted report mentions auto-replies and delivery failures;
	   without a marker of its own the reply is a human's */
	parse_text(&r, "From: Jane <jane@host.example>\n"
		       "Subject: Re: [TD-2026-000007] Phishing\n"
		       "In-Reply-To: <ours@example.org>\n\n"
		       "Done, thanks.\n\n"
		       "> This message could not be delivered? An automatic\n"
		       "> reply or out of office is fine. Please provide...\n");
	assert_int_equal(r.cls, TD_REPLY_HUMAN);
	assert_int_equal(r.needs_info, 0);
	td_reply_release(&r);
	/* a postmaster writing as a person is no bounce */
	parse_text(&r, "From: postmaster@host.example\nSubject: Re: report\n\n"
		       "We removed the page.\n");
	assert_int_equal(r.cls, TD_REPLY_HUMAN);
	td_reply_release(&r);
}

static void
reply_ticket_patterns(void **state)
{
	static const struct {
		const char *text;
		int body;
		const char *ticket; /* NULL: none */
	} t[] = {
	    {"[Ticket#2026112710000123] Re: x", 0, "Ticket#2026112710000123"},
	    {"Re: [#ABC-12345] Phishing", 0, "#ABC-12345"},
	    {"Case 01234567: abuse report", 0, "Case 01234567"},
	    {"[Case #5001234] received", 0, "Case 5001234"},
	    {"[rt.example.net #123] AutoReply: x", 0, "rt.example.net #123"},
	    {"Your Ticket ID: ABC-2026-77 has been opened", 0,
	     "Ticket#ABC-2026-77"},
	    {"Incident Ref: INC-55321", 0, "Incident INC-55321"},
	    {"Incident reference 889911", 0, "Incident 889911"},
	    {"INC0012345 created", 0, "INC0012345"},
	    {"your ticket number: 20261127100001 now", 1,
	     "Ticket#20261127100001"},
	    {"we will open a case 1234567 soon", 1, NULL},
	    {"the staircase 1234567 is no case", 0, NULL},
	    {"[Ticket#] empty", 0, NULL},
	    {"[#] nothing", 0, NULL},
	    {"[Ticket#123456789012345678901234567890123456] too long", 0, NULL},
	    {"Re: [TD-2026-000001] Phishing", 0, NULL},
	};
	char out[TD_REPLY_MAX_TICKET + 1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *k = td_reply_ticket_find(
		    out, sizeof(out), t[i].text, strlen(t[i].text), t[i].body);

		print_message("# %s\n", t[i].text);
		if (!t[i].ticket) {
			assert_null(k);
			continue;
		}
		assert_non_null(k);
		assert_string_equal(out, t[i].ticket);
	}
	/* an output buffer too small for the id: no match, no overflow */
	assert_null(td_reply_ticket_find(out, 6, "[Ticket#123456]", 15, 0));
}

static void
reply_tag_is_found(void **state)
{
	char tag[24];

	(void)state;
	assert_int_equal(td_reply_tag_find(tag, "Re: [TD-2026-000123] x"), 1);
	assert_string_equal(tag, "TD-2026-000123");
	assert_int_equal(td_reply_tag_find(tag, "re: td-2026-1234567 x"), 1);
	assert_string_equal(tag, "TD-2026-1234567");
	assert_int_equal(td_reply_tag_find(tag, "XTD-2026-000123"), 0);
	assert_int_equal(td_reply_tag_find(tag, "TD-2026-00012"), 0);
	assert_int_equal(td_reply_tag_find(tag, "TD-2026-0001234567"), 0);
	assert_int_equal(td_reply_tag_find(tag, "TD-26-000123"), 0);
}

static void
reply_hostile_text_is_bounded(void **state)
{
	struct td_reply r;

	(void)state;
	parse_fixture(&r, "hostile-subject-crlf-esc.eml");
	/* CR and LF from an encoded-word become spaces; ESC is kept for
	   the outputs to escape */
	assert_null(strpbrk(r.subject, "\r\n"));
	assert_non_null(strstr(r.subject, "X-Injected: yes \x1b[2J"));
	/* a display name GMime cannot read still leaves the address */
	assert_string_equal(r.from, "abuse@evil.example");
	td_reply_release(&r);
	parse_fixture(&r, "hostile-long-headers.eml");
	assert_true(strlen(r.subject) <= TD_REPLY_MAX_SUBJECT);
	assert_null(r.message_id); /* 5,000 bytes: not a Message-ID */
	assert_null(r.ticket);	   /* 300 digits: over the bound */
	assert_int_equal(r.nr_refs, TD_REPLY_MAX_REFS);
	/* the oldest and the newest are kept */
	assert_string_equal(r.refs[0], "ref00000@evil.example");
	assert_string_equal(r.refs[TD_REPLY_MAX_REFS - 1],
			    "ref00499@evil.example");
	td_reply_release(&r);
}

static void
reply_size_cap_and_garbage(void **state)
{
	struct td_reply_opts o = TD_REPLY_OPTS_INIT;
	struct td_error err = {0, ""};
	struct td_reply r;
	const char *m = "From: a@b.example\nSubject: x\n\nbody\n";

	(void)state;
	o.max_bytes = 10;
	assert_int_equal(td_reply_parse(&r, m, strlen(m), &o, &err), TD_ELIMIT);
	assert_non_null(strstr(err.msg, "over the limit"));
	assert_null(r.reason);
	/* bytes that are no message at all still give a human "reply"
	   with nothing in it, or a parse error; never a crash */
	{
		static const char junk[] = "\0\0\xff\xfe\r\r\n\n--";
		int rc = td_reply_parse(&r, junk, sizeof(junk), NULL, &err);

		assert_true(rc == 0 || rc == TD_EPARSE);
		if (rc == 0)
			td_reply_release(&r);
	}
	td_reply_release(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(reply_fixtures_classified),
	    cmocka_unit_test(reply_header_facts_are_read),
	    cmocka_unit_test(reply_dsn_diagnostic_and_rfc822_headers),
	    cmocka_unit_test(reply_delay_notice_is_not_a_bounce),
	    cmocka_unit_test(reply_auto_header_rules),
	    cmocka_unit_test(reply_subject_wording),
	    cmocka_unit_test(reply_quoting_our_report_stays_human),
	    cmocka_unit_test(reply_ticket_patterns),
	    cmocka_unit_test(reply_tag_is_found),
	    cmocka_unit_test(reply_hostile_text_is_bounded),
	    cmocka_unit_test(reply_size_cap_and_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
