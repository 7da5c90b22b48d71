/*
 * caseview: what the case-browsing commands share.  See caseview.h.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "caseview.h"
#include "classify.h"
#include "paths.h"
#include "term.h"
#include "banned.h"

#define AGE_MAX (100LL * 366 * 86400)

int
td_caseview_open(struct td_store **out, const char *path, int create,
		 struct td_error *err)
{
	char *p = path ? strdup(path) : td_path_data("cases.sqlite");
	struct stat st;
	int rc;

	*out = NULL;
	if (!p)
		return td_error_set(err, errno == ENOMEM ? TD_ENOMEM : TD_EIO,
				    "no data folder (set TAKEDOWN_HOME or "
				    "HOME)");
	if (!create && stat(p, &st) < 0 && errno == ENOENT) {
		rc = td_error_set(err, TD_ENOTFOUND,
				  "%s: no case store yet (takedown report "
				  "makes one)",
				  p);
		free(p);
		return rc;
	}
	rc = td_store_open(out, p, err);
	free(p);
	return rc;
}

int
td_caseview_parse_age(long long *out, const char *s)
{
	long long v = 0, unit;
	const char *p = s;

	if (!s)
		return TD_EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (*p - '0');
		if (v > AGE_MAX)
			return TD_EINVAL;
	}
	if (p == s || !*p || p[1])
		return TD_EINVAL;
	switch (*p) {
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
		return TD_EINVAL;
	}
	if (v > AGE_MAX / unit)
		return TD_EINVAL;
	*out = v * unit;
	return 0;
}

int
td_caseview_age(struct td_buf *out, long long secs)
{
	if (secs < 0)
		return td_buf_addch(out, '-');
	if (secs < 60)
		return td_buf_printf(out, "%llds", secs);
	if (secs < 3600)
		return td_buf_printf(out, "%lldm", secs / 60);
	if (secs < 48 * 3600)
		return td_buf_printf(out, "%lldh", secs / 3600);
	return td_buf_printf(out, "%lldd", secs / 86400);
}

int
td_caseview_time(struct td_buf *out, long long t)
{
	char s[40];
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || !gmtime_r(&tt, &tm) ||
	    !strftime(s, sizeof(s), "%Y-%m-%d %H:%M:%SZ", &tm))
		return td_buf_addch(out, '-');
	return td_buf_adds(out, s);
}

int
td_csv_cell(struct td_buf *out, const char *s, size_t len)
{
	struct td_buf clean = TD_BUF_INIT;
	size_t i;
	int quote = 0;

	if (!s)
		return 0;
	if (td_utf8_sanitize(&clean, s, len) < 0) {
		td_buf_release(&clean);
		return TD_ENOMEM;
	}
	for (i = 0; i < clean.len; i++) {
		char c = clean.ptr[i];

		if (c == ',' || c == '"' || c == '\r' || c == '\n')
			quote = 1;
	}
	if (clean.len &&
	    (clean.ptr[0] == ' ' || clean.ptr[clean.len - 1] == ' '))
		quote = 1;
	if (quote)
		td_buf_addch(out, '"');
	/*
	 * OWASP "CSV injection": spreadsheets evaluate a cell starting with
	 * these as a formula (=HYPERLINK(...), +cmd|..., -2+3, @SUM(...)),
	 * and some skip a leading TAB or CR before deciding.
	 */
	if (clean.len && strchr("=+-@\t\r", clean.ptr[0]))
		td_buf_addch(out, '\'');
	for (i = 0; i < clean.len; i++) {
		if (clean.ptr[i] == '"')
			td_buf_addch(out, '"');
		td_buf_addch(out, clean.ptr[i]);
	}
	if (quote)
		td_buf_addch(out, '"');
	td_buf_release(&clean);
	return td_buf_failed(out) ? TD_ENOMEM : 0;
}

