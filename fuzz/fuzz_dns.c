/*
 * libFuzzer target: what a hostile server's answer reaches in the net
 * module (net_impl.h, private): td_dns_parse_answer() on any bytes as a
 * DNS message, and td_http_retry_after(), td_http_origin(),
 * td_http_cert_time() and td_http_header_line_ok() on the same bytes as
 * text (a Retry-After header, a URL from an RDAP answer, a certificate's
 * date, a header line).
 *
 * The request is built as dns.c builds it: name lowercase without a
 * trailing dot, a type takedown asks for.  Both come from the message's
 * own question (the first name, if it has plain labels, else
 * "example.test"; its QTYPE, else a type picked by the ID's low byte), so
 * that mutated answers keep matching what was asked.
 *
 * Asserts, beyond "no crash, no leak, no undefined behaviour":
 * - 0 with why NULL, or TD_EPARSE with a reason, or TD_ENOMEM;
 * - at most ANCOUNT records, each of the type asked or CNAME, owner and
 *   value printable ASCII (\DDD for the rest), owners and names lowercase,
 *   A and AAAA values that inet_pton() reads, TTL at most 2^31 - 1, a
 *   priority only for MX;
 * - the CNAME chain (unless CNAME was asked) starts at the name asked,
 *   each link's owner is the previous target, at most 16 links, and the
 *   records after it are owned by its end;
 * - td_http_retry_after(): -1 or a number of seconds;
 * - td_http_cert_time() (a certificate date as libcurl's certinfo gives
 *   it): 0 with "YYYY-MM-DDTHH:MM:SSZ", or -1 with "";
 * - td_http_header_line_ok(): 1 only for "token: value" without CR or LF;
 * - td_http_origin(): 0 with "http(s)://host:port", the host lowercase
 *   without brackets, no white space or control character, port 0-65535;
 *   or TD_EINVAL/TD_ENOMEM with both outputs NULL.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "net.h"
#include "net_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "fuzz_dns: %s:%d: %s\n", __FILE__,     \
				__LINE__, #c);                                 \
			abort();                                               \
		}                                                              \
	} while (0)

static const enum td_dns_type types[] = {TD_DNS_A,  TD_DNS_NS,	TD_DNS_CNAME,
					 TD_DNS_MX, TD_DNS_TXT, TD_DNS_AAAA,
					 TD_DNS_PTR};
#define NR_TYPES (sizeof(types) / sizeof(types[0]))

/*
 * The question's name, when written as plain labels of letters, digits,
 * '-' and '_' (no compression), lowercased, in out; the offset after it
 * in *end.  0 or -1.
 */
static int
question_name(char *out, size_t size, const uint8_t *m, size_t len, size_t *end)
{
	size_t p = 12, k = 0, i;

	while (p < len && m[p]) {
		size_t l = m[p];

		if (l > 63 || p + 1 + l > len || k + l + 2 > size)
			return -1;
		if (k)
			out[k++] = '.';
		for (i = 0; i < l; i++) {
			uint8_t c = m[p + 1 + i];

			if (c >= 'A' && c <= 'Z')
				c = (uint8_t)(c + 32);
			if (!((c >= 'a' && c <= 'z') ||
			      (c >= '0' && c <= '9') || c == '-' || c == '_'))
				return -1;
			out[k++] = (char)c;
		}
		p += 1 + l;
	}
	if (!k || p >= len)
		return -1;
	out[k] = '\0';
	*end = p + 1;
	return 0;
}

static void
check_printable(const char *s, int lower)
{
	CHECK(s && *s);
	for (; *s; s++) {
		CHECK(*s >= 0x20 && *s < 0x7f);
		CHECK(!lower || !(*s >= 'A' && *s <= 'Z'));
	}
}

static void
check_rr(const struct td_dns_rr *rr, enum td_dns_type qtype)
{
	unsigned char a[16];

	CHECK(rr->type == qtype || rr->type == TD_DNS_CNAME);
	check_printable(rr->name, 1);
	CHECK(rr->ttl <= 0x7fffffffu);
	CHECK(rr->type == TD_DNS_MX || !rr->priority);
	CHECK(rr->priority <= 0xffff);
	switch (rr->type) {
	case TD_DNS_A:
		CHECK(inet_pton(AF_INET, rr->value, a) == 1);
		break;
	case TD_DNS_AAAA:
		CHECK(inet_pton(AF_INET6, rr->value, a) == 1);
		break;
	case TD_DNS_TXT:
		/* TXT strings may be empty and keep their case */
		CHECK(rr->value);
		if (*rr->value)
			check_printable(rr->value, 0);
		break;
	default:
		check_printable(rr->value, 1);
		break;
	}
}

