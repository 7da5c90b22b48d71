/*
 * WHOIS answers into struct td_record.  Two halves:
 *
 * - Accuracy over every WHOIS answer of the shared corpus (read in place
 *   from $TD_CORPUS, default ../shared/corpus; the data keep their
 *   licences, see each folder's SOURCE.md), against the values other
 *   projects' maintainers wrote down: registrar name, creation date and
 *   abuse e-mail agreement per corpus, not-found and rate-limit
 *   recognition.  Every disagreement is printed with a one-word reason;
 *   the ones where the expected value is wrong, stale or another
 *   convention are in the commented exclusion table below.  "Agreement"
 *   is defined in docs/internals/whois.md and at agree_name() and
 *   agree_date().
 * - Focused tests of each layout on short answers written here, and
 *   hostile input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "whois.h"
#include "banned.h"

/* ---- helpers ---- */

#include "corpus.h"

static int
parse_file(struct td_record *r, const char *path, const char *hint)
{
	struct td_error err = {0};
	size_t len;
	char *s = slurp(path, &len);
	int rc;

	if (!s) {
		print_message("# cannot read %s\n", path);
		td_record_init(r);
		return -1;
	}
	rc = td_whois_parse(r, s, len, hint, &err);
	if (rc)
		print_message("# %s: %s\n", path, err.msg);
	free(s);
	return rc;
}

static void
parse_str(struct td_record *r, const char *text, const char *hint)
{
	assert_int_equal(td_whois_parse(r, text, strlen(text), hint, NULL), 0);
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
has_str(char **list, size_t nr, const char *s)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (!strcmp(list[i], s))
			return 1;
	return 0;
}

/* ---- agreement ---- */

/*
 * Names agree when equal ignoring case, with runs of white space taken as
 * one space and leading/trailing space dropped.  Nothing else is folded:
 * "MarkMonitor Inc." and "MarkMonitor, Inc." disagree, and such cases are
 * looked at one by one (exclusions below).
 */
