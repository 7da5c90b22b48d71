/*
 * takedown lookup: who is responsible for a URL, a domain or an IP.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "extract.h"
#include "input.h"
#include "jsonw.h"
#include "lookup.h"
#include "paths.h"
#include "term.h"
#include "banned.h"

static int opt_json;
static const char *opt_dns;
static const char *opt_rdap;
static const char *opt_whois;
static const char *opt_whois_root;
static const char *opt_bootstrap;
static const char *opt_save_raw;
static const char *opt_batch;
static struct td_strlist opt_eml;
static unsigned opt_timeout = 10000;
static int opt_no_rdap;
static int opt_allow_loopback;
static int opt_stats;
static const char *opt_ca_file;
static const char *opt_cache;
static int opt_no_cache;
static unsigned opt_cache_ttl = 21600;
static int opt_quiet_progress;
static int progress_shown;
static struct td_strlist opt_connect_to;

static const struct td_opt options[] = {
	{"json", 'j', TD_OPT_FLAG, &opt_json, NULL,
	 "write JSON Lines, one object per input (docs/lookup-schema.md)"},
	{"eml", 'e', TD_OPT_LIST, &opt_eml, "FILE",
	 "look up every URL host and the sending IP of an e-mail"},
	{"batch", 'b', TD_OPT_STRING, &opt_batch, "FILE|-",
	 "read inputs one per line"},
	{"dns", 0, TD_OPT_STRING, &opt_dns, "HOST[:PORT]",
	 "DNS server to ask (default: the system's)"},
	{"rdap", 0, TD_OPT_STRING, &opt_rdap, "URL",
	 "RDAP base URL for every query instead of the IANA bootstrap"},
	{"bootstrap", 0, TD_OPT_STRING, &opt_bootstrap, "DIR",
	 "folder of IANA RDAP bootstrap files (default: built in)"},
	{"whois", 0, TD_OPT_STRING, &opt_whois, "HOST[:PORT]",
	 "WHOIS server for domains instead of the shipped list"},
	{"whois-root", 0, TD_OPT_STRING, &opt_whois_root, "HOST[:PORT]",
	 "WHOIS referral root (default whois.iana.org)"},
	{"no-rdap", 0, TD_OPT_FLAG, &opt_no_rdap, NULL, "use WHOIS only"},
	{"timeout", 0, TD_OPT_UINT, &opt_timeout, "MS",
	 "deadline per query in milliseconds (default 10000)"},
	{"save-raw", 0, TD_OPT_STRING, &opt_save_raw, "DIR",
	 "keep every raw answer in DIR"},
	{"allow-loopback", 0, TD_OPT_FLAG, &opt_allow_loopback, NULL,
	 "let servers be on loopback or private addresses (tests, private "
	 "infrastructure)"},
	{"ca-file", 0, TD_OPT_STRING, &opt_ca_file, "FILE",
	 "trust the certificates in FILE (PEM) for https instead of the "
	 "system's"},
	{"connect-to", 0, TD_OPT_LIST, &opt_connect_to,
	 "HOST:PORT:ADDR:PORT2",
	 "connect to ADDR:PORT2 for WHOIS or HTTP requests to HOST:PORT "
	 "(as curl's --connect-to)"},
	{"cache", 0, TD_OPT_STRING, &opt_cache, "FILE",
	 "SQLite cache of answers (default: lookup.sqlite in the cache "
	 "folder)"},
	{"no-cache", 0, TD_OPT_FLAG, &opt_no_cache, NULL,
	 "ask every server, keep nothing"},
	{"cache-ttl", 0, TD_OPT_UINT, &opt_cache_ttl, "SECONDS",
	 "how long RDAP and WHOIS answers are kept (default 21600); DNS "
	 "answers are kept for their TTL"},
	{"no-progress", 0, TD_OPT_FLAG, &opt_quiet_progress, NULL,
	 "no progress line on a terminal"},
	{"stats", 0, TD_OPT_FLAG, &opt_stats, NULL,
	 "print the requests sent, per protocol, as one JSON line on "
	 "standard error"},
	{NULL, 0, 0, NULL, NULL, NULL},
};

/* "lookup: 120 of 340 requests answered" on a terminal, redrawn. */
static void
progress(const struct td_net_progress *p, void *arg)
{
	int *shown = arg;

	if (p->answered >= p->total) {
		if (*shown)
			fputs("\r\033[K", stderr);
		*shown = 0;
		return;
	}
	fprintf(stderr, "\rlookup: %zu of %zu requests answered\033[K",
		p->answered, p->total);
	*shown = 1;
}

