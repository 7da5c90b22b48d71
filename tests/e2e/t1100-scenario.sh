#!/bin/sh
# The life of one case, on a moved clock (TAKEDOWN_NOW), through the real
# commands against loopback servers (dnsmasq, httpd.py, Postfix):
#   T0        report a phishing URL on the criminal's own domain
#   T0+5m     send: the registrar, the host and APWG
#   T0+1h     the host's auto-response is imported: auto-acknowledged
#   T0+49h    nobody answered: follow-ups due, drafted as replies, sent
#   T0+6d     still nothing: escalation due and drafted, the case flagged
#   T0+6d+1h  the page is gone: check says down, not yet confirmed
#   T0+6d+2h  check again: mitigated (content removed)
# and stats then give the host's and the registrar's takedown time.
. "$(dirname "$0")/lib.sh"
own_domain_world
need_postfix

T0=1795000000
at() { TAKEDOWN_NOW=$((T0 + $1)); export TAKEDOWN_NOW; }
net=$OWN_NET
URL=$OWN_URL
js() { python3 -c "import json,sys; o=json.load(open(sys.argv[1])); print($2)" "$1"; }

at 0
init_reporter --smtp-url "smtp://127.0.0.1:$SMTP_PORT"
# shellcheck disable=SC2086
"$TD_BIN" report --no-cache --json $net "$URL" >"$T/r.json" 2>"$T/r.err" ||
	fail_start "takedown report"
CASE=$(js "$T/r.json" 'o["case"]')
plan 12

at 300
"$TD_BIN" send --yes --ca-file "$SMTP_CA" "$CASE" >"$T/s1.out" 2>&1
check "T0+5m: every report sent, the case reported" sh -c "
	grep -q 'of .* sent' '$T/s1.out' &&
	'$TD_BIN' show --json '$CASE' >'$T/show1.json' &&
	python3 -c 'import json,sys