static void
fold(char *out, size_t size, const char *s)
{
	size_t n = 0;
	int sp = 1;

	for (; *s && n + 1 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			if (!sp)
				out[n++] = ' ';
			sp = 1;
			continue;
		}
		out[n++] = (char)(c >= 'A' && c <= 'Z' ? c | 0x20 : c);
		sp = 0;
	}
	while (n && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

/* Agreements that needed strip_annotation() */
static int folded, folded_seen;

/*
 * Registry annotations after a registrar's name: Afilias/CentralNic
 * "(R22-LRCC)", .me "R45-ME", Nominet "[Tag = GODADDY]", mTLD "(292)".
 * weppos strips them, the other projects keep them; names that differ
 * only by one agree.
 */
static void
strip_annotation(char *s)
{
	size_t n = strlen(s);
	char *o;

	while (n && s[n - 1] == ' ')
		s[--n] = '\0';
	if (n && s[n - 1] == ']' && (o = strrchr(s, '[')) != NULL &&
	    !strncmp(o, "[tag = ", 7)) {
		*o = '\0';
	} else if (n && s[n - 1] == ')' && (o = strrchr(s, '(')) != NULL) {
		const char *q = o + 1;

		if (*q == 'r')
			q++;
		while (*q >= '0' && *q <= '9')
			q++;
		if (q > o + 1 && (*q == ')' || *q == '-'))
			*o = '\0';
	} else if ((o = strrchr(s, ' ')) != NULL && o[1] == 'r' &&
		   o[2] >= '0' && o[2] <= '9' && strchr(o, '-')) {
		*o = '\0';
	} else {
		return;
	}
	n = strlen(s);
	while (n && s[n - 1] == ' ')
		s[--n] = '\0';
}

static int
agree_name(const char *want, const char *got)
{
	char a[1100], b[1100], a2[1100], b2[1100];

	if (!want || !got)
		return 0;

	fold(a, sizeof(a), want);
	fold(b, sizeof(b), got);
	if (!strcmp(a, b))
		return 1;
	memcpy(a2, a, sizeof(a));
	memcpy(b2, b, sizeof(b));
	strip_annotation(a2);
	strip_annotation(b2);
	if (!strcmp(a2, b) || !strcmp(a, b2) || !strcmp(a2, b2)) {
		folded++;
		return 1;
	}
	return 0;
}

/* Does a written date carry its zone ("Z", "+02:00", "-0700", "UTC")? */
static int
has_zone(const char *s)
{
	const char *t = strpbrk(s, "T :");
	size_t n = strlen(s);

	if (!t || !strchr(s, ':'))
		return 0; /* no time: a calendar date */
	if (n && (s[n - 1] == 'Z' || s[n - 1] == 'z'))
		return 1;
	if (strstr(s, "UTC") || strstr(s, "GMT"))
		return 1;
	t = strchr(s, ':');
	return strpbrk(t, "+-") != NULL;
}

/*
 * Dates agree as UTC instants when the expected value carries its zone;
 * otherwise (a calendar date, or a time in an unstated zone) the date
 * parts agree.  The expected text is read with td_record_date(), which
 * test_record_text.c checks form by form.
 */
static int
agree_date(const char *want, const char *got)
{
	char w[32];

	if (!want || !got)
		return 0;
	if (td_record_date(w, sizeof(w), want) < 0)
		return 0;
	if (has_zone(want))
		return !strcmp(w, got);
	return !strncmp(w, got, 10);
}

/* One word saying why got and want differ */
static const char *
reason(int field, const char *want, const char *got)
{
	char a[1100], b[1100];
	size_t i, k;
	char w[32];

	if (!got)
		return "missing";
	if (field == 1) {
		if (td_record_date(w, sizeof(w), want) < 0)
			return "unreadable-expected";
		if (!strncmp(w, got, 10) || !strncmp(w, got, 7))
			return "zone";
		return "other-date";
	}
	/* names and e-mails without punctuation and case */
	for (i = k = 0; want[i] && k + 1 < sizeof(a); i++)
		if ((want[i] | 0x20) >= 'a' && (want[i] | 0x20) <= 'z')
			a[k++] = (char)(want[i] | 0x20);
	a[k] = '\0';
	for (i = k = 0; got[i] && k + 1 < sizeof(b); i++)
		if ((got[i] | 0x20) >= 'a' && (got[i] | 0x20) <= 'z')
			b[k++] = (char)(got[i] | 0x20);
	b[k] = '\0';
	if (!strcmp(a, b))
		return "punctuation";
	if (k && (strstr(a, b) || strstr(b, a)))
		return "suffix";
	return "different";
}

/* ---- the exclusion table ---- */

/*
 * Disagreements looked at one by one where takedown is right and the
 * expected value is wrong, stale, or follows another convention.  Each
 * entry names the corpus, the answer file (as printed), the field and why.
 * An excluded comparison is printed and counted apart, never as agreed.
 */
struct exclusion {
	const char *corpus, *file, *field, *why;
};

static const struct exclusion exclusions[] = {
    /* whois-parser */
    {"whois-parser", "noterror/ua_google.ua", "registrar",
     "the .ua registrar object is keyed by its handle 'ua.markmonitor' "
     "and gives organization 'MarkMonitor Inc.', which we take "
     "(richardpenman expects the organisation for google.com.ua)"},
    {"whois-parser", "noterror/gg_google.gg", "registrar",
     "whois-parser drops the '(http://www.markmonitor.com)' the registry "
     "writes after the name; we keep names as written, as whois-parser "
     "itself does for .kr and php-whois for the same layout (.as)"},
    {"whois-parser", "noterror/it_git.it", "registrar",
     "the .it Registrar block gives Organization 'Algorithmedia S.r.l.' "
     "and Name 'AM-REG' (a handle); we take the organisation, as "
     "richardpenman expects for google.it"},

    /* php-whois: where the registry names no registrar, or only a
       handle, php-whois puts a contact's organisation instead */
    {"whois-php-whois", "lu/google.lu.txt", "created",
     "php-whois reads DNS-LU's '04/06/2003' month first (PHP strtotime); "
     "DNS-LU writes DD/MM/YYYY, and weppos reads 2003-06-04 as we do"},
    {"whois-php-whois", "bo/google.com.bo.txt", "registrar",
     "no registrar in the answer; php-whois takes the billing contact's "
     "Organizacion"},
    {"whois-php-whois", "cf/google.cf.txt", "registrar",
     "no registrar in the answer; php-whois takes the owner's "
     "Organization"},
    {"whois-php-whois", "cz/google.cz.txt", "registrar",
     "the registry names the registrar by handle, REG-MARKMONITOR, which "
     "we give; php-whois takes the tech contact's org"},
    {"whois-php-whois", "it.ao/google.it.ao.txt", "registrar",
     "the registry names the registrar by handle, REGITAO, which we give; "
     "php-whois takes the tech contact's org"},
    {"whois-php-whois", "mk/google.mk.txt", "registrar",
     "the registry names the registrar by handle, UNET-REG, which we give; "
     "php-whois takes the admin contact's name"},
    {"whois-php-whois", "tz/google.co.tz.txt", "registrar",
     "the registry names the registrar by handle, REG-ITFARM, which we "
     "give; php-whois takes the registrant's org"},
    {"whois-php-whois", "de/google.de.txt", "registrar",
     "DENIC answers name no registrar; php-whois takes the Zone-C "
     "Organisation"},
    {"whois-php-whois", "hr/google.hr.txt", "registrar",
     "no registrar in the answer; php-whois takes the tech-c person's org"},
    {"whois-php-whois", "ie/google.ie.txt", "registrar",
     "no registrar in the answer; php-whois takes the tech-c person's "
     "name"},
    {"whois-php-whois", "ir/mhf.ir.txt", "registrar",
     "no registrar in the answer; php-whois takes the admin/tech "
     "contact's org"},
    {"whois-php-whois", "is/google.is.txt", "registrar",
     "no registrar in the answer; php-whois takes the billing-c role "
     "name"},
    {"whois-php-whois", "pr/google.com.pr.txt", "registrar",
     "no registrar in the answer; php-whois takes the billing contact's "
     "Organization"},
    {"whois-php-whois", "il/google.co.il.txt", "registrar",
     "the answer says 'registrar name: Domain The Net Technologies Ltd', "
     "which we take (richardpenman agrees); php-whois takes the zone-c "
     "person's address line"},
    {"whois-php-whois", "sk/google.sk.txt", "registrar",
     "php-whois expects the handle FAJN-0002; the registrar block names "
     "'FAJNOR IP s. r. o.', which we take"},

    /* pythonwhois lists every address of the answer, disclaimers too */
    {"whois-pythonwhois", "ufpa.br", "abuse",
     "cert@cert.br is in NIC.br's disclaimer ('security and mail abuse "
     "issues should also be addressed to cert.br'), not a field"},
    {"whois-pythonwhois", "expopack.com.mx", "abuse",
     "abuse@nic.mx is in NIC Mexico's disclaimer, not a field"},

    /* richardpenman (python-whois) */
    {"whois-richardpenman", "microsoft.com", "registrar",
     "the expected name is from one of the 'Server Name: "
     "MICROSOFT.COM.ZZZ...' host records Verisign lists first; the "
     "'Domain Name: MICROSOFT.COM' record says TUCOWS INC."},
    {"whois-richardpenman", "reddit.com", "registrar",
     "expected from the registrar's part of the answer; the registry's "
     "part, which comes first and is authoritative for the sponsoring "
     "registrar, says 'DSTR ACQUISITION PA I, LLC DBA DOMAINBANK.COM'"},
    {"whois-richardpenman", "druid.fi", "created",
     "python-whois drops the time of Traficom dates; the answer says "
     "'18.7.2012 04:04:23' and the +00:00 it adds is not in the answer"},

    /* weppos */
    {"whois-weppos", "whois.nic.es/es/status_registered.txt", "registrar",
     "the answer names no registrar; weppos returns the registry, ES-NIC"},
    {"whois-weppos", "whois.comlaude.com/status_registered.txt", "registrar",
     "the answer says 'Registrar: Com Laude'; weppos returns the company "
     "behind the trading name"},
    {"whois-weppos", "whois.nic.uk/uk/status_registered.txt", "registrar",
     "weppos keeps only the trading name after 't/a'; we keep the name "
     "as written"},
    {"whois-weppos", "whois.register.bg/bg/status_registered.txt", "created",
     "'30/06/2003 00:00:00 EEST' is 2003-06-29T21:00:00Z; weppos keeps the "
     "local time without its zone"},
    {"whois-weppos", "whois.gov.za/gov.za/status_registered.txt", "created",
     "the only date is the request form's '7b. Date', which weppos takes "
     "for the creation date; we do not read a bare 'Date'"},

    /* ipwhois: the WHOIS and RDAP captures were made at different times */
    {"ipwhois-rdap", "2a00_2381_ffff__1.txt", "abuse",
     "the WHOIS capture's RIPE abuse comment names protect@bt.com; the "
     "RDAP twin, captured at another time, names zzdnsr@bt.com"},
    {NULL, NULL, NULL, NULL},
};

static const struct exclusion *
excluded(const char *corpus, const char *file, const char *field)
{
	size_t i;

	for (i = 0; exclusions[i].corpus; i++)
		if (!strcmp(exclusions[i].corpus, corpus) &&
		    !strcmp(exclusions[i].file, file) &&
		    !strcmp(exclusions[i].field, field))
			return &exclusions[i];
	return NULL;
}

/* ---- tallies ---- */

enum { F_REGISTRAR, F_CREATED, F_ABUSE, F_NR };

static const char *const field_names[] = {"registrar", "created", "abuse"};

struct tally {
	const char *corpus;
	int total[F_NR], agree[F_NR], excl[F_NR], folded[F_NR];
};

#define NR_CORPORA 6
static struct tally tallies[NR_CORPORA] = {
    {.corpus = "whois-parser"},	     {.corpus = "whois-php-whois"},
    {.corpus = "whois-pythonwhois"}, {.corpus = "whois-richardpenman"},
    {.corpus = "whois-weppos"},	     {.corpus = "ipwhois-rdap"},
};

static struct tally *
tally_of(const char *corpus)
{
	int i;

	for (i = 0; i < NR_CORPORA; i++)
		if (!strcmp(tallies[i].corpus, corpus))
			return &tallies[i];
	return NULL;
}

/*
 * Count one comparison.  ok: already judged by the caller (for lists).
 * Returns 1 when it agreed.
 */
static int
count(const char *corpus, const char *file, int field, const char *want,
      const char *got, int ok)
{
	struct tally *t = tally_of(corpus);
	const struct exclusion *x;

	t->total[field]++;
	if (ok) {
		t->agree[field]++;
		if (folded != folded_seen)
			t->folded[field]++;
		folded_seen = folded;
		return 1;
	}
	folded_seen = folded;
	x = excluded(corpus, file, field_names[field]);
	if (x) {
		t->excl[field]++;
		print_message("# excluded %s %s %s [%s]: got \"%s\" want "
			      "\"%s\" (%s)\n",
			      corpus, file, field_names[field],
			      reason(field, want, got), got ? got : "-", want,
			      x->why);
		return 0;
	}
	print_message("# DISAGREE %s %s %s [%s]: got \"%s\" want \"%s\"\n",
		      corpus, file, field_names[field],
		      reason(field, want, got), got ? got : "-", want);
	return 0;
}

static void
compare(const char *corpus, const char *file, int field, const char *want,
	const char *got)
{
	int ok;

	if (!want || !*want)
		return;
	if (field == F_CREATED)
		ok = agree_date(want, got);
	else
		ok = agree_name(want, got);
	count(corpus, file, field, want, got, ok);
}

/* A JSON string, or any element of a JSON array of strings, agrees */
static void
compare_json(const char *corpus, const char *file, int field, json_t *want,
	     const char *got)
{
	size_t i;
	json_t *e;
	int ok = 0;
	const char *first = NULL;

	if (json_is_string(want)) {
		compare(corpus, file, field, json_string_value(want), got);
		return;
	}
	if (!json_is_array(want) || !json_array_size(want))
		return;
	json_array_foreach(want, i, e)
	{
		const char *w = json_string_value(e);

		if (!w || !*w)
			continue;
		if (!first)
			first = w;
		if (field == F_CREATED ? agree_date(w, got)
				       : agree_name(w, got))
			ok = 1;
	}
	if (first)
		count(corpus, file, field, first, got, ok);
}

/* ---- status recognition ---- */

struct status_tally {
	int nf_total, nf_ok, rl_total, rl_ok, found_total, found_bad;
	int excl_total, excl_bad;
};

static struct status_tally st;

/*
 * Answers that a corpus files as "not registered" but that say something
 * else; the status they really carry is asserted instead.
 */
static const struct {
	const char *file;
	enum td_rec_status status;
	const char *why;
} status_exclusions[] = {
    {"hk/free.txt", TD_REC_RATE_LIMITED,
     "HKIRC: 'Please maintain at least 10-second time before starting "
     "another enquiry'"},
    {"nz/free.txt", TD_REC_RATE_LIMITED,
     "DNCL: 'query_status: 440 Request Denied'"},
    {"ga/free.txt", TD_REC_RATE_LIMITED,
     "Freenom: 'can temporarily not be answered. Please try again.'"},
    {"ml/free.txt", TD_REC_RATE_LIMITED,
     "Freenom: 'can temporarily not be answered. Please try again.'"},
    {"bo/free.txt", TD_REC_ERROR,
     "NIC.BO: 'solo acepta consultas con dominios .bo' (refuses the "
     "query)"},
    {"vu/free.txt", TD_REC_ERROR,
     "'The domain free.vu is not valid!' says nothing about registration"},
    {"mu.oz.au", TD_REC_NOT_FOUND,
     "the answer is 'No Data Found'; pythonwhois keeps an empty record"},
    {NULL, TD_REC_FOUND, NULL},
};

static void
expect_status(const char *file, const struct td_record *r,
	      enum td_rec_status want)
{
	size_t i;

	for (i = 0; status_exclusions[i].file; i++)
		if (!strcmp(status_exclusions[i].file, file)) {
			st.excl_total++;
			if (r->status != status_exclusions[i].status) {
				st.excl_bad++;
				print_message("# DISAGREE status %s: got %s, "
					      "want %s (%s)\n",
					      file,
					      td_record_status_name(r->status),
					      td_record_status_name(
						  status_exclusions[i].status),
					      status_exclusions[i].why);
			} else {
				print_message("# excluded status %s: %s (%s)\n",
					      file,
					      td_record_status_name(r->status),
					      status_exclusions[i].why);
			}
			return;
		}
	if (want == TD_REC_NOT_FOUND) {
		st.nf_total++;
		if (r->status == want)
			st.nf_ok++;
		else
			print_message("# DISAGREE status %s: got %s (%s), want "
				      "not_found\n",
				      file, td_record_status_name(r->status),
				      r->status_text ? r->status_text : "-");
	} else if (want == TD_REC_RATE_LIMITED) {
		st.rl_total++;
		if (r->status == want)
			st.rl_ok++;
		else
			print_message("# DISAGREE status %s: got %s (%s), want "
				      "rate_limited\n",
				      file, td_record_status_name(r->status),
				      r->status_text ? r->status_text : "-");
	} else {
		st.found_total++;
		if (r->status != TD_REC_FOUND) {
			st.found_bad++;
			print_message("# DISAGREE status %s: got %s (%s), want "
				      "found\n",
				      file, td_record_status_name(r->status),
				      r->status_text ? r->status_text : "-");
		}
	}
}

/* ---- corpus walks ---- */

static int walked;

static int
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

static void
walk_whois_parser(void)
{
	char dir[512], path[2048], rel[600];
	DIR *d;
	struct dirent *e;

	snprintf(dir, sizeof(dir), "%s/whois-parser/noterror", corpus_dir());
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		json_t *j, *dom, *reg;
		struct td_record r;
		size_t n = strlen(e->d_name);

		if (!ends_with(e->d_name, ".json"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		j = json_load_file(path, 0, NULL);
		assert_non_null(j);
		snprintf(rel, sizeof(rel), "noterror/%.*s", (int)(n - 5),
			 e->d_name);
		snprintf(path, sizeof(path), "%s/%.*s", dir, (int)(n - 5),
			 e->d_name);
		assert_int_equal(parse_file(&r, path, NULL), 0);
		walked++;
		expect_status(rel, &r, TD_REC_FOUND);
		dom = json_object_get(j, "domain");
		reg = json_object_get(j, "registrar");
		compare("whois-parser", rel, F_CREATED,
			json_string_value(json_object_get(dom, "created_date")),
			r.created);
		compare("whois-parser", rel, F_REGISTRAR,
			json_string_value(json_object_get(reg, "name")),
			r.registrar);
		compare("whois-parser", rel, F_ABUSE,
			json_string_value(json_object_get(reg, "email")),
			r.abuse_email);
		td_record_release(&r);
		json_decref(j);
	}
	closedir(d);

	snprintf(dir, sizeof(dir), "%s/whois-parser/notfound", corpus_dir());
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		struct td_record r;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		snprintf(rel, sizeof(rel), "notfound/%s", e->d_name);
		assert_int_equal(parse_file(&r, path, NULL), 0);
		walked++;
		expect_status(rel, &r, TD_REC_NOT_FOUND);
		td_record_release(&r);
	}
	closedir(d);
}

static void
walk_php_whois(void)
{
	char path[1200], line[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/whois-php-whois/tld/CASES.tsv",
		 corpus_dir());
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL, *dom, *resp, *exp;
		struct td_record r;
		json_t *j;

		line[strcspn(line, "\r\n")] = '\0';
		dom = strtok_r(line, "\t", &save);
		resp = strtok_r(NULL, "\t", &save);
		exp = strtok_r(NULL, "\t", &save);
		if (!dom || !resp || !exp || !strcmp(dom, "domain"))
			continue;
		snprintf(path, sizeof(path), "%s/whois-php-whois/tld/%s",
			 corpus_dir(), resp);
		if (parse_file(&r, path, NULL) < 0) {
			td_record_release(&r);
			continue; /* kept out of the corpus on purpose */
		}
		walked++;
		if (!strcmp(exp, "-")) {
			expect_status(resp, &r, TD_REC_NOT_FOUND);
			td_record_release(&r);
			continue;
		}
		expect_status(resp, &r, TD_REC_FOUND);
		snprintf(path, sizeof(path), "%s/whois-php-whois/tld/%s",
			 corpus_dir(), exp);
		j = json_load_file(path, 0, NULL);
		if (j) {
			compare("whois-php-whois", resp, F_CREATED,
				json_string_value(
				    json_object_get(j, "creationDate")),
				r.created);
			compare(
			    "whois-php-whois", resp, F_REGISTRAR,
			    json_string_value(json_object_get(j, "registrar")),
			    r.registrar);
			json_decref(j);
		}
		td_record_release(&r);
	}
	fclose(f);
}

