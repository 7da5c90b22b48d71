#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "input.h"

struct got {
	struct td_buf log;
	unsigned errors;
	struct td_buf err;
};

static int
on_msg(const struct td_input_msg *m, void *p)
{
	struct got *g = p;
	const char *slash = strrchr(m->path, '/');

	td_buf_printf(&g->log, "[%s:%s:%zu:", slash ? slash + 1 : m->path,
		      m->format, m->index);
	td_buf_add(&g->log, m->data, m->len);
	td_buf_adds(&g->log, "]");
	return 0;
}

static void
on_err(const char *path, const char *msg, void *p)
{
	struct got *g = p;

	g->errors++;
	td_buf_adds(&g->err, msg);
	td_buf_addch(&g->err, '\n');
}

static char tmpdir[64];

static void
write_file(const char *name, const char *data)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(data, f);
	fclose(f);
}

static int
setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/td-input-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
read_path(struct got *g, const char *rel, size_t max, int *ret)
{
	struct td_input_opts o = TD_INPUT_OPTS_INIT;
	char path[256];

	memset(g, 0, sizeof(*g));
	td_buf_init(&g->log, 0);
	td_buf_init(&g->err, 0);
	o.error = on_err;
	if (max)
		o.max_message_bytes = max;
	snprintf(path, sizeof(path), "%s%s%s", tmpdir, *rel ? "/" : "", rel);
	*ret = td_input_read(path, &o, on_msg, g);
}

static void
got_release(struct got *g)
{
	td_buf_release(&g->log);
	td_buf_release(&g->err);
}

static void
input_mbox_split_and_unquoted(void **state)
{
	struct got g;
	int ret;

	write_file("box", "From a@b Mon Jan  1 00:00:00 2024\n"
			  "Subject: one\n\nhello\nFrom here\n>From quoted\n\n"
			  "From c@d Mon Jan  1 00:00:00 2024\n"
			  "Subject: two\n\nbody\n");
	read_path(&g, "box", 0, &ret);
	assert_int_equal(ret, 0);
	assert_string_equal(g.log.ptr,
			    "[box:mbox:0:Subject: one\n\nhello\nFrom here\nFrom quoted\n]"
			    "[box:mbox:1:Subject: two\n\nbody\n]");
	got_release(&g);
}

static void
input_eml_is_one_message(void **state)
{
	struct got g;
	int ret;

	write_file("one.eml", "Subject: x\n\nFrom inside body\n");
	read_path(&g, "one.eml", 0, &ret);
	assert_int_equal(ret, 0);
	assert_string_equal(g.log.ptr,
			    "[one.eml:eml:0:Subject: x\n\nFrom inside body\n]");
	got_release(&g);
}

static void
input_maildir_new_then_cur_in_order(void **state)
{
	char path[256];
	struct got g;
	int ret;

	snprintf(path, sizeof(path), "%s/md", tmpdir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/md/cur", tmpdir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/md/new", tmpdir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/md/tmp", tmpdir);
	mkdir(path, 0700);
	write_file("md/cur/2", "Subject: c2\n\n");
	write_file("md/cur/1", "Subject: c1\n\n");
	write_file("md/new/9", "Subject: n9\n\n");
	write_file("md/tmp/0", "Subject: never\n\n");
	read_path(&g, "md", 0, &ret);
	assert_int_equal(ret, 0);
	assert_string_equal(g.log.ptr, "[9:maildir:0:Subject: n9\n\n]"
				       "[1:maildir:0:Subject: c1\n\n]"
				       "[2:maildir:0:Subject: c2\n\n]");
	got_release(&g);
}

/* an empty new/ (or cur/) is an ordinary Maildir, not an error */
static void
input_maildir_with_an_empty_folder(void **state)
{
	char path[256];
	struct got g;
	int ret;

	(void)state;
	snprintf(path, sizeof(path), "%s/md2", tmpdir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/md2/cur", tmpdir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/md2/new", tmpdir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/md2/tmp", tmpdir);
	mkdir(path, 0700);
	write_file("md2/cur/1", "Subject: c1\n\n");
	read_path(&g, "md2", 0, &ret);
	assert_int_equal(ret, 0);
	assert_string_equal(g.log.ptr, "[1:maildir:0:Subject: c1\n\n]");
	got_release(&g);
}

static void
input_oversize_refused_others_kept(void **state)
{
	struct got g;
	int ret;

	write_file("big", "From a Mon\nSubject: ok\n\n1\n\n"
			  "From b Mon\nSubject: toolong\n\n0123456789012345678901234567890123456789\n\n"
			  "From c Mon\nSubject: ok2\n\n3\n");
	read_path(&g, "big", 32, &ret);
	assert_int_equal(ret, -2); /* TD_EIO: some input failed */
	assert_string_equal(g.log.ptr, "[big:mbox:0:Subject: ok\n\n1\n]"
				       "[big:mbox:2:Subject: ok2\n\n3\n]");
	assert_int_equal(g.errors, 1);
	assert_non_null(strstr(g.err.ptr, "max_message_bytes"));
	got_release(&g);
}

static void
input_missing_file_reported(void **state)
{
	struct got g;
	int ret;

	read_path(&g, "no-such-file", 0, &ret);
	assert_int_not_equal(ret, 0);
	assert_int_equal(g.errors, 1);
	got_release(&g);
}

static void
input_empty_file_reported(void **state)
{
	struct got g;
	int ret;

	write_file("empty", "");
	read_path(&g, "empty", 0, &ret);
	assert_int_not_equal(ret, 0);
	assert_non_null(strstr(g.err.ptr, "empty"));
	got_release(&g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(input_mbox_split_and_unquoted),
		cmocka_unit_test(input_eml_is_one_message),
		cmocka_unit_test(input_maildir_new_then_cur_in_order),
		cmocka_unit_test(input_maildir_with_an_empty_folder),
		cmocka_unit_test(input_oversize_refused_others_kept),
		cmocka_unit_test(input_missing_file_reported),
		cmocka_unit_test(input_empty_file_reported),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
