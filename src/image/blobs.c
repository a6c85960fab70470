/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The store's directories and its content-addressed blobs, verified as written. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "image/image.h"

struct img_blob_writer {
	int fd;
	int tmp_fd; /* the store's tmp dir, borrowed */
	char name[64];
	struct digest_ctx *ctx;
	bool raw;		      /* the fd was handed out: what is in the file was not hashed */
	char digest[DIGEST_STR_SIZE]; /* "" until the hash is final */
};

static int open_dir(int dirfd, const char *path, int *ret, struct berth_error **err)
{
	if (fs_mkdir_p_at(dirfd, path, 0700, err) < 0)
		return -1;
	*ret = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*ret < 0)
		return berth_error_set(err, errno, "open '%s'", path);
	return 0;
}

int img_store_open(const char *root, struct img_store **ret, struct berth_error **err)
{
	struct img_store *s = xcalloc(1, sizeof(*s));

	s->root = xstrdup(root);
	s->blobs_fd = s->layers_fd = s->tmp_fd = -1;
	if (open_dir(AT_FDCWD, root, &s->root_fd, err) < 0 ||
	    open_dir(s->root_fd, "blobs/sha256", &s->blobs_fd, err) < 0 ||
	    open_dir(s->root_fd, "layers", &s->layers_fd, err) < 0 ||
	    open_dir(s->root_fd, "tmp", &s->tmp_fd, err) < 0 || fs_mkdir_p_at(s->layers_fd, "l", 0700, err) < 0) {
		img_store_free(s);
		return berth_error_wrap(err, "image store '%s'", root);
	}
	*ret = s;
	return 0;
}

void img_store_free(struct img_store *s)
{
	if (!s)
		return;
	int fds[] = {s->root_fd, s->blobs_fd, s->layers_fd, s->tmp_fd};

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(s->root);
	free(s);
}

int img_store_lock(struct img_store *s, bool exclusive, bool try, int *ret_fd, struct berth_error **err)
{
	_cleanup_close_ int fd = openat(s->root_fd, "store.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	*ret_fd = -1;
	if (fd < 0)
		return berth_error_set(err, errno, "open '%s/store.lock'", s->root);
	while (flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | (try ? LOCK_NB : 0)) < 0) {
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK && try)
			return 0;
		return berth_error_set(err, errno, "lock '%s/store.lock'", s->root);
	}
	*ret_fd = TAKE_FD(fd);
	return 0;
}

static bool valid_digest(const char *digest, struct berth_error **err)
{
	return digest_validate(digest, err) == 0;
}