/*
 * pythonwhois lists every value it found (registry part and registrar
 * part), so a value agrees when it is one of them.  Its "emails" are all
 * the addresses of the record: the abuse address agrees when it is one of
 * them; an answer where we find none is counted only when the list holds
 * an address whose local part says abuse.
 */
static void
walk_pythonwhois(void)
{
	char dir[512], path[2048];
	DIR *d;
	struct dirent *e;

	snprintf(dir, sizeof(dir), "%s/whois-pythonwhois/data", corpus_dir());
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		struct td_record r;
		json_t *j, *emails, *x;
		size_t i;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path),
			 "%s/whois-pythonwhois/"
			 "target_default/%s",
			 corpus_dir(), e->d_name);
		j = json_load_file(path, 0, NULL);
		if (!j)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		assert_int_equal(parse_file(&r, path, NULL), 0);
		walked++;
		expect_status(e->d_name, &r, TD_REC_FOUND);
		compare_json("whois-pythonwhois", e->d_name, F_CREATED,
			     json_object_get(j, "creation_date"), r.created);
		compare_json("whois-pythonwhois", e->d_name, F_REGISTRAR,
			     json_object_get(j, "registrar"), r.registrar);
		emails = json_object_get(j, "emails");
		if (json_is_array(emails) && json_array_size(emails)) {
			int in = 0, abusive = 0;
			const char *first = NULL;

			json_array_foreach(emails, i, x)
			{
				const char *m = json_string_value(x);

				if (!m)
					continue;
				if (!first || !strncasecmp(m, "abuse", 5))
					first = m;
				if (strcasestr(m, "abuse"))
					abusive = 1;
				if (r.abuse_email &&
				    !strcasecmp(m, r.abuse_email))
					in = 1;
			}
			if (first && (r.abuse_email || abusive))
				count("whois-pythonwhois", e->d_name, F_ABUSE,
				      first, r.abuse_email, in);
		}
		td_record_release(&r);
		json_decref(j);
	}
	closedir(d);
}

static void
walk_richardpenman(void)
{
	char dir[512], path[2048];
	DIR *d;
	struct dirent *e;

	snprintf(dir, sizeof(dir), "%s/whois-richardpenman/whois",
		 corpus_dir());
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		struct td_record r;
		json_t *j;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path),
			 "%s/whois-richardpenman/"
			 "expected/%s",
			 corpus_dir(), e->d_name);
		j = json_load_file(path, 0, NULL);
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		assert_int_equal(parse_file(&r, path, NULL), 0);
		walked++;
		expect_status(e->d_name, &r, TD_REC_FOUND);
		if (j) {
			compare_json(
			    "whois-richardpenman", e->d_name, F_CREATED,
			    json_object_get(j, "creation_date"), r.created);
			compare_json(
			    "whois-richardpenman", e->d_name, F_REGISTRAR,
			    json_object_get(j, "registrar"), r.registrar);
			json_decref(j);
		}
		td_record_release(&r);
	}
	closedir(d);
}

/* The value of one property block of a weppos .expected file */
static int
weppos_prop(const char *exp, const char *prop, const char *what, char *out,
	    size_t size)
{
	char head[64];
	const char *b, *end, *p;

	snprintf(head, sizeof(head), "#%s\n", prop);
	b = strstr(exp, head);
	if (b && b != exp && b[-1] != '\n')
		return 0;
	if (!b)
		return 0;
	b += strlen(head);
	end = strstr(b, "\n#");
	if (!end)
		end = b + strlen(b);
	p = strstr(b, what);
	if (!p || p >= end)
		return 0;
	p += strlen(what);
	if (what[strlen(what) - 1] == '{') {
		const char *c = strchr(p, '}');

		if (!c || c > end)
			return 0;
		snprintf(out, size, "%.*s", (int)(c - p), p);
		return 1;
	}
	if (what[strlen(what) - 1] == '"') {
		size_t k = 0;

		for (; *p && *p != '"' && p < end && k + 1 < size; p++) {
			if (*p == '\\' && p[1])
				p++;
			out[k++] = *p;
		}
		out[k] = '\0';
		return 1;
	}
	snprintf(out, size, "%.*s", (int)strcspn(p, "\n"), p);
	return 1;
}

static int
weppos_file(const char *fpath, const struct stat *sb, int type, struct FTW *ftw)
{
	char exp_path[1200], hint[256], want[512];
	const char *rel, *srv, *slash;
	struct td_record r;
	char *exp;
	size_t len;

	if (type != FTW_F || !ends_with(fpath, ".txt") ||
	    ends_with(fpath, ".expected.txt"))
		return 0;
	rel = strstr(fpath, "whois-weppos/responses/");
	if (!rel)
		return 0;
	rel += strlen("whois-weppos/responses/");
	srv = rel;
	slash = strchr(srv, '/');
	snprintf(hint, sizeof(hint), "%.*s", (int)(slash - srv), srv);
	snprintf(exp_path, sizeof(exp_path), "%.*s.expected",
		 (int)(strlen(fpath) - 4), fpath);
	exp = slurp(exp_path, &len);
	assert_int_equal(parse_file(&r, fpath, hint), 0);
	walked++;
	if (strstr(rel, "/response_throttled") ||
	    strstr(rel, "/response_blocked"))
		expect_status(rel, &r, TD_REC_RATE_LIMITED);
	if (exp) {
		if (weppos_prop(exp, "status", "%s == ", want, sizeof(want))) {
			if (!strcmp(want, ":available"))
				expect_status(rel, &r, TD_REC_NOT_FOUND);
			else if (!strcmp(want, ":registered"))
				expect_status(rel, &r, TD_REC_FOUND);
		}
		if (weppos_prop(exp, "created_on", "%TIME{", want,
				sizeof(want)))
			compare("whois-weppos", rel, F_CREATED, want,
				r.created);
		if (weppos_prop(exp, "registrar", "%s.name         == \"", want,
				sizeof(want)) ||
		    weppos_prop(exp, "registrar", "%s.name == \"", want,
				sizeof(want)))
			compare("whois-weppos", rel, F_REGISTRAR, want,
				r.registrar);
		free(exp);
	}
	td_record_release(&r);
	return 0;
}

/* Abuse addresses of an RDAP answer: entities with role abuse, any depth */
static void
rdap_abuse(json_t *ents, json_t *out)
{
	size_t i, k;
	json_t *e, *role;

	json_array_foreach(ents, i, e)
	{
		json_t *roles = json_object_get(e, "roles");
		json_t *vc =
		    json_array_get(json_object_get(e, "vcardArray"), 1);
		int abuse = 0;

		json_array_foreach(roles, k, role)
		{
			if (json_is_string(role) &&
			    !strcmp(json_string_value(role), "abuse"))
				abuse = 1;
		}
		if (abuse) {
			json_t *prop;

			json_array_foreach(vc, k, prop)
			{
				const char *name =
				    json_string_value(json_array_get(prop, 0));

				if (name && !strcmp(name, "email"))
					json_array_append(
					    out, json_array_get(prop, 3));
			}
		}
		rdap_abuse(json_object_get(e, "entities"), out);
	}
}

