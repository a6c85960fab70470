/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unpacked layers under layers/<hex>/diff, shared by diff id, each with a short l/ link. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "image/image.h"
#include "image/layer_internal.h"

static void random_link(char out[IMG_LINK_LEN + 1])
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char r[IMG_LINK_LEN];

	if (getentropy(r, sizeof(r)) < 0)
		for (size_t i = 0; i < sizeof(r); i++)
			r[i] = (unsigned char)(rand() ^ getpid());
	for (size_t i = 0; i < IMG_LINK_LEN; i++)
		out[i] = alphabet[r[i] % (sizeof(alphabet) - 1)];
	out[IMG_LINK_LEN] = '\0';
}

bool img_layers_has(struct img_store *s, const char *diff_id)
{
	_cleanup_free_ char *p = NULL;

	if (digest_validate(diff_id, NULL) < 0)
		return false;
	p = xasprintf("%s/link", digest_hex(diff_id));
	return fs_exists_at(s->layers_fd, p);
}

int img_layers_info(struct img_store *s, const char *diff_id, struct img_layer_info *ret, struct berth_error **err)
{
	_cleanup_free_ char *link_path = NULL, *size_path = NULL, *link = NULL, *size = NULL;

	memset(ret, 0, sizeof(*ret));
	if (digest_validate(diff_id, err) < 0)
		return -1;
	link_path = xasprintf("%s/link", digest_hex(diff_id));
	size_path = xasprintf("%s/size", digest_hex(diff_id));
	if (!fs_exists_at(s->layers_fd, link_path))
		return 0;
	if (fs_read_file_at(s->layers_fd, link_path, &link, NULL, err) < 0)
		return -1;
	if (strlen(link) != IMG_LINK_LEN)
		return berth_error_set(err, 0, "layer %s: corrupt link file", diff_id);
	snprintf(ret->diff_id, sizeof(ret->diff_id), "%s", diff_id);
	memcpy(ret->link, link, IMG_LINK_LEN + 1);
	if (fs_read_file_at(s->layers_fd, size_path, &size, NULL, NULL) == 0)
		ret->size = strtoll(size, NULL, 10);
	ret->existed = true;
	return 0;
}

/* Unpack into tmp/<name>/diff; fills ret (not link) and the blob digest. */
static int unpack_tmp(struct img_store *s, const struct layer_src *src, const char *tmp_name,
		      const struct img_unpack_opts *opts, struct img_unpack_result *res, struct berth_error **err)
{
	_cleanup_free_ char *diff = xasprintf("%s/diff", tmp_name);
	_cleanup_close_ int dfd = -1;

	if (mkdirat(s->tmp_fd, tmp_name, 0700) < 0)
		return berth_error_set(err, errno, "create '%s/tmp/%s'", s->root, tmp_name);
	if (mkdirat(s->tmp_fd, diff, 0755) < 0)
		return berth_error_set(err, errno, "create '%s/tmp/%s'", s->root, diff);
	dfd = openat(s->tmp_fd, diff, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dfd < 0)
		return berth_error_set(err, errno, "open '%s/tmp/%s'", s->root, diff);
	return layer_unpack(src, dfd, opts, res, err);
}

/* Write link and size files, rename into place, make the l/ link. */
static int install(struct img_store *s, const char *tmp_name, const char *hex, struct img_layer_info *info,
		   struct berth_error **err)
{
	_cleanup_free_ char *link_file = xasprintf("%s/link", tmp_name);
	_cleanup_free_ char *size_file = xasprintf("%s/size", tmp_name);
	_cleanup_free_ char *size = xasprintf("%" PRId64, info->size);
	_cleanup_free_ char *target = xasprintf("../%s/diff", hex);
	_cleanup_free_ char *l = NULL;

	random_link(info->link);
	l = xasprintf("l/%s", info->link);
	if (fs_write_file_atomic_at(s->tmp_fd, link_file, info->link, strlen(info->link), 0644, err) < 0 ||
	    fs_write_file_atomic_at(s->tmp_fd, size_file, size, strlen(size), 0644, err) < 0)
		return -1;
	if (symlinkat(target, s->layers_fd, l) < 0)
		return berth_error_set(err, errno, "link layer %s", info->diff_id);
	if (renameat(s->tmp_fd, tmp_name, s->layers_fd, hex) < 0) {
		int e = errno;

		unlinkat(s->layers_fd, l, 0);
		return berth_error_set(err, e, "store layer %s", info->diff_id);
	}
	return 0;
}

