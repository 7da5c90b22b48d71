#!/usr/bin/env python3
"""Generate the fake world of the lookup benchmark (bench/lookup.sh).

    gen_world.py --out DIR --http-port PORT [--corpus DIR] [--seed N]
                 [--urls 2400] [--domains 600] [--ips 380]

Writes, under DIR:
  boot/          IANA-format dns.json, ipv4.json, ipv6.json, asn.json and
                 whois-servers.txt (for takedown --bootstrap);
  http/          the RDAP server's files (tests/servers/httpd.py --root):
                 one folder per fake server (its first path component),
                 registry domain answers, registrar answers, RIR networks
                 under .../ip/ (answered by range, httpd.py --ip-ranges);
  whois/registry/, whois/registrar/
                 WHOIS answers by query (tests/servers/whoisd.py --root);
  zone.json      the DNS zone (dnsd.py);
  urls.txt       the URL list (takedown lookup --batch);
  whois-domains.txt  the domains of WHOIS-only TLDs (the baseline set);
  whois-hosts.tsv    WHOIS host name -> registry|registrar (connect-to);
  world.json     what the benchmark needs to know the questions a lookup
                 must ask (model.py);
  check.json     what each generated answer should tell a parser (checked
                 with takedown parse-record by the driver).

Every answer is a real recorded answer from ../shared/corpus (see
templates.py) with names, addresses and contacts substituted.  Every
server host name is under .test; every address a URL names is on
127.0.0.1.  The same seed gives the same world.
"""
import argparse
import ipaddress
import json
import os
import random
import re
import shutil
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import templates as T  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))

# ---- the registries ---------------------------------------------------------
# RDAP registries: server key (= first path component on the HTTP server),
# host, base path per TLD, templates (cycled), TLDs with their weight.
RDAP_REGISTRIES = [
    dict(key="verisign", host="rdap.verisign.test",
         path="/verisign/{tld}/v1/",
         templates=["verisign-github", "verisign-google",
                    "verisign-marquetry", "verisign-20c"],
         tlds={"com": 38, "net": 6}),
    dict(key="pir", host="rdap.publicinterestregistry.test",
         path="/pir/rdap/", templates=["pir"], tlds={"org": 6}),
    dict(key="identitydigital", host="rdap.identitydigital.test",
         path="/identitydigital/rdap/", templates=["identitydigital"],
         tlds={"info": 4, "live": 3, "life": 2}),
    dict(key="centralnic", host="rdap.centralnic.test",
         path="/centralnic/{tld}/",
         templates=["centralnic", "centralnic-cyou"],
         tlds={"xyz": 7, "online": 4, "site": 4, "shop": 4, "cyou": 2,
               "icu": 3}),
    dict(key="zdns", host="rdap.zdnsgtld.test", path="/zdns/{tld}/",
         templates=["zdns"], tlds={"top": 6}),
    dict(key="uniregistry", host="rdap.uniregistry.test",
         path="/uniregistry/rdap/", templates=["uniregistry"],
         tlds={"click": 2}),
    dict(key="gdregistry", host="rdap.registry.godaddy.test",
         path="/gdregistry/rdap/", templates=["gdregistry"],
         tlds={"club": 3, "vip": 2}),
]
# real hosts in the recordings -> registry key (for self links)
REGISTRY_REAL_HOSTS = {
    "rdap.verisign.com": "verisign",
    "rdap.publicinterestregistry.org": "pir",
    "rdap.nic.tube": "identitydigital",
    "rdap.zdnsgtld.com": "zdns",
}
# WHOIS-only TLDs: template, registry server host, weight.
WHOIS_TLDS = {
    "ru": ("whois.tcinet.test", 25),
    "de": ("whois.denic.test", 15),
    "cn": ("whois.cnnic.test", 15),
    "cc": ("ccwhois.verisign-grs.test", 15),
    "jp": ("whois.jprs.test", 10),
    "it": ("whois.nic-it.test", 10),
    "sk": ("whois.sk-nic.test", 5),
    "ch": ("whois.nic-ch.test", 5),
}
WHOIS_SHARE = 0.12

# Registrars with an RDAP server (the "related" link), their answer's
# template and weight.
# The last field is the DNS of the abuse address's domain: "mx", "a" (no
# MX: the A is asked next) or "none" (no mail host: marked undeliverable).
RDAP_REGISTRARS = [
    ("namefox", "NameFox, Inc.", "namecheap", 28, "mx"),
    ("kestrel", "Kestrel Domains UAB", "namecheap", 14, "mx"),
    ("porkbelly", "Porkbelly Registrar LLC", "namecheap", 12, "a"),
    ("dynamo", "Dynamo Names Ltd", "markmonitor-2019", 12, "mx"),
    ("tucana", "Tucana Registry Services, Inc.", "markmonitor-2019", 10,
     "mx"),
    ("rhein", "Rhein Domains GmbH", "namecheap", 10, "mx"),
    ("brandguard", "BrandGuard Inc.", "markmonitor", 6, "none"),
    ("maple", "Maple Names Corp.", "markmonitor", 8, "a"),
]
# Registrars that answer WHOIS for the thin .cc registry.
WHOIS_REGISTRARS = [
    ("sunrise", "Sunrise Domains, LLC", "godaddy", 2),
    ("gandalf", "GANDALF SAS", "gandi", 1),
]
# Registrars named in the ccTLD answers (no contact of their own).
CC_REGISTRARS = {
    "ru": ["FOXHOST-RU", "NEVA-REG-RU", "VOLGA-RU", "TAIGA-REG-RU"],
    "it": ["Marebello S.r.l.", "Dolomiti Web S.p.A.", "Laguna Hosting S.r.l."],
    "cn": ["杭州云鹿科技有限公司", "深圳市蓝海网络有限公司", "北京星河互联有限公司"],
    "sk": ["HRON, s.r.o.", "TATRY NET, a.s."],
    "ch": ["Alpenreg AG", "Limmat Domains GmbH"],
}
FREEMAIL = ["qq.com", "163.com", "gmail.com", "outlook.com", "yandex.ru",
            "yahoo.co.jp", "proton.me", "126.com"]

