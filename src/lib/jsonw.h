#ifndef TD_JSONW_H
#define TD_JSONW_H

#include <stddef.h>

#include "buf.h"

/*
 * A streaming JSON writer for takedown's output.  Output is ASCII only:
 * non-ASCII characters become \uXXXX escapes (surrogate pairs above
 * U+FFFF), control characters are escaped, invalid UTF-8 bytes become
 * \ufffd and NUL bytes are dropped, so that nothing from a message reaches
 * a terminal raw.  Building a jansson tree per message and dumping it cost
 * more than parsing the MIME; jansson stays for reading JSON.
 */
struct td_jw {
	struct td_buf *out;
	unsigned depth;
	unsigned char first[64]; /* no member written yet at this depth */
};

/* Start writing into out (appended to). */
void td_jw_init(struct td_jw *w, struct td_buf *out);

void td_jw_obj(struct td_jw *w);     /* { */
void td_jw_obj_end(struct td_jw *w); /* } */
void td_jw_arr(struct td_jw *w);     /* [ */
void td_jw_arr_end(struct td_jw *w); /* ] */

/* "key": ready for a value (key is ours, plain ASCII). */
void td_jw_key(struct td_jw *w, const char *key);

/* Values.  td_jw_str(NULL) writes null. */
void td_jw_str(struct td_jw *w, const char *s);
void td_jw_strn(struct td_jw *w, const char *s, size_t len);
void td_jw_int(struct td_jw *w, long long v);
void td_jw_bool(struct td_jw *w, int v);
void td_jw_null(struct td_jw *w);

/* Shorthands for "key": value. */
void td_jw_kstr(struct td_jw *w, const char *key, const char *s);
void td_jw_kint(struct td_jw *w, const char *key, long long v);
void td_jw_kbool(struct td_jw *w, const char *key, int v);
/* key: UTC seconds t as "YYYY-MM-DDTHH:MM:SSZ", or null when t < 0. */
void td_jw_ktime(struct td_jw *w, const char *key, long long t);
/* key: an array of the nr strings of v. */
void td_jw_kstrv(struct td_jw *w, const char *key, char *const *v, size_t nr);

/* Append s as the body of a JSON string (no quotes), escaped as above. */
void td_json_escape(struct td_buf *out, const char *s, size_t len);

#endif
