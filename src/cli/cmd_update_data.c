/*
 * takedown update-data: refresh the IANA RDAP bootstrap files (RFC 9224)
 * that lookup reads from the data folder.
 *
 * The four files are fetched concurrently through one td_net loop, written
 * into a new folder beside the destination, checked by loading them as
 * lookup would (td_bootstrap_load), and only then swapped in with one
 * rename: a reader sees the old set or the new set, never a mix, and a
 * failed or malformed download leaves the old folder as it was.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bootstrap.h"
#include "buf.h"
#include "cli.h"
#include "jsonw.h"
#include "net.h"
#include "paths.h"
#include "term.h"
#include "banned.h"

#define CMD "update-data"
#define DEFAULT_FROM "https://data.iana.org/rdap/"
#define NR_FILES 4
#define MAX_FILE (8u << 20) /* what td_bootstrap_load() accepts */
#define KEEP_FILE "whois-servers.txt"

static const char *opt_from;
static const char *opt_dir;
static unsigned opt_timeout = 30000;
static int opt_json;
static int opt_allow_loopback;

static const struct td_opt options[] = {
    {"from", 'f', TD_OPT_STRING, &opt_from, "URL",
     "where the files are (default " DEFAULT_FROM ")"},
    {"dir", 'd', TD_OPT_STRING, &opt_dir, "DIR",
     "folder to replace (default: iana in the data folder)"},
    {"timeout", 0, TD_OPT_UINT, &opt_timeout, "MS",
     "deadline per file in milliseconds (default 30000)"},
    {"json", 'j', TD_OPT_FLAG, &opt_json, NULL,
     "write one JSON object describing the update"},
    {"allow-loopback", 0, TD_OPT_FLAG, &opt_allow_loopback, NULL,
     "let the server be on 127.0.0.1 (tests, private mirrors)"},
    {NULL, 0, 0, NULL, NULL, NULL},
};

static const char *const file_names[NR_FILES] = {"dns.json", "ipv4.json",
						 "ipv6.json", "asn.json"};
static const enum td_bootstrap_file file_kinds[NR_FILES] = {
    TD_BOOTSTRAP_DNS, TD_BOOTSTRAP_IPV4, TD_BOOTSTRAP_IPV6, TD_BOOTSTRAP_ASN};

struct fetch {
	char *url;
	int done; /* the callback ran */
	enum td_net_status status;
	long code;
	struct td_buf body;
	char *error;
};

struct update {
	char *base;	  /* --from, ending in '/' */
	char *dest;	  /* absolute path of the folder replaced */
	char *parent;	  /* the folder that holds dest */
	const char *leaf; /* dest's last component (inside dest) */
	char *tmp;	  /* the new folder while it is being built */
	char *old;	  /* the old folder after the swap */
	int had_old;
	mode_t old_mode;
	int kept; /* KEEP_FILE carried over */
	char *prev_pub[NR_FILES];
	struct td_bootstrap *fresh;
	struct fetch f[NR_FILES];
	struct td_buf why; /* the failure, raw (escaped when printed) */
};

static void
on_reply(const struct td_http_reply *r, void *payload)
{
	struct fetch *f = payload;

	f->done = 1;
	f->status = r->status;
	f->code = r->code;
	if (r->status == TD_NET_OK)
		td_buf_add(&f->body, r->body, r->len);
	if (r->error)
		f->error = td_strndup(r->error, strlen(r->error));
}

