/*
 * RDAP answers into struct td_record: every RDAP answer of the shared
 * corpus (read in place from $TD_CORPUS; the data keep their licences,
 * see each folder's SOURCE.md), the oracles there (ICANN's gTLD WHOIS
 * rendering, 20c/rdap's expected e-mails and normalised contacts), facts
 * read off the answers by hand, and hostile input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "rdap.h"
#include "banned.h"

/* ---- helpers ---- */

#include "corpus.h"

/* Parse corpus file rel (relative to the corpus) into r; returns rc. */
static int
parse_rel(struct td_record *r, const char *rel)
{
	char path[1024];
	struct td_error err = {0};
	size_t len;
	char *s;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", corpus_dir(), rel);
	s = slurp(path, &len);
	if (!s) {
		print_message("# cannot read %s\n", path);
		fail();
	}
	td_record_init(r);
	rc = td_rdap_parse(r, s, len, NULL, &err);
	if (rc)
		print_message("# %s: %s\n", rel, err.msg);
	free(s);
	return rc;
}

static void
parse_ok(struct td_record *r, const char *rel)
{
	assert_int_equal(parse_rel(r, rel), 0);
}

static int
parse_str(struct td_record *r, const char *json)
{
	struct td_error err = {0};
	int rc;

	td_record_init(r);
	rc = td_rdap_parse(r, json, strlen(json), "https://rdap.example/x",
			   &err);
	if (rc)
		assert_true(err.msg[0] != '\0');
	return rc;
}

static int
has_note(const struct td_record *r, const char *part)
{
	size_t i;

	for (i = 0; i < r->nr_notes; i++)
		if (strstr(r->notes[i], part))
			return 1;
	return 0;
}

static int
has_str(char **list, size_t nr, const char *s)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (!strcmp(list[i], s))
			return 1;
	return 0;
}

static const struct td_contact *
contact(const struct td_record *r, const char *role)
{
	size_t i;

	for (i = 0; i < r->nr_contacts; i++)
		if (!strcmp(r->contacts[i].role, role))
			return &r->contacts[i];
	return NULL;
}

static int
has_email(const struct td_record *r, const char *email)
{
	size_t i;

	if (r->abuse_email && !strcasecmp(r->abuse_email, email))
		return 1;
	for (i = 0; i < r->nr_contacts; i++)
		if (r->contacts[i].email &&
		    !strcasecmp(r->contacts[i].email, email))
			return 1;
	return 0;
}

static void
str_eq(const char *got, const char *want)
{
	if (!want) {
		if (got)
			print_message("# expected NULL, got \"%s\"\n", got);
		assert_null(got);
		return;
	}
	if (!got)
		print_message("# expected \"%s\", got NULL\n", want);
	assert_non_null(got);
	assert_string_equal(got, want);
}

static void
print_notes(const char *name, const struct td_record *r)
{
	size_t i;

	for (i = 0; i < r->nr_notes; i++)
		print_message("#   %s note: %s\n", name, r->notes[i]);
}

/* ---- per-field agreement over every oracle ---- */

enum {
	F_REGISTRAR,
	F_IANA,
	F_CREATED,
	F_EXPIRES,
	F_ABUSE_EMAIL,
	F_ABUSE_PHONE,
	F_STATUS,
	F_EMAILS,
	F_NAME,
	F_ORG,
	F_NR
};

static const char *const field_names[F_NR] = {
    "registrar",   "iana id",  "created",	  "expires", "abuse e-mail",
    "abuse phone", "statuses", "contact e-mails", "name",    "org"};

/* [0]: oracles written by others (ICANN's rendering, 20c/rdap's expected
   output, the test's own walk of the JSON); [1]: facts read by hand */
static struct {
	unsigned agree, total;
} stats[2][F_NR];
static int by_hand;
static unsigned disagreements;

static void
tally(int field, const char *where, const char *want, const char *got,
      const char *why)
{
	int ok = (!want && !got) || (want && got && !strcmp(want, got));

	stats[by_hand][field].total++;
	if (ok) {
		stats[by_hand][field].agree++;
		return;
	}
	disagreements++;
	print_message("# DISAGREE %s: %s: oracle \"%s\", takedown \"%s\"%s%s\n",
		      where, field_names[field], want ? want : "(none)",
		      got ? got : "(none)", why ? ": " : "", why ? why : "");
}

/* ---- the whole corpus ---- */

static const char *const rdap_dirs[] = {
    "rdap-20c",	    "rdap-icann", "rdap-openrdap", "rdap-whodap",
    "rdap-whoisit", "rdap-bbot",  "ipwhois-rdap"};

static char **files;
static size_t nr_files;

static int
collect(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	const char *base = path + ftw->base;
	size_t n = strlen(path);

	if (type != FTW_F)
		return 0;
	if (strstr(path, "/bootstrap") || strstr(path, "/assignment/") ||
	    strstr(path, "/iana/") || strstr(path, "/whois-ip/"))
		return 0;
	if ((n > 5 && !strcmp(path + n - 5, ".json")) ||
	    (n > 6 && !strcmp(path + n - 6, ".input")) ||
	    !strcmp(base, "entity-1-VRSN") || !strcmp(base, "empty.html")) {
		files = realloc(files, (nr_files + 1) * sizeof(*files));
		assert_non_null(files);
		files[nr_files++] = strdup(path);
	}
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Files that are not RDAP answers and must give TD_EPARSE: malformed
 * JSON, HTML, `{}`, and 20c's normalised (not RDAP) domain input.
 */
static int
must_fail(const char *path)
{
	static const char *const bad[] = {
	    "misc/malformed.json",
	    "misc/empty.html",
	    "entity/BRI2.input",
	    "normalize/domain/20c.com.input",
	    "jcard/error_invalid_json.json",
	    "jcard/error_bad_property_parameters_2.json",
	    "jcard/error_bad_property_nest_depth.json"};
	size_t i, n = strlen(path), m;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = strlen(bad[i]);
		if (n >= m && !strcmp(path + n - m, bad[i]))
			return 1;
	}
	return 0;
}

/* A jCard file on its own is read as the vcardArray of an entity. */
static char *
wrap_jcard(const char *s, size_t len, size_t *out_len)
{
	struct td_buf b = TD_BUF_INIT;

	td_buf_adds(&b, "{\"objectClassName\": \"entity\", \"handle\": "
			"\"J\", \"roles\": [\"abuse\"], \"vcardArray\": ");
	td_buf_add(&b, s, len);
	td_buf_adds(&b, "\n}");
	return td_buf_detach(&b, out_len);
}

static void
rdap_corpus_every_answer_parses(void **state)
{
	char path[1024];
	size_t i, k, ok = 0, failed = 0, by_kind[5] = {0}, by_status[4] = {0};

	need_corpus("rdap-icann");
	for (k = 0; k < sizeof(rdap_dirs) / sizeof(rdap_dirs[0]); k++) {
		snprintf(path, sizeof(path), "%s/%s", corpus_dir(),
			 rdap_dirs[k]);
		assert_int_equal(nftw(path, collect, 16, FTW_PHYS), 0);
	}
	qsort(files, nr_files, sizeof(*files), cmp_str);
	for (i = 0; i < nr_files; i++) {
		struct td_record r;
		struct td_error err = {0};
		size_t len, wlen;
		char *s = slurp(files[i], &len), *w;
		const char *rel = files[i] + strlen(corpus_dir()) + 1;
		int rc;

		assert_non_null(s);
		if (strstr(files[i], "/jcard/")) {
			w = wrap_jcard(s, len, &wlen);
			free(s);
			s = w;
			len = wlen;
		}
		td_record_init(&r);
		rc = td_rdap_parse(&r, s, len, NULL, &err);
		if (rc) {
			print_message("# %-60s rc %d: %s\n", rel, rc, err.msg);
			assert_int_equal(rc, TD_EPARSE);
			if (!must_fail(files[i]))
				fail_msg("%s should parse", rel);
			failed++;
		} else {
			print_message("# %-60s %s %s%s%s\n", rel,
				      td_record_kind_name(r.kind),
				      td_record_status_name(r.status),
				      r.status_text ? ": " : "",
				      r.status_text ? r.status_text : "");
			if (must_fail(files[i]))
				fail_msg("%s should not parse", rel);
			/* RFC 7095 violations are noted, never fatal */
			if (strstr(files[i], "/jcard/error_"))
				assert_true(has_note(&r, "RFC 7095"));
			assert_string_equal(r.format, "rdap");
			/* anything found is of a known kind, but nameservers */
			if (r.status == TD_REC_FOUND &&
			    r.kind == TD_REC_UNKNOWN)
				assert_true(has_note(&r, "nameserver"));
			if (r.status != TD_REC_FOUND)
				assert_non_null(r.status_text);
			by_kind[r.kind]++;
			by_status[r.status]++;
			ok++;
		}
		td_record_release(&r);
		free(s);
	}
	print_message("# %zu files: %zu parsed (domain %zu, ip %zu, asn %zu, "
		      "entity %zu, other %zu; found %zu, not found %zu, rate "
		      "limited %zu, error %zu), %zu refused\n",
		      nr_files, ok, by_kind[TD_REC_DOMAIN], by_kind[TD_REC_IP],
		      by_kind[TD_REC_ASN], by_kind[TD_REC_ENTITY],
		      by_kind[TD_REC_UNKNOWN], by_status[TD_REC_FOUND],
		      by_status[TD_REC_NOT_FOUND],
		      by_status[TD_REC_RATE_LIMITED], by_status[TD_REC_ERROR],
		      failed);
	assert_true(ok >= 100);
	for (i = 0; i < nr_files; i++)
		free(files[i]);
	free(files);
	files = NULL;
	nr_files = 0;
}

/* ---- ICANN's gTLD WHOIS rendering (icann-rdap) as the oracle ---- */

struct gtld {
	char registrar[256], iana[32], abuse_email[256], abuse_phone[64];
	char created[64], expires[64], updated[64], domain[256];
	char *status[16];
	size_t nr_status;
	char *ns[16];
	size_t nr_ns;
};

