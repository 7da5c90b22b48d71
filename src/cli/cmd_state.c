/*
 * takedown close and takedown state: move a case through the state
 * machine (docs/cases.md), with the change recorded in its history.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "caseview.h"
#include "cli.h"
#include "clock.h"
#include "jsonw.h"
#include "store.h"
#include "term.h"
#include "banned.h"

static int opt_json;
static const char *opt_store, *opt_reason, *opt_mitigation;

static const struct td_opt close_options[] = {
    {"reason", 'r', TD_OPT_STRING, &opt_reason, "TEXT",
     "why the case is closed (required)"},
    {"json", 'j', TD_OPT_FLAG, &opt_json, NULL,
     "write JSON (schema takedown-state/1)"},
    {"store", 0, TD_OPT_STRING, &opt_store, "FILE",
     "the case store (default: cases.sqlite in the data folder)"},
    {NULL, 0, 0, NULL, NULL, NULL},
};

static const struct td_opt state_options[] = {
    {"mitigation", 'm', TD_OPT_STRING, &opt_mitigation, "KIND",
     "how it went away (with mitigated): cleaned, suspended, dns-removed, "
     "cdn-blocked, content-removed, other"},
    {"reason", 'r', TD_OPT_STRING, &opt_reason, "TEXT",
     "why (required to close; recorded with the change)"},
    {"json", 'j', TD_OPT_FLAG, &opt_json, NULL,
     "write JSON (schema takedown-state/1)"},
    {"store", 0, TD_OPT_STRING, &opt_store, "FILE",
     "the case store (default: cases.sqlite in the data folder)"},
    {NULL, 0, 0, NULL, NULL, NULL},
};

/* Append the names of the states the machine allows after from. */
static void
next_names(struct td_buf *o, enum td_case_state from)
{
	int to, n = 0;

	for (to = 0; to < TD_STATE_NR; to++)
		if (td_store_transition_allowed(from, to))
			td_buf_printf(o, "%s%s", n++ ? ", " : "",
				      td_store_state_name(to));
	if (!n)
		td_buf_adds(o, "none");
}

static void
all_names(struct td_buf *o, const char *(*name)(int), int from, int nr)
{
	int i;

	for (i = from; i < nr; i++)
		td_buf_printf(o, "%s%s", i > from ? ", " : "", name(i));
}

static const char *
state_name(int v)
{
	return td_store_state_name(v);
}

static const char *
mitigation_name(int v)
{
	return td_store_mitigation_name(v);
}

/*
 * Apply the change to case tag and report it.  Returns an exit code.
 */
static int
change(const char *cmd, const char *tag, enum td_case_state to,
       enum td_mitigation how)
{
	struct td_store *s = NULL;
	struct td_store_case c;
	struct td_error err = {0, ""};
	struct td_buf o = TD_BUF_INIT;
	enum td_case_state from;
	int rc, status = EXIT_FAIL;

	memset(&c, 0, sizeof(c));
	rc = td_caseview_open(&s, opt_store, 0, &err);
	if (rc == 0)
		rc = td_store_case_get_tag(&c, s, tag, &err);
	if (rc == TD_ENOTFOUND) {
		td_term_escape(&o, tag, strnlen(tag, 64), 0);
		td_die_msg(cmd, "%s: no such case", o.ptr);
		goto out;
	}
	if (rc < 0) {
		td_die_msg(cmd, "%s", err.msg);
		goto out;
	}
	from = c.state;
	if (from != to && !td_store_transition_allowed(from, to)) {
		next_names(&o, from);
		td_die_msg(cmd,
			   "%s: a %s case cannot become %s; from %s it may go "
			   "to: %s",
			   c.tag, td_store_state_name(from),
			   td_store_state_name(to), td_store_state_name(from),
			   o.ptr);
		goto out;
	}
	td_store_set_source(s, "user");
	rc = td_store_set_state(s, c.id, to, how, opt_reason, td_now(), &err);
	if (rc < 0) {
		td_die_msg(cmd, "%s", err.msg);
		goto out;
	}
	if (opt_json) {
		struct td_jw w;

		td_jw_init(&w, &o);
		td_jw_obj(&w);
		td_jw_kstr(&w, "schema", "takedown-state/1");
		td_jw_kstr(&w, "tag", c.tag);
		td_jw_kstr(&w, "from", td_store_state_name(from));
		td_jw_kstr(&w, "to", td_store_state_name(to));
		td_jw_kstr(&w, "mitigation",
			   how != TD_MIT_NONE ? td_store_mitigation_name(how)
					      : NULL);
		td_jw_kbool(&w, "changed", rc == 0);
		td_jw_kstr(&w, "reason", opt_reason);
		td_jw_obj_end(&w);
		td_buf_addch(&o, '\n');
	} else if (rc == 1) {
		td_buf_printf(&o, "%s is %s already: nothing changed\n", c.tag,
			      td_store_state_name(to));
	} else {
		td_buf_printf(&o, "%s: %s -> %s", c.tag,
			      td_store_state_name(from),
			      td_store_state_name(to));
		if (how != TD_MIT_NONE)
			td_buf_printf(&o, " (%s)",
				      td_store_mitigation_name(how));
		td_buf_addch(&o, '\n');
	}
	if (td_buf_failed(&o)) {
		td_die_msg(cmd, "out of memory");
		goto out;
	}
	fwrite(o.ptr, 1, o.len, stdout);
	status = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
out:
	td_buf_release(&o);
	td_store_case_release(&c);
	td_store_close(s);
	return status;
}

