#ifndef TD_TEST_CORPUS_H
#define TD_TEST_CORPUS_H

/*
 * Reading ../shared/corpus in place from unit tests (TD_CORPUS overrides
 * the path).  Include after <cmocka.h>, "buf.h", <stdio.h> and <stdlib.h>.
 */

static __attribute__((unused)) const char *
corpus_dir(void)
{
	const char *c = getenv("TD_CORPUS");

	return c && *c ? c : "../shared/corpus";
}

static __attribute__((unused)) char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct td_buf b = TD_BUF_INIT;
	char chunk[65536];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		td_buf_add(&b, chunk, n);
	fclose(f);
	assert_false(td_buf_failed(&b));
	return td_buf_detach(&b, len);
}

/* Skip the test when the corpus is not there. */
static __attribute__((unused)) void
need_corpus(const char *sub)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/SOURCE.md", corpus_dir(), sub);
	f = fopen(path, "r");
	if (!f) {
		print_message("# skip: %s not readable (set TD_CORPUS to the "
			      "shared corpus)\n",
			      path);
		skip();
	}
	fclose(f);
}

#endif
