/*
 * store_gen: fill a case store with N cases and about M events of a
 * realistic shape, through the store API (src/lib/store.h), for the
 * benchmarks in bench/store.sh.
 *
 *   store_gen [--cases N] [--events M] [--seed S] [--batch B]
 *             [--end UTC] [--years Y] [--quiet] FILE
 *
 * FILE must not exist yet.  Everything drawn comes from one generator
 * seeded with S, so the same arguments give the same store.  Cases are
 * created in time order over Y years (default 2) ending at --end (default
 * 2026-11-01T00:00:00Z); each gets 1-3 URLs under its own domain, a
 * registrar (none for an IP URL), a host, sometimes a CDN and a platform,
 * each party drawn from a pool of providers with a Zipf-like spread (a few
 * providers hold most cases), one fetch of evidence, one draft per party,
 * most of them sent, replies of the three classes (auto-responses, human
 * answers, bounces) matched by In-Reply-To, state changes, mitigations,
 * closures, escalations, labels, and "check" events, added as needed to
 * bring the history to M events.  Nothing happens after --end.
 *
 * One transaction per B cases (default 10,000); progress on stderr.  At
 * the end one line per figure on stdout: "cases N", "events N",
 * "parties N", "messages N", "received N", "seconds S".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "store.h"

#define DAY 86400LL
#define DEFAULT_END 1793491200LL /* 2026-11-01T00:00:00Z */

static unsigned long long rng_state;

