/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Layout detection from fake mountinfo texts, cgroup path resolution
 * (absolute, relative, default, mount roots), saved paths, and the systemd
 * cgroupsPath conversion.
 */
#include "fixture.h"

#include "runtime/cgroup/internal.h"

#define MI_V2 "30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n"
#define MI_V1                                                                                  \
	"31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"                  \
	"32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n" \
	"35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"           \
	"40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,release_agent=/x,name=systemd\n"

static enum cg_layout detect(const char *mountinfo)
{
	struct cg_fixture *f = cg_fixture_new(mountinfo, "0::/\n");
	struct berth_error *err = NULL;
	enum cg_layout l = (enum cg_layout) - 1;

	assert_int_equal(cg_detect_layout(&f->env, &l, &err), 0);
	assert_null(err);
	cg_fixture_free(f);
	return l;
}

static void test_detect(void **state)
{
	assert_int_equal(detect(MI_V2), CG_LAYOUT_V2);
	assert_int_equal(detect(MI_V1), CG_LAYOUT_V1);
	assert_int_equal(detect(MI_HYBRID), CG_LAYOUT_HYBRID);
	/* a cgroup2 mount somewhere else does not make a hybrid */
	assert_int_equal(detect(MI_V1 "50 23 0:40 / /run/other rw - cgroup2 cgroup2 rw\n"), CG_LAYOUT_V1);
}

static void test_detect_none(void **state)
{
	struct cg_fixture *f = cg_fixture_new("22 1 8:1 / / rw - ext4 /dev/sda1 rw\n", "");
	struct berth_error *err = NULL;
	enum cg_layout l;

	assert_int_equal(cg_detect_layout(&f->env, &l, &err), -1);
	assert_non_null(strstr(err->msg, "no cgroup hierarchy mounted"));
	berth_error_free(&err);
	f->env.mountinfo = "/nonexistent/mountinfo";
	assert_int_equal(cg_detect_layout(&f->env, &l, &err), -1);
	assert_int_equal(err->code, ENOENT);
	berth_error_free(&err);
	cg_fixture_free(f);
}

static void test_read_mounts(void **state)
{
	struct cg_fixture *f =
		cg_fixture_new(MI_V1 "60 23 0:29 / /mnt/cpu\\040x rw - cgroup cgroup rw,cpuacct,cpu\n", "");
	struct cg_mount *v = NULL;
	size_t n = 0;

	assert_int_equal(cg_read_mounts(f->mountinfo, f->root, &v, &n, NULL), 0);
	/* the second mount of cpu,cpuacct is the same hierarchy */
	assert_int_equal(n, 3);
	assert_false(v[0].is_v2);
	assert_string_equal(v[0].ctrls[0], "cpu");
	assert_string_equal(v[0].ctrls[1], "cpuacct");
	assert_null(v[0].ctrls[2]);
	assert_non_null(strstr(v[0].mountpoint, "/cgroup/cpu,cpuacct"));
	assert_string_equal(v[2].ctrls[0], "name=systemd");
	assert_null(v[2].ctrls[1]);
	cg_mounts_free(v, n);
	cg_fixture_free(f);
}

static void test_self_path(void **state)
{
	char *p;

	p = cg_self_path(SELF_HYBRID, "memory");
	assert_string_equal(p, "/process_api/abc");
	free(p);
	p = cg_self_path(SELF_HYBRID, "cpuacct,cpu");
	assert_string_equal(p, "/user");
	free(p);
	p = cg_self_path(SELF_HYBRID, "");
	assert_string_equal(p, "/");
	free(p);
	p = cg_self_path(SELF_HYBRID, "name=systemd");
	assert_string_equal(p, "/");
	free(p);
	assert_null(cg_self_path(SELF_HYBRID, "blkio"));
	assert_null(cg_self_path("1:cpu:/x\n", ""));
}

static struct cg_manager *manager(struct cg_fixture *f, const char *path, const char *id)
{
	struct cg_manager *m = NULL;
	struct berth_error *err = NULL;

	assert_int_equal(cg_manager_new(&f->env, path, id, false, &m, &err), 0);
	assert_null(err);
	return m;
}

static void expect_dir(struct cg_fixture *f, struct cg_manager *m, const char *ctrl, const char *rel)
{
	char *want = xasprintf("%s/%s", f->root, rel);

	assert_string_equal(cg_manager_dir(m, ctrl), want);
	free(want);
}

