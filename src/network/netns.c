/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Network namespaces kept alive by a bind mount at a path (as `ip netns add`,
 * at any path): create in a forked child, delete, open.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "network/netlink_internal.h"

/*
 * Make dir a shared mount point, bind-mounting it on itself when it is not a
 * mount point yet (mount(MS_SHARED) fails with EINVAL then). Shared, as ip
 * netns does: a namespace mount made later propagates into mount namespaces
 * copied from this one, and its unmount too, so no copy pins the netns.
 */
static int dir_make_shared(const char *dir, struct berth_error **err)
{
	if (mount("none", dir, NULL, MS_SHARED | MS_REC, NULL) == 0)
		return 0;
	if (errno != EINVAL)
		return berth_error_set(err, errno, "make '%s' a shared mount", dir);
	if (mount(dir, dir, NULL, MS_BIND | MS_REC, NULL) < 0)
		return berth_error_set(err, errno, "bind-mount '%s' on itself", dir);
	if (mount("none", dir, NULL, MS_SHARED | MS_REC, NULL) < 0)
		return berth_error_set(err, errno, "make '%s' a shared mount", dir);
	return 0;
}

/* What the child reports through the pipe: the failed step (0: none) and its errno. */
struct netns_result {
	int step;
	int code;
};
enum { NETNS_STEP_UNSHARE = 1, NETNS_STEP_MOUNT = 2 };

/* In the forked child: only async-signal-safe calls (the parent may have threads). */
static void __attribute__((noreturn)) netns_child(int wfd, const char *path)
{
	struct netns_result r = {0};

	if (unshare(CLONE_NEWNET) < 0)
		r = (struct netns_result){NETNS_STEP_UNSHARE, errno};
	else if (mount("/proc/self/ns/net", path, NULL, MS_BIND, NULL) < 0)
		r = (struct netns_result){NETNS_STEP_MOUNT, errno};
	if (write(wfd, &r, sizeof(r)) != (ssize_t)sizeof(r))
		_exit(2);
	_exit(r.step ? 1 : 0);
}

/* Fork a child that unshares a new netns and bind-mounts it on path (an existing empty file). */
static int netns_spawn(const char *path, struct berth_error **err)
{
	struct netns_result r = {0};
	int fds[2], status = 0;
	ssize_t n;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return berth_error_set(err, errno, "create netns '%s': pipe", path);
	pid = fork();
	if (pid < 0) {
		berth_error_set(err, errno, "create netns '%s': fork", path);
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		netns_child(fds[1], path);
	}
	close(fds[1]);
	do
		n = read(fds[0], &r, sizeof(r));
	while (n < 0 && errno == EINTR);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof(r))
		return berth_error_set(err, EIO, "create netns '%s': the helper process died", path);
	if (r.step == NETNS_STEP_UNSHARE)
		return berth_error_set(err, r.code, "create netns '%s': unshare", path);
	if (r.step == NETNS_STEP_MOUNT)
		return berth_error_set(err, r.code, "create netns '%s': bind mount", path);
	return 0;
}

int net_netns_create(const char *path, struct berth_error **err)
{
	_cleanup_free_ char *copy = NULL;
	int fd;

	if (!path || path[0] != '/')
		return berth_error_set(err, 0, "create netns '%s': path must be absolute", path ? path : "");
	copy = strdup(path);
	if (!copy)
		return berth_error_set(err, ENOMEM, "create netns '%s'", path);
	if (dir_make_shared(dirname(copy), err) < 0)
		return berth_error_wrap(err, "create netns '%s'", path);
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0444);
	if (fd < 0)
		return berth_error_set(err, errno, "create netns '%s'", path);
	close(fd);
	if (netns_spawn(path, err) < 0) {
		unlink(path);
		return -1;
	}
	return 0;
}

int net_netns_delete(const char *path, struct berth_error **err)
{
	/* EINVAL: not a mount point (a half-made namespace); ENOENT: already gone */
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return berth_error_set(err, errno, "delete netns '%s': unmount", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return berth_error_set(err, errno, "delete netns '%s'", path);
	return 0;
}

int net_netns_open(const char *path, struct berth_error **err)
{
	_cleanup_close_ int fd = -1;
	struct statfs sfs;
	int type;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return berth_error_set(err, errno, "open netns '%s'", path);
	if (fstatfs(fd, &sfs) < 0)
		return berth_error_set(err, errno, "open netns '%s'", path);
	if (sfs.f_type != NSFS_MAGIC)
		return berth_error_set(err, 0, "open netns '%s': not a namespace", path);
	/* NS_GET_NSTYPE is Linux 4.11+; older kernels say ENOTTY and we trust the file */
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type >= 0 && type != CLONE_NEWNET)
		return berth_error_set(err, 0, "open netns '%s': not a network namespace", path);
	return TAKE_FD(fd);
}
