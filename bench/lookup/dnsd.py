#!/usr/bin/env python3
"""An authoritative-style DNS server on 127.0.0.1 (UDP, and TCP for
completeness) for the lookup benchmark: every answer leaves DELAY ms after
the question came in, and questions are answered concurrently (asyncio
timers, not one at a time), like a resolver far away.

The zone is a JSON file written by gen_world.py:

    {"names": {"host.example.com": {"A": ["192.0.2.1"], "AAAA": [...],
                                     "NS": ["ns1.x.test"],
                                     "MX": [[10, "mx.x.test"]],
                                     "CNAME": "other.example.com"}, ...}}

Answers, as a real server gives them:
  - the name has records of the type: NOERROR with them (a CNAME is
    followed inside the zone and the chain put in the answer);
  - the name exists (has some record, or names exist below it): NOERROR,
    empty answer, SOA in the authority section (NODATA, RFC 2308);
  - otherwise NXDOMAIN with the SOA.
Every question is logged as a JSON line {"time", "name", "type", "rcode"}
(names lowercased) so the benchmark can count what was asked.

    dnsd.py --zone FILE --port-file FILE [--port 0] [--delay MS]
            [--log FILE] [--parent PID] [--lifetime SECONDS]
"""
import argparse
import asyncio
import json
import os
import signal
import socket
import struct
import sys
import time

TYPES = {1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX",
         16: "TXT", 28: "AAAA"}
CODES = {v: k for k, v in TYPES.items()}
NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP = 0, 1, 2, 3, 4


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            b = label.encode("ascii")
            out += bytes([len(b)]) + b
    return out + b"\0"


def read_name(msg, off):
    """(name, offset after it) from a wire message; follows pointers."""
    labels, jumped, end, hops = [], False, off, 0
    while True:
        if off >= len(msg):
            raise ValueError("name past end")
        n = msg[off]
        if n & 0xC0 == 0xC0:
            if off + 1 >= len(msg) or hops > 20:
                raise ValueError("bad pointer")
            if not jumped:
                end = off + 2
            off = ((n & 0x3F) << 8) | msg[off + 1]
            jumped, hops = True, hops + 1
            continue
        if n == 0:
            if not jumped:
                end = off + 1
            break
        labels.append(msg[off + 1:off + 1 + n].decode("ascii", "replace"))
        off += 1 + n
    return ".".join(labels), end


class Zone:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        self.names = {k.lower().rstrip("."): v
                      for k, v in data["names"].items()}
        self.exists = set()
        for name in self.names:
            parts = name.split(".")
            for i in range(len(parts)):
                self.exists.add(".".join(parts[i:]))
        self.ttl = int(data.get("ttl", 300))

    def soa_owner(self, name):
        """The zone apex to put in an SOA: the longest name with NS records
        above or at name, else its last two labels."""
        parts = name.split(".")
        for i in range(len(parts)):
            cand = ".".join(parts[i:])
            if "NS" in self.names.get(cand, {}):
                return cand
        return ".".join(parts[-2:]) if len(parts) >= 2 else name

    def answer(self, qname, qtype):
        """(rcode, [(owner, type, rdata-bytes)], authority list)."""
        name = qname.lower().rstrip(".")
        records = []
        seen = set()
        cur = name
        for _ in range(8):
            node = self.names.get(cur)
            if node is None:
                break
            if "CNAME" in node and qtype != CODES["CNAME"]:
                if cur in seen:
                    break
                seen.add(cur)
                records.append((cur, CODES["CNAME"],
                                encode_name(node["CNAME"])))
                cur = node["CNAME"].lower().rstrip(".")
                continue
            records.extend(self.rrset(cur, node, qtype))
            break
        if records:
            return NOERROR, records, []
        if name in self.exists or cur in self.exists:
            return NOERROR, [], [self.soa(name)]
        return NXDOMAIN, [], [self.soa(name)]

    def rrset(self, owner, node, qtype):
        t = TYPES.get(qtype)
        out = []
        if t == "A":
            for a in node.get("A", []):
                out.append((owner, qtype, socket.inet_pton(socket.AF_INET, a)))
        elif t == "AAAA":
            for a in node.get("AAAA", []):
                out.append((owner, qtype,
                            socket.inet_pton(socket.AF_INET6, a)))
        elif t == "NS":
            for ns in node.get("NS", []):
                out.append((owner, qtype, encode_name(ns)))
        elif t == "MX":
            for pref, host in node.get("MX", []):
                out.append((owner, qtype,
                            struct.pack("!H", pref) + encode_name(host)))
        elif t == "TXT":
            for txt in node.get("TXT", []):
                b = txt.encode()[:255]
                out.append((owner, qtype, bytes([len(b)]) + b))
        return out

    def soa(self, name):
        apex = self.soa_owner(name)
        rdata = (encode_name("ns1." + apex) + encode_name("hostmaster." + apex)
                 + struct.pack("!IIIII", 2026112701, 7200, 900, 1209600, 300))
        return (apex, CODES["SOA"], rdata)


