/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Self-test of the ENOSYS shim, run with LD_PRELOAD of it: openat2 and clone3
 * fail, other syscalls pass through, and the fallbacks of base/ and sys/ work.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/base.h"
#include "sys/sys.h"

static void test_syscalls_refused(void **state)
{
	struct sys_open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = SYS_RESOLVE_IN_ROOT};

	errno = 0;
	assert_int_equal(sys_openat2(AT_FDCWD, "/", &how), -1);
	assert_int_equal(errno, ENOSYS);
	errno = 0;
	assert_int_equal(syscall(435 /* clone3 */, NULL, 0), -1);
	assert_int_equal(errno, ENOSYS);
	/* everything else is forwarded, arguments intact */
	assert_int_equal(syscall(SYS_getpid), getpid());
	assert_int_equal(syscall(SYS_kill, getpid(), 0), 0);
}

static void test_clone3_falls_back(void **state)
{
	int pidfd = 12345, status;
	struct sys_clone_args args = {
		.flags = CLONE_PIDFD, .pidfd = (uint64_t)(uintptr_t)&pidfd, .exit_signal = SIGCHLD};
	pid_t pid = sys_clone3(&args);

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(7);
	/* clone(2) gave no pidfd: the caller uses pidfd_open */
	assert_int_equal(pidfd, -1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(proc_status_to_code(status), 7);
}

static void test_open_in_root_walks(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_close_ int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC), fd = -1;
	struct stat a, b;

	fd = fs_open_in_root(rootfd, "../../proc/self/../1/..", O_PATH | O_DIRECTORY, 0, &err);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(stat("/proc", &b), 0);
	assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syscalls_refused),
		cmocka_unit_test(test_clone3_falls_back),
		cmocka_unit_test(test_open_in_root_walks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
