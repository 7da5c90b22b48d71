#!/bin/sh
# takedown parse-record over real saved records: format recognised without
# a hint, the facts a reporter needs, not-found and quota answers as such.
. "$(dirname "$0")/lib.sh"
C="$TD_CORPUS"
[ -d "$C/whois-parser" ] && [ -d "$C/rdap-bbot" ] || skip_all "../shared/corpus absent"
plan 11

pr() { "$TD_BIN" parse-record --json "$@"; }
q() { f=$1; shift; pr "$f" | jsonq "r=o['record']; $*"; }

check "RDAP recognised without a hint, registrar and IANA ID" \
	q "$C/rdap-bbot/verisign_com_github.json" 'assert r["format"]=="rdap" and r["registrar"]=="MarkMonitor Inc." and r["registrar_iana_id"]==292, r'
check "RDAP: registrar abuse e-mail nested under the registrar" \
	q "$C/rdap-bbot/verisign_com_github.json" 'assert r["abuse_email"] and "@markmonitor.com" in r["abuse_email"].lower(), r["abuse_email"]'
check "RDAP: related link to the registrar's RDAP server" \
	q "$C/rdap-bbot/verisign_com_github.json" 'assert r["registrar_rdap"] and r["registrar_rdap"].startswith("https://"), r'
check "WHOIS recognised, registrar, abuse e-mail and dates" \
	q "$C/whois-parser/noterror/ac_git.ac" 'assert r["format"]=="whois" and r["registrar"]=="Porkbun LLC" and r["abuse_email"]=="abuse@porkbun.com" and r["created"]=="2018-02-09T11:59:43Z", r'
check "WHOIS: a not-found answer is not data" \
	sh -c 'for f in "$1"/whois-parser/notfound/*; do "$0" parse-record --json "$f"; done | python3 -c "
import json,sys
st=[json.loads(l)[\"record\"][\"status\"] for l in sys.stdin]
assert st and all(s==\"not_found\" for s in st), st"' "$TD_BIN" "$C"
check "RDAP IP network: range, CIDR and abuse contact" \
	sh -c 'f=$(ls "$1"/ipwhois-rdap/rdap-ip/* | head -1); "$0" parse-record --json "$f" | python3 -c "
import json,sys
r=json.load(sys.stdin)[\"record\"]
assert r[\"kind\"]==\"ip\" and r[\"cidrs\"] and r[\"abuse_email\"], r"' "$TD_BIN" "$C"
check "human output escapes and labels" sh -c '"$0" parse-record "$1" | grep -q "registrar: *MarkMonitor"' "$TD_BIN" "$C/rdap-bbot/verisign_com_github.json"
check "reads standard input" sh -c '"$0" parse-record --json - <"$1" | grep -q Porkbun' "$TD_BIN" "$C/whois-parser/noterror/ac_git.ac"
bad() { printf '{"objectClassName": "domain", ' >"$T/bad.json"; "$TD_BIN" parse-record "$T/bad.json" >/dev/null 2>"$T/bad.err"; [ $? -eq 1 ] && [ "$(wc -l <"$T/bad.err")" -eq 1 ]; }
check "malformed JSON: one-line error, exit 1" bad
# found by fuzz_rdap: the JSON library quotes what it choked on, C1
# controls (CSI, OSC) included; the message must reach the terminal
# escaped
c1() { printf '["\302\2332J\302\2350;pwned\001"]' >"$T/c1.json"; "$TD_BIN" parse-record --format rdap "$T/c1.json" >/dev/null 2>"$T/c1.err"; [ $? -eq 1 ] && ! grep -q "$(printf '\302\233')" "$T/c1.err" && grep -q 'u{009b}' "$T/c1.err"; }
check "an error quoting C1 controls is escaped" c1
# found by fuzz_whois: a value cut inside a UTF-8 character is still UTF-8
cut() { { printf 'Creation Date: '; for i in $(seq 59); do printf a; done; printf '\303\251\n'; } >"$T/cut.txt"; "$TD_BIN" parse-record --format whois "$T/cut.txt" >"$T/cut.out" && grep -q 'date not understood' "$T/cut.out" && ! grep -q 'xc3' "$T/cut.out"; }
check "a note cut inside a character is valid UTF-8" cut
