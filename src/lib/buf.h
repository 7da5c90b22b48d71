#ifndef TD_BUF_H
#define TD_BUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * A growable byte buffer, always NUL-terminated.
 *
 * - ptr is never NULL: after TD_BUF_INIT it points at a shared empty string.
 * - A failed allocation sets TD_BUF_OOM; appending past `max` (when max is
 *   not 0) stores what fits and sets TD_BUF_TRUNC.  Both flags are sticky,
 *   so a chain of appends can be checked once with td_buf_failed().
 * - Every buffer that holds mail or network input must have a max.
 */
struct td_buf {
	char *ptr;
	size_t len;
	size_t alloc;
	size_t max;
	unsigned flags;
};

#define TD_BUF_OOM 1u
#define TD_BUF_TRUNC 2u

extern char td_buf__empty[];
#define TD_BUF_INIT                                                            \
	{                                                                      \
		td_buf__empty, 0, 0, 0, 0                                      \
	}

/* Set buf up empty, refusing to grow beyond max bytes (0: no limit). */
void td_buf_init(struct td_buf *buf, size_t max);

/* Free what buf holds and leave it as after td_buf_init (max is kept). */
void td_buf_release(struct td_buf *buf);

/* Empty buf without freeing its memory; clears the flags. */
void td_buf_reset(struct td_buf *buf);

/*
 * Hand the memory to the caller (who frees it) and reset buf.  Returns a
 * malloc'ed string, "" if buf was empty, or NULL if allocation failed.
 */
char *td_buf_detach(struct td_buf *buf, size_t *len_out);

/* Make room for extra more bytes.  Returns 0 or TD_ENOMEM/TD_ELIMIT. */
int td_buf_grow(struct td_buf *buf, size_t extra);

/* Appenders.  On failure they set a flag and return a negative code. */
int td_buf_add(struct td_buf *buf, const void *data, size_t len);
int td_buf_adds(struct td_buf *buf, const char *s);
int td_buf_addch_slow(struct td_buf *buf, int c);

/* Append one byte; the common case (room left, no limit hit) inline. */
static inline int
td_buf_addch(struct td_buf *buf, int c)
{
	if (buf->len + 1 < buf->alloc && (!buf->max || buf->len < buf->max) &&
	    !buf->flags) {
		buf->ptr[buf->len++] = (char)c;
		buf->ptr[buf->len] = '\0';
		return 0;
	}
	return td_buf_addch_slow(buf, c);
}
int td_buf_printf(struct td_buf *buf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int td_buf_vprintf(struct td_buf *buf, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Shorten buf to len bytes (no-op if already shorter). */
void td_buf_truncate(struct td_buf *buf, size_t len);

/* Non-zero once an append failed (see TD_BUF_OOM, TD_BUF_TRUNC). */
static inline unsigned
td_buf_failed(const struct td_buf *buf)
{
	return buf->flags;
}

/*
 * Grow an array so that it can hold at least nr elements of size elsize.
 * *ptr and *alloc are updated on success.  Returns 0 or TD_ENOMEM.
 */
int td_array_grow(void **ptr, size_t *alloc, size_t nr, size_t elsize);

#define TD_ARRAY_GROW(p, nr, alloc)                                            \
	td_array_grow((void **)&(p), &(alloc), (nr), sizeof(*(p)))

/*
 * Decode base64 (both RFC 4648 alphabets, sections 4 and 5; padding
 * optional) from s and append the bytes to out.  Stops at '='.  White
 * space is skipped when skip_ws is set.  Returns 0, or 1 at a character
 * outside the alphabets (what came before it is appended).
 */
int td_base64_decode(struct td_buf *out, const char *s, size_t len,
		     int skip_ws);

/* strdup/strndup that return NULL on failure (never abort). */
char *td_strndup(const char *s, size_t len);

#endif
