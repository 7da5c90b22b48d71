#!/bin/sh
# The fault matrix (docs/fault-matrix.md): every protocol takedown speaks,
# against tests/servers/faultd.py on 127.0.0.1, one port per fault:
#   DNS    takedown lookup --dns           (c-ares, UDP, TCP after TC)
#   RDAP   takedown lookup --rdap          (libcurl multi, the net loop)
#   WHOIS  takedown lookup --whois NAME --connect-to NAME:43:...
#   HTTP   takedown report --connect-to    (the evidence fetcher)
#   SMTP   takedown send --smtp-url        (libcurl easy, STARTTLS)
# Each cell: the command ends within its deadline plus a margin (measured,
# printed as "# took N ms"), under `timeout 60` so that a hang is a
# failure and not a stuck suite; it exits with the documented code; one
# line names the server and the fault class; no sanitizer report (run it
# with TD_BIN=build/asan/takedown); for send, nothing is recorded as sent
# that the server did not accept, and the draft stays sendable.
# Checks marked "known bug" show a fault the C code does not handle yet:
# they print "ok N # SKIP known bug" while it fails and plain "ok" once it
# is fixed (then turn known_bug into check).  The HTTP evidence and SMTP
# cells need a case made by `takedown report` from recorded RDAP answers
# in ../shared/corpus and dnsmasq; where those are absent they are skipped.
. "$(dirname "$0")/lib.sh"
C="$TD_CORPUS"

TO=2000                          # --timeout of every run, ms
LOOKUP_MAX=$((2 * TO + 5000))    # a lookup here waits for at most two
				 # requests in a row (a record, then the
				 # mail host of its abuse address)
SEND_MAX=$((TO + 5000))          # one message, one connection

# known_bug "description" command...: as check, but a failure is shown
# as a skip naming the bug (docs/fault-matrix.md lists them)
known_bug() {
	d=$1; shift
	n=$((n + 1))
	if "$@" >"$T/check.out" 2>&1; then
		echo "ok $n - $d"
	else
		echo "ok $n - $d # SKIP known bug, see docs/fault-matrix.md"
		sed 's/^/#   /' "$T/check.out" | head -8
	fi
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

# run NAME [CAP] -- command...: run it under timeout CAP (60 s), keep
# NAME.out, NAME.err, NAME.rc and NAME.ms (wall time)
run() {
	name=$1; shift
	cap=60
	[ "$1" = "--" ] || { cap=$1; shift; }
	shift
	s=$(date +%s%N)
	timeout "$cap" "$@" >"$T/$name.out" 2>"$T/$name.err" </dev/null
	echo $? >"$T/$name.rc"
	echo $(( ($(date +%s%N) - s) / 1000000 )) >"$T/$name.ms"
	echo "$name $(cat "$T/$name.ms")" >>"$T/times"
}
# verdict NAME RC MAX_MS REGEX: not killed, within MAX_MS, exit RC, a
# line of its output matching REGEX (grep -E), no sanitizer report
verdict() {
	rc=$(cat "$T/$1.rc") ms=$(cat "$T/$1.ms")
	[ "$rc" != 124 ] || { echo "hung: killed by timeout after $ms ms"; return 1; }
	[ "$ms" -le "$3" ] || { echo "took $ms ms, more than $3"; return 1; }
	if grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T/$1.err"; then
		grep -E -A5 'Sanitizer|runtime error' "$T/$1.err" | head -20
		return 1
	fi
	case $rc in
	$2) ;;
	*) echo "exit $rc, want $2"; cat "$T/$1.err"; return 1 ;;
	esac
	cat "$T/$1.out" "$T/$1.err" | grep -Eq -- "$4" || {
		echo "no line matches: $4"
		cat "$T/$1.out" "$T/$1.err" | head -20
		return 1
	}
}
# cell "description" NAME RC MAX_MS REGEX: check verdict, then the time
cell() {
	check "$1" verdict "$2" "$3" "$4" "$5"
	echo "#   took $(cat "$T/$2.ms") ms (limit $4 ms)"
}

fail_start() { echo "1..1"; echo "not ok 1 - $1 started"; exit 1; }
L=""
for f in ok empty stall truncated badid ptrloop tc-ok tc-stall tc-drip \
	tc-reset tc-close tc-oversize; do L="$L dns:$f"; done
for f in ok stall drip reset close oversize oversize-cl badstatus badchunk \
	cllie badjson; do L="$L http:$f"; done