/* Company forms dropped from the end of a short name (ASCII case ignored). */
static const char *const company_forms[] = {
    " inc.",   " inc",	 " llc",  " l.l.c.", " ltd.", " ltd",  " limited",
    " gmbh",   " corp.", " corp", " co.",    " s.a.", " sa",   " sas",
    " s.r.l.", " srl",	 " b.v.", " bv",     " ag",   " plc",  " oy",
    " ab",     " as",	 " pty",  " pte",    " kk",   " sarl", NULL,
};

int
td_caseview_short_name(struct td_buf *out, const char *name, size_t max)
{
	size_t len, i, start = out->len;
	const char *cut;
	int changed = 1;

	if (!name)
		return td_buf_addch(out, '-');
	len = strlen(name);
	cut = strchr(name, ',');
	if (cut)
		len = (size_t)(cut - name);
	cut = strstr(name, " (");
	if (cut && (size_t)(cut - name) < len)
		len = (size_t)(cut - name);
	while (changed) {
		changed = 0;
		while (len && (name[len - 1] == ' ' || name[len - 1] == '.' ||
			       name[len - 1] == ','))
			len--;
		for (i = 0; company_forms[i]; i++) {
			size_t n = strlen(company_forms[i]);

			if (len > n &&
			    !strncasecmp(name + len - n, company_forms[i], n)) {
				len -= n;
				changed = 1;
				break;
			}
		}
	}
	if (!len)
		len = strlen(name);
	td_term_escape(out, name, len, 0);
	if (max > 3 && out->len - start > max) {
		td_buf_truncate(out, start + max - 3);
		td_buf_adds(out, "...");
	}
	return td_buf_failed(out) ? TD_ENOMEM : 0;
}

static void
name_list(char *out, size_t outlen, const char *const *names, int nr)
{
	size_t used = 0;
	int i, n;

	out[0] = '\0';
	for (i = 0; i < nr; i++) {
		if (!names[i])
			continue;
		n = snprintf(out + used, outlen - used, "%s%s",
			     used ? ", " : "", names[i]);
		if (n < 0 || (size_t)n >= outlen - used)
			break;
		used += (size_t)n;
	}
}

/* A user's word, cut and escaped for an error message. */
static const char *
quote_word(char *buf, size_t len, const char *w)
{
	struct td_buf b = TD_BUF_INIT;

	td_term_escape(&b, w, strnlen(w, 64), 0);
	snprintf(buf, len, "%s", td_buf_failed(&b) ? "?" : b.ptr);
	td_buf_release(&b);
	return buf;
}

