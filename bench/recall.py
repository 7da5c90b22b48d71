#!/usr/bin/env python3
"""URL recall of `takedown extract` against two peer extractors.

For each corpus file, three URL sets are built:

  py    bench/peers/py_extract.py   (stdlib email + analyst regex)
  node  bench/peers/node_extract.js (mailparser + linkify-it)
  td    takedown extract --json: every messages[].urls[].url, every
        urls[].wrapped_by[].url and every urls[].raw

and compared on a normalised key, url_key() below:

  1. HTML character references that end in ';' are decoded once
     (&amp; -> &, &#x3D; -> =); a bare '&name' without ';' is left alone,
     so query strings like '&para=1' are not mangled.
  2. Surrounding whitespace is dropped.
  3. Only absolute http:// and https:// URLs count (the python peer finds
     nothing else); anything else has no key and is left out of every set.
  4. Scheme and host are lowercased; a non-ASCII host is turned into its
     IDNA A-label (Python's "idna" codec) where that succeeds; userinfo,
     path, query and fragment are kept byte for byte, percent-encoding
     included.
  5. The default port (:80 for http, :443 for https) is dropped.
  6. Trailing '/' characters at the very end are stripped
     ("http://a.example/" == "http://a.example").

Prints (a) the URLs found by BOTH peers but not by takedown, grouped by file
(the ones listed in tests/fixtures/recall/peer-false-positives.tsv are shown
apart with their reason), (b) the URLs found only by takedown, and (c)
summary counts.  It also writes tests/fixtures/recall/peers-both.tsv:
"<file><TAB><url>" for every key found by both peers (file relative to the
corpus root, url as the python peer printed it), which the e2e test
tests/e2e/t0150-extract-recall.sh checks without needing node or the peers.

Usage:
  bench/recall.py [--corpus DIR] [--td BIN] [--no-takedown]
                  [--no-fixture] [--json OUT]

  --corpus DIR    corpus root (default: $TD_CORPUS or ../shared/corpus
                  beside the repository); the files are
                  DIR/phishing_pot/email/*.eml and DIR/spam-spamscope/*.eml
  --td BIN        takedown binary (default build/release/takedown)
  --no-takedown   compare the peers only (and write the fixture)
  --no-fixture    do not rewrite tests/fixtures/recall/peers-both.tsv
  --json OUT      also write the figures as JSON (bench/out/recall.json
                  by default when takedown ran)

Needs python3 (stdlib), node and `npm install --prefix bench`.
"""

import argparse
import glob
import html
import json
import os
import re
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXDIR = os.path.join(TOP, "tests", "fixtures", "recall")
BOTH_TSV = os.path.join(FIXDIR, "peers-both.tsv")
FP_TSV = os.path.join(FIXDIR, "peer-false-positives.tsv")
CORPUS_GLOBS = ("phishing_pot/email/*.eml", "spam-spamscope/*.eml")

_CHARREF = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_ABS = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)(.*)\Z", re.S)
_DEFPORT = {"http": "80", "https": "443"}


def url_key(u):
    """Comparison key of a URL (see the module docstring), or None."""
    u = _CHARREF.sub(lambda m: html.unescape(m.group(0)), u).strip()
    m = _ABS.match(u)
    if not m:
        return None
    scheme = m.group(1).lower()
    if scheme not in _DEFPORT:
        return None
    auth, rest = m.group(2), m.group(3)
    userinfo, at, hostport = auth.rpartition("@")
    if hostport.startswith("["):
        host, _, tail = hostport.partition("]")
        host += "]"
        port = tail[1:] if tail.startswith(":") else ""
    else:
        host, _, port = hostport.partition(":")
    host = host.lower()
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except (UnicodeError, ValueError):
            pass
    if port == _DEFPORT[scheme]:
        port = ""
    return "%s://%s%s%s%s" % (scheme, userinfo + at, host,
                              ":" + port if port else "", rest.rstrip("/"))


def td_found(obj):
    """Every URL string takedown reports in one JSON object."""
    for msg in obj.get("messages") or []:
        for u in msg.get("urls") or []:
            for k in ("url", "raw"):
                if isinstance(u.get(k), str):
                    yield u[k]
            for w in u.get("wrapped_by") or []:
                if isinstance(w.get("url"), str):
                    yield w["url"]


