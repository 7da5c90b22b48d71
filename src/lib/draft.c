/*
 * Report drafts: templates, variables and the message.  See draft.h,
 * docs/templates.md (the template language and variables) and
 * docs/internals/draft.md.  GMime is not used here: the message is laid
 * out by td_mail_write() in mail_write.c, the mail module's writing half.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "draft.h"
#include "mail_write.h"
#include "term.h"
#include "url.h"
#include "xarf.h"
#include "banned.h"

#define TEMPLATE_MAX (256u << 10)
#define TEXT_MAX 500	    /* characters of one attacker-written field */
#define URL_MAX (16u << 10) /* bytes of one URL shown in a body */
#define MAX_DEPTH 16	    /* nesting of #if/#unless */

#define TEMPLATE(sym, file)                                                    \
	".global " #sym "\n" #sym ":\n.incbin \"" file "\"\n"                  \
	".global " #sym "_end\n" #sym "_end:\n.byte 0\n"

/* the built-in templates, compiled in (docs/templates.md) */
/* clang-format off */
__asm__(".section .rodata\n"
	TEMPLATE(td_tpl_registrar, "data/templates/registrar.txt")
	TEMPLATE(td_tpl_host, "data/templates/host.txt")
	TEMPLATE(td_tpl_cdn, "data/templates/cdn.txt")
	TEMPLATE(td_tpl_platform, "data/templates/platform.txt")
	TEMPLATE(td_tpl_owner, "data/templates/owner.txt")
	TEMPLATE(td_tpl_le, "data/templates/le.txt")
	TEMPLATE(td_tpl_blocklist, "data/templates/blocklist.txt")
	TEMPLATE(td_tpl_takedown, "data/templates/takedown.txt")
	".previous\n");
/* clang-format on */

extern const char td_tpl_registrar[], td_tpl_registrar_end[];
extern const char td_tpl_host[], td_tpl_host_end[];
extern const char td_tpl_cdn[], td_tpl_cdn_end[];
extern const char td_tpl_platform[], td_tpl_platform_end[];
extern const char td_tpl_owner[], td_tpl_owner_end[];
extern const char td_tpl_le[], td_tpl_le_end[];
extern const char td_tpl_blocklist[], td_tpl_blocklist_end[];
extern const char td_tpl_takedown[], td_tpl_takedown_end[];

static const char *const role_names[] = {
    "registrar", "host", "cdn", "platform", "owner", "le", "blocklist",
    "takedown"};
#define NR_ROLES (sizeof(role_names) / sizeof(role_names[0]))

const char *
td_draft_role_name(enum td_draft_role role)
{
	return (unsigned)role < NR_ROLES ? role_names[role] : "unknown";
}

int
td_draft_role_parse(const char *name)
{
	size_t i;

	for (i = 0; i < NR_ROLES; i++)
		if (!strcmp(name, role_names[i]))
			return (int)i;
	if (!strcmp(name, "registrant"))
		return TD_DRAFT_OWNER;
	return -1;
}

const char *
td_draft_builtin_template(enum td_draft_role role, size_t *len)
{
	const char *b = NULL, *e = NULL;

	switch (role) {
	case TD_DRAFT_REGISTRAR:
		b = td_tpl_registrar, e = td_tpl_registrar_end;
		break;
	case TD_DRAFT_HOST:
		b = td_tpl_host, e = td_tpl_host_end;
		break;
	case TD_DRAFT_CDN:
		b = td_tpl_cdn, e = td_tpl_cdn_end;
		break;
	case TD_DRAFT_PLATFORM:
		b = td_tpl_platform, e = td_tpl_platform_end;
		break;
	case TD_DRAFT_OWNER:
		b = td_tpl_owner, e = td_tpl_owner_end;
		break;
	case TD_DRAFT_LE:
		b = td_tpl_le, e = td_tpl_le_end;
		break;
	case TD_DRAFT_BLOCKLIST:
		b = td_tpl_blocklist, e = td_tpl_blocklist_end;
		break;
	case TD_DRAFT_TAKEDOWN:
		b = td_tpl_takedown, e = td_tpl_takedown_end;
		break;
	}
	if (len)
		*len = b ? (size_t)(e - b) : 0;
	return b;
}

/* ---- making attacker text safe for a body ---------------------------- */

static int
invisible(unsigned cp)
{
	return cp == 0x061c || (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff || cp == 0x00ad ||
	       (cp >= 0xfff9 && cp <= 0xfffb) || cp == 0x2028 || cp == 0x2029;
}

/*
 * Append s as body text: invalid UTF-8 becomes U+FFFD, control
 * characters become U+FFFD (line breaks and tabs a space, or kept with
 * multiline), bidi and invisible characters are shown as \u{XXXX} so that
 * a reader sees the trick, at most max characters (0: no limit).
 */
static void
text(struct td_buf *out, const char *s, size_t max, int multiline)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t len = strlen((const char *)p), i = 0, n, chars = 0;
	unsigned cp;

	while (i < len) {
		if (max && chars >= max) {
			td_buf_adds(out, "\xe2\x80\xa6");
			break;
		}
		n = td_utf8_decode(&cp, p + i, len - i);
		if (!n) {
			td_buf_adds(out, "\xef\xbf\xbd");
			i++;
			chars++;
			continue;
		}
		i += n;
		chars++;
		if (cp == '\r' && multiline) {
			if (i < len && p[i] == '\n')
				continue;
			td_buf_addch(out, '\n');
		} else if ((cp == '\n' || cp == '\t') && multiline) {
			td_buf_addch(out, (int)cp);
		} else if (cp == '\n' || cp == '\r' || cp == '\t') {
			td_buf_addch(out, ' ');
		} else if (cp < 0x20 || cp == 0x7f ||
			   (cp >= 0x80 && cp < 0xa0)) {
			td_buf_adds(out, "\xef\xbf\xbd");
		} else if (invisible(cp)) {
			td_buf_printf(out, "\\u{%04x}", cp);
		} else {
			td_buf_add(out, p + i - n, n);
		}
	}
}

/*
 * A URL as found, in a form that survives any mail reader: printable
 * ASCII as is, every other byte (space, controls, non-ASCII) %-encoded,
 * which is how a browser sends it.
 */
static void
url_text(struct td_buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t start = out->len;

	for (; *p; p++) {
		if (out->len - start >= URL_MAX) {
			td_buf_printf(out, "... (cut after %u bytes)", URL_MAX);
			return;
		}
		if (*p > 0x20 && *p < 0x7f)
			td_buf_addch(out, *p);
		else
			td_buf_printf(out, "%%%02X", *p);
	}
}

static void
utc(struct td_buf *out, long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	td_buf_printf(out, "%04d-%02d-%02d %02d:%02d:%02d UTC",
		      tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		      tm.tm_min, tm.tm_sec);
}

/* ---- variables ------------------------------------------------------- */