for f in ok stall drip reset close oversize nul; do L="$L whois:$f"; done
for f in ok stall drip reset close oversize nocode multiline greet421 \
	rcpt550 data554 final554 final-stall final-reset; do L="$L smtp:$f"; done
start_faultd $L || fail_start faultd
port() { fault_port "$1" "$2"; }
WOK=$(port whois ok)
DEMPTY=$(port dns empty)
: >"$T/times"

# ---- DNS: lookup with the registrar from a WHOIS server that works ----
dns() { # NAME FAULT-PORT
	run "dns-$1" -- "$TD_BIN" lookup --no-cache --no-rdap --allow-loopback \
		--timeout $TO --dns "127.0.0.1:$2" --whois "127.0.0.1:$WOK" \
		fault.test
}
dfail() { # FAULT CLASS-REGEX: the error line for fault.test at that server
	p=$(port dns "$1")
	echo "failed: dns fault\.test [A-Z]+ at 127\.0\.0\.1:$p: $2"
}
dns ok "$(port dns ok)"
cell "dns ok: the address and the registrar, no DNS error" dns-ok 0 $LOOKUP_MAX \
	'address 192\.0\.2\.1'
check "dns ok: no failed line for DNS" sh -c "! grep -q 'failed: dns' '$T/dns-ok.out'"
dns tc-ok "$(port dns tc-ok)"
cell "dns TC bit: the query again over TCP gets the address" dns-tc-ok 0 \
	$LOOKUP_MAX 'address 192\.0\.2\.1'
dns stall "$(port dns stall)"
cell "dns stall (no answer over UDP) -> timeout" dns-stall 0 $LOOKUP_MAX \
	"$(dfail stall 'timeout')"
CLOSED=$(free_port)
dns refused "$CLOSED"
cell "dns port closed (ICMP unreachable) -> refused" dns-refused 0 $LOOKUP_MAX \
	"failed: dns fault\.test [A-Z]+ at 127\.0\.0\.1:$CLOSED: refused"
dns truncated "$(port dns truncated)"
cell "dns answer cut short, TC clear -> error, truncated" dns-truncated 0 \
	$LOOKUP_MAX "$(dfail truncated 'error: .*truncated')"
dns badid "$(port dns badid)"
cell "dns answer with another message ID: ignored -> timeout" dns-badid 0 \
	$LOOKUP_MAX "$(dfail badid 'timeout')"
dns ptrloop "$(port dns ptrloop)"
cell "dns name compression pointer loop -> error" dns-ptrloop 0 $LOOKUP_MAX \
	"$(dfail ptrloop 'error: ')"
check "dns pointer loop: the error says a bad name, not 'truncated'" \
	sh -c "grep 'failed: dns' '$T/dns-ptrloop.out' |
		grep -Eiq 'pointer|compression|loop|bad name|4\.1\.4'"
dns tc-stall "$(port dns tc-stall)"
cell "dns TC, then TCP accepted and never answered -> timeout" dns-tc-stall 0 \
	$LOOKUP_MAX "$(dfail tc-stall 'timeout')"
dns tc-drip "$(port dns tc-drip)"
cell "dns TC, then TCP one byte a second -> timeout" dns-tc-drip 0 \
	$LOOKUP_MAX "$(dfail tc-drip 'timeout')"
dns tc-reset "$(port dns tc-reset)"
cell "dns TC, then TCP reset mid-answer -> refused" dns-tc-reset 0 \
	$LOOKUP_MAX "$(dfail tc-reset 'refused')"
dns tc-close "$(port dns tc-close)"
cell "dns TC, then TCP closed mid-answer -> refused" dns-tc-close 0 \
	$LOOKUP_MAX "$(dfail tc-close 'refused')"
dns tc-oversize "$(port dns tc-oversize)"
# c-ares takes the first (64 KiB) message as the answer to its query;
# the other queries of the connection fail as the junk arrives (refused,
# error or timeout, as the timing falls)
cell "dns TC, then TCP 64 KiB message and endless junk: read once, no hang" \
	dns-tc-oversize 0 $LOOKUP_MAX "$(dfail tc-oversize '(refused|error|timeout)')"

