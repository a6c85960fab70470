/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine/: what the volume, cp, export and df files share: device mounts of
 * volumes, tree copies, tar streams of a path inside a root, and a
 * container's filesystem opened for reading or writing.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

struct berth_error;
struct eng;
struct eng_ctr;

/* ---- volumes (volume_tree.c) ---- */

/* Whether path is the root of a mount (statx STATX_ATTR_MOUNT_ROOT). */
bool vol_is_mounted(const char *path);
/*
 * Mount the device a volume's options ({"type", "device", "o"}) name on
 * data_path, unless something is mounted there already. No-op without
 * "type" and "device".
 */
int vol_mount_device(json_t *options, const char *data_path, struct berth_error **err);
/* Whether the directory at path holds no entry (a missing one counts as empty). */
bool vol_is_empty(const char *path);
/*
 * Copy the tree at src_dirfd into dst_dirfd (an empty directory) keeping
 * owners, modes, times and xattrs, never following a symlink; the top
 * directory's owner and mode go onto dst_dirfd too (as dockerd's copy-up).
 */
int vol_copy_tree(int src_dirfd, int dst_dirfd, struct berth_error **err);

/* ---- a container's filesystem (container_fs.c) ---- */

struct eng_ctr_fs {
	int root_fd;   /* the container's "/" */
	char *mounted; /* an overlay mounted for this open, unmounted by close; NULL: none */
};
/*
 * Open the container's filesystem: with_mounts and the container running,
 * its root as its process sees it (/proc/PID/root: volumes and tmpfs
 * included); else its overlay (<dir>/merged, mounted when the container is
 * not running, then with_mounts with the binds and volumes of its Mounts
 * bound on it, read-only where not RW).
 */
int eng_ctr_fs_open(struct eng *e, const struct eng_ctr *c, bool with_mounts, struct eng_ctr_fs *ret,
		    struct berth_error **err);
void eng_ctr_fs_close(struct eng_ctr_fs *fs);

/* ---- tar streams (cp_tar.c) ---- */

/*
 * Write the file or tree at path (resolved inside root_fd) to out_fd as a tar
 * whose entries are called name and name/...; follow: a symlink at path is
 * followed (else written as a link). Symlinks below are never followed.
 */
int cp_tar_write(int root_fd, const char *path, const char *name, bool follow, int out_fd, struct berth_error **err);

struct cp_untar_opts {
	const char *rebase_from; /* rename a first path component rebase_from to rebase_to; NULL: none */
	const char *rebase_to;
	bool keep_owner; /* chown to the entries' uid/gid (else the files keep the caller's) */
};
/*
 * Extract the tar read from in_fd into the directory dir_fd: names and hard
 * link targets with ".." are refused, everything resolves inside dir_fd
 * (openat2 RESOLVE_IN_ROOT), a directory never replaces a file nor a file a
 * directory (Docker's "cannot overwrite" errors).
 */
int cp_untar(int in_fd, int dir_fd, const struct cp_untar_opts *o, struct berth_error **err);
