#!/usr/bin/env python3
"""A fault-injection server on 127.0.0.1 for every protocol takedown speaks.

One process, one listening port per (protocol, fault) pair given with
--listen PROTO:FAULT (repeatable); every connection (or datagram) on that
port gets that fault, whatever it asks.  Once all listen, the port file
gets one line "PROTO FAULT PORT" per pair (written whole, then renamed).

HTTP (http:FAULT) -- a request is read up to its blank line, then:
    ok          a 200 answer (an RDAP domain object under /rdap/, else a
                small HTML page), Content-Length, connection closed
    stall       never answer (hold the connection until the client goes)
    drip        the 200 answer one byte per second
    reset       headers and half the body, then a TCP reset (SO_LINGER 0)
    close       headers and half the body, then FIN (close early)
    oversize    100 MB of body, chunked (no Content-Length)
    oversize-cl 100 MB of body announced by Content-Length
    badstatus   a status line that is not HTTP ("HTTP/1.1 OK-ish\\r\\n")
    badchunk    chunked encoding whose chunk size is not hex
    cllie       Content-Length: 100000, 60 bytes of body, then FIN
    badjson     a 200 rdap+json answer that is not JSON

WHOIS (whois:FAULT) -- one query line is read, then:
    ok          a small registry record with a registrar and abuse contact
    stall, drip, reset, oversize   as for HTTP (oversize: 100 MB of lines)
    close       the record cut mid-line, then FIN
    nul         10 kB of record text with NUL bytes and no line end

SMTP (smtp:FAULT) -- served by tests/servers/smtpd.py (see its faults).

DNS (dns:FAULT) -- UDP and TCP on the same port number.  Over UDP:
    ok          an A record 192.0.2.1 for any A question (NODATA else)
    empty       NODATA for every question (the name exists, no records)
    stall       never answer
    truncated   the answer cut in the middle of its answer record, TC clear
    badid       the answer with another message ID
    ptrloop     an answer record whose owner name is a compression
                pointer to itself
    tc-stall, tc-drip, tc-reset, tc-close, tc-oversize
                an empty answer with TC set (forcing TCP); over TCP the
                fault: never answer; the answer one byte per second; half
                the answer then a reset; half the answer then FIN; a
                length prefix of 65535 then 100 MB of junk
    tc-ok       TC over UDP, then the ok answer over TCP

Every connection is logged as a JSON line (proto, fault, peer, accept and
end times, what was read) when --log is given.  The server exits when the
--parent process is gone or after --lifetime seconds.

    faultd.py --listen PROTO:FAULT [--listen ...] --port-file FILE
              [--log FILE] [--parent PID] [--lifetime SECONDS]
              [--maildir DIR] [--cert PEM --key PEM]

--maildir, --cert and --key are passed to the SMTP listeners (smtpd.py).
"""
import argparse
import json
import os
import socket
import struct
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LOCK = threading.Lock()
ARGS = None
BIG = 100 * 1000 * 1000

HTTP_FAULTS = {"ok", "stall", "drip", "reset", "close", "oversize",
               "oversize-cl", "badstatus", "badchunk", "cllie", "badjson"}
WHOIS_FAULTS = {"ok", "stall", "drip", "reset", "close", "oversize", "nul"}
DNS_FAULTS = {"ok", "empty", "stall", "truncated", "badid", "ptrloop", "tc-ok",
              "tc-stall", "tc-drip", "tc-reset", "tc-close", "tc-oversize"}

RDAP_BODY = json.dumps({
    "rdapConformance": ["rdap_level_0"], "objectClassName": "domain",
    "ldhName": "fault.test", "status": ["active"],
    "events": [{"eventAction": "registration",
                "eventDate": "2020-01-01T00:00:00Z"}],
    "entities": [{
        "objectClassName": "entity", "roles": ["registrar"],
        "publicIds": [{"type": "IANA Registrar ID", "identifier": "9999"}],
        "vcardArray": ["vcard", [["version", {}, "text", "4.0"],
                                 ["fn", {}, "text",
                                  "Example Fault Registrar, Inc."]]],
        "entities": [{
            "objectClassName": "entity", "roles": ["abuse"],
            "vcardArray": ["vcard", [
                ["version", {}, "text", "4.0"],
                ["fn", {}, "text", "Abuse desk"],
                ["email", {}, "text", "abuse@registrar.test"]]]}]}]},
    separators=(",", ":")).encode()
