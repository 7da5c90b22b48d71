/*
 * fill_store: fill a case store through the store API, for the stats
 * tests and benchmarks.  Two ways:
 *
 *   fill_store --store FILE --script FILE|-
 *	cases written out one by one, with explicit times, so that a test
 *	can work the expected figures out by hand;
 *   fill_store --store FILE --random N [--seed S] [--providers P]
 *	       [--start T] [--batch B]
 *	N generated cases (a few providers with most of the cases, a long
 *	tail), for timing `takedown stats` on a big store;
 *   fill_store --store FILE --time
 *	times, in this process, what `takedown stats` reads: opening the
 *	store and the top 20 providers of the four roles (first run, then
 *	the best of three), and what --html adds: the takedown times of the
 *	most recent 100 cases of each of those providers.
 *
 * Script lines (blank lines and lines starting with # are skipped):
 *
 *   case TIME                  a new case created at TIME (absolute)
 *   url TEXT                   a URL of the current case
 *   party ROLE NAME            a party (NAME is the rest of the line)
 *   sent ROLE TIME             a report to the case's party in ROLE,
 *                              drafted and marked sent at TIME
 *   reply ROLE TIME CLASS      a reply from that party dated TIME;
 *                              CLASS human, auto or bounce
 *   state STATE TIME [HOW] [REASON]
 *                              move the case (HOW: the mitigation, for
 *                              mitigated; REASON: for closed)
 *   note TIME TEXT             a note in the case's history
 *
 * TIME is UTC seconds, or +DURATION after the current case was created:
 * "+90", "+3h20m", "+2d4h", "+1d2h3m4s".  In NAME, URL and TEXT, "\xNN"
 * stands for the byte NN and "\\" for a backslash (hostile names).
 *
 * Prints "N cases" at the end; exits 0, 1 on a store error, 2 on a bad
 * argument or script line (naming the line).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <strings.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "store.h"
#include "banned.h"

#define MAX_LINE 65536
#define MAX_PARTIES 32

struct cur {
	long long id;
	long long created;
	long long party[TD_ROLE_NR]; /* the first party in each role */
	unsigned sends[TD_ROLE_NR];
};

static unsigned long long msg_seq, reply_seq;

static int
usage(void)
{
	fprintf(stderr, "usage: fill_store --store FILE --script FILE|-\n"
			"       fill_store --store FILE --random N [--seed S] "
			"[--providers P] [--start T] [--batch B]\n"
			"       fill_store --store FILE --time\n");
	return 2;
}

/* "\xNN" and "\\" decoded into out; 0, or -1 for a bad escape. */
static int
unescape(struct td_buf *out, const char *s)
{
	td_buf_reset(out);
	while (*s) {
		if (*s != '\\') {
			td_buf_addch(out, *s++);
			continue;
		}
		if (s[1] == '\\') {
			td_buf_addch(out, '\\');
			s += 2;
		} else if (s[1] == 'x' && isxdigit((unsigned char)s[2]) &&
			   isxdigit((unsigned char)s[3])) {
			char hex[3] = {s[2], s[3], 0};

			td_buf_addch(out, (int)strtol(hex, NULL, 16));
			s += 4;
		} else {
			return -1;
		}
	}
	return td_buf_failed(out) ? -1 : 0;
}

/* Absolute seconds, or +DURATION after base; -1 when malformed. */
static long long
parse_time(const char *s, long long base)
{
	long long total = 0, n;
	char *end;

	if (*s != '+') {
		errno = 0;
		n = strtoll(s, &end, 10);
		if (errno || *end || n <= 0 || !isdigit((unsigned char)*s))
			return -1;
		return n;
	}
	s++;
	if (!*s)
		return -1;
	while (*s) {
		if (!isdigit((unsigned char)*s))
			return -1;
		errno = 0;
		n = strtoll(s, &end, 10);
		if (errno || n > 100000000LL)
			return -1;
		s = end;
		switch (*s) {
		case 'd':
			n *= 86400;
			s++;
			break;
		case 'h':
			n *= 3600;
			s++;
			break;
		case 'm':
			n *= 60;
			s++;
			break;
		case 's':
			s++;
			break;
		case '\0':
			break;
		default:
			return -1;
		}
		total += n;
	}
	return base + total;
}

