/*
 * takedown stats: how fast each provider answers and takes sites down,
 * from the figures the store keeps up to date (td_store_stats_list), as
 * tables, JSON (takedown-stats/1) or a self-contained HTML page with
 * charts and the timelines of the most recent cases.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "clock.h"
#include "jsonw.h"
#include "paths.h"
#include "stats_html.h"
#include "store.h"
#include "term.h"
#include "banned.h"

/* Takedown times read per provider for the page's dots. */
#define SAMPLE 100
/* Columns of a provider name in the text table. */
#define NAME_COLS 36
/* The page is refused past this size (bounded input makes it smaller). */
#define MAX_PAGE (64u << 20)

static int opt_json, opt_all;
static unsigned opt_limit = 20, opt_min_cases, opt_cases = 30;
static const char *opt_role, *opt_html, *opt_store;

static const struct td_opt options[] = {
    {"role", 0, TD_OPT_STRING, &opt_role, "ROLE",
     "one role only: host, registrar, cdn, platform (or another role)"},
    {"limit", 'n', TD_OPT_UINT, &opt_limit, "N",
     "the N providers with the most cases per role (default 20)"},
    {"all", 'a', TD_OPT_FLAG, &opt_all, NULL, "every provider"},
    {"min-cases", 0, TD_OPT_UINT, &opt_min_cases, "N",
     "only providers with at least N cases"},
    {"json", 'j', TD_OPT_FLAG, &opt_json, NULL,
     "print JSON (schema takedown-stats/1) instead of tables"},
    {"html", 0, TD_OPT_STRING, &opt_html, "FILE",
     "also write a self-contained HTML page with charts to FILE"},
    {"cases", 0, TD_OPT_UINT, &opt_cases, "N",
     "timelines of the N most recent cases in the page (default 30)"},
    {"store", 0, TD_OPT_STRING, &opt_store, "FILE",
     "the case store (default: cases.sqlite in the data folder)"},
    {NULL, 0, 0, NULL, NULL, NULL},
};

static const enum td_party_role default_roles[] = {
    TD_ROLE_HOST, TD_ROLE_REGISTRAR, TD_ROLE_CDN, TD_ROLE_PLATFORM};

/* The rows of every role asked for, grouped by role. */
struct rows {
	struct td_store_stats *v;
	size_t nr, alloc;
	enum td_party_role roles[TD_ROLE_NR];
	size_t nr_roles;
};

static void
rows_release(struct rows *r)
{
	td_store_stats_list_free(r->v, r->nr);
	memset(r, 0, sizeof(*r));
}

static int
load_rows(struct rows *r, struct td_store *s, struct td_error *err)
{
	struct td_store_stats_filter f;
	struct td_store_stats *v = NULL;
	size_t nr = 0, i, k;
	int rc;

	for (k = 0; k < r->nr_roles; k++) {
		memset(&f, 0, sizeof(f));
		f.role = r->roles[k];
		f.min_cases = opt_min_cases;
		f.limit = opt_all ? 0 : opt_limit;
		rc = td_store_stats_list(&v, &nr, s, &f, err);
		if (rc < 0)
			return rc;
		if (nr && TD_ARRAY_GROW(r->v, r->nr + nr, r->alloc)) {
			td_store_stats_list_free(v, nr);
			return td_error_set(err, TD_ENOMEM, "out of memory");
		}
		/* the rows move over; only the array itself is freed */
		for (i = 0; i < nr; i++)
			r->v[r->nr++] = v[i];
		free(v);
	}
	return 0;
}

/* ---- text ---- */

static void
cell_dur(struct td_buf *o, long long secs, int width)
{
	char d[TD_STATS_DURATION_LEN];

	td_buf_printf(o, "  %*s", width, td_stats_duration(d, secs));
}

