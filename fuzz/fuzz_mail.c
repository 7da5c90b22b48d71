/*
 * libFuzzer target: the MIME walk alone (mail.h, GMime) on any bytes, with
 * small limits so that every limit is reached.  fuzz_extract runs the
 * same walk under the whole pipeline but only checks that the final JSON
 * parses, and the JSON writer hides bad text (invalid UTF-8 becomes
 * U+FFFD); this target checks what td_mail_walk() hands its callers.
 * Asserts, beyond "no crash, no leak, no undefined behaviour":
 *
 * - 0, TD_EPARSE or TD_ENOMEM;
 * - messages: message and message_end come in nested pairs, depth 0 is
 *   the outer message and only it, no deeper than max_depth; header
 *   names and decoded values are UTF-8, values hold no CR or LF, the
 *   field set of one message stays within max_header_bytes (times 3: the
 *   limit counts input bytes, and an invalid byte in a name becomes the
 *   three bytes of U+FFFD);
 * - parts: a path of numbers ("1", "2.1", or "preamble"/"epilogue"
 *   after one), a lowercase "type/subtype", at most max_part_bytes of
 *   data, truncated exactly when full_len is larger, text (when there is
 *   some) UTF-8 and NUL-terminated, a file name UTF-8, sha256 empty or 64
 *   lowercase hex digits; no more parts than max_parts (preambles and
 *   epilogues aside: at most two per multipart, which counts), no more
 *   leaf bytes than max_total_bytes;
 * - warnings are printable ASCII (GMime's items go through
 *   td_term_escape());
 * - td_mail_addrs_parse() of every From, To, Cc, Reply-To and Sender
 *   value and td_mail_date_parse() of every Date value do not fail on
 *   any text; names and addresses they give are UTF-8.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "mail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NAME "fuzz_mail"
#include "check.h"

static const struct td_mail_limits lim = {8, 40, 4096, 64 * 1024, 8192};

struct state {
	unsigned depth[64]; /* depths of the open messages */
	size_t open, messages, parts, outside, leaf_bytes;
};

static void
check_utf8(const char *s)
{
	CHECK(!s || utf8_valid((const unsigned char *)s, strlen(s)));
}

static void
check_addrs(const char *value)
{
	struct td_mail_addr *a = NULL;
	size_t nr = 0, i;

	CHECK(td_mail_addrs_parse(&a, &nr, value) == 0);
	CHECK(!nr || a);
	for (i = 0; i < nr; i++) {
		check_utf8(a[i].name);
		check_utf8(a[i].addr);
	}
	td_mail_addrs_free(a, nr);
}

static int
on_message(const struct td_mail_msg *m, void *payload)
{
	struct state *st = payload;
	size_t i, bytes = 0;
	long long t;

	CHECK(m->depth <= lim.max_depth);
	CHECK((m->depth == 0) == (m->role == TD_MAIL_OUTER));
	CHECK((m->depth == 0) == (st->messages == 0));
	CHECK(m->depth == 0 ||
	      (st->open && m->depth > st->depth[st->open - 1]));
	CHECK(m->part && (m->depth || !*m->part));
	check_utf8(m->filename);
	CHECK(!m->nr_hdrs || m->hdrs);
	for (i = 0; i < m->nr_hdrs; i++) {
		const struct td_mail_header *h = &m->hdrs[i];

		CHECK(h->name && h->value);
		check_utf8(h->name);
		check_utf8(h->decoded);
		CHECK(!strpbrk(h->value, "\r\n"));
		bytes += strlen(h->name) + strlen(h->value);
		if (!strcasecmp(h->name, "from") ||
		    !strcasecmp(h->name, "to") || !strcasecmp(h->name, "cc") ||
		    !strcasecmp(h->name, "reply-to") ||
		    !strcasecmp(h->name, "sender"))
			check_addrs(h->value);
		if (!strcasecmp(h->name, "date"))
			CHECK(td_mail_date_parse(&t, h->value) == 0 ||
			      td_mail_date_parse(&t, h->value) == TD_EPARSE);
	}
	/* the limit counts input bytes; a name's invalid bytes become
	   U+FFFD, three bytes each */
	CHECK(bytes <= 3 * lim.max_header_bytes);
	if (st->open < sizeof(st->depth) / sizeof(st->depth[0]))
		st->depth[st->open] = m->depth;
	st->open++;
	st->messages++;
	return 0;
}

static void
on_message_end(const struct td_mail_msg *m, void *payload)
{
	struct state *st = payload;

	CHECK(st->open);
	st->open--;
	if (st->open < sizeof(st->depth) / sizeof(st->depth[0]))
		CHECK(st->depth[st->open] == m->depth);
}

static int
on_part(const struct td_mail_part *p, void *payload)
{
	struct state *st = payload;
	const char *s, *dot;
	size_t i;
	int outside;

	CHECK(st->open);
	CHECK(p->path && *p->path);
	/* "1", "2.1", "preamble", "1.epilogue" */
	dot = strrchr(p->path, '.');
	s = dot ? dot + 1 : p->path;
	outside = !strcmp(s, "preamble") || !strcmp(s, "epilogue");
	for (s = p->path; *s && (!outside || s < (dot ? dot : p->path)); s++)
		CHECK((*s >= '0' && *s <= '9') || *s == '.');
	CHECK(p->content_type && strchr(p->content_type, '/'));
	for (s = p->content_type; *s; s++)
		CHECK(!(*s >= 'A' && *s <= 'Z'));
	CHECK(p->len <= lim.max_part_bytes);
	CHECK(p->len <= p->full_len);
	CHECK(!p->len || p->data);
	CHECK(p->truncated == (p->full_len > p->len) || outside);
	if (p->text) {
		CHECK(p->text[p->text_len] == '\0');
		CHECK(utf8_valid((const unsigned char *)p->text, p->text_len));
	}
	check_utf8(p->filename);
	CHECK(!p->sha256[0] || strlen(p->sha256) == 64);
	for (i = 0; p->sha256[i]; i++)
		CHECK((p->sha256[i] >= '0' && p->sha256[i] <= '9') ||
		      (p->sha256[i] >= 'a' && p->sha256[i] <= 'f'));
	/*
	 * Preambles and epilogues are not counted against max_parts (the
	 * multipart that holds them is): at most two per counted part.
	 */
	if (outside) {
		st->outside++;
		CHECK(st->outside <= 2 * lim.max_parts);
	} else {
		st->parts++;
		CHECK(st->parts <= lim.max_parts);
		st->leaf_bytes += p->len;
		CHECK(st->leaf_bytes <= lim.max_total_bytes);
	}
	return 0;
}

static void
on_warning(const char *text, void *payload)
{
	(void)payload;
	CHECK(text && *text);
	for (; *text; text++)
		CHECK(*text >= 0x20 && *text < 0x7f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct td_mail_cb cb = {on_message, on_part,
					     on_message_end, on_warning};
	struct state st;
	struct td_error err;
	int rc;

	td_mail_global_init();
	memset(&st, 0, sizeof(st));
	rc = td_mail_walk((const char *)data, size, &lim, &cb, &st, &err);
	CHECK(rc == 0 || rc == TD_EPARSE || rc == TD_ENOMEM);
	CHECK(st.open == 0);
	return 0;
}