static int
store_fail(const struct td_error *err, unsigned line)
{
	if (line)
		fprintf(stderr, "fill_store: line %u: %s\n", line, err->msg);
	else
		fprintf(stderr, "fill_store: %s\n", err->msg);
	return 1;
}

/* A report to party (of role) marked sent at t. */
static int
send_to(struct td_store *s, struct cur *c, enum td_party_role role, long long t,
	struct td_error *err)
{
	struct td_store_message m;
	char purpose[32], mid[96], to[64];
	long long id = 0;
	int rc;

	memset(&m, 0, sizeof(m));
	if (c->sends[role] == 0)
		snprintf(purpose, sizeof(purpose), "report");
	else
		snprintf(purpose, sizeof(purpose), "followup-%u",
			 c->sends[role]);
	c->sends[role]++;
	snprintf(mid, sizeof(mid), "fill.%llu@fill-store.invalid", ++msg_seq);
	m.case_id = c->id;
	m.party_id = c->party[role];
	m.purpose = purpose;
	snprintf(to, sizeof(to), "abuse-%lld@provider.invalid", c->party[role]);
	m.recipient = to;
	m.subject = (char *)"Phishing report";
	m.message_id = mid;
	m.path = (char *)"outbox/fill.eml";
	m.created = t;
	rc = td_store_message_add(&id, s, &m, err);
	if (!rc)
		rc = td_store_message_mark_sent(s, id, "250 ok", t, err);
	return rc;
}

static int
reply_from(struct td_store *s, struct cur *c, enum td_party_role role,
	   long long t, enum td_reply_class cls, struct td_error *err)
{
	struct td_store_received r;
	char sha[65];

	memset(&r, 0, sizeof(r));
	snprintf(sha, sizeof(sha), "%064llx", ++reply_seq);
	r.case_id = c->id;
	r.party_id = c->party[role];
	r.matched_by = TD_MATCH_MANUAL;
	r.from = (char *)"abuse@provider.invalid";
	r.subject = (char *)"Re: Phishing report";
	r.date = t;
	r.classification = cls;
	r.path = (char *)"replies/fill.eml";
	r.sha256 = sha;
	return td_store_received_add(NULL, s, &r, t, err);
}

static int
new_case(struct td_store *s, struct cur *c, long long t, struct td_error *err)
{
	struct td_store_case k;
	int rc;

	memset(c, 0, sizeof(*c));
	rc = td_store_case_new(&k, s, t, err);
	if (rc)
		return rc;
	c->id = k.id;
	c->created = t;
	td_store_case_release(&k);
	return 0;
}

static int
add_party(struct td_store *s, struct cur *c, enum td_party_role role,
	  const char *name, struct td_error *err)
{
	struct td_store_party p;
	long long id = 0;
	int rc;

	memset(&p, 0, sizeof(p));
	p.case_id = c->id;
	p.role = role;
	p.name = (char *)name;
	p.target = (char *)"phish.invalid";
	p.abuse_email = (char *)"abuse@provider.invalid";
	rc = td_store_party_add(&id, s, &p, err);
	if (rc >= 0 && !c->party[role])
		c->party[role] = id;
	return rc < 0 ? rc : 0;
}

/* ---- the script ---- */

static int
bad_line(unsigned line, const char *why)
{
	fprintf(stderr, "fill_store: line %u: %s\n", line, why);
	return 2;
}

/* The next space-separated word of *p (NUL-terminated in place), or NULL. */
static char *
word(char **p)
{
	char *s = *p, *w;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s)
		return NULL;
	w = s;
	while (*s && *s != ' ' && *s != '\t')
		s++;
	if (*s)
		*s++ = '\0';
	*p = s;
	return w;
}

