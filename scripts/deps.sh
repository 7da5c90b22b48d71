#!/bin/sh
# The Debian packages takedown needs to build and test.  As root with
# --install, installs the missing ones; otherwise prints the apt-get line.
#
#   scripts/deps.sh            print what is missing (exit 1 if anything)
#   scripts/deps.sh --install  install what is missing (root)
BUILD="build-essential pkg-config libgmime-3.0-dev libidn2-dev libpsl-dev
libjansson-dev libssl-dev libc-ares-dev libcurl4-openssl-dev libsqlite3-dev"
TEST="libcmocka-dev python3 python3-jsonschema clang dnsmasq-base whois openssl
postfix sasl2-bin libsasl2-modules msmtp chromium valgrind"
PKGS=$(echo $BUILD $TEST)

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		grep -q 'install ok installed' || missing="$missing $p"
done
missing=${missing# }
[ -z "$missing" ] && exit 0

if [ "$1" = "--install" ] && [ "$(id -u)" = 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q && apt-get install -y -q --no-install-recommends $missing
	exit $?
fi
echo "missing Debian packages; install them with:" >&2
echo "  sudo apt-get install -y $missing" >&2
exit 1
