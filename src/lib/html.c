/*
 * A tolerant single-pass HTML tokenizer for hostile mail bodies and
 * HTML/SVG attachments.  It follows the WHATWG HTML tokenizer (HTML LS
 * section 13.2.5) where that changes which URLs or text a reader would
 * see, keeps no tree and no stack, and touches every input byte a bounded
 * number of times.  See docs/internals/html.md for the decisions and caps.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "buf.h"
#include "err.h"
#include "url.h"
#include "banned.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Caps.  Raw input slices are passed on without copying and need none;
 * these bound the copies made when something has to be decoded.
 */
#define HTML_URL_MAX (64 * 1024)   /* decoded URL-bearing value */
#define HTML_TEXT_MAX (64 * 1024)  /* one delivered chunk of a text run */
#define HTML_SPLIT_BACK 4096	   /* look back this far for a word break */
#define HTML_ATTR_MAX (64 * 1024)  /* decoded other attribute value */
#define HTML_CODE_MAX (256 * 1024) /* decoded style=, on*=, srcset= value */
#define HTML_LINKTEXT_MAX 1024	   /* link text and img alt fallback */
#define HTML_TAGNAME_MAX 63	   /* longer tag names are kept truncated */
#define HTML_ATTR_MIN 4		   /* shorter attribute values are dropped */
#define HTML_SNIFF_MAX (64 * 1024) /* td_html_sniff looks at this much */

/* ---- character classes (ASCII only, as HTML's tokenizer) ---- */

