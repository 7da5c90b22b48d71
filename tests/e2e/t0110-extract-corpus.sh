#!/bin/sh
# Every message file in the shared corpora goes through extract without a
# crash, with valid JSON and at least one message per input.  Read in place.
. "$(dirname "$0")/lib.sh"
[ -d "$TD_CORPUS/phishing_pot/email" ] || skip_all "../shared/corpus absent"
# set directory, file pattern, how many files may be refused (not RFC 5322:
# spam-spamscope has one Outlook .msg file)
sets="phishing_pot/email:*.eml:0 spam-spamscope:*.eml:1 mime-hunnysoft:m*.txt:0
mime-mailparser:*.eml:0 mime-mimekit/messages:*:0 mime-mimekit/mbox:*.mbox.txt:0
mime-gmime/mbox/input:*:0"
plan 7
corpus_ok() {
	find "$1" -maxdepth 1 -type f -name "$2" | sort >"$T/list"
	[ -s "$T/list" ] || { echo "no files"; return 1; }
	# exit 1 (xargs: 123) when a file is refused; 2 or more, or a
	# signal, is a failure
	xargs -d '\n' timeout 600 "$TD_BIN" extract --json --no-progress <"$T/list" >"$T/out.json" 2>"$T/err"
	rc=$?
	[ $rc -eq 0 ] || [ $rc -eq 123 ] || { echo "exit $rc"; tail -5 "$T/err"; return 1; }
	python3 - "$T/out.json" "$T/list" "$3" <<'PY'
import json, sys
seen = set()
for line in open(sys.argv[1]):
    o = json.loads(line)
    assert o["messages"], o["source"]
    seen.add(o["source"]["path"])
files = [l.rstrip("\n") for l in open(sys.argv[2])]
missing = [f for f in files if f not in seen]
print(len(files), "files,", len(seen), "with messages")
assert len(missing) <= int(sys.argv[3]), missing[:10]
PY
}
for s in $sets; do
	dir=${s%%:*}; rest=${s#*:}; pat=${rest%%:*}; allow=${rest#*:}
	if [ ! -d "$TD_CORPUS/$dir" ]; then
		n=$((n + 1)); echo "ok $n - $dir # SKIP absent"; continue
	fi
	check "$dir: no crash, valid JSON, a message from every file" corpus_ok "$TD_CORPUS/$dir" "$pat" "$allow"
done