enum var {
	V_CASE_TAG,
	V_CASE_KIND,
	V_COMPROMISED,
	V_MALICIOUS,
	V_REPORTER_NAME,
	V_REPORTER_ORG,
	V_REPORTER_INDIVIDUAL,
	V_REPORTER_EMAIL,
	V_REPORTER_PHONE,
	V_REPORTER_INTRO,
	V_SIGNATURE,
	V_RECIPIENT_NAME,
	V_RECIPIENT_ROLE,
	V_RECIPIENT_EMAIL,
	V_URL,
	V_URLS,
	V_NR_URLS,
	V_DOMAIN,
	V_FOUND,
	V_FOUND_HOW,
	V_EMAIL_DATE,
	V_EMAIL_SUBJECT,
	V_SENDING_IP,
	V_TITLE,
	V_FINAL_URL,
	V_STATUS,
	V_REDIRECT_CHAIN,
	V_PASSWORD_FORM,
	V_CREDENTIAL_FIELDS,
	V_SUBMISSION_URL,
	V_TLS,
	V_SHA256,
	V_FETCHED_AT,
	V_CLIENT,
	V_EVIDENCE,
	V_PARTIES,
	V_REGISTRAR,
	V_HOST_NETWORK,
	V_CDN,
	V_PLATFORM,
	V_WHOIS_CREATED,
	V_TARGET_BRAND,
	V_LE_ADVICE,
	V_ORIGINAL_ATTACHED,
	V_XARF_ATTACHED,
	V_ARF_REPORT,
	V_DATE,
	V_LBRACE,
	NR_VARS
};

const char *const td_draft_variables[] = {"case_tag",
					  "case_kind",
					  "compromised",
					  "malicious",
					  "reporter_name",
					  "reporter_org",
					  "reporter_individual",
					  "reporter_email",
					  "reporter_phone",
					  "reporter_intro",
					  "signature",
					  "recipient_name",
					  "recipient_role",
					  "recipient_email",
					  "url",
					  "urls",
					  "nr_urls",
					  "domain",
					  "found",
					  "found_how",
					  "email_date",
					  "email_subject",
					  "sending_ip",
					  "title",
					  "final_url",
					  "status",
					  "redirect_chain",
					  "password_form",
					  "credential_fields",
					  "submission_url",
					  "tls",
					  "sha256",
					  "fetched_at",
					  "client",
					  "evidence",
					  "parties",
					  "registrar",
					  "host_network",
					  "cdn",
					  "platform",
					  "whois_created",
					  "target_brand",
					  "le_advice",
					  "original_attached",
					  "xarf_attached",
					  "arf_report",
					  "date",
					  "lbrace",
					  NULL};

_Static_assert(sizeof(td_draft_variables) / sizeof(td_draft_variables[0]) ==
		       NR_VARS + 1,
	       "td_draft_variables follows enum var");

struct vars {
	struct td_buf v[NR_VARS];
};

static int
individual(const char *org)
{
	return !org || !*org || !strcasecmp(org, "individual");
}

static const struct td_draft_fetch *
main_fetch(const struct td_draft_input *in)
{
	size_t i;

	for (i = 0; i < in->nr_fetches; i++)
		if (in->fetches[i].url &&
		    !strcmp(in->fetches[i].url, in->urls[0].url))
			return &in->fetches[i];
	return in->nr_fetches ? &in->fetches[0] : NULL;
}

static const struct td_draft_party *
party(const struct td_draft_input *in, const char *role)
{
	size_t i;

	for (i = 0; i < in->nr_parties; i++)
		if (in->parties[i].role && in->parties[i].name &&
		    !strcmp(in->parties[i].role, role))
			return &in->parties[i];
	return NULL;
}

static const struct td_draft_form *
password_form(const struct td_draft_fetch *f)
{
	size_t i;

	for (i = 0; f && i < f->nr_forms; i++)
		if (f->forms[i].password_fields)
			return &f->forms[i];
	return NULL;
}

static void
fields_list(struct td_buf *out, const struct td_draft_form *f)
{
	size_t i;

	for (i = 0; i < f->nr_fields; i++) {
		if (i)
			td_buf_adds(out, ", ");
		text(out, f->fields[i], 64, 0);
	}
}

/* One capture of a URL, as lines for the evidence block. */
static void
evidence_one(struct td_buf *o, const struct td_draft_fetch *f)
{
	size_t i;

	td_buf_adds(o, "- Fetched ");
	utc(o, f->fetched_at);
	if (f->client) {
		td_buf_adds(o, " as the client \"");
		text(o, f->client, 200, 0);
		td_buf_addch(o, '"');
	}
	td_buf_adds(o, "\n  requested:   ");
	url_text(o, f->url);
	for (i = 0; i < f->nr_redirects; i++) {
		td_buf_adds(o, i ? "\n               " : "\n  redirected:  ");
		url_text(o, f->redirects[i]);
	}
	if (f->final_url) {
		td_buf_adds(o, "\n  final URL:   ");
		url_text(o, f->final_url);
	}
	if (f->status)
		td_buf_printf(o, "\n  HTTP status: %d", f->status);
	if (f->title) {
		td_buf_adds(o, "\n  page title:  \"");
		text(o, f->title, 200, 0);
		td_buf_addch(o, '"');
	}
	for (i = 0; i < f->nr_forms; i++) {
		const struct td_draft_form *fm = &f->forms[i];

		td_buf_adds(o, "\n  form:        ");
		if (fm->password_fields)
			td_buf_printf(o, "%u password field%s",
				      fm->password_fields,
				      fm->password_fields > 1 ? "s" : "");
		else
			td_buf_adds(o, "no password field");
		if (fm->action) {
			td_buf_adds(o, ", sent");
			if (fm->method) {
				td_buf_adds(o, " by ");
				text(o, fm->method, 10, 0);
			}
			td_buf_adds(o, " to ");
			url_text(o, fm->action);
		}
		if (fm->nr_fields) {
			td_buf_adds(o, "\n               fields: ");
			fields_list(o, fm);
		}
	}
	if (f->tls_subject || f->tls_issuer) {
		td_buf_adds(o, "\n  TLS:         certificate for ");
		text(o, f->tls_subject ? f->tls_subject : "?", 200, 0);
		td_buf_adds(o, ", issued by ");
		text(o, f->tls_issuer ? f->tls_issuer : "?", 200, 0);
		if (f->tls_not_before >= 0 && f->tls_not_after >= 0) {
			td_buf_adds(o, "\n               valid ");
			utc(o, f->tls_not_before);
			td_buf_adds(o, " to ");
			utc(o, f->tls_not_after);
		}
	}
	if (f->sha256 || f->size >= 0) {
		td_buf_adds(o, "\n  body:        ");
		if (f->size >= 0)
			td_buf_printf(o, "%lld bytes", f->size);
		if (f->sha256) {
			td_buf_adds(o,
				    f->size >= 0 ? ", SHA-256 " : "SHA-256 ");
			text(o, f->sha256, 64, 0);
		}
	}
	td_buf_addch(o, '\n');
}

