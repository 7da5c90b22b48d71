/*
 * takedown check: is the phishing page still up?  Every open case's URLs
 * (or the cases named) are looked up (DNS, registry status) and fetched
 * as several clients; the verdicts are recorded as a "check" event with
 * the new evidence, and a "down" seen by every client in two checks at
 * least --confirm-after apart marks the case mitigated.  How it decides:
 * docs/check.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "clock.h"
#include "evidence.h"
#include "jsonw.h"
#include "liveness.h"
#include "lookup.h"
#include "paths.h"
#include "store.h"
#include "term.h"
#include "banned.h"

#define MAX_PROFILES 8
#define MAX_BODY_READ (1u << 20) /* bytes of a stored body judged */
#define MAX_CASES 100000

static int opt_json, opt_allow_private, opt_wait;
static struct td_strlist opt_as, opt_connect_to;
static const char *opt_dns, *opt_rdap, *opt_bootstrap, *opt_whois_root;
static const char *opt_ca_file, *opt_store, *opt_confirm_after;
static unsigned opt_timeout = 10000;

static const struct td_opt options[] = {
    {"json", 'j', TD_OPT_FLAG, &opt_json, NULL,
     "print the result as JSON (schema takedown-check/1)"},
    {"as", 0, TD_OPT_LIST, &opt_as, "PROFILE",
     "fetch as this client (desktop, mobile, script); repeatable; "
     "default all three"},
    {"confirm-after", 0, TD_OPT_STRING, &opt_confirm_after, "TIME",
     "a down must be seen in two checks this far apart (default 1h; "
     "s, m, h, d)"},
    {"wait", 0, TD_OPT_FLAG, &opt_wait, NULL,
     "wait for another running check instead of exiting"},
    {"store", 0, TD_OPT_STRING, &opt_store, "FILE",
     "the case store (default: cases.sqlite in the data folder)"},
    {"dns", 0, TD_OPT_STRING, &opt_dns, "HOST[:PORT]", "DNS server"},
    {"rdap", 0, TD_OPT_STRING, &opt_rdap, "URL", "one RDAP base URL"},
    {"bootstrap", 0, TD_OPT_STRING, &opt_bootstrap, "DIR",
     "IANA bootstrap files"},
    {"whois-root", 0, TD_OPT_STRING, &opt_whois_root, "HOST[:PORT]",
     "WHOIS referral root"},
    {"connect-to", 0, TD_OPT_LIST, &opt_connect_to, "HOST:PORT:ADDR:PORT2",
     "as lookup's option"},
    {"ca-file", 0, TD_OPT_STRING, &opt_ca_file, "FILE",
     "certificates to trust for https"},
    {"timeout", 0, TD_OPT_UINT, &opt_timeout, "MS",
     "deadline per query and fetch (default 10000)"},
    {"allow-private", 0, TD_OPT_FLAG, &opt_allow_private, NULL,
     "let servers and pages be on loopback or private addresses (tests)"},
    {NULL, 0, 0, NULL, NULL, NULL},
};

/* One URL of a case. */
struct url_job {
	const struct td_store_url *u;
	long target;	  /* index in the lookup, -1 none */
	size_t first_cap; /* its captures: ev.items[first_cap...] */
	size_t nr_caps;
	struct td_live_obs host;
	struct td_live_obs obs[MAX_PROFILES];
	struct td_live_base base;
	char *base_title, *base_sha;
	enum td_live verdict;
	int disagree;
	int prev;  /* verdict in the last check, -1 none */
	char *esc; /* the URL escaped, one line */
};

struct case_job {
	struct td_store_case c;
	struct td_store_url *urls;
	size_t nr_urls;
	struct url_job *jobs;
	enum td_live verdict;
	int disagree;
	int prev; /* the case verdict of the last check, -1 none */
	int confirmed;
	long long since;
	enum td_case_state state_before;
	int marked, reopened; /* state changed now */
	int failed;
};

struct ctx {
	struct td_store *store;
	char *evidence_dir;
	const struct td_evidence_profile *profiles[MAX_PROFILES];
	size_t nr_profiles;
	struct case_job *cases;
	size_t nr_cases;
	struct td_lookup *lk;
	struct td_net *net;
	struct td_evidence ev;
	long long now, confirm_after;
	int failed;
	struct td_buf out;
};

/* "90", "90s", "30m", "1h", "2d" to seconds; -1 when malformed. */
static long long
parse_duration(const char *s)
{
	char *end;
	long long v;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || v < 0 || v > 365LL * 86400)
		return -1;
	if (!*end || !strcmp(end, "s"))
		return v;
	if (!strcmp(end, "m"))
		return v * 60;
	if (!strcmp(end, "h"))
		return v * 3600;
	if (!strcmp(end, "d"))
		return v * 86400;
	return -1;
}

