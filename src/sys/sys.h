/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Facade of sys/: wrappers for syscalls glibc lacks, and feature probes. No policy. */
#pragma once

#include <linux/types.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Mirrors struct clone_args of linux/sched.h (v2, with cgroup). */
struct sys_clone_args {
	uint64_t flags;
	uint64_t pidfd;
	uint64_t child_tid;
	uint64_t parent_tid;
	uint64_t exit_signal;
	uint64_t stack;
	uint64_t stack_size;
	uint64_t tls;
	uint64_t set_tid;
	uint64_t set_tid_size;
	uint64_t cgroup;
};

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/*
 * clone3(2) with fork semantics (no new stack): returns 0 in the child, the
 * pid in the parent, -1 with errno. Falls back to clone(2) when clone3 is
 * ENOSYS, for flags clone(2) can express (not CLONE_INTO_CGROUP/NEWTIME);
 * then *pidfd is -1 (the caller uses pidfd_open).
 */
pid_t sys_clone3(struct sys_clone_args *args);

int sys_pivot_root(const char *new_root, const char *put_old);

/* struct open_how of linux/openat2.h */
struct sys_open_how {
	uint64_t flags;
	uint64_t mode;
	uint64_t resolve;
};
#define SYS_RESOLVE_NO_XDEV 0x01
#define SYS_RESOLVE_NO_MAGICLINKS 0x02
#define SYS_RESOLVE_NO_SYMLINKS 0x04
#define SYS_RESOLVE_BENEATH 0x08
#define SYS_RESOLVE_IN_ROOT 0x10
int sys_openat2(int dirfd, const char *path, struct sys_open_how *how);

int sys_pidfd_open(pid_t pid, unsigned flags);
int sys_pidfd_send_signal(int pidfd, int sig, unsigned flags);
int sys_close_range(unsigned first, unsigned last, unsigned flags);
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* New mount API. */
int sys_open_tree(int dirfd, const char *path, unsigned flags);
int sys_move_mount(int from_dirfd, const char *from_path, int to_dirfd, const char *to_path, unsigned flags);
int sys_fsopen(const char *fsname, unsigned flags);
int sys_fsconfig(int fd, unsigned cmd, const char *key, const void *value, int aux);
int sys_fsmount(int fd, unsigned flags, unsigned attr_flags);
/* mount_setattr(2): only MOUNT_ATTR_IDMAP is used here (an idmapped mount of a layer). */
struct sys_mount_attr {
	uint64_t attr_set, attr_clr, propagation, userns_fd;
};
#define SYS_MOUNT_ATTR_IDMAP 0x00100000
int sys_mount_setattr(int dirfd, const char *path, unsigned flags, struct sys_mount_attr *attr);
/*
 * A user namespace with the given uid_map and gid_map ("0 100000 65536\n"
 * lines), as an O_CLOEXEC fd (for idmapped mounts); -1 with errno set.
 */
int sys_userns_fd(const char *uid_map, const char *gid_map);

/* Mark every fd >= from close-on-exec (close_range, or a /proc/self/fd walk). */
int sys_cloexec_from(int from);

int sys_memfd_create(const char *name, unsigned flags);
