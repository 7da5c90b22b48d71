#!/usr/bin/env python3
"""Print the figures of bench/lookup.sh and write them as JSON.

    report.py --world DIR --tmp DIR --repeat N --delay MS --json FILE
              [--load-start X] [--td-version S] [--whois-version S]

Reads the runs' results (runcmd.py), takedown's --stats line and JSON
output, and the servers' logs (cut to each run's time window), and sets
them beside what the world model (model.py) says a lookup must ask and how
fast it could be.
"""
import argparse
import collections
import json
import os
import re
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model  # noqa: E402


def cpu_model():
    try:
        for ln in open("/proc/cpuinfo"):
            if ln.startswith("model name"):
                return ln.split(":", 1)[1].strip()
    except OSError:
        pass
    return os.uname().machine


def read_jsonl(path):
    out = []
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for ln in f:
                ln = ln.strip()
                if ln.startswith("{"):
                    try:
                        out.append(json.loads(ln))
                    except ValueError:
                        pass
    except OSError:
        pass
    return out


def stats_line(path):
    st = None
    for o in read_jsonl(path):
        if "dns" in o and "http" in o:
            st = o
    return st


def window(entries, run, key="time"):
    lo, hi = run["start"] - 0.01, run["end"] + 0.5
    return [e for e in entries if lo <= e.get(key, 0) <= hi]


class Logs:
    def __init__(self, tmp, world):
        self.world = world
        self.dns = read_jsonl(os.path.join(tmp, "logs", "dns.log"))
        self.http = read_jsonl(os.path.join(tmp, "logs", "http.log"))
        self.wreg = read_jsonl(os.path.join(tmp, "logs", "whois-registry.log"))
        self.wrar = read_jsonl(os.path.join(tmp, "logs",
                                            "whois-registrar.log"))

    def run(self, run):
        """What the servers received during a run: lists of (question,
        time, server key)."""
        w = self.world
        dns = [(("%s %s" % (e["type"], e["name"])), e["time"], "dns")
               for e in window(self.dns, run)]
        http = []
        for e in window(self.http, run):
            path = e["path"].split("?", 1)[0]
            key = path.strip("/").split("/", 1)[0]
            http.append((path, e["time"], key))
        whois = []
        for e in window(self.wreg, run, "accept"):
            q = e.get("query", "").lower()
            d = w["domains"].get(q)
            srv = d["whois_server"] if d and d.get("whois_server") else \
                "whois-root/other"
            whois.append(("%s %s" % (srv, q), e["accept"], srv))
        for e in window(self.wrar, run, "accept"):
            q = e.get("query", "").lower()
            d = w["domains"].get(q)
            srv = d.get("registrar_whois") if d else None
            srv = srv or "registrar/other"
            whois.append(("%s %s" % (srv, q), e["accept"], srv))
        return dict(dns=dns, http=http, whois=whois)


def expected_keys(exp):
    return dict(
        dns={"%s %s" % (t, n) for t, n in exp["dns"]},
        http={urllib.parse.urlsplit(u).path for u in exp["http"]},
        whois={"%s %s" % (s, q) for s, q in exp["whois"]})


def compare(exp_keys, got):
    """Per protocol: received, distinct received, repeated questions,
    missing and unexpected ones."""
    res = {}
    for proto in ("dns", "http", "whois"):
        c = collections.Counter(q for q, _, _ in got[proto])
        want = exp_keys[proto]
        res[proto] = dict(
            received=sum(c.values()), distinct=len(c),
            repeated=sorted(((q, n) for q, n in c.items() if n > 1),
                            key=lambda x: -x[1]),
            missing=sorted(want - set(c)), unexpected=sorted(set(c) - want))
    return res