static void
walk_ipwhois(void)
{
	char dir[512], path[2048], base[512];
	DIR *d;
	struct dirent *e;

	snprintf(dir, sizeof(dir), "%s/ipwhois-rdap/whois-ip", corpus_dir());
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		struct td_record r;
		json_t *j, *want;
		size_t n = strlen(e->d_name);

		if (!ends_with(e->d_name, ".txt"))
			continue;
		snprintf(base, sizeof(base), "%.*s", (int)(n - 4), e->d_name);
		snprintf(path, sizeof(path), "%s/ipwhois-rdap/rdap-ip/%s.json",
			 corpus_dir(), base);
		j = json_load_file(path, 0, NULL);
		assert_non_null(j);
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		assert_int_equal(parse_file(&r, path, NULL), 0);
		walked++;
		expect_status(e->d_name, &r, TD_REC_FOUND);
		assert_int_equal(r.kind, TD_REC_IP);
		want = json_array();
		rdap_abuse(json_object_get(j, "entities"), want);
		if (json_array_size(want)) {
			size_t i;
			json_t *x;
			int in = 0;

			json_array_foreach(want, i, x)
			{
				if (r.abuse_email &&
				    !strcasecmp(json_string_value(x),
						r.abuse_email))
					in = 1;
			}
			count("ipwhois-rdap", e->d_name, F_ABUSE,
			      json_string_value(json_array_get(want, 0)),
			      r.abuse_email, in);
		}
		json_decref(want);
		json_decref(j);
		td_record_release(&r);
	}
	closedir(d);
}

static void
print_tallies(void)
{
	int i, f;

	for (i = 0; i < NR_CORPORA; i++)
		for (f = 0; f < F_NR; f++) {
			struct tally *t = &tallies[i];
			int n = t->total[f] - t->excl[f];

			if (!t->total[f])
				continue;
			print_message("# %-20s %-9s %4d/%-4d agree (%.1f%%), "
				      "%d excluded; before exclusions %d/%d "
				      "(%.1f%%); %d agreed after folding "
				      "registry annotations\n",
				      t->corpus, field_names[f], t->agree[f], n,
				      n ? 100.0 * t->agree[f] / n : 100.0,
				      t->excl[f], t->agree[f], t->total[f],
				      100.0 * t->agree[f] / t->total[f],
				      t->folded[f]);
		}
	print_message("# status: not found %d/%d, rate limited %d/%d, found "
		      "answers taken for something else %d/%d, filed wrongly "
		      "by the corpus %d (%d not as listed)\n",
		      st.nf_ok, st.nf_total, st.rl_ok, st.rl_total,
		      st.found_bad, st.found_total, st.excl_total, st.excl_bad);
}

/* The server to ask next, from weppos' referral answers */
static void
whois_referrals_from_corpus(void **state)
{
	static const struct {
		const char *file, *hint, *want;
	} c[] = {
	    {"afilias.bz.txt", "whois.afilias-grs.info", "whois.belizenic.bz"},
	    {"arin_referral_apnic.txt", "whois.arin.net", "whois.apnic.net"},
	    {"arin_referral_whois.txt", "whois.arin.net", "whois.ripe.net:43"},
	    {"arin_referral_rwhois.txt", "whois.arin.net",
	     "rwhois://rwhois.servernap.net:4321"},
	    {"arin_referral_missing.txt", "whois.arin.net", NULL},
	    {"crsnic.com_referral.txt", "whois.verisign-grs.com",
	     "whois.godaddy.com"},
	    {"crsnic.com_referral_multiple.txt", "whois.verisign-grs.com",
	     "whois.markmonitor.com"},
	    {"crsnic.com_referral_not_defined.txt", "whois.verisign-grs.com",
	     NULL},
	    {"niccc.cc.txt", "ccwhois.verisign-grs.com", "whois.godaddy.com"},
	};
	char path[1024];
	struct td_record r;
	size_t i;

	need_corpus("whois-weppos");
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		snprintf(path, sizeof(path), "%s/whois-weppos/referrals/%s",
			 corpus_dir(), c[i].file);
		assert_int_equal(parse_file(&r, path, c[i].hint), 0);
		if (c[i].want)
			assert_string_equal(r.referral, c[i].want);
		else
			assert_null(r.referral);
		td_record_release(&r);
	}
	/* ARIN's pointer to APNIC is no abuse address of the network */
	snprintf(path, sizeof(path),
		 "%s/whois-weppos/referrals/arin_referral_apnic.txt",
		 corpus_dir());
	assert_int_equal(parse_file(&r, path, "whois.arin.net"), 0);
	assert_null(r.abuse_email);
	td_record_release(&r);
}

/* ---- the accuracy test ---- */

static void
whois_corpus_accuracy(void **state)
{
	char path[1024];
	int i, f, bad = 0;

	need_corpus("whois-parser");
	need_corpus("whois-php-whois");
	need_corpus("whois-pythonwhois");
	need_corpus("whois-richardpenman");
	need_corpus("whois-weppos");
	need_corpus("ipwhois-rdap");
	memset(&st, 0, sizeof(st));
	walk_whois_parser();
	walk_php_whois();
	walk_pythonwhois();
	walk_richardpenman();
	snprintf(path, sizeof(path), "%s/whois-weppos/responses", corpus_dir());
	assert_int_equal(nftw(path, weppos_file, 16, FTW_PHYS), 0);
	walk_ipwhois();
	print_message("# %d answers read\n", walked);
	print_tallies();
	for (i = 0; i < NR_CORPORA; i++)
		for (f = 0; f < F_NR; f++) {
			struct tally *t = &tallies[i];
			int n = t->total[f] - t->excl[f];

			if (n && t->agree[f] * 100 < n * 98) {
				print_message("# below 98%%: %s %s\n",
					      t->corpus, field_names[f]);
				bad++;
			}
		}
	assert_true(st.nf_ok * 100 >= st.nf_total * 98);
	assert_true(st.rl_ok * 100 >= st.rl_total * 98);
	assert_int_equal(st.found_bad, 0);
	assert_int_equal(st.excl_bad, 0);
	assert_int_equal(bad, 0);
}

/* ---- focused tests: one layout each ---- */

static void
whois_icann_gtld_format(void **state)
{
	static const char text[] =
	    "Domain Name: EXAMPLE-PHISH.COM\r\n"
	    "Registry Domain ID: 2336799_DOMAIN_COM-VRSN\r\n"
	    "Registrar WHOIS Server: whois.example-registrar.com\r\n"
	    "Registrar URL: http://www.example-registrar.com\r\n"
	    "Updated Date: 2024-01-02T03:04:05Z\r\n"
	    "Creation Date: 2023-12-31T23:30:00-0800\r\n"
	    "Registrar Registration Expiration Date: 2025-01-01T00:00:00.0Z\r\n"
	    "Registrar: Example Registrar, LLC\r\n"
	    "Registrar IANA ID: 9999\r\n"
	    "Registrar Abuse Contact Email: abuse@example-registrar.com\r\n"
	    "Registrar Abuse Contact Phone: +1.5555550100\r\n"
	    "Domain Status: clientHold https://icann.org/epp#clientHold\r\n"
	    "Domain Status: clientTransferProhibited "
	    "(https://www.icann.org/epp#clientTransferProhibited)\r\n"
	    "Registry Registrant ID: REDACTED FOR PRIVACY\r\n"
	    "Registrant Name: REDACTED FOR PRIVACY\r\n"
	    "Registrant Organization: Withheld for Privacy ehf\r\n"
	    "Registrant Country: IS\r\n"
	    "Registrant Email: Please query the RDDS service of the "
	    "Registrar of Record identified in this output for information "
	    "on how to contact the Registrant, Admin, or Tech contact of the "
	    "queried domain name.\r\n"
	    "Tech Email: 1234@withheldforprivacy.com\r\n"
	    "Name Server: NS1.EXAMPLE-DNS.NET.\r\n"
	    "Name Server: ns2.example-dns.net\r\n"
	    "DNSSEC: unsigned\r\n"
	    "URL of the ICANN Whois Inaccuracy Complaint Form: "
	    "https://www.icann.org/wicf/\r\n"
	    ">>> Last update of WHOIS database: 2024-02-01T00:00:00Z <<<\r\n";
	const struct td_contact *c;
	struct td_record r;

	parse_str(&r, text, "whois.example-registrar.com");
	assert_int_equal(r.kind, TD_REC_DOMAIN);
	assert_int_equal(r.status, TD_REC_FOUND);
	assert_string_equal(r.format, "whois");
	assert_string_equal(r.source, "whois.example-registrar.com");
	assert_string_equal(r.domain, "example-phish.com");
	assert_string_equal(r.registrar, "Example Registrar, LLC");
	assert_int_equal(r.registrar_iana_id, 9999);
	assert_string_equal(r.registrar_url,
			    "http://www.example-registrar.com");
	assert_string_equal(r.registrar_whois, "whois.example-registrar.com");
	/* the registrar's own server answered: nothing to ask next */
	assert_null(r.referral);
	assert_string_equal(r.abuse_email, "abuse@example-registrar.com");
	assert_string_equal(r.abuse_phone, "+1.5555550100");
	assert_string_equal(r.created, "2024-01-01T07:30:00Z");
	assert_string_equal(r.updated, "2024-01-02T03:04:05Z");
	assert_string_equal(r.expires, "2025-01-01T00:00:00Z");
	assert_int_equal(r.nr_statuses, 2);
	assert_string_equal(r.statuses[0], "clienthold");
	assert_string_equal(r.statuses[1], "clienttransferprohibited");
	assert_int_equal(r.nr_nameservers, 2);
	assert_string_equal(r.nameservers[0], "ns1.example-dns.net");
	assert_string_equal(r.nameservers[1], "ns2.example-dns.net");
	assert_string_equal(r.dnssec, "unsigned");
	c = contact(&r, "registrant");
	assert_non_null(c);
	assert_null(c->name);
	assert_null(c->email);
	assert_null(c->handle);
	assert_string_equal(c->org, "Withheld for Privacy ehf");
	assert_string_equal(c->country, "IS");
	assert_true(c->flags & TD_CONTACT_REDACTED);
	assert_true(c->flags & TD_CONTACT_WITHHELD);
	assert_true(c->flags & TD_CONTACT_PROXY);
	c = contact(&r, "tech");
	assert_non_null(c);
	assert_string_equal(c->email, "1234@withheldforprivacy.com");
	assert_int_equal(c->flags, TD_CONTACT_PROXY);
	td_record_release(&r);
}

