/*
 * RDAP answers (RFC 9083) into struct td_record.
 *
 * The JSON is read with jansson.  Everything taken from it is checked for
 * type first, so that an answer with the wrong shapes (strings where
 * arrays belong, jCards as {}, entities as objects) gives a partial record
 * and notes rather than a failure.  Work is bounded: at most
 * TD_RDAP_MAX_ENTITIES entities are walked, at most TD_RDAP_MAX_DEPTH deep,
 * and every list has a cap.  docs/internals/rdap.md explains the choices.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "rdap.h"
#include "banned.h"

#define MAX_VALUE 4096	 /* longest string value taken from the answer */
#define MAX_ROLES 8	 /* roles read per entity */
#define MAX_EMAILS 8	 /* e-mail addresses read per jCard */
#define MAX_TELS 4	 /* telephone numbers read per jCard */
#define MAX_PROPS 256	 /* jCard properties read per entity */
#define MAX_CONTACTS 500 /* contacts kept per record */
#define MAX_LIST 256	 /* statuses, nameservers, CIDRs... */
#define MAX_ADDRESS 2048 /* one-line postal address */
#define RANK_NONE 0x7fffffffL

/* Things noted only once per answer. */
enum {
	ONCE_LONG = 1u << 0,
	ONCE_NUL = 1u << 1,
	ONCE_ENT_CAP = 1u << 2,
	ONCE_DEPTH = 1u << 3,
	ONCE_ENT_TYPE = 1u << 4,
	ONCE_JCARD = 1u << 5,
	ONCE_CONTACT_CAP = 1u << 6,
	ONCE_JCARD_FLAT = 1u << 7,
	ONCE_ROLES = 1u << 8,
	ONCE_LIST_CAP = 1u << 9,
	ONCE_ABUSE_PH = 1u << 10,
	ONCE_JCARD_PARAMS = 1u << 11
};

__extension__ typedef unsigned __int128 td_u128;

struct jemail {
	const char *v;
	int abuse_type; /* params "type" says "abuse" (RIPE abuse-mailbox) */
	long pref;	/* RFC 6350 PREF, 1 is most preferred; 101 if none */
};

/* What takedown reads from one jCard (RFC 7095); strings are borrowed. */
struct jcard {
	const char *fn, *org, *kind, *url, *contact_uri;
	struct jemail email[MAX_EMAILS];
	size_t nr_email;
	const char *tel[MAX_TELS]; /* voice numbers, "tel:" taken off */
	size_t nr_tel;
	char country[3];
	struct td_buf adr; /* one line */
	unsigned flags;	   /* TD_CONTACT_* seen in the address */
};

/* A best-so-far choice: the lowest rank wins, the first one on a tie. */
struct pick {
	long rank;
	const char *val;
	const char *handle;
};

struct rdap {
	struct td_record *r;
	json_t *root;
	int icann; /* rdapConformance names an ICANN gTLD profile */
	int oom;
	unsigned once;
	size_t nr_entities;

	json_t *rar; /* the registrar entity, the shallowest one */
	int rar_depth;

	struct pick ab_email, ab_phone, ab_url;
	size_t nr_self;	 /* contacts of the entity asked for */
	int ab_seen;	 /* an entity with role abuse was seen */
	int ab_fallback; /* ab_email came from a non-abuse entity */
	struct pick org; /* holder organisation */
	char org_country[3];
};

/* ---- small helpers ---- */

static int
note_once(struct rdap *st, unsigned bit)
{
	if (st->once & bit)
		return 0;
	st->once |= bit;
	return 1;
}

static int
ieq(const char *a, const char *b)
{
	return a && b && !strcasecmp(a, b);
}

static int
istarts(const char *s, const char *prefix)
{
	return s && !strncasecmp(s, prefix, strlen(prefix));
}

static const char *
icontains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	if (!hay)
		return NULL;
	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return hay;
	return NULL;
}

/*
 * A usable string value: a JSON string that is not empty or blank, holds
 * no NUL (JSON_ALLOW_NUL lets "\u0000" through the parser) and is not
 * over MAX_VALUE bytes.  Leading blanks are skipped; dup() trims the end.
 */
static const char *
sval(struct rdap *st, const json_t *v)
{
	const char *s;
	size_t n;

	if (!json_is_string(v))
		return NULL;
	s = json_string_value(v);
	n = json_string_length(v);
	if (n > MAX_VALUE) {
		if (note_once(st, ONCE_LONG))
			td_record_note(st->r,
				       "a string value over %d bytes was "
				       "skipped",
				       MAX_VALUE);
		return NULL;
	}
	if (strlen(s) != n) {
		if (note_once(st, ONCE_NUL))
			td_record_note(
			    st->r, "a string value holding NUL was skipped");
		return NULL;
	}
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	return *s ? s : NULL;
}

static const char *
mval(struct rdap *st, const json_t *obj, const char *key)
{
	return sval(st, json_object_get(obj, key));
}

/* Copy s without trailing blanks, ASCII-lowercased when lower is set. */
static char *
dup(struct rdap *st, const char *s, int lower)
{
	size_t n = strlen(s), i;
	char *d;

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
		     s[n - 1] == '\n'))
		n--;
	d = td_strndup(s, n);
	if (!d) {
		st->oom = 1;
		return NULL;
	}
	if (lower)
		for (i = 0; i < n; i++)
			if (!((unsigned char)d[i] & 0x80))
				d[i] = (char)tolower((unsigned char)d[i]);
	return d;
}

/* Set *field to a copy of s unless it is already set or s is NULL. */
static void
set(struct rdap *st, char **field, const char *s, int lower)
{
	if (*field || !s)
		return;
	*field = dup(st, s, lower);
}

/* A host name as takedown keeps it: lowercase, no trailing dot. */
static char *
dup_host(struct rdap *st, const char *s)
{
	char *d = dup(st, s, 1);
	size_t n;

	if (!d)
		return NULL;
	n = strlen(d);
	while (n && d[n - 1] == '.')
		d[--n] = '\0';
	if (!n) {
		free(d);
		return NULL;
	}
	return d;
}

static void
list_add(struct rdap *st, char ***list, size_t *nr, const char *s,
	 const char *what)
{
	if (*nr >= MAX_LIST) {
		if (note_once(st, ONCE_LIST_CAP))
			td_record_note(st->r,
				       "%s: only the first %d values kept",
				       what, MAX_LIST);
		return;
	}
	if (td_strlist_add(list, nr, s, strlen(s)) < 0)
		st->oom = 1;
}

/* Lowercased list value (status, nameserver); trailing dot cut if host. */
static void
list_add_lower(struct rdap *st, char ***list, size_t *nr, const char *s,
	       int host, const char *what)
{
	char *d = host ? dup_host(st, s) : dup(st, s, 1);

	if (!d)
		return;
	list_add(st, list, nr, d, what);
	free(d);
}

static unsigned
placeholder(const char *s)
{
	return s ? td_record_placeholder(s) : 0;
}

/*
 * RIPE and APNIC put the handle of an organisation object ("ORG-IYCS4-RIPE")
 * in the jCard "org" property, not its name.
 */
static const char *
org_name(const char *org)
{
	if (org && istarts(org, "ORG-") && !strchr(org, ' '))
		return NULL;
	return org;
}