static inline int
is_ws(unsigned char c)
{
	/* HTML "ASCII whitespace" */
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static inline int
is_alpha(unsigned char c)
{
	return (unsigned char)((c | 0x20) - 'a') < 26;
}

static inline int
is_digit(unsigned char c)
{
	return (unsigned char)(c - '0') < 10;
}

static inline int
is_alnum(unsigned char c)
{
	return is_alpha(c) || is_digit(c);
}

static inline int
is_xdigit(unsigned char c)
{
	return is_digit(c) || (unsigned char)((c | 0x20) - 'a') < 6;
}

static inline int
xval(unsigned char c)
{
	return is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
}

static inline unsigned char
lower(unsigned char c)
{
	return (unsigned char)(c - 'A') < 26 ? c + 32 : c;
}

/* Case-insensitive match of the ASCII lowercase word w at p[0..n). */
static int
ci_prefix(const char *p, size_t n, const char *w)
{
	size_t i;

	for (i = 0; w[i]; i++)
		if (i >= n || lower((unsigned char)p[i]) != (unsigned char)w[i])
			return 0;
	return 1;
}

static size_t
utf8_put(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* ---- character references (HTML LS 13.2.5.72 - 13.2.5.80) ---- */

struct entity {
	const char *name;     /* without the ';' */
	const char *val;      /* UTF-8 */
	unsigned char legacy; /* also recognised without ';' */
};

/*
 * A subset of the WHATWG named character reference table: every HTML 4
 * entity, all 106 "legacy" names that browsers accept without ';', every
 * name that stands for ASCII punctuation or a space/format character
 * (phishers write "https&colon;&sol;&sol;"), and every longer name that
 * starts with a legacy name, so that longest-match decoding ("&notin;" is
 * not "&not;in;") agrees with the full table.  Sorted by byte value.
 */
static const struct entity entities[] = {
    {"AElig", "\303\206", 1},
    {"AMP", "&", 1},
    {"Aacute", "\303\201", 1},
    {"Acirc", "\303\202", 1},
    {"Agrave", "\303\200", 1},
    {"Alpha", "\316\221", 0},
    {"Aring", "\303\205", 1},
    {"Atilde", "\303\203", 1},
    {"Auml", "\303\204", 1},
    {"Beta", "\316\222", 0},
    {"Ccedil", "\303\207", 1},
    {"Chi", "\316\247", 0},
    {"Dagger", "\342\200\241", 0},
    {"Delta", "\316\224", 0},
    {"DiacriticalGrave", "`", 0},
    {"ETH", "\303\220", 1},
    {"Eacute", "\303\211", 1},
    {"Ecirc", "\303\212", 1},
    {"Egrave", "\303\210", 1},
    {"Epsilon", "\316\225", 0},
    {"Eta", "\316\227", 0},
    {"Euml", "\303\213", 1},
    {"GT", ">", 1},
    {"Gamma", "\316\223", 0},
    {"Hat", "^", 0},
    {"Iacute", "\303\215", 1},
    {"Icirc", "\303\216", 1},
    {"Igrave", "\303\214", 1},
    {"Iota", "\316\231", 0},
    {"Iuml", "\303\217", 1},
    {"Kappa", "\316\232", 0},
    {"LT", "<", 1},
    {"Lambda", "\316\233", 0},
    {"MediumSpace", "\342\201\237", 0},
    {"Mu", "\316\234", 0},
    {"NegativeMediumSpace", "\342\200\213", 0},
    {"NegativeThickSpace", "\342\200\213", 0},
    {"NegativeThinSpace", "\342\200\213", 0},
    {"NegativeVeryThinSpace", "\342\200\213", 0},
    {"NewLine", "\012", 0},
    {"NoBreak", "\342\201\240", 0},
    {"NonBreakingSpace", "\302\240", 0},
    {"Ntilde", "\303\221", 1},
    {"Nu", "\316\235", 0},
    {"OElig", "\305\222", 0},
    {"Oacute", "\303\223", 1},
    {"Ocirc", "\303\224", 1},
    {"Ograve", "\303\222", 1},
    {"Omega", "\316\251", 0},
    {"Omicron", "\316\237", 0},
    {"Oslash", "\303\230", 1},
    {"Otilde", "\303\225", 1},
    {"Ouml", "\303\226", 1},
    {"Phi", "\316\246", 0},
    {"Pi", "\316\240", 0},
    {"Prime", "\342\200\263", 0},
    {"Psi", "\316\250", 0},
    {"QUOT", "\042", 1},
    {"Rho", "\316\241", 0},
    {"Scaron", "\305\240", 0},
    {"Sigma", "\316\243", 0},
    {"THORN", "\303\236", 1},
    {"TRADE", "\342\204\242", 0},
    {"Tab", "\011", 0},
    {"Tau", "\316\244", 0},
    {"Theta", "\316\230", 0},
    {"ThickSpace", "\342\201\237\342\200\212", 0},
    {"ThinSpace", "\342\200\211", 0},
    {"Uacute", "\303\232", 1},
    {"Ucirc", "\303\233", 1},
    {"Ugrave", "\303\231", 1},
    {"UnderBar", "_", 0},
    {"Upsilon", "\316\245", 0},
    {"Uuml", "\303\234", 1},
    {"VerticalLine", "|", 0},
    {"VeryThinSpace", "\342\200\212", 0},
    {"Xi", "\316\236", 0},
    {"Yacute", "\303\235", 1},
    {"Yuml", "\305\270", 0},
    {"ZeroWidthSpace", "\342\200\213", 0},
    {"Zeta", "\316\226", 0},
    {"aacute", "\303\241", 1},
    {"acirc", "\303\242", 1},
    {"acute", "\302\264", 1},
    {"aelig", "\303\246", 1},
    {"agrave", "\303\240", 1},
    {"alefsym", "\342\204\265", 0},
    {"alpha", "\316\261", 0},
    {"amp", "&", 1},
    {"and", "\342\210\247", 0},
    {"ang", "\342\210\240", 0},
    {"apos", "'", 0},
    {"aring", "\303\245", 1},
    {"ast", "*", 0},
    {"asymp", "\342\211\210", 0},
    {"atilde", "\303\243", 1},
    {"auml", "\303\244", 1},
    {"bdquo", "\342\200\236", 0},
    {"beta", "\316\262", 0},
    {"brvbar", "\302\246", 1},
    {"bsol", "\134", 0},
    {"bull", "\342\200\242", 0},
    {"bullet", "\342\200\242", 0},
    {"cap", "\342\210\251", 0},
    {"ccedil", "\303\247", 1},
    {"cedil", "\302\270", 1},
    {"cent", "\302\242", 1},
    {"centerdot", "\302\267", 0},
    {"chi", "\317\207", 0},
    {"circ", "\313\206", 0},
    {"clubs", "\342\231\243", 0},
    {"colon", ":", 0},
    {"comma", ",", 0},
    {"commat", "@", 0},
    {"cong", "\342\211\205", 0},
    {"copy", "\302\251", 1},
    {"copysr", "\342\204\227", 0},
    {"crarr", "\342\206\265", 0},
    {"cup", "\342\210\252", 0},
    {"curren", "\302\244", 1},
    {"dArr", "\342\207\223", 0},
    {"dagger", "\342\200\240", 0},
    {"darr", "\342\206\223", 0},
    {"dash", "\342\200\220", 0},
    {"deg", "\302\260", 1},
    {"delta", "\316\264", 0},
    {"diams", "\342\231\246", 0},
    {"divide", "\303\267", 1},
    {"divideontimes", "\342\213\207", 0},
    {"dollar", "$", 0},
    {"eacute", "\303\251", 1},
    {"ecirc", "\303\252", 1},
    {"egrave", "\303\250", 1},
    {"empty", "\342\210\205", 0},
    {"emsp", "\342\200\203", 0},
    {"emsp13", "\342\200\204", 0},
    {"emsp14", "\342\200\205", 0},
    {"ensp", "\342\200\202", 0},
    {"epsilon", "\316\265", 0},
    {"equals", "=", 0},
    {"equiv", "\342\211\241", 0},
    {"eta", "\316\267", 0},
    {"eth", "\303\260", 1},
    {"euml", "\303\253", 1},
    {"euro", "\342\202\254", 0},
    {"excl", "!", 0},
    {"exist", "\342\210\203", 0},
    {"fjlig", "fj", 0},
    {"fnof", "\306\222", 0},
    {"forall", "\342\210\200", 0},
    {"frac12", "\302\275", 1},
    {"frac14", "\302\274", 1},
    {"frac34", "\302\276", 1},
    {"frasl", "\342\201\204", 0},
    {"gamma", "\316\263", 0},
    {"ge", "\342\211\245", 0},
    {"grave", "`", 0},
    {"gt", ">", 1},
    {"gtcc", "\342\252\247", 0},
    {"gtcir", "\342\251\272", 0},
    {"gtdot", "\342\213\227", 0},
    {"gtlPar", "\342\246\225", 0},
    {"gtquest", "\342\251\274", 0},
    {"gtrapprox", "\342\252\206", 0},
    {"gtrarr", "\342\245\270", 0},
    {"gtrdot", "\342\213\227", 0},
    {"gtreqless", "\342\213\233", 0},
    {"gtreqqless", "\342\252\214", 0},
    {"gtrless", "\342\211\267", 0},
    {"gtrsim", "\342\211\263", 0},
    {"hArr", "\342\207\224", 0},
    {"hairsp", "\342\200\212", 0},
    {"harr", "\342\206\224", 0},
    {"hearts", "\342\231\245", 0},
    {"hellip", "\342\200\246", 0},
    {"horbar", "\342\200\225", 0},
    {"hyphen", "\342\200\220", 0},
    {"iacute", "\303\255", 1},
    {"icirc", "\303\256", 1},
    {"iexcl", "\302\241", 1},
    {"igrave", "\303\254", 1},
    {"image", "\342\204\221", 0},
    {"infin", "\342\210\236", 0},
    {"int", "\342\210\253", 0},
    {"iota", "\316\271", 0},
    {"iquest", "\302\277", 1},
    {"isin", "\342\210\210", 0},
    {"iuml", "\303\257", 1},
    {"kappa", "\316\272", 0},
    {"lArr", "\342\207\220", 0},
    {"lambda", "\316\273", 0},
    {"lang", "\342\237\250", 0},
    {"laquo", "\302\253", 1},
    {"larr", "\342\206\220", 0},
    {"lbrace", "{", 0},
    {"lbrack", "[", 0},
    {"lceil", "\342\214\210", 0},
    {"lcub", "{", 0},
    {"ldquo", "\342\200\234", 0},
    {"le", "\342\211\244", 0},
    {"lfloor", "\342\214\212", 0},
    {"lowast", "\342\210\227", 0},
    {"lowbar", "_", 0},
    {"loz", "\342\227\212", 0},
    {"lpar", "(", 0},
    {"lrm", "\342\200\216", 0},
    {"lsaquo", "\342\200\271", 0},
    {"lsqb", "[", 0},
    {"lsquo", "\342\200\230", 0},
    {"lt", "<", 1},
    {"ltcc", "\342\252\246", 0},
    {"ltcir", "\342\251\271", 0},
    {"ltdot", "\342\213\226", 0},
    {"lthree", "\342\213\213", 0},
    {"ltimes", "\342\213\211", 0},
    {"ltlarr", "\342\245\266", 0},
    {"ltquest", "\342\251\273", 0},
    {"ltrPar", "\342\246\226", 0},
    {"ltri", "\342\227\203", 0},
    {"ltrie", "\342\212\264", 0},
    {"ltrif", "\342\227\202", 0},
    {"macr", "\302\257", 1},
    {"mdash", "\342\200\224", 0},
    {"micro", "\302\265", 1},
    {"midast", "*", 0},
    {"middot", "\302\267", 1},
    {"minus", "\342\210\222", 0},
    {"mldr", "\342\200\246", 0},
    {"mu", "\316\274", 0},
    {"nabla", "\342\210\207", 0},
    {"nbsp", "\302\240", 1},
    {"ndash", "\342\200\223", 0},
    {"ne", "\342\211\240", 0},
    {"ni", "\342\210\213", 0},
    {"nldr", "\342\200\245", 0},
    {"not", "\302\254", 1},
    {"notin", "\342\210\211", 0},
    {"notinE", "\342\213\271\314\270", 0},
    {"notindot", "\342\213\265\314\270", 0},
    {"notinva", "\342\210\211", 0},
    {"notinvb", "\342\213\267", 0},
    {"notinvc", "\342\213\266", 0},
    {"notni", "\342\210\214", 0},
    {"notniva", "\342\210\214", 0},
    {"notnivb", "\342\213\276", 0},
    {"notnivc", "\342\213\275", 0},
    {"nsub", "\342\212\204", 0},
    {"ntilde", "\303\261", 1},
    {"nu", "\316\275", 0},
    {"num", "#", 0},
    {"numero", "\342\204\226", 0},
    {"numsp", "\342\200\207", 0},
    {"oacute", "\303\263", 1},
    {"ocirc", "\303\264", 1},
    {"oelig", "\305\223", 0},
    {"ograve", "\303\262", 1},
    {"oline", "\342\200\276", 0},
    {"omega", "\317\211", 0},
    {"omicron", "\316\277", 0},
    {"oplus", "\342\212\225", 0},
    {"or", "\342\210\250", 0},
    {"ordf", "\302\252", 1},
    {"ordm", "\302\272", 1},
    {"oslash", "\303\270", 1},
    {"otilde", "\303\265", 1},
    {"otimes", "\342\212\227", 0},
    {"ouml", "\303\266", 1},
    {"para", "\302\266", 1},
    {"parallel", "\342\210\245", 0},
    {"part", "\342\210\202", 0},
    {"percnt", "%", 0},
    {"period", ".", 0},
    {"permil", "\342\200\260", 0},
    {"perp", "\342\212\245", 0},
    {"phi", "\317\206", 0},
    {"pi", "\317\200", 0},
    {"piv", "\317\226", 0},
    {"plus", "+", 0},
    {"plusmn", "\302\261", 1},
    {"pound", "\302\243", 1},
    {"prime", "\342\200\262", 0},
    {"prod", "\342\210\217", 0},
    {"prop", "\342\210\235", 0},
    {"psi", "\317\210", 0},
    {"puncsp", "\342\200\210", 0},
    {"quest", "\077", 0},
    {"quot", "\042", 1},
    {"rArr", "\342\207\222", 0},
    {"radic", "\342\210\232", 0},
    {"rang", "\342\237\251", 0},
    {"raquo", "\302\273", 1},
    {"rarr", "\342\206\222", 0},
    {"rbrace", "}", 0},
    {"rbrack", "]", 0},
    {"rceil", "\342\214\211", 0},
    {"rcub", "}", 0},
    {"rdquo", "\342\200\235", 0},
    {"real", "\342\204\234", 0},
    {"reg", "\302\256", 1},
    {"rfloor", "\342\214\213", 0},
    {"rho", "\317\201", 0},
    {"rlm", "\342\200\217", 0},
    {"rpar", ")", 0},
    {"rsaquo", "\342\200\272", 0},
    {"rsqb", "]", 0},
    {"rsquo", "\342\200\231", 0},
    {"sbquo", "\342\200\232", 0},
    {"scaron", "\305\241", 0},
    {"sdot", "\342\213\205", 0},
    {"sect", "\302\247", 1},
    {"semi", ";", 0},
    {"shy", "\302\255", 1},
    {"sigma", "\317\203", 0},
    {"sigmaf", "\317\202", 0},
    {"sim", "\342\210\274", 0},
    {"sol", "/", 0},
    {"spades", "\342\231\240", 0},
    {"sub", "\342\212\202", 0},
    {"sube", "\342\212\206", 0},
    {"sum", "\342\210\221", 0},
    {"sup", "\342\212\203", 0},
    {"sup1", "\302\271", 1},
    {"sup2", "\302\262", 1},
    {"sup3", "\302\263", 1},
    {"supe", "\342\212\207", 0},
    {"szlig", "\303\237", 1},
    {"tau", "\317\204", 0},
    {"there4", "\342\210\264", 0},
    {"theta", "\316\270", 0},
    {"thetasym", "\317\221", 0},
    {"thinsp", "\342\200\211", 0},
    {"thorn", "\303\276", 1},
    {"tilde", "\313\234", 0},
    {"times", "\303\227", 1},
    {"timesb", "\342\212\240", 0},
    {"timesbar", "\342\250\261", 0},
    {"timesd", "\342\250\260", 0},
    {"trade", "\342\204\242", 0},
    {"uArr", "\342\207\221", 0},
    {"uacute", "\303\272", 1},
    {"uarr", "\342\206\221", 0},
    {"ucirc", "\303\273", 1},
    {"ugrave", "\303\271", 1},
    {"uml", "\302\250", 1},
    {"upsih", "\317\222", 0},
    {"upsilon", "\317\205", 0},
    {"uuml", "\303\274", 1},
    {"verbar", "|", 0},
    {"vert", "|", 0},
    {"weierp", "\342\204\230", 0},
    {"xi", "\316\276", 0},
    {"yacute", "\303\275", 1},
    {"yen", "\302\245", 1},
    {"yuml", "\303\277", 1},
    {"zeta", "\316\266", 0},
    {"zwj", "\342\200\215", 0},
    {"zwnj", "\342\200\214", 0},
};

static const struct entity *
entity_find(const char *name, size_t len)
{
	size_t lo = 0, hi = ARRAY_SIZE(entities);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *e = entities[mid].name;
		int c = (unsigned char)name[0] - (unsigned char)e[0];
		size_t elen;

		if (!c) {
			elen = strlen(e);
			c = memcmp(name, e, len < elen ? len : elen);
			if (!c)
				c = (len > elen) - (len < elen);
		}
		if (!c)
			return &entities[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* Numeric references to C1 controls mean windows-1252 (13.2.5.80). */
static const uint16_t cp1252[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

#define ENT_NAME_MAX 32 /* longest name in the full table is 31 + ';' */
#define ENT_OUT_MAX 8	/* longest expansion is 5 bytes */

/*
 * Decode the character reference at p[0] == '&'.  Writes its expansion
 * (or "&" when there is none) to out and returns how many input bytes it
 * used (at least 1).  in_attr applies the attribute-value rule: a legacy
 * name without ';' followed by '=' or an alphanumeric stays literal, so
 * "?a=1&copy=2" and "&ampx=" survive in URLs.
 */
static size_t
charref(const char *p, const char *end, int in_attr, char *out, size_t *out_len)
{
	const char *q = p + 1;
	const struct entity *e = NULL;
	size_t n, k;

	if (q < end && *q == '#') {
		uint32_t cp = 0;
		int hex = 0;
		const char *d;

		q++;
		if (q < end && (*q == 'x' || *q == 'X')) {
			hex = 1;
			q++;
		}
		d = q;
		while (q < end && (hex ? is_xdigit((unsigned char)*q)
				       : is_digit((unsigned char)*q))) {
			if (cp <= 0x10FFFF)
				cp = cp * (hex ? 16 : 10) +
				     (uint32_t)xval((unsigned char)*q);
			q++;
		}
		if (q == d)
			goto literal;
		if (q < end && *q == ';')
			q++;
		if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			cp = 0xFFFD;
		else if (cp >= 0x80 && cp <= 0x9F)
			cp = cp1252[cp - 0x80];
		*out_len = utf8_put(out, cp);
		return (size_t)(q - p);
	}
	for (n = 0; q + n < end && n <= ENT_NAME_MAX; n++)
		if (!is_alnum((unsigned char)q[n]))
			break;
	if (!n)
		goto literal;
	if (n <= ENT_NAME_MAX && q + n < end && q[n] == ';') {
		e = entity_find(q, n);
		if (e) {
			*out_len = strlen(e->val);
			memcpy(out, e->val, *out_len);
			return n + 2;
		}
	}
	/* Longest legacy name that prefixes the run (no ';' needed). */
	for (k = n < 6 ? n : 6; k >= 2; k--) {
		e = entity_find(q, k);
		if (e && e->legacy)
			break;
	}
	if (k < 2)
		goto literal;
	if (in_attr && q + k < end &&
	    (is_alnum((unsigned char)q[k]) || q[k] == '='))
		goto literal;
	*out_len = strlen(e->val);
	memcpy(out, e->val, *out_len);
	return k + 1;
literal:
	out[0] = '&';
	*out_len = 1;
	return 1;
}

#define DEC_ATTR 1u	/* attribute-value rules for references */
#define DEC_DROP_NUL 2u /* drop NUL (text) instead of U+FFFD (attributes) */

/*
 * Append the decoded form of p[0..n) to out, stopping once out holds
 * limit bytes.  Returns how many input bytes were consumed; less than n
 * only when the limit was reached.  Allocation failure sets the buffer's
 * sticky flag, which callers check.
 */
static size_t
decode(struct td_buf *out, size_t limit, const char *p, size_t n,
       unsigned flags)
{
	const char *s = p, *end = p + n;
	char tmp[ENT_OUT_MAX];
	size_t tl;

	while (s < end) {
		const char *q = s;

		while (q < end && *q != '&' && *q != '\0')
			q++;
		if (q > s) {
			size_t room = limit > out->len ? limit - out->len : 0;

			if ((size_t)(q - s) > room) {
				td_buf_add(out, s, room);
				return (size_t)(s + room - p);
			}
			td_buf_add(out, s, (size_t)(q - s));
			s = q;
			if (s == end)
				break;
		}
		if (out->len + ENT_OUT_MAX > limit)
			break;
		if (*s == '\0') {
			s++;
			if (!(flags & DEC_DROP_NUL))
				td_buf_add(out, "\357\277\275", 3);
			continue;
		}
		s += charref(s, end, flags & DEC_ATTR, tmp, &tl);
		td_buf_add(out, tmp, tl);
	}
	return (size_t)(s - p);
}

/* Does p[0..n) need decode() at all? */
static int
needs_decode(const char *p, size_t n)
{
	return memchr(p, '&', n) || memchr(p, '\0', n);
}

/* ---- tags and attributes we act on ---- */

enum tag_id {
	TG_OTHER,
	TG_A,
	TG_AREA,
	TG_BASE,
	TG_FEIMAGE,
	TG_FORM,
	TG_IMAGE,
	TG_IMG,
	TG_LINK,
	TG_MATH,
	TG_META,
	TG_OBJECT,
	TG_PLAINTEXT,
	TG_SCRIPT,
	TG_STYLE,
	TG_SVG,
	TG_USE
};

#define T_BREAK 1u   /* starts or ends a line: closes the current text run */
#define T_RAW 2u     /* raw text: no tags, no references, up to </name> */
#define T_RCDATA 4u  /* like T_RAW but references are decoded */
#define T_FOREIGN 8u /* svg, math: CDATA sections and self-closing apply */

struct tag_info {
	const char *name;
	unsigned char len;
	unsigned char id;
	unsigned char flags;
};

#define TAG(name, id, flags)                                                   \
	{                                                                      \
		name, sizeof(name) - 1, id, flags                              \
	}

/* Sorted by name.  Unknown tags are inline, as browsers render them. */
static const struct tag_info tags[] = {
    TAG("a", TG_A, 0),
    TAG("address", TG_OTHER, T_BREAK),
    TAG("area", TG_AREA, 0),
    TAG("article", TG_OTHER, T_BREAK),
    TAG("aside", TG_OTHER, T_BREAK),
    TAG("audio", TG_OTHER, T_BREAK),
    TAG("base", TG_BASE, 0),
    TAG("blockquote", TG_OTHER, T_BREAK),
    TAG("body", TG_OTHER, T_BREAK),
    TAG("br", TG_OTHER, T_BREAK),
    TAG("button", TG_OTHER, T_BREAK),
    TAG("canvas", TG_OTHER, T_BREAK),
    TAG("caption", TG_OTHER, T_BREAK),
    TAG("center", TG_OTHER, T_BREAK),
    TAG("dd", TG_OTHER, T_BREAK),
    TAG("details", TG_OTHER, T_BREAK),
    TAG("dialog", TG_OTHER, T_BREAK),
    TAG("dir", TG_OTHER, T_BREAK),
    TAG("div", TG_OTHER, T_BREAK),
    TAG("dl", TG_OTHER, T_BREAK),
    TAG("dt", TG_OTHER, T_BREAK),
    TAG("embed", TG_OTHER, T_BREAK),
    TAG("feimage", TG_FEIMAGE, 0),
    TAG("fieldset", TG_OTHER, T_BREAK),
    TAG("figcaption", TG_OTHER, T_BREAK),
    TAG("figure", TG_OTHER, T_BREAK),
    TAG("footer", TG_OTHER, T_BREAK),
    TAG("form", TG_FORM, T_BREAK),
    TAG("frame", TG_OTHER, T_BREAK),
    TAG("frameset", TG_OTHER, T_BREAK),
    TAG("h1", TG_OTHER, T_BREAK),
    TAG("h2", TG_OTHER, T_BREAK),
    TAG("h3", TG_OTHER, T_BREAK),
    TAG("h4", TG_OTHER, T_BREAK),
    TAG("h5", TG_OTHER, T_BREAK),
    TAG("h6", TG_OTHER, T_BREAK),
    TAG("head", TG_OTHER, T_BREAK),
    TAG("header", TG_OTHER, T_BREAK),
    TAG("hr", TG_OTHER, T_BREAK),
    TAG("html", TG_OTHER, T_BREAK),
    TAG("iframe", TG_OTHER, T_BREAK | T_RAW),
    TAG("image", TG_IMAGE, T_BREAK),
    TAG("img", TG_IMG, T_BREAK),
    TAG("input", TG_OTHER, T_BREAK),
    TAG("li", TG_OTHER, T_BREAK),
    TAG("link", TG_LINK, 0),
    TAG("main", TG_OTHER, T_BREAK),
    TAG("math", TG_MATH, T_BREAK | T_FOREIGN),
    TAG("menu", TG_OTHER, T_BREAK),
    TAG("meta", TG_META, 0),
    TAG("nav", TG_OTHER, T_BREAK),
    TAG("noembed", TG_OTHER, T_BREAK | T_RAW),
    TAG("noframes", TG_OTHER, T_BREAK | T_RAW),
    TAG("object", TG_OBJECT, T_BREAK),
    TAG("ol", TG_OTHER, T_BREAK),
    TAG("optgroup", TG_OTHER, T_BREAK),
    TAG("option", TG_OTHER, T_BREAK),
    TAG("p", TG_OTHER, T_BREAK),
    TAG("plaintext", TG_PLAINTEXT, T_BREAK),
    TAG("pre", TG_OTHER, T_BREAK),
    TAG("script", TG_SCRIPT, T_RAW),
    TAG("section", TG_OTHER, T_BREAK),
    TAG("select", TG_OTHER, T_BREAK),
    TAG("style", TG_STYLE, T_RAW),
    TAG("summary", TG_OTHER, T_BREAK),
    TAG("svg", TG_SVG, T_BREAK | T_FOREIGN),
    TAG("table", TG_OTHER, T_BREAK),
    TAG("tbody", TG_OTHER, T_BREAK),
    TAG("td", TG_OTHER, T_BREAK),
    TAG("textarea", TG_OTHER, T_BREAK | T_RCDATA),
    TAG("tfoot", TG_OTHER, T_BREAK),
    TAG("th", TG_OTHER, T_BREAK),
    TAG("thead", TG_OTHER, T_BREAK),
    TAG("title", TG_OTHER, T_BREAK | T_RCDATA),
    TAG("tr", TG_OTHER, T_BREAK),
    TAG("ul", TG_OTHER, T_BREAK),
    TAG("use", TG_USE, 0),
    TAG("video", TG_OTHER, T_BREAK),
    TAG("xmp", TG_OTHER, T_BREAK | T_RAW),
};

enum attr_id {
	AT_OTHER, /* delivered as text */
	AT_SKIP,  /* presentational or namespace noise: dropped */
	AT_MAYBE, /* class, id: text only if it could hold a URL or address */
	AT_ON,	  /* event handler: JS scan, then text */
	/* the rest are kept in slots until the tag ends; first one wins */
	AT_ACTION,
	AT_ALT,
	AT_BACKGROUND,
	AT_CITE,
	AT_CODEBASE,
	AT_CONTENT,
	AT_DATA,
	AT_DYNSRC,
	AT_FORMACTION,
	AT_HREF,
	AT_HTTP_EQUIV,
	AT_LONGDESC,
	AT_LOWSRC,
	AT_MANIFEST,
	AT_PING,
	AT_POSTER,
	AT_SRC,
	AT_SRCSET,
	AT_STYLE,
	AT_XLINK_HREF,
	AT_NR
};

#define AT_FIRST_SLOT AT_ACTION

struct attr_info {
	const char *name;
	unsigned char len;
	unsigned char id;
};

#define ATTR(name, id)                                                         \
	{                                                                      \
		name, sizeof(name) - 1, id                                     \
	}

/* Sorted by name. */
static const struct attr_info attrs[] = {
    ATTR("action", AT_ACTION),
    ATTR("align", AT_SKIP),
    ATTR("alt", AT_ALT),
    ATTR("arcsize", AT_SKIP),
    ATTR("aria-hidden", AT_SKIP),
    ATTR("autocomplete", AT_SKIP),
    ATTR("background", AT_BACKGROUND),
    ATTR("bgcolor", AT_SKIP),
    ATTR("border", AT_SKIP),
    ATTR("bordercolor", AT_SKIP),
    ATTR("cellpadding", AT_SKIP),
    ATTR("cellspacing", AT_SKIP),
    ATTR("charset", AT_SKIP),
    ATTR("cite", AT_CITE),
    ATTR("class", AT_MAYBE),
    ATTR("clip-path", AT_SKIP),
    ATTR("clip-rule", AT_SKIP),
    ATTR("codebase", AT_CODEBASE),
    ATTR("color", AT_SKIP),
    ATTR("colspan", AT_SKIP),
    ATTR("content", AT_CONTENT),
    ATTR("coordorigin", AT_SKIP),
    ATTR("coordsize", AT_SKIP),
    ATTR("cx", AT_SKIP),
    ATTR("cy", AT_SKIP),
    ATTR("d", AT_SKIP),
    ATTR("data", AT_DATA),
    ATTR("dir", AT_SKIP),
    ATTR("dynsrc", AT_DYNSRC),
    ATTR("face", AT_SKIP),
    ATTR("fill", AT_SKIP),
    ATTR("fill-opacity", AT_SKIP),
    ATTR("fill-rule", AT_SKIP),
    ATTR("fillcolor", AT_SKIP),
    ATTR("font-family", AT_SKIP),
    ATTR("font-size", AT_SKIP),
    ATTR("font-weight", AT_SKIP),
    ATTR("formaction", AT_FORMACTION),
    ATTR("frameborder", AT_SKIP),
    ATTR("gradienttransform", AT_SKIP),
    ATTR("gradientunits", AT_SKIP),
    ATTR("height", AT_SKIP),
    ATTR("href", AT_HREF),
    ATTR("hspace", AT_SKIP),
    ATTR("http-equiv", AT_HTTP_EQUIV),
    ATTR("id", AT_MAYBE),
    ATTR("inset", AT_SKIP),
    ATTR("lang", AT_SKIP),
    ATTR("longdesc", AT_LONGDESC),
    ATTR("lowsrc", AT_LOWSRC),
    ATTR("manifest", AT_MANIFEST),
    ATTR("marginheight", AT_SKIP),
    ATTR("marginwidth", AT_SKIP),
    ATTR("maxlength", AT_SKIP),
    ATTR("method", AT_SKIP),
    ATTR("offset", AT_SKIP),
    ATTR("opacity", AT_SKIP),
    ATTR("ping", AT_PING),
    ATTR("points", AT_SKIP),
    ATTR("poster", AT_POSTER),
    ATTR("preserveaspectratio", AT_SKIP),
    ATTR("rel", AT_SKIP),
    ATTR("role", AT_SKIP),
    ATTR("rowspan", AT_SKIP),
    ATTR("rx", AT_SKIP),
    ATTR("ry", AT_SKIP),
    ATTR("scrolling", AT_SKIP),
    ATTR("size", AT_SKIP),
    ATTR("src", AT_SRC),
    ATTR("srcset", AT_SRCSET),
    ATTR("stop-color", AT_SKIP),
    ATTR("stop-opacity", AT_SKIP),
    ATTR("stroke", AT_SKIP),
    ATTR("stroke-dasharray", AT_SKIP),
    ATTR("stroke-linecap", AT_SKIP),
    ATTR("stroke-linejoin", AT_SKIP),
    ATTR("stroke-miterlimit", AT_SKIP),
    ATTR("stroke-opacity", AT_SKIP),
    ATTR("stroke-width", AT_SKIP),
    ATTR("strokecolor", AT_SKIP),
    ATTR("strokeweight", AT_SKIP),
    ATTR("style", AT_STYLE),
    ATTR("tabindex", AT_SKIP),
    ATTR("target", AT_SKIP),
    ATTR("text-anchor", AT_SKIP),
    ATTR("transform", AT_SKIP),
    ATTR("type", AT_SKIP),
    ATTR("v-text-anchor", AT_SKIP),
    ATTR("valign", AT_SKIP),
    ATTR("version", AT_SKIP),
    ATTR("viewbox", AT_SKIP),
    ATTR("vspace", AT_SKIP),
    ATTR("width", AT_SKIP),
    ATTR("x1", AT_SKIP),
    ATTR("x2", AT_SKIP),
    ATTR("xlink:href", AT_XLINK_HREF),
    ATTR("xml:lang", AT_SKIP),
    ATTR("xml:space", AT_SKIP),
    ATTR("xmlns", AT_SKIP),
    ATTR("y1", AT_SKIP),
    ATTR("y2", AT_SKIP),
};

/* strcmp order for a counted key against a counted name */
static inline int
name_cmp(const char *key, size_t klen, const char *name, size_t nlen)
{
	int c = (unsigned char)key[0] - (unsigned char)name[0];

	if (c)
		return c;
	c = memcmp(key, name, klen < nlen ? klen : nlen);
	return c ? c : (klen > nlen) - (klen < nlen);
}

static const struct tag_info *
tag_find(const char *name, size_t len)
{
	size_t lo = 0, hi = ARRAY_SIZE(tags);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = name_cmp(name, len, tags[mid].name, tags[mid].len);

		if (!c)
			return &tags[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static enum attr_id
attr_find(const char *name, size_t len)
{
	size_t lo = 0, hi = ARRAY_SIZE(attrs);

	if (len > 2 && name[0] == 'o' && name[1] == 'n')
		return AT_ON;
	if (len > 6 && !memcmp(name, "xmlns:", 6))
		return AT_SKIP;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = name_cmp(name, len, attrs[mid].name, attrs[mid].len);

		if (!c)
			return (enum attr_id)attrs[mid].id;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return AT_OTHER;
}

/* ---- the scanner ---- */

struct slot {
	const char *p; /* raw value in the input, not decoded */
	size_t n;
};

struct scanner {
	const char *in;
	size_t len;
	const struct td_html_cb *cb;
	void *payload;
	int rc;	     /* first callback value or TD_ENOMEM; stops the scan */
	int prepass; /* only looking for the first <base href> */
	int stop;
	const char *caller_base;
	const char *base; /* NUL-terminated absolute base, or NULL */
	size_t foreign;	  /* depth of open <svg>/<math> */

	/* the tag being parsed */
	size_t tag_off;
	char tagname[HTML_TAGNAME_MAX + 1];
	const struct tag_info *ti;
	int end_tag;
	unsigned long seen; /* 1 << attr_id for slots already filled */
	struct slot slot[AT_NR];

	/* the open <a href>, reported at </a>, the next <a> or the end */
	int pend;
	size_t pend_off;
	int pend_space, alt_space;
	struct td_buf pend_val, pend_res, pend_text, pend_alt;

	struct td_buf run;     /* the current text run */
	struct td_buf val;     /* decoded URL-bearing attribute value */
	struct td_buf code;    /* decoded style=, on*=, srcset=, ping= */
	struct td_buf atext;   /* decoded other attribute value */
	struct td_buf norm;    /* URL without tab and newline */
	struct td_buf res;     /* resolved URL */
	struct td_buf lit;     /* JS or CSS string literal */
	struct td_buf tmp;     /* atob() argument */
	struct td_buf docbase; /* <base href>, resolved */
};

static int
oom(struct scanner *s, const struct td_buf *b)
{
	if (td_buf_failed(b) & TD_BUF_OOM) {
		if (!s->rc)
			s->rc = TD_ENOMEM;
		return 1;
	}
	return 0;
}

/* Only whitespace and U+00A0: nothing for a URL finder. */
static int
blank(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\302' && i + 1 < n && p[i + 1] == '\240')
			i++;
		else if (!is_ws((unsigned char)p[i]))
			return 0;
	}
	return 1;
}

static void
emit_text(struct scanner *s, enum td_html_text_kind kind, const char *p,
	  size_t n)
{
	int r;

	if (s->rc || s->prepass || !s->cb || !s->cb->text || blank(p, n))
		return;
	r = s->cb->text(kind, p, n, s->payload);
	if (r)
		s->rc = r;
}

/*
 * Append to a link text buffer the way it renders: runs of whitespace
 * become one space, none at the start; U+00A0 counts as a space; the
 * invisible U+00AD, U+200B-U+200D, U+2060 and U+FEFF are dropped so that
 * "pay&#8203;pal.com" reads as it looks.
 */
static void
collapse_add(struct td_buf *b, int *space, const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0, j;

	while (i < n && b->len < HTML_LINKTEXT_MAX) {
		unsigned char c = u[i];

		if (is_ws(c)) {
			*space = 1;
			i++;
			continue;
		}
		if (c == 0xC2 && i + 1 < n &&
		    (u[i + 1] == 0xA0 || u[i + 1] == 0xAD)) {
			if (u[i + 1] == 0xA0)
				*space = 1;
			i += 2;
			continue;
		}
		if (c == 0xE2 && i + 2 < n &&
		    ((u[i + 1] == 0x80 && u[i + 2] >= 0x8B &&
		      u[i + 2] <= 0x8D) ||
		     (u[i + 1] == 0x81 && u[i + 2] == 0xA0))) {
			i += 3;
			continue;
		}
		if (c == 0xEF && i + 2 < n && u[i + 1] == 0xBB &&
		    u[i + 2] == 0xBF) {
			i += 3;
			continue;
		}
		if (*space && b->len)
			td_buf_addch(b, ' ');
		*space = 0;
		/* the plain bytes up to the next one that needs a look */
		for (j = i + 1; j < n && !is_ws(u[j]) && u[j] != 0xC2 &&
				u[j] != 0xE2 && u[j] != 0xEF;
		     j++)
			;
		td_buf_add(b, p + i, j - i);
		i = j;
	}
}

/* Drop a UTF-8 sequence cut short at the end of a capped buffer. */
static size_t
utf8_trim(const char *p, size_t n)
{
	size_t i = n, need;

	while (i > 0 && n - i < 4 && ((unsigned char)p[i - 1] & 0xC0) == 0x80)
		i--;
	if (i == 0)
		return n;
	need = (unsigned char)p[i - 1] >= 0xF0	 ? 4
	       : (unsigned char)p[i - 1] >= 0xE0 ? 3
	       : (unsigned char)p[i - 1] >= 0xC0 ? 2
						 : 1;
	return n - (i - 1) < need ? i - 1 : n;
}

/* Deliver the whole text run (unless it is only whitespace). */
static void
run_flush(struct scanner *s)
{
	if (!s->run.len)
		return;
	if (!blank(s->run.ptr, s->run.len))
		emit_text(s, TD_HTML_TEXT_NODE, s->run.ptr, s->run.len);
	td_buf_truncate(&s->run, 0);
}

/*
 * The run is full: deliver it up to its last whitespace within
 * HTML_SPLIT_BACK bytes of the end, so that a word or URL is not cut,
 * and keep the rest.  Each split consumes at least HTML_TEXT_MAX -
 * HTML_SPLIT_BACK bytes, so the look-back stays linear.
 */
static void
run_split(struct scanner *s)
{
	size_t len = s->run.len, w = len;
	size_t lim = len > HTML_SPLIT_BACK ? len - HTML_SPLIT_BACK : 0;

	while (w > lim && !is_ws((unsigned char)s->run.ptr[w - 1]))
		w--;
	if (w == lim)
		w = len;
	if (!blank(s->run.ptr, w))
		emit_text(s, TD_HTML_TEXT_NODE, s->run.ptr, w);
	memmove(s->run.ptr, s->run.ptr + w, len - w);
	td_buf_truncate(&s->run, len - w);
}

/* Add text node bytes (decoded when dec) to the run and the link text. */
static void
run_add(struct scanner *s, const char *p, size_t n, int dec)
{
	if (s->prepass)
		return;
	while (n && !s->rc) {
		size_t old = s->run.len, used;

		if (dec) {
			used =
			    decode(&s->run, HTML_TEXT_MAX, p, n, DEC_DROP_NUL);
		} else {
			used = HTML_TEXT_MAX - old;
			if (used > n)
				used = n;
			td_buf_add(&s->run, p, used);
		}
		if (oom(s, &s->run))
			return;
		if (s->pend && s->run.len > old)
			collapse_add(&s->pend_text, &s->pend_space,
				     s->run.ptr + old, s->run.len - old);
		p += used;
		n -= used;
		if (n)
			run_split(s);
	}
}

/* Deliver the open <a href> with its link text. */
static void
pend_flush(struct scanner *s)
{
	struct td_html_link l;
	const struct td_buf *t;
	int r;

	if (!s->pend)
		return;
	s->pend = 0;
	if (!oom(s, &s->pend_text) && !oom(s, &s->pend_alt) && !s->rc &&
	    s->cb && s->cb->link) {
		t = s->pend_text.len ? &s->pend_text : &s->pend_alt;
		memset(&l, 0, sizeof(l));
		l.ctx = TD_HTML_A_HREF;
		l.tag = "a";
		l.value = s->pend_val.ptr;
		l.value_len = s->pend_val.len;
		l.resolved = s->pend_res.ptr;
		l.resolved_len = s->pend_res.len;
		if (t->len) {
			l.link_text_len = utf8_trim(t->ptr, t->len);
			/* NULL when empty, also after a cut sequence went */
			l.link_text = l.link_text_len ? t->ptr : NULL;
		}
		l.offset = s->pend_off;
		r = s->cb->link(&l, s->payload);
		if (r)
			s->rc = r;
	}
	td_buf_reset(&s->pend_val);
	td_buf_reset(&s->pend_res);
	td_buf_reset(&s->pend_text);
	td_buf_reset(&s->pend_alt);
	s->pend_space = s->alt_space = 0;
}

/* RFC 3986 3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
static int
has_scheme(const char *v, size_t n)
{
	size_t i;

	if (!n || !is_alpha((unsigned char)v[0]))
		return 0;
	for (i = 1; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c == ':')
			return 1;
		if (!is_alnum(c) && c != '+' && c != '-' && c != '.')
			return 0;
	}
	return 0;
}

/*
 * Prepare a URL the way a browser does before parsing it: strip leading
 * and trailing C0 controls and spaces, remove every tab and newline
 * (WHATWG URL "basic URL parser", steps 1-3), cap at HTML_URL_MAX.
 * Returns 0 when nothing is left.
 */
static int
url_norm(struct scanner *s, const char **vp, size_t *np)
{
	const char *v = *vp;
	size_t n = *np, i;

	while (n && (unsigned char)v[0] <= 0x20) {
		v++;
		n--;
	}
	while (n && (unsigned char)v[n - 1] <= 0x20)
		n--;
	if (!n)
		return 0;
	if (memchr(v, '\t', n) || memchr(v, '\n', n) || memchr(v, '\r', n)) {
		td_buf_reset(&s->norm);
		for (i = 0; i < n && s->norm.len < HTML_URL_MAX; i++)
			if (v[i] != '\t' && v[i] != '\n' && v[i] != '\r')
				td_buf_addch(&s->norm, v[i]);
		if (oom(s, &s->norm))
			return 0;
		v = s->norm.ptr;
		n = s->norm.len;
	}
	if (n > HTML_URL_MAX)
		n = HTML_URL_MAX;
	*vp = v;
	*np = n;
	return 1;
}

/*
 * Report one URL: normalise it, resolve it against the document base and
 * hand it to the link callback, or, for <a href>, keep it until the link
 * text is known.
 */
static void
report(struct scanner *s, enum td_html_ctx ctx, const char *tag, const char *v,
       size_t n, size_t off, int pend)
{
	struct td_html_link l;
	const char *r;
	size_t rn;
	int ret;

	if (s->rc || s->prepass || !url_norm(s, &v, &n))
		return;
	r = v;
	rn = n;
	if (s->base && !has_scheme(v, n)) {
		td_buf_reset(&s->res);
		ret = td_url_resolve(&s->res, s->base, v, n);
		if (ret == TD_ENOMEM || oom(s, &s->res)) {
			s->rc = TD_ENOMEM;
			return;
		}
		if (!ret && !td_buf_failed(&s->res)) {
			r = s->res.ptr;
			rn = s->res.len;
		}
	}
	if (pend) {
		td_buf_add(&s->pend_val, v, n);
		td_buf_add(&s->pend_res, r, rn);
		if (oom(s, &s->pend_val) || oom(s, &s->pend_res))
			return;
		s->pend = 1;
		s->pend_off = off;
		return;
	}
	if (!s->cb || !s->cb->link)
		return;
	memset(&l, 0, sizeof(l));
	l.ctx = ctx;
	l.tag = tag;
	l.value = v;
	l.value_len = n;
	l.resolved = r;
	l.resolved_len = rn;
	l.offset = off;
	ret = s->cb->link(&l, s->payload);
	if (ret)
		s->rc = ret;
}

/* The first <base href> (found by the pre-pass) becomes the base. */
static void
set_base(struct scanner *s, const char *v, size_t n)
{
	int ret;

	if (!url_norm(s, &v, &n))
		return;
	if (s->caller_base) {
		td_buf_reset(&s->res);
		ret = td_url_resolve(&s->res, s->caller_base, v, n);
		if (ret == TD_ENOMEM || oom(s, &s->res)) {
			s->rc = TD_ENOMEM;
			return;
		}
		if (!ret && !td_buf_failed(&s->res) && s->res.len) {
			td_buf_add(&s->docbase, s->res.ptr, s->res.len);
			goto out;
		}
	}
	if (has_scheme(v, n))
		td_buf_add(&s->docbase, v, n);
out:
	if (oom(s, &s->docbase))
		return;
	if (s->docbase.len && !td_buf_failed(&s->docbase))
		s->base = s->docbase.ptr;
}

/* ---- JavaScript: string literals assigned to location ---- */

static inline int
is_ident(unsigned char c)
{
	return is_alnum(c) || c == '_' || c == '$' || c >= 0x80;
}

static size_t
js_ws(const char *js, size_t n, size_t k)
{
	while (k < n && (is_ws((unsigned char)js[k]) || js[k] == '\v'))
		k++;
	return k;
}

static size_t
hex_run(const char *p, size_t n, size_t k, size_t max, uint32_t *cp)
{
	size_t i;

	*cp = 0;
	for (i = 0; i < max && k + i < n && is_xdigit((unsigned char)p[k + i]);
	     i++)
		if (*cp <= 0x10FFFF)
			*cp =
			    *cp * 16 + (uint32_t)xval((unsigned char)p[k + i]);
	return i;
}

static void
put_cp(struct td_buf *out, uint32_t cp)
{
	char tmp[4];

	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
	td_buf_add(out, tmp, utf8_put(tmp, cp));
}

/* A \u escape at p[k] (after "\u"): 4 hex digits or {hex}. */
static size_t
js_uesc(const char *p, size_t n, size_t k, uint32_t *cp)
{
	size_t d;

	if (k < n && p[k] == '{') {
		d = hex_run(p, n, k + 1, 8, cp);
		if (d && k + 1 + d < n && p[k + 1 + d] == '}')
			return 2 + d;
		return 0;
	}
	return hex_run(p, n, k, 4, cp) == 4 ? 4 : 0;
}

/*
 * Decode the JavaScript string literal that starts with the quote at
 * js[k] into out.  Returns the position after it; *closed is 0 when it
 * was cut by a newline, by "${" in a template or by the end.
 */
static size_t
js_string(struct td_buf *out, const char *js, size_t n, size_t k, int *closed)
{
	char q = js[k++];
	uint32_t cp, lo;
	size_t d, e;

	*closed = 0;
	while (k < n) {
		char c = js[k];

		if (c == q) {
			*closed = 1;
			return k + 1;
		}
		if (q != '`' && (c == '\n' || c == '\r'))
			return k;
		if (q == '`' && c == '$' && k + 1 < n && js[k + 1] == '{')
			return k;
		if (c != '\\') {
			for (e = k + 1;
			     e < n && js[e] != q && js[e] != '\\' &&
			     js[e] != '\n' && js[e] != '\r' && js[e] != '$';
			     e++)
				;
			td_buf_add(out, js + k, e - k);
			k = e;
			continue;
		}
		k++;
		if (k >= n)
			break;
		c = js[k++];
		switch (c) {
		case 'n':
			td_buf_addch(out, '\n');
			break;
		case 't':
			td_buf_addch(out, '\t');
			break;
		case 'r':
			td_buf_addch(out, '\r');
			break;
		case 'x':
			if (hex_run(js, n, k, 2, &cp) == 2) {
				put_cp(out, cp);
				k += 2;
			} else {
				td_buf_addch(out, 'x');
			}
			break;
		case 'u':
			d = js_uesc(js, n, k, &cp);
			if (!d) {
				td_buf_addch(out, 'u');
				break;
			}
			k += d;
			/* a surrogate pair written as two escapes */
			if (cp >= 0xD800 && cp <= 0xDBFF && k + 1 < n &&
			    js[k] == '\\' && js[k + 1] == 'u' &&
			    (d = js_uesc(js, n, k + 2, &lo)) && lo >= 0xDC00 &&
			    lo <= 0xDFFF) {
				cp = 0x10000 + ((cp - 0xD800) << 10) +
				     (lo - 0xDC00);
				k += 2 + d;
			}
			put_cp(out, cp);
			break;
		case '\r':
			if (k < n && js[k] == '\n')
				k++;
			break;
		case '\n':
			break;
		default:
			td_buf_addch(out, c);
			break;
		}
	}
	return k;
}

/*
 * The value assigned or passed at js[k]: string literals joined by '+'
 * and atob("...") of a literal.  Reports what was collected (a leading
 * literal of "'https://x/?u=' + user" is still the host).  Returns the
 * position after what was consumed.
 */
static size_t
js_value(struct scanner *s, const char *js, size_t n, size_t k, const char *tag,
	 size_t off)
{
	int got = 0, closed;
	size_t a;

	td_buf_reset(&s->lit);
	for (;;) {
		k = js_ws(js, n, k);
		if (k >= n)
			break;
		if (js[k] == '"' || js[k] == '\'' || js[k] == '`') {
			k = js_string(&s->lit, js, n, k, &closed);
			got = 1;
			if (!closed)
				break;
		} else {
			a = ci_prefix(js + k, n - k, "window.atob(") ? 12
			    : ci_prefix(js + k, n - k, "atob(")	     ? 5
								     : 0;
			if (!a)
				break;
			k = js_ws(js, n, k + a);
			if (k >= n || (js[k] != '"' && js[k] != '\''))
				break;
			td_buf_reset(&s->tmp);
			k = js_string(&s->tmp, js, n, k, &closed);
			if (!closed)
				break;
			td_base64_decode(&s->lit, s->tmp.ptr, s->tmp.len, 1);
			got = 1;
			k = js_ws(js, n, k);
			if (k >= n || js[k] != ')')
				break;
			k++;
		}
		k = js_ws(js, n, k);
		if (k < n && js[k] == '+') {
			k++;
			continue;
		}
		break;
	}
	if (oom(s, &s->lit) || oom(s, &s->tmp))
		return n;
	if (got)
		report(s, TD_HTML_JS_LOCATION, tag, s->lit.ptr, s->lit.len, off,
		       0);
	return k;
}

/* After "location" at js[k]: = "...", .href = , .replace( , .assign( */
static size_t
js_location(struct scanner *s, const char *js, size_t n, size_t k,
	    const char *tag, size_t off)
{
	size_t ms, me, mlen;
	char q;

	k = js_ws(js, n, k);
	if (k < n && (js[k] == '.' || js[k] == '[')) {
		if (js[k] == '[') {
			k = js_ws(js, n, k + 1);
			if (k >= n || (js[k] != '"' && js[k] != '\''))
				return k;
			q = js[k];
			ms = ++k;
			while (k < n && js[k] != q && js[k] != '\n')
				k++;
			me = k;
			if (k >= n || js[k] != q)
				return k;
			k = js_ws(js, n, k + 1);
			if (k >= n || js[k] != ']')
				return k;
			k++;
		} else {
			ms = k = js_ws(js, n, k + 1);
			while (k < n && is_ident((unsigned char)js[k]))
				k++;
			me = k;
		}
		mlen = me - ms;
		if ((mlen == 7 && !memcmp(js + ms, "replace", 7)) ||
		    (mlen == 6 && !memcmp(js + ms, "assign", 6))) {
			k = js_ws(js, n, k);
			if (k < n && js[k] == '(')
				return js_value(s, js, n, k + 1, tag, off);
			return k;
		}
		if (mlen != 4 || memcmp(js + ms, "href", 4))
			return k;
		k = js_ws(js, n, k);
	}
	if (k < n && js[k] == '=' &&
	    (k + 1 >= n || (js[k + 1] != '=' && js[k + 1] != '>')))
		return js_value(s, js, n, k + 1, tag, off);
	return k;
}

/*
 * Find string literals assigned to location (window., document., top.,
 * self., parent. or bare; .href, ['href'], .replace(), .assign()) and
 * passed to window.open().  off is the tag offset, or for a <script> body
 * (body != 0) the body's offset, to which the match position is added.
 */
static void
scan_js(struct scanner *s, const char *js, size_t n, const char *tag,
	size_t off, int body)
{
	const char *p;
	size_t i, at = 0, k = 0;

	if (s->prepass)
		return;
	for (i = 0; i < n && !s->rc; i = k > at + 8 ? k : at + 8) {
		p = memmem(js + i, n - i, "location", 8);
		if (!p)
			break;
		at = (size_t)(p - js);
		k = at + 8;
		if ((at && is_ident((unsigned char)js[at - 1])) ||
		    (k < n && is_ident((unsigned char)js[k])))
			continue;
		k = js_location(s, js, n, k, tag, body ? off + at : off);
	}
	for (i = 0; i < n && !s->rc; i = k > at + 11 ? k : at + 11) {
		p = memmem(js + i, n - i, "window.open", 11);
		if (!p)
			break;
		at = (size_t)(p - js);
		k = js_ws(js, n, at + 11);
		if ((at && (is_ident((unsigned char)js[at - 1]))) || k >= n ||
		    js[k] != '(')
			continue;
		k = js_value(s, js, n, k + 1, tag, body ? off + at : off);
	}
}

/* ---- CSS: url() and @import ---- */

static inline int
is_css_ident(unsigned char c)
{
	return is_alnum(c) || c == '-' || c == '_' || c == '\\' || c >= 0x80;
}

static size_t
css_ws(const char *css, size_t n, size_t k)
{
	while (k < n && is_ws((unsigned char)css[k]))
		k++;
	return k;
}

/* CSS Syntax 4.3.7: the escape after a backslash at css[k - 1]. */
static size_t
css_escape(struct td_buf *out, const char *css, size_t n, size_t k)
{
	uint32_t cp;
	size_t d;

	if (k >= n)
		return k;
	d = hex_run(css, n, k, 6, &cp);
	if (d) {
		k += d;
		if (k < n && is_ws((unsigned char)css[k]))
			k++;
		put_cp(out, cp ? cp : 0xFFFD);
		return k;
	}
	td_buf_addch(out, css[k]);
	return k + 1;
}

static size_t
css_string(struct td_buf *out, const char *css, size_t n, size_t k)
{
	char q = css[k++];
	size_t e;

	while (k < n) {
		char c = css[k];

		if (c == q)
			return k + 1;
		if (c == '\n')
			return k; /* bad string */
		if (c == '\\') {
			if (k + 1 < n && css[k + 1] == '\n')
				k += 2;
			else
				k = css_escape(out, css, n, k + 1);
			continue;
		}
		for (e = k + 1;
		     e < n && css[e] != q && css[e] != '\n' && css[e] != '\\';
		     e++)
			;
		td_buf_add(out, css + k, e - k);
		k = e;
	}
	return k;
}

/* After "url(" at css[k]. */
static size_t
css_url(struct scanner *s, const char *css, size_t n, size_t k, const char *tag,
	size_t off)
{
	td_buf_reset(&s->lit);
	k = css_ws(css, n, k);
	if (k < n && (css[k] == '"' || css[k] == '\'')) {
		k = css_string(&s->lit, css, n, k);
	} else {
		while (k < n && css[k] != ')' &&
		       !is_ws((unsigned char)css[k]) && css[k] != '"' &&
		       css[k] != '\'') {
			if (css[k] == '\\')
				k = css_escape(&s->lit, css, n, k + 1);
			else
				td_buf_addch(&s->lit, css[k++]);
		}
	}
	if (!oom(s, &s->lit) && s->lit.len)
		report(s, TD_HTML_CSS_URL, tag, s->lit.ptr, s->lit.len, off, 0);
	return k;
}

static void
scan_css(struct scanner *s, const char *css, size_t n, const char *tag,
	 size_t off, int body)
{
	const char *p, *lp = NULL, *at = NULL, *end = css + n;
	size_t i = 0, k;

	if (s->prepass)
		return;
	while (i < n && !s->rc) {
		/* the next '(' and '@', each found once */
		if (!lp || lp < css + i)
			lp = memchr(css + i, '(', n - i);
		if (!lp)
			lp = end;
		if (!at || at < css + i)
			at = memchr(css + i, '@', n - i);
		if (!at)
			at = end;
		p = lp < at ? lp : at;
		if (p == end)
			break;
		i = (size_t)(p - css);
		if (*p == '(' && i >= 3 && ci_prefix(p - 3, 3, "url") &&
		    (i == 3 || !is_css_ident((unsigned char)p[-4]))) {
			i = css_url(s, css, n, i + 1, tag,
				    body ? off + i - 3 : off);
			continue;
		}
		if (*p == '@' && ci_prefix(p, n - i, "@import")) {
			k = css_ws(css, n, i + 7);
			if (k < n && (css[k] == '"' || css[k] == '\'')) {
				td_buf_reset(&s->lit);
				k = css_string(&s->lit, css, n, k);
				if (!oom(s, &s->lit) && s->lit.len)
					report(s, TD_HTML_CSS_URL, tag,
					       s->lit.ptr, s->lit.len,
					       body ? off + i : off, 0);
			}
			i = k;
			continue;
		}
		i++;
	}
}

/* ---- attribute values ---- */

/*
 * The value of an attribute, decoded into b (at most limit bytes) when it
 * holds references or NULs, else the raw input slice.  Returns how many
 * raw bytes the result covers.
 */
static size_t
attr_value(struct scanner *s, struct td_buf *b, size_t limit, const char **vp,
	   size_t *np)
{
	size_t used;

	if (!*np || !needs_decode(*vp, *np))
		return *np;
	td_buf_reset(b);
	used = decode(b, limit, *vp, *np, DEC_ATTR);
	if (oom(s, b))
		used = *np;
	*vp = b->ptr;
	*np = b->len;
	return used;
}

/* Deliver an attribute value that is not a URL as text. */
static void
attr_text(struct scanner *s, const char *v, size_t n)
{
	const char *d = v;
	size_t dn = n, used;

	if (s->prepass || n < HTML_ATTR_MIN)
		return;
	used = attr_value(s, &s->atext, HTML_ATTR_MAX, &d, &dn);
	emit_text(s, TD_HTML_TEXT_ATTR, d, dn);
	/* past the cap the rest goes undecoded rather than not at all */
	if (used < n)
		emit_text(s, TD_HTML_TEXT_ATTR, v + used, n - used);
}

/*
 * on*= (js): scan for URLs, then deliver as text.  style= (css): scan
 * only; the rest of an inline style is presentation, and as text it would
 * feed the URL and IOC finders "14.399999999999999px" and the like.
 */
static void
code_attr(struct scanner *s, const char *v, size_t n, int js)
{
	const char *tag = s->ti ? s->ti->name : s->tagname;
	const char *d = v;
	size_t dn = n, used;

	if (s->prepass || !n)
		return;
	used = attr_value(s, &s->code, HTML_CODE_MAX, &d, &dn);
	if (!js) {
		scan_css(s, d, dn, tag, s->tag_off, 0);
		return;
	}
	scan_js(s, d, dn, tag, s->tag_off, 0);
	if (dn >= HTML_ATTR_MIN)
		emit_text(s, TD_HTML_TEXT_ATTR, d, dn);
	if (used < n)
		emit_text(s, TD_HTML_TEXT_ATTR, v + used, n - used);
}

/* A URL-bearing attribute: report it; run javascript: URLs as JS too. */
static void
url_attr(struct scanner *s, enum td_html_ctx ctx, enum attr_id id, int pend)
{
	const char *tag = s->ti ? s->ti->name : s->tagname;
	const char *v = s->slot[id].p;
	size_t n = s->slot[id].n;

	attr_value(s, &s->val, HTML_URL_MAX, &v, &n);
	report(s, ctx, tag, v, n, s->tag_off, pend);
	while (n && (unsigned char)*v <= 0x20) {
		v++;
		n--;
	}
	if (ci_prefix(v, n, "javascript:"))
		scan_js(s, v + 11, n - 11, tag, s->tag_off, 0);
}

/* Whitespace-separated URLs (ping=). */
static void
list_attr(struct scanner *s, enum td_html_ctx ctx, enum attr_id id)
{
	const char *tag = s->ti ? s->ti->name : s->tagname;
	const char *v = s->slot[id].p;
	size_t n = s->slot[id].n, i = 0, st;

	attr_value(s, &s->code, HTML_CODE_MAX, &v, &n);
	while (i < n && !s->rc) {
		while (i < n && is_ws((unsigned char)v[i]))
			i++;
		st = i;
		while (i < n && !is_ws((unsigned char)v[i]))
			i++;
		if (i > st)
			report(s, ctx, tag, v + st, i - st, s->tag_off, 0);
	}
}

/* HTML LS 4.8.4.3.1 "parse a srcset attribute": each candidate URL. */
static void
srcset_attr(struct scanner *s)
{
	const char *tag = s->ti ? s->ti->name : s->tagname;
	const char *v = s->slot[AT_SRCSET].p;
	size_t n = s->slot[AT_SRCSET].n, i = 0, st, e;
	int paren;

	attr_value(s, &s->code, HTML_CODE_MAX, &v, &n);
	while (i < n && !s->rc) {
		while (i < n && (is_ws((unsigned char)v[i]) || v[i] == ','))
			i++;
		st = i;
		while (i < n && !is_ws((unsigned char)v[i]))
			i++;
		e = i;
		if (e == st)
			break;
		if (v[e - 1] == ',') {
			/* "a.png, b.png": trailing commas end it */
			while (e > st && v[e - 1] == ',')
				e--;
			report(s, TD_HTML_SRCSET, tag, v + st, e - st,
			       s->tag_off, 0);
			continue;
		}
		report(s, TD_HTML_SRCSET, tag, v + st, e - st, s->tag_off, 0);
		/* descriptors run to a comma outside parentheses */
		for (paren = 0; i < n; i++) {
			if (v[i] == '(')
				paren = 1;
			else if (v[i] == ')')
				paren = 0;
			else if (v[i] == ',' && !paren)
				break;
		}
	}
}

/*
 * HTML LS 4.2.5.3 (shared declarative refresh steps), tolerantly:
 * "5; url='https://x'", "0;URL=https://x", "0, https://x".  A missing
 * time does not make us ignore the URL.
 */
static void
refresh_attr(struct scanner *s)
{
	const char *v = s->slot[AT_CONTENT].p;
	size_t n = s->slot[AT_CONTENT].n, i = 0, j, e;
	char q;

	attr_value(s, &s->val, HTML_URL_MAX, &v, &n);
	while (i < n && is_ws((unsigned char)v[i]))
		i++;
	while (i < n && (is_digit((unsigned char)v[i]) || v[i] == '.'))
		i++;
	while (i < n && is_ws((unsigned char)v[i]))
		i++;
	if (i < n && (v[i] == ';' || v[i] == ','))
		i++;
	while (i < n && is_ws((unsigned char)v[i]))
		i++;
	if (ci_prefix(v + i, n - i, "url")) {
		j = i + 3;
		while (j < n && is_ws((unsigned char)v[j]))
			j++;
		if (j < n && v[j] == '=') {
			j++;
			while (j < n && is_ws((unsigned char)v[j]))
				j++;
			i = j;
		}
	}
	e = n;
	if (i < n && (v[i] == '"' || v[i] == '\'')) {
		q = v[i++];
		for (j = i; j < n && v[j] != q; j++)
			;
		e = j;
	}
	if (e > i)
		report(s, TD_HTML_META_REFRESH, "meta", v + i, e - i,
		       s->tag_off, 0);
}

static int
slot_is(struct scanner *s, enum attr_id id, const char *word)
{
	const char *v = s->slot[id].p;
	size_t n = s->slot[id].n;

	if (!(s->seen & 1ul << id))
		return 0;
	attr_value(s, &s->atext, 64, &v, &n);
	while (n && is_ws((unsigned char)*v)) {
		v++;
		n--;
	}
	while (n && is_ws((unsigned char)v[n - 1]))
		n--;
	return n == strlen(word) && ci_prefix(v, n, word);
}

/* One attribute, as soon as it is complete.  v is NULL without a value. */
static void
attr_done(struct scanner *s, const char *name, size_t nlen, const char *v,
	  size_t vn)
{
	char lname[33];
	enum attr_id id;
	size_t i;

	for (i = 0; i < nlen && i < sizeof(lname) - 1; i++)
		lname[i] = (char)lower((unsigned char)name[i]);
	lname[i] = '\0';
	if (nlen < sizeof(lname))
		id = attr_find(lname, nlen);
	else
		id = attr_find(lname, 2) == AT_ON ? AT_ON : AT_OTHER;
	if (s->prepass) {
		if (id == AT_HREF && s->ti && s->ti->id == TG_BASE &&
		    !s->end_tag && !(s->seen & 1ul << AT_HREF)) {
			s->seen |= 1ul << AT_HREF;
			s->slot[AT_HREF].p = v ? v : "";
			s->slot[AT_HREF].n = vn;
		}
		return;
	}
	if (id == AT_SKIP)
		return;
	if (id == AT_MAYBE) {
		/* "https://x/i.png" and "x.example" hide in class names */
		if (v && (memchr(v, '.', vn) || memchr(v, '/', vn) ||
			  memchr(v, ':', vn) || memchr(v, '@', vn)))
			attr_text(s, v, vn);
		return;
	}
	if (s->end_tag || id == AT_OTHER) {
		if (v)
			attr_text(s, v, vn);
		return;
	}
	if (id == AT_ON) {
		if (v)
			code_attr(s, v, vn, 1);
		return;
	}
	if (s->seen & 1ul << id) {
		/* HTML LS 13.2.5.33: a duplicate attribute is dropped */
		if (v)
			attr_text(s, v, vn);
		return;
	}
	s->seen |= 1ul << id;
	s->slot[id].p = v ? v : "";
	s->slot[id].n = vn;
}

/* ---- tags ---- */

static void
start_tag_done(struct scanner *s)
{
	int tid = s->ti ? s->ti->id : TG_OTHER;
	int svgref = tid == TG_A || tid == TG_IMAGE || tid == TG_FEIMAGE ||
		     tid == TG_USE;
	unsigned id;
	const char *v;
	size_t n;

	if (s->prepass) {
		if (tid == TG_BASE && s->seen & 1ul << AT_HREF) {
			v = s->slot[AT_HREF].p;
			n = s->slot[AT_HREF].n;
			attr_value(s, &s->val, HTML_URL_MAX, &v, &n);
			set_base(s, v, n);
			s->stop = 1;
		}
		return;
	}
	if (s->ti && s->ti->flags & T_BREAK) {
		run_flush(s);
		s->pend_space = 1;
	}
	if (tid == TG_A)
		pend_flush(s);
	for (id = AT_FIRST_SLOT; id < AT_NR && !s->rc; id++) {
		if (!(s->seen & 1ul << id))
			continue;
		switch (id) {
		case AT_HREF:
			url_attr(s,
				 tid == TG_A	     ? TD_HTML_A_HREF
				 : tid == TG_AREA    ? TD_HTML_AREA_HREF
				 : tid == TG_LINK    ? TD_HTML_LINK_HREF
				 : tid == TG_IMAGE   ? TD_HTML_SRC
				 : tid == TG_FEIMAGE ? TD_HTML_SRC
						     : TD_HTML_OTHER_ATTR,
				 AT_HREF, tid == TG_A);
			break;
		case AT_XLINK_HREF:
			/* SVG 2: href wins over xlink:href */
			if (svgref && s->seen & 1ul << AT_HREF)
				attr_text(s, s->slot[id].p, s->slot[id].n);
			else
				url_attr(s,
					 tid == TG_A ? TD_HTML_A_HREF
					 : tid == TG_IMAGE || tid == TG_FEIMAGE
					     ? TD_HTML_SRC
					     : TD_HTML_OTHER_ATTR,
					 AT_XLINK_HREF, tid == TG_A);
			break;
		case AT_SRC:
		case AT_LOWSRC:
		case AT_DYNSRC:
			url_attr(s, TD_HTML_SRC, (enum attr_id)id, 0);
			break;
		case AT_SRCSET:
			srcset_attr(s);
			break;
		case AT_ACTION:
			if (tid == TG_FORM)
				url_attr(s, TD_HTML_FORM_ACTION, AT_ACTION, 0);
			else
				attr_text(s, s->slot[id].p, s->slot[id].n);
			break;
		case AT_FORMACTION:
			url_attr(s, TD_HTML_FORMACTION, AT_FORMACTION, 0);
			break;
		case AT_BACKGROUND:
			url_attr(s, TD_HTML_BACKGROUND, AT_BACKGROUND, 0);
			break;
		case AT_DATA:
			if (tid == TG_OBJECT)
				url_attr(s, TD_HTML_OTHER_ATTR, AT_DATA, 0);
			else
				attr_text(s, s->slot[id].p, s->slot[id].n);
			break;
		case AT_POSTER:
		case AT_CITE:
		case AT_LONGDESC:
		case AT_MANIFEST:
		case AT_CODEBASE:
			url_attr(s, TD_HTML_OTHER_ATTR, (enum attr_id)id, 0);
			break;
		case AT_PING:
			list_attr(s, TD_HTML_OTHER_ATTR, AT_PING);
			break;
		case AT_CONTENT:
			if (tid == TG_META &&
			    slot_is(s, AT_HTTP_EQUIV, "refresh"))
				refresh_attr(s);
			else
				attr_text(s, s->slot[id].p, s->slot[id].n);
			break;
		case AT_STYLE:
			code_attr(s, s->slot[id].p, s->slot[id].n, 0);
			break;
		case AT_ALT:
			v = s->slot[id].p;
			n = s->slot[id].n;
			attr_text(s, v, n);
			if (s->pend && tid == TG_IMG) {
				attr_value(s, &s->atext, HTML_ATTR_MAX, &v, &n);
				s->alt_space = 1;
				collapse_add(&s->pend_alt, &s->alt_space, v, n);
			}
			break;
		default:
			break;
		}
	}
}

static void
end_tag_done(struct scanner *s)
{
	int tid = s->ti ? s->ti->id : TG_OTHER;

	if ((tid == TG_SVG || tid == TG_MATH) && s->foreign)
		s->foreign--;
	if (s->prepass)
		return;
	if (tid == TG_A)
		pend_flush(s);
	if (s->ti && s->ti->flags & T_BREAK) {
		run_flush(s);
		s->pend_space = 1;
	}
}

static size_t parse_tag(struct scanner *s, size_t pos);

/*
 * Raw text and RCDATA elements (HTML LS 13.2.5.2 - 13.2.5.3): the body
 * runs to "</name" followed by whitespace, '/' or '>', or to the end.
 */
static size_t
raw_text(struct scanner *s, size_t start)
{
	const struct tag_info *ti = s->ti;
	const char *in = s->in, *lt;
	size_t len = s->len, nlen = strlen(ti->name), k = start, t;
	size_t end = len;
	unsigned char c;

	while (k < len) {
		lt = memchr(in + k, '<', len - k);
		if (!lt)
			break;
		t = (size_t)(lt - in);
		if (t + 2 + nlen < len && in[t + 1] == '/' &&
		    ci_prefix(in + t + 2, nlen, ti->name)) {
			c = (unsigned char)in[t + 2 + nlen];
			if (is_ws(c) || c == '/' || c == '>') {
				end = t;
				break;
			}
		}
		k = t + 1;
	}
	if (!s->prepass) {
		const char *body = in + start;
		size_t n = end - start;

		if (ti->id == TG_SCRIPT) {
			emit_text(s, TD_HTML_TEXT_SCRIPT, body, n);
			scan_js(s, body, n, "script", start, 1);
		} else if (ti->id == TG_STYLE) {
			emit_text(s, TD_HTML_TEXT_STYLE, body, n);
			scan_css(s, body, n, "style", start, 1);
		} else if (ti->flags & T_RCDATA) {
			run_add(s, body, n, 1);
			run_flush(s);
		} else if (!blank(body, n)) {
			emit_text(s, TD_HTML_TEXT_NODE, body, n);
		}
	}
	return end < len ? parse_tag(s, end) : len;
}

static void
set_tagname(struct scanner *s, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < HTML_TAGNAME_MAX; i++)
		s->tagname[i] = p[i] ? (char)lower((unsigned char)p[i]) : '?';
	s->tagname[i] = '\0';
	s->ti = n <= HTML_TAGNAME_MAX ? tag_find(s->tagname, n) : NULL;
}

/* A tag name that is really a URL, host or address written in <>. */
static int
url_like(const char *p, size_t n)
{
	return n && (memchr(p, '.', n) || memchr(p, '@', n) || p[n - 1] == ':');
}

/*
 * A start or end tag at in[pos] == '<' (HTML LS 13.2.5.6 - 13.2.5.40).
 * Returns the position after it (and after the element's body for raw
 * text elements).  A tag cut by the end of the input is still acted on;
 * an attribute value cut by the end is delivered as text only.
 */
static size_t
parse_tag(struct scanner *s, size_t pos)
{
	const char *in = s->in;
	size_t len = s->len, i = pos + 1, ns, ne, as, ae, vs;
	const char *e;
	int self_closing = 0;
	char c;

	s->end_tag = in[i] == '/';
	if (s->end_tag)
		i++;
	ns = i;
	while (i < len && !is_ws((unsigned char)in[i]) && in[i] != '/' &&
	       in[i] != '>')
		i++;
	ne = i;
	set_tagname(s, in + ns, ne - ns);
	s->tag_off = pos;
	s->seen = 0;
	while (!s->rc) {
		while (i < len && is_ws((unsigned char)in[i]))
			i++;
		if (i >= len)
			break;
		c = in[i];
		if (c == '>') {
			i++;
			break;
		}
		if (c == '/') {
			if (++i < len && in[i] == '>') {
				self_closing = 1;
				i++;
				break;
			}
			continue;
		}
		as = i++; /* a leading '=' belongs to the name (13.2.5.32) */
		while (i < len && !is_ws((unsigned char)in[i]) &&
		       in[i] != '/' && in[i] != '>' && in[i] != '=')
			i++;
		ae = i;
		while (i < len && is_ws((unsigned char)in[i]))
			i++;
		if (i >= len || in[i] != '=') {
			attr_done(s, in + as, ae - as, NULL, 0);
			continue;
		}
		i++;
		while (i < len && is_ws((unsigned char)in[i]))
			i++;
		if (i >= len) {
			attr_done(s, in + as, ae - as, "", 0);
			break;
		}
		c = in[i];
		if (c == '"' || c == '\'') {
			e = memchr(in + i + 1, c, len - i - 1);
			if (!e) {
				attr_text(s, in + i + 1, len - i - 1);
				i = len;
				break;
			}
			attr_done(s, in + as, ae - as, in + i + 1,
				  (size_t)(e - in) - i - 1);
			i = (size_t)(e - in) + 1;
		} else if (c == '>') {
			attr_done(s, in + as, ae - as, "", 0);
			i++;
			break;
		} else {
			vs = i;
			while (i < len && !is_ws((unsigned char)in[i]) &&
			       in[i] != '>')
				i++;
			attr_done(s, in + as, ae - as, in + vs, i - vs);
		}
	}
	if (s->rc)
		return len;
	if (s->end_tag) {
		end_tag_done(s);
		return i;
	}
	start_tag_done(s);
	if (!s->ti && !s->prepass && url_like(in + ns, ne - ns)) {
		/* "<https://x/>", "<www.x.com>": hidden, but still an IOC */
		emit_text(s, TD_HTML_TEXT_NODE, in + ns,
			  i - ns - (in[i - 1] == '>'));
	}
	if (!s->ti || s->rc || s->stop)
		return s->rc || s->stop ? len : i;
	if (s->ti->flags & T_FOREIGN) {
		if (!self_closing)
			s->foreign++;
		return i;
	}
	if (s->ti->id == TG_PLAINTEXT) {
		/* everything after <plaintext> is text */
		if (!s->prepass && !blank(in + i, len - i))
			emit_text(s, TD_HTML_TEXT_NODE, in + i, len - i);
		return len;
	}
	if (s->ti->flags & (T_RAW | T_RCDATA) && !(s->foreign && self_closing))
		return raw_text(s, i);
	return i;
}

/*
 * A comment body: delivered unless blank, a conditional-comment marker or
 * an XML declaration.
 */
static void
comment_text(struct scanner *s, const char *p, size_t n)
{
	if (ci_prefix(p, n, "<![endif]") || ci_prefix(p, n, "[endif]") ||
	    ci_prefix(p, n, "?xml ") || blank(p, n))
		return;
	emit_text(s, TD_HTML_TEXT_COMMENT, p, n);
}

/* Bogus comment (13.2.5.41): from in[start] to the next '>'. */
static size_t
bogus_comment(struct scanner *s, size_t start)
{
	const char *gt = memchr(s->in + start, '>', s->len - start);
	size_t end = gt ? (size_t)(gt - s->in) : s->len;

	comment_text(s, s->in + start, end - start);
	return gt ? end + 1 : s->len;
}

/*
 * "<!" at in[pos]: comment (13.2.5.43 - 13.2.5.52), DOCTYPE (skipped),
 * CDATA (text in svg/math, else a bogus comment, 13.2.5.42), anything
 * else a bogus comment.  Outlook's "<!--[if mso]>" is made transparent:
 * what it hides from browsers, Outlook shows.
 */
static size_t
markup_decl(struct scanner *s, size_t pos)
{
	const char *in = s->in, *gt;
	size_t len = s->len, i = pos + 2, k, g;

	if (i + 1 < len && in[i] == '-' && in[i + 1] == '-') {
		i += 2;
		if (ci_prefix(in + i, len - i, "[if")) {
			gt = memchr(in + i, '>', len - i);
			if (gt)
				return (size_t)(gt - in) + 1;
		}
		for (k = i; k < len; k = g + 1) {
			gt = memchr(in + k, '>', len - k);
			if (!gt)
				break;
			g = (size_t)(gt - in);
			if (g == i || (g == i + 1 && in[i] == '-'))
				return g + 1; /* <!--> and <!---> */
			if (g >= i + 2 && in[g - 1] == '-' &&
			    in[g - 2] == '-') {
				comment_text(s, in + i, g - 2 - i);
				return g + 1;
			}
			if (g >= i + 3 && in[g - 1] == '!' &&
			    in[g - 2] == '-' && in[g - 3] == '-') {
				comment_text(s, in + i, g - 3 - i);
				return g + 1;
			}
		}
		/* unterminated: the rest of the input is comment */
		comment_text(s, in + i, len - i);
		return len;
	}
	if (s->foreign && len - i >= 7 && !memcmp(in + i, "[CDATA[", 7)) {
		i += 7;
		for (k = i + 2; k < len; k = g + 1) {
			gt = memchr(in + k, '>', len - k);
			if (!gt)
				break;
			g = (size_t)(gt - in);
			if (in[g - 1] == ']' && in[g - 2] == ']') {
				run_add(s, in + i, g - 2 - i, 0);
				return g + 1;
			}
		}
		run_add(s, in + i, len - i, 0);
		return len;
	}
	if (ci_prefix(in + i, len - i, "doctype")) {
		gt = memchr(in + i, '>', len - i);
		return gt ? (size_t)(gt - in) + 1 : len;
	}
	return bogus_comment(s, i);
}

/* Something starting with '<' at in[pos] (13.2.5.6). */
static size_t
markup(struct scanner *s, size_t pos)
{
	const char *in = s->in;
	size_t len = s->len;
	unsigned char c;

	if (pos + 1 >= len) {
		run_add(s, "<", 1, 0);
		return len;
	}
	c = (unsigned char)in[pos + 1];
	if (is_alpha(c))
		return parse_tag(s, pos);
	if (c == '/') {
		if (pos + 2 >= len) {
			run_add(s, "</", 2, 0);
			return len;
		}
		c = (unsigned char)in[pos + 2];
		if (is_alpha(c))
			return parse_tag(s, pos);
		if (c == '>')
			return pos + 3; /* "</>" is dropped */
		return bogus_comment(s, pos + 2);
	}
	if (c == '!')
		return markup_decl(s, pos);
	if (c == '?')
		return bogus_comment(s, pos + 1);
	run_add(s, "<", 1, 0);
	return pos + 1;
}

static void
scan(struct scanner *s)
{
	const char *in = s->in, *lt;
	size_t len = s->len, pos = 0, t;

	while (pos < len && !s->rc && !s->stop) {
		lt = memchr(in + pos, '<', len - pos);
		t = lt ? (size_t)(lt - in) : len;
		if (t > pos)
			run_add(s, in + pos, t - pos, 1);
		if (!lt)
			break;
		pos = markup(s, t);
	}
	run_flush(s);
	pend_flush(s);
}

/* Is there anything like "<base" followed by a delimiter?  (Cheap.) */
static int
maybe_base(const char *in, size_t len)
{
	const char *lt;
	size_t pos = 0, t;

	while (pos < len && (lt = memchr(in + pos, '<', len - pos))) {
		t = (size_t)(lt - in);
		if (t + 5 < len && ci_prefix(in + t + 1, 4, "base") &&
		    (is_ws((unsigned char)in[t + 5]) || in[t + 5] == '/' ||
		     in[t + 5] == '>'))
			return 1;
		pos = t + 1;
	}
	return 0;
}

static void
scanner_release(struct scanner *s)
{
	td_buf_release(&s->pend_val);
	td_buf_release(&s->pend_res);
	td_buf_release(&s->pend_text);
	td_buf_release(&s->pend_alt);
	td_buf_release(&s->run);
	td_buf_release(&s->val);
	td_buf_release(&s->code);
	td_buf_release(&s->atext);
	td_buf_release(&s->norm);
	td_buf_release(&s->res);
	td_buf_release(&s->lit);
	td_buf_release(&s->tmp);
	td_buf_release(&s->docbase);
}

int
td_html_scan(const char *html, size_t len, const char *base,
	     const struct td_html_cb *cb, void *payload)
{
	struct scanner s;
	int rc;

	memset(&s, 0, sizeof(s));
	s.in = html ? html : "";
	s.len = html ? len : 0;
	s.cb = cb;
	s.payload = payload;
	s.caller_base = base && *base ? base : NULL;
	s.base = s.caller_base;
	td_buf_init(&s.pend_val, HTML_URL_MAX);
	td_buf_init(&s.pend_res, 2 * HTML_URL_MAX + 64);
	td_buf_init(&s.pend_text, HTML_LINKTEXT_MAX);
	td_buf_init(&s.pend_alt, HTML_LINKTEXT_MAX);
	td_buf_init(&s.run, HTML_TEXT_MAX);
	td_buf_init(&s.val, HTML_URL_MAX);
	td_buf_init(&s.code, HTML_CODE_MAX);
	td_buf_init(&s.atext, HTML_ATTR_MAX);
	td_buf_init(&s.norm, HTML_URL_MAX);
	td_buf_init(&s.res, 2 * HTML_URL_MAX + 64);
	td_buf_init(&s.lit, HTML_URL_MAX);
	td_buf_init(&s.tmp, HTML_URL_MAX);
	td_buf_init(&s.docbase, 2 * HTML_URL_MAX + 64);

	/*
	 * The document base applies to every URL, even those before the
	 * <base> element (HTML LS 2.4.1 "document base URL"), so it is
	 * found first.  The pre-pass runs the same tokenizer, only when a
	 * "<base" appears at all, and stops at the first <base href>.
	 */
	if (maybe_base(s.in, s.len)) {
		s.prepass = 1;
		scan(&s);
		s.prepass = 0;
		s.stop = 0;
		s.foreign = 0;
	}
	if (!s.rc)
		scan(&s);
	rc = s.rc;
	scanner_release(&s);
	return rc;
}

const char *
td_html_ctx_name(enum td_html_ctx ctx)
{
	static const char *const names[] = {
	    [TD_HTML_A_HREF] = "a href",
	    [TD_HTML_AREA_HREF] = "area href",
	    [TD_HTML_FORM_ACTION] = "form action",
	    [TD_HTML_FORMACTION] = "formaction",
	    [TD_HTML_SRC] = "src",
	    [TD_HTML_SRCSET] = "srcset",
	    [TD_HTML_LINK_HREF] = "link href",
	    [TD_HTML_BACKGROUND] = "background",
	    [TD_HTML_META_REFRESH] = "meta refresh",
	    [TD_HTML_CSS_URL] = "css url",
	    [TD_HTML_JS_LOCATION] = "js location",
	    [TD_HTML_OTHER_ATTR] = "url attribute",
	};

	if ((unsigned)ctx < ARRAY_SIZE(names) && names[ctx])
		return names[ctx];
	return "unknown";
}

/* ---- sniffing ---- */

/*
 * Tag names that plain text practically never has right after '<'.  The
 * first four are enough on their own at the very start.
 */
static const char *const sniff_tags[] = {
    "html",	  "head",  "body",   "svg",    "a",	"b",	  "base",
    "blockquote", "br",	   "center", "div",    "em",	"font",	  "form",
    "h1",	  "h2",	   "h3",     "hr",     "i",	"iframe", "img",
    "input",	  "li",	   "link",   "meta",   "o:p",	"ol",	  "p",
    "script",	  "small", "span",   "strong", "style", "sup",	  "table",
    "tbody",	  "td",	   "th",     "title",  "tr",	"u",	  "ul",
};

/* Index in sniff_tags of the tag name at s[t] (after '<' or '</'), or -1. */
static int
sniff_name(const char *s, size_t len, size_t t)
{
	size_t n, i;

	for (n = 0; t + n < len && n < 12; n++)
		if (!is_alnum((unsigned char)s[t + n]) && s[t + n] != ':')
			break;
	if (!n || (t + n < len && !is_ws((unsigned char)s[t + n]) &&
		   s[t + n] != '>' && s[t + n] != '/'))
		return -1;
	for (i = 0; i < ARRAY_SIZE(sniff_tags); i++)
		if (strlen(sniff_tags[i]) == n &&
		    ci_prefix(s + t, n, sniff_tags[i]))
			return (int)i;
	return -1;
}

int
td_html_sniff(const char *s, size_t len)
{
	const char *lt;
	size_t pos = 0, start, t;
	int hits = 0, at_start, k;

	if (!s)
		return 0;
	if (len > HTML_SNIFF_MAX)
		len = HTML_SNIFF_MAX;
	if (len >= 3 && !memcmp(s, "\357\273\277", 3))
		pos = 3;
	while (pos < len && is_ws((unsigned char)s[pos]))
		pos++;
	start = pos;
	while (pos < len && (lt = memchr(s + pos, '<', len - pos))) {
		t = (size_t)(lt - s) + 1;
		pos = t;
		at_start = t == start + 1;
		if (at_start && (ci_prefix(s + t, len - t, "!doctype html") ||
				 ci_prefix(s + t, len - t, "?xml") ||
				 ci_prefix(s + t, len - t, "!--")))
			return 1;
		if (t < len && s[t] == '/')
			t++;
		k = sniff_name(s, len, t);
		if (k < 0)
			continue;
		if (at_start && k < 4)
			return 1;
		hits += k < 4 ? 2 : 1;
		if (hits >= 3)
			return 1;
	}
	return 0;
}
