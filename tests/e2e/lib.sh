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
# start_smtpd: a real SMTP server on loopback, Postfix (Debian package
# postfix, plus sasl2-bin and libsasl2-modules for AUTH), as an instance
# of its own whose every file is under SMTPD_DIR ($T/postfix): main.cf and
# master.cf written here, queue, data, log, a certificate made here and
# signed by a CA of its own, and a Cyrus sasldb holding one user.
# It accepts mail for any recipient (virtual_mailbox_domains = static:all)
# and delivers it into the Maildir $SMTP_MAILDIR ($T/postfix/mail/inbox;
# new mail in new/, LF line ends, Return-Path, X-Original-To, Delivered-To
# and Received prepended).  It never reads /etc/postfix nor the machine's
# mail setup; the system's Postfix service (never started here) can stay
# off.  Listeners, each on a free port of 127.0.0.1:
#   SMTP_PORT         STARTTLS offered; AUTH offered after STARTTLS only
#   SMTPS_PORT        implicit TLS (smtps); AUTH offered
#   SMTP_AUTH_PORT    submission style: STARTTLS and AUTH required
#   SMTP_NOTLS_PORT   no STARTTLS, no AUTH
# and SMTP_CA (the CA's PEM file; the certificate names localhost and
# 127.0.0.1), SMTP_USER / SMTP_PASS (AUTH PLAIN or LOGIN), SMTP_LOG.
# The server refuses bare LF in DATA (smtpd_forbid_bare_newline, loopback
# not excepted), so a client that sends one gets an error, not a delivery.
# What it takes: root, as Postfix's master(8) must start as root (it drops
# to the postfix user for its daemons, delivers as that user, and reads
# the certificate key and binds as root); run as another user start_smtpd
# returns 2 and the test should skip.  It makes $T traversable by others
# (mode 711) so that the postfix user reaches its queue under it.  Debian's
# Postfix reads the SASL application file from $config_directory/sasl/
# (cyrus_sasl_config_path is ignored), hence $T/postfix/etc/sasl/smtpd.conf.
# stop_servers (on exit, also on failure) stops it: master(8) and a
# watcher are in TD_PIDS; master stops its daemons on TERM, and the
# watcher, which stop_servers waits for, ends once master is gone.  The
# watcher also stops master when this shell is gone.
start_smtpd() {
	postfix=$(command -v postfix || echo /usr/sbin/postfix)
	saslpasswd2=$(command -v saslpasswd2 || echo /usr/sbin/saslpasswd2)
	[ -x "$postfix" ] || { echo "postfix not installed" >&2; return 2; }
	[ -x "$saslpasswd2" ] || { echo "saslpasswd2 not installed (sasl2-bin)" >&2; return 2; }
	[ "$(id -u)" = 0 ] || { echo "start_smtpd needs root (Postfix master)" >&2; return 2; }
	id postfix >/dev/null 2>&1 || { echo "no postfix user" >&2; return 2; }
	SMTPD_DIR="$T/postfix"
	rm -rf "$SMTPD_DIR"
	mkdir -p "$SMTPD_DIR/etc/sasl" "$SMTPD_DIR/queue" "$SMTPD_DIR/data" "$SMTPD_DIR/mail" || return 1
	chmod 711 "$T"
	pu=$(id -u postfix) pg=$(id -g postfix)
	chown "$pu:$pg" "$SMTPD_DIR/data" "$SMTPD_DIR/mail"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
		-subj "/CN=takedown smtp test CA" \
		-keyout "$SMTPD_DIR/ca.key" -out "$SMTPD_DIR/ca.pem" >/dev/null 2>&1 &&
	openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
		-keyout "$SMTPD_DIR/tls.key" -out "$SMTPD_DIR/tls.csr" >/dev/null 2>&1 &&
	printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$SMTPD_DIR/tls.ext" &&
	openssl x509 -req -in "$SMTPD_DIR/tls.csr" -CA "$SMTPD_DIR/ca.pem" -CAkey "$SMTPD_DIR/ca.key" \
		-CAcreateserial -days 2 -extfile "$SMTPD_DIR/tls.ext" \
		-out "$SMTPD_DIR/tls.pem" >/dev/null 2>&1 || return 1
	SMTP_USER=tester@takedown.test
	SMTP_PASS=loopback-secret
	cat >"$SMTPD_DIR/etc/sasl/smtpd.conf" <<CONF
pwcheck_method: auxprop
auxprop_plugin: sasldb
mech_list: PLAIN LOGIN
sasldb_path: $SMTPD_DIR/sasldb2
CONF
	printf '%s' "$SMTP_PASS" | "$saslpasswd2" -p -c -f "$SMTPD_DIR/sasldb2" \
		-u takedown.test tester || return 1
	chown "$pu:$pg" "$SMTPD_DIR/sasldb2"
	tries=0
	while [ $tries -lt 3 ]; do
		tries=$((tries + 1))
		set -- $(free_ports 4)
		SMTP_PORT=$1 SMTPS_PORT=$2 SMTP_AUTH_PORT=$3 SMTP_NOTLS_PORT=$4
		cat >"$SMTPD_DIR/etc/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $SMTPD_DIR/queue
data_directory = $SMTPD_DIR/data
maillog_file = $SMTPD_DIR/maillog
maillog_file_prefixes = $SMTPD_DIR
mail_owner = postfix
setgid_group = postdrop
myhostname = smtp.takedown.test
mydomain = takedown.test
myorigin = \$myhostname
mydestination =
relay_domains =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
biff = no
local_transport = error:5.1.1 no local delivery here
virtual_mailbox_domains = static:all
virtual_mailbox_maps = static:inbox/
virtual_mailbox_base = $SMTPD_DIR/mail
virtual_uid_maps = static:$pu
virtual_gid_maps = static:$pg
virtual_mailbox_limit = 0
message_size_limit = 20480000
local_header_rewrite_clients =
smtpd_relay_restrictions = reject_unauth_destination
smtpd_recipient_restrictions =
smtpd_peername_lookup = no
smtpd_error_sleep_time = 0
smtpd_forbid_bare_newline = yes
smtpd_forbid_bare_newline_exclusions =
smtpd_banner = \$myhostname ESMTP takedown test
smtpd_tls_security_level = may
smtpd_tls_cert_file = $SMTPD_DIR/tls.pem
smtpd_tls_key_file = $SMTPD_DIR/tls.key
smtpd_tls_auth_only = yes
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
smtpd_sasl_local_domain = takedown.test
CONF
		cat >"$SMTPD_DIR/etc/master.cf" <<CONF
127.0.0.1:$SMTP_PORT inet n - n - - smtpd
127.0.0.1:$SMTPS_PORT inet n - n - - smtpd -o smtpd_tls_wrappermode=yes -o smtpd_tls_auth_only=no
127.0.0.1:$SMTP_AUTH_PORT inet n - n - - smtpd -o smtpd_tls_security_level=encrypt -o smtpd_client_restrictions=permit_sasl_authenticated,reject
127.0.0.1:$SMTP_NOTLS_PORT inet n - n - - smtpd -o smtpd_tls_security_level=none -o smtpd_sasl_auth_enable=no
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
tlsmgr unix - - n 1000? 1 tlsmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
smtp unix - - n - - smtp
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
virtual unix - n n - - virtual
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
CONF
		# postfix start: creates the queue, starts master(8) -w and
		# returns once it runs; errors go to $SMTPD_DIR/maillog (stderr only
		# on a terminal)
		"$postfix" -c "$SMTPD_DIR/etc" start >"$T/postfix.err" 2>&1
		smtpd_pid=$(tr -d ' ' <"$SMTPD_DIR/queue/pid/master.pid" 2>/dev/null)
		if [ -n "$smtpd_pid" ] && kill -0 "$smtpd_pid" 2>/dev/null &&
			smtp_probe "$SMTP_PORT" "$SMTP_NOTLS_PORT"; then
			(
				trap 'kill "$smtpd_pid" 2>/dev/null
				      while kill -0 "$smtpd_pid" 2>/dev/null; do sleep 0.1; done
				      exit 0' TERM
				while kill -0 $$ 2>/dev/null && kill -0 "$smtpd_pid" 2>/dev/null; do
					sleep 1 &
					wait $!
				done
				kill "$smtpd_pid" 2>/dev/null
			) >/dev/null 2>&1 &
			# master too: a TERM that reaches the watcher before
			# its trap is set must not leave master running
			TD_PIDS="$TD_PIDS $smtpd_pid $!"
			SMTP_MAILDIR="$SMTPD_DIR/mail/inbox"
			SMTP_CA="$SMTPD_DIR/ca.pem"
			SMTP_LOG="$SMTPD_DIR/maillog"
			return 0
		fi
		[ -n "$smtpd_pid" ] && kill "$smtpd_pid" 2>/dev/null
		sleep 1
	done
	cat "$T/postfix.err" >&2
	tail -20 "$SMTPD_DIR/maillog" >&2 2>/dev/null
	return 1
}
# smtp_probe PORT...: 0 once an SMTP server greets with 220 on each
# 127.0.0.1:PORT (at most 10 s)
smtp_probe() {
	python3 -c 'import socket, sys, time
end = time.time() + 10
for port in sys.argv[1:]:
    while True:
        try:
            s = socket.create_connection(("127.0.0.1", int(port)), 1)
            s.settimeout(5)
            ok = s.recv(512).startswith(b"220")
            s.sendall(b"QUIT\r\n")
            s.close()
            if not ok:
                sys.exit(1)
            break
        except OSError:
            if time.time() > end:
                sys.exit(1)
            time.sleep(0.1)' "$@"
}
# free_ports N: N distinct free TCP ports of 127.0.0.1, one a line
free_ports() {
	python3 -c 'import socket, sys
held = []
for i in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    held.append(s)
    print(s.getsockname()[1])' "$1"
}
# loopback_cert PREFIX: a CA of its own (PREFIX-ca.pem) and a certificate
# signed by it for localhost and 127.0.0.1 (PREFIX.pem, key PREFIX.key)
loopback_cert() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
		-subj "/CN=takedown loopback test CA" \
		-keyout "$1-ca.key" -out "$1-ca.pem" >/dev/null 2>&1 &&
	openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
		-keyout "$1.key" -out "$1.csr" >/dev/null 2>&1 &&
	printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$1.ext" &&
	openssl x509 -req -in "$1.csr" -CA "$1-ca.pem" -CAkey "$1-ca.key" \
		-CAcreateserial -days 2 -extfile "$1.ext" \
		-out "$1.pem" >/dev/null 2>&1
}
# wait_ports FILE PID: until FILE is not empty (at most 30 s: Python
# servers start slowly on a loaded machine) while PID runs
wait_ports() {
	i=0
	while [ ! -s "$1" ] && [ $i -lt 300 ] && kill -0 "$2" 2>/dev/null; do
		sleep 0.1; i=$((i + 1))
	done
	[ -s "$1" ]
}
# start_faultd PROTO:FAULT...: tests/servers/faultd.py, one port of
# 127.0.0.1 per PROTO:FAULT (http, whois, dns (UDP and TCP), smtp; the
# faults are listed in its header); fault_port PROTO FAULT prints the
# port.  FAULTD_LOG: a JSON line per connection.  With smtp listeners
# (tests/servers/smtpd.py) mail accepted lands in the Maildir
# FAULTD_MAILDIR, and STARTTLS is offered with a certificate for
# localhost and 127.0.0.1 signed by the CA FAULTD_CA.
start_faultd() {
	FAULTD_LOG="$T/faultd.log"
	FAULTD_MAILDIR="$T/faultd-mail"
	FAULTD_CA=""
	: >"$FAULTD_LOG"
	rm -f "$T/faultd.ports"
	fa=""
	for s in "$@"; do fa="$fa --listen $s"; done
	case " $* " in *" smtp:"*)
		loopback_cert "$T/faultd-cert" || return 1
		fa="$fa --cert $T/faultd-cert.pem --key $T/faultd-cert.key"
		FAULTD_CA="$T/faultd-cert-ca.pem" ;;
	esac
	python3 "$SRV/faultd.py" $fa --maildir "$FAULTD_MAILDIR" \
		--log "$FAULTD_LOG" --port-file "$T/faultd.ports" --parent $$ \
		>"$T/faultd.err" 2>&1 &
	TD_PIDS="$TD_PIDS $!"
	wait_ports "$T/faultd.ports" $! || { cat "$T/faultd.err" >&2; return 1; }
}
fault_port() {
	cat "$T/faultd.ports" "$T/smtpsink.ports" 2>/dev/null |
		awk -v p="$1" -v f="$2" '$1 == p && $2 == f { print $3; exit }'
}
# start_smtpsink [FAULT...]: an SMTP server of our own
# (tests/servers/smtpd.py) that needs no root: STARTTLS offered with a
# certificate for localhost and 127.0.0.1 signed by SMTPSINK_CA, no AUTH,
# mail for anyone into the Maildir SMTPSINK_MAILDIR (CRLF kept,
# Return-Path first).  SMTPSINK_PORT is the first listener's port (FAULT
# "ok" when none is given); fault_port smtp FAULT gives each.  SMTPSINK_LOG.
start_smtpsink() {
	[ $# -gt 0 ] || set -- ok
	SMTPSINK_LOG="$T/smtpsink.log"
	SMTPSINK_MAILDIR="$T/smtpsink-mail"
	: >"$SMTPSINK_LOG"
	rm -f "$T/smtpsink.ports"
	loopback_cert "$T/smtpsink-cert" || return 1
	SMTPSINK_CA="$T/smtpsink-cert-ca.pem"
	sa=""
	for s in "$@"; do sa="$sa --listen $s"; done
	python3 "$SRV/smtpd.py" $sa --maildir "$SMTPSINK_MAILDIR" \
		--cert "$T/smtpsink-cert.pem" --key "$T/smtpsink-cert.key" \
		--log "$SMTPSINK_LOG" --port-file "$T/smtpsink.ports" --parent $$ \
		>"$T/smtpsink.err" 2>&1 &
	TD_PIDS="$TD_PIDS $!"
	wait_ports "$T/smtpsink.ports" $! || { cat "$T/smtpsink.err" >&2; return 1; }
	SMTPSINK_PORT=$(awk 'NR == 1 { print $3 }' "$T/smtpsink.ports")
}

# ---- worlds shared by the case tests ----

# fail_start WHAT: a server or setup step the test needs did not start
fail_start() { echo "1..1"; echo "not ok 1 - $1 started"; exit 1; }

# own_domain_world: a phishing page on the criminal's own domain,
# http://paypal-secure-login.com/ahouf/algonquincollege.html ($OWN_URL),
# on loopback: dnsmasq, and httpd.py serving the page and recorded real
# RDAP answers from ../shared/corpus (Verisign's record of github.com, a
# MarkMonitor registration, for the domain; ARIN's of 74.125.225.229,
# Google, for its address).  Skips the test without the corpus or
# dnsmasq.  Sets W (the web root) and OWN_NET (the network options of
# report and check that reach it).
own_domain_world() {
	[ -d "$TD_CORPUS/rdap-bbot" ] && [ -d "$TD_CORPUS/ipwhois-rdap" ] ||
		skip_all "../shared/corpus absent"
	command -v dnsmasq >/dev/null 2>&1 || [ -x /usr/sbin/dnsmasq ] ||
		skip_all "dnsmasq not installed (apt-get install dnsmasq-base)"
	W="$T/world"
	mkdir -p "$W/rdap/domain" "$W/rdap/ip" "$W/ahouf"
	cp "$TD_CORPUS/rdap-bbot/verisign_com_github.json" \
		"$W/rdap/domain/paypal-secure-login.com.json"
	cp "$TD_CORPUS/ipwhois-rdap/rdap-ip/74.125.225.229.json" \
		"$W/rdap/ip/74.125.225.229.json"
	cp "$TD_TOP/tests/servers/data/pages/ahouf/algonquincollege.html" "$W/ahouf/"
	cat >"$T/dns.conf" <<'CONF'
local=/#/
host-record=paypal-secure-login.com,74.125.225.229
mx-host=google.com,mx.google.com,10
mx-host=markmonitor.com,mx.markmonitor.com,10
CONF
	start_dns "$T/dns.conf" || fail_start dnsmasq
	start_httpd "$W" || fail_start httpd
	OWN_URL=http://paypal-secure-login.com/ahouf/algonquincollege.html
	OWN_NET="--allow-private --timeout 3000 --dns 127.0.0.1:$DNS_PORT
		--rdap http://127.0.0.1:$HTTP_PORT/rdap/
		--connect-to paypal-secure-login.com:80:127.0.0.1:$HTTP_PORT"
}

# need_postfix: start_smtpd, skipping the test where Postfix is not
# installed or cannot start (it needs root)
need_postfix() {
	command -v postfix >/dev/null 2>&1 || [ -x /usr/sbin/postfix ] ||
		skip_all "postfix not installed (apt-get install postfix)"
	start_smtpd
	case $? in
	0) ;;
	2) skip_all "Postfix cannot start here (needs root)" ;;
	*) fail_start postfix ;;
	esac
}

