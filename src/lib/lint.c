/*
 * Lint for report drafts.  See lint.h; the phrases each content rule
 * looks for are listed in docs/templates.md.  The message is read
 * through the mail module (td_mail_walk), so parts are seen decoded.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "draft.h"
#include "lint.h"
#include "mail.h"
#include "term.h"
#include "banned.h"

const char *const td_lint_rules[] = {"headers",	     "auto-submitted",
				     "line-length",  "identity",
				     "url",	     "how-found",
				     "evidence",     "le-advice",
				     "asks-payment", "asks-access",
				     "offers-fix",   "reveals-identity",
				     "attachment",   NULL};

/* What the walk collected. */
struct seen {
	unsigned depth;		     /* of the message being walked: 1 outer */
	struct td_buf headers;	     /* outer "Name: value\n" lines, decoded */
	struct td_mail_header *hdrs; /* outer header fields (copies) */
	size_t nr_hdrs;
	struct td_buf text;	/* the outer message's own text parts */
	struct td_buf json;	/* an application/json part of the outer */
	struct td_buf attached; /* headers and text of attached messages */
	unsigned has_attached : 1;
	unsigned has_image : 1;
	unsigned oom : 1;
};

static int add_issue(struct td_lint *l, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
add_issue(struct td_lint *l, const char *rule, const char *fmt, ...)
{
	struct td_buf raw = TD_BUF_INIT, safe = TD_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	td_buf_vprintf(&raw, fmt, ap);
	va_end(ap);
	td_term_escape(&safe, raw.ptr, raw.len, 0);
	td_buf_release(&raw);
	if (td_buf_failed(&safe) ||
	    TD_ARRAY_GROW(l->issues, l->nr + 1, l->alloc) < 0) {
		td_buf_release(&safe);
		return TD_ENOMEM;
	}
	l->issues[l->nr].rule = rule;
	l->issues[l->nr].reason = td_buf_detach(&safe, NULL);
	if (!l->issues[l->nr].reason)
		return TD_ENOMEM;
	l->nr++;
	return 0;
}

void
td_lint_release(struct td_lint *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->nr; i++)
		free(l->issues[i].reason);
	free(l->issues);
	memset(l, 0, sizeof(*l));
}

/* ---- the walk -------------------------------------------------------- */

static int
on_message(const struct td_mail_msg *m, void *payload)
{
	struct seen *s = payload;
	size_t i;

	s->depth++;
	if (s->depth == 1) {
		s->hdrs = calloc(m->nr_hdrs ? m->nr_hdrs : 1, sizeof(*s->hdrs));
		if (!s->hdrs) {
			s->oom = 1;
			return TD_ENOMEM;
		}
		for (i = 0; i < m->nr_hdrs; i++) {
			const struct td_mail_header *h = &m->hdrs[i];

			s->hdrs[i].name = td_strndup(h->name, strlen(h->name));
			s->hdrs[i].value =
			    td_strndup(h->value, strlen(h->value));
			s->nr_hdrs++;
			td_buf_printf(&s->headers, "%s: %s\n", h->name,
				      h->decoded ? h->decoded : h->value);
		}
		return 0;
	}
	if (s->depth == 2)
		s->has_attached = 1;
	for (i = 0; i < m->nr_hdrs; i++)
		td_buf_printf(&s->attached, "%s: %s\n", m->hdrs[i].name,
			      m->hdrs[i].decoded ? m->hdrs[i].decoded
						 : m->hdrs[i].value);
	return 0;
}

static void
on_message_end(const struct td_mail_msg *m, void *payload)
{
	struct seen *s = payload;

	s->depth--;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = s ? strlen(s) : 0, k = strlen(suffix);

	return n >= k && !strcasecmp(s + n - k, suffix);
}

