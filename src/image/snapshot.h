/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * image/: unpacked layers and the overlay snapshotter. Each layer is unpacked
 * once, under layers/<hex of its diff id>/diff, and shared by every image
 * that lists it. layers/l/<link> is a short symlink to that diff directory,
 * so that a long lowerdir chain fits the one page of mount data (as Docker's
 * overlay2 driver does). A container's rootfs is an overlay of those links
 * (top first) with an upper and a work directory of its own.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "base/base.h"

struct berth_error;
struct img_store;
struct img_unpack_opts;

#define IMG_LINK_LEN 26

struct img_layer_info {
	char diff_id[DIGEST_STR_SIZE];
	char link[IMG_LINK_LEN + 1];
	int64_t size; /* bytes of regular file content */
	bool existed; /* it was already unpacked: nothing was read */
};

/* Whether the layer is unpacked (layers/<hex>/diff and its link exist). */
bool img_layers_has(struct img_store *s, const char *diff_id);

/*
 * Unpack the tar read from blob_fd as a layer. With expected_diff_id set and
 * that layer present, nothing is read and ret->existed is set; otherwise the
 * stream is unpacked into tmp/ and must hash to expected_diff_id (when
 * given) before it is renamed into place. Concurrent calls for the same
 * layer wait for each other (a lock per layer); a failure leaves nothing.
 * ret_blob_digest (may be NULL) gets the digest of the bytes read.
 */
int img_layers_unpack(struct img_store *s, int blob_fd, const char *expected_diff_id,
		      const struct img_unpack_opts *opts, struct img_layer_info *ret,
		      char ret_blob_digest[DIGEST_STR_SIZE], struct berth_error **err);

/*
 * img_layers_unpack of the store's blob blob_digest (an error when it is
 * missing). Its content was verified
 * when it was stored: so its digest is not computed again, nor, when it is
 * an uncompressed tar, the diff id, which is blob_digest then.
 */
int img_layers_unpack_blob(struct img_store *s, const char *blob_digest, const char *expected_diff_id,
			   const struct img_unpack_opts *opts, struct img_layer_info *ret, struct berth_error **err);

/* Read what is known of an unpacked layer (link, size) from disk. 0 with ret->link empty when absent. */
int img_layers_info(struct img_store *s, const char *diff_id, struct img_layer_info *ret, struct berth_error **err);

/* Remove an unpacked layer and its link; absent is not an error. */
int img_layers_remove(struct img_store *s, const char *diff_id, struct berth_error **err);

/* Absolute path of a layer's diff directory (caller frees). */
char *img_layers_diff_path(struct img_store *s, const char *diff_id);

/*
 * The overlay mount data for links (top layer first, n >= 1), relative to
 * the layers directory: "lowerdir=l/A:l/B,upperdir=U,workdir=W" (upper and
 * work absolute; both NULL for a read-only stack of at least two layers).
 * NULL with err set when it does not fit in a page.
 */
char *img_snapshot_options(const char *const *links, const char *upper, const char *work, struct berth_error **err);

/*
 * Mount the overlay of links (top first) with upper and work on target.
 * An image without layers gets an empty lower directory.
 */
int img_snapshot_mount(struct img_store *s, const char *const *links, const char *upper, const char *work,
		       const char *target, struct berth_error **err);

/*
 * The same with flags. IMG_SNAPSHOT_VOLATILE: overlayfs' volatile option (no
 * sync of the upper layer, not at unmount either, which otherwise syncs the
 * whole file system the upper dir is on), for an upper layer that does not
 * outlive the container (run --rm); plain where the kernel refuses it.
 */
#define IMG_SNAPSHOT_VOLATILE 1u
int img_snapshot_mount_flags(struct img_store *s, const char *const *links, const char *upper, const char *work,
			     const char *target, unsigned flags, struct berth_error **err);

/*
 * img_snapshot_mount with every lower layer seen through an idmapped mount
 * of the user namespace userns_fd (a container with --uidmap: the layers'
 * root-owned files appear owned by the container's root). The idmapped
 * mounts are made under scratch (a directory of the caller's, empty) and
 * detached again once the overlay holds them.
 */
int img_snapshot_mount_idmapped(struct img_store *s, const char *const *links, const char *upper, const char *work,
				const char *target, int userns_fd, const char *scratch, struct berth_error **err);
