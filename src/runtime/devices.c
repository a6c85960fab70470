/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /dev inside the rootfs before pivot_root: the default device nodes,
 * linux.devices (mknod, or a bind mount of the host's node) and the symlinks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/base.h"
#include "runtime/internal.h"

/* One node to create, from the defaults or from linux.devices. */
struct dev_node {
	const char *path;
	char type; /* 'c', 'u', 'b' or 'p' */
	unsigned major, minor;
	mode_t mode;
	uid_t uid;
	gid_t gid;
};

static const struct dev_node default_nodes[] = {
	{"/dev/null", 'c', 1, 3, 0666, 0, 0},	 {"/dev/zero", 'c', 1, 5, 0666, 0, 0},
	{"/dev/full", 'c', 1, 7, 0666, 0, 0},	 {"/dev/random", 'c', 1, 8, 0666, 0, 0},
	{"/dev/urandom", 'c', 1, 9, 0666, 0, 0}, {"/dev/tty", 'c', 5, 0, 0666, 0, 0},
};

static const struct {
	const char *name;
	const char *target;
} default_links[] = {
	{"fd", "/proc/self/fd"},
	{"stdin", "/proc/self/fd/0"},
	{"stdout", "/proc/self/fd/1"},
	{"stderr", "/proc/self/fd/2"},
};

static mode_t node_type(char type)
{
	switch (type) {
	case 'b':
		return S_IFBLK;
	case 'p':
		return S_IFIFO;
	default:
		return S_IFCHR;
	}
}

/* Open the directory that holds path inside rootfd (creating it), and point *ret_base at the last component. */
static int open_parent(int rootfd, const char *path, char **ret_dir, const char **ret_base, struct berth_error **err)
{
	_cleanup_free_ char *abs = NULL, *clean = NULL;
	char *slash;
	int fd;

	abs = path[0] == '/' ? xstrdup(path) : xasprintf("/%s", path);
	clean = fs_path_clean(abs);
	if (!clean)
		return berth_error_set(err, ENOMEM, "clean path '%s'", path);
	slash = strrchr(clean, '/');
	if (!slash || slash[1] == '\0')
		return berth_error_set(err, EINVAL, "invalid device path '%s'", path);
	*slash = '\0';
	fd = fs_open_in_root(rootfd, clean[0] ? clean : "/", O_PATH | O_DIRECTORY, FS_IN_ROOT_MKDIR, err);
	if (fd < 0)
		return berth_error_wrap(err, "device '%s'", path);
	/* clean now holds "dir\0base": hand both out through one allocation. */
	*ret_base = slash + 1;
	*ret_dir = TAKE_PTR(clean);
	return fd;
}

/* The host node to bind: the same path when it is that device, else udev's /dev/{char,block}/M:N. */
static char *host_source(const struct dev_node *d)
{
	char *alt;
	struct stat st;

	if (stat(d->path, &st) == 0 && (st.st_mode & S_IFMT) == node_type(d->type) &&
	    st.st_rdev == makedev(d->major, d->minor))
		return xstrdup(d->path);
	alt = xasprintf("/dev/%s/%u:%u", d->type == 'b' ? "block" : "char", d->major, d->minor);
	if (stat(alt, &st) == 0 && (st.st_mode & S_IFMT) == node_type(d->type) &&
	    st.st_rdev == makedev(d->major, d->minor))
		return alt;
	free(alt);
	return NULL;
}

/* The mount point at base: an existing file or node is mounted over, a symlink replaced by an empty file. */
static int open_mountpoint(int parentfd, const char *base, struct berth_error **err)
{
	struct stat st = {0};
	int fd;

	fd = openat(parentfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		if (fstat(fd, &st) < 0 || S_ISDIR(st.st_mode)) {
			int e = S_ISDIR(st.st_mode) ? EISDIR : errno;

			close(fd);
			return berth_error_set(err, e, "device mount point '%s'", base);
		}
		if (!S_ISLNK(st.st_mode))
			return fd;
		close(fd);
		if (unlinkat(parentfd, base, 0) < 0)
			return berth_error_set(err, errno, "remove symlink '%s'", base);
	} else if (errno != ENOENT) {
		return berth_error_set(err, errno, "open device mount point '%s'", base);
	}
	if (mknodat(parentfd, base, S_IFREG | 0644, 0) < 0 && errno != EEXIST)
		return berth_error_set(err, errno, "create device mount point '%s'", base);
	fd = openat(parentfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return berth_error_set(err, errno, "open device mount point '%s'", base);
	return fd;
}

static int bind_node(int parentfd, const char *base, const struct dev_node *d, struct berth_error **err)
{
	_cleanup_free_ char *src = host_source(d);
	_cleanup_close_ int fd = -1;
	char fdpath[64];

	if (!src)
		return berth_error_set(err, ENOENT, "no host node for device '%s' (%c %u:%u) to bind-mount", d->path,
				       d->type, d->major, d->minor);
	fd = open_mountpoint(parentfd, base, err);
	if (fd < 0)
		return berth_error_wrap(err, "device '%s'", d->path);
	/* Mount through the fd: the node we just checked, whatever the path points at now. */
	if (mount(src, fs_fd_path(fd, fdpath, sizeof(fdpath)), NULL, MS_BIND, NULL) < 0)
		return berth_error_set(err, errno, "bind-mount '%s' on device '%s'", src, d->path);
	return 0;
}

/* mknod, replacing what the image had at that path. -1 with errno set. */
static int mknod_replace(int parentfd, const char *base, const struct dev_node *d)
{
	mode_t mode = node_type(d->type) | (d->mode & 07777);
	dev_t dev = d->type == 'p' ? 0 : makedev(d->major, d->minor);

	if (mknodat(parentfd, base, mode, dev) == 0)
		return 0;
	if (errno != EEXIST || unlinkat(parentfd, base, 0) < 0)
		return -1;
	return mknodat(parentfd, base, mode, dev);
}

static int create_node(int rootfd, const struct dev_node *d, bool bind_devices, struct berth_error **err)
{
	_cleanup_close_ int parentfd = -1;
	_cleanup_free_ char *dir = NULL;
	const char *base = NULL;

	parentfd = open_parent(rootfd, d->path, &dir, &base, err);
	if (parentfd < 0)
		return -1;
	/* A fifo needs no privilege; other nodes are bound from the host where mknod is denied (user namespace). */
	if (bind_devices && d->type != 'p')
		return bind_node(parentfd, base, d, err);
	if (mknod_replace(parentfd, base, d) < 0) {
		if (errno == EPERM && d->type != 'p')
			return bind_node(parentfd, base, d, err);
		return berth_error_set(err, errno, "mknod device '%s'", d->path);
	}
	if (fchownat(parentfd, base, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return berth_error_set(err, errno, "chown device '%s' to %u:%u", d->path, (unsigned)d->uid,
				       (unsigned)d->gid);
	/* mknod applied our umask; the mode asked for is exact. */
	if (fchmodat(parentfd, base, d->mode & 07777, 0) < 0)
		return berth_error_set(err, errno, "chmod device '%s'", d->path);
	return 0;
}

static int node_from_oci(const struct oci_device *o, struct dev_node *ret, struct berth_error **err)
{
	if (!o->path || !strchr("cubp", o->type) || o->type == '\0')
		return berth_error_set(err, EINVAL, "invalid device '%s'", o->path ? o->path : "");
	if (o->type != 'p' && (o->major < 0 || o->minor < 0 || o->major > 0xfff || o->minor > 0xfffff))
		return berth_error_set(err, EINVAL, "invalid device number of '%s'", o->path);
	*ret = (struct dev_node){
		.path = o->path,
		.type = o->type,
		.major = (unsigned)(o->type == 'p' ? 0 : o->major),
		.minor = (unsigned)(o->type == 'p' ? 0 : o->minor),
		.mode = o->has_file_mode ? o->file_mode : 0666,
		.uid = o->has_uid ? o->uid : 0,
		.gid = o->has_gid ? o->gid : 0,
	};
	return 0;
}

static bool listed(const struct oci_device *devs, size_t n, const char *path)
{
	_cleanup_free_ char *want = fs_path_clean(path);

	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *p = devs[i].path ? fs_path_clean(devs[i].path) : NULL;

		if (p && want && strcmp(p, want) == 0)
			return true;
	}
	return false;
}

static int symlink_at(int devfd, const char *target, const char *name, struct berth_error **err)
{
	if (symlinkat(target, devfd, name) < 0 && errno != EEXIST)
		return berth_error_set(err, errno, "symlink '/dev/%s' to '%s'", name, target);
	return 0;
}

static int create_links(int rootfd, struct berth_error **err)
{
	_cleanup_close_ int devfd = -1;

	devfd = fs_open_in_root(rootfd, "/dev", O_PATH | O_DIRECTORY, FS_IN_ROOT_MKDIR, err);
	if (devfd < 0)
		return -1;
	for (size_t i = 0; i < sizeof(default_links) / sizeof(default_links[0]); i++)
		if (symlink_at(devfd, default_links[i].target, default_links[i].name, err) < 0)
			return -1;
	/* The container's ptmx is the one of its own devpts instance. */
	if (unlinkat(devfd, "ptmx", 0) < 0 && errno != ENOENT)
		return berth_error_set(err, errno, "remove '/dev/ptmx'");
	if (symlink_at(devfd, "pts/ptmx", "ptmx", err) < 0)
		return -1;
	/* Checked on the host: this runs before pivot_root. */
	if (access("/proc/kcore", F_OK) == 0 && symlink_at(devfd, "/proc/kcore", "core", err) < 0)
		return -1;
	return 0;
}

int rt_devices_setup(int rootfd, const struct oci_device *devs, size_t n, bool create_defaults, bool bind_devices,
		     struct berth_error **err)
{
	struct dev_node node;

	for (size_t i = 0; i < n; i++)
		if (node_from_oci(&devs[i], &node, err) < 0)
			return -1;
	if (create_defaults) {
		for (size_t i = 0; i < sizeof(default_nodes) / sizeof(default_nodes[0]); i++) {
			/* linux.devices overrides a default node of the same path. */
			if (listed(devs, n, default_nodes[i].path))
				continue;
			if (create_node(rootfd, &default_nodes[i], bind_devices, err) < 0)
				return -1;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (node_from_oci(&devs[i], &node, err) < 0 || create_node(rootfd, &node, bind_devices, err) < 0)
			return -1;
	}
	if (create_defaults && create_links(rootfd, err) < 0)
		return -1;
	return 0;
}