def address_check(path, world):
    """Each address of each target against the world: did it get its own
    network's record?  Returns counts and examples."""
    import ipaddress
    own = other = none = 0
    examples = []
    for o in read_jsonl(path):
        t = o.get("target")
        if not t:
            continue
        for a in t.get("addresses", []):
            info = world["ip"].get(a.get("ip"))
            if not info:
                continue
            net = (a.get("network") or {})
            cidrs = net.get("cidrs") or []
            if net.get("status") != "found" or not cidrs:
                none += 1
                if len(examples) < 4:
                    examples.append("%s (%s): no network record" % (
                        a["ip"], t.get("input")))
                continue
            try:
                ok = ipaddress.ip_address(a["ip"]) in \
                    ipaddress.ip_network(cidrs[0], strict=False)
            except ValueError:
                ok = False
            if ok and cidrs[0] == info["net"]:
                own += 1
            else:
                other += 1
                if len(examples) < 4:
                    examples.append("%s (%s) given the record of %s" % (
                        a["ip"], t.get("input"), cidrs[0]))
    return dict(own=own, other=other, none=none, examples=examples)


def answers_summary(path):
    n = 0
    roles = collections.Counter()
    err_kinds = collections.Counter()
    with_err = 0
    dead = 0
    replaced = 0
    none = 0
    for o in read_jsonl(path):
        t = o.get("target")
        if not t:
            continue
        n += 1
        rs = {p["role"] for p in t.get("parties", [])}
        if not rs:
            none += 1
        for r in rs:
            roles[r] += 1
        dead += sum(1 for p in t.get("parties", [])
                    if p.get("abuse_email_dead"))
        replaced += sum(1 for p in t.get("parties", [])
                        if p.get("abuse_email_replaces"))
        if t.get("errors"):
            with_err += 1
        for e in t.get("errors", []):
            k = re.sub(r"https?://\S+", "URL", e)
            k = re.sub(r"\d+(\.\d+){3}|[0-9a-f:]{6,}", "ADDR", k)
            k = re.sub(r"[a-z0-9-]+\.[a-z]{2,}", "NAME", k)
            err_kinds[k[:90]] += 1
    return dict(targets=n, roles=dict(roles), with_errors=with_err,
                error_kinds=err_kinds.most_common(8), dead_emails=dead,
                replaced_emails=replaced, no_party=none)


