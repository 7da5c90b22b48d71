#!/bin/sh
# takedown import end to end: a case made with `takedown report` against
# a loopback world (as t0910), its drafts marked sent by hand (send
# --mark-sent, no SMTP server needed), then replies built from the
# fixtures of tests/fixtures/replies with the drafts' real Message-IDs
# and the case tag put in, read as .eml, mbox, Maildir and standard input.
. "$(dirname "$0")/lib.sh"
C="$TD_CORPUS"
R="$TD_TOP/tests/fixtures/replies"
own_domain_world

init_reporter
# shellcheck disable=SC2086
"$TD_BIN" report --no-cache --json $OWN_NET "$OWN_URL" \
	>"$T/r.json" 2>"$T/r.err" || fail_start "takedown report"
CASE=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["case"])' "$T/r.json")
DB="$TAKEDOWN_HOME/cases.sqlite"

# role, Message-ID and recipient of each draft, from the store
python3 - "$DB" >"$T/drafts" <<'PY' || fail_start "reading the drafts"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for role, mid, rcpt in db.execute(
        "SELECT role, message_id, recipient FROM message ORDER BY id"):
    print(role, mid, rcpt)
PY
HOST_MID=$(awk '$1=="host"{print $2; exit}' "$T/drafts")
REG_MID=$(awk '$1=="registrar"{print $2; exit}' "$T/drafts")
REG_RCPT=$(awk '$1=="registrar"{print $3; exit}' "$T/drafts")
HOST_RCPT=$(awk '$1=="host"{print $3; exit}' "$T/drafts")
[ -n "$HOST_MID" ] && [ -n "$REG_MID" ] || fail_start "a host and a registrar draft"
# as if `takedown send` had been interrupted after claiming each draft
# (state "sending"), then settled by hand: no SMTP server needed
python3 - "$DB" <<'PY' || fail_start "claiming the drafts"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE message SET state = 'sending', claimed = created")
db.commit()
PY
while read -r role mid rcpt; do
	"$TD_BIN" send --mark-sent "$mid" >/dev/null 2>"$T/ms.err" ||
		fail_start "send --mark-sent ($(cat "$T/ms.err"))"
done <"$T/drafts"

q() { python3 - "$DB" "$@" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
r = db.execute(sys.argv[2], sys.argv[3:]).fetchone()
print("" if r is None else r[0])
PY
}
state() { q "SELECT state FROM cases WHERE tag = ?" "$CASE"; }
# a fixture with our ids and tag put in
fx() { sed -e "s/OUR-REPORT-ID@takedown.invalid/$2/g" -e "s/TD-2026-000001/$CASE/g" "$R/$1"; }
imp() { "$TD_BIN" import "$@"; }

plan 24

check "the case starts reported (its drafts marked sent)" sh -c "[ '$(state)' = reported ]"

# A: a ticket-system acknowledgement, In-Reply-To our report to the host
fx ticket-ack-otrs.eml "$HOST_MID" >"$T/a.eml"
imp "$T/a.eml" >"$T/a.out" 2>"$T/a.err"; echo $? >"$T/a.rc"
check "auto-response by In-Reply-To: reported -> auto-acknowledged" sh -c "
	grep -qx 0 '$T/a.rc' && grep -q '^$CASE  host .* auto  by In-Reply-To  reported -> auto-acknowledged' '$T/a.out' &&
	[ '$(state)' = auto-acknowledged ]"
check "the ticket number is kept on the host party" sh -c "
	[ '$(q "SELECT ticket FROM party WHERE role = 'host'")' = 'Ticket#2026112710000123' ]"
check "the copy is kept, 0600, named by its SHA-256" sh -c "
	f='$TAKEDOWN_HOME/received/'\$(sha256sum '$T/a.eml' | cut -c1-64).eml &&
	cmp -s \"\$f\" '$T/a.eml' && [ \$(stat -c %a \"\$f\") = 600 ]"

# B (ticket only) and C (References only) in one mbox
{
	echo "From abuse@hoster.example Sat Nov 28 14:40:00 2026"
	fx ticket-followup-otrs.eml "$HOST_MID"
	echo
	echo "From noc@hoster.example Fri Nov 27 11:20:00 2026"
	fx human-needs-info.eml "$REG_MID"
	echo
} >"$T/bc.mbox"
imp "$T/bc.mbox" >"$T/b.out" 2>"$T/b.err" </dev/null; echo $? >"$T/b.rc"
check "mbox: a later message carrying only the ticket matches by ticket" sh -c "
	grep -qx 0 '$T/b.rc' && grep -q '^$CASE  host .* human  by ticket number  proposes acknowledged' '$T/b.out'"
