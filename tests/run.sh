#!/bin/sh
# Runs every test of takedown and closes with "N passed, N failed".
#
#   tests/run.sh BUILD_DIR
#   tests/run.sh --valgrind BUILD_DIR [tNNNN...]
#
# Unit tests (cmocka) print TAP (CMOCKA_MESSAGE_OUTPUT=TAP); end-to-end
# tests (tests/e2e/t*.sh) print TAP too.  Both are counted here.
# Suites that need ../shared/corpus say so and skip where it is absent.
# --valgrind runs only the end-to-end scripts (those named, else all),
# with every takedown command under valgrind memcheck
# (tests/valgrind/takedown); its reports are shown at the end.
valgrind=0
if [ "$1" = "--valgrind" ]; then
	valgrind=1
	shift
fi
B=${1:-build/release}
[ $# -gt 0 ] && shift
top=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "$top" && cd "$B" && pwd) || { echo "no build dir $1" >&2; exit 2; }
export TD_BIN="$B/takedown" TD_TOP="$top" TD_BUILD="$B"
if [ $valgrind = 1 ]; then
	# a copy, so that a rebuild during the run does not pull it away
	export TD_VALGRIND_LOG="${TD_VALGRIND_LOG:-$(mktemp -d)}"
	mkdir -p "$TD_VALGRIND_LOG" &&
		cp "$B/takedown" "$TD_VALGRIND_LOG/takedown" || exit 2
	export TD_REAL_BIN="$TD_VALGRIND_LOG/takedown"
	export TD_BIN="$top/tests/valgrind/takedown"
fi
export TD_CORPUS="${TD_CORPUS:-$top/../shared/corpus}"
export CMOCKA_MESSAGE_OUTPUT=TAP
log=$(mktemp)
trap 'rm -f "$log"' EXIT INT TERM

run() {
	name=$1; shift
	echo "# $name"
	"$@" >"$log.out" 2>&1
	rc=$?
	cat "$log.out"
	if [ $rc -eq 0 ] && grep -q '^1\.\.0 *# *[Ss][Kk][Ii][Pp]' "$log.out"; then
		# a whole suite skipped (TAP "1..0 # SKIP why"): one skip
		why=$(sed -n 's/^1\.\.0 *# *[Ss][Kk][Ii][Pp] *//p' "$log.out" | head -1)
		echo "ok - $name # SKIP $why" >>"$log"
	elif ! grep -q '^\(not \)\{0,1\}ok ' "$log.out"; then
		# A suite that printed no TAP line at all counts as one failure.
		echo "not ok - $name printed no results (exit $rc)"
		echo "not ok - $name" >>"$log"
	else
		grep '^\(not \)\{0,1\}ok ' "$log.out" >>"$log"
		if [ $rc -ne 0 ] && ! grep '^not ok ' "$log.out" | grep -vq '# *[Ss][Kk][Ii][Pp]'; then
			echo "not ok - $name exited $rc"
			echo "not ok - $name exited $rc" >>"$log"
		fi
	fi
	rm -f "$log.out"
}

if [ $valgrind = 0 ]; then
for t in "$B"/tests/test_*; do
	[ -x "$t" ] || continue
	run "unit $(basename "$t")" "$t"
done
for r in "$B"/fuzz/replay_*; do
	[ -x "$r" ] || continue
	n=$(basename "$r" | sed 's/^replay_//')
	run "replay $n" "$r" "$top/fuzz/corpus/$n"
done
fi
for t in "$top"/tests/e2e/t[0-9]*.sh; do
	[ -f "$t" ] || continue
	if [ $valgrind = 1 ] && [ $# -gt 0 ]; then
		want=0
		for w in "$@"; do
			case $(basename "$t") in "$w"*) want=1 ;; esac
		done
		[ $want = 1 ] || continue
	fi
	run "e2e $(basename "$t")" sh "$t"
done
if [ $valgrind = 1 ]; then
	for f in "$TD_VALGRIND_LOG"/vg.*.log; do
		[ -s "$f" ] || continue
		echo "# valgrind: $f"
		sed 's/^/#   /' "$f" | head -60
		echo "not ok - valgrind found errors ($f)" >>"$log"
	done
fi

# "ok N # SKIP" (TAP) and "not ok N # SKIP" (cmocka 1.1) are skips
skip=$(grep -c '^\(not \)\{0,1\}ok .*# *[Ss][Kk][Ii][Pp]' "$log")
pass=$(grep '^ok ' "$log" | grep -vc '# *[Ss][Kk][Ii][Pp]')
fail=$(grep '^not ok ' "$log" | grep -vc '# *[Ss][Kk][Ii][Pp]')
if [ "$fail" -ne 0 ]; then
	echo "# failures:"
	grep '^not ok ' "$log" | grep -v '# *[Ss][Kk][Ii][Pp]' | sed 's/^/#   /'
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