def fmt_s(x):
    return "%.2f s" % x


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--world", required=True)
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--delay", type=float, default=50)
    ap.add_argument("--json", required=True)
    ap.add_argument("--load-start", default="")
    ap.add_argument("--td-version", default="")
    ap.add_argument("--whois-version", default="")
    a = ap.parse_args()
    model.LATENCY = a.delay / 1000.0
    W, tmp = a.world, a.tmp
    world = json.load(open(os.path.join(W, "world.json")))
    urls = open(os.path.join(W, "urls.txt")).read().splitlines()
    exp = model.expected(world, urls)
    ek = expected_keys(exp)
    logs = Logs(tmp, world)
    w = sys.stdout.write

    runs = []
    for i in range(1, a.repeat + 1):
        try:
            r = json.load(open(os.path.join(tmp, "run%d.json" % i)))
        except (OSError, ValueError):
            continue
        r["i"] = i
        r["stats"] = stats_line(os.path.join(tmp, "run%d.err" % i))
        runs.append(r)
    if not runs:
        w("no run finished\n")
        return 1
    best = min(runs, key=lambda r: r["wall"])
    got = logs.run(best)
    cmp_ = compare(ek, got)
    st = best["stats"] or {}

    # -- header --
    ncpu = os.cpu_count() or 0
    w("takedown lookup benchmark: fake world on 127.0.0.1, every DNS, RDAP "
      "and WHOIS answer %g ms late; %s\n" % (a.delay, "best of %d runs" %
                                             len(runs) if len(runs) > 1
                                             else "1 run"))
    w("host: %s, %d CPUs online (nproc), load average %s at start, %s at "
      "end\n" % (cpu_model(), ncpu, a.load_start or "?",
                 open("/proc/loadavg").read().split()[0]))
    try:
        if float(a.load_start) > 0.5 * ncpu:
            w("WARNING: the machine was busy at the start: figures are "
              "noisy\n")
    except ValueError:
        pass
    w("takedown: %s\n" % a.td_version)
    w(open(os.path.join(tmp, "world.txt")).read())
    doms = world["domains"].values()
    n_rdap = sum(1 for d in doms if d["kind"] == "rdap")
    n_rel = sum(1 for d in doms if d.get("related_url"))
    kinds = collections.Counter(v["kind"] for v in world["servers"].values())
    w("  %d domains on RDAP TLDs (%d with a registrar 'related' link, %d "
      "deleted: 404, %d on hold), %d on WHOIS-only TLDs (%d thin: registrar "
      "WHOIS too)\n" % (
          n_rdap, n_rel,
          sum(1 for d in doms if d["state"] == "deleted"),
          sum(1 for d in doms if d["state"] == "held"),
          len(doms) - n_rdap, sum(1 for d in doms
                                  if d.get("registrar_whois"))))
    w("  servers: 1 DNS, %d RDAP host names on one HTTP server (%d "
      "registries, %d registrars, 5 RIRs), %d WHOIS host names on two WHOIS "
      "servers\n" % (kinds["http"],
                     sum(1 for v in world["servers"].values()
                         if v["kind"] == "http" and v["role"] == "registry"),
                     sum(1 for v in world["servers"].values()
                         if v["kind"] == "http" and v["role"] == "registrar"),
                     kinds["whois"]))
    w(open(os.path.join(tmp, "check.txt")).read())

    # -- queries --
    w("\nrequests (full run, %d inputs)\n" % len(urls))
    w("  %-8s %14s %20s %7s %18s\n" % ("", "sent (--stats)",
                                       "distinct questions", "equal",
                                       "servers received"))
    rows = {}
    for proto, label in (("dns", "DNS"), ("http", "RDAP"),
                         ("whois", "WHOIS")):
        sent = st.get(proto)
        want = len(ek[proto])
        rows[proto] = dict(sent=sent, distinct=want,
                           received=cmp_[proto]["received"],
                           received_distinct=cmp_[proto]["distinct"])
        w("  %-8s %14s %20d %7s %18d\n" % (
            label, "?" if sent is None else sent, want,
            "?" if sent is None else ("yes" if sent == want else "NO"),
            cmp_[proto]["received"]))
    tot_sent = sum(v["sent"] or 0 for v in rows.values())
    tot_want = sum(v["distinct"] for v in rows.values())
    w("  %-8s %14s %20d %7s %18d\n" % (
        "total", tot_sent if st else "?", tot_want,
        ("yes" if tot_sent == tot_want else "NO") if st else "?",
        sum(v["received"] for v in rows.values())))
    if st:
        w("  deduplicated (asked again by another input, answered without "
          "a request): %s\n" % st.get("deduplicated"))
        w("  --stats line: %s\n" % json.dumps(st, separators=(",", ":")))
    else:
        w("  no --stats line on standard error\n")
    for proto in ("dns", "http", "whois"):
        c = cmp_[proto]
        for what in ("repeated", "missing", "unexpected"):
            items = c[what]
            if not items:
                continue
            w("  %s %s: %d, e.g. %s\n" % (proto.upper(), what, len(items),
                                          "; ".join(
                                              ("%s x%d" % x) if isinstance(
                                                  x, tuple) else x
                                              for x in items[:6])))

    # -- time --
    wall = best["wall"]
    ratio = wall / exp["bound"] if exp["bound"] else 0
    w("\ntime\n")
    w("  takedown lookup wall time %s   lower bound %s   ratio %.2f "
      "(goal <= 1.5: %s)\n" % (fmt_s(wall), fmt_s(exp["bound"]), ratio,
                               "met" if ratio <= 1.5 else "NOT met"))
    if len(runs) > 1:
        w("  all runs: %s\n" % ", ".join(fmt_s(r["wall"]) for r in runs))
    w("  takedown CPU %.2f s user + %.2f s system, peak RSS %.1f MB, exit "
      "%d (1: some inputs have no party, e.g. deleted domains)\n" % (
          best["user"], best["sys"], best["maxrss_kb"] / 1024, best["rc"]))
    w("  the bound is the slowest of (per server: distinct questions, limit, "
      "earliest possible first question, bound; then, from the server's "
      "log, when takedown asked its first and last question):\n")
    w("    %-30s %5s %20s %8s %8s %10s %10s\n" % (
        "server", "Q", "limit", "earliest", "bound", "first ask", "last ask"))
    per_srv = collections.defaultdict(list)
    for proto in ("dns", "http", "whois"):
        for q, t, key in got[proto]:
            per_srv[key].append(t - best["start"])
    srv_rows = []
    for s in exp["servers"]:
        times = per_srv.get(s.get("key", "dns"), [])
        srv_rows.append(dict(s, first=min(times) if times else None,
                             last=max(times) if times else None,
                             received=len(times)))
    for s in srv_rows[:10]:
        w("    %-30s %5d %20s %8.2f %8.2f %10s %10s\n" % (
            s["name"][:30], s["q"], s["limit"], s["prefix"], s["bound"],
            "-" if s["first"] is None else "%.2f" % s["first"],
            "-" if s["last"] is None else "%.2f" % s["last"]))
    if len(srv_rows) > 10:
        w("    ... %d more servers, each bound below %.2f s\n" % (
            len(srv_rows) - 10, srv_rows[10]["bound"]))
    w("    %-30s %5s %20s %8s %8.2f\n" % ("dependency chain", "", "", "",
                                          exp["chain"]))
    # the e-mail checks: when did they start?
    email_qs = {("MX %s" % e.rsplit("@", 1)[1].lower())
                for e in exp["emails"]}
    et = [t - best["start"] for q, t, _ in got["dns"] if q in email_qs]
    climbs = {urllib.parse.urlsplit(u).path for u in exp["http"]
              if u.split("/ip/")[-1].count("/") == 1}
    other = [t - best["start"] for proto in ("dns", "http", "whois")
             for q, t, _ in got[proto]
             if not (proto == "dns" and (q in email_qs or
                                         q.startswith("A ") and
                                         "MX " + q[2:] in email_qs))
             and not (proto == "http" and q in climbs)]
    # where the time went
    srv_names = {"A " + h for h in world["server_hosts"].values()}
    sd = sorted(t - best["start"] for q, t, _ in got["dns"]
                if q in srv_names)
    http_first = min((t - best["start"] for _, t, _ in got["http"]),
                     default=None)
    phase2 = [t - best["start"] for q, t, _ in got["dns"] if q in email_qs]
    p1_end = max(other) if other else None
    story = []
    if sd and http_first is not None:
        before = sum(1 for _, t, _ in got["dns"]
                     if t - best["start"] < sd[0])
        story.append("the RDAP servers' host names were asked of DNS at "
                     "%.2f s, behind %d DNS questions sent before them, "
                     "so the first RDAP request left at %.2f s" % (
                         sd[0], before, http_first))
    busiest = next((s for s in srv_rows if s["kind"] != "dns"), None)
    if busiest and busiest["first"] is not None:
        story.append("%s (the bound's server) got its %d requests from "
                     "%.2f s to %.2f s" % (busiest["name"], busiest["received"],
                                          busiest["first"], busiest["last"]))
    if p1_end is not None:
        story.append("the last question before the e-mail checks was "
                     "asked at %.2f s" % p1_end)
    if phase2 and p1_end is not None:
        story.append("the e-mail checks (MX of %d domains, A where no MX, "
                     "parent networks of dead addresses) ran from %.2f s to "
                     "%.2f s, after every other answer" % (
                         len(email_qs), min(phase2),
                         max(max(phase2), max(other))))
    story.append("the process exited at %.2f s" % wall)
    w("  where the time went: " + "; ".join(story) + ".\n")

    # -- answers --
    ans = answers_summary(os.path.join(tmp, "run%d.out" % best["i"]))
    w("\nanswers: %d targets; parties: %s; %d with no party (deleted or "
      "unknown domains); abuse addresses: %d marked undeliverable, %d "
      "replaced by the parent network's; %d targets with an error line\n" % (
          ans["targets"], ", ".join("%s %d" % kv for kv in
                                    sorted(ans["roles"].items())),
          ans["no_party"], ans["dead_emails"], ans["replaced_emails"],
          ans["with_errors"]))
    for k, n in ans["error_kinds"]:
        w("  %5d x %s\n" % (n, k))
    addr = address_check(os.path.join(tmp, "run%d.out" % best["i"]), world)
    ans["addresses"] = addr
    w("  addresses: %d with their own network's record, %d with another "
      "network's record, %d with none%s\n" % (
          addr["own"], addr["other"], addr["none"],
          "" if not addr["examples"] else
          "; e.g. " + "; ".join(addr["examples"])))

    # -- baseline --
    base = None
    try:
        wl = json.load(open(os.path.join(tmp, "whois-loop.json")))
        wt = json.load(open(os.path.join(tmp, "whois-td.json")))
        wdoms = open(os.path.join(W, "whois-domains.txt")).read().split()
        wexp = model.expected(world, wdoms)
        wst = stats_line(os.path.join(tmp, "whois-td.err")) or {}
        nq = len(open(os.path.join(tmp, "whois-loop.txt")).read().split("\n")) - 1
        failed = len(open(os.path.join(tmp, "whois-loop.err")).read()
                     .splitlines())
        nsrv = len([s for s in wexp["servers"] if s["kind"] == "whois"])
        base = dict(domains=len(wdoms), whois_queries=nq,
                    whois_loop_wall=wl["wall"], whois_loop_failed=failed,
                    takedown_wall=wt["wall"], takedown_rc=wt["rc"],
                    takedown_stats=wst, takedown_bound=wexp["bound"],
                    takedown_maxrss_kb=wt["maxrss_kb"],
                    expected=dict(dns=len(wexp["dns"]),
                                  http=len(wexp["http"]),
                                  whois=len(wexp["whois"])))
        w("\nsequential baseline: the %d domains of WHOIS-only TLDs (%d WHOIS "
          "servers)\n" % (len(wdoms), nsrv))
        w("  %-58s %9s\n" % ("", "wall"))
        ver = re.search(r"[\d.]*\d", a.whois_version or "")
        w("  %-58s %9s\n" % ("Debian whois %s, one query at a time" %
                             (ver.group(0) if ver else ""), ""))
        w("  %-58s %9s\n" % ("  (whois --no-recursion -h 127.0.0.1 -p PORT, "
                             "%d queries%s)" % (nq, ", %d failed" % failed
                                                if failed else ""),
                             fmt_s(wl["wall"])))
        w("  %-58s %9s\n" % ("takedown lookup --batch (same domains: %s "
                             "WHOIS," % wst.get("whois", "?"), ""))
        w("  %-58s %9s\n" % ("  plus %s DNS and %s RDAP for their addresses)"
                             % (wst.get("dns", "?"), wst.get("http", "?")),
                             fmt_s(wt["wall"])))
        w("  %-58s %9s\n" % ("  its lower bound (1 query/s per WHOIS "
                             "server;", ""))
        w("  %-58s %9s\n" % ("  %d queries to %s)" % (
            wexp["servers"][0]["q"], wexp["servers"][0]["name"]),
            fmt_s(wexp["bound"])))
        w("  takedown / whois loop = %.2fx; takedown / its bound = %.2fx\n" %
          (wt["wall"] / wl["wall"], wt["wall"] / wexp["bound"]))
    except (OSError, ValueError, KeyError, IndexError) as e:
        w("\nsequential baseline: skipped (%s)\n" % e)

    res = dict(
        delay_ms=a.delay, host=dict(cpu=cpu_model(), nproc=ncpu),
        takedown=a.td_version, world=dict(
            urls=len(urls), hosts=len(world["hosts"]),
            domains=len(world["domains"]),
            addresses=len(world["ip"]), servers=len(world["servers"])),
        requests=rows, deduplicated=st.get("deduplicated"),
        mismatches={p: {k: v[:50] for k, v in cmp_[p].items()
                        if isinstance(v, list)} for p in cmp_},
        wall=wall, runs=[r["wall"] for r in runs], bound=exp["bound"],
        ratio=ratio, chain=exp["chain"],
        servers=[{k: v for k, v in s.items()} for s in srv_rows],
        cpu_user=best["user"], cpu_sys=best["sys"],
        peak_rss_kb=best["maxrss_kb"], exit=best["rc"], answers=ans,
        baseline=base)
    with open(a.json, "w") as f:
        json.dump(res, f, indent=1)
        f.write("\n")
    w("\nfigures: %s\n" % os.path.relpath(a.json))
    return 0


if __name__ == "__main__":
    sys.exit(main())
