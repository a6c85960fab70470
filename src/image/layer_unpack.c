/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * img_layer_unpack: one pass over a layer blob. An outer libarchive reader
 * (format "raw", decompression filters) hashes the bytes read from the fd and
 * yields the uncompressed stream; an inner tar reader fed from it hashes
 * those bytes and hands each entry to layer_apply.c.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "image/layer_internal.h"

#define READ_CHUNK (128 * 1024)

DEFINE_CLEANUP_FUNC(struct archive, archive_read_free)
DEFINE_CLEANUP_FUNC(struct layer_apply, layer_apply_free)
#define _cleanup_archive_read_ _cleanup_(archive_read_freep)

/* What is read from in_fd: the compressed form, hashed as it is read. */
struct blob_src {
	int fd;
	struct digest_ctx *digest;
	int64_t size;
	char buf[READ_CHUNK];
};

/* The uncompressed stream, pulled out of the outer reader and hashed for the inner one. */
struct tar_src {
	struct archive *outer;
	struct digest_ctx *digest;
	bool eof;
};

static ssize_t read_blob(struct blob_src *s)
{
	ssize_t n;

	do
		n = read(s->fd, s->buf, sizeof(s->buf));
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		digest_update(s->digest, s->buf, (size_t)n);
		s->size += n;
	}
	return n;
}

static la_ssize_t outer_read(struct archive *a, void *data, const void **ret_buf)
{
	struct blob_src *s = data;
	ssize_t n = read_blob(s);

	if (n < 0) {
		archive_set_error(a, errno, "read layer blob: %s", strerror(errno));
		return -1;
	}
	*ret_buf = s->buf;
	return n;
}

/* The next block of uncompressed bytes; 0 at the end, -1 with the outer reader's error. */
static la_ssize_t tar_next(struct tar_src *s, const void **ret_buf)
{
	la_int64_t offset;
	size_t len = 0;
	int r;

	if (s->eof)
		return 0;
	r = archive_read_data_block(s->outer, ret_buf, &len, &offset);
	if (r == ARCHIVE_EOF) {
		s->eof = true;
		return 0;
	}
	if (r < ARCHIVE_WARN)
		return -1;
	digest_update(s->digest, *ret_buf, len);
	return (la_ssize_t)len;
}

static la_ssize_t inner_read(struct archive *a, void *data, const void **ret_buf)
{
	struct tar_src *s = data;
	la_ssize_t n = tar_next(s, ret_buf);

	if (n < 0)
		archive_set_error(a, archive_errno(s->outer) ? archive_errno(s->outer) : EIO, "%s",
				  archive_error_string(s->outer) ? archive_error_string(s->outer) : "decompress");
	return n;
}

static int archive_fail(struct archive *a, struct berth_error **err)
{
	const char *msg = archive_error_string(a);

	return berth_error_set(err, 0, "read layer: %s", msg ? msg : "unknown libarchive error");
}

/* Decompressors for what registries serve; no external programs (lrzip, lz4 …) are ever spawned. */
static struct archive *outer_open(struct blob_src *src, struct berth_error **err)
{
	_cleanup_archive_read_ struct archive *a = archive_read_new();

	if (!a)
		return berth_error_set(err, ENOMEM, "read layer"), NULL;
	if (archive_read_support_filter_gzip(a) != ARCHIVE_OK || archive_read_support_filter_zstd(a) != ARCHIVE_OK ||
	    archive_read_support_filter_xz(a) != ARCHIVE_OK || archive_read_support_filter_bzip2(a) != ARCHIVE_OK ||
	    archive_read_support_format_raw(a) != ARCHIVE_OK || archive_read_support_format_empty(a) != ARCHIVE_OK)
		return archive_fail(a, err), NULL;
	if (archive_read_open(a, src, NULL, outer_read, NULL) != ARCHIVE_OK)
		return archive_fail(a, err), NULL;
	return TAKE_PTR(a);
}

