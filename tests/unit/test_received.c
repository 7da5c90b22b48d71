/*
 * Received: chains, the trust boundary and Authentication-Results.  The
 * header lines are copied from ../shared/corpus (each names its file),
 * unfolded as the mail module hands them over.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "err.h"
#include "received.h"

static void
parse(struct td_hop *h, const char *v)
{
	assert_int_equal(td_hop_parse(h, v, strlen(v)), 0);
}

static void
chain(struct td_received *r, const char *const *lines)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	for (i = 0; lines[i]; i++)
		assert_int_equal(td_received_add(r, lines[i], strlen(lines[i])),
				 0);
}

static void
trust(struct td_trust *t, const char *const *specs)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	for (i = 0; specs[i]; i++)
		assert_int_equal(td_trust_add(t, specs[i], NULL), 0);
}

/* Found by fuzz_received: every trailing dot goes from the rDNS name */
static void
received_rdns_trailing_dots_dropped(void **state)
{
	struct td_hop h;

	(void)state;
	parse(&h, "from helo (rdns.example.. [192.0.2.1]) by mx.example.org");
	assert_non_null(h.from_rdns);
	assert_string_equal(h.from_rdns, "rdns.example");
	td_hop_release(&h);
}

/* phishing_pot/email/sample-708.eml */
static void
received_gmail_hop_parsed(void **state)
{
	struct td_hop h;

	parse(&h, "from mail-sor-f41.google.com (mail-sor-f41.google.com. "
		  "[209.85.220.41]) by mx.google.com with SMTPS id "
		  "du50-20020a0568703a3200b00197f6ff8dcbsor721900oab.6.2023."
		  "05.25.11.43.28 for "
		  "<shfjhgishkukiu******jhsgkhjscgsah@uplowd.xyz> (Google "
		  "Transport Security); Thu, 25 May 2023 11:43:28 -0700 "
		  "(PDT)");
	assert_true(h.parsed);
	assert_string_equal(h.from_helo, "mail-sor-f41.google.com");
	assert_string_equal(h.from_rdns, "mail-sor-f41.google.com");
	assert_string_equal(h.from_ip, "209.85.220.41");
	assert_string_equal(h.by, "mx.google.com");
	assert_string_equal(h.with, "SMTPS");
	assert_string_equal(h.id, "du50-20020a0568703a3200b00197f6ff8dcbsor"
				  "721900oab.6.2023.05.25.11.43.28");
	assert_string_equal(h.for_addr,
			    "shfjhgishkukiu******jhsgkhjscgsah@uplowd.xyz");
	assert_string_equal(h.date, "Thu, 25 May 2023 11:43:28 -0700 (PDT)");
	assert_int_equal(h.when, 1685040208); /* 2023-05-25 18:43:28 UTC */
	td_hop_release(&h);

	/* phishing_pot/email/sample-2284.eml: Outlook.com to Gmail, IPv6 */
	parse(&h, "from NAM12-MW2-obe.outbound.protection.outlook.com "
		  "(mail-mw2nam12olkn20823.outbound.protection.outlook.com. "
		  "[2a01:111:f400:fe5a::823]) by mx.google.com with ESMTPS id "
		  "o4-20020a056214180400b0067adebf5440si12702897qvw.391.2023."
		  "12.13.05.57.56 for <phish.me.again@gmail.com> "
		  "(version=TLS1_2 cipher=ECDHE-ECDSA-AES128-GCM-SHA256 "
		  "bits=128/128); Wed, 13 Dec 2023 05:57:57 -0800 (PST)");
	assert_string_equal(h.from_helo,
			    "NAM12-MW2-obe.outbound.protection.outlook.com");
	assert_string_equal(
	    h.from_rdns,
	    "mail-mw2nam12olkn20823.outbound.protection.outlook.com");
	assert_string_equal(h.from_ip, "2a01:111:f400:fe5a::823");
	assert_string_equal(h.for_addr, "phish.me.again@gmail.com");
	td_hop_release(&h);

	/* phishing_pot/email/sample-1160.eml: Gmail's internal line */
	parse(&h, "by 2002:a05:7300:538f:b0:7c:ab41:dfcf with SMTP id "
		  "g15csp950363dye; Wed, 1 Feb 2023 17:46:17 -0800 (PST)");
	assert_true(h.parsed);
	assert_null(h.from_ip);
	assert_null(h.from_helo);
	assert_string_equal(h.by, "2002:a05:7300:538f:b0:7c:ab41:dfcf");
	td_hop_release(&h);
}

