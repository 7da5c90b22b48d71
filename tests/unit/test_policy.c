#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "policy.h"

#define H 3600LL
#define D 86400LL
#define T0 1790000000LL

static long long
dur(const char *s)
{
	long long v = -1;

	if (td_policy_duration(&v, s, strlen(s)) < 0)
		return -1;
	return v;
}

static void
policy_durations_parse(void **state)
{
	(void)state;
	assert_int_equal(dur("48h"), 48 * H);
	assert_int_equal(dur("5d"), 5 * D);
	assert_int_equal(dur("1d12h"), 36 * H);
	assert_int_equal(dur("1d 12h"), 36 * H);
	assert_int_equal(dur("90m"), 90 * 60);
	assert_int_equal(dur("45s"), 45);
	assert_int_equal(dur("2w"), 14 * D);
	assert_int_equal(dur("0"), 0);
	assert_int_equal(dur(" 72h "), 72 * H);
	assert_int_equal(dur("366d"), 366 * D);
	/* refused: no unit, unknown unit, empty, sign, over a year */
	assert_int_equal(dur("48"), -1);
	assert_int_equal(dur("48x"), -1);
	assert_int_equal(dur(""), -1);
	assert_int_equal(dur("h"), -1);
	assert_int_equal(dur("-5d"), -1);
	assert_int_equal(dur("367d"), -1);
	assert_int_equal(dur("99999999999999999999d"), -1);
	assert_int_equal(dur("5d soon"), -1);
}

