/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The systemd driver's pure part: unit and slice names from cgroupsPath,
 * the unit's properties and linux.resources as systemd properties (v1, v2),
 * with runc's conversions; and the unit line of the saved cgroup paths.
 */
#include "fixture.h"

#include "oci/oci.h"
#include "runtime/cgroup/internal.h"

/* The properties as "Name=value" lines. */
static char *render(const struct cg_systemd_props *p)
{
	struct buf b = {0};

	for (size_t i = 0; i < p->n; i++) {
		char *t = cg_systemd_prop_text(&p->v[i]);
		buf_printf(&b, "%s\n", t);
		free(t);
	}
	if (!b.data)
		buf_puts(&b, "");
	return buf_steal(&b);
}

static void expect_res(bool v1, const struct oci_resources *r, const char *want)
{
	struct cg_systemd_props p = {0};
	struct berth_error *err = NULL;
	char *got;

	assert_int_equal(cg_systemd_resource_props(v1, r, &p, &err), 0);
	assert_null(err);
	got = render(&p);
	assert_string_equal(got, want);
	free(got);
	cg_systemd_props_done(&p);
}

static void expect_unit(const char *in, const char *id, uid_t uid, const char *unit, const char *slice,
			const char *path)
{
	struct cg_systemd_unit u;
	struct berth_error *err = NULL;

	assert_int_equal(cg_systemd_unit_parse(in, id, uid, &u, &err), 0);
	assert_null(err);
	assert_string_equal(u.unit, unit);
	assert_string_equal(u.slice, slice);
	assert_string_equal(u.path, path);
	cg_systemd_unit_done(&u);
}

static void expect_unit_fails(const char *in)
{
	struct cg_systemd_unit u = {0};
	struct berth_error *err = NULL;

	assert_int_equal(cg_systemd_unit_parse(in, "id", 0, &u, &err), -1);
	assert_non_null(err);
	assert_null(u.unit);
	berth_error_free(&err);
}

static void test_unit_names(void **state)
{
	expect_unit("system.slice:berth:abc", NULL, 0, "berth-abc.scope", "system.slice",
		    "/system.slice/berth-abc.scope");
	expect_unit(NULL, "c9", 0, "berth-c9.scope", "system.slice", "/system.slice/berth-c9.scope");
	expect_unit("", "c9", 0, "berth-c9.scope", "system.slice", "/system.slice/berth-c9.scope");
	expect_unit(":crio:x", NULL, 0, "crio-x.scope", "system.slice", "/system.slice/crio-x.scope");
	expect_unit("machine-pod-x.slice:crio:c1", NULL, 0, "crio-c1.scope", "machine-pod-x.slice",
		    "/machine.slice/machine-pod.slice/machine-pod-x.slice/crio-c1.scope");
	expect_unit("-.slice::abc", NULL, 0, "abc.scope", "-.slice", "/abc.scope");
	expect_unit("user.slice:p:sub.slice", NULL, 0, "sub.slice", "user.slice", "/user.slice/sub.slice");
	expect_unit_fails("a:b");
	expect_unit_fails("system:p:n");
	expect_unit_fails("a--b.slice:p:n");
	expect_unit_fails("-a.slice:p:n");
	expect_unit_fails("system.slice:p:");
	expect_unit_fails("system.slice:p:a/b");
	expect_unit_fails("a/b.slice:p:n");
	expect_unit_fails("s.slice:p:n:x");
}

static void test_unit_rootless(void **state)
{
	expect_unit(NULL, "c1", 1000, "berth-c1.scope", "user.slice",
		    "/user.slice/user-1000.slice/user@1000.service/user.slice/berth-c1.scope");
	expect_unit(":p:n", NULL, 1000, "p-n.scope", "user.slice",
		    "/user.slice/user-1000.slice/user@1000.service/user.slice/p-n.scope");
	expect_unit("app-x.slice:p:n", NULL, 1001, "p-n.scope", "app-x.slice",
		    "/user.slice/user-1001.slice/user@1001.service/app.slice/app-x.slice/p-n.scope");
}