static void
received_exchange_ipv6_hop_parsed(void **state)
{
	struct td_hop h;

	/* phishing_pot/email/sample-106.eml */
	parse(&h, "from DB8EUR05FT040.eop-eur05.prod.protection.outlook.com "
		  "(2603:10a6:4:55:cafe::92) by "
		  "DB6PR1001CA0042.outlook.office365.com (2603:10a6:4:55::28) "
		  "with Microsoft SMTP Server (version=TLS1_2, "
		  "cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id "
		  "15.20.5791.22 via Frontend Transport; Thu, 3 Nov 2022 "
		  "16:41:52 +0000");
	assert_true(h.parsed);
	/* Exchange records the EHLO name and the address, no rDNS */
	assert_string_equal(
	    h.from_helo, "DB8EUR05FT040.eop-eur05.prod.protection.outlook.com");
	assert_null(h.from_rdns);
	assert_string_equal(h.from_ip, "2603:10a6:4:55:cafe::92");
	assert_string_equal(h.by, "DB6PR1001CA0042.outlook.office365.com");
	assert_string_equal(h.with, "Microsoft SMTP Server");
	assert_string_equal(h.id, "15.20.5791.22");
	assert_int_equal(h.when, 1667493712);
	td_hop_release(&h);

	/* phishing_pot/email/sample-1405.eml: MAPI submission, zone index */
	parse(&h, "from CH2PR07MB7863.namprd07.prod.outlook.com "
		  "([fe80::4c81:6c3b:54d7:b809]) by "
		  "CH2PR07MB7863.namprd07.prod.outlook.com "
		  "([fe80::4c81:6c3b:54d7:b809%4]) with mapi id "
		  "15.20.6838.016; Thu, 28 Sep 2023 05:24:03 +0000");
	assert_string_equal(h.from_ip, "fe80::4c81:6c3b:54d7:b809");
	assert_string_equal(h.with, "mapi");
	td_hop_release(&h);

	/* phishing_pot/email/sample-106.eml: the top hop, HTTPS from ::1 */
	parse(&h, "from CH2PR19MB3797.namprd19.prod.outlook.com (::1) by "
		  "MN0PR19MB6312.namprd19.prod.outlook.com with HTTPS; Thu, "
		  "3 Nov 2022 16:41:54 +0000");
	assert_string_equal(h.from_ip, "::1");
	assert_string_equal(h.with, "HTTPS");
	td_hop_release(&h);

	/* phishing_pot/email/sample-6200.eml: IPv4-mapped becomes IPv4 */
	parse(&h, "from forum (::ffff:71.19.148.142 [::ffff:71.19.148.142]) "
		  "by kingmailer.org with SMTP; Sun, 02 Nov 2025 05:36:30 "
		  "-0300");
	assert_string_equal(h.from_ip, "71.19.148.142");
	assert_string_equal(h.from_helo, "forum");
	assert_null(h.from_rdns);
	td_hop_release(&h);

	/* phishing_pot/email/sample-3249.eml: Postfix "IPv6:" literal */
	parse(&h, "from lc0.greatnet-hosting.de (localhost [IPv6:::1]) "
		  "(Authenticated sender: franco78@subfighter-bochum.de) by "
		  "lc0.greatnet-hosting.de (Postfix) with ESMTPA id "
		  "8C05BEB17F5; Tue, 21 May 2024 10:27:38 +0200 (CEST)");
	assert_string_equal(h.from_ip, "::1");
	assert_string_equal(h.from_rdns, "localhost");
	assert_string_equal(h.from_helo, "lc0.greatnet-hosting.de");
	assert_string_equal(h.id, "8C05BEB17F5");
	td_hop_release(&h);
}

static void
received_exim_helo_form(void **state)
{
	struct td_hop h;

	/* phishing_pot/email/sample-3335.eml: no rDNS, "[ip] (helo=...)" */
	parse(&h, "from [149.106.90.255] (port=57492 helo=tgioz.com) by "
		  "gin.hostns.io with esmtpsa (TLS1.2) tls "
		  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (Exim 4.97.1) "
		  "(envelope-from <tesfaye_fekadu@ethiostarlocalization.com>) "
		  "id 1sJmYd-00000002mem-2SIP; Wed, 19 Jun 2024 05:04:29 "
		  "+0100");
	assert_string_equal(h.from_ip, "149.106.90.255");
	assert_string_equal(h.from_helo, "tgioz.com");
	assert_null(h.from_rdns);
	assert_string_equal(h.by, "gin.hostns.io");
	assert_string_equal(h.with, "esmtpsa");
	assert_string_equal(h.id, "1sJmYd-00000002mem-2SIP");
	assert_int_equal(h.when, 1718769869);
	td_hop_release(&h);

	/* spam-spamscope/mail_test_4.eml: verified rDNS first, then
	   "([ip]:port helo=...)" */
	parse(&h, "from host86-187-174-57.range86-187.btcentralplus.com "
		  "([86.187.174.57]:45321 helo=User) by "
		  "localhost.localdomain.com with esmtpa (Exim 4.87) "
		  "(envelope-from <anabelgonzalo@fanox.com>) id "
		  "1bakrE-000291-LF; Fri, 19 Aug 2016 20:34:52 +0600");
	assert_string_equal(h.from_ip, "86.187.174.57");
	assert_string_equal(h.from_rdns,
			    "host86-187-174-57.range86-187.btcentralplus.com");
	assert_string_equal(h.from_helo, "User");
	td_hop_release(&h);

	/* spam-spamscope/mail_malformed_2.eml: qmail "(HELO x) (ip)" */
	parse(&h, "from c.netpar.com.br (HELO apus.netpar.com.br) "
		  "(189.125.104.100) by smtp.customers.net with SMTP; 22 Aug "
		  "2016 09:22:13 -0000");
	assert_string_equal(h.from_rdns, "c.netpar.com.br");
	assert_string_equal(h.from_helo, "apus.netpar.com.br");
	assert_string_equal(h.from_ip, "189.125.104.100");
	assert_int_equal(h.when, 1471857733);
	td_hop_release(&h);

	/* phishing_pot/email/sample-1160.eml: qmail "(ident@ip)" */
	parse(&h, "from unknown (HELO ?192.168.0.110?) "
		  "(urpmtoffice@nithyamotors.com@102.69.220.202) by "
		  "mailserver with SMTP; 2 Feb 2023 01:42:41 -0000");
	assert_null(h.from_rdns);
	assert_string_equal(h.from_helo, "?192.168.0.110?");
	assert_string_equal(h.from_ip, "102.69.220.202");
	td_hop_release(&h);

	/* phishing_pot/email/sample-1506.eml: Postfix, HELO is a literal
	   and the real peer is in the comment */
	parse(&h, "from [10.0.0.95] (p5def31dd.dip0.t-ipconnect.de "
		  "[93.239.49.221]) by poettke-heizung.de with ESMTPA ; Wed, "
		  "4 Oct 2023 21:08:05 +0200");
	assert_string_equal(h.from_helo, "[10.0.0.95]");
	assert_string_equal(h.from_rdns, "p5def31dd.dip0.t-ipconnect.de");
	assert_string_equal(h.from_ip, "93.239.49.221");
	td_hop_release(&h);

	/* spam-spamscope/mail_test_1.eml: Postfix "unknown" rDNS */
	parse(&h, "from computer_3436 (unknown [43.230.105.145]) "
		  "(Authenticated sender: jdazey@alexandersmith.com) by "
		  "omf06.b.hostedemail.com (Postfix) with ESMTPA for "
		  "<kinney@noth.com>; Mon, 22 Aug 2016 14:22:52 +0000 (UTC)");
	assert_string_equal(h.from_helo, "computer_3436");
	assert_null(h.from_rdns);
	assert_string_equal(h.from_ip, "43.230.105.145");
	assert_string_equal(h.for_addr, "kinney@noth.com");
	assert_null(h.id);
	td_hop_release(&h);

	/* phishing_pot/email/sample-1276.eml: SendGrid, a HELO literal
	   with "(unknown)" is not the peer (the address is not recorded) */
	parse(&h, "from [127.0.0.1] (unknown) by geopod-ismtpd-3 (SG) with "
		  "ESMTP id YIPVaK1jTLSZgcspr6n3KQ for <phishing@pot>; Sat, "
		  "09 Sep 2023 11:08:19.709 +0000 (UTC)");
	assert_null(h.from_ip);
	assert_string_equal(h.from_helo, "[127.0.0.1]");
	td_hop_release(&h);
}

