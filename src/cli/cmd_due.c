/*
 * takedown due: which parties of the open cases are owed a follow-up or
 * an escalation under the policy (docs/policy.md), soonest first; with
 * --draft, each due message written to the case's outbox, lint-clean and
 * recorded, for takedown send.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "clock.h"
#include "draft.h"
#include "followup.h"
#include "jsonw.h"
#include "lint.h"
#include "mail_write.h"
#include "paths.h"
#include "policy.h"
#include "profile.h"
#include "store.h"
#include "term.h"
#include "banned.h"

#define MAX_REPORT (32u << 20)

static int opt_json, opt_draft;
static const char *opt_store, *opt_profile, *opt_policy, *opt_templates;

static const struct td_opt options[] = {
    {"json", 'j', TD_OPT_FLAG, &opt_json, NULL,
     "print what is due as JSON (schema takedown-due/1)"},
    {"draft", 'd', TD_OPT_FLAG, &opt_draft, NULL,
     "write each due follow-up and escalation to the case's outbox"},
    {"policy", 0, TD_OPT_STRING, &opt_policy, "FILE",
     "the follow-up policy (default: policy in the config folder)"},
    {"templates", 0, TD_OPT_STRING, &opt_templates, "DIR",
     "followup.txt and escalate.txt replacing the built-in ones"},
    {"store", 0, TD_OPT_STRING, &opt_store, "FILE", "the case store"},
    {"profile", 0, TD_OPT_STRING, &opt_profile, "FILE",
     "the reporter profile (for --draft)"},
    {NULL, 0, 0, NULL, NULL, NULL},
};

/* One party of one case, and what is due for it. */
struct item {
	long long case_id;
	char *tag;
	enum td_case_kind kind;
	enum td_case_state state;
	long long party_id;
	size_t party_nr; /* 1-based, as the report numbers its drafts */
	enum td_party_role role;
	char *name, *email;
	struct td_due_facts f;
	struct td_due due;
	char *reason;
	/* escalations: where to, or law enforcement */
	long long target_id;
	enum td_party_role target_role;
	char *target_name, *target_email;
	char *le; /* guidance when no party is left */
	/* --draft */
	char *draft_path, *draft_mid, *error;
	const char *note; /* why a due message was not drafted (static) */
};

struct ctx {
	struct td_policy pol;
	struct td_store *store;
	struct td_profile prof;
	struct item *items;
	size_t nr, alloc;
	long long now;
	int failed;
	size_t drafted;
};

static char *
dup0(const char *s)
{
	return s ? td_strndup(s, strlen(s)) : NULL;
}

static int
due_now(const struct item *it)
{
	return it->due.action == TD_DUE_FOLLOWUP ||
	       it->due.action == TD_DUE_ESCALATE ||
	       it->due.action == TD_DUE_BOUNCED;
}

static int
usable(const struct td_store_party *p)
{
	return p->abuse_email && td_mail_addr_ok(p->abuse_email) && !p->bounced;
}

static int
is_followup(const char *purpose)
{
	return purpose && !strncmp(purpose, "followup", 8);
}

/* "escalation", or "escalation-2"... for a later one to the same party */
static int
is_escalation(const char *purpose)
{
	return purpose && !strncmp(purpose, "escalation", 10);
}

static const char *
country_of(const struct td_store_party *v, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (v[i].country && (v[i].role == TD_ROLE_HOST ||
				     v[i].role == TD_ROLE_REGISTRANT))
			return v[i].country;
	for (i = 0; i < nr; i++)
		if (v[i].country)
			return v[i].country;
	return NULL;
}

/* Everything of one case that the decisions and the drafts read. */
struct casedata {
	struct td_store_party *parties;
	size_t nr_parties;
	struct td_store_message *msgs;
	size_t nr_msgs;
	struct td_store_received *recv;
	size_t nr_recv;
};

static void
casedata_release(struct casedata *d)
{
	td_store_party_list_free(d->parties, d->nr_parties);
	td_store_message_list_free(d->msgs, d->nr_msgs);
	td_store_received_list_free(d->recv, d->nr_recv);
	memset(d, 0, sizeof(*d));
}

static int
casedata_load(struct casedata *d, struct td_store *s, long long id,
	      struct td_error *err)
{
	memset(d, 0, sizeof(*d));
	if (td_store_party_list(&d->parties, &d->nr_parties, s, id, err) < 0 ||
	    td_store_message_list(&d->msgs, &d->nr_msgs, s, id, err) < 0 ||
	    td_store_received_list(&d->recv, &d->nr_recv, s, id, err) < 0) {
		casedata_release(d);
		return -1;
	}
	return 0;
}

static void
facts_of(struct td_due_facts *f, const struct ctx *c,
	 const struct td_store_case *k, const struct casedata *d, size_t pi)
{
	const struct td_store_party *p = &d->parties[pi];
	int rung = td_policy_rung(&c->pol, p->role);
	size_t i;

	memset(f, 0, sizeof(*f));
	f->role = p->role;
	f->first_sent = p->first_sent;
	f->last_sent = p->last_sent ? p->last_sent : p->first_sent;
	f->bounced = p->bounced;
	f->case_acked = k->state == TD_STATE_ACKNOWLEDGED ? k->state_since : 0;
	f->needs_info = k->state == TD_STATE_NEEDS_INFO;
	for (i = 0; i < d->nr_recv; i++) {
		const struct td_store_received *r = &d->recv[i];
		long long at = r->date > 0 ? r->date : r->imported;

		if (r->party_id != p->id)
			continue;
		if (r->classification == TD_REPLY_HUMAN && at > f->last_human)
			f->last_human = at;
		if (r->classification == TD_REPLY_AUTO && at > f->last_auto)
			f->last_auto = at;
	}
	for (i = 0; i < d->nr_msgs; i++) {
		const struct td_store_message *m = &d->msgs[i];

		if (m->party_id == p->id && is_followup(m->purpose))
			f->followups++;
		if (m->party_id == p->id && m->state != TD_MSG_SENT &&
		    (is_followup(m->purpose) || is_escalation(m->purpose)))
			f->pending = 1;
		if (is_escalation(m->purpose) && m->created >= p->first_sent &&
		    rung >= 0 && td_policy_rung(&c->pol, m->role) > rung &&
		    m->party_id != p->id)
			f->escalated = m->created;
	}
}

