#!/bin/sh
# takedown lint on crafted drafts: the good ones pass, each bad one fails
# its rule with a one-line reason and exit 1; --json; the malicious-case
# privacy check; usage errors.
. "$(dirname "$0")/lib.sh"
L="$FIX/lint"
plan 10

lint() { "$TD_BIN" lint "$@"; }

check "a good draft passes, exit 0" \
	sh -c '"$0" lint "$1" >"$2" && grep -q ": ok$" "$2"' "$TD_BIN" "$L/good.eml" "$T/o"
check "negated asks pass" lint "$L/good-negated.eml"

fails() { # FILE RULE [OPTIONS...]: exit 1, one FAIL line naming RULE
	f=$1 r=$2; shift 2
	lint "$@" "$L/$f" >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc -eq 1 ] || { echo "exit $rc"; cat "$T/out" "$T/err"; return 1; }
	[ "$(wc -l <"$T/out")" -eq 1 ] || { cat "$T/out"; return 1; }
	grep -q ": FAIL $r: ." "$T/out" || { cat "$T/out"; return 1; }
}
each_rule() {
	for p in no-identity:identity no-url:url no-how-found:how-found \
		no-evidence:evidence no-le-advice:le-advice \
		asks-payment:asks-payment asks-access:asks-access \
		offers-fix:offers-fix no-attachment:attachment \
		headers-two-from:headers headers-no-date:headers \
		headers-bare-cr:headers auto-submitted:auto-submitted \
		line-length:line-length; do
		fails "${p%%:*}.eml" "${p#*:}" || { echo "in $p"; return 1; }
	done
}
check "each crafted bad draft fails its rule, exit 1" each_rule
check "malicious case: the personal address, base64 in a link" \
	fails reveals-identity.eml reveals-identity --case malicious --personal john@example.com
check "compromised case: the same draft passes" \
	lint --personal john@example.com "$L/reveals-identity.eml"
check "--url must appear exactly" fails good.eml url --url https://shop.example.com/other
check "--json: one object per file, failures with rule and reason" \
	sh -c '"$0" lint --json "$1" "$2" | python3 -c "
import json,sys
objs=[json.loads(l) for l in sys.stdin]
assert objs[0][\"schema\"]==\"takedown-lint/1\" and objs[0][\"ok\"] and objs[0][\"failures\"]==[], objs[0]
assert not objs[1][\"ok\"] and objs[1][\"failures\"][0][\"rule\"]==\"offers-fix\", objs[1]"; test $? -eq 0' \
	"$TD_BIN" "$L/good.eml" "$L/offers-fix.eml"
check "reads standard input" sh -c '"$0" lint - <"$1"' "$TD_BIN" "$L/good.eml"
usage() { lint --case evil "$L/good.eml" 2>/dev/null; [ $? -eq 2 ] && { lint 2>/dev/null; [ $? -eq 2 ]; }; }
check "usage errors exit 2" usage
missing() { lint "$T/nope.eml" 2>"$T/err" >/dev/null; [ $? -eq 1 ] && [ "$(wc -l <"$T/err")" -eq 1 ]; }
check "unreadable file: one-line error, exit 1" missing