static void
received_sendmail_forms(void **state)
{
	struct td_hop h;

	/* spam-spamscope/mail_test_17.eml: local submission, no client */
	parse(&h, "(from www-data@localhost) by vps-051e4cda.vps.ovh.net "
		  "(8.15.2/8.15.2/Submit) id 29AKBWwn005317; Mon, 10 Oct 2022 "
		  "20:11:32 GMT");
	assert_true(h.parsed);
	assert_null(h.from_helo);
	assert_null(h.from_ip);
	assert_string_equal(h.by, "vps-051e4cda.vps.ovh.net");
	assert_string_equal(h.id, "29AKBWwn005317");
	td_hop_release(&h);

	/* spam-spamscope/mail_test_17.eml */
	parse(&h, "from vps-051e4cda.vps.ovh.net (localhost [127.0.0.1]) by "
		  "vps-051e4cda.vps.ovh.net (8.15.2/8.15.2/Debian-10) with "
		  "ESMTP id 29AKBWdZ005349 for "
		  "<compliance@akaancasadebolsa.com.mx>; Mon, 10 Oct 2022 "
		  "20:11:32 GMT");
	assert_string_equal(h.from_helo, "vps-051e4cda.vps.ovh.net");
	assert_string_equal(h.from_rdns, "localhost");
	assert_string_equal(h.from_ip, "127.0.0.1");
	assert_string_equal(h.for_addr, "compliance@akaancasadebolsa.com.mx");
	td_hop_release(&h);

	/* constructed from sendmail's documented $_ macro (not in the
	   corpus): "ident@rdns [ip]" and an unconfirmed name */
	parse(&h, "from helo.example (root@host.example.net [192.0.2.7]) by "
		  "mx.example.org (8.17.1/8.17.1) with ESMTP id 3AB; 1 Jan "
		  "2024 00:00:00 +0000");
	assert_string_equal(h.from_rdns, "host.example.net");
	td_hop_release(&h);
	parse(&h, "from helo.example (mx.example.org [192.0.2.7] (may be "
		  "forged)) by mx.example.org (8.17.1/8.17.1) with ESMTP id "
		  "3AB; 1 Jan 2024 00:00:00 +0000");
	assert_null(h.from_rdns);
	assert_string_equal(h.from_ip, "192.0.2.7");
	td_hop_release(&h);
}

/* phishing_pot/email/sample-106.eml, top first */
static const char *const o365_chain[] = {
    "from CH2PR19MB3797.namprd19.prod.outlook.com (::1) by "
    "MN0PR19MB6312.namprd19.prod.outlook.com with HTTPS; Thu, 3 Nov 2022 "
    "16:41:54 +0000",
    "from DB6PR1001CA0042.EURPRD10.PROD.OUTLOOK.COM (2603:10a6:4:55::28) "
    "by CH2PR19MB3797.namprd19.prod.outlook.com (2603:10b6:610:92::17) "
    "with Microsoft SMTP Server (version=TLS1_2, "
    "cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.5791.20; Thu, "
    "3 Nov 2022 16:41:53 +0000",
    "from DB8EUR05FT040.eop-eur05.prod.protection.outlook.com "
    "(2603:10a6:4:55:cafe::92) by DB6PR1001CA0042.outlook.office365.com "
    "(2603:10a6:4:55::28) with Microsoft SMTP Server (version=TLS1_2, "
    "cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.5791.22 via "
    "Frontend Transport; Thu, 3 Nov 2022 16:41:52 +0000",
    "from areta.edu (89.144.11.72) by "
    "DB8EUR05FT040.mail.protection.outlook.com (10.233.238.220) with "
    "Microsoft SMTP Server id 15.20.5791.20 via Frontend Transport; Thu, 3 "
    "Nov 2022 16:41:51 +0000",
    NULL};