# ---- RDAP: lookup, the registrar from the WHOIS fallback ----
rdap() { # FAULT
	run "rdap-$1" -- "$TD_BIN" lookup --no-cache --allow-loopback \
		--timeout $TO --dns "127.0.0.1:$DEMPTY" \
		--rdap "http://127.0.0.1:$(port http "$1")/rdap/" \
		--connect-to "whois.verisign-grs.com:43:127.0.0.1:$WOK" fault.com
}
rfail() { # FAULT CLASS-REGEX
	p=$(port http "$1")
	echo "failed: rdap http://127\.0\.0\.1:$p/rdap/domain/fault\.com: $2"
}
rdap ok
cell "rdap ok: no RDAP error, the registrar from WHOIS" rdap-ok 0 $LOOKUP_MAX \
	'registrar +Example Fault Registrar'
check "rdap ok: no failed line" sh -c "! grep -q 'failed:' '$T/rdap-ok.out'"
rdap stall
cell "rdap stall -> timeout" rdap-stall 0 $LOOKUP_MAX "$(rfail stall 'timeout')"
rdap drip
cell "rdap drip (a byte a second) -> timeout" rdap-drip 0 $LOOKUP_MAX \
	"$(rfail drip 'timeout')"
rdap reset
cell "rdap reset mid-answer -> refused, reset" rdap-reset 0 $LOOKUP_MAX \
	"$(rfail reset 'refused: .*reset')"
rdap close
cell "rdap FIN mid-body -> error, closed" rdap-close 0 $LOOKUP_MAX \
	"$(rfail close 'error: .*closed')"
rdap oversize
cell "rdap 100 MB chunked -> too-big" rdap-oversize 0 $LOOKUP_MAX \
	"$(rfail oversize 'too-big')"
rdap oversize-cl
cell "rdap 100 MB by Content-Length -> too-big" rdap-oversize-cl 0 \
	$LOOKUP_MAX "$(rfail oversize-cl 'too-big')"
rdap badstatus
cell "rdap status line not HTTP -> error" rdap-badstatus 0 $LOOKUP_MAX \
	"$(rfail badstatus 'error: .*HTTP')"
rdap badchunk
cell "rdap chunk size not hex -> error, chunked" rdap-badchunk 0 $LOOKUP_MAX \
	"$(rfail badchunk 'error: .*chunk')"
rdap cllie
cell "rdap Content-Length lies (longer), then FIN -> error" rdap-cllie 0 \
	$LOOKUP_MAX "$(rfail cllie 'error: .*remaining')"
rdap badjson
cell "rdap body not JSON -> RFC 8259 error" rdap-badjson 0 $LOOKUP_MAX \
	"$(rfail badjson '.*RFC 8259')"

# ---- WHOIS: lookup --no-rdap, whois.verisign-grs.com on a fault port ----
whois() { # FAULT
	run "whois-$1" -- "$TD_BIN" lookup --no-cache --no-rdap --allow-loopback \
		--timeout $TO --dns "127.0.0.1:$DEMPTY" \
		--whois whois.verisign-grs.com \
		--connect-to "whois.verisign-grs.com:43:127.0.0.1:$(port whois "$1")" \
		fault.com
}
wfail() { echo "failed: whois whois\.verisign-grs\.com:43 for fault\.com: $1"; }
whois ok
cell "whois ok: the registrar" whois-ok 0 $LOOKUP_MAX \
	'registrar +Example Fault Registrar, Inc\.'
whois stall
cell "whois stall -> timeout, no party (exit 1)" whois-stall 1 $LOOKUP_MAX \
	"$(wfail timeout)"
whois drip
cell "whois drip -> timeout" whois-drip 1 $LOOKUP_MAX "$(wfail timeout)"
whois reset
cell "whois reset mid-answer -> refused, reset" whois-reset 1 $LOOKUP_MAX \
	"$(wfail 'refused: .*reset')"
whois oversize
cell "whois 100 MB -> too-big" whois-oversize 1 $LOOKUP_MAX "$(wfail too-big)"
whois close
cell "whois FIN mid-line: ends at once (WHOIS has no framing)" whois-close \
	'[01]' $LOOKUP_MAX 'fault\.com'
check "whois FIN mid-line: no registrar named from the cut line" sh -c "
	! grep -q 'registrar  *Exa\$' '$T/whois-close.out'"
whois nul
cell "whois NUL bytes and no line end -> no party (exit 1)" whois-nul 1 \
	$LOOKUP_MAX 'no responsible party found'
check "whois NUL bytes, no line end: a failed line names the server" \
	sh -c "grep -q 'failed: whois whois.verisign-grs.com:43' '$T/whois-nul.out'"

# ---- HTTP evidence and SMTP: a case made by takedown report ----
world=""
if [ ! -d "$C/rdap-bbot" ] || [ ! -d "$C/ipwhois-rdap" ]; then
	world="../shared/corpus absent"