static void
party_one(struct td_buf *o, const struct td_draft_party *p)
{
	td_buf_adds(o, "- ");
	text(o, p->role ? p->role : "party", 20, 0);
	td_buf_adds(o, ": ");
	text(o, p->name, 120, 0);
	if (p->contact) {
		td_buf_adds(o, " (");
		text(o, p->contact, 200, 0);
		td_buf_addch(o, ')');
	}
	if (p->asn > 0)
		td_buf_printf(o, ", AS%lld", p->asn);
	if (p->country) {
		td_buf_adds(o, ", ");
		text(o, p->country, 8, 0);
	}
	if (p->source) {
		td_buf_adds(o, "\n  from ");
		text(o, p->source, 20, 0);
		if (p->server) {
			td_buf_adds(o, " at ");
			text(o, p->server, 120, 0);
		}
		if (p->queried_at >= 0) {
			td_buf_adds(o, ", ");
			utc(o, p->queried_at);
		}
	}
	td_buf_addch(o, '\n');
}

/* Remove one trailing newline: a block ends where the template says. */
static void
chomp(struct td_buf *b)
{
	if (b->len && b->ptr[b->len - 1] == '\n')
		td_buf_truncate(b, b->len - 1);
}

/* The machine-readable part a draft carries. */
enum { MACHINE_NONE, MACHINE_XARF, MACHINE_ARF };

static int
machine_part(const struct td_draft_input *in, const struct td_draft_opts *o)
{
	if (o && o->arf && in->original)
		return MACHINE_ARF;
	return o && o->no_xarf ? MACHINE_NONE : MACHINE_XARF;
}

static void
vars_build(struct vars *vs, const struct td_draft_input *in, long long now,
	   int original, int machine)
{
	const struct td_draft_identity *id = in->from;
	const struct td_draft_fetch *mf = main_fetch(in);
	const struct td_draft_form *pf = password_form(mf);
	const struct td_draft_party *p;
	struct td_buf *v = vs->v;
	struct td_url u;
	size_t i;

	for (i = 0; i < NR_VARS; i++)
		td_buf_init(&v[i], 0);
	td_buf_adds(&v[V_LBRACE], "{{");
	text(&v[V_CASE_TAG], in->case_tag, 64, 0);
	td_buf_adds(&v[V_CASE_KIND], in->kind == TD_DRAFT_COMPROMISED
					 ? "compromised"
					 : "malicious");
	td_buf_adds(
	    &v[in->kind == TD_DRAFT_COMPROMISED ? V_COMPROMISED : V_MALICIOUS],
	    "yes");

	text(&v[V_REPORTER_NAME], id->name, 100, 0);
	text(&v[V_REPORTER_ORG], individual(id->org) ? "individual" : id->org,
	     100, 0);
	if (individual(id->org))
		td_buf_adds(&v[V_REPORTER_INDIVIDUAL], "yes");
	text(&v[V_REPORTER_EMAIL], id->email, 254, 0);
	text(&v[V_REPORTER_PHONE], id->phone, 40, 0);
	if (id->name && *id->name && !individual(id->org))
		td_buf_printf(&v[V_REPORTER_INTRO], "My name is %s, from %s.",
			      v[V_REPORTER_NAME].ptr, v[V_REPORTER_ORG].ptr);
	else if (id->name && *id->name)
		td_buf_printf(&v[V_REPORTER_INTRO],
			      "My name is %s; I report phishing sites as a "
			      "private individual.",
			      v[V_REPORTER_NAME].ptr);
	else if (!individual(id->org))
		td_buf_printf(&v[V_REPORTER_INTRO],
			      "This report comes from %s.",
			      v[V_REPORTER_ORG].ptr);
	else
		td_buf_adds(&v[V_REPORTER_INTRO],
			    "This report comes from a private individual who "
			    "reports phishing sites.");
	if (id->signature && *id->signature) {
		text(&v[V_SIGNATURE], id->signature, 2000, 1);
	} else {
		struct td_buf *s = &v[V_SIGNATURE];

		if (s->len || v[V_REPORTER_NAME].len)
			td_buf_printf(s, "%s\n", v[V_REPORTER_NAME].ptr);
		if (!individual(id->org))
			td_buf_printf(s, "%s\n", v[V_REPORTER_ORG].ptr);
		td_buf_printf(s, "%s\n", v[V_REPORTER_EMAIL].ptr);
		if (v[V_REPORTER_PHONE].len)
			td_buf_printf(s, "%s\n", v[V_REPORTER_PHONE].ptr);
	}
	chomp(&v[V_SIGNATURE]);

	text(&v[V_RECIPIENT_NAME], in->to.name, 100, 0);
	td_buf_adds(&v[V_RECIPIENT_ROLE], td_draft_role_name(in->to.role));
	text(&v[V_RECIPIENT_EMAIL], in->to.email, 254, 0);

	url_text(&v[V_URL], in->urls[0].url);
	for (i = 0; i < in->nr_urls; i++) {
		const char *nz = in->urls[i].normalized;

		td_buf_adds(&v[V_URLS], "  ");
		url_text(&v[V_URLS], in->urls[i].url);
		td_buf_addch(&v[V_URLS], '\n');
		if (nz && strcmp(nz, in->urls[i].url)) {
			td_buf_adds(&v[V_URLS], "    (as a browser reads it: ");
			url_text(&v[V_URLS], nz);
			td_buf_adds(&v[V_URLS], ")\n");
		}
	}
	chomp(&v[V_URLS]);
	td_buf_printf(&v[V_NR_URLS], "%zu", in->nr_urls);
	if (td_url_parse(&u, in->urls[0].url, strlen(in->urls[0].url), NULL) ==
	    0) {
		text(&v[V_DOMAIN], u.host_ascii, 253, 0);
		td_url_release(&u);
	} else {
		td_buf_adds(&v[V_DOMAIN], "(unparsable URL)");
	}

	text(&v[V_FOUND_HOW], in->found.how, 300, 0);
	if (in->found.email_date >= 0)
		utc(&v[V_EMAIL_DATE], in->found.email_date);
	text(&v[V_EMAIL_SUBJECT], in->found.email_subject, 200, 0);
	text(&v[V_SENDING_IP], in->found.sending_ip, 64, 0);
	{
		struct td_buf *f = &v[V_FOUND];

		td_buf_adds(f, v[V_FOUND_HOW].len ? v[V_FOUND_HOW].ptr
						  : "reported to me");
		td_buf_addch(f, '.');
		if (v[V_EMAIL_DATE].len || v[V_SENDING_IP].len ||
		    v[V_EMAIL_SUBJECT].len) {
			td_buf_adds(f, " The e-mail");
			if (v[V_EMAIL_DATE].len)
				td_buf_printf(f, " is dated %s",
					      v[V_EMAIL_DATE].ptr);
			if (v[V_SENDING_IP].len)
				td_buf_printf(f, "%s was sent from %s",
					      v[V_EMAIL_DATE].len ? "," : "",
					      v[V_SENDING_IP].ptr);
			if (v[V_EMAIL_SUBJECT].len)
				td_buf_printf(f, "%s has the subject \"%s\"",
					      v[V_EMAIL_DATE].len ||
						      v[V_SENDING_IP].len
						  ? ","
						  : "",
					      v[V_EMAIL_SUBJECT].ptr);
			td_buf_addch(f, '.');
		}
		if (f->len && f->ptr[0] >= 'a' && f->ptr[0] <= 'z')
			f->ptr[0] = (char)(f->ptr[0] - 'a' + 'A');
	}

	if (mf) {
		text(&v[V_TITLE], mf->title, TEXT_MAX, 0);
		if (mf->final_url)
			url_text(&v[V_FINAL_URL], mf->final_url);
		if (mf->status)
			td_buf_printf(&v[V_STATUS], "%d", mf->status);
		if (mf->nr_redirects) {
			td_buf_adds(&v[V_REDIRECT_CHAIN], "  ");
			url_text(&v[V_REDIRECT_CHAIN], mf->url);
			for (i = 0; i < mf->nr_redirects; i++) {
				td_buf_adds(&v[V_REDIRECT_CHAIN], "\n  -> ");
				url_text(&v[V_REDIRECT_CHAIN],
					 mf->redirects[i]);
			}
		}
		if (mf->tls_subject || mf->tls_issuer) {
			text(&v[V_TLS], mf->tls_subject, 200, 0);
			td_buf_adds(&v[V_TLS], ", issued by ");
			text(&v[V_TLS], mf->tls_issuer, 200, 0);
		}
		text(&v[V_SHA256], mf->sha256, 64, 0);
		utc(&v[V_FETCHED_AT], mf->fetched_at);
		text(&v[V_CLIENT], mf->client, 200, 0);
	}
	if (pf) {
		td_buf_adds(&v[V_PASSWORD_FORM], "yes");
		fields_list(&v[V_CREDENTIAL_FIELDS], pf);
		if (pf->action)
			url_text(&v[V_SUBMISSION_URL], pf->action);
	}
	for (i = 0; i < in->nr_fetches; i++)
		evidence_one(&v[V_EVIDENCE], &in->fetches[i]);
	if (!in->nr_fetches)
		td_buf_adds(&v[V_EVIDENCE],
			    "- The page was not fetched; the URL is given as "
			    "found.\n");
	chomp(&v[V_EVIDENCE]);
	for (i = 0; i < in->nr_parties; i++)
		if (in->parties[i].name)
			party_one(&v[V_PARTIES], &in->parties[i]);
	chomp(&v[V_PARTIES]);
	if ((p = party(in, "registrar")))
		text(&v[V_REGISTRAR], p->name, 120, 0);
	if ((p = party(in, "host")))
		text(&v[V_HOST_NETWORK], p->name, 120, 0);
	if ((p = party(in, "cdn")))
		text(&v[V_CDN], p->name, 120, 0);
	if ((p = party(in, "platform")))
		text(&v[V_PLATFORM], p->name, 120, 0);
	text(&v[V_WHOIS_CREATED], in->whois_created, 40, 0);
	text(&v[V_TARGET_BRAND], in->target_brand, 100, 0);
	text(&v[V_LE_ADVICE], in->le_advice, 4000, 1);
	while (v[V_LE_ADVICE].len &&
	       v[V_LE_ADVICE].ptr[v[V_LE_ADVICE].len - 1] == '\n')
		chomp(&v[V_LE_ADVICE]);
	if (original)
		td_buf_adds(&v[V_ORIGINAL_ATTACHED], "yes");
	if (machine == MACHINE_XARF)
		td_buf_adds(&v[V_XARF_ATTACHED], "yes");
	if (machine == MACHINE_ARF)
		td_buf_adds(&v[V_ARF_REPORT], "yes");
	utc(&v[V_DATE], now);
}

