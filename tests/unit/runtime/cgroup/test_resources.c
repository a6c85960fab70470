/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Plans of the resources added for issue 3 (cpu burst/idle/realtime, memory
 * extras, blockIO, hugetlb, network, rdma, unified) on v1, v2 and hybrid,
 * and the executor's fallback, optional, usage-check and missing-controller
 * paths against temp-dir hierarchies.
 */
#include "fixture.h"

#include "oci/oci.h"
#include "runtime/cgroup/internal.h"

/* The plan as "controller:file=value" lines; a fallback shows as " | alt=value". */
static char *render(enum cg_layout layout, const struct oci_resources *r)
{
	struct cg_plan p = {0};
	struct berth_error *err = NULL;
	struct buf b = {0};

	if (cg_plan_build(layout, r, &p, &err) < 0) {
		char *msg = xasprintf("error: %s", err->msg);
		berth_error_free(&err);
		return msg;
	}
	for (size_t i = 0; i < p.n; i++) {
		const struct cg_write *w = &p.w[i];

		buf_printf(&b, "%s:%s=%s", w->controller ? w->controller : "-", w->file, w->value);
		if (w->alt_file)
			buf_printf(&b, " | %s=%s", w->alt_file, w->alt_value);
		buf_printf(&b, "%s%s%s\n", w->flags & CG_W_RETRY_LATER ? " (retry)" : "",
			   w->flags & CG_W_OPTIONAL ? " (optional)" : "",
			   w->flags & CG_W_CHECK_USAGE ? " (check)" : "");
	}
	cg_plan_done(&p);
	if (!b.data)
		buf_puts(&b, "");
	return buf_steal(&b);
}

static void expect(enum cg_layout layout, const struct oci_resources *r, const char *want)
{
	char *got = render(layout, r);

	assert_string_equal(got, want);
	free(got);
}

static void test_cpu_extras(void **state)
{
	struct oci_resources r = {.has_cpu_quota = true,
				  .cpu_quota = 50000,
				  .has_cpu_period = true,
				  .cpu_period = 100000,
				  .has_cpu_burst = true,
				  .cpu_burst = 20000,
				  .has_cpu_idle = true,
				  .cpu_idle = 1,
				  .has_cpu_rt_runtime = true,
				  .cpu_rt_runtime = 5000,
				  .has_cpu_rt_period = true,
				  .cpu_rt_period = 10000};

	expect(CG_LAYOUT_V1, &r,
	       "cpu:cpu.cfs_period_us=100000 (retry)\n"
	       "cpu:cpu.cfs_burst_us=20000 (retry) (optional)\n"
	       "cpu:cpu.cfs_quota_us=50000\n"
	       "cpu:cpu.idle=1\n"
	       "cpu:cpu.rt_period_us=10000 (retry)\n"
	       "cpu:cpu.rt_runtime_us=5000 (retry)\n");
	/* v2 has no realtime budget */
	expect(CG_LAYOUT_V2, &r,
	       "error: cpu realtimeRuntime/realtimePeriod set but cgroup v2 has no realtime cpu controller");
	r.has_cpu_rt_runtime = r.has_cpu_rt_period = false;
	expect(CG_LAYOUT_V2, &r, "cpu:cpu.idle=1\ncpu:cpu.max.burst=20000 (retry)\ncpu:cpu.max=50000 100000\n");
	/* a period alone: unlimited quota; burst alone: no retry */
	r = (struct oci_resources){.has_cpu_period = true, .cpu_period = 50000, .has_cpu_burst = true};
	expect(CG_LAYOUT_V2, &r, "cpu:cpu.max.burst=0\ncpu:cpu.max=max 50000\n");
	expect(CG_LAYOUT_V1, &r, "cpu:cpu.cfs_period_us=50000\ncpu:cpu.cfs_burst_us=0 (optional)\n");
	r = (struct oci_resources){.has_cpu_idle = true, .cpu_idle = 2};
	expect(CG_LAYOUT_V1, &r, "error: invalid cpu idle 2 (0 or 1)");
}