/* Number from a JSON integer or a string of digits; -1 if neither. */
static long long
jnum(struct rdap *st, const json_t *v)
{
	const char *s;
	char *end;
	long long n;

	if (json_is_integer(v))
		return json_integer_value(v);
	s = sval(st, v);
	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	n = strtoll(s, &end, 10);
	while (*end == ' ')
		end++;
	if (errno || *end)
		return -1;
	return n;
}

/* ---- jCard (RFC 7095) ---- */

/* Does a jCard parameter (string or array of strings) hold word? */
static int
param_has(const json_t *params, const char *name, const char *word)
{
	const json_t *v = json_object_get(params, name), *x;
	size_t i;

	if (json_is_string(v))
		return ieq(json_string_value(v), word);
	if (json_is_array(v))
		json_array_foreach(v, i, x)
		{
			if (json_is_string(x) &&
			    ieq(json_string_value(x), word))
				return 1;
		}
	return 0;
}

static int
is_cc(const char *s)
{
	return s && isalpha((unsigned char)s[0]) &&
	       isalpha((unsigned char)s[1]) && !s[2];
}

static void
set_cc(char out[3], const char *s)
{
	if (out[0] || !is_cc(s))
		return;
	out[0] = (char)toupper((unsigned char)s[0]);
	out[1] = (char)toupper((unsigned char)s[1]);
	out[2] = '\0';
}

/* Append one address part (a string, or an array of strings). */
static void
adr_part(struct rdap *st, struct jcard *jc, const json_t *v, int depth)
{
	const json_t *x;
	const char *s;
	size_t i, n;
	unsigned f;

	if (json_is_array(v) && depth == 0) {
		json_array_foreach(v, i, x)
		{
			adr_part(st, jc, x, 1);
		}
		return;
	}
	s = sval(st, v);
	if (!s)
		return;
	f = placeholder(s);
	if (f) {
		jc->flags |= f;
		return;
	}
	if (jc->adr.len)
		td_buf_adds(&jc->adr, ", ");
	n = strlen(s);
	while (n && s[n - 1] == ' ')
		n--;
	for (i = 0; i < n; i++) {
		/* a label's line breaks, real or written as "\n" */
		if (s[i] == '\n' || s[i] == '\r') {
			if (jc->adr.len >= 2 &&
			    !memcmp(jc->adr.ptr + jc->adr.len - 2, ", ", 2))
				continue;
			td_buf_adds(&jc->adr, ", ");
		} else if (s[i] == '\\' && s[i + 1] == 'n') {
			td_buf_adds(&jc->adr, ", ");
			i++;
		} else {
			td_buf_addch(&jc->adr, s[i]);
		}
	}
}

/*
 * "adr": the value is the 7-part structured address (RFC 6350 6.3.1),
 * the "cc" parameter an ISO 3166 code (RFC 8605); ARIN and RIPE give
 * empty parts (or null) and the whole address as a "label" parameter.
 */
static void
jcard_adr(struct rdap *st, struct jcard *jc, const json_t *params,
	  const json_t *val)
{
	const json_t *x;
	size_t i;

	if (jc->adr.len)
		return; /* the first address only */
	set_cc(jc->country, sval(st, json_object_get(params, "cc")));
	if (json_is_array(val)) {
		json_array_foreach(val, i, x)
		{
			adr_part(st, jc, x, 0);
		}
		if (json_array_size(val) >= 7)
			set_cc(jc->country, sval(st, json_array_get(val, 6)));
	} else {
		adr_part(st, jc, val, 1);
	}
	if (!jc->adr.len)
		adr_part(st, jc, json_object_get(params, "label"), 1);
}

static void
jcard_prop(struct rdap *st, struct jcard *jc, const json_t *p)
{
	const json_t *params, *val;
	const char *name, *s;

	if (!json_is_array(p) || json_array_size(p) < 4 ||
	    !(name = sval(st, json_array_get(p, 0)))) {
		if (note_once(st, ONCE_JCARD))
			td_record_note(st->r,
				       "a jCard property is not [name, params, "
				       "type, value] (RFC 7095 3.3); skipped");
		return;
	}
	params = json_array_get(p, 1);
	if (!json_is_object(params) || !json_is_string(json_array_get(p, 2))) {
		/* a registrar writes params as the string "{}": tolerated */
		if (note_once(st, ONCE_JCARD_PARAMS))
			td_record_note(st->r,
				       "a jCard property has malformed "
				       "parameters or type (RFC 7095 3.3); "
				       "read anyway");
		if (!json_is_object(params))
			params = NULL;
	}
	val = json_array_get(p, 3);
	if (json_is_array(val) && ieq(name, "org"))
		val = json_array_get(val, 0); /* org's first unit */

	if (ieq(name, "adr")) {
		jcard_adr(st, jc, params, val);
		return;
	}
	s = sval(st, val);
	if (!s)
		return;
	if (ieq(name, "fn")) {
		if (!jc->fn)
			jc->fn = s;
	} else if (ieq(name, "org")) {
		if (!jc->org)
			jc->org = s;
	} else if (ieq(name, "kind")) {
		if (!jc->kind)
			jc->kind = s;
	} else if (ieq(name, "email")) {
		struct jemail *e;
		const json_t *pref = json_object_get(params, "pref");
		long long pv = jnum(st, pref);

		if (jc->nr_email >= MAX_EMAILS)
			return;
		e = &jc->email[jc->nr_email++];
		e->v = s;
		e->abuse_type = param_has(params, "type", "abuse");
		e->pref = pv >= 1 && pv <= 100 ? (long)pv : 101;
	} else if (ieq(name, "tel")) {
		if (param_has(params, "type", "fax") || jc->nr_tel >= MAX_TELS)
			return;
		if (istarts(s, "tel:"))
			s += 4;
		while (*s == ' ')
			s++;
		if (*s)
			jc->tel[jc->nr_tel++] = s;
	} else if (ieq(name, "url")) {
		if (!jc->url)
			jc->url = s;
	} else if (ieq(name, "contact-uri")) {
		if (!jc->contact_uri)
			jc->contact_uri = s;
	}
}

/*
 * Read the jCard in an entity's vcardArray: ["vcard", [property...]]
 * (RFC 7095 3.2).  Tolerated: properties not wrapped in an array
 * (["vcard", [prop], [prop]...], seen from some registrars); anything
 * else of the wrong shape is skipped with a note.
 */
static void
jcard_read(struct rdap *st, struct jcard *jc, const json_t *va,
	   const char *handle)
{
	const json_t *props, *p;
	size_t i, first = 0;

	memset(jc, 0, sizeof(*jc));
	td_buf_init(&jc->adr, MAX_ADDRESS);
	if (!va)
		return;
	if (!json_is_array(va) || json_array_size(va) < 2 ||
	    !ieq(json_string_value(json_array_get(va, 0)), "vcard") ||
	    !json_is_array(json_array_get(va, 1))) {
		if (note_once(st, ONCE_JCARD))
			td_record_note(
			    st->r,
			    "entity %s: vcardArray is not [\"vcard\", "
			    "[...]] (RFC 7095 3.2); skipped",
			    handle ? handle : "(no handle)");
		return;
	}
	props = json_array_get(va, 1);
	if (json_array_size(props) &&
	    json_is_string(json_array_get(props, 0))) {
		if (note_once(st, ONCE_JCARD_FLAT))
			td_record_note(st->r,
				       "entity %s: jCard properties not "
				       "wrapped in an array (RFC 7095 3.2); "
				       "read anyway",
				       handle ? handle : "(no handle)");
		props = va;
		first = 1;
	}
	for (i = first; i < json_array_size(props) && i < MAX_PROPS; i++) {
		p = json_array_get(props, i);
		jcard_prop(st, jc, p);
	}
}