static void
vars_release(struct vars *vs)
{
	size_t i;

	for (i = 0; i < NR_VARS; i++)
		td_buf_release(&vs->v[i]);
}

static int
vars_failed(const struct vars *vs)
{
	size_t i;

	for (i = 0; i < NR_VARS; i++)
		if (td_buf_failed(&vs->v[i]))
			return 1;
	return 0;
}

/* ---- the template language ------------------------------------------- */

enum tag_kind {
	TAG_VAR,
	TAG_IF,
	TAG_UNLESS,
	TAG_ELSE,
	TAG_ENDIF,
	TAG_ENDUNLESS,
	TAG_COMMENT
};

struct tag {
	enum tag_kind kind;
	int var;	 /* for VAR, IF, UNLESS */
	const char *end; /* just after "}}" */
};

struct render {
	const char *name; /* for errors */
	unsigned line;
	const struct vars *vs;
	/* the caller's own variables, after the built-in ones */
	const char *const *xnames;
	const struct td_buf *xvals;
	size_t nx;
	struct td_error *err;
	struct {
		unsigned char kind; /* TAG_IF or TAG_UNLESS */
		unsigned char cond, parent, in_else;
	} stack[MAX_DEPTH];
	unsigned depth;
};

/* A variable's number: NR_VARS + the caller's own index (the caller's
   names win), else a built-in one's; -1 when there is none. */
static int
var_index(const struct render *r, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < r->nx; i++)
		if (strlen(r->xnames[i]) == len &&
		    !memcmp(r->xnames[i], s, len))
			return NR_VARS + (int)i;
	for (i = 0; td_draft_variables[i]; i++)
		if (strlen(td_draft_variables[i]) == len &&
		    !memcmp(td_draft_variables[i], s, len))
			return (int)i;
	return -1;
}

static const struct td_buf *
var_value(const struct render *r, int var)
{
	return var < NR_VARS ? &r->vs->v[var] : &r->xvals[var - NR_VARS];
}

/* The template text quoted in an error: at most 60 bytes, each byte
   that is not printable ASCII written as \xNN, so the message stays one
   printable line whatever the file holds. */
static int
rerr(struct render *r, const char *what, const char *s, size_t len)
{
	char q[60 * 4 + 1];
	size_t i, n = 0;

	for (i = 0; i < len && i < 60; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f)
			q[n++] = (char)c;
		else
			n += (size_t)snprintf(q + n, sizeof(q) - n, "\\x%02x",
					      c);
	}
	q[n] = '\0';
	return td_error_set(r->err, TD_EINVAL, "%s:%u: %s%s%s", r->name,
			    r->line, what, len ? ": " : "", q);
}

