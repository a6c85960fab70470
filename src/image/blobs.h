/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * image/: the image store's directories under the persistent root, and its
 * content-addressed blobs (blobs/sha256/<hex>), verified as written: a blob
 * is written to tmp/, hashed, and renamed into place only when its digest is
 * the one expected, so a wrong digest leaves nothing behind.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

struct berth_error;

/* The open store: fds of its directories, all O_CLOEXEC. */
struct img_store {
	char *root; /* the persistent root, e.g. /var/lib/berth */
	int root_fd;
	int blobs_fd;  /* blobs/sha256 */
	int layers_fd; /* layers */
	int tmp_fd;    /* tmp: same filesystem, for atomic renames */
};

/* Open (creating as needed) the store under root. */
int img_store_open(const char *root, struct img_store **ret, struct berth_error **err);
void img_store_free(struct img_store *s);
static inline void img_store_freep(struct img_store **p)
{
	if (*p) {
		img_store_free(*p);
		*p = NULL;
	}
}
#define _cleanup_img_store_ __attribute__((cleanup(img_store_freep)))

/*
 * The store-wide garbage collection lock (root/store.lock). Commands that add
 * content hold it shared from the first blob until their rows are in the
 * database; collection takes it exclusively and, with try set, gives up
 * (returns 0 with *ret_fd -1) rather than wait. *ret_fd is closed to release.
 */
int img_store_lock(struct img_store *s, bool exclusive, bool try, int *ret_fd, struct berth_error **err);

/* A blob being written. */
struct img_blob_writer;

/* Start a blob in tmp/. */
int img_blob_create(struct img_store *s, struct img_blob_writer **ret, struct berth_error **err);
/* Append data, hashing it. Refused once img_blob_writer_digest was called. */
int img_blob_write(struct img_blob_writer *w, const void *data, size_t len, struct berth_error **err);
/*
 * The temp file's fd, for writers that fill it themselves (a registry
 * download): then img_blob_commit re-reads the file to hash it, unless
 * img_blob_commit_verified is used.
 */
int img_blob_writer_fd(struct img_blob_writer *w);
/*
 * The digest of what was written so far, made final: no more writes. The
 * bytes are hashed as they are written, so this costs nothing more, except
 * after img_blob_writer_fd (the file is read once). img_blob_commit then
 * uses it without hashing again.
 */
int img_blob_writer_digest(struct img_blob_writer *w, char ret[DIGEST_STR_SIZE], struct berth_error **err);
/*
 * Verify and move into place. expected may be NULL (the digest is whatever
 * was written). On a mismatch the error names both digests and the temp file
 * is gone. ret_digest (may be NULL) gets the digest. Frees w in every case.
 */
int img_blob_commit(struct img_store *s, struct img_blob_writer *w, const char *expected,
		    char ret_digest[DIGEST_STR_SIZE], struct berth_error **err);
/*
 * img_blob_commit for a writer whose fd the caller filled (img_blob_writer_fd)
 * from a stream it has itself hashed, and found to be digest: the file is
 * not read again. Only for a caller that wrote every byte of the file through
 * one digest it then checked (img_registry_blob_get does). Frees w in every case.
 */
int img_blob_commit_verified(struct img_store *s, struct img_blob_writer *w, const char *digest,
			     struct berth_error **err);
/* Abandon a blob: the temp file is removed. NULL accepted. */
void img_blob_abort(struct img_blob_writer *w);

/* Store a small blob (manifest, config) from memory. */
int img_blob_put(struct img_store *s, const void *data, size_t len, const char *expected,
		 char ret_digest[DIGEST_STR_SIZE], struct berth_error **err);
/* Open a blob for reading: 0 with *ret_fd -1 when it is absent. */
int img_blob_open(struct img_store *s, const char *digest, int *ret_fd, struct berth_error **err);
bool img_blob_exists(struct img_store *s, const char *digest);
/* Read a whole blob of at most max bytes (manifests, configs) and check its digest. */
int img_blob_read(struct img_store *s, const char *digest, size_t max, char **ret, size_t *ret_len,
		  struct berth_error **err);
/*
 * The same without hashing the content again: for the hot path (a container's
 * create reads its image config), trusting that blobs are verified as they
 * are written and renamed into place only when right.
 */
int img_blob_read_stored(struct img_store *s, const char *digest, size_t max, char **ret, size_t *ret_len,
			 struct berth_error **err);
/* Remove a blob; absent is not an error. */
int img_blob_remove(struct img_store *s, const char *digest, struct berth_error **err);
/* Size in bytes of a stored blob, -1 when absent. */
int64_t img_blob_size(struct img_store *s, const char *digest);