static void
print_text(const struct rows *r)
{
	struct td_buf o = TD_BUF_INIT, name = TD_BUF_INIT;
	size_t i, k, n;

	for (k = 0; k < r->nr_roles; k++) {
		enum td_party_role role = r->roles[k];

		for (i = 0, n = 0; i < r->nr; i++)
			n += r->v[i].role == role;
		td_buf_printf(&o, "%s%s: %zu provider%s\n", k ? "\n" : "",
			      td_store_role_name(role), n, n == 1 ? "" : "s");
		if (!n) {
			td_buf_adds(&o, "  none yet\n");
			continue;
		}
		td_buf_printf(&o, "  %-*s  %6s  %8s  %11s  %12s  %9s  %9s\n",
			      NAME_COLS, "provider", "cases", "reported",
			      "answer rate", "first answer", "takedown", "p90");
		for (i = 0; i < r->nr; i++) {
			const struct td_store_stats *x = &r->v[i];
			char rate[32];

			if (x->role != role)
				continue;
			td_buf_reset(&name);
			td_term_escape(&name, x->name, strlen(x->name), 0);
			if (name.len > NAME_COLS) {
				td_buf_truncate(&name, NAME_COLS - 3);
				td_buf_adds(&name, "...");
			}
			if (x->reported > 0)
				snprintf(rate, sizeof(rate), "%lld%%",
					 (x->answered * 100 + x->reported / 2) /
					     x->reported);
			else
				snprintf(rate, sizeof(rate), "-");
			td_buf_printf(&o, "  %-*s  %6lld  %8lld  %11s",
				      NAME_COLS, name.ptr, x->cases,
				      x->reported, rate);
			cell_dur(&o, x->answer_median, 12);
			cell_dur(&o, x->down_median, 9);
			cell_dur(&o, x->down_p90, 9);
			td_buf_addch(&o, '\n');
		}
	}
	fwrite(o.ptr, 1, o.len, stdout);
	td_buf_release(&o);
	td_buf_release(&name);
}

/* ---- JSON ---- */

static void
kdur(struct td_jw *w, const char *key, long long secs)
{
	if (secs < 0) {
		td_jw_key(w, key);
		td_jw_null(w);
	} else {
		td_jw_kint(w, key, secs);
	}
}

static void
print_json(const struct rows *r, long long now)
{
	struct td_buf o = TD_BUF_INIT;
	struct td_jw w;
	size_t i, k;

	td_jw_init(&w, &o);
	td_jw_obj(&w);
	td_jw_kstr(&w, "schema", "takedown-stats/1");
	td_jw_ktime(&w, "generated", now);
	td_jw_key(&w, "limit");
	if (opt_all)
		td_jw_null(&w);
	else
		td_jw_int(&w, opt_limit);
	td_jw_kint(&w, "min_cases", opt_min_cases);
	td_jw_key(&w, "roles");
	td_jw_arr(&w);
	for (k = 0; k < r->nr_roles; k++) {
		td_jw_obj(&w);
		td_jw_kstr(&w, "role", td_store_role_name(r->roles[k]));
		td_jw_key(&w, "providers");
		td_jw_arr(&w);
		for (i = 0; i < r->nr; i++) {
			const struct td_store_stats *x = &r->v[i];

			if (x->role != r->roles[k])
				continue;
			td_jw_obj(&w);
			td_jw_kstr(&w, "name", x->name);
			td_jw_kint(&w, "cases", x->cases);
			td_jw_kint(&w, "reported", x->reported);
			td_jw_kint(&w, "answered", x->answered);
			td_jw_kint(&w, "mitigated", x->mitigated);
			td_jw_key(&w, "answer_rate");
			if (x->reported > 0) {
				/*
				 * A fraction with four decimals, written by
				 * hand (jsonw has no number writer for it;
				 * no printf %f: the locale could make it a
				 * comma), then marked as the key's value.
				 */
				long long q =
				    (x->answered * 10000 + x->reported / 2) /
				    x->reported;

				td_buf_printf(&o, "%lld.%04lld", q / 10000,
					      q % 10000);
				w.first[w.depth] = 0;
			} else {
				td_jw_null(&w);
			}
			kdur(&w, "answer_median", x->answer_median);
			kdur(&w, "down_median", x->down_median);
			kdur(&w, "down_p90", x->down_p90);
			td_jw_obj_end(&w);
		}
		td_jw_arr_end(&w);
		td_jw_obj_end(&w);
	}
	td_jw_arr_end(&w);
	td_jw_obj_end(&w);
	td_buf_addch(&o, '\n');
	fwrite(o.ptr, 1, o.len, stdout);
	td_buf_release(&o);
}

/* ---- the page ---- */

