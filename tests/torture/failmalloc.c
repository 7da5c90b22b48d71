/*
 * Allocation-failure injection for the torture driver (torture.c).
 *
 * The driver is linked with
 *   -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=strndup
 * so that every call to these functions written in libtakedown.a (and in
 * the driver) reaches the __wrap_ functions below, while calls made inside
 * shared libraries (GLib/GMime, libidn2, libpsl, libc itself) do not: the
 * linker rewrites only the undefined references of the objects it links
 * statically.  That is the point.  GLib allocates through g_malloc(),
 * which aborts the process on failure by design (GLib's documented
 * memory policy), so a failure injected there could only test GLib's
 * abort, not our code; libidn2 and libpsl report their own failures as
 * error codes, which url.c already maps, but counting them would need an
 * LD_PRELOAD shim and a caller check for every libc-internal allocation.
 * The counter therefore covers exactly the allocations takedown's own code
 * makes; with torture -j also jansson's, which torture.c then routes
 * through fm_malloc() with json_set_alloc_funcs() (jansson means to fail
 * cleanly, but 2.14 does not always: see torture.c).
 *
 * One allocation fails: the Nth counted call after fm_arm(N), once, with
 * errno ENOMEM, as curl's memdebug does; the calls after it succeed, so
 * the code's recovery after a failure is exercised too.  fm_arm(0) counts
 * without failing.  Counting is on only between fm_arm() and fm_disarm().
 *
 * For use outside the driver, TD_FAILMALLOC_AT=N in the environment arms
 * the counter at the first counted call (counting from process start).
 */
#include <errno.h>
#include <execinfo.h>
#include <stdlib.h>
#include <string.h>

#include "failmalloc.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t nmemb, size_t size);
void *__real_realloc(void *ptr, size_t size);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);

void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t nmemb, size_t size);
void *__wrap_realloc(void *ptr, size_t size);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

static unsigned long count, fail_at;
static int active, env_read, failed, failed_in_lib;
static void *failed_caller;
static void *failed_stack[16];
static int failed_depth;

static void
read_env(void)
{
	const char *s;

	env_read = 1;
	s = getenv("TD_FAILMALLOC_AT");
	if (s && *s && !active) {
		fail_at = strtoul(s, NULL, 10);
		count = 0;
		active = 1;
	}
}

/* 1 if this counted call is the one to fail */
static int
should_fail(void *caller)
{
	if (!env_read)
		read_env();
	if (!active)
		return 0;
	count++;
	if (fail_at && count == fail_at) {
		failed = 1;
		failed_caller = caller;
		failed_depth = backtrace(failed_stack, 16);
		errno = ENOMEM;
		return 1;
	}
	return 0;
}

void
fm_arm(unsigned long n)
{
	env_read = 1;
	count = 0;
	fail_at = n;
	failed = 0;
	failed_in_lib = 0;
	failed_caller = NULL;
	active = 1;
}

void
fm_disarm(void)
{
	active = 0;
}

unsigned long
fm_count(void)
{
	return count;
}

int
fm_failed(void **caller)
{
	if (caller)
		*caller = failed_caller;
	return failed;
}

int
fm_failed_stack(void ***pcs)
{
	*pcs = failed_stack;
	return failed ? failed_depth : 0;
}

int
fm_failed_in_lib(void)
{
	return failed && failed_in_lib;
}

void *
fm_malloc(size_t size)
{
	if (should_fail(__builtin_return_address(0))) {
		failed_in_lib = 1;
		return NULL;
	}
	return __real_malloc(size);
}

void *
__wrap_malloc(size_t size)
{
	return should_fail(__builtin_return_address(0)) ? NULL
							 : __real_malloc(size);
}

void *
__wrap_calloc(size_t nmemb, size_t size)
{
	return should_fail(__builtin_return_address(0))
		   ? NULL
		   : __real_calloc(nmemb, size);
}

void *
__wrap_realloc(void *ptr, size_t size)
{
	return should_fail(__builtin_return_address(0))
		   ? NULL
		   : __real_realloc(ptr, size);
}

char *
__wrap_strdup(const char *s)
{
	return should_fail(__builtin_return_address(0)) ? NULL
							 : __real_strdup(s);
}

char *
__wrap_strndup(const char *s, size_t n)
{
	return should_fail(__builtin_return_address(0))
		   ? NULL
		   : __real_strndup(s, n);
}