static void
iso(char out[32], long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || !gmtime_r(&tt, &tm) ||
	    !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "-");
}

/* ISO 8601 "YYYY-MM-DDTHH:MM:SS" to UTC seconds, or -1. */
static long long
iso_time(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (!s || !strptime(s, "%Y-%m-%dT%H:%M:%S", &tm))
		return -1;
	return (long long)timegm(&tm);
}

/* Read at most max bytes of path; NULL when it cannot be read. */
static char *
read_bounded(const char *path, size_t max, size_t *len)
{
	struct td_buf b = TD_BUF_INIT;
	char chunk[65536];
	ssize_t n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	*len = 0;
	if (fd < 0)
		return NULL;
	while (b.len < max &&
	       (n = read(fd, chunk,
			 max - b.len < sizeof(chunk) ? max - b.len
						     : sizeof(chunk))) > 0)
		td_buf_add(&b, chunk, (size_t)n);
	close(fd);
	if (n < 0 || td_buf_failed(&b)) {
		td_buf_release(&b);
		return NULL;
	}
	return td_buf_detach(&b, len);
}

/*
 * One instance at a time: an exclusive flock on check.lock in the data
 * folder, held until the process ends (the kernel drops it, also on a
 * crash).  Returns the descriptor, -1 when another check holds it (and
 * opt_wait is off), -2 on an error (said).
 */
static int
take_lock(void)
{
	struct td_error err = {0, ""};
	char *dir = td_path_data(NULL), *path = td_path_data("check.lock");
	int fd = -2;

	if (!dir || !path) {
		td_die_msg("check", "no data folder");
		goto out;
	}
	if (td_mkdirs(dir, 0700, &err) < 0) {
		td_die_msg("check", "%s", err.msg);
		goto out;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		td_die_msg("check", "%s: %s", path, strerror(errno));
		fd = -2;
		goto out;
	}
	while (flock(fd, LOCK_EX | (opt_wait ? 0 : LOCK_NB)) < 0) {
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK) {
			td_die_msg("check",
				   "another check is running (%s is "
				   "locked); try later, or use --wait",
				   path);
			close(fd);
			fd = -1;
			goto out;
		}
		td_die_msg("check", "%s: %s", path, strerror(errno));
		close(fd);
		fd = -2;
		goto out;
	}
out:
	free(dir);
	free(path);
	return fd;
}

static int
select_cases(struct ctx *c, int argc, char **argv)
{
	struct td_error err = {0, ""};
	size_t i;

	if (argc) {
		c->cases = calloc((size_t)argc, sizeof(*c->cases));
		if (!c->cases)
			return -1;
		for (i = 0; i < (size_t)argc; i++) {
			struct td_buf o = TD_BUF_INIT;

			if (td_store_case_get_tag(&c->cases[c->nr_cases].c,
						  c->store, argv[i],
						  &err) < 0) {
				td_term_escape(&o, argv[i], strlen(argv[i]), 0);
				td_die_msg("check", "%s: %s", o.ptr,
					   err.code == TD_ENOTFOUND
					       ? "no such case"
					       : err.msg);
				td_buf_release(&o);
				return -1;
			}
			c->nr_cases++;
		}
	} else {
		struct td_store_filter f;
		struct td_store_case *v = NULL;
		size_t nr = 0;
		int s;

		memset(&f, 0, sizeof(f));
		for (s = 0; s < TD_STATE_NR; s++)
			if (s != TD_STATE_MITIGATED && s != TD_STATE_CLOSED)
				f.states |= 1u << s;
		f.oldest_first = 1;
		f.limit = MAX_CASES;
		if (td_store_case_list(&v, &nr, c->store, &f, &err) < 0) {
			td_die_msg("check", "%s", err.msg);
			return -1;
		}
		c->cases = calloc(nr ? nr : 1, sizeof(*c->cases));
		if (!c->cases) {
			td_store_case_list_free(v, nr);
			return -1;
		}
		for (i = 0; i < nr; i++) {
			c->cases[i].c = v[i];
			memset(&v[i], 0, sizeof(v[i]));
		}
		c->nr_cases = nr;
		td_store_case_list_free(v, nr);
	}
	for (i = 0; i < c->nr_cases; i++) {
		struct case_job *cj = &c->cases[i];
		size_t k;

		cj->state_before = cj->c.state;
		if (td_store_url_list(&cj->urls, &cj->nr_urls, c->store,
				      cj->c.id, &err) < 0) {
			td_die_msg("check", "%s", err.msg);
			return -1;
		}
		cj->jobs =
		    calloc(cj->nr_urls ? cj->nr_urls : 1, sizeof(*cj->jobs));
		if (!cj->jobs)
			return -1;
		for (k = 0; k < cj->nr_urls; k++) {
			struct url_job *j = &cj->jobs[k];
			struct td_buf e = TD_BUF_INIT;

			j->u = &cj->urls[k];
			j->target = -1;
			j->prev = -1;
			td_term_escape(&e, j->u->url, strlen(j->u->url), 0);
			j->esc = td_buf_detach(&e, NULL);
			if (!j->esc)
				return -1;
		}
	}
	return 0;
}

