/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the cgroup statistics parsers, cg_stats_get and the freezer against temp-dir cgroup trees. */
#include "fixture.h"
#include "runtime/cgroup/internal.h"

#define MI_V2 "30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n"

static void test_cpuacct(void **state)
{
	struct cg_u64_list percpu = {0}, user = {0}, kernel = {0};
	uint64_t u = 0, k = 0;

	(void)state;
	assert_int_equal(cg_parse_cpuacct_stat("user 5\nsystem 12\n", 100, &u, &k, NULL), 0);
	assert_int_equal(u, 50000000ULL);
	assert_int_equal(k, 120000000ULL);
	assert_int_equal(cg_parse_cpuacct_stat("user x\n", 100, &u, &k, NULL), -1);
	assert_int_equal(cg_parse_u64_list("3240161 12462409 \n", &percpu, NULL), 0);
	assert_int_equal(percpu.n, 2);
	assert_int_equal(percpu.v[1], 12462409ULL);
	assert_int_equal(cg_parse_cpuacct_usage_all("cpu user system\n0 10 20\n1 30 40\n", &user, &kernel, NULL), 0);
	assert_int_equal(user.n, 2);
	assert_int_equal(user.v[1], 30);
	assert_int_equal(kernel.v[0], 20);
	assert_int_equal(cg_parse_cpuacct_usage_all("0 1 2\n", &user, &kernel, NULL), -1);
	free(percpu.v);
	free(user.v);
	free(kernel.v);
}

static void test_flat_keyed(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;
	struct cg_kv *kv = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(cg_parse_flat_keyed("rss 49152\ncache 0\nhierarchical_memory_limit 9223372036854771712\n"
					     "total_rss 99999999999999999999999\n",
					     &kv, &n, NULL),
			 0);
	assert_int_equal(n, 4);
	/* sorted by key, as Go encodes a map */
	assert_string_equal(kv[0].key, "cache");
	assert_string_equal(kv[3].key, "total_rss");
	assert_int_equal(kv[3].value, UINT64_MAX);
	assert_int_equal(cg_kv_get(kv, n, "hierarchical_memory_limit"), 9223372036854771712ULL);
	assert_int_equal(cg_kv_get(kv, n, "missing"), 0);
	cg_kv_free(kv, n);
	/* cpu.stat (v2) */
	assert_int_equal(
		cg_parse_flat_keyed("usage_usec 100\nuser_usec 60\nsystem_usec 40\nnr_periods 3\n", &kv, &n, NULL), 0);
	assert_int_equal(cg_kv_get(kv, n, "nr_periods"), 3);
	cg_kv_free(kv, n);
	assert_int_equal(cg_parse_flat_keyed("key\n", &kv, &n, &err), -1);
	assert_non_null(strstr(err->msg, "malformed"));
}

static void test_max_and_cpuset(void **state)
{
	struct cg_u64_list cpus = {0};
	uint64_t v = 1;

	(void)state;
	assert_int_equal(cg_parse_u64_or_max("max\n", 0, &v, NULL), 0);
	assert_int_equal(v, 0);
	assert_int_equal(cg_parse_u64_or_max("max", UINT64_MAX, &v, NULL), 0);
	assert_int_equal(v, UINT64_MAX);
	assert_int_equal(cg_parse_u64_or_max(" 42\n", 0, &v, NULL), 0);
	assert_int_equal(v, 42);
	assert_int_equal(cg_parse_u64_or_max("4x", 0, &v, NULL), -1);
	assert_int_equal(cg_parse_cpuset_list("0-2,5\n", &cpus, NULL), 0);
	assert_int_equal(cpus.n, 4);
	assert_int_equal(cpus.v[3], 5);
	assert_int_equal(cg_parse_cpuset_list("3-1", &cpus, NULL), -1);
	free(cpus.v);
}