/* Fetch the four files; 0 when all came with HTTP 200, else u->why. */
static int
fetch_all(struct update *u)
{
	struct td_net_opts no = TD_NET_OPTS_INIT;
	struct td_error err = {0, ""};
	struct td_net *n = NULL;
	int i, bad = -1, nr_bad = 0, rc;

	no.timeout_ms = opt_timeout;
	no.max_body = MAX_FILE;
	no.allow_loopback = opt_allow_loopback;
	no.max_inflight = NR_FILES;
	no.http_per_sec = 1000; /* the four start together */
	if (td_net_new(&n, &no, &err) < 0) {
		td_buf_printf(&u->why, "cannot start the network: %s",
			      err.msg[0] ? err.msg : td_strerror(err.code));
		return -1;
	}
	for (i = 0; i < NR_FILES; i++) {
		struct fetch *f = &u->f[i];

		rc =
		    td_net_http_get(n, f->url, "application/json", on_reply, f);
		if (rc < 0) {
			td_buf_printf(&u->why, "%s: cannot fetch: %s", f->url,
				      td_strerror(rc));
			td_net_free(n);
			return -1;
		}
	}
	rc = td_net_run(n);
	td_net_free(n);
	if (rc < 0) {
		td_buf_printf(&u->why, "network loop failed: %s",
			      td_strerror(rc));
		return -1;
	}
	for (i = 0; i < NR_FILES; i++) {
		struct fetch *f = &u->f[i];

		if (f->done && f->status == TD_NET_OK && f->code == 200 &&
		    !td_buf_failed(&f->body))
			continue;
		if (bad < 0)
			bad = i;
		nr_bad++;
	}
	if (bad < 0)
		return 0;
	{
		struct fetch *f = &u->f[bad];

		if (!f->done)
			td_buf_printf(&u->why, "%s: not fetched", f->url);
		else if (f->status == TD_NET_OK && f->code != 200)
			td_buf_printf(&u->why, "%s: HTTP %ld", f->url, f->code);
		else if (f->status == TD_NET_OK)
			td_buf_printf(&u->why, "%s: out of memory", f->url);
		else if (f->status == TD_NET_TIMEOUT)
			td_buf_printf(&u->why,
				      "%s: no complete answer within "
				      "%u ms",
				      f->url,
				      opt_timeout ? opt_timeout : 10000);
		else if (f->error && !strncmp(f->error, f->url, strlen(f->url)))
			td_buf_adds(&u->why, f->error);
		else
			td_buf_printf(&u->why, "%s: %s", f->url,
				      f->error ? f->error
					       : td_net_status_name(f->status));
		if (f->status == TD_NET_REFUSED && !opt_allow_loopback &&
		    f->error && strstr(f->error, "not a public address"))
			td_buf_adds(&u->why, "; see --allow-loopback");
		if (nr_bad > 1)
			td_buf_printf(&u->why, " (and %d more file%s failed)",
				      nr_bad - 1, nr_bad > 2 ? "s" : "");
	}
	return -1;
}

static int
write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Write dir/name (a new file) and sync it; -1 with u->why set. */
static int
write_file(struct update *u, const char *dir, const char *name,
	   const char *data, size_t len)
{
	struct td_buf path = TD_BUF_INIT;
	int fd, e;

	td_buf_printf(&path, "%s/%s", dir, name);
	fd = open(path.ptr, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		e = errno;
		td_buf_printf(&u->why, "%s: %s", path.ptr, strerror(e));
		if (fd >= 0)
			close(fd);
		td_buf_release(&path);
		return -1;
	}
	if (close(fd) < 0) {
		td_buf_printf(&u->why, "%s: %s", path.ptr, strerror(errno));
		td_buf_release(&path);
		return -1;
	}
	td_buf_release(&path);
	return 0;
}

/* Copy the old folder's KEEP_FILE, if any, into the new one. */
static int
keep_file(struct update *u)
{
	struct td_buf src = TD_BUF_INIT, dst = TD_BUF_INIT;
	char chunk[65536];
	int in = -1, out = -1, rc = -1;
	ssize_t r;

	td_buf_printf(&src, "%s/%s", u->dest, KEEP_FILE);
	td_buf_printf(&dst, "%s/%s", u->tmp, KEEP_FILE);
	in = open(src.ptr, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		rc = errno == ENOENT ? 0 : -1;
		if (rc)
			td_buf_printf(&u->why, "%s: %s", src.ptr,
				      strerror(errno));
		goto out;
	}
	out = open(dst.ptr, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (out < 0) {
		td_buf_printf(&u->why, "%s: %s", dst.ptr, strerror(errno));
		goto out;
	}
	while ((r = read(in, chunk, sizeof(chunk))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			td_buf_printf(&u->why, "%s: %s", src.ptr,
				      strerror(errno));
			goto out;
		}
		if (write_all(out, chunk, (size_t)r) < 0) {
			td_buf_printf(&u->why, "%s: %s", dst.ptr,
				      strerror(errno));
			goto out;
		}
	}
	r = fsync(out);
	if (close(out) < 0)
		r = -1;
	out = -1;
	if (r < 0) {
		td_buf_printf(&u->why, "%s: %s", dst.ptr, strerror(errno));
		goto out;
	}
	u->kept = 1;
	rc = 0;
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	td_buf_release(&src);
	td_buf_release(&dst);
	return rc;
}

/* fsync a folder so that a rename in it lasts; errors do not matter. */
static void
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path) < 0 ? -1 : 0;
}

