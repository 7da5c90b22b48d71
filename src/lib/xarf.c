/*
 * X-ARF v4 content/phishing reports.  See xarf.h and
 * docs/internals/draft.md for the field mapping.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "buf.h"
#include "hash.h"
#include "jsonw.h"
#include "term.h"
#include "url.h"
#include "xarf.h"
#include "banned.h"

#define EVIDENCE_MAX                                                           \
	(1u << 20) /* bytes of one evidence payload (the                       \
		      schema allows 5 MiB) */
#define MAX_FETCH_EVIDENCE 8

int
td_xarf_uuid4(char out[37])
{
	unsigned char r[16];
	size_t got = 0;

	while (got < sizeof(r)) {
		ssize_t n = getrandom(r + got, sizeof(r) - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return TD_EIO;
		got += (size_t)n;
	}
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9],
		 r[10], r[11], r[12], r[13], r[14], r[15]);
	return 0;
}

static int
digits(const char *s, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int
td_xarf_datetime(struct td_buf *out, const char *s)
{
	char frac[16] = "";
	const char *p;
	size_t nf = 0;

	if (!s || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) ||
	    s[7] != '-' || !digits(s + 8, 2))
		return 0;
	if (!s[10]) {
		td_buf_printf(out, "%.10sT00:00:00Z", s);
		return 1;
	}
	if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    !digits(s + 11, 2) || s[13] != ':' || !digits(s + 14, 2) ||
	    s[16] != ':' || !digits(s + 17, 2))
		return 0;
	p = s + 19;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++)
			if (nf < sizeof(frac) - 2)
				frac[nf++] = *p;
		if (!nf)
			return 0;
		frac[nf] = 0;
	}
	if (!*p || ((*p == 'Z' || *p == 'z') && !p[1])) {
		td_buf_printf(out, "%.10sT%.8s%s%sZ", s, s + 11, nf ? "." : "",
			      frac);
		return 1;
	}
	if ((*p == '+' || *p == '-') && digits(p + 1, 2) && p[3] == ':' &&
	    digits(p + 4, 2) && !p[6]) {
		td_buf_printf(out, "%.10sT%.8s%s%s%.6s", s, s + 11,
			      nf ? "." : "", frac, p);
		return 1;
	}
	return 0;
}

static void
ktime(struct td_jw *w, const char *key, long long t)
{
	if (t >= 0)
		td_jw_ktime(w, key, t);
}

/* A URI (RFC 3986 2) for "format": "uri": every byte outside the
   unreserved, reserved and '%' characters percent-encoded. */
static void
uri(struct td_buf *out, const char *s)
{
	static const char ok[] = "-._~:/?#[]@!$&'()*+,;=%";
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr(ok, *p))
			td_buf_addch(out, *p);
		else
			td_buf_printf(out, "%%%02X", *p);
	}
}

static void
kuri(struct td_jw *w, const char *key, const char *s)
{
	struct td_buf b = TD_BUF_INIT;

	uri(&b, s);
	if (key)
		td_jw_kstr(w, key, b.ptr);
	else
		td_jw_str(w, b.ptr);
	td_buf_release(&b);
}

/* At most max characters of s (valid UTF-8 after this), for the schema's
   maxLength limits. */
