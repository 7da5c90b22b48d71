/*
 * store: cases, inputs, parties, evidence, messages, replies and history
 * stored and read back; the state machine, allowed and refused; the
 * append-only history and the sent-twice guard, also against SQL run
 * behind the store's back; filters, statistics, transactions,
 * persistence, limits; files the store must refuse.  A quick scale check
 * prints its timings as TAP comments (nothing is asserted on time).
 * Every test works in its own mkdtemp() folder, removed at the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "store.h"
#include "banned.h"
#include "scratch.h"

/* 2026-01-01T00:00:00Z */
#define T0 1767225600LL
#define HOUR 3600LL
#define DAY 86400LL

/* ---- a temporary folder per test ---- */

static int
setup(void **state)
{
	return scratch_setup(state, "td-store", "cases.sqlite");
}

/* ---- helpers ---- */

static void
ok_(int rc, const struct td_error *err, int line)
{
	if (rc < 0)
		print_message("# line %d: %s\n", line, err->msg);
	assert_true(rc >= 0);
}
#define OK(call)                                                               \
	do {                                                                   \
		struct td_error err_ = {0};                                    \
		struct td_error *const E = &err_;                              \
		ok_((call), E, __LINE__);                                      \
	} while (0)

static struct td_store *
open_ok(const char *path)
{
	struct td_store *s = NULL;
	struct td_error err = {0};
	int rc = td_store_open(&s, path, &err);

	if (rc)
		print_message("# %s\n", err.msg);
	assert_int_equal(rc, 0);
	assert_non_null(s);
	return s;
}

static long long
new_case(struct td_store *s, long long now)
{
	struct td_store_case c;
	long long id;

	OK(td_store_case_new(&c, s, now, E));
	id = c.id;
	td_store_case_release(&c);
	return id;
}

static enum td_case_state
state_of(struct td_store *s, long long id)
{
	struct td_store_case c;
	enum td_case_state st;

	OK(td_store_case_get(&c, s, id, E));
	st = c.state;
	td_store_case_release(&c);
	return st;
}

static long long
add_party(struct td_store *s, long long case_id, enum td_party_role role,
	  const char *name)
{
	struct td_store_party p = {0};
	long long id = 0;

	p.case_id = case_id;
	p.role = role;
	p.name = (char *)name;
	p.abuse_email = (char *)"abuse@example.net";
	OK(td_store_party_add(&id, s, &p, E));
	return id;
}

static long long
add_message(struct td_store *s, long long case_id, long long party,
	    const char *purpose, const char *to, const char *msgid,
	    long long now)
{
	struct td_store_message m = {0};
	long long id = 0;

	m.case_id = case_id;
	m.party_id = party;
	m.purpose = (char *)purpose;
	m.recipient = (char *)to;
	m.subject = (char *)"[TD-2026-000001] Phishing at https://x.example/";
	m.message_id = (char *)msgid;
	m.path = (char *)"outbox/1.eml";
	m.created = now;
	OK(td_store_message_add(&id, s, &m, E));
	return id;
}

/* 64 hex digits from n. */
static void
sha_of(char out[65], unsigned long long n)
{
	snprintf(out, 65, "%064llx", n);
}

/* Run SQL on the file directly, as another program would. */
static int
sqlite_exec(const char *path, const char *sql, char *why, size_t whylen)
{
	sqlite3 *db = NULL;
	char *msg = NULL;
	int rc;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (why)
		snprintf(why, whylen, "%s", msg ? msg : "");
	sqlite3_free(msg);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	return rc;
}

/* The kinds of the history of a case, space-separated. */
static void
history(char *out, size_t len, struct td_store *s, long long case_id)
{
	struct td_store_event *ev = NULL;
	size_t nr = 0, i, off = 0;

	out[0] = '\0';
	OK(td_store_event_list(&ev, &nr, s, case_id, E));
	for (i = 0; i < nr && off < len; i++)
		off +=
		    (size_t)snprintf(out + off, len - off, "%s%s", i ? " " : "",
				     td_store_event_name(ev[i].kind));
	td_store_event_list_free(ev, nr);
}

/* The detail of the last event of a case (malloc'ed). */
static char *
last_detail(struct td_store *s, long long case_id)
{
	struct td_store_event *ev = NULL;
	size_t nr = 0;
	char *d;

	OK(td_store_event_list(&ev, &nr, s, case_id, E));
	assert_true(nr > 0);
	d = strdup(ev[nr - 1].detail ? ev[nr - 1].detail : "");
	td_store_event_list_free(ev, nr);
	return d;
}

static double
seconds_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) +
	       (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

/* ---- opening ---- */

static void
store_open_creates_private_file(void **state)
{
	struct tmp *t = *state;
	struct td_store *s;
	struct td_error err = {0};
	char path[700], dir[700];
	struct stat st;

	snprintf(path, sizeof(path), "%s/data//takedown/cases.sqlite", t->dir);
	s = open_ok(path);
	td_store_close(s);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(dir, sizeof(dir), "%s/data", t->dir);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	snprintf(dir, sizeof(dir), "%s/data/takedown", t->dir);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);

	/* a folder where the file should be, a file where a folder should */
	s = NULL;
	assert_int_equal(td_store_open(&s, t->dir, &err), TD_EIO);
	assert_null(s);
	snprintf(path, sizeof(path), "%s/data/takedown/cases.sqlite/x/y",
		 t->dir);
	assert_int_equal(td_store_open(&s, path, &err), TD_EIO);
	assert_non_null(strstr(err.msg, "cannot create folder"));
	assert_int_equal(td_store_open(&s, "", &err), TD_EINVAL);
	assert_int_equal(td_store_open(&s, NULL, &err), TD_EINVAL);
	assert_int_equal(td_store_open(NULL, path, &err), TD_EINVAL);
	td_store_close(NULL);
}

/* ---- cases ---- */

static void
store_case_new_numbers_tags_per_year(void **state)
{
	struct tmp *t = *state;
	struct td_store *s = open_ok(t->path);
	struct td_store_case c, d;
	struct td_error err = {0};
	char h[256];

	OK(td_store_case_new(&c, s, T0 + 10, E));
	assert_true(c.id > 0);
	assert_string_equal(c.tag, "TD-2026-000001");
	assert_int_equal(c.created, T0 + 10);
	assert_int_equal(c.state, TD_STATE_OPEN);
	assert_int_equal(c.state_since, T0 + 10);
	assert_int_equal(c.kind, TD_KIND_UNKNOWN);
	assert_int_equal(c.escalated, 0);
	assert_int_equal(c.mitigation, TD_MIT_NONE);
	assert_int_equal(c.mitigated, 0);
	assert_int_equal(c.closed, 0);
	assert_null(c.kind_reasons);
	assert_null(c.closed_reason);
	history(h, sizeof(h), s, c.id);
	assert_string_equal(h, "created");
	td_store_case_release(&c);

	OK(td_store_case_new(&c, s, T0 + 20, E));
	assert_string_equal(c.tag, "TD-2026-000002");
	td_store_case_release(&c);
	/* a new year starts again at 1 */
	OK(td_store_case_new(&c, s, T0 + 365 * DAY + 5, E));
	assert_string_equal(c.tag, "TD-2027-000001");

	/* by id and by tag, the tag in any case */
	OK(td_store_case_get(&d, s, c.id, E));
	assert_string_equal(d.tag, "TD-2027-000001");
	td_store_case_release(&d);
	OK(td_store_case_get_tag(&d, s, "td-2027-000001", E));
	assert_int_equal(d.id, c.id);
	td_store_case_release(&d);
	td_store_case_release(&c);

	assert_int_equal(td_store_case_get(&d, s, 999, &err), TD_ENOTFOUND);
	assert_null(d.tag);
	assert_int_equal(td_store_case_get_tag(&d, s, "TD-1999-000001", &err),
			 TD_ENOTFOUND);
	assert_int_equal(td_store_case_get_tag(&d, s, "", &err), TD_EINVAL);
	assert_int_equal(td_store_case_new(&c, s, 0, &err), TD_EINVAL);
	assert_int_equal(td_store_case_new(&c, s, -5, &err), TD_EINVAL);
	assert_null(c.tag);
	td_store_close(s);
}

/* Bring a new case to state st by allowed steps. */
static long long
case_in_state(struct td_store *s, enum td_case_state st, long long now)
{
	long long id = new_case(s, now);

	switch (st) {
	case TD_STATE_OPEN:
		break;
	case TD_STATE_REPORTED:
	case TD_STATE_ACKNOWLEDGED:
	case TD_STATE_AUTO_ACKNOWLEDGED:
	case TD_STATE_NEEDS_INFO:
		OK(td_store_set_state(s, id, TD_STATE_REPORTED, TD_MIT_NONE,
				      NULL, now + 1, E));
		if (st != TD_STATE_REPORTED)
			OK(td_store_set_state(s, id, st, TD_MIT_NONE, NULL,
					      now + 2, E));
		break;
	case TD_STATE_MITIGATED:
		OK(td_store_set_state(s, id, st, TD_MIT_SUSPENDED, NULL,
				      now + 1, E));
		break;
	case TD_STATE_CLOSED:
		OK(td_store_set_state(s, id, st, TD_MIT_NONE, "duplicate",
				      now + 1, E));
		break;
	default:
		fail();
	}
	assert_int_equal(state_of(s, id), st);
	return id;
}

static void
store_state_machine_allows_and_refuses(void **state)
{
	/* the documented machine, written out independently of store.c */
	static const char *const allowed[TD_STATE_NR] = {
	    [TD_STATE_OPEN] = "reported mitigated closed",
	    [TD_STATE_REPORTED] = "acknowledged auto-acknowledged needs-info "
				  "mitigated closed",
	    [TD_STATE_ACKNOWLEDGED] = "needs-info mitigated closed",
	    [TD_STATE_AUTO_ACKNOWLEDGED] = "acknowledged needs-info "
					   "mitigated closed",
	    [TD_STATE_NEEDS_INFO] = "reported acknowledged mitigated closed",
	    [TD_STATE_MITIGATED] = "open closed",
	    [TD_STATE_CLOSED] = "open",
	};
	struct tmp *t = *state;
	struct td_store *s = open_ok(t->path);
	struct td_error err = {0};
	long long now = T0;
	int from, to, allowed_nr = 0;

	for (from = 0; from < TD_STATE_NR; from++) {
		for (to = 0; to < TD_STATE_NR; to++) {
			char word[64], h[512];
			const char *list = allowed[from];
			const char *p;
			int want, rc;
			long long id;
			size_t n;

			snprintf(word, sizeof(word), "%s",
				 td_store_state_name(to));
			n = strlen(word);
			want = 0;
			for (p = strstr(list, word); p; p = strstr(p + 1, word))
				if ((p == list || p[-1] == ' ') &&
				    (p[n] == ' ' || p[n] == '\0'))
					want = 1;
			assert_int_equal(td_store_transition_allowed(from, to),
					 want);
			allowed_nr += want;

			now += 100;
			id = case_in_state(s, from, now);
			history(h, sizeof(h), s, id);
			rc = td_store_set_state(s, id, to,
						to == TD_STATE_MITIGATED
						    ? TD_MIT_DNS_REMOVED
						    : TD_MIT_NONE,
						"because", now + 50, &err);
			if (from == to) {
				assert_int_equal(rc, 1);
			} else if (want) {
				char h2[512];

				if (rc)
					print_message("# %s\n", err.msg);
				assert_int_equal(rc, 0);
				assert_int_equal(state_of(s, id), to);
				/* exactly one more event: the change */
				history(h2, sizeof(h2), s, id);
				assert_int_equal(strlen(h2),
						 strlen(h) + strlen(" state"));
			} else {
				char h2[512];

				assert_int_equal(rc, TD_EINVAL);
				assert_non_null(
				    strstr(err.msg, td_store_state_name(from)));
				assert_non_null(
				    strstr(err.msg, td_store_state_name(to)));
				assert_int_equal(state_of(s, id), from);
				history(h2, sizeof(h2), s, id);
				assert_string_equal(h2, h);
			}
		}
	}
	assert_int_equal(allowed_nr, 22);
	assert_int_equal(td_store_transition_allowed(TD_STATE_NR, 0), 0);
	assert_int_equal(
	    td_store_transition_allowed(0, (enum td_case_state) - 1), 0);
	assert_int_equal(td_store_set_state(s, 12345, TD_STATE_REPORTED,
					    TD_MIT_NONE, NULL, now, &err),
			 TD_ENOTFOUND);
	td_store_close(s);
}

