"""Recorded real RDAP and WHOIS answers from ../shared/corpus used as the
shape of every answer in the fake world, and the functions that put the
world's names, addresses and contacts into them.

Each template lists what in the recording is specific to its domain,
registrar or network (names, e-mails, hosts, IANA ID, phone numbers), so
that gen_world.py can substitute all of it; the rest of the answer
(notices, remarks, conformance, status wording, odd date formats, nesting
of the abuse entity, jCard details) is kept as recorded, so that the parsers
see what real servers send.  See each corpus folder's SOURCE.md for origin
and licence.
"""
import copy
import json
import os
import re

# ---- RDAP domain answers of registries ------------------------------------
# domain: the recorded domain; rar_names: every spelling of the registrar's
# name in the file; iana: its IANA ID; abuse: recorded abuse e-mail;
# rar_mail_domains: e-mail domains that belong to the registrar; hosts:
# real host -> role ("registry" or "registrar") for URL rewriting;
# related: the recording has a registrar "related" link; registrant:
# "redacted", "none", "visible" (an e-mail takedown may write to) or
# "name" (a name, no e-mail).
REGISTRY = {
    "verisign-github": dict(
        file="rdap-bbot/verisign_com_github.json", domain="github.com",
        rar_names=["MarkMonitor Inc."], iana="292",
        abuse="abusecomplaints@markmonitor.com",
        rar_mail_domains=["markmonitor.com"],
        phones=["+1.2086851750"],
        hosts={"rdap.verisign.com": "registry",
               "rdap.markmonitor.com": "registrar",
               "www.markmonitor.com": "registrar-web"},
        related=True, registrant="none"),
    "verisign-google": dict(
        file="rdap-whoisit/cassettes/domain-1.0.json", domain="google.com",
        rar_names=["MarkMonitor Inc."], iana="292",
        abuse="abusecomplaints@markmonitor.com",
        rar_mail_domains=["markmonitor.com"], phones=["+1.2086851750"],
        hosts={"rdap.verisign.com": "registry",
               "rdap.markmonitor.com": "registrar"},
        related=True, registrant="none"),
    "verisign-marquetry": dict(
        file="rdap-whoisit/responses/data_rdap_response_domain3.json",
        domain="themarquetry.com",
        rar_names=["Hosting Concepts B.V. d/b/a Registrar.eu"], iana="1647",
        abuse="abuse@registrar.eu", rar_mail_domains=["registrar.eu"],
        phones=["+31.104482297"],
        hosts={"rdap.verisign.com": "registry",
               "rdap.registrar.eu": "registrar"},
        related=True, registrant="none"),
    "verisign-20c": dict(
        file="rdap-20c/rdap/domain/20c.com.input", domain="20c.com",
        rar_names=["CSL Computer Service Langenbach GmbH d/b/a joker.com"],
        iana="113", abuse="abuse@joker.com", rar_mail_domains=["joker.com"],
        phones=["+49.21186767447"],
        hosts={"rdap.verisign.com": "registry",
               "rdap.joker.com": "registrar"},
        related=True, registrant="none"),
    "pir": dict(
        file="rdap-bbot/pir_org_wikipedia.json", domain="wikipedia.org",
        rar_names=["MarkMonitor Inc."], iana="292",
        abuse="abusecomplaints@markmonitor.com",
        rar_mail_domains=["markmonitor.com"], phones=["+1.2083895740"],
        hosts={"rdap.publicinterestregistry.org": "registry",
               "rdap.markmonitor.com": "registrar"},
        related=True, registrant="none"),
    "identitydigital": dict(
        file="rdap-whodap/you.tube.json", domain="you.tube",
        rar_names=["MarkMonitor, Inc."], iana="292",
        abuse="abusecomplaints@markmonitor.com",
        rar_mail_domains=["markmonitor.com"],
        phones=["+1.2083895740", "+1.2083895779"],
        hosts={"rdap.nic.tube": "registry",
               "rdap.markmonitor.com": "registrar"},
        related=True, registrant="redacted"),
    "centralnic": dict(
        file="rdap-whodap/abc.xyz.json", domain="abc.xyz",
        rar_names=["MarkMonitor Inc."], iana="292",
        abuse="abusecomplaints@markmonitor.com",
        rar_mail_domains=["markmonitor.com"], phones=["+1.2083895770"],
        registrant_orgs=["Google LLC"],
        hosts={"rdap.markmonitor.com": "registrar",
               "domains.markmonitor.com": "registrar-web"},
        related=False, registrant="redacted"),
    "centralnic-cyou": dict(
        file="rdap-whodap/amazon.cyou.json", domain="amazon.cyou",
        rar_names=["NOM-IQ Ltd dba Com Laude"], iana="470",
        abuse="abuse@comlaude.com", rar_mail_domains=["comlaude.com"],
        phones=["+44.2074218250"], registrant_orgs=["Amazon Technologies, Inc."],
        hosts={"rdap.comlaude.com": "registrar"},
        related=False, registrant="redacted"),
    "zdns": dict(
        file="rdap-whodap/bitcoin.top.json", domain="bitcoin.top",
        rar_names=["成都西维数码科技有限公司", "西数"], iana="1556",
        abuse="westabuse@gmail.com", rar_mail_domains=["west263.com"],
        phones=["02862778877", "15828476420", "02886264041"],
        registrant_orgs=["Wang Shao Gang"],
        hosts={"rdap.zdnsgtld.com": "registry"},
        related=False, registrant="redacted"),
    "uniregistry": dict(
        file="rdap-icann/gtld-whois-rendering/microsoft.click.json",
        domain="microsoft.click",
        rar_names=["MarkMonitor Inc.", "Markmonitor"], iana="292",
        abuse="abusecomplaints@markmonitor.com",
        rar_mail_domains=["markmonitor.com"],
        phones=["+1.208389574", "+1.2083895740", "+1.2083895771"],
        registrant_orgs=["Microsoft Corporation"],
        hosts={}, related=False, registrant="redacted"),
    "gdregistry": dict(
        file="rdap-whodap/deep.surf.json", domain="deep.surf",
        rar_names=["NAMECHEAP INC"], iana="1068",
        abuse="abuse@namecheap.com", rar_mail_domains=["namecheap.com"],
        privacy_mail_domains=["withheldforprivacy.com"],
        phones=["+1.6613102107"],
        hosts={"rdap.namecheap.com": "registrar"},
        related=False, registrant="visible"),
}

