#!/bin/sh
# takedown update-data against the fixture HTTP server: a good update lands
# in the folder and lookup can use it; a truncated, malformed, missing,
# reset or stalled download fails with exit 1 and leaves the previous
# folder exactly as it was.
. "$(dirname "$0")/lib.sh"
plan 20

# Nothing may touch the real home folder.
export TAKEDOWN_HOME="$T/home"
export HOME="$T/nohome"
unset XDG_DATA_HOME XDG_CONFIG_HOME XDG_CACHE_HOME

IANA="$TD_TOP/data/iana"
W="$T/www"
D="$T/dest/iana"
FILES="dns.json ipv4.json ipv6.json asn.json"

# One server, one folder per scenario below $W.
mkdir -p "$W/good" "$W/trunc" "$W/badjson" "$W/notboot" "$W/empty" \
	"$W/missing" "$W/lk/rdap/ip"
for f in $FILES; do
	cp "$IANA/$f" "$W/good/$f"
	for s in trunc badjson notboot empty missing lk; do
		cp "$IANA/$f" "$W/$s/$f"
	done
done
size=$(wc -c <"$IANA/dns.json")
head -c $((size / 2)) "$IANA/dns.json" >"$W/trunc/dns.json"
printf '{"publication": "2030-01-01T00:00:00Z", "services": [[["com"], ' \
	>"$W/badjson/dns.json"
printf '{"publication": "2030-01-01T00:00:00Z", "services": {}}\n' \
	>"$W/notboot/ipv6.json"
printf '{"publication": "2030-01-01T00:00:00Z", "services": []}\n' \
	>"$W/empty/ipv6.json"
rm "$W/missing/dns.json"
cat >"$T/faults" <<EOF
/stall/dns.json stall
/reset/dns.json reset
EOF
for f in ipv4.json ipv6.json asn.json; do
	mkdir -p "$W/stall" "$W/reset"
	cp "$IANA/$f" "$W/stall/$f"
	cp "$IANA/$f" "$W/reset/$f"
done
start_httpd "$W" "$T/faults" || skip_all "fixture HTTP server did not start"
U="http://127.0.0.1:$HTTP_PORT"

# A newer ipv4.json whose one extra prefix points at the fixture server,
# with an RDAP answer there, so that lookup shows it read the new folder.
python3 - "$IANA/ipv4.json" "$W/lk/ipv4.json" "$U/lk/rdap/" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["publication"] = "2030-01-01T00:00:00Z"
d["services"].append([["177.0.0.0/14"], [sys.argv[3]]])
json.dump(d, open(sys.argv[2], "w"), indent=1)
EOF
cp "$FIX/rdap/ip_network_br.json" "$W/lk/rdap/ip/177.0.0.1"

upd() { "$TD_BIN" update-data --allow-loopback --timeout 1000 "$@"; }

