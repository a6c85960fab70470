/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pause and resume: freeze and thaw the container's cgroup, with runc's state checks and messages. */
#include <string.h>

#include "base/base.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/core.h"

static int freeze(const struct rt_global *g, const char *id, bool frozen, struct berth_error **err)
{
	_cleanup_free_ char *root = rt_root_path(g);
	_cleanup_close_ int dirfd = -1;
	struct rt_record *r = NULL;
	struct cg_manager *cg = NULL;
	const char *status;
	int rc = -1;

	if (rt_state_dir_open(root, id, true, &dirfd, err) < 0 || rt_record_read(dirfd, id, &r, err) < 0)
		return -1;
	status = rt_record_status(dirfd, r);
	/* runc's messages: pause needs created or running, resume needs paused */
	if (frozen && strcmp(status, "running") != 0 && strcmp(status, "created") != 0) {
		berth_error_set(err, 0, "container not running");
		goto out;
	}
	if (!frozen && strcmp(status, "paused") != 0) {
		berth_error_set(err, 0, "container not paused");
		goto out;
	}
	if (rt_record_cgroup(r, &cg, err) < 0)
		goto out;
	if (!cg)
		berth_error_set(err, 0, "container '%s' has no cgroup", id);
	else
		rc = cg_freeze(cg, frozen, err);
out:
	cg_manager_free(cg);
	rt_record_free(r);
	return rc;
}

int rt_pause(const struct rt_global *g, const char *id, struct berth_error **err)
{
	return freeze(g, id, true, err);
}

int rt_resume(const struct rt_global *g, const char *id, struct berth_error **err)
{
	return freeze(g, id, false, err);
}