static void
kclip(struct td_jw *w, const char *key, const char *s, size_t max)
{
	struct td_buf b = TD_BUF_INIT, c = TD_BUF_INIT;
	size_t i = 0, chars = 0, n;
	unsigned cp;

	td_utf8_sanitize(&b, s, strlen(s));
	while (i < b.len && chars < max) {
		n = td_utf8_decode(&cp, (const unsigned char *)b.ptr + i,
				   b.len - i);
		if (!n)
			n = 1;
		/* controls count as one character once escaped */
		td_buf_add(&c, b.ptr + i, n);
		i += n;
		chars++;
	}
	td_jw_kstr(w, key, c.ptr);
	td_buf_release(&b);
	td_buf_release(&c);
}

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
base64(struct td_buf *out, const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		char q[4] = {b64[p[i] >> 2],
			     b64[((p[i] & 3) << 4) | (p[i + 1] >> 4)],
			     b64[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)],
			     b64[p[i + 2] & 63]};

		td_buf_add(out, q, 4);
	}
	if (len - i == 1) {
		char q[4] = {b64[p[i] >> 2], b64[(p[i] & 3) << 4], '=', '='};

		td_buf_add(out, q, 4);
	} else if (len - i == 2) {
		char q[4] = {b64[p[i] >> 2],
			     b64[((p[i] & 3) << 4) | (p[i + 1] >> 4)],
			     b64[(p[i + 1] & 15) << 2], '='};

		td_buf_add(out, q, 4);
	}
}

static void
evidence_item(struct td_jw *w, const char *type, const char *desc,
	      const char *data, size_t len)
{
	struct td_buf p = TD_BUF_INIT;
	char hex[65], hash[72];

	td_sha256_hex(hex, data, len);
	snprintf(hash, sizeof(hash), "sha256:%s", hex);
	base64(&p, (const unsigned char *)data, len);
	td_jw_obj(w);
	kclip(w, "content_type", type, 100);
	kclip(w, "description", desc, 500);
	td_jw_kstr(w, "payload", p.ptr);
	td_jw_kstr(w, "hash", hash);
	td_jw_kint(w, "size", (long long)len);
	td_jw_obj_end(w);
	td_buf_release(&p);
}

static void
utc(struct td_buf *out, long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	td_buf_printf(out, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
		      tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
		      tm.tm_sec);
}

/* What one fetch saw, as text: the evidence when the body is not kept. */
static void
fetch_record(struct td_buf *out, const struct td_draft_fetch *f)
{
	size_t i;

	td_buf_adds(out, "GET ");
	uri(out, f->url ? f->url : "");
	td_buf_adds(out, "\nat ");
	utc(out, f->fetched_at);
	if (f->client) {
		td_buf_adds(out, "\nclient: ");
		td_utf8_sanitize(out, f->client, strlen(f->client));
	}
	for (i = 0; i < f->nr_redirects; i++) {
		td_buf_adds(out, "\nredirect: ");
		uri(out, f->redirects[i]);
	}
	if (f->final_url) {
		td_buf_adds(out, "\nfinal URL: ");
		uri(out, f->final_url);
	}
	if (f->status)
		td_buf_printf(out, "\nstatus: %d", f->status);
	if (f->sha256)
		td_buf_printf(out, "\nbody SHA-256: %.64s", f->sha256);
	if (f->size >= 0)
		td_buf_printf(out, "\nbody size: %lld", f->size);
	td_buf_addch(out, '\n');
}

static const struct td_draft_party *
party(const struct td_draft_input *in, const char *role)
{
	size_t i;

	for (i = 0; i < in->nr_parties; i++)
		if (in->parties[i].role && in->parties[i].name &&
		    !strcmp(in->parties[i].role, role))
			return &in->parties[i];
	return NULL;
}

static void
contact_info(struct td_jw *w, const char *key, const struct td_draft_input *in)
{
	const struct td_draft_identity *id = in->from;
	const char *at = strrchr(id->email, '@');
	const char *org = id->org && *id->org	  ? id->org
			  : id->name && *id->name ? id->name
						  : "individual";

	td_jw_key(w, key);
	td_jw_obj(w);
	kclip(w, "org", org, 200);
	td_jw_kstr(w, "contact", id->email);
	td_jw_kstr(w, "domain", at ? at + 1 : "");
	td_jw_obj_end(w);
}