/* phishing_pot/email/sample-1160.eml, top first */
static const char *const rediff_chain[] = {
    "by 2002:a05:7300:538f:b0:7c:ab41:dfcf with SMTP id g15csp950363dye; "
    "Wed, 1 Feb 2023 17:46:17 -0800 (PST)",
    "from pro.mxout.rediffmailpro.com (pro152-37.mxout.rediffmailpro.com. "
    "[119.252.152.37]) by mx.google.com with ESMTPS id "
    "23-20020a17090a0b9700b00229b568de13si3324935pjr.10.2023.02.01.17.46."
    "16 for <phishing@pot> (version=TLS1_2 "
    "cipher=ECDHE-ECDSA-AES128-GCM-SHA256 bits=128/128); Wed, 01 Feb 2023 "
    "17:46:17 -0800 (PST)",
    "from pro-237-178.rediffmailpro.com (unknown [10.50.252.5]) by "
    "pro.mxout.rediffmailpro.com (Postfix) with ESMTP id 02C461E2B49 for "
    "<phishing@pot>; Thu, 2 Feb 2023 07:12:47 +0530 (IST)",
    "(qmail 4441 invoked from network); 2 Feb 2023 01:42:45 -0000",
    "from unknown (HELO ?192.168.0.110?) "
    "(urpmtoffice@nithyamotors.com@102.69.220.202) by mailserver with "
    "SMTP; 2 Feb 2023 01:42:41 -0000",
    NULL};

static void
received_private_hops_are_internal(void **state)
{
	static const char *const specs[] = {"119.252.152.0/24", NULL};
	struct td_received r;
	struct td_trust t;

	/* the loopback client of the top hop is internal: hop 1 reports */
	chain(&r, o365_chain);
	td_received_decide(&r, NULL);
	assert_int_equal(r.report_hop, 1);
	assert_string_equal(r.hops[1].from_ip, "2603:10a6:4:55::28");
	td_received_release(&r);

	/*
	 * Gmail's local line passes trust down; with rediff's outbound net
	 * trusted, its 10.50.252.5 client is internal, qmail-queue's own
	 * line is local, and the sender's 102.69.220.202 is reported.
	 */
	chain(&r, rediff_chain);
	trust(&t, specs);
	td_received_decide(&r, &t);
	assert_int_equal(r.report_hop, 4);
	assert_string_equal(r.hops[4].from_ip, "102.69.220.202");
	assert_true(r.hops[0].trusted && r.hops[2].trusted &&
		    r.hops[3].trusted && r.hops[4].trusted);
	assert_false(r.hops[4].unverified);
	td_trust_release(&t);

	/* without the trust entry rediff's relay itself is reported */
	td_received_decide(&r, NULL);
	assert_int_equal(r.report_hop, 1);
	assert_string_equal(r.hops[1].from_ip, "119.252.152.37");
	assert_true(r.hops[2].unverified && r.hops[4].unverified);
	td_received_release(&r);
}

static void
received_trust_list_moves_boundary(void **state)
{
	static const char *const ms[] = {"2603:1000::/24", NULL};
	static const char *const ibm[] = {".pphosted.com", NULL};
	/* spam-spamscope/mail_test_10.eml, the first four hops */
	static const char *const ibm_chain[] = {
	    "(qmail 20959 invoked from network); 8 Mar 2017 16:46:30 "
	    "-0000",
	    "from mx0b-001b2d01.pphosted.com (HELO "
	    "mx0a-001b2d01.pphosted.com) (148.163.158.5) by smtp.didi.net "
	    "with SMTP; 8 Mar 2017 16:46:30 -0000",
	    "from pps.filterd (m0098419.ppops.net [127.0.0.1]) by "
	    "mx0b-001b2d01.pphosted.com (8.16.0.20/8.16.0.20) with SMTP id "
	    "v28GdUiK046963 for <lina.vailati@dududu.it>; Wed, 8 Mar 2017 "
	    "11:46:30 -0500",
	    "from e06smtp10.uk.ibm.com (e06smtp10.uk.ibm.com "
	    "[195.75.94.106]) by mx0b-001b2d01.pphosted.com with ESMTP id "
	    "292hw54kbu-1 (version=TLSv1.2 cipher=AES256-SHA bits=256 "
	    "verify=NOT) for <lina.vailati@dududu.it>; Wed, 08 Mar 2017 "
	    "11:46:27 -0500",
	    NULL};
	struct td_received r;
	struct td_trust t;

	chain(&r, o365_chain);
	trust(&t, ms);
	td_received_decide(&r, &t);
	assert_int_equal(r.report_hop, 3);
	assert_string_equal(r.hops[3].from_ip, "89.144.11.72");
	assert_string_equal(r.hops[3].from_helo, "areta.edu");
	td_trust_release(&t);
	td_received_release(&r);

	/* a name entry matches the rDNS qmail recorded */
	chain(&r, ibm_chain);
	trust(&t, ibm);
	td_received_decide(&r, &t);
	assert_int_equal(r.report_hop, 3);
	assert_string_equal(r.hops[3].from_ip, "195.75.94.106");
	td_trust_release(&t);
	/* without it, the top hop's client is the sender */
	td_received_decide(&r, NULL);
	assert_int_equal(r.report_hop, 1);
	assert_string_equal(r.hops[1].from_ip, "148.163.158.5");
	td_received_release(&r);
}

