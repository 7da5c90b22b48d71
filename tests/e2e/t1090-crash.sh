#!/bin/sh
# Crash safety: `takedown send`, `import` and `check` killed with SIGKILL
# at random points, at least 200 times in all (delays drawn from a seeded
# generator and printed; TD_CRASH_SEED=N to replay a run), against a real
# SMTP server on loopback (Postfix, start_smtpd; without root the Python
# sink tests/servers/smtpd.py).  After every kill and at the end:
# - PRAGMA integrity_check is ok and foreign keys hold;
# - no committed event is lost: every event row seen before the kill is
#   still there, unchanged (the history only grows), and a message seen
#   sent stays sent;
# - no Message-ID is delivered twice; at the end every message marked
#   sent was delivered and no draft or failed one was;
# - a message the kill left "sending" is what docs/internals/store.md and
#   cmd_send.c say: the next `send` names it and does not send it again;
#   it is settled by hand (--mark-sent when the Maildir has it, else
#   --mark-failed, after which a later run sends it once);
# - import: once more after the kills, the store holds the same replies,
#   matches and events as one uninterrupted import into a copy;
# - check: a killed check leaves no lock behind; the next one runs.
# import and check are tested when `takedown help` lists them.
# TD_CRASH_SEED=N replays a run; TD_CRASH_SINK=1 uses the Python sink.
. "$(dirname "$0")/lib.sh"
C="$TD_CORPUS"
[ -f "$C/rdap-bbot/verisign_com_github.json" ] &&
	[ -f "$C/ipwhois-rdap/rdap-ip/74.125.225.229.json" ] ||
	skip_all "../shared/corpus absent"
command -v dnsmasq >/dev/null 2>&1 || [ -x /usr/sbin/dnsmasq ] ||
	skip_all "dnsmasq not installed (apt-get install dnsmasq-base)"

W="$T/world"
mkdir -p "$W/rdap/domain" "$W/rdap/ip" "$W/ahouf"
cp "$C/rdap-bbot/verisign_com_github.json" "$W/rdap/domain/paypal-secure-login.com.json"
cp "$C/ipwhois-rdap/rdap-ip/74.125.225.229.json" "$W/rdap/ip/74.125.225.229.json"
cp "$TD_TOP/tests/servers/data/pages/ahouf/algonquincollege.html" "$W/ahouf/"
cat >"$T/dns.conf" <<'CONF'
local=/#/
host-record=paypal-secure-login.com,74.125.225.229
mx-host=google.com,mx.google.com,10
mx-host=markmonitor.com,mx.markmonitor.com,10
CONF
fail_start() { echo "1..1"; echo "not ok 1 - $1 started"; exit 1; }
start_dns "$T/dns.conf" || fail_start dnsmasq
start_httpd "$W" || fail_start httpd
QUEUE=""
# TD_CRASH_SINK=1: the Python sink even where Postfix could run
if [ "${TD_CRASH_SINK:-0}" != 1 ] &&
	{ command -v postfix >/dev/null 2>&1 || [ -x /usr/sbin/postfix ]; }; then
	start_smtpd; rc=$?
else
	rc=2
fi
if [ $rc -eq 0 ]; then
	PORT=$SMTP_NOTLS_PORT MAILDIR=$SMTP_MAILDIR QUEUE="$SMTPD_DIR/queue"
	echo "# SMTP: Postfix on 127.0.0.1:$PORT"
elif [ $rc -eq 2 ] && [ -f "$SRV/smtpd.py" ]; then
	MAILDIR="$T/maildir"
	python3 "$SRV/smtpd.py" --listen ok --maildir "$MAILDIR" \
		--port-file "$T/smtpd.port" --parent $$ >"$T/smtpd.err" 2>&1 &
	TD_PIDS="$TD_PIDS $!"
	wait_file "$T/smtpd.port" || fail_start smtpd.py
	PORT=$(awk '$2 == "ok" { print $3 }' "$T/smtpd.port")
	echo "# SMTP: tests/servers/smtpd.py on 127.0.0.1:$PORT (no Postfix here)"
