/*
 * takedown show CASE: everything the store knows of one case, and its
 * whole history in time order.  Every value that came from mail, the web
 * or a registry is escaped before it reaches the terminal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "caseview.h"
#include "cli.h"
#include "clock.h"
#include "jsonw.h"
#include "store.h"
#include "term.h"
#include "banned.h"

static int opt_json;
static const char *opt_store;

static const struct td_opt show_options[] = {
    {"json", 'j', TD_OPT_FLAG, &opt_json, NULL,
     "write JSON (schema takedown-show/1)"},
    {"store", 0, TD_OPT_STRING, &opt_store, "FILE",
     "the case store (default: cases.sqlite in the data folder)"},
    {NULL, 0, 0, NULL, NULL, NULL},
};

/* Everything of one case. */
struct show {
	struct td_store_case c;
	struct td_caseview v; /* urls, labels, parties */
	struct td_store_mail *mails;
	size_t nr_mails;
	struct td_store_evidence *ev;
	size_t nr_ev;
	struct td_store_message *msgs;
	size_t nr_msgs;
	struct td_store_received *recv;
	size_t nr_recv;
	struct td_store_event *events;
	size_t nr_events;
};

static int
load(struct show *x, struct td_store *s, struct td_error *err)
{
	long long id = x->c.id;
	int rc;

	rc = td_caseview_load(&x->v, s, id, err);
	if (!rc)
		rc = td_store_mail_list(&x->mails, &x->nr_mails, s, id, err);
	if (!rc)
		rc = td_store_evidence_list(&x->ev, &x->nr_ev, s, id, err);
	if (!rc)
		rc = td_store_message_list(&x->msgs, &x->nr_msgs, s, id, err);
	if (!rc)
		rc = td_store_received_list(&x->recv, &x->nr_recv, s, id, err);
	if (!rc)
		rc = td_store_event_list(&x->events, &x->nr_events, s, id, err);
	return rc;
}

static void
release(struct show *x)
{
	td_store_case_release(&x->c);
	td_caseview_release(&x->v);
	td_store_mail_list_free(x->mails, x->nr_mails);
	td_store_evidence_list_free(x->ev, x->nr_ev);
	td_store_message_list_free(x->msgs, x->nr_msgs);
	td_store_received_list_free(x->recv, x->nr_recv);
	td_store_event_list_free(x->events, x->nr_events);
}

/* ---- for humans ---- */

static void
esc(struct td_buf *o, const char *s)
{
	if (!s)
		s = "-";
	td_term_escape(o, s, strlen(s), 0);
}

/* "  label       value\n", the value escaped; nothing when s is NULL. */
static void
field(struct td_buf *o, const char *label, const char *s)
{
	if (!s)
		return;
	td_buf_printf(o, "    %-12s", label);
	esc(o, s);
	td_buf_addch(o, '\n');
}

static void
tfield(struct td_buf *o, const char *label, long long t)
{
	if (t <= 0)
		return;
	td_buf_printf(o, "    %-12s", label);
	td_caseview_time(o, t);
	td_buf_addch(o, '\n');
}

static const char *
party_name(const struct show *x, long long party_id)
{
	size_t i;

	for (i = 0; i < x->v.nr_parties; i++)
		if (x->v.parties[i].id == party_id)
			return x->v.parties[i].name;
	return NULL;
}

static void
header(struct td_buf *o, const struct show *x, long long now)
{
	const struct td_store_case *c = &x->c;
	const char *p, *nl;
	size_t i;

	esc(o, c->tag);
	td_buf_printf(o, "  %s%s\n", td_store_state_name(c->state),
		      c->escalated ? ", escalated" : "");
	td_buf_printf(o, "  %-14s%s\n", "kind", td_case_kind_name(c->kind));
	/* reasons, one per line, each escaped */
	for (p = c->kind_reasons; p && *p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		td_buf_printf(o, "  %-14s", "");
		td_term_escape(o, p, nl ? (size_t)(nl - p) : strlen(p), 0);
		td_buf_addch(o, '\n');
		if (!nl)
			break;
	}
	td_buf_printf(o, "  %-14s%s", "mitigation",
		      c->mitigation != TD_MIT_NONE
			  ? td_store_mitigation_name(c->mitigation)
			  : "-");
	if (c->mitigated > 0) {
		td_buf_adds(o, " since ");
		td_caseview_time(o, c->mitigated);
	}
	td_buf_printf(o, "\n  %-14s", "labels");
	for (i = 0; i < x->v.nr_labels; i++) {
		if (i)
			td_buf_adds(o, ", ");
		esc(o, x->v.labels[i]);
	}
	if (!x->v.nr_labels)
		td_buf_addch(o, '-');
	td_buf_printf(o, "\n  %-14s", "created");
	td_caseview_time(o, c->created);
	td_buf_adds(o, " (");
	td_caseview_age(o, now - c->created);
	td_buf_adds(o, " ago)\n");
	td_buf_printf(o, "  %-14s", "state since");
	td_caseview_time(o, c->state_since);
	td_buf_addch(o, '\n');
	td_buf_printf(o, "  %-14s", "first sent");
	td_caseview_time(o, c->first_sent);
	td_buf_printf(o, "\n  %-14s", "first answer");
	td_caseview_time(o, c->first_human);
	td_buf_addch(o, '\n');
	if (c->closed > 0) {
		td_buf_printf(o, "  %-14s", "closed");
		td_caseview_time(o, c->closed);
		td_buf_adds(o, ": ");
		esc(o, c->closed_reason);
		td_buf_addch(o, '\n');
	}
}

