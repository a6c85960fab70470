/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The mounts of config.json, applied in the container's mount namespace
 * before pivot_root. Every target is resolved inside the rootfs
 * (fs_open_in_root) and mounted through its /proc/self/fd path, so a symlink
 * in the rootfs can never redirect a mount onto the host.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/core.h"
#include "runtime/internal.h"

#define BIND_REMOUNT_FLAGS                                                                                          \
	(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME | \
	 MS_NOSYMFOLLOW)

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

static bool source_is_dir(const char *src)
{
	struct stat st;

	return stat(src, &st) < 0 || S_ISDIR(st.st_mode);
}

/* Open the destination inside the root, creating it as a directory or file. */
static int open_target(int rootfd, const char *dest, bool as_dir, struct berth_error **err)
{
	/* missing parents are made either way: runc does, and Podman's /run/.containerenv needs it */
	int fd = fs_open_in_root(rootfd, dest, O_PATH, as_dir ? FS_IN_ROOT_MKDIR : FS_IN_ROOT_MKDIR | FS_IN_ROOT_MKFILE,
				 err);

	return fd < 0 ? berth_error_wrap(err, "mount destination '%s'", dest) : fd;
}

static int remount_bind(int rootfd, const struct oci_mount *m, struct berth_error **err)
{
	_cleanup_close_ int fd = -1;
	char p[64];
	unsigned long flags = m->flags & BIND_REMOUNT_FLAGS;

	if (!flags)
		return 0;
	/* reopen: the fd taken before the mount points below it */
	fd = fs_open_in_root(rootfd, m->destination, O_PATH, 0, err);
	if (fd < 0)
		return -1;
	if (mount(NULL, fs_fd_path(fd, p, sizeof(p)), NULL, MS_BIND | MS_REMOUNT | flags, NULL) < 0)
		return berth_error_set(err, errno, "remount '%s'", m->destination);
	return 0;
}

static int set_propagation(int rootfd, const struct oci_mount *m, struct berth_error **err)
{
	_cleanup_close_ int fd = -1;
	char p[64];

	if (!m->propagation)
		return 0;
	fd = fs_open_in_root(rootfd, m->destination, O_PATH, 0, err);
	if (fd < 0)
		return -1;
	if (mount(NULL, fs_fd_path(fd, p, sizeof(p)), NULL, m->propagation, NULL) < 0)
		return berth_error_set(err, errno, "set propagation of '%s'", m->destination);
	return 0;
}

static int mount_bind(int rootfd, const struct oci_mount *m, const char *source, struct berth_error **err)
{
	_cleanup_close_ int fd = open_target(rootfd, m->destination, source_is_dir(source), err);
	unsigned long rec = m->options && strv_contains(m->options, "rbind") ? MS_REC : 0;
	char p[64];

	if (fd < 0)
		return -1;
	if (mount(source, fs_fd_path(fd, p, sizeof(p)), NULL, MS_BIND | rec, NULL) < 0)
		return berth_error_set(err, errno, "bind mount '%s' on '%s'", source, m->destination);
	return remount_bind(rootfd, m, err);
}

static int mount_fs(int rootfd, const struct oci_mount *m, bool in_userns, struct berth_error **err)
{
	_cleanup_close_ int fd = open_target(rootfd, m->destination, true, err);
	unsigned long flags = m->flags & ~(unsigned long)(MS_BIND | MS_REC | MS_REMOUNT);
	char p[64];

	if (fd < 0)
		return -1;
	if (mount(m->source ? m->source : m->type, fs_fd_path(fd, p, sizeof(p)), m->type, flags, m->data) == 0)
		return 0;
	if (errno == EPERM && !strcmp(m->type, "sysfs")) {
		/* sysfs of a network namespace we do not own: bind the host's, as runc does */
		if (mount("/sys", p, NULL, MS_BIND | MS_REC, NULL) == 0)
			return remount_bind(rootfd, m, err);
	}
	return berth_error_set(err, errno, "mount '%s' (%s) on '%s'", m->source ? m->source : "none", m->type,
			       m->destination);
}

int rt_mounts_apply(int rootfd, const struct oci_config *cfg, struct cg_manager *cg, bool in_userns,
		    struct berth_error **err)
{
	bool cgroupns = cfg->linux_.namespaces[OCI_NS_CGROUP].present;

	for (size_t i = 0; i < cfg->n_mounts; i++) {
		const struct oci_mount *m = &cfg->mounts[i];
		int rc;

		if (m->type && !strcmp(m->type, "cgroup")) {
			rc = cg ? cg_mount_in_container(cg, rootfd, m->destination, m->flags & MS_RDONLY, cgroupns, err)
				: 0;
		} else if (m->is_bind || (m->type && !strcmp(m->type, "bind"))) {
			rc = mount_bind(rootfd, m, m->source, err);
		} else {
			rc = mount_fs(rootfd, m, in_userns, err);
		}
		if (rc < 0 || set_propagation(rootfd, m, err) < 0)
			return berth_error_wrap(err, "mounts[%zu]", i);
	}
	return 0;
}