static void test_memory_extras(void **state)
{
	struct oci_resources r = {.has_memory_limit = true,
				  .memory_limit = 1 << 20,
				  .has_memory_kernel = true,
				  .memory_kernel = 1 << 20,
				  .has_memory_kernel_tcp = true,
				  .memory_kernel_tcp = 1 << 20,
				  .has_memory_use_hierarchy = true,
				  .memory_use_hierarchy = true,
				  .has_memory_check_before_update = true,
				  .memory_check_before_update = true,
				  .has_memory_swappiness = true,
				  .memory_swappiness = UINT64_MAX};

	/* kernel memory is ignored (warning); docker's swappiness -1 means unset */
	expect(CG_LAYOUT_V1, &r,
	       "memory:memory.limit_in_bytes=1048576 (retry)\nmemory:memory.use_hierarchy=1 (optional)\n");
	expect(CG_LAYOUT_HYBRID, &r,
	       "memory:memory.limit_in_bytes=1048576 (retry)\nmemory:memory.use_hierarchy=1 (optional)\n");
	expect(CG_LAYOUT_V2, &r, "memory:memory.max=1048576 (check)\n");
	/* without swap accounting, disabling swap on v2 needs nothing */
	r = (struct oci_resources){
		.has_memory_limit = true, .memory_limit = 1000, .has_memory_swap = true, .memory_swap = 1000};
	expect(CG_LAYOUT_V2, &r, "memory:memory.swap.max=0 (optional)\nmemory:memory.max=1000\n");
	r.memory_swap = 3000;
	expect(CG_LAYOUT_V2, &r, "memory:memory.swap.max=2000\nmemory:memory.max=1000\n");
	r.memory_swap = -2;
	expect(CG_LAYOUT_V1, &r, "error: invalid memory swap -2");
}

static void test_blkio(void **state)
{
	struct oci_weight_device wd[] = {{.major = 8, .minor = 0, .has_weight = true, .weight = 500},
					 {.major = 8, .minor = 16, .has_leaf_weight = true, .leaf_weight = 300}};
	struct oci_throttle_device rbps[] = {{8, 0, 1048576}}, wbps[] = {{8, 0, 2097152}}, riops[] = {{8, 16, 100}},
				   wiops[] = {{8, 16, 200}};
	struct oci_resources r = {.has_blkio_weight = true,
				  .blkio_weight = 300,
				  .has_blkio_leaf_weight = true,
				  .blkio_leaf_weight = 200,
				  .blkio_weight_devices = wd,
				  .n_blkio_weight_devices = 2,
				  .blkio_throttle = {rbps, wbps, riops, wiops},
				  .n_blkio_throttle = {1, 1, 1, 1}};

	expect(CG_LAYOUT_V1, &r,
	       "blkio:blkio.weight=300 | blkio.bfq.weight=300\n"
	       "blkio:blkio.leaf_weight=200\n"
	       "blkio:blkio.weight_device=8:0 500 | blkio.bfq.weight_device=8:0 500\n"
	       "blkio:blkio.leaf_weight_device=8:16 300\n"
	       "blkio:blkio.throttle.read_bps_device=8:0 1048576\n"
	       "blkio:blkio.throttle.write_bps_device=8:0 2097152\n"
	       "blkio:blkio.throttle.read_iops_device=8:16 100\n"
	       "blkio:blkio.throttle.write_iops_device=8:16 200\n");
	/* v2: BFQ's weight as is, else io.weight converted; leaf weights do not exist */
	expect(CG_LAYOUT_V2, &r,
	       "io:io.bfq.weight=300 | io.weight=2930\n"
	       "io:io.bfq.weight=8:0 500 (optional)\n"
	       "io:io.max=8:0 rbps=1048576\n"
	       "io:io.max=8:0 wbps=2097152\n"
	       "io:io.max=8:16 riops=100\n"
	       "io:io.max=8:16 wiops=200\n");
	wd[0].major = -1;
	expect(CG_LAYOUT_V1, &r, "error: invalid blockIO weightDevice 0: negative device number");
	rbps[0].minor = -1;
	expect(CG_LAYOUT_V2, &r, "error: invalid blockIO throttleReadBpsDevice 0: negative device number");
}

