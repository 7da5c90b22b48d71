#ifndef TD_FAILMALLOC_H
#define TD_FAILMALLOC_H

#include <stddef.h>

/*
 * Counted allocations (failmalloc.c).  fm_arm(n) resets the counter and
 * starts counting; the nth counted allocation then fails once (n 0: none
 * fails).  fm_disarm() stops counting.  fm_count() is the number counted
 * since fm_arm().  fm_failed() is 1 once the armed failure happened, with
 * the return address of the failed call in *caller (may be NULL).
 * fm_malloc() is a counted malloc for libraries that take allocator
 * functions (jansson).
 */
void fm_arm(unsigned long n);
void fm_disarm(void);
unsigned long fm_count(void);
int fm_failed(void **caller);
void *fm_malloc(size_t size);
/* the call stack of the failed allocation: its depth, the PCs in *pcs */
int fm_failed_stack(void ***pcs);
/* 1 when the failed allocation was one of a library's (fm_malloc()) */
int fm_failed_in_lib(void);

#endif
