/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pause and resume: the layout's freeze op behind a check that a freezer
 * exists, and the freezer state as `state` reports it (v1 freezer.state,
 * v2 cgroup.freeze plus "frozen" in cgroup.events).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "runtime/cgroup/internal.h"

/* The directory holding the freezer files: v1 (and hybrid) the freezer hierarchy, v2 the unified dir. */
static const char *freezer_dir(struct cg_manager *m)
{
	struct cg_hier *h;

	if (m->layout != CG_LAYOUT_V2)
		h = cg_find_v1(m, "freezer");
	else
		h = m->unified;
	return h ? h->dir : NULL;
}

static const char *freezer_file(const struct cg_manager *m)
{
	return m->layout != CG_LAYOUT_V2 ? "freezer.state" : "cgroup.freeze";
}

int cg_freeze(struct cg_manager *m, bool frozen, struct berth_error **err)
{
	const char *dir = freezer_dir(m);
	_cleanup_free_ char *file = NULL;

	if (!dir)
		return berth_error_set(err, 0, "cgroup controller 'freezer' is not available");
	file = fs_path_join(dir, freezer_file(m));
	if (access(file, F_OK) < 0)
		return berth_error_set(err, errno, "freezer of cgroup '%s'", dir);
	return m->ops->freeze(m, frozen, err);
}

/* v2: cgroup.freeze says what was asked, cgroup.events whether the kernel got there. */
static int v2_state(const char *dir, enum cg_freezer_state *ret, struct berth_error **err)
{
	_cleanup_free_ char *want = NULL, *events = NULL;

	if (cg_read(dir, "cgroup.freeze", &want, err) < 0)
		return -1;
	if (strcmp(want, "1") != 0) {
		*ret = CG_FREEZER_THAWED;
		return 0;
	}
	if (cg_read(dir, "cgroup.events", &events, err) < 0)
		return -1;
	*ret = strstr(events, "frozen 1") ? CG_FREEZER_FROZEN : CG_FREEZER_FREEZING;
	return 0;
}

int cg_freezer_state(struct cg_manager *m, enum cg_freezer_state *ret, struct berth_error **err)
{
	const char *dir = freezer_dir(m);
	_cleanup_free_ char *file = NULL, *state = NULL;

	*ret = CG_FREEZER_THAWED;
	if (!dir)
		return 0;
	file = fs_path_join(dir, freezer_file(m));
	/* no freezer file: the cgroup is gone, or a v2 kernel without freezer (before 5.2) */
	if (access(file, F_OK) < 0)
		return 0;
	if (m->layout == CG_LAYOUT_V2)
		return v2_state(dir, ret, err);
	if (cg_read(dir, "freezer.state", &state, err) < 0)
		return -1;
	if (strcmp(state, "FROZEN") == 0)
		*ret = CG_FREEZER_FROZEN;
	else if (strcmp(state, "FREEZING") == 0)
		*ret = CG_FREEZER_FREEZING;
	return 0;
}
