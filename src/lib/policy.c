/*
 * The follow-up policy: the file, durations and the decisions.  See
 * policy.h and docs/policy.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "policy.h"
#include "banned.h"

#define MAX_FILE (64u << 10)
#define MAX_VALUE 1000

void
td_policy_init(struct td_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->followup_after = 48 * 3600;
	p->escalate_after = 5 * 86400;
	p->max_followups = 2;
	p->quiet_after_ack = 72 * 3600;
	p->ladder[p->nr_ladder++] = TD_ROLE_REGISTRANT;
	p->ladder[p->nr_ladder++] = TD_ROLE_HOST;
	p->ladder[p->nr_ladder++] = TD_ROLE_REGISTRAR;
	p->ladder[p->nr_ladder++] = TD_ROLE_UPSTREAM;
	p->ladder[p->nr_ladder++] = TD_ROLE_LE;
}

/* ---- durations ------------------------------------------------------- */

static int
blank(char c)
{
	return c == ' ' || c == '\t';
}

int
td_policy_duration(long long *out, const char *s, size_t len)
{
	long long total = 0;
	size_t i = 0, groups = 0;

	*out = 0;
	while (i < len && blank(s[i]))
		i++;
	while (len > i && blank(s[len - 1]))
		len--;
	if (len - i == 1 && s[i] == '0')
		return 0;
	while (i < len) {
		long long n = 0, unit;
		size_t digits = 0;

		while (i < len && s[i] >= '0' && s[i] <= '9') {
			n = n * 10 + (s[i] - '0');
			if (n > TD_POLICY_MAX_DURATION)
				return TD_EPARSE;
			i++;
			digits++;
		}
		if (!digits || i >= len)
			return TD_EPARSE;
		switch (s[i]) {
		case 's':
			unit = 1;
			break;
		case 'm':
			unit = 60;
			break;
		case 'h':
			unit = 3600;
			break;
		case 'd':
			unit = 86400;
			break;
		case 'w':
			unit = 7 * 86400;
			break;
		default:
			return TD_EPARSE;
		}
		i++;
		total += n * unit;
		if (total > TD_POLICY_MAX_DURATION)
			return TD_EPARSE;
		groups++;
		while (i < len && blank(s[i]))
			i++;
	}
	if (!groups)
		return TD_EPARSE;
	*out = total;
	return 0;
}