/* The first "key: value" line of each key is kept. */
static void
take(const char *line, const char *key, const char *v, char *field, size_t size)
{
	if (!strcmp(line, key) && !field[0])
		snprintf(field, size, "%s", v);
}

static void
gtld_read(struct gtld *g, const char *path)
{
	char line[1024];
	FILE *f = fopen(path, "r");

	memset(g, 0, sizeof(*g));
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *v = strstr(line, ": ");
		size_t n;

		if (!v)
			continue;
		*v = '\0';
		v += 2;
		n = strlen(v);
		while (n && (v[n - 1] == '\n' || v[n - 1] == '\r' ||
			     v[n - 1] == ' '))
			v[--n] = '\0';
		if (!n)
			continue;
		take(line, "Domain Name", v, g->domain, sizeof(g->domain));
		take(line, "Registrar", v, g->registrar, sizeof(g->registrar));
		take(line, "Registrar IANA ID", v, g->iana, sizeof(g->iana));
		take(line, "Registrar Abuse Contact Email", v, g->abuse_email,
		     sizeof(g->abuse_email));
		take(line, "Registrar Abuse Contact Phone", v, g->abuse_phone,
		     sizeof(g->abuse_phone));
		take(line, "Creation Date", v, g->created, sizeof(g->created));
		take(line, "Registry Expiry Date", v, g->expires,
		     sizeof(g->expires));
		take(line, "Updated Date", v, g->updated, sizeof(g->updated));
		if (!strcmp(line, "Domain Status") && g->nr_status < 16)
			g->status[g->nr_status++] = strdup(v);
		if (!strcmp(line, "Name Server") && g->nr_ns < 16)
			g->ns[g->nr_ns++] = strdup(v);
	}
	fclose(f);
}

static void
gtld_release(struct gtld *g)
{
	size_t i;

	for (i = 0; i < g->nr_status; i++)
		free(g->status[i]);
	for (i = 0; i < g->nr_ns; i++)
		free(g->ns[i]);
}

static const char *
or_null(const char *s)
{
	return s && *s ? s : NULL;
}

static void
date_tally(int field, const char *where, const char *want, const char *got)
{
	char iso[32];

	if (!or_null(want)) {
		tally(field, where, NULL, got, NULL);
		return;
	}
	assert_int_equal(td_record_date(iso, sizeof(iso), want), 0);
	tally(field, where, iso, got, NULL);
}

static void
rdap_icann_gtld_rendering_agrees(void **state)
{
	static const char *const names[] = {"home.moscow", "lemonde.fr",
					    "microsoft.click"};
	size_t k, i;

	need_corpus("rdap-icann");
	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		struct td_record r;
		struct gtld g;
		char rel[256], path[1024], iana[32] = "", where[300];
		const char *phone;

		snprintf(path, sizeof(path),
			 "%s/rdap-icann/gtld-whois-rendering/%s-expected.gtld",
			 corpus_dir(), names[k]);
		gtld_read(&g, path);
		snprintf(rel, sizeof(rel),
			 "rdap-icann/gtld-whois-rendering/%s.json", names[k]);
		snprintf(where, sizeof(where), "icann %s", names[k]);
		parse_ok(&r, rel);
		print_notes(names[k], &r);
		assert_string_equal(r.domain, g.domain);

		tally(F_REGISTRAR, where, or_null(g.registrar), r.registrar,
		      NULL);
		if (r.registrar_iana_id >= 0)
			snprintf(iana, sizeof(iana), "%ld",
				 r.registrar_iana_id);
		if (g.iana[0])
			tally(F_IANA, where, g.iana, iana, NULL);
		else if (iana[0])
			print_message("# %s: IANA ID %s from the registrar "
				      "handle; the rendering shows none\n",
				      names[k], iana);
		tally(F_ABUSE_EMAIL, where, or_null(g.abuse_email),
		      r.abuse_email, NULL);
		phone = g.abuse_phone;
		if (!strncmp(phone, "tel:", 4))
			phone += 4;
		tally(F_ABUSE_PHONE, where, or_null(phone), r.abuse_phone,
		      NULL);
		date_tally(F_CREATED, where, g.created, r.created);
		date_tally(F_EXPIRES, where, g.expires, r.expires);

		/* statuses and name servers: the same sets */
		assert_int_equal(r.nr_statuses, g.nr_status);
		for (i = 0; i < g.nr_status; i++)
			assert_true(
			    has_str(r.statuses, r.nr_statuses, g.status[i]));
		stats[0][F_STATUS].total++;
		stats[0][F_STATUS].agree++;
		assert_int_equal(r.nr_nameservers, g.nr_ns);
		for (i = 0; i < g.nr_ns; i++)
			assert_true(
			    has_str(r.nameservers, r.nr_nameservers, g.ns[i]));
		gtld_release(&g);
		td_record_release(&r);
	}
}

/* ---- 20c/rdap: expected e-mails of autnums, normalised contacts ---- */

static json_t *
load_json(const char *rel)
{
	char path[1024];
	json_error_t jerr;
	json_t *j;

	snprintf(path, sizeof(path), "%s/%s", corpus_dir(), rel);
	j = json_load_file(path, 0, &jerr);
	if (!j)
		fail_msg("%s: %s", path, jerr.text);
	return j;
}

static void
rdap_20c_autnum_emails_found(void **state)
{
	static const char *const asns[] = {"205697", "205726", "206050",
					   "2914",   "37271",  "49037",
					   "61399",  "63311",  "8283"};
	size_t k, i;

	need_corpus("rdap-20c");
	for (k = 0; k < sizeof(asns) / sizeof(asns[0]); k++) {
		struct td_record r;
		char rel[256], where[64];
		json_t *exp, *e;
		const char *org_name;
		size_t found = 0, n;

		snprintf(rel, sizeof(rel), "rdap-20c/rdap/autnum/%s.expected",
			 asns[k]);
		exp = load_json(rel);
		snprintf(rel, sizeof(rel), "rdap-20c/rdap/autnum/%s.input",
			 asns[k]);
		snprintf(where, sizeof(where), "20c AS%s", asns[k]);
		parse_ok(&r, rel);
		assert_int_equal(r.kind, TD_REC_ASN);
		assert_string_equal(r.start, asns[k]);
		json_array_foreach(json_object_get(exp, "emails"), i, e)
		{
			const char *m = json_string_value(e);

			if (has_email(&r, m))
				found++;
			else
				print_message("# DISAGREE %s: e-mail %s not "
					      "found\n",
					      where, m);
		}
		n = json_array_size(json_object_get(exp, "emails"));
		stats[0][F_EMAILS].total += (unsigned)n;
		stats[0][F_EMAILS].agree += (unsigned)found;
		print_message("# %s: %zu/%zu e-mails, abuse %s, org %s\n",
			      where, found, n,
			      r.abuse_email ? r.abuse_email : "-",
			      r.org ? r.org : "-");
		assert_int_equal(found, n);
		tally(F_NAME, where,
		      json_string_value(json_object_get(exp, "name")), r.name,
		      NULL);
		/* 20c joins the org's name with its remarks: compare the
		   start */
		org_name = json_string_value(json_object_get(exp, "org_name"));
		assert_non_null(r.org);
		tally(F_ORG, where, org_name,
		      !strncmp(org_name, r.org, strlen(r.org)) ? org_name
							       : r.org,
		      NULL);
		json_decref(exp);
		td_record_release(&r);
	}
}

static const char *
role_of(const char *normalized)
{
	if (!strcmp(normalized, "technical"))
		return "tech";
	return normalized;
}

static int
has_named_role(const struct td_record *r, const char *name, const char *role)
{
	size_t i;

	for (i = 0; i < r->nr_contacts; i++)
		if (r->contacts[i].name && !strcmp(r->contacts[i].name, name) &&
		    (!role || !strcmp(r->contacts[i].role, role)))
			return 1;
	return 0;
}

static void
rdap_20c_normalize_agrees(void **state)
{
	static const char *const cases[] = {"autnum/63311", "autnum/8283",
					    "entity/CLUE1-RIPE", "entity/DJVG",
					    "ip/206.41.110.0"};
	size_t k, i, j;

	need_corpus("rdap-20c");
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct td_record r;
		char rel[256];
		json_t *exp, *c, *role;
		const char *prefix, *org;
		size_t checked = 0;

		snprintf(rel, sizeof(rel), "rdap-20c/normalize/%s.expected",
			 cases[k]);
		exp = load_json(rel);
		snprintf(rel, sizeof(rel), "rdap-20c/normalize/%s.input",
			 cases[k]);
		parse_ok(&r, rel);
		if (r.kind != TD_REC_ENTITY)
			tally(F_NAME, cases[k],
			      json_string_value(json_object_get(exp, "name")),
			      r.name, NULL);
		org = json_string_value(json_object_get(
		    json_object_get(exp, "organization"), "name"));
		if (org)
			tally(F_ORG, cases[k], org, r.org, NULL);
		prefix = json_string_value(json_object_get(exp, "prefix"));
		if (prefix)
			assert_true(has_str(r.cidrs, r.nr_cidrs, prefix));
		json_array_foreach(json_object_get(exp, "contacts"), i, c)
		{
			const char *name =
			    json_string_value(json_object_get(c, "name"));
			const char *email =
			    json_string_value(json_object_get(c, "email"));

			if (email && !has_email(&r, email))
				fail_msg("%s: e-mail %s not found", cases[k],
					 email);
			if (name)
				assert_true(has_named_role(&r, name, NULL));
			json_array_foreach(json_object_get(c, "roles"), j, role)
			{
				const char *ro =
				    role_of(json_string_value(role));

				if (!has_named_role(&r, name, ro))
					fail_msg("%s: %s has no role %s",
						 cases[k], name, ro);
			}
			checked++;
		}
		print_message("# 20c normalize %s: %zu contacts agree\n",
			      cases[k], checked);
		json_decref(exp);
		td_record_release(&r);
	}
}