static void
store_state_change_keeps_its_facts(void **state)
{
	struct tmp *t = *state;
	struct td_store *s = open_ok(t->path);
	struct td_store_case c;
	struct td_error err = {0};
	long long id = new_case(s, T0);
	char *d;

	/* mitigated needs how; how only with mitigated; closed a reason */
	assert_int_equal(td_store_set_state(s, id, TD_STATE_MITIGATED,
					    TD_MIT_NONE, NULL, T0 + 1, &err),
			 TD_EINVAL);
	assert_int_equal(td_store_set_state(s, id, TD_STATE_REPORTED,
					    TD_MIT_CLEANED, NULL, T0 + 1, &err),
			 TD_EINVAL);
	assert_int_equal(td_store_set_state(s, id, TD_STATE_CLOSED, TD_MIT_NONE,
					    NULL, T0 + 1, &err),
			 TD_EINVAL);
	assert_non_null(strstr(err.msg, "reason"));
	assert_int_equal(td_store_set_state(s, id, TD_STATE_CLOSED, TD_MIT_NONE,
					    "", T0 + 1, &err),
			 TD_EINVAL);
	assert_int_equal(td_store_set_state(s, id, (enum td_case_state)99,
					    TD_MIT_NONE, NULL, T0 + 1, &err),
			 TD_EINVAL);
	assert_int_equal(td_store_set_state(s, id, TD_STATE_MITIGATED,
					    (enum td_mitigation)99, NULL,
					    T0 + 1, &err),
			 TD_EINVAL);
	assert_int_equal(td_store_set_state(s, id, TD_STATE_REPORTED,
					    TD_MIT_NONE, NULL, 0, &err),
			 TD_EINVAL);
	assert_int_equal(state_of(s, id), TD_STATE_OPEN);

	OK(td_store_set_state(s, id, TD_STATE_REPORTED, TD_MIT_NONE, NULL,
			      T0 + HOUR, E));
	OK(td_store_set_state(s, id, TD_STATE_MITIGATED, TD_MIT_DNS_REMOVED,
			      "NXDOMAIN from 3 resolvers", T0 + DAY, E));
	d = last_detail(s, id);
	assert_string_equal(
	    d,
	    "reported -> mitigated (dns-removed): NXDOMAIN from 3 resolvers");
	free(d);
	OK(td_store_case_get(&c, s, id, E));
	assert_int_equal(c.state, TD_STATE_MITIGATED);
	assert_int_equal(c.state_since, T0 + DAY);
	assert_int_equal(c.mitigation, TD_MIT_DNS_REMOVED);
	assert_int_equal(c.mitigated, T0 + DAY);
	td_store_case_release(&c);

	/* closing keeps the mitigation */
	OK(td_store_set_state(s, id, TD_STATE_CLOSED, TD_MIT_NONE,
			      "down for a week", T0 + 8 * DAY, E));
	OK(td_store_case_get(&c, s, id, E));
	assert_int_equal(c.state, TD_STATE_CLOSED);
	assert_int_equal(c.closed, T0 + 8 * DAY);
	assert_string_equal(c.closed_reason, "down for a week");
	assert_int_equal(c.mitigation, TD_MIT_DNS_REMOVED);
	assert_int_equal(c.mitigated, T0 + DAY);
	td_store_case_release(&c);

	/* reopening clears it all */
	OK(td_store_set_state(s, id, TD_STATE_OPEN, TD_MIT_NONE, "back up",
			      T0 + 9 * DAY, E));
	OK(td_store_case_get(&c, s, id, E));
	assert_int_equal(c.state, TD_STATE_OPEN);
	assert_int_equal(c.closed, 0);
	assert_null(c.closed_reason);
	assert_int_equal(c.mitigation, TD_MIT_NONE);
	assert_int_equal(c.mitigated, 0);
	td_store_case_release(&c);
	td_store_close(s);
}

static void
store_escalated_and_kind_recorded(void **state)
{
	struct tmp *t = *state;
	struct td_store *s = open_ok(t->path);
	struct td_store_case c;
	struct td_error err = {0};
	long long id = new_case(s, T0);
	char h[256], *d;

	assert_int_equal(td_store_set_escalated(s, id, 0, NULL, T0 + 1, &err),
			 1);
	assert_int_equal(td_store_set_escalated(s, id, 1, "no answer in 5 days",
						T0 + 2, &err),
			 0);
	assert_int_equal(td_store_set_escalated(s, id, 7, NULL, T0 + 3, &err),
			 1);
	d = last_detail(s, id);
	assert_string_equal(d, "escalated: no answer in 5 days");
	free(d);

	assert_int_equal(td_store_case_set_kind(s, id, TD_KIND_MALICIOUS,
						"+4 registered 3 days ago\n"
						"+2 brand in the name",
						T0 + 4, &err),
			 0);
	assert_int_equal(td_store_case_set_kind(s, id, TD_KIND_MALICIOUS,
						"+4 registered 3 days ago\n"
						"+2 brand in the name",
						T0 + 5, &err),
			 1);
	assert_int_equal(td_store_case_set_kind(s, id, (enum td_case_kind)7,
						NULL, T0 + 5, &err),
			 TD_EINVAL);
	OK(td_store_case_get(&c, s, id, E));
	assert_int_equal(c.escalated, 1);
	assert_int_equal(c.kind, TD_KIND_MALICIOUS);
	assert_string_equal(c.kind_reasons,
			    "+4 registered 3 days ago\n+2 brand in the name");
	td_store_case_release(&c);
	history(h, sizeof(h), s, id);
	assert_string_equal(h, "created escalated kind");
	assert_int_equal(td_store_set_escalated(s, 404, 1, NULL, T0, &err),
			 TD_ENOTFOUND);
	td_store_close(s);
}

static void
store_labels_added_listed_removed(void **state)
{
	struct tmp *t = *state;
	struct td_store *s = open_ok(t->path);
	struct td_error err = {0};
	long long id = new_case(s, T0);
	char **v = NULL, h[256], big[TD_STORE_MAX_WORD + 2];
	size_t nr = 0;

	assert_int_equal(td_store_label_add(s, id, "bank", T0 + 1, &err), 0);
	assert_int_equal(td_store_label_add(s, id, "campaign-7", T0 + 1, &err),
			 0);
	assert_int_equal(td_store_label_add(s, id, "BANK", T0 + 1, &err), 1);
	assert_int_equal(td_store_label_add(s, id, "two words", T0, &err),
			 TD_EINVAL);
	assert_int_equal(td_store_label_add(s, id, "tab\tx", T0, &err),
			 TD_EINVAL);
	assert_int_equal(td_store_label_add(s, id, "", T0, &err), TD_EINVAL);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(td_store_label_add(s, id, big, T0, &err), TD_ELIMIT);
	assert_int_equal(td_store_label_add(s, 999, "bank", T0, &err),
			 TD_ENOTFOUND);

	OK(td_store_label_list(&v, &nr, s, id, E));
	assert_int_equal(nr, 2);
	assert_string_equal(v[0], "bank");
	assert_string_equal(v[1], "campaign-7");
	td_store_strings_free(v, nr);

	assert_int_equal(td_store_label_remove(s, id, "Bank", T0 + 2, &err), 0);
	assert_int_equal(td_store_label_remove(s, id, "bank", T0 + 2, &err), 1);
	OK(td_store_label_list(&v, &nr, s, id, E));
	assert_int_equal(nr, 1);
	td_store_strings_free(v, nr);
	OK(td_store_label_list(&v, &nr, s, 999, E));
	assert_int_equal(nr, 0);
	assert_null(v);
	history(h, sizeof(h), s, id);
	assert_string_equal(h, "created label label label");
	td_store_close(s);
}

/* ---- inputs, parties, evidence ---- */

static void
store_urls_and_mails_kept_once(void **state)
{
	struct tmp *t = *state;
	struct td_store *s = open_ok(t->path);
	struct td_store_url u = {0}, *uv = NULL;
	struct td_store_mail m = {0}, *mv = NULL;
	struct td_error err = {0};
	long long id = new_case(s, T0), a = 0, b = 0;
	char sha[65], *long_url;
	size_t nr = 0;

	u.case_id = id;
	u.url = (char *)"hxxp://Xn--pypal-4ve.example/Login?a=1&b='2'";
	u.norm = (char *)"http://xn--pypal-4ve.example/Login?a=1&b='2'";
	u.host = (char *)"xn--pypal-4ve.example";
	u.domain = (char *)"xn--pypal-4ve.example";
	assert_int_equal(td_store_url_add(&a, s, &u, &err), 0);
	assert_int_equal(td_store_url_add(&b, s, &u, &err), 1);
	assert_int_equal(a, b);
	u.url = (char *)"http://192.0.2.7/x";
	u.norm = u.url;
	u.host = (char *)"192.0.2.7";
	u.domain = NULL;
	assert_int_equal(td_store_url_add(&b, s, &u, &err), 0);
	assert_true(b > a);

	OK(td_store_url_list(&uv, &nr, s, id, E));
	assert_int_equal(nr, 2);
	assert_int_equal(uv[0].id, a);
	assert_int_equal(uv[0].case_id, id);
	assert_string_equal(uv[0].url,
			    "hxxp://Xn--pypal-4ve.example/Login?a=1&b='2'");
	assert_string_equal(uv[0].domain, "xn--pypal-4ve.example");
	assert_null(uv[1].domain);
	td_store_url_list_free(uv, nr);

	/* required fields, limits, missing case */
	u.host = NULL;
	assert_int_equal(td_store_url_add(NULL, s, &u, &err), TD_EINVAL);
	assert_non_null(strstr(err.msg, "host"));
	u.host = (char *)"192.0.2.7";
	long_url = malloc(TD_STORE_MAX_URL + 2);
	assert_non_null(long_url);
	memset(long_url, 'a', TD_STORE_MAX_URL + 1);
	long_url[TD_STORE_MAX_URL + 1] = '\0';
	u.url = long_url;
	assert_int_equal(td_store_url_add(NULL, s, &u, &err), TD_ELIMIT);
	long_url[TD_STORE_MAX_URL] = '\0';
	assert_int_equal(td_store_url_add(NULL, s, &u, &err), 0);
	free(long_url);
	u.url = (char *)"http://192.0.2.8/";
	u.case_id = 999;
	assert_int_equal(td_store_url_add(NULL, s, &u, &err), TD_ENOTFOUND);
	assert_int_equal(td_store_url_add(NULL, s, NULL, &err), TD_EINVAL);

	sha_of(sha, 0xabc);
	m.case_id = id;
	m.path = (char *)"mail/1.eml";
	m.sha256 = sha;
	m.message_id = (char *)"<phish.1@spam.example>";
	assert_int_equal(td_store_mail_add(&a, s, &m, &err), 0);
	assert_int_equal(td_store_mail_add(&b, s, &m, &err), 1);
	assert_int_equal(a, b);
	OK(td_store_mail_list(&mv, &nr, s, id, E));
	assert_int_equal(nr, 1);
	assert_string_equal(mv[0].path, "mail/1.eml");
	assert_string_equal(mv[0].sha256, sha);
	/* angle brackets dropped */
	assert_string_equal(mv[0].message_id, "phish.1@spam.example");
	td_store_mail_list_free(mv, nr);
	m.sha256 = (char *)"ABC";
	assert_int_equal(td_store_mail_add(NULL, s, &m, &err), TD_EINVAL);
	assert_non_null(strstr(err.msg, "sha256"));
	sha[0] = 'A';
	m.sha256 = sha;
	assert_int_equal(td_store_mail_add(NULL, s, &m, &err), TD_EINVAL);
	td_store_close(s);
}