static void
jcard_release(struct jcard *jc)
{
	td_buf_release(&jc->adr);
}

/* ---- entities ---- */

/* "administrative" and "technical" are kept as "admin" and "tech". */
static const char *
role_name(const char *role)
{
	if (ieq(role, "administrative"))
		return "admin";
	if (ieq(role, "technical"))
		return "tech";
	return role;
}

static void
role_add(char buf[][24], size_t *nr, const char *s)
{
	size_t k;

	if (*nr >= MAX_ROLES || !s || strlen(s) >= 24)
		return;
	s = role_name(s);
	for (k = 0; s[k]; k++)
		buf[*nr][k] = (char)tolower((unsigned char)s[k]);
	buf[*nr][k] = '\0';
	(*nr)++;
}

/* Lowercased roles into buf; returns how many. */
static size_t
entity_roles(struct rdap *st, const json_t *e, char buf[][24])
{
	const json_t *roles = json_object_get(e, "roles"), *x;
	size_t i, nr = 0;

	if (json_is_string(roles)) {
		if (note_once(st, ONCE_ROLES))
			td_record_note(st->r, "entity roles given as a string, "
					      "not an array (RFC 9083 5.1)");
		role_add(buf, &nr, sval(st, roles));
		return nr;
	}
	if (!json_is_array(roles))
		return 0;
	json_array_foreach(roles, i, x)
	{
		role_add(buf, &nr, sval(st, x));
	}
	return nr;
}

static int
has_role(char roles[][24], size_t nr, const char *role)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (!strcmp(roles[i], role))
			return 1;
	return 0;
}

/*
 * Is the entity marked as redacted by a remark?  The ICANN gTLD profile
 * uses remark titles "REDACTED FOR PRIVACY" and "EMAIL REDACTED FOR
 * PRIVACY"; RFC 9083 10.2.1 has the remark types "object redacted due to
 * authorization" and "object truncated due to authorization".
 */
static unsigned
remark_flags(struct rdap *st, const json_t *e)
{
	const json_t *rem = json_object_get(e, "remarks"), *x;
	size_t i;

	if (!json_is_array(rem))
		return 0;
	json_array_foreach(rem, i, x)
	{
		const char *t = mval(st, x, "title");
		const char *ty = mval(st, x, "type");

		if (icontains(t, "redacted") ||
		    istarts(ty, "object redacted") ||
		    istarts(ty, "object truncated"))
			return TD_CONTACT_REDACTED;
		if (i >= 32)
			break;
	}
	return 0;
}