int
td_caseview_filter(struct td_store_filter *out,
		   const struct td_caseview_query *q, long long now,
		   struct td_error *err)
{
	const char *names[TD_ROLE_NR + 1];
	char list[256], w[300];
	long long age;
	size_t i;
	int v;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < q->nr_states; i++) {
		if (!strcmp(q->states[i], "active")) {
			out->states |= ((1u << TD_STATE_NR) - 1) &
				       ~(1u << TD_STATE_CLOSED) &
				       ~(1u << TD_STATE_MITIGATED);
			continue;
		}
		v = td_store_state_parse(q->states[i]);
		if (v < 0) {
			for (v = 0; v < TD_STATE_NR; v++)
				names[v] = td_store_state_name(v);
			name_list(list, sizeof(list), names, TD_STATE_NR);
			return td_error_set(
			    err, TD_EINVAL,
			    "--state %s: no such state (%s, "
			    "or active)",
			    quote_word(w, sizeof(w), q->states[i]), list);
		}
		out->states |= 1u << v;
	}
	if (!q->nr_states && !q->all)
		out->states =
		    ((1u << TD_STATE_NR) - 1) & ~(1u << TD_STATE_CLOSED);
	for (i = 0; i < q->nr_kinds; i++) {
		for (v = 0; v <= TD_KIND_MALICIOUS; v++)
			if (!strcmp(q->kinds[i], td_case_kind_name(v)))
				break;
		if (v > TD_KIND_MALICIOUS)
			return td_error_set(
			    err, TD_EINVAL,
			    "--kind %s: no such kind "
			    "(unknown, compromised, "
			    "malicious)",
			    quote_word(w, sizeof(w), q->kinds[i]));
		out->kinds |= 1u << v;
	}
	if (q->role && *q->role) {
		v = td_store_role_parse(q->role);
		if (v <= TD_ROLE_NONE) {
			for (v = 1; v < TD_ROLE_NR; v++)
				names[v - 1] = td_store_role_name(v);
			name_list(list, sizeof(list), names, TD_ROLE_NR - 1);
			return td_error_set(
			    err, TD_EINVAL, "--role %s: no such role (%s)",
			    quote_word(w, sizeof(w), q->role), list);
		}
		out->role = v;
	}
	if (q->provider && *q->provider)
		out->provider = q->provider;
	if (q->registrar && *q->registrar) {
		if (out->provider ||
		    (out->role && out->role != TD_ROLE_REGISTRAR))
			return td_error_set(err, TD_EINVAL,
					    "--registrar NAME is --role "
					    "registrar --provider NAME: give "
					    "one or the other");
		out->role = TD_ROLE_REGISTRAR;
		out->provider = q->registrar;
	}
	if (q->domain && *q->domain)
		out->domain = q->domain;
	if (q->label && *q->label)
		out->label = q->label;
	out->escalated = q->escalated ? 1 : 0;
	if (q->older_than) {
		if (td_caseview_parse_age(&age, q->older_than) < 0)
			return td_error_set(
			    err, TD_EINVAL,
			    "--older-than %s: not an age "
			    "(e.g. 90m, 48h, 2d, 3w)",
			    quote_word(w, sizeof(w), q->older_than));
		/* created < now - age; never 0, which means "no bound" */
		out->created_before = now - age > 0 ? now - age : 1;
	}
	if (q->newer_than) {
		if (td_caseview_parse_age(&age, q->newer_than) < 0)
			return td_error_set(
			    err, TD_EINVAL,
			    "--newer-than %s: not an age "
			    "(e.g. 90m, 48h, 2d, 3w)",
			    quote_word(w, sizeof(w), q->newer_than));
		out->created_after = now - age > 0 ? now - age : 1;
	}
	return 0;
}

int
td_caseview_load(struct td_caseview *out, struct td_store *s, long long case_id,
		 struct td_error *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = td_store_url_list(&out->urls, &out->nr_urls, s, case_id, err);
	if (!rc)
		rc = td_store_label_list(&out->labels, &out->nr_labels, s,
					 case_id, err);
	if (!rc)
		rc = td_store_party_list(&out->parties, &out->nr_parties, s,
					 case_id, err);
	return rc;
}

void
td_caseview_release(struct td_caseview *v)
{
	td_store_url_list_free(v->urls, v->nr_urls);
	td_store_strings_free(v->labels, v->nr_labels);
	td_store_party_list_free(v->parties, v->nr_parties);
	memset(v, 0, sizeof(*v));
}

const char *
td_caseview_first_host(const struct td_caseview *v)
{
	return v->nr_urls ? v->urls[0].host : NULL;
}

int
td_caseview_domains(struct td_buf *out, const struct td_caseview *v,
		    const char *sep)
{
	size_t i, j, n = 0;

	for (i = 0; i < v->nr_urls; i++) {
		const char *d = v->urls[i].domain;

		if (!d)
			continue;
		for (j = 0; j < i; j++)
			if (v->urls[j].domain &&
			    !strcasecmp(v->urls[j].domain, d))
				break;
		if (j < i)
			continue;
		if (n++)
			td_buf_adds(out, sep);
		td_buf_adds(out, d);
	}
	return td_buf_failed(out) ? TD_ENOMEM : 0;
}

int
td_caseview_party_names(struct td_buf *out, const struct td_caseview *v,
			enum td_party_role role, const char *sep)
{
	size_t i, n = 0;

