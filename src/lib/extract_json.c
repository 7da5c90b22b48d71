/*
 * The JSON form of an extraction (docs/extract-schema.md), written with
 * the streaming writer: ASCII only, every string from the message escaped.
 */
#include <string.h>
#include <time.h>

#include "extract.h"
#include "jsonw.h"
#include "banned.h"


static void
addrs(struct td_jw *w, const char *key, const struct td_mail_addr *a,
      size_t nr)
{
	size_t i;

	td_jw_key(w, key);
	td_jw_arr(w);
	for (i = 0; i < nr; i++) {
		td_jw_obj(w);
		td_jw_kstr(w, "name", a[i].name);
		td_jw_kstr(w, "address", a[i].addr);
		td_jw_obj_end(w);
	}
	td_jw_arr_end(w);
}

static void
found_list(struct td_jw *w, const struct td_found *f, size_t nr)
{
	size_t i;

	td_jw_key(w, "found");
	td_jw_arr(w);
	for (i = 0; i < nr; i++) {
		td_jw_obj(w);
		td_jw_kstr(w, "part", f[i].part);
		td_jw_kstr(w, "where", f[i].where);
		td_jw_kstr(w, "content_type", f[i].content_type);
		td_jw_kstr(w, "filename", f[i].filename);
		if (f[i].link_text) {
			td_jw_kstr(w, "link_text", f[i].link_text);
			td_jw_kstr(w, "shown_host", f[i].shown_host);
			td_jw_kbool(w, "mismatch", f[i].mismatch);
		}
		td_jw_obj_end(w);
	}
	td_jw_arr_end(w);
}

static void
url_json(struct td_jw *w, const struct td_xurl *x)
{
	const struct td_url *u = &x->u;
	size_t i;

	td_jw_obj(w);
	td_jw_kstr(w, "url", u->url);
	td_jw_kstr(w, "raw", x->raw);
	td_jw_kstr(w, "normalized", u->normalized);
	td_jw_kstr(w, "scheme", u->scheme);
	td_jw_kstr(w, "host", u->host_ascii);
	td_jw_kstr(w, "host_unicode", u->host_unicode);
	td_jw_kstr(w, "domain", u->domain);
	td_jw_key(w, "port");
	if (u->port >= 0)
		td_jw_int(w, u->port);
	else
		td_jw_null(w);
	td_jw_kstr(w, "userinfo", u->userinfo);
	td_jw_kbool(w, "is_ip", u->is_ip);
	td_jw_kbool(w, "idn", u->is_idn);
	td_jw_kbool(w, "mixed_script", u->mixed_script);
	td_jw_kbool(w, "defanged", x->defanged);
	td_jw_kbool(w, "joined", x->joined);
	td_jw_kbool(w, "text_host_mismatch", x->mismatch);
	td_jw_key(w, "wrapped_by");
	td_jw_arr(w);
	for (i = 0; i < x->nr_wraps; i++) {
		td_jw_obj(w);
		td_jw_kstr(w, "kind", x->wraps[i].kind);
		td_jw_kstr(w, "url", x->wraps[i].url);
		td_jw_obj_end(w);
	}
	td_jw_arr_end(w);
	td_jw_kint(w, "seen", (long long)x->seen);
	found_list(w, x->found, x->nr_found);
	td_jw_obj_end(w);
}

static void
values_json(struct td_jw *w, const char *key, const struct td_xlist *l)
{
	size_t i;

	td_jw_key(w, key);
	td_jw_arr(w);
	for (i = 0; i < l->nr; i++) {
		td_jw_obj(w);
		td_jw_kstr(w, "value", l->v[i].value);
		td_jw_kstr(w, "raw", l->v[i].raw);
		td_jw_kbool(w, "defanged", l->v[i].defanged);
		td_jw_kint(w, "seen", (long long)l->v[i].seen);
		found_list(w, l->v[i].found, l->v[i].nr_found);
		td_jw_obj_end(w);
	}
	td_jw_arr_end(w);
}

