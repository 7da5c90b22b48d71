#include <string.h>
#include <time.h>

#include "jsonw.h"
#include "term.h"
#include "banned.h"

void
td_jw_init(struct td_jw *w, struct td_buf *out)
{
	w->out = out;
	w->depth = 0;
	w->first[0] = 1;
}

/* Comma before a value that is not the first in its container; after a
   key the value follows directly. */
static void
sep(struct td_jw *w)
{
	if (w->depth < sizeof(w->first) && !w->first[w->depth])
		td_buf_addch(w->out, ',');
	if (w->depth < sizeof(w->first))
		w->first[w->depth] = 0;
}

static void
open_(struct td_jw *w, char c)
{
	sep(w);
	td_buf_addch(w->out, c);
	w->depth++;
	if (w->depth < sizeof(w->first))
		w->first[w->depth] = 1;
}

static void
close_(struct td_jw *w, char c)
{
	if (w->depth)
		w->depth--;
	td_buf_addch(w->out, c);
}

void
td_jw_obj(struct td_jw *w)
{
	open_(w, '{');
}

void
td_jw_obj_end(struct td_jw *w)
{
	close_(w, '}');
}

void
td_jw_arr(struct td_jw *w)
{
	open_(w, '[');
}

void
td_jw_arr_end(struct td_jw *w)
{
	close_(w, ']');
}

void
td_jw_key(struct td_jw *w, const char *key)
{
	sep(w);
	td_buf_addch(w->out, '"');
	td_buf_adds(w->out, key);
	td_buf_add(w->out, "\":", 2);
	/* the value that follows takes no comma */
	if (w->depth < sizeof(w->first))
		w->first[w->depth] = 1;
}

void
td_json_escape(struct td_buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run;
	unsigned cp;
	char u[12];

	while (i < len) {
		run = i;
		while (run < len && p[run] >= 0x20 && p[run] < 0x7f &&
		       p[run] != '"' && p[run] != '\\')
			run++;
		if (run > i) {
			td_buf_add(out, p + i, run - i);
			i = run;
			continue;
		}
		if (p[i] == '"' || p[i] == '\\') {
			u[0] = '\\';
			u[1] = (char)p[i];
			td_buf_add(out, u, 2);
			i++;
			continue;
		}
		if (p[i] == 0) {
			i++;
			continue;
		}
		if (p[i] < 0x80) {
			cp = p[i++];
		} else {
			size_t n = td_utf8_decode(&cp, p + i, len - i);

			if (!n) {
				cp = 0xfffd;
				n = 1;
			}
			i += n;
		}
		if (cp == '\n') {
			td_buf_add(out, "\\n", 2);
			continue;
		}
		if (cp == '\t') {
			td_buf_add(out, "\\t", 2);
			continue;
		}
		if (cp >= 0x10000) {
			unsigned v = cp - 0x10000, hi = 0xd800 + (v >> 10),
				 lo = 0xdc00 + (v & 0x3ff);

			u[0] = '\\', u[1] = 'u';
			u[2] = hex[hi >> 12], u[3] = hex[(hi >> 8) & 15];
			u[4] = hex[(hi >> 4) & 15], u[5] = hex[hi & 15];
			td_buf_add(out, u, 6);
			cp = lo;
		}
		u[0] = '\\', u[1] = 'u';
		u[2] = hex[cp >> 12], u[3] = hex[(cp >> 8) & 15];
		u[4] = hex[(cp >> 4) & 15], u[5] = hex[cp & 15];
		td_buf_add(out, u, 6);
	}
}

void
td_jw_strn(struct td_jw *w, const char *s, size_t len)
{
	sep(w);
	td_buf_addch(w->out, '"');
	td_json_escape(w->out, s, len);
	td_buf_addch(w->out, '"');
}

void
td_jw_str(struct td_jw *w, const char *s)
{
	if (!s) {
		td_jw_null(w);
		return;
	}
	td_jw_strn(w, s, strlen(s));
}

void
td_jw_int(struct td_jw *w, long long v)
{
	sep(w);
	td_buf_printf(w->out, "%lld", v);
}

void
td_jw_bool(struct td_jw *w, int v)
{
	sep(w);
	td_buf_adds(w->out, v ? "true" : "false");
}

void
td_jw_null(struct td_jw *w)
{
	sep(w);
	td_buf_adds(w->out, "null");
}

void
td_jw_kstr(struct td_jw *w, const char *key, const char *s)
{
	td_jw_key(w, key);
	td_jw_str(w, s);
}

void
td_jw_kint(struct td_jw *w, const char *key, long long v)
{
	td_jw_key(w, key);
	td_jw_int(w, v);
}

void
td_jw_kbool(struct td_jw *w, const char *key, int v)
{
	td_jw_key(w, key);
	td_jw_bool(w, v);
}

void
td_jw_ktime(struct td_jw *w, const char *key, long long t)
{
	char buf[32];
	time_t tt = (time_t)t;
	struct tm tm;

	td_jw_key(w, key);
	if (t < 0 || !gmtime_r(&tt, &tm) ||
	    !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		td_jw_null(w);
	else
		td_jw_str(w, buf);
}

void
td_jw_kstrv(struct td_jw *w, const char *key, char *const *v, size_t nr)
{
	size_t i;

	td_jw_key(w, key);
	td_jw_arr(w);
	for (i = 0; i < nr; i++)
		td_jw_str(w, v[i]);
	td_jw_arr_end(w);
}
