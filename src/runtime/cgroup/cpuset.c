/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cpuset controller's plan: cpus and mems (the same files on v1 and v2).
 * The v1 copy-from-parent initialisation happens at create time (v1.c).
 */
#include <string.h>

#include "base/base.h"
#include "oci/oci.h"
#include "runtime/cgroup/internal.h"

int cg_cpuset_plan(bool v1, const struct oci_resources *r, struct cg_plan *p, struct berth_error **err)
{
	if (r->cpu_cpus && *r->cpu_cpus)
		cg_plan_add(p, "cpuset", "cpuset cpus", "cpuset.cpus", 0, "%s", r->cpu_cpus);
	if (r->cpu_mems && *r->cpu_mems)
		cg_plan_add(p, "cpuset", "cpuset mems", "cpuset.mems", 0, "%s", r->cpu_mems);
	return 0;
}