static int
on_part(const struct td_mail_part *p, void *payload)
{
	struct seen *s = payload;
	const char *ct = p->content_type;

	if (s->depth >= 2) {
		if (p->text)
			td_buf_add(&s->attached, p->text, p->text_len);
		td_buf_addch(&s->attached, '\n');
		return 0;
	}
	if (!strcmp(ct, "message/rfc822") || !strcmp(ct, "message/global") ||
	    ends_with(p->filename, ".eml") || ends_with(p->filename, ".msg"))
		s->has_attached = 1;
	if (!strncmp(ct, "image/", 6))
		s->has_image = 1;
	if (!strcmp(ct, "application/json")) {
		td_buf_add(&s->json, p->data, p->len);
		td_buf_addch(&s->json, '\n');
		return 0;
	}
	if (p->text && !p->is_attachment &&
	    (!strcmp(ct, "text/plain") || !strcmp(ct, "text/html"))) {
		td_buf_add(&s->text, p->text, p->text_len);
		td_buf_addch(&s->text, '\n');
	}
	return 0;
}

/* ---- helpers --------------------------------------------------------- */

static const char *
find_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	if (!n)
		return NULL;
	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return hay;
	return NULL;
}

static int
contains_ci(const char *hay, const char *needle)
{
	return needle && *needle && find_ci(hay, needle) != NULL;
}

static size_t
header_count(const struct seen *s, const char *name)
{
	size_t i, n = 0;

	for (i = 0; i < s->nr_hdrs; i++)
		if (s->hdrs[i].name && !strcasecmp(s->hdrs[i].name, name))
			n++;
	return n;
}

static const char *
header(const struct seen *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nr_hdrs; i++)
		if (s->hdrs[i].name && !strcasecmp(s->hdrs[i].name, name))
			return s->hdrs[i].value;
	return NULL;
}

/*
 * The report's prose: its text with the words it quotes ("..." on one
 * line: page titles, subjects) and its URLs blanked out, lowercased.
 * The ask and offer rules read this, so a phishing page titled "Claim
 * your reward" does not count as the reporter asking for one.
 */
