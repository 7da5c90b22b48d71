#!/bin/sh
# takedown lookup on a loopback world, with no internet: dnsmasq answers
# DNS, tests/servers/httpd.py serves recorded real RDAP answers (AFNIC for
# afnic.fr, ARIN for the 192.198.0.0/22 network) and tests/servers/whoisd.py
# a recorded real WHOIS answer (cryto.net); see tests/servers/data/SOURCE.md.
# The addresses in the fake DNS are the demo's own choice.
#
#   scripts/demo-lookup.sh [BUILD_DIR]      (default build/release)
top=$(cd "$(dirname "$0")/.." && pwd)
TD_BIN="$top/${1:-build/release}/takedown"
TD_TOP=$top
export TD_BIN TD_TOP
command -v dnsmasq >/dev/null 2>&1 || [ -x /usr/sbin/dnsmasq ] || {
	echo "demo-lookup: dnsmasq is not installed (apt-get install dnsmasq-base); skipped"
	exit 0
}
. "$top/tests/e2e/lib.sh"
cat >"$T/dns.conf" <<'CONF'
local=/#/
host-record=afnic.fr,192.198.1.10
host-record=www.afnic.fr,192.198.1.10
mx-host=nic.fr,mx.nic.fr,10
host-record=mx.nic.fr,192.0.2.25
mx-host=radiolinkinternet.com,mx.radiolinkinternet.com,10
host-record=cryto.net,192.198.1.11
CONF
start_dns "$T/dns.conf" || exit 1
start_httpd "$top/tests/servers/data" || exit 1
start_whoisd "$top/tests/servers/data/whois" || exit 1
td() {
	"$TD_BIN" lookup --allow-loopback --no-progress --no-cache \
		--dns "127.0.0.1:$DNS_PORT" --rdap "http://127.0.0.1:$HTTP_PORT/rdap/" \
		--connect-to "whois.verisign-grs.com:43:127.0.0.1:$WHOIS_PORT" \
		--connect-to "whois.iana.org:43:127.0.0.1:$WHOIS_PORT" \
		--timeout 3000 "$@"
}
echo "(a loopback world: DNS on 127.0.0.1:$DNS_PORT, RDAP on 127.0.0.1:$HTTP_PORT,"
echo " whois.verisign-grs.com and whois.iana.org on 127.0.0.1:$WHOIS_PORT,"
echo " serving recorded real answers; see tests/servers/data/SOURCE.md)"
echo
echo "== takedown lookup https://www.afnic.fr/login/"
td https://www.afnic.fr/login/
echo "== takedown lookup --no-rdap cryto.net"
td --no-rdap cryto.net
