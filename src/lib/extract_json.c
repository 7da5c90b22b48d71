/*
 * The JSON form of an extraction (docs/extract-schema.md).  Every string
 * that came from the message goes through td_utf8_sanitize() first, since
 * JSON strings must be valid Unicode and jansson refuses anything else.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "buf.h"
#include "extract.h"
#include "term.h"
#include "banned.h"

static json_t *
jstr(const char *s)
{
	struct td_buf b = TD_BUF_INIT;
	json_t *j;

	if (!s)
		return json_null();
	td_utf8_sanitize(&b, s, strlen(s));
	j = json_stringn(b.ptr, b.len);
	td_buf_release(&b);
	return j ? j : json_null();
}

static void
set(json_t *o, const char *key, json_t *v)
{
	json_object_set_new(o, key, v ? v : json_null());
}

static json_t *
jtime(long long t)
{
	char buf[32];
	time_t tt = (time_t)t;
	struct tm tm;

	if (t < 0 || !gmtime_r(&tt, &tm))
		return json_null();
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

static json_t *
addrs(const struct td_mail_addr *a, size_t nr)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < nr; i++) {
		json_t *o = json_object();

		set(o, "name", jstr(a[i].name));
		set(o, "address", jstr(a[i].addr));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *
found_list(const struct td_found *f, size_t nr)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < nr; i++) {
		json_t *o = json_object();

		set(o, "part", jstr(f[i].part));
		set(o, "where", jstr(f[i].where));
		set(o, "content_type", jstr(f[i].content_type));
		set(o, "filename", jstr(f[i].filename));
		if (f[i].link_text) {
			set(o, "link_text", jstr(f[i].link_text));
			set(o, "shown_host", jstr(f[i].shown_host));
			set(o, "mismatch", json_boolean(f[i].mismatch));
		}
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *
url_json(const struct td_xurl *x)
{
	json_t *o = json_object(), *w = json_array();
	const struct td_url *u = &x->u;
	size_t i;

	set(o, "url", jstr(u->url));
	set(o, "raw", jstr(x->raw));
	set(o, "normalized", jstr(u->normalized));
	set(o, "scheme", jstr(u->scheme));
	set(o, "host", jstr(u->host_ascii));
	set(o, "host_unicode", jstr(u->host_unicode));
	set(o, "domain", jstr(u->domain));
	set(o, "port", u->port >= 0 ? json_integer(u->port) : json_null());
	set(o, "userinfo", jstr(u->userinfo));
	set(o, "is_ip", json_boolean(u->is_ip));
	set(o, "idn", json_boolean(u->is_idn));
	set(o, "mixed_script", json_boolean(u->mixed_script));
	set(o, "defanged", json_boolean(x->defanged));
	set(o, "joined", json_boolean(x->joined));
	set(o, "text_host_mismatch", json_boolean(x->mismatch));
	for (i = 0; i < x->nr_wraps; i++) {
		json_t *wo = json_object();

		set(wo, "kind", jstr(x->wraps[i].kind));
		set(wo, "url", jstr(x->wraps[i].url));
		json_array_append_new(w, wo);
	}
	set(o, "wrapped_by", w);
	set(o, "seen", json_integer((json_int_t)x->seen));
	set(o, "found", found_list(x->found, x->nr_found));
	return o;
}

static json_t *
values_json(const struct td_xlist *l)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < l->nr; i++) {
		json_t *o = json_object();

		set(o, "value", jstr(l->v[i].value));
		set(o, "raw", jstr(l->v[i].raw));
		set(o, "defanged", json_boolean(l->v[i].defanged));
		set(o, "seen", json_integer((json_int_t)l->v[i].seen));
		set(o, "found", found_list(l->v[i].found, l->v[i].nr_found));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *
hop_json(const struct td_hop *h, size_t n)
{
	json_t *o = json_object();

	set(o, "hop", json_integer((json_int_t)n + 1));
	set(o, "from_helo", jstr(h->from_helo));
	set(o, "from_rdns", jstr(h->from_rdns));
	set(o, "from_ip", jstr(h->from_ip));
	set(o, "by", jstr(h->by));
	set(o, "with", jstr(h->with));
	set(o, "id", jstr(h->id));
	set(o, "for", jstr(h->for_addr));
	set(o, "date", jstr(h->date));
	set(o, "date_utc", jtime(h->when == (time_t)-1 ? -1 : (long long)h->when));
	set(o, "trusted", json_boolean(h->trusted));
	set(o, "unverified", json_boolean(h->unverified));
	set(o, "parsed", json_boolean(h->parsed));
	set(o, "raw", jstr(h->raw));
	return o;
}

static json_t *
msg_json(const struct td_xmsg *m)
{
	json_t *o = json_object(), *hd = json_object(), *arr;
	size_t i;

	set(o, "role", json_string(m->role == TD_MAIL_OUTER ? "outer"
							    : "attached"));
	set(o, "part", jstr(m->part));
	set(o, "filename", jstr(m->filename));
	set(o, "depth", json_integer(m->depth));
	set(o, "parent", m->parent >= 0 ? json_integer(m->parent) : json_null());

	set(hd, "from", addrs(m->from, m->nr_from));
	set(hd, "reply_to", addrs(m->reply_to, m->nr_reply_to));
	set(hd, "sender", addrs(m->sender, m->nr_sender));
	set(hd, "to", addrs(m->to, m->nr_to));
	set(hd, "return_path", jstr(m->return_path));
	set(hd, "subject", jstr(m->subject));
	set(hd, "date", jstr(m->date));
	set(hd, "date_utc", jtime(m->date_utc));
	set(hd, "message_id", jstr(m->message_id));
	set(hd, "authentication_results", jstr(m->auth));
	arr = json_array();
	for (i = 0; i < m->nr_list_unsubscribe; i++)
		json_array_append_new(arr, jstr(m->list_unsubscribe[i]));
	set(hd, "list_unsubscribe", arr);
	set(o, "headers", hd);

	arr = json_array();
	for (i = 0; i < m->received.nr; i++)
		json_array_append_new(arr, hop_json(&m->received.hops[i], i));
	set(o, "received", arr);
	set(o, "mail_provider", jstr(m->mail_provider));
	if (m->received.report_hop >= 0) {
		const struct td_hop *h =
			&m->received.hops[m->received.report_hop];
		json_t *s = json_object();

		set(s, "ip", jstr(h->from_ip));
		set(s, "hop", json_integer(m->received.report_hop + 1));
		set(s, "rdns", jstr(h->from_rdns));
		set(s, "helo", jstr(h->from_helo));
		set(o, "sending_ip", s);
	} else {
		set(o, "sending_ip", json_null());
	}

	arr = json_array();
	for (i = 0; i < m->nr_urls; i++)
		json_array_append_new(arr, url_json(&m->urls[i]));
	set(o, "urls", arr);
	set(o, "emails", values_json(&m->emails));
	set(o, "ips", values_json(&m->ips));
	set(o, "phones", values_json(&m->phones));
	arr = json_array();
	for (i = 0; i < m->nr_attachments; i++) {
		const struct td_xattach *a = &m->attachments[i];
		json_t *ao = json_object();

		set(ao, "part", jstr(a->part));
		set(ao, "filename", jstr(a->filename));
		set(ao, "content_type", jstr(a->content_type));
		set(ao, "size", json_integer((json_int_t)a->size));
		set(ao, "sha256", json_string(a->sha256));
		set(ao, "truncated", json_boolean(a->truncated));
		json_array_append_new(arr, ao);
	}
	set(o, "attachments", arr);
	return o;
}

void *
td_extract_json(const struct td_extract *x)
{
	json_t *o = json_object(), *arr = json_array(), *w = json_array();
	size_t i;

	if (!o || !arr || !w) {
		json_decref(o);
		json_decref(arr);
		json_decref(w);
		return NULL;
	}
	for (i = 0; i < x->nr_msgs; i++)
		json_array_append_new(arr, msg_json(&x->msgs[i]));
	set(o, "messages", arr);
	for (i = 0; i < x->nr_warnings; i++)
		json_array_append_new(w, jstr(x->warnings[i]));
	if (x->warnings_dropped)
		json_array_append_new(w, json_string("further warnings dropped"));
	set(o, "warnings", w);
	return o;
}
