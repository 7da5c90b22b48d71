/*
 * Sending one message: the checks of td_send_prepare(), SMTP through a
 * libcurl easy handle, and local submission to a sendmail-compatible
 * program through fork and execv.
 *
 * SMTP runs outside the net loop on purpose: a send is one transfer the
 * user confirmed, made in order, and nothing else runs beside it; the
 * easy interface with CURLOPT_TIMEOUT_MS bounds it as the loop's
 * deadlines would.  libcurl does the dot-stuffing (RFC 5321 4.5.2) of
 * every "." at a line start after CRLF and adds the final ".", which is
 * why the message is put in strict CRLF form first: a bare LF would let
 * a "\n.\n" pass unstuffed to a server that takes LF as a line end.
 */
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "buf.h"
#include "err.h"
#include "send.h"
#include "banned.h"

#define LINE_MAX_OCTETS 998 /* RFC 5322 2.1.1, without the CRLF */
#define DEFAULT_SENDMAIL "/usr/sbin/sendmail"
#define DEFAULT_CONNECT_MS 10000u
#define DEFAULT_TIMEOUT_MS 120000u
#define REPLY_MAX 512 /* octets of a reply line kept */

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Copy a line from a server or program, controls shown as '?'. */
static void
clean_line(char *dst, size_t n, const char *s, size_t len)
{
	size_t i, o = 0;

	while (len && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	for (i = 0; i < len && o + 1 < n; i++) {
		unsigned char c = (unsigned char)s[i];

		dst[o++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	dst[o] = '\0';
}

/* message checks */

void
td_send_msg_release(struct td_send_msg *m)
{
	if (!m)
		return;
	free(m->data);
	free(m->message_id);
	td_addr_list_free(m->to, m->nr_to);
	memset(m, 0, sizeof(*m));
}

/* Fields counted in the header section (RFC 5322 3.6). */
enum {
	F_FROM,
	F_SENDER,
	F_REPLY_TO,
	F_TO,
	F_CC,
	F_DATE,
	F_MESSAGE_ID,
	F_SUBJECT,
	F_IN_REPLY_TO,
	F_REFERENCES,
	F_NR
};

static const char *const field_names[F_NR] = {
    "From", "Sender",	  "Reply-To", "To",	     "Cc",
    "Date", "Message-ID", "Subject",  "In-Reply-To", "References"};

static int
is_fws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* msg-id, RFC 5322 3.6.4: "<" id-left "@" id-right ">", nothing else. */
static int
message_id(char **out, const char *v, size_t len)
{
	const char *at = NULL;
	size_t i;

	while (len && is_fws(*v)) /* folded */
		v++, len--;
	while (len && is_fws(v[len - 1]))
		len--;
	if (len < 5 || v[0] != '<' || v[len - 1] != '>')
		return TD_EPARSE;
	for (i = 1; i + 1 < len; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c <= 0x20 || c >= 0x7f || c == '<' || c == '>' ||
		    c == '"' || c == '\\' || c == '(' || c == ')' || c == ',' ||
		    c == ';')
			return TD_EPARSE;
		if (c == '@') {
			if (at)
				return TD_EPARSE;
			at = v + i;
		}
	}
	if (!at || at == v + 1 || at == v + len - 2)
		return TD_EPARSE;
	*out = td_strndup(v, len);
	return *out ? 0 : TD_ENOMEM;
}

/* Put msg in CRLF form into b, checking bytes and line lengths. */
static int
to_crlf(struct td_buf *b, const char *msg, size_t len, struct td_error *err)
{
	size_t i, line = 1, col = 0, run = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)msg[i];

		if (c != '\0' && c != '\r' && c != '\n') {
			if (++col > LINE_MAX_OCTETS)
				return td_error_set(err, TD_EPARSE,
						    "line %zu: RFC 5322 2.1.1: "
						    "longer than %d octets",
						    line, LINE_MAX_OCTETS);
			run++;
			continue;
		}
		td_buf_add(b, msg + i - run, run);
		run = 0;
		if (c == '\0')
			return td_error_set(err, TD_EPARSE,
					    "line %zu: RFC 5322 2.3: NUL byte",
					    line);
		if (c == '\r') {
			if (i + 1 >= len || msg[i + 1] != '\n')
				return td_error_set(err, TD_EPARSE,
						    "line %zu: RFC 5322 2.3: "
						    "bare CR",
						    line);
			i++;
		}
		td_buf_add(b, "\r\n", 2); /* a bare LF becomes CRLF */
		line++;
		col = 0;
	}
	td_buf_add(b, msg + len - run, run);
	if (col)
		td_buf_add(b, "\r\n", 2);
	if (td_buf_failed(b) & TD_BUF_TRUNC)
		return td_error_set(err, TD_ELIMIT,
				    "message larger than %u octets",
				    TD_SEND_MAX_SIZE);
	if (td_buf_failed(b))
		return td_error_set(err, TD_ENOMEM, "out of memory");
	return 0;
}

