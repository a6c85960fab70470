/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cg_stats_get: read the container's statistics files, v1 per controller
 * hierarchy or v2 from the unified dir, into runc's Stats layout.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "runtime/cgroup/internal.h"

/* The text of dir/file, or NULL when the file does not exist (an optional knob). */
static int read_opt(const char *dir, const char *file, char **ret, struct berth_error **err)
{
	struct berth_error *e = NULL;

	*ret = NULL;
	if (cg_read(dir, file, ret, &e) == 0)
		return 0;
	if (e->code == ENOENT || e->code == EOPNOTSUPP || e->code == ENODEV) {
		berth_error_free(&e);
		return 0;
	}
	return berth_error_move(err, &e);
}

/* An unsigned number file; 0 when missing; "max" becomes max_value. */
static int read_u64(const char *dir, const char *file, uint64_t max_value, uint64_t *ret, struct berth_error **err)
{
	_cleanup_free_ char *text = NULL;

	*ret = 0;
	if (read_opt(dir, file, &text, err) < 0)
		return -1;
	if (text && cg_parse_u64_or_max(text, max_value, ret, err) < 0)
		return berth_error_wrap(err, "'%s/%s'", dir, file);
	return 0;
}

static const char *v1_dir(struct cg_manager *m, const char *controller)
{
	struct cg_hier *h = cg_find_v1(m, controller);

	return h && access(h->dir, F_OK) == 0 ? h->dir : NULL;
}

static int v1_cpu(struct cg_manager *m, struct cg_stats *s, struct berth_error **err)
{
	const char *acct = v1_dir(m, "cpuacct"), *cpu = v1_dir(m, "cpu");
	_cleanup_free_ char *stat = NULL, *percpu = NULL, *all = NULL, *throttle = NULL;

	if (acct) {
		if (read_opt(acct, "cpuacct.stat", &stat, err) < 0 ||
		    read_opt(acct, "cpuacct.usage_percpu", &percpu, err) < 0 ||
		    read_opt(acct, "cpuacct.usage_all", &all, err) < 0 ||
		    read_u64(acct, "cpuacct.usage", 0, &s->cpu_total, err) < 0)
			return -1;
		if (stat && cg_parse_cpuacct_stat(stat, sysconf(_SC_CLK_TCK), &s->cpu_user, &s->cpu_kernel, err) < 0)
			return -1;
		if (percpu && cg_parse_u64_list(percpu, &s->percpu, err) < 0)
			return -1;
		if (all && cg_parse_cpuacct_usage_all(all, &s->percpu_user, &s->percpu_kernel, err) < 0)
			return -1;
	}
	if (cpu) {
		struct cg_kv *kv = NULL;
		size_t n = 0;

		if (read_opt(cpu, "cpu.stat", &throttle, err) < 0)
			return -1;
		if (throttle && cg_parse_flat_keyed(throttle, &kv, &n, err) < 0)
			return -1;
		s->throttle_periods = cg_kv_get(kv, n, "nr_periods");
		s->throttle_throttled_periods = cg_kv_get(kv, n, "nr_throttled");
		s->throttle_throttled_time = cg_kv_get(kv, n, "throttled_time");
		cg_kv_free(kv, n);
	}
	return 0;
}