/* rm -r dir, not following symbolic links; 0 or -1 with errno. */
static int
rm_rf(const char *dir)
{
	return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * Make u->dest absolute and free of symbolic links (a link to the folder
 * stays a link; its target is replaced), create its parent, and note
 * whether there is an old folder.  -1 with u->why set.
 */
static int
resolve_dest(struct update *u, const char *given)
{
	struct td_error err = {0, ""};
	struct td_buf b = TD_BUF_INIT;
	char *p, *real = NULL;
	struct stat st;
	size_t len = strlen(given);

	while (len > 1 && given[len - 1] == '/')
		len--;
	td_buf_add(&b, given, len);
	if (td_buf_failed(&b))
		goto nomem;
	if (stat(b.ptr, &st) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			td_buf_printf(&u->why, "%s: not a folder", b.ptr);
			goto fail;
		}
		real = realpath(b.ptr, NULL);
		if (!real) {
			td_buf_printf(&u->why, "%s: %s", b.ptr,
				      strerror(errno));
			goto fail;
		}
		u->had_old = 1;
		u->old_mode = st.st_mode & 07777;
	} else if (errno == ENOENT) {
		const char *leaf;
		char *parent;

		p = strrchr(b.ptr, '/');
		leaf = p ? p + 1 : b.ptr;
		if (!strcmp(leaf, "..") || !strcmp(leaf, ".")) {
			td_buf_printf(&u->why, "%s: not a usable folder name",
				      b.ptr);
			goto fail;
		}
		parent =
		    p ? td_strndup(b.ptr, p == b.ptr ? 1 : (size_t)(p - b.ptr))
		      : td_strndup(".", 1);
		if (!parent)
			goto nomem;
		if (td_mkdirs(parent, 0700, &err) < 0) {
			td_buf_adds(&u->why, err.msg);
			free(parent);
			goto fail;
		}
		real = realpath(parent, NULL);
		if (!real) {
			td_buf_printf(&u->why, "%s: %s", parent,
				      strerror(errno));
			free(parent);
			goto fail;
		}
		free(parent);
		td_buf_reset(&b);
		td_buf_printf(&b, "%s%s%s", real, strcmp(real, "/") ? "/" : "",
			      leaf);
		free(real);
		real = td_buf_detach(&b, NULL);
		if (!real)
			goto nomem;
	} else {
		td_buf_printf(&u->why, "%s: %s", b.ptr, strerror(errno));
		goto fail;
	}
	td_buf_release(&b);
	p = strrchr(real, '/');
	if (!p || !p[1]) {
		td_buf_printf(&u->why, "%s: will not replace the root folder",
			      real);
		free(real);
		return -1;
	}
	u->dest = real;
	u->leaf = p + 1;
	u->parent = td_strndup(real, p == real ? 1 : (size_t)(p - real));
	if (!u->parent)
		goto nomem;
	return 0;
nomem:
	td_buf_reset(&u->why);
	td_buf_adds(&u->why, "out of memory");
fail:
	td_buf_release(&b);
	return -1;
}

/* The publication dates of the folder being replaced, when it loads. */
static void
read_previous(struct update *u)
{
	struct td_bootstrap *b = NULL;
	int i;

	if (!u->had_old || td_bootstrap_load(&b, u->dest, NULL) < 0)
		return;
	for (i = 0; i < NR_FILES; i++) {
		const char *s = td_bootstrap_publication(b, file_kinds[i]);

		if (*s)
			u->prev_pub[i] = td_strndup(s, strlen(s));
	}
	td_bootstrap_free(b);
}

