/*
 * textscan: URLs in plain text, defanged or wrapped as hostile mail has
 * them.  What is recognised and why: docs/internals/textscan.md.
 *
 * The scan looks only at a few anchor bytes (':' '_' '[' '(' '{' '.');
 * from each it looks back a bounded distance for a scheme, "www" or a
 * host, then parses forward once.  A candidate that fails resumes the
 * scan where its parse stopped, a hit where it ended, so every byte is
 * looked at a bounded number of times: the scan is linear in the text.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "textscan.h"
#include "banned.h"

#define HOST_MAX 1024 /* raw bytes of a host; DNS names are <= 253 */
#define AUTH_MAX 2048 /* raw bytes of userinfo, host and port */
#define ANGLE_MAX (2 * TD_TEXT_URL_MAX)	     /* raw bytes searched for '>' */
#define ANGLE_URL_MAX (TD_TEXT_URL_MAX - 16) /* room for "http://" */
#define WRAP_MIN 70 /* a hard-wrapped line is 70..80 columns long */
#define WRAP_MAX 80
#define QP_MIN 64    /* a leftover soft line break ends a long line ... */
#define QP_MAX 76    /* ... of at most 76 characters (RFC 2045 6.7 (5)) */
#define CONT_MAX 256 /* bytes of a continuation line examined */

enum kind {
	K_SCHEME, /* "http://", "hxxp[:]//"...: starts at the scheme */
	K_WWW,	  /* "www.example.com": starts at the "www" */
	K_BARE	  /* "example[.]com": starts at the host */
};

enum { U_OK, U_STOP, U_TRAIL };

/* One candidate being parsed, in the text or in a compacted <...>. */
struct scan {
	const unsigned char *t;
	size_t len;
	int joins;	    /* wrapped lines may be joined (not in <...>) */
	int trims;	    /* trailing punctuation is dropped (not in <...>) */
	struct td_buf *out; /* the url, at most TD_TEXT_URL_MAX bytes */
	int full;	    /* out reached TD_TEXT_URL_MAX ... */
	size_t cut;	    /* ... at this raw position */
	size_t lit;	    /* raw bytes from here on are not copied yet */
	size_t mark;	    /* end of the last token: trimming stops there */
	unsigned flags;
	long paren, bracket, brace; /* closers minus openers in the path */
};

struct host {
	size_t labels; /* non-empty labels */
	size_t dots;   /* dots, plain or defanged */
	size_t cur;    /* characters in the label being read */
	size_t last;   /* characters in the last label */
	unsigned cur_val;
	int cur_num;	/* the label being read is decimal digits */
	int cur_alpha;	/* ... and starts with a letter (or non-ASCII) */
	int last_alpha; /* the last label starts with a letter */
	int numeric;	/* every label is a decimal 0..255 */
	int empty;	/* an empty label: leading dot, "..", or "a[.]" */
	int trailing;	/* "example.com./": the root's empty label */
	int defanged;	/* a dot was written defanged */
	int ipv6;	/* "[2001:db8::1]" */
};

struct state {
	const unsigned char *t;
	size_t len;
	size_t floor; /* look-backs never go below this */
	struct td_buf out;
	struct td_buf angle;
	td_text_hit_fn fn;
	void *payload;
};

static const unsigned char anchor[256] = {
    [':'] = 1, ['_'] = 1, ['['] = 1, ['('] = 1, ['{'] = 1, ['.'] = 1,
};

static inline unsigned
at(const struct scan *s, size_t q)
{
	return q < s->len ? s->t[q] : 0;
}

static inline unsigned
lower(unsigned c)
{
	return c - 'A' < 26 ? c + 32 : c;
}

static inline int
is_alpha(unsigned c)
{
	return lower(c) - 'a' < 26;
}

static inline int
is_digit(unsigned c)
{
	return c - '0' < 10;
}

static inline int
is_alnum(unsigned c)
{
	return is_alpha(c) || is_digit(c);
}

static inline int
is_xdigit(unsigned c)
{
	return is_digit(c) || lower(c) - 'a' < 6;
}

/* Host label bytes (ASCII); '_' is not in RFC 1035 but browsers take it. */
static inline int
is_label(unsigned c)
{
	return is_alnum(c) || c == '-' || c == '_';
}

/*
 * ASCII bytes that end a URL: white space, controls, and the delimiters
 * RFC 3986 appendix C names for URLs in text.
 */
static inline int
is_stop(unsigned c)
{
	return c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == '"' ||
	       c == '`';
}

/* Punctuation that ends sentences more often than URLs. */
static inline int
is_trail(unsigned c)
{
	return c == '.' || c == ',' || c == ';' || c == ':' || c == '!' ||
	       c == '?' || c == '\'' || c == '*';
}

static inline int
is_open(unsigned c)
{
	return c == '[' || c == '(' || c == '{';
}

static inline int
is_close(unsigned c)
{
	return c == ']' || c == ')' || c == '}';
}

/* RFC 3986 3.2.1: unreserved, pct-encoded, sub-delims and ':'. */
static inline int
is_userinfo(unsigned c)
{
	return is_label(c) || c == '.' || c == '~' || c == '%' || c == '!' ||
	       c == '$' || c == '&' || c == '\'' || c == '(' || c == ')' ||
	       c == '*' || c == '+' || c == ',' || c == ';' || c == '=' ||
	       c == ':';
}