static void
prose(struct td_buf *out, const char *t)
{
	const char *p = t;

	while (*p) {
		if (*p == '"') {
			const char *q = p + 1;

			while (*q && *q != '"' && *q != '\n')
				q++;
			if (*q == '"') {
				while (p <= q) {
					td_buf_addch(out, ' ');
					p++;
				}
				continue;
			}
		}
		if ((!strncasecmp(p, "http", 4) ||
		     !strncasecmp(p, "hxxp", 4)) &&
		    strstr(p, "://") && strstr(p, "://") - p <= 5) {
			while (*p && *p != ' ' && *p != '\n' && *p != '\t') {
				td_buf_addch(out, ' ');
				p++;
			}
			continue;
		}
		td_buf_addch(out, (*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
		p++;
	}
}

struct word {
	const char *p;
	size_t len;
	unsigned sentence;
};

/* Split prose into words (letters, digits, apostrophes, '-', '.' inside a
   word) with sentence numbers (. ! ? : ; or an empty line end one). */
static size_t
words(struct word **out, const char *t)
{
	struct word *w = NULL;
	size_t nr = 0, alloc = 0;
	unsigned sent = 0;
	const char *p = t;

	while (*p) {
		unsigned char c = (unsigned char)*p;

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c >= 0x80) {
			const char *b = p;

			while (*p && (((unsigned char)*p >= 'a' &&
				       (unsigned char)*p <= 'z') ||
				      (*p >= '0' && *p <= '9') ||
				      (unsigned char)*p >= 0x80 || *p == '\'' ||
				      ((*p == '-' || *p == '.') && p[1] &&
				       p[1] >= 'a' && p[1] <= 'z')))
				p++;
			if (TD_ARRAY_GROW(w, nr + 1, alloc) < 0)
				break;
			w[nr].p = b;
			w[nr].len = (size_t)(p - b);
			w[nr].sentence = sent;
			nr++;
			continue;
		}
		if (c == '.' || c == '!' || c == '?' || c == ';' || c == ':' ||
		    (c == '\n' && p[1] == '\n') || c == '-')
			sent++;
		p++;
	}
	*out = w;
	return nr;
}

static int
is(const struct word *w, const char *s)
{
	return strlen(s) == w->len && !memcmp(w->p, s, w->len);
}

static int
in_list(const struct word *w, const char *const *list)
{
	for (; *list; list++)
		if (is(w, *list))
			return 1;
	return 0;
}

static const char *const negations[] = {"no",	   "not",    "nothing", "never",
					"without", "don't",  "doesn't", "won't",
					"isn't",   "aren't", "cannot",	"can't",
					"neither", "nor",    "free",	NULL};

/* Is word i negated earlier in its sentence? */
static int
negated(const struct word *w, size_t i)
{
	size_t j;

	for (j = i; j-- > 0 && w[j].sentence == w[i].sentence;)
		if (in_list(&w[j], negations))
			return 1;
	return 0;
}

/* asks for payment on their own */
static const char *const payment_always[] = {
    "bounty", "bounties",  "donation", "donations",  "donate",	 "bitcoin",
    "btc",    "paypal.me", "invoice",  "honorarium", "retainer", NULL};
/* ... and these when the reporter speaks of themselves in the sentence
   ("if you made a payment, report it" is advice, "we charge a fee" is
   not) */
static const char *const payment_words[] = {
    "payment",	    "payments", "pay",	   "paid",	   "fee",
    "fees",	    "reward",	"rewards", "compensation", "compensate",
    "remuneration", "charge",	"price",   "cost",	   NULL};
static const char *const first_person[] = {
    "i",    "we",   "me",    "us",  "my",    "our", "i'd",
    "we'd", "i'll", "we'll", "i'm", "we're", NULL};

static int
first_person_near(const struct word *w, size_t nr, size_t i)
{
	size_t j;

	for (j = i; j-- > 0 && w[j].sentence == w[i].sentence;)
		if (in_list(&w[j], first_person))
			return 1;
	for (j = i + 1; j < nr && w[j].sentence == w[i].sentence; j++)
		if (in_list(&w[j], first_person))
			return 1;
	return 0;
}

static const char *const access_verbs[] = {
    "give",	"grant", "send", "provide", "share",  "need", "require",
    "requires", "want",	 "add",	 "make",    "create", NULL};
static const char *const access_targets[] = {
    "access",	 "credentials", "credential", "password",
    "passwords", "login",	"logins",     "ftp",
    "ssh",	 "cpanel",	"admin",      "administrator",
    "account",	 "sftp",	"root",	      NULL};
static const char *const persons[] = {"me", "us", "myself", "ourselves", NULL};

static const char *const subjects[] = {"i",    "we",	"i'd", "we'd",
				       "i'll", "we'll", "i'm", "we're",
				       "i've", "we've", NULL};
static const char *const modals[] = {
    "can",  "could",   "will",	"would",    "shall",	 "happy", "glad",
    "able", "willing", "offer", "offering", "available", "i'd",	  "we'd",
    "i'll", "we'll",   "love",	"like",	    "pleased",	 NULL};
static const char *const fixes[] = {
    "fix",     "clean",	   "cleanup",  "clean-up",  "remove", "repair",
    "restore", "secure",   "patch",    "disinfect", "help",   "assist",
    "harden",  "sanitize", "sanitise", NULL};

/* Records one issue for rule with the words around w[i]. */
static int
quote_issue(struct td_lint *l, const char *rule, const char *what,
	    const struct word *w, size_t nr, size_t i, size_t span)
{
	const char *b = w[i].p;
	const char *e = w[i + span < nr ? i + span : nr - 1].p +
			w[i + span < nr ? i + span : nr - 1].len;
	size_t len = (size_t)(e - b);
	struct td_buf q = TD_BUF_INIT;
	size_t k;
	int ret;

	for (k = 0; k < len && k < 80; k++)
		td_buf_addch(&q, b[k] == '\n' || b[k] == '\t' ? ' ' : b[k]);
	ret = add_issue(l, rule, "%s: \"%s\"", what, q.ptr);
	td_buf_release(&q);
	return ret;
}

static int
check_asks(struct td_lint *l, const char *text)
{
	struct td_buf pr = TD_BUF_INIT;
	struct word *w = NULL;
	size_t nr, i, j;
	int pay = 0, acc = 0, fix = 0, ret = 0;

	prose(&pr, text);
	nr = words(&w, pr.ptr);
	for (i = 0; i < nr && !ret; i++) {
		/* payment, reward: one word, or "in return/exchange" */
		if (!pay &&
		    (in_list(&w[i], payment_always) ||
		     (in_list(&w[i], payment_words) &&
		      first_person_near(w, nr, i)) ||
		     (is(&w[i], "in") && i + 1 < nr &&
		      w[i + 1].sentence == w[i].sentence &&
		      (is(&w[i + 1], "return") ||
		       is(&w[i + 1], "exchange")))) &&
		    !negated(w, i)) {
			pay = 1;
			ret = quote_issue(l, "asks-payment",
					  "asks for something in return", w, nr,
					  i, 3);
		}
		/* "give/send/provide (...) me/us (...) access/password" */
		if (!acc && !ret && in_list(&w[i], access_verbs) &&
		    !negated(w, i)) {
			int person = 0;

			for (j = i + 1; j < nr && j <= i + 6 &&
					w[j].sentence == w[i].sentence;
			     j++) {
				if (in_list(&w[j], persons))
					person = 1;
				if (person && in_list(&w[j], access_targets)) {
					acc = 1;
					ret = quote_issue(l, "asks-access",
							  "asks for access", w,
							  nr, i, j - i);
					break;
				}
			}
		}
		/* "I/we can/could/would be happy to ... fix/clean/help" */
		if (!fix && !ret && in_list(&w[i], subjects) &&
		    !negated(w, i)) {
			int modal = is(&w[i], "i'd") || is(&w[i], "we'd") ||
				    is(&w[i], "i'll") || is(&w[i], "we'll");

			for (j = i + 1; j < nr && j <= i + 7 &&
					w[j].sentence == w[i].sentence;
			     j++) {
				if (in_list(&w[j], negations))
					break;
				if (in_list(&w[j], modals))
					modal = 1;
				if (modal && in_list(&w[j], fixes)) {
					fix = 1;
					ret = quote_issue(l, "offers-fix",
							  "offers to fix or "
							  "clean up",
							  w, nr, i, j - i);
					break;
				}
			}
		}
		/* "let me fix", "hire me", "my services" */
		if (!fix && !ret &&
		    ((is(&w[i], "let") && i + 2 < nr &&
		      in_list(&w[i + 1], persons) &&
		      in_list(&w[i + 2], fixes)) ||
		     (is(&w[i], "hire") && i + 1 < nr &&
		      in_list(&w[i + 1], persons)) ||
		     ((is(&w[i], "my") || is(&w[i], "our")) && i + 1 < nr &&
		      is(&w[i + 1], "services")))) {
			fix = 1;
			ret = quote_issue(l, "offers-fix",
					  "offers to fix or clean up", w, nr, i,
					  2);
		}
	}
	free(w);
	td_buf_release(&pr);
	return ret;
}

/* A line that says the URL came by e-mail: the attachment is owed. */
static int
says_email(const char *text)
{
	static const char *const came[] = {"received",	"arrived",   "was sent",
					   "were sent", "forwarded", NULL};
	const char *p = text;

	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		char line[512];
		size_t k;

		snprintf(line, sizeof(line), "%.*s", (int)(n < 511 ? n : 511),
			 p);
		for (k = 0; came[k]; k++)
			if (contains_ci(line, came[k]) &&
			    (contains_ci(line, "e-mail") ||
			     contains_ci(line, "email")))
				return 1;
		p += n;
		if (*p)
			p++;
	}
	return 0;
}

