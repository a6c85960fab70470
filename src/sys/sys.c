/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Raw syscall wrappers for what glibc 2.36 does not wrap. */
#include "sys/sys.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

pid_t sys_clone3(struct sys_clone_args *args)
{
	long r = syscall(SYS_clone3, args, sizeof(*args));

	if (r >= 0 || errno != ENOSYS)
		return (pid_t)r;
	if (args->flags & (CLONE_INTO_CGROUP | CLONE_NEWTIME)) {
		errno = ENOSYS;
		return -1;
	}
	/* clone(2) with a NULL stack behaves as fork in the child */
	unsigned long flags = (unsigned long)(args->flags & ~(uint64_t)CLONE_PIDFD) | (unsigned long)args->exit_signal;
	if (args->pidfd)
		*(int *)(uintptr_t)args->pidfd = -1;
	return (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
}

int sys_pivot_root(const char *new_root, const char *put_old)
{
	return (int)syscall(SYS_pivot_root, new_root, put_old);
}

int sys_openat2(int dirfd, const char *path, struct sys_open_how *how)
{
	return (int)syscall(SYS_openat2, dirfd, path, how, sizeof(*how));
}

int sys_pidfd_open(pid_t pid, unsigned flags)
{
	return (int)syscall(SYS_pidfd_open, pid, flags);
}

int sys_pidfd_send_signal(int pidfd, int sig, unsigned flags)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, flags);
}

int sys_close_range(unsigned first, unsigned last, unsigned flags)
{
	return (int)syscall(SYS_close_range, first, last, flags);
}

int sys_open_tree(int dirfd, const char *path, unsigned flags)
{
	return (int)syscall(SYS_open_tree, dirfd, path, flags);
}

int sys_move_mount(int from_dirfd, const char *from_path, int to_dirfd, const char *to_path, unsigned flags)
{
	return (int)syscall(SYS_move_mount, from_dirfd, from_path, to_dirfd, to_path, flags);
}

int sys_fsopen(const char *fsname, unsigned flags)
{
	return (int)syscall(SYS_fsopen, fsname, flags);
}

int sys_fsconfig(int fd, unsigned cmd, const char *key, const void *value, int aux)
{
	return (int)syscall(SYS_fsconfig, fd, cmd, key, value, aux);
}

int sys_fsmount(int fd, unsigned flags, unsigned attr_flags)
{
	return (int)syscall(SYS_fsmount, fd, flags, attr_flags);
}

int sys_memfd_create(const char *name, unsigned flags)
{
	return (int)syscall(SYS_memfd_create, name, flags);
}

int sys_cloexec_from(int from)
{
	DIR *d;
	struct dirent *de;

	if (sys_close_range((unsigned)from, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		int fd = atoi(de->d_name);
		if (de->d_name[0] < '0' || de->d_name[0] > '9' || fd < from || fd == dirfd(d))
			continue;
		int fl = fcntl(fd, F_GETFD);
		if (fl >= 0)
			fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
	}
	closedir(d);
	return 0;
}

int sys_mount_setattr(int dirfd, const char *path, unsigned flags, struct sys_mount_attr *attr)
{
#ifdef SYS_mount_setattr
	return (int)syscall(SYS_mount_setattr, dirfd, path, flags, attr, sizeof(*attr));
#else
	errno = ENOSYS;
	return -1;
#endif
}

static int write_proc(pid_t pid, const char *file, const char *data)
{
	char path[64];
	int fd, rc = 0;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (write(fd, data, strlen(data)) < 0)
		rc = -1;
	close(fd);
	return rc;
}

int sys_userns_fd(const char *uid_map, const char *gid_map)
{
	int sync[2], fd = -1, saved = 0;
	char path[64];
	pid_t pid;

	if (pipe2(sync, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		saved = errno;
		close(sync[0]);
		close(sync[1]);
		errno = saved;
		return -1;
	}
	if (pid == 0) {
		char c;

		close(sync[1]);
		if (unshare(CLONE_NEWUSER) < 0)
			_exit(1);
		/* wait until the parent has written the maps and opened the namespace */
		while (read(sync[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(sync[0]);
	/* the child unshares first: poll its namespace until it differs from ours */
	for (int i = 0; i < 1000; i++) {
		char mine[64] = "", theirs[64] = "";

		snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
		if (readlink("/proc/self/ns/user", mine, sizeof(mine) - 1) > 0 &&
		    readlink(path, theirs, sizeof(theirs) - 1) > 0 && strcmp(mine, theirs) != 0)
			break;
		usleep(1000);
	}
	if (write_proc(pid, "uid_map", uid_map) < 0 || write_proc(pid, "setgroups", "deny") < 0 ||
	    write_proc(pid, "gid_map", gid_map) < 0)
		saved = errno;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		saved = errno;
	close(sync[1]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (fd < 0)
		errno = saved;
	return fd;
}
