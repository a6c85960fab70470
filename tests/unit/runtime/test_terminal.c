/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of runtime/terminal.c: pty pair, console socket hand-off, controlling tty, the proxy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>

#include "base/base.h"
#include "runtime/internal.h"
#include "sys/sys.h"
#include "userns_helper.h"

static bool is_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);

	return fl >= 0 && (fl & FD_CLOEXEC);
}

static void test_open(void **state)
{
	struct berth_error *err = NULL;
	struct winsize ws = {0};
	int m = -1, s = -1;

	if (access("/dev/ptmx", R_OK | W_OK) < 0)
		skip();
	assert_int_equal(rt_terminal_open(24, 80, &m, &s, &err), 0);
	assert_null(err);
	assert_true(isatty(m) && isatty(s));
	assert_true(is_cloexec(m) && is_cloexec(s));
	assert_int_equal(ioctl(s, TIOCGWINSZ, &ws), 0);
	assert_int_equal(ws.ws_row, 24);
	assert_int_equal(ws.ws_col, 80);
	/* Data written on one side comes out of the other. */
	assert_int_equal(write(m, "hi\n", 3), 3);
	{
		char buf[16] = {0};

		assert_int_equal(read(s, buf, sizeof(buf)), 3);
		assert_string_equal(buf, "hi\n");
	}
	close(m);
	close(s);
}

/* Listen at dir/name; a dir path longer than sun_path is reached through /proc/self/fd. */
static int listen_at(const char *dir, const char *name)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(dfd >= 0 && sock >= 0);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/%s", dfd, name);
	assert_int_equal(bind(sock, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(listen(sock, 1), 0);
	close(dfd);
	return sock;
}

static void round_trip(const char *dir)
{
	_cleanup_free_ char *path = xasprintf("%s/console.sock", dir);
	struct berth_error *err = NULL;
	int m = -1, s = -1, lsock, conn, got[2] = {-1, -1};
	size_t nfds = 0;
	char msg[64] = {0}, buf[16] = {0};
	ssize_t n;

	lsock = listen_at(dir, "console.sock");
	assert_int_equal(rt_terminal_open(0, 0, &m, &s, &err), 0);
	/* connect completes against the backlog before accept. */
	assert_int_equal(rt_console_socket_send(path, m, &err), 0);
	assert_null(err);
	conn = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
	assert_true(conn >= 0);
	n = fd_recv(conn, msg, sizeof(msg) - 1, got, 2, &nfds, &err);
	assert_null(err);
	assert_int_equal(n, strlen("/dev/ptmx"));
	assert_string_equal(msg, "/dev/ptmx");
	assert_int_equal(nfds, 1);
	/* The received fd is the master of our slave. */
	assert_true(isatty(got[0]));
	assert_int_equal(write(got[0], "yo\n", 3), 3);
	assert_int_equal(read(s, buf, sizeof(buf)), 3);
	assert_string_equal(buf, "yo\n");
	close(got[0]);
	close(conn);
	close(lsock);
	close(m);
	close(s);
	unlink(path);
}

static void test_console_socket(void **state)
{
	char *tmp = helper_mkdtemp();

	assert_non_null(tmp);
	round_trip(tmp);
	helper_rm_rf(tmp);
	free(tmp);
}

static void test_console_socket_long_path(void **state)
{
	char *tmp = helper_mkdtemp();
	char long_dir[4096];

	if (!tmp)
		fail_msg("mkdtemp");
	else
		snprintf(long_dir, sizeof(long_dir), "%s/%0120d", tmp, 0);
	assert_int_equal(mkdir(long_dir, 0700), 0);
	round_trip(long_dir);
	helper_rm_rf(tmp);
	free(tmp);
}

static void test_console_socket_refused(void **state)
{
	struct berth_error *err = NULL;

	assert_int_equal(rt_console_socket_send("/nonexistent/berth-test.sock", 0, &err), -1);
	assert_string_equal(err->msg,
			    "connect to console socket '/nonexistent/berth-test.sock': No such file or directory");
	berth_error_free(&err);
}

/* In a child (its own session): the slave becomes the controlling terminal and fds 0-2. */
static int child_controlling(void *arg)
{
	int s = *(int *)arg;
	struct berth_error *err = NULL;

	if (setsid() < 0)
		return 1;
	if (rt_terminal_make_controlling(s, &err) < 0) {
		berth_error_free(&err);
		return 2;
	}
	for (int fd = 0; fd <= 2; fd++)
		if (!isatty(fd) || is_cloexec(fd))
			return 3;
	if (tcgetsid(0) != getpid())
		return 4;
	return 0;
}

static void test_make_controlling(void **state)
{
	struct berth_error *err = NULL;
	int m = -1, s = -1;

	if (access("/dev/ptmx", R_OK | W_OK) < 0)
		skip();
	assert_int_equal(rt_terminal_open(0, 0, &m, &s, &err), 0);
	assert_int_equal(helper_run_child(child_controlling, &s, false, 0), 0);
	close(m);
	close(s);
}

/* The "container": reads a line from the terminal and answers it. */
static void echo_child(int m, int s)
{
	char line[64] = {0};
	char reply[96];
	ssize_t n;
	int len;

	close(m);
	n = read(s, line, sizeof(line) - 1);
	if (n <= 0)
		_exit(1);
	line[strcspn(line, "\n")] = '\0';
	len = snprintf(reply, sizeof(reply), "got:%s\n", line);
	_exit(write(s, reply, (size_t)len) == len ? 0 : 2);
}

struct proxy_args {
	int m, s, in, out;
};

/* The runtime side: stdin/stdout are pipes to the test, proxying for the echo child. */
static int child_proxy(void *arg)
{
	struct proxy_args *a = arg;
	struct berth_error *err = NULL;
	int pidfd, status, r;
	pid_t pid;

	if (dup2(a->in, 0) < 0 || dup2(a->out, 1) < 0)
		return 1;
	pid = fork();
	if (pid == 0)
		echo_child(a->m, a->s);
	close(a->s);
	pidfd = sys_pidfd_open(pid, 0);
	if (pid < 0 || pidfd < 0)
		return 2;
	r = rt_terminal_proxy(a->m, pidfd, &err);
	if (r < 0) {
		fprintf(stderr, "proxy: %s\n", err->msg);
		berth_error_free(&err);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return 3;
	return r < 0 ? 4 : 0;
}

static void test_proxy_round_trip(void **state)
{
	struct berth_error *err = NULL;
	struct proxy_args a;
	int in[2], out[2], rc;
	char buf[512] = {0};
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	if (access("/dev/ptmx", R_OK | W_OK) < 0)
		skip();
	assert_int_equal(rt_terminal_open(0, 0, &a.m, &a.s, &err), 0);
	assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	a.in = in[0];
	a.out = out[1];
	assert_int_equal(write(in[1], "ping\n", 5), 5);
	/* stdin ends right away: the proxy stops reading it and goes on with the output. */
	close(in[1]);
	fflush(stdout);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_proxy(&a));
	close(in[0]);
	close(out[1]);
	close(a.m);
	close(a.s);
	while (len < sizeof(buf) - 1 && (n = read(out[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(out[0]);
	assert_int_equal(waitpid(pid, &rc, 0), pid);
	assert_true(WIFEXITED(rc));
	assert_int_equal(WEXITSTATUS(rc), 0);
	assert_non_null(strstr(buf, "got:ping"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_console_socket),
		cmocka_unit_test(test_console_socket_long_path),
		cmocka_unit_test(test_console_socket_refused),
		cmocka_unit_test(test_make_controlling),
		cmocka_unit_test(test_proxy_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