# ---- RDAP domain answers of registrars (the "related" link) ---------------
REGISTRAR = {
    "markmonitor": dict(
        file="rdap-bbot/registrar_markmonitor_github.json", domain="github.com",
        rar_names=["Markmonitor Inc."], iana="292", abuse=None,
        rar_mail_domains=["markmonitor.com"], phones=["+1.2086851750"],
        registrant_orgs=["GitHub, Inc."],
        hosts={"rdap.markmonitor.com": "registrar",
               "corp.markmonitor.com": "registrar-web",
               "domains.markmonitor.com": "registrar-web",
               "www.markmonitor.com": "registrar-web"},
        registrant="redacted"),
    "namecheap": dict(
        file="rdap-bbot/registrar_namecheap_namecheap.json",
        domain="namecheap.com", rar_names=["NAMECHEAP INC"], iana="1068",
        abuse="abuse@namecheap.com", rar_mail_domains=["namecheap.com"],
        privacy_mail_domains=["withheldforprivacy.com"],
        phones=["+1.9854014545", "+1.6613102107"],
        hosts={"rdap.namecheap.com": "registrar",
               "www.namecheap.com": "registrar-web"},
        # privacy-proxy registrant, but the answer's "redacted" array
        # (RFC 9537) marks it redacted: takedown makes no registrant of it
        registrant="redacted"),
    "markmonitor-2019": dict(
        file="rdap-whoisit/cassettes/domain-1.1.json", domain="google.com",
        rar_names=["MarkMonitor Inc."], iana="292",
        abuse="abusecomplaints@markmonitor.com",
        rar_mail_domains=["markmonitor.com"], phones=["+1.2086851750"],
        registrant_orgs=["Google LLC"],
        hosts={"rdap.markmonitor.com": "registrar",
               "domains.markmonitor.com": "registrar-web"},
        registrant="redacted"),
}