/* DNS and registry facts of every URL's host, in one lookup run. */
static int
lookup_all(struct ctx *c)
{
	struct td_lookup_opts o;
	struct td_net_opts no = TD_NET_OPTS_INIT;
	struct td_error err = {0, ""};
	size_t i, k;
	long n = 0;

	memset(&o, 0, sizeof(o));
	o.net = no;
	o.net.dns_server = opt_dns;
	o.net.timeout_ms = opt_timeout;
	o.net.allow_loopback = opt_allow_private;
	o.net.ca_file = opt_ca_file;
	o.net.connect_to = (const char *const *)opt_connect_to.v;
	o.net.nr_connect_to = opt_connect_to.nr;
	o.bootstrap_dir = opt_bootstrap;
	o.rdap_server = opt_rdap;
	o.whois_root = opt_whois_root;
	o.check_email = 0;
	o.cache_path = NULL; /* a check wants today's answers */
	if (td_lookup_new(&c->lk, &o, &err) < 0) {
		td_die_msg("check", "%s", err.msg);
		return -1;
	}
	for (i = 0; i < c->nr_cases; i++)
		for (k = 0; k < c->cases[i].nr_urls; k++) {
			struct url_job *j = &c->cases[i].jobs[k];

			if (td_lookup_add(c->lk, j->u->url, &err) == 0)
				j->target = n++;
		}
	return td_lookup_run(c->lk) < 0 ? -1 : 0;
}

static int
fetch_all(struct ctx *c)
{
	struct td_net_opts no = TD_NET_OPTS_INIT;
	struct td_evidence_opts eo = TD_EVIDENCE_OPTS_INIT;
	struct td_error err = {0, ""};
	size_t i, k, p;

	no.dns_server = opt_dns;
	no.timeout_ms = opt_timeout;
	no.allow_loopback = opt_allow_private;
	no.ca_file = opt_ca_file;
	no.connect_to = (const char *const *)opt_connect_to.v;
	no.nr_connect_to = opt_connect_to.nr;
	if (td_net_new(&c->net, &no, &err) < 0) {
		td_die_msg("check", "%s", err.msg);
		return -1;
	}
	eo.dir = c->evidence_dir;
	eo.timeout_ms = opt_timeout;
	if (td_evidence_init(&c->ev, &eo, &err) < 0) {
		td_die_msg("check", "evidence: %s", err.msg);
		return -1;
	}
	for (i = 0; i < c->nr_cases; i++)
		for (k = 0; k < c->cases[i].nr_urls; k++) {
			struct url_job *j = &c->cases[i].jobs[k];

			j->first_cap = c->ev.nr;
			for (p = 0; p < c->nr_profiles; p++)
				if (td_evidence_add(&c->ev, c->net, j->u->url,
						    c->profiles[p]) < 0)
					return -1;
			j->nr_caps = c->ev.nr - j->first_cap;
		}
	return td_net_run(c->net) < 0 ? -1 : 0;
}

/* The case's first page of u: what a cleaned page is compared with. */
static void
baseline(struct url_job *j, const struct td_store_evidence *ev, size_t nr)
{
	size_t i;

	memset(&j->base, 0, sizeof(j->base));
	for (i = 0; i < nr; i++) {
		const struct td_store_evidence *e = &ev[i];
		struct td_evidence_page page;
		char *body;
		size_t len;

		if (strcmp(e->url, j->u->url) || e->status < 200 ||
		    e->status > 299 || !e->body_sha256)
			continue;
		j->base.known = 1;
		j->base_sha = strdup(e->body_sha256);
		j->base_title = e->title ? strdup(e->title) : NULL;
		body = e->body_path
			   ? read_bounded(e->body_path, MAX_BODY_READ, &len)
			   : NULL;
		if (body && td_evidence_page_scan(&page, body, len,
						  e->final_url ? e->final_url
							       : e->url) == 0) {
			j->base.passwords = page.passwords;
			j->base.forms = page.nr_forms;
			if (!j->base_title && page.title)
				j->base_title = strdup(page.title);
			td_evidence_page_release(&page);
		}
		free(body);
		j->base.title = j->base_title;
		j->base.sha256 = j->base_sha;
		return;
	}
}