/* ---- IP networks: the abuse e-mail is found whenever there is one ---- */

/* E-mails of entities with role abuse, at any depth (test's own walk). */
static void
abuse_emails(const json_t *ents, json_t *out)
{
	const json_t *e, *roles, *role, *props, *p;
	size_t i, j;

	json_array_foreach(ents, i, e)
	{
		int abuse = 0;

		roles = json_object_get(e, "roles");
		json_array_foreach(
		    roles, j, role) if (json_is_string(role) &&
					!strcasecmp(json_string_value(role),
						    "abuse")) abuse = 1;
		props = json_array_get(json_object_get(e, "vcardArray"), 1);
		if (abuse)
			json_array_foreach(props, j, p)
			{
				const char *name =
				    json_string_value(json_array_get(p, 0));
				const char *v =
				    json_string_value(json_array_get(p, 3));

				if (name && !strcmp(name, "email") && v && *v)
					json_array_append_new(out,
							      json_string(v));
			}
		abuse_emails(json_object_get(e, "entities"), out);
	}
}

static int
walk_ip_file(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	size_t n = strlen(path);

	if (type != FTW_F || strstr(path, "/normalize/") ||
	    (!(n > 5 && !strcmp(path + n - 5, ".json")) &&
	     !(n > 6 && !strcmp(path + n - 6, ".input"))))
		return 0;
	return collect(path, sb, type, ftw);
}

static void
rdap_ip_abuse_email_always_found(void **state)
{
	static const char *const dirs[] = {"ipwhois-rdap", "rdap-whoisit",
					   "rdap-20c", "rdap-icann"};
	char path[1024];
	size_t k, i, nets = 0, with = 0, found = 0;

	need_corpus("ipwhois-rdap");
	for (k = 0; k < sizeof(dirs) / sizeof(dirs[0]); k++) {
		snprintf(path, sizeof(path), "%s/%s", corpus_dir(), dirs[k]);
		assert_int_equal(nftw(path, walk_ip_file, 16, FTW_PHYS), 0);
	}
	qsort(files, nr_files, sizeof(*files), cmp_str);
	for (i = 0; i < nr_files; i++) {
		const char *rel = files[i] + strlen(corpus_dir()) + 1;
		json_t *j = json_load_file(files[i], 0, NULL);
		json_t *want = json_array();
		struct td_record r;
		size_t m;
		int ok = 0;

		if (!j || !json_is_object(j) ||
		    !(json_object_get(j, "startAddress"))) {
			json_decref(j);
			json_decref(want);
			continue;
		}
		nets++;
		abuse_emails(json_object_get(j, "entities"), want);
		parse_ok(&r, rel);
		assert_int_equal(r.kind, TD_REC_IP);
		assert_true(r.nr_cidrs >= 1);
		if (json_array_size(want)) {
			with++;
			for (m = 0; m < json_array_size(want); m++)
				if (r.abuse_email &&
				    !strcmp(r.abuse_email,
					    json_string_value(
						json_array_get(want, m))))
					ok = 1;
			found += ok;
			tally(F_ABUSE_EMAIL, rel,
			      ok ? r.abuse_email
				 : json_string_value(json_array_get(want, 0)),
			      r.abuse_email, NULL);
		}
		print_message(
		    "# %-55s %-18s %s abuse %s%s\n", rel,
		    r.nr_cidrs ? r.cidrs[0] : "-", r.country ? r.country : "--",
		    r.abuse_email ? r.abuse_email : "(none)",
		    json_array_size(want) ? "" : " (no abuse entity)");
		td_record_release(&r);
		json_decref(want);
		json_decref(j);
	}
	print_message("# ip networks: %zu, with an abuse e-mail: %zu, found: "
		      "%zu\n",
		      nets, with, found);
	assert_true(nets >= 15);
	assert_int_equal(found, with);
	for (i = 0; i < nr_files; i++)
		free(files[i]);
	free(files);
	files = NULL;
	nr_files = 0;
}

/* ---- domains: facts read off the answers by hand ---- */

static const struct fact {
	const char *file;
	const char *registrar;
	long iana;
	const char *created, *expires;
	const char *abuse_email, *abuse_phone;
	const char *registrar_rdap;
} facts[] = {
    {"rdap-bbot/verisign_com_github.json", "MarkMonitor Inc.", 292,
     "2007-10-09T18:20:50Z", "2028-10-09T18:20:50Z",
     "abusecomplaints@markmonitor.com", "+1.2086851750",
     "https://rdap.markmonitor.com/rdap/domain/GITHUB.COM"},
    {"rdap-bbot/registrar_markmonitor_github.json", "Markmonitor Inc.", 292,
     "2007-10-09T18:20:50Z", "2028-10-09T00:00:00Z", NULL, "+1.2086851750",
     NULL},
    {"rdap-bbot/nominet_uk_bbc.json", "British Broadcasting Corporation", -1,
     "1994-12-13T03:49:48Z", "2034-12-13T03:49:48Z", "nominet.admins@bbc.co.uk",
     NULL, NULL},
    {"rdap-bbot/pir_org_wikipedia.json", "MarkMonitor Inc.", 292,
     "2001-01-13T00:12:14Z", "2027-01-13T00:12:14Z",
     "abusecomplaints@markmonitor.com", "+1.2083895740",
     "https://rdap.markmonitor.com/rdap/domain/wikipedia.org"},
    {"rdap-bbot/registrar_namecheap_namecheap.json", "NAMECHEAP INC", 1068,
     "2000-08-11T16:15:25Z", "2032-08-11T16:15:25Z", "abuse@namecheap.com",
     "+1.9854014545", NULL},
    {"rdap-whodap/abc.xyz.json", "MarkMonitor Inc.", 292,
     "2014-03-20T12:59:17Z", "2025-03-20T07:00:00Z",
     "abusecomplaints@markmonitor.com", "+1.2083895770", NULL},
    {"rdap-whodap/amazon.cyou.json", "NOM-IQ Ltd dba Com Laude", 470,
     "2020-05-14T00:00:00Z", "2021-05-14T00:00:00Z", "abuse@comlaude.com",
     "+44.2074218250", NULL},
    {"rdap-whodap/amazon.ooo.json", "NOM-IQ Ltd dba Com Laude", 470,
     "2014-10-23T00:00:00Z", "2021-10-23T00:00:00Z", "abuse@comlaude.com",
     "+44.2074218250", NULL},
    {"rdap-whodap/bitcoin.top.json",
     "\xe6\x88\x90\xe9\x83\xbd\xe8\xa5\xbf\xe7\xbb\xb4\xe6\x95\xb0\xe7\xa0"
     "\x81\xe7\xa7\x91\xe6\x8a\x80\xe6\x9c\x89\xe9\x99\x90\xe5\x85\xac\xe5"
     "\x8f\xb8",
     1556, "2014-11-17T16:00:29Z", "2021-11-17T16:00:29Z",
     "westabuse@gmail.com", "02862778877", NULL},
    {"rdap-whodap/deep.surf.json", "NAMECHEAP INC", -1, "2020-07-01T14:05:58Z",
     "2021-07-01T14:05:58Z", "abuse@namecheap.com", "+1.6613102107", NULL},
    {"rdap-whodap/google.com.json", "MarkMonitor Inc.", 292,
     "1997-09-15T07:00:00Z", "2028-09-13T07:00:00Z",
     "abusecomplaints@markmonitor.com", "+1.2083895770", NULL},
    {"rdap-whodap/you.tube.json", "MarkMonitor, Inc.", 292,
     "2016-04-17T11:31:13Z", "2022-04-16T23:59:59Z",
     "abusecomplaints@markmonitor.com", "+1.2083895740",
     "https://rdap.markmonitor.com/rdap/domain/you.tube"},
    {"rdap-whoisit/cassettes/domain-1.0.json", "MarkMonitor Inc.", 292,
     "1997-09-15T04:00:00Z", "2028-09-14T04:00:00Z",
     "abusecomplaints@markmonitor.com", "+1.2086851750",
     "https://rdap.markmonitor.com/rdap/domain/GOOGLE.COM"},
    {"rdap-whoisit/cassettes/domain-1.1.json", "MarkMonitor Inc.", 292,
     "1997-09-15T07:00:00Z", "2028-09-13T07:00:00Z",
     "abusecomplaints@markmonitor.com", "+1.2086851750", NULL},
    {"rdap-whoisit/responses/data_rdap_response_domain2.json", "Domeneshop AS",
     -1, "2017-01-24T12:09:23Z", NULL, NULL, NULL, NULL},
    {"rdap-whoisit/responses/data_rdap_response_domain3.json",
     "Hosting Concepts B.V. d/b/a Registrar.eu", 1647, "2021-03-16T17:07:37Z",
     "2022-03-16T17:07:37Z", "abuse@registrar.eu", "+31.104482297",
     "https://rdap.registrar.eu/v1/domain/THEMARQUETRY.COM"},
    {"rdap-20c/rdap/domain/20c.com.input",
     "CSL Computer Service Langenbach GmbH d/b/a joker.com", 113,
     "2004-06-28T18:28:14Z", "2025-06-28T18:28:14Z", "abuse@joker.com",
     "+49.21186767447", "https://rdap.joker.com/domain/20C.COM"},
    {"rdap-icann/responses/domain_afnic_fr.json", "Registry Operations", 9999,
     "2001-12-10T23:00:00Z", "2029-07-18T08:26:59Z", NULL, NULL, NULL},
    {"rdap-openrdap/rdap/rdap.nic.cz/domain-example.cz.json", "REG-INTERNET-CZ",
     -1, "2004-08-30T22:55:00Z", "2019-08-30T12:00:00Z", NULL, NULL, NULL},
};