# ---- RDAP network answers of RIRs ------------------------------------------
# org/names: spellings of the holder and network name in the file; abuse:
# the recorded abuse e-mail (None: the answer has none).
NETWORK = {
    "arin-google": dict(file="ipwhois-rdap/rdap-ip/74.125.225.229.json",
                        rir="arin", version=4, handle="NET-74-125-0-0-1",
                        netname="GOOGLE", orgs=["Google Inc.", "Google LLC"],
                        abuse="arin-contact@google.com"),
    "arin-radiolink": dict(file="rdap-icann/responses/network_192_198_0_0.json",
                           rir="arin", version=4, handle="NET-192-198-0-0-1",
                           netname="RADIOLINK-ARIN-1",
                           orgs=["Radio Link Internet"],
                           abuse="daniel.petsinger@radiolinkinternet.com"),
    "arin-msft": dict(file="rdap-whoisit/responses/data_rdap_response_ip_v4_3.json",
                      rir="arin", version=4, handle="NET-13-64-0-0-1",
                      netname="MSFT", orgs=["Microsoft Corporation"],
                      abuse="abuse@microsoft.com"),
    "arin-chix": dict(file="rdap-20c/rdap/ip/206.41.110.0.input", rir="arin",
                      version=4, handle="NET-206-41-110-0-1", netname="CHIX",
                      orgs=["United-IX"], abuse="neteng@unitedix.net"),
    "ripe-switch": dict(file="rdap-whoisit/responses/data_rdap_response_ip_v4_2.json",
                        rir="ripe", version=4,
                        handle="130.59.0.0 - 130.59.255.255",
                        netname="SWITCH-LAN", orgs=["SWITCH"],
                        abuse="abuse@switch.ch"),
    "apnic-boranet": dict(file="ipwhois-rdap/rdap-ip/210.107.73.73.json",
                          rir="apnic", version=4,
                          handle="210.107.0.0 - 210.107.127.255",
                          netname="BORANET-NET-210-107", orgs=[],
                          abuse="hostmaster@nic.or.kr"),
    "apnic-labs": dict(file="rdap-whoisit/cassettes/ip-v4-cidr-1.json",
                       rir="apnic", version=4, handle="1.1.1.0 - 1.1.1.255",
                       netname="APNIC-LABS",
                       orgs=["APNIC Research and Development"],
                       abuse="helpdesk@apnic.net"),
    "lacnic-triara": dict(file="ipwhois-rdap/rdap-ip/200.57.141.161.json",
                          rir="lacnic", version=4, handle="200.57.141.161",
                          netname=None, orgs=["Triara.com, S.A. de C.V."],
                          abuse="operacion.redes@TRIARA.COM"),
    "arin-google6": dict(file="rdap-whoisit/responses/data_rdap_response_cidr_v6.json",
                         rir="arin", version=6, handle="NET6-2001-4860-1",
                         netname="GOOGLE-IPV6", orgs=["Google LLC"],
                         abuse="arin-contact@google.com"),
    "ripe-bt6": dict(file="ipwhois-rdap/rdap-ip/2a00_2381_ffff__1.json",
                     rir="ripe", version=6, handle="2a00:2381:ffff::/64",
                     netname="BT-WORLD-IPVSIX-LAUNCH", orgs=[],
                     abuse="zzdnsr@bt.com"),
    "apnic-jpnic6": dict(file="ipwhois-rdap/rdap-ip/2001_240_10c_1__ca20_9d1d.json",
                         rir="apnic", version=6, handle="2001:0240::/32",
                         netname="IIJ-JPNIC-JP-20000308", orgs=[],
                         abuse=None),
    "lacnic-uco6": dict(file="ipwhois-rdap/rdap-ip/2801_10_c000__.json",
                        rir="lacnic", version=6, handle="2801:10:c000::",
                        netname=None,
                        orgs=["Universidad Catolica de Oriente"],
                        abuse="sistemas.red@UCO.EDU.CO"),
    "afrinic-6": dict(file="ipwhois-rdap/rdap-ip/2001_43f8_7b0__.json",
                      rir="afrinic", version=6, handle="2001:43f8:07b0::/48",
                      netname="ORG-TA38-AFRINIC", orgs=[], abuse=None),
}

