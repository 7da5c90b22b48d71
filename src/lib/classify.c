/*
 * Compromised or malicious: a score from weighted facts.  Weights and
 * thresholds are in docs/internals/classify.md; every fact that counted is
 * kept as a reason, so the verdict can be checked and overridden.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "classify.h"
#include "banned.h"

#define DAY 86400LL

/*
 * Brands phishing pages most often imitate (APWG and vendor trend reports
 * name these year after year) and words lures put in host names.  Matched
 * as substrings of the registrable domain's first label.
 */
static const char *const brands[] = {
    "paypal",	 "apple",     "icloud",	  "microsoft", "office365",
    "outlook",	 "hotmail",   "onedrive", "sharepoint", "amazon",
    "netflix",	 "facebook",  "instagram", "whatsapp", "google",
    "gmail",	 "chase",     "wellsfargo", "bankofamerica", "citibank",
    "hsbc",	 "barclays",  "santander", "dhl",	   "fedex",
    "usps",	 "docusign",  "dropbox",  "adobe",	   "coinbase",
    "binance",	 "metamask",  "ledger",	  "trezor",	   "blockchain",
    "steam",	 "roblox",    "linkedin", "yahoo",	   "webmail",
    "americanexpress", "amex", "mastercard", "visa",	   "booking",
    "airbnb",	 "ebay",      "spotify",  "telegram",  "discord",
    NULL,
};

static const char *const lures[] = {
    "login",	"signin", "sign-in", "logon",	   "secure",  "verify",
    "verification", "account", "update", "confirm", "support", "auth",
    "wallet",	"recovery", "unlock", "billing",  "invoice", "payment",
    "portal",	"helpdesk", "alert",  "suspend",  "validate", "refund",
    "reward",	NULL,
};

/* Folders of content systems where a kit is dropped into a real site. */
static const char *const cms_dirs[] = {
    "/wp-content/", "/wp-includes/", "/wp-admin/", "/administrator/",
    "/components/", "/modules/",     "/sites/default/files/",
    "/includes/",   "/cgi-bin/",     "/.well-known/", "/vendor/",
    "/assets/",	    "/images/",	     "/uploads/",     "/media/",
    "/templates/",  "/plugins/",     "/themes/",      NULL,
};

const char *
td_case_kind_name(enum td_case_kind k)
{
	switch (k) {
	case TD_KIND_COMPROMISED:
		return "compromised";
	case TD_KIND_MALICIOUS:
		return "malicious";
	case TD_KIND_UNKNOWN:
		break;
	}
	return "unknown";
}

static void
reason(struct td_classify_out *out, int weight, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
reason(struct td_classify_out *out, int weight, const char *fmt, ...)
{
	char text[140];
	va_list ap;

	out->score += weight;
	if (out->nr_reasons >= TD_CLASSIFY_MAX_REASONS)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	snprintf(out->reasons[out->nr_reasons++],
		 sizeof(out->reasons[0]), "%+d %s", weight, text);
}

/* First label of domain, lowercase ASCII, at most size-1 bytes. */
static void
first_label(char *dst, size_t size, const char *domain)
{
	size_t i;

	for (i = 0; domain && domain[i] && domain[i] != '.' && i + 1 < size;
	     i++)
		dst[i] = domain[i];
	dst[i] = '\0';
}

static const char *
find_word(const char *label, const char *const *words)
{
	size_t i;

	for (i = 0; words[i]; i++)
		if (strstr(label, words[i]))
			return words[i];
	return NULL;
}

/* Number of non-empty path segments. */
static int
depth(const char *path)
{
	int n = 0;
	const char *p;

	for (p = path; p && *p && *p != '?' && *p != '#'; p++)
		if (*p == '/' && p[1] && p[1] != '/' && p[1] != '?' &&
		    p[1] != '#')
			n++;
	return n;
}

void
td_classify(const struct td_classify_in *in, struct td_classify_out *out)
{
	char label[64];
	const char *brand, *lure;
	size_t i;
	int d, hyphens = 0;

	memset(out, 0, sizeof(*out));
	/*
	 * On a platform the registrable domain is the platform's: its age
	 * and name say nothing of the site.  The name the customer chose is
	 * the host's first label.
	 */
	first_label(label, sizeof(label), in->platform ? in->host : in->domain);
	for (i = 0; label[i]; i++)
		hyphens += label[i] == '-';

	/* age of the registration */
	if (!in->platform && in->created >= 0 && in->now >= in->created) {
		long long days = (in->now - in->created) / DAY;

		if (days < 30)
			reason(out, 4, "registered %lld days ago", days);
		else if (days < 180)
			reason(out, 2, "registered %lld days ago", days);
		else if (days >= 730)
			reason(out, -3, "registered %lld years ago",
			       days / 365);
		else if (days >= 365)
			reason(out, -2, "registered over a year ago");
	}

	/* the name */
	brand = find_word(label, brands);
	lure = find_word(label, lures);
	if (brand && strcmp(label, brand))
		reason(out, 3, "the name holds the brand \"%s\"", brand);
	if (lure)
		reason(out, 2, "the name holds the lure word \"%s\"", lure);
	if (!brand && !lure && label[0])
		reason(out, -1, "the name is unrelated to brands or lures");
	if (hyphens >= 2)
		reason(out, 1, "the name has %d hyphens", hyphens);
	if (in->homograph)
		reason(out, 3, "the host name mixes scripts (homograph)");

	/* where the page sits */
	if (in->platform)
		reason(out, 3, "a site on %s: the account is the attacker's",
		       in->platform);
	d = depth(in->path);
	for (i = 0; cms_dirs[i]; i++)
		if (in->path && strstr(in->path, cms_dirs[i]))
			break;
	if (cms_dirs[i])
		reason(out, -2, "the page is deep in a site folder (%s)",
		       cms_dirs[i]);
	else if (d >= 3)
		reason(out, -1, "the page is %d folders deep", d);
	else if (d <= 1)
		reason(out, 1, "the page is at the top of the site");
	if (in->home_page_ok == 1)
		reason(out, -2, "the home page is another, working site%s%.60s%s",
		       in->home_title ? " (\"" : "",
		       in->home_title ? in->home_title : "",
		       in->home_title ? "\")" : "");
	else if (in->home_page_ok == 0)
		reason(out, 1, "the home page is missing or the phish itself");

	if (out->score >= 2)
		out->kind = TD_KIND_MALICIOUS;
	else if (out->score <= -3)
		out->kind = TD_KIND_COMPROMISED;
	else
		out->kind = TD_KIND_UNKNOWN;
}