elif ! command -v dnsmasq >/dev/null 2>&1 && [ ! -x /usr/sbin/dnsmasq ]; then
	world="dnsmasq not installed (apt-get install dnsmasq-base)"
else
	W="$T/world"
	mkdir -p "$W/rdap/domain" "$W/rdap/ip" "$W/ahouf"
	cp "$C/rdap-bbot/verisign_com_github.json" \
		"$W/rdap/domain/paypal-secure-login.com.json"
	cp "$C/ipwhois-rdap/rdap-ip/74.125.225.229.json" "$W/rdap/ip/74.125.225.229.json"
	cp "$TD_TOP/tests/servers/data/pages/ahouf/algonquincollege.html" "$W/ahouf/"
	cat >"$T/dns.conf" <<'CONF'
local=/#/
host-record=paypal-secure-login.com,74.125.225.229
mx-host=google.com,mx.google.com,10
mx-host=markmonitor.com,mx.markmonitor.com,10
CONF
	start_dns "$T/dns.conf" || fail_start dnsmasq
	start_httpd "$W" || fail_start httpd
	"$TD_BIN" init --name "Jane Doe" --org "Example CERT" \
		--email jane.doe@example.org --public-name "Example CERT abuse team" \
		--public-email abuse-team@example.org \
		--smtp-url "smtp://127.0.0.1:$(port smtp ok)" >/dev/null ||
		fail_start "takedown init"
fi
URL=http://paypal-secure-login.com/ahouf/algonquincollege.html
report() { # NAME HTTP-PORT
	run "$1" -- "$TD_BIN" report --allow-private --no-cache --timeout $TO \
		--dns "127.0.0.1:$DNS_PORT" --rdap "http://127.0.0.1:$HTTP_PORT/rdap/" \
		--connect-to "paypal-secure-login.com:80:127.0.0.1:$2" "$URL"
}
case_of() { awk '$1 == "case" { print $2; exit }' "$T/$1.out"; }
efail() { # FAULT REGEX: the line for the phishing page's capture
	echo "fetched http://paypal-secure-login\.com/ahouf/algonquincollege\.html as desktop: $2"
}
# the capture's error as kept in the case (takedown show --json)
evidence_error() { # NAME REGEX
	"$TD_BIN" show --json "$(case_of "$1")" | python3 -c 'import json, re, sys
o = json.load(sys.stdin)
e = [x for x in o["evidence"] if x["url"].endswith("algonquincollege.html")][0]
assert e["sha256"] is None, e
assert re.search(sys.argv[1], e["error"] or ""), e' "$2"
}
EV="stall drip reset close oversize oversize-cl badstatus badchunk cllie"
if [ -n "$world" ]; then
	skip "evidence ok: the page fetched" "$world"
	for f in $EV; do skip "evidence $f" "$world"; done
	skip "evidence: a capture cut by a fault is said to be one" "$world"
	skip "evidence: a capture cut at the size limit is said to be one" "$world"
else
	report ev-ok "$(port http ok)"
	cell "evidence ok: the page fetched, a case made" ev-ok 0 $LOOKUP_MAX \
		"$(efail ok 'HTTP 200, "Sign in", 1 password field')"
	report ev-stall "$(port http stall)"
	cell "evidence stall -> timed out, the case made anyway" ev-stall 0 \
		$LOOKUP_MAX "$(efail stall '.*timed out')"
	report ev-drip "$(port http drip)"
	cell "evidence drip -> timed out" ev-drip 0 $LOOKUP_MAX \
		"$(efail drip '.*timed out')"
	report ev-badstatus "$(port http badstatus)"
	cell "evidence status line not HTTP -> error" ev-badstatus 0 $LOOKUP_MAX \
		"$(efail badstatus '.*HTTP version')"
	# cut mid-body: the case keeps the error and no body; what the run
	# prints is the known bug below
	for f in reset close badchunk cllie; do
		report "ev-$f" "$(port http $f)"
	done
	cell "evidence reset mid-body: ends, the case made" ev-reset 0 $LOOKUP_MAX \
		'^case TD-'
	check "evidence reset: the case keeps the error, no body" \
		evidence_error ev-reset 'reset'
	cell "evidence FIN mid-body: ends, the case made" ev-close 0 $LOOKUP_MAX \
		'^case TD-'
	check "evidence FIN mid-body: the case keeps the error, no body" \
		evidence_error ev-close 'remaining'
	cell "evidence bad chunked encoding: ends, the case made" ev-badchunk 0 \
		$LOOKUP_MAX '^case TD-'
	check "evidence bad chunked encoding: the case keeps the error" \
		evidence_error ev-badchunk 'chunk'
	cell "evidence Content-Length lies: ends, the case made" ev-cllie 0 \
		$LOOKUP_MAX '^case TD-'
	check "evidence Content-Length lies: the case keeps the error" \
		evidence_error ev-cllie 'remaining'
	report ev-oversize "$(port http oversize)"
	cell "evidence 100 MB chunked: ends, the case made" ev-oversize 0 \
		$LOOKUP_MAX '^case TD-'
	report ev-oversize-cl "$(port http oversize-cl)"
	cell "evidence 100 MB by Content-Length: ends, the case made" \
		ev-oversize-cl 0 $LOOKUP_MAX '^case TD-'
	check "evidence 100 MB: no more than 4 MiB kept of it" sh -c "
		'$TD_BIN' show --json '$(case_of ev-oversize)' | python3 -c 'import json, sys