static struct archive *inner_open(struct tar_src *src, struct berth_error **err)
{
	_cleanup_archive_read_ struct archive *a = archive_read_new();

	if (!a)
		return berth_error_set(err, ENOMEM, "read layer"), NULL;
	if (archive_read_support_format_tar(a) != ARCHIVE_OK || archive_read_support_format_empty(a) != ARCHIVE_OK)
		return archive_fail(a, err), NULL;
	if (archive_read_open(a, src, NULL, inner_read, NULL) != ARCHIVE_OK)
		return archive_fail(a, err), NULL;
	return TAKE_PTR(a);
}

/* Every entry of the tar onto the directory, then the directories' modes and times. */
static int unpack_entries(struct tar_src *tar, int dest_dirfd, const struct img_unpack_opts *opts, int64_t *unpacked,
			  struct berth_error **err)
{
	_cleanup_archive_read_ struct archive *inner = inner_open(tar, err);
	_cleanup_(layer_apply_freep) struct layer_apply *la = NULL;
	struct archive_entry *e;
	int r;

	if (!inner)
		return -1;
	la = layer_apply_new(dest_dirfd, opts);
	while ((r = archive_read_next_header(inner, &e)) != ARCHIVE_EOF) {
		/* ARCHIVE_WARN: a name that does not convert to the locale's charset; the bytes are kept */
		if (r < ARCHIVE_WARN)
			return archive_fail(inner, err);
		if (layer_apply_entry(la, inner, e, unpacked, err) < 0)
			return -1;
	}
	return layer_apply_finish(la, err);
}

/* Hash what follows the tar's end: padding of the uncompressed stream, and any bytes left in the fd. */
static int drain(struct tar_src *tar, struct blob_src *blob, struct berth_error **err)
{
	const void *buf;
	ssize_t n;

	while ((n = tar_next(tar, &buf)) > 0)
		;
	if (n < 0)
		return archive_fail(tar->outer, err);
	while ((n = read_blob(blob)) > 0)
		;
	if (n < 0)
		return berth_error_set(err, errno, "read layer blob");
	return 0;
}

int img_layer_unpack(int in_fd, int dest_dirfd, const struct img_unpack_opts *opts, struct img_unpack_result *ret,
		     struct berth_error **err)
{
	static const struct img_unpack_opts no_opts;
	_cleanup_free_ struct blob_src *blob = xcalloc(1, sizeof(*blob));
	_cleanup_digest_ struct digest_ctx *blob_digest = NULL, *tar_digest = NULL;
	_cleanup_archive_read_ struct archive *outer = NULL;
	struct tar_src tar = {0};
	struct archive_entry *oe;
	int64_t unpacked = 0;
	int r;

	blob_digest = digest_new(err);
	tar_digest = digest_new(err);
	if (!blob_digest || !tar_digest)
		return -1;
	*blob = (struct blob_src){.fd = in_fd, .digest = blob_digest};
	tar = (struct tar_src){.digest = tar_digest};
	outer = outer_open(blob, err);
	if (!outer)
		return -1;
	tar.outer = outer;
	r = archive_read_next_header(outer, &oe);
	if (r < ARCHIVE_WARN)
		return archive_fail(outer, err);
	/* an empty blob is an empty layer, as an empty tar stream is for Docker */
	tar.eof = r == ARCHIVE_EOF;
	if (unpack_entries(&tar, dest_dirfd, opts ? opts : &no_opts, &unpacked, err) < 0)
		return -1;
	if (drain(&tar, blob, err) < 0)
		return -1;
	if (opts && opts->fsync && syncfs(dest_dirfd) < 0)
		return berth_error_set(err, errno, "sync unpacked layer");
	if (ret) {
		digest_final(tar_digest, ret->diff_id);
		digest_final(blob_digest, ret->blob_digest);
		ret->blob_size = blob->size;
		ret->unpacked_size = unpacked;
	}
	return 0;
}
