#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gmime/gmime.h>
#include <jansson.h>

#include "buf.h"
#include "draft.h"
#include "lint.h"
#include "mail_write.h"
#include "xarf.h"

/*
 * Drafts are parsed back with GMime itself (not through takedown's mail
 * module) and checked: the header set, the parts, the X-ARF fields; then
 * linted.
 */

#define URL0                                                                   \
	"https://shop.example.com/wp-content/uploads/x/"                       \
	"login.php?e=am9obkBleGFtcGxlLmNvbQ=="

static struct td_draft_identity ident = {
    "Jane Doe", "Example CERT", "jane@cert.example.org", "+1 555 0100", NULL};
static struct td_draft_identity org_only = {
    NULL, "Example CERT", "reports@cert.example.org", NULL, NULL};
static char *redirs[] = {
    "https://shop.example.com/wp-content/uploads/x/step2.php"};
static char *fields[] = {"email", "pass"};
static struct td_draft_form form = {
    "https://shop.example.com/wp-content/uploads/x/next.php", "POST", fields, 2,
    1};
static struct td_draft_party parties[] = {
    {"registrar", "NameCheap, Inc.", "abuse@namecheap.com", "rdap",
     "rdap.namecheap.com", 1795000000, -1, NULL},
    {"host", "Hostinger International", "abuse@hostinger.com", "rdap",
     "rdap.db.ripe.net", 1795000000, 47583, "LT"}};
static const char le_text[] =
    "Report it to your national cybercrime unit (police).\n"
    "They will ask for: the web server's access logs, the phishing\n"
    "files, timestamps in UTC and the e-mail with its full headers.";
static const char orig_mail[] =
    "Received: from mx.example.net (mx.example.net [192.0.2.7])\n"
    "From: \"PayPal\" <service@paypa1.example>\n"
    "To: John Smith <john@example.com>\n"
    "Subject: Your account is limited\n"
    "Date: Mon, 16 Nov 2026 08:00:00 +0000\n"
    "Message-ID: <x1@paypa1.example>\n"
    "\n"
    "Dear John Smith, claim your reward at " URL0 "\n";

struct fx {
	struct td_draft_input in;
	struct td_draft_url urls[2];
	struct td_draft_fetch fetch;
	char *redact[2];
};

static void
fx_init(struct fx *f, enum td_draft_role role, enum td_draft_kind kind)
{
	memset(f, 0, sizeof(*f));
	f->urls[0].url = URL0;
	f->fetch.url = URL0;
	f->fetch.final_url = redirs[0];
	f->fetch.status = 200;
	f->fetch.title = "Log in to your PayPal account";
	f->fetch.redirects = redirs;
	f->fetch.nr_redirects = 1;
	f->fetch.forms = &form;
	f->fetch.nr_forms = 1;
	f->fetch.tls_subject = "CN=shop.example.com";
	f->fetch.tls_issuer = "CN=R11, O=Let's Encrypt, C=US";
	f->fetch.tls_not_before = 1790000000;
	f->fetch.tls_not_after = 1797000000;
	f->fetch.sha256 =
	    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
	f->fetch.size = 4;
	f->fetch.body = "test";
	f->fetch.body_len = 4;
	f->fetch.content_type = "text/html";
	f->fetch.fetched_at = 1795000000;
	f->fetch.client = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) "
			  "Firefox/128.0";
	f->in.from = kind == TD_DRAFT_MALICIOUS ? &org_only : &ident;
	f->in.to.role = role;
	f->in.to.name = "Hostinger";
	f->in.to.email = "abuse@hostinger.com";
	f->in.case_tag = "TD-2026-000123";
	f->in.kind = kind;
	f->in.urls = f->urls;
	f->in.nr_urls = 1;
	f->in.found.how = "received in a phishing e-mail";
	f->in.found.email_date = 1794988800;
	f->in.found.sending_ip = "192.0.2.7";
	f->in.found.email_subject = "Your account is limited";
	f->in.fetches = &f->fetch;
	f->in.nr_fetches = 1;
	f->in.parties = parties;
	f->in.nr_parties = 2;
	f->in.whois_created = "2009-05-04T12:00:00Z";
	f->in.target_brand = "PayPal";
	f->in.le_advice = le_text;
	f->in.original = orig_mail;
	f->in.original_len = strlen(orig_mail);
	f->in.now = 1795001000;
	if (kind == TD_DRAFT_MALICIOUS) {
		f->redact[0] = "john@example.com";
		f->redact[1] = "John Smith";
		f->in.redact = f->redact;
		f->in.nr_redact = 2;
	}
}

static GMimeMessage *
parse(const struct td_draft *d)
{
	GMimeStream *st = g_mime_stream_mem_new_with_buffer(d->message, d->len);
	GMimeParser *p = g_mime_parser_new_with_stream(st);
	GMimeMessage *m = g_mime_parser_construct_message(p, NULL);

	g_object_unref(p);
	g_object_unref(st);
	assert_non_null(m);
	return m;
}

/* The top-level header names, in order, joined by ",". */
static void
header_names(struct td_buf *out, GMimeMessage *m)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(GMIME_OBJECT(m));
	int i, n = g_mime_header_list_get_count(hl);

	for (i = 0; i < n; i++)
		td_buf_printf(out, "%s%s", i ? "," : "",
			      g_mime_header_get_name(
				  g_mime_header_list_get_header_at(hl, i)));
}