/* Add the addresses of list (To or Cc) to m->to. */
static int
add_to(struct td_send_msg *m, size_t *alloc, char **list, size_t nr)
{
	size_t i;

	if (TD_ARRAY_GROW(m->to, m->nr_to + nr, *alloc))
		return TD_ENOMEM;
	for (i = 0; i < nr; i++)
		m->to[m->nr_to++] = list[i];
	free(list);
	return 0;
}

/* One header field: name[nlen], its value v[vlen] (folded). */
static int
check_field(struct td_send_msg *m, unsigned *count, size_t *to_alloc,
	    size_t line, const char *name, size_t nlen, const char *v,
	    size_t vlen, struct td_error *err)
{
	struct td_error aerr = {0};
	char **list = NULL;
	size_t nr = 0;
	int f, rc;

	if ((nlen == 3 && !strncasecmp(name, "bcc", 3)) ||
	    (nlen > 7 && !strncasecmp(name, "resent-", 7)))
		return td_error_set(err, TD_EINVAL,
				    "line %zu: refused: a %.*s field "
				    "(policy, see send.h)",
				    line, (int)nlen, name);
	for (f = 0; f < F_NR; f++)
		if (strlen(field_names[f]) == nlen &&
		    !strncasecmp(name, field_names[f], nlen))
			break;
	if (f == F_NR)
		return 0;
	if (++count[f] > 1)
		return td_error_set(err, TD_EPARSE,
				    "line %zu: RFC 5322 3.6: more than one "
				    "%s field",
				    line, field_names[f]);
	switch (f) {
	case F_FROM:
	case F_SENDER:
	case F_REPLY_TO:
	case F_TO:
	case F_CC:
		rc = td_addr_list_parse(&list, &nr, v, vlen, &aerr);
		if (rc == TD_ENOMEM)
			return td_error_set(err, rc, "out of memory");
		if (rc)
			return td_error_set(err, rc, "line %zu: %s field: %s",
					    line, field_names[f], aerr.msg);
		if (f == F_SENDER && nr != 1) {
			td_addr_list_free(list, nr);
			return td_error_set(err, TD_EPARSE,
					    "line %zu: RFC 5322 3.6.2: Sender "
					    "holds one mailbox",
					    line);
		}
		if (f == F_TO || f == F_CC) {
			if (add_to(m, to_alloc, list, nr)) {
				td_addr_list_free(list, nr);
				return td_error_set(err, TD_ENOMEM,
						    "out of memory");
			}
		} else {
			td_addr_list_free(list, nr);
		}
		return 0;
	case F_MESSAGE_ID:
		rc = message_id(&m->message_id, v, vlen);
		if (rc == TD_ENOMEM)
			return td_error_set(err, rc, "out of memory");
		if (rc)
			return td_error_set(err, TD_EPARSE,
					    "line %zu: RFC 5322 3.6.4: "
					    "malformed Message-ID",
					    line);
		return 0;
	}
	return 0;
}

