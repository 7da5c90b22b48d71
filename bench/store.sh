#!/bin/bash
# bench/store.sh [DIR]: the case store at scale.  Builds (or reuses) a
# store of CASES cases and EVENTS events with build/release/tools/store_gen
# under DIR/takedown-bench (default /tmp), then times:
#   - the list filters and statistics through the store API (store_query);
#   - `takedown list` with each filter and some combinations, `takedown
#     stats`, `stats --json`, each next to the same question asked with
#     the plain sqlite3 shell on the same file (the command's overhead);
#   - `takedown import` of IMPORT_MSGS generated messages (replies to real
#     Message-IDs of the store, auto-responses, bounces, unmatched) into a
#     copy of the store, then the same mbox again (all duplicates), next
#     to Python's mailbox module only reading it;
# each RUNS times (median and max), and prints the machine, the store's
# size and how long it took to generate.  A command `takedown help` does
# not list is reported as "not available".  Run from the repository root
# after `make`.  Results also go to DIR/takedown-bench/store-results.txt.
#
# Environment: CASES (1000000), EVENTS (10000000), SEED (1), RUNS (5),
# IMPORT_MSGS (10000), TD_BIN (build/release/takedown), TOOLS
# (build/release/tools), KEEP_COPY=1 keeps the import copy, STORE_FILE=F
# measures the store F as it is (made by store_gen or by anything else;
# nothing generated).
set -u
DIR=${1:-/tmp}/takedown-bench
CASES=${CASES:-1000000}
EVENTS=${EVENTS:-10000000}
SEED=${SEED:-1}
RUNS=${RUNS:-5}
IMPORT_MSGS=${IMPORT_MSGS:-10000}
TD_BIN=${TD_BIN:-build/release/takedown}
TOOLS=${TOOLS:-build/release/tools}
STORE=${STORE_FILE:-"$DIR/store-$CASES-$EVENTS-s$SEED.sqlite"}
OUT="$DIR/store-results.txt"

die() { echo "store.sh: $*" >&2; exit 1; }
[ -x "$TD_BIN" ] || die "$TD_BIN missing: run make first"
[ -x "$TOOLS/store_gen" ] && [ -x "$TOOLS/store_query" ] ||
	die "$TOOLS/store_gen or store_query missing: run make first"
command -v sqlite3 >/dev/null || die "sqlite3 missing (apt-get install sqlite3)"
# the interpreter itself, not a version manager's shim (seconds per start)
PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) ||
	die "python3 missing"
mkdir -p "$DIR" || die "cannot make $DIR"
: >"$OUT"
say() { printf '%s\n' "$*" | tee -a "$OUT"; }

# ---- the machine ----
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
dev=$(df -P "$DIR" | awk 'NR == 2 { print $1 }')
fs=$(df -PT "$DIR" 2>/dev/null | awk 'NR == 2 { print $2 }')
rot=$(lsblk -ndo ROTA "$dev" 2>/dev/null | head -1)
disk="$dev ($fs, $([ "$rot" = 1 ] && echo rotating || echo "not rotating"), $(df -Ph "$DIR" | awk 'NR == 2 { print $4 }') free)"
say "# takedown case store benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
say "machine: $cpu, $(nproc) cores, $mem RAM, disk $disk"
say "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
say "takedown $("$TD_BIN" --version 2>/dev/null | head -1), sqlite3 shell $(sqlite3 --version | cut -d' ' -f1)"

# ---- the store ----
if [ -n "${STORE_FILE:-}" ]; then
	[ -f "$STORE" ] || die "$STORE: no such file"
	say "store: $STORE, as given"
	: >"$DIR/given.done"
	[ -f "$STORE.done" ] || STORE_DONE="$DIR/given.done"
elif [ -f "$STORE.done" ] && [ -f "$STORE" ]; then
	say "store: $STORE, reused"
else
	rm -f "$STORE" "$STORE-wal" "$STORE-shm" "$STORE.done"
	echo "store.sh: generating $CASES cases, $EVENTS events (progress below)" >&2
	"$TOOLS/store_gen" --cases "$CASES" --events "$EVENTS" --seed "$SEED" \
		"$STORE" >"$STORE.gen" || die "store_gen failed"
	mv "$STORE.gen" "$STORE.done"
	say "store: $STORE, generated now"