static char *
rest(char **p)
{
	char *s = *p;

	while (*s == ' ' || *s == '\t')
		s++;
	return *s ? s : NULL;
}

static int
role_of(const char *w, struct cur *c, int need_party)
{
	int r = w ? td_store_role_parse(w) : -1;

	if (r <= 0)
		return -1;
	if (need_party && !c->party[r])
		return -2;
	return r;
}

static int
script_line(struct td_store *s, struct cur *c, char *p, unsigned ln,
	    struct td_buf *tmp)
{
	struct td_error err = {0, ""};
	char *cmd = word(&p), *w, *t;
	long long at;
	int r, rc = 0;

	if (!cmd || *cmd == '#')
		return 0;
	if (strcmp(cmd, "case") && !c->id)
		return bad_line(ln, "no case yet");
	if (!strcmp(cmd, "case")) {
		w = word(&p);
		if (!w || (at = parse_time(w, 0)) < 0 || *w == '+')
			return bad_line(ln, "case needs an absolute time");
		rc = new_case(s, c, at, &err);
	} else if (!strcmp(cmd, "url")) {
		struct td_store_url u;

		w = rest(&p);
		if (!w || unescape(tmp, w) < 0)
			return bad_line(ln, "url needs a URL");
		memset(&u, 0, sizeof(u));
		u.case_id = c->id;
		u.url = u.norm = tmp->ptr;
		u.host = (char *)"phish.invalid";
		rc = td_store_url_add(NULL, s, &u, &err);
		rc = rc < 0 ? rc : 0;
	} else if (!strcmp(cmd, "party")) {
		r = role_of(word(&p), c, 0);
		w = rest(&p);
		if (r < 0 || !w || unescape(tmp, w) < 0)
			return bad_line(ln, "party needs a role and a name");
		rc = add_party(s, c, (enum td_party_role)r, tmp->ptr, &err);
	} else if (!strcmp(cmd, "sent") || !strcmp(cmd, "reply")) {
		r = role_of(word(&p), c, 1);
		t = word(&p);
		if (r == -2)
			return bad_line(ln, "no party in that role");
		if (r < 0 || !t || (at = parse_time(t, c->created)) < 0)
			return bad_line(ln, "needs a role and a time");
		if (cmd[0] == 's') {
			rc = send_to(s, c, (enum td_party_role)r, at, &err);
		} else {
			int cls;

			w = word(&p);
			cls = w ? td_store_reply_parse(w) : -1;
			if (cls < 0)
				return bad_line(ln, "reply class: human, auto "
						    "or bounce");
			rc = reply_from(s, c, (enum td_party_role)r, at,
					(enum td_reply_class)cls, &err);
			rc = rc < 0 ? rc : 0;
		}
	} else if (!strcmp(cmd, "state")) {
		int st = td_store_state_parse((w = word(&p)) ? w : "");
		int how = 0;

		t = word(&p);
		if (st < 0 || !t || (at = parse_time(t, c->created)) < 0)
			return bad_line(ln, "state needs a state and a time");
		if (st == TD_STATE_MITIGATED) {
			w = word(&p);
			how = w ? td_store_mitigation_parse(w) : -1;
			if (how <= 0)
				return bad_line(ln, "mitigated needs how");
		}
		w = rest(&p);
		rc = td_store_set_state(s, c->id, (enum td_case_state)st,
					(enum td_mitigation)how, w, at, &err);
		rc = rc < 0 ? rc : 0;
	} else if (!strcmp(cmd, "note")) {
		struct td_store_event ev;

		t = word(&p);
		w = rest(&p);
		if (!t || (at = parse_time(t, c->created)) < 0 || !w ||
		    unescape(tmp, w) < 0)
			return bad_line(ln, "note needs a time and text");
		memset(&ev, 0, sizeof(ev));
		ev.case_id = c->id;
		ev.at = at;
		ev.kind = TD_EV_NOTE;
		ev.detail = tmp->ptr;
		rc = td_store_event_add(NULL, s, &ev, &err);
	} else {
		return bad_line(ln, "unknown directive");
	}
	return rc < 0 ? store_fail(&err, ln) : 0;
}

