/*
 * store_query: time the case store's list filters and statistics through
 * the API (td_store_case_list, td_store_case_count, td_store_stats_list)
 * on a store made by store_gen, for bench/store.sh.
 *
 *   store_query [--runs R] FILE
 *
 * Each query runs once right after the store is opened in this process
 * ("first": nothing of it prepared or cached by SQLite yet, the page
 * cache of the OS as it is), then R more times (default 5).  One line per
 * query on stdout, tab-separated: name, rows, first ms, median ms, max ms
 * (of the R runs).  The values the filters use (the largest host and
 * registrar, a middling and a small host, a label, a domain, "now") are
 * read from the store first, through the API too, and printed on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store.h"

#define DAY 86400LL
#define MAX_RUNS 101

struct ctx {
	struct td_store *s;
	char top_host[256], mid_host[256], small_host[256], top_reg[256];
	char label[80], domain[256];
	long long now;
};

enum what { LIST, COUNT, STATS };

struct query {
	const char *name;
	enum what what;
	void (*fill)(struct td_store_filter *f, const struct ctx *c);
	struct td_store_stats_filter sf;
};

#define ACTIVE                                                                 \
	(1u << TD_STATE_OPEN | 1u << TD_STATE_REPORTED |                       \
	 1u << TD_STATE_ACKNOWLEDGED | 1u << TD_STATE_AUTO_ACKNOWLEDGED |      \
	 1u << TD_STATE_NEEDS_INFO)

static void
f_all50(struct td_store_filter *f, const struct ctx *c)
{
	(void)c;
	f->limit = 50;
}

static void
f_needs_info(struct td_store_filter *f, const struct ctx *c)
{
	(void)c;
	f->states = 1u << TD_STATE_NEEDS_INFO;
	f->limit = 50;
}

static void
f_active(struct td_store_filter *f, const struct ctx *c)
{
	(void)c;
	f->states = ACTIVE;
	f->limit = 50;
}

static void
f_active_all(struct td_store_filter *f, const struct ctx *c)
{
	(void)c;
	f->states = ACTIVE;
}

static void
f_cdn(struct td_store_filter *f, const struct ctx *c)
{
	(void)c;
	f->role = TD_ROLE_CDN;
	f->limit = 50;
}

static void
f_active_cdn(struct td_store_filter *f, const struct ctx *c)
{
	f_cdn(f, c);
	f->states = ACTIVE;
}

static void
f_top_host(struct td_store_filter *f, const struct ctx *c)
{
	f->provider = c->top_host;
	f->limit = 50;
}

static void
f_mid_host(struct td_store_filter *f, const struct ctx *c)
{
	f->provider = c->mid_host;
	f->limit = 50;
}

static void
f_small_host_all(struct td_store_filter *f, const struct ctx *c)
{
	f->provider = c->small_host;
}

static void
f_top_reg(struct td_store_filter *f, const struct ctx *c)
{
	f->role = TD_ROLE_REGISTRAR;
	f->provider = c->top_reg;
	f->limit = 50;
}

static void
f_top_reg_all(struct td_store_filter *f, const struct ctx *c)
{
	f_top_reg(f, c);
	f->limit = 0;
}

static void
f_older30(struct td_store_filter *f, const struct ctx *c)
{
	f->states = 1u << TD_STATE_REPORTED;
	f->created_before = c->now - 30 * DAY;
	f->limit = 50;
}

static void
f_newer7(struct td_store_filter *f, const struct ctx *c)
{
	f->created_after = c->now - 7 * DAY;
}

static void
f_active_newer7(struct td_store_filter *f, const struct ctx *c)
{
	f_newer7(f, c);
	f->states = ACTIVE;
}

static void
f_label(struct td_store_filter *f, const struct ctx *c)
{
	f->label = c->label;
	f->limit = 50;
}

static void
f_label_active(struct td_store_filter *f, const struct ctx *c)
{
	f_label(f, c);
	f->states = ACTIVE;
}

static void
f_domain(struct td_store_filter *f, const struct ctx *c)
{
	f->domain = c->domain;
}

static void
f_active_reg_old(struct td_store_filter *f, const struct ctx *c)
{
	f_top_reg(f, c);
	f->states = ACTIVE;
	f->created_before = c->now - 7 * DAY;
}

static void
f_needs_info_host(struct td_store_filter *f, const struct ctx *c)
{
	f->states = 1u << TD_STATE_NEEDS_INFO;
	f->provider = c->top_host;
	f->limit = 50;
}

static void
f_escalated_active(struct td_store_filter *f, const struct ctx *c)
{
	(void)c;
	f->escalated = 1;
	f->states = ACTIVE;
	f->limit = 50;
}

static void
f_mitigated_host_90(struct td_store_filter *f, const struct ctx *c)
{
	f->states = 1u << TD_STATE_MITIGATED;
	f->provider = c->top_host;
	f->created_after = c->now - 90 * DAY;
	f->limit = 50;
}

static const struct query queries[] = {
    {"list: newest 50, no filter", LIST, f_all50, {0}},
    {"list: state needs-info, 50", LIST, f_needs_info, {0}},
    {"list: active states, 50", LIST, f_active, {0}},
    {"list: active states, all", LIST, f_active_all, {0}},
    {"list: role cdn, 50", LIST, f_cdn, {0}},
    {"list: active + role cdn, 50", LIST, f_active_cdn, {0}},
    {"list: provider = largest host, 50", LIST, f_top_host, {0}},
    {"list: provider = host #100, 50", LIST, f_mid_host, {0}},
    {"list: provider = smallest host, all", LIST, f_small_host_all, {0}},
    {"list: registrar = largest, 50", LIST, f_top_reg, {0}},
    {"list: registrar = largest, all", LIST, f_top_reg_all, {0}},
    {"list: reported, older than 30 days, 50", LIST, f_older30, {0}},
    {"list: newer than 7 days, all", LIST, f_newer7, {0}},
    {"list: active, newer than 7 days, all", LIST, f_active_newer7, {0}},
    {"list: label, 50", LIST, f_label, {0}},
    {"list: label + active, 50", LIST, f_label_active, {0}},
    {"list: domain", LIST, f_domain, {0}},
    {"list: active + largest registrar + older than 7 d, 50",
     LIST,
     f_active_reg_old,
     {0}},
    {"list: needs-info + largest host, 50", LIST, f_needs_info_host, {0}},
    {"list: escalated + active, 50", LIST, f_escalated_active, {0}},
    {"list: mitigated + largest host + newer than 90 d, 50",
     LIST,
     f_mitigated_host_90,
     {0}},
    {"count: active states", COUNT, f_active_all, {0}},
    {"count: every case", COUNT, NULL, {0}},
    {"stats: top 50 providers", STATS, NULL, {TD_ROLE_NONE, 0, 50}},
    {"stats: every registrar", STATS, NULL, {TD_ROLE_REGISTRAR, 0, 0}},
    {"stats: every provider and role", STATS, NULL, {TD_ROLE_NONE, 0, 0}},
};

static double
ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* one run of q: its time in ms, rows in *rows; < 0 on failure */
static double
run_one(const struct query *q, const struct ctx *c, long long *rows)
{
	struct td_store_filter f;
	struct td_error err = {0, ""};
	struct timespec t0;
	struct td_store_case *v = NULL;
	struct td_store_stats *st = NULL;
	size_t nr = 0;
	double ms;
	int rc;

	memset(&f, 0, sizeof(f));
	if (q->fill)
		q->fill(&f, c);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	switch (q->what) {
	case LIST:
		rc = td_store_case_list(&v, &nr, c->s, &f, &err);
		*rows = (long long)nr;
		break;
	case COUNT:
		rc = td_store_case_count(rows, c->s, &f, &err);
		break;
	default:
		rc = td_store_stats_list(&st, &nr, c->s, &q->sf, &err);
		*rows = (long long)nr;
		break;
	}
	ms = ms_since(&t0);
	td_store_case_list_free(v, nr * (v != NULL));
	td_store_stats_list_free(st, nr * (st != NULL));
	if (rc < 0) {
		fprintf(stderr, "store_query: %s: %s\n", q->name, err.msg);
		return -1;
	}
	return ms;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* the first label found on the newest cases, and the newest domain */
static int
find_label(const struct td_store_case *k, void *payload)
{
	struct ctx *c = payload;
	char **labels = NULL;
	size_t nr = 0;

	if (td_store_label_list(&labels, &nr, c->s, k->id, NULL) == 0 && nr)
		snprintf(c->label, sizeof(c->label), "%s", labels[0]);
	td_store_strings_free(labels, nr);
	if (!c->domain[0]) {
		struct td_store_url *u = NULL;
		size_t i, n = 0;

		if (td_store_url_list(&u, &n, c->s, k->id, NULL) == 0)
			for (i = 0; i < n && !c->domain[0]; i++)
				if (u[i].domain)
					snprintf(c->domain, sizeof(c->domain),
						 "%s", u[i].domain);
		td_store_url_list_free(u, n);
	}
	return c->label[0] && c->domain[0];
}

static int
setup(struct ctx *c)
{
	struct td_store_stats_filter sf;
	struct td_store_stats *st = NULL;
	struct td_store_case *v = NULL;
	struct td_store_filter f;
	struct td_error err = {0, ""};
	size_t nr = 0;

	memset(&f, 0, sizeof(f));
	f.limit = 1;
	if (td_store_case_list(&v, &nr, c->s, &f, &err) < 0 || !nr) {
		fprintf(stderr, "store_query: no cases: %s\n", err.msg);
		return -1;
	}
	c->now = v[0].created + 3600;
	td_store_case_list_free(v, nr);
	memset(&sf, 0, sizeof(sf));
	sf.role = TD_ROLE_HOST;
	if (td_store_stats_list(&st, &nr, c->s, &sf, &err) < 0 || !nr) {
		fprintf(stderr, "store_query: no hosts: %s\n", err.msg);
		return -1;
	}
	snprintf(c->top_host, sizeof(c->top_host), "%s", st[0].name);
	snprintf(c->mid_host, sizeof(c->mid_host), "%s",
		 st[nr > 100 ? 100 : nr / 2].name);
	snprintf(c->small_host, sizeof(c->small_host), "%s", st[nr - 1].name);
	fprintf(stderr,
		"store_query: hosts: largest %s (%lld cases), #100 %s (%lld), "
		"smallest %s (%lld)\n",
		st[0].name, st[0].cases, c->mid_host,
		st[nr > 100 ? 100 : nr / 2].cases, c->small_host,
		st[nr - 1].cases);
	td_store_stats_list_free(st, nr);
	sf.role = TD_ROLE_REGISTRAR;
	sf.limit = 1;
	if (td_store_stats_list(&st, &nr, c->s, &sf, &err) < 0 || !nr) {
		fprintf(stderr, "store_query: no registrars: %s\n", err.msg);
		return -1;
	}
	snprintf(c->top_reg, sizeof(c->top_reg), "%s", st[0].name);
	fprintf(stderr, "store_query: registrar: largest %s (%lld cases)\n",
		st[0].name, st[0].cases);
	td_store_stats_list_free(st, nr);
	memset(&f, 0, sizeof(f));
	f.limit = 100000;
	if (td_store_case_each(c->s, &f, find_label, c, &err) < 0)
		return -1;
	if (!c->label[0])
		snprintf(c->label, sizeof(c->label), "none");
	fprintf(stderr, "store_query: label %s, domain %s, now %lld\n",
		c->label, c->domain, c->now);
	return 0;
}

int
main(int argc, char **argv)
{
	struct ctx c;
	struct td_error err = {0, ""};
	const char *file = NULL;
	int runs = 5, a, rc = 1;
	size_t i;

	memset(&c, 0, sizeof(c));
	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--runs") && a + 1 < argc)
			runs = atoi(argv[++a]);
		else if (argv[a][0] != '-' && !file)
			file = argv[a];
		else
			file = NULL, a = argc;
	}
	if (!file || runs < 1 || runs > MAX_RUNS) {
		fprintf(stderr, "usage: store_query [--runs R] FILE\n");
		return 2;
	}
	if (td_store_open(&c.s, file, &err) < 0) {
		fprintf(stderr, "store_query: %s\n", err.msg);
		return 1;
	}
	if (setup(&c) < 0)
		goto out;
	for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		double t[MAX_RUNS], first;
		long long rows = 0;
		int r;

		/* a fresh handle: nothing prepared yet */
		td_store_close(c.s);
		if (td_store_open(&c.s, file, &err) < 0) {
			fprintf(stderr, "store_query: %s\n", err.msg);
			c.s = NULL;
			goto out;
		}
		first = run_one(&queries[i], &c, &rows);
		if (first < 0)
			goto out;
		for (r = 0; r < runs; r++)
			if ((t[r] = run_one(&queries[i], &c, &rows)) < 0)
				goto out;
		qsort(t, (size_t)runs, sizeof(t[0]), cmp_double);
		printf("%s\t%lld\t%.1f\t%.1f\t%.1f\n", queries[i].name, rows,
		       first, t[runs / 2], t[runs - 1]);
		fflush(stdout);
	}
	rc = 0;
out:
	td_store_close(c.s);
	return rc;
}
