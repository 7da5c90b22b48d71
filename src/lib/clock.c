#include <stdlib.h>
#include <time.h>

#include "clock.h"

/* TAKEDOWN_NOW as seconds, or -1 when unset or not 1..12 digits. */
static long long
env_now(void)
{
	const char *s = getenv("TAKEDOWN_NOW");
	long long v = 0;
	int n = 0;

	if (!s)
		return -1;
	for (; *s >= '0' && *s <= '9' && n < 12; s++, n++)
		v = v * 10 + (*s - '0');
	return *s || !n || v <= 0 ? -1 : v;
}

long long
td_now(void)
{
	long long v = env_now();

	return v > 0 ? v : (long long)time(NULL);
}

int
td_now_fixed(void)
{
	return env_now() > 0;
}
