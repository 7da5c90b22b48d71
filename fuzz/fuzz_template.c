/*
 * libFuzzer target: a report template (docs/templates.md) as a user
 * could write it, rendered by td_draft_render_text() with a case whose
 * attacker-controlled fields hold hostile bytes.  Asserts, beyond "no
 * crash, no leak, no undefined behaviour":
 *
 * - the result is 0, TD_EINVAL (a broken template: the message names the
 *   file and is one printable line) or TD_ENOMEM;
 * - on 0 the subject is one line of valid UTF-8 with no control
 *   characters, and the body is valid UTF-8 whose only control
 *   characters are LF and TAB, with no trailing white space on a line
 *   and never two empty lines in a row;
 * - the hostile values never reach the output raw: no ESC, no CR, no NUL.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "draft.h"

#define FUZZ_NAME "fuzz_template"
#include "check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct td_draft_identity ident = {
    "Jane Doe", "Example CERT", "jane@example.org", "+33 1 23 45 67 89",
    "Jane\n-- \nExample CERT"};
static const struct td_draft_url urls[] = {
    {"http://evil.example/a\x1b[31mred\r\nX-Bad: 1", NULL},
    {"https://xn--pypal-4ve.example/login?x=%00", "https://xn--pypal-4ve.example/login?x=%00"}};
static char *const fields[] = {"user\x1b]0;t\x07", "pass"};
static const struct td_draft_form form = {"https://evil.example/p\r\n.php",
					  "POST", fields, 2, 1};
static const struct td_draft_fetch fetch = {
    .url = "http://evil.example/a",
    .final_url = "http://evil.example/b\x01",
    .status = 200,
    .title = "Sign in \xe2\x80\xae\x1b[2J\xff",
    .forms = &form,
    .nr_forms = 1,
    .tls_not_before = -1,
    .tls_not_after = -1,
    .size = -1,
    .fetched_at = 1795000000,
    .client = "Mozilla/5.0"};
static const struct td_draft_party parties[] = {
    {"host", "Evil \x1b[1mHosting\r\nLtd", "abuse@host.example", "rdap",
     "https://rdap.example/", 1795000000, 64500, "NL"},
    {"registrar", "=?utf-8?b?QmFk?=", NULL, "whois", NULL, -1, -1, NULL}};

static void
check_line_text(const struct td_buf *b, int multi)
{
	size_t i, blank = 0;

	CHECK(utf8_valid((const unsigned char *)(b->ptr ? b->ptr : ""),
			 b->len));
	for (i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->ptr[i];

		if (c == '\n') {
			CHECK(multi);
			CHECK(i == 0 || (b->ptr[i - 1] != ' ' &&
					 b->ptr[i - 1] != '\t'));
			blank = i > 0 && b->ptr[i - 1] == '\n' ? blank + 1 : 0;
			CHECK(blank < 2);
			continue;
		}
		CHECK(c >= 0x20 || (multi && c == '\t'));
		CHECK(c != 0x7f);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct td_draft_input in;
	struct td_buf subject = TD_BUF_INIT, body = TD_BUF_INIT;
	struct td_error err = {0, ""};
	int rc;
	size_t i;

	memset(&in, 0, sizeof(in));
	in.from = &ident;
	in.to.role = (enum td_draft_role)(size % 8);
	in.to.name = "Abuse \x1b[0m Desk";
	in.to.email = "abuse@host.example";
	in.case_tag = "TD-2026-000001";
	in.kind = in.to.role == TD_DRAFT_OWNER || size % 3 == 0
		      ? TD_DRAFT_COMPROMISED
		      : TD_DRAFT_MALICIOUS;
	in.urls = urls;
	in.nr_urls = 2;
	in.found.how = "received in a phishing e-mail";
	in.found.email_date = 1794988800;
	in.found.email_subject = "Your account\r\nBcc: x@evil.example";
	in.found.sending_ip = "192.0.2.7";
	in.fetches = &fetch;
	in.nr_fetches = 1;
	in.parties = parties;
	in.nr_parties = 2;
	in.whois_created = "2026-11-01T00:00:00Z";
	in.target_brand = "PayPal\x1b";
	in.le_advice = "Report it to the police.\nThey will ask for logs.";
	in.now = 1795001000;

	rc = td_draft_render_text(&subject, &body, (const char *)data, size,
				  "fuzz.txt", &in, &err);
	field = "result";
	CHECK(rc == 0 || rc == TD_EINVAL || rc == TD_ENOMEM);
	if (rc == TD_EINVAL) {
		field = "error message";
		CHECK(strstr(err.msg, "fuzz.txt") != NULL);
		for (i = 0; err.msg[i]; i++)
			CHECK((unsigned char)err.msg[i] >= 0x20 &&
			      err.msg[i] != 0x7f);
	}
	if (rc == 0) {
		field = "subject";
		check_line_text(&subject, 0);
		field = "body";
		check_line_text(&body, 1);
		CHECK(!body.ptr || !memchr(body.ptr, '\x1b', body.len));
	}
	td_buf_release(&subject);
	td_buf_release(&body);
	return 0;
}
