/*
 * takedown extract: every indicator out of phishing e-mails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "extract.h"
#include "hash.h"
#include "input.h"
#include "jsonw.h"
#include "received.h"
#include "term.h"
#include "banned.h"

static int opt_json;
static int opt_no_progress;
static int opt_no_auto_trust;
static struct td_strlist opt_trust;
static const char *opt_mailhosts;
static size_t opt_max_size = 64u << 20;
static size_t opt_max_part = 32u << 20;
static unsigned opt_max_depth = 100;
static unsigned opt_max_parts = 10000;

static const struct td_opt options[] = {
	{"json", 'j', TD_OPT_FLAG, &opt_json, NULL,
	 "write JSON Lines, one object per message (docs/extract-schema.md)"},
	{"trust", 't', TD_OPT_LIST, &opt_trust, "HOST|.DOMAIN|CIDR",
	 "a mail host of the recipient's own (repeatable)"},
	{"mailhosts", 0, TD_OPT_STRING, &opt_mailhosts, "FILE",
	 "read trusted mail hosts from FILE, one per line"},
	{"no-auto-trust", 0, TD_OPT_FLAG, &opt_no_auto_trust, NULL,
	 "do not trust a known mail provider's relays (data/mailhosts.txt)"},
	{"max-size", 0, TD_OPT_SIZE, &opt_max_size, "BYTES",
	 "refuse messages larger than this (default 64M)"},
	{"max-part-size", 0, TD_OPT_SIZE, &opt_max_part, "BYTES",
	 "read at most this much of each decoded part (default 32M)"},
	{"max-depth", 0, TD_OPT_UINT, &opt_max_depth, "N",
	 "MIME nesting levels read (default 100)"},
	{"max-parts", 0, TD_OPT_UINT, &opt_max_parts, "N",
	 "MIME parts read per message (default 10000)"},
	{"no-progress", 0, TD_OPT_FLAG, &opt_no_progress, NULL,
	 "do not show progress on a terminal"},
	{NULL, 0, 0, NULL, NULL, NULL},
};

struct run {
	struct td_extract_opts xo;
	struct td_trust trust;
	struct td_buf out;
	size_t nr_msgs, nr_failed;
	unsigned long long bytes;
	int progress;
	time_t last_progress;
};

/* ---- human output ---- */

static void
esc(struct td_buf *o, const char *s)
{
	if (s)
		td_term_escape(o, s, strlen(s), 0);
}

static void
addr_line(struct td_buf *o, const char *label, const struct td_mail_addr *a,
	  size_t nr)
{
	size_t i;

	if (!nr)
		return;
	td_buf_printf(o, "  %-13s", label);
	for (i = 0; i < nr && i < 8; i++) {
		if (i)
			td_buf_adds(o, ", ");
		if (a[i].name) {
			td_buf_addch(o, '"');
			esc(o, a[i].name);
			td_buf_adds(o, "\" ");
		}
		td_buf_addch(o, '<');
		esc(o, a[i].addr ? a[i].addr : "?");
		td_buf_addch(o, '>');
	}
	if (nr > 8)
		td_buf_printf(o, " and %zu more", nr - 8);
	td_buf_addch(o, '\n');
}

static void
kv(struct td_buf *o, const char *label, const char *v)
{
	if (!v)
		return;
	td_buf_printf(o, "  %-13s", label);
	esc(o, v);
	td_buf_addch(o, '\n');
}

static void
found_human(struct td_buf *o, const struct td_found *f)
{
	td_buf_adds(o, "        ");
	esc(o, f->where);
	if (f->part && *f->part) {
		td_buf_adds(o, ", part ");
		esc(o, f->part);
	} else {
		td_buf_adds(o, ", headers");
	}
	if (f->content_type) {
		td_buf_adds(o, " (");
		esc(o, f->content_type);
		if (f->filename) {
			td_buf_adds(o, " \"");
			esc(o, f->filename);
			td_buf_addch(o, '"');
		}
		td_buf_addch(o, ')');
	}
	if (f->link_text) {
		size_t n = strlen(f->link_text);

		td_buf_adds(o, ", text \"");
		td_term_escape(o, f->link_text, n > 80 ? 80 : n, 0);
		td_buf_adds(o, n > 80 ? "...\"" : "\"");
		if (f->mismatch) {
			td_buf_adds(o, "  [shows ");
			esc(o, f->shown_host);
			td_buf_addch(o, ']');
		}
	}
	td_buf_addch(o, '\n');
}

