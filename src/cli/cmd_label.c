/*
 * takedown label CASE +LABEL -LABEL...: the user's own tags on a case.
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
static const char *opt_store;
static struct td_strlist opt_remove;

static const struct td_opt label_options[] = {
    {"remove", 'r', TD_OPT_LIST, &opt_remove, "LABEL",
     "remove LABEL (repeatable; the same as -LABEL after --)"},
    {"json", 'j', TD_OPT_FLAG, &opt_json, NULL,
     "write JSON (schema takedown-label/1)"},
    {"store", 0, TD_OPT_STRING, &opt_store, "FILE",
     "the case store (default: cases.sqlite in the data folder)"},
    {NULL, 0, 0, NULL, NULL, NULL},
};

/* One change: add (1) or remove (0) a label. */
struct change {
	const char *label;
	int add;
	int done; /* 0 changed, 1 nothing to do */
};

/* 1 when the store would take label: 1..64 bytes, no controls or spaces. */
static int
label_ok(const char *l)
{
	size_t i, n = strlen(l);

	if (!n || n > TD_STORE_MAX_WORD)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)l[i];

		if (c <= 0x20 || c == 0x7f)
			return 0;
	}
	return 1;
}

static int
run_label(int argc, char **argv)
{
	struct td_store *s = NULL;
	struct td_store_case c;
	struct td_error err = {0, ""};
	struct td_buf o = TD_BUF_INIT;
	struct change *ch = NULL;
	size_t nr = 0, i;
	char **labels = NULL;
	size_t nr_labels = 0;
	long long now = td_now();
	int rc, status = EXIT_FAIL, in_tx = 0;

	memset(&c, 0, sizeof(c));
	if (argc < 1) {
		td_die_msg("label", "give a case tag, then +LABEL to add and "
				    "-LABEL (after --) or --remove LABEL to "
				    "remove");
		status = EXIT_USAGE;
		goto out;
	}
	ch = calloc((size_t)argc + opt_remove.nr, sizeof(*ch));
	if (!ch) {
		td_die_msg("label", "out of memory");
		goto out;
	}
	for (i = 1; i < (size_t)argc; i++) {
		const char *a = argv[i];

		ch[nr].add = *a != '-';
		ch[nr].label = *a == '+' || *a == '-' ? a + 1 : a;
		nr++;
	}
	for (i = 0; i < opt_remove.nr; i++) {
		ch[nr].add = 0;
		ch[nr].label = opt_remove.v[i];
		nr++;
	}
	for (i = 0; i < nr; i++)
		if (!label_ok(ch[i].label)) {
			td_term_escape(&o, ch[i].label,
				       strnlen(ch[i].label, 80), 0);
			td_die_msg("label",
				   "%s: a label is 1 to %d bytes without "
				   "spaces or control characters",
				   o.ptr, TD_STORE_MAX_WORD);
			status = EXIT_USAGE;
			goto out;
		}
	rc = td_caseview_open(&s, opt_store, 0, &err);
	if (rc == 0)
		rc = td_store_case_get_tag(&c, s, argv[0], &err);
	if (rc == TD_ENOTFOUND) {
		td_term_escape(&o, argv[0], strnlen(argv[0], 64), 0);
		td_die_msg("label", "%s: no such case", o.ptr);
		goto out;
	}
	if (rc < 0)
		goto fail;
	td_store_set_source(s, "user");
	/* all of them or none */
	if (nr) {
		if (td_store_begin(s, &err) < 0)
			goto fail;
		in_tx = 1;
	}
	for (i = 0; i < nr; i++) {
		rc = ch[i].add
			 ? td_store_label_add(s, c.id, ch[i].label, now, &err)
			 : td_store_label_remove(s, c.id, ch[i].label, now,
						 &err);
		if (rc < 0)
			goto fail;
		ch[i].done = rc;
	}
	if (in_tx) {
		in_tx = 0;
		if (td_store_commit(s, &err) < 0)
			goto fail;
	}
	if (td_store_label_list(&labels, &nr_labels, s, c.id, &err) < 0)
		goto fail;
	if (opt_json) {
		struct td_jw w;
		int pass;

		td_jw_init(&w, &o);
		td_jw_obj(&w);
		td_jw_kstr(&w, "schema", "takedown-label/1");
		td_jw_kstr(&w, "tag", c.tag);
		for (pass = 1; pass >= 0; pass--) {
			td_jw_key(&w, pass ? "added" : "removed");
			td_jw_arr(&w);
			for (i = 0; i < nr; i++)
				if (ch[i].add == pass && !ch[i].done)
					td_jw_str(&w, ch[i].label);
			td_jw_arr_end(&w);
		}
		td_jw_kstrv(&w, "labels", labels, nr_labels);
		td_jw_obj_end(&w);
		td_buf_addch(&o, '\n');
	} else {
		for (i = 0; i < nr; i++) {
			td_buf_printf(&o, "%s: %c", c.tag,
				      ch[i].add ? '+' : '-');
			td_term_escape(&o, ch[i].label, strlen(ch[i].label), 0);
			td_buf_adds(&o, ch[i].done
					    ? (ch[i].add ? " (there already)\n"
							 : " (was not there)\n")
					    : "\n");
		}
		td_buf_printf(&o, "%s labels: ", c.tag);
		for (i = 0; i < nr_labels; i++) {
			if (i)
				td_buf_adds(&o, ", ");
			td_term_escape(&o, labels[i], strlen(labels[i]), 0);
		}
		td_buf_adds(&o, nr_labels ? "\n" : "none\n");
	}
	if (td_buf_failed(&o)) {
		td_die_msg("label", "out of memory");
		goto out;
	}
	fwrite(o.ptr, 1, o.len, stdout);
	status = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
	goto out;
fail:
	td_die_msg("label", "%s", err.msg);
	if (in_tx)
		td_store_rollback(s, NULL);
out:
	td_buf_release(&o);
	td_store_strings_free(labels, nr_labels);
	td_store_case_release(&c);
	td_store_close(s);
	free(ch);
	free(opt_remove.v);
	return status;
}

const struct td_cmd cmd_label_def = {
    "label",
    "CASE [+LABEL|LABEL]... [-- -LABEL...]",
    "add or remove a case's labels",
    "Adds each +LABEL (or plain LABEL) to case CASE and removes each\n"
    "-LABEL; as an argument starting with - reads as an option, give\n"
    "those after -- or as --remove LABEL.  Labels are the user's own\n"
    "tags (bank, campaign-x): 1 to 64 bytes without spaces, compared\n"
    "ignoring ASCII case.  All changes are made together or not at all,\n"
    "each recorded in the case's history; the case's labels are printed\n"
    "afterwards.  Without LABEL, only prints them.  `takedown list\n"
    "--label LABEL` finds the cases carrying one.\n",
    label_options,
    run_label,
};