static void test_blkio(void **state)
{
	struct cg_blkio_list l = {0}, bytes = {0}, ios = {0};

	(void)state;
	assert_int_equal(cg_parse_blkio_v1("8:0 Read 4096\n8:0 Write 0\n8:16 512\nTotal 4608\n", &l, NULL), 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.v[0].major, 8);
	assert_string_equal(l.v[0].op, "Read");
	assert_int_equal(l.v[0].value, 4096);
	assert_int_equal(l.v[2].minor, 16);
	assert_string_equal(l.v[2].op, "");
	assert_int_equal(cg_parse_blkio_v1("8:0\n", &l, NULL), -1);
	free(l.v);
	assert_int_equal(
		cg_parse_io_stat("259:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n", &bytes, &ios, NULL), 0);
	assert_int_equal(bytes.n, 2);
	assert_int_equal(ios.n, 2);
	assert_int_equal(bytes.v[1].value, 20);
	assert_string_equal(bytes.v[1].op, "Write");
	assert_int_equal(ios.v[0].major, 259);
	free(bytes.v);
	free(ios.v);
}

static void test_hugepage_names(void **state)
{
	char *s;

	(void)state;
	s = cg_hugepage_size_name("hugepages-2048kB");
	assert_string_equal(s, "2MB");
	free(s);
	s = cg_hugepage_size_name("hugepages-1048576kB");
	assert_string_equal(s, "1GB");
	free(s);
	s = cg_hugepage_size_name("hugepages-64kB");
	assert_string_equal(s, "64KB");
	free(s);
	assert_null(cg_hugepage_size_name("nr_hugepages"));
}

/* A hybrid tree (this machine's layout) with the files runc reads for stats. */
static void test_stats_v1(void **state)
{
	struct cg_fixture *f = cg_fixture_new(MI_HYBRID, SELF_HYBRID);
	struct cg_manager *m = NULL;
	struct cg_stats s;

	(void)state;
	fx_put(f->root, "cpu,cpuacct/c1/cpuacct.usage", "300\n");
	fx_put(f->root, "cpu,cpuacct/c1/cpuacct.usage_percpu", "100 200\n");
	fx_put(f->root, "cpu,cpuacct/c1/cpuacct.stat", "user 1\nsystem 2\n");
	fx_put(f->root, "cpu,cpuacct/c1/cpu.stat", "nr_periods 7\nnr_throttled 2\nthrottled_time 99\n");
	fx_put(f->root, "memory/c1/memory.usage_in_bytes", "4096\n");
	fx_put(f->root, "memory/c1/memory.limit_in_bytes", "8388608\n");
	fx_put(f->root, "memory/c1/memory.stat", "cache 12\nrss 34\n");
	fx_put(f->root, "pids/c1/pids.current", "3\n");
	fx_put(f->root, "pids/c1/pids.max", "max\n");
	fx_put(f->root, "cpuset/c1/cpuset.cpus", "0-1\n");
	fx_put(f->root, "freezer/c1/freezer.state", "THAWED\n");
	assert_int_equal(cg_manager_new(&f->env, "/c1", "c1", false, &m, NULL), 0);
	assert_int_equal(cg_stats_get(m, &s, NULL), 0);
	assert_int_equal(s.cpu_total, 300);
	assert_int_equal(s.percpu.n, 2);
	assert_int_equal(s.throttle_periods, 7);
	assert_int_equal(s.throttle_throttled_time, 99);
	assert_int_equal(s.mem_usage.usage, 4096);
	assert_int_equal(s.mem_usage.limit, 8388608);
	assert_int_equal(s.mem_cache, 12);
	assert_int_equal(s.n_mem_raw, 2);
	assert_int_equal(s.pids_current, 3);
	assert_int_equal(s.pids_limit, 0);
	assert_int_equal(s.cpuset_cpus.n, 2);
	cg_stats_done(&s);
	cg_manager_free(m);
	cg_fixture_free(f);
}