static void
parties_text(struct td_buf *o, const struct show *x)
{
	size_t i;

	td_buf_printf(o, "\nParties (%zu)\n", x->v.nr_parties);
	for (i = 0; i < x->v.nr_parties; i++) {
		const struct td_store_party *p = &x->v.parties[i];
		struct td_caseview_prov pv;

		td_buf_printf(o, "  %-11s", td_store_role_name(p->role));
		esc(o, p->name);
		if (p->target) {
			td_buf_adds(o, "  for ");
			esc(o, p->target);
		}
		td_buf_addch(o, '\n');
		field(o, "abuse", p->abuse_email);
		field(o, "phone", p->phone);
		field(o, "web form", p->web_form);
		field(o, "country", p->country);
		if (p->provenance) {
			td_buf_printf(o, "    %-12s", "from");
			if (td_caseview_prov_parse(&pv, p->provenance) < 0) {
				td_buf_adds(o, "(unreadable provenance)");
			} else {
				esc(o, pv.source);
				td_buf_adds(o, ", ");
				esc(o, pv.server);
				if (pv.query) {
					td_buf_adds(o, ", query ");
					esc(o, pv.query);
				}
				if (pv.when) {
					td_buf_adds(o, ", ");
					esc(o, pv.when);
				}
				if (pv.cached)
					td_buf_adds(o, " (cached)");
			}
			td_caseview_prov_release(&pv);
			td_buf_addch(o, '\n');
		}
		field(o, "ticket", p->ticket);
		tfield(o, "first sent", p->first_sent);
		tfield(o, "last sent", p->last_sent);
		tfield(o, "first reply", p->first_reply);
		tfield(o, "first answer", p->first_human);
		if (p->bounced > 0) {
			td_buf_printf(o, "    %-12s", "BOUNCED");
			td_caseview_time(o, p->bounced);
			td_buf_adds(o, " (the contact does not work)\n");
		}
	}
}