static struct item *
item_new(struct ctx *c)
{
	if (td_array_grow((void **)&c->items, &c->alloc, c->nr + 1,
			  sizeof(*c->items)) < 0)
		return NULL;
	memset(&c->items[c->nr], 0, sizeof(c->items[0]));
	return &c->items[c->nr++];
}

/* Decide for every party of case k that was sent something. */
static int
scan_case(struct ctx *c, const struct td_store_case *k)
{
	struct casedata d;
	struct td_error err = {0, ""};
	enum td_party_role *roles = NULL;
	int *ok = NULL;
	size_t i;

	if (casedata_load(&d, c->store, k->id, &err) < 0) {
		td_die_msg("due", "%s: %s", k->tag, err.msg);
		c->failed = 1;
		return 0;
	}
	roles = calloc(d.nr_parties + 1, sizeof(*roles));
	ok = calloc(d.nr_parties + 1, sizeof(*ok));
	if (!roles || !ok) {
		c->failed = 1;
		goto out;
	}
	for (i = 0; i < d.nr_parties; i++) {
		roles[i] = d.parties[i].role;
		ok[i] = usable(&d.parties[i]);
	}
	for (i = 0; i < d.nr_parties; i++) {
		const struct td_store_party *p = &d.parties[i];
		struct td_buf r = TD_BUF_INIT;
		struct item *it;
		int can, t;

		/* blocklists and partners are told, not chased */
		if (!p->first_sent || p->role == TD_ROLE_BLOCKLIST ||
		    p->role == TD_ROLE_OTHER || p->role == TD_ROLE_LE)
			continue;
		if (!(it = item_new(c))) {
			c->failed = 1;
			break;
		}
		it->case_id = k->id;
		it->tag = dup0(k->tag);
		it->kind = k->kind;
		it->state = k->state;
		it->party_id = p->id;
		it->party_nr = i + 1;
		it->role = p->role;
		it->name = dup0(p->name);
		it->email = dup0(p->abuse_email);
		facts_of(&it->f, c, k, &d, i);
		can = td_policy_rung(&c->pol, p->role) >= 0;
		td_policy_decide(&it->due, &c->pol, &it->f, can, c->now);
		td_policy_reason(&r, &it->f, c->now);
		it->reason = td_buf_detach(&r, NULL);
		if (it->due.action != TD_DUE_ESCALATE &&
		    it->due.action != TD_DUE_BOUNCED)
			continue;
		t = td_policy_next(&c->pol, p->role, roles, ok, d.nr_parties,
				   k->kind != TD_KIND_COMPROMISED);
		if (t >= 0 && (size_t)t != i) {
			it->target_id = d.parties[t].id;
			it->target_role = d.parties[t].role;
			it->target_name = dup0(d.parties[t].name);
			it->target_email = dup0(d.parties[t].abuse_email);
		} else {
			struct td_buf le = TD_BUF_INIT;

			td_followup_le_advice(
			    &le, country_of(d.parties, d.nr_parties));
			it->le = td_buf_detach(&le, NULL);
		}
	}
out:
	free(roles);
	free(ok);
	casedata_release(&d);
	return 0;
}

static int
scan_cb(const struct td_store_case *k, void *payload)
{
	return scan_case(payload, k);
}

/* ---- drafting -------------------------------------------------------- */

static char *
read_bounded(const char *path, size_t max, size_t *len)
{
	struct td_buf b = TD_BUF_INIT;
	char chunk[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || b.len + (size_t)n > max)
			break;
		td_buf_add(&b, chunk, (size_t)n);
	}
	close(fd);
	if (n != 0 || td_buf_failed(&b)) {
		td_buf_release(&b);
		errno = n > 0 ? EFBIG : n < 0 ? errno : ENOMEM;
		return NULL;
	}
	return td_buf_detach(&b, len);
}

/* The identity for a case: as takedown report signs it. */
static void
identity(const struct td_profile *p, enum td_case_kind kind,
	 struct td_draft_identity *id, char **personal, size_t *nr_personal)
{
	memset(id, 0, sizeof(*id));
	*nr_personal = 0;
	if (kind == TD_KIND_COMPROMISED) {
		id->name = p->name;
		id->org = p->org;
		id->email = p->email;
		id->phone = p->phone;
		id->signature = p->signature;
		return;
	}
	/* malicious or unknown: it may reach the criminal */
	id->org = p->public_name && *p->public_name ? p->public_name : p->org;
	id->email =
	    p->public_email && *p->public_email ? p->public_email : p->email;
	if (p->name && *p->name)
		personal[(*nr_personal)++] = p->name;
	if (p->public_email && *p->public_email && p->email &&
	    strcasecmp(p->public_email, p->email))
		personal[(*nr_personal)++] = p->email;
	if (p->phone && *p->phone)
		personal[(*nr_personal)++] = p->phone;
}

static enum td_draft_role
draft_role(enum td_party_role r)
{
	switch (r) {
	case TD_ROLE_REGISTRAR:
	case TD_ROLE_REGISTRY:
		return TD_DRAFT_REGISTRAR;
	case TD_ROLE_CDN:
		return TD_DRAFT_CDN;
	case TD_ROLE_PLATFORM:
		return TD_DRAFT_PLATFORM;
	case TD_ROLE_REGISTRANT:
		return TD_DRAFT_OWNER;
	case TD_ROLE_LE:
		return TD_DRAFT_LE;
	case TD_ROLE_BLOCKLIST:
		return TD_DRAFT_BLOCKLIST;
	case TD_ROLE_OTHER:
		return TD_DRAFT_TAKEDOWN;
	default:
		return TD_DRAFT_HOST;
	}
}