/*
 * Strict UTF-8 (RFC 3629): the length of the sequence at p (n bytes
 * available) and its code point, or 0 when it is not valid UTF-8.
 */
static size_t
utf8_dec(const unsigned char *p, size_t n, uint32_t *cp)
{
	unsigned c = p[0];
	uint32_t v;
	size_t k, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c < 0xc2)
		return 0;
	if (c < 0xe0) {
		k = 2;
		v = c & 0x1f;
	} else if (c < 0xf0) {
		k = 3;
		v = c & 0x0f;
	} else if (c < 0xf5) {
		k = 4;
		v = c & 0x07;
	} else {
		return 0;
	}
	if (n < k)
		return 0;
	for (i = 1; i < k; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (p[i] & 0x3f);
	}
	if ((k == 3 && v < 0x800) ||
	    (k == 4 && (v < 0x10000 || v > 0x10ffff)) ||
	    (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return k;
}

/*
 * What a non-ASCII character does to a URL.  U_STOP ends it: Unicode
 * white space, invisible format characters (bidi controls, zero width
 * space, BOM), U+FFFD left by charset conversion, and the CJK and
 * fullwidth punctuation that ends sentences in text without spaces.
 * U_TRAIL (curly quotes, guillemets, ellipsis) is kept inside a URL but
 * dropped at its end.  Everything else, letters of any script included,
 * belongs to IRIs (RFC 3987).
 */
static int
uclass(uint32_t c)
{
	if (c < 0xa1)
		return U_STOP; /* C1 controls, NEL, NBSP */
	if (c == 0xab || c == 0xbb)
		return U_TRAIL;
	if (c < 0x1680)
		return U_OK;
	if (c == 0x1680 || c == 0x180e)
		return U_STOP;
	if (c < 0x2000)
		return U_OK;
	if (c <= 0x200b || c == 0x200e || c == 0x200f ||
	    (c >= 0x2028 && c <= 0x202f) || c == 0x205f || c == 0x2060 ||
	    (c >= 0x2066 && c <= 0x2069))
		return U_STOP;
	if (c == 0x2018 || c == 0x2019 || c == 0x201c || c == 0x201d ||
	    c == 0x2026 || c == 0x2039 || c == 0x203a)
		return U_TRAIL;
	if (c < 0x3000)
		return U_OK;
	if (c <= 0x3003 || (c >= 0x3008 && c <= 0x3011) ||
	    (c >= 0x3014 && c <= 0x301f))
		return U_STOP;
	if (c == 0xfeff || c == 0xfffd)
		return U_STOP;
	if (c >= 0xff01 && c <= 0xff65) {
		switch (c) {
		case 0xff01: /* ！ */
		case 0xff08: /* （ */
		case 0xff09: /* ） */
		case 0xff0c: /* ， */
		case 0xff0e: /* ． */
		case 0xff1a: /* ： */
		case 0xff1b: /* ； */
		case 0xff1c: /* ＜ */
		case 0xff1e: /* ＞ */
		case 0xff1f: /* ？ */
		case 0xff3b: /* ［ */
		case 0xff3d: /* ］ */
		case 0xff5b: /* ｛ */
		case 0xff5d: /* ｝ */
			return U_STOP;
		default:
			return c >= 0xff5f ? U_STOP : U_OK;
		}
	}
	return U_OK;
}

/* Length of the non-ASCII character at q and its class; 0 if invalid. */
static size_t
uchar_at(const struct scan *s, size_t q, int *cls)
{
	uint32_t cp;
	size_t n = utf8_dec(s->t + q, s->len - q, &cp);

	if (n)
		*cls = uclass(cp);
	return n;
}

/* Can a host label continue with the character at q? */
static int
label_at(const struct scan *s, size_t q)
{
	unsigned c = at(s, q);
	int cls;

	if (c < 0x80)
		return is_label(c);
	return uchar_at(s, q, &cls) && cls == U_OK;
}

/*
 * "[inner]" at q, with any of [ ( { and ] ) }, inner compared without
 * case: returns its length or 0.
 */
static size_t
bracketed(const struct scan *s, size_t q, const char *inner)
{
	size_t n = strlen(inner), i;

	if (!is_open(at(s, q)) || q + n + 2 > s->len)
		return 0;
	for (i = 0; i < n; i++)
		if (lower(s->t[q + 1 + i]) != (unsigned char)inner[i])
			return 0;
	return is_close(s->t[q + 1 + n]) ? n + 2 : 0;
}

/* A dot written defanged at q: [.] (.) {.} [dot] (dot) {dot}. */
static size_t
dot_token(const struct scan *s, size_t q)
{
	size_t n = bracketed(s, q, ".");

	return n ? n : bracketed(s, q, "dot");
}

/* ---- the url being built ---- */

/* Copy the raw bytes not copied yet, up to p, within TD_TEXT_URL_MAX. */
static void
flush(struct scan *s, size_t p)
{
	size_t n, room;

	if (p <= s->lit)
		return;
	n = p - s->lit;
	if (!s->full) {
		room = TD_TEXT_URL_MAX - s->out->len;
		if (n > room) {
			n = room;
			s->full = 1;
			s->cut = s->lit + room;
		}
		td_buf_add(s->out, s->t + s->lit, n);
	}
	s->lit = p;
}

/* Replace the n raw bytes at p by rep (refanging, or "" for a join). */
static void
token(struct scan *s, size_t p, size_t n, const char *rep, unsigned flag)
{
	size_t rn = strlen(rep);

	flush(s, p);
	if (!s->full) {
		if (rn > TD_TEXT_URL_MAX - s->out->len) {
			s->full = 1;
			s->cut = p;
		} else {
			td_buf_add(s->out, rep, rn);
			s->flags |= flag;
		}
	}
	s->lit = s->mark = p + n;
}

/* ---- wrapped lines ---- */

/* Length of a line break ("\n" or "\r\n") at q, or 0. */
static size_t
break_len(const struct scan *s, size_t q)
{
	if (at(s, q) == '\n')
		return 1;
	if (at(s, q) == '\r' && at(s, q + 1) == '\n')
		return 2;
	return 0;
}

/*
 * Columns (code points) of the line that ends at e, or SIZE_MAX when
 * there are more than max.  Looks back at most 4 * (max + 1) bytes.
 */
static size_t
line_cols(const struct scan *s, size_t e, size_t max)
{
	size_t lim = e > 4 * (max + 1) ? e - 4 * (max + 1) : 0;
	size_t n = 0, i = e;

	while (i > lim && s->t[i - 1] != '\n') {
		i--;
		if ((s->t[i] & 0xc0) != 0x80 && ++n > max)
			return SIZE_MAX;
	}
	if (i > 0 && s->t[i - 1] != '\n')
		return SIZE_MAX;
	return n;
}

/*
 * Does the line starting at q go on with the rest of a URL?  Its first
 * word must look like one: it holds one of / ? = & % # ~ _, a dot before
 * two letters or digits ("n.php", "ple.com"), or letters mixed with
 * digits over 6 characters or more ("dGVzdA3"), or it fills a wrapped
 * line of its own, or it runs on for CONT_MAX bytes.  Words of prose
 * ("Thanks,", "and", "2.", "e.g.", "follow-up"), labels and header names
 * ("Note:", "List-Unsubscribe:") and the start of another URL do not.
 */
static int
cont_evidence(const struct scan *s, size_t q)
{
	size_t e = q, i, n;
	int alpha = 0, digit = 0, cls;
	unsigned c;

	while (e < s->len && e - q <= CONT_MAX) {
		c = s->t[e];
		if (c >= 0x80) {
			n = uchar_at(s, e, &cls);
			if (!n || cls == U_STOP)
				break;
			e += n;
			continue;
		}
		if (is_stop(c))
			break;
		e++;
	}
	for (i = q; i < e && is_alpha(s->t[i]); i++)
		;
	if ((i - q >= 3 && i + 2 < e && s->t[i] == ':' && s->t[i + 1] == '/') ||
	    (i - q == 3 && lower(s->t[q]) == 'w' && at(s, i) == '.'))
		return 0; /* "https://...", "www.": a URL of its own */
	if (e - q > CONT_MAX)
		return 1;
	/* the word fills a wrapped line too: a chain of them */
	if (break_len(s, e) && (n = line_cols(s, e, WRAP_MAX)) >= WRAP_MIN &&
	    n <= WRAP_MAX)
		return 1;
	if (e > q && s->t[e - 1] == ':')
		return 0;
	while (e > q && (is_trail(s->t[e - 1]) || is_close(s->t[e - 1])))
		e--;
	for (i = q; i < e; i++) {
		c = s->t[i];
		if (c == '/' || c == '?' || c == '=' || c == '&' || c == '%' ||
		    c == '#' || c == '~' || c == '_')
			return 1;
		if (c == '.' && i > q && i + 2 < e && is_alnum(s->t[i + 1]) &&
		    is_alnum(s->t[i + 2]))
			return 1;
		alpha |= is_alpha(c);
		digit |= is_digit(c);
	}
	return alpha && digit && e - q >= 6;
}

/*
 * A line break at q inside a URL: the number of bytes to skip when the
 * URL goes on on the next line, else 0.  The evidence must be strong:
 * the line is as long as mailers wrap at (70..80 columns), and the next
 * line starts, without indentation, with what cont_evidence() accepts.
 */
static size_t
wrap_join(const struct scan *s, size_t q)
{
	size_t b = break_len(s, q), cols;

	if (!s->joins || !b || q == 0 || q + b >= s->len)
		return 0;
	if (s->t[q - 1] == '=')
		return 0; /* soft_join()'s business */
	cols = line_cols(s, q, WRAP_MAX);
	if (cols < WRAP_MIN || cols > WRAP_MAX)
		return 0;
	return cont_evidence(s, q + b) ? b : 0;
}

/*
 * A '=' at q before a line break: a quoted-printable soft line break
 * (RFC 2045 6.7 (5)) left in the text when the line is 64..76 columns
 * long, '=' included.  Returns the bytes to skip ('=' and the break).
 */
static size_t
soft_join(const struct scan *s, size_t q)
{
	size_t b = break_len(s, q + 1), cols;
	unsigned c;

	if (!s->joins || !b)
		return 0;
	cols = line_cols(s, q + 1, QP_MAX);
	if (cols < QP_MIN || cols > QP_MAX)
		return 0;
	c = at(s, q + 1 + b);
	if (q + 1 + b >= s->len || is_stop(c))
		return 0;
	return 1 + b;
}

/* ---- scheme and separator ---- */

/*
 * The scheme written in the wl bytes at p: 1 with *canon NULL when it is
 * written plainly (http, https, ftp, ftps, sftp), 1 with *canon set to
 * the refanged name for the defangs in use (hxxp, hXXps, h**p, h00ps,
 * meow, fxp), else 0.
 */
static int
scheme_word(const unsigned char *p, size_t wl, const char **canon)
{
	char w[6];
	size_t i;

	for (i = 0; i < wl; i++)
		w[i] = (char)lower(p[i]);
	*canon = NULL;
	if (wl == 3 && !memcmp(w, "ftp", 3))
		return 1;
	if (wl == 3 && !memcmp(w, "fxp", 3)) {
		*canon = "ftp";
		return 1;
	}
	if (wl == 3)
		return 0;
	if (wl == 4 && (!memcmp(w, "ftps", 4) || !memcmp(w, "sftp", 4)))
		return 1;
	if (wl == 4 && !memcmp(w, "fxps", 4)) {
		*canon = "ftps";
		return 1;
	}
	if (!memcmp(w, "meow", 4) && (wl == 4 || w[4] == 's')) {
		*canon = wl == 4 ? "http" : "https";
		return 1;
	}
	if (w[0] != 'h' || w[3] != 'p' || (wl == 5 && w[4] != 's'))
		return 0;
	for (i = 1; i < 3; i++)
		if (!strchr("tx*0", w[i]) || !w[i])
			return 0;
	if (w[1] != 't' || w[2] != 't')
		*canon = wl == 4 ? "http" : "https";
	return 1;
}

/*
 * The scheme word that ends at e, not below floor, with no letter, digit
 * or . _ @ glued before it ("line-https://" is taken: phishing glues URLs
 * into CSS to hide them): returns its length, or 0.
 */
static size_t
scheme_before(const unsigned char *t, size_t floor, size_t e,
	      const char **canon)
{
	size_t wl;
	unsigned b;

	if (e == 0)
		return 0;
	b = lower(t[e - 1]);
	if (b != 'p' && b != 's' && b != 'w')
		return 0;
	for (wl = 5; wl >= 3; wl--) {
		if (e < floor + wl || !scheme_word(t + e - wl, wl, canon))
			continue;
		if (e - wl > floor) {
			b = t[e - wl - 1];
			if (is_alnum(b) || b == '.' || b == '_' || b == '@')
				return 0;
		}
		return wl;
	}
	return 0;
}

/*
 * The separator after a scheme at q: "://" or a defang of it (":\\\\",
 * "[:]//", "(:)//", "[://]", ":[//]", ":[/][/]", "__", ":__").  Returns
 * its length, or 0; *def says whether it was defanged.
 */
static size_t
parse_sep(const struct scan *s, size_t q, int *def)
{
	size_t p = q, n, k;
	unsigned c;

	*def = 0;
	if (at(s, q) == '_' && at(s, q + 1) == '_') {
		*def = 1;
		return 2;
	}
	if ((n = bracketed(s, q, "://"))) {
		*def = 1;
		return n;
	}
	if (at(s, q) == ':') {
		q++;
	} else if ((n = bracketed(s, q, ":"))) {
		q += n;
		*def = 1;
	} else {
		return 0;
	}
	if (s->t[p] == ':' && at(s, q) == '_' && at(s, q + 1) == '_') {
		*def = 1;
		return q + 2 - p;
	}
	if ((n = bracketed(s, q, "//"))) {
		*def = 1;
		return q + n - p;
	}
	for (k = 0; k < 2; k++) {
		c = at(s, q);
		if (c == '/') {
			q++;
		} else if (c == '\\') {
			q++;
			*def = 1;
		} else if ((n = bracketed(s, q, "/"))) {
			q += n;
			*def = 1;
		} else {
			return 0;
		}
	}
	return q - p;
}

/* ---- host ---- */

static void
label_char(struct host *h, unsigned c)
{
	if (!h->cur++)
		h->cur_alpha = !is_digit(c);
	if (is_digit(c) && h->cur_num && h->cur <= 3)
		h->cur_val = h->cur_val * 10 + (c - '0');
	else
		h->cur_num = 0;
}

static void
end_label(struct host *h)
{
	if (!h->cur) {
		h->empty = 1;
		return;
	}
	h->labels++;
	h->last = h->cur;
	h->last_alpha = h->cur_alpha;
	if (!h->cur_num || h->cur_val > 255)
		h->numeric = 0;
	h->cur = 0;
	h->cur_num = 1;
	h->cur_val = 0;
}

/*
 * A host at q: a bracketed IPv6 literal (RFC 3986 3.2.2) or labels
 * separated by dots, plain or defanged ([.] (.) {.} [dot] and their
 * halves "[." ".]", also with a space either side as in "a [.] com").
 * Wrapped lines inside are joined.  Returns where the host ends.
 */
static size_t
parse_host(struct scan *s, size_t q, struct host *h)
{
	size_t n, r;
	unsigned c;
	int cls;

	memset(h, 0, sizeof(*h));
	h->numeric = 1;
	h->cur_num = 1;
	if (at(s, q) == '[') {
		size_t colons = 0;

		for (r = q + 1; r < s->len && r - q < 48; r++) {
			c = s->t[r];
			if (c == ':')
				colons++;
			else if (!is_xdigit(c) && c != '.')
				break;
		}
		if (at(s, r) == ']' && colons >= 2) {
			h->ipv6 = 1;
			return r + 1;
		}
	}
	while (q < s->len) {
		c = s->t[q];
		if (is_label(c)) {
			label_char(h, c);
			q++;
			continue;
		}
		if (c >= 0x80) {
			n = uchar_at(s, q, &cls);
			if (!n || cls != U_OK)
				break;
			label_char(h, 'a');
			q += n;
			continue;
		}
		n = 0;
		if (c == '.') {
			if (at(s, q + 1) == ']' && h->cur &&
			    label_at(s, q + 2)) {
				n = 2;
			} else if (label_at(s, q + 1) || wrap_join(s, q + 1)) {
				end_label(h);
				h->dots++;
				q++;
				continue;
			} else {
				c = at(s, q + 1);
				if (h->cur && h->labels &&
				    (c == '/' || c == '?' || c == '#' ||
				     c == ':')) {
					/* "example.com./": a rooted name */
					end_label(h);
					h->dots++;
					h->trailing = 1;
					q++;
				}
				break;
			}
		} else if (is_open(c)) {
			n = dot_token(s, q);
			if (!n && c == '[' && at(s, q + 1) == '.' &&
			    label_at(s, q + 2))
				n = 2; /* "example[.com" */
			if (!n || !h->cur)
				break;
			if (at(s, q + n) == ' ' && label_at(s, q + n + 1))
				n++;
		} else if (c == ' ') {
			if (!h->cur || !(n = dot_token(s, q + 1)))
				break;
			n++;
			if (at(s, q + n) == ' ' && label_at(s, q + n + 1))
				n++;
		} else if (c == '=') {
			if (!(n = soft_join(s, q)) || !label_at(s, q + n))
				break;
			token(s, q, n, "", TD_HIT_JOINED);
			q += n;
			continue;
		} else if (c == '\n' || c == '\r') {
			if (!(n = wrap_join(s, q)) ||
			    !(label_at(s, q + n) || at(s, q + n) == '.'))
				break;
			token(s, q, n, "", TD_HIT_JOINED);
			q += n;
			continue;
		} else {
			break;
		}
		/* a defanged dot of n bytes */
		end_label(h);
		h->dots++;
		h->defanged = 1;
		token(s, q, n, ".", TD_HIT_DEFANGED);
		q += n;
	}
	if (h->cur)
		end_label(h);
	else if (!h->trailing)
		h->empty = 1;
	return q;
}

/*
 * A dotless host browsers read as an IPv4 address: a 32-bit decimal
 * (http://3232235777/) or hexadecimal (http://0xc0a80101/) integer, as
 * phishing uses to hide addresses.  Small numbers are not taken.
 */
static int
int_ip(const unsigned char *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	if (n > 2 && p[0] == '0' && lower(p[1]) == 'x') {
		if (n > 10)
			return 0;
		for (i = 2; i < n; i++)
			if (!is_xdigit(p[i]))
				return 0;
		return 1;
	}
	if (n < 8 || n > 10)
		return 0;
	for (i = 0; i < n; i++) {
		if (!is_digit(p[i]))
			return 0;
		v = v * 10 + (p[i] - '0');
	}
	return v >= 0x1000000 && v <= 0xffffffff;
}

/*
 * Is this host plausible?  After a scheme: an IPv6 literal, two labels
 * or more ("a.a"), or an integer IPv4.  "localhost" and intranet names
 * cannot be taken down and are not taken.  Without a scheme the bar is
 * higher: a top-level label of two characters or more starting with a
 * letter, three labels for "www." forms, and for "example[.]com" forms
 * a defanged dot (a dotted quad too, handled by the caller).
 */
static int
host_ok(const struct scan *s, const struct host *h, enum kind k, size_t hs,
	size_t he)
{
	if (he - hs > HOST_MAX)
		return 0;
	if (k == K_SCHEME) {
		if (h->ipv6)
			return 1;
		if (h->empty)
			return 0;
		if (h->labels >= 2)
			return 1;
		return h->labels == 1 && !h->dots && int_ip(s->t + hs, he - hs);
	}
	if (h->empty || h->ipv6)
		return 0;
	if (k == K_WWW)
		return h->labels >= 3 && h->last >= 2 && h->last_alpha;
	if (!h->defanged)
		return 0;
	if (h->labels == 4 && h->numeric)
		return 1;
	return h->labels >= 2 && h->last >= 2 && h->last_alpha;
}

/* ---- path ---- */

/*
 * Path, query and fragment from q: anything up to a stop byte, with
 * wrapped lines joined and [.] [/] and the like refanged.  Counts
 * brackets for trim().  Returns where it ends.
 */
static size_t
parse_path(struct scan *s, size_t q)
{
	size_t n;
	unsigned c;
	int cls;

	while (q < s->len) {
		c = s->t[q];
		if (c >= 0x80) {
			n = uchar_at(s, q, &cls);
			if (!n || cls == U_STOP)
				break;
			q += n;
			continue;
		}
		if (is_stop(c)) {
			if ((c == '\n' || c == '\r') && (n = wrap_join(s, q))) {
				token(s, q, n, "", TD_HIT_JOINED);
				q += n;
				continue;
			}
			break;
		}
		switch (c) {
		case '=':
			if ((at(s, q + 1) == '\n' || at(s, q + 1) == '\r') &&
			    (n = soft_join(s, q))) {
				token(s, q, n, "", TD_HIT_JOINED);
				q += n;
				continue;
			}
			break;
		case '[':
		case '(':
		case '{':
			if ((n = dot_token(s, q))) {
				token(s, q, n, ".", TD_HIT_DEFANGED);
				q += n;
				continue;
			}
			if ((n = bracketed(s, q, "/"))) {
				token(s, q, n, "/", TD_HIT_DEFANGED);
				q += n;
				continue;
			}
			if (c == '(')
				s->paren--;
			else if (c == '[')
				s->bracket--;
			else
				s->brace--;
			break;
		case ')':
			s->paren++;
			break;
		case ']':
			/* "[http://a/x](http://a/x)": a markdown link */
			if (s->bracket >= 0 && at(s, q + 1) == '(')
				return q;
			s->bracket++;
			break;
		case '}':
			s->brace++;
			break;
		}
		q++;
	}
	return q;
}

/*
 * Drop trailing punctuation from [floor, e), as linkifiers do: . , ; : !
 * ? ' * and curly quotes always, a closing bracket only when it has no
 * opener inside the URL, so that "(see http://x/a)" loses its ')' but
 * "http://en.wikipedia.org/wiki/Foo_(bar)" keeps it.
 */
static size_t
trim(struct scan *s, size_t floor, size_t e)
{
	const unsigned char *t = s->t;
	uint32_t cp;
	size_t b;
	unsigned c;

	while (e > floor) {
		c = t[e - 1];
		if (is_trail(c)) {
			e--;
		} else if (c == ')' && s->paren > 0) {
			s->paren--;
			e--;
		} else if (c == ']' && s->bracket > 0) {
			s->bracket--;
			e--;
		} else if (c == '}' && s->brace > 0) {
			s->brace--;
			e--;
		} else if (c >= 0x80) {
			b = e - 1;
			while (b > floor && e - b < 4 && (t[b] & 0xc0) == 0x80)
				b--;
			if (utf8_dec(t + b, e - b, &cp) != e - b ||
			    uclass(cp) != U_TRAIL)
				break;
			e = b;
		} else {
			break;
		}
	}
	return e;
}

/* ---- one candidate ---- */

/*
 * Parse the candidate starting at cs, of kind k (for K_SCHEME, a scheme
 * word of wl bytes, refanged to canon when not NULL).  On success returns
 * 1, the url in s->out and its raw end in *end; else 0, with *end where
 * the parse stopped.
 */
static int
parse(struct scan *s, size_t cs, enum kind k, size_t wl, const char *canon,
      size_t *end)
{
	struct host h;
	size_t q = cs, hs, he, as, n, r, e;
	int def, path = 0, port = 0;

	td_buf_reset(s->out);
	s->full = 0;
	s->cut = 0;
	s->lit = s->mark = cs;
	s->flags = 0;
	s->paren = s->bracket = s->brace = 0;
	*end = cs + 1;
	if (k != K_SCHEME) {
		td_buf_add(s->out, "http://", 7);
		s->flags |= TD_HIT_NO_SCHEME;
	} else {
		if (canon)
			token(s, cs, wl, canon, TD_HIT_DEFANGED);
		q += wl;
		if (!(n = parse_sep(s, q, &def)))
			return 0;
		if (def)
			token(s, q, n, "://", TD_HIT_DEFANGED);
		q += n;
		/* "http:// example.com", or "http://" at the end of a line */
		if (at(s, q) == ' ' && label_at(s, q + 1)) {
			token(s, q, 1, "", TD_HIT_DEFANGED);
			q++;
		} else if (s->joins && (n = break_len(s, q)) &&
			   (label_at(s, q + n) || at(s, q + n) == '[')) {
			token(s, q, n, "", TD_HIT_JOINED);
			q += n;
		}
	}
	as = hs = q;
	he = q = parse_host(s, q, &h);
	/* "http://user:pw@host", "http://paypal.com@evil.example/" */
	if (k == K_SCHEME && (at(s, q) == '@' || is_userinfo(at(s, q)))) {
		size_t last_at = 0;

		for (r = q; r < s->len && r - as <= AUTH_MAX; r++) {
			if (s->t[r] == '@')
				last_at = r + 1;
			else if (!is_userinfo(s->t[r]))
				break;
		}
		if (last_at) {
			hs = last_at;
			he = q = parse_host(s, last_at, &h);
		}
	}
	*end = q;
	if (!host_ok(s, &h, k, hs, he))
		return 0;
	/* RFC 3986 3.2.3 */
	if (at(s, q) == ':' && is_digit(at(s, q + 1))) {
		unsigned long v = 0;

		for (r = q + 1; r < s->len && r - q <= 6 && is_digit(s->t[r]);
		     r++)
			v = v * 10 + (s->t[r] - '0');
		if (r - q <= 6 && v <= 65535 && !is_digit(at(s, r))) {
			q = r;
			port = 1;
		}
	}
	if (q - as > AUTH_MAX)
		return 0;
	/* "example.com\n/path" wrapped before the path */
	if ((at(s, q) == '\n' || at(s, q) == '\r') && (n = wrap_join(s, q)) &&
	    (at(s, q + n) == '/' || at(s, q + n) == '?' ||
	     at(s, q + n) == '#')) {
		token(s, q, n, "", TD_HIT_JOINED);
		q += n;
	}
	n = at(s, q);
	if (n == '/' || n == '?' || n == '#' || n == '\\') {
		path = 1;
	} else if ((n = bracketed(s, q, "/")) ||
		   (at(s, q) == '[' && at(s, q + 1) == '/' && (n = 2))) {
		/* "example.com[/]path", "example.com[/path" */
		token(s, q, n, "/", TD_HIT_DEFANGED);
		q += n;
		path = 1;
	}
	if (k == K_BARE && h.numeric && !port && !path)
		return 0; /* a bare address: the ioc module's */
	e = q;
	if (path) {
		e = parse_path(s, q);
		if (s->trims)
			e = trim(s, q > s->mark ? q : s->mark, e);
	}
	flush(s, e);
	*end = e;
	return 1;
}

/* ---- the scan ---- */

/*
 * cs follows "<" or "<URL:" (RFC 3986 appendix C): if a '>' closes it,
 * copy what is in between without white space to st->angle and return the
 * position of the '>'; else 0.  Stops at '<', '"', controls and blank
 * lines, and after ANGLE_MAX bytes.
 */
static size_t
angle_close(struct state *st, size_t cs, int *ws)
{
	const unsigned char *t = st->t;
	size_t q, run = cs;
	unsigned c;

	td_buf_reset(&st->angle);
	*ws = 0;
	for (q = cs; q < st->len && q - cs < ANGLE_MAX; q++) {
		c = t[q];
		if (c == '>') {
			td_buf_add(&st->angle, t + run, q - run);
			return st->angle.len <= ANGLE_URL_MAX ? q : 0;
		}
		if (c == '<' || c == '"')
			return 0;
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			if (c == '\n' &&
			    (q + 1 < st->len &&
			     (t[q + 1] == '\n' || t[q + 1] == '\r')))
				return 0;
			td_buf_add(&st->angle, t + run, q - run);
			if (st->angle.len > ANGLE_URL_MAX)
				return 0;
			run = q + 1;
			*ws = 1;
			continue;
		}
		if (c < 0x20 || c == 0x7f)
			return 0;
	}
	return 0;
}

