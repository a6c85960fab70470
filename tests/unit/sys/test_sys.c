/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of sys/: the raw wrappers, and their fallbacks with clone3,
 * openat2 and close_range forced to ENOSYS by a syscall() interposer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sys/sys.h"

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

static long enosys_nr[4];

typedef long (*syscall_fn)(long, ...);

/*
 * The executable's syscall() wins over libc's, also for sys.c. Six arguments
 * are read whatever the caller passed, which ASan would report.
 */
__attribute__((no_sanitize_address)) long syscall(long number, ...)
{
	static syscall_fn real;
	long a[6];
	va_list ap;

	for (size_t i = 0; i < sizeof(enosys_nr) / sizeof(enosys_nr[0]); i++)
		if (enosys_nr[i] && enosys_nr[i] == number) {
			errno = ENOSYS;
			return -1;
		}
	if (!real)
		real = (syscall_fn)dlsym(RTLD_NEXT, "syscall");
	va_start(ap, number);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	return real(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

static int reset_enosys(void **state)
{
	memset(enosys_nr, 0, sizeof(enosys_nr));
	return 0;
}

static void clone3_exit_code(int expect_pidfd)
{
	int pidfd = -2, status;
	struct sys_clone_args args = {
		.flags = CLONE_PIDFD, .pidfd = (uint64_t)(uintptr_t)&pidfd, .exit_signal = SIGCHLD};
	pid_t pid = sys_clone3(&args);

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(42);
	if (expect_pidfd) {
		struct pollfd p = {.fd = pidfd, .events = POLLIN};
		assert_true(pidfd >= 0);
		assert_true(fcntl(pidfd, F_GETFD) & FD_CLOEXEC);
		assert_int_equal(poll(&p, 1, 5000), 1);
		close(pidfd);
	} else {
		assert_int_equal(pidfd, -1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 42);
}

static void test_clone3(void **state)
{
	clone3_exit_code(1);
}

static void test_clone3_fallback(void **state)
{
	struct sys_clone_args args = {.flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD};

	enosys_nr[0] = SYS_clone3;
	clone3_exit_code(0);
	/* clone(2) cannot express these */
	errno = 0;
	assert_int_equal(sys_clone3(&args), -1);
	assert_int_equal(errno, ENOSYS);
	args.flags = CLONE_NEWTIME;
	assert_int_equal(sys_clone3(&args), -1);
	assert_int_equal(errno, ENOSYS);
}

static void test_openat2_in_root(void **state)
{
	char dir[] = "/tmp/berth-test-XXXXXX";
	struct sys_open_how how = {.flags = O_RDONLY | O_CLOEXEC, .resolve = SYS_RESOLVE_IN_ROOT};
	int rootfd, fd;
	char buf[8] = {0};

	assert_non_null(mkdtemp(dir));
	rootfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	fd = openat(rootfd, "f", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_int_equal(write(fd, "in", 2), 2);
	close(fd);
	assert_int_equal(symlinkat("/../../f", rootfd, "l"), 0);
	fd = sys_openat2(rootfd, "../../l", &how);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof(buf)), 2);
	assert_string_equal(buf, "in");
	close(fd);
	how.resolve = SYS_RESOLVE_BENEATH;
	assert_int_equal(sys_openat2(rootfd, "../x", &how), -1);
	assert_int_equal(errno, EXDEV);
	unlinkat(rootfd, "l", 0);
	unlinkat(rootfd, "f", 0);
	close(rootfd);
	rmdir(dir);
}

static void test_pidfd(void **state)
{
	int pidfd, status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	pidfd = sys_pidfd_open(pid, 0);
	assert_true(pidfd >= 0);
	assert_int_equal(sys_pidfd_send_signal(pidfd, SIGKILL, 0), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	/* a reaped process: ESRCH */
	assert_int_equal(sys_pidfd_send_signal(pidfd, SIGKILL, 0), -1);
	assert_int_equal(errno, ESRCH);
	close(pidfd);
}

static void cloexec_from(void)
{
	int a = fcntl(0, F_DUPFD, 20), b = fcntl(0, F_DUPFD, 30), low = fcntl(0, F_DUPFD, 5);

	assert_true(a >= 20 && b >= 30 && low >= 5 && low < 20);
	assert_int_equal(sys_cloexec_from(20), 0);
	assert_true(fcntl(a, F_GETFD) & FD_CLOEXEC);
	assert_true(fcntl(b, F_GETFD) & FD_CLOEXEC);
	assert_false(fcntl(low, F_GETFD) & FD_CLOEXEC);
	close(a);
	close(b);
	close(low);
}

static void test_cloexec_from(void **state)
{
	cloexec_from();
}

static void test_cloexec_from_fallback(void **state)
{
	enosys_nr[0] = SYS_close_range;
	cloexec_from();
}

static void test_memfd(void **state)
{
	int fd = sys_memfd_create("berth-test", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(write(fd, "x", 1), 1);
	close(fd);
}

static void test_mount_api_reachable(void **state)
{
	/* no privilege needed to see the syscalls exist: bad arguments give EINVAL/EBADF/EPERM, not ENOSYS */
	errno = 0;
	assert_int_equal(sys_fsopen("no-such-fs-berth", 0), -1);
	assert_int_not_equal(errno, ENOSYS);
	errno = 0;
	assert_int_equal(sys_fsmount(-1, 0, 0), -1);
	assert_int_not_equal(errno, ENOSYS);
	errno = 0;
	assert_int_equal(sys_move_mount(-1, "", -1, "", 0), -1);
	assert_int_not_equal(errno, ENOSYS);
	errno = 0;
	assert_int_equal(sys_fsconfig(-1, 0, NULL, NULL, 0), -1);
	assert_int_not_equal(errno, ENOSYS);
	errno = 0;
	assert_int_equal(sys_pivot_root("/nonexistent-berth", "/nonexistent-berth"), -1);
	assert_int_not_equal(errno, ENOSYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_clone3, reset_enosys),
		cmocka_unit_test_teardown(test_clone3_fallback, reset_enosys),
		cmocka_unit_test_teardown(test_openat2_in_root, reset_enosys),
		cmocka_unit_test_teardown(test_pidfd, reset_enosys),
		cmocka_unit_test_teardown(test_cloexec_from, reset_enosys),
		cmocka_unit_test_teardown(test_cloexec_from_fallback, reset_enosys),
		cmocka_unit_test_teardown(test_memfd, reset_enosys),
		cmocka_unit_test_teardown(test_mount_api_reachable, reset_enosys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