/* What a case's drafts are made from, read once per case. */
struct material {
	struct td_store_case k;
	struct casedata d;
	struct td_store_url *urls;
	size_t nr_urls;
	struct td_store_evidence *ev;
	size_t nr_ev;
	struct td_store_mail *mails;
	size_t nr_mails;
	struct td_draft_url *durls;
	char **urlv;
	struct td_draft_fetch *fetches;
	size_t nr_fetches;
	struct td_buf le;
	char *outbox;
};

static void
material_release(struct material *m)
{
	td_store_case_release(&m->k);
	casedata_release(&m->d);
	td_store_url_list_free(m->urls, m->nr_urls);
	td_store_evidence_list_free(m->ev, m->nr_ev);
	td_store_mail_list_free(m->mails, m->nr_mails);
	free(m->durls);
	free(m->urlv);
	free(m->fetches);
	td_buf_release(&m->le);
	free(m->outbox);
	memset(m, 0, sizeof(*m));
}

static int
material_load(struct material *m, struct td_store *s, long long id,
	      struct td_error *err)
{
	char *cases;
	size_t i, j;

	memset(m, 0, sizeof(*m));
	if (td_store_case_get(&m->k, s, id, err) < 0 ||
	    casedata_load(&m->d, s, id, err) < 0 ||
	    td_store_url_list(&m->urls, &m->nr_urls, s, id, err) < 0 ||
	    td_store_evidence_list(&m->ev, &m->nr_ev, s, id, err) < 0 ||
	    td_store_mail_list(&m->mails, &m->nr_mails, s, id, err) < 0)
		return -1;
	if (!m->nr_urls)
		return td_error_set(err, TD_EINVAL, "the case has no URL");
	m->durls = calloc(m->nr_urls, sizeof(*m->durls));
	m->urlv = calloc(m->nr_urls, sizeof(*m->urlv));
	m->fetches = calloc(m->nr_urls, sizeof(*m->fetches));
	if (!m->durls || !m->urlv || !m->fetches)
		return td_error_set(err, TD_ENOMEM, "out of memory");
	for (i = 0; i < m->nr_urls; i++) {
		const struct td_store_evidence *best = NULL;

		m->durls[i].url = m->urls[i].url;
		m->durls[i].normalized = m->urls[i].norm;
		m->urlv[i] = m->urls[i].url;
		/* the latest capture of this URL */
		for (j = 0; j < m->nr_ev; j++) {
			const struct td_store_evidence *e = &m->ev[j];

			if ((e->url_id == m->urls[i].id ||
			     (e->url && !strcmp(e->url, m->urls[i].url))) &&
			    (!best || e->fetched >= best->fetched))
				best = e;
		}
		if (best) {
			struct td_draft_fetch *f = &m->fetches[m->nr_fetches++];

			f->url = best->url;
			f->final_url = best->final_url;
			f->status = best->status;
			f->title = best->title;
			f->tls_subject = best->tls_subject;
			f->tls_issuer = best->tls_issuer;
			f->tls_not_before =
			    best->tls_not_before ? best->tls_not_before : -1;
			f->tls_not_after =
			    best->tls_not_after ? best->tls_not_after : -1;
			f->sha256 = best->body_sha256;
			f->size = best->body_sha256 ? best->body_len : -1;
			f->fetched_at = best->fetched;
			f->client = best->profile;
		}
	}
	td_followup_le_advice(&m->le,
			      country_of(m->d.parties, m->d.nr_parties));
	cases = td_path_data("cases");
	if (!cases)
		return td_error_set(err, TD_EIO, "no data folder");
	{
		struct td_buf b = TD_BUF_INIT;

		td_buf_printf(&b, "%s/%s/outbox", cases, m->k.tag);
		free(cases);
		if (td_buf_failed(&b))
			return td_error_set(err, TD_ENOMEM, "out of memory");
		m->outbox = td_buf_detach(&b, NULL);
	}
	if (td_mkdirs(m->outbox, 0700, err) < 0)
		return -1;
	if (td_buf_failed(&m->le))
		return td_error_set(err, TD_ENOMEM, "out of memory");
	return 0;
}

static const struct td_store_party *
party_by_id(const struct material *m, long long id, size_t *nr)
{
	size_t i;

	for (i = 0; i < m->d.nr_parties; i++)
		if (m->d.parties[i].id == id) {
			if (nr)
				*nr = i + 1;
			return &m->d.parties[i];
		}
	return NULL;
}