o=json.load(open(sys.argv[1]))
assert o[\"case\"][\"state\"]==\"reported\", o[\"case\"]
assert all(m[\"state\"]==\"sent\" for m in o[\"messages\"]), o[\"messages\"]' '$T/show1.json'"

# the host's ticket system answers at once
HOSTMID=$(python3 -c 'import json,sys
o=json.load(open(sys.argv[1]))
print([m["message_id"] for m in o["messages"] if "google" in m["recipient"]][0])' "$T/show1.json")
at 3600
cat >"$T/auto.eml" <<EOF2
From: Google Abuse <noreply-abuse@google.com>
To: abuse-team@example.org
Subject: [Ticket#88213] We received your report [$CASE]
Date: $(LC_ALL=C TZ=UTC date -d @$((T0 + 3500)) '+%a, %d %b %Y %H:%M:%S +0000')
Message-ID: <ack-88213@abuse.google.com>
In-Reply-To: <$HOSTMID>
References: <$HOSTMID>
Auto-Submitted: auto-replied
Content-Type: text/plain; charset=utf-8

Thank you. Your report has been received and ticket 88213 was opened.
This is an automated message; replies to it are not read.
EOF2
"$TD_BIN" import "$T/auto.eml" >"$T/i.out" 2>&1
check "T0+1h: the auto-response is matched, the case auto-acknowledged" sh -c "
	'$TD_BIN' show --json '$CASE' | python3 -c 'import json,sys
o=json.load(sys.stdin)
assert o[\"case\"][\"state\"]==\"auto-acknowledged\", o[\"case\"]
r=o[\"received\"]
assert len(r)==1 and r[0][\"class\"]==\"auto\", r'"

at $((49 * 3600))
"$TD_BIN" due --json >"$T/due1.json" 2>"$T/due1.err"
check "T0+49h: follow-ups due for the registrar and the host (only an auto-response)" \
	python3 -c 'import json,sys
o=json.load(open(sys.argv[1]))
s=json.dumps(o)
assert "followup" in s, s[:2000]
assert "markmonitor" in s.lower() and "google" in s.lower(), s[:2000]' "$T/due1.json"
"$TD_BIN" due --draft >"$T/due1d.out" 2>&1
check "the follow-ups are drafted as replies to the reports and pass lint" sh -c "
	n=0
	for f in '$TAKEDOWN_HOME'/cases/$CASE/outbox/*.eml; do
		grep -q '^In-Reply-To:' \"\$f\" || continue
		n=\$((n + 1))
		'$TD_BIN' lint --case malicious --personal 'Jane Doe' \
			--attachment required \"\$f\" >/dev/null || exit 1
	done
	[ \$n -ge 2 ]"
at $((49 * 3600 + 60))
"$TD_BIN" send --yes --ca-file "$SMTP_CA" "$CASE" >"$T/s2.out" 2>&1
check "the follow-ups are sent" grep -q 'of .* sent' "$T/s2.out"

at $((6 * 86400))
"$TD_BIN" due --draft --json >"$T/due2.json" 2>"$T/due2.err"
check "T0+6d: an escalation is drafted and the case flagged escalated" sh -c "
	grep -q escalat '$T/due2.json' &&
	'$TD_BIN' list --escalated --json | grep -q '$CASE'"

# the page goes away
rm -f "$W/ahouf/algonquincollege.html"
at $((6 * 86400 + 3600))
# shellcheck disable=SC2086
"$TD_BIN" check --json $net "$CASE" >"$T/c1.json" 2>"$T/c1.err"
check "T0+6d+1h: check sees it down by every client, not confirmed yet" sh -c "
	python3 -c 'import json,sys
c=json.load(open(sys.argv[1]))[\"cases\"][0]
assert c[\"down\"] and not c[\"confirmed\"] and not c[\"marked_mitigated\"], c
assert c[\"kind\"]==\"content-removed\", c
f=c[\"urls\"][0][\"fetches\"]
assert len(f)==3 and all(x[\"status\"]==404 for x in f), f' '$T/c1.json' &&
	'$TD_BIN' show --json '$CASE' | python3 -c 'import json,sys
o=json.load(sys.stdin)
assert o[\"case\"][\"state\"]!=\"mitigated\", o[\"case\"]'"
CONFIRM=$((6 * 86400 + 2 * 3600 + 1))
at $CONFIRM
# shellcheck disable=SC2086
"$TD_BIN" check --json $net "$CASE" >"$T/c2.json" 2>"$T/c2.err"
check "T0+6d+2h: confirmed by every client: mitigated, content removed" sh -c "
	'$TD_BIN' show --json '$CASE' | python3 -c 'import json,sys
o=json.load(sys.stdin)
c=o[\"case\"]
assert c[\"state\"]==\"mitigated\", c
assert c[\"mitigation\"]==\"content-removed\", c'"
check "the history holds every step in time order" sh -c "
	'$TD_BIN' show --json '$CASE' | python3 -c 'import json,sys
o=json.load(sys.stdin)
ev=o[\"events\"]
kinds=[e[\"kind\"] for e in ev]
for k in (\"created\",\"drafted\",\"sent\",\"auto-reply\",\"escalated\",\"check\",\"state\"):
    assert k in kinds, (k, kinds)
ts=[e[\"at\"] for e in ev]
assert ts==sorted(ts), ts'"

DOWN=$((CONFIRM - 300))
"$TD_BIN" stats --json >"$T/st.json" 2>"$T/st.err"
check "stats: the host took T0+6d+2h - T0+5m to take it down, no human answer" \
	python3 -c 'import json,sys
o=json.load(open(sys.argv[1])); down=int(sys.argv[2])
h=[p for r in o["roles"] if r["role"]=="host" for p in r["providers"]]
assert len(h)==1 and h[0]["name"]=="Google Inc.", h
h=h[0]
assert h["cases"]==1 and h["reported"]==1 and h["answered"]==0, h
assert h["mitigated"]==1 and h["down_median"]==down and h["down_p90"]==down, (h, down)
assert h["answer_median"] is None, h' "$T/st.json" "$DOWN"
check "stats: the registrar the same, and its answer rate 0" \
	python3 -c 'import json,sys
o=json.load(open(sys.argv[1])); down=int(sys.argv[2])
g=[p for r in o["roles"] if r["role"]=="registrar" for p in r["providers"]]
assert len(g)==1 and g[0]["name"]=="MarkMonitor Inc.", g
assert g[0]["down_median"]==down and g[0]["answer_rate"]==0, g' "$T/st.json" "$DOWN"
"$TD_BIN" stats --html "$T/st.html" >/dev/null 2>&1
check "stats --html: the page holds the case's timeline" sh -c "
	grep -q '$CASE' '$T/st.html' && grep -q '<svg' '$T/st.html'"