static int v1_cpuset(struct cg_manager *m, struct cg_stats *s, struct berth_error **err)
{
	static const struct {
		const char *file;
		size_t offset;
	} flags[] = {
		{"cpuset.cpu_exclusive", offsetof(struct cg_stats, cpuset_cpu_exclusive)},
		{"cpuset.mem_hardwall", offsetof(struct cg_stats, cpuset_mem_hardwall)},
		{"cpuset.mem_exclusive", offsetof(struct cg_stats, cpuset_mem_exclusive)},
		{"cpuset.memory_migrate", offsetof(struct cg_stats, cpuset_memory_migrate)},
		{"cpuset.memory_spread_page", offsetof(struct cg_stats, cpuset_memory_spread_page)},
		{"cpuset.memory_spread_slab", offsetof(struct cg_stats, cpuset_memory_spread_slab)},
		{"cpuset.memory_pressure", offsetof(struct cg_stats, cpuset_memory_pressure)},
		{"cpuset.sched_load_balance", offsetof(struct cg_stats, cpuset_sched_load_balance)},
	};
	const char *dir = v1_dir(m, "cpuset");
	_cleanup_free_ char *cpus = NULL, *mems = NULL, *relax = NULL;

	if (!dir)
		return 0;
	if (read_opt(dir, "cpuset.cpus", &cpus, err) < 0 || read_opt(dir, "cpuset.mems", &mems, err) < 0 ||
	    read_opt(dir, "cpuset.sched_relax_domain_level", &relax, err) < 0)
		return -1;
	if ((cpus && cg_parse_cpuset_list(cpus, &s->cpuset_cpus, err) < 0) ||
	    (mems && cg_parse_cpuset_list(mems, &s->cpuset_mems, err) < 0))
		return -1;
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (read_u64(dir, flags[i].file, 0, (uint64_t *)((char *)s + flags[i].offset), err) < 0)
			return -1;
	if (relax && parse_int64(relax, &s->cpuset_sched_relax_domain_level) < 0)
		return berth_error_set(err, EINVAL, "malformed '%s/cpuset.sched_relax_domain_level'", dir);
	return 0;
}

/* memory.<prefix>usage_in_bytes, max_usage_in_bytes, failcnt and limit_in_bytes. */
static int v1_mem_entry(const char *dir, const char *prefix, struct cg_mem_entry *e, struct berth_error **err)
{
	static const char *const names[] = {"usage_in_bytes", "max_usage_in_bytes", "failcnt", "limit_in_bytes"};
	uint64_t *dst[] = {&e->usage, &e->max, &e->failcnt, &e->limit};

	for (size_t i = 0; i < 4; i++) {
		_cleanup_free_ char *file = xasprintf("memory.%s%s", prefix, names[i]);

		if (read_u64(dir, file, UINT64_MAX, dst[i], err) < 0)
			return -1;
	}
	return 0;
}

static int v1_memory(struct cg_manager *m, struct cg_stats *s, struct berth_error **err)
{
	const char *dir = v1_dir(m, "memory");
	_cleanup_free_ char *stat = NULL;

	if (!dir)
		return 0;
	if (v1_mem_entry(dir, "", &s->mem_usage, err) < 0 || v1_mem_entry(dir, "memsw.", &s->mem_swap, err) < 0 ||
	    v1_mem_entry(dir, "kmem.", &s->mem_kernel, err) < 0 ||
	    v1_mem_entry(dir, "kmem.tcp.", &s->mem_kernel_tcp, err) < 0)
		return -1;
	if (read_opt(dir, "memory.stat", &stat, err) < 0)
		return -1;
	if (stat && cg_parse_flat_keyed(stat, &s->mem_raw, &s->n_mem_raw, err) < 0)
		return -1;
	s->mem_cache = cg_kv_get(s->mem_raw, s->n_mem_raw, "cache");
	return 0;
}

static int pids(const char *dir, struct cg_stats *s, struct berth_error **err)
{
	if (!dir)
		return 0;
	/* "max" is no limit: runc reports 0 */
	if (read_u64(dir, "pids.current", 0, &s->pids_current, err) < 0 ||
	    read_u64(dir, "pids.max", 0, &s->pids_limit, err) < 0)
		return -1;
	return 0;
}