static char *
part_bytes(GMimeObject *o)
{
	GMimeDataWrapper *w = g_mime_part_get_content(GMIME_PART(o));
	GMimeStream *mem = g_mime_stream_mem_new();
	GByteArray *a;
	char *s;

	g_mime_data_wrapper_write_to_stream(w, mem);
	a = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	s = td_strndup((const char *)a->data, a->len);
	g_object_unref(mem);
	return s;
}

static char *
mime_type(GMimeObject *o)
{
	return g_mime_content_type_get_mime_type(
	    g_mime_object_get_content_type(o));
}

static size_t
max_line(const char *s, size_t len)
{
	size_t i, cur = 0, max = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '\n')
			cur = 0;
		else if (s[i] != '\r' && ++cur > max)
			max = cur;
	}
	return max;
}

static void
lint_ok(const struct td_draft *d, const struct td_lint_opts *o)
{
	struct td_lint l;
	size_t i;

	assert_int_equal(td_lint_check(&l, d->message, d->len, o, NULL), 0);
	for (i = 0; i < l.nr; i++)
		print_message("lint: %s: %s\n", l.issues[i].rule,
			      l.issues[i].reason);
	assert_int_equal(l.nr, 0);
	td_lint_release(&l);
}

static void
compose(struct td_draft *d, const struct fx *f, const struct td_draft_opts *o)
{
	struct td_error err = {0, ""};
	int ret = td_draft_compose(d, &f->in, o, &err);

	if (ret)
		print_message("compose: %s\n", err.msg);
	assert_int_equal(ret, 0);
}

static void
draft_host_report_headers_parts_and_xarf(void **state)
{
	struct fx f;
	struct td_draft d;
	struct td_buf names = TD_BUF_INIT;
	GMimeMessage *m;
	GMimeObject *body, *p;
	json_t *j, *ev;
	json_error_t je;
	char *s, *t;
	const char *mid;

	fx_init(&f, TD_DRAFT_HOST, TD_DRAFT_COMPROMISED);
	compose(&d, &f, NULL);
	m = parse(&d);
	header_names(&names, m);
	assert_string_equal(names.ptr,
			    "From,To,Subject,Date,Message-ID,MIME-Version");
	assert_null(strstr(d.message, "Auto-Submitted"));
	assert_non_null(
	    strstr(g_mime_message_get_subject(m),
		   "[TD-2026-000123] Phishing at shop.example.com"));
	assert_string_equal(g_mime_message_get_subject(m), d.subject);
	mid = g_mime_message_get_message_id(m);
	assert_non_null(mid);
	assert_non_null(strstr(mid, "@cert.example.org"));
	assert_int_equal(strlen(mid) + 2, strlen(d.message_id));
	assert_non_null(
	    strstr(d.message, "Date: Wed, 18 Nov 2026 11:23:20 +0000\n"));
	assert_non_null(
	    strstr(d.message, "From: Jane Doe <jane@cert.example.org>\n"));
	assert_non_null(
	    strstr(d.message, "To: Hostinger <abuse@hostinger.com>\n"));

	body = g_mime_message_get_mime_part(m);
	assert_true(GMIME_IS_MULTIPART(body));
	assert_int_equal(g_mime_multipart_get_count(GMIME_MULTIPART(body)), 3);
	p = g_mime_multipart_get_part(GMIME_MULTIPART(body), 0);
	t = mime_type(p);
	assert_string_equal(t, "text/plain");
	g_free(t);
	s = part_bytes(p);
	assert_non_null(strstr(s, URL0));
	assert_non_null(strstr(s, "Received in a phishing e-mail."));
	assert_non_null(strstr(s, "192.0.2.7"));
	assert_non_null(strstr(s, "national cybercrime unit"));
	assert_non_null(strstr(s, "SHA-256 9f86d081884c7d65"));
	assert_non_null(strstr(s, "jane@cert.example.org"));
	assert_non_null(strstr(s, "My name is Jane Doe, from Example CERT."));
	assert_non_null(strstr(s, "remove the phishing content"));
	free(s);

	p = g_mime_multipart_get_part(GMIME_MULTIPART(body), 1);
	t = mime_type(p);
	assert_string_equal(t, "application/json");
	g_free(t);
	assert_string_equal(g_mime_part_get_filename(GMIME_PART(p)),
			    "xarf.json");
	s = part_bytes(p);
	j = json_loads(s, 0, &je);
	assert_non_null(j);
	assert_string_equal(
	    json_string_value(json_object_get(j, "xarf_version")), "4.0.0");
	assert_string_equal(json_string_value(json_object_get(j, "report_id")),
			    d.report_id);
	assert_string_equal(json_string_value(json_object_get(j, "category")),
			    "content");
	assert_string_equal(json_string_value(json_object_get(j, "type")),
			    "phishing");
	assert_string_equal(json_string_value(json_object_get(j, "url")), URL0);
	assert_string_equal(json_string_value(json_object_get(j, "domain")),
			    "shop.example.com");
	assert_string_equal(
	    json_string_value(json_object_get(j, "source_identifier")),
	    "shop.example.com");
	assert_string_equal(json_string_value(json_object_get(j, "timestamp")),
			    "2026-11-18T08:00:00Z");
	assert_string_equal(
	    json_string_value(json_object_get(j, "verified_at")),
	    "2026-11-18T11:06:40Z");
	assert_string_equal(
	    json_string_value(json_object_get(j, "verification_method")),
	    "automated_crawler");
	assert_string_equal(
	    json_string_value(json_object_get(j, "hosting_provider")),
	    "Hostinger International");
	assert_string_equal(json_string_value(json_object_get(j, "registrar")),
			    "NameCheap, Inc.");
	assert_int_equal(json_integer_value(json_object_get(j, "asn")), 47583);
	assert_string_equal(json_string_value(json_object_get(
				json_object_get(j, "whois"), "created_date")),
			    "2009-05-04T12:00:00Z");
	assert_string_equal(
	    json_string_value(json_object_get(j, "submission_url")),
	    form.action);
	assert_int_equal(json_array_size(json_object_get(j, "redirect_chain")),
			 2);
	assert_string_equal(json_string_value(json_array_get(
				json_object_get(j, "redirect_chain"), 1)),
			    redirs[0]);
	assert_string_equal(json_string_value(json_array_get(
				json_object_get(j, "credential_fields"), 1)),
			    "pass");
	assert_string_equal(json_string_value(json_object_get(
				json_object_get(j, "reporter"), "domain")),
			    "cert.example.org");
	assert_int_equal(json_object_size(json_object_get(j, "sender")), 3);
	ev = json_object_get(j, "evidence");
	assert_int_equal(json_array_size(ev), 2);
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(ev, 0), "content_type")),
			    "message/rfc822");
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(ev, 1), "hash")),
	    "sha256:"
	    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(ev, 1), "payload")),
			    "dGVzdA==");
	json_decref(j);
	free(s);

	p = g_mime_multipart_get_part(GMIME_MULTIPART(body), 2);
	t = mime_type(p);
	assert_string_equal(t, "message/rfc822");
	g_free(t);
	assert_non_null(strstr(d.message, "Dear John Smith"));

	assert_true(max_line(d.message, d.len) <= 998);
	lint_ok(&d, NULL);
	g_object_unref(m);
	td_buf_release(&names);
	td_draft_release(&d);
}

