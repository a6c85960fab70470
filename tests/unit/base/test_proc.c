/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of base/proc.c: proc_run, /proc/PID/stat parsing and liveness, lock files. */
#include "fixture.h"

#include <errno.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>

#include "base/base.h"

#define SH "/bin/sh"

static int run_sh(const char *script, char *const envp[], const char *stdin_data, int timeout, struct berth_error **err)
{
	char *argv[] = {"sh", "-c", (char *)script, NULL};
	int code = -1;

	if (proc_run(SH, argv, envp, stdin_data, timeout, &code, err) < 0)
		return -1;
	return code;
}

static void test_status_to_code(void **state)
{
	int st;
	pid_t pid;

	pid = fork();
	if (pid == 0)
		_exit(3);
	waitpid(pid, &st, 0);
	assert_int_equal(proc_status_to_code(st), 3);
	pid = fork();
	if (pid == 0) {
		raise(SIGKILL);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	assert_int_equal(proc_status_to_code(st), 128 + SIGKILL);
}

static void test_run_exit_codes(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;

	assert_int_equal(run_sh("exit 0", NULL, NULL, 0, &err), 0);
	assert_int_equal(run_sh("exit 3", NULL, NULL, 0, &err), 3);
	assert_int_equal(run_sh("kill -TERM $$", NULL, NULL, 0, &err), 128 + SIGTERM);
	assert_null(err);
	/* ret_code may be NULL */
	{
		char *argv[] = {"sh", "-c", "exit 1", NULL};
		assert_int_equal(proc_run(SH, argv, NULL, NULL, 0, NULL, &err), 0);
	}
}

static void test_run_stdin_and_env(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *big = xmalloc(1 << 20 | 1);
	char *env[] = {"FOO=bar", NULL};

	assert_int_equal(run_sh("read x; [ \"$x\" = hello ] && exit 7", NULL, "hello\n", 0, &err), 7);
	assert_int_equal(run_sh("[ \"$FOO\" = bar ]", env, NULL, 0, &err), 0);
	/* NULL envp: an empty environment */
	setenv("BERTH_TEST_VAR", "1", 1);
	assert_int_equal(run_sh("[ -z \"$BERTH_TEST_VAR\" ]", NULL, NULL, 0, &err), 0);
	unsetenv("BERTH_TEST_VAR");
	/* no stdin data: /dev/null */
	assert_int_equal(run_sh("[ -z \"$(cat)\" ]", NULL, NULL, 0, &err), 0);
	/* more than a pipe holds, all read */
	memset(big, 'x', 1 << 20);
	big[1 << 20] = '\0';
	assert_int_equal(run_sh("[ $(wc -c) -eq 1048576 ]", NULL, big, 10, &err), 0);
	/* ...or not read at all: neither a hang nor a SIGPIPE for us */
	assert_int_equal(run_sh("exit 4", NULL, big, 10, &err), 4);
	{
		sigset_t pending;
		sigpending(&pending);
		assert_false(sigismember(&pending, SIGPIPE));
	}
	assert_null(err);
}

static void test_run_timeout(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(run_sh("exec sleep 20", NULL, "unread", 1, &err), -1);
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_true(b.tv_sec - a.tv_sec < 5);
	assert_int_equal(err->code, ETIMEDOUT);
	assert_string_equal(err->msg, "run '/bin/sh': timed out after 1 seconds");
	/* the child was reaped */
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void test_run_exec_fails(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;
	char *argv[] = {"x", NULL};
	int code = 99;

	assert_int_equal(proc_run("/nonexistent/hook", argv, NULL, "data", 5, &code, &err), -1);
	assert_int_equal(err->code, ENOENT);
	assert_string_equal(err->msg, "run '/nonexistent/hook': No such file or directory");
	assert_int_equal(code, 99);
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
}

static void test_run_fds_and_output(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *script = NULL, *out = NULL;
	char path[] = "/tmp/berth-test-out-XXXXXX";
	int leak, saved, tmp;

	/* an fd without O_CLOEXEC must not reach the child */
	leak = fcntl(STDERR_FILENO, F_DUPFD, 10);
	assert_true(leak >= 10);
	script = xasprintf("[ ! -e /proc/self/fd/%d ] && echo to-stdout && echo to-stderr >&2", leak);
	/* stdout and stderr both land on our stderr */
	tmp = mkstemp(path);
	assert_true(tmp >= 0);
	saved = dup(STDERR_FILENO);
	dup2(tmp, STDERR_FILENO);
	assert_int_equal(run_sh(script, NULL, NULL, 0, &err), 0);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(tmp);
	close(leak);
	assert_int_equal(fs_read_file_at(AT_FDCWD, path, &out, NULL, &err), 0);
	unlink(path);
	assert_string_equal(out, "to-stdout\nto-stderr\n");
}

static void test_start_time_and_alive(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;
	unsigned long long self = 0, child_own = 0, child = 0;
	int p[2], status;
	pid_t pid;

	assert_int_equal(proc_start_time(getpid(), &self, &err), 0);
	assert_true(self > 0);
	{
		_cleanup_free_ char *stat = NULL;
		unsigned long long want = 0;
		assert_int_equal(fs_read_file_at(AT_FDCWD, "/proc/self/stat", &stat, NULL, &err), 0);
		assert_int_equal(
			sscanf(strrchr(stat, ')') + 2,
			       "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
			       &want),
			1);
		assert_true(self == want);
	}
	assert_true(proc_is_alive(getpid(), 0));
	assert_true(proc_is_alive(getpid(), self));
	assert_false(proc_is_alive(getpid(), self + 1));

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* comm with spaces and parentheses, as a hostile container process may pick */
		prctl(PR_SET_NAME, "x) R 1 (y) 2", 0, 0, 0);
		if (proc_start_time(getpid(), &child_own, NULL) < 0)
			_exit(1);
		if (write(p[1], &child_own, sizeof(child_own)) != sizeof(child_own))
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &child_own, sizeof(child_own)), sizeof(child_own));
	close(p[0]);
	assert_int_equal(proc_start_time(pid, &child, &err), 0);
	assert_true(child == child_own);
	assert_true(child >= self);
	assert_true(proc_is_alive(pid, child));
	assert_false(proc_is_alive(pid, child + 1));
	/* a zombie is not alive */
	kill(pid, SIGKILL);
	for (int i = 0; i < 200 && proc_is_alive(pid, 0); i++)
		usleep(10000);
	assert_false(proc_is_alive(pid, 0));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_false(proc_is_alive(pid, child));
	/* gone: 0 and 0 */
	child = 1;
	assert_int_equal(proc_start_time(pid, &child, &err), 0);
	assert_true(child == 0);
	assert_int_equal(proc_start_time(0x7ffffff0, &child, &err), 0);
	assert_true(child == 0);
	assert_false(proc_is_alive(0, 0));
	assert_false(proc_is_alive(-1, 0));
}

