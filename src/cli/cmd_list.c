/*
 * takedown list: one line per case, newest first, filtered.
 *
 * At 1,000,000 cases this must stay under 100 ms, so only the page that
 * is printed is read (the store's query with a LIMIT), each case's URLs,
 * labels and parties by their case indexes, and the cases past the page
 * are counted by the same query up to MORE_CAP, without loading them.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "caseview.h"
#include "cli.h"
#include "filter.h"
#include "clock.h"
#include "jsonw.h"
#include "store.h"
#include "term.h"
#include "banned.h"

#define DEFAULT_LIMIT 50
/*
 * Past the page, at most this many more cases are counted, by reading
 * further rows of the same query without loading them.  An exact
 * td_store_case_count() costs up to a second at 1,000,000 cases for
 * filters that select many (a big registrar, a kind, an age, escalated:
 * it visits every match), far over the list's 100 ms.  The exception is
 * --newer-than: its count walks the created index (a few ms), whereas
 * reading past the page scans the cases by id to the oldest when fewer
 * match than the rows asked for.
 */
#define MORE_CAP 1000

static int opt_json, opt_all;
static const char *opt_store;
static struct td_filter_opts opt_filter;
static unsigned opt_limit = UINT_MAX; /* UINT_MAX: not given */

static const struct td_opt list_options[] = {
    TD_FILTER_OPTIONS(opt_filter),
    {"all", 'a', TD_OPT_FLAG, &opt_all, NULL,
     "closed cases too, and no default limit"},
    {"limit", 'n', TD_OPT_UINT, &opt_limit, "N",
     "at most N cases (default 50; 0: no limit)"},
    {"json", 'j', TD_OPT_FLAG, &opt_json, NULL,
     "write JSON (schema takedown-list/1)"},
    {"store", 0, TD_OPT_STRING, &opt_store, "FILE",
     "the case store (default: cases.sqlite in the data folder)"},
    {NULL, 0, 0, NULL, NULL, NULL},
};

struct list_ctx {
	struct td_store *s;
	struct td_buf out;
	struct td_jw w;
	size_t limit; /* 0: all */
	size_t shown;
	size_t more; /* cases past the page, counted up to MORE_CAP + 1 */
	int count;   /* count with td_store_case_count() instead */
	long long now;
	struct td_error *err;
};

static void
flush(struct td_buf *b)
{
	if (b->len)
		fwrite(b->ptr, 1, b->len, stdout);
	td_buf_reset(b);
}

static void
case_json(struct td_jw *w, const struct td_store_case *c,
	  const struct td_caseview *v, long long now)
{
	size_t i;

	td_jw_obj(w);
	td_jw_kstr(w, "tag", c->tag);
	td_jw_ktime(w, "created", c->created);
	td_jw_kint(w, "age_secs", now - c->created);
	td_jw_kstr(w, "state", td_store_state_name(c->state));
	td_jw_ktime(w, "state_since", c->state_since > 0 ? c->state_since : -1);
	td_jw_kstr(w, "kind", td_case_kind_name(c->kind));
	td_jw_kstr(w, "mitigation",
		   c->mitigation != TD_MIT_NONE
		       ? td_store_mitigation_name(c->mitigation)
		       : NULL);
	td_jw_kbool(w, "escalated", c->escalated);
	td_jw_kstr(w, "host", td_caseview_first_host(v));
	td_jw_key(w, "urls");
	td_jw_arr(w);
	for (i = 0; i < v->nr_urls; i++)
		td_jw_str(w, v->urls[i].url);
	td_jw_arr_end(w);
	td_jw_kstrv(w, "labels", v->labels, v->nr_labels);
	td_jw_key(w, "parties");
	td_jw_arr(w);
	for (i = 0; i < v->nr_parties; i++) {
		td_jw_obj(w);
		td_jw_kstr(w, "role", td_store_role_name(v->parties[i].role));
		td_jw_kstr(w, "name", v->parties[i].name);
		td_jw_kstr(w, "target", v->parties[i].target);
		td_jw_obj_end(w);
	}
	td_jw_arr_end(w);
	td_jw_obj_end(w);
}

static int
one_case(const struct td_store_case *c, void *payload)
{
	struct list_ctx *x = payload;
	struct td_caseview v;
	int rc;

	if (x->limit && x->shown == x->limit) {
		x->more++;
		return x->count; /* 1 stops: counted separately */
	}
	rc = td_caseview_load(&v, x->s, c->id, x->err);
	if (!rc) {
		if (opt_json)
			case_json(&x->w, c, &v, x->now);
		else {
			if (!x->shown)
				td_caseview_header(&x->out);
			td_caseview_line(&x->out, c, &v, x->now);
		}
		if (td_buf_failed(&x->out))
			rc = td_error_set(x->err, TD_ENOMEM, "out of memory");
	}
	td_caseview_release(&v);
	if (rc)
		return rc;
	x->shown++;
	flush(&x->out);
	return 0;
}