/* The header section of m->data (CRLF form). */
static int
check_header(struct td_send_msg *m, struct td_error *err)
{
	unsigned count[F_NR] = {0};
	const char *p = m->data, *end = m->data + m->len;
	size_t line = 1, to_alloc = 0;
	int f, rc;

	while (p < end) {
		const char *eol = strstr(p, "\r\n"), *colon, *q, *vend;
		size_t first = line;

		if (eol == p)
			break; /* the empty line: the body follows */
		if (*p == ' ' || *p == '\t')
			return td_error_set(err, TD_EPARSE,
					    "line %zu: RFC 5322 2.2: %s", line,
					    line == 1 ? "header section starts "
							"with a continuation "
							"line"
						      : "continuation line "
							"out of place");
		colon = memchr(p, ':', (size_t)(eol - p));
		for (q = p; q < (colon ? colon : eol); q++)
			if (*q < 33 || *q > 126)
				break;
		if (!colon || colon == p || q != colon)
			return td_error_set(err, TD_EPARSE,
					    "line %zu: RFC 5322 2.2: not a "
					    "header field",
					    line);
		/* the value runs over the continuation lines */
		vend = eol;
		for (;;) {
			const char *nx = vend + 2, *e2, *w;

			if (nx >= end || (*nx != ' ' && *nx != '\t'))
				break;
			e2 = strstr(nx, "\r\n");
			for (w = nx; w < e2 && (*w == ' ' || *w == '\t'); w++)
				;
			line++;
			if (w == e2)
				return td_error_set(err, TD_EPARSE,
						    "line %zu: RFC 5322 3.2.2: "
						    "a header line of white "
						    "space only",
						    line);
			vend = e2;
		}
		for (q = p; q < vend; q++) {
			unsigned char c = (unsigned char)*q;

			if (c >= 0x80)
				return td_error_set(
				    err, TD_EPARSE,
				    "line %zu: RFC 5322 2.2: non-ASCII byte "
				    "in the %.*s field (RFC 2047 encode it)",
				    first, (int)(colon - p), p);
			if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') ||
			    c == 0x7f)
				return td_error_set(
				    err, TD_EPARSE,
				    "line %zu: RFC 5322 2.2: control "
				    "character 0x%02x in the %.*s field",
				    first, c, (int)(colon - p), p);
		}
		rc = check_field(m, count, &to_alloc, first, p,
				 (size_t)(colon - p), colon + 1,
				 (size_t)(vend - colon - 1), err);
		if (rc)
			return rc;
		p = vend + 2;
		line++;
	}
	for (f = 0; f < F_NR; f++)
		if (!count[f] &&
		    (f == F_FROM || f == F_DATE || f == F_MESSAGE_ID))
			return td_error_set(err, TD_EPARSE,
					    f == F_MESSAGE_ID
						? "RFC 5322 3.6.4: no %s "
						  "field (required to record "
						  "the send)"
						: "RFC 5322 3.6: no %s field",
					    field_names[f]);
	return 0;
}

int
td_send_prepare(struct td_send_msg *out, const char *msg, size_t len,
		struct td_error *err)
{
	struct td_buf b;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!msg)
		return td_error_set(err, TD_EINVAL, "no message");
	if (!len)
		return td_error_set(err, TD_EPARSE, "empty message");
	if (len > TD_SEND_MAX_SIZE)
		return td_error_set(err, TD_ELIMIT,
				    "message larger than %u octets",
				    TD_SEND_MAX_SIZE);
	td_buf_init(&b, TD_SEND_MAX_SIZE);
	if ((rc = td_buf_grow(&b, len + len / 16 + 2)) ||
	    (rc = to_crlf(&b, msg, len, err))) {
		td_buf_release(&b);
		return rc == TD_ENOMEM ? td_error_set(err, rc, "out of memory")
				       : rc;
	}
	out->data = td_buf_detach(&b, &out->len);
	if (!out->data)
		return td_error_set(err, TD_ENOMEM, "out of memory");
	if ((rc = check_header(out, err))) {
		td_send_msg_release(out);
		return rc;
	}
	return 0;
}

void
td_send_result_release(struct td_send_result *r)
{
	if (!r)
		return;
	free(r->reply);
	free(r->message_id);
	free(r->server);
	memset(r, 0, sizeof(*r));
}

/* SMTP through libcurl */

struct smtp_xfer {
	const char *data;
	size_t len, off;
	int all_read;	       /* the read callback gave everything */
	int final_seen;	       /* a reply came after that */
	char last[REPLY_MAX];  /* last reply line (not 221) */
	char final[REPLY_MAX]; /* the reply to the end of the data */
	char errbuf[CURL_ERROR_SIZE];
};

static size_t
read_cb(char *buf, size_t size, size_t nitems, void *userp)
{
	struct smtp_xfer *x = userp;
	size_t n = size * nitems;

	if (n > x->len - x->off)
		n = x->len - x->off;
	memcpy(buf, x->data + x->off, n);
	x->off += n;
	if (x->off == x->len)
		x->all_read = 1; /* libcurl may not ask again: INFILESIZE */
	return n;
}

/*
 * libcurl hands every server reply line of a pingpong protocol to the
 * header callback.  The last line of a reply has a space (or nothing)
 * after its code (RFC 5321 4.2.1).
 */
static size_t
header_cb(char *buf, size_t size, size_t nitems, void *userp)
{
	struct smtp_xfer *x = userp;
	size_t n = size * nitems;
	char line[REPLY_MAX];

	clean_line(line, sizeof(line), buf, n);
	if (strlen(line) < 3 || (line[3] != ' ' && line[3] != '\0'))
		return n;
	if (!strncmp(line, "221", 3))
		return n; /* the answer to QUIT */
	memcpy(x->last, line, sizeof(line));
	if (x->all_read && !x->final_seen) {
		memcpy(x->final, line, sizeof(line));
		x->final_seen = 1;
	}
	return n;
}

