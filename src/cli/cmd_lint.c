/*
 * takedown lint: check report drafts (.eml) against the rules of a good
 * report and the structure of a well-formed message.  See lint.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "jsonw.h"
#include "lint.h"
#include "term.h"
#include "banned.h"

#define MAX_DRAFT (64u << 20)

static int opt_json;
static const char *opt_case;
static const char *opt_attachment;
static struct td_strlist opt_personal;
static struct td_strlist opt_reporter;
static struct td_strlist opt_url;

static const struct td_opt options[] = {
    {"json", 'j', TD_OPT_FLAG, &opt_json, NULL,
     "write one JSON object per file (schema takedown-lint/1)"},
    {"case", 'c', TD_OPT_STRING, &opt_case, "compromised|malicious",
     "the case kind (default compromised; malicious turns on "
     "reveals-identity)"},
    {"personal", 'p', TD_OPT_LIST, &opt_personal, "TEXT",
     "the reporter's personal name or e-mail: never in a malicious "
     "case (repeatable)"},
    {"reporter", 'r', TD_OPT_LIST, &opt_reporter, "TEXT",
     "text naming the reporter that must appear (default: From's "
     "address and name; repeatable)"},
    {"url", 'u', TD_OPT_LIST, &opt_url, "URL",
     "a URL that must appear exactly (repeatable)"},
    {"attachment", 'a', TD_OPT_STRING, &opt_attachment, "auto|required|none",
     "whether the phishing e-mail must be attached (auto: when the "
     "text says it came by e-mail)"},
    {NULL, 0, 0, NULL, NULL, NULL},
};

static int
read_all(struct td_buf *out, const char *path)
{
	char chunk[65536];
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			if (fd)
				close(fd);
			return -e;
		}
		if (td_buf_add(out, chunk, (size_t)n) < 0)
			break;
	}
	if (fd)
		close(fd);
	if (td_buf_failed(out) & TD_BUF_TRUNC)
		return -EFBIG;
	return td_buf_failed(out) ? -ENOMEM : 0;
}

static void
report(struct td_buf *o, const char *path, const struct td_lint *l)
{
	size_t i;

	if (opt_json) {
		struct td_jw w;

		td_jw_init(&w, o);
		td_jw_obj(&w);
		td_jw_kstr(&w, "schema", "takedown-lint/1");
		td_jw_kstr(&w, "path", path);
		td_jw_kbool(&w, "ok", l->nr == 0);
		td_jw_key(&w, "failures");
		td_jw_arr(&w);
		for (i = 0; i < l->nr; i++) {
			td_jw_obj(&w);
			td_jw_kstr(&w, "rule", l->issues[i].rule);
			td_jw_kstr(&w, "reason", l->issues[i].reason);
			td_jw_obj_end(&w);
		}
		td_jw_arr_end(&w);
		td_jw_obj_end(&w);
		td_buf_addch(o, '\n');
		return;
	}
	for (i = 0; i < l->nr; i++) {
		td_term_escape(o, path, strlen(path), 0);
		/* reasons are escaped by lint already */
		td_buf_printf(o, ": FAIL %s: %s\n", l->issues[i].rule,
			      l->issues[i].reason);
	}
	if (!l->nr) {
		td_term_escape(o, path, strlen(path), 0);
		td_buf_adds(o, ": ok\n");
	}
}

static int
run_lint(int argc, char **argv)
{
	struct td_lint_opts lo;
	int i, status = EXIT_OK;

	memset(&lo, 0, sizeof(lo));
	if (opt_case && strcmp(opt_case, "compromised") &&
	    strcmp(opt_case, "malicious")) {
		td_die_msg("lint", "--case must be compromised or malicious");
		return EXIT_USAGE;
	}
	lo.malicious = opt_case && !strcmp(opt_case, "malicious");
	if (!opt_attachment || !strcmp(opt_attachment, "auto"))
		lo.attachment = TD_LINT_ATTACH_AUTO;
	else if (!strcmp(opt_attachment, "required"))
		lo.attachment = TD_LINT_ATTACH_REQUIRED;
	else if (!strcmp(opt_attachment, "none"))
		lo.attachment = TD_LINT_ATTACH_NONE;
	else {
		td_die_msg("lint", "--attachment must be auto, required or "
				   "none");
		return EXIT_USAGE;
	}
	if (lo.malicious && !opt_personal.nr)
		td_die_msg("lint", "note: --case malicious without --personal "
				   "cannot check reveals-identity");
	lo.personal = (char *const *)opt_personal.v;
	lo.nr_personal = opt_personal.nr;
	lo.reporter = (char *const *)opt_reporter.v;
	lo.nr_reporter = opt_reporter.nr;
	lo.urls = (char *const *)opt_url.v;
	lo.nr_urls = opt_url.nr;
	if (argc == 0) {
		td_die_msg("lint", "no draft given (FILE.eml or -)");
		return EXIT_USAGE;
	}
	for (i = 0; i < argc; i++) {
		struct td_buf in, out = TD_BUF_INIT, p = TD_BUF_INIT;
		struct td_lint l;
		struct td_error err = {0, ""};
		int ret;

		td_buf_init(&in, MAX_DRAFT);
		td_term_escape(&p, argv[i], strlen(argv[i]), 0);
		ret = read_all(&in, argv[i]);
		if (ret < 0) {
			td_die_msg("lint", "%s: %s", p.ptr,
				   ret == -EFBIG ? "larger than 64 MiB"
						 : strerror(-ret));
			status = EXIT_FAIL;
			goto next;
		}
		ret = td_lint_check(&l, in.ptr, in.len, &lo, &err);
		if (ret < 0) {
			td_die_msg("lint", "%s: %s", p.ptr,
				   err.msg[0] ? err.msg : td_strerror(ret));
			status = EXIT_FAIL;
			goto next;
		}
		if (l.nr)
			status = EXIT_FAIL;
		report(&out, argv[i], &l);
		fwrite(out.ptr, 1, out.len, stdout);
		td_lint_release(&l);
	next:
		td_buf_release(&in);
		td_buf_release(&out);
		td_buf_release(&p);
	}
	if (fflush(stdout) != 0) {
		td_die_msg("lint", "error writing output");
		status = EXIT_FAIL;
	}
	return status;
}

const struct td_cmd cmd_lint_def = {
    "lint",
    "FILE.eml|-...",
    "check report drafts against the rules of a good report",
    "Reads each draft (an RFC 5322 message) and checks that it names the\n"
    "reporter, gives the exact URL, how it was found, the evidence and\n"
    "advice to contact law enforcement; that it asks for no payment,\n"
    "reward or access and offers no clean-up; that in a malicious case\n"
    "it shows none of the --personal strings anywhere, in any encoding;\n"
    "and that it is well formed: one From, To, Subject, Date and\n"
    "Message-ID, no Auto-Submitted, no line over 998 octets, the\n"
    "phishing e-mail attached when the text says it came by e-mail.\n"
    "Each failed rule is printed with a one-line reason.  Exit status 0\n"
    "when every draft passes, 1 when a rule failed or a file could not\n"
    "be read.\n",
    options,
    run_lint,
};
