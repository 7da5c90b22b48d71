#ifndef TD_CLI_H
#define TD_CLI_H

#include <stddef.h>
#include <stdio.h>

/* Exit codes, documented in takedown(1). */
#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2

enum td_opt_type {
	TD_OPT_FLAG,   /* int, set to 1 */
	TD_OPT_STRING, /* const char * */
	TD_OPT_SIZE,   /* size_t, accepts k, M, G suffixes */
	TD_OPT_UINT,   /* unsigned */
	TD_OPT_LIST    /* struct td_strlist, repeatable */
};

struct td_strlist {
	const char **v;
	size_t nr, alloc;
};

struct td_opt {
	const char *name;  /* long name without "--"; NULL ends the table */
	char short_name;   /* 0 for none */
	enum td_opt_type type;
	void *value;
	const char *arg;   /* argument name for help, e.g. "FILE" */
	const char *help;  /* one line */
};

struct td_cmd {
	const char *name;
	const char *args;	 /* e.g. "[FILE|DIR|-]..." */
	const char *summary;	 /* one line for the command list */
	const char *description; /* paragraphs for `takedown help NAME` */
	const struct td_opt *opts;
	int (*run)(int argc, char **argv); /* positionals only */
};

/*
 * Parse argv[1..] against opts, moving positionals to the front of argv;
 * options may follow positionals, "--" ends options.  Returns the number
 * of positionals, or -1 after printing a usage error.  "--help" makes it
 * print help and return -2.
 */
int td_opt_parse(const struct td_cmd *cmd, int argc, char **argv);

/* Print the generated help of cmd (synopsis, description, options). */
void td_cmd_help(FILE *f, const struct td_cmd *cmd);

/* Print "takedown: NAME: " and a message, then a newline, on stderr.
   Attacker text in args must already be escaped. */
void td_die_msg(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

extern const struct td_cmd cmd_call_def;
extern const struct td_cmd cmd_check_def;
extern const struct td_cmd cmd_due_def;
extern const struct td_cmd cmd_extract_def;
extern const struct td_cmd cmd_import_def;
extern const struct td_cmd cmd_init_def;
extern const struct td_cmd cmd_lint_def;
extern const struct td_cmd cmd_parse_record_def;
extern const struct td_cmd cmd_report_def;
extern const struct td_cmd cmd_send_def;
extern const struct td_cmd cmd_lookup_def;
extern const struct td_cmd cmd_note_def;
extern const struct td_cmd cmd_update_data_def;
extern const struct td_cmd cmd_close_def;
extern const struct td_cmd cmd_export_def;
extern const struct td_cmd cmd_label_def;
extern const struct td_cmd cmd_list_def;
extern const struct td_cmd cmd_show_def;
extern const struct td_cmd cmd_stats_def;
extern const struct td_cmd cmd_state_def;

#endif
