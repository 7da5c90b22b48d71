#!/bin/sh
# takedown extract on a forwarded phish: both messages, their roles, the
# sending IP, the URLs with where they were found, and the CLI contract.
. "$(dirname "$0")/lib.sh"
plan 20
F="$FIX/mail/forwarded-phish.eml"

"$TD_BIN" extract --json "$F" >"$T/f.json" 2>"$T/f.err"
q() { jsonq "$1" <"$T/f.json"; }

check "exit 0 on a good message" "$TD_BIN" extract --json "$F"
check "one JSON line for one input" test "$(wc -l <"$T/f.json")" -eq 1
check "schema is versioned" q 'assert o["schema"]=="takedown-extract/1"'
check "outer and attached messages, in that order" \
	q 'assert [m["role"] for m in o["messages"]]==["outer","attached"], o["messages"]'
check "attached message sits at part 2, named" \
	q 'm=o["messages"][1]; assert m["part"]=="2" and m["filename"]=="Discounts.eml" and m["parent"]==0'
check "inner subject decoded" \
	q 'assert o["messages"][1]["headers"]["subject"]=="Discounts Like This Is Why We Love The Holidays!"'
check "inner From parsed" \
	q 'f=o["messages"][1]["headers"]["from"][0]; assert f=={"name":"New Inventions","address":"yudvisis@yudvisis.com"}, f'
check "inner date in UTC" \
	q 'assert o["messages"][1]["headers"]["date_utc"]=="2023-02-15T08:41:27Z"'
check "defanged URL in the outer note refanged" \
	q 'u=[u for u in o["messages"][0]["urls"] if u["url"]=="http://crocolone.com"]; assert u and u[0]["defanged"] and u[0]["raw"]=="hxxp://crocolone[.]com", o["messages"][0]["urls"]'
check "phishing links found in the inner HTML with part and context" \
	q 'us=[u for u in o["messages"][1]["urls"] if u["host"]=="crocolone.com"]; assert len(us)>=3; f=us[0]["found"][0]; assert f["part"]=="2.1" and f["where"]=="a href" and f["content_type"]=="text/html", us[0]'
check "exact URL kept byte for byte" \
	q 'assert any(u["url"]=="http://crocolone.com/vf3265sdvwxv635sfdssdf.html?od=4syj63ec97c081c3f_vl_intervl_18w3.395vf2s.C0000rglvep1ryt3id_wy1616.glvepMTl1Z3puLTM4NDd1MGU0g2s3U" for u in o["messages"][1]["urls"])'
check "registrable domain given" \
	q 'assert all(u["domain"]=="crocolone.com" for u in o["messages"][1]["urls"] if u["host"]=="crocolone.com")'
check "Received chain parsed hop by hop" \
	q 'r=o["messages"][1]["received"]; assert len(r)==4 and r[3]["from_ip"]=="208.67.248.14", r'
check "sending IP is the first hop outside the recipient's relays" \
	q 's=o["messages"][1]["sending_ip"]; assert s and s["ip"]=="208.67.248.14", s'
check "Authentication-Results summarised" \
	q 'a=o["messages"][1]["headers"]["authentication_results"]; assert "spf=none" in a and "dmarc=none" in a, a'

check "human output names both messages" sh -c '"$0" extract "$1" | grep -q "message: attached, part 2"' "$TD_BIN" "$F"
check "reads standard input" sh -c '"$0" extract --json <"$1" | grep -q crocolone' "$TD_BIN" "$F"
usage_exit() { "$TD_BIN" extract --no-such-option "$F" >/dev/null 2>&1; [ $? -eq 2 ]; }
check "unknown option exits 2" usage_exit
missing_exit() {
	"$TD_BIN" extract "$T/does-not-exist.eml" "$F" >"$T/m.out" 2>"$T/m.err"
	[ $? -eq 1 ] && [ "$(wc -l <"$T/m.err")" -eq 1 ] && grep -q "does-not-exist" "$T/m.err" &&
		grep -q crocolone "$T/m.out"
}
check "missing file: one-line error, exit 1, other inputs still done" missing_exit
help_ok() { "$TD_BIN" help extract | grep -q -- "--json" && "$TD_BIN" --version | grep -q '^takedown '; }
check "help is generated from the option table; --version" help_ok
