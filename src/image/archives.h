/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * image/: image archives, as docker load/save and skopeo write them: a
 * docker-archive (manifest.json, legacy <id>/layer.tar or blobs/sha256/),
 * an oci-archive (oci-layout, index.json, blobs/sha256/), or both in one
 * tar, which is what Docker 25+ saves. Reading spools every file into the
 * blob store; writing streams blobs out of it.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

struct berth_error;
struct img_store;

/* One layer blob of an image in an archive. */
struct img_archive_layer {
	char digest[DIGEST_STR_SIZE]; /* the blob as stored (compressed or not) */
	char *media_type;	      /* from the manifest, or from the blob's first bytes */
	int64_t size;		      /* bytes of the blob */
};

/* One image found in an archive; its config and layer blobs are in the store. */
struct img_archive_image {
	char config[DIGEST_STR_SIZE];	/* the image id */
	char manifest[DIGEST_STR_SIZE]; /* "" when the archive has only manifest.json */
	struct img_archive_layer *layers;
	size_t n_layers;
	char **tags; /* as written: "busybox:latest", "docker.io/library/x:1"; NULL when untagged */
};

struct img_archive {
	struct img_archive_image *images;
	size_t n_images;
	char **added; /* blobs this read put into the store that were not there before */
};

/*
 * Read an image archive (tar, plain or gzip, zstd or xz compressed) from fd
 * in one pass. Every regular file is spooled into the store: entries named
 * blobs/sha256/<hex> must hash to their name (a mismatch is refused, naming
 * the entry), others are hashed and found again by path (symlinks and
 * hardlinks followed within the archive). Then manifest.json (preferred,
 * for its RepoTags) or index.json (nested indexes resolved for the host
 * platform; names from io.containerd.image.name, else a full reference in
 * org.opencontainers.image.ref.name) lists the images; every config and
 * layer they name must be in the store. On success *ret is owned by the
 * caller (img_archive_free); on failure every blob in the store that this
 * call added is removed again and *ret is untouched.
 */
int img_archive_read(struct img_store *s, int fd, struct img_archive **ret, struct berth_error **err);
void img_archive_free(struct img_archive *a);
static inline void img_archive_freep(struct img_archive **p)
{
	if (*p) {
		img_archive_free(*p);
		*p = NULL;
	}
}
#define _cleanup_img_archive_ __attribute__((cleanup(img_archive_freep)))

/* One image to save. Strings are borrowed. */
struct img_save_image {
	const char *config;   /* config blob digest (the image id) */
	const char *manifest; /* stored manifest digest, or NULL: an OCI manifest is made */
	const struct img_archive_layer *layers;
	size_t n_layers;
	char *const *names; /* full tag references ("docker.io/library/busybox:latest"), or NULL */
};

/*
 * Write the images to out_fd as Docker 25+ saves them: a tar of
 * blobs/sha256/ (configs, manifests and layer blobs, each once, sorted by
 * digest), index.json (one manifest descriptor per tag with the
 * io.containerd.image.name and org.opencontainers.image.ref.name
 * annotations, or one without for an untagged image), manifest.json,
 * oci-layout and repositories. Entries are owned by 0:0 with mtime 0, so the
 * same images give the same bytes. A stored manifest is used when it names
 * exactly these config and layer blobs; otherwise (or without one) an OCI
 * manifest is made. On failure out_fd holds a partial tar.
 */
int img_archive_write(struct img_store *s, const struct img_save_image *images, size_t n, int out_fd,
		      struct berth_error **err);

/*
 * The layer media type for a blob from its first bytes (n of them): gzip,
 * zstd, else an uncompressed tar (xz and bzip2 have no OCI media type and
 * are named as tar, which unpacking still detects).
 */
const char *img_archive_layer_media_type(const unsigned char *head, size_t n);
