#!/bin/sh
# takedown due end to end, with the clock moved by TAKEDOWN_NOW: a case
# made by report against a loopback world (as t0910-send.sh) and sent
# through Postfix; an hour later nothing is due; after 49 hours a
# follow-up is due for each party, --draft writes it as a lint-clean
# reply in the report's thread (read back with Python's email package),
# and a second --draft writes nothing; the follow-ups are sent; after 6
# days the host's case goes over to the registrar (an escalation with
# the audit trail) and the registrar's to law enforcement; another
# policy file changes the answers, a broken one is a clear error.
. "$(dirname "$0")/lib.sh"
C="$TD_CORPUS"
own_domain_world
need_postfix

T0=$(date +%s)
at() { echo $((T0 + $1)); }
H=3600
D=86400
init_reporter --smtp-url "smtp://127.0.0.1:$SMTP_PORT"
# shellcheck disable=SC2086
TAKEDOWN_NOW=$T0 "$TD_BIN" report --no-cache --json --malicious $OWN_NET "$OWN_URL" \
	>"$T/r.json" 2>"$T/r.err" || fail_start "takedown report"
CASE=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["case"])' "$T/r.json")
N=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["drafts"])' "$T/r.json")
TAKEDOWN_NOW=$T0 "$TD_BIN" send --yes --ca-file "$SMTP_CA" "$CASE" \
	>"$T/s.out" 2>&1 || fail_start "takedown send"
OUT="$TAKEDOWN_HOME/cases/$CASE/outbox"
DB="$TAKEDOWN_HOME/cases.sqlite"
plan 20