/*
 * Write the downloads into a new folder beside dest and load it as lookup
 * would.  -1 with u->why set; the new folder is removed by the caller.
 */
static int
build_new(struct update *u)
{
	struct td_error err = {0, ""};
	struct td_buf t = TD_BUF_INIT;
	size_t plen;
	int i;

	td_buf_printf(&t, "%s/.%s.new-XXXXXX", u->parent, u->leaf);
	u->tmp = td_buf_detach(&t, NULL);
	if (!u->tmp) {
		td_buf_adds(&u->why, "out of memory");
		return -1;
	}
	if (!mkdtemp(u->tmp)) {
		td_buf_printf(&u->why, "%s: cannot create folder: %s",
			      u->parent, strerror(errno));
		free(u->tmp);
		u->tmp = NULL;
		return -1;
	}
	if (u->had_old)
		chmod(u->tmp, u->old_mode);
	for (i = 0; i < NR_FILES; i++)
		if (write_file(u, u->tmp, file_names[i], u->f[i].body.ptr,
			       u->f[i].body.len) < 0)
			return -1;
	if (td_bootstrap_load(&u->fresh, u->tmp, &err) < 0) {
		/* name the URL, not the folder that is about to go */
		plen = strlen(u->tmp);
		if (!strncmp(err.msg, u->tmp, plen) && err.msg[plen] == '/')
			td_buf_printf(&u->why, "%s%s", u->base,
				      err.msg + plen + 1);
		else
			td_buf_adds(&u->why, err.msg[0]
						 ? err.msg
						 : td_strerror(err.code));
		return -1;
	}
	for (i = 0; i < NR_FILES; i++)
		if (!td_bootstrap_count(u->fresh, file_kinds[i])) {
			td_buf_printf(&u->why,
				      "%s: RFC 9224 section 3: no entries in "
				      "\"services\"",
				      u->f[i].url);
			return -1;
		}
	/* after the check: an old whois-servers.txt is the user's business */
	if (u->had_old && keep_file(u) < 0)
		return -1;
	sync_dir(u->tmp);
	return 0;
}

/*
 * Put the new folder in dest's place with one rename: an exchange when
 * there is an old folder (Linux renameat2), else a plain rename.  Where
 * the file system cannot exchange, the old folder is moved aside first
 * (a moment without dest).  -1 with u->why set and dest as it was.
 */
static int
swap_in(struct update *u)
{
	struct td_buf t = TD_BUF_INIT;
	int e;

	if (!u->had_old) {
		if (rename(u->tmp, u->dest) < 0) {
			td_buf_printf(&u->why, "%s: %s", u->dest,
				      strerror(errno));
			return -1;
		}
		free(u->tmp);
		u->tmp = NULL;
		return 0;
	}
	if (renameat2(AT_FDCWD, u->tmp, AT_FDCWD, u->dest, RENAME_EXCHANGE) ==
	    0) {
		u->old = u->tmp; /* now holds the old files */
		u->tmp = NULL;
		return 0;
	}
	if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) {
		td_buf_printf(&u->why, "%s: %s", u->dest, strerror(errno));
		return -1;
	}
	td_buf_printf(&t, "%s/.%s.old-XXXXXX", u->parent, u->leaf);
	u->old = td_buf_detach(&t, NULL);
	if (!u->old || !mkdtemp(u->old)) {
		td_buf_printf(&u->why, "%s: cannot create folder: %s",
			      u->parent,
			      u->old ? strerror(errno) : "no memory");
		free(u->old);
		u->old = NULL;
		return -1;
	}
	/* rename(2) may replace an empty folder */
	if (rename(u->dest, u->old) < 0) {
		td_buf_printf(&u->why, "%s: %s", u->dest, strerror(errno));
		rmdir(u->old);
		free(u->old);
		u->old = NULL;
		return -1;
	}
	if (rename(u->tmp, u->dest) < 0) {
		e = errno;
		rename(u->old, u->dest);
		free(u->old);
		u->old = NULL;
		td_buf_printf(&u->why, "%s: %s", u->dest, strerror(e));
		return -1;
	}
	free(u->tmp);
	u->tmp = NULL;
	return 0;
}

