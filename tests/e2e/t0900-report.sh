#!/bin/sh
# takedown report end to end, from real phishing e-mails of
# ../shared/corpus/phishing_pot, one case of each kind, against loopback
# servers: dnsmasq, httpd.py (RDAP answers recorded from real registries
# and RIRs, and the evidence pages), a TLS front for the https site.
#   malicious:   sample-3119, a Netflix lure on storage.googleapis.com
#   compromised: sample-6648, links to woondsplay.com, given here an old
#                registration with a named registrant (AFNIC's record)
. "$(dirname "$0")/lib.sh"
C="$TD_CORPUS"

two_kinds_world

"$TD_BIN" init --name "Jane Doe" --org "Example CERT" \
	--email jane.doe@example.org --phone "+33 1 23 45 67 89" \
	--public-name "Example CERT abuse team" \
	--public-email abuse-team@example.org \
	--takedown-orgs "Brand Shield Takedowns <takedown@brandshield.example>" \
	--arf-recipients "@radiolinkinternet.com" >/dev/null ||
	fail_start "takedown init"

rep() {
	"$TD_BIN" report --allow-private --no-cache --timeout 3000 \
		--dns "127.0.0.1:$DNS_PORT" \
		--rdap "http://127.0.0.1:$HTTP_PORT/rdap/" --ca-file "$TLS_CA" \
		--connect-to "storage.googleapis.com:443:127.0.0.1:$TLS_PORT" \
		--connect-to "woondsplay.com:80:127.0.0.1:$HTTP_PORT" \
		--connect-to "woondsplay.com:443:127.0.0.1:$TLS_PORT" \
		--connect-to "paypal-secure-login.com:80:127.0.0.1:$HTTP_PORT" "$@"
}
plan 22

# ---- malicious ----
rep --json "$C/phishing_pot/email/sample-3119.eml" >"$T/m.json" 2>"$T/m.err"
echo $? >"$T/m.rc"
check "malicious: exit 0" grep -qx 0 "$T/m.rc"
check "malicious: the verdict and why" jsonq '
assert o["kind"]=="malicious", o
assert any("storage.googleapis.com" in r or "googleapis" in r or "a site on" in r for r in o["reasons"]), o["reasons"]
assert not any("home page" in r for r in o["reasons"]), o["reasons"]' <"$T/m.json"
MC=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["folder"])' "$T/m.json")
check "malicious, on a platform: a draft to the host, none to the owner or the platform's registrar" sh -c "
	ls '$MC/outbox' | grep -q host &&
	! ls '$MC/outbox' | grep -q -e owner -e registrant -e registrar"
