/*
 * Unit tests for src/lib/send.c without a real mail server:
 * - the message checks of td_send_prepare();
 * - what libcurl puts on the wire, read by a minimal SMTP responder in a
 *   thread of this test (dot-stuffing, CRLF only, the final reply, a
 *   stall or a close after the data: uncertain);
 * - local submission to sendmail-like scripts written by the test.
 * Delivery through a real server (Postfix) is tests/unit/test_send_live.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "send.h"

#define HDR                                                                    \
	"From: Reporter <reporter@example.org>\r\n"                            \
	"To: Abuse Desk <abuse@example.net>\r\n"                               \
	"Subject: phishing at example.net\r\n"                                 \
	"Date: Mon, 01 Jan 2024 00:00:00 +0000\r\n"                            \
	"Message-ID: <case-1.r1@takedown.example.org>\r\n"

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
prep_rc(const char *msg, size_t len, const char *want_in_err)
{
	struct td_send_msg m;
	struct td_error err = {0};
	int rc = td_send_prepare(&m, msg, len, &err);

	if (rc == 0)
		td_send_msg_release(&m);
	else if (want_in_err && !strstr(err.msg, want_in_err))
		fail_msg("error \"%s\" does not say \"%s\"", err.msg,
			 want_in_err);
	return rc;
}

#define PREP_BAD(msg, code, why)                                               \
	assert_int_equal(prep_rc(msg, strlen(msg), why), code)

/* td_send_prepare */

static void
send_prepare_bare_lf_becomes_crlf(void **state)
{
	const char *in = "From: a@example.org\n"
			 "Date: Mon, 01 Jan 2024 00:00:00 +0000\r\n"
			 "Message-ID: <x@example.org>\n"
			 "\n"
			 "one\n.\n..two\r\n.three\n\nlast";
	const char *want = "From: a@example.org\r\n"
			   "Date: Mon, 01 Jan 2024 00:00:00 +0000\r\n"
			   "Message-ID: <x@example.org>\r\n"
			   "\r\n"
			   "one\r\n.\r\n..two\r\n.three\r\n\r\nlast\r\n";
	struct td_send_msg m;
	struct td_error err = {0};

	(void)state;
	assert_int_equal(td_send_prepare(&m, in, strlen(in), &err), 0);
	assert_int_equal(m.len, strlen(want));
	assert_memory_equal(m.data, want, m.len);
	assert_string_equal(m.message_id, "<x@example.org>");
	assert_int_equal(m.nr_to, 0);
	td_send_msg_release(&m);
}

static void
send_prepare_reads_message_id_and_recipients(void **state)
{
	const char *in = "From: Reporter <reporter@example.org>\r\n"
			 "To: Abuse <abuse@EXAMPLE.net>, noc@example.com\r\n"
			 "Cc: \"CERT, national\" <cert@example.de>\r\n"
			 "Date: Mon, 01 Jan 2024 00:00:00 +0000\r\n"
			 "Message-ID:\r\n <case-7.r2@takedown.example.org>\r\n"
			 "\r\nbody\r\n";
	struct td_send_msg m;
	struct td_error err = {0};

	(void)state;
	assert_int_equal(td_send_prepare(&m, in, strlen(in), &err), 0);
	assert_string_equal(m.message_id, "<case-7.r2@takedown.example.org>");
	assert_int_equal(m.nr_to, 3);
	assert_string_equal(m.to[0], "abuse@example.net");
	assert_string_equal(m.to[1], "noc@example.com");
	assert_string_equal(m.to[2], "cert@example.de");
	td_send_msg_release(&m);
}

static void
send_prepare_headers_only_message_passes(void **state)
{
	(void)state;
	assert_int_equal(prep_rc(HDR, strlen(HDR), NULL), 0);
}

static void
send_prepare_refuses_nul_and_bare_cr(void **state)
{
	static const char nul[] = HDR "\r\nbody\0more\r\n";

	(void)state;
	assert_int_equal(
	    prep_rc(nul, sizeof(nul) - 1, "line 7: RFC 5322 2.3: NUL"),
	    TD_EPARSE);
	PREP_BAD(HDR "\r\nbody\rmore\r\n", TD_EPARSE,
		 "line 7: RFC 5322 2.3: bare CR");
	PREP_BAD(HDR "\r\nbody\r", TD_EPARSE, "bare CR");
	PREP_BAD(HDR "\r\n.\r.\r\n", TD_EPARSE, "bare CR");
}