struct sample {
	struct td_store *s;
	enum td_party_role role;
	const char *name;
	long long *v;
	size_t nr;
	struct td_error *err;
};

/* One case of the provider: its takedown time for that party. */
static int
sample_case(const struct td_store_case *c, void *payload)
{
	struct sample *x = payload;
	struct td_store_party *pv = NULL;
	size_t np = 0, i;
	int rc;

	if (c->mitigated <= 0 || x->nr >= SAMPLE)
		return 0;
	rc = td_store_party_list(&pv, &np, x->s, c->id, x->err);
	if (rc < 0)
		return rc;
	for (i = 0; i < np; i++)
		if (pv[i].role == x->role && pv[i].first_sent > 0 &&
		    !strcasecmp(pv[i].name, x->name)) {
			x->v[x->nr++] = c->mitigated > pv[i].first_sent
					    ? c->mitigated - pv[i].first_sent
					    : 0;
			break;
		}
	td_store_party_list_free(pv, np);
	return 0;
}

/*
 * The takedown times of the most recent (at most SAMPLE) mitigated or
 * closed cases of each provider shown.  dv gets r->nr entries whose v
 * arrays the caller frees.
 */
static int
load_samples(struct td_stats_durations *dv, struct td_store *s,
	     const struct rows *r, struct td_error *err)
{
	struct td_store_filter f;
	struct sample x;
	size_t i;
	int rc;

	for (i = 0; i < r->nr; i++) {
		memset(&x, 0, sizeof(x));
		x.v = calloc(SAMPLE, sizeof(*x.v));
		if (!x.v)
			return td_error_set(err, TD_ENOMEM, "out of memory");
		dv[i].v = x.v;
		if (r->v[i].mitigated == 0)
			continue;
		x.s = s;
		x.role = r->v[i].role;
		x.name = r->v[i].name;
		x.err = err;
		memset(&f, 0, sizeof(f));
		f.role = x.role;
		f.provider = x.name;
		f.states = 1u << TD_STATE_MITIGATED | 1u << TD_STATE_CLOSED;
		f.limit = SAMPLE;
		rc = td_store_case_each(s, &f, sample_case, &x, err);
		dv[i].nr = x.nr;
		if (rc < 0)
			return rc;
	}
	return 0;
}

static enum td_stats_mark_kind
mark_of(enum td_event_kind k)
{
	switch (k) {
	case TD_EV_CREATED:
		return TD_MARK_CREATED;
	case TD_EV_SENT:
	case TD_EV_SUBMITTED:
		return TD_MARK_SENT;
	case TD_EV_AUTO_REPLY:
		return TD_MARK_AUTO;
	case TD_EV_REPLY:
		return TD_MARK_ANSWER;
	case TD_EV_BOUNCE:
		return TD_MARK_BOUNCE;
	default:
		return TD_MARK_NR;
	}
}

struct timelines {
	struct td_store_case *cases;
	size_t nr;
	struct td_store_url **urls;
	size_t *nr_urls;
	struct td_stats_mark **marks;
	struct td_stats_timeline *t;
};

static void
timelines_release(struct timelines *tl)
{
	size_t i;

	for (i = 0; i < tl->nr; i++) {
		if (tl->urls)
			td_store_url_list_free(tl->urls[i], tl->nr_urls[i]);
		if (tl->marks)
			free(tl->marks[i]);
	}
	free(tl->urls);
	free(tl->nr_urls);
	free(tl->marks);
	free(tl->t);
	td_store_case_list_free(tl->cases, tl->nr);
	memset(tl, 0, sizeof(*tl));
}

static int
add_mark(struct td_stats_mark *m, size_t *n, long long at,
	 enum td_stats_mark_kind k)
{
	if (*n >= TD_STATS_HTML_MAX_MARKS || at <= 0)
		return 0;
	m[*n].at = at;
	m[*n].kind = k;
	(*n)++;
	return 0;
}

