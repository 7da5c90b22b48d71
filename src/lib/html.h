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
 * It never builds a tree and runs in time linear in the input.
 */

enum td_html_ctx {
	TD_HTML_A_HREF,
	TD_HTML_AREA_HREF,
	TD_HTML_FORM_ACTION,
	TD_HTML_FORMACTION, /* button/input formaction */
	TD_HTML_SRC,	    /* img, script, iframe, frame, embed, source... */
	TD_HTML_SRCSET,
	TD_HTML_LINK_HREF,
	TD_HTML_BACKGROUND,
	TD_HTML_META_REFRESH,
	TD_HTML_CSS_URL,
	TD_HTML_JS_LOCATION,
	TD_HTML_OTHER_ATTR /* data, poster, cite, longdesc, xlink:href ... */
};

struct td_html_link {
	enum td_html_ctx ctx;
	const char *tag;	/* lowercase tag name, e.g. "a", "img" */
	const char *value;	/* attribute value, entities decoded, trimmed */
	size_t value_len;
	const char *resolved;	/* value resolved against <base href> (or the
				   caller's base) per RFC 3986 5.2; equals
				   value when absolute or no base is known */
	size_t resolved_len;
	const char *link_text;	/* visible text of <a>...</a>, entities
				   decoded, whitespace collapsed; NULL for
				   other contexts or when empty */
	size_t link_text_len;
	size_t offset;		/* byte offset of the tag in the input */
};

enum td_html_text_kind {
	TD_HTML_TEXT_NODE,
	TD_HTML_TEXT_COMMENT,
	TD_HTML_TEXT_SCRIPT,
	TD_HTML_TEXT_STYLE,
	TD_HTML_TEXT_ATTR /* attribute values not reported as links */
};

struct td_html_cb {
	/* A URL-bearing attribute.  Non-zero return stops the scan. */
	int (*link)(const struct td_html_link *link, void *payload);
	/* A run of text (entities decoded for nodes and attributes). */
	int (*text)(enum td_html_text_kind kind, const char *s, size_t len,
		    void *payload);
};

/* Name of a context for output: "a href", "form action", ... */
const char *td_html_ctx_name(enum td_html_ctx ctx);

/*
 * Scan len bytes of HTML.  base may be NULL; a <base href> in the document
 * overrides it.  Strings passed to callbacks are valid only during the call.
 * Returns 0, the first non-zero callback value, or TD_ENOMEM.
 */
int td_html_scan(const char *html, size_t len, const char *base,
		 const struct td_html_cb *cb, void *payload);

/*
 * Heuristic: does this look like HTML rather than plain text?  (For
 * text/plain parts that carry markup and for attachments with a wrong
 * type.)  Returns 1 or 0.
 */
int td_html_sniff(const char *s, size_t len);

#endif