static void
text(struct td_buf *o, const struct show *x, long long now)
{
	size_t i;

	header(o, x, now);
	td_buf_printf(o, "\nURLs (%zu)\n", x->v.nr_urls);
	for (i = 0; i < x->v.nr_urls; i++) {
		const struct td_store_url *u = &x->v.urls[i];

		td_buf_adds(o, "  ");
		esc(o, u->url);
		td_buf_addch(o, '\n');
		if (strcmp(u->norm, u->url))
			field(o, "normalised", u->norm);
		td_buf_printf(o, "    %-12s", "host");
		esc(o, u->host);
		td_buf_adds(o, ", domain ");
		esc(o, u->domain);
		td_buf_addch(o, '\n');
	}
	td_buf_printf(o, "\nE-mails (%zu)\n", x->nr_mails);
	for (i = 0; i < x->nr_mails; i++) {
		const struct td_store_mail *m = &x->mails[i];

		td_buf_adds(o, "  ");
		esc(o, m->path);
		td_buf_addch(o, '\n');
		field(o, "sha256", m->sha256);
		field(o, "Message-ID", m->message_id);
	}
	parties_text(o, x);
	td_buf_printf(o, "\nEvidence (%zu)\n", x->nr_ev);
	for (i = 0; i < x->nr_ev; i++) {
		const struct td_store_evidence *e = &x->ev[i];

		td_buf_adds(o, "  ");
		td_caseview_time(o, e->fetched);
		td_buf_adds(o, "  ");
		esc(o, e->profile);
		if (e->status)
			td_buf_printf(o, "  HTTP %d", e->status);
		else
			td_buf_adds(o, "  no answer");
		td_buf_adds(o, "  ");
		esc(o, e->url);
		td_buf_addch(o, '\n');
		field(o, "final URL", e->final_url);
		field(o, "title", e->title);
		field(o, "sha256", e->body_sha256);
		field(o, "file", e->body_path);
		field(o, "TLS subject", e->tls_subject);
		field(o, "TLS issuer", e->tls_issuer);
		field(o, "error", e->error);
		field(o, "verdict", e->verdict);
	}
	td_buf_printf(o, "\nMessages (%zu)\n", x->nr_msgs);
	for (i = 0; i < x->nr_msgs; i++) {
		const struct td_store_message *m = &x->msgs[i];

		td_buf_adds(o, "  ");
		esc(o, m->purpose);
		td_buf_adds(o, " to ");
		esc(o, m->recipient);
		td_buf_printf(o, " (%s ", td_store_role_name(m->role));
		esc(o, party_name(x, m->party_id));
		td_buf_printf(o, "): %s\n", td_store_msg_state_name(m->state));
		field(o, "subject", m->subject);
		if (m->message_id) {
			td_buf_printf(o, "    %-12s<", "Message-ID");
			esc(o, m->message_id);
			td_buf_adds(o, ">\n");
		}
		tfield(o, "drafted", m->created);
		tfield(o, "sent", m->sent);
		field(o, "server", m->smtp_reply);
		field(o, "file", m->path);
	}
	td_buf_printf(o, "\nReplies (%zu)\n", x->nr_recv);
	for (i = 0; i < x->nr_recv; i++) {
		const struct td_store_received *r = &x->recv[i];

		td_buf_printf(o, "  %s from ",
			      td_store_reply_name(r->classification));
		esc(o, r->from);
		td_buf_printf(o, ", matched by %s\n",
			      td_store_match_name(r->matched_by));
		field(o, "subject", r->subject);
		tfield(o, "date", r->date);
		tfield(o, "imported", r->imported);
		field(o, "ticket", r->ticket);
		field(o, "file", r->path);
	}
	td_buf_printf(o, "\nTimeline (%zu)\n", x->nr_events);
	for (i = 0; i < x->nr_events; i++) {
		const struct td_store_event *e = &x->events[i];

		td_buf_adds(o, "  ");
		td_caseview_time(o, e->at);
		td_buf_printf(o, "  %-12s ", td_store_event_name(e->kind));
		td_buf_addch(o, '[');
		esc(o, e->source);
		td_buf_addch(o, ']');
		if (e->detail) {
			td_buf_adds(o, "  ");
			esc(o, e->detail);
		}
		td_buf_addch(o, '\n');
	}
}

/* ---- JSON ---- */

static void
ktime0(struct td_jw *w, const char *key, long long t)
{
	td_jw_ktime(w, key, t > 0 ? t : -1);
}

static void
json_case(struct td_jw *w, const struct show *x, long long now)
{
	const struct td_store_case *c = &x->c;
	const char *p, *nl;

	td_jw_key(w, "case");
	td_jw_obj(w);
	td_jw_kstr(w, "tag", c->tag);
	td_jw_kstr(w, "state", td_store_state_name(c->state));
	ktime0(w, "state_since", c->state_since);
	td_jw_kbool(w, "escalated", c->escalated);
	td_jw_kstr(w, "kind", td_case_kind_name(c->kind));
	td_jw_key(w, "kind_reasons");
	td_jw_arr(w);
	for (p = c->kind_reasons; p && *p; p = nl + 1) {
		nl = strchr(p, '\n');
		td_jw_strn(w, p, nl ? (size_t)(nl - p) : strlen(p));
		if (!nl)
			break;
	}
	td_jw_arr_end(w);
	td_jw_kstr(w, "mitigation",
		   c->mitigation != TD_MIT_NONE
		       ? td_store_mitigation_name(c->mitigation)
		       : NULL);
	ktime0(w, "mitigated", c->mitigated);
	td_jw_kstrv(w, "labels", x->v.labels, x->v.nr_labels);
	ktime0(w, "created", c->created);
	td_jw_kint(w, "age_secs", now - c->created);
	ktime0(w, "first_sent", c->first_sent);
	ktime0(w, "first_human_answer", c->first_human);
	ktime0(w, "closed", c->closed);
	td_jw_kstr(w, "closed_reason", c->closed_reason);
	td_jw_obj_end(w);
}

