/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pids controller's plan: pids.max (the same file on v1 and v2).
 */
#include <inttypes.h>

#include "base/base.h"
#include "oci/oci.h"
#include "runtime/cgroup/internal.h"

int cg_pids_plan(bool v1, const struct oci_resources *r, struct cg_plan *p, struct berth_error **err)
{
	if (!r->has_pids_limit)
		return 0;
	/* 0 and -1 both mean no limit */
	if (r->pids_limit > 0)
		cg_plan_add(p, "pids", "pids limit", "pids.max", 0, "%" PRId64, r->pids_limit);
	else
		cg_plan_add(p, "pids", "pids limit", "pids.max", 0, "max");
	return 0;
}
