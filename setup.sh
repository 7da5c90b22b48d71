#!/bin/sh
# One command from a fresh Debian 12 machine to a working takedown:
# installs the missing Debian packages (as root; otherwise prints the exact
# apt-get line and stops), builds, and runs the main job on a bundled
# phishing e-mail with no internet (scripts/demo.sh): a loopback world of
# real servers (dnsmasq, an RDAP and web server behind TLS, Postfix)
# holding recorded real records, `takedown report` on the e-mail and
# `takedown send --yes` of its reports.  What it made stays in build/demo.
set -e
cd "$(dirname "$0")"
if [ "$(id -u)" = 0 ]; then
	scripts/deps.sh --install
else
	scripts/deps.sh
fi
make -j"$(nproc 2>/dev/null || echo 2)"
echo
sh scripts/demo.sh
