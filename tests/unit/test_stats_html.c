#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "err.h"
#include "stats_html.h"

/* Occurrences of needle in hay. */
static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0, len = strlen(needle);
	const char *p = hay;

	while ((p = strstr(p, needle))) {
		n++;
		p += len;
	}
	return n;
}

/* Occurrences ignoring ASCII case. */
static size_t
count_ci(const char *hay, const char *needle)
{
	size_t n = 0, len = strlen(needle);

	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, len))
			n++;
	return n;
}

static void
esc(struct td_buf *o, const char *s, size_t len, size_t max)
{
	td_buf_reset(o);
	assert_int_equal(td_stats_html_text(o, s, len, max), 0);
}

static void
stats_duration_is_human(void **state)
{
	char d[TD_STATS_DURATION_LEN];

	(void)state;
	assert_string_equal(td_stats_duration(d, -1), "-");
	assert_string_equal(td_stats_duration(d, 0), "0s");
	assert_string_equal(td_stats_duration(d, 45), "45s");
	assert_string_equal(td_stats_duration(d, 60), "1m");
	assert_string_equal(td_stats_duration(d, 725), "12m 5s");
	assert_string_equal(td_stats_duration(d, 3600), "1h");
	assert_string_equal(td_stats_duration(d, 3 * 3600 + 20 * 60), "3h 20m");
	/* seconds below the second unit are dropped, not rounded */
	assert_string_equal(td_stats_duration(d, 3 * 3600 + 20 * 60 + 59),
			    "3h 20m");
	assert_string_equal(td_stats_duration(d, 86400), "1d");
	assert_string_equal(td_stats_duration(d, 2 * 86400 + 4 * 3600 + 59),
			    "2d 4h");
	assert_string_equal(td_stats_duration(d, 400 * 86400LL + 3 * 3600),
			    "400d 3h");
	assert_string_equal(td_stats_duration(d, 0x7fffffffffffffffLL),
			    "106751991167300d 15h");
}

static void
stats_html_text_escapes_markup(void **state)
{
	struct td_buf o = TD_BUF_INIT;
	const char *s = "<script>alert('x')</script>\" onload=\"a&b";

	(void)state;
	esc(&o, s, strlen(s), 4096);
	assert_string_equal(o.ptr, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script"
				   "&gt;&quot; onload=&quot;a&amp;b");
	td_buf_release(&o);
}

static void
stats_html_text_shows_control_bytes(void **state)
{
	struct td_buf o = TD_BUF_INIT;
	static const char s[] = "a\x1b[31mb\0c\x7f\td\n";

	(void)state;
	esc(&o, s, sizeof(s) - 1, 4096);
	assert_string_equal(o.ptr, "a\\x1B[31mb\\x00c\\x7F\\x09d\\x0A");
	/* C1 control, bidi override, zero-width space, BOM */
	esc(&o, "x\xc2\x85y\xe2\x80\xaez\xe2\x80\x8bw\xef\xbb\xbf", 15, 4096);
	assert_string_equal(o.ptr, "x\\u{0085}y\\u{202E}z\\u{200B}w\\u{FEFF}");
	/* invalid UTF-8, a surrogate, a noncharacter: U+FFFD */
	esc(&o, "\xff|\xed\xa0\x80|\xef\xbf\xbe", 9, 4096);
	assert_string_equal(o.ptr, "\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd"
				   "\xef\xbf\xbd|\xef\xbf\xbd");
	/* ordinary non-ASCII letters stay */
	esc(&o, "M\xc3\xbcnchen \xd0\x9c\xd0\xb8\xd1\x80", 15, 4096);
	assert_string_equal(o.ptr, "M\xc3\xbcnchen \xd0\x9c\xd0\xb8\xd1\x80");
	td_buf_release(&o);
}

