"""The questions a complete lookup of a list of inputs must ask in the fake
world, each once, and the lower bound on the time to ask them.

Questions (what takedown lookup sets out to learn, per input):
  DNS    A and AAAA of the host, NS and MX of its registrable domain; A of
         each RDAP server's host name (its URL names a host, not an
         address); MX of the domain of every abuse or registrant e-mail
         that a party gets, and A of it when the MX answer is NODATA
         (RFC 5321 5.1; also for a dead domain that exists only because
         names exist below it, e.g. rdap.X.test: NODATA, not NXDOMAIN).  WHOIS server names are reached with --connect-to
         and need no DNS.
  HTTP   the registry's RDAP answer for the domain (RDAP TLDs), the
         registrar's answer behind its "related" link, the RIR's answer for
         every address (A and AAAA) of the host, and when a network's abuse
         address has no mail host, the RIR's answer for the block one bit
         shorter (ip/ADDRESS/LEN: the parent network and its contact).
  WHOIS  the registry's WHOIS answer (WHOIS-only TLDs) and the registrar's
         when the registry refers to one (thin registry).
Identical questions count once: that is the number takedown should send.

The lower bound: every answer comes LATENCY after its question, and
  - DNS: one server, at most DNS_INFLIGHT questions in flight:
    ceil(Q / DNS_INFLIGHT) * LATENCY;
  - an HTTP host: at most HTTP_RATE requests a second (and HTTP_INFLIGHT in
    flight, never the binding limit at these figures), the first one only
    after what it depends on (prefix) and the host name's DNS answer:
    prefix + max(2 * LATENCY, (Q - 1) / HTTP_RATE + LATENCY);
  - a WHOIS server: one connection at a time, WHOIS_RATE a second:
    prefix + (Q - 1) / WHOIS_RATE + LATENCY (if every answer took only
    LATENCY, the rate is what binds);
  - the dependency chain: registry RDAP (after its host's DNS) -> registrar
    RDAP (after its host's DNS) -> MX of the abuse e-mail -> A when NODATA;
    host A -> RIR RDAP (after its host's DNS) -> MX of the network's abuse
    e-mail -> A.  Each step is one LATENCY.
prefix: registry RDAP and registry WHOIS 0 (the domain is in the input),
registrar RDAP 2 * LATENCY (registry host DNS + registry answer), registrar
WHOIS 1 * LATENCY, RIR RDAP 1 * LATENCY (the host's A) or 0 when an input
is a bare address of that RIR.
The bound is the largest of these.  It does not charge takedown's own
structure (e-mail checks start only once every other answer is in).
"""
import ipaddress
import math
import urllib.parse

LATENCY = 0.050
DNS_INFLIGHT = 32
HTTP_INFLIGHT = 4
HTTP_RATE = 10.0
WHOIS_RATE = 1.0


def parse_input(line):
    """(host or None, ip or None) of one --batch line, as takedown sees it:
    a URL, a domain or an address."""
    s = line.strip()
    if not s or s.startswith("#"):
        return None, None
    try:
        return None, str(ipaddress.ip_address(s))
    except ValueError:
        pass
    if "://" not in s:
        s = "http://" + s
    host = urllib.parse.urlsplit(s).hostname or ""
    host = host.lower().rstrip(".")
    try:
        return None, str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return host, None


def rir_of(world, ip):
    info = world["ip"].get(ip)
    if info:
        return info["rir"]
    return None