static void
store_parties_one_per_provider_and_role(void **state)
{
	struct tmp *t = *state;
	struct td_store *s = open_ok(t->path);
	struct td_store_party p = {0}, g, *v = NULL;
	struct td_error err = {0};
	long long c1 = new_case(s, T0), c2 = new_case(s, T0), a = 0, b = 0;
	size_t nr = 0;

	p.case_id = c1;
	p.role = TD_ROLE_REGISTRAR;
	p.name = (char *)"NameCheap, Inc.";
	p.target = (char *)"evil.example";
	p.abuse_email = (char *)"abuse@namecheap.com";
	p.phone = (char *)"+1.9854014545";
	p.web_form = (char *)"https://www.namecheap.com/support/";
	p.country = (char *)"US";
	p.provenance = (char *)"{\"source\":\"rdap\",\"server\":"
			       "\"rdap.namecheap.com\",\"time\":1767225600}";
	assert_int_equal(td_store_party_add(&a, s, &p, &err), 0);
	/* the same provider (ASCII case aside) in the same role: one party */
	p.name = (char *)"NAMECHEAP, INC.";
	assert_int_equal(td_store_party_add(&b, s, &p, &err), 1);
	assert_int_equal(a, b);
	/* another role, another case: new parties */
	p.role = TD_ROLE_HOST;
	assert_int_equal(td_store_party_add(&b, s, &p, &err), 0);
	assert_true(b != a);
	p.case_id = c2;
	assert_int_equal(td_store_party_add(&b, s, &p, &err), 0);

	OK(td_store_party_get(&g, s, a, E));
	assert_int_equal(g.case_id, c1);
	assert_int_equal(g.role, TD_ROLE_REGISTRAR);
	assert_string_equal(g.name, "NameCheap, Inc.");
	assert_string_equal(g.target, "evil.example");
	assert_string_equal(g.abuse_email, "abuse@namecheap.com");
	assert_string_equal(g.phone, "+1.9854014545");
	assert_string_equal(g.web_form, "https://www.namecheap.com/support/");
	assert_string_equal(g.country, "US");
	assert_non_null(strstr(g.provenance, "rdap.namecheap.com"));
	assert_null(g.ticket);
	assert_int_equal(g.first_sent, 0);
	td_store_party_release(&g);
	OK(td_store_party_list(&v, &nr, s, c1, E));
	assert_int_equal(nr, 2);
	assert_int_equal(v[0].id, a);
	assert_int_equal(v[1].role, TD_ROLE_HOST);
	td_store_party_list_free(v, nr);

	/* tickets */
	OK(td_store_party_set_ticket(s, a, "NC-123456", E));
	OK(td_store_party_find_ticket(&g, s, "NC-123456", E));
	assert_int_equal(g.id, a);
	td_store_party_release(&g);
	assert_int_equal(td_store_party_find_ticket(&g, s, "NC-1", &err),
			 TD_ENOTFOUND);
	assert_int_equal(td_store_party_set_ticket(s, 999, "x", &err),
			 TD_ENOTFOUND);

	/* refused */
	p.role = TD_ROLE_NONE;
	assert_int_equal(td_store_party_add(NULL, s, &p, &err), TD_EINVAL);
	p.role = (enum td_party_role)77;
	assert_int_equal(td_store_party_add(NULL, s, &p, &err), TD_EINVAL);
	p.role = TD_ROLE_CDN;
	p.provenance = (char *)"{\"source\":";
	assert_int_equal(td_store_party_add(NULL, s, &p, &err), TD_EINVAL);
	assert_non_null(strstr(err.msg, "JSON"));
	p.provenance = NULL;
	p.name = (char *)"";
	assert_int_equal(td_store_party_add(NULL, s, &p, &err), TD_EINVAL);
	p.name = (char *)"Cloudflare";
	p.case_id = 999;
	assert_int_equal(td_store_party_add(NULL, s, &p, &err), TD_ENOTFOUND);
	assert_int_equal(td_store_party_get(&g, s, 999, &err), TD_ENOTFOUND);
	td_store_close(s);
}

static void
store_evidence_round_trip(void **state)
{
	struct tmp *t = *state;
	struct td_store *s = open_ok(t->path);
	struct td_store_evidence e = {0}, g, *v = NULL;
	struct td_store_url u = {0};
	struct td_error err = {0};
	long long c1 = new_case(s, T0), c2 = new_case(s, T0), url = 0, a = 0;
	char sha[65];
	size_t nr = 0;

	u.case_id = c1;
	u.url = u.norm = (char *)"https://evil.example/login";
	u.host = u.domain = (char *)"evil.example";
	OK(td_store_url_add(&url, s, &u, E));

	sha_of(sha, 0xfeed);
	e.case_id = c1;
	e.url_id = url;
	e.url = (char *)"https://evil.example/login";
	e.profile = (char *)"chrome-windows";
	e.fetched = T0 + 60;
	e.final_url = (char *)"https://evil.example/login/";
	e.status = 200;
	e.redirects = (char *)"[{\"status\":301,\"location\":\"/login/\"}]";
	e.headers = (char *)"{\"server\":\"nginx\"}";
	e.tls_subject = (char *)"CN=evil.example";
	e.tls_issuer = (char *)"C=US, O=Let's Encrypt, CN=R11";
	e.tls_not_before = T0 - 3 * DAY;
	e.tls_not_after = T0 + 87 * DAY;
	e.body_sha256 = sha;
	e.body_len = 5120;
	e.body_path = (char *)"evidence/1/body";
	e.title = (char *)"Sign in to your account";
	e.forms = (char *)"[{\"action\":\"post.php\",\"password\":true}]";
	OK(td_store_evidence_add(&a, s, &e, E));

	OK(td_store_evidence_get(&g, s, a, E));
	assert_int_equal(g.case_id, c1);
	assert_int_equal(g.url_id, url);
	assert_string_equal(g.profile, "chrome-windows");
	assert_int_equal(g.fetched, T0 + 60);
	assert_string_equal(g.final_url, "https://evil.example/login/");
	assert_int_equal(g.status, 200);
	assert_string_equal(g.redirects, e.redirects);
	assert_string_equal(g.headers, e.headers);
	assert_string_equal(g.tls_issuer, e.tls_issuer);
	assert_int_equal(g.tls_not_before, T0 - 3 * DAY);
	assert_int_equal(g.tls_not_after, T0 + 87 * DAY);
	assert_string_equal(g.body_sha256, sha);
	assert_int_equal(g.body_len, 5120);
	assert_string_equal(g.title, "Sign in to your account");
	assert_string_equal(g.forms, e.forms);
	assert_null(g.error);
	assert_null(g.verdict);
	td_store_evidence_release(&g);

	/* a failed fetch, earlier: listed first */
	memset(&e, 0, sizeof(e));
	e.case_id = c1;
	e.url = (char *)"https://evil.example/login";
	e.profile = (char *)"curl";
	e.fetched = T0 + 30;
	e.error = (char *)"connection refused";
	e.verdict = (char *)"refused";
	OK(td_store_evidence_add(NULL, s, &e, E));
	OK(td_store_evidence_list(&v, &nr, s, c1, E));
	assert_int_equal(nr, 2);
	assert_string_equal(v[0].profile, "curl");
	assert_int_equal(v[0].status, 0);
	assert_int_equal(v[0].url_id, 0);
	assert_null(v[0].body_sha256);
	assert_string_equal(v[1].profile, "chrome-windows");
	td_store_evidence_list_free(v, nr);

	/* refused: another case's URL, bad JSON, bad hash, no profile */
	e.case_id = c2;
	e.url_id = url;
	assert_int_equal(td_store_evidence_add(NULL, s, &e, &err), TD_EINVAL);
	assert_non_null(strstr(err.msg, "URL of this case"));
	e.url_id = 0;
	e.headers = (char *)"{nope}";
	assert_int_equal(td_store_evidence_add(NULL, s, &e, &err), TD_EINVAL);
	e.headers = NULL;
	e.body_sha256 = (char *)"1234";
	assert_int_equal(td_store_evidence_add(NULL, s, &e, &err), TD_EINVAL);
	e.body_sha256 = NULL;
	e.profile = NULL;
	assert_int_equal(td_store_evidence_add(NULL, s, &e, &err), TD_EINVAL);
	e.profile = (char *)"curl";
	e.fetched = 0;
	assert_int_equal(td_store_evidence_add(NULL, s, &e, &err), TD_EINVAL);
	td_store_close(s);
}

/* ---- messages ---- */

