/*
 * Text helpers shared by the WHOIS and RDAP parsers: dates as registries
 * write them, and contact values that are placeholders rather than ways to
 * reach someone.  The lists and the choices are in docs/internals/whois.md.
 */
#include <stdio.h>
#include <string.h>

#include "record.h"
#include "banned.h"

/* ---- dates ---- */

enum { TK_NUM, TK_WORD };

struct dtok {
	int type;
	int nd;	    /* digits (TK_NUM) */
	long v;	    /* value (TK_NUM), capped */
	char w[12]; /* lowercase word (TK_WORD), truncated */
	char sep;   /* the last punctuation before the token, ' ' if none */
	int spaced; /* white space before the token */
};

#define DT_MAX 32

static int
tokenize(struct dtok *t, const char *s)
{
	int n = 0;
	char sep = ' ';
	int spaced = 0;
	size_t k = 0;

	while (s[k] && k < 256 && n < DT_MAX) {
		unsigned char c = (unsigned char)s[k];

		if (c >= '0' && c <= '9') {
			struct dtok *d = &t[n++];

			memset(d, 0, sizeof(*d));
			d->type = TK_NUM;
			d->sep = sep;
			d->spaced = spaced;
			while (s[k] >= '0' && s[k] <= '9') {
				if (d->nd < 15)
					d->v = d->v * 10 + (s[k] - '0');
				d->nd++;
				k++;
			}
			sep = ' ';
			spaced = 0;
		} else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') {
			struct dtok *d = &t[n++];
			size_t wl = 0;

			memset(d, 0, sizeof(*d));
			d->type = TK_WORD;
			d->sep = sep;
			d->spaced = spaced;
			while (((unsigned char)s[k] | 0x20) >= 'a' &&
			       ((unsigned char)s[k] | 0x20) <= 'z') {
				if (wl + 1 < sizeof(d->w))
					d->w[wl++] = (char)(s[k] | 0x20);
				k++;
			}
			d->w[wl] = '\0';
			sep = ' ';
			spaced = 0;
		} else {
			if (c == ' ' || c == '\t')
				spaced = 1;
			else
				sep = (char)c;
			k++;
		}
	}
	return n;
}

static int
month_word(const char *w)
{
	/* clang-format off */
	static const char *const m[] = {
	    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
	    "oct", "nov", "dec",};
	/* clang-format on */
	int i;

	if (strlen(w) < 3)
		return 0;
	for (i = 0; i < 12; i++)
		if (!strncmp(w, m[i], 3))
			return i + 1;
	/* Spanish, French, German, Dutch forms that differ in three letters */
	if (!strncmp(w, "ene", 3))
		return 1;
	if (!strncmp(w, "fev", 3))
		return 2;
	if (!strncmp(w, "abr", 3) || !strncmp(w, "avr", 3))
		return 4;
	if (!strncmp(w, "mai", 3) || !strncmp(w, "mei", 3))
		return 5;
	if (!strncmp(w, "ago", 3))
		return 8;
	if (!strncmp(w, "set", 3))
		return 9;
	if (!strncmp(w, "okt", 3))
		return 10;
	if (!strncmp(w, "dic", 3) || !strncmp(w, "dez", 3))
		return 12;
	return 0;
}

static int
weekday_word(const char *w)
{
	/* clang-format off */
	static const char *const d[] = {
	    "mon", "tue", "wed", "thu", "fri", "sat", "sun",};
	/* clang-format on */
	int i;

	for (i = 0; i < 7; i++)
		if (!strncmp(w, d[i], 3))
			return 1;
	return 0;
}

/*
 * Zone abbreviations, in minutes east of UTC.  CST is US Central (-6), as
 * Go's time package reads it, although a few Chinese servers mean +8.
 */
