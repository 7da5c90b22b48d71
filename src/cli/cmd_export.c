/*
 * takedown export: every selected case as CSV (RFC 4180) or JSON,
 * streamed one case at a time so that memory stays flat however many
 * cases the store holds.  URLs and names in the cells come from
 * criminals: CSV cells that a spreadsheet would evaluate as a formula
 * are made inert (caseview.h, td_csv_cell()).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "caseview.h"
#include "cli.h"
#include "filter.h"
#include "clock.h"
#include "jsonw.h"
#include "store.h"
#include "banned.h"

static int opt_csv, opt_json, opt_jsonl, opt_all;
static const char *opt_store;
static struct td_filter_opts opt_filter;

static const struct td_opt export_options[] = {
    {"csv", 0, TD_OPT_FLAG, &opt_csv, NULL,
     "write CSV with a header row (RFC 4180)"},
    {"json", 'j', TD_OPT_FLAG, &opt_json, NULL,
     "write one JSON array of cases (schema takedown-export/1)"},
    {"jsonl", 0, TD_OPT_FLAG, &opt_jsonl, NULL,
     "write JSON Lines, one case a line"},
    TD_FILTER_OPTIONS(opt_filter),
    {"all", 'a', TD_OPT_FLAG, &opt_all, NULL,
     "every case (the default: closed cases are exported too)"},
    {"store", 0, TD_OPT_STRING, &opt_store, "FILE",
     "the case store (default: cases.sqlite in the data folder)"},
    {NULL, 0, 0, NULL, NULL, NULL},
};

static const char *const columns[] = {
    "tag",
    "created",
    "state",
    "kind",
    "mitigation",
    "escalated",
    "urls",
    "domain",
    "registrar",
    "host",
    "cdn_platform",
    "first_sent",
    "first_human_answer",
    "mitigated_at",
    "labels",
    NULL,
};

enum format { F_CSV, F_JSON, F_JSONL };

struct export_ctx {
	struct td_store *s;
	enum format fmt;
	struct td_buf out, cell;
	struct td_jw w;
	size_t nr;
	struct td_error *err;
};

static void
iso(struct td_buf *b, long long t)
{
	char s[32];
	time_t tt = (time_t)t;
	struct tm tm;

	if (t > 0 && gmtime_r(&tt, &tm) &&
	    strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", &tm))
		td_buf_adds(b, s);
}

/* The cell in x->cell as the next CSV field, then reset it. */
static void
put_cell(struct export_ctx *x, int first)
{
	if (!first)
		td_buf_addch(&x->out, ',');
	td_csv_cell(&x->out, x->cell.ptr, x->cell.len);
	td_buf_reset(&x->cell);
}

static void
put_text(struct export_ctx *x, const char *s)
{
	if (s)
		td_buf_adds(&x->cell, s);
	put_cell(x, 0);
}

static void
csv_row(struct export_ctx *x, const struct td_store_case *c,
	const struct td_caseview *v)
{
	size_t i;

	td_buf_adds(&x->cell, c->tag);
	put_cell(x, 1);
	iso(&x->cell, c->created);
	put_cell(x, 0);
	put_text(x, td_store_state_name(c->state));
	put_text(x, td_case_kind_name(c->kind));
	put_text(x, c->mitigation != TD_MIT_NONE
			? td_store_mitigation_name(c->mitigation)
			: NULL);
	put_text(x, c->escalated ? "yes" : "no");
	for (i = 0; i < v->nr_urls; i++) {
		if (i)
			td_buf_addch(&x->cell, ' ');
		td_buf_adds(&x->cell, v->urls[i].url);
	}
	put_cell(x, 0);
	td_caseview_domains(&x->cell, v, " ");
	put_cell(x, 0);
	td_caseview_party_names(&x->cell, v, TD_ROLE_REGISTRAR, "; ");
	put_cell(x, 0);
	td_caseview_party_names(&x->cell, v, TD_ROLE_HOST, "; ");
	put_cell(x, 0);
	td_caseview_party_names(&x->cell, v, TD_ROLE_CDN, "; ");
	if (x->cell.len)
		for (i = 0; i < v->nr_parties; i++)
			if (v->parties[i].role == TD_ROLE_PLATFORM) {
				td_buf_adds(&x->cell, "; ");
				break;
			}
	td_caseview_party_names(&x->cell, v, TD_ROLE_PLATFORM, "; ");
	put_cell(x, 0);
	iso(&x->cell, c->first_sent);
	put_cell(x, 0);
	iso(&x->cell, c->first_human);
	put_cell(x, 0);
	iso(&x->cell, c->mitigated);
	put_cell(x, 0);
	for (i = 0; i < v->nr_labels; i++) {
		if (i)
			td_buf_addch(&x->cell, ' ');
		td_buf_adds(&x->cell, v->labels[i]);
	}
	put_cell(x, 0);
	td_buf_adds(&x->out, "\r\n");
}