static int
has_sha256(const char *t)
{
	size_t run = 0;

	for (; *t; t++) {
		int hex = (*t >= '0' && *t <= '9') ||
			  (*t >= 'a' && *t <= 'f') || (*t >= 'A' && *t <= 'F');

		run = hex ? run + 1 : 0;
		if (run == 64 && !((t[1] >= '0' && t[1] <= '9') ||
				   (t[1] >= 'a' && t[1] <= 'f') ||
				   (t[1] >= 'A' && t[1] <= 'F')))
			return 1;
	}
	return 0;
}

static int
has_url(const char *t)
{
	static const char *const schemes[] = {"http://", "https://", "hxxp://",
					      "hxxps://", NULL};
	size_t k;

	for (k = 0; schemes[k]; k++) {
		const char *p = find_ci(t, schemes[k]);

		if (p && p[strlen(schemes[k])] &&
		    p[strlen(schemes[k])] != ' ' &&
		    p[strlen(schemes[k])] != '\n')
			return 1;
	}
	return 0;
}

/* The forms a body may show a URL in: as is, %-encoded as a draft
   writes it, with the personal strings redacted. */
static int
url_present(const char *text, const char *url, char *const *red, size_t nr)
{
	struct td_buf a = TD_BUF_INIT;
	const unsigned char *p;
	int found;

	if (strstr(text, url))
		return 1;
	for (p = (const unsigned char *)url; *p; p++) {
		if (*p > 0x20 && *p < 0x7f)
			td_buf_addch(&a, *p);
		else
			td_buf_printf(&a, "%%%02X", *p);
	}
	found = strstr(text, a.ptr) != NULL;
	if (!found && nr) {
		td_draft_redact(&a, red, nr);
		found = strstr(text, a.ptr) != NULL;
	}
	td_buf_release(&a);
	return found;
}