static int lock_layer(struct img_store *s, const char *hex, int *ret_fd, struct berth_error **err)
{
	_cleanup_free_ char *name = xasprintf("%s.lock", hex);
	_cleanup_close_ int fd = openat(s->layers_fd, name, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return berth_error_set(err, errno, "open layer lock '%s'", name);
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return berth_error_set(err, errno, "lock layer '%s'", name);
	*ret_fd = TAKE_FD(fd);
	return 0;
}

static int unpack_src(struct img_store *s, const struct layer_src *src, const char *expected_diff_id,
		      const struct img_unpack_opts *opts, struct img_layer_info *ret,
		      char ret_blob_digest[DIGEST_STR_SIZE], struct berth_error **err)
{
	_cleanup_close_ int lock_fd = -1;
	struct img_unpack_result res = {0};
	struct img_layer_info info = {0};
	char tmp_name[64];
	const char *hex;
	int rc;

	if (expected_diff_id) {
		if (digest_validate(expected_diff_id, err) < 0)
			return -1;
		if (lock_layer(s, digest_hex(expected_diff_id), &lock_fd, err) < 0)
			return -1;
		if (img_layers_info(s, expected_diff_id, ret, err) < 0)
			return -1;
		if (ret->existed)
			return 0;
	}
	snprintf(tmp_name, sizeof(tmp_name), "layer-%d-%lx", getpid(), (unsigned long)random());
	rc = unpack_tmp(s, src, tmp_name, opts, &res, err);
	if (rc == 0 && expected_diff_id && strcmp(res.diff_id, expected_diff_id) != 0)
		rc = berth_error_set(err, 0, "layer %s: content does not match (it is %s)", expected_diff_id,
				     res.diff_id);
	if (rc == 0 && !expected_diff_id) {
		/* Learned only now: lock, and keep the copy already there if another command won. */
		if (lock_layer(s, digest_hex(res.diff_id), &lock_fd, err) < 0)
			rc = -1;
		else if (img_layers_info(s, res.diff_id, &info, err) < 0)
			rc = -1;
	}
	if (rc == 0 && !info.existed) {
		hex = digest_hex(res.diff_id);
		snprintf(info.diff_id, sizeof(info.diff_id), "%s", res.diff_id);
		info.size = res.unpacked_size;
		rc = install(s, tmp_name, hex, &info, err);
		info.existed = false;
	}
	if (fs_exists_at(s->tmp_fd, tmp_name))
		fs_rm_rf_at(s->tmp_fd, tmp_name, NULL);
	if (rc < 0)
		return -1;
	if (ret_blob_digest)
		memcpy(ret_blob_digest, res.blob_digest, DIGEST_STR_SIZE);
	*ret = info;
	return 0;
}

int img_layers_unpack(struct img_store *s, int blob_fd, const char *expected_diff_id,
		      const struct img_unpack_opts *opts, struct img_layer_info *ret,
		      char ret_blob_digest[DIGEST_STR_SIZE], struct berth_error **err)
{
	const struct layer_src src = {.fd = blob_fd, .want_digest = ret_blob_digest != NULL};

	return unpack_src(s, &src, expected_diff_id, opts, ret, ret_blob_digest, err);
}

int img_layers_unpack_blob(struct img_store *s, const char *blob_digest, const char *expected_diff_id,
			   const struct img_unpack_opts *opts, struct img_layer_info *ret, struct berth_error **err)
{
	_cleanup_close_ int fd = -1;
	struct layer_src src = {.digest = blob_digest};

	if (img_blob_open(s, blob_digest, &fd, err) < 0)
		return -1;
	if (fd < 0)
		return berth_error_set(err, ENOENT, "layer blob %s is missing", blob_digest);
	src.fd = fd;
	return unpack_src(s, &src, expected_diff_id, opts, ret, NULL, err);
}

int img_layers_remove(struct img_store *s, const char *diff_id, struct berth_error **err)
{
	struct img_layer_info info;
	_cleanup_free_ char *l = NULL, *lock = NULL;

	if (img_layers_info(s, diff_id, &info, err) < 0)
		return -1;
	if (info.existed) {
		l = xasprintf("l/%s", info.link);
		unlinkat(s->layers_fd, l, 0);
	}
	if (fs_exists_at(s->layers_fd, digest_hex(diff_id)) && fs_rm_rf_at(s->layers_fd, digest_hex(diff_id), err) < 0)
		return berth_error_wrap(err, "remove layer %s", diff_id);
	lock = xasprintf("%s.lock", digest_hex(diff_id));
	unlinkat(s->layers_fd, lock, 0);
	return 0;
}

char *img_layers_diff_path(struct img_store *s, const char *diff_id)
{
	return xasprintf("%s/layers/%s/diff", s->root, digest_hex(diff_id));
}