/* Every built-in template, both case kinds: renders, and lints clean. */
static void
draft_every_template_lints_clean(void **state)
{
	int role, kind;

	for (role = 0; role <= TD_DRAFT_BLOCKLIST; role++)
		for (kind = 0; kind < 2; kind++) {
			struct fx f;
			struct td_draft d;
			struct td_lint_opts o;

			if (role == TD_DRAFT_OWNER &&
			    kind == TD_DRAFT_MALICIOUS)
				continue;
			fx_init(&f, (enum td_draft_role)role,
				(enum td_draft_kind)kind);
			compose(&d, &f, NULL);
			memset(&o, 0, sizeof(o));
			o.malicious = kind == TD_DRAFT_MALICIOUS;
			o.personal =
			    (char *const[]){"Jane Doe", "jane@cert.example.org",
					    "john@example.com", "John Smith"};
			o.nr_personal = o.malicious ? 4 : 0;
			o.urls = (char *const[]){URL0};
			o.nr_urls = 1;
			o.attachment = TD_LINT_ATTACH_REQUIRED;
			print_message(
			    "# %s %s\n",
			    td_draft_role_name((enum td_draft_role)role),
			    kind ? "malicious" : "compromised");
			lint_ok(&d, &o);
			td_draft_release(&d);
		}
}

static void
draft_owner_gets_cleanup_advice_and_host_pointer(void **state)
{
	struct fx f;
	struct td_buf subject = TD_BUF_INIT, body = TD_BUF_INIT;

	fx_init(&f, TD_DRAFT_OWNER, TD_DRAFT_COMPROMISED);
	f.in.to.name = "Example Shop Ltd";
	assert_int_equal(td_draft_render(&subject, &body, &f.in, NULL, NULL),
			 0);
	assert_non_null(strstr(body.ptr, "Hello Example Shop Ltd,"));
	assert_non_null(strstr(body.ptr, "web shells") ||
				strstr(body.ptr, "Web shells")
			    ? ""
			    : NULL);
	assert_non_null(strstr(body.ptr, ".htaccess"));
	assert_non_null(strstr(body.ptr, "outdated CMS"));
	assert_non_null(strstr(body.ptr, "change the passwords"));
	assert_non_null(strstr(body.ptr, "keep the web server's access"));
	assert_non_null(strstr(body.ptr, "contact your hosting provider"));
	assert_non_null(strstr(body.ptr, "uploaded beside the phishing page"));
	td_buf_release(&subject);
	td_buf_release(&body);
}

static void
draft_owner_of_malicious_site_refused(void **state)
{
	struct fx f;
	struct td_draft d;
	struct td_error err = {0, ""};

	fx_init(&f, TD_DRAFT_OWNER, TD_DRAFT_MALICIOUS);
	assert_int_equal(td_draft_compose(&d, &f.in, NULL, &err), TD_EINVAL);
	assert_non_null(strstr(err.msg, "never"));
}

