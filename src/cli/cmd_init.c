/*
 * takedown init: write the reporter profile, from flags or by asking.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "jsonw.h"
#include "paths.h"
#include "profile.h"
#include "term.h"
#include "banned.h"

static const char *opt_val[16];
static int opt_force, opt_json, opt_no_prompt;
static const char *opt_file;

/* Flags in td_profile_keys order (organisation is --org). */
static const struct td_opt options[] = {
    {"name", 0, TD_OPT_STRING, &opt_val[0], "NAME", "your name"},
    {"org", 0, TD_OPT_STRING, &opt_val[1], "ORG",
     "your organisation, or \"individual\""},
    {"email", 0, TD_OPT_STRING, &opt_val[2], "ADDRESS",
     "your e-mail address (reports are sent from it)"},
    {"phone", 0, TD_OPT_STRING, &opt_val[3], "PHONE", "your phone number"},
    {"role", 0, TD_OPT_STRING, &opt_val[4], "TEXT",
     "what you do, e.g. \"security researcher\""},
    {"signature", 0, TD_OPT_STRING, &opt_val[5], "TEXT",
     "a signature line"},
    {"pgp-key", 0, TD_OPT_STRING, &opt_val[6], "FPR|URL",
     "your OpenPGP key, named in reports"},
    {"le-liaison", 0, TD_OPT_STRING, &opt_val[7], "TEXT",
     "a law-enforcement contact you work with"},
    {"public-name", 0, TD_OPT_STRING, &opt_val[8], "NAME",
     "the name shown where a report may reach a criminal (e.g. your "
     "team)"},
    {"public-email", 0, TD_OPT_STRING, &opt_val[9], "ADDRESS",
     "the address used there (default: --email)"},
    {"smtp-url", 0, TD_OPT_STRING, &opt_val[10], "URL",
     "smtp://HOST:587 (STARTTLS) or smtps://HOST:465"},
    {"smtp-user", 0, TD_OPT_STRING, &opt_val[11], "USER", "SMTP login"},
    {"smtp-password-file", 0, TD_OPT_STRING, &opt_val[12], "FILE",
     "a file holding only the SMTP password"},
    {"sendmail", 0, TD_OPT_STRING, &opt_val[13], "PROGRAM",
     "hand mail to a local program (sendmail -t) instead of SMTP"},
    {"takedown-orgs", 0, TD_OPT_STRING, &opt_val[14], "LIST",
     "takedown organisations told of malicious cases: "
     "\"Name <address>; ...\""},
    {"arf-recipients", 0, TD_OPT_STRING, &opt_val[15], "LIST",
     "addresses or @domains that get ARF (RFC 5965) reports: \"a@x, @y\""},
    {"file", 'f', TD_OPT_STRING, &opt_file, "FILE",
     "the profile file (default: profile in the config folder)"},
    {"force", 0, TD_OPT_FLAG, &opt_force, NULL,
     "replace an existing profile (its other values are kept)"},
    {"no-prompt", 0, TD_OPT_FLAG, &opt_no_prompt, NULL,
     "never ask, even on a terminal"},
    {"json", 'j', TD_OPT_FLAG, &opt_json, NULL,
     "print the profile written as JSON"},
    {NULL, 0, 0, NULL, NULL, NULL},
};

/* What to ask on a terminal, for the fields still empty. */
static const struct {
	size_t field;
	const char *question;
} asks[] = {
    {0, "Your name"},
    {1, "Organisation (or \"individual\")"},
    {2, "E-mail address reports are sent from"},
    {3, "Phone (optional)"},
    {8, "Name to show where a report may reach a criminal (e.g. your "
	"team; optional)"},
};

static int
ask(const char *question, char **field)
{
	char line[1100];
	size_t n;

	fprintf(stderr, "%s: ", question);
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin))
		return -1;
	n = strcspn(line, "\r\n");
	line[n] = '\0';
	if (!n)
		return 0;
	free(*field);
	*field = td_strndup(line, n);
	return *field ? 0 : -1;
}