/* splitmix64: small, fast, and the same sequence everywhere */
static unsigned long long
rnd(void)
{
	unsigned long long z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* uniform in [0, 1) */
static double
unif(void)
{
	return (double)(rnd() >> 11) * (1.0 / 9007199254740992.0);
}

static int
chance(double p)
{
	return unif() < p;
}

/* uniform in [0, n) */
static long long
below(long long n)
{
	return n > 0 ? (long long)(rnd() % (unsigned long long)n) : 0;
}

/*
 * The tools are linked without libm, so the two functions needed are
 * here: ln by halving into [1, 2) and the atanh series, exp by powers of
 * two and the Taylor series.  Both are exact to about 1e-15, plenty for
 * drawing numbers.
 */
#define LN2 0.6931471805599453
static double
ln(double x)
{
	double y, y2, term, sum = 0;
	int k = 0, i;

	if (x <= 0)
		return -1e308;
	while (x >= 2) {
		x /= 2;
		k++;
	}
	while (x < 1) {
		x *= 2;
		k--;
	}
	y = (x - 1) / (x + 1);
	y2 = y * y;
	term = y;
	for (i = 1; i < 60; i += 2) {
		sum += term / i;
		term *= y2;
	}
	return 2 * sum + k * LN2;
}

static double
ex(double x)
{
	double r, term = 1, sum = 1;
	long n = (long)(x / LN2);
	int i;

	r = x - (double)n * LN2;
	for (i = 1; i < 30; i++) {
		term *= r / i;
		sum += term;
	}
	for (; n > 0; n--)
		sum *= 2;
	for (; n < 0; n++)
		sum /= 2;
	return sum;
}

/* exponential with this mean, in seconds, at least 1 */
static long long
expo(double mean)
{
	double v = -ln(1.0 - unif()) * mean;

	return v < 1 ? 1 : (long long)v;
}

/* ---- provider pools with a Zipf-like spread ---- */

struct pool {
	enum td_party_role role;
	const char *suffix;
	int nr;
	double s; /* Zipf exponent */
	double *cum;
	char **name;
	char **mail;
};

static const char *const syl[32] = {
    "na", "me",	 "host", "ko", "ri", "ta",  "vo",  "lu",  "net", "zen", "sa",
    "pi", "gro", "da",	 "mo", "ex", "ul",  "tri", "cor", "ba",	 "fi",	"qua",
    "de", "web", "sol",	 "ar", "cy", "max", "ly",  "on",  "ve",	 "io",
};

/* a unique pronounceable word for i (three syllables cover 32,768) */
static void
word_of(char *out, size_t len, unsigned i, unsigned salt)
{
	unsigned v = i * 2654435761u ^ salt;

	snprintf(out, len, "%s%s%s", syl[(i + salt) % 32], syl[(i / 32) % 32],
		 syl[(v >> 7) % 32]);
	/* make the third syllable part unique per i */
	if (i >= 1024)
		snprintf(out + strlen(out), len - strlen(out), "%u", i / 1024);
}

static int
pool_init(struct pool *p, enum td_party_role role, const char *suffix, int nr,
	  double s, unsigned salt)
{
	double sum = 0;
	char w[64];
	int i;

	p->role = role;
	p->suffix = suffix;
	p->nr = nr;
	p->s = s;
	p->cum = calloc((size_t)nr, sizeof(*p->cum));
	p->name = calloc((size_t)nr, sizeof(*p->name));
	p->mail = calloc((size_t)nr, sizeof(*p->mail));
	if (!p->cum || !p->name || !p->mail)
		return -1;
	for (i = 0; i < nr; i++) {
		size_t n;

		sum += ex(-s * ln(i + 1));
		p->cum[i] = sum;
		word_of(w, sizeof(w), (unsigned)i, salt);
		w[0] = (char)(w[0] - 'a' + 'A');
		n = strlen(w) + strlen(suffix) + 2;
		p->name[i] = malloc(n);
		if (!p->name[i])
			return -1;
		snprintf(p->name[i], n, "%s%s", w, suffix);
		w[0] = (char)(w[0] - 'A' + 'a');
		n = strlen(w) + 32;
		p->mail[i] = malloc(n);
		if (!p->mail[i])
			return -1;
		snprintf(p->mail[i], n, "abuse@%s.example", w);
	}
	for (i = 0; i < nr; i++)
		p->cum[i] /= sum;
	return 0;
}

static void
pool_release(struct pool *p)
{
	int i;

	for (i = 0; i < p->nr; i++) {
		if (p->name)
			free(p->name[i]);
		if (p->mail)
			free(p->mail[i]);
	}
	free(p->cum);
	free(p->name);
	free(p->mail);
}

/* a rank drawn with the pool's spread */
static int
pool_draw(const struct pool *p)
{
	double u = unif();
	int lo = 0, hi = p->nr - 1;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (p->cum[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* ---- the generator ---- */

struct gen {
	struct td_store *s;
	struct td_error err;
	struct pool reg, host, cdn, plat;
	long long end;
	long long events, parties, messages, received;
	unsigned long long serial; /* for unique Message-IDs and hashes */
};

static const char *const tlds[] = {
    "com",    "com",  "com",  "net", "org", "info", "xyz",   "top",
    "online", "site", "shop", "de",  "ru",  "br",   "co.uk", "app"};
static const char *const bait[] = {"secure", "login",	"verify", "account",
				   "update", "billing", "signin", "support",
				   "wallet", "auth"};
static const char *const brands[] = {
    "paypal", "bank",  "apple", "office",    "netflix",	 "dhl",
    "amazon", "wells", "chase", "microsoft", "coinbase", "meta"};
static const char *const labels[] = {
    "bank-a",	  "bank-b", "crypto",	  "parcel",   "campaign-x",
    "campaign-y", "tax",    "telco",	  "webmail",  "streaming",
    "gov",	  "vip",    "kit-16shop", "kit-evil", "sms",
    "ransom",	  "retail", "energy",	  "airline",  "charity"};

#define FAIL(g, what)                                                          \
	do {                                                                   \
		fprintf(stderr, "store_gen: %s: %s\n", what, (g)->err.msg);    \
		return -1;                                                     \
	} while (0)

static int
add_event(struct gen *g, long long case_id, enum td_event_kind kind,
	  long long at, const char *detail)
{
	struct td_store_event ev = {0};

	ev.case_id = case_id;
	ev.kind = kind;
	ev.at = at;
	ev.detail = (char *)detail;
	if (td_store_event_add(NULL, g->s, &ev, &g->err) < 0)
		FAIL(g, "event");
	g->events++;
	return 0;
}

static int
set_state(struct gen *g, long long id, enum td_case_state *cur,
	  enum td_case_state to, enum td_mitigation how, const char *detail,
	  long long at)
{
	int rc;

	if (!td_store_transition_allowed(*cur, to))
		return 0;
	rc = td_store_set_state(g->s, id, to, how, detail, at, &g->err);
	if (rc < 0)
		FAIL(g, "state");
	if (rc == 0) {
		g->events++;
		*cur = to;
	}
	return 0;
}

struct party_gen {
	long long id, msg;
	const struct pool *pool;
	int rank;
	long long sent; /* 0: not sent */
};

static int
add_party(struct gen *g, struct party_gen *pg, long long case_id,
	  const struct pool *p, const char *target)
{
	struct td_store_party in = {0};
	int rc;

	pg->pool = p;
	pg->rank = pool_draw(p);
	pg->sent = 0;
	pg->msg = 0;
	in.case_id = case_id;
	in.role = p->role;
	in.name = p->name[pg->rank];
	in.target = (char *)target;
	in.abuse_email = p->mail[pg->rank];
	in.country = (char *)(pg->rank % 3 ? "US" : "DE");
	in.provenance = (char *)"{\"source\":\"rdap\",\"generated\":true}";
	rc = td_store_party_add(&pg->id, g->s, &in, &g->err);
	if (rc < 0)
		FAIL(g, "party");
	if (rc == 0)
		g->parties++;
	return rc; /* 1: the same provider in that role already */
}

static void
hex64(char out[65])
{
	int i;

	for (i = 0; i < 4; i++)
		snprintf(out + i * 16, 17, "%016llx", rnd());
}

static int
receive(struct gen *g, long long case_id, const char *tag, struct party_gen *pg,
	enum td_reply_class cls, long long date)
{
	struct td_store_received r = {0};
	char from[128], subj[160], mid[96], path[96], sha[65];

	snprintf(from, sizeof(from), "%s",
		 cls == TD_REPLY_BOUNCE ? "MAILER-DAEMON@mx.example"
					: pg->pool->mail[pg->rank]);
	snprintf(subj, sizeof(subj), "%s[%s] Phishing report",
		 cls == TD_REPLY_BOUNCE ? "Undelivered Mail Returned to "
					  "Sender: "
		 : cls == TD_REPLY_AUTO ? "Automatic reply: "
					: "Re: ",
		 tag);
	snprintf(mid, sizeof(mid), "r%llu.%llx@%s", ++g->serial, rnd() >> 20,
		 cls == TD_REPLY_BOUNCE ? "mx.example" : "desk.example");
	snprintf(path, sizeof(path), "inbox/%llu.eml", g->serial);
	hex64(sha);
	r.case_id = case_id;
	r.party_id = pg->id;
	r.message = pg->msg;
	r.matched_by = TD_MATCH_IN_REPLY_TO;
	r.from = from;
	r.subject = subj;
	r.message_id = mid;
	r.date = date;
	r.classification = cls;
	r.path = path;
	r.sha256 = sha;
	if (cls == TD_REPLY_AUTO && chance(0.6)) {
		char ticket[32];

		snprintf(ticket, sizeof(ticket), "%c%08llu",
			 "ATRC"[pg->rank % 4], below(100000000));
		r.ticket = ticket;
		if (td_store_received_add(NULL, g->s, &r, date, &g->err) < 0)
			FAIL(g, "received");
	} else if (td_store_received_add(NULL, g->s, &r, date, &g->err) < 0) {
		FAIL(g, "received");
	}
	g->received++;
	g->events++;
	return 0;
}

/* one case and its whole life up to g->end */
static int
one_case(struct gen *g, long long created, long long target_events)
{
	struct td_store_case c;
	struct party_gen pv[4];
	int npv = 0, i, nurl, is_ip, malicious, human = 0, replies = 0;
	char domain[128], host[160], url[512], title[128], mid[128], subj[256],
	    path[96];
	enum td_case_state st = TD_STATE_OPEN;
	long long id, url_id = 0, first_sent = 0, last = created;
	long long age = g->end - created;

	if (td_store_case_new(&c, g->s, created, &g->err) < 0)
		FAIL(g, "case");
	id = c.id;
	g->events++;

	malicious = chance(0.7);
	if (chance(0.92)) {
		if (td_store_case_set_kind(
			g->s, id,
			malicious ? TD_KIND_MALICIOUS : TD_KIND_COMPROMISED,
			malicious ? "brand name in a new domain\nlogin form"
				  : "old domain, CMS path\nlogin form",
			created + 5, &g->err) < 0)
			FAIL(g, "kind");
		g->events++;
	}

	/* the URLs */
	is_ip = chance(0.04);
	if (malicious)
		snprintf(domain, sizeof(domain), "%s-%s%llu.%s",
			 brands[below(12)], bait[below(10)], below(100000),
			 tlds[below(16)]);
	else {
		char w[64];

		word_of(w, sizeof(w), (unsigned)below(30000),
			(unsigned)below(7));
		snprintf(domain, sizeof(domain), "%s%llu.%s", w, below(1000),
			 tlds[below(16)]);
	}
	if (is_ip)
		snprintf(host, sizeof(host), "%llu.%llu.%llu.%llu",
			 45 + below(150), below(256), below(256),
			 1 + below(254));
	else if (chance(0.4))
		snprintf(host, sizeof(host), "%s.%s",
			 malicious ? "login" : "www", domain);
	else
		snprintf(host, sizeof(host), "%s", domain);
	nurl = 1 + chance(0.35) + chance(0.1);
	for (i = 0; i < nurl; i++) {
		struct td_store_url u = {0};
		long long uid = 0;

		snprintf(url, sizeof(url), "https://%s/%s/%s%d.php?id=%llx",
			 host,
			 malicious ? bait[below(10)] : "wp-content/plugins",
			 i ? "step" : "index", i, rnd() >> 24);
		u.case_id = id;
		u.url = url;
		u.norm = url;
		u.host = host;
		u.domain = is_ip ? NULL : domain;
		if (td_store_url_add(&uid, g->s, &u, &g->err) < 0)
			FAIL(g, "url");
		if (!url_id)
			url_id = uid;
	}

	/* one fetch of the first URL */
	{
		struct td_store_evidence e = {0};
		char sha[65];

		hex64(sha);
		snprintf(title, sizeof(title), "%s - Sign in",
			 malicious ? brands[below(12)] : "Account");
		e.case_id = id;
		e.url_id = url_id;
		e.url = url;
		e.profile = (char *)"desktop";
		e.fetched = created + 2;
		e.status = 200;
		e.body_sha256 = sha;
		e.body_len = 2000 + below(60000);
		e.title = title;
		e.verdict = (char *)"live";
		if (td_store_evidence_add(NULL, g->s, &e, &g->err) < 0)
			FAIL(g, "evidence");
	}

	/* who can act on it */
	if (!is_ip && add_party(g, &pv[npv], id, &g->reg, domain) == 0)
		npv++;
	if (chance(0.2) && add_party(g, &pv[npv], id, &g->cdn, host) == 0)
		npv++;
	if ((npv == 0 || pv[npv - 1].pool != &g->cdn || chance(0.6)) &&
	    add_party(g, &pv[npv], id, &g->host, host) == 0)
		npv++;
	if (chance(0.07) && add_party(g, &pv[npv], id, &g->plat, host) == 0)
		npv++;

	/*
	 * One draft each (the registrar only for a malicious domain: a
	 * compromised site is the host's and the owner's business), most of
	 * them sent a few minutes later.
	 */
	for (i = 0; i < npv; i++) {
		struct td_store_message m = {0};

		if (pv[i].pool == &g->reg && !malicious)
			continue;

		snprintf(mid, sizeof(mid), "td.%s.%s.%llx@gen.takedown.test",
			 c.tag, td_store_role_name(pv[i].pool->role),
			 rnd() >> 16);
		snprintf(subj, sizeof(subj), "[%s] Phishing at %s", c.tag,
			 host);
		snprintf(path, sizeof(path), "cases/%s/outbox/%d-%s.eml", c.tag,
			 i + 1, td_store_role_name(pv[i].pool->role));
		m.case_id = id;
		m.party_id = pv[i].id;
		m.purpose = (char *)"report";
		m.recipient = pv[i].pool->mail[pv[i].rank];
		m.subject = subj;
		m.message_id = mid;
		m.path = path;
		m.created = created + 10;
		if (td_store_message_add(&pv[i].msg, g->s, &m, &g->err) < 0)
			FAIL(g, "message");
		g->messages++;
		g->events++;
	}
	if (npv && chance(0.95)) {
		long long at = created + 60 + expo(900);

		for (i = 0; i < npv && at < g->end; i++, at += 2) {
			if (!pv[i].msg)
				continue;
			if (td_store_message_claim(g->s, pv[i].msg, at,
						   &g->err) < 0)
				FAIL(g, "claim");
			if (chance(0.02)) {
				if (td_store_message_mark_failed(
					g->s, pv[i].msg,
					"451 4.3.0 try again later", at + 1,
					&g->err) < 0)
					FAIL(g, "failed");
				g->events++;
				continue;
			}
			if (td_store_message_mark_sent(g->s, pv[i].msg,
						       "250 2.0.0 Ok: queued",
						       at + 1, &g->err) < 0)
				FAIL(g, "sent");
			g->events++;
			pv[i].sent = at + 1;
			if (!first_sent) {
				first_sent = at + 1;
				if (set_state(g, id, &st, TD_STATE_REPORTED,
					      TD_MIT_NONE, NULL, at + 1) < 0)
					return -1;
			}
			last = at + 1;
		}
	}

	/* what came back, in time order per party */
	for (i = 0; i < npv; i++) {
		long long at;

		if (!pv[i].sent)
			continue;
		if (chance(0.04)) {
			at = pv[i].sent + 5 + below(120);
			if (at < g->end && receive(g, id, c.tag, &pv[i],
						   TD_REPLY_BOUNCE, at) < 0)
				return -1;
			continue;
		}
		if (chance(0.35)) {
			at = pv[i].sent + 30 + below(600);
			if (at < g->end) {
				if (receive(g, id, c.tag, &pv[i], TD_REPLY_AUTO,
					    at) < 0)
					return -1;
				replies++;
				if (!human &&
				    set_state(g, id, &st,
					      TD_STATE_AUTO_ACKNOWLEDGED,
					      TD_MIT_NONE, NULL, at) < 0)
					return -1;
				last = at > last ? at : last;
			}
		}
		/* big providers answer more often and faster */
		if (chance(pv[i].rank < 20 ? 0.4 : 0.2)) {
			at = pv[i].sent + 700 +
			     expo(pv[i].rank < 20 ? 6 * 3600.0 : 30 * 3600.0);
			if (at < g->end) {
				if (receive(g, id, c.tag, &pv[i],
					    TD_REPLY_HUMAN, at) < 0)
					return -1;
				human = 1;
				replies++;
				if (set_state(g, id, &st, TD_STATE_ACKNOWLEDGED,
					      TD_MIT_NONE,
					      "the provider answered", at) < 0)
					return -1;
				if (chance(0.04) &&
				    set_state(g, id, &st, TD_STATE_NEEDS_INFO,
					      TD_MIT_NONE,
					      "asks for a screenshot",
					      at + 60) < 0)
					return -1;
				last = at + 60 > last ? at + 60 : last;
			}
		}
	}

	/* taken down, or not yet */
	if (chance(first_sent ? (human ? 0.88 : 0.65) : 0.3)) {
		static const enum td_mitigation hows[] = {
		    TD_MIT_SUSPENDED,	    TD_MIT_SUSPENDED,
		    TD_MIT_SUSPENDED,	    TD_MIT_SUSPENDED,
		    TD_MIT_CLEANED,	    TD_MIT_CLEANED,
		    TD_MIT_DNS_REMOVED,	    TD_MIT_DNS_REMOVED,
		    TD_MIT_CONTENT_REMOVED, TD_MIT_CDN_BLOCKED,
		};
		long long at = (first_sent ? first_sent : created) + 1800 +
			       expo(human ? 20 * 3600.0 : 70 * 3600.0);
		enum td_mitigation how = hows[below(10)];

		if (at < last)
			at = last + 60;
		if (at < g->end) {
			if (set_state(g, id, &st, TD_STATE_MITIGATED, how,
				      "check: the page is gone", at) < 0)
				return -1;
			last = at;
			if (g->end - at > 30 * DAY && chance(0.45)) {
				if (set_state(g, id, &st, TD_STATE_CLOSED,
					      TD_MIT_NONE, "done",
					      at + 7 * DAY) < 0)
					return -1;
				last = at + 7 * DAY;
			} else if (g->end - at > 10 * DAY && chance(0.02)) {
				/* it came back */
				if (set_state(g, id, &st, TD_STATE_OPEN,
					      TD_MIT_NONE, "live again",
					      at + 5 * DAY) < 0)
					return -1;
				last = at + 5 * DAY;
			}
		}
	}
	if (st != TD_STATE_MITIGATED && st != TD_STATE_CLOSED &&
	    st != TD_STATE_OPEN && age > 90 * DAY && chance(0.75)) {
		if (set_state(g, id, &st, TD_STATE_CLOSED, TD_MIT_NONE,
			      "stale: no answer in 90 days",
			      last + 90 * DAY) < 0)
			return -1;
		last += 90 * DAY;
	} else if (st != TD_STATE_CLOSED && st != TD_STATE_MITIGATED &&
		   first_sent && chance(0.05) && last + DAY < g->end) {
		if (td_store_set_escalated(g->s, id, 1, "no answer in a day",
					   last + DAY, &g->err) < 0)
			FAIL(g, "escalated");
		g->events++;
	}
	if (chance(0.07)) {
		/* a few labels are much more common than the others */
		int l = (int)(below(20) * unif());

		if (td_store_label_add(g->s, id, labels[l], created + 30,
				       &g->err) < 0)
			FAIL(g, "label");
		g->events++;
	}

	/* checks of the page until it went down, to reach the target */
	{
		long long span = (last > created ? last - created : 3600);
		int k = 0;

		while (g->events < target_events && k++ < 40) {
			long long at = created + 120 + below(span);

			if (at >= g->end)
				break;
			if (add_event(g, id, TD_EV_CHECK, at,
				      at >= last && st == TD_STATE_MITIGATED
					  ? "HTTP 404"
					  : "HTTP 200, password form") < 0)
				return -1;
		}
	}
	(void)replies;
	td_store_case_release(&c);
	return 0;
}

static double
seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) +
	       (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static int
parse_ll(const char *s, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < 0)
		return -1;
	*out = v;
	return 0;
}

static void
usage(void)
{
	fprintf(stderr,
		"usage: store_gen [--cases N] [--events M] [--seed S] "
		"[--batch B]\n"
		"                 [--end UTC] [--years Y] [--quiet] FILE\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct gen g;
	struct timespec t0;
	struct stat sb;
	long long cases = 1000, events = -1, seed = 1, batch = 10000;
	long long years = 2, i, start, span;
	const char *file = NULL;
	int quiet = 0, rc = 1, a;

	memset(&g, 0, sizeof(g));
	g.end = DEFAULT_END;
	for (a = 1; a < argc; a++) {
		long long *dst = NULL;

		if (!strcmp(argv[a], "--cases"))
			dst = &cases;
		else if (!strcmp(argv[a], "--events"))
			dst = &events;
		else if (!strcmp(argv[a], "--seed"))
			dst = &seed;
		else if (!strcmp(argv[a], "--batch"))
			dst = &batch;
		else if (!strcmp(argv[a], "--end"))
			dst = &g.end;
		else if (!strcmp(argv[a], "--years"))
			dst = &years;
		else if (!strcmp(argv[a], "--quiet")) {
			quiet = 1;
			continue;
		} else if (argv[a][0] == '-' || file)
			usage();
		else {
			file = argv[a];
			continue;
		}
		if (a + 1 >= argc || parse_ll(argv[++a], dst) < 0)
			usage();
	}
	if (!file || cases < 1 || batch < 1 || years < 1 || g.end < 400 * DAY)
		usage();
	if (events < 0)
		events = cases * 10;
	if (stat(file, &sb) == 0) {
		fprintf(stderr, "store_gen: %s exists: give a new file\n",
			file);
		return 1;
	}
	rng_state = (unsigned long long)seed;
	if (pool_init(&g.reg, TD_ROLE_REGISTRAR, ", Inc.", 500, 1.1, 3) < 0 ||
	    pool_init(&g.host, TD_ROLE_HOST, " Hosting", 3000, 1.0, 5) < 0 ||
	    pool_init(&g.cdn, TD_ROLE_CDN, " CDN", 8, 1.6, 11) < 0 ||
	    pool_init(&g.plat, TD_ROLE_PLATFORM, " Sites", 60, 1.2, 17) < 0) {
		fprintf(stderr, "store_gen: out of memory\n");
		goto out;
	}
	if (td_store_open(&g.s, file, &g.err) < 0) {
		fprintf(stderr, "store_gen: %s\n", g.err.msg);
		goto out;
	}
	td_store_set_source(g.s, "store_gen");
	span = years * 365 * DAY;
	start = g.end - span;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < cases; i++) {
		/* in time order, a little irregular */
		long long created =
		    start + (long long)((double)span * ((double)i + unif()) /
					(double)cases);
		long long target = (long long)((double)events *
					       (double)(i + 1) / (double)cases);

		if (i % batch == 0 && td_store_begin(g.s, &g.err) < 0) {
			fprintf(stderr, "store_gen: %s\n", g.err.msg);
			goto out;
		}
		if (one_case(&g, created, target) < 0)
			goto out;
		if ((i + 1) % batch == 0 || i + 1 == cases) {
			double t;

			if (td_store_commit(g.s, &g.err) < 0) {
				fprintf(stderr, "store_gen: %s\n", g.err.msg);
				goto out;
			}
			t = seconds_since(&t0);
			if (!quiet)
				fprintf(stderr,
					"store_gen: %lld/%lld cases, %lld "
					"events, %.0f s, %.0f cases/s\n",
					i + 1, cases, g.events, t,
					(double)(i + 1) / t);
		}
	}
	printf("cases %lld\nevents %lld\nparties %lld\nmessages %lld\n"
	       "received %lld\nseconds %.1f\n",
	       cases, g.events, g.parties, g.messages, g.received,
	       seconds_since(&t0));
	rc = 0;
out:
	td_store_close(g.s);
	pool_release(&g.reg);
	pool_release(&g.host);
	pool_release(&g.cdn);
	pool_release(&g.plat);
	return rc;
}