static void
store_message_draft_claim_send(void **state)
{
	struct tmp *t = *state;
	struct td_store *s = open_ok(t->path);
	struct td_store_message m, *v = NULL;
	struct td_store_party p;
	struct td_store_case c;
	struct td_error err = {0};
	long long id = new_case(s, T0);
	long long host = add_party(s, id, TD_ROLE_HOST, "Hetzner Online GmbH");
	long long msg, msg2;
	char h[512], *d;
	size_t nr = 0;

	msg = add_message(s, id, host, "report", "abuse@hetzner.com",
			  "<td.1.abc@reporter.example>", T0 + 10);
	OK(td_store_message_get(&m, s, msg, E));
	assert_int_equal(m.state, TD_MSG_DRAFT);
	assert_int_equal(m.role, TD_ROLE_HOST);
	assert_int_equal(m.created, T0 + 10);
	assert_string_equal(m.message_id, "td.1.abc@reporter.example");
	assert_string_equal(m.purpose, "report");
	assert_int_equal(m.sent, 0);
	assert_null(m.smtp_reply);
	td_store_message_release(&m);
	d = last_detail(s, id);
	assert_string_equal(d,
			    "report to host abuse@hetzner.com: "
			    "[TD-2026-000001] Phishing at "
			    "https://x.example/ <td.1.abc@reporter.example>");
	free(d);

	/* a failure is only for a message being sent */
	assert_int_equal(td_store_message_mark_failed(s, msg, NULL, T0, &err),
			 TD_EINVAL);
	OK(td_store_message_claim(s, msg, T0 + 20, E));
	assert_int_equal(td_store_message_claim(s, msg, T0 + 21, &err),
			 TD_EINVAL);
	assert_non_null(strstr(err.msg, "being sent"));
	OK(td_store_message_mark_failed(s, msg, "421 4.7.0 try again later",
					T0 + 22, E));
	OK(td_store_message_get(&m, s, msg, E));
	assert_int_equal(m.state, TD_MSG_FAILED);
	assert_int_equal(m.claimed, T0 + 20);
	assert_string_equal(m.smtp_reply, "421 4.7.0 try again later");
	td_store_message_release(&m);

	/* retry: claim a failed one, send */
	OK(td_store_message_claim(s, msg, T0 + HOUR, E));
	OK(td_store_message_mark_sent(s, msg, "250 2.0.0 Ok: queued as 4F2",
				      T0 + HOUR + 1, E));
	OK(td_store_message_find(&m, s, "td.1.abc@reporter.example", E));
	assert_int_equal(m.id, msg);
	assert_int_equal(m.state, TD_MSG_SENT);
	assert_int_equal(m.sent, T0 + HOUR + 1);
	assert_string_equal(m.smtp_reply, "250 2.0.0 Ok: queued as 4F2");
	td_store_message_release(&m);
	OK(td_store_message_find(&m, s, "<td.1.abc@reporter.example>", E));
	td_store_message_release(&m);
	assert_int_equal(td_store_message_find(&m, s, "other@x", &err),
			 TD_ENOTFOUND);

	/* sent: never again, whichever way */
	assert_int_equal(
	    td_store_message_mark_sent(s, msg, NULL, T0 + 2 * HOUR, &err),
	    TD_EINVAL);
	assert_non_null(strstr(err.msg, "already sent"));
	assert_int_equal(td_store_message_claim(s, msg, T0 + 2 * HOUR, &err),
			 TD_EINVAL);
	assert_int_equal(
	    td_store_message_mark_failed(s, msg, NULL, T0 + 2 * HOUR, &err),
	    TD_EINVAL);

	/* the clocks started */
	OK(td_store_party_get(&p, s, host, E));
	assert_int_equal(p.first_sent, T0 + HOUR + 1);
	assert_int_equal(p.last_sent, T0 + HOUR + 1);
	td_store_party_release(&p);
	OK(td_store_case_get(&c, s, id, E));
	assert_int_equal(c.first_sent, T0 + HOUR + 1);
	td_store_case_release(&c);
	history(h, sizeof(h), s, id);
	assert_string_equal(h, "created drafted send-failed sent");
	d = last_detail(s, id);
	assert_string_equal(d, "report to host abuse@hetzner.com "
			       "<td.1.abc@reporter.example>: 250 2.0.0 Ok: "
			       "queued as 4F2");
	free(d);

	/* a follow-up: another purpose, sent straight from draft */
	msg2 = add_message(s, id, host, "followup-1", "abuse@hetzner.com",
			   "td.2.abc@reporter.example", T0 + 2 * DAY);
	OK(td_store_message_mark_sent(s, msg2, NULL, T0 + 2 * DAY + 5, E));
	OK(td_store_party_get(&p, s, host, E));
	assert_int_equal(p.first_sent, T0 + HOUR + 1);
	assert_int_equal(p.last_sent, T0 + 2 * DAY + 5);
	td_store_party_release(&p);
	OK(td_store_message_list(&v, &nr, s, id, E));
	assert_int_equal(nr, 2);
	assert_int_equal(v[1].id, msg2);
	assert_null(v[1].smtp_reply);
	td_store_message_list_free(v, nr);

	assert_int_equal(td_store_message_claim(s, 999, T0, &err),
			 TD_ENOTFOUND);
	assert_int_equal(td_store_message_mark_sent(s, 999, NULL, T0, &err),
			 TD_ENOTFOUND);
	td_store_close(s);
}

static void
store_message_sent_twice_impossible(void **state)
{
	struct tmp *t = *state;
	struct td_store *s = open_ok(t->path);
	struct td_store *other = open_ok(t->path);
	struct td_error err = {0};
	long long id = new_case(s, T0);
	long long reg = add_party(s, id, TD_ROLE_REGISTRAR, "Registrar A");
	long long a, b, c, d;
	char why[256];
	int wins = 0;

	/* a report drafted twice (two runs of `takedown report`) */
	a = add_message(s, id, reg, "report", "abuse@registrar.example",
			"td.a@r.example", T0);
	b = add_message(s, id, reg, "report", "Abuse@Registrar.Example",
			"td.b@r.example", T0 + 1);
	OK(td_store_message_claim(s, a, T0 + 5, E));
	/* the second copy cannot be claimed or sent while a is out */
	assert_int_equal(td_store_message_claim(s, b, T0 + 6, &err), TD_EINVAL);
	assert_non_null(strstr(err.msg, "td.a@r.example"));
	assert_int_equal(td_store_message_mark_sent(s, b, NULL, T0 + 6, &err),
			 TD_EINVAL);
	OK(td_store_message_mark_sent(s, a, "250 ok", T0 + 7, E));
	assert_int_equal(td_store_message_mark_sent(s, b, NULL, T0 + 8, &err),
			 TD_EINVAL);
	assert_non_null(strstr(err.msg, "already sent or is being sent"));

	/* two senders race for one draft: exactly one wins */
	c = add_message(s, id, reg, "followup-1", "abuse@registrar.example",
			"td.c@r.example", T0 + 10);
	if (td_store_message_claim(s, c, T0 + 11, NULL) == 0)
		wins++;
	if (td_store_message_claim(other, c, T0 + 11, NULL) == 0)
		wins++;
	assert_int_equal(wins, 1);

	/* behind the store's back: a sent row cannot change or go */
	td_store_close(s);
	td_store_close(other);
	assert_int_not_equal(sqlite_exec(t->path,
					 "UPDATE message SET state = 'draft',"
					 " sent = NULL WHERE message_id ="
					 " 'td.a@r.example'",
					 why, sizeof(why)),
			     SQLITE_OK);
	assert_non_null(strstr(why, "sent message cannot change"));
	assert_int_not_equal(sqlite_exec(t->path,
					 "DELETE FROM message WHERE"
					 " message_id = 'td.a@r.example'",
					 why, sizeof(why)),
			     SQLITE_OK);
	/* nor can the second draft be marked sent: the unique index */
	assert_int_not_equal(sqlite_exec(t->path,
					 "UPDATE message SET state = 'sent',"
					 " sent = 1 WHERE message_id ="
					 " 'td.b@r.example'",
					 why, sizeof(why)),
			     SQLITE_OK);
	assert_non_null(strstr(why, "UNIQUE"));

	/* a Message-ID is ours once; the party must be of the case */
	s = open_ok(t->path);
	d = new_case(s, T0);
	{
		struct td_store_message m = {0};

		m.case_id = id;
		m.party_id = reg;
		m.purpose = (char *)"report";
		m.recipient = (char *)"x@y.example";
		m.subject = (char *)"s";
		m.message_id = (char *)"<td.a@r.example>";
		m.path = (char *)"p";
		m.created = T0;
		assert_int_equal(td_store_message_add(NULL, s, &m, &err),
				 TD_EINVAL);
		m.message_id = (char *)"td.new@r.example";
		m.case_id = d;
		assert_int_equal(td_store_message_add(NULL, s, &m, &err),
				 TD_EINVAL);
		assert_non_null(strstr(err.msg, "not a party of case"));
		m.party_id = 999;
		assert_int_equal(td_store_message_add(NULL, s, &m, &err),
				 TD_ENOTFOUND);
		m.party_id = reg;
		m.case_id = id;
		m.created = 0;
		assert_int_equal(td_store_message_add(NULL, s, &m, &err),
				 TD_EINVAL);
		m.created = T0;
		m.purpose = NULL;
		assert_int_equal(td_store_message_add(NULL, s, &m, &err),
				 TD_EINVAL);
	}
	td_store_close(s);
}

/* ---- received ---- */

static void
store_received_matched_or_kept(void **state)
{
	struct tmp *t = *state;
	struct td_store *s = open_ok(t->path);
	struct td_store_received r = {0}, g, *v = NULL;
	struct td_store_party p;
	struct td_store_case c;
	struct td_error err = {0};
	long long id = new_case(s, T0), other = new_case(s, T0);
	long long host = add_party(s, id, TD_ROLE_HOST, "OVH SAS");
	long long cdn = add_party(s, id, TD_ROLE_CDN, "Cloudflare, Inc.");
	long long other_party = add_party(s, other, TD_ROLE_HOST, "OVH SAS");
	long long msg, r1 = 0, r2 = 0, r3 = 0, again = 0;
	char sha[65], h[512];
	size_t nr = 0;

	msg = add_message(s, id, host, "report", "abuse@ovh.net",
			  "td.1@r.example", T0);
	OK(td_store_message_mark_sent(s, msg, NULL, T0 + HOUR, E));

	/* an auto-response with a ticket, matched by In-Reply-To */
	sha_of(sha, 1);
	r.case_id = id;
	r.message = msg;
	r.matched_by = TD_MATCH_IN_REPLY_TO;
	r.from = (char *)"noreply@ovh.net";
	r.subject = (char *)"[OVH-2026-77] We received your report";
	r.message_id = (char *)"<ack.1@ovh.net>";
	r.date = T0 + HOUR + 60;
	r.classification = TD_REPLY_AUTO;
	r.ticket = (char *)"OVH-2026-77";
	r.path = (char *)"replies/1.eml";
	r.sha256 = sha;
	OK(td_store_received_add(&r1, s, &r, T0 + 2 * HOUR, E));
	OK(td_store_party_get(&p, s, host, E));
	assert_int_equal(p.first_reply, T0 + HOUR + 60);
	assert_int_equal(p.first_human, 0);
	assert_string_equal(p.ticket, "OVH-2026-77");
	td_store_party_release(&p);
	/* the same bytes again: one row */
	assert_int_equal(
	    td_store_received_add(&again, s, &r, T0 + 3 * HOUR, &err), 1);
	assert_int_equal(again, r1);

	/* an unmatched human reply, kept, then matched by its ticket */
	memset(&r, 0, sizeof(r));
	sha_of(sha, 2);
	r.from = (char *)"j.doe@ovh.net";
	r.subject = (char *)"Re: your ticket OVH-2026-77";
	r.classification = TD_REPLY_HUMAN;
	r.path = (char *)"replies/2.eml";
	r.sha256 = sha;
	r.date = T0 + DAY;
	OK(td_store_received_add(&r2, s, &r, T0 + DAY + 5, E));
	OK(td_store_received_list(&v, &nr, s, 0, E));
	assert_int_equal(nr, 1);
	assert_int_equal(v[0].id, r2);
	assert_int_equal(v[0].case_id, 0);
	assert_int_equal(v[0].matched_by, TD_MATCH_NONE);
	assert_int_equal(v[0].imported, T0 + DAY + 5);
	td_store_received_list_free(v, nr);

	assert_int_equal(td_store_received_match(s, r2, id, other_party, 0,
						 TD_MATCH_TICKET, T0 + DAY + 9,
						 &err),
			 TD_EINVAL);
	assert_int_equal(td_store_received_match(s, r2, other, 0, msg,
						 TD_MATCH_TICKET, T0 + DAY + 9,
						 &err),
			 TD_EINVAL);
	assert_int_equal(td_store_received_match(s, r2, id, host, 0,
						 TD_MATCH_NONE, T0 + DAY + 9,
						 &err),
			 TD_EINVAL);
	OK(td_store_received_match(s, r2, id, host, 0, TD_MATCH_TICKET,
				   T0 + DAY + 9, E));
	assert_int_equal(td_store_received_match(s, r2, id, host, 0,
						 TD_MATCH_TICKET, T0 + DAY + 9,
						 &err),
			 TD_EINVAL);
	assert_non_null(strstr(err.msg, "already"));
	OK(td_store_received_get(&g, s, r2, E));
	assert_int_equal(g.case_id, id);
	assert_int_equal(g.party_id, host);
	assert_int_equal(g.matched_by, TD_MATCH_TICKET);
	assert_int_equal(g.classification, TD_REPLY_HUMAN);
	assert_string_equal(g.from, "j.doe@ovh.net");
	td_store_received_release(&g);
	OK(td_store_party_get(&p, s, host, E));
	assert_int_equal(p.first_human, T0 + DAY);
	td_store_party_release(&p);
	OK(td_store_case_get(&c, s, id, E));
	assert_int_equal(c.first_human, T0 + DAY);
	td_store_case_release(&c);
	OK(td_store_received_list(&v, &nr, s, 0, E));
	assert_int_equal(nr, 0);
	OK(td_store_received_list(&v, &nr, s, id, E));
	assert_int_equal(nr, 2);
	assert_string_equal(v[0].message_id, "ack.1@ovh.net");
	td_store_received_list_free(v, nr);

	/* a bounce from the CDN's address: the contact is marked bad */
	memset(&r, 0, sizeof(r));
	sha_of(sha, 3);
	r.case_id = id;
	r.party_id = cdn;
	r.matched_by = TD_MATCH_TAG;
	r.classification = TD_REPLY_BOUNCE;
	r.path = (char *)"replies/3.eml";
	r.sha256 = sha;
	OK(td_store_received_add(&r3, s, &r, T0 + 2 * DAY, E));
	OK(td_store_party_get(&p, s, cdn, E));
	assert_int_equal(p.bounced, T0 + 2 * DAY);
	assert_int_equal(p.first_reply, 0);
	td_store_party_release(&p);
	history(h, sizeof(h), s, id);
	assert_string_equal(h, "created drafted sent auto-reply reply bounce");

	/* refused */
	r.sha256 = (char *)"nothex";
	assert_int_equal(td_store_received_add(NULL, s, &r, T0, &err),
			 TD_EINVAL);
	sha_of(sha, 4);
	r.sha256 = sha;
	r.matched_by = TD_MATCH_NONE;
	assert_int_equal(td_store_received_add(NULL, s, &r, T0, &err),
			 TD_EINVAL);
	r.matched_by = TD_MATCH_TAG;
	r.case_id = 999;
	r.party_id = 0;
	assert_int_equal(td_store_received_add(NULL, s, &r, T0, &err),
			 TD_ENOTFOUND);
	/* nothing of the refused message was kept */
	OK(td_store_received_list(&v, &nr, s, 0, E));
	assert_int_equal(nr, 0);
	assert_int_equal(
	    td_store_received_match(s, 999, id, 0, 0, TD_MATCH_TAG, T0, &err),
	    TD_ENOTFOUND);
	td_store_close(s);
}

