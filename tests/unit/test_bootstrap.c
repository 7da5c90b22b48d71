#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bootstrap.h"
#include "err.h"
#include "banned.h"

static struct td_bootstrap *snap;

static const char *
top(void)
{
	const char *t = getenv("TD_TOP");

	return t ? t : ".";
}

static const char *
corpus(void)
{
	const char *c = getenv("TD_CORPUS");

	return c ? c : "../shared/corpus";
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A copy of path's content, or NULL when it cannot be read. */
static char *
slurp(const char *path)
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
	return buf;
}

static const char ipv4_json[] =
    "{\"publication\": \"2000-01-01T00:00:00Z\", \"services\": [\n"
    " [[\"10.0.0.0/8\"], [\"http://ten.example/\"]],\n"
    " [[\"10.1.0.0/16\", \"192.0.2.0/24\"],\n"
    "  [\"http://ten-one.example/rdap\", \"https://ten-one.example/rdap\"]]\n"
    "], \"version\": \"1.0\"}\n";
static const char ipv6_json[] =
    "{\"services\": [\n"
    " [[\"2001:db8::/32\"], [\"https://doc.example/\"]],\n"
    " [[\"2001:db8:1::/48\"], [\"https://doc-one.example/\"]]\n"
    "]}\n";
static const char asn_json[] =
    "{\"services\": [\n"
    " [[\"64496-64511\", \"65536\"], [\"https://asn.example/\"]],\n"
    " [[\"1-100\"], [\"https://low.example/\"]]\n"
    "]}\n";
static const char dns_json[] =
    "{\"services\": [\n"
    " [[\"uk\"], [\"https://uk.example/\"]],\n"
    " [[\"co.uk\"], [\"http://co-uk.example/x\", "
    "\"https://co-uk.example/x\"]],\n"
    " [[\"com\", \"NET\"], [\"https://com.example/\"]]\n"
    "]}\n";

/* A temporary directory with the four IANA files; dns may replace ours. */
static char *
make_dir(const char *dns)
{
	char *dir = strdup("/tmp/td_bootstrap_XXXXXX");

	assert_non_null(dir);
	assert_non_null(mkdtemp(dir));
	write_file(dir, "dns.json", dns ? dns : dns_json);
	write_file(dir, "ipv4.json", ipv4_json);
	write_file(dir, "ipv6.json", ipv6_json);
	write_file(dir, "asn.json", asn_json);
	return dir;
}

static void
remove_dir(char *dir)
{
	static const char *const names[] = {"dns.json", "ipv4.json",
					    "ipv6.json", "asn.json",
					    "whois-servers.txt"};
	char path[1024];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
	free(dir);
}

static struct td_bootstrap *
load_dir(const char *dir)
{
	struct td_bootstrap *b = NULL;
	struct td_error err = {0, ""};
	int rc = td_bootstrap_load(&b, dir, &err);

	if (rc)
		fail_msg("load %s: %s", dir, err.msg);
	return b;
}

