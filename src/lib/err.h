#ifndef TD_ERR_H
#define TD_ERR_H

/*
 * Error codes returned by library functions (0 is success).  The set is kept
 * small on purpose; details go into struct td_error.
 */
enum {
	TD_OK = 0,
	TD_ENOMEM = -1,	  /* allocation failed */
	TD_EIO = -2,	  /* reading or writing failed */
	TD_EPARSE = -3,	  /* input is malformed beyond recovery */
	TD_ELIMIT = -4,	  /* a configured size, count or time limit was hit */
	TD_EINVAL = -5,	  /* the caller passed something unusable */
	TD_ENOTFOUND = -6 /* nothing matched */
};

struct td_error {
	int code;
	char msg[512];
};

/*
 * Record an error in err (which may be NULL) and return code, so that
 * callers can write `return td_error_set(err, TD_EIO, "...")`.
 */
int td_error_set(struct td_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A short lowercase description of a TD_E code; never NULL. */
const char *td_strerror(int code);

#endif
