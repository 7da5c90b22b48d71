#!/usr/bin/env bash
# Throughput and peak memory of `takedown extract --json` beside three peers,
# over the same real phishing e-mails, on one core.
#
#   bench/extract.sh            (from the repository root, after `make` and
#                                `npm install --prefix bench`)
#
# Environment:
#   TD_BIN     takedown binary          (default build/release/takedown)
#   TD_CORPUS  corpus root              (default ../shared/corpus)
#   REPEAT     runs per tool, best kept (default 3)
#   URLSCAN_REPEAT  the same for urlscan (default REPEAT; ~2 min a run)
#   NO_URLSCAN=1  skip urlscan (one process per message: slow)
#
# Needs: GNU time as /usr/bin/time (Debian package "time") for peak RSS,
# python3, node with bench/node_modules, urlscan (Debian package), and
# taskset (util-linux) to pin every run to CPU 0 (runs unpinned without it).
#
# Tools, each over the whole file list:
#   takedown  extract --json FILE...                  one process
#   python    bench/peers/py_extract.py FILE...        one process
#   node      bench/peers/node_extract.js FILE...      one process
#   urlscan   urlscan -n FILE                          one process PER FILE
# Every tool's output goes to /dev/null during timing.  "python (parse)" and
# "node (parse)" are the peers with --mode parse: MIME parsing and decoding
# only, no URL search (a floor for what the peer's parser costs).
#
# Seconds are wall-clock, best of REPEAT; peak RSS is the largest of the
# REPEAT runs (for urlscan: the largest single process).  MB = 10^6 bytes of
# input files.  Also checks that takedown's peak RSS does not grow with the
# number of messages: first 50 files vs all, and all files concatenated 10
# times as one mbox.  Prints a plain-text table and writes
# bench/out/extract.json.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
TD_BIN=${TD_BIN:-$top/build/release/takedown}
TD_CORPUS=${TD_CORPUS:-$top/../shared/corpus}
REPEAT=${REPEAT:-3}
URLSCAN_REPEAT=${URLSCAN_REPEAT:-$REPEAT}
out=$top/bench/out
mkdir -p "$out"

die() { echo "extract.sh: $*" >&2; exit 2; }

[ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1 ||
	die "needs GNU time as /usr/bin/time for peak RSS (apt-get install -y time)"
command -v python3 >/dev/null || die "needs python3"
[ -x "$TD_BIN" ] || die "no takedown binary at $TD_BIN (run make)"
[ -d "$TD_CORPUS/phishing_pot/email" ] ||
	die "corpus absent: $TD_CORPUS/phishing_pot/email"
have_node=1
{ command -v node >/dev/null && [ -d "$top/bench/node_modules/mailparser" ]; } ||
	{ have_node=0; echo "# node peer skipped: needs node and npm install --prefix bench" >&2; }
have_urlscan=1
{ command -v urlscan >/dev/null && [ "${NO_URLSCAN:-0}" != 1 ]; } || have_urlscan=0
pin=()
if command -v taskset >/dev/null && taskset -c 0 true 2>/dev/null; then
	pin=(taskset -c 0)
fi

load_start=$(cut -d' ' -f1 /proc/loadavg)
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

# The file list, in natural order.
ls "$TD_CORPUS"/phishing_pot/email/*.eml | sort -V >"$tmp/files"
head -n 50 "$tmp/files" >"$tmp/files50"
mapfile -t FILES <"$tmp/files"
mapfile -t FILES50 <"$tmp/files50"
nfiles=${#FILES[@]}
bytes=$(cat "${FILES[@]}" | wc -c)

# One mbox holding every message 10 times (mboxrd: ">From " quoting).
python3 - "$tmp/files" "$tmp/x10.mbox" <<'EOF'
import re, sys
files = [l.rstrip("\n") for l in open(sys.argv[1])]
quote = re.compile(rb"^(>*From )", re.M)
with open(sys.argv[2], "wb") as out:
    for _ in range(10):
        for f in files:
            data = open(f, "rb").read().replace(b"\r\n", b"\n")
            if not data.endswith(b"\n"):
                data += b"\n"
            out.write(b"From takedown-bench@localhost Thu Jan  1 00:00:00 1970\n")
            out.write(quote.sub(rb">\1", data))
            out.write(b"\n")
EOF
mbox_bytes=$(wc -c <"$tmp/x10.mbox")

# measure NAME MESSAGES BYTES CMD...: REPEAT runs, appends one TSV line
# "name<TAB>messages<TAB>bytes<TAB>best seconds<TAB>max peak RSS kB<TAB>rc"
# to $tmp/results.
measure() {
	local name=$1 msgs=$2 nbytes=$3 i t0 t1 rss best="" maxrss=0 rc=0 s
	shift 3
	for ((i = 0; i < REPEAT; i++)); do
		t0=$(date +%s%N)
		/usr/bin/time -f %M -o "$tmp/rss" "${pin[@]}" "$@" >/dev/null 2>"$tmp/err"
		rc=$?
		t1=$(date +%s%N)
		rss=$(tail -n 1 "$tmp/rss")
		case $rss in *[!0-9]*|'') rss=0 ;; esac
		s=$((t1 - t0))
		if [ -z "$best" ] || [ "$s" -lt "$best" ]; then best=$s; fi
		if [ "$rss" -gt "$maxrss" ]; then maxrss=$rss; fi
	done
	if [ "$rc" -gt 1 ]; then
		echo "# $name exited $rc: $(head -c 300 "$tmp/err")" >&2
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$msgs" "$nbytes" \
		"$(awk -v n="$best" 'BEGIN { printf "%.4f", n / 1e9 }')" \
		"$maxrss" "$rc" >>"$tmp/results"
}

# Messages each tool actually handled (not timed).
td_msgs=$("$TD_BIN" extract --json "${FILES[@]}" 2>/dev/null | grep -c '^{')
py_msgs=$(python3 bench/peers/py_extract.py --mode count "${FILES[@]}" 2>/dev/null |
	awk '/^messages/ { print $2 }')
node_msgs=0
[ $have_node = 1 ] && node_msgs=$(node bench/peers/node_extract.js --mode count \
	"${FILES[@]}" 2>/dev/null | awk '/^messages/ { print $2 }')

: >"$tmp/results"
measure takedown "$td_msgs" "$bytes" "$TD_BIN" extract --json "${FILES[@]}"
measure python "$py_msgs" "$bytes" python3 bench/peers/py_extract.py "${FILES[@]}"
[ $have_node = 1 ] &&
	measure node "$node_msgs" "$bytes" node bench/peers/node_extract.js "${FILES[@]}"
if [ $have_urlscan = 1 ]; then
	# Messages urlscan handled = files minus the calls that failed (in the
	# last timed run; the failure log costs nothing measurable).
	export US_FAILS="$tmp/us_fails"
	: >"$US_FAILS"
	REPEAT=$URLSCAN_REPEAT measure urlscan "?" "$bytes" sh -c \
		': >"$US_FAILS"; for f; do urlscan -n "$f" || echo "$f" >>"$US_FAILS"; done' \
		sh "${FILES[@]}"
	us_msgs=$((nfiles - $(wc -l <"$US_FAILS")))
	sed -i "s/^urlscan\t?\t/urlscan\t$us_msgs\t/" "$tmp/results"
	# Start-up cost of one urlscan process, on a 4-line message.
	printf 'From: a@example.org\nTo: b@example.org\nSubject: x\n\nx\n' >"$tmp/min.eml"
	# Best of 3 batches of 10 calls.
	us_best=""
	for ((j = 0; j < 3; j++)); do
		t0=$(date +%s%N)
		for ((i = 0; i < 10; i++)); do
			"${pin[@]}" urlscan -n "$tmp/min.eml" >/dev/null
		done
		t1=$(date +%s%N)
		if [ -z "$us_best" ] || [ $((t1 - t0)) -lt "$us_best" ]; then
			us_best=$((t1 - t0))
		fi
	done
	us_start=$(awk -v n="$us_best" 'BEGIN { printf "%.4f", n / 10 / 1e9 }')
else
	us_start=""
fi
measure "python (parse)" "$py_msgs" "$bytes" python3 bench/peers/py_extract.py --mode parse "${FILES[@]}"
[ $have_node = 1 ] &&
	measure "node (parse)" "$node_msgs" "$bytes" node bench/peers/node_extract.js --mode parse "${FILES[@]}"

# Memory against the number of messages (takedown only).
: >"$tmp/mem"
mem() {
	local label=$1 msgs=$2 nbytes=$3
	shift 3
	REPEAT=1 measure "$label" "$msgs" "$nbytes" "$@"
}
bytes50=$(cat "${FILES50[@]}" | wc -c)
mv "$tmp/results" "$tmp/results.main"
mem "first 50 files" "${#FILES50[@]}" "$bytes50" "$TD_BIN" extract --json "${FILES50[@]}"
mem "all $nfiles files" "$nfiles" "$bytes" "$TD_BIN" extract --json "${FILES[@]}"
mbox_msgs=$("$TD_BIN" extract --json "$tmp/x10.mbox" 2>/dev/null | grep -c '^{')
mem "all x10, one mbox" "$mbox_msgs" "$mbox_bytes" "$TD_BIN" extract --json "$tmp/x10.mbox"
mv "$tmp/results" "$tmp/results.mem"

# Versions.
td_ver=$("$TD_BIN" --version 2>/dev/null | head -n 1)
[ -n "$td_ver" ] || td_ver="takedown $(cat VERSION)"
py_ver=$(python3 --version 2>&1 | awk '{ print "Python " $2 ", stdlib email + regex" }')
node_ver=""
[ $have_node = 1 ] && node_ver="node $(node --version), mailparser $(node -p \
	"require('./bench/node_modules/mailparser/package.json').version"), linkify-it $(node -p \
	"require('./bench/node_modules/linkify-it/package.json').version")"
us_ver="urlscan $(dpkg-query -W -f '${Version}' urlscan 2>/dev/null) (Debian package), urlscan -n FILE"

export TD_VER="$td_ver" PY_VER="$py_ver" NODE_VER="$node_ver" US_VER="$us_ver" \
	US_START="$us_start" LOAD_START="$load_start" PIN="${pin[*]}" REPEAT NFILES="$nfiles" BYTES="$bytes"
python3 - "$tmp/results.main" "$tmp/results.mem" "$out/extract.json" <<'EOF'
import json, os, sys
E = os.environ
ver = {"takedown": E["TD_VER"], "python": E["PY_VER"], "node": E["NODE_VER"],
       "urlscan": E["US_VER"], "python (parse)": E["PY_VER"],
       "node (parse)": E["NODE_VER"]}
nfiles, nbytes, repeat = int(E["NFILES"]), int(E["BYTES"]), int(E["REPEAT"])
us_start = float(E["US_START"] or 0)


def rows(path):
    r = []
    for ln in open(path):
        n, m, b, s, k, rc = ln.rstrip("\n").split("\t")
        m, b, s, k = int(m), int(b), float(s), int(k)
        r.append(dict(tool=n, version=ver.get(n, ""), messages=m,
                      mb=round(b / 1e6, 3), seconds=s,
                      msgs_per_s=round(m / s, 1) if s else None,
                      mb_per_s=round(b / 1e6 / s, 2) if s else None,
                      peak_rss_kb=k, exit=int(rc)))
    return r


def cpu():
    try:
        for ln in open("/proc/cpuinfo"):
            if ln.startswith("model name"):
                return ln.split(":", 1)[1].strip()
    except OSError:
        pass
    return os.uname().machine


main, mem = rows(sys.argv[1]), rows(sys.argv[2])
pin = E["PIN"] or "not pinned (no taskset)"
w = sys.stdout.write
w("takedown extract benchmark: %d files from phishing_pot (%.1f MB), "
  "best of %d, %s\n" % (nfiles, nbytes / 1e6, repeat, pin))
w("host: %s, %d CPUs online, load average %s at start, %s at end\n" % (
  cpu(), os.cpu_count() or 0, E["LOAD_START"],
  open("/proc/loadavg").read().split()[0]))
load1 = float(E["LOAD_START"] or 0)
if load1 > 0.5 * (os.cpu_count() or 1):
    w("WARNING: the machine was busy at the start (load %.2f on %d CPUs): "
      "figures are noisy, run again on a quiet machine\n"
      % (load1, os.cpu_count() or 1))
w("\n%-15s %8s %5s %8s %9s %6s %9s\n" % ("tool", "messages", "MB",
  "seconds", "msgs/s", "MB/s", "peak RSS"))
for r in main:
    w("%-15s %8d %5.1f %8.3f %9.1f %6.2f %6.1f MB\n" % (r["tool"],
      r["messages"], r["mb"], r["seconds"], r["msgs_per_s"] or 0,
      r["mb_per_s"] or 0, r["peak_rss_kb"] / 1024))
w("\nversions:\n")
for t in ("takedown", "python", "node", "urlscan"):
    if any(r["tool"] == t for r in main):
        w("  %-9s %s\n" % (t, ver[t]))
td = next(r for r in main if r["tool"] == "takedown")
peers = [r for r in main if r["tool"] in ("python", "node", "urlscan")]
fast = max(peers, key=lambda r: r["msgs_per_s"] or 0) if peers else None
w("\n")
ratios = {}
for p in sorted(peers, key=lambda r: -(r["msgs_per_s"] or 0)):
    ratios[p["tool"]] = td["msgs_per_s"] / p["msgs_per_s"]
    w("takedown msgs/s / %s msgs/s = %.1fx%s\n" % (p["tool"],
      ratios[p["tool"]], "  (fastest peer)" if p is fast else ""))
us = next((r for r in main if r["tool"] == "urlscan"), None)
if us and us_start:
    w("urlscan takes one message per process: start-up alone is %.3f s a "
      "call, %.1f s of its %.1f s (%.0f%%), so process-spawn cost dominates "
      "its figure.\n" % (us_start, us_start * nfiles, us["seconds"],
                         100 * us_start * nfiles / us["seconds"]))
w("python/node (parse): --mode parse, MIME parsing and decoding only, no URL "
  "search.\n")
w("\nmemory against number of messages (takedown extract --json):\n")
for r in mem:
    w("  %-20s %6d messages %6.1f MB  peak RSS %6.1f MB  %7.3f s\n" % (
      r["tool"], r["messages"], r["mb"], r["peak_rss_kb"] / 1024,
      r["seconds"]))
if len(mem) >= 2 and mem[0]["peak_rss_kb"]:
    w("  peak RSS ratio: all/first-50 = %.2f" % (mem[1]["peak_rss_kb"] /
      mem[0]["peak_rss_kb"]))
    if len(mem) >= 3:
        w(", x10 mbox/first-50 = %.2f" % (mem[2]["peak_rss_kb"] /
          mem[0]["peak_rss_kb"]))
    w("\n")
with open(sys.argv[3], "w") as fh:
    json.dump(dict(corpus="phishing_pot", files=nfiles, bytes=nbytes,
                   repeat=repeat, pinned=pin, tools=main, memory=mem,
                   urlscan_startup_s=us_start, ratios=ratios,
                   fastest_peer=fast["tool"] if fast else None,
                   ratio_vs_fastest_peer=ratios.get(fast["tool"])
                   if fast else None), fh, indent=1)
    fh.write("\n")
w("\nfigures: bench/out/extract.json\n")
EOF
