#ifndef TD_CASEVIEW_H
#define TD_CASEVIEW_H

#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "store.h"

/*
 * What the case-browsing commands (list, show, close, state, label,
 * export) share: opening the store, turning the user's filter words into
 * a struct td_store_filter, ages ("2d", "48h", "90m"), times, a case's
 * URLs, labels and parties read in one go, the one-line summary of a
 * case, and CSV cells that a spreadsheet cannot execute.  Nothing here
 * prints; everything appends to a struct td_buf.
 */

/*
 * Open the case store at path, or at cases.sqlite in the data folder when
 * path is NULL.  With create 0 a missing file is not created: that
 * returns TD_ENOTFOUND ("no case store yet"), so that reading commands
 * leave no empty store behind.  Returns 0 with the handle in *out (close
 * it with td_store_close()), or a negative code with err filled.
 */
int td_caseview_open(struct td_store **out, const char *path, int create,
		     struct td_error *err);

/*
 * Parse an age: decimal digits and one unit, s (seconds), m (minutes),
 * h (hours), d (days) or w (weeks): "90m", "48h", "2d".  At most 100
 * years; no sign, no spaces, no bare number.  Returns 0 with the seconds
 * in *out, or TD_EINVAL (*out unchanged).
 */
int td_caseview_parse_age(long long *out, const char *s);

/*
 * Append a short age for humans: "45s", "12m", "5h", "3d" (whole units,
 * rounded down; days from 48 hours on), or "-" when secs < 0 (a time in
 * the future).  Returns 0 or a negative td_buf code.
 */
int td_caseview_age(struct td_buf *out, long long secs);

/*
 * Append UTC seconds t as "2026-11-27 07:30:00Z", or "-" when t <= 0.
 * Returns 0 or a negative td_buf code.
 */
int td_caseview_time(struct td_buf *out, long long t);

/*
 * Append s (len bytes) as one CSV field (RFC 4180, section 2): enclosed
 * in double quotes, with each quote doubled, when it holds a comma, a
 * quote, CR or LF (or starts or ends with a space).  A value starting
 * with = + - @ TAB or CR is prefixed with a single quote inside the field
 * so that a spreadsheet shows it as text instead of evaluating it (OWASP
 * "CSV injection").  Invalid UTF-8 becomes U+FFFD and NUL bytes are
 * dropped.  NULL appends an empty field.  Returns 0 or a negative td_buf
 * code.
 */
int td_csv_cell(struct td_buf *out, const char *s, size_t len);

/*
 * Append a provider name shortened for a list column: cut at the first
 * comma or " (", a trailing company form dropped ("Inc.", "LLC", "Ltd",
 * "GmbH", ...), then at most max bytes (ending in "..." when cut), all
 * escaped for the terminal.  Returns 0 or a negative td_buf code.
 */
int td_caseview_short_name(struct td_buf *out, const char *name, size_t max);

/*
 * The filter words as the user gave them (any may be NULL or empty).
 * role/provider select a party; registrar NAME is role registrar and
 * provider NAME together.  older_than and newer_than are ages.  Unless
 * all is set or states are named, closed cases are left out.
 */
struct td_caseview_query {
	const char *const *states;
	size_t nr_states;
	const char *const *kinds;
	size_t nr_kinds;
	const char *role;
	const char *provider;
	const char *registrar;
	const char *domain;
	const char *label;
	const char *older_than;
	const char *newer_than;
	int escalated;
	int all;
};

/*
 * Fill *out (zeroed first; cursor, limit and order left 0) from q, with
 * ages counted back from now.  The strings of *out borrow from q.
 * Returns 0, or TD_EINVAL with err naming the word that is wrong and the
 * words allowed (an unknown state, kind or role, a malformed age,
 * --registrar with a --provider or another --role).
 */
int td_caseview_filter(struct td_store_filter *out,
		       const struct td_caseview_query *q, long long now,
		       struct td_error *err);

/* A case's URLs, labels and parties, read together. */
struct td_caseview {
	struct td_store_url *urls;
	size_t nr_urls;
	char **labels;
	size_t nr_labels;
	struct td_store_party *parties;
	size_t nr_parties;
};

/*
 * Read the URLs, labels and parties of case_id into *out (zeroed first).
 * Returns 0 or a negative code; release *out with td_caseview_release()
 * in either case.
 */
int td_caseview_load(struct td_caseview *out, struct td_store *s,
		     long long case_id, struct td_error *err);
/* Free what v holds and zero it. */
void td_caseview_release(struct td_caseview *v);

/*
 * The host of the first URL (NULL when the case has none), and the
 * distinct domains of its URLs and names of its parties in role (in the
 * order added) joined with sep, appended to out (nothing for none).
 * Returns 0 or a negative td_buf code.
 */
const char *td_caseview_first_host(const struct td_caseview *v);
int td_caseview_domains(struct td_buf *out, const struct td_caseview *v,
			const char *sep);
int td_caseview_party_names(struct td_buf *out, const struct td_caseview *v,
			    enum td_party_role role, const char *sep);

/*
 * Append the one-line summary of case c (with v loaded for it) as
 * `takedown list` prints it, escaped for the terminal and ending in a
 * newline: tag, state, kind, age at now, first URL's host, "esc" when
 * escalated, labels, the short names of the parties that can act on the
 * site (blocklists and law enforcement left out).  td_caseview_header()
 * appends the matching column titles.  Return 0 or a negative td_buf
 * code.
 */
int td_caseview_line(struct td_buf *out, const struct td_store_case *c,
		     const struct td_caseview *v, long long now);
int td_caseview_header(struct td_buf *out);

/* What a party's provenance JSON says (see cmd_report.c prov_json()). */
struct td_caseview_prov {
	char *source; /* "rdap", "whois", "data", "profile"... or NULL */
	char *server;
	char *query;
	char *when; /* as written, "2026-11-27T07:30:00Z" */
	int cached; /* 1 when it came from the lookup cache */
};

/*
 * Read provenance JSON (at most TD_STORE_MAX_JSON bytes) into *out
 * (zeroed first).  Members missing or not strings stay NULL.  Returns 0,
 * TD_EPARSE for text that is not a JSON object, or TD_ENOMEM; release
 * with td_caseview_prov_release() in every case.
 */
int td_caseview_prov_parse(struct td_caseview_prov *out, const char *json);
void td_caseview_prov_release(struct td_caseview_prov *p);

#endif
