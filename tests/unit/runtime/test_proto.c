/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the setup protocol framing (runtime/proto.c) over a socketpair. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/base.h"
#include "runtime/proto.h"

static int sv[2];

static int setup(void **state)
{
	return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv);
}

static int teardown(void **state)
{
	close(sv[0]);
	close(sv[1]);
	return 0;
}

static void test_roundtrip(void **state)
{
	struct berth_error *err = NULL;
	struct rt_msg m;
	int fd = -2;

	assert_int_equal(rt_msg_send(sv[0], RT_MSG_GO, 42, NULL, -1, &err), 0);
	assert_int_equal(rt_msg_recv(sv[1], &m, &fd, &err), 0);
	assert_int_equal(m.type, RT_MSG_GO);
	assert_int_equal(m.code, 42);
	assert_int_equal(fd, -1);
}

static void test_fd_passing(void **state)
{
	struct berth_error *err = NULL;
	int p[2], fd = -1;
	char c = 0;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_int_equal(rt_msg_send(sv[0], RT_MSG_PTY, 0, NULL, p[0], &err), 0);
	assert_int_equal(rt_msg_expect(sv[1], RT_MSG_PTY, &fd, &err), 0);
	assert_true(fd >= 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(read(fd, &c, 1), 1);
	assert_int_equal(c, 'x');
	close(fd);
	close(p[0]);
	close(p[1]);
}

static void test_error_message_becomes_error(void **state)
{
	struct berth_error *err = NULL;
	struct rt_msg m;

	assert_int_equal(rt_msg_send(sv[0], RT_MSG_ERROR, 2, "mount 'proc' on '/proc': No such file", -1, &err), 0);
	assert_int_equal(rt_msg_recv(sv[1], &m, NULL, &err), -1);
	assert_non_null(err);
	assert_string_equal(err->msg, "mount 'proc' on '/proc': No such file");
	assert_int_equal(err->code, 2);
	berth_error_free(&err);
}

static void test_unexpected_type(void **state)
{
	struct berth_error *err = NULL;

	assert_int_equal(rt_msg_send(sv[0], RT_MSG_READY, 0, NULL, -1, &err), 0);
	assert_int_equal(rt_msg_expect(sv[1], RT_MSG_GO, NULL, &err), -1);
	assert_non_null(strstr(err->msg, "expected GO, got READY"));
	berth_error_free(&err);
}

static void test_eof_is_error(void **state)
{
	struct berth_error *err = NULL;
	struct rt_msg m;

	close(sv[0]);
	sv[0] = -1;
	assert_int_equal(rt_msg_recv(sv[1], &m, NULL, &err), -1);
	assert_non_null(strstr(err->msg, "exited unexpectedly"));
	berth_error_free(&err);
}

static void test_long_text_truncated(void **state)
{
	struct berth_error *err = NULL;
	struct rt_msg m;
	char big[RT_MSG_TEXT_MAX * 2];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(rt_msg_send(sv[0], RT_MSG_ERROR, 0, big, -1, &err), 0);
	assert_int_equal(rt_msg_recv(sv[1], &m, NULL, &err), -1);
	assert_int_equal(strlen(err->msg), RT_MSG_TEXT_MAX - 1);
	berth_error_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fd_passing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_message_becomes_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unexpected_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eof_is_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_text_truncated, setup, teardown),
	};
	return cmocka_run_group_tests_name("runtime_proto", tests, NULL, NULL);
}