fi
sed 's/^/  generated: /' "${STORE_DONE:-$STORE.done}" | tee -a "$OUT"
# the generator's last commit checkpointed; make sure nothing is left in the WAL
sqlite3 "$STORE" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null 2>&1
size=$(du -cb "$STORE" "$STORE-wal" 2>/dev/null | awk 'END { print $1 }')
say "store size on disk: $((size / 1048576)) MiB"
say "  rows: $(sqlite3 -readonly "$STORE" "SELECT (SELECT count(*) FROM cases) || ' cases, ' ||
	(SELECT count(*) FROM event) || ' events, ' || (SELECT count(*) FROM party) || ' parties, ' ||
	(SELECT count(*) FROM message) || ' messages, ' || (SELECT count(*) FROM received) || ' received'")"
# "now" for ages: an hour after the newest case, as store_query uses
NOW=$(sqlite3 -readonly "$STORE" 'SELECT max(created) + 3600 FROM cases')
export TAKEDOWN_NOW=$NOW

# ---- through the API ----
say ""
say "## the store API (store_query, $RUNS runs after a first one; ms)"
"$TOOLS/store_query" --runs "$RUNS" "$STORE" >"$DIR/query.tsv" 2>"$DIR/query.err" ||
	{ cat "$DIR/query.err" >&2; die "store_query failed"; }
sed 's/^/  /' "$DIR/query.err" | tee -a "$OUT"
{
	printf 'query\trows\tfirst\tmedian\tmax\n'
	cat "$DIR/query.tsv"
} | column -t -s "$(printf '\t')" | sed 's/^/  /' | tee -a "$OUT"
slow=$(awk -F'\t' '$4 > 100 { print "  over 100 ms: " $1 " (median " $4 " ms)" }' "$DIR/query.tsv")
[ -n "$slow" ] && say "$slow"

# values the commands use, read from the store
TOPHOST=$(sqlite3 -readonly "$STORE" "SELECT p.name FROM provider_stats s JOIN provider p ON p.id = s.provider_id WHERE s.role = 'host' ORDER BY s.cases DESC LIMIT 1")
TOPREG=$(sqlite3 -readonly "$STORE" "SELECT p.name FROM provider_stats s JOIN provider p ON p.id = s.provider_id WHERE s.role = 'registrar' ORDER BY s.cases DESC LIMIT 1")
LABEL=$(sqlite3 -readonly "$STORE" "SELECT label FROM case_label GROUP BY label ORDER BY count(*) DESC LIMIT 1")
DOMAIN=$(sqlite3 -readonly "$STORE" "SELECT domain FROM case_url WHERE domain IS NOT NULL ORDER BY id DESC LIMIT 1")
q() { printf "%s" "$1" | sed "s/'/''/g"; }

# ms of one run of "$@" (output discarded)
ms() {
	local t0 t1
	t0=$(date +%s%N)
	"$@" >/dev/null 2>"$DIR/last.err"
	local rc=$?
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
	return $rc
}
# time NAME CMD...: RUNS runs, prints "median max" of the ms, or "failed"
timeit() {
	local t all="" rc=0
	for _ in $(seq "$RUNS"); do
		t=$(ms "$@") || rc=1
		all="$all $t"
	done
	[ $rc -eq 0 ] || { echo "failed: $(head -c 200 "$DIR/last.err" | tr '\n' ' ')"; return; }
	echo "$all" | tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { printf "%d %d\n", v[int((NR + 1) / 2)], v[NR] }'
}
have() { "$TD_BIN" help 2>/dev/null | grep -q "^  $1 "; }
row() { printf '  %-58s %10s %10s\n' "$1" "$2" "$3" | tee -a "$OUT"; }
timed_row() {
	local name=$1 r
	shift
	r=$(timeit "$@")
	case $r in
	failed*) row "$name" "$r" "" ;;
	*) row "$name" "${r% *}" "${r#* }" ;;
	esac
}

