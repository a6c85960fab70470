/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Ops of the v1 and hybrid layouts: one hierarchy per controller group,
 * cpuset initialisation, the v1 freezer. Hybrid adds the unified directory,
 * which is created and entered like the others but gets no controllers.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "runtime/cgroup/internal.h"

/* Copy file from the parent directory when it is empty in dir (new cpuset cgroups start empty). */
static int cpuset_inherit(const char *dir, const char *file, struct berth_error **err)
{
	_cleanup_free_ char *cur = NULL, *parent_dir = NULL, *parent_val = NULL;
	const char *slash = strrchr(dir, '/');

	if (cg_read(dir, file, &cur, err) < 0)
		return -1;
	if (cur[strspn(cur, " \n")] != '\0')
		return 0;
	parent_dir = strndup(dir, (size_t)(slash - dir));
	if (!parent_dir)
		abort();
	if (cg_read(parent_dir, file, &parent_val, err) < 0)
		return -1;
	return cg_write(dir, file, parent_val, err);
}

/*
 * A task cannot join a v1 cpuset cgroup whose cpus or mems are empty
 * (ENOSPC), so every level below the mount gets its parent's values,
 * top-down, before anything is attached.
 */
static int cpuset_prepare(struct cg_hier *h, struct berth_error **err)
{
	size_t base = strlen(h->mountpoint);
	_cleanup_free_ char *p = xstrdup(h->dir);

	for (char *s = p + base + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (cpuset_inherit(p, "cpuset.cpus", err) < 0 || cpuset_inherit(p, "cpuset.mems", err) < 0)
			return -1;
		*s = c;
		if (c == '\0')
			break;
	}
	return 0;
}

static int v1_prepare(struct cg_manager *m, struct berth_error **err)
{
	struct cg_hier *h = cg_find_v1(m, "cpuset");

	if (h && strlen(h->dir) > strlen(h->mountpoint))
		return cpuset_prepare(h, err);
	return 0;
}

static struct cg_hier *v1_hier_for(struct cg_manager *m, const char *controller)
{
	if (!controller)
		return m->unified;
	return cg_find_v1(m, controller);
}

static struct cg_hier *v1_pids_hier(struct cg_manager *m)
{
	struct cg_hier *h = cg_find_v1(m, "pids");

	if (!h)
		h = cg_find_v1(m, "memory");
	for (size_t i = 0; !h && i < m->n; i++)
		if (!m->h[i].is_v2)
			h = &m->h[i];
	return h;
}

/* FROZEN is reached asynchronously (FREEZING meanwhile); write again until it is, for up to about 1 s. */
static int v1_freeze(struct cg_manager *m, bool frozen, struct berth_error **err)
{
	const struct timespec nap = {0, 1000 * 1000};
	struct cg_hier *h = cg_find_v1(m, "freezer");
	const char *want = frozen ? "FROZEN" : "THAWED";

	/* nothing to freeze without a freezer, or when the cgroup is gone */
	if (!h || access(h->dir, F_OK) < 0)
		return 0;
	for (int i = 0; i < 1000; i++) {
		_cleanup_free_ char *state = NULL;

		if (cg_write(h->dir, "freezer.state", want, err) < 0)
			return -1;
		if (cg_read(h->dir, "freezer.state", &state, err) < 0)
			return -1;
		if (strcmp(state, want) == 0)
			return 0;
		nanosleep(&nap, NULL);
	}
	return berth_error_set(err, EBUSY, "freeze cgroup '%s': still not %s", h->dir, want);
}

const struct cg_ops cg_v1_ops = {
	.layout = CG_LAYOUT_V1,
	.prepare = v1_prepare,
	.hier_for = v1_hier_for,
	.pids_hier = v1_pids_hier,
	.freeze = v1_freeze,
	.devices = NULL,
};

const struct cg_ops cg_hybrid_ops = {
	.layout = CG_LAYOUT_HYBRID,
	/* as runc: the unified dir only tracks processes, its subtree_control is left alone */
	.prepare = v1_prepare,
	.hier_for = v1_hier_for,
	.pids_hier = v1_pids_hier,
	.freeze = v1_freeze,
	.devices = NULL,
};