# init_reporter [OPTION...]: the profile the case tests use: Jane Doe of
# Example CERT, and the team's identity for malicious cases
init_reporter() {
	"$TD_BIN" init --name "Jane Doe" --org "Example CERT" \
		--email jane.doe@example.org \
		--public-name "Example CERT abuse team" \
		--public-email abuse-team@example.org "$@" >/dev/null ||
		fail_start "takedown init"
}

# two_kinds_world: the world of one real phish of each kind, on
# loopback: storage.googleapis.com/ahouf/ (malicious, on a platform;
# MarkMonitor's registration and Google's network) through a TLS front,
# woondsplay.com (compromised: AFNIC's record of an old registration with
# a named registrant, ARIN's 192.198.0.0 network, a working home page of
# its own) by http and https, and paypal-secure-login.com (the
# criminal's own domain).  Records are the real ones of ../shared/corpus;
# skips the test without it or dnsmasq.  Sets W, P (the landing page)
# and KINDS_NET (report's options that reach it all).
two_kinds_world() {
	[ -f "$TD_CORPUS/phishing_pot/email/sample-3119.eml" ] &&
		[ -d "$TD_CORPUS/rdap-bbot" ] && [ -d "$TD_CORPUS/rdap-icann" ] ||
		skip_all "../shared/corpus absent"
	command -v dnsmasq >/dev/null 2>&1 || [ -x /usr/sbin/dnsmasq ] ||
		skip_all "dnsmasq not installed (apt-get install dnsmasq-base)"
	W="$T/world"
	mkdir -p "$W/rdap/domain" "$W/rdap/ip" "$W/ahouf" "$W/rd" \
		"$W/_hosts/woondsplay.com"
	cp "$TD_CORPUS/rdap-bbot/verisign_com_github.json" \
		"$W/rdap/domain/googleapis.com.json"
	cp "$TD_CORPUS/rdap-bbot/verisign_com_github.json" \
		"$W/rdap/domain/paypal-secure-login.com.json"
	cp "$TD_CORPUS/ipwhois-rdap/rdap-ip/74.125.225.229.json" \
		"$W/rdap/ip/74.125.225.229.json"
	cp "$TD_CORPUS/rdap-icann/responses/domain_afnic_fr.json" \
		"$W/rdap/domain/woondsplay.com.json"
	cp "$TD_CORPUS/rdap-icann/responses/network_192_198_0_0.json" \
		"$W/rdap/ip/192.198.1.5.json"
	P="$TD_TOP/tests/servers/data/pages/ahouf/algonquincollege.html"
	cp "$P" "$W/ahouf/algonquincollege.html"
	cp "$P" "$W/index.php"
	cp "$P" "$W/rd/index.php"
	cp "$TD_TOP/tests/servers/data/pages/home/smallsite.html" \
		"$W/_hosts/woondsplay.com/index.html"
	cat >"$T/dns.conf" <<'CONF'
local=/#/
host-record=storage.googleapis.com,74.125.225.229
host-record=woondsplay.com,192.198.1.5
host-record=paypal-secure-login.com,74.125.225.229
mx-host=google.com,mx.google.com,10
mx-host=markmonitor.com,mx.markmonitor.com,10
mx-host=nic.fr,mx.nic.fr,10
mx-host=radiolinkinternet.com,mx.radiolinkinternet.com,10
CONF
	start_dns "$T/dns.conf" || fail_start dnsmasq
	start_httpd "$W" || fail_start httpd
	start_tls "$HTTP_PORT" storage.googleapis.com woondsplay.com ||
		fail_start tlsproxy
	KINDS_NET="--allow-private --no-cache --timeout 3000
		--dns 127.0.0.1:$DNS_PORT --rdap http://127.0.0.1:$HTTP_PORT/rdap/
		--ca-file $TLS_CA
		--connect-to storage.googleapis.com:443:127.0.0.1:$TLS_PORT
		--connect-to woondsplay.com:80:127.0.0.1:$HTTP_PORT
		--connect-to woondsplay.com:443:127.0.0.1:$TLS_PORT
		--connect-to paypal-secure-login.com:80:127.0.0.1:$HTTP_PORT"
}