# ---- takedown list ----
ACTIVE="'open','reported','acknowledged','auto-acknowledged','needs-info'"
SEL="SELECT c.tag, c.state, c.kind, c.created FROM cases c"
say ""
say "## takedown list, one process per run, next to the sqlite3 shell (ms, median and max of $RUNS)"
row "command" "median" "max"
if have list; then
	L="$TD_BIN list --store $STORE"
	S="sqlite3 -readonly $STORE"
	timed_row "list (active, 50)" $L
	timed_row "  sqlite3: the same 50" $S "$SEL WHERE c.state IN ($ACTIVE) ORDER BY c.id DESC LIMIT 50"
	timed_row "list --state needs-info" $L --state needs-info
	timed_row "  sqlite3: the same 50" $S "$SEL WHERE c.state = 'needs-info' ORDER BY c.id DESC LIMIT 50"
	timed_row "list --role cdn" $L --role cdn
	timed_row "list --provider (largest host)" $L --provider "$TOPHOST"
	timed_row "  sqlite3: the same 50" $S "$SEL WHERE c.state IN ($ACTIVE) AND c.id IN (SELECT case_id FROM party WHERE provider_id = (SELECT id FROM provider WHERE name = '$(q "$TOPHOST")')) ORDER BY c.id DESC LIMIT 50"
	timed_row "list --registrar (largest)" $L --registrar "$TOPREG"
	timed_row "  sqlite3: the same, joined by name (no provider table)" $S "$SEL JOIN party p ON p.case_id = c.id AND p.role = 'registrar' WHERE p.name = '$(q "$TOPREG")' AND c.state IN ($ACTIVE) ORDER BY c.id DESC LIMIT 50"
	timed_row "list --older-than 30d --state reported" $L --older-than 30d --state reported
	timed_row "list --newer-than 7d" $L --newer-than 7d
	timed_row "list --label (most used)" $L --label "$LABEL"
	timed_row "list --domain" $L --domain "$DOMAIN"
	timed_row "list --all --limit 50" $L --all --limit 50
	timed_row "list --state active --registrar X --older-than 7d" $L --state active --registrar "$TOPREG" --older-than 7d
	timed_row "list --label L --escalated" $L --label "$LABEL" --escalated
	timed_row "list --provider (largest host) --state needs-info" $L --provider "$TOPHOST" --state needs-info
	timed_row "list --json (active, 50)" $L --json
	timed_row "list --all --limit 100000 (a big page)" $L --all --limit 100000
	timed_row "  sqlite3: the same 100000 rows" $S "$SEL ORDER BY c.id DESC LIMIT 100000"
else
	row "takedown list" "not available" ""
fi

# ---- takedown stats ----
say ""
say "## takedown stats (ms, median and max of $RUNS)"
row "command" "median" "max"
if have stats; then
	timed_row "stats" "$TD_BIN" stats --store "$STORE"
	timed_row "stats --json" "$TD_BIN" stats --json --store "$STORE"
	timed_row "stats --all --json" "$TD_BIN" stats --all --json --store "$STORE"
	timed_row "stats --role registrar --all" "$TD_BIN" stats --role registrar --all --store "$STORE"
else
	row "takedown stats" "not available" ""
	row "takedown stats --json" "not available" ""
fi
timed_row "  sqlite3: counters of the top 20 per role (provider_stats)" sqlite3 -readonly "$STORE" \
	"SELECT * FROM (SELECT s.role, p.name, s.cases, s.reported, s.answered, s.mitigated, row_number() OVER (PARTITION BY s.role ORDER BY s.cases DESC) AS r FROM provider_stats s JOIN provider p ON p.id = s.provider_id) WHERE r <= 20"
timed_row "  sqlite3: the same counts grouped from party (no counters)" sqlite3 -readonly "$STORE" \
	"SELECT role, provider_id, count(*), count(first_sent), count(first_human) FROM party GROUP BY role, provider_id ORDER BY 3 DESC LIMIT 20"
timed_row "  sqlite3: median time to takedown of the top 20, by sorting" sqlite3 -readonly "$STORE" \
	"WITH top AS (SELECT provider_id, role FROM provider_stats ORDER BY cases DESC LIMIT 20), d AS (SELECT p.provider_id, p.role, p.down_secs, row_number() OVER (PARTITION BY p.provider_id, p.role ORDER BY p.down_secs) AS k, count(*) OVER (PARTITION BY p.provider_id, p.role) AS n FROM party p JOIN top USING (provider_id, role) WHERE p.down_secs IS NOT NULL) SELECT provider_id, role, down_secs FROM d WHERE k = (n + 1) / 2"

# ---- takedown import ----
say ""
say "## takedown import of $IMPORT_MSGS messages into a copy of the store"
if have import; then
	COPY="$DIR/import-copy/cases.sqlite"
	rm -rf "$DIR/import-copy"
	mkdir -p "$DIR/import-copy"
	cp "$STORE" "$COPY" || die "cannot copy the store"
	# replies to real Message-IDs: a sample of the sent messages
	sqlite3 -readonly -separator "$(printf '\t')" "$STORE" \
		"SELECT message_id, recipient, subject FROM message WHERE state = 'sent' AND id % 97 = $SEED % 97 LIMIT $IMPORT_MSGS" \
		>"$DIR/sent.tsv"
	"$PY" - "$DIR/sent.tsv" "$DIR/replies.mbox" "$IMPORT_MSGS" "$SEED" <<'PY' || die "cannot write the mbox"
