/*
 * libFuzzer target: the reporter's profile file (docs/profile.md) as a
 * hand edit or a damaged copy may leave it, read by td_profile_load()
 * from a private temporary folder.  Asserts, beyond "no crash, no leak,
 * no undefined behaviour":
 *
 * - the result is 0, TD_EPARSE or TD_ELIMIT, with a printable one-line
 *   message on error;
 * - on 0 every value is at most 1000 bytes with no control character;
 *   td_profile_check() gives 0 or TD_EINVAL with a printable message;
 *   td_profile_orgs() gives at most 16 organisations, each a name and an
 *   address without control characters or angle brackets, or TD_EINVAL;
 *   td_profile_wants_arf() answers for any address;
 * - td_profile_save() then td_profile_load() gives the same values.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profile.h"

#define FUZZ_NAME "fuzz_profile"
#include "check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[256], in_path[300], out_path[300];

static void
cleanup(void)
{
	unlink(in_path);
	unlink(out_path);
	rmdir(dir);
}

static int
setup(void)
{
	const char *tmp = getenv("TMPDIR");

	if (dir[0])
		return 0;
	snprintf(dir, sizeof(dir), "%s/fuzz_profile.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("fuzz_profile: mkdtemp");
		dir[0] = '\0';
		return -1;
	}
	snprintf(in_path, sizeof(in_path), "%s/in", dir);
	snprintf(out_path, sizeof(out_path), "%s/out", dir);
	atexit(cleanup);
	return 0;
}

static void
check_printable(const char *s)
{
	for (; *s; s++)
		CHECK((unsigned char)*s >= 0x20 && *s != 0x7f);
}

static void
check_value(const char *s)
{
	if (!s)
		return;
	CHECK(strlen(s) <= 1000);
	check_printable(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct td_profile p, q;
	struct td_profile_org orgs[TD_PROFILE_MAX_ORGS];
	struct td_error err = {0, ""};
	FILE *f;
	size_t i;
	int rc, n;

	if (setup() < 0)
		return 0;
	f = fopen(in_path, "wb");
	if (!f)
		return 0;
	if (fwrite(data, 1, size, f) != size) {
		fclose(f);
		return 0;
	}
	fclose(f);

	td_profile_init(&p);
	rc = td_profile_load(&p, in_path, &err);
	field = "result";
	CHECK(rc == 0 || rc == TD_EPARSE || rc == TD_ELIMIT);
	if (rc) {
		field = "error message";
		check_printable(err.msg);
		td_profile_release(&p);
		return 0;
	}
	for (i = 0; td_profile_keys[i]; i++) {
		field = td_profile_keys[i];
		check_value(*td_profile_field(&p, td_profile_keys[i]));
	}
	rc = td_profile_check(&p, &err);
	field = "check";
	CHECK(rc == 0 || rc == TD_EINVAL);
	if (rc)
		check_printable(err.msg);
	n = td_profile_orgs(&p, orgs, TD_PROFILE_MAX_ORGS, &err);
	field = "orgs";
	CHECK(n >= 0 || n == TD_EINVAL);
	CHECK(n <= TD_PROFILE_MAX_ORGS);
	for (i = 0; n > 0 && i < (size_t)n; i++) {
		CHECK(orgs[i].name[0] && orgs[i].email[0]);
		check_printable(orgs[i].name);
		check_printable(orgs[i].email);
		CHECK(!strpbrk(orgs[i].email, "<>;"));
		CHECK(strchr(orgs[i].email, '@'));
	}
	field = "wants_arf";
	rc = td_profile_wants_arf(&p, "abuse@host.example");
	CHECK(rc == 0 || rc == 1);
	CHECK(td_profile_wants_arf(&p, NULL) == 0);

	/* what is saved reads back the same */
	field = "round trip";
	CHECK(td_profile_save(&p, out_path, &err) == 0);
	td_profile_init(&q);
	CHECK(td_profile_load(&q, out_path, &err) == 0);
	for (i = 0; td_profile_keys[i]; i++) {
		const char *a = *td_profile_field(&p, td_profile_keys[i]);
		const char *b = *td_profile_field(&q, td_profile_keys[i]);

		field = td_profile_keys[i];
		CHECK((!a || !*a) ? (!b || !*b) : (b && !strcmp(a, b)));
	}
	td_profile_release(&q);
	td_profile_release(&p);
	return 0;
}
