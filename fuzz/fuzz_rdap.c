/*
 * libFuzzer target: td_rdap_parse() on any bytes (a hostile RDAP answer),
 * then every way a record leaves takedown.  Asserts, beyond "no crash, no
 * leak, no undefined behaviour":
 *
 * - the result is 0, TD_EPARSE, TD_ELIMIT or TD_ENOMEM, and the record,
 *   even a partial one after an error, keeps the promises of record.h:
 *   every string is UTF-8, dates are "YYYY-MM-DDTHH:MM:SSZ" and
 *   td_record_date() leaves them as they are, domain names (ldhName),
 *   statuses and name servers are ASCII-lowercase, name servers have no
 *   trailing dot, counts match their arrays, a contact has a lowercase
 *   role and known flags.  (RFC 9083 strings may hold control
 *   characters, so that is not asserted; the outputs below escape them.)
 * - td_record_json() writes JSON that jansson reads back, ASCII only,
 *   with every string equal to the record's;
 * - the text form (each value through td_term_escape(), as
 *   `takedown parse-record` prints it) is printable ASCII and unescapes to
 *   the value.
 *
 * The source URL is NULL or a fixed one by the input's length (size % 2),
 * so that both ways of filling out->source are reached.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonw.h"
#include "rdap.h"
#include "record.h"
#include "term.h"

#define FUZZ_NAME "fuzz_rdap"
#define FORMAT_OK(r) (!(r)->format || !strcmp((r)->format, "rdap"))
#include "check.h"
#include "record_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A string of the record: UTF-8 and text form safe. */
static void
check_str(const char *s)
{
	if (!s)
		return;
	CHECK(utf8_valid((const unsigned char *)s, strlen(s)));
	check_text(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const urls[] = {
	    NULL, "https://rdap.example.test/domain/example.test"};
	struct td_record r;
	struct td_error err;
	int rc;

	rc = td_rdap_parse(&r, (const char *)data, size, urls[size % 2], &err);
	field = "result";
	CHECK(rc == 0 || rc == TD_EPARSE || rc == TD_ELIMIT || rc == TD_ENOMEM);
	CHECK(rc != 0 || r.format);
	check_record(&r);
	td_record_release(&r);
	return 0;
}
