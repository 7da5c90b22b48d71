/*
 * The reporter's profile file: "key = value" lines.  Read strictly (an
 * unknown key is an error, so a typo never silently drops the identity a
 * report is signed with), written atomically.
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
#include "paths.h"
#include "profile.h"
#include "banned.h"

#define MAX_FILE (64u << 10)
#define MAX_VALUE 1000

const char *const td_profile_keys[] = {
    "name",	   "organisation", "email",	"phone",
    "role",	   "signature",	   "pgp_key",	"le_liaison",
    "public_name", "public_email", "smtp_url",	"smtp_user",
    "smtp_password_file",	   "sendmail",	"takedown_orgs",
    "arf_recipients", NULL,
};

void
td_profile_init(struct td_profile *p)
{
	memset(p, 0, sizeof(*p));
}

char **
td_profile_field(struct td_profile *p, const char *key)
{
	char **f[] = {&p->name,		&p->org,	 &p->email,
		      &p->phone,	&p->role,	 &p->signature,
		      &p->pgp_key,	&p->le_liaison,	 &p->public_name,
		      &p->public_email, &p->smtp_url,	 &p->smtp_user,
		      &p->smtp_password_file,		 &p->sendmail,
		      &p->takedown_orgs,	&p->arf_recipients};
	size_t i;

	for (i = 0; td_profile_keys[i]; i++)
		if (!strcmp(td_profile_keys[i], key))
			return f[i];
	return NULL;
}

/* The value of td_profile_keys[i]. */
static const char *
value_of(const struct td_profile *p, size_t i)
{
	const char *v[] = {p->name,	    p->org,	   p->email,
			   p->phone,	    p->role,	   p->signature,
			   p->pgp_key,	    p->le_liaison, p->public_name,
			   p->public_email, p->smtp_url,   p->smtp_user,
			   p->smtp_password_file,	   p->sendmail,
			   p->takedown_orgs,	    p->arf_recipients};

	return v[i];
}

void
td_profile_release(struct td_profile *p)
{
	size_t i;

	for (i = 0; td_profile_keys[i]; i++)
		free(*td_profile_field(p, td_profile_keys[i]));
	td_profile_init(p);
}

static int
blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Printable UTF-8 or ASCII: no C0 controls, no DEL. */
static int
clean(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

int
td_profile_load(struct td_profile *p, const char *path, struct td_error *err)
{
	struct td_buf b = TD_BUF_INIT;
	char chunk[4096];
	const char *s, *end;
	unsigned line = 0;
	ssize_t n;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return td_error_set(err, TD_EIO, "%s: %s", path,
				    strerror(errno));
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		if (b.len + (size_t)n > MAX_FILE) {
			close(fd);
			td_buf_release(&b);
			return td_error_set(err, TD_ELIMIT,
					    "%s: larger than %u bytes", path,
					    MAX_FILE);
		}
		td_buf_add(&b, chunk, (size_t)n);
	}
	close(fd);
	if (n < 0 || td_buf_failed(&b)) {
		td_buf_release(&b);
		return td_error_set(err, n < 0 ? TD_EIO : TD_ENOMEM, "%s: %s",
				    path,
				    n < 0 ? strerror(errno) : "out of memory");
	}
	for (s = b.ptr ? b.ptr : "", end = s + b.len; s < end && !rc;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end, *eq, *k, *ke, *v, *ve;
		char key[32], **field;

		line++;
		k = s;
		s = nl ? nl + 1 : end;
		while (k < e && blank(*k))
			k++;
		ve = e;
		if (ve > k && ve[-1] == '\r')
			ve--;
		if (k == ve || *k == '#')
			continue;
		eq = memchr(k, '=', (size_t)(ve - k));
		if (!eq) {
			rc = td_error_set(err, TD_EPARSE,
					  "%s:%u: no \"=\" in the line", path,
					  line);
			break;
		}
		ke = eq;
		while (ke > k && blank(ke[-1]))
			ke--;
		v = eq + 1;
		while (v < ve && blank(*v))
			v++;
		while (ve > v && blank(ve[-1]))
			ve--;
		if ((size_t)(ke - k) >= sizeof(key)) {
			rc = td_error_set(err, TD_EPARSE,
					  "%s:%u: unknown key", path, line);
			break;
		}
		memcpy(key, k, (size_t)(ke - k));
		key[ke - k] = '\0';
		field = td_profile_field(p, key);
		if (!field || !clean(key, strlen(key))) {
			rc = td_error_set(err, TD_EPARSE,
					  "%s:%u: unknown key \"%s\"", path,
					  line, clean(key, strlen(key)) ? key : "?");
		} else if ((size_t)(ve - v) > MAX_VALUE) {
			rc = td_error_set(err, TD_ELIMIT,
					  "%s:%u: %s: longer than %u bytes",
					  path, line, key, MAX_VALUE);
		} else if (!clean(v, (size_t)(ve - v))) {
			rc = td_error_set(err, TD_EPARSE,
					  "%s:%u: %s: a control character",
					  path, line, key);
		} else {
			free(*field);
			*field = ve > v ? td_strndup(v, (size_t)(ve - v))
					: NULL;
			if (ve > v && !*field)
				rc = td_error_set(err, TD_ENOMEM,
						  "out of memory");
		}
	}
	td_buf_release(&b);
	return rc;
}

