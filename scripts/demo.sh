#!/bin/sh
# The whole job on a bundled phishing e-mail, with no internet: a
# loopback world of real servers (dnsmasq for DNS, tests/servers/httpd.py
# for RDAP and the phishing page behind a TLS front, Postfix delivering
# to a Maildir) serving recorded real records (tests/servers/data/demo/
# SOURCE.md), then `takedown report` and `takedown send --yes` on
# tests/fixtures/mail/phishing_pot-sample-3119.eml.  What it made stays
# in build/demo: the profile and case store (home/), the delivered
# messages (delivered/).
#
#   scripts/demo.sh [BUILD_DIR]      (default build/release)
#
# TD_DEMO_DIR names another folder than build/demo for what it makes.
top=$(cd "$(dirname "$0")/.." && pwd)
case ${1:-build/release} in
/*) TD_BIN="$1/takedown" ;;
*) TD_BIN="$top/${1:-build/release}/takedown" ;;
esac
TD_TOP=$top
export TD_BIN TD_TOP
command -v dnsmasq >/dev/null 2>&1 || [ -x /usr/sbin/dnsmasq ] || {
	echo "demo: dnsmasq is not installed (apt-get install dnsmasq-base); skipped"
	exit 0
}
. "$top/tests/e2e/lib.sh"
DEMO="${TD_DEMO_DIR:-$top/build/demo}"
rm -rf "$DEMO"
mkdir -p "$DEMO/delivered"
export TAKEDOWN_HOME="$DEMO/home"
MAIL="$top/tests/fixtures/mail/phishing_pot-sample-3119.eml"

cat >"$T/dns.conf" <<'CONF'
local=/#/
host-record=storage.googleapis.com,74.125.225.229
mx-host=google.com,mx.google.com,10
mx-host=markmonitor.com,mx.markmonitor.com,10
CONF
start_dns "$T/dns.conf" || exit 1
# the recorded answers, and the landing page for its Host only
W="$T/world"
mkdir -p "$W/_hosts/storage.googleapis.com/ahouf"
cp -R "$top/tests/servers/data/demo/rdap" "$W/"
cp "$top/tests/servers/data/pages/ahouf/algonquincollege.html" \
	"$W/_hosts/storage.googleapis.com/ahouf/"
start_httpd "$W" || exit 1
start_tls "$HTTP_PORT" storage.googleapis.com || exit 1
start_smtpd >"$T/smtpd.out" 2>&1
smtp=$?
if [ $smtp -eq 0 ]; then
	smtp_url="smtp://127.0.0.1:$SMTP_PORT"
else
	echo "demo: Postfix cannot start here ($(tail -1 "$T/smtpd.out")):"
	echo "      the report is made, the sending step is skipped"
	smtp_url="smtp://127.0.0.1:1"
fi

echo "(a loopback world: DNS on 127.0.0.1:$DNS_PORT; RDAP and the phishing"
echo " page on 127.0.0.1:$HTTP_PORT, https://storage.googleapis.com through a"
echo " TLS front on 127.0.0.1:$TLS_PORT; an SMTP server on 127.0.0.1:${SMTP_PORT:-none};"
echo " the records are real ones: tests/servers/data/demo/SOURCE.md)"
echo
echo "== takedown init (a demo profile in $TAKEDOWN_HOME)"
"$TD_BIN" init --no-prompt --name "Demo Reporter" --org "Example CERT" \
	--email demo.reporter@example.org \
	--public-name "Example CERT abuse team" \
	--public-email abuse-team@example.org --smtp-url "$smtp_url" >/dev/null ||
	exit 1
echo
echo "== takedown report $(basename "$MAIL")"
echo
"$TD_BIN" report --allow-private --no-cache --timeout 3000 \
	--dns "127.0.0.1:$DNS_PORT" --rdap "http://127.0.0.1:$HTTP_PORT/rdap/" \
	--ca-file "$TLS_CA" \
	--connect-to "storage.googleapis.com:443:127.0.0.1:$TLS_PORT" \
	"$MAIL" | tee "$T/report.out"
CASE=$(sed -n 's/^case \(TD-[0-9]*-[0-9]*\).*/\1/p' "$T/report.out" | head -1)
[ -n "$CASE" ] || { echo "demo: the report made no case"; exit 1; }
if [ $smtp -eq 0 ]; then
	echo
	echo "== takedown send --yes $CASE"
	echo
	"$TD_BIN" send --yes --ca-file "$SMTP_CA" "$CASE" || exit 1
	want=$(ls "$TAKEDOWN_HOME/cases/$CASE/outbox" | wc -l)
	i=0
	while [ $i -lt 40 ] &&
		[ "$(ls "$SMTP_MAILDIR/new" 2>/dev/null | wc -l)" -lt "$want" ]; do
		sleep 0.25; i=$((i + 1))
	done
	cp "$SMTP_MAILDIR"/new/* "$DEMO/delivered/" 2>/dev/null
	echo
	echo "== delivered by Postfix on loopback (copies in $DEMO/delivered):"
	for f in "$DEMO"/delivered/*; do
		[ -f "$f" ] || continue
		to=$(grep -m1 '^To:' "$f")
		subj=$(grep -m1 '^Subject:' "$f")
		echo "  $to"
		echo "    $subj"
	done
fi
echo
echo "The case:      $CASE in $TAKEDOWN_HOME/cases.sqlite"
echo "Its folder:    $TAKEDOWN_HOME/cases/$CASE (the e-mail, outbox/ with each report)"
echo "The evidence:  $TAKEDOWN_HOME/evidence (pages by SHA-256)"
[ $smtp -eq 0 ] && echo "Delivered:     $DEMO/delivered"
exit 0
