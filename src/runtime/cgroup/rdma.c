/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rdma plan: one rdma.max line per device ("mlx4_0 hca_handle=2
 * hca_object=2000"), the same file on v1 and v2.
 */
#include <inttypes.h>
#include <string.h>

#include "base/base.h"
#include "oci/oci.h"
#include "runtime/cgroup/internal.h"

int cg_rdma_plan(bool v1, const struct oci_resources *r, struct cg_plan *p, struct berth_error **err)
{
	for (size_t i = 0; i < r->n_rdma; i++) {
		const struct oci_rdma_limit *l = &r->rdma[i];
		struct buf b = {0};

		if (!*l->device || strpbrk(l->device, " \t\n/"))
			return berth_error_set(err, 0, "invalid rdma device name '%s'", l->device);
		/* a device without any limit: nothing to write, as runc writes the bare name, which the kernel ignores
		 */
		if (!l->has_hca_handles && !l->has_hca_objects)
			continue;
		buf_puts(&b, l->device);
		if (l->has_hca_handles)
			buf_printf(&b, " hca_handle=%" PRIu32, l->hca_handles);
		if (l->has_hca_objects)
			buf_printf(&b, " hca_object=%" PRIu32, l->hca_objects);
		cg_plan_add(p, "rdma", "rdma limit", "rdma.max", 0, "%s", b.data);
		buf_done(&b);
	}
	return 0;
}