/* A plausible address: one @, both sides there, no blanks or controls. */
static int
plausible_email(const char *s)
{
	const char *at = strchr(s, '@');
	size_t i;

	if (!at || at == s || !at[1] || strchr(at + 1, '@') ||
	    !strchr(at + 1, '.') || strlen(s) > 254)
		return 0;
	for (i = 0; s[i]; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f || s[i] == '<' ||
		    s[i] == '>' || s[i] == '(' || s[i] == ')' || s[i] == ',' ||
		    s[i] == ';' || s[i] == '"' || s[i] == '\\')
			return 0;
	return 1;
}

int
td_profile_check(const struct td_profile *p, struct td_error *err)
{
	if (!p->name || !*p->name)
		return td_error_set(err, TD_EINVAL,
				    "no name: reports say who sends them");
	if (!p->org || !*p->org)
		return td_error_set(err, TD_EINVAL,
				    "no organisation (say \"individual\" if "
				    "none)");
	if (!p->email || !plausible_email(p->email))
		return td_error_set(err, TD_EINVAL,
				    "no usable e-mail address");
	if (p->public_email && *p->public_email &&
	    !plausible_email(p->public_email))
		return td_error_set(err, TD_EINVAL,
				    "public_email is not a usable address");
	if (p->takedown_orgs && *p->takedown_orgs) {
		struct td_profile_org v[TD_PROFILE_MAX_ORGS];
		int n = td_profile_orgs(p, v, TD_PROFILE_MAX_ORGS, err);

		if (n < 0)
			return n;
	}
	if (p->arf_recipients && *p->arf_recipients) {
		const char *s = p->arf_recipients;

		while (*s) {
			size_t n = strcspn(s, ",");
			char one[256];
			size_t a = 0, b = n;

			while (a < b && blank(s[a]))
				a++;
			while (b > a && blank(s[b - 1]))
				b--;
			if (b - a >= sizeof(one))
				return td_error_set(err, TD_EINVAL,
						    "arf_recipients: an entry "
						    "is too long");
			memcpy(one, s + a, b - a);
			one[b - a] = 0;
			/* "@domain" is checked as "x@domain" */
			if (one[0] == '@' && b - a < sizeof(one) - 1) {
				memmove(one + 1, one, b - a + 1);
				one[0] = 'x';
			}
			if (b > a && !plausible_email(one))
				return td_error_set(err, TD_EINVAL,
						    "arf_recipients: \"%.*s\" is "
						    "neither an address nor "
						    "@domain",
						    (int)(b - a), s + a);
			s += n + (s[n] == ',');
		}
	}
	if (p->smtp_url && *p->smtp_url && strncmp(p->smtp_url, "smtp://", 7) &&
	    strncmp(p->smtp_url, "smtps://", 8))
		return td_error_set(err, TD_EINVAL,
				    "smtp_url must start smtp:// or smtps://");
	return 0;
}

int
td_profile_save(const struct td_profile *p, const char *path,
		struct td_error *err)
{
	struct td_buf b = TD_BUF_INIT, tmp = TD_BUF_INIT;
	const char *slash = strrchr(path, '/');
	size_t i;
	int fd = -1, rc = 0;

