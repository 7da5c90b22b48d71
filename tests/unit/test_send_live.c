/*
 * send against a real SMTP server on 127.0.0.1: Postfix, started by
 * tests/e2e/t0800-send.sh (start_smtpd in tests/e2e/lib.sh), which
 * passes it in
 *
 *   TD_TEST_SMTP_PORT        STARTTLS offered, AUTH after STARTTLS
 *   TD_TEST_SMTPS_PORT       implicit TLS
 *   TD_TEST_SMTP_AUTH_PORT   STARTTLS and AUTH required
 *   TD_TEST_SMTP_NOTLS_PORT  plain only
 *   TD_TEST_SMTP_CA          the CA of the server's certificate
 *   TD_TEST_SMTP_USER, TD_TEST_SMTP_PASS
 *   TD_TEST_MAILDIR          where Postfix delivers (new/ below it)
 *   TD_TEST_EXPECT           a folder: each message accepted is written
 *                            there as sent (NN.eml), for the shell's
 *                            second parser (python3 email) to compare
 *   TD_TEST_SENDMAIL         optional: a sendmail-compatible program
 *                            (msmtp through a wrapper) submitting to
 *                            the same server
 *
 * Each accepted message is looked for in the Maildir by its Message-ID
 * and must be there byte for byte as sent, once the server's own trace
 * fields (Return-Path, X-Original-To, Delivered-To, Received) are taken
 * off the top and its LF line ends made CRLF again.  A test whose server
 * is not given skips, saying which variable is unset.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "send.h"

#define FROM "reporter@takedown.test"

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *
need(const char *var)
{
	const char *v = getenv(var);

	if (!v || !*v) {
		printf("# %s unset: start the server with "
		       "tests/e2e/t0800-send.sh\n",
		       var);
		skip();
	}
	return v;
}

static char g_url[128];

static const char *
url(const char *scheme, const char *port_var)
{
	snprintf(g_url, sizeof(g_url), "%s://127.0.0.1:%s", scheme,
		 need(port_var));
	return g_url;
}

static unsigned g_seq;

/* A message with a fresh Message-ID: headers, then body as given. */
static char *
make_msg(char *id, size_t idlen, const char *subject, const char *extra,
	 const char *body)
{
	struct td_buf b = TD_BUF_INIT;

	/* skip before allocating: a skip() leaves the test at once */
	need("TD_TEST_MAILDIR");
	snprintf(id, idlen, "<live-%ld-%u.%u@takedown.test>", (long)getpid(),
		 ++g_seq, (unsigned)time(NULL));
	td_buf_printf(&b,
		      "From: Takedown Reporter <" FROM ">\r\n"
		      "To: Abuse Desk <abuse@registrar.example>\r\n"
		      "Subject: %s\r\n"
		      "Date: Mon, 01 Jan 2024 00:00:00 +0000\r\n"
		      "Message-ID: %s\r\n"
		      "%s"
		      "\r\n",
		      subject, id, extra ? extra : "");
	td_buf_adds(&b, body);
	assert_false(td_buf_failed(&b));
	return td_buf_detach(&b, NULL);
}

/* Read a whole file; NULL if it cannot be read. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct td_buf b = TD_BUF_INIT;
	char tmp[8192];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		td_buf_add(&b, tmp, n);
	fclose(f);
	return td_buf_detach(&b, len);
}

/* The Maildir file holding Message-ID id, waited for up to 15 s. */
static char *
find_delivered(const char *id, size_t *len)
{
	const char *md = need("TD_TEST_MAILDIR");
	char dir[512], path[1024], needle[300];
	long long end = now_ms() + 15000;

	snprintf(dir, sizeof(dir), "%s/new", md);
	snprintf(needle, sizeof(needle), "\nMessage-ID: %s\n", id);
	do {
		DIR *d = opendir(dir);
		struct dirent *de;

		while (d && (de = readdir(d))) {
			char *s;

			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			s = slurp(path, len);
			if (s && strstr(s, needle)) {
				closedir(d);
				return s;
			}
			free(s);
		}
		if (d)
			closedir(d);
		usleep(50000);
	} while (now_ms() < end);
	return NULL;
}

