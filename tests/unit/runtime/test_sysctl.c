/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of runtime/sysctl.c: key to path, errors, and a real write in a child's own network namespace. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <sched.h>

#include "base/base.h"
#include "runtime/internal.h"
#include "userns_helper.h"

static void test_missing_key(void **state)
{
	struct oci_kv s = {.key = "berth.test.no_such_key", .value = "1"};
	struct berth_error *err = NULL;

	assert_int_equal(rt_sysctl_apply(&s, 1, &err), -1);
	assert_string_equal(err->msg,
			    "sysctl 'berth.test.no_such_key': open '/proc/sys/berth/test/no_such_key': No such file or "
			    "directory");
	berth_error_free(&err);
}

static void test_invalid_key(void **state)
{
	struct oci_kv s[] = {{.key = "", .value = "1"}, {.key = "/etc/passwd", .value = "1"}};
	struct berth_error *err = NULL;

	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(rt_sysctl_apply(&s[i], 1, &err), -1);
		assert_int_equal(err->code, EINVAL);
		berth_error_free(&err);
	}
	assert_int_equal(rt_sysctl_apply(NULL, 0, &err), 0);
}

static int read_value(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* A new network namespace of our own user namespace lets us write its net.* sysctls. */
static int child_write(void *arg)
{
	struct oci_kv s[] = {{.key = "net.ipv4.ip_forward", .value = "1"},
			     {.key = "net.ipv4.conf.lo.forwarding", .value = "1"}};
	struct berth_error *err = NULL;
	char buf[32];

	if (rt_sysctl_apply(s, 2, &err) < 0) {
		fprintf(stderr, "sysctl: %s\n", err->msg);
		berth_error_free(&err);
		return 1;
	}
	if (read_value("/proc/sys/net/ipv4/ip_forward", buf, sizeof(buf)) < 0 || strcmp(buf, "1") != 0)
		return 2;
	if (read_value("/proc/sys/net/ipv4/conf/lo/forwarding", buf, sizeof(buf)) < 0 || strcmp(buf, "1") != 0)
		return 3;
	return 0;
}

static void test_write_in_netns(void **state)
{
	int rc = helper_run_child(child_write, NULL, true, CLONE_NEWNET);

	if (rc == CHILD_SKIP)
		skip();
	assert_int_equal(rc, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_key),
		cmocka_unit_test(test_invalid_key),
		cmocka_unit_test(test_write_in_netns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
