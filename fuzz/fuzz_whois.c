/*
 * libFuzzer target: td_whois_parse() on any bytes (a hostile port-43
 * answer), then every way a record leaves takedown.  Asserts, beyond "no
 * crash, no leak, no undefined behaviour":
 *
 * - the record keeps the promises of record.h: every string is UTF-8
 *   without control characters (whois.h: they become spaces), dates are
 *   "YYYY-MM-DDTHH:MM:SSZ" and td_record_date() leaves them as they are,
 *   domain names, EPP statuses and name servers are lowercase, counts
 *   match their arrays, a contact has a lowercase role and known flags;
 * - td_record_json() writes JSON that jansson reads back, ASCII only,
 *   with every string equal to the record's;
 * - the text form (each value through td_term_escape(), as
 *   `takedown parse-record` prints it) is printable ASCII and unescapes to
 *   the value;
 * - td_record_date() and td_record_placeholder() (record_text.c) on the
 *   first line of the input: a date is well formed and stable, a
 *   placeholder answer is one flag.
 *
 * The server hint is picked by the input's length (size % 4), so that the
 * registry quirks keyed on it are reached without taking input bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonw.h"
#include "record.h"
#include "term.h"

#define FUZZ_NAME "fuzz_whois"
#define FORMAT_OK(r) ((r)->format && !strcmp((r)->format, "whois"))
#include "check.h"
#include "record_check.h"
#include "whois.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * A string of the record: UTF-8, no control characters but tab (whois.c
 * keeps tabs in the text it reads; JSON and the text form escape them),
 * text form safe.
 */
static void
check_str(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!s)
		return;
	CHECK(utf8_valid(p, strlen(s)));
	for (; *p; p++)
		CHECK((*p >= 0x20 || *p == '\t') && *p != 0x7f);
	check_text(s);
}

/* record_text.c on the first line of the input, as a C string. */
static void
check_line_helpers(const uint8_t *data, size_t size)
{
	char line[300], out[21], again[21];
	unsigned f;
	size_t n = 0;

	while (n < size && n < sizeof(line) - 1 && data[n] != '\n' &&
	       data[n] != '\0')
		n++;
	memcpy(line, data, n);
	line[n] = '\0';
	field = "td_record_date(first line)";
	if (td_record_date(out, sizeof(out), line) == 0) {
		check_date(out);
		CHECK(td_record_date(again, sizeof(again), out) == 0);
	}
	f = td_record_placeholder(line);
	CHECK(f == 0 || f == TD_CONTACT_REDACTED || f == TD_CONTACT_PROXY ||
	      f == TD_CONTACT_WITHHELD);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const hints[] = {
	    NULL, "whois.tonic.to", "whois.dot.tk", "whois.verisign-grs.com"};
	struct td_record r;
	struct td_error err;
	int rc;

	rc =
	    td_whois_parse(&r, (const char *)data, size, hints[size % 4], &err);
	CHECK(rc == 0 || rc == TD_ENOMEM);
	if (rc == 0)
		check_record(&r);
	td_record_release(&r);
	check_line_helpers(data, size);
	return 0;
}
