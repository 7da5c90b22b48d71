/*
 * takedown report: from phishing URLs or e-mails to a case with evidence,
 * a verdict and one lint-clean draft per party.  Sends nothing.
 */
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "classify.h"
#include "cli.h"
#include "clock.h"
#include "draft.h"
#include "evidence.h"
#include "extract.h"
#include "hash.h"
#include "jsonw.h"
#include "le.h"
#include "lint.h"
#include "lookup.h"
#include "paths.h"
#include "profile.h"
#include "store.h"
#include "term.h"
#include "url.h"
#include "banned.h"

#define MAX_MAIL (64u << 20)
#define MAX_URLS 64

static int opt_json, opt_compromised, opt_malicious, opt_allow_private;
static int opt_no_cache, opt_no_blocklists, opt_arf;
static struct td_strlist opt_as, opt_only, opt_connect_to;
static const char *opt_dns, *opt_rdap, *opt_bootstrap, *opt_whois_root;
static const char *opt_ca_file, *opt_templates, *opt_profile, *opt_store;
static unsigned opt_timeout = 10000;

static const struct td_opt options[] = {
    {"json", 'j', TD_OPT_FLAG, &opt_json, NULL,
     "print the case as JSON (schema takedown-report/1)"},
    {"as", 0, TD_OPT_LIST, &opt_as, "PROFILE",
     "also fetch the evidence as this client (desktop, mobile, script); "
     "repeatable"},
    {"only", 0, TD_OPT_LIST, &opt_only, "URL",
     "of an e-mail's links, report only this one; repeatable"},
    {"compromised", 0, TD_OPT_FLAG, &opt_compromised, NULL,
     "the site was broken into: report to its owner and host"},
    {"malicious", 0, TD_OPT_FLAG, &opt_malicious, NULL,
     "the site is the criminal's own: never tell the owner"},
    {"templates", 0, TD_OPT_STRING, &opt_templates, "DIR",
     "report templates replacing the built-in ones (ROLE.txt)"},
    {"profile", 0, TD_OPT_STRING, &opt_profile, "FILE",
     "the reporter profile (default: profile in the config folder)"},
    {"store", 0, TD_OPT_STRING, &opt_store, "FILE",
     "the case store (default: cases.sqlite in the data folder)"},
    {"dns", 0, TD_OPT_STRING, &opt_dns, "HOST[:PORT]", "DNS server"},
    {"rdap", 0, TD_OPT_STRING, &opt_rdap, "URL", "one RDAP base URL"},
    {"bootstrap", 0, TD_OPT_STRING, &opt_bootstrap, "DIR",
     "IANA bootstrap files"},
    {"whois-root", 0, TD_OPT_STRING, &opt_whois_root, "HOST[:PORT]",
     "WHOIS referral root"},
    {"connect-to", 0, TD_OPT_LIST, &opt_connect_to, "HOST:PORT:ADDR:PORT2",
     "as lookup's option"},
    {"ca-file", 0, TD_OPT_STRING, &opt_ca_file, "FILE",
     "certificates to trust for https"},
    {"timeout", 0, TD_OPT_UINT, &opt_timeout, "MS",
     "deadline per query and fetch (default 10000)"},
    {"no-cache", 0, TD_OPT_FLAG, &opt_no_cache, NULL,
     "ask every server again"},
    {"arf", 0, TD_OPT_FLAG, &opt_arf, NULL,
     "ARF (RFC 5965) reports for every recipient, not only the "
     "profile's arf_recipients (needs an e-mail input)"},
    {"no-blocklists", 0, TD_OPT_FLAG, &opt_no_blocklists, NULL,
     "no drafts or to-dos for APWG, Netcraft and Google Safe Browsing"},
    {"allow-private", 0, TD_OPT_FLAG, &opt_allow_private, NULL,
     "let servers and evidence pages be on loopback or private addresses "
     "(tests)"},
    {NULL, 0, 0, NULL, NULL, NULL},
};

/* One phishing e-mail given as input. */
struct mail_in {
	char *data;
	size_t len;
	char *path; /* the stored copy */
	char sha[65];
	struct td_extract x;
};

struct ctx {
	struct td_profile prof;
	struct td_store *store;
	struct td_store_case c;
	char *case_dir;
	char *evidence_dir;
	struct mail_in *mails;
	size_t nr_mails;
	char **urls; /* the phishing URLs, as found */
	size_t nr_urls;
	const char *sending_ip;
	long long email_date;
	const char *email_subject;
	struct td_lookup *lk;
	struct td_evidence ev;
	struct td_net *net;
	struct td_classify_out verdict;
	enum td_case_kind kind;
	struct td_buf out;
	int failed;
	/* the capture of the first URL's home page ("/"), for classify;
	   SIZE_MAX when not fetched (the phish is at the root) */
	size_t home;
	char *home_url;
	/* the profile's takedown organisations, as parties */
	struct td_party orgs[TD_PROFILE_MAX_ORGS];
	size_t nr_orgs;
};

static long long
now_utc(void)
{
	return td_now();
}

static void
say(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
say(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (opt_json)
		return;
	va_start(ap, fmt);
	td_buf_vprintf(&c->out, fmt, ap);
	va_end(ap);
}

/* Attacker text on a terminal: escaped. */
static void
say_esc(struct ctx *c, const char *s)
{
	if (!opt_json)
		td_term_escape(&c->out, s ? s : "-", strlen(s ? s : "-"), 0);
}

static int
read_file(const char *path, char **data, size_t *len)
{
	struct td_buf b = TD_BUF_INIT;
	char chunk[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		if (b.len + (size_t)n > MAX_MAIL) {
			errno = EFBIG;
			n = -1;
			break;
		}
		td_buf_add(&b, chunk, (size_t)n);
	}
	close(fd);
	if (n < 0 || td_buf_failed(&b)) {
		td_buf_release(&b);
		return -1;
	}
	*data = td_buf_detach(&b, len);
	if (!*data) {
		*data = calloc(1, 1);
		*len = 0;
	}
	return *data ? 0 : -1;
}

static int
write_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0)
		return errno == EEXIST ? 0 : -1;
	if (write(fd, data, len) != (ssize_t)len || fsync(fd) < 0) {
		close(fd);
		unlink(path);
		return -1;
	}
	return close(fd);
}