static void
esc(struct td_buf *o, const char *s)
{
	if (s)
		td_term_escape(o, s, strlen(s), 0);
	else
		td_buf_adds(o, "-");
}

static void
when(struct td_buf *o, long long t)
{
	char buf[32];
	time_t tt = (time_t)t;
	struct tm tm;

	if (t > 0 && gmtime_r(&tt, &tm) &&
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		td_buf_adds(o, buf);
}

static void
human(struct td_buf *o, const struct td_target *t)
{
	size_t i;

	td_buf_adds(o, "== ");
	esc(o, t->input);
	td_buf_addch(o, '\n');
	if (t->host) {
		td_buf_adds(o, "  host ");
		esc(o, t->host);
		td_buf_adds(o, ", registrable domain ");
		esc(o, t->domain);
		td_buf_printf(o, ", DNS %s\n", td_net_status_name(t->dns_status));
		if (t->platform_suffix) {
			td_buf_adds(o, "  under ");
			esc(o, t->platform_suffix);
			td_buf_adds(o, ", a platform's suffix (Public Suffix "
				       "List, private section); registry "
				       "asked about ");
			esc(o, t->reg_domain);
			td_buf_addch(o, '\n');
		}
	}
	for (i = 0; i < t->nr_cnames; i++) {
		td_buf_adds(o, "  CNAME ");
		esc(o, t->cnames[i]);
		td_buf_addch(o, '\n');
	}
	for (i = 0; i < t->nr_ips; i++) {
		td_buf_adds(o, "  address ");
		esc(o, t->ips[i].ip);
		if (t->ips[i].cdn) {
			td_buf_adds(o, " (");
			esc(o, t->ips[i].cdn);
			td_buf_adds(o, ": the origin host is hidden)");
		}
		td_buf_addch(o, '\n');
	}
	if (t->domain_rec.status == TD_REC_FOUND) {
		if (t->domain_rec.created) {
			td_buf_adds(o, "  registered ");
			esc(o, t->domain_rec.created);
			td_buf_addch(o, '\n');
		}
		for (i = 0; i < t->domain_rec.nr_statuses; i++) {
			const char *s = t->domain_rec.statuses[i];

			if (strstr(s, "hold"))
				td_buf_printf(o, "  status %s: the registry "
						 "has already suspended it\n",
					      s);
		}
	} else if (t->domain_rec.status == TD_REC_NOT_FOUND) {
		td_buf_adds(o, "  the registry has no such domain\n");
	}
	if (!t->nr_parties)
		td_buf_adds(o, "  no responsible party found\n");
	for (i = 0; i < t->nr_parties; i++) {
		const struct td_party *p = &t->parties[i];

		td_buf_printf(o, "  %-10s ", p->role);
		esc(o, p->name);
		td_buf_addch(o, '\n');
		if (p->abuse_email) {
			td_buf_adds(o, !strcmp(p->role, "registrant")
					   ? "             e-mail "
					   : "             abuse ");
			esc(o, p->abuse_email);
			if (p->flags & TD_PARTY_EMAIL_DEAD)
				td_buf_adds(o, "  (no mail host: undeliverable)");
			td_buf_addch(o, '\n');
			if (p->dead_email) {
				td_buf_adds(o, "             (in place of ");
				esc(o, p->dead_email);
				td_buf_adds(o, ", which has no mail host; "
					       "from ");
				esc(o, p->email_prov.source);
				td_buf_addch(o, ' ');
				esc(o, p->email_prov.server);
				td_buf_adds(o, ")\n");
			}
		}
		if (p->phone) {
			td_buf_adds(o, "             phone ");
			esc(o, p->phone);
			td_buf_addch(o, '\n');
		}
		if (p->web_form) {
			td_buf_adds(o, "             web   ");
			esc(o, p->web_form);
			td_buf_addch(o, '\n');
		}
		if (p->country || p->detail) {
			td_buf_adds(o, "             ");
			if (p->country)
				esc(o, p->country);
			if (p->country && p->detail)
				td_buf_adds(o, "  ");
			if (p->detail)
				esc(o, p->detail);
			td_buf_addch(o, '\n');
		}
		if (p->flags & TD_PARTY_PROXY)
			td_buf_adds(o, "             (a privacy service, "
				       "not the owner)\n");
		td_buf_adds(o, "             from ");
		esc(o, p->prov.source);
		td_buf_addch(o, ' ');
		esc(o, p->prov.server);
		if (p->prov.when) {
			td_buf_addch(o, ' ');
			when(o, p->prov.when);
		}
		if (p->prov.cached)
			td_buf_adds(o, " (cached)");
		td_buf_addch(o, '\n');
	}
	for (i = 0; i < t->nr_errors; i++) {
		td_buf_adds(o, "  failed: ");
		esc(o, t->errors[i]);
		td_buf_addch(o, '\n');
	}
	td_buf_addch(o, '\n');
}

struct eml_ctx {
	struct td_lookup *l;
	int failed;
	const char *path;
};

static void
add_input(struct td_lookup *l, const char *s, int *failed)
{
	struct td_error err = {0, ""};
	struct td_buf p = TD_BUF_INIT;

	if (td_lookup_add(l, s, &err) < 0) {
		td_term_escape(&p, s, strlen(s), 0);
		td_die_msg("lookup", "%s: %s", p.ptr, err.msg);
		td_buf_release(&p);
		*failed = 1;
	}
}

/* Every distinct URL host and the sending IP of each message. */
static int
on_eml(const struct td_input_msg *m, void *payload)
{
	struct eml_ctx *c = payload;
	struct td_extract x;
	struct td_strlist seen = {NULL, 0, 0};
	size_t i, j, k;

	if (td_extract_message(&x, m->data, m->len, NULL, NULL) < 0) {
		td_die_msg("lookup", "%s: no message found", c->path);
		c->failed = 1;
		td_extract_release(&x);
		return 0;
	}
	for (i = 0; i < x.nr_msgs; i++) {
		const struct td_xmsg *msg = &x.msgs[i];

		if (msg->received.report_hop >= 0 &&
		    msg->received.hops[msg->received.report_hop].from_ip)
			add_input(c->l,
				  msg->received.hops[msg->received.report_hop]
					  .from_ip,
				  &c->failed);
		for (j = 0; j < msg->nr_urls; j++) {
			const char *h = msg->urls[j].u.host_ascii;

			for (k = 0; k < seen.nr; k++)
				if (!strcmp(seen.v[k], h))
					break;
			if (k < seen.nr)
				continue;
			if (TD_ARRAY_GROW(seen.v, seen.nr + 1, seen.alloc) == 0)
				seen.v[seen.nr++] = h;
			add_input(c->l, msg->urls[j].u.url, &c->failed);
		}
	}
	free(seen.v);
	td_extract_release(&x);
	return 0;
}

static void
input_error(const char *path, const char *msg, void *payload)
{
	struct eml_ctx *c = payload;
	struct td_buf p = TD_BUF_INIT;

	td_term_escape(&p, path, strlen(path), 0);
	td_die_msg("lookup", "%s: %s", p.ptr, msg);
	td_buf_release(&p);
	c->failed = 1;
}

static int
read_batch(struct td_lookup *l, const char *path, int *failed)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char line[4200];
	unsigned n = 0;

	if (!f) {
		td_die_msg("lookup", "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *p = line;

		n++;
		if (!strchr(line, '\n') && !feof(f)) {
			int ch;

			td_die_msg("lookup", "%s:%u: line too long", path, n);
			*failed = 1;
			while ((ch = fgetc(f)) != EOF && ch != '\n')
				;
			continue;
		}
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#' || *p == '\n' || *p == '\r' || !*p)
			continue;
		add_input(l, p, failed);
	}
	if (f != stdin)
		fclose(f);
	return 0;
}

static int
run_lookup(int argc, char **argv)
{
	struct td_lookup_opts o;
	struct td_net_opts no = TD_NET_OPTS_INIT;
	struct td_lookup *l = NULL;
	struct td_error err = {0, ""};
	char *data_iana = NULL, *cache_path = NULL;
	struct td_buf out = TD_BUF_INIT;
	int i, ret, failed = 0;
	size_t k;

	if (!argc && !opt_batch && !opt_eml.nr) {
		td_die_msg("lookup", "nothing to look up (see takedown help "
				     "lookup)");
		return EXIT_USAGE;
	}
	memset(&o, 0, sizeof(o));
	o.net = no;
	o.net.dns_server = opt_dns;
	o.net.timeout_ms = opt_timeout;
	o.net.allow_loopback = opt_allow_loopback;
	if (isatty(STDERR_FILENO) && !opt_quiet_progress) {
		o.net.progress = progress;
		o.net.progress_arg = &progress_shown;
	}
	o.net.ca_file = opt_ca_file;
	o.net.connect_to = (const char *const *)opt_connect_to.v;
	o.net.nr_connect_to = opt_connect_to.nr;
	o.bootstrap_dir = opt_bootstrap;
	if (!o.bootstrap_dir) {
		/* what update-data fetched, else the built-in snapshot */
		struct stat st;

		data_iana = td_path_data("iana");
		if (data_iana && stat(data_iana, &st) == 0 &&
		    S_ISDIR(st.st_mode))
			o.bootstrap_dir = data_iana;
	}
	if (!opt_no_cache) {
		if (opt_cache) {
			o.cache_path = opt_cache;
		} else {
			cache_path = td_path_cache("lookup.sqlite");
			o.cache_path = cache_path;
		}
	}
	o.cache_ttl = opt_cache_ttl;
	o.whois_root = opt_whois_root;
	o.whois_server = opt_whois;
	o.rdap_server = opt_rdap;
	o.no_rdap = opt_no_rdap;
	o.check_email = 1;
	o.save_raw = opt_save_raw;
	ret = td_lookup_new(&l, &o, &err);
	free(data_iana);
	if (ret < 0) {
		free(cache_path);
		td_die_msg("lookup", "%s", err.msg);
		return EXIT_USAGE;
	}
	for (i = 0; i < argc; i++)
		add_input(l, argv[i], &failed);
	if (opt_batch && read_batch(l, opt_batch, &failed) < 0)
		failed = 1;
	for (k = 0; k < opt_eml.nr; k++) {
		struct td_input_opts io = TD_INPUT_OPTS_INIT;
		struct eml_ctx c = {l, 0, opt_eml.v[k]};

		io.error = input_error;
		td_input_read(opt_eml.v[k], &io, on_eml, &c);
		if (c.failed)
			failed = 1;
	}
	if (td_lookup_run(l) < 0) {
		td_die_msg("lookup", "out of memory");
		td_lookup_free(l);
		free(cache_path);
		return EXIT_FAIL;
	}
	for (k = 0; k < td_lookup_count(l); k++) {
		const struct td_target *t = td_lookup_target(l, k);

		if (opt_json) {
			struct td_jw w;

			td_jw_init(&w, &out);
			td_jw_obj(&w);
			td_jw_kstr(&w, "schema", "takedown-lookup/1");
			td_jw_key(&w, "target");
			td_lookup_json(&w, t);
			td_jw_obj_end(&w);
			td_buf_addch(&out, '\n');
		} else {
			human(&out, t);
		}
		if (!t->nr_parties)
			failed = 1;
		fwrite(out.ptr, 1, out.len, stdout);
		td_buf_reset(&out);
	}
	td_buf_release(&out);
	if (opt_stats) {
		struct td_net_stats st;
		unsigned long cached;

		td_lookup_stats(l, &st, &cached);
		fprintf(stderr,
			"{\"dns\":%lu,\"http\":%lu,\"whois\":%lu,"
			"\"deduplicated\":%lu,\"retried\":%lu,"
			"\"cached\":%lu}\n",
			st.dns, st.http, st.whois, st.deduplicated, st.retried,
			cached);
	}
	td_lookup_free(l);
	free(cache_path);
	free(opt_eml.v);
	free(opt_connect_to.v);
	if (fflush(stdout) != 0) {
		td_die_msg("lookup", "error writing output");
		return EXIT_FAIL;
	}
	return failed ? EXIT_FAIL : EXIT_OK;
}

const struct td_cmd cmd_lookup_def = {
	"lookup",
	"[URL|DOMAIN|IP]...",
	"name who is responsible for a URL, domain or IP",
	"Asks DNS, RDAP (through the IANA bootstrap) and WHOIS, never the web\n"
	"site, and names each party that can act: the registrar with its\n"
	"abuse contact, the network hosting each address, a CDN or platform\n"
	"in front of it, and the registrant where the record names one.\n"
	"Every contact carries where it came from: the record, the server\n"
	"and the time.  Abuse addresses whose domain has no mail host are\n"
	"marked undeliverable.  Queries run concurrently, with a deadline\n"
	"each and at most one WHOIS query per second to any server.\n\n"
	"Exit status 1 when an input failed or has no party at all.\n",
	options,
	run_lookup,
};
