#!/bin/sh
# One command from a fresh Debian 12 machine to a working takedown:
# installs the missing Debian packages (as root; otherwise prints the exact
# apt-get line and stops), builds, and runs the main job on bundled
# samples: extract on a phishing e-mail forwarded as an attachment, and
# lookup against loopback servers holding recorded real DNS, RDAP and
# WHOIS answers (scripts/demo-lookup.sh).
set -e
cd "$(dirname "$0")"
if [ "$(id -u)" = 0 ]; then
	scripts/deps.sh --install
else
	scripts/deps.sh
fi
make -j"$(nproc 2>/dev/null || echo 2)"
echo
echo "== build/release/takedown extract tests/fixtures/mail/forwarded-phish.eml"
echo
build/release/takedown extract tests/fixtures/mail/forwarded-phish.eml
echo
sh scripts/demo-lookup.sh