static int
is_link_place(const char *where)
{
	static const char *const places[] = {
	    "text", "a href", "area href", "form action", "formaction",
	    "meta refresh", "js location", NULL};
	size_t i;

	for (i = 0; places[i]; i++)
		if (!strcmp(where, places[i]))
			return 1;
	return 0;
}

static void
add_url(struct ctx *c, const char *url)
{
	size_t i;

	for (i = 0; i < c->nr_urls; i++)
		if (!strcmp(c->urls[i], url))
			return;
	if (c->nr_urls >= MAX_URLS || strlen(url) > TD_STORE_MAX_URL)
		return;
	if (opt_only.nr) {
		for (i = 0; i < opt_only.nr; i++)
			if (!strcmp(opt_only.v[i], url))
				break;
		if (i == opt_only.nr)
			return;
	}
	c->urls = realloc(c->urls, (c->nr_urls + 1) * sizeof(*c->urls));
	if (c->urls)
		c->urls[c->nr_urls++] = td_strndup(url, strlen(url));
}

/* An e-mail: keep a copy, take its links and the sending IP. */
static int
add_mail(struct ctx *c, const char *path)
{
	struct mail_in *m;
	struct td_error err = {0, ""};
	struct td_buf p = TD_BUF_INIT;
	size_t i, j, k;

	c->mails = realloc(c->mails, (c->nr_mails + 1) * sizeof(*c->mails));
	if (!c->mails)
		return -1;
	m = &c->mails[c->nr_mails];
	memset(m, 0, sizeof(*m));
	if (read_file(path, &m->data, &m->len) < 0) {
		td_term_escape(&p, path, strlen(path), 0);
		td_die_msg("report", "%s: %s", p.ptr, strerror(errno));
		td_buf_release(&p);
		return -1;
	}
	c->nr_mails++;
	td_sha256_hex(m->sha, m->data, m->len);
	if (td_extract_message(&m->x, m->data, m->len, NULL, &err) < 0) {
		td_term_escape(&p, path, strlen(path), 0);
		td_die_msg("report", "%s: %s", p.ptr, err.msg);
		td_buf_release(&p);
		return -1;
	}
	for (i = 0; i < m->x.nr_msgs; i++) {
		const struct td_xmsg *x = &m->x.msgs[i];

		/* the phishing message: an attached one when forwarded */
		if (x->received.report_hop >= 0 && !c->sending_ip)
			c->sending_ip =
			    x->received.hops[x->received.report_hop].from_ip;
		if (x->date_utc > 0 && (c->email_date <= 0 || x->parent >= 0))
			c->email_date = x->date_utc;
		if (x->subject && (!c->email_subject || x->parent >= 0))
			c->email_subject = x->subject;
		for (j = 0; j < x->nr_urls; j++) {
			const struct td_xurl *u = &x->urls[j];

			if (strncmp(u->u.url, "http://", 7) &&
			    strncmp(u->u.url, "https://", 8))
				continue;
			for (k = 0; k < u->nr_found; k++)
				if (u->found[k].part[0] &&
				    is_link_place(u->found[k].where))
					break;
			if (k < u->nr_found)
				add_url(c, u->u.url);
		}
	}
	return 0;
}

/* ISO 8601 "YYYY-MM-DDTHH:MM:SSZ" to UTC seconds, or -1. */
static long long
iso_time(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (!s || !strptime(s, "%Y-%m-%dT%H:%M:%S", &tm))
		return -1;
	return (long long)timegm(&tm);
}

static enum td_party_role
store_role(const char *role)
{
	int r = td_store_role_parse(role);

	return r < 0 ? TD_ROLE_OTHER : (enum td_party_role)r;
}

static int
draft_role(const char *role, enum td_case_kind kind)
{
	if (!strcmp(role, "registrant"))
		return kind == TD_KIND_COMPROMISED ? TD_DRAFT_OWNER : -1;
	if (!strcmp(role, "registrar"))
		return kind == TD_KIND_COMPROMISED ? -1 : TD_DRAFT_REGISTRAR;
	if (!strcmp(role, "takedown"))
		return kind == TD_KIND_COMPROMISED ? -1 : TD_DRAFT_TAKEDOWN;
	return td_draft_role_parse(role);
}

/* "who to contact and what they will ask for", from the le module. */
static void
le_advice(struct td_buf *b, const char *country)
{
	const struct td_le *le = country ? td_le_lookup(country) : NULL;
	const struct td_le *zz = td_le_fallback();
	size_t i;

	if (le) {
		td_buf_printf(b, "Law enforcement in %s: ", le->name);
		if (le->police.name)
			td_buf_printf(b, "%s%s%s", le->police.name,
				      le->police.url ? " " : "",
				      le->police.url ? le->police.url : "");
		if (le->cert.name)
			td_buf_printf(b, "; CERT: %s%s%s", le->cert.name,
				      le->cert.url ? " " : "",
				      le->cert.url ? le->cert.url : "");
		td_buf_addch(b, '\n');
	} else {
		td_buf_adds(b, "Law enforcement: the national cybercrime "
			       "reporting channel of the country concerned.\n");
	}
	if (zz) {
		td_buf_adds(b, "Please consider reporting this to law "
			       "enforcement as well. They will ask for:\n");
		for (i = 0; i < zz->nr_asks; i++)
			td_buf_printf(b, "- %s\n", zz->asks[i]);
		for (i = 0; le && i < le->nr_asks; i++)
			td_buf_printf(b, "- %s\n", le->asks[i]);
	}
}

/* Fill the draft's view of the evidence from the captures of url. */
struct fetch_view {
	struct td_draft_fetch *f;
	struct td_draft_form *forms;
	char ***fields;
	char **redirects;
	size_t nr;
};

static void
views_release(struct fetch_view *v)
{
	size_t i, k;

	for (i = 0; i < v->nr; i++) {
		for (k = 0; k < v->f[i].nr_forms; k++)
			free(v->fields[i * TD_EVIDENCE_MAX_FORMS + k]);
		free((void *)v->f[i].redirects);
	}
	free(v->f);
	free(v->forms);
	free(v->fields);
	memset(v, 0, sizeof(*v));
}

