#include <stdarg.h>
#include <stdio.h>

#include "err.h"
#include "banned.h"

int
td_error_set(struct td_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

const char *
td_strerror(int code)
{
	switch (code) {
	case TD_OK:
		return "success";
	case TD_ENOMEM:
		return "out of memory";
	case TD_EIO:
		return "input/output error";
	case TD_EPARSE:
		return "malformed input";
	case TD_ELIMIT:
		return "limit exceeded";
	case TD_EINVAL:
		return "invalid argument";
	case TD_ENOTFOUND:
		return "not found";
	}
	return "unknown error";
}