static curl_socket_t
open_cb(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
	(void)clientp;
	(void)purpose;
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

/* A host name for EHLO: LDH labels and dots, 1 to 255 octets. */
static int
helo_ok(const char *h)
{
	size_t i, n = strlen(h);

	if (!n || n > 255 || h[0] == '.' || h[0] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)h[i]) && h[i] != '-' && h[i] != '.')
			return 0;
	return 1;
}

/*
 * Check o->url and make the URL libcurl gets: "scheme://host:port/HELO"
 * (libcurl takes the EHLO name from the path).  *server gets
 * "scheme://host:port".
 */
static int
smtp_url(char **url, char **server, int *smtps, const struct td_send_opts *o,
	 const char *helo, struct td_error *err)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *part = NULL;
	struct td_buf b = TD_BUF_INIT;
	int rc = TD_EINVAL;
	CURLUcode uc;

	*url = *server = NULL;
	if (!u)
		return td_error_set(err, TD_ENOMEM, "out of memory");
	if (!o->url || curl_url_set(u, CURLUPART_URL, o->url, 0) ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT)) {
		td_error_set(err, rc, "%s: not an smtp:// or smtps:// URL",
			     o->url ? o->url : "(no URL)");
		goto out;
	}
	if (strcmp(scheme, "smtp") && strcmp(scheme, "smtps")) {
		td_error_set(err, rc, "%s: not an smtp:// or smtps:// URL",
			     o->url);
		goto out;
	}
	if ((uc = curl_url_get(u, CURLUPART_USER, &part, 0)) !=
		CURLUE_NO_USER ||
	    (uc = curl_url_get(u, CURLUPART_QUERY, &part, 0)) !=
		CURLUE_NO_QUERY ||
	    (uc = curl_url_get(u, CURLUPART_FRAGMENT, &part, 0)) !=
		CURLUE_NO_FRAGMENT) {
		td_error_set(err, rc,
			     "%s: credentials, query or fragment in the "
			     "URL (give user and password as options)",
			     o->url);
		goto out;
	}
	if (!curl_url_get(u, CURLUPART_PATH, &part, 0) && strcmp(part, "") &&
	    strcmp(part, "/")) {
		td_error_set(err, rc, "%s: a path in the URL", o->url);
		goto out;
	}
	*smtps = !strcmp(scheme, "smtps");
	td_buf_printf(&b, "%s://%s:%s", scheme, host, port);
	*server = td_buf_detach(&b, NULL);
	td_buf_printf(&b, "%s://%s:%s/%s", scheme, host, port, helo);
	*url = td_buf_detach(&b, NULL);
	if (!*server || !*url) {
		rc = td_error_set(err, TD_ENOMEM, "out of memory");
		goto out;
	}
	rc = 0;
out:
	if (rc) {
		free(*url);
		free(*server);
		*url = *server = NULL;
	}
	curl_free(part);
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return rc;
}

/* A curl_slist of "<addr>" entries; NULL on allocation failure. */
static struct curl_slist *
rcpt_list(char *const *rcpt, size_t nr)
{
	struct curl_slist *l = NULL, *n;
	struct td_buf b = TD_BUF_INIT;
	size_t i;

	for (i = 0; i < nr; i++) {
		td_buf_reset(&b);
		td_buf_printf(&b, "<%s>", rcpt[i]);
		if (td_buf_failed(&b) || !(n = curl_slist_append(l, b.ptr))) {
			curl_slist_free_all(l);
			td_buf_release(&b);
			return NULL;
		}
		l = n;
	}
	td_buf_release(&b);
	return l;
}