static void
views_build(struct fetch_view *v, const struct td_evidence *ev, size_t skip)
{
	size_t i, k, h;

	memset(v, 0, sizeof(*v));
	v->f = calloc(ev->nr ? ev->nr : 1, sizeof(*v->f));
	v->forms = calloc((ev->nr ? ev->nr : 1) * TD_EVIDENCE_MAX_FORMS,
			  sizeof(*v->forms));
	v->fields = calloc((ev->nr ? ev->nr : 1) * TD_EVIDENCE_MAX_FORMS,
			   sizeof(*v->fields));
	if (!v->f || !v->forms || !v->fields)
		return;
	for (i = 0; i < ev->nr; i++) {
		const struct td_evidence_capture *cp = ev->items[i];
		struct td_draft_fetch *f;
		char **red;

		if (i == skip)
			continue; /* the home page is not the phish */
		f = &v->f[v->nr++];
		red = calloc(cp->nr_hops + 1, sizeof(*red));
		f->url = cp->url;
		f->final_url = cp->final_url;
		f->status = (int)cp->code;
		f->title = cp->page.title;
		for (h = 1; red && h < cp->nr_hops; h++)
			red[f->nr_redirects++] = (char *)cp->hops[h].url;
		f->redirects = red;
		f->forms = &v->forms[i * TD_EVIDENCE_MAX_FORMS];
		for (k = 0; k < cp->page.nr_forms && k < TD_EVIDENCE_MAX_FORMS;
		     k++) {
			const struct td_evidence_form *ef = &cp->page.forms[k];
			struct td_draft_form *df =
			    &v->forms[i * TD_EVIDENCE_MAX_FORMS + k];
			char **names = calloc(ef->nr_inputs + 1,
					      sizeof(*names));
			size_t n;

			df->action = ef->action;
			df->method = ef->method;
			df->password_fields = ef->passwords;
			for (n = 0; names && n < ef->nr_inputs; n++)
				if (ef->inputs[n].name)
					names[df->nr_fields++] =
					    (char *)ef->inputs[n].name;
			df->fields = names;
			v->fields[i * TD_EVIDENCE_MAX_FORMS + k] = names;
			f->nr_forms++;
		}
		f->tls_not_before = f->tls_not_after = -1;
		if (cp->last && cp->last->nr_certs) {
			f->tls_subject = cp->last->certs[0].subject;
			f->tls_issuer = cp->last->certs[0].issuer;
			f->tls_not_before =
			    iso_time(cp->last->certs[0].not_before);
			f->tls_not_after =
			    iso_time(cp->last->certs[0].not_after);
		}
		f->sha256 = cp->sha256[0] ? cp->sha256 : NULL;
		f->size = cp->sha256[0] ? (long long)cp->len : -1;
		f->content_type = cp->content_type;
		f->fetched_at = iso_time(cp->started);
		f->client = cp->user_agent;
	}
}

static char *
prov_json(const struct td_prov *p)
{
	struct td_buf b = TD_BUF_INIT;
	struct td_jw w;

	td_jw_init(&w, &b);
	td_jw_obj(&w);
	td_jw_kstr(&w, "source", p->source);
	td_jw_kstr(&w, "server", p->server);
	td_jw_kstr(&w, "query", p->query);
	td_jw_ktime(&w, "when", p->when > 0 ? p->when : -1);
	td_jw_kbool(&w, "cached", p->cached);
	td_jw_obj_end(&w);
	return td_buf_failed(&b) ? (td_buf_release(&b), NULL)
				 : td_buf_detach(&b, NULL);
}

/* The party of the same role and name seen already, or NULL. */
static const struct td_party *
seen_party(const struct td_party **v, size_t nr, const struct td_party *p)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (!strcmp(v[i]->role, p->role) && v[i]->name && p->name &&
		    !strcasecmp(v[i]->name, p->name))
			return v[i];
	return NULL;
}

static int
lookup_all(struct ctx *c)
{
	struct td_lookup_opts o;
	struct td_net_opts no = TD_NET_OPTS_INIT;
	struct td_error err = {0, ""};
	char *cache = NULL;
	size_t i;

	memset(&o, 0, sizeof(o));
	o.net = no;
	o.net.dns_server = opt_dns;
	o.net.timeout_ms = opt_timeout;
	o.net.allow_loopback = opt_allow_private;
	o.net.ca_file = opt_ca_file;
	o.net.connect_to = (const char *const *)opt_connect_to.v;
	o.net.nr_connect_to = opt_connect_to.nr;
	o.bootstrap_dir = opt_bootstrap;
	o.rdap_server = opt_rdap;
	o.whois_root = opt_whois_root;
	o.check_email = 1;
	if (!opt_no_cache)
		o.cache_path = cache = td_path_cache("lookup.sqlite");
	if (td_lookup_new(&c->lk, &o, &err) < 0) {
		free(cache);
		td_die_msg("report", "%s", err.msg);
		return -1;
	}
	free(cache);
	for (i = 0; i < c->nr_urls; i++)
		if (td_lookup_add(c->lk, c->urls[i], &err) < 0)
			td_die_msg("report", "lookup: %s", err.msg);
	if (c->sending_ip)
		td_lookup_add(c->lk, c->sending_ip, &err);
	return td_lookup_run(c->lk) < 0 ? -1 : 0;
}

/*
 * "scheme://authority/" of an absolute http(s) URL whose path is more
 * than "/", or NULL (the phish is at the root, or no usable URL).
 */
static char *
home_of(const char *url)
{
	const char *p = strstr(url, "://"), *e;
	struct td_buf b = TD_BUF_INIT;

	if (!p || (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)))
		return NULL;
	e = p + 3 + strcspn(p + 3, "/?#");
	if ((!*e || *e == '#' || (*e == '/' && (!e[1] || e[1] == '#'))))
		return NULL;
	td_buf_add(&b, url, (size_t)(e - url));
	td_buf_addch(&b, '/');
	return td_buf_detach(&b, NULL);
}

/* Is the first URL on a platform (a known one or a private suffix)? */
static int
on_platform(const struct ctx *c)
{
	const struct td_target *t = td_lookup_target(c->lk, 0);
	size_t i;

	if (!t)
		return 0;
	if (t->platform_suffix)
		return 1;
	for (i = 0; i < t->nr_parties; i++)
		if (!strcmp(t->parties[i].role, "platform"))
			return 1;
	return 0;
}