static void
rdap_domain_facts_agree(void **state)
{
	size_t k;

	need_corpus("rdap-bbot");
	by_hand = 1;
	for (k = 0; k < sizeof(facts) / sizeof(facts[0]); k++) {
		const struct fact *f = &facts[k];
		struct td_record r;
		char want[32] = "", got[32] = "";

		parse_ok(&r, f->file);
		assert_int_equal(r.kind, TD_REC_DOMAIN);
		assert_int_equal(r.status, TD_REC_FOUND);
		tally(F_REGISTRAR, f->file, f->registrar, r.registrar, NULL);
		if (f->iana >= 0)
			snprintf(want, sizeof(want), "%ld", f->iana);
		if (r.registrar_iana_id >= 0)
			snprintf(got, sizeof(got), "%ld", r.registrar_iana_id);
		tally(F_IANA, f->file, or_null(want), or_null(got), NULL);
		tally(F_CREATED, f->file, f->created, r.created, NULL);
		tally(F_EXPIRES, f->file, f->expires, r.expires, NULL);
		tally(F_ABUSE_EMAIL, f->file, f->abuse_email, r.abuse_email,
		      NULL);
		tally(F_ABUSE_PHONE, f->file, f->abuse_phone, r.abuse_phone,
		      NULL);
		str_eq(r.registrar_rdap, f->registrar_rdap);
		td_record_release(&r);
	}
	by_hand = 0;
}

/* ---- specific answers ---- */

static void
rdap_verisign_github_registrar_and_nested_abuse(void **state)
{
	struct td_record r;

	need_corpus("rdap-bbot");
	parse_ok(&r, "rdap-bbot/verisign_com_github.json");
	assert_string_equal(r.domain, "github.com");
	assert_string_equal(r.registrar, "MarkMonitor Inc.");
	assert_int_equal(r.registrar_iana_id, 292);
	assert_string_equal(r.registrar_url, "http://www.markmonitor.com");
	assert_string_equal(r.abuse_email, "abusecomplaints@markmonitor.com");
	assert_string_equal(r.abuse_phone, "+1.2086851750");
	assert_string_equal(
	    r.registrar_rdap,
	    "https://rdap.markmonitor.com/rdap/domain/GITHUB.COM");
	assert_string_equal(
	    r.source, "https://rdap.verisign.com/com/v1/domain/github.com");
	assert_int_equal(r.nr_nameservers, 8);
	assert_string_equal(r.nameservers[0], "dns1.p08.nsone.net");
	assert_string_equal(r.nameservers[7], "ns-520.awsdns-01.net");
	assert_int_equal(r.nr_statuses, 3);
	assert_string_equal(r.statuses[0], "client delete prohibited");
	assert_string_equal(r.dnssec, "unsigned");
	assert_string_equal(r.updated, "2026-09-07T09:22:52Z");
	assert_non_null(contact(&r, "registrar"));
	assert_string_equal(contact(&r, "abuse")->email,
			    "abusecomplaints@markmonitor.com");
	td_record_release(&r);
}

static void
rdap_markmonitor_abuse_without_email(void **state)
{
	struct td_record r;
	const struct td_contact *c;

	need_corpus("rdap-bbot");
	parse_ok(&r, "rdap-bbot/registrar_markmonitor_github.json");
	print_notes("markmonitor", &r);
	assert_string_equal(r.registrar, "Markmonitor Inc.");
	assert_int_equal(r.registrar_iana_id, 292);
	assert_null(r.abuse_email);
	assert_string_equal(r.abuse_phone, "+1.2086851750");
	assert_true(
	    has_note(&r, "corp.markmonitor.com/domain/ui/abuse-report"));
	c = contact(&r, "abuse");
	assert_non_null(c);
	assert_null(c->email);
	assert_string_equal(
	    c->url, "https://corp.markmonitor.com/domain/ui/abuse-report");
	c = contact(&r, "registrant");
	assert_non_null(c);
	assert_true(c->flags & TD_CONTACT_REDACTED);
	assert_null(c->email); /* "REDACTED FOR PRIVACY" is not kept */
	assert_null(c->phone);
	assert_string_equal(c->org, "GitHub, Inc.");
	assert_string_equal(c->country, "US");
	assert_string_equal(r.org, "GitHub, Inc.");
	assert_string_equal(r.registrar_whois, "whois.markmonitor.com");
	assert_string_equal(r.registrar_url,
			    "https://www.markmonitor.com/about-us/");
	/* the registrar's own "expiration" wins over "registrar expiration" */
	assert_string_equal(r.expires, "2028-10-09T00:00:00Z");
	td_record_release(&r);
}

static void
rdap_nominet_redacted_registrant(void **state)
{
	struct td_record r;
	const struct td_contact *c;

	need_corpus("rdap-bbot");
	parse_ok(&r, "rdap-bbot/nominet_uk_bbc.json");
	print_notes("nominet", &r);
	assert_string_equal(r.domain, "bbc.co.uk");
	assert_string_equal(r.registrar, "British Broadcasting Corporation");
	assert_int_equal(r.registrar_iana_id, -1);
	assert_string_equal(r.registrar_url, "https://www.bbc.co.uk/");
	assert_string_equal(r.abuse_email, "nominet.admins@bbc.co.uk");
	c = contact(&r, "registrant");
	assert_non_null(c);
	assert_true(c->flags & TD_CONTACT_REDACTED);
	assert_true(has_note(&r, "RFC 9537"));
	assert_int_equal(r.nr_nameservers, 2);
	assert_string_equal(r.nameservers[0], "ddns0.bbc.co.uk");
	assert_string_equal(r.nameservers[1], "ddns0.bbc.com");
	assert_string_equal(r.updated, "2025-10-29T03:51:11Z");
	td_record_release(&r);
}

static void
rdap_pir_wikipedia(void **state)
{
	struct td_record r;

	need_corpus("rdap-bbot");
	parse_ok(&r, "rdap-bbot/pir_org_wikipedia.json");
	assert_string_equal(r.domain, "wikipedia.org");
	assert_string_equal(r.domain_unicode, "wikipedia.org");
	assert_string_equal(r.registrar, "MarkMonitor Inc.");
	assert_int_equal(r.registrar_iana_id, 292);
	assert_string_equal(
	    r.registrar_rdap,
	    "https://rdap.markmonitor.com/rdap/domain/wikipedia.org");
	/* the only "about" link is an RDAP base URL, not a web site */
	assert_null(r.registrar_url);
	assert_string_equal(r.abuse_email, "abusecomplaints@markmonitor.com");
	assert_string_equal(r.abuse_phone, "+1.2083895740");
	assert_null(r.handle); /* redacted (RFC 9537 "Registry Domain ID") */
	assert_int_equal(r.nr_nameservers, 3);
	td_record_release(&r);
}

static void
rdap_namecheap_privacy_proxy(void **state)
{
	struct td_record r;
	const struct td_contact *c;

	need_corpus("rdap-bbot");
	parse_ok(&r, "rdap-bbot/registrar_namecheap_namecheap.json");
	print_notes("namecheap", &r);
	assert_string_equal(r.abuse_email, "abuse@namecheap.com");
	assert_string_equal(r.abuse_phone, "+1.9854014545");
	assert_string_equal(r.dnssec, "signedDelegation");
	assert_string_equal(r.registrar_url, "https://www.namecheap.com/");
	assert_true(has_note(&r, "registrar expiration"));
	c = contact(&r, "registrant");
	assert_non_null(c);
	assert_true(c->flags & TD_CONTACT_PROXY);
	/* a proxy address still forwards mail: kept */
	assert_non_null(c->email);
	assert_string_equal(c->country, "US");
	assert_string_equal(c->address,
			    "16192 Coastal Highway, Lewes, Delaware, 19958");
	td_record_release(&r);
}

static void
rdap_apnic_1_1_1_0_cidr_country_abuse(void **state)
{
	static const char *const rels[] = {
	    "rdap-whoisit/responses/data_rdap_response_cidr_v4.json",
	    "rdap-whoisit/cassettes/ip-v4-cidr-1.json"};
	size_t k;

	need_corpus("rdap-whoisit");
	for (k = 0; k < 2; k++) {
		struct td_record r;

		parse_ok(&r, rels[k]);
		assert_int_equal(r.kind, TD_REC_IP);
		assert_string_equal(r.handle, "1.1.1.0 - 1.1.1.255");
		assert_string_equal(r.name, "APNIC-LABS");
		assert_string_equal(r.start, "1.1.1.0");
		assert_string_equal(r.end, "1.1.1.255");
		assert_int_equal(r.nr_cidrs, 1);
		assert_string_equal(r.cidrs[0], "1.1.1.0/24");
		assert_string_equal(r.country, "AU");
		assert_string_equal(r.abuse_email, "helpdesk@apnic.net");
		assert_int_equal(r.origin_asn, -1);
		td_record_release(&r);
	}
}

static void
rdap_arin_networks(void **state)
{
	struct td_record r;

	need_corpus("rdap-whoisit");
	parse_ok(&r, "rdap-whoisit/responses/data_rdap_response_ip_v4_3.json");
	assert_string_equal(r.handle, "NET-13-64-0-0-1");
	assert_string_equal(r.parent, "NET-13-0-0-0-0");
	assert_string_equal(r.org, "Microsoft Corporation");
	assert_int_equal(r.nr_cidrs, 3);
	assert_string_equal(r.cidrs[0], "13.64.0.0/11");
	assert_string_equal(r.cidrs[1], "13.96.0.0/13");
	assert_string_equal(r.cidrs[2], "13.104.0.0/14");
	assert_string_equal(r.abuse_email, "abuse@microsoft.com");
	assert_string_equal(r.abuse_phone, "+1-425-882-8080");
	assert_int_equal(r.origin_asn, -1);
	td_record_release(&r);

	/* the network's own abuse POC (depth 1) wins over its org's */
	parse_ok(&r, "rdap-whoisit/responses/data_rdap_response_ip_v6.json");
	assert_string_equal(r.cidrs[0], "2001:4860::/32");
	assert_int_equal(r.origin_asn, 15169);
	assert_string_equal(r.abuse_email, "arin-contact@google.com");
	assert_string_equal(r.org, "Google LLC");
	td_record_release(&r);

	parse_ok(&r, "rdap-icann/responses/network_192_198_0_0.json");
	assert_string_equal(r.cidrs[0], "192.198.0.0/22");
	assert_int_equal(r.origin_asn, 53301);
	assert_string_equal(r.abuse_email,
			    "daniel.petsinger@radiolinkinternet.com");
	assert_string_equal(r.org, "Radio Link Internet");
	td_record_release(&r);

	/* an old answer: "074.125.000.000", no cidr0: CIDR computed */
	parse_ok(&r, "ipwhois-rdap/rdap-ip/74.125.225.229.json");
	assert_string_equal(r.start, "74.125.0.0");
	assert_string_equal(r.end, "74.125.255.255");
	assert_int_equal(r.nr_cidrs, 1);
	assert_string_equal(r.cidrs[0], "74.125.0.0/16");
	assert_string_equal(r.abuse_email, "arin-contact@google.com");
	td_record_release(&r);
}