static void test_unit_props(void **state)
{
	struct cg_systemd_unit u;
	struct cg_systemd_props p = {0};
	char *got;

	assert_int_equal(cg_systemd_unit_parse("system.slice:berth:c1", NULL, 0, &u, NULL), 0);
	cg_systemd_unit_props(&u, false, 1234, &p);
	got = render(&p);
	assert_string_equal(got, "Description=berth container c1\nSlice=system.slice\nPIDs=1234\nDelegate=yes\n"
				 "MemoryAccounting=yes\nCPUAccounting=yes\nIOAccounting=yes\nTasksAccounting=yes\n"
				 "DefaultDependencies=no\n");
	assert_string_equal(p.v[1].sig, "s");
	assert_string_equal(p.v[2].sig, "au");
	assert_string_equal(p.v[3].sig, "b");
	free(got);
	cg_systemd_props_done(&p);
	cg_systemd_unit_done(&u);

	/* a slice unit: its parent through Wants=, no process, no delegation; v1 names block io */
	assert_int_equal(cg_systemd_unit_parse("a.slice:p:pod.slice", NULL, 0, &u, NULL), 0);
	cg_systemd_unit_props(&u, true, 1234, &p);
	got = render(&p);
	assert_string_equal(got, "Description=berth container pod.slice\nWants=a.slice\nMemoryAccounting=yes\n"
				 "CPUAccounting=yes\nBlockIOAccounting=yes\nTasksAccounting=yes\n"
				 "DefaultDependencies=no\n");
	assert_string_equal(p.v[1].sig, "as");
	free(got);
	cg_systemd_props_done(&p);
	cg_systemd_unit_done(&u);
}

static void test_shares_and_quota(void **state)
{
	/* runc: weight = 1 + ((shares - 2) * 9999) / 262142 */
	assert_int_equal(cg_cpu_shares_to_weight(2), 1);
	assert_int_equal(cg_cpu_shares_to_weight(1024), 39);
	assert_int_equal(cg_cpu_shares_to_weight(262144), 10000);
	/* quota per second, rounded up to whole 10 ms as systemd keeps percents */
	assert_true(cg_systemd_quota_per_sec(50000, 100000) == 500000);
	assert_true(cg_systemd_quota_per_sec(12345, 100000) == 130000);
	assert_true(cg_systemd_quota_per_sec(150000, 0) == 1500000);
	assert_true(cg_systemd_quota_per_sec(1, 0) == 10000);
	assert_true(cg_systemd_quota_per_sec(20000, 50000) == 400000);
	assert_true(cg_systemd_quota_per_sec(0, 100000) == UINT64_MAX);
	assert_true(cg_systemd_quota_per_sec(-1, 100000) == UINT64_MAX);
}

static void test_resources_v2(void **state)
{
	struct oci_resources r = {
		.has_memory_limit = true,
		.memory_limit = 100 << 20,
		.has_memory_reservation = true,
		.memory_reservation = 50 << 20,
		.has_memory_swap = true,
		.memory_swap = 300 << 20,
		.has_cpu_shares = true,
		.cpu_shares = 1024,
		.has_cpu_quota = true,
		.cpu_quota = 12345,
		.has_cpu_period = true,
		.cpu_period = 100000,
		.has_blkio_weight = true,
		.blkio_weight = 500,
		.has_pids_limit = true,
		.pids_limit = 100,
		.cpu_cpus = "0-3,8",
		.cpu_mems = "1",
	};

	expect_res(false, &r,
		   "MemoryMax=104857600\nMemoryLow=52428800\nMemorySwapMax=209715200\nCPUWeight=39\n"
		   "CPUQuotaPeriodUSec=100000\nCPUQuotaPerSecUSec=130000\nIOWeight=4950\nTasksMax=100\n"
		   "AllowedCPUs=0f 01\nAllowedMemoryNodes=02\n");
}

static void test_resources_v1(void **state)
{
	struct oci_resources r = {
		.has_memory_limit = true,
		.memory_limit = 100 << 20,
		.has_memory_reservation = true,
		.memory_reservation = 50 << 20,
		.has_cpu_shares = true,
		.cpu_shares = 512,
		.has_cpu_quota = true,
		.cpu_quota = 50000,
		.has_blkio_weight = true,
		.blkio_weight = 300,
		.has_pids_limit = true,
		.pids_limit = -1,
	};

	/* no MemoryLow on v1; no period given: the default 100 ms for the per-second quota */
	expect_res(true, &r,
		   "MemoryLimit=104857600\nCPUShares=512\nCPUQuotaPerSecUSec=500000\nBlockIOWeight=300\n"
		   "TasksMax=infinity\n");
}