elif [ $rc -eq 2 ]; then
	skip_all "Postfix cannot start here (needs root) and no tests/servers/smtpd.py"
else
	fail_start postfix
fi

"$TD_BIN" init --name "Jane Doe" --org "Example CERT" \
	--email jane.doe@example.org --public-name "Example CERT abuse team" \
	--public-email abuse-team@example.org \
	--smtp-url "smtp://127.0.0.1:$PORT" >/dev/null || fail_start "takedown init"

export T PORT MAILDIR QUEUE DNS_PORT HTTP_PORT
python3 - <<'PY'
import os, random, re, shutil, signal, sqlite3, subprocess, sys, threading
import time

T = os.environ["T"]
BIN = os.environ["TD_BIN"]
HOME = os.environ["TAKEDOWN_HOME"]
STORE = os.path.join(HOME, "cases.sqlite")
MAILDIR = os.environ["MAILDIR"]
QUEUE = os.environ.get("QUEUE") or ""
SEED = int(os.environ.get("TD_CRASH_SEED", "1090"))
WORLD = ["--allow-private", "--timeout", "2000",
         "--dns", "127.0.0.1:" + os.environ["DNS_PORT"],
         "--rdap", "http://127.0.0.1:%s/rdap/" % os.environ["HTTP_PORT"],
         "--connect-to",
         "paypal-secure-login.com:80:127.0.0.1:" + os.environ["HTTP_PORT"]]
URL = "http://paypal-secure-login.com/ahouf/algonquincollege.html"
SEND = [BIN, "send", "--yes", "--tls", "none", "--timeout", "5000"]
T0 = time.monotonic()

help_out = subprocess.run([BIN, "help"], capture_output=True,
                          text=True).stdout
have = {c: re.search(r"^\s+%s\s" % c, help_out, re.M) is not None
        for c in ("import", "check")}
# at least 200 kills in all
N_IMPORT = 40 if have["import"] else 0
N_CHECK = 20 if have["check"] else 0
N_SEND = 200 - N_IMPORT - N_CHECK

rng = random.Random(SEED)
print("# seed %d (TD_CRASH_SEED); kills: send %d, import %d, check %d"
      % (SEED, N_SEND, N_IMPORT, N_CHECK))
plan = 14
print("1..%d" % plan)
tapn = 0


def tap(ok, what, why=""):
    global tapn
    tapn += 1
    print("%s %d - %s" % ("ok" if ok else "not ok", tapn, what))
    if not ok:
        for line in str(why).splitlines()[:20]:
            print("#   " + line)
    sys.stdout.flush()


def skip(what, why):
    global tapn
    tapn += 1
    print("ok %d - %s # SKIP %s" % (tapn, what, why))


def db():
    c = sqlite3.connect(STORE, timeout=30)
    c.execute("PRAGMA busy_timeout = 30000")
    return c


def integrity():
    c = db()
    try:
        r = c.execute("PRAGMA integrity_check").fetchall()
        fk = c.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        c.close()
    if r != [("ok",)]:
        return "integrity_check: %r" % r[:5]
    if fk:
        return "foreign_key_check: %r" % fk[:5]
    return None


def snapshot():
    c = db()
    try:
        ev = {r[0]: r[1:] for r in c.execute(
            "SELECT id, case_id, at, kind, source, detail FROM event")}
        sent = {r[0]: r[1:] for r in c.execute(
            "SELECT id, message_id, sent, smtp_reply FROM message"
            " WHERE state = 'sent'")}
    finally:
        c.close()
    return ev, sent


def lost(before, after):
    """What of before is missing or changed in after, or None."""
    ev0, sent0 = before
    ev1, sent1 = after
    for k, v in ev0.items():
        if ev1.get(k) != v:
            return "event %d %r is now %r" % (k, v, ev1.get(k))
    for k, v in sent0.items():
        if sent1.get(k) != v:
            return "sent message %d %r is now %r" % (k, v, sent1.get(k))
    return None