static int
report(struct state *st, struct scan *s, size_t cs, size_t end)
{
	struct td_text_hit hit;
	struct td_buf *o = s->out;

	if (td_buf_failed(o) & TD_BUF_OOM)
		return TD_ENOMEM;
	if (s->full) {
		/* do not cut a UTF-8 sequence in two */
		size_t i = o->len, k = 0;
		uint32_t cp;

		while (i > 0 && k < 4 && (o->ptr[i - 1] & 0xc0) == 0x80)
			i--, k++;
		if (i > 0 && (unsigned char)o->ptr[i - 1] >= 0xc0 &&
		    !utf8_dec((unsigned char *)o->ptr + i - 1, o->len - i + 1,
			      &cp)) {
			if (s->t == st->t)
				s->cut -= o->len - (i - 1);
			td_buf_truncate(o, i - 1);
		}
		if (s->t == st->t)
			end = s->cut;
		s->flags |= TD_HIT_TRUNCATED;
	}
	hit.raw = (const char *)st->t + cs;
	hit.raw_len = end - cs;
	hit.url = o->ptr;
	hit.url_len = o->len;
	hit.flags = s->flags;
	return st->fn(&hit, st->payload);
}

/*
 * Try the candidate at cs.  Returns 0 or what report() returned, and in
 * *next where the scan goes on.
 */