def build(zone, query):
    """The answer message for a query message, and what to log."""
    if len(query) < 12:
        raise ValueError("short")
    qid, flags, qd = struct.unpack("!HHH", query[:6])
    if flags & 0x8000 or qd != 1:
        raise ValueError("not one question")
    qname, off = read_name(query, 12)
    if off + 4 > len(query):
        raise ValueError("short question")
    qtype, qclass = struct.unpack("!HH", query[off:off + 4])
    question = query[12:off + 4]
    rd = flags & 0x0100
    opcode = (flags >> 11) & 0xF
    if opcode != 0 or qclass != 1:
        rcode, ans, auth = NOTIMP, [], []
    else:
        rcode, ans, auth = zone.answer(qname, qtype)
    hdr = struct.pack("!HHHHHH", qid, 0x8000 | 0x0400 | rd | rcode, 1,
                      len(ans), len(auth), 0)
    body = b""
    for owner, t, rdata in ans + auth:
        body += encode_name(owner) + struct.pack(
            "!HHIH", t, 1, zone.ttl, len(rdata)) + rdata
    msg = hdr + question + body
    return msg, {"name": qname.lower().rstrip("."),
                 "type": TYPES.get(qtype, str(qtype)), "rcode": rcode}


class Logger:
    def __init__(self, path):
        # line-buffered: the benchmark reads the log while we run
        self.f = open(path, "a", encoding="utf-8", buffering=1) \
            if path else None

    def write(self, rec):
        if self.f:
            self.f.write(json.dumps(rec) + "\n")

    def flush(self):
        if self.f:
            self.f.flush()


class UDP(asyncio.DatagramProtocol):
    def __init__(self, zone, delay, logger):
        self.zone, self.delay, self.log = zone, delay, logger

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        now = time.time()
        try:
            msg, rec = build(self.zone, data)
        except (ValueError, UnicodeError, struct.error):
            return
        rec["time"] = now
        self.log.write(rec)
        if len(msg) > 512:  # truncated (TC): the client retries over TCP
            qend = read_name(msg, 12)[1] + 4
            msg = msg[:2] + bytes([msg[2] | 0x02, msg[3]]) + msg[4:6] + \
                b"\0\0\0\0\0\0" + msg[12:qend]
        asyncio.get_running_loop().call_later(
            self.delay, self.transport.sendto, msg, addr)


async def tcp_client(zone, delay, logger, reader, writer):
    try:
        while True:
            head = await reader.readexactly(2)
            data = await reader.readexactly(struct.unpack("!H", head)[0])
            now = time.time()
            try:
                msg, rec = build(zone, data)
            except (ValueError, UnicodeError, struct.error):
                break
            rec["time"] = now
            rec["tcp"] = True
            logger.write(rec)
            await asyncio.sleep(delay)
            writer.write(struct.pack("!H", len(msg)) + msg)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main_async(args):
    zone = Zone(args.zone)
    logger = Logger(args.log)
    loop = asyncio.get_running_loop()
    delay = args.delay / 1000.0
    transport, _ = await loop.create_datagram_endpoint(
        lambda: UDP(zone, delay, logger), local_addr=("127.0.0.1", args.port))
    port = transport.get_extra_info("sockname")[1]
    tcp = await asyncio.start_server(
        lambda r, w: tcp_client(zone, delay, logger, r, w), "127.0.0.1", port)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, args.port_file)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        loop.add_signal_handler(sig, stop.set)
    start = time.time()
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), 0.5)
        except asyncio.TimeoutError:
            pass
        logger.flush()
        if args.lifetime and time.time() - start > args.lifetime:
            break
        if args.parent:
            try:
                os.kill(args.parent, 0)
            except OSError:
                break
    logger.flush()
    transport.close()
    tcp.close()


def main():
    p = argparse.ArgumentParser(description="delaying DNS server for benchmarks")
    p.add_argument("--zone", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file", required=True)
    p.add_argument("--delay", type=float, default=50, help="milliseconds")
    p.add_argument("--log")
    p.add_argument("--parent", type=int, default=0)
    p.add_argument("--lifetime", type=float, default=3600)
    args = p.parse_args()
    asyncio.run(main_async(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