/* Does any form of a personal string occur in data? */
static int
reveals(const char *data, size_t len, const char *personal)
{
	struct td_buf b = TD_BUF_INIT;
	char *one[1];
	int changed;

	one[0] = (char *)personal;
	td_buf_add(&b, data, len);
	td_draft_redact(&b, one, 1);
	changed = b.len == len && memcmp(b.ptr, data, len) != 0;
	td_buf_release(&b);
	return changed;
}

static int
check_headers(struct td_lint *l, const struct seen *s, const char *msg,
	      size_t len)
{
	static const char *const once[] = {"From", "To",	 "Subject",
					   "Date", "Message-ID", NULL};
	const char *v;
	size_t k, n, i;
	int ret = 0;

	for (k = 0; once[k] && !ret; k++) {
		n = header_count(s, once[k]);
		if (n == 0)
			ret = add_issue(l, "headers", "no %s field", once[k]);
		else if (n > 1)
			ret = add_issue(l, "headers",
					"%zu %s fields (RFC 5322 3.6: one)", n,
					once[k]);
	}
	for (k = 0; k < 2 && !ret; k++) {
		struct td_mail_addr *a;
		size_t na, good = 0;

		v = header(s, k ? "To" : "From");
		if (!v)
			continue;
		if (td_mail_addrs_parse(&a, &na, v) < 0)
			return TD_ENOMEM;
		for (i = 0; i < na; i++)
			if (a[i].addr && strchr(a[i].addr, '@'))
				good++;
		td_mail_addrs_free(a, na);
		if (!good)
			ret = add_issue(l, "headers", "%s holds no address",
					k ? "To" : "From");
	}
	if (!ret && (v = header(s, "Date"))) {
		long long t;

		if (td_mail_date_parse(&t, v) < 0)
			ret = add_issue(l, "headers",
					"Date does not parse (RFC 5322 3.3)");
	}
	if (!ret && (v = header(s, "Message-ID"))) {
		const char *lt = strchr(v, '<'), *at = strchr(v, '@'),
			   *gt = strchr(v, '>');

		if (!lt || !at || !gt || !(lt < at && at < gt))
			ret = add_issue(l, "headers",
					"Message-ID is not <id@domain> (RFC "
					"5322 3.6.4)");
	}
	/* the header section itself: no NUL, no CR outside CRLF */
	for (i = 0; i < len && !ret; i++) {
		if (msg[i] == '\n' &&
		    (i + 1 >= len || msg[i + 1] == '\n' ||
		     (msg[i + 1] == '\r' && i + 2 < len && msg[i + 2] == '\n')))
			break;
		if (!msg[i] ||
		    (msg[i] == '\r' && (i + 1 >= len || msg[i + 1] != '\n')))
			ret = add_issue(l, "headers",
					"a NUL or bare CR in the header "
					"(RFC 5322 2.2)");
	}
	if (!ret && header_count(s, "Auto-Submitted"))
		ret = add_issue(l, "auto-submitted",
				"Auto-Submitted is set (RFC 3834 5: readers "
				"then send no acknowledgement)");
	if (!ret) {
		size_t line = 1, col = 0;

		for (i = 0; i < len; i++) {
			if (msg[i] == '\n') {
				line++;
				col = 0;
			} else if (msg[i] != '\r' && ++col == 999) {
				ret = add_issue(l, "line-length",
						"line %zu is longer than 998 "
						"octets (RFC 5322 2.1.1)",
						line);
				break;
			}
		}
	}
	return ret;
}