static int
run_script(struct td_store *s, const char *path, long long *cases)
{
	struct td_error err = {0, ""};
	struct td_buf tmp = TD_BUF_INIT;
	struct cur c;
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *line;
	unsigned ln = 0;
	int rc = 0;
	size_t len;

	if (!f) {
		fprintf(stderr, "fill_store: %s: %s\n", path, strerror(errno));
		return 1;
	}
	line = malloc(MAX_LINE);
	memset(&c, 0, sizeof(c));
	if (!line || td_store_begin(s, &err) < 0) {
		rc = line ? store_fail(&err, 0) : 1;
		goto out;
	}
	while (fgets(line, MAX_LINE, f)) {
		ln++;
		len = strlen(line);
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		else if (!feof(f)) {
			rc = bad_line(ln, "line too long");
			break;
		}
		if (len && line[len - 1] == '\r')
			line[--len] = '\0';
		if (!strncmp(line, "case", 4) &&
		    (line[4] == ' ' || line[4] == '\t'))
			(*cases)++;
		rc = script_line(s, &c, line, ln, &tmp);
		if (rc)
			break;
	}
	if (rc)
		td_store_rollback(s, NULL);
	else if (td_store_commit(s, &err) < 0)
		rc = store_fail(&err, 0);
out:
	free(line);
	td_buf_release(&tmp);
	if (f != stdin)
		fclose(f);
	return rc;
}

/* ---- generated cases ---- */

static unsigned long long rng_state;