# ---- the Maildir: Message-IDs delivered, each file read once ----
seen_files = {}


def delivered():
    """Message-ID -> how many times delivered."""
    for sub in ("new", "cur"):
        d = os.path.join(MAILDIR, sub)
        if not os.path.isdir(d):
            continue
        for f in os.listdir(d):
            p = os.path.join(d, f)
            if p in seen_files:
                continue
            mid = None
            with open(p, "rb") as fh:
                for line in fh:
                    if line in (b"\n", b"\r\n"):
                        break
                    m = re.match(rb"(?i)message-id:\s*<([^>]*)>", line)
                    if m:
                        mid = m.group(1).decode("ascii", "replace")
                        break
            seen_files[p] = mid
    n = {}
    for mid in seen_files.values():
        n[mid] = n.get(mid, 0) + 1
    return n


def settle_mail(grace=0.25):
    """Wait for the SMTP server to finish what it accepted."""
    time.sleep(grace)
    end = time.monotonic() + 20
    while QUEUE and time.monotonic() < end:
        busy = 0
        for q in ("maildrop", "incoming", "active", "deferred", "hold"):
            for _, _, files in os.walk(os.path.join(QUEUE, q)):
                busy += len(files)
        if not busy:
            break
        time.sleep(0.05)


def run(argv, env=None, timeout=60):
    return subprocess.run(argv, capture_output=True, text=True,
                          env=env, timeout=timeout)


def run_killed(argv, delay, env=None, until=None):
    """Start argv, SIGKILL it after delay seconds (or once until()
    holds, then delay); returns True when it was killed, False when it
    had finished first."""
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, env=env)
    if until is not None:
        end = time.monotonic() + 5
        while p.poll() is None and time.monotonic() < end and not until():
            time.sleep(0.001)
    try:
        p.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        return True


fails = {k: [] for k in ("integrity", "lost", "twice", "sending", "settle",
                         "reported", "import", "check")}


def after_kill(what, before):
    bad = integrity()
    if bad:
        fails["integrity"].append("%s: %s" % (what, bad))
    bad = lost(before, snapshot())
    if bad:
        fails["lost"].append("%s: %s" % (what, bad))


# ---- cases: made by report in the background while the kills run ----
cases = []
cases_lock = threading.Condition()
stop = threading.Event()
report_errors = []


def producer():
    while not stop.is_set():
        with cases_lock:
            while len(cases) >= 4 and not stop.is_set():
                cases_lock.wait(0.2)
        if stop.is_set():
            return
        r = run([BIN, "report", "--json"] + WORLD + [URL])
        if r.returncode != 0:
            report_errors.append(r.stderr[-500:])
            if len(report_errors) > 3:
                return
            continue
        import json
        tag = json.loads(r.stdout)["case"]
        with cases_lock:
            cases.append(tag)
            cases_lock.notify_all()


def next_case():
    with cases_lock:
        end = time.monotonic() + 60
        while not cases and time.monotonic() < end:
            cases_lock.wait(0.2)
            if len(report_errors) > 3:
                break
        if not cases:
            raise SystemExit("Bail out! takedown report failed: %s"
                             % (report_errors[-1:] or "timeout"))
        tag = cases.pop(0)
        cases_lock.notify_all()
        return tag


def messages(tag, c=None):
    own = c is None
    c = c or db()
    try:
        return c.execute(
            "SELECT m.id, m.message_id, m.state FROM message m"
            " JOIN cases k ON k.id = m.case_id WHERE k.tag = ?"
            " ORDER BY m.id", (tag,)).fetchall()
    finally:
        if own:
            c.close()


maker = threading.Thread(target=producer, daemon=True)
maker.start()