static void
policy_duration_text_two_units(void **state)
{
	static const struct {
		long long secs;
		const char *text;
	} cases[] = {
	    {0, "0s"},
	    {30, "30s"},
	    {45 * 60, "45m"},
	    {5 * H + 600, "5h 10m"},
	    {3 * D + 2 * H, "3d 2h"},
	    {6 * D, "6d"},
	    {6 * D + 59, "6d"},
	    {-(2 * H), "2h"},
	    {H + 1, "1h"},
	    {61, "1m 1s"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct td_buf b = TD_BUF_INIT;

		td_policy_duration_text(&b, cases[i].secs);
		assert_string_equal(b.ptr, cases[i].text);
		td_buf_release(&b);
	}
}

static void
policy_defaults(void **state)
{
	struct td_policy p;

	(void)state;
	td_policy_init(&p);
	assert_int_equal(p.followup_after, 48 * H);
	assert_int_equal(p.escalate_after, 5 * D);
	assert_int_equal(p.max_followups, 2);
	assert_int_equal(p.quiet_after_ack, 72 * H);
	assert_int_equal(p.nr_ladder, 5);
	assert_int_equal(p.ladder[0], TD_ROLE_REGISTRANT);
	assert_int_equal(p.ladder[1], TD_ROLE_HOST);
	assert_int_equal(p.ladder[2], TD_ROLE_REGISTRAR);
	assert_int_equal(p.ladder[3], TD_ROLE_UPSTREAM);
	assert_int_equal(p.ladder[4], TD_ROLE_LE);
	/* a CDN or platform stands where the host does */
	assert_int_equal(td_policy_rung(&p, TD_ROLE_CDN), 1);
	assert_int_equal(td_policy_rung(&p, TD_ROLE_PLATFORM), 1);
	assert_int_equal(td_policy_rung(&p, TD_ROLE_BLOCKLIST), -1);
	assert_int_equal(td_policy_rung(&p, TD_ROLE_OTHER), -1);
	assert_string_equal(td_policy_rung_name(TD_ROLE_REGISTRANT), "owner");
}

static void
policy_parse_every_key(void **state)
{
	static const char text[] = "# our desk\n"
				   "\n"
				   "followup_after = 1d\r\n"
				   "  escalate_after=10d\n"
				   "max_followups = 0\n"
				   "quiet_after_ack = 0\n"
				   "ladder = host, cdn registrar,le\n";
	struct td_policy p;
	struct td_error err = {0, ""};

	(void)state;
	td_policy_init(&p);
	assert_int_equal(
	    td_policy_parse(&p, text, strlen(text), "policy", &err), 0);
	assert_int_equal(p.followup_after, D);
	assert_int_equal(p.escalate_after, 10 * D);
	assert_int_equal(p.max_followups, 0);
	assert_int_equal(p.quiet_after_ack, 0);
	assert_int_equal(p.nr_ladder, 4);
	assert_int_equal(p.ladder[0], TD_ROLE_HOST);
	assert_int_equal(p.ladder[1], TD_ROLE_CDN);
	assert_int_equal(p.ladder[2], TD_ROLE_REGISTRAR);
	assert_int_equal(p.ladder[3], TD_ROLE_LE);
	/* named: the CDN has a rung of its own now; no owner */
	assert_int_equal(td_policy_rung(&p, TD_ROLE_CDN), 1);
	assert_int_equal(td_policy_rung(&p, TD_ROLE_PLATFORM), 0);
	assert_int_equal(td_policy_rung(&p, TD_ROLE_REGISTRANT), -1);
	/* an empty file keeps the defaults */
	td_policy_init(&p);
	assert_int_equal(td_policy_parse(&p, "", 0, "policy", &err), 0);
	assert_int_equal(p.followup_after, 48 * H);
}

static void
policy_errors_name_the_line(void **state)
{
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
	    {"followup_after = 48\n",
	     "policy:1: followup_after: \"48\" is not a duration"},
	    {"# c\nescalate_after = soon\n",
	     "policy:2: escalate_after: \"soon\" is not a duration"},
	    {"followup_after = 0\n",
	     "policy:1: followup_after: must be more than 0"},
	    {"\n\nfollow_up = 2d\n", "policy:3: unknown key \"follow_up\""},
	    {"max_followups = 11\n",
	     "policy:1: max_followups: \"11\" is not a number"},
	    {"max_followups = -1\n", "policy:1: max_followups"},
	    {"max_followups = \n", "policy:1: max_followups"},
	    {"ladder = host, isp\n", "policy:1: ladder: unknown role \"isp\""},
	    {"ladder = host, registrar, host\n",
	     "policy:1: ladder: host is named twice"},
	    {"ladder = owner, registrant\n",
	     "policy:1: ladder: registrant is named twice"},
	    {"ladder = ,\n", "policy:1: ladder: no role given"},
	    {"ladder\n", "policy:1: no \"=\""},
	    {"ladder = host\nladder = le\n",
	     "policy:2: ladder is set twice (first on line 1)"},
	    {"followup_after = 1d\x1b[2J\n", "policy:1: a control character"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct td_policy p;
		struct td_error err = {0, ""};

		td_policy_init(&p);
		assert_int_equal(td_policy_parse(&p, cases[i].text,
						 strlen(cases[i].text),
						 "policy", &err),
				 TD_EPARSE);
		if (strncmp(err.msg, cases[i].msg, strlen(cases[i].msg)))
			fail_msg("case %zu: \"%s\" does not start with \"%s\"",
				 i, err.msg, cases[i].msg);
		/* nothing of a broken file is taken */
		assert_int_equal(p.followup_after, 48 * H);
		assert_int_equal(p.nr_ladder, 5);
	}
}

static void
policy_load_file_absent_present_broken(void **state)
{
	char dir[] = "/tmp/td-policy.XXXXXX", path[64], big[70000];
	struct td_policy p;
	struct td_error err = {0, ""};
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/policy", dir);
	td_policy_init(&p);
	assert_int_equal(td_policy_load(&p, path, &err), 1);
	assert_int_equal(p.escalate_after, 5 * D);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("escalate_after = 3d\n", f);
	fclose(f);
	assert_int_equal(td_policy_load(&p, path, &err), 0);
	assert_int_equal(p.escalate_after, 3 * D);
	f = fopen(path, "w");
	fputs("escalate_after = 3d\nbogus\n", f);
	fclose(f);
	td_policy_init(&p);
	assert_int_equal(td_policy_load(&p, path, &err), TD_EPARSE);
	assert_non_null(strstr(err.msg, "/policy:2: no \"=\""));
	/* a file over 64 KiB is refused before it is read */
	memset(big, '#', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	f = fopen(path, "w");
	fputs(big, f);
	fclose(f);
	assert_int_equal(td_policy_load(&p, path, &err), TD_ELIMIT);
	unlink(path);
	/* a folder cannot be read as a file */
	assert_int_equal(td_policy_load(&p, dir, &err), TD_EIO);
	rmdir(dir);
}

static struct td_due_facts
sent_at(long long t)
{
	struct td_due_facts f;

	memset(&f, 0, sizeof(f));
	f.role = TD_ROLE_HOST;
	f.first_sent = f.last_sent = t;
	return f;
}

static void
policy_decide_walks_through_time(void **state)
{
	struct td_policy p;
	struct td_due d;
	struct td_due_facts f = sent_at(T0);

	(void)state;
	td_policy_init(&p);
	/* +1h: nothing yet, the follow-up at +48h */
	td_policy_decide(&d, &p, &f, 1, T0 + H);
	assert_int_equal(d.action, TD_DUE_WAIT);
	assert_int_equal(d.next, TD_DUE_FOLLOWUP);
	assert_int_equal(d.at, T0 + 48 * H);
	/* exactly at +48h and after: due since +48h */
	td_policy_decide(&d, &p, &f, 1, T0 + 48 * H);
	assert_int_equal(d.action, TD_DUE_FOLLOWUP);
	td_policy_decide(&d, &p, &f, 1, T0 + 49 * H);
	assert_int_equal(d.action, TD_DUE_FOLLOWUP);
	assert_int_equal(d.at, T0 + 48 * H);
	/* drafted: pending until sent */
	f.followups = 1;
	f.pending = 1;
	td_policy_decide(&d, &p, &f, 1, T0 + 49 * H);
	assert_int_equal(d.action, TD_DUE_PENDING);
	/* sent at +49h: the next one at +97h, escalation at +5d first? */
	f.pending = 0;
	f.last_sent = T0 + 49 * H;
	td_policy_decide(&d, &p, &f, 1, T0 + 50 * H);
	assert_int_equal(d.action, TD_DUE_WAIT);
	assert_int_equal(d.next, TD_DUE_FOLLOWUP);
	assert_int_equal(d.at, T0 + 97 * H);
	/* +5d: escalation wins over a second follow-up due too */
	td_policy_decide(&d, &p, &f, 1, T0 + 5 * D);
	assert_int_equal(d.action, TD_DUE_ESCALATE);
	assert_int_equal(d.at, T0 + 5 * D);
	/* not on the ladder: the follow-up instead */
	td_policy_decide(&d, &p, &f, 0, T0 + 5 * D);
	assert_int_equal(d.action, TD_DUE_FOLLOWUP);
	assert_int_equal(d.at, T0 + 97 * H);
	/* follow-ups used up: waits for the escalation */
	f.followups = 2;
	td_policy_decide(&d, &p, &f, 1, T0 + 4 * D);
	assert_int_equal(d.action, TD_DUE_WAIT);
	assert_int_equal(d.next, TD_DUE_ESCALATE);
	assert_int_equal(d.at, T0 + 5 * D);
	/* ... and with nothing to escalate to: done */
	td_policy_decide(&d, &p, &f, 0, T0 + 4 * D);
	assert_int_equal(d.action, TD_DUE_DONE);
	/* escalated past it: done */
	f.escalated = T0 + 5 * D;
	td_policy_decide(&d, &p, &f, 1, T0 + 9 * D);
	assert_int_equal(d.action, TD_DUE_DONE);
}

static void
policy_decide_quiet_after_a_human_answer(void **state)
{
	struct td_policy p;
	struct td_due d;
	struct td_due_facts f = sent_at(T0);

	(void)state;
	td_policy_init(&p);
	/* a person answered an hour after the report */
	f.last_human = T0 + H;
	td_policy_decide(&d, &p, &f, 1, T0 + 50 * H);
	assert_int_equal(d.action, TD_DUE_WAIT);
	assert_int_equal(d.next, TD_DUE_FOLLOWUP);
	assert_int_equal(d.at, T0 + H + 72 * H);
	td_policy_decide(&d, &p, &f, 1, T0 + 73 * H);
	assert_int_equal(d.action, TD_DUE_FOLLOWUP);
	/* the escalation counts from the answer */
	td_policy_decide(&d, &p, &f, 1, T0 + 5 * D + 30 * 60);
	assert_int_equal(d.action, TD_DUE_FOLLOWUP);
	td_policy_decide(&d, &p, &f, 1, T0 + 5 * D + H);
	assert_int_equal(d.action, TD_DUE_ESCALATE);
	assert_int_equal(d.at, T0 + H + 5 * D);
	/* an auto-response changes nothing */
	f = sent_at(T0);
	f.last_auto = T0 + 60;
	td_policy_decide(&d, &p, &f, 1, T0 + 48 * H);
	assert_int_equal(d.action, TD_DUE_FOLLOWUP);
	/* the case acknowledged (by the user) quiets every party */
	f.case_acked = T0 + 40 * H;
	td_policy_decide(&d, &p, &f, 1, T0 + 48 * H);
	assert_int_equal(d.action, TD_DUE_WAIT);
	assert_int_equal(d.at, T0 + 112 * H);
	/* needs-info: nothing until the reporter answers */
	f = sent_at(T0);
	f.needs_info = 1;
	td_policy_decide(&d, &p, &f, 1, T0 + 30 * D);
	assert_int_equal(d.action, TD_DUE_WAIT);
	assert_int_equal(d.at, 0);
}

static void
policy_decide_bounce_routes_on_at_once(void **state)
{
	struct td_policy p;
	struct td_due d;
	struct td_due_facts f = sent_at(T0);

	(void)state;
	td_policy_init(&p);
	f.bounced = T0 + 60;
	td_policy_decide(&d, &p, &f, 1, T0 + 120);
	assert_int_equal(d.action, TD_DUE_BOUNCED);
	assert_int_equal(d.at, T0 + 60);
	/* once routed on (escalated past it), nothing more */
	f.escalated = T0 + 120;
	td_policy_decide(&d, &p, &f, 1, T0 + D);
	assert_int_equal(d.action, TD_DUE_DONE);
}

static void
policy_reason_says_why(void **state)
{
	struct td_due_facts f = sent_at(T0);
	struct td_buf b = TD_BUF_INIT;

	(void)state;
	f.last_auto = T0 + 10;
	td_policy_reason(&b, &f, T0 + 3 * D + 2 * H);
	assert_string_equal(b.ptr, "sent 3d 2h ago, only an auto-response");
	td_buf_reset(&b);
	f.followups = 1;
	f.last_sent = T0 + 2 * D;
	f.last_human = T0 + 3 * D;
	td_policy_reason(&b, &f, T0 + 4 * D);
	assert_string_equal(b.ptr, "sent 4d ago, 1 follow-up, the last sent "
				   "2d ago, answered 1d ago");
	td_buf_reset(&b);
	f = sent_at(T0);
	f.bounced = T0 + 5 * 60;
	td_policy_reason(&b, &f, T0 + H);
	assert_string_equal(b.ptr, "sent 1h ago, the address bounced 55m ago");
	td_buf_release(&b);
}

static void
policy_next_party_on_the_ladder(void **state)
{
	struct td_policy p;
	enum td_party_role roles[] = {TD_ROLE_REGISTRANT, TD_ROLE_HOST,
				      TD_ROLE_CDN, TD_ROLE_REGISTRAR,
				      TD_ROLE_BLOCKLIST};
	int ok[] = {1, 1, 1, 1, 1};
	struct td_error err = {0, ""};

	(void)state;
	td_policy_init(&p);
	/* owner -> host (the first of its rung) -> registrar -> none */
	assert_int_equal(
	    td_policy_next(&p, TD_ROLE_REGISTRANT, roles, ok, 5, 0), 1);
	assert_int_equal(td_policy_next(&p, TD_ROLE_HOST, roles, ok, 5, 0), 3);
	assert_int_equal(td_policy_next(&p, TD_ROLE_CDN, roles, ok, 5, 0), 3);
	assert_int_equal(td_policy_next(&p, TD_ROLE_REGISTRAR, roles, ok, 5, 0),
			 -1);
	/* a contact that does not work is skipped */
	ok[1] = 0;
	assert_int_equal(
	    td_policy_next(&p, TD_ROLE_REGISTRANT, roles, ok, 5, 0), 2);
	ok[2] = ok[3] = 0;
	assert_int_equal(
	    td_policy_next(&p, TD_ROLE_REGISTRANT, roles, ok, 5, 0), -1);
	/* malicious: never the owner, even from below it */
	ok[0] = ok[1] = ok[2] = ok[3] = 1;
	assert_int_equal(td_policy_parse(&p, "ladder = le, owner, host\n", 25,
					 "policy", &err),
			 0);
	assert_int_equal(td_policy_next(&p, TD_ROLE_LE, roles, ok, 5, 1), 1);
	assert_int_equal(td_policy_next(&p, TD_ROLE_LE, roles, ok, 5, 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(policy_durations_parse),
	    cmocka_unit_test(policy_duration_text_two_units),
	    cmocka_unit_test(policy_defaults),
	    cmocka_unit_test(policy_parse_every_key),
	    cmocka_unit_test(policy_errors_name_the_line),
	    cmocka_unit_test(policy_load_file_absent_present_broken),
	    cmocka_unit_test(policy_decide_walks_through_time),
	    cmocka_unit_test(policy_decide_quiet_after_a_human_answer),
	    cmocka_unit_test(policy_decide_bounce_routes_on_at_once),
	    cmocka_unit_test(policy_reason_says_why),
	    cmocka_unit_test(policy_next_party_on_the_ladder),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
