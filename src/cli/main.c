/*
 * takedown: the command table.  Each command lives in cmd_<name>.c.
 */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "banned.h"

static const struct td_cmd *const commands[] = {
	&cmd_call_def,
	&cmd_check_def,
	&cmd_close_def,
	&cmd_due_def,
	&cmd_export_def,
	&cmd_extract_def,
	&cmd_import_def,
	&cmd_init_def,
	&cmd_label_def,
	&cmd_lint_def,
	&cmd_list_def,
	&cmd_lookup_def,
	&cmd_note_def,
	&cmd_parse_record_def,
	&cmd_report_def,
	&cmd_send_def,
	&cmd_show_def,
	&cmd_state_def,
	&cmd_stats_def,
	&cmd_update_data_def,
	NULL,
};

static void
usage(FILE *f)
{
	const struct td_cmd *const *c;

	fprintf(f, "usage: takedown <command> [options] [args]\n"
		   "       takedown help [command]\n"
		   "       takedown --version\n\n"
		   "commands:\n");
	for (c = commands; *c; c++)
		fprintf(f, "  %-13s %s\n", (*c)->name, (*c)->summary);
	fprintf(f, "  %-13s %s\n", "help", "show help for a command");
	fprintf(f, "\nexit status: 0 ok, 1 failure, 2 usage error\n"
		   "see takedown(1) for details\n");
}

static const struct td_cmd *
find(const char *name)
{
	const struct td_cmd *const *c;

	for (c = commands; *c; c++)
		if (!strcmp((*c)->name, name))
			return *c;
	return NULL;
}

int
main(int argc, char **argv)
{
	const struct td_cmd *cmd;
	int n;

	setlocale(LC_ALL, "");
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("takedown %s\n", TD_VERSION);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "help")) {
		if (argc < 3) {
			usage(stdout);
			return EXIT_OK;
		}
		cmd = find(argv[2]);
		if (!cmd) {
			td_die_msg(NULL, "no such command: %.64s", argv[2]);
			return EXIT_USAGE;
		}
		td_cmd_help(stdout, cmd);
		return EXIT_OK;
	}
	cmd = find(argv[1]);
	if (!cmd) {
		td_die_msg(NULL, "no such command: %.64s (see takedown help)",
			   argv[1]);
		return EXIT_USAGE;
	}
	n = td_opt_parse(cmd, argc - 1, argv + 1);
	if (n == -2)
		return EXIT_OK;
	if (n < 0)
		return EXIT_USAGE;
	return cmd->run(n, argv + 1);
}