static int
candidate(struct state *st, size_t anchor_at, size_t cs, enum kind k, size_t wl,
	  const char *canon, size_t *next)
{
	const unsigned char *t = st->t;
	struct scan s = {0};
	size_t end, g;
	int ws, r;

	s.out = &st->out;
	if ((cs >= 1 && t[cs - 1] == '<') ||
	    (cs >= 5 && t[cs - 5] == '<' && lower(t[cs - 4]) == 'u' &&
	     lower(t[cs - 3]) == 'r' && lower(t[cs - 2]) == 'l' &&
	     t[cs - 1] == ':')) {
		g = angle_close(st, cs, &ws);
		if (td_buf_failed(&st->angle) & TD_BUF_OOM)
			return TD_ENOMEM;
		if (g) {
			s.t = (const unsigned char *)st->angle.ptr;
			s.len = st->angle.len;
			if (parse(&s, 0, k, wl, canon, &end) && end == s.len) {
				size_t e = g;

				while (e > cs &&
				       (t[e - 1] == ' ' || t[e - 1] == '\t' ||
					t[e - 1] == '\r' || t[e - 1] == '\n'))
					e--;
				s.flags |= TD_HIT_ANGLE;
				if (ws)
					s.flags |= TD_HIT_JOINED;
				r = report(st, &s, cs, e);
				*next = st->floor = g + 1;
				return r;
			}
			/* parse() resets the buffer: a failed append
			   would be forgotten by the next try */
			if (td_buf_failed(s.out) & TD_BUF_OOM)
				return TD_ENOMEM;
		}
	}
	s.t = t;
	s.len = st->len;
	s.joins = 1;
	s.trims = 1;
	if (parse(&s, cs, k, wl, canon, &end)) {
		r = report(st, &s, cs, end);
		*next = st->floor = end > anchor_at ? end : anchor_at + 1;
		return r;
	}
	if (td_buf_failed(s.out) & TD_BUF_OOM)
		return TD_ENOMEM;
	if (end > anchor_at + 1) {
		*next = end;
		if (end > st->floor)
			st->floor = end;
	}
	return 0;
}