static int
setup(void **state)
{
	struct td_error err = {0, ""};

	if (td_bootstrap_load(&snap, NULL, &err)) {
		fprintf(stderr, "snapshot: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	td_bootstrap_free(snap);
	return 0;
}

static void
snapshot_answers_com_net_org_and_new_gtlds(void **state)
{
	assert_string_equal(td_bootstrap_rdap_domain(snap, "example.com"),
			    "https://rdap.verisign.com/com/v1/");
	assert_string_equal(td_bootstrap_rdap_domain(snap, "WWW.Example.NET."),
			    "https://rdap.verisign.com/net/v1/");
	assert_string_equal(td_bootstrap_rdap_domain(snap, "wikipedia.org"),
			    "https://rdap.publicinterestregistry.org/rdap/");
	assert_string_equal(td_bootstrap_rdap_domain(snap, "phish.xyz"),
			    "https://rdap.centralnic.com/xyz/");
	assert_string_equal(td_bootstrap_rdap_domain(snap, "a.b.c.app"),
			    "https://www.registry.google/rdap/");
	assert_non_null(td_bootstrap_rdap_domain(snap, "example.co.uk"));
	/* no RDAP for .de in the snapshot or the fallback list */
	assert_null(td_bootstrap_rdap_domain(snap, "example.de"));
	assert_null(td_bootstrap_rdap_domain(snap, "nosuchtld"));
	assert_null(td_bootstrap_rdap_domain(snap, ""));
	assert_null(td_bootstrap_rdap_domain(snap, NULL));
	assert_null(td_bootstrap_rdap_domain(snap, "a b.com"));
	assert_true(td_bootstrap_count(snap, TD_BOOTSTRAP_DNS) > 1000);
	assert_string_equal(td_bootstrap_publication(snap, TD_BOOTSTRAP_DNS),
			    "2024-07-25T00:00:01Z");
}

static void
snapshot_fallback_covers_later_cctlds(void **state)
{
	/* .pl and .au came to IANA's file after the 2024 snapshot */
	assert_string_equal(td_bootstrap_rdap_domain(snap, "allegro.pl"),
			    "https://rdap.dns.pl/");
	assert_string_equal(td_bootstrap_rdap_domain(snap, "x.com.au"),
			    "https://rdap.cctld.au/rdap/");
}

static void
snapshot_knows_rir_ranges(void **state)
{
	static const struct {
		const char *ip, *url;
	} cases[] = {
	    {"8.8.8.8", "https://rdap.arin.net/registry/"},
	    {"193.0.6.139", "https://rdap.db.ripe.net/"},
	    {"41.0.0.1", "https://rdap.afrinic.net/rdap/"},
	    {"200.160.2.3", "https://rdap.lacnic.net/rdap/"},
	    {"1.1.1.1", "https://rdap.apnic.net/"},
	    {"::ffff:8.8.4.4", "https://rdap.arin.net/registry/"},
	    {"2a00:1450:4001::1", "https://rdap.db.ripe.net/"},
	    {"2001:4200::1", "https://rdap.afrinic.net/rdap/"},
	    {"2800:3f0::1", "https://rdap.lacnic.net/rdap/"},
	    {"2600:1f18::1", "https://rdap.arin.net/registry/"},
	    {"2400:cb00::1", "https://rdap.apnic.net/"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *u = td_bootstrap_rdap_ip(snap, cases[i].ip);

		if (!u || strcmp(u, cases[i].url))
			fail_msg("%s -> %s, want %s", cases[i].ip,
				 u ? u : "NULL", cases[i].url);
	}
	assert_null(td_bootstrap_rdap_ip(snap, "not-an-ip"));
	assert_null(td_bootstrap_rdap_ip(snap, "1.2.3.4/24"));
	assert_null(td_bootstrap_rdap_ip(snap, NULL));
}

static void
snapshot_knows_asn_ranges(void **state)
{
	assert_string_equal(td_bootstrap_rdap_asn(snap, 3333),
			    "https://rdap.db.ripe.net/");
	assert_string_equal(td_bootstrap_rdap_asn(snap, 15169),
			    "https://rdap.arin.net/registry/");
	/* both ends of the AFRINIC block 36864-37887 */
	assert_string_equal(td_bootstrap_rdap_asn(snap, 36864),
			    "https://rdap.afrinic.net/rdap/");
	assert_string_equal(td_bootstrap_rdap_asn(snap, 37887),
			    "https://rdap.afrinic.net/rdap/");
	/* private use (RFC 6996) and out of range */
	assert_null(td_bootstrap_rdap_asn(snap, 4200000000UL));
	assert_null(td_bootstrap_rdap_asn(snap, 0x100000000ULL));
}

static void
domain_longest_label_match_wins(void **state)
{
	char *dir = make_dir(NULL);
	struct td_bootstrap *b = load_dir(dir);

	/* RFC 9224 section 4: label-wise, longest match */
	assert_string_equal(td_bootstrap_rdap_domain(b, "example.co.uk"),
			    "https://co-uk.example/x/");
	assert_string_equal(td_bootstrap_rdap_domain(b, "co.uk"),
			    "https://co-uk.example/x/");
	assert_string_equal(td_bootstrap_rdap_domain(b, "example.uk"),
			    "https://uk.example/");
	/* "xco.uk" ends in "co.uk" as a string but not label-wise */
	assert_string_equal(td_bootstrap_rdap_domain(b, "xco.uk"),
			    "https://uk.example/");
	assert_string_equal(td_bootstrap_rdap_domain(b, "a.net"),
			    "https://com.example/");
	assert_null(td_bootstrap_rdap_domain(b, "example.org"));
	td_bootstrap_free(b);
	remove_dir(dir);
}

static void
domain_corpus_multi_label_entries(void **state)
{
	char path[1024], *dns, *dir;
	struct td_bootstrap *b;

	snprintf(path, sizeof(path),
		 "%s/rdap-openrdap/bootstrap_complex/dns.json", corpus());
	dns = slurp(path);
	if (!dns)
		skip();
	dir = make_dir(dns);
	b = load_dir(dir);
	assert_string_equal(td_bootstrap_rdap_domain(b, "sub.example.com"),
			    "https://example.com/sub/");
	assert_string_equal(td_bootstrap_rdap_domain(b, "a.b.sub.example.com"),
			    "https://example.com/sub/");
	assert_string_equal(td_bootstrap_rdap_domain(b, "example.com"),
			    "https://example.com/");
	assert_string_equal(td_bootstrap_rdap_domain(b, "notsub.example.com"),
			    "https://example.com/");
	/* the "" entry matches everything else */
	assert_string_equal(td_bootstrap_rdap_domain(b, "example.net"),
			    "https://example.root/");
	td_bootstrap_free(b);
	remove_dir(dir);
	free(dns);
}

static void
https_preferred_and_slash_added(void **state)
{
	char *dir = make_dir(NULL);
	struct td_bootstrap *b = load_dir(dir);

	/* the service lists http first; https wins, '/' is added */
	assert_string_equal(td_bootstrap_rdap_ip(b, "10.1.2.3"),
			    "https://ten-one.example/rdap/");
	assert_string_equal(td_bootstrap_rdap_ip(b, "192.0.2.55"),
			    "https://ten-one.example/rdap/");
	/* only http offered: kept */
	assert_string_equal(td_bootstrap_rdap_ip(b, "10.2.0.1"),
			    "http://ten.example/");
	td_bootstrap_free(b);
	remove_dir(dir);
}

static void
ip_longest_prefix_v4_and_v6(void **state)
{
	char *dir = make_dir(NULL);
	struct td_bootstrap *b = load_dir(dir);

	assert_string_equal(td_bootstrap_rdap_ip(b, "10.1.255.255"),
			    "https://ten-one.example/rdap/");
	assert_string_equal(td_bootstrap_rdap_ip(b, "10.0.255.255"),
			    "http://ten.example/");
	assert_string_equal(td_bootstrap_rdap_ip(b, "::ffff:10.1.0.1"),
			    "https://ten-one.example/rdap/");
	assert_null(td_bootstrap_rdap_ip(b, "11.0.0.1"));
	assert_string_equal(td_bootstrap_rdap_ip(b, "2001:db8:1::5"),
			    "https://doc-one.example/");
	assert_string_equal(td_bootstrap_rdap_ip(b, "2001:db8:2::5"),
			    "https://doc.example/");
	assert_string_equal(td_bootstrap_rdap_ip(b, "2001:DB8:0001:ffff::"),
			    "https://doc-one.example/");
	assert_null(td_bootstrap_rdap_ip(b, "2001:db9::1"));
	assert_int_equal(td_bootstrap_count(b, TD_BOOTSTRAP_IPV4), 3);
	assert_int_equal(td_bootstrap_count(b, TD_BOOTSTRAP_IPV6), 2);
	td_bootstrap_free(b);
	remove_dir(dir);
}

/* A registry with no services loads, and answers nothing (no sort of
 * an empty table: qsort(NULL, 0) is undefined). */
static void
empty_registries_load(void **state)
{
	static const char empty[] =
	    "{\"version\": \"1.0\", \"publication\": "
	    "\"2026-01-01T00:00:00Z\", \"services\": []}";
	char *dir = make_dir(empty);
	struct td_bootstrap *b;

	write_file(dir, "asn.json", empty);
	b = load_dir(dir);
	assert_null(td_bootstrap_rdap_asn(b, 3333));
	td_bootstrap_free(b);
	remove_dir(dir);
}

static void
asn_ranges_and_single_numbers(void **state)
{
	char *dir = make_dir(NULL);
	struct td_bootstrap *b = load_dir(dir);

	assert_string_equal(td_bootstrap_rdap_asn(b, 64496),
			    "https://asn.example/");
	assert_string_equal(td_bootstrap_rdap_asn(b, 64511),
			    "https://asn.example/");
	assert_null(td_bootstrap_rdap_asn(b, 64512));
	assert_string_equal(td_bootstrap_rdap_asn(b, 65536),
			    "https://asn.example/");
	assert_null(td_bootstrap_rdap_asn(b, 65537));
	assert_string_equal(td_bootstrap_rdap_asn(b, 1),
			    "https://low.example/");
	assert_null(td_bootstrap_rdap_asn(b, 0));
	td_bootstrap_free(b);
	remove_dir(dir);
}

static void
overrides_win_and_cover_everything(void **state)
{
	struct td_bootstrap *b = NULL;

	assert_int_equal(td_bootstrap_load(&b, NULL, NULL), 0);
	assert_int_equal(
	    td_bootstrap_set_rdap_override(b, "de", "https://de.example"), 0);
	assert_string_equal(td_bootstrap_rdap_domain(b, "heise.de"),
			    "https://de.example/");
	/* an override beats the IANA entry, a longer override a shorter */
	assert_int_equal(td_bootstrap_set_rdap_override(
			     b, "com", "http://127.0.0.1:8080/rdap/"),
			 0);
	assert_int_equal(td_bootstrap_set_rdap_override(b, "shop.example.com",
							"http://127.0.0.1:1/"),
			 0);
	assert_string_equal(td_bootstrap_rdap_domain(b, "example.com"),
			    "http://127.0.0.1:8080/rdap/");
	assert_string_equal(td_bootstrap_rdap_domain(b, "a.shop.example.com"),
			    "http://127.0.0.1:1/");
	/* setting a key again replaces it */
	assert_int_equal(
	    td_bootstrap_set_rdap_override(b, "COM.", "http://127.0.0.1:2"), 0);
	assert_string_equal(td_bootstrap_rdap_domain(b, "example.com"),
			    "http://127.0.0.1:2/");
	/* addresses and AS numbers */
	assert_int_equal(td_bootstrap_set_rdap_override(b, "8.8.8.0/24",
							"http://127.0.0.1:3/"),
			 0);
	assert_string_equal(td_bootstrap_rdap_ip(b, "8.8.8.8"),
			    "http://127.0.0.1:3/");
	assert_string_equal(td_bootstrap_rdap_ip(b, "8.8.4.4"),
			    "https://rdap.arin.net/registry/");
	assert_int_equal(td_bootstrap_set_rdap_override(b, "AS15000-15999",
							"http://127.0.0.1:4/"),
			 0);
	assert_int_equal(
	    td_bootstrap_set_rdap_override(b, "as15169", "http://127.0.0.1:5/"),
	    0);
	assert_string_equal(td_bootstrap_rdap_asn(b, 15169),
			    "http://127.0.0.1:5/");
	assert_string_equal(td_bootstrap_rdap_asn(b, 15170),
			    "http://127.0.0.1:4/");
	/* bad keys and URLs */
	assert_int_equal(td_bootstrap_set_rdap_override(b, "com", "ftp://x/"),
			 TD_EINVAL);
	assert_int_equal(td_bootstrap_set_rdap_override(b, "com", "http://"),
			 TD_EINVAL);
	assert_int_equal(td_bootstrap_set_rdap_override(b, "10.0.0.1/8",
							"http://127.0.0.1/"),
			 TD_EINVAL);
	assert_int_equal(
	    td_bootstrap_set_rdap_override(b, "a..b", "http://127.0.0.1/"),
	    TD_EINVAL);
	/* "*": every domain, address and AS number */
	assert_int_equal(
	    td_bootstrap_set_rdap_override(b, "*", "http://127.0.0.1:9"), 0);
	assert_string_equal(td_bootstrap_rdap_domain(b, "example.nosuchtld"),
			    "http://127.0.0.1:9/");
	assert_string_equal(td_bootstrap_rdap_ip(b, "2001:db8::1"),
			    "http://127.0.0.1:9/");
	assert_string_equal(td_bootstrap_rdap_asn(b, 4200000000UL),
			    "http://127.0.0.1:9/");
	/* narrower overrides still win over the catch-all */
	assert_string_equal(td_bootstrap_rdap_asn(b, 15169),
			    "http://127.0.0.1:5/");
	assert_string_equal(td_bootstrap_rdap_domain(b, "heise.de"),
			    "https://de.example/");
	td_bootstrap_free(b);
}

static void
corpus_malformed_files_fail_cleanly(void **state)
{
	static const char *const files[] = {
	    "dns_bad_services.json", "dns_bad_url.json", "dns_empty.json",
	    "dns_syntax_error.json"};
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[1024], *dns, *dir;
		struct td_bootstrap *b = (struct td_bootstrap *)&b;
		struct td_error err = {0, ""};

		snprintf(path, sizeof(path),
			 "%s/rdap-openrdap/bootstrap_malformed/%s", corpus(),
			 files[i]);
		dns = slurp(path);
		if (!dns)
			skip();
		dir = make_dir(dns);
		assert_int_equal(td_bootstrap_load(&b, dir, &err), TD_EPARSE);
		assert_null(b);
		/* one line, naming the file */
		assert_null(strchr(err.msg, '\n'));
		assert_non_null(strstr(err.msg, "dns.json"));
		remove_dir(dir);
		free(dns);
	}
}

static void
malformed_entries_are_refused(void **state)
{
	static const struct {
		const char *name, *text, *want;
	} cases[] = {
	    {"ipv4.json",
	     "{\"services\": [[[\"2001:db8::/32\"], "
	     "[\"https://x.example/\"]]]}",
	     "section 5.1"},
	    {"ipv4.json",
	     "{\"services\": [[[\"10.0.0.1/8\"], "
	     "[\"https://x.example/\"]]]}",
	     "bad entry 10.0.0.1/8"},
	    {"asn.json",
	     "{\"services\": [[[\"5-3\"], "
	     "[\"https://x.example/\"]]]}",
	     "section 5.3"},
	    {"dns.json",
	     "{\"services\": [[[\"a..b\"], "
	     "[\"https://x.example/\"]]]}",
	     "section 4"},
	    {"dns.json", "{\"services\": [[[\"com\"], []]]}", "section 3"},
	    {"dns.json", "{\"services\": {}}", "services"},
	    {"dns.json", "[]", "not a JSON object"},
	    {"dns.json", "{\"services\": [[[\"com\"], [\"mailto:x@y\"]]]}",
	     "bad base URL"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *dir = make_dir(NULL);
		struct td_bootstrap *b = NULL;
		struct td_error err = {0, ""};

		write_file(dir, cases[i].name, cases[i].text);
		assert_int_equal(td_bootstrap_load(&b, dir, &err), TD_EPARSE);
		if (!strstr(err.msg, cases[i].want))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err.msg,
				 cases[i].want);
		remove_dir(dir);
	}
}

static void
missing_file_is_an_io_error(void **state)
{
	char *dir = make_dir(NULL);
	char path[1024];
	struct td_bootstrap *b = NULL;
	struct td_error err = {0, ""};

	snprintf(path, sizeof(path), "%s/asn.json", dir);
	unlink(path);
	assert_int_equal(td_bootstrap_load(&b, dir, &err), TD_EIO);
	assert_non_null(strstr(err.msg, "asn.json"));
	assert_null(b);
	remove_dir(dir);
}

static void
whois_servers_by_longest_suffix(void **state)
{
	const char *s = NULL;

	assert_string_equal(td_bootstrap_whois_domain(snap, "example.com"),
			    "whois.verisign-grs.com");
	assert_string_equal(td_bootstrap_whois_domain(snap, "bbc.co.uk"),
			    "whois.nic.uk");
	assert_string_equal(td_bootstrap_whois_domain(snap, "heise.de"),
			    "whois.denic.de");
	/* a CentralNic second-level domain under .com */
	assert_string_equal(td_bootstrap_whois_domain(snap, "x.uk.com"),
			    "whois.centralnic.net");
	/* from new_gtlds_list */
	assert_string_equal(td_bootstrap_whois_domain(snap, "phish.xyz"),
			    "whois.nic.xyz");
	assert_int_equal(td_bootstrap_whois(snap, "example.es", &s),
			 TD_WHOIS_WEB);
	assert_true(s && !strncmp(s, "https://", 8));
	assert_null(td_bootstrap_whois_domain(snap, "example.es"));
	assert_int_equal(td_bootstrap_whois(snap, "army.mil", &s),
			 TD_WHOIS_NONE);
	assert_null(s);
	assert_int_equal(td_bootstrap_whois(snap, "x.nosuchtld", &s),
			 TD_WHOIS_UNKNOWN);
	assert_null(s);
	assert_null(td_bootstrap_whois_domain(snap, "x.nosuchtld"));
}

static void
whois_list_every_line_parses(void **state)
{
	char path[1024], *text, *line, *save = NULL;
	unsigned n = 0;

	snprintf(path, sizeof(path), "%s/data/whois-servers.txt", top());
	text = slurp(path);
	if (!text)
		skip();
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct td_error err = {0, ""};

		if (td_bootstrap_whois_line_check(line, &err))
			fail_msg("whois-servers.txt: %s", err.msg);
		n++;
	}
	assert_true(n > 1000);
	free(text);
}

static void
whois_line_check_rejects_bad_lines(void **state)
{
	static const char *const bad[] = {".com whois.example.net",
					  "com",
					  "com WEB",
					  "com WEB ftp://x",
					  "com NONE extra",
					  "com Whois.Example.NET",
					  "COM whois.x.net",
					  "com whois.x.net extra",
					  "com nodot"};
	static const char *const good[] = {"",
					   "# comment",
					   "com whois.x.net",
					   "co.uk whois.x.net # c",
					   "es WEB https://www.dominios.es/en",
					   "mil NONE\t# none"};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (td_bootstrap_whois_line_check(bad[i], NULL) != TD_EPARSE)
			fail_msg("accepted \"%s\"", bad[i]);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (td_bootstrap_whois_line_check(good[i], NULL))
			fail_msg("refused \"%s\"", good[i]);
}

static void
whois_list_from_directory(void **state)
{
	char *dir = make_dir(NULL);
	struct td_bootstrap *b;

	write_file(dir, "whois-servers.txt",
		   "# test\ncom whois.test.example\nuk NONE\n");
	b = load_dir(dir);
	assert_string_equal(td_bootstrap_whois_domain(b, "a.com"),
			    "whois.test.example");
	assert_int_equal(td_bootstrap_whois(b, "a.co.uk", NULL), TD_WHOIS_NONE);
	assert_int_equal(td_bootstrap_whois(b, "a.net", NULL),
			 TD_WHOIS_UNKNOWN);
	td_bootstrap_free(b);
	write_file(dir, "whois-servers.txt", "com\n");
	assert_int_equal(td_bootstrap_load(&b, dir, NULL), TD_EPARSE);
	remove_dir(dir);
}

static void
iptab_longest_prefix(void **state)
{
	struct td_bootstrap_iptab *t;
	unsigned len = 0;
	int a, b, c;

	assert_int_equal(td_bootstrap_iptab_new(&t), 0);
	assert_int_equal(td_bootstrap_iptab_add(t, "0.0.0.0/0", &a), 0);
	assert_int_equal(td_bootstrap_iptab_add(t, "198.51.100.0/24", &b), 0);
	assert_int_equal(td_bootstrap_iptab_add(t, "198.51.100.128/25", &c), 0);
	assert_int_equal(td_bootstrap_iptab_add(t, "198.51.100.1/24", &c),
			 TD_EINVAL);
	assert_int_equal(td_bootstrap_iptab_add(t, "198.51.100.0/33", &c),
			 TD_EINVAL);
	assert_int_equal(td_bootstrap_iptab_add(t, "x/8", &c), TD_EINVAL);
	assert_ptr_equal(td_bootstrap_iptab_lookup(t, "198.51.100.200", &len),
			 &c);
	assert_int_equal(len, 25);
	assert_ptr_equal(td_bootstrap_iptab_lookup(t, "198.51.100.2", &len),
			 &b);
	assert_int_equal(len, 24);
	assert_ptr_equal(td_bootstrap_iptab_lookup(t, "203.0.113.1", &len), &a);
	assert_int_equal(len, 0);
	assert_null(td_bootstrap_iptab_lookup(t, "2001:db8::1", NULL));
	/* a host route */
	assert_int_equal(td_bootstrap_iptab_add(t, "2001:db8::1", &b), 0);
	assert_ptr_equal(td_bootstrap_iptab_lookup(t, "2001:db8::1", &len), &b);
	assert_int_equal(len, 128);
	td_bootstrap_iptab_free(t);
	td_bootstrap_iptab_free(NULL);
}

static void
lookups_are_fast(void **state)
{
	struct timespec t0, t1;
	double ns;
	int i, n = 200000;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		assert_non_null(
		    td_bootstrap_rdap_domain(snap, "www.shop.example.co.uk"));
		assert_non_null(
		    td_bootstrap_rdap_ip(snap, "2a00:1450:4001::1"));
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 +
	      (double)(t1.tv_nsec - t0.tv_nsec)) /
	     (2.0 * n);
	print_message("# %.0f ns per lookup\n", ns);
	/* about 0.2 us in a release build; generous for sanitizers */
	assert_true(ns < 20000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(snapshot_answers_com_net_org_and_new_gtlds),
	    cmocka_unit_test(snapshot_fallback_covers_later_cctlds),
	    cmocka_unit_test(snapshot_knows_rir_ranges),
	    cmocka_unit_test(snapshot_knows_asn_ranges),
	    cmocka_unit_test(domain_longest_label_match_wins),
	    cmocka_unit_test(domain_corpus_multi_label_entries),
	    cmocka_unit_test(https_preferred_and_slash_added),
	    cmocka_unit_test(ip_longest_prefix_v4_and_v6),
	    cmocka_unit_test(asn_ranges_and_single_numbers),
	    cmocka_unit_test(empty_registries_load),
	    cmocka_unit_test(overrides_win_and_cover_everything),
	    cmocka_unit_test(corpus_malformed_files_fail_cleanly),
	    cmocka_unit_test(malformed_entries_are_refused),
	    cmocka_unit_test(missing_file_is_an_io_error),
	    cmocka_unit_test(whois_servers_by_longest_suffix),
	    cmocka_unit_test(whois_list_every_line_parses),
	    cmocka_unit_test(whois_line_check_rejects_bad_lines),
	    cmocka_unit_test(whois_list_from_directory),
	    cmocka_unit_test(iptab_longest_prefix),
	    cmocka_unit_test(lookups_are_fast),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
