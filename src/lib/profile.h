#ifndef TD_PROFILE_H
#define TD_PROFILE_H

#include "err.h"

/*
 * The reporter: who signs the reports, and how mail leaves.  Kept in the
 * file "profile" of the config folder (see paths.h), written by
 * `takedown init`, one "key = value" a line, '#' starting a comment
 * line.  The format and every key are in docs/profile.md.
 *
 * Two identities: the personal one (name, organisation, e-mail, phone)
 * for reports to owners, hosts and registrars of compromised sites, and a
 * public one (public_name, public_email) for reports that may reach a
 * criminal: a malicious site's CDN, platform or registrar may pass the
 * report on to their customer, who is the attacker.
 */
struct td_profile {
	char *name;	    /* the reporter's own name */
	char *org;	    /* organisation, or "individual" */
	char *email;
	char *phone;	    /* optional */
	char *role;	    /* optional: "security researcher", "CERT analyst" */
	char *signature;    /* optional, one line; "\n" written as \n */
	char *pgp_key;	    /* optional: a fingerprint or URL */
	char *le_liaison;   /* optional: a law-enforcement contact of theirs */
	char *public_name;  /* identity for malicious cases, e.g. the team */
	char *public_email; /* defaults to email when empty */
	char *smtp_url;	    /* smtp://host:587 (STARTTLS required) or
			       smtps://host:465 */
	char *smtp_user;
	char *smtp_password_file; /* a file holding the password only */
	char *sendmail;	    /* local submission program instead of SMTP */
	/* takedown organisations told of malicious cases: "Name <addr>"
	   entries separated by ';' */
	char *takedown_orgs;
	/* recipients whose reports go as ARF (RFC 5965) rather than with
	   X-ARF: addresses or "@domain" entries separated by ',' */
	char *arf_recipients;
};

/* One takedown organisation of the profile. */
struct td_profile_org {
	char name[101];
	char email[255];
};

#define TD_PROFILE_MAX_ORGS 16

/*
 * The takedown organisations of p, at most max (16 at most are
 * allowed) into v.  Returns their number, or TD_EINVAL with the entry
 * at fault in err (no "<address>", an address that is not a plain
 * addr-spec, a name over 100 bytes, too many).
 */
int td_profile_orgs(const struct td_profile *p, struct td_profile_org *v,
		    size_t max, struct td_error *err);

/* 1 when addr is listed in p's arf_recipients (the address itself, or
   "@" and its domain; ASCII case ignored), else 0. */
int td_profile_wants_arf(const struct td_profile *p, const char *addr);

/* Keys in file order, for writers and docs. */
extern const char *const td_profile_keys[];

void td_profile_init(struct td_profile *p);
void td_profile_release(struct td_profile *p);

/* The field of key, or NULL for an unknown key. */
char **td_profile_field(struct td_profile *p, const char *key);

/*
 * Read path into p (set up with td_profile_init).  Returns 0, TD_EIO
 * (cannot read; err says why; ENOENT is TD_EIO too, check with
 * td_profile_exists), TD_EPARSE (line N: unknown key, no "=", a value
 * with a control character) or TD_ELIMIT (a file over 64 kB, a value
 * over 1000 bytes).
 */
int td_profile_load(struct td_profile *p, const char *path,
		    struct td_error *err);

/*
 * Check that p can sign a report: name, org and a valid e-mail are
 * there, and every value is one printable line.  Returns 0 or TD_EINVAL
 * with the first problem in err.
 */
int td_profile_check(const struct td_profile *p, struct td_error *err);

/*
 * Write p to path atomically (a temporary file beside it, fsync, rename),
 * mode 0600, creating the folder (0700).  Returns 0 or TD_EIO.
 */
int td_profile_save(const struct td_profile *p, const char *path,
		    struct td_error *err);

/* 1 when path exists. */
int td_profile_exists(const char *path);

#endif