/* Count the Maildir files that hold needle (in their header section
   only, with header_only). */
static int
count_in(const char *needle, int header_only)
{
	char dir[512], path[1024];
	DIR *d;
	struct dirent *de;
	int n = 0;

	snprintf(dir, sizeof(dir), "%s/new", need("TD_TEST_MAILDIR"));
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		size_t len;
		char *s;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		s = slurp(path, &len);
		if (s && header_only && strstr(s, "\n\n"))
			strstr(s, "\n\n")[1] = '\0';
		if (s && strstr(s, needle))
			n++;
		free(s);
	}
	if (d)
		closedir(d);
	return n;
}

static int
count_delivered(const char *needle)
{
	return count_in(needle, 0);
}

static int
is_trace(const char *line)
{
	static const char *const names[] = {
	    "Return-Path:", "X-Original-To:", "Delivered-To:", "Received:"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strncasecmp(line, names[i], strlen(names[i])))
			return 1;
	return 0;
}

/*
 * The delivered copy must be the prepared message: drop the trace fields
 * the server put on top, turn LF into CRLF, compare.
 */
static void
check_delivered(const char *msg, const char *id)
{
	struct td_send_msg m;
	struct td_error err = {0};
	struct td_buf b = TD_BUF_INIT;
	size_t len, i;
	char *got = find_delivered(id, &len), *p;

	if (!got)
		fail_msg("%s not delivered to the Maildir", id);
	p = got;
	while (is_trace(p)) { /* a field and its continuation lines */
		do {
			p = strchr(p, '\n');
			assert_non_null(p);
			p++;
		} while (*p == ' ' || *p == '\t');
	}
	for (i = (size_t)(p - got); i < len; i++) {
		if (got[i] == '\n')
			td_buf_addch(&b, '\r');
		td_buf_addch(&b, got[i]);
	}
	assert_int_equal(td_send_prepare(&m, msg, strlen(msg), &err), 0);
	if (b.len != m.len || memcmp(b.ptr, m.data, m.len))
		fail_msg("%s: the Maildir copy differs from what was sent "
			 "(%zu octets, sent %zu)",
			 id, b.len, m.len);
	td_send_msg_release(&m);
	td_buf_release(&b);
	free(got);
}

/* Keep what was sent for the shell's python3 check: NN-R.eml, R the
   number of envelope recipients (Postfix delivers one copy to each). */
static void
keep_expected(const char *msg, size_t nr_rcpt)
{
	const char *dir = getenv("TD_TEST_EXPECT");
	struct td_send_msg m;
	struct td_error err = {0};
	static unsigned n;
	char path[512];
	FILE *f;

	if (!dir || !*dir)
		return;
	assert_int_equal(td_send_prepare(&m, msg, strlen(msg), &err), 0);
	snprintf(path, sizeof(path), "%s/%02u-%zu.eml", dir, ++n, nr_rcpt);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(m.data, 1, m.len, f), m.len);
	fclose(f);
	td_send_msg_release(&m);
}

/* Send msg as o says; it must be accepted and delivered as sent. */
static void
send_ok(const struct td_send_opts *o, const char *msg, const char *id,
	const char *const *rcpt, size_t nr)
{
	static const char *const dflt[] = {"abuse@registrar.example"};
	struct td_send_result res;
	struct td_error err = {0};

	if (!rcpt) {
		rcpt = dflt;
		nr = 1;
	}
	if (td_send(&res, o, FROM, rcpt, nr, msg, strlen(msg), &err))
		fail_msg("send through %s: %s", o->url ? o->url : o->sendmail,
			 err.msg);
	assert_string_equal(res.message_id, id);
	if (o->via == TD_SEND_SMTP) {
		printf("# %s: %s\n", res.server, res.reply);
		assert_non_null(strstr(res.reply, "250 2.0.0 Ok: queued as "));
	}
	assert_false(res.uncertain);
	td_send_result_release(&res);
	keep_expected(msg, nr);
	check_delivered(msg, id);
}