static void
print_human(struct td_buf *o, const struct update *u)
{
	int i;

	for (i = 0; i < NR_FILES; i++) {
		const char *pub =
		    td_bootstrap_publication(u->fresh, file_kinds[i]);
		const char *prev = u->prev_pub[i];

		td_buf_printf(o, "%-10s %8zu bytes %6zu entries  published ",
			      file_names[i], u->f[i].body.len,
			      td_bootstrap_count(u->fresh, file_kinds[i]));
		if (*pub)
			td_term_escape(o, pub, strlen(pub), 0);
		else
			td_buf_adds(o, "(no date)");
		if (prev && !strcmp(prev, pub)) {
			td_buf_adds(o, " (unchanged)");
		} else if (prev) {
			td_buf_adds(o, " (was ");
			td_term_escape(o, prev, strlen(prev), 0);
			td_buf_addch(o, ')');
		}
		td_buf_addch(o, '\n');
	}
	td_buf_adds(o, u->had_old ? "updated " : "created ");
	td_term_escape(o, u->dest, strlen(u->dest), 0);
	td_buf_adds(o, " from ");
	td_term_escape(o, u->base, strlen(u->base), 0);
	if (u->kept)
		td_buf_adds(o, " (kept its " KEEP_FILE ")");
	td_buf_addch(o, '\n');
}

static void
print_json(struct td_buf *o, const struct update *u)
{
	struct td_jw w;
	int i;

	td_jw_init(&w, o);
	td_jw_obj(&w);
	td_jw_kstr(&w, "schema", "takedown-update-data/1");
	td_jw_kstr(&w, "dir", u->dest);
	td_jw_kstr(&w, "from", u->base);
	td_jw_kbool(&w, "created", !u->had_old);
	td_jw_key(&w, "files");
	td_jw_arr(&w);
	for (i = 0; i < NR_FILES; i++) {
		const char *pub =
		    td_bootstrap_publication(u->fresh, file_kinds[i]);

		td_jw_obj(&w);
		td_jw_kstr(&w, "name", file_names[i]);
		td_jw_kstr(&w, "url", u->f[i].url);
		td_jw_kint(&w, "bytes", (long long)u->f[i].body.len);
		td_jw_kint(
		    &w, "entries",
		    (long long)td_bootstrap_count(u->fresh, file_kinds[i]));
		td_jw_kstr(&w, "publication", *pub ? pub : NULL);
		td_jw_kstr(&w, "previous_publication", u->prev_pub[i]);
		td_jw_obj_end(&w);
	}
	td_jw_arr_end(&w);
	td_jw_key(&w, "kept");
	td_jw_arr(&w);
	if (u->kept)
		td_jw_str(&w, KEEP_FILE);
	td_jw_arr_end(&w);
	td_jw_obj_end(&w);
	td_buf_addch(o, '\n');
}

static void
update_release(struct update *u)
{
	int i;

	if (u->tmp)
		rm_rf(u->tmp);
	free(u->tmp);
	free(u->old);
	free(u->base);
	free(u->dest);
	free(u->parent);
	for (i = 0; i < NR_FILES; i++) {
		free(u->f[i].url);
		free(u->f[i].error);
		td_buf_release(&u->f[i].body);
		free(u->prev_pub[i]);
	}
	td_bootstrap_free(u->fresh);
	td_buf_release(&u->why);
}

/* Print u->why escaped, as one line. */
static void
say_why(const struct update *u, const char *tail)
{
	struct td_buf e = TD_BUF_INIT;

	td_term_escape(&e, u->why.ptr, u->why.len, 0);
	td_die_msg(CMD, "%s%s", e.ptr, tail);
	td_buf_release(&e);
}

