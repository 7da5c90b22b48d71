#!/bin/sh
# send against a real SMTP server on 127.0.0.1: Postfix started by
# start_smtpd (tests/e2e/lib.sh) in the scratch folder, on free ports,
# delivering every recipient's mail into one Maildir, stopped on exit even
# when a test fails.  The sends are tests/unit/test_send_live.c (TAP);
# then every delivered message is parsed again with python3's email
# package and compared with what was sent (kept by the C test): same
# header fields, in order, with the same values, once the server's trace
# fields are set aside; no parser defect; the same body.  Finally the
# server's log must show no bare LF and one delivery per message.
. "$(dirname "$0")/lib.sh"
LIVE="$TD_BUILD/tests/test_send_live"
[ -x "$LIVE" ] || skip_all "test_send_live not built"
command -v postfix >/dev/null 2>&1 || [ -x /usr/sbin/postfix ] ||
	skip_all "postfix not installed (apt-get install postfix sasl2-bin libsasl2-modules)"

start_smtpd
case $? in
0) ;;
2) skip_all "start_smtpd: Postfix needs root and the postfix user" ;;
*) echo "1..1"; echo "not ok 1 - postfix started"; exit 1 ;;
esac

mkdir -p "$T/expect"
export TD_TEST_SMTP_PORT="$SMTP_PORT" TD_TEST_SMTPS_PORT="$SMTPS_PORT"
export TD_TEST_SMTP_AUTH_PORT="$SMTP_AUTH_PORT"
export TD_TEST_SMTP_NOTLS_PORT="$SMTP_NOTLS_PORT"
export TD_TEST_SMTP_CA="$SMTP_CA" TD_TEST_SMTP_USER="$SMTP_USER"
export TD_TEST_SMTP_PASS="$SMTP_PASS" TD_TEST_MAILDIR="$SMTP_MAILDIR"
export TD_TEST_EXPECT="$T/expect"
# sendmail -t: msmtp (a sendmail-compatible client) submitting to the
# plain listener, through a wrapper that gives it its server
msmtp=$(command -v msmtp || true)
if [ -n "$msmtp" ]; then
	: >"$T/msmtprc"
	chmod 600 "$T/msmtprc"
	cat >"$T/sendmail" <<EOF
#!/bin/sh
exec "$msmtp" -C "$T/msmtprc" --host=127.0.0.1 --port=$SMTP_NOTLS_PORT \\
	--tls=off --auth=off --domain=takedown.test "\$@"
EOF
	chmod 755 "$T/sendmail"
	export TD_TEST_SENDMAIL="$T/sendmail"
fi

"$LIVE"
rc=$?

# The second parser: python3's email package on every Maildir file.
python3 - "$SMTP_MAILDIR/new" "$T/expect" <<'PY'
import email, email.policy, os, sys
from email import parser

new, expect = sys.argv[1], sys.argv[2]
TRACE = {"return-path", "x-original-to", "delivered-to", "received"}
p = parser.BytesParser(policy=email.policy.default)

def load(path, lf):
    with open(path, "rb") as f:
        raw = f.read()
    if not lf:
        raw = raw.replace(b"\r\n", b"\n")
    return raw, p.parsebytes(raw)

# NN-R.eml: a message accepted for R envelope recipients, each of whom
# gets a copy in the one Maildir
want, left = {}, {}
for name in sorted(os.listdir(expect)):
    raw, m = load(os.path.join(expect, name), False)
    want[m["Message-ID"]] = (name, raw, m)
    left[m["Message-ID"]] = int(name.split("-")[1].split(".")[0])
got = sorted(os.listdir(new))
def check(ok, what, why=""):
    print("%s - %s%s" % ("ok" if ok else "not ok", what,
                         "" if ok else "\n#   " + why))
check(len(got) == sum(left.values()),
      "one Maildir file per message and recipient",
      "%d files, %d expected" % (len(got), sum(left.values())))
for fn in got:
    raw, m = load(os.path.join(new, fn), True)
    mid = m["Message-ID"]
    if not left.get(mid):
        check(False, "%s is a copy of a message sent" % fn, repr(mid))
        continue
    left[mid] -= 1
    name, wraw, w = want[mid]
    what = "%s (%s) re-parses with the intended headers" % (name, mid)
    items = [(k, str(v)) for k, v in m.raw_items()]
    # the trace fields come first, then exactly the message's own
    i = 0
    while i < len(items) and items[i][0].lower() in TRACE:
        i += 1
    mine = [(k, str(v)) for k, v in w.raw_items()]
    problems = []
    if items[i:] != mine:
        problems.append("headers %r != %r" % (items[i:], mine))
    if any(k.lower() in TRACE for k, _ in mine):
        problems.append("a trace field in the message sent")
    if [k for k, _ in items[:i]][0:1] != ["Return-Path"]:
        problems.append("no Return-Path first: %r" % items[:1])
    for part in m.walk():
        if part.defects:
            problems.append("defects %r" % part.defects)
        for k in part.keys():
            if part[k].defects:
                problems.append("%s: defects %r" % (k, part[k].defects))
    body = raw.split(b"\n\n", 1)[1] if b"\n\n" in raw else b""
    wbody = wraw.split(b"\n\n", 1)[1] if b"\n\n" in wraw else b""
    if body != wbody:
        problems.append("body %r != %r" % (body[:200], wbody[:200]))
    if m.get_content_type() == "text/plain" and m.get_content_charset() == "utf-8":
        if m.get_content() != w.get_content():
            problems.append("decoded text differs")
    check(not problems, what, "; ".join(problems))
check(not any(left.values()), "every message sent was delivered",
      repr(sorted(k for k, v in left.items() if v)))
PY
prc=$?

# Postfix refuses bare LF here (smtpd_forbid_bare_newline): none came.
if grep -qi "bare <LF>\|bare newline\|bare LF" "$SMTP_LOG"; then
	echo "not ok - the server saw no bare LF"
	grep -i "bare" "$SMTP_LOG" | head -5 | sed 's/^/#   /'
	prc=1
else
	echo "ok - the server saw no bare LF"
fi
if [ $rc -ne 0 ] || [ $prc -ne 0 ]; then
	echo "# postfix log:"
	tail -30 "$SMTP_LOG" | sed 's/^/#   /'
	exit 1
fi
exit 0
