/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fd-relative filesystem helpers, and resolving paths inside a root without escaping it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct berth_error;

/* Read a whole file (at dirfd, AT_FDCWD allowed). *ret is NUL-terminated; ret_len may be NULL. */
int fs_read_file_at(int dirfd, const char *path, char **ret, size_t *ret_len, struct berth_error **err);
/* Write data to path at dirfd through a temp name + fsync-less rename (atomic replace). */
int fs_write_file_atomic_at(int dirfd, const char *path, const void *data, size_t len, mode_t mode,
			    struct berth_error **err);
/* write(2) until all len bytes are out, retrying on EINTR; -1 with errno set on failure. */
int fs_write_all(int fd, const void *data, size_t len);
/* Write a string to an existing file (cgroup and /proc knobs): open O_WRONLY, one write. */
int fs_write_string_at(int dirfd, const char *path, const char *s, struct berth_error **err);
/* mkdir -p relative to dirfd; existing directories are fine. */
int fs_mkdir_p_at(int dirfd, const char *path, mode_t mode, struct berth_error **err);
/* rm -rf relative to dirfd, never crossing into other mounts or following symlinks; missing is fine. */
int fs_rm_rf_at(int dirfd, const char *path, struct berth_error **err);

/* Flags for fs_open_in_root. */
enum {
	FS_IN_ROOT_MKDIR = 1 << 0,	   /* create missing directories on the way (and the last one) */
	FS_IN_ROOT_MKFILE = 1 << 1,	   /* create the last component as an empty file if missing */
	FS_IN_ROOT_NOFOLLOW_LAST = 1 << 2, /* do not follow a symlink in the last component */
};

/*
 * Open path inside the directory rootfd as if rootfd were "/": "..", absolute
 * symlinks and absolute paths never leave it (openat2 RESOLVE_IN_ROOT, or a
 * component-by-component walk where openat2 is missing). open_flags are
 * openat flags (O_PATH, O_DIRECTORY, …; O_CLOEXEC is always added). Returns
 * the fd. This is the only way code opens something inside a rootfs or layer.
 */
int fs_open_in_root(int rootfd, const char *path, int open_flags, int flags, struct berth_error **err);

/* "/proc/self/fd/N" into buf (at least 32 bytes). */
const char *fs_fd_path(int fd, char *buf, size_t cap);

/* True when path exists at dirfd (no symlink following for the last component). */
bool fs_exists_at(int dirfd, const char *path);

/* Join a and b with exactly one '/' between them. Caller frees. */
char *fs_path_join(const char *a, const char *b);
/* Lexically clean an absolute path: collapse //, ., and .. (never above /). Caller frees. */
char *fs_path_clean(const char *path);