static void
stats_html_text_is_bounded(void **state)
{
	struct td_buf o = TD_BUF_INIT;
	char big[300];

	(void)state;
	memset(big, 'A', sizeof(big));
	esc(&o, big, sizeof(big), 10);
	assert_string_equal(o.ptr, "AAAAAAAAAA\xe2\x80\xa6");
	/* cut at a character boundary: 2-byte letters, 5 bytes allowed */
	esc(&o, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 8, 5);
	assert_string_equal(o.ptr, "\xc3\xa9\xc3\xa9\xe2\x80\xa6");
	/* exactly max: no mark */
	esc(&o, big, 10, 10);
	assert_string_equal(o.ptr, "AAAAAAAAAA");
	esc(&o, NULL, 0, 10);
	assert_string_equal(o.ptr, "");
	td_buf_release(&o);
}

static void
stats_html_empty_store(void **state)
{
	struct td_buf o = TD_BUF_INIT;
	struct td_stats_page p;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.generated = 1790000000;
	assert_int_equal(td_stats_html(&o, &p), 0);
	assert_int_equal(strncmp(o.ptr, "<!DOCTYPE html>\n", 16), 0);
	assert_string_equal(o.ptr + o.len - 8, "</html>\n");
	assert_non_null(strstr(o.ptr, "No providers yet"));
	assert_non_null(strstr(o.ptr, "No cases yet"));
	assert_non_null(strstr(o.ptr, "2026-09-21 14:13 UTC"));
	assert_int_equal(count(o.ptr, "<svg"), 0);
	assert_int_equal(count(o.ptr, "<table"), 0);
	td_buf_release(&o);
}

/* The page for one host and one case, for the tests below. */
static const long long downs[] = {30, 12000, 187200, 8000000};

static void
one_provider(struct td_stats_page *p, struct td_store_stats *x,
	     struct td_stats_durations *d, struct td_stats_timeline *t,
	     const struct td_stats_mark *marks, size_t nr_marks)
{
	memset(p, 0, sizeof(*p));
	memset(x, 0, sizeof(*x));
	memset(t, 0, sizeof(*t));
	x->role = TD_ROLE_HOST;
	x->name = (char *)"Example Hosting GmbH";
	x->cases = 5;
	x->reported = 4;
	x->answered = 1;
	x->mitigated = 4;
	x->answer_median = 725;
	x->down_median = 12000;
	x->down_p90 = 187200;
	d->v = downs;
	d->nr = 4;
	t->tag = "TD-2026-000001";
	t->url = "https://phish.example/login";
	t->state = TD_STATE_MITIGATED;
	t->created = 1790000000;
	t->marks = marks;
	t->nr_marks = nr_marks;
	p->stats = x;
	p->nr_stats = 1;
	p->down = d;
	p->sample = 200;
	p->cases = t;
	p->nr_cases = 1;
	p->generated = 1790000000;
}