static void
whois_verisign_thin_referral(void **state)
{
	static const char text[] =
	    "\n"
	    "Whois Server Version 2.0\n"
	    "\n"
	    "Domain names in the .com and .net domains can now be registered\n"
	    "with many different competing registrars.\n"
	    "\n"
	    "   Server Name: EXAMPLE.COM.EVIL.NET\n"
	    "   IP Address: 192.0.2.1\n"
	    "   Registrar: SOMEONE ELSE, INC.\n"
	    "   Whois Server: whois.someone-else.example\n"
	    "\n"
	    "   Domain Name: EXAMPLE.COM\n"
	    "   Registry Domain ID: 2336799_DOMAIN_COM-VRSN\n"
	    "   Registrar WHOIS Server: whois.markmonitor.com\n"
	    "   Registrar URL: http://www.markmonitor.com\n"
	    "   Updated Date: 2019-09-09T15:39:04Z\n"
	    "   Creation Date: 1997-09-15T04:00:00Z\n"
	    "   Registry Expiry Date: 2028-09-14T04:00:00Z\n"
	    "   Registrar: MarkMonitor Inc.\n"
	    "   Registrar IANA ID: 292\n"
	    "   Registrar Abuse Contact Email: "
	    "abusecomplaints@markmonitor.com\n"
	    "   Name Server: NS1.GOOGLE.COM\n"
	    "   DNSSEC: unsigned\n"
	    ">>> Last update of whois database: 2024-01-01T00:00:00Z <<<\n";
	struct td_record r;

	parse_str(&r, text, "whois.verisign-grs.com");
	assert_int_equal(r.status, TD_REC_FOUND);
	assert_string_equal(r.domain, "example.com");
	/* the "Server Name" host record is not the domain's */
	assert_string_equal(r.registrar, "MarkMonitor Inc.");
	assert_int_equal(r.registrar_iana_id, 292);
	assert_string_equal(r.registrar_whois, "whois.markmonitor.com");
	assert_string_equal(r.referral, "whois.markmonitor.com");
	assert_string_equal(r.created, "1997-09-15T04:00:00Z");
	assert_string_equal(r.abuse_email, "abusecomplaints@markmonitor.com");
	td_record_release(&r);
}

static void
whois_ripe_abuse_comment(void **state)
{
	static const char text[] =
	    "% This is the RIPE Database query service.\n"
	    "% The objects are in RPSL format.\n"
	    "\n"
	    "% Information related to '193.0.0.0 - 193.0.7.255'\n"
	    "\n"
	    "% Abuse contact for '193.0.0.0 - 193.0.7.255' is "
	    "'abuse@ripe.net'\n"
	    "\n"
	    "inetnum:        193.0.0.0 - 193.0.7.255\n"
	    "netname:        RIPE-NCC\n"
	    "descr:          RIPE Network Coordination Centre\n"
	    "org:            ORG-RIEN1-RIPE\n"
	    "country:        NL\n"
	    "admin-c:        BRD-RIPE\n"
	    "tech-c:         OPS4-RIPE\n"
	    "status:         ASSIGNED PA\n"
	    "created:        2003-03-17T12:15:57Z\n"
	    "last-modified:  2017-12-04T14:42:31Z\n"
	    "source:         RIPE\n"
	    "\n"
	    "organisation:   ORG-RIEN1-RIPE\n"
	    "org-name:       Reseaux IP Europeens Network Coordination Centre\n"
	    "country:        NL\n"
	    "abuse-c:        ops4-ripe\n"
	    "\n"
	    "role:           RIPE NCC Operations\n"
	    "address:        Stationsplein 11\n"
	    "e-mail:         ops@ripe.net\n"
	    "nic-hdl:        OPS4-RIPE\n"
	    "abuse-mailbox:  abuse@ripe.net\n"
	    "\n"
	    "% Information related to '193.0.0.0/21AS3333'\n"
	    "\n"
	    "route:          193.0.0.0/21\n"
	    "origin:         AS3333\n"
	    "source:         RIPE\n";
	const struct td_contact *c;
	struct td_record r;

	parse_str(&r, text, "whois.ripe.net");
	assert_int_equal(r.kind, TD_REC_IP);
	assert_int_equal(r.status, TD_REC_FOUND);
	assert_string_equal(r.abuse_email, "abuse@ripe.net");
	assert_string_equal(r.start, "193.0.0.0");
	assert_string_equal(r.end, "193.0.7.255");
	assert_int_equal(r.nr_cidrs, 1);
	assert_string_equal(r.cidrs[0], "193.0.0.0/21");
	assert_string_equal(r.handle, "193.0.0.0 - 193.0.7.255");
	assert_string_equal(r.name, "RIPE-NCC");
	assert_string_equal(r.country, "NL");
	assert_string_equal(r.org,
			    "Reseaux IP Europeens Network Coordination Centre");
	assert_int_equal(r.origin_asn, 3333);
	assert_string_equal(r.created, "2003-03-17T12:15:57Z");
	assert_string_equal(r.updated, "2017-12-04T14:42:31Z");
	c = contact(&r, "tech");
	assert_non_null(c);
	assert_string_equal(c->handle, "OPS4-RIPE");
	assert_string_equal(c->email, "ops@ripe.net");
	td_record_release(&r);

	/* without the comment: the organisation's abuse-c role */
	parse_str(&r, strstr(text, "inetnum:"), NULL);
	assert_string_equal(r.abuse_email, "abuse@ripe.net");
	td_record_release(&r);
}

static void
whois_arin_most_specific_net(void **state)
{
	static const char text[] =
	    "#\n"
	    "# ARIN WHOIS data and services are subject to the Terms of Use\n"
	    "#\n"
	    "\n"
	    "NetRange:       198.51.0.0 - 198.51.255.255\n"
	    "CIDR:           198.51.0.0/16\n"
	    "NetName:        BIG-TRANSIT\n"
	    "NetHandle:      NET-198-51-0-0-1\n"
	    "Parent:         NET198 (NET-198-0-0-0-0)\n"
	    "NetType:        Direct Allocation\n"
	    "OriginAS:       AS64500\n"
	    "Organization:   Big Transit Inc. (BIGT)\n"
	    "RegDate:        2000-01-01\n"
	    "Updated:        2012-02-24\n"
	    "\n"
	    "OrgName:        Big Transit Inc.\n"
	    "OrgId:          BIGT\n"
	    "Country:        US\n"
	    "RegDate:        1999-05-05\n"
	    "\n"
	    "OrgAbuseHandle: ABUSE1-ARIN\n"
	    "OrgAbuseName:   Abuse\n"
	    "OrgAbusePhone:  +1-555-555-0100\n"
	    "OrgAbuseEmail:  abuse@bigtransit.example\n"
	    "\n"
	    "NetRange:       198.51.100.0 - 198.51.100.255\n"
	    "CIDR:           198.51.100.0/24\n"
	    "NetName:        HOSTER-CUST\n"
	    "NetHandle:      NET-198-51-100-0-1\n"
	    "Parent:         BIG-TRANSIT (NET-198-51-0-0-1)\n"
	    "NetType:        Reallocated\n"
	    "OriginAS:       \n"
	    "Organization:   Small Hoster LLC (SHL-1)\n"
	    "RegDate:        2015-06-01\n"
	    "Updated:        2015-06-02\n"
	    "\n"
	    "OrgName:        Small Hoster LLC\n"
	    "OrgId:          SHL-1\n"
	    "Country:        CA\n"
	    "\n"
	    "OrgTechHandle:  TECH2-ARIN\n"
	    "OrgTechEmail:   noc@smallhoster.example\n"
	    "OrgAbuseHandle: ABUSE2-ARIN\n"
	    "OrgAbuseName:   Abuse Desk\n"
	    "OrgAbusePhone:  +1-555-555-0199\n"
	    "OrgAbuseEmail:  abuse@smallhoster.example\n"
	    "\n"
	    "ReferralServer: rwhois://rwhois.smallhoster.example:4321\n";
	const struct td_contact *c;
	struct td_record r;

	parse_str(&r, text, "whois.arin.net");
	assert_int_equal(r.kind, TD_REC_IP);
	assert_string_equal(r.handle, "NET-198-51-100-0-1");
	assert_string_equal(r.name, "HOSTER-CUST");
	assert_string_equal(r.start, "198.51.100.0");
	assert_string_equal(r.end, "198.51.100.255");
	assert_int_equal(r.nr_cidrs, 1);
	assert_string_equal(r.cidrs[0], "198.51.100.0/24");
	assert_string_equal(r.parent, "NET-198-51-0-0-1");
	assert_string_equal(r.org, "Small Hoster LLC");
	assert_string_equal(r.country, "CA");
	assert_string_equal(r.abuse_email, "abuse@smallhoster.example");
	assert_string_equal(r.abuse_phone, "+1-555-555-0199");
	assert_string_equal(r.created, "2015-06-01T00:00:00Z");
	assert_int_equal(r.origin_asn, -1);
	assert_string_equal(r.referral,
			    "rwhois://rwhois.smallhoster.example:4321");
	c = contact(&r, "tech");
	assert_non_null(c);
	assert_string_equal(c->email, "noc@smallhoster.example");
	assert_null(contact(&r, "noc"));
	td_record_release(&r);
}

