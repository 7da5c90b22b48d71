/*
 * takedown send: the drafts of a case, each sent at most once.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "clock.h"
#include "jsonw.h"
#include "paths.h"
#include "profile.h"
#include "send.h"
#include "store.h"
#include "term.h"
#include "banned.h"

#define MAX_MSG (32u << 20)

static int opt_yes, opt_json, opt_dry_run;
static struct td_strlist opt_to;
static const char *opt_store, *opt_profile, *opt_smtp_url, *opt_tls;
static const char *opt_ca_file;
static const char *opt_mark_sent, *opt_mark_failed;
static unsigned opt_timeout = 120000;

static const struct td_opt options[] = {
    {"to", 0, TD_OPT_LIST, &opt_to, "ROLE",
     "only the drafts for this role (registrar, host, cdn, platform, "
     "registrant); repeatable"},
    {"yes", 'y', TD_OPT_FLAG, &opt_yes, NULL, "do not ask to confirm"},
    {"dry-run", 'n', TD_OPT_FLAG, &opt_dry_run, NULL,
     "show what would go where; send nothing"},
    {"json", 'j', TD_OPT_FLAG, &opt_json, NULL,
     "print one JSON object per message"},
    {"smtp-url", 0, TD_OPT_STRING, &opt_smtp_url, "URL",
     "the SMTP server instead of the profile's"},
    {"tls", 0, TD_OPT_STRING, &opt_tls, "required|opportunistic|none",
     "STARTTLS on smtp:// (default required)"},
    {"ca-file", 0, TD_OPT_STRING, &opt_ca_file, "FILE",
     "certificates to trust for the SMTP server"},
    {"timeout", 0, TD_OPT_UINT, &opt_timeout, "MS",
     "deadline per message (default 120000)"},
    {"mark-sent", 0, TD_OPT_STRING, &opt_mark_sent, "MESSAGE-ID",
     "a message an interrupted run left 'sending' did leave: record it"},
    {"mark-failed", 0, TD_OPT_STRING, &opt_mark_failed, "MESSAGE-ID",
     "it did not leave: make it sendable again"},
    {"store", 0, TD_OPT_STRING, &opt_store, "FILE", "the case store"},
    {"profile", 0, TD_OPT_STRING, &opt_profile, "FILE",
     "the reporter profile"},
    {NULL, 0, 0, NULL, NULL, NULL},
};

static int
wanted(const struct td_store_message *m)
{
	size_t i;

	if (m->state != TD_MSG_DRAFT && m->state != TD_MSG_FAILED)
		return 0;
	if (!opt_to.nr)
		return 1;
	for (i = 0; i < opt_to.nr; i++)
		if (!strcmp(opt_to.v[i], td_store_role_name(m->role)))
			return 1;
	return 0;
}

static char *
read_small(const char *path, size_t max, size_t *len)
{
	struct td_buf b = TD_BUF_INIT;
	char chunk[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0 && b.len <= max)
		td_buf_add(&b, chunk, (size_t)n);
	close(fd);
	if (n < 0 || b.len > max || td_buf_failed(&b)) {
		td_buf_release(&b);
		errno = n < 0 ? errno : EFBIG;
		return NULL;
	}
	return td_buf_detach(&b, len);
}

/* The sender's address: the From of the draft, as prepared. */
static const char *
envelope_from(const struct td_profile *p, const char *msg)
{
	/* the draft was signed with one of the profile's two addresses */
	if (p->public_email && *p->public_email &&
	    strstr(msg, p->public_email))
		return p->public_email;
	return p->email;
}

static int
settle(struct td_store *s, const char *mid, int sent)
{
	struct td_store_message m;
	struct td_error err = {0, ""};
	long long now = td_now();
	int rc;

	if (td_store_message_find(&m, s, mid, &err) < 0) {
		td_die_msg("send", "%s", err.msg);
		return EXIT_FAIL;
	}
	if (m.state != TD_MSG_SENDING) {
		td_die_msg("send", "%s is %s, not sending", mid,
			   td_store_msg_state_name(m.state));
		td_store_message_release(&m);
		return EXIT_FAIL;
	}
	rc = sent ? td_store_message_mark_sent(s, m.id, "marked sent by hand",
					       now, &err)
		  : td_store_message_mark_failed(s, m.id,
						 "marked failed by hand", now,
						 &err);
	if (rc == 0 && sent)
		td_store_set_state(s, m.case_id, TD_STATE_REPORTED, TD_MIT_NONE,
				   NULL, now, NULL);
	td_store_message_release(&m);
	if (rc < 0) {
		td_die_msg("send", "%s", err.msg);
		return EXIT_FAIL;
	}
	printf("%s marked %s\n", mid, sent ? "sent" : "failed");
	return EXIT_OK;
}

