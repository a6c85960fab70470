/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cpu controller's plan: shares, CFS quota, period and burst, realtime
 * runtime and period, and SCHED_IDLE (v1 files); cpu.weight, cpu.max,
 * cpu.max.burst and cpu.idle (v2), with runc's conversions and ordering.
 */
#include <inttypes.h>

#include "base/base.h"
#include "oci/oci.h"
#include "runtime/cgroup/internal.h"

/* cgroup v2's default period, which runc writes when only a quota is given */
#define CG_CPU_DEFAULT_PERIOD 100000

uint64_t cg_cpu_shares_to_weight(uint64_t shares)
{
	if (shares == 0)
		return 0;
	/* the kernel clamps v1 shares to 2..262144; map that range linearly onto 1..10000 as runc does */
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

/* The fields as runc reads them: 0 means unset, except idle and burst, which count when present. */
struct cpu_vals {
	uint64_t shares, period, rt_period, burst;
	int64_t quota, rt_runtime, idle;
	bool has_burst, has_idle;
};

static int plan_v2(const struct cpu_vals *v, struct cg_plan *p, struct berth_error **err)
{
	struct buf b = {0};

	if (v->rt_runtime != 0 || v->rt_period != 0)
		return berth_error_set(err, 0,
				       "cpu realtimeRuntime/realtimePeriod set but cgroup v2 has no realtime cpu "
				       "controller");
	/* first: the kernel refuses a weight for an idle group, and idle 0 must precede it */
	if (v->has_idle)
		cg_plan_add(p, "cpu", "cpu idle", "cpu.idle", 0, "%" PRId64, v->idle);
	if (v->shares != 0)
		cg_plan_add(p, "cpu", "cpu shares", "cpu.weight", 0, "%" PRIu64, cg_cpu_shares_to_weight(v->shares));
	/* a burst above the current quota fails (EINVAL) until the new quota is in: retried after it */
	if (v->has_burst)
		cg_plan_add(p, "cpu", "cpu burst", "cpu.max.burst", v->quota != 0 ? CG_W_RETRY_LATER : 0, "%" PRIu64,
			    v->burst);
	if (v->quota == 0 && v->period == 0)
		return 0;
	if (v->quota > 0)
		buf_printf(&b, "%" PRId64, v->quota);
	else
		buf_puts(&b, "max");
	buf_printf(&b, " %" PRIu64, v->period ? v->period : (uint64_t)CG_CPU_DEFAULT_PERIOD);
	cg_plan_add(p, "cpu", "cpu quota", "cpu.max", 0, "%s", b.data);
	buf_done(&b);
	return 0;
}

static void plan_v1(const struct cpu_vals *v, struct cg_plan *p)
{
	if (v->shares != 0)
		cg_plan_add(p, "cpu", "cpu shares", "cpu.shares", 0, "%" PRIu64, v->shares);
	/* a shorter period can fail (EINVAL) until the new quota is in: retried after it */
	if (v->period != 0)
		cg_plan_add(p, "cpu", "cpu period", "cpu.cfs_period_us", v->quota != 0 ? CG_W_RETRY_LATER : 0,
			    "%" PRIu64, v->period);
	/* likewise a burst; kernels before 5.14 have no burst file, which runc ignores */
	if (v->has_burst)
		cg_plan_add(p, "cpu", "cpu burst", "cpu.cfs_burst_us",
			    CG_W_OPTIONAL | (v->quota != 0 ? CG_W_RETRY_LATER : 0), "%" PRIu64, v->burst);
	if (v->quota != 0)
		cg_plan_add(p, "cpu", "cpu quota", "cpu.cfs_quota_us", 0, "%" PRId64, v->quota);
	if (v->has_idle)
		cg_plan_add(p, "cpu", "cpu idle", "cpu.idle", 0, "%" PRId64, v->idle);
	/* the period bounds the runtime: period first, as runc */
	if (v->rt_period != 0)
		cg_plan_add(p, "cpu", "cpu realtime period", "cpu.rt_period_us", CG_W_RETRY_LATER, "%" PRIu64,
			    v->rt_period);
	if (v->rt_runtime != 0)
		cg_plan_add(p, "cpu", "cpu realtime runtime", "cpu.rt_runtime_us", CG_W_RETRY_LATER, "%" PRId64,
			    v->rt_runtime);
}

int cg_cpu_plan(bool v1, const struct oci_resources *r, struct cg_plan *p, struct berth_error **err)
{
	struct cpu_vals v = {
		.shares = r->has_cpu_shares ? r->cpu_shares : 0,
		.quota = r->has_cpu_quota ? r->cpu_quota : 0,
		.period = r->has_cpu_period ? r->cpu_period : 0,
		.rt_runtime = r->has_cpu_rt_runtime ? r->cpu_rt_runtime : 0,
		.rt_period = r->has_cpu_rt_period ? r->cpu_rt_period : 0,
		.has_burst = r->has_cpu_burst,
		.burst = r->cpu_burst,
		.has_idle = r->has_cpu_idle,
		.idle = r->cpu_idle,
	};

	if (v.has_idle && v.idle != 0 && v.idle != 1)
		return berth_error_set(err, 0, "invalid cpu idle %" PRId64 " (0 or 1)", v.idle);
	if (v.quota < -1)
		return berth_error_set(err, 0, "invalid cpu quota %" PRId64, v.quota);
	if (v1) {
		plan_v1(&v, p);
		return 0;
	}
	return plan_v2(&v, p, err);
}