static void
received_helo_never_trusted(void **state)
{
	static const char *const specs[] = {".protection.outlook.com",
					    "mx0a-001b2d01.pphosted.com", NULL};
	struct td_received r;
	struct td_trust t;

	/*
	 * Exchange records only the EHLO name, which the client chooses:
	 * ".protection.outlook.com" must not move the boundary.
	 */
	chain(&r, o365_chain);
	trust(&t, specs);
	td_received_decide(&r, &t);
	assert_int_equal(r.report_hop, 1);
	td_received_release(&r);

	/* spam-spamscope/mail_test_10.eml: the HELO name is trusted, the
	   rDNS (mx0b-...) is not */
	{
		static const char *const lines[] = {
		    "from mx0b-001b2d01.pphosted.com (HELO "
		    "mx0a-001b2d01.pphosted.com) (148.163.158.5) by "
		    "smtp.didi.net with SMTP; 8 Mar 2017 16:46:30 -0000",
		    "from x (y [1.2.3.4]) by z; 8 Mar 2017 16:46:30 -0000",
		    NULL};

		chain(&r, lines);
		td_received_decide(&r, &t);
		assert_int_equal(r.report_hop, 0);
		td_received_release(&r);
	}
	td_trust_release(&t);
}

/*
 * Constructed, not from the corpus: Postfix accepts a HELO argument with
 * spaces (smtpd joins the words) and writes it first, before its own
 * "(rdns [ip])" comment and "by".  A crafted HELO must not frame another
 * address (6.6.6.6) nor pass as the rDNS of a trusted name.
 */
static void
received_helo_injection_cannot_frame(void **state)
{
	static const char *const lines[] = {
	    "from [6.6.6.6] by evil (unknown [93.184.216.34]) by "
	    "mx.example.org (Postfix) with ESMTP id X; 1 Jan 2024 00:00:00 "
	    "+0000",
	    "from a (b [6.6.6.6]) (unknown [93.184.216.34]) by "
	    "mx.example.org (Postfix) with ESMTP id X; 1 Jan 2024 00:00:00 "
	    "+0000",
	    "from a (b [6.6.6.6] (unknown [93.184.216.34]) by "
	    "mx.example.org (Postfix) with ESMTP id X; 1 Jan 2024 00:00:00 "
	    "+0000",
	    "from [93.184.216.34] (port=1 helo=x [6.6.6.6]) by "
	    "mx.example.org with esmtp id X; 1 Jan 2024 00:00:00 +0000",
	    "from mx.example.org (HELO x) (unknown [93.184.216.34]) by "
	    "mx.example.org (Postfix) with ESMTP id X; 1 Jan 2024 00:00:00 "
	    "+0000",
	    NULL};
	static const char *const specs[] = {"mx.example.org", NULL};
	struct td_trust t;
	struct td_hop h;
	size_t i;

	trust(&t, specs);
	for (i = 0; lines[i]; i++) {
		struct td_received r;
		const char *one[] = {lines[i], NULL};

		parse(&h, lines[i]);
		assert_string_equal(h.from_ip, "93.184.216.34");
		assert_null(h.from_rdns);
		td_hop_release(&h);
		chain(&r, one);
		td_received_decide(&r, &t);
		assert_int_equal(r.report_hop, 0);
		td_received_release(&r);
	}
	td_trust_release(&t);
}

static void
received_below_boundary_unverified(void **state)
{
	struct td_received r;
	size_t i;

	chain(&r, o365_chain);
	td_received_decide(&r, NULL);
	assert_int_equal(r.report_hop, 1);
	for (i = 0; i < r.nr; i++) {
		assert_int_equal(r.hops[i].trusted, i <= 1);
		assert_int_equal(r.hops[i].unverified, i > 1);
	}
	td_received_release(&r);
}

static void
received_unparsed_hop_stops(void **state)
{
	static const char *const top_garbage[] = {
	    "some garbage written by a filter",
	    "from a (b [8.8.8.8]) by c; 1 Jan 2024 00:00:00 +0000", NULL};
	/* phishing_pot/email/sample-4905.eml: a Gmail API client, no
	   address recorded */
	static const char *const no_ip[] = {
	    "from 658559975690 named unknown by gmailapi.google.com with "
	    "HTTPREST; Sat, 22 Feb 2025 18:33:54 -0800",
	    "from a (b [8.8.8.8]) by c; 1 Jan 2024 00:00:00 +0000", NULL};
	static const char *const internal[] = {
	    "from localhost (localhost [127.0.0.1]) by mx.example.org; 1 "
	    "Jan 2024 00:00:00 +0000",
	    NULL};
	struct td_received r;

	chain(&r, top_garbage);
	td_received_decide(&r, NULL);
	assert_false(r.hops[0].parsed);
	assert_int_equal(r.report_hop, -1);
	assert_true(r.hops[0].trusted);
	assert_true(r.hops[1].unverified);
	td_received_release(&r);

	chain(&r, no_ip);
	td_received_decide(&r, NULL);
	assert_int_equal(r.report_hop, -1);
	assert_true(r.hops[1].unverified);
	td_received_release(&r);

	/* all internal: nothing to report, nothing unverified */
	chain(&r, internal);
	td_received_decide(&r, NULL);
	assert_int_equal(r.report_hop, -1);
	assert_false(r.hops[0].unverified);
	td_received_release(&r);

	/* empty chain */
	memset(&r, 0, sizeof(r));
	td_received_decide(&r, NULL);
	assert_int_equal(r.report_hop, -1);
	td_received_release(&r);
}