static void
stats_html_one_provider(void **state)
{
	static const struct td_stats_mark marks[] = {
	    {1790000000, TD_MARK_CREATED}, {1790000600, TD_MARK_SENT},
	    {1790000700, TD_MARK_AUTO},	   {1790001325, TD_MARK_ANSWER},
	    {1790001400, TD_MARK_BOUNCE},  {1790012600, TD_MARK_MITIGATED},
	    {1790100000, TD_MARK_CLOSED}};
	struct td_buf o = TD_BUF_INIT, again = TD_BUF_INIT;
	struct td_stats_page p;
	struct td_store_stats x;
	struct td_stats_durations d;
	struct td_stats_timeline t;

	(void)state;
	one_provider(&p, &x, &d, &t, marks, 7);
	assert_int_equal(td_stats_html(&o, &p), 0);
	assert_int_equal(count(o.ptr, "<h2>Hosting providers</h2>"), 1);
	assert_int_equal(count(o.ptr, "<h2>Registrars</h2>"), 0);
	/* the table row, in order */
	assert_non_null(strstr(o.ptr, "<td class=\"p\">Example Hosting GmbH"
				      "</td><td class=\"n\">5</td>"
				      "<td class=\"n\">4</td>"
				      "<td class=\"n\">25% (1)</td>"
				      "<td class=\"n\">12m 5s</td>"
				      "<td class=\"n\">3h 20m</td>"
				      "<td class=\"n\">2d 4h</td></tr>"));
	/* the chart: one row, a dot per duration, median and p90 */
	assert_int_equal(count(o.ptr, "<svg"), 3); /* chart, legend, timeline */
	assert_int_equal(count(o.ptr, "<g class=\"row\">"), 1);
	assert_int_equal(count(o.ptr, "<circle cx"), 4 + 3 + 3);
	assert_int_equal(count(o.ptr, "class=\"median\""), 1);
	assert_int_equal(count(o.ptr, "class=\"p90\""), 1);
	assert_non_null(strstr(o.ptr, "Example Hosting GmbH: median 3h 20m, "
				      "90th percentile 2d 4h, 4 taken down"));
	/* the timeline: one case, one mark each */
	assert_int_equal(count(o.ptr, "<g class=\"case\">"), 1);
	assert_int_equal(count(o.ptr, "<g class=\"mark "), 7);
	assert_non_null(strstr(o.ptr,
			       "<title>human answer 22m 5s after "
			       "creation, 2026-09-21 14:35 UTC</title>"));
	assert_non_null(strstr(o.ptr, "TD-2026-000001 (mitigated), created "
				      "2026-09-21 14:13 UTC: "
				      "https://phish.example/login"));
	/* nothing external, nothing active */
	assert_int_equal(count_ci(o.ptr, "<script"), 0);
	assert_int_equal(count_ci(o.ptr, "href="), 0);
	assert_int_equal(count_ci(o.ptr, "src="), 0);
	assert_int_equal(count(o.ptr, "http://"),
			 count(o.ptr, "http://www.w3.org/2000/svg"));
	assert_non_null(strstr(o.ptr, "<meta http-equiv=\"Content-Security-"
				      "Policy\" content=\"default-src 'none'; "
				      "style-src 'sha256-"));
	/* a pure function */
	assert_int_equal(td_stats_html(&again, &p), 0);
	assert_int_equal(again.len, o.len);
	assert_memory_equal(again.ptr, o.ptr, o.len);
	td_buf_release(&o);
	td_buf_release(&again);
}

static void
stats_html_provider_without_takedowns(void **state)
{
	struct td_buf o = TD_BUF_INIT;
	struct td_stats_page p;
	struct td_store_stats x;
	struct td_stats_durations d;
	struct td_stats_timeline t;

	(void)state;
	one_provider(&p, &x, &d, &t, NULL, 0);
	x.reported = 0;
	x.answered = x.mitigated = 0;
	x.answer_median = x.down_median = x.down_p90 = -1;
	d.nr = 0;
	p.down = NULL;
	assert_int_equal(td_stats_html(&o, &p), 0);
	assert_non_null(strstr(o.ptr, "<td class=\"n\">-</td>"
				      "<td class=\"n\">-</td>"
				      "<td class=\"n\">-</td>"
				      "<td class=\"n\">-</td></tr>"));
	assert_non_null(strstr(o.ptr, "no takedown yet"));
	assert_int_equal(count(o.ptr, "class=\"median\""), 0);
	assert_int_equal(count(o.ptr, "class=\"p90\""), 0);
	/* a case without marks still has its row */
	assert_int_equal(count(o.ptr, "<g class=\"case\">"), 1);
	assert_int_equal(count(o.ptr, "<g class=\"mark "), 0);
	td_buf_release(&o);
}