static void
check_answer(const uint8_t *data, size_t size)
{
	struct td_net_req r;
	char qname[256];
	const char *why = (const char *)1, *cur;
	size_t qend = 0, i, chain = 0;
	unsigned ancount;
	enum td_dns_type qtype;
	int rc;

	if (question_name(qname, sizeof(qname), data, size, &qend) < 0)
		snprintf(qname, sizeof(qname), "example.test");
	qtype = size > 1 ? types[data[1] % NR_TYPES] : TD_DNS_A;
	if (qend && qend + 2 <= size)
		for (i = 0; i < NR_TYPES; i++)
			if ((unsigned)(data[qend] << 8 | data[qend + 1]) ==
			    (unsigned)types[i])
				qtype = types[i];

	memset(&r, 0, sizeof(r));
	r.kind = TD_NET_KIND_DNS;
	r.name = qname;
	r.qtype = qtype;
	rc = td_dns_parse_answer(
	    &r, data, size > 0x7fffffff ? 0x7fffffff : (int)size, &why);
	CHECK(rc == 0 || rc == TD_EPARSE || rc == TD_ENOMEM);
	CHECK(rc != 0 || why == NULL);
	CHECK(rc != TD_EPARSE || (why && *why));
	ancount = size >= 12 ? (unsigned)(data[6] << 8 | data[7]) : 0;
	CHECK(r.nr <= ancount);
	CHECK(!r.nr || r.rrs);
	for (i = 0; i < r.nr; i++)
		check_rr(&r.rrs[i], qtype);
	if (rc == 0) {
		/* the chain, then the records at its end */
		cur = qname;
		if (qtype != TD_DNS_CNAME)
			for (;
			     chain < r.nr && r.rrs[chain].type == TD_DNS_CNAME;
			     chain++) {
				CHECK(!strcasecmp(r.rrs[chain].name, cur));
				cur = r.rrs[chain].value;
			}
		CHECK(chain <= 16);
		for (i = chain; i < r.nr; i++) {
			CHECK(r.rrs[i].type == qtype);
			CHECK(!strcasecmp(r.rrs[i].name, cur));
		}
	}
	td_dns_rrs_release(&r);
}

static void
check_text(const uint8_t *data, size_t size)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:ddZ";
	char *s = malloc(size + 1), *origin, *host, when[21];
	unsigned port = 0;
	long secs;
	size_t i, hl;
	int rc;

	if (!s)
		return;
	memcpy(s, data, size);
	s[size] = '\0';

	secs = td_http_retry_after(s, 784111777); /* 1994-11-06 08:49:37 */
	CHECK(secs >= -1);

	rc = td_http_cert_time(when, s);
	CHECK(rc == 0 || rc == -1);
	if (rc) {
		CHECK(when[0] == '\0');
	} else {
		CHECK(strlen(when) == 20);
		for (i = 0; i < 20; i++)
			CHECK(pat[i] == 'd' ? when[i] >= '0' && when[i] <= '9'
					    : when[i] == pat[i]);
		CHECK(strncmp(when + 5, "01", 2) >= 0 &&
		      strncmp(when + 5, "12", 2) <= 0);
	}

	rc = td_http_header_line_ok(s);
	CHECK(rc == 0 || rc == 1);
	if (rc) {
		const char *colon = strchr(s, ':');

		CHECK(colon && colon > s && !strpbrk(s, "\r\n"));
		for (i = 0; s + i < colon; i++)
			CHECK(s[i] > 0x20 && s[i] < 0x7f);
	}

	rc = td_http_origin(&origin, &host, &port, s);
	CHECK(rc == 0 || rc == TD_EINVAL || rc == TD_ENOMEM);
	if (rc) {
		CHECK(!origin && !host);
	} else {
		char want[600];

		CHECK(origin && host && *host);
		CHECK(port <= 65535); /* curl takes ":0" too */
		hl = strlen(host);
		for (i = 0; i < hl; i++) {
			unsigned char c = (unsigned char)host[i];

			CHECK(c > 0x20 && c != 0x7f && !(c >= 'A' && c <= 'Z'));
			CHECK(c != '[' && c != ']' && c != '/');
		}
		for (i = 0; origin[i]; i++)
			CHECK((unsigned char)origin[i] > 0x20 &&
			      origin[i] != 0x7f);
		if (hl < 512) {
			snprintf(want, sizeof(want),
				 strchr(host, ':') ? "[%s]:%u" : "%s:%u", host,
				 port);
			CHECK(!strncmp(origin, "http://", 7) ||
			      !strncmp(origin, "https://", 8));
			CHECK(!strcmp(strstr(origin, "://") + 3, want));
		}
	}
	free(origin);
	free(host);
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_answer(data, size);
	check_text(data, size);
	return 0;
}