# ---- WHOIS answers ---------------------------------------------------------
# Text answers of registries (and two registrars).  domain: as recorded;
# rar: registrar spellings; abuse: recorded abuse e-mail or None;
# registrant_mail: the registrant e-mail recorded (visible) or None;
# refer: the registrar WHOIS server named in the answer (thin registry).
WHOIS = {
    "ru": dict(file="whois-parser/noterror/ru_git.ru", domain="git.ru",
               rar=["RELCOMHOST-RU"], abuse=None, registrant_mail=None,
               ns=["hosting1.telekom.ru", "ns2.telekom.ru"],
               registrant_names=[]),
    "it": dict(file="whois-parser/noterror/it_git.it", domain="git.it",
               rar=["Algorithmedia S.r.l.", "algorithmedia srl", "AM-REG"],
               abuse=None, registrant_mail=None,
               ns=["ns1.parkingcrew.net", "ns2.parkingcrew.net"],
               registrant_names=["Macrosten LTD"]),
    # takedown reads the [Registrant] line as one registrant contact (name
    # only) and the Contact Information block as a second one with the
    # e-mail; lookup uses the first, so no registrant e-mail is checked
    "jp": dict(file="whois-parser/noterror/jp_git.jp", domain="git.jp",
               rar=[], abuse=None, registrant_mail="shiozawa@git.jp",
               registrant_mail_used=False,
               ns=["ns1.onamae.com", "ns2.onamae.com"],
               registrant_names=["GIT Co.,Ltd"]),
    "sk": dict(file="whois-parser/noterror/sk_alza.sk", domain="alza.sk",
               rar=["ACTIVE 24, s.r.o."], abuse="registrace@domeny.cz",
               registrant_mail=None,
               ns=["beau.ns.cloudflare.com", "gigi.ns.cloudflare.com"],
               registrant_names=["Alza.cz a.s."]),
    "cn": dict(file="whois-parser/noterror/cn_google.cn", domain="google.cn",
               rar=["厦门易名科技股份有限公司"], abuse=None,
               registrant_mail="dns-admin@google.com",
               ns=["ns1.google.com", "ns2.google.com", "ns3.google.com",
                   "ns4.google.com"],
               registrant_names=["北京谷翔信息技术有限公司"]),
    "de": dict(file="whois-parser/noterror/de_git.de", domain="git.de",
               rar=[], abuse=None, registrant_mail=None,
               ns=["ns1.webcoding24.com", "ns2.webcoding24.com",
                   "ns3.webcoding24.com"], registrant_names=[]),
    "ch": dict(file="whois-parser/noterror/ch_google.ch", domain="google.ch",
               rar=["MarkMonitor"], abuse="custserv@markmonitor.com",
               registrant_mail=None,
               ns=["ns1.google.com", "ns2.google.com", "ns3.google.com",
                   "ns4.google.com"], registrant_names=[]),
    "cc": dict(file="whois-weppos/referrals/niccc.cc.txt", domain="raymond.cc",
               rar=["GODADDY.COM, INC."], abuse=None, registrant_mail=None,
               ns=["NS1.SOFTLAYER.COM", "NS2.SOFTLAYER.COM",
                   "NSS1.LINUXADMIN.ORG", "NSS2.LINUXADMIN.ORG"],
               refer="whois.godaddy.com", registrant_names=[]),
    # registrars' own answers (the thin registry's referral)
    "godaddy": dict(file="whois-weppos/responses/whois.godaddy.com/status_registered.txt",
                    domain="godaddy.com", rar=["GoDaddy.com, LLC"],
                    abuse="abuse@godaddy.com", registrant_mail=None,
                    ns=["CNS1.GODADDY.COM", "CNS2.GODADDY.COM",
                        "CNS3.GODADDY.COM", "A11-64.AKAM.NET", "A1-245.AKAM.NET",
                        "A20-65.AKAM.NET", "A6-66.AKAM.NET", "A8-67.AKAM.NET",
                        "A9-67.AKAM.NET"],
                    refer="whois.godaddy.com",
                    registrant_names=["Go Daddy Operating Company, LLC"]),
    "gandi": dict(file="whois-weppos/responses/whois.gandi.net/status_registered.txt",
                  domain="gandi.net", rar=["GANDI SAS"],
                  abuse="abuse@support.gandi.net",
                  registrant_mail="61ebd5b3df9f45f2b3f67f6dd01e1049-523678@contact.gandi.net",
                  ns=[], refer="whois.gandi.net", registrant_names=[]),
}

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
URL_RE = re.compile(r"(https?)://([A-Za-z0-9.-]+)(:\d+)?")


