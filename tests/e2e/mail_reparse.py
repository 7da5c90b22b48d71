#!/usr/bin/env python3
"""Generated mail, re-parsed by independent parsers (t0720-mail-reparse.sh).

  mail_reparse.py gen SRC.eml OUTDIR
      write hostile variants of a phishing e-mail into OUTDIR: CR/LF and
      NUL in header fields, RFC 2047 encoded-words that decode to line
      breaks or to other encoded-words, address quoting and comment
      tricks, 10 kB lines, "." lines, bare CR, in the header and the body.

  mail_reparse.py check DRAFT.eml...
      each draft must have, next to it, DRAFT.eml.gmime.json: what
      `takedown extract --json` (GMime) made of it.  Checks, per draft:
      - raw octets: no NUL, no bare CR, one line ending style (all CRLF or
        all LF), no line over 998 octets (RFC 5322 2.1.1);
      - the header field names, in order, are the same for a plain split of
        the header section, Python's email package with policy.default,
        and with policy.compat32; From, To, Subject, Date and Message-ID
        appear exactly once; no Bcc and no header an attacker named
        (X-Injected);
      - From, To, Reply-To addresses, Subject, Date and Message-ID read
        the same in policy.default, compat32 (decoded with
        email.header) and GMime;
      - no decoded header value holds CR, LF or NUL;
      - policy.default finds no defect in the header section.
      Prints one line per problem; exit 1 if there was any.
"""
import email
import email.header
import email.policy
import email.utils
import json
import os
import re
import sys

MARK = "X-Injected"


def gen(src, out):
    raw = open(src, "rb").read()
    os.makedirs(out, exist_ok=True)
    head, sep, body = raw.partition(b"\n\n")
    if not sep:
        head, sep, body = raw.partition(b"\r\n\r\n")
    nl = b"\r\n" if b"\r\n" in head[:2000] else b"\n"

    def with_header(name, value):
        lines = re.split(rb"\r?\n(?![ \t])", head)
        kept = [l for l in lines if not l.lower().startswith(name.lower() + b":")]
        return nl.join(kept + [name + b": " + value])

    def w(name, h, b=None):
        with open(os.path.join(out, name + ".eml"), "wb") as f:
            f.write(h + sep + (body if b is None else b))

    inj = b"Bcc: evil@x.example" + nl + MARK.encode() + b": yes"
    w("subject-crlf-2047", with_header(
        b"Subject", b"=?utf-8?q?Urgent=0D=0ABcc:_evil@x.example=0D=0A" +
        MARK.encode() + b":_yes?="))
    w("subject-crlf-b64", with_header(
        b"Subject", b"=?utf-8?b?VXJnZW50DQpCY2M6IGV2aWxAeC5leGFtcGxlDQpYLUluamVjdGVkOiB5ZXM=?="))
    w("subject-nested-2047", with_header(
        b"Subject", b"=?utf-8?b?PT91dGYtOD9xP0hpPTBEPTBBWC1JbmplY3RlZDpfeWVzPz0=?="))
    w("subject-bare-cr-nul", with_header(
        b"Subject", b"Hi\rBcc: evil@x.example\x00 " + MARK.encode() + b": yes"))
    w("subject-10k", with_header(b"Subject", b"A" * 10240 + b" end"))
    w("subject-10k-words", with_header(
        b"Subject", b" ".join([b"=?utf-8?q?w=C3=A9?="] * 800)))
    w("from-quoted-trick", with_header(b"From", b'"a@x.example>"@y.example'))
    w("from-comment-trick", with_header(
        b"From", b"user@good.example(x)evil.example"))
    w("replyto-trick", with_header(
        b"Reply-To", b"Name <user@good.example>, (c) " + inj))
    w("header-bare-lf-inject", with_header(
        b"X-Mailer", b"m\n" + inj))
    dots = nl.join([b".", b"..", b". ", b"x", b"."]) + nl
    long = b"B" * 10240 + nl
    w("body-dots-long", head, body + nl + dots + long + b"tail\rCR" + nl +
      b"\x00NUL" + nl + b"." + nl)


