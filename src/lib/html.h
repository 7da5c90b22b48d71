#ifndef TD_HTML_H
#define TD_HTML_H

#include <stddef.h>

/*
 * A tolerant, single-pass HTML scanner that reports what matters for
 * takedown: every URL-bearing attribute (a href, form action, img/script/
 * iframe src, meta refresh, srcset, CSS url(), base href resolution, string
 * literals assigned to location/window.location), the visible text of each
 * link, and the text runs (text nodes, comments, script and style bodies,
 * other attribute values) so the caller can look for URLs written as text.
 * It never builds a tree and runs in time linear in the input.  The
 * decisions and caps are in docs/internals/html.md.
 */

enum td_html_ctx {
	TD_HTML_A_HREF, /* a href, also SVG a (xlink:)href */
	TD_HTML_AREA_HREF,
	TD_HTML_FORM_ACTION,
	TD_HTML_FORMACTION, /* button/input formaction */
	TD_HTML_SRC,	    /* src= of any element (img, script, iframe,
			       frame, embed, source, video, audio, input,
			       track...), img lowsrc/dynsrc, SVG image href */
	TD_HTML_SRCSET,	    /* one per candidate URL */
	TD_HTML_LINK_HREF,
	TD_HTML_BACKGROUND,
	TD_HTML_META_REFRESH,
	TD_HTML_CSS_URL,     /* url() and @import, style= and <style> */
	TD_HTML_JS_LOCATION, /* <script>, on*=, javascript: URLs */
	TD_HTML_OTHER_ATTR   /* object data, poster, cite, longdesc,
				manifest, codebase, ping (each URL), base
				href, (xlink:)href of other elements such as
				SVG use or Outlook's v:roundrect */
};

struct td_html_link {
	enum td_html_ctx ctx;
	const char *tag;   /* lowercase tag name, e.g. "a", "img";
			      "style"/"script" for URLs in those bodies */
	const char *value; /* entities decoded, trimmed, tabs and
			      newlines removed (as a browser does before
			      parsing a URL); at most 64 KiB */
	size_t value_len;
	const char *resolved; /* value resolved against <base href> (or the
				 caller's base) per RFC 3986 5.2; equals
				 value when it has a scheme or no absolute
				 base is known */
	size_t resolved_len;
	const char *link_text; /* TD_HTML_A_HREF only: visible text up to
				  </a>, entities decoded, whitespace
				  collapsed, else the alt text of images in
				  the link; at most 1 KiB; NULL when empty */
	size_t link_text_len;
	size_t offset; /* byte offset of the tag's '<' in the input;
			  for URLs in a <style>/<script> body, of the
			  "url(" / "location" that carries them */
};

enum td_html_text_kind {
	TD_HTML_TEXT_NODE,    /* visible text runs (inline tags joined),
				 title/textarea/xmp/iframe bodies, SVG
				 CDATA, "<https://x>" read as a tag */
	TD_HTML_TEXT_COMMENT, /* comments and bogus comments, undecoded */
	TD_HTML_TEXT_SCRIPT,  /* <script> bodies, undecoded */
	TD_HTML_TEXT_STYLE,   /* <style> bodies, undecoded */
	TD_HTML_TEXT_ATTR     /* attribute values not reported as links
				 (title, alt, value, data-*, on*...) */
};

struct td_html_cb {
	/*
	 * A URL-bearing attribute.  Non-zero return stops the scan.  An
	 * <a href> is delivered when its link text is complete (at </a>, the
	 * next <a> or the end), so URLs inside the link come before it.
	 */
	int (*link)(const struct td_html_link *link, void *payload);
	/*
	 * A run of text, never empty or only whitespace.  A run is delivered
	 * whole unless longer than 64 KiB; then it is cut at whitespace.
	 * Non-zero return stops the scan.
	 */
	int (*text)(enum td_html_text_kind kind, const char *s, size_t len,
		    void *payload);
};

/* Name of a context for output: "a href", "form action", ...; static. */
const char *td_html_ctx_name(enum td_html_ctx ctx);

/*
 * Scan len bytes of HTML (not NUL-terminated; any bytes).  base may be
 * NULL; the document's first <base href>, itself resolved against base,
 * overrides it for every URL, also those before it.  cb and either of its
 * members may be NULL.  Strings passed to callbacks are valid only during
 * the call.  Returns 0, the first non-zero callback value, or TD_ENOMEM.
 */
int td_html_scan(const char *html, size_t len, const char *base,
		 const struct td_html_cb *cb, void *payload);

/*
 * Heuristic: does this look like HTML rather than plain text?  (For
 * text/plain parts that carry markup and for attachments with a wrong
 * type.)  Looks at the first 64 KiB.  Returns 1 or 0.
 */
int td_html_sniff(const char *s, size_t len);

#endif
