#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "banned.h"

char td_buf__empty[1];

void
td_buf_init(struct td_buf *buf, size_t max)
{
	buf->ptr = td_buf__empty;
	buf->len = 0;
	buf->alloc = 0;
	buf->max = max;
	buf->flags = 0;
}

void
td_buf_release(struct td_buf *buf)
{
	if (buf->alloc)
		free(buf->ptr);
	td_buf_init(buf, buf->max);
}

void
td_buf_reset(struct td_buf *buf)
{
	buf->len = 0;
	buf->flags = 0;
	if (buf->alloc)
		buf->ptr[0] = '\0';
}

char *
td_buf_detach(struct td_buf *buf, size_t *len_out)
{
	char *ret;

	if (len_out)
		*len_out = buf->len;
	if (!buf->alloc) {
		ret = malloc(1);
		if (ret)
			ret[0] = '\0';
	} else {
		ret = buf->ptr;
	}
	td_buf_init(buf, buf->max);
	return ret;
}

int
td_buf_grow(struct td_buf *buf, size_t extra)
{
	size_t want, nalloc;
	char *p;

	if (buf->flags & TD_BUF_OOM)
		return TD_ENOMEM;
	if (extra > SIZE_MAX - buf->len - 1) {
		buf->flags |= TD_BUF_OOM;
		return TD_ENOMEM;
	}
	want = buf->len + extra + 1;
	if (want <= buf->alloc)
		return 0;
	nalloc = buf->alloc ? buf->alloc : 64;
	while (nalloc < want) {
		if (nalloc > SIZE_MAX / 2) {
			nalloc = want;
			break;
		}
		nalloc *= 2;
	}
	if (buf->max && nalloc > buf->max + 1)
		nalloc = buf->max + 1 > want ? buf->max + 1 : want;
	p = buf->alloc ? realloc(buf->ptr, nalloc) : malloc(nalloc);
	if (!p) {
		buf->flags |= TD_BUF_OOM;
		return TD_ENOMEM;
	}
	if (!buf->alloc)
		p[0] = '\0';
	buf->ptr = p;
	buf->alloc = nalloc;
	return 0;
}

int
td_buf_add(struct td_buf *buf, const void *data, size_t len)
{
	int ret = 0;

	if (buf->max && buf->len + len > buf->max) {
		buf->flags |= TD_BUF_TRUNC;
		len = buf->max > buf->len ? buf->max - buf->len : 0;
		ret = TD_ELIMIT;
	}
	if (!len)
		return ret;
	if (td_buf_grow(buf, len) < 0)
		return TD_ENOMEM;
	memcpy(buf->ptr + buf->len, data, len);
	buf->len += len;
	buf->ptr[buf->len] = '\0';
	return ret;
}

int
td_buf_adds(struct td_buf *buf, const char *s)
{
	return td_buf_add(buf, s, strlen(s));
}

int
td_buf_addch_slow(struct td_buf *buf, int c)
{
	char ch = (char)c;

	return td_buf_add(buf, &ch, 1);
}

int
td_buf_vprintf(struct td_buf *buf, const char *fmt, va_list ap)
{
	char small[256];
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(small, sizeof(small), fmt, cp);
	va_end(cp);
	if (n < 0)
		return TD_EINVAL;
	if ((size_t)n < sizeof(small))
		return td_buf_add(buf, small, (size_t)n);
	{
		char *big = malloc((size_t)n + 1);
		int ret;

		if (!big) {
			buf->flags |= TD_BUF_OOM;
			return TD_ENOMEM;
		}
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		ret = td_buf_add(buf, big, (size_t)n);
		free(big);
		return ret;
	}
}

int
td_buf_printf(struct td_buf *buf, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = td_buf_vprintf(buf, fmt, ap);
	va_end(ap);
	return ret;
}

void
td_buf_truncate(struct td_buf *buf, size_t len)
{
	if (len >= buf->len)
		return;
	buf->len = len;
	buf->ptr[len] = '\0';
}

int
td_array_grow(void **ptr, size_t *alloc, size_t nr, size_t elsize)
{
	size_t n;
	void *p;

	if (nr <= *alloc)
		return 0;
	n = *alloc ? *alloc : 8;
	while (n < nr) {
		if (n > SIZE_MAX / 2)
			return TD_ENOMEM;
		n *= 2;
	}
	if (elsize && n > SIZE_MAX / elsize)
		return TD_ENOMEM;
	p = realloc(*ptr, n * elsize);
	if (!p)
		return TD_ENOMEM;
	*ptr = p;
	*alloc = n;
	return 0;
}

int
td_base64_decode(struct td_buf *out, const char *s, size_t len, int skip_ws)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		int c = (unsigned char)s[i], v;

		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= 'a' && c <= 'z')
			v = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			v = c - '0' + 52;
		else if (c == '+' || c == '-')
			v = 62;
		else if (c == '/' || c == '_')
			v = 63;
		else if (c == '=')
			break;
		else if (skip_ws && (c == ' ' || c == '\t' || c == '\r' ||
				     c == '\n' || c == '\f'))
			continue;
		else
			return 1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			td_buf_addch(out, (int)((acc >> bits) & 0xff));
			acc &= (1u << bits) - 1;
		}
	}
	return 0;
}

char *
td_strndup(const char *s, size_t len)
{
	char *p = malloc(len + 1);

	if (!p)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}