static int
same(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

/*
 * Add one contact; a value flagged as a placeholder sets the flag and is
 * dropped, except privacy-proxy addresses, which still forward mail.
 */
static void
contact_add(struct rdap *st, const char *role, const char *handle,
	    const struct jcard *jc, const char *email, unsigned flags)
{
	struct td_record *r = st->r;
	struct td_contact *c;
	const char *name = jc->fn, *org = org_name(jc->org), *phone = NULL;
	unsigned f;
	size_t i;

	if ((f = placeholder(name))) {
		flags |= f;
		name = NULL;
	}
	if ((f = placeholder(org))) {
		flags |= f;
		if (f != TD_CONTACT_PROXY)
			org = NULL;
	}
	if ((f = placeholder(email))) {
		flags |= f;
		if (f != TD_CONTACT_PROXY)
			email = NULL;
	}
	for (i = 0; i < jc->nr_tel && !phone; i++) {
		if ((f = placeholder(jc->tel[i])))
			flags |= f;
		else
			phone = jc->tel[i];
	}
	flags |= jc->flags;

	for (i = 0; i < r->nr_contacts; i++) {
		c = &r->contacts[i];
		if (!strcmp(c->role, role) && same(c->handle, handle) &&
		    same(c->email, email) && same(c->name, name)) {
			c->flags |= flags;
			return;
		}
	}
	if (r->nr_contacts >= MAX_CONTACTS) {
		if (note_once(st, ONCE_CONTACT_CAP))
			td_record_note(r, "only the first %d contacts kept",
				       MAX_CONTACTS);
		return;
	}
	c = td_record_add_contact(r, role);
	if (!c) {
		st->oom = 1;
		return;
	}
	c->flags = flags;
	set(st, &c->handle, handle, 0);
	set(st, &c->name, name, 0);
	set(st, &c->org, org, 0);
	set(st, &c->email, email, 0);
	set(st, &c->phone, phone, 0);
	if (jc->country[0])
		set(st, &c->country, jc->country, 0);
	if (jc->adr.len && !td_buf_failed(&jc->adr))
		set(st, &c->address, jc->adr.ptr, 0);
	set(st, &c->url, jc->contact_uri ? jc->contact_uri : jc->url, 0);
}

/* One contact per role and e-mail address of the entity. */
static void
contacts_add(struct rdap *st, char roles[][24], size_t nr_roles,
	     const char *handle, const struct jcard *jc, unsigned flags)
{
	size_t i, k;

	for (i = 0; i < (nr_roles ? nr_roles : 1); i++) {
		const char *role = nr_roles ? roles[i] : "other";

		contact_add(st, role, handle, jc,
			    jc->nr_email ? jc->email[0].v : NULL, flags);
		for (k = 1; k < jc->nr_email; k++)
			contact_add(st, role, handle, jc, jc->email[k].v,
				    flags);
	}
}

/*
 * The abuse e-mail of a jCard: one marked type=abuse (RIPE's
 * abuse-mailbox), else one whose local part starts with "abuse", else the
 * most preferred (RFC 6350 PREF), else the first.  Placeholders are
 * skipped with a note.  Returns NULL if none is usable.
 */
static const char *
abuse_email_of(struct rdap *st, const struct jcard *jc, const char *handle,
	       int need_abuse_name)
{
	const struct jemail *best = NULL;
	long best_score = RANK_NONE, score;
	size_t i;

	for (i = 0; i < jc->nr_email; i++) {
		const struct jemail *e = &jc->email[i];

		score = e->abuse_type ? 0 : istarts(e->v, "abuse") ? 1 : 2;
		if (need_abuse_name && score == 2)
			continue;
		score = score * 1000 + e->pref;
		if (score >= best_score)
			continue;
		if (placeholder(e->v)) {
			if (!need_abuse_name)
				td_record_note(st->r,
					       "abuse e-mail \"%s\" of entity "
					       "%s is a placeholder; skipped",
					       e->v, handle ? handle : "-");
			continue;
		}
		best = e;
		best_score = score;
	}
	return best ? best->v : NULL;
}

static void
pick(struct pick *p, long rank, const char *val, const char *handle)
{
	if (!val || rank >= p->rank)
		return;
	p->rank = rank;
	p->val = val;
	p->handle = handle;
}

/*
 * An entity with role "abuse".  rank orders the candidates (see
 * abuse_rank()); the phone of an entity that also gives an e-mail wins
 * over one from an entity of the same rank that does not.
 */
static void
abuse_consider(struct rdap *st, const struct jcard *jc, const char *handle,
	       long rank)
{
	const char *email = abuse_email_of(st, jc, handle, 0);
	const char *phone = NULL;
	size_t i;

	st->ab_seen = 1;
	for (i = 0; i < jc->nr_tel && !phone; i++) {
		if (placeholder(jc->tel[i])) {
			if (note_once(st, ONCE_ABUSE_PH))
				td_record_note(st->r,
					       "abuse phone \"%s\" is a "
					       "placeholder; skipped",
					       jc->tel[i]);
			continue;
		}
		phone = jc->tel[i];
	}
	if (email && rank < st->ab_email.rank)
		st->ab_fallback = 0;
	pick(&st->ab_email, rank, email, handle);
	pick(&st->ab_phone, rank * 2 + (email ? 0 : 1), phone, handle);
	pick(&st->ab_url, rank, jc->contact_uri ? jc->contact_uri : jc->url,
	     handle);
}

/*
 * Where an abuse contact sits says how much it is worth.  For a domain,
 * the abuse entity of the registrar is what ICANN's RDAP Response Profile
 * (2.4.5) asks for, so it wins over any other; then top-level ones.  For
 * networks, autnums and entities the nearest to the object wins (an ARIN
 * network's own abuse POC over the one of its organisation).
 */
static long
abuse_rank(const struct rdap *st, int depth, int under_rar)
{
	if (st->r->kind == TD_REC_DOMAIN)
		return under_rar ? 0 : depth <= 1 ? 1 : 2 + depth;
	return depth;
}

/*
 * The holder organisation: the registrant entity nearest to the object;
 * among those, a jCard of kind "org" first, then anything but a RIPE
 * maintainer (handle ending in -MNT, also given the role registrant).
 */
static void
org_consider(struct rdap *st, const struct jcard *jc, const char *handle,
	     int depth)
{
	const char *v, *org = org_name(jc->org);
	long rank = depth * 4L;
	size_t n = handle ? strlen(handle) : 0;

	if (st->r->kind == TD_REC_DOMAIN)
		v = org ? org : ieq(jc->kind, "org") ? jc->fn : NULL;
	else
		v = jc->fn ? jc->fn : org;
	if (!v || placeholder(v))
		return;
	if (ieq(jc->kind, "org"))
		rank += 0;
	else if (n > 4 && !strcasecmp(handle + n - 4, "-mnt"))
		rank += 3;
	else
		rank += 1;
	if (rank < st->org.rank) {
		pick(&st->org, rank, v, handle);
		memcpy(st->org_country, jc->country, sizeof(st->org_country));
	}
}

static void walk_entities(struct rdap *st, json_t *arr, int depth,
			  int under_rar);

static void
walk_entity(struct rdap *st, json_t *e, int depth, int under_rar)
{
	char roles[MAX_ROLES][24];
	size_t nr_roles = entity_roles(st, e, roles);
	const char *handle = mval(st, e, "handle");
	int is_rar = has_role(roles, nr_roles, "registrar");
	struct jcard jc;
	const char *fb;

	jcard_read(st, &jc, json_object_get(e, "vcardArray"), handle);
	if (is_rar && (!st->rar || depth < st->rar_depth)) {
		st->rar = e;
		st->rar_depth = depth;
	}
	if (has_role(roles, nr_roles, "abuse")) {
		abuse_consider(st, &jc, handle,
			       abuse_rank(st, depth, under_rar || is_rar));
	} else if ((fb = abuse_email_of(st, &jc, handle, 1)) &&
		   10000L + depth < st->ab_email.rank) {
		/* no abuse role: an abuse@ address, kept only as a last
		   resort */
		pick(&st->ab_email, 10000L + depth, fb, handle);
		st->ab_fallback = 1;
	}
	if (has_role(roles, nr_roles, "registrant"))
		org_consider(st, &jc, handle, depth);
	contacts_add(st, roles, nr_roles, handle, &jc, remark_flags(st, e));
	if (depth == 0)
		st->nr_self = st->r->nr_contacts;
	jcard_release(&jc);
	walk_entities(st, json_object_get(e, "entities"), depth + 1,
		      under_rar || is_rar);
}

static void
walk_entities(struct rdap *st, json_t *arr, int depth, int under_rar)
{
	json_t *e;
	size_t i;

	if (!arr)
		return;
	if (!json_is_array(arr)) {
		if (note_once(st, ONCE_ENT_TYPE))
			td_record_note(st->r,
				       "\"entities\" is not an array (RFC 9083 "
				       "4.8); skipped");
		return;
	}
	if (depth > TD_RDAP_MAX_DEPTH) {
		if (note_once(st, ONCE_DEPTH))
			td_record_note(st->r,
				       "entities nested deeper than %d "
				       "skipped",
				       TD_RDAP_MAX_DEPTH);
		return;
	}
	json_array_foreach(arr, i, e)
	{
		if (st->nr_entities >= TD_RDAP_MAX_ENTITIES) {
			if (note_once(st, ONCE_ENT_CAP))
				td_record_note(st->r,
					       "only the first %d entities "
					       "read",
					       TD_RDAP_MAX_ENTITIES);
			return;
		}
		st->nr_entities++;
		if (!json_is_object(e)) {
			if (note_once(st, ONCE_ENT_TYPE))
				td_record_note(st->r,
					       "an entity is not an object "
					       "(RFC 9083 5.1); skipped");
			continue;
		}
		walk_entity(st, e, depth, under_rar);
	}
}

/* ---- links, events, statuses ---- */

static int
is_rdap_type(const char *t)
{
	return istarts(t, "application/rdap+json");
}

static int
is_web(const char *href)
{
	return istarts(href, "http://") || istarts(href, "https://");
}

/* The href of the first link with rel (and an RDAP type if rdap set). */
static const char *
link_find(struct rdap *st, const json_t *obj, const char *rel, int rdap,
	  const char *want)
{
	const json_t *links = json_object_get(obj, "links"), *l;
	const char *first = NULL;
	size_t i;

	if (!json_is_array(links))
		return NULL;
	json_array_foreach(links, i, l)
	{
		const char *href = mval(st, l, "href");
		const char *type = mval(st, l, "type");

		if (i >= 64)
			break;
		if (!href || !ieq(mval(st, l, "rel"), rel))
			continue;
		if (rdap > 0 && !is_rdap_type(type))
			continue;
		if (rdap < 0 && (is_rdap_type(type) || !is_web(href)))
			continue;
		if (!want || icontains(href, want))
			return href;
		if (!first)
			first = href;
	}
	return first;
}

/*
 * Event dates (RFC 9083 4.5): registration, last changed, expiration.  A
 * registrar's own answer may only give "registrar expiration".
 */
static void
read_events(struct rdap *st, const json_t *obj)
{
	const json_t *ev = json_object_get(obj, "events"), *x;
	const char *rexp = NULL;
	size_t i;

	if (!ev)
		return;
	if (!json_is_array(ev)) {
		td_record_note(st->r, "\"events\" is not an array (RFC 9083 "
				      "4.5); skipped");
		return;
	}
	json_array_foreach(ev, i, x)
	{
		const char *act = mval(st, x, "eventAction");
		const char *date = mval(st, x, "eventDate");
		char **field = NULL;
		char iso[32];

		if (i >= MAX_LIST)
			break;
		if (!act || !date)
			continue;
		if (ieq(act, "registration"))
			field = &st->r->created;
		else if (ieq(act, "last changed"))
			field = &st->r->updated;
		else if (ieq(act, "expiration"))
			field = &st->r->expires;
		else if (ieq(act, "registrar expiration") && !rexp)
			rexp = date;
		if (!field || *field)
			continue;
		if (td_record_date(iso, sizeof(iso), date) < 0) {
			td_record_note(st->r,
				       "event \"%s\": date \"%.64s\" "
				       "not understood",
				       act, date);
			continue;
		}
		set(st, field, iso, 0);
	}
	if (!st->r->expires && rexp) {
		char iso[32];

		if (td_record_date(iso, sizeof(iso), rexp) == 0) {
			set(st, &st->r->expires, iso, 0);
			td_record_note(st->r, "expiry date from the "
					      "\"registrar expiration\" event");
		}
	}
}

static void
read_status(struct rdap *st, const json_t *obj)
{
	const json_t *s = json_object_get(obj, "status"), *x;
	const char *v;
	size_t i;

	if (json_is_string(s)) {
		td_record_note(st->r, "\"status\" is a string, not an array "
				      "(RFC 9083 4.6)");
		if ((v = sval(st, s)))
			list_add_lower(st, &st->r->statuses,
				       &st->r->nr_statuses, v, 0, "status");
		return;
	}
	if (!json_is_array(s))
		return;
	json_array_foreach(s, i, x)
	{
		if ((v = sval(st, x)))
			list_add_lower(st, &st->r->statuses,
				       &st->r->nr_statuses, v, 0, "status");
	}
}

/* ---- the registrar ---- */

static long
iana_id(struct rdap *st, const json_t *rar)
{
	const json_t *ids = json_object_get(rar, "publicIds"), *x;
	size_t i;

	if (!json_is_array(ids))
		return -1;
	json_array_foreach(ids, i, x)
	{
		long long n;

		if (i >= 32)
			break;
		if (!ieq(mval(st, x, "type"), "IANA Registrar ID"))
			continue;
		n = jnum(st, json_object_get(x, "identifier"));
		if (n >= 0 && n < 10000000)
			return (long)n;
		td_record_note(st->r, "IANA Registrar ID not a number");
	}
	return -1;
}

static void
take_registrar(struct rdap *st)
{
	struct td_record *r = st->r;
	json_t *rar = st->rar;
	const char *handle = mval(st, rar, "handle");
	const char *name, *url;
	struct jcard jc;

	jcard_read(st, &jc, json_object_get(rar, "vcardArray"), handle);
	name = jc.fn && !placeholder(jc.fn) ? jc.fn : jc.org;
	if (!name && handle) {
		/* FRED (.cz) gives the registrar as a bare handle */
		name = handle;
		td_record_note(r, "registrar without a name; its handle "
				  "is used");
	}
	set(st, &r->registrar, name, 0);
	r->registrar_iana_id = iana_id(st, rar);
	if (r->registrar_iana_id < 0 && st->icann && handle) {
		/* the gTLD profile has the registrar handle be the IANA ID */
		long long n = jnum(st, json_object_get(rar, "handle"));

		if (n > 0 && n < 10000000) {
			r->registrar_iana_id = (long)n;
			td_record_note(r, "IANA Registrar ID taken from the "
					  "registrar handle");
		}
	}
	url = link_find(st, rar, "about", -1, NULL);
	if (!url && is_web(jc.url))
		url = jc.url;
	set(st, &r->registrar_url, url, 0);
	set(st, &r->registrar_whois, mval(st, rar, "port43"), 1);
	jcard_release(&jc);
}

/* ---- RFC 9537 redaction ---- */

static const char *
redacted_role(const char *name)
{
	static const struct {
		const char *prefix, *role;
	} map[] = {
	    {"registrant", "registrant"},
	    {"registry registrant", "registrant"},
	    {"administrative", "admin"},
	    {"admin", "admin"},
	    {"registry admin", "admin"},
	    {"technical", "tech"},
	    {"tech", "tech"},
	    {"registry tech", "tech"},
	    {"billing", "billing"},
	    {"registry billing", "billing"},
	};
	size_t i, n;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		n = strlen(map[i].prefix);
		if (!strncasecmp(name, map[i].prefix, n) && name[n] == ' ')
			return map[i].role;
	}
	return NULL;
}