static void
send_prepare_line_length_limit(void **state)
{
	char *msg = malloc(sizeof(HDR) + 2 + 1000 + 3);
	size_t h = strlen(HDR);

	(void)state;
	memcpy(msg, HDR "\r\n", h + 2);
	memset(msg + h + 2, 'x', 998);
	memcpy(msg + h + 2 + 998, "\r\n", 3);
	assert_int_equal(prep_rc(msg, strlen(msg), NULL), 0);
	/* 998 with a bare LF, and without any line end */
	msg[h + 2 + 998] = '\n';
	msg[h + 2 + 999] = '\0';
	assert_int_equal(prep_rc(msg, strlen(msg), NULL), 0);
	msg[h + 2 + 998] = '\0';
	assert_int_equal(prep_rc(msg, strlen(msg), NULL), 0);
	/* 999 */
	msg[h + 2 + 998] = 'x';
	memcpy(msg + h + 2 + 999, "\r\n", 3);
	assert_int_equal(prep_rc(msg, strlen(msg),
				 "line 7: RFC 5322 2.1.1: longer than 998"),
			 TD_EPARSE);
	free(msg);
}

static void
send_prepare_size_limit(void **state)
{
	size_t len = TD_SEND_MAX_SIZE + 1, i;
	char *msg = malloc(len);

	(void)state;
	assert_non_null(msg);
	memcpy(msg, HDR "\r\n", strlen(HDR) + 2);
	for (i = strlen(HDR) + 2; i < len; i++)
		msg[i] = i % 80 == 79 ? '\n' : 'a';
	assert_int_equal(prep_rc(msg, len, "larger than"), TD_ELIMIT);
	/* under the limit in LF form, over it once LF becomes CRLF */
	assert_int_equal(prep_rc(msg, len - 1000, "larger than"), TD_ELIMIT);
	free(msg);
}

static void
send_prepare_header_rules(void **state)
{
	(void)state;
	PREP_BAD("\r\n" HDR, TD_EPARSE, "no From field");
	PREP_BAD("From: a@example.org\r\nMessage-ID: <a@b.example>\r\n\r\nx",
		 TD_EPARSE, "no Date field");
	PREP_BAD("From: a@example.org\r\n"
		 "Date: Mon, 01 Jan 2024 00:00:00 +0000\r\n\r\nx",
		 TD_EPARSE, "no Message-ID field");
	PREP_BAD(HDR "From: b@example.org\r\n\r\nx", TD_EPARSE,
		 "line 6: RFC 5322 3.6: more than one From");
	PREP_BAD(HDR "to: b@example.org\r\n\r\nx", TD_EPARSE,
		 "more than one To");
	PREP_BAD(HDR "Message-ID: <y@example.org>\r\n\r\nx", TD_EPARSE,
		 "more than one Message-ID");
	PREP_BAD(HDR "Bcc: hidden@example.org\r\n\r\nx", TD_EINVAL,
		 "line 6: refused: a Bcc field");
	PREP_BAD(HDR "Resent-To: other@example.org\r\n\r\nx", TD_EINVAL,
		 "Resent-To");
	PREP_BAD(" folded: x\r\n" HDR "\r\nx", TD_EPARSE,
		 "line 1: RFC 5322 2.2: header section starts");
	PREP_BAD("From x@example.org Mon Jan  1 00:00:00 2024\r\n" HDR "\r\nx",
		 TD_EPARSE, "line 1: RFC 5322 2.2: not a header field");
	PREP_BAD(".\r\n" HDR "\r\nx", TD_EPARSE, "not a header field");
	PREP_BAD(HDR "X-Empty name:\r\n\r\nx", TD_EPARSE, "not a header field");
	PREP_BAD(HDR ": no name\r\n\r\nx", TD_EPARSE, "not a header field");
	PREP_BAD(HDR "X-Note: a\r\n \r\nBcc: x@evil.example\r\n\r\nx",
		 TD_EPARSE, "line 7: RFC 5322 3.2.2: a header line of white");
	PREP_BAD(HDR "X-Note: caf\xc3\xa9\r\n\r\nx", TD_EPARSE,
		 "line 6: RFC 5322 2.2: non-ASCII byte in the X-Note field");
	PREP_BAD(HDR "X-Note: \x1b[2J\r\n\r\nx", TD_EPARSE,
		 "line 6: RFC 5322 2.2: control character 0x1b in the X-Note");
	PREP_BAD(HDR "X-Note: a\r\n\tb\x7f\r\n\r\nx", TD_EPARSE,
		 "control character 0x7f");
	assert_int_equal(prep_rc(HDR "X-Note: a\r\n\tb\r\n\r\nx",
				 strlen(HDR "X-Note: a\r\n\tb\r\n\r\nx"), NULL),
			 0);
}