static int
run_list(int argc, char **argv)
{
	struct td_caseview_query q;
	struct td_store_filter f;
	struct td_error err = {0, ""};
	struct list_ctx x;
	size_t more;
	int rc, status = EXIT_FAIL, have_store = 1, exact;

	(void)argv;
	memset(&x, 0, sizeof(x));
	td_buf_init(&x.out, 0);
	if (argc) {
		td_die_msg("list", "takes no arguments, only options (see "
				   "takedown help list)");
		status = EXIT_USAGE;
		goto out;
	}
	x.now = td_now();
	x.err = &err;
	td_filter_query(&q, &opt_filter, opt_all);
	if (td_caseview_filter(&f, &q, x.now, &err) < 0) {
		td_die_msg("list", "%s", err.msg);
		status = EXIT_USAGE;
		goto out;
	}
	if (opt_limit == UINT_MAX)
		x.limit = opt_all ? 0 : DEFAULT_LIMIT;
	else
		x.limit = opt_limit;
	/* the page, then up to MORE_CAP + 1 to say how many more */
	x.count = f.created_after != 0;
	f.limit = !x.limit ? 0 : x.count ? x.limit + 1 : x.limit + MORE_CAP + 1;

	rc = td_caseview_open(&x.s, opt_store, 0, &err);
	if (rc == TD_ENOTFOUND) {
		have_store = 0; /* nothing reported yet: no cases */
	} else if (rc < 0) {
		td_die_msg("list", "%s", err.msg);
		goto out;
	}
	if (opt_json) {
		td_jw_init(&x.w, &x.out);
		td_jw_obj(&x.w);
		td_jw_kstr(&x.w, "schema", "takedown-list/1");
		td_jw_ktime(&x.w, "now", x.now);
		td_jw_key(&x.w, "cases");
		td_jw_arr(&x.w);
		flush(&x.out);
	}
	if (have_store) {
		rc = td_store_case_each(x.s, &f, one_case, &x, &err);
		if (rc < 0) {
			td_die_msg("list", "%s", err.msg);
			goto out;
		}
		if (x.more && x.count) {
			long long n = 0;

			if (td_store_case_count(&n, x.s, &f, &err) < 0) {
				td_die_msg("list", "%s", err.msg);
				goto out;
			}
			x.more = n > (long long)x.shown
				     ? (size_t)(n - (long long)x.shown)
				     : 0;
		}
	}
	exact = x.count || x.more <= MORE_CAP;
	more = exact ? x.more : MORE_CAP;
	if (opt_json) {
		td_jw_arr_end(&x.w);
		td_jw_kint(&x.w, "shown", (long long)x.shown);
		td_jw_kint(&x.w, "more", (long long)more);
		td_jw_kbool(&x.w, "more_exact", exact);
		td_jw_obj_end(&x.w);
		td_buf_addch(&x.out, '\n');
	} else if (!x.shown) {
		td_buf_adds(&x.out,
			    !have_store ? "no cases yet\n"
			    : !f.states || f.states & (1u << TD_STATE_CLOSED)
				? "no cases match\n"
				: "no cases match (closed cases are "
				  "hidden: --all shows them)\n");
	} else if (x.more) {
		td_buf_printf(&x.out,
			      "%s%zu more: --limit N shows N, --all shows "
			      "all\n",
			      exact ? "" : "over ", more);
	}
	if (td_buf_failed(&x.out)) {
		td_die_msg("list", "out of memory");
		goto out;
	}
	flush(&x.out);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		td_die_msg("list", "cannot write the list");
		goto out;
	}
	status = EXIT_OK;
out:
	td_buf_release(&x.out);
	td_store_close(x.s);
	td_filter_opts_release(&opt_filter);
	return status;
}

const struct td_cmd cmd_list_def = {
    "list",
    "",
    "list cases, newest first, with filters",
    "Prints one line per case, newest first: tag, state, kind, age,\n"
    "the host of its first URL, \"esc\" when escalated, its labels (#)\n"
    "and its parties' names in short.  Closed cases are hidden unless\n"
    "--all is given or --state names states.  Filters combine: every one\n"
    "given must hold.  At most 50 cases are shown (--limit); the line\n"
    "after them says how many more there are.  States are open,\n"
    "reported, acknowledged, auto-acknowledged, needs-info, mitigated and\n"
    "closed (docs/cases.md).\n",
    list_options,
    run_list,
};