static void
kparties(struct td_jw *w, const char *key, const struct td_caseview *v,
	 enum td_party_role r1, enum td_party_role r2)
{
	size_t i;

	td_jw_key(w, key);
	td_jw_arr(w);
	for (i = 0; i < v->nr_parties; i++)
		if (v->parties[i].role == r1 || v->parties[i].role == r2)
			td_jw_str(w, v->parties[i].name);
	td_jw_arr_end(w);
}

static void
ktime0(struct td_jw *w, const char *key, long long t)
{
	td_jw_ktime(w, key, t > 0 ? t : -1);
}

static void
json_case(struct td_jw *w, const struct td_store_case *c,
	  const struct td_caseview *v)
{
	size_t i, j;

	td_jw_obj(w);
	td_jw_kstr(w, "tag", c->tag);
	ktime0(w, "created", c->created);
	td_jw_kstr(w, "state", td_store_state_name(c->state));
	td_jw_kstr(w, "kind", td_case_kind_name(c->kind));
	td_jw_kstr(w, "mitigation",
		   c->mitigation != TD_MIT_NONE
		       ? td_store_mitigation_name(c->mitigation)
		       : NULL);
	td_jw_kbool(w, "escalated", c->escalated);
	td_jw_key(w, "urls");
	td_jw_arr(w);
	for (i = 0; i < v->nr_urls; i++)
		td_jw_str(w, v->urls[i].url);
	td_jw_arr_end(w);
	td_jw_key(w, "domain");
	td_jw_arr(w);
	for (i = 0; i < v->nr_urls; i++) {
		if (!v->urls[i].domain)
			continue;
		for (j = 0; j < i; j++)
			if (v->urls[j].domain &&
			    !strcmp(v->urls[j].domain, v->urls[i].domain))
				break;
		if (j == i)
			td_jw_str(w, v->urls[i].domain);
	}
	td_jw_arr_end(w);
	kparties(w, "registrar", v, TD_ROLE_REGISTRAR, TD_ROLE_REGISTRAR);
	kparties(w, "host", v, TD_ROLE_HOST, TD_ROLE_HOST);
	kparties(w, "cdn_platform", v, TD_ROLE_CDN, TD_ROLE_PLATFORM);
	ktime0(w, "first_sent", c->first_sent);
	ktime0(w, "first_human_answer", c->first_human);
	ktime0(w, "mitigated_at", c->mitigated);
	ktime0(w, "closed", c->closed);
	td_jw_kstrv(w, "labels", v->labels, v->nr_labels);
	td_jw_obj_end(w);
}

static int
flush(struct export_ctx *x)
{
	if (td_buf_failed(&x->out) || td_buf_failed(&x->cell))
		return td_error_set(x->err, TD_ENOMEM, "out of memory");
	if (x->out.len &&
	    fwrite(x->out.ptr, 1, x->out.len, stdout) != x->out.len)
		return td_error_set(x->err, TD_EIO, "cannot write");
	td_buf_reset(&x->out);
	return 0;
}

