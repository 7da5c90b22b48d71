#!/usr/bin/env python3
"""Check that every generated answer says what the world model says it
does, as takedown's own parsers read it (takedown parse-record --json):
registrar, abuse e-mail, registrar link, referral, visible registrant
e-mail, network range.  The expected question counts of the benchmark
rest on this: an answer the parser reads differently would make takedown
ask other questions than the model counts.

    check_world.py TAKEDOWN WORLD_DIR      (exit 1 on any disagreement)
"""
import json
import os
import subprocess
import sys


def lower(x):
    return x.lower() if isinstance(x, str) else x


def registrant(rec):
    for c in rec.get("contacts", []):
        if c.get("role") == "registrant":
            return c
    return None


def main():
    td, world = sys.argv[1], sys.argv[2]
    with open(os.path.join(world, "check.json")) as f:
        checks = json.load(f)
    by_file = {c["file"]: c for c in checks}
    files = list(by_file)
    got = {}
    for i in range(0, len(files), 400):
        out = subprocess.run([td, "parse-record", "--json"] + files[i:i + 400],
                             capture_output=True, text=True)
        for line in out.stdout.splitlines():
            o = json.loads(line)
            got[o["path"]] = o["record"]
    bad = []
    for path, c in by_file.items():
        r = got.get(path)
        why = []
        if r is None:
            why.append("not parsed")
        elif r.get("status") != "found":
            why.append("status %s" % r.get("status"))
        elif c["kind"] == "ip":
            if r.get("start") != c["start"] or r.get("end") != c["end"]:
                why.append("range %s-%s" % (r.get("start"), r.get("end")))
            if lower(r.get("abuse_email")) != lower(c["abuse"]):
                why.append("abuse %s, want %s" % (r.get("abuse_email"),
                                                 c["abuse"]))
        else:
            if lower(r.get("abuse_email")) != lower(c["abuse"]):
                why.append("abuse %s, want %s" % (r.get("abuse_email"),
                                                 c["abuse"]))
            if c.get("registrar") and r.get("registrar") != c["registrar"]:
                why.append("registrar %r, want %r" % (r.get("registrar"),
                                                      c["registrar"]))
            if not c.get("registrar") and r.get("registrar"):
                why.append("registrar %r, want none" % r.get("registrar"))
            if "registrar_rdap" in c and \
                    r.get("registrar_rdap") != c["registrar_rdap"]:
                why.append("registrar_rdap %s, want %s" % (
                    r.get("registrar_rdap"), c["registrar_rdap"]))
            if "registrar_whois" in c and \
                    lower(r.get("registrar_whois")) != lower(c["registrar_whois"]):
                why.append("registrar_whois %s, want %s" % (
                    r.get("registrar_whois"), c["registrar_whois"]))
            reg = registrant(r)
            shown = reg is not None and reg.get("email") and not (
                set(reg.get("flags") or []) & {"redacted", "withheld"})
            if c["registrant_visible"]:
                if not shown or lower(reg.get("email")) != \
                        lower(c["registrant_email"]):
                    why.append("registrant %s, want %s" % (
                        reg and (reg.get("email"), reg.get("flags")),
                        c["registrant_email"]))
            elif shown:
                why.append("registrant e-mail %s shown, want none" %
                           reg.get("email"))
        if why:
            bad.append((path, why))
    print("world check: %d generated answers read with takedown parse-record,"
          " %d disagree with the model" % (len(by_file), len(bad)))
    for path, why in bad[:15]:
        print("  %s: %s" % (os.path.relpath(path, world), "; ".join(why)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