/*
 * Is what ends at cs a reason not to start a host there: a host, path or
 * query character, or an e-mail address's '@', defanged ("[@]", "(at)")
 * or not?
 */
static int
bad_before_host(const unsigned char *t, size_t cs)
{
	unsigned c;

	if (cs == 0)
		return 0;
	c = t[cs - 1];
	if (is_close(c) && cs >= 3 &&
	    (t[cs - 2] == '@' ||
	     (lower(t[cs - 2]) == 't' && lower(t[cs - 3]) == 'a')))
		return 1;
	return is_label(c) || c == '.' || c == '@' || c == '/' || c == '\\' ||
	       c == '%' || c == '&' || c == '=' || c == '?' || c == '#' ||
	       c == '+' || c == '~';
}

/* The start of a host that ends at e (before a defanged dot), or e. */
static size_t
host_before(const struct state *st, size_t e)
{
	const unsigned char *t = st->t;
	size_t j = e, b;
	uint32_t cp;

	if (j >= st->floor + 2 && t[j - 1] == ' ' && is_label(t[j - 2]))
		j--;
	while (j > st->floor) {
		if (is_label(t[j - 1]) || t[j - 1] == '.') {
			j--;
			continue;
		}
		if (t[j - 1] < 0x80)
			break;
		b = j - 1;
		while (b > st->floor && j - b < 4 && (t[b] & 0xc0) == 0x80)
			b--;
		if (utf8_dec(t + b, j - b, &cp) != j - b || uclass(cp) != U_OK)
			break;
		j = b;
	}
	return j;
}