/* Parse the tag at p ("{{"), up to end of line.  Returns 0 or TD_EINVAL. */
static int
parse_tag(struct render *r, const char *p, const char *eol, struct tag *t)
{
	const char *q = p + 2, *close = NULL, *e, *w;
	size_t n;

	for (e = q; e + 1 < eol; e++)
		if (e[0] == '}' && e[1] == '}') {
			close = e;
			break;
		}
	if (!close)
		return rerr(r, "tag not closed on its line", p,
			    (size_t)(eol - p));
	t->end = close + 2;
	t->var = -1;
	while (q < close && (*q == ' ' || *q == '\t'))
		q++;
	e = close;
	while (e > q && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (q < e && *q == '!') {
		t->kind = TAG_COMMENT;
		return 0;
	}
	n = (size_t)(e - q);
	if (n == 4 && !memcmp(q, "else", 4)) {
		t->kind = TAG_ELSE;
		return 0;
	}
	if (n == 3 && !memcmp(q, "/if", 3)) {
		t->kind = TAG_ENDIF;
		return 0;
	}
	if (n == 7 && !memcmp(q, "/unless", 7)) {
		t->kind = TAG_ENDUNLESS;
		return 0;
	}
	if (n > 4 && !memcmp(q, "#if ", 4)) {
		t->kind = TAG_IF;
		w = q + 4;
	} else if (n > 8 && !memcmp(q, "#unless ", 8)) {
		t->kind = TAG_UNLESS;
		w = q + 8;
	} else {
		t->kind = TAG_VAR;
		w = q;
	}
	while (w < e && *w == ' ')
		w++;
	t->var = var_index(r, w, (size_t)(e - w));
	if (t->var < 0)
		return rerr(r, "unknown variable", w, (size_t)(e - w));
	return 0;
}

static int
active(const struct render *r)
{
	return !r->depth ||
	       (r->stack[r->depth - 1].parent && r->stack[r->depth - 1].cond);
}

/* Apply a block tag to the condition stack. */
static int
block(struct render *r, const struct tag *t, const char *p)
{
	const struct td_buf *v;

	switch (t->kind) {
	case TAG_IF:
	case TAG_UNLESS:
		if (r->depth >= MAX_DEPTH)
			return rerr(r, "#if nested too deep", "", 0);
		v = var_value(r, t->var);
		r->stack[r->depth].kind = (unsigned char)t->kind;
		r->stack[r->depth].parent = (unsigned char)active(r);
		r->stack[r->depth].cond =
		    (unsigned char)(t->kind == TAG_IF ? v->len > 0
						      : v->len == 0);
		r->stack[r->depth].in_else = 0;
		r->depth++;
		return 0;
	case TAG_ELSE:
		if (!r->depth || r->stack[r->depth - 1].in_else)
			return rerr(r, "{{else}} without #if", "", 0);
		r->stack[r->depth - 1].cond = !r->stack[r->depth - 1].cond;
		r->stack[r->depth - 1].in_else = 1;
		return 0;
	case TAG_ENDIF:
	case TAG_ENDUNLESS:
		if (!r->depth ||
		    r->stack[r->depth - 1].kind !=
			(t->kind == TAG_ENDIF ? TAG_IF : TAG_UNLESS))
			return rerr(r, "closing tag without its opening one", p,
				    (size_t)(t->end - p));
		r->depth--;
		return 0;
	default:
		return 0;
	}
}

/* Is the line [p, eol) only white space and block or comment tags? */
static int
standalone(struct render *r, const char *p, const char *eol)
{
	struct tag t;
	int tags = 0;

	while (p < eol) {
		if (*p == ' ' || *p == '\t' || *p == '\r') {
			p++;
			continue;
		}
		if (eol - p < 2 || p[0] != '{' || p[1] != '{')
			return 0;
		if (parse_tag(r, p, eol, &t) < 0 || t.kind == TAG_VAR)
			return 0;
		tags++;
		p = t.end;
	}
	return tags > 0;
}

/* Append value v; continuation lines take the indentation of the line
   the tag stands on, when only white space precedes it. */
static void
put_value(struct td_buf *out, const struct td_buf *v)
{
	size_t bol = out->len, i, start;
	int indent = 1;

	while (bol && out->ptr[bol - 1] != '\n')
		bol--;
	for (i = bol; i < out->len; i++)
		if (out->ptr[i] != ' ' && out->ptr[i] != '\t')
			indent = 0;
	if (!indent || bol == out->len) {
		td_buf_add(out, v->ptr, v->len);
		return;
	}
	{
		char pre[64];
		size_t n =
		    out->len - bol > sizeof(pre) ? sizeof(pre) : out->len - bol;

		memcpy(pre, out->ptr + bol, n);
		for (start = 0, i = 0; i < v->len; i++) {
			if (v->ptr[i] != '\n')
				continue;
			td_buf_add(out, v->ptr + start, i + 1 - start);
			start = i + 1;
			if (start < v->len && v->ptr[start] != '\n')
				td_buf_add(out, pre, n);
		}
		td_buf_add(out, v->ptr + start, v->len - start);
	}
}

/* Render [p, end) into out.  Returns 0 or TD_EINVAL. */
static int
render_text(struct render *r, struct td_buf *out, const char *p,
	    const char *end)
{
	struct tag t;
	int ret;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *next = eol ? eol + 1 : end;

		if (!eol)
			eol = end;
		r->line++;
		if (standalone(r, p, eol)) {
			while (p < eol) {
				if (*p == '{') {
					parse_tag(r, p, eol, &t);
					if ((ret = block(r, &t, p)) < 0)
						return ret;
					p = t.end;
				} else {
					p++;
				}
			}
			p = next;
			continue;
		}
		while (p < next) {
			const char *o = p;

			while (p < next &&
			       !(p[0] == '{' && p + 1 < next && p[1] == '{'))
				p++;
			if (p > o && active(r))
				td_buf_add(out, o, (size_t)(p - o));
			if (p >= next)
				break;
			if ((ret = parse_tag(r, p, eol, &t)) < 0)
				return ret;
			if (t.kind == TAG_VAR) {
				if (active(r))
					put_value(out, var_value(r, t.var));
			} else if ((ret = block(r, &t, p)) < 0) {
				return ret;
			}
			p = t.end;
		}
	}
	return 0;
}

/*
 * The body as written: UTF-8 (template bytes are sanitised too), no
 * control characters but LF and TAB, no trailing white space, at most one
 * empty line in a row, one final newline.
 */
static void
tidy(struct td_buf *out, const char *s, size_t len)
{
	struct td_buf a = TD_BUF_INIT;
	size_t i, blank = 0, line_start;

	td_utf8_sanitize(&a, s, len);
	line_start = out->len;
	for (i = 0; i < a.len; i++) {
		char c = a.ptr[i];

		if (c == '\r')
			continue;
		if (c == '\n') {
			while (out->len > line_start &&
			       (out->ptr[out->len - 1] == ' ' ||
				out->ptr[out->len - 1] == '\t'))
				td_buf_truncate(out, out->len - 1);
			if (out->len == line_start)
				blank++;
			else
				blank = 0;
			if (blank <= 1 && (out->len || blank == 0))
				td_buf_addch(out, '\n');
			line_start = out->len;
			continue;
		}
		if ((unsigned char)c < 0x20 && c != '\t')
			continue;
		if (c == 0x7f)
			continue;
		td_buf_addch(out, c);
	}
	/* a last line without its line end is trimmed too */
	while (out->len > line_start && (out->ptr[out->len - 1] == ' ' ||
					 out->ptr[out->len - 1] == '\t'))
		td_buf_truncate(out, out->len - 1);
	while (out->len >= 2 && out->ptr[out->len - 1] == '\n' &&
	       out->ptr[out->len - 2] == '\n')
		td_buf_truncate(out, out->len - 1);
	if (out->len && out->ptr[out->len - 1] != '\n')
		td_buf_addch(out, '\n');
	td_buf_release(&a);
}

static const char default_subject[] =
    "[{{case_tag}}] Phishing at {{domain}}: please act";

static int
render_with(struct td_buf *subject, struct td_buf *body, const char *tpl,
	    size_t len, const char *name, const struct vars *vs,
	    const char *const *xnames, const struct td_buf *xvals, size_t nx,
	    struct td_error *err)
{
	struct render r;
	struct td_buf s = TD_BUF_INIT, b = TD_BUF_INIT;
	const char *p = tpl, *end = tpl + len, *subj = NULL, *subj_end = NULL;
	unsigned body_line = 0;
	int ret;

