/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The network plan: net_cls.classid and net_prio.ifpriomap, which exist on
 * cgroup v1 only; on v2 they are ignored with a warning (runc's v2 manager
 * ignores them too: use an eBPF program or nftables' cgroup match there).
 */
#include <inttypes.h>
#include <string.h>

#include "base/base.h"
#include "oci/oci.h"
#include "runtime/cgroup/internal.h"

int cg_net_plan(bool v1, const struct oci_resources *r, struct cg_plan *p, struct berth_error **err)
{
	/* as runc, a class id of 0 is unset */
	bool classid = r->has_net_class_id && r->net_class_id != 0;

	for (size_t i = 0; i < r->n_net_priorities; i++) {
		const char *name = r->net_priorities[i].name;

		if (!*name || strpbrk(name, " \t\n/"))
			return berth_error_set(err, 0, "invalid network priority interface name '%s'", name);
	}
	if (!v1) {
		if (classid || r->n_net_priorities)
			log_warn("network classID and priorities need the v1 net_cls and net_prio controllers, which "
				 "cgroup v2 does not have, ignoring");
		return 0;
	}
	if (classid)
		cg_plan_add(p, "net_cls", "network classID", "net_cls.classid", 0, "%" PRIu32, r->net_class_id);
	for (size_t i = 0; i < r->n_net_priorities; i++)
		cg_plan_add(p, "net_prio", "network priorities", "net_prio.ifpriomap", 0, "%s %" PRIu32,
			    r->net_priorities[i].name, r->net_priorities[i].priority);
	return 0;
}
