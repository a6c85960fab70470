/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the state directory (runtime/state.c) and executable lookup (runtime/process.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "runtime/core.h"

static char tmp[64];

static int setup(void **state)
{
	strcpy(tmp, "/tmp/berth-test-state-XXXXXX");
	return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state)
{
	return fs_rm_rf_at(AT_FDCWD, tmp, NULL);
}

static void test_id_check(void **state)
{
	struct berth_error *err = NULL;

	assert_int_equal(rt_id_check("abc-1.2_x+y", &err), 0);
	assert_int_equal(rt_id_check("", &err), -1);
	berth_error_free(&err);
	assert_int_equal(rt_id_check("..", &err), -1);
	berth_error_free(&err);
	assert_int_equal(rt_id_check("a/b", &err), -1);
	assert_string_equal(err->msg, "invalid container id 'a/b'");
	berth_error_free(&err);
}

static void test_record_roundtrip_and_status(void **state)
{
	struct berth_error *err = NULL;
	char *paths[] = {"memory:/x/y", ":/x/y", NULL};
	struct rt_record in = {.id = "c1",
			       .bundle = "/b",
			       .rootfs = "/b/rootfs",
			       .created = "2026-01-01T00:00:00Z",
			       .owner = "",
			       .pid = getpid(),
			       .cgroup_paths = paths};
	struct rt_record *out = NULL;
	int dirfd = -1;

	assert_int_equal(proc_start_time(getpid(), &in.start_time, &err), 0);
	assert_int_equal(rt_state_dir_create(tmp, "c1", &dirfd, &err), 0);
	assert_int_equal(rt_record_write(dirfd, &in, &err), 0);
	assert_int_equal(rt_record_read(dirfd, "c1", &out, &err), 0);
	assert_string_equal(out->bundle, "/b");
	assert_int_equal(strv_length(out->cgroup_paths), 2);
	assert_string_equal(out->cgroup_paths[1], ":/x/y");
	assert_int_equal(out->pid, getpid());
	assert_string_equal(rt_record_status(dirfd, out), "running");
	assert_int_equal(mkfifoat(dirfd, RT_EXEC_FIFO, 0600), 0);
	assert_string_equal(rt_record_status(dirfd, out), "created");
	out->start_time += 1; /* another process with our pid */
	assert_string_equal(rt_record_status(dirfd, out), "stopped");
	rt_record_free(out);
	close(dirfd);
}

static void test_create_twice_and_missing(void **state)
{
	struct berth_error *err = NULL;
	int dirfd = -1, d2 = -1;

	assert_int_equal(rt_state_dir_create(tmp, "dup", &dirfd, &err), 0);
	assert_int_equal(rt_state_dir_create(tmp, "dup", &d2, &err), -1);
	assert_string_equal(err->msg, "container with id 'dup' already exists");
	berth_error_free(&err);
	assert_int_equal(rt_state_dir_open(tmp, "nope", false, &d2, &err), -1);
	assert_string_equal(err->msg, "container 'nope' does not exist");
	berth_error_free(&err);
	/* a directory without state.json (create in progress, or removed) is not a container */
	assert_int_equal(rt_state_dir_open(tmp, "dup", false, &d2, &err), -1);
	berth_error_free(&err);
	close(dirfd);
	assert_int_equal(rt_state_dir_remove(tmp, "dup", &err), 0);
	assert_false(fs_exists_at(AT_FDCWD, "dup"));
}

static void test_state_json_fields(void **state)
{
	struct rt_state s = {.oci_version = "1.0.2-dev",
			     .id = "x",
			     .pid = 7,
			     .status = "running",
			     .bundle = "/b",
			     .rootfs = "/b/r",
			     .created = "t",
			     .owner = ""};
	char *json = rt_state_to_json(&s);
	const char *keys[] = {"\"ociVersion\"", "\"id\"",     "\"pid\"",     "\"status\"",
			      "\"bundle\"",	"\"rootfs\"", "\"created\"", "\"owner\""};
	const char *prev = json;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *at = strstr(json, keys[i]);
		assert_non_null(at);
		assert_true(at >= prev);
		prev = at;
	}
	free(json);
}

static void test_find_executable(void **state)
{
	struct berth_error *err = NULL;
	char *env[] = {NULL, NULL};
	char *ret = NULL, *exe = fs_path_join(tmp, "tool");
	int fd = open(exe, O_CREAT | O_WRONLY | O_CLOEXEC, 0755);

	assert_true(fd >= 0);
	close(fd);
	env[0] = xasprintf("PATH=/nonexistent:%s", tmp);
	assert_int_equal(rt_find_executable("tool", env, &ret, &err), 0);
	assert_string_equal(ret, exe);
	free(ret);
	assert_int_equal(rt_find_executable("missing-tool", env, &ret, &err), -1);
	assert_string_equal(err->msg, "exec: 'missing-tool': executable file not found in $PATH");
	berth_error_free(&err);
	assert_int_equal(rt_find_executable(exe, env, &ret, &err), 0);
	free(ret);
	free(env[0]);
	free(exe);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_id_check),
		cmocka_unit_test_setup_teardown(test_record_roundtrip_and_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_twice_and_missing, setup, teardown),
		cmocka_unit_test(test_state_json_fields),
		cmocka_unit_test_setup_teardown(test_find_executable, setup, teardown),
	};
	return cmocka_run_group_tests_name("runtime_state", tests, NULL, NULL);
}