/*
 * RFC 9537 "redacted": each member names a field by a type or description
 * ("Registrant Name", "Tech Email"...).  The contacts of that role are
 * flagged; a role whose entity was removed altogether gets an empty
 * contact with the flag, so that "the registrant is redacted" is still
 * said.
 */
static void
read_redacted(struct rdap *st, const json_t *obj)
{
	static const char *const roles[] = {"registrant", "admin", "tech",
					    "billing"};
	const json_t *red = json_object_get(obj, "redacted"), *x;
	size_t counts[4] = {0}, other = 0, i, k;

	if (!json_is_array(red))
		return;
	json_array_foreach(red, i, x)
	{
		const json_t *nm = json_object_get(x, "name");
		const char *name = mval(st, nm, "type");
		const char *role;

		if (i >= MAX_LIST)
			break;
		if (!name)
			name = mval(st, nm, "description");
		role = name ? redacted_role(name) : NULL;
		for (k = 0; role && k < 4; k++)
			if (!strcmp(role, roles[k]))
				counts[k]++;
		if (role)
			continue;
		other++;
		/* a field of the entity asked for itself */
		if (istarts(mval(st, x, "prePath"), "$.vcardArray") ||
		    istarts(mval(st, x, "postPath"), "$.vcardArray") ||
		    istarts(mval(st, x, "replacementPath"), "$.vcardArray"))
			for (k = 0; k < st->nr_self; k++)
				st->r->contacts[k].flags |= TD_CONTACT_REDACTED;
	}
	for (k = 0; k < 4; k++) {
		int found = 0;

		if (!counts[k])
			continue;
		for (i = 0; i < st->r->nr_contacts; i++)
			if (!strcmp(st->r->contacts[i].role, roles[k])) {
				st->r->contacts[i].flags |= TD_CONTACT_REDACTED;
				found = 1;
			}
		if (!found) {
			struct td_contact *c =
			    td_record_add_contact(st->r, roles[k]);

			if (!c) {
				st->oom = 1;
				return;
			}
			c->flags = TD_CONTACT_REDACTED;
		}
		td_record_note(st->r, "RFC 9537: %zu %s field%s redacted",
			       counts[k], roles[k], counts[k] > 1 ? "s" : "");
	}
	if (other)
		td_record_note(st->r, "RFC 9537: %zu other field%s redacted",
			       other, other > 1 ? "s" : "");
}

/* The object's "country" (RFC 9083 5.4, 5.5): ISO 3166 alpha-2. */
static void
read_country(struct rdap *st, const json_t *obj)
{
	const char *c = mval(st, obj, "country");
	char cc[3] = "";

	if (!c)
		return;
	set_cc(cc, c);
	if (cc[0])
		set(st, &st->r->country, cc, 0);
	else
		td_record_note(st->r,
			       "country \"%.32s\" is not an ISO 3166 "
			       "code; skipped",
			       c);
}

