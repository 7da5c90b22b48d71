#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "input.h"
#include "banned.h"

#define MAX_DIR_DEPTH 16
#define CHUNK (256u << 10)

struct reader {
	const char *path;
	const struct td_input_opts *opts;
	td_input_fn fn;
	void *payload;
	int failed;
};

static void
report(struct reader *r, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
report(struct reader *r, const char *path, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	r->failed = 1;
	if (!r->opts->error)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->opts->error(path, msg, r->payload);
}

/*
 * An mbox message boundary is a line starting "From " at the start of the
 * file or after an empty line (RFC 4155; the blank-line rule avoids
 * splitting on unquoted "From " lines inside bodies).
 */
static int
is_from_line(const char *line, size_t len)
{
	return len >= 5 && !memcmp(line, "From ", 5);
}

/* mboxrd: a line ">From ", ">>From "... loses one '>' (RFC 4155 note). */
static size_t
unquote_from(const char *line, size_t len)
{
	size_t i = 0;

	while (i < len && line[i] == '>')
		i++;
	if (i && len - i >= 5 && !memcmp(line + i, "From ", 5))
		return 1;
	return 0;
}

struct stream_state {
	struct td_buf msg;
	int mbox;		/* 1: mbox, 0: one message */
	int decided;
	int oversize;		/* current message exceeded the limit */
	int prev_blank;
	size_t index;
	long long msg_offset;
	long long pos;		/* offset of the next line */
	struct td_buf line;	/* a line split across chunks */
};

static int
emit(struct reader *r, struct stream_state *s, const char *format)
{
	struct td_input_msg m;
	int ret;

	if (s->oversize) {
		report(r, r->path,
		       "message %zu at offset %lld: larger than %zu bytes "
		       "(limit max_message_bytes), skipped",
		       s->index + 1, s->msg_offset,
		       r->opts->max_message_bytes);
		s->oversize = 0;
		td_buf_reset(&s->msg);
		s->index++;
		return 0;
	}
	if (td_buf_failed(&s->msg) & TD_BUF_OOM) {
		report(r, r->path, "out of memory");
		td_buf_reset(&s->msg);
		return 0;
	}
	if (s->mbox && s->msg.len == 0) {
		s->index++;
		return 0;
	}
	m.path = r->path;
	m.format = format;
	m.index = s->mbox ? s->index : 0;
	m.offset = s->msg_offset;
	m.data = s->msg.ptr;
	m.len = s->msg.len;
	ret = r->fn(&m, r->payload);
	td_buf_reset(&s->msg);
	s->index++;
	return ret;
}

static void
append(struct stream_state *s, const char *p, size_t len)
{
	if (s->oversize)
		return;
	if (td_buf_add(&s->msg, p, len) == TD_ELIMIT)
		s->oversize = 1;
}

/* One complete line (with its '\n', if any) of an mbox. */
static int
mbox_line(struct reader *r, struct stream_state *s, const char *line,
	  size_t len)
{
	int ret = 0;
	size_t body = len;

	while (body && (line[body - 1] == '\n' || line[body - 1] == '\r'))
		body--;
	if (is_from_line(line, len) && (s->prev_blank || s->pos == 0)) {
		if (s->pos != 0) {
			/* the blank line before From_ belongs to the mbox */
			if (s->msg.len && s->msg.ptr[s->msg.len - 1] == '\n')
				td_buf_truncate(&s->msg, s->msg.len - 1);
			if (s->msg.len && s->msg.ptr[s->msg.len - 1] == '\r')
				td_buf_truncate(&s->msg, s->msg.len - 1);
			ret = emit(r, s, "mbox");
		}
		s->msg_offset = s->pos + (long long)len;
		s->prev_blank = 0;
		return ret;
	}
	s->prev_blank = body == 0;
	if (unquote_from(line, body))
		append(s, line + 1, len - 1);
	else
		append(s, line, len);
	return 0;
}

/* Feed len bytes of the stream; in mbox mode, split them into lines. */
static int
feed(struct reader *r, struct stream_state *s, const char *data, size_t len)
{
	size_t off = 0;
	int ret;

	if (!s->mbox) {
		append(s, data, len);
		return 0;
	}
	while (off < len) {
		const char *nl = memchr(data + off, '\n', len - off);
		size_t l = nl ? (size_t)(nl - data) - off + 1 : len - off;

		if (!nl) {
			/* a line split across reads (or an overlong one) */
			if (td_buf_add(&s->line, data + off, l) == TD_ELIMIT)
				s->oversize = 1;
			return 0;
		}
		if (s->line.len) {
			td_buf_add(&s->line, data + off, l);
			ret = mbox_line(r, s, s->line.ptr, s->line.len);
			s->pos += (long long)s->line.len;
			td_buf_reset(&s->line);
		} else {
			ret = mbox_line(r, s, data + off, l);
			s->pos += (long long)l;
		}
		off += l;
		if (ret)
			return ret;
	}
	return 0;
}

static int
read_stream(struct reader *r, int fd, const char *format_hint)
{
	struct stream_state s;
	char *chunk = malloc(CHUNK);
	char head[8];
	size_t head_len = 0;
	ssize_t n;
	int ret = 0;

	if (!chunk) {
		report(r, r->path, "out of memory");
		return 0;
	}
	memset(&s, 0, sizeof(s));
	/* One extra byte tells "exactly at the limit" from "over it". */
	td_buf_init(&s.msg, r->opts->max_message_bytes + 1);
	td_buf_init(&s.line, r->opts->max_message_bytes + 1);

	for (;;) {
		const char *p = chunk;
		size_t len;

		n = read(fd, chunk, CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			report(r, r->path, "%s", strerror(errno));
			goto out;
		}
		len = (size_t)n;
		if (!s.decided) {
			/* the first bytes tell an mbox ("From "); a UTF-8
			   byte order mark before them is dropped */
			size_t take = len < sizeof(head) - head_len
					      ? len
					      : sizeof(head) - head_len;
			size_t skip = 0;

			memcpy(head + head_len, p, take);
			head_len += take;
			p += take;
			len -= take;
			if (head_len < sizeof(head) && n > 0)
				continue;
			if (head_len >= 3 && !memcmp(head, "\xef\xbb\xbf", 3))
				skip = 3;
			s.mbox = head_len >= skip + 5 &&
				 !memcmp(head + skip, "From ", 5);
			s.decided = 1;
			ret = feed(r, &s, head + skip, head_len - skip);
			if (ret)
				goto out;
		}
		if (n == 0)
			break;
		ret = feed(r, &s, p, len);
		if (ret)
			goto out;
	}
	if (s.mbox) {
		if (s.line.len)
			ret = mbox_line(r, &s, s.line.ptr, s.line.len);
		if (!ret && (s.msg.len || s.oversize))
			ret = emit(r, &s, "mbox");
	} else if (s.msg.len || s.oversize) {
		ret = emit(r, &s, format_hint);
	} else {
		report(r, r->path, "empty input");
	}
out:
	td_buf_release(&s.msg);
	td_buf_release(&s.line);
	free(chunk);
	return ret;
}

static int
read_file(struct reader *r, const char *path, const char *format)
{
	struct stat st;
	int fd, ret;
	const char *saved = r->path;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		report(r, path, "%s", strerror(errno));
		return 0;
	}
	if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode) &&
	    !S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode)) {
		report(r, path, "not a regular file");
		close(fd);
		return 0;
	}
	r->path = path;
	ret = read_stream(r, fd, format);
	r->path = saved;
	close(fd);
	return ret;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int read_dir(struct reader *r, const char *path, int depth,
		    const char *format);