static int
check_identity(struct td_lint *l, const struct seen *s,
	       const struct td_lint_opts *o)
{
	size_t i;

	if (o->nr_reporter) {
		for (i = 0; i < o->nr_reporter; i++)
			if (!contains_ci(s->text.ptr, o->reporter[i]))
				return add_issue(l, "identity",
						 "the text does not name the "
						 "reporter (\"%s\")",
						 o->reporter[i]);
		return 0;
	} else {
		struct td_mail_addr *a = NULL;
		size_t na = 0;
		const char *v = header(s, "From");
		int ret = 0;

		if (!v)
			return add_issue(l, "identity",
					 "no From: the reporter is unknown");
		if (td_mail_addrs_parse(&a, &na, v) < 0)
			return TD_ENOMEM;
		if (!na || !a[0].addr)
			ret = add_issue(l, "identity",
					"From holds no reporter address");
		else if (!contains_ci(s->text.ptr, a[0].addr))
			ret = add_issue(l, "identity",
					"the text does not give the reporter's "
					"address %s",
					a[0].addr);
		else if (a[0].name && !contains_ci(s->text.ptr, a[0].name))
			ret = add_issue(l, "identity",
					"the text does not name the reporter "
					"(\"%s\")",
					a[0].name);
		td_mail_addrs_free(a, na);
		return ret;
	}
}

static int
check_content(struct td_lint *l, const struct seen *s,
	      const struct td_lint_opts *o)
{
	static const char *const how[] = {
	    "found",	   "received",	"discovered", "spotted", "came across",
	    "reported to", "was sent",	"were sent",  "seen",	 "noticed",
	    "detected",	   "forwarded", NULL};
	static const char *const le[] = {"law enforcement", "police",
					 "cybercrime",	    "cyber crime",
					 "prosecutor",	    NULL};
	const char *t = s->text.ptr;
	size_t i;
	int ret = 0, ok;

	if ((ret = check_identity(l, s, o)))
		return ret;
	if (o->nr_urls) {
		for (i = 0; i < o->nr_urls && !ret; i++)
			if (!url_present(t, o->urls[i], o->personal,
					 o->malicious ? o->nr_personal : 0))
				ret = add_issue(l, "url",
						"the exact URL is not in the "
						"text: %.200s",
						o->urls[i]);
	} else if (!has_url(t)) {
		ret = add_issue(l, "url", "the text holds no URL");
	}
	for (ok = 0, i = 0; how[i] && !ok; i++)
		ok = contains_ci(t, how[i]);
	if (!ret && !ok)
		ret = add_issue(l, "how-found",
				"the text does not say how the site was found");
	if (!ret && !has_sha256(t) &&
	    !(s->json.len && strstr(s->json.ptr, "\"evidence\":[{")) &&
	    !s->has_image)
		ret = add_issue(l, "evidence",
				"no evidence: no SHA-256 in the text, no X-ARF "
				"evidence, no image attached");
	for (ok = 0, i = 0; le[i] && !ok; i++)
		ok = contains_ci(t, le[i]);
	if (!ret && !ok)
		ret = add_issue(l, "le-advice",
				"no advice to contact law enforcement");
	if (!ret)
		ret = check_asks(l, t);
	return ret;
}