static void
draft_bad_addresses_refused(void **state)
{
	static const char *const bad[] = {
	    "abuse@hostinger.com\r\nBcc: x@evil.example",
	    "abuse@hostinger.com\nBcc: x@evil.example",
	    "abuse@host\xc3\xafnger.com",
	    "\"a b\"@hostinger.com",
	    "abuse@hostinger.com>, <x@evil.example",
	    "abuse@localhost",
	    "abuse",
	    "",
	    NULL};
	size_t i;

	for (i = 0; bad[i]; i++) {
		struct fx f;
		struct td_draft d;

		fx_init(&f, TD_DRAFT_HOST, TD_DRAFT_COMPROMISED);
		f.in.to.email = bad[i];
		assert_int_equal(td_draft_compose(&d, &f.in, NULL, NULL),
				 TD_EINVAL);
	}
	assert_true(td_mail_addr_ok("abuse+tag@mail.hostinger.co.uk"));
}

static void
draft_missing_facts_refused(void **state)
{
	struct fx f;
	struct td_draft d;

	fx_init(&f, TD_DRAFT_HOST, TD_DRAFT_COMPROMISED);
	f.in.le_advice = "";
	assert_int_equal(td_draft_compose(&d, &f.in, NULL, NULL), TD_EINVAL);
	fx_init(&f, TD_DRAFT_HOST, TD_DRAFT_COMPROMISED);
	f.in.nr_urls = 0;
	assert_int_equal(td_draft_compose(&d, &f.in, NULL, NULL), TD_EINVAL);
}

/* A subject template that puts attacker text in the header. */
static const char hostile_tpl[] =
    "Subject: [{{case_tag}}] {{title}} {{email_subject}} {{recipient_name}}\n"
    "\n"
    "{{reporter_intro}}\n"
    "URL: {{url}}\n"
    "Title: {{title}}\n"
    "How it was found: {{found}}\n"
    "{{evidence}}\n"
    "Law enforcement: {{le_advice}}\n"
    "Contact: {{reporter_email}}\n";