static void test_paths_hybrid(void **state)
{
	struct cg_fixture *f = cg_fixture_new(MI_HYBRID, SELF_HYBRID);
	struct cg_manager *m;

	/* empty: "<id>" below our own cgroup in each hierarchy, as runc 1.1 */
	m = manager(f, NULL, "berth-test-1");
	assert_int_equal(cg_manager_layout(m), CG_LAYOUT_HYBRID);
	expect_dir(f, m, "memory", "memory/process_api/abc/berth-test-1");
	expect_dir(f, m, "cpu", "cpu,cpuacct/user/berth-test-1");
	expect_dir(f, m, "cpuacct", "cpu,cpuacct/user/berth-test-1");
	expect_dir(f, m, "name=systemd", "systemd/berth-test-1");
	expect_dir(f, m, "", "unified/berth-test-1");
	assert_null(cg_manager_dir(m, "blkio"));
	assert_string_equal(cg_manager_path(m), "/berth-test-1");
	cg_manager_free(m);

	/* absolute: below each hierarchy's root */
	m = manager(f, "/a/b/../c", "x");
	expect_dir(f, m, "memory", "memory/a/c");
	expect_dir(f, m, "cpu", "cpu,cpuacct/a/c");
	assert_string_equal(cg_manager_path(m), "/a/c");
	cg_manager_free(m);

	/* relative */
	m = manager(f, "pod/c1", "x");
	expect_dir(f, m, "memory", "memory/process_api/abc/pod/c1");
	expect_dir(f, m, "pids", "pids/pod/c1");
	cg_manager_free(m);
	cg_fixture_free(f);
}

static void test_paths_v2_mount_root(void **state)
{
	/* inside a container without cgroupns: the mount shows /docker/abc of the hierarchy */
	struct cg_fixture *f =
		cg_fixture_new("30 23 0:26 /docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", "0::/docker/abc\n");
	struct cg_manager *m = manager(f, "inner", "x");

	assert_int_equal(cg_manager_layout(m), CG_LAYOUT_V2);
	expect_dir(f, m, "", "inner");
	expect_dir(f, m, "memory", "inner");
	assert_string_equal(cg_manager_path(m), "/docker/abc/inner");
	cg_manager_free(m);
	cg_fixture_free(f);
}

static void test_paths_errors(void **state)
{
	struct cg_fixture *f = cg_fixture_new(MI_HYBRID, "0::/\n4:memory:/\n");
	struct cg_manager *m = NULL;
	struct berth_error *err = NULL;

	/* the root of a hierarchy is never the container's cgroup */
	assert_int_equal(cg_manager_new(&f->env, "/", "x", false, &m, &err), -1);
	assert_non_null(strstr(err->msg, "is the root of"));
	berth_error_free(&err);
	assert_int_equal(cg_manager_new(&f->env, "..", "x", false, &m, &err), -1);
	berth_error_free(&err);
	/* relative, but our own cgroup in cpu,cpuacct is unknown */
	assert_int_equal(cg_manager_new(&f->env, "c", "x", false, &m, &err), -1);
	assert_non_null(strstr(err->msg, "no 'cpu,cpuacct' hierarchy in"));
	berth_error_free(&err);
	assert_int_equal(cg_manager_new(&f->env, "", "", false, &m, &err), -1);
	berth_error_free(&err);
	assert_int_equal(cg_manager_new(&f->env, NULL, "a/b", false, &m, &err), -1);
	berth_error_free(&err);
	assert_null(m);
	cg_fixture_free(f);
}

