/*
 * td_record_date() and td_record_placeholder(): the date forms registries
 * write (each case below is a form seen in the shared corpus or named in
 * docs/internals/whois.md) and the placeholder texts, proxy services and
 * forwarding domains.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "banned.h"

struct dcase {
	const char *in;
	const char *want; /* NULL: must be refused */
};

static void
check_dates(const struct dcase *c, size_t n)
{
	char out[32];
	size_t i;
	int bad = 0;

	for (i = 0; i < n; i++) {
		int rc = td_record_date(out, sizeof(out), c[i].in);

		if (c[i].want && (rc || strcmp(out, c[i].want))) {
			print_message("# date %-40s got %s (rc %d), want %s\n",
				      c[i].in, rc ? "-" : out, rc, c[i].want);
			bad++;
		} else if (!c[i].want && !rc) {
			print_message("# date %-40s got %s, want refusal\n",
				      c[i].in, out);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

static void
record_date_iso_and_rfc3339(void **state)
{
	static const struct dcase c[] = {
	    {"2018-12-10 01:00:04", "2018-12-10T01:00:04Z"},
	    {"2019-08-04T11:35:07Z", "2019-08-04T11:35:07Z"},
	    {"2017-12-16T03:58:55.24Z", "2017-12-16T03:58:55Z"},
	    {"2012-01-26T05:49:44.787Z", "2012-01-26T05:49:44Z"},
	    {"2006-04-03T06:38:02-0700", "2006-04-03T13:38:02Z"},
	    {"1997-09-15T00:00:00-0700", "1997-09-15T07:00:00Z"},
	    {"2015-11-25T12:29:48-0800", "2015-11-25T20:29:48Z"},
	    {"2011-01-23 00:00:07 +02:00", "2011-01-22T22:00:07Z"},
	    {"2010-09-08T22:40:48+02:00", "2010-09-08T20:40:48Z"},
	    {"2011-07-21 18:03:50+03", "2011-07-21T15:03:50Z"},
	    {"2018-02-05 22:59:12.55172", "2018-02-05T22:59:12Z"},
	    {"2001-06-14-T10:32:43Z", "2001-06-14T10:32:43Z"},
	    {"2006-01-02 15:04:05 UTC", "2006-01-02T15:04:05Z"},
	    {"2000-08-29 10:22:50 (UTC+8)", "2000-08-29T02:22:50Z"},
	    {"1999-06-07 13:01:43 (GMT+0:00)", "1999-06-07T13:01:43Z"},
	    {"2005-10-27 (YYYY-MM-DD)", "2005-10-27T00:00:00Z"},
	    {"2013-06-25T21:14:19+12:00", "2013-06-25T09:14:19Z"},
	    {"1985-01-01", "1985-01-01T00:00:00Z"},
	    {"2000-01-01T00:30:00+01:00", "1999-12-31T23:30:00Z"},
	    {"2012-02-29", "2012-02-29T00:00:00Z"},
	    {"2014-07-04T10:24:18.0Z", "2014-07-04T10:24:18Z"},
	    {"2004-08-08 22:27:10", "2004-08-08T22:27:10Z"},
	};

	check_dates(c, sizeof(c) / sizeof(c[0]));
}

static void
record_date_registry_forms(void **state)
{
	static const struct dcase c[] = {
	    /* Nominet, EDUCAUSE, Afilias */
	    {"02-Jan-2006", "2006-01-02T00:00:00Z"},
	    {"15-Jul-1985", "1985-07-15T00:00:00Z"},
	    {"02-jan-2006 15:04:05", "2006-01-02T15:04:05Z"},
	    {"30-Apr-2001 19:00:00 UTC", "2001-04-30T19:00:00Z"},
	    {"before Aug-1996", "1996-08-01T00:00:00Z"},
	    {"Before 2001", "2001-01-01T00:00:00Z"},
	    {"30th April 2003 at 00:00:00.000", "2003-04-30T00:00:00Z"},
	    {"Monday 10th November 2003", "2003-11-10T00:00:00Z"},
	    {"Thu Aug 03 2006", "2006-08-03T00:00:00Z"},
	    {"21-March-2002", "2002-03-21T00:00:00Z"},
	    {"30/06/2003 00:00:00 EEST", "2003-06-29T21:00:00Z"},
	    {"2018-11-20 14:48:02 CLT", "2018-11-20T18:48:02Z"},
	    {"13-MAY-2009", "2009-05-13T00:00:00Z"},
	    {"16/09/03", "2003-09-16T00:00:00Z"},
	    /* NASK, KISA, JPRS */
	    {"2008.03.16 01:08:04", "2008-03-16T01:08:04Z"},
	    {"2006.01.02", "2006-01-02T00:00:00Z"},
	    {"2012. 05. 19.", "2012-05-19T00:00:00Z"},
	    {"2006/01/02", "2006-01-02T00:00:00Z"},
	    {"2013/06/01 01:05:07 (JST)", "2013-05-31T16:05:07Z"},
	    /* registro.br, LACNIC, RADB */
	    {"20060102", "2006-01-02T00:00:00Z"},
	    {"19961206 #24302", "1996-12-06T00:00:00Z"},
	    {"20090608  #00:40:18Z", "2009-06-08T00:00:00Z"},
	    /* Traficom .fi, RNIDS .rs: day first */
	    {"15.12.2015 09:48:01", "2015-12-15T09:48:01Z"},
	    {"30.6.2006 00:00:00", "2006-06-30T00:00:00Z"},
	    /* HKIRC: dd-mm-yyyy; AFNIC: dd/mm/yyyy */
	    {"11-07-2017", "2017-07-11T00:00:00Z"},
	    {"14-03-2004", "2004-03-14T00:00:00Z"},
	    {"12/04/2005", "2005-04-12T00:00:00Z"},
	    /* month first when the day cannot be first (Dot TK) */
	    {"12/18/2001", "2001-12-18T00:00:00Z"},
	    /* SWITCH, words */
	    {"31 May 1999", "1999-05-31T00:00:00Z"},
	    {"January 2 2006", "2006-01-02T00:00:00Z"},
	    {"January 2, 2006", "2006-01-02T00:00:00Z"},
	    {"Jan 2nd 2006", "2006-01-02T00:00:00Z"},
	    {"Mon Jan 2 15:04:05 MST 2006", "2006-01-02T22:04:05Z"},
	    {"Tue Oct 17 10:01:02 UTC 2000", "2000-10-17T10:01:02Z"},
	    /* DENIC, .ee offsets; two-digit years */
	    {"2009-10-22T23:01:34+02:00", "2009-10-22T21:01:34Z"},
	    {"05/06/99", "1999-06-05T00:00:00Z"},
	    {"2006-01-02 3:04:05 PM", "2006-01-02T15:04:05Z"},
	};

	check_dates(c, sizeof(c) / sizeof(c[0]));
}

static void
record_date_refuses_garbage(void **state)
{
	static const struct dcase c[] = {
	    {"", NULL},
	    {"n/a", NULL},
	    {"not defined", NULL},
	    {"2006-13-02", NULL},
	    {"2006-02-30", NULL},
	    {"2006-01-02 25:00:00", NULL},
	    {"12345", NULL},
	    {"1 year", NULL},
	    {"before", NULL},
	    {"AS12345", NULL},
	    {"Jan", NULL},
	};
	char small[8];

	check_dates(c, sizeof(c) / sizeof(c[0]));
	assert_int_equal(td_record_date(small, sizeof(small), "2006-01-02"),
			 TD_EPARSE);
}

static void
record_date_hostile_input(void **state)
{
	char big[100000], out[32];
	size_t i;

	for (i = 0; i + 1 < sizeof(big); i++)
		big[i] = "2006-01-02 15:04:05 +"[i % 21];
	big[sizeof(big) - 1] = '\0';
	/* must not read past 256 bytes nor crash; the first date wins */
	assert_int_equal(td_record_date(out, sizeof(out), big), 0);
	memset(big, '9', sizeof(big) - 1);
	assert_int_equal(td_record_date(out, sizeof(out), big), TD_EPARSE);
	memset(big, '\xff', sizeof(big) - 1);
	assert_int_equal(td_record_date(out, sizeof(out), big), TD_EPARSE);
	assert_int_equal(td_record_date(out, sizeof(out), NULL), TD_EPARSE);
}

struct pcase {
	const char *in;
	unsigned want;
};

static void
check_placeholders(const struct pcase *c, size_t n)
{
	size_t i;
	int bad = 0;

	for (i = 0; i < n; i++) {
		unsigned got = td_record_placeholder(c[i].in);

		if (got != c[i].want) {
			print_message("# placeholder \"%s\": got %u, want %u\n",
				      c[i].in, got, c[i].want);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

static void
record_placeholder_redaction_texts(void **state)
{
	static const struct pcase c[] = {
	    {"REDACTED FOR PRIVACY", TD_CONTACT_REDACTED},
	    {"REDACTED FOR PRIVACY  ", TD_CONTACT_REDACTED},
	    {"Redacted for GDPR", TD_CONTACT_REDACTED},
	    {"Redacted | EU Data Subject", TD_CONTACT_REDACTED},
	    {"Not Disclosed - Visit www.internet.ee for webbased WHOIS",
	     TD_CONTACT_REDACTED},
	    {"<data not disclosed>", TD_CONTACT_REDACTED},
	    {"Data Protected", TD_CONTACT_REDACTED},
	    {"Non-Public Data", TD_CONTACT_REDACTED},
	    {"Statutory Masking Enabled", TD_CONTACT_REDACTED},
	    {"GDPR Masked", TD_CONTACT_REDACTED},
	    {"Private", TD_CONTACT_REDACTED},
	    {"Hidden upon user request", TD_CONTACT_REDACTED},
	    {"HIDDEN! Details are available at http://www.cctld.by/whois/",
	     TD_CONTACT_REDACTED},
	    {"Registration Private", TD_CONTACT_REDACTED},
	    {"Private Person", TD_CONTACT_REDACTED},
	    {"Redacted for Privacy by Super Privacy Service",
	     TD_CONTACT_REDACTED},
	    {"EMAIL REDACTED FOR PRIVACY", TD_CONTACT_REDACTED},
	};

	check_placeholders(c, sizeof(c) / sizeof(c[0]));
}

static void
record_placeholder_withheld_texts(void **state)
{
	static const struct pcase c[] = {
	    {"Please query the RDDS service of the Registrar of Record "
	     "identified in this output for information on how to contact "
	     "the Registrant, Admin, or Tech contact of the queried domain "
	     "name.",
	     TD_CONTACT_WITHHELD},
	    {"Please query the RDDS service of the Registrar of Record  "
	     "identified in this output for information on how\t\tto "
	     "contact the Registrant",
	     TD_CONTACT_WITHHELD},
	    {"Please ask the Registrar of Record identified in this output",
	     TD_CONTACT_WITHHELD},
	    {"Please contact the Registrar listed above", TD_CONTACT_WITHHELD},
	    {"https://porkbun.com/whois/contact/registrant/git.ac",
	     TD_CONTACT_WITHHELD},
	    {"https://www.name.com/contact-domain-whois/name.com",
	     TD_CONTACT_WITHHELD},
	    {"https://domains.markmonitor.com/whois/contact/github.com",
	     TD_CONTACT_WITHHELD},
	    {"link at https://www.west.cn/web/whoisform?domain=git.xyz",
	     TD_CONTACT_WITHHELD},
	    {"Visit whois.ausregistry.com.au for Web based WhoIs",
	     TD_CONTACT_WITHHELD},
	    {"abuse@lacnic.net", TD_CONTACT_WITHHELD},
	    {"ABUSE@LACNIC.NET", TD_CONTACT_WITHHELD},
	    {"search-apnic-not-arin@apnic.net", TD_CONTACT_WITHHELD},
	};

	check_placeholders(c, sizeof(c) / sizeof(c[0]));
}

static void
record_placeholder_proxy_services(void **state)
{
	static const struct pcase c[] = {
	    {"Domains By Proxy, LLC", TD_CONTACT_PROXY},
	    {"DomainsByProxy.com", TD_CONTACT_PROXY},
	    {"CYBERCITI.BIZ@domainsbyproxy.com", TD_CONTACT_PROXY},
	    {"WhoisGuard, Inc.", TD_CONTACT_PROXY},
	    {"Whois Privacy Protection Service, Inc.", TD_CONTACT_PROXY},
	    {"Contact Privacy Inc. Customer 0123456", TD_CONTACT_PROXY},
	    {"Withheld for Privacy ehf", TD_CONTACT_PROXY},
	    {"PrivacyGuardian.org llc", TD_CONTACT_PROXY},
	    {"See PrivacyGuardian.org", TD_CONTACT_PROXY},
	    {"Identity Protection Service", TD_CONTACT_PROXY},
	    {"Perfect Privacy, LLC", TD_CONTACT_PROXY},
	    {"Private by Design, LLC", TD_CONTACT_PROXY},
	    {"Domain Protection Services, Inc.", TD_CONTACT_PROXY},
	    {"Njalla", TD_CONTACT_PROXY},
	    {"WhoisPrivacy Limited", TD_CONTACT_PROXY},
	    {"Domainmonster.com Privacy Service", TD_CONTACT_PROXY},
	    {"x@whoisprivacyprotect.com", TD_CONTACT_PROXY},
	    {"x@contactprivacy.com", TD_CONTACT_PROXY},
	    {"8e7a.protect@withheldforprivacy.com", TD_CONTACT_PROXY},
	    {"a@privacyguardian.org", TD_CONTACT_PROXY},
	    {"b@whoisguard.com", TD_CONTACT_PROXY},
	    {"amazon.ooo-registrant@anonymised.email", TD_CONTACT_PROXY},
	    {"paramount.uk.net@identity-protect.org", TD_CONTACT_PROXY},
	    {"YW3GAZMC77BTMTF@PROXY.DREAMHOST.COM", TD_CONTACT_PROXY},
	    {"52300fa7x2yb6oe6@5225b4d0pi3627q9.privatewhois.net",
	     TD_CONTACT_PROXY},
	    {"1078347@PRIVACY-LINK.COM", TD_CONTACT_PROXY},
	    {"line.sexy@privatewho.is", TD_CONTACT_PROXY},
	};

	check_placeholders(c, sizeof(c) / sizeof(c[0]));
}

static void
record_placeholder_real_values_pass(void **state)
{
	static const struct pcase c[] = {
	    {"dns-admin@google.com", 0},
	    {"Google Inc.", 0},
	    {"MarkMonitor, Inc.", 0},
	    {"abuse@godaddy.com", 0},
	    /* protection and privacy inside real names and hosts */
	    {"x@vi1eur06ft066.eop-eur06.prod.protection.outlook.com", 0},
	    {"x@accountprotection.microsoft.com", 0},
	    {"privacy@example.org", 0},
	    {"Data Protection Officer Ltd", 0},
	    {"x@notdomainsbyproxy.com", 0},
	    {"Privateer Holdings", 0},
	    {"", 0},
	    {"   ", 0},
	    {NULL, 0},
	    {"+1.6502530000", 0},
	    {"abuse@lacnic.net.example", 0},
	};

	check_placeholders(c, sizeof(c) / sizeof(c[0]));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(record_date_iso_and_rfc3339),
	    cmocka_unit_test(record_date_registry_forms),
	    cmocka_unit_test(record_date_refuses_garbage),
	    cmocka_unit_test(record_date_hostile_input),
	    cmocka_unit_test(record_placeholder_redaction_texts),
	    cmocka_unit_test(record_placeholder_withheld_texts),
	    cmocka_unit_test(record_placeholder_proxy_services),
	    cmocka_unit_test(record_placeholder_real_values_pass),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
