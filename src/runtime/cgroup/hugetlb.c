/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The hugetlb plan: hugetlb.<size>.limit_in_bytes (v1) or hugetlb.<size>.max
 * (v2) per page size, with the reservation limit too where the kernel has it.
 */
#include <ctype.h>
#include <inttypes.h>
#include <string.h>

#include "base/base.h"
#include "oci/oci.h"
#include "runtime/cgroup/internal.h"

bool cg_hugetlb_size_valid(const char *size)
{
	size_t n = strspn(size, "0123456789");

	/* the kernel's names: no leading zero, a unit of KB, MB or GB ("2MB", "1GB", "64KB") */
	if (n == 0 || size[0] == '0')
		return false;
	return strcmp(size + n, "KB") == 0 || strcmp(size + n, "MB") == 0 || strcmp(size + n, "GB") == 0;
}

int cg_hugetlb_plan(bool v1, const struct oci_resources *r, struct cg_plan *p, struct berth_error **err)
{
	for (size_t i = 0; i < r->n_hugepage_limits; i++) {
		const struct oci_hugepage_limit *l = &r->hugepage_limits[i];
		_cleanup_free_ char *what = NULL, *file = NULL, *rsvd = NULL;

		if (!cg_hugetlb_size_valid(l->page_size))
			return berth_error_set(err, 0, "invalid hugepage size '%s' (expected e.g. '2MB' or '1GB')",
					       l->page_size);
		what = xasprintf("hugepage limit '%s'", l->page_size);
		file = xasprintf(v1 ? "hugetlb.%s.limit_in_bytes" : "hugetlb.%s.max", l->page_size);
		rsvd = xasprintf(v1 ? "hugetlb.%s.rsvd.limit_in_bytes" : "hugetlb.%s.rsvd.max", l->page_size);
		cg_plan_add(p, "hugetlb", what, file, 0, "%" PRIu64, l->limit);
		/* as runc 1.2: reserved pages get the same limit, on kernels that count them (5.7) */
		cg_plan_add(p, "hugetlb", what, rsvd, CG_W_OPTIONAL, "%" PRIu64, l->limit);
	}
	return 0;
}
