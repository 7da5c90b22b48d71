# Shared helpers for end-to-end tests: TAP output and a scratch folder.
# Each test sources this, calls plan N, then ok/not_ok via check.
: "${TD_BIN:?run through tests/run.sh}"
: "${TD_TOP:?run through tests/run.sh}"
FIX="$TD_TOP/tests/fixtures"
T=$(mktemp -d "${TMPDIR:-/tmp}/td-e2e.XXXXXX")
# never the real home: config, data and the lookup cache stay in $T
export TAKEDOWN_HOME="$T/home"
trap 'stop_servers; rm -rf "$T"' EXIT
trap 'exit 130' INT TERM
n=0
plan() { echo "1..$1"; }
# check "description" command...: ok if the command succeeds
check() {
	d=$1; shift
	n=$((n + 1))
	if "$@" >"$T/check.out" 2>&1; then
		echo "ok $n - $d"
	else
		echo "not ok $n - $d"
		sed 's/^/#   /' "$T/check.out" | head -20
	fi
}
skip_all() { echo "1..0 # SKIP $1"; exit 0; }
# jq-like queries through python3 (present wherever the tests run)
jsonq() { python3 -c "import json,sys
for line in sys.stdin:
    o=json.loads(line)
    $1" ; }

# Fixture servers (tests/servers), on 127.0.0.1 and free ports.  Each
# start_* sets <NAME>_PORT and <NAME>_LOG; stop_servers (run on exit, also
# on failure) stops them all.  The Python servers also stop by themselves
# when this shell is gone (--parent), dnsmasq through a watchdog.
SRV="$TD_TOP/tests/servers"
TD_PIDS=""
stop_servers() {
	for p in $TD_PIDS; do kill "$p" 2>/dev/null; done
	for p in $TD_PIDS; do wait "$p" 2>/dev/null; done
	TD_PIDS=""
}
# wait_file FILE: until FILE is not empty (at most 10 s)
wait_file() {
	i=0
	while [ ! -s "$1" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	[ -s "$1" ]
}
free_port() {
	python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
t = socket.socket()
for p in range(0, 50):
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    try:
        t.bind(("127.0.0.1", port))
        break
    except OSError:
        s.close(); s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
print(port)'
}
# start_whoisd ROOT [FAULTS [TAG]]: WHOIS_PORT, WHOIS_LOG; with TAG, a
# further server with its own files (whoisd-TAG.log): start one per
# WHOIS server of the fake world and keep each WHOIS_PORT.
start_whoisd() {
	w=whoisd${3:+-$3}
	WHOIS_LOG="$T/$w.log"
	: >"$WHOIS_LOG"
	rm -f "$T/$w.port"
	python3 "$SRV/whoisd.py" --root "$1" ${2:+--faults "$2"} \
		--log "$WHOIS_LOG" --port-file "$T/$w.port" --parent $$ \
		>"$T/$w.err" 2>&1 &
	TD_PIDS="$TD_PIDS $!"
	wait_file "$T/$w.port" || { cat "$T/$w.err" >&2; return 1; }
	WHOIS_PORT=$(cat "$T/$w.port")
}
# start_httpd ROOT [FAULTS [TAG]]: HTTP_PORT, HTTP_LOG; TAG as for whoisd
start_httpd() {
	h=httpd${3:+-$3}
	HTTP_LOG="$T/$h.log"
	: >"$HTTP_LOG"
	rm -f "$T/$h.port"
	python3 "$SRV/httpd.py" --root "$1" ${2:+--faults "$2"} \
		--log "$HTTP_LOG" --port-file "$T/$h.port" --parent $$ \
		>"$T/$h.err" 2>&1 &
	TD_PIDS="$TD_PIDS $!"
	wait_file "$T/$h.port" || { cat "$T/$h.err" >&2; return 1; }
	HTTP_PORT=$(cat "$T/$h.port")
}
# start_tls PORT NAME...: a TLS front (tests/servers/tlsproxy.py) for the
# plain server on PORT, with a certificate made now for the host NAMEs and
# signed by a CA of its own; TLS_PORT, TLS_CA (the CA's PEM file)
start_tls() {
	to=$1; shift
	san=""
	for nm in "$@"; do san="${san:+$san,}DNS:$nm"; done
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=takedown test CA" \
		-keyout "$T/ca.key" -out "$T/ca.pem" >/dev/null 2>&1 &&
	openssl req -newkey rsa:2048 -nodes -subj "/CN=$1" \
		-keyout "$T/tls.key" -out "$T/tls.csr" >/dev/null 2>&1 &&
	printf 'subjectAltName=%s\n' "$san" >"$T/tls.ext" &&
	openssl x509 -req -in "$T/tls.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" \
		-CAcreateserial -days 2 -extfile "$T/tls.ext" \
		-out "$T/tls.pem" >/dev/null 2>&1 || return 1
	rm -f "$T/tls.port"
	python3 "$SRV/tlsproxy.py" --cert "$T/tls.pem" --key "$T/tls.key" \
		--to "$to" --port-file "$T/tls.port" --parent $$ \
		>"$T/tls.err" 2>&1 &
	TD_PIDS="$TD_PIDS $!"
	wait_file "$T/tls.port" || { cat "$T/tls.err" >&2; return 1; }
	TLS_PORT=$(cat "$T/tls.port")
	TLS_CA="$T/ca.pem"
}
# dns_probe PORT: 0 once a DNS server answers on 127.0.0.1:PORT
dns_probe() {
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.2)
q = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x05probe\x04test\x00\x00\x01\x00\x01"
try:
    s.sendto(q, ("127.0.0.1", int(sys.argv[1])))
    s.recv(512)
except OSError:
    sys.exit(1)' "$1"
}
# start_dns CONF: dnsmasq with only the records of CONF (dnsmasq options,
# one a line: address=, host-record=, cname=, mx-host=, txt-record=,
# ptr-record=, dns-rr= for NS).  DNS_PORT, DNS_LOG.
start_dns() {
	dnsmasq=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
	[ -x "$dnsmasq" ] || { echo "dnsmasq not found" >&2; return 1; }
	DNS_LOG="$T/dnsmasq.log"
	tries=0
	while [ $tries -lt 5 ]; do
		tries=$((tries + 1))
		DNS_PORT=$(free_port)
		"$dnsmasq" --no-resolv --no-hosts --keep-in-foreground \
			--listen-address=127.0.0.1 --bind-interfaces \
			--port="$DNS_PORT" --conf-file="$1" \
			--pid-file="$T/dnsmasq.pid" --user="$(id -un)" \
			--log-queries --log-facility="$DNS_LOG" \
			>"$T/dnsmasq.err" 2>&1 &
		dpid=$!
		i=0
		while [ $i -lt 50 ] && kill -0 $dpid 2>/dev/null; do
			if dns_probe "$DNS_PORT"; then
				TD_PIDS="$TD_PIDS $dpid"
				( while kill -0 $$ 2>/dev/null; do sleep 1; done
				  kill $dpid 2>/dev/null ) >/dev/null 2>&1 &
				TD_PIDS="$TD_PIDS $!"
				return 0
			fi
			i=$((i + 1))
		done
		kill $dpid 2>/dev/null
		wait $dpid 2>/dev/null
	done
	cat "$T/dnsmasq.err" >&2
	return 1
}