check "References match (In-Reply-To names a message not ours)" \
	grep -q "^$CASE  registrar .* human  by References  proposes needs-info" "$T/b.out"
check "a human reply only proposes: the state is unchanged, the command printed" sh -c "
	[ '$(state)' = auto-acknowledged ] &&
	grep -q 'proposes auto-acknowledged -> needs-info; to apply: takedown import --accept' '$T/b.err'"
imp --accept "$T/bc.mbox" >"$T/b2.out" 2>"$T/b2.err"; echo $? >"$T/b2.rc"
check "--accept on the same input applies it (needs-info wins in one run)" sh -c "
	grep -qx 0 '$T/b2.rc' && grep -q 'already imported' '$T/b2.out' &&
	[ '$(state)' = needs-info ]"
check "the state change is in the history, source import" sh -c "
	[ '$(q "SELECT count(*) FROM event WHERE kind = 'state' AND source = 'import' AND detail LIKE '%-> needs-info%'")' -ge 1 ] ||
	[ '$(q "SELECT count(*) FROM event WHERE kind = 'state' AND source = 'import'")' -ge 2 ]"

# D: the case tag only, on standard input
fx human-ack.eml x | sed -e '/^In-Reply-To:/d' -e '/^References:/d' >"$T/d.eml"
imp - <"$T/d.eml" >"$T/d.out" 2>"$T/d.err"; echo $? >"$T/d.rc"
check "stdin: matched by the case tag in the subject" sh -c "
	grep -qx 0 '$T/d.rc' && grep -q '^$CASE  .* human  by case tag in the subject' '$T/d.out'"

# E (a bounce of our report to the registrar), F (unmatched) and G (a
# bounce of our report to the host) in a Maildir, new/ and cur/ (each
# non-empty: input.c's empty-folder qsort trips UBSan, reported)
mkdir -p "$T/md/new" "$T/md/cur" "$T/md/tmp"
sed -e "s/A8F82EDD-E518-4F5C-8C70-BC4EFF24AB9F@example.ne.jp/$REG_MID/" \
	-e "s/kijitora@example.co.jp/$REG_RCPT/g" "$R/dsn-postfix.eml" \
	>"$T/md/new/1700000000.1.bounce"
cp "$R/auto-covad-abuse.eml" "$T/md/new/1700000000.2.covad"
sed -e "s/hogeuoiuadogalhg.dg9i09@example.jp/$HOST_MID/" \
	-e "s/kijitora@example.jp/$HOST_RCPT/g" "$R/bounce-exim.eml" \
	>"$T/md/cur/1700000000.3.exim:2,S"
imp "$T/md" >"$T/e.out" 2>"$T/e.err"; echo $? >"$T/e.rc"
check "Maildir: RFC 3464 and Exim bounces matched by the original Message-ID inside" sh -c "
	grep -qx 0 '$T/e.rc' &&
	grep -q '^$CASE  registrar .* bounce  by original Message-ID in the bounce' '$T/e.out' &&
	grep -q '^$CASE  host .* bounce  by original Message-ID in the bounce' '$T/e.out'"
check "each bounce marks that party's contact bad" sh -c "
	[ -n '$(q "SELECT bounced FROM party WHERE role = 'registrar'")' ] &&
	[ -n '$(q "SELECT bounced FROM party WHERE role = 'host'")' ] &&
	[ '$(q "SELECT count(*) FROM event WHERE kind = 'bounce'")' = 2 ]"
check "and names the next route, never a made-up contact: web form, upstream" sh -c "
	grep -q 'contact $REG_RCPT bad; next route: the party.s web form http://www.markmonitor.com' '$T/e.out' &&
	grep -q 'contact $HOST_RCPT bad; next route: the upstream network of paypal-secure-login.com' '$T/e.out'"
check "an unmatched message is listed at the end and kept" sh -c "
	grep -q '1 unmatched' '$T/e.out' && grep -q 'abuse-isp@Covad.COM' '$T/e.out' &&
	[ '$(q "SELECT count(*) FROM received WHERE case_id IS NULL")' = 1 ]"
