/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Resource plans for v1 and v2 (memory, swap, cpu shares→weight,
 * quota/period, cpuset, pids, unified, devices) and the device rule lines,
 * all without touching a cgroup.
 */
#include "fixture.h"

#include "oci/oci.h"
#include "runtime/cgroup/internal.h"

/* The plan as "controller:file=value" lines, one per write. */
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
	for (size_t i = 0; i < p.n; i++)
		buf_printf(&b, "%s:%s=%s%s\n", p.w[i].controller ? p.w[i].controller : "-", p.w[i].file, p.w[i].value,
			   p.w[i].flags & CG_W_RETRY_LATER ? " (retry)" : "");
	if (p.n_bpf_rules)
		buf_printf(&b, "bpf:%zu rules\n", p.n_bpf_rules);
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

static void test_empty(void **state)
{
	struct oci_resources r = {0};

	expect(CG_LAYOUT_V1, &r, "");
	expect(CG_LAYOUT_V2, &r, "");
	expect(CG_LAYOUT_HYBRID, &r, "");
}

static void test_memory(void **state)
{
	struct oci_resources r = {.has_memory_limit = true,
				  .memory_limit = 100 << 20,
				  .has_memory_swap = true,
				  .memory_swap = 300 << 20,
				  .has_memory_reservation = true,
				  .memory_reservation = 50 << 20,
				  .has_memory_swappiness = true,
				  .memory_swappiness = 10,
				  .has_disable_oom_killer = true,
				  .disable_oom_killer = true};

	expect(CG_LAYOUT_V1, &r,
	       "memory:memory.limit_in_bytes=104857600 (retry)\n"
	       "memory:memory.memsw.limit_in_bytes=314572800 (retry)\n"
	       "memory:memory.soft_limit_in_bytes=52428800\n"
	       "memory:memory.oom_control=1\n"
	       "memory:memory.swappiness=10\n");
	/* hybrid uses the v1 files */
	expect(CG_LAYOUT_HYBRID, &r,
	       "memory:memory.limit_in_bytes=104857600 (retry)\n"
	       "memory:memory.memsw.limit_in_bytes=314572800 (retry)\n"
	       "memory:memory.soft_limit_in_bytes=52428800\n"
	       "memory:memory.oom_control=1\n"
	       "memory:memory.swappiness=10\n");
	/* v2: swap.max counts swap alone; swappiness and the OOM switch do not exist */
	expect(CG_LAYOUT_V2, &r,
	       "memory:memory.swap.max=209715200\n"
	       "memory:memory.max=104857600\n"
	       "memory:memory.low=52428800\n");
}

static void test_memory_unlimited(void **state)
{
	struct oci_resources r = {.has_memory_limit = true, .memory_limit = -1};

	/* unlimited memory without a swap value: unlimited swap too */
	expect(CG_LAYOUT_V1, &r,
	       "memory:memory.limit_in_bytes=-1 (retry)\n"
	       "memory:memory.memsw.limit_in_bytes=-1 (retry)\n");
	expect(CG_LAYOUT_V2, &r, "memory:memory.swap.max=max\nmemory:memory.max=max\n");
	r.memory_limit = 1000;
	r.has_memory_swap = true;
	r.memory_swap = -1;
	expect(CG_LAYOUT_V2, &r, "memory:memory.swap.max=max\nmemory:memory.max=1000\n");
	/* swap equal to the limit: no swap at all */
	r.memory_swap = 1000;
	expect(CG_LAYOUT_V2, &r, "memory:memory.swap.max=0\nmemory:memory.max=1000\n");
	/* 0 means unset, as in runc */
	r.memory_limit = 0;
	r.memory_swap = 0;
	expect(CG_LAYOUT_V2, &r, "");
	expect(CG_LAYOUT_V1, &r, "");
}

static void test_memory_errors(void **state)
{
	struct oci_resources r = {
		.has_memory_limit = true, .memory_limit = 1000, .has_memory_swap = true, .memory_swap = 500};
	char *got;

	expect(CG_LAYOUT_V2, &r, "error: memory+swap limit 500 should be at least the memory limit 1000");
	expect(CG_LAYOUT_V1, &r, "error: memory+swap limit 500 should be at least the memory limit 1000");
	r.has_memory_limit = false;
	expect(CG_LAYOUT_V2, &r, "error: memory swap 500 set without a memory limit");
	r = (struct oci_resources){.has_memory_swappiness = true, .memory_swappiness = 101};
	expect(CG_LAYOUT_V1, &r, "error: invalid memory swappiness 101 (0 to 100)");
	r = (struct oci_resources){.has_memory_limit = true, .memory_limit = -2};
	got = render(CG_LAYOUT_V1, &r);
	assert_non_null(strstr(got, "invalid memory limit -2"));
	free(got);
}