static time_t
date_of(const char *date)
{
	struct td_hop h;
	char buf[256];
	time_t t;

	snprintf(buf, sizeof(buf), "from a by b; %s", date);
	parse(&h, buf);
	t = h.when;
	td_hop_release(&h);
	return t;
}

static void
received_date_obsolete_zone(void **state)
{
	/* 2017-03-08 16:46:21 UTC in every spelling */
	const time_t t = 1488991581;

	/* spam-spamscope/mail_test_10.eml */
	assert_int_equal(date_of("Wed, 8 Mar 2017 16:46:21 GMT"), t);
	assert_int_equal(date_of("Wed, 8 Mar 2017 11:46:21 EST"), t);
	assert_int_equal(date_of("Wed, 8 Mar 2017 08:46:21 PST"), t);
	assert_int_equal(date_of("Wed, 8 Mar 2017 09:46:21 PDT"), t);
	assert_int_equal(date_of("Wed, 8 Mar 2017 10:46:21 CST"), t);
	assert_int_equal(date_of("Wed, 8 Mar 2017 12:46:21 EDT"), t);
	assert_int_equal(date_of("Wed, 8 Mar 2017 16:46:21 UT"), t);
	assert_int_equal(date_of("Wed, 8 Mar 2017 16:46:21 Z"), t);
	/* RFC 5322 4.3: unknown names and military letters mean -0000 */
	assert_int_equal(date_of("Wed, 8 Mar 2017 16:46:21 A"), t);
	assert_int_equal(date_of("Wed, 8 Mar 2017 16:46:21 CEST"), t);
	/* no day name, two-digit year, no seconds, comments, no zone */
	assert_int_equal(date_of("8 Mar 17 16:46:21 -0000"), t);
	assert_int_equal(date_of("8 Mar 2017 17:46:21 +0100 (CET)"), t);
	assert_int_equal(date_of("(x) Wed , 08 Mar 2017 16:46:21"), t);
	assert_int_equal(date_of("08-Mar-2017 16:46:21 +0000"), t);
	assert_int_equal(date_of("Wed, 8 Mar 2017 22:16:21 +05:30"), t);
	assert_int_equal(date_of("Wed, 8 Mar 2017 16:46 +0000"), t - 21);
	/* 99 is 1999, 49 is 2049 */
	assert_int_equal(date_of("1 Jan 99 00:00:00 +0000"), 915148800);
	assert_int_equal(date_of("1 Jan 49 00:00:00 +0000"), 2493072000);
	/* spam-spamscope/mail_test_10.eml: a comment before the date */
	assert_int_equal(date_of("(version=TLSv1/SSLv3 cipher=AES128-GCM-"
				 "SHA256 bits=128/128) Wed, 8 Mar 2017 "
				 "11:46:21 -0500"),
			 t);
	/* leap day and bad dates */
	assert_int_equal(date_of("29 Feb 2024 00:00:00 +0000"), 1709164800);
	assert_int_equal(date_of("29 Feb 2023 00:00:00 +0000"), (time_t)-1);
	assert_int_equal(date_of("31 Apr 2023 00:00:00 +0000"), (time_t)-1);
	assert_int_equal(date_of("1 Foo 2023 00:00:00 +0000"), (time_t)-1);
	assert_int_equal(date_of("1 Jan 2023 24:00:00 +0000"), (time_t)-1);
	assert_int_equal(date_of("1 Jan 2023 12:00:00 +0060"), (time_t)-1);
	assert_int_equal(date_of(""), (time_t)-1);
	assert_int_equal(date_of("yesterday"), (time_t)-1);
}

static void
received_date_without_semicolon(void **state)
{
	struct td_hop h;

	/* phishing_pot/email/sample-4228.eml: SendGrid's Go timestamp */
	parse(&h, "by recvd-64cdd5f8fb-vhmn4 with SMTP id "
		  "recvd-64cdd5f8fb-vhmn4-1-672FB391-4A 2024-11-09 "
		  "19:10:09.850109888 +0000 UTC m=+5015564.585018093");
	assert_string_equal(h.id, "recvd-64cdd5f8fb-vhmn4-1-672FB391-4A");
	assert_int_equal(h.when, 1731179409);
	td_hop_release(&h);

	/* phishing_pot SendGrid HTTP hop: RFC 5322 date after the id */
	parse(&h, "from MTg3MjAwMA (unknown) by geopod-ismtpd-27 (SG) with "
		  "HTTP id MD-hSRfaRLmA-GJt-oejaQ Sat, 19 Jul 2025 "
		  "10:31:12.531 +0000 (UTC)");
	assert_string_equal(h.id, "MD-hSRfaRLmA-GJt-oejaQ");
	assert_int_equal(h.when, 1752921072);
	td_hop_release(&h);

	/* Exchange "with mapi id <date>": the date is not an id */
	parse(&h, "from DM6PR07MB4411.namprd07.prod.outlook.com "
		  "([fe80::dc72:888d:2d62:8e7d]) by "
		  "DM6PR07MB4411.namprd07.prod.outlook.com "
		  "([fe80::dc72:888d:2d62:8e7d%7]) with mapi id Sun, 06 Jul "
		  "2025 15:27:53 +0100");
	assert_null(h.id);
	assert_int_equal(h.when, 1751812073);
	td_hop_release(&h);
}

