/*
 * libFuzzer target: the reply classifier (reply.h) on any bytes, with
 * small MIME limits and a 64 KiB size cap so that every limit is reached.
 * Asserts, beyond "no crash, no leak, no undefined behaviour":
 *
 * - 0, TD_EPARSE, TD_ENOMEM, or TD_ELIMIT exactly for inputs over the
 *   cap; the struct zeroed unless 0;
 * - a class in range with a reason; needs_info only for a human reply;
 *   delivery facts (recipient, action, original Message-ID, rfc3464)
 *   only for a bounce or a delivery report classed auto, and a bounce
 *   always has the action "failed";
 * - no CR, LF or NUL in any string; every string within its bound;
 *   ids without white space, control characters or angle brackets;
 *   at most TD_REPLY_MAX_REFS references; a ticket comes with the name
 *   of its pattern;
 * - td_reply_ticket_find and td_reply_tag_find on the raw bytes give a
 *   NUL-terminated result within the buffer, a tag shaped TD-YYYY-N...
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "fuzz_reply: %s:%d: %s\n", __FILE__,   \
				__LINE__, #c);                                 \
			abort();                                               \
		}                                                              \
	} while (0)

#define CAP (64u * 1024)

static void
check_str(const char *s, size_t max)
{
	if (!s)
		return;
	CHECK(strlen(s) <= max);
	CHECK(!strpbrk(s, "\r\n"));
}

static void
check_id(const char *s)
{
	const unsigned char *p;

	if (!s)
		return;
	CHECK(*s && strlen(s) <= TD_REPLY_MAX_ID);
	for (p = (const unsigned char *)s; *p; p++)
		CHECK(*p > ' ' && *p != 0x7f && *p != '<' && *p != '>');
}

static void
check_reply(const struct td_reply *r)
{
	size_t i;

	CHECK((unsigned)r->cls < TD_REPLY_NR);
	CHECK(r->reason && *r->reason);
	check_str(r->reason, 512);
	check_str(r->from, 320);
	check_str(r->from_name, TD_REPLY_MAX_TEXT);
	check_str(r->subject, TD_REPLY_MAX_SUBJECT);
	CHECK(r->date >= 0);
	check_id(r->message_id);
	check_id(r->in_reply_to);
	CHECK(r->nr_refs <= TD_REPLY_MAX_REFS);
	CHECK(!r->nr_refs || r->refs);
	for (i = 0; i < r->nr_refs; i++)
		check_id(r->refs[i]);
	CHECK(!r->ticket == !r->ticket_kind);
	check_str(r->ticket, TD_REPLY_MAX_TICKET);
	CHECK(!r->needs_info || r->cls == TD_REPLY_HUMAN);
	check_str(r->final_recipient, 320);
	check_str(r->action, 32);
	check_str(r->status, 32);
	check_str(r->diagnostic, TD_REPLY_MAX_TEXT);
	check_id(r->original_message_id);
	if (r->cls == TD_REPLY_BOUNCE)
		CHECK(r->action && !strcmp(r->action, "failed"));
	if (r->cls == TD_REPLY_HUMAN)
		CHECK(!r->final_recipient && !r->action && !r->status &&
		      !r->original_message_id && !r->rfc3464);
	if (r->cls == TD_REPLY_AUTO && r->action)
		CHECK(strcmp(r->action, "failed") != 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct td_mail_limits lim = {8, 40, 4096, 64 * 1024, 8192};
	struct td_reply_opts o;
	struct td_reply r;
	struct td_error err;
	char out[TD_REPLY_MAX_TICKET + 1], tag[24], *s;
	const char *k;
	int rc;

	o.max_bytes = CAP;
	o.limits = lim;
	rc = td_reply_parse(&r, (const char *)data, size, &o, &err);
	CHECK(rc == 0 || rc == TD_EPARSE || rc == TD_ENOMEM || rc == TD_ELIMIT);
	CHECK((rc == TD_ELIMIT) == (size > CAP));
	if (rc == 0) {
		check_reply(&r);
		td_reply_release(&r);
	} else {
		CHECK(!r.reason && !r.subject && !r.refs);
	}

	/* the pattern helpers on the raw bytes, as text and as body */
	memset(out, 'x', sizeof(out));
	k = td_reply_ticket_find(out, sizeof(out), (const char *)data,
				 size > 4096 ? 4096 : size, (int)(size & 1));
	if (k) {
		CHECK(memchr(out, '\0', sizeof(out)));
		CHECK(strlen(out) > 0);
	}
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (td_reply_tag_find(tag, s)) {
		CHECK(!strncmp(tag, "TD-", 3) && strlen(tag) >= 14 &&
		      strlen(tag) <= 17);
	}
	free(s);
	return 0;
}