static void test_swap_v2(void **state)
{
	int64_t v = 7;
	bool set = true;

	assert_int_equal(cg_memory_swap_v2(0, 0, &v, &set, NULL), 0);
	assert_false(set);
	assert_int_equal(cg_memory_swap_v2(0, -1, &v, &set, NULL), 0);
	assert_true(set);
	assert_int_equal(v, -1);
	assert_int_equal(cg_memory_swap_v2(3000, 1000, &v, &set, NULL), 0);
	assert_int_equal(v, 2000);
	assert_int_equal(cg_memory_swap_v2(3000, -1, &v, &set, NULL), -1);
}

static void test_cpu_weight(void **state)
{
	assert_int_equal(cg_cpu_shares_to_weight(0), 0);
	assert_int_equal(cg_cpu_shares_to_weight(2), 1);
	assert_int_equal(cg_cpu_shares_to_weight(1), 1);
	assert_int_equal(cg_cpu_shares_to_weight(1024), 39);
	assert_int_equal(cg_cpu_shares_to_weight(512), 20);
	assert_int_equal(cg_cpu_shares_to_weight(262144), 10000);
	assert_int_equal(cg_cpu_shares_to_weight(1000000), 10000);
}

static void test_cpu(void **state)
{
	struct oci_resources r = {.has_cpu_shares = true,
				  .cpu_shares = 1024,
				  .has_cpu_quota = true,
				  .cpu_quota = 50000,
				  .has_cpu_period = true,
				  .cpu_period = 100000};

	expect(CG_LAYOUT_V1, &r,
	       "cpu:cpu.shares=1024\n"
	       "cpu:cpu.cfs_period_us=100000 (retry)\n"
	       "cpu:cpu.cfs_quota_us=50000\n");
	expect(CG_LAYOUT_V2, &r, "cpu:cpu.weight=39\ncpu:cpu.max=50000 100000\n");
	r.cpu_quota = -1;
	expect(CG_LAYOUT_V2, &r, "cpu:cpu.weight=39\ncpu:cpu.max=max 100000\n");
	r.has_cpu_period = false;
	r.cpu_quota = 20000;
	/* without a period runc writes the kernel's default one */
	expect(CG_LAYOUT_V2, &r, "cpu:cpu.weight=39\ncpu:cpu.max=20000 100000\n");
	expect(CG_LAYOUT_V1, &r, "cpu:cpu.shares=1024\ncpu:cpu.cfs_quota_us=20000\n");
}

static void test_cpuset_pids(void **state)
{
	struct oci_resources r = {.cpu_cpus = "0-1", .cpu_mems = "0", .has_pids_limit = true, .pids_limit = 64};

	expect(CG_LAYOUT_V1, &r, "cpuset:cpuset.cpus=0-1\ncpuset:cpuset.mems=0\npids:pids.max=64\n");
	expect(CG_LAYOUT_V2, &r, "cpuset:cpuset.cpus=0-1\ncpuset:cpuset.mems=0\npids:pids.max=64\n");
	r = (struct oci_resources){.cpu_cpus = "", .has_pids_limit = true, .pids_limit = -1};
	expect(CG_LAYOUT_V1, &r, "pids:pids.max=max\n");
	r.pids_limit = 0;
	expect(CG_LAYOUT_V2, &r, "pids:pids.max=max\n");
}

