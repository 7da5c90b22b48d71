/*
 * Allocation-failure torture (issue 6), as curl's test suite does it: for
 * a parser entry point and an input, first run it with no failure and
 * count the allocations it makes (n), then run it n more times, failing
 * the Nth allocation in run N.  Every run must
 *
 * - not crash (ASan/UBSan are on: build/torture is built like build/asan);
 * - return the error the header promises for a failed allocation
 *   (TD_ENOMEM; for the JSON writers the sticky failure flag of the
 *   output buffer; for a failure inside jansson also TD_EPARSE or the
 *   baseline result, see below); with -k a failure that left the
 *   baseline result (data lost without a word) is counted, not fatal;
 * - leave nothing allocated: LeakSanitizer is asked after the runs of
 *   each file (__lsan_do_recoverable_leak_check()), with -L after each
 *   run, so that a leak names its N.
 *
 * Which allocations are counted, and why GLib's are not: failmalloc.c.
 *
 *   torture ENTRY FILE...      prints TAP, one line per file
 *   torture -n N ENTRY FILE    runs only failure N (to reproduce one)
 *   torture -k [-v] ENTRY FILE...
 *                              keep going when a failed allocation is
 *                              swallowed (the result as if nothing had
 *                              failed): counted, listed with -v, not a
 *                              test failure.  Crashes, leaks and other
 *                              results still are.
 *   -L                         ask LeakSanitizer after every run (names
 *                              the N that leaked; about 25 ms a run),
 *                              not once per file
 *   -j                         count and fail jansson's allocations too
 *   torture -l                 lists the entry points
 *
 * Exit 0 when every line is ok, 1 otherwise, 2 on usage errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sanitizer/lsan_interface.h>

#include "buf.h"
#include "err.h"
#include "extract.h"
#include "failmalloc.h"
#include "html.h"
#include "ioc.h"
#include "jsonw.h"
#include "mail.h"
#include "rdap.h"
#include "received.h"
#include "record.h"
#include "textscan.h"
#include "url.h"
#include "whois.h"

struct input {
	const char *name;
	const char *data;
	size_t len;
};

/*
 * An entry point: runs it on in and returns 0, a TD_E code, or
 * RESULT_PARTIAL (returned 0 but said it had lost data in a documented
 * way).  It must free everything it got before returning.
 */
#define RESULT_PARTIAL 1000
struct entry {
	const char *name;
	int (*run)(const struct input *in);
	const char *what;
};

/* ---- entry points ---- */

static int
run_whois(const struct input *in)
{
	struct td_record r;
	struct td_error err;
	int rc = td_whois_parse(&r, in->data, in->len, "whois.verisign-grs.com",
				&err);

	td_record_release(&r);
	return rc;
}

static int
run_rdap(const struct input *in)
{
	struct td_record r;
	struct td_error err;
	int rc = td_rdap_parse(&r, in->data, in->len,
			       "https://rdap.example.test/domain/x.test", &err);

	td_record_release(&r);
	return rc;
}

/*
 * td_record_json() of a record parsed beforehand (not counted), so that
 * only the writer is tortured; failures show in the buffer's flag.
 */
static struct td_record json_rec;

static int
run_record_json(const struct input *in)
{
	struct td_buf out = TD_BUF_INIT;
	struct td_jw w;
	int rc;

	td_jw_init(&w, &out);
	td_record_json(&w, &json_rec);
	rc = td_buf_failed(&out) ? TD_ENOMEM : 0;
	td_buf_release(&out);
	return rc;
}

/* each line of the input a URL: parse, unwrap, resolve against a base */
static int
each_line(const struct input *in, int (*fn)(const char *s, size_t len))
{
	const char *s = in->data, *end = s + in->len;
	int rc = 0;

	while (s < end && !rc) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t l = nl ? (size_t)(nl - s) : (size_t)(end - s);

		rc = fn(s, l);
		s += l + (nl != NULL);
	}
	return rc;
}

static int
url_parse_one(const char *s, size_t len)
{
	struct td_url u;
	struct td_error err;
	int rc = td_url_parse(&u, s, len, &err);

	td_url_release(&u);
	return rc == TD_EPARSE ? 0 : rc;
}

static int
url_unwrap_one(const char *s, size_t len)
{
	const char *kind = NULL;
	char *inner = NULL;
	int rc = td_url_unwrap(&inner, &kind, s, len);

	free(inner);
	return rc < 0 ? rc : 0;
}

static int
url_resolve_one(const char *s, size_t len)
{
	struct td_buf out = TD_BUF_INIT;
	int rc = td_url_resolve(&out, "https://base.example/dir/page.html?q=1",
				s, len);

	td_buf_release(&out);
	return rc == TD_EPARSE || rc == TD_EINVAL ? 0 : rc;
}

