#!/bin/sh
# The README's first command runs scripts/demo.sh: the whole job on a
# bundled phishing e-mail against the loopback demo world.  Here it runs
# with this build and its own folder, and what it claims is checked.
. "$(dirname "$0")/lib.sh"
command -v dnsmasq >/dev/null 2>&1 || [ -x /usr/sbin/dnsmasq ] ||
	skip_all "dnsmasq not installed (apt-get install dnsmasq-base)"
D="$T/demo"
TD_DEMO_DIR="$D" sh "$TD_TOP/scripts/demo.sh" "$TD_BUILD" >"$T/out" 2>&1
echo $? >"$T/rc"
if grep -q "Postfix cannot start here" "$T/out"; then
	plan 3
	sent=0
else
	plan 5
	sent=1
fi
check "the demo exits 0" grep -qx 0 "$T/rc"
check "a case with drafts, verdict malicious, the host and APWG told" sh -c "
	grep -q '^case TD-' '$T/out' && grep -q '^  kind    malicious' '$T/out' &&
	grep -q 'draft   host       arin-contact@google.com' '$T/out' &&
	grep -q 'draft   blocklist  reportphishing@apwg.org' '$T/out'"
check "the case store and outbox are where it says" sh -c "
	c=\$(sed -n 's/^The case: *\\(TD-[0-9-]*\\) in \\(.*\\)/\\2/p' '$T/out') &&
	[ -s \"\$c\" ] && ls '$D'/home/cases/TD-*/outbox/*.eml >/dev/null"
if [ $sent = 1 ]; then
	check "every draft sent once, and delivered" sh -c "
		n=\$(ls '$D'/home/cases/TD-*/outbox/*.eml | wc -l) &&
		grep -q \"\$n of \$n sent\" '$T/out' &&
		[ \$(ls '$D/delivered' | wc -l) -eq \$n ]"
	check "the delivered reports carry the e-mail and no personal name" sh -c "
		for f in '$D'/delivered/*; do
			grep -q 'message/rfc822' \"\$f\" && ! grep -q 'Demo Reporter' \"\$f\" || exit 1
		done"
fi
