#ifndef TD_CLOCK_H
#define TD_CLOCK_H

/*
 * The time of day for everything a case records: report times, sent
 * times, follow-up deadlines, check times.  One source, so that tests can
 * move it: when the environment variable TAKEDOWN_NOW holds UTC seconds
 * since the epoch (digits only, e.g. TAKEDOWN_NOW=1790000000), that is
 * the time, read afresh on every call; otherwise the system clock.  A
 * malformed TAKEDOWN_NOW is ignored.  Network timeouts and rate limits
 * keep using the monotonic clock: they are not case facts.
 */
long long td_now(void);

/* 1 when TAKEDOWN_NOW is in force (a test clock), else 0. */
int td_now_fixed(void);

#endif
