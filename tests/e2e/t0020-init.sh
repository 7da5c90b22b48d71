#!/bin/sh
# takedown init: the reporter profile, from flags, by prompts, and refused.
. "$(dirname "$0")/lib.sh"
plan 7
P="$TAKEDOWN_HOME/profile"
check "flags write the profile, 0600" sh -c "
	'$TD_BIN' init --name 'Jane Doe' --org 'Example CERT' \
		--email jane@example.org --public-name 'Example CERT' >/dev/null &&
	grep -qx 'name = Jane Doe' '$P' && grep -qx 'email = jane@example.org' '$P' &&
	[ \$(stat -c %a '$P') = 600 ]"
check "an existing profile is not replaced without --force" sh -c "
	'$TD_BIN' init --name X --org Y --email x@y.example 2>'$T/e'; [ \$? -eq 1 ] &&
	grep -q 'exists' '$T/e' && grep -qx 'name = Jane Doe' '$P'"
check "--force changes one value and keeps the others" sh -c "
	'$TD_BIN' init --force --phone '+33 1 23 45 67 89' >/dev/null &&
	grep -qx 'name = Jane Doe' '$P' && grep -qx 'phone = +33 1 23 45 67 89' '$P'"
check "--json prints what was written" sh -c "
	'$TD_BIN' init --force --json | python3 -c 'import json,sys
o=json.load(sys.stdin); assert o[\"schema\"]==\"takedown-profile/1\"; assert o[\"name\"]==\"Jane Doe\", o'"
check "a missing e-mail is a usage error naming the flag" sh -c "
	'$TD_BIN' init --file '$T/p2' --no-prompt --name A --org individual 2>'$T/e2';
	[ \$? -eq 2 ] && grep -q -- '--email' '$T/e2' && [ ! -e '$T/p2' ]"
check "prompts on a terminal fill what flags did not" sh -c "
	printf 'Ann\nindividual\nann@example.net\n\n\n' |
	script -qec \"'$TD_BIN' init --file '$T/p3'\" /dev/null >/dev/null &&
	grep -qx 'name = Ann' '$T/p3' && grep -qx 'email = ann@example.net' '$T/p3'"
check "a hand-edited profile with a typo is refused with its line" sh -c "
	printf 'name = A\nemial = a@b.example\n' >'$T/p4' &&
	'$TD_BIN' init --file '$T/p4' --force --org x 2>'$T/e4';
	[ \$? -eq 1 ] && grep -q 'p4:2: unknown key' '$T/e4'"