static void
send_prepare_address_fields_checked(void **state)
{
	(void)state;
	PREP_BAD("From: a@example.org\r\nTo: \"a@x.com>\"@y.com\r\n"
		 "Date: Mon, 01 Jan 2024 00:00:00 +0000\r\n"
		 "Message-ID: <a@b.example>\r\n\r\nx",
		 TD_EINVAL, "line 2: To field: ");
	PREP_BAD("From: a@example.org\r\nTo: user@good.com(x)evil.com\r\n"
		 "Date: Mon, 01 Jan 2024 00:00:00 +0000\r\n"
		 "Message-ID: <a@b.example>\r\n\r\nx",
		 TD_EINVAL, "To field");
	PREP_BAD("From: a@b@example.org\r\n"
		 "Date: Mon, 01 Jan 2024 00:00:00 +0000\r\n"
		 "Message-ID: <a@b.example>\r\n\r\nx",
		 TD_EINVAL, "From field");
	PREP_BAD("From: a@example.org\r\nCc: undisclosed-recipients:;\r\n"
		 "Date: Mon, 01 Jan 2024 00:00:00 +0000\r\n"
		 "Message-ID: <a@b.example>\r\n\r\nx",
		 TD_EINVAL, "Cc field");
	PREP_BAD("From: a@example.org\r\nReply-To: x@example.org\r\n"
		 " (comment)\r\n"
		 "Date: Mon, 01 Jan 2024 00:00:00 +0000\r\n"
		 "Message-ID: <a@b.example>\r\n\r\nx",
		 TD_EINVAL, "Reply-To field");
	PREP_BAD(
	    "From: a@example.org\r\nSender: a@example.org, b@example.org\r\n"
	    "Date: Mon, 01 Jan 2024 00:00:00 +0000\r\n"
	    "Message-ID: <a@b.example>\r\n\r\nx",
	    TD_EPARSE, "Sender holds one mailbox");
}

static void
send_prepare_message_id_syntax(void **state)
{
	static const char *const bad[] = {
	    "x@example.org",
	    "<x@example.org",
	    "<x example@org>",
	    "<@example.org>",
	    "<x@>",
	    "<x@y@z>",
	    "<x@example.org> <y@example.org>",
	    "<xexample.org>",
	    "<x@exa\"mple>",
	};
	char buf[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(buf, sizeof(buf),
			 "From: a@example.org\r\n"
			 "Date: Mon, 01 Jan 2024 00:00:00 +0000\r\n"
			 "Message-ID: %s\r\n\r\nx",
			 bad[i]);
		if (prep_rc(buf, strlen(buf), "malformed Message-ID") !=
		    TD_EPARSE)
			fail_msg("Message-ID %s accepted", bad[i]);
	}
}

/* SMTP: a minimal responder in a thread */

enum fake_mode {
	FAKE_OK,	    /* 250 after the data */
	FAKE_REJECT_DATA,   /* 554 after the data */
	FAKE_STALL_DATA,    /* no answer after the data */
	FAKE_CLOSE_DATA,    /* close after the data */
	FAKE_STALL_GREETING /* never greets */
};

struct fake {
	int lfd;
	unsigned port;
	enum fake_mode mode;
	char data[1 << 16]; /* DATA as received, through "\r\n.\r\n" */
	size_t len;
	char cmds[4096]; /* the commands, one a line */
	size_t cmdlen;
	pthread_t th;
};

static void
say(int fd, const char *s)
{
	if (write(fd, s, strlen(s)) < 0)
		return;
}

