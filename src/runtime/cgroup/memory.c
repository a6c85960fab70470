/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The memory controller's plan: limit, reservation, swap, swappiness, the
 * OOM killer switch and use_hierarchy, in v1 files or their v2 equivalents;
 * kernel memory limits are deprecated and ignored with a warning, as runc 1.1.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>

#include "base/base.h"
#include "oci/oci.h"
#include "runtime/cgroup/internal.h"

int cg_memory_swap_v2(int64_t swap, int64_t limit, int64_t *ret, bool *ret_set, struct berth_error **err)
{
	/* as v1: an unlimited memory without a swap value means unlimited swap too */
	if (limit == -1 && swap == 0) {
		*ret = -1;
		*ret_set = true;
		return 0;
	}
	if (swap == 0 || swap == -1) {
		*ret = swap;
		*ret_set = swap != 0;
		return 0;
	}
	if (swap < -1)
		return berth_error_set(err, 0, "invalid memory swap %" PRId64, swap);
	if (limit <= 0)
		return berth_error_set(err, 0, "memory swap %" PRId64 " set without a memory limit", swap);
	/* OCI's swap is memory+swap (v1 memsw); v2's swap.max counts swap alone */
	if (swap < limit)
		return berth_error_set(err, 0,
				       "memory+swap limit %" PRId64 " should be at least the memory limit %" PRId64,
				       swap, limit);
	*ret = swap - limit;
	*ret_set = true;
	return 0;
}

/* -1 is "max" on v2 */
static void add_v2_num(struct cg_plan *p, const char *what, const char *file, unsigned flags, int64_t v)
{
	if (v == -1)
		cg_plan_add(p, "memory", what, file, flags, "max");
	else
		cg_plan_add(p, "memory", what, file, flags, "%" PRId64, v);
}

static int plan_v2(const struct oci_resources *r, int64_t limit, int64_t swap, int64_t resv, struct cg_plan *p,
		   struct berth_error **err)
{
	int64_t swap_max = 0;
	bool swap_set = false;

	if (cg_memory_swap_v2(swap, limit, &swap_max, &swap_set, err) < 0)
		return -1;
	/* swap first, as runc; without swap accounting there is no swap.max, and "max" or 0 then need nothing */
	if (swap_set)
		add_v2_num(p, "memory swap limit", "memory.swap.max", swap_max <= 0 ? CG_W_OPTIONAL : 0, swap_max);
	if (limit != 0)
		add_v2_num(p, "memory limit", "memory.max",
			   r->has_memory_check_before_update && r->memory_check_before_update ? CG_W_CHECK_USAGE : 0,
			   limit);
	if (resv != 0)
		add_v2_num(p, "memory reservation", "memory.low", 0, resv);
	if (r->has_memory_swappiness)
		log_warn("memory swappiness is not supported on cgroup v2, ignoring");
	if (r->has_disable_oom_killer && r->disable_oom_killer)
		log_warn("disabling the OOM killer is not supported on cgroup v2, ignoring");
	if (r->has_memory_use_hierarchy && !r->memory_use_hierarchy)
		log_warn("memory useHierarchy false is not supported on cgroup v2 (always hierarchical), ignoring");
	return 0;
}

static int plan_v1(const struct oci_resources *r, int64_t limit, int64_t swap, int64_t resv, struct cg_plan *p,
		   struct berth_error **err)
{
	/* runc: an unlimited memory without a swap value means unlimited memsw too */
	if (limit == -1 && swap == 0)
		swap = -1;
	if (limit > 0 && swap > 0 && swap < limit)
		return berth_error_set(err, 0,
				       "memory+swap limit %" PRId64 " should be at least the memory limit %" PRId64,
				       swap, limit);
	/*
	 * The kernel keeps limit <= memsw at every step, so which goes first
	 * depends on the current values (runc reads them; raising needs memsw
	 * first, lowering the limit first): both are retried after the other.
	 */
	if (limit != 0)
		cg_plan_add(p, "memory", "memory limit", "memory.limit_in_bytes", CG_W_RETRY_LATER, "%" PRId64, limit);
	if (swap != 0)
		/* without swap accounting there is no memsw file; "unlimited" then needs nothing */
		cg_plan_add(p, "memory", "memory swap limit", "memory.memsw.limit_in_bytes",
			    CG_W_RETRY_LATER | (swap == -1 ? CG_W_OPTIONAL : 0), "%" PRId64, swap);
	if (resv != 0)
		cg_plan_add(p, "memory", "memory reservation", "memory.soft_limit_in_bytes", 0, "%" PRId64, resv);
	if (r->has_disable_oom_killer && r->disable_oom_killer)
		cg_plan_add(p, "memory", "disableOOMKiller", "memory.oom_control", 0, "1");
	/* docker sends -1 (as uint64) for "unset", which runc skips */
	if (r->has_memory_swappiness && r->memory_swappiness != UINT64_MAX) {
		if (r->memory_swappiness > 100)
			return berth_error_set(err, 0, "invalid memory swappiness %" PRIu64 " (0 to 100)",
					       r->memory_swappiness);
		cg_plan_add(p, "memory", "memory swappiness", "memory.swappiness", 0, "%" PRIu64, r->memory_swappiness);
	}
	/* kernels since 5.16 only accept 1 (and have no such file once v1 memory goes) */
	if (r->has_memory_use_hierarchy)
		cg_plan_add(p, "memory", "memory useHierarchy", "memory.use_hierarchy", CG_W_OPTIONAL, "%d",
			    r->memory_use_hierarchy ? 1 : 0);
	return 0;
}

int cg_memory_plan(bool v1, const struct oci_resources *r, struct cg_plan *p, struct berth_error **err)
{
	/* as runc, 0 means unset */
	int64_t limit = r->has_memory_limit ? r->memory_limit : 0;
	int64_t swap = r->has_memory_swap ? r->memory_swap : 0;
	int64_t resv = r->has_memory_reservation ? r->memory_reservation : 0;

	if (limit < -1)
		return berth_error_set(err, 0, "invalid memory limit %" PRId64, limit);
	if (resv < -1)
		return berth_error_set(err, 0, "invalid memory reservation %" PRId64, resv);
	if (swap < -1)
		return berth_error_set(err, 0, "invalid memory swap %" PRId64, swap);
	/* runc 1.1 no longer sets them: the kernel deprecated kmem limits in 5.4 and removed them in 6.x */
	if (r->has_memory_kernel || r->has_memory_kernel_tcp)
		log_warn("kernel memory settings (memory.kernel, memory.kernelTCP) are deprecated, ignoring");
	return v1 ? plan_v1(r, limit, swap, resv, p, err) : plan_v2(r, limit, swap, resv, p, err);
}
