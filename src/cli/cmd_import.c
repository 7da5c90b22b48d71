/*
 * takedown import: replies, auto-responses and bounces into their cases.
 * Each message is kept (data folder, received/<sha256>.eml), classified
 * (reply.h), matched to its case and party, stored, and the case moved
 * conservatively.  docs/internals/reply.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "clock.h"
#include "hash.h"
#include "input.h"
#include "jsonw.h"
#include "paths.h"
#include "reply.h"
#include "store.h"
#include "term.h"
#include "banned.h"

static int opt_json, opt_accept, opt_unmatched;
static const char *opt_store;
static size_t opt_max_size = TD_REPLY_MAX_BYTES;
static unsigned opt_batch = 1000;

static const struct td_opt options[] = {
    {"accept", 'a', TD_OPT_FLAG, &opt_accept, NULL,
     "apply the state a human reply proposes (also for messages "
     "imported before)"},
    {"json", 'j', TD_OPT_FLAG, &opt_json, NULL,
     "write one JSON object (schema takedown-import/1)"},
    {"unmatched", 'u', TD_OPT_FLAG, &opt_unmatched, NULL,
     "list the messages stored so far that match no case"},
    {"store", 0, TD_OPT_STRING, &opt_store, "FILE",
     "the case store (received copies go beside it)"},
    {"max-size", 0, TD_OPT_SIZE, &opt_max_size, "BYTES",
     "refuse messages larger than this (default 32M)"},
    {"batch", 0, TD_OPT_UINT, &opt_batch, "N",
     "messages per store transaction (default 1000)"},
    {NULL, 0, 0, NULL, NULL, NULL},
};

/* A state a human reply proposes, asked about after the import. */
struct proposal {
	long long case_id;
	char tag[24];
	enum td_case_state to;
	char *detail;
};

struct run {
	struct td_store *s;
	char *dir; /* where received copies go */
	int dirfd;
	int in_tx;
	unsigned in_batch;
	long long now;
	struct td_buf out;
	struct td_jw jw;
	struct proposal *props;
	size_t nr_props, alloc_props;
	long long *unmatched;
	size_t nr_unmatched, alloc_unmatched;
	size_t nr, cls[TD_REPLY_NR], matched, dups, failed, changes;
	int fatal;
};

/* ---- output helpers ---- */

static void
esc(struct td_buf *o, const char *s)
{
	if (s)
		td_term_escape(o, s, strlen(s), 0);
}

static void
flush_out(struct run *r)
{
	if (r->out.len) {
		fwrite(r->out.ptr, 1, r->out.len, stdout);
		td_buf_reset(&r->out);
	}
}

static void
say_error(struct run *r, const char *where, const char *msg)
{
	struct td_buf b = TD_BUF_INIT;

	r->failed++;
	esc(&b, where);
	td_buf_adds(&b, ": ");
	esc(&b, msg);
	td_die_msg("import", "%s", b.ptr);
	td_buf_release(&b);
}

/* ---- the stored copy ---- */

/* Write len bytes to fd (named name in the folder) and close it; on
   failure the file is removed. */
static int
write_all(struct run *r, int fd, const char *name, const char *data, size_t len,
	  const char *shown, struct td_error *err)
{
	size_t off = 0;

	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = w < 0 ? errno : EIO;

			close(fd);
			unlinkat(r->dirfd, name, 0);
			return td_error_set(err, TD_EIO, "%s: %s", shown,
					    strerror(e));
		}
		off += (size_t)w;
	}
	if (close(fd) < 0) {
		int e = errno;

		unlinkat(r->dirfd, name, 0);
		return td_error_set(err, TD_EIO, "%s: %s", shown, strerror(e));
	}
	return 0;
}

/*
 * Keep the bytes as <dir>/<sha256>.eml, mode 0600, written to a
 * new name created exclusively (O_EXCL, never through a link).  An
 * existing copy of the right size is left alone (same name, same
 * bytes); one of another size (a write cut short by kill -9 or a power
 * loss) is written again.  Copies are not synced one by one: 10,000
 * fsyncs (or a syncfs per batch, which flushes the whole file system)
 * cost more than the whole import, and a kill -9 loses nothing already
 * written.  After a power loss, importing the same input again restores
 * a lost copy.
 */