static void
json_parties(struct td_jw *w, const struct show *x)
{
	size_t i;

	td_jw_key(w, "parties");
	td_jw_arr(w);
	for (i = 0; i < x->v.nr_parties; i++) {
		const struct td_store_party *p = &x->v.parties[i];
		struct td_caseview_prov pv = {NULL, NULL, NULL, NULL, 0};

		td_jw_obj(w);
		td_jw_kstr(w, "role", td_store_role_name(p->role));
		td_jw_kstr(w, "name", p->name);
		td_jw_kstr(w, "target", p->target);
		td_jw_kstr(w, "abuse_email", p->abuse_email);
		td_jw_kstr(w, "phone", p->phone);
		td_jw_kstr(w, "web_form", p->web_form);
		td_jw_kstr(w, "country", p->country);
		td_jw_key(w, "provenance");
		if (p->provenance &&
		    td_caseview_prov_parse(&pv, p->provenance) == 0) {
			td_jw_obj(w);
			td_jw_kstr(w, "source", pv.source);
			td_jw_kstr(w, "server", pv.server);
			td_jw_kstr(w, "query", pv.query);
			td_jw_kstr(w, "when", pv.when);
			td_jw_kbool(w, "cached", pv.cached);
			td_jw_obj_end(w);
		} else {
			td_jw_null(w);
		}
		td_caseview_prov_release(&pv);
		td_jw_kstr(w, "ticket", p->ticket);
		ktime0(w, "first_sent", p->first_sent);
		ktime0(w, "last_sent", p->last_sent);
		ktime0(w, "first_reply", p->first_reply);
		ktime0(w, "first_human_answer", p->first_human);
		ktime0(w, "bounced", p->bounced);
		td_jw_obj_end(w);
	}
	td_jw_arr_end(w);
}

static void
json(struct td_buf *o, const struct show *x, long long now)
{
	struct td_jw w;
	size_t i;

	td_jw_init(&w, o);
	td_jw_obj(&w);
	td_jw_kstr(&w, "schema", "takedown-show/1");
	ktime0(&w, "now", now);
	json_case(&w, x, now);
	td_jw_key(&w, "urls");
	td_jw_arr(&w);
	for (i = 0; i < x->v.nr_urls; i++) {
		td_jw_obj(&w);
		td_jw_kstr(&w, "url", x->v.urls[i].url);
		td_jw_kstr(&w, "norm", x->v.urls[i].norm);
		td_jw_kstr(&w, "host", x->v.urls[i].host);
		td_jw_kstr(&w, "domain", x->v.urls[i].domain);
		td_jw_obj_end(&w);
	}
	td_jw_arr_end(&w);
	td_jw_key(&w, "mails");
	td_jw_arr(&w);
	for (i = 0; i < x->nr_mails; i++) {
		td_jw_obj(&w);
		td_jw_kstr(&w, "path", x->mails[i].path);
		td_jw_kstr(&w, "sha256", x->mails[i].sha256);
		td_jw_kstr(&w, "message_id", x->mails[i].message_id);
		td_jw_obj_end(&w);
	}
	td_jw_arr_end(&w);
	json_parties(&w, x);
	td_jw_key(&w, "evidence");
	td_jw_arr(&w);
	for (i = 0; i < x->nr_ev; i++) {
		const struct td_store_evidence *e = &x->ev[i];

		td_jw_obj(&w);
		td_jw_kstr(&w, "url", e->url);
		td_jw_kstr(&w, "profile", e->profile);
		ktime0(&w, "fetched", e->fetched);
		td_jw_kstr(&w, "final_url", e->final_url);
		td_jw_kint(&w, "status", e->status);
		td_jw_kstr(&w, "title", e->title);
		td_jw_kstr(&w, "sha256", e->body_sha256);
		td_jw_kint(&w, "length", e->body_len);
		td_jw_kstr(&w, "file", e->body_path);
		td_jw_kstr(&w, "tls_subject", e->tls_subject);
		td_jw_kstr(&w, "tls_issuer", e->tls_issuer);
		td_jw_kstr(&w, "error", e->error);
		td_jw_kstr(&w, "verdict", e->verdict);
		td_jw_obj_end(&w);
	}
	td_jw_arr_end(&w);
	td_jw_key(&w, "messages");
	td_jw_arr(&w);
	for (i = 0; i < x->nr_msgs; i++) {
		const struct td_store_message *m = &x->msgs[i];

		td_jw_obj(&w);
		td_jw_kstr(&w, "purpose", m->purpose);
		td_jw_kstr(&w, "role", td_store_role_name(m->role));
		td_jw_kstr(&w, "party", party_name(x, m->party_id));
		td_jw_kstr(&w, "recipient", m->recipient);
		td_jw_kstr(&w, "subject", m->subject);
		td_jw_kstr(&w, "state", td_store_msg_state_name(m->state));
		td_jw_kstr(&w, "message_id", m->message_id);
		td_jw_kstr(&w, "in_reply_to", m->in_reply_to);
		ktime0(&w, "drafted", m->created);
		ktime0(&w, "sent", m->sent);
		td_jw_kstr(&w, "server_reply", m->smtp_reply);
		td_jw_kstr(&w, "file", m->path);
		td_jw_obj_end(&w);
	}
	td_jw_arr_end(&w);
	td_jw_key(&w, "received");
	td_jw_arr(&w);
	for (i = 0; i < x->nr_recv; i++) {
		const struct td_store_received *r = &x->recv[i];

		td_jw_obj(&w);
		td_jw_kstr(&w, "class", td_store_reply_name(r->classification));
		td_jw_kstr(&w, "from", r->from);
		td_jw_kstr(&w, "subject", r->subject);
		td_jw_kstr(&w, "message_id", r->message_id);
		ktime0(&w, "date", r->date);
		ktime0(&w, "imported", r->imported);
		td_jw_kstr(&w, "matched_by",
			   td_store_match_name(r->matched_by));
		td_jw_kstr(&w, "party", party_name(x, r->party_id));
		td_jw_kstr(&w, "ticket", r->ticket);
		td_jw_kstr(&w, "file", r->path);
		td_jw_obj_end(&w);
	}
	td_jw_arr_end(&w);
	td_jw_key(&w, "events");
	td_jw_arr(&w);
	for (i = 0; i < x->nr_events; i++) {
		const struct td_store_event *e = &x->events[i];

		td_jw_obj(&w);
		ktime0(&w, "at", e->at);
		td_jw_kstr(&w, "kind", td_store_event_name(e->kind));
		td_jw_kstr(&w, "source", e->source);
		td_jw_kstr(&w, "detail", e->detail);
		td_jw_obj_end(&w);
	}
	td_jw_arr_end(&w);
	td_jw_obj_end(&w);
	td_buf_addch(o, '\n');
}