static void
values_human(struct td_buf *o, const char *title, const struct td_xlist *l)
{
	size_t i;

	if (!l->nr)
		return;
	td_buf_printf(o, "  %s (%zu):\n", title, l->nr);
	for (i = 0; i < l->nr; i++) {
		td_buf_adds(o, "    ");
		esc(o, l->v[i].value);
		if (l->v[i].defanged)
			td_buf_adds(o, "  (defanged)");
		if (l->v[i].nr_found) {
			const struct td_found *f = &l->v[i].found[0];

			td_buf_adds(o, "  in ");
			esc(o, f->where);
			if (f->part && *f->part) {
				td_buf_adds(o, ", part ");
				esc(o, f->part);
			}
		}
		td_buf_addch(o, '\n');
	}
}

static void
msg_human(struct td_buf *o, const struct td_xmsg *m)
{
	size_t i, j;
	char when[32];

	if (m->role == TD_MAIL_OUTER) {
		td_buf_adds(o, "message: outer (as received)\n");
	} else {
		td_buf_adds(o, "message: attached, part ");
		esc(o, m->part);
		if (m->filename) {
			td_buf_adds(o, " \"");
			esc(o, m->filename);
			td_buf_addch(o, '"');
		}
		td_buf_printf(o, " (carried in message %ld)\n", m->parent + 1);
	}
	addr_line(o, "From:", m->from, m->nr_from);
	addr_line(o, "Reply-To:", m->reply_to, m->nr_reply_to);
	addr_line(o, "Sender:", m->sender, m->nr_sender);
	kv(o, "Return-Path:", m->return_path);
	addr_line(o, "To:", m->to, m->nr_to);
	kv(o, "Subject:", m->subject);
	if (m->date) {
		td_buf_printf(o, "  %-13s", "Date:");
		esc(o, m->date);
		if (m->date_utc >= 0) {
			time_t t = (time_t)m->date_utc;
			struct tm tm;

			gmtime_r(&t, &tm);
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC",
				 &tm);
			td_buf_printf(o, "  (%s)", when);
		}
		td_buf_addch(o, '\n');
	}
	kv(o, "Message-ID:", m->message_id);
	kv(o, "Auth:", m->auth);
	for (i = 0; i < m->nr_list_unsubscribe; i++)
		kv(o, "Unsubscribe:", m->list_unsubscribe[i]);

	if (m->received.report_hop >= 0) {
		const struct td_hop *h =
			&m->received.hops[m->received.report_hop];

		td_buf_printf(o, "  %-13s", "Sending IP:");
		esc(o, h->from_ip);
		td_buf_printf(o, "  (hop %ld", m->received.report_hop + 1);
		if (h->from_rdns) {
			td_buf_adds(o, ", rDNS ");
			esc(o, h->from_rdns);
		}
		if (h->from_helo) {
			td_buf_adds(o, ", HELO ");
			esc(o, h->from_helo);
		}
		td_buf_adds(o, ")\n");
		if (m->mail_provider)
			td_buf_printf(o, "  %-13s%s relays trusted (recipient's "
					 "provider)\n", "", m->mail_provider);
	} else if (m->received.nr) {
		td_buf_printf(o, "  %-13s%s\n", "Sending IP:",
			      "none found outside the trusted relays");
	}
	if (m->received.nr) {
		td_buf_printf(o, "  Received (%zu hops, newest first):\n",
			      m->received.nr);
		for (i = 0; i < m->received.nr && i < 30; i++) {
			const struct td_hop *h = &m->received.hops[i];

			td_buf_printf(o, "    %2zu %-10s ", i + 1,
				      (long)i == m->received.report_hop
					      ? "REPORT"
				      : h->trusted    ? "trusted"
				      : h->unverified ? "unverified"
				      : h->parsed     ? ""
						      : "unparsed");
			td_buf_adds(o, "from ");
			esc(o, h->from_helo ? h->from_helo
					    : h->from_rdns ? h->from_rdns : "?");
			if (h->from_ip) {
				td_buf_adds(o, " [");
				esc(o, h->from_ip);
				td_buf_addch(o, ']');
			}
			td_buf_adds(o, " by ");
			esc(o, h->by ? h->by : "?");
			td_buf_addch(o, '\n');
		}
		if (m->received.nr > 30)
			td_buf_printf(o, "    ... %zu more\n",
				      m->received.nr - 30);
	}

	td_buf_printf(o, "  URLs (%zu):\n", m->nr_urls);
	for (i = 0; i < m->nr_urls; i++) {
		const struct td_xurl *u = &m->urls[i];

		td_buf_adds(o, "    ");
		esc(o, u->u.url);
		td_buf_addch(o, '\n');
		if (u->u.is_idn) {
			td_buf_adds(o, "        host ");
			esc(o, u->u.host_ascii);
			td_buf_adds(o, " shown as ");
			esc(o, u->u.host_unicode);
			if (u->u.mixed_script)
				td_buf_adds(o, "  [mixed scripts: homograph?]");
			td_buf_addch(o, '\n');
		}
		if (u->u.userinfo) {
			td_buf_adds(o, "        userinfo \"");
			esc(o, u->u.userinfo);
			td_buf_adds(o, "\" before the real host\n");
		}
		if (u->defanged)
			td_buf_adds(o, "        written defanged\n");
		for (j = 0; j < u->nr_wraps; j++) {
			td_buf_adds(o, "        unwrapped from ");
			esc(o, u->wraps[j].kind);
			td_buf_adds(o, ": ");
			esc(o, u->wraps[j].url);
			td_buf_addch(o, '\n');
		}
		for (j = 0; j < u->nr_found && j < 3; j++)
			found_human(o, &u->found[j]);
		if (u->seen > 3)
			td_buf_printf(o, "        (seen %zu times)\n", u->seen);
	}
	values_human(o, "E-mail addresses", &m->emails);
	values_human(o, "IP addresses", &m->ips);
	values_human(o, "Phone numbers", &m->phones);
	if (m->nr_attachments) {
		td_buf_printf(o, "  Parts and attachments (%zu):\n",
			      m->nr_attachments);
		for (i = 0; i < m->nr_attachments; i++) {
			const struct td_xattach *a = &m->attachments[i];

			td_buf_adds(o, "    ");
			esc(o, a->part);
			td_buf_adds(o, " ");
			esc(o, a->filename ? a->filename : "(no name)");
			td_buf_adds(o, "  ");
			esc(o, a->content_type);
			td_buf_printf(o, "  %zu bytes  sha256 %s%s\n", a->size,
				      a->sha256,
				      a->truncated ? "  (read truncated)" : "");
		}
	}
}

