/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of runtime/paths.c: masking and read-only paths inside a child's user + mount namespace. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "base/base.h"
#include "runtime/internal.h"
#include "userns_helper.h"

static char *tmp;

static int setup(void **state)
{
	tmp = helper_mkdtemp();
	return tmp ? 0 : -1;
}

static int teardown(void **state)
{
	helper_rm_rf(tmp);
	free(tmp);
	tmp = NULL;
	return 0;
}

static char *at(const char *rel)
{
	static char buf[4][4096];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmp, rel);
	return buf[i];
}

static int put(const char *rel, const char *content)
{
	FILE *f = fopen(at(rel), "we");

	if (!f)
		return -1;
	fputs(content, f);
	return fclose(f);
}

static ssize_t file_size(const char *rel)
{
	char buf[64];
	ssize_t n;
	int fd = open(at(rel), O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n;
}

static int dir_entries(const char *rel)
{
	DIR *d = opendir(at(rel));
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static int child_mask(void *arg)
{
	char *paths[] = {at("file"), at("dir"), at("missing"), at("link"), NULL};
	struct berth_error *err = NULL;

	if (rt_paths_mask(paths, &err) < 0) {
		fprintf(stderr, "mask: %s\n", err->msg);
		berth_error_free(&err);
		return 1;
	}
	if (file_size("file") != 0)
		return 2;
	if (dir_entries("dir") != 0)
		return 3;
	/* The tmpfs over the directory is read-only. */
	if (put("dir/new", "x") == 0 || errno != EROFS)
		return 4;
	/* A symlink is followed to what it names, inside this tree. */
	if (file_size("target") != 0)
		return 5;
	return 0;
}

static void test_mask(void **state)
{
	int rc;

	assert_int_equal(put("file", "secret"), 0);
	assert_int_equal(put("target", "secret too"), 0);
	assert_int_equal(symlink(at("target"), at("link")), 0);
	assert_int_equal(mkdir(at("dir"), 0755), 0);
	assert_int_equal(put("dir/entry", "x"), 0);
	rc = helper_run_child(child_mask, NULL, true, 0);
	if (rc == CHILD_SKIP)
		skip();
	assert_int_equal(rc, 0);
	/* Nothing leaks out of the child's mount namespace. */
	assert_int_equal(file_size("file"), 6);
	assert_int_equal(dir_entries("dir"), 1);
}

static int child_readonly(void *arg)
{
	char *paths[] = {at("ro"), at("missing"), NULL};
	struct berth_error *err = NULL;
	struct statvfs sv;

	/* A nosuid,nodev parent mount: in a user namespace those flags are locked and must be kept. */
	if (mount("tmpfs", at("ro"), "tmpfs", MS_NOSUID | MS_NODEV, NULL) < 0 || put("ro/file", "x") < 0)
		return 1;
	if (rt_paths_readonly(paths, &err) < 0) {
		fprintf(stderr, "readonly: %s\n", err->msg);
		berth_error_free(&err);
		return 2;
	}
	if (put("ro/file", "y") == 0 || errno != EROFS)
		return 3;
	if (statvfs(at("ro"), &sv) < 0 || !(sv.f_flag & ST_RDONLY) || !(sv.f_flag & ST_NOSUID) ||
	    !(sv.f_flag & ST_NODEV))
		return 4;
	if (put("rw", "still writable") < 0)
		return 5;
	return 0;
}

static void test_readonly(void **state)
{
	int rc;

	assert_int_equal(mkdir(at("ro"), 0755), 0);
	rc = helper_run_child(child_readonly, NULL, true, 0);
	if (rc == CHILD_SKIP)
		skip();
	assert_int_equal(rc, 0);
}

static void test_missing_and_empty(void **state)
{
	char *paths[] = {at("nothing/here"), NULL};
	struct berth_error *err = NULL;

	/* Missing paths are fine and need no privilege: nothing is mounted. */
	assert_int_equal(rt_paths_mask(paths, &err), 0);
	assert_int_equal(rt_paths_readonly(paths, &err), 0);
	assert_int_equal(rt_paths_mask(NULL, &err), 0);
	assert_int_equal(rt_paths_readonly(NULL, &err), 0);
	assert_null(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mask, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_and_empty, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
