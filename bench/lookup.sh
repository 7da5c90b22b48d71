#!/usr/bin/env bash
# Throughput of `takedown lookup` against a generated fake world served on
# 127.0.0.1 by servers that answer every question 50 ms late, beside the
# lower bound that latency, takedown's per-server limits and the dependency
# chain allow, and beside a sequential `whois` loop.
#
#   bench/lookup.sh             (from the repository root, after `make`)
#
# Environment:
#   TD_BIN     takedown binary          (default build/release/takedown;
#                                        copied first, so a rebuild during
#                                        the run does not disturb it)
#   TD_CORPUS  corpus root              (default ../shared/corpus)
#   SEED       world seed               (default 1: the same world each run)
#   URLS DOMAINS IPS  world size        (default 2400, 600, 380 addresses in
#                                        the pool; hosts add a few more)
#   DELAY_MS   server latency           (default 50)
#   REPEAT     full runs, best kept     (default 1; ~30 s a run)
#   NO_BASELINE=1  skip the whois-loop comparison
#   KEEP=1     keep the scratch folder (world, logs, outputs) and say where
#
# Prints: requests sent per protocol (--stats) beside the distinct
# questions the world implies (bench/lookup/model.py says which) and what
# the servers received, with any repeated, missing or unexpected question
# named; wall time beside the lower bound (per-server limits, 50 ms
# latency, dependency chain) and their ratio; where the time went; peak
# RSS and CPU; each address checked against its own network's record; and
# the whois-loop baseline.  Figures also in bench/out/lookup.json.
#
# Needs python3, Debian's whois client (/usr/bin/whois) for the baseline,
# and ../shared/corpus: every RDAP and WHOIS answer of the world is a real
# recorded answer from there with names and addresses substituted
# (bench/lookup/templates.py says which).  Nothing leaves 127.0.0.1: the
# world's server names are under .test and resolve, through our DNS server
# only, to 127.0.0.1; WHOIS names are mapped with --connect-to.
#
# What runs:
#   bench/lookup/gen_world.py   the world: URL list, zone, RDAP and WHOIS
#                               answers, IANA-format bootstrap files
#   bench/lookup/check_world.py each generated answer read back with
#                               `takedown parse-record` against the model
#   bench/lookup/dnsd.py        DNS (UDP/TCP), A/AAAA/NS/MX/CNAME, NODATA and
#                               NXDOMAIN with SOA, every answer DELAY_MS late
#   tests/servers/httpd.py --delay --ip-ranges --backlog
#                               RDAP for 20 host names (one folder each)
#   tests/servers/whoisd.py --delay --backlog
#                               registry and registrar WHOIS (two servers)
#   takedown lookup --batch urls.txt --json --stats  (the timed run; with
#     TAKEDOWN_HOME and XDG_*_HOME in the scratch folder, so no stored
#     answer is used and nothing is written to the user's folders)
#   whois --no-recursion -h 127.0.0.1 -p PORT DOMAIN, in a loop over the
#     WHOIS-only domains (and the registrar where the registry refers),
#     against takedown lookup of the same domains
#   bench/lookup/report.py      the figures; bench/out/lookup.json
#
# It is not part of `make check`.  Servers are stopped on exit (trap), and
# each also exits by itself when this script's process is gone.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
TD_BIN=${TD_BIN:-$top/build/release/takedown}
TD_CORPUS=${TD_CORPUS:-$top/../shared/corpus}
SEED=${SEED:-1}
URLS=${URLS:-2400}
DOMAINS=${DOMAINS:-600}
IPS=${IPS:-380}
DELAY_MS=${DELAY_MS:-50}
REPEAT=${REPEAT:-1}
here=$top/bench/lookup
out=$top/bench/out
export PYTHONDONTWRITEBYTECODE=1 # no __pycache__ in the tree
mkdir -p "$out"

die() { echo "lookup.sh: $*" >&2; exit 2; }

command -v python3 >/dev/null || die "needs python3"
[ -x "$TD_BIN" ] || die "no takedown binary at $TD_BIN (run make)"
[ -d "$TD_CORPUS/rdap-bbot" ] && [ -d "$TD_CORPUS/whois-parser" ] ||
	die "corpus absent: $TD_CORPUS"
have_whois=1
{ [ -x /usr/bin/whois ] && [ "${NO_BASELINE:-0}" != 1 ]; } || have_whois=0

load_start=$(cut -d' ' -f1 /proc/loadavg)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/td-bench-lookup.XXXXXX") || exit 2
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null
	done
	if [ "${KEEP:-0}" = 1 ]; then
		echo "# scratch folder kept: $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Our own copy: the binary may be rebuilt while we run.
cp "$TD_BIN" "$tmp/takedown" || die "cannot copy $TD_BIN"
TD="$tmp/takedown"
"$TD" lookup --help 2>&1 | grep -q -- '--stats' ||
	die "$TD_BIN has no lookup --stats (needed to count the requests sent)"