HTML_BODY = (b"<!DOCTYPE html><html><head><title>Sign in</title></head>"
             b"<body><form action=\"/login\" method=\"post\">"
             b"<input name=\"user\"><input type=\"password\" name=\"pass\">"
             b"</form></body></html>\n")
WHOIS_BODY = (b"   Domain Name: FAULT.TEST\r\n"
              b"   Registry Domain ID: 1234_DOMAIN_TEST-VRSN\r\n"
              b"   Creation Date: 2020-01-01T00:00:00Z\r\n"
              b"   Registrar: Example Fault Registrar, Inc.\r\n"
              b"   Registrar IANA ID: 9999\r\n"
              b"   Registrar Abuse Contact Email: abuse@registrar.test\r\n"
              b"   Registrar Abuse Contact Phone: +1.5555550100\r\n"
              b"   Domain Status: ok https://icann.org/epp#ok\r\n"
              b"   Name Server: NS1.FAULT.TEST\r\n"
              b">>> Last update of whois database: 2026-01-01T00:00:00Z <<<\r\n")


def log(rec):
    if not ARGS or not ARGS.log:
        return
    with LOCK, open(ARGS.log, "a", encoding="utf-8") as f:
        f.write(json.dumps(rec) + "\n")


def hold(sock, seconds=None):
    """Read and drop whatever comes until the peer closes (or the
    lifetime ends): a server that accepted and never answers."""
    end = time.time() + (seconds if seconds else ARGS.lifetime)
    sock.settimeout(1)
    while time.time() < end:
        try:
            if not sock.recv(4096):
                return
        except socket.timeout:
            pass
        except OSError:
            return


def drip(sock, data, pause=1.0):
    for i in range(len(data)):
        sock.sendall(data[i:i + 1])
        time.sleep(pause)


def reset(sock):
    """Close with a TCP reset instead of a FIN."""
    time.sleep(0.1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                    struct.pack("ii", 1, 0))
    sock.close()


def stream(sock, first, filler, total=BIG):
    """Send first, then filler again and again, total bytes in all; stop
    quietly when the client gives up."""
    sock.sendall(first)
    sent = len(first)
    while sent < total:
        sock.sendall(filler)
        sent += len(filler)


def read_until(sock, end, limit=65536, seconds=30):
    data = b""
    sock.settimeout(seconds)
    while end not in data and len(data) < limit:
        try:
            chunk = sock.recv(4096)
        except (socket.timeout, OSError):
            break
        if not chunk:
            break
        data += chunk
    return data


# HTTP

def http_answer(status, ctype, body, extra=b""):
    return (b"HTTP/1.1 " + status + b"\r\nContent-Type: " + ctype +
            b"\r\nContent-Length: %d\r\n" % len(body) + extra +
            b"Connection: close\r\n\r\n" + body)