/* ---- history ---- */

static void
store_events_are_append_only(void **state)
{
	struct tmp *t = *state;
	struct td_store *s = open_ok(t->path);
	struct td_store_event e = {0}, *v = NULL;
	struct td_error err = {0};
	long long id = new_case(s, T0), ev = 0;
	char why[256];
	size_t nr = 0;

	td_store_set_source(s, "user");
	e.case_id = id;
	e.at = T0 + 50;
	e.kind = TD_EV_CALL;
	e.detail = (char *)"called OVH abuse desk, ticket promised";
	OK(td_store_event_add(&ev, s, &e, E));
	assert_true(ev > 0);
	/* earlier in time: listed before, whatever the order recorded */
	e.at = T0 + 10;
	e.kind = TD_EV_NOTE;
	e.source = (char *)"import";
	e.detail = NULL;
	OK(td_store_event_add(NULL, s, &e, E));
	e.kind = TD_EV_CHECK;
	e.at = T0 + 50;
	e.detail = (char *)"HTTP 200, form present";
	OK(td_store_event_add(NULL, s, &e, E));

	OK(td_store_event_list(&v, &nr, s, id, E));
	assert_int_equal(nr, 4);
	assert_int_equal(v[0].kind, TD_EV_CREATED);
	assert_string_equal(v[0].source, "takedown");
	assert_int_equal(v[1].kind, TD_EV_NOTE);
	assert_string_equal(v[1].source, "import");
	assert_null(v[1].detail);
	assert_int_equal(v[2].kind, TD_EV_CALL);
	assert_string_equal(v[2].source, "user");
	assert_int_equal(v[2].at, T0 + 50);
	assert_int_equal(v[3].kind, TD_EV_CHECK);
	td_store_event_list_free(v, nr);

	/* the kinds the store records itself are refused here */
	e.kind = TD_EV_STATE;
	assert_int_equal(td_store_event_add(NULL, s, &e, &err), TD_EINVAL);
	e.kind = TD_EV_SENT;
	assert_int_equal(td_store_event_add(NULL, s, &e, &err), TD_EINVAL);
	e.kind = (enum td_event_kind)99;
	assert_int_equal(td_store_event_add(NULL, s, &e, &err), TD_EINVAL);
	e.kind = TD_EV_NOTE;
	e.at = 0;
	assert_int_equal(td_store_event_add(NULL, s, &e, &err), TD_EINVAL);
	e.at = T0;
	e.case_id = 999;
	assert_int_equal(td_store_event_add(NULL, s, &e, &err), TD_ENOTFOUND);
	assert_int_equal(td_store_event_add(NULL, s, NULL, &err), TD_EINVAL);
	td_store_close(s);

	/* behind the store's back: no UPDATE, no DELETE */
	assert_int_not_equal(sqlite_exec(t->path,
					 "UPDATE event SET detail = 'nothing"
					 " happened'",
					 why, sizeof(why)),
			     SQLITE_OK);
	assert_non_null(strstr(why, "append-only"));
	assert_int_not_equal(
	    sqlite_exec(t->path, "DELETE FROM event", why, sizeof(why)),
	    SQLITE_OK);
	assert_non_null(strstr(why, "append-only"));
	assert_int_not_equal(sqlite_exec(t->path,
					 "DELETE FROM event WHERE kind ="
					 " 'call'",
					 why, sizeof(why)),
			     SQLITE_OK);
	s = open_ok(t->path);
	OK(td_store_event_list(&v, &nr, s, id, E));
	assert_int_equal(nr, 4);
	assert_string_equal(v[2].detail,
			    "called OVH abuse desk, ticket promised");
	td_store_event_list_free(v, nr);
	td_store_close(s);
}

/* ---- transactions ---- */

static void
store_transactions_all_or_nothing(void **state)
{
	struct tmp *t = *state;
	struct td_store *s = open_ok(t->path);
	struct td_store *other = open_ok(t->path);
	struct td_store_case c;
	struct td_error err = {0};
	long long id, n = 0;

	assert_int_equal(td_store_commit(s, &err), TD_EINVAL);
	assert_int_equal(td_store_rollback(s, &err), TD_EINVAL);
	assert_int_equal(td_store_begin(s, &err), 0);
	assert_int_equal(td_store_begin(s, &err), TD_EINVAL);
	id = new_case(s, T0);
	OK(td_store_set_state(s, id, TD_STATE_REPORTED, TD_MIT_NONE, NULL,
			      T0 + 1, E));
	/* a refused call inside keeps the rest of the transaction */
	assert_int_equal(td_store_set_state(s, id, TD_STATE_OPEN, TD_MIT_NONE,
					    NULL, T0 + 2, &err),
			 TD_EINVAL);
	assert_int_equal(td_store_label_add(s, 999, "x", T0, &err),
			 TD_ENOTFOUND);
	/* others see nothing yet */
	assert_int_equal(td_store_case_get(&c, other, id, &err), TD_ENOTFOUND);
	assert_int_equal(td_store_commit(s, &err), 0);
	assert_int_equal(state_of(other, id), TD_STATE_REPORTED);

	/* rollback drops a batch */
	assert_int_equal(td_store_begin(s, &err), 0);
	new_case(s, T0);
	new_case(s, T0);
	assert_int_equal(td_store_rollback(s, &err), 0);
	OK(td_store_case_count(&n, s, NULL, E));
	assert_int_equal(n, 1);

	/* closing with a transaction open rolls it back */
	assert_int_equal(td_store_begin(s, &err), 0);
	new_case(s, T0);
	td_store_close(s);
	OK(td_store_case_count(&n, other, NULL, E));
	assert_int_equal(n, 1);
	td_store_close(other);
}

static void
store_locked_writer_times_out(void **state)
{
	struct tmp *t = *state;
	struct td_store *a = open_ok(t->path);
	struct td_store *b;
	struct td_store_case c;
	struct td_error err = {0};
	long long id = new_case(a, T0);

	assert_int_equal(td_store_begin(a, &err), 0);
	new_case(a, T0);
	b = open_ok(t->path);
	td_store_busy_timeout(b, 50);
	/* reading works while another process writes (WAL) */
	OK(td_store_case_get(&c, b, id, E));
	td_store_case_release(&c);
	assert_int_equal(td_store_case_new(&c, b, T0, &err), TD_EIO);
	assert_non_null(strstr(err.msg, "locked"));
	assert_non_null(strstr(err.msg, t->path));
	assert_null(strchr(err.msg, '\n'));
	assert_int_equal(td_store_begin(b, &err), TD_EIO);
	assert_int_equal(td_store_commit(a, &err), 0);
	OK(td_store_case_new(&c, b, T0, E));
	assert_string_equal(c.tag, "TD-2026-000003");
	td_store_case_release(&c);
	td_store_close(a);
	td_store_close(b);
}

/* ---- listing ---- */

static int
ids_of(long long *out, size_t max, struct td_store *s,
       const struct td_store_filter *f)
{
	struct td_store_case *v = NULL;
	size_t nr = 0, i;

	OK(td_store_case_list(&v, &nr, s, f, E));
	assert_true(nr <= max);
	for (i = 0; i < nr; i++)
		out[i] = v[i].id;
	td_store_case_list_free(v, nr);
	return (int)nr;
}

static int
stop_at_second(const struct td_store_case *c, void *payload)
{
	int *seen = payload;

	return ++*seen == 2 ? 42 : 0;
}

