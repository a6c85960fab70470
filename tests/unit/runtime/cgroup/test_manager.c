/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * create/enter/pids/apply/kill/destroy against temp-dir hierarchies (plain
 * directories; cgroup knobs are plain files the test puts there).
 */
#include <signal.h>

#include "fixture.h"

#include "oci/oci.h"
#include "runtime/cgroup/internal.h"

/* Hybrid without cpuset: no knob has to exist for cg_create. */
#define MI_PLAIN                                                                         \
	"32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"    \
	"35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"              \
	"37 31 0:34 / /sys/fs/cgroup/freezer rw - cgroup cgroup rw,freezer\n"            \
	"39 31 0:36 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n"                  \
	"40 31 0:37 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd\n" \
	"41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
#define MI_V2 "30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n"

static int unlink_files(const char *p, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_F ? unlink(p) : 0;
}

/* Drop the fake knobs, which a real cgroupfs rmdir would not mind. */
static void drop_knobs(struct cg_fixture *f)
{
	nftw(f->root, unlink_files, 16, FTW_PHYS);
}

static void make_mountpoints(struct cg_fixture *f)
{
	const char *mps[] = {"cpu,cpuacct", "memory", "freezer", "pids", "systemd", "unified", NULL};

	for (size_t i = 0; mps[i]; i++) {
		char *p = xasprintf("%s/%s", f->root, mps[i]);
		assert_int_equal(mkdir(p, 0755), 0);
		free(p);
	}
}

/* dir/name in a static buffer */
static const char *in_dir(const char *dir, const char *name)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "%s/%s", dir, name);
	return buf;
}

static struct cg_manager *manager(struct cg_fixture *f, const char *path, const char *id)
{
	struct cg_manager *m = NULL;

	assert_int_equal(cg_manager_new(&f->env, path, id, false, &m, NULL), 0);
	return m;
}

static void test_create_enter_destroy(void **state)
{
	struct cg_fixture *f = cg_fixture_new(MI_PLAIN, SELF_HYBRID);
	struct cg_manager *m;
	struct berth_error *err = NULL;
	pid_t *pids = NULL;
	size_t n = 0;
	char *s;

	make_mountpoints(f);
	fx_put(f->root, "pids/keep/cgroup.procs", "");
	m = manager(f, NULL, "berth-test-a");
	assert_int_equal(cg_create(m, &err), 0);
	assert_null(err);
	assert_true(fx_exists(f->root, "cpu,cpuacct/user/berth-test-a"));
	assert_true(fx_exists(f->root, "memory/process_api/abc/berth-test-a"));
	assert_true(fx_exists(f->root, "systemd/berth-test-a"));
	assert_true(fx_exists(f->root, "unified/berth-test-a"));
	assert_int_equal(cg_v2_dirfd(m), -1);

	/* enter writes the pid to cgroup.procs of every hierarchy; missing knobs are errors */
	assert_int_equal(cg_enter(m, 4242, &err), -1);
	assert_int_equal(err->code, ENOENT);
	berth_error_free(&err);
	for (size_t i = 0; i < m->n; i++)
		fx_write(s = xasprintf("%s/cgroup.procs", m->h[i].dir), ""), free(s);
	assert_int_equal(cg_enter(m, 4242, NULL), 0);
	s = fx_get(f->root, "memory/process_api/abc/berth-test-a/cgroup.procs");
	assert_string_equal(s, "4242");
	free(s);

	/* pids: the pids hierarchy, sub-cgroups included */
	fx_put(f->root, "pids/berth-test-a/sub/cgroup.procs", "7\n8\n");
	assert_int_equal(cg_pids(m, &pids, &n, NULL), 0);
	assert_int_equal(n, 3);
	assert_int_equal(pids[0], 4242);
	assert_int_equal(pids[1] + pids[2], 15);
	free(pids);

	drop_knobs(f);
	assert_int_equal(cg_destroy(m, &err), 0);
	assert_false(fx_exists(f->root, "memory/process_api/abc/berth-test-a"));
	/* parents cg_create made go too; mount points and foreign dirs stay */
	assert_false(fx_exists(f->root, "memory/process_api"));
	assert_false(fx_exists(f->root, "cpu,cpuacct/user"));
	assert_false(fx_exists(f->root, "unified/berth-test-a"));
	assert_true(fx_exists(f->root, "memory"));
	assert_true(fx_exists(f->root, "pids/keep"));
	/* twice is fine, and so are pids of a gone cgroup */
	assert_int_equal(cg_destroy(m, NULL), 0);
	assert_int_equal(cg_pids(m, &pids, &n, NULL), 0);
	assert_int_equal(n, 0);
	assert_null(pids);
	cg_manager_free(m);
	cg_fixture_free(f);
}

