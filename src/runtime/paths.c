/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux.maskedPaths and linux.readonlyPaths, applied after pivot_root: the
 * paths are the container's own.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "base/base.h"
#include "runtime/internal.h"

/*
 * Mount on the fd we opened and checked rather than on the path, so that a
 * path swapped for a symlink meanwhile cannot redirect the mount (the kind of
 * race of CVE-2019-16884). Without /proc (no proc mount in the container) the
 * magic link is missing: use the path.
 */
static int mount_on_fd(const char *src, int fd, const char *path, const char *fstype, unsigned long flags)
{
	char fdpath[64];

	if (mount(src, fs_fd_path(fd, fdpath, sizeof(fdpath)), fstype, flags, NULL) == 0)
		return 0;
	if (errno != ENOENT)
		return -1;
	return mount(src, path, fstype, flags, NULL);
}

static int mask_one(const char *path, struct berth_error **err)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return berth_error_set(err, errno, "open masked path '%s'", path);
	}
	if (fstat(fd, &st) < 0)
		return berth_error_set(err, errno, "stat masked path '%s'", path);
	if (S_ISDIR(st.st_mode)) {
		/* An empty read-only tmpfs hides the directory's entries. */
		if (mount_on_fd("tmpfs", fd, path, "tmpfs", MS_RDONLY) < 0)
			return berth_error_set(err, errno, "mask directory '%s' with tmpfs", path);
		return 0;
	}
	if (mount_on_fd("/dev/null", fd, path, NULL, MS_BIND) < 0)
		return berth_error_set(err, errno, "mask '%s' with '/dev/null'", path);
	return 0;
}

int rt_paths_mask(char *const *paths, struct berth_error **err)
{
	for (size_t i = 0; paths && paths[i]; i++)
		if (mask_one(paths[i], err) < 0)
			return -1;
	return 0;
}

/*
 * Flags of the mount at path that a bind remount must repeat: in a user
 * namespace the kernel locks nosuid/nodev/noexec/atime flags of mounts
 * inherited from the host, and a remount that would clear them is EPERM.
 */
static int locked_flags(const char *path, unsigned long *ret, struct berth_error **err)
{
	static const struct {
		unsigned long st, ms;
	} map[] = {
		{ST_NOSUID, MS_NOSUID},		  {ST_NODEV, MS_NODEV},		  {ST_NOEXEC, MS_NOEXEC},
		{ST_NOATIME, MS_NOATIME},	  {ST_NODIRATIME, MS_NODIRATIME}, {ST_RELATIME, MS_RELATIME},
		{ST_SYNCHRONOUS, MS_SYNCHRONOUS},
	};
	struct statvfs sv;
	unsigned long flags = 0;

	if (statvfs(path, &sv) < 0)
		return berth_error_set(err, errno, "statvfs '%s'", path);
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (sv.f_flag & map[i].st)
			flags |= map[i].ms;
	*ret = flags;
	return 0;
}

static int readonly_one(const char *path, struct berth_error **err)
{
	unsigned long flags = 0;

	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
		if (errno == ENOENT)
			return 0;
		return berth_error_set(err, errno, "bind-mount readonly path '%s'", path);
	}
	if (locked_flags(path, &flags, err) < 0)
		return -1;
	if (mount(path, path, NULL, flags | MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, NULL) < 0)
		return berth_error_set(err, errno, "remount '%s' read-only", path);
	return 0;
}

int rt_paths_readonly(char *const *paths, struct berth_error **err)
{
	for (size_t i = 0; paths && paths[i]; i++)
		if (readonly_one(paths[i], err) < 0)
			return -1;
	return 0;
}