/* The host facts of a lookup target. */
static void
host_facts(struct td_live_host *h, const struct td_target *t, const char **ips,
	   size_t max_ips)
{
	size_t i;

	memset(h, 0, sizeof(*h));
	h->dns = TD_NET_ERROR;
	if (!t)
		return;
	h->dns = t->dns_status;
	for (i = 0; i < t->nr_ips && i < max_ips; i++)
		ips[h->nr_ips++] = t->ips[i].ip;
	h->ips = ips;
	h->ns = (const char *const *)t->ns;
	h->nr_ns = t->nr_ns;
	if (t->domain_prov.source && t->domain_rec.status == TD_REC_FOUND) {
		h->statuses = (const char *const *)t->domain_rec.statuses;
		h->nr_statuses = t->domain_rec.nr_statuses;
	}
}

static const char *
header(const struct td_http_hop *hop, const char *name)
{
	size_t i;

	for (i = 0; hop && i < hop->nr_headers; i++)
		if (hop->headers[i].name &&
		    !strcasecmp(hop->headers[i].name, name))
			return hop->headers[i].value;
	return NULL;
}

static void
judge_url(struct ctx *c, struct url_job *j)
{
	const struct td_target *t =
	    j->target >= 0 ? td_lookup_target(c->lk, (size_t)j->target) : NULL;
	const char *ips[64];
	struct td_live_host h;
	size_t i;

	host_facts(&h, t, ips, 64);
	td_live_judge_host(&j->host, t ? &h : NULL);
	if (!t)
		snprintf(j->host.why, sizeof(j->host.why),
			 "not a URL takedown can look up");
	for (i = 0; i < j->nr_caps && i < MAX_PROFILES; i++) {
		const struct td_evidence_capture *cp =
		    c->ev.items[j->first_cap + i];
		struct td_live_fetch f;
		struct td_buf path = TD_BUF_INIT;
		char *body = NULL;
		size_t len = 0;

		memset(&f, 0, sizeof(f));
		f.profile = cp->profile;
		f.status = cp->status;
		f.error = cp->error;
		f.code = cp->code;
		f.server = header(cp->last, "server");
		if (cp->body_path) {
			td_buf_printf(&path, "%s/%s", c->evidence_dir,
				      cp->body_path);
			if (!td_buf_failed(&path))
				body =
				    read_bounded(path.ptr, MAX_BODY_READ, &len);
		}
		td_buf_release(&path);
		f.body = body;
		f.len = len;
		f.title = cp->page.title;
		f.sha256 = cp->sha256[0] ? cp->sha256 : NULL;
		f.passwords = cp->page.passwords;
		f.forms = cp->page.nr_forms;
		td_live_judge(&j->obs[i], t ? &h : NULL, &f, &j->base);
		free(body);
	}
	j->verdict = td_live_combine(
	    j->obs, j->nr_caps < MAX_PROFILES ? j->nr_caps : MAX_PROFILES,
	    &j->disagree);
}

/* The event detail: docs/check.md, "What is recorded". */
static void
detail(struct ctx *c, struct case_job *cj, struct td_buf *d)
{
	size_t k, i;

	td_buf_adds(d, td_live_name(cj->verdict));
	if (td_live_is_down(cj->verdict)) {
		char since[32];

		iso(since, cj->since);
		td_buf_printf(d, " %s since %s",
			      cj->confirmed ? "confirmed" : "unconfirmed",
			      since);
	}
	td_buf_addch(d, '\n');
	for (k = 0; k < cj->nr_urls; k++) {
		struct url_job *j = &cj->jobs[k];

		td_buf_printf(d, "url %s %s\n", td_live_name(j->verdict),
			      j->esc);
		if (j->host.verdict != TD_LIVE_UP)
			td_buf_printf(d, "  dns %s: %s\n",
				      td_live_name(j->host.verdict),
				      j->host.why);
		for (i = 0; i < j->nr_caps && i < MAX_PROFILES; i++) {
			/* why may quote a fetch error: one line, escaped */
			td_buf_printf(d, "  %s %s: ",
				      c->ev.items[j->first_cap + i]->profile,
				      td_live_name(j->obs[i].verdict));
			td_term_escape(d, j->obs[i].why, strlen(j->obs[i].why),
				       0);
			td_buf_addch(d, '\n');
		}
	}
}