static void
received_garbage_does_not_crash(void **state)
{
	static const char *const bad[] = {
	    "",
	    ";",
	    "from",
	    "from by with id for via",
	    "from (((((",
	    "from ))))) by ((",
	    "from [ ] ([ ]) by [",
	    "from [1.2.3.4 by x",
	    "from x ([999.1.1.1]) by y",
	    "from x (\\) by y; \\",
	    "from <unknown> (<unknown> []) by 804721e973ed with HTTP id "
	    "65e19deff2b3ad1f0f799a61; Fri, 01 Mar 2024 09:20:47",
	    "from x (HELO) (helo=) (port=) by ; ;;;",
	    "from x ([IPv6:]) ([IPv6:zz::1]) ([fe80::1%]) by y",
	    "from 139.88.66.159 by ; Mon, 20 Mar 2017 03:11:54 +0400",
	    NULL};
	struct td_received r;
	struct td_hop h;
	size_t i, n = 20u << 20;
	char *big;

	for (i = 0; bad[i]; i++) {
		parse(&h, bad[i]);
		td_hop_release(&h);
	}
	parse(&h, "from x ([999.1.1.1]) by y");
	assert_null(h.from_ip);
	td_hop_release(&h);
	/* spam-spamscope/mail_malformed_3.eml */
	parse(&h, "from 139.88.66.159 by ; Mon, 20 Mar 2017 03:11:54 +0400");
	assert_string_equal(h.from_ip, "139.88.66.159");
	assert_null(h.by);
	td_hop_release(&h);

	/* NULs and bytes >= 0x80 inside */
	{
		static const char nul[] =
		    "from a\0b (c [8.8.\0008.8]) by \xff\xfe"
		    "; 1 Jan 2024 00:00:00 +0000";

		assert_int_equal(td_hop_parse(&h, nul, sizeof(nul) - 1), 0);
		assert_true(h.parsed);
		assert_int_equal(strlen(h.raw), sizeof(nul) - 1);
		td_hop_release(&h);
	}

	/* 20 MB lines: deep nesting, one long comment, one long atom */
	big = malloc(n + 1);
	assert_non_null(big);
	memset(big, '(', n);
	memcpy(big, "from ", 5);
	assert_int_equal(td_hop_parse(&h, big, n), 0);
	td_hop_release(&h);
	memset(big, ')', n);
	memcpy(big, "from x (", 8);
	assert_int_equal(td_hop_parse(&h, big, n), 0);
	td_hop_release(&h);
	memset(big, ';', n);
	assert_int_equal(td_hop_parse(&h, big, n), 0);
	td_hop_release(&h);
	memset(big, 'a', n);
	memcpy(big, "from [", 6);
	big[n / 2] = ';';
	assert_int_equal(td_hop_parse(&h, big, n), 0);
	assert_true(h.parsed);
	td_hop_release(&h);
	for (i = 0; i + 8 <= n; i += 8)
		memcpy(big + i, "(HELO [ ", 8);
	assert_int_equal(td_hop_parse(&h, big, n), 0);
	td_hop_release(&h);

	/* a chain of garbage decides without crashing */
	memset(&r, 0, sizeof(r));
	for (i = 0; bad[i]; i++)
		assert_int_equal(td_received_add(&r, bad[i], strlen(bad[i])),
				 0);
	td_received_decide(&r, NULL);
	assert_int_equal(r.report_hop, -1);
	td_received_release(&r);

	memset(big, 'x', n);
	assert_int_equal(td_auth_summary(&(struct td_buf)TD_BUF_INIT, big, n),
			 0);
	free(big);
}

static void
trust_add_parses_names_and_cidrs(void **state)
{
	struct td_trust t;
	struct td_error err;
	struct td_received r;
	static const char *const one[] = {
	    "from a (b.mx.Example.COM. [203.0.114.5]) by c; 1 Jan 2024 "
	    "00:00:00 +0000",
	    "from d (e [198.51.99.1]) by f; 1 Jan 2024 00:00:00 +0000",
	    "from g (h [2001:db9::1]) by i; 1 Jan 2024 00:00:00 +0000",
	    "from j (k [8.8.8.8]) by l; 1 Jan 2024 00:00:00 +0000", NULL};

	memset(&t, 0, sizeof(t));
	assert_int_equal(td_trust_add(&t, " .Example.com ", &err), 0);
	assert_int_equal(td_trust_add(&t, "*.example.net", &err), 0);
	assert_int_equal(td_trust_add(&t, "mx.example.org.", &err), 0);
	assert_int_equal(td_trust_add(&t, "198.51.99.77/24", &err), 0);
	assert_int_equal(td_trust_add(&t, "2001:db9::/32", &err), 0);
	assert_int_equal(td_trust_add(&t, "192.0.2.1", &err), 0);
	assert_int_equal(td_trust_add(&t, "::ffff:10.0.0.0/104", &err), 0);
	assert_int_equal(t.nr_names, 3);
	assert_string_equal(t.names[0], ".example.com");
	assert_string_equal(t.names[1], ".example.net");
	assert_string_equal(t.names[2], "mx.example.org");
	assert_int_equal(t.nr_nets, 4);
	assert_int_equal(t.nets[0].prefix, 24);
	assert_int_equal(t.nets[0].addr[3], 0); /* host bits cleared */
	assert_int_equal(t.nets[3].prefix, 8);	/* mapped: IPv4 /8 */

	assert_int_equal(td_trust_add(&t, "", &err), TD_EPARSE);
	assert_int_equal(td_trust_add(&t, "10.0.0.0/33", &err), TD_EPARSE);
	assert_non_null(strstr(err.msg, "10.0.0.0/33"));
	assert_int_equal(td_trust_add(&t, "10.0.0.0/", &err), TD_EPARSE);
	assert_int_equal(td_trust_add(&t, "::/129", &err), TD_EPARSE);
	assert_int_equal(td_trust_add(&t, "a..b", &err), TD_EPARSE);
	assert_int_equal(td_trust_add(&t, "bad name", &err), TD_EPARSE);
	assert_int_equal(td_trust_add(&t, "host/24", &err), TD_EPARSE);
	assert_int_equal(td_trust_add(&t, ".", NULL), TD_EPARSE);
	assert_int_equal(t.nr_names + t.nr_nets, 7);

	/* rDNS below .example.com, a /24, a /32 v6 net: three trusted
	   hops; ".example.com" itself is not below itself */
	chain(&r, one);
	td_received_decide(&r, &t);
	assert_int_equal(r.report_hop, 3);
	td_received_release(&r);
	td_trust_release(&t);
	assert_int_equal(t.nr_names + t.nr_nets, 0);
}