static void
rdap_ripe_lacnic_afrinic_jpnic_networks(void **state)
{
	struct td_record r;
	const struct td_contact *c;

	need_corpus("ipwhois-rdap");
	/* RIPE, without objectClassName, addresses written with "/128" */
	parse_ok(&r, "ipwhois-rdap/rdap-ip/2a00_2381_ffff__1.json");
	assert_int_equal(r.kind, TD_REC_IP);
	assert_true(has_note(&r, "no objectClassName"));
	assert_string_equal(r.start, "2a00:2381:ffff::");
	assert_int_equal(r.nr_cidrs, 1);
	assert_string_equal(r.cidrs[0], "2a00:2381:ffff::/64");
	assert_string_equal(r.country, "GB");
	assert_string_equal(r.abuse_email, "zzdnsr@bt.com");
	c = contact(&r, "abuse");
	assert_string_equal(c->address, "British Telecommunications, "
					"81 Newgate Street, London GB");
	td_record_release(&r);

	/* APNIC (KRNIC): an IRT object as the abuse contact */
	parse_ok(&r, "ipwhois-rdap/rdap-ip/210.107.73.73.json");
	assert_string_equal(r.cidrs[0], "210.107.0.0/17");
	assert_string_equal(r.abuse_email, "hostmaster@nic.or.kr");
	assert_string_equal(r.parent, "210.0.0.0 - 210.255.255.255");
	td_record_release(&r);

	/* LACNIC: abuse role on a contact nested in the registrant too */
	parse_ok(&r, "ipwhois-rdap/rdap-ip/200.57.141.161.json");
	assert_string_equal(r.abuse_email, "operacion.redes@TRIARA.COM");
	assert_string_equal(r.abuse_phone, "52  8181962393");
	assert_string_equal(r.country, "MX");
	assert_string_equal(r.org, "Triara.com, S.A. de C.V.");
	td_record_release(&r);

	/* AFRINIC: entities without roles, no abuse contact */
	parse_ok(&r, "ipwhois-rdap/rdap-ip/2001_43f8_7b0__.json");
	assert_null(r.abuse_email);
	assert_string_equal(r.cidrs[0], "2001:43f8:7b0::/48");
	assert_string_equal(r.country, "KE");
	assert_non_null(contact(&r, "other"));
	td_record_release(&r);

	/* JPNIC via APNIC */
	parse_ok(&r, "ipwhois-rdap/rdap-ip/2001_240_10c_1__ca20_9d1d.json");
	assert_string_equal(r.cidrs[0], "2001:240::/32");
	assert_string_equal(r.parent, "2001:0200::/23");
	assert_string_equal(contact(&r, "tech")->email, "hostmaster@nic.ad.jp");
	td_record_release(&r);

	/* RIPE abuse-c: the e-mail marked type=abuse */
	parse_ok(&r, "rdap-20c/rdap/autnum/8283.input");
	assert_string_equal(r.abuse_email, "abuse@coloclue.net");
	td_record_release(&r);
}

static void
rdap_autnum_fields(void **state)
{
	struct td_record r;

	need_corpus("rdap-whoisit");
	parse_ok(&r, "rdap-whoisit/responses/data_rdap_response_asn.json");
	assert_int_equal(r.kind, TD_REC_ASN);
	assert_string_equal(r.handle, "AS13335");
	assert_string_equal(r.name, "CLOUDFLARENET");
	assert_string_equal(r.start, "13335");
	assert_string_equal(r.end, "13335");
	assert_string_equal(r.org, "Cloudflare, Inc.");
	assert_string_equal(r.abuse_email, "abuse@cloudflare.com");
	assert_string_equal(r.abuse_phone, "+1-650-319-8930");
	assert_int_equal(r.nr_cidrs, 0);
	td_record_release(&r);

	/* AFRINIC: no abuse role; the abuse@ address of the org is taken */
	parse_ok(&r, "rdap-20c/rdap/autnum/37271.input");
	assert_string_equal(r.abuse_email, "abuse@workonline.africa");
	assert_true(has_note(&r, "no abuse entity gives an e-mail"));
	td_record_release(&r);

	/* RIPE: the org, not a maintainer also given role registrant */
	parse_ok(&r, "rdap-20c/rdap/autnum/205697.input");
	assert_string_equal(r.org, "ALOJALIA CLOUD S.L.");
	td_record_release(&r);
}

static void
rdap_error_help_search_answers(void **state)
{
	struct td_record r;

	need_corpus("rdap-20c");
	parse_ok(&r, "rdap-20c/rdap/entity/HKBN-HK.input");
	assert_int_equal(r.status, TD_REC_NOT_FOUND);
	assert_true(strstr(r.status_text, "404") != NULL);
	td_record_release(&r);

	parse_ok(&r, "rdap-20c/rdap/entity/HH11825JP.input"); /* "400" */
	assert_int_equal(r.status, TD_REC_ERROR);
	assert_true(strstr(r.status_text, "400 Bad Request") != NULL);
	td_record_release(&r);

	parse_ok(&r, "rdap-icann/responses/error_ripe_net.json");
	assert_int_equal(r.status, TD_REC_ERROR);
	assert_string_equal(r.status_text,
			    "501 Not Implemented: Nameserver not supported");
	td_record_release(&r);

	parse_ok(&r, "rdap-icann/responses/help_nic_fr.json");
	assert_int_equal(r.status, TD_REC_ERROR);
	assert_true(has_note(&r, "help"));
	td_record_release(&r);

	parse_ok(&r, "rdap-icann/responses/domains_ldhname_ns1_arin_net.json");
	assert_int_equal(r.status, TD_REC_ERROR);
	assert_true(has_note(&r, "search"));
	td_record_release(&r);

	parse_ok(&r, "rdap-20c/rdap/ip/101.203.88.0_history.input");
	assert_int_equal(r.status, TD_REC_ERROR);
	td_record_release(&r);

	assert_int_equal(parse_str(&r, "{\"errorCode\": 429, \"title\": "
				       "\"Too Many Requests\"}"),
			 0);
	assert_int_equal(r.status, TD_REC_RATE_LIMITED);
	td_record_release(&r);
	assert_int_equal(parse_str(&r, "{\"errorCode\": 503, \"title\": "
				       "\"Service Unavailable\", "
				       "\"description\": [\"rate limit "
				       "exceeded\"]}"),
			 0);
	assert_int_equal(r.status, TD_REC_RATE_LIMITED);
	td_record_release(&r);
}

static void
rdap_whodap_bad_responses_partial(void **state)
{
	struct td_record r;

	need_corpus("rdap-whodap");
	parse_ok(&r, "rdap-whodap/bad_response_01.json");
	print_notes("bad_response_01", &r);
	assert_int_equal(r.status, TD_REC_FOUND);
	assert_string_equal(r.domain, "something-not-real.com");
	assert_int_equal(r.nr_nameservers, 2);
	assert_int_equal(r.registrar_iana_id, 1250);
	/* jCard properties not wrapped in an array: still read */
	assert_true(has_email(&r, "cwp7panel@gmail.com"));
	assert_true(has_note(&r, "\"entities\" is not an array"));
	td_record_release(&r);

	parse_ok(&r, "rdap-whodap/bad_response_02.json");
	print_notes("bad_response_02", &r);
	assert_int_equal(r.status, TD_REC_FOUND);
	assert_int_equal(r.nr_nameservers, 0);
	assert_true(has_note(&r, "vcardArray"));
	assert_string_equal(r.created, "2023-07-05T00:00:00Z");
	td_record_release(&r);
}

static void
rdap_jcard_cases_never_crash(void **state)
{
	struct td_record r;

	need_corpus("rdap-openrdap");
	/* example.json as an abuse entity: every field of the jCard */
	{
		char path[1024];
		size_t len, wlen;
		char *s, *w;
		const struct td_contact *c;

		snprintf(path, sizeof(path),
			 "%s/rdap-openrdap/jcard/example.json", corpus_dir());
		s = slurp(path, &len);
		assert_non_null(s);
		w = wrap_jcard(s, len, &wlen);
		td_record_init(&r);
		assert_int_equal(td_rdap_parse(&r, w, wlen, NULL, NULL), 0);
		c = contact(&r, "abuse");
		assert_non_null(c);
		assert_string_equal(c->name, "Simon Perreault");
		assert_string_equal(c->org, "Viagenie");
		assert_string_equal(c->email, "simon.perreault@viagenie.ca");
		assert_string_equal(c->phone, "+1-418-656-9254;ext=102");
		assert_string_equal(c->address, "Suite D2-630, 2875 Laurier, "
						"Quebec, QC, G1V 2M2, Canada");
		assert_null(c->country); /* "Canada" is not a code */
		assert_string_equal(c->url, "http://nomis80.org");
		assert_string_equal(r.abuse_email,
				    "simon.perreault@viagenie.ca");
		td_record_release(&r);
		free(s);
		free(w);
	}
}

/* ---- tests/fixtures/rdap: more registries (see SOURCE.md there) ---- */

