#!/usr/bin/env python3
"""A small SMTP server (RFC 5321) on 127.0.0.1 for tests that run
without root: no Postfix, written on asyncio streams.

It accepts mail for any recipient into a Maildir (tmp/, then renamed into
new/; the message as received, dot-stuffing undone, CRLF kept, a
Return-Path line first).  EHLO offers SIZE, 8BITMIME and, when --cert and
--key are given, STARTTLS (RFC 3207: the session starts over after it).
No AUTH.  Lines over 4096 octets get a 500, messages over 32 MiB a 552.

One listening port per fault mode given with --listen FAULT (repeatable);
every connection on that port gets that fault:

    ok            a normal server
    stall         accept, never greet
    drip          the greeting one byte per second
    reset         part of the greeting, then a TCP reset (SO_LINGER 0)
    close         part of the greeting, then FIN (close early)
    oversize      an endless multi-line greeting (100 MB, never finished)
    nocode        a greeting without a reply code
    multiline     a multi-line greeting never finished (then silence)
    greet421      421 at the greeting, then close
    rcpt550       550 to every RCPT
    data554       554 to DATA
    final554      the message read, then 554 to its end
    final-stall   the message read, then no answer ever
    final-reset   the message read, then a TCP reset without an answer

The port file gets one line "smtp FAULT PORT" per listener, written whole
(then renamed) once all listen.  Each connection is logged as a JSON line
(fault, the commands' verbs in order, delivered file) with --log.  The
server exits when --parent is gone or after --lifetime seconds.

    smtpd.py --listen FAULT [--listen ...] --maildir DIR --port-file FILE
             [--cert PEM --key PEM] [--log FILE] [--parent PID]
             [--lifetime SECONDS]

tests/servers/faultd.py runs these same listeners for its smtp:FAULT
ports (start_in_thread).
"""
import argparse
import asyncio
import json
import os
import socket
import ssl
import struct
import sys
import threading
import time

FAULTS = {"ok", "stall", "drip", "reset", "close", "oversize", "nocode",
          "multiline", "greet421", "rcpt550", "data554", "final554",
          "final-stall", "final-reset"}
HOST = "smtp.fault.test"
LINE_MAX = 4096
MSG_MAX = 32 << 20
BIG = 100 * 1000 * 1000
GREETING = ("220 %s ESMTP takedown test server\r\n" % HOST).encode()


