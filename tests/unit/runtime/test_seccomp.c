/* SPDX-License-Identifier: GPL-2.0-or-later */
/* seccomp filters: built from decoded profiles, then loaded in forked children (no_new_privs, no root needed). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "base/base.h"
#include "oci/oci.h"
#include "runtime/internal.h"

static struct oci_config *profile(const char *seccomp)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *json = xasprintf("{\"ociVersion\": \"1.0.2\", \"linux\": {\"seccomp\": %s}}", seccomp);
	struct oci_config *c = NULL;

	if (oci_config_parse(json, strlen(json), "config.json", &c, &err) < 0)
		fail_msg("%s: %s", json, err->msg);
	assert_non_null(c->linux_.seccomp);
	return c;
}

static void build_ok(const char *seccomp, struct rt_seccomp *ret)
{
	_cleanup_error_ struct berth_error *err = NULL;
	struct oci_config *c = profile(seccomp);

	if (rt_seccomp_build(c->linux_.seccomp, ret, &err) < 0)
		fail_msg("%s: %s", seccomp, err->msg);
	oci_config_free(c);
	assert_non_null(ret->insns);
	assert_true(ret->len > 0);
}

static void test_build(void **state)
{
	struct rt_seccomp f = {0}, g = {0};

	build_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], "
		 "\"action\": \"SCMP_ACT_ERRNO\"}]}",
		 &f);
	assert_int_equal(f.flags, 0);
	/* names this libseccomp does not know are skipped: the same program */
	build_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\", \"no_such_call\", "
		 "\"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\"}, {\"names\": [\"also_unknown\"], \"action\": "
		 "\"SCMP_ACT_KILL\"}]}",
		 &g);
	assert_int_equal(f.len, g.len);
	assert_memory_equal(f.insns, g.insns, f.len * 8);
	rt_seccomp_done(&f);
	rt_seccomp_done(&g);
	assert_null(f.insns);
}

static void test_build_variants(void **state)
{
#ifdef __clang__
/* long JSON profiles are split over lines on purpose */
#pragma clang diagnostic ignored "-Wstring-concatenation"
#endif
	static const char *const profiles[] = {
		/* every action, default errno, architectures, redundant rule (the default action) */
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38, \"architectures\": "
		"[\"SCMP_ARCH_X86_64\", "
		"\"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"], \"syscalls\": [{\"names\": [\"read\", \"write\", \"exit\"], "
		"\"action\": \"SCMP_ACT_ALLOW\"}, {\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_LOG\"}, {\"names\": "
		"[\"getppid\"], \"action\": \"SCMP_ACT_TRAP\"}, {\"names\": [\"getuid\"], \"action\": "
		"\"SCMP_ACT_TRACE\"}, "
		"{\"names\": [\"getgid\"], \"action\": \"SCMP_ACT_KILL_PROCESS\"}, {\"names\": [\"geteuid\"], "
		"\"action\": "
		"\"SCMP_ACT_KILL_THREAD\"}, {\"names\": [\"getegid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": "
		"38}]}",
		/* every operator, ANDed on distinct arguments */
		"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mmap\"], \"action\": "
		"\"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_NE\"}, {\"index\": 1, "
		"\"value\": 2, \"op\": \"SCMP_CMP_LT\"}, {\"index\": 2, \"value\": 3, \"op\": \"SCMP_CMP_LE\"}, "
		"{\"index\": 3, "
		"\"value\": 4, \"op\": \"SCMP_CMP_EQ\"}, {\"index\": 4, \"value\": 5, \"op\": \"SCMP_CMP_GE\"}, "
		"{\"index\": 5, "
		"\"value\": 18446744073709551615, \"op\": \"SCMP_CMP_GT\"}]}, {\"names\": [\"ioctl\"], \"action\": "
		"\"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 1, \"value\": 65535, \"valueTwo\": 21505, \"op\": "
		"\"SCMP_CMP_MASKED_EQ\"}]}]}",
		/* the same argument twice: one rule per condition, as runc */
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"personality\"], \"action\": "
		"\"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"}, {\"index\": 0, "
		"\"value\": 8, \"op\": \"SCMP_CMP_EQ\"}]}]}",
		/* only unknown names: the default action alone */
		"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"nope\"], \"action\": "
		"\"SCMP_ACT_KILL\"}]}",
	};

	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		struct rt_seccomp f = {0};

		build_ok(profiles[i], &f);
		rt_seccomp_done(&f);
	}
}

static void test_flags(void **state)
{
	struct rt_seccomp f = {0};

	berth_log_set_level(BERTH_LOG_ERROR);
	build_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\", "
		 "\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\", \"SECCOMP_FILTER_FLAG_TSYNC\", "
		 "\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\", \"SECCOMP_FILTER_FLAG_FROM_THE_FUTURE\"]}",
		 &f);
	assert_int_equal(f.flags, SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW);
	assert_false(f.notify);
	rt_seccomp_done(&f);
	/* a NOTIFY rule asks the kernel for a listener, and then WAIT_KILLABLE_RECV is valid */
	build_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/l\", \"flags\": "
		 "[\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"], \"syscalls\": [{\"names\": [\"getpid\"], "
		 "\"action\": \"SCMP_ACT_NOTIFY\"}]}",
		 &f);
	assert_true(f.notify);
	assert_int_equal(f.flags, SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
	rt_seccomp_done(&f);
	berth_log_set_level(BERTH_LOG_WARN);
}