static int
run_url_parse(const struct input *in)
{
	return each_line(in, url_parse_one);
}

static int
run_url_unwrap(const struct input *in)
{
	return each_line(in, url_unwrap_one);
}

static int
run_url_resolve(const struct input *in)
{
	return each_line(in, url_resolve_one);
}

/*
 * The Received chain: fields split as fuzz_received.c does (a line break
 * not followed by white space ends one), "ar: " lines summarised as
 * Authentication-Results, "trust: " lines added to the trust list.
 */
static int
run_received(const struct input *in)
{
	struct td_received r = {0};
	struct td_trust trust = {0};
	struct td_buf auth = TD_BUF_INIT;
	struct td_error err;
	const char *s = in->data, *end = s + in->len;
	int rc = 0;

	while (s < end && !rc) {
		const char *e = s;
		size_t l;

		while (e < end &&
		       !(*e == '\n' &&
			 (e + 1 == end || (e[1] != ' ' && e[1] != '\t'))))
			e++;
		l = (size_t)(e - s);
		if (l > 7 && !memcmp(s, "trust: ", 7)) {
			char *spec = td_strndup(s + 7, l - 7);

			if (!spec) {
				rc = TD_ENOMEM;
			} else {
				rc = td_trust_add(&trust, spec, &err);
				if (rc == TD_EPARSE)
					rc = 0;
				free(spec);
			}
		} else if (l > 4 && !memcmp(s, "ar: ", 4)) {
			rc = td_auth_summary(&auth, s + 4, l - 4);
		} else {
			struct td_hop alone;

			rc = td_received_add(&r, s, l);
			if (!rc) {
				rc = td_hop_parse(&alone, s, l);
				td_hop_release(&alone);
			}
		}
		s = e < end ? e + 1 : e;
	}
	if (!rc) {
		td_received_decide(&r, &trust);
		td_received_decide(&r, NULL);
	}
	td_trust_release(&trust);
	td_buf_release(&auth);
	td_received_release(&r);
	return rc;
}

static int
on_text_hit(const struct td_text_hit *hit, void *payload)
{
	(*(size_t *)payload) += hit->url_len;
	return 0;
}

static int
run_textscan(const struct input *in)
{
	size_t sum = 0;

	return td_text_scan(in->data, in->len, on_text_hit, &sum);
}

static int
on_ioc_hit(const struct td_ioc_hit *hit, void *payload)
{
	(*(size_t *)payload)++;
	(void)hit;
	return 0;
}

static int
run_ioc(const struct input *in)
{
	size_t nr = 0;

	return td_ioc_scan(in->data, in->len, on_ioc_hit, &nr);
}

static int
on_link(const struct td_html_link *link, void *payload)
{
	(*(size_t *)payload) += link->resolved_len;
	return 0;
}

static int
on_html_text(enum td_html_text_kind kind, const char *s, size_t len,
	     void *payload)
{
	(*(size_t *)payload) += len + (size_t)kind + (s[0] != 0);
	return 0;
}

static int
run_html(const struct input *in)
{
	static const struct td_html_cb cb = {on_link, on_html_text};
	size_t sum = 0;

	return td_html_scan(in->data, in->len,
			    "https://base.example/dir/page.html", &cb, &sum);
}

static int
on_msg(const struct td_mail_msg *msg, void *payload)
{
	(void)msg;
	(*(size_t *)payload)++;
	return 0;
}

static int
on_part(const struct td_mail_part *part, void *payload)
{
	(*(size_t *)payload) += part->len;
	return 0;
}

static void
on_msg_end(const struct td_mail_msg *msg, void *payload)
{
	(void)msg;
	(void)payload;
}

static void
on_warning(const char *text, void *payload)
{
	(void)text;
	(void)payload;
}

static int
run_mail(const struct input *in)
{
	static const struct td_mail_cb cb = {on_msg, on_part, on_msg_end,
					     on_warning};
	struct td_mail_limits lim = TD_MAIL_LIMITS_INIT;
	struct td_error err;
	size_t sum = 0;

	lim.max_parts = 200;
	lim.max_depth = 20;
	return td_mail_walk(in->data, in->len, &lim, &cb, &sum, &err);
}