def expected(world, lines):
    """Distinct questions of a lookup of lines, per protocol and per
    server, and the lower bound.  Returns a dict."""
    dns, http, whois = set(), set(), set()
    http_srv, whois_srv = {}, {}   # server key -> set of questions
    http_prefix, whois_prefix = {}, {}
    emails = set()
    chain = 0.0
    rir_literal = set()
    L = LATENCY

    def add_http(url, key, prefix):
        http.add(url)
        http_srv.setdefault(key, set()).add(url)
        http_prefix[key] = min(http_prefix.get(key, prefix), prefix)
        dns.add(("A", urllib.parse.urlsplit(url).hostname))

    def add_whois(server, query, prefix):
        whois.add((server, query))
        whois_srv.setdefault(server, set()).add(query)
        whois_prefix[server] = min(whois_prefix.get(server, prefix), prefix)

    key_of_host = {v: k for k, v in world["server_hosts"].items()}

    def add_ip(ip, prefix):
        rir = rir_of(world, ip)
        if rir is None:
            return 0.0
        url = world["rir_base"][rir] + "ip/" + ip
        add_http(url, key_of_host[urllib.parse.urlsplit(url).hostname],
                 prefix)
        info = world["ip"][ip]
        depth = prefix + 2 * L  # RIR host DNS + RIR answer
        if info.get("abuse"):
            emails.add(info["abuse"])
            depth += L * email_steps(world, info["abuse"])
            dom = info["abuse"].rsplit("@", 1)[1].lower()
            if world["email_dns"].get(dom) in ("none", "nodata") and \
                    info.get("climb"):
                # no mail host: the parent network's contact instead
                # (RFC 9082 3.1.1 ip/ADDRESS/LEN, the block one bit
                # shorter), and its e-mail domain checked in turn
                add_http(world["rir_base"][rir] + "ip/" + info["climb"],
                         key_of_host[urllib.parse.urlsplit(
                             world["rir_base"][rir]).hostname], prefix)
                depth += L
                if info.get("parent_abuse"):
                    emails.add(info["parent_abuse"])
                    depth += L * email_steps(world, info["parent_abuse"])
        return depth

    for line in lines:
        host, ip = parse_input(line)
        if ip:
            rir = rir_of(world, ip)
            if rir:
                rir_literal.add(rir)
            chain = max(chain, add_ip(ip, 0.0))
            continue
        if not host:
            continue
        hinfo = world["hosts"].get(host)
        domain = hinfo["domain"] if hinfo else host
        d = world["domains"].get(domain)
        dns.update({("A", host), ("AAAA", host), ("NS", domain),
                    ("MX", domain)})
        for a in (hinfo["ips"] if hinfo else []):
            chain = max(chain, add_ip(a, L))
        if d is None:
            continue
        depth = 0.0
        if d["kind"] == "rdap":
            add_http(d["rdap_url"], d["registry"], 0.0)
            depth = 2 * L
            if d["state"] == "deleted":
                chain = max(chain, depth)
                continue
            if d.get("related_url"):
                add_http(d["related_url"], d["registrar"], 2 * L)
                depth += 2 * L
        else:
            add_whois(d["whois_server"], domain, 0.0)
            depth = L
            if d["state"] == "notfound":
                chain = max(chain, depth)
                continue
            if d.get("registrar_whois"):
                add_whois(d["registrar_whois"], domain, L)
                depth += L
        for e in (d.get("party_email") if (d["kind"] == "rdap" or
                                           d.get("has_registrar_party"))
                  else None, d.get("registrant_email")):
            if e:
                emails.add(e)
                chain = max(chain, depth + L * email_steps(world, e))
        chain = max(chain, depth)
    for e in emails:
        dom = e.rsplit("@", 1)[1].lower()
        dns.add(("MX", dom))
        if world["email_dns"].get(dom) in ("a", "nodata"):
            dns.add(("A", dom))
    for rir in rir_literal:
        k = key_of_host[urllib.parse.urlsplit(world["rir_base"][rir]).hostname]
        http_prefix[k] = 0.0

    servers = []
    servers.append(dict(kind="dns", name="dns", q=len(dns), prefix=0.0,
                        limit="%d in flight" % DNS_INFLIGHT,
                        bound=math.ceil(len(dns) / DNS_INFLIGHT) * L))
    for k, qs in http_srv.items():
        q = len(qs)
        p = http_prefix[k]
        servers.append(dict(
            kind="http", name=world["server_hosts"][k], key=k, q=q, prefix=p,
            limit="%g/s, %d in flight" % (HTTP_RATE, HTTP_INFLIGHT),
            bound=p + max(2 * L, (q - 1) / HTTP_RATE + L,
                          math.ceil(q / HTTP_INFLIGHT) * L + L)))
    for k, qs in whois_srv.items():
        q = len(qs)
        p = whois_prefix[k]
        servers.append(dict(kind="whois", name=k, key=k, q=q, prefix=p,
                            limit="%g/s, 1 connection" % WHOIS_RATE,
                            bound=p + (q - 1) / WHOIS_RATE + L))
    servers.sort(key=lambda s: -s["bound"])
    bound = max([s["bound"] for s in servers] + [chain])
    return dict(dns=dns, http=http, whois=whois, servers=servers,
                chain=chain, bound=bound, emails=emails)


def email_steps(world, email):
    """Answers needed to check an e-mail's domain: MX, then A on NODATA."""
    dom = email.rsplit("@", 1)[1].lower()
    return 2 if world["email_dns"].get(dom) in ("a", "nodata") else 1