static int
run_update_data(int argc, char **argv)
{
	struct update u;
	struct td_buf b = TD_BUF_INIT, out = TD_BUF_INIT;
	const char *from = opt_from ? opt_from : DEFAULT_FROM;
	char *dir = NULL;
	int i, status = EXIT_FAIL;

	memset(&u, 0, sizeof(u));
	td_buf_init(&u.why, 0);
	for (i = 0; i < NR_FILES; i++)
		td_buf_init(&u.f[i].body, MAX_FILE);
	if (argc) {
		td_die_msg(CMD,
			   "takes no arguments (see takedown help " CMD ")");
		return EXIT_USAGE;
	}
	if (strncasecmp(from, "http://", 7) &&
	    strncasecmp(from, "https://", 8)) {
		td_die_msg(CMD, "--from must be an http:// or https:// URL");
		return EXIT_USAGE;
	}
	td_buf_adds(&b, from);
	if (b.ptr[b.len - 1] != '/')
		td_buf_addch(&b, '/');
	u.base = td_buf_detach(&b, NULL);
	for (i = 0; u.base && i < NR_FILES; i++) {
		td_buf_printf(&b, "%s%s", u.base, file_names[i]);
		u.f[i].url = td_buf_detach(&b, NULL);
		if (!u.f[i].url)
			break;
	}
	if (!u.base || i < NR_FILES) {
		td_die_msg(CMD, "out of memory");
		goto out;
	}

	if (opt_dir) {
		if (!*opt_dir) {
			td_die_msg(CMD, "--dir must not be empty");
			status = EXIT_USAGE;
			goto out;
		}
	} else {
		dir = td_path_data("iana");
		if (!dir) {
			td_die_msg(CMD, "%s",
				   errno == ENOMEM
				       ? "out of memory"
				       : "no home folder to keep data in "
					 "(set HOME or TAKEDOWN_HOME, or use "
					 "--dir)");
			goto out;
		}
	}
	if (resolve_dest(&u, opt_dir ? opt_dir : dir) < 0) {
		say_why(&u, "");
		goto out;
	}
	read_previous(&u);

	if (fetch_all(&u) < 0 || build_new(&u) < 0 || swap_in(&u) < 0) {
		say_why(&u, "; nothing replaced");
		goto out;
	}
	sync_dir(u.parent);
	status = EXIT_OK;
	if (u.old && rm_rf(u.old) < 0) {
		struct td_buf e = TD_BUF_INIT;

		td_term_escape(&e, u.old, strlen(u.old), 0);
		td_die_msg(CMD,
			   "warning: could not remove the old folder %s: %s",
			   e.ptr, strerror(errno));
		td_buf_release(&e);
	}
	if (opt_json)
		print_json(&out, &u);
	else
		print_human(&out, &u);
	if (td_buf_failed(&out)) {
		td_die_msg(CMD, "out of memory");
		status = EXIT_FAIL;
		goto out;
	}
	fwrite(out.ptr, 1, out.len, stdout);
	if (fflush(stdout) != 0) {
		td_die_msg(CMD, "error writing output");
		status = EXIT_FAIL;
	}
out:
	free(dir);
	td_buf_release(&out);
	update_release(&u);
	return status;
}

const struct td_cmd cmd_update_data_def = {
    CMD,
    "",
    "refresh the IANA RDAP bootstrap files lookup uses",
    "Downloads the IANA RDAP bootstrap registries (RFC 9224) dns.json,\n"
    "ipv4.json, ipv6.json and asn.json from " DEFAULT_FROM " (or\n"
    "--from, e.g. a mirror), all four at once, into a new folder beside\n"
    "the destination.  They are loaded as lookup would load them; only\n"
    "when all four are complete and valid does the new folder replace\n"
    "the old one, in one rename.  A failed, truncated or malformed\n"
    "download changes nothing.  A whois-servers.txt in the old folder\n"
    "is kept; anything else there is replaced.\n\n"
    "The destination is DIR (--dir) or the folder iana in takedown's\n"
    "data folder: $TAKEDOWN_HOME/iana when TAKEDOWN_HOME is set, else\n"
    "$XDG_DATA_HOME/takedown/iana (~/.local/share/takedown/iana);\n"
    "lookup --bootstrap DIR reads such a folder.\n\n"
    "Prints each file's size, entry count and \"publication\" date with\n"
    "the date it replaces.  Exit status 1 when anything failed; then\n"
    "nothing was replaced.\n",
    options,
    run_update_data,
};