static void
store_case_list_filters(void **state)
{
	struct tmp *t = *state;
	struct td_store *s = open_ok(t->path);
	struct td_store_filter f;
	struct td_store_url u = {0};
	struct td_error err = {0};
	long long id[6], got[16], n = 0;
	int i, seen = 0;

	/* 1: open, registrar Evil Reg, domain a.example, label bank */
	/* 2: reported, host Big Host + registrar Evil Reg, escalated */
	/* 3: mitigated, host Big Host, malicious, old */
	/* 4: closed, cdn Cloudflare, compromised, domain b.example */
	/* 5: acknowledged, host "O'Brien; DROP TABLE cases;--" */
	/* 6: open, no parties */
	for (i = 0; i < 6; i++)
		id[i] = new_case(s, T0 + i * DAY);
	add_party(s, id[0], TD_ROLE_REGISTRAR, "Evil Reg");
	add_party(s, id[1], TD_ROLE_HOST, "Big Host");
	add_party(s, id[1], TD_ROLE_REGISTRAR, "evil reg");
	add_party(s, id[2], TD_ROLE_HOST, "Big Host");
	add_party(s, id[3], TD_ROLE_CDN, "Cloudflare");
	add_party(s, id[4], TD_ROLE_HOST, "O'Brien; DROP TABLE cases;--");
	OK(td_store_set_state(s, id[1], TD_STATE_REPORTED, 0, NULL,
			      T0 + 9 * DAY, E));
	OK(td_store_set_escalated(s, id[1], 1, NULL, T0 + 9 * DAY, E));
	OK(td_store_set_state(s, id[2], TD_STATE_MITIGATED, TD_MIT_SUSPENDED,
			      NULL, T0 + 9 * DAY, E));
	OK(td_store_case_set_kind(s, id[2], TD_KIND_MALICIOUS, NULL,
				  T0 + 9 * DAY, E));
	OK(td_store_set_state(s, id[3], TD_STATE_CLOSED, 0, "false positive",
			      T0 + 9 * DAY, E));
	OK(td_store_case_set_kind(s, id[3], TD_KIND_COMPROMISED, NULL,
				  T0 + 9 * DAY, E));
	OK(td_store_set_state(s, id[4], TD_STATE_REPORTED, 0, NULL,
			      T0 + 9 * DAY, E));
	OK(td_store_set_state(s, id[4], TD_STATE_ACKNOWLEDGED, 0, NULL,
			      T0 + 9 * DAY, E));
	OK(td_store_label_add(s, id[0], "bank", T0, E));
	u.case_id = id[0];
	u.url = u.norm = (char *)"https://login.a.example/";
	u.host = (char *)"login.a.example";
	u.domain = (char *)"a.example";
	OK(td_store_url_add(NULL, s, &u, E));
	u.case_id = id[3];
	u.url = u.norm = (char *)"https://b.example/wp-content/x/";
	u.host = u.domain = (char *)"b.example";
	OK(td_store_url_add(NULL, s, &u, E));

	/* everything, newest first */
	assert_int_equal(ids_of(got, 16, s, NULL), 6);
	assert_int_equal(got[0], id[5]);
	assert_int_equal(got[5], id[0]);

	memset(&f, 0, sizeof(f));
	f.states = 1u << TD_STATE_OPEN | 1u << TD_STATE_REPORTED;
	assert_int_equal(ids_of(got, 16, s, &f), 3);
	assert_int_equal(got[0], id[5]);
	assert_int_equal(got[1], id[1]);
	assert_int_equal(got[2], id[0]);
	OK(td_store_case_count(&n, s, &f, E));
	assert_int_equal(n, 3);

	/* a provider in any role, ASCII case ignored; or in one role */
	memset(&f, 0, sizeof(f));
	f.provider = "EVIL REG";
	assert_int_equal(ids_of(got, 16, s, &f), 2);
	f.role = TD_ROLE_HOST;
	assert_int_equal(ids_of(got, 16, s, &f), 0);
	f.provider = "Big Host";
	assert_int_equal(ids_of(got, 16, s, &f), 2);
	f.states = 1u << TD_STATE_MITIGATED;
	assert_int_equal(ids_of(got, 16, s, &f), 1);
	assert_int_equal(got[0], id[2]);
	/* the role alone: cases with such a party */
	memset(&f, 0, sizeof(f));
	f.role = TD_ROLE_HOST;
	assert_int_equal(ids_of(got, 16, s, &f), 3);
	f.role = TD_ROLE_CDN;
	assert_int_equal(ids_of(got, 16, s, &f), 1);
	assert_int_equal(got[0], id[3]);
	/* text from outside is data, never SQL */
	memset(&f, 0, sizeof(f));
	f.provider = "O'Brien; DROP TABLE cases;--";
	assert_int_equal(ids_of(got, 16, s, &f), 1);
	assert_int_equal(got[0], id[4]);
	f.provider = "x' OR '1'='1";
	assert_int_equal(ids_of(got, 16, s, &f), 0);

	memset(&f, 0, sizeof(f));
	f.label = "BANK";
	assert_int_equal(ids_of(got, 16, s, &f), 1);
	assert_int_equal(got[0], id[0]);
	memset(&f, 0, sizeof(f));
	f.domain = "b.example";
	assert_int_equal(ids_of(got, 16, s, &f), 1);
	assert_int_equal(got[0], id[3]);
	memset(&f, 0, sizeof(f));
	f.tag = "TD-2026-000003";
	assert_int_equal(ids_of(got, 16, s, &f), 1);
	assert_int_equal(got[0], id[2]);
	memset(&f, 0, sizeof(f));
	f.escalated = 1;
	assert_int_equal(ids_of(got, 16, s, &f), 1);
	assert_int_equal(got[0], id[1]);
	memset(&f, 0, sizeof(f));
	f.kinds = 1u << TD_KIND_MALICIOUS | 1u << TD_KIND_COMPROMISED;
	assert_int_equal(ids_of(got, 16, s, &f), 2);
	f.kinds = 1u << TD_KIND_UNKNOWN;
	assert_int_equal(ids_of(got, 16, s, &f), 4);

	/* age: created in [T0 + 1 day, T0 + 3 days) */
	memset(&f, 0, sizeof(f));
	f.created_after = T0 + DAY;
	f.created_before = T0 + 3 * DAY;
	assert_int_equal(ids_of(got, 16, s, &f), 2);
	assert_int_equal(got[0], id[2]);
	assert_int_equal(got[1], id[1]);

	/* pages of two, both directions */
	memset(&f, 0, sizeof(f));
	f.limit = 2;
	assert_int_equal(ids_of(got, 16, s, &f), 2);
	assert_int_equal(got[1], id[4]);
	f.cursor = got[1];
	assert_int_equal(ids_of(got, 16, s, &f), 2);
	assert_int_equal(got[0], id[3]);
	assert_int_equal(got[1], id[2]);
	f.oldest_first = 1;
	f.cursor = id[1];
	assert_int_equal(ids_of(got, 16, s, &f), 2);
	assert_int_equal(got[0], id[2]);
	assert_int_equal(got[1], id[3]);
	OK(td_store_case_count(&n, s, &f, E));
	assert_int_equal(n, 6); /* count ignores cursor and limit */

	/* a callback stops the walk with its own value */
	assert_int_equal(
	    td_store_case_each(s, NULL, stop_at_second, &seen, &err), 42);
	assert_int_equal(seen, 2);

	/* unknown bits and roles, overlong text */
	memset(&f, 0, sizeof(f));
	f.states = 1u << TD_STATE_NR;
	assert_int_equal(td_store_case_count(&n, s, &f, &err), TD_EINVAL);
	f.states = 0;
	f.kinds = 1u << 5;
	assert_int_equal(td_store_case_count(&n, s, &f, &err), TD_EINVAL);
	f.kinds = 0;
	f.role = TD_ROLE_NR;
	assert_int_equal(td_store_case_count(&n, s, &f, &err), TD_EINVAL);
	td_store_close(s);

	/* the tables are all still there */
	s = open_ok(t->path);
	OK(td_store_case_count(&n, s, NULL, E));
	assert_int_equal(n, 6);
	td_store_close(s);
}

/* ---- statistics ---- */

static const struct td_store_stats *
stats_for(const struct td_store_stats *v, size_t nr, enum td_party_role role,
	  const char *name)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (v[i].role == role && !strcmp(v[i].name, name))
			return &v[i];
	return NULL;
}

/*
 * A case reported to host and registrar at start; the host answers
 * (human) after answer seconds (0: never); mitigated after down seconds
 * (0: never).
 */
static void
stats_case(struct td_store *s, long long start, const char *host,
	   long long answer, long long down, unsigned n)
{
	long long id = new_case(s, start - 10);
	long long h = add_party(s, id, TD_ROLE_HOST, host);
	long long r = add_party(s, id, TD_ROLE_REGISTRAR, "Reg One");
	long long mh, mr;
	char mid[64], sha[65];

	snprintf(mid, sizeof(mid), "td.%u.h@r.example", n);
	mh = add_message(s, id, h, "report", "abuse@host.example", mid, start);
	snprintf(mid, sizeof(mid), "td.%u.r@r.example", n);
	mr = add_message(s, id, r, "report", "abuse@reg.example", mid, start);
	OK(td_store_message_mark_sent(s, mh, NULL, start, E));
	OK(td_store_message_mark_sent(s, mr, NULL, start, E));
	OK(td_store_set_state(s, id, TD_STATE_REPORTED, 0, NULL, start, E));
	if (answer) {
		struct td_store_received rc = {0};

		sha_of(sha, n);
		rc.case_id = id;
		rc.message = mh;
		rc.matched_by = TD_MATCH_IN_REPLY_TO;
		rc.classification = TD_REPLY_HUMAN;
		rc.date = start + answer;
		rc.path = (char *)"r.eml";
		rc.sha256 = sha;
		OK(td_store_received_add(NULL, s, &rc, start + answer + 5, E));
	}
	if (down)
		OK(td_store_set_state(s, id, TD_STATE_MITIGATED,
				      TD_MIT_SUSPENDED, NULL, start + down, E));
}

static void
store_stats_exact_durations(void **state)
{
	struct tmp *t = *state;
	struct td_store *s = open_ok(t->path);
	struct td_store_stats *v = NULL;
	struct td_store_stats_filter f = {0};
	const struct td_store_stats *x;
	struct td_error err = {0};
	/* values chosen to share histogram buckets */
	static const long long downs[] = {
	    100001, 100003, 100002, 7 * 86400 + 1, 3600, 3601, 3602, 59, 0, 0};
	size_t nr = 0, i;
	long long id;

	for (i = 0; i < sizeof(downs) / sizeof(downs[0]); i++)
		stats_case(s, T0 + (long long)i * DAY, "Big Host",
			   i < 5 ? 1000 + (long long)i * 10 : 0, downs[i],
			   (unsigned)i + 1);
	stats_case(s, T0, "Small Host", 0, 0, 100);

	OK(td_store_stats_list(&v, &nr, s, NULL, E));
	assert_int_equal(nr, 3);
	x = stats_for(v, nr, TD_ROLE_REGISTRAR, "Reg One");
	assert_non_null(x);
	assert_int_equal(x->cases, 11);
	assert_int_equal(x->reported, 11);
	assert_int_equal(x->answered, 0);
	assert_int_equal(x->mitigated, 8);
	assert_int_equal(x->answer_median, -1);
	/* sorted: 59 3600 3601 3602 100001 100002 100003 604801 */
	assert_int_equal(x->down_median, 3602);
	assert_int_equal(x->down_p90, 604801);
	x = stats_for(v, nr, TD_ROLE_HOST, "Big Host");
	assert_non_null(x);
	assert_int_equal(x->cases, 10);
	assert_int_equal(x->answered, 5);
	/* 1000 1010 1020 1030 1040: rank 3 */
	assert_int_equal(x->answer_median, 1020);
	assert_int_equal(x->down_median, 3602);
	x = stats_for(v, nr, TD_ROLE_HOST, "Small Host");
	assert_non_null(x);
	assert_int_equal(x->cases, 1);
	assert_int_equal(x->reported, 1);
	assert_int_equal(x->down_median, -1);
	assert_int_equal(x->down_p90, -1);
	assert_string_equal(v[0].name, "Reg One"); /* most cases first */
	td_store_stats_list_free(v, nr);

	/* one role, a minimum, a limit */
	f.role = TD_ROLE_HOST;
	OK(td_store_stats_list(&v, &nr, s, &f, E));
	assert_int_equal(nr, 2);
	td_store_stats_list_free(v, nr);
	f.min_cases = 2;
	OK(td_store_stats_list(&v, &nr, s, &f, E));
	assert_int_equal(nr, 1);
	td_store_stats_list_free(v, nr);
	f.role = TD_ROLE_NONE;
	f.min_cases = 0;
	f.limit = 1;
	OK(td_store_stats_list(&v, &nr, s, &f, E));
	assert_int_equal(nr, 1);
	td_store_stats_list_free(v, nr);
	f.role = (enum td_party_role)50;
	assert_int_equal(td_store_stats_list(&v, &nr, s, &f, &err), TD_EINVAL);

	/* a case that comes back is no takedown any more */
	memset(&f, 0, sizeof(f));
	f.role = TD_ROLE_REGISTRAR;
	id = 8; /* the case mitigated after 59 s */
	OK(td_store_set_state(s, id, TD_STATE_OPEN, 0, "phish back",
			      T0 + 99 * DAY, E));
	OK(td_store_stats_list(&v, &nr, s, &f, E));
	assert_int_equal(nr, 1);
	assert_int_equal(v[0].mitigated, 7);
	/* 3600 3601 3602 100001 100002 100003 604801: rank 4 */
	assert_int_equal(v[0].down_median, 100001);
	td_store_stats_list_free(v, nr);
	td_store_close(s);
}

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* Over 64 durations the histogram finds the bucket: still exact. */
static void
store_stats_exact_through_histogram(void **state)
{
	enum { N = 150 };
	struct tmp *t = *state;
	struct td_store *s = open_ok(t->path);
	struct td_store_stats *v = NULL;
	struct td_store_stats_filter f = {0};
	long long downs[N], answers[N];
	unsigned x = 12345;
	size_t nr = 0;
	int i;

	OK(td_store_begin(s, E));
	for (i = 0; i < N; i++) {
		/* spread over seconds to weeks, with repeats and neighbours */
		x = x * 1103515245u + 12345u;
		downs[i] =
		    i % 10 == 0 ? 7200 : 1 + (long long)(x >> 8) % 1200000;
		answers[i] =
		    i % 7 == 0 ? 3601 : 60 + (long long)(x >> 12) % 90000;
		stats_case(s, T0 + (long long)i * HOUR, "Huge Host", answers[i],
			   downs[i], (unsigned)i + 1);
	}
	OK(td_store_commit(s, E));
	qsort(downs, N, sizeof(downs[0]), cmp_ll);
	qsort(answers, N, sizeof(answers[0]), cmp_ll);

	f.role = TD_ROLE_HOST;
	OK(td_store_stats_list(&v, &nr, s, &f, E));
	assert_int_equal(nr, 1);
	assert_int_equal(v[0].mitigated, N);
	assert_int_equal(v[0].answered, N);
	assert_int_equal(v[0].answer_median, answers[(N + 1) / 2 - 1]);
	assert_int_equal(v[0].down_median, downs[(N + 1) / 2 - 1]);
	assert_int_equal(v[0].down_p90, downs[(9 * N + 9) / 10 - 1]);
	td_store_stats_list_free(v, nr);
	td_store_close(s);
}