static void test_stats_v2(void **state)
{
	struct cg_fixture *f = cg_fixture_new(MI_V2, "0::/\n");
	struct cg_manager *m = NULL;
	struct cg_stats s;

	(void)state;
	fx_put(f->root, "c2/cpu.stat", "usage_usec 10\nuser_usec 6\nsystem_usec 4\nthrottled_usec 2\n");
	fx_put(f->root, "c2/memory.stat", "file 5\nanon 7\n");
	fx_put(f->root, "c2/memory.current", "100\n");
	fx_put(f->root, "c2/memory.max", "max\n");
	fx_put(f->root, "c2/memory.swap.current", "1\n");
	fx_put(f->root, "c2/memory.swap.max", "max\n");
	fx_put(f->root, "c2/pids.current", "2\n");
	fx_put(f->root, "c2/pids.max", "64\n");
	fx_put(f->root, "c2/io.stat", "8:0 rbytes=1 wbytes=2 rios=3 wios=4\n");
	assert_int_equal(cg_manager_new(&f->env, "/c2", "c2", false, &m, NULL), 0);
	assert_int_equal(cg_stats_get(m, &s, NULL), 0);
	assert_int_equal(s.cpu_total, 10000);
	assert_int_equal(s.cpu_user, 6000);
	assert_int_equal(s.cpu_kernel, 4000);
	assert_int_equal(s.throttle_throttled_time, 2000);
	assert_int_equal(s.mem_cache, 5);
	assert_int_equal(s.mem_usage.limit, UINT64_MAX);
	/* swap as v1's memory+swap */
	assert_int_equal(s.mem_swap.usage, 101);
	assert_int_equal(s.mem_swap.limit, UINT64_MAX);
	assert_int_equal(s.pids_limit, 64);
	assert_int_equal(s.blkio[CG_BLKIO_SERVICE_BYTES].n, 2);
	assert_int_equal(s.blkio[CG_BLKIO_SERVICED].v[1].value, 4);
	cg_stats_done(&s);
	cg_manager_free(m);
	cg_fixture_free(f);
}

static void test_freezer(void **state)
{
	struct cg_fixture *f = cg_fixture_new(MI_HYBRID, SELF_HYBRID);
	_cleanup_error_ struct berth_error *err = NULL;
	struct cg_manager *m = NULL;
	enum cg_freezer_state st = CG_FREEZER_FROZEN;
	char *text;

	(void)state;
	assert_int_equal(cg_manager_new(&f->env, "/c3", "c3", false, &m, NULL), 0);
	/* no cgroup yet: thawed, and freezing is an error */
	assert_int_equal(cg_freezer_state(m, &st, NULL), 0);
	assert_int_equal(st, CG_FREEZER_THAWED);
	assert_int_equal(cg_freeze(m, true, &err), -1);
	fx_put(f->root, "freezer/c3/freezer.state", "THAWED\n");
	/* a plain file reads back what was written: FROZEN at once */
	assert_int_equal(cg_freeze(m, true, NULL), 0);
	text = fx_get(f->root, "freezer/c3/freezer.state");
	assert_string_equal(text, "FROZEN");
	free(text);
	assert_int_equal(cg_freezer_state(m, &st, NULL), 0);
	assert_int_equal(st, CG_FREEZER_FROZEN);
	fx_put(f->root, "freezer/c3/freezer.state", "FREEZING\n");
	assert_int_equal(cg_freezer_state(m, &st, NULL), 0);
	assert_int_equal(st, CG_FREEZER_FREEZING);
	cg_manager_free(m);
	cg_fixture_free(f);
}

static void test_freezer_v2(void **state)
{
	struct cg_fixture *f = cg_fixture_new(MI_V2, "0::/\n");
	struct cg_manager *m = NULL;
	enum cg_freezer_state st = CG_FREEZER_THAWED;

	(void)state;
	fx_put(f->root, "c4/cgroup.freeze", "0\n");
	fx_put(f->root, "c4/cgroup.events", "populated 1\nfrozen 1\n");
	assert_int_equal(cg_manager_new(&f->env, "/c4", "c4", false, &m, NULL), 0);
	assert_int_equal(cg_freeze(m, true, NULL), 0);
	assert_int_equal(cg_freezer_state(m, &st, NULL), 0);
	assert_int_equal(st, CG_FREEZER_FROZEN);
	fx_put(f->root, "c4/cgroup.events", "populated 1\nfrozen 0\n");
	assert_int_equal(cg_freezer_state(m, &st, NULL), 0);
	assert_int_equal(st, CG_FREEZER_FREEZING);
	cg_manager_free(m);
	cg_fixture_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpuacct),
		cmocka_unit_test(test_flat_keyed),
		cmocka_unit_test(test_max_and_cpuset),
		cmocka_unit_test(test_blkio),
		cmocka_unit_test(test_hugepage_names),
		cmocka_unit_test_teardown(test_stats_v1, cg_fixture_teardown),
		cmocka_unit_test_teardown(test_stats_v2, cg_fixture_teardown),
		cmocka_unit_test_teardown(test_freezer, cg_fixture_teardown),
		cmocka_unit_test_teardown(test_freezer_v2, cg_fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