/* ---- driving ---- */

static void
input_error(const char *path, const char *msg, void *payload)
{
	struct run *r = payload;
	struct td_buf b = TD_BUF_INIT;

	r->nr_failed++;
	td_term_escape(&b, path, strlen(path), 0);
	td_buf_adds(&b, ": ");
	td_term_escape(&b, msg, strlen(msg), 0);
	if (r->progress)
		fputs("\r\033[K", stderr);
	td_die_msg("extract", "%s", b.ptr);
	td_buf_release(&b);
}

static void
flush(struct run *r)
{
	if (r->out.len) {
		fwrite(r->out.ptr, 1, r->out.len, stdout);
		td_buf_reset(&r->out);
	}
}

static void
progress(struct run *r, int done)
{
	time_t now;

	if (!r->progress)
		return;
	now = time(NULL);
	if (!done && now == r->last_progress)
		return;
	r->last_progress = now;
	fprintf(stderr, "\r\033[Kextract: %zu messages, %.1f MB%s",
		r->nr_msgs, (double)r->bytes / 1e6, done ? "\n" : "");
}

static int
on_message(const struct td_input_msg *im, void *payload)
{
	struct run *r = payload;
	struct td_extract x;
	struct td_error err = {0, ""};
	char sha[65];
	int ret;

	r->nr_msgs++;
	r->bytes += im->len;
	ret = td_extract_message(&x, im->data, im->len, &r->xo, &err);
	if (ret == TD_ENOMEM) {
		td_extract_release(&x);
		return ret;
	}
	if (ret < 0 || !x.nr_msgs) {
		char where[64] = "";

		if (!strcmp(im->format, "mbox"))
			snprintf(where, sizeof(where), "message %zu: ",
				 im->index + 1);
		r->nr_failed++;
		{
			struct td_buf b = TD_BUF_INIT;

			td_term_escape(&b, im->path, strlen(im->path), 0);
			td_die_msg("extract", "%s: %s%s", b.ptr, where,
				   ret < 0 ? err.msg : "no message found");
			td_buf_release(&b);
		}
		td_extract_release(&x);
		return 0;
	}
	td_sha256_hex(sha, im->data, im->len);
	if (opt_json) {
		struct td_jw w;

		td_jw_init(&w, &r->out);
		td_jw_obj(&w);
		td_jw_kstr(&w, "schema", "takedown-extract/1");
		td_jw_key(&w, "source");
		td_jw_obj(&w);
		td_jw_kstr(&w, "path", im->path);
		td_jw_kstr(&w, "format", im->format);
		td_jw_kint(&w, "index", (long long)im->index);
		td_jw_kint(&w, "offset", im->offset);
		td_jw_kint(&w, "size", (long long)im->len);
		td_jw_kstr(&w, "sha256", sha);
		td_jw_obj_end(&w);
		td_extract_json(&w, &x);
		td_jw_obj_end(&w);
		td_buf_addch(&r->out, '\n');
	} else {
		size_t i;

		td_buf_adds(&r->out, "== ");
		esc(&r->out, im->path);
		if (!strcmp(im->format, "mbox"))
			td_buf_printf(&r->out, " (mbox message %zu)",
				      im->index + 1);
		td_buf_printf(&r->out, "  %zu bytes  sha256 %s\n", im->len,
			      sha);
		for (i = 0; i < x.nr_msgs; i++)
			msg_human(&r->out, &x.msgs[i]);
		for (i = 0; i < x.nr_warnings; i++) {
			td_buf_adds(&r->out, "  warning: ");
			esc(&r->out, x.warnings[i]);
			td_buf_addch(&r->out, '\n');
		}
		td_buf_addch(&r->out, '\n');
	}
	td_extract_release(&x);
	if (r->out.len > (1u << 16))
		flush(r);
	progress(r, 0);
	return td_buf_failed(&r->out) ? TD_ENOMEM : 0;
}