def serve_http(sock, fault, rec):
    req = read_until(sock, b"\r\n\r\n")
    line = req.split(b"\r\n", 1)[0].decode("latin-1")
    rec["request"] = line[:200]
    path = line.split(" ")[1] if line.count(" ") >= 2 else "/"
    rdap = "/rdap/" in path
    ctype = b"application/rdap+json" if rdap else b"text/html; charset=utf-8"
    body = RDAP_BODY if rdap else HTML_BODY
    full = http_answer(b"200 OK", ctype, body)
    head = full[: len(full) - len(body)]
    if fault == "ok":
        sock.sendall(full)
    elif fault == "stall":
        hold(sock)
    elif fault == "drip":
        drip(sock, full)
    elif fault == "reset":
        sock.sendall(head + body[: len(body) // 2])
        reset(sock)
        return
    elif fault == "close":
        sock.sendall(head + body[: len(body) // 2])
    elif fault == "oversize":
        chunk = b" " * 65536
        stream(sock, b"HTTP/1.1 200 OK\r\nContent-Type: " + ctype +
               b"\r\nTransfer-Encoding: chunked\r\n\r\n",
               b"%x\r\n" % len(chunk) + chunk + b"\r\n")
    elif fault == "oversize-cl":
        stream(sock, b"HTTP/1.1 200 OK\r\nContent-Type: " + ctype +
               b"\r\nContent-Length: %d\r\n\r\n" % BIG, b" " * 65536)
    elif fault == "badstatus":
        sock.sendall(b"HTTP/1.1 OK-ish\r\nContent-Type: " + ctype +
                     b"\r\n\r\n" + body)
    elif fault == "badchunk":
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: " + ctype +
                     b"\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"zz-not-hex\r\n" + body + b"\r\n0\r\n\r\n")
    elif fault == "cllie":
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: " + ctype +
                     b"\r\nContent-Length: 100000\r\n\r\n" + body[:60])
    elif fault == "badjson":
        sock.sendall(http_answer(b"200 OK", b"application/rdap+json",
                                 b'{"objectClassName": "domain", "ldhName": '))
    sock.shutdown(socket.SHUT_WR)
    hold(sock, 5)


# WHOIS

def serve_whois(sock, fault, rec):
    q = read_until(sock, b"\n", 4096)
    rec["query"] = q.decode("utf-8", "replace").strip()[:200]
    body = WHOIS_BODY
    if fault == "ok":
        sock.sendall(body)
    elif fault == "stall":
        hold(sock)
    elif fault == "drip":
        drip(sock, body)
    elif fault == "reset":
        sock.sendall(body[: len(body) // 2])
        reset(sock)
        return
    elif fault == "close":
        # cut inside the "Registrar:" line, before any contact
        cut = body.index(b"Registrar: ") + 14
        sock.sendall(body[:cut])
    elif fault == "oversize":
        line = b"% filler line of an oversize answer " * 30 + b"\r\n"
        stream(sock, body, line * 16)
    elif fault == "nul":
        flat = body.replace(b"\r\n", b"\0\0")
        sock.sendall((flat * (10240 // len(flat) + 1))[:10240])
    sock.shutdown(socket.SHUT_WR)
    hold(sock, 5)


# DNS

def dns_question(msg):
    """(id, flags, question bytes, qtype) of a query, or None."""
    if len(msg) < 12:
        return None
    qid, flags, qd = struct.unpack("!HHH", msg[:6])
    if qd != 1:
        return None
    i = 12
    while i < len(msg):
        n = msg[i]
        if n == 0:
            break
        if n & 0xC0:
            return None
        i += 1 + n
    if i + 5 > len(msg):
        return None
    qtype = struct.unpack("!H", msg[i + 1:i + 3])[0]
    return qid, flags, msg[12:i + 5], qtype


def dns_answer(q, tc=False, rid=None, empty=False):
    qid, flags, question, qtype = q
    rd = flags & 0x0100
    oflags = 0x8000 | 0x0400 | rd | 0x0080 | (0x0200 if tc else 0)
    if tc or empty or qtype != 1:
        return struct.pack("!HHHHHH", rid if rid is not None else qid,
                           oflags, 1, 0, 0, 0) + question
    rr = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 300, 4) + bytes([192, 0, 2, 1])
    return struct.pack("!HHHHHH", rid if rid is not None else qid, oflags,
                       1, 1, 0, 0) + question + rr


def dns_reply(q, fault):
    """What a UDP query gets; None for no answer."""
    if fault == "stall":
        return None
    if fault == "ok":
        return dns_answer(q)
    if fault == "empty":
        return dns_answer(q, empty=True)
    if fault.startswith("tc-"):
        return dns_answer(q, tc=True)
    if fault == "badid":
        return dns_answer(q, rid=(q[0] + 1) & 0xFFFF)
    if fault == "truncated":
        full = dns_answer((q[0], q[1], q[2], 1))
        return full[: len(full) - 7]
    if fault == "ptrloop":
        # the answer's owner: a pointer to itself (offset of the record)
        off = 12 + len(q[2])
        rr = struct.pack("!H", 0xC000 | off) + struct.pack(
            "!HHIH", 1, 1, 300, 4) + bytes([192, 0, 2, 1])
        return struct.pack("!HHHHHH", q[0], 0x8580, 1, 1, 0, 0) + q[2] + rr
    return None


def udp_loop(usock, fault):
    while True:
        try:
            msg, peer = usock.recvfrom(65535)
        except OSError:
            return
        q = dns_question(msg)
        rec = {"proto": "dns/udp", "fault": fault, "accept": time.time(),
               "peer": peer[1]}
        if q:
            out = dns_reply(q, fault)
            rec["answered"] = out is not None
            if out is not None:
                try:
                    usock.sendto(out, peer)
                except OSError:
                    pass
        rec["end"] = time.time()
        log(rec)


def read_exact(sock, n, seconds=30):
    data = b""
    sock.settimeout(seconds)
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def serve_dns_tcp(sock, fault, rec):
    rec["queries"] = 0
    while True:
        head = read_exact(sock, 2)
        if not head:
            return
        msg = read_exact(sock, struct.unpack("!H", head)[0])
        if msg is None:
            return
        q = dns_question(msg)
        if not q:
            return
        rec["queries"] += 1
        ans = dns_answer(q, empty=fault == "empty")
        framed = struct.pack("!H", len(ans)) + ans
        if fault not in ("tc-ok", "ok", "empty"):
            break
        # a real server answers every query of the connection
        sock.sendall(framed)
    if fault == "tc-stall" or not fault.startswith("tc-"):
        hold(sock)
        return
    elif fault == "tc-drip":
        drip(sock, framed)
    elif fault == "tc-reset":
        sock.sendall(framed[: len(framed) // 2])
        reset(sock)
        return
    elif fault == "tc-close":
        sock.sendall(framed[: len(framed) // 2])
    elif fault == "tc-oversize":
        stream(sock, struct.pack("!H", 65535) + ans, b"\xff" * 65536)
    sock.shutdown(socket.SHUT_WR)
    hold(sock, 5)


SERVE = {"http": serve_http, "whois": serve_whois, "dns": serve_dns_tcp}


def handle(proto, fault, sock, peer):
    rec = {"proto": proto, "fault": fault, "accept": time.time(),
           "peer": peer[1]}
    try:
        SERVE[proto](sock, fault, rec)
    except OSError as e:
        rec["error"] = str(e)
    finally:
        try:
            sock.close()
        except OSError:
            pass
    rec["end"] = time.time()
    log(rec)


def tcp_loop(lsock, proto, fault):
    while True:
        try:
            sock, peer = lsock.accept()
        except OSError:
            return
        threading.Thread(target=handle, args=(proto, fault, sock, peer),
                         daemon=True).start()


def listen_tcp(port=0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(64)
    return s


def listen_dns():
    """A UDP and a TCP socket on one free port number."""
    for _ in range(50):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0))
        try:
            t = listen_tcp(u.getsockname()[1])
        except OSError:
            u.close()
            continue
        return u, t
    raise OSError("no free port for DNS over UDP and TCP")


def watchdog(parent, lifetime):
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
    os._exit(0)


def main():
    global ARGS
    p = argparse.ArgumentParser(description="fault-injection server")
    p.add_argument("--listen", action="append", required=True,
                   metavar="PROTO:FAULT")
    p.add_argument("--port-file", required=True)
    p.add_argument("--log")
    p.add_argument("--parent", type=int, default=0)
    p.add_argument("--lifetime", type=float, default=600)
    p.add_argument("--maildir")
    p.add_argument("--cert")
    p.add_argument("--key")
    ARGS = p.parse_args()
    known = {"http": HTTP_FAULTS, "whois": WHOIS_FAULTS, "dns": DNS_FAULTS}
    lines = []
    smtp = []
    for spec in ARGS.listen:
        proto, _, fault = spec.partition(":")
        if proto == "smtp":
            smtp.append(fault)
            continue
        if proto not in known or fault not in known[proto]:
            p.error("unknown PROTO:FAULT %s" % spec)
        if proto == "dns":
            u, t = listen_dns()
            threading.Thread(target=udp_loop, args=(u, fault),
                             daemon=True).start()
        else:
            t = listen_tcp()
        threading.Thread(target=tcp_loop, args=(t, proto, fault),
                         daemon=True).start()
        lines.append("%s %s %d" % (proto, fault, t.getsockname()[1]))
    if smtp:
        # tests/servers/smtpd.py, ours: by path, never the standard
        # library's module of that name
        import importlib.util
        sys.dont_write_bytecode = True
        spec = importlib.util.spec_from_file_location(
            "td_smtpd", os.path.join(HERE, "smtpd.py"))
        td_smtpd = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(td_smtpd)
        if not ARGS.maildir:
            p.error("smtp listeners need --maildir")
        for fault in smtp:
            if fault not in td_smtpd.FAULTS:
                p.error("unknown PROTO:FAULT smtp:%s" % fault)
        ports = td_smtpd.start_in_thread(smtp, ARGS.maildir, ARGS.cert,
                                         ARGS.key, log)
        for fault, port in zip(smtp, ports):
            lines.append("smtp %s %d" % (fault, port))
    tmp = ARGS.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.rename(tmp, ARGS.port_file)
    watchdog(ARGS.parent, ARGS.lifetime)


if __name__ == "__main__":
    sys.exit(main())