static void *
fake_main(void *arg)
{
	struct fake *f = arg;
	char buf[4096], line[1024];
	size_t ll = 0;
	int fd = accept(f->lfd, NULL, NULL), in_data = 0;
	ssize_t n;

	if (fd < 0)
		return NULL;
	if (f->mode == FAKE_STALL_GREETING) {
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
		return NULL;
	}
	say(fd, "220 fake.test ESMTP\r\n");
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		ssize_t i;

		for (i = 0; i < n; i++) {
			if (in_data) {
				if (f->len < sizeof(f->data))
					f->data[f->len++] = buf[i];
				if (f->len >= 5 && !memcmp(f->data + f->len - 5,
							   "\r\n.\r\n", 5)) {
					in_data = 0;
					if (f->mode == FAKE_OK)
						say(fd, "250 2.0.0 Ok: queued "
							"as FAKE1\r\n");
					else if (f->mode == FAKE_REJECT_DATA)
						say(fd, "554 5.7.1 spam "
							"rejected\r\n");
					else if (f->mode == FAKE_CLOSE_DATA)
						goto done;
				}
				continue;
			}
			if (ll + 1 < sizeof(line))
				line[ll++] = buf[i];
			if (buf[i] != '\n')
				continue;
			line[ll] = '\0';
			if (f->cmdlen + ll < sizeof(f->cmds)) {
				memcpy(f->cmds + f->cmdlen, line, ll);
				f->cmdlen += ll;
			}
			ll = 0;
			if (!strncmp(line, "EHLO", 4))
				say(fd, "250-fake.test\r\n250-SIZE 100000\r\n"
					"250 8BITMIME\r\n");
			else if (!strncmp(line, "MAIL", 4) ||
				 !strncmp(line, "RCPT", 4))
				say(fd, "250 2.1.0 Ok\r\n");
			else if (!strncmp(line, "DATA", 4)) {
				say(fd, "354 go ahead\r\n");
				in_data = 1;
			} else if (!strncmp(line, "QUIT", 4)) {
				say(fd, "221 2.0.0 Bye\r\n");
				goto done;
			} else
				say(fd, "502 5.5.2 no\r\n");
		}
	}
done:
	close(fd);
	return NULL;
}

static void
fake_start(struct fake *f, enum fake_mode mode)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);

	memset(f, 0, sizeof(*f));
	f->mode = mode;
	f->lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(f->lfd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(f->lfd, 4), 0);
	getsockname(f->lfd, (struct sockaddr *)&a, &al);
	f->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&f->th, NULL, fake_main, f), 0);
}

static void
fake_stop(struct fake *f)
{
	shutdown(f->lfd, SHUT_RDWR);
	pthread_join(f->th, NULL);
	close(f->lfd);
}

static int
fake_send(struct fake *f, struct td_send_result *res, const char *msg,
	  unsigned timeout_ms, struct td_error *err)
{
	struct td_send_opts o = TD_SEND_OPTS_INIT;
	const char *rcpt[] = {"abuse@example.net"};
	char url[64];

	snprintf(url, sizeof(url), "smtp://127.0.0.1:%u", f->port);
	o.url = url;
	o.tls = TD_SEND_TLS_NONE;
	o.timeout_ms = timeout_ms;
	return td_send(res, &o, "reporter@example.org", rcpt, 1, msg,
		       strlen(msg), err);
}

/* Undo the dot-stuffing of DATA and drop its final ".". */
static size_t
unstuff(char *out, const char *wire, size_t len)
{
	size_t i = 0, o = 0;

	assert_true(len >= 5);
	assert_memory_equal(wire + len - 5, "\r\n.\r\n", 5);
	len -= 3;
	while (i < len) {
		if (wire[i] == '.' && (i == 0 || wire[i - 1] == '\n')) {
			/* a line start: a "." here must be doubled */
			assert_int_equal(wire[i + 1], '.');
			i++;
		}
		out[o++] = wire[i++];
	}
	return o;
}

