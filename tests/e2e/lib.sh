# Shared helpers for end-to-end tests: TAP output and a scratch folder.
# Each test sources this, calls plan N, then ok/not_ok via check.
: "${TD_BIN:?run through tests/run.sh}"
: "${TD_TOP:?run through tests/run.sh}"
FIX="$TD_TOP/tests/fixtures"
T=$(mktemp -d "${TMPDIR:-/tmp}/td-e2e.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
n=0
plan() { echo "1..$1"; }
# check "description" command...: ok if the command succeeds
check() {
	d=$1; shift
	n=$((n + 1))
	if "$@" >"$T/check.out" 2>&1; then
		echo "ok $n - $d"
	else
		echo "not ok $n - $d"
		sed 's/^/#   /' "$T/check.out" | head -20
	fi
}
skip_all() { echo "1..0 # SKIP $1"; exit 0; }
# jq-like queries through python3 (present wherever the tests run)
jsonq() { python3 -c "import json,sys
for line in sys.stdin:
    o=json.loads(line)
    $1" ; }