void
td_policy_duration_text(struct td_buf *out, long long secs)
{
	static const struct {
		long long secs;
		char unit;
	} units[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
	size_t i;

	if (secs < 0)
		secs = -secs;
	if (!secs) {
		td_buf_adds(out, "0s");
		return;
	}
	for (i = 0; i < 4; i++) {
		long long n = secs / units[i].secs, rest;

		if (!n)
			continue;
		td_buf_printf(out, "%lld%c", n, units[i].unit);
		rest = secs - n * units[i].secs;
		if (i < 3 && rest / units[i + 1].secs)
			td_buf_printf(out, " %lld%c", rest / units[i + 1].secs,
				      units[i + 1].unit);
		return;
	}
}

/* ---- the ladder ------------------------------------------------------ */

static const struct {
	const char *name;
	enum td_party_role role;
} rungs[] = {
    {"owner", TD_ROLE_REGISTRANT},
    {"registrant", TD_ROLE_REGISTRANT},
    {"host", TD_ROLE_HOST},
    {"cdn", TD_ROLE_CDN},
    {"platform", TD_ROLE_PLATFORM},
    {"registrar", TD_ROLE_REGISTRAR},
    {"registry", TD_ROLE_REGISTRY},
    {"upstream", TD_ROLE_UPSTREAM},
    {"le", TD_ROLE_LE},
};
#define NR_RUNGS (sizeof(rungs) / sizeof(rungs[0]))

const char *
td_policy_rung_name(enum td_party_role role)
{
	size_t i;

	for (i = 0; i < NR_RUNGS; i++)
		if (rungs[i].role == role)
			return rungs[i].name;
	return td_store_role_name(role);
}

int
td_policy_rung(const struct td_policy *p, enum td_party_role role)
{
	size_t i;

	for (i = 0; i < p->nr_ladder; i++)
		if (p->ladder[i] == role)
			return (int)i;
	if (role == TD_ROLE_CDN || role == TD_ROLE_PLATFORM)
		return td_policy_rung(p, TD_ROLE_HOST);
	return -1;
}

/* "owner, host, registrar" (commas and/or blanks between names). */
static int
parse_ladder(struct td_policy *p, const char *s, size_t len, char *why,
	     size_t whylen)
{
	size_t i = 0, k;

	p->nr_ladder = 0;
	while (i < len) {
		size_t start;

		while (i < len && (blank(s[i]) || s[i] == ','))
			i++;
		if (i >= len)
			break;
		start = i;
		while (i < len && !blank(s[i]) && s[i] != ',')
			i++;
		for (k = 0; k < NR_RUNGS; k++)
			if (strlen(rungs[k].name) == i - start &&
			    !memcmp(rungs[k].name, s + start, i - start))
				break;
		if (k == NR_RUNGS) {
			snprintf(why, whylen,
				 "ladder: unknown role \"%.*s\" (owner, host, "
				 "cdn, platform, registrar, registry, "
				 "upstream, le)",
				 (int)(i - start > 40 ? 40 : i - start),
				 s + start);
			return -1;
		}
		if (td_policy_rung(p, rungs[k].role) >= 0 &&
		    p->ladder[td_policy_rung(p, rungs[k].role)] ==
			rungs[k].role) {
			snprintf(why, whylen, "ladder: %s is named twice",
				 rungs[k].name);
			return -1;
		}
		if (p->nr_ladder >= TD_POLICY_MAX_LADDER) {
			snprintf(why, whylen, "ladder: more than %d roles",
				 TD_POLICY_MAX_LADDER);
			return -1;
		}
		p->ladder[p->nr_ladder++] = rungs[k].role;
	}
	if (!p->nr_ladder) {
		snprintf(why, whylen, "ladder: no role given");
		return -1;
	}
	return 0;
}

/* ---- the file -------------------------------------------------------- */

static const char *const keys[] = {"followup_after", "escalate_after",
				   "max_followups",  "quiet_after_ack",
				   "ladder",	     NULL};

static int
clean(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] < 0x20 && s[i] != '\t') ||
		    s[i] == 0x7f)
			return 0;
	return 1;
}

/* Set key k from v[0..n); 0, or -1 with why filled. */
static int
set_key(struct td_policy *p, size_t k, const char *v, size_t n, char *why,
	size_t whylen)
{
	long long d;
	unsigned long m = 0;
	size_t i;

	switch (k) {
	case 0:
	case 1:
	case 3:
		if (td_policy_duration(&d, v, n) < 0) {
			snprintf(why, whylen,
				 "%s: \"%.*s\" is not a duration (e.g. 48h, "
				 "5d, 1d12h; units s m h d w; at most 366d)",
				 keys[k], (int)(n > 40 ? 40 : n), v);
			return -1;
		}
		if (d == 0 && k != 3) {
			snprintf(why, whylen, "%s: must be more than 0",
				 keys[k]);
			return -1;
		}
		if (k == 0)
			p->followup_after = d;
		else if (k == 1)
			p->escalate_after = d;
		else
			p->quiet_after_ack = d;
		return 0;
	case 2:
		for (i = 0; i < n && m <= TD_POLICY_MAX_FOLLOWUPS; i++) {
			if (v[i] < '0' || v[i] > '9')
				break;
			m = m * 10 + (unsigned long)(v[i] - '0');
		}
		if (!n || i < n || m > TD_POLICY_MAX_FOLLOWUPS) {
			snprintf(why, whylen,
				 "max_followups: \"%.*s\" is not a number "
				 "from 0 to %d",
				 (int)(n > 40 ? 40 : n), v,
				 TD_POLICY_MAX_FOLLOWUPS);
			return -1;
		}
		p->max_followups = (unsigned)m;
		return 0;
	default:
		return parse_ladder(p, v, n, why, whylen);
	}
}