def load_fp(path=FP_TSV):
    """{(file, key): reason} from peer-false-positives.tsv."""
    fp = {}
    if not os.path.exists(path):
        return fp
    with open(path, encoding="utf-8") as f:
        for ln in f:
            ln = ln.rstrip("\n")
            if not ln or ln.startswith("#"):
                continue
            parts = ln.split("\t")
            if len(parts) < 3:
                continue
            k = url_key(parts[1])
            if k:
                fp[(parts[0], k)] = parts[2]
    return fp


def run_peer(cmd, files):
    """Run a peer over files; {abs path: [url, ...]} in output order."""
    p = subprocess.run(cmd + ["--files-from", "-"], input="\n".join(files),
                       capture_output=True, text=True, errors="replace")
    if p.returncode not in (0, 1):
        sys.exit("recall: %s failed (%d): %s" % (cmd, p.returncode,
                                                 p.stderr[-2000:]))
    sys.stderr.write(p.stderr)
    out = {}
    for ln in p.stdout.splitlines():
        path, _, url = ln.partition("\t")
        out.setdefault(path, []).append(url)
    return out


def run_takedown(binary, files):
    """{abs path: [url strings]} from `takedown extract --json`."""
    p = subprocess.run([binary, "extract", "--json"] + files,
                       capture_output=True, text=True, errors="replace")
    if p.returncode not in (0, 1):
        sys.exit("recall: takedown extract failed (%d): %s"
                 % (p.returncode, p.stderr[-2000:]))
    out = {}
    for ln in p.stdout.splitlines():
        if not ln.strip():
            continue
        obj = json.loads(ln)
        path = (obj.get("source") or {}).get("path")
        out.setdefault(path, []).extend(td_found(obj))
    return out