static void
whois_denic_sections(void **state)
{
	static const char text[] = "% Restricted rights.\n"
				   "%\n"
				   "\n"
				   "Domain: example.de\n"
				   "Nserver: ns1.example.de. 192.0.2.53\n"
				   "Nserver: ns2.example.net.\n"
				   "Status: connect\n"
				   "Changed: 2020-10-01T12:00:00+02:00\n"
				   "\n"
				   "[Tech-C]\n"
				   "Type: ROLE\n"
				   "Name: Hostmaster\n"
				   "Organisation: Example Hosting GmbH\n"
				   "Address: Musterstrasse 1\n"
				   "PostalCode: 12345\n"
				   "City: Berlin\n"
				   "CountryCode: DE\n"
				   "Email: hostmaster@example-hosting.de\n"
				   "Changed: 2019-01-01T00:00:00+01:00\n"
				   "\n"
				   "[Zone-C]\n"
				   "Type: PERSON\n"
				   "Name: Zone Admin\n"
				   "Email: zone@example-hosting.de\n";
	const struct td_contact *c;
	struct td_record r;

	parse_str(&r, text, "whois.denic.de");
	assert_int_equal(r.status, TD_REC_FOUND);
	assert_string_equal(r.domain, "example.de");
	assert_int_equal(r.nr_nameservers, 2);
	assert_string_equal(r.nameservers[0], "ns1.example.de");
	assert_string_equal(r.nameservers[1], "ns2.example.net");
	assert_true(has_str(r.statuses, r.nr_statuses, "connect"));
	/* the domain's Changed, not the contact's */
	assert_string_equal(r.updated, "2020-10-01T10:00:00Z");
	assert_null(r.created);
	assert_null(r.registrar);
	c = contact(&r, "tech");
	assert_non_null(c);
	assert_string_equal(c->name, "Hostmaster");
	assert_string_equal(c->org, "Example Hosting GmbH");
	assert_string_equal(c->email, "hostmaster@example-hosting.de");
	assert_string_equal(c->country, "DE");
	assert_non_null(strstr(c->address, "Berlin"));
	c = contact(&r, "zone");
	assert_non_null(c);
	assert_string_equal(c->email, "zone@example-hosting.de");
	td_record_release(&r);
}

static void
whois_nominet_blocks(void **state)
{
	static const char text[] =
	    "\n"
	    "    Domain name:\n"
	    "        example.co.uk\n"
	    "\n"
	    "    Registrant:\n"
	    "        Example Ltd\n"
	    "\n"
	    "    Registrant type:\n"
	    "        UK Limited Company, (Company number: 01234567)\n"
	    "\n"
	    "    Registrant's address:\n"
	    "        1 High Street\n"
	    "        London\n"
	    "        EC1A 1AA\n"
	    "        United Kingdom\n"
	    "\n"
	    "    Registrar:\n"
	    "        Example Registrar Ltd [Tag = EXAMPLE]\n"
	    "        URL: https://www.example-registrar.co.uk\n"
	    "\n"
	    "    Relevant dates:\n"
	    "        Registered on: before Aug-1996\n"
	    "        Expiry date:  05-Mar-2026\n"
	    "        Last updated:  04-Feb-2025\n"
	    "\n"
	    "    Registration status:\n"
	    "        Registered until expiry date.\n"
	    "\n"
	    "    Name servers:\n"
	    "        ns1.example.co.uk         192.0.2.1\n"
	    "        ns2.example.net\n"
	    "\n"
	    "    WHOIS lookup made at 10:00:00 01-Mar-2025\n"
	    "\n"
	    "-- \n"
	    "This WHOIS information is provided for free by Nominet UK. "
	    "You may not exceed query rate or volume limits.\n";
	const struct td_contact *c;
	struct td_record r;

	parse_str(&r, text, "whois.nic.uk");
	assert_int_equal(r.status, TD_REC_FOUND);
	assert_string_equal(r.domain, "example.co.uk");
	assert_string_equal(r.registrar,
			    "Example Registrar Ltd [Tag = EXAMPLE]");
	assert_string_equal(r.registrar_url,
			    "https://www.example-registrar.co.uk");
	assert_string_equal(r.created, "1996-08-01T00:00:00Z");
	assert_string_equal(r.expires, "2026-03-05T00:00:00Z");
	assert_string_equal(r.updated, "2025-02-04T00:00:00Z");
	assert_true(
	    has_str(r.statuses, r.nr_statuses, "registered until expiry date"));
	assert_int_equal(r.nr_nameservers, 2);
	assert_string_equal(r.nameservers[0], "ns1.example.co.uk");
	c = contact(&r, "registrant");
	assert_non_null(c);
	assert_string_equal(c->name, "Example Ltd");
	td_record_release(&r);
}

static void
whois_jprs_and_kisa_layouts(void **state)
{
	static const char jprs[] =
	    "[ JPRS database provides information on network administration. "
	    "]\n"
	    "\n"
	    "Domain Information:\n"
	    "a. [Domain Name]                EXAMPLE.CO.JP\n"
	    "g. [Organization]               Example K.K.\n"
	    "p. [Name Server]                ns1.example.jp\n"
	    "p. [Name Server]                ns2.example.jp\n"
	    "[Registered Date]               2001/03/22\n"
	    "[Connected Date]                2001/03/22\n"
	    "[Last Update]                   2024/04/01 01:05:07 (JST)\n";
	static const char kisa[] =
	    "query : example.kr\n"
	    "\n"
	    "# KOREAN(UTF8)\n"
	    "\n"
	    "\xeb\x8f\x84\xeb\xa9\x94\xec\x9d\xb8\xec\x9d\xb4\xeb\xa6\x84"
	    "                  : example.kr\n"
	    "\n"
	    "# ENGLISH\n"
	    "\n"
	    "Domain Name                 : example.kr\n"
	    "Registrant                  : Example Korea, LLC\n"
	    "Registered Date             : 2007. 03. 02.\n"
	    "Last Updated Date           : 2010. 10. 04.\n"
	    "Expiration Date             : 2030. 03. 02.\n"
	    "Authorized Agency           : Whois Corp.(http://whois.co.kr)\n"
	    "Primary Name Server\n"
	    "   Host Name                 : ns1.example.kr\n";
	struct td_record r;

	parse_str(&r, jprs, "whois.jprs.jp");
	assert_int_equal(r.status, TD_REC_FOUND);
	assert_string_equal(r.domain, "example.co.jp");
	assert_string_equal(r.created, "2001-03-22T00:00:00Z");
	assert_string_equal(r.updated, "2024-03-31T16:05:07Z");
	assert_int_equal(r.nr_nameservers, 2);
	td_record_release(&r);

	parse_str(&r, kisa, "whois.kr");
	assert_string_equal(r.domain, "example.kr");
	assert_string_equal(r.registrar, "Whois Corp.(http://whois.co.kr)");
	assert_string_equal(r.created, "2007-03-02T00:00:00Z");
	assert_string_equal(r.expires, "2030-03-02T00:00:00Z");
	assert_true(has_str(r.nameservers, r.nr_nameservers, "ns1.example.kr"));
	assert_string_equal(contact(&r, "registrant")->name,
			    "Example Korea, LLC");
	td_record_release(&r);
}

static void
whois_afnic_rpsl_handles(void **state)
{
	static const char text[] = "%%\n"
				   "%% This is the AFNIC Whois server.\n"
				   "%%\n"
				   "\n"
				   "domain:      example.fr\n"
				   "status:      ACTIVE\n"
				   "hold:        NO\n"
				   "holder-c:    EX1-FRNIC\n"
				   "admin-c:     EX2-FRNIC\n"
				   "tech-c:      EX2-FRNIC\n"
				   "registrar:   EXAMPLE REGISTRAR SAS\n"
				   "Expiry Date: 2026-01-01T00:00:00Z\n"
				   "created:     2000-07-26T22:00:00Z\n"
				   "last-update: 2024-11-28T21:41:12Z\n"
				   "source:      FRNIC\n"
				   "\n"
				   "registrar:   EXAMPLE REGISTRAR SAS\n"
				   "address:     1 rue de Paris\n"
				   "country:     FR\n"
				   "e-mail:      support@registrar.example.fr\n"
				   "\n"
				   "nic-hdl:     EX1-FRNIC\n"
				   "type:        ORGANIZATION\n"
				   "contact:     Example SA\n"
				   "e-mail:      dns@example.fr\n"
				   "created:     2001-01-01T00:00:00Z\n"
				   "\n"
				   "nic-hdl:     EX2-FRNIC\n"
				   "type:        PERSON\n"
				   "contact:     Jean Dupont\n"
				   "e-mail:      jean@example.fr\n";
	const struct td_contact *c;
	struct td_record r;

	parse_str(&r, text, "whois.nic.fr");
	assert_string_equal(r.domain, "example.fr");
	assert_string_equal(r.registrar, "EXAMPLE REGISTRAR SAS");
	assert_string_equal(r.created, "2000-07-26T22:00:00Z");
	assert_string_equal(r.expires, "2026-01-01T00:00:00Z");
	/* no abuse contact: the registrar's address, noted */
	assert_string_equal(r.abuse_email, "support@registrar.example.fr");
	c = contact(&r, "registrant");
	assert_non_null(c);
	assert_string_equal(c->handle, "EX1-FRNIC");
	assert_string_equal(c->name, "Example SA");
	assert_string_equal(c->email, "dns@example.fr");
	c = contact(&r, "admin");
	assert_non_null(c);
	assert_string_equal(c->name, "Jean Dupont");
	assert_non_null(contact(&r, "tech"));
	td_record_release(&r);
}