/* The fetch of the reported URL (or the first one). */
static const struct td_draft_fetch *
main_fetch(const struct td_draft_input *in)
{
	size_t i;

	for (i = 0; i < in->nr_fetches; i++)
		if (in->fetches[i].url &&
		    !strcmp(in->fetches[i].url, in->urls[0].url))
			return &in->fetches[i];
	return in->nr_fetches ? &in->fetches[0] : NULL;
}

static int
fields_seen(char *const *v, size_t nr, const char *s)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (!strcmp(v[i], s))
			return 1;
	return 0;
}

int
td_xarf_phishing(struct td_buf *out, const struct td_draft_input *in,
		 const char *original, size_t original_len,
		 const char *report_id, long long now)
{
	const struct td_draft_fetch *mf;
	const struct td_draft_party *p;
	struct td_url u;
	struct td_jw w;
	struct td_buf tmp = TD_BUF_INIT;
	long long first = -1, last = -1;
	size_t i, j;
	int parsed;

	if (!in->nr_urls || !in->urls[0].url || !in->from || !in->from->email)
		return TD_EINVAL;
	parsed = td_url_parse(&u, in->urls[0].url, strlen(in->urls[0].url),
			      NULL) == 0;
	mf = main_fetch(in);
	if (in->found.email_date >= 0)
		first = in->found.email_date;
	for (i = 0; i < in->nr_fetches; i++) {
		long long t = in->fetches[i].fetched_at;

		if (t >= 0 && (first < 0 || t < first))
			first = t;
		if (t > last)
			last = t;
	}

	td_jw_init(&w, out);
	td_jw_obj(&w);
	td_jw_kstr(&w, "xarf_version", "4.0.0");
	td_jw_kstr(&w, "report_id", report_id);
	td_jw_ktime(&w, "timestamp", first >= 0 ? first : now);
	contact_info(&w, "reporter", in);
	contact_info(&w, "sender", in);
	td_jw_kstr(&w, "source_identifier",
		   parsed ? u.host_ascii : in->urls[0].url);
	td_jw_kstr(&w, "category", "content");
	td_jw_kstr(&w, "type", "phishing");
	td_jw_kstr(&w, "evidence_source",
		   in->nr_fetches ? "researcher_analysis" : "user_report");

	td_buf_adds(&tmp, "Phishing page ");
	uri(&tmp, in->urls[0].url);
	if (in->found.how) {
		td_buf_adds(&tmp, ", ");
		td_utf8_sanitize(&tmp, in->found.how, strlen(in->found.how));
	}
	if (in->nr_urls > 1)
		td_buf_printf(&tmp, "; %zu URLs in this report's text",
			      in->nr_urls);
	kclip(&w, "description", tmp.ptr, 1000);
	td_buf_reset(&tmp);

	kuri(&w, "url",
	     in->urls[0].normalized ? in->urls[0].normalized
	     : parsed		    ? u.normalized
				    : in->urls[0].url);
	if (parsed && !u.is_ip)
		td_jw_kstr(&w, "domain", u.host_ascii);
	ktime(&w, "verified_at", last);
	td_jw_kstr(&w, "verification_method",
		   in->nr_fetches ? "automated_crawler" : "user_report");
	if (in->target_brand)
		kclip(&w, "target_brand", in->target_brand, 200);
	if ((p = party(in, "host")) || (p = party(in, "platform"))) {
		kclip(&w, "hosting_provider", p->name, 200);
		if (p->asn > 0 && p->asn <= 4294967295LL)
			td_jw_kint(&w, "asn", p->asn);
		if (p->country && strlen(p->country) == 2 &&
		    p->country[0] >= 'A' && p->country[0] <= 'Z' &&
		    p->country[1] >= 'A' && p->country[1] <= 'Z')
			td_jw_kstr(&w, "country_code", p->country);
	}
	if ((p = party(in, "registrar")))
		kclip(&w, "registrar", p->name, 200);
	if (in->whois_created && td_xarf_datetime(&tmp, in->whois_created)) {
		td_jw_key(&w, "whois");
		td_jw_obj(&w);
		td_jw_kstr(&w, "created_date", tmp.ptr);
		td_jw_obj_end(&w);
	}
	td_buf_reset(&tmp);
	if (mf && (mf->tls_subject || mf->tls_issuer)) {
		td_jw_key(&w, "ssl_certificate");
		td_jw_obj(&w);
		if (mf->tls_issuer)
			kclip(&w, "issuer", mf->tls_issuer, 1000);
		if (mf->tls_subject)
			kclip(&w, "subject", mf->tls_subject, 1000);
		ktime(&w, "valid_from", mf->tls_not_before);
		ktime(&w, "valid_to", mf->tls_not_after);
		td_jw_obj_end(&w);
	}
	if (mf && mf->nr_redirects) {
		td_jw_key(&w, "redirect_chain");
		td_jw_arr(&w);
		kuri(&w, NULL, mf->url);
		for (i = 0; i < mf->nr_redirects; i++)
			kuri(&w, NULL, mf->redirects[i]);
		td_jw_arr_end(&w);
	}
	if (mf) {
		const struct td_draft_form *pw = NULL;
		char *names[256];
		size_t nr = 0;

		for (i = 0; i < mf->nr_forms; i++) {
			const struct td_draft_form *f = &mf->forms[i];

			if (!f->password_fields)
				continue;
			if (!pw)
				pw = f;
			for (j = 0; j < f->nr_fields && nr < 256; j++)
				if (f->fields[j] &&
				    !fields_seen(names, nr, f->fields[j]))
					names[nr++] = f->fields[j];
		}
		if (nr) {
			td_jw_key(&w, "credential_fields");
			td_jw_arr(&w);
			for (i = 0; i < nr; i++)
				td_jw_str(&w, names[i]);
			td_jw_arr_end(&w);
		}
		if (pw && pw->action)
			kuri(&w, "submission_url", pw->action);
	}

	td_jw_key(&w, "evidence");
	td_jw_arr(&w);
	if (original && original_len <= EVIDENCE_MAX)
		evidence_item(&w, "message/rfc822",
			      "The phishing e-mail as received (reporter's "
			      "personal details removed where present)",
			      original, original_len);
	for (i = 0; i < in->nr_fetches && i < MAX_FETCH_EVIDENCE; i++) {
		const struct td_draft_fetch *f = &in->fetches[i];

		td_buf_reset(&tmp);
		td_buf_adds(&tmp, "Response body served at ");
		utc(&tmp, f->fetched_at);
		if (f->status)
			td_buf_printf(&tmp, " (HTTP %d)", f->status);
		if (f->client) {
			td_buf_adds(&tmp, " to client: ");
			td_utf8_sanitize(&tmp, f->client, strlen(f->client));
		}
		if (f->body && f->body_len <= EVIDENCE_MAX) {
			struct td_buf body = TD_BUF_INIT;

			/* the page may carry the reporter's address too */
			td_buf_add(&body, f->body, f->body_len);
			td_draft_redact(&body, in->redact, in->nr_redact);
			evidence_item(
			    &w, f->content_type ? f->content_type : "text/html",
			    tmp.ptr, body.ptr, body.len);
			td_buf_release(&body);
		} else {
			struct td_buf rec = TD_BUF_INIT;

			fetch_record(&rec, f);
			td_buf_reset(&tmp);
			td_buf_adds(&tmp, "Record of the fetch (the body's "
					  "SHA-256 is in it)");
			evidence_item(&w, "text/plain", tmp.ptr, rec.ptr,
				      rec.len);
			td_buf_release(&rec);
		}
	}
	td_jw_arr_end(&w);
	td_jw_obj_end(&w);
	td_buf_addch(out, '\n');
	td_buf_release(&tmp);
	if (parsed)
		td_url_release(&u);
	return td_buf_failed(out) & TD_BUF_OOM ? TD_ENOMEM : 0;
}