static void
send_smtp_dots_and_bare_lf_on_the_wire(void **state)
{
	const char *body = "\r\n"
			   "first\n.\nsecond\r\n.\r\n"
			   "..two dots\n.leading\n"
			   "QUIT\n.\n\n.\r\n"
			   "RCPT TO:<x@evil.example>\r\n"
			   "last line without end\n.";
	struct fake f;
	struct td_send_result res;
	struct td_send_msg m;
	struct td_error err = {0};
	char *msg = malloc(strlen(HDR) + strlen(body) + 1);
	char plain[1 << 16];
	size_t i, n;

	(void)state;
	memcpy(msg, HDR, strlen(HDR));
	memcpy(msg + strlen(HDR), body, strlen(body) + 1);
	fake_start(&f, FAKE_OK);
	if (fake_send(&f, &res, msg, 5000, &err))
		fail_msg("send: %s", err.msg);
	fake_stop(&f);
	assert_string_equal(res.reply, "250 2.0.0 Ok: queued as FAKE1");
	assert_string_equal(res.message_id, "<case-1.r1@takedown.example.org>");
	assert_false(res.uncertain);
	/* CRLF only: every LF on the wire follows a CR */
	for (i = 0; i < f.len; i++)
		if (f.data[i] == '\n')
			assert_true(i > 0 && f.data[i - 1] == '\r');
	/* exactly one end of data: the last five bytes */
	for (i = 0; i + 5 < f.len; i++)
		assert_memory_not_equal(f.data + i, "\r\n.\r\n", 5);
	/* unstuffed, the wire is the prepared message */
	assert_int_equal(td_send_prepare(&m, msg, strlen(msg), &err), 0);
	n = unstuff(plain, f.data, f.len);
	assert_int_equal(n, m.len);
	assert_memory_equal(plain, m.data, n);
	/* the envelope */
	assert_non_null(strstr(f.cmds, "MAIL FROM:<reporter@example.org>"));
	assert_non_null(strstr(f.cmds, "RCPT TO:<abuse@example.net>\r\n"));
	assert_null(strstr(f.cmds, "evil"));
	td_send_msg_release(&m);
	td_send_result_release(&res);
	free(msg);
}

static void
send_smtp_rejected_data_is_not_uncertain(void **state)
{
	struct fake f;
	struct td_send_result res;
	struct td_error err = {0};
	int rc;

	(void)state;
	fake_start(&f, FAKE_REJECT_DATA);
	rc = fake_send(&f, &res, HDR "\r\nhello\r\n", 5000, &err);
	fake_stop(&f);
	assert_int_equal(rc, TD_EIO);
	assert_false(res.uncertain);
	assert_string_equal(res.reply, "554 5.7.1 spam rejected");
	assert_non_null(strstr(err.msg, "554 5.7.1 spam rejected"));
	assert_null(strchr(err.msg, '\n'));
	td_send_result_release(&res);
}

static void
send_smtp_no_answer_after_data_is_uncertain(void **state)
{
	struct fake f;
	struct td_send_result res;
	struct td_error err = {0};
	long long t0 = now_ms();
	int rc;

	(void)state;
	fake_start(&f, FAKE_STALL_DATA);
	rc = fake_send(&f, &res, HDR "\r\nhello\r\n", 800, &err);
	fake_stop(&f);
	assert_int_equal(rc, TD_EIO);
	assert_true(now_ms() - t0 < 3000);
	assert_true(res.uncertain);
	assert_non_null(strstr(err.msg, "timed out"));
	assert_non_null(strstr(err.msg, "may have been delivered"));
	td_send_result_release(&res);

	fake_start(&f, FAKE_CLOSE_DATA);
	rc = fake_send(&f, &res, HDR "\r\nhello\r\n", 5000, &err);
	fake_stop(&f);
	assert_int_equal(rc, TD_EIO);
	assert_true(res.uncertain);
	assert_non_null(strstr(err.msg, "may have been delivered"));
	td_send_result_release(&res);
}

static void
send_smtp_silent_server_times_out_certain(void **state)
{
	struct fake f;
	struct td_send_result res;
	struct td_error err = {0};
	long long t0 = now_ms();
	int rc;

	(void)state;
	fake_start(&f, FAKE_STALL_GREETING);
	rc = fake_send(&f, &res, HDR "\r\nhello\r\n", 700, &err);
	fake_stop(&f);
	assert_int_equal(rc, TD_EIO);
	assert_true(now_ms() - t0 < 3000);
	assert_false(res.uncertain);
	assert_non_null(strstr(err.msg, "timed out after"));
	assert_null(strstr(err.msg, "delivered"));
	td_send_result_release(&res);
}