static int
one_case(const struct td_store_case *c, void *payload)
{
	struct export_ctx *x = payload;
	struct td_caseview v;
	int rc;

	rc = td_caseview_load(&v, x->s, c->id, x->err);
	if (!rc) {
		switch (x->fmt) {
		case F_CSV:
			csv_row(x, c, &v);
			break;
		case F_JSON:
			json_case(&x->w, c, &v);
			td_buf_addch(&x->out, '\n');
			break;
		case F_JSONL:
			td_jw_init(&x->w, &x->out);
			json_case(&x->w, c, &v);
			td_buf_addch(&x->out, '\n');
			break;
		}
		rc = flush(x);
	}
	td_caseview_release(&v);
	x->nr++;
	return rc;
}

static int
run_export(int argc, char **argv)
{
	struct td_caseview_query q;
	struct td_store_filter f;
	struct td_error err = {0, ""};
	struct export_ctx x;
	size_t i;
	int rc, status = EXIT_FAIL, have_store = 1;

	(void)argv;
	memset(&x, 0, sizeof(x));
	td_buf_init(&x.out, 0);
	td_buf_init(&x.cell, 0);
	x.err = &err;
	if (argc) {
		td_die_msg("export", "takes no arguments, only options (see "
				     "takedown help export)");
		status = EXIT_USAGE;
		goto out;
	}
	if (opt_csv + opt_json + opt_jsonl != 1) {
		td_die_msg("export", "give one of --csv, --json or --jsonl");
		status = EXIT_USAGE;
		goto out;
	}
	x.fmt = opt_csv ? F_CSV : opt_json ? F_JSON : F_JSONL;
	td_filter_query(&q, &opt_filter, 1);
	if (td_caseview_filter(&f, &q, td_now(), &err) < 0) {
		td_die_msg("export", "%s", err.msg);
		status = EXIT_USAGE;
		goto out;
	}
	f.oldest_first = 1; /* the order the cases were made */
	rc = td_caseview_open(&x.s, opt_store, 0, &err);
	if (rc == TD_ENOTFOUND) {
		have_store = 0;
	} else if (rc < 0) {
		td_die_msg("export", "%s", err.msg);
		goto out;
	}
	if (x.fmt == F_CSV) {
		for (i = 0; columns[i]; i++)
			td_buf_printf(&x.out, "%s%s", i ? "," : "", columns[i]);
		td_buf_adds(&x.out, "\r\n");
	} else if (x.fmt == F_JSON) {
		td_jw_init(&x.w, &x.out);
		td_jw_arr(&x.w);
		td_buf_addch(&x.out, '\n');
	}
	if (flush(&x) < 0) {
		td_die_msg("export", "%s", err.msg);
		goto out;
	}
	if (have_store) {
		rc = td_store_case_each(x.s, &f, one_case, &x, &err);
		if (rc < 0) {
			td_die_msg("export", "%s", err.msg);
			goto out;
		}
	}
	if (x.fmt == F_JSON) {
		td_jw_arr_end(&x.w);
		td_buf_addch(&x.out, '\n');
	}
	if (flush(&x) < 0 || fflush(stdout) != 0 || ferror(stdout)) {
		td_die_msg("export", "cannot write the export");
		goto out;
	}
	status = EXIT_OK;
out:
	td_buf_release(&x.out);
	td_buf_release(&x.cell);
	td_store_close(x.s);
	td_filter_opts_release(&opt_filter);
	return status;
}

const struct td_cmd cmd_export_def = {
    "export",
    "--csv|--json|--jsonl",
    "export cases as CSV or JSON for spreadsheets and other tools",
    "Writes every case the filters select (those of takedown list;\n"
    "closed cases included), oldest first, one at a time, as CSV with a\n"
    "header row (RFC 4180, CRLF line ends), as one JSON array or as JSON\n"
    "Lines.  Columns: tag, created, state, kind, mitigation, escalated,\n"
    "urls (space-separated), domain, registrar, host, cdn_platform\n"
    "(provider names separated by \"; \"), first_sent,\n"
    "first_human_answer, mitigated_at (UTC, ISO 8601) and labels.  A CSV\n"
    "cell that starts with = + - @, TAB or CR gets a leading ' so that a\n"
    "spreadsheet shows it as text instead of running it as a formula.\n",
    export_options,
    run_export,
};