static int
load_timelines(struct timelines *tl, struct td_store *s, struct td_error *err)
{
	struct td_store_filter f;
	struct td_store_event *ev = NULL;
	size_t i, j, nev = 0, nm;
	int rc;

	memset(&f, 0, sizeof(f));
	f.limit = opt_cases;
	rc = td_store_case_list(&tl->cases, &tl->nr, s, &f, err);
	if (rc < 0 || !tl->nr)
		return rc;
	tl->urls = calloc(tl->nr, sizeof(*tl->urls));
	tl->nr_urls = calloc(tl->nr, sizeof(*tl->nr_urls));
	tl->marks = calloc(tl->nr, sizeof(*tl->marks));
	tl->t = calloc(tl->nr, sizeof(*tl->t));
	if (!tl->urls || !tl->nr_urls || !tl->marks || !tl->t)
		return td_error_set(err, TD_ENOMEM, "out of memory");
	for (i = 0; i < tl->nr; i++) {
		const struct td_store_case *c = &tl->cases[i];
		struct td_stats_mark *m;

		m = tl->marks[i] = calloc(TD_STATS_HTML_MAX_MARKS, sizeof(*m));
		if (!m)
			return td_error_set(err, TD_ENOMEM, "out of memory");
		rc = td_store_url_list(&tl->urls[i], &tl->nr_urls[i], s, c->id,
				       err);
		if (rc < 0)
			return rc;
		rc = td_store_event_list(&ev, &nev, s, c->id, err);
		if (rc < 0)
			return rc;
		nm = 0;
		/* the case's own times first: they must not be crowded out */
		add_mark(m, &nm, c->created, TD_MARK_CREATED);
		add_mark(m, &nm, c->mitigated, TD_MARK_MITIGATED);
		add_mark(m, &nm, c->closed, TD_MARK_CLOSED);
		for (j = 0; j < nev; j++)
			if (ev[j].kind != TD_EV_CREATED &&
			    mark_of(ev[j].kind) != TD_MARK_NR)
				add_mark(m, &nm, ev[j].at, mark_of(ev[j].kind));
		td_store_event_list_free(ev, nev);
		ev = NULL;
		tl->t[i].tag = c->tag;
		tl->t[i].url = tl->nr_urls[i] ? tl->urls[i][0].url : NULL;
		tl->t[i].state = c->state;
		tl->t[i].created = c->created;
		tl->t[i].marks = m;
		tl->t[i].nr_marks = nm;
	}
	return 0;
}

/* Write data to path through a temporary file and a rename. */
static int
write_atomic(const char *path, const char *data, size_t len)
{
	struct td_buf tmp = TD_BUF_INIT;
	int fd, saved;
	size_t off = 0;
	ssize_t n;

	td_buf_printf(&tmp, "%s.XXXXXX", path);
	if (td_buf_failed(&tmp)) {
		errno = ENOMEM;
		return -1;
	}
	fd = mkstemp(tmp.ptr);
	if (fd < 0) {
		td_buf_release(&tmp);
		return -1;
	}
	while (off < len) {
		n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		off += (size_t)n;
	}
	if (fchmod(fd, 0644) < 0 || fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp.ptr, path) < 0)
		goto fail;
	td_buf_release(&tmp);
	return 0;
fail:
	saved = errno ? errno : EIO;
	if (fd >= 0)
		close(fd);
	unlink(tmp.ptr);
	td_buf_release(&tmp);
	errno = saved;
	return -1;
}

static int
write_page(struct td_store *s, const struct rows *r, long long now)
{
	struct td_error err = {0, ""};
	struct td_stats_durations *dv = NULL;
	struct timelines tl;
	struct td_stats_page p;
	struct td_buf o, name = TD_BUF_INIT;
	size_t i;
	int rc = EXIT_FAIL;

	memset(&tl, 0, sizeof(tl));
	td_buf_init(&o, MAX_PAGE);
	dv = calloc(r->nr ? r->nr : 1, sizeof(*dv));
	if (!dv) {
		td_die_msg("stats", "out of memory");
		goto out;
	}
	if (load_samples(dv, s, r, &err) < 0 ||
	    load_timelines(&tl, s, &err) < 0) {
		td_die_msg("stats", "%s", err.msg);
		goto out;
	}
	memset(&p, 0, sizeof(p));
	p.stats = r->v;
	p.nr_stats = r->nr;
	p.down = dv;
	p.sample = SAMPLE;
	p.cases = tl.t;
	p.nr_cases = tl.nr;
	p.generated = now;
	td_term_escape(&name, opt_html, strlen(opt_html), 0);
	if (td_stats_html(&o, &p) < 0) {
		td_die_msg("stats", "%s: the page is too large", name.ptr);
		goto out;
	}
	if (write_atomic(opt_html, o.ptr, o.len) < 0) {
		td_die_msg("stats", "%s: %s", name.ptr, strerror(errno));
		goto out;
	}
	if (!opt_json)
		printf("\npage written to %s\n", name.ptr);
	rc = EXIT_OK;
out:
	for (i = 0; dv && i < r->nr; i++)
		free((void *)dv[i].v);
	free(dv);
	timelines_release(&tl);
	td_buf_release(&o);
	td_buf_release(&name);
	return rc;
}

