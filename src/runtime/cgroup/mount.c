/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The "cgroup" mount type of config.json: cgroup2 on v2; on v1 and hybrid a
 * tmpfs holding one mount per hierarchy, as runc lays it out. Runs in the
 * container's mount namespace, before pivot_root, on fds inside the rootfs.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "base/base.h"
#include "runtime/cgroup/internal.h"

#define CG_MNT_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC)

static int remount_ro(int fd, const char *what, struct berth_error **err)
{
	char p[64];

	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	if (mount(NULL, p, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | CG_MNT_FLAGS, NULL) < 0)
		return berth_error_set(err, errno, "remount '%s' read-only", what);
	return 0;
}

/* Bind the container's own cgroup directory of h on target (no cgroupns: hide the rest of the host's tree). */
static int bind_dir(const struct cg_hier *h, const char *target, struct berth_error **err)
{
	_cleanup_close_ int src = open(h->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	char p[64];

	if (src < 0)
		return berth_error_set(err, errno, "open cgroup '%s'", h->dir);
	snprintf(p, sizeof(p), "/proc/self/fd/%d", src);
	if (mount(p, target, NULL, MS_BIND | MS_REC, NULL) < 0)
		return berth_error_set(err, errno, "bind mount cgroup '%s'", h->dir);
	return 0;
}

/* One hierarchy in the subdirectory named after it. */
static int mount_hier(const struct cg_hier *h, int tmpfd, bool readonly, bool cgroupns, struct berth_error **err)
{
	_cleanup_close_ int sub = -1, mounted = -1;
	char p[64];
	int r;

	if (mkdirat(tmpfd, h->name, 0755) < 0 && errno != EEXIST)
		return berth_error_set(err, errno, "mkdir '%s' in the cgroup tmpfs", h->name);
	sub = openat(tmpfd, h->name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub < 0)
		return berth_error_set(err, errno, "open '%s' in the cgroup tmpfs", h->name);
	snprintf(p, sizeof(p), "/proc/self/fd/%d", sub);
	if (!cgroupns)
		r = bind_dir(h, p, err);
	else if (h->is_v2)
		r = mount("cgroup2", p, "cgroup2", CG_MNT_FLAGS, NULL) < 0
			    ? berth_error_set(err, errno, "mount cgroup2 on '%s'", h->name)
			    : 0;
	else
		r = mount("cgroup", p, "cgroup", CG_MNT_FLAGS, h->ctrl_list) < 0
			    ? berth_error_set(err, errno, "mount cgroup '%s'", h->ctrl_list)
			    : 0;
	if (r < 0 || !readonly)
		return r;
	/* opened again by name to get the new mount, not the directory under it */
	mounted = openat(tmpfd, h->name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (mounted < 0)
		return berth_error_set(err, errno, "open '%s' in the cgroup tmpfs", h->name);
	return remount_ro(mounted, h->name, err);
}

/* "cpu" and "cpuacct" → "cpu,cpuacct", as runc and systemd lay them out. */
static int comount_links(const struct cg_hier *h, int tmpfd, struct berth_error **err)
{
	for (size_t i = 0; h->ctrls[i]; i++) {
		const char *c = h->ctrls[i];

		if (strcmp(c, h->name) == 0 || strchr(c, '='))
			continue;
		if (symlinkat(h->name, tmpfd, c) < 0 && errno != EEXIST)
			return berth_error_set(err, errno, "symlink '%s' to '%s' in the cgroup tmpfs", c, h->name);
	}
	return 0;
}

static int mount_v2(struct cg_manager *m, int destfd, bool readonly, struct berth_error **err)
{
	unsigned long ro = readonly ? MS_RDONLY : 0;
	char p[64];

	snprintf(p, sizeof(p), "/proc/self/fd/%d", destfd);
	if (mount("cgroup2", p, "cgroup2", CG_MNT_FLAGS | ro, NULL) == 0)
		return 0;
	/* refused without a cgroupns of our own (EPERM/EBUSY in nested setups): fall back to a bind mount */
	if ((errno != EPERM && errno != EBUSY) || !m->unified)
		return berth_error_set(err, errno, "mount cgroup2");
	return bind_dir(m->unified, p, err);
}

int cg_mount_in_container(struct cg_manager *m, int rootfd, const char *dest, bool readonly, bool cgroupns,
			  struct berth_error **err)
{
	_cleanup_close_ int destfd = -1, tmpfd = -1;
	char p[64];

	destfd = fs_open_in_root(rootfd, dest, O_PATH | O_DIRECTORY, FS_IN_ROOT_MKDIR, err);
	if (destfd < 0)
		return -1;
	if (m->layout == CG_LAYOUT_V2) {
		if (mount_v2(m, destfd, readonly, err) < 0)
			return berth_error_wrap(err, "cgroup mount on '%s'", dest);
		if (!readonly || !m->unified)
			return 0;
		tmpfd = fs_open_in_root(rootfd, dest, O_PATH | O_DIRECTORY, 0, err);
		return tmpfd < 0 ? -1 : remount_ro(tmpfd, dest, err);
	}
	snprintf(p, sizeof(p), "/proc/self/fd/%d", destfd);
	if (mount("tmpfs", p, "tmpfs", CG_MNT_FLAGS, "mode=755") < 0)
		return berth_error_set(err, errno, "mount tmpfs for cgroups on '%s'", dest);
	/* resolved again to land on the new tmpfs rather than the directory under it */
	tmpfd = fs_open_in_root(rootfd, dest, O_PATH | O_DIRECTORY, 0, err);
	if (tmpfd < 0)
		return -1;
	for (size_t i = 0; i < m->n; i++) {
		if (mount_hier(&m->h[i], tmpfd, readonly, cgroupns, err) < 0 || comount_links(&m->h[i], tmpfd, err) < 0)
			return berth_error_wrap(err, "cgroup mount on '%s'", dest);
	}
	if (readonly)
		return remount_ro(tmpfd, dest, err);
	return 0;
}