static int
run_init(int argc, char **argv)
{
	struct td_profile p;
	struct td_error err = {0, ""};
	struct td_buf o = TD_BUF_INIT;
	char *path = NULL;
	size_t i;
	int exists, rc = EXIT_OK;

	(void)argv;
	if (argc) {
		td_die_msg("init", "no arguments expected (see takedown help "
				   "init)");
		return EXIT_USAGE;
	}
	path = opt_file ? td_strndup(opt_file, strlen(opt_file))
			: td_path_config("profile");
	if (!path) {
		td_die_msg("init", "no config folder: %s", strerror(errno));
		return EXIT_FAIL;
	}
	td_profile_init(&p);
	exists = td_profile_exists(path);
	if (exists && !opt_force) {
		td_term_escape(&o, path, strlen(path), 0);
		td_die_msg("init", "%s exists; --force changes it", o.ptr);
		rc = EXIT_FAIL;
		goto out;
	}
	if (exists && td_profile_load(&p, path, &err) < 0) {
		td_die_msg("init", "%s", err.msg);
		rc = EXIT_FAIL;
		goto out;
	}
	for (i = 0; i < sizeof(opt_val) / sizeof(opt_val[0]); i++) {
		char **f = td_profile_field(&p, td_profile_keys[i]);

		if (!opt_val[i])
			continue;
		free(*f);
		*f = *opt_val[i] ? td_strndup(opt_val[i], strlen(opt_val[i]))
				 : NULL;
	}
	if (!opt_no_prompt && isatty(STDIN_FILENO)) {
		for (i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
			char **f = td_profile_field(
			    &p, td_profile_keys[asks[i].field]);

			if (!*f && ask(asks[i].question, f) < 0)
				break;
		}
	}
	if (td_profile_check(&p, &err) < 0) {
		td_die_msg("init", "%s (give it with --%s)", err.msg,
			   !p.name		       ? "name"
			   : !p.org		       ? "org"
			   : strstr(err.msg, "public") ? "public-email"
			   : strstr(err.msg, "smtp")   ? "smtp-url"
						       : "email");
		rc = EXIT_USAGE;
		goto out;
	}
	if (td_profile_save(&p, path, &err) < 0) {
		td_die_msg("init", "%s", err.msg);
		rc = EXIT_FAIL;
		goto out;
	}
	if (opt_json) {
		struct td_jw w;

		td_jw_init(&w, &o);
		td_jw_obj(&w);
		td_jw_kstr(&w, "schema", "takedown-profile/1");
		td_jw_kstr(&w, "path", path);
		for (i = 0; td_profile_keys[i]; i++)
			td_jw_kstr(&w, td_profile_keys[i],
				   *td_profile_field(&p, td_profile_keys[i]));
		td_jw_obj_end(&w);
		td_buf_addch(&o, '\n');
	} else {
		td_buf_adds(&o, "profile written to ");
		td_term_escape(&o, path, strlen(path), 0);
		td_buf_addch(&o, '\n');
	}
	fwrite(o.ptr, 1, o.len, stdout);
out:
	td_buf_release(&o);
	td_profile_release(&p);
	free(path);
	return rc;
}

const struct td_cmd cmd_init_def = {
    "init",
    "",
    "write your reporter profile: who signs the reports",
    "Every report says who sends it and where they are from.  init keeps\n"
    "that in the file profile of the config folder ($TAKEDOWN_HOME, or\n"
    "~/.config/takedown): your name, organisation (or \"individual\"),\n"
    "e-mail and phone, and a public identity (your team's name and\n"
    "address) for reports that may reach a criminal, who never learns\n"
    "your own name.  Missing values are asked for on a terminal.  The\n"
    "file is plain text, one \"key = value\" a line (docs/profile.md).\n\n"
    "Exit status 1 when the file exists (without --force) or cannot be\n"
    "written, 2 when a needed value is missing or unusable.\n",
    options,
    run_init,
};
