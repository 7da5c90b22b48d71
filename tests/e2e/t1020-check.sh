#!/bin/sh
# takedown check end to end: cases made with `takedown report` against a
# loopback world (dnsmasq, httpd.py serving the RDAP answers recorded from
# real registries and RIRs and the phishing pages), then checked with the
# clock moved (TAKEDOWN_NOW) while the pages go away in different ways:
#   A  up, then 404, then still 404 an hour later: mitigated content-removed
#   B  only the script client gets a 404 (a cloaking kit): not down
#   C  the name removed from the DNS (dnsmasq restarted without it): dns-removed
#   D  a Cloudflare 1016 page (HTTP 530): cdn-blocked
#   E  cPanel's "account suspended" page: suspended
#   F  the registry puts the domain on clientHold: dns-removed
#   G  the name now points to a Shadowserver sinkhole address: dns-removed
#   H  the owner puts their own page back, no password field: cleaned
# and two checks at once: the second is refused (or waits with --wait).
. "$(dirname "$0")/lib.sh"
C="$TD_CORPUS"
[ -d "$C/rdap-bbot" ] && [ -d "$C/ipwhois-rdap" ] ||
	skip_all "../shared/corpus absent"
command -v dnsmasq >/dev/null 2>&1 || [ -x /usr/sbin/dnsmasq ] ||
	skip_all "dnsmasq not installed (apt-get install dnsmasq-base)"

W="$T/world"
mkdir -p "$W/rdap/domain" "$W/rdap/ip" "$W/a" "$W/b" "$W/c" "$W/d" "$W/e" "$W/f" "$W/g" "$W/h" "$W/down"
for d in paypal-secure-login.com nx-phish-example.com sink-phish-example.com; do
	cp "$C/rdap-bbot/verisign_com_github.json" "$W/rdap/domain/$d.json"