static void
parse_fixture(struct td_record *r, const char *name)
{
	const char *top = getenv("TD_TOP");
	char path[1024];
	struct td_error err = {0};
	size_t len;
	char *s;

	snprintf(path, sizeof(path), "%s%stests/fixtures/rdap/%s",
		 top && *top ? top : "", top && *top ? "/" : "", name);
	s = slurp(path, &len);
	if (!s)
		fail_msg("cannot read %s", path);
	td_record_init(r);
	if (td_rdap_parse(r, s, len, NULL, &err))
		fail_msg("%s: %s", name, err.msg);
	free(s);
	print_message("# fixture %-32s %s %s abuse %s\n", name,
		      td_record_kind_name(r->kind),
		      r->nr_cidrs ? r->cidrs[0]
		      : r->start  ? r->start
				  : "-",
		      r->abuse_email ? r->abuse_email : "(none)");
}

static void
rdap_fixtures_every_registry(void **state)
{
	struct td_record r;

	parse_fixture(&r, "ip_network_ripe_193_0_0_0.json");
	assert_string_equal(r.cidrs[0], "193.0.0.0/21");
	assert_string_equal(r.country, "NL");
	/* the abuse-c's e-mail marked type=abuse, not ops@ before it */
	assert_string_equal(r.abuse_email, "abuse@ripe.net");
	assert_string_equal(r.abuse_phone, "+31 20 535 4444"); /* not the fax */
	assert_string_equal(
	    contact(&r, "abuse")->address,
	    "Stationsplein 11, 1012 AB Amsterdam, The Netherlands");
	assert_null(r.org); /* registrants given as bare handles */
	assert_non_null(contact(&r, "registrant"));
	td_record_release(&r);

	parse_fixture(&r, "ip_network_lacnic.json");
	assert_string_equal(r.cidrs[0], "179.0.0.0/23");
	assert_string_equal(r.abuse_email, "tomas.cribb@neuralsoft.com");
	assert_string_equal(r.abuse_phone, "54 341 4090555");
	assert_string_equal(r.org, "NEURALSOFT S.R.L.");
	assert_int_equal(r.origin_asn, -1); /* "N/A" */
	assert_string_equal(contact(&r, "tech")->country, "AR");
	td_record_release(&r);

	parse_fixture(&r, "ip_network_afrinic.json");
	assert_string_equal(r.cidrs[0], "41.0.0.0/16");
	assert_string_equal(r.country, "ZA");
	assert_string_equal(r.parent, "41.0.0.0 - 41.31.255.255");
	assert_null(r.abuse_email);
	assert_string_equal(contact(&r, "admin")->email,
			    "Jacques.hendricks@vodacom.co.za");
	assert_string_equal(contact(&r, "admin")->phone, "+27-21-940-9498");
	td_record_release(&r);

	parse_fixture(&r, "ip_network_br.json");
	assert_string_equal(r.cidrs[0], "177.0.0.0/14");
	assert_string_equal(r.country, "BR");
	assert_int_equal(r.origin_asn, 8167);
	assert_string_equal(r.org,
			    "Brasil Telecom S/A - Filial Distrito Federal");
	assert_null(r.abuse_email);
	assert_true(has_note(&r, "abuse contact gives no e-mail"));
	assert_string_equal(contact(&r, "abuse")->name, "CSIRT OI");
	td_record_release(&r);

	parse_fixture(&r, "autnum_afrinic_as36864.json");
	assert_int_equal(r.kind, TD_REC_ASN);
	assert_string_equal(r.start, "36864");
	assert_string_equal(r.org, "AFRIBONE MALI SA");
	assert_null(r.abuse_email);
	td_record_release(&r);

	parse_fixture(&r, "autnum_lacnic_as27648.json");
	assert_string_equal(r.start, "27648"); /* from the handle */
	assert_string_equal(r.end, "27648");
	assert_string_equal(r.abuse_email, "aperez@bantel.net.ve");
	assert_string_equal(r.org, "TELECOMUNICACIONES BANTEL, C.A.");
	assert_string_equal(r.created, "2002-11-27T15:00:00Z");
	td_record_release(&r);

	parse_fixture(&r, "domain_fred.json");
	assert_string_equal(r.domain, "nic.cz");
	assert_string_equal(r.registrar, "REG-CZNIC");
	assert_string_equal(r.dnssec, "signedDelegation");
	assert_int_equal(r.nr_nameservers, 3);
	assert_string_equal(r.nameservers[2], "d.ns.nic.cz");
	assert_string_equal(r.created, "1997-10-30T00:00:00Z");
	assert_string_equal(r.expires, "2027-03-15T13:00:00Z");
	assert_string_equal(r.registrar_whois, "whois.nic.cz");
	td_record_release(&r);
}

/* ---- synthetic answers ---- */

static void
rdap_synthetic_domain_fields(void **state)
{
	struct td_record r;
	const struct td_contact *c;
	const char *json =
	    "{\"objectClassName\": \"domain\", \"ldhName\": "
	    "\"XN--BCHER-KVA.Example.\","
	    " \"unicodeName\": \"b\xc3\xbc"
	    "cher.example.\","
	    " \"rdapConformance\": [\"rdap_level_0\", "
	    "\"icann_rdap_response_profile_1\"],"
	    " \"status\": [\"Client Hold\", \"server transfer prohibited\"],"
	    " \"port43\": \"WHOIS.Example-Registrar.test\","
	    " \"links\": [{\"rel\": \"related\", \"type\": "
	    "\"application/rdap+json\","
	    "   \"href\": \"https://rdap.reg.test/entity/1\"},"
	    "  {\"rel\": \"related\", \"type\": \"application/rdap+json\","
	    "   \"href\": "
	    "\"https://rdap.reg.test/domain/xn--bcher-kva.example\"}],"
	    " \"entities\": ["
	    "  {\"roles\": [\"registrant\"], \"vcardArray\": [\"vcard\", ["
	    "    [\"fn\", {}, \"text\", \"REDACTED FOR PRIVACY\"],"
	    "    [\"org\", {}, \"text\", [\"Example Org\", \"Unit\"]],"
	    "    [\"adr\", {\"cc\": \"de\"}, \"text\", [\"\", \"\", [\"Street "
	    "1\", \"Floor 2\"], \"Berlin\", \"\", \"10115\", \"\"]]]]},"
	    "  {\"roles\": [\"abuse\"], \"vcardArray\": [\"vcard\", ["
	    "    [\"email\", {}, \"text\", \"abuse@top-level.test\"]]]},"
	    "  {\"handle\": \"4242\", \"roles\": [\"registrar\"],"
	    "   \"vcardArray\": [\"vcard\", [[\"fn\", {}, \"text\", \"Reg "
	    "Inc.\"],"
	    "     [\"url\", {}, \"uri\", \"https://reg.test/\"]]],"
	    "   \"entities\": [{\"entities\": [{\"roles\": [\"abuse\"],"
	    "     \"vcardArray\": [\"vcard\", ["
	    "      [\"email\", {}, \"text\", \"REDACTED FOR PRIVACY\"],"
	    "      [\"email\", {\"pref\": \"2\"}, \"text\", \"help@reg.test\"],"
	    "      [\"email\", {\"pref\": \"1\"}, \"text\", "
	    "\"abuse-desk@reg.test\"],"
	    "      [\"tel\", {\"type\": \"fax\"}, \"uri\", \"tel:+1.5550000\"],"
	    "      [\"tel\", {\"type\": \"voice\"}, \"uri\", "
	    "\"tel:+1.5551234\"]]]}]}]}],"
	    " \"events\": [{\"eventAction\": \"registration\", \"eventDate\": "
	    "\"2020-01-02T03:04:05Z\"},"
	    "  {\"eventAction\": \"expiration\", \"eventDate\": \"not a "
	    "date\"}],"
	    " \"secureDNS\": {\"delegationSigned\": true},"
	    " \"nameservers\": [{\"ldhName\": \"NS1.Example.\"}, "
	    "{\"unicodeName\": \"ns2.example\"}, 5],"
	    " \"redacted\": [{\"name\": {\"type\": \"Tech Email\"}, "
	    "\"method\": \"removal\"}]}";

	assert_int_equal(parse_str(&r, json), 0);
	print_notes("synthetic", &r);
	assert_int_equal(r.kind, TD_REC_DOMAIN);
	assert_string_equal(r.source, "https://rdap.example/x");
	assert_string_equal(r.domain, "xn--bcher-kva.example");
	assert_string_equal(r.domain_unicode, "b\xc3\xbc"
					      "cher.example");
	assert_string_equal(r.statuses[0], "client hold");
	assert_string_equal(r.registrar, "Reg Inc.");
	assert_int_equal(r.registrar_iana_id, 4242); /* from the handle */
	assert_string_equal(r.registrar_url, "https://reg.test/");
	assert_string_equal(r.registrar_whois, "whois.example-registrar.test");
	assert_string_equal(
	    r.registrar_rdap,
	    "https://rdap.reg.test/domain/xn--bcher-kva.example");
	/* nested under the registrar wins over top level; the placeholder
	   is skipped, the lowest PREF of the others taken */
	assert_string_equal(r.abuse_email, "abuse-desk@reg.test");
	assert_string_equal(r.abuse_phone, "+1.5551234");
	assert_true(has_note(&r, "placeholder"));
	assert_string_equal(r.created, "2020-01-02T03:04:05Z");
	assert_null(r.expires);
	assert_true(has_note(&r, "not a date"));
	assert_string_equal(r.dnssec, "signedDelegation");
	assert_int_equal(r.nr_nameservers, 2);
	assert_string_equal(r.nameservers[0], "ns1.example");
	c = contact(&r, "registrant");
	assert_non_null(c);
	assert_null(c->name);
	assert_true(c->flags & TD_CONTACT_REDACTED);
	assert_string_equal(c->org, "Example Org");
	assert_string_equal(c->country, "DE");
	assert_string_equal(c->address, "Street 1, Floor 2, Berlin, 10115");
	assert_string_equal(r.org, "Example Org");
	c = contact(&r, "tech"); /* removed entirely: flagged anyway */
	assert_non_null(c);
	assert_true(c->flags & TD_CONTACT_REDACTED);
	td_record_release(&r);
}