/* Send msg as o says; it must fail, with err holding want. */
static void
send_fails(const struct td_send_opts *o, const char *msg, const char *want,
	   long long max_ms)
{
	const char *rcpt[] = {"abuse@registrar.example"};
	struct td_send_result res;
	struct td_error err = {0};
	long long t0 = now_ms();
	int rc = td_send(&res, o, FROM, rcpt, 1, msg, strlen(msg), &err);

	if (rc == 0)
		fail_msg("send through %s succeeded", o->url);
	printf("# %s\n", err.msg);
	assert_int_equal(rc, TD_EIO);
	if (!strstr(err.msg, want))
		fail_msg("error \"%s\" does not say \"%s\"", err.msg, want);
	assert_null(strchr(err.msg, '\n'));
	if (max_ms && now_ms() - t0 > max_ms)
		fail_msg("took %lld ms, more than %lld", now_ms() - t0, max_ms);
	assert_false(res.uncertain);
	td_send_result_release(&res);
}

static void
live_plain_smtp_delivers(void **state)
{
	struct td_send_opts o = TD_SEND_OPTS_INIT;
	char id[128];
	char *msg = make_msg(id, sizeof(id), "plain", NULL,
			     "Hello over plain SMTP.\r\n");

	(void)state;
	o.url = url("smtp", "TD_TEST_SMTP_NOTLS_PORT");
	o.tls = TD_SEND_TLS_NONE;
	send_ok(&o, msg, id, NULL, 0);
	/* opportunistic: no STARTTLS offered, so plain */
	free(msg);
	msg = make_msg(id, sizeof(id), "opportunistic", NULL, "plain too\r\n");
	o.tls = TD_SEND_TLS_OPPORTUNISTIC;
	send_ok(&o, msg, id, NULL, 0);
	free(msg);
}

static void
live_starttls_with_ca_file(void **state)
{
	struct td_send_opts o = TD_SEND_OPTS_INIT;
	const char *rcpt[] = {"abuse@registrar.example", "noc@host.example"};
	char id[128];
	char *msg = make_msg(id, sizeof(id), "starttls",
			     "Cc: NOC <noc@host.example>\r\n",
			     "Sent over STARTTLS.\r\n");

	(void)state;
	o.url = url("smtp", "TD_TEST_SMTP_PORT");
	o.ca_file = need("TD_TEST_SMTP_CA");
	o.tls = TD_SEND_TLS_REQUIRED;
	send_ok(&o, msg, id, rcpt, 2);
	free(msg);
}

static void
live_smtps_with_ca_file(void **state)
{
	struct td_send_opts o = TD_SEND_OPTS_INIT;
	char id[128];
	char *msg = make_msg(id, sizeof(id), "smtps", NULL,
			     "Sent over implicit TLS.\r\n");

	(void)state;
	o.url = url("smtps", "TD_TEST_SMTPS_PORT");
	o.ca_file = need("TD_TEST_SMTP_CA");
	send_ok(&o, msg, id, NULL, 0);
	free(msg);
}

static void
live_tls_failures_are_clear(void **state)
{
	struct td_send_opts o = TD_SEND_OPTS_INIT;
	char id[128];
	char *msg = make_msg(id, sizeof(id), "never", NULL, "never\r\n");

	(void)state;
	/* STARTTLS required, none offered */
	o.url = url("smtp", "TD_TEST_SMTP_NOTLS_PORT");
	o.tls = TD_SEND_TLS_REQUIRED;
	send_fails(&o, msg, "offers no STARTTLS and TLS is required", 10000);
	/* a certificate the system's CAs do not vouch for */
	o.url = url("smtp", "TD_TEST_SMTP_PORT");
	send_fails(&o, msg, "TLS failed", 10000);
	o.url = url("smtps", "TD_TEST_SMTPS_PORT");
	send_fails(&o, msg, "TLS failed", 10000);
	assert_int_equal(count_delivered(id), 0);
	free(msg);
}