static int
check_privacy(struct td_lint *l, const struct seen *s, const char *msg,
	      size_t len, const struct td_lint_opts *o)
{
	size_t i;

	if (!o->malicious)
		return 0;
	for (i = 0; i < o->nr_personal; i++) {
		const char *p = o->personal[i];
		const char *where = NULL;

		if (!p || strlen(p) < 3)
			continue;
		if (reveals(s->headers.ptr, s->headers.len, p))
			where = "a header";
		else if (reveals(s->text.ptr, s->text.len, p))
			where = "the text";
		else if (reveals(s->json.ptr, s->json.len, p))
			where = "the X-ARF part";
		else if (reveals(s->attached.ptr, s->attached.len, p))
			where = "the attached e-mail";
		else if (reveals(msg, len, p))
			where = "the raw message";
		if (where)
			return add_issue(l, "reveals-identity",
					 "malicious case: %s shows \"%s\"",
					 where, p);
	}
	return 0;
}

int
td_lint_check(struct td_lint *out, const char *msg, size_t len,
	      const struct td_lint_opts *opts, struct td_error *err)
{
	static const struct td_lint_opts none = {0};
	static const struct td_mail_cb cb = {on_message, on_part,
					     on_message_end, NULL};
	const struct td_lint_opts *o = opts ? opts : &none;
	struct seen s;
	size_t i;
	int ret;

	memset(out, 0, sizeof(*out));
	memset(&s, 0, sizeof(s));
	td_buf_init(&s.headers, 0);
	td_buf_init(&s.text, 0);
	td_buf_init(&s.json, 0);
	td_buf_init(&s.attached, 0);
	ret = td_mail_walk(msg, len, NULL, &cb, &s, err);
	if (ret == TD_EPARSE)
		goto out;
	if (ret || s.oom || td_buf_failed(&s.headers) ||
	    td_buf_failed(&s.text) || td_buf_failed(&s.json) ||
	    td_buf_failed(&s.attached)) {
		ret = td_error_set(err, TD_ENOMEM, "out of memory");
		goto out;
	}
	if ((ret = check_headers(out, &s, msg, len)))
		goto out;
	if ((ret = check_content(out, &s, o)))
		goto out;
	if ((ret = check_privacy(out, &s, msg, len, o)))
		goto out;
	if (o->attachment != TD_LINT_ATTACH_NONE && !s.has_attached &&
	    (o->attachment == TD_LINT_ATTACH_REQUIRED ||
	     says_email(s.text.ptr)))
		ret = add_issue(out, "attachment",
				"the phishing e-mail is not attached (as "
				"message/rfc822)");
out:
	if (ret == TD_ENOMEM)
		td_error_set(err, TD_ENOMEM, "out of memory");
	if (ret)
		td_lint_release(out);
	for (i = 0; i < s.nr_hdrs; i++) {
		free(s.hdrs[i].name);
		free(s.hdrs[i].value);
	}
	free(s.hdrs);
	td_buf_release(&s.headers);
	td_buf_release(&s.text);
	td_buf_release(&s.json);
	td_buf_release(&s.attached);
	return ret;
}
