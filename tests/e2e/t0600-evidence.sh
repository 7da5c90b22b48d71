#!/bin/sh
# The evidence fetcher against servers on 127.0.0.1: dnsmasq with names
# for the phishing site and for private addresses, tests/servers/httpd.py
# serving tests/servers/data/pages (the recorded page, redirects, faults),
# a TLS front for it (start_tls) and a small echo server written here
# (it answers with the request headers it got, sets a cookie, cloaks a
# page from script clients, floods headers).  The tests themselves are
# tests/unit/test_evidence_live.c (TAP).
. "$(dirname "$0")/lib.sh"
LIVE="$TD_BUILD/tests/test_evidence_live"
[ -x "$LIVE" ] || skip_all "test_evidence_live not built"
command -v dnsmasq >/dev/null 2>&1 || [ -x /usr/sbin/dnsmasq ] ||
	skip_all "dnsmasq not installed (apt-get install dnsmasq-base)"
command -v openssl >/dev/null 2>&1 || skip_all "openssl not installed"

cat >"$T/dns.conf" <<'CONF'
local=/test/
local-ttl=60
host-record=www.phish.test,127.0.0.1
host-record=short.test,127.0.0.1
host-record=echo.test,127.0.0.1
host-record=loop.phish.test,127.0.0.1
host-record=private.phish.test,10.0.0.1
host-record=rfc1918.phish.test,172.16.5.5
host-record=home.phish.test,192.168.7.7
host-record=cgnat.phish.test,100.64.1.1
host-record=linklocal.phish.test,169.254.169.254
host-record=zero.phish.test,0.0.0.0
host-record=ula.phish.test,fd00::1
host-record=ll6.phish.test,fe80::1
host-record=v6loop.phish.test,::1
host-record=mapped.phish.test,::ffff:127.0.0.1
CONF

# echo server: GET /echo answers the request headers as JSON lines;
# /setcookie sets a cookie and redirects to /echo; /cloak shows a sign-in
# form to browsers and a 404 to script clients; /manyheaders sends 500
# header lines and a 10 kB one.
cat >"$T/echo.py" <<'PY'
import json, os, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG, PORTFILE, PARENT = sys.argv[1], sys.argv[2], int(sys.argv[3])

class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "td-echo/1"

    def log_message(self, *a):
        pass

    def send(self, code, body, ctype="text/html; charset=utf-8", extra=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        with open(LOG, "a") as f:
            f.write(json.dumps({"path": self.path,
                                "ua": self.headers.get("User-Agent")}) + "\n")
        if self.path == "/echo":
            body = "".join(json.dumps([k, v]) + "\n"
                           for k, v in self.headers.items()).encode()
            return self.send(200, body, "text/plain")
        if self.path == "/setcookie":
            return self.send(302, b"", extra=[("Set-Cookie", "sid=s3cr3t; Path=/"),
                                              ("Location", "/echo")])
        if self.path == "/cloak":
            ua = self.headers.get("User-Agent", "")
            if "Mozilla/" not in ua or not self.headers.get("Accept-Language"):
                return self.send(404, b"<title>404 Not Found</title>Not Found")
            return self.send(200, b"<title>Sign in</title><form method=post "
                             b"action=/c.php><input name=u><input type=password "
                             b"name=p></form>")
        if self.path == "/manyheaders":
            extra = [("X-Hdr-%d" % i, "v%d" % i) for i in range(500)]
            extra.insert(0, ("X-Long", "L" * 10000))
            return self.send(200, b"ok", "text/plain", extra)
        return self.send(404, b"no")

srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
srv.daemon_threads = True
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(PORTFILE + ".tmp", PORTFILE)

def watch():
    start = time.time()
    while time.time() - start < 600:
        time.sleep(0.5)
        try:
            os.kill(PARENT, 0)
        except OSError:
            break
    os._exit(0)

threading.Thread(target=watch, daemon=True).start()
srv.serve_forever(poll_interval=0.2)
PY

fail_start() { echo "1..1"; echo "not ok 1 - $1 started"; exit 1; }
start_dns "$T/dns.conf" || fail_start dnsmasq
start_httpd "$SRV/data/pages" || fail_start httpd
start_tls "$HTTP_PORT" www.phish.test || fail_start "TLS front"
: >"$T/echo.log"
python3 "$T/echo.py" "$T/echo.log" "$T/echo.port" $$ >"$T/echo.err" 2>&1 &
TD_PIDS="$TD_PIDS $!"
wait_file "$T/echo.port" || fail_start "echo server"

export TD_TEST_DNS="127.0.0.1:$DNS_PORT"
export TD_TEST_HTTP_PORT="$HTTP_PORT" TD_TEST_HTTP_LOG="$HTTP_LOG"
export TD_TEST_TLS_PORT="$TLS_PORT" TD_TEST_TLS_CA="$TLS_CA"
export TD_TEST_TLS_SHA256="$(openssl x509 -in "$T/tls.pem" -outform DER |
	sha256sum | cut -d' ' -f1)"
export TD_TEST_ECHO_PORT="$(cat "$T/echo.port")" TD_TEST_ECHO_LOG="$T/echo.log"
export TD_TEST_PAGES="$SRV/data/pages" TD_TEST_EVDIR="$T/evidence"
"$LIVE"
rc=$?
if [ $rc -ne 0 ]; then
	echo "# httpd log:"; tail -20 "$HTTP_LOG" | sed 's/^/#   /'
	echo "# echo log:"; tail -5 "$T/echo.log" | sed 's/^/#   /'
	echo "# dnsmasq log:"; tail -20 "$DNS_LOG" | sed 's/^/#   /'
fi
exit $rc