class Session:
    counter = 0

    def __init__(self, reader, writer, fault, cfg):
        self.r = reader
        self.w = writer
        self.fault = fault
        self.cfg = cfg
        self.tls = False
        self.rec = {"proto": "smtp", "fault": fault, "accept": time.time(),
                    "commands": []}
        self.reset_tx()

    def reset_tx(self):
        self.mail_from = None
        self.rcpt = []

    async def say(self, text):
        self.w.write(text.encode() if isinstance(text, str) else text)
        await self.w.drain()

    async def hold(self):
        """Read and drop until the client goes (or the lifetime ends)."""
        try:
            while await self.r.read(4096):
                pass
        except (OSError, ConnectionError):
            pass

    async def abort(self):
        """A TCP reset: what was written goes first, then SO_LINGER 0."""
        await self.w.drain()
        await asyncio.sleep(0.1)
        sock = self.w.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                        struct.pack("ii", 1, 0))
        self.w.transport.abort()

    async def readline(self):
        try:
            line = await self.r.readuntil(b"\n")
        except asyncio.LimitOverrunError:
            await self.r.read(LINE_MAX * 4)
            return b"\0toolong"
        except asyncio.IncompleteReadError:
            return None
        return line

    async def run(self):
        f = self.fault
        if f == "stall":
            return await self.hold()
        if f == "drip":
            for i in range(len(GREETING)):
                await self.say(GREETING[i:i + 1])
                await asyncio.sleep(1)
            return await self.hold()
        if f in ("reset", "close"):
            await self.say(GREETING[:12])
            if f == "reset":
                return await self.abort()
            return
        if f == "oversize":
            line = ("220-%s %s\r\n" % (HOST, "x" * 990)).encode()
            chunk = line * 64
            sent = 0
            while sent < BIG:
                await self.say(chunk)
                sent += len(chunk)
            return await self.hold()
        if f == "nocode":
            await self.say("hello, this is a mail server\r\n")
            return await self.hold()
        if f == "multiline":
            await self.say("220-%s first line\r\n220-second line\r\n" % HOST)
            return await self.hold()
        if f == "greet421":
            await self.say("421 4.3.2 %s closing: too busy\r\n" % HOST)
            return
        await self.say(GREETING)
        await self.dialogue()

    async def dialogue(self):
        while True:
            line = await self.readline()
            if line is None:
                return
            if line == b"\0toolong":
                await self.say("500 5.5.2 line too long\r\n")
                continue
            text = line.decode("utf-8", "replace").rstrip("\r\n")
            verb = text.split(" ", 1)[0].upper()
            arg = text[len(verb):].strip()
            self.rec["commands"].append(verb)
            if verb in ("EHLO", "HELO"):
                self.reset_tx()
                if verb == "HELO":
                    await self.say("250 %s\r\n" % HOST)
                    continue
                ext = ["SIZE %d" % MSG_MAX, "8BITMIME"]
                if self.cfg["ssl"] and not self.tls:
                    ext.append("STARTTLS")
                lines = [HOST] + ext
                await self.say("".join(
                    "250%s%s\r\n" % ("-" if i + 1 < len(lines) else " ", l)
                    for i, l in enumerate(lines)))
            elif verb == "STARTTLS":
                if not self.cfg["ssl"] or self.tls:
                    await self.say("502 5.5.1 no STARTTLS here\r\n")
                    continue
                await self.say("220 2.0.0 ready to start TLS\r\n")
                try:
                    await self.w.start_tls(self.cfg["ssl"])
                except (OSError, ssl.SSLError, ConnectionError) as e:
                    self.rec["error"] = "TLS: %s" % e
                    return
                self.tls = True
                self.reset_tx()
            elif verb == "MAIL":
                self.reset_tx()
                path = arg.partition(":")[2].strip()
                # the reverse-path, without ESMTP parameters (SIZE=...)
                self.mail_from = path.split(">", 1)[0] + ">" \
                    if path.startswith("<") else path.split(" ", 1)[0]
                await self.say("250 2.1.0 Ok\r\n")
            elif verb == "RCPT":
                if self.mail_from is None:
                    await self.say("503 5.5.1 MAIL first\r\n")
                elif self.fault == "rcpt550":
                    await self.say("550 5.1.1 no such user here\r\n")
                else:
                    self.rcpt.append(arg.partition(":")[2].strip())
                    await self.say("250 2.1.5 Ok\r\n")
            elif verb == "DATA":
                if not self.rcpt:
                    await self.say("503 5.5.1 RCPT first\r\n")
                elif self.fault == "data554":
                    await self.say("554 5.7.1 message refused by policy\r\n")
                else:
                    await self.say("354 End data with <CR><LF>.<CR><LF>\r\n")
                    if not await self.data():
                        return
            elif verb == "RSET":
                self.reset_tx()
                await self.say("250 2.0.0 Ok\r\n")
            elif verb == "NOOP":
                await self.say("250 2.0.0 Ok\r\n")
            elif verb == "QUIT":
                await self.say("221 2.0.0 Bye\r\n")
                return
            else:
                await self.say("502 5.5.2 command not recognised\r\n")

    async def data(self):
        """Read the message; answer as the fault says.  False: the
        session is over."""
        body = []
        size = 0
        while True:
            line = await self.readline()
            if line is None:
                return False
            if line == b"\0toolong":
                size = MSG_MAX + 1
                continue
            if line == b".\r\n":
                break
            if line.startswith(b"."):
                line = line[1:]
            size += len(line)
            if size <= MSG_MAX:
                body.append(line)
        self.rec["data_bytes"] = size
        f = self.fault
        if f == "final-stall":
            await self.hold()
            return False
        if f == "final-reset":
            await self.abort()
            return False
        if f == "final554":
            await self.say("554 5.7.1 message looks like spam\r\n")
        elif size > MSG_MAX:
            await self.say("552 5.3.4 message too big\r\n")
        else:
            name = self.deliver(b"".join(body))
            self.rec["delivered"] = name
            await self.say("250 2.0.0 Ok: queued as %s\r\n" %
                           name.split(".")[1])
        self.reset_tx()
        return True

    def deliver(self, msg):
        md = self.cfg["maildir"]
        Session.counter += 1
        name = "%d.M%dP%dQ%d.%s" % (time.time(), time.time_ns() % 1000000,
                                    os.getpid(), Session.counter, HOST)
        tmp = os.path.join(md, "tmp", name)
        with open(tmp, "wb") as f:
            f.write(b"Return-Path: " + self.mail_from.encode() + b"\r\n")
            f.write(msg)
        os.rename(tmp, os.path.join(md, "new", name))
        return name