static int
zone_word(const char *w, int *off)
{
	static const struct {
		const char *name;
		int min;
	} z[] = {
	    {"z", 0},	   {"utc", 0},	  {"gmt", 0},	  {"ut", 0},
	    {"wet", 0},	   {"bst", 60},	  {"cet", 60},	  {"met", 60},
	    {"wat", 60},   {"west", 60},  {"cest", 120},  {"mest", 120},
	    {"eet", 120},  {"sast", 120}, {"cat", 120},	  {"eest", 180},
	    {"msk", 180},  {"eat", 180},  {"ast", 180},	  {"irst", 210},
	    {"gst", 240},  {"pkt", 300},  {"ist", 330},	  {"npt", 345},
	    {"ict", 420},  {"wib", 420},  {"hkt", 480},	  {"awst", 480},
	    {"sgt", 480},  {"myt", 480},  {"pht", 480},	  {"jst", 540},
	    {"kst", 540},  {"aest", 600}, {"acst", 570},  {"aedt", 660},
	    {"nzst", 720}, {"nzdt", 780}, {"est", -300},  {"edt", -240},
	    {"cst", -360}, {"cdt", -300}, {"mst", -420},  {"mdt", -360},
	    {"pst", -480}, {"pdt", -420}, {"akst", -540}, {"akdt", -480},
	    {"hst", -600}, {"brt", -180}, {"brst", -120}, {"art", -180},
	    {"clt", -240}, {"vet", -240},
	};
	size_t i;

	for (i = 0; i < sizeof(z) / sizeof(z[0]); i++)
		if (!strcmp(w, z[i].name)) {
			*off = z[i].min;
			return 1;
		}
	return 0;
}

static int
ordinal(const char *w)
{
	return !strcmp(w, "st") || !strcmp(w, "nd") || !strcmp(w, "rd") ||
	       !strcmp(w, "th");
}