/*
 * Is the home page a working site of its own: 1 (a 2xx page, not the
 * phish's bytes, no password field, not a bare folder listing, some
 * content), 0 (missing: an error, no answer, empty, a listing, or the
 * phish again), -1 (not fetched).
 */
static int
home_page_ok(const struct ctx *c, const char **title)
{
	const struct td_evidence_capture *h, *ph;
	size_t i;

	*title = NULL;
	if (c->home == SIZE_MAX || c->home >= c->ev.nr)
		return -1;
	h = c->ev.items[c->home];
	if (h->code < 200 || h->code > 299 || h->len < 256)
		return 0;
	if (h->page.passwords ||
	    (h->page.title && !strncmp(h->page.title, "Index of /", 10)))
		return 0;
	for (i = 0; i < c->ev.nr; i++) {
		ph = c->ev.items[i];
		if (i != c->home && ph->sha256[0] &&
		    !strcmp(ph->sha256, h->sha256))
			return 0;
	}
	*title = h->page.title;
	return 1;
}

static int
fetch_all(struct ctx *c)
{
	struct td_net_opts no = TD_NET_OPTS_INIT;
	struct td_evidence_opts eo = TD_EVIDENCE_OPTS_INIT;
	struct td_error err = {0, ""};
	const struct td_evidence_profile *desktop = td_evidence_profile("desktop");
	size_t i, k;

	no.dns_server = opt_dns;
	no.timeout_ms = opt_timeout;
	no.allow_loopback = opt_allow_private;
	no.ca_file = opt_ca_file;
	no.connect_to = (const char *const *)opt_connect_to.v;
	no.nr_connect_to = opt_connect_to.nr;
	if (td_net_new(&c->net, &no, &err) < 0) {
		td_die_msg("report", "%s", err.msg);
		return -1;
	}
	eo.dir = c->evidence_dir;
	if (td_evidence_init(&c->ev, &eo, &err) < 0) {
		td_die_msg("report", "evidence: %s", err.msg);
		return -1;
	}
	for (k = 0; k < opt_as.nr; k++)
		if (!td_evidence_profile(opt_as.v[k])) {
			td_die_msg("report", "--as %s: no such client profile "
					     "(desktop, mobile, script)",
				   opt_as.v[k]);
			return -2;
		}
	c->home = SIZE_MAX;
	for (i = 0; i < c->nr_urls; i++) {
		size_t j, n = strcspn(c->urls[i], "#");

		/* the fragment never reaches the server: one fetch will do */
		for (j = 0; j < i; j++)
			if (strcspn(c->urls[j], "#") == n &&
			    !strncmp(c->urls[j], c->urls[i], n))
				break;
		if (j < i)
			continue;
		if (desktop)
			td_evidence_add(&c->ev, c->net, c->urls[i], desktop);
		for (k = 0; k < opt_as.nr; k++)
			if (strcmp(opt_as.v[k], "desktop"))
				td_evidence_add(&c->ev, c->net, c->urls[i],
						td_evidence_profile(opt_as.v[k]));
	}
	/*
	 * The first URL's home page: a working site of its own there says
	 * "broken into", nothing there says "the criminal's".  Not when
	 * the phish is the home page itself, nor on a platform, whose "/"
	 * is the platform's own.
	 */
	c->home_url = on_platform(c) ? NULL : home_of(c->urls[0]);
	if (desktop && c->home_url) {
		c->home = c->ev.nr;
		if (td_evidence_add(&c->ev, c->net, c->home_url, desktop) < 0)
			c->home = SIZE_MAX;
	}
	return td_net_run(c->net) < 0 ? -1 : 0;
}

/* The path of an absolute URL ("/" when it has none). */
static const char *
url_path(const char *url)
{
	const char *p = strstr(url, "://");

	p = p ? strpbrk(p + 3, "/?#") : NULL;
	return p && *p == '/' ? p : "/";
}

static void
classify_case(struct ctx *c)
{
	const struct td_target *t = td_lookup_target(c->lk, 0);
	struct td_classify_in in;
	struct td_url u;
	struct td_error err = {0, ""};
	const char *platform = NULL;
	size_t i;
	int parsed;

	memset(&in, 0, sizeof(in));
	parsed = td_url_parse(&u, c->urls[0], strlen(c->urls[0]), &err) == 0;
	in.url = c->urls[0];
	in.host = t ? t->host : NULL;
	in.domain = t ? t->reg_domain : NULL;
	in.path = url_path(c->urls[0]);
	in.homograph = parsed ? u.mixed_script : 0;
	for (i = 0; t && i < t->nr_parties; i++)
		if (!strcmp(t->parties[i].role, "platform"))
			platform = t->parties[i].name;
	in.platform = t && t->platform_suffix ? t->platform_suffix : platform;
	in.created = t && t->domain_prov.source
			 ? iso_time(t->domain_rec.created)
			 : -1;
	in.now = now_utc();
	/* on a platform "/" is the platform's: it says nothing of who
	   put the phish there */
	in.home_page_ok = in.platform ? -1 : home_page_ok(c, &in.home_title);
	td_classify(&in, &c->verdict);
	if (parsed)
		td_url_release(&u);
	c->kind = opt_compromised  ? TD_KIND_COMPROMISED
		  : opt_malicious ? TD_KIND_MALICIOUS
				  : c->verdict.kind;
}

static void
store_evidence(struct ctx *c)
{
	struct td_error err = {0, ""};
	size_t i;

	for (i = 0; i < c->ev.nr; i++) {
		const struct td_evidence_capture *cp = c->ev.items[i];
		struct td_store_evidence e;
		struct td_buf path = TD_BUF_INIT, cut = TD_BUF_INIT;

		memset(&e, 0, sizeof(e));
		e.case_id = c->c.id;
		e.url = (char *)cp->url;
		e.profile = (char *)cp->profile;
		e.fetched = iso_time(cp->started);
		if (e.fetched <= 0)
			e.fetched = now_utc();
		e.final_url = (char *)cp->final_url;
		e.status = (int)cp->code;
		e.body_sha256 = cp->sha256[0] ? (char *)cp->sha256 : NULL;
		e.body_len = (long long)cp->len;
		if (cp->body_path) {
			td_buf_printf(&path, "%s/%s", c->evidence_dir,
				      cp->body_path);
			e.body_path = path.ptr;
		}
		/* the evidence module bounds titles (1 KiB) below the
		   store's limit for short text */
		e.title = (char *)cp->page.title;
		e.error = (char *)cp->error;
		if (!cp->error && cp->truncated) {
			td_buf_printf(&cut, "the body was cut at %zu bytes (the "
					    "size limit)",
				      cp->len);
			e.error = cut.ptr;
		}
		if (td_store_evidence_add(NULL, c->store, &e, &err) < 0)
			td_die_msg("report", "evidence: %s", err.msg);
		td_buf_release(&path);
		td_buf_release(&cut);
	}
}

