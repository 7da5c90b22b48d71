/*
 * A scratch folder per test for the cmocka suites: made under $TMPDIR
 * (or /tmp) by the group's setup, removed with all it holds by its
 * teardown.  The test reads it as `struct tmp *t = *state`: t->dir, and
 * t->path, a file in it that the suite names.
 */
#ifndef TD_TEST_SCRATCH_H
#define TD_TEST_SCRATCH_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

struct tmp {
	char dir[512];
	char path[600];
};

/* Make the folder PREFIX-XXXXXX and name FILE in it as t->path. */
static int
scratch_setup(void **state, const char *prefix, const char *file)
{
	struct tmp *t = calloc(1, sizeof(*t));
	const char *base = getenv("TMPDIR");

	assert_non_null(t);
	snprintf(t->dir, sizeof(t->dir), "%s/%s-XXXXXX",
		 base && *base ? base : "/tmp", prefix);
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/%s", t->dir, file);
	*state = t;
	return 0;
}

static int
scratch_rm_one(const char *path, const struct stat *st, int flag,
	       struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
teardown(void **state)
{
	struct tmp *t = *state;

	nftw(t->dir, scratch_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(t);
	return 0;
}

#endif
