#!/usr/bin/env python3
"""A TLS front for the fixture servers, on 127.0.0.1, for the tests.

Accepts TLS with the given certificate and key and passes the bytes on,
both ways, to a plain TCP server on 127.0.0.1 (httpd.py), so that https
URLs of real RDAP servers (reached through takedown's --connect-to) meet
the recorded answers.  The certificate is made by the test itself
(openssl req) for the host names it needs.

    tlsproxy.py --cert FILE --key FILE --to PORT --port-file FILE
                [--port 0] [--parent PID] [--lifetime SECONDS]
"""
import argparse
import os
import socket
import ssl
import threading
import time


def pipe(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def serve(conn, ctx, port):
    try:
        tls = ctx.wrap_socket(conn, server_side=True)
    except (OSError, ssl.SSLError):
        conn.close()
        return
    try:
        back = socket.create_connection(("127.0.0.1", port), timeout=30)
    except OSError:
        tls.close()
        return
    t = threading.Thread(target=pipe, args=(back, tls), daemon=True)
    t.start()
    pipe(tls, back)
    t.join(30)
    tls.close()
    back.close()


def watchdog(parent, lifetime):
    start = time.time()
    while True:
        time.sleep(0.5)
        if lifetime and time.time() - start > lifetime:
            os._exit(0)
        if parent:
            try:
                os.kill(parent, 0)
            except OSError:
                os._exit(0)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--to", type=int, required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file", required=True)
    p.add_argument("--parent", type=int, default=0)
    p.add_argument("--lifetime", type=float, default=600)
    a = p.parse_args()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", a.port))
    ls.listen(64)
    threading.Thread(target=watchdog, args=(a.parent, a.lifetime),
                     daemon=True).start()
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(ls.getsockname()[1]))
    os.rename(tmp, a.port_file)
    while True:
        conn, _ = ls.accept()
        threading.Thread(target=serve, args=(conn, ctx, a.to),
                         daemon=True).start()


if __name__ == "__main__":
    main()