# snap DIR: everything that must not change (inode, listing, contents)
snap() {
	stat -c '%i %Y' "$1"
	(cd "$1" && ls -lA --time-style=+%s . && cat ./*)
}
leftovers() { ls -a "$(dirname "$1")" | grep -c '^\.iana\.' ; }

t_refuses_loopback() {
	"$TD_BIN" update-data --from "$U/good/" --dir "$D" \
		>"$T/o" 2>"$T/e"
	rc=$?
	[ $rc -eq 1 ] && [ ! -e "$D" ] && [ "$(wc -l <"$T/e")" -eq 1 ] &&
		grep -q 'allow-loopback' "$T/e" && grep -q 'nothing replaced' "$T/e"
}
check "a loopback server is refused without --allow-loopback" t_refuses_loopback

t_good() {
	upd --from "$U/good" --dir "$D" >"$T/good.out" || return 1
	for f in $FILES; do cmp "$IANA/$f" "$D/$f" || return 1; done
	[ "$(ls -A "$D" | wc -l)" -eq 4 ]
}
check "a good update lands in --dir, the four files byte for byte" t_good
check "it says what it fetched: file, bytes, publication" sh -c '
	grep -q "^dns.json *$1 bytes .*published 2024-07-25T00:00:01Z" "$2" &&
	grep -q "^asn.json .*published 2024-04-10T20:00:01Z" "$2" &&
	grep -q "^created .*/dest/iana from " "$2"' sh "$size" "$T/good.out"
check "no temporary folder is left beside it" sh -c '[ "$(ls -a "$1" | grep -c "^\.iana\.")" -eq 0 ]' sh "$T/dest"

t_default_dir() {
	upd --from "$U/good/" >"$T/def.out" &&
		for f in $FILES; do cmp -s "$IANA/$f" "$TAKEDOWN_HOME/iana/$f" || return 1; done &&
		[ ! -e "$HOME" ]
}
check "the default folder is \$TAKEDOWN_HOME/iana" t_default_dir

t_json() {
	upd --json --from "$U/good/" --dir "$D" >"$T/j.out" || return 1
	[ "$(wc -l <"$T/j.out")" -eq 1 ] || return 1
	jsonq "f={x['name']: x for x in o['files']}
assert o['schema'] == 'takedown-update-data/1', o
assert o['dir'].endswith('/dest/iana') and o['created'] is False, o
assert o['from'] == '$U/good/', o
assert list(f) == ['dns.json', 'ipv4.json', 'ipv6.json', 'asn.json'], o
assert f['dns.json']['bytes'] == $size, o
assert f['dns.json']['publication'] == '2024-07-25T00:00:01Z', o
assert f['dns.json']['previous_publication'] == '2024-07-25T00:00:01Z', o
assert f['dns.json']['url'] == '$U/good/dns.json', o
assert all(x['entries'] > 0 for x in o['files']), o
assert o['kept'] == [], o" <"$T/j.out"
}
check "--json prints one object that parses, with previous dates" t_json

t_lookup() {
	echo "example whois.test.example" >"$D/whois-servers.txt"
	upd --from "$U/lk/" --dir "$D" >"$T/lk.out" || return 1
	grep -q '^ipv4.json .*published 2030-01-01T00:00:00Z (was 2019-06-07T19:00:02Z)' "$T/lk.out" || return 1
	grep -q '^dns.json .*(unchanged)' "$T/lk.out" || return 1
	: >"$HTTP_LOG"
	"$TD_BIN" lookup --json --bootstrap "$D" --allow-loopback \
		--dns 127.0.0.1:1 --timeout 3000 177.0.0.1 >"$T/lookup.out"
	grep -q '"/lk/rdap/ip/177.0.0.1"' "$HTTP_LOG" &&
		grep -q '"country":"BR"' "$T/lookup.out"
}
check "lookup --bootstrap uses the new files; the replaced date is shown" t_lookup
check "a whois-servers.txt in the folder is kept" sh -c '
	grep -q "whois.test.example" "$1/whois-servers.txt" &&
	grep -q "kept its whois-servers.txt" "$2"' sh "$D" "$T/lk.out"

# fails WHAT ARGS...: exit 1, one line naming WHAT, nothing on stdout,
# the previous folder unchanged, no temporary folder left
fails() {
	what=$1
	shift
	snap "$D" >"$T/before" 2>&1
	upd --dir "$D" "$@" >"$T/f.out" 2>"$T/f.err"
	rc=$?
	snap "$D" >"$T/after" 2>&1
	echo "exit $rc; stderr:"; cat "$T/f.err"
	[ $rc -eq 1 ] || return 1
	[ "$(wc -l <"$T/f.err")" -eq 1 ] || return 1
	grep -q "$what" "$T/f.err" || return 1
	grep -q 'nothing replaced$' "$T/f.err" || return 1
	[ ! -s "$T/f.out" ] || return 1
	cmp "$T/before" "$T/after" || return 1
	[ "$(leftovers "$D")" -eq 0 ]
}
check "truncated dns.json: exit 1, nothing replaced" \
	fails 'trunc/dns.json: line .*invalid JSON' --from "$U/trunc/"
check "invalid JSON: exit 1, nothing replaced" \
	fails 'badjson/dns.json: .*invalid JSON' --from "$U/badjson/"
check "JSON that is no bootstrap file: exit 1, nothing replaced" \
	fails 'notboot/ipv6.json: RFC 9224 section 3' --from "$U/notboot/"
check "a registry with no entries: exit 1, nothing replaced" \
	fails 'empty/ipv6.json: .*no entries' --from "$U/empty/"
check "404: exit 1, nothing replaced" \
	fails 'missing/dns.json: HTTP 404' --from "$U/missing/"
check "connection reset mid-body: exit 1, nothing replaced" \
	fails 'reset/dns.json' --from "$U/reset/" --json

t_stall() {
	start=$(date +%s)
	fails 'stall/dns.json: no complete answer within 1000 ms' \
		--from "$U/stall/" || return 1
	[ $(($(date +%s) - start)) -lt 10 ]
}
check "stalled server: timeout, exit 1, nothing replaced" t_stall
check "unreachable server: exit 1, nothing replaced" \
	fails '127.0.0.1:1/dns.json' --from "http://127.0.0.1:1/"

check "the four files are fetched concurrently, once each" sh -c '
	: >"$1"; "$2" update-data --allow-loopback --from "$3/good/" --dir "$4" >/dev/null &&
	python3 -c "
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
p = sorted(x[\"path\"] for x in r)
assert p == [\"/good/asn.json\", \"/good/dns.json\", \"/good/ipv4.json\", \"/good/ipv6.json\"], p
assert max(x[\"time\"] for x in r) - min(x[\"time\"] for x in r) < 0.5, r" "$1"' \
	sh "$HTTP_LOG" "$TD_BIN" "$U" "$D"

t_symlink() {
	mkdir -p "$T/real"
	cp -r "$D" "$T/real/iana"
	ln -s "$T/real/iana" "$T/link"
	upd --from "$U/good/" --dir "$T/link" >/dev/null &&
		[ -L "$T/link" ] && cmp "$IANA/dns.json" "$T/link/dns.json" &&
		[ "$(leftovers "$T/real/iana")" -eq 0 ]
}
check "a --dir that is a symbolic link stays one; its target is updated" t_symlink

t_not_a_folder() {
	: >"$T/plainfile"
	upd --from "$U/good/" --dir "$T/plainfile" 2>"$T/e"
	[ $? -eq 1 ] && grep -q 'not a folder' "$T/e" && [ ! -s "$T/plainfile" ]
}
check "--dir naming a file: exit 1" t_not_a_folder

t_usage() {
	"$TD_BIN" update-data --from ftp://example.org/ 2>/dev/null
	[ $? -eq 2 ] || return 1
	"$TD_BIN" update-data extra 2>/dev/null
	[ $? -eq 2 ] || return 1
	"$TD_BIN" update-data --no-such-option 2>/dev/null
	[ $? -eq 2 ]
}
check "usage errors exit 2" t_usage
