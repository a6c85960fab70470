/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of base/fdpass.c: SCM_RIGHTS over SOCK_SEQPACKET and SOCK_STREAM pairs. */
#include "fixture.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "base/base.h"

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void pass_pipe(int type)
{
	_cleanup_error_ struct berth_error *err = NULL;
	int sv[2], p[2], got[4] = {-1, -1, -1, -1};
	size_t nfds = 99;
	char buf[16] = {0};

	assert_int_equal(socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_int_equal(fd_send(sv[0], "hi", 2, p, 2, &err), 0);
	assert_int_equal(fd_recv(sv[1], buf, sizeof(buf), got, 4, &nfds, &err), 2);
	assert_memory_equal(buf, "hi", 2);
	assert_int_equal(nfds, 2);
	for (int i = 0; i < 2; i++)
		assert_true(fcntl(got[i], F_GETFD) & FD_CLOEXEC);
	/* the received write end feeds the original read end */
	assert_int_equal(write(got[1], "x", 1), 1);
	assert_int_equal(read(p[0], buf, 1), 1);
	assert_int_equal(buf[0], 'x');
	/* a message without fds */
	assert_int_equal(fd_send(sv[0], "plain", 5, NULL, 0, &err), 0);
	assert_int_equal(fd_recv(sv[1], buf, sizeof(buf), got + 2, 2, &nfds, &err), 5);
	assert_int_equal(nfds, 0);
	/* EOF */
	close(sv[0]);
	assert_int_equal(fd_recv(sv[1], buf, sizeof(buf), got + 2, 2, &nfds, &err), 0);
	assert_null(err);
	close(sv[1]);
	for (int i = 0; i < 2; i++) {
		close(p[i]);
		close(got[i]);
	}
}

static void test_seqpacket(void **state)
{
	pass_pipe(SOCK_SEQPACKET);
}

static void test_stream(void **state)
{
	pass_pipe(SOCK_STREAM);
}

static void test_too_many_fds(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;
	int sv[2], fds[3], got[1] = {-1};
	size_t nfds = 0;
	char buf[8];
	int before;

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	for (int i = 0; i < 3; i++)
		fds[i] = sv[0];
	before = count_fds();
	assert_int_equal(fd_send(sv[0], "m", 1, fds, 3, &err), 0);
	assert_int_equal(fd_recv(sv[1], buf, sizeof(buf), got, 1, &nfds, &err), -1);
	assert_int_equal(err->code, EMSGSIZE);
	assert_string_equal(err->msg, "receive message: more than 1 fds: Message too long");
	/* nothing leaked */
	assert_int_equal(count_fds(), before);
	close(sv[0]);
	close(sv[1]);
}

static void test_truncated(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;
	int sv[2], got[1] = {-1};
	size_t nfds = 0;
	char buf[4];
	int before;

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	before = count_fds();
	assert_int_equal(fd_send(sv[0], "0123456789", 10, sv, 1, &err), 0);
	assert_int_equal(fd_recv(sv[1], buf, sizeof(buf), got, 1, &nfds, &err), -1);
	assert_int_equal(err->code, EMSGSIZE);
	assert_int_equal(count_fds(), before);
	close(sv[0]);
	close(sv[1]);
}

static void test_send_errors(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(fd_send(sv[0], "", 0, sv, 1, &err), -1);
	assert_int_equal(err->code, EINVAL);
	close(sv[1]);
	/* peer gone: EPIPE, without SIGPIPE killing us */
	assert_int_equal(fd_send(sv[0], "x", 1, NULL, 0, &err), -1);
	assert_int_equal(err->code, EPIPE);
	assert_string_equal(err->msg, "send message with 0 fds: Broken pipe");
	close(sv[0]);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void test_recv_eintr(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;
	struct sigaction sa = {.sa_handler = on_alarm}, old;
	struct itimerval tv = {{0, 20000}, {0, 20000}}, off = {{0, 0}, {0, 0}};
	int sv[2], got[1] = {-1}, status;
	size_t nfds = 9;
	char buf[8];
	pid_t pid;

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		usleep(200000);
		_exit(fd_send(sv[0], "late", 4, NULL, 0, NULL) < 0);
	}
	/* no SA_RESTART: recvmsg sees EINTR every 20ms */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old);
	setitimer(ITIMER_REAL, &tv, NULL);
	assert_int_equal(fd_recv(sv[1], buf, sizeof(buf), got, 1, &nfds, &err), 4);
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old, NULL);
	assert_int_equal(nfds, 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seqpacket),    cmocka_unit_test(test_stream),
		cmocka_unit_test(test_too_many_fds), cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_send_errors),  cmocka_unit_test(test_recv_eintr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