static char *
write_tpl_dir(const char *role, const char *text)
{
	char *dir = strdup("/tmp/td-test-tpl.XXXXXX");
	struct td_buf path = TD_BUF_INIT;
	FILE *fp;

	assert_non_null(mkdtemp(dir));
	td_buf_printf(&path, "%s/%s.txt", dir, role);
	fp = fopen(path.ptr, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	td_buf_release(&path);
	return dir;
}

static void
rm_tpl_dir(char *dir, const char *role)
{
	struct td_buf path = TD_BUF_INIT;

	td_buf_printf(&path, "%s/%s.txt", dir, role);
	unlink(path.ptr);
	rmdir(dir);
	td_buf_release(&path);
	free(dir);
}

static void
check_hostile(const char *title, const char *esubj, const char *rname,
	      const char *url)
{
	struct fx f;
	struct td_draft d;
	struct td_draft_opts o = {NULL, 0, 0, 0};
	struct td_buf names = TD_BUF_INIT;
	GMimeMessage *m;
	const char *subj;
	char *dir = write_tpl_dir("host", hostile_tpl);

	fx_init(&f, TD_DRAFT_HOST, TD_DRAFT_COMPROMISED);
	f.fetch.title = title;
	f.in.found.email_subject = esubj;
	f.in.to.name = rname;
	if (url) {
		f.urls[0].url = url;
		f.fetch.url = url;
	}
	o.template_dir = dir;
	compose(&d, &f, &o);
	m = parse(&d);
	header_names(&names, m);
	assert_string_equal(names.ptr,
			    "From,To,Subject,Date,Message-ID,MIME-Version");
	subj = g_mime_message_get_subject(m);
	assert_non_null(subj);
	assert_null(strchr(subj, '\r'));
	assert_null(strchr(subj, '\n'));
	assert_string_equal(subj, d.subject);
	assert_int_equal(internet_address_list_length(g_mime_message_get_to(m)),
			 1);
	assert_int_equal(internet_address_list_length(g_mime_message_get_cc(m)),
			 0);
	assert_int_equal(
	    internet_address_list_length(g_mime_message_get_bcc(m)), 0);
	assert_string_equal(
	    internet_address_mailbox_get_addr(
		INTERNET_ADDRESS_MAILBOX(internet_address_list_get_address(
		    g_mime_message_get_to(m), 0))),
	    "abuse@hostinger.com");
	assert_int_equal(g_mime_multipart_get_count(
			     GMIME_MULTIPART(g_mime_message_get_mime_part(m))),
			 3);
	assert_true(max_line(d.message, d.len) <= 998);
	assert_null(memchr(d.message, 0, d.len));
	lint_ok(&d, NULL);
	g_object_unref(m);
	td_buf_release(&names);
	td_draft_release(&d);
	rm_tpl_dir(dir, "host");
}

static void
draft_hostile_fields_give_exactly_the_intended_headers(void **state)
{
	struct td_buf big = TD_BUF_INIT, bigurl = TD_BUF_INIT;
	size_t i;

	check_hostile("Login\r\nBcc: victim@evil.example\r\n\r\n--x",
		      "x\nContent-Type: text/html", "Evil\r\nBcc: x@y", NULL);
	check_hostile("=?utf-8?q?a=0D=0ABcc:_x@evil.example?=",
		      "=?utf-8?b?DQpCY2M6IHhAZXZpbC5leGFtcGxl?=",
		      "=?utf-8?q?=0D=0ATo:_x@y?=", NULL);
	check_hostile("\xe2\x80\xae"
		      "lapyaP \xf0\x9f\x94\x92 \xe3\x83\xad\xe3"
		      "\x82\xb0\xe3\x82\xa4\xe3\x83\xb3 \xff\xfe invalid",
		      "\x1b]0;title\x07\x1b[31mred",
		      "\xd0\x90\xd0\xb1\xd1\x83\xd0\xb7", NULL);
	for (i = 0; i < 10240; i++)
		td_buf_addch(&big, "aZ =?\r\n"[i % 7]);
	td_buf_adds(&bigurl, "https://shop.example.com/");
	for (i = 0; i < 10240; i++)
		td_buf_addch(&bigurl, "ab%\xc3\xa9/ \t?"[i % 9]);
	check_hostile(big.ptr, big.ptr, big.ptr, bigurl.ptr);
	td_buf_release(&big);
	td_buf_release(&bigurl);
}

static void
draft_rfc2047_lookalike_reads_back_literally(void **state)
{
	struct td_buf out = TD_BUF_INIT;
	struct td_mail_out_part part = {TD_MAIL_OUT_TEXT, NULL, "x\n", 2};
	struct td_mail_out mo;
	GMimeStream *st;
	GMimeParser *p;
	GMimeMessage *m;
	const char *lure = "=?utf-8?q?a=0D=0ABcc:_x@y?=";

	memset(&mo, 0, sizeof(mo));
	mo.from_addr = "a@example.org";
	mo.to_addr = "b@example.org";
	mo.to_name = lure;
	mo.subject = lure;
	mo.date = 0;
	mo.message_id = "1@example.org";
	mo.parts = &part;
	mo.nr_parts = 1;
	assert_int_equal(td_mail_write(&out, &mo, NULL), 0);
	assert_non_null(strstr(out.ptr, "Subject: =?UTF-8?Q?"));
	st = g_mime_stream_mem_new_with_buffer(out.ptr, out.len);
	p = g_mime_parser_new_with_stream(st);
	m = g_mime_parser_construct_message(p, NULL);
	assert_string_equal(g_mime_message_get_subject(m), lure);
	assert_string_equal(
	    internet_address_get_name(
		internet_address_list_get_address(g_mime_message_get_to(m), 0)),
	    lure);
	g_object_unref(m);
	g_object_unref(p);
	g_object_unref(st);
	td_buf_release(&out);
}

static void
draft_header_text_is_one_safe_line(void **state)
{
	struct td_buf b = TD_BUF_INIT;

	td_mail_header_text(&b,
			    "  a\r\n\tb\x01"
			    "c\xe2\x80\xae"
			    "d\xff  ",
			    200);
	assert_string_equal(b.ptr, "a b c\xef\xbf\xbd"
				   "d\xef\xbf\xbd");
	td_buf_reset(&b);
	td_mail_header_text(&b, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 3);
	assert_string_equal(b.ptr, "\xc3\xa9\xc3\xa9\xe2\x80\xa6");
	td_buf_release(&b);
}

static void
draft_malicious_case_redacts_the_reporter(void **state)
{
	struct fx f;
	struct td_draft d;
	struct td_lint_opts o;
	struct td_lint l;
	char *personal[] = {"john@example.com", "John Smith"};

	fx_init(&f, TD_DRAFT_REGISTRAR, TD_DRAFT_MALICIOUS);
	compose(&d, &f, NULL);
	assert_null(strstr(d.message, "john@example.com"));
	assert_null(strstr(d.message, "John Smith"));
	assert_null(strstr(d.message, "am9obkBleGFtcGxlLmNvbQ"));
	assert_null(strstr(d.message, "Jane Doe"));
	assert_non_null(
	    strstr(d.message, "From: Example CERT <reports@cert.example.org>"));
	memset(&o, 0, sizeof(o));
	o.malicious = 1;
	o.personal = personal;
	o.nr_personal = 2;
	o.urls = (char *const[]){URL0};
	o.nr_urls = 1;
	lint_ok(&d, &o);
	td_draft_release(&d);

	/* without redaction, lint catches the address in the attachment and
	   the base64 token in the URL */
	f.in.nr_redact = 0;
	compose(&d, &f, NULL);
	assert_int_equal(td_lint_check(&l, d.message, d.len, &o, NULL), 0);
	assert_int_equal(l.nr, 1);
	assert_string_equal(l.issues[0].rule, "reveals-identity");
	td_lint_release(&l);
	td_draft_release(&d);
}

static void
draft_redact_finds_encoded_forms(void **state)
{
	struct td_buf b = TD_BUF_INIT;
	char *s[] = {"john@example.com"};

	td_buf_adds(&b,
		    "a JOHN@EXAMPLE.COM b john%40example.com c "
		    "?e=am9obkBleGFtcGxlLmNvbQ== d eGpvaG5AZXhhbXBsZS5jb20 e");
	td_draft_redact(&b, s, 1);
	assert_null(strcasestr(b.ptr, "john"));
	assert_null(strstr(b.ptr, "am9obkBleGFtcGxl"));
	assert_null(strstr(b.ptr, "pvaG5AZXhhbXBsZS5jb2"));
	assert_non_null(strstr(b.ptr, "a **************** b"));
	td_buf_release(&b);
}

static void
draft_user_templates(void **state)
{
	struct fx f;
	struct td_buf s = TD_BUF_INIT, b = TD_BUF_INIT;
	struct td_error err = {0, ""};
	static const char good[] =
	    "{{! comment }}\n"
	    "Subject: {{case_tag}} {{#if malicious}}M{{else}}C{{/if}}\n"
	    "\n"
	    "{{#unless malicious}}\n"
	    "compromised\n"
	    "{{/unless}}\n"
	    "  {{le_advice}}\n"
	    "{{lbrace}}x}}\n";

	fx_init(&f, TD_DRAFT_HOST, TD_DRAFT_COMPROMISED);
	assert_int_equal(td_draft_render_text(&s, &b, good, strlen(good),
					      "t.txt", &f.in, &err),
			 0);
	assert_string_equal(s.ptr, "TD-2026-000123 C");
	assert_string_equal(
	    b.ptr,
	    "compromised\n"
	    "  Report it to your national cybercrime unit (police).\n"
	    "  They will ask for: the web server's access logs, the phishing\n"
	    "  files, timestamps in UTC and the e-mail with its full headers.\n"
	    "{{x}}\n");
	td_buf_reset(&s);
	td_buf_reset(&b);
#define BAD(text, want)                                                        \
	do {                                                                   \
		assert_int_equal(td_draft_render_text(&s, &b, text,            \
						      strlen(text), "t.txt",   \
						      &f.in, &err),            \
				 TD_EINVAL);                                   \
		assert_non_null(strstr(err.msg, want));                        \
	} while (0)
	BAD("Subject: x\n\n{{nope}}\n", "t.txt:3: unknown variable: nope");
	BAD("Subject: x\n\n{{#if url}}\n", "#if not closed");
	BAD("Subject: x\n\n{{/if}}\n", "closing tag");
	BAD("Subject: x\n\n{{url\n}}\n", "not closed on its line");
	BAD("Subject: x\nBcc: y@example.org\n\nbody\n", "only Subject:");
#undef BAD
	td_buf_release(&s);
	td_buf_release(&b);
}

static void
draft_template_dir_overrides_builtin(void **state)
{
	struct fx f;
	struct td_buf s = TD_BUF_INIT, b = TD_BUF_INIT;
	struct td_draft_opts o = {NULL, 0, 0, 0};
	char *dir = write_tpl_dir("cdn", "Subject: mine\n\nbody {{domain}}\n");

	fx_init(&f, TD_DRAFT_CDN, TD_DRAFT_MALICIOUS);
	o.template_dir = dir;
	assert_int_equal(td_draft_render(&s, &b, &f.in, &o, NULL), 0);
	assert_string_equal(s.ptr, "mine");
	assert_string_equal(b.ptr, "body shop.example.com\n");
	td_buf_reset(&s);
	td_buf_reset(&b);
	/* another role falls back to the built-in template */
	f.in.to.role = TD_DRAFT_REGISTRAR;
	assert_int_equal(td_draft_render(&s, &b, &f.in, &o, NULL), 0);
	assert_non_null(strstr(b.ptr, "suspend it (clientHold)"));
	td_buf_release(&s);
	td_buf_release(&b);
	rm_tpl_dir(dir, "cdn");
}

static void
draft_crlf_and_awkward_originals(void **state)
{
	struct fx f;
	struct td_draft d;
	struct td_draft_opts o = {NULL, 1, 0, 0};
	struct td_buf orig = TD_BUF_INIT;
	GMimeMessage *m;
	GMimeObject *p;
	char *t;
	size_t i;

	fx_init(&f, TD_DRAFT_HOST, TD_DRAFT_COMPROMISED);
	compose(&d, &f, &o);
	for (i = 0; i < d.len; i++)
		if (d.message[i] == '\n')
			assert_true(i > 0 && d.message[i - 1] == '\r');
	lint_ok(&d, NULL);
	td_draft_release(&d);

	/* a 2,000-octet line and a NUL: base64 under an .eml name */
	td_buf_adds(&orig, "From: a@example.org\nSubject: x\n\n");
	for (i = 0; i < 2000; i++)
		td_buf_addch(&orig, 'x');
	td_buf_add(&orig, "\n\0\n--=-boundary\n", 17);
	f.in.original = orig.ptr;
	f.in.original_len = orig.len;
	compose(&d, &f, NULL);
	m = parse(&d);
	p = g_mime_multipart_get_part(
	    GMIME_MULTIPART(g_mime_message_get_mime_part(m)), 2);
	t = mime_type(p);
	assert_string_equal(t, "application/octet-stream");
	g_free(t);
	assert_string_equal(g_mime_part_get_filename(GMIME_PART(p)),
			    "original.eml");
	assert_true(max_line(d.message, d.len) <= 998);
	lint_ok(&d, NULL);
	g_object_unref(m);
	td_draft_release(&d);
	td_buf_release(&orig);
}

static void
xarf_dates_and_uuid(void **state)
{
	struct td_buf b = TD_BUF_INIT;
	char u[37];

	assert_true(td_xarf_datetime(&b, "2018-02-09T11:59:43Z"));
	assert_string_equal(b.ptr, "2018-02-09T11:59:43Z");
	td_buf_reset(&b);
	assert_true(td_xarf_datetime(&b, "2018-02-09 11:59:43.5+01:00"));
	assert_string_equal(b.ptr, "2018-02-09T11:59:43.5+01:00");
	td_buf_reset(&b);
	assert_true(td_xarf_datetime(&b, "2018-02-09"));
	assert_string_equal(b.ptr, "2018-02-09T00:00:00Z");
	td_buf_reset(&b);
	assert_false(td_xarf_datetime(&b, "09-Feb-2018"));
	assert_false(td_xarf_datetime(&b, "2018-02-09T11:59"));
	assert_int_equal(b.len, 0);
	assert_int_equal(td_xarf_uuid4(u), 0);
	assert_int_equal(strlen(u), 36);
	assert_int_equal(u[14], '4');
	assert_non_null(strchr("89ab", u[19]));
	td_buf_release(&b);
}

/* The X-ARF part against the schema, where python3-jsonschema exists. */
static void
xarf_valid_against_schema(void **state)
{
	const char *top = getenv("TD_TOP");
	static const char *const py[] = {"python3", "/usr/bin/python3", NULL};
	struct td_buf cmd = TD_BUF_INIT, out = TD_BUF_INIT;
	char path[] = "/tmp/td-xarf.XXXXXX";
	struct fx f;
	int fd, rc = 77, k;

	fx_init(&f, TD_DRAFT_HOST, TD_DRAFT_MALICIOUS);
	f.urls[0].url = "https://xn--pypal-4ve.example/a b/\xc3\xa9?x=<1>";
	f.fetch.url = f.urls[0].url;
	f.fetch.title = "=?utf-8?q?x?= \xe2\x80\xae";
	f.in.whois_created = "2026-11-17";
	assert_int_equal(
	    td_xarf_phishing(&out, &f.in, orig_mail, strlen(orig_mail),
			     "9b2d4c52-3c0e-4a55-8d6f-0e3b7f0f6a11", f.in.now),
	    0);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, out.ptr, out.len), (ssize_t)out.len);
	close(fd);
	for (k = 0; py[k] && rc == 77; k++) {
		td_buf_reset(&cmd);
		td_buf_printf(&cmd,
			      "%s %s/tests/fixtures/lint/validate_xarf.py %s"
			      " >&2 2>/dev/null",
			      py[k], top ? top : ".", path);
		rc = system(cmd.ptr);
		rc = WIFEXITED(rc) ? WEXITSTATUS(rc) : 1;
		if (rc == 127)
			rc = 77;
	}
	unlink(path);
	td_buf_release(&cmd);
	td_buf_release(&out);
	if (rc == 77)
		skip();
	assert_int_equal(rc, 0);
}

