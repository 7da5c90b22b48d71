/*
 * Replay driver: runs a fuzz target's LLVMFuzzerTestOneInput over every
 * file of its committed corpus, so the ordinary test suite re-checks past
 * crashes (under ASan in CI).  Prints TAP.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
	char *names[4096];
	size_t nr = 0, i;
	struct dirent *de;
	DIR *d;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	d = opendir(argv[1]);
	if (!d) {
		printf("1..0 # SKIP no corpus at %s\n", argv[1]);
		return 0;
	}
	while ((de = readdir(d)) && nr < 4096)
		if (de->d_name[0] != '.')
			names[nr++] = strdup(de->d_name);
	closedir(d);
	qsort(names, nr, sizeof(*names), cmp);
	printf("1..%zu\n", nr);
	for (i = 0; i < nr; i++) {
		char path[4096];
		FILE *f;
		unsigned char *buf = NULL;
		long len;

		snprintf(path, sizeof(path), "%s/%s", argv[1], names[i]);
		f = fopen(path, "rb");
		if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 ||
		    fseek(f, 0, SEEK_SET) || !(buf = malloc((size_t)len + 1)) ||
		    fread(buf, 1, (size_t)len, f) != (size_t)len) {
			printf("not ok %zu - %s (unreadable)\n", i + 1,
			       names[i]);
		} else {
			LLVMFuzzerTestOneInput(buf, (size_t)len);
			printf("ok %zu - %s\n", i + 1, names[i]);
		}
		if (f)
			fclose(f);
		free(buf);
		free(names[i]);
	}
	return 0;
}