/* ---- persistence, limits, files to refuse ---- */

static void
store_reopen_keeps_everything(void **state)
{
	struct tmp *t = *state;
	struct td_store *s = open_ok(t->path);
	struct td_store_case c;
	struct td_store_message m;
	struct td_error err = {0};
	long long id = new_case(s, T0), p, msg;
	char h[256];
	struct stat st;

	p = add_party(s, id, TD_ROLE_PLATFORM, "Weebly");
	msg = add_message(s, id, p, "report", "abuse@weebly.example",
			  "td.9@r.example", T0 + 5);
	OK(td_store_message_claim(s, msg, T0 + 6, E));
	OK(td_store_set_state(s, id, TD_STATE_CLOSED, 0, "handled elsewhere",
			      T0 + 7, E));
	td_store_close(s);
	assert_int_equal(stat(t->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	s = open_ok(t->path);
	OK(td_store_case_get(&c, s, id, E));
	assert_int_equal(c.state, TD_STATE_CLOSED);
	assert_string_equal(c.closed_reason, "handled elsewhere");
	td_store_case_release(&c);
	/* a claim made before a crash stays: not sent again by claim */
	OK(td_store_message_get(&m, s, msg, E));
	assert_int_equal(m.state, TD_MSG_SENDING);
	td_store_message_release(&m);
	assert_int_equal(td_store_message_claim(s, msg, T0 + 9, &err),
			 TD_EINVAL);
	history(h, sizeof(h), s, id);
	assert_string_equal(h, "created drafted state");
	/* numbering goes on */
	OK(td_store_case_new(&c, s, T0 + 10, E));
	assert_string_equal(c.tag, "TD-2026-000002");
	td_store_case_release(&c);
	td_store_close(s);
}

static void
store_overlong_values_refused(void **state)
{
	struct tmp *t = *state;
	struct td_store *s = open_ok(t->path);
	struct td_store_party p = {0};
	struct td_store_event e = {0};
	struct td_error err = {0};
	long long id = new_case(s, T0), n = 0;
	char *big = malloc(TD_STORE_MAX_JSON + 2);
	struct td_store_party *v = NULL;
	size_t nr = 0;

	assert_non_null(big);
	memset(big, 'n', TD_STORE_MAX_SHORT + 1);
	big[TD_STORE_MAX_SHORT + 1] = '\0';
	p.case_id = id;
	p.role = TD_ROLE_HOST;
	p.name = big;
	assert_int_equal(td_store_party_add(NULL, s, &p, &err), TD_ELIMIT);
	assert_non_null(strstr(err.msg, "name"));
	assert_non_null(strstr(err.msg, "limit"));
	p.name = (char *)"Host";
	p.abuse_email = big;
	assert_int_equal(td_store_party_add(NULL, s, &p, &err), TD_ELIMIT);
	p.abuse_email = NULL;
	/* JSON: over the limit; at the limit (valid) kept */
	big[0] = '"';
	memset(big + 1, 'j', TD_STORE_MAX_JSON);
	big[TD_STORE_MAX_JSON] = '"';
	big[TD_STORE_MAX_JSON + 1] = '\0';
	p.provenance = big;
	assert_int_equal(td_store_party_add(NULL, s, &p, &err), TD_ELIMIT);
	big[TD_STORE_MAX_JSON - 1] = '"';
	big[TD_STORE_MAX_JSON] = '\0';
	OK(td_store_party_add(NULL, s, &p, E));
	OK(td_store_party_list(&v, &nr, s, id, E));
	assert_int_equal(nr, 1);
	assert_int_equal(strlen(v[0].provenance), TD_STORE_MAX_JSON);
	td_store_party_list_free(v, nr);

	memset(big, 'd', TD_STORE_MAX_LONG + 1);
	big[TD_STORE_MAX_LONG + 1] = '\0';
	e.case_id = id;
	e.at = T0;
	e.kind = TD_EV_NOTE;
	e.detail = big;
	assert_int_equal(td_store_event_add(NULL, s, &e, &err), TD_ELIMIT);
	assert_int_equal(
	    td_store_set_state(s, id, TD_STATE_CLOSED, 0, big, T0, &err),
	    TD_ELIMIT);
	assert_int_equal(
	    td_store_case_set_kind(s, id, TD_KIND_MALICIOUS, big, T0, &err),
	    TD_ELIMIT);
	e.detail = NULL;
	e.source = big;
	assert_int_equal(td_store_event_add(NULL, s, &e, &err), TD_ELIMIT);
	assert_int_equal(state_of(s, id), TD_STATE_OPEN);
	OK(td_store_case_count(&n, s, NULL, E));
	assert_int_equal(n, 1);
	free(big);
	td_store_close(s);
}

static void
store_corrupt_file_refused(void **state)
{
	struct tmp *t = *state;
	struct td_store *s = NULL;
	struct td_error err = {0};
	unsigned char junk[8192];
	FILE *f;
	size_t i;
	unsigned x = 777;

	for (i = 0; i < sizeof(junk); i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (unsigned char)(x >> 16);
	}
	f = fopen(t->path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(junk, 1, sizeof(junk), f), sizeof(junk));
	fclose(f);
	assert_int_equal(td_store_open(&s, t->path, &err), TD_EPARSE);
	assert_null(s);
	assert_non_null(strstr(err.msg, t->path));
	assert_null(strchr(err.msg, '\n'));
}

static void
store_damaged_pages_fail_cleanly(void **state)
{
	struct tmp *t = *state;
	struct td_store *s = open_ok(t->path);
	struct td_store_event *v = NULL;
	struct td_store_filter f = {0};
	struct td_error err = {0};
	unsigned char junk[4096];
	long long id = 0, n;
	size_t nr = 0;
	struct stat st;
	int fd, i, rc, damaged = 0;

	OK(td_store_begin(s, E));
	for (i = 0; i < 2000; i++) {
		id = new_case(s, T0 + i);
		add_party(s, id, TD_ROLE_HOST, "Some Host With A Long Name");
	}
	OK(td_store_commit(s, E));
	td_store_close(s);

	/* keep the schema and the tables' roots (the first 64 pages) */
	assert_int_equal(stat(t->path, &st), 0);
	assert_true(st.st_size > 96 * 4096);
	memset(junk, 0xa5, sizeof(junk));
	fd = open(t->path, O_WRONLY);
	assert_true(fd >= 0);
	for (i = 64 * 4096; i + (int)sizeof(junk) <= st.st_size;
	     i += (int)sizeof(junk))
		assert_int_equal(pwrite(fd, junk, sizeof(junk), i),
				 (ssize_t)sizeof(junk));
	close(fd);

	s = NULL;
	rc = td_store_open(&s, t->path, &err);
	if (rc) {
		assert_true(rc < 0);
		assert_null(s);
		assert_null(strchr(err.msg, '\n'));
		return;
	}
	/* whatever still reads, the damage is an error, never a crash */
	rc = td_store_event_list(&v, &nr, s, id, &err);
	assert_true(rc == 0 || rc == TD_EPARSE);
	damaged += rc == TD_EPARSE;
	if (rc == 0)
		td_store_event_list_free(v, nr);
	rc = td_store_case_count(&n, s, &f, &err);
	assert_true(rc == 0 || rc == TD_EPARSE);
	damaged += rc == TD_EPARSE;
	if (rc) {
		assert_non_null(strstr(err.msg, "malformed"));
		assert_non_null(strstr(err.msg, t->path));
	}
	{
		struct td_store_stats *sv = NULL;

		rc = td_store_stats_list(&sv, &nr, s, NULL, &err);
		assert_true(rc == 0 || rc == TD_EPARSE);
		damaged += rc == TD_EPARSE;
		td_store_stats_list_free(sv, nr);
	}
	{
		struct td_store_case c;

		rc = td_store_case_new(&c, s, T0, &err);
		assert_true(rc == 0 || rc == TD_EPARSE);
		td_store_case_release(&c);
	}
	assert_true(damaged > 0);
	td_store_close(s);
}

static void
store_foreign_or_newer_file_refused(void **state)
{
	struct tmp *t = *state;
	struct td_store *s = NULL;
	struct td_error err = {0};
	char other[700];

	/* someone else's database */
	assert_int_equal(
	    sqlite_exec(t->path, "CREATE TABLE mail (id INTEGER)", NULL, 0),
	    SQLITE_OK);
	assert_int_equal(td_store_open(&s, t->path, &err), TD_EINVAL);
	assert_null(s);
	assert_non_null(strstr(err.msg, "not a takedown case store"));

	/* the lookup cache is not a store either */
	snprintf(other, sizeof(other), "%s/other.sqlite", t->dir);
	assert_int_equal(sqlite_exec(other,
				     "CREATE TABLE answer (k TEXT);"
				     " PRAGMA user_version = 1;"
				     " PRAGMA application_id = 1952727905",
				     NULL, 0),
			 SQLITE_OK);
	assert_int_equal(td_store_open(&s, other, &err), TD_EINVAL);

	/* a newer schema */
	unlink(t->path);
	s = open_ok(t->path);
	td_store_close(s);
	assert_int_equal(
	    sqlite_exec(t->path, "PRAGMA user_version = 99", NULL, 0),
	    SQLITE_OK);
	s = NULL;
	assert_int_equal(td_store_open(&s, t->path, &err), TD_EINVAL);
	assert_null(s);
	assert_non_null(strstr(err.msg, "version 99"));

	/* a version 1 store is brought up to date, its cases kept */
	unlink(t->path);
	s = open_ok(t->path);
	new_case(s, T0);
	td_store_close(s);
	assert_int_equal(
	    sqlite_exec(t->path,
			"DROP INDEX party_provider_case;"
			" DROP INDEX cases_escalated;"
			" DELETE FROM sqlite_stat1 WHERE idx IN"
			" ('party_provider_case', 'cases_escalated');"
			" PRAGMA user_version = 1",
			NULL, 0),
	    SQLITE_OK);
	s = open_ok(t->path);
	assert_int_equal(state_of(s, 1), TD_STATE_OPEN);
	td_store_close(s);
	{
		sqlite3 *db = NULL;
		sqlite3_stmt *st = NULL;

		assert_int_equal(sqlite3_open(t->path, &db), SQLITE_OK);
		assert_int_equal(
		    sqlite3_prepare_v2(db,
				       "SELECT (SELECT count(*) FROM"
				       " sqlite_schema WHERE name IN"
				       " ('party_provider_case',"
				       " 'cases_escalated')),"
				       " (SELECT user_version FROM"
				       " pragma_user_version)",
				       -1, &st, NULL),
		    SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(st, 0), 2);
		assert_int_equal(sqlite3_column_int(st, 1), 2);
		sqlite3_finalize(st);
		assert_int_equal(sqlite3_close(db), SQLITE_OK);
	}

	/* our mark, a table gone: damaged */
	unlink(t->path);
	s = open_ok(t->path);
	td_store_close(s);
	assert_int_equal(sqlite_exec(t->path, "DROP TABLE received", NULL, 0),
			 SQLITE_OK);
	assert_int_equal(td_store_open(&s, t->path, &err), TD_EPARSE);
	assert_non_null(strstr(err.msg, "received"));
	assert_null(s);
}

static int
read_only_refused(const char *path)
{
	struct td_store *s = NULL;
	struct td_error err = {0};
	int rc = td_store_open(&s, path, &err);

	if (rc == TD_EIO && !s && strstr(err.msg, "read-only"))
		return 1;
	td_store_close(s);
	return 0;
}

static void
store_read_only_file_refused(void **state)
{
	struct tmp *t = *state;
	struct td_store *s = open_ok(t->path);
	pid_t pid;
	int status;

	new_case(s, T0);
	td_store_close(s);
	if (geteuid() != 0) {
		assert_int_equal(chmod(t->path, 0400), 0);
		assert_true(read_only_refused(t->path));
		return;
	}
	assert_int_equal(chmod(t->dir, 0755), 0);
	assert_int_equal(chmod(t->path, 0644), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		_exit(read_only_refused(t->path) ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 2)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void
store_names_round_trip(void **state)
{
	int i;

	for (i = 0; i < TD_STATE_NR; i++)
		assert_int_equal(td_store_state_parse(td_store_state_name(i)),
				 i);
	for (i = 0; i < TD_MIT_NR; i++)
		assert_int_equal(
		    td_store_mitigation_parse(td_store_mitigation_name(i)), i);
	for (i = 0; i < TD_ROLE_NR; i++)
		assert_int_equal(td_store_role_parse(td_store_role_name(i)), i);
	for (i = 0; i < TD_EV_NR; i++)
		assert_int_equal(td_store_event_parse(td_store_event_name(i)),
				 i);
	for (i = 0; i < TD_REPLY_NR; i++)
		assert_int_equal(td_store_reply_parse(td_store_reply_name(i)),
				 i);
	assert_string_equal(td_store_state_name(TD_STATE_AUTO_ACKNOWLEDGED),
			    "auto-acknowledged");
	assert_string_equal(td_store_mitigation_name(TD_MIT_CDN_BLOCKED),
			    "cdn-blocked");
	assert_string_equal(td_store_msg_state_name(TD_MSG_SENDING), "sending");
	assert_string_equal(td_store_match_name(TD_MATCH_IN_REPLY_TO),
			    "in-reply-to");
	assert_null(td_store_state_name(TD_STATE_NR));
	assert_null(td_store_role_name((enum td_party_role) - 1));
	assert_int_equal(td_store_state_parse("Open"), -1);
	assert_int_equal(td_store_state_parse(NULL), -1);
	(void)state;
}

static void
store_release_functions_accept_empty(void **state)
{
	struct tmp *t = *state;
	struct td_store *s = open_ok(t->path);
	struct td_store_case c = {0};
	struct td_store_url u = {0}, *uv = NULL;
	struct td_store_mail m = {0};
	struct td_store_party p = {0};
	struct td_store_evidence e = {0};
	struct td_store_message g = {0};
	struct td_store_received r = {0};
	struct td_store_event ev = {0}, *evv = NULL;
	long long id = new_case(s, T0);
	size_t nr = 0;

	/* zeroed structs, NULL pointers and NULL arrays */
	td_store_case_release(&c);
	td_store_url_release(&u);
	td_store_mail_release(&m);
	td_store_party_release(&p);
	td_store_evidence_release(&e);
	td_store_message_release(&g);
	td_store_received_release(&r);
	td_store_event_release(&ev);
	td_store_case_release(NULL);
	td_store_url_release(NULL);
	td_store_mail_release(NULL);
	td_store_event_release(NULL);
	td_store_case_list_free(NULL, 0);
	td_store_url_list_free(NULL, 0);
	td_store_mail_list_free(NULL, 0);
	td_store_party_list_free(NULL, 0);
	td_store_evidence_list_free(NULL, 0);
	td_store_message_list_free(NULL, 0);
	td_store_received_list_free(NULL, 0);
	td_store_event_list_free(NULL, 0);
	td_store_stats_list_free(NULL, 0);
	td_store_strings_free(NULL, 0);

	/* a filled one, released element by element: zeroed after */
	u.case_id = id;
	u.url = u.norm = (char *)"http://x.example/";
	u.host = u.domain = (char *)"x.example";
	OK(td_store_url_add(NULL, s, &u, E));
	OK(td_store_url_list(&uv, &nr, s, id, E));
	assert_int_equal(nr, 1);
	td_store_url_release(&uv[0]);
	assert_null(uv[0].url);
	assert_int_equal(uv[0].id, 0);
	td_store_url_list_free(uv, nr);
	OK(td_store_event_list(&evv, &nr, s, id, E));
	assert_int_equal(nr, 1);
	td_store_event_release(&evv[0]);
	assert_null(evv[0].source);
	td_store_event_list_free(evv, nr);
	td_store_close(s);
}

/* ---- scale ---- */

static void
store_scale_check(void **state)
{
	enum { CASES = 20000, NOTES = 7 };
	struct tmp *t = *state;
	struct td_store *s = open_ok(t->path);
	struct td_store_filter f;
	struct td_store_case *v = NULL;
	struct td_store_stats *st = NULL;
	struct td_store_event ev = {0};
	struct timespec t0;
	char name[64], mid[64], label[32];
	long long n = 0, events = 0;
	size_t nr = 0;
	int i, j;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	OK(td_store_begin(s, E));
	for (i = 0; i < CASES; i++) {
		long long now = T0 + (long long)i * 600;
		long long id = new_case(s, now), h, r, m;

		snprintf(name, sizeof(name), "Host %d", i % 97);
		h = add_party(s, id, TD_ROLE_HOST, name);
		snprintf(name, sizeof(name), "Registrar %d", i % 13);
		r = add_party(s, id, TD_ROLE_REGISTRAR, name);
		snprintf(mid, sizeof(mid), "td.%d@r.example", i);
		m = add_message(s, id, h, "report", "abuse@h.example", mid,
				now + 60);
		(void)r;
		OK(td_store_message_mark_sent(s, m, NULL, now + 60, E));
		events += 3;
		if (i % 10 == 0) {
			snprintf(label, sizeof(label), "campaign-%d", i % 7);
			OK(td_store_label_add(s, id, label, now, E));
			events++;
		}
		if (i % 3 == 0) {
			OK(td_store_set_state(s, id, TD_STATE_REPORTED, 0, NULL,
					      now + 61, E));
			OK(td_store_set_state(
			    s, id, TD_STATE_MITIGATED, TD_MIT_SUSPENDED, NULL,
			    now + 3600 + (long long)(i % 50) * 977, E));
			events += 2;
		}
		ev.case_id = id;
		ev.kind = TD_EV_CHECK;
		ev.detail = (char *)"HTTP 200, form present";
		for (j = 0; j < NOTES; j++) {
			ev.at = now + 120 + j;
			OK(td_store_event_add(NULL, s, &ev, E));
		}
		events += NOTES;
	}
	OK(td_store_commit(s, E));
	print_message("# scale: %d cases, %lld events in one transaction: "
		      "%.2f s\n",
		      CASES, events, seconds_since(&t0));
	assert_true(events >= 10 * CASES);

	td_store_close(s);
	s = open_ok(t->path);

	memset(&f, 0, sizeof(f));
	f.states = 1u << TD_STATE_OPEN | 1u << TD_STATE_REPORTED |
		   1u << TD_STATE_MITIGATED;
	f.provider = "host 7";
	f.created_before = T0 + (long long)CASES * 600 - 30 * DAY;
	f.limit = 50;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	OK(td_store_case_list(&v, &nr, s, &f, E));
	print_message("# scale: list state+provider+age, limit 50: %zu cases "
		      "in %.1f ms\n",
		      nr, seconds_since(&t0) * 1000);
	assert_int_equal(nr, 50);
	assert_true(v[0].id > v[49].id);
	td_store_case_list_free(v, nr);

	memset(&f, 0, sizeof(f));
	f.states = 1u << TD_STATE_MITIGATED;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	OK(td_store_case_count(&n, s, &f, E));
	print_message("# scale: count mitigated: %lld in %.1f ms\n", n,
		      seconds_since(&t0) * 1000);
	assert_int_equal(n, (CASES + 2) / 3);

	memset(&f, 0, sizeof(f));
	f.label = "campaign-3";
	f.limit = 20;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	OK(td_store_case_list(&v, &nr, s, &f, E));
	print_message("# scale: list by label, limit 20: %zu in %.1f ms\n", nr,
		      seconds_since(&t0) * 1000);
	assert_int_equal(nr, 20);
	td_store_case_list_free(v, nr);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	OK(td_store_stats_list(&st, &nr, s, NULL, E));
	print_message("# scale: stats for %zu providers in %.1f ms\n", nr,
		      seconds_since(&t0) * 1000);
	assert_int_equal(nr, 97 + 13);
	/* registrars come first (more cases) but were never written to */
	assert_int_equal(st[0].role, TD_ROLE_REGISTRAR);
	assert_int_equal(st[0].down_median, -1);
	assert_int_equal(st[nr - 1].role, TD_ROLE_HOST);
	assert_true(st[nr - 1].mitigated > 0);
	assert_true(st[nr - 1].down_median >= 3600);
	td_store_stats_list_free(st, nr);
	td_store_close(s);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(store_open_creates_private_file),
	    T(store_case_new_numbers_tags_per_year),
	    T(store_state_machine_allows_and_refuses),
	    T(store_state_change_keeps_its_facts),
	    T(store_escalated_and_kind_recorded),
	    T(store_labels_added_listed_removed),
	    T(store_urls_and_mails_kept_once),
	    T(store_parties_one_per_provider_and_role),
	    T(store_evidence_round_trip),
	    T(store_message_draft_claim_send),
	    T(store_message_sent_twice_impossible),
	    T(store_received_matched_or_kept),
	    T(store_events_are_append_only),
	    T(store_transactions_all_or_nothing),
	    T(store_locked_writer_times_out),
	    T(store_case_list_filters),
	    T(store_stats_exact_durations),
	    T(store_stats_exact_through_histogram),
	    T(store_reopen_keeps_everything),
	    T(store_overlong_values_refused),
	    T(store_corrupt_file_refused),
	    T(store_damaged_pages_fail_cleanly),
	    T(store_foreign_or_newer_file_refused),
	    T(store_read_only_file_refused),
	    T(store_names_round_trip),
	    T(store_release_functions_accept_empty),
	    T(store_scale_check),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
