#!/bin/sh
# takedown stats: a store filled by tests/tools/fill_store with cases at
# known times, so every figure below is worked out by hand; then the HTML
# page, parsed and drawn by headless Chromium where it is installed.
. "$(dirname "$0")/lib.sh"
FILL="${TD_BUILD:-$TD_TOP/build/release}/tools/fill_store"
[ -x "$FILL" ] || skip_all "fill_store not built ($FILL)"

export TAKEDOWN_NOW=1790900000 # 2026-10-02 00:13:20 UTC
mkdir -p "$TAKEDOWN_HOME"
S="$TAKEDOWN_HOME/cases.sqlite"

# T0 = 1790000000.  Figures per provider (nearest rank: ceil(p * n)):
#
# Alpha Hosting (host): 6 cases (1 2 3 4 5 7), reported 5 (1-5),
#   human answers 3 (1: 1h, 2: 1d - 10m = 85800 s, 4: 2h): sorted
#   3600 7200 85800, median rank 2 = 7200 (2h); answer rate 3/5 = 60%.
#   Takedowns 4 (1: 4h - 1h = 10800, 2: 2d - 10m = 172200, 3: 30m =
#   1800, 4: 8d 1h - 1h = 691200): sorted 1800 10800 172200 691200,
#   median rank 2 = 10800 (3h), p90 rank ceil(3.6) = 4 = 691200 (8d).
# Reg Co (registrar): 4 cases (1 2 4 6), reported 3 (1 2 6; 4 never
#   sent), no human answer; takedowns 3 (1: 10800, 2: 2d - 20m =
#   171600, 6: 1h5m - 1h = 300): sorted 300 10800 171600, median rank 2
#   = 10800 (3h), p90 rank ceil(2.7) = 3 = 171600 (1d 23h 40m: "1d 23h").
# Cloudflare, Inc. (cdn): 2 cases (3 5), reported 2, a bounce (not an
#   answer); takedown 1 (3: 30m = 1800): median = p90 = 1800 (30m).
# the hostile host of case 6: 1 case, reported, takedown 300 s (5m).
cat >"$T/script" <<'EOF'
# 1: answered after 1h, down after 3h
case 1790000000
url https://alpha-1.example/login
party host Alpha Hosting
party registrar Reg Co
sent host +1h
sent registrar +1h
state reported +1h
reply host +2h human
state mitigated +4h suspended
# 2: an auto-response, then a human one the next day
case 1790086400
url https://alpha-2.example/
party host Alpha Hosting
party registrar Reg Co
sent host +10m
sent registrar +20m
state reported +10m
reply host +30m auto
reply host +1d10m human
state mitigated +2d dns-removed
# 3
case 1790172800
party host Alpha Hosting
party cdn Cloudflare, Inc.
sent host +1h
sent cdn +1h
state reported +1h
state mitigated +1h30m cdn-blocked
# 4: the registrar is never written to
case 1790259200
party host Alpha Hosting
party registrar Reg Co
sent host +1h
state reported +1h
reply host +3h human
state mitigated +8d1h cleaned
# 5: the CDN's address bounces; closed without a takedown
case 1790345600
party host Alpha Hosting
party cdn Cloudflare, Inc.
sent host +2h
sent cdn +2h
state reported +2h
reply cdn +3h bounce
state closed +5d no answer
# 6: a provider name an attacker wrote
case 1790432000
url https://x.example/"><script>alert(2)</script>
party host <script>alert(1)</script>"'&\x1b[31mEvil\xe2\x80\xae
party registrar Reg Co
sent host +1h
sent registrar +1h
state reported +1h
note +1h2m called them
state mitigated +1h5m suspended
# 7: just opened
case 1790518400
url https://alpha-7.example/
party host Alpha Hosting
EOF

plan 23

check "fill_store builds the store from the script" \
	sh -c '"$1" --store "$2" --script "$3" >"$4" && grep -qx "7 cases" "$4"' \
	_ "$FILL" "$S" "$T/script" "$T/fill.out"

"$TD_BIN" stats >"$T/text" 2>"$T/text.err"
echo "rc=$?" >>"$T/text"
line() { grep -Eq "$1" "$T/text" || { cat "$T/text" "$T/text.err"; false; }; }
check "stats reads the store in TAKEDOWN_HOME, exit 0" line '^rc=0$'
check "host table: Alpha Hosting 6 5 60% 2h 3h 8d" \
	line '^  Alpha Hosting +6 +5 +60% +2h +3h +8d$'
check "registrar table: Reg Co 4 3 0% - 3h 1d 23h" \
	line '^  Reg Co +4 +3 +0% +- +3h +1d 23h$'
check "cdn table: Cloudflare 2 2 0% - 30m 30m" \
	line '^  Cloudflare, Inc\. +2 +2 +0% +- +30m +30m$'
check "roles in order, platform empty" sh -c '
	grep -E "^[a-z]+: " "$1" | tr "\n" "|" |
	grep -qx "host: 2 providers|registrar: 1 provider|cdn: 1 provider|platform: 0 providers|" &&
	grep -qx "  none yet" "$1"' _ "$T/text"