static int
load_mailhosts(struct run *r, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int ret = 0;
	unsigned lineno = 0;

	if (!f) {
		td_die_msg("extract", "%s: cannot open", path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *e;
		struct td_error err = {0, ""};

		lineno++;
		while (*p == ' ' || *p == '\t')
			p++;
		e = p + strcspn(p, " \t\r\n#");
		*e = '\0';
		if (!*p)
			continue;
		if (td_trust_add(&r->trust, p, &err) < 0) {
			td_die_msg("extract", "%s:%u: %s", path, lineno,
				   err.msg);
			ret = -1;
			break;
		}
	}
	fclose(f);
	return ret;
}

static int
run_extract(int argc, char **argv)
{
	static const struct td_extract_opts xo_init = TD_EXTRACT_OPTS_INIT;
	struct td_input_opts io = TD_INPUT_OPTS_INIT;
	struct run r;
	int i, ret = 0, status = EXIT_OK;
	size_t k;
	char *stdin_argv[] = {"-"};

	memset(&r, 0, sizeof(r));
	r.xo = xo_init;
	td_buf_init(&r.out, 0);
	for (k = 0; k < opt_trust.nr; k++) {
		struct td_error err = {0, ""};

		if (td_trust_add(&r.trust, opt_trust.v[k], &err) < 0) {
			td_die_msg("extract", "--trust: %s", err.msg);
			status = EXIT_USAGE;
			goto out;
		}
	}
	if (opt_mailhosts && load_mailhosts(&r, opt_mailhosts) < 0) {
		status = EXIT_USAGE;
		goto out;
	}
	r.xo.trust = &r.trust;
	r.xo.auto_trust = !opt_no_auto_trust;
	r.xo.limits.max_depth = opt_max_depth;
	r.xo.limits.max_parts = opt_max_parts;
	r.xo.limits.max_part_bytes = opt_max_part;
	io.max_message_bytes = opt_max_size;
	io.error = input_error;
	r.progress = !opt_no_progress && isatty(STDERR_FILENO) &&
		     !isatty(STDOUT_FILENO);
	if (argc == 0) {
		argc = 1;
		argv = stdin_argv;
	}
	for (i = 0; i < argc && ret != TD_ENOMEM; i++) {
		ret = td_input_read(argv[i], &io, on_message, &r);
		flush(&r);
	}
	progress(&r, 1);
	if (ret == TD_ENOMEM) {
		td_die_msg("extract", "out of memory");
		status = EXIT_FAIL;
	} else if (r.nr_failed) {
		status = EXIT_FAIL;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		td_die_msg("extract", "error writing output");
		status = EXIT_FAIL;
	}
out:
	td_buf_release(&r.out);
	td_trust_release(&r.trust);
	free(opt_trust.v);
	return status;
}

const struct td_cmd cmd_extract_def = {
	"extract",
	"[FILE|DIR|-]...",
	"list every indicator in phishing e-mails",
	"Reads .eml files, mbox files, Maildir folders, other folders (their\n"
	"files, recursively) or standard input, and prints for each message\n"
	"(the outer one and every message attached to it) the header facts,\n"
	"the Received chain with the sending IP to report, the URLs (exact,\n"
	"normalised, unwrapped from link protection, where each was found and\n"
	"the link text shown), e-mail addresses, IP addresses, phone numbers\n"
	"and attachments with their SHA-256.\n\n"
	"Received headers below the first hop outside your own mail hosts\n"
	"(--trust, --mailhosts) can be forged; they are shown as unverified.\n"
	"Text from the message is escaped: control characters as \\xNN and\n"
	"non-ASCII as \\u{XXXX}.\n",
	options,
	run_extract,
};