done
# F: the same record, later put on hold by the registry (RFC 8056 form)
python3 - "$C/rdap-bbot/verisign_com_github.json" "$W/rdap/domain/hold-phish-example.com.json" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
o["status"] = ["active"]
json.dump(o, open(sys.argv[2], "w"))
PY
cp "$C/ipwhois-rdap/rdap-ip/74.125.225.229.json" "$W/rdap/ip/74.125.225.229.json"
P="$TD_TOP/tests/servers/data/pages/ahouf/algonquincollege.html"
DOWN="$TD_TOP/tests/servers/data/pages/down"
for x in a b c d e f g h; do cp "$P" "$W/$x/login.html"; done
cp "$DOWN"/*.html "$W/down/"
# the fault map (httpd.py reads it again when it changes)
printf '/b/login.html ua curl/ 404\n' >"$T/faults"
setfaults() { printf "$1" >"$T/faults.tmp" && mv "$T/faults.tmp" "$T/faults"; sleep 0.1; }

dns_conf() {
	{
		echo 'local=/#/'
		echo 'host-record=paypal-secure-login.com,74.125.225.229'
		echo 'host-record=hold-phish-example.com,74.125.225.229'
		[ "$1" = nx ] || echo 'host-record=nx-phish-example.com,74.125.225.229'
		# sc-b.sinkhole.shadowserver.org (data/liveness/sinkholes.txt)
		if [ "$1" = nx ]; then
			echo 'host-record=sink-phish-example.com,87.106.250.34'
		else
			echo 'host-record=sink-phish-example.com,74.125.225.229'
		fi
	} >"$T/dns-$1.conf"
}
fail_start() { echo "1..1"; echo "not ok 1 - $1 started"; exit 1; }
dns_conf all; dns_conf nx
start_dns "$T/dns-all.conf" || fail_start dnsmasq
DNS1_PID=$dpid
start_httpd "$W" "$T/faults" || fail_start httpd

"$TD_BIN" init --name "Jane Doe" --org "Example CERT" \
	--email jane.doe@example.org --public-name "Example CERT abuse team" \
	--public-email abuse-team@example.org >/dev/null ||
	fail_start "takedown init"

net() {
	"$TD_BIN" "$@" --allow-private --timeout 3000 \
		--dns "127.0.0.1:$DNS_PORT" \
		--rdap "http://127.0.0.1:$HTTP_PORT/rdap/" \
		--connect-to "paypal-secure-login.com:80:127.0.0.1:$HTTP_PORT" \
		--connect-to "nx-phish-example.com:80:127.0.0.1:$HTTP_PORT" \
		--connect-to "hold-phish-example.com:80:127.0.0.1:$HTTP_PORT" \
		--connect-to "sink-phish-example.com:80:127.0.0.1:$HTTP_PORT"
}
T0=1790000000
tag() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["case"])' "$1"; }
export TAKEDOWN_NOW=$T0
for x in a b d e h; do
	net report --no-cache --no-blocklists --json "http://paypal-secure-login.com/$x/login.html" >"$T/r$x.json" 2>"$T/r$x.err" ||
		fail_start "report $x"
done
net report --no-cache --no-blocklists --json http://nx-phish-example.com/c/login.html >"$T/rc.json" 2>"$T/rc.err" ||
	fail_start "report c"
net report --no-cache --no-blocklists --json http://hold-phish-example.com/f/login.html >"$T/rf.json" 2>"$T/rf.err" ||
	fail_start "report f"
net report --no-cache --no-blocklists --json http://sink-phish-example.com/g/login.html >"$T/rg.json" 2>"$T/rg.err" ||
	fail_start "report g"
A=$(tag "$T/ra.json") B=$(tag "$T/rb.json") CC=$(tag "$T/rc.json")
D=$(tag "$T/rd.json") E=$(tag "$T/re.json") F=$(tag "$T/rf.json")
G=$(tag "$T/rg.json") H=$(tag "$T/rh.json")

# jcase FILE CASE VERDICT STATE [yes|no]: one case of a check's JSON has
# this verdict, state and confirmation
cat >"$T/jcase.py" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
assert o["schema"] == "takedown-check/1", o["schema"]
c = [x for x in o["cases"] if x["case"] == sys.argv[2]]
assert c, "no case %s in %s" % (sys.argv[2], [x["case"] for x in o["cases"]])
c = c[0]
assert c["verdict"] == sys.argv[3], (c["verdict"], c["urls"])
assert c["state"] == sys.argv[4], (c["state"], c)
if len(sys.argv) > 5:
    assert c["confirmed"] == (sys.argv[5] == "yes"), c
PY
JC="python3 $T/jcase.py"
jcase() { $JC "$@"; }
db() { sqlite3 "$TAKEDOWN_HOME/cases.sqlite" "$1"; }
plan 27

# ---- check 1, ten minutes later: everything is up ----
export TAKEDOWN_NOW=$((T0 + 600))
net check --json >"$T/c1.json" 2>"$T/c1.err"
echo $? >"$T/c1.rc"
check "first check: exit 0, valid JSON, eight cases, all up" sh -c "
	grep -qx 0 '$T/c1.rc' && python3 -c '
import json,sys; o=json.load(open(sys.argv[1])); assert len(o[\"cases\"])==8, o
assert all(c[\"verdict\"]==\"up\" for c in o[\"cases\"]), o' '$T/c1.json'"
check "page up: A is up, every client saw the phishing page" python3 - "$T/c1.json" "$A" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
c = [x for x in o['cases'] if x['case'] == sys.argv[2]][0]
assert c['verdict'] == 'up' and c['state'] == 'open', c
f = c['urls'][0]['fetches']
assert sorted(x['profile'] for x in f) == ['desktop', 'mobile', 'script'], f
assert all(x['verdict'] == 'up' and x['status'] == 200 for x in f), f
assert c['urls'][0]['clients_agree'], c
PY
db "select profile||' '||verdict from evidence e join cases c on c.id=e.case_id
    where c.tag='$B' and verdict is not null order by profile" | tr '\n' ';' >"$T/b-ev.txt"
check "cloaking: only the script client gets a 404, so B is up, and the evidence says who saw what" sh -c "
	grep -qx 'desktop up;mobile up;script content-removed;' '$T/b-ev.txt' &&
	python3 - '$T/c1.json' '$B' <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
c = [x for x in o['cases'] if x['case'] == sys.argv[2]][0]
assert c['verdict'] == 'up', c
u = c['urls'][0]
v = {x['profile']: (x['verdict'], x['status']) for x in u['fetches']}
assert v['script'] == ('content-removed', 404), v
assert v['desktop'] == ('up', 200) and v['mobile'] == ('up', 200), v
assert u['clients_agree'] is False, u
PY"

# ---- the pages go away ----
rm "$W/a/login.html"
setfaults '/b/login.html ua curl/ 404\n/d/login.html status 530 down/cloudflare-1016.html\n'
cp "$DOWN/cpanel-suspended.html" "$W/e/login.html"
printf '<!DOCTYPE html>\n<html><head><title>Smith Family Bakery</title></head>\n<body><h1>Fresh bread every morning</h1><p>Open Monday to Saturday.</p></body></html>\n' >"$W/h/login.html"
kill "$DNS1_PID" 2>/dev/null
start_dns "$T/dns-nx.conf" || fail_start "dnsmasq without nx-phish-example.com"
python3 - "$W/rdap/domain/hold-phish-example.com.json" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
o["status"] = ["client hold", "client transfer prohibited"]
json.dump(o, open(sys.argv[1], "w"))
PY

# ---- check 2, ten minutes later: down, not confirmed yet ----
export TAKEDOWN_NOW=$((T0 + 1200))
net check --json >"$T/c2.json" 2>"$T/c2.err"
echo $? >"$T/c2.rc"
check "second check: exit 0" grep -qx 0 "$T/c2.rc"
check "404 to every client: A down, unconfirmed, still open" \
	jcase "$T/c2.json" "$A" content-removed open no
check "what changed: A was up at the last check" python3 - "$T/c2.json" "$A" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
c = [x for x in o["cases"] if x["case"] == sys.argv[2]][0]
assert c["previous"] == "up" and c["changed"], c
assert c["urls"][0]["previous"] == "up", c
PY
check "cloaking: B still not down" jcase "$T/c2.json" "$B" up open
check "NXDOMAIN: C dns-removed (unconfirmed)" jcase "$T/c2.json" "$CC" dns-removed open no
check "Cloudflare 1016: D cdn-blocked (unconfirmed)" jcase "$T/c2.json" "$D" cdn-blocked open no
check "account suspended: E suspended (unconfirmed)" jcase "$T/c2.json" "$E" suspended open no
check "registry clientHold: F dns-removed (unconfirmed)" jcase "$T/c2.json" "$F" dns-removed open no
check "the phishing form gone, the owner's page back: H cleaned (unconfirmed)" sh -c "
	$JC '$T/c2.json' '$H' cleaned open no &&
	grep -q 'no password field any more' '$T/c2.json'"
check "a sinkhole address: G dns-removed (unconfirmed), and the dns line says which" sh -c "
	$JC '$T/c2.json' '$G' dns-removed open no &&
	python3 -c 'import json,sys
o=json.load(open(sys.argv[1])); c=[x for x in o[\"cases\"] if x[\"case\"]==sys.argv[2]][0]
assert \"Shadowserver\" in c[\"urls\"][0][\"dns\"][\"why\"], c' '$T/c2.json' '$G'"
TAKEDOWN_NOW=$((T0 + 1300)) net check "$A" >"$T/c2.txt" 2>&1
check "the text output says down, unconfirmed, and what each client saw" sh -c "
	grep -q '^$A  down, unconfirmed: content-removed' '$T/c2.txt' &&
	grep -q 'desktop  content-removed: HTTP 404' '$T/c2.txt'"

# ---- check 3, an hour later: confirmed ----
export TAKEDOWN_NOW=$((T0 + 1200 + 3600))
net check --json >"$T/c3.json" 2>"$T/c3.err"
echo $? >"$T/c3.rc"
check "third check: exit 0" grep -qx 0 "$T/c3.rc"
check "an hour later still 404: A mitigated, content-removed" python3 - "$T/c3.json" "$A" "$((T0 + 1200))" <<'PY'
import json, sys, datetime
o = json.load(open(sys.argv[1]))
c = [x for x in o['cases'] if x['case'] == sys.argv[2]][0]
assert c['verdict'] == 'content-removed' and c['state'] == 'mitigated', c
assert c['confirmed'] and c['marked_mitigated'] and c['kind'] == 'content-removed', c
since = datetime.datetime.fromtimestamp(int(sys.argv[3]), datetime.timezone.utc)
assert c['down_since'] == since.strftime('%Y-%m-%dT%H:%M:%SZ'), c['down_since']
PY
db "select state||' '||mitigation||' '||mitigated from cases where tag='$A'" >"$T/a-state.txt"
db "select e.detail from event e join cases c on c.id=e.case_id where c.tag='$A' and e.kind='state'" >"$T/a-stev.txt"
check "the store: A mitigated with kind content-removed at the check's time, and a state event" sh -c "
	grep -qx 'mitigated content-removed $((T0 + 4800))' '$T/a-state.txt' &&
	grep -q 'mitigated (content-removed)' '$T/a-stev.txt'"
db "select count(*) from event e join cases c on c.id=e.case_id where c.tag='$A' and e.kind='check'" >"$T/a-nck.txt"
db "select e.detail from event e join cases c on c.id=e.case_id where c.tag='$A' and e.kind='check' order by e.id desc limit 1" >"$T/ev.txt"
check "every check is an event, with what each client saw" sh -c "
	grep -qx 4 '$T/a-nck.txt' &&
	head -1 '$T/ev.txt' | grep -q '^content-removed confirmed since' &&
	grep -q '^  script content-removed: HTTP 404' '$T/ev.txt'"
db "select tag||' '||mitigation from cases where state='mitigated' order by tag" >"$T/mit.txt"
check "C, D, E, F, G, H mitigated with their kinds; B still open" sh -c "
	$JC '$T/c3.json' '$H' cleaned mitigated yes && grep -qx '$H cleaned' '$T/mit.txt' &&
	$JC '$T/c3.json' '$G' dns-removed mitigated yes &&
	$JC '$T/c3.json' '$CC' dns-removed mitigated yes &&
	$JC '$T/c3.json' '$D' cdn-blocked mitigated yes &&
	$JC '$T/c3.json' '$E' suspended mitigated yes &&
	$JC '$T/c3.json' '$F' dns-removed mitigated yes &&
	$JC '$T/c3.json' '$B' up open &&
	grep -qx '$D cdn-blocked' '$T/mit.txt' && grep -qx '$E suspended' '$T/mit.txt' &&
	grep -qx '$CC dns-removed' '$T/mit.txt' && grep -qx '$F dns-removed' '$T/mit.txt'"
TAKEDOWN_NOW=$((T0 + 6000)) net check --json >"$T/c4.json" 2>/dev/null
check "mitigated cases are no longer checked; B alone is left" python3 -c '
import json,sys
o=json.load(open(sys.argv[1])); assert [c["case"] for c in o["cases"]]==[sys.argv[2]], o' "$T/c4.json" "$B"

# ---- a kit that comes back ----
setfaults '/b/login.html status 404\n'
TAKEDOWN_NOW=$((T0 + 7000)) net check --json "$B" >"$T/c5.json" 2>/dev/null
setfaults '/b/nothing status 404\n'
TAKEDOWN_NOW=$((T0 + 7000 + 4000)) net check --json "$B" >"$T/c6.json" 2>/dev/null
setfaults '/b/login.html status 404\n'
TAKEDOWN_NOW=$((T0 + 7000 + 4100)) net check --json "$B" >"$T/c7.json" 2>/dev/null
check "B down for every client, then back an hour later: recorded as up, never mitigated" sh -c "
	$JC '$T/c5.json' '$B' content-removed open no &&
	$JC '$T/c6.json' '$B' up open &&
	$JC '$T/c7.json' '$B' content-removed open no"

# ---- one instance at a time ----
setfaults '/b/login.html stall\n'
n0=$(grep -c '"/b/login.html"' "$HTTP_LOG")
TAKEDOWN_NOW=$((T0 + 20000)) net check --timeout 4000 "$B" >"$T/slow.out" 2>&1 &
SLOW=$!
i=0
while [ $i -lt 50 ] && [ "$(grep -c '"/b/login.html"' "$HTTP_LOG")" -le "$n0" ]; do
	sleep 0.1; i=$((i + 1))
done
TAKEDOWN_NOW=$((T0 + 20000)) net check "$B" >"$T/second.out" 2>"$T/second.err"
echo $? >"$T/second.rc"
TAKEDOWN_NOW=$((T0 + 20001)) net check --wait --json "$A" >"$T/waited.json" 2>"$T/waited.err"
echo $? >"$T/waited.rc"
wait $SLOW
echo $? >"$T/slow.rc"
check "two checks at once: the second says another check is running, exit 1" sh -c "
	grep -qx 1 '$T/second.rc' && grep -q 'another check is running' '$T/second.err' &&
	! grep -q . '$T/second.out'"
check "--wait waits for the running check, then checks" sh -c "
	grep -qx 0 '$T/waited.rc' && $JC '$T/waited.json' '$A' content-removed mitigated"
check "a fetch that times out: no conclusion, the check failed, exit 1" sh -c "
	grep -qx 1 '$T/slow.rc' && grep -q 'check failed' '$T/slow.out'"

# ---- usage and refusals ----
check "an unknown case: exit 1" sh -c "
	'$TD_BIN' check TD-1999-000001 >/dev/null 2>'$T/u.err'; [ \$? -eq 1 ] && grep -q 'no such case' '$T/u.err'"
check "a bad --confirm-after or --as: usage error, exit 2" sh -c "
	'$TD_BIN' check --confirm-after soon >/dev/null 2>&1; [ \$? -eq 2 ] || exit 1
	'$TD_BIN' check --as netscape >/dev/null 2>&1; [ \$? -eq 2 ]"
check "the lock file is in the data folder" test -f "$TAKEDOWN_HOME/check.lock"