static void
send_smtp_options_checked(void **state)
{
	struct td_send_opts o = TD_SEND_OPTS_INIT;
	struct td_send_result res;
	struct td_error err = {0};
	const char *rcpt[] = {"abuse@example.net"};
	const char *bad_rcpt[] = {"\"a@x.com>\"@y.com"};
	const char *msg = HDR "\r\nx\r\n";
	static const char *const urls[] = {
	    "http://127.0.0.1:25",
	    "smtp://u:p@127.0.0.1:25",
	    "smtp://127.0.0.1:25/helo",
	    "smtp://127.0.0.1:25/?x",
	    "127.0.0.1:25",
	    "smtp://",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		o.url = urls[i];
		if (td_send(&res, &o, "a@example.org", rcpt, 1, msg,
			    strlen(msg), &err) != TD_EINVAL)
			fail_msg("URL %s accepted", urls[i]);
		td_send_result_release(&res);
	}
	o.url = "smtp://127.0.0.1:1";
	/* no sender, no recipient, a bad one */
	assert_int_equal(
	    td_send(&res, &o, NULL, rcpt, 1, msg, strlen(msg), &err),
	    TD_EINVAL);
	td_send_result_release(&res);
	assert_int_equal(
	    td_send(&res, &o, "a@example.org", rcpt, 0, msg, strlen(msg), &err),
	    TD_EINVAL);
	td_send_result_release(&res);
	assert_int_equal(td_send(&res, &o, "a@example.org", bad_rcpt, 1, msg,
				 strlen(msg), &err),
			 TD_EINVAL);
	assert_non_null(strstr(err.msg, "envelope recipient: "));
	td_send_result_release(&res);
	assert_int_equal(td_send(&res, &o, "a@example.org\r\nRCPT TO:<x@y.z>",
				 rcpt, 1, msg, strlen(msg), &err),
			 TD_EINVAL);
	assert_non_null(strstr(err.msg, "envelope sender: "));
	td_send_result_release(&res);
	/* AUTH without TLS */
	o.user = "u";
	o.password = "p";
	o.tls = TD_SEND_TLS_OPPORTUNISTIC;
	assert_int_equal(
	    td_send(&res, &o, "a@example.org", rcpt, 1, msg, strlen(msg), &err),
	    TD_EINVAL);
	assert_non_null(strstr(err.msg, "AUTH needs TLS"));
	td_send_result_release(&res);
	/* a bad EHLO name */
	o.user = NULL;
	o.helo = "evil\r\nRCPT TO:<x@y.z>";
	assert_int_equal(
	    td_send(&res, &o, "a@example.org", rcpt, 1, msg, strlen(msg), &err),
	    TD_EINVAL);
	td_send_result_release(&res);
}

static void
send_smtp_refused_connection_is_clear(void **state)
{
	struct td_send_opts o = TD_SEND_OPTS_INIT;
	struct td_send_result res;
	struct td_error err = {0};
	const char *rcpt[] = {"abuse@example.net"};
	const char *msg = HDR "\r\nx\r\n";
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	char url[64];
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	(void)state;
	/* a port that was free a moment ago */
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (struct sockaddr *)&a, sizeof(a));
	getsockname(fd, (struct sockaddr *)&a, &al);
	close(fd);
	snprintf(url, sizeof(url), "smtp://127.0.0.1:%u", ntohs(a.sin_port));
	o.url = url;
	assert_int_equal(
	    td_send(&res, &o, "a@example.org", rcpt, 1, msg, strlen(msg), &err),
	    TD_EIO);
	assert_non_null(strstr(err.msg, "cannot connect"));
	assert_non_null(strstr(err.msg, url));
	assert_false(res.uncertain);
	assert_string_equal(res.server, url);
	td_send_result_release(&res);
}

/* sendmail */

static char g_dir[64];

static void
write_script(const char *name, const char *body)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", g_dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	chmod(path, 0755);
}

static int
setup_dir(void **state)
{
	(void)state;
	snprintf(g_dir, sizeof(g_dir), "/tmp/td-send-XXXXXX");
	if (!mkdtemp(g_dir))
		return -1;
	return 0;
}

static int
teardown_dir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_dir);
	return system(cmd) == 0 ? 0 : -1;
}

