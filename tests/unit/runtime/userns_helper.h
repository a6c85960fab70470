/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test helpers: run a function in a forked child, optionally as root of a new
 * user + mount namespace (so mounts need no privilege and vanish with it), and
 * temp-dir cleanup.
 */
#pragma once

#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Exit status of a child that could not set up its namespaces: the test is skipped. */
#define CHILD_SKIP 77

static inline int helper_write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/* Become root of a new user namespace with a private mount namespace. */
static inline int helper_enter_userns(int extra_flags)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	char map[64];

	if (unshare(CLONE_NEWUSER | CLONE_NEWNS | extra_flags) < 0)
		return -1;
	(void)helper_write_file("/proc/self/setgroups", "deny");
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
	if (helper_write_file("/proc/self/uid_map", map) < 0)
		return -1;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
	if (helper_write_file("/proc/self/gid_map", map) < 0)
		return -1;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -1;
	return 0;
}

/*
 * Run fn(arg) in a forked child (in a new user+mount namespace when userns)
 * and return its exit status: 0 for success, CHILD_SKIP when the namespaces
 * are not available, else the failing step fn reported.
 */
static inline int helper_run_child(int (*fn)(void *), void *arg, bool userns, int extra_flags)
{
	int status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (userns && helper_enter_userns(extra_flags) < 0)
			_exit(CHILD_SKIP);
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static inline int helper_rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

/* rm -rf of a temp dir. */
static inline void helper_rm_rf(const char *path)
{
	(void)nftw(path, helper_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static inline char *helper_mkdtemp(void)
{
	char *d = strdup("/tmp/berth-test-XXXXXX");

	if (!d || !mkdtemp(d)) {
		free(d);
		return NULL;
	}
	return d;
}