static int
leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
mdays(long y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && leap(y) ? 29 : d[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static long
days_from_civil(long y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(long z, long *y, int *m, int *d)
{
	long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static long
year2(const struct dtok *t)
{
	if (t->nd == 4)
		return t->v;
	if (t->nd == 2)
		return t->v < 70 ? 2000 + t->v : 1900 + t->v;
	return -1;
}

/* A time "H:M[:S][.frac] [am|pm]" at t[*i]; advances *i. */
static int
parse_time(const struct dtok *t, int n, int *i, int *hh, int *mi, int *ss)
{
	int k = *i;

	if (k + 1 >= n || t[k].type != TK_NUM || t[k].nd > 2 ||
	    t[k + 1].type != TK_NUM || t[k + 1].sep != ':' || t[k + 1].nd != 2)
		return 0;
	*hh = (int)t[k].v;
	*mi = (int)t[k + 1].v;
	*ss = 0;
	k += 2;
	if (k < n && t[k].type == TK_NUM && t[k].sep == ':' && t[k].nd == 2)
		*ss = (int)t[k++].v;
	if (k < n && t[k].type == TK_NUM &&
	    (t[k].sep == '.' || t[k].sep == ',') && !t[k].spaced)
		k++; /* fraction of a second: dropped */
	if (k < n && t[k].type == TK_WORD) {
		if (!strcmp(t[k].w, "pm") && *hh < 12) {
			*hh += 12;
			k++;
		} else if (!strcmp(t[k].w, "am")) {
			if (*hh == 12)
				*hh = 0;
			k++;
		}
	}
	*i = k;
	return 1;
}

/* A numeric offset at t[*i] ("+0200", "-07:00", "+3", "+5:30"). */
static int
parse_offset(const struct dtok *t, int n, int *i, int *off)
{
	int k = *i, sign, h, m = 0;

	if (k >= n || t[k].type != TK_NUM ||
	    (t[k].sep != '+' && t[k].sep != '-'))
		return 0;
	sign = t[k].sep == '-' ? -1 : 1;
	if (t[k].nd == 4) {
		h = (int)(t[k].v / 100);
		m = (int)(t[k].v % 100);
		k++;
	} else if (t[k].nd <= 2) {
		h = (int)t[k].v;
		k++;
		if (k < n && t[k].type == TK_NUM && t[k].sep == ':' &&
		    t[k].nd == 2)
			m = (int)t[k++].v;
	} else {
		return 0;
	}
	if (h > 14 || m > 59)
		return 0;
	*off = sign * (h * 60 + m);
	*i = k;
	return 1;
}

/* Zone after a time: "Z", "UTC", "+02:00", "(UTC+8)", "GMT+0:00", "JST". */
static void
parse_zone(const struct dtok *t, int n, int *i, int *off)
{
	int k = *i, base;

	if (parse_offset(t, n, &k, off)) {
		*i = k;
		return;
	}
	if (k < n && t[k].type == TK_WORD && zone_word(t[k].w, &base)) {
		int extra = 0;

		k++;
		if ((!strcmp(t[k - 1].w, "utc") ||
		     !strcmp(t[k - 1].w, "gmt")) &&
		    parse_offset(t, n, &k, &extra))
			base = extra;
		*off = base;
		*i = k;
	}
}

static int
valid(long y, int mo, int d, int h, int mi, int s)
{
	if (y < 1000 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays(y, mo))
		return 0;
	if (h < 0 || h > 24 || mi > 59 || s > 60 || (h == 24 && (mi || s)))
		return 0;
	return 1;
}

int
td_record_date(char *out, size_t size, const char *value)
{
	struct dtok t[DT_MAX];
	int n, i = 0, mo = 0, d = 0, hh = 0, mi = 0, ss = 0, off = 0;
	int have_time = 0, before = 0;
	long y = -1, days, secs;

	if (!out || size < 21 || !value)
		return TD_EPARSE;
	out[0] = '\0';
	n = tokenize(t, value);
	/* "before Aug-1996" (Nominet), "on 2006-01-02" */
	while (i < n && t[i].type == TK_WORD &&
	       (!strcmp(t[i].w, "before") || !strcmp(t[i].w, "on") ||
		!strcmp(t[i].w, "since") || weekday_word(t[i].w))) {
		if (!strcmp(t[i].w, "before"))
			before = 1;
		i++;
	}
	if (i >= n)
		return TD_EPARSE;
	/* "Before 2001": the year's first day, as for "before Aug-1996" */
	if (before && i + 1 == n && t[i].type == TK_NUM && t[i].nd == 4) {
		y = t[i].v;
		mo = d = 1;
		i++;
		goto done;
	}

	if (t[i].type == TK_NUM && t[i].nd == 4 && i + 1 < n) {
		/* 2006-01-02, 2006.01.02, 2006/01/02, "2012. 05. 19." */
		y = t[i].v;
		if (t[i + 1].type == TK_NUM && t[i + 1].nd <= 2)
			mo = (int)t[i + 1].v;
		else if (t[i + 1].type == TK_WORD)
			mo = month_word(t[i + 1].w);
		if (!mo)
			return TD_EPARSE;
		if (i + 2 < n && t[i + 2].type == TK_NUM && t[i + 2].nd <= 2) {
			d = (int)t[i + 2].v;
			i += 3;
		} else {
			d = 1; /* "1996-08": the month */
			i += 2;
		}
	} else if (t[i].type == TK_NUM &&
		   (t[i].nd == 8 || t[i].nd == 12 || t[i].nd == 14)) {
		/* 20060102 (.br, LACNIC, RADB), 20060102150405 */
		long v = t[i].v;

		if (t[i].nd == 14) {
			ss = (int)(v % 100), v /= 100;
			mi = (int)(v % 100), v /= 100;
			hh = (int)(v % 100), v /= 100;
			have_time = 1;
		} else if (t[i].nd == 12) {
			mi = (int)(v % 100), v /= 100;
			hh = (int)(v % 100), v /= 100;
			have_time = 1;
		}
		d = (int)(v % 100), v /= 100;
		mo = (int)(v % 100), v /= 100;
		y = v;
		i++;
	} else if (t[i].type == TK_NUM && t[i].nd <= 2 && i + 3 < n &&
		   t[i + 1].type == TK_WORD && ordinal(t[i + 1].w) &&
		   t[i + 2].type == TK_WORD && t[i + 3].type == TK_NUM &&
		   t[i + 3].nd == 4) {
		/* "30th April 2003" (CIDR .gg/.je/.as, JANET) */
		d = (int)t[i].v;
		mo = month_word(t[i + 2].w);
		y = t[i + 3].v;
		if (!mo)
			return TD_EPARSE;
		i += 4;
	} else if (t[i].type == TK_NUM && t[i].nd <= 2 && i + 2 < n &&
		   t[i + 2].type == TK_NUM &&
		   (t[i + 2].nd == 4 || t[i + 2].nd == 2)) {
		if (t[i + 1].type == TK_WORD) {
			/* 02-Jan-2006, 02-jan-2006, "31 May 1999" */
			d = (int)t[i].v;
			mo = month_word(t[i + 1].w);
		} else if (t[i + 1].type == TK_NUM && t[i + 1].nd <= 2) {
			/*
			 * Numeric day and month: day first (02.01.2006,
			 * 02/01/2006 AFNIC, 02-01-2006 HKIRC) unless that
			 * cannot be; month-first registries are turned
			 * around by their parser before they get here.
			 */
			long a = t[i].v, b = t[i + 1].v;

			if (a > 12 && b <= 12)
				d = (int)a, mo = (int)b;
			else if (b > 12 && a <= 12)
				d = (int)b, mo = (int)a;
			else
				d = (int)a, mo = (int)b;
		}
		y = year2(&t[i + 2]);
		if (!mo || y < 0)
			return TD_EPARSE;
		i += 3;
	} else if (t[i].type == TK_WORD && month_word(t[i].w)) {
		/*
		 * "January 2 2006", "Jan 2, 2006", "Aug-1996" (Nominet
		 * "before Aug-1996"), ctime "Jan 2 15:04:05 MST 2006".
		 */
		mo = month_word(t[i].w);
		i++;
		if (i < n && t[i].type == TK_NUM && t[i].nd == 4) {
			y = t[i++].v;
			d = 1;
		} else if (i < n && t[i].type == TK_NUM && t[i].nd <= 2) {
			d = (int)t[i++].v;
			if (i < n && t[i].type == TK_WORD && ordinal(t[i].w))
				i++;
			if (parse_time(t, n, &i, &hh, &mi, &ss)) {
				have_time = 1;
				parse_zone(t, n, &i, &off);
			}
			if (i < n && t[i].type == TK_NUM && t[i].nd == 4)
				y = t[i++].v;
			else
				return TD_EPARSE;
		} else {
			return TD_EPARSE;
		}
	} else {
		return TD_EPARSE;
	}

	if (!have_time && i < n) {
		int k = i;

		/* "T" between date and time, also "2001-06-14-T10:32:43Z";
		   "30th April 2003 at 00:00:00.000" */
		if (t[k].type == TK_WORD &&
		    (!strcmp(t[k].w, "t") || !strcmp(t[k].w, "at")))
			k++;
		if (k < n && t[k].type == TK_NUM &&
		    (t[k].sep == ' ' || k > i) &&
		    parse_time(t, n, &k, &hh, &mi, &ss)) {
			have_time = 1;
			i = k;
			parse_zone(t, n, &i, &off);
		}
	}
done:
	if (!valid(y, mo, d, hh, mi, ss))
		return TD_EPARSE;
	if (ss == 60)
		ss = 59;
	days = days_from_civil(y, mo, d);
	secs = days * 86400L + hh * 3600L + mi * 60L + ss - off * 60L;
	days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	secs -= days * 86400;
	civil_from_days(days, &y, &mo, &d);
	if (y < 1000 || y > 9999)
		return TD_EPARSE;
	snprintf(out, size, "%04ld-%02d-%02dT%02ld:%02ld:%02ldZ", y, mo, d,
		 secs / 3600, secs / 60 % 60, secs % 60);
	return 0;
}

/* ---- placeholders ---- */

/*
 * Texts that stand where a contact value was taken out.  Matched as
 * substrings of the lowercased value with white space collapsed.  Where
 * each was seen is listed in docs/internals/whois.md.
 */
static const char *const redacted_texts[] = {
    "redacted",		 /* ICANN "REDACTED FOR PRIVACY", RFC 9537 */
    "not disclosed",	 /* .ee, .fr "<data not disclosed>" */
    "data protected",	 /* several registrars */
    "non-public data",	 /* Key-Systems/CentralNic style */
    "statutory masking", /* Tucows "Statutory Masking Enabled" */
    "gdpr masked",	 /* Gandi */
    "gdpr redacted",
    "hidden upon user request", /* .be, .eu */
    "hidden!",			/* .by "HIDDEN! Details are available at" */
    "registration private",	/* Domains By Proxy's registrant name */
    "private registrant",
    "private person", /* .ru/.su individuals */
    "not shown",
    "information not available",
    "privacy protected",
    "not available from registry", /* Name.com registrant IDs */
};

/* Texts that send the reader to someone else for the value. */
static const char *const withheld_texts[] = {
    "query the rdds service",  /* ICANN registry profile */
    "query the whois service", /* same, older wording */
    "query the whois server",  /* Google Registry */
    "rdds service of the registrar",
    "ask the registrar",     /* "Please ask the Registrar of Record" */
    "contact the registrar", /* "Please contact the Registrar listed" */
    "for web based whois",   /* auDA "Visit whois... for Web based" */
    "for webbased whois",
    "web-based whois",
    "/whois/contact/", /* Porkbun, MarkMonitor web forms */
    "whoisform",       /* west.cn "link at https://...whoisform" */
    "contact form",
    "whois.ausregistry.com.au",
};

/*
 * Privacy and proxy services, by name: the value is real but belongs to a
 * service that forwards (or not) to the registrant.
 */
static const char *const proxy_names[] = {
    "domains by proxy",
    "domainsbyproxy",
    "whoisguard",
    "whois privacy",		   /* Whois Privacy Protection Service, Whois
					  Privacy Corp, "Whois Privacy" (Porkbun) */
    "whoisprivacy",		   /* WhoisPrivacy Limited */
    "contact privacy",		   /* Contact Privacy Inc. (Tucows) */
    "withheld for privacy",	   /* Withheld for Privacy ehf (Namecheap) */
    "privacyguardian",		   /* PrivacyGuardian.org (Name.com) */
    "super privacy service",	   /* Dynadot */
    "identity protection service", /* Namecheap/Enom in the corpus */
    "identity protect limited",
    "perfect privacy",		  /* Network Solutions */
    "private by design",	  /* Porkbun */
    "domain protection services", /* Name.com */
    "njalla",			  /* 1337 Services LLC */
    "1337 services",
    "privacy service",	    /* "Domainmonster.com Privacy Service",
				   "EnCirca Privacy Service" */
    "privacydotlink",	    /* privacy.link */
    "private whois",	    /* "Fundacion Private Whois", "Private Whois" */
    "whois agent",	    /* Name.com with Domain Protection Services */
    "privacy protect, llc", /* PrivacyProtect.org */
    "privacyprotect.org",
    "dreamhost customer", /* "A HAPPY DREAMHOST CUSTOMER" */
    "anonymize, inc",	  /* Epik */
};

/* Forwarding e-mail domains of privacy/proxy services (suffix match). */
/* clang-format off */
static const char *const proxy_domains[] = {
    "domainsbyproxy.com", "whoisprivacyprotect.com", "contactprivacy.com",
    "withheldforprivacy.com", "privacyguardian.org", "whoisguard.com",
    "anonymised.email", "identity-protect.org", "whoisprivacy.com",
    "privacyprotect.org", "privatewho.is", "privatemonster.com",
    "privacy-link.com", "privatewhois.net", "proxy.dreamhost.com", "njalla.no",
    "perfectprivacy.com", "domainprivacygroup.com", "privacy.link",
    "whoisproxy.com", "secureprivacy.com", "myprivacy.ca",
    "whoisprotection.cc", "web.com-privacy.com", "registrarprivacy.com",
    "1337.services",};
/* clang-format on */

/* Addresses that belong to the registry, not the holder. */
static const char *const withheld_addrs[] = {
    /* LACNIC answers complaints with "not us"; tools that cannot see
       the real abuse-c fall back to it (fail2ban issue #2920) */
    "abuse@lacnic.net",
};

static int
has(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

static int
ends_with_domain(const char *host, const char *dom)
{
	size_t hl = strlen(host), dl = strlen(dom);

	if (hl < dl)
		return 0;
	if (strcmp(host + hl - dl, dom))
		return 0;
	return hl == dl || host[hl - dl - 1] == '.';
}

unsigned
td_record_placeholder(const char *value)
{
	char v[512];
	size_t i, n = 0;
	const char *at;
	int sp = 1;

	if (!value)
		return 0;
	for (i = 0; value[i] && n + 1 < sizeof(v); i++) {
		unsigned char c = (unsigned char)value[i];

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			if (!sp)
				v[n++] = ' ';
			sp = 1;
			continue;
		}
		v[n++] = (char)(c >= 'A' && c <= 'Z' ? c | 0x20 : c);
		sp = 0;
	}
	while (n && v[n - 1] == ' ')
		n--;
	v[n] = '\0';
	if (!n)
		return 0;

	for (i = 0; i < sizeof(withheld_addrs) / sizeof(withheld_addrs[0]); i++)
		if (!strcmp(v, withheld_addrs[i]))
			return TD_CONTACT_WITHHELD;
	/*
	 * ARIN's records of space transferred to another RIR (ERX) give
	 * "search-apnic-not-arin@apnic.net": the other RIR, which cannot
	 * act on abuse reports, not the network.
	 */
	at = strchr(v, '@');
	if (at && at - v >= 9 && !memcmp(at - 9, "-not-arin", 9))
		return TD_CONTACT_WITHHELD;
	/*
	 * Redaction first: "Redacted for Privacy by Super Privacy Service" is
	 * a proxy that also redacts, and "Not Disclosed - Visit
	 * www.internet.ee for webbased WHOIS" both redacts and refers.
	 */
	for (i = 0; i < sizeof(redacted_texts) / sizeof(redacted_texts[0]); i++)
		if (has(v, redacted_texts[i]))
			return TD_CONTACT_REDACTED;
	if (!strcmp(v, "private") || !strcmp(v, "withheld") ||
	    !strcmp(v, "privacy") || !strcmp(v, "gdpr") ||
	    !strcmp(v, "not available") || !strcmp(v, "hidden") ||
	    !strcmp(v, "masked") || !strcmp(v, "anonymous"))
		return TD_CONTACT_REDACTED;
	for (i = 0; i < sizeof(withheld_texts) / sizeof(withheld_texts[0]); i++)
		if (has(v, withheld_texts[i]))
			return TD_CONTACT_WITHHELD;
	/* a web address given where an e-mail address belongs */
	if ((!strncmp(v, "http://", 7) || !strncmp(v, "https://", 8)) &&
	    (has(v, "whois") || has(v, "contact")))
		return TD_CONTACT_WITHHELD;

	/* an e-mail address: judged by its domain only */
	at = strrchr(v, '@');
	if (at && !strchr(v, ' ')) {
		for (i = 0;
		     i < sizeof(proxy_domains) / sizeof(proxy_domains[0]); i++)
			if (ends_with_domain(at + 1, proxy_domains[i]))
				return TD_CONTACT_PROXY;
		return 0;
	}
	for (i = 0; i < sizeof(proxy_names) / sizeof(proxy_names[0]); i++)
		if (has(v, proxy_names[i]))
			return TD_CONTACT_PROXY;
	return 0;
}
