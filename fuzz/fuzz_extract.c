/*
 * libFuzzer target: the whole extraction pipeline on one message (MIME,
 * HTML, plain-text URLs, indicators, Received chain, JSON output).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "extract.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct td_extract_opts o = TD_EXTRACT_OPTS_INIT;
	struct td_extract x;
	json_t *j;
	char *s;

	/* keep each run short: small limits find the same bugs faster */
	o.limits.max_parts = 200;
	o.limits.max_depth = 20;
	td_extract_message(&x, (const char *)data, size, &o, NULL);
	j = td_extract_json(&x);
	s = j ? json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
	free(s);
	json_decref(j);
	td_extract_release(&x);
	return 0;
}