	for (i = 0; i < v->nr_parties; i++) {
		if (v->parties[i].role != role)
			continue;
		if (n++)
			td_buf_adds(out, sep);
		td_buf_adds(out, v->parties[i].name);
	}
	return td_buf_failed(out) ? TD_ENOMEM : 0;
}

/* Append escaped s, padded or cut to width w (escaped text is ASCII). */
static void
column(struct td_buf *out, const char *s, size_t w)
{
	size_t start = out->len, n;

	td_term_escape(out, s ? s : "-", strlen(s ? s : "-"), 0);
	n = out->len - start;
	if (n > w) {
		td_buf_truncate(out, start + w - 3);
		td_buf_adds(out, "...");
		n = w;
	}
	for (; n < w + 2; n++)
		td_buf_addch(out, ' ');
}

int
td_caseview_header(struct td_buf *out)
{
	td_buf_printf(out, "%-16s%-19s%-13s%5s  %-32s  %-3s  %s\n", "CASE",
		      "STATE", "KIND", "AGE", "HOST", "ESC",
		      "LABELS / PARTIES");
	return td_buf_failed(out) ? TD_ENOMEM : 0;
}

int
td_caseview_line(struct td_buf *out, const struct td_store_case *c,
		 const struct td_caseview *v, long long now)
{
	struct td_buf age = TD_BUF_INIT;
	size_t i, j, shown = 0;

	column(out, c->tag, 14);
	column(out, td_store_state_name(c->state), 17);
	column(out, td_case_kind_name(c->kind), 11);
	td_caseview_age(&age, now - c->created);
	td_buf_printf(out, "%5s  ", td_buf_failed(&age) ? "?" : age.ptr);
	td_buf_release(&age);
	column(out, td_caseview_first_host(v), 32);
	td_buf_adds(out, c->escalated ? "esc  " : "-    ");
	for (i = 0; i < v->nr_labels; i++) {
		td_buf_addch(out, '#');
		td_term_escape(out, v->labels[i], strlen(v->labels[i]), 0);
		td_buf_addch(out, ' ');
	}
	for (i = 0; i < v->nr_parties; i++) {
		/* who can act on the site: not the blocklists and LE every
		   case is sent to; one name once, whatever its roles */
		if (v->parties[i].role == TD_ROLE_BLOCKLIST ||
		    v->parties[i].role == TD_ROLE_LE)
			continue;
		for (j = 0; j < i; j++)
			if (!strcasecmp(v->parties[j].name, v->parties[i].name))
				break;
		if (j < i)
			continue;
		if (shown == 4) {
			td_buf_adds(out, " +more");
			break;
		}
		if (shown++)
			td_buf_adds(out, ", ");
		td_caseview_short_name(out, v->parties[i].name, 24);
	}
	while (out->len && out->ptr[out->len - 1] == ' ')
		td_buf_truncate(out, out->len - 1);
	td_buf_addch(out, '\n');
	return td_buf_failed(out) ? TD_ENOMEM : 0;
}

static char *
member(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? strdup(json_string_value(v)) : NULL;
}

int
td_caseview_prov_parse(struct td_caseview_prov *out, const char *json)
{
	json_error_t je;
	json_t *o;
	size_t len;

	memset(out, 0, sizeof(*out));
	if (!json)
		return TD_EPARSE;
	len = strnlen(json, (size_t)TD_STORE_MAX_JSON + 1);
	if (len > TD_STORE_MAX_JSON)
		return TD_EPARSE;
	o = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
	if (!o)
		return TD_EPARSE;
	if (!json_is_object(o)) {
		json_decref(o);
		return TD_EPARSE;
	}
	out->source = member(o, "source");
	out->server = member(o, "server");
	out->query = member(o, "query");
	out->when = member(o, "when");
	out->cached = json_is_true(json_object_get(o, "cached"));
	json_decref(o);
	return 0;
}

void
td_caseview_prov_release(struct td_caseview_prov *p)
{
	free(p->source);
	free(p->server);
	free(p->query);
	free(p->when);
	memset(p, 0, sizeof(*p));
}