static int
keep_copy(struct run *r, const char *sha, const char *data, size_t len,
	  char **path_out, struct td_error *err)
{
	char name[80], tmp[96];
	struct stat st;
	int fd;

	snprintf(name, sizeof(name), "%s.eml", sha);
	*path_out = NULL;
	{
		struct td_buf p = TD_BUF_INIT;

		td_buf_printf(&p, "%s/%s", r->dir, name);
		if (td_buf_failed(&p))
			return td_error_set(err, TD_ENOMEM, "out of memory");
		*path_out = td_buf_detach(&p, NULL);
		if (!*path_out)
			return td_error_set(err, TD_ENOMEM, "out of memory");
	}
	/* the usual case: a new file, created exclusively */
	fd = openat(r->dirfd, name,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0)
		return write_all(r, fd, name, data, len, *path_out, err);
	if (errno != EEXIST)
		return td_error_set(err, TD_EIO, "%s: %s", *path_out,
				    strerror(errno));
	if (fstatat(r->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return td_error_set(err, TD_EIO, "%s: %s", *path_out,
				    strerror(errno));
	if (!S_ISREG(st.st_mode))
		return td_error_set(err, TD_EIO, "%s: exists and is not a file",
				    *path_out);
	if ((size_t)st.st_size == len)
		return 0;
	/* a copy cut short: write it again and swap it in whole */
	snprintf(tmp, sizeof(tmp), ".%.16s.%ld.tmp", sha, (long)getpid());
	fd =
	    openat(r->dirfd, tmp,
		   O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return td_error_set(err, TD_EIO, "%s/%s: %s", r->dir, tmp,
				    strerror(errno));
	if (write_all(r, fd, tmp, data, len, *path_out, err) < 0)
		return TD_EIO;
	if (renameat(r->dirfd, tmp, r->dirfd, name) < 0) {
		int e = errno;

		unlinkat(r->dirfd, tmp, 0);
		return td_error_set(err, TD_EIO, "%s: %s", *path_out,
				    strerror(e));
	}
	return 0;
}

/* ---- transactions ---- */

static int
tx_begin(struct run *r)
{
	struct td_error err = {0, ""};

	if (r->in_tx)
		return 0;
	if (td_store_begin(r->s, &err) < 0) {
		td_die_msg("import", "%s", err.msg);
		return -1;
	}
	r->in_tx = 1;
	r->in_batch = 0;
	return 0;
}

static int
tx_commit(struct run *r)
{
	struct td_error err = {0, ""};

	if (!r->in_tx)
		return 0;
	r->in_tx = 0;
	if (td_store_commit(r->s, &err) < 0) {
		td_die_msg("import", "%s", err.msg);
		return -1;
	}
	return 0;
}

/* ---- matching ---- */

struct match {
	long long case_id, party_id, message;
	enum td_match how;
	const char *detail; /* "In-Reply-To", "References", ... */
};

/*
 * A failed lookup: the store broken (stop the run) or only this value
 * unusable or unknown (no match).
 */
static int
lookup_failed(int rc)
{
	return rc == TD_ENOMEM || rc == TD_EIO || rc == TD_EPARSE ? rc : 0;
}

/* Our message with Message-ID id, as a match. */
static int
by_message_id(struct run *r, struct match *m, const char *id, enum td_match how,
	      const char *detail)
{
	struct td_store_message msg;
	int rc;

	if (!id)
		return 0;
	rc = td_store_message_find(&msg, r->s, id, NULL);
	if (rc < 0)
		return lookup_failed(rc);
	m->case_id = msg.case_id;
	m->party_id = msg.party_id;
	m->message = msg.id;
	m->how = how;
	m->detail = detail;
	td_store_message_release(&msg);
	return 1;
}

static const char *
domain_of(const char *addr)
{
	const char *at = addr ? strrchr(addr, '@') : NULL;

	return at ? at + 1 : NULL;
}

/*
 * Who answered, when only the case is known (tag): for a bounce, the
 * party our message to the failed address went to; else the party
 * whose abuse address is the sender, or at its domain.  The message is
 * the latest one to that party.
 */
static void
find_party(struct run *r, struct match *m, const struct td_reply *rep)
{
	struct td_store_message *mv = NULL;
	struct td_store_party *pv = NULL;
	size_t nm = 0, np = 0, i;
	const char *fd = domain_of(rep->from);

	if (td_store_message_list(&mv, &nm, r->s, m->case_id, NULL) < 0)
		nm = 0;
	if (rep->cls == TD_REPLY_BOUNCE && rep->final_recipient) {
		for (i = nm; i-- > 0;)
			if (!strcasecmp(mv[i].recipient,
					rep->final_recipient)) {
				m->party_id = mv[i].party_id;
				m->message = mv[i].id;
				goto out;
			}
	}
	if (!rep->from ||
	    td_store_party_list(&pv, &np, r->s, m->case_id, NULL) < 0)
		goto out;
	for (i = 0; i < np && !m->party_id; i++)
		if (pv[i].abuse_email &&
		    !strcasecmp(pv[i].abuse_email, rep->from))
			m->party_id = pv[i].id;
	for (i = 0; i < np && !m->party_id && fd; i++) {
		const char *pd = domain_of(pv[i].abuse_email);

		if (pd && !strcasecmp(pd, fd))
			m->party_id = pv[i].id;
	}
	for (i = nm; m->party_id && i-- > 0;)
		if (mv[i].party_id == m->party_id) {
			m->message = mv[i].id;
			break;
		}
out:
	td_store_message_list_free(mv, nm);
	td_store_party_list_free(pv, np);
}

/*
 * In the order of the brief: In-Reply-To, References (newest first),
 * the original Message-ID inside a bounce, the case tag in the subject,
 * a ticket number the party gave earlier.  Returns 1 matched, 0 not, or
 * a negative code.
 */
static int
match(struct run *r, struct match *m, const struct td_reply *rep)
{
	char tag[24];
	size_t i;
	int rc;

	memset(m, 0, sizeof(*m));
	rc = by_message_id(r, m, rep->in_reply_to, TD_MATCH_IN_REPLY_TO,
			   "In-Reply-To");
	for (i = rep->nr_refs; !rc && i-- > 0;)
		rc = by_message_id(r, m, rep->refs[i], TD_MATCH_REFERENCES,
				   "References");
	if (!rc && rep->cls == TD_REPLY_BOUNCE)
		rc = by_message_id(r, m, rep->original_message_id,
				   TD_MATCH_REFERENCES,
				   "original Message-ID in the bounce");
	if (rc)
		return rc;
	if (rep->subject && td_reply_tag_find(tag, rep->subject)) {
		struct td_store_case c;

		rc = td_store_case_get_tag(&c, r->s, tag, NULL);
		if (rc == 0) {
			m->case_id = c.id;
			m->how = TD_MATCH_TAG;
			m->detail = "case tag in the subject";
			td_store_case_release(&c);
			find_party(r, m, rep);
			return 1;
		}
		if (lookup_failed(rc))
			return rc;
	}
	if (rep->ticket) {
		struct td_store_party p;

		rc = td_store_party_find_ticket(&p, r->s, rep->ticket, NULL);
		if (rc == 0) {
			struct td_store_message *mv = NULL;
			size_t nm = 0;

			m->case_id = p.case_id;
			m->party_id = p.id;
			m->how = TD_MATCH_TICKET;
			m->detail = "ticket number";
			if (td_store_message_list(&mv, &nm, r->s, p.case_id,
						  NULL) == 0)
				for (i = nm; i-- > 0;)
					if (mv[i].party_id == p.id) {
						m->message = mv[i].id;
						break;
					}
			td_store_message_list_free(mv, nm);
			td_store_party_release(&p);
			return 1;
		}
		if (lookup_failed(rc))
			return rc;
	}
	return 0;
}

/* ---- what to do next ---- */

/*
 * The next route after a bounce, named, never invented: the party's
 * own web form; for a host (CDN, platform) its upstream network; for a
 * registrar the registry; otherwise law enforcement.  Parties of those
 * roles already in the case are named with their contact.
 */
static void
route(struct run *r, struct td_buf *o, const struct td_store_party *p)
{
	struct td_store_party *pv = NULL;
	size_t np = 0, i;
	enum td_party_role want;
	const char *what;

	if (p->web_form) {
		td_buf_adds(o, "the party's web form ");
		esc(o, p->web_form);
		return;
	}
	switch (p->role) {
	case TD_ROLE_HOST:
	case TD_ROLE_CDN:
	case TD_ROLE_PLATFORM:
		want = TD_ROLE_UPSTREAM;
		what = "the upstream network";
		break;
	case TD_ROLE_REGISTRAR:
		want = TD_ROLE_REGISTRY;
		what = "the registry";
		break;
	default:
		want = TD_ROLE_LE;
		what = "law enforcement";
		break;
	}
	td_buf_adds(o, what);
	if (td_store_party_list(&pv, &np, r->s, p->case_id, NULL) == 0)
		for (i = 0; i < np; i++)
			if (pv[i].role == want && pv[i].id != p->id) {
				td_buf_adds(o, ": ");
				esc(o, pv[i].name);
				if (pv[i].abuse_email) {
					td_buf_adds(o, " <");
					esc(o, pv[i].abuse_email);
					td_buf_addch(o, '>');
				} else if (pv[i].web_form) {
					td_buf_adds(o, " ");
					esc(o, pv[i].web_form);
				}
				td_store_party_list_free(pv, np);
				return;
			}
	td_store_party_list_free(pv, np);
	if (want == TD_ROLE_UPSTREAM && p->target) {
		td_buf_adds(o, " of ");
		esc(o, p->target);
		td_buf_adds(o, " (the parent allocation's abuse contact)");
	} else if (want == TD_ROLE_REGISTRY && p->target) {
		td_buf_adds(o, " of ");
		esc(o, p->target);
	} else if (want == TD_ROLE_LE) {
		td_buf_adds(o, " (see the case's law enforcement advice)");
	}
}

static void
apply_hint(struct td_buf *o)
{
	td_buf_adds(o, "takedown import --accept FILE (the same input again)");
}

/* ---- one message ---- */

struct done {
	const struct td_input_msg *im;
	const char *sha, *path;
	const struct td_reply *rep;
	const struct match *m;
	int dup, matched;
	struct td_store_case *c;
	struct td_store_party *p;
	const char *change_from, *change_to; /* applied now */
	const char *propose;		     /* proposed state, or NULL */
	int proposal_applied;
	struct td_buf *route;
};

static void
line_human(struct run *r, const struct done *d)
{
	struct td_buf *o = &r->out;

	if (d->c)
		td_buf_adds(o, d->c->tag);
	else
		td_buf_adds(o, "-");
	td_buf_adds(o, "  ");
	if (d->p) {
		td_buf_adds(o, td_store_role_name(d->p->role));
		td_buf_addch(o, ' ');
		esc(o, d->p->name);
	} else {
		td_buf_adds(o, "-");
	}
	td_buf_printf(o, "  %s", td_store_reply_name(d->rep->cls));
	if (d->dup)
		td_buf_adds(o, "  already imported");
	else if (d->matched)
		td_buf_printf(o, "  by %s", d->m->detail);
	else
		td_buf_adds(o, "  unmatched (kept)");
	if (d->change_to)
		td_buf_printf(o, "  %s -> %s", d->change_from, d->change_to);
	if (d->propose && d->proposal_applied)
		td_buf_printf(o, "  %s -> %s (accepted)", d->change_from,
			      d->propose);
	else if (d->propose)
		td_buf_printf(o, "  proposes %s", d->propose);
	if (d->rep->cls == TD_REPLY_BOUNCE && d->matched && !d->dup) {
		td_buf_adds(o, "  contact ");
		esc(o, d->rep->final_recipient	   ? d->rep->final_recipient
		       : d->p && d->p->abuse_email ? d->p->abuse_email
						   : "?");
		td_buf_adds(o, " bad");
		if (d->route && d->route->len) {
			td_buf_adds(o, "; next route: ");
			td_buf_add(o, d->route->ptr, d->route->len);
		}
	}
	td_buf_adds(o, "  [");
	esc(o, d->im->path);
	if (!strcmp(d->im->format, "mbox"))
		td_buf_printf(o, " #%zu", d->im->index + 1);
	td_buf_adds(o, "]\n");
	if (!d->dup) {
		td_buf_adds(o, "    ");
		esc(o, d->rep->reason);
		if (d->rep->ticket) {
			td_buf_adds(o, "; ticket ");
			esc(o, d->rep->ticket);
		}
		if (d->rep->cls == TD_REPLY_BOUNCE && d->rep->status) {
			td_buf_adds(o, "; status ");
			esc(o, d->rep->status);
		}
		td_buf_addch(o, '\n');
	}
}

static void
line_json(struct run *r, const struct done *d)
{
	struct td_jw *w = &r->jw;
	const struct td_reply *rep = d->rep;
	size_t i;

	td_jw_obj(w);
	td_jw_key(w, "source");
	td_jw_obj(w);
	td_jw_kstr(w, "path", d->im->path);
	td_jw_kstr(w, "format", d->im->format);
	td_jw_kint(w, "index", (long long)d->im->index);
	td_jw_obj_end(w);
	td_jw_kstr(w, "sha256", d->sha);
	td_jw_kstr(w, "stored", d->path);
	td_jw_kbool(w, "duplicate", d->dup);
	td_jw_kstr(w, "class", td_store_reply_name(rep->cls));
	td_jw_kstr(w, "reason", rep->reason);
	td_jw_kstr(w, "from", rep->from);
	td_jw_kstr(w, "subject", rep->subject);
	td_jw_ktime(w, "date", rep->date ? rep->date : -1);
	td_jw_kstr(w, "message_id", rep->message_id);
	td_jw_kstr(w, "in_reply_to", rep->in_reply_to);
	td_jw_key(w, "references");
	td_jw_arr(w);
	for (i = 0; i < rep->nr_refs; i++)
		td_jw_str(w, rep->refs[i]);
	td_jw_arr_end(w);
	td_jw_kstr(w, "ticket", rep->ticket);
	td_jw_kbool(w, "needs_info", rep->needs_info);
	td_jw_kstr(w, "case", d->c ? d->c->tag : NULL);
	td_jw_key(w, "party");
	if (d->p) {
		td_jw_obj(w);
		td_jw_kstr(w, "role", td_store_role_name(d->p->role));
		td_jw_kstr(w, "name", d->p->name);
		td_jw_kstr(w, "abuse_email", d->p->abuse_email);
		td_jw_obj_end(w);
	} else {
		td_jw_null(w);
	}
	td_jw_kstr(w, "matched_by",
		   d->matched ? td_store_match_name(d->m->how) : NULL);
	td_jw_kstr(w, "match_detail", d->matched ? d->m->detail : NULL);
	td_jw_key(w, "state_change");
	if (d->change_to || d->proposal_applied) {
		td_jw_obj(w);
		td_jw_kstr(w, "from", d->change_from);
		td_jw_kstr(w, "to", d->change_to ? d->change_to : d->propose);
		td_jw_obj_end(w);
	} else {
		td_jw_null(w);
	}
	td_jw_key(w, "proposal");
	if (d->propose) {
		td_jw_obj(w);
		td_jw_kstr(w, "state", d->propose);
		td_jw_kbool(w, "applied", d->proposal_applied);
		td_jw_kstr(w, "command", "takedown import --accept FILE");
		td_jw_obj_end(w);
	} else {
		td_jw_null(w);
	}
	td_jw_key(w, "bounce");
	if (rep->cls == TD_REPLY_BOUNCE) {
		td_jw_obj(w);
		td_jw_kbool(w, "rfc3464", rep->rfc3464);
		td_jw_kstr(w, "final_recipient", rep->final_recipient);
		td_jw_kstr(w, "action", rep->action);
		td_jw_kstr(w, "status", rep->status);
		td_jw_kstr(w, "diagnostic", rep->diagnostic);
		td_jw_kstr(w, "original_message_id", rep->original_message_id);
		td_jw_kstr(w, "next_route",
			   d->route && d->route->len ? d->route->ptr : NULL);
		td_jw_obj_end(w);
	} else {
		td_jw_null(w);
	}
	td_jw_obj_end(w);
}

static int
add_proposal(struct run *r, const struct td_store_case *c,
	     enum td_case_state to, const char *detail)
{
	struct proposal *p;
	size_t i;

	for (i = 0; i < r->nr_props; i++)
		if (r->props[i].case_id == c->id) {
			/* one per case: needs-info wins over acknowledged */
			if (to == TD_STATE_NEEDS_INFO)
				r->props[i].to = to;
			return 0;
		}
	if (TD_ARRAY_GROW(r->props, r->nr_props + 1, r->alloc_props) < 0)
		return TD_ENOMEM;
	p = &r->props[r->nr_props];
	memset(p, 0, sizeof(*p));
	p->case_id = c->id;
	snprintf(p->tag, sizeof(p->tag), "%s", c->tag);
	p->to = to;
	p->detail = strdup(detail);
	if (!p->detail)
		return TD_ENOMEM;
	r->nr_props++;
	return 0;
}

/* State detail: "auto-response from x@y: reason" (bounded). */
static char *
detail_of(const char *what, const struct td_reply *rep)
{
	struct td_buf b = TD_BUF_INIT;

	td_buf_init(&b, 2000);
	td_buf_printf(&b, "%s from %s", what, rep->from ? rep->from : "?");
	if (rep->reason)
		td_buf_printf(&b, ": %s", rep->reason);
	if (td_buf_failed(&b) & TD_BUF_OOM) {
		td_buf_release(&b);
		return NULL;
	}
	return td_buf_detach(&b, NULL);
}

/*
 * Move the case as a matched message allows.  Auto-responses move
 * "reported" to "auto-acknowledged" at once (the only automatic move);
 * a human reply proposes acknowledged or needs-info, applied with
 * --accept, else asked about or printed after the import.
 */
static int
move_case(struct run *r, struct done *d, const struct td_reply *rep)
{
	struct td_error err = {0, ""};
	enum td_case_state to;
	char *detail;
	int rc;

	if (rep->cls == TD_REPLY_AUTO && !d->dup) {
		if (d->c->state != TD_STATE_REPORTED)
			return 0;
		detail = detail_of("auto-response", rep);
		if (!detail)
			return TD_ENOMEM;
		rc = td_store_set_state(r->s, d->c->id,
					TD_STATE_AUTO_ACKNOWLEDGED, TD_MIT_NONE,
					detail, r->now, &err);
		free(detail);
		if (rc < 0) {
			say_error(r, d->c->tag, err.msg);
			return 0;
		}
		d->change_from = td_store_state_name(d->c->state);
		d->change_to = td_store_state_name(TD_STATE_AUTO_ACKNOWLEDGED);
		d->c->state = TD_STATE_AUTO_ACKNOWLEDGED;
		r->changes++;
		return 0;
	}
	if (rep->cls != TD_REPLY_HUMAN)
		return 0;
	to = rep->needs_info ? TD_STATE_NEEDS_INFO : TD_STATE_ACKNOWLEDGED;
	if (d->c->state == to || !td_store_transition_allowed(d->c->state, to))
		return 0;
	d->propose = td_store_state_name(to);
	d->change_from = td_store_state_name(d->c->state);
	if (!opt_accept)
		return add_proposal(
		    r, d->c, to, rep->from ? rep->from : "an unknown sender");
	detail = detail_of("reply", rep);
	if (!detail)
		return TD_ENOMEM;
	rc = td_store_set_state(r->s, d->c->id, to, TD_MIT_NONE, detail, r->now,
				&err);
	free(detail);
	if (rc < 0) {
		say_error(r, d->c->tag, err.msg);
		return 0;
	}
	d->proposal_applied = 1;
	d->c->state = to;
	r->changes++;
	return 0;
}

static int
note_unmatched(struct run *r, long long id)
{
	if (TD_ARRAY_GROW(r->unmatched, r->nr_unmatched + 1,
			  r->alloc_unmatched) < 0)
		return TD_ENOMEM;
	r->unmatched[r->nr_unmatched++] = id;
	return 0;
}

static int
on_message(const struct td_input_msg *im, void *payload)
{
	struct run *r = payload;
	struct td_reply rep;
	struct td_reply_opts ro = TD_REPLY_OPTS_INIT;
	struct td_error err = {0, ""};
	struct td_store_received rec;
	struct td_store_case c;
	struct td_store_party p;
	struct td_buf where = TD_BUF_INIT, rt = TD_BUF_INIT;
	struct match m;
	struct done d;
	char sha[65], *path = NULL;
	long long rid = 0;
	int rc, ret = 0;

	memset(&c, 0, sizeof(c));
	memset(&p, 0, sizeof(p));
	memset(&d, 0, sizeof(d));
	td_buf_adds(&where, im->path);
	if (!strcmp(im->format, "mbox"))
		td_buf_printf(&where, ": message %zu", im->index + 1);
	r->nr++;
	ro.max_bytes = opt_max_size;
	rc = td_reply_parse(&rep, im->data, im->len, &ro, &err);
	if (rc == TD_ENOMEM) {
		ret = rc;
		goto out;
	}
	if (rc < 0) {
		say_error(r, where.ptr, err.msg);
		goto out;
	}
	td_sha256_hex(sha, im->data, im->len);
	if (keep_copy(r, sha, im->data, im->len, &path, &err) < 0) {
		say_error(r, where.ptr, err.msg);
		goto out_rep;
	}
	if (tx_begin(r) < 0) {
		ret = TD_EIO;
		goto out_rep;
	}
	rc = match(r, &m, &rep);
	if (rc < 0) {
		td_die_msg("import", "store: %s", td_strerror(rc));
		ret = rc;
		goto out_rep;
	}
	memset(&rec, 0, sizeof(rec));
	rec.case_id = rc ? m.case_id : 0;
	rec.party_id = rc ? m.party_id : 0;
	rec.message = rc ? m.message : 0;
	rec.matched_by = rc ? m.how : TD_MATCH_NONE;
	rec.from = rep.from;
	rec.subject = rep.subject;
	rec.message_id = rep.message_id;
	rec.date = rep.date;
	rec.classification = rep.cls;
	rec.ticket = rep.ticket;
	rec.path = path;
	rec.sha256 = sha;
	rc = td_store_received_add(&rid, r->s, &rec, r->now, &err);
	if (rc < 0 && rec.case_id && rc != TD_ENOMEM && rc != TD_EIO) {
		/* the match was refused: keep it unmatched, never drop it */
		rec.case_id = rec.party_id = rec.message = 0;
		rec.matched_by = TD_MATCH_NONE;
		rc = td_store_received_add(&rid, r->s, &rec, r->now, &err);
	}
	if (rc < 0) {
		say_error(r, where.ptr, err.msg);
		if (rc == TD_EIO || rc == TD_ENOMEM)
			ret = rc;
		goto out_rep;
	}
	d.im = im;
	d.sha = sha;
	d.path = path;
	d.rep = &rep;
	d.m = &m;
	d.dup = rc == 1;
	if (d.dup) {
		/* the same bytes again: nothing changes, but --accept may
		   apply what its first import proposed */
		struct td_store_received old;

		r->dups++;
		if (td_store_received_get(&old, r->s, rid, NULL) == 0) {
			m.case_id = old.case_id;
			m.party_id = old.party_id;
			m.how = old.matched_by;
			m.detail = td_store_match_name(old.matched_by);
			td_store_received_release(&old);
		} else {
			m.case_id = 0;
		}
	} else {
		r->cls[rep.cls]++;
	}
	d.matched = m.case_id != 0 && rec.case_id != 0;
	if (d.dup)
		d.matched = m.case_id != 0;
	if (d.matched) {
		if (!d.dup)
			r->matched++;
		if (td_store_case_get(&c, r->s, m.case_id, NULL) == 0)
			d.c = &c;
		if (m.party_id &&
		    td_store_party_get(&p, r->s, m.party_id, NULL) == 0)
			d.p = &p;
		if (d.c && (ret = move_case(r, &d, &rep)) < 0)
			goto out_rep;
		if (rep.cls == TD_REPLY_BOUNCE && d.p && !d.dup) {
			td_buf_init(&rt, 2000);
			route(r, &rt, d.p);
			d.route = &rt;
		}
	} else if (!d.dup && (ret = note_unmatched(r, rid)) < 0) {
		goto out_rep;
	}
	if (opt_json)
		line_json(r, &d);
	else
		line_human(r, &d);
	if (++r->in_batch >= opt_batch && tx_commit(r) < 0)
		ret = TD_EIO;
	if (r->out.len > (1u << 16))
		flush_out(r);
	if (td_buf_failed(&r->out) & TD_BUF_OOM)
		ret = TD_ENOMEM;
out_rep:
	td_reply_release(&rep);
out:
	td_store_case_release(&c);
	td_store_party_release(&p);
	td_buf_release(&rt);
	td_buf_release(&where);
	free(path);
	if (ret < 0)
		r->fatal = 1;
	return ret;
}

/* ---- proposals after the import ---- */

static void
resolve_proposals(struct run *r, int ask)
{
	size_t i;

	for (i = 0; i < r->nr_props; i++) {
		struct proposal *p = &r->props[i];
		struct td_store_case c;
		struct td_error err = {0, ""};
		struct td_buf b = TD_BUF_INIT;
		char line[16];

		if (td_store_case_get(&c, r->s, p->case_id, NULL) < 0)
			continue;
		if (c.state == p->to ||
		    !td_store_transition_allowed(c.state, p->to)) {
			td_store_case_release(&c);
			continue;
		}
		td_buf_printf(&b, "%s: a human reply from ", c.tag);
		esc(&b, p->detail);
		td_buf_printf(&b, " proposes %s -> %s",
			      td_store_state_name(c.state),
			      td_store_state_name(p->to));
		if (!ask) {
			td_buf_adds(&b, "; to apply: ");
			apply_hint(&b);
			fprintf(stderr, "%s\n", b.ptr);
		} else {
			fprintf(stderr, "%s. Apply? [y/N] ", b.ptr);
			fflush(stderr);
			if (fgets(line, sizeof(line), stdin) &&
			    (line[0] == 'y' || line[0] == 'Y')) {
				struct td_buf d = TD_BUF_INIT;

				td_buf_adds(&d, "reply from ");
				td_buf_adds(&d, p->detail);
				td_buf_adds(&d, " (confirmed by the user)");
				if (td_store_set_state(r->s, c.id, p->to,
						       TD_MIT_NONE, d.ptr,
						       r->now, &err) < 0)
					td_die_msg("import", "%s", err.msg);
				else
					r->changes++;
				td_buf_release(&d);
			}
		}
		td_buf_release(&b);
		td_store_case_release(&c);
	}
}

/* ---- --unmatched ---- */

static void
unmatched_item(struct run *r, const struct td_store_received *x)
{
	if (opt_json) {
		td_jw_obj(&r->jw);
		td_jw_kint(&r->jw, "id", x->id);
		td_jw_kstr(&r->jw, "class",
			   td_store_reply_name(x->classification));
		td_jw_kstr(&r->jw, "from", x->from);
		td_jw_kstr(&r->jw, "subject", x->subject);
		td_jw_ktime(&r->jw, "date", x->date ? x->date : -1);
		td_jw_kstr(&r->jw, "message_id", x->message_id);
		td_jw_kstr(&r->jw, "ticket", x->ticket);
		td_jw_kstr(&r->jw, "stored", x->path);
		td_jw_obj_end(&r->jw);
		return;
	}
	td_buf_printf(&r->out, "  %-6lld %-6s ", x->id,
		      td_store_reply_name(x->classification));
	esc(&r->out, x->from ? x->from : "-");
	td_buf_adds(&r->out, "  \"");
	if (x->subject) {
		size_t n = strlen(x->subject);

		td_term_escape(&r->out, x->subject, n > 100 ? 100 : n, 0);
		if (n > 100)
			td_buf_adds(&r->out, "...");
	}
	td_buf_adds(&r->out, "\"  ");
	esc(&r->out, x->path);
	td_buf_addch(&r->out, '\n');
}

static int
list_unmatched(struct run *r)
{
	struct td_store_received *v = NULL;
	struct td_error err = {0, ""};
	size_t nr = 0, i;

	if (td_store_received_list(&v, &nr, r->s, 0, &err) < 0) {
		td_die_msg("import", "%s", err.msg);
		return EXIT_FAIL;
	}
	if (opt_json) {
		td_jw_obj(&r->jw);
		td_jw_kstr(&r->jw, "schema", "takedown-import/1");
		td_jw_key(&r->jw, "unmatched");
		td_jw_arr(&r->jw);
	} else {
		td_buf_printf(&r->out, "%zu unmatched message%s in the store\n",
			      nr, nr == 1 ? "" : "s");
	}
	for (i = 0; i < nr; i++) {
		unmatched_item(r, &v[i]);
		if (r->out.len > (1u << 16))
			flush_out(r);
	}
	if (opt_json) {
		td_jw_arr_end(&r->jw);
		td_jw_obj_end(&r->jw);
		td_buf_addch(&r->out, '\n');
	}
	td_store_received_list_free(v, nr);
	flush_out(r);
	return EXIT_OK;
}

/* ---- driving ---- */

static void
input_error(const char *path, const char *msg, void *payload)
{
	say_error(payload, path, msg);
}

static int
open_dir(struct run *r)
{
	struct td_error err = {0, ""};

	if (opt_store) {
		const char *slash = strrchr(opt_store, '/');
		struct td_buf b = TD_BUF_INIT;

		if (slash)
			td_buf_add(&b, opt_store,
				   (size_t)(slash - opt_store + 1));
		td_buf_adds(&b, "received");
		r->dir = td_buf_detach(&b, NULL);
	} else {
		r->dir = td_path_data("received");
	}
	if (!r->dir) {
		td_die_msg("import", "no data folder");
		return -1;
	}
	if (td_mkdirs(r->dir, 0700, &err) < 0) {
		td_die_msg("import", "%s", err.msg);
		return -1;
	}
	r->dirfd = open(r->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r->dirfd < 0) {
		td_die_msg("import", "%s: %s", r->dir, strerror(errno));
		return -1;
	}
	return 0;
}

static void
summary(struct run *r)
{
	size_t nu = r->nr_unmatched, i;

	if (opt_json) {
		td_jw_arr_end(&r->jw);
		td_jw_key(&r->jw, "unmatched");
		td_jw_arr(&r->jw);
		for (i = 0; i < nu; i++) {
			struct td_store_received x;

			if (td_store_received_get(&x, r->s, r->unmatched[i],
						  NULL) == 0) {
				unmatched_item(r, &x);
				td_store_received_release(&x);
			}
		}
		td_jw_arr_end(&r->jw);
		td_jw_key(&r->jw, "summary");
		td_jw_obj(&r->jw);
		td_jw_kint(&r->jw, "messages", (long long)r->nr);
		td_jw_kint(&r->jw, "human", (long long)r->cls[TD_REPLY_HUMAN]);
		td_jw_kint(&r->jw, "auto", (long long)r->cls[TD_REPLY_AUTO]);
		td_jw_kint(&r->jw, "bounce",
			   (long long)r->cls[TD_REPLY_BOUNCE]);
		td_jw_kint(&r->jw, "matched", (long long)r->matched);
		td_jw_kint(&r->jw, "unmatched", (long long)nu);
		td_jw_kint(&r->jw, "already_imported", (long long)r->dups);
		td_jw_kint(&r->jw, "failed", (long long)r->failed);
		td_jw_kint(&r->jw, "state_changes", (long long)r->changes);
		td_jw_kint(&r->jw, "proposals", (long long)r->nr_props);
		td_jw_obj_end(&r->jw);
		td_jw_obj_end(&r->jw);
		td_buf_addch(&r->out, '\n');
		return;
	}
	if (nu) {
		td_buf_printf(&r->out,
			      "\n%zu unmatched (kept in the store; "
			      "takedown import --unmatched lists "
			      "them all):\n",
			      nu);
		for (i = 0; i < nu; i++) {
			struct td_store_received x;

			if (td_store_received_get(&x, r->s, r->unmatched[i],
						  NULL) == 0) {
				unmatched_item(r, &x);
				td_store_received_release(&x);
			}
			if (r->out.len > (1u << 16))
				flush_out(r);
		}
	}
	td_buf_printf(&r->out,
		      "\nimported %zu message%s: %zu human, %zu auto, %zu "
		      "bounce; %zu matched, %zu unmatched, %zu already "
		      "imported, %zu failed; %zu state change%s, %zu "
		      "proposal%s\n",
		      r->nr, r->nr == 1 ? "" : "s", r->cls[TD_REPLY_HUMAN],
		      r->cls[TD_REPLY_AUTO], r->cls[TD_REPLY_BOUNCE],
		      r->matched, nu, r->dups, r->failed, r->changes,
		      r->changes == 1 ? "" : "s", r->nr_props,
		      r->nr_props == 1 ? "" : "s");
}

static int
run_import(int argc, char **argv)
{
	struct td_input_opts io = TD_INPUT_OPTS_INIT;
	struct td_error err = {0, ""};
	struct run r;
	char *stdin_argv[] = {"-"}, *path = NULL;
	int i, ret = 0, status = EXIT_OK, stdin_used = 0;
	size_t k;

	memset(&r, 0, sizeof(r));
	r.dirfd = -1;
	td_buf_init(&r.out, 0);
	td_jw_init(&r.jw, &r.out);
	if (opt_unmatched && argc) {
		td_die_msg("import", "--unmatched takes no input");
		return EXIT_USAGE;
	}
	if (!opt_batch)
		opt_batch = 1;
	path = opt_store ? strdup(opt_store) : td_path_data("cases.sqlite");
	if (!path || td_store_open(&r.s, path, &err) < 0) {
		td_die_msg("import", "%s", path ? err.msg : "no data folder");
		free(path);
		return EXIT_FAIL;
	}
	free(path);
	td_store_set_source(r.s, "import");
	if (opt_unmatched) {
		status = list_unmatched(&r);
		goto out;
	}
	if (open_dir(&r) < 0) {
		status = EXIT_FAIL;
		goto out;
	}
	r.now = td_now();
	io.max_message_bytes = opt_max_size;
	io.error = input_error;
	if (argc == 0) {
		argc = 1;
		argv = stdin_argv;
	}
	if (opt_json) {
		td_jw_obj(&r.jw);
		td_jw_kstr(&r.jw, "schema", "takedown-import/1");
		td_jw_key(&r.jw, "messages");
		td_jw_arr(&r.jw);
	}
	for (i = 0; i < argc && !r.fatal; i++) {
		if (!strcmp(argv[i], "-"))
			stdin_used = 1;
		ret = td_input_read(argv[i], &io, on_message, &r);
		if (!r.in_tx || r.in_batch == 0)
			flush_out(&r);
	}
	if (!r.fatal && tx_commit(&r) < 0)
		r.fatal = 1;
	if (r.fatal) {
		struct td_error e2 = {0, ""};

		if (r.in_tx)
			td_store_rollback(r.s, &e2);
		r.in_tx = 0;
		td_die_msg("import",
			   "stopped: %s (the last batch was rolled "
			   "back; import again to resume)",
			   ret == TD_ENOMEM ? "out of memory" : "store error");
		status = EXIT_FAIL;
		goto out;
	}
	summary(&r);
	flush_out(&r);
	fflush(stdout);
	if (r.nr_props)
		resolve_proposals(&r, !opt_json && !stdin_used &&
					  isatty(STDIN_FILENO) &&
					  isatty(STDERR_FILENO));
	if (r.failed)
		status = EXIT_FAIL;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		td_die_msg("import", "error writing output");
		status = EXIT_FAIL;
	}
out:
	flush_out(&r);
	if (r.in_tx) {
		struct td_error e2 = {0, ""};

		td_store_rollback(r.s, &e2);
	}
	for (k = 0; k < r.nr_props; k++)
		free(r.props[k].detail);
	free(r.props);
	free(r.unmatched);
	if (r.dirfd >= 0)
		close(r.dirfd);
	free(r.dir);
	td_buf_release(&r.out);
	td_store_close(r.s);
	return status;
}

const struct td_cmd cmd_import_def = {
    "import",
    "[FILE|DIR|-]...",
    "read replies, auto-responses and bounces into their cases",
    "Reads .eml files, mbox files, Maildir folders, other folders or\n"
    "standard input.  Each message is kept (received/<sha256>.eml in the\n"
    "data folder, mode 0600), classified as a human reply, an\n"
    "auto-response (RFC 3834 Auto-Submitted and the like, ticket-system\n"
    "acknowledgements) or a bounce (RFC 3464 delivery status, or an\n"
    "older MTA's failure notice), and matched to its case and party: by\n"
    "In-Reply-To, References, the original Message-ID inside a bounce,\n"
    "the case tag in the subject, or a ticket number the party gave.\n"
    "Unmatched messages are stored too and listed; importing the same\n"
    "bytes again changes nothing.\n\n"
    "An auto-response moves a reported case to auto-acknowledged.  A\n"
    "human reply proposes acknowledged (or needs-info when it asks for\n"
    "more): asked on a terminal, applied with --accept, else printed.  A\n"
    "bounce marks the contact bad and names the next route (the party's\n"
    "web form, the upstream network, the registry, law enforcement).\n",
    options,
    run_import,
};