static void test_resources_unlimited(void **state)
{
	struct oci_resources r = {
		.has_memory_limit = true,
		.memory_limit = -1,
		.has_memory_reservation = true,
		.memory_reservation = -1,
		.has_cpu_period = true,
		.cpu_period = 50000,
		.has_pids_limit = true,
		.pids_limit = 0,
	};
	struct oci_resources none = {0};
	struct cg_systemd_props p = {0};
	struct berth_error *err = NULL;

	/* -1 is infinity; an unlimited memory without swap means unlimited swap; pids 0 is unset */
	expect_res(false, &r,
		   "MemoryMax=infinity\nMemoryLow=infinity\nMemorySwapMax=infinity\nCPUQuotaPeriodUSec=50000\n"
		   "CPUQuotaPerSecUSec=infinity\n");
	expect_res(true, &r, "MemoryLimit=infinity\nCPUQuotaPeriodUSec=50000\nCPUQuotaPerSecUSec=infinity\n");
	expect_res(false, &none, "");
	/* swap equal to the limit: no swap, left to the cgroupfs write as runc does */
	r = (struct oci_resources){
		.has_memory_limit = true, .memory_limit = 1000, .has_memory_swap = true, .memory_swap = 1000};
	expect_res(false, &r, "MemoryMax=1000\n");
	r.memory_swap = 500;
	assert_int_equal(cg_systemd_resource_props(false, &r, &p, &err), -1);
	assert_non_null(err);
	berth_error_free(&err);
	cg_systemd_props_done(&p);
	r = (struct oci_resources){.cpu_cpus = "3-1"};
	assert_int_equal(cg_systemd_resource_props(false, &r, &p, &err), -1);
	assert_non_null(err);
	berth_error_free(&err);
	cg_systemd_props_done(&p);
}

static void expect_bits(const char *in, const uint8_t *want, size_t n)
{
	uint8_t *got = NULL;
	size_t got_n = 0;
	struct berth_error *err = NULL;

	assert_int_equal(cg_systemd_cpuset_bits(in, &got, &got_n, &err), 0);
	assert_null(err);
	assert_int_equal(got_n, n);
	assert_memory_equal(got, want, n);
	free(got);
}

static void expect_bits_fail(const char *in)
{
	uint8_t *got = NULL;
	size_t got_n = 0;
	struct berth_error *err = NULL;

	assert_int_equal(cg_systemd_cpuset_bits(in, &got, &got_n, &err), -1);
	assert_non_null(err);
	assert_null(got);
	berth_error_free(&err);
}

static void test_cpuset_bits(void **state)
{
	expect_bits("0", (const uint8_t[]){1}, 1);
	expect_bits("1", (const uint8_t[]){2}, 1);
	expect_bits("0-1", (const uint8_t[]){3}, 1);
	expect_bits(",0,1,", (const uint8_t[]){3}, 1);
	expect_bits("0-3", (const uint8_t[]){0x0f}, 1);
	expect_bits("4-7", (const uint8_t[]){0xf0}, 1);
	expect_bits("0-15", (const uint8_t[]){0xff, 0xff}, 2);
	expect_bits("16", (const uint8_t[]){0, 0, 1}, 3);
	expect_bits("0-3,32-33", (const uint8_t[]){0x0f, 0, 0, 0, 3}, 5);
	expect_bits("    , 1   , 3  ,  5-7,\t", (const uint8_t[]){0xea}, 1);
	expect_bits("128-130,1", (const uint8_t[]){2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7}, 17);
	expect_bits_fail("");
	expect_bits_fail(",");
	expect_bits_fail("-");
	expect_bits_fail("1-");
	expect_bits_fail("-3");
	expect_bits_fail("54-53");
	expect_bits_fail("1 - 2");
	expect_bits_fail("x");
}

static char *device_text(const struct oci_device_rule *rules, size_t n)
{
	struct cg_systemd_props p = {0};
	char *got;

	cg_systemd_device_props(rules, n, &p);
	got = render(&p);
	cg_systemd_props_done(&p);
	return got;
}

