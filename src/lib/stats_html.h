#ifndef TD_STATS_HTML_H
#define TD_STATS_HTML_H

#include <stddef.h>

#include "buf.h"
#include "store.h"

/*
 * The statistics page of `takedown stats --html`: one self-contained
 * HTML5 file (no scripts, no external resources, a Content-Security-Policy
 * that forbids both) with, per role, the provider table and an SVG chart
 * of the takedown times, and an SVG timeline per recent case.
 *
 * Provider names, case tags and URLs come from records and pages the
 * criminals control.  They only ever appear as element text, escaped
 * (td_stats_html_text), cut to a bounded length, never in an attribute.
 */

/* Bytes of attacker text shown, before the "..." mark. */
#define TD_STATS_HTML_MAX_NAME 120 /* provider names in tables */
#define TD_STATS_HTML_MAX_LABEL 36 /* names and URLs beside a chart */
#define TD_STATS_HTML_MAX_URL 160  /* case URLs in tooltips */
/* Drawn at most: durations per provider, marks per case, cases. */
#define TD_STATS_HTML_MAX_DOTS 1000
#define TD_STATS_HTML_MAX_MARKS 64
#define TD_STATS_HTML_MAX_CASES 1000

/* Room for any td_stats_duration() result, NUL included. */
#define TD_STATS_DURATION_LEN 48

/*
 * secs as a person reads it, in at most two units, the second left out
 * when zero: "0s", "45s", "12m 5s", "3h", "3h 20m", "2d 4h", "400d 3h";
 * "-" when secs < 0 (none).  Writes into out and returns out.
 */
char *td_stats_duration(char out[TD_STATS_DURATION_LEN], long long secs);

/*
 * Append at most max bytes of s (len bytes, any content) to out as HTML
 * text that is safe in element content and in attribute values alike:
 * & < > " ' become character references; control bytes (C0, DEL) become
 * the visible text \xNN and C1 controls, bidirectional and invisible
 * format characters \u{XXXX}; invalid UTF-8 and noncharacters become
 * U+FFFD.  When s is longer than max, it is cut at a character boundary
 * and an ellipsis (U+2026) added.  Returns 0 or TD_ENOMEM.
 */
int td_stats_html_text(struct td_buf *out, const char *s, size_t len,
		       size_t max);

/* What a mark on a case timeline stands for. */
enum td_stats_mark_kind {
	TD_MARK_CREATED,
	TD_MARK_SENT,	   /* a report or follow-up sent */
	TD_MARK_AUTO,	   /* an auto-response */
	TD_MARK_ANSWER,	   /* a human answer */
	TD_MARK_BOUNCE,	   /* a delivery failure */
	TD_MARK_MITIGATED, /* the content went away */
	TD_MARK_CLOSED,
	TD_MARK_NR
};

struct td_stats_mark {
	long long at; /* UTC seconds */
	enum td_stats_mark_kind kind;
};

/* One case's timeline; everything borrowed. */
struct td_stats_timeline {
	const char *tag;
	const char *url; /* the first URL of the case, or NULL */
	enum td_case_state state;
	long long created;
	const struct td_stats_mark *marks; /* any order */
	size_t nr_marks;
};

/*
 * Takedown times (seconds, first report sent to the provider ->
 * mitigated) of one provider: a bounded sample, e.g. the most recent
 * ones, in any order; borrowed.
 */
struct td_stats_durations {
	const long long *v;
	size_t nr;
};

/* Everything the page shows; borrowed. */
struct td_stats_page {
	/* the rows, grouped by role in the order shown (most cases first) */
	const struct td_store_stats *stats;
	size_t nr_stats;
	/* nr_stats entries parallel to stats, or NULL: no dots drawn */
	const struct td_stats_durations *down;
	size_t sample; /* the bound the samples were taken with (caption) */
	const struct td_stats_timeline *cases; /* newest first */
	size_t nr_cases;
	long long generated; /* UTC seconds, shown */
};

/*
 * Append the whole page for p to out.  A pure function of p: the same
 * page gives the same bytes.  Returns 0, or TD_ENOMEM (also when out
 * refused to grow past its max).
 */
int td_stats_html(struct td_buf *out, const struct td_stats_page *p);

#endif