# due NOW [ARGS...]: takedown due at T0 + NOW seconds
due() { w=$1; shift; TAKEDOWN_NOW=$(at "$w") "$TD_BIN" due "$@"; }
# jcheck FILE PYTHON: the JSON in FILE as o, then the assertions
jcheck() { python3 -c "import json,sys
o=json.load(open(sys.argv[1]))
assert o['schema']=='takedown-due/1', o
items=[i for i in o['items'] if i['case']=='$CASE']
by={i['role']:i for i in items}
$2" "$1"; }

due $H --json >"$T/d1.json" 2>"$T/d1.err"
check "+1h: nothing due, a follow-up for host and registrar at +48h" jcheck "$T/d1.json" "
assert set(by)=={'host','registrar'}, by.keys()
for r in by.values():
    assert r['action']=='wait' and not r['due'] and r['next']=='followup', r
    assert 'no answer' in r['reason'], r
assert not any(i['due'] for i in o['items'])"
check "+1h for people: 0 due, says when" sh -c "
	TAKEDOWN_NOW=$(at $H) '$TD_BIN' due >'$T/d1.txt' &&
	grep -q '^0 due, 2 waiting' '$T/d1.txt' && grep -q 'follow-up 1 at' '$T/d1.txt' &&
	grep -q 'in 1d 23h' '$T/d1.txt'"

# another policy changes the answer; a broken one is refused
printf '# quicker\nfollowup_after = 30m\nescalate_after = 10d\n' >"$T/quick.policy"
check "a policy with followup_after = 30m: both due at +1h" sh -c "
	TAKEDOWN_NOW=$(at $H) '$TD_BIN' due --policy '$T/quick.policy' >'$T/q.txt' &&
	grep -q '^2 due' '$T/q.txt' && grep -q 'follow-up 1 due since' '$T/q.txt'"
printf 'followup_after = 48h\nescalate_after = soon\n' >"$TAKEDOWN_HOME/policy"
check "a broken policy file: exit 1, policy:2: and what is wrong" sh -c "
	TAKEDOWN_NOW=$(at $H) '$TD_BIN' due >/dev/null 2>'$T/bad.err'; [ \$? -eq 1 ] &&
	grep -q 'policy:2: escalate_after: \"soon\" is not a duration' '$T/bad.err'"
printf 'ladder = host, registrar, le\nmax_followups = 1\n' >"$TAKEDOWN_HOME/policy"

due $((49 * H)) --draft --json >"$T/d2.json" 2>"$T/d2.err"
check "+49h --draft: a follow-up for host and registrar, drafted" jcheck "$T/d2.json" "
for r in by.values():
    assert r['action']=='followup' and r['due'] and r['draft'], r
    assert r['draft']['path'].endswith('-followup-1.eml'), r['draft']
assert o['drafted']==2, o['drafted']"
check "the follow-ups pass lint as a malicious case's drafts" sh -c "
	for f in '$OUT'/*-followup-1.eml; do
		'$TD_BIN' lint --case malicious --personal 'Jane Doe' \
			--personal jane.doe@example.org --attachment required \
			--url http://paypal-secure-login.com/ahouf/algonquincollege.html \"\$f\" || exit 1
	done"
check "a real reply: Re: subject, In-Reply-To the sent report, audit trail, report attached" sh -c "
	python3 - '$DB' '$OUT' <<'PY'
import email, email.policy, glob, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
sent = {r[0]: r[1:] for r in db.execute(
    \"select recipient, message_id, subject from message where purpose='report' and state='sent'\")}
files = glob.glob(sys.argv[2] + '/*-followup-1.eml')
assert len(files) == 2, files
for f in files:
    m = email.message_from_binary_file(open(f, 'rb'), policy=email.policy.default)
    for h in ('From', 'To', 'Subject', 'Date', 'Message-ID', 'In-Reply-To', 'References'):
        assert len(m.get_all(h) or []) == 1, h
    to = m['To'].addresses[0].addr_spec
    mid, subj = sent[to]
    assert m['In-Reply-To'].strip() == '<%s>' % mid, (m['In-Reply-To'], mid)
    assert m['References'].split() == ['<%s>' % mid], m['References']
    assert str(m['Subject']) == 'Re: ' + subj, (m['Subject'], subj)
    assert 'abuse-team@example.org' in m['From'] and 'Jane' not in m.as_string()
    assert m['Message-ID'].strip().endswith('@example.org>')
    body = m.get_body(('plain',)).get_content()
    assert mid in body and 'Message-ID' in body, body
    assert 'http://paypal-secure-login.com/ahouf/algonquincollege.html' in body
    att = [p for p in m.iter_attachments() if p.get_content_type() == 'message/rfc822']
    assert len(att) == 1, [p.get_content_type() for p in m.walk()]
    inner = att[0].get_content()
    assert inner['Message-ID'].strip() == '<%s>' % mid, inner['Message-ID']
PY"
check "a second due --draft writes nothing: the drafts wait to be sent" sh -c "
	n=\$(ls '$OUT' | wc -l)
	TAKEDOWN_NOW=$(at $((49 * H))) '$TD_BIN' due --draft >'$T/d3.txt' &&
	grep -q '0 drafts written' '$T/d3.txt' && grep -q 'a draft waits in the outbox' '$T/d3.txt' &&
	[ \$(ls '$OUT' | wc -l) -eq \$n ]"
check "takedown send sends the follow-ups" sh -c "
	TAKEDOWN_NOW=$(at $((49 * H + 60))) '$TD_BIN' send --yes --ca-file '$SMTP_CA' '$CASE' >'$T/s2.out' 2>&1 &&
	grep -q '2 of 2 sent' '$T/s2.out' &&
	for i in 1 2 3 4 5 6 7 8 9 10; do
		[ \$(ls '$SMTP_MAILDIR/new' | wc -l) -ge $((N + 2)) ] && break; sleep 0.5
	done
	[ \$(ls '$SMTP_MAILDIR/new' | wc -l) -eq $((N + 2)) ] &&
	grep -l -i '^In-Reply-To:' '$SMTP_MAILDIR'/new/* | wc -l | grep -qx 2"
check "+4d: follow-ups used up (max_followups = 1), escalation next" sh -c "
	TAKEDOWN_NOW=$(at $((4 * D))) '$TD_BIN' due >'$T/d4.txt' &&
	grep -q '^0 due, 2 waiting' '$T/d4.txt' && grep -q 'escalation at' '$T/d4.txt'"

due $((6 * D)) --json >"$T/d5.json" 2>"$T/d5.err"
check "+6d: the host goes over to the registrar, the registrar to law enforcement" jcheck "$T/d5.json" "
h, r = by['host'], by['registrar']
assert h['action']=='escalate' and h['target']['role']=='registrar', h
assert 'markmonitor' in h['target']['email'].lower(), h['target']
assert r['action']=='escalate' and r['target'] is None, r
assert 'law enforcement' in r['law_enforcement'].lower(), r
assert '1 follow-up' in h['reason'], h['reason']"
due $((6 * D)) --draft >"$T/d6.txt" 2>"$T/d6.err"
check "--draft: one escalation to the registrar with the audit trail, case flagged" sh -c "
	grep -q '1 draft written' '$T/d6.txt' &&
	f=\$(ls '$OUT'/*-registrar-escalation.eml) &&
	'$TD_BIN' lint --case malicious --personal 'Jane Doe' --attachment required \"\$f\" &&
	python3 - '$DB' \"\$f\" <<'PY'
import email, email.policy, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
m = email.message_from_binary_file(open(sys.argv[2], 'rb'), policy=email.policy.default)
body = m.get_body(('plain',)).get_content()
ids = [r[0] for r in db.execute(\"select message_id from message where state='sent'\")]
assert len(ids) >= 4, ids
for i in ids:
    assert i in body, i
flat = ' '.join(body.split())
assert 'have not acted' in flat and 'host Google' in flat, body
assert 'markmonitor' in m['To'].lower(), m['To']
reg = [r[0] for r in db.execute(\"select m.message_id from message m join party p on p.id=m.party_id where p.role='registrar' and m.state='sent' order by m.sent\")]
assert m['In-Reply-To'].strip() == '<%s>' % reg[-1], (m['In-Reply-To'], reg)
assert any(p.get_content_type() == 'message/rfc822' for p in m.iter_attachments())
assert db.execute('select escalated from cases').fetchone()[0] == 1
assert db.execute(\"select count(*) from message where purpose='escalation'\").fetchone()[0] == 1
PY"
check "a second --draft at +6d writes nothing more" sh -c "
	TAKEDOWN_NOW=$(at $((6 * D))) '$TD_BIN' due --draft >'$T/d7.txt' &&
	grep -q '0 drafts written' '$T/d7.txt'"
check "an unknown case: exit 1" sh -c "
	'$TD_BIN' due TD-1999-000001 >/dev/null 2>'$T/u.err'; [ \$? -eq 1 ] &&
	grep -q 'no such case' '$T/u.err'"

# a compromised site: the host's address bounces, so the case goes on to
# the registrar at once, signed with the reporter's own name
# shellcheck disable=SC2086
TAKEDOWN_NOW=$T0 "$TD_BIN" report --no-cache --json --compromised --no-blocklists $OWN_NET "$OWN_URL" \
	>"$T/r2.json" 2>"$T/r2.err"
C2=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["case"])' "$T/r2.json")
TAKEDOWN_NOW=$T0 "$TD_BIN" send --yes --ca-file "$SMTP_CA" "$C2" >"$T/s3.out" 2>&1
HOSTMID=$(python3 -c 'import sqlite3,sys
db=sqlite3.connect(sys.argv[1])
print(db.execute("select m.message_id from message m join party p on p.id=m.party_id join cases c on c.id=m.case_id where c.tag=? and p.role=\x27host\x27 and m.state=\x27sent\x27", (sys.argv[2],)).fetchone()[0])' "$DB" "$C2")
BDATE=$(python3 -c 'import email.utils,sys; print(email.utils.formatdate(int(sys.argv[1]), usegmt=True))' $((T0 + 600)))
cat >"$T/bounce.eml" <<MAIL
Return-Path: <>
Date: $BDATE
From: MAILER-DAEMON@mx.example.net (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: jane.doe@example.org
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B0"
Message-Id: <bounce-1@mx.example.net>

--B0
Content-Type: text/plain

The message could not be delivered: 550 5.1.1 no such mailbox.

--B0
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; arin-contact@google.com
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 no such mailbox

--B0
Content-Type: text/rfc822-headers

From: Jane Doe <jane.doe@example.org>
To: arin-contact@google.com
Message-ID: <$HOSTMID>
Subject: [$C2] Phishing

--B0--
MAIL
TAKEDOWN_NOW=$((T0 + 900)) "$TD_BIN" import "$T/bounce.eml" >"$T/i.out" 2>&1
TAKEDOWN_NOW=$(at $H) "$TD_BIN" due --json "$C2" >"$T/b1.json" 2>"$T/b1.err"
check "compromised, the host's address bounced: route on to the registrar at once" python3 -c "
import json, sys
o = json.load(open('$T/b1.json'))
h = [i for i in o['items'] if i['role'] == 'host']
assert len(h) == 1 and h[0]['case'] == '$C2', o['items']
h = h[0]
assert h['action'] == 'bounced' and h['due'], h
assert h['target'] and h['target']['role'] == 'registrar', h
assert 'bounced' in h['reason'], h"
mkdir -p "$T/tpl"
printf 'Subject: [{{case_tag}}] escalation\n\n{{reporter_intro}} {{reporter_email}}\nSomething was received.\n{{le_advice}}\n' >"$T/tpl/escalate.txt"
check "a template that fails lint: nothing written or recorded, exit 1" sh -c "
	TAKEDOWN_NOW=$(at $H) '$TD_BIN' due --draft --templates '$T/tpl' '$C2' >'$T/lt.txt' 2>'$T/lt.err'
	[ \$? -eq 1 ] && grep -q 'fails lint: url' '$T/lt.err' &&
	! ls '$TAKEDOWN_HOME/cases/$C2/outbox/' | grep -q escalation &&
	python3 -c 'import sqlite3,sys
db=sqlite3.connect(sys.argv[1])
assert db.execute(\"select count(*) from message where purpose=\x27escalation\x27\").fetchone()[0] == 1' '$DB'"
TAKEDOWN_NOW=$(at $H) "$TD_BIN" due --draft "$C2" >"$T/b2.txt" 2>"$T/b2.err"
check "--draft: an escalation starting a new thread, signed by the reporter" sh -c "
	f=\$(ls '$TAKEDOWN_HOME/cases/$C2/outbox/'*-registrar-escalation.eml) &&
	'$TD_BIN' lint --case compromised --attachment required \"\$f\" &&
	python3 - \"\$f\" '$HOSTMID' <<'PY'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)
assert m['In-Reply-To'] is None and m['References'] is None
assert 'Jane Doe' in m['From'] and 'jane.doe@example.org' in m['From'], m['From']
assert 'escalated to you' in m['Subject'] and '[TD-' in m['Subject'], m['Subject']
body = ' '.join(m.get_body(('plain',)).get_content().split())
assert 'our message to it bounced' in body, body
assert sys.argv[2] in body and 'a bounce (not delivered)' in body, body
assert 'broken into' in body
PY"
check "the escalation is sent by takedown send" sh -c "
	TAKEDOWN_NOW=$(at $((H + 60))) '$TD_BIN' send --yes --ca-file '$SMTP_CA' '$C2' >'$T/s4.out' 2>&1 &&
	grep -q '1 of 1 sent' '$T/s4.out'"
check "two due --draft at once: the registrar's follow-up is drafted once" sh -c "
	for i in 1 2 3; do
		TAKEDOWN_NOW=$(at $((51 * H))) '$TD_BIN' due --draft '$C2' >'$T/par'\$i.txt 2>&1 &
	done
	wait
	[ \$(ls '$TAKEDOWN_HOME/cases/$C2/outbox/' | grep -c 'registrar-followup-1') -eq 1 ] &&
	python3 -c 'import sqlite3,sys
db=sqlite3.connect(sys.argv[1])
n=db.execute(\"select count(*) from message m join cases c on c.id=m.case_id where c.tag=? and m.purpose=\x27followup-1\x27\", (sys.argv[2],)).fetchone()[0]
assert n == 1, n' '$DB' '$C2'"
check "nothing on standard error where all went well (sanitizers too)" sh -c "
	for f in '$T'/d1.err '$T'/d2.err '$T'/d5.err '$T'/d6.err '$T'/b1.err '$T'/b2.err; do
		[ ! -s \"\$f\" ] || { cat \"\$f\"; exit 1; }
	done"