	memset(&r, 0, sizeof(r));
	r.name = name;
	r.vs = vs;
	r.xnames = xnames;
	r.xvals = xvals;
	r.nx = nx;
	r.err = err;
	if (memchr(tpl, 0, len))
		return td_error_set(err, TD_EINVAL, "%s: NUL byte in template",
				    name);
	/* leading comment lines, then an optional header section */
	for (;;) {
		const char *q = p;

		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		if (end - q >= 3 && !memcmp(q, "{{!", 3)) {
			const char *eol = memchr(q, '\n', (size_t)(end - q));

			p = eol ? eol + 1 : end;
			body_line++;
			continue;
		}
		break;
	}
	if (end - p >= 8 && !strncasecmp(p, "Subject:", 8)) {
		const char *eol;

		subj = p + 8;
		for (;;) {
			eol = memchr(p, '\n', (size_t)(end - p));
			p = eol ? eol + 1 : end;
			body_line++;
			if (p >= end || (*p != ' ' && *p != '\t'))
				break;
		}
		subj_end = p;
		/* further header lines are not ours: refuse them, so a
		   template cannot add a header */
		if (p < end && *p != '\n' &&
		    !(*p == '\r' && p + 1 < end && p[1] == '\n'))
			return td_error_set(err, TD_EINVAL,
					    "%s:%u: only Subject: may stand "
					    "before the first empty line",
					    name, body_line + 1);
		if (p < end) {
			p = (const char *)memchr(p, '\n', (size_t)(end - p)) +
			    1;
			body_line++;
		}
	}
	r.line = 0;
	if (subj) {
		r.line = 0;
		ret = render_text(&r, &s, subj, subj_end);
	} else {
		r.name = "built-in default subject";
		ret = render_text(&r, &s, default_subject,
				  default_subject + strlen(default_subject));
		r.name = name;
	}
	if (!ret && r.depth)
		ret = rerr(&r, "#if not closed in the subject", "", 0);
	if (!ret) {
		r.line = body_line;
		r.depth = 0;
		ret = render_text(&r, &b, p, end);
		if (!ret && r.depth)
			ret = rerr(&r, "#if not closed at the end", "", 0);
	}
	if (!ret) {
		td_mail_header_text(subject, s.ptr, 200);
		tidy(body, b.ptr, b.len);
		if (td_buf_failed(subject) || td_buf_failed(body) ||
		    td_buf_failed(&s) || td_buf_failed(&b))
			ret = td_error_set(err, TD_ENOMEM, "out of memory");
	}
	td_buf_release(&s);
	td_buf_release(&b);
	return ret;
}

int
td_draft_read_template(struct td_buf *out, const char *path)
{
	char chunk[16384];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			close(fd);
			return -e;
		}
		if (td_buf_add(out, chunk, (size_t)n) < 0)
			break;
	}
	close(fd);
	if (td_buf_failed(out) & TD_BUF_TRUNC)
		return -EFBIG;
	return td_buf_failed(out) ? -ENOMEM : 0;
}

static int
check_input(const struct td_draft_input *in, struct td_error *err)
{
	if (!in->from || !in->from->email || !td_mail_addr_ok(in->from->email))
		return td_error_set(err, TD_EINVAL,
				    "the reporter identity needs a plain "
				    "e-mail address");
	if ((unsigned)in->to.role >= NR_ROLES)
		return td_error_set(err, TD_EINVAL, "unknown recipient role");
	if (!in->to.email || !td_mail_addr_ok(in->to.email))
		return td_error_set(err, TD_EINVAL,
				    "recipient address is not a plain "
				    "addr-spec (RFC 5322 3.4.1)");
	if (!in->nr_urls || !in->urls || !in->urls[0].url || !*in->urls[0].url)
		return td_error_set(err, TD_EINVAL, "no URL to report");
	if (!in->case_tag || !*in->case_tag)
		return td_error_set(err, TD_EINVAL, "no case tag");
	if (!in->le_advice || !*in->le_advice)
		return td_error_set(err, TD_EINVAL,
				    "no law-enforcement advice given");
	if (in->to.role == TD_DRAFT_OWNER && in->kind == TD_DRAFT_MALICIOUS)
		return td_error_set(err, TD_EINVAL,
				    "the owner of a malicious site is never "
				    "sent a report");
	return 0;
}

static int
render_vars(struct td_buf *subject, struct td_buf *body,
	    const struct td_draft_input *in, const struct td_draft_opts *opts,
	    const struct vars *vs, struct td_error *err)
{
	const char *rn = td_draft_role_name(in->to.role);
	struct td_buf path = TD_BUF_INIT, file;
	size_t len;
	const char *tpl;
	int ret;

	if (opts && opts->template_dir) {
		td_buf_init(&file, TEMPLATE_MAX);
		td_buf_printf(&path, "%s/%s.txt", opts->template_dir, rn);
		ret = td_draft_read_template(&file, path.ptr);
		if (ret == 0) {
			ret = render_with(subject, body, file.ptr, file.len,
					  path.ptr, vs, NULL, NULL, 0, err);
			td_buf_release(&file);
			td_buf_release(&path);
			return ret;
		}
		td_buf_release(&file);
		if (ret != -ENOENT) {
			ret = td_error_set(err, TD_EIO, "%s: %s", path.ptr,
					   ret == -EFBIG ? "larger than 256 KiB"
							 : strerror(-ret));
			td_buf_release(&path);
			return ret;
		}
		td_buf_release(&path);
	}
	tpl = td_draft_builtin_template(in->to.role, &len);
	td_buf_printf(&path, "built-in %s.txt", rn);
	ret = render_with(subject, body, tpl, len, path.ptr, vs, NULL, NULL, 0,
			  err);
	td_buf_release(&path);
	return ret;
}

static long long
now_of(const struct td_draft_input *in)
{
	return in->now >= 0 ? in->now : (long long)time(NULL);
}

int
td_draft_render(struct td_buf *subject, struct td_buf *body,
		const struct td_draft_input *in,
		const struct td_draft_opts *opts, struct td_error *err)
{
	struct vars vs;
	int ret = check_input(in, err);

	if (ret)
		return ret;
	vars_build(&vs, in, now_of(in), in->original != NULL,
		   machine_part(in, opts));
	ret = vars_failed(&vs) ? td_error_set(err, TD_ENOMEM, "out of memory")
			       : render_vars(subject, body, in, opts, &vs, err);
	vars_release(&vs);
	return ret;
}

int
td_draft_render_text(struct td_buf *subject, struct td_buf *body,
		     const char *tpl, size_t len, const char *name,
		     const struct td_draft_input *in, struct td_error *err)
{
	return td_draft_render_text_vars(subject, body, tpl, len, name, in,
					 NULL, NULL, 0, err);
}

int
td_draft_render_text_vars(struct td_buf *subject, struct td_buf *body,
			  const char *tpl, size_t len, const char *name,
			  const struct td_draft_input *in,
			  const char *const *names, const struct td_buf *values,
			  size_t nr, struct td_error *err)
{
	struct vars vs;
	int ret = check_input(in, err);

	if (ret)
		return ret;
	vars_build(&vs, in, now_of(in), in->original != NULL, MACHINE_XARF);
	ret = vars_failed(&vs)
		  ? td_error_set(err, TD_ENOMEM, "out of memory")
		  : render_with(subject, body, tpl, len, name, &vs, names,
				values, nr, err);
	vars_release(&vs);
	return ret;
}