/* The identity a draft is signed with, and what must never appear. */
static void
identity(const struct ctx *c, struct td_draft_identity *id, char **personal,
	 size_t *nr_personal)
{
	const struct td_profile *p = &c->prof;

	memset(id, 0, sizeof(*id));
	*nr_personal = 0;
	if (c->kind == TD_KIND_COMPROMISED) {
		id->name = p->name;
		id->org = p->org;
		id->email = p->email;
		id->phone = p->phone;
		id->signature = p->signature;
		return;
	}
	/* malicious or unknown: the report may reach the criminal */
	id->name = NULL;
	id->org = p->public_name && *p->public_name ? p->public_name : p->org;
	id->email = p->public_email && *p->public_email ? p->public_email
							 : p->email;
	personal[(*nr_personal)++] = p->name;
	if (p->public_email && *p->public_email && p->email &&
	    strcasecmp(p->public_email, p->email))
		personal[(*nr_personal)++] = p->email;
	if (p->phone && *p->phone)
		personal[(*nr_personal)++] = p->phone;
}

/* One draft per party with an abuse address; returns drafts written. */
static size_t
write_drafts(struct ctx *c, const struct td_party **parties,
	     const long long *party_ids, size_t nr_parties, const char *le)
{
	struct td_draft_identity id;
	char *personal[4];
	size_t nr_personal, i, k, written = 0;
	int on_platform = 0;
	struct td_draft_url *urls = calloc(c->nr_urls, sizeof(*urls));
	struct td_draft_party *dp = calloc(nr_parties + 1, sizeof(*dp));
	struct fetch_view fv;
	const struct td_target *t0 = td_lookup_target(c->lk, 0);
	const struct mail_in *m = c->nr_mails ? &c->mails[0] : NULL;

	if (!urls || !dp) {
		free(urls);
		free(dp);
		return 0;
	}
	identity(c, &id, personal, &nr_personal);
	for (i = 0; i < nr_parties; i++)
		if (!strcmp(parties[i]->role, "platform"))
			on_platform = 1;
	for (i = 0; i < c->nr_urls; i++)
		urls[i].url = c->urls[i];
	for (i = 0; i < nr_parties; i++) {
		dp[i].role = parties[i]->role;
		dp[i].name = parties[i]->name;
		dp[i].contact = parties[i]->abuse_email
				    ? parties[i]->abuse_email
				    : parties[i]->web_form;
		dp[i].source = parties[i]->prov.source;
		dp[i].server = parties[i]->prov.server;
		dp[i].queried_at =
		    parties[i]->prov.when > 0 ? parties[i]->prov.when : -1;
		dp[i].asn = -1;
		dp[i].country = parties[i]->country;
	}
	views_build(&fv, &c->ev, c->home);
	for (i = 0; i < nr_parties; i++) {
		const struct td_party *p = parties[i];
		int role = draft_role(p->role, c->kind);
		struct td_draft_input in;
		struct td_draft_opts o = {opt_templates, 0, 0, 0};
		struct td_draft d;
		struct td_error err = {0, ""};
		struct td_lint l;
		struct td_lint_opts lo;
		struct td_buf path = TD_BUF_INIT;
		struct td_store_message msg;

		if (role < 0 || !p->abuse_email ||
		    (p->flags & TD_PARTY_EMAIL_DEAD))
			continue;
		/* on a platform the domain is the platform's own: its
		   registrar and registrant are not the ones to act */
		if (on_platform && (!strcmp(p->role, "registrar") ||
				    !strcmp(p->role, "registrant")))
			continue;
		memset(&in, 0, sizeof(in));
		in.from = &id;
		in.to.role = (enum td_draft_role)role;
		in.to.name = p->name;
		in.to.email = p->abuse_email;
		in.case_tag = c->c.tag;
		in.kind = c->kind == TD_KIND_COMPROMISED ? TD_DRAFT_COMPROMISED
							  : TD_DRAFT_MALICIOUS;
		in.urls = urls;
		in.nr_urls = c->nr_urls;
		in.found.how = m ? "received in a phishing e-mail (attached)"
				 : "reported to us as a phishing page";
		in.found.email_date = m && c->email_date > 0 ? c->email_date
							     : -1;
		in.found.email_subject = m ? c->email_subject : NULL;
		in.found.sending_ip = c->sending_ip;
		in.fetches = fv.f;
		in.nr_fetches = fv.nr;
		in.parties = dp;
		in.nr_parties = nr_parties;
		in.whois_created = t0 && t0->domain_prov.source
				       ? t0->domain_rec.created
				       : NULL;
		in.le_advice = le;
		in.original = m ? m->data : NULL;
		in.original_len = m ? m->len : 0;
		in.redact = personal;
		in.nr_redact = nr_personal;
		in.now = now_utc();
		o.arf = m && (opt_arf ||
			      td_profile_wants_arf(&c->prof, p->abuse_email));
		if (td_draft_compose(&d, &in, &o, &err) < 0) {
			td_die_msg("report", "draft for %s %s: %s", p->role,
				   p->abuse_email, err.msg);
			c->failed = 1;
			continue;
		}
		memset(&lo, 0, sizeof(lo));
		lo.malicious = c->kind != TD_KIND_COMPROMISED;
		lo.personal = personal;
		lo.nr_personal = nr_personal;
		lo.urls = c->urls;
		lo.nr_urls = c->nr_urls;
		lo.attachment = m ? TD_LINT_ATTACH_REQUIRED : TD_LINT_ATTACH_NONE;
		if (td_lint_check(&l, d.message, d.len, &lo, &err) < 0 ||
		    l.nr) {
			for (k = 0; k < l.nr; k++)
				td_die_msg("report", "draft for %s fails lint: "
						     "%s: %s",
					   p->role, l.issues[k].rule,
					   l.issues[k].reason);
			td_lint_release(&l);
			td_draft_release(&d);
			c->failed = 1;
			continue;
		}
		td_lint_release(&l);
		td_buf_printf(&path, "%s/outbox/%02zu-%s.eml", c->case_dir,
			      i + 1, p->role);
		if (td_buf_failed(&path) ||
		    write_file(path.ptr, d.message, d.len) < 0) {
			td_die_msg("report", "%s: %s", path.ptr,
				   strerror(errno));
			c->failed = 1;
		} else {
			memset(&msg, 0, sizeof(msg));
			msg.case_id = c->c.id;
			msg.party_id = party_ids[i];
			msg.purpose = "report";
			msg.recipient = p->abuse_email;
			msg.subject = d.subject;
			msg.message_id = d.message_id;
			msg.path = path.ptr;
			msg.created = now_utc();
			if (td_store_message_add(NULL, c->store, &msg, &err) <
			    0) {
				td_die_msg("report", "store: %s", err.msg);
				c->failed = 1;
			} else {
				written++;
				say(c, "  draft   %-10s ", p->role);
				say_esc(c, p->abuse_email);
				say(c, "\n          %s\n", path.ptr);
			}
		}
		td_buf_release(&path);
		td_draft_release(&d);
	}
	views_release(&fv);
	free(urls);
	free(dp);
	return written;
}