static void
cidrs_of(const char *start, const char *end, const char *const *want, size_t nr)
{
	char json[512];
	struct td_record r;
	size_t i;

	snprintf(json, sizeof(json),
		 "{\"objectClassName\": \"ip network\", \"startAddress\": "
		 "\"%s\", \"endAddress\": \"%s\"}",
		 start, end);
	assert_int_equal(parse_str(&r, json), 0);
	if (r.nr_cidrs != nr)
		for (i = 0; i < r.nr_cidrs; i++)
			print_message("# %s-%s: %s\n", start, end, r.cidrs[i]);
	assert_int_equal(r.nr_cidrs, nr);
	for (i = 0; i < nr; i++)
		assert_string_equal(r.cidrs[i], want[i]);
	td_record_release(&r);
}

static void
rdap_range_to_cidrs(void **state)
{
	static const char *const a[] = {"192.0.2.0/24"};
	static const char *const b[] = {"10.0.0.1/32", "10.0.0.2/31",
					"10.0.0.4/31", "10.0.0.6/32"};
	static const char *const c[] = {"0.0.0.0/0"};
	static const char *const d[] = {"::/0"};
	static const char *const e[] = {"2001:db8::/127", "2001:db8::2/128"};
	static const char *const f[] = {"255.255.255.255/32"};
	static const char *const g[] = {"128.0.0.0/1"};
	static const char *const h[] = {"::/1", "8000::/2", "c000::/3"};
	struct td_record r;

	cidrs_of("192.0.2.0", "192.0.2.255", a, 1);
	cidrs_of("10.0.0.1", "10.0.0.6", b, 4);
	cidrs_of("0.0.0.0", "255.255.255.255", c, 1);
	cidrs_of("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", d, 1);
	cidrs_of("2001:db8::", "2001:db8::2", e, 2);
	cidrs_of("255.255.255.255", "255.255.255.255", f, 1);
	cidrs_of("128.0.0.0", "255.255.255.255", g, 1);
	cidrs_of("::", "dfff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", h, 3);
	/* the worst case: 2 * 127 - 1 prefixes */
	assert_int_equal(
	    parse_str(&r, "{\"objectClassName\": \"ip network\", "
			  "\"startAddress\": \"::1\", \"endAddress\": "
			  "\"ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe\"}"),
	    0);
	assert_int_equal(r.nr_cidrs, 254);
	td_record_release(&r);
	/* reversed, mixed families, garbage: no CIDR and a note */
	assert_int_equal(
	    parse_str(&r, "{\"objectClassName\": \"ip network\", "
			  "\"startAddress\": \"10.0.0.9\", \"endAddress\": "
			  "\"10.0.0.1\"}"),
	    0);
	assert_int_equal(r.nr_cidrs, 0);
	assert_true(has_note(&r, "after end"));
	td_record_release(&r);
	assert_int_equal(
	    parse_str(&r, "{\"objectClassName\": \"ip network\", "
			  "\"startAddress\": \"10.0.0.0\", \"endAddress\": "
			  "\"::1\"}"),
	    0);
	assert_int_equal(r.nr_cidrs, 0);
	td_record_release(&r);
	assert_int_equal(
	    parse_str(&r, "{\"objectClassName\": \"ip network\", "
			  "\"startAddress\": \"10.0.0.256\", \"endAddress\": "
			  "\"1.2.3\", \"country\": \"Germany\"}"),
	    0);
	assert_int_equal(r.nr_cidrs, 0);
	assert_null(r.country);
	assert_true(has_note(&r, "not understood"));
	td_record_release(&r);
}

/* ---- hostile input ---- */

static void
rdap_hostile_malformed_json(void **state)
{
	static const char *const bad[] = {"",
					  "{",
					  "}",
					  "[",
					  "null",
					  "42",
					  "\"x\"",
					  "[1, 2]",
					  "{\"a\": }",
					  "{\"objectClassName\": \"domain\",}",
					  "{'a': 1}",
					  "\xff\xfe{}",
					  "{\"a\": \"\xc3\x28\"}",
					  "{} {}",
					  "{\"a\": 1e999999}",
					  "{\"a\": 99999999999999999999999}",
					  "{}"};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct td_record r;
		struct td_error err = {0};

		td_record_init(&r);
		assert_int_equal(
		    td_rdap_parse(&r, bad[i], strlen(bad[i]), NULL, &err),
		    TD_EPARSE);
		assert_true(err.msg[0] != '\0');
		td_record_release(&r);
	}
	/* NUL inside the buffer and inside a string */
	{
		struct td_record r;
		static const char nul[] = "{\"objectClassName\": \"domain\", "
					  "\"ldhName\": \"a\\u0000b.test\", "
					  "\"handle\": \"H\"}";

		td_record_init(&r);
		assert_int_equal(td_rdap_parse(&r, "{}\0{}", 5, NULL, NULL),
				 TD_EPARSE);
		td_record_release(&r);
		assert_int_equal(parse_str(&r, nul), 0);
		assert_null(r.domain);
		assert_string_equal(r.handle, "H");
		assert_true(has_note(&r, "NUL"));
		td_record_release(&r);
	}
}

/* "{"objectClassName":"domain","entities":[{"entities":[ ... ]}]}" */
static char *
nested(size_t depth)
{
	struct td_buf b = TD_BUF_INIT;
	size_t i;

	td_buf_adds(&b, "{\"objectClassName\": \"domain\", \"ldhName\": "
			"\"deep.test\", \"entities\": [");
	for (i = 0; i < depth; i++)
		td_buf_adds(&b, "{\"roles\": [\"abuse\"], \"entities\": [");
	for (i = 0; i < depth; i++)
		td_buf_adds(&b, "]}");
	td_buf_adds(&b, "]}");
	assert_false(td_buf_failed(&b));
	return td_buf_detach(&b, NULL);
}

static void
rdap_hostile_deep_nesting(void **state)
{
	struct td_record r;
	struct td_error err = {0};
	char *s = nested(1000); /* 2,000 levels of JSON */
	struct td_buf b = TD_BUF_INIT;
	size_t i;

	assert_int_equal(parse_str(&r, s), 0);
	assert_string_equal(r.domain, "deep.test");
	assert_true(has_note(&r, "nested deeper"));
	assert_true(r.nr_contacts <= TD_RDAP_MAX_DEPTH);
	td_record_release(&r);
	free(s);

	/* deeper than jansson's 2048: refused, not a stack overflow */
	s = nested(1100);
	td_record_init(&r);
	assert_int_equal(td_rdap_parse(&r, s, strlen(s), NULL, &err),
			 TD_EPARSE);
	print_message("# 2,200 levels: %s\n", err.msg);
	td_record_release(&r);
	free(s);
	for (i = 0; i < 100000; i++)
		td_buf_addch(&b, '[');
	td_record_init(&r);
	assert_int_equal(td_rdap_parse(&r, b.ptr, b.len, NULL, NULL),
			 TD_EPARSE);
	td_record_release(&r);
	td_buf_release(&b);

	/* a deeply nested jCard value */
	td_buf_adds(&b, "{\"objectClassName\": \"entity\", \"vcardArray\": "
			"[\"vcard\", [[\"adr\", {}, \"text\", ");
	for (i = 0; i < 1500; i++)
		td_buf_addch(&b, '[');
	for (i = 0; i < 1500; i++)
		td_buf_addch(&b, ']');
	td_buf_adds(&b, "]]]}");
	assert_int_equal(parse_str(&r, b.ptr), 0);
	td_record_release(&r);
	td_buf_release(&b);
}

static void
rdap_hostile_huge_strings(void **state)
{
	struct td_buf b = TD_BUF_INIT;
	struct td_record r;
	struct td_error err = {0};
	size_t i;

	td_buf_adds(&b, "{\"objectClassName\": \"domain\", \"handle\": \"H\", "
			"\"ldhName\": \"");
	for (i = 0; i < 10 * 1024 * 1024; i++)
		td_buf_addch(&b, 'a');
	td_buf_adds(&b, ".test\", \"entities\": [{\"roles\": [\"abuse\"], "
			"\"vcardArray\": [\"vcard\", [[\"email\", {}, "
			"\"text\", \"abuse@ok.test\"]]]}]}");
	assert_false(td_buf_failed(&b));
	assert_int_equal(parse_str(&r, b.ptr), 0);
	assert_null(r.domain);
	assert_string_equal(r.abuse_email, "abuse@ok.test");
	assert_true(has_note(&r, "over"));
	td_record_release(&r);

	/* over the size limit: refused before parsing */
	td_buf_reset(&b);
	assert_int_equal(td_buf_grow(&b, TD_RDAP_MAX_BYTES + 2), 0);
	memset(b.ptr, ' ', TD_RDAP_MAX_BYTES + 1);
	b.len = TD_RDAP_MAX_BYTES + 1;
	td_record_init(&r);
	assert_int_equal(td_rdap_parse(&r, b.ptr, b.len, NULL, &err),
			 TD_ELIMIT);
	print_message("# %s\n", err.msg);
	td_record_release(&r);
	td_buf_release(&b);
}

