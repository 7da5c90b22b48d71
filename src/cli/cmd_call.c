/*
 * takedown call and takedown note: what to say on the phone, and the
 * case's log of what was said and done outside mail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cli.h"
#include "clock.h"
#include "paths.h"
#include "profile.h"
#include "store.h"
#include "term.h"
#include "banned.h"

static const char *opt_store, *opt_profile, *opt_log;

static const struct td_opt call_options[] = {
    {"log", 'l', TD_OPT_STRING, &opt_log, "TEXT",
     "record what was said (who you spoke to, what they will do)"},
    {"store", 0, TD_OPT_STRING, &opt_store, "FILE", "the case store"},
    {"profile", 0, TD_OPT_STRING, &opt_profile, "FILE",
     "the reporter profile"},
    {NULL, 0, 0, NULL, NULL, NULL},
};

static const struct td_opt note_options[] = {
    {"store", 0, TD_OPT_STRING, &opt_store, "FILE", "the case store"},
    {NULL, 0, 0, NULL, NULL, NULL},
};

static int
open_case(const char *cmd, const char *tag, struct td_store **s,
	  struct td_store_case *c)
{
	struct td_error err = {0, ""};
	struct td_buf o = TD_BUF_INIT;
	char *path = opt_store ? strdup(opt_store) : td_path_data("cases.sqlite");

	if (!path || td_store_open(s, path, &err) < 0) {
		td_die_msg(cmd, "%s", path ? err.msg : "no data folder");
		free(path);
		return -1;
	}
	free(path);
	if (td_store_case_get_tag(c, *s, tag, &err) < 0) {
		td_term_escape(&o, tag, strlen(tag), 0);
		td_die_msg(cmd, "%s: no such case", o.ptr);
		td_buf_release(&o);
		td_store_close(*s);
		*s = NULL;
		return -1;
	}
	return 0;
}

static void
line(struct td_buf *o, const char *label, const char *s)
{
	td_buf_printf(o, "  %s", label);
	td_term_escape(o, s ? s : "-", strlen(s ? s : "-"), 0);
	td_buf_addch(o, '\n');
}

static int
run_call(int argc, char **argv)
{
	struct td_store *s = NULL;
	struct td_store_case c;
	struct td_store_party *pv = NULL;
	struct td_store_url *uv = NULL;
	struct td_store_message *mv = NULL;
	struct td_profile prof;
	struct td_error err = {0, ""};
	struct td_buf o = TD_BUF_INIT;
	char *path;
	size_t np = 0, nu = 0, nm = 0, i;
	const struct td_store_party *p = NULL;
	int role, rc = EXIT_FAIL, malicious;

	td_profile_init(&prof);
	memset(&c, 0, sizeof(c));
	if (argc != 2) {
		td_die_msg("call", "give a case tag and a role (see takedown "
				   "help call)");
		return EXIT_USAGE;
	}
	role = td_store_role_parse(argv[1]);
	if (role < 0) {
		td_die_msg("call", "unknown role (registrar, host, cdn, "
				   "platform, registrant, ...)");
		return EXIT_USAGE;
	}
	if (open_case("call", argv[0], &s, &c) < 0)
		return EXIT_FAIL;
	path = opt_profile ? strdup(opt_profile) : td_path_config("profile");
	if (!path || td_profile_load(&prof, path, &err) < 0 ||
	    td_profile_check(&prof, &err) < 0) {
		td_die_msg("call", "%s (run takedown init)",
			   path ? err.msg : "no config folder");
		free(path);
		goto out;
	}
	free(path);
	if (td_store_party_list(&pv, &np, s, c.id, &err) < 0 ||
	    td_store_url_list(&uv, &nu, s, c.id, &err) < 0 ||
	    td_store_message_list(&mv, &nm, s, c.id, &err) < 0) {
		td_die_msg("call", "%s", err.msg);
		goto out;
	}
	for (i = 0; i < np; i++)
		if ((int)pv[i].role == role) {
			p = &pv[i];
			break;
		}
	if (!p) {
		td_die_msg("call", "%s has no %s party", c.tag, argv[1]);
		goto out;
	}
	malicious = c.kind != TD_KIND_COMPROMISED;
	if (opt_log) {
		struct td_store_event ev;
		struct td_buf d = TD_BUF_INIT;

		td_buf_printf(&d, "%s %s (%s): %s", argv[1], p->name,
			      p->phone ? p->phone : "no number", opt_log);
		memset(&ev, 0, sizeof(ev));
		ev.case_id = c.id;
		ev.at = td_now();
		ev.kind = TD_EV_CALL;
		ev.detail = d.ptr;
		if (td_buf_failed(&d) ||
		    td_store_event_add(NULL, s, &ev, &err) < 0) {
			td_die_msg("call", "%s", err.msg);
			td_buf_release(&d);
			goto out;
		}
		td_buf_release(&d);
		printf("call logged on %s\n", c.tag);
		rc = EXIT_OK;
		goto out;
	}
	td_buf_printf(&o, "Phone script for %s, %s\n", c.tag, argv[1]);
	line(&o, "call       ", p->name);
	line(&o, "number     ", p->phone);
	if (p->phone == NULL)
		td_buf_adds(&o, "  (no number in the records: use the abuse "
				"address or form)\n");
	td_buf_adds(&o, "\nSay who you are:\n");
	if (malicious) {
		td_buf_adds(&o, "  \"I am calling from ");
		td_term_escape(&o, prof.public_name && *prof.public_name
				       ? prof.public_name
				       : prof.org,
			       strlen(prof.public_name && *prof.public_name
					  ? prof.public_name
					  : prof.org),
			       0);
		td_buf_adds(&o, ".\"  (a malicious site: give your team, not "
				"your own name)\n");
	} else {
		td_buf_adds(&o, "  \"My name is ");
		td_term_escape(&o, prof.name, strlen(prof.name), 0);
		td_buf_adds(&o, ", from ");
		td_term_escape(&o, prof.org, strlen(prof.org), 0);
		td_buf_adds(&o, ".\"\n");
	}
	td_buf_adds(&o, "Say what, exactly where:\n  \"A phishing page is on ");
	td_buf_adds(&o, !strcmp(argv[1], "registrar") ? "a domain you registered"
			: !strcmp(argv[1], "registrant") ? "your web site"
							 : "your service");
	td_buf_adds(&o, ", at:\"\n");
	for (i = 0; i < nu && i < 5; i++)
		line(&o, "    ", uv[i].url);
	td_buf_adds(&o, "Say how it was found:\n  \"It was sent in a phishing "
			"e-mail; we fetched the page and kept what it served, "
			"with times and hashes.\"\n");
	for (i = 0; i < nm; i++)
		if ((int)mv[i].role == role) {
			td_buf_printf(&o, "Say that the evidence is in writing:\n"
					  "  \"We sent it by e-mail to %s",
				      mv[i].recipient);
			if (mv[i].sent)
				td_buf_adds(&o, "; its subject starts with ");
			else
				td_buf_adds(&o, " (not sent yet); the subject "
						"will start with ");
			td_buf_printf(&o, "[%s].\"\n", c.tag);
			break;
		}
	if (!malicious)
		td_buf_adds(&o, "Advise:\n  \"The site was probably broken "
				"into: look for files uploaded beside the page, "
				"web shells, a changed .htaccess, outdated "
				"plugins; change passwords; keep the logs.\"\n");
	td_buf_adds(&o, "Advise law enforcement:\n  \"Please also report it "
			"to the police cybercrime unit; they will want the "
			"server logs with time zones, the phishing files and "
			"the e-mail with its headers.\"\n");
	td_buf_adds(&o, "Do not ask for anything in return, do not offer to "
			"clean up or to be given access.\n");
	td_buf_printf(&o, "\nAfterwards: takedown call %s %s --log \"who you "
			  "spoke to, what they said\"\n",
		      c.tag, argv[1]);
	fwrite(o.ptr, 1, o.len, stdout);
	rc = EXIT_OK;
out:
	td_buf_release(&o);
	td_store_party_list_free(pv, np);
	td_store_url_list_free(uv, nu);
	td_store_message_list_free(mv, nm);
	td_store_case_release(&c);
	td_store_close(s);
	td_profile_release(&prof);
	return rc;
}

static int
run_note(int argc, char **argv)
{
	struct td_store *s = NULL;
	struct td_store_case c;
	struct td_store_event ev;
	struct td_error err = {0, ""};
	int rc = EXIT_OK;

	memset(&c, 0, sizeof(c));
	if (argc != 2) {
		td_die_msg("note", "give a case tag and the note in quotes");
		return EXIT_USAGE;
	}
	if (open_case("note", argv[0], &s, &c) < 0)
		return EXIT_FAIL;
	memset(&ev, 0, sizeof(ev));
	ev.case_id = c.id;
	ev.at = td_now();
	ev.kind = TD_EV_NOTE;
	ev.detail = argv[1];
	if (td_store_event_add(NULL, s, &ev, &err) < 0) {
		td_die_msg("note", "%s", err.msg);
		rc = EXIT_FAIL;
	} else {
		printf("noted on %s\n", c.tag);
	}
	td_store_case_release(&c);
	td_store_close(s);
	return rc;
}

const struct td_cmd cmd_call_def = {
    "call",
    "CASE ROLE",
    "a phone script for a party of a case, and a log of the call",
    "Prints what to say when calling a party of a case (registrar, host,\n"
    "cdn, platform, registrant): who you are (your team only, for a\n"
    "malicious site), the exact URLs, how they were found, that the\n"
    "evidence is in the report e-mail, advice for the owner of a\n"
    "compromised site, and to contact law enforcement.  The number comes\n"
    "from the party's records.  With --log, records what was said in the\n"
    "case's history instead.\n",
    call_options,
    run_call,
};

const struct td_cmd cmd_note_def = {
    "note",
    "CASE TEXT",
    "add a note to a case's history",
    "Appends TEXT, with the time, to the case's history (which can never\n"
    "be changed or shortened).\n",
    note_options,
    run_note,
};