/* splitmix64: a small, seedable generator (not for secrets). */
static unsigned long long
rng(void)
{
	unsigned long long z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double
unit(void)
{
	return (double)(rng() >> 11) / 9007199254740992.0;
}

/* A provider index in [0, n): a few take most cases. */
static unsigned
skewed(unsigned n)
{
	double u = unit();

	return (unsigned)(u * u * u * n);
}

/* A duration between lo and hi seconds, most of them short. */
static long long
spread(long long lo, long long hi)
{
	double u = unit();

	return lo + (long long)((double)(hi - lo) * u * u * u);
}

static int
random_case(struct td_store *s, long long t, unsigned providers,
	    struct td_error *err)
{
	static const char *const cdns[] = {"Cloudflare, Inc.", "Fastly, Inc.",
					   "Akamai Technologies, Inc."};
	static const char *const platforms[] = {
	    "Google LLC (Sites)", "GitHub, Inc. (Pages)", "Weebly, Inc.",
	    "Wix.com Ltd.", "Firebase Hosting"};
	struct td_store_url u;
	struct cur c;
	char name[96], url[128], host[64];
	long long first = 0, sent;
	int role, rc;

	rc = new_case(s, &c, t, err);
	if (rc)
		return rc;
	memset(&u, 0, sizeof(u));
	snprintf(host, sizeof(host), "phish-%lld.example", c.id);
	snprintf(url, sizeof(url), "https://%s/login", host);
	u.case_id = c.id;
	u.url = u.norm = url;
	u.host = host;
	rc = td_store_url_add(NULL, s, &u, err);
	if (rc < 0)
		return rc;
	snprintf(name, sizeof(name), "Hosting Provider %04u Ltd",
		 skewed(providers));
	rc = add_party(s, &c, TD_ROLE_HOST, name, err);
	snprintf(name, sizeof(name), "Registrar %03u, Inc.",
		 skewed(providers / 8 + 1));
	if (!rc)
		rc = add_party(s, &c, TD_ROLE_REGISTRAR, name, err);
	if (!rc && unit() < 0.3)
		rc = add_party(s, &c, TD_ROLE_CDN, cdns[skewed(3)], err);
	if (!rc && unit() < 0.1)
		rc = add_party(s, &c, TD_ROLE_PLATFORM, platforms[skewed(5)],
			       err);
	for (role = 1; role < TD_ROLE_NR && !rc; role++) {
		if (!c.party[role] || unit() < 0.05)
			continue; /* a few never reported */
		sent = t + spread(300, 6 * 3600);
		if (!first || sent < first)
			first = sent;
		rc = send_to(s, &c, (enum td_party_role)role, sent, err);
		if (!rc && unit() < 0.6)
			rc = reply_from(s, &c, (enum td_party_role)role,
					sent + spread(60, 3600), TD_REPLY_AUTO,
					err);
		if (!rc && unit() < 0.4)
			rc = reply_from(s, &c, (enum td_party_role)role,
					sent + spread(600, 5 * 86400),
					TD_REPLY_HUMAN, err);
		rc = rc < 0 ? rc : 0;
	}
	if (rc || !first)
		return rc;
	rc = td_store_set_state(s, c.id, TD_STATE_REPORTED, TD_MIT_NONE, NULL,
				first, err);
	if (!rc && unit() < 0.7)
		rc = td_store_set_state(s, c.id, TD_STATE_MITIGATED,
					TD_MIT_SUSPENDED, NULL,
					first + spread(600, 30 * 86400), err);
	if (rc > 0)
		rc = 0;
	return rc;
}

static int
run_random(struct td_store *s, long long n, unsigned long long seed,
	   unsigned providers, long long start, long long batch)
{
	struct td_error err = {0, ""};
	long long i;
	int rc = 0;

	rng_state = seed;
	for (i = 0; i < n && !rc; i++) {
		if (i % batch == 0 && td_store_begin(s, &err) < 0)
			return store_fail(&err, 0);
		/* about one case every 30 s, oldest first */
		rc = random_case(s, start + i * 30 + (long long)(rng() % 30),
				 providers, &err);
		if (rc) {
			td_store_rollback(s, NULL);
			return store_fail(&err, 0);
		}
		if ((i + 1) % batch == 0 || i + 1 == n) {
			if (td_store_commit(s, &err) < 0)
				return store_fail(&err, 0);
		}
	}
	return 0;
}

/* ---- timing what `takedown stats` reads ---- */

/* Milliseconds of the clock since t0 (wall: CLOCK_MONOTONIC; CPU time
   of this process: CLOCK_PROCESS_CPUTIME_ID, unaffected by other load). */
static double
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static double
cpu_ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

struct sample {
	struct td_store *s;
	const struct td_store_stats *x;
	size_t nr, reads;
};

static int
sample_case(const struct td_store_case *c, void *payload)
{
	struct sample *sp = payload;
	struct td_store_party *pv = NULL;
	size_t np = 0, i;

	if (c->mitigated <= 0)
		return 0;
	if (td_store_party_list(&pv, &np, sp->s, c->id, NULL) < 0)
		return -1;
	sp->reads++;
	for (i = 0; i < np; i++)
		if (pv[i].role == sp->x->role && pv[i].first_sent > 0 &&
		    !strcasecmp(pv[i].name, sp->x->name)) {
			sp->nr++;
			break;
		}
	td_store_party_list_free(pv, np);
	return 0;
}

static int
run_time(const char *path)
{
	static const enum td_party_role roles[] = {
	    TD_ROLE_HOST, TD_ROLE_REGISTRAR, TD_ROLE_CDN, TD_ROLE_PLATFORM};
	struct td_error err = {0, ""};
	struct td_store *s = NULL;
	struct td_store_stats *v[4] = {NULL};
	size_t nr[4] = {0}, k, i, rows = 0;
	struct td_store_filter f;
	struct sample sp;
	struct timespec t0;
	double ms, best = 1e9, open_ms, best_open = 0, cpu, best_cpu = 1e9;
	struct timespec c0;
	int run;

	for (run = 0; run < 4; run++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
		if (td_store_open(&s, path, &err) < 0)
			return store_fail(&err, 0);
		open_ms = ms_since(&t0);
		for (k = 0; k < 4; k++) {
			struct td_store_stats_filter sf = {roles[k], 0, 20};

			if (td_store_stats_list(&v[k], &nr[k], s, &sf, &err) <
			    0)
				return store_fail(&err, 0);
		}
		ms = ms_since(&t0);
		cpu = cpu_ms_since(&c0);
		if (run == 0) {
			printf("stats (open + 4 roles, top 20): first %.1f ms "
			       "(open %.1f, CPU %.1f)",
			       ms, open_ms, cpu);
		} else {
			if (ms < best) {
				best = ms;
				best_open = open_ms;
			}
			if (cpu < best_cpu)
				best_cpu = cpu;
		}
		if (run < 3) {
			for (k = 0; k < 4; k++)
				td_store_stats_list_free(v[k], nr[k]);
			td_store_close(s);
		}
	}
	printf(", best of 3 %.1f ms (open %.1f, CPU %.1f)\n", best, best_open,
	       best_cpu);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	memset(&sp, 0, sizeof(sp));
	sp.s = s;
	for (k = 0; k < 4; k++)
		for (i = 0; i < nr[k]; i++) {
			memset(&f, 0, sizeof(f));
			f.role = roles[k];
			f.provider = v[k][i].name;
			f.states =
			    1u << TD_STATE_MITIGATED | 1u << TD_STATE_CLOSED;
			f.limit = 100;
			sp.x = &v[k][i];
			if (td_store_case_each(s, &f, sample_case, &sp, &err) <
			    0)
				return store_fail(&err, 0);
			rows++;
		}
	ms = ms_since(&t0);
	cpu = cpu_ms_since(&c0);
	printf("html samples: %zu providers, %zu cases read, %zu durations: "
	       "%.1f ms (CPU %.1f)\n",
	       rows, sp.reads, sp.nr, ms, cpu);
	for (k = 0; k < 4; k++)
		td_store_stats_list_free(v[k], nr[k]);
	td_store_close(s);
	return 0;
}

static int
number(long long *out, const char *s)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno || *end || end == s || *out < 0 ? -1 : 0;
}

