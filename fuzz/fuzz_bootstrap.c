/*
 * libFuzzer target: td_bootstrap_load() on hostile bootstrap files (what
 * `takedown update-data` downloads: the IANA RDAP registries, RFC 9224,
 * and a WHOIS server list).  The loader reads a folder, so the input is
 * written to a private temporary folder on every run: split at NUL bytes,
 * the parts are dns.json, ipv4.json, ipv6.json, asn.json and
 * whois-servers.txt; a missing registry gets an empty one ({"services":
 * []}) and a missing list no file, so that one part can be fuzzed alone.
 *
 * Asserts, beyond "no crash, no leak, no undefined behaviour":
 * - 0 with a table, or TD_EIO/TD_EPARSE/TD_ENOMEM with none;
 * - every RDAP base URL a lookup answers is http or https and ends in
 *   '/' (bootstrap.h); publication strings are never NULL; a WHOIS answer
 *   of kind SERVER or WEB comes with its string, the others without;
 * - td_bootstrap_whois_line_check() of every line of the list: 0 or
 *   TD_EPARSE with a message.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "bootstrap.h"
#include "err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "fuzz_bootstrap: %s:%d: %s\n",         \
				__FILE__, __LINE__, #c);                       \
			abort();                                               \
		}                                                              \
	} while (0)

static const char *const files[] = {"dns.json", "ipv4.json", "ipv6.json",
				    "asn.json", "whois-servers.txt"};
#define NR_FILES (sizeof(files) / sizeof(files[0]))

static char dir[256];

static void
cleanup(void)
{
	char path[300];
	size_t i;

	for (i = 0; i < NR_FILES; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

static int
setup(void)
{
	const char *tmp = getenv("TMPDIR");

	if (dir[0])
		return 0;
	snprintf(dir, sizeof(dir), "%s/fuzz_bootstrap.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("fuzz_bootstrap: mkdtemp");
		dir[0] = '\0';
		return -1;
	}
	atexit(cleanup);
	return 0;
}

static int
put(const char *name, const void *p, size_t n)
{
	char path[300];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return -1;
	ok = fwrite(p, 1, n, f) == n;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static void
check_url(const char *u)
{
	size_t n;

	if (!u)
		return;
	n = strlen(u);
	CHECK(!strncasecmp(u, "http://", 7) || !strncasecmp(u, "https://", 8));
	CHECK(n && u[n - 1] == '/');
}

static void
check_lines(const char *s, size_t n)
{
	struct td_error err;
	char line[1024];

	while (n) {
		const char *nl = memchr(s, '\n', n);
		size_t l = nl ? (size_t)(nl - s) : n;
		int rc;

		if (l < sizeof(line) && !memchr(s, '\0', l)) {
			memcpy(line, s, l);
			line[l] = '\0';
			err.msg[0] = '\0';
			rc = td_bootstrap_whois_line_check(line, &err);
			CHECK(rc == 0 || (rc == TD_EPARSE && err.msg[0]));
		}
		s += l;
		n -= l;
		if (nl)
			s++, n--;
	}
}

static void
check_lookups(const struct td_bootstrap *b)
{
	static const char *const names[] = {"example.com",
					    "www.example.co.uk",
					    "xn--p1ai",
					    "EXAMPLE.NET.",
					    "a.b.c.d.e.f.g",
					    "com",
					    "."};
	static const char *const ips[] = {
	    "192.0.2.1", "2001:db8::1",		  "::ffff:8.8.8.8",
	    "0.0.0.0",	 "ffff:ffff:ffff:ffff::", "x"};
	static const unsigned long asns[] = {0, 1, 64496, 4294967295ul};
	const char *out;
	enum td_whois_kind k;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		check_url(td_bootstrap_rdap_domain(b, names[i]));
		out = (const char *)1;
		k = td_bootstrap_whois(b, names[i], &out);
		CHECK(k >= TD_WHOIS_UNKNOWN && k <= TD_WHOIS_NONE);
		CHECK((k == TD_WHOIS_SERVER || k == TD_WHOIS_WEB) ==
		      (out != NULL));
		out = td_bootstrap_whois_domain(b, names[i]);
		CHECK(!out || *out);
	}
	for (i = 0; i < sizeof(ips) / sizeof(ips[0]); i++)
		check_url(td_bootstrap_rdap_ip(b, ips[i]));
	for (i = 0; i < sizeof(asns) / sizeof(asns[0]); i++)
		check_url(td_bootstrap_rdap_asn(b, asns[i]));
	for (i = TD_BOOTSTRAP_DNS; i <= TD_BOOTSTRAP_ASN; i++) {
		CHECK(td_bootstrap_publication(b, (enum td_bootstrap_file)i));
		(void)td_bootstrap_count(b, (enum td_bootstrap_file)i);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char empty[] = "{\"version\": \"1.0\", \"services\": []}";
	const uint8_t *p = data, *end = data + size;
	struct td_bootstrap *b = (struct td_bootstrap *)1;
	struct td_error err;
	char path[300];
	size_t i;
	int rc;

	if (setup() < 0)
		return 0;
	for (i = 0; i < NR_FILES; i++) {
		const uint8_t *z =
		    p < end ? memchr(p, '\0', (size_t)(end - p)) : NULL;
		size_t n = p < end ? (size_t)((z ? z : end) - p) : 0;

		if (p < end || i == 0) {
			if (put(files[i], p, n) < 0)
				return 0;
			if (i == NR_FILES - 1)
				check_lines((const char *)p, n);
		} else if (i < NR_FILES - 1) {
			if (put(files[i], empty, sizeof(empty) - 1) < 0)
				return 0;
		} else {
			snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
			unlink(path);
		}
		p = z ? z + 1 : end;
	}

	rc = td_bootstrap_load(&b, dir, &err);
	CHECK(rc == 0 || rc == TD_EIO || rc == TD_EPARSE || rc == TD_ENOMEM);
	CHECK((rc == 0) == (b != NULL));
	if (b)
		check_lookups(b);
	td_bootstrap_free(b);
	return 0;
}