# one send uninterrupted: it works here, and how long it takes
tag = next_case()
t = time.monotonic()
r = run(SEND + [tag])
full = time.monotonic() - t
if r.returncode != 0:
    print("Bail out! send failed: %s" % r.stderr[-500:])
    sys.exit(1)
per_msg = full / max(1, len(messages(tag)))
print("# an uninterrupted send of %d messages took %.3f s; kill delays "
      "drawn in [0, what the messages left should take]"
      % (len(messages(tag)), full))
poll = db()

kills = rounds = sending_seen = resent_ok = 0
marked_sent = marked_failed = 0
tag = next_case()
while kills < N_SEND:
    rounds += 1
    if rounds > N_SEND * 4:
        break
    before = snapshot()
    todo = len([m for m in messages(tag) if m[2] in ("draft", "failed")])
    at_claim = rng.random() < 0.12
    delay = (rng.uniform(0, 0.05) if at_claim else
             rng.uniform(0, 0.05 + per_msg * todo))
    until = None
    if at_claim:
        def until(tag=tag):
            try:
                return any(m[2] == "sending" for m in messages(tag, poll))
            except sqlite3.Error:
                return False
    t = time.monotonic()
    killed = run_killed(SEND + [tag], delay, until=until)
    if not killed and not at_claim and todo:
        # learn how long a message takes now (the load changes)
        per_msg = 0.7 * per_msg + 0.3 * (time.monotonic() - t) / todo
    kills += killed
    print("# send %s: %s %.3f s%s" % (tag, "kill at" if killed else
          "finished before", delay, " after its first claim"
          if at_claim else ""))
    after_kill("send kill %d" % kills, before)
    left = [m for m in messages(tag) if m[2] == "sending"]
    if left:
        # the next run must name each and send none of them again
        sending_seen += len(left)
        settle_mail()
        n0 = delivered()
        r = run(SEND + [tag])
        settle_mail()
        n1 = delivered()
        now = {m[1]: m[2] for m in messages(tag)}
        for _, mid, _ in left:
            if "<%s> was being sent" % mid not in r.stderr:
                fails["sending"].append("%s: the next send did not name "
                                        "<%s>: %s" % (tag, mid,
                                                      r.stderr[-300:]))
            elif n1.get(mid, 0) != n0.get(mid, 0) or now[mid] != "sending":
                fails["sending"].append("%s: <%s> re-sent or changed: "
                                        "%d -> %d, %s" % (
                                            tag, mid, n0.get(mid, 0),
                                            n1.get(mid, 0), now[mid]))
            else:
                resent_ok += 1
            # settle it as a person would: did it leave?
            got = n1.get(mid, 0) > 0
            r2 = run(SEND + ["--mark-sent" if got else "--mark-failed",
                             mid])
            state = {m[1]: m[2] for m in messages(tag)}[mid]
            if r2.returncode != 0 or state != ("sent" if got else "failed"):
                fails["settle"].append("%s: --mark-%s <%s>: exit %d, %s, "
                                       "%s" % (tag, "sent" if got else
                                               "failed", mid,
                                               r2.returncode, state,
                                               r2.stderr[-200:]))
            if got:
                marked_sent += 1
            else:
                marked_failed += 1
    dup = {k: v for k, v in delivered().items() if v > 1}
    if dup:
        fails["twice"].append("after send kill %d: %r" % (kills, dup))
    if not [m for m in messages(tag) if m[2] in ("draft", "failed")]:
        tag = next_case()
stop.set()
maker.join(120)  # a report still running makes one more case
poll.close()
print("# %.0f s: send: %d kills in %d runs; %d messages left sending, each "
      "named and not re-sent; settled %d sent, %d failed"
      % (time.monotonic() - T0, kills, rounds, sending_seen, marked_sent,
         marked_failed))

tap(kills >= N_SEND and not fails["integrity"],
    "send: %d kills, integrity_check and foreign keys ok after each"
    % kills, "\n".join(fails["integrity"]) or "only %d kills" % kills)