/* runc tries the bfq (with debug files), bfq, cfq, throttle-recursive and throttle groups, first file first. */
static int v1_blkio(struct cg_manager *m, struct cg_stats *s, struct berth_error **err)
{
	static const struct {
		const char *file;
		enum cg_blkio_kind kind;
	} groups[][9] = {
#define BLKIO_FULL(p)                                                                                                 \
	{                                                                                                             \
		{p "sectors_recursive", CG_BLKIO_SECTORS}, {p "io_service_time_recursive", CG_BLKIO_SERVICE_TIME},    \
			{p "io_wait_time_recursive", CG_BLKIO_WAIT_TIME}, {p "io_merged_recursive", CG_BLKIO_MERGED}, \
			{p "io_queued_recursive", CG_BLKIO_QUEUED}, {p "time_recursive", CG_BLKIO_TIME},              \
			{p "io_serviced_recursive", CG_BLKIO_SERVICED},                                               \
			{p "io_service_bytes_recursive", CG_BLKIO_SERVICE_BYTES},                                     \
		{                                                                                                     \
			NULL, 0                                                                                       \
		}                                                                                                     \
	}
		BLKIO_FULL("blkio.bfq."),
		{{"blkio.bfq.io_serviced_recursive", CG_BLKIO_SERVICED},
		 {"blkio.bfq.io_service_bytes_recursive", CG_BLKIO_SERVICE_BYTES},
		 {NULL, 0}},
		BLKIO_FULL("blkio."),
		{{"blkio.throttle.io_serviced_recursive", CG_BLKIO_SERVICED},
		 {"blkio.throttle.io_service_bytes_recursive", CG_BLKIO_SERVICE_BYTES},
		 {NULL, 0}},
		{{"blkio.throttle.io_serviced", CG_BLKIO_SERVICED},
		 {"blkio.throttle.io_service_bytes", CG_BLKIO_SERVICE_BYTES},
		 {NULL, 0}},
#undef BLKIO_FULL
	};
	const char *dir = v1_dir(m, "blkio");

	for (size_t g = 0; dir && g < sizeof(groups) / sizeof(groups[0]); g++) {
		for (size_t i = 0; groups[g][i].file; i++) {
			_cleanup_free_ char *text = NULL;
			struct cg_blkio_list l = {0};

			if (read_opt(dir, groups[g][i].file, &text, err) < 0)
				return -1;
			if (text && cg_parse_blkio_v1(text, &l, err) < 0)
				return berth_error_wrap(err, "'%s/%s'", dir, groups[g][i].file);
			/* a first file missing or without entries: try the next group */
			if (i == 0 && l.n == 0)
				break;
			free(s->blkio[groups[g][i].kind].v);
			s->blkio[groups[g][i].kind] = l;
			if (!groups[g][i + 1].file)
				return 0;
		}
	}
	return 0;
}

/* One hugetlb.<size>.* triple per page size the kernel offers. */
static int hugetlb(const char *dir, bool v2, struct cg_stats *s, struct berth_error **err)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;

	if (!dir || !(d = opendir("/sys/kernel/mm/hugepages")))
		return 0;
	while ((de = readdir(d))) {
		_cleanup_free_ char *size = cg_hugepage_size_name(de->d_name), *usage = NULL, *max = NULL, *fail = NULL;
		struct cg_hugetlb_stat h = {0};

		if (!size)
			continue;
		usage = xasprintf("hugetlb.%s.%s", size, v2 ? "current" : "usage_in_bytes");
		max = xasprintf("hugetlb.%s.max_usage_in_bytes", size);
		fail = xasprintf("hugetlb.%s.%s", size, v2 ? "events" : "failcnt");
		if (read_u64(dir, usage, UINT64_MAX, &h.usage, err) < 0 ||
		    (!v2 && read_u64(dir, max, UINT64_MAX, &h.max, err) < 0) ||
		    (!v2 && read_u64(dir, fail, 0, &h.failcnt, err) < 0))
			return -1;
		s->hugetlb = realloc(s->hugetlb, (s->n_hugetlb + 1) * sizeof(*s->hugetlb));
		if (!s->hugetlb)
			abort();
		h.size = TAKE_PTR(size);
		s->hugetlb[s->n_hugetlb++] = h;
	}
	return 0;
}

static int stats_v1(struct cg_manager *m, struct cg_stats *s, struct berth_error **err)
{
	if (v1_cpu(m, s, err) < 0 || v1_cpuset(m, s, err) < 0 || v1_memory(m, s, err) < 0 ||
	    pids(v1_dir(m, "pids"), s, err) < 0 || v1_blkio(m, s, err) < 0 ||
	    hugetlb(v1_dir(m, "hugetlb"), false, s, err) < 0)
		return -1;
	return 0;
}