def plain_names(raw):
    """Header field names by a plain split: up to the first empty line,
    continuation lines joined."""
    text = raw.replace(b"\r\n", b"\n")
    head = text.split(b"\n\n", 1)[0]
    names = []
    for line in head.split(b"\n"):
        if not line:
            break
        if line[:1] in (b" ", b"\t"):
            continue
        names.append(line.split(b":", 1)[0].decode("ascii", "replace"))
    return names


def norm(s):
    return " ".join((s or "").split())


def compat_text(v):
    if v is None:
        return None
    return str(email.header.make_header(email.header.decode_header(str(v))))


def addrs_default(m, name):
    h = m[name]
    if h is None:
        return []
    return [a.addr_spec for a in h.addresses]


def addrs_compat(m, name):
    vals = m.get_all(name) or []
    return [a for _, a in email.utils.getaddresses([compat_text(v) for v in vals])]


def check(path, problems):
    def bad(msg):
        problems.append("%s: %s" % (os.path.basename(path), msg))

    raw = open(path, "rb").read()
    # raw octets
    if b"\x00" in raw:
        bad("NUL byte")
    if re.search(rb"\r(?!\n)", raw):
        bad("bare CR")
    crlf = raw.count(b"\r\n")
    lf = raw.count(b"\n") - crlf
    if crlf and lf:
        bad("mixed line endings: %d CRLF, %d LF" % (crlf, lf))
    for i, line in enumerate(re.split(rb"\r?\n", raw), 1):
        if len(line) > 998:
            bad("line %d: %d octets" % (i, len(line)))
    # header field names: three readings
    d = email.message_from_bytes(raw, policy=email.policy.default)
    c = email.message_from_bytes(raw, policy=email.policy.compat32)
    plain = plain_names(raw)
    if [k.lower() for k in d.keys()] != [k.lower() for k in plain]:
        bad("header names: policy.default %s, plain split %s" % (d.keys(), plain))
    if [k.lower() for k in c.keys()] != [k.lower() for k in plain]:
        bad("header names: compat32 %s, plain split %s" % (c.keys(), plain))
    low = [k.lower() for k in plain]
    for h in ("from", "to", "subject", "date", "message-id"):
        if low.count(h) != 1:
            bad("%s appears %d times" % (h, low.count(h)))
    for h in ("bcc", MARK.lower()):
        if h in low:
            bad("a %s header" % h)
    if d.defects:
        bad("policy.default defects: %s" % d.defects)
    # values: policy.default, compat32, GMime
    try:
        g = json.load(open(path + ".gmime.json"))
        gm = [x for x in g["messages"] if x["role"] == "outer"][0]["headers"]
    except (OSError, ValueError, KeyError, IndexError) as e:
        bad("no GMime reading: %s" % e)
        gm = None
    for k in d.keys():
        for v in d.get_all(k) or []:
            s = str(v)
            if "\r" in s or "\n" in s or "\x00" in s:
                bad("%s: decoded value holds CR, LF or NUL: %r" % (k, s[:200]))
    subj = [norm(str(d["Subject"])), norm(compat_text(c["Subject"]))]
    if gm is not None:
        subj.append(norm(gm.get("subject")))
    if len(set(subj)) != 1:
        bad("Subject read differently: %r" % [s[:120] for s in subj])
    for name, key in (("From", "from"), ("To", "to"), ("Reply-To", "reply_to")):
        a = [addrs_default(d, name), addrs_compat(c, name)]
        if gm is not None:
            a.append([x["address"] for x in gm.get(key) or []])
        if any(x != a[0] for x in a):
            bad("%s addresses read differently: %r" % (name, a))
    for name, key in (("Message-ID", "message_id"), ("Date", "date")):
        v = [norm(str(d[name])), norm(str(c[name]))]
        if gm is not None:
            v.append(norm(gm.get(key)))
        if len(set(v)) != 1:
            bad("%s read differently: %r" % (name, v))


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "gen":
        gen(sys.argv[2], sys.argv[3])
        return 0
    if len(sys.argv) >= 2 and sys.argv[1] == "check":
        problems = []
        for p in sys.argv[2:]:
            check(p, problems)
        for p in problems:
            print(p)
        return 1 if problems else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