/* What each capture shows, kept as evidence of the check. */
static int
store_evidence(struct ctx *c, struct case_job *cj, struct td_error *err)
{
	size_t k, i;

	for (k = 0; k < cj->nr_urls; k++) {
		struct url_job *j = &cj->jobs[k];

		for (i = 0; i < j->nr_caps && i < MAX_PROFILES; i++) {
			const struct td_evidence_capture *cp =
			    c->ev.items[j->first_cap + i];
			struct td_store_evidence e;
			struct td_buf path = TD_BUF_INIT, forms = TD_BUF_INIT;
			int rc;

			memset(&e, 0, sizeof(e));
			e.case_id = cj->c.id;
			e.url_id = j->u->id;
			e.url = (char *)cp->url;
			e.profile = (char *)cp->profile;
			e.fetched = iso_time(cp->started);
			if (e.fetched <= 0)
				e.fetched = c->now;
			e.final_url = (char *)cp->final_url;
			e.status = (int)cp->code;
			e.body_sha256 =
			    cp->sha256[0] ? (char *)cp->sha256 : NULL;
			e.body_len = (long long)cp->len;
			if (cp->body_path) {
				td_buf_printf(&path, "%s/%s", c->evidence_dir,
					      cp->body_path);
				e.body_path = path.ptr;
			}
			e.title = (char *)cp->page.title;
			td_buf_printf(&forms,
				      "{\"forms\":%zu,\"passwords\":%u}",
				      cp->page.nr_forms, cp->page.passwords);
			e.forms = forms.ptr;
			e.error = (char *)cp->error;
			e.verdict = (char *)td_live_name(j->obs[i].verdict);
			rc = td_store_evidence_add(NULL, c->store, &e, err);
			td_buf_release(&path);
			td_buf_release(&forms);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

/* Compare with the case's history, record, and move the state. */
static void
record_case(struct ctx *c, struct case_job *cj)
{
	struct td_error err = {0, ""};
	struct td_store_event *ev = NULL;
	struct td_store_evidence *evid = NULL;
	struct td_live_past *past = NULL;
	struct td_live_obs uv[256];
	const char *last = NULL;
	size_t nr_ev = 0, nr_evid = 0, nr_past = 0, i, k;
	struct td_buf d = TD_BUF_INIT;
	struct td_store_event add;
	int rc;

	if (td_store_event_list(&ev, &nr_ev, c->store, cj->c.id, &err) < 0 ||
	    td_store_evidence_list(&evid, &nr_evid, c->store, cj->c.id, &err) <
		0) {
		td_die_msg("check", "%s: %s", cj->c.tag, err.msg);
		cj->failed = 1;
		goto out;
	}
	past = calloc(nr_ev ? nr_ev : 1, sizeof(*past));
	if (!past) {
		cj->failed = 1;
		goto out;
	}
	for (i = 0; i < nr_ev; i++) {
		int v;

		if (ev[i].kind != TD_EV_CHECK)
			continue;
		v = td_live_detail_verdict(ev[i].detail);
		if (v < 0)
			continue;
		past[nr_past].at = ev[i].at;
		past[nr_past++].verdict = (enum td_live)v;
		last = ev[i].detail;
	}
	cj->prev = nr_past ? (int)past[nr_past - 1].verdict : -1;
	for (k = 0; k < cj->nr_urls; k++) {
		struct url_job *j = &cj->jobs[k];

		baseline(j, evid, nr_evid);
		judge_url(c, j);
		j->prev = last ? td_live_detail_url(last, j->esc) : -1;
		if (k < 256) {
			uv[k].verdict = j->verdict;
			uv[k].why[0] = '\0';
		}
		if (j->verdict == TD_LIVE_FAILED)
			cj->failed = 1;
	}
	cj->verdict = td_live_combine(uv, cj->nr_urls < 256 ? cj->nr_urls : 256,
				      &cj->disagree);
	if (cj->verdict == TD_LIVE_FAILED)
		cj->failed = 1; /* also a case without a URL */
	cj->confirmed = td_live_confirmed(
	    &cj->since, past, nr_past, cj->verdict, c->now, c->confirm_after);
	detail(c, cj, &d);
	if (td_buf_failed(&d) || d.len > TD_STORE_MAX_LONG) {
		td_buf_truncate(&d, TD_STORE_MAX_LONG - 64);
		td_buf_adds(&d, "\n(cut)\n");
	}

	if (td_store_begin(c->store, &err) < 0) {
		td_die_msg("check", "%s: %s", cj->c.tag, err.msg);
		cj->failed = 1;
		goto out;
	}
	if (store_evidence(c, cj, &err) < 0)
		goto fail;
	memset(&add, 0, sizeof(add));
	add.case_id = cj->c.id;
	add.at = c->now;
	add.kind = TD_EV_CHECK;
	add.detail = d.ptr;
	if (td_store_event_add(NULL, c->store, &add, &err) < 0)
		goto fail;
	if (td_live_is_down(cj->verdict) && cj->confirmed &&
	    cj->c.state != TD_STATE_MITIGATED &&
	    cj->c.state != TD_STATE_CLOSED) {
		struct td_buf why = TD_BUF_INIT;
		char since[32];

		iso(since, cj->since);
		td_buf_printf(&why,
			      "takedown check: %s seen by every client "
			      "since %s",
			      td_live_name(cj->verdict), since);
		rc = td_store_set_state(c->store, cj->c.id, TD_STATE_MITIGATED,
					td_live_mitigation(cj->verdict),
					why.ptr, c->now, &err);
		td_buf_release(&why);
		if (rc < 0)
			goto fail;
		cj->marked = 1;
	} else if (cj->verdict == TD_LIVE_UP &&
		   cj->c.state == TD_STATE_MITIGATED) {
		rc = td_store_set_state(
		    c->store, cj->c.id, TD_STATE_OPEN, TD_MIT_NONE,
		    "takedown check: seen up again", c->now, &err);
		if (rc < 0)
			goto fail;
		cj->reopened = 1;
	}
	if (td_store_commit(c->store, &err) < 0) {
		td_die_msg("check", "%s: %s", cj->c.tag, err.msg);
		cj->failed = 1;
		cj->marked = cj->reopened = 0;
	}
	goto out;
fail:
	td_die_msg("check", "%s: %s", cj->c.tag, err.msg);
	td_store_rollback(c->store, NULL);
	cj->failed = 1;
	cj->marked = cj->reopened = 0;
out:
	td_buf_release(&d);
	free(past);
	td_store_event_list_free(ev, nr_ev);
	td_store_evidence_list_free(evid, nr_evid);
}

static void
say_esc(struct td_buf *o, const char *s)
{
	td_term_escape(o, s ? s : "-", strlen(s ? s : "-"), 0);
}

static void
print_text(struct ctx *c)
{
	struct td_buf *o = &c->out;
	size_t i, k, p;

	if (!c->nr_cases)
		td_buf_adds(o, "no open case to check\n");
	for (i = 0; i < c->nr_cases; i++) {
		struct case_job *cj = &c->cases[i];
		char since[32];

		iso(since, cj->since);
		td_buf_printf(o, "%s  ", cj->c.tag);
		if (cj->marked)
			td_buf_printf(o,
				      "mitigated: %s, seen by every client "
				      "since %s\n",
				      td_live_name(cj->verdict), since);
		else if (td_live_is_down(cj->verdict) && !cj->confirmed) {
			char when[32];

			iso(when, cj->since + c->confirm_after);
			td_buf_printf(o,
				      "down, unconfirmed: %s since %s "
				      "(mitigated when a check at %s or "
				      "later still sees it)\n",
				      td_live_name(cj->verdict), since, when);
		} else if (td_live_is_down(cj->verdict))
			td_buf_printf(o, "down: %s since %s, confirmed\n",
				      td_live_name(cj->verdict), since);
		else if (cj->verdict == TD_LIVE_UP)
			td_buf_printf(o, "up%s\n",
				      cj->reopened ? " again: reopened" : "");
		else
			td_buf_adds(o, "check failed: no conclusion\n");
		if (td_live_is_down(cj->verdict) && cj->confirmed &&
		    !cj->marked)
			td_buf_printf(o, "    (already %s)\n",
				      td_store_state_name(cj->c.state));
		if (cj->prev >= 0 && cj->prev != (int)cj->verdict)
			td_buf_printf(o,
				      "    changed: was %s at the last "
				      "check\n",
				      td_live_name((enum td_live)cj->prev));
		for (k = 0; k < cj->nr_urls; k++) {
			struct url_job *j = &cj->jobs[k];

			td_buf_adds(o, "  ");
			td_buf_adds(o, j->esc);
			td_buf_printf(o, "  %s", td_live_name(j->verdict));
			if (j->prev >= 0 && j->prev != (int)j->verdict)
				td_buf_printf(
				    o, " (was %s)",
				    td_live_name((enum td_live)j->prev));
			if (j->disagree)
				td_buf_adds(o, ", the clients disagree");
			td_buf_addch(o, '\n');
			if (j->host.verdict != TD_LIVE_UP)
				td_buf_printf(o, "    %-8s %s\n", "dns",
					      j->host.why);
			for (p = 0; p < j->nr_caps && p < MAX_PROFILES; p++) {
				const struct td_evidence_capture *cp =
				    c->ev.items[j->first_cap + p];

				td_buf_printf(o, "    %-8s %s: ", cp->profile,
					      td_live_name(j->obs[p].verdict));
				say_esc(o, j->obs[p].why);
				td_buf_addch(o, '\n');
			}
		}
	}
}

static void
print_json(struct ctx *c)
{
	struct td_jw w;
	size_t i, k, p;
	int failed = 0;

	td_jw_init(&w, &c->out);
	td_jw_obj(&w);
	td_jw_kstr(&w, "schema", "takedown-check/1");
	td_jw_ktime(&w, "checked", c->now);
	td_jw_kint(&w, "confirm_after", c->confirm_after);
	td_jw_key(&w, "cases");
	td_jw_arr(&w);
	for (i = 0; i < c->nr_cases; i++) {
		struct case_job *cj = &c->cases[i];
		enum td_case_state st = cj->c.state;

		if (cj->marked)
			st = TD_STATE_MITIGATED;
		else if (cj->reopened)
			st = TD_STATE_OPEN;
		failed |= cj->failed;
		td_jw_obj(&w);
		td_jw_kstr(&w, "case", cj->c.tag);
		td_jw_kstr(&w, "state_before",
			   td_store_state_name(cj->state_before));
		td_jw_kstr(&w, "state", td_store_state_name(st));
		td_jw_kstr(&w, "verdict", td_live_name(cj->verdict));
		td_jw_kbool(&w, "down", td_live_is_down(cj->verdict));
		td_jw_kstr(&w, "kind",
			   td_live_is_down(cj->verdict)
			       ? td_store_mitigation_name(
				     td_live_mitigation(cj->verdict))
			       : NULL);
		td_jw_kbool(&w, "confirmed", cj->confirmed);
		td_jw_ktime(&w, "down_since",
			    td_live_is_down(cj->verdict) ? cj->since : -1);
		td_jw_kbool(&w, "marked_mitigated", cj->marked);
		td_jw_kbool(&w, "reopened", cj->reopened);
		td_jw_kstr(&w, "previous",
			   cj->prev >= 0 ? td_live_name((enum td_live)cj->prev)
					 : NULL);
		td_jw_kbool(&w, "changed",
			    cj->prev >= 0 && cj->prev != (int)cj->verdict);
		td_jw_kbool(&w, "failed", cj->failed);
		td_jw_key(&w, "urls");
		td_jw_arr(&w);
		for (k = 0; k < cj->nr_urls; k++) {
			struct url_job *j = &cj->jobs[k];

			td_jw_obj(&w);
			td_jw_kstr(&w, "url", j->u->url);
			td_jw_kstr(&w, "verdict", td_live_name(j->verdict));
			td_jw_kstr(&w, "previous",
				   j->prev >= 0
				       ? td_live_name((enum td_live)j->prev)
				       : NULL);
			td_jw_kbool(&w, "clients_agree", !j->disagree);
			td_jw_key(&w, "dns");
			td_jw_obj(&w);
			td_jw_kstr(&w, "verdict",
				   td_live_name(j->host.verdict));
			td_jw_kstr(&w, "why", j->host.why);
			td_jw_obj_end(&w);
			td_jw_key(&w, "fetches");
			td_jw_arr(&w);
			for (p = 0; p < j->nr_caps && p < MAX_PROFILES; p++) {
				const struct td_evidence_capture *cp =
				    c->ev.items[j->first_cap + p];

				td_jw_obj(&w);
				td_jw_kstr(&w, "profile", cp->profile);
				td_jw_kint(&w, "status", cp->code);
				td_jw_kstr(&w, "verdict",
					   td_live_name(j->obs[p].verdict));
				td_jw_kstr(&w, "why", j->obs[p].why);
				td_jw_kstr(&w, "title", cp->page.title);
				td_jw_kstr(&w, "sha256",
					   cp->sha256[0] ? cp->sha256 : NULL);
				td_jw_kstr(&w, "error", cp->error);
				td_jw_obj_end(&w);
			}
			td_jw_arr_end(&w);
			td_jw_obj_end(&w);
		}
		td_jw_arr_end(&w);
		td_jw_obj_end(&w);
	}
	td_jw_arr_end(&w);
	td_jw_kbool(&w, "failed", failed || c->failed);
	td_jw_obj_end(&w);
	td_buf_addch(&c->out, '\n');
}

static int
run_check(int argc, char **argv)
{
	struct ctx c;
	struct td_error err = {0, ""};
	char *path = NULL;
	size_t i, k, nr_urls = 0;
	int lock = -1, rc = EXIT_FAIL;

	memset(&c, 0, sizeof(c));
	c.confirm_after = 3600;
	if (opt_confirm_after &&
	    (c.confirm_after = parse_duration(opt_confirm_after)) < 0) {
		td_die_msg("check", "--confirm-after: not a duration (90s, "
				    "30m, 1h, 2d)");
		rc = EXIT_USAGE;
		goto out;
	}
	if (opt_as.nr > MAX_PROFILES) {
		td_die_msg("check", "--as: at most %d profiles", MAX_PROFILES);
		rc = EXIT_USAGE;
		goto out;
	}
	for (k = 0; k < opt_as.nr; k++) {
		const struct td_evidence_profile *p =
		    td_evidence_profile(opt_as.v[k]);

		if (!p) {
			struct td_buf o = TD_BUF_INIT;

			td_term_escape(&o, opt_as.v[k], strlen(opt_as.v[k]), 0);
			td_die_msg("check",
				   "--as %s: no such client profile "
				   "(desktop, mobile, script)",
				   o.ptr);
			td_buf_release(&o);
			rc = EXIT_USAGE;
			goto out;
		}
		for (i = 0; i < c.nr_profiles; i++)
			if (c.profiles[i] == p)
				break;
		if (i == c.nr_profiles)
			c.profiles[c.nr_profiles++] = p;
	}
	if (!c.nr_profiles) {
		const struct td_evidence_profile *all =
		    td_evidence_profiles(&k);

		for (i = 0; i < k && i < MAX_PROFILES; i++)
			c.profiles[c.nr_profiles++] = &all[i];
	}

	lock = take_lock();
	if (lock < 0)
		goto out;
	c.now = td_now();
	path = opt_store ? strdup(opt_store) : td_path_data("cases.sqlite");
	if (!path || td_store_open(&c.store, path, &err) < 0) {
		td_die_msg("check", "%s", path ? err.msg : "no data folder");
		goto out;
	}
	td_store_set_source(c.store, "check");
	c.evidence_dir = td_path_data("evidence");
	if (!c.evidence_dir) {
		td_die_msg("check", "no data folder");
		goto out;
	}
	if (select_cases(&c, argc, argv) < 0)
		goto out;
	for (i = 0; i < c.nr_cases; i++)
		nr_urls += c.cases[i].nr_urls;
	if (isatty(STDOUT_FILENO) && isatty(STDERR_FILENO) && !opt_json)
		fprintf(stderr,
			"checking %zu case%s, %zu URL%s as %zu "
			"client%s...\n",
			c.nr_cases, c.nr_cases == 1 ? "" : "s", nr_urls,
			nr_urls == 1 ? "" : "s", c.nr_profiles,
			c.nr_profiles == 1 ? "" : "s");
	if (nr_urls && (lookup_all(&c) < 0 || fetch_all(&c) < 0)) {
		td_die_msg("check", "out of memory");
		goto out;
	}
	for (i = 0; i < c.nr_cases; i++) {
		record_case(&c, &c.cases[i]);
		if (c.cases[i].failed)
			c.failed = 1;
	}
	if (opt_json)
		print_json(&c);
	else
		print_text(&c);
	rc = c.failed ? EXIT_FAIL : EXIT_OK;
out:
	fwrite(c.out.ptr ? c.out.ptr : "", 1, c.out.len, stdout);
	td_buf_release(&c.out);
	td_evidence_release(&c.ev);
	td_net_free(c.net);
	td_lookup_free(c.lk);
	for (i = 0; i < c.nr_cases; i++) {
		struct case_job *cj = &c.cases[i];

		for (k = 0; k < cj->nr_urls && cj->jobs; k++) {
			free(cj->jobs[k].esc);
			free(cj->jobs[k].base_title);
			free(cj->jobs[k].base_sha);
		}
		free(cj->jobs);
		td_store_url_list_free(cj->urls, cj->nr_urls);
		td_store_case_release(&cj->c);
	}
	free(c.cases);
	free(c.evidence_dir);
	free(path);
	td_store_close(c.store);
	if (lock >= 0)
		close(lock);
	free(opt_as.v);
	free(opt_connect_to.v);
	return rc;
}

const struct td_cmd cmd_check_def = {
    "check",
    "[CASE...]",
    "is the phishing page still up? re-check open cases",
    "Re-checks the URLs of every open case (not mitigated or closed), or\n"
    "of the cases named: DNS (NXDOMAIN, a sinkhole address or name\n"
    "server), the registry status (clientHold, serverHold, pendingDelete,\n"
    "inactive, redemptionPeriod), and a fetch of each URL as several\n"
    "clients (desktop, mobile, script; --as to choose).  Each fetch is read\n"
    "as up, unreachable, content-removed (404/410), cdn-blocked,\n"
    "suspended, parked, dns-removed or cleaned (the phishing form gone).\n"
    "Phishing kits cloak, so a URL is down only when every client saw it\n"
    "down, and a case is marked mitigated only when the same down verdict\n"
    "was seen in two checks at least --confirm-after apart (default 1h);\n"
    "until then it is \"down, unconfirmed\".  Every check is recorded as a\n"
    "\"check\" event with what each client saw, and its pages are kept as\n"
    "evidence.  A mitigated case seen up again is reopened.\n\n"
    "One check runs at a time (a lock on check.lock in the data folder): a\n"
    "second one says so and exits 1 at once, or waits with --wait.  Safe\n"
    "from cron or a systemd timer: no prompts, no progress unless on a\n"
    "terminal (docs/check.md).  Exit status: 0 every URL checked (up or\n"
    "down), 1 a check failed (no answer, lock held, store error), 2 usage.\n",
    options,
    run_check,
};
