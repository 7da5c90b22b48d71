/*
 * libFuzzer target: the whole extraction pipeline on one message (MIME,
 * HTML, plain-text URLs, indicators, Received chain, JSON output).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "extract.h"
#include "jsonw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct td_extract_opts o = TD_EXTRACT_OPTS_INIT;
	struct td_extract x;
	struct td_buf out = TD_BUF_INIT;
	struct td_jw w;
	json_t *j;

	/* keep each run short: small limits find the same bugs faster */
	o.limits.max_parts = 200;
	o.limits.max_depth = 20;
	td_extract_message(&x, (const char *)data, size, &o, NULL);
	td_jw_init(&w, &out);
	td_jw_obj(&w);
	td_extract_json(&w, &x);
	td_jw_obj_end(&w);
	/* what we write must always be valid JSON */
	j = json_loadb(out.ptr, out.len, 0, NULL);
	if (!j && !td_buf_failed(&out))
		abort();
	json_decref(j);
	td_buf_release(&out);
	td_extract_release(&x);
	return 0;
}