import random, sys
sent = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
n, rng = int(sys.argv[3]), random.Random(int(sys.argv[4]))
date = "Mon, 02 Nov 2026 09:%02d:00 +0000"
out = []
for i in range(n):
    kind = rng.choices(("human", "auto", "bounce", "none"), (35, 40, 10, 15))[0]
    mid, rcpt, subj = sent[rng.randrange(len(sent))]
    me = "<bench.%d.%d@reply.test>" % (int(sys.argv[4]), i)
    d = date % (i % 60)
    if kind == "human":
        m = ("From: %s\nTo: abuse-team@example.org\nSubject: Re: %s\nDate: %s\n"
             "Message-ID: %s\nIn-Reply-To: <%s>\nReferences: <%s>\n\n"
             "Thank you for your report. We have suspended the account.\n\n"
             "> quoted report text\n" % (rcpt, subj, d, me, mid, mid))
    elif kind == "auto":
        m = ("From: %s\nTo: abuse-team@example.org\nSubject: [Ticket #%07d] "
             "Re: %s\nDate: %s\nMessage-ID: %s\nIn-Reply-To: <%s>\n"
             "Auto-Submitted: auto-replied\nPrecedence: auto_reply\n\n"
             "We received your report. Ticket %07d.\n"
             % (rcpt, 1000000 + i, subj, d, me, mid, 1000000 + i))
    elif kind == "bounce":
        m = ("From: MAILER-DAEMON@mx.example\nTo: abuse-team@example.org\n"
             "Subject: Undelivered Mail Returned to Sender\nDate: %s\n"
             "Message-ID: %s\nAuto-Submitted: auto-replied\nMIME-Version: 1.0\n"
             "Content-Type: multipart/report; report-type=delivery-status;"
             " boundary=\"b%d\"\n\n--b%d\nContent-Type: text/plain\n\n"
             "This is the mail system. No such user.\n\n--b%d\n"
             "Content-Type: message/delivery-status\n\nReporting-MTA: dns; "
             "mx.example\n\nFinal-Recipient: rfc822; %s\nAction: failed\n"
             "Status: 5.1.1\n\n--b%d\nContent-Type: text/rfc822-headers\n\n"
             "Message-ID: <%s>\nSubject: %s\n\n--b%d--\n"
             % (d, me, i, i, i, rcpt, i, mid, subj, i))
    else:
        m = ("From: newsletter%d@shop.example\nTo: abuse-team@example.org\n"
             "Subject: Offer %d\nDate: %s\nMessage-ID: %s\n\n"
             "Nothing to do with any case.\n" % (i, i, d, me))
    out.append("From MAILER-DAEMON Mon Nov  2 09:00:00 2026\n" + m + "\n")
open(sys.argv[2], "w").write("".join(out))
PY
	say "  mbox: $(grep -c '^From MAILER-DAEMON' "$DIR/replies.mbox") messages, $(($(stat -c %s "$DIR/replies.mbox") / 1024)) KiB"
	row "command" "ms" ""
	t=$(ms "$TD_BIN" import --json --store "$COPY" "$DIR/replies.mbox") ||
		say "  import failed: $(head -c 300 "$DIR/last.err")"
	row "import (new messages, one run)" "$t" ""
	t2=$(ms "$TD_BIN" import --json --store "$COPY" "$DIR/replies.mbox")
	row "import of the same mbox again (all known)" "$t2" ""
	say "  stored: $(sqlite3 -readonly "$COPY" "SELECT count(*) || ' received, ' || count(case_id) || ' matched' FROM received")"
	timed_row "  python3 mailbox: only reading the mbox" "$PY" -c 'import mailbox, sys
n = 0
for m in mailbox.mbox(sys.argv[1]):
    m.get("In-Reply-To"); n += 1' "$DIR/replies.mbox"
	[ "${KEEP_COPY:-0}" = 1 ] || rm -rf "$DIR/import-copy"
else
	row "takedown import" "not available" ""
fi
say ""
say "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "store.sh: results in $OUT" >&2