RIRS = {
    "arin": ("rdap.arin.test", "/arin/registry/", "arin.net"),
    "ripe": ("rdap.db.ripe.test", "/ripe/", "ripe.net"),
    "apnic": ("rdap.apnic.test", "/apnic/", "apnic.net"),
    "lacnic": ("rdap.lacnic.test", "/lacnic/rdap/", "lacnic.net"),
    "afrinic": ("rdap.afrinic.test", "/afrinic/rdap/", "afrinic.net"),
}
RIR_V4_SHARE = {"arin": 40, "ripe": 35, "apnic": 15, "lacnic": 10}
NET_TEMPLATES = {
    ("arin", 4): ["arin-google", "arin-radiolink", "arin-msft", "arin-chix"],
    ("ripe", 4): ["ripe-switch"],
    ("apnic", 4): ["apnic-boranet", "apnic-labs"],
    ("lacnic", 4): ["lacnic-triara"],
    ("arin", 6): ["arin-google6"],
    ("ripe", 6): ["ripe-bt6"],
    ("apnic", 6): ["apnic-jpnic6"],
    ("lacnic", 6): ["lacnic-uco6"],
    ("afrinic", 6): ["afrinic-6"],
}
COUNTRY = {"arin": ["US", "CA", "US", "US"],
           "ripe": ["DE", "NL", "FR", "GB", "RU", "LT", "PL", "SE"],
           "apnic": ["SG", "JP", "HK", "AU", "IN", "VN"],
           "lacnic": ["BR", "MX", "AR", "CL", "CO"],
           "afrinic": ["ZA", "KE", "NG"]}

BRANDS = ["paypal", "apple", "icloud", "microsoft", "office365", "outlook",
          "netflix", "amazon", "dhl", "fedex", "ups", "usps", "chase",
          "wellsfargo", "bankofamerica", "coinbase", "binance", "metamask",
          "instagram", "facebook", "whatsapp", "linkedin", "docusign",
          "adobe", "dropbox", "steam", "spotify", "hsbc", "santander", "ing",
          "revolut", "ebay", "walmart", "irs", "hmrc", "royalmail",
          "poste", "sparkasse", "orange", "att", "verizon", "yahoo",
          "roblox", "telegram", "ledger", "trezor", "kraken", "okx"]
WORDS = ["login", "secure", "verify", "account", "update", "support",
         "signin", "auth", "billing", "wallet", "recovery", "service",
         "online", "portal", "help", "confirm", "unlock", "alert", "notice",
         "client", "access", "id", "center", "my", "web", "app", "pay",
         "track", "delivery", "parcel", "refund", "claim", "bonus", "gift"]
SUBS = ["www", "login", "secure", "account", "m", "auth", "verify", "app",
        "portal", "id", "signin", "mail", "cdn", "billing", "support"]
ADJ = ["Blue", "Red", "Nordic", "Pacific", "Atlas", "Quantum", "Swift",
       "Silver", "Iron", "Cedar", "Polar", "Amber", "Delta", "Orbit", "Nova",
       "Vector", "Falcon", "Granite", "Coral", "Summit", "Zenith", "Harbor"]
NOUN = ["Hosting", "Networks", "Cloud", "Datacenter", "Servers", "Telecom",
        "Web Services", "Internet", "Colocation", "Connect", "Systems"]
SUFFIX = {"arin": ["LLC", "Inc.", "Corp."], "ripe": ["GmbH", "B.V.", "Ltd",
          "SAS", "AB", "UAB"], "apnic": ["Pte. Ltd.", "Co., Ltd.", "Pty Ltd"],
          "lacnic": ["S.A. de C.V.", "Ltda.", "S.A."],
          "afrinic": ["(Pty) Ltd", "Ltd"]}


def weighted(rng, items):
    """items: [(value, weight)]"""
    total = sum(w for _, w in items)
    x = rng.uniform(0, total)
    for v, w in items:
        x -= w
        if x <= 0:
            return v
    return items[-1][0]


def slugify(s):
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")


def read_provider_nets(paths):
    """(network, provider, abuse e-mail) of every 'net' line in the shipped
    CDN and platform lists: addresses the world must avoid, or use on
    purpose for a CDN."""
    out = []
    for path in paths:
        prov, email = None, None
        try:
            lines = open(path, encoding="utf-8").read().splitlines()
        except OSError:
            continue
        for ln in lines:
            w = ln.split("#", 1)[0].split()
            if not w:
                continue
            if w[0] == "provider":
                prov, email = " ".join(w[1:]), None
            elif w[0] == "abuse-email" and len(w) > 1:
                email = w[1]
            elif w[0] == "net" and len(w) > 1:
                try:
                    out.append((ipaddress.ip_network(w[1], strict=False),
                                prov, email))
                except ValueError:
                    pass
    # abuse-email may follow the nets of its entry: fill it in
    byprov = {}
    for _, p, e in out:
        if e:
            byprov[p] = e
    return [(n, p, e or byprov.get(p)) for n, p, e in out]