tap(not fails["lost"], "send: no committed event lost, no sent message "
    "changed, after each kill", "\n".join(fails["lost"]))
tap(not fails["twice"], "send: no Message-ID delivered twice, after each "
    "kill", "\n".join(fails["twice"]))
tap(sending_seen > 0 and not fails["sending"],
    "send: a message a kill left 'sending' is named by the next run and "
    "not sent again (%d times)" % sending_seen,
    "\n".join(fails["sending"]) or "no kill left a message sending")
tap(not fails["settle"] and marked_sent + marked_failed == sending_seen,
    "send: --mark-sent / --mark-failed settle each as the Maildir says",
    "\n".join(fails["settle"]))

# finish every case started, then compare the store with the Maildir
c = db()
open_tags = [r[0] for r in c.execute(
    "SELECT DISTINCT k.tag FROM message m JOIN cases k ON k.id = m.case_id"
    " WHERE m.state IN ('draft', 'failed')")]
c.close()
for t_ in open_tags:
    r = run(SEND + [t_])
settle_mail(1.0)
n = delivered()
c = db()
rows = c.execute("SELECT m.message_id, m.state, k.tag, k.state FROM message"
                 " m JOIN cases k ON k.id = m.case_id").fetchall()
c.close()
bad = []
unsent = []
for mid, st, tg, cst in rows:
    if st == "sent" and n.get(mid, 0) != 1:
        bad.append("<%s> sent, delivered %d times" % (mid, n.get(mid, 0)))
    elif st != "sent" and n.get(mid, 0):
        bad.append("<%s> %s, but delivered" % (mid, st))
    if st != "sent":
        unsent.append(mid)
tap(not bad and not unsent,
    "send: in the end %d messages, each sent once and delivered once"
    % len(rows), "\n".join(bad + ["<%s> not sent" % u for u in unsent]))
reported = [tg for mid, st, tg, cst in rows if st == "sent" and cst == "open"]
tap(not reported, "send: every case with a message sent is reported, even "
    "when a kill fell between the mark and the state",
    "still open: %s" % sorted(set(reported)))
bad = integrity()
tap(not bad, "send: integrity_check ok at the end", bad)

# ---- import ----
def mbox_of_replies(path, k, per_file):
    """Replies to our sent messages (human, auto, bounce) and a few
    that match nothing, per_file to an mbox (path-1.mbox...); returns
    the files and how many messages in all."""
    c = db()
    sent = c.execute("SELECT message_id, recipient, subject FROM message"
                     " WHERE state = 'sent' ORDER BY id").fetchall()
    c.close()
    out = []
    date = "Fri, 27 Nov 2026 10:00:00 +0000"
    todo = []
    for mid, rcpt, subj in sent:
        for kind, p in (("auto", 0.5), ("human", 0.5), ("bounce", 0.15),
                        ("none", 0.2)):
            if k.random() < p:
                todo.append((kind, mid, rcpt, subj))
    for i, (kind, mid, rcpt, subj) in enumerate(todo):
        me = "<crash.%d.%d@reply.test>" % (SEED, i)
        if kind == "human":
            m = ("From: %s\nTo: abuse-team@example.org\nSubject: Re: %s\n"
                 "Date: %s\nMessage-ID: %s\nIn-Reply-To: <%s>\n"
                 "References: <%s>\n\nThank you, we have suspended the "
                 "account.\n" % (rcpt, subj, date, me, mid, mid))
        elif kind == "auto":
            m = ("From: %s\nTo: abuse-team@example.org\nSubject: [Ticket "
                 "#%06d] Re: %s\nDate: %s\nMessage-ID: %s\n"
                 "In-Reply-To: <%s>\nAuto-Submitted: auto-replied\n\n"
                 "Your report was received.\n" % (rcpt, 100000 + i, subj,
                                                   date, me, mid))
        elif kind == "bounce":
            m = ("From: MAILER-DAEMON@mx.test\nTo: abuse-team@example.org\n"
                 "Subject: Undelivered Mail Returned to Sender\n"
                 "Date: %s\nMessage-ID: %s\nAuto-Submitted: auto-replied\n"
                 "MIME-Version: 1.0\nContent-Type: multipart/report; "
                 "report-type=delivery-status; boundary=\"b%d\"\n\n"
                 "--b%d\nContent-Type: text/plain\n\nNo such user.\n\n"
                 "--b%d\nContent-Type: message/delivery-status\n\n"
                 "Reporting-MTA: dns; mx.test\n\nFinal-Recipient: rfc822; "
                 "%s\nAction: failed\nStatus: 5.1.1\n\n"
                 "--b%d\nContent-Type: text/rfc822-headers\n\n"
                 "Message-ID: <%s>\nSubject: %s\n\n--b%d--\n"
                 % (date, me, i, i, i, rcpt, i, mid, subj, i))
        else:
            m = ("From: someone%d@elsewhere.test\nTo: abuse-team@example.org"
                 "\nSubject: unrelated %d\nDate: %s\nMessage-ID: %s\n\n"
                 "Nothing to do with any case.\n" % (i, i, date, me))
        out.append("From MAILER-DAEMON Fri Nov 27 10:00:00 2026\n" + m + "\n")
    files = []
    for j in range(0, len(out), per_file):
        files.append("%s-%d.mbox" % (path, len(files) + 1))
        with open(files[-1], "w") as f:
            f.write("".join(out[j:j + per_file]))
    return files, len(out)


