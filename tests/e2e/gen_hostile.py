#!/usr/bin/env python3
"""Write hostile e-mails into a folder, one file per case.

Used by t0200-extract-hostile.sh; the cases are the ones a criminal can send
to break a mail parser: truncation, wrong boundaries, broken encodings, huge
lines, many parts, deep nesting, invalid UTF-8, NUL bytes, unknown charsets
and huge headers.  Files are generated, not committed, because several are
tens of megabytes.
"""
import base64
import os
import sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def w(name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


H = b"From: x@evil.example\nTo: y@example.org\nSubject: hostile\n"

w("truncated-mime.eml", H + b"Content-Type: multipart/mixed; boundary=AA\n\n"
  b"--AA\nContent-Type: text/html\n\n<a href=\"http://trunc.example/p\">x</a>\n--AA\n"
  b"Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\naHR0cDovL3Ry")

w("missing-boundary.eml", H + b"Content-Type: multipart/mixed\n\n"
  b"--AA\nContent-Type: text/plain\n\nhttp://noboundary.example/a\n--AA--\n")

w("wrong-boundary.eml", H + b"Content-Type: multipart/mixed; boundary=BB\n\n"
  b"--AA\nContent-Type: text/plain\n\nhttp://wrongboundary.example/a\n--AA--\n")

w("broken-base64.eml", H + b"Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\n"
  + base64.b64encode(b"see http://b64.example/login now")[:-3] + b"!!@@##\n====\n%%%\n")

w("broken-qp.eml", H + b"Content-Type: text/html\nContent-Transfer-Encoding: quoted-printable\n\n"
  b"<a href=3D\"http://qp.exa=\nmple/p=ZZ=4\">go</a> =\n=\n=G1=")

w("huge-line.eml", H + b"Content-Type: text/plain\n\n" + b"A" * (50 << 20) +
  b" http://after-huge.example/\n")

parts = [H + b"Content-Type: multipart/mixed; boundary=P\n\n"]
for i in range(10000):
    parts.append(b"--P\nContent-Type: text/plain\n\nhttp://part%d.example/\n" % i)
parts.append(b"--P--\n")
w("many-parts.eml", b"".join(parts))

deep = [H]
for i in range(1000):
    deep.append(b"Content-Type: multipart/mixed; boundary=D%d\n\n--D%d\n" % (i, i))
deep.append(b"Content-Type: text/plain\n\nhttp://bottom.example/\n")
w("deep-nesting.eml", b"".join(deep))

deep = [H]
for i in range(1000):
    deep.append(b"Content-Type: message/rfc822\n\nSubject: level %d\n" % i)
deep.append(b"Content-Type: text/plain\n\nhttp://bottom-rfc822.example/\n")
w("deep-rfc822.eml", b"".join(deep))

w("invalid-utf8.eml", b"From: \xff\xfe <x@evil.example>\nSubject: \xc0\xaf\xed\xa0\x80\n"
  b"Content-Type: text/plain; charset=utf-8\n\nhttp://utf8.example/\xff\xfe/\xc3\n")

w("nul-bytes.eml", H.replace(b"hostile", b"hos\0tile") +
  b"Content-Type: text/plain\n\nhttp://nul.example/a\0b \0\0 http://nul2.example/\n")

w("unknown-charset.eml", H + b"Content-Type: text/plain; charset=x-klingon-9\n\n"
  b"http://charset.example/ \xe9\xe8\n")

w("huge-header.eml", b"From: x@evil.example\nX-Big: " + b"h" * (1 << 20) +
  b"\nSubject: " + b"s " * (1 << 19) + b"\n\nhttp://hugeheader.example/\n")

w("crlf-injection.eml", b"From: \"a\r\nBcc: victim@example.org\" <x@evil.example>\n"
  b"Subject: =?UTF-8?Q?line=0D=0AX-Injected:_yes?= \x1b]0;owned\x07\x1b[31m red\n"
  b"Content-Type: text/html\n\n<a href='http://esc.example/\x1b[2J'>\x1b[5mclick\x1b[0m</a>"
  b"\x1b]0;owned\x07\x1b[2J http://esc.example/\n")