static void test_blkio_weight_conversion(void **state)
{
	assert_int_equal(cg_blkio_weight_to_io(0), 0);
	assert_int_equal(cg_blkio_weight_to_io(10), 1);
	assert_int_equal(cg_blkio_weight_to_io(500), 4950);
	assert_int_equal(cg_blkio_weight_to_io(1000), 10000);
	assert_int_equal(cg_blkio_weight_to_io(5), 1);
}

static void test_hugetlb(void **state)
{
	struct oci_hugepage_limit l[] = {{"2MB", 4194304}, {"1GB", 0}};
	struct oci_resources r = {.hugepage_limits = l, .n_hugepage_limits = 2};

	expect(CG_LAYOUT_V1, &r,
	       "hugetlb:hugetlb.2MB.limit_in_bytes=4194304\n"
	       "hugetlb:hugetlb.2MB.rsvd.limit_in_bytes=4194304 (optional)\n"
	       "hugetlb:hugetlb.1GB.limit_in_bytes=0\n"
	       "hugetlb:hugetlb.1GB.rsvd.limit_in_bytes=0 (optional)\n");
	expect(CG_LAYOUT_V2, &r,
	       "hugetlb:hugetlb.2MB.max=4194304\n"
	       "hugetlb:hugetlb.2MB.rsvd.max=4194304 (optional)\n"
	       "hugetlb:hugetlb.1GB.max=0\n"
	       "hugetlb:hugetlb.1GB.rsvd.max=0 (optional)\n");
	l[1].page_size = "2M";
	expect(CG_LAYOUT_V2, &r, "error: invalid hugepage size '2M' (expected e.g. '2MB' or '1GB')");
	assert_true(cg_hugetlb_size_valid("64KB"));
	assert_false(cg_hugetlb_size_valid("02MB"));
	assert_false(cg_hugetlb_size_valid("MB"));
	assert_false(cg_hugetlb_size_valid("2MB/../x"));
}

static void test_network(void **state)
{
	struct oci_net_priority prio[] = {{"eth0", 5}, {"lo", 2}};
	struct oci_resources r = {
		.has_net_class_id = true, .net_class_id = 0x100001, .net_priorities = prio, .n_net_priorities = 2};

	expect(CG_LAYOUT_V1, &r,
	       "net_cls:net_cls.classid=1048577\n"
	       "net_prio:net_prio.ifpriomap=eth0 5\n"
	       "net_prio:net_prio.ifpriomap=lo 2\n");
	expect(CG_LAYOUT_HYBRID, &r,
	       "net_cls:net_cls.classid=1048577\n"
	       "net_prio:net_prio.ifpriomap=eth0 5\n"
	       "net_prio:net_prio.ifpriomap=lo 2\n");
	/* no net_cls/net_prio on v2: a warning, as runc ignores them */
	expect(CG_LAYOUT_V2, &r, "");
	/* class id 0 is unset, as runc */
	r = (struct oci_resources){.has_net_class_id = true};
	expect(CG_LAYOUT_V1, &r, "");
	prio[0].name = "a b";
	r = (struct oci_resources){.net_priorities = prio, .n_net_priorities = 1};
	expect(CG_LAYOUT_V1, &r, "error: invalid network priority interface name 'a b'");
}

static void test_rdma(void **state)
{
	struct oci_rdma_limit l[] = {
		{.device = "mlx4_0",
		 .has_hca_handles = true,
		 .hca_handles = 2,
		 .has_hca_objects = true,
		 .hca_objects = 2000},
		{.device = "mlx5_1", .has_hca_objects = true, .hca_objects = 10},
		{.device = "none"},
	};
	struct oci_resources r = {.rdma = l, .n_rdma = 3};

	expect(CG_LAYOUT_V1, &r,
	       "rdma:rdma.max=mlx4_0 hca_handle=2 hca_object=2000\nrdma:rdma.max=mlx5_1 hca_object=10\n");
	expect(CG_LAYOUT_V2, &r,
	       "rdma:rdma.max=mlx4_0 hca_handle=2 hca_object=2000\nrdma:rdma.max=mlx5_1 hca_object=10\n");
	l[0].device = "a/b";
	expect(CG_LAYOUT_V2, &r, "error: invalid rdma device name 'a/b'");
}

