/*
 * paths: where takedown keeps its files (TAKEDOWN_HOME or the XDG Base
 * Directory Specification), and mkdir -p.  See paths.h for the layout.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "paths.h"
#include "banned.h"

enum kind { KIND_CONFIG, KIND_DATA, KIND_CACHE };

static const struct {
	const char *xdg_var;	 /* e.g. XDG_DATA_HOME */
	const char *xdg_default; /* below the home folder */
	const char *under_home;	 /* below TAKEDOWN_HOME, NULL for itself */
} kinds[] = {
    [KIND_CONFIG] = {"XDG_CONFIG_HOME", ".config", NULL},
    [KIND_DATA] = {"XDG_DATA_HOME", ".local/share", NULL},
    [KIND_CACHE] = {"XDG_CACHE_HOME", ".cache", "cache"},
};

/* s without its trailing slashes (but "/" stays "/"). */
static size_t
trimmed_len(const char *s)
{
	size_t len = strlen(s);

	while (len > 1 && s[len - 1] == '/')
		len--;
	return len;
}

/* Append "/part" to b unless part is NULL or empty. */
static void
add_part(struct td_buf *b, const char *part)
{
	if (!part || !*part)
		return;
	if (!b->len || b->ptr[b->len - 1] != '/')
		td_buf_addch(b, '/');
	td_buf_adds(b, part);
}

/*
 * The home folder: $HOME when absolute (XDG 0.8 builds every default on
 * it), else the password database's entry for the real user.
 */
static const char *
home_dir(void)
{
	const char *h = getenv("HOME");
	struct passwd *pw;

	if (h && h[0] == '/')
		return h;
	pw = getpwuid(getuid());
	if (pw && pw->pw_dir && pw->pw_dir[0] == '/')
		return pw->pw_dir;
	return NULL;
}

static char *
path_of(enum kind k, const char *name)
{
	struct td_buf b = TD_BUF_INIT;
	const char *v = getenv("TAKEDOWN_HOME");
	char *s;

	if (v && *v) {
		td_buf_add(&b, v, trimmed_len(v));
		add_part(&b, kinds[k].under_home);
	} else {
		v = getenv(kinds[k].xdg_var);
		/* XDG 0.8: relative paths in these variables are invalid */
		if (v && v[0] == '/') {
			td_buf_add(&b, v, trimmed_len(v));
		} else {
			const char *h = home_dir();

			if (!h) {
				errno = ENOENT;
				return NULL;
			}
			td_buf_add(&b, h, trimmed_len(h));
			add_part(&b, kinds[k].xdg_default);
		}
		add_part(&b, "takedown");
	}
	add_part(&b, name);
	if (td_buf_failed(&b)) {
		td_buf_release(&b);
		errno = ENOMEM;
		return NULL;
	}
	s = td_buf_detach(&b, NULL);
	if (!s)
		errno = ENOMEM;
	return s;
}

char *
td_path_config(const char *name)
{
	return path_of(KIND_CONFIG, name);
}

char *
td_path_data(const char *name)
{
	return path_of(KIND_DATA, name);
}

char *
td_path_cache(const char *name)
{
	return path_of(KIND_CACHE, name);
}

/* Make one folder; 0 when it is there afterwards. */
static int
mkdir_one(const char *path, mode_t mode, struct td_error *err)
{
	struct stat st;
	int e;

	if (mkdir(path, mode) == 0)
		return 0;
	e = errno;
	/* EEXIST, or EACCES etc. for a parent that exists already */
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		return td_error_set(err, TD_EIO, "%s: not a folder", path);
	}
	return td_error_set(err, TD_EIO, "%s: cannot create folder: %s", path,
			    strerror(e));
}

int
td_mkdirs(const char *dir, mode_t mode, struct td_error *err)
{
	struct stat st;
	char *p, *s;
	int rc = 0;

	if (!dir || !*dir)
		return td_error_set(err, TD_EINVAL, "empty folder name");
	/* the common case: it is there already */
	if (stat(dir, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		return td_error_set(err, TD_EIO, "%s: not a folder", dir);
	}
	s = td_strndup(dir, trimmed_len(dir));
	if (!s)
		return td_error_set(err, TD_ENOMEM, "out of memory");
	for (p = s + 1; *p; p++) {
		if (*p != '/' || p[-1] == '/')
			continue;
		*p = '\0';
		rc = mkdir_one(s, mode, err);
		*p = '/';
		if (rc)
			goto out;
	}
	rc = mkdir_one(s, mode, err);
out:
	free(s);
	return rc;
}

/*
 * Create the missing folders above the file at path, mode 0700.  Returns
 * 0 or TD_EIO.
 */
static int
make_parents(const char *path, struct td_error *err)
{
	char *p = td_strndup(path, strlen(path));
	char *s;
	int rc = 0;

	if (!p)
		return td_error_set(err, TD_ENOMEM, "%s: out of memory", path);
	for (s = p + 1; *s; s++) {
		if (*s != '/' || s[-1] == '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) && errno != EEXIST) {
			rc = td_error_set(err, TD_EIO,
					  "%s: cannot create folder %s: %s",
					  path, p, strerror(errno));
			break;
		}
		*s = '/';
	}
	free(p);
	return rc;
}

/*
 * Create the file with mode 0600 when it does not exist (SQLite would use
 * 0644); its -wal and -shm files take the same mode.  Returns 0 or TD_EIO.
 */
static int
make_file(const char *path, struct td_error *err)
{
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		      0600);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	return td_error_set(err, TD_EIO, "%s: cannot create: %s", path,
			    strerror(errno));
}

int
td_make_private_file(const char *path, struct td_error *err)
{
	int rc = make_parents(path, err);

	return rc ? rc : make_file(path, err);
}