/* ARF (RFC 5965): multipart/report, the feedback part, the e-mail third */
static void
draft_arf_report(void **state)
{
	struct fx f;
	struct td_draft d;
	struct td_draft_opts o = {NULL, 0, 0, 1};
	GMimeMessage *m;
	GMimeObject *body, *p;
	GMimeContentType *ct;
	char *t, *fb;
	struct td_lint_opts lo;

	(void)state;
	fx_init(&f, TD_DRAFT_HOST, TD_DRAFT_COMPROMISED);
	f.urls[1].url = "http://evil\xc3\xa9.example/a b\r\nX-Bad: 1";
	f.in.nr_urls = 2;
	compose(&d, &f, &o);
	assert_null(d.report_id); /* no X-ARF beside ARF */
	m = parse(&d);
	body = g_mime_message_get_mime_part(m);
	ct = g_mime_object_get_content_type(body);
	assert_string_equal(g_mime_content_type_get_media_subtype(ct),
			    "report");
	assert_string_equal(
	    g_mime_content_type_get_parameter(ct, "report-type"),
	    "feedback-report");
	assert_int_equal(g_mime_multipart_get_count(GMIME_MULTIPART(body)), 3);
	t = mime_type(g_mime_multipart_get_part(GMIME_MULTIPART(body), 0));
	assert_string_equal(t, "text/plain");
	g_free(t);
	p = g_mime_multipart_get_part(GMIME_MULTIPART(body), 1);
	t = mime_type(p);
	assert_string_equal(t, "message/feedback-report");
	g_free(t);
	fb = part_bytes(p);
	assert_non_null(strstr(fb, "Feedback-Type: fraud\n"));
	assert_non_null(strstr(fb, "Version: 1\n"));
	assert_non_null(strstr(fb, "User-Agent: takedown/"));
	assert_non_null(strstr(fb, "Source-IP: 192.0.2.7\n"));
	assert_non_null(strstr(fb, "Arrival-Date: "));
	assert_non_null(strstr(fb, "Reported-Domain: shop.example.com\n"));
	assert_non_null(strstr(fb, "Reported-URI: " URL0 "\n"));
	/* attacker bytes %-encoded: one line, no header of its own */
	assert_non_null(strstr(fb, "evil%C3%A9.example/a%20b%0D%0AX-Bad:"));
	assert_null(strstr(fb, "\nX-Bad"));
	free(fb);
	t = mime_type(g_mime_multipart_get_part(GMIME_MULTIPART(body), 2));
	assert_string_equal(t, "message/rfc822");
	g_free(t);
	assert_non_null(strstr(d.message, "ARF report (RFC 5965"));
	memset(&lo, 0, sizeof(lo));
	lo.urls = (char **)&f.urls[0].url;
	lo.nr_urls = 1;
	lo.attachment = TD_LINT_ATTACH_REQUIRED;
	lint_ok(&d, &lo);
	g_object_unref(m);
	td_draft_release(&d);

	/* no e-mail to attach: ARF makes no sense, X-ARF as usual */
	fx_init(&f, TD_DRAFT_HOST, TD_DRAFT_COMPROMISED);
	f.in.original = NULL;
	f.in.original_len = 0;
	compose(&d, &f, &o);
	assert_non_null(d.report_id);
	assert_null(strstr(d.message, "feedback-report"));
	td_draft_release(&d);
}

