#!/usr/bin/env python3
"""An HTTP/1.1 server on 127.0.0.1 for the tests: RDAP and web pages.

Serves files from a folder tree by URL path (PATH, else PATH.json, else
PATH/index.html, each also tried lowercased; a request whose Host is H
looks in ROOT/_hosts/H first) with Content-Type application/rdap+json for .json
files and RDAP answers, and a 404 with an RDAP error body (RFC 9083 6)
when nothing matches.  Fault modes come from a map file (URL path, mode,
argument) or from built-in paths /fault/MODE[/ARG]:

    stall                    read the request, never answer
    drip      [seconds]      the answer one byte per second
    reset                    headers and half the body, then a TCP reset
    close                    close without a byte
    big       [bytes]        100 MB body without Content-Length (chunked)
    bigcl     [bytes]        100 MB announced by Content-Length
    badjson                  200 with a body that is not JSON
    429       [retry-after]  429 with Retry-After (default 2)
    503date                  503 with an HTTP-date Retry-After 120 s ahead
    redirect  N              302 to /fault/redirect/N-1; 0 is a 200 answer
    redirect-to URL          302 to URL
    status    CODE [FILE]    CODE with FILE (a path under the root) as an
                             HTML body, or an empty body
    ua        TEXT CODE      when the User-Agent contains TEXT (ASCII case
                             ignored), CODE with a small HTML page; any
                             other client is served as if the line were
                             not there (a phishing kit that cloaks)

The map file is read again whenever its modification time changes, so a
test can change what a path serves while the server runs (write the new
map to a temporary file and rename it over the old one).

Every request is logged as a JSON line (path, accept, time).

--delay MS waits MS milliseconds before answering each request (every
request on its own thread, so answers still overlap): a server far away.
--ip-ranges answers an RDAP path .../ip/ADDR (or .../ip/ADDR/LEN) that has
no file of its own with the most specific network file in that ip/ folder
whose startAddress..endAddress holds ADDR, as RIR servers do; the folders
are indexed once at start.  --backlog N raises the listen queue (default
5) for many simultaneous connections.  All are off by default.

    httpd.py --root DIR [--faults FILE] [--log FILE] --port-file FILE
             [--port 0] [--parent PID] [--lifetime SECONDS] [--delay MS]
             [--ip-ranges] [--backlog N]
"""
import argparse
import email.utils
import ipaddress
import json
import os
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
ARGS = None
FAULTS = {}
FAULTS_MTIME = None
RESET = set()
RDAP = "application/rdap+json"
IP_INDEX = {}  # ip/ folder relative to root -> [(size, version, lo, hi, file)]


def read_faults(path):
    faults = {}
    if not path:
        return faults
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].split()
            if line:
                faults[line[0]] = line[1:]
    return faults


def current_faults():
    """The fault map, read again when its file changed."""
    global FAULTS, FAULTS_MTIME
    if not ARGS.faults:
        return FAULTS
    try:
        mtime = os.stat(ARGS.faults).st_mtime_ns
    except OSError:
        return FAULTS
    with LOCK:
        if mtime != FAULTS_MTIME:
            try:
                FAULTS = read_faults(ARGS.faults)
                FAULTS_MTIME = mtime
            except (OSError, UnicodeDecodeError):
                pass
        return FAULTS


def log(rec):
    if not ARGS.log:
        return
    with LOCK, open(ARGS.log, "a", encoding="utf-8") as f:
        f.write(json.dumps(rec) + "\n")


def find_file(path, host=None):
    rel = path.split("?", 1)[0].lstrip("/")
    parts = [p for p in rel.split("/") if p]
    if any(p in (".", "..") for p in parts):
        return None
    roots = [ARGS.root]
    host = (host or "").split(":", 1)[0].lower()
    if host and host not in (".", "..") and "/" not in host:
        own = os.path.join(ARGS.root, "_hosts", host)
        if os.path.isdir(own):
            roots.insert(0, own)
    for root in roots:
        for cand in (rel, rel.lower()):
            base = os.path.join(root, *cand.split("/")) if cand else root
            for f in (base, base + ".json", os.path.join(base, "index.html")):
                if os.path.isfile(f):
                    return f
    return None