check "--unmatched lists it" sh -c "
	'$TD_BIN' import --unmatched | grep -q 'Automated reply to the submission'"

# everything again: nothing changes
N0=$(q "SELECT count(*) FROM received")
E0=$(q "SELECT count(*) FROM event")
imp "$T/a.eml" "$T/bc.mbox" "$T/md" - <"$T/d.eml" >"$T/g.out" 2>&1; echo $? >"$T/g.rc"
check "re-importing the same bytes is a no-op" sh -c "
	grep -qx 0 '$T/g.rc' && grep -q '0 matched, 0 unmatched, 7 already imported' '$T/g.out' &&
	[ '$(q "SELECT count(*) FROM received")' = '$N0' ] &&
	[ '$(q "SELECT count(*) FROM event")' = '$E0' ]"

# --json, and hostile input
imp --json "$R/hostile-subject-crlf-esc.eml" "$R/hostile-long-headers.eml" \
	"$R/hostile-deep-nesting.eml" "$T/a.eml" >"$T/j.out" 2>"$T/j.err"
echo $? >"$T/j.rc"
check "--json exits 0" grep -qx 0 "$T/j.rc"
check "--json: one valid takedown-import/1 object" jsonq '
assert o["schema"] == "takedown-import/1", o
m = o["messages"]
assert len(m) == 4 and o["summary"]["messages"] == 4, o["summary"]
assert m[3]["duplicate"] and m[3]["case"] == "'"$CASE"'", m[3]
assert m[0]["class"] == "human" and m[2]["class"] == "bounce", m
assert "\x1b" in m[0]["subject"] and "\n" not in m[0]["subject"], m[0]
assert m[1]["message_id"] is None and len(m[1]["references"]) == 64, m[1]
assert o["summary"]["unmatched"] == 2, o["summary"]' <"$T/j.out"
check "--json output is ASCII, control characters escaped" sh -c "
	! LC_ALL=C grep -q '[^ -~]' '$T/j.out'"
# a fresh store, where nothing matches: every subject is listed
H="--store $T/h/cases.sqlite"
imp $H "$R/hostile-subject-crlf-esc.eml" "$R/hostile-long-headers.eml" \
	"$R/hostile-deep-nesting.eml" >"$T/h.out" 2>&1; echo $? >"$T/h.rc"
imp $H --unmatched >>"$T/h.out" 2>&1 || echo 1 >"$T/h.rc"
check "hostile input: no crash, nothing unescaped reaches the terminal" sh -c "
	grep -qx 0 '$T/h.rc' && ! LC_ALL=C grep -q '[^ -~]' '$T/h.out' &&
	grep -q 'X-Injected: yes \\\\x1b\[2J' '$T/h.out'"
check "hostile input: a CR/LF in a subject is stored as spaces, no header line made" sh -c "
	[ '$(q "SELECT count(*) FROM received WHERE subject LIKE '%' || char(10) || '%' OR subject LIKE '%' || char(13) || '%'")' = 0 ]"
check "a message over --max-size is refused with a clear error" sh -c "
	! '$TD_BIN' import --max-size 1k '$R/hostile-long-headers.eml' >/dev/null 2>'$T/big.err' &&
	grep -q 'over the limit\|larger than\|too large\|limit' '$T/big.err'"
# on a terminal the proposal is asked about: "n" keeps, "y" applies
if command -v script >/dev/null 2>&1; then
	for a in n y; do
		fx human-ack.eml "$HOST_MID" |
			sed "s/^Message-ID: <\(.*\)>/Message-ID: <$a-\1>/" >"$T/tty-$a.eml"
		printf '%s\n' "$a" | script -qec "'$TD_BIN' import '$T/tty-$a.eml'" \
			/dev/null >"$T/tty-$a.out" 2>&1
		eval "ST_$a=\$(state)"
	done
	check "on a terminal: asked, \"n\" keeps needs-info, \"y\" applies acknowledged" sh -c "
		grep -q 'proposes needs-info -> acknowledged. Apply? \[y/N\]' '$T/tty-n.out' &&
		[ '$ST_n' = needs-info ] && [ '$ST_y' = acknowledged ]"
else
	check "on a terminal (skipped: no script(1))" true
fi
check "the store passes its integrity check" sh -c "
	[ '$(q "PRAGMA integrity_check")' = ok ]"