/* ---- IP networks ---- */

struct addr {
	int v6;
	unsigned char b[16];
};

/* Dotted quad, leniently: ARIN once wrote "074.125.000.000". */
static int
parse_v4(const char *s, unsigned char out[4])
{
	int i, n, digits;

	for (i = 0; i < 4; i++) {
		n = 0;
		digits = 0;
		while (isdigit((unsigned char)*s) && digits < 4) {
			n = n * 10 + (*s++ - '0');
			digits++;
		}
		if (!digits || digits > 3 || n > 255)
			return -1;
		out[i] = (unsigned char)n;
		if (i < 3 && *s++ != '.')
			return -1;
	}
	return *s ? -1 : 0;
}

/* An address, with a "/len" suffix (RIPE writes one) ignored. */
static int
parse_addr(const char *s, struct addr *a)
{
	char tmp[64];
	size_t n = strcspn(s, "/ ");

	if (n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	memset(a, 0, sizeof(*a));
	if (strchr(tmp, ':')) {
		a->v6 = 1;
		return inet_pton(AF_INET6, tmp, a->b) == 1 ? 0 : -1;
	}
	return parse_v4(tmp, a->b);
}

static void
addr_text(const struct addr *a, char *out, size_t size)
{
	if (!inet_ntop(a->v6 ? AF_INET6 : AF_INET, a->b, out, (socklen_t)size))
		snprintf(out, size, "?");
}

static td_u128
addr_num(const struct addr *a)
{
	td_u128 n = 0;
	int i, len = a->v6 ? 16 : 4;

	for (i = 0; i < len; i++)
		n = n << 8 | a->b[i];
	return n;
}

static void
num_addr(td_u128 n, int v6, struct addr *a)
{
	int i, len = v6 ? 16 : 4;

	a->v6 = v6;
	memset(a->b, 0, sizeof(a->b));
	for (i = len - 1; i >= 0; i--) {
		a->b[i] = (unsigned char)(n & 0xff);
		n >>= 8;
	}
}

static void
cidr_add(struct rdap *st, const struct addr *a, int len)
{
	char text[INET6_ADDRSTRLEN + 8];
	size_t n;

	addr_text(a, text, sizeof(text) - 5);
	n = strlen(text);
	snprintf(text + n, sizeof(text) - n, "/%d", len);
	list_add(st, &st->r->cidrs, &st->r->nr_cidrs, text, "cidrs");
}

/*
 * The fewest CIDR prefixes covering start..end: from start, take the
 * largest block aligned at start that does not pass end, and go on after
 * it.  At most 2 * 128 prefixes.
 */
static void
range_to_cidrs(struct rdap *st, const struct addr *s, const struct addr *e)
{
	int bits = s->v6 ? 128 : 32, k;
	td_u128 lo = addr_num(s), hi = addr_num(e), size;
	struct addr a;

	if (lo > hi) {
		td_record_note(st->r, "start address after end address");
		return;
	}
	for (;;) {
		/* k: log2 of the block size */
		for (k = 0; k < bits && !((lo >> k) & 1); k++)
			;
		for (; k > 0; k--) {
			if (k == 128) {
				if (hi == ~(td_u128)0 && lo == 0)
					break;
				continue;
			}
			size = (td_u128)1 << k;
			if (hi - lo >= size - 1)
				break;
		}
		num_addr(lo, s->v6, &a);
		cidr_add(st, &a, bits - k);
		if (k == 128)
			return;
		size = (td_u128)1 << k;
		if (hi - lo <= size - 1)
			return;
		lo += size;
		if (st->r->nr_cidrs >= MAX_LIST)
			return;
	}
}

/* cidr0 extension: [{"v4prefix"|"v6prefix": ..., "length": n}...] */
static void
read_cidr0(struct rdap *st, const json_t *obj)
{
	const json_t *c = json_object_get(obj, "cidr0_cidrs"), *x;
	size_t i;

	if (!json_is_array(c))
		return;
	json_array_foreach(c, i, x)
	{
		const char *p = mval(st, x, "v4prefix");
		long long len = jnum(st, json_object_get(x, "length"));
		struct addr a;

		if (!p)
			p = mval(st, x, "v6prefix");
		if (!p || parse_addr(p, &a) < 0 || len < 0 ||
		    len > (a.v6 ? 128 : 32)) {
			td_record_note(st->r, "cidr0_cidrs: a prefix is "
					      "malformed; skipped");
			continue;
		}
		cidr_add(st, &a, (int)len);
	}
}

/*
 * The origin AS, from extensions: ARIN's arin_originas0_originautnums (an
 * array), LACNIC's lacnic_originAutnum (a number, or "N/A"), NIC.br's
 * nicbr_autnum (the holder's AS).
 */
static void
read_origin(struct rdap *st, json_t *obj)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v)
	{
		size_t n = strlen(key);
		long long asn;

		if (!(n >= 13 && !strcasecmp(key + n - 13, "originautnums")) &&
		    !(n >= 12 && !strcasecmp(key + n - 12, "originautnum")) &&
		    strcasecmp(key, "nicbr_autnum"))
			continue;
		asn = jnum(st, json_is_array(v) ? json_array_get(v, 0) : v);
		if (asn <= 0 || asn > 4294967295LL)
			continue;
		st->r->origin_asn = (long)asn;
		if (json_is_array(v) && json_array_size(v) > 1)
			td_record_note(st->r,
				       "%zu origin ASNs listed; the first "
				       "kept",
				       json_array_size(v));
		return;
	}
}

static void
read_ip(struct rdap *st, json_t *obj)
{
	struct td_record *r = st->r;
	const char *s = mval(st, obj, "startAddress");
	const char *e = mval(st, obj, "endAddress");
	struct addr as, ae;
	char text[INET6_ADDRSTRLEN];
	int ok_s = s && parse_addr(s, &as) == 0;
	int ok_e = e && parse_addr(e, &ae) == 0;

	set(st, &r->handle, mval(st, obj, "handle"), 0);
	set(st, &r->name, mval(st, obj, "name"), 0);
	set(st, &r->parent, mval(st, obj, "parentHandle"), 0);
	if ((s && !ok_s) || (e && !ok_e))
		td_record_note(r, "start or end address not understood");
	if (ok_s) {
		addr_text(&as, text, sizeof(text));
		set(st, &r->start, text, 0);
	}
	if (ok_e) {
		addr_text(&ae, text, sizeof(text));
		set(st, &r->end, text, 0);
	}
	read_cidr0(st, obj);
	if (!r->nr_cidrs && ok_s && ok_e) {
		if (as.v6 != ae.v6)
			td_record_note(r, "start and end addresses of "
					  "different families");
		else
			range_to_cidrs(st, &as, &ae);
	}
	read_country(st, obj);
	read_origin(st, obj);
}

/* ---- autnums ---- */