static int
smtp_send(struct td_send_result *out, const struct td_send_opts *o,
	  const char *from, char *const *rcpt, size_t nr_rcpt,
	  const struct td_send_msg *m, struct td_error *err)
{
	struct smtp_xfer x;
	struct curl_slist *rl = NULL;
	char *url = NULL, *mfrom = NULL;
	const char *helo = o->helo, *at;
	struct td_buf b = TD_BUF_INIT;
	unsigned cto =
	    o->connect_timeout_ms ? o->connect_timeout_ms : DEFAULT_CONNECT_MS;
	unsigned to = o->timeout_ms ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
	long long t0;
	int smtps = 0, rc, inited = 0;
	CURLcode res;
	CURL *e = NULL;

	if (!from)
		return td_error_set(err, TD_EINVAL,
				    "SMTP needs an envelope sender");
	if (!helo) {
		at = strrchr(from, '@');
		helo = at && at[1] != '[' ? at + 1 : "localhost";
	}
	if (!helo_ok(helo))
		return td_error_set(err, TD_EINVAL,
				    "EHLO name is not a host name");
	if ((rc = smtp_url(&url, &out->server, &smtps, o, helo, err)))
		return rc;
	if (o->user && !smtps && o->tls != TD_SEND_TLS_REQUIRED) {
		rc = td_error_set(err, TD_EINVAL,
				  "%s: AUTH needs TLS: use smtps:// or "
				  "require STARTTLS",
				  out->server);
		goto out;
	}
	memset(&x, 0, sizeof(x));
	x.data = m->data;
	x.len = m->len;
	td_buf_printf(&b, "<%s>", from);
	mfrom = td_buf_detach(&b, NULL);
	rl = rcpt_list(rcpt, nr_rcpt);
	if (!mfrom || !rl) {
		rc = td_error_set(err, TD_ENOMEM, "out of memory");
		goto out;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
		rc = td_error_set(err, TD_EIO, "libcurl: cannot initialise");
		goto out;
	}
	inited = 1;
	if (!(e = curl_easy_init())) {
		rc = td_error_set(err, TD_ENOMEM, "out of memory");
		goto out;
	}
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROXY, "");
	curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)cto);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)to);
	/* libcurl waits for each reply, the one to QUIT too, up to this
	   (120 s by default) even past CURLOPT_TIMEOUT_MS */
	curl_easy_setopt(e, CURLOPT_SERVER_RESPONSE_TIMEOUT,
			 (long)((to + 999) / 1000));
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x.errbuf);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_cb);
	curl_easy_setopt(e, CURLOPT_MAIL_FROM, mfrom);
	curl_easy_setopt(e, CURLOPT_MAIL_RCPT, rl);
	curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(e, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(e, CURLOPT_READDATA, &x);
	curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)m->len);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, &x);
	if (!smtps)
		curl_easy_setopt(e, CURLOPT_USE_SSL,
				 o->tls == TD_SEND_TLS_REQUIRED
				     ? (long)CURLUSESSL_ALL
				 : o->tls == TD_SEND_TLS_OPPORTUNISTIC
				     ? (long)CURLUSESSL_TRY
				     : (long)CURLUSESSL_NONE);
	if (o->ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, o->ca_file);
	if (o->user) {
		curl_easy_setopt(e, CURLOPT_USERNAME, o->user);
		curl_easy_setopt(e, CURLOPT_PASSWORD,
				 o->password ? o->password : "");
	}
	t0 = mono_ms();
	res = curl_easy_perform(e);
	if (x.final_seen || x.last[0]) {
		out->reply =
		    td_strndup(x.final_seen ? x.final : x.last,
			       strlen(x.final_seen ? x.final : x.last));
		if (!out->reply) {
			rc = td_error_set(err, TD_ENOMEM, "out of memory");
			goto out;
		}
	}
	if (res == CURLE_OK) {
		rc = 0;
		if (!x.final_seen || x.final[0] != '2')
			/* cannot happen with a libcurl that checks the
			   reply; refuse to call it sent */
			rc = td_error_set(err, TD_EIO,
					  "%s: no final reply to the message",
					  out->server);
		goto out;
	}
	out->uncertain = x.all_read && !x.final_seen;
	{
		const char *why =
		    x.errbuf[0] ? x.errbuf : curl_easy_strerror(res);
		const char *said = x.last[0] ? x.last : NULL;
		int code = TD_EIO;

		switch (res) {
		case CURLE_OPERATION_TIMEDOUT:
			td_error_set(
			    err, code, "%s: timed out after %lld ms%s%s%s",
			    out->server, mono_ms() - t0,
			    out->uncertain ? " waiting for the answer to "
					     "the message: it may have "
					     "been delivered"
					   : "",
			    said ? "; last reply: " : "", said ? said : "");
			break;
		case CURLE_COULDNT_CONNECT:
		case CURLE_COULDNT_RESOLVE_HOST:
			td_error_set(err, code, "%s: cannot connect: %s",
				     out->server, why);
			break;
		case CURLE_LOGIN_DENIED:
			td_error_set(err, code,
				     "%s: authentication failed as %s%s%s",
				     out->server, o->user ? o->user : "",
				     said ? ": " : "", said ? said : "");
			break;
		case CURLE_USE_SSL_FAILED:
			td_error_set(err, code,
				     "%s: the server offers no STARTTLS and "
				     "TLS is required",
				     out->server);
			break;
		case CURLE_PEER_FAILED_VERIFICATION:
		case CURLE_SSL_CACERT_BADFILE:
		case CURLE_SSL_CONNECT_ERROR:
			td_error_set(err, code, "%s: TLS failed: %s",
				     out->server, why);
			break;
		case CURLE_RECV_ERROR:
		case CURLE_GOT_NOTHING:
			/* a close reads "response reading failed (errno:
			   115)" in libcurl: say what happened; a reset or
			   anything else keeps libcurl's own words */
			if (!x.errbuf[0] || res == CURLE_GOT_NOTHING ||
			    !strncmp(x.errbuf, "response reading failed", 23)) {
				td_error_set(err, code,
					     "%s: the server closed the "
					     "connection%s%s%s",
					     out->server, said ? " after: " : "",
					     said ? said : "",
					     out->uncertain
						 ? "; it may have been "
						   "delivered"
						 : "");
				break;
			}
			/* fall through */
		default:
			if (said && (said[0] == '4' || said[0] == '5'))
				td_error_set(err, code,
					     "%s: refused: %s (%s)%s",
					     out->server, said, why,
					     out->uncertain ? "; it may have "
							      "been delivered"
							    : "");
			else
				td_error_set(
				    err, code, "%s: %s%s", out->server, why,
				    out->uncertain
					? "; the whole message was "
					  "sent and no answer came: it "
					  "may have been delivered"
					: "");
		}
		rc = code;
	}