static void
live_auth_plain_after_starttls(void **state)
{
	struct td_send_opts o = TD_SEND_OPTS_INIT;
	char id[128];
	char *msg =
	    make_msg(id, sizeof(id), "auth", NULL, "Sent after AUTH.\r\n");

	(void)state;
	o.url = url("smtp", "TD_TEST_SMTP_AUTH_PORT");
	o.ca_file = need("TD_TEST_SMTP_CA");
	o.user = need("TD_TEST_SMTP_USER");
	o.password = need("TD_TEST_SMTP_PASS");
	send_ok(&o, msg, id, NULL, 0);
	free(msg);
	/* and over smtps */
	msg = make_msg(id, sizeof(id), "auth smtps", NULL, "AUTH on 465\r\n");
	o.url = url("smtps", "TD_TEST_SMTPS_PORT");
	send_ok(&o, msg, id, NULL, 0);
	free(msg);
}

static void
live_auth_failures_are_clear(void **state)
{
	struct td_send_opts o = TD_SEND_OPTS_INIT;
	char id[128];
	char *msg = make_msg(id, sizeof(id), "bad auth", NULL, "never\r\n");

	(void)state;
	o.url = url("smtp", "TD_TEST_SMTP_AUTH_PORT");
	o.ca_file = need("TD_TEST_SMTP_CA");
	o.user = need("TD_TEST_SMTP_USER");
	o.password = "wrong-password";
	send_fails(&o, msg, "authentication failed as", 10000);
	send_fails(&o, msg, "535 5.7.8", 10000);
	/* no AUTH where the server requires it */
	o.user = o.password = NULL;
	send_fails(&o, msg, "refused: 554 5.7.1", 10000);
	assert_int_equal(count_delivered(id), 0);
	free(msg);
}

static void
live_server_down_is_clear_within_timeout(void **state)
{
	struct td_send_opts o = TD_SEND_OPTS_INIT;
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	char id[128], u[64];
	char *msg = make_msg(id, sizeof(id), "down", NULL, "never\r\n");
	int fd;

	(void)state;
	need("TD_TEST_SMTP_PORT");
	/* nothing listens */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	getsockname(fd, (struct sockaddr *)&a, &al);
	close(fd);
	snprintf(u, sizeof(u), "smtp://127.0.0.1:%u", ntohs(a.sin_port));
	o.url = u;
	o.tls = TD_SEND_TLS_NONE;
	o.timeout_ms = 2000;
	send_fails(&o, msg, "cannot connect", 2500);
	/* something listens and never speaks: the deadline ends it */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_port = 0;
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 4), 0);
	al = sizeof(a);
	getsockname(fd, (struct sockaddr *)&a, &al);
	snprintf(u, sizeof(u), "smtp://127.0.0.1:%u", ntohs(a.sin_port));
	send_fails(&o, msg, "timed out after", 3500);
	close(fd);
	free(msg);
}

/* Bodies that would end the DATA early if anything went wrong. */
static const char *const dot_bodies[] = {
    "unix style\n.\nafter a lone dot\n",
    "smtp style\r\n.\r\nafter a lone dot\r\n",
    "mixed\n.\r\nthen\r\n.\nthen\n",
    ".\r\nthe body starts with a dot line\r\n",
    "..two\r\n.one\r\n...three\r\n. space\r\n",
    "smuggling attempt\r\n.\r\nMAIL FROM:<evil@evil.example>\r\n"
    "RCPT TO:<victim@victim.example>\r\nDATA\r\nSubject: smuggled\r\n"
    "\r\nsmuggled body\r\n.\r\nQUIT\r\n",
    "bare LF smuggling\n.\nMAIL FROM:<evil@evil.example>\n"
    "RCPT TO:<victim@victim.example>\nDATA\nSubject: smuggled\n\n"
    "smuggled body\n.\n",
    "last line is a dot without end\r\n.",
    "blank lines\n\n\r\n\n.\n\n",
};