static char *
slurp(const char *name, size_t *len)
{
	char path[128];
	FILE *f;
	char *buf = malloc(1 << 20);

	snprintf(path, sizeof(path), "%s/%s", g_dir, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	*len = fread(buf, 1, (1 << 20) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static int
sendmail_run(struct td_send_result *res, const char *prog, const char *from,
	     const char *const *rcpt, size_t nr, const char *msg, size_t len,
	     unsigned timeout_ms, struct td_error *err)
{
	struct td_send_opts o = TD_SEND_OPTS_INIT;
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", g_dir, prog);
	o.via = TD_SEND_SENDMAIL;
	o.sendmail = prog[0] == '/' || prog[0] == '.' ? prog : path;
	o.timeout_ms = timeout_ms;
	return td_send(res, &o, from, rcpt, nr, msg, len, err);
}

static void
sendmail_gets_lf_message_and_argv(void **state)
{
	const char *msg = HDR "\r\nline\n.\n..x\r\n.\r\nend";
	const char *want_in = "From: Reporter <reporter@example.org>\n"
			      "To: Abuse Desk <abuse@example.net>\n"
			      "Subject: phishing at example.net\n"
			      "Date: Mon, 01 Jan 2024 00:00:00 +0000\n"
			      "Message-ID: <case-1.r1@takedown.example.org>\n"
			      "\nline\n.\n..x\n.\nend\n";
	const char *rcpt[] = {"abuse@EXAMPLE.net"};
	struct td_send_result res;
	struct td_error err = {0};
	char script[512], *got;
	size_t len;

	(void)state;
	snprintf(script, sizeof(script),
		 "for a in \"$@\"; do printf '[%%s]' \"$a\"; done >'%s/argv'\n"
		 "cat >'%s/stdin'\n"
		 "echo 'queued as 1234'",
		 g_dir, g_dir);
	write_script("ok.sh", script);
	if (sendmail_run(&res, "ok.sh", "reporter@example.org", rcpt, 1, msg,
			 strlen(msg), 5000, &err))
		fail_msg("%s", err.msg);
	assert_string_equal(res.reply, "exit 0: queued as 1234");
	assert_string_equal(res.message_id, "<case-1.r1@takedown.example.org>");
	assert_non_null(strstr(res.server, "/ok.sh"));
	got = slurp("argv", &len);
	assert_string_equal(got, "[-i][-t][-f][reporter@example.org]");
	free(got);
	got = slurp("stdin", &len);
	assert_string_equal(got, want_in);
	free(got);
	td_send_result_release(&res);
	/* without a sender: no -f */
	assert_int_equal(sendmail_run(&res, "ok.sh", NULL, rcpt, 1, msg,
				      strlen(msg), 5000, &err),
			 0);
	got = slurp("argv", &len);
	assert_string_equal(got, "[-i][-t]");
	free(got);
	td_send_result_release(&res);
}

static void
sendmail_failure_exit_is_clear(void **state)
{
	const char *msg = HDR "\r\nhi\r\n";
	const char *rcpt[] = {"abuse@example.net"};
	struct td_send_result res;
	struct td_error err = {0};

	(void)state;
	write_script("nouser.sh",
		     "cat >/dev/null\n"
		     "echo 'sendmail: warning: first' >&2\n"
		     "echo 'abuse@example.net... User unknown' >&2\n"
		     "exit 67");
	assert_int_equal(sendmail_run(&res, "nouser.sh", "a@example.org", rcpt,
				      1, msg, strlen(msg), 5000, &err),
			 TD_EIO);
	assert_non_null(strstr(err.msg, "exit 67 (EX_NOUSER): "
					"abuse@example.net... User unknown"));
	assert_string_equal(res.reply,
			    "exit 67: abuse@example.net... User unknown");
	assert_false(res.uncertain);
	td_send_result_release(&res);
}

static void
sendmail_missing_or_relative_program(void **state)
{
	const char *msg = HDR "\r\nhi\r\n";
	const char *rcpt[] = {"abuse@example.net"};
	struct td_send_result res;
	struct td_error err = {0};

	(void)state;
	assert_int_equal(sendmail_run(&res, "/nonexistent/sendmail", NULL, rcpt,
				      1, msg, strlen(msg), 5000, &err),
			 TD_EIO);
	assert_non_null(strstr(err.msg, "cannot run /nonexistent/sendmail: "
					"No such file or directory"));
	td_send_result_release(&res);
	assert_int_equal(sendmail_run(&res, "./sendmail", NULL, rcpt, 1, msg,
				      strlen(msg), 5000, &err),
			 TD_EINVAL);
	assert_non_null(strstr(err.msg, "absolute path"));
	td_send_result_release(&res);
}

static void
sendmail_recipients_must_match_headers(void **state)
{
	const char *msg = HDR "Cc: cert@example.de\r\n\r\nhi\r\n";
	const char *two[] = {"cert@example.de", "abuse@example.net"};
	const char *one[] = {"abuse@example.net"};
	const char *other[] = {"abuse@example.net", "x@example.de"};
	struct td_send_result res;
	struct td_error err = {0};

	(void)state;
	write_script("true.sh", "cat >/dev/null");
	assert_int_equal(sendmail_run(&res, "true.sh", NULL, two, 2, msg,
				      strlen(msg), 5000, &err),
			 0);
	td_send_result_release(&res);
	assert_int_equal(sendmail_run(&res, "true.sh", NULL, one, 1, msg,
				      strlen(msg), 5000, &err),
			 TD_EINVAL);
	assert_non_null(strstr(err.msg, "differ from the message's To and Cc"));
	td_send_result_release(&res);
	assert_int_equal(sendmail_run(&res, "true.sh", NULL, other, 2, msg,
				      strlen(msg), 5000, &err),
			 TD_EINVAL);
	td_send_result_release(&res);
}

static void
sendmail_stall_is_killed_at_the_deadline(void **state)
{
	const char *msg = HDR "\r\nhi\r\n";
	const char *rcpt[] = {"abuse@example.net"};
	struct td_send_result res;
	struct td_error err = {0};
	long long t0 = now_ms();

	(void)state;
	write_script("stall.sh", "cat >/dev/null\nexec sleep 30");
	assert_int_equal(sendmail_run(&res, "stall.sh", NULL, rcpt, 1, msg,
				      strlen(msg), 600, &err),
			 TD_EIO);
	assert_true(now_ms() - t0 < 3000);
	assert_non_null(strstr(err.msg, "timed out after 600 ms"));
	assert_true(res.uncertain);
	td_send_result_release(&res);
}

static void
sendmail_that_stops_reading_fails(void **state)
{
	const char *rcpt[] = {"abuse@example.net"};
	struct td_send_result res;
	struct td_error err = {0};
	size_t h = strlen(HDR), len = h + 2 + 400 * 1000, i;
	char *msg = malloc(len + 1);

	(void)state;
	memcpy(msg, HDR "\r\n", h + 2);
	for (i = h + 2; i < len; i++)
		msg[i] = (i % 100) == 99 ? '\n' : 'z';
	msg[len] = '\0';
	write_script("early.sh", "head -c 10 >/dev/null\nexit 0");
	assert_int_equal(
	    sendmail_run(&res, "early.sh", NULL, rcpt, 1, msg, len, 5000, &err),
	    TD_EIO);
	assert_non_null(strstr(err.msg, "stopped reading the message"));
	td_send_result_release(&res);
	/* and we are still alive: SIGPIPE was not ours to die of */
	free(msg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(send_prepare_bare_lf_becomes_crlf),
	    cmocka_unit_test(send_prepare_reads_message_id_and_recipients),
	    cmocka_unit_test(send_prepare_headers_only_message_passes),
	    cmocka_unit_test(send_prepare_refuses_nul_and_bare_cr),
	    cmocka_unit_test(send_prepare_line_length_limit),
	    cmocka_unit_test(send_prepare_size_limit),
	    cmocka_unit_test(send_prepare_header_rules),
	    cmocka_unit_test(send_prepare_address_fields_checked),
	    cmocka_unit_test(send_prepare_message_id_syntax),
	    cmocka_unit_test(send_smtp_dots_and_bare_lf_on_the_wire),
	    cmocka_unit_test(send_smtp_rejected_data_is_not_uncertain),
	    cmocka_unit_test(send_smtp_no_answer_after_data_is_uncertain),
	    cmocka_unit_test(send_smtp_silent_server_times_out_certain),
	    cmocka_unit_test(send_smtp_options_checked),
	    cmocka_unit_test(send_smtp_refused_connection_is_clear),
	    cmocka_unit_test(sendmail_gets_lf_message_and_argv),
	    cmocka_unit_test(sendmail_failure_exit_is_clear),
	    cmocka_unit_test(sendmail_missing_or_relative_program),
	    cmocka_unit_test(sendmail_recipients_must_match_headers),
	    cmocka_unit_test(sendmail_stall_is_killed_at_the_deadline),
	    cmocka_unit_test(sendmail_that_stops_reading_fails),
	};
	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