check "hostile name escaped on the terminal, cut to its column" sh -c '
	! grep -q "$(printf "\033")" "$1" &&
	grep -Fq "  <script>alert(1)</script>\"'"'"'&\\x1b[...       1         1" "$1"' \
	_ "$T/text"

"$TD_BIN" stats --store "$S" --json >"$T/json" 2>&1
check "--json: schema and every figure" sh -c 'python3 - "$1" <<"PY"
import json, sys
o = json.load(open(sys.argv[1]))
assert o["schema"] == "takedown-stats/1", o
assert o["generated"] == "2026-10-02T00:13:20Z", o["generated"]
assert o["limit"] == 20 and o["min_cases"] == 0
roles = {r["role"]: r["providers"] for r in o["roles"]}
assert list(roles) == ["host", "registrar", "cdn", "platform"], list(roles)
assert roles["platform"] == []
def p(role, name):
    for x in roles[role]:
        if x["name"] == name:
            return x
    raise AssertionError((role, name, roles[role]))
want = {
  ("host", "Alpha Hosting"): (6, 5, 3, 4, 0.6, 7200, 10800, 691200),
  ("registrar", "Reg Co"): (4, 3, 0, 3, 0.0, None, 10800, 171600),
  ("cdn", "Cloudflare, Inc."): (2, 2, 0, 1, 0.0, None, 1800, 1800),
  ("host", "<script>alert(1)</script>\"\x27&\x1b[31mEvil\u202e"):
      (1, 1, 0, 1, 0.0, None, 300, 300),
}
keys = ("cases", "reported", "answered", "mitigated", "answer_rate",
        "answer_median", "down_median", "down_p90")
for (role, name), v in want.items():
    x = p(role, name)
    got = tuple(x[k] for k in keys)
    assert got == v, (name, got, v)
assert [x["name"] for x in roles["host"]][0] == "Alpha Hosting"
PY' _ "$T/json"
check "--json output is ASCII" sh -c '! LC_ALL=C grep -q "[^ -~]" "$1"' _ "$T/json"

check "--role host --limit 1: the biggest host only" sh -c '
	"$1" stats --store "$2" --role host --limit 1 --json | python3 -c "
import json, sys
o = json.load(sys.stdin)
assert [r[\"role\"] for r in o[\"roles\"]] == [\"host\"], o
assert [p[\"name\"] for p in o[\"roles\"][0][\"providers\"]] == [\"Alpha Hosting\"], o"' \
	_ "$TD_BIN" "$S"
check "--min-cases 2 drops the one-case host; --all keeps it" sh -c '
	"$1" stats --store "$2" --role host --min-cases 2 | grep -q "^host: 1 provider$" &&
	"$1" stats --store "$2" --role host --all | grep -q "^host: 2 providers$"' \
	_ "$TD_BIN" "$S"
check "usage errors exit 2: bad role, --limit 0, an argument, --cases 5000" sh -c '
	"$1" stats --role nope; [ $? = 2 ] || exit 1
	"$1" stats --limit 0; [ $? = 2 ] || exit 1
	"$1" stats extra; [ $? = 2 ] || exit 1
	"$1" stats --cases 5000; [ $? = 2 ]' _ "$TD_BIN"
check "a missing store: exit 1, nothing created" sh -c '
	"$1" stats --store "$2/none.sqlite" 2>"$2/missing.err"; [ $? = 1 ] &&
	grep -q "no case store" "$2/missing.err" && [ ! -e "$2/none.sqlite" ]' \
	_ "$TD_BIN" "$T"

H="$T/out/stats.html"
mkdir -p "$T/out"
check "--html writes the page" sh -c '"$1" stats --html "$2" >"$3" &&
	grep -q "^page written to " "$3" && [ -s "$2" ]' _ "$TD_BIN" "$H" "$T/html.out"
check "written through a temporary file: nothing left beside it, mode 0644" sh -c '
	[ "$(ls "$1")" = stats.html ] && [ "$(stat -c %a "$1/stats.html")" = 644 ]' \
	_ "$T/out"
check "page: no script, hostile text escaped, the CSP matches the style" \
	sh -c 'python3 - "$1" <<"PY"
import base64, hashlib, re, sys
h = open(sys.argv[1], encoding="utf-8").read()
assert "<script" not in h.lower(), "script element"
assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;\\x1B[31mEvil\\u{202E}" in h
assert "&lt;script&gt;alert(2)&lt;/script&gt;" in h
assert "\x1b" not in h and "\u202e" not in h
assert not re.search(r"(?i)\b(src|href|action)\s*=", h), "a link out"
m = re.search(r"<style>(.*?)</style>", h, re.S)
csp = re.search(r"Content-Security-Policy\" content=\"([^\"]*)\"", h).group(1)
assert "default-src \x27none\x27" in csp, csp
digest = base64.b64encode(hashlib.sha256(m.group(1).encode()).digest()).decode()
assert ("style-src \x27sha256-%s\x27" % digest) in csp, (digest, csp)
# the figures of the text table
assert "<td class=\"p\">Alpha Hosting</td><td class=\"n\">6</td><td class=\"n\">5</td><td class=\"n\">60% (3)</td><td class=\"n\">2h</td><td class=\"n\">3h</td><td class=\"n\">8d</td>" in h
assert h.count("<g class=\"case\">") == 7, h.count("<g class=\"case\">")
PY' _ "$H"
check "--cases 3 draws three timelines" sh -c '
	"$1" stats --html "$2" --cases 3 >/dev/null &&
	[ "$(grep -o "<g class=\"case\">" "$2" | wc -l)" = 3 ]' _ "$TD_BIN" "$T/three.html"

# ---- rendering in a browser ----
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ]; then
	for i in 1 2 3 4 5 6; do
		echo "ok $((n + i)) # SKIP chromium not installed (apt-get install chromium)"
	done
	exit 0
fi
export HOME="$T/chrome-home"
mkdir -p "$HOME"
chrome() {
	timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu \
		--no-first-run --disable-extensions --user-data-dir="$T/chrome-data" \
		"$@"
}
chrome --dump-dom "file://$H" >"$T/dom" 2>"$T/dom.err"
check "chromium parses the page" sh -c '[ -s "$1" ] && grep -q "</html>" "$1" ||
	{ tail -5 "$2"; false; }' _ "$T/dom" "$T/dom.err"
check "after parsing: a chart per role, one row per provider, the timelines" \
	sh -c 'python3 - "$1" <<"PY"
import re, sys
d = open(sys.argv[1], encoding="utf-8").read()
svgs = re.findall(r"<svg[^>]*class=\"([a-z]+)\"", d)
assert svgs == ["dist", "dist", "dist", "legend", "timeline"], svgs
assert len(re.findall(r"<g class=\"row\">", d)) == 4
assert len(re.findall(r"<line class=\"median\"", d)) == 4
assert len(re.findall(r"<line class=\"p90\"", d)) == 4
assert len(re.findall(r"<g class=\"case\">", d)) == 7
# marks: 7 created, 11 sent, 1 auto, 3 answers, 1 bounce, 5 mitigated, 1 closed
marks = re.findall(r"<g class=\"mark ([a-z]+)\">", d)
count = {k: marks.count(k) for k in set(marks)}
assert count == {"created": 7, "sent": 11, "auto": 1, "answer": 3,
                 "bounce": 1, "mitigated": 5, "closed": 1}, count
assert "<script" not in d.lower()
assert "&lt;script&gt;alert(1)&lt;/script&gt;" in d
PY' _ "$T/dom"
chrome --enable-logging=stderr --v=0 --dump-dom "file://$H" >/dev/null 2>"$T/csp.err"
check "no Content Security Policy violation (the style is allowed)" sh -c '
	! grep -i "content security policy" "$1"' _ "$T/csp.err"
chrome --screenshot="$T/shot.png" --window-size=1200,2000 "file://$H" \
	>"$T/shot.out" 2>&1
check "chromium draws a screenshot" sh -c '[ -s "$1" ] || { tail -5 "$2"; false; }' \
	_ "$T/shot.png" "$T/shot.out"
check "the screenshot is a 1200x2000 PNG, not blank" sh -c 'python3 - "$1" <<"PY"
import struct, sys, zlib
b = open(sys.argv[1], "rb").read()
assert b[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
i, idat, ihdr = 8, b"", None
while i < len(b):
    n, t = struct.unpack(">I4s", b[i:i + 8])
    if t == b"IHDR":
        ihdr = struct.unpack(">IIBBBBB", b[i + 8:i + 8 + 13])
    elif t == b"IDAT":
        idat += b[i + 8:i + 8 + n]
    i += 12 + n
w, h, depth, ctype = ihdr[:4]
assert (w, h) == (1200, 2000), (w, h)
assert depth == 8 and ctype in (2, 6), ihdr
bpp = 3 if ctype == 2 else 4
raw, stride = zlib.decompress(idat), w * bpp
prev, colours, pos = bytearray(stride), set(), 0
for y in range(h):
    f, line = raw[pos], bytearray(raw[pos + 1:pos + 1 + stride])
    pos += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        c = prev[x - bpp] if x >= bpp else 0
        up = prev[x]
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + up) & 255
        elif f == 3: line[x] = (line[x] + (a + up) // 2) & 255
        elif f == 4:
            p = a + up - c
            pa, pb, pc = abs(p - a), abs(p - up), abs(p - c)
            pr = a if pa <= pb and pa <= pc else (up if pb <= pc else c)
            line[x] = (line[x] + pr) & 255
    if y % 10 == 0:
        for x in range(0, stride, bpp * 5):
            colours.add(bytes(line[x:x + 3]))
    prev = line
assert len(colours) > 10, len(colours)
PY' _ "$T/shot.png"
check "the hostile page still renders its text, not markup" sh -c '
	grep -q "Alpha Hosting" "$1" && ! grep -qi "<img" "$1"' _ "$T/dom"
