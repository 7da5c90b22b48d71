#!/bin/sh
# takedown lookup end to end, against real servers on 127.0.0.1 holding a
# fake world built from recorded real records in ../shared/corpus:
# dnsmasq for DNS, tests/servers/httpd.py for RDAP, one
# tests/servers/whoisd.py per WHOIS server (IANA, registry, registrar,
# RIR).  Names of real servers (whois.verisign-grs.com, ...) reach the
# loopback servers through --connect-to, as they would reach a mirror.
. "$(dirname "$0")/lib.sh"
C="$TD_CORPUS"
[ -d "$C/whois-weppos/referrals" ] && [ -d "$C/rdap-bbot" ] ||
	skip_all "../shared/corpus absent"
command -v dnsmasq >/dev/null 2>&1 || [ -x /usr/sbin/dnsmasq ] ||
	skip_all "dnsmasq not installed (apt-get install dnsmasq-base)"

W="$T/world"
mkdir -p "$W/iana" "$W/registry" "$W/registrar" "$W/rir" "$W/rdap/domain" \
	"$W/rdap/ip" "$W/boot"
# WHOIS: IANA's answer for "com", Verisign's thin answer for weppos.com
# naming whois.godaddy.com, GoDaddy's own record (it is the record of
# godaddy.com: the corpus has no GoDaddy answer for weppos.com), LACNIC's
# answer for 200.57.141.161, and a .org rate-limit text.
cp "$C/whois-parser/noterror/com_com" "$W/iana/com"
cp "$C/whois-weppos/referrals/crsnic.com_referral.txt" "$W/registry/weppos.com"
cp "$C/whois-weppos/responses/whois.godaddy.com/status_registered.txt" \
	"$W/registrar/weppos.com"
cp "$C/ipwhois-rdap/whois-ip/200.57.141.161.txt" "$W/iana/200.57.141.161"
cp "$C/whois-weppos/responses/whois.pir.org/org/response_throttled.txt" \
	"$W/registry/quota.com"
# RDAP: Verisign's answer for github.com, ARIN's for Google's network.
cp "$C/rdap-bbot/verisign_com_github.json" "$W/rdap/domain/github.com.json"
cp "$C/ipwhois-rdap/rdap-ip/74.125.225.229.json" \
	"$W/rdap/ip/74.125.225.229.json"
cp "$C/ipwhois-rdap/rdap-ip/2001_43f8_7b0__.json" "$W/rdap/ip/2001:43f8:7b0::1.json"
# RadioLink's ARIN network, and LACNIC's Triara network standing in for
# its parent (the corpus has no record of the real parent).
cp "$C/rdap-icann/responses/network_192_198_0_0.json" \
	"$W/rdap/ip/192.198.1.5.json"
mkdir -p "$W/rdap/ip/192.198.0.0"
cp "$C/ipwhois-rdap/rdap-ip/200.57.141.161.json" \
	"$W/rdap/ip/192.198.0.0/21.json"