static int
run_show(int argc, char **argv)
{
	struct td_store *s = NULL;
	struct td_error err = {0, ""};
	struct td_buf o = TD_BUF_INIT;
	struct show x;
	long long now = td_now();
	int rc, status = EXIT_FAIL;

	memset(&x, 0, sizeof(x));
	if (argc != 1) {
		td_die_msg("show", "give one case tag, e.g. TD-2026-000123");
		return EXIT_USAGE;
	}
	rc = td_caseview_open(&s, opt_store, 0, &err);
	if (rc == 0)
		rc = td_store_case_get_tag(&x.c, s, argv[0], &err);
	if (rc == TD_ENOTFOUND) {
		td_term_escape(&o, argv[0], strnlen(argv[0], 64), 0);
		td_die_msg("show", "%s: no such case", o.ptr);
		goto out;
	}
	if (rc == 0)
		rc = load(&x, s, &err);
	if (rc < 0) {
		td_die_msg("show", "%s", err.msg);
		goto out;
	}
	if (opt_json)
		json(&o, &x, now);
	else
		text(&o, &x, now);
	if (td_buf_failed(&o)) {
		td_die_msg("show", "out of memory");
		goto out;
	}
	fwrite(o.ptr, 1, o.len, stdout);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		td_die_msg("show", "cannot write");
		goto out;
	}
	status = EXIT_OK;
out:
	td_buf_release(&o);
	release(&x);
	td_store_close(s);
	return status;
}

const struct td_cmd cmd_show_def = {
    "show",
    "CASE",
    "show a case: parties, evidence, messages, replies, timeline",
    "Prints everything the store keeps of case CASE (its tag, e.g.\n"
    "TD-2026-000123; ASCII case ignored): state, kind and why, mitigation,\n"
    "escalation, labels and times; its URLs; the e-mails it came from;\n"
    "its parties with their contacts, where each contact comes from\n"
    "(source, server, time), tickets and bounces; the evidence captured;\n"
    "the messages drafted and sent with their Message-IDs and the server's\n"
    "answer; the replies received and how each was matched; and the whole\n"
    "history in time order with the source of each entry.  Text from\n"
    "mail, web pages and records is shown escaped.\n",
    show_options,
    run_show,
};