static void test_paths_save_load(void **state)
{
	struct cg_fixture *f = cg_fixture_new(MI_HYBRID, SELF_HYBRID);
	struct cg_manager *m = manager(f, NULL, "berth-test-2"), *m2 = NULL;
	char **paths = cg_manager_paths(m);

	assert_int_equal(strv_length(paths), 8);
	assert_true(strv_contains(paths, "memory:/process_api/abc/berth-test-2"));
	assert_true(strv_contains(paths, "cpu,cpuacct:/user/berth-test-2"));
	assert_true(strv_contains(paths, "name=systemd:/berth-test-2"));
	assert_true(strv_contains(paths, ":/berth-test-2"));
	/* a later process in another cgroup finds the same directories */
	fx_write(f->self, "0::/elsewhere\n4:memory:/elsewhere\n");
	assert_int_equal(cg_manager_load(&f->env, paths, &m2, NULL), 0);
	assert_string_equal(cg_manager_dir(m2, "memory"), cg_manager_dir(m, "memory"));
	assert_string_equal(cg_manager_dir(m2, "cpuacct"), cg_manager_dir(m, "cpuacct"));
	assert_string_equal(cg_manager_dir(m2, ""), cg_manager_dir(m, ""));
	assert_string_equal(cg_manager_path(m2), "/berth-test-2");
	cg_manager_free(m2);
	m2 = NULL;
	/* hierarchies missing from the saved lines are left out */
	char *only[] = {"memory:/x", NULL};
	assert_int_equal(cg_manager_load(&f->env, only, &m2, NULL), 0);
	assert_null(cg_manager_dir(m2, "pids"));
	assert_non_null(cg_manager_dir(m2, "memory"));
	cg_manager_free(m2);
	strv_free(paths);
	cg_manager_free(m);
	cg_fixture_free(f);
}

static void expect_systemd(const char *in, const char *id, const char *want)
{
	char *out = NULL;
	struct berth_error *err = NULL;

	assert_int_equal(cg_systemd_path_to_cgroupfs(in, id, &out, &err), 0);
	assert_string_equal(out, want);
	free(out);
}

static void expect_systemd_fails(const char *in)
{
	char *out = NULL;
	struct berth_error *err = NULL;

	assert_int_equal(cg_systemd_path_to_cgroupfs(in, "id", &out, &err), -1);
	assert_null(out);
	assert_non_null(err->msg);
	berth_error_free(&err);
}

static void test_systemd_path(void **state)
{
	expect_systemd("system.slice:docker:abc", NULL, "/system.slice/docker-abc.scope");
	expect_systemd("machine-pod-x.slice:crio:c1", NULL,
		       "/machine.slice/machine-pod.slice/machine-pod-x.slice/crio-c1.scope");
	expect_systemd(":berth:abc", NULL, "/system.slice/berth-abc.scope");
	expect_systemd("-.slice::abc", NULL, "/abc.scope");
	expect_systemd("user.slice:p:sub.slice", NULL, "/user.slice/sub.slice");
	expect_systemd(NULL, "c9", "/system.slice/berth-c9.scope");
	expect_systemd("", "c9", "/system.slice/berth-c9.scope");
	expect_systemd_fails("/abs/path");
	expect_systemd_fails("a:b");
	expect_systemd_fails("a.slice:b:c:d");
	expect_systemd_fails("nota-slice:p:n");
	expect_systemd_fails("a--b.slice:p:n");
	expect_systemd_fails("-a.slice:p:n");
	expect_systemd_fails("system.slice:p:");
	expect_systemd_fails("system.slice:p:x/y");
}

static void test_systemd_driver_fallback(void **state)
{
	struct cg_fixture *f = cg_fixture_new(MI_HYBRID, SELF_HYBRID);
	struct cg_manager *m = NULL;

	/* without systemd running, the converted path is used with cgroupfs */
	assert_int_equal(cg_manager_new(&f->env, "system.slice:berth:c1", "c1", true, &m, NULL), 0);
	expect_dir(f, m, "memory", "memory/system.slice/berth-c1.scope");
	cg_manager_free(m);
	cg_fixture_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_detect, cg_fixture_teardown),
		cmocka_unit_test_teardown(test_detect_none, cg_fixture_teardown),
		cmocka_unit_test_teardown(test_read_mounts, cg_fixture_teardown),
		cmocka_unit_test_teardown(test_self_path, cg_fixture_teardown),
		cmocka_unit_test_teardown(test_paths_hybrid, cg_fixture_teardown),
		cmocka_unit_test_teardown(test_paths_v2_mount_root, cg_fixture_teardown),
		cmocka_unit_test_teardown(test_paths_errors, cg_fixture_teardown),
		cmocka_unit_test_teardown(test_paths_save_load, cg_fixture_teardown),
		cmocka_unit_test_teardown(test_systemd_path, cg_fixture_teardown),
		cmocka_unit_test_teardown(test_systemd_driver_fallback, cg_fixture_teardown),
	};

	berth_log_set_level(BERTH_LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
