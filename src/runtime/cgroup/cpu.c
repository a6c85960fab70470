/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cpu controller's plan: shares, CFS quota and period (v1), cpu.weight
 * and cpu.max (v2).
 */
#include <inttypes.h>

#include "base/base.h"
#include "oci/oci.h"
#include "runtime/cgroup/internal.h"

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

static void plan_v2(const struct oci_resources *r, uint64_t shares, int64_t quota, uint64_t period, struct cg_plan *p)
{
	struct buf b = {0};

	if (shares != 0)
		cg_plan_add(p, "cpu", "cpu shares", "cpu.weight", 0, "%" PRIu64, cg_cpu_shares_to_weight(shares));
	if (quota == 0 && period == 0)
		return;
	/* "quota period", "max period", or without a period the kernel keeps its own */
	if (quota > 0)
		buf_printf(&b, "%" PRId64, quota);
	else
		buf_puts(&b, "max");
	if (period != 0)
		buf_printf(&b, " %" PRIu64, period);
	cg_plan_add(p, "cpu", "cpu quota", "cpu.max", 0, "%s", b.data);
	buf_done(&b);
}

int cg_cpu_plan(bool v1, const struct oci_resources *r, struct cg_plan *p, struct berth_error **err)
{
	/* as runc, 0 means unset */
	uint64_t shares = r->has_cpu_shares ? r->cpu_shares : 0;
	int64_t quota = r->has_cpu_quota ? r->cpu_quota : 0;
	uint64_t period = r->has_cpu_period ? r->cpu_period : 0;

	if (!v1) {
		plan_v2(r, shares, quota, period, p);
		return 0;
	}
	if (shares != 0)
		cg_plan_add(p, "cpu", "cpu shares", "cpu.shares", 0, "%" PRIu64, shares);
	/* a shorter period can fail (EINVAL) until the new quota is in: retried after it */
	if (period != 0)
		cg_plan_add(p, "cpu", "cpu period", "cpu.cfs_period_us", CG_W_RETRY_LATER, "%" PRIu64, period);
	if (quota != 0)
		cg_plan_add(p, "cpu", "cpu quota", "cpu.cfs_quota_us", 0, "%" PRId64, quota);
	return 0;
}