class World:
    def __init__(self, args):
        self.a = args
        self.rng = random.Random(args.seed)
        self.port = args.http_port
        self.out = args.out
        self.corpus = args.corpus
        self.zone = {}
        self.domains = {}
        self.hosts = {}
        self.networks = []
        self.ip_net = {}
        self.email_dns = {}
        self.checks = []
        self.servers = {}
        self.tld = {}
        self.avoid = read_provider_nets([os.path.join(TOP, "data", "cdn.txt"),
                                         os.path.join(TOP, "data",
                                                      "platforms.txt")])
        self.used_names = set()

    # -- helpers --
    def http_base(self, host, path):
        return "http://%s:%d%s" % (host, self.port, path)

    def zone_add(self, name, rtype, value):
        node = self.zone.setdefault(name.lower(), {})
        if rtype == "CNAME":
            node["CNAME"] = value
        else:
            node.setdefault(rtype, [])
            if value not in node[rtype]:
                node[rtype].append(value)

    def server(self, key, kind, host, role):
        self.servers[key] = dict(kind=kind, host=host, role=role)
        if kind == "http":
            self.zone_add(host, "A", "127.0.0.1")

    def email_domain_state(self, domain, state=None):
        """Give an e-mail domain its DNS: MX (most), only an A record (the
        MX question is answered NODATA, so the A is asked), or nothing."""
        domain = domain.lower()
        if domain in self.email_dns:
            return
        if state is None:
            state = weighted(self.rng, [("mx", 70), ("a", 20), ("none", 10)])
        self.email_dns[domain] = state
        if state == "mx":
            self.zone_add(domain, "MX", [10, "mx1." + domain])
            self.zone_add(domain, "MX", [20, "mx2." + domain])
            self.zone_add("mx1." + domain, "A", "127.0.0.1")
        elif state == "a":
            self.zone_add(domain, "A", "127.0.0.1")
            self.zone_add(domain, "TXT", "v=spf1 -all")

    def write_json(self, rel, obj):
        path = os.path.join(self.out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(obj, f, ensure_ascii=False, indent=1)
            f.write("\n")
        return path

    def write_text(self, rel, text):
        path = os.path.join(self.out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        return path

    def date(self, lo=2024, hi=2026):
        r = self.rng
        return "%04d-%02d-%02dT%02d:%02d:%02d" % (
            r.randint(lo, hi), r.randint(1, 12), r.randint(1, 28),
            r.randint(0, 23), r.randint(0, 59), r.randint(0, 59))

    def hexid(self, n=32):
        return "%0*x" % (n, self.rng.getrandbits(4 * n))

    # -- registrars --
    def make_registrars(self):
        self.rdap_rars = []
        for i, (slug, name, tpl, weight, mstate) in enumerate(RDAP_REGISTRARS):
            host = "rdap.%s.test" % slug
            mail = "%s.test" % slug
            rar = dict(key=slug, name=name, tpl=tpl, weight=weight,
                       iana=str(1000 + 37 * i + self.rng.randint(0, 30)),
                       abuse="abuse@" + mail, mail_domain=mail,
                       privacy_domain="privacy-%s.test" % slug,
                       phone="+1.%010d" % self.rng.randint(10**9, 10**10 - 1),
                       host=host, whois="whois.%s.test" % slug,
                       base=self.http_base(host, "/%s/domain/" % slug))
            self.server(slug, "http", host, "registrar")
            self.email_domain_state(mail, mstate)
            self.email_domain_state(rar["privacy_domain"], "mx")
            self.rdap_rars.append(rar)
        self.whois_rars = []
        for slug, name, tpl, weight in WHOIS_REGISTRARS:
            mail = "%s.test" % slug
            rar = dict(key=slug, name=name, tpl=tpl, weight=weight,
                       iana=str(2000 + self.rng.randint(0, 999)),
                       abuse="abuse@" + mail, mail_domain=mail,
                       contact_domain="contact.%s.test" % slug,
                       phone="+33.%09d" % self.rng.randint(10**8, 10**9 - 1),
                       whois="whois.%s.test" % slug)
            self.servers[rar["whois"]] = dict(kind="whois", host=rar["whois"],
                                              role="registrar")
            self.email_domain_state(mail)
            self.email_domain_state(rar["contact_domain"], "mx")
            self.whois_rars.append(rar)
        for d in FREEMAIL:
            self.email_domain_state(d, "mx")

    # -- names --
    def phish_label(self):
        r = self.rng
        for _ in range(1000):
            b, w = r.choice(BRANDS), r.choice(WORDS)
            n = r.randint(1, 9999)
            pat = r.randint(0, 7)
            if pat == 0:
                s = "%s-%s" % (b, w)
            elif pat == 1:
                s = "%s-%s-%d" % (w, b, n)
            elif pat == 2:
                s = "%s%s%d" % (b, w, n % 100)
            elif pat == 3:
                s = "%s-%s" % (b.replace("o", "0", 1).replace("l", "1", 1), w)
            elif pat == 4:
                s = "%s%s" % (w, b)
            elif pat == 5:
                s = "".join(r.choice("abcdefghijklmnopqrstuvwxyz0123456789")
                            for _ in range(r.randint(6, 11)))
            elif pat == 6:
                s = "%s-%s-%s" % (b, w, r.choice(WORDS))
            else:
                s = "%s%d-%s" % (b, n, w)
            if s not in self.used_names and len(s) <= 50:
                self.used_names.add(s)
                return s
        raise RuntimeError("names exhausted")

    # -- addresses --
    def bootstrap_ranges(self):
        """RIR -> (v4 /8s, v6 prefixes) from the shipped IANA files."""
        res = {}
        for fam, fname in ((4, "ipv4.json"), (6, "ipv6.json")):
            with open(os.path.join(TOP, "data", "iana", fname)) as f:
                data = json.load(f)
            for prefixes, urls in data["services"]:
                rir = next((k for k in RIRS if any(k in u for u in urls)),
                           None)
                if rir:
                    res.setdefault((rir, fam), []).extend(prefixes)
        return res

    def avoided(self, net):
        for n, _, _ in self.avoid:
            if n.version == net.version and net.overlaps(n):
                return True
        return False

    def make_networks(self):
        r = self.rng
        ranges = self.bootstrap_ranges()
        n_prov = max(40, self.a.ips // 5)
        self.providers = []
        taken = []
        names = set()
        for i in range(n_prov):
            rir = weighted(r, list(RIR_V4_SHARE.items()))
            while True:
                name = "%s %s %s" % (r.choice(ADJ), r.choice(NOUN),
                                     r.choice(SUFFIX[rir]))
                if name not in names:
                    names.add(name)
                    break
            slug = slugify(name)[:40] + "-%d" % i
            prov = dict(name=name, slug=slug, rir=rir,
                        country=r.choice(COUNTRY[rir]),
                        mail_domain=slug + ".test", nets=[])
            self.providers.append(prov)
            for _ in range(r.choice([1, 1, 1, 2])):
                net = self.pick_v4(ranges[(rir, 4)], taken)
                self.add_network(prov, net, 4)
        # IPv6: a handful of providers get a /32 or /48 in their RIR (or
        # AFRINIC for a few)
        for prov in r.sample(self.providers, max(8, n_prov // 6)):
            rir = prov["rir"] if r.random() < 0.85 else "afrinic"
            net = self.pick_v6(ranges[(rir, 6)], taken)
            self.add_network(prov, net, 6, rir=rir)
        # The abuse address's domain: with MX, with only an A, or none
        # (dead: takedown then asks the RIR for the parent network).  Only
        # providers with one network get a dead one: which network a
        # party climbs from would otherwise depend on answer order.
        for prov in self.providers:
            self.email_domain_state(prov["mail_domain"], None if len(
                prov["nets"]) == 1 else weighted(r, [("mx", 78),
                                                     ("a", 22)]))
        self.make_parents()
        # Cloudflare in front of a few sites: its real ranges, ARIN's
        # record of them
        cf = dict(name="Cloudflare, Inc.", slug="cloudflare", rir="arin",
                  country="US", mail_domain="cloudflare.com", nets=[],
                  netname="CLOUDFLARENET")
        self.email_domain_state("cloudflare.com", "mx")
        for cidr in ("104.16.0.0/13", "172.64.0.0/13"):
            self.add_network(cf, ipaddress.ip_network(cidr), 4,
                             tpl="arin-google")
        self.cloudflare = cf
        for rec in cf["nets"]:
            net = ipaddress.ip_network(rec["net"])
            cl = net.supernet(prefixlen_diff=1)
            rec["climb"] = "%s/%d" % (cl.network_address, cl.prefixlen)

    def make_parents(self):
        """The allocation above every network (a LIR's /16 or /32, an
        RIR's /8 or /29 above a big block), so that 'ip/NET/LEN-1' finds
        something, as at a real RIR.  Their abuse addresses all work."""
        r = self.rng
        self.parents = {}
        lirs = {}
        for rec in list(self.networks):
            net = ipaddress.ip_network(rec["net"])
            if net.version == 4:
                plen = 16 if net.prefixlen > 16 else 8
            else:
                plen = 32 if net.prefixlen > 32 else 24
            parent = net.supernet(new_prefix=plen)
            key = str(parent)
            if key not in self.parents:
                if plen in (8, 24):
                    name = {"arin": "American Registry for Internet Numbers",
                            "ripe": "RIPE Network Coordination Centre",
                            "apnic": "Asia Pacific Network Information Centre",
                            "lacnic": "Latin American and Caribbean IP "
                            "address Regional Registry",
                            "afrinic": "African Network Information Center"
                            }[rec["rir"]]
                    mail = "%s.test" % rec["rir"]
                else:
                    i = len(lirs)
                    name = "%s %s LIR %s" % (r.choice(ADJ), r.choice(
                        ["Telecom", "Broadband", "Backbone", "Transit"]),
                        r.choice(SUFFIX[rec["rir"]]))
                    mail = "%s-%d.test" % (slugify(name)[:30], i)
                    lirs[key] = name
                self.email_domain_state(mail, "mx")
                prov = dict(name=name, slug=slugify(name)[:40],
                            rir=rec["rir"], country=rec["country"],
                            mail_domain=mail, nets=[],
                            netname=slugify(name).upper()[:20] + "-BLK")
                # a template with an abuse contact (the v4 ones of the
                # RIR; the address fields are set to the block's)
                tpl = next((x for x in NET_TEMPLATES.get((rec["rir"], 4), [])
                            if T.NETWORK[x]["abuse"]), "ripe-switch")
                t = T.NETWORK[tpl]
                local = t["abuse"].split("@")[0].lower()
                prec = dict(rir=rec["rir"], net=key, tpl=tpl,
                            provider=name, abuse=local + "@" + mail,
                            country=rec["country"], hosts=[], parent=True)
                prov["nets"].append(prec)
                self.parents[key] = (prov, prec)
            rec["parent"] = key
            rec["parent_abuse"] = self.parents[key][1]["abuse"]
            cl = net.supernet(prefixlen_diff=1)
            rec["climb"] = "%s/%d" % (cl.network_address, cl.prefixlen)

    def pick_v4(self, slash8s, taken):
        r = self.rng
        # not the US DoD's legacy /8s (no phishing site lives there)
        slash8s = [p for p in slash8s if int(p.split(".")[0]) not in
                   (6, 7, 11, 21, 22, 26, 28, 29, 30, 33, 55, 214, 215)]
        for _ in range(10000):
            base = ipaddress.ip_network(r.choice(slash8s))
            plen = r.choice([24, 24, 23, 22, 21, 20])
            size = 2 ** (32 - plen)
            off = r.randrange(0, base.num_addresses // size) * size
            net = ipaddress.ip_network((int(base.network_address) + off, plen))
            if not net.is_global or self.avoided(net) or \
                    any(net.overlaps(t) for t in taken):
                continue
            taken.append(net)
            return net
        raise RuntimeError("no free IPv4 network")

    def pick_v6(self, prefixes, taken):
        r = self.rng
        for _ in range(10000):
            base = ipaddress.ip_network(r.choice(prefixes))
            plen = r.choice([32, 48, 48])
            if plen <= base.prefixlen:
                continue
            bits = plen - base.prefixlen
            off = r.randrange(0, 2 ** bits) << (128 - plen)
            net = ipaddress.ip_network((int(base.network_address) + off, plen))
            fixed = net.network_address.exploded.split(":")[:plen // 16]
            if "0000" in fixed or not net.is_global or self.avoided(net) or \
                    any(net.overlaps(t) for t in taken):
                continue
            taken.append(net)
            return net
        raise RuntimeError("no free IPv6 network")

    def add_network(self, prov, net, fam, rir=None, tpl=None):
        rir = rir or prov["rir"]
        tpl = tpl or self.rng.choice(NET_TEMPLATES[(rir, fam)])
        t = T.NETWORK[tpl]
        local = t["abuse"].split("@")[0].lower() if t["abuse"] else None
        rec = dict(rir=rir, net=str(net), tpl=tpl, provider=prov["name"],
                   abuse=(local + "@" + prov["mail_domain"]) if local else None,
                   country=prov["country"], hosts=[])
        self.networks.append(rec)
        prov["nets"].append(rec)

    def host_addr(self, rec):
        """A new address inside a network, not used before."""
        net = ipaddress.ip_network(rec["net"])
        r = self.rng
        for _ in range(1000):
            if net.version == 4:
                if net.num_addresses <= 2:
                    ip = net.network_address
                else:
                    ip = net.network_address + r.randrange(
                        1, min(net.num_addresses - 1, 1 << 16))
            else:
                # every group non-zero: one canonical text form
                ngroups = (128 - net.prefixlen) // 16
                groups = [r.randint(0x1000, 0xfffe) for _ in range(ngroups)]
                low = sum(g << (16 * (ngroups - 1 - i))
                          for i, g in enumerate(groups))
                ip = ipaddress.ip_address(int(net.network_address) | low)
                if "::" in str(ip):
                    continue
            s = str(ip)
            if s not in self.ip_net:
                self.ip_net[s] = self.networks.index(rec)
                return s
        raise RuntimeError("network full")

    def make_ip_pool(self):
        r = self.rng
        v4nets = [n for n in self.networks
                  if n["net"].count(".") and n["provider"] != "Cloudflare, Inc."]
        v6nets = [n for n in self.networks if ":" in n["net"]]
        self.v4pool = []
        # every network gets one address, then the rest spread with a
        # skew: big hosters hold many phishing sites
        for n in v4nets:
            self.v4pool.append(self.host_addr(n))
        weights = [(n, 1.0 / (1 + i) ** 0.6) for i, n in enumerate(v4nets)]
        while len(self.v4pool) < self.a.ips:
            self.v4pool.append(self.host_addr(weighted(r, weights)))
        self.v6pool = []
        for n in v6nets:
            for _ in range(r.randint(2, 6)):
                self.v6pool.append(self.host_addr(n))
        cfnets = [n for n in self.networks
                  if n["provider"] == "Cloudflare, Inc."]
        self.cfpool = [self.host_addr(r.choice(cfnets)) for _ in range(24)]

    # -- domains --
    def make_domains(self):
        r = self.rng
        n = self.a.domains
        n_whois = int(round(n * WHOIS_SHARE))
        rdap_tlds = []
        for reg in RDAP_REGISTRIES:
            self.server(reg["key"], "http", reg["host"], "registry")
            for tld, w in reg["tlds"].items():
                base = self.http_base(reg["host"],
                                      reg["path"].format(tld=tld))
                self.tld[tld] = dict(kind="rdap", registry=reg["key"],
                                     base=base)
                rdap_tlds.append((tld, w))
        for tld, (host, _) in WHOIS_TLDS.items():
            self.tld[tld] = dict(kind="whois", server=host)
            self.servers[host] = dict(kind="whois", host=host,
                                      role="registry")
        whois_tlds = [(t, w) for t, (_, w) in WHOIS_TLDS.items()]
        # every TLD at least once, then by weight
        order = [t for t, _ in rdap_tlds] + [t for t, _ in whois_tlds]
        tlds = []
        for i in range(n):
            if i < len(order):
                tlds.append(order[i])
            elif i < n - (n_whois - len(whois_tlds)):
                tlds.append(weighted(r, rdap_tlds))
            else:
                tlds.append(weighted(r, whois_tlds))
        r.shuffle(tlds)
        reg_by_key = {g["key"]: g for g in RDAP_REGISTRIES}
        ip_i = 0
        for tld in tlds:
            name = "%s.%s" % (self.phish_label(), tld)
            t = self.tld[tld]
            d = dict(tld=tld, kind=t["kind"], hosts=[])
            if t["kind"] == "rdap":
                reg = reg_by_key[t["registry"]]
                d["registry"] = reg["key"]
                d["template"] = reg["templates"][len(self.domains) %
                                                 len(reg["templates"])]
                d["state"] = weighted(r, [("ok", 93), ("deleted", 3),
                                          ("held", 4)])
                d["rdap_url"] = t["base"] + "domain/" + name
            else:
                d["template"] = tld
                d["state"] = weighted(r, [("ok", 95), ("notfound", 5)])
                d["whois_server"] = t["server"]
            self.domains[name] = d
            # addresses
            if d["state"] in ("ok",):
                if r.random() < 0.04:
                    d["cloudflare"] = True
                    ips = r.sample(self.cfpool, 2)
                else:
                    if ip_i < len(self.v4pool):
                        ips = [self.v4pool[ip_i]]
                        ip_i += 1
                    else:
                        ips = [r.choice(self.v4pool)]
                d["ips"] = ips
                d["ip6"] = [r.choice(self.v6pool)] \
                    if self.v6pool and r.random() < 0.10 else []

    def registrar_for(self, d):
        r = self.rng
        if d["kind"] == "rdap":
            return weighted(r, [(x, x["weight"]) for x in self.rdap_rars])
        if d["tld"] == "cc":
            return weighted(r, [(x, x["weight"]) for x in self.whois_rars])
        return None

    # -- hosts, zone, URLs --
    def make_hosts(self):
        r = self.rng
        ns_providers = ["dns%d.hostns-%d.test" % (i % 3 + 1, i)
                        for i in range(40)]
        for name, d in self.domains.items():
            alive = d["state"] == "ok"
            hosts = [name]
            for _ in range(weighted(r, [(0, 20), (1, 35), (2, 25), (3, 12),
                                        (4, 5), (6, 3)])):
                sub = r.choice(SUBS) if r.random() < 0.7 else \
                    "%s-%s" % (r.choice(WORDS), r.randint(10, 999))
                if r.random() < 0.06:
                    sub = "%s.%s" % (r.choice(WORDS), sub)
                h = "%s.%s" % (sub, name)
                if h not in hosts:
                    hosts.append(h)
            d["hosts"] = hosts
            for h in hosts:
                self.hosts[h] = dict(domain=name)
            if not alive:
                continue  # NXDOMAIN: the zone holds nothing for it
            if d.get("cloudflare"):
                ns = ["%s.ns.cloudflare.com" % r.choice(
                    ["ada", "bob", "kim", "lola", "ivan", "nina"]),
                    "%s.ns.cloudflare.com" % r.choice(
                    ["gina", "rick", "tom", "vera"])]
            else:
                p = r.randrange(0, len(ns_providers) - 1)
                ns = [ns_providers[p], ns_providers[p + 1]]
            for x in ns:
                self.zone_add(name, "NS", x)
            if r.random() < 0.35:
                self.zone_add(name, "MX", [10, "mail." + name])
                self.zone_add("mail." + name, "A", d["ips"][0])
            for h in hosts:
                if h != name and h.startswith("www.") and r.random() < 0.4:
                    self.zone_add(h, "CNAME", name)
                    continue
                if h == name or r.random() < 0.75:
                    ips = list(d["ips"])
                else:
                    ips = [r.choice(self.v4pool)]
                if r.random() < 0.06:
                    ips.append(r.choice(self.v4pool))
                v6only = h != name and r.random() < 0.01 and d["ip6"]
                if not v6only:
                    for ip in ips:
                        self.zone_add(h, "A", ip)
                for ip in d["ip6"]:
                    self.zone_add(h, "AAAA", ip)
                if v6only and not d["ip6"]:
                    self.zone_add(h, "TXT", "v=spf1 -all")

    def host_ips(self, host):
        seen, cur = set(), host
        for _ in range(8):
            node = self.zone.get(cur)
            if node is None:
                return []
            if "CNAME" in node:
                if cur in seen:
                    return []
                seen.add(cur)
                cur = node["CNAME"]
                continue
            return node.get("A", []) + node.get("AAAA", [])
        return []

    def make_urls(self):
        r = self.rng
        paths = ["/", "/login", "/login.php", "/signin/", "/auth/verify.html",
                 "/wp-content/plugins/akismet/secure/index.php",
                 "/account/update?id=%d", "/webscr/cmd=_login-run",
                 "/secure/%s/", "/owa/auth.html", "/track?n=%d",
                 "/redirect.php?u=%s", "/~user/%s/index.html", "/i/%s",
                 "/%s/%s/", "/verify/%s?email=victim%%40example.org",
                 "/wallet/connect", "/.well-known/%s/index.html"]
        hosts = list(self.hosts)
        n_lit = max(10, self.a.urls // 50)
        n_host = self.a.urls - n_lit
        urls = []
        # every host at least once
        order = list(hosts)
        r.shuffle(order)
        while len(order) < n_host:
            order.append(r.choice(hosts))
        for h in order[:n_host]:
            p = r.choice(paths)
            while "%" in p.replace("%%", ""):
                tok = "%d" if "%d" in p else "%s"
                val = str(r.randint(1, 99999)) if tok == "%d" else \
                    "".join(r.choice("abcdefghijkmnpqrstuvwxyz23456789")
                            for _ in range(r.randint(4, 10)))
                p = p.replace(tok, val, 1)
            p = p.replace("%%", "%")
            scheme = "https" if r.random() < 0.8 else "http"
            urls.append("%s://%s%s" % (scheme, h, p))
        # a few URLs on bare addresses, some on addresses no host uses
        self.literal_ips = []
        for _ in range(n_lit):
            if r.random() < 0.5:
                ip = r.choice(self.v4pool)
            else:
                net = r.choice([n for n in self.networks
                                if "." in n["net"] and
                                n["provider"] != "Cloudflare, Inc."])
                ip = self.host_addr(net)
            self.literal_ips.append(ip)
            urls.append("http://%s/%s/login.php" % (ip, r.choice(BRANDS)))
        r.shuffle(urls)
        self.urls = urls

    # -- answers --
    def url_mapper(self, tpl, rar, registry_key, tld):
        """Rewrite the recording's URLs: registry and registrar RDAP hosts
        to the fake servers (http, port), web sites to .test names."""
        def f(scheme, host, port):
            role = tpl.get("hosts", {}).get(host)
            if host in REGISTRY_REAL_HOSTS and registry_key:
                reg = next(g for g in RDAP_REGISTRIES
                           if g["key"] == registry_key)
                return self.http_base(reg["host"], "/" + registry_key)
            if role == "registrar" and rar is not None and "host" in rar:
                return self.http_base(rar["host"], "/" + rar["key"])
            if role in ("registrar", "registrar-web") and rar is not None:
                return "https://www.%s" % rar["mail_domain"]
            return None
        return f

    def email_mapper(self, tpl, rar, registrant_mail=None):
        abuse = (tpl.get("abuse") or "").lower()
        rar_doms = [x.lower() for x in tpl.get("rar_mail_domains", [])]
        priv_doms = [x.lower() for x in tpl.get("privacy_mail_domains", [])]
        rmail = (tpl.get("registrant_mail") or "").lower()

        def f(e):
            el = e.lower()
            local, _, dom = el.partition("@")
            if el == abuse and rar is not None:
                return rar["abuse"]
            if rmail and el == rmail and registrant_mail:
                return registrant_mail
            if dom in rar_doms and rar is not None:
                return local + "@" + rar["mail_domain"]
            if dom in priv_doms and rar is not None:
                if "protect" in local:
                    local = "%032x.protect" % self.rng.getrandbits(128)
                return local + "@" + rar["privacy_domain"]
            return e
        return f

    def rdap_subst(self, tpl, name, rar, registry_key=None, tld=None,
                   registrant_org=None):
        s = T.Subst()
        s.urls = self.url_mapper(tpl, rar, registry_key, tld)
        s.emails = self.email_mapper(tpl, rar)
        s.ci.append((tpl["domain"], name))
        if rar is not None:
            for n in tpl.get("rar_names", []):
                s.plain.append((n, rar["name"]))
            s.exact[tpl["iana"]] = rar["iana"]
            for ph in tpl.get("phones", []):
                s.plain.append((ph, rar["phone"]))
        for org in tpl.get("registrant_orgs", []):
            s.plain.append((org, registrant_org or "REDACTED FOR PRIVACY"))
        return s

    def gen_registry_answer(self, name, d, rar):
        tpl = T.REGISTRY[d["template"]]
        obj = T.load_json(self.corpus, tpl["file"])
        T.set_nameservers(obj, sorted(self.zone.get(name, {}).get("NS", [])) or
                          ["ns1.parked.test", "ns2.parked.test"])
        s = self.rdap_subst(tpl, name, rar, d["registry"], d["tld"])
        obj = s.walk(obj)
        handle = obj.get("handle")
        if isinstance(handle, str):
            obj["handle"] = re.sub(r"\d", lambda m: str(self.rng.randint(0, 9)),
                                   handle).replace("_COM-", "_%s-" %
                                                   d["tld"].upper())
        related = None
        if tpl["related"]:
            related = rar["base"] + (name.upper() if d["registry"] ==
                                     "verisign" else name)
            T.set_related(obj, related)
        created = self.date(2025, 2026)
        T.set_event(obj, "registration", created)
        T.set_event(obj, "expiration", str(int(created[:4]) + 1) + created[4:])
        if d["state"] == "held":
            st = obj.setdefault("status", [])
            st.append(self.rng.choice(["client hold", "server hold"]))
        # port43 of the registry (Verisign's answers have none)
        if "port43" in obj and isinstance(obj["port43"], str) and \
                obj["port43"] and not obj["port43"].endswith(".test"):
            obj["port43"] = rar["whois"]
        rel = urllib.parse.urlsplit(d["rdap_url"]).path.lstrip("/")
        path = self.write_json("http/" + rel + ".json", obj)
        d["related_url"] = related
        d["registrar"] = rar["key"]
        d["party_email"] = rar["abuse"]
        d["registrant_email"] = None
        if tpl["registrant"] == "visible":
            d["registrant_email"] = self.first_privacy_mail(obj, rar)
        self.checks.append(dict(
            file=path, kind="domain", domain=name, abuse=rar["abuse"],
            registrar=rar["name"], registrar_rdap=related,
            registrant_email=d["registrant_email"]
            if tpl["registrant"] == "visible" else None,
            registrant_visible=tpl["registrant"] == "visible"))
        return obj

    def first_privacy_mail(self, obj, rar):
        txt = json.dumps(obj)
        for e in T.EMAIL_RE.findall(txt):
            if e.lower().endswith("@" + rar["privacy_domain"]):
                return e
        return None

    def gen_registrar_answer(self, name, d, rar):
        tpl = T.REGISTRAR[rar["tpl"]]
        obj = T.load_json(self.corpus, tpl["file"])
        T.set_nameservers(obj, sorted(self.zone.get(name, {}).get("NS", [])) or
                          ["ns1.parked.test", "ns2.parked.test"])
        s = self.rdap_subst(tpl, name, rar, None, d["tld"])
        obj = s.walk(obj)
        created = self.date(2025, 2026)
        T.set_event(obj, "registration", created)
        for ent in obj.get("entities", []):
            if "registrant" in ent.get("roles", []) and \
                    tpl["registrant"] == "visible":
                h = self.hexid()
                ent["handle"] = h + "-" + rar["key"][:6].title()
        if "port43" in obj:
            obj["port43"] = rar["whois"]
        rel = urllib.parse.urlsplit(d["related_url"]).path.lstrip("/")
        # a file per domain, lowercase (the server also tries lowercase)
        path = self.write_json("http/" + rel.lower() + ".json", obj)
        if tpl["registrant"] == "visible":
            mail = self.first_privacy_mail(obj, rar)
            d["registrant_email"] = mail
        self.checks.append(dict(
            file=path, kind="domain", domain=name,
            abuse=rar["abuse"] if tpl["abuse"] else None,
            registrar=rar["name"], registrar_rdap=None,
            registrant_email=d["registrant_email"]
            if tpl["registrant"] == "visible" else None,
            registrant_visible=tpl["registrant"] == "visible"))

    def gen_whois_answer(self, name, d, rar):
        tld = d["tld"]
        tpl = T.WHOIS[tld]
        text = T.load_text(self.corpus, tpl["file"])
        r = self.rng
        rar_name = None
        if tld in CC_REGISTRARS:
            rar_name = r.choice(CC_REGISTRARS[tld])
        elif rar is not None:
            rar_name = rar["name"].upper() if tld == "cc" else rar["name"]
        abuse = None
        if tpl["abuse"]:
            abuse = "abuse@%s.test" % slugify(rar_name or "registrar")
            self.email_domain_state(abuse.split("@")[1])
        reg_mail = None
        if tpl["registrant_mail"]:
            reg_mail = "%s%d@%s" % (r.choice(["admin", "info", "jack", "wang",
                                              "sato", "support", "li"]),
                                    r.randint(1, 9999), r.choice(FREEMAIL))
        ns = sorted(self.zone.get(name, {}).get("NS", [])) or \
            ["ns1.parked.test", "ns2.parked.test"]
        for i, old in enumerate(tpl["ns"]):
            text = T.replace_ci(text, old, ns[i % len(ns)])
        for old in tpl["registrant_names"]:
            if tld == "cn":
                new = "王" + r.choice("伟芳娜敏静丽强磊军洋")
            else:
                new = "%s %s %s" % (r.choice(ADJ), r.choice(
                    ["Trading", "Holdings", "Commerce", "Media", "Systems"]),
                    {"jp": "Co.,Ltd", "it": "LTD", "sk": "s.r.o."}.get(
                        tld, "Ltd"))
            text = text.replace(old, new)
        if tpl["registrant_mail"]:
            text = re.sub(re.escape(tpl["registrant_mail"]), reg_mail, text,
                          flags=re.I)
        if tpl["abuse"]:
            text = re.sub(re.escape(tpl["abuse"]), abuse, text, flags=re.I)
        for old in tpl["rar"]:
            if rar_name:
                text = text.replace(old, rar_name)
        if tpl.get("refer") and rar is not None:
            text = re.sub(re.escape(tpl["refer"]), rar["whois"], text,
                          flags=re.I)
            text = text.replace("http://registrar.godaddy.com",
                                "http://www.%s" % rar["mail_domain"])
        text = T.replace_ci(text, tpl["domain"], name)
        path = self.write_text("whois/registry/" + name, text)
        if not tpl.get("registrant_mail_used", True):
            reg_mail = None
        d["party_email"] = abuse
        d["has_registrar_party"] = bool(rar_name)
        d["registrant_email"] = reg_mail
        d["registrar_whois"] = rar["whois"] if (tpl.get("refer") and rar) \
            else None
        self.checks.append(dict(
            file=path, kind="domain", domain=name, abuse=abuse,
            registrar=rar_name, registrar_whois=d["registrar_whois"],
            registrant_email=reg_mail, registrant_visible=bool(reg_mail)))
        if d["registrar_whois"]:
            self.gen_whois_registrar(name, d, rar)

    def gen_whois_registrar(self, name, d, rar):
        tpl = T.WHOIS[rar["tpl"]]
        text = T.load_text(self.corpus, tpl["file"])
        ns = sorted(self.zone.get(name, {}).get("NS", [])) or \
            ["ns1.parked.test", "ns2.parked.test"]
        for i, old in enumerate(tpl["ns"]):
            text = T.replace_ci(text, old, ns[i % len(ns)])
        text = re.sub(re.escape(tpl["abuse"]), rar["abuse"], text, flags=re.I)
        reg_mail = None
        if tpl["registrant_mail"]:
            reg_mail = "%s-%d@%s" % (self.hexid(), self.rng.randint(1, 999999),
                                     rar["contact_domain"])
            text = re.sub(re.escape(tpl["registrant_mail"]), reg_mail, text,
                          flags=re.I)
        # the registrar's other addresses
        if rar["tpl"] == "godaddy":
            text = re.sub(r"companynames@godaddy\.com",
                          "REDACTED FOR PRIVACY", text, flags=re.I)
            text = text.replace("Go Daddy Operating Company, LLC",
                                "REDACTED FOR PRIVACY")
        text = re.sub(r"[\w.+-]+@contact\.gandi\.net",
                      lambda m: m.group(0).split("@")[0] + "@" +
                      rar["contact_domain"], text, flags=re.I)
        text = re.sub(re.escape(tpl["refer"]), rar["whois"], text, flags=re.I)
        for old in tpl["rar"]:
            text = text.replace(old, rar["name"])
        text = re.sub(r"(?i)\b(www\.)?(godaddy|gandi)\.(com|net)\b",
                      "www." + rar["mail_domain"], text)
        text = T.replace_ci(text, tpl["domain"], name)
        path = self.write_text("whois/registrar/" + name, text)
        d["registrar_abuse"] = rar["abuse"]
        if d.get("party_email") is None:
            d["party_email"] = rar["abuse"]
        d["registrar_registrant_email"] = reg_mail
        if reg_mail:
            d["registrant_email"] = reg_mail
        self.checks.append(dict(
            file=path, kind="domain", domain=name, abuse=rar["abuse"],
            registrar=rar["name"], registrant_email=reg_mail,
            registrant_visible=bool(reg_mail)))

    def gen_network_answer(self, prov, rec):
        t = T.NETWORK[rec["tpl"]]
        obj = T.load_json(self.corpus, t["file"])
        net = ipaddress.ip_network(rec["net"])
        start, end = str(net.network_address), str(net.broadcast_address)
        if t["handle"].startswith("NET6-"):
            handle = "NET6-%s-1" % start.rstrip(":").replace(":", "-").upper()
        elif t["handle"].startswith("NET-"):
            handle = "NET-%s-1" % start.replace(".", "-")
        elif " - " in t["handle"]:
            handle = "%s - %s" % (start, end)
        else:
            handle = str(net)
        netname = prov.get("netname") or (prov["slug"].upper()[:24] + "-NET")
        s = T.Subst()
        s.exact[t["handle"]] = handle
        if t["netname"]:
            s.exact[t["netname"]] = netname
        for org in t["orgs"]:
            s.plain.append((org, prov["name"]))
        abuse_local = t["abuse"].split("@")[0] if t["abuse"] else None

        def emails(e):
            local = e.split("@")[0]
            if t["abuse"] and e.lower() == t["abuse"].lower():
                return rec["abuse"]
            return local.lower() + "@" + prov["mail_domain"]
        s.emails = emails
        rir_host, rir_path, _ = RIRS[rec["rir"]]

        def urls(scheme, host, port):
            if host.startswith("rdap.") or host.startswith("whois."):
                return self.http_base(rir_host, rir_path.rstrip("/"))
            return None
        s.urls = urls
        obj = s.walk(obj)
        obj["startAddress"], obj["endAddress"] = start, end
        obj["handle"] = handle
        if "ipVersion" in obj:
            obj["ipVersion"] = "v%d" % net.version
        if t["netname"] or "name" in obj:
            obj["name"] = netname if t["netname"] else prov["name"]
        if "country" in obj:
            obj["country"] = prov["country"]
        if "cidr0_cidrs" in obj:
            key = "v4prefix" if net.version == 4 else "v6prefix"
            obj["cidr0_cidrs"] = [{key: start, "length": net.prefixlen}]
        if "port43" in obj:
            obj["port43"] = "whois.%s.test" % rec["rir"]
        path = self.write_json("http/" + rir_path.strip("/") + "/ip/" +
                               re.sub(r"[^A-Za-z0-9.-]", "_", handle) +
                               ".json", obj)
        rec["file"] = path
        rec["name"] = prov["name"] if not t["netname"] else netname
        self.checks.append(dict(file=path, kind="ip", start=start, end=end,
                                abuse=rec["abuse"] if abuse_local else None))

    def gen_answers(self):
        for name, d in self.domains.items():
            rar = self.registrar_for(d)
            if d["kind"] == "rdap":
                if d["state"] == "deleted":
                    d["related_url"] = None
                    continue  # no file: the server answers 404
                self.gen_registry_answer(name, d, rar)
                if d["related_url"]:
                    self.gen_registrar_answer(name, d, rar)
            else:
                if d["state"] == "notfound":
                    continue  # whoisd answers 'No match for "NAME".'
                self.gen_whois_answer(name, d, rar)
        for prov in self.providers + [self.cloudflare]:
            for rec in prov["nets"]:
                self.gen_network_answer(prov, rec)
        for prov, rec in self.parents.values():
            self.gen_network_answer(prov, rec)

    # -- bootstrap --
    def gen_bootstrap(self):
        services = {}
        for tld, t in self.tld.items():
            if t["kind"] == "rdap":
                services.setdefault(t["base"], []).append(tld)
        dns = {"description": "RDAP bootstrap file for Domain Name System "
               "registrations (takedown lookup benchmark, fake)",
               "publication": "2026-11-27T00:00:00Z", "version": "1.0",
               "services": [[sorted(v), [k]] for k, v in services.items()]}
        self.write_json("boot/dns.json", dns)
        for fname in ("ipv4.json", "ipv6.json", "asn.json"):
            with open(os.path.join(TOP, "data", "iana", fname)) as f:
                data = json.load(f)
            out = []
            for prefixes, urls in data["services"]:
                rir = next((k for k in RIRS if any(k in u for u in urls)),
                           None)
                if rir:
                    host, path, _ = RIRS[rir]
                    out.append([prefixes, [self.http_base(host, path)]])
            data["services"] = out
            data["description"] = data.get("description", "") + \
                " (takedown lookup benchmark: fake servers)"
            self.write_json("boot/" + fname, data)
        for rir, (host, path, _) in RIRS.items():
            self.server(rir, "http", host, "rir")
        lines = ["# WHOIS servers of the fake world (bench/lookup)"]
        for tld, t in sorted(self.tld.items()):
            if t["kind"] == "whois":
                lines.append("%s\t%s" % (tld, t["server"]))
        self.write_text("boot/whois-servers.txt", "\n".join(lines) + "\n")
        self.rir_base = {rir: self.http_base(h, p)
                         for rir, (h, p, _) in RIRS.items()}

    def save(self):
        # A dead e-mail domain that has names below it (rdap.X.test) exists
        # as an empty non-terminal: its MX answer is NODATA, not NXDOMAIN,
        # so the A is asked too (and is NODATA).
        names = set(self.zone)
        for dom, st in self.email_dns.items():
            if st == "none" and any(n == dom or n.endswith("." + dom)
                                    for n in names):
                self.email_dns[dom] = "nodata"
        ip_info = {}
        for ip, ni in self.ip_net.items():
            n = self.networks[ni]
            ip_info[ip] = dict(rir=n["rir"], abuse=n["abuse"],
                               provider=n["provider"], net=n["net"],
                               climb=n.get("climb"),
                               parent_abuse=n.get("parent_abuse"))
        hosts = {h: dict(domain=v["domain"], ips=self.host_ips(h))
                 for h, v in self.hosts.items()}
        world = dict(
            seed=self.a.seed, http_port=self.port,
            servers=self.servers, tld=self.tld, domains=self.domains,
            hosts=hosts, ip=ip_info, rir_base=self.rir_base,
            email_dns=self.email_dns,
            server_hosts={k: v["host"] for k, v in self.servers.items()
                          if v["kind"] == "http"},
            cdn_emails={str(n): e for n, _, e in self.avoid if e})
        self.write_json("world.json", world)
        self.write_json("zone.json", dict(ttl=300, names=self.zone))
        self.write_json("check.json", self.checks)
        self.write_text("urls.txt", "\n".join(self.urls) + "\n")
        wd = sorted(n for n, d in self.domains.items() if d["kind"] == "whois")
        self.write_text("whois-domains.txt", "\n".join(wd) + "\n")
        wh = sorted((k, v["role"]) for k, v in self.servers.items()
                    if v["kind"] == "whois")
        self.write_text("whois-hosts.tsv",
                        "".join("%s\t%s\n" % x for x in wh))

    def run(self):
        if os.path.exists(self.out):
            shutil.rmtree(self.out)
        os.makedirs(self.out)
        self.make_registrars()
        self.make_networks()
        self.make_ip_pool()
        self.make_domains()
        self.make_hosts()
        self.make_urls()
        self.gen_bootstrap()
        self.gen_answers()
        self.save()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", required=True)
    p.add_argument("--http-port", type=int, required=True)
    p.add_argument("--corpus", default=os.path.join(TOP, "..", "shared",
                                                    "corpus"))
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--urls", type=int, default=2400)
    p.add_argument("--domains", type=int, default=600)
    p.add_argument("--ips", type=int, default=380)
    args = p.parse_args()
    w = World(args)
    w.run()
    n_ips = len({ip for h in w.hosts for ip in w.host_ips(h)} |
                set(w.literal_ips))
    print("world: %d URLs, %d hosts, %d registrable domains (%d on WHOIS-only "
          "TLDs), %d addresses in %d networks, %d fake servers" % (
              len(w.urls), len(w.hosts), len(w.domains),
              sum(1 for d in w.domains.values() if d["kind"] == "whois"),
              n_ips, len(w.networks), len(w.servers)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