static int
run_extract(const struct input *in)
{
	struct td_extract_opts o = TD_EXTRACT_OPTS_INIT;
	struct td_extract x;
	struct td_error err;
	struct td_buf out = TD_BUF_INIT;
	struct td_jw w;
	int rc;

	o.limits.max_parts = 200;
	o.limits.max_depth = 20;
	rc = td_extract_message(&x, in->data, in->len, &o, &err);
	if (!rc) {
		td_jw_init(&w, &out);
		td_jw_obj(&w);
		td_extract_json(&w, &x);
		td_jw_obj_end(&w);
		if (td_buf_failed(&out))
			rc = TD_ENOMEM;
	}
	td_buf_release(&out);
	td_extract_release(&x);
	return rc;
}

static const struct entry entries[] = {
    {"whois", run_whois, "td_whois_parse"},
    {"rdap", run_rdap, "td_rdap_parse (-j: jansson's allocations too)"},
    {"record_json", run_record_json,
     "td_record_json of the td_whois_parse record of the input"},
    {"url_parse", run_url_parse, "td_url_parse of each line"},
    {"url_unwrap", run_url_unwrap, "td_url_unwrap of each line"},
    {"url_resolve", run_url_resolve, "td_url_resolve of each line"},
    {"received", run_received,
     "td_received_add, td_hop_parse, td_auth_summary, td_trust_add"},
    {"textscan", run_textscan, "td_text_scan"},
    {"ioc", run_ioc, "td_ioc_scan"},
    {"html", run_html, "td_html_scan with a base"},
    {"mail", run_mail, "td_mail_walk"},
    {"extract", run_extract, "td_extract_message and td_extract_json"},
};
#define NR_ENTRIES (sizeof(entries) / sizeof(entries[0]))

/* ---- the torture loop ---- */

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct td_buf b = TD_BUF_INIT;
	char chunk[65536];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		td_buf_add(&b, chunk, n);
	if (ferror(f) || td_buf_failed(&b)) {
		fclose(f);
		td_buf_release(&b);
		return NULL;
	}
	fclose(f);
	return td_buf_detach(&b, len);
}

static void print_stack(void);

static void
where(char *out, size_t size, void *pc)
{
	out[0] = '\0';
	if (pc)
		__sanitizer_symbolize_pc(pc, "%f %s:%l", out, size);
	if (!out[0])
		snprintf(out, size, "%p", pc);
}

/*
 * Torture one entry point on one input.  only is 0 for every N, else just
 * that one.  Returns 0 (all runs fine) or 1; prints the first bad run.
 */
static int strict = 1, verbose, each_leak_check, with_jansson;

static int
torture(const struct entry *e, const struct input *in, unsigned long only,
	unsigned long *n_out, unsigned long *swallowed, int *leak_checks)
{
	unsigned long n, i;
	int base, rc;

	fm_arm(0);
	base = e->run(in);
	fm_disarm();
	n = fm_count();
	*n_out = n;
	if (base == TD_ENOMEM) {
		printf("# %s: TD_ENOMEM with no allocation failing\n", in->name);
		return 1;
	}
	if (*leak_checks && __lsan_do_recoverable_leak_check()) {
		printf("# %s: leak with no allocation failing\n", in->name);
		*leak_checks = 0;
		return 1;
	}
	for (i = only ? only : 1; i <= (only ? only : n); i++) {
		void *pc;
		char loc[512];

		fm_arm(i);
		rc = e->run(in);
		fm_disarm();
		if (!fm_failed(&pc)) {
			/* the path got shorter; the result must not change */
			if (rc != base) {
				printf("# %s: N=%lu: no failure, yet %d "
				       "(baseline %d)\n",
				       in->name, i, rc, base);
				return 1;
			}
		} else if (rc != TD_ENOMEM && rc == base && !strict &&
			   !fm_failed_in_lib()) {
			/* lost data without a word: listed, not fatal */
			(*swallowed)++;
			if (verbose) {
				where(loc, sizeof(loc), pc);
				printf("# %s: N=%lu: swallowed: allocation "
				       "at %s failed, result %d as without\n",
				       in->name, i, loc, rc);
				print_stack();
			}
		} else if (rc != TD_ENOMEM &&
			   !(fm_failed_in_lib() &&
			     (rc == base || rc == TD_EPARSE))) {
			/*
			 * A failure inside jansson: it recovers from some
			 * (a hash table that cannot grow stays as it is),
			 * so the result without failure is fine; and
			 * jansson 2.14 reports most of the others as a
			 * syntax error ("invalid token near ..."), which
			 * td_rdap_parse() cannot tell from a real one: so
			 * TD_EPARSE is accepted there too.
			 */
			where(loc, sizeof(loc), pc);
			printf("# %s: N=%lu: allocation at %s failed, yet "
			       "the result is %d (baseline %d), not "
			       "TD_ENOMEM\n",
			       in->name, i, loc, rc, base);
			print_stack();
			return 1;
		}
		if (*leak_checks && each_leak_check &&
		    __lsan_do_recoverable_leak_check()) {
			where(loc, sizeof(loc), pc);
			printf("# %s: N=%lu: leak after the allocation at %s "
			       "failed (report above, on stderr)\n",
			       in->name, i, loc);
			print_stack();
			*leak_checks = 0;
			return 1;
		}
	}
	/* one leak check for all the runs unless -L: about 25 ms each */
	if (*leak_checks && !each_leak_check &&
	    __lsan_do_recoverable_leak_check()) {
		printf("# %s: leak in one of the runs N=1..%lu (report above, "
		       "on stderr; -L finds which)\n",
		       in->name, n);
		*leak_checks = 0;
		return 1;
	}
	return 0;
}

