#!/bin/sh
# Every draft takedown writes, re-read by two independent parsers (issue
# 6): Python's email package (policy.default and compat32) and GMime
# (`takedown extract --json`).  The drafts come from `takedown report` on
# the loopback world of t0900 (a malicious case from a real phish, the
# criminal's own domain, a compromised site) and from hostile variants of
# the phish (tests/e2e/mail_reparse.py gen: CR/LF and NUL in fields,
# RFC 2047 tricks, address tricks, 10 kB lines, "." lines) and the hostile
# e-mails of gen_hostile.py, each reported in a home of its own.
# mail_reparse.py check says what is compared.  Where Postfix can run
# (root), the draft with "." lines is also sent and the delivered copy
# compared: libcurl dot-stuffs (send.c), so nothing is cut.
. "$(dirname "$0")/lib.sh"
C="$TD_CORPUS"
RP="$TD_TOP/tests/e2e/mail_reparse.py"

two_kinds_world
SMTP=0
if [ "$(id -u)" = 0 ] && start_smtpd 2>/dev/null; then SMTP=1; fi

"$TD_BIN" init --name "Jane Doe" --org "Example CERT" \
	--email jane.doe@example.org --phone "+33 1 23 45 67 89" \
	--public-name "Example CERT abuse team" \
	--public-email abuse-team@example.org \
	--takedown-orgs "Brand Shield Takedowns <takedown@brandshield.example>" \
	--arf-recipients "@radiolinkinternet.com" \
	${SMTP_PORT:+--smtp-url "smtp://127.0.0.1:$SMTP_PORT"} >/dev/null ||
	fail_start "takedown init"
cp -a "$TAKEDOWN_HOME" "$T/home0"

rep() {
	"$TD_BIN" report --allow-private --no-cache --timeout 3000 \
		--dns "127.0.0.1:$DNS_PORT" \
		--rdap "http://127.0.0.1:$HTTP_PORT/rdap/" --ca-file "$TLS_CA" \
		--connect-to "storage.googleapis.com:443:127.0.0.1:$TLS_PORT" \
		--connect-to "woondsplay.com:80:127.0.0.1:$HTTP_PORT" \
		--connect-to "woondsplay.com:443:127.0.0.1:$TLS_PORT" \
		--connect-to "paypal-secure-login.com:80:127.0.0.1:$HTTP_PORT" "$@"
}
# fresh NAME: a home of its own (the profile of init, no case yet)
fresh() { rm -rf "$T/h-$1"; cp -a "$T/home0" "$T/h-$1"; }
# drafts_of HOME: every .eml under the home's cases
drafts_of() { find "$1" -path '*/outbox/*.eml' -type f | sort; }
# gmime FILE...: GMime's reading of each draft next to it
gmime() {
	for f in "$@"; do
		"$TD_BIN" extract --json "$f" >"$f.gmime.json" 2>/dev/null || return 1
	done
}
# reparse NAME FILE...: one check over these drafts
reparse() {
	name=$1; shift
	n=$((n + 1))
	if [ $# -eq 0 ]; then
		echo "not ok $n - $name: no draft written"
		return
	fi
	if gmime "$@" && python3 "$RP" check "$@" >"$T/rp.out" 2>&1; then
		echo "ok $n - $name ($# drafts)"
	else
		echo "not ok $n - $name"
		sed 's/^/#   /' "$T/rp.out" | head -30
	fi
}
plan 5

# ---- the three cases of t0900 ----
fresh real
TAKEDOWN_HOME="$T/h-real" rep "$C/phishing_pot/email/sample-3119.eml" >/dev/null 2>&1
TAKEDOWN_HOME="$T/h-real" rep http://paypal-secure-login.com/ahouf/algonquincollege.html >/dev/null 2>&1
TAKEDOWN_HOME="$T/h-real" rep "$C/phishing_pot/email/sample-6648.eml" >/dev/null 2>&1
reparse "report drafts (malicious, own domain, compromised) read alike" \
	$(drafts_of "$T/h-real")

# ---- hostile variants of the phish ----
python3 "$RP" gen "$C/phishing_pot/email/sample-3119.eml" "$T/hv"
for f in "$T"/hv/*.eml; do
	b=$(basename "$f" .eml)
	fresh "$b"
	TAKEDOWN_HOME="$T/h-$b" rep "$f" >"$T/hv-$b.out" 2>&1
	echo "$b $?" >>"$T/hv.rc"
done
all=""
for f in "$T"/hv/*.eml; do all="$all $(drafts_of "$T/h-$(basename "$f" .eml)")"; done
reparse "drafts from hostile variants read alike, nothing injected" $all
# each variant must give drafts (they all carry the phish's URL) unless
# takedown refused the input with a message
check "every hostile variant gave drafts or a one-line refusal" sh -c "
	for f in '$T'/hv/*.eml; do b=\$(basename \"\$f\" .eml)
		[ -n \"\$(find '$T/h-'\$b -path '*/outbox/*.eml' | head -1)\" ] && continue
		grep -q . '$T/hv-'\$b.out || { echo \"\$b: no draft, no message\"; exit 1; }
	done"

# ---- gen_hostile.py's e-mails (those under 2 MB), the phish URL added ----
python3 "$TD_TOP/tests/e2e/gen_hostile.py" "$T/gh" >/dev/null 2>&1
all=""
for f in "$T"/gh/*; do
	[ -f "$f" ] && [ "$(wc -c <"$f")" -lt 2000000 ] || continue
	b=gh-$(basename "$f" | tr -c 'A-Za-z0-9\n-' _)
	fresh "$b"
	{ cat "$f"; printf '\nhttp://paypal-secure-login.com/ahouf/algonquincollege.html\n'; } >"$T/$b.eml"
	TAKEDOWN_HOME="$T/h-$b" rep "$T/$b.eml" >/dev/null 2>&1
	all="$all $(drafts_of "$T/h-$b")"
done
reparse "drafts from gen_hostile.py's e-mails read alike" $all

# ---- "." lines on the wire ----
dots() {
	case=$(find "$T/h-body-dots-long" -name 'TD-*' -type d | head -1)
	[ -n "$case" ] || { echo "no case for body-dots-long"; return 1; }
	TAKEDOWN_HOME="$T/h-body-dots-long" "$TD_BIN" send --yes \
		--ca-file "$SMTP_CA" "$(basename "$case")" >/dev/null 2>"$T/send.err" ||
		{ cat "$T/send.err"; return 1; }
	want=$(ls "$case"/outbox/*.eml | wc -l)
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		[ "$(ls "$SMTP_MAILDIR/new" | wc -l)" -ge "$want" ] && break; sleep 0.5
	done
	# each delivered message ends as its draft does: the "." lines of
	# the attached phish were stuffed, and nothing after them was lost
	python3 - "$SMTP_MAILDIR/new" "$case/outbox" <<'PY'
import os, sys
got = [open(os.path.join(sys.argv[1], f), 'rb').read() for f in os.listdir(sys.argv[1])]
for f in os.listdir(sys.argv[2]):
    if not f.endswith('.eml'):
        continue
    d = open(os.path.join(sys.argv[2], f), 'rb').read().replace(b'\r\n', b'\n')
    body = d.split(b'\n\n', 1)[1]
    if not any(g.replace(b'\r\n', b'\n').endswith(body) for g in got):
        sys.exit('%s: no delivered copy ends with its body' % f)
PY
}
if [ $SMTP = 1 ]; then
	check "sent with \".\" lines: delivered whole (dot-stuffed on the wire)" dots
else
	n=$((n + 1))
	echo "ok $n # SKIP sending: Postfix cannot run here (needs root)"
fi
