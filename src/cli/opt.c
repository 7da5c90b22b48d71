#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "term.h"
#include "banned.h"

/*
 * The last line of defence for error messages: a library message may
 * quote what a server sent (jansson quotes the JSON it choked on, url
 * messages the host).  Controls (C0, DEL, C1) and bidi controls become
 * \xNN or \u{XXXX}, and bytes that are not UTF-8 \xNN; everything else,
 * backslashes included, is kept, so text escaped already by the caller
 * (td_term_escape) passes unchanged.
 */
static void
put_safe(FILE *f, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		unsigned cp;
		size_t k;

		if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\x%02x", c);
			i++;
			continue;
		}
		if (c < 0x80) {
			fputc(c, f);
			i++;
			continue;
		}
		k = td_utf8_decode(&cp, (const unsigned char *)s + i, n - i);
		if (!k) {
			fprintf(f, "\\x%02x", c);
			i++;
			continue;
		}
		if ((cp >= 0x80 && cp <= 0x9f) || cp == 0x200e || cp == 0x200f ||
		    (cp >= 0x202a && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069))
			fprintf(f, "\\u{%04x}", cp);
		else
			fwrite(s + i, 1, k, f);
		i += k;
	}
}

void
td_die_msg(const char *cmd, const char *fmt, ...)
{
	struct td_buf b = TD_BUF_INIT;
	va_list ap;

	fprintf(stderr, "takedown: ");
	if (cmd)
		fprintf(stderr, "%s: ", cmd);
	va_start(ap, fmt);
	td_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (td_buf_failed(&b))
		fputs("(message lost: out of memory)", stderr);
	else
		put_safe(stderr, b.ptr ? b.ptr : "", b.len);
	td_buf_release(&b);
	fputc('\n', stderr);
}

static int
parse_size(size_t *out, const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (*s == '-')
		return -1;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'k':
	case 'K':
		v <<= 10, end++;
		break;
	case 'm':
	case 'M':
		v <<= 20, end++;
		break;
	case 'g':
	case 'G':
		v <<= 30, end++;
		break;
	}
	if (*end == 'i' && end[1] == 'B')
		end += 2;
	else if (*end == 'B')
		end++;
	if (*end || v > SIZE_MAX)
		return -1;
	*out = (size_t)v;
	return 0;
}

static int
set_value(const struct td_cmd *cmd, const struct td_opt *o, const char *arg)
{
	switch (o->type) {
	case TD_OPT_FLAG:
		*(int *)o->value = 1;
		return 0;
	case TD_OPT_STRING:
		*(const char **)o->value = arg;
		return 0;
	case TD_OPT_SIZE:
		if (parse_size(o->value, arg) < 0)
			break;
		return 0;
	case TD_OPT_UINT: {
		size_t v;

		if (parse_size(&v, arg) < 0 || v > UINT32_MAX)
			break;
		*(unsigned *)o->value = (unsigned)v;
		return 0;
	}
	case TD_OPT_LIST: {
		struct td_strlist *l = o->value;

		if (TD_ARRAY_GROW(l->v, l->nr + 1, l->alloc) < 0) {
			td_die_msg(cmd->name, "out of memory");
			return -1;
		}
		l->v[l->nr++] = arg;
		return 0;
	}
	}
	td_die_msg(cmd->name, "--%s: invalid value (see takedown help %s)",
		   o->name, cmd->name);
	return -1;
}

int
td_opt_parse(const struct td_cmd *cmd, int argc, char **argv)
{
	int i, npos = 0, only_pos = 0;

	for (i = 1; i < argc; i++) {
		char *a = argv[i];
		const struct td_opt *o = NULL;
		const char *val = NULL;

		if (only_pos || a[0] != '-' || !strcmp(a, "-")) {
			argv[npos++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			only_pos = 1;
			continue;
		}
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			td_cmd_help(stdout, cmd);
			return -2;
		}
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);

			for (o = cmd->opts; o && o->name; o++)
				if (strlen(o->name) == len &&
				    !strncmp(o->name, name, len))
					break;
			if (!o || !o->name) {
				td_die_msg(cmd->name,
					   "unknown option --%.*s (see "
					   "takedown help %s)",
					   (int)(len > 64 ? 64 : len), name,
					   cmd->name);
				return -1;
			}
			if (eq)
				val = eq + 1;
			if (o->type == TD_OPT_FLAG && val) {
				td_die_msg(cmd->name,
					   "--%s takes no value", o->name);
				return -1;
			}
		} else {
			for (o = cmd->opts; o && o->name; o++)
				if (o->short_name && o->short_name == a[1])
					break;
			if (!o || !o->name || a[2]) {
				td_die_msg(cmd->name,
					   "unknown option -%c (see takedown "
					   "help %s)",
					   (a[1] >= 0x21 && a[1] < 0x7f) ? a[1]
									 : '?',
					   cmd->name);
				return -1;
			}
		}
		if (o->type != TD_OPT_FLAG && !val) {
			if (i + 1 >= argc) {
				td_die_msg(cmd->name, "--%s needs a value",
					   o->name);
				return -1;
			}
			val = argv[++i];
		}
		if (set_value(cmd, o, val) < 0)
			return -1;
	}
	return npos;
}

void
td_cmd_help(FILE *f, const struct td_cmd *cmd)
{
	const struct td_opt *o;

	fprintf(f, "usage: takedown %s [options] %s\n\n%s\n", cmd->name,
		cmd->args ? cmd->args : "", cmd->summary);
	if (cmd->description)
		fprintf(f, "\n%s", cmd->description);
	fprintf(f, "\noptions:\n");
	for (o = cmd->opts; o && o->name; o++) {
		char left[64];

		if (o->short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s",
				 o->short_name, o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		if (strlen(left) > 26)
			fprintf(f, "  %s\n  %26s  %s\n", left, "", o->help);
		else
			fprintf(f, "  %-26s  %s\n", left, o->help);
	}
	fprintf(f, "  %-26s  %s\n", "-h, --help", "show this help");
}
