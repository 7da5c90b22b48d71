#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "providers.h"
#include "banned.h"

static const char *
top(void)
{
	const char *t = getenv("TD_TOP");

	return t ? t : ".";
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static const char *
name_of(const struct td_provider *p)
{
	return p ? p->name : "(none)";
}

#define assert_provider(p, want)                                               \
	do {                                                                   \
		const char *got_ = name_of(p);                                 \
		if (strcmp(got_, (want)))                                      \
			fail_msg("got %s, want %s", got_, (want));             \
	} while (0)

static void
shipped_files_parse_line_by_line(void **state)
{
	static const char *const files[2] = {"cdn.txt", "platforms.txt"};
	size_t total = 0;
	int i;

	for (i = 0; i < 2; i++) {
		struct td_error err = {0, ""};
		size_t len, nr = 0, flen;
		const char *text = td_providers_data(i, &len);
		char path[1024], *disk;

		if (td_providers_check(files[i], text, len, &nr, &err))
			fail_msg("%s", err.msg);
		assert_true(nr > 5);
		total += nr;
		/* the compiled-in copy is the file in data/ */
		snprintf(path, sizeof(path), "%s/data/%s", top(), files[i]);
		disk = slurp(path, &flen);
		if (disk) {
			assert_int_equal(flen, len);
			assert_memory_equal(disk, text, len);
			free(disk);
		}
	}
	/* and the lazily built tables hold every provider */
	assert_non_null(td_providers_get(total - 1));
	assert_null(td_providers_get(total));
}

static void
every_provider_is_complete(void **state)
{
	static const char *const kinds[] = {
	    "cdn",    "hosting",   "site-builder", "storage",
	    "forms",  "shortener", "ipfs",	   "tunnel",
	    "dyndns", "messaging", "cloud"};
	const struct td_provider *p;
	size_t i, k;

	for (i = 0; (p = td_providers_get(i)); i++) {
		int ok = 0;

		assert_non_null(p->name);
		assert_non_null(p->kind);
		for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			ok |= !strcmp(p->kind, kinds[k]);
		if (!ok)
			fail_msg("%s: kind %s", p->name, p->kind);
		if ((p->abuse_email || p->abuse_url) && !p->source)
			fail_msg("%s: contact without source", p->name);
		if (!p->abuse_email && !p->abuse_url && !p->note)
			fail_msg("%s: neither contact nor note", p->name);
	}
	assert_true(i > 50);
}

static void
check_rejects_bad_lines(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
	    {"kind cdn\n", "before any provider"},
	    {"provider X\nkind banana\nnote n\n", "unknown kind"},
	    {"provider X\nkind cdn\nnote n\ncolour red\n", "unknown key"},
	    {"provider X\nkind cdn\nnote n\nnet 10.0.0.1/8\n", "zero host"},
	    {"provider X\nkind cdn\nnote n\nnet 10.0.0.0/33\n", "zero host"},
	    {"provider X\nkind cdn\nnote n\nhost Example.com\n", "host name"},
	    {"provider X\nkind cdn\nnote n\nhost *.com*\n", "host name"},
	    {"provider X\nkind cdn\nnote n\nhost localhost\n", "host name"},
	    {"provider X\nkind cdn\nabuse-email a@b.example\n", "source"},
	    {"provider X\nkind cdn\nabuse-email nobody\nsource "
	     "https://x.example/\n",
	     "e-mail"},
	    {"provider X\nkind cdn\nabuse-url ftp://x\nsource "
	     "https://x.example/\n",
	     "http(s) URL"},
	    {"provider X\nnote n\n", "no kind"},
	    {"provider X\nkind cdn\n", "no abuse-email"},
	    {"provider X\nkind cdn\nkind cdn\nnote n\n", "second kind"},
	    {"provider X\nkind\n", "without a value"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct td_error err = {0, ""};
		int rc = td_providers_check("t.txt", cases[i].text,
					    strlen(cases[i].text), NULL, &err);

		if (rc != TD_EPARSE || !strstr(err.msg, cases[i].want))
			fail_msg("case %zu: rc %d \"%s\", want \"%s\"", i, rc,
				 err.msg, cases[i].want);
		assert_non_null(strstr(err.msg, "t.txt:"));
	}
}

static void
check_accepts_comments_and_blank_lines(void **state)
{
	static const char text[] =
	    "# c\n\nprovider Some Name\n  kind hosting  # kind\n"
	    "abuse-url https://x.example/form#abuse\n"
	    "source https://x.example/\nhost x.example\t# c\n"
	    "host *.x.example\nnet 2001:db8::/32\nnet 192.0.2.0/24\n";
	size_t nr = 0;

	assert_int_equal(
	    td_providers_check("t.txt", text, strlen(text), &nr, NULL), 0);
	assert_int_equal(nr, 1);
}

static void
cdn_ranges_match(void **state)
{
	assert_provider(td_providers_by_ip("104.16.132.229"), "Cloudflare");
	assert_provider(td_providers_by_ip("172.67.1.1"), "Cloudflare");
	assert_provider(td_providers_by_ip("2606:4700:3033::6815:1"),
			"Cloudflare");
	assert_provider(td_providers_by_ip("::ffff:104.21.5.5"), "Cloudflare");
	assert_provider(td_providers_by_ip("151.101.65.140"), "Fastly");
	assert_provider(td_providers_by_ip("2a04:4e42:400::1"), "Fastly");
	assert_provider(td_providers_by_ip("45.60.12.3"),
			"Imperva (Incapsula)");
	assert_provider(td_providers_by_ip("192.124.249.7"),
			"Sucuri Website Firewall");
	assert_null(td_providers_by_ip("8.8.8.8"));
	assert_null(td_providers_by_ip("2001:db8::1"));
	assert_null(td_providers_by_ip("104.16.0.0/13"));
	assert_null(td_providers_by_ip(NULL));
}

static void
host_patterns_match(void **state)
{
	/* "*.suffix" matches below the suffix only */
	assert_provider(td_providers_by_host("phish.blogspot.com"),
			"Blogger (Google)");
	assert_null(td_providers_by_host("blogspot.com"));
	assert_null(td_providers_by_host("notblogspot.com"));
	/* exact entries */
	assert_provider(td_providers_by_host("docs.google.com"),
			"Google Docs, Forms, Sites and Drive");
	assert_null(td_providers_by_host("x.docs.google.com"));
	/* the longest suffix wins */
	assert_provider(td_providers_by_host("b.s3.amazonaws.com"),
			"Amazon S3");
	assert_provider(td_providers_by_host("b.s3.eu-west-1.amazonaws.com"),
			"Amazon Web Services");
	assert_provider(td_providers_by_host("cid.ipfs.dweb.link"),
			"IPFS gateways (Protocol Labs)");
	/* case and a final dot are tolerated */
	assert_provider(td_providers_by_host("Evil.NETLIFY.app."), "Netlify");
	assert_provider(td_providers_by_host("abc.ngrok-free.app"), "ngrok");
	assert_provider(td_providers_by_host("x.pages.dev"),
			"Cloudflare Pages, Workers and R2");
	assert_null(td_providers_by_host("example.com"));
	assert_null(td_providers_by_host(""));
	assert_null(td_providers_by_host(NULL));
}

static void
cname_and_ns_patterns_match(void **state)
{
	assert_provider(td_providers_by_cname("www.bank.com.edgekey.net"),
			"Akamai");
	assert_provider(td_providers_by_cname("e123.a.akamaiedge.net."),
			"Akamai");
	assert_provider(td_providers_by_cname("d111111abcdef8.cloudfront.net"),
			"Amazon CloudFront");
	assert_provider(td_providers_by_cname("x.incapdns.net"),
			"Imperva (Incapsula)");
	/* a CNAME to a platform host names the platform */
	assert_provider(td_providers_by_cname("shop.netlify.app"), "Netlify");
	assert_null(td_providers_by_cname("www.example.com"));
	assert_provider(td_providers_by_ns("kate.ns.cloudflare.com"),
			"Cloudflare");
	assert_null(td_providers_by_ns("ns1.example.com"));
	/* NS patterns are not host patterns */
	assert_null(td_providers_by_host("kate.ns.cloudflare.com"));
}

static void
contacts_are_carried(void **state)
{
	const struct td_provider *p;

	p = td_providers_by_ip("104.16.1.1");
	assert_non_null(p);
	assert_string_equal(p->kind, "cdn");
	assert_string_equal(p->abuse_url, "https://abuse.cloudflare.com/");
	assert_non_null(p->source);
	p = td_providers_by_host("x.ngrok.io");
	assert_non_null(p);
	assert_string_equal(p->abuse_email, "abuse@ngrok.com");
	assert_string_equal(p->source, "https://ngrok.com/abuse");
	assert_null(p->abuse_url);
	p = td_providers_by_host("x.github.io");
	assert_non_null(p);
	assert_null(p->abuse_email);
	assert_null(p->abuse_url);
	assert_non_null(p->note);
}

/*
 * Hosts taken from links in ../shared/corpus/phishing_pot (450 samples):
 * every platform host seen there is recognised.
 */
static void
phishing_corpus_hosts_are_matched(void **state)
{
	static const struct {
		const char *host, *provider;
	} cases[] = {
	    {"storage.googleapis.com", "Google Cloud"},
	    {"firebasestorage.googleapis.com", "Google Cloud"},
	    {"b-a4qxna7jwq-rj.a.run.app", "Google Cloud"},
	    {"detr-765775392619.southamerica-east1.run.app", "Google Cloud"},
	    {"onlinecoursehost-prod.appspot.com", "Google Cloud"},
	    {"us-central1-western-throne-378715.cloudfunctions.net",
	     "Google Cloud"},
	    {"kziwxids.page.link", "Firebase Hosting (Google)"},
	    {"group-global.blogspot.com", "Blogger (Google)"},
	    {"docs.google.com", "Google Docs, Forms, Sites and Drive"},
	    {"d15k2d11r6t6rl.cloudfront.net", "Amazon CloudFront"},
	    {"s3.amazonaws.com", "Amazon S3"},
	    {"cloudfox-digital-products.s3.amazonaws.com", "Amazon S3"},
	    {"my-ledger-restore.s3.eu-north-1.amazonaws.com",
	     "Amazon Web Services"},
	    {"bq11v59f.r.us-east-1.awstrack.me", "Amazon SES click tracking"},
	    {"jo4dh9l5i5c422fb6xcfintmarqbj.blr1.cdn.digitaloceanspaces.com",
	     "DigitalOcean Spaces"},
	    {"aws-ses-webhooks.sd.workers.dev",
	     "Cloudflare Pages, Workers and R2"},
	    {"app-ecomstrain.vercel.app", "Vercel"},
	    {"f4e6e6f2-84e0-4970-9577-1fb9598f2f0b.b-cdn.net", "bunny.net"},
	    {"noragray098.clickfunnels.com", "ClickFunnels"},
	    {"forms.yandex.com", "Yandex Forms"},
	    {"google-mail.sytes.net", "No-IP"},
	    {"t.me", "Telegram"},
	    {"discord.com", "Discord"},
	    {"t.co", "X (Twitter) t.co"},
	    {"is.gd", "is.gd"},
	    {"bit.ly", "Bitly"},
	    {"tinyurl.com", "TinyURL"},
	    {"cutt.ly", "Cuttly"},
	    {"shorturl.at", "ShortURL.at"},
	    {"s.id", "s.id"},
	    {"urlz.fr", "urlz.fr"},
	    {"cutt.us", "cutt.us"},
	    {"to2.pw", "to2.pw"},
	    {"buff.ly", "Buffer (buff.ly)"},
	    {"tiime.us13.list-manage.com", "Mailchimp"},
	    {"mcusercontent.com", "Mailchimp"},
	    {"cgcahce.r.af.d.sendibt2.com", "Brevo (Sendinblue)"},
	    {"u10060318.ct.sendgrid.net", "SendGrid (Twilio)"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct td_provider *p =
		    td_providers_by_host(cases[i].host);

		if (strcmp(name_of(p), cases[i].provider))
			fail_msg("%s -> %s, want %s", cases[i].host, name_of(p),
				 cases[i].provider);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(shipped_files_parse_line_by_line),
	    cmocka_unit_test(every_provider_is_complete),
	    cmocka_unit_test(check_rejects_bad_lines),
	    cmocka_unit_test(check_accepts_comments_and_blank_lines),
	    cmocka_unit_test(cdn_ranges_match),
	    cmocka_unit_test(host_patterns_match),
	    cmocka_unit_test(cname_and_ns_patterns_match),
	    cmocka_unit_test(contacts_are_carried),
	    cmocka_unit_test(phishing_corpus_hosts_are_matched),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