int
main(int argc, char **argv)
{
	struct td_error err = {0, ""};
	struct td_store *s = NULL;
	const char *store = NULL, *script = NULL;
	long long n = -1, seed = 1, providers = 2000;
	long long start = 1735689600; /* 2025-01-01 */
	long long batch = 5000, cases = 0;
	int i, rc;

	if (argc == 4 && !strcmp(argv[1], "--store") &&
	    !strcmp(argv[3], "--time"))
		return run_time(argv[2]);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		long long *num = NULL;

		if (!v)
			return usage();
		if (!strcmp(a, "--store"))
			store = v;
		else if (!strcmp(a, "--script"))
			script = v;
		else if (!strcmp(a, "--random"))
			num = &n;
		else if (!strcmp(a, "--seed"))
			num = &seed;
		else if (!strcmp(a, "--providers"))
			num = &providers;
		else if (!strcmp(a, "--start"))
			num = &start;
		else if (!strcmp(a, "--batch"))
			num = &batch;
		else
			return usage();
		if (num && number(num, v) < 0)
			return usage();
		i++;
	}
	if (!store || (!script) == (n < 0) || providers < 1 ||
	    providers > 100000 || batch < 1 || start < 1)
		return usage();
	if (td_store_open(&s, store, &err) < 0)
		return store_fail(&err, 0);
	td_store_set_source(s, "fill-store");
	if (script) {
		rc = run_script(s, script, &cases);
	} else {
		rc = run_random(s, n, (unsigned long long)seed,
				(unsigned)providers, start, batch);
		cases = n;
	}
	td_store_close(s);
	if (!rc)
		printf("%lld cases\n", cases);
	return rc;
}