def received_view(path):
    c = sqlite3.connect(path, timeout=30)
    try:
        rcv = sorted(c.execute(
            "SELECT r.sha256, k.tag, r.classification, r.matched_by,"
            " p.role, m.message_id FROM received r"
            " LEFT JOIN cases k ON k.id = r.case_id"
            " LEFT JOIN party p ON p.id = r.party_id"
            " LEFT JOIN message m ON m.id = r.message"), key=repr)
        ev = sorted(c.execute(
            "SELECT k.tag, e.kind, e.at, e.detail FROM event e"
            " JOIN cases k ON k.id = e.case_id WHERE e.source = 'import'"),
            key=repr)
        st = sorted(c.execute("SELECT tag, state FROM cases"))
    finally:
        c.close()
    return rcv, ev, st


if N_IMPORT:
    mboxes, nmsg = mbox_of_replies(os.path.join(T, "replies"), rng, 6)
    env = dict(os.environ, TAKEDOWN_NOW=str(int(time.time()) + 86400))
    # the reference: one uninterrupted import into a copy
    ref = os.path.join(T, "ref", "cases.sqlite")
    os.makedirs(os.path.dirname(ref))
    src, dst = db(), sqlite3.connect(ref)
    src.backup(dst)
    src.close()
    dst.close()
    IMP = [BIN, "import", "--accept", "--batch", "3"]
    t = time.monotonic()
    rc = 0
    for f in mboxes:
        r = run(IMP + ["--store", ref, f], env=env)
        rc = rc or r.returncode
    full = time.monotonic() - t
    print("# %.0f s: import: %d messages in %d mbox files, an uninterrupted "
          "import took %.3f s (exit %d)" % (time.monotonic() - T0, nmsg,
                                            len(mboxes), full, rc))
    # each file in turn, killed until a run gets through it; then the
    # files again (known messages now) until enough kills
    ikills = rounds = 0
    est = {f: full / len(mboxes) + 0.05 for f in mboxes}
    while ikills < N_IMPORT and rounds < N_IMPORT * 4:
        for f in mboxes:
            while ikills < N_IMPORT and rounds < N_IMPORT * 4:
                rounds += 1
                before = snapshot()
                delay = rng.uniform(0, est[f])
                t = time.monotonic()
                killed = run_killed(IMP + [f], delay, env=env)
                ikills += killed
                print("# import %s: %s %.3f s" % (os.path.basename(f),
                      "kill at" if killed else "finished before", delay))
                after_kill("import kill %d" % ikills, before)
                if not killed:
                    est[f] = time.monotonic() - t + 0.02
                    break
    rc2 = 0
    for f in mboxes:
        r2 = run(IMP + [f], env=env)
        rc2 = rc2 or r2.returncode
    a, b = received_view(STORE), received_view(ref)
    why = []
    if a[0] != b[0]:
        why.append("received differ: %d rows vs %d uninterrupted"
                   % (len(a[0]), len(b[0])))
        why += ["only after kills: %r" % (x,) for x in
                sorted(set(a[0]) - set(b[0]), key=repr)[:5]]
        why += ["only uninterrupted: %r" % (x,) for x in
                sorted(set(b[0]) - set(a[0]), key=repr)[:5]]
    if a[1] != b[1]:
        why.append("import events differ: %d vs %d" % (len(a[1]), len(b[1])))
        why += ["only after kills: %r" % (x,) for x in
                [e for e in a[1] if e not in b[1]][:5]]
        why += ["only uninterrupted: %r" % (x,) for x in
                [e for e in b[1] if e not in a[1]][:5]]
    if a[2] != b[2]:
        why.append("case states differ: %r" % [
            (x, y) for x, y in zip(a[2], b[2]) if x != y][:5])
    tap(ikills >= N_IMPORT and not fails["integrity"] and not fails["lost"],
        "import: %d kills, integrity ok and no committed event lost after "
        "each" % ikills, "\n".join(fails["integrity"] + fails["lost"]) or
        "only %d kills" % ikills)
    tap(rc == rc2 and not why,
        "import: after the kills one more import leaves the store as one "
        "uninterrupted import does (%d messages)" % nmsg,
        "exit %d vs %d uninterrupted\n" % (rc2, rc) +
        "\n".join(why))
    dupe = [x for x in a[0] if x[0] in {y[0] for y in a[0] if y is not x}]
    tap(len(a[0]) == nmsg and not dupe,
        "import: each message stored once (%d of %d)" % (len(a[0]), nmsg),
        repr(dupe[:5]))