int
td_policy_parse(struct td_policy *p, const char *text, size_t len,
		const char *name, struct td_error *err)
{
	const char *s = text, *end = text + len;
	unsigned line = 0, seen[5] = {0, 0, 0, 0, 0};
	struct td_policy q = *p;
	char why[300];

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end, *k = s, *eq, *ke, *v, *ve;
		size_t i;

		line++;
		s = nl ? nl + 1 : end;
		while (k < e && blank(*k))
			k++;
		ve = e;
		if (ve > k && ve[-1] == '\r')
			ve--;
		if (k == ve || *k == '#')
			continue;
		if (!clean(k, (size_t)(ve - k)))
			return td_error_set(err, TD_EPARSE,
					    "%s:%u: a control character", name,
					    line);
		eq = memchr(k, '=', (size_t)(ve - k));
		if (!eq)
			return td_error_set(err, TD_EPARSE,
					    "%s:%u: no \"=\" in the line "
					    "(key = value)",
					    name, line);
		ke = eq;
		while (ke > k && blank(ke[-1]))
			ke--;
		v = eq + 1;
		while (v < ve && blank(*v))
			v++;
		while (ve > v && blank(ve[-1]))
			ve--;
		for (i = 0; keys[i]; i++)
			if (strlen(keys[i]) == (size_t)(ke - k) &&
			    !memcmp(keys[i], k, (size_t)(ke - k)))
				break;
		if (!keys[i])
			return td_error_set(
			    err, TD_EPARSE,
			    "%s:%u: unknown key \"%.*s\" (followup_after, "
			    "escalate_after, max_followups, quiet_after_ack, "
			    "ladder)",
			    name, line, (int)(ke - k > 40 ? 40 : ke - k), k);
		if (seen[i])
			return td_error_set(err, TD_EPARSE,
					    "%s:%u: %s is set twice (first on "
					    "line %u)",
					    name, line, keys[i], seen[i]);
		seen[i] = line;
		if ((size_t)(ve - v) > MAX_VALUE)
			return td_error_set(err, TD_EPARSE,
					    "%s:%u: %s: longer than %u bytes",
					    name, line, keys[i], MAX_VALUE);
		if (set_key(&q, i, v, (size_t)(ve - v), why, sizeof(why)) < 0)
			return td_error_set(err, TD_EPARSE, "%s:%u: %s", name,
					    line, why);
	}
	*p = q;
	return 0;
}

int
td_policy_load(struct td_policy *p, const char *path, struct td_error *err)
{
	struct td_buf b = TD_BUF_INIT;
	char chunk[4096];
	ssize_t n;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		return td_error_set(err, TD_EIO, "%s: %s", path,
				    strerror(errno));
	}
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (b.len + (size_t)n > MAX_FILE) {
			close(fd);
			td_buf_release(&b);
			return td_error_set(err, TD_ELIMIT,
					    "%s: larger than %u bytes", path,
					    MAX_FILE);
		}
		td_buf_add(&b, chunk, (size_t)n);
	}
	if (n < 0) {
		rc = td_error_set(err, TD_EIO, "%s: %s", path, strerror(errno));
		close(fd);
		td_buf_release(&b);
		return rc;
	}
	close(fd);
	if (td_buf_failed(&b)) {
		td_buf_release(&b);
		return td_error_set(err, TD_ENOMEM, "out of memory");
	}
	rc = td_policy_parse(p, b.ptr, b.len, path, err);
	td_buf_release(&b);
	return rc;
}

