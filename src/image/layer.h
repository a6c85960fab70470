/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * image/: layer unpack (a tar stream to a directory in OverlayFS's format,
 * whiteouts as 0/0 char devices and opaque xattrs) and diff (a directory, an
 * overlay upperdir or a whole rootfs, to a deterministic tar layer).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "base/base.h"

struct img_unpack_opts {
	bool allow_devices;	  /* false: char/block devices other than whiteouts are refused */
	bool ignore_chown_errors; /* rootless: EPERM from chown is ignored (files keep the caller's ids) */
	bool fsync;		  /* syncfs the destination before returning */
};

struct img_unpack_result {
	char diff_id[DIGEST_STR_SIZE];	   /* sha256 of the uncompressed tar stream */
	char blob_digest[DIGEST_STR_SIZE]; /* sha256 of the bytes read from in_fd (the compressed form) */
	int64_t blob_size;		   /* bytes read from in_fd */
	int64_t unpacked_size;		   /* bytes of regular file content */
};

/*
 * Unpack the layer read from in_fd (a tar, plain or gzip, zstd, xz or bzip2
 * compressed, detected from its first bytes) into dest_dirfd, an empty
 * directory, in one pass, computing both digests on the way; in_fd is read to
 * its end. Whiteout entries ".wh.NAME" become 0/0 char devices, ".wh..wh..opq"
 * sets trusted.overlay.opaque=y on its directory. Hostile entries (absolute
 * paths, paths leaving the layer or crossing a symlink, hardlinks to outside,
 * devices unless opts->allow_devices) fail the whole unpack with an error
 * naming the entry; nothing outside dest_dirfd is ever created or changed,
 * but dest_dirfd may hold a partial tree then, which the caller removes.
 * opts may be NULL (all false). *ret is written only on success; ret may be NULL.
 */
int img_layer_unpack(int in_fd, int dest_dirfd, const struct img_unpack_opts *opts, struct img_unpack_result *ret,
		     struct berth_error **err);

struct img_diff_opts {
	bool whiteouts; /* true: src is an overlay upperdir: 0/0 char devices become ".wh.NAME", opaque
			   directories (trusted.overlay.opaque or user.overlay.opaque = "y") get ".wh..wh..opq";
			   false: a plain rootfs, written as it is (export) */
	bool gzip;	/* gzip what is written to out_fd */
};

struct img_diff_result {
	char diff_id[DIGEST_STR_SIZE];	   /* sha256 of the uncompressed tar */
	char blob_digest[DIGEST_STR_SIZE]; /* sha256 of the bytes written (diff_id when not gzip'd) */
	int64_t size;			   /* bytes written to out_fd */
};

/*
 * Write the tree under src_dirfd (the directory itself is not an entry) to
 * out_fd as a tar layer: depth first, each directory's entries sorted by
 * name, PAX only where ustar cannot say it, numeric owners, mtimes in whole
 * seconds, xattrs but trusted.overlay.* and user.overlay.*, names relative
 * without "./" (directories with a trailing '/'), hardlinks found by (dev,
 * ino) written as link entries, sockets skipped. Symlinks are never followed.
 * The same tree gives the same bytes. *ret is written only on success; ret
 * may be NULL. On failure out_fd holds a partial stream.
 */
int img_layer_diff(int src_dirfd, int out_fd, const struct img_diff_opts *opts, struct img_diff_result *ret,
		   struct berth_error **err);
