/*
 * The statistics page: HTML5 tables and inline SVG charts, written by
 * hand into a td_buf.  No scripts and no external resources; the only
 * inline style is the <style> element, allowed by its SHA-256 in the
 * page's Content-Security-Policy (CSP Level 2, "hash-source"), and SVG
 * is styled through presentation attributes, which CSP does not govern.
 * Attacker text (provider names, tags, URLs) is only ever element text.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hash.h"
#include "stats_html.h"
#include "term.h"
#include "banned.h"

char *
td_stats_duration(char out[TD_STATS_DURATION_LEN], long long secs)
{
	static const struct {
		long long secs;
		char unit;
	} units[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
	size_t i;
	long long big, small;

	if (secs < 0) {
		snprintf(out, TD_STATS_DURATION_LEN, "-");
		return out;
	}
	for (i = 0; i < 3 && secs < units[i].secs; i++)
		;
	big = secs / units[i].secs;
	if (i == 3) {
		snprintf(out, TD_STATS_DURATION_LEN, "%llds", big);
		return out;
	}
	small = secs % units[i].secs / units[i + 1].secs;
	if (small)
		snprintf(out, TD_STATS_DURATION_LEN, "%lld%c %lld%c", big,
			 units[i].unit, small, units[i + 1].unit);
	else
		snprintf(out, TD_STATS_DURATION_LEN, "%lld%c", big,
			 units[i].unit);
	return out;
}

/* Format characters that reorder or hide text (Unicode bidi, ZW*). */
static int
is_format_char(unsigned cp)
{
	return cp == 0x00ad || cp == 0x061c || cp == 0x180e ||
	       (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff ||
	       (cp >= 0xfff9 && cp <= 0xfffb);
}

static int
is_nonchar(unsigned cp)
{
	return (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe;
}

int
td_stats_html_text(struct td_buf *out, const char *s, size_t len, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;
	unsigned cp;

	if (!s)
		len = 0;
	while (i < len) {
		n = td_utf8_decode(&cp, p + i, len - i);
		if (i + (n ? n : 1) > max) {
			td_buf_adds(out, "\xe2\x80\xa6"); /* ... */
			break;
		}
		if (!n) {
			td_buf_adds(out, "\xef\xbf\xbd");
			i++;
			continue;
		}
		switch (cp) {
		case '&':
			td_buf_adds(out, "&amp;");
			break;
		case '<':
			td_buf_adds(out, "&lt;");
			break;
		case '>':
			td_buf_adds(out, "&gt;");
			break;
		case '"':
			td_buf_adds(out, "&quot;");
			break;
		case '\'':
			td_buf_adds(out, "&#39;");
			break;
		default:
			if (cp < 0x20 || cp == 0x7f)
				td_buf_printf(out, "\\x%02X", cp);
			else if ((cp >= 0x80 && cp < 0xa0) ||
				 is_format_char(cp))
				td_buf_printf(out, "\\u{%04X}", cp);
			else if (is_nonchar(cp))
				td_buf_adds(out, "\xef\xbf\xbd");
			else
				td_buf_add(out, p + i, n);
		}
		i += n;
	}
	return td_buf_failed(out) & TD_BUF_OOM ? TD_ENOMEM : 0;
}

/* ---- small helpers ---- */

static void
text(struct td_buf *o, const char *s, size_t max)
{
	td_stats_html_text(o, s, s ? strlen(s) : 0, max);
}

/* Natural logarithm of x > 0, without libm (enough for pixels). */
static double
ln_(double x)
{
	double z, z2, term, sum = 0;
	int e = 0, k;

	while (x >= 2) {
		x /= 2;
		e++;
	}
	while (x < 1) {
		x *= 2;
		e--;
	}
	/* ln x = 2 atanh z, z = (x-1)/(x+1) <= 1/3 */
	z = (x - 1) / (x + 1);
	z2 = z * z;
	term = z;
	for (k = 1; k < 40; k += 2) {
		sum += term / k;
		term *= z2;
	}
	return 2 * sum + e * 0.69314718055994530942;
}

static void
base64(struct td_buf *o, const unsigned char *p, size_t len)
{
	static const char a[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv"
	    "wxyz0123456789+/";
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		td_buf_addch(o, a[p[i] >> 2]);
		td_buf_addch(o, a[(p[i] & 3) << 4 | p[i + 1] >> 4]);
		td_buf_addch(o, a[(p[i + 1] & 15) << 2 | p[i + 2] >> 6]);
		td_buf_addch(o, a[p[i + 2] & 63]);
	}
	if (len - i == 1) {
		td_buf_addch(o, a[p[i] >> 2]);
		td_buf_addch(o, a[(p[i] & 3) << 4]);
		td_buf_adds(o, "==");
	} else if (len - i == 2) {
		td_buf_addch(o, a[p[i] >> 2]);
		td_buf_addch(o, a[(p[i] & 3) << 4 | p[i + 1] >> 4]);
		td_buf_addch(o, a[(p[i + 1] & 15) << 2]);
		td_buf_addch(o, '=');
	}
}

/* 'sha256-...' of the style sheet, for the CSP. */
static void
style_hash(struct td_buf *o, const char *css)
{
	char hex[65];
	unsigned char raw[32];
	unsigned v;
	size_t i;

	td_sha256_hex(hex, css, strlen(css));
	for (i = 0; i < 32; i++) {
		sscanf(hex + 2 * i, "%2x", &v);
		raw[i] = (unsigned char)v;
	}
	td_buf_adds(o, "'sha256-");
	base64(o, raw, sizeof(raw));
	td_buf_addch(o, '\'');
}

static void
utc(struct td_buf *o, long long t)
{
	struct tm tm;
	time_t tt = (time_t)t;
	char s[40];

	if (t <= 0 || !gmtime_r(&tt, &tm) ||
	    !strftime(s, sizeof(s), "%Y-%m-%d %H:%M UTC", &tm))
		td_buf_adds(o, "-");
	else
		td_buf_adds(o, s);
}

static void
dur(struct td_buf *o, long long secs)
{
	char d[TD_STATS_DURATION_LEN];

	td_buf_adds(o, td_stats_duration(d, secs));
}

/* ---- the page ---- */

static const char css[] =
    "body{font:14px/1.45 system-ui,sans-serif;color:#222;background:#fff;"
    "max-width:64em;margin:1.5em auto;padding:0 1em}"
    "h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;"
    "border-bottom:1px solid #ccc}"
    "table{border-collapse:collapse;margin:.8em 0}"
    "th,td{padding:.2em .6em;border-bottom:1px solid #e2e2e2;"
    "text-align:left;vertical-align:top}"
    "th{background:#f2f2f2}"
    ".n{text-align:right;font-variant-numeric:tabular-nums}"
    "td.n{white-space:nowrap}"
    "td.p{min-width:14em;max-width:26em;overflow-wrap:anywhere}"
    ".note{color:#555;font-size:.92em}"
    "svg{display:block;max-width:100%;height:auto;margin:.6em 0 1.2em}";

/* Display order of the roles; others follow in enum order. */
static const enum td_party_role role_order[] = {
    TD_ROLE_HOST,	TD_ROLE_REGISTRAR, TD_ROLE_CDN,	     TD_ROLE_PLATFORM,
    TD_ROLE_REGISTRANT, TD_ROLE_REGISTRY,  TD_ROLE_UPSTREAM, TD_ROLE_LE,
    TD_ROLE_BLOCKLIST,	TD_ROLE_OTHER};

static const char *
role_title(enum td_party_role r)
{
	switch (r) {
	case TD_ROLE_HOST:
		return "Hosting providers";
	case TD_ROLE_REGISTRAR:
		return "Registrars";
	case TD_ROLE_CDN:
		return "CDNs";
	case TD_ROLE_PLATFORM:
		return "Platforms";
	default:
		return td_store_role_name(r);
	}
}

static void
table(struct td_buf *o, const struct td_stats_page *p, enum td_party_role r)
{
	size_t i;

	td_buf_adds(o, "<table>\n<thead><tr><th>Provider</th>"
		       "<th class=\"n\">Cases</th><th class=\"n\">Reported</th>"
		       "<th class=\"n\">Answer rate</th>"
		       "<th class=\"n\">First answer, median</th>"
		       "<th class=\"n\">Takedown, median</th>"
		       "<th class=\"n\">Takedown, 90th pct.</th>"
		       "</tr></thead>\n<tbody>\n");
	for (i = 0; i < p->nr_stats; i++) {
		const struct td_store_stats *x = &p->stats[i];

		if (x->role != r)
			continue;
		td_buf_adds(o, "<tr><td class=\"p\">");
		text(o, x->name, TD_STATS_HTML_MAX_NAME);
		td_buf_printf(o,
			      "</td><td class=\"n\">%lld</td>"
			      "<td class=\"n\">%lld</td><td class=\"n\">",
			      x->cases, x->reported);
		if (x->reported > 0)
			td_buf_printf(o, "%lld%% (%lld)",
				      (x->answered * 100 + x->reported / 2) /
					  x->reported,
				      x->answered);
		else
			td_buf_adds(o, "-");
		td_buf_adds(o, "</td><td class=\"n\">");
		dur(o, x->answer_median);
		td_buf_adds(o, "</td><td class=\"n\">");
		dur(o, x->down_median);
		td_buf_adds(o, "</td><td class=\"n\">");
		dur(o, x->down_p90);
		td_buf_adds(o, "</td></tr>\n");
	}
	td_buf_adds(o, "</tbody>\n</table>\n");
}

/* Chart geometry (SVG user units). */
#define W 960
#define X0 300.0 /* plot starts */
#define X1 900.0 /* plot ends */
#define ROW 24
#define TOP 28
#define MIN_T 60.0	     /* 1 minute: the left edge */
#define MAX_T (90 * 86400.0) /* 90 days: the right edge */

/* x of duration t on the log axis, clamped to the plot. */
static double
x_log(double t)
{
	if (t < MIN_T)
		t = MIN_T;
	if (t > MAX_T)
		t = MAX_T;
	return X0 +
	       (X1 - X0) * (ln_(t) - ln_(MIN_T)) / (ln_(MAX_T) - ln_(MIN_T));
}

/* x of t seconds after creation: log(1 + t/60), 0 at the left edge. */
static double
x_since(double t)
{
	if (t < 0)
		t = 0;
	if (t > MAX_T)
		t = MAX_T;
	return X0 + (X1 - X0) * ln_(1 + t / 60) / ln_(1 + MAX_T / 60);
}

static const struct {
	long long t;
	const char *label;
} ticks[] = {{60, "1m"},	  {600, "10m"},	      {3600, "1h"},
	     {6 * 3600, "6h"},	  {86400, "1d"},      {7 * 86400, "7d"},
	     {30 * 86400, "30d"}, {90 * 86400, "90d"}};

static void
axis(struct td_buf *o, int h, int since)
{
	size_t i;
	double x;

	for (i = 0; i < sizeof(ticks) / sizeof(ticks[0]); i++) {
		x = since ? x_since((double)ticks[i].t)
			  : x_log((double)ticks[i].t);
		td_buf_printf(
		    o,
		    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" "
		    "y2=\"%d\" stroke=\"#ddd\"/>"
		    "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" "
		    "text-anchor=\"middle\" fill=\"#555\">%s</text>\n",
		    x, TOP - 6, x, h - 6, x, TOP - 10, ticks[i].label);
	}
	if (since)
		td_buf_printf(o,
			      "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" "
			      "text-anchor=\"middle\" fill=\"#555\">0</text>\n",
			      X0, TOP - 10);
}

static size_t
count_role(const struct td_stats_page *p, enum td_party_role r)
{
	size_t i, n = 0;

	for (i = 0; i < p->nr_stats; i++)
		n += p->stats[i].role == r;
	return n;
}

static void
chart(struct td_buf *o, const struct td_stats_page *p, enum td_party_role r)
{
	size_t i, j, row = 0, rows = count_role(p, r);
	int h = TOP + (int)rows * ROW + 8;

	td_buf_printf(o,
		      "<svg xmlns=\"http://www.w3.org/2000/svg\" "
		      "class=\"dist\" width=\"%d\" height=\"%d\" "
		      "viewBox=\"0 0 %d %d\" role=\"img\" "
		      "font-family=\"system-ui,sans-serif\" font-size=\"12\">\n"
		      "<title>Takedown times per provider: %s</title>\n",
		      W, h, W, h, role_title(r));
	for (i = 0; i < p->nr_stats; i++) {
		const struct td_store_stats *x = &p->stats[i];
		double y = TOP + (double)row * ROW, mid = y + ROW / 2.0;

		if (x->role != r)
			continue;
		td_buf_adds(o, "<g class=\"row\"><title>");
		text(o, x->name, TD_STATS_HTML_MAX_NAME);
		td_buf_adds(o, ": median ");
		dur(o, x->down_median);
		td_buf_adds(o, ", 90th percentile ");
		dur(o, x->down_p90);
		td_buf_printf(o, ", %lld taken down</title>\n", x->mitigated);
		if (row % 2 == 0)
			td_buf_printf(o,
				      "<rect x=\"0\" y=\"%.1f\" width=\"%d\" "
				      "height=\"%d\" fill=\"#f6f6f6\"/>\n",
				      y, W, ROW);
		td_buf_printf(o, "<text x=\"6\" y=\"%.1f\">", mid + 4);
		text(o, x->name, TD_STATS_HTML_MAX_LABEL);
		td_buf_adds(o, "</text>\n");
		if (p->down)
			for (j = 0;
			     j < p->down[i].nr && j < TD_STATS_HTML_MAX_DOTS;
			     j++)
				td_buf_printf(
				    o,
				    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" "
				    "fill=\"#3b6ea5\" fill-opacity=\"0.4\"/>\n",
				    x_log((double)p->down[i].v[j]),
				    mid + (double)((j * 7) % 9) * 1.5 - 6);
		if (x->down_median >= 0 && x->down_p90 >= 0)
			td_buf_printf(
			    o,
			    "<rect class=\"spread\" x=\"%.1f\" "
			    "y=\"%.1f\" width=\"%.1f\" height=\"6\" "
			    "fill=\"#c0392b\" fill-opacity=\"0.2\"/>\n",
			    x_log((double)x->down_median), mid - 3,
			    x_log((double)x->down_p90) -
				x_log((double)x->down_median));
		if (x->down_median >= 0)
			td_buf_printf(o,
				      "<line class=\"median\" x1=\"%.1f\" "
				      "y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
				      "stroke=\"#111\" stroke-width=\"3\"/>\n",
				      x_log((double)x->down_median), y + 3,
				      x_log((double)x->down_median),
				      y + ROW - 3);
		if (x->down_p90 >= 0)
			td_buf_printf(
			    o,
			    "<line class=\"p90\" x1=\"%.1f\" "
			    "y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			    "stroke=\"#c0392b\" stroke-width=\"2\"/>\n",
			    x_log((double)x->down_p90), y + 4,
			    x_log((double)x->down_p90), y + ROW - 4);
		if (x->down_median < 0)
			td_buf_printf(o,
				      "<text x=\"%.1f\" y=\"%.1f\" "
				      "fill=\"#888\">no takedown yet</text>\n",
				      X0 + 6, mid + 4);
		td_buf_printf(o,
			      "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" "
			      "fill=\"#555\">%lld</text>\n</g>\n",
			      W - 6, mid + 4, x->mitigated);
		row++;
	}
	axis(o, h, 0);
	td_buf_adds(o, "</svg>\n");
}

static const char *const mark_names[TD_MARK_NR] = {
    "created", "sent",	    "auto-response", "human answer",
    "bounce",  "mitigated", "closed"};

/* The symbol of a mark centred on (x, y). */
static void
symbol(struct td_buf *o, enum td_stats_mark_kind k, double x, double y)
{
	switch (k) {
	case TD_MARK_CREATED:
		td_buf_printf(o,
			      "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" "
			      "fill=\"#999\"/>",
			      x, y);
		break;
	case TD_MARK_SENT:
		td_buf_printf(o,
			      "<path d=\"M%.1f %.1fl5 9h-10z\" "
			      "fill=\"#2a6fdb\"/>",
			      x, y - 5);
		break;
	case TD_MARK_AUTO:
		td_buf_printf(o,
			      "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" "
			      "fill=\"#fff\" stroke=\"#7fa7d9\" "
			      "stroke-width=\"1.5\"/>",
			      x, y);
		break;
	case TD_MARK_ANSWER:
		td_buf_printf(o,
			      "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\" "
			      "fill=\"#1e9e4a\"/>",
			      x, y);
		break;
	case TD_MARK_BOUNCE:
		td_buf_printf(o,
			      "<path d=\"M%.1f %.1fl8 8m0 -8l-8 8\" "
			      "stroke=\"#e67e22\" stroke-width=\"2\"/>",
			      x - 4, y - 4);
		break;
	case TD_MARK_MITIGATED:
		td_buf_printf(o,
			      "<rect x=\"%.1f\" y=\"%.1f\" width=\"9\" "
			      "height=\"9\" fill=\"#0b5d2a\"/>",
			      x - 4.5, y - 4.5);
		break;
	default:
		td_buf_printf(o,
			      "<rect x=\"%.1f\" y=\"%.1f\" width=\"3\" "
			      "height=\"14\" fill=\"#222\"/>",
			      x - 1.5, y - 7);
		break;
	}
}

static void
legend(struct td_buf *o)
{
	int k;
	double x = 10;

	td_buf_adds(o, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
		       "class=\"legend\" width=\"960\" height=\"24\" "
		       "viewBox=\"0 0 960 24\" font-family=\"system-ui,"
		       "sans-serif\" font-size=\"12\">\n");
	for (k = 0; k < TD_MARK_NR; k++) {
		symbol(o, (enum td_stats_mark_kind)k, x, 12);
		td_buf_printf(o, "<text x=\"%.1f\" y=\"16\">%s</text>\n",
			      x + 10, mark_names[k]);
		x += 20 + 7.0 * (double)strlen(mark_names[k]) + 18;
	}
	td_buf_adds(o, "</svg>\n");
}

static void
timelines(struct td_buf *o, const struct td_stats_page *p)
{
	size_t i, j, n = p->nr_cases;
	int h;

	if (n > TD_STATS_HTML_MAX_CASES)
		n = TD_STATS_HTML_MAX_CASES;
	h = TOP + (int)n * ROW + 8;
	legend(o);
	td_buf_printf(o,
		      "<svg xmlns=\"http://www.w3.org/2000/svg\" "
		      "class=\"timeline\" width=\"%d\" height=\"%d\" "
		      "viewBox=\"0 0 %d %d\" role=\"img\" "
		      "font-family=\"system-ui,sans-serif\" font-size=\"12\">\n"
		      "<title>Timelines of the most recent cases</title>\n",
		      W, h, W, h);
	for (i = 0; i < n; i++) {
		const struct td_stats_timeline *c = &p->cases[i];
		double y = TOP + (double)i * ROW, mid = y + ROW / 2.0;
		long long last = 0;
		size_t nm = c->nr_marks < TD_STATS_HTML_MAX_MARKS
				? c->nr_marks
				: TD_STATS_HTML_MAX_MARKS;

		for (j = 0; j < nm; j++)
			if (c->marks[j].at - c->created > last)
				last = c->marks[j].at - c->created;
		td_buf_adds(o, "<g class=\"case\"><title>");
		text(o, c->tag, TD_STATS_HTML_MAX_LABEL);
		td_buf_printf(o, " (%s), created ",
			      td_store_state_name(c->state)
				  ? td_store_state_name(c->state)
				  : "?");
		utc(o, c->created);
		if (c->url) {
			td_buf_adds(o, ": ");
			text(o, c->url, TD_STATS_HTML_MAX_URL);
		}
		td_buf_adds(o, "</title>\n");
		if (i % 2 == 0)
			td_buf_printf(o,
				      "<rect x=\"0\" y=\"%.1f\" width=\"%d\" "
				      "height=\"%d\" fill=\"#f6f6f6\"/>\n",
				      y, W, ROW);
		td_buf_printf(o, "<text x=\"6\" y=\"%.1f\">", mid + 4);
		text(o, c->tag, 24);
		td_buf_printf(o,
			      "</text><text x=\"130\" y=\"%.1f\" "
			      "fill=\"#666\">",
			      mid + 4);
		text(o, c->url ? c->url : "", 22);
		td_buf_printf(o,
			      "</text>\n<line x1=\"%.1f\" y1=\"%.1f\" "
			      "x2=\"%.1f\" y2=\"%.1f\" stroke=\"#bbb\" "
			      "stroke-width=\"2\"/>\n",
			      X0, mid, x_since((double)last), mid);
		for (j = 0; j < nm; j++) {
			const struct td_stats_mark *m = &c->marks[j];
			long long since = m->at - c->created;

			if (m->kind >= TD_MARK_NR)
				continue;
			td_buf_printf(o, "<g class=\"mark %s\"><title>%s ",
				      m->kind == TD_MARK_ANSWER ? "answer"
				      : m->kind == TD_MARK_AUTO
					  ? "auto"
					  : mark_names[m->kind],
				      mark_names[m->kind]);
			if (m->kind != TD_MARK_CREATED) {
				dur(o, since < 0 ? 0 : since);
				td_buf_adds(o, " after creation, ");
			}
			utc(o, m->at);
			td_buf_adds(o, "</title>");
			symbol(o, m->kind, x_since((double)since), mid);
			td_buf_adds(o, "</g>\n");
		}
		td_buf_adds(o, "</g>\n");
	}
	axis(o, h, 1);
	td_buf_adds(o, "</svg>\n");
}

int
td_stats_html(struct td_buf *o, const struct td_stats_page *p)
{
	size_t i, shown = 0;

	td_buf_adds(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
		       "<meta charset=\"utf-8\">\n"
		       "<meta http-equiv=\"Content-Security-Policy\" "
		       "content=\"default-src 'none'; style-src ");
	style_hash(o, css);
	td_buf_adds(o, "; base-uri 'none'; form-action 'none'\">\n"
		       "<meta name=\"referrer\" content=\"no-referrer\">\n"
		       "<meta name=\"viewport\" content=\"width=device-width, "
		       "initial-scale=1\">\n"
		       "<title>takedown statistics</title>\n<style>");
	td_buf_adds(o, css);
	td_buf_adds(o, "</style>\n</head>\n<body>\n<h1>Takedown statistics"
		       "</h1>\n<p class=\"note\">Generated ");
	utc(o, p->generated);
	td_buf_adds(o, ". Times run from the first report sent to a provider: "
		       "to its first human answer, and to the takedown (the "
		       "case marked mitigated). Medians and 90th percentiles "
		       "are exact, over all cases.</p>\n");

	for (i = 0; i < sizeof(role_order) / sizeof(role_order[0]); i++) {
		enum td_party_role r = role_order[i];

		if (!count_role(p, r))
			continue;
		shown++;
		td_buf_printf(o, "<section>\n<h2>%s</h2>\n", role_title(r));
		table(o, p, r);
		td_buf_adds(o,
			    "<p class=\"note\">Takedown times on a "
			    "logarithmic axis: black, the median; red, the "
			    "90th percentile; the number of takedowns on the "
			    "right");
		if (p->down)
			td_buf_printf(o,
				      "; each dot one takedown (the %zu "
				      "most recent at most)",
				      p->sample);
		td_buf_adds(o, ".</p>\n");
		chart(o, p, r);
		td_buf_adds(o, "</section>\n");
	}
	if (!shown)
		td_buf_adds(o,
			    "<p>No providers yet: no case has a party.</p>\n");

	td_buf_adds(o, "<section>\n<h2>Recent cases</h2>\n");
	if (p->nr_cases) {
		td_buf_printf(o,
			      "<p class=\"note\">The %zu most recent cases, "
			      "newest first; time since each case was "
			      "created, on a logarithmic axis.</p>\n",
			      p->nr_cases < TD_STATS_HTML_MAX_CASES
				  ? p->nr_cases
				  : (size_t)TD_STATS_HTML_MAX_CASES);
		timelines(o, p);
	} else {
		td_buf_adds(o, "<p>No cases yet.</p>\n");
	}
	td_buf_adds(o, "</section>\n</body>\n</html>\n");
	return td_buf_failed(o) ? TD_ENOMEM : 0;
}
