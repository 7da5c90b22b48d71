#ifndef TD_EVIDENCE_H
#define TD_EVIDENCE_H

#include <stddef.h>

#include "err.h"
#include "net.h"

/*
 * Evidence of what a web site served, when and to which client: each URL
 * is fetched through the net loop (td_net_http_fetch) as a named client
 * profile would fetch it; the body is stored content-addressed by SHA-256
 * in an evidence folder, and the redirect chain, response headers, TLS
 * certificates, page title and forms are kept with UTC times.  Everything
 * that comes from the site is bounded.  See docs/internals/evidence.md.
 */

/*
 * A client profile: what a request says about its client.  The built-in
 * ones are data in evidence.c (desktop, mobile, script); a caller may make
 * its own (takedown report --as UA).
 */
struct td_evidence_profile {
	const char *name;	 /* "desktop", "mobile", "script", ... */
	const char *description; /* one line, for people */
	const char *user_agent;
	const char *accept;	     /* NULL: no Accept header */
	const char *accept_language; /* NULL: none */
	const char *const *headers;  /* further lines "Name: value" */
	size_t nr_headers;
};

/* The built-in profiles, in a fixed order; *nr gets their count. */
const struct td_evidence_profile *td_evidence_profiles(size_t *nr);

/* The built-in profile called name, or NULL. */
const struct td_evidence_profile *td_evidence_profile(const char *name);

/* Bounds of what is kept of one page. */
#define TD_EVIDENCE_MAX_FORMS 32
#define TD_EVIDENCE_MAX_INPUTS 64 /* per form, and outside forms */
#define TD_EVIDENCE_MAX_TITLE 1024
#define TD_EVIDENCE_MAX_NAME 256 /* an input's name */
#define TD_EVIDENCE_MAX_ACTION 8192

/* A form field: input, select or textarea. */
struct td_evidence_input {
	const char *name; /* NULL when it has none */
	const char *type; /* input: its type, lowercase ("text" when
			     none; at most 32 bytes); "select",
			     "textarea" */
};

struct td_evidence_form {
	const char *action;   /* absolute: the action resolved against the
				 document base, or the page URL when the
				 form has no action (HTML LS 4.10.21.3) */
	int action_truncated; /* cut at TD_EVIDENCE_MAX_ACTION */
	const char *method;   /* "get", "post" or "dialog" */
	size_t offset;	      /* of "<form" in the body */
	unsigned passwords;   /* password inputs */
	const struct td_evidence_input *inputs;
	size_t nr_inputs;
	size_t inputs_dropped; /* past TD_EVIDENCE_MAX_INPUTS */
};

/* What a page shows: its title and forms. */
struct td_evidence_page {
	const char *title; /* entities decoded, white space collapsed, at
			      most TD_EVIDENCE_MAX_TITLE bytes; NULL
			      when the page has no <title> */
	const struct td_evidence_form *forms;
	size_t nr_forms;
	size_t forms_dropped;
	const struct td_evidence_input *loose; /* fields outside any form */
	size_t nr_loose;
	size_t loose_dropped;
	unsigned passwords; /* password inputs on the page, in forms or not */
	void *mem;	    /* private */
};

/*
 * Read the title and forms of len bytes of HTML served at url (the final
 * URL, for resolving actions; the document's <base href> is honoured).
 * Pure: no I/O.  Returns 0 or TD_ENOMEM (out then holds nothing).  Free
 * with td_evidence_page_release().
 */
int td_evidence_page_scan(struct td_evidence_page *out, const char *html,
			  size_t len, const char *url);

/* Free what p holds and leave it empty (p may be NULL). */
void td_evidence_page_release(struct td_evidence_page *p);

struct td_evidence_opts {
	const char *dir;	      /* evidence folder: created (0700) with
					 every parent; bodies go to
					 DIR/sha256/<hex> (0600) */
	size_t max_body;	      /* bytes of a body kept (default 4 MiB,
					 and at most the loop's max_body); a
					 longer one is cut and marked */
	unsigned timeout_ms;	      /* per fetch (0: the loop's) */
	unsigned max_redirects;	      /* 0: 10; at most 20 */
	const char *referer;	      /* NULL: none */
	int tls_insecure;	      /* keep a page whose certificate does not
					 verify (the hop's tls_verify tells) */
	int nonpublic_first_hop_only; /* see struct td_http_fetch: for
				     tests that show redirects to private
				     addresses refused */
};

#define TD_EVIDENCE_OPTS_INIT                                                  \
	{                                                                      \
		NULL, 0, 0, 0, NULL, 0, 0                                      \
	}

/* One URL fetched with one profile. */
struct td_evidence_capture {
	const char *url;	     /* as given */
	const char *fetched_url;     /* its normalised form (url module:
					numeric IPv4 forms as a dotted
					quad, IDNA A-labels), which was
					fetched; NULL when refused before */
	const char *profile;	     /* the profile's name */
	const char *user_agent;	     /* as sent */
	const char *accept_language; /* as sent, NULL when none */
	char started[32];	     /* UTC, "2026-11-27T10:00:00.123Z" */
	char ended[32];
	enum td_net_status status;	/* refused: not http/https, or not a
					   public address (on any hop) */
	const char *error;		/* NULL when ok */
	const struct td_http_hop *hops; /* the redirect chain, in order */
	size_t nr_hops;
	const struct td_http_hop *last; /* the last hop with a response:
					   final headers, certificates */
	const char *final_url;
	long code;		      /* 0: no response */
	const char *content_type;     /* NULL when none */
	size_t len;		      /* body bytes kept */
	int truncated;		      /* the body was longer than max_body */
	char sha256[65];	      /* of the body kept; "" unless ok */
	const char *body_path;	      /* relative to the folder:
					 "sha256/<hex>"; NULL when not stored */
	const char *store_error;      /* why the body was not stored (or its
					 page not read), or NULL */
	struct td_evidence_page page; /* of an HTML body */
	void *mem;		      /* private */
};

struct td_evidence {
	struct td_evidence_capture **items; /* in the order added */
	size_t nr;
	/* private */
	size_t alloc;
	char *dir, *referer;
	struct td_evidence_opts opts;
};

/*
 * Set ev up and create the evidence folder (and its sha256/ folder).
 * Returns 0, TD_EINVAL (no folder), TD_EIO (cannot create it; err says
 * why) or TD_ENOMEM.  Release with td_evidence_release().
 */
int td_evidence_init(struct td_evidence *ev, const struct td_evidence_opts *o,
		     struct td_error *err);

/*
 * Queue a fetch of url with profile p on the loop n; the capture is added
 * to ev->items at once and filled in when td_net_run() delivers it.  A url
 * that is not http or https, or not a URL at all, gives a capture that is
 * already ended (refused, error), without any request.  Returns 0,
 * TD_EINVAL (NULL arguments) or TD_ENOMEM.  ev must stay where it is, and
 * not be released, while its fetches are pending on a loop that will run.
 */
int td_evidence_add(struct td_evidence *ev, struct td_net *n, const char *url,
		    const struct td_evidence_profile *p);

/* Free every capture (not the stored files).  ev may be NULL. */
void td_evidence_release(struct td_evidence *ev);

#endif