static void
stats_html_hostile_names_stay_text(void **state)
{
	static const char name[] =
	    "<script>alert(1)</script><img src=x onerror=alert(2)>\"'&"
	    "\x1b]0;pwn\x07\xe2\x80\xae";
	static const char url[] = "https://e.example/\"><svg onload=alert(3)>";
	struct td_buf o = TD_BUF_INIT;
	struct td_stats_page p;
	struct td_store_stats x;
	struct td_stats_durations d;
	struct td_stats_timeline t;
	char big[8192];

	(void)state;
	one_provider(&p, &x, &d, &t, NULL, 0);
	x.name = (char *)name;
	t.tag = name;
	t.url = url;
	assert_int_equal(td_stats_html(&o, &p), 0);
	assert_int_equal(count_ci(o.ptr, "<script"), 0);
	assert_int_equal(count_ci(o.ptr, "<img"), 0);
	assert_int_equal(count_ci(o.ptr, "onload"),
			 count(o.ptr, "onload=alert(3)"));
	assert_int_equal(count_ci(o.ptr, "<svg onload"), 0);
	assert_int_equal(count(o.ptr, "\x1b"), 0);
	assert_int_equal(count(o.ptr, "\x07"), 0);
	assert_int_equal(count(o.ptr, "\xe2\x80\xae"), 0);
	/* the table shows it whole, escaped */
	assert_non_null(strstr(o.ptr,
			       "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img "
			       "src=x onerror=alert(2)&gt;&quot;&#39;&amp;"
			       "\\x1B]0;pwn\\x07\\u{202E}</td>"));
	assert_non_null(strstr(o.ptr, "&quot;&gt;&lt;svg onload=alert(3)&gt;"));
	/* every quote in the page is ours: attributes are balanced */
	assert_int_equal(count(o.ptr, "\"") % 2, 0);
	td_buf_release(&o);

	/* a 8 KB name is cut in the table and beside the chart */
	memset(big, 'N', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	x.name = big;
	t.tag = "TD-2026-000001";
	t.url = NULL;
	assert_int_equal(td_stats_html(&o, &p), 0);
	{
		char run[TD_STATS_HTML_MAX_NAME + 2];

		/* the table: exactly the bound, then the mark */
		memset(run, 'N', TD_STATS_HTML_MAX_NAME);
		run[TD_STATS_HTML_MAX_NAME] = '\0';
		assert_non_null(strstr(o.ptr, run));
		run[TD_STATS_HTML_MAX_NAME] = 'N';
		run[TD_STATS_HTML_MAX_NAME + 1] = '\0';
		assert_null(strstr(o.ptr, run));
		/* beside the chart: the shorter bound */
		memset(run, 'N', TD_STATS_HTML_MAX_LABEL);
		run[TD_STATS_HTML_MAX_LABEL] = '\0';
		assert_non_null(strstr(o.ptr, "\">"));
		{
			struct td_buf want = TD_BUF_INIT;

			td_buf_printf(&want, "\">%s\xe2\x80\xa6</text>", run);
			assert_non_null(strstr(o.ptr, want.ptr));
			td_buf_release(&want);
		}
	}
	assert_true(o.len < 40000);
	td_buf_release(&o);
}

static void
stats_html_marks_are_bounded(void **state)
{
	struct td_stats_mark marks[100];
	struct td_buf o = TD_BUF_INIT;
	struct td_stats_page p;
	struct td_store_stats x;
	struct td_stats_durations d;
	struct td_stats_timeline t;
	size_t i;

	(void)state;
	for (i = 0; i < 100; i++) {
		marks[i].at = 1790000000 + (long long)i * 60;
		marks[i].kind = (enum td_stats_mark_kind)(i % TD_MARK_NR);
	}
	one_provider(&p, &x, &d, &t, marks, 100);
	assert_int_equal(td_stats_html(&o, &p), 0);
	assert_int_equal(count(o.ptr, "<g class=\"mark "),
			 TD_STATS_HTML_MAX_MARKS);
	td_buf_release(&o);
}

static void
stats_html_buffer_limit_fails(void **state)
{
	struct td_buf o;
	struct td_stats_page p;
	struct td_store_stats x;
	struct td_stats_durations d;
	struct td_stats_timeline t;

	(void)state;
	one_provider(&p, &x, &d, &t, NULL, 0);
	td_buf_init(&o, 1000);
	assert_int_equal(td_stats_html(&o, &p), TD_ENOMEM);
	td_buf_release(&o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(stats_duration_is_human),
	    cmocka_unit_test(stats_html_text_escapes_markup),
	    cmocka_unit_test(stats_html_text_shows_control_bytes),
	    cmocka_unit_test(stats_html_text_is_bounded),
	    cmocka_unit_test(stats_html_empty_store),
	    cmocka_unit_test(stats_html_one_provider),
	    cmocka_unit_test(stats_html_provider_without_takedowns),
	    cmocka_unit_test(stats_html_hostile_names_stay_text),
	    cmocka_unit_test(stats_html_marks_are_bounded),
	    cmocka_unit_test(stats_html_buffer_limit_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
