#ifndef TD_INPUT_H
#define TD_INPUT_H

#include <stddef.h>

#include "err.h"

/*
 * Where messages come from: single .eml files, mbox files (mboxrd
 * quoting undone), Maildir folders (new/ then cur/, in name order), other
 * folders (their files, recursively, in name order) and standard input
 * ("-").  Reading is streamed: memory is bounded by the largest message,
 * never by the size of an mbox.
 */
struct td_input_msg {
	const char *path;   /* file path, or "-" for standard input */
	const char *format; /* "eml", "mbox" or "maildir" */
	size_t index;	    /* 0-based position within an mbox, else 0 */
	long long offset;   /* byte offset of the message in the file */
	const char *data;   /* the message, From_ line removed */
	size_t len;
};

struct td_input_opts {
	size_t max_message_bytes; /* larger messages are refused (64 MiB) */
	/* One call per input that cannot be read or message refused; msg is
	   a lowercase one-line description. */
	void (*error)(const char *path, const char *msg, void *payload);
};

#define TD_INPUT_OPTS_INIT {64u << 20, NULL}

/* Called for each message; non-zero return stops reading. */
typedef int (*td_input_fn)(const struct td_input_msg *m, void *payload);

/*
 * Read every message under path ("-" is standard input).  Problems with
 * one file or message are passed to opts->error and reading goes on.
 * Returns 0 if everything was read, TD_EIO if some input failed (already
 * reported through opts->error), or a callback's non-zero value.
 */
int td_input_read(const char *path, const struct td_input_opts *opts,
		  td_input_fn fn, void *payload);

#endif