static int
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int
read_entries(struct reader *r, const char *path, int depth,
	     const char *format, int files_only)
{
	DIR *d = opendir(path);
	struct dirent *de;
	char **names = NULL;
	size_t nr = 0, alloc = 0, i;
	int ret = 0;

	if (!d) {
		report(r, path, "%s", strerror(errno));
		return 0;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (TD_ARRAY_GROW(names, nr + 1, alloc) < 0 ||
		    !(names[nr] = td_strndup(de->d_name, strlen(de->d_name)))) {
			report(r, path, "out of memory");
			break;
		}
		nr++;
	}
	closedir(d);
	if (nr)
		qsort(names, nr, sizeof(*names), name_cmp);
	for (i = 0; i < nr && !ret; i++) {
		struct td_buf full = TD_BUF_INIT;
		struct stat st;

		td_buf_printf(&full, "%s/%s", path, names[i]);
		if (td_buf_failed(&full)) {
			report(r, path, "out of memory");
		} else if (lstat(full.ptr, &st) != 0) {
			report(r, full.ptr, "%s", strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			if (!files_only)
				ret = read_dir(r, full.ptr, depth + 1, format);
		} else if (S_ISREG(st.st_mode)) {
			ret = read_file(r, full.ptr, format);
		}
		td_buf_release(&full);
	}
	for (i = 0; i < nr; i++)
		free(names[i]);
	free(names);
	return ret;
}

static int
read_dir(struct reader *r, const char *path, int depth, const char *format)
{
	struct td_buf sub = TD_BUF_INIT;
	int ret = 0, maildir;

	if (depth > MAX_DIR_DEPTH) {
		report(r, path, "folders nested deeper than %d levels skipped",
		       MAX_DIR_DEPTH);
		return 0;
	}
	td_buf_printf(&sub, "%s/cur", path);
	maildir = is_dir(sub.ptr);
	td_buf_reset(&sub);
	td_buf_printf(&sub, "%s/new", path);
	maildir = maildir || is_dir(sub.ptr);
	if (maildir) {
		/* Maildir: new/ then cur/, tmp/ is never read (delivery in
		   progress). */
		if (is_dir(sub.ptr))
			ret = read_entries(r, sub.ptr, depth, "maildir", 1);
		td_buf_reset(&sub);
		td_buf_printf(&sub, "%s/cur", path);
		if (!ret && is_dir(sub.ptr))
			ret = read_entries(r, sub.ptr, depth, "maildir", 1);
	} else {
		ret = read_entries(r, path, depth, format, 0);
	}
	td_buf_release(&sub);
	return ret;
}

int
td_input_read(const char *path, const struct td_input_opts *opts,
	      td_input_fn fn, void *payload)
{
	static const struct td_input_opts defaults = TD_INPUT_OPTS_INIT;
	struct reader r;
	int ret;

	memset(&r, 0, sizeof(r));
	r.opts = opts ? opts : &defaults;
	r.fn = fn;
	r.payload = payload;
	r.path = path;
	if (!strcmp(path, "-"))
		ret = read_stream(&r, STDIN_FILENO, "eml");
	else if (is_dir(path))
		ret = read_dir(&r, path, 0, "eml");
	else
		ret = read_file(&r, path, "eml");
	if (ret)
		return ret;
	return r.failed ? TD_EIO : 0;
}
