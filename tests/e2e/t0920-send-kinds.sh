#!/bin/sh
# From real phishing e-mails to messages a real SMTP server delivered:
# one case of each kind (../shared/corpus/phishing_pot sample-3119,
# malicious, on storage.googleapis.com; sample-6648, compromised, on
# woondsplay.com with an old registration and a working home page),
# reported against loopback servers, sent with --yes through Postfix on
# loopback (start_smtpd) into a Maildir, and each delivered message
# parsed back: recipients per kind, the e-mail attached, X-ARF valid
# against the xarf-spec v4 schema, lint clean, and in the malicious case
# no trace of the reporter's personal identity.
. "$(dirname "$0")/lib.sh"
C="$TD_CORPUS"
[ -f "$C/phishing_pot/email/sample-3119.eml" ] && [ -d "$C/rdap-icann" ] ||
	skip_all "../shared/corpus absent"
command -v dnsmasq >/dev/null 2>&1 || [ -x /usr/sbin/dnsmasq ] ||
	skip_all "dnsmasq not installed (apt-get install dnsmasq-base)"
command -v postfix >/dev/null 2>&1 || [ -x /usr/sbin/postfix ] ||
	skip_all "postfix not installed (apt-get install postfix)"

W="$T/world"
mkdir -p "$W/rdap/domain" "$W/rdap/ip" "$W/_hosts/storage.googleapis.com/ahouf" \
	"$W/_hosts/woondsplay.com/rd"
cp "$C/rdap-whodap/google.com.json" "$W/rdap/domain/googleapis.com.json"
cp "$C/ipwhois-rdap/rdap-ip/74.125.225.229.json" "$W/rdap/ip/74.125.225.229.json"
cp "$C/rdap-icann/responses/domain_afnic_fr.json" "$W/rdap/domain/woondsplay.com.json"
cp "$C/rdap-icann/responses/network_192_198_0_0.json" "$W/rdap/ip/192.198.1.5.json"
P="$TD_TOP/tests/servers/data/pages/ahouf/algonquincollege.html"
cp "$P" "$W/_hosts/storage.googleapis.com/ahouf/"
cp "$P" "$W/_hosts/woondsplay.com/index.php"
cp "$P" "$W/_hosts/woondsplay.com/rd/index.php"
cp "$TD_TOP/tests/servers/data/pages/home/smallsite.html" "$W/_hosts/woondsplay.com/index.html"
cat >"$T/dns.conf" <<'CONF'
local=/#/
host-record=storage.googleapis.com,74.125.225.229
host-record=woondsplay.com,192.198.1.5
mx-host=google.com,mx.google.com,10
mx-host=markmonitor.com,mx.markmonitor.com,10
mx-host=nic.fr,mx.nic.fr,10
mx-host=radiolinkinternet.com,mx.radiolinkinternet.com,10
CONF
fail_start() { echo "1..1"; echo "not ok 1 - $1 started"; exit 1; }
start_dns "$T/dns.conf" || fail_start dnsmasq
start_httpd "$W" || fail_start httpd
start_tls "$HTTP_PORT" storage.googleapis.com woondsplay.com || fail_start tlsproxy
start_smtpd; rc=$?
[ $rc -eq 2 ] && skip_all "Postfix cannot start here (needs root)"
[ $rc -eq 0 ] || fail_start postfix

"$TD_BIN" init --name "Jane Doe" --org "Example CERT" \
	--email jane.doe@example.org --phone "+33 1 23 45 67 89" \
	--public-name "Example CERT abuse team" \
	--public-email abuse-team@example.org \
	--smtp-url "smtp://127.0.0.1:$SMTP_PORT" >/dev/null ||
	fail_start "takedown init"
rep() {
	"$TD_BIN" report --allow-private --no-cache --timeout 3000 --json \
		--dns "127.0.0.1:$DNS_PORT" \
		--rdap "http://127.0.0.1:$HTTP_PORT/rdap/" --ca-file "$TLS_CA" \
		--connect-to "storage.googleapis.com:443:127.0.0.1:$TLS_PORT" \
		--connect-to "woondsplay.com:80:127.0.0.1:$HTTP_PORT" \
		--connect-to "woondsplay.com:443:127.0.0.1:$TLS_PORT" "$@"
}
case_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["case"])' "$1"; }
rep "$C/phishing_pot/email/sample-3119.eml" >"$T/m.json" 2>"$T/m.err" ||
	fail_start "report of sample-3119"
rep "$C/phishing_pot/email/sample-6648.eml" >"$T/c.json" 2>"$T/c.err" ||
	fail_start "report of sample-6648"
MCASE=$(case_of "$T/m.json")
CCASE=$(case_of "$T/c.json")
plan 8