static int
at_anchor(struct state *st, size_t i, size_t *next)
{
	const unsigned char *t = st->t;
	struct scan v = {.t = t, .len = st->len};
	const char *canon;
	size_t wl, cs;
	unsigned c = t[i], n1 = at(&v, i + 1);
	int def;

	*next = i + 1;
	switch (c) {
	case '.':
		/* "www.example.com" */
		if (i < st->floor + 3 || lower(t[i - 1]) != 'w' ||
		    lower(t[i - 2]) != 'w' || lower(t[i - 3]) != 'w')
			return 0;
		if (i > st->floor + 3 && bad_before_host(t, i - 3))
			return 0;
		return candidate(st, i, i - 3, K_WWW, 0, NULL, next);
	case ':':
		if (n1 != '/' && n1 != '\\' && n1 != '_' && !is_open(n1))
			return 0;
		break;
	case '_':
		if (n1 != '_')
			return 0;
		break;
	default:
		if (n1 != ':' && n1 != '.' && lower(n1) != 'd')
			return 0;
		if (!bracketed(&v, i, ":") && !bracketed(&v, i, "://")) {
			/* "example[.]com" */
			if (!dot_token(&v, i))
				return 0;
			cs = host_before(st, i);
			if (cs == i || (cs + 1 == i && t[cs] == ' '))
				return 0;
			if (bad_before_host(t, cs) ||
			    (cs > 0 && t[cs - 1] == ':'))
				return 0;
			return candidate(st, i, cs, K_BARE, 0, NULL, next);
		}
		break;
	}
	wl = scheme_before(t, st->floor, i, &canon);
	if (!wl || !parse_sep(&v, i, &def))
		return 0;
	return candidate(st, i, i - wl, K_SCHEME, wl, canon, next);
}

int
td_text_scan(const char *text, size_t len, td_text_hit_fn fn, void *payload)
{
	struct state st = {0};
	const unsigned char *t = (const unsigned char *)text;
	size_t i = 0, next;
	int ret = 0;

	if (!text || !fn)
		return 0;
	st.t = t;
	st.len = len;
	st.fn = fn;
	st.payload = payload;
	td_buf_init(&st.out, TD_TEXT_URL_MAX);
	td_buf_init(&st.angle, ANGLE_MAX);
	while (i < len) {
		while (i + 4 <= len && !anchor[t[i]] && !anchor[t[i + 1]] &&
		       !anchor[t[i + 2]] && !anchor[t[i + 3]])
			i += 4;
		while (i < len && !anchor[t[i]])
			i++;
		if (i >= len)
			break;
		ret = at_anchor(&st, i, &next);
		if (ret)
			break;
		i = next;
	}
	td_buf_release(&st.out);
	td_buf_release(&st.angle);
	return ret;
}