out:
	if (e)
		curl_easy_cleanup(e);
	if (inited)
		curl_global_cleanup();
	curl_slist_free_all(rl);
	free(mfrom);
	free(url);
	return rc;
}

/* local submission */

static const char *
sysexit_name(int code)
{
	switch (code) {
	case EX_USAGE:
		return "EX_USAGE";
	case EX_DATAERR:
		return "EX_DATAERR";
	case EX_NOINPUT:
		return "EX_NOINPUT";
	case EX_NOUSER:
		return "EX_NOUSER";
	case EX_NOHOST:
		return "EX_NOHOST";
	case EX_UNAVAILABLE:
		return "EX_UNAVAILABLE";
	case EX_SOFTWARE:
		return "EX_SOFTWARE";
	case EX_OSERR:
		return "EX_OSERR";
	case EX_OSFILE:
		return "EX_OSFILE";
	case EX_CANTCREAT:
		return "EX_CANTCREAT";
	case EX_IOERR:
		return "EX_IOERR";
	case EX_TEMPFAIL:
		return "EX_TEMPFAIL";
	case EX_PROTOCOL:
		return "EX_PROTOCOL";
	case EX_NOPERM:
		return "EX_NOPERM";
	case EX_CONFIG:
		return "EX_CONFIG";
	}
	return NULL;
}

/* The last non-empty line of what the program wrote. */
static void
last_line(char *dst, size_t n, const char *s, size_t len)
{
	size_t end = len, start;

	while (end && (s[end - 1] == '\n' || s[end - 1] == '\r'))
		end--;
	start = end;
	while (start && s[start - 1] != '\n')
		start--;
	clean_line(dst, n, s + start, end - start);
}

/* Same set of mailboxes in a and b? */
static int
same_set(char *const *a, size_t na, char *const *b, size_t nb)
{
	size_t i, j;

	for (i = 0; i < na; i++) {
		for (j = 0; j < nb && td_addr_cmp(a[i], b[j]); j++)
			;
		if (j == nb)
			return 0;
	}
	for (j = 0; j < nb; j++) {
		for (i = 0; i < na && td_addr_cmp(a[i], b[j]); i++)
			;
		if (i == na)
			return 0;
	}
	return 1;
}