static void test_unified(void **state)
{
	char *kv[] = {"memory.high", "1000000", "cgroup.max.depth", "3", NULL};
	char *bad[] = {"../memory.max", "1", NULL};
	char *nodot[] = {"memory", "1", NULL};
	struct oci_resources r = {.unified = kv};

	expect(CG_LAYOUT_V2, &r, "memory:memory.high=1000000\n-:cgroup.max.depth=3\n");
	expect(CG_LAYOUT_V1, &r,
	       "error: unified cgroup resource 'memory.high' set but the cgroup layout is not v2 (cgroup v1 or "
	       "hybrid)");
	expect(CG_LAYOUT_HYBRID, &r,
	       "error: unified cgroup resource 'memory.high' set but the cgroup layout is not v2 (cgroup v1 or "
	       "hybrid)");
	r.unified = bad;
	expect(CG_LAYOUT_V2, &r, "error: invalid unified cgroup key '../memory.max' (expected '<controller>.<knob>')");
	r.unified = nodot;
	expect(CG_LAYOUT_V2, &r, "error: invalid unified cgroup key 'memory' (expected '<controller>.<knob>')");
}

static void test_device_lines(void **state)
{
	const struct oci_device_rule rules[] = {
		{false, 'a', -1, -1, "rwm"}, {true, 'c', 1, 3, "rwm"}, {true, 'c', 136, -1, "rw"},
		{true, 'b', -1, -1, "m"},    {true, 'a', 8, 0, "r"},   {false, 'c', 5, 1, ""},
	};
	const char *want[] = {"a", "c 1:3 rwm", "c 136:* rw", "b *:* m", "c 8:0 r", "b 8:0 r", NULL};
	char **lines = NULL;

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		cg_device_rule_lines(&rules[i], &lines);
	assert_int_equal(strv_length(lines), 6);
	for (size_t i = 0; want[i]; i++)
		assert_string_equal(lines[i], want[i]);
	strv_free(lines);
}

static void test_devices_plan(void **state)
{
	struct oci_device_rule spec[] = {{false, 'a', -1, -1, "rwm"}, {true, 'c', 1, 3, "rwm"}};
	struct oci_device_rule only_allow[] = {{true, 'c', 1, 5, "rw"}};
	struct oci_device_rule bad[] = {{true, 'x', 1, 5, "rw"}};
	struct oci_resources r = {.devices = spec, .n_devices = 2};

	expect(CG_LAYOUT_V1, &r, "devices:devices.deny=a\ndevices:devices.allow=c 1:3 rwm\n");
	expect(CG_LAYOUT_V2, &r, "bpf:2 rules\n");
	/* the rules always start from "deny everything", as runc's */
	r = (struct oci_resources){.devices = only_allow, .n_devices = 1};
	expect(CG_LAYOUT_HYBRID, &r, "devices:devices.deny=a\ndevices:devices.allow=c 1:5 rw\n");
	r = (struct oci_resources){.devices = bad, .n_devices = 1};
	expect(CG_LAYOUT_V1, &r, "error: invalid device rule 0: type 'x' access 'rw'");
}

static void test_default_devices(void **state)
{
	size_t n = 0;
	const struct oci_device_rule *d = cg_default_device_rules(&n);
	char **lines = NULL;

	assert_int_equal(n, 11);
	for (size_t i = 0; i < n; i++) {
		assert_true(d[i].allow);
		cg_device_rule_lines(&d[i], &lines);
	}
	/* what `runc run` leaves in devices.list here, in runc's order */
	assert_string_equal(lines[0], "c *:* m");
	assert_string_equal(lines[1], "b *:* m");
	assert_true(strv_contains(lines, "c 1:3 rwm"));
	assert_true(strv_contains(lines, "c 1:5 rwm"));
	assert_true(strv_contains(lines, "c 1:7 rwm"));
	assert_true(strv_contains(lines, "c 1:8 rwm"));
	assert_true(strv_contains(lines, "c 1:9 rwm"));
	assert_true(strv_contains(lines, "c 5:0 rwm"));
	assert_true(strv_contains(lines, "c 5:2 rwm"));
	assert_true(strv_contains(lines, "c 136:* rwm"));
	assert_true(strv_contains(lines, "c 10:200 rwm"));
	strv_free(lines);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_memory_unlimited),
		cmocka_unit_test(test_memory_errors),
		cmocka_unit_test(test_swap_v2),
		cmocka_unit_test(test_cpu_weight),
		cmocka_unit_test(test_cpu),
		cmocka_unit_test(test_cpuset_pids),
		cmocka_unit_test(test_unified),
		cmocka_unit_test(test_device_lines),
		cmocka_unit_test(test_devices_plan),
		cmocka_unit_test(test_default_devices),
	};

	berth_log_set_level(BERTH_LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
