#!/usr/bin/env python3
"""A WHOIS server (RFC 3912) on 127.0.0.1 for the tests.

Answers each query from a folder of recorded answers (file name = the
query lowercased; "no match" text when there is none).  A map file picks a
fault mode per query:

    # query        mode       [argument]
    stall.test     stall                  read the query, never answer
    drip.test      drip       [seconds]   one byte per second
    reset.test     reset                  half the answer, then a TCP reset
    close.test     close                  close without a byte
    big.test       oversize   [bytes]     100 MB of text (default)

Every connection is logged as a JSON line (query, mode, accept and end
times from time.time()) so that tests can check spacing and overlap.

    whoisd.py --root DIR [--faults FILE] [--log FILE] --port-file FILE
              [--port 0] [--parent PID] [--lifetime SECONDS] [--delay MS]
              [--backlog N]

--delay MS waits MS milliseconds between reading a query and answering it
(each connection on its own thread, so answers still overlap): a server
far away.  --backlog N raises the listen queue (default 5) for many
simultaneous connections.  Both are off by default.

The chosen port is written to --port-file once the server listens.  The
server exits when the --parent process is gone or after --lifetime
seconds, so that a killed test never leaves it behind.
"""
import argparse
import json
import os
import socket
import socketserver
import struct
import sys
import threading
import time

LOCK = threading.Lock()
ARGS = None
FAULTS = {}
RESET = set()


def read_faults(path):
    faults = {}
    if not path:
        return faults
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].split()
            if line:
                faults[line[0].lower()] = line[1:]
    return faults


def log(rec):
    if not ARGS.log:
        return
    with LOCK, open(ARGS.log, "a", encoding="utf-8") as f:
        f.write(json.dumps(rec) + "\n")


def answer_for(query):
    name = query.lower()
    if name and "/" not in name and not name.startswith(".") and "\0" not in name:
        path = os.path.join(ARGS.root, name)
        if os.path.isfile(path):
            with open(path, "rb") as f:
                return f.read()
    return ('No match for "%s".\r\n' % query).encode("utf-8", "replace")


class Handler(socketserver.StreamRequestHandler):
    timeout = 30

    def handle(self):
        rec = {"accept": time.time(), "peer": self.client_address[1]}
        try:
            line = self.rfile.readline(4096)
        except OSError:
            line = b""
        query = line.decode("utf-8", "replace").rstrip("\r\n")
        rec["query"] = query
        fault = FAULTS.get(query.lower(), [])
        mode = fault[0] if fault else "normal"
        rec["mode"] = mode
        sock = self.connection
        if ARGS.delay:
            time.sleep(ARGS.delay / 1000.0)
        try:
            self.serve(sock, query, mode, fault[1:])
        except OSError as e:
            rec["error"] = str(e)
        rec["end"] = time.time()
        log(rec)

    def serve(self, sock, query, mode, args):
        body = answer_for(query)
        if mode == "stall":
            sock.settimeout(1)
            end = time.time() + 30
            while time.time() < end:
                try:
                    if not sock.recv(1):
                        return  # the client gave up
                except socket.timeout:
                    pass
            return
        if mode == "drip":
            for i in range(len(body)):
                sock.sendall(body[i:i + 1])
                time.sleep(float(args[0]) if args else 1.0)
            return
        if mode == "reset":
            sock.sendall(body[: max(1, len(body) // 2)])
            time.sleep(0.1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                            struct.pack("ii", 1, 0))
            # no FIN first: shutdown_request() must only close
            with LOCK:
                RESET.add(id(sock))
            return
        if mode == "close":
            return
        if mode == "oversize":
            total = int(args[0]) if args else 100 * 1000 * 1000
            chunk = (b"% filler line of an oversize answer " * 30 + b"\r\n") * 16
            sent = 0
            while sent < total:
                sock.sendall(chunk)
                sent += len(chunk)
            return
        sock.sendall(body)


class Server(socketserver.ThreadingTCPServer):
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
    global ARGS, FAULTS
    p = argparse.ArgumentParser(description="WHOIS fixture server")
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
    ARGS = p.parse_args()
    FAULTS = read_faults(ARGS.faults)
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
