/*
 * takedown parse-record: what lookup would take from a saved WHOIS or RDAP
 * record, without any network.
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
#include "rdap.h"
#include "record.h"
#include "term.h"
#include "whois.h"
#include "banned.h"

#define MAX_RECORD (16u << 20)

static int opt_json;
static const char *opt_server;
static const char *opt_format;

static const struct td_opt options[] = {
	{"json", 'j', TD_OPT_FLAG, &opt_json, NULL,
	 "write JSON Lines, one object per record (docs/record-schema.md)"},
	{"server", 's', TD_OPT_STRING, &opt_server, "NAME",
	 "the server that wrote the record (a hint, e.g. whois.denic.de)"},
	{"format", 'f', TD_OPT_STRING, &opt_format, "whois|rdap",
	 "do not guess the format"},
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
	if (td_buf_failed(out))
		return -ENOMEM;
	return 0;
}

static int
looks_like_json(const char *s, size_t len)
{
	size_t i = 0;

	if (len >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' ||
			   s[i] == '\n'))
		i++;
	return i < len && s[i] == '{';
}

static void
row(struct td_buf *o, const char *label, const char *v)
{
	if (!v)
		return;
	td_buf_printf(o, "  %-17s", label);
	td_term_escape(o, v, strlen(v), 0);
	td_buf_addch(o, '\n');
}

static void
rows(struct td_buf *o, const char *label, char *const *v, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		row(o, i ? "" : label, v[i]);
}

static void
human(struct td_buf *o, const char *path, const struct td_record *r)
{
	size_t i;
	char num[32];

	td_buf_adds(o, "== ");
	td_term_escape(o, path, strlen(path), 0);
	td_buf_printf(o, "  (%s %s record: %s)\n", r->format,
		      td_record_kind_name(r->kind),
		      td_record_status_name(r->status));
	row(o, "said:", r->status_text);
	row(o, "source:", r->source);
	row(o, "domain:", r->domain);
	if (r->domain_unicode && r->domain &&
	    strcmp(r->domain_unicode, r->domain))
		row(o, "shown as:", r->domain_unicode);
	row(o, "registrar:", r->registrar);
	if (r->registrar_iana_id >= 0) {
		snprintf(num, sizeof(num), "%ld", r->registrar_iana_id);
		row(o, "IANA ID:", num);
	}
	row(o, "registrar URL:", r->registrar_url);
	row(o, "registrar WHOIS:", r->registrar_whois);
	row(o, "registrar RDAP:", r->registrar_rdap);
	row(o, "abuse e-mail:", r->abuse_email);
	row(o, "abuse phone:", r->abuse_phone);
	row(o, "created:", r->created);
	row(o, "updated:", r->updated);
	row(o, "expires:", r->expires);
	rows(o, "status:", r->statuses, r->nr_statuses);
	rows(o, "nameservers:", r->nameservers, r->nr_nameservers);
	row(o, "DNSSEC:", r->dnssec);
	row(o, "handle:", r->handle);
	row(o, "name:", r->name);
	if (r->start && r->end) {
		struct td_buf rg = TD_BUF_INIT;

		td_buf_printf(&rg, "%s - %s", r->start, r->end);
		row(o, "range:", rg.ptr);
		td_buf_release(&rg);
	}
	rows(o, "CIDR:", r->cidrs, r->nr_cidrs);
	row(o, "country:", r->country);
	row(o, "holder:", r->org);
	row(o, "parent:", r->parent);
	if (r->origin_asn >= 0) {
		snprintf(num, sizeof(num), "AS%ld", r->origin_asn);
		row(o, "origin:", num);
	}
	row(o, "ask next:", r->referral);
	for (i = 0; i < r->nr_contacts; i++) {
		const struct td_contact *c = &r->contacts[i];
		struct td_buf l = TD_BUF_INIT;

		td_buf_printf(&l, "%s:", c->role);
		row(o, l.ptr, c->name ? c->name : c->org ? c->org : c->handle);
		td_buf_release(&l);
		if (c->name && c->org)
			row(o, "", c->org);
		row(o, "", c->email);
		row(o, "", c->phone);
		row(o, "", c->country);
		row(o, "", c->url);
		if (c->flags)
			row(o, "",
			    c->flags & TD_CONTACT_PROXY
				    ? "(privacy/proxy service: not the owner)"
			    : c->flags & TD_CONTACT_REDACTED
				    ? "(redacted: not a contact)"
				    : "(withheld: ask the registrar)");
	}
	rows(o, "note:", r->notes, r->nr_notes);
	td_buf_addch(o, '\n');
}

static int
run_parse_record(int argc, char **argv)
{
	char *stdin_argv[] = {"-"};
	int i, status = EXIT_OK;

	if (opt_format && strcmp(opt_format, "whois") &&
	    strcmp(opt_format, "rdap")) {
		td_die_msg("parse-record", "--format must be whois or rdap");
		return EXIT_USAGE;
	}
	if (argc == 0) {
		argc = 1;
		argv = stdin_argv;
	}
	for (i = 0; i < argc; i++) {
		struct td_buf in, out = TD_BUF_INIT, p = TD_BUF_INIT;
		struct td_record r;
		struct td_error err = {0, ""};
		int rdap, ret;

		td_buf_init(&in, MAX_RECORD);
		td_term_escape(&p, argv[i], strlen(argv[i]), 0);
		ret = read_all(&in, argv[i]);
		if (ret < 0) {
			td_die_msg("parse-record", "%s: %s", p.ptr,
				   ret == -EFBIG ? "larger than 16 MiB"
						 : strerror(-ret));
			status = EXIT_FAIL;
			goto next;
		}
		rdap = opt_format ? !strcmp(opt_format, "rdap")
				  : looks_like_json(in.ptr, in.len);
		ret = rdap ? td_rdap_parse(&r, in.ptr, in.len, opt_server, &err)
			   : td_whois_parse(&r, in.ptr, in.len, opt_server,
					    &err);
		if (ret < 0) {
			td_die_msg("parse-record", "%s: %s", p.ptr,
				   err.msg[0] ? err.msg : td_strerror(ret));
			status = EXIT_FAIL;
			td_record_release(&r);
			goto next;
		}
		if (opt_json) {
			struct td_jw w;

			td_jw_init(&w, &out);
			td_jw_obj(&w);
			td_jw_kstr(&w, "schema", "takedown-record/1");
			td_jw_kstr(&w, "path", argv[i]);
			td_jw_key(&w, "record");
			td_record_json(&w, &r);
			td_jw_obj_end(&w);
			td_buf_addch(&out, '\n');
		} else {
			human(&out, argv[i], &r);
		}
		fwrite(out.ptr, 1, out.len, stdout);
		td_record_release(&r);
next:
		td_buf_release(&in);
		td_buf_release(&out);
		td_buf_release(&p);
	}
	if (fflush(stdout) != 0) {
		td_die_msg("parse-record", "error writing output");
		status = EXIT_FAIL;
	}
	return status;
}

const struct td_cmd cmd_parse_record_def = {
	"parse-record",
	"[FILE|-]...",
	"show what a saved WHOIS or RDAP record says",
	"Reads a WHOIS answer (port 43 text) or an RDAP answer (JSON) saved\n"
	"to a file, recognises which it is and prints what takedown takes\n"
	"from it: registrar with IANA ID and abuse contact, dates, status,\n"
	"name servers, contacts (placeholders and privacy services marked as\n"
	"such), and for IP networks the range, CIDRs, holder, country and\n"
	"abuse contact.  Nothing is fetched.  A \"not found\" or quota\n"
	"answer is reported as such, never parsed as data.\n",
	options,
	run_parse_record,
};