static int v2_cpu(const char *dir, struct cg_stats *s, struct berth_error **err)
{
	_cleanup_free_ char *text = NULL;
	struct cg_kv *kv = NULL;
	size_t n = 0;

	if (read_opt(dir, "cpu.stat", &text, err) < 0)
		return -1;
	if (!text)
		return 0;
	if (cg_parse_flat_keyed(text, &kv, &n, err) < 0)
		return -1;
	/* v2 counts microseconds */
	s->cpu_total = cg_kv_get(kv, n, "usage_usec") * 1000;
	s->cpu_user = cg_kv_get(kv, n, "user_usec") * 1000;
	s->cpu_kernel = cg_kv_get(kv, n, "system_usec") * 1000;
	s->throttle_periods = cg_kv_get(kv, n, "nr_periods");
	s->throttle_throttled_periods = cg_kv_get(kv, n, "nr_throttled");
	s->throttle_throttled_time = cg_kv_get(kv, n, "throttled_usec") * 1000;
	cg_kv_free(kv, n);
	return 0;
}

static int v2_memory(const char *dir, struct cg_stats *s, struct berth_error **err)
{
	_cleanup_free_ char *stat = NULL;

	if (read_opt(dir, "memory.stat", &stat, err) < 0)
		return -1;
	if (!stat)
		return 0;
	if (cg_parse_flat_keyed(stat, &s->mem_raw, &s->n_mem_raw, err) < 0)
		return -1;
	s->mem_cache = cg_kv_get(s->mem_raw, s->n_mem_raw, "file");
	if (read_u64(dir, "memory.current", UINT64_MAX, &s->mem_usage.usage, err) < 0 ||
	    read_u64(dir, "memory.max", UINT64_MAX, &s->mem_usage.limit, err) < 0 ||
	    read_u64(dir, "memory.swap.current", UINT64_MAX, &s->mem_swap.usage, err) < 0 ||
	    read_u64(dir, "memory.swap.max", UINT64_MAX, &s->mem_swap.limit, err) < 0)
		return -1;
	/* as runc: v1 reports swap as memory+swap, so v2's swap numbers get the memory ones added */
	s->mem_swap.usage += s->mem_usage.usage;
	if (s->mem_swap.limit != UINT64_MAX)
		s->mem_swap.limit += s->mem_usage.limit;
	return 0;
}

static int v2_io(const char *dir, struct cg_stats *s, struct berth_error **err)
{
	_cleanup_free_ char *text = NULL;

	if (read_opt(dir, "io.stat", &text, err) < 0)
		return -1;
	if (text && cg_parse_io_stat(text, &s->blkio[CG_BLKIO_SERVICE_BYTES], &s->blkio[CG_BLKIO_SERVICED], err) < 0)
		return -1;
	return 0;
}

static int stats_v2(struct cg_manager *m, struct cg_stats *s, struct berth_error **err)
{
	const char *dir = m->unified && access(m->unified->dir, F_OK) == 0 ? m->unified->dir : NULL;

	if (!dir)
		return 0;
	if (v2_cpu(dir, s, err) < 0 || v2_memory(dir, s, err) < 0 || pids(dir, s, err) < 0 || v2_io(dir, s, err) < 0 ||
	    hugetlb(dir, true, s, err) < 0)
		return -1;
	return 0;
}

int cg_stats_get(struct cg_manager *m, struct cg_stats *ret, struct berth_error **err)
{
	struct cg_stats s = {0};
	int r = m->layout == CG_LAYOUT_V2 ? stats_v2(m, &s, err) : stats_v1(m, &s, err);

	if (r < 0) {
		cg_stats_done(&s);
		return -1;
	}
	*ret = s;
	return 0;
}

void cg_stats_done(struct cg_stats *s)
{
	free(s->percpu.v);
	free(s->percpu_kernel.v);
	free(s->percpu_user.v);
	free(s->cpuset_cpus.v);
	free(s->cpuset_mems.v);
	cg_kv_free(s->mem_raw, s->n_mem_raw);
	for (size_t i = 0; i < CG_BLKIO_COUNT; i++)
		free(s->blkio[i].v);
	for (size_t i = 0; i < s->n_hugetlb; i++)
		free(s->hugetlb[i].size);
	free(s->hugetlb);
	memset(s, 0, sizeof(*s));
}