static void
read_asn(struct rdap *st, json_t *obj)
{
	struct td_record *r = st->r;
	long long a = jnum(st, json_object_get(obj, "startAutnum"));
	long long b = jnum(st, json_object_get(obj, "endAutnum"));
	const char *handle = mval(st, obj, "handle");
	char text[24];

	set(st, &r->handle, handle, 0);
	set(st, &r->name, mval(st, obj, "name"), 0);
	if (a < 0 && b < 0 && handle) {
		/* LACNIC gives no startAutnum: its handle is the number */
		a = b = jnum(st, json_object_get(obj, "handle"));
		if (a < 0 && istarts(handle, "AS"))
			a = b = strtoll(handle + 2, NULL, 10);
		if (a > 0)
			td_record_note(r, "no startAutnum; AS number taken "
					  "from the handle");
		else
			a = b = -1;
	}
	if (a > 4294967295LL || b > 4294967295LL ||
	    (a >= 0 && b >= 0 && a > b)) {
		td_record_note(r, "startAutnum/endAutnum out of range");
		a = b = -1;
	}
	if (a >= 0) {
		snprintf(text, sizeof(text), "%lld", a);
		set(st, &r->start, text, 0);
	}
	if (b >= 0) {
		snprintf(text, sizeof(text), "%lld", b);
		set(st, &r->end, text, 0);
	}
	read_country(st, obj);
}

/* ---- domains ---- */

static void
read_nameservers(struct rdap *st, const json_t *obj)
{
	const json_t *ns = json_object_get(obj, "nameservers"), *x;
	size_t i;
	int bad = 0;

	if (!ns && (ns = json_object_get(obj, "nameServers")))
		td_record_note(st->r, "\"nameServers\" read as \"nameservers\" "
				      "(RFC 9083 5.3)");
	if (!ns)
		return;
	if (!json_is_array(ns)) {
		td_record_note(st->r, "\"nameservers\" is not an array; "
				      "skipped");
		return;
	}
	json_array_foreach(ns, i, x)
	{
		const char *h = mval(st, x, "ldhName");

		if (!h)
			h = mval(st, x, "unicodeName");
		if (!h) {
			bad++;
			continue;
		}
		list_add_lower(st, &st->r->nameservers, &st->r->nr_nameservers,
			       h, 1, "nameservers");
	}
	if (bad)
		td_record_note(st->r, "%d nameserver%s without a name skipped",
			       bad, bad > 1 ? "s" : "");
}

/*
 * The registrar's RDAP record of this domain: a registry (Verisign, PIR,
 * ...) links it with rel "related" and type application/rdap+json.  A
 * related link to anything else than a domain is only taken if there is
 * no other.
 */
static void
read_domain(struct rdap *st, json_t *obj)
{
	struct td_record *r = st->r;
	const json_t *sd = json_object_get(obj, "secureDNS");
	const json_t *sig = json_object_get(sd, "delegationSigned");
	const char *ldh = mval(st, obj, "ldhName");
	const char *uni = mval(st, obj, "unicodeName");
	const char *rel;

	if (ldh)
		r->domain = dup_host(st, ldh);
	if (uni) {
		r->domain_unicode = dup(st, uni, 0);
		if (r->domain_unicode) {
			size_t n = strlen(r->domain_unicode);

			while (n && r->domain_unicode[n - 1] == '.')
				r->domain_unicode[--n] = '\0';
		}
	}
	if (!ldh && !uni)
		td_record_note(r, "domain without ldhName or unicodeName");
	set(st, &r->handle, mval(st, obj, "handle"), 0);
	read_nameservers(st, obj);
	if (json_is_boolean(sig))
		set(st, &r->dnssec,
		    json_is_true(sig) ? "signedDelegation" : "unsigned", 0);
	rel = link_find(st, obj, "related", 1, "/domain/");
	set(st, &r->registrar_rdap, rel, 0);
}

/* ---- entities and nameservers as the object asked for ---- */

static void
read_entity_obj(struct rdap *st, json_t *obj)
{
	struct td_record *r = st->r;
	const char *handle = mval(st, obj, "handle");
	struct jcard jc;

	set(st, &r->handle, handle, 0);
	jcard_read(st, &jc, json_object_get(obj, "vcardArray"), handle);
	if (jc.fn && !placeholder(jc.fn))
		set(st, &r->name, jc.fn, 0);
	if (org_name(jc.org) && !placeholder(jc.org))
		set(st, &r->org, jc.org, 0);
	else if (ieq(jc.kind, "org") && jc.fn && !placeholder(jc.fn))
		set(st, &r->org, jc.fn, 0);
	if (jc.country[0])
		set(st, &r->country, jc.country, 0);
	jcard_release(&jc);
}

static void
read_nameserver_obj(struct rdap *st, json_t *obj)
{
	const char *h = mval(st, obj, "ldhName");

	set(st, &st->r->handle, mval(st, obj, "handle"), 0);
	if (h)
		st->r->name = dup_host(st, h);
	td_record_note(st->r, "a nameserver object: only its name, handle, "
			      "status, events and entities are kept");
}

/* ---- answers that are not objects ---- */

/*
 * RFC 9083 section 6: {"errorCode": n, "title": ..., "description":
 * [...]}.  404 is "not found", 429 (RFC 6585) "rate limited"; so is an
 * error whose title or description says so.
 */
static void
read_error(struct rdap *st, json_t *obj)
{
	struct td_record *r = st->r;
	long long code = jnum(st, json_object_get(obj, "errorCode"));
	const char *title = mval(st, obj, "title");
	const json_t *desc = json_object_get(obj, "description");
	const char *d = json_is_array(desc) ? sval(st, json_array_get(desc, 0))
					    : sval(st, desc);
	char text[512];

	char num[24] = "";

	if (code >= 0)
		snprintf(num, sizeof(num), "%lld", code);
	if (title && *num && !strncmp(title, num, strlen(num)))
		num[0] = '\0'; /* "501 Not Implemented" says it already */
	snprintf(text, sizeof(text), "%s%s%.200s%s%.200s", num,
		 *num && title ? " " : "", title ? title : "", d ? ": " : "",
		 d ? d : "");
	set(st, &r->status_text, text, 0);
	if (code == 404)
		r->status = TD_REC_NOT_FOUND;
	else if (code == 429 || icontains(title, "too many") ||
		 icontains(title, "rate limit") || icontains(d, "rate limit") ||
		 icontains(d, "too many requests"))
		r->status = TD_REC_RATE_LIMITED;
	else
		r->status = TD_REC_ERROR;
}

static const char *const search_keys[] = {
    "domainSearchResults", "nameserverSearchResults", "entitySearchResults",
    "ipSearchResults",	   "autnumSearchResults",     "ipNetworkSearchResults",
    "autnumsSearchResults"};

/* A search answer (RFC 9083 8) or an RDAP history answer. */
static int
read_search(struct rdap *st, json_t *obj)
{
	struct td_record *r = st->r;
	size_t i;

	for (i = 0; i < sizeof(search_keys) / sizeof(search_keys[0]); i++) {
		json_t *res = json_object_get(obj, search_keys[i]);

		if (!res)
			continue;
		r->status = TD_REC_ERROR;
		set(st, &r->status_text, "search answer", 0);
		td_record_note(
		    r,
		    "a search answer (RFC 9083 8) with %zu result%s; "
		    "ask for one object",
		    json_array_size(res), json_array_size(res) == 1 ? "" : "s");
		return 0;
	}
	if (json_object_get(obj, "records")) {
		r->status = TD_REC_ERROR;
		set(st, &r->status_text, "history answer", 0);
		td_record_note(r, "an RDAP history answer (records of past "
				  "versions); not read");
		return 0;
	}
	return -1;
}