check "malicious: the platform's form is a to-do, not a draft" jsonq '
p=[x for x in o["parties"] if x["role"]=="platform"]
assert p and p[0]["web_form"] and not p[0]["abuse_email"], o["parties"]' <"$T/m.json"
check "malicious: signed by the team, the reporter's name nowhere" sh -c "
	grep -l '^From: .*abuse-team@example.org' '$MC'/outbox/*.eml | grep -q . &&
	! grep -rqi 'Jane' '$MC/outbox' && ! grep -rq 'jane.doe' '$MC/outbox'"
check "malicious: each draft passes lint with the personal strings" sh -c "
	for f in '$MC'/outbox/*.eml; do
		'$TD_BIN' lint --case malicious --personal 'Jane Doe' \
			--personal jane.doe@example.org --attachment required \"\$f\" || exit 1
	done"
check "malicious: the e-mail attached, an X-ARF part, headers once each" sh -c "
	for f in '$MC'/outbox/*.eml; do python3 - \"\$f\" <<'PY' || exit 1
import email, email.policy, json, sys
m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)
for h in ('From', 'To', 'Subject', 'Date', 'Message-ID'):
    assert len(m.get_all(h) or []) == 1, h
assert m['Auto-Submitted'] is None
types = [p.get_content_type() for p in m.walk()]
assert 'message/rfc822' in types, types
x = [p for p in m.walk() if p.get_filename() == 'xarf.json' or p.get_content_type() == 'application/json']
assert x, types
j = json.loads(x[0].get_payload(decode=True))
assert j['category'] == 'content' and j['type'] == 'phishing', j
assert j['url'].startswith('https://storage.googleapis.com/ahouf/'), j['url']
PY
	done"
check "malicious: the X-ARF part is valid against its schema" sh -c "
	command -v /usr/bin/python3 >/dev/null && /usr/bin/python3 -c 'import jsonschema' 2>/dev/null || exit 0
	for f in '$MC'/outbox/*.eml; do /usr/bin/python3 - \"\$f\" '$TD_TOP/tests/fixtures/lint/xarf-v4-content-phishing.schema.json' <<'PY' || exit 1
import email, email.policy, json, sys, jsonschema
m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)
x = [p for p in m.walk() if p.get_content_type() == 'application/json'][0]
jsonschema.validate(json.loads(x.get_payload(decode=True)), json.load(open(sys.argv[2])))
PY
	done"
check "malicious: evidence kept: the page, its SHA-256, its password field" sh -c "
	grep -q 'password' '$T/m.err' || true
	ls '$TAKEDOWN_HOME/evidence/sha256/' | grep -q \$(sha256sum '$P' | cut -c1-64)"

# ---- malicious, the criminal's own domain, given as a URL ----
rep --json http://paypal-secure-login.com/ahouf/algonquincollege.html \
	>"$T/u.json" 2>"$T/u.err"
check "own domain: malicious, with a draft to the registrar" jsonq '
assert o["kind"]=="malicious", o
assert o["drafts"]>=2, o' <"$T/u.json"
UC=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["folder"])' "$T/u.json")
check "own domain: the registrar draft asks for suspension, signed by the team" sh -c "
	f=\$(ls '$UC'/outbox/*registrar*.eml) &&
	grep -q '^From: .*abuse-team@example.org' \"\$f\" &&
	grep -q '^To: .*abusecomplaints@markmonitor.com' \"\$f\" &&
	! grep -qi 'jane' \"\$f\" &&
	'$TD_BIN' lint --case malicious --personal 'Jane Doe' --attachment none \"\$f\""

check "own domain: the profile's takedown organisation gets its own draft" sh -c "
	f=\$(ls '$UC'/outbox/*takedown*.eml) &&
	grep -q '^To: .*takedown@brandshield.example' \"\$f\" &&
	grep -q 'for takedown' \"\$f\" && ! grep -qi 'jane' \"\$f\" &&
	'$TD_BIN' lint --case malicious --personal 'Jane Doe' --attachment none \"\$f\""

check "blocklists: APWG gets the e-mail, Netcraft and Safe Browsing are to-dos" sh -c "
	f=\$(ls '$UC'/outbox/*blocklist*.eml) && grep -q '^To: .*reportphishing@apwg.org' \"\$f\" &&
	python3 -c 'import json,sys
o=json.load(open(sys.argv[1]))
b=[p for p in o[\"parties\"] if p[\"role\"]==\"blocklist\"]
assert len(b)==3, b
assert sum(1 for p in b if p[\"web_form\"] and not p[\"abuse_email\"])==2, b' '$T/u.json'"

# ---- compromised ----
rep --json "$C/phishing_pot/email/sample-6648.eml" >"$T/c.json" 2>"$T/c.err"
check "compromised: the verdict and why" jsonq '
assert o["kind"]=="compromised", o
assert any("registered" in r for r in o["reasons"]), o["reasons"]
assert any("home page is another, working site" in r and "Riverside" in r
           for r in o["reasons"]), o["reasons"]' <"$T/c.json"
CC=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["folder"])' "$T/c.json")
check "compromised: drafts to the owner and the host, none to the registrar" sh -c "
	ls '$CC/outbox' | grep -q registrant && ls '$CC/outbox' | grep -q host &&
	! ls '$CC/outbox' | grep -q registrar"
check "compromised: the owner is told by the reporter, by name, with cleaning advice" sh -c "
	f=\$(ls '$CC'/outbox/*registrant*.eml) &&
	grep -q '^From: .*jane.doe@example.org' \"\$f\" &&
	grep -q '^To: .*contact@nic.fr' \"\$f\" &&
	python3 -c 'import email,email.policy,sys
m=email.message_from_binary_file(open(sys.argv[1],\"rb\"),policy=email.policy.default)
b=m.get_body((\"plain\",)).get_content().lower()
assert \"htaccess\" in b or \"web shell\" in b or \"plugins\" in b, b[:500]
assert \"law enforcement\" in b or \"police\" in b' \"\$f\""
check "compromised: no takedown organisation is told" sh -c "
	! ls '$CC'/outbox | grep -q takedown"
check "compromised: the host is in arf_recipients: its report is ARF (RFC 5965)" sh -c "
	f=\$(ls '$CC'/outbox/*host*.eml) && python3 - \"\$f\" <<'PY'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)
assert m.get_content_type() == 'multipart/report', m.get_content_type()
assert m.get_param('report-type') == 'feedback-report', m.get_param('report-type')
parts = m.get_payload()
assert [p.get_content_type() for p in parts] == ['text/plain', 'message/feedback-report', 'message/rfc822'], parts
# the feedback fields as written (the email package re-encodes them)
raw = open(sys.argv[1], 'rb').read().decode('ascii', 'replace')
fb = raw.split('Content-Type: message/feedback-report', 1)[1].split('\n--', 1)[0]
for want in ('Feedback-Type: fraud', 'Version: 1', 'User-Agent: takedown/', 'Reported-URI: https://woondsplay.com/index.php?'):
    assert want in fb, (want, fb)
PY"
check "compromised: drafts pass lint" sh -c "
	for f in '$CC'/outbox/*.eml; do
		'$TD_BIN' lint --case compromised --attachment required \"\$f\" || exit 1
	done"

# ---- refusals ----
check "no profile: a clear error, exit 1" sh -c "
	TAKEDOWN_HOME='$T/empty' '$TD_BIN' report https://example.test/ 2>'$T/np.err';
	[ \$? -eq 1 ] && grep -q 'takedown init' '$T/np.err'"
check "an e-mail without links: no case, exit 1" sh -c "
	printf 'From: a@b.example\nSubject: hi\n\nno links here\n' >'$T/nolink.eml' &&
	'$TD_BIN' report --no-cache '$T/nolink.eml' >/dev/null 2>'$T/nl.err'; [ \$? -eq 1 ] &&
	grep -q 'no phishing URL' '$T/nl.err'"
check "--compromised and --malicious together: usage error" sh -c "
	'$TD_BIN' report --compromised --malicious https://x.test/ >/dev/null 2>&1; [ \$? -eq 2 ]"