static void
whois_lacnic_apnic_abuse(void **state)
{
	static const char lacnic[] = "% Joint Whois - whois.lacnic.net\n"
				     "\n"
				     "inetnum:     200.57.128/19\n"
				     "status:      allocated\n"
				     "aut-num:     N/A\n"
				     "owner:       Example S.A.\n"
				     "ownerid:     MX-EXSA-LACNIC\n"
				     "country:     MX\n"
				     "owner-c:     ABC12\n"
				     "tech-c:      ABC12\n"
				     "abuse-c:     ABC12\n"
				     "created:     20001204\n"
				     "changed:     20140716\n"
				     "\n"
				     "nic-hdl:     ABC12\n"
				     "person:      Network Operations\n"
				     "e-mail:      noc@example.mx\n"
				     "country:     MX\n";
	static const char apnic[] =
	    "% [whois.apnic.net]\n"
	    "\n"
	    "inetnum:        203.0.113.0 - 203.0.113.127\n"
	    "netname:        EXAMPLE-AP\n"
	    "descr:          Example Pty Ltd\n"
	    "country:        AU\n"
	    "admin-c:        EX1-AP\n"
	    "mnt-irt:        IRT-EXAMPLE-AU\n"
	    "changed:        hm-changed@apnic.net 20041222\n"
	    "changed:        hm-changed@apnic.net 20120828\n"
	    "source:         APNIC\n"
	    "\n"
	    "irt:            IRT-EXAMPLE-AU\n"
	    "e-mail:         security@example.au\n"
	    "abuse-mailbox:  abuse@example.au\n"
	    "source:         APNIC\n"
	    "\n"
	    "person:         Example Admin\n"
	    "nic-hdl:        EX1-AP\n"
	    "e-mail:         admin@example.au\n";
	struct td_record r;

	parse_str(&r, lacnic, "whois.lacnic.net");
	assert_int_equal(r.kind, TD_REC_IP);
	assert_string_equal(r.start, "200.57.128.0");
	assert_string_equal(r.end, "200.57.159.255");
	assert_string_equal(r.cidrs[0], "200.57.128.0/19");
	assert_string_equal(r.org, "Example S.A.");
	assert_string_equal(r.abuse_email, "noc@example.mx");
	assert_string_equal(r.created, "2000-12-04T00:00:00Z");
	assert_string_equal(r.updated, "2014-07-16T00:00:00Z");
	td_record_release(&r);

	parse_str(&r, apnic, "whois.apnic.net");
	assert_string_equal(r.abuse_email, "abuse@example.au");
	assert_string_equal(r.org, "Example Pty Ltd");
	assert_string_equal(r.updated, "2012-08-28T00:00:00Z");
	assert_string_equal(r.cidrs[0], "203.0.113.0/25");
	assert_string_equal(contact(&r, "admin")->email, "admin@example.au");
	td_record_release(&r);
}

static void
whois_iana_refer_and_asn(void **state)
{
	static const char iana[] =
	    "% IANA WHOIS server\n"
	    "% This query returned 1 object\n"
	    "\n"
	    "refer:        whois.verisign-grs.com\n"
	    "\n"
	    "domain:       COM\n"
	    "\n"
	    "organisation: VeriSign Global Registry Services\n"
	    "\n"
	    "contact:      administrative\n"
	    "name:         Registry Customer Service\n"
	    "e-mail:       info@verisign-grs.com\n"
	    "\n"
	    "nserver:      A.GTLD-SERVERS.NET 192.5.6.30\n"
	    "whois:        whois.verisign-grs.com\n"
	    "\n"
	    "status:       ACTIVE\n"
	    "\n"
	    "created:      1985-01-01\n"
	    "changed:      2023-12-07\n"
	    "source:       IANA\n";
	static const char asn[] =
	    "% Abuse contact for 'AS64500' is 'abuse@as64500.example'\n"
	    "\n"
	    "aut-num:        AS64500\n"
	    "as-name:        EXAMPLE-AS\n"
	    "org:            ORG-EX1-RIPE\n"
	    "admin-c:        EX1-RIPE\n"
	    "source:         RIPE\n"
	    "\n"
	    "organisation:   ORG-EX1-RIPE\n"
	    "org-name:       Example Networks B.V.\n"
	    "country:        NL\n";
	struct td_record r;

	parse_str(&r, iana, "whois.iana.org");
	assert_int_equal(r.status, TD_REC_FOUND);
	assert_string_equal(r.referral, "whois.verisign-grs.com");
	assert_string_equal(r.domain, "com");
	assert_string_equal(r.created, "1985-01-01T00:00:00Z");
	assert_string_equal(r.nameservers[0], "a.gtld-servers.net");
	assert_string_equal(contact(&r, "admin")->email,
			    "info@verisign-grs.com");
	td_record_release(&r);

	parse_str(&r, asn, "whois.ripe.net");
	assert_int_equal(r.kind, TD_REC_ASN);
	assert_string_equal(r.start, "64500");
	assert_string_equal(r.handle, "AS64500");
	assert_string_equal(r.name, "EXAMPLE-AS");
	assert_string_equal(r.abuse_email, "abuse@as64500.example");
	td_record_release(&r);
}

static void
whois_ipv6_and_odd_ranges(void **state)
{
	static const char text[] = "inet6num:       2001:db8:1234::/48\n"
				   "netname:        DOC-V6\n"
				   "country:        ZZ\n"
				   "\n"
				   "inet6num:       2001:db8::/32\n"
				   "netname:        DOC-ALL\n";
	static const char odd[] = "inetnum: 10.0.0.0 - 10.0.2.255\n"
				  "netname: ODD\n";
	struct td_record r;

	parse_str(&r, text, NULL);
	assert_string_equal(r.name, "DOC-V6");
	assert_string_equal(r.start, "2001:db8:1234::");
	assert_string_equal(r.end, "2001:db8:1234:ffff:ffff:ffff:ffff:ffff");
	assert_string_equal(r.cidrs[0], "2001:db8:1234::/48");
	td_record_release(&r);

	parse_str(&r, odd, NULL);
	assert_int_equal(r.nr_cidrs, 2);
	assert_string_equal(r.cidrs[0], "10.0.0.0/23");
	assert_string_equal(r.cidrs[1], "10.0.2.0/24");
	td_record_release(&r);
}

static void
whois_redacted_registrant_flagged(void **state)
{
	static const char text[] =
	    "Domain Name: phish-example.net\n"
	    "Registrar: Example Registrar\n"
	    "Registrant Name: Redacted for Privacy\n"
	    "Registrant Organization: Domains By Proxy, LLC\n"
	    "Registrant Street: REDACTED FOR PRIVACY\n"
	    "Registrant Email: https://www.example-registrar.com/whois/contact/"
	    "phish-example.net/registrant\n"
	    "Admin Name: GDPR Masked\n"
	    "Admin Email: gdpr-masking@gdpr-masked.com\n"
	    "Tech Name: Statutory Masking Enabled\n"
	    "Tech Email: Statutory Masking Enabled\n"
	    "Billing Name: Jane Doe\n"
	    "Billing Email: jane@example.org\n";
	const struct td_contact *c;
	struct td_record r;

	parse_str(&r, text, NULL);
	c = contact(&r, "registrant");
	assert_non_null(c);
	assert_null(c->name);
	assert_null(c->address);
	assert_null(c->email);
	assert_string_equal(c->org, "Domains By Proxy, LLC");
	assert_non_null(c->url);
	assert_true(c->flags & TD_CONTACT_REDACTED);
	assert_true(c->flags & TD_CONTACT_PROXY);
	assert_true(c->flags & TD_CONTACT_WITHHELD);
	c = contact(&r, "admin");
	assert_null(c->name);
	assert_true(c->flags & TD_CONTACT_REDACTED);
	c = contact(&r, "tech");
	assert_null(c->name);
	assert_null(c->email);
	assert_int_equal(c->flags, TD_CONTACT_REDACTED);
	c = contact(&r, "billing");
	assert_string_equal(c->name, "Jane Doe");
	assert_int_equal(c->flags, 0);
	/* never an abuse address from a placeholder */
	assert_null(r.abuse_email);
	td_record_release(&r);
}

static void
whois_quota_text_rate_limited(void **state)
{
	static const char *const texts[] = {
	    "WHOIS LIMIT EXCEEDED - SEE WWW.PIR.ORG/WHOIS FOR DETAILS\n",
	    "% Error: 55000000002 Connection refused; access control limit "
	    "reached.\n",
	    "%%\n%% This is the AFNIC Whois server.\n%%\n"
	    "%% Too many requests...\n%%\n\n"
	    "%% No entries found in the AFNIC Database.\n",
	    "whois.domain-registry.nl: only 1 request per second allowed, try "
	    "again later\n",
	    "request limit exceeded for 192.0.2.7\n",
	    "Your access is too fast,please try again later.\n",
	    "Number of allowed queries exceeded.\n",
	    "Please go away for 13 Seconds\n",
	    "% Maximum queries per hour reached (100)\n",
	    "Too many connection attempts. Please try again in a few "
	    "seconds.\n",
	    "IP Address Has Reached Rate Limit\n",
	    "version: 5.00\nquery_status: 440 Request Denied\n",
	};
	struct td_record r;
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		parse_str(&r, texts[i], NULL);
		if (r.status != TD_REC_RATE_LIMITED)
			print_message("# not rate limited: %s", texts[i]);
		assert_int_equal(r.status, TD_REC_RATE_LIMITED);
		assert_non_null(r.status_text);
		td_record_release(&r);
	}
	/* a record whose terms mention limits is still a record */
	parse_str(&r,
		  "Domain Name: example.org\nRegistrar: Example\n"
		  "Creation Date: 2001-01-01\n"
		  "Do not exceed query rate or volume limits; try again later "
		  "if refused.\n",
		  NULL);
	assert_int_equal(r.status, TD_REC_FOUND);
	assert_null(r.status_text);
	td_record_release(&r);
}

