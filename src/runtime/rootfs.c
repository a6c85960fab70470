/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The container's root: propagation, the bind mount pivot_root needs, pivot_root itself, read-only root. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "base/base.h"
#include "runtime/core.h"
#include "sys/sys.h"

int rt_rootfs_prepare(const char *rootfs, int *ret_rootfd, struct berth_error **err)
{
	int fd;

	/*
	 * Stop our mounts from propagating to the host. Always rslave here, even
	 * when rootfsPropagation asks for shared: pivot_root refuses a shared new
	 * root or parent, and a shared root would join the host's peer group. The
	 * requested propagation is applied to the new "/" after pivot_root.
	 */
	if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return berth_error_set(err, errno, "set propagation of '/'");
	/* pivot_root needs the new root to be a mount point */
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return berth_error_set(err, errno, "bind mount rootfs '%s'", rootfs);
	fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return berth_error_set(err, errno, "open rootfs '%s'", rootfs);
	*ret_rootfd = fd;
	return 0;
}

static int move_root(int rootfd, struct berth_error **err)
{
	if (fchdir(rootfd) < 0)
		return berth_error_set(err, errno, "chdir to rootfs");
	if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
		return berth_error_set(err, errno, "move rootfs to '/'");
	if (chroot(".") < 0)
		return berth_error_set(err, errno, "chroot to rootfs");
	return 0;
}

int rt_rootfs_pivot(int rootfd, bool no_pivot, unsigned long propagation, struct berth_error **err)
{
	if (no_pivot) {
		if (move_root(rootfd, err) < 0)
			return -1;
	} else {
		/* pivot_root(".", ".") stacks the old root on top of the new one; detach it right away */
		if (fchdir(rootfd) < 0)
			return berth_error_set(err, errno, "chdir to rootfs");
		if (sys_pivot_root(".", ".") < 0)
			return berth_error_set(err, errno, "pivot_root");
		/* the old root must not propagate its unmount to the host */
		if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
			return berth_error_set(err, errno, "set propagation of the old root");
		if (umount2(".", MNT_DETACH) < 0)
			return berth_error_set(err, errno, "unmount the old root");
	}
	if (chdir("/") < 0)
		return berth_error_set(err, errno, "chdir to '/'");
	if (propagation && mount(NULL, "/", NULL, propagation, NULL) < 0)
		return berth_error_set(err, errno, "set rootfsPropagation of '/'");
	return 0;
}

int rt_rootfs_finish(const struct oci_config *cfg, struct berth_error **err)
{
	struct statvfs sv;
	unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY;

	if (!cfg->root_readonly)
		return 0;
	if (statvfs("/", &sv) == 0) {
		/* a bind remount must repeat the locked flags or it fails with EPERM in a user namespace */
		if (sv.f_flag & ST_NOSUID)
			flags |= MS_NOSUID;
		if (sv.f_flag & ST_NODEV)
			flags |= MS_NODEV;
		if (sv.f_flag & ST_NOEXEC)
			flags |= MS_NOEXEC;
	}
	if (mount(NULL, "/", NULL, flags, NULL) < 0)
		return berth_error_set(err, errno, "remount root read-only");
	return 0;
}