def load_json(corpus, rel):
    with open(os.path.join(corpus, rel), encoding="utf-8") as f:
        return json.load(f)


def load_text(corpus, rel):
    with open(os.path.join(corpus, rel), "rb") as f:
        return f.read().decode("utf-8", "replace")


def case_like(sample, new):
    if sample.isupper():
        return new.upper()
    return new


def replace_ci(text, old, new):
    """Replace old (any case) by new, in the case of what it replaced."""
    if not old:
        return text
    pat = re.compile(re.escape(old), re.I)
    return pat.sub(lambda m: case_like(m.group(0), new), text)


class Subst:
    """String substitutions applied to every string of an answer."""

    def __init__(self):
        self.exact = {}      # whole-string replacements
        self.plain = []      # (old, new) substring, case-sensitive
        self.ci = []         # (old, new) substring, any case
        self.emails = None   # function(email) -> email
        self.urls = None     # function(scheme, host, port) -> str or None

    def apply(self, s):
        if s in self.exact:
            return self.exact[s]
        if self.urls:
            def url(m):
                out = self.urls(m.group(1), m.group(2).lower(), m.group(3))
                return out if out is not None else m.group(0)
            s = URL_RE.sub(url, s)
        if self.emails:
            s = EMAIL_RE.sub(lambda m: self.emails(m.group(0)), s)
        for old, new in sorted(self.plain, key=lambda p: -len(p[0])):
            s = s.replace(old, new)
        for old, new in sorted(self.ci, key=lambda p: -len(p[0])):
            s = replace_ci(s, old, new)
        return s

    def walk(self, obj):
        if isinstance(obj, dict):
            return {k: self.walk(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [self.walk(v) for v in obj]
        if isinstance(obj, str):
            return self.apply(obj)
        return obj


def set_nameservers(obj, names):
    """Replace the nameservers of an RDAP domain answer, keeping each
    entry's shape (case, trailing dot, extra members)."""
    old = obj.get("nameservers")
    if not isinstance(old, list) or not old:
        return
    out = []
    for i, ns in enumerate(names):
        proto = copy.deepcopy(old[i % len(old)])
        oldname = str(proto.get("ldhName", ""))
        dot = "." if oldname.endswith(".") else ""
        new = ns.upper() if oldname.isupper() else ns
        proto.pop("ipAddresses", None)
        s = Subst()
        s.ci.append((oldname.rstrip("."), ns))
        proto = s.walk(proto)
        proto["ldhName"] = new + dot
        if "unicodeName" in proto:
            proto["unicodeName"] = ns + dot
        out.append(proto)
    obj["nameservers"] = out


def set_event(obj, action, date):
    for ev in obj.get("events", []) or []:
        if ev.get("eventAction") == action:
            old = ev.get("eventDate", "")
            # keep the recorded format's tail (".000+0000", "Z", ...)
            m = re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(.*)$", old)
            ev["eventDate"] = date + (m.group(1) if m else "Z")


def set_related(obj, url):
    """Point the registrar link (rel related, RDAP type) at url."""
    for link in obj.get("links", []) or []:
        if link.get("rel") == "related" and \
                "rdap" in str(link.get("type", "application/rdap+json")):
            link["href"] = url
            return True
    return False
