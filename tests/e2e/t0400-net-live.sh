#!/bin/sh
# The net loop against real servers on 127.0.0.1: dnsmasq with a small
# zone, tests/servers/httpd.py (RDAP and faults) and tests/servers/whoisd.py
# (WHOIS and faults), each on a free port and stopped on exit, even when a
# test fails.  The tests themselves are tests/unit/test_net_live.c (TAP).
. "$(dirname "$0")/lib.sh"
LIVE="$TD_BUILD/tests/test_net_live"
[ -x "$LIVE" ] || skip_all "test_net_live not built"
command -v dnsmasq >/dev/null 2>&1 || [ -x /usr/sbin/dnsmasq ] ||
	skip_all "dnsmasq not installed (apt-get install dnsmasq-base)"

# NS records through dns-rr (type 2, the target in wire format): plain
# dnsmasq has no ns-record option outside an auth-zone.
wire() { python3 -c 'import sys
print("".join("%02x" % len(l) + l.encode().hex() for l in sys.argv[1].split(".")) + "00")' "$1"; }
cat >"$T/dns.conf" <<CONF
local=/test/
local-ttl=3600
host-record=www.example.test,192.0.2.10,2001:db8::10,300
cname=a.example.test,b.example.test,120
cname=b.example.test,www.example.test,60
mx-host=example.test,mail.example.test,10
mx-host=example.test,mx2.example.test,20
txt-record=example.test,"v=spf1 -all"
ptr-record=10.2.0.192.in-addr.arpa,www.example.test
dns-rr=example.test,2,$(wire ns1.example.test)
dns-rr=example.test,2,$(wire ns2.example.test)
host-record=whois.example.test,127.0.0.1
host-record=rdap.example.test,127.0.0.1
host-record=private.example.test,10.0.0.1
CONF
cat >"$T/whois.faults" <<'MAP'
stall.test	stall
drip.test	drip
reset.test	reset
close.test	close
big.test	oversize
MAP

fail_start() { echo "1..1"; echo "not ok 1 - $1 started"; exit 1; }
start_dns "$T/dns.conf" || fail_start dnsmasq
start_whoisd "$SRV/data/whois" "$T/whois.faults" || fail_start whoisd
start_httpd "$SRV/data/rdap" || fail_start httpd

export TD_TEST_DNS="127.0.0.1:$DNS_PORT"
export TD_TEST_HTTP="http://127.0.0.1:$HTTP_PORT"
export TD_TEST_WHOIS="127.0.0.1:$WHOIS_PORT"
export TD_TEST_WHOIS_LOG="$WHOIS_LOG" TD_TEST_HTTP_LOG="$HTTP_LOG"
"$LIVE"
rc=$?
if [ $rc -ne 0 ]; then
	echo "# dnsmasq log:"; tail -20 "$DNS_LOG" | sed 's/^/#   /'
	echo "# whoisd log:"; tail -20 "$WHOIS_LOG" | sed 's/^/#   /'
fi
exit $rc