def parse_addr(text):
    """An IP address; IPv4 octets may carry leading zeros (old ARIN
    answers write 074.125.000.000)."""
    text = str(text).strip()
    if "." in text and ":" not in text:
        text = ".".join(str(int(o, 10)) for o in text.split("."))
    return ipaddress.ip_address(text)


def build_ip_index(root):
    """Index every network file (startAddress/endAddress) of every folder
    named ip under root, most specific (smallest) range first."""
    index = {}
    for dirpath, _, files in os.walk(root):
        if os.path.basename(dirpath) != "ip":
            continue
        nets = []
        for name in files:
            path = os.path.join(dirpath, name)
            try:
                with open(path, "rb") as fh:
                    obj = json.load(fh)
                lo = parse_addr(obj["startAddress"])
                hi = parse_addr(obj["endAddress"])
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if lo.version != hi.version or int(hi) < int(lo):
                continue
            nets.append((int(hi) - int(lo), lo.version, int(lo), int(hi),
                         path))
        nets.sort()
        rel = os.path.relpath(dirpath, root).replace(os.sep, "/")
        index[rel] = nets
        index.setdefault(rel.lower(), nets)
    return index


def find_network(path):
    """The network file holding the address of an .../ip/ADDR[/LEN] path."""
    parts = [urllib.parse.unquote(p)
             for p in path.split("?", 1)[0].strip("/").split("/") if p]
    for k in range(len(parts) - 2, -1, -1):
        if parts[k] == "ip" and len(parts) - k in (2, 3):
            break
    else:
        return None
    try:
        if len(parts) - k == 3:
            net = ipaddress.ip_network(parts[k + 1] + "/" + parts[k + 2],
                                       strict=False)
            lo, hi = net.network_address, net.broadcast_address
        else:
            lo = hi = ipaddress.ip_address(parts[k + 1])
    except ValueError:
        return None
    folder = "/".join(parts[:k + 1])
    nets = IP_INDEX.get(folder) or IP_INDEX.get(folder.lower()) or ()
    for _, version, nlo, nhi, f in nets:
        if version == lo.version and nlo <= int(lo) and int(hi) <= nhi:
            return f
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "td-httpd/1"
    timeout = 30

    def log_message(self, fmt, *args):
        pass

    def send(self, code, body, ctype=RDAP, extra=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        log({"path": self.path, "accept": self.headers.get("Accept"),
             "time": time.time()})
        if ARGS.delay:
            time.sleep(ARGS.delay / 1000.0)
        path = self.path.split("?", 1)[0]
        fault = current_faults().get(path)
        if fault and fault[0] == "ua":
            ua = (self.headers.get("User-Agent") or "").lower()
            if len(fault) >= 3 and fault[1].lower() in ua:
                return self.send(int(fault[2]),
                                 b"<html><head><title>Not Found</title>"
                                 b"</head><body><h1>Not Found</h1></body>"
                                 b"</html>\n", "text/html; charset=utf-8")
            fault = None
        if fault is None and path.startswith("/fault/"):
            fault = [urllib.parse.unquote(a)
                     for a in path[len("/fault/"):].split("/")]
        if fault:
            return self.fault(fault[0], fault[1:])
        f = find_file(path, self.headers.get("Host"))
        if not f and ARGS.ip_ranges:
            f = find_network(path)
        if not f:
            body = json.dumps({"rdapConformance": ["rdap_level_0"],
                               "errorCode": 404, "title": "Not Found",
                               "description": ["no object at " + path]})
            return self.send(404, body.encode())
        with open(f, "rb") as fh:
            body = fh.read()
        ctype = RDAP if f.endswith(".json") else "text/html; charset=utf-8"
        return self.send(200, body, ctype)

    def fault(self, mode, args):
        w = self.wfile
        sock = self.connection
        body = b'{"rdapConformance":["rdap_level_0"],"objectClassName":"domain","ldhName":"fault.test"}'
        if mode == "stall":
            sock.settimeout(1)
            end = time.time() + 30
            while time.time() < end:
                try:
                    if not sock.recv(1):
                        break
                except socket.timeout:
                    pass
            self.close_connection = True
            return
        if mode == "drip":
            self.send_response(200)
            self.send_header("Content-Type", RDAP)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            w.flush()
            for i in range(len(body)):
                w.write(body[i:i + 1])
                w.flush()
                time.sleep(float(args[0]) if args else 1.0)
            return
        if mode == "reset":
            self.send_response(200)
            self.send_header("Content-Type", RDAP)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            w.write(body[: len(body) // 2])
            w.flush()
            time.sleep(0.1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                            struct.pack("ii", 1, 0))
            with LOCK:
                RESET.add(id(sock))
            self.close_connection = True
            return
        if mode == "close":
            self.close_connection = True
            return
        if mode in ("big", "bigcl"):
            total = int(args[0]) if args else 100 * 1000 * 1000
            chunk = b" " * 65536
            self.send_response(200)
            self.send_header("Content-Type", RDAP)
            if mode == "bigcl":
                self.send_header("Content-Length", str(total))
            else:
                self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            sent = 0
            while sent < total:
                n = min(len(chunk), total - sent)
                if mode == "big":
                    w.write(b"%x\r\n" % n + chunk[:n] + b"\r\n")
                else:
                    w.write(chunk[:n])
                sent += n
            if mode == "big":
                w.write(b"0\r\n\r\n")
            return
        if mode == "badjson":
            return self.send(200, b'{"objectClassName": "domain", "ldhName": ')
        if mode == "429":
            return self.send(429, b'{"errorCode":429,"title":"Too Many Requests"}',
                             extra=[("Retry-After", args[0] if args else "2")])
        if mode == "503date":
            when = email.utils.formatdate(time.time() + 120, usegmt=True)
            return self.send(503, b'{"errorCode":503}', extra=[("Retry-After", when)])
        if mode == "redirect":
            n = int(args[0]) if args else 1
            if n <= 0:
                return self.send(200, body)
            return self.send(302, b"", extra=[("Location", "/fault/redirect/%d" % (n - 1))])
        if mode == "status":
            page = find_file(args[1]) if len(args) > 1 else None
            data = b""
            if page:
                with open(page, "rb") as fh:
                    data = fh.read()
            return self.send(int(args[0]) if args else 200, data,
                             "text/html; charset=utf-8")
        if mode == "redirect-to":
            return self.send(302, b"", extra=[("Location", args[0])])
        return self.send(500, b'{"errorCode":500,"title":"unknown fault"}')


class Server(ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass

    def shutdown_request(self, request):
        with LOCK:
            reset = id(request) in RESET
            RESET.discard(id(request))
        if reset:
            self.close_request(request)
        else:
            super().shutdown_request(request)


def watchdog(server, parent, lifetime):
    start = time.time()
    while True:
        time.sleep(0.5)
        if lifetime and time.time() - start > lifetime:
            break
        if parent:
            try:
                os.kill(parent, 0)
            except OSError:
                break
    server.shutdown()


def main():
    global ARGS, FAULTS, FAULTS_MTIME
    p = argparse.ArgumentParser(description="HTTP/RDAP fixture server")
    p.add_argument("--root", required=True)
    p.add_argument("--faults")
    p.add_argument("--log")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file", required=True)
    p.add_argument("--parent", type=int, default=0)
    p.add_argument("--lifetime", type=float, default=600)
    p.add_argument("--delay", type=float, default=0,
                   help="milliseconds to wait before each answer")
    p.add_argument("--backlog", type=int, default=0,
                   help="listen backlog (default: socketserver's, 5); "
                   "raise it when many clients connect at once")
    p.add_argument("--ip-ranges", action="store_true",
                   help="answer .../ip/ADDR with the network file holding "
                   "ADDR")
    ARGS = p.parse_args()
    FAULTS = read_faults(ARGS.faults)
    if ARGS.faults:
        FAULTS_MTIME = os.stat(ARGS.faults).st_mtime_ns
    if ARGS.ip_ranges:
        IP_INDEX.update(build_ip_index(ARGS.root))
    if ARGS.backlog:
        Server.request_queue_size = ARGS.backlog
    server = Server(("127.0.0.1", ARGS.port), Handler)
    tmp = ARGS.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(tmp, ARGS.port_file)
    threading.Thread(target=watchdog, daemon=True,
                     args=(server, ARGS.parent, ARGS.lifetime)).start()
    server.serve_forever(poll_interval=0.2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
