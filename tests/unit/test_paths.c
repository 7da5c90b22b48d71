#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <ftw.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "paths.h"

static char scratch[256];

static void
clear_env(void)
{
	unsetenv("TAKEDOWN_HOME");
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("XDG_DATA_HOME");
	unsetenv("XDG_CACHE_HOME");
	setenv("HOME", "/home/tester", 1);
}

static int
setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(scratch, sizeof(scratch), "%s/td-paths.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(scratch))
		return -1;
	return 0;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path) < 0 ? -1 : 0;
}

static int
rm_rf(const char *dir)
{
	return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int
teardown(void **state)
{
	rm_rf(scratch);
	return 0;
}

/* assert that got equals want, then free got */
static void
expect_path(char *got, const char *want)
{
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
xdg_defaults_are_under_home(void **state)
{
	clear_env();
	expect_path(td_path_config(NULL), "/home/tester/.config/takedown");
	expect_path(td_path_data(NULL), "/home/tester/.local/share/takedown");
	expect_path(td_path_cache(NULL), "/home/tester/.cache/takedown");
	expect_path(td_path_data("iana"),
		    "/home/tester/.local/share/takedown/iana");
	expect_path(td_path_config("config.ini"),
		    "/home/tester/.config/takedown/config.ini");
	expect_path(td_path_cache(""), "/home/tester/.cache/takedown");
}

static void
xdg_variables_are_used_when_absolute(void **state)
{
	clear_env();
	setenv("XDG_CONFIG_HOME", "/x/conf", 1);
	setenv("XDG_DATA_HOME", "/x/data/", 1);
	setenv("XDG_CACHE_HOME", "/x/cache//", 1);
	expect_path(td_path_config("a"), "/x/conf/takedown/a");
	expect_path(td_path_data("iana"), "/x/data/takedown/iana");
	expect_path(td_path_cache(NULL), "/x/cache/takedown");
}

static void
xdg_relative_or_empty_values_are_ignored(void **state)
{
	clear_env();
	setenv("XDG_CONFIG_HOME", "relative/conf", 1);
	setenv("XDG_DATA_HOME", "", 1);
	setenv("XDG_CACHE_HOME", "./cache", 1);
	expect_path(td_path_config(NULL), "/home/tester/.config/takedown");
	expect_path(td_path_data(NULL), "/home/tester/.local/share/takedown");
	expect_path(td_path_cache(NULL), "/home/tester/.cache/takedown");
}

static void
takedown_home_overrides_everything(void **state)
{
	clear_env();
	setenv("XDG_CONFIG_HOME", "/x/conf", 1);
	setenv("XDG_DATA_HOME", "/x/data", 1);
	setenv("XDG_CACHE_HOME", "/x/cache", 1);
	setenv("TAKEDOWN_HOME", "/srv/td/", 1);
	expect_path(td_path_config(NULL), "/srv/td");
	expect_path(td_path_config("config.ini"), "/srv/td/config.ini");
	expect_path(td_path_data(NULL), "/srv/td");
	expect_path(td_path_data("iana"), "/srv/td/iana");
	expect_path(td_path_cache(NULL), "/srv/td/cache");
	expect_path(td_path_cache("rdap"), "/srv/td/cache/rdap");
}

static void
takedown_home_empty_is_unset(void **state)
{
	clear_env();
	setenv("TAKEDOWN_HOME", "", 1);
	expect_path(td_path_data("iana"),
		    "/home/tester/.local/share/takedown/iana");
}

static void
takedown_home_root_keeps_one_slash(void **state)
{
	clear_env();
	setenv("TAKEDOWN_HOME", "/", 1);
	expect_path(td_path_data(NULL), "/");
	expect_path(td_path_data("iana"), "/iana");
	expect_path(td_path_cache(NULL), "/cache");
}

static void
home_missing_falls_back_to_passwd(void **state)
{
	struct passwd *pw = getpwuid(getuid());
	char want[600];

	if (!pw || !pw->pw_dir || pw->pw_dir[0] != '/')
		skip();
	clear_env();
	unsetenv("HOME");
	snprintf(want, sizeof(want), "%s%s.cache/takedown", pw->pw_dir,
		 strcmp(pw->pw_dir, "/") ? "/" : "");
	expect_path(td_path_cache(NULL), want);
	setenv("HOME", "not/absolute", 1);
	expect_path(td_path_cache(NULL), want);
}

static void
mkdirs_creates_every_parent_0700(void **state)
{
	struct td_error err = {0, ""};
	char dir[400], mid[400];
	struct stat st;
	mode_t old = umask(022);

	snprintf(mid, sizeof(mid), "%s/a", scratch);
	snprintf(dir, sizeof(dir), "%s/a//b/c/", scratch);
	assert_int_equal(td_mkdirs(dir, 0700, &err), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(mid, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	/* again: already there is fine */
	assert_int_equal(td_mkdirs(dir, 0700, &err), 0);
	umask(old);
}

static void
mkdirs_refuses_a_file_in_the_way(void **state)
{
	struct td_error err = {0, ""};
	char file[400], dir[400];
	FILE *f;

	snprintf(file, sizeof(file), "%s/plain", scratch);
	f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(td_mkdirs(file, 0700, &err), TD_EIO);
	assert_non_null(strstr(err.msg, "plain: not a folder"));
	snprintf(dir, sizeof(dir), "%s/plain/sub/dir", scratch);
	err.msg[0] = '\0';
	assert_int_equal(td_mkdirs(dir, 0700, &err), TD_EIO);
	assert_non_null(strstr(err.msg, "plain"));
}

static void
mkdirs_follows_a_link_to_a_folder(void **state)
{
	struct td_error err = {0, ""};
	char target[400], link[400], dir[400];
	struct stat st;

	snprintf(target, sizeof(target), "%s/real", scratch);
	snprintf(link, sizeof(link), "%s/link", scratch);
	snprintf(dir, sizeof(dir), "%s/link/inside", scratch);
	assert_int_equal(mkdir(target, 0700), 0);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(td_mkdirs(link, 0700, &err), 0);
	assert_int_equal(td_mkdirs(dir, 0700, &err), 0);
	snprintf(dir, sizeof(dir), "%s/real/inside", scratch);
	assert_int_equal(stat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
}

static void
mkdirs_relative_path_and_empty(void **state)
{
	struct td_error err = {0, ""};
	char cwd[400];
	struct stat st;

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(scratch), 0);
	assert_int_equal(td_mkdirs("rel/x", 0700, &err), 0);
	assert_int_equal(stat("rel/x", &st), 0);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(td_mkdirs("", 0700, &err), TD_EINVAL);
	assert_int_equal(td_mkdirs(NULL, 0700, NULL), TD_EINVAL);
}

static void
mkdirs_unwritable_parent_says_why(void **state)
{
	struct td_error err = {0, ""};
	char ro[400], dir[400];

	if (geteuid() == 0)
		skip(); /* root writes anywhere */
	snprintf(ro, sizeof(ro), "%s/ro", scratch);
	snprintf(dir, sizeof(dir), "%s/ro/x/y", scratch);
	assert_int_equal(mkdir(ro, 0500), 0);
	assert_int_equal(td_mkdirs(dir, 0700, &err), TD_EIO);
	assert_non_null(strstr(err.msg, "ro/x: cannot create folder"));
	chmod(ro, 0700);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(xdg_defaults_are_under_home),
	    cmocka_unit_test(xdg_variables_are_used_when_absolute),
	    cmocka_unit_test(xdg_relative_or_empty_values_are_ignored),
	    cmocka_unit_test(takedown_home_overrides_everything),
	    cmocka_unit_test(takedown_home_empty_is_unset),
	    cmocka_unit_test(takedown_home_root_keeps_one_slash),
	    cmocka_unit_test(home_missing_falls_back_to_passwd),
	    cmocka_unit_test(mkdirs_creates_every_parent_0700),
	    cmocka_unit_test(mkdirs_refuses_a_file_in_the_way),
	    cmocka_unit_test(mkdirs_follows_a_link_to_a_folder),
	    cmocka_unit_test(mkdirs_relative_path_and_empty),
	    cmocka_unit_test(mkdirs_unwritable_parent_says_why),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
