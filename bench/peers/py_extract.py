#!/usr/bin/env python3
"""Python peer for takedown's URL-extraction benchmark and recall check.

What a typical analyst script does, with the standard library only:

  * parse each file with email.message_from_binary_file(policy=default);
  * walk every part (message/rfc822 attachments are walked too);
  * decode each text/* part with get_content() (unknown charsets and
    undecodable bytes are tolerated: fall back to the raw payload decoded as
    UTF-8 with replacement characters);
  * apply  https?://[^\\s<>"']+  (case-insensitive) and trim trailing
    punctuation (.,;:!?'" and closing brackets that have no opening partner
    inside the URL).

Usage:
  py_extract.py [--mode urls|count|parse] [--files-from LIST] FILE...

  --mode urls   (default) print "FILE<TAB>URL" per URL found, in text order,
                duplicates within a file removed (first occurrence kept).
  --mode count  extract as above, print nothing per URL; print one summary
                line "messages N bytes B urls U" at the end (to stdout).
  --mode parse  parse and decode every text part but do not run the regex;
                summary line as for count (urls 0).
  --files-from  read further file names, one per line, from LIST ("-": stdin).

A file that cannot be read or parsed is reported on stderr and counted; the
exit status is 1 if any file failed, else 0.
"""

import argparse
import email
import email.policy
import os
import re
import sys

URL_RE = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
TRAIL = ".,;:!?'\""
PAIRS = {")": "(", "]": "[", "}": "{"}


def trim(url):
    """Trim trailing punctuation the way analyst scripts usually do."""
    while url:
        c = url[-1]
        if c in TRAIL:
            url = url[:-1]
        elif c in PAIRS and url.count(c) > url.count(PAIRS[c]):
            url = url[:-1]
        else:
            break
    return url


def part_text(part):
    """Decoded text of a text/* part; never raises."""
    try:
        s = part.get_content()
        if isinstance(s, str):
            return s
    except Exception:  # unknown charset, bad transfer encoding, ...
        pass
    try:
        raw = part.get_payload(decode=True)
    except Exception:
        raw = None
    if raw is None:
        p = part.get_payload()
        return p if isinstance(p, str) else ""
    return raw.decode("utf-8", "replace")


def texts(msg):
    for part in msg.walk():
        if part.is_multipart():
            continue
        if part.get_content_maintype() != "text":
            continue
        yield part_text(part)


def extract(path, mode):
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    urls = []
    seen = set()
    for t in texts(msg):
        if mode == "parse":
            continue
        for m in URL_RE.finditer(t):
            u = trim(m.group(0))
            if len(u) <= len("https://") or u in seen:
                continue
            seen.add(u)
            urls.append(u)
    return urls


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mode", choices=("urls", "count", "parse"),
                    default="urls")
    ap.add_argument("--files-from")
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    files = list(a.files)
    if a.files_from:
        fh = sys.stdin if a.files_from == "-" else open(a.files_from)
        files += [ln.rstrip("\n") for ln in fh if ln.strip()]
    out = sys.stdout
    nmsg = nbytes = nurls = 0
    failed = 0
    for path in files:
        try:
            urls = extract(path, a.mode)
        except Exception as e:  # keep going: one bad file is not fatal
            print("py_extract: %s: %s" % (path, e), file=sys.stderr)
            failed += 1
            continue
        nmsg += 1
        try:
            nbytes += os.path.getsize(path)
        except OSError:
            pass
        nurls += len(urls)
        if a.mode == "urls":
            for u in urls:
                out.write("%s\t%s\n" % (path, u))
    if a.mode != "urls":
        out.write("messages %d bytes %d urls %d\n" % (nmsg, nbytes, nurls))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