static void
whois_not_found_variants(void **state)
{
	static const char *const texts[] = {
	    "No match for \"EXAMPLE-NOPE.COM\".\n>>> Last update of whois "
	    "database: 2024-01-01T00:00:00Z <<<\n",
	    "NOT FOUND\n",
	    "Domain not found.\n",
	    "The queried object does not exist: DOMAIN NOT FOUND\n",
	    "Domain Name: nope.bj\nDomain Status: No Object Found\n",
	    "Domain: nope.de\nStatus: free\n",
	    "Domain:             nope.it\nStatus:             AVAILABLE\n",
	    "%ERROR:101: no entries found\n%\n% No entries found in source "
	    "RIPE.\n",
	    "nope.nl is free\n",
	    "No entries found for the selected source(s).\n",
	    "    No match for \"nope.co.uk\".\n\n    This domain name has not "
	    "been registered.\n",
	    "domain \"nope.se\" not found.\n",
	    "No Data Found\n",
	    "% No match for nope.br\n",
	    "Available\nDomain: nope.co.za\n",
	    "query_status: 220 Available\n",
	    "%ERROR:103: Domain is not registered\n",
	    "No information available about domain name nope.pl in the "
	    "Registry NASK database.\n",
	    "nope.cl: no existe\n",
	    "Nincs tal\xc3\xa1lat / No match\n",
	    "% This query returned 0 objects.\n",
	    "domain:       EH\norganisation: Not assigned\n"
	    "contact:      administrative\norganisation: Not assigned\n",
	};
	struct td_record r;
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		parse_str(&r, texts[i], NULL);
		if (r.status != TD_REC_NOT_FOUND)
			print_message("# not 'not found': %s", texts[i]);
		assert_int_equal(r.status, TD_REC_NOT_FOUND);
		assert_non_null(r.status_text);
		td_record_release(&r);
	}
	/* errors that are neither */
	parse_str(&r, "Service temporarily unavailable.\n", NULL);
	assert_int_equal(r.status, TD_REC_ERROR);
	td_record_release(&r);
	parse_str(&r, "", NULL);
	assert_int_equal(r.status, TD_REC_ERROR);
	assert_int_equal(r.kind, TD_REC_UNKNOWN);
	td_record_release(&r);
}

/* Every string of r is valid UTF-8 without NUL or control bytes */
static void
assert_clean(const struct td_record *r)
{
	const char *const s[] = {r->domain,	 r->registrar, r->abuse_email,
				 r->created,	 r->name,      r->org,
				 r->status_text, r->dnssec};
	size_t i, k;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		const unsigned char *u = (const unsigned char *)s[i];

		if (!u)
			continue;
		assert_true(strlen(s[i]) <= TD_WHOIS_MAX_FIELD);
		for (k = 0; u[k]; k++)
			assert_true(u[k] >= 0x20 || u[k] == '\t');
	}
	for (i = 0; i < r->nr_contacts; i++)
		if (r->contacts[i].name)
			assert_true(strlen(r->contacts[i].name) <=
				    TD_WHOIS_MAX_FIELD);
}

static void
whois_hostile_nul_and_long_lines(void **state)
{
	struct td_buf b = TD_BUF_INIT;
	struct td_record r;
	size_t i;
	clock_t t0;
	/* NULs, CR-only and CRLF line ends, a 1 MB line, bad UTF-8 */
	static const char head[] = "Domain Name: exa\0mple.com\rRegistrar: "
				   "Bad\xff\xfe Reg\r\nRegistrar: x\0y\n";

	td_buf_add(&b, head, sizeof(head) - 1);
	td_buf_adds(&b, "Registrant Name: ");
	for (i = 0; i < (1u << 20); i++)
		td_buf_addch(&b, 'A' + (int)(i % 26));
	td_buf_adds(&b, "\nCreation Date: 2020-01-01\n\x1b[31mName Server: "
			"ns1.example.com\x07\n");
	assert_false(td_buf_failed(&b));
	assert_int_equal(td_whois_parse(&r, b.ptr, b.len, NULL, NULL), 0);
	assert_int_equal(r.status, TD_REC_FOUND);
	assert_string_equal(r.domain, "example.com");
	/* the invalid bytes read as Latin-1, so valid UTF-8 */
	assert_string_equal(r.registrar, "Bad\xc3\xbf\xc3\xbe Reg");
	assert_string_equal(r.created, "2020-01-01T00:00:00Z");
	assert_true(strlen(contact(&r, "registrant")->name) <=
		    TD_WHOIS_MAX_FIELD);
	assert_clean(&r);
	td_record_release(&r);
	td_buf_release(&b);

	/* a line longer than the line limit is cut, the next one read */
	for (i = 0; i < TD_WHOIS_MAX_LINE + 100; i++)
		td_buf_addch(&b, 'x');
	td_buf_adds(&b, "\nRegistrar: After Long Line\n");
	assert_int_equal(td_whois_parse(&r, b.ptr, b.len, NULL, NULL), 0);
	assert_string_equal(r.registrar, "After Long Line");
	td_record_release(&r);
	td_buf_release(&b);

	/* many lines and many keys: linear, capped */
	t0 = clock();
	for (i = 0; i < 300000; i++)
		td_buf_printf(&b,
			      "Name Server: ns%zu.example.com\n"
			      "Registrant Name: n%zu\n[Tech-C]\n",
			      i, i);
	assert_false(td_buf_failed(&b));
	assert_int_equal(td_whois_parse(&r, b.ptr, b.len, NULL, NULL), 0);
	assert_true(r.nr_nameservers <= 64);
	assert_true(r.nr_contacts <= 1000);
	assert_true(r.nr_notes > 0);
	td_record_release(&r);
	td_buf_release(&b);
	print_message("# 300000 hostile records: %.2f s\n",
		      (double)(clock() - t0) / CLOCKS_PER_SEC);

	/* only NULs, only newlines, only colons */
	memset(&r, 0, sizeof(r));
	{
		static char z[4096];

		assert_int_equal(td_whois_parse(&r, z, sizeof(z), NULL, NULL),
				 0);
		assert_int_equal(r.status, TD_REC_ERROR);
		td_record_release(&r);
		memset(z, '\n', sizeof(z));
		assert_int_equal(td_whois_parse(&r, z, sizeof(z), NULL, NULL),
				 0);
		td_record_release(&r);
		memset(z, ':', sizeof(z));
		assert_int_equal(td_whois_parse(&r, z, sizeof(z), NULL, NULL),
				 0);
		td_record_release(&r);
		memset(z, '[', sizeof(z));
		assert_int_equal(td_whois_parse(&r, z, sizeof(z), NULL, NULL),
				 0);
		td_record_release(&r);
	}
	assert_int_equal(td_whois_parse(&r, NULL, 0, NULL, NULL), TD_EINVAL);
	td_record_release(&r);
}

static void
whois_latin1_answer(void **state)
{
	static const char text[] =
	    "domain.............: sis\xe4ministeri\xf6.fi\n"
	    "status.............: Registered\n"
	    "created............: 1.1.2000 00:00:00\n"
	    "registrar..........: Valtion tieto- ja viestint\xe4keskus\n";
	struct td_record r;

	parse_str(&r, text, "whois.fi");
	assert_string_equal(r.registrar,
			    "Valtion tieto- ja viestint\xc3\xa4keskus");
	assert_string_equal(r.domain_unicode,
			    "sis\xc3\xa4ministeri\xc3\xb6.fi");
	assert_string_equal(r.domain, "xn--sisministeri-icb5x.fi");
	assert_string_equal(r.created, "2000-01-01T00:00:00Z");
	td_record_release(&r);
}

static void
whois_other_layouts(void **state)
{
	/* SWITCH: tab-separated keys, a registrar block of free lines */
	static const char sw[] =
	    "Domain name\texample.ch\n\n"
	    "Registrar\tExample Registrar AG\n"
	    "Musterweg 1\n"
	    "CH-8000 Zurich\n"
	    "hostmaster@registrar.example.ch\n\n"
	    "DNSSEC\tno\n\n"
	    "Name servers\nns1.example.ch\nns2.example.ch\n\n"
	    "First registration date\t31 May 1999\n";
	/* SK-NIC: keys joined by '-', no colon; continuation lines */
	static const char sk[] = "Domain-name         example.sk\n"
				 "Tech-email          tech@example.sk\n"
				 "dns_name            ns1.example.sk\n"
				 "Valid-date          2030-07-23\n";
	static const char pl[] = "DOMAIN NAME:           example.pl\n"
				 "registrant type:       organization\n"
				 "nameservers:           ns1.example.pl.\n"
				 "                       ns2.example.pl.\n"
				 "created:               2002.09.19 13:00:00\n";
	struct td_record r;

	parse_str(&r, sw, "whois.nic.ch");
	assert_string_equal(r.registrar, "Example Registrar AG");
	assert_string_equal(r.abuse_email, "hostmaster@registrar.example.ch");
	assert_string_equal(r.created, "1999-05-31T00:00:00Z");
	assert_int_equal(r.nr_nameservers, 2);
	td_record_release(&r);

	parse_str(&r, sk, "whois.sk-nic.sk");
	assert_string_equal(r.domain, "example.sk");
	assert_string_equal(r.expires, "2030-07-23T00:00:00Z");
	assert_string_equal(contact(&r, "tech")->email, "tech@example.sk");
	td_record_release(&r);

	parse_str(&r, pl, "whois.dns.pl");
	assert_int_equal(r.nr_nameservers, 2);
	assert_string_equal(r.created, "2002-09-19T13:00:00Z");
	td_record_release(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(whois_icann_gtld_format),
	    cmocka_unit_test(whois_verisign_thin_referral),
	    cmocka_unit_test(whois_ripe_abuse_comment),
	    cmocka_unit_test(whois_arin_most_specific_net),
	    cmocka_unit_test(whois_denic_sections),
	    cmocka_unit_test(whois_nominet_blocks),
	    cmocka_unit_test(whois_jprs_and_kisa_layouts),
	    cmocka_unit_test(whois_afnic_rpsl_handles),
	    cmocka_unit_test(whois_lacnic_apnic_abuse),
	    cmocka_unit_test(whois_iana_refer_and_asn),
	    cmocka_unit_test(whois_ipv6_and_odd_ranges),
	    cmocka_unit_test(whois_redacted_registrant_flagged),
	    cmocka_unit_test(whois_quota_text_rate_limited),
	    cmocka_unit_test(whois_not_found_variants),
	    cmocka_unit_test(whois_hostile_nul_and_long_lines),
	    cmocka_unit_test(whois_latin1_answer),
	    cmocka_unit_test(whois_other_layouts),
	    cmocka_unit_test(whois_referrals_from_corpus),
	    cmocka_unit_test(whois_corpus_accuracy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