static int
run_send(int argc, char **argv)
{
	struct td_profile prof;
	struct td_store *s = NULL;
	struct td_store_case c;
	struct td_store_message *msgs = NULL;
	struct td_send_opts so = TD_SEND_OPTS_INIT;
	struct td_error err = {0, ""};
	struct td_buf o = TD_BUF_INIT;
	char *path = NULL, *password = NULL;
	size_t nr = 0, i, todo = 0, sent = 0;
	int rc = EXIT_FAIL;

	td_profile_init(&prof);
	memset(&c, 0, sizeof(c));
	if ((opt_mark_sent || opt_mark_failed) ? argc != 0 : argc != 1) {
		td_die_msg("send", "give one case tag (see takedown help "
				   "send)");
		return EXIT_USAGE;
	}
	path = opt_store ? strdup(opt_store) : td_path_data("cases.sqlite");
	if (!path || td_store_open(&s, path, &err) < 0) {
		td_die_msg("send", "%s", path ? err.msg : "no data folder");
		free(path);
		return EXIT_FAIL;
	}
	free(path);
	td_store_set_source(s, "send");
	if (opt_mark_sent || opt_mark_failed) {
		rc = settle(s, opt_mark_sent ? opt_mark_sent : opt_mark_failed,
			    !!opt_mark_sent);
		td_store_close(s);
		return rc;
	}
	if (td_store_case_get_tag(&c, s, argv[0], &err) < 0) {
		td_buf_reset(&o);
		td_term_escape(&o, argv[0], strlen(argv[0]), 0);
		td_die_msg("send", "%s: no such case", o.ptr);
		goto out;
	}
	path = opt_profile ? strdup(opt_profile) : td_path_config("profile");
	if (!path || td_profile_load(&prof, path, &err) < 0 ||
	    td_profile_check(&prof, &err) < 0) {
		td_die_msg("send", "%s (run takedown init)",
			   path ? err.msg : "no config folder");
		goto out;
	}
	if (td_store_message_list(&msgs, &nr, s, c.id, &err) < 0) {
		td_die_msg("send", "%s", err.msg);
		goto out;
	}
	for (i = 0; i < nr; i++) {
		if (msgs[i].state == TD_MSG_SENDING)
			fprintf(stderr,
				"takedown: send: <%s> was being sent when a "
				"run stopped: find out whether it left, then "
				"--mark-sent or --mark-failed it\n",
				msgs[i].message_id);
		if (!wanted(&msgs[i]))
			continue;
		todo++;
		if (!opt_json) {
			printf("  %-10s ", td_store_role_name(msgs[i].role));
			td_buf_reset(&o);
			td_term_escape(&o, msgs[i].recipient,
				       strlen(msgs[i].recipient), 0);
			printf("%s\n             %s\n", o.ptr, msgs[i].path);
		}
	}
	if (!todo) {
		printf("nothing to send for %s\n", c.tag);
		rc = EXIT_OK;
		goto out;
	}
	if (opt_dry_run) {
		printf("%zu message%s would be sent (--dry-run)\n", todo,
		       todo == 1 ? "" : "s");
		rc = EXIT_OK;
		goto out;
	}
	if (!opt_yes) {
		char line[16];

		if (!isatty(STDIN_FILENO)) {
			td_die_msg("send", "not a terminal: give --yes to send "
					   "without asking");
			rc = EXIT_USAGE;
			goto out;
		}
		fprintf(stderr, "Send %zu message%s? [y/N] ", todo,
			todo == 1 ? "" : "s");
		if (!fgets(line, sizeof(line), stdin) ||
		    (line[0] != 'y' && line[0] != 'Y')) {
			printf("nothing sent\n");
			rc = EXIT_OK;
			goto out;
		}
	}
	so.url = opt_smtp_url ? opt_smtp_url : prof.smtp_url;
	if (prof.sendmail && *prof.sendmail && !opt_smtp_url) {
		so.via = TD_SEND_SENDMAIL;
		so.sendmail = prof.sendmail;
	} else if (!so.url || !*so.url) {
		td_die_msg("send", "no SMTP server: set one with takedown init "
				   "--smtp-url (or --sendmail)");
		goto out;
	}
	if (opt_tls)
		so.tls = !strcmp(opt_tls, "none")	     ? TD_SEND_TLS_NONE
			 : !strcmp(opt_tls, "opportunistic") ? TD_SEND_TLS_OPPORTUNISTIC
							     : TD_SEND_TLS_REQUIRED;
	so.ca_file = opt_ca_file;
	so.timeout_ms = opt_timeout;
	if (prof.smtp_user && *prof.smtp_user) {
		size_t plen = 0;

		so.user = prof.smtp_user;
		if (!prof.smtp_password_file ||
		    !(password = read_small(prof.smtp_password_file, 4096,
					    &plen))) {
			td_die_msg("send", "smtp_user is set but the password "
					   "file cannot be read");
			goto out;
		}
		password[strcspn(password, "\r\n")] = '\0';
		so.password = password;
	}
	rc = EXIT_OK;
	for (i = 0; i < nr; i++) {
		struct td_send_msg sm;
		struct td_send_result res;
		char *data;
		size_t len = 0;
		long long now = td_now();
		int r;

		if (!wanted(&msgs[i]))
			continue;
		data = read_small(msgs[i].path, MAX_MSG, &len);
		if (!data || td_send_prepare(&sm, data, len, &err) < 0) {
			td_die_msg("send", "%s: %s", msgs[i].path,
				   data ? err.msg : strerror(errno));
			free(data);
			rc = EXIT_FAIL;
			continue;
		}
		/* claimed and committed before a byte goes out */
		if (td_store_message_claim(s, msgs[i].id, now, &err) < 0) {
			td_die_msg("send", "%s", err.msg);
			td_send_msg_release(&sm);
			free(data);
			rc = EXIT_FAIL;
			continue;
		}
		memset(&res, 0, sizeof(res));
		r = td_send(&res, &so, envelope_from(&prof, sm.data),
			    (const char *const *)sm.to, sm.nr_to, sm.data,
			    sm.len, &err);
		now = td_now();
		if (r == 0) {
			td_store_message_mark_sent(s, msgs[i].id, res.reply, now,
						   &err);
			td_store_set_state(s, c.id, TD_STATE_REPORTED,
					   TD_MIT_NONE, NULL, now, NULL);
			sent++;
		} else if (res.uncertain) {
			/* it may have left: never sent twice, so ask */
			td_die_msg("send", "%s: %s; left as sending: "
					   "--mark-sent or --mark-failed %s",
				   msgs[i].recipient, err.msg,
				   msgs[i].message_id);
			rc = EXIT_FAIL;
		} else {
			td_store_message_mark_failed(s, msgs[i].id,
						     res.reply ? res.reply
							       : err.msg,
						     now, NULL);
			td_die_msg("send", "%s: %s", msgs[i].recipient,
				   err.msg);
			rc = EXIT_FAIL;
		}
		if (opt_json) {
			struct td_jw w;

			td_buf_reset(&o);
			td_jw_init(&w, &o);
			td_jw_obj(&w);
			td_jw_kstr(&w, "schema", "takedown-send/1");
			td_jw_kstr(&w, "case", c.tag);
			td_jw_kstr(&w, "role", td_store_role_name(msgs[i].role));
			td_jw_kstr(&w, "recipient", msgs[i].recipient);
			td_jw_kstr(&w, "message_id", msgs[i].message_id);
			td_jw_kstr(&w, "result", r == 0 ? "sent"
					       : res.uncertain ? "uncertain"
							       : "failed");
			td_jw_kstr(&w, "server", res.server);
			td_jw_kstr(&w, "reply", res.reply);
			td_jw_obj_end(&w);
			td_buf_addch(&o, '\n');
			fwrite(o.ptr, 1, o.len, stdout);
		} else if (r == 0) {
			td_buf_reset(&o);
			td_term_escape(&o, res.reply ? res.reply : "",
				       strlen(res.reply ? res.reply : ""), 0);
			printf("sent to %s: %s\n", msgs[i].recipient, o.ptr);
		}
		td_send_result_release(&res);
		td_send_msg_release(&sm);
		free(data);
	}
	if (!opt_json)
		printf("%zu of %zu sent for %s\n", sent, todo, c.tag);
out:
	td_buf_release(&o);
	td_store_message_list_free(msgs, nr);
	td_store_case_release(&c);
	td_store_close(s);
	td_profile_release(&prof);
	if (password)
		explicit_bzero(password, strlen(password));
	free(password);
	free(path);
	free(opt_to.v);
	return rc;
}

const struct td_cmd cmd_send_def = {
    "send",
    "CASE",
    "send a case's drafts, each at most once",
    "Shows which draft goes to whom, asks to confirm (--yes for scripts)\n"
    "and sends each through the profile's SMTP server (smtps://, or\n"
    "smtp:// with STARTTLS required) or sendmail -t.  Each message is\n"
    "claimed in the case store before a byte leaves and marked sent with\n"
    "the server's answer, so a draft is never sent twice, even when a\n"
    "run is interrupted: a message left 'sending' is reported, and\n"
    "--mark-sent or --mark-failed settles it once you know.  The case\n"
    "becomes 'reported' with its first message sent.\n\n"
    "Exit status 1 when a message could not be sent.\n",
    options,
    run_send,
};
