/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * runtime/: CVE-2019-5736 without a copy of the binary (runc 1.2's way):
 * execute it through a detached read-only overlayfs, and tell whether the
 * running binary is protected already (that, or sealed.c's memfd copy).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "base/base.h"
#include "runtime/runtime.h"
#include "sys/sys.h"

/* The empty second lower layer of the overlay below (overlayfs needs two without an upper). */
#define EXE_DUMMY_LOWER "monitor-exe"
#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

/* The mount id of fd (from /proc/self/fdinfo), or -1. */
static long mount_id_of(int fd)
{
	_cleanup_free_ char *path = xasprintf("/proc/self/fdinfo/%d", fd);
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char line[256];
	long id = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "mnt_id: %ld", &id) == 1)
			break;
	return id;
}

/* Whether mount id is in this mount namespace (/proc/self/mountinfo); a detached mount is not. */
static bool mount_attached(long id)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	long mid;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%ld ", &mid) == 1 && mid == id)
			return true;
	return !f;
}

/*
 * Whether the running binary is protected already: a sealed memfd copy
 * (runtime/sealed.c), or a file on a read-only overlayfs without an upper
 * layer that is mounted nowhere (exec_from_overlay's).
 */
bool rt_exe_protected(void)
{
	_cleanup_close_ int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	struct statfs sfs;
	struct statvfs svfs;
	int seals;
	long id;

	if (fd < 0)
		return false;
	seals = fcntl(fd, F_GET_SEALS);
	if (seals >= 0 && (seals & SEALS) == SEALS)
		return true;
	if (fstatfs(fd, &sfs) < 0 || sfs.f_type != OVERLAYFS_SUPER_MAGIC || fstatvfs(fd, &svfs) < 0 ||
	    !(svfs.f_flag & ST_RDONLY))
		return false;
	id = mount_id_of(fd);
	return id >= 0 && !mount_attached(id);
}

/* path with overlayfs' lowerdir separators (':') and escapes ('\') escaped. */
static char *escape_lower(const char *path)
{
	char *out = xmalloc(2 * strlen(path) + 1), *o = out;

	for (const char *p = path; *p; p++) {
		if (*p == ':' || *p == '\\')
			*o++ = '\\';
		*o++ = *p;
	}
	*o = '\0';
	return out;
}

/*
 * CVE-2019-5736 without a copy (runc 1.2's way): re-execute this binary
 * through a detached overlayfs whose lower layers are its own directory and
 * an empty one, and which has no upper layer. The container's init, a clone
 * of this process until it execs, then has a /proc/PID/exe that cannot be
 * opened for writing or remounted writable (no upper layer, no mount point),
 * while its pages stay the page cache's, shared by every monitor: a sealed
 * memfd copy costs each monitor the binary's size. Returns only on failure.
 */
int rt_exec_from_overlay(char **argv, char **envp, const char *scratch, struct berth_error **err)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	_cleanup_free_ char *dummy = NULL, *dir = NULL, *edir = NULL, *edummy = NULL, *lower = NULL;
	_cleanup_close_ int fsfd = -1, mfd = -1, exe = -1;
	char *slash;

	if (n <= 0)
		return berth_error_set(err, errno, "readlink '/proc/self/exe'");
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (self[0] != '/' || !slash || slash == self || strstr(self, " (deleted)"))
		return berth_error_set(err, 0, "binary '%s' is not on a file system", self);
	dir = xstrdup(self);
	dir[slash - self] = '\0';
	dummy = fs_path_join(scratch, EXE_DUMMY_LOWER);
	if (mkdir(dummy, 0700) < 0 && errno != EEXIST)
		return berth_error_set(err, errno, "create '%s'", dummy);
	edir = escape_lower(dir);
	edummy = escape_lower(dummy);
	/* the binary's directory on top: a file of the same name in the empty one cannot mask it */
	lower = xasprintf("%s:%s", edir, edummy);
	fsfd = sys_fsopen("overlay", FSOPEN_CLOEXEC);
	if (fsfd < 0 || sys_fsconfig(fsfd, FSCONFIG_SET_STRING, "lowerdir", lower, 0) < 0)
		return berth_error_set(err, errno, "overlayfs on '%s'", dir);
	/* xino is of no use here and logs when the layers are on different file systems */
	sys_fsconfig(fsfd, FSCONFIG_SET_STRING, "xino", "off", 0);
	if (sys_fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return berth_error_set(err, errno, "create an overlayfs on '%s'", dir);
	mfd = sys_fsmount(fsfd, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID);
	if (mfd < 0)
		return berth_error_set(err, errno, "mount the overlayfs on '%s'", dir);
	exe = openat(mfd, slash + 1, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (exe < 0)
		return berth_error_set(err, errno, "open '%s' on the overlayfs", slash + 1);
	fexecve(exe, argv, envp);
	return berth_error_set(err, errno, "re-execute '%s' from the overlayfs", self);
}