/* the takedown organisations' template, and never in compromised cases
   by the caller's choice: here only that it renders and is signed */
static void
draft_takedown_role(void **state)
{
	struct fx f;
	struct td_draft d;
	struct td_draft_opts o = {NULL, 0, 0, 0};

	(void)state;
	assert_int_equal(td_draft_role_parse("takedown"), TD_DRAFT_TAKEDOWN);
	assert_string_equal(td_draft_role_name(TD_DRAFT_TAKEDOWN), "takedown");
	fx_init(&f, TD_DRAFT_TAKEDOWN, TD_DRAFT_MALICIOUS);
	compose(&d, &f, &o);
	assert_non_null(strstr(d.subject, "for takedown"));
	assert_non_null(strstr(d.message, "has not been contacted"));
	assert_null(strstr(d.message, "John"));
	td_draft_release(&d);
}

/* a reply: In-Reply-To and References, each id checked */
static void
mail_write_reply_headers(void **state)
{
	static const char *refs[] = {"a1@example.org", "b2@example.org"};
	static const char *bad_refs[] = {"a1@example.org",
					 "x@y.org>\r\nBcc: v@evil.example"};
	struct td_mail_out_part part = {TD_MAIL_OUT_TEXT, NULL, "hello\n", 6};
	struct td_mail_out mo;
	struct td_buf out = TD_BUF_INIT;
	struct td_error err = {0, ""};
	struct td_draft d;
	GMimeMessage *m;
	struct td_buf names = TD_BUF_INIT;

	(void)state;
	memset(&mo, 0, sizeof(mo));
	mo.from_addr = "team@example.org";
	mo.to_addr = "abuse@host.example";
	mo.subject = "Re: [TD-2026-000001] Phishing";
	mo.date = 1795000000;
	mo.message_id = "c3@example.org";
	mo.in_reply_to = "b2@example.org";
	mo.references = refs;
	mo.nr_references = 2;
	mo.parts = &part;
	mo.nr_parts = 1;
	assert_int_equal(td_mail_write(&out, &mo, &err), 0);
	d.message = out.ptr;
	d.len = out.len;
	m = parse(&d);
	header_names(&names, m);
	assert_string_equal(names.ptr, "From,To,Subject,Date,Message-ID,"
				       "In-Reply-To,References,MIME-Version");
	assert_non_null(strstr(out.ptr, "In-Reply-To: <b2@example.org>\n"));
	assert_non_null(
	    strstr(out.ptr, "References: <a1@example.org>\n\t<b2@example.org>\n"));
	g_object_unref(m);
	td_buf_release(&names);
	td_buf_reset(&out);
	mo.references = bad_refs;
	assert_int_equal(td_mail_write(&out, &mo, &err), TD_EINVAL);
	mo.references = refs;
	mo.in_reply_to = "no angle\r\nX: y";
	assert_int_equal(td_mail_write(&out, &mo, &err), TD_EINVAL);
	mo.in_reply_to = NULL;
	mo.report_type = "feedback report";
	assert_int_equal(td_mail_write(&out, &mo, &err), TD_EINVAL);
	td_buf_release(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(draft_host_report_headers_parts_and_xarf),
	    cmocka_unit_test(draft_every_template_lints_clean),
	    cmocka_unit_test(draft_owner_gets_cleanup_advice_and_host_pointer),
	    cmocka_unit_test(draft_owner_of_malicious_site_refused),
	    cmocka_unit_test(draft_bad_addresses_refused),
	    cmocka_unit_test(draft_missing_facts_refused),
	    cmocka_unit_test(
		draft_hostile_fields_give_exactly_the_intended_headers),
	    cmocka_unit_test(draft_rfc2047_lookalike_reads_back_literally),
	    cmocka_unit_test(draft_header_text_is_one_safe_line),
	    cmocka_unit_test(draft_malicious_case_redacts_the_reporter),
	    cmocka_unit_test(draft_redact_finds_encoded_forms),
	    cmocka_unit_test(draft_user_templates),
	    cmocka_unit_test(draft_template_dir_overrides_builtin),
	    cmocka_unit_test(draft_crlf_and_awkward_originals),
	    cmocka_unit_test(xarf_dates_and_uuid),
	    cmocka_unit_test(xarf_valid_against_schema),
	    cmocka_unit_test(draft_arf_report),
	    cmocka_unit_test(draft_takedown_role),
	    cmocka_unit_test(mail_write_reply_headers),
	};

	g_mime_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