static int
reason_ok(const char *cmd)
{
	if (!opt_reason || !*opt_reason) {
		td_die_msg(cmd, "closing needs --reason TEXT (why: taken down, "
				"duplicate, false positive...)");
		return 0;
	}
	if (strlen(opt_reason) > TD_STORE_MAX_LONG) {
		td_die_msg(cmd, "--reason: longer than %d bytes",
			   TD_STORE_MAX_LONG);
		return 0;
	}
	return 1;
}

static int
run_close(int argc, char **argv)
{
	if (argc != 1) {
		td_die_msg("close", "give one case tag and --reason TEXT");
		return EXIT_USAGE;
	}
	if (!reason_ok("close"))
		return EXIT_USAGE;
	return change("close", argv[0], TD_STATE_CLOSED, TD_MIT_NONE);
}

static int
run_state(int argc, char **argv)
{
	struct td_buf o = TD_BUF_INIT;
	int to, how = TD_MIT_NONE;

	if (argc != 2) {
		td_die_msg("state", "give a case tag and the new state (see "
				    "takedown help state)");
		return EXIT_USAGE;
	}
	to = td_store_state_parse(argv[1]);
	if (to < 0) {
		all_names(&o, state_name, 0, TD_STATE_NR);
		td_die_msg("state", "no such state (%s)", o.ptr);
		td_buf_release(&o);
		return EXIT_USAGE;
	}
	if (opt_mitigation) {
		how = td_store_mitigation_parse(opt_mitigation);
		if (how <= TD_MIT_NONE) {
			all_names(&o, mitigation_name, 1, TD_MIT_NR);
			td_die_msg("state", "--mitigation: no such kind (%s)",
				   o.ptr);
			td_buf_release(&o);
			return EXIT_USAGE;
		}
		if (to != TD_STATE_MITIGATED) {
			td_die_msg("state", "--mitigation goes with the state "
					    "mitigated only");
			return EXIT_USAGE;
		}
	} else if (to == TD_STATE_MITIGATED) {
		all_names(&o, mitigation_name, 1, TD_MIT_NR);
		td_die_msg("state", "mitigated needs --mitigation KIND (%s)",
			   o.ptr);
		td_buf_release(&o);
		return EXIT_USAGE;
	}
	if (to == TD_STATE_CLOSED && !reason_ok("state"))
		return EXIT_USAGE;
	if (opt_reason && strlen(opt_reason) > TD_STORE_MAX_LONG) {
		td_die_msg("state", "--reason: longer than %d bytes",
			   TD_STORE_MAX_LONG);
		return EXIT_USAGE;
	}
	return change("state", argv[0], to, how);
}

const struct td_cmd cmd_close_def = {
    "close",
    "CASE --reason TEXT",
    "close a case, saying why",
    "Closes case CASE with the reason given (required): taken down,\n"
    "duplicate, false positive...  Any case can be closed; a mitigated\n"
    "case keeps its mitigation, so it still counts as a takedown.  The\n"
    "change is recorded in the case's history.  `takedown state CASE open`\n"
    "reopens it.\n",
    close_options,
    run_close,
};

const struct td_cmd cmd_state_def = {
    "state",
    "CASE STATE",
    "move a case to another state",
    "Moves case CASE to STATE: open, reported, acknowledged,\n"
    "auto-acknowledged, needs-info, mitigated (with --mitigation KIND)\n"
    "or closed (with --reason), as the state machine in docs/cases.md\n"
    "allows; a refused change names the states the case may go to and\n"
    "exits 1.  The change, with --reason, is recorded in the case's\n"
    "history.\n",
    state_options,
    run_state,
};
