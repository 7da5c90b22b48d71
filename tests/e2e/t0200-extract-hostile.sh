#!/bin/sh
# Hostile e-mails: each finishes in bounded time, never crashes (also under
# ASan/UBSan), writes valid JSON, and warns where something was left out.
. "$(dirname "$0")/lib.sh"
python3 "$TD_TOP/tests/e2e/gen_hostile.py" "$T/h" || { echo "1..0 # SKIP cannot generate"; exit 0; }
plan 28

# run NAME: extract --json with a time limit; exit 0/1 only, valid JSON
run() {
	timeout 120 "$TD_BIN" extract --json "$T/h/$1" >"$T/$1.json" 2>"$T/$1.err"
	rc=$?
	[ $rc -le 1 ] || { echo "exit $rc"; cat "$T/$1.err"; return 1; }
	python3 -c 'import json,sys
for l in open(sys.argv[1]): json.loads(l)' "$T/$1.json"
}
has_url() { grep -q "\"url\":\"$2\"" "$T/$1.json" || { echo "no $2"; head -c 2000 "$T/$1.json"; return 1; }; }
has_warning() { grep -q "$2" "$T/$1.json" || { echo "no warning $2"; head -c 2000 "$T/$1.json"; return 1; }; }

check "truncated MIME: finishes" run truncated-mime.eml
check "truncated MIME: link before the cut is found" has_url truncated-mime.eml "http://trunc.example/p"
check "missing boundary: finishes" run missing-boundary.eml
check "missing boundary: body still scanned" has_url missing-boundary.eml "http://noboundary.example/a"
check "missing boundary: warned" has_warning missing-boundary.eml "boundary"
check "wrong boundary: finishes" run wrong-boundary.eml
check "wrong boundary: body still scanned" has_url wrong-boundary.eml "http://wrongboundary.example/a"
check "broken base64: finishes" run broken-base64.eml
check "broken base64: decodable prefix scanned" has_url broken-base64.eml "http://b64.example/login"
check "broken quoted-printable: finishes" run broken-qp.eml
check "broken quoted-printable: soft break joined" has_url broken-qp.eml "http://qp.example/p=ZZ=4"
check "50 MB single line: finishes" run huge-line.eml
check "50 MB single line: warned about the part limit" has_warning huge-line.eml "max_part_bytes"
check "10,000 parts: finishes" run many-parts.eml
check "10,000 parts: warned about the part limit" has_warning many-parts.eml "max_parts"
check "10,000 parts: early parts read" has_url many-parts.eml "http://part9990.example/"
check "1,000 nested multiparts: finishes" run deep-nesting.eml
check "1,000 nested multiparts: warned" has_warning deep-nesting.eml "nest"
check "1,000 nested messages: finishes" run deep-rfc822.eml
check "1,000 nested messages: warned" has_warning deep-rfc822.eml "nest"
check "invalid UTF-8: finishes" run invalid-utf8.eml
check "invalid UTF-8: URL kept (bytes read as windows-1252)" has_url invalid-utf8.eml 'http://utf8.example/\\u00ff\\u00fe/\\u00c3' 
check "NUL bytes: finishes" run nul-bytes.eml
check "NUL bytes: URL after NULs found" has_url nul-bytes.eml "http://nul2.example/"
unknown_cs() { run unknown-charset.eml && has_warning unknown-charset.eml "unknown charset"; }
check "unknown charset: finishes with a warning" unknown_cs
check "1 MB header: finishes" run huge-header.eml
check "1 MB header: body still read" has_url huge-header.eml "http://hugeheader.example/"

# terminal safety: the human output carries no raw ESC or BEL
term_clean() {
	"$TD_BIN" extract "$T/h/crlf-injection.eml" >"$T/esc.txt" 2>&1
	! grep -q "$(printf '\033')" "$T/esc.txt" &&
	! grep -q "$(printf '\007')" "$T/esc.txt" &&
	grep -q 'x1b' "$T/esc.txt"
}
check "control characters never reach the terminal raw" term_clean
