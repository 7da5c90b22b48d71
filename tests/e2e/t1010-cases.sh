#!/bin/sh
# takedown list, show, close, state, label and export over cases made by
# `takedown report` against a loopback world (the one of t0900-report.sh:
# dnsmasq, httpd.py with RDAP answers recorded from real registries, a
# TLS front), each case made at another time with TAKEDOWN_NOW:
#   A  10 days ago   http://paypal-secure-login.com/...      (URL)
#   B   3 days ago   https://storage.googleapis.com/...     (URL)
#   C   2 hours ago  ../shared/corpus phishing_pot sample-6648 (e-mail)
# plus hostile text put into the store behind takedown's back (a URL
# starting with "=", terminal escapes), as a criminal's page or record
# could carry it.
. "$(dirname "$0")/lib.sh"
C="$TD_CORPUS"

two_kinds_world

"$TD_BIN" init --name "Jane Doe" --org "Example CERT" \
	--email jane.doe@example.org --phone "+33 1 23 45 67 89" \
	--public-name "Example CERT abuse team" \
	--public-email abuse-team@example.org >/dev/null ||
	fail_start "takedown init"

NOW=1795000000
rep() {
	TAKEDOWN_NOW=$1 "$TD_BIN" report --json --allow-private --no-cache \
		--timeout 3000 --dns "127.0.0.1:$DNS_PORT" \
		--rdap "http://127.0.0.1:$HTTP_PORT/rdap/" --ca-file "$TLS_CA" \
		--connect-to "storage.googleapis.com:443:127.0.0.1:$TLS_PORT" \
		--connect-to "woondsplay.com:80:127.0.0.1:$HTTP_PORT" \
		--connect-to "woondsplay.com:443:127.0.0.1:$TLS_PORT" \
		--connect-to "paypal-secure-login.com:80:127.0.0.1:$HTTP_PORT" \
		"$2" 2>>"$T/report.err" | python3 -c 'import json,sys; print(json.load(sys.stdin)["case"])'
}
A=$(rep $((NOW - 10 * 86400)) http://paypal-secure-login.com/ahouf/algonquincollege.html)
B=$(rep $((NOW - 3 * 86400)) https://storage.googleapis.com/ahouf/algonquincollege.html)
CC=$(rep $((NOW - 7200)) "$C/phishing_pot/email/sample-6648.eml")
case "$A/$B/$CC" in
TD-*/TD-*/TD-*) ;;
*) cat "$T/report.err" >&2; fail_start "takedown report ($A/$B/$CC)" ;;
esac
export TAKEDOWN_NOW=$NOW
STORE="$TAKEDOWN_HOME/cases.sqlite"
# hostile text, as a page or record could carry it: a formula as a URL
# of case A, terminal escapes in a URL of case B
python3 - "$STORE" "$A" "$B" <<'PY' || fail_start "store edit"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
def cid(tag):
    return db.execute("SELECT id FROM cases WHERE tag = ?", (tag,)).fetchone()[0]
db.execute("INSERT INTO case_url (case_id, url, norm, host, domain) VALUES (?, ?, ?, ?, ?)",
           (cid(sys.argv[2]), '=HYPERLINK("http://evil.example/x","click")',
            "http://evil.example/x", "evil.example", "evil.example"))
db.execute("INSERT INTO case_url (case_id, url, norm, host, domain) VALUES (?, ?, ?, ?, ?)",
           (cid(sys.argv[3]), "http://esc.example/\x1b]0;pwned\x07\x1b[2J",
            "http://esc.example/", "esc.example", "esc.example"))
