#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "err.h"
#include "html.h"

/* ---- a recorder for the callbacks ---- */

struct rlink {
	enum td_html_ctx ctx;
	char *tag;
	char *value;
	char *resolved;
	char *text; /* NULL when the link came without link text */
	size_t offset;
};

struct rtext {
	enum td_html_text_kind kind;
	char *s;
	size_t len;
};

struct rec {
	struct rlink *links;
	size_t nlinks, alinks;
	struct rtext *texts;
	size_t ntexts, atexts;
	int stop_after; /* stop (return 7) after this many links, if > 0 */
};

static char *
dupn(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	assert_non_null(p);
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static int
on_link(const struct td_html_link *l, void *payload)
{
	struct rec *r = payload;
	struct rlink *x;

	assert_int_equal(TD_ARRAY_GROW(r->links, r->nlinks + 1, r->alinks), 0);
	x = &r->links[r->nlinks++];
	x->ctx = l->ctx;
	assert_non_null(l->tag);
	x->tag = dupn(l->tag, strlen(l->tag));
	x->value = dupn(l->value, l->value_len);
	x->resolved = dupn(l->resolved, l->resolved_len);
	x->text = l->link_text ? dupn(l->link_text, l->link_text_len) : NULL;
	x->offset = l->offset;
	if (r->stop_after && (int)r->nlinks >= r->stop_after)
		return 7;
	return 0;
}

static int
on_text(enum td_html_text_kind kind, const char *s, size_t len, void *payload)
{
	struct rec *r = payload;
	struct rtext *x;

	assert_true(len > 0);
	assert_int_equal(TD_ARRAY_GROW(r->texts, r->ntexts + 1, r->atexts), 0);
	x = &r->texts[r->ntexts++];
	x->kind = kind;
	x->s = dupn(s, len);
	x->len = len;
	return 0;
}

static const struct td_html_cb cb = {on_link, on_text};

static void
rec_free(struct rec *r)
{
	size_t i;

	for (i = 0; i < r->nlinks; i++) {
		free(r->links[i].tag);
		free(r->links[i].value);
		free(r->links[i].resolved);
		free(r->links[i].text);
	}
	for (i = 0; i < r->ntexts; i++)
		free(r->texts[i].s);
	free(r->links);
	free(r->texts);
	memset(r, 0, sizeof(*r));
}

/*
 * Scan a copy of exactly len bytes (no NUL after it), so that ASan
 * catches any read past the end.
 */
static int
scan_n(struct rec *r, const char *html, size_t len, const char *base)
{
	char *copy = malloc(len ? len : 1);
	int rc;

	assert_non_null(copy);
	memcpy(copy, html, len);
	rc = td_html_scan(copy, len, base, &cb, r);
	free(copy);
	return rc;
}

static void
scan(struct rec *r, const char *html, const char *base)
{
	assert_int_equal(scan_n(r, html, strlen(html), base), 0);
}

static const struct rlink *
find_link(const struct rec *r, enum td_html_ctx ctx, const char *value)
{
	size_t i;

	for (i = 0; i < r->nlinks; i++)
		if (r->links[i].ctx == ctx && !strcmp(r->links[i].value, value))
			return &r->links[i];
	return NULL;
}

static const struct rlink *
must_link(const struct rec *r, enum td_html_ctx ctx, const char *value)
{
	const struct rlink *l = find_link(r, ctx, value);

	if (!l) {
		size_t i;

		fprintf(stderr, "# missing %s [%s]; have:\n",
			td_html_ctx_name(ctx), value);
		for (i = 0; i < r->nlinks; i++)
			fprintf(stderr, "#   %s [%s]\n",
				td_html_ctx_name(r->links[i].ctx),
				r->links[i].value);
	}
	assert_non_null(l);
	return l;
}

/* Is there a text run of this kind containing needle? */
static const struct rtext *
find_text(const struct rec *r, enum td_html_text_kind kind, const char *needle)
{
	size_t i;

	for (i = 0; i < r->ntexts; i++)
		if (r->texts[i].kind == kind &&
		    memmem(r->texts[i].s, r->texts[i].len, needle,
			   strlen(needle)))
			return &r->texts[i];
	return NULL;
}

static int
any_text(const struct rec *r, const char *needle)
{
	size_t i;

	for (i = 0; i < r->ntexts; i++)
		if (memmem(r->texts[i].s, r->texts[i].len, needle,
			   strlen(needle)))
			return 1;
	return 0;
}

/* ---- links ---- */

static void
html_a_href_with_link_text(void **state)
{
	struct rec r = {0};
	const struct rlink *l;

	scan(&r,
	     "<p>Dear user,</p><A HREF=\"https://evil.example/login\" "
	     "target=_blank>  <b>www.paypal.com</b>\n  /signin </a> ok",
	     NULL);
	assert_int_equal(r.nlinks, 1);
	l = must_link(&r, TD_HTML_A_HREF, "https://evil.example/login");
	assert_string_equal(l->tag, "a");
	assert_string_equal(l->resolved, "https://evil.example/login");
	assert_non_null(l->text);
	assert_string_equal(l->text, "www.paypal.com /signin");
	assert_int_equal(l->offset, 17);
	/* the text is also delivered as a text run */
	assert_non_null(find_text(&r, TD_HTML_TEXT_NODE, "www.paypal.com"));
	rec_free(&r);
}

static void
html_a_without_text_has_null_link_text(void **state)
{
	struct rec r = {0};

	scan(&r, "<a href='https://x.example/'></a><a name=top>t</a>", NULL);
	assert_int_equal(r.nlinks, 1);
	assert_null(r.links[0].text);
	rec_free(&r);
}

static void
html_unclosed_a_is_closed_by_next_a_and_end(void **state)
{
	struct rec r = {0};

	scan(&r, "<a href=/one>first <a href=/two>second<div>more</div>", NULL);
	assert_int_equal(r.nlinks, 2);
	assert_string_equal(r.links[0].value, "/one");
	assert_string_equal(r.links[0].text, "first");
	assert_string_equal(r.links[1].value, "/two");
	/* the div breaks the line: a space, not "secondmore" */
	assert_string_equal(r.links[1].text, "second more");
	rec_free(&r);
}

static void
html_link_text_falls_back_to_img_alt(void **state)
{
	struct rec r = {0};

	scan(&r,
	     "<a href=\"https://evil.example/\"><img src=\"btn.png\" "
	     "alt=\"https://www.bank.example/\"></a>"
	     "<a href=\"https://evil.example/2\">Bank<img alt=\"logo\"></a>",
	     NULL);
	assert_string_equal(
	    must_link(&r, TD_HTML_A_HREF, "https://evil.example/")->text,
	    "https://www.bank.example/");
	/* real text wins over alt */
	assert_string_equal(
	    must_link(&r, TD_HTML_A_HREF, "https://evil.example/2")->text,
	    "Bank");
	must_link(&r, TD_HTML_SRC, "btn.png");
	rec_free(&r);
}

static void
html_link_text_is_decoded_collapsed_and_capped(void **state)
{
	struct rec r = {0};
	struct td_buf b = TD_BUF_INIT;
	const char *t;
	size_t i, tl;

	scan(&r, "<a href=x>pay&#8203;pal&period;com&nbsp;&amp;\t\r\n co</a>",
	     NULL);
	assert_string_equal(r.links[0].text, "paypal.com & co");
	rec_free(&r);

	td_buf_adds(&b, "<a href=y>");
	for (i = 0; i < 500; i++)
		td_buf_adds(&b, "&eacute; ");
	td_buf_adds(&b, "</a>");
	scan(&r, b.ptr, NULL);
	t = r.links[0].text;
	tl = strlen(t);
	assert_true(tl <= 1024 && tl >= 1020);
	/* not cut inside a UTF-8 sequence */
	assert_true((unsigned char)t[tl - 1] != 0xC3);
	td_buf_release(&b);
	rec_free(&r);
}

static void
html_base_href_resolves_relative(void **state)
{
	struct rec r = {0};
	const struct rlink *l;

	scan(&r,
	     "<head><base href=\"https://evil.example/kit/\"></head>"
	     "<a href=\"login.php?x=1\">go</a><img src=\"/img/logo.png\">"
	     "<a href=\"https://abs.example/\">abs</a>",
	     NULL);
	l = must_link(&r, TD_HTML_A_HREF, "login.php?x=1");
	assert_string_equal(l->resolved,
			    "https://evil.example/kit/login.php?x=1");
	l = must_link(&r, TD_HTML_SRC, "/img/logo.png");
	assert_string_equal(l->resolved, "https://evil.example/img/logo.png");
	l = must_link(&r, TD_HTML_A_HREF, "https://abs.example/");
	assert_string_equal(l->resolved, "https://abs.example/");
	/* the base itself is reported too */
	l = must_link(&r, TD_HTML_OTHER_ATTR, "https://evil.example/kit/");
	assert_string_equal(l->tag, "base");
	rec_free(&r);
}

static void
html_base_href_applies_to_earlier_links_and_first_wins(void **state)
{
	struct rec r = {0};

	scan(&r,
	     "<a href=\"a.html\">x</a>"
	     "<!-- <base href=\"https://comment.example/\"> -->"
	     "<script>var s='<base href=\"https://script.example/\">';"
	     "</script>"
	     "<base target=_top>"
	     "<base href=\"https://first.example/d/\">"
	     "<base href=\"https://second.example/\">",
	     NULL);
	assert_string_equal(must_link(&r, TD_HTML_A_HREF, "a.html")->resolved,
			    "https://first.example/d/a.html");
	rec_free(&r);
}

static void
html_base_relative_is_resolved_against_caller_base(void **state)
{
	struct rec r = {0};

	scan(&r, "<base href=\"/app/\"><a href=\"x\">x</a>",
	     "https://caller.example/mail/1");
	assert_string_equal(must_link(&r, TD_HTML_A_HREF, "x")->resolved,
			    "https://caller.example/app/x");
	rec_free(&r);

	/* caller base alone */
	scan(&r, "<a href=\"../y\">x</a>", "https://caller.example/a/b/c");
	assert_string_equal(must_link(&r, TD_HTML_A_HREF, "../y")->resolved,
			    "https://caller.example/a/y");
	rec_free(&r);
}

static void
html_no_base_relative_value_is_kept(void **state)
{
	struct rec r = {0};

	scan(&r, "<base href=\"relative/\"><a href=\"page\">p</a>", NULL);
	assert_string_equal(must_link(&r, TD_HTML_A_HREF, "page")->resolved,
			    "page");
	rec_free(&r);
}

static void
html_meta_refresh_url(void **state)
{
	struct rec r = {0};

	scan(&r,
	     "<meta http-equiv=\"refresh\" content=\"0; "
	     "url=https://a.example/x\">"
	     "<META HTTP-EQUIV=Refresh CONTENT=\"5;URL='https://b.example/'\">"
	     "<meta http-equiv=\" refresh \" content=\"0, https://c.example/\">"
	     "<meta content=\"1;url = /d\" http-equiv=\"refresh\">"
	     "<meta name=\"og:url\" content=\"https://text.example/\">"
	     "<meta http-equiv=\"refresh\" content=\"30\">",
	     NULL);
	must_link(&r, TD_HTML_META_REFRESH, "https://a.example/x");
	must_link(&r, TD_HTML_META_REFRESH, "https://b.example/");
	must_link(&r, TD_HTML_META_REFRESH, "https://c.example/");
	assert_string_equal(must_link(&r, TD_HTML_META_REFRESH, "/d")->tag,
			    "meta");
	assert_int_equal(r.nlinks, 4);
	/* other meta content is text */
	assert_non_null(
	    find_text(&r, TD_HTML_TEXT_ATTR, "https://text.example/"));
	rec_free(&r);
}

static void
html_srcset_each_candidate(void **state)
{
	struct rec r = {0};

	scan(&r,
	     "<img srcset=\"a.png 1x, https://cdn.example/b.png 2x,"
	     "data:image/png;base64,AAA= 3x,c.png, ,d.png 2x, e,f.png\" "
	     "src=s.png>"
	     "<picture><source srcset=\"e.webp (max-width: 1px, x) 100w, "
	     "f.webp\"></picture>",
	     NULL);
	must_link(&r, TD_HTML_SRCSET, "a.png");
	must_link(&r, TD_HTML_SRCSET, "https://cdn.example/b.png");
	must_link(&r, TD_HTML_SRCSET, "data:image/png;base64,AAA=");
	must_link(&r, TD_HTML_SRCSET, "c.png");
	must_link(&r, TD_HTML_SRCSET, "d.png");
	/* no space after a comma: one URL, as the spec's parser has it */
	must_link(&r, TD_HTML_SRCSET, "e,f.png");
	must_link(&r, TD_HTML_SRCSET, "e.webp");
	must_link(&r, TD_HTML_SRCSET, "f.webp");
	must_link(&r, TD_HTML_SRC, "s.png");
	assert_int_equal(r.nlinks, 9);
	rec_free(&r);
}

static void
html_css_url_in_style(void **state)
{
	struct rec r = {0};
	const struct rlink *l;
	const char *doc =
	    "<style>@import \"https://imp.example/a.css\";\n"
	    ".x{background:URL( 'https://bg.example/1.png' )}\n"
	    ".y{background-image:url(https://bg.example/2\\.png)}\n"
	    ".z{content:\"not-url(x)\"}</style>"
	    "<div style=\"background: url(&quot;https://attr.example/i."
	    "png&quot;) no-repeat\">d</div>"
	    "<td background=\"https://td.example/bg.gif\">";

	scan(&r, doc, NULL);
	must_link(&r, TD_HTML_CSS_URL, "https://imp.example/a.css");
	l = must_link(&r, TD_HTML_CSS_URL, "https://bg.example/1.png");
	assert_string_equal(l->tag, "style");
	assert_int_equal(l->offset, (size_t)(strstr(doc, "URL(") - doc));
	must_link(&r, TD_HTML_CSS_URL, "https://bg.example/2.png");
	l = must_link(&r, TD_HTML_CSS_URL, "https://attr.example/i.png");
	assert_string_equal(l->tag, "div");
	must_link(&r, TD_HTML_BACKGROUND, "https://td.example/bg.gif");
	assert_int_equal(r.nlinks, 5);
	/* the style body is delivered as style text */
	assert_non_null(find_text(&r, TD_HTML_TEXT_STYLE, "@import"));
	rec_free(&r);
}

static void
html_js_location_assignment(void **state)
{
	struct rec r = {0};
	const struct rlink *l;
	const char *doc = "<script>\n"
			  "if (x) window.location = \"https://w.example/1\";\n"
			  "document.location.href='https://d.example/2';\n"
			  "top.location=\"https://t.example/3\"\n"
			  "location.href = `https://l.example/4`;\n"
			  "window.location.replace(\"https://r.example/5\");\n"
			  "location.assign( 'https://a.example/6' );\n"
			  "self.location['href'] = \"https://b.example/7\";\n"
			  "if (location == 'x') y = location.hostname;\n"
			  "var mylocation = \"https://no.example/\";\n"
			  "</script>";

	scan(&r, doc, NULL);
	l = must_link(&r, TD_HTML_JS_LOCATION, "https://w.example/1");
	assert_string_equal(l->tag, "script");
	assert_int_equal(l->offset, (size_t)(strstr(doc, "location =") - doc));
	must_link(&r, TD_HTML_JS_LOCATION, "https://d.example/2");
	must_link(&r, TD_HTML_JS_LOCATION, "https://t.example/3");
	must_link(&r, TD_HTML_JS_LOCATION, "https://l.example/4");
	must_link(&r, TD_HTML_JS_LOCATION, "https://r.example/5");
	must_link(&r, TD_HTML_JS_LOCATION, "https://a.example/6");
	must_link(&r, TD_HTML_JS_LOCATION, "https://b.example/7");
	assert_int_equal(r.nlinks, 7);
	/* the whole body is still text for the URL finder */
	assert_non_null(
	    find_text(&r, TD_HTML_TEXT_SCRIPT, "https://no.example/"));
	rec_free(&r);
}

static void
html_js_escapes_concat_and_atob(void **state)
{
	struct rec r = {0};

	scan(&r,
	     "<script>location.href = \"\\x68ttps:\\/\\/e\\u0076il.example/\" "
	     "+ 'p?u=' + user + 'ignored';\n"
	     "window.location = atob(\"aHR0cHM6Ly9iNjQuZXhhbXBsZS8=\");\n"
	     "window.open('https://popup.example/', '_blank');\n"
	     "xhr.open('POST', '/api');</script>",
	     NULL);
	must_link(&r, TD_HTML_JS_LOCATION, "https://evil.example/p?u=");
	must_link(&r, TD_HTML_JS_LOCATION, "https://b64.example/");
	must_link(&r, TD_HTML_JS_LOCATION, "https://popup.example/");
	assert_int_equal(r.nlinks, 3);
	rec_free(&r);
}

static void
html_js_in_event_handler_and_javascript_url(void **state)
{
	struct rec r = {0};
	const struct rlink *l;

	scan(&r,
	     "<body onload=\"window.location.href=&#39;https://on.example/"
	     "&#39;\">"
	     "<button onclick='location=\"https://btn.example/\"'>b</button>"
	     "<a href=\"javascript:window.location='https://js.example/'\">"
	     "j</a>",
	     NULL);
	l = must_link(&r, TD_HTML_JS_LOCATION, "https://on.example/");
	assert_string_equal(l->tag, "body");
	assert_int_equal(l->offset, 0);
	must_link(&r, TD_HTML_JS_LOCATION, "https://btn.example/");
	must_link(&r, TD_HTML_JS_LOCATION, "https://js.example/");
	must_link(&r, TD_HTML_A_HREF,
		  "javascript:window.location='https://js.example/'");
	/* handlers are text as well */
	assert_non_null(find_text(&r, TD_HTML_TEXT_ATTR, "btn.example"));
	rec_free(&r);
}

static void
html_entities_in_href_decoded(void **state)
{
	struct rec r = {0};

	scan(&r,
	     "<a href=\"https://e.example/?a=1&amp;b=2\">1</a>"
	     "<a href=\"https://e.example/?a=1&ampx=2\">2</a>"
	     "<a href=\"https://e.example/?a=1&copy=2&not\">3</a>"
	     "<a href=\"https&colon;&sol;&sol;e&period;example&#x2F;&#47;4"
	     "\">4</a>"
	     "<a href=https://e.example/?q=&lt;5&gt&amp>5</a>"
	     "<a href=\"&#104;&#x74;tps://e.example/&#0;&#x110000;&#128;\">"
	     "6</a>",
	     NULL);
	must_link(&r, TD_HTML_A_HREF, "https://e.example/?a=1&b=2");
	must_link(&r, TD_HTML_A_HREF, "https://e.example/?a=1&ampx=2");
	must_link(&r, TD_HTML_A_HREF, "https://e.example/?a=1&copy=2\302\254");
	must_link(&r, TD_HTML_A_HREF, "https://e.example//4");
	must_link(&r, TD_HTML_A_HREF, "https://e.example/?q=<5>&");
	must_link(&r, TD_HTML_A_HREF,
		  "https://e.example/\357\277\275\357\277\275\342\202\254");
	rec_free(&r);
}

static void
html_entities_in_text_decoded(void **state)
{
	struct rec r = {0};

	scan(&r,
	     "<p>&notit; &notin; &ampx &amp;lt; &LT;&Tab;x&unknown; &#65 "
	     "&#x1F600; &#x; &eacute&Eacute;</p>",
	     NULL);
	assert_non_null(
	    find_text(&r, TD_HTML_TEXT_NODE,
		      "\302\254it; \342\210\211 &x &lt; <\tx&unknown; A "
		      "\360\237\230\200 &#x; \303\251\303\211"));
	rec_free(&r);
}

static void
html_url_whitespace_is_trimmed_and_removed(void **state)
{
	struct rec r = {0};

	scan(&r,
	     "<a href=\"  \n https://evil.\nexa\tmple/\r\n  \">x</a>"
	     "<a href=\"   \">empty</a><img src=''>",
	     NULL);
	must_link(&r, TD_HTML_A_HREF, "https://evil.example/");
	assert_int_equal(r.nlinks, 1);
	rec_free(&r);
}

static void
html_duplicate_attribute_first_wins(void **state)
{
	struct rec r = {0};

	scan(&r,
	     "<a href=\"https://first.example/\" HREF=\"https://second."
	     "example/\">x</a>",
	     NULL);
	assert_int_equal(r.nlinks, 1);
	must_link(&r, TD_HTML_A_HREF, "https://first.example/");
	/* the dropped one is still text */
	assert_non_null(
	    find_text(&r, TD_HTML_TEXT_ATTR, "https://second.example/"));
	rec_free(&r);
}

static void
html_form_action_and_formaction(void **state)
{
	struct rec r = {0};

	scan(&r,
	     "<form method=post action=\"https://collect.example/p.php\">"
	     "<input type=password name=pw>"
	     "<button formaction=\"/steal\">Go</button>"
	     "<input type=image src=\"go.png\" formaction=\"/x\"></form>",
	     NULL);
	assert_string_equal(
	    must_link(&r, TD_HTML_FORM_ACTION, "https://collect.example/p.php")
		->tag,
	    "form");
	assert_string_equal(must_link(&r, TD_HTML_FORMACTION, "/steal")->tag,
			    "button");
	must_link(&r, TD_HTML_FORMACTION, "/x");
	must_link(&r, TD_HTML_SRC, "go.png");
	rec_free(&r);
}

static void
html_src_and_other_url_attributes(void **state)
{
	struct rec r = {0};

	scan(&r,
	     "<img src=i.png><script src=s.js></script><iframe src=f.html>"
	     "</iframe><frame src=fr.html><embed src=e.swf>"
	     "<video src=v.mp4 poster=p.jpg><source src=so.mp4>"
	     "<track src=t.vtt></video><audio src=a.mp3></audio>"
	     "<link rel=stylesheet href=l.css><area href=ar.html>"
	     "<object data=o.pdf codebase=cb/></object>"
	     "<blockquote cite=c.html></blockquote><a ping='p1 p2' href=h>",
	     NULL);
	must_link(&r, TD_HTML_SRC, "i.png");
	must_link(&r, TD_HTML_SRC, "s.js");
	must_link(&r, TD_HTML_SRC, "f.html");
	must_link(&r, TD_HTML_SRC, "fr.html");
	must_link(&r, TD_HTML_SRC, "e.swf");
	must_link(&r, TD_HTML_SRC, "v.mp4");
	must_link(&r, TD_HTML_SRC, "so.mp4");
	must_link(&r, TD_HTML_SRC, "t.vtt");
	must_link(&r, TD_HTML_SRC, "a.mp3");
	must_link(&r, TD_HTML_LINK_HREF, "l.css");
	must_link(&r, TD_HTML_AREA_HREF, "ar.html");
	assert_string_equal(must_link(&r, TD_HTML_OTHER_ATTR, "o.pdf")->tag,
			    "object");
	must_link(&r, TD_HTML_OTHER_ATTR, "cb/");
	must_link(&r, TD_HTML_OTHER_ATTR, "p.jpg");
	must_link(&r, TD_HTML_OTHER_ATTR, "c.html");
	must_link(&r, TD_HTML_OTHER_ATTR, "p1");
	must_link(&r, TD_HTML_OTHER_ATTR, "p2");
	must_link(&r, TD_HTML_A_HREF, "h");
	assert_int_equal(r.nlinks, 18);
	rec_free(&r);
}

static void
html_svg_xlink_href(void **state)
{
	struct rec r = {0};
	const struct rlink *l;

	scan(&r,
	     "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\" "
	     "xmlns:xlink=\"http://www.w3.org/1999/xlink\">"
	     "<a xlink:href=\"https://svg.example/a\"><text>Open "
	     "document</text></a>"
	     "<a href=\"https://svg.example/h\" "
	     "xlink:href=\"https://svg.example/ignored\">h</a>"
	     "<image href=\"https://svg.example/i.png\"/>"
	     "<image xlink:href=\"https://svg.example/j.png\"/>"
	     "<use xlink:href=\"https://svg.example/u.svg#x\"/>"
	     "<script type=\"text/ecmascript\"><![CDATA[\n"
	     "window.location.href = \"https://svg.example/js\";\n"
	     "]]></script></svg>",
	     NULL);
	l = must_link(&r, TD_HTML_A_HREF, "https://svg.example/a");
	assert_string_equal(l->text, "Open document");
	must_link(&r, TD_HTML_A_HREF, "https://svg.example/h");
	assert_null(
	    find_link(&r, TD_HTML_A_HREF, "https://svg.example/ignored"));
	must_link(&r, TD_HTML_SRC, "https://svg.example/i.png");
	must_link(&r, TD_HTML_SRC, "https://svg.example/j.png");
	assert_string_equal(
	    must_link(&r, TD_HTML_OTHER_ATTR, "https://svg.example/u.svg#x")
		->tag,
	    "use");
	must_link(&r, TD_HTML_JS_LOCATION, "https://svg.example/js");
	assert_int_equal(r.nlinks, 6);
	/* namespace declarations are noise, not text */
	assert_false(any_text(&r, "www.w3.org"));
	rec_free(&r);
}

static void
html_cdata_is_text_in_svg_only(void **state)
{
	struct rec r = {0};

	scan(&r,
	     "<svg><text><![CDATA[<a href=\"https://cdata.example/\">]]>"
	     "</text></svg>"
	     "<![CDATA[x>y<a href=\"https://bogus.example/\">]]>",
	     NULL);
	/* in svg the CDATA is text, so no link */
	assert_null(find_link(&r, TD_HTML_A_HREF, "https://cdata.example/"));
	assert_non_null(find_text(&r, TD_HTML_TEXT_NODE,
				  "<a href=\"https://cdata.example/\">"));
	/* in HTML it is a bogus comment that ends at the first '>' */
	must_link(&r, TD_HTML_A_HREF, "https://bogus.example/");
	rec_free(&r);
}

static void
html_script_body_not_tokenized(void **state)
{
	struct rec r = {0};

	scan(&r,
	     "<script type=text/javascript>var s = \"<a href='https://in."
	     "example/'>x</a></scripty></script-x><style>a{}</style><!--"
	     "\";</SCRIPT >"
	     "<a href=\"https://out.example/\">o</a>"
	     "<title>T &amp; <b>C</b></title>"
	     "<textarea><a href=\"https://ta.example/\"></textarea>"
	     "<xmp><a href=\"https://xmp.example/\"></xmp>",
	     NULL);
	assert_null(find_link(&r, TD_HTML_A_HREF, "https://in.example/"));
	assert_null(find_link(&r, TD_HTML_A_HREF, "https://ta.example/"));
	assert_null(find_link(&r, TD_HTML_A_HREF, "https://xmp.example/"));
	must_link(&r, TD_HTML_A_HREF, "https://out.example/");
	assert_int_equal(r.nlinks, 1);
	assert_non_null(find_text(&r, TD_HTML_TEXT_SCRIPT,
				  "</script-x><style>a{}</style><!--\";"));
	assert_non_null(find_text(&r, TD_HTML_TEXT_NODE, "T & <b>C</b>"));
	assert_non_null(find_text(&r, TD_HTML_TEXT_NODE,
				  "<a href=\"https://ta.example/\">"));
	rec_free(&r);
}

static void
html_unterminated_script_runs_to_end(void **state)
{
	struct rec r = {0};

	scan(&r, "<script>location='https://u.example/'; <a href=x>", NULL);
	must_link(&r, TD_HTML_JS_LOCATION, "https://u.example/");
	assert_int_equal(r.nlinks, 1);
	rec_free(&r);
}

/* ---- text ---- */

static void
html_text_run_joins_inline_tags(void **state)
{
	struct rec r = {0};

	scan(&r,
	     "<div>Visit http<span>s://</span>ev<!-- x -->il.<b>exa</b>mple"
	     "/login now</div><div>next</div>",
	     NULL);
	assert_non_null(find_text(&r, TD_HTML_TEXT_NODE,
				  "Visit https://evil.example/login now"));
	/* block elements end a run */
	assert_null(find_text(&r, TD_HTML_TEXT_NODE, "nownext"));
	assert_non_null(find_text(&r, TD_HTML_TEXT_COMMENT, " x "));
	rec_free(&r);
}

static void
html_long_text_is_split_at_whitespace(void **state)
{
	struct rec r = {0};
	struct td_buf b = TD_BUF_INIT;
	size_t i, total = 0;

	for (i = 0; i < 20000; i++)
		td_buf_adds(&b, "word https://long.example/path ");
	scan(&r, b.ptr, NULL);
	assert_true(r.ntexts > 1);
	for (i = 0; i < r.ntexts; i++) {
		assert_true(r.texts[i].len <= 64 * 1024);
		/* every chunk boundary is at a space */
		assert_true(r.texts[i].s[0] == 'w' || r.texts[i].s[0] == ' ');
		total += r.texts[i].len;
	}
	assert_int_equal(total, b.len);
	td_buf_release(&b);
	rec_free(&r);
}

static void
html_attribute_values_as_text(void **state)
{
	struct rec r = {0};

	scan(&r,
	     "<div class=\"btn https://class.example/\" id=\"x.example\" "
	     "title=\"Go to https://title.example/\" "
	     "data-u=\"aHR0cHM6Ly9kYXRh &amp; https://data.example/\" "
	     "width=600 alt=ab><p class=\"button-primary\">"
	     "<img alt=\"https://alt.example/\"><input value=\"v@x.example\">",
	     NULL);
	assert_non_null(
	    find_text(&r, TD_HTML_TEXT_ATTR, "Go to https://title.example/"));
	assert_non_null(find_text(&r, TD_HTML_TEXT_ATTR,
				  "aHR0cHM6Ly9kYXRh & https://data.example/"));
	assert_non_null(
	    find_text(&r, TD_HTML_TEXT_ATTR, "https://alt.example/"));
	assert_non_null(find_text(&r, TD_HTML_TEXT_ATTR, "v@x.example"));
	/* class and id only when they could hold a URL or an address */
	assert_non_null(
	    find_text(&r, TD_HTML_TEXT_ATTR, "btn https://class.example/"));
	assert_non_null(find_text(&r, TD_HTML_TEXT_ATTR, "x.example"));
	assert_false(any_text(&r, "button-primary"));
	/* presentational noise is dropped */
	assert_false(any_text(&r, "600"));
	assert_int_equal(r.nlinks, 0);
	rec_free(&r);
}

static void
html_comments_doctype_and_conditional_comments(void **state)
{
	struct rec r = {0};

	scan(&r,
	     "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0//EN\" "
	     "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">"
	     "<!-- hidden https://comment.example/ --!>"
	     "<!--[if mso]><v:roundrect href=\"https://mso.example/\">"
	     "<center>Pay</center></v:roundrect><![endif]-->"
	     "<!--[if !mso]><!--><a href=\"https://html.example/\">Pay</a>"
	     "<!--<![endif]--><!--><!--->after",
	     NULL);
	assert_false(any_text(&r, "w3.org"));
	assert_non_null(find_text(&r, TD_HTML_TEXT_COMMENT,
				  " hidden https://comment.example/ "));
	assert_string_equal(
	    must_link(&r, TD_HTML_OTHER_ATTR, "https://mso.example/")->tag,
	    "v:roundrect");
	must_link(&r, TD_HTML_A_HREF, "https://html.example/");
	assert_false(any_text(&r, "endif"));
	assert_non_null(find_text(&r, TD_HTML_TEXT_NODE, "after"));
	rec_free(&r);
}

static void
html_angle_bracket_url_is_text(void **state)
{
	struct rec r = {0};

	scan(&r, "<p>See <https://angle.example/x> or <www.w.example></p>",
	     NULL);
	assert_true(any_text(&r, "https://angle.example/x"));
	assert_true(any_text(&r, "www.w.example"));
	rec_free(&r);
}

static void
html_noscript_and_plaintext(void **state)
{
	struct rec r = {0};

	scan(&r,
	     "<noscript><a href=\"https://ns.example/\">n</a></noscript>"
	     "<plaintext><a href=\"https://pt.example/\">",
	     NULL);
	must_link(&r, TD_HTML_A_HREF, "https://ns.example/");
	assert_null(find_link(&r, TD_HTML_A_HREF, "https://pt.example/"));
	assert_non_null(find_text(&r, TD_HTML_TEXT_NODE,
				  "<a href=\"https://pt.example/\">"));
	rec_free(&r);
}

/* ---- hostile input ---- */

static void
html_tag_soup_and_lone_lt(void **state)
{
	struct rec r = {0};

	scan(&r,
	     "a < b <<<< c <3 </ > </> <= <a\thref\n=\n'https://s.example/'"
	     "/><</a>",
	     NULL);
	must_link(&r, TD_HTML_A_HREF, "https://s.example/");
	assert_non_null(find_text(&r, TD_HTML_TEXT_NODE, "a < b <<<< c <3 "));
	rec_free(&r);
}

static void
html_nul_bytes_and_invalid_utf8(void **state)
{
	struct rec r = {0};
	static const char doc[] = "<a href=\"https://n\0ul.example/\xff\">"
				  "t\0e\xc3xt</a><p\0x title=\"\0\0\0\0\">";

	assert_int_equal(scan_n(&r, doc, sizeof(doc) - 1, NULL), 0);
	must_link(&r, TD_HTML_A_HREF, "https://n\357\277\275ul.example/\xff");
	/* NUL in text is dropped, as the tree builder does */
	assert_non_null(find_text(&r, TD_HTML_TEXT_NODE, "te\xc3xt"));
	rec_free(&r);
}

static void
html_unterminated_comment_is_bounded(void **state)
{
	struct rec r = {0};

	scan(&r, "<p>x</p><!-- <a href=\"https://c.example/\"> never ends",
	     NULL);
	assert_int_equal(r.nlinks, 0);
	assert_non_null(
	    find_text(&r, TD_HTML_TEXT_COMMENT,
		      " <a href=\"https://c.example/\"> never ends"));
	rec_free(&r);
	scan(&r, "<!--", NULL);
	scan(&r, "<!-", NULL);
	scan(&r, "<!", NULL);
	scan(&r, "<", NULL);
	scan(&r, "</", NULL);
	scan(&r, "<svg><![CDATA[", NULL);
	scan(&r, "<svg><![CDATA[]]", NULL);
	scan(&r, "&", NULL);
	scan(&r, "&#", NULL);
	scan(&r, "&#x", NULL);
	scan(&r, "<a href=\"x\">&am", NULL);
	rec_free(&r);
}

static void
html_unterminated_attribute_is_text(void **state)
{
	struct rec r = {0};

	/* a quote that never closes swallows the rest, like a browser */
	scan(&r,
	     "<img src=\"https://ok.example/i.png\" title=\"https://"
	     "cut.example/ <a href=x>",
	     NULL);
	must_link(&r, TD_HTML_SRC, "https://ok.example/i.png");
	assert_int_equal(r.nlinks, 1);
	assert_non_null(find_text(&r, TD_HTML_TEXT_ATTR,
				  "https://cut.example/ <a href=x>"));
	rec_free(&r);

	/* a tag cut by the end still counts */
	scan(&r, "<a href=https://eof.example/ class", NULL);
	must_link(&r, TD_HTML_A_HREF, "https://eof.example/");
	rec_free(&r);
}

static void
html_huge_attribute_values_are_bounded(void **state)
{
	struct rec r = {0};
	struct td_buf b = TD_BUF_INIT;
	size_t i, total = 0;

	/* 1 MB href with references: capped copy */
	td_buf_adds(&b, "<a href=\"https://big.example/?");
	for (i = 0; i < 200000; i++)
		td_buf_adds(&b, "&amp;");
	td_buf_adds(&b, "\">big</a>");
	scan(&r, b.ptr, NULL);
	assert_int_equal(r.nlinks, 1);
	assert_true(strlen(r.links[0].value) <= 64 * 1024);
	assert_string_equal(r.links[0].text, "big");
	rec_free(&r);

	/* 1 MB title with references: decoded head, raw tail, nothing lost */
	td_buf_reset(&b);
	td_buf_adds(&b, "<p title=\"");
	for (i = 0; i < 100000; i++)
		td_buf_adds(&b, "&lt;abcdef ");
	td_buf_adds(&b, "https://tail.example/\">");
	scan(&r, b.ptr, NULL);
	for (i = 0; i < r.ntexts; i++)
		total += r.texts[i].len;
	assert_true(total > 500000);
	assert_true(any_text(&r, "https://tail.example/"));
	rec_free(&r);

	/* 1 MB data: URL without references: passed whole, capped at 64 KiB */
	td_buf_reset(&b);
	td_buf_adds(&b, "<img src='data:image/png;base64,");
	for (i = 0; i < 1 << 20; i++)
		td_buf_addch(&b, 'A');
	td_buf_adds(&b, "'>");
	scan(&r, b.ptr, NULL);
	assert_int_equal(r.nlinks, 1);
	assert_int_equal(strlen(r.links[0].value), 64 * 1024);
	rec_free(&r);
	td_buf_release(&b);
}

static void
html_deeply_nested_tags(void **state)
{
	struct rec r = {0};
	struct td_buf b = TD_BUF_INIT;
	size_t i;

	for (i = 0; i < 100000; i++)
		td_buf_adds(&b, "<div><span><svg>");
	td_buf_adds(&b, "<a href=\"https://deep.example/\">deep</a>");
	for (i = 0; i < 100000; i++)
		td_buf_adds(&b, "</svg></span></div>");
	scan(&r, b.ptr, NULL);
	must_link(&r, TD_HTML_A_HREF, "https://deep.example/");
	td_buf_release(&b);
	rec_free(&r);
}

/*
 * Inputs that make naive tokenizers quadratic: each must finish quickly
 * (the bound is loose so that sanitizer builds pass too).
 */
static void
html_pathological_inputs_are_linear(void **state)
{
	static const char *const units[] = {
	    "<",
	    "<!--",
	    "<a href=\"",
	    "&",
	    "&amp",
	    "&#",
	    "<a ",
	    "<![CDATA[",
	    "</",
	    "<!",
	    "<a href=x><img alt=y>",
	    "<base ",
	    "<svg><![CDATA[]",
	    "&notin",
	    "=",
	};
	static const char *const script_units[] = {
	    "location=", "location.href=\"", "window.open(",
	    "url(",	 "location=atob('",
	};
	struct td_buf b = TD_BUF_INIT;
	struct rec r = {0};
	size_t u, i;
	clock_t t0;
	double secs;

	for (u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
		td_buf_reset(&b);
		while (b.len < 2 << 20)
			td_buf_adds(&b, units[u]);
		t0 = clock();
		assert_int_equal(td_html_scan(b.ptr, b.len, NULL, NULL, NULL),
				 0);
		secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
		if (secs > 5)
			fail_msg("unit %zu took %.1fs", u, secs);
	}
	for (u = 0; u < sizeof(script_units) / sizeof(script_units[0]); u++) {
		for (i = 0; i < 2; i++) {
			td_buf_reset(&b);
			td_buf_adds(&b, i ? "<style>" : "<script>");
			while (b.len < 2 << 20)
				td_buf_adds(&b, script_units[u]);
			t0 = clock();
			assert_int_equal(scan_n(&r, b.ptr, b.len, NULL), 0);
			rec_free(&r);
			secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
			if (secs > 5)
				fail_msg("script unit %zu took %.1fs", u, secs);
		}
	}
	td_buf_release(&b);
}

static void
html_callback_value_stops_scan(void **state)
{
	struct rec r = {0};

	r.stop_after = 2;
	assert_int_equal(scan_n(&r,
				"<a href=1>1</a><a href=2>2</a><img "
				"src=3><img src=4>",
				40, NULL),
			 7);
	assert_int_equal(r.nlinks, 2);
	rec_free(&r);
	assert_int_equal(td_html_scan(NULL, 0, NULL, &cb, &r), 0);
	assert_int_equal(td_html_scan("<a href=x>", 10, NULL, NULL, NULL), 0);
}

static void
html_offsets_point_at_the_tag(void **state)
{
	struct rec r = {0};
	const char *doc = "xx<img src=a.png>yy<form action=f>";

	scan(&r, doc, NULL);
	assert_int_equal(must_link(&r, TD_HTML_SRC, "a.png")->offset, 2);
	assert_int_equal(must_link(&r, TD_HTML_FORM_ACTION, "f")->offset, 19);
	rec_free(&r);
}

/* ---- sniffing and names ---- */

static void
html_sniff_tells_html_from_text(void **state)
{
	static const char *const yes[] = {
	    "<!DOCTYPE html><p>x",
	    "\357\273\277  <html><body>x</body></html>",
	    "<HTML>",
	    "<?xml version=\"1.0\"?><svg></svg>",
	    "Hello<br>\nworld<br>\n<b>bold</b>",
	    "text then <div>a</div></div>",
	    "<table><tr><td>1</td></tr></table>",
	};
	static const char *const no[] = {
	    "",
	    "Hello,\n\nplease see <https://example.com/> for details.\n",
	    "a < b and c > d, <john@example.com>",
	    "Use the <html> tag once",
	    "1 <p 2",
	};
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!td_html_sniff(yes[i], strlen(yes[i])))
			fail_msg("not sniffed as html: %s", yes[i]);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (td_html_sniff(no[i], strlen(no[i])))
			fail_msg("sniffed as html: %s", no[i]);
	assert_false(td_html_sniff(NULL, 0));
}