for k in M C; do
	eval "cs=\$${k}CASE"
	"$TD_BIN" send --yes --ca-file "$SMTP_CA" "$cs" >"$T/s$k.out" 2>&1
	echo $? >"$T/s$k.rc"
done
check "both cases sent, exit 0" sh -c "grep -qx 0 '$T/sM.rc' && grep -qx 0 '$T/sC.rc' ||
	{ cat '$T/sM.out' '$T/sC.out'; exit 1; }"
N=$(($(ls "$TAKEDOWN_HOME/cases/$MCASE/outbox" | wc -l) + $(ls "$TAKEDOWN_HOME/cases/$CCASE/outbox" | wc -l)))
i=0
while [ $i -lt 40 ] && [ "$(ls "$SMTP_MAILDIR/new" 2>/dev/null | wc -l)" -lt $N ]; do
	sleep 0.25; i=$((i + 1))
done
check "the Maildir holds every draft, once" sh -c "
	ls '$SMTP_MAILDIR/new' | wc -l >'$T/nmail'
	[ \$(cat '$T/nmail') -eq $N ] || { echo \"# \$(cat '$T/nmail') delivered, $N drafts\"; exit 1; }
	python3 -c 'import email,os,sys
d=sys.argv[1]
ids=[email.message_from_binary_file(open(os.path.join(d,f),\"rb\"))[\"Message-ID\"] for f in os.listdir(d)]
assert len(set(ids))==len(ids) and None not in ids, ids' '$SMTP_MAILDIR/new'"

# each delivered message, by the case tag in its subject
python3 - "$SMTP_MAILDIR/new" "$MCASE" "$CCASE" "$T/by" <<'PY'
import email, email.policy, os, sys
d, mc, cc, out = sys.argv[1:5]
os.makedirs(out + '/M', exist_ok=True); os.makedirs(out + '/C', exist_ok=True)
for f in os.listdir(d):
    raw = open(os.path.join(d, f), 'rb').read()
    m = email.message_from_bytes(raw, policy=email.policy.default)
    k = 'M' if mc in m['Subject'] else 'C' if cc in m['Subject'] else 'X'
    if k != 'X':
        open(os.path.join(out, k, f + '.eml'), 'wb').write(raw)
PY
rcpts() {
	for f in "$T/by/$1"/*.eml; do
		python3 -c 'import email,email.policy,sys
m=email.message_from_binary_file(open(sys.argv[1],"rb"),policy=email.policy.default)
print(m["To"].addresses[0].addr_spec)' "$f"
	done | sort | tr '\n' ' '
}
got=$(rcpts M)
check "malicious: the host and APWG, never the owner or the platform's registrar" \
	test "$got" = "arin-contact@google.com reportphishing@apwg.org "
got=$(rcpts C)
check "compromised: the owner and the host, not the registrar" \
	test "$got" = "contact@nic.fr daniel.petsinger@radiolinkinternet.com reportphishing@apwg.org "
check "every delivered report carries the phishing e-mail as message/rfc822" sh -c "
	for f in '$T'/by/M/*.eml '$T'/by/C/*.eml; do
		python3 -c 'import email,email.policy,sys
m=email.message_from_binary_file(open(sys.argv[1],\"rb\"),policy=email.policy.default)
assert \"message/rfc822\" in [p.get_content_type() for p in m.walk()]' \"\$f\" || exit 1
	done"
check "every X-ARF part delivered is valid against the xarf-spec v4 schema" sh -c "
	/usr/bin/python3 -c 'import jsonschema' 2>/dev/null || exit 0
	for f in '$T'/by/M/*.eml '$T'/by/C/*.eml; do /usr/bin/python3 - \"\$f\" '$TD_TOP/tests/fixtures/lint/xarf-v4-content-phishing.schema.json' <<'PY' || exit 1
import email, email.policy, json, sys, jsonschema
m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)
x = [p for p in m.walk() if p.get_content_type() == 'application/json']
assert x, sys.argv[1]
jsonschema.validate(json.loads(x[0].get_payload(decode=True)), json.load(open(sys.argv[2])))
PY
	done"
check "lint passes on what was delivered" sh -c "
	for f in '$T'/by/M/*.eml; do
		'$TD_BIN' lint --case malicious --personal 'Jane Doe' \
			--personal jane.doe@example.org --attachment required \"\$f\" || exit 1
	done
	for f in '$T'/by/C/*.eml; do
		'$TD_BIN' lint --case compromised --attachment required \"\$f\" || exit 1
	done"
check "malicious: nothing delivered names the reporter; compromised: signed by her" sh -c "
	! grep -qi -e 'jane' -e '+33 1 23' '$T'/by/M/*.eml &&
	grep -l '^From: .*jane.doe@example.org' '$T'/by/C/*.eml | grep -q ."
