#!/bin/sh
# takedown send end to end: a case made by report from a real phishing
# e-mail, sent with --yes to a real SMTP server on loopback (Postfix,
# start_smtpd) that delivers into a Maildir, read back and checked; a
# second run sends nothing; an SMTP server that is down leaves the
# drafts sendable.
. "$(dirname "$0")/lib.sh"
own_domain_world
need_postfix

init_reporter --smtp-url "smtp://127.0.0.1:$SMTP_PORT"
# shellcheck disable=SC2086
"$TD_BIN" report --no-cache --json $OWN_NET "$OWN_URL" \
	>"$T/r.json" 2>"$T/r.err" || fail_start "takedown report"
CASE=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["case"])' "$T/r.json")
N=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["drafts"])' "$T/r.json")
plan 10

check "without --yes and no terminal: nothing sent, usage error" sh -c "
	'$TD_BIN' send '$CASE' </dev/null >/dev/null 2>&1; [ \$? -eq 2 ]"
check "--dry-run lists the drafts and sends nothing" sh -c "
	'$TD_BIN' send --dry-run '$CASE' | grep -q 'would be sent' &&
	[ \$(ls '$SMTP_MAILDIR/new' 2>/dev/null | wc -l) -eq 0 ]"
"$TD_BIN" send --yes --json --ca-file "$SMTP_CA" "$CASE" >"$T/s.json" 2>"$T/s.err"
echo $? >"$T/s.rc"
check "send --yes: every draft sent, the server's answer kept" sh -c "
	grep -qx 0 '$T/s.rc' && [ \$(grep -c '\"result\":\"sent\"' '$T/s.json') -eq $N ] &&
	grep -q '\"reply\":\"250' '$T/s.json'"
check "the Maildir holds each message as drafted" sh -c "
	for i in 1 2 3 4 5 6 7 8 9 10; do
		[ \$(ls '$SMTP_MAILDIR/new' | wc -l) -ge $N ] && break; sleep 0.5
	done
	[ \$(ls '$SMTP_MAILDIR/new' | wc -l) -eq $N ] &&
	for f in '$SMTP_MAILDIR'/new/*; do python3 - \"\$f\" <<'PY' || exit 1
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)
for h in ('From', 'To', 'Subject', 'Date', 'Message-ID'):
    assert len(m.get_all(h) or []) == 1, h
assert 'abuse-team@example.org' in m['From'], m['From']
assert '[TD-' in m['Subject'], m['Subject']
types = [p.get_content_type() for p in m.walk()]
assert 'application/json' in types, types
PY
	done"
check "the draft files equal what was delivered (after the server's own headers)" sh -c "
	for f in '$SMTP_MAILDIR'/new/*; do
		mid=\$(grep -m1 -i '^Message-ID:' \"\$f\" | tr -d '\r')
		d=\$(grep -l -F \"\$mid\" '$TAKEDOWN_HOME'/cases/$CASE/outbox/*.eml) || exit 1
		python3 -c 'import sys
a=open(sys.argv[1],\"rb\").read().replace(b\"\\r\\n\",b\"\\n\")
b=open(sys.argv[2],\"rb\").read().replace(b\"\\r\\n\",b\"\\n\")
assert a.endswith(b), (len(a), len(b))' \"\$f\" \"\$d\" || exit 1
	done"
check "a second run sends nothing: never twice" sh -c "
	'$TD_BIN' send --yes '$CASE' | grep -q 'nothing to send' &&
	[ \$(ls '$SMTP_MAILDIR/new' | wc -l) -eq $N ]"
check "SMTP server down: a clear error, the drafts stay sendable" sh -c "
	'$TD_BIN' report --allow-private --no-cache --timeout 3000 --json \
		--dns '127.0.0.1:$DNS_PORT' --rdap 'http://127.0.0.1:$HTTP_PORT/rdap/' \
		--connect-to 'paypal-secure-login.com:80:127.0.0.1:$HTTP_PORT' \
		http://paypal-secure-login.com/ahouf/algonquincollege.html >'$T/r2.json' 2>/dev/null &&
	C2=\$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[\"case\"])' '$T/r2.json') &&
	'$TD_BIN' send --yes --timeout 3000 --smtp-url smtp://127.0.0.1:1 \"\$C2\" >/dev/null 2>'$T/down.err';
	[ \$? -eq 1 ] && grep -q '127.0.0.1' '$T/down.err' &&
	'$TD_BIN' send --dry-run \"\$C2\" | grep -q 'would be sent'"

# the phone: a script from the case, and the log of the call
"$TD_BIN" call "$CASE" registrar >"$T/call.txt" 2>&1
check "call: a script with the number, the URL, the team, not the person" sh -c "
	grep -q 'paypal-secure-login.com/ahouf/algonquincollege.html' '$T/call.txt' &&
	grep -q '+1.2086851750' '$T/call.txt' &&
	grep -q 'Example CERT abuse team' '$T/call.txt' && ! grep -q 'Jane' '$T/call.txt' &&
	grep -qi 'law enforcement\\|police' '$T/call.txt'"
check "call --log and note go to the case's history" sh -c "
	'$TD_BIN' call '$CASE' registrar --log 'spoke to the abuse desk, ticket 4711' >/dev/null &&
	'$TD_BIN' note '$CASE' 'page still up at 10:00' >/dev/null &&
	python3 -c 'import sqlite3,sys
db=sqlite3.connect(sys.argv[1])
rows=[r[0] for r in db.execute(\"select detail from event where kind in (\x27call\x27,\x27note\x27)\")]
assert any(\"ticket 4711\" in (r or \"\") for r in rows), rows
assert any(\"still up\" in (r or \"\") for r in rows), rows' '$TAKEDOWN_HOME/cases.sqlite'"
check "call: an unknown case or role is refused" sh -c "
	'$TD_BIN' call TD-1999-000001 host >/dev/null 2>&1; [ \$? -eq 1 ] &&
	'$TD_BIN' call '$CASE' nobody >/dev/null 2>&1; [ \$? -eq 2 ]"