/* ---- redaction of the attached e-mail -------------------------------- */

static const char b64s[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Overwrite every occurrence of needle (n bytes; ASCII case ignored when
   icase) in b with fill. */
static void
wipe(struct td_buf *b, const char *needle, size_t n, int icase, char fill)
{
	size_t i;

	if (n < 3 || n > b->len)
		return;
	for (i = 0; i + n <= b->len; i++) {
		if (icase ? strncasecmp(b->ptr + i, needle, n)
			  : memcmp(b->ptr + i, needle, n))
			continue;
		memset(b->ptr + i, fill, n);
		i += n - 1;
	}
}

/*
 * The parts of base64(k zero bytes + s) that depend on s alone, for k =
 * 0, 1, 2: how s reads inside any base64 text (a tracking token, an
 * encoded body).  url selects the URL-safe alphabet (RFC 4648 5).
 */
static void
wipe_base64(struct td_buf *b, const char *s, int url)
{
	size_t n = strlen(s), k, i, from, to;

	for (k = 0; k < 3; k++) {
		struct td_buf in = TD_BUF_INIT, enc = TD_BUF_INIT;

		td_buf_add(&in, "\0\0", k);
		td_buf_adds(&in, s);
		td_buf_add(&in, "\0\0", 2);
		for (i = 0; i + 2 < in.len; i += 3) {
			const unsigned char *p =
			    (const unsigned char *)in.ptr + i;

			td_buf_addch(&enc, b64s[p[0] >> 2]);
			td_buf_addch(&enc,
				     b64s[((p[0] & 3) << 4) | (p[1] >> 4)]);
			td_buf_addch(&enc,
				     b64s[((p[1] & 15) << 2) | (p[2] >> 6)]);
			td_buf_addch(&enc, b64s[p[2] & 63]);
		}
		from = (8 * k + 5) / 6;
		to = 8 * (k + n) / 6;
		if (url)
			for (i = 0; i < enc.len; i++)
				enc.ptr[i] = enc.ptr[i] == '+'	 ? '-'
					     : enc.ptr[i] == '/' ? '_'
								 : enc.ptr[i];
		if (to > from && to - from >= 8 && to <= enc.len)
			wipe(b, enc.ptr + from, to - from, 0, 'A');
		td_buf_release(&in);
		td_buf_release(&enc);
	}
}

static void redact_one(struct td_buf *b, const char *s);

void
td_draft_redact(struct td_buf *b, char *const *strs, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		redact_one(b, strs[i]);
}

static void
redact_one(struct td_buf *b, const char *s)
{
	struct td_buf v = TD_BUF_INIT, low = TD_BUF_INIT;
	const char *p;

	if (!s || strlen(s) < 3)
		return;
	wipe(b, s, strlen(s), 1, '*');
	/* %-encoded (query strings): '@' as %40, ' ' as %20 or '+' */
	for (p = s; *p; p++) {
		if (*p == '@')
			td_buf_adds(&v, "%40");
		else if (*p == ' ')
			td_buf_adds(&v, "%20");
		else
			td_buf_addch(&v, *p);
	}
	wipe(b, v.ptr, v.len, 1, '*');
	td_buf_reset(&v);
	for (p = s; *p; p++) {
		if (*p == '@')
			td_buf_adds(&v, "%40");
		else
			td_buf_addch(&v, *p == ' ' ? '+' : *p);
	}
	wipe(b, v.ptr, v.len, 1, '*');
	for (p = s; *p; p++)
		td_buf_addch(&low, (*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
	wipe_base64(b, s, 0);
	wipe_base64(b, s, 1);
	if (strcmp(low.ptr, s)) {
		wipe_base64(b, low.ptr, 0);
		wipe_base64(b, low.ptr, 1);
	}
	td_buf_release(&v);
	td_buf_release(&low);
}

/* ---- the message ----------------------------------------------------- */

static int
message_id(struct td_buf *out, const struct td_draft_input *in)
{
	unsigned char r[10];
	const char *p, *dom = strrchr(in->from->email, '@') + 1;
	size_t got = 0, i;

	while (got < sizeof(r)) {
		ssize_t n = getrandom(r + got, sizeof(r) - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return TD_EIO;
		got += (size_t)n;
	}
	td_buf_adds(out, "td.");
	for (p = in->case_tag; *p && p - in->case_tag < 40; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-')
			td_buf_addch(out, *p);
	td_buf_addch(out, '.');
	for (i = 0; i < sizeof(r); i++)
		td_buf_printf(out, "%02x", r[i]);
	td_buf_printf(out, "@%s", dom);
	return 0;
}

/* ---- ARF (RFC 5965) --------------------------------------------------- */

/* date-time of RFC 5322 3.3, in UTC, whatever the locale */
static void
rfc5322_date(struct td_buf *b, long long t)
{
	static const char days[][4] = {"Sun", "Mon", "Tue", "Wed",
				       "Thu", "Fri", "Sat"};
	static const char months[][4] = {"Jan", "Feb", "Mar", "Apr",
					 "May", "Jun", "Jul", "Aug",
					 "Sep", "Oct", "Nov", "Dec"};
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm))
		return;
	td_buf_printf(b, "%s, %d %s %d %02d:%02d:%02d +0000", days[tm.tm_wday],
		      tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
		      tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* A URL as an ARF field value: printable ASCII only, the rest
   %-encoded; 0 when too long for one line. */
static int
arf_uri(struct td_buf *b, const char *u)
{
	size_t at = b->len;
	const unsigned char *p;

	for (p = (const unsigned char *)u; *p; p++) {
		if (*p > 0x20 && *p < 0x7f)
			td_buf_addch(b, (char)*p);
		else
			td_buf_printf(b, "%%%02X", *p);
		if (b->len - at > 900) {
			td_buf_truncate(b, at);
			return 0;
		}
	}
	return 1;
}

/* The host of an absolute URL when it is a plain LDH name. */
static int
arf_host(struct td_buf *b, const char *u)
{
	const char *p = strstr(u, "://"), *e, *at;
	size_t n, i;

	if (!p)
		return 0;
	p += 3;
	e = p + strcspn(p, "/?#");
	at = memchr(p, '@', (size_t)(e - p));
	while (at) { /* the last '@' ends the userinfo */
		p = at + 1;
		at = memchr(p, '@', (size_t)(e - p));
	}
	n = strcspn(p, ":/?#");
	if (p + n > e)
		n = (size_t)(e - p);
	if (!n || n > 253)
		return 0;
	for (i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') ||
		      (p[i] >= 'A' && p[i] <= 'Z') ||
		      (p[i] >= '0' && p[i] <= '9') || p[i] == '-' ||
		      p[i] == '.'))
			return 0;
	td_buf_add(b, p, n);
	return 1;
}

/* An IP literal as Source-IP wants it, or 0. */
static int
ip_chars(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++, n++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') ||
		      (*s >= 'A' && *s <= 'F') || *s == ':' || *s == '.'))
			return 0;
	return n >= 2 && n <= 45;
}

/*
 * The message/feedback-report part (RFC 5965 3.1, 3.5): Feedback-Type
 * fraud (7.3: "fraud or phishing activity"), the reporter's software,
 * when the e-mail arrived, the relay that handed it over, and each
 * phishing URL with its host.
 */
static void
arf_feedback(struct td_buf *b, const struct td_draft_input *in)
{
	struct td_buf line = TD_BUF_INIT;
	size_t i, j;

	td_buf_adds(b, "Feedback-Type: fraud\n"
		       "User-Agent: takedown/" TD_VERSION "\n"
		       "Version: 1\n");
	if (in->found.email_date > 0) {
		td_buf_adds(b, "Arrival-Date: ");
		rfc5322_date(b, in->found.email_date);
		td_buf_addch(b, '\n');
	}
	if (ip_chars(in->found.sending_ip))
		td_buf_printf(b, "Source-IP: %s\n", in->found.sending_ip);
	for (i = 0; i < in->nr_urls; i++) {
		const char *u = in->urls[i].normalized ? in->urls[i].normalized
						       : in->urls[i].url;
		int dup = 0;

		td_buf_reset(&line);
		if (!arf_host(&line, u))
			continue;
		for (j = 0; j < i && !dup; j++) {
			struct td_buf o = TD_BUF_INIT;
			const char *v = in->urls[j].normalized
					    ? in->urls[j].normalized
					    : in->urls[j].url;

			dup = arf_host(&o, v) && o.len == line.len &&
			      !strncasecmp(o.ptr, line.ptr, o.len);
			td_buf_release(&o);
		}
		if (!dup && line.ptr)
			td_buf_printf(b, "Reported-Domain: %s\n", line.ptr);
	}
	for (i = 0; i < in->nr_urls; i++) {
		const char *u = in->urls[i].normalized ? in->urls[i].normalized
						       : in->urls[i].url;

		td_buf_reset(&line);
		if (arf_uri(&line, u) && line.ptr)
			td_buf_printf(b, "Reported-URI: %s\n", line.ptr);
	}
	td_buf_release(&line);
}

int
td_draft_compose(struct td_draft *out, const struct td_draft_input *in,
		 const struct td_draft_opts *opts, struct td_error *err)
{
	struct td_buf subject = TD_BUF_INIT, body = TD_BUF_INIT;
	struct td_buf orig = TD_BUF_INIT, xarf = TD_BUF_INIT;
	struct td_buf mid = TD_BUF_INIT, msg = TD_BUF_INIT;
	struct td_buf arf = TD_BUF_INIT;
	struct td_mail_out_part parts[3];
	struct td_mail_out mo;
	char report_id[37] = "";
	long long now = now_of(in);
	int machine = machine_part(in, opts);
	int want_xarf = machine == MACHINE_XARF;
	size_t nr = 0;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = td_draft_render(&subject, &body, in, opts, err);
	if (ret)
		goto out;
	/* the strings to redact go from every part, whatever the template
	   or the attacker's text put in */
	td_draft_redact(&subject, in->redact, in->nr_redact);
	td_draft_redact(&body, in->redact, in->nr_redact);
	if (in->original) {
		td_buf_add(&orig, in->original, in->original_len);
		td_draft_redact(&orig, in->redact, in->nr_redact);
	}
	if (want_xarf) {
		if (td_xarf_uuid4(report_id) < 0) {
			ret = td_error_set(err, TD_EIO, "no random bytes");
			goto out;
		}
		ret =
		    td_xarf_phishing(&xarf, in, in->original ? orig.ptr : NULL,
				     orig.len, report_id, now);
		if (ret) {
			td_error_set(err, ret, "X-ARF: %s", td_strerror(ret));
			goto out;
		}
		td_draft_redact(&xarf, in->redact, in->nr_redact);
	}
	if (machine == MACHINE_ARF) {
		arf_feedback(&arf, in);
		td_draft_redact(&arf, in->redact, in->nr_redact);
	}
	if (message_id(&mid, in) < 0) {
		ret = td_error_set(err, TD_EIO, "no random bytes");
		goto out;
	}
	if (td_buf_failed(&orig) || td_buf_failed(&mid) ||
	    td_buf_failed(&xarf) || td_buf_failed(&arf)) {
		ret = td_error_set(err, TD_ENOMEM, "out of memory");
		goto out;
	}

	parts[nr].kind = TD_MAIL_OUT_TEXT;
	parts[nr].filename = NULL;
	parts[nr].data = body.ptr;
	parts[nr++].len = body.len;
	if (machine == MACHINE_ARF) {
		parts[nr].kind = TD_MAIL_OUT_FEEDBACK;
		parts[nr].filename = NULL;
		parts[nr].data = arf.ptr;
		parts[nr++].len = arf.len;
	}
	if (want_xarf) {
		parts[nr].kind = TD_MAIL_OUT_JSON;
		parts[nr].filename = "xarf.json";
		parts[nr].data = xarf.ptr;
		parts[nr++].len = xarf.len;
	}
	if (in->original) {
		parts[nr].kind = TD_MAIL_OUT_MESSAGE;
		parts[nr].filename = "original.eml";
		parts[nr].data = orig.ptr;
		parts[nr++].len = orig.len;
	}
	memset(&mo, 0, sizeof(mo));
	mo.from_name = in->from->name && *in->from->name ? in->from->name
		       : individual(in->from->org)	 ? NULL
							 : in->from->org;
	mo.from_addr = in->from->email;
	mo.to_name = in->to.name;
	mo.to_addr = in->to.email;
	mo.subject = subject.ptr;
	mo.date = now;
	mo.message_id = mid.ptr;
	mo.parts = parts;
	mo.nr_parts = nr;
	mo.crlf = opts && opts->crlf;
	mo.report_type = machine == MACHINE_ARF ? "feedback-report" : NULL;
	ret = td_mail_write(&msg, &mo, err);
	if (ret)
		goto out;
	out->len = msg.len;
	out->message = td_buf_detach(&msg, NULL);
	out->subject = td_buf_detach(&subject, NULL);
	{
		struct td_buf b = TD_BUF_INIT;

		td_buf_printf(&b, "<%s>", mid.ptr);
		out->message_id = td_buf_detach(&b, NULL);
	}
	out->report_id =
	    want_xarf ? td_strndup(report_id, strlen(report_id)) : NULL;
	if (!out->message || !out->subject || !out->message_id ||
	    (want_xarf && !out->report_id)) {
		td_draft_release(out);
		ret = td_error_set(err, TD_ENOMEM, "out of memory");
	}
out:
	td_buf_release(&subject);
	td_buf_release(&body);
	td_buf_release(&orig);
	td_buf_release(&xarf);
	td_buf_release(&arf);
	td_buf_release(&mid);
	td_buf_release(&msg);
	return ret;
}

void
td_draft_release(struct td_draft *d)
{
	if (!d)
		return;
	free(d->message);
	free(d->subject);
	free(d->message_id);
	free(d->report_id);
	memset(d, 0, sizeof(*d));
}