/* the stack of the failed allocation, as comment lines */
static void
print_stack(void)
{
	void **pcs;
	int i, n = fm_failed_stack(&pcs);
	char loc[512];

	for (i = 3; i < n; i++) {
		where(loc, sizeof(loc), pcs[i]);
		if (strstr(loc, "torture.c") || strstr(loc, "libc."))
			break;
		printf("#     %s\n", loc);
	}
}

static void
usage(void)
{
	fprintf(stderr, "usage: torture [-k] [-v] [-L] [-j] [-n N] ENTRY FILE...\n"
			"       torture -l\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const struct entry *e = NULL;
	unsigned long only = 0, total = 0, swallowed = 0;
	int argi = 1, bad = 0, leak_checks = 1;
	size_t k;

	if (argc == 2 && !strcmp(argv[1], "-l")) {
		for (k = 0; k < NR_ENTRIES; k++)
			printf("%-12s %s\n", entries[k].name, entries[k].what);
		return 0;
	}
	for (; argi < argc && argv[argi][0] == '-'; argi++) {
		if (!strcmp(argv[argi], "-n") && argi + 1 < argc) {
			only = strtoul(argv[++argi], NULL, 10);
			if (!only)
				usage();
		} else if (!strcmp(argv[argi], "-k")) {
			strict = 0;
		} else if (!strcmp(argv[argi], "-j")) {
			with_jansson = 1;
		} else if (!strcmp(argv[argi], "-L")) {
			each_leak_check = 1;
		} else if (!strcmp(argv[argi], "-v")) {
			verbose = 1;
		} else {
			usage();
		}
	}
	if (argc - argi < 2)
		usage();
	for (k = 0; k < NR_ENTRIES; k++)
		if (!strcmp(entries[k].name, argv[argi]))
			e = &entries[k];
	if (!e)
		usage();
	argi++;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/*
	 * With -j jansson allocates through fm_malloc(): counted, and failed
	 * too.  Off by default: jansson 2.14 (Debian 12) itself crashes on
	 * some of its own failed allocations (a SEGV inside json_loadb()
	 * for fuzz/corpus/fuzz_rdap/ipwhois-2a00_2381_ffff__1.json when its
	 * 24th allocation fails), which no code of ours can prevent.
	 */
	if (with_jansson)
		json_set_alloc_funcs(fm_malloc, free);
	td_mail_global_init();
	printf("1..%d\n", argc - argi);
	for (k = 1; argi < argc; argi++, k++) {
		struct input in;
		unsigned long n = 0;
		size_t len;
		char *data = slurp(argv[argi], &len);
		int fail;

		if (!data) {
			printf("not ok %zu - %s: unreadable\n", k, argv[argi]);
			bad = 1;
			continue;
		}
		in.name = strrchr(argv[argi], '/') ? strrchr(argv[argi], '/') + 1
						   : argv[argi];
		in.data = data;
		in.len = len;
		if (e->run == run_record_json) {
			struct td_error err;

			td_record_release(&json_rec);
			if (td_whois_parse(&json_rec, data, len, NULL, &err)) {
				printf("not ok %zu - %s: whois parse\n", k,
				       in.name);
				bad = 1;
				free(data);
				continue;
			}
		}
		fail = torture(e, &in, only, &n, &swallowed, &leak_checks);
		total += only ? 1 : n;
		printf("%s %zu - %s %s: %lu allocations, each failed in turn\n",
		       fail ? "not ok" : "ok", k, e->name, in.name, n);
		bad |= fail;
		free(data);
	}
	td_record_release(&json_rec);
	printf("# %s: %lu runs with one allocation failing", e->name, total);
	if (!strict)
		printf(", %lu of them lost data yet returned as if none had "
		       "failed (-k; -v lists them)",
		       swallowed);
	printf("\n");
	return bad;
}
