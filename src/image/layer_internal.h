/* SPDX-License-Identifier: GPL-2.0-or-later */
/* image/: what layer_unpack.c (the streams) and layer_apply.c (entries onto a directory) share. */
#pragma once

#include <stdint.h>

#include "image/ext_archive.h"
#include "image/layer.h"

/* Name prefixes of OCI/AUFS whiteouts in a layer tar. */
#define LAYER_WH_PREFIX ".wh."
#define LAYER_WH_META ".wh..wh."
#define LAYER_WH_OPAQUE ".wh..wh..opq"
#define LAYER_OPAQUE_XATTR "trusted.overlay.opaque"

/* What img_layer_unpack is told about its input beyond the fd. */
struct layer_src {
	int fd;
	const char *digest; /* the digest of fd's bytes when known (a blob of the store, verified when stored) */
	bool want_digest;   /* without digest: hash fd's bytes for ret->blob_digest; false leaves it "" */
};

/*
 * img_layer_unpack of src->fd. With src->digest set and a stream that is not
 * compressed, that digest is the diff id: the bytes are not hashed at all.
 */
int layer_unpack(const struct layer_src *src, int dest_dirfd, const struct img_unpack_opts *opts,
		 struct img_unpack_result *ret, struct berth_error **err);

struct layer_apply; /* the state of one unpack into one directory */

/* A new state for unpacking into dest_dirfd (not owned; must outlive the state). */
struct layer_apply *layer_apply_new(int dest_dirfd, const struct img_unpack_opts *opts);
void layer_apply_free(struct layer_apply *la);

/*
 * Apply entry e, read from a (its data too, for regular files), onto the
 * directory. *unpacked grows by the regular file bytes written. Errors name
 * the entry: "layer entry 'NAME': …".
 */
int layer_apply_entry(struct layer_apply *la, struct archive *a, struct archive_entry *e, int64_t *unpacked,
		      struct berth_error **err);

/* After the last entry: directories get their modes and times (adding entries changed them). */
int layer_apply_finish(struct layer_apply *la, struct berth_error **err);