static void test_destroy_keeps_existing_parents(void **state)
{
	struct cg_fixture *f = cg_fixture_new(MI_PLAIN, SELF_HYBRID);
	struct cg_manager *m, *m2;

	make_mountpoints(f);
	m = manager(f, "/pod/berth-test-p", "x");
	m2 = manager(f, "/pod/berth-test-q", "y");
	assert_int_equal(cg_create(m, NULL), 0);
	assert_int_equal(cg_create(m2, NULL), 0);
	/* m made /pod; m2 found it */
	assert_int_equal(cg_destroy(m, NULL), 0);
	assert_true(fx_exists(f->root, "memory/pod/berth-test-q"));
	assert_false(fx_exists(f->root, "memory/pod/berth-test-p"));
	assert_int_equal(cg_destroy(m2, NULL), 0);
	assert_true(fx_exists(f->root, "memory/pod"));
	cg_manager_free(m);
	cg_manager_free(m2);
	cg_fixture_free(f);
}

static void test_cpuset_inherit(void **state)
{
	struct cg_fixture *f =
		cg_fixture_new("34 31 0:31 / /sys/fs/cgroup/cpuset rw - cgroup cgroup rw,cpuset\n", "3:cpuset:/\n");
	struct cg_manager *m;
	char *s;

	fx_put(f->root, "cpuset/cpuset.cpus", "0-3\n");
	fx_put(f->root, "cpuset/cpuset.mems", "0\n");
	fx_put(f->root, "cpuset/a/cpuset.cpus", "\n");
	fx_put(f->root, "cpuset/a/cpuset.mems", "");
	fx_put(f->root, "cpuset/a/berth-test-c/cpuset.cpus", "1\n");
	fx_put(f->root, "cpuset/a/berth-test-c/cpuset.mems", "\n");
	m = manager(f, "a/berth-test-c", "x");
	assert_int_equal(cg_create(m, NULL), 0);
	/* top-down: a got the root's values, the leaf keeps its cpus and gets a's mems */
	s = fx_get(f->root, "cpuset/a/cpuset.cpus");
	assert_string_equal(s, "0-3");
	free(s);
	s = fx_get(f->root, "cpuset/a/berth-test-c/cpuset.cpus");
	assert_string_equal(s, "1\n");
	free(s);
	s = fx_get(f->root, "cpuset/a/berth-test-c/cpuset.mems");
	assert_string_equal(s, "0");
	free(s);
	cg_manager_free(m);
	cg_fixture_free(f);
}

static void test_create_failure_undoes(void **state)
{
	struct cg_fixture *f = cg_fixture_new(MI_HYBRID, SELF_HYBRID);
	struct cg_manager *m;
	struct berth_error *err = NULL;

	make_mountpoints(f);
	assert_int_equal(mkdir(in_dir(f->root, "cpuset"), 0755), 0);
	assert_int_equal(mkdir(in_dir(f->root, "devices"), 0755), 0);
	/* the fake cpuset has no knobs: preparing it fails after every mkdir */
	m = manager(f, "/x/berth-test-f", "x");
	assert_int_equal(cg_create(m, &err), -1);
	assert_non_null(strstr(err->msg, "cpuset.cpus"));
	berth_error_free(&err);
	assert_false(fx_exists(f->root, "memory/x"));
	assert_false(fx_exists(f->root, "cpuset/x"));
	assert_false(fx_exists(f->root, "unified/x"));
	assert_true(fx_exists(f->root, "memory"));
	cg_manager_free(m);
	cg_fixture_free(f);
}

static void test_apply_v1(void **state)
{
	struct cg_fixture *f = cg_fixture_new(MI_PLAIN, SELF_HYBRID);
	struct oci_resources r = {
		.has_memory_limit = true, .memory_limit = -1, .has_cpu_shares = true, .cpu_shares = 512};
	struct cg_manager *m;
	struct berth_error *err = NULL;
	char *s;

	make_mountpoints(f);
	m = manager(f, "/berth-test-v1", "x");
	assert_int_equal(cg_create(m, NULL), 0);
	fx_put(f->root, "memory/berth-test-v1/memory.limit_in_bytes", "9223372036854771712\n");
	fx_put(f->root, "cpu,cpuacct/berth-test-v1/cpu.shares", "1024\n");
	/* unlimited memsw without swap accounting (no memsw file) is fine */
	assert_int_equal(cg_apply(m, &r, &err), 0);
	assert_null(err);
	s = fx_get(f->root, "memory/berth-test-v1/memory.limit_in_bytes");
	assert_string_equal(s, "-1");
	free(s);
	s = fx_get(f->root, "cpu,cpuacct/berth-test-v1/cpu.shares");
	assert_string_equal(s, "512");
	free(s);
	assert_int_equal(cg_apply(m, NULL, NULL), 0);

	/* a limit of a controller that is not mounted: named in the error, nothing written */
	struct oci_device_rule rules[] = {{false, 'a', -1, -1, "rwm"}};
	r = (struct oci_resources){.has_cpu_shares = true, .cpu_shares = 2, .devices = rules, .n_devices = 1};
	assert_int_equal(cg_apply(m, &r, &err), -1);
	assert_string_equal(err->msg, "device rules set but the 'devices' cgroup controller is not available");
	berth_error_free(&err);
	s = fx_get(f->root, "cpu,cpuacct/berth-test-v1/cpu.shares");
	assert_string_equal(s, "512");
	free(s);
	/* a knob write that fails names what was being set */
	r = (struct oci_resources){.has_pids_limit = true, .pids_limit = 5};
	assert_int_equal(cg_apply(m, &r, &err), -1);
	assert_non_null(strstr(err->msg, "set pids limit: open '"));
	berth_error_free(&err);

	drop_knobs(f);
	assert_int_equal(cg_destroy(m, NULL), 0);
	cg_manager_free(m);
	cg_fixture_free(f);
}

