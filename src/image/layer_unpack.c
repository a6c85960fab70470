/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * img_layer_unpack: one pass over a layer blob. An outer libarchive reader
 * (format "raw", decompression filters) hashes the bytes read from the fd and
 * yields the uncompressed stream; an inner tar reader fed from it hashes
 * those bytes and hands each entry to layer_apply.c. Each byte is hashed
 * once per digest that is wanted and not known already.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "image/layer_internal.h"

#define READ_CHUNK (128 * 1024)

DEFINE_CLEANUP_FUNC(struct archive, archive_read_free)
DEFINE_CLEANUP_FUNC(struct layer_apply, layer_apply_free)
#define _cleanup_archive_read_ _cleanup_(archive_read_freep)

/* What is read from in_fd: the compressed form, hashed as it is read (digest NULL: not). */
struct blob_src {
	int fd;
	struct digest_ctx *digest;
	int64_t size;
	char buf[READ_CHUNK];
};

/* The uncompressed stream, pulled out of the outer reader and hashed (digest NULL: not) for the inner one. */
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
		if (s->digest)
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
	if (s->digest)
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

/*
 * Which digests to compute. The blob's is not wanted, or known (a blob of the
 * store), or, when nothing is decompressed, the same as the stream's. The
 * stream's is known when nothing is decompressed and the blob's is known.
 */
static int plan_digests(const struct layer_src *src, struct archive *outer, struct blob_src *blob, struct tar_src *tar,
			struct berth_error **err)
{
	bool plain = archive_filter_code(outer, 0) == ARCHIVE_FILTER_NONE;

	if (!plain || !src->digest) {
		tar->digest = digest_new(err);
		if (!tar->digest)
			return -1;
	}
	/* the first blocks were hashed while the filters were chosen; the stream's digest starts there too */
	if (plain || src->digest || !src->want_digest) {
		digest_free(blob->digest);
		blob->digest = NULL;
	}
	return 0;
}

static void result(const struct layer_src *src, struct blob_src *blob, struct tar_src *tar, int64_t unpacked,
		   struct img_unpack_result *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (tar->digest)
		digest_final(tar->digest, ret->diff_id);
	else
		memcpy(ret->diff_id, src->digest, DIGEST_STR_SIZE);
	if (src->digest)
		memcpy(ret->blob_digest, src->digest, DIGEST_STR_SIZE);
	else if (blob->digest)
		digest_final(blob->digest, ret->blob_digest);
	else if (src->want_digest)
		memcpy(ret->blob_digest, ret->diff_id, DIGEST_STR_SIZE);
	ret->blob_size = blob->size;
	ret->unpacked_size = unpacked;
}

int layer_unpack(const struct layer_src *src, int dest_dirfd, const struct img_unpack_opts *opts,
		 struct img_unpack_result *ret, struct berth_error **err)
{
	static const struct img_unpack_opts no_opts;
	_cleanup_free_ struct blob_src *blob = xcalloc(1, sizeof(*blob));
	_cleanup_archive_read_ struct archive *outer = NULL;
	struct tar_src tar = {0};
	struct archive_entry *oe;
	int64_t unpacked = 0;
	int r, rc = -1;

	*blob = (struct blob_src){.fd = src->fd};
	if (!src->digest && src->want_digest && !(blob->digest = digest_new(err)))
		return -1;
	outer = outer_open(blob, err);
	if (!outer)
		goto out;
	tar.outer = outer;
	if (plan_digests(src, outer, blob, &tar, err) < 0)
		goto out;
	r = archive_read_next_header(outer, &oe);
	if (r < ARCHIVE_WARN) {
		archive_fail(outer, err);
		goto out;
	}
	/* an empty blob is an empty layer, as an empty tar stream is for Docker */
	tar.eof = r == ARCHIVE_EOF;
	if (unpack_entries(&tar, dest_dirfd, opts ? opts : &no_opts, &unpacked, err) < 0 || drain(&tar, blob, err) < 0)
		goto out;
	if (opts && opts->fsync && syncfs(dest_dirfd) < 0) {
		berth_error_set(err, errno, "sync unpacked layer");
		goto out;
	}
	if (ret)
		result(src, blob, &tar, unpacked, ret);
	rc = 0;
out:
	digest_free(blob->digest);
	digest_free(tar.digest);
	return rc;
}

int img_layer_unpack(int in_fd, int dest_dirfd, const struct img_unpack_opts *opts, struct img_unpack_result *ret,
		     struct berth_error **err)
{
	const struct layer_src src = {.fd = in_fd, .want_digest = true};

	return layer_unpack(&src, dest_dirfd, opts, ret, err);
}