def keyed(urls):
    """{key: first url} for a list of URL strings."""
    d = {}
    for u in urls:
        k = url_key(u)
        if k and k not in d:
            d[k] = u
    return d


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=os.environ.get(
        "TD_CORPUS", os.path.join(os.path.dirname(TOP), "shared", "corpus")))
    ap.add_argument("--td", default=os.path.join(TOP, "build", "release",
                                                 "takedown"))
    ap.add_argument("--no-takedown", action="store_true")
    ap.add_argument("--no-fixture", action="store_true")
    ap.add_argument("--json")
    a = ap.parse_args()

    corpus = os.path.abspath(a.corpus)
    files = []
    for g in CORPUS_GLOBS:
        files += sorted(glob.glob(os.path.join(corpus, g)),
                        key=lambda p: [int(t) if t.isdigit() else t
                                       for t in re.split(r"(\d+)", p)])
    if not files:
        sys.exit("recall: no corpus files under %s" % corpus)
    rel = {f: os.path.relpath(f, corpus) for f in files}

    py = run_peer([sys.executable,
                   os.path.join(TOP, "bench", "peers", "py_extract.py")], files)
    node = run_peer(["node", os.path.join(TOP, "bench", "peers",
                                          "node_extract.js")], files)
    td = None
    if not a.no_takedown:
        if not os.access(a.td, os.X_OK):
            sys.exit("recall: no takedown binary at %s (or --no-takedown)"
                     % a.td)
        td = run_takedown(a.td, files)
    fp = load_fp()

    tot = dict(py=0, node=0, td=0, both=0, both_td=0, both_fp=0,
               both_miss=0, fp_found=0, either=0, td_only=0, py_only=0, node_only=0)
    fixture = []
    misses = {}       # file -> [url]
    fp_hits = {}      # file -> [(url, reason)]
    td_only = {}      # file -> [url]
    for f in files:
        r = rel[f]
        kp, kn = keyed(py.get(f, [])), keyed(node.get(f, []))
        both = [k for k in kp if k in kn]
        tot["py"] += len(kp)
        tot["node"] += len(kn)
        tot["both"] += len(both)
        tot["py_only"] += sum(1 for k in kp if k not in kn)
        tot["node_only"] += sum(1 for k in kn if k not in kp)
        for k in both:
            fixture.append((r, kp[k]))
        if td is None:
            continue
        kt = keyed(td.get(f, []))
        tot["td"] += len(kt)
        for k in both:
            if k in kt:
                tot["both_td"] += 1
                if (r, k) in fp:
                    tot["fp_found"] += 1
            elif (r, k) in fp:
                tot["both_fp"] += 1
                fp_hits.setdefault(r, []).append((kp[k], fp[(r, k)]))
            else:
                tot["both_miss"] += 1
                misses.setdefault(r, []).append(kp[k])
        only = [kt[k] for k in kt if k not in kp and k not in kn]
        tot["td_only"] += len(only)
        if only:
            td_only[r] = only
        tot["either"] += sum(1 for k in kt if k in kp or k in kn)

    if not a.no_fixture:
        os.makedirs(FIXDIR, exist_ok=True)
        with open(BOTH_TSV, "w", encoding="utf-8") as fh:
            fh.write("# URLs found by both peers (bench/peers/py_extract.py and\n"
                     "# bench/peers/node_extract.js), per corpus file; file is\n"
                     "# relative to ../shared/corpus.  Generated by\n"
                     "# bench/recall.py, do not edit; compared with\n"
                     "# bench/recall.py:url_key() by\n"
                     "# tests/e2e/t0150-extract-recall.sh.\n")
            for r, u in fixture:
                fh.write("%s\t%s\n" % (r, u))

    w = sys.stdout.write
    w("recall of takedown extract vs peers, %d files under %s\n"
      % (len(files), a.corpus))
    w("key: charrefs decoded, http/https only, scheme+host lowercased,"
      " IDNA host, default port dropped, trailing '/' stripped\n\n")
    if td is not None:
        w("(a) found by BOTH peers, not by takedown: %d\n" % tot["both_miss"])
        for r in sorted(misses):
            w("  %s\n" % r)
            for u in misses[r]:
                w("    %s\n" % u)
        w("\n    known peer false positives (tests/fixtures/recall/"
          "peer-false-positives.tsv): %d\n" % tot["both_fp"])
        for r in sorted(fp_hits):
            for u, why in fp_hits[r]:
                w("    %s  %s\n      -> %s\n" % (r, u, why))
        w("\n(b) found only by takedown (neither peer): %d\n" % tot["td_only"])
        for r in sorted(td_only):
            w("  %s\n" % r)
            for u in td_only[r]:
                w("    %s\n" % u)
        w("\n")
    w("(c) summary (distinct keys summed over files)\n")
    w("  %-44s %7d\n" % ("python peer", tot["py"]))
    w("  %-44s %7d\n" % ("node peer", tot["node"]))
    w("  %-44s %7d\n" % ("python peer only", tot["py_only"]))
    w("  %-44s %7d\n" % ("node peer only", tot["node_only"]))
    w("  %-44s %7d\n" % ("both peers", tot["both"]))
    if td is not None:
        w("  %-44s %7d\n" % ("takedown", tot["td"]))
        w("  %-44s %7d\n" % ("both peers, found by takedown", tot["both_td"]))
        w("  %-44s %7d\n" % ("both peers, peer false positive (listed)",
                             tot["both_fp"]))
        w("  %-44s %7d\n" % ("both peers, missed by takedown (unexplained)",
                             tot["both_miss"]))
        w("  %-44s %7d\n" % ("listed false positives takedown finds anyway",
                             tot["fp_found"]))
        real = tot["both"] - tot["both_fp"]
        w("  %-44s %6.2f%%\n" % ("recall vs both peers (raw)",
                                 100.0 * tot["both_td"] / max(1, tot["both"])))
        w("  %-44s %6.2f%%\n" % ("recall vs both peers (less listed FPs)",
                                 100.0 * tot["both_td"] / max(1, real)))
        w("  %-44s %7d\n" % ("takedown, also found by a peer", tot["either"]))
        w("  %-44s %7d\n" % ("takedown only", tot["td_only"]))
    if not a.no_fixture:
        w("  fixture: %s (%d lines)\n" % (os.path.relpath(BOTH_TSV, TOP),
                                          len(fixture)))
    out_json = a.json or (os.path.join(TOP, "bench", "out", "recall.json")
                          if td is not None else None)
    if out_json:
        os.makedirs(os.path.dirname(out_json), exist_ok=True)
        with open(out_json, "w") as fh:
            json.dump(dict(files=len(files), totals=tot, misses=misses,
                           peer_false_positives=fp_hits, takedown_only=td_only),
                      fh, indent=1, sort_keys=True)
            fh.write("\n")
    return 1 if tot["both_miss"] else 0


if __name__ == "__main__":
    sys.exit(main())