# The RDAP server's port goes into the world's URLs: pick a free one.
http_port=$(python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
W="$tmp/world"
python3 "$here/gen_world.py" --out "$W" --http-port "$http_port" \
	--corpus "$TD_CORPUS" --seed "$SEED" --urls "$URLS" \
	--domains "$DOMAINS" --ips "$IPS" >"$tmp/world.txt" ||
	die "world generation failed"
python3 "$here/check_world.py" "$TD" "$W" >"$tmp/check.txt"
echo $? >"$tmp/check.rc"

# wait_port FILE: the port a server wrote, once it listens (10 s at most)
wait_port() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ -s "$1" ] && { cat "$1"; return 0; }
		sleep 0.1
	done
	return 1
}
mkdir -p "$tmp/logs"
python3 "$here/dnsd.py" --zone "$W/zone.json" --port-file "$tmp/dns.port" \
	--delay "$DELAY_MS" --log "$tmp/logs/dns.log" --parent $$ \
	--lifetime 7200 2>"$tmp/logs/dnsd.err" &
pids+=($!)
python3 tests/servers/httpd.py --root "$W/http" --port "$http_port" \
	--port-file "$tmp/http.port" --delay "$DELAY_MS" --ip-ranges --backlog 1024 \
	--log "$tmp/logs/http.log" --parent $$ --lifetime 7200 \
	2>"$tmp/logs/httpd.err" &
pids+=($!)
python3 tests/servers/whoisd.py --root "$W/whois/registry" \
	--port-file "$tmp/whois-reg.port" --delay "$DELAY_MS" --backlog 256 \
	--log "$tmp/logs/whois-registry.log" --parent $$ --lifetime 7200 \
	2>"$tmp/logs/whoisd-reg.err" &
pids+=($!)
python3 tests/servers/whoisd.py --root "$W/whois/registrar" \
	--port-file "$tmp/whois-rar.port" --delay "$DELAY_MS" --backlog 256 \
	--log "$tmp/logs/whois-registrar.log" --parent $$ --lifetime 7200 \
	2>"$tmp/logs/whoisd-rar.err" &
pids+=($!)
dns_port=$(wait_port "$tmp/dns.port") || die "dnsd did not start: $(cat "$tmp/logs/dnsd.err")"
wait_port "$tmp/http.port" >/dev/null ||
	die "httpd did not start on port $http_port: $(tail -n 3 "$tmp/logs/httpd.err")"
reg_port=$(wait_port "$tmp/whois-reg.port") || die "whoisd (registry) did not start"
rar_port=$(wait_port "$tmp/whois-rar.port") || die "whoisd (registrar) did not start"

# Every WHOIS host name of the world goes to one of the two WHOIS servers.
td_args=(lookup --json --stats --allow-loopback --dns "127.0.0.1:$dns_port"
	--bootstrap "$W/boot" --whois-root "127.0.0.1:$reg_port")
# No stored answers: each run starts with an empty takedown home (config,
# data, cache), and never touches the user's.
"$TD" lookup --help 2>&1 | grep -q -- '--no-cache' && td_args+=(--no-cache)
# run_td NAME BATCH: one timed takedown run with its own empty home
run_td() {
	mkdir -p "$tmp/home-$1"
	TAKEDOWN_HOME="$tmp/home-$1" XDG_CACHE_HOME="$tmp/home-$1/xdg-cache" \
		XDG_CONFIG_HOME="$tmp/home-$1/xdg-config" \
		XDG_DATA_HOME="$tmp/home-$1/xdg-data" \
		python3 "$here/runcmd.py" --result "$tmp/$1.json" \
		--stdout "$tmp/$1.out" --stderr "$tmp/$1.err" -- \
		"$TD" "${td_args[@]}" --batch "$2"
}
while IFS=$'\t' read -r host role; do
	if [ "$role" = registrar ]; then p=$rar_port; else p=$reg_port; fi
	td_args+=(--connect-to "$host:43:127.0.0.1:$p")
done <"$W/whois-hosts.tsv"

# The timed runs.
: >"$tmp/runs.txt"
for ((i = 1; i <= REPEAT; i++)); do
	run_td "run$i" "$W/urls.txt"
	echo "$i" >>"$tmp/runs.txt"
	sleep 1 # let late log lines land; keeps runs apart in the logs
done

# The baseline: WHOIS-only domains, Debian's whois one query at a time,
# then takedown over the same domains.
if [ $have_whois = 1 ]; then
	python3 - "$W" "$reg_port" "$rar_port" >"$tmp/whois-loop.txt" <<'EOF'
import json, sys
w = json.load(open(sys.argv[1] + "/world.json"))
for name in open(sys.argv[1] + "/whois-domains.txt").read().split():
    d = w["domains"][name]
    print(sys.argv[2], name)
    if d.get("registrar_whois"):
        print(sys.argv[3], name)
EOF
	python3 "$here/runcmd.py" --result "$tmp/whois-loop.json" \
		--stdout "$tmp/whois-loop.out" --stderr "$tmp/whois-loop.err" -- \
		bash -c 'while read -r port dom; do
			/usr/bin/whois --no-recursion -h 127.0.0.1 -p "$port" "$dom" ||
				echo "whois $dom failed" >&2
		done <"$1"' whois-loop "$tmp/whois-loop.txt"
	sleep 1
	run_td whois-td "$W/whois-domains.txt"
	sleep 1
fi

whois_ver=$(/usr/bin/whois --version 2>/dev/null | head -n 1)
td_ver=$("$TD" --version 2>/dev/null | head -n 1)
[ -n "$td_ver" ] || td_ver="takedown $(cat VERSION)"
python3 "$here/report.py" --world "$W" --tmp "$tmp" --repeat "$REPEAT" \
	--delay "$DELAY_MS" --load-start "$load_start" \
	--td-version "$td_ver" --whois-version "$whois_ver" \
	--json "$out/lookup.json"