static void
live_dots_and_bare_lf_delivered_intact(void **state)
{
	struct td_send_opts o = TD_SEND_OPTS_INIT;
	char id[128];
	size_t i;

	(void)state;
	o.url = url("smtp", "TD_TEST_SMTP_PORT");
	o.ca_file = need("TD_TEST_SMTP_CA");
	for (i = 0; i < sizeof(dot_bodies) / sizeof(dot_bodies[0]); i++) {
		char subject[32];
		char *msg;

		snprintf(subject, sizeof(subject), "dots %zu", i);
		msg = make_msg(id, sizeof(id), subject, NULL, dot_bodies[i]);
		send_ok(&o, msg, id, NULL, 0);
		free(msg);
	}
	/* nothing was smuggled: no message of its own */
	assert_int_equal(count_in("\nSubject: smuggled\n", 1), 0);
	assert_int_equal(count_in("victim@victim.example", 1), 0);
	assert_int_equal(count_delivered("\nSubject: smuggled\n"), 2);
}

static void
live_8bit_utf8_body(void **state)
{
	struct td_send_opts o = TD_SEND_OPTS_INIT;
	char id[128];
	char *msg = make_msg(id, sizeof(id), "=?utf-8?B?R3LDvMOfZQ==?=",
			     "MIME-Version: 1.0\r\n"
			     "Content-Type: text/plain; charset=utf-8\r\n"
			     "Content-Transfer-Encoding: 8bit\r\n",
			     "Gr\xc3\xbc\xc3\x9f"
			     "e, \xc3\xa7"
			     "a marche \xe2\x80\x94 "
			     "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\r\n"
			     ".\xc3\xa9t\xc3\xa9\r\n");

	(void)state;
	o.url = url("smtp", "TD_TEST_SMTP_PORT");
	o.ca_file = need("TD_TEST_SMTP_CA");
	send_ok(&o, msg, id, NULL, 0);
	free(msg);
}

static void
live_sendmail_t_delivers(void **state)
{
	struct td_send_opts o = TD_SEND_OPTS_INIT;
	const char *rcpt[] = {"abuse@registrar.example", "cert@cert.example"};
	struct td_send_result res;
	struct td_error err = {0};
	char id[128];
	char *msg;

	(void)state;
	o.via = TD_SEND_SENDMAIL;
	o.sendmail = need("TD_TEST_SENDMAIL");
	need("TD_TEST_MAILDIR");
	msg = make_msg(id, sizeof(id), "via sendmail -t",
		       "Cc: CERT <cert@cert.example>\r\n",
		       "local submission\n.\nwith a dot line\r\n..x\n");
	send_ok(&o, msg, id, rcpt, 2);
	/* the same mailboxes in the message as in the envelope, or none */
	assert_int_equal(
	    td_send(&res, &o, FROM, rcpt, 1, msg, strlen(msg), &err),
	    TD_EINVAL);
	td_send_result_release(&res);
	free(msg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(live_plain_smtp_delivers),
	    cmocka_unit_test(live_starttls_with_ca_file),
	    cmocka_unit_test(live_smtps_with_ca_file),
	    cmocka_unit_test(live_tls_failures_are_clear),
	    cmocka_unit_test(live_auth_plain_after_starttls),
	    cmocka_unit_test(live_auth_failures_are_clear),
	    cmocka_unit_test(live_server_down_is_clear_within_timeout),
	    cmocka_unit_test(live_dots_and_bare_lf_delivered_intact),
	    cmocka_unit_test(live_8bit_utf8_body),
	    cmocka_unit_test(live_sendmail_t_delivers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