static void
rdap_hostile_wrong_types(void **state)
{
	static const char *const cases[] = {
	    "{\"objectClassName\": 5}",
	    "{\"objectClassName\": \"domain\", \"ldhName\": 5, "
	    "\"unicodeName\": [],"
	    " \"entities\": \"x\", \"events\": {}, \"status\": 7,"
	    " \"nameservers\": \"a\", \"secureDNS\": [], \"links\": \"x\","
	    " \"redacted\": \"x\", \"port43\": {}, \"handle\": null}",
	    "{\"objectClassName\": \"domain\", \"status\": \"active\","
	    " \"events\": [1, \"x\", {\"eventAction\": 1, \"eventDate\": []},"
	    "  {\"eventAction\": \"registration\"}],"
	    " \"links\": [1, {\"rel\": 5}, {\"rel\": \"related\", \"href\": "
	    "5}],"
	    " \"nameservers\": [null, {\"ldhName\": 5}, [], \"\"],"
	    " \"secureDNS\": {\"delegationSigned\": \"yes\"},"
	    " \"redacted\": [1, {\"name\": 5}, {\"name\": {\"type\": 5}}]}",
	    "{\"objectClassName\": \"domain\", \"entities\": [1, null, [], "
	    "\"x\","
	    " {\"roles\": 5}, {\"roles\": \"registrar\", \"publicIds\": \"x\"},"
	    " {\"roles\": [\"registrar\"], \"publicIds\": [1, {\"type\": "
	    "\"IANA Registrar ID\", \"identifier\": []}, {\"type\": \"IANA "
	    "Registrar ID\", \"identifier\": \"abc\"}], \"links\": {}},"
	    " {\"roles\": [1, null, \"abuse\"], \"vcardArray\": \"x\"},"
	    " {\"roles\": [\"abuse\"], \"vcardArray\": {}},"
	    " {\"roles\": [\"abuse\"], \"vcardArray\": []},"
	    " {\"roles\": [\"abuse\"], \"vcardArray\": [\"vcard\"]},"
	    " {\"roles\": [\"abuse\"], \"vcardArray\": [\"vcard\", 5]},"
	    " {\"roles\": [\"abuse\"], \"vcardArray\": [\"vcard\", [5, [], "
	    "[1,2,3,4],"
	    "   [\"email\"], [\"email\", 5, 6, 7], [\"tel\", {\"type\": 5}, "
	    "\"uri\", 5],"
	    "   [\"adr\", {\"cc\": 5, \"label\": []}, \"text\", {}],"
	    "   [\"adr\", {}, \"text\", [1, [2, [3]], null]],"
	    "   [\"org\", {}, \"text\", []], [\"email\", {\"pref\": []}, "
	    "\"text\", \"a@b.test\"]]]},"
	    " {\"entities\": {\"roles\": [\"abuse\"]}}, {\"remarks\": 5},"
	    " {\"remarks\": [1, {\"title\": 5}]}]}",
	    "{\"objectClassName\": \"ip network\", \"startAddress\": 5,"
	    " \"endAddress\": [], \"cidr0_cidrs\": [1, {\"v4prefix\": 5},"
	    " {\"v4prefix\": \"1.2.3.0\", \"length\": 99}, {\"v6prefix\": "
	    "\"x\","
	    " \"length\": 1}], \"arin_originas0_originautnums\": [\"x\", -5],"
	    " \"country\": 5, \"parentHandle\": {}}",
	    "{\"objectClassName\": \"autnum\", \"startAutnum\": \"x\","
	    " \"endAutnum\": -1, \"name\": [], \"country\": \"\"}",
	    "{\"objectClassName\": \"autnum\", \"startAutnum\": 99999999999,"
	    " \"endAutnum\": 5}",
	    "{\"objectClassName\": \"entity\", \"vcardArray\": [\"vcard\", "
	    "[\"version\", {}, \"text\", \"4.0\"]], \"roles\": \"abuse\"}",
	    "{\"errorCode\": \"x\", \"title\": 5, \"description\": 7}",
	    "{\"errorCode\": [], \"description\": [5]}",
	    "{\"domainSearchResults\": 5}",
	    "{\"objectClassName\": \"unknown thing\", \"entities\": []}",
	    "{\"objectClassName\": \"nameserver\", \"ldhName\": \"...\"}",
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct td_record r;
		int rc = parse_str(&r, cases[i]);

		assert_true(rc == 0 || rc == TD_EPARSE);
		td_record_release(&r);
	}
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *
many_entities(size_t n)
{
	struct td_buf b = TD_BUF_INIT;
	size_t i;

	td_buf_adds(&b,
		    "{\"objectClassName\": \"ip network\", \"startAddress\":"
		    " \"10.0.0.0\", \"endAddress\": \"10.255.255.255\", "
		    "\"entities\": [");
	for (i = 0; i < n; i++)
		td_buf_printf(&b,
			      "%s{\"handle\": \"H%zu\", \"roles\": "
			      "[\"technical\", \"abuse\"], \"vcardArray\": "
			      "[\"vcard\", [[\"fn\", {}, \"text\", \"N%zu\"], "
			      "[\"email\", {}, \"text\", \"a%zu@x.test\"]]]}",
			      i ? ", " : "", i, i, i);
	td_buf_adds(&b, "]}");
	assert_false(td_buf_failed(&b));
	return td_buf_detach(&b, NULL);
}

static void
rdap_hostile_many_entities_linear(void **state)
{
	struct td_record r;
	char *s1 = many_entities(10000), *s4 = many_entities(40000);
	double t0, t1, t4;

	t0 = now();
	assert_int_equal(parse_str(&r, s1), 0);
	t1 = now() - t0;
	assert_true(has_note(&r, "entities read"));
	assert_true(r.nr_contacts <= 500);
	assert_string_equal(r.abuse_email, "a0@x.test");
	td_record_release(&r);
	t0 = now();
	assert_int_equal(parse_str(&r, s4), 0);
	t4 = now() - t0;
	td_record_release(&r);
	print_message("# 10,000 entities: %.3f s; 40,000: %.3f s\n", t1, t4);
	assert_true(t1 < 5.0);
	/* linear: four times the input, not sixteen times the time */
	assert_true(t4 < 8 * t1 + 0.5);
	free(s1);
	free(s4);
}

/* Every corpus answer cut short at many points: refused, never a crash. */
static void
rdap_hostile_truncated_answers(void **state)
{
	static const char *const rels[] = {
	    "rdap-bbot/verisign_com_github.json",
	    "rdap-whoisit/responses/data_rdap_response_ip_v4_3.json",
	    "rdap-icann/gtld-whois-rendering/lemonde.fr.json"};
	size_t k, cut, runs = 0;

	need_corpus("rdap-bbot");
	for (k = 0; k < sizeof(rels) / sizeof(rels[0]); k++) {
		char path[1024];
		size_t len;
		char *s;

		snprintf(path, sizeof(path), "%s/%s", corpus_dir(), rels[k]);
		s = slurp(path, &len);
		assert_non_null(s);
		for (cut = 0; cut < len; cut += 1 + len / 97) {
			struct td_record r;
			int rc;

			td_record_init(&r);
			rc = td_rdap_parse(&r, s, cut, NULL, NULL);
			assert_true(rc == TD_EPARSE || rc == 0);
			td_record_release(&r);
			runs++;
		}
		free(s);
	}
	print_message("# %zu truncated answers refused cleanly\n", runs);
}

/* ---- the summary ---- */

static void
rdap_field_agreement_summary(void **state)
{
	static const char *const what[2] = {"oracle", "by hand"};
	unsigned agree, total;
	size_t f, k;

	need_corpus("rdap-icann");
	for (f = 0; f < F_NR; f++) {
		agree = stats[0][f].agree + stats[1][f].agree;
		total = stats[0][f].total + stats[1][f].total;
		if (!total)
			continue;
		print_message("# agreement %-16s %3u/%-3u %5.1f%%",
			      field_names[f], agree, total,
			      100.0 * agree / total);
		for (k = 0; k < 2; k++)
			if (stats[k][f].total)
				print_message("  (%s %u/%u)", what[k],
					      stats[k][f].agree,
					      stats[k][f].total);
		print_message("\n");
		assert_true(agree * 100 >= total * 98);
	}
	print_message("# %u disagreements (listed above with DISAGREE)\n",
		      disagreements);
	assert_true(stats[0][F_REGISTRAR].total + stats[1][F_REGISTRAR].total >=
		    20);
	assert_true(stats[0][F_CREATED].total + stats[1][F_CREATED].total >=
		    20);
	assert_true(stats[0][F_ABUSE_EMAIL].total >= 15);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(rdap_corpus_every_answer_parses),
	    cmocka_unit_test(rdap_icann_gtld_rendering_agrees),
	    cmocka_unit_test(rdap_20c_autnum_emails_found),
	    cmocka_unit_test(rdap_20c_normalize_agrees),
	    cmocka_unit_test(rdap_ip_abuse_email_always_found),
	    cmocka_unit_test(rdap_domain_facts_agree),
	    cmocka_unit_test(rdap_verisign_github_registrar_and_nested_abuse),
	    cmocka_unit_test(rdap_markmonitor_abuse_without_email),
	    cmocka_unit_test(rdap_nominet_redacted_registrant),
	    cmocka_unit_test(rdap_pir_wikipedia),
	    cmocka_unit_test(rdap_namecheap_privacy_proxy),
	    cmocka_unit_test(rdap_apnic_1_1_1_0_cidr_country_abuse),
	    cmocka_unit_test(rdap_arin_networks),
	    cmocka_unit_test(rdap_ripe_lacnic_afrinic_jpnic_networks),
	    cmocka_unit_test(rdap_autnum_fields),
	    cmocka_unit_test(rdap_error_help_search_answers),
	    cmocka_unit_test(rdap_whodap_bad_responses_partial),
	    cmocka_unit_test(rdap_jcard_cases_never_crash),
	    cmocka_unit_test(rdap_fixtures_every_registry),
	    cmocka_unit_test(rdap_synthetic_domain_fields),
	    cmocka_unit_test(rdap_range_to_cidrs),
	    cmocka_unit_test(rdap_hostile_malformed_json),
	    cmocka_unit_test(rdap_hostile_deep_nesting),
	    cmocka_unit_test(rdap_hostile_huge_strings),
	    cmocka_unit_test(rdap_hostile_wrong_types),
	    cmocka_unit_test(rdap_hostile_many_entities_linear),
	    cmocka_unit_test(rdap_hostile_truncated_answers),
	    cmocka_unit_test(rdap_field_agreement_summary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