static int
by_sent(const void *a, const void *b)
{
	const struct td_store_message *x =
	    *(const struct td_store_message *const *)a;
	const struct td_store_message *y =
	    *(const struct td_store_message *const *)b;

	if (x->sent != y->sent)
		return x->sent < y->sent ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Our sent messages to party (0: to anyone), oldest first. */
static size_t
sent_to(const struct td_store_message **out, const struct material *m,
	long long party)
{
	size_t i, n = 0;

	for (i = 0; i < m->d.nr_msgs; i++)
		if (m->d.msgs[i].state == TD_MSG_SENT &&
		    (!party || m->d.msgs[i].party_id == party))
			out[n++] = &m->d.msgs[i];
	qsort(out, n, sizeof(*out), by_sent);
	return n;
}

static int
trail_cmp(const void *a, const void *b)
{
	const struct td_followup_msg *x = a, *y = b;

	return x->date < y->date ? -1 : x->date > y->date;
}

/* The audit trail: our sent messages and the answers, of one party
   (0: of the whole case), by date. */
static struct td_followup_msg *
trail_of(size_t *nr, const struct material *m, long long party)
{
	struct td_followup_msg *t =
	    calloc(m->d.nr_msgs + m->d.nr_recv + 1, sizeof(*t));
	size_t i, n = 0;

	if (!t)
		return NULL;
	for (i = 0; i < m->d.nr_msgs; i++) {
		const struct td_store_message *s = &m->d.msgs[i];
		const struct td_store_party *p =
		    party_by_id(m, s->party_id, NULL);

		if (s->state != TD_MSG_SENT || (party && s->party_id != party))
			continue;
		t[n].message_id = s->message_id;
		t[n].date = s->sent;
		t[n].role = td_policy_rung_name(s->role);
		t[n].party = p ? p->name : NULL;
		t[n].address = s->recipient;
		t[n].purpose = s->purpose;
		t[n].subject = s->subject;
		n++;
	}
	for (i = 0; i < m->d.nr_recv; i++) {
		const struct td_store_received *r = &m->d.recv[i];
		const struct td_store_party *p =
		    party_by_id(m, r->party_id, NULL);

		if (party && r->party_id != party)
			continue;
		t[n].received = 1;
		t[n].message_id = r->message_id;
		t[n].date = r->date > 0 ? r->date : r->imported;
		t[n].role = p ? td_policy_rung_name(p->role) : NULL;
		t[n].party = p ? p->name : NULL;
		t[n].address = r->from;
		t[n].purpose = r->classification == TD_REPLY_HUMAN ? "an answer"
			       : r->classification == TD_REPLY_AUTO
				   ? "an auto-response"
				   : "a bounce (not delivered)";
		t[n].subject = r->subject;
		t[n].ticket = r->ticket;
		n++;
	}
	qsort(t, n, sizeof(*t), trail_cmp);
	*nr = n;
	return t;
}

static void
status_of(struct td_buf *b, const struct td_due_facts *f)
{
	if (f->bounced) {
		td_buf_adds(b, "our message to it bounced");
	} else if (f->last_human) {
		time_t t = (time_t)f->last_human;
		struct tm tm;

		gmtime_r(&t, &tm);
		td_buf_printf(b,
			      "an answer on %04d-%02d-%02d, but the site is "
			      "still up",
			      tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	} else if (f->last_auto) {
		td_buf_adds(b, "only an automatic acknowledgement, no answer "
			       "from a person");
	} else {
		td_buf_adds(b, "no answer");
	}
}

/* Write data to the outbox as NN-ROLE-PURPOSE.eml (a new name). */
static char *
write_outbox(const char *dir, size_t nr, enum td_party_role role,
	     const char *purpose, const char *data, size_t len)
{
	int k;

	for (k = 1; k < 100; k++) {
		struct td_buf p = TD_BUF_INIT;
		int fd;

		td_buf_printf(&p, "%s/%02zu-%s-%s", dir, nr,
			      td_store_role_name(role), purpose);
		if (k > 1)
			td_buf_printf(&p, "-%d", k);
		td_buf_adds(&p, ".eml");
		if (td_buf_failed(&p)) {
			td_buf_release(&p);
			errno = ENOMEM;
			return NULL;
		}
		fd = open(p.ptr, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 && errno == EEXIST) {
			td_buf_release(&p);
			continue;
		}
		if (fd < 0) {
			td_buf_release(&p);
			return NULL;
		}
		if (write(fd, data, len) != (ssize_t)len || fsync(fd) < 0) {
			int e = errno;

			close(fd);
			unlink(p.ptr);
			td_buf_release(&p);
			errno = e ? e : EIO;
			return NULL;
		}
		close(fd);
		return td_buf_detach(&p, NULL);
	}
	errno = EEXIST;
	return NULL;
}

static void set_error(struct item *it, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
set_error(struct item *it, const char *fmt, ...)
{
	struct td_buf b = TD_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	td_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	free(it->error);
	it->error = td_buf_detach(&b, NULL);
}

/* 1 when the case has a message of purpose to party already (any
   state), or it cannot be told. */
static int
drafted_already(struct td_store *s, long long case_id, long long party,
		const char *purpose)
{
	struct td_store_message *v = NULL;
	size_t nr = 0, i;
	int found = 0;

	if (td_store_message_list(&v, &nr, s, case_id, NULL) < 0)
		return 1;
	for (i = 0; i < nr && !found; i++)
		found =
		    v[i].party_id == party && !strcmp(v[i].purpose, purpose);
	td_store_message_list_free(v, nr);
	return found;
}

/*
 * Compose, lint, write and record one message to party `to` of the case:
 * a follow-up (silent NULL) or an escalation from the items silent[].
 */
static int
draft_one(struct ctx *c, struct material *m, struct item *it,
	  struct item **silent, size_t nr_silent)
{
	int esc = silent != NULL;
	long long to_id = esc ? it->target_id : it->party_id;
	size_t to_nr = 0, nr_thread, i, nr_personal, nr_trail = 0;
	const struct td_store_party *to = party_by_id(m, to_id, &to_nr);
	const struct td_store_message **thread = NULL, **from_thread = NULL;
	const char **ids = NULL;
	const struct td_store_message *orig;
	struct td_followup_silent *sil = NULL;
	struct td_followup_msg *trail = NULL;
	struct td_followup_input in;
	struct td_followup_opts fo = {opt_templates, 0};
	struct td_draft_identity id;
	struct td_draft d;
	struct td_lint l;
	struct td_lint_opts lo;
	struct td_store_message msg;
	struct td_error err = {0, ""};
	struct td_buf status = TD_BUF_INIT, rto = TD_BUF_INIT;
	struct td_buf purpose = TD_BUF_INIT, detail = TD_BUF_INIT;
	char *personal[4], *report = NULL, *path = NULL;
	size_t report_len = 0;
	int ret = -1;

	memset(&d, 0, sizeof(d));
	memset(&l, 0, sizeof(l));
	if (!to || !to->abuse_email) {
		set_error(it, "the party is gone from the case");
		return -1;
	}
	thread = calloc(m->d.nr_msgs + 1, sizeof(*thread));
	from_thread = calloc(m->d.nr_msgs + 1, sizeof(*from_thread));
	ids = calloc(m->d.nr_msgs + 1, sizeof(*ids));
	if (!thread || !from_thread || !ids)
		goto oom;
	nr_thread = sent_to(thread, m, to_id);
	for (i = 0; i < nr_thread; i++)
		ids[i] = thread[i]->message_id;
	/* the report attached: the first message to the party that did not
	   act (for a follow-up, the recipient itself) */
	if (!sent_to(from_thread, m, esc ? silent[0]->party_id : to_id)) {
		set_error(it, "no sent message to follow up");
		goto out;
	}
	orig = from_thread[0];
	for (i = 0; from_thread[i]; i++)
		if (!strcmp(from_thread[i]->purpose, "report")) {
			orig = from_thread[i];
			break;
		}
	report = read_bounded(orig->path, MAX_REPORT, &report_len);
	if (!report) {
		set_error(it, "%s: %s", orig->path, strerror(errno));
		goto out;
	}
	{
		const struct td_store_party *op =
		    party_by_id(m, orig->party_id, NULL);

		td_buf_printf(&rto, "%s %s <%s>",
			      td_policy_rung_name(orig->role),
			      op && op->name ? op->name : "", orig->recipient);
	}
	identity(&c->prof, m->k.kind, &id, personal, &nr_personal);
	trail = trail_of(&nr_trail, m, esc ? 0 : to_id);
	if (!trail)
		goto oom;
	if (esc) {
		sil = calloc(nr_silent, sizeof(*sil));
		if (!sil)
			goto oom;
		for (i = 0; i < nr_silent; i++) {
			struct td_buf st = TD_BUF_INIT;

			status_of(&st, &silent[i]->f);
			sil[i].role = td_policy_rung_name(silent[i]->role);
			sil[i].name = silent[i]->name;
			sil[i].email = silent[i]->email;
			sil[i].first_sent = silent[i]->f.first_sent;
			sil[i].followups = silent[i]->f.followups;
			sil[i].last_sent = silent[i]->f.last_sent;
			sil[i].status = td_buf_detach(&st, NULL);
		}
	} else {
		status_of(&status, &it->f);
	}
	memset(&in, 0, sizeof(in));
	in.kind = esc ? TD_ESCALATION : TD_FOLLOWUP;
	in.from = &id;
	in.to.role = draft_role(to->role);
	in.to.name = to->name;
	in.to.email = to->abuse_email;
	in.case_tag = m->k.tag;
	in.case_kind = m->k.kind == TD_KIND_COMPROMISED ? TD_DRAFT_COMPROMISED
							: TD_DRAFT_MALICIOUS;
	in.urls = m->durls;
	in.nr_urls = m->nr_urls;
	in.found_how = m->nr_mails ? "received in a phishing e-mail"
				   : "reported to us as a phishing page";
	in.fetches = m->fetches;
	in.nr_fetches = m->nr_fetches;
	in.mail_sha256 = m->nr_mails ? m->mails[0].sha256 : NULL;
	in.le_advice = m->le.ptr;
	in.thread_subject = nr_thread ? thread[0]->subject : NULL;
	in.thread = ids;
	in.nr_thread = nr_thread;
	in.followup_nr = it->f.followups + 1;
	in.first_sent = to->first_sent;
	in.status = status.ptr;
	in.ticket = to->ticket;
	in.trail = trail;
	in.nr_trail = nr_trail;
	in.silent = sil;
	in.nr_silent = esc ? nr_silent : 0;
	in.report = report;
	in.report_len = report_len;
	in.report_sent = orig->sent;
	in.report_to = rto.ptr;
	in.redact = personal;
	in.nr_redact = nr_personal;
	in.now = c->now;
	if (td_followup_compose(&d, &in, &fo, &err) < 0) {
		set_error(it, "%s", err.msg);
		goto out;
	}
	memset(&lo, 0, sizeof(lo));
	lo.malicious = m->k.kind != TD_KIND_COMPROMISED;
	lo.personal = personal;
	lo.nr_personal = nr_personal;
	lo.urls = m->urlv;
	lo.nr_urls = m->nr_urls;
	lo.attachment = TD_LINT_ATTACH_REQUIRED;
	if (td_lint_check(&l, d.message, d.len, &lo, &err) < 0) {
		set_error(it, "lint: %s", err.msg);
		goto out;
	}
	if (l.nr) {
		set_error(it, "the draft fails lint: %s: %s", l.issues[0].rule,
			  l.issues[0].reason);
		goto out;
	}
	if (esc) {
		/* purposes are unique per recipient (the store sends one of
		   each at most): a later escalation to it is numbered */
		size_t n = 0;

		for (i = 0; i < m->d.nr_msgs; i++)
			if (m->d.msgs[i].party_id == to->id &&
			    is_escalation(m->d.msgs[i].purpose))
				n++;
		td_buf_adds(&purpose, "escalation");
		if (n)
			td_buf_printf(&purpose, "-%zu", n + 1);
	} else
		td_buf_printf(&purpose, "followup-%u", it->f.followups + 1);
	path = write_outbox(m->outbox, to_nr, to->role, purpose.ptr, d.message,
			    d.len);
	if (!path) {
		set_error(it, "%s: %s", m->outbox, strerror(errno));
		goto out;
	}
	memset(&msg, 0, sizeof(msg));
	msg.case_id = m->k.id;
	msg.party_id = to->id;
	msg.purpose = purpose.ptr;
	msg.recipient = to->abuse_email;
	msg.subject = d.subject;
	msg.message_id = d.message_id;
	msg.in_reply_to = nr_thread ? (char *)ids[nr_thread - 1] : NULL;
	msg.path = path;
	msg.created = c->now;
	if (td_store_begin(c->store, &err) < 0) {
		unlink(path);
		set_error(it, "store: %s", err.msg);
		goto out;
	}
	/* under the write lock: another run may have drafted it since
	   this one looked */
	if (drafted_already(c->store, m->k.id, to->id, purpose.ptr)) {
		td_store_rollback(c->store, NULL);
		unlink(path);
		it->note = "drafted meanwhile by another run";
		ret = 0;
		goto out;
	}
	if (td_store_message_add(NULL, c->store, &msg, &err) < 0) {
		td_store_rollback(c->store, NULL);
		unlink(path);
		set_error(it, "store: %s", err.msg);
		goto out;
	}
	if (esc) {
		td_buf_printf(&detail, "escalated to %s %s <%s>",
			      td_policy_rung_name(to->role),
			      to->name ? to->name : "", to->abuse_email);
		if (td_store_set_escalated(c->store, m->k.id, 1, detail.ptr,
					   c->now, &err) < 0) {
			td_store_rollback(c->store, NULL);
			unlink(path);
			set_error(it, "store: %s", err.msg);
			goto out;
		}
	}
	if (td_store_commit(c->store, &err) < 0) {
		unlink(path);
		set_error(it, "store: %s", err.msg);
		goto out;
	}
	for (i = 0; i < (esc ? nr_silent : 1); i++) {
		struct item *x = esc ? silent[i] : it;

		free(x->draft_path);
		free(x->draft_mid);
		x->draft_path = dup0(path);
		x->draft_mid = dup0(d.message_id);
	}
	c->drafted++;
	ret = 0;
	goto out;
oom:
	set_error(it, "out of memory");
out:
	if (ret < 0 && esc)
		for (i = 1; i < nr_silent; i++)
			set_error(silent[i], "%s", it->error ? it->error : "?");
	for (i = 0; sil && i < nr_silent; i++)
		free((char *)sil[i].status);
	free(sil);
	free(trail);
	free(thread);
	free(from_thread);
	free(ids);
	free(report);
	free(path);
	td_lint_release(&l);
	td_draft_release(&d);
	td_buf_release(&status);
	td_buf_release(&rto);
	td_buf_release(&purpose);
	td_buf_release(&detail);
	return ret;
}

static void
draft_all(struct ctx *c)
{
	size_t i, j, n;
	struct item **group = calloc(c->nr + 1, sizeof(*group));

	if (!group) {
		c->failed = 1;
		return;
	}
	for (i = 0; i < c->nr; i++) {
		struct material m;
		struct td_error err = {0, ""};
		long long cid = c->items[i].case_id;

		/* each case once, at its first item */
		for (j = 0; j < i; j++)
			if (c->items[j].case_id == cid)
				break;
		if (j < i)
			continue;
		for (n = 0, j = i; j < c->nr; j++)
			if (c->items[j].case_id == cid &&
			    due_now(&c->items[j]) &&
			    (c->items[j].due.action == TD_DUE_FOLLOWUP ||
			     c->items[j].target_id))
				n++;
		if (!n)
			continue;
		if (material_load(&m, c->store, cid, &err) < 0) {
			for (j = i; j < c->nr; j++)
				if (c->items[j].case_id == cid &&
				    due_now(&c->items[j]))
					set_error(&c->items[j], "%s", err.msg);
			c->failed = 1;
			material_release(&m);
			continue;
		}
		/* escalations first: a party that gets one now needs no
		   follow-up in the same run */
		for (j = i; j < c->nr; j++) {
			struct item *it = &c->items[j];
			size_t k, ng = 0;

			if (it->case_id != cid || !due_now(it) ||
			    it->draft_path || it->error ||
			    it->due.action == TD_DUE_FOLLOWUP || !it->target_id)
				continue;
			/* one escalation per target: every party that
			   goes over to it */
			for (k = j; k < c->nr; k++)
				if (c->items[k].case_id == cid &&
				    (c->items[k].due.action ==
					 TD_DUE_ESCALATE ||
				     c->items[k].due.action ==
					 TD_DUE_BOUNCED) &&
				    c->items[k].target_id == it->target_id &&
				    !c->items[k].draft_path)
					group[ng++] = &c->items[k];
			if (draft_one(c, &m, it, group, ng) < 0)
				c->failed = 1;
		}
		for (j = i; j < c->nr; j++) {
			struct item *it = &c->items[j];
			size_t k;

			if (it->case_id != cid ||
			    it->due.action != TD_DUE_FOLLOWUP || it->error)
				continue;
			for (k = i; k < c->nr; k++)
				if (c->items[k].case_id == cid &&
				    c->items[k].draft_path &&
				    c->items[k].target_id == it->party_id)
					break;
			if (k < c->nr) {
				it->note = "an escalation to it was drafted "
					   "now; no follow-up as well";
				continue;
			}
			if (draft_one(c, &m, it, NULL, 0) < 0)
				c->failed = 1;
		}
		material_release(&m);
	}
	free(group);
}

/* ---- output ---------------------------------------------------------- */

static int
item_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int gx = due_now(x) ? 0 : x->due.at ? 1 : 2;
	int gy = due_now(y) ? 0 : y->due.at ? 1 : 2;

	if (gx != gy)
		return gx - gy;
	if (x->due.at != y->due.at)
		return x->due.at < y->due.at ? -1 : 1;
	if (x->case_id != y->case_id)
		return x->case_id < y->case_id ? -1 : 1;
	return x->party_nr < y->party_nr ? -1 : x->party_nr > y->party_nr;
}

static const char *
action_name(enum td_due_action a)
{
	switch (a) {
	case TD_DUE_WAIT:
		return "wait";
	case TD_DUE_FOLLOWUP:
		return "followup";
	case TD_DUE_ESCALATE:
		return "escalate";
	case TD_DUE_BOUNCED:
		return "bounced";
	case TD_DUE_PENDING:
		return "pending";
	default:
		return "done";
	}
}

static void
esc(struct td_buf *o, const char *s)
{
	td_term_escape(o, s ? s : "-", strlen(s ? s : "-"), 0);
}

static void
when(struct td_buf *o, long long t, long long now)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	td_buf_printf(o, "%04d-%02d-%02d %02d:%02d UTC", tm.tm_year + 1900,
		      tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
	td_buf_adds(o, t > now ? ", in " : ", ");
	td_policy_duration_text(o, t - now);
	if (t <= now)
		td_buf_adds(o, " ago");
}

static void
print_item(struct td_buf *o, const struct ctx *c, const struct item *it)
{
	td_buf_printf(o, "  %s  %-10s ", it->tag,
		      td_policy_rung_name(it->role));
	esc(o, it->name);
	td_buf_adds(o, " <");
	esc(o, it->email);
	td_buf_adds(o, ">\n      ");
	switch (it->due.action) {
	case TD_DUE_FOLLOWUP:
		td_buf_printf(o, "follow-up %u due since ",
			      it->f.followups + 1);
		when(o, it->due.at, c->now);
		break;
	case TD_DUE_ESCALATE:
	case TD_DUE_BOUNCED:
		td_buf_adds(o, it->due.action == TD_DUE_BOUNCED
				   ? "its address bounced: route on to "
				   : "escalation due to ");
		if (it->target_id) {
			td_buf_printf(o, "%s ",
				      td_policy_rung_name(it->target_role));
			esc(o, it->target_name);
			td_buf_adds(o, " <");
			esc(o, it->target_email);
			td_buf_adds(o, ">");
		} else {
			td_buf_adds(o, "law enforcement (no party is left on "
				       "the ladder)");
		}
		td_buf_adds(o, ", since ");
		when(o, it->due.at, c->now);
		break;
	case TD_DUE_WAIT:
		if (!it->due.at) {
			td_buf_adds(o, "nothing due: the case needs "
				       "information from you");
			break;
		}
		td_buf_adds(o, "nothing due yet; ");
		if (it->due.next == TD_DUE_FOLLOWUP)
			td_buf_printf(o, "follow-up %u at ",
				      it->f.followups + 1);
		else
			td_buf_adds(o, "escalation at ");
		when(o, it->due.at, c->now);
		break;
	case TD_DUE_PENDING:
		td_buf_printf(o,
			      "a draft waits in the outbox: takedown send "
			      "%s",
			      it->tag);
		break;
	default:
		td_buf_adds(o, it->f.escalated
				   ? "escalated; nothing more is due for it"
				   : "follow-ups used up and no escalation "
				     "from its role; nothing more is due");
	}
	td_buf_adds(o, "\n      ");
	esc(o, it->reason);
	td_buf_addch(o, '\n');
	if (it->le && due_now(it)) {
		const char *s = it->le;

		while (*s) {
			size_t n = strcspn(s, "\n");

			td_buf_adds(o, "      ");
			td_term_escape(o, s, n, 0);
			td_buf_addch(o, '\n');
			s += n + (s[n] ? 1 : 0);
		}
	}
	if (it->draft_path) {
		td_buf_adds(o, "      drafted ");
		esc(o, it->draft_path);
		td_buf_addch(o, '\n');
	}
	if (it->note) {
		td_buf_adds(o, "      not drafted: ");
		td_buf_adds(o, it->note);
		td_buf_addch(o, '\n');
	}
	if (it->error) {
		td_buf_adds(o, "      not drafted: ");
		esc(o, it->error);
		td_buf_addch(o, '\n');
	}
}

static void
json_items(struct td_buf *o, const struct ctx *c)
{
	struct td_jw w;
	size_t i;

	td_jw_init(&w, o);
	td_jw_obj(&w);
	td_jw_kstr(&w, "schema", "takedown-due/1");
	td_jw_ktime(&w, "now", c->now);
	td_jw_key(&w, "policy");
	td_jw_obj(&w);
	td_jw_kint(&w, "followup_after", c->pol.followup_after);
	td_jw_kint(&w, "escalate_after", c->pol.escalate_after);
	td_jw_kint(&w, "max_followups", c->pol.max_followups);
	td_jw_kint(&w, "quiet_after_ack", c->pol.quiet_after_ack);
	td_jw_key(&w, "ladder");
	td_jw_arr(&w);
	for (i = 0; i < c->pol.nr_ladder; i++)
		td_jw_str(&w, td_policy_rung_name(c->pol.ladder[i]));
	td_jw_arr_end(&w);
	td_jw_obj_end(&w);
	td_jw_key(&w, "items");
	td_jw_arr(&w);
	for (i = 0; i < c->nr; i++) {
		const struct item *it = &c->items[i];

		td_jw_obj(&w);
		td_jw_kstr(&w, "case", it->tag);
		td_jw_kstr(&w, "kind", td_case_kind_name(it->kind));
		td_jw_kstr(&w, "state", td_store_state_name(it->state));
		td_jw_kstr(&w, "role", td_policy_rung_name(it->role));
		td_jw_kstr(&w, "name", it->name);
		td_jw_kstr(&w, "email", it->email);
		td_jw_kstr(&w, "action", action_name(it->due.action));
		td_jw_kbool(&w, "due", due_now(it));
		td_jw_ktime(&w, "at", it->due.at ? it->due.at : -1);
		td_jw_kstr(&w, "next",
			   it->due.action == TD_DUE_WAIT && it->due.at
			       ? action_name(it->due.next)
			       : NULL);
		td_jw_kstr(&w, "reason", it->reason);
		td_jw_ktime(&w, "first_sent", it->f.first_sent);
		td_jw_ktime(&w, "last_sent", it->f.last_sent);
		td_jw_kint(&w, "followups", it->f.followups);
		td_jw_key(&w, "target");
		if (it->target_id) {
			td_jw_obj(&w);
			td_jw_kstr(&w, "role",
				   td_policy_rung_name(it->target_role));
			td_jw_kstr(&w, "name", it->target_name);
			td_jw_kstr(&w, "email", it->target_email);
			td_jw_obj_end(&w);
		} else {
			td_jw_null(&w);
		}
		td_jw_kstr(&w, "law_enforcement", due_now(it) ? it->le : NULL);
		td_jw_key(&w, "draft");
		if (it->draft_path) {
			td_jw_obj(&w);
			td_jw_kstr(&w, "path", it->draft_path);
			td_jw_kstr(&w, "message_id", it->draft_mid);
			td_jw_obj_end(&w);
		} else {
			td_jw_null(&w);
		}
		td_jw_kstr(&w, "error", it->error);
		td_jw_kstr(&w, "note", it->note);
		td_jw_obj_end(&w);
	}
	td_jw_arr_end(&w);
	td_jw_kint(&w, "drafted", (long long)c->drafted);
	td_jw_obj_end(&w);
	td_buf_addch(o, '\n');
}

static void
item_release(struct item *it)
{
	free(it->tag);
	free(it->name);
	free(it->email);
	free(it->reason);
	free(it->target_name);
	free(it->target_email);
	free(it->le);
	free(it->draft_path);
	free(it->draft_mid);
	free(it->error);
}

static int
run_due(int argc, char **argv)
{
	struct ctx c;
	struct td_error err = {0, ""};
	struct td_buf o = TD_BUF_INIT;
	char *path = NULL;
	size_t i, due = 0, waiting = 0;
	int rc = EXIT_FAIL;

	memset(&c, 0, sizeof(c));
	td_profile_init(&c.prof);
	c.now = td_now();
	td_policy_init(&c.pol);
	path = opt_policy ? strdup(opt_policy) : td_path_config("policy");
	if (!path) {
		td_die_msg("due", "no config folder");
		return EXIT_FAIL;
	}
	if (td_policy_load(&c.pol, path, &err) < 0) {
		td_buf_reset(&o);
		td_term_escape(&o, err.msg, strlen(err.msg), 0);
		td_die_msg("due", "%s", o.ptr);
		goto out;
	}
	free(path);
	path = NULL;
	if (opt_draft) {
		path = opt_profile ? strdup(opt_profile)
				   : td_path_config("profile");
		if (!path || td_profile_load(&c.prof, path, &err) < 0 ||
		    td_profile_check(&c.prof, &err) < 0) {
			td_die_msg("due", "%s (run takedown init first)",
				   path ? err.msg : "no config folder");
			goto out;
		}
		free(path);
		path = NULL;
	}
	path = opt_store ? strdup(opt_store) : td_path_data("cases.sqlite");
	if (!path || td_store_open(&c.store, path, &err) < 0) {
		td_die_msg("due", "%s", path ? err.msg : "no data folder");
		goto out;
	}
	td_store_set_source(c.store, "due");
	rc = EXIT_OK;
	if (argc) {
		for (i = 0; i < (size_t)argc; i++) {
			struct td_store_case k;

			if (td_store_case_get_tag(&k, c.store, argv[i], &err) <
			    0) {
				td_buf_reset(&o);
				td_term_escape(&o, argv[i], strlen(argv[i]), 0);
				td_die_msg("due", "%s: %s", o.ptr,
					   err.code == TD_ENOTFOUND
					       ? "no such case"
					       : err.msg);
				rc = EXIT_FAIL;
				continue;
			}
			if (k.state == TD_STATE_MITIGATED ||
			    k.state == TD_STATE_CLOSED) {
				if (!opt_json)
					fprintf(stderr,
						"takedown: due: %s is %s: "
						"nothing is due\n",
						k.tag,
						td_store_state_name(k.state));
			} else {
				scan_case(&c, &k);
			}
			td_store_case_release(&k);
		}
	} else {
		struct td_store_filter f;

		memset(&f, 0, sizeof(f));
		f.states = (1u << TD_STATE_OPEN) | (1u << TD_STATE_REPORTED) |
			   (1u << TD_STATE_ACKNOWLEDGED) |
			   (1u << TD_STATE_AUTO_ACKNOWLEDGED) |
			   (1u << TD_STATE_NEEDS_INFO);
		f.oldest_first = 1;
		if (td_store_case_each(c.store, &f, scan_cb, &c, &err) < 0) {
			td_die_msg("due", "%s", err.msg);
			rc = EXIT_FAIL;
			goto out;
		}
	}
	if (c.nr)
		qsort(c.items, c.nr, sizeof(*c.items), item_cmp);
	if (opt_draft)
		draft_all(&c);
	for (i = 0; i < c.nr; i++) {
		if (due_now(&c.items[i]))
			due++;
		else if (c.items[i].due.action == TD_DUE_WAIT)
			waiting++;
	}
	td_buf_reset(&o);
	if (opt_json) {
		json_items(&o, &c);
	} else {
		int head = -1;

		for (i = 0; i < c.nr; i++) {
			int h = due_now(&c.items[i]) ? 0 : 1;

			if (h != head)
				td_buf_adds(&o, h ? "not due\n" : "due now\n");
			head = h;
			print_item(&o, &c, &c.items[i]);
		}
		if (!c.nr)
			td_buf_adds(&o,
				    "no party of an open case has been sent "
				    "anything yet\n");
		td_buf_printf(&o, "%zu due, %zu waiting", due, waiting);
		if (opt_draft)
			td_buf_printf(&o, "; %zu draft%s written%s", c.drafted,
				      c.drafted == 1 ? "" : "s",
				      c.drafted ? " (takedown send CASE)" : "");
		else if (due)
			td_buf_adds(&o, "; --draft writes them");
		td_buf_addch(&o, '\n');
	}
	fwrite(o.ptr, 1, o.len, stdout);
	for (i = 0; i < c.nr; i++)
		if (c.items[i].error) {
			struct td_buf e = TD_BUF_INIT;

			esc(&e, c.items[i].error);
			td_die_msg("due", "%s %s: %s", c.items[i].tag,
				   td_policy_rung_name(c.items[i].role), e.ptr);
			td_buf_release(&e);
		}
	if (c.failed)
		rc = EXIT_FAIL;
out:
	for (i = 0; i < c.nr; i++)
		item_release(&c.items[i]);
	free(c.items);
	free(path);
	td_buf_release(&o);
	td_store_close(c.store);
	td_profile_release(&c.prof);
	return rc;
}

const struct td_cmd cmd_due_def = {
    "due",
    "[CASE...]",
    "follow-ups and escalations due under the policy",
    "For every open case (or the cases named), and every party that was\n"
    "sent something, says what is due under the follow-up policy (the\n"
    "file policy in the config folder; docs/policy.md): nothing yet (and\n"
    "when), a follow-up (no answer from a person for followup_after), an\n"
    "escalation to the next party on the ladder (no action for\n"
    "escalate_after; law-enforcement guidance when no party is left), or\n"
    "a bounced contact to route around at once.  Soonest first, with the\n"
    "reason.\n\n"
    "--draft writes each due message to the case's outbox: a follow-up as\n"
    "a reply in the thread of the report (Re: its subject, In-Reply-To,\n"
    "References), an escalation to the next party; both with the audit\n"
    "trail of every earlier message (Message-ID, date, recipient) and the\n"
    "report attached, checked by lint and recorded for takedown send.\n"
    "The same follow-up is never drafted twice.\n\n"
    "Exit status 1 when the policy file is broken, a case is unknown or a\n"
    "draft could not be written.\n",
    options,
    run_due,
};