static void test_lock(void **state)
{
	struct tmp_fixture *t = *state;
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *path = xasprintf("%s/lock", t->path);
	int fd, other;
	struct stat st;

	fd = lock_path(path, &err);
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600 & ~umask(022));
	/* another open file description cannot take it */
	other = open(path, O_RDWR | O_CLOEXEC);
	assert_int_equal(flock(other, LOCK_EX | LOCK_NB), -1);
	assert_int_equal(errno, EWOULDBLOCK);
	close(fd);
	assert_int_equal(flock(other, LOCK_EX | LOCK_NB), 0);
	close(other);

	fd = lock_fd_at(t->fd, "lock2", &err);
	assert_true(fd >= 0);
	other = openat(t->fd, "lock2", O_RDWR | O_CLOEXEC);
	assert_int_equal(flock(other, LOCK_EX | LOCK_NB), -1);
	close(other);
	close(fd);

	assert_int_equal(lock_path("/nonexistent/dir/lock", &err), -1);
	assert_string_equal(err->msg, "open lock '/nonexistent/dir/lock': No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_to_code),	     cmocka_unit_test(test_run_exit_codes),
		cmocka_unit_test(test_run_stdin_and_env),    cmocka_unit_test(test_run_timeout),
		cmocka_unit_test(test_run_exec_fails),	     cmocka_unit_test(test_run_fds_and_output),
		cmocka_unit_test(test_start_time_and_alive), TMP_TEST(test_lock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