int img_blob_create(struct img_store *s, struct img_blob_writer **ret, struct berth_error **err)
{
	struct img_blob_writer *w = xcalloc(1, sizeof(*w));
	unsigned long long r;

	w->tmp_fd = s->tmp_fd;
	w->ctx = digest_new(err);
	if (!w->ctx) {
		free(w);
		return -1;
	}
	for (int tries = 0;; tries++) {
		if (getentropy(&r, sizeof(r)) < 0)
			r = (unsigned long long)getpid() * 2654435761ULL + (unsigned long long)tries;
		snprintf(w->name, sizeof(w->name), "blob-%016llx", r);
		w->fd = openat(s->tmp_fd, w->name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (w->fd >= 0)
			break;
		if (errno != EEXIST || tries > 100) {
			berth_error_set(err, errno, "create '%s/tmp/%s'", s->root, w->name);
			digest_free(w->ctx);
			free(w);
			return -1;
		}
	}
	*ret = w;
	return 0;
}

int img_blob_write(struct img_blob_writer *w, const void *data, size_t len, struct berth_error **err)
{
	if (w->digest[0])
		return berth_error_set(err, EINVAL, "write blob: its digest is final");
	if (fs_write_all(w->fd, data, len) < 0)
		return berth_error_set(err, errno, "write blob");
	digest_update(w->ctx, data, len);
	return 0;
}

int img_blob_writer_fd(struct img_blob_writer *w)
{
	w->raw = true;
	return w->fd;
}

void img_blob_abort(struct img_blob_writer *w)
{
	if (!w)
		return;
	if (w->fd >= 0) {
		close(w->fd);
		unlinkat(w->tmp_fd, w->name, 0);
	}
	digest_free(w->ctx);
	free(w);
}

int img_blob_writer_digest(struct img_blob_writer *w, char ret[DIGEST_STR_SIZE], struct berth_error **err)
{
	if (!w->digest[0] && !w->raw)
		digest_final(w->ctx, w->digest);
	if (!w->digest[0]) {
		if (lseek(w->fd, 0, SEEK_SET) < 0)
			return berth_error_set(err, errno, "rewind blob");
		if (digest_fd(w->fd, w->digest, NULL, err) < 0)
			return -1;
	}
	memcpy(ret, w->digest, DIGEST_STR_SIZE);
	return 0;
}

int img_blob_commit_verified(struct img_store *s, struct img_blob_writer *w, const char *digest,
			     struct berth_error **err)
{
	if (!valid_digest(digest, err)) {
		img_blob_abort(w);
		return -1;
	}
	memcpy(w->digest, digest, DIGEST_STR_SIZE);
	return img_blob_commit(s, w, digest, NULL, err);
}

int img_blob_commit(struct img_store *s, struct img_blob_writer *w, const char *expected,
		    char ret_digest[DIGEST_STR_SIZE], struct berth_error **err)
{
	char got[DIGEST_STR_SIZE];
	int rc = -1;

	if (expected && !valid_digest(expected, err))
		goto out;
	if (img_blob_writer_digest(w, got, err) < 0)
		goto out;
	if (expected && strcmp(expected, got) != 0) {
		berth_error_set(err, 0, "blob %s: digest mismatch (content is %s)", expected, got);
		goto out;
	}
	/* The data reaches the disk before its name does: a crash leaves no torn blob. */
	if (fsync(w->fd) < 0 || renameat(s->tmp_fd, w->name, s->blobs_fd, digest_hex(got)) < 0) {
		berth_error_set(err, errno, "store blob %s", got);
		goto out;
	}
	w->name[0] = '\0';
	if (ret_digest)
		memcpy(ret_digest, got, DIGEST_STR_SIZE);
	rc = 0;
out:
	if (w->name[0] == '\0') {
		close(w->fd);
		w->fd = -1;
	}
	img_blob_abort(w);
	return rc;
}

int img_blob_put(struct img_store *s, const void *data, size_t len, const char *expected,
		 char ret_digest[DIGEST_STR_SIZE], struct berth_error **err)
{
	struct img_blob_writer *w = NULL;

	if (expected && img_blob_exists(s, expected)) {
		char got[DIGEST_STR_SIZE];

		if (digest_buffer(data, len, got, err) < 0)
			return -1;
		if (strcmp(got, expected) != 0)
			return berth_error_set(err, 0, "blob %s: digest mismatch (content is %s)", expected, got);
		if (ret_digest)
			memcpy(ret_digest, got, DIGEST_STR_SIZE);
		return 0;
	}
	if (img_blob_create(s, &w, err) < 0)
		return -1;
	if (img_blob_write(w, data, len, err) < 0) {
		img_blob_abort(w);
		return -1;
	}
	return img_blob_commit(s, w, expected, ret_digest, err);
}

int img_blob_open(struct img_store *s, const char *digest, int *ret_fd, struct berth_error **err)
{
	int fd;

	*ret_fd = -1;
	if (!valid_digest(digest, err))
		return -1;
	fd = openat(s->blobs_fd, digest_hex(digest), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return berth_error_set(err, errno, "open blob %s", digest);
	*ret_fd = fd;
	return 0;
}

bool img_blob_exists(struct img_store *s, const char *digest)
{
	struct stat st;

	return digest_validate(digest, NULL) == 0 &&
	       fstatat(s->blobs_fd, digest_hex(digest), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
}

int64_t img_blob_size(struct img_store *s, const char *digest)
{
	struct stat st;

	if (digest_validate(digest, NULL) < 0 || fstatat(s->blobs_fd, digest_hex(digest), &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	return st.st_size;
}

static int blob_read(struct img_store *s, const char *digest, size_t max, bool verify, char **ret, size_t *ret_len,
		     struct berth_error **err)
{
	_cleanup_free_ char *data = NULL;
	char got[DIGEST_STR_SIZE];
	size_t len = 0;

	if (!valid_digest(digest, err))
		return -1;
	if (img_blob_size(s, digest) > (int64_t)max)
		return berth_error_set(err, EFBIG, "blob %s is larger than %zu bytes", digest, max);
	if (fs_read_file_at(s->blobs_fd, digest_hex(digest), &data, &len, err) < 0)
		return berth_error_wrap(err, "blob %s", digest);
	if (verify && digest_buffer(data, len, got, err) < 0)
		return -1;
	if (verify && strcmp(got, digest) != 0)
		return berth_error_set(err, 0, "blob %s is corrupt (content is %s)", digest, got);
	*ret = TAKE_PTR(data);
	if (ret_len)
		*ret_len = len;
	return 0;
}

int img_blob_read(struct img_store *s, const char *digest, size_t max, char **ret, size_t *ret_len,
		  struct berth_error **err)
{
	return blob_read(s, digest, max, true, ret, ret_len, err);
}

int img_blob_read_stored(struct img_store *s, const char *digest, size_t max, char **ret, size_t *ret_len,
			 struct berth_error **err)
{
	return blob_read(s, digest, max, false, ret, ret_len, err);
}

int img_blob_remove(struct img_store *s, const char *digest, struct berth_error **err)
{
	if (!valid_digest(digest, err))
		return -1;
	if (unlinkat(s->blobs_fd, digest_hex(digest), 0) < 0 && errno != ENOENT)
		return berth_error_set(err, errno, "remove blob %s", digest);
	return 0;
}