/* ---- decisions ------------------------------------------------------- */

static long long
max2(long long a, long long b)
{
	return a > b ? a : b;
}

void
td_policy_decide(struct td_due *out, const struct td_policy *p,
		 const struct td_due_facts *f, int can_escalate, long long now)
{
	long long ack = max2(f->last_human, f->case_acked);
	long long last = max2(f->last_sent, f->first_sent);
	long long fu_at, esc_at;
	int fu_ok = f->followups < p->max_followups;

	memset(out, 0, sizeof(*out));
	if (f->pending) {
		out->action = out->next = TD_DUE_PENDING;
		return;
	}
	if (f->escalated) {
		out->action = out->next = TD_DUE_DONE;
		return;
	}
	if (f->bounced) {
		out->action = out->next = TD_DUE_BOUNCED;
		out->at = f->bounced;
		return;
	}
	if (f->needs_info) {
		out->action = out->next = TD_DUE_WAIT;
		return;
	}
	fu_at = last + p->followup_after;
	if (ack)
		fu_at = max2(fu_at, ack + p->quiet_after_ack);
	esc_at = max2(f->first_sent, ack) + p->escalate_after;
	if (can_escalate && now >= esc_at) {
		out->action = out->next = TD_DUE_ESCALATE;
		out->at = esc_at;
		return;
	}
	if (fu_ok && now >= fu_at) {
		out->action = out->next = TD_DUE_FOLLOWUP;
		out->at = fu_at;
		return;
	}
	out->action = TD_DUE_WAIT;
	if (fu_ok && (!can_escalate || fu_at < esc_at)) {
		out->next = TD_DUE_FOLLOWUP;
		out->at = fu_at;
	} else if (can_escalate) {
		out->next = TD_DUE_ESCALATE;
		out->at = esc_at;
	} else {
		out->action = out->next = TD_DUE_DONE;
	}
}

static void
ago(struct td_buf *out, long long t, long long now)
{
	if (t > now) {
		td_buf_adds(out, "in ");
		td_policy_duration_text(out, t - now);
	} else {
		td_policy_duration_text(out, now - t);
		td_buf_adds(out, " ago");
	}
}

void
td_policy_reason(struct td_buf *out, const struct td_due_facts *f,
		 long long now)
{
	td_buf_adds(out, "sent ");
	ago(out, f->first_sent, now);
	if (f->followups) {
		td_buf_printf(out, ", %u follow-up%s", f->followups,
			      f->followups == 1 ? "" : "s");
		if (f->last_sent > f->first_sent) {
			td_buf_adds(out, ", the last sent ");
			ago(out, f->last_sent, now);
		}
	}
	if (f->bounced) {
		td_buf_adds(out, ", the address bounced ");
		ago(out, f->bounced, now);
	} else if (f->last_human) {
		td_buf_adds(out, ", answered ");
		ago(out, f->last_human, now);
	} else if (f->last_auto) {
		td_buf_adds(out, ", only an auto-response");
	} else {
		td_buf_adds(out, ", no answer");
	}
	if (f->case_acked && !f->last_human)
		td_buf_adds(out, ", the case is acknowledged");
	if (f->needs_info)
		td_buf_adds(out, ", the case waits for information from you");
}

int
td_policy_next(const struct td_policy *p, enum td_party_role from,
	       const enum td_party_role *roles, const int *usable, size_t nr,
	       int malicious)
{
	int r0 = td_policy_rung(p, from), best = -1, best_rung = 0;
	size_t i;

	for (i = 0; i < nr; i++) {
		int r = td_policy_rung(p, roles[i]);

		if (r < 0 || r <= r0 || !usable[i])
			continue;
		if (malicious && roles[i] == TD_ROLE_REGISTRANT)
			continue;
		if (best < 0 || r < best_rung) {
			best = (int)i;
			best_rung = r;
		}
	}
	return best;
}