# A bootstrap with the shipped IANA files and no WHOIS server list, so
# domain WHOIS starts at the referral root.
cp "$TD_TOP"/data/iana/*.json "$W/boot/"
: >"$W/boot/whois-servers.txt"

wire() { python3 -c 'import sys
print("".join("%02x" % len(l) + l.encode().hex() for l in sys.argv[1].split(".")) + "00")' "$1"; }
cat >"$T/dns.conf" <<CONF
local=/#/
local-ttl=600
host-record=weppos.com,200.57.141.161,300
host-record=www.weppos.com,200.57.141.161,300
dns-rr=weppos.com,2,$(wire ns1.dreamhost.com)
mx-host=godaddy.com,mx.godaddy.com,10
host-record=mx.godaddy.com,192.0.2.25
host-record=github.com,74.125.225.229
mx-host=markmonitor.com,mx.markmonitor.com,10
host-record=triara.com,192.0.2.26
host-record=phish.cf.test,104.16.132.229
dns-rr=cf.test,2,$(wire ada.ns.cloudflare.com)
host-record=quota.com,192.0.2.30
host-record=stall.test,192.0.2.31
host-record=site.firebaseapp.com,192.0.2.40
host-record=radio.test,192.198.1.5
host-record=two.test,74.125.225.229,2001:43f8:7b0::1
host-record=phish.gitlab.io,192.0.2.41
CONF
cat >"$T/http.faults" <<'MAP'
/rdap/domain/stall.test	stall
/rdap/domain/big.test	big
/rdap/domain/bad.test	badjson
/rdap/domain/busy.test	429 1
/rdap/domain/reset.test	reset
MAP
cat >"$T/whois.faults" <<'MAP'
drip.test	drip
reset.test	reset
MAP

fail_start() { echo "1..1"; echo "not ok 1 - $1 started"; exit 1; }
start_dns "$T/dns.conf" || fail_start dnsmasq
start_httpd "$W" "$T/http.faults" || fail_start httpd
start_whoisd "$W/iana" "$T/whois.faults" iana || fail_start whoisd
IANA=$WHOIS_PORT
start_whoisd "$W/registry" "" registry || fail_start whoisd
REG=$WHOIS_PORT
start_whoisd "$W/registrar" "" registrar || fail_start whoisd
RAR=$WHOIS_PORT

td() {
	"$TD_BIN" lookup --allow-loopback --dns "127.0.0.1:$DNS_PORT" \
		--bootstrap "$W/boot" --whois-root "127.0.0.1:$IANA" \
		--connect-to "whois.verisign-grs.com:43:127.0.0.1:$REG" \
		--connect-to "whois.godaddy.com:43:127.0.0.1:$RAR" \
		--timeout 1500 ${CACHE:---no-cache} "$@"
}
tdr() { td --rdap "http://127.0.0.1:$HTTP_PORT/rdap/" "$@"; }

plan 37

# 1-5: the WHOIS chain: IANA -> registry -> registrar, and LACNIC
td --no-rdap --json weppos.com >"$T/w.json" 2>"$T/w.err"
echo $? >"$T/w.rc"
check "WHOIS chain: exit 0" grep -qx 0 "$T/w.rc"
check "WHOIS chain: IANA, registry, registrar asked in turn" sh -c "
	grep -q '\"com\"' '$T/whoisd-iana.log' &&
	grep -q 'weppos.com' '$T/whoisd-registry.log' &&
	grep -q 'weppos.com' '$T/whoisd-registrar.log'"
check "WHOIS chain: registrar abuse contact from the registrar's record" \
	jsonq '
p=[x for x in o["target"]["parties"] if x["role"]=="registrar"][0]
assert p["abuse_email"]=="abuse@godaddy.com", p
assert p["phone"]=="+1.4806242505", p
assert not p["abuse_email_dead"], p
assert p["provenance"]["source"]=="whois"
assert p["provenance"]["server"]=="whois.godaddy.com:43", p
assert p["provenance"]["when"].endswith("Z")' <"$T/w.json"
check "WHOIS chain: registry record kept with its provenance" jsonq '
t=o["target"]
assert t["domain_record"]["created"].startswith("2003-12-05"), t["domain_record"]
assert t["domain_provenance"]["server"]=="whois.verisign-grs.com:43"' <"$T/w.json"
check "WHOIS chain: host from LACNIC's record with its abuse address" jsonq '
t=o["target"]
h=[x for x in t["parties"] if x["role"]=="host"][0]
assert "Triara" in h["name"], h
assert h["abuse_email"] and "@" in h["abuse_email"], h
assert h["country"]=="MX", h
assert t["dns"]["ns"]==["ns1.dreamhost.com"], t["dns"]' <"$T/w.json"

# 6-9: RDAP: registry answer, network answer, dead abuse address
tdr --json github.com >"$T/r.json" 2>"$T/r.err"
check "RDAP: registrar and abuse e-mail from Verisign's answer" jsonq '
p=[x for x in o["target"]["parties"] if x["role"]=="registrar"][0]
assert p["name"]=="MarkMonitor Inc.", p
assert p["abuse_email"]=="abusecomplaints@markmonitor.com", p
assert p["detail"]=="IANA 292", p
assert p["provenance"]["source"]=="rdap"
assert p["provenance"]["server"].endswith("/rdap/domain/github.com")' <"$T/r.json"
check "RDAP: host network from ARIN's answer" jsonq '
a=o["target"]["addresses"][0]
assert a["ip"]=="74.125.225.229"
assert a["network"]["cidrs"]==["74.125.0.0/16"], a["network"]["cidrs"]
h=[x for x in o["target"]["parties"] if x["role"]=="host"][0]
assert h["abuse_email"]=="arin-contact@google.com", h' <"$T/r.json"
check "RDAP: abuse address without a mail host is marked dead" jsonq '
h=[x for x in o["target"]["parties"] if x["role"]=="host"][0]
assert h["abuse_email_dead"] is True, h
r=[x for x in o["target"]["parties"] if x["role"]=="registrar"][0]
assert r["abuse_email_dead"] is False, r' <"$T/r.json"
check "RDAP: the registrar link failure is one error line" jsonq '
e=o["target"]["errors"]
assert any("rdap.markmonitor.com" in x for x in e), e' <"$T/r.json"

tdr --json radio.test >"$T/up.json" 2>/dev/null
check "dead abuse address: the parent network's contact instead" jsonq '
h=[x for x in o["target"]["parties"] if x["role"]=="host"][0]
assert h["abuse_email_replaces"]=="daniel.petsinger@radiolinkinternet.com", h
assert h["abuse_email"].lower().endswith("@triara.com"), h
assert not h["abuse_email_dead"], h
assert h["abuse_email_provenance"]["server"].endswith("/rdap/ip/192.198.0.0/21"), h
assert h["provenance"]["server"].endswith("/rdap/ip/192.198.1.5"), h' <"$T/up.json"

# The real servers' names over https: the built-in bootstrap sends com to
# rdap.verisign.com and 74.0.0.0/8 to rdap.arin.net, and Verisign's answer
# links the registrar's own record at rdap.markmonitor.com; a TLS front
# with a certificate for those names (and a CA of the test's own) stands
# in for them.
W2="$T/tls-world"
mkdir -p "$W2/com/v1/domain" "$W2/rdap/domain" "$W2/registry/ip"
cp "$C/rdap-bbot/verisign_com_github.json" "$W2/com/v1/domain/github.com.json"
cp "$C/rdap-bbot/registrar_markmonitor_github.json" \
	"$W2/rdap/domain/github.com.json"
cp "$C/ipwhois-rdap/rdap-ip/74.125.225.229.json" \
	"$W2/registry/ip/74.125.225.229.json"
saved_port=$HTTP_PORT saved_log=$HTTP_LOG
start_httpd "$W2" "" tls || fail_start "httpd (tls)"
start_tls "$HTTP_PORT" rdap.verisign.com rdap.markmonitor.com rdap.arin.net ||
	fail_start tlsproxy
HTTP_PORT=$saved_port HTTP_LOG=$saved_log
tls() {
	"$TD_BIN" lookup --allow-loopback --dns "127.0.0.1:$DNS_PORT" \
		--no-cache --timeout 3000 \
		--connect-to "rdap.verisign.com:443:127.0.0.1:$TLS_PORT" \
		--connect-to "rdap.markmonitor.com:443:127.0.0.1:$TLS_PORT" \
		--connect-to "rdap.arin.net:443:127.0.0.1:$TLS_PORT" "$@"
}
tls --ca-file "$TLS_CA" --json github.com >"$T/tls.json" 2>/dev/null
check "https: registry, then the registrar's own RDAP record" jsonq '
t=o["target"]
assert t["domain_provenance"]["server"]=="https://rdap.verisign.com/com/v1/domain/github.com", t["domain_provenance"]
assert t["registrar_provenance"]["server"]=="https://rdap.markmonitor.com/rdap/domain/GITHUB.COM", t["registrar_provenance"]
assert t["registrar_record"]["registrar"]=="Markmonitor Inc.", t["registrar_record"]
r=[x for x in t["parties"] if x["role"]=="registrar"][0]
assert r["abuse_email"]=="abusecomplaints@markmonitor.com", r
assert r["web_form"]=="https://corp.markmonitor.com/domain/ui/abuse-report", r
assert not t["errors"] or all("parent" in e for e in t["errors"]), t["errors"]' <"$T/tls.json"
check "https: the network from ARIN through the bootstrap" jsonq '
h=[x for x in o["target"]["parties"] if x["role"]=="host"][0]
assert h["provenance"]["server"]=="https://rdap.arin.net/registry/ip/74.125.225.229", h' <"$T/tls.json"
tls --json github.com >"$T/tls2.json" 2>/dev/null
check "https: a certificate we do not trust is an error, not an answer" jsonq '
t=o["target"]
assert t["domain_record"] is None, t["domain_record"]
e=" ".join(t["errors"])
assert "rdap.verisign.com" in e and ("certificate" in e.lower() or "ssl" in e.lower()), e' <"$T/tls2.json"

tdr --json two.test >"$T/two.json" 2>/dev/null
check "two addresses in two networks: each its own record and host" jsonq '
t=o["target"]
a={x["ip"]: x["network"]["cidrs"] for x in t["addresses"]}
assert a["74.125.225.229"]==["74.125.0.0/16"], a
assert a["2001:43f8:7b0::1"] and a["2001:43f8:7b0::1"]!=a["74.125.225.229"], a
h=[x for x in t["parties"] if x["role"]=="host"]
assert len(h)==2, h' <"$T/two.json"

# 10-11: CDN and platform from the shipped data
tdr --json https://phish.cf.test/login >"$T/cf.json" 2>/dev/null
check "CDN: Cloudflare by address and NS, origin hidden" jsonq '
t=o["target"]
c=[x for x in t["parties"] if x["role"]=="cdn"]
assert c and c[0]["name"]=="Cloudflare", t["parties"]
assert c[0]["web_form"]=="https://abuse.cloudflare.com/"
assert c[0]["provenance"]["source"]=="data"
assert t["addresses"][0]["cdn"]=="Cloudflare"' <"$T/cf.json"
tdr --json https://site.firebaseapp.com/x >"$T/fb.json" 2>/dev/null
check "platform: a site on Firebase names the platform" jsonq '
p=[x for x in o["target"]["parties"] if x["role"]=="platform"]
assert p and "Firebase" in p[0]["name"], o["target"]["parties"]' <"$T/fb.json"

: >"$HTTP_LOG"
tdr --json https://phish.gitlab.io/x >"$T/gl.json" 2>/dev/null
check "platform: a private suffix asks the registry about gitlab.io" sh -c "
	grep -q '/rdap/domain/gitlab.io\"' '$HTTP_LOG' &&
	! grep -q 'domain/phish.gitlab.io' '$HTTP_LOG'"
check "platform: a private suffix not in our data still names it" jsonq '
t=o["target"]
assert t["platform_suffix"]=="gitlab.io", t
assert t["registered_domain"]=="gitlab.io", t
p=[x for x in t["parties"] if x["role"]=="platform"]
assert p and "private suffix" in p[0]["detail"], t["parties"]' <"$T/gl.json"

# 12-17: faults: each a clear per-source error, the rest still there
fault() { # name expected-error-substring
	tdr --json "$1" >"$T/f.json" 2>"$T/f.err"
	jsonq "
t=o['target']
e=' '.join(t['errors'])
assert '$2' in e, e
assert t['dns']['status'] in ('ok','nxdomain'), t['dns']" <"$T/f.json"
}
check "fault: RDAP server never answers -> timeout" fault stall.test timeout
check "fault: RDAP answer of 100 MB -> too-big" fault big.test too-big
check "fault: RDAP answer not JSON -> error" fault bad.test "rdap"
check "fault: RDAP 429 -> rate limited" fault busy.test "429"
check "fault: RDAP reset mid-answer -> error" fault reset.test "rdap"
wfault() { # name expected-error-substring: WHOIS fault, within the deadline
	start=$(date +%s)
	td --no-rdap --whois "127.0.0.1:$IANA" --json "$1" >"$T/wf.json" 2>/dev/null
	[ $(( $(date +%s) - start )) -lt 10 ] || { echo "took too long"; return 1; }
	jsonq "
e=' '.join(o['target']['errors'])
assert '$2' in e, e" <"$T/wf.json"
}
check "fault: WHOIS server drips a byte a second -> timeout" wfault drip.test timeout
check "fault: WHOIS server resets mid-answer -> refused" wfault reset.test refused
td --no-rdap --json quota.com >"$T/q.json" 2>/dev/null
check "fault: WHOIS quota text -> rate limited, not data" jsonq '
t=o["target"]
e=" ".join(t["errors"])
assert "rate limited" in e, e
assert not [x for x in t["parties"] if x["role"]=="registrar"], t["parties"]
assert t["addresses"][0]["ip"]=="192.0.2.30"' <"$T/q.json"

: >"$T/whoisd-registry.log"
printf 'quota.com\nweppos.com\n' | td --no-rdap --json --batch - \
	>"$T/q2.json" 2>/dev/null
check "fault: after a quota text the server is not asked again" sh -c "
	! grep -q weppos '$T/whoisd-registry.log' &&
	grep -q 'not to be queried' '$T/q2.json'"

# 18: NXDOMAIN is said as such
tdr --json nowhere.test >"$T/nx.json" 2>/dev/null
check "DNS NXDOMAIN reported" jsonq '
assert o["target"]["dns"]["status"]=="nxdomain", o["target"]["dns"]' <"$T/nx.json"

# 19: a batch asks each question once
printf 'github.com\nhttps://github.com/a\nhttp://GitHub.com/b\n# note\n\n' \
	>"$T/batch"
tdr --json --stats --batch "$T/batch" >"$T/b.json" 2>"$T/b.err"
check "batch: three inputs, each question asked once" sh -c "
	[ \$(wc -l <'$T/b.json') -eq 3 ] &&
	python3 -c 'import json,sys
s=json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
assert s[\"http\"]==3, s   # domain, network, its parent
' '$T/b.err'"

# 20: --save-raw keeps what came back
tdr --save-raw "$T/raw" github.com >/dev/null 2>&1
check "--save-raw keeps the raw answers" sh -c "
	ls '$T/raw' | grep -q 'rdap' &&
	grep -q MarkMonitor '$T/raw'/*domain_github.com*"

# the cache: a second run asks nothing; a second address in a known
# network asks nothing; a quota ban outlives the run
CACHE="--cache=$T/cache.sqlite"
: >"$HTTP_LOG"
tdr --json --stats github.com >"$T/c1.json" 2>"$T/c1.err"
tdr --json --stats github.com >"$T/c2.json" 2>"$T/c2.err"
check "cache: the second run sends no RDAP query" sh -c "
	python3 -c 'import json,sys
a=json.loads(open(sys.argv[1]).read().splitlines()[-1])
b=json.loads(open(sys.argv[2]).read().splitlines()[-1])
assert a[\"http\"]==3 and a[\"cached\"]==0, a
assert b[\"http\"]==1 and b[\"cached\"]>=4, b   # only the 404 parent again
' '$T/c1.err' '$T/c2.err'"
check "cache: the same parties, marked as cached, with the first time" sh -c "
	python3 -c 'import json,sys
a=json.loads(open(sys.argv[1]).read())[\"target\"][\"parties\"]
b=json.loads(open(sys.argv[2]).read())[\"target\"][\"parties\"]
strip=lambda ps:[{k:v for k,v in p.items() if k!=\"provenance\"} for p in ps]
assert strip(a)==strip(b), (a,b)
assert all(p[\"provenance\"][\"cached\"] for p in b if p[\"provenance\"][\"source\"]==\"rdap\"), b
assert [p[\"provenance\"][\"when\"] for p in a]==[p[\"provenance\"][\"when\"] for p in b]
' '$T/c1.json' '$T/c2.json'"
cp "$W/rdap/ip/74.125.225.229.json" "$W/rdap/ip/74.125.1.1.json"
: >"$HTTP_LOG"
tdr --json 74.125.1.1 >"$T/c3.json" 2>/dev/null
check "cache: an address in a known network needs no query" sh -c "
	! grep -q '/ip/74.125.1.1' '$HTTP_LOG'"
check "cache: ... and gets that network's host" jsonq '
h=[x for x in o["target"]["parties"] if x["role"]=="host"][0]
assert h["name"]=="Google Inc.", h
assert h["provenance"]["cached"], h' <"$T/c3.json"
td --no-rdap quota.com >/dev/null 2>&1
: >"$T/whoisd-registry.log"
td --no-rdap --json weppos.com >"$T/c4.json" 2>/dev/null
check "cache: a WHOIS quota ban holds in the next run" sh -c "
	! grep -q weppos '$T/whoisd-registry.log' &&
	grep -q 'not to be queried' '$T/c4.json'"
CACHE=

# 21-22: bad input and usage
check "bad input: one line, exit 1" sh -c "
	'$TD_BIN' lookup --allow-loopback --dns 127.0.0.1:$DNS_PORT 'http://[zz' \
		>/dev/null 2>'$T/bad.err'; [ \$? -eq 1 ] &&
	[ \$(wc -l <'$T/bad.err') -eq 1 ]"
check "no input: usage error, exit 2" sh -c "
	'$TD_BIN' lookup >/dev/null 2>&1; [ \$? -eq 2 ]"