/* A help answer (RFC 9083 7): notices and conformance, no object. */
static int
read_help(struct rdap *st, json_t *obj)
{
	struct td_record *r = st->r;

	if (!json_object_get(obj, "notices") &&
	    !json_object_get(obj, "rdapConformance"))
		return -1;
	r->status = TD_REC_ERROR;
	set(st, &r->status_text, "help answer", 0);
	td_record_note(r, "a help answer (RFC 9083 7): no object");
	return 0;
}

/* Guess the class of an object that does not say (RFC 9083 4.7). */
static const char *
guess_class(const json_t *obj)
{
	if (json_object_get(obj, "startAddress") ||
	    json_object_get(obj, "ipVersion"))
		return "ip network";
	if (json_object_get(obj, "startAutnum"))
		return "autnum";
	if (json_object_get(obj, "ldhName") ||
	    json_object_get(obj, "unicodeName")) {
		if (json_object_get(obj, "ipAddresses") &&
		    !json_object_get(obj, "nameservers"))
			return "nameserver";
		return "domain";
	}
	if (json_object_get(obj, "vcardArray"))
		return "entity";
	return NULL;
}

static int
conformance_icann(struct rdap *st, const json_t *obj)
{
	const json_t *c = json_object_get(obj, "rdapConformance"), *x;
	size_t i;

	if (!json_is_array(c))
		return 0;
	json_array_foreach(c, i, x)
	{
		if (istarts(sval(st, x), "icann_rdap"))
			return 1;
	}
	return 0;
}

static void
finish_abuse(struct rdap *st)
{
	struct td_record *r = st->r;

	set(st, &r->abuse_email, st->ab_email.val, 0);
	set(st, &r->abuse_phone, st->ab_phone.val, 0);
	if (st->ab_email.val && st->ab_fallback)
		td_record_note(r,
			       "no abuse entity gives an e-mail; took \"%s\" "
			       "of entity %s",
			       st->ab_email.val,
			       st->ab_email.handle ? st->ab_email.handle : "-");
	if (!st->ab_email.val && st->ab_url.val)
		td_record_note(r, "abuse contact gives no e-mail, only %s",
			       st->ab_url.val);
	else if (!st->ab_email.val && st->ab_seen)
		td_record_note(r, "abuse contact gives no e-mail");
}

static int
parse_object(struct rdap *st, json_t *obj, const char *source_url,
	     struct td_error *err)
{
	struct td_record *r = st->r;
	const char *cls = mval(st, obj, "objectClassName");
	const char *self = link_find(st, obj, "self", 0, NULL);

	r->format = "rdap";
	r->status = TD_REC_FOUND;
	set(st, &r->source, source_url ? source_url : self, 0);
	st->icann = conformance_icann(st, obj);
	if (!cls && json_object_get(obj, "errorCode")) {
		read_error(st, obj);
		return 0;
	}
	if (!cls && read_search(st, obj) == 0)
		return 0;
	if (!cls && (cls = guess_class(obj)))
		td_record_note(r,
			       "no objectClassName (RFC 9083 4.7); read "
			       "as %s",
			       cls);
	if (!cls && read_help(st, obj) == 0)
		return 0;
	if (!cls)
		return td_error_set(err, TD_EPARSE,
				    "%s: RFC 9083 4.7: no objectClassName and "
				    "no errorCode",
				    source_url ? source_url : "rdap answer");

	if (ieq(cls, "domain")) {
		r->kind = TD_REC_DOMAIN;
		read_domain(st, obj);
	} else if (ieq(cls, "ip network")) {
		r->kind = TD_REC_IP;
		read_ip(st, obj);
	} else if (ieq(cls, "autnum")) {
		r->kind = TD_REC_ASN;
		read_asn(st, obj);
	} else if (ieq(cls, "entity")) {
		r->kind = TD_REC_ENTITY;
		read_entity_obj(st, obj);
	} else if (ieq(cls, "nameserver")) {
		read_nameserver_obj(st, obj);
	} else {
		r->status = TD_REC_ERROR;
		set(st, &r->status_text, "unknown objectClassName", 0);
		td_record_note(r, "unknown objectClassName \"%.64s\"", cls);
	}
	read_status(st, obj);
	read_events(st, obj);

	if (r->kind == TD_REC_ENTITY)
		walk_entity(st, obj, 0, 0);
	else
		walk_entities(st, json_object_get(obj, "entities"), 1, 0);
	if (st->rar)
		take_registrar(st);
	if (!r->registrar_whois && r->kind == TD_REC_DOMAIN)
		set(st, &r->registrar_whois, mval(st, obj, "port43"), 1);
	if (st->org.val && r->kind != TD_REC_ENTITY) {
		set(st, &r->org, st->org.val, 0);
		if (st->org_country[0])
			set(st, &r->country, st->org_country, 0);
	}
	read_redacted(st, obj);
	finish_abuse(st);
	return 0;
}

int
td_rdap_parse(struct td_record *out, const char *json, size_t len,
	      const char *source_url, struct td_error *err)
{
	const char *name = source_url ? source_url : "rdap answer";
	struct rdap st;
	json_error_t jerr;
	json_t *root;
	int rc;

	td_record_init(out);
	if (!json && len)
		return td_error_set(err, TD_EINVAL, "%s: no buffer", name);
	if (len > TD_RDAP_MAX_BYTES)
		return td_error_set(err, TD_ELIMIT,
				    "%s: answer of %zu bytes is over the "
				    "%u byte limit",
				    name, len, TD_RDAP_MAX_BYTES);
	memset(&jerr, 0, sizeof(jerr));
	root = json_loadb(json ? json : "", len,
			  JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	/*
	 * jansson says "out of memory" with json_error_out_of_memory, except
	 * when its lexer cannot even be set up: then it returns NULL with
	 * the error text left empty (json_loadb() in jansson 2.14).  Every
	 * parse error has a text.
	 */
	if (!root && (json_error_code(&jerr) == json_error_out_of_memory ||
		      !jerr.text[0]))
		return td_error_set(err, TD_ENOMEM, "%s: out of memory", name);
	if (!root)
		return td_error_set(err, TD_EPARSE,
				    "%s: RFC 8259: %s at line %d, column %d",
				    name, jerr.text, jerr.line, jerr.column);
	if (!json_is_object(root)) {
		json_decref(root);
		return td_error_set(err, TD_EPARSE,
				    "%s: RFC 9083 4: the answer is not a "
				    "JSON object",
				    name);
	}
	memset(&st, 0, sizeof(st));
	st.r = out;
	st.root = root;
	st.ab_email.rank = st.ab_phone.rank = st.ab_url.rank = RANK_NONE;
	st.org.rank = RANK_NONE;
	rc = parse_object(&st, root, source_url, err);
	json_decref(root);
	if (out->notes_oom)
		st.oom = 1;
	if (rc == 0 && !st.oom && td_record_fix_utf8(out) < 0)
		st.oom = 1;
	/* a lost copy can also make the answer look like no RDAP object:
	   the allocation failure is the error to report */
	if (st.oom && rc != TD_ENOMEM)
		rc = td_error_set(err, TD_ENOMEM, "%s: out of memory", name);
	return rc;
}