/*
 * Where phishing is reported so that browsers and mail filters block it:
 * APWG's eCrime exchange takes the e-mail forwarded as an attachment
 * (https://apwg.org/reportphishing/); Netcraft and Google Safe Browsing
 * take the URL through their forms.
 */
static const struct td_party blocklists[] = {
    {.role = "blocklist",
     .name = "APWG (Anti-Phishing Working Group)",
     .abuse_email = "reportphishing@apwg.org",
     .prov = {.source = "data", .server = "https://apwg.org/reportphishing/"},
     .ip = -1},
    {.role = "blocklist",
     .name = "Netcraft",
     .web_form = "https://report.netcraft.com/report",
     .prov = {.source = "data", .server = "https://report.netcraft.com/"},
     .ip = -1},
    {.role = "blocklist",
     .name = "Google Safe Browsing",
     .web_form = "https://safebrowsing.google.com/safebrowsing/report_phish/",
     .prov = {.source = "data",
	      .server = "https://safebrowsing.google.com/safebrowsing/"
			"report_phish/"},
     .ip = -1},
};

static int
run_report(int argc, char **argv)
{
	struct ctx c;
	struct td_error err = {0, ""};
	char *path = NULL, *dir = NULL;
	const struct td_party *parties[256];
	long long party_ids[256];
	const char *country = NULL;
	struct td_buf le = TD_BUF_INIT, reasons = TD_BUF_INIT;
	size_t nr_parties = 0, i, k, drafts;
	int rc = EXIT_FAIL;

	memset(&c, 0, sizeof(c));
	c.home = SIZE_MAX;
	td_profile_init(&c.prof);
	if (!argc) {
		td_die_msg("report", "nothing to report (give URLs or .eml "
				     "files; see takedown help report)");
		return EXIT_USAGE;
	}
	if (opt_compromised && opt_malicious) {
		td_die_msg("report", "--compromised and --malicious exclude "
				     "each other");
		return EXIT_USAGE;
	}
	path = opt_profile ? strdup(opt_profile) : td_path_config("profile");
	if (!path || td_profile_load(&c.prof, path, &err) < 0 ||
	    td_profile_check(&c.prof, &err) < 0) {
		td_die_msg("report", "%s (run takedown init first)",
			   path ? err.msg : "no config folder");
		free(path);
		td_profile_release(&c.prof);
		return EXIT_FAIL;
	}
	free(path);
	{
		static struct td_profile_org orgs[TD_PROFILE_MAX_ORGS];
		int n = td_profile_orgs(&c.prof, orgs, TD_PROFILE_MAX_ORGS,
					&err);

		for (i = 0; n > 0 && i < (size_t)n; i++) {
			c.orgs[i].role = "takedown";
			c.orgs[i].name = orgs[i].name;
			c.orgs[i].abuse_email = orgs[i].email;
			c.orgs[i].prov.source = "profile";
			c.orgs[i].prov.server = "takedown_orgs";
			c.orgs[i].ip = -1;
		}
		c.nr_orgs = n > 0 ? (size_t)n : 0;
	}
	path = opt_store ? strdup(opt_store) : td_path_data("cases.sqlite");
	if (!path || td_store_open(&c.store, path, &err) < 0) {
		td_die_msg("report", "%s", path ? err.msg : "no data folder");
		free(path);
		td_profile_release(&c.prof);
		return EXIT_FAIL;
	}
	free(path);
	td_store_set_source(c.store, "report");

	for (i = 0; i < (size_t)argc; i++) {
		if (!strncmp(argv[i], "http://", 7) ||
		    !strncmp(argv[i], "https://", 8)) {
			struct td_url u;

			if (td_url_parse(&u, argv[i], strlen(argv[i]), &err) <
			    0) {
				td_die_msg("report", "not a usable URL: %s",
					   err.msg);
				goto out;
			}
			td_url_release(&u);
			add_url(&c, argv[i]);
		} else if (add_mail(&c, argv[i]) < 0) {
			goto out;
		}
	}
	if (!c.nr_urls) {
		td_die_msg("report", "no phishing URL found in the input%s",
			   opt_only.nr ? " (--only matched none)" : "");
		goto out;
	}

	if (td_store_case_new(&c.c, c.store, now_utc(), &err) < 0) {
		td_die_msg("report", "%s", err.msg);
		goto out;
	}
	dir = td_path_data("cases");
	c.evidence_dir = td_path_data("evidence");
	if (!dir || !c.evidence_dir) {
		td_die_msg("report", "no data folder");
		goto out;
	}
	{
		struct td_buf b = TD_BUF_INIT;

		td_buf_printf(&b, "%s/%s", dir, c.c.tag);
		c.case_dir = td_buf_detach(&b, NULL);
		td_buf_printf(&b, "%s/outbox", c.case_dir);
		if (!b.ptr || td_mkdirs(b.ptr, 0700, &err) < 0) {
			td_die_msg("report", "%s", err.msg);
			td_buf_release(&b);
			goto out;
		}
		td_buf_release(&b);
	}
	say(&c, "case %s\n", c.c.tag);
	for (i = 0; i < c.nr_mails; i++) {
		struct td_buf b = TD_BUF_INIT;
		struct td_store_mail sm;

		td_buf_printf(&b, "%s/mail-%.16s.eml", c.case_dir,
			      c.mails[i].sha);
		if (write_file(b.ptr, c.mails[i].data, c.mails[i].len) < 0) {
			td_die_msg("report", "%s: %s", b.ptr, strerror(errno));
			td_buf_release(&b);
			goto out;
		}
		memset(&sm, 0, sizeof(sm));
		sm.case_id = c.c.id;
		sm.path = b.ptr;
		sm.sha256 = c.mails[i].sha;
		td_store_mail_add(NULL, c.store, &sm, &err);
		c.mails[i].path = td_buf_detach(&b, NULL);
	}
	for (i = 0; i < c.nr_urls; i++) {
		struct td_url u;
		struct td_store_url su;

		memset(&su, 0, sizeof(su));
		su.case_id = c.c.id;
		su.url = c.urls[i];
		if (td_url_parse(&u, c.urls[i], strlen(c.urls[i]), &err) == 0) {
			su.norm = u.normalized;
			su.host = u.host_ascii;
			su.domain = u.domain;
		}
		if (td_store_url_add(NULL, c.store, &su, &err) < 0)
			td_die_msg("report", "store: %s", err.msg);
		if (su.norm)
			td_url_release(&u);
		say(&c, "  url     ");
		say_esc(&c, c.urls[i]);
		say(&c, "\n");
	}

	if (lookup_all(&c) < 0 || fetch_all(&c) < 0)
		goto out;
	store_evidence(&c);
	for (i = 0; i < c.ev.nr; i++) {
		const struct td_evidence_capture *cp = c.ev.items[i];

		say(&c, "  fetched ");
		say_esc(&c, cp->url);
		say(&c, " as %s%s: ", cp->profile,
		    i == c.home ? " (the site's home page)" : "");
		if (cp->code) {
			say(&c, "HTTP %ld", cp->code);
			if (cp->page.title) {
				say(&c, ", \"");
				say_esc(&c, cp->page.title);
				say(&c, "\"");
			}
			if (cp->page.passwords)
				say(&c, ", %u password field%s",
				    cp->page.passwords,
				    cp->page.passwords == 1 ? "" : "s");
			/* an answer that broke off, or was cut here */
			if (cp->error) {
				say(&c, "; then ");
				say_esc(&c, cp->error);
			}
			if (cp->truncated)
				say(&c, "; the body was cut at %zu bytes (the "
					"size limit)",
				    cp->len);
		} else {
			say_esc(&c, cp->error ? cp->error : "no answer");
		}
		say(&c, "\n");
	}

	classify_case(&c);
	for (i = 0; i < c.verdict.nr_reasons; i++)
		td_buf_printf(&reasons, "%s%s", i ? "; " : "",
			      c.verdict.reasons[i]);
	td_store_case_set_kind(c.store, c.c.id, c.kind,
			       reasons.len ? reasons.ptr : NULL, now_utc(),
			       &err);
	say(&c, "  kind    %s%s\n", td_case_kind_name(c.kind),
	    opt_compromised || opt_malicious ? " (as you said)" : "");
	for (i = 0; i < c.verdict.nr_reasons; i++) {
		/* a reason may quote the home page's title */
		say(&c, "          ");
		say_esc(&c, c.verdict.reasons[i]);
		say(&c, "\n");
	}
	if (c.kind == TD_KIND_UNKNOWN)
		say(&c, "          unknown is handled as malicious: the owner "
			"is not told, your name is not shown\n");

	/* the parties of every URL, once each */
	for (k = 0; k < c.nr_urls; k++) {
		const struct td_target *t = td_lookup_target(c.lk, k);

		for (i = 0; t && i < t->nr_parties && nr_parties < 256; i++) {
			const struct td_party *p = &t->parties[i];
			struct td_store_party sp;
			char *pj;

			if (seen_party(parties, nr_parties, p))
				continue;
			if (!country && p->country &&
			    (!strcmp(p->role, "host") ||
			     !strcmp(p->role, "registrant")))
				country = p->country;
			memset(&sp, 0, sizeof(sp));
			sp.case_id = c.c.id;
			sp.role = store_role(p->role);
			sp.name = p->name ? p->name : (char *)"?";
			sp.target = t->host ? t->host : t->input;
			sp.abuse_email = p->abuse_email;
			sp.phone = p->phone;
			sp.web_form = p->web_form;
			sp.country = p->country;
			sp.provenance = pj = prov_json(&p->prov);
			if (td_store_party_add(&party_ids[nr_parties], c.store,
					       &sp, &err) < 0) {
				td_die_msg("report", "store: %s", err.msg);
				free(pj);
				continue;
			}
			free(pj);
			parties[nr_parties++] = p;
			say(&c, "  party   %-10s ", p->role);
			say_esc(&c, p->name);
			if (p->abuse_email) {
				say(&c, " <");
				say_esc(&c, p->abuse_email);
				say(&c, ">%s", p->flags & TD_PARTY_EMAIL_DEAD
						    ? " (no mail host)"
						    : "");
			} else if (p->web_form) {
				say(&c, " form ");
				say_esc(&c, p->web_form);
			}
			say(&c, "\n          from %s %s\n",
			    p->prov.source ? p->prov.source : "-",
			    p->prov.server ? p->prov.server : "");
		}
	}
	/*
	 * Blocklists, in parallel with the abuse reports: browsers warn
	 * within hours, while a host may take days.
	 */
	for (i = 0; !opt_no_blocklists && i < sizeof(blocklists) /
						   sizeof(blocklists[0]) &&
		    nr_parties < 256;
	     i++) {
		struct td_store_party sp;
		const struct td_party *p = &blocklists[i];

		memset(&sp, 0, sizeof(sp));
		sp.case_id = c.c.id;
		sp.role = TD_ROLE_BLOCKLIST;
		sp.name = p->name;
		sp.target = c.urls[0];
		sp.abuse_email = p->abuse_email;
		sp.web_form = p->web_form;
		sp.provenance = "{\"source\":\"data\",\"server\":\"takedown's "
				"list of blocklists\"}";
		if (td_store_party_add(&party_ids[nr_parties], c.store, &sp,
				       &err) < 0) {
			td_die_msg("report", "store: %s", err.msg);
			continue;
		}
		parties[nr_parties++] = p;
	}
	/* the reporter's takedown organisations: criminal sites only */
	for (i = 0; c.kind != TD_KIND_COMPROMISED && i < c.nr_orgs &&
		    nr_parties < 256;
	     i++) {
		struct td_store_party sp;
		const struct td_party *p = &c.orgs[i];

		memset(&sp, 0, sizeof(sp));
		sp.case_id = c.c.id;
		sp.role = TD_ROLE_OTHER;
		sp.name = p->name;
		sp.target = c.urls[0];
		sp.abuse_email = p->abuse_email;
		sp.provenance = "{\"source\":\"profile\",\"server\":"
				"\"takedown_orgs\"}";
		if (td_store_party_add(&party_ids[nr_parties], c.store, &sp,
				       &err) < 0) {
			td_die_msg("report", "store: %s", err.msg);
			continue;
		}
		parties[nr_parties++] = p;
		say(&c, "  party   %-10s ", p->role);
		say_esc(&c, p->name);
		say(&c, " <");
		say_esc(&c, p->abuse_email);
		say(&c, ">\n          from your profile (takedown_orgs)\n");
	}
	le_advice(&le, country);
	drafts = write_drafts(&c, parties, party_ids, nr_parties,
			      le.ptr ? le.ptr : "");
	for (i = 0; i < nr_parties; i++)
		if (!parties[i]->abuse_email && parties[i]->web_form &&
		    draft_role(parties[i]->role, c.kind) >= 0) {
			say(&c, "  to do   %-10s submit at ", parties[i]->role);
			say_esc(&c, parties[i]->web_form);
			say(&c, "\n");
		}
	say(&c, "  law enforcement\n");
	{
		const char *s = le.ptr ? le.ptr : "";

		while (*s) {
			const char *nl = strchr(s, '\n');
			size_t n = nl ? (size_t)(nl - s) : strlen(s);

			say(&c, "          %.*s\n", (int)n, s);
			s += n + (nl ? 1 : 0);
		}
	}
	say(&c, "%zu draft%s in %s/outbox; nothing was sent (takedown send "
		"%s)\n",
	    drafts, drafts == 1 ? "" : "s", c.case_dir, c.c.tag);
	if (opt_json) {
		struct td_jw w;

		td_jw_init(&w, &c.out);
		td_jw_obj(&w);
		td_jw_kstr(&w, "schema", "takedown-report/1");
		td_jw_kstr(&w, "case", c.c.tag);
		td_jw_kstr(&w, "kind", td_case_kind_name(c.kind));
		td_jw_key(&w, "reasons");
		td_jw_arr(&w);
		for (i = 0; i < c.verdict.nr_reasons; i++)
			td_jw_str(&w, c.verdict.reasons[i]);
		td_jw_arr_end(&w);
		td_jw_kstrv(&w, "urls", c.urls, c.nr_urls);
		td_jw_kstr(&w, "folder", c.case_dir);
		td_jw_kint(&w, "drafts", (long long)drafts);
		td_jw_key(&w, "parties");
		td_jw_arr(&w);
		for (i = 0; i < nr_parties; i++) {
			td_jw_obj(&w);
			td_jw_kstr(&w, "role", parties[i]->role);
			td_jw_kstr(&w, "name", parties[i]->name);
			td_jw_kstr(&w, "abuse_email", parties[i]->abuse_email);
			td_jw_kstr(&w, "web_form", parties[i]->web_form);
			td_jw_obj_end(&w);
		}
		td_jw_arr_end(&w);
		td_jw_obj_end(&w);
		td_buf_addch(&c.out, '\n');
	}
	rc = c.failed ? EXIT_FAIL : EXIT_OK;
out:
	fwrite(c.out.ptr ? c.out.ptr : "", 1, c.out.len, stdout);
	td_buf_release(&c.out);
	td_buf_release(&le);
	td_buf_release(&reasons);
	td_evidence_release(&c.ev);
	td_net_free(c.net);
	td_lookup_free(c.lk);
	for (i = 0; i < c.nr_mails; i++) {
		free(c.mails[i].data);
		free(c.mails[i].path);
		td_extract_release(&c.mails[i].x);
	}
	free(c.mails);
	for (i = 0; i < c.nr_urls; i++)
		free(c.urls[i]);
	free(c.urls);
	free(c.case_dir);
	free(c.evidence_dir);
	free(c.home_url);
	free(dir);
	td_store_case_release(&c.c);
	td_store_close(c.store);
	td_profile_release(&c.prof);
	free(opt_as.v);
	free(opt_only.v);
	free(opt_connect_to.v);
	return rc;
}

const struct td_cmd cmd_report_def = {
    "report",
    "URL|FILE.eml...",
    "make a case: evidence, verdict and one draft per party",
    "Creates a case in the case store from phishing URLs or e-mails (the\n"
    "links of an e-mail, and the e-mail itself as evidence), looks up\n"
    "who is responsible (as lookup does), fetches every URL as a browser\n"
    "would and keeps what was served, decides whether the site was\n"
    "broken into (compromised) or is the criminal's own (malicious), and\n"
    "writes one report per party to the case's outbox, each checked by\n"
    "lint.  A compromised site's owner and host are told, with advice on\n"
    "cleaning up; a malicious site's registrar, host, CDN or platform are\n"
    "told, never its owner, and under your public identity only.  Every\n"
    "report carries law-enforcement advice.  Nothing is sent: see\n"
    "takedown send.\n\n"
    "Needs a profile (takedown init).  Exit status 1 when an input could\n"
    "not be read, no URL was found, or a draft failed.\n",
    options,
    run_report,
};
