/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux.resources.unified: raw "<controller>.<knob>" files of the cgroup v2
 * directory, written last so that they override the named fields.
 */
#include <string.h>

#include "base/base.h"
#include "oci/oci.h"
#include "runtime/cgroup/internal.h"

int cg_unified_plan(bool v1, const struct oci_resources *r, struct cg_plan *p, struct berth_error **err)
{
	if (!r->unified || !r->unified[0])
		return 0;
	/* runc: "cannot use unified on cgroup v1"; hybrid is v1 for resources */
	if (v1)
		return berth_error_set(err, 0,
				       "unified cgroup resource '%s' set but the cgroup layout is not v2 (cgroup v1 "
				       "or hybrid)",
				       r->unified[0]);
	for (size_t i = 0; r->unified[i] && r->unified[i + 1]; i += 2) {
		const char *key = r->unified[i];
		const char *dot = strchr(key, '.');
		_cleanup_free_ char *ctrl = NULL, *what = NULL;

		if (!dot || dot == key || dot[1] == '\0' || strchr(key, '/') || strcmp(key, "..") == 0)
			return berth_error_set(err, 0,
					       "invalid unified cgroup key '%s' (expected '<controller>.<knob>')", key);
		ctrl = strndup(key, (size_t)(dot - key));
		if (!ctrl)
			abort();
		what = xasprintf("unified key '%s'", key);
		/* "cgroup.*" files exist in every cgroup: no controller to check */
		cg_plan_add(p, strcmp(ctrl, "cgroup") == 0 ? NULL : ctrl, what, key, 0, "%s", r->unified[i + 1]);
	}
	return 0;
}