static int
run(int argc, char **argv)
{
	struct td_error err = {0, ""};
	struct td_store *s = NULL;
	struct td_buf esc = TD_BUF_INIT;
	struct rows r;
	struct stat st;
	char *path = NULL;
	long long now = td_now();
	size_t i;
	int rc = EXIT_FAIL;

	(void)argv;
	memset(&r, 0, sizeof(r));
	if (argc != 0) {
		td_die_msg("stats", "takes no arguments (see takedown help "
				    "stats)");
		return EXIT_USAGE;
	}
	if (!opt_all && opt_limit == 0) {
		td_die_msg("stats", "--limit needs at least 1 (or --all)");
		return EXIT_USAGE;
	}
	if (opt_cases > TD_STATS_HTML_MAX_CASES) {
		td_die_msg("stats", "--cases: at most %d",
			   TD_STATS_HTML_MAX_CASES);
		return EXIT_USAGE;
	}
	if (opt_html && !*opt_html) {
		td_die_msg("stats", "--html needs a file name");
		return EXIT_USAGE;
	}
	if (opt_role) {
		int role = td_store_role_parse(opt_role);

		if (role <= 0) {
			td_die_msg("stats", "unknown role (host, registrar, "
					    "cdn, platform, registrant, ...)");
			return EXIT_USAGE;
		}
		r.roles[r.nr_roles++] = (enum td_party_role)role;
	} else {
		for (i = 0; i < sizeof(default_roles) / sizeof(*default_roles);
		     i++)
			r.roles[r.nr_roles++] = default_roles[i];
	}

	path = opt_store ? strdup(opt_store) : td_path_data("cases.sqlite");
	if (!path) {
		td_die_msg("stats", "no data folder");
		return EXIT_FAIL;
	}
	td_term_escape(&esc, path, strlen(path), 0);
	/* a report only reads: never create a store for it */
	if (stat(path, &st) < 0) {
		td_die_msg("stats", "%s: no case store (nothing reported yet?)",
			   esc.ptr);
		goto out;
	}
	if (td_store_open(&s, path, &err) < 0) {
		td_die_msg("stats", "%s", err.msg);
		goto out;
	}
	if (load_rows(&r, s, &err) < 0) {
		td_die_msg("stats", "%s", err.msg);
		goto out;
	}
	if (opt_json)
		print_json(&r, now);
	else
		print_text(&r);
	fflush(stdout);
	rc = opt_html ? write_page(s, &r, now) : EXIT_OK;
out:
	rows_release(&r);
	td_store_close(s);
	td_buf_release(&esc);
	free(path);
	return rc;
}

const struct td_cmd cmd_stats_def = {
    "stats",
    "",
    "how fast each provider answers and takes sites down",
    "For each role (host, registrar, cdn, platform; --role for one) prints\n"
    "a table of the providers with the most cases: cases, how many were\n"
    "reported to them, the share of those a human answered, the median time\n"
    "from the first report sent to the first human answer, and the median\n"
    "and 90th percentile time from the first report sent to the takedown\n"
    "(the case marked mitigated).  Percentiles are nearest-rank and exact.\n"
    "The figures are kept up to date by the store, so this is fast on a\n"
    "store of millions of cases.\n"
    "\n"
    "--json prints them as JSON (schema takedown-stats/1, durations in\n"
    "seconds, null when there are none).  --html FILE also writes one\n"
    "self-contained page (no scripts, no external resources) with the\n"
    "tables, a chart of the takedown times per provider and the timelines\n"
    "of the most recent cases.\n",
    options,
    run,
};