db.commit()
PY
td() { "$TD_BIN" "$@"; }
# tags of `list --json` with the given options, space-separated
tags() { td list --json "$@" | python3 -c 'import json,sys
print(" ".join(c["tag"] for c in json.load(sys.stdin)["cases"]))'; }
# want "EXPECTED" list options...: exactly those tags, in that order
want() { w=$1; shift; got=$(tags "$@"); [ "$got" = "$w" ] || { echo "got '$got' want '$w'"; return 1; }; }

plan 43

# ---- list ----
check "list: all three, newest first, one line each" sh -c "
	'$TD_BIN' list >'$T/l.txt' && cat '$T/l.txt' &&
	[ \$(grep -c '^TD-' '$T/l.txt') -eq 3 ] &&
	grep -n '^TD-' '$T/l.txt' | sed -n 1p | grep -q '$CC' &&
	grep -n '^TD-' '$T/l.txt' | sed -n 3p | grep -q '$A'"
check "list: a line holds state, kind, age, host, parties" sh -c "
	grep '^$A ' '$T/l.txt' | grep -q ' open .*malicious .* 10d  paypal-secure-login.com .*MarkMonitor' &&
	grep '^$CC ' '$T/l.txt' | grep -q ' 2h  woondsplay.com'"
check "list --json: schema, fields, valid JSON" sh -c "
	'$TD_BIN' list --json | python3 -c 'import json,sys
o=json.load(sys.stdin)
assert o[\"schema\"]==\"takedown-list/1\", o
assert o[\"shown\"]==3 and o[\"more\"]==0, o
c=o[\"cases\"][2]
assert c[\"tag\"]==\"$A\" and c[\"state\"]==\"open\" and c[\"kind\"]==\"malicious\", c
assert c[\"age_secs\"]==10*86400 and c[\"host\"]==\"paypal-secure-login.com\", c
assert any(p[\"role\"]==\"registrar\" for p in c[\"parties\"]), c
assert c[\"escalated\"] is False and c[\"labels\"]==[], c'"
check "list --kind" want "$CC" --kind compromised
check "list --kind, repeated" want "$CC $B $A" --kind compromised --kind malicious
check "list --domain" want "$A" --domain paypal-secure-login.com
check "list --registrar (role and name, any ASCII case)" want "$B $A" --registrar "markmonitor inc."
check "list --role registrar --provider" want "$B $A" --role registrar --provider "MarkMonitor Inc."
check "list --provider, any role" want "$B $A" --provider "MarkMonitor Inc."
check "list --role registrant (the compromised site's owner)" want "$CC" --role registrant
check "list --older-than" want "$B $A" --older-than 2d
check "list --older-than in hours" want "$A" --older-than 200h
check "list --newer-than" want "$CC $B" --newer-than 4d
check "list --newer-than in minutes" want "$CC" --newer-than 180m
check "list --older-than and --newer-than" want "$B" --older-than 1d --newer-than 5d
check "list --escalated, and esc on its line" sh -c "
	python3 -c 'import sqlite3,sys
db=sqlite3.connect(sys.argv[1]); db.execute(\"UPDATE cases SET escalated = 1 WHERE tag = ?\", (sys.argv[2],)); db.commit()' '$STORE' '$B' &&
	[ \"\$('$TD_BIN' list --json --escalated | python3 -c 'import json,sys
print(\" \".join(c[\"tag\"] for c in json.load(sys.stdin)[\"cases\"]))')\" = '$B' ] &&
	'$TD_BIN' list | grep '^$B ' | grep -q ' esc '"
check "list --state active" want "$CC $B $A" --state active
check "list --limit: the rest told" sh -c "
	'$TD_BIN' list --limit 1 >'$T/lim.txt'; cat '$T/lim.txt'
	[ \$(grep -c '^TD-' '$T/lim.txt') -eq 1 ] && grep -q '^2 more: --limit' '$T/lim.txt' &&
	'$TD_BIN' list --json --limit 2 | python3 -c 'import json,sys
o=json.load(sys.stdin); assert o[\"shown\"]==2 and o[\"more\"]==1 and o[\"more_exact\"], o'"
check "list --newer-than --limit counts the rest exactly" sh -c "
	'$TD_BIN' list --newer-than 30d --limit 1 | grep -q '^2 more'"

# ---- label ----
check "label: add two, one a formula" sh -c "
	'$TD_BIN' label $A +bank +=1+2 >'$T/lab.txt' && cat '$T/lab.txt' &&
	grep -q 'labels: =1+2, bank' '$T/lab.txt'"
check "label: remove after --, and --remove; --json" sh -c "
	'$TD_BIN' label $B +bank +tmp && '$TD_BIN' label --json $B -- -tmp | python3 -c 'import json,sys
o=json.load(sys.stdin); assert o[\"removed\"]==[\"tmp\"] and o[\"labels\"]==[\"bank\"], o' &&
	'$TD_BIN' label $B --remove bank | grep -q 'labels: none'"
check "list --label" want "$A" --label BANK
check "label: a label with a space is refused, exit 2" sh -c "
	'$TD_BIN' label $A '+two words' 2>'$T/e'; [ \$? -eq 2 ] && grep -q 'without spaces' '$T/e'"

# ---- state, close ----
check "state: open -> reported -> needs-info" sh -c "
	'$TD_BIN' state $B reported | grep -q 'open -> reported' &&
	'$TD_BIN' state $B needs-info --reason 'they want the full URL' | grep -q 'reported -> needs-info'"
check "state: a refused change names the allowed states, exit 1" sh -c "
	'$TD_BIN' state $B open 2>'$T/e'; rc=\$?; cat '$T/e'; [ \$rc -eq 1 ] &&
	grep -q 'needs-info case cannot become open' '$T/e' &&
	grep -q 'reported, acknowledged, mitigated, closed' '$T/e'"
check "state: mitigated needs --mitigation, exit 2" sh -c "
	'$TD_BIN' state $B mitigated 2>'$T/e'; [ \$? -eq 2 ] && grep -q 'suspended' '$T/e'"
check "state mitigated --mitigation suspended; --json" sh -c "
	'$TD_BIN' state --json $B mitigated --mitigation suspended | python3 -c 'import json,sys
o=json.load(sys.stdin); assert o[\"schema\"]==\"takedown-state/1\" and o[\"from\"]==\"needs-info\" and o[\"to\"]==\"mitigated\" and o[\"mitigation\"]==\"suspended\" and o[\"changed\"], o'"
check "list --state, repeated" want "$B" --state mitigated --state needs-info
check "state: the same state again changes nothing" sh -c "
	'$TD_BIN' state $B mitigated --mitigation suspended | grep -q 'already'"
check "close: --reason is required, exit 2" sh -c "
	'$TD_BIN' close $CC 2>'$T/e'; [ \$? -eq 2 ] && grep -q -- '--reason' '$T/e'"
check "close --reason" sh -c "
	'$TD_BIN' close $CC --reason 'duplicate of another report' | grep -q 'open -> closed'"
check "list hides closed cases; --all and --state closed show them" sh -c "
	[ \"\$('$TD_BIN' list --json | python3 -c 'import json,sys
print(\" \".join(c[\"tag\"] for c in json.load(sys.stdin)[\"cases\"]))')\" = '$B $A' ] &&
	[ \"\$('$TD_BIN' list --json --all | python3 -c 'import json,sys
print(len(json.load(sys.stdin)[\"cases\"]))')\" = 3 ] &&
	'$TD_BIN' list --state closed | grep -q '^$CC '"

# ---- show ----
check "show: every section, escapes, the timeline in order" sh -c "
	'$TD_BIN' show $B >'$T/s.txt'; cat '$T/s.txt'
	for h in '^$B  mitigated, escalated' '^  kind  *malicious' '^  mitigation  *suspended since' \
		'^URLs (2)' '^E-mails (0)' '^Parties (' '^Evidence (' '^Messages (' \
		'^Replies (0)' '^Timeline (' 'created .*\\[report\\]' \
		'open -> reported' 'needs-info: they want the full URL' 'drafted' \
		'sha256 ' 'from  *rdap, ' 'Message-ID  *<'; do
		grep -q \"\$h\" '$T/s.txt' || { echo \"missing: \$h\"; exit 1; }
	done
	! grep -q \"\$(printf '\\033')\" '$T/s.txt' && grep -q 'esc.example/\\\\x1b\\]0;pwned\\\\x07' '$T/s.txt'"
check "show: the e-mail a case came from" sh -c "
	'$TD_BIN' show $CC | grep -A2 '^E-mails (1)' | grep -q 'sha256  *[0-9a-f]\\{64\\}'"
check "show --json: schema, sections, timeline sorted" sh -c "
	'$TD_BIN' show --json $B | python3 -c 'import json,sys
o=json.load(sys.stdin)
assert o[\"schema\"]==\"takedown-show/1\", o
c=o[\"case\"]; assert c[\"tag\"]==\"$B\" and c[\"state\"]==\"mitigated\" and c[\"mitigation\"]==\"suspended\", c
assert len(o[\"urls\"])==2 and \"\\x1b\" in o[\"urls\"][1][\"url\"], o[\"urls\"]
assert o[\"parties\"] and all(p[\"provenance\"] is None or p[\"provenance\"][\"source\"] for p in o[\"parties\"])
assert any(p[\"provenance\"] and p[\"provenance\"][\"source\"]==\"rdap\" for p in o[\"parties\"])
assert o[\"evidence\"] and o[\"evidence\"][0][\"sha256\"], o[\"evidence\"]
assert o[\"messages\"] and all(m[\"message_id\"] and m[\"state\"]==\"draft\" for m in o[\"messages\"])
ev=o[\"events\"]; kinds=[e[\"kind\"] for e in ev]
assert kinds[0]==\"created\" and kinds.count(\"state\")==3, kinds
assert [e[\"at\"] for e in ev]==sorted(e[\"at\"] for e in ev)
assert all(e[\"source\"] for e in ev)
assert [e[\"source\"] for e in ev if e[\"kind\"]==\"state\"]==[\"user\"]*3, ev'"
check "show: case tags ignore ASCII case" sh -c "
	'$TD_BIN' show \$(echo $A | tr T t) | grep -q '^$A '"

# ---- export ----
check "export --csv: header, one row per case, RFC 4180, formulas inert" sh -c "
	'$TD_BIN' export --csv >'$T/x.csv' && python3 - '$T/x.csv' <<'PY'
import csv, sys
raw = open(sys.argv[1], 'rb').read()
assert raw.endswith(b'\r\n') and b'\r\n' in raw.split(b'\n')[0] + b'\n', raw[:200]
rows = list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8')))
h = rows[0]
assert h == ['tag','created','state','kind','mitigation','escalated','urls','domain',
	'registrar','host','cdn_platform','first_sent','first_human_answer','mitigated_at','labels'], h
r = {x[0]: dict(zip(h, x)) for x in rows[1:]}
assert list(r) == ['$A', '$B', '$CC'], list(r)
a, b, c = r['$A'], r['$B'], r['$CC']
assert a['created'] == '2026-11-08T11:06:40Z', a
assert a['state'] == 'open' and a['kind'] == 'malicious' and a['escalated'] == 'no', a
assert a['urls'].startswith('http://paypal-secure-login.com/') and ' =HYPERLINK' in a['urls'], a
assert 'MarkMonitor' in a['registrar'], a
assert a['labels'] == \"'=1+2 bank\", a
assert b['escalated'] == 'yes' and b['state'] == 'mitigated' and b['mitigation'] == 'suspended' and b['mitigated_at'] == '2026-11-18T11:06:40Z', b
assert c['state'] == 'closed' and c['kind'] == 'compromised', c
for row in rows[1:]:
    for cell in row:
        assert not cell or cell[0] not in '=+-@\t\r', (cell, row)
PY"
check "export --csv: a cell that is only a formula gets a quote" sh -c "
	python3 - '$STORE' '$A' <<'PY' &&
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute(\"UPDATE party SET name = '=cmd|\\\" /C calc\\\"!A0' WHERE role = 'host' AND case_id = (SELECT id FROM cases WHERE tag = ?)\", (sys.argv[2],))
db.commit()
PY
	'$TD_BIN' export --csv --domain paypal-secure-login.com | python3 -c 'import csv,sys
rows=list(csv.reader(sys.stdin)); assert len(rows)==2, rows
assert rows[1][9]==\"\\x27=cmd|\\\" /C calc\\\"!A0\", rows[1][9]'"
check "export --json: one array, the same columns; filters apply" sh -c "
	'$TD_BIN' export --json >'$T/x.json' && python3 -c 'import json,sys
v=json.load(open(sys.argv[1]))
assert [c[\"tag\"] for c in v]==[\"$A\",\"$B\",\"$CC\"], v
a=v[0]; assert a[\"urls\"][1].startswith(\"=HYPERLINK\") and a[\"labels\"]==[\"=1+2\",\"bank\"], a
assert v[1][\"mitigated_at\"]==\"2026-11-18T11:06:40Z\" and v[1][\"escalated\"] is True
assert set(a)>={\"tag\",\"created\",\"state\",\"kind\",\"mitigation\",\"escalated\",\"urls\",\"domain\",\"registrar\",\"host\",\"cdn_platform\",\"first_sent\",\"first_human_answer\",\"mitigated_at\",\"labels\"}, a' '$T/x.json' &&
	[ \"\$('$TD_BIN' export --json --state closed | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')\" = 1 ]"
check "export --jsonl: one case a line" sh -c "
	'$TD_BIN' export --jsonl --kind malicious >'$T/x.jsonl' && [ \$(wc -l <'$T/x.jsonl') -eq 2 ] &&
	python3 -c 'import json,sys
for l in open(sys.argv[1]): json.loads(l)' '$T/x.jsonl'"

# ---- mistakes ----
check "unknown case: exit 1 for show, close, state, label" sh -c "
	for c in 'show TD-2026-999999' 'close TD-2026-999999 --reason x' \
		'state TD-2026-999999 reported' 'label TD-2026-999999 +x'; do
		'$TD_BIN' \$c >/dev/null 2>'$T/e'; rc=\$?
		[ \$rc -eq 1 ] && grep -q 'no such case' '$T/e' || { echo \"\$c: \$rc\"; cat '$T/e'; exit 1; }
	done"
check "bad options and words: exit 2" sh -c "
	for c in 'list --bogus' 'list --state down' 'list --older-than 2days' \
		'list --role janitor' 'list --registrar X --role host' 'list extra' \
		'export' 'export --csv --json' 'state $A sideways' \
		'state $A reported --mitigation cleaned' 'show' 'show $A $B'; do
		'$TD_BIN' \$c >/dev/null 2>'$T/e'; rc=\$?
		[ \$rc -eq 2 ] || { echo \"\$c: \$rc\"; cat '$T/e'; exit 1; }
	done"
check "no store yet: list says so, show says no such case, nothing created" sh -c "
	TAKEDOWN_HOME='$T/empty' '$TD_BIN' list | grep -q 'no cases yet' &&
	TAKEDOWN_HOME='$T/empty' '$TD_BIN' export --csv | grep -q '^tag,created' &&
	{ TAKEDOWN_HOME='$T/empty' '$TD_BIN' show $A 2>/dev/null; [ \$? -eq 1 ]; } &&
	[ ! -e '$T/empty/cases.sqlite' ]"