else:
    for w in ("kills", "same as uninterrupted", "each message once"):
        skip("import: " + w, "takedown import not in this binary")

# ---- check ----
if N_CHECK:
    c = db()
    tags = [r[0] for r in c.execute(
        "SELECT tag FROM cases ORDER BY id DESC LIMIT 2")]
    c.close()
    CHK = [BIN, "check", "--as", "desktop"] + WORLD + tags
    t = time.monotonic()
    r = run(CHK)
    full = time.monotonic() - t
    print("# %.0f s: check of %d cases took %.3f s (exit %d)"
          % (time.monotonic() - T0, len(tags), full, r.returncode))
    ckills = 0
    for i in range(N_CHECK * 3):
        if ckills >= N_CHECK:
            break
        before = snapshot()
        delay = rng.uniform(0, full * 1.2)
        killed = run_killed(CHK, delay)
        ckills += killed
        print("# check: %s %.3f s" % ("kill at" if killed else
                                      "finished before", delay))
        after_kill("check kill %d" % ckills, before)
    tap(ckills >= N_CHECK and not fails["integrity"] and not fails["lost"],
        "check: %d kills, integrity ok and no committed event lost after "
        "each" % ckills, "\n".join(fails["integrity"] + fails["lost"]) or
        "only %d kills" % ckills)
    r2 = run(CHK)
    tap(r2.returncode == r.returncode == 0,
        "check: after the kills the next check runs (no lock left behind)",
        "exit %d (uninterrupted %d): %s" % (r2.returncode, r.returncode,
                                            r2.stderr[-300:]))
else:
    for w in ("kills", "runs again"):
        skip("check: " + w, "takedown check not in this binary")

bad = integrity()
tap(not bad, "the store passes integrity_check at the end", bad)
print("# %.0f s in all" % (time.monotonic() - T0))
sys.exit(0)
PY