static int
sendmail_send(struct td_send_result *out, const struct td_send_opts *o,
	      const char *from, char *const *rcpt, size_t nr_rcpt,
	      const struct td_send_msg *m, struct td_error *err)
{
	const char *prog = o->sendmail ? o->sendmail : DEFAULT_SENDMAIL;
	unsigned to = o->timeout_ms ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
	char *argv[7];
	int in[2] = {-1, -1}, op[2] = {-1, -1}, ep[2] = {-1, -1};
	char *lf = NULL, outbuf[4096], line[REPLY_MAX];
	size_t lflen = 0, off = 0, outlen = 0, i;
	sigset_t pipe_set, old_set, pending;
	int was_pending = 0, status = 0, exec_errno = 0, rc = 0;
	int timed_out = 0, write_failed = 0, argc = 0;
	long long deadline;
	pid_t pid = -1;
	ssize_t n;

	if (!same_set(rcpt, nr_rcpt, m->to, m->nr_to))
		return td_error_set(err, TD_EINVAL,
				    "%s: the envelope recipients differ from "
				    "the message's To and Cc (sendmail -t "
				    "takes them from the message)",
				    prog);
	if (prog[0] != '/')
		return td_error_set(err, TD_EINVAL,
				    "%s: the sendmail program must be given "
				    "by its absolute path",
				    prog);
	out->server = td_strndup(prog, strlen(prog));
	/* local submission takes LF line ends */
	lf = malloc(m->len + 1);
	if (!out->server || !lf) {
		free(lf);
		return td_error_set(err, TD_ENOMEM, "out of memory");
	}
	for (i = 0; i < m->len; i++)
		if (!(m->data[i] == '\r' && i + 1 < m->len &&
		      m->data[i + 1] == '\n'))
			lf[lflen++] = m->data[i];
	argv[argc++] = (char *)prog;
	argv[argc++] = (char *)"-i"; /* a "." line is data */
	argv[argc++] = (char *)"-t"; /* recipients from To and Cc */
	if (from) {
		argv[argc++] = (char *)"-f";
		argv[argc++] = (char *)from;
	}
	argv[argc] = NULL;
	if (pipe2(in, O_CLOEXEC) || pipe2(op, O_CLOEXEC) ||
	    pipe2(ep, O_CLOEXEC)) {
		rc = td_error_set(err, TD_EIO, "%s: pipe: %s", prog,
				  strerror(errno));
		goto out;
	}
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
	pid = fork();
	if (pid < 0) {
		rc = td_error_set(err, TD_EIO, "%s: fork: %s", prog,
				  strerror(errno));
		pthread_sigmask(SIG_SETMASK, &old_set, NULL);
		goto out;
	}
	if (pid == 0) {
		sigset_t none;
		int e;

		sigemptyset(&none);
		signal(SIGPIPE, SIG_DFL);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (dup2(in[0], 0) < 0 || dup2(op[1], 1) < 0 ||
		    dup2(op[1], 2) < 0)
			_exit(127);
		/* nothing else of ours reaches the program */
		close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
		execv(prog, argv);
		e = errno;
		if (write(ep[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(in[0]);
	close(op[1]);
	close(ep[1]);
	in[0] = op[1] = ep[1] = -1;
	/* the exec check: EOF when execv succeeded */
	while ((n = read(ep[0], &exec_errno, sizeof(exec_errno))) < 0 &&
	       errno == EINTR)
		;
	if (n == (ssize_t)sizeof(exec_errno)) {
		waitpid(pid, &status, 0);
		pid = -1;
		pthread_sigmask(SIG_SETMASK, &old_set, NULL);
		rc = td_error_set(err, TD_EIO, "cannot run %s: %s", prog,
				  strerror(exec_errno));
		goto out;
	}
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	fcntl(op[0], F_SETFL, O_NONBLOCK);
	deadline = mono_ms() + to;
	while (op[0] >= 0) {
		struct pollfd pf[2];
		int nf = 0, left = (int)(deadline - mono_ms());

		if (left <= 0) {
			timed_out = 1;
			break;
		}
		pf[nf].fd = op[0];
		pf[nf++].events = POLLIN;
		if (in[1] >= 0) {
			pf[nf].fd = in[1];
			pf[nf++].events = POLLOUT;
		}
		if (poll(pf, (nfds_t)nf, left) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (nf > 1 && pf[1].revents) {
			n = write(in[1], lf + off, lflen - off);
			if (n > 0)
				off += (size_t)n;
			if ((n < 0 && errno != EAGAIN && errno != EINTR) ||
			    off == lflen) {
				if (off < lflen)
					write_failed = 1;
				close(in[1]);
				in[1] = -1;
			}
		}
		if (pf[0].revents) {
			char tmp[4096];

			n = read(op[0], tmp, sizeof(tmp));
			if (n > 0) {
				/* keep the last bytes */
				if ((size_t)n >= sizeof(outbuf)) {
					memcpy(outbuf, tmp + n - sizeof(outbuf),
					       sizeof(outbuf));
					outlen = sizeof(outbuf);
				} else {
					if (outlen + (size_t)n >
					    sizeof(outbuf)) {
						size_t drop = outlen +
							      (size_t)n -
							      sizeof(outbuf);

						memmove(outbuf, outbuf + drop,
							outlen - drop);
						outlen -= drop;
					}
					memcpy(outbuf + outlen, tmp, (size_t)n);
					outlen += (size_t)n;
				}
			} else if (n == 0 ||
				   (errno != EAGAIN && errno != EINTR)) {
				close(op[0]);
				op[0] = -1;
			}
		}
	}
	if (in[1] >= 0) {
		if (off < lflen)
			write_failed = 1;
		close(in[1]);
		in[1] = -1;
	}
	/* the program has closed its output; wait for its exit */
	while (!timed_out) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid) {
			pid = -1;
			break;
		}
		if (w < 0 && errno != EINTR) {
			pid = -1;
			break;
		}
		if (mono_ms() >= deadline) {
			timed_out = 1;
			break;
		}
		usleep(10000);
	}
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		pid = -1;
	}
	/* a SIGPIPE raised by our writes is ours to drop */
	sigpending(&pending);
	if (!was_pending && sigismember(&pending, SIGPIPE)) {
		struct timespec zero = {0, 0};

		sigtimedwait(&pipe_set, NULL, &zero);
	}
	pthread_sigmask(SIG_SETMASK, &old_set, NULL);
	last_line(line, sizeof(line), outbuf, outlen);
	if (timed_out) {
		out->uncertain = off == lflen;
		rc = td_error_set(
		    err, TD_EIO, "%s: timed out after %u ms%s%s%s", prog, to,
		    out->uncertain ? ": it may have been delivered" : "",
		    line[0] ? "; it said: " : "", line);
		goto out;
	}
	if (WIFSIGNALED(status)) {
		out->uncertain = off == lflen;
		rc = td_error_set(err, TD_EIO, "%s: killed by signal %d%s%s",
				  prog, WTERMSIG(status), line[0] ? ": " : "",
				  line);
		goto out;
	}
	{
		struct td_buf b = TD_BUF_INIT;
		int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		const char *name = sysexit_name(code);

		td_buf_printf(&b, "exit %d", code);
		if (line[0])
			td_buf_printf(&b, ": %s", line);
		out->reply = td_buf_detach(&b, NULL);
		if (!out->reply) {
			rc = td_error_set(err, TD_ENOMEM, "out of memory");
			goto out;
		}
		if (code != 0)
			rc = td_error_set(err, TD_EIO, "%s: exit %d%s%s%s%s%s",
					  prog, code, name ? " (" : "",
					  name ? name : "", name ? ")" : "",
					  line[0] ? ": " : "", line);
		else if (write_failed)
			rc = td_error_set(err, TD_EIO,
					  "%s: stopped reading the message "
					  "after %zu of %zu octets",
					  prog, off, lflen);
	}
out:
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	for (i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (op[i] >= 0)
			close(op[i]);
		if (ep[i] >= 0)
			close(ep[i]);
	}
	free(lf);
	return rc;
}

int
td_send(struct td_send_result *out, const struct td_send_opts *o,
	const char *from, const char *const *rcpt, size_t nr_rcpt,
	const char *msg, size_t len, struct td_error *err)
{
	struct td_send_msg m;
	struct td_error aerr = {0};
	char *cfrom = NULL, **crcpt = NULL;
	size_t i, nr = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!o)
		return td_error_set(err, TD_EINVAL, "no send options");
	if ((rc = td_send_prepare(&m, msg, len, err)))
		return rc;
	out->message_id = td_strndup(m.message_id, strlen(m.message_id));
	if (!out->message_id) {
		rc = td_error_set(err, TD_ENOMEM, "out of memory");
		goto out;
	}
	if (!nr_rcpt || !rcpt) {
		rc = td_error_set(err, TD_EINVAL, "no envelope recipient");
		goto out;
	}
	if (from && (rc = td_addr_check(&cfrom, from, strlen(from), &aerr))) {
		rc = td_error_set(err, rc, "envelope sender: %s", aerr.msg);
		goto out;
	}
	crcpt = calloc(nr_rcpt, sizeof(*crcpt));
	if (!crcpt) {
		rc = td_error_set(err, TD_ENOMEM, "out of memory");
		goto out;
	}
	for (nr = 0; nr < nr_rcpt; nr++) {
		if (!rcpt[nr]) {
			rc = td_error_set(err, TD_EINVAL,
					  "no envelope recipient");
			goto out;
		}
		rc = td_addr_check(&crcpt[nr], rcpt[nr], strlen(rcpt[nr]),
				   &aerr);
		if (rc) {
			rc = td_error_set(err, rc, "envelope recipient: %s",
					  aerr.msg);
			goto out;
		}
	}
	if (o->via == TD_SEND_SMTP)
		rc = smtp_send(out, o, cfrom, crcpt, nr, &m, err);
	else if (o->via == TD_SEND_SENDMAIL)
		rc = sendmail_send(out, o, cfrom, crcpt, nr, &m, err);
	else
		rc = td_error_set(err, TD_EINVAL, "unknown way to send");
out:
	for (i = 0; i < nr && crcpt; i++)
		free(crcpt[i]);
	free(crcpt);
	free(cfrom);
	td_send_msg_release(&m);
	return rc;
}