def make_ssl(cert, key):
    if not cert or not key:
        return None
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx


async def serve(faults, cfg, logfn, ready):
    servers = []
    for fault in faults:
        async def client(reader, writer, fault=fault):
            s = Session(reader, writer, fault, cfg)
            try:
                await s.run()
            except (OSError, ConnectionError, ssl.SSLError) as e:
                s.rec["error"] = str(e)
            finally:
                try:
                    writer.close()
                except (OSError, RuntimeError):
                    pass
            s.rec["end"] = time.time()
            logfn(s.rec)
        srv = await asyncio.start_server(client, "127.0.0.1", 0,
                                         limit=LINE_MAX)
        servers.append(srv)
    ready([srv.sockets[0].getsockname()[1] for srv in servers])
    await asyncio.gather(*(srv.serve_forever() for srv in servers))


def prepare(maildir, cert, key):
    for sub in ("tmp", "new", "cur"):
        os.makedirs(os.path.join(maildir, sub), exist_ok=True)
    return {"maildir": maildir, "ssl": make_ssl(cert, key)}


def start_in_thread(faults, maildir, cert, key, logfn):
    """Run the listeners on an event loop of their own in a daemon
    thread; returns their ports, in the order of faults."""
    cfg = prepare(maildir, cert, key)
    got = []
    done = threading.Event()

    def ready(ports):
        got.extend(ports)
        done.set()

    def run():
        try:
            asyncio.run(serve(faults, cfg, logfn, ready))
        finally:
            done.set()

    threading.Thread(target=run, daemon=True).start()
    done.wait(10)
    if len(got) != len(faults):
        raise OSError("smtpd: listeners did not start")
    return got


def main():
    p = argparse.ArgumentParser(description="SMTP fixture server")
    p.add_argument("--listen", action="append", required=True,
                   metavar="FAULT")
    p.add_argument("--maildir", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--log")
    p.add_argument("--parent", type=int, default=0)
    p.add_argument("--lifetime", type=float, default=600)
    a = p.parse_args()
    for f in a.listen:
        if f not in FAULTS:
            p.error("unknown fault %s" % f)
    lock = threading.Lock()

    def logfn(rec):
        if a.log:
            with lock, open(a.log, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(rec) + "\n")

    ports = start_in_thread(a.listen, a.maildir, a.cert, a.key, logfn)
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as fh:
        fh.write("".join("smtp %s %d\n" % (f, pt)
                         for f, pt in zip(a.listen, ports)))
    os.rename(tmp, a.port_file)
    start = time.time()
    while True:
        time.sleep(0.5)
        if a.lifetime and time.time() - start > a.lifetime:
            break
        if a.parent:
            try:
                os.kill(a.parent, 0)
            except OSError:
                break
    return 0


if __name__ == "__main__":
    sys.exit(main())