static void
html_ctx_names(void **state)
{
	assert_string_equal(td_html_ctx_name(TD_HTML_A_HREF), "a href");
	assert_string_equal(td_html_ctx_name(TD_HTML_META_REFRESH),
			    "meta refresh");
	assert_string_equal(td_html_ctx_name(TD_HTML_JS_LOCATION),
			    "js location");
	assert_string_equal(td_html_ctx_name((enum td_html_ctx)99), "unknown");
}

/* Found by fuzz_html: link text that is only a cut UTF-8 sequence is
 * no link text (NULL), as html.h promises */
static void
html_link_text_of_a_lone_lead_byte_is_null(void **state)
{
	struct rec r;

	(void)state;
	memset(&r, 0, sizeof(r));
	scan(&r, "<a href=\"x\">\xf1</a>", NULL);
	assert_int_equal(r.nlinks, 1);
	assert_null(r.links[0].text);
	rec_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(html_link_text_of_a_lone_lead_byte_is_null),
	    cmocka_unit_test(html_a_href_with_link_text),
	    cmocka_unit_test(html_a_without_text_has_null_link_text),
	    cmocka_unit_test(html_unclosed_a_is_closed_by_next_a_and_end),
	    cmocka_unit_test(html_link_text_falls_back_to_img_alt),
	    cmocka_unit_test(html_link_text_is_decoded_collapsed_and_capped),
	    cmocka_unit_test(html_base_href_resolves_relative),
	    cmocka_unit_test(
		html_base_href_applies_to_earlier_links_and_first_wins),
	    cmocka_unit_test(
		html_base_relative_is_resolved_against_caller_base),
	    cmocka_unit_test(html_no_base_relative_value_is_kept),
	    cmocka_unit_test(html_meta_refresh_url),
	    cmocka_unit_test(html_srcset_each_candidate),
	    cmocka_unit_test(html_css_url_in_style),
	    cmocka_unit_test(html_js_location_assignment),
	    cmocka_unit_test(html_js_escapes_concat_and_atob),
	    cmocka_unit_test(html_js_in_event_handler_and_javascript_url),
	    cmocka_unit_test(html_entities_in_href_decoded),
	    cmocka_unit_test(html_entities_in_text_decoded),
	    cmocka_unit_test(html_url_whitespace_is_trimmed_and_removed),
	    cmocka_unit_test(html_duplicate_attribute_first_wins),
	    cmocka_unit_test(html_form_action_and_formaction),
	    cmocka_unit_test(html_src_and_other_url_attributes),
	    cmocka_unit_test(html_svg_xlink_href),
	    cmocka_unit_test(html_cdata_is_text_in_svg_only),
	    cmocka_unit_test(html_script_body_not_tokenized),
	    cmocka_unit_test(html_unterminated_script_runs_to_end),
	    cmocka_unit_test(html_text_run_joins_inline_tags),
	    cmocka_unit_test(html_long_text_is_split_at_whitespace),
	    cmocka_unit_test(html_attribute_values_as_text),
	    cmocka_unit_test(html_comments_doctype_and_conditional_comments),
	    cmocka_unit_test(html_angle_bracket_url_is_text),
	    cmocka_unit_test(html_noscript_and_plaintext),
	    cmocka_unit_test(html_tag_soup_and_lone_lt),
	    cmocka_unit_test(html_nul_bytes_and_invalid_utf8),
	    cmocka_unit_test(html_unterminated_comment_is_bounded),
	    cmocka_unit_test(html_unterminated_attribute_is_text),
	    cmocka_unit_test(html_huge_attribute_values_are_bounded),
	    cmocka_unit_test(html_deeply_nested_tags),
	    cmocka_unit_test(html_pathological_inputs_are_linear),
	    cmocka_unit_test(html_callback_value_stops_scan),
	    cmocka_unit_test(html_offsets_point_at_the_tag),
	    cmocka_unit_test(html_sniff_tells_html_from_text),
	    cmocka_unit_test(html_ctx_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