static void test_unified_last(void **state)
{
	char *kv[] = {"memory.max", "2000", NULL};
	struct oci_resources r = {.has_memory_limit = true, .memory_limit = 1000, .unified = kv};

	/* unified overrides the named field: written after it */
	expect(CG_LAYOUT_V2, &r, "memory:memory.max=1000\nmemory:memory.max=2000\n");
}

/* A v2 fixture with a leaf whose cgroup.controllers is ctrls. */
static struct cg_manager *v2_manager(struct cg_fixture **ret_f, const char *ctrls)
{
	struct cg_fixture *f = cg_fixture_new("30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", "0::/\n");
	struct cg_manager *m = NULL;

	assert_int_equal(cg_manager_new(&f->env, "/berth-test-r", "x", false, &m, NULL), 0);
	fx_put(f->root, "berth-test-r/cgroup.controllers", ctrls);
	*ret_f = f;
	return m;
}

/* Before the leaf exists, what its nearest existing ancestor offers decides (cg_check runs before cg_create). */
static void test_v2_check_before_create(void **state)
{
	struct cg_fixture *f = cg_fixture_new("30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", "0::/\n");
	struct cg_manager *m = NULL;
	struct oci_resources mem = {.has_memory_limit = true, .memory_limit = 1000};
	struct oci_resources pids = {.has_pids_limit = true, .pids_limit = 10};
	struct berth_error *err = NULL;

	assert_int_equal(cg_manager_new(&f->env, "/a/b/berth-test-leaf", "x", false, &m, NULL), 0);
	fx_put(f->root, "cgroup.controllers", "cpu memory\n");
	assert_int_equal(cg_check(m, &mem, &err), 0);
	assert_null(err);
	assert_int_equal(cg_check(m, &pids, &err), -1);
	assert_non_null(strstr(err->msg, "'pids'"));
	berth_error_free(&err);
	cg_manager_free(m);
	cg_fixture_free(f);
}

static void test_execute_alt_and_optional(void **state)
{
	struct cg_fixture *f = NULL;
	struct cg_manager *m = v2_manager(&f, "io memory hugetlb\n");
	struct oci_hugepage_limit l[] = {{"2MB", 4096}};
	struct oci_resources r = {.has_blkio_weight = true,
				  .blkio_weight = 500,
				  .hugepage_limits = l,
				  .n_hugepage_limits = 1,
				  .has_memory_limit = true,
				  .memory_limit = 1000,
				  .has_memory_swap = true,
				  .memory_swap = 1000};
	struct berth_error *err = NULL;
	char *s;

	/* no io.bfq.weight (no BFQ): io.weight gets the converted value; no swap.max, no rsvd: skipped */
	fx_put(f->root, "berth-test-r/io.weight", "default 100\n");
	fx_put(f->root, "berth-test-r/hugetlb.2MB.max", "max\n");
	fx_put(f->root, "berth-test-r/memory.max", "max\n");
	assert_int_equal(cg_apply(m, &r, &err), 0);
	assert_null(err);
	s = fx_get(f->root, "berth-test-r/io.weight");
	assert_string_equal(s, "4950");
	free(s);
	s = fx_get(f->root, "berth-test-r/hugetlb.2MB.max");
	assert_string_equal(s, "4096");
	free(s);
	assert_false(fx_exists(f->root, "berth-test-r/io.bfq.weight"));
	/* with BFQ, its file takes the weight as is */
	fx_put(f->root, "berth-test-r/io.bfq.weight", "default 100\n");
	assert_int_equal(cg_apply(m, &r, &err), 0);
	s = fx_get(f->root, "berth-test-r/io.bfq.weight");
	assert_string_equal(s, "500");
	free(s);
	cg_manager_free(m);
	cg_fixture_free(f);
}