static void test_kill_v1_freezer(void **state)
{
	struct cg_fixture *f = cg_fixture_new(MI_PLAIN, SELF_HYBRID);
	struct cg_manager *m;
	char *s;

	make_mountpoints(f);
	m = manager(f, "/berth-test-k", "x");
	assert_int_equal(cg_create(m, NULL), 0);
	fx_put(f->root, "freezer/berth-test-k/freezer.state", "THAWED\n");
	s = xasprintf("%d\n", (int)getpid());
	fx_put(f->root, "pids/berth-test-k/cgroup.procs", s);
	free(s);
	/* signal 0 to ourselves: the freeze, list, signal, thaw round without harm */
	assert_int_equal(cg_kill_all(m, 0, NULL), 0);
	s = fx_get(f->root, "freezer/berth-test-k/freezer.state");
	assert_string_equal(s, "THAWED");
	free(s);
	drop_knobs(f);
	assert_int_equal(cg_destroy(m, NULL), 0);
	cg_manager_free(m);
	cg_fixture_free(f);
}

static void test_v2(void **state)
{
	struct cg_fixture *f = cg_fixture_new(MI_V2, "0::/\n");
	struct oci_resources r = {.has_memory_limit = true, .memory_limit = 1000, .has_pids_limit = true};
	struct cg_manager *m;
	struct berth_error *err = NULL;
	char *s;

	fx_put(f->root, "cgroup.controllers", "cpu memory pids\n");
	fx_put(f->root, "cgroup.subtree_control", "");
	m = manager(f, "/a/berth-test-v2", "x");
	assert_int_equal(cg_create(m, NULL), 0);
	/* controllers are enabled one by one at the top level (each write replaces the fake file) */
	s = fx_get(f->root, "cgroup.subtree_control");
	assert_string_equal(s, "+pids");
	free(s);
	assert_true(cg_v2_dirfd(m) >= 0);
	assert_int_equal(cg_v2_dirfd(m), cg_v2_dirfd(m));

	/* the leaf's cgroup.controllers says what it may use */
	assert_int_equal(cg_apply(m, &r, &err), -1);
	assert_string_equal(err->msg, "memory limit set but the 'memory' cgroup controller is not available (not "
				      "enabled in the parent's cgroup.subtree_control)");
	berth_error_free(&err);
	fx_put(f->root, "a/berth-test-v2/cgroup.controllers", "memory pids\n");
	fx_put(f->root, "a/berth-test-v2/memory.max", "max\n");
	fx_put(f->root, "a/berth-test-v2/pids.max", "max\n");
	assert_int_equal(cg_apply(m, &r, &err), 0);
	s = fx_get(f->root, "a/berth-test-v2/memory.max");
	assert_string_equal(s, "1000");
	free(s);
	s = fx_get(f->root, "a/berth-test-v2/pids.max");
	assert_string_equal(s, "max");
	free(s);

	/* SIGKILL through cgroup.kill */
	fx_put(f->root, "a/berth-test-v2/cgroup.kill", "");
	assert_int_equal(cg_kill_all(m, SIGKILL, NULL), 0);
	s = fx_get(f->root, "a/berth-test-v2/cgroup.kill");
	assert_string_equal(s, "1");
	free(s);
	fx_put(f->root, "a/berth-test-v2/cgroup.procs", "");
	assert_int_equal(cg_kill_all(m, SIGTERM, NULL), 0);

	drop_knobs(f);
	assert_int_equal(cg_destroy(m, NULL), 0);
	assert_false(fx_exists(f->root, "a"));
	cg_manager_free(m);
	cg_fixture_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_create_enter_destroy, cg_fixture_teardown),
		cmocka_unit_test_teardown(test_destroy_keeps_existing_parents, cg_fixture_teardown),
		cmocka_unit_test_teardown(test_cpuset_inherit, cg_fixture_teardown),
		cmocka_unit_test_teardown(test_create_failure_undoes, cg_fixture_teardown),
		cmocka_unit_test_teardown(test_apply_v1, cg_fixture_teardown),
		cmocka_unit_test_teardown(test_kill_v1_freezer, cg_fixture_teardown),
		cmocka_unit_test_teardown(test_v2, cg_fixture_teardown),
	};

	berth_log_set_level(BERTH_LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