	if (slash && slash != path) {
		char *dir = td_strndup(path, (size_t)(slash - path));

		rc = dir ? td_mkdirs(dir, 0700, err)
			 : td_error_set(err, TD_ENOMEM, "out of memory");
		free(dir);
		if (rc)
			return rc;
	}
	td_buf_adds(&b, "# takedown reporter profile: `takedown init` writes "
			"it, docs/profile.md\n# describes every key.\n");
	for (i = 0; td_profile_keys[i]; i++) {
		const char *v = value_of(p, i);

		if (v && *v)
			td_buf_printf(&b, "%s = %s\n", td_profile_keys[i], v);
	}
	td_buf_printf(&tmp, "%s.tmp-%ld", path, (long)getpid());
	if (td_buf_failed(&b) || td_buf_failed(&tmp)) {
		rc = td_error_set(err, TD_ENOMEM, "out of memory");
		goto out;
	}
	fd = open(tmp.ptr, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd < 0 || write(fd, b.ptr, b.len) != (ssize_t)b.len ||
	    fsync(fd) < 0) {
		rc = td_error_set(err, TD_EIO, "%s: %s", tmp.ptr,
				  strerror(errno));
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		rc = td_error_set(err, TD_EIO, "%s: %s", tmp.ptr,
				  strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp.ptr, path) < 0)
		rc = td_error_set(err, TD_EIO, "%s: %s", path,
				  strerror(errno));
out:
	if (fd >= 0)
		close(fd);
	if (rc && tmp.ptr)
		unlink(tmp.ptr);
	td_buf_release(&b);
	td_buf_release(&tmp);
	return rc;
}

int
td_profile_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

int
td_profile_orgs(const struct td_profile *p, struct td_profile_org *v,
		size_t max, struct td_error *err)
{
	const char *s = p->takedown_orgs;
	size_t nr = 0;

	if (max > TD_PROFILE_MAX_ORGS)
		max = TD_PROFILE_MAX_ORGS;
	while (s && *s) {
		size_t n = strcspn(s, ";"), a = 0, b;
		const char *lt, *gt;

		while (a < n && blank(s[a]))
			a++;
		b = n;
		while (b > a && blank(s[b - 1]))
			b--;
		if (b > a) {
			lt = memchr(s + a, '<', b - a);
			gt = lt ? memchr(lt, '>', (size_t)(s + b - lt)) : NULL;
			if (!lt || !gt || gt != s + b - 1)
				return td_error_set(
				    err, TD_EINVAL,
				    "takedown_orgs: entry %zu is not "
				    "\"Name <address>\"",
				    nr + 1);
			if (nr == max)
				return td_error_set(err, TD_EINVAL,
						    "takedown_orgs: more than "
						    "%zu entries",
						    max);
			{
				size_t nl = (size_t)(lt - (s + a)),
				       el = (size_t)(gt - lt - 1);

				while (nl && blank(s[a + nl - 1]))
					nl--;
				if (nl >= sizeof(v[nr].name) ||
				    el >= sizeof(v[nr].email))
					return td_error_set(
					    err, TD_EINVAL,
					    "takedown_orgs: entry %zu is too "
					    "long",
					    nr + 1);
				memcpy(v[nr].name, s + a, nl);
				v[nr].name[nl] = 0;
				memcpy(v[nr].email, lt + 1, el);
				v[nr].email[el] = 0;
				if (!nl || !plausible_email(v[nr].email))
					return td_error_set(
					    err, TD_EINVAL,
					    "takedown_orgs: entry %zu needs a "
					    "name and a plain address",
					    nr + 1);
			}
			nr++;
		}
		s += n + (s[n] == ';');
	}
	return (int)nr;
}

int
td_profile_wants_arf(const struct td_profile *p, const char *addr)
{
	const char *s = p->arf_recipients, *at = addr ? strrchr(addr, '@') : NULL;

	while (at && s && *s) {
		size_t n = strcspn(s, ","), a = 0, b = n;

		while (a < b && blank(s[a]))
			a++;
		while (b > a && blank(s[b - 1]))
			b--;
		if (b > a) {
			const char *want = s[a] == '@' ? at : addr;

			if (strlen(want) == b - a &&
			    !strncasecmp(want, s + a, b - a))
				return 1;
		}
		s += n + (s[n] == ',');
	}
	return 0;
}