static void
hop_json(struct td_jw *w, const struct td_hop *h, size_t n)
{
	td_jw_obj(w);
	td_jw_kint(w, "hop", (long long)n + 1);
	td_jw_kstr(w, "from_helo", h->from_helo);
	td_jw_kstr(w, "from_rdns", h->from_rdns);
	td_jw_kstr(w, "from_ip", h->from_ip);
	td_jw_kstr(w, "by", h->by);
	td_jw_kstr(w, "with", h->with);
	td_jw_kstr(w, "id", h->id);
	td_jw_kstr(w, "for", h->for_addr);
	td_jw_kstr(w, "date", h->date);
	td_jw_ktime(w, "date_utc",
	      h->when == (time_t)-1 ? -1 : (long long)h->when);
	td_jw_kbool(w, "trusted", h->trusted);
	td_jw_kbool(w, "unverified", h->unverified);
	td_jw_kbool(w, "parsed", h->parsed);
	td_jw_kstr(w, "raw", h->raw);
	td_jw_obj_end(w);
}

static void
msg_json(struct td_jw *w, const struct td_xmsg *m)
{
	size_t i;

	td_jw_obj(w);
	td_jw_kstr(w, "role", m->role == TD_MAIL_OUTER ? "outer" : "attached");
	td_jw_kstr(w, "part", m->part);
	td_jw_kstr(w, "filename", m->filename);
	td_jw_kint(w, "depth", m->depth);
	td_jw_key(w, "parent");
	if (m->parent >= 0)
		td_jw_int(w, m->parent);
	else
		td_jw_null(w);

	td_jw_key(w, "headers");
	td_jw_obj(w);
	addrs(w, "from", m->from, m->nr_from);
	addrs(w, "reply_to", m->reply_to, m->nr_reply_to);
	addrs(w, "sender", m->sender, m->nr_sender);
	addrs(w, "to", m->to, m->nr_to);
	td_jw_kstr(w, "return_path", m->return_path);
	td_jw_kstr(w, "subject", m->subject);
	td_jw_kstr(w, "date", m->date);
	td_jw_ktime(w, "date_utc", m->date_utc);
	td_jw_kstr(w, "message_id", m->message_id);
	td_jw_kstr(w, "authentication_results", m->auth);
	td_jw_key(w, "list_unsubscribe");
	td_jw_arr(w);
	for (i = 0; i < m->nr_list_unsubscribe; i++)
		td_jw_str(w, m->list_unsubscribe[i]);
	td_jw_arr_end(w);
	td_jw_obj_end(w);

	td_jw_key(w, "received");
	td_jw_arr(w);
	for (i = 0; i < m->received.nr; i++)
		hop_json(w, &m->received.hops[i], i);
	td_jw_arr_end(w);
	td_jw_kstr(w, "mail_provider", m->mail_provider);
	td_jw_key(w, "sending_ip");
	if (m->received.report_hop >= 0) {
		const struct td_hop *h =
			&m->received.hops[m->received.report_hop];

		td_jw_obj(w);
		td_jw_kstr(w, "ip", h->from_ip);
		td_jw_kint(w, "hop", m->received.report_hop + 1);
		td_jw_kstr(w, "rdns", h->from_rdns);
		td_jw_kstr(w, "helo", h->from_helo);
		td_jw_obj_end(w);
	} else {
		td_jw_null(w);
	}

	td_jw_key(w, "urls");
	td_jw_arr(w);
	for (i = 0; i < m->nr_urls; i++)
		url_json(w, &m->urls[i]);
	td_jw_arr_end(w);
	values_json(w, "emails", &m->emails);
	values_json(w, "ips", &m->ips);
	values_json(w, "phones", &m->phones);
	td_jw_key(w, "attachments");
	td_jw_arr(w);
	for (i = 0; i < m->nr_attachments; i++) {
		const struct td_xattach *a = &m->attachments[i];

		td_jw_obj(w);
		td_jw_kstr(w, "part", a->part);
		td_jw_kstr(w, "filename", a->filename);
		td_jw_kstr(w, "content_type", a->content_type);
		td_jw_kint(w, "size", (long long)a->size);
		td_jw_kstr(w, "sha256", a->sha256);
		td_jw_kbool(w, "truncated", a->truncated);
		td_jw_obj_end(w);
	}
	td_jw_arr_end(w);
	td_jw_obj_end(w);
}

void
td_extract_json(struct td_jw *w, const struct td_extract *x)
{
	size_t i;

	td_jw_key(w, "messages");
	td_jw_arr(w);
	for (i = 0; i < x->nr_msgs; i++)
		msg_json(w, &x->msgs[i]);
	td_jw_arr_end(w);
	td_jw_key(w, "warnings");
	td_jw_arr(w);
	for (i = 0; i < x->nr_warnings; i++)
		td_jw_str(w, x->warnings[i]);
	if (x->warnings_dropped)
		td_jw_str(w, "further warnings dropped");
	td_jw_arr_end(w);
}