static void
auth(const char *value, const char *want)
{
	struct td_buf b = TD_BUF_INIT;

	assert_int_equal(td_auth_summary(&b, value, strlen(value)), 0);
	assert_string_equal(b.ptr, want);
	td_buf_release(&b);
}

static void
auth_summary_o365(void **state)
{
	/* phishing_pot/email/sample-106.eml (no authserv-id) */
	auth("spf=none (sender IP is 89.144.11.72) smtp.mailfrom=tndhp.com; "
	     "dkim=none (message not signed) header.d=none;dmarc=none "
	     "action=none header.from=electroplan.com;compauth=fail "
	     "reason=001",
	     "spf=none dkim=none dmarc=none compauth=fail");
	/* phishing_pot/email/sample-3595.eml: empty "header.from=;" */
	auth("spf=none (sender IP is 210.79.190.204) "
	     "smtp.helo=ip210-79-190-204.cloudhost.web.id; dkim=none (message "
	     "not signed) header.d=none;dmarc=none action=none header.from=;",
	     "spf=none dkim=none dmarc=none");
}

static void
auth_summary_gmail_and_others(void **state)
{
	struct td_buf b = TD_BUF_INIT;

	/* phishing_pot/email/sample-2284.eml */
	auth("mx.google.com; dkim=pass header.i=@live.com "
	     "header.s=selector1 header.b=SEajNwTX; arc=pass (i=1); "
	     "spf=pass (google.com: domain of phishing@pot designates "
	     "2a01:111:f400:fe5a::823 as permitted sender) "
	     "smtp.mailfrom=rodrigo.gama94@live.com; dmarc=pass (p=NONE "
	     "sp=QUARANTINE dis=NONE) header.from=live.com",
	     "dkim=pass arc=pass spf=pass dmarc=pass");
	/* phishing_pot/email/sample-1175.eml: Proton writes one field per
	   method; the summaries are appended */
	{
		static const char *const v[] = {
		    "mailin045.protonmail.ch; spf=pass "
		    "smtp.mailfrom=gmail.com",
		    "mailin045.protonmail.ch; dkim=pass (2048-bit key) "
		    "header.d=gmail.com header.i=@gmail.com "
		    "header.b=\"NMJaGa8B\""};

		assert_int_equal(td_auth_summary(&b, v[0], strlen(v[0])), 0);
		assert_int_equal(td_auth_summary(&b, v[1], strlen(v[1])), 0);
		assert_string_equal(b.ptr, "spf=pass dkim=pass");
	}
	td_buf_release(&b);
	/* spam-spamscope/mail_test_17.eml: mixed case result */
	auth("mailb.triara.com; spf=None "
	     "smtp.mailfrom=www-data@vps-051e4cda.vps.ovh.net",
	     "spf=none");
	/* RFC 8601 2.2: no-result, versions, CFWS, quoted ';' */
	auth("example.org 1; none", "");
	auth("example.org; dkim/1 = pass (ok; really) header.b=\"a;b\"; "
	     "auth=pass (cram-md5) smtp.auth=sender@example.net",
	     "dkim=pass auth=pass");
	auth("", "");
	auth(";;; =;x=;=y", "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(received_gmail_hop_parsed),
	    cmocka_unit_test(received_rdns_trailing_dots_dropped),
	    cmocka_unit_test(received_exchange_ipv6_hop_parsed),
	    cmocka_unit_test(received_exim_helo_form),
	    cmocka_unit_test(received_sendmail_forms),
	    cmocka_unit_test(received_private_hops_are_internal),
	    cmocka_unit_test(received_trust_list_moves_boundary),
	    cmocka_unit_test(received_helo_never_trusted),
	    cmocka_unit_test(received_helo_injection_cannot_frame),
	    cmocka_unit_test(received_below_boundary_unverified),
	    cmocka_unit_test(received_unparsed_hop_stops),
	    cmocka_unit_test(received_date_obsolete_zone),
	    cmocka_unit_test(received_date_without_semicolon),
	    cmocka_unit_test(received_garbage_does_not_crash),
	    cmocka_unit_test(trust_add_parses_names_and_cidrs),
	    cmocka_unit_test(auth_summary_o365),
	    cmocka_unit_test(auth_summary_gmail_and_others),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