static void test_errors(void **state)
{
	static const struct {
		const char *seccomp;
		const char *msg;
	} cases[] = {
		{"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"\"], \"action\": "
		 "\"SCMP_ACT_KILL\"}]}",
		 "seccomp: empty string is not a valid syscall"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		_cleanup_error_ struct berth_error *err = NULL;
		struct oci_config *c = profile(cases[i].seccomp);
		struct rt_seccomp f = {0};

		assert_int_equal(rt_seccomp_build(c->linux_.seccomp, &f, &err), -1);
		assert_string_equal(err->msg, cases[i].msg);
		assert_null(f.insns);
		oci_config_free(c);
	}
}

/* Fork, load f with no_new_privs, run fn; the child's exit status or terminating signal (+128). */
static int in_filtered_child(const struct rt_seccomp *f, int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct berth_error *err = NULL;

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || rt_seccomp_load(f, NULL, &err) < 0)
			_exit(100);
		_exit(fn());
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

/* errno of mkdir on a path that cannot exist: the filter answers first */
static int try_mkdir(void)
{
	return mkdir("/nonexistent-berth-test/x", 0755) < 0 ? errno : 0;
}

static int try_kill(void)
{
	if (kill(getpid(), SIGWINCH) < 0)
		return 90;
	return kill(getpid(), 0) < 0 ? errno : 0;
}

static int try_getppid(void)
{
	getppid();
	return 0;
}

/* The cache: a miss builds and stores, a hit gives the same program, a foreign entry under our name is rebuilt. */
static void test_cache(void **state)
{
	const char *json = "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"], "
			   "\"action\": \"SCMP_ACT_ERRNO\"}]}";
	char root[] = "/tmp/berth-test-seccomp-cache-XXXXXX";
	struct oci_config *c = profile(json);
	const struct oci_seccomp *sc = c->linux_.seccomp;
	_cleanup_error_ struct berth_error *err = NULL;
	struct rt_seccomp a = {0}, b = {0}, d = {0};
	_cleanup_free_ char *dir = NULL;
	struct dirent *de;
	DIR *dp;

	assert_non_null(mkdtemp(root));
	assert_int_equal(rt_seccomp_build_cached(sc, c->linux_.seccomp_json, root, &a, &err), 0);
	assert_int_equal(rt_seccomp_build_cached(sc, c->linux_.seccomp_json, root, &b, &err), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.insns, b.insns, a.len * sizeof(struct sock_filter));
	/* replace the entry with one for another profile under the same name: it must not be used */
	dir = fs_path_join(root, ".seccomp");
	dp = opendir(dir);
	assert_non_null(dp);
	while ((de = readdir(dp)))
		if (de->d_name[0] != '.')
			assert_int_equal(
				fs_write_file_atomic_at(dirfd(dp), de->d_name, "x\n{}\0AAAAAAAA", 14, 0600, &err), 0);
	closedir(dp);
	assert_int_equal(rt_seccomp_build_cached(sc, c->linux_.seccomp_json, root, &d, &err), 0);
	assert_int_equal(a.len, d.len);
	assert_memory_equal(a.insns, d.insns, a.len * sizeof(struct sock_filter));
	rt_seccomp_done(&a);
	rt_seccomp_done(&b);
	rt_seccomp_done(&d);
	oci_config_free(c);
	assert_int_equal(fs_rm_rf_at(AT_FDCWD, root, &err), 0);
}

static void test_load(void **state)
{
	struct rt_seccomp f = {0};

	build_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], "
		 "\"action\": \"SCMP_ACT_ERRNO\"}]}",
		 &f);
	assert_int_equal(in_filtered_child(&f, try_mkdir), EPERM);
	rt_seccomp_done(&f);

	build_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], "
		 "\"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38}]}",
		 &f);
	assert_int_equal(in_filtered_child(&f, try_mkdir), ENOSYS);
	rt_seccomp_done(&f);

	/* signal 0 denied, others allowed */
	build_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"kill\"], \"action\": "
		 "\"SCMP_ACT_ERRNO\", \"errnoRet\": 13, \"args\": [{\"index\": 1, \"value\": 0, \"op\": "
		 "\"SCMP_CMP_EQ\"}]}]}",
		 &f);
	assert_int_equal(in_filtered_child(&f, try_kill), EACCES);
	rt_seccomp_done(&f);

	build_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"getppid\"], \"action\": "
		 "\"SCMP_ACT_KILL\"}]}",
		 &f);
	assert_int_equal(in_filtered_child(&f, try_getppid), 128 + SIGSYS);
	rt_seccomp_done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build),  cmocka_unit_test(test_build_variants), cmocka_unit_test(test_flags),
		cmocka_unit_test(test_errors), cmocka_unit_test(test_load),	      cmocka_unit_test(test_cache),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