static void test_execute_check_usage(void **state)
{
	struct cg_fixture *f = NULL;
	struct cg_manager *m = v2_manager(&f, "memory\n");
	struct oci_resources r = {.has_memory_limit = true,
				  .memory_limit = 1000,
				  .has_memory_check_before_update = true,
				  .memory_check_before_update = true};
	struct berth_error *err = NULL;
	char *s;

	fx_put(f->root, "berth-test-r/memory.max", "max\n");
	fx_put(f->root, "berth-test-r/memory.current", "5000\n");
	assert_int_equal(cg_apply(m, &r, &err), -1);
	assert_string_equal(err->msg, "set memory limit: 1000 is below the current memory usage 5000");
	berth_error_free(&err);
	s = fx_get(f->root, "berth-test-r/memory.max");
	assert_string_equal(s, "max\n");
	free(s);
	r.memory_limit = 8000;
	assert_int_equal(cg_apply(m, &r, &err), 0);
	s = fx_get(f->root, "berth-test-r/memory.max");
	assert_string_equal(s, "8000");
	free(s);
	cg_manager_free(m);
	cg_fixture_free(f);
}

static void test_execute_missing_controller(void **state)
{
	struct cg_fixture *f = cg_fixture_new(MI_HYBRID, SELF_HYBRID);
	struct oci_hugepage_limit l[] = {{"2MB", 4096}};
	struct oci_resources r = {.hugepage_limits = l, .n_hugepage_limits = 1};
	struct oci_resources net = {.has_net_class_id = true, .net_class_id = 7};
	struct oci_resources pids = {.has_pids_limit = true, .pids_limit = 10};
	struct cg_manager *m = NULL;
	struct berth_error *err = NULL;

	assert_int_equal(cg_manager_new(&f->env, "/berth-test-h", "x", false, &m, NULL), 0);
	/* this machine: hugetlb only on the cgroup2 hierarchy of the hybrid layout */
	fx_put(f->root, "unified/cgroup.controllers", "hugetlb\n");
	assert_int_equal(cg_apply(m, &r, &err), -1);
	assert_string_equal(err->msg, "hugepage limit '2MB' set but the 'hugetlb' cgroup controller is not available "
				      "(on this hybrid layout it is only on the cgroup2 hierarchy, which takes no "
				      "limits)");
	berth_error_free(&err);
	assert_int_equal(cg_apply(m, &net, &err), -1);
	assert_string_equal(err->msg, "network classID set but the 'net_cls' cgroup controller is not available");
	berth_error_free(&err);
	/* cg_check says the same before anything exists (create validates with it) */
	assert_int_equal(cg_check(m, &net, &err), -1);
	assert_string_equal(err->msg, "network classID set but the 'net_cls' cgroup controller is not available");
	berth_error_free(&err);
	assert_int_equal(cg_check(m, &pids, &err), 0);
	assert_false(fx_exists(f->root, "pids/berth-test-h"));
	/* nothing asks for the missing ones: fine (the knob itself is missing in the fixture) */
	assert_int_equal(cg_apply(m, &pids, &err), -1);
	assert_non_null(strstr(err->msg, "set pids limit: open '"));
	berth_error_free(&err);
	cg_manager_free(m);
	cg_fixture_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu_extras),
		cmocka_unit_test(test_memory_extras),
		cmocka_unit_test(test_blkio),
		cmocka_unit_test(test_blkio_weight_conversion),
		cmocka_unit_test(test_hugetlb),
		cmocka_unit_test(test_network),
		cmocka_unit_test(test_rdma),
		cmocka_unit_test(test_unified_last),
		cmocka_unit_test_teardown(test_execute_alt_and_optional, cg_fixture_teardown),
		cmocka_unit_test(test_v2_check_before_create),
		cmocka_unit_test_teardown(test_execute_check_usage, cg_fixture_teardown),
		cmocka_unit_test_teardown(test_execute_missing_controller, cg_fixture_teardown),
	};

	berth_log_set_level(BERTH_LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
