/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared bits of the base/ unit tests: cmocka includes and temp-dir fixtures. */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A temp dir and an O_PATH-less directory fd on it. */
struct tmp_fixture {
	char path[64];
	int fd;
};

static inline int tmp_fixture_unlink(const char *p, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(p) : unlink(p);
}

static inline int tmp_fixture_setup(void **state)
{
	struct tmp_fixture *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	snprintf(t->path, sizeof(t->path), "/tmp/berth-test-XXXXXX");
	if (!mkdtemp(t->path)) {
		free(t);
		return -1;
	}
	t->fd = open(t->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	*state = t;
	return t->fd < 0 ? -1 : 0;
}

static inline int tmp_fixture_teardown(void **state)
{
	struct tmp_fixture *t = *state;

	if (!t)
		return 0;
	close(t->fd);
	/* independent of fs_rm_rf_at, which is under test */
	nftw(t->path, tmp_fixture_unlink, 16, FTW_DEPTH | FTW_PHYS);
	free(t);
	*state = NULL;
	return 0;
}

/* Create a file with content at dirfd (test setup; aborts the test on failure). */
static inline void tmp_write(int dirfd, const char *path, const char *content)
{
	int fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
}

#define TMP_TEST(f) cmocka_unit_test_setup_teardown(f, tmp_fixture_setup, tmp_fixture_teardown)