static void test_devices(void **state)
{
	size_t n_def;
	const struct oci_device_rule *def = cg_default_device_rules(&n_def);
	struct oci_device_rule *v = xcalloc(n_def + 3, sizeof(*v));
	char *got;

	/* the runtime's list: the config's deny-all, runc's defaults, a linux.devices entry */
	v[0] = (struct oci_device_rule){false, 'a', -1, -1, "rwm"};
	memcpy(v + 1, def, n_def * sizeof(*v));
	v[n_def + 1] = (struct oci_device_rule){true, 'b', 8, 0, "rw"};
	v[n_def + 2] = (struct oci_device_rule){false, 'c', 10, 200, "w"};
	got = device_text(v, n_def + 3);
	assert_string_equal(got, "DevicePolicy=strict\nDeviceAllow=\n"
				 "DeviceAllow=char-* m, block-* m, /dev/char/1:3 rwm, /dev/char/1:8 rwm, "
				 "/dev/char/1:7 rwm, /dev/char/5:0 rwm, /dev/char/1:5 rwm, /dev/char/1:9 rwm, "
				 "char-136 rwm, /dev/char/5:2 rwm, /dev/char/10:200 rm, /dev/block/8:0 rw\n");
	free(got);

	/* allow all: systemd's "auto" with no list */
	v[0] = (struct oci_device_rule){true, 'a', -1, -1, "rwm"};
	got = device_text(v, 1);
	assert_string_equal(got, "DevicePolicy=auto\nDeviceAllow=\n");
	free(got);

	/* a deny under allow-all cannot be said to systemd: deny all until cgroupfs has the rules */
	v[1] = (struct oci_device_rule){false, 'c', 1, 3, "rwm"};
	got = device_text(v, 2);
	assert_string_equal(got, "DevicePolicy=strict\nDeviceAllow=\n");
	free(got);

	/* "*:N" has no systemd form; a later deny takes access away; all access gone drops the rule */
	v[0] = (struct oci_device_rule){true, 'c', -1, 5, "rwm"};
	v[1] = (struct oci_device_rule){true, 'c', 4, -1, "rwm"};
	v[2] = (struct oci_device_rule){true, 'b', 7, 1, "r"};
	v[3] = (struct oci_device_rule){false, 'b', 7, 1, "rwm"};
	got = device_text(v, 4);
	assert_string_equal(got, "DevicePolicy=strict\nDeviceAllow=\nDeviceAllow=char-4 rwm\n");
	free(got);
	free(v);
}

static void test_paths_line(void **state)
{
	struct cg_fixture *f = cg_fixture_new(MI_HYBRID, SELF_HYBRID);
	struct cg_systemd sd = {.unit = {.unit = "berth-c1.scope"}};
	struct cg_manager *m = NULL;
	struct cg_systemd *back;
	char **paths = NULL;
	char *line;

	line = cg_systemd_paths_line(&sd);
	assert_string_equal(line, "systemd-unit=berth-c1.scope");
	strv_push(&paths, "cpu,cpuacct:/system.slice/berth-c1.scope");
	strv_push(&paths, ":/system.slice/berth-c1.scope");
	strv_push_take(&paths, line);
	back = cg_systemd_from_paths(paths);
	assert_non_null(back);
	assert_string_equal(back->unit.unit, "berth-c1.scope");
	assert_true(back->started);
	assert_false(back->user);
	cg_systemd_free(back);

	/* the unit line is no hierarchy: loading skips it and keeps the unit */
	assert_int_equal(cg_manager_load(&f->env, paths, &m, NULL), 0);
	assert_string_equal(cg_manager_path(m), "/system.slice/berth-c1.scope");
	assert_non_null(m->sd);
	assert_string_equal(m->sd->unit.unit, "berth-c1.scope");
	cg_manager_free(m);
	strv_free(paths);

	sd.user = true;
	line = cg_systemd_paths_line(&sd);
	assert_string_equal(line, "systemd-user-unit=berth-c1.scope");
	paths = NULL;
	strv_push_take(&paths, line);
	back = cg_systemd_from_paths(paths);
	assert_true(back->user);
	cg_systemd_free(back);
	strv_free(paths);
	assert_null(cg_systemd_from_paths(NULL));
	cg_fixture_free(f);
}

static void test_fallback(void **state)
{
	struct cg_fixture *f = cg_fixture_new(MI_HYBRID, SELF_HYBRID);
	struct cg_manager *m = NULL;
	char **paths;

	/* a test hierarchy is never systemd's: the cgroupfs path of the unit, and no unit line */
	assert_int_equal(cg_manager_new(&f->env, "system.slice:berth:c2", "c2", true, &m, NULL), 0);
	assert_null(m->sd);
	assert_string_equal(cg_manager_path(m), "/system.slice/berth-c2.scope");
	paths = cg_manager_paths(m);
	for (char **p = paths; *p; p++)
		assert_null(strstr(*p, "systemd-unit="));
	strv_free(paths);
	cg_manager_free(m);
	cg_fixture_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unit_names),
		cmocka_unit_test(test_unit_rootless),
		cmocka_unit_test(test_unit_props),
		cmocka_unit_test(test_shares_and_quota),
		cmocka_unit_test(test_resources_v2),
		cmocka_unit_test(test_resources_v1),
		cmocka_unit_test(test_resources_unlimited),
		cmocka_unit_test(test_cpuset_bits),
		cmocka_unit_test(test_devices),
		cmocka_unit_test(test_paths_line),
		cmocka_unit_test(test_fallback),
	};

	berth_log_set_level(BERTH_LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, cg_fixture_teardown);
}