o = json.load(sys.stdin)
assert all(e[\"length\"] <= 4 << 20 for e in o[\"evidence\"]), o[\"evidence\"]'"
	check "evidence: a capture cut by a fault is said to be one, not 'HTTP 200'" \
		sh -c "for f in reset close badchunk cllie; do
			cat '$T'/ev-\$f.out | grep 'algonquincollege.html as desktop' |
				grep -Eq 'reset|closed|chunk|remaining|error' ||
				{ echo \"\$f:\"; grep fetched '$T'/ev-\$f.out; exit 1; }
		done"
	check "evidence: a capture cut at the size limit is said to be one" \
		sh -c "grep 'algonquincollege.html as desktop' '$T/ev-oversize.out' |
			grep -Eiq 'truncated|too.big|cut|limit'"
fi

# ---- SMTP: send one draft (--to ROLE) to a fault port ----
state() { # CASE ROLE: the message's state in the store
	python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
r = db.execute("select m.state from message m join cases c on c.id = m.case_id"
               " where c.tag = ? and m.role = ?", sys.argv[2:4]).fetchone()
print(r[0] if r else "none")' "$TAKEDOWN_HOME/cases.sqlite" "$1" "$2"
}
send() { # NAME FAULT CASE ROLE [CAP]
	run "$1" ${5:-60} -- "$TD_BIN" send --yes --timeout $TO --ca-file "$FAULTD_CA" \
		--smtp-url "smtp://127.0.0.1:$(port smtp "$2")" --to "$4" "$3"
}
sfail() { # FAULT REGEX
	echo "send: [^ ]+@[^ ]+: smtp://127\.0\.0\.1:$(port smtp "$1"): $2"
}
# the draft failed, not sent, still sendable, nothing delivered
sendable() { # CASE ROLE
	st=$(state "$1" "$2")
	[ "$st" = failed ] || { echo "state $st, want failed"; return 1; }
	"$TD_BIN" send --dry-run --to "$2" "$1" | grep -q '^1 message would be sent' ||
		{ echo "not sendable"; return 1; }
	[ "$(ls "$FAULTD_MAILDIR/new" | wc -l)" -eq 0 ] || { echo "delivered"; return 1; }
}
SM="stall drip reset close oversize nocode multiline greet421 rcpt550 data554 final554"
if [ -n "$world" ]; then
	for f in $SM final-reset final-stall ok; do skip "smtp $f" "$world"; done
else
	run case-a -- "$TD_BIN" report --allow-private --no-cache --timeout $TO \
		--dns "127.0.0.1:$DNS_PORT" --rdap "http://127.0.0.1:$HTTP_PORT/rdap/" \
		--connect-to "paypal-secure-login.com:80:127.0.0.1:$HTTP_PORT" "$URL"
	run case-b -- "$TD_BIN" report --allow-private --no-cache --timeout $TO \
		--dns "127.0.0.1:$DNS_PORT" --rdap "http://127.0.0.1:$HTTP_PORT/rdap/" \
		--connect-to "paypal-secure-login.com:80:127.0.0.1:$HTTP_PORT" "$URL"
	A=$(case_of case-a) B=$(case_of case-b)
	[ -n "$A" ] && [ -n "$B" ] || fail_start "takedown report (cases for send)"
	smtp() { # FAULT REGEX DESCRIPTION
		send "smtp-$1" "$1" "$A" registrar
		cell "smtp $1: $3" "smtp-$1" 1 $SEND_MAX "$(sfail "$1" "$2")"
		check "smtp $1: not sent, the draft still sendable, nothing delivered" \
			sendable "$A" registrar
	}
	smtp stall 'timed out' "accepted, never greets -> timed out"
	smtp drip 'timed out' "greeting a byte a second -> timed out"
	smtp reset '.*reset' "reset mid-greeting -> reset"
	smtp close '.*' "FIN mid-greeting -> an error"
	check "smtp FIN mid-greeting: the error says the server closed" \
		sh -c "grep -E 'smtp://127.0.0.1:[0-9]+: .*(closed|connection)' '$T/smtp-close.err'"
	smtp oversize '.*(large|big)' "endless multi-line greeting -> too large"
	smtp nocode 'timed out' "greeting without a code -> timed out"
	smtp multiline 'timed out' "multi-line greeting never ended -> timed out"
	smtp greet421 'refused: 421' "421 at the greeting -> refused"
	smtp rcpt550 'refused: 550' "550 to RCPT -> refused"
	smtp data554 'refused: 554' "554 to DATA -> refused"
	smtp final554 'refused: 554' "554 after the message -> refused"

	# the whole message handed over, then no answer: it may have been
	# delivered, so it is left "sending", never marked sent
	send smtp-final-reset final-reset "$B" host
	cell "smtp reset after the message -> may have been delivered" \
		smtp-final-reset 1 $SEND_MAX "$(sfail final-reset '.*reset.*may have been delivered')"
	check "smtp reset after the message: left as sending, not sent" sh -c "
		[ \"\$(python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute(\"select m.state from message m join cases c on c.id = m.case_id where c.tag = ? and m.role = ?\", sys.argv[2:4]).fetchone()[0])' \
		'$TAKEDOWN_HOME/cases.sqlite' '$B' host)\" = sending ]"
	check "smtp reset after the message: 'may have been delivered' said once" \
		sh -c "[ \$(grep -o 'may have been delivered' '$T/smtp-final-reset.err' | wc -l) -eq 1 ]"
	# a hang: libcurl waits for the answer to QUIT after the timeout
	# (cap 12 s here: the limit is 7 s, no need to wait 60)
	send smtp-final-stall final-stall "$B" blocklist 12
	echo "#   took $(cat "$T/smtp-final-stall.ms") ms (limit $SEND_MAX ms)"
	check "smtp no answer after the message: ends within the timeout" \
		verdict smtp-final-stall 1 $SEND_MAX \
		"$(sfail final-stall 'timed out.*may have been delivered')"
	check "smtp no answer after the message: left as sending, not sent" sh -c "
		st=\$(python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute(\"select m.state from message m join cases c on c.id = m.case_id where c.tag = ? and m.role = ?\", sys.argv[2:4]).fetchone()[0])' \
		'$TAKEDOWN_HOME/cases.sqlite' '$B' blocklist)
		[ \"\$st\" = sending ] || { echo \"state \$st\"; exit 1; }
		'$TD_BIN' send --dry-run --to blocklist '$B' 2>&1 | grep -q 'was being sent when a run stopped'"

	# after all that, the server that works gets every draft of case A
	run smtp-ok -- "$TD_BIN" send --yes --timeout $TO --ca-file "$FAULTD_CA" \
		--smtp-url "smtp://127.0.0.1:$(port smtp ok)" "$A"
	cell "smtp ok (STARTTLS): every draft of the case sent" smtp-ok 0 \
		$SEND_MAX 'sent to [^ ]+: 250 '
	check "smtp ok: the Maildir holds each, once, the state is sent" sh -c "
		[ \$(ls '$FAULTD_MAILDIR/new' | wc -l) -eq \$(grep -c '^sent to' '$T/smtp-ok.out') ] &&
		[ \$(ls '$FAULTD_MAILDIR/new' | wc -l) -ge 2 ] &&
		[ \"\$(python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(sorted(set(r[0] for r in db.execute(\"select m.state from message m join cases c on c.id = m.case_id where c.tag = ?\", sys.argv[2:3]))))' \
		'$TAKEDOWN_HOME/cases.sqlite' '$A')\" = \"['sent']\" ] &&
		grep -q '\"commands\": \\[\"EHLO\", \"STARTTLS\", \"EHLO\"' '$FAULTD_LOG'"
fi

plan $n
echo "# times (ms):"
sed 's/^/#   /' "$T/times"
